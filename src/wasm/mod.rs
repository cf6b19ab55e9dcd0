//! JavaScript bindings (wasm32 only): convert arguments, delegate to the core, convert results and errors.
//! Nothing here decides anything the core could decide.

mod errors;

pub use errors::is_flexperto_error;

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::client::Client;
use crate::config::{ClientConfig, Environment, Target};
use crate::error::{ConfigError, Error, ValidationError};
use crate::models::users::{ListUsersQuery, NewUser};
use crate::transport::fetch::FetchTransport;

fn get(obj: &JsValue, key: &str) -> JsValue {
    // Interned: property names cross the boundary once, not on every call.
    Reflect::get(obj, &JsValue::from_str(wasm_bindgen::intern(key))).unwrap_or(JsValue::UNDEFINED)
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

fn new_user_from(input: &JsValue, field: &str) -> Result<NewUser, Error> {
    if !is_plain_object(input) {
        return Err(arg_err(field)("must be an object".into()));
    }
    let text = JSON::stringify(input)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| arg_err(field)("must be JSON-serializable".into()))?;
    let mut map: Map<String, Value> =
        serde_json::from_str(&text).map_err(|_| arg_err(field)("must be a JSON object".into()))?;
    let mut take = |k: &str| -> Result<Option<String>, Error> {
        match map.remove(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(arg_err(k)("must be a string".into())),
        }
    };
    let email = take("email")?.ok_or_else(|| arg_err("email")("is required".into()))?;
    let first_name = take("firstName")?;
    let last_name = take("lastName")?;
    let role = take("role")?;
    Ok(NewUser {
        email,
        first_name,
        last_name,
        role,
        extra: map,
    })
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
        let query: JsValue = query.map(JsValue::from).unwrap_or_default();
        let q = if query.is_undefined() || query.is_null() {
            Ok(ListUsersQuery::default())
        } else if !is_plain_object(&query) {
            Err(arg_err("query")("must be an object".into()))
        } else {
            (|| {
                check_keys(
                    &query,
                    &["role", "email", "limit", "offset"],
                    arg_err("query"),
                )?;
                Ok(ListUsersQuery {
                    role: opt_string(&query, "role", arg_err("role"))?,
                    email: opt_string(&query, "email", arg_err("email"))?,
                    limit: opt_u32(&query, "limit", arg_err("limit"))?,
                    offset: opt_u32(&query, "offset", arg_err("offset"))?,
                })
            })()
        };
        let q = match q {
            Ok(q) => q,
            Err(e) => return reject(e),
        };
        let inner = self.inner.clone();
        future_to_promise(async move {
            match inner.list_users(&q).await {
                Ok(list) => Ok(parse_json_text(&list.raw)),
                Err(e) => Err(errors::to_js(&e)),
            }
        })
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
        let inner = self.inner.clone();
        future_to_promise(async move {
            match inner.create_user(&user, suppress).await {
                Ok(u) => Ok(parse_json_text(&u.raw)),
                Err(e) => Err(errors::to_js(&e)),
            }
        })
    }

    /// ConfirmEmail: `POST /api/v2/users/users/{userId}/confirm-email`. Resolves to the account
    /// when the API returns it, else `null`.
    #[wasm_bindgen(js_name = confirmEmail, unchecked_return_type = "Promise<User | null>")]
    pub fn confirm_email(&self, #[wasm_bindgen(js_name = userId)] user_id: String) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            match inner.confirm_email(&user_id).await {
                Ok(Some(u)) => Ok(parse_json_text(&u.raw)),
                Ok(None) => Ok(JsValue::NULL),
                Err(e) => Err(errors::to_js(&e)),
            }
        })
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
        future_to_promise(async move {
            match inner.ensure_expert(&expert, suppress).await {
                Ok(r) => {
                    let o = Object::new();
                    let _ =
                        Reflect::set(&o, &"accountId".into(), &JsValue::from_str(&r.account_id));
                    let _ = Reflect::set(&o, &"created".into(), &JsValue::from_bool(r.created));
                    let _ = Reflect::set(&o, &"confirmed".into(), &JsValue::from_bool(r.confirmed));
                    Ok(o.into())
                }
                Err(e) => Err(errors::to_js(&e)),
            }
        })
    }
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
