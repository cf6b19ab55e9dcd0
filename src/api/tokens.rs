//! Builders and parsers for API-key management: CreateApiToken, ListApiTokens, RevokeApiToken.

use serde_json::{Map, Value};

use super::{
    build_path, invalid_response, parse_object, required_id, ApiRequest, ApiResponse, Operation,
    RouteTable,
};
use crate::client::Client;
use crate::error::Error;
use crate::error::{ApiError, ValidationError};
use crate::models::tokens::{ApiToken, CreatedApiToken, NewApiToken};
use crate::time::format_rfc3339_ms;
use crate::transport::Transport;

/// The guide: an API key is valid for 2 years.
pub const MAX_VALIDITY_MS: i64 = 2 * 365 * 86_400_000;

fn arg(field: &str, reason: &str) -> ValidationError {
    ValidationError::InvalidArgument {
        field: field.into(),
        reason: reason.into(),
    }
}

/// `POST /api/v2/auth/tokens`. `now_ms` is the current time, for the expiry checks.
///
/// # Errors
/// [`ValidationError`] for a name that is empty or longer than 100 characters, a bad user id, or
/// an expiry not in the future or more than 2 years ahead.
pub fn create_api_token(
    routes: &RouteTable,
    t: &NewApiToken,
    now_ms: i64,
) -> Result<ApiRequest, ValidationError> {
    let n = t.name.trim().chars().count();
    if n == 0 || t.name.chars().count() > 100 {
        return Err(arg("name", "must be 1 to 100 characters"));
    }
    let mut body = Map::new();
    body.insert("name".into(), Value::String(t.name.clone()));
    if let Some(u) = &t.user_id {
        super::check_id("userId", u)?;
        body.insert("userId".into(), Value::String(u.clone()));
    }
    if let Some(exp) = t.expires_at_ms {
        if exp <= now_ms {
            return Err(arg("expiresAt", "must be in the future"));
        }
        if exp > now_ms + MAX_VALIDITY_MS {
            return Err(arg("expiresAt", "must be at most 2 years ahead"));
        }
        body.insert("expiresAt".into(), Value::String(format_rfc3339_ms(exp)));
    }
    let path = build_path(routes, Operation::CreateApiToken, &[], &[])?;
    Ok(ApiRequest::new(
        Operation::CreateApiToken,
        path,
        Some(Value::Object(body).to_string()),
    ))
}

/// `GET /api/v2/auth/tokens`.
///
/// # Errors
/// None in practice; the signature matches the other builders.
pub fn list_api_tokens(routes: &RouteTable) -> Result<ApiRequest, ValidationError> {
    let path = build_path(routes, Operation::ListApiTokens, &[], &[])?;
    Ok(ApiRequest::new(Operation::ListApiTokens, path, None))
}

/// `DELETE /api/v2/auth/tokens/{tokenId}`.
///
/// # Errors
/// [`ValidationError::InvalidId`].
pub fn revoke_api_token(
    routes: &RouteTable,
    token_id: &str,
) -> Result<ApiRequest, ValidationError> {
    let path = build_path(
        routes,
        Operation::RevokeApiToken,
        &[("tokenId", token_id)],
        &[],
    )?;
    Ok(ApiRequest::new(Operation::RevokeApiToken, path, None))
}

/// Parses a created token: an `id` and the secret `token` are required.
///
/// # Errors
/// `INVALID_RESPONSE`.
pub fn parse_created_token(resp: &ApiResponse) -> Result<CreatedApiToken, ApiError> {
    let op = Operation::CreateApiToken;
    let (obj, raw) = parse_object(op, resp)?;
    let id = required_id(op, resp.status, &obj, "id")?;
    let token = match obj.get("token") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(invalid_response(op, resp.status, "missing token")),
    };
    Ok(CreatedApiToken {
        record: ApiToken { id, raw },
        token,
    })
}

/// Parses a token list `{ "items": [...] }`. A secret a server might include is dropped.
///
/// # Errors
/// `INVALID_RESPONSE` when an item has no `id`.
pub fn parse_token_list(resp: &ApiResponse) -> Result<(Vec<ApiToken>, String), ApiError> {
    let op = Operation::ListApiTokens;
    let (mut obj, _) = parse_object(op, resp)?;
    let items = match obj.get_mut("items") {
        Some(Value::Array(a)) => a,
        _ => {
            return Err(invalid_response(
                op,
                resp.status,
                "expected {\"items\": [...]}",
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items.iter_mut() {
        let Value::Object(o) = item else {
            return Err(invalid_response(op, resp.status, "item is not an object"));
        };
        // Rebuilt without the secret rather than `remove`d: B-tree removal (its rebalancing)
        // was compiled into the wasm for this call and two others (bench/README.md).
        if o.contains_key("token") {
            let mut kept = serde_json::Map::new();
            for (k, v) in std::mem::take(o) {
                if k != "token" {
                    kept.insert(k, v);
                }
            }
            *o = kept;
        }
        let id = required_id(op, resp.status, o, "id")?;
        out.push(ApiToken {
            id,
            raw: Value::Object(o.clone()).to_string(),
        });
    }
    Ok((out, Value::Object(obj).to_string()))
}

/// The `Client` methods of this resource: build, send through [`Client::execute`], parse.
impl<T: Transport> Client<T> {
    /// Creates an API token; its secret is in the result, and only there.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad name or expiry; otherwise as [`Client::execute`].
    pub async fn create_api_token(&self, t: &NewApiToken) -> Result<CreatedApiToken, Error> {
        let req = create_api_token(&self.config().routes, t, self.now_ms())?;
        let resp = self.execute(&req).await?;
        Ok(parse_created_token(&resp)?)
    }

    /// Lists API tokens (never their secrets). Returns the records and the list as JSON.
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn list_api_tokens(&self) -> Result<(Vec<ApiToken>, String), Error> {
        let req = list_api_tokens(&self.config().routes)?;
        let resp = self.execute(&req).await?;
        Ok(parse_token_list(&resp)?)
    }

    /// Revokes an API token: the platform refuses it from its next call on.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad id; otherwise as [`Client::execute`].
    pub async fn revoke_api_token(&self, token_id: &str) -> Result<(), Error> {
        let req = revoke_api_token(&self.config().routes, token_id)?;
        self.execute(&req).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn a_listed_secret_is_dropped_from_the_item_and_the_envelope() {
        let resp = ApiResponse {
            status: 200,
            body: br#"{"items":[{"id":"t1","token":"s3cret","name":"a"},{"id":2,"name":"b"}],"next":null}"#
                .to_vec(),
            ..ApiResponse::default()
        };
        let (items, envelope) = parse_token_list(&resp).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id, "t1");
        assert_eq!(items[0].raw, r#"{"id":"t1","name":"a"}"#);
        assert_eq!(items[1].raw, r#"{"id":2,"name":"b"}"#);
        assert!(!envelope.contains("s3cret"), "{envelope}");
        assert!(envelope.contains(r#""next":null"#));
    }

    #[test]
    fn create_checks_name_and_expiry() {
        let ok = NewApiToken {
            name: "crm".into(),
            user_id: None,
            expires_at_ms: Some(NOW + 86_400_000),
        };
        let r = create_api_token(&RouteTable::default(), &ok, NOW).unwrap();
        assert_eq!(r.path_and_query, "/api/v2/auth/tokens");
        assert!(r.body.unwrap().contains("\"expiresAt\""));
        for bad in [
            NewApiToken {
                name: "".into(),
                ..ok.clone()
            },
            NewApiToken {
                name: "x".repeat(101),
                ..ok.clone()
            },
            NewApiToken {
                expires_at_ms: Some(NOW),
                ..ok.clone()
            },
            NewApiToken {
                expires_at_ms: Some(NOW + MAX_VALIDITY_MS + 1),
                ..ok.clone()
            },
            NewApiToken {
                user_id: Some("..".into()),
                ..ok.clone()
            },
        ] {
            assert!(
                create_api_token(&RouteTable::default(), &bad, NOW).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn secrets_stay_out_of_debug_and_lists() {
        let resp = ApiResponse {
            status: 201,
            body: br#"{"id":"key_1","token":"s3cr3t.jwt.x"}"#.to_vec(),
            ..Default::default()
        };
        let c = parse_created_token(&resp).unwrap();
        assert_eq!(c.token, "s3cr3t.jwt.x");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let list = ApiResponse {
            status: 200,
            body: br#"{"items":[{"id":"key_1","name":"a","token":"leak"}]}"#.to_vec(),
            ..Default::default()
        };
        let (items, raw) = parse_token_list(&list).unwrap();
        assert_eq!(items[0].id, "key_1");
        assert!(!raw.contains("leak") && !items[0].raw.contains("leak"));
        assert_eq!(
            revoke_api_token(&RouteTable::default(), "a/b")
                .unwrap()
                .path_and_query,
            "/api/v2/auth/tokens/a%2Fb"
        );
    }
}
