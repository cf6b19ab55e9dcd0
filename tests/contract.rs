#![cfg(not(target_arch = "wasm32"))]
//! The written contract (`spec/flexperto-v2.json`) against the SDK's route table and the
//! simulator's routes, and the document the simulator serves at `/api/v2/spec`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/flexperto-v2.json");
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `(METHOD, basePath + path, operationId)` of every operation in the contract.
fn spec_operations(spec: &Value) -> BTreeSet<(String, String, String)> {
    let base = spec["basePath"].as_str().unwrap_or("");
    let mut out = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !METHODS.contains(&method.as_str()) {
                continue; // `parameters` and `x-` extensions of the path item
            }
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            let added = out.insert((
                method.to_uppercase(),
                format!("{base}{path}"),
                id.to_owned(),
            ));
            assert!(added, "{method} {path} listed twice");
        }
    }
    out
}

#[test]
fn spec_is_swagger_2_under_api_v2() {
    let s = spec();
    assert_eq!(s["swagger"], "2.0");
    assert_eq!(s["basePath"], "/api/v2");
}

#[test]
fn sdk_routes_are_exactly_the_contract() {
    let s = spec();
    let from_spec = spec_operations(&s);
    let from_sdk: BTreeSet<(String, String, String)> = flexperto_sdk::api::ROUTES
        .iter()
        .map(|(_, name, method, path)| {
            (
                method.as_str().to_owned(),
                (*path).to_owned(),
                (*name).to_owned(),
            )
        })
        .collect();
    assert_eq!(
        from_sdk.len(),
        flexperto_sdk::api::ROUTES.len(),
        "duplicate routes in the SDK"
    );
    let missing: Vec<_> = from_spec.difference(&from_sdk).collect();
    let extra: Vec<_> = from_sdk.difference(&from_spec).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "in the contract but not the SDK: {missing:?}; in the SDK but not the contract: {extra:?}"
    );
    let ids: BTreeSet<&str> = from_spec.iter().map(|o| o.2.as_str()).collect();
    assert_eq!(ids.len(), from_spec.len(), "operationIds must be unique");
}

#[test]
fn sim_routes_are_in_the_contract() {
    let s = spec();
    let from_spec: BTreeSet<(String, String)> = spec_operations(&s)
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    for (method, path) in flexperto_sim::api_routes() {
        assert!(
            from_spec.contains(&(method.to_owned(), path.to_owned())),
            "the simulator serves {method} {path}, which the contract does not have"
        );
    }
}

#[test]
fn every_contract_operation_is_simulated() {
    let s = spec();
    let simulated: BTreeSet<(String, String)> = flexperto_sim::api_routes()
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    let missing: Vec<_> = spec_operations(&s)
        .into_iter()
        .filter(|(m, p, _)| !simulated.contains(&(m.clone(), p.clone())))
        .collect();
    assert!(
        missing.is_empty(),
        "in the contract but not served by the simulator: {missing:?}"
    );
}

#[tokio::test]
async fn sim_serves_the_contract_without_a_key() {
    let (base, _sim) = common::start_sim().await;
    let r = common::request("GET", &format!("{base}/api/v2/spec"), None, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("application/json")),
        "{:?}",
        r.content_type
    );
    assert_eq!(r.json, spec());
}
