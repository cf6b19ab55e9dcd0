#![cfg(not(target_arch = "wasm32"))]
//! The simulator's webhooks: subscriptions, reports, and real deliveries to a small HTTP receiver
//! that runs inside the test. Every test starts its own simulator (with `allow_http_loopback`)
//! and its own receiver, so they run in parallel; the slowest waits for one 3 s timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{admin_key, assert_error, get, post_json, request, start_sim_with, Raw};
use flexperto_sim::SimConfig;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SUBS: &str = "/api/v2/communication/subscriptions/subscriptions";
const REGISTER: &str = "/api/v2/communication/subscriptions/subscriptions/webhook";
const TOPIC: &str = "archive.available";

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 receiver. Its behaviour depends on the first path segment and on how many
// requests that path has had before:
//   /ok/...        200
//   /flaky         500, 500, then 200
//   /late          500, 500, 500, then 200
//   /fail          always 500
//   /redirect      302 to /followed
//   /followed      200 (must never be hit)
//   /slow-first    the first request waits 4 s, then 200; later ones 200 at once
//   /slow          waits 200 ms, then 204
//   /hang          waits 1 s, then 200

#[derive(Debug, Clone)]
struct Hit {
    method: String,
    path: String,
    content_type: Option<String>,
    body: Vec<u8>,
    at: Instant,
}

impl Hit {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone)]
struct Receiver {
    base: String,
    hits: Arc<Mutex<Vec<Hit>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let r = Receiver {
            base,
            hits: Arc::default(),
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
        };
        let rr = r.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let rr = rr.clone();
                tokio::spawn(async move { rr.serve(stream).await });
            }
        });
        r
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    fn hits_to(&self, prefix: &str) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.path.starts_with(prefix))
            .collect()
    }

    async fn serve(&self, mut stream: TcpStream) {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or("").split(' ');
        let method = request_line.next().unwrap_or("").to_owned();
        let path = request_line.next().unwrap_or("").to_owned();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < head_end + len {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let before = {
            let mut hits = self.hits.lock().unwrap();
            let before = hits.iter().filter(|h| h.path == path).count();
            hits.push(Hit {
                method,
                path: path.clone(),
                content_type: headers.get("content-type").cloned(),
                body: buf[head_end..head_end + len].to_vec(),
                at: Instant::now(),
            });
            before
        };
        let first = path.split('/').nth(1).unwrap_or("");
        let (delay_ms, status, extra) = match first {
            "flaky" if before < 2 => (0, 500, String::new()),
            "late" if before < 3 => (0, 500, String::new()),
            "fail" => (0, 500, String::new()),
            "redirect" => (0, 302, format!("location: {}/followed\r\n", self.base)),
            "slow-first" if before == 0 => (4000, 200, String::new()),
            "slow" => (200, 204, String::new()),
            "hang" => (1000, 200, String::new()),
            _ => (0, 200, String::new()),
        };
        if delay_ms > 0 {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        }
        let answer = format!(
            "HTTP/1.1 {status} Whatever\r\ncontent-length: 0\r\nconnection: close\r\n{extra}\r\n"
        );
        // Out of flight before the answer leaves: the simulator may start its next delivery as
        // soon as it has the answer, possibly before this task runs again.
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

async fn sim() -> String {
    let (base, _handle) = start_sim_with(SimConfig {
        allow_http_loopback: true,
        ..Default::default()
    })
    .await;
    base
}

async fn call(base: &str, method: &str, path: &str, key: &str, body: Option<&Value>) -> Raw {
    let text = body.map(Value::to_string);
    request(method, &format!("{base}{path}"), Some(key), text.as_deref()).await
}

async fn register_raw(base: &str, key: &str, topic: &str, url: &str) -> Raw {
    call(
        base,
        "POST",
        REGISTER,
        key,
        Some(&json!({ "topic": topic, "url": url })),
    )
    .await
}

/// Registers `url` for `archive.available` and returns the subscription id.
async fn register(base: &str, key: &str, url: &str) -> String {
    let r = register_raw(base, key, TOPIC, url).await;
    assert_eq!(r.status, 201, "{url}: {}", r.text);
    r.json["id"].as_str().unwrap().to_owned()
}

async fn emit(base: &str, body: Value) -> Value {
    let r = post_json(base, "/_sim/webhooks/emit", &body).await;
    assert_eq!(r.status, 202, "{}", r.text);
    r.json
}

fn ids_of(emitted: &Value) -> Vec<String> {
    emitted["notificationIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn stats(base: &str) -> Value {
    let r = get(base, "/_sim/webhooks/stats").await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// Polls the stats until no delivery is pending (at most 10 s) and returns them.
async fn settle(base: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = stats(base).await;
        if s["pending"] == 0 {
            return s;
        }
        assert!(Instant::now() < deadline, "deliveries still pending: {s}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn reports(base: &str, key: &str, sub: &str) -> Vec<Value> {
    let r = call(base, "GET", &format!("{SUBS}/{sub}/reports"), key, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"].as_array().unwrap().clone()
}

fn is_rfc3339_ms(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

/// Checks one report's shape and returns it.
fn check_report<'a>(r: &'a Value, sub: &str) -> &'a Value {
    assert!(r["id"].as_str().unwrap().starts_with("rpt_"), "{r}");
    assert_eq!(r["subscriptionId"], sub, "{r}");
    assert!(
        r["notificationId"].as_str().unwrap().starts_with("ntf_"),
        "{r}"
    );
    assert!((1..=4).contains(&r["attempt"].as_u64().unwrap()), "{r}");
    assert!(is_rfc3339_ms(r["attemptedAt"].as_str().unwrap()), "{r}");
    assert!(r["durationMs"].is_u64(), "{r}");
    assert!(r["success"].is_boolean(), "{r}");
    r
}

// ---------------------------------------------------------------------------------------------
// Tests

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delivers_every_notification_at_least_once_with_duplicates_shuffled() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;
    let url = rx.url("/ok/F40mfum7pZC8DtdgGOYSijx26blP0HLs");
    let sub = register(&base, &key, &url).await;
    assert!(sub.starts_with("sub_"), "{sub}");

    let emitted = emit(
        &base,
        json!({ "count": 20, "duplicateRate": 0.5, "shuffle": true }),
    )
    .await;
    let ids = ids_of(&emitted);
    assert_eq!(ids.len(), 20);
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
        20,
        "ids are unique"
    );
    assert_eq!(emitted["deliveries"], 30, "{emitted}");

    let s = settle(&base).await;
    assert_eq!(
        s,
        json!({ "notifications": 20, "deliveries": 30, "attempts": 30, "succeeded": 30,
                "failed": 0, "cancelled": 0, "pending": 0 })
    );
    let hits = rx.hits();
    assert_eq!(hits.len(), 30);
    let mut by_id: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    for h in &hits {
        assert_eq!(h.method, "POST");
        assert_eq!(h.path, "/ok/F40mfum7pZC8DtdgGOYSijx26blP0HLs");
        assert_eq!(h.content_type.as_deref(), Some("application/json"));
        let n = h.json();
        assert_eq!(keys(&n), ["createdAt", "data", "id", "topic"], "{n}");
        assert_eq!(n["topic"], TOPIC);
        assert!(is_rfc3339_ms(n["createdAt"].as_str().unwrap()), "{n}");
        let d = &n["data"];
        assert_eq!(
            keys(d),
            ["archive_id", "archive_subject", "sha256CheckSum", "status"],
            "{n}"
        );
        assert!(d["archive_id"].as_str().unwrap().starts_with("arc_"), "{n}");
        assert!(
            d["archive_subject"]["conference_id"]
                .as_str()
                .unwrap()
                .starts_with("conf_"),
            "{n}"
        );
        assert!(is_sha256_hex(d["sha256CheckSum"].as_str().unwrap()), "{n}");
        assert_eq!(d["status"], "AVAILABLE");
        by_id
            .entry(n["id"].as_str().unwrap().to_owned())
            .or_default()
            .push(h.body.clone());
    }
    for id in &ids {
        assert!(by_id.contains_key(id), "{id} never arrived");
    }
    assert_eq!(by_id.len(), 20, "only emitted ids arrive");
    let twice: Vec<_> = by_id.iter().filter(|(_, b)| b.len() == 2).collect();
    assert_eq!(twice.len(), 10, "half of the notifications arrive twice");
    for (id, bodies) in &twice {
        assert_eq!(bodies[0], bodies[1], "{id}: a duplicate has the same body");
    }
    assert!(by_id.values().all(|b| b.len() <= 2));

    let reps = reports(&base, &key, &sub).await;
    assert_eq!(reps.len(), 30);
    for r in &reps {
        check_report(r, &sub);
        assert_eq!(r["attempt"], 1);
        assert_eq!(r["statusCode"], 200);
        assert_eq!(r["success"], true);
        assert!(r.get("error").is_none(), "{r}");
    }
}

#[tokio::test]
async fn order_shuffle_and_data_patch() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;
    register(&base, &key, &rx.url("/ok/order")).await;

    // One at a time, in creation order.
    let ids = ids_of(&emit(&base, json!({ "count": 20, "concurrency": 1 })).await);
    settle(&base).await;
    let arrived: Vec<String> = rx
        .hits()
        .iter()
        .map(|h| h.json()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(arrived, ids);

    // One at a time, shuffled (the chance that 20 shuffle into creation order is 1 in 20!).
    let rx2 = Receiver::start().await;
    register(&base, &key, &rx2.url("/ok/shuffled")).await;
    let ids = ids_of(
        &emit(
            &base,
            json!({ "count": 20, "concurrency": 1, "shuffle": true }),
        )
        .await,
    );
    settle(&base).await;
    let arrived: Vec<String> = rx2
        .hits()
        .iter()
        .map(|h| h.json()["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(arrived.len(), 20);
    assert_ne!(arrived, ids);
    let mut sorted = arrived.clone();
    sorted.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(sorted, expected);

    // `data` is a merge patch over every notification's data.
    let rx3 = Receiver::start().await;
    let key2 = admin_key(&base, "admin").await;
    let subs = call(&base, "GET", SUBS, &key2, None).await;
    for s in subs.json["items"].as_array().unwrap() {
        let r = call(
            &base,
            "DELETE",
            &format!("{SUBS}/{}", s["id"].as_str().unwrap()),
            &key2,
            None,
        )
        .await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    register(&base, &key2, &rx3.url("/ok/patched")).await;
    emit(
        &base,
        json!({ "count": 2, "data": { "archive_id": "arc_fixed",
                "archive_subject": { "conference_id": "conf_fixed", "room": 7 },
                "sha256CheckSum": null, "extra": [1, 2] } }),
    )
    .await;
    settle(&base).await;
    let hits = rx3.hits();
    assert_eq!(hits.len(), 2);
    for h in hits {
        let d = h.json()["data"].clone();
        assert_eq!(
            d,
            json!({ "archive_id": "arc_fixed",
                    "archive_subject": { "conference_id": "conf_fixed", "room": 7 },
                    "status": "AVAILABLE", "extra": [1, 2] })
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_with_backoff_and_reports_each_attempt() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;
    let flaky = register(&base, &key, &rx.url("/flaky")).await;
    let fail = register(&base, &key, &rx.url("/fail")).await;
    let tls = register(&base, &key, "https://hooks.example.com/secret").await;
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        register(&base, &key, &format!("http://127.0.0.1:{port}/gone")).await
    };
    let ids = ids_of(&emit(&base, json!({})).await);
    assert_eq!(ids.len(), 1);
    let s = settle(&base).await;
    assert_eq!(
        s,
        json!({ "notifications": 1, "deliveries": 4, "attempts": 15, "succeeded": 1,
                "failed": 3, "cancelled": 0, "pending": 0 })
    );

    // 500, 500, 200: three attempts, newest first.
    let reps = reports(&base, &key, &flaky).await;
    let got: Vec<(u64, u64, bool)> = reps
        .iter()
        .map(|r| {
            check_report(r, &flaky);
            assert_eq!(r["notificationId"], ids[0].as_str());
            (
                r["attempt"].as_u64().unwrap(),
                r["statusCode"].as_u64().unwrap(),
                r["success"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(3, 200, true), (2, 500, false), (1, 500, false)]);
    assert!(reps[0].get("error").is_none());
    assert!(reps[1]["error"].as_str().unwrap().contains("500"));
    // Exponential backoff: >= 100 ms before attempt 2, >= 200 ms before attempt 3.
    let at: Vec<Instant> = rx.hits_to("/flaky").iter().map(|h| h.at).collect();
    assert_eq!(at.len(), 3);
    assert!(at[1] - at[0] >= Duration::from_millis(100), "{at:?}");
    assert!(at[2] - at[1] >= Duration::from_millis(200), "{at:?}");

    // Always 500: four attempts, then given up.
    let reps = reports(&base, &key, &fail).await;
    let attempts: Vec<u64> = reps
        .iter()
        .map(|r| r["attempt"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, [4, 3, 2, 1]);
    assert!(reps
        .iter()
        .all(|r| r["success"] == false && r["statusCode"] == 500));
    let at: Vec<Instant> = rx.hits_to("/fail").iter().map(|h| h.at).collect();
    assert!(at[3] - at[2] >= Duration::from_millis(400), "{at:?}");

    // https: never sent, four failed attempts without a status.
    let reps = reports(&base, &key, &tls).await;
    assert_eq!(reps.len(), 4);
    for r in &reps {
        check_report(r, &tls);
        assert!(r.get("statusCode").is_none(), "{r}");
        assert_eq!(r["success"], false);
        assert_eq!(r["error"], "the simulator does not speak TLS");
    }

    // Connection refused: a network error, no status.
    let reps = reports(&base, &key, &closed).await;
    assert_eq!(reps.len(), 4);
    for r in &reps {
        check_report(r, &closed);
        assert!(r.get("statusCode").is_none(), "{r}");
        assert_eq!(r["success"], false);
        assert!(!r["error"].as_str().unwrap().is_empty(), "{r}");
    }
}

#[tokio::test]
async fn a_redirect_counts_as_success_and_is_not_followed() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;
    let sub = register(&base, &key, &rx.url("/redirect")).await;
    emit(&base, json!({ "count": 2 })).await;
    let s = settle(&base).await;
    assert_eq!(s["succeeded"], 2, "{s}");
    assert_eq!(s["attempts"], 2, "{s}");
    let reps = reports(&base, &key, &sub).await;
    assert_eq!(reps.len(), 2);
    for r in &reps {
        check_report(r, &sub);
        assert_eq!(r["statusCode"], 302);
        assert_eq!(r["success"], true);
        assert_eq!(r["attempt"], 1);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(rx.hits_to("/followed").is_empty());
    assert_eq!(rx.hits().len(), 2);
}

#[tokio::test]
async fn a_slow_receiver_times_out_after_3_s() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;
    let sub = register(&base, &key, &rx.url("/slow-first")).await;
    let started = Instant::now();
    emit(&base, json!({})).await;
    let s = settle(&base).await;
    assert_eq!(s["succeeded"], 1, "{s}");
    assert_eq!(s["attempts"], 2, "{s}");
    assert!(started.elapsed() >= Duration::from_millis(3000));
    let reps = reports(&base, &key, &sub).await;
    assert_eq!(reps.len(), 2);
    let (second, first) = (check_report(&reps[0], &sub), check_report(&reps[1], &sub));
    assert_eq!(first["attempt"], 1);
    assert!(first.get("statusCode").is_none(), "{first}");
    assert_eq!(first["success"], false);
    assert!(
        first["error"].as_str().unwrap().contains("timed out"),
        "{first}"
    );
    let took = first["durationMs"].as_u64().unwrap();
    assert!((2900..5000).contains(&took), "{first}");
    assert_eq!(second["attempt"], 2);
    assert_eq!(second["statusCode"], 200);
    assert_eq!(second["success"], true);
}

#[tokio::test]
async fn registration_rules() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    for url in [
        "http://example.com/hook",
        "http://8.8.8.8/hook",
        "ftp://example.com/hook",
        "/relative/hook",
        "https://10.0.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://127.0.0.1/hook",
        "https://0x7f.0.0.1/hook",
        "https://192.168.0.10/hook",
        "https://[fe80::1]/hook",
        "https://[fd12:3456::1]/hook",
        "https://user:secret@hooks.example.com/hook",
        "https://localhost/hook",
        "http://127.0.0.2:8080/hook",
        "http://[::1]:8080/hook",
    ] {
        let r = register_raw(&base, &key, TOPIC, url).await;
        assert_error(&r, 422, "INVALID_CALLBACK_URL");
        assert!(
            r.json["message"].as_str().unwrap().starts_with("url"),
            "{url}: {}",
            r.text
        );
    }
    let r = register_raw(&base, &key, TOPIC, "https://10.0.0.1/hook").await;
    assert!(
        r.json["message"].as_str().unwrap().contains("10.0.0.0/8"),
        "{}",
        r.text
    );
    let r = register_raw(
        &base,
        &key,
        "meeting.created",
        "https://hooks.example.com/x",
    )
    .await;
    assert_error(&r, 422, "UNKNOWN_TOPIC");
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .contains("meeting.created"));
    for body in [
        json!({ "url": "https://hooks.example.com/x" }),
        json!({ "topic": TOPIC }),
        json!({ "topic": TOPIC, "url": 7 }),
        json!([]),
    ] {
        let r = call(&base, "POST", REGISTER, &key, Some(&body)).await;
        assert_error(&r, 422, "UNPROCESSABLE");
    }
    let r = request(
        "POST",
        &format!("{base}{REGISTER}"),
        Some(&key),
        Some("{not json"),
    )
    .await;
    assert_error(&r, 400, "MALFORMED_JSON");

    // Accepted: public https hosts, and http loopback (this simulator has the flag).
    let mut made = Vec::new();
    for url in [
        "https://hooks.example.com/callbacks/F40mfum7pZC8",
        "https://8.8.8.8:8443/hook",
        "https://[2001:4860:4860::8888]/hook",
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
    ] {
        let r = register_raw(&base, &key, TOPIC, url).await;
        assert_eq!(r.status, 201, "{url}: {}", r.text);
        assert_eq!(
            keys(&r.json),
            ["createdAt", "id", "topic", "url"],
            "{}",
            r.text
        );
        assert_eq!(r.json["topic"], TOPIC);
        assert_eq!(r.json["url"], url);
        assert!(r.json["createdAt"].is_string());
        made.push(r.json.clone());
    }

    // Tenant-scoped: another admin sees and may delete them.
    let other = admin_key(&base, "admin").await;
    let r = call(&base, "GET", SUBS, &other, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json, json!({ "items": made }));
    let first = made[0]["id"].as_str().unwrap();
    let r = call(&base, "DELETE", &format!("{SUBS}/{first}"), &other, None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = call(&base, "DELETE", &format!("{SUBS}/{first}"), &key, None).await;
    assert_error(&r, 404, "NOT_FOUND");
    let r = call(&base, "GET", &format!("{SUBS}/{first}/reports"), &key, None).await;
    assert_error(&r, 404, "NOT_FOUND");
    let r = call(&base, "GET", SUBS, &key, None).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 4);

    // Admin keys only.
    let second = made[1]["id"].as_str().unwrap();
    for role in ["expert", "customer"] {
        let k = admin_key(&base, role).await;
        let body = json!({ "topic": TOPIC, "url": "https://hooks.example.com/x" });
        for (method, path, body) in [
            ("POST", REGISTER.to_owned(), Some(&body)),
            ("GET", SUBS.to_owned(), None),
            ("DELETE", format!("{SUBS}/{second}"), None),
            ("GET", format!("{SUBS}/{second}/reports"), None),
        ] {
            let r = call(&base, method, &path, &k, body).await;
            assert_error(&r, 403, "FORBIDDEN");
        }
    }
    let r = request("GET", &format!("{base}{SUBS}"), None, None).await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let r = call(&base, "GET", SUBS, &key, None).await;
    assert_eq!(r.json["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn without_the_flag_http_loopback_is_refused() {
    let (base, _sim) = start_sim_with(SimConfig::default()).await;
    let key = admin_key(&base, "admin").await;
    let r = register_raw(&base, &key, TOPIC, "http://127.0.0.1:8080/hook").await;
    assert_error(&r, 422, "INVALID_CALLBACK_URL");
    let r = register_raw(&base, &key, TOPIC, "https://hooks.example.com/hook").await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_stops_new_deliveries_but_not_retries_in_flight() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;

    // Deleted before the emit: nothing is scheduled, nothing arrives.
    let sub = register(&base, &key, &rx.url("/ok/deleted")).await;
    let r = call(&base, "DELETE", &format!("{SUBS}/{sub}"), &key, None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let e = emit(&base, json!({ "count": 3 })).await;
    assert_eq!(e["deliveries"], 0, "{e}");
    let s = settle(&base).await;
    assert_eq!(s["notifications"], 3, "{s}");
    assert_eq!(s["attempts"], 0, "{s}");

    // Deleted after the first (failed) attempt: the retries still go out (500, 500, 500, 200).
    let sub = register(&base, &key, &rx.url("/late")).await;
    emit(&base, json!({})).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while rx.hits_to("/late").is_empty() {
        assert!(Instant::now() < deadline, "no first attempt");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let r = call(&base, "DELETE", &format!("{SUBS}/{sub}"), &key, None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let s = settle(&base).await;
    assert_eq!(rx.hits_to("/late").len(), 4);
    assert_eq!(s["succeeded"], 1, "{s}");
    assert_eq!(s["attempts"], 4, "{s}");
    let r = call(&base, "GET", &format!("{SUBS}/{sub}/reports"), &key, None).await;
    assert_error(&r, 404, "NOT_FOUND");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(rx.hits_to("/ok/deleted").is_empty());
}

#[tokio::test]
async fn reports_keep_the_50_latest_newest_first() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;
    let sub = register(&base, &key, &rx.url("/ok/many")).await;
    let ids = ids_of(&emit(&base, json!({ "count": 55, "concurrency": 1 })).await);
    let s = settle(&base).await;
    assert_eq!(s["attempts"], 55, "{s}");
    let reps = reports(&base, &key, &sub).await;
    assert_eq!(reps.len(), 50);
    for (i, r) in reps.iter().enumerate() {
        check_report(r, &sub);
        assert_eq!(r["notificationId"], ids[54 - i].as_str(), "report {i}");
    }
    let times: Vec<&str> = reps
        .iter()
        .map(|r| r["attemptedAt"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrency_bounds_the_deliveries_in_flight() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let narrow = Receiver::start().await;
    let sub = register(&base, &key, &narrow.url("/slow")).await;
    emit(&base, json!({ "count": 6, "concurrency": 2 })).await;
    settle(&base).await;
    assert_eq!(narrow.hits().len(), 6);
    assert_eq!(narrow.max_in_flight.load(Ordering::SeqCst), 2);
    let r = call(&base, "DELETE", &format!("{SUBS}/{sub}"), &key, None).await;
    assert_eq!(r.status, 204);

    let wide = Receiver::start().await;
    register(&base, &key, &wide.url("/slow")).await;
    emit(&base, json!({ "count": 8 })).await;
    settle(&base).await;
    assert_eq!(wide.hits().len(), 8);
    // Concurrency is shown by what the receiver saw in flight, not by a wall-clock bound.
    assert!(wide.max_in_flight.load(Ordering::SeqCst) > 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_forgets_subscriptions_and_ignores_deliveries_in_flight() {
    let base = sim().await;
    let key = admin_key(&base, "admin").await;
    let rx = Receiver::start().await;
    register(&base, &key, &rx.url("/hang")).await;
    emit(&base, json!({ "count": 3 })).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while rx.hits().len() < 3 {
        assert!(Instant::now() < deadline, "deliveries did not start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let r = post_json(&base, "/_sim/reset", &json!({})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let zero = json!({ "notifications": 0, "deliveries": 0, "attempts": 0, "succeeded": 0,
                       "failed": 0, "cancelled": 0, "pending": 0 });
    assert_eq!(stats(&base).await, zero);
    // The answers arrive after the reset and change nothing.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(stats(&base).await, zero);
    let key = admin_key(&base, "admin").await;
    let r = call(&base, "GET", SUBS, &key, None).await;
    assert_eq!(r.json, json!({ "items": [] }));
}

#[tokio::test]
async fn emit_validates_its_request() {
    let base = sim().await;
    for body in [
        json!({ "topic": "meeting.created" }),
        json!({ "count": 0 }),
        json!({ "count": 10001 }),
        json!({ "concurrency": 0 }),
        json!({ "concurrency": 257 }),
        json!({ "duplicateRate": 1.5 }),
        json!({ "duplicateRate": -0.1 }),
        json!({ "data": [1] }),
        json!({ "shuffle": "yes" }),
        json!({ "unknown": 1 }),
    ] {
        let r = post_json(&base, "/_sim/webhooks/emit", &body).await;
        assert_error(&r, 400, "BAD_REQUEST");
    }
    // An empty body is `{}`: one notification, no subscription, no delivery.
    let r = request("POST", &format!("{base}/_sim/webhooks/emit"), None, None).await;
    assert_eq!(r.status, 202, "{}", r.text);
    assert_eq!(r.json["deliveries"], 0);
    assert_eq!(r.json["notificationIds"].as_array().unwrap().len(), 1);
    let s = stats(&base).await;
    assert_eq!(s["notifications"], 1, "{s}");
    assert_eq!(s["pending"], 0, "{s}");
}
