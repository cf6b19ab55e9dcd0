//! `fetch` transport for wasm32: Node 20 and browsers alike. Redirects are never followed
//! (`redirect: "manual"`), the timeout aborts through an `AbortController`, and only the headers
//! the SDK reads are copied out of the response.

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, RequestRedirect, Response};

use super::{Outgoing, Transport, TransportFailure};
use crate::api::ApiResponse;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str, init: &RequestInit) -> Promise;
}

/// Sends requests with the global `fetch`, or with one given by the user.
#[derive(Debug, Clone, Default)]
pub struct FetchTransport {
    fetch: Option<Function>,
}

impl FetchTransport {
    /// A transport over `fetch` (the global one when `None`).
    pub fn new(fetch: Option<Function>) -> Self {
        Self { fetch }
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

impl Transport for FetchTransport {
    async fn send(&self, out: Outgoing<'_>) -> Result<ApiResponse, TransportFailure> {
        let req = out.request;
        let url = format!("{}{}", out.base_url, req.path_and_query);
        let headers = Headers::new().map_err(|e| TransportFailure::Failed(describe(&e)))?;
        let set = |k: &str, v: &str| {
            headers
                .set(k, v)
                .map_err(|_| TransportFailure::Failed(format!("cannot set header {k}")))
        };
        set("accept", "application/json")?;
        set("api-key", out.api_key)?;
        let init = RequestInit::new();
        init.set_method(req.method.as_str());
        init.set_redirect(RequestRedirect::Manual);
        if let Some(body) = &req.body {
            set("content-type", "application/json")?;
            init.set_body(&JsValue::from_str(body));
        }
        init.set_headers(&headers);
        let controller =
            AbortController::new().map_err(|e| TransportFailure::Failed(describe(&e)))?;
        init.set_signal(Some(&controller.signal()));
        let timed_out = std::rc::Rc::new(std::cell::Cell::new(false));
        let flag = timed_out.clone();
        let ctl = controller.clone();
        let on_timeout = wasm_bindgen::closure::Closure::once_into_js(move || {
            flag.set(true);
            ctl.abort();
        });
        let timer = set_timeout(on_timeout.unchecked_ref(), f64::from(out.timeout_ms));
        let result = async {
            let promise = match &self.fetch {
                Some(f) => f
                    .call2(&JsValue::UNDEFINED, &JsValue::from_str(&url), &init)
                    .map_err(|e| TransportFailure::Failed(describe(&e)))?
                    .dyn_into::<Promise>()
                    .map_err(|_| {
                        TransportFailure::Failed("the fetch option did not return a Promise".into())
                    })?,
                None => global_fetch(&url, &init),
            };
            let resp: Response = JsFuture::from(promise)
                .await
                .map_err(|e| TransportFailure::Failed(describe(&e)))?
                .dyn_into()
                .map_err(|_| {
                    TransportFailure::Failed("fetch did not resolve to a Response".into())
                })?;
            let h = resp.headers();
            let get = |k: &str| h.get(k).ok().flatten();
            let (retry_after, content_type, location) =
                (get("retry-after"), get("content-type"), get("location"));
            let status = resp.status();
            let buf = resp
                .array_buffer()
                .map_err(|e| TransportFailure::Failed(describe(&e)))?;
            let buf = JsFuture::from(buf)
                .await
                .map_err(|e| TransportFailure::Failed(describe(&e)))?;
            Ok(ApiResponse {
                status,
                retry_after,
                content_type,
                location,
                body: Uint8Array::new(&buf).to_vec(),
            })
        }
        .await;
        clear_timeout(&timer);
        match result {
            Err(_) if timed_out.get() => Err(TransportFailure::Timeout),
            other => other,
        }
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
}
