//! API keys: HS256 JWTs signed with the simulator's secret, checked on every `/api/` route.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::error;
use crate::state::{KeyRec, Sim};

/// Two years, the guide's validity of an API key.
pub const KEY_VALIDITY_SECS: i64 = 2 * 365 * 86_400;

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key owner's account.
    pub user_id: String,
    pub role: String,
}

impl Caller {
    /// A 403 answer unless the caller is an admin.
    pub fn require_admin(&self) -> Result<(), Response> {
        if self.role == "admin" {
            Ok(())
        } else {
            Err(error(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "this route needs an admin API key",
            ))
        }
    }
}

fn sign(secret: &[u8], msg: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return Vec::new();
    };
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// Issues a key for a new key id; the caller records it.
pub fn issue(sim: &Sim, key_id: &str, user_id: &str, role: &str, iat: i64, exp: i64) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({ "sub": user_id, "role": role, "jti": key_id, "iat": iat, "exp": exp });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let sig = URL_SAFE_NO_PAD.encode(sign(&sim.secret, signing_input.as_bytes()));
    format!("{signing_input}.{sig}")
}

#[derive(Deserialize)]
struct Claims {
    jti: String,
    exp: i64,
}

fn unauthorized(message: &str) -> Response {
    error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
}

/// Checks the `api-key` header: signature, expiry on the simulator clock, revocation.
pub fn authenticate(sim: &Sim, headers: &HeaderMap) -> Result<Caller, Response> {
    let key = headers
        .get("api-key")
        .ok_or_else(|| unauthorized("missing api-key header"))?
        .to_str()
        .map_err(|_| unauthorized("invalid api key"))?;
    let mut parts = key.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(unauthorized("invalid api key"));
    };
    let sig = URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| unauthorized("invalid api key"))?;
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&sim.secret) else {
        return Err(unauthorized("invalid api key"));
    };
    mac.update(format!("{h}.{p}").as_bytes());
    mac.verify_slice(&sig)
        .map_err(|_| unauthorized("invalid api key"))?;
    let claims: Claims = URL_SAFE_NO_PAD
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| unauthorized("invalid api key"))?;
    let now = sim.now_secs();
    let g = sim.lock();
    let rec: &KeyRec = g
        .keys
        .get(&claims.jti)
        .ok_or_else(|| unauthorized("unknown api key"))?;
    if rec.revoked_at.is_some() {
        return Err(unauthorized("api key revoked"));
    }
    if now >= claims.exp.min(rec.expires_at) {
        return Err(unauthorized("api key expired"));
    }
    Ok(Caller {
        user_id: rec.user_id.clone(),
        role: rec.role.clone(),
    })
}
