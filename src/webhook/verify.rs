//! Verifying one webhook delivery. Flexperto does not sign payloads, so a delivery is accepted
//! only if every defence the guide recommends holds: the secret path segment (compared in
//! constant time), the source address, the content type, the size, the JSON, and the topic's
//! schema (required fields present and typed, optional ones typed when present, unknown kept).

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::ip::{canonical, Cidr};
use super::url::secret_bits;
use crate::error::WebhookError;

/// The archive topic.
pub const TOPIC_ARCHIVE_AVAILABLE: &str = "archive.available";
/// Default body cap: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;

/// A verifier's settings.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    secrets: Vec<Vec<u8>>,
    allowed: Option<Vec<Cidr>>,
    trusted_proxies: usize,
    max_body_bytes: usize,
}

impl VerifierConfig {
    /// `secrets`: the current one first, then previous ones still accepted (rotation). Each must
    /// carry at least 128 bits. `allowed`: CIDR blocks of the platform's source addresses (`None`
    /// skips the address check). `trusted_proxies`: how many reverse proxies in front of you
    /// append to `X-Forwarded-For`.
    ///
    /// # Errors
    /// [`WebhookError::InvalidConfig`] (never echoing a secret).
    pub fn new(
        secrets: &[String],
        allowed: Option<&[String]>,
        trusted_proxies: usize,
        max_body_bytes: Option<usize>,
    ) -> Result<Self, WebhookError> {
        let bad = |m: String| WebhookError::InvalidConfig(m);
        if secrets.is_empty() {
            return Err(bad("secrets: at least one is required".into()));
        }
        for (i, s) in secrets.iter().enumerate() {
            if secret_bits(s) < 128.0 {
                return Err(bad(format!(
                    "secrets[{i}]: needs at least 128 bits (use generateWebhookSecret())"
                )));
            }
        }
        let allowed = match allowed {
            None => None,
            Some(list) => Some(
                list.iter()
                    .enumerate()
                    .map(|(i, c)| {
                        Cidr::parse(c).ok_or_else(|| {
                            bad(format!("allowedIps[{i}]: not an address or CIDR block"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        if trusted_proxies > 16 {
            return Err(bad("trustedProxies: at most 16".into()));
        }
        let max_body_bytes = max_body_bytes.unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes == 0 || max_body_bytes > 64 << 20 {
            return Err(bad("maxBodyBytes: from 1 to 64 MiB".into()));
        }
        Ok(Self {
            secrets: secrets.iter().map(|s| s.as_bytes().to_vec()).collect(),
            allowed,
            trusted_proxies,
            max_body_bytes,
        })
    }

    /// The body cap, for readers that stop early.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }
}

/// One delivery as the HTTP layer received it.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The request path (query allowed; it is ignored).
    pub path: &'a str,
    /// The peer address of the connection.
    pub remote_address: &'a str,
    /// `Content-Type`.
    pub content_type: Option<&'a str>,
    /// `X-Forwarded-For`, all values joined with commas.
    pub forwarded_for: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
}

/// The archive fields of an `archive.available` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEvent {
    /// `data.archive_id`.
    pub archive_id: String,
    /// `data.archive_subject.conference_id`.
    pub conference_id: String,
    /// `data.sha256CheckSum`, when sent.
    pub sha256: Option<String>,
}

/// A verified delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The topic.
    pub topic: String,
    /// The notification's `id`, when sent.
    pub notification_id: Option<String>,
    /// For `archive.available`.
    pub archive: Option<ArchiveEvent>,
    /// The key to deduplicate on: the same work gets the same key.
    pub dedupe_key: String,
    /// Which configured secret matched (0 = current).
    pub secret_index: usize,
    /// The client address the allowlist was checked against.
    pub source: Option<IpAddr>,
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn check_secret(cfg: &VerifierConfig, path: &str) -> Result<usize, WebhookError> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut found = usize::MAX;
    // Every segment against every secret, without stopping at a match.
    for seg in path.split('/') {
        for (i, s) in cfg.secrets.iter().enumerate() {
            if ct_eq(seg.as_bytes(), s) && found == usize::MAX {
                found = i;
            }
        }
    }
    if found == usize::MAX {
        Err(WebhookError::SecretMismatch)
    } else {
        Ok(found)
    }
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|x| x.split(']').next())
        .unwrap_or(s);
    s.parse::<IpAddr>().ok().map(canonical)
}

fn check_source(cfg: &VerifierConfig, d: &Delivery<'_>) -> Result<Option<IpAddr>, WebhookError> {
    let Some(allowed) = &cfg.allowed else {
        return Ok(parse_ip(d.remote_address));
    };
    // The hop chain, nearest last: X-Forwarded-For entries, then the peer.
    let mut chain: Vec<&str> = d
        .forwarded_for
        .map(|x| {
            x.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    chain.push(d.remote_address);
    let n = cfg.trusted_proxies;
    if chain.len() <= n {
        return Err(WebhookError::IpNotAllowed(
            "fewer forwarding hops than trusted proxies".into(),
        ));
    }
    let client = chain[chain.len() - 1 - n];
    let ip =
        parse_ip(client).ok_or_else(|| WebhookError::IpNotAllowed("not an IP address".into()))?;
    if allowed.iter().any(|c| c.contains(ip)) {
        Ok(Some(ip))
    } else {
        Err(WebhookError::IpNotAllowed(ip.to_string()))
    }
}

fn check_content_type(ct: Option<&str>) -> Result<(), WebhookError> {
    let essence = ct.unwrap_or("").split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(WebhookError::BadContentType)
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default, borrow)]
    topic: Option<Cow<'a, str>>,
    #[serde(borrow)]
    data: &'a RawValue,
}

#[derive(Deserialize)]
struct Subject<'a> {
    #[serde(borrow)]
    conference_id: Cow<'a, str>,
}

#[derive(Deserialize)]
struct ArchiveData<'a> {
    #[serde(borrow)]
    archive_id: Cow<'a, str>,
    #[serde(borrow)]
    archive_subject: Subject<'a>,
    #[serde(default, borrow, rename = "sha256CheckSum")]
    sha256: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    status: Option<Cow<'a, str>>,
}

fn violation(path: &str, reason: &str) -> WebhookError {
    WebhookError::SchemaViolation {
        path: path.into(),
        reason: reason.into(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn want_string(v: Option<&Value>, path: &str, required: bool) -> Result<(), WebhookError> {
    match v {
        None if required => Err(violation(path, "required")),
        None => Ok(()),
        Some(Value::String(s)) if required && s.is_empty() => {
            Err(violation(path, "must not be empty"))
        }
        Some(Value::String(_)) => Ok(()),
        Some(other) => Err(violation(
            path,
            &format!("must be a string, not {}", kind(other)),
        )),
    }
}

/// The slow path: names the first schema rule the payload breaks.
fn explain(body: &[u8]) -> WebhookError {
    let v: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => return WebhookError::MalformedJson(e.to_string()),
    };
    let Value::Object(env) = &v else {
        return violation("$", &format!("must be an object, not {}", kind(&v)));
    };
    if let Some(id) = env.get("id") {
        if !matches!(id, Value::String(_) | Value::Number(_)) {
            return violation("id", &format!("must be a string, not {}", kind(id)));
        }
    }
    if let Err(e) = want_string(env.get("topic"), "topic", false) {
        return e;
    }
    let data = match env.get("data") {
        None => return violation("data", "required"),
        Some(Value::Object(d)) => d,
        Some(other) => {
            return violation("data", &format!("must be an object, not {}", kind(other)))
        }
    };
    let topic = env.get("topic").and_then(Value::as_str);
    if topic.is_none() || topic == Some(TOPIC_ARCHIVE_AVAILABLE) {
        let checks = [
            want_string(data.get("archive_id"), "data.archive_id", true),
            match data.get("archive_subject") {
                None => Err(violation("data.archive_subject", "required")),
                Some(Value::Object(s)) => want_string(
                    s.get("conference_id"),
                    "data.archive_subject.conference_id",
                    true,
                ),
                Some(other) => Err(violation(
                    "data.archive_subject",
                    &format!("must be an object, not {}", kind(other)),
                )),
            },
            want_string(data.get("sha256CheckSum"), "data.sha256CheckSum", false),
            want_string(data.get("status"), "data.status", false),
        ];
        if let Some(Err(e)) = checks.into_iter().find(Result::is_err) {
            return e;
        }
        if let Some(Value::String(s)) = data.get("sha256CheckSum") {
            if !is_sha256_hex(s) {
                return violation("data.sha256CheckSum", "must be 64 hexadecimal characters");
            }
        }
    }
    violation("$", "does not match the notification schema")
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn raw_id(raw: &RawValue) -> Option<String> {
    match serde_json::from_str::<Value>(raw.get()).ok()? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Verifies one delivery.
///
/// # Errors
/// The first check that fails, in this order: `SECRET_MISMATCH`, `IP_NOT_ALLOWED`,
/// `BAD_CONTENT_TYPE`, `BODY_TOO_LARGE`, `MALFORMED_JSON`, `SCHEMA_VIOLATION`.
pub fn verify(cfg: &VerifierConfig, d: &Delivery<'_>) -> Result<Verified, WebhookError> {
    let secret_index = check_secret(cfg, d.path)?;
    let source = check_source(cfg, d)?;
    check_content_type(d.content_type)?;
    if d.body.len() > cfg.max_body_bytes {
        return Err(WebhookError::BodyTooLarge(cfg.max_body_bytes));
    }
    let env: Envelope<'_> = match serde_json::from_slice(d.body) {
        Ok(e) => e,
        Err(_) => return Err(explain(d.body)),
    };
    if !env.data.get().starts_with('{') {
        return Err(explain(d.body));
    }
    let notification_id = match env.id {
        Some(raw) => Some(raw_id(raw).ok_or_else(|| explain(d.body))?),
        None => None,
    };
    let is_archive = env
        .topic
        .as_deref()
        .is_none_or(|t| t == TOPIC_ARCHIVE_AVAILABLE);
    let (topic, archive) = if is_archive {
        let a: ArchiveData<'_> =
            serde_json::from_str(env.data.get()).map_err(|_| explain(d.body))?;
        if a.archive_id.is_empty() || a.archive_subject.conference_id.is_empty() {
            return Err(explain(d.body));
        }
        if a.sha256.as_deref().is_some_and(|s| !is_sha256_hex(s)) {
            return Err(explain(d.body));
        }
        let _ = a.status;
        (
            TOPIC_ARCHIVE_AVAILABLE.to_owned(),
            Some(ArchiveEvent {
                archive_id: a.archive_id.into_owned(),
                conference_id: a.archive_subject.conference_id.into_owned(),
                sha256: a.sha256.map(|s| s.to_ascii_lowercase()),
            }),
        )
    } else {
        (env.topic.map(Cow::into_owned).unwrap_or_default(), None)
    };
    let dedupe_key = match (&archive, &notification_id) {
        (Some(a), _) => format!("{topic}:{}", a.archive_id),
        (None, Some(id)) => format!("{topic}:{id}"),
        (None, None) => format!("{topic}:body-{:016x}", fnv1a(d.body)),
    };
    Ok(Verified {
        topic,
        notification_id,
        archive,
        dedupe_key,
        secret_index,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const S1: &str = "F40mfum7pZC8DtdgGOYSijx26blP0HLs";
    const S0: &str = "Zq3xV8nR2mK7pL4wT9yB6cD1fG5hJ0sA";
    const OK: &str = r#"{"id":"ntf_1","topic":"archive.available","createdAt":"2026-11-28T20:00:00Z","data":{"archive_id":"arc_1","archive_subject":{"conference_id":"conf_1","x":1},"sha256CheckSum":"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789","status":"AVAILABLE","extra":[1]},"more":true}"#;

    fn cfg() -> VerifierConfig {
        VerifierConfig::new(
            &[S0.into(), S1.into()],
            Some(&["203.0.113.0/24".into(), "2001:db8::/32".into()]),
            1,
            Some(4096),
        )
        .unwrap()
    }

    fn d<'a>(
        path: &'a str,
        remote: &'a str,
        xff: Option<&'a str>,
        ct: Option<&'a str>,
        body: &'a str,
    ) -> Delivery<'a> {
        Delivery {
            path,
            remote_address: remote,
            content_type: ct,
            forwarded_for: xff,
            body: body.as_bytes(),
        }
    }

    #[test]
    fn accepts_a_valid_delivery_with_either_secret() {
        let p0 = format!("/callbacks/flexperto/{S0}");
        let v = verify(
            &cfg(),
            &d(
                &p0,
                "10.0.0.2",
                Some("203.0.113.9"),
                Some("application/json; charset=utf-8"),
                OK,
            ),
        )
        .unwrap();
        assert_eq!(v.topic, "archive.available");
        let a = v.archive.unwrap();
        assert_eq!(
            (a.archive_id.as_str(), a.conference_id.as_str()),
            ("arc_1", "conf_1")
        );
        assert_eq!(
            a.sha256.unwrap(),
            "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
        );
        assert_eq!(v.dedupe_key, "archive.available:arc_1");
        assert_eq!(v.secret_index, 0);
        let p1 = format!("/cb/{S1}?attempt=2");
        assert_eq!(
            verify(
                &cfg(),
                &d(
                    &p1,
                    "::ffff:10.0.0.2",
                    Some("203.0.113.9"),
                    Some("application/json"),
                    OK
                )
            )
            .unwrap()
            .secret_index,
            1
        );
    }

    #[test]
    fn bad_input_table() {
        let p = format!("/cb/{S1}");
        let ct = Some("application/json");
        let xff = Some("203.0.113.9");
        let big = format!("{{\"data\":{{\"archive_id\":\"{}\"}}}}", "x".repeat(5000));
        let cases: Vec<(Delivery<'_>, &str)> = vec![
            (
                d(
                    "/cb/F40mfum7pZC8DtdgGOYSijx26blP0HLt",
                    "10.0.0.2",
                    xff,
                    ct,
                    OK,
                ),
                "SECRET_MISMATCH",
            ),
            (d("/cb", "10.0.0.2", xff, ct, OK), "SECRET_MISMATCH"),
            (
                d(&p, "10.0.0.2", Some("198.51.100.1"), ct, OK),
                "IP_NOT_ALLOWED",
            ),
            (d(&p, "10.0.0.2", None, ct, OK), "IP_NOT_ALLOWED"),
            (
                d(&p, "203.0.113.9", Some("198.51.100.1"), ct, OK),
                "IP_NOT_ALLOWED",
            ),
            (
                d(&p, "10.0.0.2", Some("203.0.113.9, 198.51.100.1"), ct, OK),
                "IP_NOT_ALLOWED",
            ),
            (
                d(&p, "10.0.0.2", xff, Some("text/plain"), OK),
                "BAD_CONTENT_TYPE",
            ),
            (d(&p, "10.0.0.2", xff, None, OK), "BAD_CONTENT_TYPE"),
            (d(&p, "10.0.0.2", xff, ct, &big), "BODY_TOO_LARGE"),
            (d(&p, "10.0.0.2", xff, ct, "{not json"), "MALFORMED_JSON"),
            (d(&p, "10.0.0.2", xff, ct, ""), "MALFORMED_JSON"),
            (d(&p, "10.0.0.2", xff, ct, "[1]"), "SCHEMA_VIOLATION"),
            (
                d(&p, "10.0.0.2", xff, ct, r#"{"topic":"archive.available"}"#),
                "SCHEMA_VIOLATION",
            ),
            (
                d(
                    &p,
                    "10.0.0.2",
                    xff,
                    ct,
                    r#"{"data":{"archive_id":5,"archive_subject":{"conference_id":"c"}}}"#,
                ),
                "SCHEMA_VIOLATION",
            ),
            (
                d(&p, "10.0.0.2", xff, ct, r#"{"data":{"archive_id":"a"}}"#),
                "SCHEMA_VIOLATION",
            ),
            (
                d(
                    &p,
                    "10.0.0.2",
                    xff,
                    ct,
                    r#"{"data":{"archive_id":"a","archive_subject":{"conference_id":"c"},"sha256CheckSum":"xyz"}}"#,
                ),
                "SCHEMA_VIOLATION",
            ),
        ];
        for (delivery, code) in cases {
            assert_eq!(
                verify(&cfg(), &delivery).map(|_| ()).unwrap_err().code(),
                code,
                "{delivery:?}"
            );
        }
        let e = verify(
            &cfg(),
            &d(
                &p,
                "10.0.0.2",
                xff,
                ct,
                r#"{"data":{"archive_id":5,"archive_subject":{"conference_id":"c"}}}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(
            e,
            WebhookError::SchemaViolation {
                path: "data.archive_id".into(),
                reason: "must be a string, not a number".into()
            }
        );
        let e = verify(
            &cfg(),
            &d(
                &p,
                "10.0.0.2",
                xff,
                ct,
                r#"{"data":{"archive_id":"a","archive_subject":{}}}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(
            e,
            WebhookError::SchemaViolation {
                path: "data.archive_subject.conference_id".into(),
                reason: "required".into()
            }
        );
    }

    #[test]
    fn config_is_checked() {
        assert!(VerifierConfig::new(&[], None, 0, None).is_err());
        let e = VerifierConfig::new(&["short-secret".into()], None, 0, None).unwrap_err();
        assert!(!e.to_string().contains("short-secret"));
        assert!(VerifierConfig::new(&[S1.into()], Some(&["10.0.0.0/33".into()]), 0, None).is_err());
        let open = VerifierConfig::new(&[S1.into()], None, 0, None).unwrap();
        let p = format!("/cb/{S1}");
        let generic = r#"{"id":7,"topic":"conference.ended","data":{"conference_id":"c"}}"#;
        let v = verify(
            &open,
            &d(&p, "198.51.100.1", None, Some("application/json"), generic),
        )
        .unwrap();
        assert_eq!(
            (v.topic.as_str(), v.dedupe_key.as_str(), v.archive),
            ("conference.ended", "conference.ended:7", None)
        );
    }
}
