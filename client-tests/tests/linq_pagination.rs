//! Linq's three cursor-paged lists (chats, a chat's messages, a message's thread)
//! against a scripted server on 127.0.0.1: pages built from the spec's own examples,
//! `next_cursor` followed with every original query parameter kept (as the official SDK
//! sends them), `null` ending the list, and a repeated cursor reported as an error.

mod support;

use std::path::Path;
use std::sync::OnceLock;

use futures_util::{StreamExt, TryStreamExt};
use linq_api::types::{
    ChatListChatsParams, MessageListMessagesThreadOrder, MessageListMessagesThreadParams,
    MessageListParams,
};
use linq_api::{ErrorKind, Page};
use serde_json::{Value, json};
use support::server::{Reply, Server};
use support::{KEY, builder, shared};

const CHAT: &str = "3c5e8f1a-2b4d-4c6e-9f1a-7b8c9d0e1f2a";
const MESSAGE: &str = "347d62c2-2170-4754-8d30-c76d0c727d96";

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/linq-api-v3.yaml");
        generator::load::load(&path)
            .unwrap_or_else(|e| panic!("{e}"))
            .value
    })
}

/// The first item of the success example of `GET path`, whose items are in `field`.
fn example_item(path: &str, field: &str) -> Value {
    let example =
        &spec()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["example"];
    example[field][0].clone()
}

/// A page of `field` with one copy of `item` per id, and `next_cursor`.
fn page(item: &Value, field: &str, ids: &[&str], next: Option<&str>) -> Reply {
    let items: Vec<Value> = ids
        .iter()
        .map(|id| {
            let mut item = item.clone();
            item["id"] = json!(id);
            item
        })
        .collect();
    Reply::json(
        200,
        &json!({ field: items, "next_cursor": next }).to_string(),
    )
}

fn targets(server: &Server) -> Vec<String> {
    let requests = server.requests();
    for r in &requests {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
    }
    requests.into_iter().map(|r| r.target).collect()
}

#[tokio::test]
async fn chats_list_pages_by_next_cursor_keeping_every_filter() {
    let _guard = shared().await;
    let chat = example_item("/v3/chats", "chats");
    let server = Server::start(vec![
        // The first page alone, then the whole list through the stream.
        page(&chat, "chats", &["c-1", "c-2"], Some("20")),
        page(&chat, "chats", &["c-1", "c-2"], Some("20")),
        page(&chat, "chats", &["c-3", "c-4"], Some("40")),
        page(&chat, "chats", &["c-5"], None),
    ])
    .await;
    let client = builder(&server.base_url()).build().expect("client");
    let params = ChatListChatsParams {
        from: Some("+12025550100".into()),
        limit: Some(2),
        ..Default::default()
    };
    let first: Page<_, _> = client.chats().list_chats(&params).await.expect("page 1");
    assert_eq!(first.items().len(), 2);
    assert_eq!(
        first.body().next_cursor.as_option().map(String::as_str),
        Some("20")
    );
    assert!(first.has_next_page());
    let ids: Vec<String> = client
        .chats()
        .list_chats_stream(&params)
        .map_ok(|chat| chat.id)
        .try_collect()
        .await
        .expect("every chat");
    assert_eq!(ids, ["c-1", "c-2", "c-3", "c-4", "c-5"]);
    let page_1 = "/api/partner/v3/chats?from=%2B12025550100&limit=2";
    assert_eq!(
        targets(&server),
        [
            page_1.to_owned(),
            page_1.to_owned(),
            format!("{page_1}&cursor=20"),
            format!("{page_1}&cursor=40"),
        ]
    );
}

#[tokio::test]
async fn a_chats_messages_page_by_cursor_and_end_on_null() {
    let _guard = shared().await;
    let message = example_item("/v3/chats/{chatId}/messages", "messages");
    let server = Server::start(vec![
        page(&message, "messages", &["m-1"], Some("b/2=")),
        page(&message, "messages", &["m-2"], Some("b/3=")),
        page(&message, "messages", &["m-3"], None),
    ])
    .await;
    let client = builder(&server.base_url()).build().expect("client");
    let params = MessageListParams {
        limit: Some(1),
        ..Default::default()
    };
    let first = client
        .chats()
        .messages()
        .list(CHAT, &params)
        .await
        .expect("page 1");
    let second = first.next_page().await.expect("page 2").expect("a page 2");
    let third = second.next_page().await.expect("page 3").expect("a page 3");
    assert_eq!(third.items()[0].id, "m-3");
    assert!(!third.has_next_page());
    assert!(third.next_page().await.expect("no error").is_none());
    let base = format!("/api/partner/v3/chats/{CHAT}/messages");
    assert_eq!(
        targets(&server),
        [
            format!("{base}?limit=1"),
            // The cursor comes after the other parameters, as the official SDK adds it.
            format!("{base}?limit=1&cursor=b%2F2%3D"),
            format!("{base}?limit=1&cursor=b%2F3%3D"),
        ]
    );
}

#[tokio::test]
async fn a_thread_pages_with_its_order_and_stops_at_a_repeated_cursor() {
    let _guard = shared().await;
    let message = example_item("/v3/messages/{messageId}/thread", "messages");
    let server = Server::start(vec![
        page(&message, "messages", &["t-1"], Some("x")),
        page(&message, "messages", &["t-2"], Some("x")),
        page(&message, "messages", &["never"], None),
    ])
    .await;
    let client = builder(&server.base_url()).build().expect("client");
    let params = MessageListMessagesThreadParams {
        limit: Some(1),
        order: Some(MessageListMessagesThreadOrder::Desc),
        ..Default::default()
    };
    let results: Vec<_> = client
        .messages()
        .list_messages_thread_stream(MESSAGE, &params)
        .collect()
        .await;
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().map(|m| m.id.as_str()).ok(), Some("t-1"));
    assert_eq!(results[1].as_ref().map(|m| m.id.as_str()).ok(), Some("t-2"));
    assert_eq!(
        results[2].as_ref().map_err(|e| e.kind()).err(),
        Some(ErrorKind::Pagination)
    );
    let base = format!("/api/partner/v3/messages/{MESSAGE}/thread");
    assert_eq!(
        targets(&server),
        [
            format!("{base}?limit=1&order=desc"),
            format!("{base}?limit=1&order=desc&cursor=x"),
        ]
    );
}
