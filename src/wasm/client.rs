//! The `FlexpertoClient` class: its constructor and what every method shares. The methods are in
//! one file per resource beside this one; JS code may extend this class (`class X extends
//! FlexpertoClient`), nothing in it waits to be replaced.

use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::prelude::*;

use super::{errors, get, input, Call};
use crate::client::Client;
use crate::config::{ClientConfig, ClientOptions};
use crate::error::{ConfigError, Error, ValidationError};
use crate::transport::fetch::FetchTransport;

/// A Flexperto API client over `fetch`, for Node 20+ and browsers (behind your own backend: the
/// API key must never reach a browser).
#[wasm_bindgen(js_name = FlexpertoClient)]
pub struct JsClient {
    pub(super) inner: Rc<Client<FetchTransport>>,
    /// The `lookup` option: createWebhookSubscription resolves the callback's name with it.
    pub(super) lookup: Option<Function>,
}

/// What a request hook receives. Never the API key, never a header value.
#[derive(tsify::Tsify, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct RequestHookEvent {
    /// The operation id, e.g. `"listUsers"`.
    pub operation_id: String,
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: String,
    /// The full URL.
    pub url: String,
    /// The status of the answer (onResponse; absent when none came).
    #[tsify(optional)]
    pub status: Option<u16>,
    /// Milliseconds from sending to the answer (0 in onRequest).
    pub duration_ms: f64,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// The answer's `x-request-id`, when the server sent one.
    #[tsify(optional)]
    pub request_id: Option<String>,
    /// Why no answer came (onResponse): `"TIMEOUT"`, `"NETWORK"` or `"ABORTED"`.
    #[tsify(optional, type = "\"TIMEOUT\" | \"NETWORK\" | \"ABORTED\"")]
    pub error: Option<String>,
}

/// The options only JavaScript can give (functions), beside [`ClientOptions`].
#[derive(tsify::Tsify, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct ClientHostOptions {
    /// A fetch to use instead of the global one, called as `fetch(request, { signal })`: the built
    /// `Request`, and the signal that ends it (the timeout, the caller's signal), which it must
    /// honour; `(request, init) => fetch(request, init)` does. Resolves to a `Response`.
    #[tsify(
        optional,
        type = "(request: Request, init: { signal: AbortSignal }) => Promise<Response>"
    )]
    pub fetch: Option<()>,
    /// Called before each attempt (logging, tracing). A hook that throws is ignored.
    #[tsify(optional, type = "(event: RequestHookEvent) => void")]
    pub on_request: Option<()>,
    /// Called after each attempt with its status and duration. A hook that throws is ignored.
    #[tsify(optional, type = "(event: RequestHookEvent) => void")]
    pub on_response: Option<()>,
    /// The resolver createWebhookSubscription checks the callback's addresses with (default in
    /// Node: `dns.lookup`).
    #[tsify(optional, type = "LookupFunction")]
    pub lookup: Option<()>,
}

/// A client for a tenant's platform: `https://{tenant}.{environment}.flexperto.com`.
#[derive(tsify::Tsify, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct TenantTarget {
    /// Tenant id: lowercase letters, digits and hyphens.
    pub tenant: String,
    /// The platform environment.
    #[tsify(type = "\"test\" | \"live\"")]
    pub environment: String,
    /// Not with a tenant.
    #[tsify(optional, type = "never")]
    pub base_url: Option<()>,
}

/// A client for an explicit base URL (https, or http on loopback only).
#[derive(tsify::Tsify, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct BaseUrlTarget {
    /// `https://host[:port][/prefix]`.
    pub base_url: String,
    /// Not with a base URL.
    #[tsify(optional, type = "never")]
    pub tenant: Option<()>,
    /// Not with a base URL.
    #[tsify(optional, type = "never")]
    pub environment: Option<()>,
}

/// Where a client sends its requests: a tenant's platform, or an explicit base URL.
#[derive(tsify::Tsify)]
#[serde(untagged)]
#[allow(dead_code)] // declarations only
pub enum ClientTarget {
    /// `https://{tenant}.{environment}.flexperto.com`.
    Tenant(TenantTarget),
    /// An explicit base URL.
    BaseUrl(BaseUrlTarget),
}

/// The constructor's options: a target, the common options, and the JS-only ones.
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only; the constructor reads the object as `ClientOptions`
pub struct FlexpertoClientOptions {
    #[serde(flatten)]
    target: ClientTarget,
    /// The common options of `ClientOptions`, its target fields left to `target`.
    #[serde(flatten)]
    #[tsify(type = "Omit<ClientOptions, \"tenant\" | \"environment\" | \"baseUrl\">")]
    common: (),
    #[serde(flatten)]
    host: ClientHostOptions,
}

fn config_error(e: Error) -> Error {
    match e {
        Error::Validation(ValidationError::InvalidArgument { field, reason }) => {
            ConfigError::InvalidOption(format!("{field}: {reason}")).into()
        }
        other => other,
    }
}

fn function_option(copy: &JsValue, key: &str) -> Result<Option<Function>, Error> {
    let v = get(copy, key);
    let _ = js_sys::Reflect::delete_property(
        copy.unchecked_ref::<js_sys::Object>(),
        &JsValue::from_str(key),
    );
    if v.is_undefined() {
        return Ok(None);
    }
    v.dyn_into::<Function>()
        .map(Some)
        .map_err(|_| ConfigError::InvalidOption(format!("{key} must be a function")).into())
}

type Parsed = (ClientConfig, FetchTransport, Option<Function>);

fn parse_options(options: &JsValue) -> Result<Parsed, Error> {
    if !options.is_object() {
        return Err(ConfigError::InvalidOption("options must be an object".into()).into());
    }
    let copy = input::snapshot(options, "", 0).map_err(config_error)?;
    let fetch = function_option(&copy, "fetch")?;
    let on_request = function_option(&copy, "onRequest")?;
    let on_response = function_option(&copy, "onResponse")?;
    let lookup = function_option(&copy, "lookup")?;
    let o: ClientOptions = input::read(copy, "options").map_err(config_error)?;
    let config = ClientConfig::from_options(&o)?;
    Ok((
        config,
        FetchTransport::with_hooks(fetch, on_request, on_response),
        lookup,
    ))
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// Creates a client. Throws a `ConfigError` for a bad tenant, environment, base URL, key,
    /// route override or option (unknown ones included), before any request.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "FlexpertoClientOptions")] options: JsValue,
    ) -> Result<JsClient, JsValue> {
        let (config, transport, lookup) = parse_options(&options).map_err(|e| errors::to_js(&e))?;
        Ok(Self {
            inner: Rc::new(Client::new(config, transport)),
            lookup,
        })
    }

    /// The base URL requests go to (no trailing slash).
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url.clone()
    }

    /// The User-Agent this client sends where the platform allows it (not in browsers).
    #[wasm_bindgen(getter, js_name = userAgent)]
    pub fn user_agent(&self) -> String {
        self.inner.config().user_agent.clone()
    }

    /// When the API key expires (its `exp` claim), if it says.
    #[wasm_bindgen(getter, js_name = apiKeyExpiresAt)]
    pub fn api_key_expires_at(&self) -> Option<js_sys::Date> {
        self.inner
            .config()
            .api_key_expires_at
            .map(|s| js_sys::Date::new(&JsValue::from(s as f64 * 1000.0)))
    }
}

impl JsClient {
    /// The native client for one call: its signal and options over the shared configuration.
    pub(super) fn scoped(&self, call: Call) -> Client<FetchTransport> {
        self.inner
            .scoped(self.inner.transport().for_call(call.signal), call.options)
    }
}
