//! `fetch` transport for wasm32: Node 20 and browsers alike. Redirects are never followed
//! (`redirect: "manual"`), the timeout aborts through an `AbortController`, and only the headers
//! the SDK reads are copied out of the response.
//!
//! The request itself is made by a small JS adapter (`fetch.js` beside this file) so that one
//! request crosses the wasm boundary once each way: measured, a `web_sys` call per header, per
//! init field and per await cost more than the rest of the SDK's work on a request.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::{Outgoing, Transport, TransportFailure};
use crate::api::ApiResponse;

#[wasm_bindgen(module = "/src/transport/fetch.js")]
extern "C" {
    #[wasm_bindgen(js_name = fetchOnce)]
    fn fetch_once(
        fetch: &JsValue,
        url: &str,
        method: &JsValue,
        headers: &JsValue,
        body: &JsValue,
        timeout_ms: u32,
    ) -> Promise;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(cb: &Function, ms: f64) -> JsValue;
}

/// The header objects of one API key: built once, reused for every request.
#[derive(Debug)]
struct HeaderSet {
    key: String,
    plain: JsValue,
    json_body: JsValue,
}

fn header_object(pairs: &[(&str, &str)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o.into()
}

/// Sends requests with the global `fetch`, or with one given by the user.
#[derive(Debug, Default)]
pub struct FetchTransport {
    fetch: JsValue,
    headers: RefCell<Option<HeaderSet>>,
}

impl FetchTransport {
    /// A transport over `fetch` (the global one when `None`). A given `fetch` must honour
    /// `init.signal`, or timeouts cannot end its requests.
    pub fn new(fetch: Option<Function>) -> Self {
        Self {
            fetch: fetch.map(JsValue::from).unwrap_or(JsValue::UNDEFINED),
            headers: RefCell::new(None),
        }
    }

    /// The `fetch` given by the user, or `undefined` for the global one (downloads from object
    /// storage use it too).
    pub fn fetch_function(&self) -> &JsValue {
        &self.fetch
    }

    fn headers(&self, key: &str, with_body: bool) -> JsValue {
        let mut slot = self.headers.borrow_mut();
        let set = match slot.as_ref() {
            Some(s) if s.key == key => s,
            _ => slot.insert(HeaderSet {
                key: key.to_owned(),
                plain: header_object(&[("accept", "application/json"), ("api-key", key)]),
                json_body: header_object(&[
                    ("accept", "application/json"),
                    ("api-key", key),
                    ("content-type", "application/json"),
                ]),
            }),
        };
        if with_body {
            set.json_body.clone()
        } else {
            set.plain.clone()
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

fn opt_string(v: JsValue) -> Option<String> {
    v.as_string()
}

impl Transport for FetchTransport {
    async fn send(&self, out: Outgoing<'_>) -> Result<ApiResponse, TransportFailure> {
        let req = out.request;
        let url = format!("{}{}", out.base_url, req.path_and_query);
        let headers = self.headers(out.api_key, req.body.is_some());
        let body = match &req.body {
            Some(b) => JsValue::from_str(b),
            None => JsValue::UNDEFINED,
        };
        let method = req.method.as_str();
        let promise = fetch_once(
            &self.fetch,
            &url,
            &JsValue::from_str(method),
            &headers,
            &body,
            out.timeout_ms,
        );
        let parts: Array = match JsFuture::from(promise).await {
            Ok(v) => v.unchecked_into(),
            Err(e) if e.as_string().as_deref() == Some("timeout") => {
                return Err(TransportFailure::Timeout)
            }
            Err(e) => return Err(TransportFailure::Failed(describe(&e))),
        };
        let status = parts.get(0).as_f64().unwrap_or(0.0) as u16;
        let body: Uint8Array = parts.get(1).unchecked_into();
        Ok(ApiResponse {
            status,
            retry_after: opt_string(parts.get(2)),
            content_type: None,
            location: opt_string(parts.get(3)),
            body: body.to_vec(),
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
}
