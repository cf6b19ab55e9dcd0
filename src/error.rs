//! Error enums, one per concern, each with a stable `code` that JavaScript can branch on.
//!
//! No message built here ever contains the API key: the key is never passed to a constructor, and
//! bodies echoed by a server are scrubbed by the client before they reach an [`ApiError`].

use thiserror::Error;

pub use flexperto_webhook::{error_codes, WebhookErrorCode};

error_codes! {
    /// Codes of {@link ConfigError}: raised by the constructor, before any request.
    pub enum ConfigErrorCode {
        InvalidTenant => "INVALID_TENANT",
        InvalidEnvironment => "INVALID_ENVIRONMENT",
        InvalidBaseUrl => "INVALID_BASE_URL",
        InsecureBaseUrl => "INSECURE_BASE_URL",
        MissingTarget => "MISSING_TARGET",
        InvalidApiKey => "INVALID_API_KEY",
        InvalidRoute => "INVALID_ROUTE",
        InvalidOption => "INVALID_OPTION",
    }
}

error_codes! {
    /// Codes of {@link ValidationError}: bad input to a method, before any request.
    pub enum ValidationErrorCode {
        InvalidEmail => "INVALID_EMAIL",
        InvalidId => "INVALID_ID",
        InvalidArgument => "INVALID_ARGUMENT",
        RecordingModesExclusive => "RECORDING_MODES_EXCLUSIVE",
    }
}

error_codes! {
    /// Codes of {@link ApiError}: derived from the HTTP status, or INVALID_RESPONSE for a body the
    /// SDK cannot accept.
    pub enum ApiErrorCode {
        BadRequest => "BAD_REQUEST",
        Unauthorized => "UNAUTHORIZED",
        Forbidden => "FORBIDDEN",
        NotFound => "NOT_FOUND",
        Conflict => "CONFLICT",
        Gone => "GONE",
        PayloadTooLarge => "PAYLOAD_TOO_LARGE",
        Unprocessable => "UNPROCESSABLE",
        RateLimited => "RATE_LIMITED",
        ServerError => "SERVER_ERROR",
        HttpError => "HTTP_ERROR",
        InvalidResponse => "INVALID_RESPONSE",
    }
}

error_codes! {
    /// Codes of {@link NetworkError}: no HTTP answer.
    pub enum NetworkErrorCode {
        Timeout => "TIMEOUT",
        Network => "NETWORK",
    }
}

error_codes! {
    /// Codes of {@link ArchiveError}.
    pub enum ArchiveErrorCode {
        InvalidChecksum => "INVALID_CHECKSUM",
        ChecksumMismatch => "CHECKSUM_MISMATCH",
        CorruptZip => "CORRUPT_ZIP",
        Truncated => "TRUNCATED",
        /// Internal: the zip reader asks for more of the file's tail; never reaches JavaScript.
        #[cfg_attr(target_arch = "wasm32", serde(skip))]
        TailTooShort => "TAIL_TOO_SHORT",
        UnsupportedZip => "UNSUPPORTED_ZIP",
        UnsupportedCompression => "UNSUPPORTED_COMPRESSION",
        LimitExceeded => "LIMIT_EXCEEDED",
        EntryTooLarge => "ENTRY_TOO_LARGE",
        CrcMismatch => "CRC_MISMATCH",
        InvalidContent => "INVALID_CONTENT",
    }
}

error_codes! {
    /// The code of {@link AbortError}.
    pub enum AbortErrorCode {
        Aborted => "ABORTED",
    }
}

error_codes! {
    /// The code of {@link SpecError}.
    pub enum SpecErrorCode {
        InvalidSpec => "INVALID_SPEC",
    }
}

/// A configuration error: raised before any request is sent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// The tenant is empty or contains something other than lowercase letters, digits and hyphens.
    #[error("invalid tenant: {0}")]
    InvalidTenant(String),
    /// The environment is neither `test` nor `live`.
    #[error("invalid environment {0:?}: expected \"test\" or \"live\"")]
    InvalidEnvironment(String),
    /// The base URL cannot be parsed or carries parts a base URL must not have.
    #[error("invalid baseUrl: {0}")]
    InvalidBaseUrl(String),
    /// The base URL is `http://` to a host that is not loopback.
    #[error(
        "insecure baseUrl: https is required except on loopback (127.0.0.0/8, ::1, localhost)"
    )]
    InsecureBaseUrl,
    /// Neither a tenant nor a base URL was given, or both were.
    #[error("{0}")]
    MissingTarget(String),
    /// The API key is not a well-formed JWT. The key itself is never part of the message.
    #[error("invalid apiKey: {0}")]
    InvalidApiKey(String),
    /// A route override is malformed or names an unknown operation.
    #[error("invalid route override: {0}")]
    InvalidRoute(String),
    /// An option has the wrong type or is unknown.
    #[error("invalid option: {0}")]
    InvalidOption(String),
}

impl ConfigError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        use ConfigErrorCode as C;
        match self {
            Self::InvalidTenant(_) => C::InvalidTenant,
            Self::InvalidEnvironment(_) => C::InvalidEnvironment,
            Self::InvalidBaseUrl(_) => C::InvalidBaseUrl,
            Self::InsecureBaseUrl => C::InsecureBaseUrl,
            Self::MissingTarget(_) => C::MissingTarget,
            Self::InvalidApiKey(_) => C::InvalidApiKey,
            Self::InvalidRoute(_) => C::InvalidRoute,
            Self::InvalidOption(_) => C::InvalidOption,
        }
        .as_str()
    }
}

/// Bad input to a method: raised before any request is sent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    /// An e-mail address is not well formed. The address itself is not repeated (it is personal
    /// data, and error messages end up in logs).
    #[error("{field}: not a well-formed e-mail address")]
    InvalidEmail {
        /// The field that holds it, e.g. `email`.
        field: String,
    },
    /// A path parameter (an id) is empty, `.` or `..`, or too long.
    #[error("invalid {name}: {reason}")]
    InvalidId {
        /// The parameter's name, e.g. `userId`.
        name: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// `enableAutomaticRecording` and `enableRecordingVerbalConsent` would both be on.
    #[error("enableAutomaticRecording and enableRecordingVerbalConsent are mutually exclusive: turn one off")]
    RecordingModesExclusive,
    /// A required field is missing or has the wrong type.
    #[error("invalid argument {field}: {reason}")]
    InvalidArgument {
        /// The field's path, e.g. `limit`.
        field: String,
        /// Why it was refused.
        reason: String,
    },
}

impl ValidationError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        use ValidationErrorCode as C;
        match self {
            Self::InvalidEmail { .. } => C::InvalidEmail,
            Self::InvalidId { .. } => C::InvalidId,
            Self::InvalidArgument { .. } => C::InvalidArgument,
            Self::RecordingModesExclusive => C::RecordingModesExclusive,
        }
        .as_str()
    }
}

/// The API answered with an error status, or with a body the SDK cannot accept.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{message}")]
pub struct ApiError {
    /// The HTTP status (0 is never used here; see [`NetworkError`]).
    pub status: u16,
    /// The stable code, derived from the status or the failure.
    pub code: &'static str,
    /// A human-readable message (from the server's error body when it has one), scrubbed of the key.
    pub message: String,
    /// The operation that failed, e.g. `listUsers`.
    pub operation: &'static str,
    /// The parsed error body, when the server sent JSON (scrubbed of the key).
    pub body: Option<serde_json::Value>,
    /// Milliseconds the server asked to wait (429/503 `Retry-After`), when given.
    pub retry_after_ms: Option<u64>,
}

impl ApiError {
    /// The code for an HTTP error status.
    pub fn code_for_status(status: u16) -> &'static str {
        use ApiErrorCode as C;
        match status {
            400 => C::BadRequest,
            401 => C::Unauthorized,
            403 => C::Forbidden,
            404 => C::NotFound,
            409 => C::Conflict,
            410 => C::Gone,
            413 => C::PayloadTooLarge,
            422 => C::Unprocessable,
            429 => C::RateLimited,
            500..=599 => C::ServerError,
            _ => C::HttpError,
        }
        .as_str()
    }

    /// Whether this is the answer of a conflict (HTTP 409).
    pub fn is_conflict(&self) -> bool {
        self.status == 409
    }

    /// Whether the answer says the route is not served here: 404 or 405 without an error body,
    /// as a server answers a path or method it does not know (the tenant may serve the operation
    /// at another path; `checkSpec` says where).
    pub fn route_not_served(&self) -> bool {
        matches!(self.status, 404 | 405) && self.body.is_none()
    }
}

/// The request never got an HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NetworkError {
    /// No answer within the configured timeout.
    #[error("{operation}: no response within {timeout_ms} ms")]
    Timeout {
        /// The operation that timed out.
        operation: &'static str,
        /// The timeout that elapsed.
        timeout_ms: u32,
    },
    /// The connection failed (refused, reset, DNS, TLS, CORS in a browser).
    #[error("{operation}: network error: {message}")]
    Failed {
        /// The operation that failed.
        operation: &'static str,
        /// What the platform said, without URLs that could carry secrets.
        message: String,
    },
}

impl NetworkError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        use NetworkErrorCode as C;
        match self {
            Self::Timeout { .. } => C::Timeout,
            Self::Failed { .. } => C::Network,
        }
        .as_str()
    }
}

pub use flexperto_webhook::WebhookError;

/// Any error the SDK returns.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// See [`ConfigError`].
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// See [`ValidationError`].
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// See [`ApiError`].
    #[error(transparent)]
    Api(#[from] ApiError),
    /// See [`NetworkError`].
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// See [`WebhookError`].
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    /// See [`ArchiveError`].
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The caller's signal aborted the call (JS name `AbortError`, code `ABORTED`); no retry
    /// follows an abort.
    #[error("{operation}: aborted by the caller's signal")]
    Aborted {
        /// The operation that was aborted.
        operation: &'static str,
    },
    /// See [`crate::drift::SpecError`].
    #[error(transparent)]
    Spec(#[from] crate::drift::SpecError),
}

impl Error {
    /// The JavaScript `name` of this error.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Config(_) => "ConfigError",
            Self::Validation(_) => "ValidationError",
            Self::Api(_) => "ApiError",
            Self::Network(_) => "NetworkError",
            Self::Webhook(_) => "WebhookError",
            Self::Archive(_) => "ArchiveError",
            Self::Aborted { .. } => "AbortError",
            Self::Spec(_) => "SpecError",
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(e) => e.code(),
            Self::Validation(e) => e.code(),
            Self::Api(e) => e.code,
            Self::Network(e) => e.code(),
            Self::Webhook(e) => e.code(),
            Self::Archive(e) => e.code(),
            Self::Aborted { .. } => AbortErrorCode::Aborted.as_str(),
            Self::Spec(e) => e.code(),
        }
    }

    /// The HTTP status, for API errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(e) => Some(e.status),
            _ => None,
        }
    }
}

/// An archive file, or a checksum meant for one, that the SDK refuses. Raised by the pure code in
/// [`crate::archive`]; never a panic, whatever the bytes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArchiveError {
    /// The expected checksum is not 64 hexadecimal characters.
    #[error("invalid sha256 checksum: {0}")]
    InvalidChecksum(String),
    /// The bytes hashed do not have the expected SHA-256.
    #[error("sha256 mismatch: expected {expected}, got {actual}")]
    ChecksumMismatch {
        /// The expected digest, lowercase hex.
        expected: String,
        /// The digest of the bytes, lowercase hex.
        actual: String,
    },
    /// The bytes are not a well-formed zip (a bad signature, a count or size that does not add up).
    #[error("corrupt zip: {0}")]
    CorruptZip(String),
    /// A structure ends before its declared length: the file (or the part of it given) is cut short.
    #[error("truncated zip: {0}")]
    Truncated(String),
    /// The tail given to [`crate::archive::zip::locate_eocd`] does not reach the zip64 record:
    /// read the last `needed` bytes of the file and call again.
    #[error("the zip64 end record lies outside the tail given: read the last {needed} bytes")]
    TailTooShort {
        /// How many bytes from the end of the file the tail must cover.
        needed: u64,
    },
    /// The zip uses a feature this reader does not handle (split archives, encryption).
    #[error("unsupported zip: {0}")]
    UnsupportedZip(&'static str),
    /// An entry's compression method is neither stored (0) nor deflate (8).
    #[error("unsupported compression method {0}")]
    UnsupportedCompression(u16),
    /// A central directory larger than the reader accepts (entries or bytes).
    #[error("{what} {value} exceeds the limit of {limit}")]
    LimitExceeded {
        /// What is too large: `entries` or `central directory bytes`.
        what: &'static str,
        /// The declared value.
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry would inflate to more than the reader holds in memory.
    #[error("entry of {size} bytes exceeds the in-memory limit of {limit} bytes")]
    EntryTooLarge {
        /// The entry's declared uncompressed size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An entry's data does not match its CRC-32.
    #[error("crc-32 mismatch: expected {expected:08x}, got {actual:08x}")]
    CrcMismatch {
        /// The CRC-32 the central directory declares.
        expected: u32,
        /// The CRC-32 of the inflated data.
        actual: u32,
    },
    /// A JSON entry (`entry`) whose shape is not the expected one at `path`.
    #[error("unexpected content in {entry}: {path}: {reason}")]
    InvalidContent {
        /// The entry's name in the zip.
        entry: String,
        /// Where in the document, e.g. `participants[0].email`; `$` for the whole document.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

impl ArchiveError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        use ArchiveErrorCode as C;
        match self {
            Self::InvalidChecksum(_) => C::InvalidChecksum,
            Self::ChecksumMismatch { .. } => C::ChecksumMismatch,
            Self::CorruptZip(_) => C::CorruptZip,
            Self::Truncated(_) => C::Truncated,
            Self::TailTooShort { .. } => C::TailTooShort,
            Self::UnsupportedZip(_) => C::UnsupportedZip,
            Self::UnsupportedCompression(_) => C::UnsupportedCompression,
            Self::LimitExceeded { .. } => C::LimitExceeded,
            Self::EntryTooLarge { .. } => C::EntryTooLarge,
            Self::CrcMismatch { .. } => C::CrcMismatch,
            Self::InvalidContent { .. } => C::InvalidContent,
        }
        .as_str()
    }
}

/// Whether an I/O error with this `code` (Node's `err.code`, better-sqlite3's `SQLITE_*` code)
/// is the fault of the path it was given (a `ValidationError` on the argument, the error its
/// cause): it does not exist or is not of the right kind, its name is too long or loops, it may
/// not be opened, or it holds something that is not the database. Anything else (no more file
/// handles, a disk error, a busy database, a driver that does not load, an unknown or absent
/// code) is not the caller's argument and goes on as it is. The one home of this rule
/// (`isPathFault` in JavaScript: the archive source, the seen store's log, the SQLite ledger).
#[must_use]
pub fn is_path_fault(code: &str) -> bool {
    matches!(
        code,
        "ENOENT"
            | "ENOTDIR"
            | "EISDIR"
            | "ENAMETOOLONG"
            | "EACCES"
            | "EPERM"
            | "ELOOP"
            | "EROFS"
            | "SQLITE_NOTADB"
    ) || code.starts_with("SQLITE_CANTOPEN")
}

#[cfg(test)]
mod tests {
    use super::{is_path_fault, ApiError};

    #[test]
    fn a_route_not_served_is_404_or_405_without_a_body() {
        let answer = |status, body: Option<serde_json::Value>| ApiError {
            status,
            code: ApiError::code_for_status(status),
            message: String::new(),
            operation: "listUsers",
            body,
            retry_after_ms: None,
        };
        assert!(answer(404, None).route_not_served());
        assert!(answer(405, None).route_not_served());
        let body = Some(serde_json::json!({ "code": "NOT_FOUND" }));
        assert!(!answer(404, body).route_not_served());
        for status in [400, 403, 409, 410, 500] {
            assert!(!answer(status, None).route_not_served(), "{status}");
        }
    }

    #[test]
    fn a_path_fault_is_the_paths_own_and_nothing_else() {
        for code in [
            "ENOENT",
            "ENOTDIR",
            "EISDIR",
            "ENAMETOOLONG",
            "EACCES",
            "ELOOP",
            "SQLITE_CANTOPEN",
            "SQLITE_CANTOPEN_ISDIR",
            "SQLITE_NOTADB",
        ] {
            assert!(is_path_fault(code), "{code}");
        }
        for code in [
            "EMFILE",
            "ENFILE",
            "EIO",
            "ENOSPC",
            "SQLITE_BUSY",
            "SQLITE_IOERR",
            "ERR_DLOPEN_FAILED",
            "MODULE_NOT_FOUND",
            "",
            "enoent",
        ] {
            assert!(!is_path_fault(code), "{code}");
        }
    }
}
