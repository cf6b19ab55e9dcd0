//! JS bindings of the webhook verifier, callback URL checks and secret generation.

use js_sys::{Array, Reflect, Uint8Array, JSON};
use wasm_bindgen::prelude::*;

use super::errors;
use crate::error::{Error, WebhookError};
use crate::webhook::{self, Delivery, Verified, VerifierConfig};

fn werr(e: WebhookError) -> JsValue {
    errors::to_js(&Error::Webhook(e))
}

fn cfg_err(m: &str) -> JsValue {
    werr(WebhookError::InvalidConfig(m.into()))
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(wasm_bindgen::intern(key))).unwrap_or(JsValue::UNDEFINED)
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

/// A header's value from a `Headers` object, a plain object (Node's `req.headers`: lower-case
/// keys, string or string[] values), or `undefined`.
fn header(headers: &JsValue, name: &str) -> Option<String> {
    if headers.is_undefined() || headers.is_null() {
        return None;
    }
    let getter = get(headers, "get");
    let v = if getter.is_function() && !Array::is_array(headers) {
        getter
            .unchecked_ref::<js_sys::Function>()
            .call1(headers, &JsValue::from_str(name))
            .unwrap_or(JsValue::NULL)
    } else {
        get(headers, name)
    };
    if let Some(s) = v.as_string() {
        Some(s)
    } else if Array::is_array(&v) {
        let parts: Vec<String> = Array::from(&v)
            .iter()
            .filter_map(|x| x.as_string())
            .collect();
        Some(parts.join(", "))
    } else {
        None
    }
}

/// Checks unsigned Flexperto webhook deliveries: the secret path segment (constant time, every
/// configured secret), the source address (CIDR allowlist; `X-Forwarded-For` only through
/// `trustedProxies` proxies), content type, body size, JSON, and the topic's schema.
#[wasm_bindgen]
pub struct WebhookVerifier {
    secrets: Vec<String>,
    allowed: Option<Vec<String>>,
    trusted_proxies: usize,
    max_body_bytes: usize,
    config: VerifierConfig,
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
                if !["secrets", "allowedIps", "trustedProxies", "maxBodyBytes"]
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
        let max_body_bytes = num(
            "maxBodyBytes",
            webhook::verify::DEFAULT_MAX_BODY_BYTES as f64,
        )?;
        let config = VerifierConfig::new(
            &secrets,
            allowed.as_deref(),
            trusted_proxies,
            Some(max_body_bytes),
        )
        .map_err(werr)?;
        Ok(Self {
            secrets,
            allowed,
            trusted_proxies,
            max_body_bytes,
            config,
        })
    }

    /// The body cap in bytes (read no more than this).
    #[wasm_bindgen(getter, js_name = maxBodyBytes)]
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Replaces the accepted secrets (current first), e.g. during a rotation.
    #[wasm_bindgen(js_name = setSecrets)]
    pub fn set_secrets(&mut self, secrets: Vec<String>) -> Result<(), JsValue> {
        let config = VerifierConfig::new(
            &secrets,
            self.allowed.as_deref(),
            self.trusted_proxies,
            Some(self.max_body_bytes),
        )
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

    /// Verifies one delivery. `body` is the raw request body as bytes. Throws a `WebhookError`
    /// with code `SECRET_MISMATCH`, `IP_NOT_ALLOWED`, `BAD_CONTENT_TYPE`, `BODY_TOO_LARGE`,
    /// `MALFORMED_JSON` or `SCHEMA_VIOLATION` (with `path`).
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "WebhookDelivery")] delivery: JsValue,
    ) -> Result<WebhookEvent, JsValue> {
        let path = get(&delivery, "path")
            .as_string()
            .ok_or_else(|| cfg_err("delivery.path must be a string"))?;
        let remote = get(&delivery, "remoteAddress")
            .as_string()
            .unwrap_or_default();
        let headers = get(&delivery, "headers");
        let body_js = get(&delivery, "body");
        let ct = header(&headers, "content-type");
        let xff = header(&headers, "x-forwarded-for");
        let body: Vec<u8> = if let Some(s) = body_js.as_string() {
            s.into_bytes()
        } else if let Some(u) = body_js.dyn_ref::<Uint8Array>() {
            if u.length() as usize > self.max_body_bytes {
                // Do not copy a huge body into wasm just to refuse it; the cheaper checks first.
                let empty = Delivery {
                    path: &path,
                    remote_address: &remote,
                    content_type: ct.as_deref(),
                    forwarded_for: xff.as_deref(),
                    body: &[],
                };
                webhook::verify(&self.config, &empty)
                    .map(|_| ())
                    .or_else(|e| {
                        if e.code() == "SCHEMA_VIOLATION" || e.code() == "MALFORMED_JSON" {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })
                    .map_err(werr)?;
                return Err(werr(WebhookError::BodyTooLarge(self.max_body_bytes)));
            }
            u.to_vec()
        } else {
            return Err(cfg_err(
                "delivery.body must be a Uint8Array (or Buffer) of the raw body",
            ));
        };
        let ct = header(&headers, "content-type");
        let xff = header(&headers, "x-forwarded-for");
        let d = Delivery {
            path: &path,
            remote_address: &remote,
            content_type: ct.as_deref(),
            forwarded_for: xff.as_deref(),
            body: &body,
        };
        let verified = webhook::verify(&self.config, &d).map_err(werr)?;
        Ok(WebhookEvent { v: verified, body })
    }
}

/// A verified delivery. Treat it as a hint: act on what you re-read through the API.
#[wasm_bindgen]
pub struct WebhookEvent {
    v: Verified,
    body: Vec<u8>,
}

#[wasm_bindgen]
impl WebhookEvent {
    /// The topic, e.g. `archive.available`.
    #[wasm_bindgen(getter)]
    pub fn topic(&self) -> String {
        self.v.topic.clone()
    }
    /// The notification's id, when sent.
    #[wasm_bindgen(getter, js_name = notificationId)]
    pub fn notification_id(&self) -> Option<String> {
        self.v.notification_id.clone()
    }
    /// For `archive.available`: `data.archive_id`.
    #[wasm_bindgen(getter, js_name = archiveId)]
    pub fn archive_id(&self) -> Option<String> {
        self.v.archive.as_ref().map(|a| a.archive_id.clone())
    }
    /// For `archive.available`: `data.archive_subject.conference_id`.
    #[wasm_bindgen(getter, js_name = conferenceId)]
    pub fn conference_id(&self) -> Option<String> {
        self.v.archive.as_ref().map(|a| a.conference_id.clone())
    }
    /// For `archive.available`: `data.sha256CheckSum` (lower case), when sent.
    #[wasm_bindgen(getter, js_name = sha256CheckSum)]
    pub fn sha256(&self) -> Option<String> {
        self.v.archive.as_ref().and_then(|a| a.sha256.clone())
    }
    /// The key to deduplicate on (`archive.available:<archiveId>` for archives).
    #[wasm_bindgen(getter, js_name = dedupeKey)]
    pub fn dedupe_key(&self) -> String {
        self.v.dedupe_key.clone()
    }
    /// Which configured secret matched: 0 is the current one.
    #[wasm_bindgen(getter, js_name = secretIndex)]
    pub fn secret_index(&self) -> usize {
        self.v.secret_index
    }
    /// The client address the allowlist was checked against.
    #[wasm_bindgen(getter, js_name = sourceAddress)]
    pub fn source_address(&self) -> Option<String> {
        self.v.source.map(|ip| ip.to_string())
    }
    /// The whole payload, unknown fields included (parsed on first use).
    #[wasm_bindgen(getter, unchecked_return_type = "Record<string, unknown>")]
    pub fn payload(&self) -> JsValue {
        JSON::parse(&String::from_utf8_lossy(&self.body)).unwrap_or(JsValue::NULL)
    }
    /// A plain object of the fields above, for logging or queueing.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "WebhookEventJson")]
    pub fn to_json(&self) -> JsValue {
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &v);
        };
        set("topic", JsValue::from_str(&self.v.topic));
        set("dedupeKey", JsValue::from_str(&self.v.dedupe_key));
        if let Some(id) = &self.v.notification_id {
            set("notificationId", JsValue::from_str(id));
        }
        if let Some(a) = &self.v.archive {
            set("archiveId", JsValue::from_str(&a.archive_id));
            set("conferenceId", JsValue::from_str(&a.conference_id));
            if let Some(s) = &a.sha256 {
                set("sha256CheckSum", JsValue::from_str(s));
            }
        }
        o.into()
    }
}

/// Checks a callback URL before registering it: https only, no IP literal in an IANA
/// special-purpose block in any spelling, no localhost name, and a secret path segment of at
/// least 128 bits. Throws a `WebhookError` whose code names the rule broken.
#[wasm_bindgen(js_name = validateCallbackUrl)]
pub fn validate_callback_url(
    url: &str,
    options: Option<CallbackUrlOptions>,
) -> Result<(), JsValue> {
    let allow = options
        .map(JsValue::from)
        .map(|o| get(&o, "allowHttpLoopback").is_truthy())
        .unwrap_or(false);
    webhook::validate_callback_url(url, allow).map_err(werr)
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

#[wasm_bindgen]
extern "C" {
    /// Options of validateCallbackUrl.
    #[wasm_bindgen(typescript_type = "{ allowHttpLoopback?: boolean }")]
    pub type CallbackUrlOptions;
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
/** Codes of {@link WebhookError}. */
export type WebhookErrorCode =
  | "SECRET_MISMATCH" | "IP_NOT_ALLOWED" | "BAD_CONTENT_TYPE" | "BODY_TOO_LARGE" | "MALFORMED_JSON"
  | "SCHEMA_VIOLATION" | "INVALID_CONFIG" | "INVALID_URL" | "NOT_HTTPS" | "CREDENTIALS_IN_URL"
  | "SPECIAL_PURPOSE_ADDRESS" | "LOCAL_HOSTNAME" | "NO_SECRET_SEGMENT";
/** A refused delivery or callback URL. `path` names the field of a SCHEMA_VIOLATION. Never contains a secret. */
export interface WebhookError extends Error { name: "WebhookError"; code: WebhookErrorCode; path?: string }
export interface WebhookEventJson {
  topic: string;
  dedupeKey: string;
  notificationId?: string;
  archiveId?: string;
  conferenceId?: string;
  sha256CheckSum?: string;
}
"#;
