//! The client against a hostile server on 127.0.0.1: redirects that would carry
//! credentials and custom headers to another origin, and bodies too large to hold.

mod support;

use std::time::Duration;

use linq_api::{ErrorKind, RequestOptions};
use support::server::{Reply, Server};
use support::{KEY, builder, envelope, shared, subscription, within};

const LIMIT: Duration = Duration::from_secs(20);
const SECRET_HEADER: &str = "sk-default-header-secret";

/// `json` followed by spaces up to `length` bytes (still valid JSON).
fn padded(mut json: String, length: usize) -> String {
    json.push_str(&" ".repeat(length.saturating_sub(json.len())));
    json
}

// ---------------------------------------------------------------- redirects

/// A redirect to another origin (here: another port of the same host, which reqwest
/// treats as the same host and would send every custom header to) is not followed: the
/// other server sees nothing, and the call fails with the 3xx.
#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let _suite = shared().await;
    let elsewhere = Server::start(vec![Reply::json(200, &subscription("sub_1"))]).await;
    for status in [301, 302, 303, 307, 308] {
        let location = format!("{}/v3/webhook-subscriptions/sub_1", elsewhere.base_url());
        let server = Server::start(vec![
            Reply::raw(status, "text/plain", "moved").header("location", &location),
        ])
        .await;
        let client = builder(&server.base_url())
            .default_header("x-api-secret", SECRET_HEADER)
            .build()
            .unwrap();
        let err = within(
            LIMIT,
            client
                .webhook_subscriptions()
                .with_options(RequestOptions::new().header("x-per-request", "private"))
                .retrieve("sub_1"),
        )
        .await
        .unwrap_err();

        assert_eq!(err.kind(), ErrorKind::ApiStatus, "{status}");
        assert_eq!(err.status(), Some(status));
        let headers = err.headers().unwrap();
        assert_eq!(headers["location"], location.as_str());
        assert_eq!(server.attempts(), 1, "{status}: a 3xx is not retried");
    }
    assert_eq!(
        elsewhere.attempts(),
        0,
        "the other origin received {:?}",
        elsewhere.requests()
    );
}

/// A redirect within the origin is followed, with the key and custom headers (they
/// stay with the server they were meant for) and without a `Referer`.
#[tokio::test]
async fn a_redirect_within_the_origin_is_followed_without_referer() {
    let _suite = shared().await;
    let server = Server::start(vec![
        Reply::raw(307, "text/plain", "moved")
            .header("location", "/api/partner/v3/webhook-subscriptions/sub_2"),
        Reply::json(200, &subscription("sub_2")),
    ])
    .await;
    let client = builder(&server.base_url())
        .default_header("x-api-secret", SECRET_HEADER)
        .build()
        .unwrap();
    let found = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    assert_eq!(found.id, "sub_2");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let second = &requests[1];
    assert_eq!(second.target, "/api/partner/v3/webhook-subscriptions/sub_2");
    assert_eq!(
        second.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(second.header("x-api-secret"), Some(SECRET_HEADER));
    assert_eq!(second.header("referer"), None);
}

/// A redirect loop within the origin ends after a bounded number of hops.
#[tokio::test]
async fn a_redirect_loop_ends() {
    let _suite = shared().await;
    let server = Server::start(vec![
        Reply::raw(302, "text/plain", "again")
            .header("location", "/api/partner/v3/webhook-subscriptions/sub_1"),
    ])
    .await;
    let client = builder(&server.base_url()).max_retries(0).build().unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(302), "{err:?}");
    assert_eq!(server.attempts(), 11, "the first request and 10 redirects");
}

// ---------------------------------------------------------------- body size

/// A body announced larger than the limit fails at once, without reading it; the
/// call is not retried (another attempt would get the same answer).
#[tokio::test]
async fn an_announced_oversized_body_is_refused() {
    let _suite = shared().await;
    let body = padded(subscription("sub_1"), 300_000);
    let server = Server::start(vec![Reply::json(200, &body)]).await;
    let client = builder(&server.base_url())
        .max_body_size(256 * 1024)
        .build()
        .unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err:?}");
    assert_eq!(err.status(), Some(200));
    assert!(err.body().is_none());
    assert!(err.to_string().contains("262144 bytes"), "{err}");
    assert_eq!(server.attempts(), 1);

    // The same body fits a larger limit.
    let client = builder(&server.base_url())
        .max_body_size(400_000)
        .build()
        .unwrap();
    let found = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap();
    assert_eq!(found.id, "sub_1");
}

/// An endless body (chunked, no length) is cut at the limit instead of growing memory
/// until the timeout.
#[tokio::test]
async fn an_endless_body_is_cut_at_the_limit() {
    let _suite = shared().await;
    let server = Server::start(vec![Reply::Endless]).await;
    let client = builder(&server.base_url())
        .max_body_size(1024 * 1024)
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.attempts(), 1);
}

/// The default limit is 64 MiB: an endless body stops there too.
#[tokio::test]
async fn the_default_limit_is_64_mib() {
    let _suite = shared().await;
    let server = Server::start(vec![Reply::Endless]).await;
    let client = builder(&server.base_url())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let err = within(
        Duration::from_secs(90),
        client.webhook_subscriptions().retrieve("sub_1"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BodyTooLarge, "{err:?}");
    assert!(
        err.to_string().contains(&(64u64 << 20).to_string()),
        "{err}"
    );
}

/// An error response keeps its status but at most the first MiB of its body.
#[tokio::test]
async fn an_error_body_is_kept_bounded() {
    let _suite = shared().await;
    let huge = padded(envelope(500, 3006, "broken"), 3 << 20);
    let server = Server::start(vec![Reply::json(500, &huge)]).await;
    let client = builder(&server.base_url()).max_retries(0).build().unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InternalServer);
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.body().map(<[u8]>::len), Some(1 << 20));
    assert!(huge.as_bytes().starts_with(err.body().unwrap()));
}

/// A 2xx body that does not decode keeps at most its first MiB in the error.
#[tokio::test]
async fn a_decode_error_keeps_a_bounded_body() {
    let _suite = shared().await;
    let junk = "<".repeat(3 << 20);
    let server = Server::start(vec![Reply::raw(200, "text/html", &junk)]).await;
    let client = builder(&server.base_url()).build().unwrap();
    let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.body().map(<[u8]>::len), Some(1 << 20));
}
