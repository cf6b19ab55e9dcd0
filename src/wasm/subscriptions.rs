//! Webhook subscriptions: createWebhookSubscription, listWebhookSubscriptions,
//! deleteWebhookSubscription, listWebhookSubscriptionReports.

use std::collections::BTreeMap;

use js_sys::Promise;
use serde::Deserialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::client::JsClient;
use super::{call_arg, id_arg, input, json_out, options_arg, promise, reject};

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

/// Options of createWebhookSubscription (with the per-call options).
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[tsify(hashmap_as_object)]
pub struct CreateSubscriptionOptions {
    /// Admit `http://` to a loopback host (local runs against the simulator).
    #[serde(default)]
    #[tsify(optional)]
    pub allow_http_loopback: Option<bool>,
    /// See RequestOptions.
    #[serde(default)]
    #[tsify(optional, type = "AbortSignal")]
    #[allow(dead_code)] // the signal itself is taken from the copy before deserializing
    pub signal: Option<serde::de::IgnoredAny>,
    /// See RequestOptions.
    #[serde(default)]
    #[tsify(optional)]
    pub timeout_ms: Option<u32>,
    /// See RequestOptions.
    #[serde(default)]
    #[tsify(optional)]
    pub headers: Option<BTreeMap<String, String>>,
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
            let (o, call) = options_arg::<CreateSubscriptionOptions>(
                &options.map(JsValue::from).unwrap_or_default(),
                |o| (o.timeout_ms, o.headers.as_ref()),
            )?;
            Ok((s, o.allow_http_loopback.unwrap_or(false), call))
        })();
        let (s, allow, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(
            async move { client.create_subscription(&s.topic, &s.url, allow).await },
            |(_, raw)| json_out(&raw),
        )
    }

    /// Lists the tenant's webhook subscriptions.
    #[wasm_bindgen(js_name = listWebhookSubscriptions, unchecked_return_type = "Promise<WebhookSubscriptionList>")]
    pub fn list_webhook_subscriptions(&self, options: Option<super::OptRequestOptions>) -> Promise {
        let call = match call_arg(&options.map(JsValue::from).unwrap_or_default()) {
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
        let args = id_arg(&id, "subscriptionId").and_then(|id| {
            Ok((
                id,
                call_arg(&options.map(JsValue::from).unwrap_or_default())?,
            ))
        });
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
        let args = id_arg(&id, "subscriptionId").and_then(|id| {
            Ok((
                id,
                call_arg(&options.map(JsValue::from).unwrap_or_default())?,
            ))
        });
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
