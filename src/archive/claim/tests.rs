#![allow(clippy::unwrap_used, clippy::expect_used)]
// These tests also run in wasm (Node) as wasm-bindgen tests.

use super::*;

const GOOD: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const OTHER: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const NOW: f64 = 1_800_000_000_000.0;

fn p() -> ClaimPolicy {
    ClaimPolicy::default()
}

fn record(status: &str, sha: Option<&str>) -> ClaimEvent {
    ClaimEvent::Record {
        status: status.into(),
        sha256_check_sum: sha.map(Into::into),
        error: None,
    }
}

fn err(name: &str, code: Option<&str>, status: Option<u16>) -> StepError {
    StepError {
        name: name.into(),
        code: code.map(Into::into),
        status,
        message: "boom".into(),
    }
}

fn downloaded(sha: &str) -> ClaimEvent {
    ClaimEvent::Downloaded {
        sha256: sha.into(),
        bytes: 3,
    }
}

/// Applies events in order, returning every step.
fn run(events: &[ClaimEvent]) -> Vec<ClaimStep> {
    let mut s = ClaimStatus::new();
    let mut out = Vec::new();
    for e in events {
        let st = step(&p(), &s, e, NOW, None).unwrap();
        s = st.status.clone();
        out.push(st);
    }
    out
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn the_happy_path_abandons_after_store() {
    let steps = run(&[
        record("AVAILABLE", Some(GOOD)),
        downloaded(GOOD),
        ClaimEvent::Stored {},
        ClaimEvent::Abandoned {},
    ]);
    let states: Vec<_> = steps.iter().map(|s| s.status.state).collect();
    assert_eq!(
        states,
        [
            ClaimState::Downloading,
            ClaimState::Verified,
            ClaimState::Stored,
            ClaimState::Abandoned
        ]
    );
    assert_eq!(steps[0].action, ClaimAction::Download { delay_ms: 0 });
    assert_eq!(steps[1].action, ClaimAction::Store);
    assert_eq!(steps[2].action, ClaimAction::Abandon { delay_ms: 0 });
    assert_eq!(steps[3].action, ClaimAction::Done);
    assert_eq!(steps[3].status.attempts, 1);
    assert_eq!(steps[0].lease_until, Some(NOW + 60_000.0));
    assert_eq!(steps[3].lease_until, None);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn checksum_is_compared_case_insensitively() {
    let steps = run(&[
        record("AVAILABLE", Some(&GOOD.to_ascii_uppercase())),
        downloaded(GOOD),
    ]);
    assert_eq!(steps[1].action, ClaimAction::Store);
    assert_eq!(steps[1].status.sha256_check_sum.as_deref(), Some(GOOD));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn mismatches_download_again_then_quarantine_never_abandon() {
    let steps = run(&[
        record("AVAILABLE", Some(GOOD)),
        downloaded(OTHER),
        downloaded(OTHER),
        downloaded(OTHER),
        // Late or duplicate events change nothing any more.
        ClaimEvent::Stored {},
        record("AVAILABLE", Some(GOOD)),
    ]);
    assert_eq!(steps[1].action, ClaimAction::Download { delay_ms: 200 });
    assert_eq!(steps[2].action, ClaimAction::Download { delay_ms: 400 });
    assert_eq!(steps[3].action, ClaimAction::Done);
    assert_eq!(steps[3].status.state, ClaimState::Quarantined);
    assert_eq!(steps[3].status.mismatches, 3);
    assert_eq!(steps[3].status.attempts, 3);
    assert!(steps[3].status.error.as_deref().unwrap().contains(OTHER));
    for s in &steps[4..] {
        assert_eq!(s.status.state, ClaimState::Quarantined);
        assert_eq!(s.action, ClaimAction::Done);
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_match_after_a_mismatch_is_stored() {
    let steps = run(&[
        record("AVAILABLE", Some(GOOD)),
        downloaded(OTHER),
        downloaded(GOOD),
        ClaimEvent::Stored {},
    ]);
    assert_eq!(steps[3].action, ClaimAction::Abandon { delay_ms: 0 });
    assert_eq!(steps[3].status.mismatches, 1);
    assert_eq!(steps[3].status.error, None);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn failed_archives_fail_with_their_error() {
    let s = step(
        &p(),
        &ClaimStatus::new(),
        &ClaimEvent::Record {
            status: "FAILED".into(),
            sha256_check_sum: None,
            error: Some("packing failed".into()),
        },
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(s.status.state, ClaimState::Failed);
    assert_eq!(s.action, ClaimAction::Done);
    assert!(s.status.error.unwrap().contains("packing failed"));
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn pending_and_unknown_statuses_release() {
    for st in [
        "PROCESSING",
        "PACKING",
        "ARTIFACT_GATHERING_COMPLETE",
        "SOMETHING_NEW",
    ] {
        let s = step(&p(), &ClaimStatus::new(), &record(st, None), NOW, None).unwrap();
        assert_eq!(s.status.state, ClaimState::Seen, "{st}");
        assert!(matches!(s.action, ClaimAction::Release { .. }), "{st}");
        assert_eq!(s.lease_until, None);
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn available_without_checksum_is_quarantined() {
    let s = step(
        &p(),
        &ClaimStatus::new(),
        &record("AVAILABLE", None),
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(s.status.state, ClaimState::Quarantined);
    let s = step(
        &p(),
        &ClaimStatus::new(),
        &record("AVAILABLE", Some("xyz")),
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(s.status.state, ClaimState::Quarantined);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn stored_then_found_abandoned_is_not_abandoned_twice() {
    // A worker stored, abandoned, and died before writing "abandoned" down.
    let mut s = ClaimStatus::new();
    for e in [
        record("AVAILABLE", Some(GOOD)),
        downloaded(GOOD),
        ClaimEvent::Stored {},
    ] {
        s = step(&p(), &s, &e, NOW, None).unwrap().status;
    }
    assert_eq!(s.state, ClaimState::Stored);
    let next = step(&p(), &s, &record("ABANDONED", Some(GOOD)), NOW, None).unwrap();
    assert_eq!(next.status.state, ClaimState::Abandoned);
    assert_eq!(next.action, ClaimAction::Done);
    // Not stored yet but already ABANDONED (still downloadable): store, then no abandon call.
    let steps = run(&[
        record("ABANDONED", Some(GOOD)),
        downloaded(GOOD),
        ClaimEvent::Stored {},
    ]);
    assert_eq!(steps[0].action, ClaimAction::Download { delay_ms: 0 });
    assert_eq!(steps[2].action, ClaimAction::Done);
    assert_eq!(steps[2].status.state, ClaimState::Abandoned);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn expired_before_store_fails() {
    let steps = run(&[record("EXPIRED", Some(GOOD))]);
    assert_eq!(steps[0].status.state, ClaimState::Failed);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_crash_in_any_state_downloads_again_on_restart() {
    for state in [
        ClaimState::Seen,
        ClaimState::Downloading,
        ClaimState::Verified,
    ] {
        let s = ClaimStatus {
            state,
            sha256_check_sum: Some(GOOD.into()),
            attempts: 1,
            ..ClaimStatus::new()
        };
        let next = step(&p(), &s, &record("AVAILABLE", Some(GOOD)), NOW, None).unwrap();
        assert_eq!(
            next.action,
            ClaimAction::Download { delay_ms: 0 },
            "{state:?}"
        );
        assert_eq!(next.status.attempts, 2);
    }
    let s = ClaimStatus {
        state: ClaimState::Stored,
        sha256_check_sum: Some(GOOD.into()),
        ..ClaimStatus::new()
    };
    let next = step(&p(), &s, &record("AVAILABLE", Some(GOOD)), NOW, None).unwrap();
    assert_eq!(next.action, ClaimAction::Abandon { delay_ms: 0 });
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_changed_checksum_quarantines() {
    let s = ClaimStatus {
        state: ClaimState::Verified,
        sha256_check_sum: Some(GOOD.into()),
        ..ClaimStatus::new()
    };
    let next = step(&p(), &s, &record("AVAILABLE", Some(OTHER)), NOW, None).unwrap();
    assert_eq!(next.status.state, ClaimState::Quarantined);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn transient_download_failures_retry_then_release() {
    let mut s = run(&[record("AVAILABLE", Some(GOOD))])[0].status.clone();
    let e = ClaimEvent::DownloadFailed {
        error: err("ApiError", Some("SERVER_ERROR"), Some(500)),
    };
    let mut delays = Vec::new();
    loop {
        let st = step(&p(), &s, &e, NOW, None).unwrap();
        s = st.status;
        match st.action {
            ClaimAction::Download { delay_ms } => delays.push(delay_ms),
            ClaimAction::Release { reason } => {
                assert!(reason.contains("SERVER_ERROR"), "{reason}");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays, [200, 400, 800, 1600]);
    assert_eq!(s.state, ClaimState::Seen);
    assert_eq!(s.failures, 0);
    assert_eq!(s.attempts, 5);
    // Not transient: released at once.
    let mut s = run(&[record("AVAILABLE", Some(GOOD))])[0].status.clone();
    s = step(
        &p(),
        &s,
        &ClaimEvent::DownloadFailed {
            error: err("ApiError", Some("UNAUTHORIZED"), Some(401)),
        },
        NOW,
        None,
    )
    .unwrap()
    .status;
    assert_eq!(s.state, ClaimState::Seen);
    // 409 on download: the record changed; read it again.
    let s2 = run(&[record("AVAILABLE", Some(GOOD))])[0].status.clone();
    let st = step(
        &p(),
        &s2,
        &ClaimEvent::DownloadFailed {
            error: err("ApiError", Some("CONFLICT"), Some(409)),
        },
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(st.action, ClaimAction::Refresh { delay_ms: 0 });
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_failed_abandon_reads_the_record_before_calling_again() {
    let steps = run(&[
        record("AVAILABLE", Some(GOOD)),
        downloaded(GOOD),
        ClaimEvent::Stored {},
        ClaimEvent::AbandonFailed {
            error: err("NetworkError", Some("NETWORK"), None),
        },
        record("ABANDONED", Some(GOOD)),
    ]);
    assert_eq!(steps[3].action, ClaimAction::Refresh { delay_ms: 200 });
    assert_eq!(steps[3].status.state, ClaimState::Stored);
    assert_eq!(steps[4].status.state, ClaimState::Abandoned);
    assert_eq!(steps[4].action, ClaimAction::Done);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn sink_conflicts_quarantine_and_other_sink_errors_download_again() {
    let base = run(&[record("AVAILABLE", Some(GOOD)), downloaded(GOOD)])[1]
        .status
        .clone();
    let c = step(
        &p(),
        &base,
        &ClaimEvent::StoreFailed {
            error: err("SinkError", Some(SINK_CONFLICT), None),
        },
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(c.status.state, ClaimState::Quarantined);
    let io = step(
        &p(),
        &base,
        &ClaimEvent::StoreFailed {
            error: err("Error", Some("EIO"), None),
        },
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(io.action, ClaimAction::Download { delay_ms: 200 });
    assert_eq!(io.status.state, ClaimState::Downloading);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn a_missing_record_fails_and_transient_reads_retry() {
    let s = step(
        &p(),
        &ClaimStatus::new(),
        &ClaimEvent::RecordFailed {
            error: err("ApiError", Some("NOT_FOUND"), Some(404)),
        },
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(s.status.state, ClaimState::Failed);
    let s = step(
        &p(),
        &ClaimStatus::new(),
        &ClaimEvent::RecordFailed {
            error: err("ApiError", Some("RATE_LIMITED"), Some(429)),
        },
        NOW,
        None,
    )
    .unwrap();
    assert_eq!(s.action, ClaimAction::Refresh { delay_ms: 200 });
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn unexpected_events_are_refused() {
    for e in [
        downloaded(GOOD),
        ClaimEvent::Stored {},
        ClaimEvent::Abandoned {},
        ClaimEvent::AbandonFailed {
            error: err("NetworkError", None, None),
        },
    ] {
        let r = step(&p(), &ClaimStatus::new(), &e, NOW, None);
        assert_eq!(r.unwrap_err().code(), "UNEXPECTED_EVENT");
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn leases() {
    let r = step(
        &p(),
        &ClaimStatus::new(),
        &record("AVAILABLE", Some(GOOD)),
        NOW,
        Some(NOW),
    );
    assert_eq!(r.unwrap_err().code(), "LEASE_EXPIRED");
    let r = step(
        &p(),
        &ClaimStatus::new(),
        &record("AVAILABLE", Some(GOOD)),
        NOW,
        Some(NOW + 1.0),
    )
    .unwrap();
    assert_eq!(r.lease_until, Some(NOW + 60_000.0));
    assert!(step(
        &p(),
        &ClaimStatus::new(),
        &ClaimEvent::Stored {},
        f64::NAN,
        None
    )
    .is_err());
    use ClaimState::*;
    assert!(may_take(Seen, None, None, "a", NOW));
    assert!(may_take(Stored, Some("a"), Some(NOW + 5.0), "a", NOW));
    assert!(!may_take(Stored, Some("b"), Some(NOW + 5.0), "a", NOW));
    assert!(may_take(Stored, Some("b"), Some(NOW), "a", NOW));
    assert!(!may_take(Abandoned, None, None, "a", NOW));
    assert!(!may_take(Quarantined, None, None, "a", NOW));
    assert_eq!(p().renew_every_ms(), 20_000);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn policies_are_checked() {
    let bad = [
        ClaimPolicy {
            max_mismatches: 0,
            ..p()
        },
        ClaimPolicy {
            max_failures: 0,
            ..p()
        },
        ClaimPolicy {
            lease_ms: 10,
            ..p()
        },
        ClaimPolicy {
            base_delay_ms: 10,
            max_delay_ms: 5,
            ..p()
        },
    ];
    for b in bad {
        let r = step(
            &b,
            &ClaimStatus::new(),
            &record("AVAILABLE", None),
            NOW,
            None,
        );
        assert_eq!(r.unwrap_err().code(), "INVALID_POLICY");
    }
    assert_eq!(p().delay_ms(40), 10_000);
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn file_names() {
    assert_eq!(file_name("conf_1", "arc_2").unwrap(), "conf_1--arc_2.zip");
    for (c, a) in [
        ("../x", "a"),
        ("c", "a/b"),
        ("c", ""),
        ("c d", "a"),
        (".hidden", "a"),
        ("a--b", "c"),
        ("c", "a%2f"),
    ] {
        assert_eq!(
            file_name(c, a).unwrap_err().code(),
            "INVALID_INPUT",
            "{c} {a}"
        );
    }
}

#[test]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn wire_shapes() {
    let e: ClaimEvent =
        serde_json::from_str(r#"{"record":{"status":"AVAILABLE","sha256CheckSum":"ab"}}"#).unwrap();
    assert_eq!(e, record("AVAILABLE", Some("ab")));
    let e: ClaimEvent = serde_json::from_str(
        r#"{"downloadFailed":{"error":{"name":"ApiError","code":"SERVER_ERROR","status":503,"message":"x"}}}"#,
    )
    .unwrap();
    assert!(matches!(e, ClaimEvent::DownloadFailed { .. }));
    assert_eq!(
        serde_json::from_str::<ClaimEvent>(r#"{"stored":{}}"#).unwrap(),
        ClaimEvent::Stored {}
    );
    assert!(serde_json::from_str::<ClaimEvent>(r#"{"stored":{"extra":1}}"#).is_err());
    assert!(serde_json::from_str::<ClaimEvent>(r#"{"nope":{}}"#).is_err());
    // The event's name is its one key, not a `type` field.
    assert!(serde_json::from_str::<ClaimEvent>(r#"{"type":"stored"}"#).is_err());
    assert!(serde_json::from_str::<ClaimStatus>(r#"{"state":"stored","owner":"x"}"#).is_err());
    let s: ClaimStatus = serde_json::from_str(r#"{"state":"downloading"}"#).unwrap();
    assert_eq!(s.state, ClaimState::Downloading);
    let pol: ClaimPolicy = serde_json::from_str(r#"{"leaseMs":5000}"#).unwrap();
    assert_eq!(pol.lease_ms, 5000);
    assert_eq!(pol.max_mismatches, 3);
    let out = serde_json::to_value(
        step(
            &p(),
            &ClaimStatus::new(),
            &record("AVAILABLE", Some(GOOD)),
            NOW,
            None,
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        out["action"],
        serde_json::json!({"type":"download","delayMs":0})
    );
    assert_eq!(out["status"]["state"], "downloading");
    assert_eq!(out["status"]["sha256CheckSum"], GOOD);
}

/// Property tests (proptest is a native-only dev-dependency).
#[cfg(not(target_arch = "wasm32"))]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn event() -> impl Strategy<Value = ClaimEvent> {
        let status = prop_oneof![
            Just("AVAILABLE"),
            Just("ABANDONED"),
            Just("PACKING"),
            Just("FAILED"),
            Just("EXPIRED"),
            Just("WHATEVER"),
        ];
        let sha = prop_oneof![
            Just(Some(GOOD)),
            Just(Some(OTHER)),
            Just(None),
            Just(Some("zz"))
        ];
        let error = (
            prop_oneof![
                Just("ApiError"),
                Just("NetworkError"),
                Just("SinkError"),
                Just("Error")
            ],
            prop_oneof![Just(None), Just(Some("SINK_CONFLICT")), Just(Some("X"))],
            prop_oneof![
                Just(None),
                Just(Some(404u16)),
                Just(Some(409)),
                Just(Some(429)),
                Just(Some(500)),
                Just(Some(503)),
                Just(Some(401))
            ],
        )
            .prop_map(|(n, c, s)| err(n, c, s));
        prop_oneof![
            (status, sha).prop_map(|(st, sh)| record(st, sh)),
            prop_oneof![Just(GOOD), Just(OTHER)].prop_map(downloaded),
            error
                .clone()
                .prop_map(|error| ClaimEvent::DownloadFailed { error }),
            error
                .clone()
                .prop_map(|error| ClaimEvent::RecordFailed { error }),
            error
                .clone()
                .prop_map(|error| ClaimEvent::StoreFailed { error }),
            error.prop_map(|error| ClaimEvent::AbandonFailed { error }),
            Just(ClaimEvent::Stored {}),
            Just(ClaimEvent::Abandoned {}),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        /// Whatever the order of events (including impossible ones, which are refused): an
        /// Abandon action comes only in state stored, after a download that matched the
        /// record's checksum and then a successful commit; never after the platform showed the
        /// archive abandoned; never in a quarantined or final state; and mismatches are bounded.
        #[test]
        fn never_abandons_without_a_verified_stored_copy(events in prop::collection::vec(event(), 0..40)) {
            let policy = p();
            let mut s = ClaimStatus::new();
            // Ghost state: whether the last download matched the expected checksum, and whether
            // a commit followed it.
            let mut matched = false;
            let mut stored_after_match = false;
            let mut seen_abandoned = false;
            for e in &events {
                let expected = s.sha256_check_sum.clone();
                let before = s.state;
                let Ok(st) = step(&policy, &s, e, NOW, None) else {
                    continue;
                };
                match e {
                    ClaimEvent::Downloaded { sha256, .. } => {
                        matched = expected.as_deref() == Some(sha256.as_str());
                        stored_after_match = false;
                    }
                    ClaimEvent::Stored {} if before == ClaimState::Verified => {
                        stored_after_match = matched;
                    }
                    ClaimEvent::Record { status, .. } if status == "ABANDONED" || status == "EXPIRED" => {
                        if before.is_final() { continue; }
                        seen_abandoned = true;
                    }
                    ClaimEvent::Record { .. } if !before.is_final() => seen_abandoned = false,
                    ClaimEvent::Abandoned {} => seen_abandoned = true,
                    _ => {}
                }
                if let ClaimAction::Abandon { .. } = st.action {
                    prop_assert_eq!(st.status.state, ClaimState::Stored);
                    prop_assert!(stored_after_match, "abandon without a verified stored copy: {:?}", events);
                    prop_assert!(!seen_abandoned, "abandon of an archive shown abandoned: {:?}", events);
                }
                if st.status.state == ClaimState::Abandoned && before != ClaimState::Abandoned {
                    prop_assert!(stored_after_match, "abandoned state without a stored copy: {:?}", events);
                }
                if st.status.state == ClaimState::Stored && before != ClaimState::Stored {
                    prop_assert!(stored_after_match);
                }
                if before.is_final() {
                    prop_assert_eq!(st.status.state, before);
                    prop_assert_eq!(&st.action, &ClaimAction::Done);
                }
                prop_assert!(st.status.mismatches <= policy.max_mismatches);
                if matches!(st.action, ClaimAction::Download { .. }) {
                    prop_assert!(st.status.mismatches < policy.max_mismatches);
                    prop_assert_eq!(st.status.state, ClaimState::Downloading);
                }
                s = st.status;
            }
        }
    }
}

#[test]
fn ledger_statements_are_retried_only_for_ended_connections_and_only_so_often() {
    use super::{retry_ledger_statement, LEDGER_STATEMENT_ATTEMPTS};
    for code in ["57P01", "57P02", "57P03", "08000", "08003", "08006"] {
        assert!(retry_ledger_statement(Some(code), "", 1), "{code}");
    }
    assert!(retry_ledger_statement(
        None,
        "Connection terminated unexpectedly",
        1
    ));
    assert!(retry_ledger_statement(
        Some("XX000"),
        "terminating connection due to administrator command",
        2
    ));
    // Not the connection's fault: a unique violation, a syntax error, a full disk, no code at all.
    for code in [Some("23505"), Some("42601"), Some("53100"), None] {
        assert!(!retry_ledger_statement(code, "duplicate key value", 1));
    }
    // The last attempt is the last.
    assert!(retry_ledger_statement(
        Some("57P01"),
        "",
        LEDGER_STATEMENT_ATTEMPTS - 1
    ));
    assert!(!retry_ledger_statement(
        Some("57P01"),
        "",
        LEDGER_STATEMENT_ATTEMPTS
    ));
}
