//! The only code that performs HTTP. [`Transport`] is what the [`crate::Client`] needs from its
//! host: send one request, sleep, tell the time, draw a random number. On `wasm32` the
//! implementation is `fetch` (the same in Node 20 and browsers).

#[cfg(all(target_arch = "wasm32", feature = "js-client"))]
pub mod fetch;

use crate::api::{ApiRequest, ApiResponse};

/// Why a request got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportFailure {
    /// The timeout elapsed first.
    Timeout,
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
}
