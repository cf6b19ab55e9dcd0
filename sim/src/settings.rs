//! `GET` and `PATCH /api/v2/platform/settings`: the tenant's recording and archiving switches.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::Value;

use crate::auth::Caller;
use crate::state::{Settings, Shared};
use crate::{admin_json_object, error, json_response};

/// This resource's API routes (the router and `api_routes` are made from them).
pub(crate) fn api() -> Vec<crate::ApiRoute> {
    use crate::api_route;
    vec![
        api_route("GET", "/api/v2/platform/settings", get),
        api_route("PATCH", "/api/v2/platform/settings", patch),
    ]
}

fn settings_json(s: &Settings) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// `GET /api/v2/platform/settings`
pub async fn get(State(sim): State<Shared>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let s = sim.lock().settings;
    json_response(StatusCode::OK, &settings_json(&s))
}

/// `PATCH /api/v2/platform/settings`: any of the three switches; others are ignored.
pub async fn patch(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let fields = match admin_json_object(&caller, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut change = [None; 3];
    let names = [
        "enableAutomaticRecording",
        "enableRecordingVerbalConsent",
        "enableAutomaticArchivingOfConferences",
    ];
    for (slot, k) in change.iter_mut().zip(names) {
        match fields.get(k) {
            None => {}
            Some(Value::Bool(b)) => *slot = Some(*b),
            Some(_) => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "UNPROCESSABLE",
                    format!("{k} must be a boolean"),
                )
            }
        }
    }
    let mut g = sim.lock();
    let mut s = g.settings;
    let [rec, consent, archive] = change;
    s.automatic_recording = rec.unwrap_or(s.automatic_recording);
    s.recording_verbal_consent = consent.unwrap_or(s.recording_verbal_consent);
    s.automatic_archiving = archive.unwrap_or(s.automatic_archiving);
    if s.automatic_recording && s.recording_verbal_consent {
        drop(g);
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "RECORDING_MODES_EXCLUSIVE",
            "enableAutomaticRecording and enableRecordingVerbalConsent cannot both be on",
        );
    }
    g.settings = s;
    drop(g);
    json_response(StatusCode::OK, &settings_json(&s))
}
