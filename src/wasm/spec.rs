//! `FlexpertoClient.checkSpec()`: the tenant's `/api/v2/spec` against the contract shipped in the
//! package ([`crate::drift`]). Converts and delegates; the report's TypeScript comes from tsify.

use js_sys::Promise;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::{call_of, promise, reject, JsClient};

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// GetSpec (`GET /api/v2/spec`), compared with the contract this SDK ships: paths and methods
    /// missing on either side, moved paths with the `routes` override that fixes each (all of
    /// them in `report.routes`), required fields added or removed, type changes and renamed
    /// query parameters, each with the SDK operation and client methods it affects.
    /// `report.breaking` is true when a call of the SDK would fail. Rejects with a `SpecError`
    /// (code `INVALID_SPEC`, `pointer`) when the tenant's document is not OpenAPI 2.0.
    #[wasm_bindgen(js_name = checkSpec, unchecked_return_type = "Promise<DriftReport>")]
    pub fn check_spec(&self, options: Option<super::OptRequestOptions>) -> Promise {
        let call = match call_of(options) {
            Ok(c) => c,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.check_spec().await }, |report| {
            report.into_js().map(JsValue::from).unwrap_or(JsValue::NULL)
        })
    }
}

/// An operation of the contract and the answer the contract gives it (`contractAnswers`, the
/// testing entry's `contractOperations()`). Declared for TypeScript (tsify); the values cross as
/// `build.rs` wrote them.
#[cfg(feature = "node")]
#[derive(serde::Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct ContractOperation {
    /// The operation.
    #[tsify(type = "OperationId")]
    pub operation_id: String,
    /// GET, POST, PATCH or DELETE.
    pub method: String,
    /// The path template, e.g. `/api/v2/users/users/{userId}/confirm-email`.
    pub path: String,
    /// Its success status.
    pub status: u16,
    /// A body made from the success response's schema (its examples, first enum values, types).
    #[tsify(optional, type = "unknown")]
    pub body: Option<()>,
    /// The `Location` of a redirect.
    #[tsify(optional)]
    pub location: Option<String>,
}

/// Every operation of the contract with the answer the contract gives it, in contract order, the
/// body made from the success response's schema by `build.rs` (an `example`, the first `enum`
/// value, else from the type).
/// What `flexperto-sdk/testing`'s fake answers an operation it keeps no state for (Node only, as
/// that entry is: about 1 KiB gzip the web build leaves out).
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = contractAnswers, unchecked_return_type = "ContractOperation[]")]
pub fn contract_answers() -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(include_str!(concat!(env!("OUT_DIR"), "/answers.json")))
}

/// The contract this package ships, as `checkSpec` compares with it (JSON text): what the testing
/// entry's fake tenant serves at `/api/v2/spec`.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = contractDocument)]
pub fn contract_document() -> String {
    crate::drift::CONTRACT.to_owned()
}
