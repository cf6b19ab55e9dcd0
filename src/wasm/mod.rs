//! JavaScript bindings (wasm32 only), one file per resource. Each method reads its arguments
//! (serde-wasm-bindgen, [`input`]), makes ONE call to the native [`crate::Client`] (so native and
//! wasm run the same path) and converts the result. Nothing here decides anything the core could
//! decide.

mod archive;
mod archives;
mod callback_url;
#[cfg(feature = "node")]
mod claim;
mod client;
mod dx;
mod errors;
mod input;
mod js_options;
mod meetings;
mod options;
mod panic;
mod settings;
mod spec;
mod storage;
mod subscriptions;
mod tokens;
mod users;
mod webhooks;

pub use archive::ArchiveChecksum;
pub use client::JsClient;
pub use webhooks::{wasm_memory, webhook_result_address, webhook_verify_parts, WebhookVerifier};

pub use errors::is_flexperto_error;
pub use meetings::link_is_valid_at_js;

use crate::config::StrMap;

use js_sys::{Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::error::{Error, ValidationError};
use crate::transport::CallOptions;

#[wasm_bindgen]
extern "C" {
    /// An optional argument of type `CreateUserOptions` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "CreateUserOptions")]
    pub type OptCreateUserOptions;
    /// An optional argument of type `CreateSubscriptionOptions`.
    #[wasm_bindgen(typescript_type = "CreateSubscriptionOptions")]
    pub type OptCreateSubscriptionOptions;
    /// An optional argument of type `Date | number` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "Date | number")]
    pub type OptDatenumber;
    /// An optional argument of type `LinkCheckOptions` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "LinkCheckOptions")]
    pub type OptLinkCheckOptions;
    /// An optional argument of type `ListArchivesQuery` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "ListArchivesQuery")]
    pub type OptListArchivesQuery;
    /// An optional argument of type `ListUsersQuery` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "ListUsersQuery")]
    pub type OptListUsersQuery;
    /// An optional argument of type `RequestOptions` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "RequestOptions")]
    pub type OptRequestOptions;
    /// An optional argument of type `ReserveMeetingOptions` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "ReserveMeetingOptions")]
    pub type OptReserveMeetingOptions;
    /// An optional argument of type `StartVideoCallOptions` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "StartVideoCallOptions")]
    pub type OptStartVideoCallOptions;
    /// An optional argument of type `EnsureExpertOptions` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "EnsureExpertOptions")]
    pub type OptEnsureExpertOptions;
    /// An optional argument of type `ConfirmEmailOptions` (any JS value reaches Rust, which checks it).
    #[wasm_bindgen(typescript_type = "ConfirmEmailOptions")]
    pub type OptConfirmEmailOptions;
    /// The target of abandonArchive: a conference id, a record, or both ids.
    #[wasm_bindgen(typescript_type = "AbandonTarget")]
    pub type OptAbandonTarget;
}

pub(super) fn get(obj: &JsValue, key: &str) -> JsValue {
    // Not interned: wasm-bindgen's interning cache cost 3.3 KB (gzip) and no measurable time,
    // since options are read once per call, not per byte.
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
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

fn reject(e: Error) -> Promise {
    Promise::reject(&errors::to_js(&e))
}

/// A record the API sent, as JS: the JSON text the core kept (unknown fields included) through
/// `JSON.parse`. Records are passed on as the API sent them, so there is no Rust struct to
/// serialize; `JSON.parse` of the kept text is the one copy. Measured against building the same
/// value with serde-wasm-bindgen (`serde_json::Value` through its JSON-compatible serializer), in
/// one run of listUsers over a canned fetch (2026-11-29, Node 20): the SDK's own work 29.8 against
/// 34.7 us per call for a page of 1 user, 160 against 469 us for 100 users (bench/README.md).
fn json_out(text: &str) -> JsValue {
    // The text was produced by serde_json from parsed JSON, so JSON.parse accepts it.
    JSON::parse(text).unwrap_or(JsValue::NULL)
}

/// Declares the options struct of a method: its own fields, then the per-call options every
/// method takes last (`signal`, `timeoutMs`, `headers`), declared here once for all of them.
/// Unknown keys are refused (by `input`, since serde-wasm-bindgen does not apply
/// `deny_unknown_fields`).
macro_rules! options_struct {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* pub $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Default, serde::Deserialize, tsify::Tsify)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        #[tsify(hashmap_as_object)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Cancels the call: it rejects with an `AbortError` (code `ABORTED`), and no retry
            /// follows.
            #[serde(default)]
            #[tsify(optional, type = "AbortSignal")]
            #[allow(dead_code)] // the signal itself is taken from the copy before deserializing
            pub signal: Option<serde::de::IgnoredAny>,
            /// This call's timeout per attempt, in milliseconds (1..600000; default: the
            /// client's).
            #[serde(default)]
            #[tsify(optional)]
            pub timeout_ms: Option<u32>,
            /// Further request headers. `api-key`, `accept`, `content-type` and `user-agent` are
            /// the SDK's and are refused.
            #[serde(default)]
            #[tsify(optional, type = "Record<string, string>")]
            pub headers: Option<crate::config::StrMap>,
        }
    };
}
pub(crate) use options_struct;

options_struct! {
    /// Per-call options, every method's optional last argument.
    pub struct RequestOptions {}
}

/// A call's signal and checked options.
#[derive(Debug, Default)]
pub(crate) struct Call {
    signal: Option<AbortSignal>,
    options: CallOptions,
}

/// Reads an options argument of type `T` (per-call options with, for some methods, their own):
/// `undefined` or `null` is the default. `split` takes the per-call part out of `T`.
fn options_arg<T: serde::de::DeserializeOwned + Default>(
    arg: &JsValue,
    split: impl FnOnce(&T) -> (Option<u32>, Option<&StrMap>),
) -> Result<(T, Call), Error> {
    if arg.is_undefined() || arg.is_null() {
        return Ok((T::default(), Call::default()));
    }
    let copy = input::snapshot(arg, "", 0).map_err(|e| rename(e, "options"))?;
    let signal = get(&copy, "signal");
    let signal = if signal.is_undefined() || signal.is_null() {
        None
    } else if input::is_abort_signal(&signal) {
        Some(signal.unchecked_into::<AbortSignal>())
    } else {
        return Err(ValidationError::InvalidArgument {
            field: "options.signal".into(),
            reason: "must be an AbortSignal".into(),
        }
        .into());
    };
    let parsed: T = input::read(copy, "options").map_err(|e| prefix(e, "options"))?;
    let (timeout_ms, headers) = split(&parsed);
    let headers = headers
        .map(|h| h.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let options = CallOptions::new(timeout_ms, headers)?;
    Ok((parsed, Call { signal, options }))
}

/// The per-call options of a method whose last argument is only those.
fn call_of(options: Option<OptRequestOptions>) -> Result<Call, Error> {
    let arg = options.map(JsValue::from).unwrap_or_default();
    options_arg::<RequestOptions>(&arg, |o| (o.timeout_ms, o.headers.as_ref())).map(|(_, c)| c)
}

/// An id argument (named `name` in errors) and the per-call options after it.
fn id_call(
    id: &JsValue,
    name: &str,
    options: Option<OptRequestOptions>,
) -> Result<(String, Call), Error> {
    Ok((id_arg(id, name)?, call_of(options)?))
}

fn rename(e: Error, name: &str) -> Error {
    match e {
        Error::Validation(ValidationError::InvalidArgument { field, reason })
            if field == "argument" =>
        {
            ValidationError::InvalidArgument {
                field: name.to_owned(),
                reason,
            }
            .into()
        }
        other => other,
    }
}

fn prefix(e: Error, name: &str) -> Error {
    match e {
        Error::Validation(ValidationError::InvalidArgument { field, reason }) if field != name => {
            ValidationError::InvalidArgument {
                field: format!("{name}.{field}"),
                reason,
            }
            .into()
        }
        other => other,
    }
}

/// An id argument (a path parameter): a string, else a `ValidationError` naming it.
fn id_arg(v: &JsValue, name: &str) -> Result<String, Error> {
    v.as_string().ok_or_else(|| {
        ValidationError::InvalidArgument {
            field: name.to_owned(),
            reason: "must be a string".into(),
        }
        .into()
    })
}
