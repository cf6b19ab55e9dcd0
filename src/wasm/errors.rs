//! Rust errors as JavaScript `Error`s with `name`, `code` and, for HTTP, `status` and `body`.

use js_sys::{Reflect, JSON};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ValidationError};

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
            if let Some(ms) = a.retry_after_ms {
                set(&v, "retryAfterMs", &JsValue::from(ms as f64));
            }
        }
        Error::Validation(
            ValidationError::InvalidArgument { field, .. }
            | ValidationError::InvalidEmail { field },
        ) => {
            set(&v, "field", &JsValue::from_str(field));
        }
        Error::Validation(ValidationError::InvalidId { name, .. }) => {
            set(&v, "field", &JsValue::from_str(name));
        }
        Error::Webhook(crate::error::WebhookError::SchemaViolation { path, .. }) => {
            set(&v, "path", &JsValue::from_str(path));
        }
        Error::Webhook(crate::error::WebhookError::InvalidCallbackUrl {
            host: Some(host), ..
        }) => {
            set(&v, "host", &JsValue::from_str(host));
        }
        Error::Archive(crate::error::ArchiveError::ChecksumMismatch { expected, actual }) => {
            set(&v, "expected", &JsValue::from_str(expected));
            set(&v, "actual", &JsValue::from_str(actual));
        }
        Error::Archive(crate::error::ArchiveError::InvalidContent { entry, path, .. }) => {
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
                crate::error::NetworkError::Timeout { operation, .. }
                | crate::error::NetworkError::Failed { operation, .. } => *operation,
            };
            set(&v, "operation", &JsValue::from_str(op));
        }
        _ => {}
    }
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

#[wasm_bindgen(typescript_custom_section)]
const TS_ERRORS: &str = r#"
/** Codes of {@link ConfigError}: raised by the constructor, before any request. */
export type ConfigErrorCode =
  | "INVALID_TENANT" | "INVALID_ENVIRONMENT" | "INVALID_BASE_URL" | "INSECURE_BASE_URL"
  | "MISSING_TARGET" | "INVALID_API_KEY" | "INVALID_ROUTE" | "INVALID_OPTION";
/** Codes of {@link ValidationError}: bad input to a method, before any request. */
export type ValidationErrorCode = "INVALID_EMAIL" | "INVALID_ID" | "INVALID_ARGUMENT" | "RECORDING_MODES_EXCLUSIVE";
/** Codes of {@link ApiError}: derived from the HTTP status, or INVALID_RESPONSE for a body the SDK cannot accept. */
export type ApiErrorCode =
  | "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "GONE"
  | "PAYLOAD_TOO_LARGE" | "UNPROCESSABLE" | "RATE_LIMITED" | "SERVER_ERROR" | "HTTP_ERROR"
  | "INVALID_RESPONSE";
/** Codes of {@link NetworkError}: no HTTP answer. */
export type NetworkErrorCode = "TIMEOUT" | "NETWORK";

/** The configuration is invalid. */
export interface ConfigError extends Error { name: "ConfigError"; code: ConfigErrorCode }
/** An argument is invalid; `field` names it when it is one field. */
export interface ValidationError extends Error { name: "ValidationError"; code: ValidationErrorCode; field?: string }
/** The API answered with an error status (or an unacceptable body). Never contains the API key. */
export interface ApiError extends Error {
  name: "ApiError";
  code: ApiErrorCode;
  /** The HTTP status. */
  status: number;
  /** The operationId that failed, e.g. "listUsers". */
  operation: string;
  /** The server's JSON error body, when it sent one. */
  body?: unknown;
  /** How long the server asked to wait (Retry-After), when it said. */
  retryAfterMs?: number;
}
/** The request got no HTTP answer (timeout, connection failure). */
export interface NetworkError extends Error { name: "NetworkError"; code: NetworkErrorCode; operation: string }
/** The caller's signal aborted the call; no retry followed. */
export interface AbortError extends Error { name: "AbortError"; code: "ABORTED"; operation: string }
/** A document that is not valid OpenAPI 2.0 (checkSpec); `pointer` is where (JSON pointer). */
export interface SpecError extends Error { name: "SpecError"; code: "INVALID_SPEC"; document: "tenant" | "contract"; pointer: string }
/** Any error thrown or rejected by this SDK. Branch on `name` and `code`. */
/** Codes of {@link WebhookError}. */
export type WebhookErrorCode =
  | "SECRET_MISMATCH" | "IP_NOT_ALLOWED" | "BAD_CONTENT_TYPE" | "BODY_TOO_LARGE" | "MALFORMED_JSON"
  | "SCHEMA_VIOLATION" | "INVALID_CONFIG" | "INVALID_URL" | "NOT_HTTPS" | "CREDENTIALS_IN_URL"
  | "SPECIAL_PURPOSE_ADDRESS" | "LOCAL_HOSTNAME" | "NO_SECRET_SEGMENT" | "UNRESOLVABLE_HOST";
/** A refused delivery or callback URL. `path` names the field of a SCHEMA_VIOLATION; `host` the callback URL's host as the WHATWG parser read it. Never contains a secret. */
export interface WebhookError extends Error { name: "WebhookError"; code: WebhookErrorCode; path?: string; host?: string }
export type FlexpertoError = ConfigError | ValidationError | ApiError | NetworkError | WebhookError | ArchiveError | AbortError | SpecError;
"#;
