//! The only code that performs HTTP. [`Transport`] is what the [`crate::Client`] needs from its
//! host: send one request, sleep, tell the time, draw a random number, and (optionally) report
//! requests to hooks and say whether the caller gave up. On `wasm32` the implementation is
//! gloo-net over `fetch` (the same in Node 20 and browsers).
//!
//! The rules every transport follows live here, once: which headers a caller may add
//! ([`CallOptions::new`]), the User-Agent ([`user_agent`]), and what a hook is told
//! ([`RequestEvent`]: never the API key).

#[cfg(all(target_arch = "wasm32", feature = "js-client"))]
pub mod fetch;

use crate::api::{ApiRequest, ApiResponse};
use crate::error::ValidationError;

/// Why a request got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportFailure {
    /// The timeout elapsed first.
    Timeout,
    /// The caller's signal aborted the request.
    Aborted,
    /// The connection failed; the text holds no URL or header value.
    Failed(String),
}

/// A request to send: the built request plus where and how.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// `scheme://host[:port][/prefix]`.
    pub base_url: &'a str,
    /// The request.
    pub request: &'a ApiRequest,
    /// The `api-key` header's value.
    pub api_key: &'a str,
    /// Abort after this many milliseconds.
    pub timeout_ms: u32,
    /// Further headers of this call, checked by [`CallOptions::new`] (lowercase names).
    pub headers: &'a [(String, String)],
    /// The `user-agent` value ([`user_agent`]); a transport sends it where the platform lets it.
    pub user_agent: &'a str,
}

/// What a request hook is told: never the API key, never a header value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestEvent<'a> {
    /// The operation id, e.g. `listUsers`.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The full URL (the key travels in a header, never in the URL).
    pub url: &'a str,
    /// The answer's status (`None` before the answer, and when none came).
    pub status: Option<u16>,
    /// Milliseconds from sending to the answer (0 before it).
    pub duration_ms: f64,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// The answer's `x-request-id`, when the server sent one.
    pub request_id: Option<&'a str>,
    /// Why no answer came: `TIMEOUT`, `NETWORK` or `ABORTED`.
    pub error: Option<&'static str>,
}

/// When a hook is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before each attempt.
    Request,
    /// After each attempt (with the status, or the reason none came).
    Response,
}

/// What the client needs from its host.
#[allow(async_fn_in_trait)] // single-threaded hosts (wasm) only: futures need not be Send
pub trait Transport {
    /// Sends one request (never following redirects) and reads the whole answer.
    async fn send(&self, out: Outgoing<'_>) -> Result<ApiResponse, TransportFailure>;
    /// Waits `ms` milliseconds.
    async fn sleep(&self, ms: u64);
    /// The Unix time in milliseconds.
    fn now_ms(&self) -> f64;
    /// A uniform draw from `[0, 1)`, for jitter.
    fn random(&self) -> f64;
    /// Whether the caller gave up on this call (checked before every attempt: no retry follows).
    fn aborted(&self) -> bool {
        false
    }
    /// Whether hooks are set; when not, the client builds no [`RequestEvent`] at all.
    fn observing(&self) -> bool {
        false
    }
    /// Reports an attempt to the hooks. A hook's failure must not reach the call.
    fn observe(&self, _phase: Phase, _event: &RequestEvent<'_>) {}
    /// The `x-request-id` of the last answer this transport read (only while observing).
    fn last_request_id(&self) -> Option<String> {
        None
    }
}

/// This package's version, as the User-Agent says it.
pub const SDK_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The User-Agent: `flexperto-sdk/<version>`, then the integrating application when given
/// (`name/version (+url)`), the way stripe-node appends its `appInfo`.
pub fn user_agent(app: Option<&crate::config::AppInfo>) -> String {
    let mut ua = ["flexperto-sdk/", SDK_VERSION].concat();
    if let Some(app) = app {
        ua.push(' ');
        ua.push_str(&app.name);
        if let Some(v) = &app.version {
            ua.push('/');
            ua.push_str(v);
        }
        if let Some(u) = &app.url {
            ua.push_str(" (+");
            ua.push_str(u);
            ua.push(')');
        }
    }
    ua
}

/// Headers a caller may not set: the SDK's own.
pub const RESERVED_HEADERS: [&str; 4] = ["api-key", "accept", "content-type", "user-agent"];

/// Per-call settings: a timeout for this call and further headers. (The cancellation signal is
/// the host's: the wasm transport holds it.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Overrides the client's timeout for each attempt of this call.
    pub timeout_ms: Option<u32>,
    /// Further headers, lowercase names, checked.
    pub headers: Vec<(String, String)>,
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl CallOptions {
    /// Checks a call's options: the timeout within the client's range, header names RFC 9110
    /// tokens, values visible ASCII (and spaces), none of [`RESERVED_HEADERS`], at most 32.
    ///
    /// # Errors
    /// [`ValidationError::InvalidArgument`] naming `options.timeoutMs` or `options.headers.<name>`.
    pub fn new(
        timeout_ms: Option<u32>,
        headers: Vec<(String, String)>,
    ) -> Result<Self, ValidationError> {
        let bad = |field: String, reason: &str| ValidationError::InvalidArgument {
            field,
            reason: reason.to_owned(),
        };
        if let Some(t) = timeout_ms {
            crate::config::check_timeout_ms(t)
                .map_err(|_| bad("options.timeoutMs".into(), crate::config::TIMEOUT_RANGE))?;
        }
        if headers.len() > 32 {
            return Err(bad("options.headers".into(), "at most 32 headers"));
        }
        let mut out = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            let lower = name.to_ascii_lowercase();
            let field = || format!("options.headers.{}", truncate(&name));
            if lower.is_empty() || lower.len() > 256 || !lower.bytes().all(is_tchar) {
                return Err(bad(field(), "is not a valid header name"));
            }
            if RESERVED_HEADERS.contains(&lower.as_str()) {
                return Err(bad(field(), "is set by the SDK and cannot be overridden"));
            }
            if value.len() > 8192
                || !value
                    .bytes()
                    .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
            {
                return Err(bad(
                    field(),
                    "value must be visible ASCII, spaces or tabs, at most 8192 bytes",
                ));
            }
            out.push((lower, value));
        }
        Ok(Self {
            timeout_ms,
            headers: out,
        })
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_and_malformed_headers_are_refused() {
        for name in ["api-key", "Accept", "CONTENT-TYPE", "user-agent"] {
            let e = CallOptions::new(None, vec![(name.into(), "x".into())]).unwrap_err();
            assert!(e.to_string().contains("cannot be overridden"), "{name}");
        }
        for (n, v) in [
            ("a b", "x"),
            ("", "x"),
            ("x-a", "line\nbreak"),
            ("x-a", "é"),
        ] {
            assert!(
                CallOptions::new(None, vec![(n.into(), v.into())]).is_err(),
                "{n:?}"
            );
        }
        let ok = CallOptions::new(Some(5), vec![("X-Trace".into(), "abc 1".into())]).unwrap();
        assert_eq!(ok.headers, vec![("x-trace".to_owned(), "abc 1".to_owned())]);
        assert!(CallOptions::new(Some(0), vec![]).is_err());
        assert!(CallOptions::new(Some(600_001), vec![]).is_err());
    }

    #[test]
    fn user_agent_names_the_sdk_and_the_app() {
        assert_eq!(user_agent(None), format!("flexperto-sdk/{SDK_VERSION}"));
        let app = crate::config::AppInfo {
            name: "crm-plugin".into(),
            version: Some("1.2.0".into()),
            url: Some("https://crm.example".into()),
        };
        assert_eq!(
            user_agent(Some(&app)),
            format!("flexperto-sdk/{SDK_VERSION} crm-plugin/1.2.0 (+https://crm.example)")
        );
    }
}
