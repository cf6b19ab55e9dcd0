//! `/_sim/`: the control API that tests and the demo use (keys, reset, clock, faults, logs).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use crate::auth::{self, KEY_VALIDITY_SECS};
use crate::state::{Fault, Shared, UserRec};
use crate::{error, json_response, no_content, time};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/_sim/api-keys", post(create_key))
        .route("/_sim/reset", post(reset))
        .route("/_sim/clock", get(clock))
        .route("/_sim/clock/advance", post(advance))
        .route(
            "/_sim/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route("/_sim/mails", get(mails))
}

pub(crate) fn body<T: for<'de> Deserialize<'de>>(b: &[u8]) -> Result<T, Response> {
    let src = if b.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        b
    };
    serde_json::from_slice(src).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("bad control request: {e}"),
        )
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KeyReq {
    #[serde(default = "admin")]
    role: String,
    expires_in_seconds: Option<i64>,
}

/// The name that the token list shows for keys from `/_sim/api-keys`.
const SIM_KEY_NAME: &str = "sim key";

fn admin() -> String {
    "admin".into()
}

async fn create_key(State(sim): State<Shared>, b: Bytes) -> Response {
    let req: KeyReq = match body(&b) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !["admin", "expert", "customer"].contains(&req.role.as_str()) {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "role must be admin, expert or customer",
        );
    }
    let validity = req
        .expires_in_seconds
        .unwrap_or(KEY_VALIDITY_SECS)
        .clamp(1, KEY_VALIDITY_SECS);
    let now = sim.now_secs();
    let mut g = sim.lock();
    let user_id = g.new_id("usr");
    let email = format!("{}.{}@keys.sim.invalid", req.role, user_id);
    g.users_by_email.insert(email.clone(), user_id.clone());
    g.users.insert(
        user_id.clone(),
        UserRec {
            id: user_id.clone(),
            email,
            role: req.role.clone(),
            first_name: None,
            last_name: None,
            email_confirmed: true,
            created_at: time::rfc3339(now),
            extra: Default::default(),
        },
    );
    let key_id = g.add_key(&user_id, &req.role, SIM_KEY_NAME, now, now + validity);
    drop(g);
    let key = auth::issue(&sim, &key_id, &user_id, &req.role, now, now + validity);
    json_response(
        StatusCode::CREATED,
        &json!({ "apiKey": key, "keyId": key_id, "userId": user_id, "role": req.role, "expiresAt": time::rfc3339(now + validity) }),
    )
}

async fn reset(State(sim): State<Shared>) -> Response {
    sim.reset();
    no_content()
}

fn clock_json(sim: &Shared) -> serde_json::Value {
    let now = sim.now_secs();
    json!({ "now": time::rfc3339(now), "unixSeconds": now, "offsetSeconds": sim.lock().clock_offset_secs })
}

async fn clock(State(sim): State<Shared>) -> Response {
    json_response(StatusCode::OK, &clock_json(&sim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: i64,
}

async fn advance(State(sim): State<Shared>, b: Bytes) -> Response {
    let req: Advance = match body(&b) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !(0..=100 * 365 * 86_400).contains(&req.seconds) {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "seconds must be from 0 to 100 years",
        );
    }
    sim.lock().clock_offset_secs += req.seconds;
    json_response(StatusCode::OK, &clock_json(&sim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FaultReq {
    path: String,
    method: Option<String>,
    status: Option<u16>,
    retry_after_seconds: Option<u64>,
    #[serde(default)]
    delay_ms: u64,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

async fn add_fault(State(sim): State<Shared>, b: Bytes) -> Response {
    let req: FaultReq = match body(&b) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if !req.path.starts_with('/') || req.path.starts_with("/_sim/") {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "path must start with / and not be a /_sim/ route",
        );
    }
    if req.status.is_some_and(|s| !(100..=599).contains(&s))
        || req.count == 0
        || req.delay_ms > 600_000
    {
        return error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "status 100-599, count >= 1, delayMs <= 600000",
        );
    }
    let mut g = sim.lock();
    let id = g.next_seq();
    let fault = Fault {
        id,
        path: req.path,
        method: req.method,
        status: req.status,
        retry_after_seconds: req.retry_after_seconds,
        delay_ms: req.delay_ms,
        count: req.count,
    };
    let out = serde_json::to_value(&fault).unwrap_or_default();
    g.faults.push(fault);
    drop(g);
    json_response(StatusCode::CREATED, &out)
}

async fn list_faults(State(sim): State<Shared>) -> Response {
    let items = serde_json::to_value(&sim.lock().faults).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "items": items }))
}

async fn clear_faults(State(sim): State<Shared>) -> Response {
    sim.lock().faults.clear();
    no_content()
}

async fn requests(State(sim): State<Shared>) -> Response {
    let items = serde_json::to_value(&sim.lock().requests).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "items": items }))
}

async fn clear_requests(State(sim): State<Shared>) -> Response {
    sim.lock().requests.clear();
    no_content()
}

async fn mails(State(sim): State<Shared>) -> Response {
    let items = serde_json::to_value(&sim.lock().mails).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "items": items }))
}
