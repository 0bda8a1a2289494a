//! Pagination against a scripted server on 127.0.0.1, one style at a time, through the
//! generated fixture client `paging-api` (one list operation per style): pages and
//! streams over 3+ pages, a last page, an empty page, a repeated position, an error on
//! page 2 (retried, and not retried), and that every page request carries the
//! original parameters and options with only the position changed.

mod support;

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use paging_api::types::{
    ChatListParams, CustomerListParams, EndpointListParams, FileListParams, IssueListParams, Item,
    MessageListParams, RepoListParams, TrackListParams,
};
use paging_api::{Client, ErrorKind, RequestOptions};
use support::server::{Reply, Server};

const KEY: &str = "sk-paging-test";

fn client(server: &Server) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

/// `[{"id":"a"},{"id":"b"}]` for `ids`.
fn items(ids: &[&str]) -> String {
    let items: Vec<String> = ids.iter().map(|id| format!(r#"{{"id":"{id}"}}"#)).collect();
    format!("[{}]", items.join(","))
}

fn ids(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.id.as_str()).collect()
}

/// A Linq-style page: `chats` and `next_cursor` (`null` at the end).
fn chats(ids: &[&str], next: Option<&str>) -> Reply {
    let next = next.map_or("null".to_owned(), |n| format!("\"{n}\""));
    Reply::json(
        200,
        &format!(r#"{{"chats":{},"next_cursor":{next}}}"#, items(ids)),
    )
}

fn targets(server: &Server) -> Vec<String> {
    server.requests().into_iter().map(|r| r.target).collect()
}

fn params() -> ChatListParams {
    ChatListParams {
        from: "+12025550123".into(),
        limit: Some(2),
        ..Default::default()
    }
}

#[tokio::test]
async fn cursor_pages_follow_next_cursor_with_every_original_parameter() {
    let server = Server::start(vec![
        chats(&["a", "b"], Some("c2")),
        chats(&["c", "d"], Some("c3")),
        chats(&["e"], None),
    ])
    .await;
    let client = client(&server);

    let first = client.chats().list(&params()).await.expect("page 1");
    assert_eq!(ids(first.items()), ["a", "b"]);
    assert_eq!(first.status(), 200);
    assert!(first.has_next_page());
    assert_eq!(
        first.body().next_cursor.as_option().map(String::as_str),
        Some("c2")
    );
    let second = first.next_page().await.expect("page 2").expect("a page 2");
    assert_eq!(ids(second.items()), ["c", "d"]);
    let third = second.next_page().await.expect("page 3").expect("a page 3");
    assert_eq!(ids(third.items()), ["e"]);
    assert!(!third.has_next_page());
    assert!(third.next_page().await.expect("no error").is_none());
    assert_eq!(third.into_items().len(), 1);
    // The position replaces `cursor` only: `from` and `limit` are sent on every page.
    assert_eq!(
        targets(&server),
        [
            "/api/partner/chats?from=%2B12025550123&limit=2",
            "/api/partner/chats?from=%2B12025550123&limit=2&cursor=c2",
            "/api/partner/chats?from=%2B12025550123&limit=2&cursor=c3",
        ]
    );
    for request in server.requests() {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
    }
}

#[tokio::test]
async fn a_stream_yields_every_item_and_requests_pages_as_they_are_needed() {
    let server = Server::start(vec![
        chats(&["a", "b"], Some("c2")),
        chats(&["c", "d"], Some("c3")),
        chats(&["e"], None),
    ])
    .await;
    let client = client(&server);
    let mut stream = client.chats().list_stream(&params());
    // Nothing is sent before the stream is polled.
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(server.attempts(), 0);
    let mut seen = Vec::new();
    for _ in 0..2 {
        seen.push(stream.next().await.expect("an item").expect("ok").id);
    }
    assert_eq!(server.attempts(), 1, "page 2 is requested only when needed");
    seen.push(stream.next().await.expect("an item").expect("ok").id);
    assert_eq!(server.attempts(), 2);
    let rest: Vec<Item> = stream.try_collect().await.expect("the rest");
    seen.extend(rest.into_iter().map(|i| i.id));
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);
    assert_eq!(server.attempts(), 3, "exactly one request per page");
}

#[tokio::test]
async fn an_absent_or_empty_cursor_ends_the_list() {
    for last in [
        Reply::json(200, r#"{"chats":[{"id":"b"}]}"#),
        Reply::json(200, r#"{"chats":[{"id":"b"}],"next_cursor":""}"#),
    ] {
        let server = Server::start(vec![chats(&["a"], Some("c2")), last]).await;
        let all: Vec<Item> = client(&server)
            .chats()
            .list_stream(&params())
            .try_collect()
            .await
            .expect("all");
        assert_eq!(ids(&all), ["a", "b"]);
        assert_eq!(server.attempts(), 2);
    }
}

#[tokio::test]
async fn an_empty_page_ends_the_list_whatever_its_cursor() {
    let server = Server::start(vec![
        chats(&["a", "b"], Some("c2")),
        chats(&[], Some("c3")),
        chats(&["never"], None),
    ])
    .await;
    let client = client(&server);
    let all: Vec<Item> = client
        .chats()
        .list_stream(&params())
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["a", "b"]);
    assert_eq!(server.attempts(), 2);
    let server = Server::start(vec![chats(&[], Some("c3"))]).await;
    let client = self::client(&server);
    let second = client
        .chats()
        .list(&ChatListParams {
            cursor: Some("c2".into()),
            ..params()
        })
        .await
        .expect("the empty page");
    assert!(second.items().is_empty());
    assert!(!second.has_next_page());
}

#[tokio::test]
async fn a_repeated_cursor_is_an_error_not_a_loop() {
    // The second page points to itself.
    let server = Server::start(vec![
        chats(&["a"], Some("c2")),
        chats(&["b"], Some("c2")),
        chats(&["never"], None),
    ])
    .await;
    let client = client(&server);
    let mut stream = client.chats().list_stream(&params());
    assert_eq!(stream.next().await.expect("a").expect("ok").id, "a");
    assert_eq!(stream.next().await.expect("b").expect("ok").id, "b");
    let err = stream.next().await.expect("an error").expect_err("repeat");
    assert_eq!(err.kind(), ErrorKind::Pagination, "{err}");
    assert!(err.to_string().contains("c2"), "{err}");
    assert!(stream.next().await.is_none(), "the error ends the stream");
    assert_eq!(server.attempts(), 2);

    // A page whose next cursor is the one it was fetched with.
    let server = Server::start(vec![chats(&["b"], Some("c2"))]).await;
    let client = self::client(&server);
    let page = client
        .chats()
        .list(&ChatListParams {
            cursor: Some("c2".into()),
            ..params()
        })
        .await
        .expect("page");
    assert!(page.has_next_page());
    let err = page.next_page().await.expect_err("repeat");
    assert_eq!(err.kind(), ErrorKind::Pagination);
}

#[tokio::test]
async fn a_cycle_of_cursors_is_an_error_in_a_stream() {
    let server = Server::start(vec![
        chats(&["a"], Some("c2")),
        chats(&["b"], Some("c3")),
        chats(&["c"], Some("c2")),
        chats(&["never"], None),
    ])
    .await;
    let results: Vec<Result<Item, paging_api::Error>> = client(&server)
        .chats()
        .list_stream(&params())
        .collect()
        .await;
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    assert_eq!(
        results[3].as_ref().map_err(|e| e.kind()).err(),
        Some(ErrorKind::Pagination)
    );
    assert_eq!(server.attempts(), 3);
}

#[tokio::test]
async fn an_error_on_page_two_is_retried_like_any_call() {
    let server = Server::start(vec![
        chats(&["a", "b"], Some("c2")),
        Reply::json(503, r#"{"error":{"status":503,"code":1,"message":"busy"}}"#)
            .header("retry-after", "0"),
        chats(&["c"], Some("c3")),
        chats(&["d"], None),
    ])
    .await;
    let client = client(&server);
    let all: Vec<Item> = client
        .chats()
        .with_options(RequestOptions::new().header("x-trace", "t-1"))
        .list_stream(&params())
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["a", "b", "c", "d"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    // The retry sends the same page-2 request; the options reach every page.
    assert_eq!(requests[1].target, requests[2].target);
    assert!(requests[2].target.ends_with("&cursor=c2"));
    assert!(requests.iter().all(|r| r.header("x-trace") == Some("t-1")));
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_once_and_ends_the_stream() {
    let server = Server::start(vec![
        chats(&["a", "b"], Some("c2")),
        Reply::json(500, r#"{"error":{"status":500,"code":2,"message":"down"}}"#),
        chats(&["never"], None),
    ])
    .await;
    let client = client(&server);
    let results: Vec<Result<Item, paging_api::Error>> = client
        .chats()
        .with_options(RequestOptions::new().max_retries(0))
        .list_stream(&params())
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    let err = results[2].as_ref().expect_err("page 2 fails");
    assert_eq!(err.kind(), ErrorKind::InternalServer);
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.attempts(), 2, "max_retries(0) applies to page 2");

    // The same through pages: page 1 is kept, its next_page fails.
    let server = Server::start(vec![
        chats(&["a"], Some("c2")),
        Reply::json(404, r#"{"error":{"status":404,"code":3,"message":"gone"}}"#),
    ])
    .await;
    let other = Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .build()
        .expect("client");
    let page = other.chats().list(&params()).await.expect("page");
    let err = page.next_page().await.expect_err("page 2 fails");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(ids(page.items()), ["a"]);
}

#[tokio::test]
async fn path_parameters_stay_on_every_page() {
    let page = |ids_: &[&str], next: &str| {
        Reply::json(
            200,
            &format!(r#"{{"messages":{},"next_cursor":{next}}}"#, items(ids_)),
        )
    };
    let server = Server::start(vec![page(&["m1"], r#""x/y""#), page(&["m2"], "null")]).await;
    let all: Vec<Item> = client(&server)
        .chats()
        .messages()
        .list_stream("chat 1", &MessageListParams::default())
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["m1", "m2"]);
    assert_eq!(
        targets(&server),
        [
            "/api/partner/chats/chat%201/messages",
            "/api/partner/chats/chat%201/messages?cursor=x%2Fy",
        ]
    );
}

#[tokio::test]
async fn openai_style_after_last_id_until_has_more_is_false() {
    let page = |ids_: &[&str], more: bool| {
        let last = ids_.last().copied().unwrap_or("");
        Reply::json(
            200,
            &format!(
                r#"{{"object":"list","data":{},"first_id":"{}","last_id":"{last}","has_more":{more}}}"#,
                items(ids_),
                ids_.first().copied().unwrap_or("")
            ),
        )
    };
    let server = Server::start(vec![
        page(&["f1", "f2"], true),
        page(&["f3", "f4"], true),
        page(&["f5"], false),
        page(&["never"], false),
    ])
    .await;
    let params = FileListParams {
        purpose: Some("batch".into()),
        limit: Some(2),
        ..Default::default()
    };
    let all: Vec<Item> = client(&server)
        .files()
        .list_stream(&params)
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["f1", "f2", "f3", "f4", "f5"]);
    assert_eq!(
        targets(&server),
        [
            "/api/partner/files?limit=2&purpose=batch",
            "/api/partner/files?limit=2&purpose=batch&after=f2",
            "/api/partner/files?limit=2&purpose=batch&after=f4",
        ]
    );
}

#[tokio::test]
async fn svix_style_iterator_until_done() {
    let page = |ids_: &[&str], iterator: &str, done: bool| {
        Reply::json(
            200,
            &format!(
                r#"{{"data":{},"iterator":"{iterator}","prevIterator":null,"done":{done}}}"#,
                items(ids_)
            ),
        )
    };
    let server = Server::start(vec![
        page(&["e1"], "i2", false),
        page(&["e2"], "i3", false),
        // `done` ends the list even though an iterator is given.
        page(&["e3"], "i4", true),
        page(&["never"], "i5", true),
    ])
    .await;
    let client = client(&server);
    let first = client
        .endpoints()
        .list(&EndpointListParams {
            limit: Some(1),
            ..Default::default()
        })
        .await
        .expect("page 1");
    let second = first.next_page().await.expect("ok").expect("page 2");
    let third = second.next_page().await.expect("ok").expect("page 3");
    assert_eq!(ids(third.items()), ["e3"]);
    assert!(!third.has_next_page());
    assert_eq!(
        targets(&server),
        [
            "/api/partner/endpoints?limit=1",
            "/api/partner/endpoints?limit=1&iterator=i2",
            "/api/partner/endpoints?limit=1&iterator=i3",
        ]
    );
}

#[tokio::test]
async fn stripe_style_starting_after_the_last_item() {
    let page = |ids_: &[&str], more: bool| {
        Reply::json(
            200,
            &format!(
                r#"{{"object":"list","data":{},"has_more":{more},"url":"/v1/customers"}}"#,
                items(ids_)
            ),
        )
    };
    let server = Server::start(vec![
        page(&["cus_1", "cus_2"], true),
        page(&["cus_3", "cus_4"], true),
        page(&["cus_5"], false),
        page(&["never"], false),
    ])
    .await;
    let params = CustomerListParams {
        email: Some("a@example.com".into()),
        limit: Some(2),
        ..Default::default()
    };
    let all: Vec<Item> = client(&server)
        .customers()
        .list_stream(&params)
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["cus_1", "cus_2", "cus_3", "cus_4", "cus_5"]);
    assert_eq!(
        targets(&server),
        [
            "/api/partner/customers?email=a%40example.com&limit=2",
            "/api/partner/customers?email=a%40example.com&limit=2&starting_after=cus_2",
            "/api/partner/customers?email=a%40example.com&limit=2&starting_after=cus_4",
        ]
    );
    // A page whose last item is the position it was fetched with repeats itself.
    let server = Server::start(vec![page(&["cus_1", "cus_2"], true)]).await;
    let page = client(&server)
        .customers()
        .list(&CustomerListParams {
            starting_after: Some("cus_2".into()),
            ..Default::default()
        })
        .await
        .expect("page");
    assert_eq!(
        page.next_page().await.map(|_| ()).map_err(|e| e.kind()),
        Err(ErrorKind::Pagination)
    );
}

#[tokio::test]
async fn page_numbers_until_a_short_page() {
    let server = Server::start(vec![
        Reply::json(200, &items(&["r1", "r2"])),
        Reply::json(200, &items(&["r3", "r4"])),
        Reply::json(200, &items(&["r5"])),
        Reply::json(200, &items(&["never"])),
    ])
    .await;
    let params = RepoListParams {
        sort: Some("updated".into()),
        per_page: Some(2),
        ..Default::default()
    };
    let all: Vec<Item> = client(&server)
        .repos()
        .list_stream(&params)
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["r1", "r2", "r3", "r4", "r5"]);
    assert_eq!(
        targets(&server),
        [
            "/api/partner/repos?sort=updated&per_page=2",
            "/api/partner/repos?sort=updated&per_page=2&page=2",
            "/api/partner/repos?sort=updated&per_page=2&page=3",
        ]
    );
}

#[tokio::test]
async fn page_numbers_without_a_page_size_end_on_an_empty_page() {
    let server = Server::start(vec![
        Reply::json(200, &items(&["r3"])),
        Reply::json(200, &items(&["r4", "r5"])),
        Reply::json(200, "[]"),
        Reply::json(200, &items(&["never"])),
    ])
    .await;
    // Starting from page 2: the numbers continue from the one given.
    let params = RepoListParams {
        page: Some(2),
        ..Default::default()
    };
    let all: Vec<Item> = client(&server)
        .repos()
        .list_stream(&params)
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["r3", "r4", "r5"]);
    assert_eq!(
        targets(&server),
        [
            "/api/partner/repos?page=2",
            "/api/partner/repos?page=3",
            "/api/partner/repos?page=4",
        ]
    );
}

#[tokio::test]
async fn offsets_advance_by_the_items_received() {
    let page =
        |ids_: &[&str]| Reply::json(200, &format!(r#"{{"items":{},"total":5}}"#, items(ids_)));
    let server = Server::start(vec![
        page(&["t1", "t2"]),
        page(&["t3", "t4"]),
        page(&["t5"]),
        page(&["never"]),
    ])
    .await;
    let params = TrackListParams {
        market: Some("SE".into()),
        limit: Some(2),
        ..Default::default()
    };
    let all: Vec<Item> = client(&server)
        .tracks()
        .list_stream(&params)
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["t1", "t2", "t3", "t4", "t5"]);
    assert_eq!(
        targets(&server),
        [
            "/api/partner/tracks?market=SE&limit=2",
            "/api/partner/tracks?market=SE&limit=2&offset=2",
            "/api/partner/tracks?market=SE&limit=2&offset=4",
        ]
    );
}

#[tokio::test]
async fn link_headers_are_followed_on_the_same_origin() {
    let server = Server::start_with(|base| {
        let link = |page: u32| {
            format!(
                r#"<{base}/issues?state=open&per_page=2&page={page}>; rel="next", <{base}/issues?state=open&per_page=2&page=1>; rel="first""#
            )
        };
        vec![
            Reply::json(200, &items(&["i1", "i2"])).header("link", &link(2)),
            Reply::json(200, &items(&["i3", "i4"])).header("link", &link(3)),
            Reply::json(200, &items(&["i5"]))
                .header("link", &format!(r#"<{base}/issues?page=1>; rel="first""#)),
            Reply::json(200, &items(&["never"])),
        ]
    })
    .await;
    let params = IssueListParams {
        state: Some("open".into()),
        per_page: Some(2),
        ..Default::default()
    };
    let all: Vec<Item> = client(&server)
        .issues()
        .list_stream(&params)
        .try_collect()
        .await
        .expect("all");
    assert_eq!(ids(&all), ["i1", "i2", "i3", "i4", "i5"]);
    assert_eq!(
        targets(&server),
        [
            "/api/partner/issues?state=open&per_page=2",
            "/api/partner/issues?state=open&per_page=2&page=2",
            "/api/partner/issues?state=open&per_page=2&page=3",
        ]
    );
}

#[tokio::test]
async fn link_headers_to_another_origin_or_repeating_are_errors() {
    let server = Server::start(vec![Reply::json(200, &items(&["i1"])).header(
        "link",
        r#"<http://127.0.0.2:9/api/partner/issues?page=2>; rel="next""#,
    )])
    .await;
    let results: Vec<Result<Item, paging_api::Error>> = client(&server)
        .issues()
        .list_stream(&IssueListParams::default())
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    let err = results[1].as_ref().expect_err("foreign origin");
    assert_eq!(err.kind(), ErrorKind::Pagination);
    assert!(err.to_string().contains("another origin"), "{err}");
    assert_eq!(server.attempts(), 1, "nothing is sent to the other origin");

    let server = Server::start_with(|base| {
        let again = format!(r#"<{base}/issues?page=2>; rel="next""#);
        vec![
            Reply::json(200, &items(&["i1"])).header("link", &again),
            Reply::json(200, &items(&["i2"])).header("link", &again),
            Reply::json(200, &items(&["never"])),
        ]
    })
    .await;
    let results: Vec<Result<Item, paging_api::Error>> = client(&server)
        .issues()
        .list_stream(&IssueListParams::default())
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[2].as_ref().map_err(|e| e.kind()).err(),
        Some(ErrorKind::Pagination)
    );
    assert_eq!(server.attempts(), 2);
}

#[test]
fn pages_and_streams_are_send_and_static() {
    fn assert_send_static<T: Send + 'static>(_: &T) {}
    let client = Client::builder()
        .api_key(KEY)
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("client");
    let stream = client.chats().list_stream(&params());
    assert_send_static(&stream);
    let (chats, params) = (client.chats(), params());
    let future = chats.list(&params);
    fn assert_send<T: Send>(_: &T) {}
    assert_send(&future);
}

/// Each page request is traced like any call: one `api_request` span per page, named
/// by the path template (no cursor or query values in it), with its response event.
#[tokio::test(flavor = "current_thread")]
async fn every_page_request_is_traced_like_any_call() {
    let (capture, _guard) = support::trace::Capture::install();
    let server = Server::start(vec![
        chats(&["a"], Some("secret-cursor-2")),
        chats(&["b"], Some("secret-cursor-3")),
        chats(&["c"], None),
    ])
    .await;
    let all: Vec<Item> = client(&server)
        .chats()
        .list_stream(&params())
        .try_collect()
        .await
        .expect("all");
    assert_eq!(all.len(), 3);
    let spans: Vec<_> = capture
        .entries()
        .into_iter()
        .filter(|e| e.is_span && e.name == "api_request")
        .collect();
    assert_eq!(spans.len(), 3, "one span per page");
    for span in &spans {
        assert_eq!(span.fields.get("path").map(String::as_str), Some("/chats"));
        assert_eq!(span.fields.get("method").map(String::as_str), Some("GET"));
    }
    assert_eq!(capture.events("response").len(), 3);
    let text = format!("{:?}", capture.entries());
    assert!(
        !text.contains("secret-cursor"),
        "positions are not traced: {text}"
    );
}
