//! The webhook error type (re-exported by flexperto-sdk).

use thiserror::Error;

/// Declares the codes of one JS error class as an enum: `as_str` gives the code each Rust error
/// carries, and on wasm32 tsify declares the same list as a TypeScript union of string literals,
/// so the codes a TypeScript user branches on are the ones Rust throws.
#[macro_export]
macro_rules! error_codes {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident => $code:literal,)*
    }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
        $(#[$meta])*
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[doc = concat!("`", $code, "`")]
                #[cfg_attr(target_arch = "wasm32", serde(rename = $code))]
                $variant,
            )*
        }

        impl $name {
            /// Every code, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The code as JavaScript sees it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

error_codes! {
    /// Codes of {@link WebhookError}.
    pub enum WebhookErrorCode {
        SecretMismatch => "SECRET_MISMATCH",
        IpNotAllowed => "IP_NOT_ALLOWED",
        BadContentType => "BAD_CONTENT_TYPE",
        BodyTooLarge => "BODY_TOO_LARGE",
        MalformedJson => "MALFORMED_JSON",
        SchemaViolation => "SCHEMA_VIOLATION",
        InvalidConfig => "INVALID_CONFIG",
        /// Callback URL rules (`validateCallbackUrl`).
        InvalidUrl => "INVALID_URL",
        NotHttps => "NOT_HTTPS",
        CredentialsInUrl => "CREDENTIALS_IN_URL",
        SpecialPurposeAddress => "SPECIAL_PURPOSE_ADDRESS",
        LocalHostname => "LOCAL_HOSTNAME",
        NoSecretSegment => "NO_SECRET_SEGMENT",
        UnresolvableHost => "UNRESOLVABLE_HOST",
    }
}

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
        rule: WebhookErrorCode,
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
        use WebhookErrorCode as C;
        match self {
            Self::SecretMismatch => C::SecretMismatch,
            Self::IpNotAllowed(_) => C::IpNotAllowed,
            Self::BadContentType => C::BadContentType,
            Self::BodyTooLarge(_) => C::BodyTooLarge,
            Self::MalformedJson(_) => C::MalformedJson,
            Self::SchemaViolation { .. } => C::SchemaViolation,
            Self::InvalidCallbackUrl { rule, .. } => *rule,
            Self::InvalidConfig(_) => C::InvalidConfig,
        }
        .as_str()
    }
}
