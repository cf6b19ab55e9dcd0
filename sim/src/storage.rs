//! The storage origin: a second listener, like object storage, that serves archive files at
//! signed, expiring URLs; plus its `/_sim/storage` control routes (on the API listener).
//!
//! A file URL is `/archives/{archiveId}.zip?expires={unix seconds}&signature={hex}` where the
//! signature is HMAC-SHA256(simulator secret, `"flexperto-sim storage\n{archiveId}\n{expires}"`)
//! in lowercase hex. `expires` is on the simulator clock. Bodies are generated as they are sent
//! (see `zipgen`), so a range costs what it is long.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use bytes::BytesMut;
use hmac::{Hmac, Mac};
use http_body::Frame;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::mpsc;

use crate::state::{Shared, Sim};
use crate::zipgen::{ZipImage, CHUNK};
use crate::{error, json_response, no_content};

/// How long a signed URL is valid, in simulated seconds (15 minutes).
pub const URL_VALIDITY_SECS: i64 = 15 * 60;
/// Entries kept in the storage request log.
const MAX_LOG: usize = 2000;

/// One request as the storage origin saw it, with all its headers.
#[derive(Debug, Clone, Serialize)]
pub struct StorageLog {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// `[name, value]` pairs in the order received (values decoded lossily as UTF-8).
    pub headers: Vec<[String; 2]>,
    pub status: u16,
    pub at: i64,
}

/// An injected storage fault.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageFault {
    pub id: u64,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_per_second: Option<u64>,
    /// For kind `status`: the `Retry-After` header to send with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    /// Only requests for this archive's file; `None`: any file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_id: Option<String>,
    /// Requests left; `None`: every request until the faults are cleared.
    pub times: Option<u32>,
}

/// The storage origin's state behind the simulator's lock.
#[derive(Debug, Default)]
pub struct StorageState {
    pub log: VecDeque<StorageLog>,
    pub faults: Vec<StorageFault>,
    /// Signatures of URLs that an `expire` fault made expire early.
    pub expired: std::collections::HashSet<String>,
}

impl StorageState {
    pub fn reset(&mut self) {
        self.log.clear();
        self.faults.clear();
        self.expired.clear();
    }

    /// Takes one use of the first fault whose kind is one of `kinds` and that applies to
    /// `archive_id`.
    fn take(&mut self, kinds: &[&str], archive_id: &str) -> Option<StorageFault> {
        let i = self.faults.iter().position(|f| {
            kinds.contains(&f.kind.as_str())
                && f.archive_id.as_deref().is_none_or(|a| a == archive_id)
        })?;
        let out = self.faults.get(i)?.clone();
        if let Some(f) = self.faults.get_mut(i) {
            if let Some(t) = f.times.as_mut() {
                *t = t.saturating_sub(1);
                if *t == 0 {
                    self.faults.remove(i);
                }
            }
        }
        Some(out)
    }
}

// ---------------------------------------------------------------------------------------------
// Signed URLs

/// The HMAC of the file of `archive_id` signed until `expires`, before it is finalised.
fn mac(sim: &Sim, archive_id: &str, expires: i64) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&sim.secret).ok()?;
    mac.update(format!("flexperto-sim storage\n{archive_id}\n{expires}").as_bytes());
    Some(mac)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The path and query of the file of `archive_id`, signed until `expires`.
pub fn signed_path(sim: &Sim, archive_id: &str, expires: i64) -> String {
    format!(
        "/archives/{archive_id}.zip?expires={expires}&signature={}",
        mac(sim, archive_id, expires)
            .map(|m| crate::hex(&m.finalize().into_bytes()))
            .unwrap_or_default()
    )
}

fn verify(sim: &Sim, archive_id: &str, expires: i64, sig_hex: &str) -> bool {
    let Some(sig) = unhex(sig_hex) else {
        return false;
    };
    mac(sim, archive_id, expires).is_some_and(|m| m.verify_slice(&sig).is_ok())
}

/// `http://host:port` of the storage origin: its bound address, or, when bound to an
/// unspecified address (`0.0.0.0`, `::`), the host name the client used for the API with the
/// storage port.
pub fn origin(sim: &Sim, api_headers: &HeaderMap) -> Option<String> {
    let addr: SocketAddr = *sim.storage_addr.get()?;
    if !addr.ip().is_unspecified() {
        return Some(format!("http://{addr}"));
    }
    let host = api_headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| url::Url::parse(&format!("http://{h}/")).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    Some(format!("http://{host}:{}", addr.port()))
}

// ---------------------------------------------------------------------------------------------
// The storage router

/// The storage origin's routes, over the simulator's state.
pub fn router(sim: Shared) -> Router {
    Router::new()
        .route("/archives/{file}", get(file).head(file).options(preflight))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(sim.clone(), log_and_cors))
        .with_state(sim)
}

async fn not_found() -> Response {
    no_file()
}

fn no_file() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such file")
}

async fn preflight() -> Response {
    crate::preflight("GET, HEAD", "range, if-range")
}

/// Logs every request with all its headers, and adds CORS headers to every answer.
async fn log_and_cors(State(sim): State<Shared>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let headers: Vec<[String; 2]> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            [
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            ]
        })
        .collect();
    let mut resp = next.run(req).await;
    crate::cors(
        &mut resp,
        "content-length, content-range, accept-ranges, etag",
    );
    let entry = StorageLog {
        method,
        path,
        query,
        headers,
        status: resp.status().as_u16(),
        at: sim.now_secs(),
    };
    let mut g = sim.lock();
    if g.storage.log.len() >= MAX_LOG {
        g.storage.log.pop_front();
    }
    g.storage.log.push_back(entry);
    drop(g);
    resp
}

/// What a `Range` header asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum RangeReq {
    /// No usable range (absent, malformed, other unit, several ranges): the whole file.
    Full,
    /// `first..=last`, both within the file.
    Part(u64, u64),
    /// A well-formed range that selects nothing of the file.
    Unsatisfiable,
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses one `bytes=` range against a file of `len` bytes (RFC 9110 §14.1.2).
pub fn parse_range(value: Option<&str>, len: u64) -> RangeReq {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return RangeReq::Full;
    };
    if spec.contains(',') {
        return RangeReq::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeReq::Full;
    };
    match (a.trim(), b.trim()) {
        ("", n) => match digits(n) {
            None => RangeReq::Full,
            Some(0) => RangeReq::Unsatisfiable,
            Some(_) if len == 0 => RangeReq::Unsatisfiable,
            Some(n) => RangeReq::Part(len - n.min(len), len - 1),
        },
        (a, "") => match digits(a) {
            None => RangeReq::Full,
            Some(a) if a >= len => RangeReq::Unsatisfiable,
            Some(a) => RangeReq::Part(a, len - 1),
        },
        (a, b) => match (digits(a), digits(b)) {
            (Some(a), Some(b)) if a <= b => {
                if a >= len {
                    RangeReq::Unsatisfiable
                } else {
                    RangeReq::Part(a, b.min(len - 1))
                }
            }
            _ => RangeReq::Full,
        },
    }
}

fn forbidden(message: &str) -> Response {
    error(StatusCode::FORBIDDEN, "FORBIDDEN", message)
}

/// `GET` and `HEAD /archives/{archiveId}.zip?expires=&signature=`
async fn file(
    State(sim): State<Shared>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let raw = uri
        .path()
        .strip_prefix("/archives/")
        .and_then(|f| f.strip_suffix(".zip"))
        .unwrap_or_default();
    // Archive ids never need percent-encoding: the raw segment is the id.
    let archive_id = raw.to_owned();
    let status_fault = sim.lock().storage.take(&["status"], &archive_id);
    if let Some(f) = status_fault {
        let code = f
            .status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = error(code, "INJECTED_FAULT", "fault injected by the simulator");
        if let Some(v) = f.retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let mut expires = None;
    let mut sig = None;
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "expires" => expires = digits(&v).and_then(|e| i64::try_from(e).ok()),
            "signature" => sig = Some(v.into_owned()),
            _ => {}
        }
    }
    let (Some(expires), Some(sig)) = (expires, sig) else {
        return forbidden("missing or malformed signature");
    };
    if !verify(&sim, &archive_id, expires, &sig) {
        return forbidden("invalid signature");
    }
    let now = sim.now_ms();
    if now.div_euclid(1000) >= expires || sim.lock().storage.expired.contains(&sig) {
        return forbidden("the signed URL has expired");
    }
    let g = sim.lock();
    let Some(rec) = g.archives.get(&archive_id) else {
        drop(g);
        return no_file();
    };
    let status = rec.status(now);
    let image = rec.image.clone();
    let etag = rec.sha256.clone().unwrap_or_default();
    drop(g);
    if status == "EXPIRED" {
        return error(
            StatusCode::GONE,
            "GONE",
            "the archive file has been deleted (EXPIRED)",
        );
    }
    let Some(image) = image.filter(|_| matches!(status, "AVAILABLE" | "ABANDONED")) else {
        return no_file();
    };
    let len = image.len();
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let (code, first, count) = match parse_range(range, len) {
        RangeReq::Full => (StatusCode::OK, 0, len),
        RangeReq::Part(a, b) => (StatusCode::PARTIAL_CONTENT, a, b - a + 1),
        RangeReq::Unsatisfiable => {
            let mut r = error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "RANGE_NOT_SATISFIABLE",
                format!("the file has {len} bytes"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    let mut builder = Response::builder()
        .status(code)
        .header(header::CONTENT_TYPE, "application/zip")
        .header(header::CONTENT_LENGTH, count)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::ETAG, format!("\"{etag}\""))
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{archive_id}.zip\""),
        );
    if code == StatusCode::PARTIAL_CONTENT {
        builder = builder.header(
            header::CONTENT_RANGE,
            format!("bytes {first}-{}/{len}", first + count - 1),
        );
    }
    if method == Method::HEAD || count == 0 {
        return builder.body(Body::empty()).unwrap_or_default();
    }
    let fault = {
        let mut g = sim.lock();
        let f = g
            .storage
            .take(&["truncate", "flip", "slow", "expire"], &archive_id);
        if f.as_ref().is_some_and(|f| f.kind == "expire") {
            // The URL expires while this answer is under way: the rest of it never comes, and
            // resuming with the same URL is refused (403) until a fresh one is asked for.
            g.storage.expired.insert(sig.clone());
        }
        f
    };
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(produce(image, first, count, fault, tx));
    builder
        .body(Body::new(ChannelBody { rx }))
        .unwrap_or_default()
}

/// A body fed by a task through a small channel (the channel bounds what is buffered).
struct ChannelBody {
    rx: mpsc::Receiver<Result<Bytes, io::Error>>,
}

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.rx.poll_recv(cx).map(|o| o.map(|r| r.map(Frame::data)))
    }
}

/// Sends `count` bytes of `image` from `first`, applying a body fault.
async fn produce(
    image: Arc<ZipImage>,
    first: u64,
    count: u64,
    fault: Option<StorageFault>,
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
) {
    let kind = fault.as_ref().map(|f| f.kind.as_str());
    let cut = matches!(kind, Some("truncate" | "expire")).then(|| {
        fault
            .as_ref()
            .and_then(|f| f.after_bytes)
            .unwrap_or(count / 2)
            .min(count.saturating_sub(1))
    });
    let flip = (kind == Some("flip")).then(|| {
        fault
            .as_ref()
            .and_then(|f| f.offset)
            .unwrap_or(image.len() / 2)
    });
    let rate = if kind == Some("slow") {
        fault.as_ref().and_then(|f| f.bytes_per_second)
    } else {
        None
    };
    let chunk = rate.map_or(CHUNK as u64, |b| (b / 10).clamp(1, 64 * 1024));
    let limit = cut.unwrap_or(count);
    let started = tokio::time::Instant::now();
    let mut sent = 0u64;
    // Chunks are split off an 8 MiB buffer: one allocation per 8 chunks.
    let mut spare = BytesMut::new();
    while sent < limit {
        let n = chunk.min(limit - sent);
        let len = usize::try_from(n).unwrap_or(CHUNK);
        if spare.capacity() < len {
            spare = BytesMut::with_capacity(8 * CHUNK);
        }
        spare.resize(len, 0);
        let mut buf = spare.split();
        let at = first + sent;
        image.read_at(at, &mut buf);
        if let Some(k) = flip {
            if (at..at + n).contains(&k) {
                if let Some(b) = usize::try_from(k - at).ok().and_then(|i| buf.get_mut(i)) {
                    *b ^= 0xFF;
                }
            }
        }
        if let Some(bps) = rate {
            let due = Duration::from_secs_f64(sent as f64 / bps.max(1) as f64);
            tokio::time::sleep_until(started + due).await;
        }
        if tx.send(Ok(buf.freeze())).await.is_err() {
            return;
        }
        sent += n;
    }
    if cut.is_some() {
        // Let the server flush what was sent, then break the connection.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = tx
            .send(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection cut by an injected fault",
            )))
            .await;
    }
}

// ---------------------------------------------------------------------------------------------
// Control routes (on the API listener)

pub fn control_routes() -> Router<Shared> {
    Router::new()
        .route("/_sim/storage", get(storage_url))
        .route(
            "/_sim/storage/requests",
            get(list_requests).delete(clear_requests),
        )
        .route(
            "/_sim/storage/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
}

async fn storage_url(State(sim): State<Shared>, headers: HeaderMap) -> Response {
    match origin(&sim, &headers) {
        Some(url) => json_response(StatusCode::OK, &json!({ "url": url })),
        None => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORAGE_UNAVAILABLE",
            "the storage origin is not running (start the simulator with serve())",
        ),
    }
}

async fn list_requests(State(sim): State<Shared>) -> Response {
    let items = serde_json::to_value(&sim.lock().storage.log).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "items": items }))
}

async fn clear_requests(State(sim): State<Shared>) -> Response {
    sim.lock().storage.log.clear();
    no_content()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FaultReq {
    kind: String,
    after_bytes: Option<u64>,
    offset: Option<u64>,
    status: Option<u16>,
    bytes_per_second: Option<u64>,
    retry_after: Option<String>,
    archive_id: Option<String>,
    times: Option<u32>,
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

async fn add_fault(State(sim): State<Shared>, b: Bytes) -> Response {
    let req: FaultReq = match crate::control::body(&b) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let only = |ok: bool, field: &str| -> Result<(), Response> {
        if ok {
            Ok(())
        } else {
            Err(bad_request(&format!(
                "{field} does not go with kind {}",
                req.kind
            )))
        }
    };
    let k = req.kind.as_str();
    let checks = [
        only(
            req.after_bytes.is_none() || k == "truncate" || k == "expire",
            "afterBytes",
        ),
        only(req.offset.is_none() || k == "flip", "offset"),
        only(req.status.is_none() || k == "status", "status"),
        only(req.retry_after.is_none() || k == "status", "retryAfter"),
        only(
            req.bytes_per_second.is_none() || k == "slow",
            "bytesPerSecond",
        ),
    ];
    for c in checks {
        if let Err(r) = c {
            return r;
        }
    }
    match k {
        "truncate" | "flip" | "expire" => {}
        "status" => {
            if !req.status.is_some_and(|s| (400..=599).contains(&s)) {
                return bad_request("kind status needs status from 400 to 599");
            }
        }
        "slow" => {
            if req.bytes_per_second.is_none_or(|b| b < 1) {
                return bad_request("kind slow needs bytesPerSecond of at least 1");
            }
        }
        _ => return bad_request("kind must be truncate, flip, status, slow or expire"),
    }
    if req.times == Some(0) {
        return bad_request("times must be at least 1 (leave it out for every request)");
    }
    let mut g = sim.lock();
    let id = g.next_seq();
    let fault = StorageFault {
        id,
        kind: req.kind,
        after_bytes: req.after_bytes,
        offset: req.offset,
        status: req.status,
        bytes_per_second: req.bytes_per_second,
        retry_after: req.retry_after,
        archive_id: req.archive_id,
        times: req.times,
    };
    let out = serde_json::to_value(&fault).unwrap_or_default();
    g.storage.faults.push(fault);
    drop(g);
    json_response(StatusCode::CREATED, &out)
}

async fn list_faults(State(sim): State<Shared>) -> Response {
    let items = serde_json::to_value(&sim.lock().storage.faults).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "items": items }))
}

async fn clear_faults(State(sim): State<Shared>) -> Response {
    sim.lock().storage.faults.clear();
    no_content()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::{parse_range, unhex, RangeReq};

    #[test]
    fn ranges() {
        use RangeReq::*;
        let r = |v: &str| parse_range(Some(v), 100);
        assert_eq!(parse_range(None, 100), Full);
        assert_eq!(r("bytes=0-9"), Part(0, 9));
        assert_eq!(r("bytes=90-200"), Part(90, 99));
        assert_eq!(r("bytes=10-"), Part(10, 99));
        assert_eq!(r("bytes=-10"), Part(90, 99));
        assert_eq!(r("bytes=-1000"), Part(0, 99));
        assert_eq!(r("bytes=100-"), Unsatisfiable);
        assert_eq!(r("bytes=100-200"), Unsatisfiable);
        assert_eq!(r("bytes=-0"), Unsatisfiable);
        for ignored in [
            "bytes=5-1",
            "bytes=a-b",
            "bytes=+1-2",
            "items=0-1",
            "bytes=0-1,5-6",
            "bytes=",
            "bytes=-",
            "bytes=1",
        ] {
            assert_eq!(r(ignored), Full, "{ignored}");
        }
        assert_eq!(parse_range(Some("bytes=-5"), 0), Unsatisfiable);
        assert_eq!(parse_range(Some("bytes=0-"), 0), Unsatisfiable);
    }

    #[test]
    fn hex() {
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("0G"), None);
        assert_eq!(unhex("FF"), None);
    }
}
