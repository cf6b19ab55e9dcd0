//! Builders and parsers for meetings: ReserveMeeting.

use serde_json::{Map, Value};

use super::{
    build_path, invalid_response, parse_object, required_id, ApiRequest, ApiResponse, Operation,
    RouteTable,
};
use crate::error::{ApiError, ValidationError};
use crate::models::is_valid_email;
use crate::models::meetings::{Meeting, MeetingLink, MeetingRequest, Participant, ParticipantLink};
use crate::time::{format_rfc3339_ms, parse_rfc3339_ms};

/// At most this many participants per reservation.
pub const MAX_PARTICIPANTS: usize = 50;

fn arg(field: impl Into<String>, reason: &str) -> ValidationError {
    ValidationError::InvalidArgument {
        field: field.into(),
        reason: reason.into(),
    }
}

fn participant_json(i: usize, p: &Participant) -> Result<Value, ValidationError> {
    let mut o = Map::new();
    if let Some(e) = &p.email {
        if !is_valid_email(e) {
            return Err(ValidationError::InvalidEmail {
                field: format!("participants[{i}].email"),
            });
        }
        o.insert("email".into(), Value::String(e.clone()));
    }
    if let Some(f) = &p.first_name {
        o.insert("firstName".into(), Value::String(f.clone()));
    }
    if let Some(l) = &p.last_name {
        o.insert("lastName".into(), Value::String(l.clone()));
    }
    for (k, v) in &p.extra {
        if o.contains_key(k) {
            return Err(arg(format!("participants[{i}].{k}"), "given twice"));
        }
        o.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(o))
}

/// The window a reservation asks for: `(not_before, valid_until)` in Unix ms.
///
/// # Errors
/// [`ValidationError::InvalidArgument`] when `valid_until` is not after `not_before` or not in the
/// future.
pub fn window(req: &MeetingRequest, now_ms: i64) -> Result<(i64, i64), ValidationError> {
    let not_before = req.not_before_ms.unwrap_or(now_ms);
    if req.valid_until_ms <= not_before {
        return Err(arg(
            "accessLinkValidUntil",
            "must be after accessLinkNotBefore",
        ));
    }
    if req.valid_until_ms <= now_ms {
        return Err(arg("accessLinkValidUntil", "must be in the future"));
    }
    Ok((not_before, req.valid_until_ms))
}

/// `POST /api/v2/communication/meetings/meetings` (reserve a meeting moderated by an expert).
/// `now_ms` is the current time, for the window checks.
///
/// # Errors
/// [`ValidationError`] for an empty moderator id, a bad window, a malformed participant e-mail,
/// more than [`MAX_PARTICIPANTS`] participants, or extra fields that repeat named ones.
pub fn reserve_meeting(
    routes: &RouteTable,
    req: &MeetingRequest,
    now_ms: i64,
) -> Result<ApiRequest, ValidationError> {
    if req.moderator_account_id.trim().is_empty() {
        return Err(arg("moderatorAccountId", "is required"));
    }
    if req.participants.len() > MAX_PARTICIPANTS {
        return Err(arg("participants", "at most 50"));
    }
    let (not_before, valid_until) = window(req, now_ms)?;
    let participants = if req.participants.is_empty() {
        vec![Value::Object(Map::new())]
    } else {
        req.participants
            .iter()
            .enumerate()
            .map(|(i, p)| participant_json(i, p))
            .collect::<Result<_, _>>()?
    };
    let mut body = Map::new();
    body.insert(
        "flexperto_account_id".into(),
        Value::String(req.moderator_account_id.clone()),
    );
    body.insert("participants".into(), Value::Array(participants));
    body.insert(
        "access_link_not_before".into(),
        Value::String(format_rfc3339_ms(not_before)),
    );
    body.insert(
        "access_link_valid_until".into(),
        Value::String(format_rfc3339_ms(valid_until)),
    );
    for (k, v) in &req.extra {
        if body.contains_key(k) {
            return Err(arg(k.clone(), "given twice"));
        }
        body.insert(k.clone(), v.clone());
    }
    let path = build_path(routes, Operation::ReserveMeeting, &[], &[])?;
    Ok(ApiRequest::new(
        Operation::ReserveMeeting,
        path,
        Some(Value::Object(body).to_string()),
    ))
}

fn time_field(obj: &Map<String, Value>, field: &str) -> Option<i64> {
    obj.get(field)
        .and_then(Value::as_str)
        .and_then(parse_rfc3339_ms)
}

/// Parses a reservation. The links' window is the one the API echoes (`access_link_not_before`,
/// `access_link_valid_until`), or else the one requested (`requested`).
///
/// # Errors
/// `INVALID_RESPONSE` without an `id`, a string `moderator_link`, or a `participant_links` array
/// of objects with a string `link`.
pub fn parse_meeting(resp: &ApiResponse, requested: (i64, i64)) -> Result<Meeting, ApiError> {
    let op = Operation::ReserveMeeting;
    let bad = |why: &str| invalid_response(op, resp.status, why);
    let (obj, raw) = parse_object(op, resp)?;
    let id = required_id(op, resp.status, &obj, "id")?;
    let not_before_ms = time_field(&obj, "access_link_not_before").unwrap_or(requested.0);
    let valid_until_ms = time_field(&obj, "access_link_valid_until").unwrap_or(requested.1);
    let link = |url: &str| MeetingLink {
        url: url.to_owned(),
        not_before_ms,
        valid_until_ms,
    };
    let moderator = obj
        .get("moderator_link")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing moderator_link"))?;
    let participants = obj
        .get("participant_links")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("missing participant_links"))?;
    let participant_links = participants
        .iter()
        .map(|p| {
            let url = p
                .get("link")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("participant link without link"))?;
            Ok(ParticipantLink {
                link: link(url),
                raw: p.to_string(),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Meeting {
        id,
        moderator_link: link(moderator),
        participant_links,
        raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn req() -> MeetingRequest {
        MeetingRequest {
            moderator_account_id: "usr_1".into(),
            participants: vec![Participant {
                email: Some("kunde@example.invalid".into()),
                first_name: Some("Kim".into()),
                ..Default::default()
            }],
            not_before_ms: None,
            valid_until_ms: NOW + 3_600_000,
            extra: Map::new(),
        }
    }

    #[test]
    fn builds_the_reservation() {
        let r = reserve_meeting(&RouteTable::default(), &req(), NOW).unwrap();
        assert_eq!(r.path_and_query, "/api/v2/communication/meetings/meetings");
        assert!(!r.idempotent);
        let b: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(b["flexperto_account_id"], "usr_1");
        assert_eq!(b["access_link_not_before"], format_rfc3339_ms(NOW));
        assert_eq!(
            b["access_link_valid_until"],
            format_rfc3339_ms(NOW + 3_600_000)
        );
        assert_eq!(b["participants"][0]["firstName"], "Kim");
        let anon = MeetingRequest {
            participants: vec![],
            ..req()
        };
        let b: Value = serde_json::from_str(
            reserve_meeting(&RouteTable::default(), &anon, NOW)
                .unwrap()
                .body
                .as_deref()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(b["participants"], serde_json::json!([{}]));
    }

    #[test]
    fn refuses_bad_windows_and_emails() {
        let past = MeetingRequest {
            valid_until_ms: NOW - 1,
            not_before_ms: Some(NOW - 10),
            ..req()
        };
        assert_eq!(
            reserve_meeting(&RouteTable::default(), &past, NOW)
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
        let inverted = MeetingRequest {
            not_before_ms: Some(NOW + 7_200_000),
            ..req()
        };
        assert_eq!(
            reserve_meeting(&RouteTable::default(), &inverted, NOW)
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
        let mut bad = req();
        bad.participants[0].email = Some("nope".into());
        let e = reserve_meeting(&RouteTable::default(), &bad, NOW).unwrap_err();
        assert_eq!(
            e,
            ValidationError::InvalidEmail {
                field: "participants[0].email".into()
            }
        );
        let nobody = MeetingRequest {
            moderator_account_id: " ".into(),
            ..req()
        };
        assert!(reserve_meeting(&RouteTable::default(), &nobody, NOW).is_err());
    }

    #[test]
    fn parses_links_with_their_window() {
        let body = r#"{"id":"mtg_1","moderator_link":"https://x/join/m","participant_links":[{"email":"k@x.de","link":"https://x/join/p"}],"access_link_not_before":"2027-01-15T08:00:00Z","access_link_valid_until":"2027-01-15T09:00:00Z","extra":1}"#;
        let resp = ApiResponse {
            status: 201,
            body: body.as_bytes().to_vec(),
            ..Default::default()
        };
        let m = parse_meeting(&resp, (0, 1)).unwrap();
        assert_eq!(m.id, "mtg_1");
        assert_eq!(m.moderator_link.url, "https://x/join/m");
        assert_eq!(
            m.participant_links[0].link.not_before_ms,
            parse_rfc3339_ms("2027-01-15T08:00:00Z").unwrap()
        );
        assert!(m.raw.contains("\"extra\":1"));
        let no_window = r#"{"id":7,"moderator_link":"m","participant_links":[]}"#;
        let resp = ApiResponse {
            status: 201,
            body: no_window.as_bytes().to_vec(),
            ..Default::default()
        };
        assert_eq!(
            parse_meeting(&resp, (5, 9))
                .unwrap()
                .moderator_link
                .valid_until_ms,
            9
        );
        for bad in [
            r#"{"moderator_link":"m","participant_links":[]}"#,
            r#"{"id":"1","participant_links":[]}"#,
            r#"{"id":"1","moderator_link":"m","participant_links":[{}]}"#,
            "[]",
        ] {
            let resp = ApiResponse {
                status: 201,
                body: bad.as_bytes().to_vec(),
                ..Default::default()
            };
            assert_eq!(
                parse_meeting(&resp, (0, 1)).unwrap_err().code,
                "INVALID_RESPONSE",
                "{bad}"
            );
        }
    }
}
