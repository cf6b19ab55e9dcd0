//! One `GET /users/users` with nothing of the SDK in it: the argument read by serde-wasm-bindgen
//! into a derived struct (issue 10 item 2), a request built by gloo-net's `RequestBuilder` (item
//! 1), its own `AbortController` and timer, the caller's `fetch(request, { signal })` awaited
//! through wasm-bindgen-futures, the answer read as text through gloo-net's `Response`, and the
//! text handed back as it came (the caller `JSON.parse`s it). No retry, no hooks, no parse of the
//! record, no typed errors: whatever the SDK does costs at least this.
//!
//! `Path` picks what is left out, to tell what each mandated piece costs.

use gloo_net::http::{Headers, Method, RequestBuilder, Response};
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListUsers {
    limit: Option<u32>,
    role: Option<String>,
}

/// How the request is made.
#[wasm_bindgen]
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// As item 1 asks: `RequestBuilder::build()`, which makes a throwaway `Request` and a `URL`
    /// to merge the query before the real `Request`; the request's own timer. The headers are one
    /// `Headers` object made by the constructor, as the SDK makes them once per client.
    Mandated = 0,
    /// `web_sys::Request::new_with_str_and_init` directly, without gloo-net's builder.
    DirectRequest = 1,
    /// As `DirectRequest`, and no timer (the controller's signal still goes to fetch).
    DirectNoTimer = 2,
    /// As `Mandated`, without the request's timer: what is left if timeouts cost nothing per
    /// request (say, one timer for all of them).
    MandatedNoTimer = 3,
}

fn js_error(error: impl ToString) -> JsValue {
    JsValue::from_str(&error.to_string())
}

#[wasm_bindgen]
pub struct Floor {
    fetch: js_sys::Function,
    base: String,
    key: String,
    user_agent: String,
    /// `accept`, `api-key` and `user-agent`, made once (the `Mandated` path).
    headers: web_sys::Headers,
}

#[wasm_bindgen]
impl Floor {
    #[wasm_bindgen(constructor)]
    pub fn new(
        fetch: js_sys::Function,
        base: String,
        key: String,
        user_agent: String,
    ) -> Result<Floor, JsValue> {
        let headers = web_sys::Headers::new()?;
        headers.set("accept", "application/json")?;
        headers.set("api-key", &key)?;
        headers.set("user-agent", &user_agent)?;
        Ok(Floor {
            fetch,
            base,
            key,
            user_agent,
            headers,
        })
    }

    /// Resolves to the answer's text.
    #[wasm_bindgen(js_name = listUsers)]
    pub fn list_users(&self, query: JsValue, path: Path) -> js_sys::Promise {
        let query: Result<ListUsers, _> = serde_wasm_bindgen::from_value(query);
        let fetch = self.fetch.clone();
        let mut url = format!("{}/api/v2/users/users", self.base);
        let key = self.key.clone();
        let user_agent = self.user_agent.clone();
        let shared_headers = self.headers.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let query = query.map_err(js_error)?;
            let mut separator = '?';
            if let Some(limit) = query.limit {
                url.push(separator);
                url.push_str("limit=");
                url.push_str(&limit.to_string());
                separator = '&';
            }
            if let Some(role) = query.role {
                url.push(separator);
                url.push_str("role=");
                url.push_str(&role);
            }
            let controller = web_sys::AbortController::new()?;
            let timer = if matches!(path, Path::DirectNoTimer | Path::MandatedNoTimer) {
                None
            } else {
                let abort: js_sys::Function =
                    js_sys::Reflect::get(&controller, &"abort".into())?.into();
                Some(set_timeout(&abort.bind0(&controller), 30_000))
            };
            let request: web_sys::Request =
                if matches!(path, Path::Mandated | Path::MandatedNoTimer) {
                    RequestBuilder::new(&url)
                        .method(Method::GET)
                        .redirect(web_sys::RequestRedirect::Manual)
                        .headers(Headers::from_raw(shared_headers))
                        .build()
                        .map_err(js_error)?
                        .into()
                } else {
                    let init = web_sys::RequestInit::new();
                    init.set_method("GET");
                    init.set_redirect(web_sys::RequestRedirect::Manual);
                    let headers = web_sys::Headers::new()?;
                    headers.set("accept", "application/json")?;
                    headers.set("api-key", &key)?;
                    headers.set("user-agent", &user_agent)?;
                    init.set_headers(&headers);
                    web_sys::Request::new_with_str_and_init(&url, &init)?
                };
            let init = js_sys::Object::new();
            js_sys::Reflect::set(&init, &"signal".into(), &controller.signal())?;
            let answer = fetch.call2(&JsValue::NULL, &request.into(), &init)?;
            let answer: web_sys::Response =
                JsFuture::from(js_sys::Promise::from(answer)).await?.into();
            let text = Response::from(answer).text().await.map_err(js_error)?;
            if let Some(timer) = timer {
                clear_timeout(&timer);
            }
            Ok(JsValue::from_str(&text))
        })
    }
}
