//! JavaScript bindings (wasm32 only): convert arguments, delegate to the core, convert results and errors.
//! Nothing here decides anything the core could decide.

mod archive;
mod claim;
mod errors;
mod webhooks;

pub use archive::ArchiveChecksum;
pub use webhooks::WebhookVerifier;

pub use errors::is_flexperto_error;

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::api::{
    archives, settings, subscriptions, tokens, users, ApiRequest, ApiResponse, Operation,
};
use crate::archive::ArchiveStatus;
use crate::client::{Client, EnsuredExpert, ExpertRef};
use crate::config::{ClientConfig, Environment, Target};
use crate::error::{ApiError, ConfigError, Error, ValidationError};
use crate::models::archives::ListArchivesQuery;
use crate::models::meetings::{
    link_is_valid_at, Meeting, MeetingLink, MeetingRequest, Participant,
};
use crate::models::settings::SettingsUpdate;
use crate::models::tokens::NewApiToken;
use crate::models::users::{ListUsersQuery, NewUser};
use crate::transport::fetch::FetchTransport;

pub(super) fn get(obj: &JsValue, key: &str) -> JsValue {
    // Not interned: wasm-bindgen's interning cache cost 3.3 KB (gzip) and no measurable time,
    // since options are read once per call, not per byte.
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn keys(obj: &JsValue) -> Vec<String> {
    obj.dyn_ref::<Object>()
        .map(|o| {
            Object::keys(o)
                .iter()
                .filter_map(|k| k.as_string())
                .collect()
        })
        .unwrap_or_default()
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !v.is_function() && !Array::is_array(v)
}

fn opt_string(
    obj: &JsValue,
    key: &str,
    err: impl Fn(String) -> Error,
) -> Result<Option<String>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        Ok(None)
    } else {
        v.as_string()
            .map(Some)
            .ok_or_else(|| err(format!("{key} must be a string")))
    }
}

fn opt_u32(obj: &JsValue, key: &str, err: impl Fn(String) -> Error) -> Result<Option<u32>, Error> {
    let v = get(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => {
            Ok(Some(n as u32))
        }
        _ => Err(err(format!("{key} must be a non-negative integer"))),
    }
}

fn config_err(msg: String) -> Error {
    ConfigError::InvalidOption(msg).into()
}

fn arg_err(field: &str) -> impl Fn(String) -> Error + '_ {
    move |reason| {
        ValidationError::InvalidArgument {
            field: field.to_owned(),
            reason,
        }
        .into()
    }
}

fn check_keys(obj: &JsValue, allowed: &[&str], err: impl Fn(String) -> Error) -> Result<(), Error> {
    // Fast path: as many own keys as allowed keys that are present means none is unknown.
    let own = obj
        .dyn_ref::<Object>()
        .map_or(0, |o| Object::keys(o).length() as usize);
    if own <= allowed.len()
        && own
            == allowed
                .iter()
                .filter(|k| !get(obj, k).is_undefined())
                .count()
    {
        return Ok(());
    }
    match keys(obj)
        .into_iter()
        .find(|k| !allowed.contains(&k.as_str()))
    {
        Some(k) => Err(err(format!(
            "unknown option {k:?} (allowed: {})",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

const CLIENT_OPTIONS: [&str; 9] = [
    "tenant",
    "environment",
    "baseUrl",
    "apiKey",
    "timeoutMs",
    "maxRetries",
    "routes",
    "fetch",
    "suppressMailsParam",
];

fn parse_options(options: &JsValue) -> Result<(ClientConfig, Option<Function>), Error> {
    if !is_plain_object(options) {
        return Err(config_err("options must be an object".into()));
    }
    check_keys(options, &CLIENT_OPTIONS, config_err)?;
    let tenant = opt_string(options, "tenant", config_err)?;
    let environment = opt_string(options, "environment", config_err)?;
    let base_url = opt_string(options, "baseUrl", config_err)?;
    let api_key = opt_string(options, "apiKey", config_err)?
        .ok_or_else(|| Error::from(ConfigError::InvalidApiKey("apiKey is required".into())))?;
    let target = match (&tenant, &base_url) {
        (Some(t), None) => {
            let env = environment.as_deref().ok_or_else(|| {
                Error::from(ConfigError::MissingTarget(
                    "environment (\"test\" or \"live\") is required with tenant".into(),
                ))
            })?;
            Target::Tenant {
                tenant: t,
                environment: Environment::parse(env)?,
            }
        }
        (None, Some(u)) => {
            if environment.is_some() {
                return Err(ConfigError::MissingTarget(
                    "environment goes with tenant, not with baseUrl".into(),
                )
                .into());
            }
            Target::BaseUrl(u)
        }
        (Some(_), Some(_)) => {
            return Err(ConfigError::MissingTarget(
                "give either tenant and environment, or baseUrl, not both".into(),
            )
            .into())
        }
        (None, None) => {
            return Err(ConfigError::MissingTarget(
                "tenant and environment, or baseUrl, are required".into(),
            )
            .into())
        }
    };
    let mut config = ClientConfig::new(target, &api_key)?;
    if let Some(t) = opt_u32(options, "timeoutMs", config_err)? {
        if !(1..=600_000).contains(&t) {
            return Err(config_err("timeoutMs must be from 1 to 600000".into()));
        }
        config.timeout_ms = t;
    }
    if let Some(r) = opt_u32(options, "maxRetries", config_err)? {
        if r > 10 {
            return Err(config_err("maxRetries must be from 0 to 10".into()));
        }
        config.max_retries = r;
    }
    if let Some(p) = opt_string(options, "suppressMailsParam", config_err)? {
        if p.is_empty()
            || !p
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(config_err(
                "suppressMailsParam must be a plain query parameter name".into(),
            ));
        }
        config.suppress_mails_param = p;
    }
    let routes = get(options, "routes");
    if !routes.is_undefined() {
        if !is_plain_object(&routes) {
            return Err(config_err(
                "routes must be an object of operationId -> path".into(),
            ));
        }
        for name in keys(&routes) {
            let path = get(&routes, &name).as_string().ok_or_else(|| {
                Error::from(ConfigError::InvalidRoute(format!(
                    "{name}: path must be a string"
                )))
            })?;
            config.routes.set(&name, &path)?;
        }
    }
    let fetch = get(options, "fetch");
    let fetch = if fetch.is_undefined() {
        None
    } else {
        Some(
            fetch
                .dyn_into::<Function>()
                .map_err(|_| config_err("fetch must be a function".into()))?,
        )
    };
    Ok((config, fetch))
}

/// A plain JS object as a JSON map (through `JSON.stringify`: Dates become RFC 3339 strings).
fn json_object(input: &JsValue, field: &str) -> Result<Map<String, Value>, Error> {
    if !is_plain_object(input) {
        return Err(arg_err(field)("must be an object".into()));
    }
    let text = JSON::stringify(input)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| arg_err(field)("must be JSON-serializable".into()))?;
    serde_json::from_str(&text).map_err(|_| arg_err(field)("must be a JSON object".into()))
}

/// Removes `key` from `map`: absent or null is `None`; otherwise it must be a string.
fn take_string(
    map: &mut Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, Error> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(arg_err(&format!("{path}{key}"))("must be a string".into())),
    }
}

/// Removes a date-time: a Date (serialized as RFC 3339), an RFC 3339 string, or epoch ms.
fn take_time(map: &mut Map<String, Value>, key: &str) -> Result<Option<i64>, Error> {
    let bad = || arg_err(key)("must be a Date, an RFC 3339 string or epoch milliseconds".into());
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => crate::time::parse_rfc3339_ms(&s).map(Some).ok_or_else(bad),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(f as i64)),
            _ => Err(bad()),
        },
        Some(_) => Err(bad()),
    }
}

fn new_user_from(input: &JsValue, field: &str) -> Result<NewUser, Error> {
    new_user_from_map(json_object(input, field)?, "")
}

fn new_user_from_map(mut map: Map<String, Value>, path: &str) -> Result<NewUser, Error> {
    let email = take_string(&mut map, "email", path)?
        .ok_or_else(|| arg_err(&format!("{path}email"))("is required".into()))?;
    Ok(NewUser {
        email,
        first_name: take_string(&mut map, "firstName", path)?,
        last_name: take_string(&mut map, "lastName", path)?,
        role: take_string(&mut map, "role", path)?,
        extra: map,
    })
}

fn participant_from(value: Value, path: &str) -> Result<Participant, Error> {
    let Value::Object(mut map) = value else {
        return Err(arg_err(path)("must be an object".into()));
    };
    let prefix = format!("{path}.");
    Ok(Participant {
        email: take_string(&mut map, "email", &prefix)?,
        first_name: take_string(&mut map, "firstName", &prefix)?,
        last_name: take_string(&mut map, "lastName", &prefix)?,
        extra: map,
    })
}

fn set(o: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

fn date(ms: i64) -> JsValue {
    js_sys::Date::new(&JsValue::from(ms as f64)).into()
}

fn link_js(link: &MeetingLink) -> Object {
    let o = Object::new();
    set(&o, "url", &JsValue::from_str(&link.url));
    set(&o, "notBefore", &date(link.not_before_ms));
    set(&o, "validUntil", &date(link.valid_until_ms));
    o
}

fn meeting_js(m: &Meeting) -> Object {
    let o = Object::new();
    set(&o, "meetingId", &JsValue::from_str(&m.id));
    set(&o, "moderatorLink", &link_js(&m.moderator_link));
    let links = Array::new();
    for p in &m.participant_links {
        let l = link_js(&p.link);
        let participant = parse_json_text(&p.raw);
        let _ = Reflect::delete_property(participant.unchecked_ref::<Object>(), &"link".into());
        set(&l, "participant", &participant);
        links.push(&l);
    }
    set(&o, "participantLinks", &links);
    set(
        &o,
        "accessLinkNotBefore",
        &date(m.moderator_link.not_before_ms),
    );
    set(
        &o,
        "accessLinkValidUntil",
        &date(m.moderator_link.valid_until_ms),
    );
    set(&o, "record", &parse_json_text(&m.raw));
    o
}

fn ensured_js(r: &EnsuredExpert) -> Object {
    let o = Object::new();
    set(&o, "accountId", &JsValue::from_str(&r.account_id));
    set(&o, "created", &JsValue::from_bool(r.created));
    set(&o, "confirmed", &JsValue::from_bool(r.confirmed));
    o
}

fn reserve_request_from(input: &JsValue) -> Result<MeetingRequest, Error> {
    let mut map = json_object(input, "meeting")?;
    let moderator_account_id = take_string(&mut map, "moderatorAccountId", "")?
        .ok_or_else(|| arg_err("moderatorAccountId")("is required".into()))?;
    let participants = match map.remove("participants") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .into_iter()
            .enumerate()
            .map(|(i, p)| participant_from(p, &format!("participants[{i}]")))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(arg_err("participants")("must be an array".into())),
    };
    let not_before_ms = take_time(&mut map, "accessLinkNotBefore")?;
    let valid_until_ms = take_time(&mut map, "accessLinkValidUntil")?
        .ok_or_else(|| arg_err("accessLinkValidUntil")("is required".into()))?;
    Ok(MeetingRequest {
        moderator_account_id,
        participants,
        not_before_ms,
        valid_until_ms,
        extra: map,
    })
}

fn settings_update_from(input: &JsValue) -> Result<SettingsUpdate, Error> {
    let mut map = json_object(input, "settings")?;
    let mut flag = |k: &str| match map.remove(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(_) => Err(arg_err(k)("must be a boolean".into())),
    };
    let update = SettingsUpdate {
        automatic_recording: flag(settings::AUTOMATIC_RECORDING)?,
        recording_verbal_consent: flag(settings::RECORDING_VERBAL_CONSENT)?,
        automatic_archiving: flag(settings::AUTOMATIC_ARCHIVING)?,
    };
    match map.keys().next() {
        Some(k) => Err(arg_err(k)(
            "is not a platform setting this SDK knows".into(),
        )),
        None => Ok(update),
    }
}

fn new_token_from(input: &JsValue) -> Result<NewApiToken, Error> {
    let mut map = json_object(input, "token")?;
    let name =
        take_string(&mut map, "name", "")?.ok_or_else(|| arg_err("name")("is required".into()))?;
    let t = NewApiToken {
        name,
        user_id: take_string(&mut map, "userId", "")?,
        expires_at_ms: take_time(&mut map, "expiresAt")?,
    };
    match map.keys().next() {
        Some(k) => Err(arg_err(k)("unknown field".into())),
        None => Ok(t),
    }
}

/// A boxed JS-facing future: one `future_to_promise` instantiation serves every method (each
/// generic instantiation of it costs about a kilobyte of wasm).
type JsFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>>;

/// Runs `fut` as a Promise, converting its result with `ok` and its error to a JS error.
fn promise<T: 'static>(
    fut: impl std::future::Future<Output = Result<T, Error>> + 'static,
    ok: impl FnOnce(T) -> JsValue + 'static,
) -> Promise {
    let boxed: JsFuture = Box::pin(async move {
        match fut.await {
            Ok(v) => Ok(ok(v)),
            Err(e) => Err(errors::to_js(&e)),
        }
    });
    future_to_promise(boxed)
}

fn suppress_mails(options: &JsValue) -> Result<bool, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(true);
    }
    if !is_plain_object(options) {
        return Err(arg_err("options")("must be an object".into()));
    }
    check_keys(options, &["suppressMails"], arg_err("options"))?;
    let v = get(options, "suppressMails");
    if v.is_undefined() {
        Ok(true)
    } else {
        v.as_bool()
            .ok_or_else(|| arg_err("suppressMails")("must be a boolean".into()))
    }
}

fn parse_json_text(text: &str) -> JsValue {
    // The text was produced by serde_json from parsed JSON, so JSON.parse accepts it.
    JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// A list method's optional query object: absent (`undefined`, `null`) is the default query;
/// anything else must be a plain object with only `keys`, which `read` then reads.
fn query_arg<T: Default>(
    query: Option<JsValue>,
    keys: &[&str],
    read: impl FnOnce(&JsValue) -> Result<T, Error>,
) -> Result<T, Error> {
    let query = query.unwrap_or_default();
    if query.is_undefined() || query.is_null() {
        return Ok(T::default());
    }
    if !is_plain_object(&query) {
        return Err(arg_err("query")("must be an object".into()));
    }
    check_keys(&query, keys, arg_err("query"))?;
    read(&query)
}

fn reject(e: Error) -> Promise {
    Promise::reject(&errors::to_js(&e))
}

#[wasm_bindgen]
extern "C" {
    /// Options of createUser and ensureExpert.
    #[wasm_bindgen(typescript_type = "CreateUserOptions")]
    pub type CreateUserOptionsArg;
    /// Query of listUsers.
    #[wasm_bindgen(typescript_type = "ListUsersQuery")]
    pub type ListUsersQueryArg;
    /// Query of listArchives.
    #[wasm_bindgen(typescript_type = "ListArchivesQuery")]
    pub type ListArchivesQueryArg;
    /// Options of createWebhookSubscription.
    #[wasm_bindgen(typescript_type = "{ allowHttpLoopback?: boolean }")]
    pub type CallbackUrlOptionsArg;
    /// The instant `linkIsValidAt` checks.
    #[wasm_bindgen(typescript_type = "Date | number")]
    pub type LinkInstant;
    /// Options of `linkIsValidAt`.
    #[wasm_bindgen(typescript_type = "{ skewMs?: number }")]
    pub type LinkCheckOptions;
}

/// A Flexperto API client over `fetch`, for Node 20+ and browsers (behind your own backend: the
/// API key must never reach a browser).
#[wasm_bindgen(js_name = FlexpertoClient)]
pub struct JsClient {
    inner: Rc<Client<FetchTransport>>,
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// Creates a client. Throws a `ConfigError` for a bad tenant, environment, base URL, key,
    /// route override or option, before any request.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "FlexpertoClientOptions")] options: JsValue,
    ) -> Result<JsClient, JsValue> {
        let (config, fetch) = parse_options(&options).map_err(|e| errors::to_js(&e))?;
        Ok(Self {
            inner: Rc::new(Client::new(config, FetchTransport::new(fetch))),
        })
    }

    /// The base URL requests go to (no trailing slash).
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.clone()
    }

    /// When the API key expires (its `exp` claim), if it says.
    #[wasm_bindgen(getter, js_name = apiKeyExpiresAt)]
    pub fn api_key_expires_at(&self) -> Option<js_sys::Date> {
        self.inner
            .config()
            .api_key_expires_at
            .map(|s| js_sys::Date::new(&JsValue::from(s as f64 * 1000.0)))
    }

    /// ListUsers: `GET /api/v2/users/users`. One page, `{ items, ... }`, unknown fields kept.
    #[wasm_bindgen(js_name = listUsers, unchecked_return_type = "Promise<UserList>")]
    pub fn list_users(&self, query: Option<ListUsersQueryArg>) -> Promise {
        let keys = ["role", "email", "limit", "offset"];
        let q = query_arg(query.map(JsValue::from), &keys, |query| {
            Ok(ListUsersQuery {
                role: opt_string(query, "role", arg_err("role"))?,
                email: opt_string(query, "email", arg_err("email"))?,
                limit: opt_u32(query, "limit", arg_err("limit"))?,
                offset: opt_u32(query, "offset", arg_err("offset"))?,
            })
        });
        let q = match q {
            Ok(q) => q,
            Err(e) => return reject(e),
        };
        self.send(
            users::list_users(&self.inner.config().routes, &q),
            |resp, _| Ok(parse_json_text(&users::parse_list_users(resp)?.raw)),
        )
    }

    /// CreateUser: `POST /api/v2/users/users?supressMails=...`. Mails are suppressed unless
    /// `{ suppressMails: false }`. A taken e-mail rejects with `ApiError` code `CONFLICT`.
    #[wasm_bindgen(js_name = createUser, unchecked_return_type = "Promise<User>")]
    pub fn create_user(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewUser")] user: JsValue,
        options: Option<CreateUserOptionsArg>,
    ) -> Promise {
        let args = new_user_from(&user, "user").and_then(|u| {
            Ok((
                u,
                suppress_mails(&options.map(JsValue::from).unwrap_or_default())?,
            ))
        });
        let (user, suppress) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let config = self.inner.config();
        self.send(
            users::create_user(
                &config.routes,
                &config.suppress_mails_param,
                &user,
                suppress,
            ),
            |resp, _| Ok(parse_json_text(&users::parse_created_user(resp)?.raw)),
        )
    }

    /// ConfirmEmail: `POST /api/v2/users/users/{userId}/confirm-email`. Resolves to the account
    /// when the API returns it, else `null`.
    #[wasm_bindgen(js_name = confirmEmail, unchecked_return_type = "Promise<User | null>")]
    pub fn confirm_email(&self, #[wasm_bindgen(js_name = userId)] user_id: String) -> Promise {
        self.send(
            users::confirm_email(&self.inner.config().routes, &user_id),
            |resp, _| {
                Ok(users::parse_user(Operation::ConfirmEmail, resp)?
                    .map_or(JsValue::NULL, |u| parse_json_text(&u.raw)))
            },
        )
    }

    /// The guide's expert provisioning in one call: find the expert by e-mail or create the
    /// account (mails suppressed unless `{ suppressMails: false }`), and confirm the e-mail.
    /// Idempotent, and safe when two calls for one e-mail race.
    #[wasm_bindgen(js_name = ensureExpert, unchecked_return_type = "Promise<EnsuredExpert>")]
    pub fn ensure_expert(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewUser")] expert: JsValue,
        options: Option<CreateUserOptionsArg>,
    ) -> Promise {
        let args = new_user_from(&expert, "expert").and_then(|u| {
            Ok((
                u,
                suppress_mails(&options.map(JsValue::from).unwrap_or_default())?,
            ))
        });
        let (expert, suppress) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let inner = self.inner.clone();
        promise(
            async move { inner.ensure_expert(&expert, suppress).await },
            |r| ensured_js(&r).into(),
        )
    }

    /// Reserves a meeting moderated by an expert (`POST /api/v2/communication/meetings/meetings`).
    /// Checked before any request: `accessLinkValidUntil` after `accessLinkNotBefore` (default:
    /// now) and in the future, participant e-mails well formed. Resolves to the meeting id, the
    /// moderator's link and one link per participant, each with its validity window.
    #[wasm_bindgen(js_name = reserveMeeting, unchecked_return_type = "Promise<ReservedMeeting>")]
    pub fn reserve_meeting(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MeetingReservation")] meeting: JsValue,
    ) -> Promise {
        let req = match reserve_request_from(&meeting) {
            Ok(r) => r,
            Err(e) => return reject(e),
        };
        let inner = self.inner.clone();
        promise(async move { inner.reserve_meeting(&req).await }, |m| {
            meeting_js(&m).into()
        })
    }

    /// The CRM button in one call: ensures the expert (given by e-mail and names, or by
    /// `accountId`) and reserves a meeting with the customer, valid from now for
    /// `validForMinutes` (default 60).
    #[wasm_bindgen(js_name = startVideoCall, unchecked_return_type = "Promise<VideoCall>")]
    pub fn start_video_call(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StartVideoCall")] call: JsValue,
    ) -> Promise {
        let args = (|| {
            let mut map = json_object(&call, "call")?;
            let expert = match map.remove("expert") {
                Some(Value::Object(mut e)) => match e.remove("accountId") {
                    Some(Value::String(id)) if e.is_empty() => ExpertRef::AccountId(id),
                    Some(_) => {
                        return Err(arg_err("expert.accountId")(
                            "must be a string, and alone".into(),
                        ))
                    }
                    None => ExpertRef::Provision(new_user_from_map(e, "expert.")?),
                },
                _ => {
                    return Err(arg_err("expert")(
                        "is required: { email, firstName, lastName } or { accountId }".into(),
                    ))
                }
            };
            let customer = match map.remove("customer") {
                None | Some(Value::Null) => Participant::default(),
                Some(v) => participant_from(v, "customer")?,
            };
            let minutes = match map.remove("validForMinutes") {
                None | Some(Value::Null) => 60,
                Some(Value::Number(n)) => n
                    .as_u64()
                    .and_then(|m| u32::try_from(m).ok())
                    .ok_or_else(|| {
                        arg_err("validForMinutes")("must be a whole number of minutes".into())
                    })?,
                Some(_) => return Err(arg_err("validForMinutes")("must be a number".into())),
            };
            Ok((expert, customer, minutes, map))
        })();
        let (expert, customer, minutes, extra) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let inner = self.inner.clone();
        promise(
            async move {
                inner
                    .start_video_call(&expert, customer, minutes, extra)
                    .await
            },
            |call| {
                let o = meeting_js(&call.meeting);
                set(
                    &o,
                    "expertAccountId",
                    &JsValue::from_str(&call.expert_account_id),
                );
                if let Some(p) = &call.provisioned {
                    set(&o, "provisioned", &ensured_js(p));
                }
                o.into()
            },
        )
    }

    /// Reads the platform settings (`GET /api/v2/platform/settings`).
    #[wasm_bindgen(js_name = getPlatformSettings, unchecked_return_type = "Promise<PlatformSettings>")]
    pub fn get_platform_settings(&self) -> Promise {
        self.send(
            settings::get_platform_settings(&self.inner.config().routes),
            |resp, _| {
                let s = settings::parse_settings(Operation::GetPlatformSettings, resp)?;
                Ok(parse_json_text(&s.raw))
            },
        )
    }

    /// Updates platform settings (`PATCH /api/v2/platform/settings`). Turning both recording
    /// modes on is refused with `ValidationError` code `RECORDING_MODES_EXCLUSIVE` before any
    /// change (the current settings are read when the update leaves the other mode unsaid).
    #[wasm_bindgen(js_name = updatePlatformSettings, unchecked_return_type = "Promise<PlatformSettings>")]
    pub fn update_platform_settings(
        &self,
        #[wasm_bindgen(unchecked_param_type = "PlatformSettingsUpdate")] update: JsValue,
    ) -> Promise {
        let update = match settings_update_from(&update) {
            Ok(u) => u,
            Err(e) => return reject(e),
        };
        let inner = self.inner.clone();
        promise(
            async move { inner.update_platform_settings(&update).await },
            |s| parse_json_text(&s.raw),
        )
    }

    /// Creates an API token (`POST /api/v2/auth/tokens`). The result holds the secret `token`:
    /// the only time it can be read.
    #[wasm_bindgen(js_name = createApiToken, unchecked_return_type = "Promise<CreatedApiToken>")]
    pub fn create_api_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewApiToken")] token: JsValue,
    ) -> Promise {
        let t = match new_token_from(&token) {
            Ok(t) => t,
            Err(e) => return reject(e),
        };
        let now = js_sys::Date::now() as i64;
        self.send(
            tokens::create_api_token(&self.inner.config().routes, &t, now),
            |resp, _| {
                Ok(parse_json_text(
                    &tokens::parse_created_token(resp)?.record.raw,
                ))
            },
        )
    }

    /// Lists API tokens (`GET /api/v2/auth/tokens`); never their secrets.
    #[wasm_bindgen(js_name = listApiTokens, unchecked_return_type = "Promise<ApiTokenList>")]
    pub fn list_api_tokens(&self) -> Promise {
        self.send(
            tokens::list_api_tokens(&self.inner.config().routes),
            |resp, _| Ok(parse_json_text(&tokens::parse_token_list(resp)?.1)),
        )
    }

    /// Registers a webhook (`POST /api/v2/communication/subscriptions/subscriptions/webhook`).
    /// The URL is checked first (see `validateCallbackUrl`); `{ allowHttpLoopback: true }`
    /// admits `http://127.0.0.1` for local runs against the simulator.
    #[wasm_bindgen(js_name = createWebhookSubscription, unchecked_return_type = "Promise<WebhookSubscription>")]
    pub fn create_webhook_subscription(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ topic: WebhookTopic; url: string }")] subscription: JsValue,
        options: Option<CallbackUrlOptionsArg>,
    ) -> Promise {
        let topic = get(&subscription, "topic").as_string();
        let url = get(&subscription, "url").as_string();
        let (Some(topic), Some(url)) = (topic, url) else {
            return reject(arg_err("subscription")("needs string topic and url".into()));
        };
        let allow = options
            .map(JsValue::from)
            .is_some_and(|o| get(&o, "allowHttpLoopback").is_truthy());
        self.send(
            subscriptions::create_subscription(&self.inner.config().routes, &topic, &url, allow),
            |resp, _| {
                let (_, raw) =
                    subscriptions::parse_with_id(Operation::CreateWebhookSubscription, resp)?;
                Ok(parse_json_text(&raw))
            },
        )
    }

    /// Lists the tenant's webhook subscriptions.
    #[wasm_bindgen(js_name = listWebhookSubscriptions, unchecked_return_type = "Promise<{ items: WebhookSubscription[] }>")]
    pub fn list_webhook_subscriptions(&self) -> Promise {
        self.send(
            subscriptions::list_subscriptions(&self.inner.config().routes),
            |resp, _| {
                let raw = subscriptions::parse_items(Operation::ListSubscriptions, resp)?;
                Ok(parse_json_text(&raw))
            },
        )
    }

    /// Deletes a webhook subscription (retries already in flight may still arrive).
    #[wasm_bindgen(js_name = deleteWebhookSubscription, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook_subscription(
        &self,
        #[wasm_bindgen(js_name = subscriptionId)] id: String,
    ) -> Promise {
        self.send(
            subscriptions::delete_subscription(&self.inner.config().routes, &id),
            |_, _| Ok(JsValue::UNDEFINED),
        )
    }

    /// The 50 latest delivery attempts of a subscription, newest first.
    #[wasm_bindgen(js_name = subscriptionReports, unchecked_return_type = "Promise<{ items: SubscriptionReport[] }>")]
    pub fn subscription_reports(
        &self,
        #[wasm_bindgen(js_name = subscriptionId)] id: String,
    ) -> Promise {
        self.send(
            subscriptions::subscription_reports(&self.inner.config().routes, &id),
            |resp, _| {
                let raw = subscriptions::parse_items(Operation::ListSubscriptionReports, resp)?;
                Ok(parse_json_text(&raw))
            },
        )
    }

    /// ListArchives: `GET /api/v2/communication/conferences/archives`. One page of archive
    /// records `{ items, total? }` (admin keys only); `status` filters, `limit` is 1 to 100.
    #[wasm_bindgen(js_name = listArchives, unchecked_return_type = "Promise<ArchiveList>")]
    pub fn list_archives(&self, query: Option<ListArchivesQueryArg>) -> Promise {
        let keys = ["status", "limit", "offset"];
        let q = query_arg(query.map(JsValue::from), &keys, |query| {
            Ok(ListArchivesQuery {
                status: opt_string(query, "status", arg_err("status"))?
                    .map(|s| ArchiveStatus::parse(&s)),
                limit: opt_u32(query, "limit", arg_err("limit"))?,
                offset: opt_u32(query, "offset", arg_err("offset"))?,
            })
        });
        let q = match q {
            Ok(q) => q,
            Err(e) => return reject(e),
        };
        self.send(
            archives::list_archives(&self.inner.config().routes, &q),
            |resp, _| {
                let list = archives::parse_archive_list(resp)?;
                let items: Vec<&str> = list.items.iter().map(|r| r.raw.as_str()).collect();
                let total = list
                    .total
                    .map(|t| format!(",\"total\":{t}"))
                    .unwrap_or_default();
                Ok(parse_json_text(&format!(
                    "{{\"items\":[{}]{total}}}",
                    items.join(",")
                )))
            },
        )
    }

    /// GetArchive: `GET /api/v2/communication/archives/archives/{archiveId}`. An id with `/`,
    /// `..` and the like is refused with a `ValidationError` before any request.
    #[wasm_bindgen(js_name = getArchive, unchecked_return_type = "Promise<ArchiveRecord>")]
    pub fn get_archive(&self, #[wasm_bindgen(js_name = archiveId)] archive_id: String) -> Promise {
        self.send(
            archives::get_archive(&self.inner.config().routes, &archive_id),
            |resp, _| {
                let r = archives::parse_archive(Operation::GetArchive, resp)?;
                Ok(parse_json_text(&r.raw))
            },
        )
    }

    /// The signed object-storage URL of an archive file: DownloadArchive's 302, resolved without
    /// following it. Fetch it WITHOUT the api-key header; it expires. Works where redirects can
    /// be read (Node); a browser cannot, and should not hold the key anyway.
    #[wasm_bindgen(js_name = archiveDownloadUrl, unchecked_return_type = "Promise<string>")]
    pub fn archive_download_url(
        &self,
        #[wasm_bindgen(js_name = archiveId)] archive_id: String,
    ) -> Promise {
        self.send(
            archives::download_archive(&self.inner.config().routes, &archive_id),
            |resp, config| {
                let url = archives::parse_download_location(resp, &config.base_url)?;
                Ok(JsValue::from_str(&url))
            },
        )
    }

    /// AbandonArchive: `POST .../conferences/{conferenceId}/archive/abandon`. Claims the archive
    /// (status ABANDONED, downloadable until it expires). Takes the CONFERENCE id
    /// (`record.subject.conference_id`). Resolves to the record when the server sends one.
    #[wasm_bindgen(js_name = abandonArchive, unchecked_return_type = "Promise<ArchiveRecord | null>")]
    pub fn abandon_archive(
        &self,
        #[wasm_bindgen(js_name = conferenceId)] conference_id: String,
    ) -> Promise {
        self.send(
            archives::abandon_archive(&self.inner.config().routes, &conference_id),
            |resp, _| {
                let r = archives::parse_abandoned(resp)?;
                Ok(r.map_or(JsValue::NULL, |r| parse_json_text(&r.raw)))
            },
        )
    }

    /// Sends a built request and parses the answer with `parse`: one future type (and one copy
    /// of its code in the wasm) serves every method that goes through here.
    fn send(
        &self,
        req: Result<ApiRequest, impl Into<Error>>,
        parse: fn(&ApiResponse, &ClientConfig) -> Result<JsValue, ApiError>,
    ) -> Promise {
        let req = match req {
            Ok(r) => r,
            Err(e) => return reject(e.into()),
        };
        let inner = self.inner.clone();
        promise(
            async move {
                let resp = inner.execute(&req).await?;
                Ok(parse(&resp, inner.config())?)
            },
            |v| v,
        )
    }

    /// The `fetch` given in the options (`undefined`: the global one); downloads use it.
    #[wasm_bindgen(getter = fetchFunction, skip_typescript)]
    pub fn fetch_function(&self) -> JsValue {
        self.inner.transport().fetch_function().clone()
    }

    /// Revokes an API token (`DELETE /api/v2/auth/tokens/{tokenId}`): the platform refuses it
    /// from its next call on.
    #[wasm_bindgen(js_name = revokeApiToken, unchecked_return_type = "Promise<void>")]
    pub fn revoke_api_token(&self, #[wasm_bindgen(js_name = tokenId)] token_id: String) -> Promise {
        self.send(
            tokens::revoke_api_token(&self.inner.config().routes, &token_id),
            |_, _| Ok(JsValue::UNDEFINED),
        )
    }
}

/// Whether a meeting link works at `when` (default: now), from the window it was reserved with.
/// `skewMs` (default 0) makes the answer conservative for clocks that disagree: the whole
/// interval `when ± skewMs` must lie inside the window.
#[wasm_bindgen(js_name = linkIsValidAt)]
pub fn link_is_valid_at_js(
    #[wasm_bindgen(unchecked_param_type = "MeetingLink")] link: JsValue,
    when: Option<LinkInstant>,
    options: Option<LinkCheckOptions>,
) -> Result<bool, JsValue> {
    let when: JsValue = when.map(JsValue::from).unwrap_or_default();
    let options: JsValue = options.map(JsValue::from).unwrap_or_default();
    let ms = |v: &JsValue, field: &str| -> Result<i64, Error> {
        let n = if let Some(d) = v.dyn_ref::<js_sys::Date>() {
            d.get_time()
        } else {
            v.as_f64().unwrap_or(f64::NAN)
        };
        if n.is_finite() {
            Ok(n as i64)
        } else {
            Err(arg_err(field)(
                "must be a Date or epoch milliseconds".into(),
            ))
        }
    };
    let run = || -> Result<bool, Error> {
        if !link.is_object() {
            return Err(arg_err("link")(
                "must be a link from reserveMeeting or startVideoCall".into(),
            ));
        }
        let l = MeetingLink {
            url: String::new(),
            not_before_ms: ms(&get(&link, "notBefore"), "link.notBefore")?,
            valid_until_ms: ms(&get(&link, "validUntil"), "link.validUntil")?,
        };
        let when_ms = if when.is_undefined() || when.is_null() {
            js_sys::Date::now() as i64
        } else {
            ms(&when, "when")?
        };
        let skew = if options.is_undefined() || options.is_null() {
            0
        } else {
            match get(&options, "skewMs") {
                v if v.is_undefined() => 0,
                v => ms(&v, "skewMs")?,
            }
        };
        if skew < 0 {
            return Err(arg_err("skewMs")("must not be negative".into()));
        }
        Ok(link_is_valid_at(&l, when_ms, skew))
    };
    run().map_err(|e| errors::to_js(&e))
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Operation ids of the contract (spec/flexperto-v2.json); keys of the `routes` option. */
export type OperationId =
  | "listUsers" | "createUser" | "confirmEmail" | "reserveMeeting" | "listArchives" | "getArchive"
  | "downloadArchive" | "abandonArchive" | "createWebhookSubscription" | "listSubscriptions"
  | "deleteSubscription" | "listSubscriptionReports" | "createApiToken" | "listApiTokens"
  | "revokeApiToken" | "getPlatformSettings" | "updatePlatformSettings" | "getSpec";

interface FlexpertoClientCommonOptions {
  /** The API key (a JWT). Keep it on your server. */
  apiKey: string;
  /** Per-request timeout in milliseconds (1..600000, default 30000). */
  timeoutMs?: number;
  /** Retries after the first attempt for 429, and for network errors, timeouts and 502/503/504 on idempotent requests (0..10, default 3). */
  maxRetries?: number;
  /** Path overrides by operationId, e.g. `{ createWebhookSubscription: "/api/v2/communication/notificationssubscriptions/notificationssubscriptions/webhook" }`. Placeholders must match the default path's. */
  routes?: Partial<Record<OperationId, string>>;
  /** A fetch implementation to use instead of the global one. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Name of the mail-suppressing query parameter (default "supressMails", the guide's spelling). */
  suppressMailsParam?: string;
}
/** Options of a client for a tenant's platform: `https://{tenant}.{environment}.flexperto.com`. */
export interface FlexpertoTenantOptions extends FlexpertoClientCommonOptions {
  /** Tenant id: lowercase letters, digits and hyphens. */
  tenant: string;
  environment: "test" | "live";
  baseUrl?: never;
}
/** Options of a client for an explicit base URL (https, or http on loopback only). */
export interface FlexpertoBaseUrlOptions extends FlexpertoClientCommonOptions {
  baseUrl: string;
  tenant?: never;
  environment?: never;
}
export type FlexpertoClientOptions = FlexpertoTenantOptions | FlexpertoBaseUrlOptions;

export type UserRole = "expert" | "customer" | "admin";
/** A user account as the API returns it; unknown fields are kept. */
export interface User {
  /** The account id: store it as `flexperto_account_id`. */
  id: string;
  /** The unique key of an account. */
  email: string;
  role?: UserRole;
  firstName?: string;
  lastName?: string;
  emailConfirmed?: boolean;
  createdAt?: string;
  [field: string]: unknown;
}
/** A page of users. */
export interface UserList {
  items: User[];
  total?: number;
  limit?: number;
  offset?: number;
  [field: string]: unknown;
}
export interface ListUsersQuery {
  role?: UserRole;
  email?: string;
  /** 1..100 */
  limit?: number;
  offset?: number;
}
/** An account to create; further fields are sent as given. */
export interface NewUser {
  email: string;
  firstName?: string;
  lastName?: string;
  role?: UserRole;
  [field: string]: unknown;
}
export interface CreateUserOptions {
  /** Suppress the platform's confirmation e-mail (default true, as the guide recommends). */
  suppressMails?: boolean;
}
/** A meeting participant; every field is optional (`{}` is an anonymous guest). */
export interface MeetingParticipant {
  email?: string;
  firstName?: string;
  lastName?: string;
  locale?: string;
  [field: string]: unknown;
}
/** What `reserveMeeting` reserves. Further fields (e.g. `subject`) are sent as given. */
export interface MeetingReservation {
  /** The moderating expert's account id (`flexperto_account_id`). */
  moderatorAccountId: string;
  /** Default `[{}]`: one anonymous participant. At most 50. */
  participants?: MeetingParticipant[];
  /** Links work from this instant (default: now). */
  accessLinkNotBefore?: Date | string | number;
  /** Links work until this instant: after `accessLinkNotBefore`, and in the future. */
  accessLinkValidUntil: Date | string | number;
  subject?: string;
  [field: string]: unknown;
}
/** A join link: whoever holds it joins as its participant (or as the moderator). */
export interface MeetingLink {
  url: string;
  notBefore: Date;
  validUntil: Date;
}
/** A participant's link, with the participant as the API echoed it. */
export interface ParticipantLink extends MeetingLink {
  participant: MeetingParticipant;
}
/** A reserved meeting. */
export interface ReservedMeeting {
  /** Document it in the CRM next to the call. */
  meetingId: string;
  moderatorLink: MeetingLink;
  /** One per participant, in request order. */
  participantLinks: ParticipantLink[];
  accessLinkNotBefore: Date;
  accessLinkValidUntil: Date;
  /** The meeting record as the API returned it (its own field names). */
  record: { id: string; moderator_link: string; participant_links: Array<{ link: string; [field: string]: unknown }>; [field: string]: unknown };
}
/** What `startVideoCall` needs: the expert (to provision, or by account id) and the customer. */
export interface StartVideoCall {
  expert: NewUser | { accountId: string };
  customer?: MeetingParticipant;
  /** 1..10080, default 60. */
  validForMinutes?: number;
  subject?: string;
  [field: string]: unknown;
}
/** A started video call. */
export interface VideoCall extends ReservedMeeting {
  expertAccountId: string;
  /** What provisioning did, when the expert was given by e-mail. */
  provisioned?: EnsuredExpert;
}
/** Platform settings; `enableAutomaticRecording` and `enableRecordingVerbalConsent` exclude each other. */
export interface PlatformSettings {
  enableAutomaticRecording?: boolean;
  enableRecordingVerbalConsent?: boolean;
  enableAutomaticArchivingOfConferences?: boolean;
  [field: string]: unknown;
}
/** The settings to change; the others stay as they are. */
export interface PlatformSettingsUpdate {
  enableAutomaticRecording?: boolean;
  enableRecordingVerbalConsent?: boolean;
  enableAutomaticArchivingOfConferences?: boolean;
}
/** An API token to create. */
export interface NewApiToken {
  /** 1..100 characters. */
  name: string;
  /** The user the token acts as (default: the caller). */
  userId?: string;
  /** At most 2 years ahead (the default). */
  expiresAt?: Date | string | number;
}
/** An API token's record: never its secret. */
export interface ApiToken {
  id: string;
  name?: string;
  userId?: string;
  createdAt?: string;
  expiresAt?: string;
  revokedAt?: string;
  [field: string]: unknown;
}
/** A token just created: `token` is the secret, readable only now. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}
export interface ApiTokenList {
  items: ApiToken[];
  [field: string]: unknown;
}
/** Webhook topics this SDK knows (others may exist on your tenant: see its /api/v2/spec). */
export type WebhookTopic = "archive.available" | (string & {});
/** A webhook subscription. */
export interface WebhookSubscription {
  id: string;
  topic: string;
  url: string;
  createdAt?: string;
  [field: string]: unknown;
}
/** One delivery attempt of a subscription. */
export interface SubscriptionReport {
  id: string;
  subscriptionId?: string;
  notificationId?: string;
  attempt?: number;
  attemptedAt?: string;
  /** Absent when the attempt got no HTTP answer. */
  statusCode?: number;
  durationMs?: number;
  success?: boolean;
  error?: string;
  [field: string]: unknown;
}
/** What `ensureExpert` did. */
export interface EnsuredExpert {
  /** The expert's account id (`flexperto_account_id`). */
  accountId: string;
  /** This call created the account. */
  created: boolean;
  /** This call confirmed the e-mail (false when it was confirmed already). */
  confirmed: boolean;
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TS_ARCHIVE_CLIENT: &str = r#"
/** The query of listArchives. */
export interface ListArchivesQuery {
  /** Only archives in this status. */
  status?: ArchiveStatus;
  /** Page size, 1 to 100. */
  limit?: number;
  /** Records to skip. */
  offset?: number;
}
/** A person in an archive record (fields inferred; unknown ones kept). */
export interface ArchiveRecordPerson {
  accountId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  [field: string]: unknown;
}
/**
 * An archive record (`CommunicationConferencesArchiveResponse`), as the API sent it: `id`,
 * `subject.conference_id` and `status` are checked; `sha256CheckSum` is 64 hex digits when present;
 * unknown fields are kept.
 */
export interface ArchiveRecord {
  /** The archiveId (getArchive, archiveDownloadUrl, downloadArchive). */
  id: string;
  /** `subject.conference_id` is what abandonArchive takes. */
  subject: { conference_id: string; [field: string]: unknown };
  status: ArchiveStatus;
  /** Why building the archive failed (FAILED). */
  error?: string;
  /** SHA-256 of the zip: check the download against it (ArchiveChecksum, verifyStream). */
  sha256CheckSum?: string;
  conferenceStartedAt?: string;
  conferenceEndedAt?: string;
  expert?: ArchiveRecordPerson;
  participants?: ArchiveRecordPerson[];
  createdAt?: string;
  abandonedAt?: string;
  expiresAt?: string;
  sizeBytes?: number;
  [field: string]: unknown;
}
/** One page of archive records. */
export interface ArchiveList {
  items: ArchiveRecord[];
  /** How many records match, when the server says. */
  total?: number;
}
/** Options of downloadArchive. */
export interface DownloadArchiveOptions {
  /** Called as bytes arrive: bytes so far and the total when known. */
  onProgress?: (progress: { bytes: number; totalBytes?: number; resumes: number }) => void;
  /** How many times a broken download resumes (with Range) before it fails (default 5). */
  maxResumes?: number;
  /** Cancels the download. */
  signal?: AbortSignal;
}
/** Options of archives(). */
export interface ArchivesIteratorOptions {
  /** Only archives in this status. */
  status?: ArchiveStatus;
  /** Page size, 1 to 100 (default 100). */
  pageSize?: number;
}
export interface FlexpertoClient {
  /**
   * Every archive record, page after page (listArchives with limit/offset until a short page).
   * Records can move between pages while you iterate (e.g. when you abandon them): iterate a
   * status you do not change, or collect first.
   */
  archives(options?: ArchivesIteratorOptions): AsyncIterableIterator<ArchiveRecord>;
  /**
   * Downloads an archive file: resolves the signed storage URL (archiveDownloadUrl), fetches it
   * WITHOUT the api-key header, and resumes with `Range` after a broken connection (resolving a
   * fresh URL when storage refuses an expired one). The stream errors with a `NetworkError`
   * when it cannot finish. Check it with `ArchiveChecksum.verifyStream` or the record's
   * `sha256CheckSum`. Node (and other servers) only: a browser cannot read the redirect.
   */
  downloadArchive(archiveId: string, options?: DownloadArchiveOptions): Promise<ReadableStream<Uint8Array>>;
}
"#;
