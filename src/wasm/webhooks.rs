//! JS bindings of the webhook verifier, callback URL checks and secret generation.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::{errors, get};
use crate::error::{Error, WebhookError};
use crate::webhook::{self, Delivery, VerifiedParts, VerifierConfig};

fn werr(e: WebhookError) -> JsValue {
    errors::to_js(&Error::Webhook(e))
}

fn cfg_err(m: &str) -> JsValue {
    werr(WebhookError::InvalidConfig(m.into()))
}

fn string_list(v: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    // The catching Array.isArray: a revoked Proxy throws there.
    if !super::input::is_array_checked(v).unwrap_or(false) {
        return Err(cfg_err(&format!("{name} must be an array of strings")));
    }
    // Read through a catching copy: a Proxy's trap or a getter must not throw through the wasm.
    let copy = super::input::snapshot(v, name, 1).map_err(|_| {
        cfg_err(&format!(
            "{name} cannot be read (a getter or Proxy trap threw)"
        ))
    })?;
    Array::from(&copy)
        .iter()
        .map(|x| {
            x.as_string()
                .ok_or_else(|| cfg_err(&format!("{name} must be an array of strings")))
        })
        .collect()
}

/// Checks unsigned Flexperto webhook deliveries: the secret path segment (constant time, every
/// configured secret), the source address (CIDR allowlist; `X-Forwarded-For` only through
/// `trustedProxies` proxies), content type, body size, JSON, and the topic's schema.
#[wasm_bindgen]
pub struct WebhookVerifier {
    secrets: Vec<String>,
    allowed: Option<Vec<String>>,
    trusted_proxies: usize,
    config: VerifierConfig,
    parts: VerifiedParts,
    result: Box<[u32; RESULT_WORDS]>,
}

#[wasm_bindgen]
impl WebhookVerifier {
    /// Throws a `WebhookError` code `INVALID_CONFIG` for a secret under 128 bits, a bad CIDR
    /// block, or an unknown option.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "WebhookVerifierOptions")] options: JsValue,
    ) -> Result<WebhookVerifier, JsValue> {
        if !options.is_object() {
            return Err(cfg_err("options must be an object"));
        }
        if let Some(o) = options.dyn_ref::<js_sys::Object>() {
            for k in js_sys::Object::keys(o).iter().filter_map(|k| k.as_string()) {
                if ![
                    "secrets",
                    "allowedIps",
                    "trustedProxies",
                    "maxBodyBytes",
                    "archiveTopic",
                ]
                .contains(&k.as_str())
                {
                    return Err(cfg_err(&format!("unknown option {k:?}")));
                }
            }
        }
        let secrets = string_list(&get(&options, "secrets"), "secrets")?;
        let allowed = match get(&options, "allowedIps") {
            v if v.is_undefined() || v.is_null() => None,
            v => Some(string_list(&v, "allowedIps")?),
        };
        let num = |k: &str, default: f64| -> Result<usize, JsValue> {
            match get(&options, k) {
                v if v.is_undefined() => Ok(default as usize),
                v => match v.as_f64() {
                    Some(n) if n.fract() == 0.0 && (0.0..1e12).contains(&n) => Ok(n as usize),
                    _ => Err(cfg_err(&format!("{k} must be a non-negative integer"))),
                },
            }
        };
        let trusted_proxies = num("trustedProxies", 0.0)?;
        let max_body_bytes = num("maxBodyBytes", webhook::DEFAULT_MAX_BODY_BYTES as f64)?;
        let archive_topic = match get(&options, "archiveTopic") {
            v if v.is_undefined() => webhook::TOPIC_ARCHIVE_AVAILABLE.to_owned(),
            v => v
                .as_string()
                .ok_or_else(|| cfg_err("archiveTopic must be a string"))?,
        };
        let config = VerifierConfig::new(
            &secrets,
            allowed.as_deref(),
            trusted_proxies,
            Some(max_body_bytes),
        )
        .and_then(|c| c.with_archive_topic(&archive_topic))
        .map_err(werr)?;
        Ok(Self {
            secrets,
            allowed,
            trusted_proxies,
            config,
            parts: VerifiedParts::default(),
            result: Box::new([0; RESULT_WORDS]),
        })
    }

    /// The topic whose deliveries carry an archive (`archiveTopic`, default "archive.available").
    #[wasm_bindgen(getter, js_name = archiveTopic)]
    pub fn archive_topic(&self) -> String {
        self.config.archive_topic().to_owned()
    }

    /// The body cap in bytes (read no more than this).
    #[wasm_bindgen(getter, js_name = maxBodyBytes)]
    pub fn max_body_bytes(&self) -> usize {
        self.config.max_body_bytes()
    }

    /// Replaces the accepted secrets (current first), e.g. during a rotation.
    #[wasm_bindgen(js_name = setSecrets)]
    pub fn set_secrets(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] secrets: JsValue,
    ) -> Result<(), JsValue> {
        // Taken as a JsValue: the glue's copy of a `Vec<String>` threw untyped on a non-array.
        let secrets = string_list(&secrets, "secrets")?;
        let config = VerifierConfig::new(
            &secrets,
            self.allowed.as_deref(),
            self.trusted_proxies,
            Some(self.config.max_body_bytes()),
        )
        .and_then(|c| c.with_archive_topic(self.config.archive_topic()))
        .map_err(werr)?;
        self.secrets = secrets;
        self.config = config;
        Ok(())
    }

    /// How many secrets are accepted now.
    #[wasm_bindgen(getter, js_name = secretCount)]
    pub fn secret_count(&self) -> usize {
        self.secrets.len()
    }
}

/// Verifies one delivery given as its parts (what the JS `WebhookVerifier.verify(delivery)` calls;
/// the object form is read in JavaScript, where reading properties is cheap). `body` is the raw
/// body: `&[u8]` costs ~34 ns per KB to cross, a `&str` ~1.4 us (PERF-NOTES.md), and this path
/// runs at ~1.85x JSON.parse + ajv (bench/webhook-verify.mjs). The result is left in wasm memory
/// at `webhookResultAddress(verifier)` for the JavaScript side to read: on success no object and
/// no string crosses the boundary. Internal.
/// @internal
#[wasm_bindgen(js_name = webhookVerifyParts)]
pub fn webhook_verify_parts(
    verifier: &mut WebhookVerifier,
    path: &str,
    remote_address: &str,
    content_type: Option<String>,
    forwarded_for: Option<String>,
    body: &[u8],
) -> Result<(), JsValue> {
    let d = Delivery {
        path,
        remote_address,
        content_type: content_type.as_deref(),
        forwarded_for: forwarded_for.as_deref(),
        body,
    };
    webhook::verify_into(&verifier.config, &d, &mut verifier.parts).map_err(werr)?;
    let p = &verifier.parts;
    let r = &mut verifier.result;
    // wasm32: addresses, lengths and indexes fit in u32.
    r[0] = p.text.as_ptr() as u32;
    r[1] = p.text.len() as u32;
    r[2] = p.secret_index as u32;
    r[3] = u32::from(p.ascii);
    for (i, f) in p.fields.iter().enumerate() {
        let (a, b) = f.unwrap_or((u32::MAX, u32::MAX));
        r[4 + 2 * i] = a;
        r[5 + 2 * i] = b;
    }
    Ok(())
}

/// Where `webhookVerifyParts` leaves its result: `RESULT_WORDS` u32 words (text address, text
/// length, secret index, all-ASCII flag, then the start and end of each field in the text,
/// `0xFFFFFFFF` when absent; field order as in `webhook::Field`). Internal.
/// @internal
#[wasm_bindgen(js_name = webhookResultAddress)]
pub fn webhook_result_address(verifier: &WebhookVerifier) -> u32 {
    verifier.result.as_ptr() as u32
}

/// The wasm memory, for reading the result of `webhookVerifyParts`. Internal.
/// @internal
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

const RESULT_WORDS: usize = 4 + 2 * webhook::FIELD_COUNT;

/// Checks a callback URL before registering it: https only, no user information, a host (as
/// the platform's WHATWG `URL` parses it) that is no special-purpose address and no localhost
/// name, and a secret path segment of at least 128 bits. Returns what it checked; with
/// `{ resolve: true }` a Promise, after checking every address the name resolves to. Throws (or
/// rejects with) a `WebhookError` whose code names the rule broken.
#[wasm_bindgen(js_name = validateCallbackUrl, unchecked_return_type = "CheckedCallbackUrl | Promise<CheckedCallbackUrl>")]
pub fn validate_callback_url(
    #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CallbackUrlOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    super::callback_url::validate(&url, &options).map_err(|e| super::errors::to_js(&e))
}

/// A fresh secret for a callback path: 32 base64url characters (192 bits) from the platform's
/// CSPRNG (`crypto.getRandomValues`).
#[wasm_bindgen(js_name = generateWebhookSecret)]
pub fn generate_webhook_secret() -> Result<String, JsValue> {
    let bytes = Uint8Array::new_with_length(24);
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into())?;
    let f = Reflect::get(&crypto, &"getRandomValues".into())?;
    let f: &js_sys::Function = f
        .dyn_ref()
        .ok_or_else(|| JsValue::from_str("crypto.getRandomValues is not available"))?;
    f.call1(&crypto, &bytes)?;
    let mut buf = [0u8; 24];
    bytes.copy_to(&mut buf);
    Ok(webhook::format_secret(&buf))
}

/// The options of `new WebhookVerifier(...)`: the keys `WebhookVerifier::new` reads (and no
/// others). Declared for TypeScript (tsify); read by `new` key by key.
#[derive(tsify::Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declarations only
pub struct WebhookVerifierOptions {
    /// Accepted secret path segments: the current one first, then previous ones during a
    /// rotation. Each at least 128 bits.
    secrets: Vec<String>,
    /// The platform's source addresses, as CIDR blocks or single addresses (IPv4 and IPv6). Omit
    /// to skip the address check.
    #[tsify(optional)]
    allowed_ips: Option<Vec<String>>,
    /// How many reverse proxies in front of you append to X-Forwarded-For (default 0: the peer
    /// address is the client).
    #[tsify(optional)]
    trusted_proxies: Option<f64>,
    /// Body cap in bytes (default 1 MiB).
    #[tsify(optional)]
    max_body_bytes: Option<f64>,
    /// The topic whose deliveries carry an archive (`data.archive_id`,
    /// `data.archive_subject.conference_id`, checked). Default "archive.available" (inferred: see
    /// your tenant's /api/v2/spec). Every other topic is a generic event: verified and passed on
    /// whole (`payload`), never refused for its data.
    #[tsify(optional)]
    archive_topic: Option<String>,
}

/// A step of `rotateWebhookSecret` refused: a `ValidationError` naming the option (or the
/// subscription's URL) at fault.
#[cfg(feature = "node")]
fn rotation_err(e: webhook::rotation::RotationError) -> JsValue {
    use webhook::rotation::RotationError as R;
    let field = match e {
        R::CurrentSecretsRequired | R::ChangedOutside | R::CurrentSecretsNotStrings => {
            "options.currentSecrets".to_owned()
        }
        R::NoCurrentSecretInUrl => "subscription.url".to_owned(),
        R::UrlWithoutSecret => "options.urlFor".to_owned(),
        R::BadDuration(name) => format!("options.{name}"),
    };
    errors::to_js(&Error::Validation(
        crate::error::ValidationError::InvalidArgument {
            field,
            reason: e.to_string(),
        },
    ))
}

/// Checks `rotateWebhookSecret`'s arguments and answers where the rotation starts, with the
/// options the JS uses: `{ verifier, urlFor, allowHttpLoopback, resolve, signal, current,
/// oldSecret, graceMs, drainMs }` (`webhook::rotation`). `known(verifier)` answers what the last
/// rotation of the same verifier left (undefined before). Throws a `ValidationError` (the
/// options are read as every options object: src/wasm/js_options.rs). Internal
/// (pkg-template/node/webhooks.js).
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = webhookRotationStart)]
pub fn webhook_rotation_start(
    client: JsValue,
    subscription: JsValue,
    options: JsValue,
    known: &js_sys::Function,
) -> Result<JsValue, JsValue> {
    use webhook::rotation as r;
    super::js_options::rotation_client(&client)?;
    let o = super::js_options::rotation_options(options)?;
    let sub = super::js_options::rotation_subscription(subscription)?;
    let grace_ms =
        r::duration_ms(o.grace_ms, "graceMs", r::DEFAULT_GRACE_MS).map_err(rotation_err)?;
    let drain_ms =
        r::duration_ms(o.drain_ms, "drainMs", r::DEFAULT_DRAIN_MS).map_err(rotation_err)?;
    let known = known.call1(&JsValue::UNDEFINED, &o.verifier)?;
    let known = if known.is_undefined() {
        None
    } else {
        Some(
            Array::from(&known)
                .iter()
                .map(|x| x.as_string().unwrap_or_default())
                .collect::<Vec<_>>(),
        )
    };
    let count = Reflect::get(&o.verifier, &JsValue::from_str("secretCount"))
        .ok()
        .and_then(|n| n.as_f64())
        .map(|n| if n >= 0.0 { n as usize } else { usize::MAX });
    let given = match o.current_secrets {
        Some(None) => return Err(rotation_err(r::RotationError::CurrentSecretsNotStrings)),
        Some(Some(list)) => Some(list),
        None => None,
    };
    let current = r::current_secrets(given, known, count).map_err(rotation_err)?;
    let old = r::old_secret(&current, &sub)
        .map_err(rotation_err)?
        .to_owned();
    let out = js_sys::Object::new();
    let list: Array = current.iter().map(|s| JsValue::from_str(s)).collect();
    for (k, v) in [
        ("verifier", o.verifier),
        ("urlFor", o.url_for),
        (
            "allowHttpLoopback",
            JsValue::from_bool(o.allow_http_loopback),
        ),
        (
            "resolve",
            o.resolve.map_or(JsValue::UNDEFINED, JsValue::from_bool),
        ),
        ("signal", o.signal),
        ("current", JsValue::from(list)),
        ("oldSecret", JsValue::from_str(&old)),
        ("graceMs", JsValue::from(grace_ms)),
        ("drainMs", JsValue::from(drain_ms)),
    ] {
        Reflect::set(&out, &JsValue::from_str(k), &v)?;
    }
    Ok(out.into())
}

/// The secrets to accept once `secret` is registered at `url` (what `urlFor(secret)` returned):
/// `secret` first, then `current`. Throws a `TypeError` unless `url` is a URL with `secret` as a
/// path segment. Internal (pkg-template/node/webhooks.js).
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = webhookRotationNext)]
pub fn webhook_rotation_next(
    current: Vec<String>,
    secret: String,
    url: JsValue,
) -> Result<Vec<String>, JsValue> {
    use webhook::rotation as r;
    let url = url
        .as_string()
        .ok_or_else(|| rotation_err(r::RotationError::UrlWithoutSecret))?;
    r::next_secrets(&current, &secret, &url).map_err(rotation_err)
}

/// `secrets` without `secret` (a rotation's rollback, or the old secret dropped after the
/// drain). Internal (pkg-template/node/webhooks.js).
/// @internal
#[cfg(feature = "node")]
#[wasm_bindgen(js_name = webhookSecretsWithout)]
pub fn webhook_secrets_without(secrets: Vec<String>, secret: String) -> Vec<String> {
    webhook::rotation::without(&secrets, &secret)
}
