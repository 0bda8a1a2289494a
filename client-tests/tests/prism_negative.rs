//! The contract tests have teeth: requests that break the spec on purpose are rejected
//! by the mock server, and the rejection names the broken rule. A mock server that
//! accepted anything would let every contract test pass; these tests would then fail.
//!
//! They need Prism, so they are ignored by default: `cargo xtask contract` starts it,
//! sets `LINQ_API_V3_BASE_URL` and runs them with `--include-ignored`. Two requests go
//! through the generated client (whose types still let a wrong value through: the
//! catch-all variant of an enum, a free-form phone number string); one is sent raw,
//! since the typed client cannot leave out a required field. Each has a valid twin that
//! must be accepted, so a rejection cannot come from anything but the broken rule.

use linq_api::types::{
    WebhookEventType, WebhookSubscriptionCreateParams, WebhookSubscriptionUpdateParams,
};
use linq_api::{Client, Error, Nullable};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const BASE_URL_ENV: &str = "LINQ_API_V3_BASE_URL";
const TOKEN: &str = "contract-test-key";
const SUBSCRIPTION_ID: &str = "b2c3d4e5-f6a7-8901-bcde-f23456789012";

fn base_url() -> String {
    std::env::var(BASE_URL_ENV).unwrap_or_else(|_| {
        panic!("{BASE_URL_ENV} must point at the Prism mock server: run `cargo xtask contract`")
    })
}

fn client() -> Client {
    Client::builder()
        .base_url(base_url())
        .api_key(TOKEN)
        .max_retries(0)
        .build()
        .expect("a client for the mock server")
}

/// Prism's report on a request it found invalid (its `sl-violations` header, a JSON
/// array of `{location, severity, code, message}`); empty when it found none.
fn violations(headers: Option<&HeaderMap>) -> Vec<Value> {
    headers
        .and_then(|h| h.get("sl-violations"))
        .and_then(|v| serde_json::from_slice(v.as_bytes()).ok())
        .unwrap_or_default()
}

/// The request was rejected with the spec's 400 response, and Prism's report has an
/// error of kind `code` at `location`.
fn assert_rejected(err: &Error, location: &[&str], code: &str) {
    assert_eq!(err.status(), Some(400), "{err}");
    let report = violations(err.headers());
    let expected_location = json!(location);
    assert!(
        report.iter().any(|v| v["location"] == expected_location
            && v["code"] == code
            && v["severity"] == "Error"),
        "no `{code}` violation at {expected_location} in Prism's report: {report:#?}"
    );
}

fn subscription(events: Vec<WebhookEventType>) -> WebhookSubscriptionCreateParams {
    WebhookSubscriptionCreateParams {
        subscribed_events: events,
        target_url: "https://webhooks.example.com/linq/events".to_owned(),
        ..Default::default()
    }
}

#[tokio::test]
#[ignore = "contract test: needs the Prism mock server; run `cargo xtask contract`"]
async fn an_event_type_outside_the_enum_is_rejected() {
    let api = client();
    let bad = subscription(vec![WebhookEventType::Unknown(
        "message.teleported".to_owned(),
    )]);
    let err = api
        .webhook_subscriptions()
        .create(&bad)
        .await
        .expect_err("Prism must reject an event type the spec does not list");
    assert_rejected(&err, &["request", "body", "subscribed_events", "0"], "enum");

    let good = subscription(vec![WebhookEventType::MessageSent]);
    let created = api.webhook_subscriptions().create(&good).await;
    assert!(
        created.is_ok(),
        "the valid twin must be accepted: {created:?}"
    );
}

#[tokio::test]
#[ignore = "contract test: needs the Prism mock server; run `cargo xtask contract`"]
async fn a_phone_number_not_in_e164_format_is_rejected() {
    let api = client();
    let bad = WebhookSubscriptionUpdateParams {
        phone_numbers: Nullable::Value(vec!["2025550123".to_owned()]),
        ..Default::default()
    };
    let err = api
        .webhook_subscriptions()
        .update(SUBSCRIPTION_ID, &bad)
        .await
        .expect_err("Prism must reject a phone number without the leading +");
    assert_rejected(&err, &["request", "body", "phone_numbers", "0"], "pattern");

    let good = WebhookSubscriptionUpdateParams {
        phone_numbers: Nullable::Value(vec!["+12025550123".to_owned()]),
        ..Default::default()
    };
    let updated = api
        .webhook_subscriptions()
        .update(SUBSCRIPTION_ID, &good)
        .await;
    assert!(
        updated.is_ok(),
        "the valid twin must be accepted: {updated:?}"
    );
}

#[tokio::test]
#[ignore = "contract test: needs the Prism mock server; run `cargo xtask contract`"]
async fn a_missing_required_field_is_rejected() {
    let http = reqwest::Client::new();
    let url = format!("{}/v3/webhook-subscriptions", base_url());
    let send = |body: Value| {
        http.post(&url)
            .bearer_auth(TOKEN)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
    };

    let response = send(json!({"subscribed_events": ["message.sent"]}))
        .await
        .expect("Prism answers");
    assert_eq!(response.status().as_u16(), 400);
    let report = violations(Some(response.headers()));
    assert!(
        report
            .iter()
            .any(|v| v["location"] == json!(["request", "body"])
                && v["code"] == "required"
                && v["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("target_url"))),
        "no report of the missing `target_url`: {report:#?}"
    );

    let response = send(json!({
        "subscribed_events": ["message.sent"],
        "target_url": "https://webhooks.example.com/linq/events",
    }))
    .await
    .expect("Prism answers");
    assert_eq!(
        response.status().as_u16(),
        201,
        "the valid twin must be accepted"
    );
    assert!(violations(Some(response.headers())).is_empty());
}

#[tokio::test]
#[ignore = "contract test: needs the Prism mock server; run `cargo xtask contract`"]
async fn a_request_without_credentials_is_rejected() {
    let url = format!("{}/v3/webhook-events", base_url());
    let response = reqwest::get(&url).await.expect("Prism answers");
    assert_eq!(response.status().as_u16(), 401);
    let report = violations(Some(response.headers()));
    assert!(
        report.iter().any(|v| v["code"] == 401),
        "no report of the missing credentials: {report:#?}"
    );
}
