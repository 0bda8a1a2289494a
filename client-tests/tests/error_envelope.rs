//! The code and message of an API error, read over HTTP from a local server where the
//! generated crate's settings say they are: Linq's crate reads them where its spec's
//! error schema puts them (`error.code`, a number); the paging fixture's crate, whose
//! spec has no error schema, guesses the common shapes, which covers Stripe's envelope
//! (`error.code` is a string there).

mod support;

use std::time::Duration;

use support::server::{Reply, Server};

const KEY: &str = "sk-envelope-test";

#[tokio::test]
async fn a_linq_like_envelope_gives_a_numeric_code_and_its_message() {
    let body = r#"{"error":{"status":404,"code":2001,"message":"Chat not found"},"success":false}"#;
    let server = Server::start(vec![Reply::json(404, body)]).await;
    let client = linq_api::Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .expect("client");
    let err = client
        .chats()
        .retrieve("chat_1")
        .await
        .expect_err("a 404 is an error");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some(2001));
    assert_eq!(err.code_text(), None);
    assert_eq!(err.message(), Some("Chat not found"));
    assert_eq!(err.to_string(), "404 Not Found: Chat not found");
    let typed = err.error_body().expect("the body is the spec's error type");
    assert_eq!(typed.error.code, 2001);
}

#[tokio::test]
async fn a_linq_client_reads_no_code_outside_its_schema() {
    // The schema puts the code under `error`: a top-level one is not read as the API's.
    let body = r#"{"code":7,"message":"elsewhere"}"#;
    let server = Server::start(vec![Reply::json(400, body)]).await;
    let client = linq_api::Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .expect("client");
    let err = client.chats().retrieve("chat_1").await.expect_err("a 400");
    assert_eq!(
        (err.code(), err.code_text(), err.message()),
        (None, None, None)
    );
    assert_eq!(err.body_json().and_then(|b| b.get("code")), Some(&7.into()));
}

#[tokio::test]
async fn a_stripe_like_envelope_gives_a_text_code_and_its_message() {
    let body = r#"{"error":{"code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds.","type":"card_error"}}"#;
    let server = Server::start(vec![Reply::json(402, body)]).await;
    let client = paging_api::Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(5))
        .max_retries(0)
        .build()
        .expect("client");
    let err = client
        .items()
        .retrieve("it_1")
        .await
        .expect_err("a 402 is an error");
    assert_eq!(err.status(), Some(402));
    assert_eq!(err.code(), None);
    assert_eq!(err.code_text(), Some("card_declined"));
    assert_eq!(err.message(), Some("Your card has insufficient funds."));
    assert_eq!(
        err.to_string(),
        "402 Payment Required: Your card has insufficient funds."
    );
}
