#![cfg(not(target_arch = "wasm32"))]
//! Shared helpers of the native integration tests: a simulator per test, a real HTTP transport
//! (reqwest) for the SDK's client, and small wrappers around the simulator's `/_sim/` control API.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flexperto_sdk::api::ApiResponse;
use flexperto_sdk::config::Target;
use flexperto_sdk::transport::{Outgoing, Transport, TransportFailure};
use flexperto_sdk::{Client, ClientConfig};
use flexperto_sim::SimConfig;
use serde_json::Value;
use tokio::task::JoinHandle;

/// Starts a fresh simulator on an ephemeral loopback port. Returns its base URL and the task
/// serving it (dropped with the test's runtime).
pub async fn start_sim() -> (String, JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(flexperto_sim::serve(
        listener,
        SimConfig {
            seed: None,
            ..Default::default()
        },
    ));
    (format!("http://127.0.0.1:{port}"), handle)
}

/// Like [`start_sim`] with a configuration of the test's choice (e.g. `allow_http_loopback`).
pub async fn start_sim_with(config: SimConfig) -> (String, JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = tokio::spawn(flexperto_sim::serve(listener, config));
    (format!("http://127.0.0.1:{port}"), handle)
}

/// A plain HTTP client for the control API and raw requests.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A raw answer: status and body parsed as JSON (`Value::Null` when the body is empty or not JSON).
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub content_type: Option<String>,
    pub text: String,
    pub json: Value,
}

/// Asserts that `r` is one of the simulator's JSON error answers: `status`, and a body with that
/// `status`, the `code` and a `message`.
pub fn assert_error(r: &Raw, status: u16, code: &str) {
    assert_error_for(r, status, code, "");
}

/// [`assert_error`], naming what was asked (`context`) when it fails.
pub fn assert_error_for(r: &Raw, status: u16, code: &str, context: &str) {
    let t = &r.text;
    assert_eq!(r.status, status, "{context}: {t}");
    assert_eq!(
        r.content_type.as_deref(),
        Some("application/json"),
        "{context}: {t}"
    );
    assert_eq!(r.json["status"], status, "{context}: {t}");
    assert_eq!(r.json["code"], code, "{context}: {t}");
    assert!(r.json["message"].is_string(), "{context}: {t}");
}

async fn raw(resp: reqwest::Response) -> Raw {
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Raw {
        status,
        content_type,
        text,
        json,
    }
}

/// Sends `method url` with an optional `api-key` and an optional raw body.
pub async fn request(method: &str, url: &str, key: Option<&str>, body: Option<&str>) -> Raw {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = http().request(m, url).header("accept", "application/json");
    if let Some(k) = key {
        rb = rb.header("api-key", k);
    }
    if let Some(b) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(b.to_owned());
    }
    raw(rb.send().await.unwrap()).await
}

/// `POST {base}{path}` with a JSON body, no key (the control API needs none).
pub async fn post_json(base: &str, path: &str, body: &Value) -> Raw {
    request(
        "POST",
        &format!("{base}{path}"),
        None,
        Some(&body.to_string()),
    )
    .await
}

/// `GET {base}{path}`, no key.
pub async fn get(base: &str, path: &str) -> Raw {
    request("GET", &format!("{base}{path}"), None, None).await
}

/// `DELETE {base}{path}` (clearing faults or the request log), expecting 204.
pub async fn delete(base: &str, path: &str) {
    let r = request("DELETE", &format!("{base}{path}"), None, None).await;
    assert_eq!(r.status, 204, "DELETE {path}: {}", r.text);
}

/// A key for a new account of `role` (`admin`, `expert` or `customer`) from `POST /_sim/api-keys`.
pub async fn admin_key(base: &str, role: &str) -> String {
    let r = post_json(base, "/_sim/api-keys", &serde_json::json!({ "role": role })).await;
    assert_eq!(r.status, 201, "/_sim/api-keys: {}", r.text);
    r.json["apiKey"].as_str().unwrap().to_owned()
}

/// Adds a fault (`POST /_sim/faults`).
pub async fn add_fault(base: &str, fault: Value) {
    let r = post_json(base, "/_sim/faults", &fault).await;
    assert_eq!(r.status, 201, "/_sim/faults: {}", r.text);
}

/// The request log (`GET /_sim/requests`), API requests only (control requests left out).
pub async fn api_requests(base: &str) -> Vec<Value> {
    let r = get(base, "/_sim/requests").await;
    assert_eq!(r.status, 200, "/_sim/requests: {}", r.text);
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| !e["path"].as_str().unwrap().starts_with("/_sim/"))
        .cloned()
        .collect()
}

/// The logged API requests with this method and path, as `(status, query)`.
pub async fn requests_to(base: &str, method: &str, path: &str) -> Vec<(u16, Option<String>)> {
    api_requests(base)
        .await
        .into_iter()
        .filter(|e| e["method"] == method && e["path"] == path)
        .map(|e| {
            (
                e["status"].as_u64().unwrap() as u16,
                e["query"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// The recorded mails (`GET /_sim/mails`).
pub async fn mails(base: &str) -> Vec<Value> {
    let r = get(base, "/_sim/mails").await;
    assert_eq!(r.status, 200, "/_sim/mails: {}", r.text);
    r.json["items"].as_array().unwrap().clone()
}

/// Advances the simulator clock (`POST /_sim/clock/advance`).
pub async fn advance_clock(base: &str, seconds: i64) {
    let r = post_json(
        base,
        "/_sim/clock/advance",
        &serde_json::json!({ "seconds": seconds }),
    )
    .await;
    assert_eq!(r.status, 200, "/_sim/clock/advance: {}", r.text);
}

/// The SDK's transport over reqwest: never follows redirects, applies the per-request timeout to
/// the whole exchange, and reports connection failures without the URL.
#[derive(Debug)]
pub struct ReqwestTransport {
    http: reqwest::Client,
    rng: Cell<u64>,
}

impl Default for ReqwestTransport {
    fn default() -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Self {
            http: http(),
            rng: Cell::new(seed | 1),
        }
    }
}

fn failure(e: reqwest::Error) -> TransportFailure {
    if e.is_timeout() {
        return TransportFailure::Timeout;
    }
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    TransportFailure::Failed(text)
}

impl Transport for ReqwestTransport {
    async fn send(&self, out: Outgoing<'_>) -> Result<ApiResponse, TransportFailure> {
        let url = format!("{}{}", out.base_url, out.request.path_and_query);
        let method = reqwest::Method::from_bytes(out.request.method.as_str().as_bytes())
            .map_err(|e| TransportFailure::Failed(e.to_string()))?;
        let mut rb = self
            .http
            .request(method, url)
            .header("accept", "application/json")
            .header("api-key", out.api_key);
        if let Some(body) = &out.request.body {
            rb = rb
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let exchange = async {
            let resp = rb.send().await.map_err(failure)?;
            let header = |name: &str| {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let status = resp.status().as_u16();
            let retry_after = header("retry-after");
            let content_type = header("content-type");
            let location = header("location");
            let body = resp.bytes().await.map_err(failure)?.to_vec();
            Ok(ApiResponse {
                status,
                retry_after,
                content_type,
                location,
                body,
            })
        };
        match tokio::time::timeout(Duration::from_millis(u64::from(out.timeout_ms)), exchange).await
        {
            Ok(r) => r,
            Err(_) => Err(TransportFailure::Timeout),
        }
    }

    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    fn now_ms(&self) -> f64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    }

    fn random(&self) -> f64 {
        // xorshift64; the top 53 bits as a fraction in [0, 1).
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A client for the simulator at `base` with `key` and the default configuration.
pub fn client(base: &str, key: &str) -> Client<ReqwestTransport> {
    client_with(base, key, |_| {})
}

/// A client whose configuration `tune` may change first (timeout, retries, routes).
pub fn client_with(
    base: &str,
    key: &str,
    tune: impl FnOnce(&mut ClientConfig),
) -> Client<ReqwestTransport> {
    let mut config = ClientConfig::new(Target::BaseUrl(base), key).unwrap();
    tune(&mut config);
    Client::new(config, ReqwestTransport::default())
}
