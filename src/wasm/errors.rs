//! Rust errors as JavaScript `Error`s with `name`, `code` and, for HTTP, `status` and `body`.

use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::error::{
    self as rust, AbortErrorCode, ApiErrorCode, ArchiveErrorCode, ConfigErrorCode, Error,
    NetworkErrorCode, SpecErrorCode, ValidationErrorCode, WebhookErrorCode,
};
use tsify::Tsify;

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Reflect.set on a fresh Error object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Converts an SDK error into a JS `Error` (never containing the API key: see `crate::error`).
pub fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name(e.name());
    let v: JsValue = err.into();
    set(&v, "code", &JsValue::from_str(e.code()));
    match e {
        Error::Api(a) => {
            set(&v, "status", &JsValue::from(a.status));
            set(&v, "operation", &JsValue::from_str(a.operation));
            let body = a
                .body
                .as_ref()
                .and_then(|b| JSON::parse(&b.to_string()).ok())
                .unwrap_or(JsValue::UNDEFINED);
            set(&v, "body", &body);
            set(
                &v,
                "routeNotServed",
                &JsValue::from_bool(a.route_not_served()),
            );
            if let Some(ms) = a.retry_after_ms {
                set(&v, "retryAfterMs", &JsValue::from(ms as f64));
            }
        }
        Error::Validation(
            rust::ValidationError::InvalidArgument { field, .. }
            | rust::ValidationError::InvalidEmail { field },
        ) => {
            set(&v, "field", &JsValue::from_str(field));
        }
        Error::Validation(rust::ValidationError::InvalidId { name, .. }) => {
            set(&v, "field", &JsValue::from_str(name));
        }
        Error::Webhook(rust::WebhookError::SchemaViolation { path, .. }) => {
            set(&v, "path", &JsValue::from_str(path));
        }
        Error::Webhook(rust::WebhookError::InvalidCallbackUrl {
            host: Some(host), ..
        }) => {
            set(&v, "host", &JsValue::from_str(host));
        }
        Error::Archive(rust::ArchiveError::ChecksumMismatch { expected, actual }) => {
            set(&v, "expected", &JsValue::from_str(expected));
            set(&v, "actual", &JsValue::from_str(actual));
        }
        Error::Archive(rust::ArchiveError::InvalidContent { entry, path, .. }) => {
            set(&v, "entry", &JsValue::from_str(entry));
            set(&v, "path", &JsValue::from_str(path));
        }
        Error::Aborted { operation } => {
            set(&v, "operation", &JsValue::from_str(operation));
        }
        Error::Spec(s) => {
            set(&v, "document", &JsValue::from_str(s.document));
            set(&v, "pointer", &JsValue::from_str(&s.pointer));
        }
        Error::Network(n) => {
            let op = match n {
                rust::NetworkError::Timeout { operation, .. }
                | rust::NetworkError::Failed { operation, .. } => *operation,
            };
            set(&v, "operation", &JsValue::from_str(op));
        }
        _ => {}
    }
    v
}

/// What an I/O failure on a path argument throws: a `ValidationError` on `field` (`"{field}:
/// {what}: {the error's message}"`, the error its `cause`) when the error's `code` is the path's
/// fault ([`rust::is_path_fault`]), else `error` itself, unchanged. Internal (the archive source,
/// the seen store's log, the SQLite ledger).
/// @internal
#[wasm_bindgen(js_name = pathError)]
pub fn path_error(field: &str, what: &str, error: JsValue) -> JsValue {
    // Reflect.get throws on a primitive: no code then, and the error goes on as it is.
    let read = |key: &str| {
        Reflect::get(&error, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    };
    if !read("code").is_some_and(|c| rust::is_path_fault(&c)) {
        return error;
    }
    let mut reason = String::from(what);
    reason.push_str(": ");
    reason.push_str(&read("message").unwrap_or_default());
    let v = to_js(&Error::Validation(rust::ValidationError::InvalidArgument {
        field: field.to_owned(),
        reason,
    }));
    set(&v, "cause", &error);
    v
}

const NAMES: [&str; 8] = [
    "ConfigError",
    "ValidationError",
    "ApiError",
    "NetworkError",
    "WebhookError",
    "ArchiveError",
    "AbortError",
    "SpecError",
];

/// Whether `value` is an error thrown by this SDK (a JS `Error` with one of the SDK's names and a
/// string `code`).
#[wasm_bindgen(js_name = isFlexpertoError, unchecked_return_type = "value is FlexpertoError")]
pub fn is_flexperto_error(
    #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
) -> bool {
    if !value.is_instance_of::<js_sys::Error>() {
        return false;
    }
    let name = Reflect::get(&value, &"name".into())
        .ok()
        .and_then(|n| n.as_string());
    let code = Reflect::get(&value, &"code".into()).ok();
    name.is_some_and(|n| NAMES.contains(&n.as_str())) && code.is_some_and(|c| c.is_string())
}

// The TypeScript declarations of the errors `to_js` makes, generated by tsify: the code unions
// are the Rust enums `crate::error::*ErrorCode` that every `code()` answers from.
//
// They sit in this module, not in a submodule of their own: a debug build links only the code
// units that something references, and an unreferenced submodule's declarations were left out.

/// The configuration is invalid.
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
pub struct ConfigError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"ConfigError\"")]
    name: (),
    code: ConfigErrorCode,
}

/// An argument is invalid; `field` names it when it is one field.
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
pub struct ValidationError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"ValidationError\"")]
    name: (),
    code: ValidationErrorCode,
    #[tsify(optional)]
    field: Option<String>,
}

/// The API answered with an error status (or an unacceptable body). Never contains the API key.
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"ApiError\"")]
    name: (),
    code: ApiErrorCode,
    /// The HTTP status.
    status: u16,
    /// The operationId that failed, e.g. "listUsers".
    operation: String,
    /// The server's JSON error body, when it sent one.
    #[tsify(optional, type = "unknown")]
    body: Option<()>,
    /// 404 or 405 without an error body: the tenant does not serve this path or method (it may
    /// serve the operation elsewhere; `checkSpec()` says where).
    route_not_served: bool,
    /// How long the server asked to wait (Retry-After), when it said.
    #[tsify(optional)]
    retry_after_ms: Option<f64>,
}

/// The request got no HTTP answer (timeout, connection failure).
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
pub struct NetworkError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"NetworkError\"")]
    name: (),
    code: NetworkErrorCode,
    operation: String,
}

/// The caller's signal aborted the call; no retry followed.
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
pub struct AbortError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"AbortError\"")]
    name: (),
    code: AbortErrorCode,
    operation: String,
}

/// A document that is not valid OpenAPI 2.0 (checkSpec); `pointer` is where (JSON pointer).
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
pub struct SpecError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"SpecError\"")]
    name: (),
    code: SpecErrorCode,
    #[tsify(type = "\"tenant\" | \"contract\"")]
    document: String,
    pointer: String,
}

/// A refused delivery or callback URL. `path` names the field of a SCHEMA_VIOLATION; `host`
/// the callback URL's host as the WHATWG parser read it. Never contains a secret.
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
pub struct WebhookError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"WebhookError\"")]
    name: (),
    code: WebhookErrorCode,
    #[tsify(optional)]
    path: Option<String>,
    #[tsify(optional)]
    host: Option<String>,
}

/// An archive file, or a checksum meant for one, that the SDK refuses. CHECKSUM_MISMATCH has
/// `expected` and `actual` (lowercase hex); INVALID_CONTENT (a JSON entry of an unexpected
/// shape) has `entry` (its name in the zip) and `path` (the field, e.g.
/// "participants[0].email").
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
pub struct ArchiveError {
    #[serde(flatten)]
    error: js_sys::Error,
    #[tsify(type = "\"ArchiveError\"")]
    name: (),
    code: ArchiveErrorCode,
    #[tsify(optional)]
    expected: Option<String>,
    #[tsify(optional)]
    actual: Option<String>,
    #[tsify(optional)]
    entry: Option<String>,
    #[tsify(optional)]
    path: Option<String>,
}

/// Any error thrown or rejected by this SDK. Branch on `name` and `code`.
#[derive(Tsify)]
#[allow(dead_code)] // declarations only: the errors are JS `Error`s made by `to_js`
#[serde(untagged)]
pub enum FlexpertoError {
    Config(ConfigError),
    Validation(ValidationError),
    Api(ApiError),
    Network(NetworkError),
    Webhook(WebhookError),
    Archive(ArchiveError),
    Abort(AbortError),
    Spec(SpecError),
}
