//! `validateCallbackUrl` and the URL check of `createWebhookSubscription`: options, and the DNS
//! step. The rules are `crate::webhook::url`'s; JavaScript only performs the lookup (Node's
//! `dns.lookup` through `node/resolve-url.js`, registered with `setCallbackResolver`, or the
//! caller's `lookup`), and Rust decides on the addresses it returns.

use std::cell::RefCell;

use js_sys::{Array, Function, Object, Promise, Reflect};
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::error::{Error, ValidationError};
use crate::webhook::url::{
    check_resolved, parse_resolved_address, unresolvable, validate_callback_url, CheckedCallbackUrl,
};

/// Options of `validateCallbackUrl` and `createWebhookSubscription`.
#[derive(Debug, Default, Clone, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct CallbackUrlOptions {
    /// Admit `http://` to a loopback address or a `localhost` name, for local runs against the
    /// simulator (default false).
    #[tsify(optional)]
    pub allow_http_loopback: bool,
    /// Resolve the host name and refuse the URL when it resolves to no address or to any
    /// special-purpose one. `validateCallbackUrl` then returns a Promise. Default: false for
    /// `validateCallbackUrl`; true for `createWebhookSubscription` in Node (or with a `lookup`).
    #[tsify(optional)]
    pub resolve: Option<bool>,
    /// The resolver (default in Node: `dns.lookup`). Called as `lookup(hostname, { all: true })`
    /// and read from its callback or the Promise it returns: `[{ address, family }]`, addresses
    /// as strings, or one address.
    #[tsify(optional, type = "LookupFunction")]
    pub lookup: Option<Function>,
}

/// A resolver in the style of Node's `dns.lookup` (answering through the callback) or of
/// `dns.promises.lookup` (returning a Promise).
// Only its TypeScript declaration is used: the function itself crosses as `js_sys::Function`.
#[allow(dead_code)]
#[derive(Tsify)]
#[tsify(
    type = "(hostname: string, options: { all: true }, callback: (err: Error | null, addresses: Array<{ address: string; family: number }> | string) => void) => unknown"
)]
pub struct LookupFunction;

const KEYS: [&str; 3] = ["allowHttpLoopback", "resolve", "lookup"];

thread_local! {
    static RESOLVER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the platform's resolver, `(hostname, lookup | undefined) => Promise<addresses>`
/// (the Node entry registers `node/resolve-url.js`'s `resolveAll`).
#[wasm_bindgen(js_name = setCallbackResolver, skip_typescript)]
pub fn set_callback_resolver(resolver: Function) {
    RESOLVER.with(|r| *r.borrow_mut() = Some(resolver));
}

fn has_resolver() -> bool {
    RESOLVER.with(|r| r.borrow().is_some())
}

fn bad(reason: impl Into<String>) -> Error {
    ValidationError::InvalidArgument {
        field: "options".into(),
        reason: reason.into(),
    }
    .into()
}

/// Reads the options object: absent is the defaults; unknown keys and values of the wrong type
/// are refused.
///
/// # Errors
/// `ValidationError` (`field: "options"`).
pub(super) fn parse_options(options: &JsValue) -> Result<CallbackUrlOptions, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(CallbackUrlOptions::default());
    }
    // A revoked Proxy throws on Array.isArray: a typed error, not the TypeError.
    let is_array = super::input::is_array_checked(options).map_err(|_| bad("could not be read"))?;
    if !options.is_object() || options.is_function() || is_array {
        return Err(bad("must be an object"));
    }
    let own = Reflect::own_keys(options).map_err(|_| bad("could not be read"))?;
    for k in own.iter() {
        match k.as_string() {
            Some(k) if KEYS.contains(&k.as_str()) => {}
            k => {
                return Err(bad(format!(
                    "unknown option {} (allowed: {})",
                    k.map_or_else(|| "(a Symbol)".into(), |k| format!("{k:?}")),
                    KEYS.join(", ")
                )))
            }
        }
    }
    let read = |k: &str| {
        Reflect::get(options, &JsValue::from_str(k))
            .map_err(|_| bad(format!("{k} could not be read")))
    };
    let flag = |k: &str| -> Result<Option<bool>, Error> {
        let v = read(k)?;
        if v.is_undefined() {
            return Ok(None);
        }
        v.as_bool()
            .map(Some)
            .ok_or_else(|| bad(format!("{k} must be a boolean")))
    };
    let lookup = read("lookup")?;
    let lookup = if lookup.is_undefined() {
        None
    } else {
        Some(
            lookup
                .dyn_into::<Function>()
                .map_err(|_| bad("lookup must be a function"))?,
        )
    };
    Ok(CallbackUrlOptions {
        allow_http_loopback: flag("allowHttpLoopback")?.unwrap_or(false),
        resolve: flag("resolve")?,
        lookup,
    })
}

fn describe(e: &JsValue) -> String {
    let text = |k: &str| {
        Reflect::get(e, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
    };
    match (text("code"), text("message"), e.as_string()) {
        (Some(c), Some(m), _) if !m.contains(&c) => format!("{c}: {m}"),
        (_, Some(m), _) => m,
        (Some(c), None, _) => c,
        (None, None, Some(s)) => s,
        _ => "the lookup failed".into(),
    }
}

/// The addresses a lookup gave: `[{ address }]`, `["a.b.c.d"]`, or one address string.
fn addresses_of(v: &JsValue) -> Option<Vec<std::net::IpAddr>> {
    let one = |v: &JsValue| {
        let s = v.as_string().or_else(|| {
            Reflect::get(v, &JsValue::from_str("address"))
                .ok()?
                .as_string()
        })?;
        parse_resolved_address(&s)
    };
    if Array::is_array(v) {
        Array::from(v).iter().map(|a| one(&a)).collect()
    } else {
        one(v).map(|a| vec![a])
    }
}

/// Resolves the checked URL's name (when it needs it) and decides on every address.
async fn resolve_and_check(
    checked: CheckedCallbackUrl,
    lookup: Option<Function>,
) -> Result<CheckedCallbackUrl, Error> {
    if !checked.needs_resolution() {
        return Ok(checked);
    }
    let host = JsValue::from_str(&checked.host);
    let resolver = RESOLVER.with(|r| r.borrow().clone());
    let called =
        match (resolver, &lookup) {
            (Some(r), _) => r.call2(
                &JsValue::NULL,
                &host,
                &lookup.map_or(JsValue::UNDEFINED, JsValue::from),
            ),
            (None, Some(l)) => {
                let opts = Object::new();
                let _ = Reflect::set(&opts, &JsValue::from_str("all"), &JsValue::TRUE);
                l.call2(&JsValue::NULL, &host, &opts)
            }
            (None, None) => return Err(bad(
                "resolve needs a lookup function here (Node resolves with dns.lookup by default)",
            )),
        };
    let answer = match called {
        Ok(v) => JsFuture::from(Promise::resolve(&v)).await,
        Err(e) => Err(e),
    };
    let answer = answer.map_err(|e| unresolvable(&checked, &describe(&e)))?;
    let addresses = addresses_of(&answer).ok_or_else(|| {
        unresolvable(
            &checked,
            "the lookup returned something other than IP addresses",
        )
    })?;
    Ok(check_resolved(checked, &addresses)?)
}

/// `validateCallbackUrl(url, options)`: the checked URL, or with `resolve: true` a Promise of it.
///
/// # Errors
/// `ValidationError` for a URL that is not a string or bad options; `WebhookError` for a
/// refused URL (a rejection with `resolve: true`).
pub(super) fn validate(url: &JsValue, options: &JsValue) -> Result<JsValue, Error> {
    let url = url.as_string().ok_or_else(|| {
        Error::from(ValidationError::InvalidArgument {
            field: "url".into(),
            reason: "must be a string".into(),
        })
    })?;
    let opts = parse_options(options)?;
    if opts.resolve != Some(true) {
        if opts.lookup.is_some() {
            return Err(bad("lookup goes with resolve: true"));
        }
        let checked = validate_callback_url(&url, opts.allow_http_loopback)?;
        return serde_wasm_bindgen::to_value(&checked).map_err(|e| bad(e.to_string()));
    }
    let fut = async move {
        let checked = validate_callback_url(&url, opts.allow_http_loopback)?;
        resolve_and_check(checked, opts.lookup).await
    };
    Ok(super::promise(fut, |c| {
        serde_wasm_bindgen::to_value(&c).unwrap_or(JsValue::UNDEFINED)
    })
    .into())
}

/// The DNS step of `createWebhookSubscription` (the URL itself was checked when the request was
/// built): resolves by default where a resolver or a `lookup` is at hand.
///
/// # Errors
/// As [`resolve_and_check`].
pub(super) async fn check_for_subscription(
    url: String,
    opts: CallbackUrlOptions,
    client_lookup: Option<Function>,
) -> Result<(), Error> {
    let lookup = opts.lookup.or(client_lookup);
    if !opts
        .resolve
        .unwrap_or_else(|| has_resolver() || lookup.is_some())
    {
        return Ok(());
    }
    let checked = validate_callback_url(&url, opts.allow_http_loopback)?;
    resolve_and_check(checked, lookup).await.map(drop)
}
