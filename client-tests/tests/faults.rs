//! Fault-injection tests of the client against a scripted server on 127.0.0.1:
//! retries, retry-after handling, timeouts, broken connections, undecodable bodies,
//! concurrency and resource use. They use only the public API of the crate.
//!
//! Delays are checked twice: the delay the client computed (from its `retrying` trace
//! event) and the time the server saw between attempts (at least that delay).

mod support;

use std::time::{Duration, Instant};

use linq_api::types::{WebhookEventType, WebhookSubscriptionUpdateParams};
use linq_api::{ErrorKind, Nullable, RequestOptions};
use support::server::{Reply, Server, refused_base_url};
use support::trace::Capture;
use support::{
    KEY, builder, envelope, exclusive, http_date_in, live_connections, open_sockets, shared,
    subscription, within,
};

/// Upper bound for one test's client calls.
const LIMIT: Duration = Duration::from_secs(10);
/// Scheduling slack allowed on top of a computed delay.
const SLACK: Duration = Duration::from_millis(750);

/// The computed delay for retry `retry` lies in the jittered backoff window.
fn assert_backoff(delay_ms: u64, retry: u32) {
    let base = 500u64 << retry;
    assert!(
        delay_ms >= base * 3 / 4 && delay_ms <= base,
        "delay {delay_ms} ms outside the backoff window for retry {retry} ({}..={base} ms)",
        base * 3 / 4
    );
}

/// The server saw each computed delay between consecutive attempts.
fn assert_waited(server: &Server, delays_ms: &[u64]) {
    let gaps = server.gaps();
    assert_eq!(
        gaps.len(),
        delays_ms.len(),
        "gaps {gaps:?} vs delays {delays_ms:?}"
    );
    for (gap, delay) in gaps.iter().zip(delays_ms) {
        let delay = Duration::from_millis(*delay);
        assert!(
            *gap >= delay,
            "retried after {gap:?}, before the delay {delay:?}"
        );
        assert!(
            *gap <= delay + SLACK,
            "retried after {gap:?}, long after the delay {delay:?}"
        );
    }
}

fn ok_reply() -> Reply {
    Reply::json(200, &subscription("sub_1"))
}

// ---------------------------------------------------------------- retries on status

#[tokio::test]
async fn a_503_is_retried_after_backoff_then_succeeds() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let server = Server::start(vec![
        Reply::json(503, &envelope(503, 3006, "busy")),
        ok_reply(),
    ])
    .await;
    let client = builder(&server.base_url()).build().unwrap();

    let subscription = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();

    assert_eq!(subscription.id, "sub_1");
    assert_eq!(
        subscription.subscribed_events,
        [
            WebhookEventType::MessageSent,
            WebhookEventType::Unknown("call.transferred".into())
        ]
    );
    assert!(subscription.phone_numbers.is_null());
    assert_eq!(server.attempts(), 2);
    let delays = trace.retry_delays_ms();
    assert_eq!(delays.len(), 1);
    assert_backoff(delays[0], 0);
    assert_waited(&server, &delays);
}

#[tokio::test]
async fn persistent_500_gives_up_after_three_attempts_keeping_the_response() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let body = envelope(500, 3006, "Internal server error");
    let server = Server::start(vec![
        Reply::json(500, &body).header("x-request-id", "req_500"),
    ])
    .await;
    let client = builder(&server.base_url()).build().unwrap();

    let err = within(
        LIMIT,
        client
            .webhook_subscriptions()
            .update("sub_1", &WebhookSubscriptionUpdateParams::default()),
    )
    .await
    .unwrap_err();

    assert_eq!(server.attempts(), 3);
    assert_eq!(err.kind(), ErrorKind::InternalServer);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.code(), Some(3006));
    assert_eq!(err.message(), Some("Internal server error"));
    assert_eq!(err.body(), Some(body.as_bytes()));
    assert_eq!(err.request_id(), Some("req_500"));
    assert_eq!(
        err.to_string(),
        "500 Internal Server Error: Internal server error"
    );
    let delays = trace.retry_delays_ms();
    assert_eq!(delays.len(), 2);
    assert_backoff(delays[0], 0);
    assert_backoff(delays[1], 1);
    assert_waited(&server, &delays);
}

#[tokio::test]
async fn retries_408_and_409() {
    let _suite = shared().await;
    for status in [408, 409] {
        let server = Server::start(vec![
            Reply::json(status, &envelope(status, 1, "try again")).header("retry-after-ms", "1"),
            ok_reply(),
        ])
        .await;
        let client = builder(&server.base_url()).build().unwrap();
        within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
            .await
            .unwrap();
        assert_eq!(server.attempts(), 2, "status {status}");
    }
}

#[tokio::test]
async fn other_4xx_fail_at_once_with_their_kind() {
    let _suite = shared().await;
    let cases = [
        (400, 1002, ErrorKind::BadRequest),
        (401, 2004, ErrorKind::Authentication),
        (403, 2005, ErrorKind::PermissionDenied),
        (404, 2001, ErrorKind::NotFound),
        (422, 1003, ErrorKind::UnprocessableEntity),
        (418, 9999, ErrorKind::ApiStatus),
    ];
    for (status, code, kind) in cases {
        let server =
            Server::start(vec![Reply::json(status, &envelope(status, code, "nope"))]).await;
        let client = builder(&server.base_url()).build().unwrap();
        let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
            .await
            .unwrap_err();
        assert_eq!(server.attempts(), 1, "status {status}");
        assert_eq!(
            (err.kind(), err.status(), err.code()),
            (kind, Some(status), Some(code))
        );
        assert!(err.to_string().starts_with(&format!("{status} ")), "{err}");
        assert!(err.to_string().ends_with(": nope"), "{err}");
    }
}

#[tokio::test]
async fn x_should_retry_true_retries_a_400() {
    let _suite = shared().await;
    let server = Server::start(vec![
        Reply::json(400, &envelope(400, 1002, "bad"))
            .header("x-should-retry", "true")
            .header("retry-after-ms", "1"),
        ok_reply(),
    ])
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    assert_eq!(server.attempts(), 2);
}

#[tokio::test]
async fn x_should_retry_false_stops_a_503() {
    let _suite = shared().await;
    let server = Server::start(vec![
        Reply::json(503, &envelope(503, 3006, "down")).header("x-should-retry", "false"),
        ok_reply(),
    ])
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InternalServer);
    assert_eq!(server.attempts(), 1);
}

#[tokio::test]
async fn max_retries_zero_makes_one_attempt() {
    let _suite = shared().await;
    let failing = || {
        vec![
            Reply::json(503, &envelope(503, 3006, "down")).header("retry-after-ms", "1"),
            ok_reply(),
        ]
    };

    // On the client.
    let server = Server::start(failing()).await;
    let client = builder(&server.base_url()).max_retries(0).build().unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().list())
        .await
        .unwrap_err();
    assert_eq!((err.status(), server.attempts()), (Some(503), 1));

    // Per request, on a client with the default of 2.
    let server = Server::start(failing()).await;
    let client = builder(&server.base_url()).build().unwrap();
    let once = client
        .webhook_subscriptions()
        .with_options(RequestOptions::new().max_retries(0));
    let err = within(LIMIT, once.list()).await.unwrap_err();
    assert_eq!((err.status(), server.attempts()), (Some(503), 1));

    // Per request, raising a client's 0.
    let server = Server::start(failing()).await;
    let client = builder(&server.base_url()).max_retries(0).build().unwrap();
    let twice = client
        .webhook_subscriptions()
        .with_options(RequestOptions::new().max_retries(1));
    within(LIMIT, twice.retrieve("sub_1")).await.unwrap();
    assert_eq!(server.attempts(), 2);
}

// ---------------------------------------------------------------- retry-after

/// One 429 with `header`, then success; returns the computed delay and the server.
async fn after_429(trace: &Capture, header: (&str, &str)) -> (u64, Server) {
    let server = Server::start(vec![
        Reply::json(429, &envelope(429, 4000, "slow down")).header(header.0, header.1),
        ok_reply(),
    ])
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    assert_eq!(server.attempts(), 2);
    let delays = trace.retry_delays_ms();
    assert_eq!(delays.len(), 1, "{header:?}");
    assert_waited(&server, &delays);
    (delays[0], server)
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let (delay, _) = after_429(&trace, ("retry-after-ms", "120")).await;
    assert_eq!(delay, 120);
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let (delay, _) = after_429(&trace, ("retry-after", "1")).await;
    assert_eq!(delay, 1000);
}

#[tokio::test]
async fn fractional_retry_after_is_honoured() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let (delay, _) = after_429(&trace, ("retry-after", "0.2")).await;
    assert_eq!(delay, 200);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let date = http_date_in(2);
    let (delay, _) = after_429(&trace, ("retry-after", &date)).await;
    // Two seconds ahead at whole-second precision: between 1 and 2 s from when it was
    // written; well above the 500 ms the first backoff can reach.
    assert!(delay > 600 && delay <= 2000, "{delay} ms for {date}");
}

#[tokio::test]
async fn unreasonable_retry_after_falls_back_to_backoff() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let hints = [
        ("retry-after", "600"),
        ("retry-after", "soon"),
        ("retry-after", "-3"),
        ("retry-after-ms", "600000"),
    ];
    let mut servers = Vec::new();
    for hint in hints {
        servers.push(
            Server::start(vec![
                Reply::json(429, &envelope(429, 4000, "slow down")).header(hint.0, hint.1),
                ok_reply(),
            ])
            .await,
        );
    }
    let clients: Vec<_> = servers
        .iter()
        .map(|s| builder(&s.base_url()).build().unwrap())
        .collect();
    let handles: Vec<_> = clients.iter().map(|c| c.webhook_subscriptions()).collect();
    // Concurrently, so the four backoffs cost one; a 600 s wait would hit the limit.
    let results = within(LIMIT, async {
        let (a, b, c, d) = tokio::join!(
            handles[0].retrieve("sub_1"),
            handles[1].retrieve("sub_1"),
            handles[2].retrieve("sub_1"),
            handles[3].retrieve("sub_1"),
        );
        [a, b, c, d]
    })
    .await;
    for result in results {
        result.unwrap();
    }
    let delays = trace.retry_delays_ms();
    assert_eq!(delays.len(), 4);
    for delay in delays {
        assert_backoff(delay, 0);
    }
    for server in &servers {
        assert_eq!(server.attempts(), 2);
        let gap = server.gaps()[0];
        assert!(
            gap >= Duration::from_millis(375) && gap <= Duration::from_millis(500) + SLACK,
            "{gap:?}"
        );
    }
}

// ---------------------------------------------------------------- transport failures

#[tokio::test]
async fn connection_refused_is_a_retried_connection_error() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let client = builder(&refused_base_url().await)
        .max_retries(1)
        .build()
        .unwrap();
    let started = Instant::now();

    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();

    assert_eq!(err.kind(), ErrorKind::Connection);
    assert_eq!(err.status(), None);
    assert!(err.to_string().starts_with("connection error"), "{err}");
    assert!(err.to_string().to_lowercase().contains("refused"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    let delays = trace.retry_delays_ms();
    assert_eq!(delays.len(), 1);
    assert_backoff(delays[0], 0);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connections_closed_early_are_retried() {
    let _suite = shared().await;
    let server = Server::start(vec![
        Reply::CloseWithoutResponse,
        Reply::CloseMidBody,
        ok_reply(),
    ])
    .await;
    let client = builder(&server.base_url()).build().unwrap();
    let subscription = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    assert_eq!(subscription.id, "sub_1");
    assert_eq!(server.attempts(), 3);
}

#[tokio::test]
async fn a_connection_closed_mid_body_every_time_is_a_connection_error() {
    let _suite = shared().await;
    let server = Server::start(vec![Reply::CloseMidBody]).await;
    let client = builder(&server.base_url()).max_retries(1).build().unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err:?}");
    assert_eq!(server.attempts(), 2);
}

#[tokio::test]
async fn a_slow_server_times_out_after_the_retries() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let server = Server::start(vec![ok_reply().after(Duration::from_secs(5))]).await;
    let client = builder(&server.base_url())
        .timeout(Duration::from_millis(200))
        .max_retries(1)
        .build()
        .unwrap();
    let started = Instant::now();

    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();

    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.to_string().starts_with("request timed out"), "{err}");
    assert_eq!(server.attempts(), 2);
    let delays = trace.retry_delays_ms();
    assert_backoff(delays[0], 0);
    // Two 200 ms attempts and one backoff.
    let least = Duration::from_millis(400 + delays[0]);
    assert!(elapsed >= least && elapsed < least + SLACK, "{elapsed:?}");
}

#[tokio::test]
async fn a_per_request_timeout_overrides_the_client() {
    let _suite = shared().await;
    let server = Server::start(vec![ok_reply().after(Duration::from_secs(5))]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let options = RequestOptions::new()
        .timeout(Duration::from_millis(150))
        .max_retries(0);
    let started = Instant::now();
    let err = within(
        LIMIT,
        client
            .webhook_subscriptions()
            .with_options(options)
            .retrieve("sub_1"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.attempts(), 1);
}

#[tokio::test]
async fn a_body_that_stalls_times_out() {
    let _suite = shared().await;
    let server = Server::start(vec![Reply::StallMidBody]).await;
    let client = builder(&server.base_url())
        .timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

// ---------------------------------------------------------------- bodies

#[tokio::test]
async fn undecodable_2xx_bodies_are_decode_errors_keeping_the_body() {
    let _suite = shared().await;
    for body in [
        r#"{"id":"sub_1","created_at":"#,
        "not json",
        r#"{"unexpected":true}"#,
    ] {
        let server =
            Server::start(vec![Reply::json(200, body).header("x-request-id", "req_d")]).await;
        let client = builder(&server.base_url()).build().unwrap();
        let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode, "{body}");
        assert_eq!(err.status(), Some(200));
        assert_eq!(err.body(), Some(body.as_bytes()));
        assert_eq!(err.request_id(), Some("req_d"));
        assert_eq!(server.attempts(), 1, "decode errors are not retried");
    }
}

#[tokio::test]
async fn an_html_502_page_is_an_api_error_with_its_body() {
    let _suite = shared().await;
    let page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    let server = Server::start(vec![Reply::raw(502, "text/html", page)]).await;
    let client = builder(&server.base_url()).max_retries(0).build().unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().list())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InternalServer);
    assert_eq!(err.status(), Some(502));
    assert_eq!(err.body(), Some(page.as_bytes()));
    assert!(err.body_json().is_none());
    assert_eq!((err.code(), err.message()), (None, None));
    assert_eq!(err.to_string(), "502 Bad Gateway");
}

#[tokio::test]
async fn delete_accepts_204_without_a_body() {
    let _suite = shared().await;
    let server = Server::start(vec![Reply::raw(204, "text/plain", "")]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let handle = client.webhook_subscriptions();
    within(LIMIT, handle.delete("sub_1")).await.unwrap();
    let response = within(LIMIT, handle.delete_with_response("sub_2"))
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    let request = &server.requests()[0];
    assert_eq!(request.method, "DELETE");
    assert_eq!(
        request.target,
        "/api/partner/v3/webhook-subscriptions/sub_1"
    );
    assert_eq!(request.header("accept"), Some("*/*"));
    assert_eq!(request.header("content-type"), None);
    assert!(request.body.is_empty());
}

// ---------------------------------------------------------------- request shape

#[tokio::test]
async fn requests_carry_auth_headers_and_resend_the_same_body() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let server = Server::start(vec![
        Reply::json(500, &envelope(500, 3006, "oops")).header("retry-after-ms", "1"),
        ok_reply(),
    ])
    .await;
    let client = builder(&format!("{}/", server.base_url())).build().unwrap();
    let params = WebhookSubscriptionUpdateParams {
        is_active: Some(false),
        phone_numbers: Nullable::Null,
        ..Default::default()
    };

    within(
        LIMIT,
        client.webhook_subscriptions().update("a/b %2e", &params),
    )
    .await
    .unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method, "PUT");
        assert_eq!(
            request.target,
            "/api/partner/v3/webhook-subscriptions/a%2Fb%20%252e"
        );
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(request.header("content-type"), Some("application/json"));
        assert!(
            request
                .header("user-agent")
                .unwrap()
                .starts_with("linq-api-rust/")
        );
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"is_active": false, "phone_numbers": null})
        );
    }
    assert_eq!(requests[0].body, requests[1].body);

    // One span per call naming the operation by its template; one event per attempt.
    let spans: Vec<_> = trace
        .entries()
        .into_iter()
        .filter(|e| e.is_span && e.name == "api_request")
        .collect();
    assert_eq!(spans.len(), 1);
    assert_eq!(
        spans[0].fields.get("method").map(String::as_str),
        Some("PUT")
    );
    assert_eq!(
        spans[0].fields.get("path").map(String::as_str),
        Some("/v3/webhook-subscriptions/{subscriptionId}")
    );
    let failed = trace.events("error response");
    let succeeded = trace.events("response");
    assert_eq!((failed.len(), succeeded.len()), (1, 1));
    assert_eq!(
        (failed[0].number("attempt"), failed[0].number("status")),
        (Some(1), Some(500))
    );
    assert_eq!(
        (
            succeeded[0].number("attempt"),
            succeeded[0].number("status")
        ),
        (Some(2), Some(200))
    );
    assert!(succeeded[0].number("elapsed_ms").is_some());
}

#[tokio::test]
async fn absent_fields_are_left_out_of_the_body() {
    let _suite = shared().await;
    let server = Server::start(vec![ok_reply()]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let params = WebhookSubscriptionUpdateParams::default();
    within(
        LIMIT,
        client.webhook_subscriptions().update("sub_1", &params),
    )
    .await
    .unwrap();
    assert_eq!(server.requests()[0].body, b"{}");
}

#[tokio::test]
async fn default_and_per_request_headers_are_sent() {
    let _suite = shared().await;
    let server = Server::start(vec![ok_reply().header("x-request-id", "req_abc")]).await;
    let client = builder(&server.base_url())
        .default_header("x-team", "core")
        .build()
        .unwrap();
    let handle = client
        .webhook_subscriptions()
        .with_options(RequestOptions::new().header("x-trace", "t-1"));

    let response = within(LIMIT, handle.retrieve_with_response("sub_1"))
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req_abc"));
    assert_eq!(response.value().id, "sub_1");
    let request = &server.requests()[0];
    assert_eq!(request.header("x-team"), Some("core"));
    assert_eq!(request.header("x-trace"), Some("t-1"));
}

#[tokio::test]
async fn a_per_request_authorization_replaces_the_key() {
    let _suite = shared().await;
    let server = Server::start(vec![ok_reply()]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let options = RequestOptions::new().header("Authorization", "Bearer sk-other");
    within(
        LIMIT,
        client
            .webhook_subscriptions()
            .with_options(options)
            .retrieve("sub_1"),
    )
    .await
    .unwrap();
    let request = &server.requests()[0];
    let authorizations: Vec<_> = request
        .headers
        .iter()
        .filter(|(n, _)| n == "authorization")
        .collect();
    assert_eq!(authorizations.len(), 1);
    assert_eq!(request.header("authorization"), Some("Bearer sk-other"));
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    let _suite = shared().await;
    let server = Server::start(vec![ok_reply()]).await;
    let client = builder(&server.base_url()).build().unwrap();
    for id in [".", "..", ""] {
        let err = within(LIMIT, client.webhook_subscriptions().retrieve(id))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{id:?}");
    }
    assert_eq!(server.attempts(), 0);
}

#[tokio::test]
async fn clones_share_one_connection_pool() {
    let _suite = shared().await;
    let server = Server::start(vec![ok_reply()]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let clone = client.clone();
    within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    within(LIMIT, clone.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(
        requests[0].connection, requests[1].connection,
        "the connection was not reused"
    );
}

#[tokio::test]
async fn the_api_key_never_appears_in_errors_debug_or_traces() {
    let _suite = shared().await;
    let (trace, _guard) = Capture::install();
    let server = Server::start(vec![
        Reply::json(401, &envelope(401, 2004, "Missing or invalid token")),
        Reply::json(200, "{broken"),
        ok_reply().after(Duration::from_secs(5)),
    ])
    .await;
    let refused = refused_base_url().await;
    let client = builder(&server.base_url())
        .max_retries(0)
        .timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let handle = client.webhook_subscriptions();
    let mut errors = Vec::new();
    for _ in 0..3 {
        errors.push(within(LIMIT, handle.retrieve("sub_1")).await.unwrap_err());
    }
    let other = builder(&refused).max_retries(0).build().unwrap();
    errors.push(
        within(LIMIT, other.webhook_subscriptions().list())
            .await
            .unwrap_err(),
    );
    let kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::Authentication,
            ErrorKind::Decode,
            ErrorKind::Timeout,
            ErrorKind::Connection
        ]
    );

    // The key did go out, so the checks below are not vacuous.
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let mut texts = vec![
        format!("{client:?}"),
        format!("{:?}", builder("http://127.0.0.1:9")),
        trace.all_text(),
    ];
    for err in &errors {
        texts.push(err.to_string());
        texts.push(format!("{err:?}"));
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            texts.push(format!("{cause} {cause:?}"));
            source = cause.source();
        }
    }
    for text in texts {
        assert!(!text.contains(KEY), "the key leaked: {text}");
    }
}

// ---------------------------------------------------------------- load

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_succeed_without_leaking_descriptors() {
    // Alone: descriptor counts are process-wide. Tests that ran before release the lock
    // just before their runtime closes its sockets; let that settle.
    let _suite = exclusive().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let server = Server::start(vec![ok_reply()]).await;
    let before = open_sockets();
    {
        let client = builder(&server.base_url()).build().unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..1000 {
            let client = client.clone();
            tasks.spawn(async move {
                client
                    .webhook_subscriptions()
                    .retrieve(&format!("sub_{i}"))
                    .await
            });
        }
        let mut succeeded = 0;
        while let Some(joined) = within(LIMIT, tasks.join_next()).await {
            joined.unwrap().unwrap();
            succeeded += 1;
        }
        assert_eq!(succeeded, 1000);
        assert_eq!(server.attempts(), 1000, "no call needed a retry");
        assert!(
            live_connections(server.port()) > 0,
            "idle connections are pooled"
        );
        // The last clone drops here, and with it the pool of idle connections.
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (sockets, live) = (open_sockets(), live_connections(server.port()));
        if sockets <= before && live == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{sockets} sockets open ({before} before the calls), {live} connections to the server"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
