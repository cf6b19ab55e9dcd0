//! The wasm32 transport: gloo-net over `fetch`, the same in Node 20 and browsers.
//!
//! Each request is built with `gloo_net::http::RequestBuilder` (method, headers, body, `redirect:
//! "manual"`) and gets its own `AbortController`, which a timer aborts after the timeout and the
//! caller's signal aborts when a call has one. `fetch` (the global one, or the one given in the
//! client's options) is called as `fetch(request, { signal })`: the built `Request`, and that
//! controller's signal in the second argument. Its `Response` is read through
//! `gloo_net::http::Response`.
//!
//! Why the signal is not inside the `Request`: Node's `Request` constructor follows a given
//! signal with its own controller, a `WeakRef` and a `FinalizationRegistry` entry (measured in
//! Node 20: 4.0 us for the request alone, 13.2 us with a fresh signal), and `fetch(request)`
//! follows the request's signal once more. Given as `fetch`'s init, the signal is followed once,
//! by `fetch` itself: the SDK's own CPU per call over a canned fetch went from 1.69-1.80x to
//! 1.34x of stripe-node's, the two builds measured in one run (`bench/sdk-overhead.mjs`,
//! bench/README.md).
//!
//! The rules (which headers, what a hook is told, when an abort ends a call) are in
//! [`crate::transport`] and [`crate::Client`]; this file only performs them.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_net::http::{Headers, RequestBuilder, Response};
use js_sys::{Function, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestRedirect};

use super::{Outgoing, Phase, RequestEvent, Transport, TransportFailure};
use crate::api::{ApiResponse, Method};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

thread_local! {
    /// `AbortController.prototype.abort`, bound to each request's controller for its timer.
    static ABORT: Option<Function> = Reflect::get(&js_sys::global(), &JsValue::from_str("AbortController"))
        .and_then(|c| Reflect::get(&c, &JsValue::from_str("prototype")))
        .and_then(|p| Reflect::get(&p, &JsValue::from_str("abort")))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
}

/// What every call of one client shares: the `fetch` and hooks given in its options.
#[derive(Debug, Default)]
struct Shared {
    fetch: Option<Function>,
    on_request: Option<Function>,
    on_response: Option<Function>,
    /// Whether to send `user-agent`: not in browsers (they refuse or ignore it, and a header
    /// that is not CORS-safelisted would cost every cross-origin call a preflight).
    send_user_agent: bool,
    /// The SDK's own headers, made once (see [`SdkHeaders`]).
    headers: RefCell<Option<SdkHeaders>>,
}

/// The headers every request of a client sends (`accept`, `api-key`, `user-agent`), as one
/// `Headers` object per client, given to each `RequestBuilder` with `.headers()` (a call with
/// headers of its own gets a copy): the `Request` constructor copies them, and nothing else holds
/// the object. Made per request (a `Headers` and three `set`, six strings across the boundary),
/// they cost about 1 us of the SDK's own CPU per call: branch cpu2's A/B in one process, own CPU
/// 29.7 -> 27.3 us with this and its other changes (bench/README.md, "CPU per call, 2026-11-30").
struct SdkHeaders {
    /// What they were made from: another key or User-Agent makes them again.
    api_key: String,
    user_agent: String,
    /// Without and with `content-type: application/json`.
    plain: web_sys::Headers,
    json: web_sys::Headers,
}

impl std::fmt::Debug for SdkHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SdkHeaders { .. }") // never the key
    }
}

/// Sends requests with the global `fetch`, or with one given by the user. One value serves a
/// client; [`FetchTransport::for_call`] makes the per-call view that holds a call's signal.
#[derive(Debug, Default)]
pub struct FetchTransport {
    shared: Rc<Shared>,
    signal: Option<AbortSignal>,
    request_id: RefCell<Option<String>>,
}

fn is_browser() -> bool {
    let g = js_sys::global();
    let defined =
        |name: &str| Reflect::get(&g, &JsValue::from_str(name)).is_ok_and(|v| !v.is_undefined());
    defined("document") || defined("WorkerGlobalScope")
}

impl FetchTransport {
    /// A transport over `fetch` (the global one when `None`). A given `fetch` is called as
    /// `fetch(request, { signal })` and must honour that signal (passing both arguments on to
    /// another `fetch` does), or timeouts and the caller's signal cannot end its requests.
    pub fn new(fetch: Option<Function>) -> Self {
        Self::with_hooks(fetch, None, None)
    }

    /// A transport with request hooks (`onRequest`, `onResponse`).
    pub fn with_hooks(
        fetch: Option<Function>,
        on_request: Option<Function>,
        on_response: Option<Function>,
    ) -> Self {
        Self {
            shared: Rc::new(Shared {
                fetch,
                on_request,
                on_response,
                send_user_agent: !is_browser(),
                headers: RefCell::new(None),
            }),
            signal: None,
            request_id: RefCell::new(None),
        }
    }

    /// The view of this transport for one call, aborted by `signal` when given.
    pub fn for_call(&self, signal: Option<AbortSignal>) -> Self {
        Self {
            shared: Rc::clone(&self.shared),
            signal,
            request_id: RefCell::new(None),
        }
    }
}

/// A promise that resolves after `ms` milliseconds.
pub fn delay(ms: f64) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms);
    })
}

fn describe(err: &JsValue) -> String {
    // The message of a TypeError from fetch ("fetch failed") plus its cause's code when present.
    let msg = Reflect::get(err, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "fetch failed".into());
    let cause = Reflect::get(err, &"cause".into())
        .ok()
        .filter(|c| c.is_object())
        .and_then(|c| Reflect::get(&c, &"code".into()).ok())
        .and_then(|c| c.as_string());
    match cause {
        Some(c) => format!("{msg} ({c})"),
        None => msg,
    }
}

fn gloo_method(m: Method) -> gloo_net::http::Method {
    match m {
        Method::Get => gloo_net::http::Method::GET,
        Method::Post => gloo_net::http::Method::POST,
        Method::Patch => gloo_net::http::Method::PATCH,
        Method::Delete => gloo_net::http::Method::DELETE,
    }
}

/// What a hook receives (camelCase): built from a [`RequestEvent`], which holds no key.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HookEvent<'a> {
    operation_id: &'a str,
    method: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    duration_ms: f64,
    attempt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

thread_local! {
    /// Catches the rejection of an async hook: a hook never breaks a call, and never leaves an
    /// unhandled rejection behind.
    static SWALLOW: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

impl FetchTransport {
    async fn exchange(
        &self,
        out: &Outgoing<'_>,
        signal: &AbortSignal,
    ) -> Result<Response, JsValue> {
        let req = out.request;
        let url = format!("{}{}", out.base_url, req.path_and_query);
        let mut builder = RequestBuilder::new(&url)
            .method(gloo_method(req.method))
            .redirect(RequestRedirect::Manual);
        let sdk = self.sdk_headers(out, req.body.is_some())?;
        if out.headers.is_empty() {
            builder = builder.headers(Headers::from_raw(sdk));
        } else {
            // A call's own headers go into a copy: the client's object is shared by its requests.
            let own = web_sys::Headers::new_with_headers(&sdk)?;
            for (name, value) in out.headers {
                own.set(name, value)?;
            }
            builder = builder.headers(Headers::from_raw(own));
        }
        let built = match &req.body {
            Some(b) => builder.body(JsValue::from_str(b)),
            None => builder.build(),
        };
        let request = built.map_err(|e| JsValue::from_str(&e.to_string()))?;
        // The user's fetch, or the global one as it is at call time, gets the built Request and
        // the signal as its init (see the module doc). Not gloo-net's `send()`: it panics ("not an
        // Error type") when fetch rejects with anything but an Error (a patched fetch, an abort
        // reason), and a panic here would poison the instance. Its Response is read through
        // gloo-net all the same.
        let fetch = match &self.shared.fetch {
            Some(f) => f.clone(),
            None => Reflect::get(&js_sys::global(), &JsValue::from_str("fetch"))?
                .dyn_into::<Function>()
                .map_err(|_| JsValue::from_str("there is no global fetch"))?,
        };
        let raw: web_sys::Request = request.into();
        let init = web_sys::RequestInit::new();
        init.set_signal(Some(signal));
        let answer = fetch.call2(&JsValue::UNDEFINED, &raw, &init)?;
        let answer = JsFuture::from(Promise::resolve(&answer)).await?;
        answer
            .dyn_into::<web_sys::Response>()
            .map(Response::from)
            .map_err(|_| JsValue::from_str("fetch did not resolve to a Response"))
    }
}

impl FetchTransport {
    /// The SDK's headers for `out` (with `content-type` when `json`), made on first use: the one
    /// place they are written. The object is shared by the client's requests: never set a header
    /// on it (a call's own headers go into a copy, see `exchange`).
    fn sdk_headers(&self, out: &Outgoing<'_>, json: bool) -> Result<web_sys::Headers, JsValue> {
        let mut cache = self.shared.headers.borrow_mut();
        let fresh = cache
            .as_ref()
            .is_none_or(|c| c.api_key != out.api_key || c.user_agent != out.user_agent);
        if fresh {
            let make = |json: bool| -> Result<web_sys::Headers, JsValue> {
                let h = web_sys::Headers::new()?;
                h.set("accept", "application/json")?;
                h.set("api-key", out.api_key)?;
                if self.shared.send_user_agent {
                    h.set("user-agent", out.user_agent)?;
                }
                if json {
                    h.set("content-type", "application/json")?;
                }
                Ok(h)
            };
            *cache = Some(SdkHeaders {
                api_key: out.api_key.to_owned(),
                user_agent: out.user_agent.to_owned(),
                plain: make(false)?,
                json: make(true)?,
            });
        }
        let c = cache
            .as_ref()
            .ok_or_else(|| JsValue::from_str("no headers"))?;
        Ok(if json {
            c.json.clone()
        } else {
            c.plain.clone()
        })
    }
}

impl Transport for FetchTransport {
    async fn send(&self, out: Outgoing<'_>) -> Result<ApiResponse, TransportFailure> {
        if self.aborted() {
            return Err(TransportFailure::Aborted);
        }
        // Its own AbortController per request: a timer aborts it after the timeout, and the
        // caller's signal aborts it too. (Measured in Node 20: `AbortSignal.timeout` costs about
        // 19 us per request, a controller with setTimeout/clearTimeout about 1 us.)
        let controller =
            web_sys::AbortController::new().map_err(|e| TransportFailure::Failed(describe(&e)))?;
        // Bound with an undefined reason: as an "abort" listener it would otherwise get the Event
        // as the reason, and fetch would reject with that Event rather than an AbortError.
        let abort = ABORT
            .with(|a| {
                a.as_ref().map(|f| {
                    JsValue::from(f.bind1(&controller, &JsValue::UNDEFINED))
                        .unchecked_into::<Function>()
                })
            })
            .ok_or_else(|| TransportFailure::Failed("AbortController is missing".into()))?;
        let timer = set_timeout(&abort, f64::from(out.timeout_ms));
        if let Some(user) = &self.signal {
            let _ = user.add_event_listener_with_callback("abort", &abort);
        }
        let signal = controller.signal();
        let result = self.exchange_and_read(&out, &signal).await;
        clear_timeout(&timer);
        if let Some(user) = &self.signal {
            let _ = user.remove_event_listener_with_callback("abort", &abort);
        }
        result.map_err(|e| {
            if self.aborted() {
                TransportFailure::Aborted
            } else if signal.aborted() {
                TransportFailure::Timeout
            } else {
                TransportFailure::Failed(describe(&e))
            }
        })
    }

    async fn sleep(&self, ms: u64) {
        let _ = JsFuture::from(delay(ms as f64)).await;
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn aborted(&self) -> bool {
        self.signal.as_ref().is_some_and(AbortSignal::aborted)
    }

    fn observing(&self) -> bool {
        self.shared.on_request.is_some() || self.shared.on_response.is_some()
    }

    fn observe(&self, phase: Phase, e: &RequestEvent<'_>) {
        self.call_hook(phase, e);
    }

    fn last_request_id(&self) -> Option<String> {
        self.request_id.borrow_mut().take()
    }
}

impl FetchTransport {
    async fn exchange_and_read(
        &self,
        out: &Outgoing<'_>,
        signal: &AbortSignal,
    ) -> Result<ApiResponse, JsValue> {
        let resp = self.exchange(out, signal).await?;
        let status = resp.status();
        let ok = (200..300).contains(&status);
        // Headers (and their strings) cross into wasm only when something reads them.
        let (retry_after, location) = if ok {
            (None, None)
        } else {
            let headers = resp.headers();
            (headers.get("retry-after"), headers.get("location"))
        };
        if self.observing() {
            *self.request_id.borrow_mut() = resp.headers().get("x-request-id");
        }
        let body = resp
            .binary()
            .await
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        Ok(ApiResponse {
            status,
            retry_after,
            content_type: None,
            location,
            body,
        })
    }

    fn call_hook(&self, phase: Phase, e: &RequestEvent<'_>) {
        let hook = match phase {
            Phase::Request => &self.shared.on_request,
            Phase::Response => &self.shared.on_response,
        };
        let Some(hook) = hook else { return };
        let event = HookEvent {
            operation_id: e.operation_id,
            method: e.method,
            url: e.url,
            status: e.status,
            duration_ms: e.duration_ms,
            attempt: e.attempt,
            request_id: e.request_id,
            error: e.error,
        };
        let Ok(arg) = serde_wasm_bindgen::to_value(&event) else {
            return;
        };
        // A hook that throws is ignored; one that returns a rejected promise too.
        if let Ok(ret) = hook.call1(&JsValue::UNDEFINED, &arg) {
            if ret.has_type::<Promise>() {
                SWALLOW.with(|c| {
                    let _ = ret.unchecked_ref::<Promise>().catch(c);
                });
            }
        }
    }
}
