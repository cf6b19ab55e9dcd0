//! JS bindings of the rules the hand-written adapters share: the webhook flow's decisions
//! (crate::webhook::flow), the platform's delivery policy (for `flexperto-sdk/testing`), and the
//! paginator of the list iterators (crate::pagination). Internal: skipped from the declarations,
//! so the package entries do not export them; the adapters import them from the glue.

use js_sys::{Array, Object, Reflect};
use serde::de::IgnoredAny;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::{errors, input};
use crate::error::Error;
use crate::pagination;
use crate::webhook::flow::{self, Outcome};

fn put(o: &Object, key: &str, value: &JsValue) {
    // Reflect.set on a fresh plain object cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(key), value);
}

fn num(v: &JsValue) -> Option<f64> {
    if v.is_undefined() || v.is_null() {
        None
    } else {
        // Not a number: NaN, which every bound refuses.
        Some(v.as_f64().unwrap_or(f64::NAN))
    }
}

/// The refusal before the body is read (its code), or `undefined` to read the body.
/// Internal.
/// @internal
#[wasm_bindgen(js_name = webhookBeforeBody)]
pub fn webhook_before_body(
    method: &str,
    header_finding: Option<String>,
    declared_length: Option<String>,
    max_body_bytes: u32,
) -> Option<String> {
    flow::before_body(
        method,
        header_finding.as_deref(),
        declared_length.as_deref(),
        max_body_bytes as usize,
    )
    .map(|o| o.code().to_owned())
}

/// `{ status, code?, ack?, allow? }` for an outcome's code, or `undefined` for an unknown one.
/// Internal.
/// @internal
#[wasm_bindgen(js_name = webhookAnswer)]
pub fn webhook_answer(code: &str) -> JsValue {
    let Some(a) = Outcome::from_code(code).map(Outcome::answer) else {
        return JsValue::UNDEFINED;
    };
    let o = Object::new();
    put(&o, "status", &JsValue::from(a.status));
    for (k, v) in [("code", a.code), ("ack", a.ack), ("allow", a.allow)] {
        if let Some(v) = v {
            put(&o, k, &JsValue::from_str(v));
        }
    }
    o.into()
}

/// `{ attempts, attemptTimeoutMs, backoffMs: [wait before attempt 1, 2, ...] }`.
/// Internal.
/// @internal
#[wasm_bindgen(js_name = platformDeliveryPolicy)]
pub fn platform_delivery_policy() -> JsValue {
    let o = Object::new();
    put(&o, "attempts", &JsValue::from(flow::PLATFORM_ATTEMPTS));
    put(
        &o,
        "attemptTimeoutMs",
        &JsValue::from(flow::PLATFORM_ATTEMPT_TIMEOUT_MS as f64),
    );
    let waits: Array = (1..=flow::PLATFORM_ATTEMPTS)
        .map(|n| JsValue::from(flow::platform_backoff_ms(n) as f64))
        .collect();
    put(&o, "backoffMs", &waits);
    o.into()
}

/// Whether the platform takes `status` as an acknowledgement.
/// Internal.
/// @internal
#[wasm_bindgen(js_name = platformAccepts)]
pub fn platform_accepts(status: u16) -> bool {
    flow::platform_accepts(status)
}

/// `toArray`'s options: `{ limit }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // the key is what is read; the value is checked by the paginator
struct ToArrayOptions {
    #[serde(default)]
    limit: Option<IgnoredAny>,
}

/// The `limit` of `toArray(options)`, read from `options` as the methods read their arguments
/// (getters and Proxies that throw, unknown keys: typed errors) and checked.
/// Internal.
/// @internal
#[wasm_bindgen(js_name = toArrayLimit)]
pub fn to_array_limit(options: JsValue) -> Result<u32, JsValue> {
    let read = |options: &JsValue| -> Result<u32, Error> {
        input::from_js::<ToArrayOptions>(options, "options")?;
        let copy = input::snapshot(options, "options", 0)?;
        pagination::to_array_limit(num(&super::get(&copy, "limit"))).map_err(Error::Validation)
    };
    read(&options).map_err(|e| errors::to_js(&e))
}

/// `users(query)`: the filters of listUsers and the page size; the values are checked by
/// listUsers and the paginator, the keys here.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)] // the keys are what is read; the values go on as they are
struct UsersIteration {
    #[serde(default)]
    role: Option<IgnoredAny>,
    #[serde(default)]
    email: Option<IgnoredAny>,
    #[serde(default)]
    page_size: Option<IgnoredAny>,
}

/// `archives(options)`: the filter of listArchives and the page size.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[allow(dead_code)]
struct ArchivesIteration {
    #[serde(default)]
    status: Option<IgnoredAny>,
    #[serde(default)]
    page_size: Option<IgnoredAny>,
}

/// The first argument of a list iterator, `users(query)` or `archives(options)` (`of`), read as
/// the list methods read theirs (`undefined` is none; getters and Proxies that throw, other kinds
/// of values and unknown keys are typed errors): `[filter, pageSize]`, the plain filter object each
/// page's call gets and the page size for the `Paginator`.
/// Internal.
/// @internal
#[wasm_bindgen(js_name = iterationArgument)]
pub fn iteration_argument(of: &str, value: JsValue) -> Result<Array, JsValue> {
    let read = |value: &JsValue| -> Result<Array, Error> {
        let filter = Object::new();
        let out = Array::new();
        if value.is_undefined() {
            out.push(&filter);
            out.push(&JsValue::UNDEFINED);
            return Ok(out);
        }
        let (name, keys): (&str, &[&str]) = if of == "users" {
            input::from_js::<UsersIteration>(value, "query")?;
            ("query", &["role", "email"])
        } else {
            input::from_js::<ArchivesIteration>(value, "options")?;
            ("options", &["status"])
        };
        let copy = input::snapshot(value, name, 0)?;
        for key in keys {
            let v = super::get(&copy, key);
            if !v.is_undefined() {
                put(&filter, key, &v);
            }
        }
        out.push(&filter);
        out.push(&super::get(&copy, "pageSize"));
        Ok(out)
    };
    read(&value).map_err(|e| errors::to_js(&e))
}

/// The paginator of one iteration (see crate::pagination).
/// Internal.
/// @internal
#[wasm_bindgen(js_name = Paginator)]
pub struct JsPaginator(pagination::Paginator);

#[wasm_bindgen(js_class = Paginator)]
impl JsPaginator {
    /// A `ValidationError` (field `pageSize`) outside 1 to 100.
    #[wasm_bindgen(constructor)]
    pub fn new(page_size: JsValue, paginated: bool) -> Result<JsPaginator, JsValue> {
        pagination::Paginator::new(num(&page_size), paginated)
            .map(JsPaginator)
            .map_err(|e| errors::to_js(&Error::Validation(e)))
    }

    /// The `limit` to ask for.
    #[wasm_bindgen(getter, js_name = pageSize)]
    pub fn page_size(&self) -> u32 {
        self.0.page_size()
    }

    /// The offset of the next page, or `undefined` when done.
    #[wasm_bindgen(js_name = nextOffset)]
    pub fn next_offset(&self) -> Option<f64> {
        self.0.next_offset().map(|o| o as f64)
    }

    /// Takes a page; returns how many of its items to hand out.
    pub fn page(&mut self, count: u32, first_key: Option<String>, total: Option<f64>) -> u32 {
        let total = total
            .filter(|t| t.is_finite() && *t >= 0.0)
            .map(|t| t as u64);
        self.0.page(count as usize, first_key.as_deref(), total) as u32
    }
}
