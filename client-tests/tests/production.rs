//! Production features of the client against a scripted server on 127.0.0.1:
//! idempotency keys across retries, `retry_non_idempotent(false)`, middlewares, a
//! caller's own `reqwest::Client`, custom requests, per-request query and body fields,
//! request ids from error bodies, and the environment's headers and log level.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use linq_api::types::WebhookSubscriptionUpdateParams;
use linq_api::types::{WebhookEventType, WebhookSubscriptionCreateParams};
use linq_api::{BoxFuture, Client, Error, ErrorKind, Method, Middleware, Next, RequestOptions};
use serde_json::{Value, json};
use support::server::{Reply, Server, refused_base_url};
use support::{KEY, builder, envelope, shared, subscription, within};

const LIMIT: Duration = Duration::from_secs(15);
const HEADER: &str = "idempotency-key";

fn create_params() -> WebhookSubscriptionCreateParams {
    WebhookSubscriptionCreateParams {
        subscribed_events: vec![WebhookEventType::MessageSent],
        target_url: "https://example.com/hooks".into(),
        phone_numbers: None,
    }
}

/// A `WebhookSubscriptionCreateResponse`.
fn created(id: &str) -> String {
    let mut body = subscription(id);
    body.truncate(body.trim_end().len() - 1);
    body.push_str(r#","signing_secret":"whsec_test"}"#);
    body
}

/// A 500 the client retries at once.
fn busy() -> Reply {
    Reply::json(500, &envelope(500, 3006, "busy")).header("retry-after-ms", "1")
}

/// The idempotency header of every request the server received.
fn keys(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|request| request.header(HEADER).unwrap_or("<none>").to_owned())
        .collect()
}

fn assert_uuid_v4(key: &str) {
    let groups: Vec<&str> = key.split('-').collect();
    assert_eq!(
        groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12],
        "{key}"
    );
    assert!(
        groups[2].starts_with('4') && "89ab".contains(&groups[3][..1]),
        "{key}"
    );
}

// ---------------------------------------------------------------- idempotency keys

/// A 500 then a 202: both attempts carry the same made-up key.
#[tokio::test]
async fn a_retried_send_carries_one_key() {
    let _suite = shared().await;
    let server = Server::start(vec![busy(), Reply::json(202, &created("sub_1"))]).await;
    let client = builder(&server.base_url())
        .idempotency_header("Idempotency-Key")
        .build()
        .unwrap();
    let response = within(
        LIMIT,
        client
            .webhook_subscriptions()
            .create_with_response(&create_params()),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 202);
    let keys = keys(&server);
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    assert_uuid_v4(&keys[0]);
}

/// The connection is cut after the server read the request: the retry carries the
/// same key, so the server can tell it is the same send.
#[tokio::test]
async fn a_send_cut_after_the_request_was_read_is_retried_with_the_same_key() {
    let _suite = shared().await;
    let server = Server::start(vec![
        Reply::CloseWithoutResponse,
        Reply::json(202, &created("sub_1")),
    ])
    .await;
    let client = builder(&server.base_url())
        .idempotency_header("Idempotency-Key")
        .build()
        .unwrap();
    within(
        LIMIT,
        client.webhook_subscriptions().create(&create_params()),
    )
    .await
    .unwrap();
    let keys = keys(&server);
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    assert_uuid_v4(&keys[0]);
}

/// Two calls are two sends: two keys. GET, PUT and DELETE get none.
#[tokio::test]
async fn separate_calls_carry_different_keys() {
    let _suite = shared().await;
    let server = Server::start(vec![Reply::json(200, &created("sub_1"))]).await;
    let client = builder(&server.base_url())
        .idempotency_header("Idempotency-Key")
        .build()
        .unwrap();
    let subscriptions = client.webhook_subscriptions();
    within(LIMIT, subscriptions.create(&create_params()))
        .await
        .unwrap();
    within(LIMIT, subscriptions.create(&create_params()))
        .await
        .unwrap();
    within(LIMIT, subscriptions.retrieve("sub_1"))
        .await
        .unwrap();
    let keys = keys(&server);
    assert_ne!(keys[0], keys[1]);
    assert_uuid_v4(&keys[1]);
    assert_eq!(keys[2], "<none>");
}

/// A caller's key, given as an option or as the header itself, is sent unchanged on
/// every attempt.
#[tokio::test]
async fn a_callers_key_is_never_replaced() {
    let _suite = shared().await;
    for options in [
        RequestOptions::new().idempotency_key("order-42"),
        RequestOptions::new().header("Idempotency-Key", "order-42"),
    ] {
        let server = Server::start(vec![busy(), Reply::json(202, &created("sub_1"))]).await;
        let client = builder(&server.base_url())
            .idempotency_header("Idempotency-Key")
            .build()
            .unwrap();
        within(
            LIMIT,
            client
                .webhook_subscriptions()
                .with_options(options)
                .create(&create_params()),
        )
        .await
        .unwrap();
        assert_eq!(keys(&server), ["order-42", "order-42"]);
    }
}

/// A body-field mechanism (as an API that takes the key in the message body): the
/// field is filled in once and the same body goes out on each attempt; a key the
/// caller put in the body stays.
#[tokio::test]
async fn a_body_field_key_is_the_same_on_every_attempt() {
    let _suite = shared().await;
    let server = Server::start(vec![busy(), Reply::json(202, r#"{"ok":true}"#)]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let send = |body: Value| {
        client
            .request(Method::POST, "/v3/chats/{chat_id}/messages")
            .path_param("chat_1")
            .idempotency_body_field("/message/idempotency_key")
            .json(&body)
            .send::<Value>()
    };
    let answer = within(LIMIT, send(json!({"message": {"text": "hi"}})))
        .await
        .unwrap();
    assert_eq!(answer, json!({"ok": true}));
    let bodies: Vec<Value> = server
        .requests()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[0]["message"]["text"], "hi");
    assert_uuid_v4(bodies[0]["message"]["idempotency_key"].as_str().unwrap());

    within(
        LIMIT,
        send(json!({"message": {"text": "hi", "idempotency_key": "mine"}})),
    )
    .await
    .unwrap();
    let last: Value = serde_json::from_slice(&server.requests()[2].body).unwrap();
    assert_eq!(last["message"]["idempotency_key"], "mine");
}

/// The API's own message send (its config declares `/message/idempotency_key`): a 500
/// then a 202 carry one made-up key in the body; the next send gets another key; a key
/// the caller wrote into the message is sent as is.
#[tokio::test]
async fn a_retried_message_send_carries_one_body_key() {
    let _suite = shared().await;
    const ACCEPTED: &str = r#"{"chat_id":"chat_1","message":{"id":"m_1",
        "created_at":"2026-02-05T20:01:00Z","sent_at":null,"delivered_at":null,
        "delivery_status":"pending","is_read":false,"service":"iMessage",
        "preferred_service":null,"effect":null,"reply_to":null,
        "parts":[{"type":"text","value":"See you at 3pm.","reactions":null}]}}"#;
    let server = Server::start(vec![busy(), Reply::json(202, ACCEPTED)]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let send = |key: Option<&str>| {
        let mut message = json!({"parts": [{"type": "text", "value": "See you at 3pm."}]});
        if let Some(key) = key {
            message["idempotency_key"] = json!(key);
        }
        let params: linq_api::types::MessageSendParams =
            serde_json::from_value(json!({ "message": message })).unwrap();
        let client = client.clone();
        async move { client.chats().messages().send("chat_1", &params).await }
    };
    let sent = within(LIMIT, send(None)).await.unwrap();
    assert_eq!(sent.message.id, "m_1");
    within(LIMIT, send(None)).await.unwrap();
    within(LIMIT, send(Some("order-1042"))).await.unwrap();

    let keys: Vec<String> = server
        .requests()
        .iter()
        .map(|request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(body["message"]["parts"][0]["value"], "See you at 3pm.");
            body["message"]["idempotency_key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        keys.len(),
        4,
        "a 500, its retry, a second send, a third send"
    );
    assert_eq!(keys[0], keys[1], "one key for both attempts of the call");
    assert_uuid_v4(&keys[0]);
    assert_ne!(keys[2], keys[0], "another call, another key");
    assert_uuid_v4(&keys[2]);
    assert_eq!(keys[3], "order-1042");
}

// ---------------------------------------------------------------- retry_non_idempotent

/// With `retry_non_idempotent(false)`, a POST without a key is not retried after a 500
/// or a connection cut after sending, but is after a 429; PUT keeps its retries, and a
/// POST with a key is retried normally.
#[tokio::test]
async fn retry_non_idempotent_false_retries_only_what_was_not_processed() {
    let _suite = shared().await;
    let careful = |server: &Server| {
        builder(&server.base_url())
            .retry_non_idempotent(false)
            .build()
            .unwrap()
    };
    for first in [busy(), Reply::CloseWithoutResponse] {
        let server = Server::start(vec![first, Reply::json(202, &created("sub_1"))]).await;
        let err = within(
            LIMIT,
            careful(&server)
                .webhook_subscriptions()
                .create(&create_params()),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(
                err.kind(),
                ErrorKind::InternalServer | ErrorKind::Connection
            ),
            "{err:?}"
        );
        assert_eq!(server.attempts(), 1);
    }

    let rate_limited =
        Reply::json(429, &envelope(429, 1, "slow down")).header("retry-after-ms", "1");
    let server = Server::start(vec![rate_limited, Reply::json(202, &created("sub_1"))]).await;
    within(
        LIMIT,
        careful(&server)
            .webhook_subscriptions()
            .create(&create_params()),
    )
    .await
    .unwrap();
    assert_eq!(server.attempts(), 2);

    let server = Server::start(vec![busy(), Reply::json(200, &subscription("sub_1"))]).await;
    within(
        LIMIT,
        careful(&server)
            .webhook_subscriptions()
            .update("sub_1", &WebhookSubscriptionUpdateParams::default()),
    )
    .await
    .unwrap();
    assert_eq!(server.attempts(), 2, "PUT is idempotent");

    let server = Server::start(vec![busy(), Reply::json(202, &created("sub_1"))]).await;
    within(
        LIMIT,
        careful(&server)
            .webhook_subscriptions()
            .with_options(RequestOptions::new().idempotency_key("k-1"))
            .create(&create_params()),
    )
    .await
    .unwrap_err();
    assert_eq!(
        server.attempts(),
        1,
        "no idempotency mechanism: the key alone is not sent"
    );

    let server = Server::start(vec![busy(), Reply::json(202, &created("sub_1"))]).await;
    let client = builder(&server.base_url())
        .retry_non_idempotent(false)
        .idempotency_header("Idempotency-Key")
        .build()
        .unwrap();
    within(
        LIMIT,
        client.webhook_subscriptions().create(&create_params()),
    )
    .await
    .unwrap();
    assert_eq!(server.attempts(), 2, "a POST with a key is retried");

    // The per-request option turns it back on.
    let server = Server::start(vec![busy(), Reply::json(202, &created("sub_1"))]).await;
    within(
        LIMIT,
        careful(&server)
            .webhook_subscriptions()
            .with_options(RequestOptions::new().retry_non_idempotent(true))
            .create(&create_params()),
    )
    .await
    .unwrap();
    assert_eq!(server.attempts(), 2);
}

/// A connection refused (nothing sent) is retried even under
/// `retry_non_idempotent(false)`.
#[tokio::test(flavor = "current_thread")]
async fn a_refused_connection_is_retried_under_retry_non_idempotent_false() {
    let _suite = shared().await;
    // Attempts are counted by a middleware rather than from trace events: a
    // thread-scoped tracing subscriber can miss events while other tests run.
    let attempts = Arc::new(AtomicUsize::new(0));
    let client = builder(&refused_base_url().await)
        .retry_non_idempotent(false)
        .max_retries(1)
        .middleware(CountAttempts(Arc::clone(&attempts)))
        .build()
        .unwrap();
    let err = within(
        LIMIT,
        client.webhook_subscriptions().create(&create_params()),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection);
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
}

// ---------------------------------------------------------------- middleware

/// Counts the attempts it sees.
struct CountAttempts(Arc<AtomicUsize>);

impl Middleware for CountAttempts {
    fn handle<'a>(
        &'a self,
        request: reqwest::Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<reqwest::Response, Error>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        next.run(request)
    }
}

/// Adds `x-mw: <name>` (after any earlier one) and records its name when it runs.
struct Inject(&'static str, Arc<Mutex<Vec<&'static str>>>);

impl Middleware for Inject {
    fn handle<'a>(
        &'a self,
        mut request: reqwest::Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<reqwest::Response, Error>> {
        Box::pin(async move {
            self.1.lock().unwrap().push(self.0);
            request
                .headers_mut()
                .append("x-mw", self.0.parse().expect("a header value"));
            let response = next.run(request).await?;
            self.1.lock().unwrap().push(self.0);
            Ok(response)
        })
    }
}

#[tokio::test]
async fn middlewares_see_every_attempt_in_order() {
    let _suite = shared().await;
    let server = Server::start(vec![busy(), Reply::json(200, &subscription("sub_1"))]).await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let order = Arc::new(Mutex::new(Vec::new()));
    let client = builder(&server.base_url())
        .middleware(CountAttempts(Arc::clone(&attempts)))
        .middleware(Inject("outer", Arc::clone(&order)))
        .middleware(Inject("inner", Arc::clone(&order)))
        .build()
        .unwrap();
    within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(
        *order.lock().unwrap(),
        [
            "outer", "inner", "inner", "outer", "outer", "inner", "inner", "outer"
        ]
    );
    for request in server.requests() {
        let values: Vec<&str> = request
            .headers
            .iter()
            .filter(|(name, _)| name == "x-mw")
            .map(|(_, value)| value.as_str())
            .collect();
        assert_eq!(values, ["outer", "inner"]);
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
    }
}

/// A middleware can answer by itself (a test double): nothing reaches the network.
struct Canned;

impl Middleware for Canned {
    fn handle<'a>(
        &'a self,
        _request: reqwest::Request,
        _next: Next<'a>,
    ) -> BoxFuture<'a, Result<reqwest::Response, Error>> {
        Box::pin(async move {
            let response = http::Response::builder()
                .status(200)
                .body(subscription("canned"))
                .expect("a response");
            Ok(reqwest::Response::from(response))
        })
    }
}

#[tokio::test]
async fn a_middleware_can_answer_alone() {
    let _suite = shared().await;
    let client = builder(&refused_base_url().await)
        .middleware(Canned)
        .build()
        .unwrap();
    let found = within(LIMIT, client.webhook_subscriptions().retrieve("x"))
        .await
        .unwrap();
    assert_eq!(found.id, "canned");
}

// ---------------------------------------------------------------- own HTTP client

#[tokio::test]
async fn a_callers_http_client_is_used_with_auth_and_user_agent() {
    let _suite = shared().await;
    let server = Server::start(vec![busy(), Reply::json(200, &subscription("sub_1"))]).await;
    let mut defaults = reqwest::header::HeaderMap::new();
    defaults.insert("x-own-client", "yes".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(defaults)
        .redirect(linq_api::redirect_policy())
        .build()
        .unwrap();
    let client = builder(&server.base_url())
        .http_client(http)
        .default_header("x-default", "1")
        .build()
        .unwrap();
    within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "retries still apply");
    for request in requests {
        assert_eq!(request.header("x-own-client"), Some("yes"));
        assert_eq!(request.header("x-default"), Some("1"));
        assert!(
            request
                .header("user-agent")
                .unwrap()
                .starts_with("linq-api-rust/")
        );
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
    }
}

// ---------------------------------------------------------------- escape hatches

#[tokio::test]
async fn custom_requests_use_the_clients_machinery() {
    let _suite = shared().await;
    let server = Server::start(vec![
        busy(),
        Reply::json(200, r#"{"left":true}"#),
        Reply::json(204, ""),
        Reply::json(
            404,
            r#"{"error":{"status":404,"code":1,"message":"gone"},"trace_id":"tr-9"}"#,
        ),
    ])
    .await;
    let client = builder(&server.base_url()).build().unwrap();

    #[derive(serde::Deserialize)]
    struct Left {
        left: bool,
    }
    let left: Left = within(
        LIMIT,
        client
            .request(Method::POST, "/v3/chats/{chat_id}/leave")
            .path_param("a/b")
            .query(&json!({"notify": true, "tags": ["x", "y"], "skip": null}))
            .json(&json!({"reason": "done"}))
            .send(),
    )
    .await
    .unwrap();
    assert!(left.left);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "retried like a generated call");
    assert_eq!(
        requests[1].target,
        "/api/partner/v3/chats/a%2Fb/leave?notify=true&tags=x&tags=y"
    );
    assert_eq!(requests[1].body, br#"{"reason":"done"}"#);
    assert_eq!(
        requests[1].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );

    within(
        LIMIT,
        client
            .request(Method::DELETE, "/v3/chats/{chat_id}")
            .path_param("c1")
            .send::<()>(),
    )
    .await
    .unwrap();

    let err = within(LIMIT, client.request(Method::GET, "/v3/x").send::<Value>())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.request_id(), Some("tr-9"), "from the body's trace_id");

    for bad in [".", "..", ""] {
        let err = within(
            LIMIT,
            client
                .request(Method::GET, "/v3/chats/{chat_id}")
                .path_param(bad)
                .send::<Value>(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{bad:?}");
    }
    assert_eq!(server.attempts(), 4, "refused parameters send nothing");
}

/// A download handed back unread: retried up to the response head, then read piece
/// by piece, past the maximum body size (which bounds only bodies read whole).
#[tokio::test]
async fn a_streamed_download_is_read_in_pieces() {
    let _suite = shared().await;
    let file: String = (0..(3 << 20))
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let server = Server::start(vec![
        busy(),
        Reply::raw(200, "application/octet-stream", &file).header("x-request-id", "dl-1"),
    ])
    .await;
    let client = builder(&server.base_url())
        .max_body_size(1 << 20)
        .build()
        .unwrap();
    let mut download = within(
        LIMIT,
        client
            .request(Method::GET, "/v3/attachments/{id}/download")
            .path_param("att_1")
            .send_stream(),
    )
    .await
    .unwrap();
    assert_eq!(
        (download.status(), download.request_id()),
        (200, Some("dl-1"))
    );
    let mut received = Vec::new();
    let mut pieces = 0;
    while let Some(piece) = within(LIMIT, download.chunk()).await.unwrap() {
        received.extend_from_slice(&piece);
        pieces += 1;
    }
    assert!(pieces > 1, "{pieces}");
    assert_eq!(received, file.as_bytes());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("accept"), Some("*/*"));
}

#[tokio::test]
async fn options_add_query_parameters_and_body_fields() {
    let _suite = shared().await;
    let server = Server::start(vec![Reply::json(200, &subscription("sub_1"))]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let params = WebhookSubscriptionUpdateParams {
        is_active: Some(true),
        ..Default::default()
    };
    within(
        LIMIT,
        client
            .webhook_subscriptions()
            .with_options(
                RequestOptions::new()
                    .query(&json!({"beta": "yes"}))
                    .extra_body(&json!({"is_active": false, "note": "x"})),
            )
            .update("sub_1", &params),
    )
    .await
    .unwrap();
    let request = &server.requests()[0];
    assert_eq!(
        request.target,
        "/api/partner/v3/webhook-subscriptions/sub_1?beta=yes"
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body, json!({"is_active": false, "note": "x"}));

    let err = within(
        LIMIT,
        client
            .webhook_subscriptions()
            .with_options(RequestOptions::new().extra_body(&"not an object"))
            .update("sub_1", &params),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    assert_eq!(server.attempts(), 1);
}

// ---------------------------------------------------------------- environment

/// Runs only as a child of `environment_headers_and_log_level` (which sets the
/// variables for it alone): the environment is process-wide, tests are threads.
#[tokio::test]
#[ignore = "run by environment_headers_and_log_level in a child process"]
async fn environment_child() {
    if std::env::var("LINQ_API_V3_CUSTOM_HEADERS").is_err() {
        return;
    }
    let server = Server::start(vec![busy(), Reply::json(200, &subscription("sub_1"))]).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .unwrap();
    within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    let request = &server.requests()[1];
    assert_eq!(request.header("x-team"), Some("billing"));
    assert_eq!(request.header("x-env"), Some("a: b"));
}

#[test]
fn environment_headers_and_log_level() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["environment_child", "--exact", "--ignored", "--nocapture"])
        .env(
            "LINQ_API_V3_CUSTOM_HEADERS",
            "x-team: billing\nx-env: a: b\n",
        )
        .env("LINQ_API_V3_LOG", "debug")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    let log = |part: &str| stderr.lines().any(|line| line.contains(part));
    assert!(
        log(
            "Warn: GET /v3/webhook-subscriptions/{subscriptionId}: 500 Internal Server Error, retrying"
        ),
        "{stderr}"
    );
    assert!(
        log("Info: GET /v3/webhook-subscriptions/{subscriptionId}: 200 OK"),
        "{stderr}"
    );
    assert!(!stderr.contains(KEY), "{stderr}");
}
