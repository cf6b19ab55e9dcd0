//! Webhooks: the subscription routes (createWebhookSubscription, listWebhookSubscriptions,
//! deleteWebhookSubscription, listWebhookSubscriptionReports), the delivery engine, and the `/_sim/webhooks/`
//! control routes that emit notifications and count deliveries.
//!
//! Delivery follows the guide: a JSON POST per subscription of the topic, success iff
//! `199 < status < 399` within 3 s, redirects never followed, up to 4 attempts with a backoff of
//! 100, 200 and 400 ms, concurrent and unordered. The simulator speaks plain HTTP only: an
//! `https` target is a failed attempt ("the simulator does not speak TLS"). Every attempt is a
//! report of its subscription (the 50 latest are kept) and counts in the global stats.
//!
//! The state lock is never held across an await: each task takes it for a moment to check the
//! generation (bumped by `/_sim/reset`, whose in-flight deliveries are then ignored) and to
//! record an attempt.

use std::collections::VecDeque;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use flexperto_sdk::webhook::flow;
use rand::seq::SliceRandom;
use rand::RngCore;
use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio::sync::Semaphore;

use crate::auth::Caller;
use crate::state::{Inner, Shared, Sim};
use crate::{admin_json_object, error, json_response, no_content, time};

/// This resource's API routes (the router and `api_routes` are made from them).
pub(crate) fn api() -> Vec<crate::ApiRoute> {
    use crate::api_route;
    vec![
        // Registered at VARIANT_WEBHOOK_PATH instead with --spec-variant.
        api_route(
            "POST",
            "/api/v2/communication/subscriptions/subscriptions/webhook",
            create,
        ),
        api_route(
            "GET",
            "/api/v2/communication/subscriptions/subscriptions",
            list,
        ),
        api_route(
            "DELETE",
            "/api/v2/communication/subscriptions/subscriptions/{subscriptionId}",
            delete,
        ),
        api_route(
            "GET",
            "/api/v2/communication/subscriptions/subscriptions/{subscriptionId}/reports",
            reports,
        ),
    ]
}

/// The topics one can subscribe to.
pub const TOPICS: &[&str] = &[ARCHIVE_AVAILABLE];
/// The topic of available archives (inferred; see the contract).
pub const ARCHIVE_AVAILABLE: &str = "archive.available";
/// Reports kept per subscription (the guide's backlog).
pub const MAX_REPORTS: usize = 50;
/// Attempts per delivery (the platform's policy, kept once in the SDK's webhook::flow, which the
/// `flexperto-sdk/testing` deliver() follows too).
pub const MAX_ATTEMPTS: u32 = flow::PLATFORM_ATTEMPTS;
/// The wait before the second attempt; it doubles before each further one.
pub const FIRST_BACKOFF_MS: u64 = flow::PLATFORM_FIRST_BACKOFF_MS;
/// How long a receiver has to answer one attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(flow::PLATFORM_ATTEMPT_TIMEOUT_MS);
/// Subscriptions per tenant (the simulator's own bound).
pub const MAX_SUBSCRIPTIONS: usize = 100;
/// The longest callback URL, in characters (the simulator's own bound).
pub const MAX_URL_CHARS: usize = 2048;
/// The error of every attempt to an `https` target.
pub const NO_TLS: &str = "the simulator does not speak TLS";

/// Bounds of `POST /_sim/webhooks/emit`.
const MAX_EMIT_COUNT: u32 = 10_000;
const MAX_CONCURRENCY: u32 = 256;
const DEFAULT_CONCURRENCY: u32 = 8;

/// One delivery attempt, as `listWebhookSubscriptionReports` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub id: String,
    pub subscription_id: String,
    pub notification_id: String,
    pub attempt: u32,
    pub attempted_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    pub success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A webhook subscription.
#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: String,
    pub topic: String,
    /// The URL as registered (echoed back).
    pub url: String,
    /// The URL as parsed (what deliveries go to).
    pub target: Url,
    pub created_at: String,
    /// The latest attempts, newest first, at most [`MAX_REPORTS`].
    pub reports: VecDeque<Report>,
}

/// The counters of `GET /_sim/webhooks/stats`.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Stats {
    /// Notifications produced (a duplicate is not a new notification).
    pub notifications: u64,
    /// Deliveries scheduled: one per notification (and per duplicate) and subscription.
    pub deliveries: u64,
    /// Attempts made.
    pub attempts: u64,
    /// Deliveries that succeeded (at some attempt).
    pub succeeded: u64,
    /// Deliveries given up after the last attempt.
    pub failed: u64,
    /// Deliveries dropped before their first attempt because their subscription was deleted.
    pub cancelled: u64,
    /// Deliveries not finished yet.
    pub pending: u64,
}

/// Everything webhook-related behind the state lock.
#[derive(Debug, Default)]
pub struct WebhookState {
    /// Creation order.
    pub subscriptions: Vec<Subscription>,
    pub stats: Stats,
    /// Bumped by `/_sim/reset`: tasks of an older generation record nothing.
    pub generation: u64,
}

impl WebhookState {
    /// Forgets subscriptions, reports and counters; deliveries in flight are ignored from now on.
    pub fn reset(&mut self) {
        self.subscriptions.clear();
        self.stats = Stats::default();
        self.generation += 1;
    }
}

/// The HTTP client of deliveries: no redirects, no proxy, 3 s per attempt.
pub fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(ATTEMPT_TIMEOUT)
        .no_proxy()
        .user_agent(concat!(
            "flexperto-sim/",
            env!("CARGO_PKG_VERSION"),
            " webhooks"
        ))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Callback URL rules

/// IANA IPv4 special-purpose blocks (plus multicast), most specific first.
const V4_BLOCKS: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "\"this network\""),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private-use"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "shared address space"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link-local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private-use"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "documentation (TEST-NET-1)",
    ),
    (Ipv4Addr::new(192, 31, 196, 0), 24, "AS112-v4"),
    (Ipv4Addr::new(192, 52, 193, 0), 24, "AMT"),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "deprecated 6to4 relay anycast",
    ),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private-use"),
    (
        Ipv4Addr::new(192, 175, 48, 0),
        24,
        "direct delegation AS112 service",
    ),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "documentation (TEST-NET-2)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "documentation (TEST-NET-3)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(255, 255, 255, 255), 32, "limited broadcast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved"),
];

/// IANA IPv6 special-purpose blocks (plus multicast and the deprecated IPv4-compatible
/// `::/96`), most specific first. IPv4-mapped addresses (`::ffff:0:0/96`) are checked as the
/// IPv4 address they carry before this table is used.
const V6_BLOCKS: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128, "unspecified"),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128, "loopback"),
    (
        Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0),
        96,
        "IPv4-compatible (deprecated)",
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
        96,
        "IPv4-IPv6 translation",
    ),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "local-use IPv4-IPv6 translation",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "discard-only",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation",
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments",
    ),
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16, "6to4"),
    (
        Ipv6Addr::new(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0),
        48,
        "direct delegation AS112 service",
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "unique-local",
    ),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link-local"),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
];

fn v4_block(a: Ipv4Addr) -> Option<(Ipv4Addr, u8, &'static str)> {
    V4_BLOCKS.iter().copied().find(|&(net, len, _)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
        u32::from(a) & mask == u32::from(net) & mask
    })
}

fn v6_block(a: Ipv6Addr) -> Option<(Ipv6Addr, u8, &'static str)> {
    V6_BLOCKS.iter().copied().find(|&(net, len, _)| {
        let mask = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
        u128::from(a) & mask == u128::from(net) & mask
    })
}

/// Why an IPv4 host is refused, if it is.
fn refuse_v4(shown: &str, a: Ipv4Addr) -> Option<String> {
    v4_block(a).map(|(net, len, name)| {
        format!("url host {shown} is in the IANA special-purpose block {net}/{len} ({name})")
    })
}

/// Checks a callback URL against the registration rules. `Err` says which rule it breaks.
///
/// Rules: at most [`MAX_URL_CHARS`] characters; an absolute URL; no user information; scheme
/// `https` (or, with `allow_http_loopback`, `http` to the host `127.0.0.1` or `localhost`); the
/// host not `localhost` (or below it) and not an IP literal in an IANA special-purpose block,
/// IPv4-mapped IPv6 addresses being checked as the IPv4 address they carry. Other host names are
/// accepted: the simulator does no DNS.
pub fn check_callback_url(raw: &str, allow_http_loopback: bool) -> Result<Url, String> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(format!("url must be at most {MAX_URL_CHARS} characters"));
    }
    let url = Url::parse(raw).map_err(|e| format!("url must be an absolute URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("url must not contain user information (user:password@)".into());
    }
    let host = url.host();
    match url.scheme() {
        "https" => {}
        "http" if allow_http_loopback => {
            let loopback = match &host {
                Some(url::Host::Ipv4(a)) => *a == Ipv4Addr::LOCALHOST,
                Some(url::Host::Domain(d)) => *d == "localhost",
                _ => false,
            };
            if loopback {
                return Ok(url);
            }
            return Err(
                "url must use https (with --allow-http-loopback, http is accepted only \
                 for the hosts 127.0.0.1 and localhost)"
                    .into(),
            );
        }
        other => return Err(format!("url must use https, not {other}")),
    }
    match host {
        None => Err("url must have a host".into()),
        Some(url::Host::Domain(d)) => {
            let d = d.strip_suffix('.').unwrap_or(d);
            if d == "localhost" || d.ends_with(".localhost") {
                Err(format!(
                    "url host {d} always resolves to a loopback address (IANA special-use domain)"
                ))
            } else {
                Ok(url.clone())
            }
        }
        Some(url::Host::Ipv4(a)) => match refuse_v4(&a.to_string(), a) {
            Some(why) => Err(why),
            None => Ok(url.clone()),
        },
        Some(url::Host::Ipv6(a)) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return match v4_block(v4) {
                    Some((net, len, name)) => Err(format!(
                        "url host [{a}] is IPv4-mapped: {v4} is in the IANA special-purpose \
                         block {net}/{len} ({name})"
                    )),
                    None => Ok(url.clone()),
                };
            }
            match v6_block(a) {
                Some((net, len, name)) => Err(format!(
                    "url host [{a}] is in the IANA special-purpose block {net}/{len} ({name})"
                )),
                None => Ok(url.clone()),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The subscription API

fn unprocessable(code: &str, message: impl Into<String>) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, code, message)
}

fn subscription_json(s: &Subscription) -> Value {
    json!({ "id": s.id, "topic": s.topic, "url": s.url, "createdAt": s.created_at })
}

fn no_such_subscription() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such subscription")
}

/// `POST /api/v2/communication/subscriptions/subscriptions/webhook`
pub async fn create(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let fields = match admin_json_object(&caller, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(Value::String(topic)) = fields.get("topic") else {
        return unprocessable("UNPROCESSABLE", "topic is required and must be a string");
    };
    if !TOPICS.contains(&topic.as_str()) {
        return unprocessable(
            "UNKNOWN_TOPIC",
            format!(
                "topic: unknown topic {topic:?} (known: {})",
                TOPICS.join(", ")
            ),
        );
    }
    let Some(Value::String(url)) = fields.get("url") else {
        return unprocessable("UNPROCESSABLE", "url is required and must be a string");
    };
    let target = match check_callback_url(url, sim.config.allow_http_loopback) {
        Ok(t) => t,
        Err(why) => return unprocessable("INVALID_CALLBACK_URL", why),
    };
    let created_at = time::rfc3339(sim.now_secs());
    let mut g = sim.lock();
    if g.webhooks.subscriptions.len() >= MAX_SUBSCRIPTIONS {
        drop(g);
        return unprocessable(
            "UNPROCESSABLE",
            format!("a tenant has at most {MAX_SUBSCRIPTIONS} subscriptions"),
        );
    }
    let sub = Subscription {
        id: g.new_id("sub"),
        topic: topic.clone(),
        url: url.clone(),
        target,
        created_at,
        reports: VecDeque::new(),
    };
    let out = subscription_json(&sub);
    g.webhooks.subscriptions.push(sub);
    drop(g);
    json_response(StatusCode::CREATED, &out)
}

/// `GET /api/v2/communication/subscriptions/subscriptions`: the tenant's, oldest first.
pub async fn list(State(sim): State<Shared>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let items: Vec<Value> = sim
        .lock()
        .webhooks
        .subscriptions
        .iter()
        .map(subscription_json)
        .collect();
    json_response(StatusCode::OK, &json!({ "items": items }))
}

/// `DELETE /api/v2/communication/subscriptions/subscriptions/{subscriptionId}`
pub async fn delete(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let mut g = sim.lock();
    let subs = &mut g.webhooks.subscriptions;
    let Some(i) = subs.iter().position(|s| s.id == id) else {
        drop(g);
        return no_such_subscription();
    };
    subs.remove(i);
    drop(g);
    no_content()
}

/// `GET /api/v2/communication/subscriptions/subscriptions/{subscriptionId}/reports`: the 50
/// latest attempts, newest first.
pub async fn reports(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let g = sim.lock();
    let Some(s) = g.webhooks.subscriptions.iter().find(|s| s.id == id) else {
        drop(g);
        return no_such_subscription();
    };
    let items = serde_json::to_value(&s.reports).unwrap_or_default();
    drop(g);
    json_response(StatusCode::OK, &json!({ "items": items }))
}

// ---------------------------------------------------------------------------------------------
// Notifications and the delivery engine

/// A notification, serialized once: every delivery and duplicate sends the same bytes.
struct Notification {
    id: String,
    body: Bytes,
}

/// What to emit.
struct Plan {
    topic: String,
    count: usize,
    concurrency: usize,
    duplicate_rate: f64,
    shuffle: bool,
    /// A JSON merge patch (RFC 7396) applied to the `data` of every notification.
    data: Option<Map<String, Value>>,
}

/// RFC 7396: objects merge recursively, `null` removes a member, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

fn new_notification(
    g: &mut Inner,
    topic: &str,
    created_at: &str,
    patch: Option<&Map<String, Value>>,
) -> Notification {
    let mut sum = [0u8; 32];
    g.rng.fill_bytes(&mut sum);
    let mut data = json!({
        "archive_id": g.new_id("arc"),
        "archive_subject": { "conference_id": g.new_id("conf") },
        "sha256CheckSum": crate::hex(&sum),
        "status": "AVAILABLE",
    });
    if let Some(p) = patch {
        merge_patch(&mut data, &Value::Object(p.clone()));
    }
    let id = g.new_id("ntf");
    let body = json!({ "id": id, "topic": topic, "createdAt": created_at, "data": data });
    Notification {
        id,
        body: Bytes::from(body.to_string()),
    }
}

/// One delivery: a notification to one subscription, with up to [`MAX_ATTEMPTS`] attempts.
struct Delivery {
    subscription_id: String,
    target: Url,
    notification_id: String,
    body: Bytes,
}

/// Produces the notifications of `plan` and schedules their deliveries in the background.
/// Returns the notification ids (creation order) and the number of deliveries.
fn emit_plan(sim: &Shared, plan: Plan) -> (Vec<String>, u64) {
    let created_at = time::rfc3339_ms(sim.now_ms());
    let mut g = sim.lock();
    let notes: Vec<Notification> = (0..plan.count)
        .map(|_| new_notification(&mut g, &plan.topic, &created_at, plan.data.as_ref()))
        .collect();
    let inner = &mut *g;
    let duplicates = ((plan.duplicate_rate * plan.count as f64).round() as usize).min(plan.count);
    let mut twice = vec![false; plan.count];
    for i in rand::seq::index::sample(&mut inner.rng, plan.count, duplicates) {
        twice[i] = true;
    }
    // Creation order, each duplicate right after its original, unless shuffled.
    let mut order = Vec::with_capacity(plan.count + duplicates);
    for (i, &dup) in twice.iter().enumerate() {
        order.push(i);
        if dup {
            order.push(i);
        }
    }
    if plan.shuffle {
        order.shuffle(&mut inner.rng);
    }
    let w = &mut inner.webhooks;
    let targets: Vec<(String, Url)> = w
        .subscriptions
        .iter()
        .filter(|s| s.topic == plan.topic)
        .map(|s| (s.id.clone(), s.target.clone()))
        .collect();
    let deliveries = (order.len() * targets.len()) as u64;
    w.stats.notifications += plan.count as u64;
    w.stats.deliveries += deliveries;
    w.stats.pending += deliveries;
    let generation = w.generation;
    drop(g);
    let ids = notes.iter().map(|n| n.id.clone()).collect();
    if deliveries > 0 {
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(run_deliveries(
                    sim.clone(),
                    generation,
                    notes,
                    order,
                    targets,
                    plan.concurrency,
                ));
            }
            Err(_) => {
                // Not inside a runtime (never the case for a handler): nothing can be sent.
                let mut g = sim.lock();
                g.webhooks.stats.cancelled += deliveries;
                g.webhooks.stats.pending = g.webhooks.stats.pending.saturating_sub(deliveries);
            }
        }
    }
    (ids, deliveries)
}

fn is_current(sim: &Sim, generation: u64) -> bool {
    sim.lock().webhooks.generation == generation
}

/// Starts the deliveries in `order` (each notification to every target), at most
/// `concurrency` at once.
async fn run_deliveries(
    sim: Shared,
    generation: u64,
    notes: Vec<Notification>,
    order: Vec<usize>,
    targets: Vec<(String, Url)>,
    concurrency: usize,
) {
    let permits = Arc::new(Semaphore::new(concurrency));
    for n in order {
        let Some(note) = notes.get(n) else { continue };
        for (subscription_id, target) in &targets {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            if !is_current(&sim, generation) {
                return;
            }
            let job = Delivery {
                subscription_id: subscription_id.clone(),
                target: target.clone(),
                notification_id: note.id.clone(),
                body: note.body.clone(),
            };
            let sim = sim.clone();
            tokio::spawn(async move {
                deliver(&sim, generation, job).await;
                drop(permit);
            });
        }
    }
}

/// The result of one attempt.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
}

impl Outcome {
    fn success(&self) -> bool {
        self.error.is_none()
    }
}

fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

async fn attempt_once(sim: &Sim, job: &Delivery) -> Outcome {
    let failed = |error: String| Outcome {
        status: None,
        error: Some(error),
    };
    if job.target.scheme() != "http" {
        return failed(NO_TLS.into());
    }
    let client = match &sim.webhook_http {
        Ok(c) => c,
        Err(e) => return failed(e.clone()),
    };
    let sent = client
        .post(job.target.clone())
        .header(header::CONTENT_TYPE, "application/json")
        .body(job.body.clone())
        .send()
        .await;
    match sent {
        Ok(resp) => {
            let status = resp.status().as_u16();
            drop(resp);
            Outcome {
                status: Some(status),
                error: (!flow::platform_accepts(status))
                    .then(|| format!("status {status} is not above 199 and below 399")),
            }
        }
        Err(e) if e.is_timeout() => failed(format!(
            "no answer within {} s (timed out)",
            ATTEMPT_TIMEOUT.as_secs()
        )),
        Err(e) => failed(describe(e)),
    }
}

/// Records an attempt: in the subscription's reports (if it still exists) and the counters.
fn record(
    sim: &Sim,
    generation: u64,
    job: &Delivery,
    attempt: u32,
    at_ms: i64,
    took: u64,
    o: Outcome,
) {
    let mut g = sim.lock();
    if g.webhooks.generation != generation {
        return;
    }
    let success = o.success();
    if g.webhooks
        .subscriptions
        .iter()
        .any(|s| s.id == job.subscription_id)
    {
        let report = Report {
            id: g.new_id("rpt"),
            subscription_id: job.subscription_id.clone(),
            notification_id: job.notification_id.clone(),
            attempt,
            attempted_at: time::rfc3339_ms(at_ms),
            status_code: o.status,
            duration_ms: took,
            success,
            error: o.error,
        };
        if let Some(s) = g
            .webhooks
            .subscriptions
            .iter_mut()
            .find(|s| s.id == job.subscription_id)
        {
            s.reports.push_front(report);
            s.reports.truncate(MAX_REPORTS);
        }
    }
    let stats = &mut g.webhooks.stats;
    stats.attempts += 1;
    if success || attempt >= MAX_ATTEMPTS {
        if success {
            stats.succeeded += 1;
        } else {
            stats.failed += 1;
        }
        stats.pending = stats.pending.saturating_sub(1);
    }
}

/// Runs one delivery to its end: cancelled if its subscription is gone before the first
/// attempt; otherwise attempts (even if the subscription is deleted meanwhile) until one
/// succeeds or [`MAX_ATTEMPTS`] failed.
async fn deliver(sim: &Sim, generation: u64, job: Delivery) {
    {
        let mut g = sim.lock();
        let w = &mut g.webhooks;
        if w.generation != generation {
            return;
        }
        if !w.subscriptions.iter().any(|s| s.id == job.subscription_id) {
            w.stats.cancelled += 1;
            w.stats.pending = w.stats.pending.saturating_sub(1);
            return;
        }
    }
    let mut backoff = FIRST_BACKOFF_MS;
    for attempt in 1..=MAX_ATTEMPTS {
        if attempt > 1 {
            tokio::time::sleep(Duration::from_millis(backoff)).await;
            backoff *= 2;
            if !is_current(sim, generation) {
                return;
            }
        }
        let at_ms = sim.now_ms();
        let started = Instant::now();
        let outcome = attempt_once(sim, &job).await;
        let took = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let success = outcome.success();
        record(sim, generation, &job, attempt, at_ms, took, outcome);
        if success {
            return;
        }
    }
}

/// Emits one `archive.available` notification for an archive that became available, to every
/// subscription of that topic (called by the archive lifecycle task). Returns the notification
/// id.
pub(crate) fn notify_archive_available(
    sim: &Shared,
    archive_id: &str,
    conference_id: &str,
    sha256: &str,
) -> String {
    let data = json!({
        "archive_id": archive_id,
        "archive_subject": { "conference_id": conference_id },
        "sha256CheckSum": sha256,
        "status": "AVAILABLE",
    });
    let (ids, _) = emit_plan(
        sim,
        Plan {
            topic: ARCHIVE_AVAILABLE.into(),
            count: 1,
            concurrency: DEFAULT_CONCURRENCY as usize,
            duplicate_rate: 0.0,
            shuffle: false,
            data: data.as_object().cloned(),
        },
    );
    ids.into_iter().next().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The control routes

pub fn control_routes() -> Router<Shared> {
    Router::new()
        .route("/_sim/webhooks/emit", post(emit))
        .route("/_sim/webhooks/stats", get(stats))
}

fn default_topic() -> String {
    ARCHIVE_AVAILABLE.into()
}

fn default_count() -> u32 {
    1
}

fn default_concurrency() -> u32 {
    DEFAULT_CONCURRENCY
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EmitReq {
    #[serde(default = "default_topic")]
    topic: String,
    #[serde(default = "default_count")]
    count: u32,
    #[serde(default = "default_concurrency")]
    concurrency: u32,
    #[serde(default)]
    duplicate_rate: f64,
    #[serde(default)]
    shuffle: bool,
    #[serde(default)]
    data: Option<Map<String, Value>>,
}

fn bad_request(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

/// `POST /_sim/webhooks/emit`: 202 at once, deliveries run in the background.
async fn emit(State(sim): State<Shared>, b: Bytes) -> Response {
    let req: EmitReq = match crate::control::body(&b) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !TOPICS.contains(&req.topic.as_str()) {
        return bad_request(format!(
            "unknown topic {:?} (known: {})",
            req.topic,
            TOPICS.join(", ")
        ));
    }
    if !(1..=MAX_EMIT_COUNT).contains(&req.count) {
        return bad_request(format!("count must be from 1 to {MAX_EMIT_COUNT}"));
    }
    if !(1..=MAX_CONCURRENCY).contains(&req.concurrency) {
        return bad_request(format!("concurrency must be from 1 to {MAX_CONCURRENCY}"));
    }
    if !(0.0..=1.0).contains(&req.duplicate_rate) {
        return bad_request("duplicateRate must be from 0 to 1");
    }
    let (ids, deliveries) = emit_plan(
        &sim,
        Plan {
            topic: req.topic,
            count: req.count as usize,
            concurrency: req.concurrency as usize,
            duplicate_rate: req.duplicate_rate,
            shuffle: req.shuffle,
            data: req.data,
        },
    );
    json_response(
        StatusCode::ACCEPTED,
        &json!({ "notificationIds": ids, "deliveries": deliveries }),
    )
}

/// `GET /_sim/webhooks/stats`
async fn stats(State(sim): State<Shared>) -> Response {
    let s = sim.lock().webhooks.stats;
    json_response(StatusCode::OK, &serde_json::to_value(s).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::{check_callback_url, merge_patch, NO_TLS};
    use serde_json::json;

    #[test]
    fn accepts_public_https_urls() {
        for ok in [
            "https://hooks.example.com/callbacks/flexperto/F40mfum7pZC8",
            "https://example.com:8443/x?y=1",
            "https://8.8.8.8/x",
            "https://[2001:4860:4860::8888]/x",
            "https://[::ffff:8.8.8.8]/x",
            "https://100.63.255.255/",
            "https://100.128.0.0/",
            "https://172.32.0.1/",
            "https://192.0.1.1/",
            "https://198.20.0.1/",
            "https://223.255.255.255/",
            "https://[2001:200::1]/",
            "https://[2003::1]/",
        ] {
            assert!(check_callback_url(ok, false).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_special_purpose_and_non_https() {
        for (bad, why) in [
            ("http://example.com/x", "https"),
            ("ftp://example.com/x", "https"),
            ("/relative", "absolute"),
            ("example.com/x", "absolute"),
            ("https://user:pw@example.com/x", "user information"),
            ("https://user@example.com/x", "user information"),
            ("https://10.0.0.1/x", "10.0.0.0/8"),
            ("https://127.0.0.1/x", "127.0.0.0/8 (loopback)"),
            ("https://0x7f.1/x", "127.0.0.0/8"),
            ("https://2130706433/x", "127.0.0.0/8"),
            ("https://0.0.0.0/x", "0.0.0.0/8"),
            ("https://100.64.0.1/x", "100.64.0.0/10"),
            ("https://169.254.169.254/latest/meta-data", "169.254.0.0/16"),
            ("https://172.31.255.255/", "172.16.0.0/12"),
            ("https://192.0.0.8/", "192.0.0.0/24"),
            ("https://192.0.2.1/", "192.0.2.0/24"),
            ("https://192.31.196.1/", "192.31.196.0/24"),
            ("https://192.52.193.1/", "192.52.193.0/24"),
            ("https://192.88.99.1/", "192.88.99.0/24"),
            ("https://192.168.1.1/", "192.168.0.0/16"),
            ("https://192.175.48.1/", "192.175.48.0/24"),
            ("https://198.19.255.255/", "198.18.0.0/15"),
            ("https://198.51.100.7/", "198.51.100.0/24"),
            ("https://203.0.113.9/", "203.0.113.0/24"),
            ("https://224.0.0.1/", "multicast"),
            ("https://250.1.1.1/", "240.0.0.0/4"),
            ("https://255.255.255.255/", "255.255.255.255/32"),
            ("https://[::]/", "::/128"),
            ("https://[::1]/", "::1/128 (loopback)"),
            ("https://[::127.0.0.1]/", "::/96"),
            ("https://[::ffff:127.0.0.1]/", "IPv4-mapped: 127.0.0.1"),
            ("https://[::ffff:a9fe:a9fe]/", "169.254.0.0/16"),
            ("https://[64:ff9b::808:808]/", "64:ff9b::/96"),
            ("https://[64:ff9b:1::1]/", "64:ff9b:1::/48"),
            ("https://[100::1]/", "100::/64"),
            ("https://[2001::1]/", "2001::/23"),
            ("https://[2001:db8::1]/", "2001:db8::/32"),
            ("https://[2002::1]/", "2002::/16"),
            ("https://[2620:4f:8000::1]/", "2620:4f:8000::/48"),
            ("https://[fd00::1]/", "fc00::/7"),
            ("https://[fe80::1]/", "fe80::/10"),
            ("https://[ff02::1]/", "ff00::/8"),
            ("https://localhost/x", "loopback"),
            ("https://a.localhost./x", "loopback"),
        ] {
            let err = check_callback_url(bad, false).expect_err(bad);
            assert!(err.contains(why), "{bad}: {err}");
        }
        let long = format!("https://example.com/{}", "a".repeat(2100));
        assert!(check_callback_url(&long, false).is_err());
    }

    #[test]
    fn http_loopback_only_with_the_flag() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost:8080/hook",
            "http://127.0.0.1/hook",
        ] {
            assert!(check_callback_url(url, false).is_err(), "{url}");
            assert!(check_callback_url(url, true).is_ok(), "{url}");
        }
        for url in [
            "http://127.0.0.2:8080/",
            "http://[::1]:8080/",
            "http://example.com/",
            "http://10.0.0.1/",
            "http://u:p@127.0.0.1:8080/",
        ] {
            assert!(check_callback_url(url, true).is_err(), "{url}");
        }
        assert!(check_callback_url("https://10.0.0.1/", true).is_err());
        assert!(!NO_TLS.is_empty());
    }

    #[test]
    fn merge_patch_follows_rfc_7396() {
        let mut v = json!({ "a": 1, "b": { "c": 2, "d": 3 }, "e": 4 });
        merge_patch(
            &mut v,
            &json!({ "a": "x", "b": { "c": null, "f": 5 }, "e": null, "g": [1] }),
        );
        assert_eq!(v, json!({ "a": "x", "b": { "d": 3, "f": 5 }, "g": [1] }));
    }
}
