//! `/api/v2/auth/tokens`: createApiToken, listApiTokens, revokeApiToken (the API-Key Management
//! API). Keys are the same HS256 JWTs as those from `/_sim/api-keys`; both kinds are listed.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};

use crate::auth::{self, Caller, KEY_VALIDITY_SECS};
use crate::state::{KeyRec, Shared};
use crate::{admin_json_object, error, json_response, no_content, time};

/// This resource's API routes (the router and `api_routes` are made from them).
pub(crate) fn api() -> Vec<crate::ApiRoute> {
    use crate::api_route;
    vec![
        api_route("POST", "/api/v2/auth/tokens", create),
        api_route("GET", "/api/v2/auth/tokens", list),
        api_route("DELETE", "/api/v2/auth/tokens/{tokenId}", revoke),
    ]
}

/// The longest `name`, in characters.
pub const MAX_NAME_CHARS: usize = 100;

fn bad(message: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE", message)
}

fn token_json(id: &str, k: &KeyRec) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("id".into(), json!(id));
    o.insert("name".into(), json!(k.name));
    o.insert("userId".into(), json!(k.user_id));
    o.insert("createdAt".into(), json!(time::rfc3339(k.created_at)));
    o.insert("expiresAt".into(), json!(time::rfc3339(k.expires_at)));
    if let Some(r) = k.revoked_at {
        o.insert("revokedAt".into(), json!(time::rfc3339(r)));
    }
    o
}

/// `POST /api/v2/auth/tokens`
pub async fn create(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let fields = match admin_json_object(&caller, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let name = match fields.get("name") {
        Some(Value::String(n)) if (1..=MAX_NAME_CHARS).contains(&n.chars().count()) => n.clone(),
        _ => {
            return bad(&format!(
                "name is required and must be a string of 1 to {MAX_NAME_CHARS} characters"
            ))
        }
    };
    let user_id = match fields.get("userId") {
        None | Some(Value::Null) => caller.user_id.clone(),
        Some(Value::String(u)) => u.clone(),
        Some(_) => return bad("userId must be a string"),
    };
    let now = sim.now_secs();
    let latest = now + KEY_VALIDITY_SECS;
    let expires_at = match fields.get("expiresAt") {
        None | Some(Value::Null) => latest,
        Some(Value::String(s)) => match time::parse_rfc3339(s) {
            Some(t) => t,
            None => return bad("expiresAt must be an RFC 3339 date-time"),
        },
        Some(_) => return bad("expiresAt must be an RFC 3339 date-time"),
    };
    if expires_at <= now {
        return bad("expiresAt must be in the future");
    }
    if expires_at > latest {
        return bad("expiresAt must be at most 2 years ahead (a key is valid for 2 years)");
    }
    let mut g = sim.lock();
    let Some(role) = g.users.get(&user_id).map(|u| u.role.clone()) else {
        drop(g);
        return bad("userId: no account with this id");
    };
    let key_id = g.add_key(&user_id, &role, &name, now, expires_at);
    let mut out = g
        .keys
        .get(&key_id)
        .map(|k| token_json(&key_id, k))
        .unwrap_or_default();
    drop(g);
    let token = auth::issue(&sim, &key_id, &user_id, &role, now, expires_at);
    out.insert("token".into(), Value::String(token));
    json_response(StatusCode::CREATED, &Value::Object(out))
}

/// `GET /api/v2/auth/tokens`: every key, oldest first, never a secret.
pub async fn list(State(sim): State<Shared>, Extension(caller): Extension<Caller>) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let g = sim.lock();
    let mut keys: Vec<(&String, &KeyRec)> = g.keys.iter().collect();
    keys.sort_by_key(|(_, k)| k.seq);
    let items: Vec<Value> = keys
        .into_iter()
        .map(|(id, k)| Value::Object(token_json(id, k)))
        .collect();
    drop(g);
    json_response(StatusCode::OK, &json!({ "items": items }))
}

/// `DELETE /api/v2/auth/tokens/{tokenId}`: revokes; repeating it is harmless.
pub async fn revoke(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(token_id): Path<String>,
) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let now = sim.now_secs();
    let mut g = sim.lock();
    let Some(k) = g.keys.get_mut(&token_id) else {
        drop(g);
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such API key");
    };
    k.revoked_at.get_or_insert(now);
    drop(g);
    no_content()
}
