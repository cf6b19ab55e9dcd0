//! Webhook subscriptions (`/api/v2/communication/subscriptions/subscriptions`) and their
//! delivery reports. Records are passed on as the API sent them (unknown fields kept); these
//! types name the fields the SDK documents, and the TypeScript declarations are generated from
//! them.

use serde::Deserialize;

/// A webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSubscription {
    /// The subscription's id (for deleting it and reading its reports).
    pub id: String,
    /// The topic, e.g. `archive.available`.
    pub topic: String,
    /// The callback URL.
    pub url: String,
    /// RFC 3339.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub created_at: Option<String>,
}

/// One delivery attempt of a subscription.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionReport {
    /// The report's id.
    pub id: String,
    /// The subscription.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub subscription_id: Option<String>,
    /// The notification delivered.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub notification_id: Option<String>,
    /// 1 to 4.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub attempt: Option<u32>,
    /// RFC 3339.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub attempted_at: Option<String>,
    /// Absent when the attempt got no HTTP answer.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub status_code: Option<u16>,
    /// How long the attempt took.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub duration_ms: Option<f64>,
    /// Whether the endpoint acknowledged it.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub success: Option<bool>,
    /// Why it failed.
    #[serde(default)]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub error: Option<String>,
}

/// A list of subscriptions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
pub struct WebhookSubscriptionList {
    /// The subscriptions.
    pub items: Vec<WebhookSubscription>,
}

/// The latest delivery attempts of a subscription, newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
pub struct SubscriptionReportList {
    /// The attempts.
    pub items: Vec<SubscriptionReport>,
}
