//! Client configuration: where the API is (tenant and environment, or a base URL) and the API key.

use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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

/// The accepted per-request timeouts, in words (for error messages).
pub const TIMEOUT_RANGE: &str = "must be from 1 to 600000 milliseconds";
/// The most retries a client may make after the first attempt.
pub const MAX_RETRIES_LIMIT: u32 = 10;

/// Checks a per-request timeout: 1 ms to 10 minutes.
///
/// # Errors
/// [`ConfigError::InvalidOption`].
pub fn check_timeout_ms(ms: u32) -> Result<u32, ConfigError> {
    if (1..=600_000).contains(&ms) {
        Ok(ms)
    } else {
        Err(ConfigError::InvalidOption(format!(
            "timeoutMs {TIMEOUT_RANGE}"
        )))
    }
}

/// The integrating application, named in the User-Agent (as stripe-node's `appInfo`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppInfo {
    /// The application's name (letters, digits, `.`, `_`, `-`; at most 64).
    pub name: String,
    /// Its version (same characters; at most 32).
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub version: Option<String>,
    /// Its home page (https, at most 256 characters).
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub url: Option<String>,
}

impl AppInfo {
    /// Checks the parts: they go into a header as they are.
    ///
    /// # Errors
    /// [`ConfigError::InvalidOption`] naming the part.
    pub fn check(&self) -> Result<(), ConfigError> {
        let word = |s: &str, max: usize| {
            !s.is_empty()
                && s.len() <= max
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'))
        };
        if !word(&self.name, 64) {
            return Err(ConfigError::InvalidOption(
                "appInfo.name must be 1 to 64 letters, digits, '.', '_', '-' or '@'".into(),
            ));
        }
        if self.version.as_deref().is_some_and(|v| !word(v, 32)) {
            return Err(ConfigError::InvalidOption(
                "appInfo.version must be 1 to 32 letters, digits, '.', '_', '-' or '@'".into(),
            ));
        }
        if let Some(u) = &self.url {
            let ok = u.len() <= 256
                && u.starts_with("https://")
                && u.bytes()
                    .all(|b| (b'!'..=b'~').contains(&b) && b != b'(' && b != b')');
            if !ok {
                return Err(ConfigError::InvalidOption(
                    "appInfo.url must be an https URL of at most 256 visible ASCII characters, without parentheses".into(),
                ));
            }
        }
        Ok(())
    }
}

/// A client's options as a user gives them (from JS, or deserialized from a config file): what
/// [`ClientConfig::from_options`] checks. Unknown options are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    tsify(hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClientOptions {
    /// Tenant id: lowercase letters, digits and hyphens (with `environment`).
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub tenant: Option<String>,
    /// `"test"` or `"live"` (with `tenant`).
    #[serde(default)]
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js-client"),
        tsify(optional, type = "\"test\" | \"live\"")
    )]
    pub environment: Option<String>,
    /// An explicit base URL (https, or http on loopback only), instead of tenant and environment.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub base_url: Option<String>,
    /// The API key (a JWT). Keep it on your server.
    #[serde(default)]
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js-client"),
        tsify(type = "string")
    )]
    pub api_key: Option<String>,
    /// Per-request timeout in milliseconds (1..600000, default 30000).
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub timeout_ms: Option<u32>,
    /// Retries after the first attempt for 429, and for network errors, timeouts and 502/503/504
    /// on idempotent requests (0..10, default 3).
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub max_retries: Option<u32>,
    /// Path overrides by operationId. Placeholders must match the default path's.
    #[serde(default)]
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js-client"),
        tsify(optional, type = "Partial<Record<OperationId, string>>")
    )]
    pub routes: Option<StrMap>,
    /// Name of the mail-suppressing query parameter (default "supressMails", the guide's spelling).
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub suppress_mails_param: Option<String>,
    /// The integrating application, appended to the User-Agent.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub app_info: Option<AppInfo>,
}

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
    /// The `user-agent` sent where the platform allows it (see [`crate::transport::user_agent`]).
    pub user_agent: String,
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
            user_agent: crate::transport::user_agent(None),
        })
    }

    /// Builds a configuration from a user's options, with every check the JS constructor makes:
    /// a target (tenant and environment, or a base URL, not both), a key, the ranges of
    /// `timeoutMs` and `maxRetries`, the routes, the parameter name and `appInfo`.
    ///
    /// # Errors
    /// The first [`ConfigError`] found.
    pub fn from_options(o: &ClientOptions) -> Result<Self, ConfigError> {
        let target = match (&o.tenant, &o.base_url) {
            (Some(t), None) => {
                let env = o.environment.as_deref().ok_or_else(|| {
                    ConfigError::MissingTarget(
                        "environment (\"test\" or \"live\") is required with tenant".into(),
                    )
                })?;
                Target::Tenant {
                    tenant: t,
                    environment: Environment::parse(env)?,
                }
            }
            (None, Some(u)) => {
                if o.environment.is_some() {
                    return Err(ConfigError::MissingTarget(
                        "environment goes with tenant, not with baseUrl".into(),
                    ));
                }
                Target::BaseUrl(u)
            }
            (Some(_), Some(_)) => {
                return Err(ConfigError::MissingTarget(
                    "give either tenant and environment, or baseUrl, not both".into(),
                ))
            }
            (None, None) => {
                return Err(ConfigError::MissingTarget(
                    "tenant and environment, or baseUrl, are required".into(),
                ))
            }
        };
        let key = o
            .api_key
            .as_deref()
            .ok_or_else(|| ConfigError::InvalidApiKey("apiKey is required".into()))?;
        let mut config = Self::new(target, key)?;
        if let Some(t) = o.timeout_ms {
            config.set_timeout_ms(t)?;
        }
        if let Some(r) = o.max_retries {
            config.set_max_retries(r)?;
        }
        if let Some(p) = &o.suppress_mails_param {
            config.set_suppress_mails_param(p)?;
        }
        for (name, path) in o.routes.iter().flatten() {
            config.routes.set(name, path)?;
        }
        if let Some(app) = &o.app_info {
            config.set_app_info(app)?;
        }
        Ok(config)
    }

    /// Sets the per-request timeout.
    ///
    /// # Errors
    /// [`ConfigError::InvalidOption`] outside 1..=600000.
    pub fn set_timeout_ms(&mut self, ms: u32) -> Result<(), ConfigError> {
        self.timeout_ms = check_timeout_ms(ms)?;
        Ok(())
    }

    /// Sets the number of retries after the first attempt.
    ///
    /// # Errors
    /// [`ConfigError::InvalidOption`] above [`MAX_RETRIES_LIMIT`].
    pub fn set_max_retries(&mut self, retries: u32) -> Result<(), ConfigError> {
        if retries > MAX_RETRIES_LIMIT {
            return Err(ConfigError::InvalidOption(format!(
                "maxRetries must be from 0 to {MAX_RETRIES_LIMIT}"
            )));
        }
        self.max_retries = retries;
        Ok(())
    }

    /// Sets the name of the mail-suppressing query parameter.
    ///
    /// # Errors
    /// [`ConfigError::InvalidOption`] unless it is letters, digits, `_` and `-`.
    pub fn set_suppress_mails_param(&mut self, name: &str) -> Result<(), ConfigError> {
        if name.is_empty()
            || name.len() > 64
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(ConfigError::InvalidOption(
                "suppressMailsParam must be a plain query parameter name".into(),
            ));
        }
        self.suppress_mails_param = name.to_owned();
        Ok(())
    }

    /// Names the integrating application in the User-Agent.
    ///
    /// # Errors
    /// [`ConfigError::InvalidOption`] from [`AppInfo::check`].
    pub fn set_app_info(&mut self, app: &AppInfo) -> Result<(), ConfigError> {
        app.check()?;
        self.user_agent = crate::transport::user_agent(Some(app));
        Ok(())
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
    Ok(["https://", tenant, ".", env.as_str(), ".flexperto.com"].concat())
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
    if path.split('/').any(crate::api::is_dot_segment) {
        return Err(bad(
            "path may not contain . or .. segments (%2e counts as a dot)",
        ));
    }
    let scheme = if secure { "https://" } else { "http://" };
    Ok([scheme, &authority, path].concat())
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
            || host.as_bytes().windows(2).any(|w| w == b".."));
    if bad_name {
        return None;
    }
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_map_keeps_key_order_and_the_last_duplicate() {
        let m: StrMap = serde_json::from_str(r#"{"b":"2","a":"1","c":"3","a":"4"}"#).unwrap();
        let keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(m.get("a").map(String::as_str), Some("4"));
        assert_eq!(m.get("z"), None);
        assert_eq!(m.len(), 3);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"a":"4","b":"2","c":"3"}"#
        );
        assert!(serde_json::from_str::<StrMap>(r#"{"a":1}"#).is_err());
        assert!(serde_json::from_str::<StrMap>(r#"["a"]"#).is_err());
    }

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
            "https://example.com/a/%2e%2E/b",
            "https://example.com/a/.%2e",
            "https://example.com/%2e/b",
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

    fn key() -> String {
        format!(
            "{}.{}.c2lnbmF0dXJl",
            crate::b64::encode(br#"{"alg":"HS256"}"#),
            crate::b64::encode(br#"{"exp":2000000000}"#)
        )
    }

    #[test]
    fn options_are_checked_like_the_js_constructor_checks_them() {
        let base = ClientOptions {
            base_url: Some("http://127.0.0.1:1".into()),
            api_key: Some(key()),
            ..Default::default()
        };
        let c = ClientConfig::from_options(&base).unwrap();
        assert_eq!(c.timeout_ms, DEFAULT_TIMEOUT_MS);
        let code = |o: ClientOptions| ClientConfig::from_options(&o).unwrap_err().code();
        for t in [0, 600_001] {
            let o = ClientOptions {
                timeout_ms: Some(t),
                ..base.clone()
            };
            assert_eq!(code(o), "INVALID_OPTION");
        }
        let o = ClientOptions {
            max_retries: Some(11),
            ..base.clone()
        };
        assert_eq!(code(o), "INVALID_OPTION");
        let o = ClientOptions {
            suppress_mails_param: Some("a b".into()),
            ..base.clone()
        };
        assert_eq!(code(o), "INVALID_OPTION");
        let o = ClientOptions {
            tenant: Some("demo".into()),
            ..base.clone()
        };
        assert_eq!(code(o), "MISSING_TARGET");
        let o = ClientOptions {
            api_key: None,
            ..base.clone()
        };
        assert_eq!(code(o), "INVALID_API_KEY");
        let app = AppInfo {
            name: "crm plugin".into(),
            version: None,
            url: None,
        };
        let o = ClientOptions {
            app_info: Some(app),
            ..base.clone()
        };
        assert_eq!(code(o), "INVALID_OPTION");
        let app = AppInfo {
            name: "crm".into(),
            version: Some("2".into()),
            url: None,
        };
        let o = ClientOptions {
            app_info: Some(app),
            ..base.clone()
        };
        assert!(ClientConfig::from_options(&o)
            .unwrap()
            .user_agent
            .ends_with(" crm/2"));
        let unknown: Result<ClientOptions, _> =
            serde_json::from_str(r#"{"apiKey":"k","timeout":5}"#);
        assert!(unknown.unwrap_err().to_string().contains("unknown field"));
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

/// A map of strings to strings, kept as a vector sorted by key (the `routes` of the options and
/// of the drift report, the per-call `headers`): it iterates, reads and writes (as an object) as
/// a `BTreeMap<String, String>` did, a later duplicate key replacing the earlier value. Not a
/// BTreeMap: serde_json's map is one already, and a second key/value type compiled a second copy
/// of the B-tree code into the wasm (measured 2026-11-30, bench/README.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrMap(Vec<(String, String)>);

impl StrMap {
    /// Sets `key` to `value`, in key order.
    pub fn insert(&mut self, key: String, value: String) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// The entries, in key order.
    pub fn iter(&self) -> std::slice::Iter<'_, (String, String)> {
        self.0.iter()
    }

    /// Whether it has no entry.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'a> IntoIterator for &'a StrMap {
    type Item = &'a (String, String);
    type IntoIter = std::slice::Iter<'a, (String, String)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl Serialize for StrMap {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for StrMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<StrMap, A::Error> {
                let mut out = StrMap::default();
                while let Some((k, v)) = m.next_entry::<String, String>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}
