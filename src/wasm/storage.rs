//! JS bindings of the rules behind `FlexpertoClient.downloadArchive()` and `archives()`
//! (`pkg-template/web/archive-client.js`): their options, read once into `Deserialize` structs
//! (unknown keys refused), and storage's answers, named and retried by `archive::storage`. All
//! internal: none is declared in the shipped .d.ts or exported by the entries. Not in the
//! `flexperto-sdk/archive` entry's wasm, which has no client.

use js_sys::{Object, Reflect};
use serde::de::IgnoredAny;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::archive::{callback, invalid_argument};
use super::errors;
use super::input;
use crate::api::{invalid_response, Operation};
use crate::archive::storage::{self, StorageDecision, StorageFailure, MAX_RESUMES};
use crate::error::{Error, NetworkError};

fn set(target: &Object, key: &str, value: &JsValue) {
    // Reflect.set on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Options of `downloadArchive`, read as every other argument is (`super::input`): the callback
/// and the signal are checked, then taken from the argument's copy as they are.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DownloadOptions {
    #[serde(default)]
    #[allow(dead_code)] // the function itself is taken from the copy
    on_progress: Option<IgnoredAny>,
    #[serde(default)]
    max_resumes: Option<u32>,
    #[serde(default)]
    #[allow(dead_code)] // the signal itself is taken from the copy
    signal: Option<IgnoredAny>,
}

/// Checks `downloadArchive`'s options; answers `{ onProgress, maxResumes, signal }` with the
/// defaults filled in. Internal.
/// @internal
#[wasm_bindgen(js_name = archiveDownloadOptions)]
pub fn archive_download_options(options: JsValue) -> Result<JsValue, JsValue> {
    let (o, copy) = if options.is_undefined() || options.is_null() {
        (DownloadOptions::default(), JsValue::from(Object::new()))
    } else if !options.is_object() || input::is_array_checked(&options).unwrap_or(true) {
        return Err(invalid_argument("options", "must be an object".into()));
    } else {
        let copy = input::snapshot(&options, "", 0)
            .map_err(|e| errors::to_js(&super::rename(e, "options")))?;
        let o = input::read::<DownloadOptions>(copy.clone(), "options")
            .map_err(|e| errors::to_js(&super::prefix(e, "options")))?;
        (o, copy)
    };
    let on_progress = super::get(&copy, "onProgress");
    let signal = super::get(&copy, "signal");
    callback(&on_progress, "options.onProgress")?;
    let max_resumes = o.max_resumes.unwrap_or(5);
    if max_resumes > MAX_RESUMES {
        return Err(invalid_argument(
            "options.maxResumes",
            format!("must be an integer from 0 to {MAX_RESUMES}"),
        ));
    }
    if !signal.is_undefined() && !input::is_abort_signal(&signal) {
        return Err(invalid_argument(
            "options.signal",
            "must be an AbortSignal".into(),
        ));
    }
    let out = Object::new();
    set(&out, "onProgress", &on_progress);
    set(&out, "maxResumes", &JsValue::from(max_resumes));
    set(&out, "signal", &signal);
    Ok(out.into())
}

/// Checks a URL storage served from (after its own redirects): the API's rule for storage URLs.
/// Throws an `ApiError` INVALID_RESPONSE. Internal (`downloadArchive`).
/// @internal
#[wasm_bindgen(js_name = storageCheckUrl)]
pub fn storage_check_url(url: &str) -> Result<(), JsValue> {
    storage::check_storage_url(url).map_err(|why| storage_invalid(why.to_owned()))
}

/// The `ApiError` INVALID_RESPONSE of a storage answer the SDK cannot use.
fn storage_invalid(why: String) -> JsValue {
    errors::to_js(&Error::Api(invalid_response(
        Operation::ArchiveDownloadUrl,
        0,
        why,
    )))
}

/// The `ApiError` of a storage answer with an error status (the API's codes: 413
/// PAYLOAD_TOO_LARGE, 422 UNPROCESSABLE, ...), `retryAfterMs` from its `Retry-After`. Internal.
/// @internal
#[wasm_bindgen(js_name = storageError)]
pub fn storage_error(status: u16, retry_after: Option<String>) -> JsValue {
    errors::to_js(&Error::Api(storage::storage_error(
        status,
        retry_after.as_deref(),
        js_sys::Date::now(),
    )))
}

/// What storage's answer to a download's GET means (see `crate::archive::storage::open_answer`):
/// `{ skip, etag, totalBytes }` to read its body, `null` when every byte had already arrived
/// (416); throws the `ApiError` of an unusable answer or an error status. Internal.
/// @internal
#[wasm_bindgen(js_name = storageOpened)]
#[allow(clippy::too_many_arguments)] // the answer's headers, each as the platform gives it
pub fn storage_opened(
    status: u16,
    bytes: f64,
    known_etag: Option<String>,
    known_total: Option<f64>,
    content_range: Option<String>,
    etag: Option<String>,
    content_length: Option<String>,
    retry_after: Option<String>,
) -> Result<JsValue, JsValue> {
    let progress = storage::Progress {
        bytes: bytes as u64,
        etag: known_etag.as_deref(),
        total: known_total.map(|t| t as u64),
    };
    let answer = storage::Answer {
        status,
        content_range: content_range.as_deref(),
        etag: etag.as_deref(),
        content_length: content_length.as_deref(),
    };
    match storage::open_answer(&progress, &answer) {
        storage::Opened::Read { skip, etag, total } => {
            let out = Object::new();
            set(&out, "skip", &JsValue::from(skip as f64));
            set(
                &out,
                "etag",
                &etag.map_or(JsValue::NULL, |e| JsValue::from_str(&e)),
            );
            set(
                &out,
                "totalBytes",
                &total.map_or(JsValue::UNDEFINED, |t| JsValue::from(t as f64)),
            );
            Ok(out.into())
        }
        storage::Opened::Finished => Ok(JsValue::NULL),
        storage::Opened::Invalid(why) => Err(storage_invalid(why.to_owned())),
        storage::Opened::Status(status) => Err(storage_error(status, retry_after)),
    }
}

/// What one read of a download's body means (`archive::storage::receive`): for a chunk of `len`
/// bytes, how many of its first bytes to drop; at the body's end (`len` undefined), `null` when
/// the file is complete. Throws the `ApiError` of an unusable body, or a plain `Error` when the
/// body ended early (a broken connection, resumed). Internal; one call per chunk (about 16,000
/// per GiB of 64 KiB chunks, a few ms of CPU per GiB).
/// @internal
#[wasm_bindgen(js_name = storageReceived)]
pub fn storage_received(
    bytes: f64,
    total: Option<f64>,
    skip: f64,
    len: Option<f64>,
) -> Result<JsValue, JsValue> {
    let progress = storage::Progress {
        bytes: bytes as u64,
        etag: None,
        total: total.map(|t| t as u64),
    };
    match storage::receive(&progress, skip as u64, len.map(|l| l as u64)) {
        storage::Received::Keep { drop } => Ok(JsValue::from(drop as f64)),
        storage::Received::End => Ok(JsValue::NULL),
        storage::Received::Broken(why) => Err(js_sys::Error::new(&why).into()),
        storage::Received::Invalid(why) => Err(storage_invalid(why.to_owned())),
    }
}

/// Whether every byte of a file of `total` bytes (when known) has arrived. Internal.
/// @internal
#[wasm_bindgen(js_name = storageComplete)]
pub fn storage_complete(bytes: f64, total: Option<f64>) -> bool {
    storage::Progress {
        bytes: bytes as u64,
        etag: None,
        total: total.map(|t| t as u64),
    }
    .complete()
}

#[wasm_bindgen]
extern "C" {
    /// `String(value)`, as JS converts anything to text (catching a `toString` that throws).
    #[wasm_bindgen(js_name = String, catch)]
    fn js_string(value: &JsValue) -> Result<js_sys::JsString, JsValue>;
}

/// The name of `error` when it is an object that has one (read without an exception escaping).
fn error_name(error: &JsValue) -> Option<String> {
    if !error.is_object() {
        return None;
    }
    Reflect::get(error, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
}

/// What a download that gave up (`storageDecide` answered `undefined`) throws, given the last
/// attempt's `error`: an `ApiError` (storage refused, or its answer was unusable) as it is; for a
/// broken connection, the `NetworkError` NETWORK with `bytes` received and `error`'s message.
/// Internal.
/// @internal
#[wasm_bindgen(js_name = storageBroken)]
pub fn storage_broken(error: &JsValue, bytes: f64, resumes: u32) -> JsValue {
    if error_name(error).as_deref() == Some("ApiError") {
        return error.clone();
    }
    let message = if error.is_object() {
        Reflect::get(error, &JsValue::from_str("message")).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    };
    let cause_value = if message.is_undefined() || message.is_null() {
        error
    } else {
        &message
    };
    let cause = js_string(cause_value)
        .map(String::from)
        .unwrap_or_else(|_| "an error that cannot be shown".to_owned());
    let e = errors::to_js(&Error::Network(NetworkError::Failed {
        operation: Operation::ArchiveDownloadUrl.name(),
        message: format!(
            "archive download broke after {} bytes and {resumes} resumes: {cause}",
            bytes as u64
        ),
    }));
    let _ = Reflect::set(&e, &JsValue::from_str("bytes"), &JsValue::from(bytes));
    e
}

/// Decides after a failed storage attempt (`archive::storage::decide`): `error` is what the
/// attempt threw (an `ApiError` from `storageError` or `storageInvalid`, or anything else for a
/// broken connection). Answers `undefined` to give up, else `{ delayMs, newUrl }`. Internal.
/// @internal
#[wasm_bindgen(js_name = storageDecide)]
pub fn storage_decide(error: &JsValue, resumes_done: u32, max_resumes: u32) -> JsValue {
    let prop = |k: &str| Reflect::get(error, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    let failure = match error_name(error).as_deref() {
        Some("ApiError") => {
            let status = prop("status").as_f64().unwrap_or(0.0);
            if prop("code").as_string().as_deref() == Some("INVALID_RESPONSE") || status < 1.0 {
                StorageFailure::Invalid
            } else {
                let retry_after_ms = prop("retryAfterMs").as_f64().map(|ms| ms as u64);
                StorageFailure::Status(status as u16, retry_after_ms)
            }
        }
        _ => StorageFailure::Broken,
    };
    match storage::decide(failure, resumes_done, max_resumes, js_sys::Math::random()) {
        StorageDecision::Stop => JsValue::UNDEFINED,
        StorageDecision::Resume { delay_ms, new_url } => {
            let out = Object::new();
            set(&out, "delayMs", &JsValue::from(delay_ms as f64));
            set(&out, "newUrl", &JsValue::from(new_url));
            out.into()
        }
    }
}
