//! The route table, requests as data ([`ApiRequest`]) and the response helpers shared by every
//! resource. One file of builders and parsers per resource sits beside this one.

pub mod archives;
pub mod meetings;
pub mod settings;
pub mod subscriptions;
pub mod tokens;
pub mod users;

use serde_json::Value;

use crate::error::{ApiError, ConfigError, ValidationError};

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    /// Whether repeating the request has no further effect (RFC 9110 §9.2.2).
    pub fn is_idempotent(self) -> bool {
        matches!(self, Self::Get | Self::Delete)
    }
}

macro_rules! operations {
    ($( $variant:ident => $name:literal, $method:ident, $path:literal; )*) => {
        /// Every operation of the contract (`spec/flexperto-v2.json`), by its `operationId`: the
        /// key of the `routes` option, and the name of the client method it drives.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), derive(tsify::Tsify))]
        #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(rename = "OperationId"))]
        pub enum Operation {
            $(
                #[doc = concat!("`", stringify!($method), " ", $path, "` (`", $name, "`)")]
                #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), serde(rename = $name))]
                $variant,
            )*
        }

        /// `(operation, operationId, method, default path)` for every operation, in contract order.
        pub const ROUTES: &[(Operation, &str, Method, &str)] = &[
            $( (Operation::$variant, $name, Method::$method, $path), )*
        ];
    };
}

// The operations of the contract, `Variant => "operationId", Method, "path";` in contract order,
// written by build.rs from spec/flexperto-v2.json: a new operation in the contract is a new
// `Operation` (and `OperationId` in TypeScript) without an edit here.
include!(concat!(env!("OUT_DIR"), "/operations.rs"));

impl Operation {
    fn index(self) -> usize {
        // ROUTES lists every variant in declaration order.
        self as usize
    }

    /// The `operationId` of this operation.
    pub fn name(self) -> &'static str {
        ROUTES[self.index()].1
    }

    /// The HTTP method.
    pub fn method(self) -> Method {
        ROUTES[self.index()].2
    }

    /// Looks an operation up by its `operationId`.
    pub fn from_name(name: &str) -> Option<Self> {
        ROUTES.iter().find(|r| r.1 == name).map(|r| r.0)
    }
}

/// The path template of every operation: the defaults, with a user's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    paths: Vec<String>,
}

impl Default for RouteTable {
    fn default() -> Self {
        Self {
            paths: ROUTES.iter().map(|r| r.3.to_owned()).collect(),
        }
    }
}

fn placeholders(template: &str) -> Vec<&str> {
    // Sorted as they are inserted: a sort call would compile a sort of &str into the wasm.
    let mut out: Vec<&str> = Vec::new();
    let names = template
        .split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name));
    for name in names {
        let at = out.binary_search(&name).unwrap_or_else(|i| i);
        out.insert(at, name);
    }
    out
}

/// The placeholders an override may use instead of the default's: the older abandon path
/// (`POST /communication/archives/archives/{archiveId}/abandon`, in other versions of the guide)
/// names the archive, where the default names the conference.
fn alternative_placeholders(op: Operation) -> Option<&'static [&'static str]> {
    match op {
        Operation::AbandonArchive => Some(&["archiveId"]),
        _ => None,
    }
}

impl RouteTable {
    /// The path template of an operation.
    pub fn path(&self, op: Operation) -> &str {
        &self.paths[op.index()]
    }

    /// Replaces the path template of the operation named `name` (its `operationId`).
    ///
    /// # Errors
    /// [`ConfigError::InvalidRoute`] for an unknown operation, a path that does not start with `/`,
    /// carries a query, fragment, white space or `..`, or whose `{placeholders}` differ from the
    /// default's (abandonArchive may use `{archiveId}` instead of `{conferenceId}`).
    pub fn set(&mut self, name: &str, template: &str) -> Result<(), ConfigError> {
        let bad = |why: String| ConfigError::InvalidRoute(why);
        let op =
            Operation::from_name(name).ok_or_else(|| bad(format!("unknown operation {name:?}")))?;
        if !template.starts_with('/') || template.starts_with("//") {
            return Err(bad(format!("{name}: path must start with a single /")));
        }
        if template.len() > 512
            || template
                .bytes()
                .any(|b| b <= b' ' || b >= 0x7f || matches!(b, b'?' | b'#' | b'\\'))
        {
            return Err(bad(format!("{name}: path has forbidden characters")));
        }
        if template.split('/').any(is_dot_segment) {
            return Err(bad(format!(
                "{name}: path may not contain . or .. segments (%2e counts as a dot)"
            )));
        }
        let default = ROUTES[op.index()].3;
        let used = placeholders(template);
        if used != placeholders(default) && alternative_placeholders(op) != Some(used.as_slice()) {
            return Err(bad(format!(
                "{name}: path must use the placeholders of {default}"
            )));
        }
        self.paths[op.index()] = template.to_owned();
        Ok(())
    }
}

/// A request as data: what the transport sends, relative to the base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRequest {
    /// The operation, for errors and retries.
    pub operation: Operation,
    /// The method.
    pub method: Method,
    /// The encoded path and query, starting with `/`.
    pub path_and_query: String,
    /// The JSON body, when there is one.
    pub body: Option<String>,
    /// Whether the request may be repeated safely (retries on network errors and 5xx).
    pub idempotent: bool,
}

/// An HTTP answer, as the transport hands it to parsers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiResponse {
    /// The status.
    pub status: u16,
    /// `Retry-After`, when present (the fetch transport reads it on non-2xx answers only).
    pub retry_after: Option<String>,
    /// `Content-Type`, when the transport reads it (the fetch transport does not: no parser needs it).
    pub content_type: Option<String>,
    /// `Location`, when present (the fetch transport reads it on non-2xx answers only).
    pub location: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(HEX[(b >> 4) as usize]));
            out.push(char::from(HEX[(b & 15) as usize]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether a path segment is one a WHATWG URL parser removes or resolves against its parent: a
/// single-dot segment (`.` or `%2e`) or a double-dot one (`..`, `.%2e`, `%2e.`, `%2e%2e`),
/// `%2e` in either case (the URL Standard's "single-dot" and "double-dot URL path segments").
pub(crate) fn is_dot_segment(segment: &str) -> bool {
    let rest = segment.as_bytes();
    let dot = |b: &[u8]| -> Option<usize> {
        if b.first() == Some(&b'.') {
            Some(1)
        } else if b.len() >= 3 && b[0] == b'%' && b[1] == b'2' && b[2].eq_ignore_ascii_case(&b'e') {
            Some(3)
        } else {
            None
        }
    };
    match dot(rest) {
        Some(n) if n == rest.len() => true,
        Some(n) => matches!(dot(&rest[n..]), Some(m) if n + m == rest.len()),
        None => false,
    }
}

/// Checks an id for use as a path parameter.
///
/// # Errors
/// [`ValidationError::InvalidId`] when it is empty, `.` or `..` (URL parsers remove those
/// segments however they are encoded), or longer than 256 bytes.
pub fn check_id(name: &'static str, id: &str) -> Result<(), ValidationError> {
    let reason = if id.is_empty() {
        "must not be empty"
    } else if id == "." || id == ".." {
        "must not be . or .."
    } else if id.len() > 256 {
        "must be at most 256 bytes"
    } else {
        return Ok(());
    };
    Err(ValidationError::InvalidId { name, reason })
}

/// Builds the path of `op` with its parameters substituted (checked and percent-encoded) and the
/// query appended (pairs with `None` values are left out).
///
/// # Errors
/// [`ValidationError::InvalidId`] for a bad path parameter.
pub fn build_path(
    routes: &RouteTable,
    op: Operation,
    params: &[(&'static str, &str)],
    query: &[(&str, Option<String>)],
) -> Result<String, ValidationError> {
    let mut path = routes.path(op).to_owned();
    for (name, value) in params {
        check_id(name, value)?;
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }
    let mut sep = '?';
    for (k, v) in query {
        if let Some(v) = v {
            path.push(sep);
            path.push_str(&encode_segment(k));
            path.push('=');
            path.push_str(&encode_segment(v));
            sep = '&';
        }
    }
    Ok(path)
}

impl ApiRequest {
    /// A request for `op` with the method of the route table and idempotency from the method.
    pub fn new(op: Operation, path_and_query: String, body: Option<String>) -> Self {
        Self {
            operation: op,
            method: op.method(),
            path_and_query,
            body,
            idempotent: op.method().is_idempotent(),
        }
    }
}

/// Parses a success body that must be a JSON object; returns it with its text.
///
/// # Errors
/// `INVALID_RESPONSE` when the body is not a JSON object.
pub fn parse_object(
    op: Operation,
    resp: &ApiResponse,
) -> Result<(serde_json::Map<String, Value>, String), ApiError> {
    let text = std::str::from_utf8(&resp.body)
        .map_err(|_| invalid_response(op, resp.status, "not UTF-8"))?;
    // from_slice, as every JSON read in the wasm: one serde_json reader type compiled, not two.
    match serde_json::from_slice::<Value>(text.as_bytes()) {
        Ok(Value::Object(m)) => Ok((m, text.to_owned())),
        _ => Err(invalid_response(op, resp.status, "expected a JSON object")),
    }
}

/// A required string (or integer id) field of a parsed object.
///
/// # Errors
/// `INVALID_RESPONSE` naming the field.
pub fn required_id(
    op: Operation,
    status: u16,
    obj: &serde_json::Map<String, Value>,
    field: &str,
) -> Result<String, ApiError> {
    match obj.get(field) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
        _ => Err(invalid_response(
            op,
            status,
            format!("missing or invalid {field}"),
        )),
    }
}

/// Turns a non-success answer into an [`ApiError`], reading the server's message when the body is
/// JSON (`message`, `error.message` or `error` as a string). `secret` is scrubbed from everything kept.
pub fn error_from_response(op: Operation, resp: &ApiResponse, secret: &str) -> ApiError {
    let status = resp.status;
    let body: Option<Value> = serde_json::from_slice::<Value>(&resp.body)
        .ok()
        .map(|v| scrub_value(v, secret));
    let server_msg = body.as_ref().and_then(|b| {
        b.get("message")
            .and_then(Value::as_str)
            .or_else(|| {
                b.get("error")
                    .and_then(|e| e.get("message"))
                    .and_then(Value::as_str)
            })
            .or_else(|| b.get("error").and_then(Value::as_str))
            .map(|s| s.chars().take(300).collect::<String>())
    });
    let mut message = format!("{}: HTTP {status}", op.name());
    if let Some(m) = server_msg {
        message.push_str(": ");
        message.push_str(&m);
    }
    ApiError {
        status,
        code: ApiError::code_for_status(status),
        message,
        operation: op.name(),
        body,
        retry_after_ms: None,
    }
}

/// An [`ApiError`] for a success status whose body the SDK cannot accept.
pub fn invalid_response(op: Operation, status: u16, why: impl std::fmt::Display) -> ApiError {
    ApiError {
        status,
        code: crate::error::ApiErrorCode::InvalidResponse.as_str(),
        message: format!("{}: unexpected response body: {why}", op.name()),
        operation: op.name(),
        body: None,
        retry_after_ms: None,
    }
}

/// Replaces every occurrence of `secret` in the strings of `v` (keys too) with `[REDACTED]`.
pub fn scrub_value(v: Value, secret: &str) -> Value {
    if secret.is_empty() {
        return v;
    }
    let scrub = |s: String| {
        if s.contains(secret) {
            s.replace(secret, "[REDACTED]")
        } else {
            s
        }
    };
    match v {
        Value::String(s) => Value::String(scrub(s)),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| scrub_value(x, secret)).collect()),
        Value::Object(o) => {
            // Filled by `insert`, not `collect()`: collecting into serde_json's map (a BTreeMap)
            // sorts a vector of (String, Value) first, a sort compiled for that type alone
            // (measured 2026-11-30, bench/README.md). The same map results: the keys arrive in
            // order, and a later key scrubbed into an earlier one's name replaces it as before.
            let mut out = serde_json::Map::new();
            for (k, x) in o {
                out.insert(scrub(k), scrub_value(x, secret));
            }
            Value::Object(out)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_value_replaces_the_secret_in_keys_and_strings() {
        let v: Value = serde_json::from_str(
            r#"{"a":"x-KEY-y","KEY":["KEY",1,{"b":"KEY"}],"c":null,"[REDACTED]":"later"}"#,
        )
        .unwrap();
        let out = scrub_value(v, "KEY").to_string();
        // "KEY" sorts before "[REDACTED]": the original "[REDACTED]" key comes later and wins.
        assert_eq!(
            out,
            r#"{"[REDACTED]":"later","a":"x-[REDACTED]-y","c":null}"#
        );
        let v: Value = serde_json::from_str(r#"{"k":"KEY","n":{"KEY":"v"}}"#).unwrap();
        assert_eq!(
            scrub_value(v, "KEY").to_string(),
            r#"{"k":"[REDACTED]","n":{"[REDACTED]":"v"}}"#
        );
    }

    #[test]
    fn dot_segments_as_whatwg_reads_them() {
        for seg in [".", "..", "%2e", "%2E", ".%2e", "%2e.", "%2E%2e", "%2e%2E"] {
            assert!(is_dot_segment(seg), "{seg}");
        }
        for seg in [
            "",
            "...",
            "a",
            ".a",
            "%2",
            "%2f",
            "%2e%2e%2e",
            "%2e.a",
            "..%2e",
            "%25",
            "%2ee",
        ] {
            assert!(!is_dot_segment(seg), "{seg}");
        }
        let mut routes = RouteTable::default();
        for path in [
            "/%2e%2e/apiX/users/users",
            "/api/%2E/users/users",
            "/a/.%2e/users/users",
        ] {
            assert!(
                matches!(
                    routes.set("listUsers", path),
                    Err(ConfigError::InvalidRoute(_))
                ),
                "{path}"
            );
        }
        assert!(routes.set("listUsers", "/api/v3/users/users").is_ok());
    }

    #[test]
    fn routes_in_declaration_order() {
        for (i, r) in ROUTES.iter().enumerate() {
            assert_eq!(r.0.index(), i);
            assert_eq!(Operation::from_name(r.1), Some(r.0));
        }
    }

    #[test]
    fn path_params_are_encoded_and_dot_segments_refused() {
        let t = RouteTable::default();
        let p = build_path(&t, Operation::ConfirmEmail, &[("userId", "../x")], &[]).unwrap();
        assert_eq!(p, "/api/v2/users/users/..%2Fx/confirm-email");
        let p = build_path(&t, Operation::ConfirmEmail, &[("userId", "a b?c#d%")], &[]).unwrap();
        assert_eq!(p, "/api/v2/users/users/a%20b%3Fc%23d%25/confirm-email");
        for id in ["", ".", ".."] {
            let e = build_path(&t, Operation::ConfirmEmail, &[("userId", id)], &[]).unwrap_err();
            assert_eq!(e.code(), "INVALID_ID");
        }
    }

    #[test]
    fn query_is_encoded() {
        let t = RouteTable::default();
        let p = build_path(
            &t,
            Operation::ListUsers,
            &[],
            &[
                ("email", Some("a+b@x.de".into())),
                ("role", None),
                ("limit", Some("1".into())),
            ],
        )
        .unwrap();
        assert_eq!(p, "/api/v2/users/users?email=a%2Bb%40x.de&limit=1");
    }

    #[test]
    fn overrides_are_checked() {
        let mut t = RouteTable::default();
        t.set(
            "createWebhookSubscription",
            "/api/v2/communication/notificationssubscriptions/notificationssubscriptions/webhook",
        )
        .unwrap();
        t.set("confirmEmail", "/v3/u/{userId}/confirm").unwrap();
        assert_eq!(t.path(Operation::ConfirmEmail), "/v3/u/{userId}/confirm");
        for (n, p) in [
            ("nope", "/x"),
            ("listUsers", "x"),
            ("listUsers", "//evil.com/x"),
            ("listUsers", "/x?y"),
            ("listUsers", "/a/../b"),
            ("confirmEmail", "/u/{id}/confirm"),
            ("confirmEmail", "/u/confirm"),
        ] {
            assert_eq!(t.set(n, p).unwrap_err().code(), "INVALID_ROUTE", "{n} {p}");
        }
    }

    #[test]
    fn error_bodies_are_read_and_scrubbed() {
        let resp = ApiResponse {
            status: 409,
            body: br#"{"code":"CONFLICT","message":"exists; key SECRET.K.Y echoed"}"#.to_vec(),
            ..Default::default()
        };
        let e = error_from_response(Operation::CreateUser, &resp, "SECRET.K.Y");
        assert_eq!(e.code, "CONFLICT");
        assert!(!e.message.contains("SECRET.K.Y"));
        assert!(e.message.contains("[REDACTED]"));
        assert!(!e.body.unwrap().to_string().contains("SECRET.K.Y"));
        let resp = ApiResponse {
            status: 503,
            body: b"<html>".to_vec(),
            ..Default::default()
        };
        let e = error_from_response(Operation::ListUsers, &resp, "k");
        assert_eq!((e.code, e.body), ("SERVER_ERROR", None));
    }
}
