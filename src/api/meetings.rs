//! Builders and parsers for meetings: ReserveMeeting.

use serde_json::{Map, Value};

use super::{
    build_path, parse_object, required_id, ApiRequest, ApiResponse, Operation, RouteTable,
};
use crate::client::Client;
use crate::error::Error;
use crate::error::{ApiError, ValidationError};
use crate::models::is_valid_email;
use crate::models::meetings::{
    LinkFields, Meeting, MeetingLink, MeetingRequest, Participant, ParticipantLink,
    MISSING_MODERATOR_LINK, MISSING_PARTICIPANT_LINKS,
};
use crate::time::{format_rfc3339_ms, parse_rfc3339_ms};
use crate::transport::Transport;

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

/// The window a reservation asks for: `(not_before, valid_until)` in Unix ms, each `None` when
/// not given (both are optional, as in the guide: the platform then applies its own).
///
/// # Errors
/// [`ValidationError::InvalidArgument`] when `valid_until` is given and is not after
/// `not_before` (or now, when that is not given) or not in the future.
pub fn window(
    req: &MeetingRequest,
    now_ms: i64,
) -> Result<(Option<i64>, Option<i64>), ValidationError> {
    if let Some(valid_until) = req.valid_until_ms {
        if valid_until <= req.not_before_ms.unwrap_or(now_ms) {
            return Err(arg(
                "accessLinkValidUntil",
                "must be after accessLinkNotBefore",
            ));
        }
        if valid_until <= now_ms {
            return Err(arg("accessLinkValidUntil", "must be in the future"));
        }
    }
    Ok((req.not_before_ms, req.valid_until_ms))
}

/// `POST /api/v2/communication/meetings/meetings[?supressMails=true|false]` (reserve a meeting
/// moderated by an expert). `now_ms` is the current time, for the window checks;
/// `suppress_param` names the mail-suppressing query parameter, sent only when
/// `req.suppress_mails` is given.
///
/// # Errors
/// [`ValidationError`] for an empty moderator id, a bad window, a malformed participant e-mail,
/// more than [`MAX_PARTICIPANTS`] participants, or extra fields that repeat named ones.
pub fn reserve_meeting(
    routes: &RouteTable,
    suppress_param: &str,
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
    if let Some(not_before) = not_before {
        body.insert(
            "access_link_not_before".into(),
            Value::String(format_rfc3339_ms(not_before)),
        );
    }
    if let Some(valid_until) = valid_until {
        body.insert(
            "access_link_valid_until".into(),
            Value::String(format_rfc3339_ms(valid_until)),
        );
    }
    for (k, v) in &req.extra {
        if body.contains_key(k) {
            return Err(arg(k.clone(), "given twice"));
        }
        body.insert(k.clone(), v.clone());
    }
    let query = req
        .suppress_mails
        .map(|s| (suppress_param, Some(s.to_string())));
    let path = build_path(routes, Operation::ReserveMeeting, &[], query.as_slice())?;
    Ok(ApiRequest::new(
        Operation::ReserveMeeting,
        path,
        Some(Value::Object(body).to_string()),
    ))
}

/// A key as the comparisons below see it: lower case, without `_`, `-` or spaces, so that
/// `moderator_link`, `moderatorLink` and `Moderator-Link` are one spelling.
fn folded(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The value under `given` (exactly), else under the first of `known` (folded) the object has.
fn lookup<'v>(
    obj: &'v Map<String, Value>,
    given: Option<&str>,
    known: &[&str],
) -> Option<&'v Value> {
    if let Some(v) = given.and_then(|k| obj.get(k)) {
        return Some(v);
    }
    let keys: Vec<(String, &Value)> = obj.iter().map(|(k, v)| (folded(k), v)).collect();
    known
        .iter()
        .find_map(|want| keys.iter().find(|(k, _)| k == want).map(|(_, v)| *v))
}

/// Spellings of the moderator's link: the SDK's contract, the guide's words ("the moderators
/// join link"), and their usual variants (compared folded).
const MODERATOR_LINK: &[&str] = &[
    "moderatorlink",
    "moderatorjoinlink",
    "moderatorsjoinlink",
    "moderatorurl",
    "moderatorjoinurl",
    "hostlink",
    "hostjoinlink",
];
/// Spellings of the participants' links ("an individual link" per participant).
const PARTICIPANT_LINKS: &[&str] = &[
    "participantlinks",
    "participantjoinlinks",
    "participantsjoinlinks",
    "participantslinks",
    "participants",
    "attendeelinks",
];
/// Spellings of the link inside one participant's element.
const LINK: &[&str] = &[
    "link",
    "joinlink",
    "individuallink",
    "url",
    "joinurl",
    "accesslink",
    "href",
];
const NOT_BEFORE: &[&str] = &["accesslinknotbefore", "notbefore", "validfrom"];
const VALID_UNTIL: &[&str] = &["accesslinkvaliduntil", "validuntil", "expiresat"];
const MEETING_ID: &[&str] = &["id", "meetingid"];

/// A link given as a string, or as an object holding one under a link spelling.
fn link_url<'v>(v: &'v Value, given: Option<&str>) -> Option<&'v str> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Object(o) => lookup(o, given, LINK)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// Parses a reservation. The links' window is the one the API echoes (`access_link_not_before`,
/// `access_link_valid_until`), or else the one requested (`requested`).
///
/// The link fields are looked up under the names the caller gave (`fields`), then under every
/// spelling the SDK knows (snake_case, camelCase, the guide's words). A reply without them is
/// still a reserved meeting: its id and record come back, and [`Meeting::missing`] names the
/// links not found. The meeting was reserved and a POST is never retried, so this never fails
/// for a reply that carries an id.
///
/// # Errors
/// `INVALID_RESPONSE` for a body that is not a JSON object, or one without an `id`.
pub fn parse_meeting(
    resp: &ApiResponse,
    requested: (Option<i64>, Option<i64>),
    fields: &LinkFields,
) -> Result<Meeting, ApiError> {
    let op = Operation::ReserveMeeting;
    let (obj, raw) = parse_object(op, resp)?;
    let id = match lookup(&obj, None, MEETING_ID) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        _ => required_id(op, resp.status, &obj, "id")?,
    };
    let time = |known: &[&str]| {
        lookup(&obj, None, known)
            .and_then(Value::as_str)
            .and_then(parse_rfc3339_ms)
    };
    let not_before_ms = time(NOT_BEFORE).or(requested.0);
    let valid_until_ms = time(VALID_UNTIL).or(requested.1);
    let link = |url: &str| MeetingLink {
        url: url.to_owned(),
        not_before_ms,
        valid_until_ms,
    };
    let mut missing = Vec::new();
    let moderator_link = lookup(&obj, fields.moderator_link.as_deref(), MODERATOR_LINK)
        .and_then(|v| link_url(v, None))
        .map(link);
    if moderator_link.is_none() {
        missing.push(MISSING_MODERATOR_LINK);
    }
    let given_link = fields.participant_link.as_deref();
    let participant_links = lookup(&obj, fields.participant_links.as_deref(), PARTICIPANT_LINKS)
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .map(|p| {
                    Some(ParticipantLink {
                        link: link(link_url(p, given_link)?),
                        raw: p.to_string(),
                    })
                })
                .collect::<Option<Vec<_>>>()
        });
    let participant_links = participant_links.unwrap_or_else(|| {
        missing.push(MISSING_PARTICIPANT_LINKS);
        Vec::new()
    });
    Ok(Meeting {
        id,
        moderator_link,
        participant_links,
        missing,
        not_before_ms,
        valid_until_ms,
        raw,
    })
}

/// The `Client` methods of this resource: build, send through [`Client::execute`], parse.
impl<T: Transport> Client<T> {
    /// Reserves a meeting moderated by an expert, with one link per participant.
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad window or participant e-mail; otherwise as [`Client::execute`].
    pub async fn reserve_meeting(&self, req: &MeetingRequest) -> Result<Meeting, Error> {
        let now = self.now_ms();
        let window = window(req, now)?;
        let built = reserve_meeting(
            &self.config().routes,
            &self.config().suppress_mails_param,
            req,
            now,
        )?;
        let resp = self.execute(&built).await?;
        Ok(parse_meeting(&resp, window, &req.link_fields)?)
    }
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
            valid_until_ms: Some(NOW + 3_600_000),
            ..Default::default()
        }
    }

    #[test]
    fn builds_the_reservation() {
        let r = reserve_meeting(&RouteTable::default(), "supressMails", &req(), NOW).unwrap();
        assert_eq!(r.path_and_query, "/api/v2/communication/meetings/meetings");
        assert!(!r.idempotent);
        let b: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(b["flexperto_account_id"], "usr_1");
        assert_eq!(b.get("access_link_not_before"), None, "not given, not sent");
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
            reserve_meeting(&RouteTable::default(), "supressMails", &anon, NOW)
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
            valid_until_ms: Some(NOW - 1),
            not_before_ms: Some(NOW - 10),
            ..req()
        };
        assert_eq!(
            reserve_meeting(&RouteTable::default(), "supressMails", &past, NOW)
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
        let inverted = MeetingRequest {
            not_before_ms: Some(NOW + 7_200_000),
            ..req()
        };
        assert_eq!(
            reserve_meeting(&RouteTable::default(), "supressMails", &inverted, NOW)
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
        let mut bad = req();
        bad.participants[0].email = Some("nope".into());
        let e = reserve_meeting(&RouteTable::default(), "supressMails", &bad, NOW).unwrap_err();
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
        assert!(reserve_meeting(&RouteTable::default(), "supressMails", &nobody, NOW).is_err());
    }

    #[test]
    fn parses_links_with_their_window() {
        let body = r#"{"id":"mtg_1","moderator_link":"https://x/join/m","participant_links":[{"email":"k@x.de","link":"https://x/join/p"}],"access_link_not_before":"2027-01-15T08:00:00Z","access_link_valid_until":"2027-01-15T09:00:00Z","extra":1}"#;
        let resp = ApiResponse {
            status: 201,
            body: body.as_bytes().to_vec(),
            ..Default::default()
        };
        let m = parse_meeting(&resp, (Some(0), Some(1)), &LinkFields::default()).unwrap();
        assert_eq!(m.id, "mtg_1");
        assert_eq!(m.moderator_link.unwrap().url, "https://x/join/m");
        assert_eq!(
            m.participant_links[0].link.not_before_ms,
            parse_rfc3339_ms("2027-01-15T08:00:00Z")
        );
        assert!(m.missing.is_empty());
        assert!(m.raw.contains("\"extra\":1"));
        let no_window = r#"{"id":7,"moderator_link":"m","participant_links":[]}"#;
        let resp = ApiResponse {
            status: 201,
            body: no_window.as_bytes().to_vec(),
            ..Default::default()
        };
        let m = parse_meeting(&resp, (Some(5), Some(9)), &LinkFields::default()).unwrap();
        assert_eq!(m.moderator_link.unwrap().valid_until_ms, Some(9));
        let m = parse_meeting(&resp, (None, None), &LinkFields::default()).unwrap();
        assert_eq!((m.not_before_ms, m.valid_until_ms), (None, None));
        for bad in [r#"{"moderator_link":"m","participant_links":[]}"#, "[]"] {
            assert_eq!(
                parse_meeting(&reply(bad), (None, None), &LinkFields::default())
                    .unwrap_err()
                    .code,
                "INVALID_RESPONSE",
                "{bad}"
            );
        }
    }

    fn reply(body: &str) -> ApiResponse {
        ApiResponse {
            status: 201,
            body: body.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    /// A reserved meeting is never an error because of its reply's field names: every known
    /// spelling, then the caller's names, then the id and record with the links marked missing.
    #[test]
    fn links_under_other_spellings_bend_instead_of_breaking() {
        let none = LinkFields::default();
        for body in [
            r#"{"id":"m1","moderatorLink":"M","participantLinks":[{"link":"P"}]}"#,
            r#"{"meetingId":"m1","moderator_join_link":"M","participant_links":[{"join_link":"P"}]}"#,
            r#"{"id":"m1","moderatorsJoinLink":{"url":"M"},"participants":[{"email":"k@x.de","joinLink":"P"}]}"#,
            r#"{"id":"m1","Moderator-Link":"M","participantJoinLinks":["P"]}"#,
        ] {
            let m = parse_meeting(&reply(body), (None, None), &none).unwrap();
            assert_eq!(m.id, "m1", "{body}");
            assert_eq!(
                m.moderator_link.map(|l| l.url).as_deref(),
                Some("M"),
                "{body}"
            );
            assert_eq!(m.participant_links.len(), 1, "{body}");
            assert_eq!(m.participant_links[0].link.url, "P", "{body}");
            assert!(m.missing.is_empty(), "{body}");
        }
        // Names the SDK cannot guess: the meeting still comes back, links marked missing.
        let odd = r#"{"id":"m2","hostEntry":"M","guests":[{"door":"P"}],"access_link_valid_until":"2027-01-15T09:00:00Z"}"#;
        let m = parse_meeting(&reply(odd), (None, None), &none).unwrap();
        assert_eq!(m.id, "m2");
        assert_eq!(m.moderator_link, None);
        assert!(m.participant_links.is_empty());
        assert_eq!(
            m.missing,
            [MISSING_MODERATOR_LINK, MISSING_PARTICIPANT_LINKS]
        );
        assert_eq!(m.raw, odd);
        assert_eq!(m.valid_until_ms, parse_rfc3339_ms("2027-01-15T09:00:00Z"));
        // An element without a link: the array is not trusted (links go by index).
        let partial = r#"{"id":"m3","moderator_link":"M","participant_links":[{"link":"P"},{}]}"#;
        let m = parse_meeting(&reply(partial), (None, None), &none).unwrap();
        assert_eq!(m.missing, [MISSING_PARTICIPANT_LINKS]);
        // With the caller's names, the links are found.
        let given = LinkFields {
            moderator_link: Some("hostEntry".into()),
            participant_links: Some("guests".into()),
            participant_link: Some("door".into()),
        };
        let m = parse_meeting(&reply(odd), (None, None), &given).unwrap();
        assert_eq!(m.moderator_link.unwrap().url, "M");
        assert_eq!(m.participant_links[0].link.url, "P");
        assert!(m.missing.is_empty());
    }

    #[test]
    fn window_and_mail_suppression_are_optional() {
        let open = MeetingRequest {
            valid_until_ms: None,
            ..req()
        };
        let r = reserve_meeting(&RouteTable::default(), "supressMails", &open, NOW).unwrap();
        assert_eq!(r.path_and_query, "/api/v2/communication/meetings/meetings");
        let b: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(b.get("access_link_valid_until"), None);
        assert_eq!(b.get("access_link_not_before"), None);
        let quiet = MeetingRequest {
            suppress_mails: Some(true),
            link_fields: LinkFields {
                moderator_link: Some("x".into()),
                ..Default::default()
            },
            ..req()
        };
        let r = reserve_meeting(&RouteTable::default(), "supressMails", &quiet, NOW).unwrap();
        assert_eq!(
            r.path_and_query,
            "/api/v2/communication/meetings/meetings?supressMails=true"
        );
        assert!(
            !r.body.unwrap().contains("\"x\""),
            "link field names are not sent"
        );
    }
}
