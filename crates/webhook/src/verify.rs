//! Verifying one webhook delivery. Flexperto does not sign payloads, so a delivery is accepted
//! only if every defence the guide recommends holds: the secret path segment (compared in
//! constant time), the source address, the content type, the size, the JSON, and the topic's
//! schema (required fields present and typed, optional ones typed when present, unknown kept).

use core::fmt::Write as _;
use std::net::IpAddr;

use crate::ip::{canonical, Cidr};
use crate::scan::{scan, Found, Kind, Tok};
use crate::secret::secret_bits;
use crate::WebhookError;

/// The archive topic the SDK assumes (inferred: the guide does not name topics). A tenant whose
/// `/api/v2/spec` lists another sets it with [`VerifierConfig::with_archive_topic`].
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
    archive_topic: String,
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
            archive_topic: TOPIC_ARCHIVE_AVAILABLE.to_owned(),
        })
    }

    /// The topic whose deliveries carry an archive (`data.archive_id` and
    /// `data.archive_subject.conference_id`, checked); default [`TOPIC_ARCHIVE_AVAILABLE`]. Every
    /// other topic is a generic event: verified (secret, address, content type, size, JSON, a
    /// string topic) and passed on whole, never dropped.
    ///
    /// # Errors
    /// [`WebhookError::InvalidConfig`] for an empty topic, one over 200 bytes, or one with
    /// control characters.
    pub fn with_archive_topic(mut self, topic: &str) -> Result<Self, WebhookError> {
        if topic.trim().is_empty() || topic.len() > 200 || topic.chars().any(char::is_control) {
            return Err(WebhookError::InvalidConfig(
                "archiveTopic: a non-empty topic name of at most 200 bytes".into(),
            ));
        }
        self.archive_topic = topic.to_owned();
        Ok(self)
    }

    /// The archive topic ([`VerifierConfig::with_archive_topic`]).
    pub fn archive_topic(&self) -> &str {
        &self.archive_topic
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
    let path = path.as_bytes();
    let end = path
        .iter()
        .position(|&c| c == b'?' || c == b'#')
        .unwrap_or(path.len());
    let mut found = usize::MAX;
    // Every segment against every secret, without stopping at a match.
    for seg in path[..end].split(|&c| c == b'/') {
        for (i, s) in cfg.secrets.iter().enumerate() {
            if ct_eq(seg, s) && found == usize::MAX {
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

/// The client address (and how it was typed) after the allowlist check.
fn check_source<'a>(
    cfg: &VerifierConfig,
    d: &Delivery<'a>,
) -> Result<Option<(IpAddr, &'a str)>, WebhookError> {
    let Some(allowed) = &cfg.allowed else {
        return Ok(parse_ip(d.remote_address).map(|ip| (ip, d.remote_address)));
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
        Ok(Some((ip, client)))
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

/// Whether `s` is 64 hexadecimal digits.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The fields of a verified delivery, by index into [`VerifiedParts::fields`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Field {
    /// The topic.
    Topic = 0,
    /// The notification's `id` (a number is given as its digits).
    NotificationId = 1,
    /// `data.archive_id` of an archive event.
    ArchiveId = 2,
    /// `data.archive_subject.conference_id` of an archive event.
    ConferenceId = 3,
    /// `data.sha256CheckSum`, lower case.
    Sha256 = 4,
    /// The client address the allowlist was checked against (canonical form).
    SourceAddress = 5,
    /// The key to deduplicate on.
    DedupeKey = 6,
}

/// How many [`Field`]s there are.
pub const FIELD_COUNT: usize = 7;

/// A verified delivery written into a reusable buffer: the texts of its fields one after another
/// in `text` (UTF-8), and where each one is. Verifying many deliveries with one `VerifiedParts`
/// allocates nothing once the buffer has grown to fit.
#[derive(Debug, Clone, Default)]
pub struct VerifiedParts {
    /// The fields' texts.
    pub text: Vec<u8>,
    /// Where each [`Field`] is in `text` (`None`: not present).
    pub fields: [Option<(u32, u32)>; FIELD_COUNT],
    /// Which configured secret matched (0 = current).
    pub secret_index: usize,
    /// Whether `text` is all ASCII.
    pub ascii: bool,
}

impl VerifiedParts {
    /// Empties it for the next delivery.
    pub fn clear(&mut self) {
        self.text.clear();
        self.fields = [None; FIELD_COUNT];
        self.secret_index = 0;
        self.ascii = true;
    }

    fn begin(&self) -> u32 {
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }

    fn set(&mut self, f: Field, start: u32) {
        self.fields[f as usize] = Some((start, self.begin()));
    }

    /// Appends the text of `f`.
    pub fn put(&mut self, f: Field, s: &str) {
        self.put_known(f, s, s.is_ascii());
    }

    /// [`put`](Self::put) of a text whose ASCII-ness the caller already knows (the scanner's).
    fn put_known(&mut self, f: Field, s: &str, ascii: bool) {
        let start = self.begin();
        self.text.extend_from_slice(s.as_bytes());
        self.ascii &= ascii;
        self.set(f, start);
    }

    /// The text of `f`, if present.
    pub fn get(&self, f: Field) -> Option<&str> {
        let (a, b) = self.fields[f as usize]?;
        core::str::from_utf8(self.text.get(a as usize..b as usize)?).ok()
    }

    fn put_dedupe_key(&mut self, body: &[u8]) {
        let start = self.begin();
        let topic = self.fields[Field::Topic as usize];
        let key =
            self.fields[Field::ArchiveId as usize].or(self.fields[Field::NotificationId as usize]);
        if let Some((a, b)) = topic {
            self.text.extend_from_within(a as usize..b as usize);
        }
        self.text.push(b':');
        match key {
            Some((a, b)) => self.text.extend_from_within(a as usize..b as usize),
            None => {
                let _ = write!(VecWriter(&mut self.text), "body-{:016x}", fnv1a(body));
            }
        }
        self.set(Field::DedupeKey, start);
    }

    fn put_source(&mut self, source: Option<(IpAddr, &str)>) {
        let Some((ip, typed)) = source else { return };
        let start = self.begin();
        // An IPv4 address typed as one is already canonical (the parser refuses leading zeros).
        if ip.is_ipv4() && !typed.contains([':', '[']) {
            self.text.extend_from_slice(typed.trim().as_bytes());
        } else {
            let _ = write!(VecWriter(&mut self.text), "{ip}");
        }
        self.set(Field::SourceAddress, start);
    }
}

struct VecWriter<'a>(&'a mut Vec<u8>);

impl core::fmt::Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// The one-pass scan of a body into `out`, for a verifier whose archive topic is
/// `archive_topic`; `None` when the full parse must decide (then `out` may hold a partial
/// result: clear it).
pub fn fast_path(body: &[u8], archive_topic: &str, out: &mut VerifiedParts) -> Option<()> {
    let text = core::str::from_utf8(body).ok()?;
    from_tokens(text, archive_topic, &scan(text)?, out)
}

/// The fast path's result from the scanner's tokens; `None` when the full parse must decide.
fn from_tokens(body: &str, archive_topic: &str, f: &Found, out: &mut VerifiedParts) -> Option<()> {
    // Writes a string token's text; escaped ones are left to the full parse.
    fn put_tok(out: &mut VerifiedParts, field: Field, body: &str, t: &Tok) -> Option<()> {
        out.put_known(field, t.plain(body)?, t.ascii);
        Some(())
    }
    let given = |t: &Tok| !matches!(t.kind, Kind::Absent | Kind::Null);
    // An envelope without a topic is taken as the archive topic's (the guide's notification
    // example has none).
    let is_archive = match f.topic.kind {
        Kind::Absent | Kind::Null => true,
        Kind::String => f.topic.plain(body)? == archive_topic,
        _ => return None,
    };
    // Only the archive topic's schema is known; any other topic's `data` is passed on as is.
    if is_archive && f.data.kind != Kind::Object {
        return None;
    }
    if is_archive {
        out.put(Field::Topic, archive_topic);
    } else {
        put_tok(out, Field::Topic, body, &f.topic)?;
    }
    match f.id.kind {
        Kind::Absent | Kind::Null => {}
        Kind::String => put_tok(out, Field::NotificationId, body, &f.id)?,
        Kind::Number => {
            // Plain integers only; serde_json's own formatting decides the rest.
            let digits = body.get(f.id.start..f.id.end)?;
            if digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            out.put(Field::NotificationId, digits);
        }
        _ => return None,
    }
    if is_archive {
        let non_empty = |t: &Tok| t.kind == Kind::String && t.end - t.start > 2;
        if !non_empty(&f.archive_id)
            || f.archive_subject.kind != Kind::Object
            || !non_empty(&f.conference_id)
            || (given(&f.status) && f.status.kind != Kind::String)
        {
            return None;
        }
        put_tok(out, Field::ArchiveId, body, &f.archive_id)?;
        put_tok(out, Field::ConferenceId, body, &f.conference_id)?;
        if given(&f.sha256) {
            let hex = f.sha256.plain(body).filter(|s| is_sha256_hex(s))?;
            let start = out.begin();
            out.text.extend(hex.bytes().map(|b| b.to_ascii_lowercase()));
            out.set(Field::Sha256, start);
        }
    }
    Some(())
}

/// The full parse [`verify_into`] falls back on: body in, fields into `out`.
pub type FullParse<'a> = dyn FnMut(&[u8], &mut VerifiedParts) -> Result<(), WebhookError> + 'a;

/// Verifies one delivery into `out` (reused between calls). The archive topic is the
/// configuration's ([`VerifierConfig::archive_topic`]); `full_parse` must use the same.
///
/// # Errors
/// The first check that fails, in this order: `SECRET_MISMATCH`, `IP_NOT_ALLOWED`,
/// `BAD_CONTENT_TYPE`, `BODY_TOO_LARGE`, `MALFORMED_JSON`, `SCHEMA_VIOLATION`.
///
/// Most payloads are answered by a one-pass scan of the body. `full_parse` is called for the
/// rest (invalid JSON, escaped strings where the schema looks, and other rare shapes); it must
/// parse the body, check the schema, and fill `out` with [`VerifiedParts::put`] or fail with
/// `MALFORMED_JSON` or `SCHEMA_VIOLATION`.
pub fn verify_into(
    cfg: &VerifierConfig,
    d: &Delivery<'_>,
    out: &mut VerifiedParts,
    full_parse: &mut FullParse<'_>,
) -> Result<(), WebhookError> {
    out.clear();
    out.secret_index = check_secret(cfg, d.path)?;
    let source = check_source(cfg, d)?;
    check_content_type(d.content_type)?;
    if d.body.len() > cfg.max_body_bytes {
        return Err(WebhookError::BodyTooLarge(cfg.max_body_bytes));
    }
    if fast_path(d.body, &cfg.archive_topic, out).is_none() {
        let secret_index = out.secret_index;
        out.clear();
        out.secret_index = secret_index;
        full_parse(d.body, out)?;
    }
    out.put_dedupe_key(d.body);
    out.put_source(source);
    Ok(())
}
