//! Builders and parsers for webhook subscriptions: create, list, delete, reports.

use serde_json::{Map, Value};

use super::{
    build_path, invalid_response, parse_object, required_id, ApiRequest, ApiResponse, Operation,
    RouteTable,
};
use crate::client::Client;
use crate::error::{ApiError, Error, ValidationError};
use crate::transport::Transport;
use crate::webhook::validate_callback_url;

/// `POST /api/v2/communication/subscriptions/subscriptions/webhook` (override the route for the
/// `notificationssubscriptions` variant some versions of the guide show). The URL is checked
/// first ([`validate_callback_url`]).
///
/// # Errors
/// [`Error::Webhook`] for a refused URL, [`Error::Validation`] for an empty topic.
pub fn create_subscription(
    routes: &RouteTable,
    topic: &str,
    url: &str,
    allow_http_loopback: bool,
) -> Result<ApiRequest, Error> {
    if topic.trim().is_empty() || topic.len() > 200 {
        return Err(ValidationError::InvalidArgument {
            field: "topic".into(),
            reason: "is required (e.g. \"archive.available\")".into(),
        }
        .into());
    }
    validate_callback_url(url, allow_http_loopback)?;
    let mut body = Map::new();
    body.insert("topic".into(), Value::String(topic.into()));
    body.insert("url".into(), Value::String(url.into()));
    let path = build_path(routes, Operation::CreateWebhookSubscription, &[], &[])?;
    Ok(ApiRequest::new(
        Operation::CreateWebhookSubscription,
        path,
        Some(Value::Object(body).to_string()),
    ))
}

/// `GET /api/v2/communication/subscriptions/subscriptions`.
///
/// # Errors
/// None in practice.
pub fn list_subscriptions(routes: &RouteTable) -> Result<ApiRequest, ValidationError> {
    let path = build_path(routes, Operation::ListWebhookSubscriptions, &[], &[])?;
    Ok(ApiRequest::new(
        Operation::ListWebhookSubscriptions,
        path,
        None,
    ))
}

/// `DELETE /api/v2/communication/subscriptions/subscriptions/{subscriptionId}`.
///
/// # Errors
/// [`ValidationError::InvalidId`].
pub fn delete_subscription(routes: &RouteTable, id: &str) -> Result<ApiRequest, ValidationError> {
    let path = build_path(
        routes,
        Operation::DeleteWebhookSubscription,
        &[("subscriptionId", id)],
        &[],
    )?;
    Ok(ApiRequest::new(
        Operation::DeleteWebhookSubscription,
        path,
        None,
    ))
}

/// `GET /api/v2/communication/subscriptions/subscriptions/{subscriptionId}/reports`.
///
/// # Errors
/// [`ValidationError::InvalidId`].
pub fn subscription_reports(routes: &RouteTable, id: &str) -> Result<ApiRequest, ValidationError> {
    let path = build_path(
        routes,
        Operation::ListWebhookSubscriptionReports,
        &[("subscriptionId", id)],
        &[],
    )?;
    Ok(ApiRequest::new(
        Operation::ListWebhookSubscriptionReports,
        path,
        None,
    ))
}

/// Parses an object that must carry an `id`; returns `(id, json)`.
///
/// # Errors
/// `INVALID_RESPONSE`.
pub fn parse_with_id(op: Operation, resp: &ApiResponse) -> Result<(String, String), ApiError> {
    let (obj, raw) = parse_object(op, resp)?;
    Ok((required_id(op, resp.status, &obj, "id")?, raw))
}

/// Parses `{ "items": [ {...}, ... ] }` (a bare array is normalized to that); returns the JSON.
///
/// # Errors
/// `INVALID_RESPONSE` when there is no array of objects.
pub fn parse_items(op: Operation, resp: &ApiResponse) -> Result<String, ApiError> {
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|_| invalid_response(op, resp.status, "not JSON"))?;
    let v = match v {
        Value::Array(a) => {
            // insert, not from_iter: from_iter sorts, and compiles a sort of (String, Value).
            let mut m = Map::new();
            m.insert("items".to_owned(), Value::Array(a));
            Value::Object(m)
        }
        other => other,
    };
    match v.get("items") {
        Some(Value::Array(a)) if a.iter().all(Value::is_object) => Ok(v.to_string()),
        _ => Err(invalid_response(
            op,
            resp.status,
            "expected {\"items\": [...]}",
        )),
    }
}

/// The `Client` methods of this resource: build, send through [`Client::execute`], parse.
impl<T: Transport> Client<T> {
    /// Registers a webhook for `topic` at `url` (checked first: https, no special-purpose
    /// address, a secret segment). Returns `(id, subscription JSON)`.
    ///
    /// # Errors
    /// [`Error::Webhook`] for a refused URL; otherwise as [`Client::execute`].
    pub async fn create_subscription(
        &self,
        topic: &str,
        url: &str,
        allow_http_loopback: bool,
    ) -> Result<(String, String), Error> {
        let req = create_subscription(&self.config().routes, topic, url, allow_http_loopback)?;
        let resp = self.execute(&req).await?;
        Ok(parse_with_id(Operation::CreateWebhookSubscription, &resp)?)
    }

    /// Lists the tenant's subscriptions (JSON `{ items }`).
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn list_subscriptions(&self) -> Result<String, Error> {
        let req = list_subscriptions(&self.config().routes)?;
        let resp = self.execute(&req).await?;
        Ok(parse_items(Operation::ListWebhookSubscriptions, &resp)?)
    }

    /// Deletes a subscription. Retries already in flight may still arrive at its URL.
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn delete_subscription(&self, id: &str) -> Result<(), Error> {
        let req = delete_subscription(&self.config().routes, id)?;
        self.execute(&req).await?;
        Ok(())
    }

    /// The 50 latest delivery attempts of a subscription (JSON `{ items }`).
    ///
    /// # Errors
    /// As [`Client::execute`].
    pub async fn subscription_reports(&self, id: &str) -> Result<String, Error> {
        let req = subscription_reports(&self.config().routes, id)?;
        let resp = self.execute(&req).await?;
        Ok(parse_items(
            Operation::ListWebhookSubscriptionReports,
            &resp,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_checks_the_url_first() {
        let ok = "https://crm.example.com/callbacks/F40mfum7pZC8DtdgGOYSijx26blP0HLs";
        let r =
            create_subscription(&RouteTable::default(), "archive.available", ok, false).unwrap();
        assert_eq!(
            r.path_and_query,
            "/api/v2/communication/subscriptions/subscriptions/webhook"
        );
        assert!(!r.idempotent);
        let e = create_subscription(
            &RouteTable::default(),
            "archive.available",
            "https://127.1/cb/F40mfum7pZC8DtdgGOYSijx26blP0HLs",
            false,
        )
        .unwrap_err();
        assert_eq!(e.code(), "SPECIAL_PURPOSE_ADDRESS");
        assert_eq!(
            create_subscription(&RouteTable::default(), " ", ok, false)
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
        assert_eq!(
            subscription_reports(&RouteTable::default(), "sub/1")
                .unwrap()
                .path_and_query,
            "/api/v2/communication/subscriptions/subscriptions/sub%2F1/reports"
        );
    }

    #[test]
    fn lists() {
        let r = ApiResponse {
            status: 200,
            body: br#"[{"id":"a"}]"#.to_vec(),
            ..Default::default()
        };
        assert_eq!(
            parse_items(Operation::ListWebhookSubscriptions, &r).unwrap(),
            r#"{"items":[{"id":"a"}]}"#
        );
        let bad = ApiResponse {
            status: 200,
            body: br#"{"items":[1]}"#.to_vec(),
            ..Default::default()
        };
        assert!(parse_items(Operation::ListWebhookSubscriptions, &bad).is_err());
    }
}
