//! The options and arguments of the hand-written JS (the webhook adapters and seen stores of
//! pkg-template/web/webhook-flow.js and node/webhooks.js, ArchiveClaimer, FileArchiveSink and the
//! ledgers of node/claim/) read here, as the client's options are ([`super::input`]): unknown
//! options refused, ranges checked, defaults filled in, functions checked to be functions. The JS
//! asks these functions for the checked options and then only does its I/O.
//!
//! Every refusal is a `ValidationError` (`INVALID_ARGUMENT`) whose `field` is the path of the bad
//! value (`options.ttlMs`, `options.on["archive.available"]`, `key`). A value whose reading threw
//! (a throwing getter, a Proxy trap, a revoked Proxy) is refused the same way, with the thrown
//! value as the typed error's `cause`.
//!
//! Objects the JS uses as they are (a verifier, a store, a client, a pg Pool) are kept, not
//! copied: only the methods the JS calls are checked to be functions.

use js_sys::{Object, Reflect, JSON};
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use super::errors;
use super::input::{is_array_checked, read, snapshot, take_thrown};
use crate::error::{Error, ValidationError};

/// How long the webhook handler's dedupe claim of an event lasts by default: 7 days.
const DEFAULT_TTL_MS: f64 = 7.0 * 24.0 * 60.0 * 60.0 * 1000.0;
/// The in-process seen stores' default bound on claims.
const DEFAULT_MAX_ENTRIES: f64 = 1_000_000.0;
/// FileSeenStore: compact the log once it has this many lines (at least).
const DEFAULT_COMPACT_AFTER_LINES: f64 = 10_000.0;
const ARCHIVE_AVAILABLE: &str = "archive.available";

fn invalid(field: &str, reason: &str) -> Error {
    ValidationError::InvalidArgument {
        field: field.to_owned(),
        reason: reason.to_owned(),
    }
    .into()
}

/// The JS error of `e`, with the value a getter or trap threw (if any) as its `cause`.
fn to_js(e: &Error) -> JsValue {
    let v = errors::to_js(e);
    if let Some(cause) = take_thrown() {
        let _ = Reflect::set(&v, &JsValue::from_str("cause"), &cause);
    }
    v
}

fn fail(field: &str, reason: &str) -> JsValue {
    to_js(&invalid(field, reason))
}

/// The refusal of a value whose reading threw `cause`.
fn unreadable(field: &str, cause: JsValue) -> JsValue {
    let _ = take_thrown();
    let e = errors::to_js(&invalid(
        field,
        "cannot be read (a getter or Proxy trap threw)",
    ));
    let _ = Reflect::set(&e, &JsValue::from_str("cause"), &cause);
    e
}

/// `field` as a path under the argument `name` (`ttlMs` -> `options.ttlMs`), the topics of `on`
/// as `on["archive.available"]` (a topic has dots of its own).
fn place(e: Error, name: &str) -> Error {
    match e {
        Error::Validation(ValidationError::InvalidArgument { field, reason }) => {
            let inside = field == name
                || field.starts_with(&format!("{name}."))
                || field.starts_with(&format!("{name}["));
            let field = if inside {
                field
            } else {
                format!("{name}.{field}")
            };
            let field = match field.strip_prefix(&format!("{name}.on.")) {
                Some(topic) => {
                    let quoted = JSON::stringify(&JsValue::from_str(topic))
                        .ok()
                        .and_then(|s| s.as_string())
                        .unwrap_or_default();
                    format!("{name}.on[{quoted}]")
                }
                None => field,
            };
            // serde-wasm-bindgen's errors are JS Errors: their text starts with "Error: ".
            let reason = reason
                .strip_prefix("Error: ")
                .map_or(reason.clone(), str::to_owned);
            ValidationError::InvalidArgument { field, reason }.into()
        }
        other => other,
    }
}

/// Reads the options object `v` (named `name`) as a `T`: `undefined` or `null` read as `{}` when
/// `optional`. As the client reads its options (src/wasm/options.rs): any object that is not an
/// array or a function (a class instance, `Object.create(defaults)`), its own enumerable string
/// keys the options (inherited ones are not read). The values of the keys in `keep` are kept as
/// they are (objects the JS uses, such as a verifier); every other value is copied as
/// [`snapshot`] copies an argument.
fn read_options<T: DeserializeOwned>(
    v: &JsValue,
    name: &str,
    keep: &[&str],
    optional: bool,
) -> Result<T, JsValue> {
    let _ = take_thrown();
    let empty;
    let v = if optional && (v.is_undefined() || v.is_null()) {
        empty = JsValue::from(Object::new());
        &empty
    } else {
        v
    };
    if !v.is_object() || is_array_checked(v).map_err(|c| unreadable(name, c))? {
        return Err(fail(name, "must be an object"));
    }
    let out = Object::new();
    for key in Reflect::own_keys(v)
        .map_err(|c| unreadable(name, c))?
        .iter()
    {
        let Some(k) = key.as_string() else {
            continue; // symbol keys are not options
        };
        let path = format!("{name}.{k}");
        let own = Reflect::get_own_property_descriptor(v.unchecked_ref::<Object>(), &key)
            .map_err(|c| unreadable(&path, c))?;
        let enumerable = own.is_object()
            && Reflect::get(&own, &JsValue::from_str("enumerable"))
                .map_err(|c| unreadable(&path, c))?
                .is_truthy();
        if !enumerable {
            continue; // not an option, as Object.keys would not list it
        }
        let value = Reflect::get(v, &key).map_err(|c| unreadable(&path, c))?;
        if value.is_undefined() {
            continue;
        }
        let copied = if !value.is_object() || keep.contains(&k.as_str()) {
            value
        } else {
            snapshot(&value, &path, 1).map_err(|e| to_js(&e))?
        };
        Reflect::set(&out, &key, &copied).map_err(|c| unreadable(&path, c))?;
    }
    read(out.into(), name).map_err(|e| to_js(&place(e, name)))
}

/// A JS function, carried as it is.
struct Func(JsValue);

impl<'de> Deserialize<'de> for Func {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v: JsValue = serde_wasm_bindgen::preserve::deserialize(d)?;
        if v.is_function() {
            Ok(Func(v))
        } else {
            Err(de::Error::custom("must be a function"))
        }
    }
}

/// Any JS value, carried as it is (an object whose methods are checked after reading).
struct Js(JsValue);

impl<'de> Deserialize<'de> for Js {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(d).map(Js)
    }
}

fn func(f: Option<Func>) -> JsValue {
    f.map_or(JsValue::UNDEFINED, |f| f.0)
}

/// Whether `obj` (an object or a function) has every one of `methods` as a function; a getter or
/// trap that throws is refused as `field`, with its error as the cause.
fn has_methods(obj: &JsValue, methods: &[&str], field: &str) -> Result<bool, JsValue> {
    if !(obj.is_object() || obj.is_function()) {
        return Ok(false);
    }
    for m in methods {
        let f = Reflect::get(obj, &JsValue::from_str(m)).map_err(|c| unreadable(field, c))?;
        if !f.is_function() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `obj` if it has every one of `methods`, otherwise the refusal `field: reason`.
fn with_methods(
    obj: Option<Js>,
    methods: &[&str],
    field: &str,
    reason: &str,
) -> Result<JsValue, JsValue> {
    match obj {
        Some(Js(v)) if has_methods(&v, methods, field)? => Ok(v),
        _ => Err(fail(field, reason)),
    }
}

/// A plain object of `pairs` (undefined values left out).
fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let out = Object::new();
    for (k, v) in pairs {
        if !v.is_undefined() {
            let _ = Reflect::set(&out, &JsValue::from_str(k), v);
        }
    }
    out.into()
}

fn positive_integer(v: Option<f64>, default: f64, field: &str) -> Result<f64, JsValue> {
    let n = v.unwrap_or(default);
    if n.fract() == 0.0 && (1.0..=9_007_199_254_740_991.0).contains(&n) {
        Ok(n)
    } else {
        Err(fail(field, "must be a positive integer"))
    }
}

fn positive_ms(n: f64, field: &str) -> Result<f64, JsValue> {
    if n.is_finite() && n > 0.0 {
        Ok(n)
    } else {
        Err(fail(field, "must be a positive number of milliseconds"))
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// The options of `createWebhookHandler` and `createWebRequestHandler` (webhook-flow.d.ts).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WebhookHandlerOptions {
    verifier: Option<Js>,
    on_event: Option<Func>,
    on_any: Option<Func>,
    /// Topic -> handler: a plain object (copied), its entries checked after reading (a map type
    /// here compiled a BTreeMap of its own).
    on: Option<Js>,
    archive_topic: Option<String>,
    on_error: Option<Func>,
    seen: Option<Js>,
    ttl_ms: Option<f64>,
    remote_address: Option<Func>,
    wait_until: Option<Func>,
}

/// Checks the options of the webhook adapter `adapter` (`createWebhookHandler` or
/// `createWebRequestHandler`) and answers `{ verifier, on: [topic, handler][], everyEvent,
/// onError, seen, ttlMs, remoteAddress, waitUntil }` (absent ones left out; `on["archive.available"]`
/// keyed by the verifier's archive topic, the topic its archive events carry;
/// `everyEvent` is `onAny` or its older name `onEvent`). Throws a `ValidationError`. Internal
/// (pkg-template/web/webhook-flow.js).
/// @internal
#[wasm_bindgen(js_name = webhookHandlerOptions)]
pub fn webhook_handler_options(options: JsValue, adapter: &str) -> Result<JsValue, JsValue> {
    let o: WebhookHandlerOptions = read_options(&options, "options", &["verifier", "seen"], false)?;
    let web = adapter == "createWebRequestHandler";
    if !web && (o.remote_address.is_some() || o.wait_until.is_some()) {
        let k = if o.remote_address.is_some() {
            "remoteAddress"
        } else {
            "waitUntil"
        };
        return Err(fail(
            &format!("options.{k}"),
            "is an option of createWebRequestHandler only",
        ));
    }
    let verifier = with_methods(
        o.verifier,
        &["verify"],
        "options.verifier",
        "must be a WebhookVerifier",
    )?;
    if o.on_event.is_some() && o.on_any.is_some() {
        return Err(fail(
            "options.onAny",
            "pass onAny or onEvent (its older name), not both",
        ));
    }
    let every = o.on_any.or(o.on_event);
    // The archive topic is the verifier's (new WebhookVerifier({ archiveTopic })); given here
    // too, it must be the same, so that a handler set up for a tenant's topic never runs a
    // verifier that would take its archive events for generic ones.
    let verifier_topic = Reflect::get(&verifier, &JsValue::from_str("archiveTopic"))
        .map_err(|c| unreadable("options.verifier", c))?
        .as_string()
        .unwrap_or_else(|| ARCHIVE_AVAILABLE.to_owned());
    let archive_topic = o.archive_topic.unwrap_or_else(|| verifier_topic.clone());
    if archive_topic.is_empty() {
        return Err(fail("options.archiveTopic", "must be a non-empty string"));
    }
    if archive_topic != verifier_topic {
        return Err(fail(
            "options.archiveTopic",
            &format!(
                "{archive_topic:?} differs from the verifier's {verifier_topic:?}: build the \
                 verifier with new WebhookVerifier({{ archiveTopic }})"
            ),
        ));
    }
    let pairs = js_sys::Array::new();
    let mut archive_named = false;
    if let Some(Js(on)) = o.on {
        if !on.is_object() || is_array_checked(&on).unwrap_or(true) {
            return Err(fail("options.on", "must be an object of topic -> function"));
        }
        for topic in Object::keys(on.unchecked_ref::<Object>()).iter() {
            let f = Reflect::get(&on, &topic).unwrap_or_default();
            if !f.is_function() {
                let quoted = JSON::stringify(&topic)
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                return Err(fail(&format!("options.on[{quoted}]"), "must be a function"));
            }
            // on["archive.available"] takes the archive events, whatever the tenant's archive
            // topic is called: they are dispatched by their topic, the verifier's.
            let mut key = topic.as_string().unwrap_or_default();
            if key == ARCHIVE_AVAILABLE {
                key.clone_from(&archive_topic);
            }
            if archive_topic != ARCHIVE_AVAILABLE && key == archive_topic {
                if archive_named {
                    return Err(fail(
                        "options.on",
                        &format!(
                            "\"archive.available\" and {archive_topic:?} both name the archive \
                             topic: keep one"
                        ),
                    ));
                }
                archive_named = true;
            }
            pairs.push(&js_sys::Array::of2(&JsValue::from_str(&key), &f));
        }
    }
    if every.is_none() && pairs.length() == 0 {
        return Err(fail(
            "options",
            "pass on: { topic: handler }, onAny, or both",
        ));
    }
    let seen = match o.seen {
        None => JsValue::UNDEFINED,
        Some(s) => with_methods(
            Some(s),
            &["claim", "release"],
            "options.seen",
            "must have claim(key, ttlMs) and release(key)",
        )?,
    };
    let ttl_ms = positive_ms(o.ttl_ms.unwrap_or(DEFAULT_TTL_MS), "options.ttlMs")?;
    Ok(object(&[
        ("verifier", verifier),
        ("on", pairs.into()),
        ("everyEvent", func(every)),
        ("onError", func(o.on_error)),
        ("seen", seen),
        ("ttlMs", JsValue::from(ttl_ms)),
        ("remoteAddress", func(o.remote_address)),
        ("waitUntil", func(o.wait_until)),
    ]))
}

/// The options of the in-process seen stores (MemorySeenStore, FileSeenStore.open).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SeenStoreOptions {
    max_entries: Option<f64>,
    now: Option<Func>,
    compact_after_lines: Option<f64>,
}

/// Checks the options of `store` (`MemorySeenStore` or `FileSeenStore`; `undefined` reads as
/// `{}`) and answers `{ maxEntries, now, compactAfterLines }` with their defaults (`now` left out
/// when absent; `compactAfterLines` for FileSeenStore only). Throws a `ValidationError`. Internal
/// (pkg-template/web/webhook-flow.js, node/webhooks.js).
/// @internal
#[wasm_bindgen(js_name = seenStoreOptions)]
pub fn seen_store_options(options: JsValue, store: &str) -> Result<JsValue, JsValue> {
    let o: SeenStoreOptions = read_options(&options, "options", &[], true)?;
    let file = store == "FileSeenStore";
    if !file && o.compact_after_lines.is_some() {
        return Err(fail(
            "options.compactAfterLines",
            "is an option of FileSeenStore only",
        ));
    }
    let max_entries = positive_integer(o.max_entries, DEFAULT_MAX_ENTRIES, "options.maxEntries")?;
    let compact = if file {
        JsValue::from(positive_integer(
            o.compact_after_lines,
            DEFAULT_COMPACT_AFTER_LINES,
            "options.compactAfterLines",
        )?)
    } else {
        JsValue::UNDEFINED
    };
    Ok(object(&[
        ("maxEntries", JsValue::from(max_entries)),
        ("now", func(o.now)),
        ("compactAfterLines", compact),
    ]))
}

/// `value` as a non-empty string, or a `ValidationError` naming `field`. Internal (the seen
/// stores' keys, FileSeenStore's path, the ledgers' archive ids).
/// @internal
#[wasm_bindgen(js_name = argText)]
pub fn arg_text(value: JsValue, field: &str) -> Result<String, JsValue> {
    match value.as_string() {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(fail(field, "must be a non-empty string")),
    }
}

/// Checks a seen store's `claim(key, ttlMs)` arguments. Throws a `ValidationError` (`field`
/// `key` or `ttlMs`). Internal.
/// @internal
#[wasm_bindgen(js_name = seenStoreClaim)]
pub fn seen_store_claim(key: JsValue, ttl_ms: JsValue) -> Result<(), JsValue> {
    arg_text(key, "key")?;
    positive_ms(ttl_ms.as_f64().unwrap_or(f64::NAN), "ttlMs")?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The claim of archives (Node only)

/// The options of `new ArchiveClaimer(options)` (claim/index.d.ts).
#[cfg(feature = "node")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClaimerOptions {
    client: Option<Js>,
    sink: Option<Js>,
    ledger: Option<Js>,
    concurrency: Option<f64>,
    on_progress: Option<Func>,
    policy: Option<crate::archive::claim::ClaimPolicy>,
    owner: Option<String>,
}

/// Checks ArchiveClaimer's options and answers `{ client, sink, ledger, concurrency,
/// onProgress, policy, renewEveryMs, owner }` (`policy` resolved as `claimPolicy` resolves it;
/// absent ones left out). Throws a `ValidationError`. Internal (pkg-template/node/claim/).
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = claimerOptions)]
pub fn claimer_options(options: JsValue) -> Result<JsValue, JsValue> {
    let o: ClaimerOptions =
        read_options(&options, "options", &["client", "sink", "ledger"], false)?;
    let client = with_methods(
        o.client,
        &["getArchive", "downloadArchive"],
        "options.client",
        "must be a FlexpertoClient",
    )?;
    let sink = with_methods(o.sink, &["open"], "options.sink", "must have open(record)")?;
    let ledger = with_methods(
        o.ledger,
        &["acquire", "save", "renew", "release", "get", "list"],
        "options.ledger",
        "must have acquire(), save(), renew(), release(), get() and list()",
    )?;
    let concurrency = o.concurrency.unwrap_or(4.0);
    if !(concurrency.fract() == 0.0 && (1.0..=64.0).contains(&concurrency)) {
        return Err(fail(
            "options.concurrency",
            "must be an integer from 1 to 64",
        ));
    }
    if let Some(owner) = &o.owner {
        if owner.is_empty() || owner.chars().count() > 200 {
            return Err(fail(
                "options.owner",
                "must be a non-empty string of at most 200 characters",
            ));
        }
    }
    let policy = o.policy.unwrap_or_default();
    policy
        .check()
        .map_err(|e| fail("options.policy", &format!("{e} ({})", e.code())))?;
    let ser = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    let policy_js = serde::Serialize::serialize(&policy, &ser)
        .map_err(|e| fail("options.policy", &e.to_string()))?;
    Ok(object(&[
        ("client", client),
        ("sink", sink),
        ("ledger", ledger),
        ("concurrency", JsValue::from(concurrency)),
        ("onProgress", func(o.on_progress)),
        ("policy", policy_js),
        (
            "renewEveryMs",
            JsValue::from(policy.renew_every_ms() as f64),
        ),
        (
            "owner",
            o.owner
                .map_or(JsValue::UNDEFINED, |s| JsValue::from_str(&s)),
        ),
    ]))
}

/// The options of FileArchiveSink (`dir`) and SqliteLedger (`path`).
#[cfg(feature = "node")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DirOption {
    dir: Option<String>,
}

#[cfg(feature = "node")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PathOption {
    path: Option<String>,
}

/// Checks the options of `new FileArchiveSink({ dir })` and answers `dir`. Throws a
/// `ValidationError`. Internal.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = fileSinkOptions)]
pub fn file_sink_options(options: JsValue) -> Result<String, JsValue> {
    let o: DirOption = read_options(&options, "options", &[], false)?;
    o.dir
        .filter(|d| !d.is_empty())
        .ok_or_else(|| fail("options.dir", "must be a non-empty path"))
}

/// Checks the options of `new SqliteLedger({ path })` and answers `path`. Throws a
/// `ValidationError`. Internal.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = sqliteLedgerOptions)]
pub fn sqlite_ledger_options(options: JsValue) -> Result<String, JsValue> {
    let o: PathOption = read_options(&options, "options", &[], false)?;
    o.path
        .filter(|d| !d.is_empty())
        .ok_or_else(|| fail("options.path", "must be a non-empty path"))
}

/// The options of PostgresLedger and PostgresSeenStore.
#[cfg(feature = "node")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PostgresOptions {
    connection_string: Option<String>,
    pool: Option<Js>,
    now: Option<Func>,
}

/// Checks the options of `what` (`PostgresLedger` or `PostgresSeenStore`): `{ connectionString }`
/// or `{ pool }` (a pg Pool), and `now`. Answers `{ pool }` or `{ connectionString }`, with `now`
/// when given. Throws a `ValidationError`. Internal.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = postgresOptions)]
pub fn postgres_options(options: JsValue, what: &str) -> Result<JsValue, JsValue> {
    let o: PostgresOptions = read_options(&options, "options", &["pool"], false)?;
    let now = func(o.now);
    if let Some(pool) = o.pool {
        if o.connection_string.is_some() {
            return Err(fail("options.pool", "give either pool or connectionString"));
        }
        let pool = with_methods(Some(pool), &["query"], "options.pool", "must be a pg Pool")?;
        return Ok(object(&[("pool", pool), ("now", now)]));
    }
    match o.connection_string.filter(|s| !s.is_empty()) {
        Some(s) => Ok(object(&[
            ("connectionString", JsValue::from_str(&s)),
            ("now", now),
        ])),
        None => Err(fail(
            "options.connectionString",
            &format!("{what} needs a connectionString or a pool"),
        )),
    }
}

/// The lease of a ledger call: `acquire(archiveId, { owner, nowMs, leaseUntil?, conferenceId? })`,
/// `save(row, { owner, nowMs })`, `renew(archiveId, { owner, nowMs, leaseUntil })`,
/// `release(archiveId, { owner })`.
#[cfg(feature = "node")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LeaseArgs {
    owner: Option<String>,
    now_ms: Option<f64>,
    lease_until: Option<f64>,
    conference_id: Option<String>,
}

/// The largest time a JS `Date` holds, in Unix milliseconds.
#[cfg(feature = "node")]
const MAX_TIME_MS: f64 = 8.64e15;

/// Checks a ledger row as `save(row, lease)` takes it (claim/index.d.ts, `ArchiveLedgerRow`):
/// the fields the ledgers write, each of its type (absent or null where optional); other keys of
/// a row are not written. Each field is read once through the catching `Reflect.get`; the
/// sink's `receipt` is not copied or walked here, only checked to be JSON-serialisable (as the
/// ledgers keep it), whatever its depth or the kinds of its objects.
#[cfg(feature = "node")]
fn check_row(row: &JsValue) -> Result<(), JsValue> {
    let _ = take_thrown();
    if !row.is_object() || is_array_checked(row).map_err(|c| unreadable("row", c))? {
        return Err(fail("row", "must be an object"));
    }
    let get = |k: &str| prop(row, k, &format!("row.{k}"));
    let absent = |v: &JsValue| v.is_undefined() || v.is_null();
    let receipt = get("receipt")?;
    if !absent(&receipt) {
        match JSON::stringify(&receipt) {
            Ok(text) if text.is_string() => {}
            Ok(_) => return Err(fail("row.receipt", "must be a JSON value")),
            Err(cause) => {
                let e = fail("row.receipt", "must be a JSON value (JSON.stringify threw)");
                let _ = Reflect::set(&e, &JsValue::from_str("cause"), &cause);
                return Err(e);
            }
        }
    }
    arg_text(get("archiveId")?, "row.archiveId")?;
    // As the claim machine reads a state (the same reader: no second list of states).
    // A string first: serde-wasm-bindgen's own reading of an object does not catch its traps.
    let state = get("state")?;
    if !state.is_string() {
        return Err(fail("row.state", "must be a claim state"));
    }
    read::<crate::archive::claim::ClaimState>(state, "row.state")
        .map_err(|_| fail("row.state", "must be a claim state"))?;
    for k in [
        "conferenceId",
        "sha256CheckSum",
        "error",
        "owner",
        "createdAt",
        "updatedAt",
        "storedAt",
        "abandonedAt",
    ] {
        let v = get(k)?;
        if !(absent(&v) || v.is_string()) {
            return Err(fail(&format!("row.{k}"), "must be a string"));
        }
    }
    for k in ["attempts", "mismatches", "failures"] {
        let v = get(k)?;
        let ok = absent(&v)
            || v.as_f64()
                .is_some_and(|n| n.fract() == 0.0 && (0.0..=1e9).contains(&n));
        if !ok {
            return Err(fail(&format!("row.{k}"), "must be a non-negative integer"));
        }
    }
    let lease = get("leaseUntil")?;
    if !(absent(&lease)
        || lease
            .as_f64()
            .is_some_and(|n| n.is_finite() && n.abs() <= MAX_TIME_MS))
    {
        return Err(fail("row.leaseUntil", "must be a finite number"));
    }
    let abandoned = get("remoteAbandoned")?;
    if !(absent(&abandoned) || abandoned.as_bool().is_some()) {
        return Err(fail("row.remoteAbandoned", "must be a boolean"));
    }
    Ok(())
}

/// Checks the arguments of the ledger method `method` (`acquire`, `save`, `renew`, `release` or
/// `get`): `first` is the archive id (for `save`, the row, an object whose `archiveId` is
/// checked) and `lease` the lease object. Answers the lease object, checked (`{}` for `get`).
/// Throws a `ValidationError`. Internal (pkg-template/node/claim/ledgers/).
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = ledgerArgs)]
pub fn ledger_args(method: &str, first: JsValue, lease: JsValue) -> Result<JsValue, JsValue> {
    if method == "save" {
        check_row(&first)?;
    } else {
        arg_text(first, "archiveId")?;
    }
    if method == "get" {
        return Ok(Object::new().into());
    }
    let l: LeaseArgs = read_options(&lease, "options", &[], false)?;
    let owner = l
        .owner
        .filter(|o| !o.is_empty())
        .ok_or_else(|| fail("options.owner", "must be a non-empty string"))?;
    // A time in Unix milliseconds, within what a JS Date holds.
    let number = |v: Option<f64>, field: &str, required: bool| match v {
        Some(n) if n.is_finite() && n.abs() <= MAX_TIME_MS => Ok(JsValue::from(n)),
        None if !required => Ok(JsValue::UNDEFINED),
        _ => Err(fail(field, "must be a finite number")),
    };
    let (needs_now, lease_until) = match method {
        "acquire" => (true, number(l.lease_until, "options.leaseUntil", false)?),
        "renew" => (true, number(l.lease_until, "options.leaseUntil", true)?),
        "save" => (true, JsValue::UNDEFINED),
        _ => (false, JsValue::UNDEFINED),
    };
    let now_ms = number(l.now_ms, "options.nowMs", needs_now)?;
    let extra = if method == "acquire" {
        l.conference_id
            .map_or(JsValue::UNDEFINED, |c| JsValue::from_str(&c))
    } else if l.conference_id.is_some() {
        return Err(fail("options.conferenceId", "is an option of acquire only"));
    } else {
        JsValue::UNDEFINED
    };
    Ok(object(&[
        ("owner", JsValue::from_str(&owner)),
        ("nowMs", now_ms),
        ("leaseUntil", lease_until),
        ("conferenceId", extra),
    ]))
}

// ---------------------------------------------------------------------------------------------
// rotateWebhookSecret (Node only; src/wasm/webhooks.rs)

#[cfg(feature = "node")]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RotationOptionsIn {
    verifier: Option<Js>,
    url_for: Option<Func>,
    current_secrets: Option<Js>,
    grace_ms: Option<Js>,
    drain_ms: Option<Js>,
    allow_http_loopback: Option<bool>,
    resolve: Option<bool>,
    signal: Option<Js>,
}

/// `rotateWebhookSecret`'s options, checked but for the durations and secrets (the rotation's own
/// rules, `webhook::rotation`).
#[cfg(feature = "node")]
pub(super) struct RotationOptions {
    pub verifier: JsValue,
    pub url_for: JsValue,
    /// `None` when absent; `Some(None)` when not an array of strings (the rotation's own error).
    pub current_secrets: Option<Option<Vec<String>>>,
    /// Not a number: NaN, refused by the rotation's rules like a negative one.
    pub grace_ms: Option<f64>,
    pub drain_ms: Option<f64>,
    pub allow_http_loopback: bool,
    pub resolve: Option<bool>,
    pub signal: JsValue,
}

#[cfg(feature = "node")]
pub(super) fn rotation_options(options: JsValue) -> Result<RotationOptions, JsValue> {
    let o: RotationOptionsIn = read_options(&options, "options", &["verifier", "signal"], false)?;
    let verifier = with_methods(
        o.verifier,
        &["setSecrets"],
        "options.verifier",
        "must be a WebhookVerifier",
    )?;
    let url_for = o
        .url_for
        .ok_or_else(|| fail("options.urlFor", "must be a function"))?;
    let signal = match o.signal {
        None => JsValue::UNDEFINED,
        Some(Js(s)) if super::input::is_abort_signal(&s) => s,
        Some(_) => return Err(fail("options.signal", "must be an AbortSignal")),
    };
    Ok(RotationOptions {
        verifier,
        url_for: url_for.0,
        current_secrets: o.current_secrets.map(|Js(v)| {
            if !js_sys::Array::is_array(&v) {
                return None;
            }
            js_sys::Array::from(&v)
                .iter()
                .map(|x| x.as_string())
                .collect()
        }),
        grace_ms: o.grace_ms.map(|Js(v)| v.as_f64().unwrap_or(f64::NAN)),
        drain_ms: o.drain_ms.map(|Js(v)| v.as_f64().unwrap_or(f64::NAN)),
        allow_http_loopback: o.allow_http_loopback.unwrap_or(false),
        resolve: o.resolve,
        signal,
    })
}

/// The subscription being rotated: `{ id, topic, url }` strings (other fields of a
/// subscription record are allowed). Answers its URL.
#[cfg(feature = "node")]
pub(super) fn rotation_subscription(subscription: JsValue) -> Result<String, JsValue> {
    let _ = take_thrown();
    if !subscription.is_object() {
        return Err(fail(
            "subscription",
            "must be an object (a subscription needs string id, topic and url)",
        ));
    }
    let mut url = String::new();
    for k in ["id", "topic", "url"] {
        let v = Reflect::get(&subscription, &JsValue::from_str(k))
            .map_err(|c| unreadable(&format!("subscription.{k}"), c))?;
        match v.as_string() {
            Some(s) if !s.is_empty() => url = s,
            _ => {
                return Err(fail(
                    &format!("subscription.{k}"),
                    "must be a non-empty string (a subscription needs string id, topic and url)",
                ))
            }
        }
    }
    Ok(url)
}

// ---------------------------------------------------------------------------------------------
// ArchiveClaimer's methods and FileArchiveSink's record (Node only)

/// `obj[key]`, through the catching `Reflect.get` (`field` names it in the refusal).
fn prop(obj: &JsValue, key: &str, field: &str) -> Result<JsValue, JsValue> {
    if !(obj.is_object() || obj.is_function()) {
        return Ok(JsValue::UNDEFINED);
    }
    Reflect::get(obj, &JsValue::from_str(key)).map_err(|c| unreadable(field, c))
}

/// An optional string property: absent (undefined or null) or a string.
#[cfg(feature = "node")]
fn opt_text(obj: &JsValue, key: &str, field: &str) -> Result<JsValue, JsValue> {
    let v = prop(obj, key, field)?;
    if v.is_undefined() || v.is_null() || v.is_string() {
        Ok(v)
    } else {
        Err(fail(field, "must be a string"))
    }
}

/// Checks `claimer.claim(archiveId, hint)` and answers `{ archiveId, conferenceId }` (the hint's
/// `conferenceId`, a string, left out when absent). Throws a `ValidationError`. Internal.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = claimArgs)]
pub fn claim_args(archive_id: JsValue, hint: JsValue) -> Result<JsValue, JsValue> {
    let _ = take_thrown();
    let id = arg_text(archive_id, "archiveId")?;
    if !(hint.is_undefined() || hint.is_null() || hint.is_object()) {
        return Err(fail("hint", "must be an object"));
    }
    let conference = opt_text(&hint, "conferenceId", "hint.conferenceId")?;
    Ok(object(&[
        ("archiveId", JsValue::from_str(&id)),
        ("conferenceId", conference),
    ]))
}

/// Whether `event` is about an archive. A verified `WebhookEvent` carries `archiveId` exactly
/// when its topic is its verifier's archive topic (`"archive.available"`, or the tenant's own
/// from `new WebhookVerifier({ archiveTopic })`), so its presence decides, whatever the topic is
/// called. An object without it is a payload (`{ topic, data }`): an archive one when it carries
/// `data` and its topic is absent or `"archive.available"`. The one home of this rule
/// (`isTopic(event, "archive.available")`, `claimer.handleEvent`, the handlers' dispatch).
fn archive_event(event: &JsValue) -> Result<bool, JsValue> {
    if !event.is_object() {
        return Ok(false);
    }
    let present = |v: &JsValue| !(v.is_undefined() || v.is_null());
    if present(&prop(event, "archiveId", "event.archiveId")?) {
        return Ok(true);
    }
    let topic = prop(event, "topic", "event.topic")?;
    Ok(present(&prop(event, "data", "event.data")?)
        && (topic.is_undefined() || topic.as_string().as_deref() == Some(ARCHIVE_AVAILABLE)))
}

/// `isTopic(event, "archive.available")`: whether `event` is about an archive (see
/// `archive_event`); `false` for a value whose properties cannot be read. Internal.
/// @internal
#[wasm_bindgen(js_name = isArchiveEvent)]
pub fn is_archive_event(event: JsValue) -> bool {
    let _ = take_thrown();
    let r = archive_event(&event).unwrap_or(false);
    let _ = take_thrown();
    r
}

/// Checks `claimer.handleEvent(event)` (a WebhookEvent, or its payload's shape) and answers
/// `{ archiveId, conferenceId }`, or `{ skipped: topic }` for a topic not about archives.
/// Throws a `ValidationError`. Internal.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = claimEventArgs)]
pub fn claim_event_args(event: JsValue) -> Result<JsValue, JsValue> {
    let _ = take_thrown();
    if !event.is_object() {
        return Err(fail("event", "must be an object"));
    }
    if !archive_event(&event)? {
        let topic = prop(&event, "topic", "event.topic")?;
        let t = topic
            .as_string()
            .unwrap_or_else(|| "(not a string)".to_owned());
        return Ok(object(&[("skipped", JsValue::from_str(&t))]));
    }
    let data = prop(&event, "data", "event.data")?;
    let mut id = opt_text(&event, "archiveId", "event.archiveId")?;
    if id.is_undefined() || id.is_null() {
        id = opt_text(&data, "archive_id", "event.data.archive_id")?;
    }
    let mut conference = opt_text(&event, "conferenceId", "event.conferenceId")?;
    if conference.is_undefined() || conference.is_null() {
        let subject = prop(&data, "archive_subject", "event.data.archive_subject")?;
        conference = opt_text(
            &subject,
            "conference_id",
            "event.data.archive_subject.conference_id",
        )?;
    }
    let id = arg_text(id, "event.archiveId")?;
    Ok(object(&[
        ("archiveId", JsValue::from_str(&id)),
        ("conferenceId", conference),
    ]))
}

/// Checks the options of `claimer.sweep(options)` and `claimer.run(options)` (`method`):
/// `{ signal }`, and for run `intervalMs` (default 60 s). Answers them checked. Throws a
/// `ValidationError`. Internal.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = claimerRunOptions)]
pub fn claimer_run_options(options: JsValue, method: &str) -> Result<JsValue, JsValue> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct RunOptions {
        interval_ms: Option<f64>,
        signal: Option<Js>,
    }
    let o: RunOptions = read_options(&options, "options", &["signal"], true)?;
    let signal = match o.signal {
        None => JsValue::UNDEFINED,
        Some(Js(s)) if super::input::is_abort_signal(&s) => s,
        Some(_) => return Err(fail("options.signal", "must be an AbortSignal")),
    };
    let interval = match (method, o.interval_ms) {
        ("run", v) => {
            let n = v.unwrap_or(60_000.0);
            if !(n.is_finite() && n >= 0.0) {
                return Err(fail("options.intervalMs", "must be a non-negative number"));
            }
            JsValue::from(n)
        }
        (_, Some(_)) => {
            return Err(fail("options.intervalMs", "is an option of run only"));
        }
        (_, None) => JsValue::UNDEFINED,
    };
    Ok(object(&[("intervalMs", interval), ("signal", signal)]))
}

/// Checks the record of `sink.open(record)` and `sink.pathOf(record)` and answers the file name
/// (`claimFileName(conferenceId, archiveId)`). Throws a `ValidationError`. Internal.
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = sinkFileName)]
pub fn sink_file_name(record: JsValue) -> Result<String, JsValue> {
    let _ = take_thrown();
    if !record.is_object() {
        return Err(fail("record", "must be an object"));
    }
    let conference = prop(&record, "conferenceId", "record.conferenceId")?;
    let archive = prop(&record, "archiveId", "record.archiveId")?;
    let text = |v: JsValue, field: &str| {
        // As before (`String(id)`): a number is JavaScript's own text of it (Number's
        // toString: "1.5", "1e+21", "0" for -0, "Infinity"; Rust's differs for these), an
        // absent id "undefined" or "null" (claimFileName accepts such a segment); other kinds
        // are refused.
        if let Some(n) = v.as_f64() {
            return js_sys::Number::from(n)
                .to_string_with_radix(10)
                .map(JsValue::from)
                .map_err(|c| unreadable(field, c));
        }
        if v.is_undefined() || v.is_null() {
            let absent = if v.is_null() { "null" } else { "undefined" };
            return Ok(JsValue::from_str(absent));
        }
        arg_text(v, field).map(|s| JsValue::from_str(&s))
    };
    super::claim::claim_file_name(
        text(conference, "record.conferenceId")?,
        text(archive, "record.archiveId")?,
    )
}

/// Checks the client of `rotateWebhookSecret`: a FlexpertoClient (its subscription methods).
#[cfg(feature = "node")]
pub(super) fn rotation_client(client: &JsValue) -> Result<(), JsValue> {
    let _ = take_thrown();
    if has_methods(
        client,
        &["createWebhookSubscription", "deleteWebhookSubscription"],
        "client",
    )? {
        Ok(())
    } else {
        Err(fail("client", "must be a FlexpertoClient"))
    }
}
