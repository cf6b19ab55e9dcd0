//! Webhook subscriptions: createWebhookSubscription, listWebhookSubscriptions,
//! deleteWebhookSubscription, listWebhookSubscriptionReports.

use js_sys::Promise;
use serde::Deserialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::callback_url::{check_for_subscription, CallbackUrlOptions};
use super::client::JsClient;
use super::options_struct;
use super::{call_of, id_call, input, json_out, options_arg, promise, reject};

/// A subscription to create.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewWebhookSubscription {
    /// Webhook topic, e.g. `"archive.available"` (others may exist on your tenant).
    #[tsify(type = "WebhookTopic")]
    pub topic: String,
    /// The callback URL: https, no special-purpose address, a secret path segment.
    pub url: String,
}

/// Webhook topics this SDK knows (others may exist on your tenant: see its /api/v2/spec).
#[derive(Tsify)]
#[tsify(type = "\"archive.available\" | (string & {})")]
#[allow(dead_code)]
pub struct WebhookTopic;

options_struct! {
    /// Options of createWebhookSubscription (with the per-call options).
    pub struct CreateSubscriptionOptions {
        /// Admit `http://` to a loopback host (local runs against the simulator).
        #[serde(default)]
        #[tsify(optional)]
        pub allow_http_loopback: Option<bool>,
        /// Resolve the callback's name and refuse it when any address is special-purpose (default:
        /// true in Node or with a `lookup`, false elsewhere).
        #[serde(default)]
        #[tsify(optional)]
        pub resolve: Option<bool>,
        /// The resolver for this call (instead of the client's `lookup` or Node's `dns.lookup`).
        #[serde(default)]
        #[tsify(optional, type = "LookupFunction")]
        #[allow(dead_code)] // the function itself is taken from the copy before deserializing
        pub lookup: Option<serde::de::IgnoredAny>,
    }
}

/// Takes `lookup` (a function, which serde cannot read) out of a copy of the options.
fn take_lookup(raw: JsValue) -> Result<(JsValue, Option<js_sys::Function>), crate::error::Error> {
    if !raw.is_object() {
        return Ok((raw, None));
    }
    let copy = input::snapshot(&raw, "", 0).map_err(|e| super::rename(e, "options"))?;
    let lookup = super::get(&copy, "lookup");
    if lookup.is_undefined() {
        return Ok((copy, None));
    }
    let _ = js_sys::Reflect::delete_property(
        copy.unchecked_ref::<js_sys::Object>(),
        &JsValue::from_str("lookup"),
    );
    let lookup = lookup.dyn_into::<js_sys::Function>().map_err(|_| {
        crate::error::ValidationError::InvalidArgument {
            field: "options.lookup".into(),
            reason: "must be a function".into(),
        }
    })?;
    Ok((copy, Some(lookup)))
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// Registers a webhook (`POST /api/v2/communication/subscriptions/subscriptions/webhook`).
    /// The URL is checked first (see `validateCallbackUrl`); `{ allowHttpLoopback: true }`
    /// admits `http://127.0.0.1` for local runs against the simulator.
    #[wasm_bindgen(js_name = createWebhookSubscription, unchecked_return_type = "Promise<WebhookSubscription>")]
    pub fn create_webhook_subscription(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewWebhookSubscription")] subscription: JsValue,
        options: Option<super::OptCreateSubscriptionOptions>,
    ) -> Promise {
        let args = (|| {
            let s: NewWebhookSubscription = input::from_js(&subscription, "subscription")?;
            let (raw, lookup) = take_lookup(options.map(JsValue::from).unwrap_or_default())?;
            let (o, call) = options_arg::<CreateSubscriptionOptions>(&raw, |o| {
                (o.timeout_ms, o.headers.as_ref())
            })?;
            let url_options = CallbackUrlOptions {
                allow_http_loopback: o.allow_http_loopback.unwrap_or(false),
                resolve: o.resolve,
                lookup,
            };
            Ok((s, url_options, call))
        })();
        let (s, url_options, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let allow = url_options.allow_http_loopback;
        // The URL's own rules are checked when the request is built (native Client); the DNS
        // step (Node, or a given lookup) runs first, so a refused name sends nothing.
        let resolved = check_for_subscription(s.url.clone(), url_options, self.lookup.clone());
        let client = self.scoped(call);
        promise(
            async move {
                resolved.await?;
                client.create_subscription(&s.topic, &s.url, allow).await
            },
            |(_, raw)| json_out(&raw),
        )
    }

    /// Lists the tenant's webhook subscriptions.
    #[wasm_bindgen(js_name = listWebhookSubscriptions, unchecked_return_type = "Promise<WebhookSubscriptionList>")]
    pub fn list_webhook_subscriptions(&self, options: Option<super::OptRequestOptions>) -> Promise {
        let call = match call_of(options) {
            Ok(c) => c,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.list_subscriptions().await }, |raw| {
            json_out(&raw)
        })
    }

    /// Deletes a webhook subscription (retries already in flight may still arrive).
    #[wasm_bindgen(js_name = deleteWebhookSubscription, unchecked_return_type = "Promise<void>")]
    pub fn delete_webhook_subscription(
        &self,
        #[wasm_bindgen(js_name = subscriptionId, unchecked_param_type = "string")] id: JsValue,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = id_call(&id, "subscriptionId", options);
        let (id, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.delete_subscription(&id).await }, |()| {
            JsValue::UNDEFINED
        })
    }

    /// The 50 latest delivery attempts of a subscription, newest first.
    #[wasm_bindgen(js_name = listWebhookSubscriptionReports, unchecked_return_type = "Promise<SubscriptionReportList>")]
    pub fn list_webhook_subscription_reports(
        &self,
        #[wasm_bindgen(js_name = subscriptionId, unchecked_param_type = "string")] id: JsValue,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = id_call(&id, "subscriptionId", options);
        let (id, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(
            async move { client.subscription_reports(&id).await },
            |raw| json_out(&raw),
        )
    }
}
