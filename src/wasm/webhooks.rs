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
    if !Array::is_array(v) {
        return Err(cfg_err(&format!("{name} must be an array of strings")));
    }
    Array::from(v)
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
    pub fn set_secrets(&mut self, secrets: Vec<String>) -> Result<(), JsValue> {
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

#[wasm_bindgen(typescript_custom_section)]
const TS_WEBHOOKS: &str = r#"
export interface WebhookVerifierOptions {
  /** Accepted secret path segments: the current one first, then previous ones during a rotation. Each at least 128 bits. */
  secrets: string[];
  /** The platform's source addresses, as CIDR blocks or single addresses (IPv4 and IPv6). Omit to skip the address check. */
  allowedIps?: string[];
  /** How many reverse proxies in front of you append to X-Forwarded-For (default 0: the peer address is the client). */
  trustedProxies?: number;
  /** Body cap in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * The topic whose deliveries carry an archive (`data.archive_id`, `data.archive_subject.conference_id`,
   * checked). Default "archive.available" (inferred: see your tenant's /api/v2/spec). Every other
   * topic is a generic event: verified and passed on whole (`payload`), never refused for its data.
   */
  archiveTopic?: string;
}
export interface WebhookVerifier {
  /**
   * Verifies one delivery. Throws a `WebhookError` with code `SECRET_MISMATCH`, `IP_NOT_ALLOWED`,
   * `BAD_CONTENT_TYPE`, `BODY_TOO_LARGE`, `MALFORMED_JSON` or `SCHEMA_VIOLATION` (with `path`),
   * checked in that order.
   */
  verify(delivery: WebhookDelivery): WebhookEvent;
  /** The `archiveTopic` it was built with. */
  readonly archiveTopic: string;
}
/** A verified delivery. Treat it as a hint: act on what you re-read through the API. */
export interface WebhookEvent {
  /** The topic, e.g. "archive.available". */
  readonly topic: string;
  /** The key to deduplicate on ("archive.available:<archiveId>" for archives). */
  readonly dedupeKey: string;
  /** Which configured secret matched: 0 is the current one. */
  readonly secretIndex: number;
  /** The notification's id, when sent. */
  readonly notificationId?: string;
  /** For the archive topic: data.archive_id. */
  readonly archiveId?: string;
  /** For the archive topic: data.archive_subject.conference_id. */
  readonly conferenceId?: string;
  /** For the archive topic: data.sha256CheckSum (lower case), when sent. A hint: compare with the record's. */
  readonly sha256CheckSum?: string;
  /** The client address the allowlist was checked against. */
  readonly sourceAddress?: string;
  /** The whole payload, unknown fields included (parsed from the raw body on first use). */
  readonly payload: Record<string, unknown>;
  /** The fields above without the payload, for logging or queueing. */
  toJSON(): WebhookEventJson;
}
/** One delivery as your HTTP layer received it. */
export interface WebhookDelivery {
  /** The request path (with its secret segment). */
  path: string;
  /** The connection's peer address (Node: `req.socket.remoteAddress`). */
  remoteAddress?: string;
  /** A `Headers` object or Node's `req.headers`. */
  headers?: Headers | Record<string, string | string[] | undefined>;
  /** The raw body: a Uint8Array or Buffer (a string also works, slower). */
  body: Uint8Array | string;
}
export interface WebhookEventJson {
  topic: string;
  dedupeKey: string;
  secretIndex: number;
  sourceAddress?: string;
  notificationId?: string;
  archiveId?: string;
  conferenceId?: string;
  sha256CheckSum?: string;
}
"#;
