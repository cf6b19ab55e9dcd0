//! Meetings: reserveMeeting, startVideoCall, and the pure linkIsValidAt.

use js_sys::{Array, Object, Promise, Reflect};
use serde::Deserialize;
use serde_json::{Map, Value};
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::client::JsClient;
use super::options_struct;
use super::users::{ensured_js, NewUser};
use super::{errors, get, input, json_out, options_arg, promise, reject};
use crate::client::ExpertRef;
use crate::error::{Error, ValidationError};
use crate::models::meetings as m;

/// An instant: a `Date`, an RFC 3339 string or epoch milliseconds.
#[derive(Debug, Tsify)]
#[tsify(type = "Date | string | number")]
pub enum Instant {
    /// Epoch milliseconds (a `Date` arrives as its milliseconds).
    Ms(f64),
    /// RFC 3339.
    Text(String),
}

/// Read by asking for what it accepts (a number or a string), not as an `untagged` enum, which
/// serde reads through its `Content` buffer (measured 2026-11-30, bench/README.md).
impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Instant;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a Date, an RFC 3339 string or epoch milliseconds")
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Instant, E> {
                Ok(Instant::Ms(n))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Instant, E> {
                Ok(Instant::Ms(n as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Instant, E> {
                Ok(Instant::Ms(n as f64))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Instant, E> {
                Ok(Instant::Text(s.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Instant, E> {
                Ok(Instant::Text(s))
            }
        }
        d.deserialize_any(V)
    }
}

pub(super) fn instant_ms(v: &Instant, field: &str) -> Result<i64, Error> {
    let bad = || -> Error {
        ValidationError::InvalidArgument {
            field: field.to_owned(),
            reason: "must be a Date, an RFC 3339 string or epoch milliseconds".into(),
        }
        .into()
    };
    match v {
        Instant::Ms(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => Ok(*f as i64),
        Instant::Ms(_) => Err(bad()),
        Instant::Text(s) => crate::time::parse_rfc3339_ms(s).ok_or_else(bad),
    }
}

/// A meeting participant; every field is optional (`{}` is an anonymous guest).
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MeetingParticipant {
    /// E-mail, checked when given.
    #[serde(default)]
    #[tsify(optional)]
    pub email: Option<String>,
    /// First name.
    #[serde(default)]
    #[tsify(optional)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    #[tsify(optional)]
    pub last_name: Option<String>,
    /// Further fields (`locale`, ...), sent as given.
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

impl From<MeetingParticipant> for m::Participant {
    fn from(p: MeetingParticipant) -> Self {
        m::Participant {
            email: p.email,
            first_name: p.first_name,
            last_name: p.last_name,
            extra: p.extra,
        }
    }
}

/// What `reserveMeeting` reserves. Further fields (e.g. `subject`) are sent as given.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MeetingReservation {
    /// The moderating expert's account id (`flexperto_account_id`).
    pub moderator_account_id: String,
    /// Default `[{}]`: one anonymous participant. At most 50.
    #[serde(default)]
    #[tsify(optional)]
    pub participants: Option<Vec<MeetingParticipant>>,
    /// Links work from this instant (optional, as in the guide: the platform's default when
    /// omitted).
    #[serde(default)]
    #[tsify(optional)]
    pub access_link_not_before: Option<Instant>,
    /// Links work until this instant: after `accessLinkNotBefore` (or now), and in the future.
    /// Optional, as in the guide.
    #[serde(default)]
    #[tsify(optional)]
    pub access_link_valid_until: Option<Instant>,
    /// Further fields (`subject`, ...), sent as given.
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

/// The expert of a video call, by account id.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct ExpertAccount {
    /// The expert's `flexperto_account_id`.
    pub account_id: String,
}

/// What `startVideoCall` needs: the expert (to provision, or by account id) and the customer.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct StartVideoCall {
    /// The expert: an account to find or create, or `{ accountId }`.
    #[tsify(type = "NewUser | ExpertAccount")]
    pub expert: Map<String, Value>,
    /// The customer (default: an anonymous guest).
    #[serde(default)]
    #[tsify(optional)]
    pub customer: Option<MeetingParticipant>,
    /// 1..10080, default 60.
    #[serde(default)]
    #[tsify(optional)]
    pub valid_for_minutes: Option<u32>,
    /// Further fields (`subject`, ...), sent as given.
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    pub extra: Map<String, Value>,
}

// The shapes `meeting_js` builds, declared for TypeScript (tsify): the values are built by hand
// because their instants are `Date`s, which serde-wasm-bindgen cannot make.

/// A join link: whoever holds it joins as its participant (or as the moderator).
#[derive(Tsify)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct MeetingLink {
    url: String,
    /// Absent when neither the request nor the reply gave it (the platform's default applies).
    #[tsify(optional, type = "Date")]
    not_before: (),
    /// Absent when neither the request nor the reply gave it (the platform's default applies).
    #[tsify(optional, type = "Date")]
    valid_until: (),
}

/// A participant's link, with the participant as the API echoed it.
#[derive(Tsify)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantLink {
    url: String,
    #[tsify(optional, type = "Date")]
    not_before: (),
    #[tsify(optional, type = "Date")]
    valid_until: (),
    #[tsify(type = "MeetingParticipant")]
    participant: (),
}

/// A reserved meeting.
#[derive(Tsify)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct ReservedMeeting {
    /// Document it in the CRM next to the call.
    meeting_id: String,
    /// Absent when the reply has no moderator link the SDK can find (see `linksMissing`).
    #[tsify(optional, type = "MeetingLink")]
    moderator_link: (),
    /// One per participant, in request order; empty when they could not all be found.
    #[tsify(type = "ParticipantLink[]")]
    participant_links: (),
    /// The links not found in the reply: the meeting WAS reserved (never retry the POST); read
    /// them from `record`, or pass `linkFields`.
    #[tsify(type = "Array<\"moderatorLink\" | \"participantLinks\">")]
    links_missing: (),
    #[tsify(optional, type = "Date")]
    access_link_not_before: (),
    #[tsify(optional, type = "Date")]
    access_link_valid_until: (),
    /// The meeting record as the API returned it (its own field names).
    #[tsify(type = "{ id?: string; [field: string]: unknown }")]
    record: (),
}

/// A started video call: the meeting, the expert's account id, and what provisioning did.
#[derive(Tsify)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct VideoCall {
    #[serde(flatten)]
    meeting: ReservedMeeting,
    expert_account_id: String,
    /// What provisioning did, when the expert was given by e-mail.
    #[tsify(optional, type = "EnsuredExpert")]
    provisioned: (),
}

fn reservation(r: MeetingReservation) -> Result<m::MeetingRequest, Error> {
    Ok(m::MeetingRequest {
        moderator_account_id: r.moderator_account_id,
        participants: r
            .participants
            .unwrap_or_default()
            .into_iter()
            .map(m::Participant::from)
            .collect(),
        not_before_ms: r
            .access_link_not_before
            .as_ref()
            .map(|t| instant_ms(t, "accessLinkNotBefore"))
            .transpose()?,
        valid_until_ms: r
            .access_link_valid_until
            .as_ref()
            .map(|t| instant_ms(t, "accessLinkValidUntil"))
            .transpose()?,
        extra: r.extra,
        ..m::MeetingRequest::default()
    })
}

/// The reply's names for the links, when a tenant's differ from every spelling the SDK knows.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkFieldNames {
    /// The moderator link's field.
    #[serde(default)]
    #[tsify(optional)]
    pub moderator_link: Option<String>,
    /// The participant list's field.
    #[serde(default)]
    #[tsify(optional)]
    pub participant_links: Option<String>,
    /// A participant's link field.
    #[serde(default)]
    #[tsify(optional)]
    pub participant_link: Option<String>,
}

options_struct! {
    /// Options of `reserveMeeting` (with the per-call options).
    pub struct ReserveMeetingOptions {
        /// The guide's `supressMails` query parameter; not sent when omitted.
        #[serde(default)]
        #[tsify(optional)]
        pub suppress_mails: Option<bool>,
        /// The reply's names for the links, looked up first, exactly as written.
        #[serde(default)]
        #[tsify(optional)]
        pub link_fields: Option<LinkFieldNames>,
    }
}

options_struct! {
    /// Options of `startVideoCall` (with the per-call options).
    pub struct StartVideoCallOptions {
        /// The guide's `supressMails`: provisioning defaults to true (as createUser); the
        /// reservation sends it only when given.
        #[serde(default)]
        #[tsify(optional)]
        pub suppress_mails: Option<bool>,
    }
}

fn non_empty(v: Option<String>, field: &str) -> Result<Option<String>, Error> {
    match v {
        Some(s) if s.is_empty() => Err(ValidationError::InvalidArgument {
            field: format!("options.linkFields.{field}"),
            reason: "must be a non-empty string".into(),
        }
        .into()),
        v => Ok(v),
    }
}

fn expert_ref(e: Map<String, Value>) -> Result<ExpertRef, Error> {
    // Looked up, not removed (no B-tree removal code in the wasm, bench/README.md).
    match e.get("accountId") {
        Some(Value::String(id)) if e.len() == 1 => Ok(ExpertRef::AccountId(id.clone())),
        Some(_) => Err(ValidationError::InvalidArgument {
            field: "expert.accountId".into(),
            reason: "must be a string, and alone".into(),
        }
        .into()),
        None => {
            // Read as the user argument of createUser is (a JS copy through JSON text, then
            // serde-wasm-bindgen), so the same deserializer and path finder serve both.
            let text = serde_json::to_string(&Value::Object(e)).unwrap_or_default();
            let copy = js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL);
            let u: NewUser =
                input::read(copy, "expert").map_err(|err| super::prefix(err, "expert"))?;
            Ok(ExpertRef::Provision(u.into()))
        }
    }
}

fn set(o: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

fn date(ms: i64) -> JsValue {
    js_sys::Date::new(&JsValue::from(ms as f64)).into()
}

fn set_date(o: &Object, key: &str, ms: Option<i64>) {
    if let Some(ms) = ms {
        set(o, key, &date(ms));
    }
}

fn link_js(link: &m::MeetingLink) -> Object {
    let o = Object::new();
    set(&o, "url", &JsValue::from_str(&link.url));
    set_date(&o, "notBefore", link.not_before_ms);
    set_date(&o, "validUntil", link.valid_until_ms);
    o
}

/// The meeting as JS. Built by hand rather than serialized: its instants are `Date`s, which
/// serde-wasm-bindgen cannot make.
fn meeting_js(mt: &m::Meeting) -> Object {
    let o = Object::new();
    set(&o, "meetingId", &JsValue::from_str(&mt.id));
    if let Some(l) = &mt.moderator_link {
        set(&o, "moderatorLink", &link_js(l));
    }
    let links = Array::new();
    for p in &mt.participant_links {
        let l = link_js(&p.link);
        let participant = json_out(&p.raw);
        if participant.is_object() {
            let _ = Reflect::delete_property(participant.unchecked_ref::<Object>(), &"link".into());
        }
        set(&l, "participant", &participant);
        links.push(&l);
    }
    set(&o, "participantLinks", &links);
    let missing: Array = mt.missing.iter().map(|k| JsValue::from_str(k)).collect();
    set(&o, "linksMissing", &missing);
    set_date(&o, "accessLinkNotBefore", mt.not_before_ms);
    set_date(&o, "accessLinkValidUntil", mt.valid_until_ms);
    set(&o, "record", &json_out(&mt.raw));
    o
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// Reserves a meeting moderated by an expert (`POST /api/v2/communication/meetings/meetings`).
    /// Checked before any request: `accessLinkValidUntil` after `accessLinkNotBefore` (default:
    /// now) and in the future, participant e-mails well formed. Resolves to the meeting id, the
    /// moderator's link and one link per participant, each with its validity window.
    #[wasm_bindgen(js_name = reserveMeeting, unchecked_return_type = "Promise<ReservedMeeting>")]
    pub fn reserve_meeting(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MeetingReservation")] meeting: JsValue,
        options: Option<super::OptReserveMeetingOptions>,
    ) -> Promise {
        let args = (|| {
            let r: MeetingReservation = input::from_js(&meeting, "meeting")?;
            let (o, call) = options_arg::<ReserveMeetingOptions>(
                &options.map(JsValue::from).unwrap_or_default(),
                |o| (o.timeout_ms, o.headers.as_ref()),
            )?;
            let mut req = reservation(r)?;
            req.suppress_mails = o.suppress_mails;
            if let Some(f) = o.link_fields {
                req.link_fields = m::LinkFields {
                    moderator_link: non_empty(f.moderator_link, "moderatorLink")?,
                    participant_links: non_empty(f.participant_links, "participantLinks")?,
                    participant_link: non_empty(f.participant_link, "participantLink")?,
                };
            }
            Ok((req, call))
        })();
        let (req, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.reserve_meeting(&req).await }, |mt| {
            meeting_js(&mt).into()
        })
    }

    /// The CRM button in one call: ensures the expert (given by e-mail and names, or by
    /// `accountId`) and reserves a meeting with the customer, valid from now for
    /// `validForMinutes` (default 60).
    #[wasm_bindgen(js_name = startVideoCall, unchecked_return_type = "Promise<VideoCall>")]
    pub fn start_video_call(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StartVideoCall")] call: JsValue,
        options: Option<super::OptStartVideoCallOptions>,
    ) -> Promise {
        let args = (|| {
            let c: StartVideoCall = input::from_js(&call, "call")?;
            let expert = expert_ref(c.expert)?;
            let customer = c.customer.map(m::Participant::from).unwrap_or_default();
            let minutes = c.valid_for_minutes.unwrap_or(60);
            let (o, opts) = options_arg::<StartVideoCallOptions>(
                &options.map(JsValue::from).unwrap_or_default(),
                |o| (o.timeout_ms, o.headers.as_ref()),
            )?;
            Ok((expert, customer, minutes, c.extra, opts, o.suppress_mails))
        })();
        let (expert, customer, minutes, extra, opts, suppress) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(opts);
        promise(
            async move {
                client
                    .start_video_call_with(&expert, customer, minutes, extra, suppress)
                    .await
            },
            |vc| {
                let o = meeting_js(&vc.meeting);
                set(
                    &o,
                    "expertAccountId",
                    &JsValue::from_str(&vc.expert_account_id),
                );
                if let Some(p) = &vc.provisioned {
                    set(&o, "provisioned", &ensured_js(p));
                }
                o.into()
            },
        )
    }
}

/// Options of `linkIsValidAt`.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkCheckOptions {
    /// Clock skew to allow, in milliseconds (default 0).
    #[serde(default)]
    #[tsify(optional)]
    pub skew_ms: Option<f64>,
}

/// Whether a meeting link works at `when` (default: now), from the window it was reserved with.
/// `skewMs` (default 0) makes the answer conservative for clocks that disagree: the whole
/// interval `when ± skewMs` must lie inside the window.
#[wasm_bindgen(js_name = linkIsValidAt)]
pub fn link_is_valid_at_js(
    #[wasm_bindgen(unchecked_param_type = "MeetingLink")] link: JsValue,
    when: Option<super::OptDatenumber>,
    options: Option<super::OptLinkCheckOptions>,
) -> Result<bool, JsValue> {
    let ms = |v: &JsValue, field: &str| -> Result<i64, Error> {
        let n = input::snapshot(v, field, 1)?.as_f64().unwrap_or(f64::NAN);
        if n.is_finite() && n.abs() < 1e15 {
            Ok(n as i64)
        } else {
            Err(ValidationError::InvalidArgument {
                field: field.to_owned(),
                reason: "must be a Date or epoch milliseconds".into(),
            }
            .into())
        }
    };
    let run = || -> Result<bool, Error> {
        if !link.is_object() {
            return Err(ValidationError::InvalidArgument {
                field: "link".into(),
                reason: "must be a link from reserveMeeting or startVideoCall".into(),
            }
            .into());
        }
        let bound = |key: &str, field: &str| match get(&link, key) {
            v if v.is_undefined() || v.is_null() => Ok(None),
            v => ms(&v, field).map(Some),
        };
        let l = m::MeetingLink {
            url: String::new(),
            not_before_ms: bound("notBefore", "link.notBefore")?,
            valid_until_ms: bound("validUntil", "link.validUntil")?,
        };
        let when = when.map(JsValue::from).unwrap_or_default();
        let when_ms = if when.is_undefined() || when.is_null() {
            js_sys::Date::now() as i64
        } else {
            ms(&when, "when")?
        };
        let o: LinkCheckOptions = match options.map(JsValue::from) {
            Some(o) if !o.is_undefined() && !o.is_null() => input::from_js(&o, "options")?,
            _ => LinkCheckOptions::default(),
        };
        let skew = match o.skew_ms {
            None => 0.0,
            Some(s) if s.is_finite() && s >= 0.0 => s,
            Some(_) => {
                return Err(ValidationError::InvalidArgument {
                    field: "skewMs".into(),
                    reason: "must be a non-negative number of milliseconds".into(),
                }
                .into())
            }
        };
        Ok(m::link_is_valid_at(&l, when_ms, skew as i64))
    };
    run().map_err(|e| errors::to_js(&e))
}
