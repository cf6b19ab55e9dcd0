//! JS bindings of the claim state machine (`crate::archive::claim`): the hand-written
//! `ArchiveClaimer` (pkg-template/node/claim/) does the I/O and asks these functions what to do.
//! Values cross with serde-wasm-bindgen into structs that refuse unknown fields; the TypeScript
//! types are generated from them (tsify).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::errors;
use crate::archive::claim::{
    self, ClaimError, ClaimEvent, ClaimPolicy, ClaimState, ClaimStatus, ClaimStep,
};
use crate::error::{Error, ValidationError};

fn invalid(field: &str, reason: String) -> JsValue {
    errors::to_js(&Error::Validation(ValidationError::InvalidArgument {
        field: field.to_owned(),
        reason,
    }))
}

fn claim_err(e: ClaimError) -> JsValue {
    let field = match e {
        ClaimError::UnexpectedEvent { .. } => "event",
        ClaimError::LeaseExpired { .. } => "leaseUntil",
        ClaimError::InvalidPolicy(_) => "policy",
        ClaimError::InvalidInput(_) => "input",
    };
    invalid(field, format!("{} ({})", e, e.code()))
}

/// Reads a JS value into `T` as every other argument is read (`super::input`: serde-wasm-bindgen,
/// unknown fields refused at every depth, `field` the path of a bad value, `name` for the value
/// itself). It went through a `serde_json::Value` before: sharing the one input path took the
/// Node wasm from 287727 to 286456 B gzip (measured 2026-11-29, bench/README.md).
fn from_js<T: DeserializeOwned>(name: &str, v: JsValue) -> Result<T, JsValue> {
    super::input::from_js(&v, name).map_err(|e| errors::to_js(&e))
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, JsValue> {
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    v.serialize(&ser)
        .map_err(|e| invalid("output", e.to_string()))
}

/// The input of [`claim_step`].
#[derive(Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimStepInput {
    /// The claim's persisted status (the ledger row's decision fields).
    pub status: ClaimStatus,
    /// What happened.
    pub event: ClaimEvent,
    /// The time now, Unix milliseconds.
    pub now_ms: f64,
    /// The lease held now (Unix ms); absent right after taking it.
    #[serde(default)]
    #[tsify(optional)]
    pub lease_until: Option<f64>,
    /// The bounds (defaults when absent).
    #[serde(default)]
    #[tsify(optional)]
    pub policy: Option<ClaimPolicy>,
}

/// The input of [`claim_may_take`].
#[derive(Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimLeaseInput {
    /// The archive's state in the ledger.
    pub state: ClaimState,
    /// Who holds the lease, if anyone.
    #[serde(default)]
    #[tsify(optional)]
    pub owner: Option<String>,
    /// Until when (Unix ms).
    #[serde(default)]
    #[tsify(optional)]
    pub lease_until: Option<f64>,
    /// The worker asking.
    pub me: String,
    /// The time now, Unix milliseconds.
    pub now_ms: f64,
}

/// A policy with its defaults filled in and the lease renewal period derived from it.
#[derive(Serialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedClaimPolicy {
    /// The policy.
    pub policy: ClaimPolicy,
    /// How often to renew a lease during a long step, in milliseconds.
    pub renew_every_ms: u64,
}

/// Decides the next step of one archive's claim: the status to persist (with the renewed lease)
/// before acting, and the action. Throws a `ValidationError` (`field` `event` for an event that
/// cannot happen in this state, `leaseUntil` for a lease that ran out, `policy`, `input`, or the
/// path of a bad value such as `status.leaseUntil`).
#[wasm_bindgen(js_name = claimStep, unchecked_return_type = "ClaimStep")]
pub fn claim_step(
    #[wasm_bindgen(unchecked_param_type = "ClaimStepInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    let input: ClaimStepInput = from_js("input", input)?;
    let policy = input.policy.unwrap_or_default();
    let out: ClaimStep = claim::step(
        &policy,
        &input.status,
        &input.event,
        input.now_ms,
        input.lease_until,
    )
    .map_err(claim_err)?;
    to_js(&out)
}

/// Whether worker `me` may take the archive's lease now (nobody holds it, it ran out, or `me`
/// holds it; never for a final state). The ledgers apply the same rule atomically in SQL.
#[wasm_bindgen(js_name = claimMayTake)]
pub fn claim_may_take(
    #[wasm_bindgen(unchecked_param_type = "ClaimLeaseInput")] input: JsValue,
) -> Result<bool, JsValue> {
    let i: ClaimLeaseInput = from_js("input", input)?;
    Ok(claim::may_take(
        i.state,
        i.owner.as_deref(),
        i.lease_until,
        &i.me,
        i.now_ms,
    ))
}

/// Checks a claim policy and fills in its defaults. Throws a `ValidationError` (`field`
/// `policy`) for a bound out of range or an unknown option.
#[wasm_bindgen(js_name = claimPolicy, unchecked_return_type = "ResolvedClaimPolicy")]
pub fn claim_policy(
    #[wasm_bindgen(unchecked_param_type = "ClaimPolicy | undefined")] policy: JsValue,
) -> Result<JsValue, JsValue> {
    let policy: ClaimPolicy = if policy.is_undefined() || policy.is_null() {
        ClaimPolicy::default()
    } else {
        from_js("policy", policy)?
    };
    policy.check().map_err(claim_err)?;
    to_js(&ResolvedClaimPolicy {
        policy,
        renew_every_ms: policy.renew_every_ms(),
    })
}

/// The file name of an archive in a sink: `{conferenceId}--{archiveId}.zip`. Throws a
/// `ValidationError` (`field` `input`) for an id that could not be a path segment.
#[wasm_bindgen(js_name = claimFileName)]
pub fn claim_file_name(
    #[wasm_bindgen(js_name = conferenceId, unchecked_param_type = "string")] conference_id: JsValue,
    #[wasm_bindgen(js_name = archiveId, unchecked_param_type = "string")] archive_id: JsValue,
) -> Result<String, JsValue> {
    // Taken as JsValues: a `&str` parameter given a number or an object broke the glue's copy.
    let text = |v: &JsValue, field: &str| {
        v.as_string().ok_or_else(|| {
            errors::to_js(&Error::Validation(ValidationError::InvalidArgument {
                field: field.into(),
                reason: "must be a string".into(),
            }))
        })
    };
    let (conference_id, archive_id) = (
        text(&conference_id, "conferenceId")?,
        text(&archive_id, "archiveId")?,
    );
    claim::file_name(&conference_id, &archive_id).map_err(claim_err)
}

/// Whether a PostgreSQL ledger or seen store sends a statement again after attempt `attempt`
/// failed with `error` (its SQLSTATE `code` and `message` are read): see
/// [`claim::retry_ledger_statement`]. Internal (node/claim/ledgers/postgres.js).
/// @internal
#[wasm_bindgen(js_name = ledgerRetry)]
pub fn ledger_retry(error: JsValue, attempt: u32) -> bool {
    let field = |name: &str| {
        js_sys::Reflect::get(&error, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    let code = field("code");
    let message = field("message").unwrap_or_default();
    claim::retry_ledger_statement(code.as_deref(), &message, attempt)
}

// The bindings as JavaScript calls them (wasm-bindgen tests in Node).
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use js_sys::{Reflect, JSON};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn js(text: &str) -> JsValue {
        JSON::parse(text).unwrap()
    }

    fn field(v: &JsValue, path: &[&str]) -> JsValue {
        path.iter().fold(v.clone(), |o, k| {
            Reflect::get(&o, &JsValue::from_str(k)).unwrap()
        })
    }

    const SHA: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[wasm_bindgen_test]
    fn a_claim_runs_through_the_bindings() {
        let out = claim_step(js(&format!(
            r#"{{"status":{{"state":"seen"}},"event":{{"record":{{"status":"AVAILABLE","sha256CheckSum":"{SHA}"}}}},"nowMs":1000}}"#
        )))
        .unwrap();
        assert_eq!(field(&out, &["action", "type"]), "download");
        assert_eq!(field(&out, &["action", "delayMs"]), 0.0);
        assert_eq!(field(&out, &["status", "state"]), "downloading");
        assert_eq!(field(&out, &["leaseUntil"]), 61_000.0);
        let status = JSON::stringify(&field(&out, &["status"]))
            .unwrap()
            .as_string()
            .unwrap();
        let out = claim_step(js(&format!(
            r#"{{"status":{status},"event":{{"downloaded":{{"sha256":"{SHA}","bytes":3}}}},"nowMs":2000,"leaseUntil":61000}}"#
        )))
        .unwrap();
        assert_eq!(field(&out, &["action", "type"]), "store");
        assert_eq!(field(&out, &["status", "state"]), "verified");
    }

    #[wasm_bindgen_test]
    fn refusals_are_validation_errors() {
        // Valid but for one thing each: an unknown field at every level, a bad value, an
        // impossible event, a lease that ran out, a bad policy.
        let ok = format!(
            r#"{{"status":{{"state":"seen"}},"event":{{"record":{{"status":"AVAILABLE","sha256CheckSum":"{SHA}"}}}},"nowMs":1}}"#
        );
        assert!(claim_step(js(&ok)).is_ok());
        let bad = [
            ok.replace(r#""nowMs":1"#, r#""nowMs":1,"extra":true"#),
            ok.replace(r#"{"state":"seen"}"#, r#"{"state":"seen","owner":"x"}"#),
            ok.replace(r#""status":"AVAILABLE","#, r#""status":"AVAILABLE","x":1,"#),
            ok.replace(r#""record":{"#, r#""stored":{},"record":{"#),
            ok.replace(r#""state":"seen""#, r#""state":"nope""#),
            ok.replace(r#""nowMs":1"#, r#""nowMs":"1""#),
            ok.replace(
                r#""record":{"status":"AVAILABLE","sha256CheckSum":"{SHA}"}"#
                    .replace("{SHA}", SHA)
                    .as_str(),
                r#""stored":{}"#,
            ),
            ok.replace(r#""nowMs":1"#, r#""nowMs":5,"leaseUntil":4"#),
            ok.replace(r#""nowMs":1"#, r#""nowMs":1,"policy":{"leaseMs":1}"#),
            ok.replace(r#""nowMs":1"#, r#""nowMs":1,"policy":{"leaseMillis":5000}"#),
            "null".to_owned(),
        ];
        for b in &bad {
            assert_ne!(b, &ok);
            let e = claim_step(js(b)).unwrap_err();
            assert_eq!(field(&e, &["name"]), "ValidationError", "{b}");
            assert_eq!(field(&e, &["code"]), "INVALID_ARGUMENT", "{b}");
        }
    }

    #[wasm_bindgen_test]
    fn policy_lease_and_file_name() {
        let p = claim_policy(JsValue::UNDEFINED).unwrap();
        assert_eq!(field(&p, &["policy", "leaseMs"]), 60_000.0);
        assert_eq!(field(&p, &["renewEveryMs"]), 20_000.0);
        assert!(claim_policy(js(r#"{"unknown":1}"#)).is_err());
        assert!(claim_may_take(js(r#"{"state":"seen","me":"a","nowMs":1}"#)).unwrap());
        assert!(!claim_may_take(js(
            r#"{"state":"stored","owner":"b","leaseUntil":10,"me":"a","nowMs":1}"#
        ))
        .unwrap());
        assert_eq!(claim_file_name("c".into(), "a".into()).unwrap(), "c--a.zip");
        assert!(claim_file_name("c".into(), "../a".into()).is_err());
        assert!(claim_file_name(JsValue::from(42), "a".into()).is_err());
    }
}
