//! `POST /api/v2/communication/meetings/meetings` (reserveMeeting) and the join links it hands
//! out, served at `GET /join/{token}`.
//!
//! A link's token is `base64url(payload).base64url(HMAC-SHA256(secret, payload))` with the compact
//! JSON payload `{"m":"<meeting id>","p":<participant index, -1 for the moderator>}`. It names
//! exactly one seat of one meeting, so the links need no storage. (The JWT keys are signed with
//! the same secret, but over `header.payload` in base64url, which never starts with `{` as a
//! link payload does: neither can stand in for the other.)

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::Sha256;

use crate::auth::Caller;
use crate::state::{MeetingRec, ParticipantRec, Shared, Sim};
use crate::users::valid_email;
use crate::{error, json_response, parse_json, time};

/// This resource's API routes (the router and `api_routes` are made from them).
pub(crate) fn api() -> Vec<crate::ApiRoute> {
    use crate::api_route;
    vec![api_route(
        "POST",
        "/api/v2/communication/meetings/meetings",
        reserve,
    )]
}

/// At most this many participants per reservation.
pub const MAX_PARTICIPANTS: usize = 50;

/// The `p` of the moderator's link.
const MODERATOR: i64 = -1;

fn bad(message: &str) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, "UNPROCESSABLE", message)
}

fn mac(sim: &Sim) -> Option<Hmac<Sha256>> {
    Hmac::<Sha256>::new_from_slice(&sim.secret).ok()
}

/// The token of one seat (`p` = participant index, or -1 for the moderator).
fn link_token(sim: &Sim, meeting_id: &str, p: i64) -> String {
    let payload = json!({ "m": meeting_id, "p": p }).to_string();
    let sig = mac(sim)
        .map(|mut m| {
            m.update(payload.as_bytes());
            m.finalize().into_bytes().to_vec()
        })
        .unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkClaims {
    m: String,
    p: i64,
}

/// The seat a token names, when its signature is right.
fn verify_token(sim: &Sim, token: &str) -> Option<LinkClaims> {
    let (payload, sig) = token.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
    let mut m = mac(sim)?;
    m.update(&payload);
    m.verify_slice(&sig).ok()?;
    serde_json::from_slice(&payload).ok()
}

/// `http://` and the request's `Host`, or `http://127.0.0.1` without a usable one.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// An optional string field: absent or `null` is `None`.
fn opt_string(
    fields: &mut Map<String, Value>,
    k: &str,
    path: &str,
) -> Result<Option<String>, Response> {
    match fields.remove(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(&format!("{path}{k} must be a string"))),
    }
}

fn participant(i: usize, v: Value) -> Result<ParticipantRec, Response> {
    let Value::Object(mut fields) = v else {
        return Err(bad(&format!("participants[{i}] must be an object")));
    };
    let at = format!("participants[{i}].");
    let email = opt_string(&mut fields, "email", &at)?;
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        return Err(bad(&format!(
            "participants[{i}].email is not a valid address"
        )));
    }
    let first_name = opt_string(&mut fields, "firstName", &at)?;
    let last_name = opt_string(&mut fields, "lastName", &at)?;
    let locale = opt_string(&mut fields, "locale", &at)?;
    fields.remove("link");
    Ok(ParticipantRec {
        email,
        first_name,
        last_name,
        locale,
        extra: fields,
    })
}

/// An RFC 3339 field as Unix milliseconds.
fn date_ms(v: Option<Value>, k: &str) -> Result<Option<i64>, Response> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => time::parse_rfc3339_ms(&s)
            .map(Some)
            .ok_or_else(|| bad(&format!("{k} must be an RFC 3339 date-time"))),
        Some(_) => Err(bad(&format!("{k} must be an RFC 3339 date-time"))),
    }
}

/// The reply's names of the link fields: the simulator's (the SDK's contract), or those of
/// `--meeting-link-fields`.
fn link_field_names(sim: &Sim) -> [&str; 3] {
    match &sim.config.meeting_link_fields {
        Some([m, p, l]) => [m, p, l],
        None => ["moderator_link", "participant_links", "link"],
    }
}

/// How long links work when a reservation gives no `access_link_valid_until` (the guide makes it
/// optional and does not say what the platform then applies; the simulator's choice).
pub const DEFAULT_LINK_VALIDITY_SECS: i64 = 24 * 3600;

fn meeting_json(sim: &Sim, m: &MeetingRec, origin: &str) -> Value {
    let [moderator_key, participants_key, link_key] = link_field_names(sim);
    let link = |p: i64| format!("{origin}/join/{}", link_token(sim, &m.id, p));
    let participant_links: Vec<Value> = m
        .participants
        .iter()
        .zip(0_i64..)
        .map(|(p, i)| {
            let mut o = p.extra.clone();
            for (k, v) in [
                ("email", &p.email),
                ("firstName", &p.first_name),
                ("lastName", &p.last_name),
                ("locale", &p.locale),
            ] {
                if let Some(v) = v {
                    o.insert(k.into(), Value::String(v.clone()));
                }
            }
            o.insert(link_key.into(), Value::String(link(i)));
            Value::Object(o)
        })
        .collect();
    let mut o = m.extra.clone();
    o.insert("id".into(), json!(m.id));
    o.insert("flexperto_account_id".into(), json!(m.expert_id));
    if let Some(s) = &m.subject {
        o.insert("subject".into(), json!(s));
    }
    o.insert(
        "access_link_not_before".into(),
        json!(time::rfc3339(m.not_before)),
    );
    o.insert(
        "access_link_valid_until".into(),
        json!(time::rfc3339(m.valid_until)),
    );
    o.insert(moderator_key.into(), json!(link(MODERATOR)));
    o.insert(participants_key.into(), Value::Array(participant_links));
    o.insert("createdAt".into(), json!(time::rfc3339(m.created_at)));
    Value::Object(o)
}

/// `POST /api/v2/communication/meetings/meetings`
pub async fn reserve(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if caller.role != "admin" && caller.role != "expert" {
        return error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "this route needs an admin or expert API key",
        );
    }
    let v = match parse_json(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Value::Object(mut fields) = v else {
        return bad("body must be a JSON object");
    };
    let Some(Value::String(expert_id)) = fields.remove("flexperto_account_id") else {
        return bad("flexperto_account_id is required and must be a string");
    };
    if caller.role == "expert" && caller.user_id != expert_id {
        return error(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            "an expert key may only reserve meetings that its own account moderates",
        );
    }
    let Some(Value::Array(list)) = fields.remove("participants") else {
        return bad("participants is required and must be an array");
    };
    if list.len() > MAX_PARTICIPANTS {
        return bad(&format!(
            "participants may hold at most {MAX_PARTICIPANTS} entries"
        ));
    }
    let participants = match list
        .into_iter()
        .enumerate()
        .map(|(i, p)| participant(i, p))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(p) => p,
        Err(r) => return r,
    };
    let subject = match opt_string(&mut fields, "subject", "") {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (not_before_ms, valid_until_ms) = match (
        date_ms(
            fields.remove("access_link_not_before"),
            "access_link_not_before",
        ),
        date_ms(
            fields.remove("access_link_valid_until"),
            "access_link_valid_until",
        ),
    ) {
        (Ok(nb), Ok(vu)) => (nb, vu),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let now = sim.now_secs();
    // Rounded to whole seconds so that a link never works outside the window asked for.
    let not_before = not_before_ms.map_or(now, |ms| {
        ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) != 0)
    });
    let valid_until = valid_until_ms.map_or(not_before + DEFAULT_LINK_VALIDITY_SECS, |ms| {
        ms.div_euclid(1000)
    });
    if valid_until <= not_before {
        return bad("access_link_valid_until must be after access_link_not_before");
    }
    if valid_until <= now {
        return bad("access_link_valid_until must be in the future");
    }
    for k in ["id", "moderator_link", "participant_links", "createdAt"]
        .into_iter()
        .chain(link_field_names(&sim).into_iter().take(2))
    {
        fields.remove(k);
    }
    let mut g = sim.lock();
    match g.users.get(&expert_id) {
        None => {
            drop(g);
            return bad("flexperto_account_id: no account with this id");
        }
        Some(u) if u.role != "expert" => {
            drop(g);
            return bad("flexperto_account_id must be an expert's account");
        }
        Some(_) => {}
    }
    let id = g.new_id("mtg");
    let rec = MeetingRec {
        id: id.clone(),
        expert_id,
        subject,
        not_before,
        valid_until,
        participants,
        created_at: now,
        extra: fields,
    };
    g.meetings.insert(id, rec.clone());
    drop(g);
    json_response(
        StatusCode::CREATED,
        &meeting_json(&sim, &rec, &origin(&headers)),
    )
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn invalid_link() -> Response {
    error(StatusCode::FORBIDDEN, "FORBIDDEN", "invalid link")
}

/// `GET /join/{token}`: the meeting room's door. No key; the link is the credential.
pub async fn join(State(sim): State<Shared>, uri: Uri) -> Response {
    // The raw path: a token never needs percent-encoding, so an encoded one is simply invalid.
    let Some(token) = uri.path().strip_prefix("/join/") else {
        return invalid_link();
    };
    let Some(claims) = verify_token(&sim, token) else {
        return invalid_link();
    };
    let now = sim.now_secs();
    let g = sim.lock();
    let Some(m) = g.meetings.get(&claims.m) else {
        drop(g);
        return invalid_link();
    };
    let who = if claims.p == MODERATOR {
        Some("moderator".to_owned())
    } else {
        usize::try_from(claims.p)
            .ok()
            .and_then(|i| m.participants.get(i))
            .map(|p| {
                let name = [p.first_name.as_deref(), p.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                if !name.is_empty() {
                    name
                } else {
                    p.email.clone().unwrap_or_else(|| "guest".to_owned())
                }
            })
    };
    let (not_before, valid_until) = (m.not_before, m.valid_until);
    let subject = m.subject.clone().unwrap_or_else(|| "meeting".to_owned());
    drop(g);
    let Some(who) = who else {
        return invalid_link();
    };
    if now < not_before {
        return error(StatusCode::GONE, "GONE", "link not yet valid");
    }
    if now >= valid_until {
        return error(StatusCode::GONE, "GONE", "link expired");
    }
    let page = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>flexperto-sim meeting</title></head>\n<body><p>Joining {} as {}</p></body></html>\n",
        escape_html(&subject),
        escape_html(&who)
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}
