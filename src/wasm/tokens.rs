//! API tokens: createApiToken, listApiTokens, revokeApiToken.

use js_sys::Promise;
use serde::Deserialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::client::JsClient;
use super::meetings::{instant_ms, Instant};
use super::{call_of, id_call, input, json_out, promise, reject};
use crate::models::tokens as m;

/// An API token to create.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApiToken {
    /// 1..100 characters.
    pub name: String,
    /// The user the token acts as (default: the caller).
    #[serde(default)]
    #[tsify(optional)]
    pub user_id: Option<String>,
    /// At most 2 years ahead (the default).
    #[serde(default)]
    #[tsify(optional)]
    pub expires_at: Option<Instant>,
}

/// An API token's record: never its secret. Unknown fields are kept.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct ApiToken {
    /// The id (for revoking).
    pub id: String,
    /// Its name.
    #[tsify(optional)]
    pub name: Option<String>,
    /// The user it acts as.
    #[tsify(optional)]
    pub user_id: Option<String>,
    /// RFC 3339.
    #[tsify(optional)]
    pub created_at: Option<String>,
    /// RFC 3339.
    #[tsify(optional)]
    pub expires_at: Option<String>,
    /// RFC 3339, once revoked.
    #[tsify(optional)]
    pub revoked_at: Option<String>,
}

/// A token just created: `token` is the secret, readable only now.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct CreatedApiToken {
    /// The record.
    #[serde(flatten)]
    pub record: ApiToken,
    /// The secret (a JWT).
    pub token: String,
}

/// The tokens of the tenant.
#[derive(Debug, Deserialize, Tsify)]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct ApiTokenList {
    /// The records.
    pub items: Vec<ApiToken>,
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// Creates an API token (`POST /api/v2/auth/tokens`). The result holds the secret `token`:
    /// the only time it can be read.
    #[wasm_bindgen(js_name = createApiToken, unchecked_return_type = "Promise<CreatedApiToken>")]
    pub fn create_api_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewApiToken")] token: JsValue,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = (|| {
            let t: NewApiToken = input::from_js(&token, "token")?;
            let t = m::NewApiToken {
                name: t.name,
                user_id: t.user_id,
                expires_at_ms: t
                    .expires_at
                    .as_ref()
                    .map(|e| instant_ms(e, "expiresAt"))
                    .transpose()?,
            };
            Ok((t, call_of(options)?))
        })();
        let (t, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.create_api_token(&t).await }, |c| {
            json_out(&c.record.raw)
        })
    }

    /// Lists API tokens (`GET /api/v2/auth/tokens`); never their secrets.
    #[wasm_bindgen(js_name = listApiTokens, unchecked_return_type = "Promise<ApiTokenList>")]
    pub fn list_api_tokens(&self, options: Option<super::OptRequestOptions>) -> Promise {
        let call = match call_of(options) {
            Ok(c) => c,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.list_api_tokens().await }, |(_, raw)| {
            json_out(&raw)
        })
    }

    /// Revokes an API token (`DELETE /api/v2/auth/tokens/{tokenId}`): the platform refuses it
    /// from its next call on.
    #[wasm_bindgen(js_name = revokeApiToken, unchecked_return_type = "Promise<void>")]
    pub fn revoke_api_token(
        &self,
        #[wasm_bindgen(js_name = tokenId, unchecked_param_type = "string")] token_id: JsValue,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = id_call(&token_id, "tokenId", options);
        let (id, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.revoke_api_token(&id).await }, |()| {
            JsValue::UNDEFINED
        })
    }
}
