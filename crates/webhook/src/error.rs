//! The webhook error type (re-exported by flexperto-sdk).

use thiserror::Error;

/// A webhook delivery or a callback URL that the SDK refuses. Messages never contain a secret.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WebhookError {
    /// No path segment matches a configured secret.
    #[error("the path carries no valid secret")]
    SecretMismatch,
    /// The source address is not allowed (or the forwarding chain is shorter than configured).
    #[error("source address not allowed: {0}")]
    IpNotAllowed(String),
    /// The content type is not `application/json`.
    #[error("content type must be application/json")]
    BadContentType,
    /// The body is larger than `maxBodyBytes`.
    #[error("body larger than {0} bytes")]
    BodyTooLarge(usize),
    /// The body is not JSON (or not UTF-8).
    #[error("body is not JSON: {0}")]
    MalformedJson(String),
    /// The payload breaks its topic's schema.
    #[error("{path}: {reason}")]
    SchemaViolation {
        /// JSON path of the field, e.g. `data.archive_id`.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A callback URL breaks a rule.
    #[error("callback URL refused ({rule}): {reason}")]
    InvalidCallbackUrl {
        /// The rule's code: `INVALID_URL`, `NOT_HTTPS`, `CREDENTIALS_IN_URL`,
        /// `SPECIAL_PURPOSE_ADDRESS`, `LOCAL_HOSTNAME`, `NO_SECRET_SEGMENT` or
        /// `UNRESOLVABLE_HOST`.
        rule: &'static str,
        /// Why.
        reason: String,
        /// The host as the WHATWG URL parser serialised it, once the URL parsed.
        host: Option<String>,
    },
    /// The verifier's configuration is invalid.
    #[error("invalid webhook configuration: {0}")]
    InvalidConfig(String),
}

impl WebhookError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SecretMismatch => "SECRET_MISMATCH",
            Self::IpNotAllowed(_) => "IP_NOT_ALLOWED",
            Self::BadContentType => "BAD_CONTENT_TYPE",
            Self::BodyTooLarge(_) => "BODY_TOO_LARGE",
            Self::MalformedJson(_) => "MALFORMED_JSON",
            Self::SchemaViolation { .. } => "SCHEMA_VIOLATION",
            Self::InvalidCallbackUrl { rule, .. } => rule,
            Self::InvalidConfig(_) => "INVALID_CONFIG",
        }
    }
}
