//! The rules of the webhook handler that both JS adapters (node:http and the Fetch API) share:
//! which requests are refused before their body is read, and the answer (status, body, headers)
//! to every outcome. Also the platform's delivery policy (the guide: a POST, acknowledged by
//! `199 < status < 399` within 3 s, up to 4 attempts, backoff from 100 ms doubling), which the
//! simulator and the `flexperto-sdk/testing` helpers both follow. Sans-IO: the adapters read
//! requests and write answers; nothing here touches a socket.

/// The one method a delivery uses.
pub const ALLOWED_METHOD: &str = "POST";

/// Delivery attempts per notification.
pub const PLATFORM_ATTEMPTS: u32 = 4;
/// How long a receiver has to answer one attempt, in milliseconds.
pub const PLATFORM_ATTEMPT_TIMEOUT_MS: u64 = 3_000;
/// The wait before the second attempt; it doubles before each further one.
pub const PLATFORM_FIRST_BACKOFF_MS: u64 = 100;

/// Whether the platform takes `status` as an acknowledgement (the guide: `199 < status < 399`;
/// a redirect counts and is not followed).
pub fn platform_accepts(status: u16) -> bool {
    status > 199 && status < 399
}

/// The wait before attempt `attempt` (1-based): none before the first, then 100, 200, 400 ms.
pub fn platform_backoff_ms(attempt: u32) -> u64 {
    match attempt {
        0 | 1 => 0,
        n => PLATFORM_FIRST_BACKOFF_MS << (n - 2).min(16),
    }
}

/// How a delivery ends at the handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A new event, taken on: its work runs after the answer.
    Accepted,
    /// An event already claimed: acknowledged, not processed again.
    Duplicate,
    /// The path lacks an accepted secret: nothing is revealed.
    SecretMismatch,
    /// The source address is not allowed.
    IpNotAllowed,
    /// Not a POST.
    MethodNotAllowed,
    /// Not `application/json`.
    BadContentType,
    /// The body is over the verifier's cap.
    BodyTooLarge,
    /// The body is not JSON.
    MalformedJson,
    /// The JSON breaks the topic's schema.
    SchemaViolation,
    /// The dedupe store failed: not acknowledged, so the platform retries.
    SeenStoreFailed,
    /// The handler itself failed.
    Internal,
}

const ALL: [Outcome; 11] = [
    Outcome::Accepted,
    Outcome::Duplicate,
    Outcome::SecretMismatch,
    Outcome::IpNotAllowed,
    Outcome::MethodNotAllowed,
    Outcome::BadContentType,
    Outcome::BodyTooLarge,
    Outcome::MalformedJson,
    Outcome::SchemaViolation,
    Outcome::SeenStoreFailed,
    Outcome::Internal,
];

/// The answer to one outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The `code` of the JSON body `{ code }`, for refusals that name their reason.
    pub code: Option<&'static str>,
    /// The fixed JSON body of an acknowledgement (`{"accepted":true}`, `{"duplicate":true}`).
    pub ack: Option<&'static str>,
    /// The `Allow` header (405).
    pub allow: Option<&'static str>,
}

impl Outcome {
    /// The outcome of a code (a `WebhookError` code, or `ACCEPTED`, `DUPLICATE`, ...).
    pub fn from_code(code: &str) -> Option<Outcome> {
        ALL.into_iter().find(|o| o.code() == code)
    }

    /// Its code.
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Accepted => "ACCEPTED",
            Outcome::Duplicate => "DUPLICATE",
            Outcome::SecretMismatch => "SECRET_MISMATCH",
            Outcome::IpNotAllowed => "IP_NOT_ALLOWED",
            Outcome::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Outcome::BadContentType => "BAD_CONTENT_TYPE",
            Outcome::BodyTooLarge => "BODY_TOO_LARGE",
            Outcome::MalformedJson => "MALFORMED_JSON",
            Outcome::SchemaViolation => "SCHEMA_VIOLATION",
            Outcome::SeenStoreFailed => "SEEN_STORE_FAILED",
            Outcome::Internal => "INTERNAL",
        }
    }

    /// What the handler answers.
    pub fn answer(self) -> Answer {
        let refusal = |status| Answer {
            status,
            code: Some(self.code()),
            ack: None,
            allow: None,
        };
        match self {
            Outcome::Accepted => Answer {
                status: 202,
                code: None,
                ack: Some(r#"{"accepted":true}"#),
                allow: None,
            },
            Outcome::Duplicate => Answer {
                status: 200,
                code: None,
                ack: Some(r#"{"duplicate":true}"#),
                allow: None,
            },
            // A caller without the secret learns nothing, not even that the route exists.
            Outcome::SecretMismatch => Answer {
                status: 404,
                code: None,
                ack: None,
                allow: None,
            },
            Outcome::IpNotAllowed => refusal(403),
            Outcome::MethodNotAllowed => Answer {
                allow: Some(ALLOWED_METHOD),
                ..refusal(405)
            },
            Outcome::BadContentType => refusal(415),
            Outcome::BodyTooLarge => refusal(413),
            Outcome::MalformedJson | Outcome::SchemaViolation => refusal(400),
            // Not acknowledged: the platform delivers again.
            Outcome::SeenStoreFailed | Outcome::Internal => refusal(500),
        }
    }
}

/// Decides before the body is read. `header_finding` is the code the verifier gives for the
/// request with an empty body (its checks run in the order secret, address, content type, then
/// the body's); `declared_length` the `Content-Length` header. The order: secret, address,
/// method, content type, declared size. `None`: read the body (at most `max_body_bytes`).
pub fn before_body(
    method: &str,
    header_finding: Option<&str>,
    declared_length: Option<&str>,
    max_body_bytes: usize,
) -> Option<Outcome> {
    let finding = header_finding.and_then(Outcome::from_code);
    if let Some(o @ (Outcome::SecretMismatch | Outcome::IpNotAllowed)) = finding {
        return Some(o);
    }
    if method != ALLOWED_METHOD {
        return Some(Outcome::MethodNotAllowed);
    }
    if header_finding == Some(Outcome::BadContentType.code()) {
        return Some(Outcome::BadContentType);
    }
    let declared = declared_length.and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body_bytes as u64) {
        return Some(Outcome::BodyTooLarge);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_secret_address_method_type_size() {
        let b = |m, f, l| before_body(m, f, l, 100);
        assert_eq!(
            b("GET", Some("SECRET_MISMATCH"), None),
            Some(Outcome::SecretMismatch)
        );
        assert_eq!(
            b("GET", Some("IP_NOT_ALLOWED"), None),
            Some(Outcome::IpNotAllowed)
        );
        for m in ["GET", "PUT", "DELETE", "HEAD", "post"] {
            assert_eq!(
                b(m, Some("MALFORMED_JSON"), None),
                Some(Outcome::MethodNotAllowed)
            );
            assert_eq!(
                b(m, Some("BAD_CONTENT_TYPE"), Some("9999")),
                Some(Outcome::MethodNotAllowed)
            );
        }
        assert_eq!(
            b("POST", Some("BAD_CONTENT_TYPE"), Some("9999")),
            Some(Outcome::BadContentType)
        );
        assert_eq!(
            b("POST", Some("MALFORMED_JSON"), Some("101")),
            Some(Outcome::BodyTooLarge)
        );
        assert_eq!(b("POST", Some("MALFORMED_JSON"), Some("100")), None);
        assert_eq!(b("POST", None, Some("nonsense")), None);
        assert_eq!(b("POST", None, None), None);
    }

    #[test]
    fn answers() {
        let a = Outcome::MethodNotAllowed.answer();
        assert_eq!(
            (a.status, a.allow, a.code),
            (405, Some("POST"), Some("METHOD_NOT_ALLOWED"))
        );
        assert_eq!(Outcome::SecretMismatch.answer().code, None);
        assert_eq!(Outcome::Accepted.answer().status, 202);
        assert_eq!(Outcome::Duplicate.answer().status, 200);
        assert_eq!(Outcome::SeenStoreFailed.answer().status, 500);
        for o in ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
            // Only acknowledgements are taken as delivered.
            let acked = matches!(o, Outcome::Accepted | Outcome::Duplicate);
            assert_eq!(platform_accepts(o.answer().status), acked, "{o:?}");
        }
        assert_eq!(Outcome::from_code("NOPE"), None);
    }

    #[test]
    fn platform_policy() {
        assert!(!platform_accepts(199) && platform_accepts(200) && platform_accepts(302));
        assert!(!platform_accepts(399) && !platform_accepts(500));
        let waits: Vec<u64> = (1..=PLATFORM_ATTEMPTS).map(platform_backoff_ms).collect();
        assert_eq!(waits, [0, 100, 200, 400]);
    }
}
