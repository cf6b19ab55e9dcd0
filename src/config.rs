//! Client configuration: where the API is (tenant and environment, or a base URL) and the API key.

use std::fmt;

use crate::api::RouteTable;
use crate::error::ConfigError;
use crate::jwt::{parse_api_key, ApiKeyClaims};

/// A Flexperto platform environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// `test`: for integration work, no SLA.
    Test,
    /// `live`: production.
    Live,
}

impl Environment {
    /// Parses `"test"` or `"live"`.
    ///
    /// # Errors
    /// [`ConfigError::InvalidEnvironment`] for anything else.
    pub fn parse(s: &str) -> Result<Self, ConfigError> {
        match s {
            "test" => Ok(Self::Test),
            "live" => Ok(Self::Live),
            other => Err(ConfigError::InvalidEnvironment(truncate(other, 40))),
        }
    }

    /// The host label of this environment.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }
}

/// The API key: a JWT kept out of every `Debug` and `Display` output.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps and checks a key.
    ///
    /// # Errors
    /// [`ConfigError::InvalidApiKey`] when it is not a JWT.
    pub fn new(key: &str) -> Result<(Self, ApiKeyClaims), ConfigError> {
        let claims = parse_api_key(key)?;
        Ok((Self(key.to_owned()), claims))
    }

    /// The secret itself, for the `api-key` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([REDACTED])")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Default per-request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The guide's spelling of the mail-suppressing query parameter.
pub const DEFAULT_SUPPRESS_MAILS_PARAM: &str = "supressMails";

/// Everything a client needs, validated.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `scheme://host[:port][/prefix]`, without a trailing slash.
    pub base_url: String,
    /// The API key.
    pub api_key: ApiKey,
    /// `exp` of the key, seconds since the epoch.
    pub api_key_expires_at: Option<i64>,
    /// Per-request timeout in milliseconds.
    pub timeout_ms: u32,
    /// Retries after the first attempt, for retryable failures.
    pub max_retries: u32,
    /// The routes, defaults with the user's overrides applied.
    pub routes: RouteTable,
    /// Name of the query parameter that suppresses e-mails.
    pub suppress_mails_param: String,
}

/// Where the API is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    /// `https://{tenant}.{environment}.flexperto.com`.
    Tenant {
        /// The tenant id.
        tenant: &'a str,
        /// The environment.
        environment: Environment,
    },
    /// An explicit base URL (a proxy, a simulator).
    BaseUrl(&'a str),
}

impl ClientConfig {
    /// Builds a configuration with default timeout, retries and routes.
    ///
    /// # Errors
    /// Any [`ConfigError`] from the target or the key.
    pub fn new(target: Target<'_>, api_key: &str) -> Result<Self, ConfigError> {
        let base_url = match target {
            Target::Tenant {
                tenant,
                environment,
            } => tenant_base_url(tenant, environment)?,
            Target::BaseUrl(url) => normalize_base_url(url)?,
        };
        let (api_key, claims) = ApiKey::new(api_key)?;
        Ok(Self {
            base_url,
            api_key,
            api_key_expires_at: claims.exp,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            max_retries: DEFAULT_MAX_RETRIES,
            routes: RouteTable::default(),
            suppress_mails_param: DEFAULT_SUPPRESS_MAILS_PARAM.to_owned(),
        })
    }
}

fn truncate(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Checks a tenant id: one DNS label of lowercase letters, digits and hyphens.
///
/// # Errors
/// [`ConfigError::InvalidTenant`] saying which rule is broken.
pub fn validate_tenant(tenant: &str) -> Result<(), ConfigError> {
    let bad = |why: &str| ConfigError::InvalidTenant(format!("{:?} {why}", truncate(tenant, 40)));
    if tenant.is_empty() {
        return Err(ConfigError::InvalidTenant("empty".into()));
    }
    if tenant.len() > 63 {
        return Err(bad("is longer than 63 characters"));
    }
    if !tenant
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(bad(
            "may contain only lowercase letters, digits and hyphens",
        ));
    }
    if tenant.starts_with('-') || tenant.ends_with('-') {
        return Err(bad("may not start or end with a hyphen"));
    }
    Ok(())
}

/// The base URL of a tenant's platform.
///
/// # Errors
/// [`ConfigError::InvalidTenant`].
pub fn tenant_base_url(tenant: &str, env: Environment) -> Result<String, ConfigError> {
    validate_tenant(tenant)?;
    Ok(format!("https://{tenant}.{}.flexperto.com", env.as_str()))
}

/// Whether a host (lowercase, IPv6 in brackets) is a loopback host.
pub fn is_loopback_host(host: &str) -> bool {
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// Validates and normalizes a base URL: `https://host[:port][/prefix]`, or `http://` on loopback.
///
/// # Errors
/// [`ConfigError::InvalidBaseUrl`] or [`ConfigError::InsecureBaseUrl`].
pub fn normalize_base_url(url: &str) -> Result<String, ConfigError> {
    let bad = |why: &str| ConfigError::InvalidBaseUrl(why.to_owned());
    if url.len() > 2048 {
        return Err(bad("longer than 2048 characters"));
    }
    if url.bytes().any(|b| b <= b' ' || b >= 0x7f || b == b'\\') {
        return Err(bad(
            "contains white space, control, backslash or non-ASCII characters",
        ));
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if let Some(r) = lower.strip_prefix("https://") {
        (true, &url[url.len() - r.len()..])
    } else if let Some(r) = lower.strip_prefix("http://") {
        (false, &url[url.len() - r.len()..])
    } else {
        return Err(bad("must start with https:// (or http:// on loopback)"));
    };
    if rest.contains('?') || rest.contains('#') {
        return Err(bad("may not have a query or fragment"));
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err(bad("may not carry user information (@)"));
    }
    let authority = authority.to_ascii_lowercase();
    let (host, port) = split_host_port(&authority).ok_or_else(|| bad("has no valid host"))?;
    if let Some(p) = port {
        if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("has an invalid port"));
        }
        match p.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) => {}
            _ => return Err(bad("has an invalid port")),
        }
    }
    if !secure && !is_loopback_host(host) {
        return Err(ConfigError::InsecureBaseUrl);
    }
    let path = path.trim_end_matches('/');
    if path.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(bad("path may not contain . or .. segments"));
    }
    let scheme = if secure { "https" } else { "http" };
    Ok(format!("{scheme}://{authority}{path}"))
}

fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let host = &authority[..=end];
        let inner = &host[1..host.len() - 1];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return None;
        }
        match &authority[end + 1..] {
            "" => (host, None),
            r => (host, Some(r.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let bad_name = !host.starts_with('[')
        && (host.is_empty()
            || host.len() > 253
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            || host.starts_with('.')
            || host.contains(".."));
    if bad_name {
        return None;
    }
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants() {
        assert_eq!(
            tenant_base_url("demo", Environment::Test).unwrap(),
            "https://demo.test.flexperto.com"
        );
        assert!(tenant_base_url("mlp-finanz2", Environment::Live).is_ok());
        for bad in [
            "",
            "evil.com/x",
            "Demo",
            "a b",
            "-a",
            "a-",
            "x@y",
            "a.b",
            "ä",
            &"a".repeat(64),
        ] {
            let e = tenant_base_url(bad, Environment::Test).unwrap_err();
            assert_eq!(e.code(), "INVALID_TENANT", "{bad}");
        }
    }

    #[test]
    fn base_urls() {
        let ok = [
            ("https://api.example.com", "https://api.example.com"),
            ("https://api.example.com/", "https://api.example.com"),
            (
                "HTTPS://API.example.com:8443/proxy/",
                "https://api.example.com:8443/proxy",
            ),
            ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("http://[::1]:3000", "http://[::1]:3000"),
        ];
        for (i, want) in ok {
            assert_eq!(normalize_base_url(i).unwrap(), want);
        }
        let insecure = [
            "http://example.com",
            "http://127.0.0.1.evil.com",
            "http://10.0.0.1",
            "http://0x7f.0.0.1",
        ];
        for i in insecure {
            assert_eq!(
                normalize_base_url(i).unwrap_err(),
                ConfigError::InsecureBaseUrl,
                "{i}"
            );
        }
        let invalid = [
            "ftp://x",
            "example.com",
            "https://",
            "https://user:pw@example.com",
            "https://example.com?x=1",
            "https://example.com/#f",
            "https://exa mple.com",
            "https://example.com:0",
            "https://example.com:99999",
            "https://example.com/a/../b",
            "https://[zz]",
            "https://a..b",
        ];
        for i in invalid {
            assert_eq!(
                normalize_base_url(i).unwrap_err().code(),
                "INVALID_BASE_URL",
                "{i}"
            );
        }
    }

    #[test]
    fn api_key_is_redacted() {
        let key = format!(
            "{}.{}.c2lnbmF0dXJl",
            crate::b64::encode(br#"{"alg":"HS256"}"#),
            crate::b64::encode(br#"{"exp":2000000000}"#)
        );
        let cfg = ClientConfig::new(Target::BaseUrl("http://127.0.0.1:1"), &key).unwrap();
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains(&key));
        assert!(dbg.contains("REDACTED"));
        assert_eq!(cfg.api_key_expires_at, Some(2_000_000_000));
    }
}
