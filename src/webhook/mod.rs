//! Webhooks: callback URL checks, IP blocks, and the verifier of unsigned deliveries.
//!
//! The checks and the one-pass scan of the body live in the `flexperto-webhook` crate (built for
//! speed); this module adds the full parse that names the rule a payload breaks.

pub mod flow;
pub mod ip;
pub mod rotation;
pub mod url;
pub use flexperto_webhook::verify::{
    is_sha256_hex, ArchiveEvent, Delivery, Field, Verified, VerifiedParts, VerifierConfig,
    DEFAULT_MAX_BODY_BYTES, FIELD_COUNT, TOPIC_ARCHIVE_AVAILABLE,
};
pub use url::validate_callback_url;

use serde_json::Value;

use crate::models::json_kind;

use crate::error::WebhookError;

/// Formats 24 random bytes as a 32-character base64url secret (192 bits) for a callback path.
pub fn format_secret(random: &[u8; 24]) -> String {
    crate::b64::encode(random)
}

fn violation(path: &str, reason: &str) -> WebhookError {
    WebhookError::SchemaViolation {
        path: path.into(),
        reason: reason.into(),
    }
}

/// An optional string field: absent and `null` both mean "not given".
fn want_string<'v>(
    v: Option<&'v Value>,
    path: &str,
    required: bool,
) -> Result<Option<&'v str>, WebhookError> {
    match v {
        None | Some(Value::Null) if required => Err(violation(path, "required")),
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if required && s.is_empty() => {
            Err(violation(path, "must not be empty"))
        }
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(violation(
            path,
            &format!("must be a string, not {}", json_kind(other)),
        )),
    }
}

/// The slow path: the full parse, which names the first schema rule a payload breaks. It is
/// what the verifier falls back on when the one-pass scan
/// ([`flexperto_webhook::verify::fast_path`]) does not answer; public for the differential
/// fuzz target, which holds the two against each other.
///
/// `archive_topic`'s deliveries (and those without a topic) must carry `data.archive_id` and
/// `data.archive_subject.conference_id`; any other topic is a generic event, whose `data` may
/// be anything or absent.
///
/// # Errors
/// `MALFORMED_JSON` or `SCHEMA_VIOLATION` (with the path of the field).
pub fn full_parse(
    body: &[u8],
    archive_topic: &str,
    out: &mut VerifiedParts,
) -> Result<(), WebhookError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::MalformedJson(e.to_string()))?;
    let Value::Object(env) = &v else {
        return Err(violation(
            "$",
            &format!("must be an object, not {}", json_kind(&v)),
        ));
    };
    let id = match env.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(violation(
                "id",
                &format!("must be a string or a number, not {}", json_kind(other)),
            ))
        }
    };
    let topic = want_string(env.get("topic"), "topic", false)?;
    let is_archive = topic.is_none_or(|t| t == archive_topic);
    let data = match env.get("data") {
        // Another topic's data is not ours to judge: the event is passed on whole.
        _ if !is_archive => None,
        None | Some(Value::Null) => return Err(violation("data", "required")),
        Some(Value::Object(d)) => Some(d),
        Some(other) => {
            return Err(violation(
                "data",
                &format!("must be an object, not {}", json_kind(other)),
            ))
        }
    };
    out.put(Field::Topic, topic.unwrap_or(archive_topic));
    if let Some(id) = id {
        out.put(Field::NotificationId, &id);
    }
    if let Some(data) = data {
        let archive_id = want_string(data.get("archive_id"), "data.archive_id", true)?;
        let conference_id = match data.get("archive_subject") {
            None | Some(Value::Null) => return Err(violation("data.archive_subject", "required")),
            Some(Value::Object(s)) => want_string(
                s.get("conference_id"),
                "data.archive_subject.conference_id",
                true,
            )?,
            Some(other) => {
                return Err(violation(
                    "data.archive_subject",
                    &format!("must be an object, not {}", json_kind(other)),
                ))
            }
        };
        let sha256 = want_string(data.get("sha256CheckSum"), "data.sha256CheckSum", false)?;
        want_string(data.get("status"), "data.status", false)?;
        if sha256.is_some_and(|s| !is_sha256_hex(s)) {
            return Err(violation(
                "data.sha256CheckSum",
                "must be 64 hexadecimal characters",
            ));
        }
        out.put(Field::ArchiveId, archive_id.unwrap_or_default());
        out.put(Field::ConferenceId, conference_id.unwrap_or_default());
        if let Some(s) = sha256 {
            out.put(Field::Sha256, &s.to_ascii_lowercase());
        }
    }
    Ok(())
}

/// Verifies one delivery into `out` (reused between calls).
///
/// # Errors
/// The first check that fails, in this order: `SECRET_MISMATCH`, `IP_NOT_ALLOWED`,
/// `BAD_CONTENT_TYPE`, `BODY_TOO_LARGE`, `MALFORMED_JSON`, `SCHEMA_VIOLATION`.
pub fn verify_into(
    cfg: &VerifierConfig,
    d: &Delivery<'_>,
    out: &mut VerifiedParts,
) -> Result<(), WebhookError> {
    let topic = cfg.archive_topic();
    flexperto_webhook::verify::verify_into(cfg, d, out, &mut |body, out| {
        full_parse(body, topic, out)
    })
}

/// Verifies one delivery.
///
/// # Errors
/// As [`verify_into`].
pub fn verify(cfg: &VerifierConfig, d: &Delivery<'_>) -> Result<Verified, WebhookError> {
    let mut out = VerifiedParts::default();
    verify_into(cfg, d, &mut out)?;
    let get = |f: Field| out.get(f).map(str::to_owned);
    let archive = match (get(Field::ArchiveId), get(Field::ConferenceId)) {
        (Some(archive_id), Some(conference_id)) => Some(ArchiveEvent {
            archive_id,
            conference_id,
            sha256: get(Field::Sha256),
        }),
        _ => None,
    };
    Ok(Verified {
        topic: get(Field::Topic).unwrap_or_default(),
        notification_id: get(Field::NotificationId),
        archive,
        dedupe_key: get(Field::DedupeKey).unwrap_or_default(),
        secret_index: out.secret_index,
        source: get(Field::SourceAddress).and_then(|s| s.parse().ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const S1: &str = "F40mfum7pZC8DtdgGOYSijx26blP0HLs";
    const S0: &str = "Zq3xV8nR2mK7pL4wT9yB6cD1fG5hJ0sA";
    const OK: &str = r#"{"id":"ntf_1","topic":"archive.available","createdAt":"2026-11-28T20:00:00Z","data":{"archive_id":"arc_1","archive_subject":{"conference_id":"conf_1","x":1},"sha256CheckSum":"ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789","status":"AVAILABLE","extra":[1]},"more":true}"#;

    fn cfg() -> VerifierConfig {
        VerifierConfig::new(
            &[S0.into(), S1.into()],
            Some(&["203.0.113.0/24".into(), "2001:db8::/32".into()]),
            1,
            Some(4096),
        )
        .unwrap()
    }

    fn d<'a>(
        path: &'a str,
        remote: &'a str,
        xff: Option<&'a str>,
        ct: Option<&'a str>,
        body: &'a str,
    ) -> Delivery<'a> {
        Delivery {
            path,
            remote_address: remote,
            content_type: ct,
            forwarded_for: xff,
            body: body.as_bytes(),
        }
    }

    #[test]
    fn accepts_a_valid_delivery_with_either_secret() {
        let p0 = format!("/callbacks/flexperto/{S0}");
        let v = verify(
            &cfg(),
            &d(
                &p0,
                "10.0.0.2",
                Some("203.0.113.9"),
                Some("application/json; charset=utf-8"),
                OK,
            ),
        )
        .unwrap();
        assert_eq!(v.topic, "archive.available");
        let a = v.archive.unwrap();
        assert_eq!(
            (a.archive_id.as_str(), a.conference_id.as_str()),
            ("arc_1", "conf_1")
        );
        assert_eq!(
            a.sha256.unwrap(),
            "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
        );
        assert_eq!(v.dedupe_key, "archive.available:arc_1");
        assert_eq!(v.secret_index, 0);
        let p1 = format!("/cb/{S1}?attempt=2");
        assert_eq!(
            verify(
                &cfg(),
                &d(
                    &p1,
                    "::ffff:10.0.0.2",
                    Some("203.0.113.9"),
                    Some("application/json"),
                    OK
                )
            )
            .unwrap()
            .secret_index,
            1
        );
    }

    #[test]
    fn bad_input_table() {
        let p = format!("/cb/{S1}");
        let ct = Some("application/json");
        let xff = Some("203.0.113.9");
        let big = format!("{{\"data\":{{\"archive_id\":\"{}\"}}}}", "x".repeat(5000));
        let cases: Vec<(Delivery<'_>, &str)> = vec![
            (
                d(
                    "/cb/F40mfum7pZC8DtdgGOYSijx26blP0HLt",
                    "10.0.0.2",
                    xff,
                    ct,
                    OK,
                ),
                "SECRET_MISMATCH",
            ),
            (d("/cb", "10.0.0.2", xff, ct, OK), "SECRET_MISMATCH"),
            (
                d(&p, "10.0.0.2", Some("198.51.100.1"), ct, OK),
                "IP_NOT_ALLOWED",
            ),
            (d(&p, "10.0.0.2", None, ct, OK), "IP_NOT_ALLOWED"),
            (
                d(&p, "203.0.113.9", Some("198.51.100.1"), ct, OK),
                "IP_NOT_ALLOWED",
            ),
            (
                d(&p, "10.0.0.2", Some("203.0.113.9, 198.51.100.1"), ct, OK),
                "IP_NOT_ALLOWED",
            ),
            (
                d(&p, "10.0.0.2", xff, Some("text/plain"), OK),
                "BAD_CONTENT_TYPE",
            ),
            (d(&p, "10.0.0.2", xff, None, OK), "BAD_CONTENT_TYPE"),
            (d(&p, "10.0.0.2", xff, ct, &big), "BODY_TOO_LARGE"),
            (d(&p, "10.0.0.2", xff, ct, "{not json"), "MALFORMED_JSON"),
            (d(&p, "10.0.0.2", xff, ct, ""), "MALFORMED_JSON"),
            (d(&p, "10.0.0.2", xff, ct, "[1]"), "SCHEMA_VIOLATION"),
            (
                d(&p, "10.0.0.2", xff, ct, r#"{"topic":"archive.available"}"#),
                "SCHEMA_VIOLATION",
            ),
            (
                d(
                    &p,
                    "10.0.0.2",
                    xff,
                    ct,
                    r#"{"data":{"archive_id":5,"archive_subject":{"conference_id":"c"}}}"#,
                ),
                "SCHEMA_VIOLATION",
            ),
            (
                d(&p, "10.0.0.2", xff, ct, r#"{"data":{"archive_id":"a"}}"#),
                "SCHEMA_VIOLATION",
            ),
            (
                d(
                    &p,
                    "10.0.0.2",
                    xff,
                    ct,
                    r#"{"data":{"archive_id":"a","archive_subject":{"conference_id":"c"},"sha256CheckSum":"xyz"}}"#,
                ),
                "SCHEMA_VIOLATION",
            ),
        ];
        for (delivery, code) in cases {
            assert_eq!(
                verify(&cfg(), &delivery).map(|_| ()).unwrap_err().code(),
                code,
                "{delivery:?}"
            );
        }
        let e = verify(
            &cfg(),
            &d(
                &p,
                "10.0.0.2",
                xff,
                ct,
                r#"{"data":{"archive_id":5,"archive_subject":{"conference_id":"c"}}}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(
            e,
            WebhookError::SchemaViolation {
                path: "data.archive_id".into(),
                reason: "must be a string, not a number".into()
            }
        );
        let e = verify(
            &cfg(),
            &d(
                &p,
                "10.0.0.2",
                xff,
                ct,
                r#"{"data":{"archive_id":"a","archive_subject":{}}}"#,
            ),
        )
        .unwrap_err();
        assert_eq!(
            e,
            WebhookError::SchemaViolation {
                path: "data.archive_subject.conference_id".into(),
                reason: "required".into()
            }
        );
    }

    /// Whenever the scanner answers, the full parse gives the same fields.
    #[test]
    fn fast_path_agrees_with_the_full_parse() {
        let seeds = [
            OK,
            r#"{"id":7,"topic":"conference.ended","data":{"conference_id":"c"}}"#,
            r#"{"data":{"archive_id":"a\u00e9\n","archive_subject":{"conference_id":"ü"},"sha256CheckSum":null,"status":null},"id":null,"topic":null}"#,
            // Raw (unescaped) non-ASCII text, which the scanner itself answers for.
            r#"{"data":{"archive_id":"aé","archive_subject":{"conference_id":"ü"}},"topic":"archive.available"}"#,
            r#" { "id" : "x\"y" , "data" : { "archive_subject" : { "conference_id" : "c" } , "archive_id" : "a" , "n" : [ -0.5 , 12 , true , false , null , { } , [ ] ] } } "#,
        ];
        let alphabet: &[u8] = b"{}[]\":,\\ 0123456789-.eEtrufalsn\xc3\xa9aix_/u\n";
        let (mut fast, mut total) = (0, 0);
        let seeds: Vec<&[u8]> = seeds.iter().map(|s| s.as_bytes()).collect();
        // The default archive topic, then another one (so the seeds' other topic is the archive's).
        let topics = [TOPIC_ARCHIVE_AVAILABLE, "conference.ended"];
        let runs = topics.iter().enumerate().flat_map(|(i, topic)| {
            crate::test_mutate::mutations(
                &seeds,
                alphabet,
                20_000,
                3,
                0x2545_f491_4f6c_dd1d + i as u64,
            )
            .map(move |b| (*topic, b))
        });
        for (topic, b) in runs {
            total += 1;
            let Ok(text) = core::str::from_utf8(&b) else {
                continue;
            };
            let mut a = VerifiedParts::default();
            a.clear();
            if flexperto_webhook::verify::fast_path(&b, topic, &mut a).is_none() {
                continue;
            }
            fast += 1;
            let mut s = VerifiedParts::default();
            s.clear();
            assert!(full_parse(&b, topic, &mut s).is_ok(), "{text}");
            for f in [
                Field::Topic,
                Field::NotificationId,
                Field::ArchiveId,
                Field::ConferenceId,
                Field::Sha256,
            ] {
                assert_eq!(a.get(f), s.get(f), "{f:?} of {text}");
            }
            assert_eq!(a.ascii, s.ascii, "{text}");
        }
        // The mutations must leave enough payloads on the fast path to mean something.
        eprintln!("fast path answered {fast} of {total}");
        assert!(fast > total / 10, "{fast} of {total}");
    }

    /// The archive topic is the verifier's option; a delivery of any other topic is a generic
    /// event, passed on whole whatever its `data` (or without one), never refused for it.
    #[test]
    fn archive_topic_is_an_option_and_other_topics_pass_as_generic_events() {
        let p = format!("/cb/{S1}");
        let ct = Some("application/json");
        let open = VerifierConfig::new(&[S1.into()], None, 0, None).unwrap();
        let renamed = open.clone().with_archive_topic("ArchiveAvailable").unwrap();
        assert_eq!(renamed.archive_topic(), "ArchiveAvailable");
        let tenant = r#"{"id":"n1","topic":"ArchiveAvailable","data":{"archive_id":"a1","archive_subject":{"conference_id":"c1"}}}"#;
        let escaped = r#"{"id":"n1","topic":"ArchiveAvailable","data":{"archive_id":"a1","archive_subject":{"conference_id":"c1"}}}"#;
        for body in [tenant, escaped] {
            let v = verify(&renamed, &d(&p, "198.51.100.1", None, ct, body)).unwrap();
            assert_eq!(v.topic, "ArchiveAvailable");
            let a = v.archive.unwrap();
            assert_eq!(
                (a.archive_id.as_str(), a.conference_id.as_str()),
                ("a1", "c1")
            );
            assert_eq!(v.dedupe_key, "ArchiveAvailable:a1");
            // Under the default topic the same delivery is a generic event, not refused.
            let v = verify(&open, &d(&p, "198.51.100.1", None, ct, body)).unwrap();
            assert_eq!((v.topic.as_str(), v.archive), ("ArchiveAvailable", None));
        }
        // The archive topic's schema still holds for it.
        let broken = r#"{"topic":"ArchiveAvailable","data":{"archive_id":"a1"}}"#;
        assert_eq!(
            verify(&renamed, &d(&p, "198.51.100.1", None, ct, broken))
                .unwrap_err()
                .code(),
            "SCHEMA_VIOLATION"
        );
        // No topic: the archive topic's event, named by the configured topic.
        let bare = r#"{"data":{"archive_id":"a1","archive_subject":{"conference_id":"c1"}}}"#;
        let v = verify(&renamed, &d(&p, "198.51.100.1", None, ct, bare)).unwrap();
        assert_eq!(v.topic, "ArchiveAvailable");
        // Other topics, whatever their data: generic events.
        for body in [
            r#"{"id":9,"topic":"conference.ended","data":[1,2]}"#,
            r#"{"id":9,"topic":"conference.ended"}"#,
            r#"{"id":9,"topic":"conference.ended","data":"x"}"#,
            r#"{"id":9,"topic":"conference.ended","data":null}"#,
            r#"{"id":9,"topic":"archive.available","data":7}"#,
        ] {
            let v = verify(&renamed, &d(&p, "198.51.100.1", None, ct, body)).unwrap();
            assert_eq!(v.archive, None, "{body}");
            assert_eq!(v.dedupe_key, format!("{}:9", v.topic), "{body}");
        }
        for bad in ["", " ", "a\nb"] {
            assert_eq!(
                open.clone().with_archive_topic(bad).unwrap_err().code(),
                "INVALID_CONFIG"
            );
        }
        assert!(open.clone().with_archive_topic(&"t".repeat(201)).is_err());
    }

    #[test]
    fn config_is_checked() {
        assert!(VerifierConfig::new(&[], None, 0, None).is_err());
        let e = VerifierConfig::new(&["short-secret".into()], None, 0, None).unwrap_err();
        assert!(!e.to_string().contains("short-secret"));
        assert!(VerifierConfig::new(&[S1.into()], Some(&["10.0.0.0/33".into()]), 0, None).is_err());
        let open = VerifierConfig::new(&[S1.into()], None, 0, None).unwrap();
        let p = format!("/cb/{S1}");
        let generic = r#"{"id":7,"topic":"conference.ended","data":{"conference_id":"c"}}"#;
        let v = verify(
            &open,
            &d(&p, "198.51.100.1", None, Some("application/json"), generic),
        )
        .unwrap();
        assert_eq!(
            (v.topic.as_str(), v.dedupe_key.as_str(), v.archive),
            ("conference.ended", "conference.ended:7", None)
        );
    }
}
