#![cfg(not(target_arch = "wasm32"))]
//! `Client::check_spec` against the simulator: the contract as served, and the `--spec-variant`
//! tenant whose webhook registration moved; the override the report gives makes the create work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{admin_key, client, client_with, start_sim, start_sim_with};
use flexperto_sdk::drift::{FindingKind, Severity};
use flexperto_sdk::Error;
use flexperto_sim::{SimConfig, VARIANT_WEBHOOK_PATH};

#[tokio::test]
async fn the_simulator_serves_the_contract_without_drift() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let report = client(&base, &key).check_spec().await.unwrap();
    assert_eq!(report.findings, vec![]);
    assert!(!report.breaking);
    assert_eq!(report.operations_compared, flexperto_sdk::api::ROUTES.len());
}

#[tokio::test]
async fn the_variant_reports_the_moved_webhook_path_and_its_override_works() {
    let (base, _sim) = start_sim_with(SimConfig {
        spec_variant: true,
        ..Default::default()
    })
    .await;
    let key = admin_key(&base, "admin").await;
    let plain = client(&base, &key);
    let report = plain.check_spec().await.unwrap();
    assert!(report.breaking);
    assert_eq!(report.findings.len(), 1, "{:#?}", report.findings);
    let f = &report.findings[0];
    assert_eq!(f.kind, FindingKind::PathMoved);
    assert_eq!(f.operation.as_deref(), Some("createWebhookSubscription"));
    assert_eq!(f.tenant_path.as_deref(), Some(VARIANT_WEBHOOK_PATH));
    let fix = f.route_override.clone().unwrap();
    assert_eq!(fix.path, VARIANT_WEBHOOK_PATH);

    let url = "https://crm.example.com/hooks/2f6c1e0b9a7d4c3e8f5a1b2c3d4e5f60";
    let refused = plain
        .create_subscription("archive.available", url, false)
        .await
        .unwrap_err();
    // The contract's path is gone: it now matches the subscription route (DELETE only).
    assert!(
        matches!(&refused, Error::Api(e) if e.status == 404 || e.status == 405),
        "{refused:?}"
    );
    let fixed = client_with(&base, &key, |c| {
        c.routes.set(&fix.operation, &fix.path).unwrap();
    });
    let (id, _) = fixed
        .create_subscription("archive.available", url, false)
        .await
        .unwrap();
    assert!(!id.is_empty());
    // With the override, the move is still reported, but as followed: nothing breaks.
    let again = fixed.check_spec().await.unwrap();
    assert!(!again.breaking, "{:#?}", again.findings);
    assert_eq!(again.findings[0].severity, Severity::Info);
    assert_eq!(again.routes, report.routes);
}

#[tokio::test]
async fn a_spec_that_is_not_openapi_2_is_a_spec_error() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    // Point getSpec at an API route that answers JSON that is not a spec.
    let c = client_with(&base, &key, |c| {
        c.routes
            .set(
                "getSpec",
                "/api/v2/communication/subscriptions/subscriptions",
            )
            .unwrap();
    });
    let e = c.check_spec().await.unwrap_err();
    assert_eq!((e.name(), e.code()), ("SpecError", "INVALID_SPEC"), "{e}");
}
