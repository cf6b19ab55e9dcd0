//! `/api/v2/users/users`: ListUsers, CreateUser, ConfirmEmail.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::state::{Mail, Shared, UserRec};
use crate::{admin_json_object, error, json_response, time};

/// This resource's API routes (the router and `api_routes` are made from them).
pub(crate) fn api() -> Vec<crate::ApiRoute> {
    use crate::api_route;
    vec![
        api_route("GET", "/api/v2/users/users", list),
        api_route("POST", "/api/v2/users/users", create),
        api_route(
            "POST",
            "/api/v2/users/users/{userId}/confirm-email",
            confirm,
        ),
    ]
}

const ROLES: [&str; 3] = ["expert", "customer", "admin"];

/// A deliberately simple address check, like a platform's form validation.
pub(crate) fn valid_email(e: &str) -> bool {
    match e.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

fn bad(message: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE", message)
}

fn user_json(u: &UserRec) -> Value {
    serde_json::to_value(u).unwrap_or(Value::Null)
}

/// `GET /api/v2/users/users?role=&email=&limit=&offset=`
pub async fn list(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let num = |k: &str, default: usize, min: usize, max: usize| -> Result<usize, Response> {
        match q.get(k) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(bad(&format!("{k} must be an integer from {min} to {max}"))),
            },
        }
    };
    let (limit, offset) = match (num("limit", 20, 1, 100), num("offset", 0, 0, usize::MAX)) {
        (Ok(l), Ok(o)) => (l, o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if let Some(role) = q.get("role") {
        if !ROLES.contains(&role.as_str()) {
            return bad("role must be expert, customer or admin");
        }
    }
    let email = q.get("email").map(|e| e.to_lowercase());
    let g = sim.lock();
    let matching: Vec<&UserRec> = g
        .users
        .values()
        .filter(|u| q.get("role").is_none_or(|r| &u.role == r))
        .filter(|u| email.as_ref().is_none_or(|e| &u.email.to_lowercase() == e))
        .collect();
    let items: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|u| user_json(u))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "items": items, "total": matching.len(), "limit": limit, "offset": offset }),
    )
}

/// `POST /api/v2/users/users?supressMails=true|false`
pub async fn create(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let mut fields = match admin_json_object(&caller, &body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Some(Value::String(email)) = fields.remove("email") else {
        return bad("email is required and must be a string");
    };
    if !valid_email(&email) {
        return bad("email is not a valid address");
    }
    let role = match fields.remove("role") {
        None => "expert".to_owned(),
        Some(Value::String(r)) if ROLES.contains(&r.as_str()) => r,
        Some(_) => return bad("role must be expert, customer or admin"),
    };
    let mut name = |k: &str| match fields.remove(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(&format!("{k} must be a string"))),
    };
    let (first_name, last_name) = match (name("firstName"), name("lastName")) {
        (Ok(f), Ok(l)) => (f, l),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    for k in ["id", "emailConfirmed", "createdAt"] {
        fields.remove(k);
    }
    let suppress = q.get("supressMails").is_some_and(|v| v == "true");
    let created_at = time::rfc3339(sim.now_secs());
    let mut g = sim.lock();
    let key = email.to_lowercase();
    if g.users_by_email.contains_key(&key) {
        drop(g);
        return error(
            StatusCode::CONFLICT,
            "CONFLICT",
            "an account with this e-mail already exists",
        );
    }
    let id = g.new_id("usr");
    let user = UserRec {
        id: id.clone(),
        email: email.clone(),
        role,
        first_name,
        last_name,
        email_confirmed: false,
        created_at,
        extra: fields,
    };
    let out = user_json(&user);
    g.users.insert(id.clone(), user);
    g.users_by_email.insert(key, id);
    if !suppress {
        g.mails.push(Mail {
            to: email,
            kind: "confirm-email".into(),
        });
    }
    drop(g);
    json_response(StatusCode::CREATED, &out)
}

/// `POST /api/v2/users/users/{userId}/confirm-email`
pub async fn confirm(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(user_id): Path<String>,
) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let mut g = sim.lock();
    let Some(u) = g.users.get_mut(&user_id) else {
        drop(g);
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such user");
    };
    u.email_confirmed = true;
    let out = user_json(u);
    drop(g);
    json_response(StatusCode::OK, &out)
}
