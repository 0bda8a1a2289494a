//! Every operation of the Linq API beyond the webhook ones, against a scripted HTTP
//! server on 127.0.0.1: the request on the wire (method, raw path with its
//! percent-encoding, query, headers, JSON body or no body at all) is the one the
//! official SDK sends, the spec's success example decodes into the generated type and
//! re-encodes unchanged, and every error status the spec lists for the operation maps
//! to its error kind with the typed envelope. Bodies and responses come from the
//! examples of `spec/linq-api-v3.yaml`, so the spec and the client are checked together.

mod support;

use std::future::Future;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use linq_api::types::{
    AttachmentCreateParams, AvailableNumberRetrieveParams, CapabilityCheckImessageParams,
    CapabilityCheckRcsParams, ChatCreateParams, ChatListChatsParams, ChatSendVoicememoParams,
    ChatUpdateParams, ContactCardCreateParams, ContactCardRetrieveParams, ContactCardUpdateParams,
    MessageAddReactionParams, MessageCreateParams, MessageListMessagesThreadOrder,
    MessageListMessagesThreadParams, MessageListParams, MessageSendParams,
    MessageUpdateAppCardParams, MessageUpdateParams, ParticipantAddParams, ParticipantRemoveParams,
    PhoneNumberUpdateParams,
};
use linq_api::{Client, Error, Page};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use support::server::{Recorded, Reply, Server};
use support::{KEY, builder, error_kind, shared, within};

const LIMIT: Duration = Duration::from_secs(10);
/// The path prefix of the API's base URL.
const BASE: &str = "/api/partner";
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

/// `node`, or what its `$ref` names.
fn resolve(node: &Value) -> &Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => spec()
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {r}")),
        None => node,
    }
}

/// The operation object of `method` on `path`.
fn operation(path: &str, method: &str) -> &'static Value {
    spec()
        .pointer(&format!("/paths/{}/{method}", path.replace('/', "~1")))
        .unwrap_or_else(|| panic!("no {method} {path} in the spec"))
}

/// The example of a media type object: `example`, else the first of `examples`.
fn example_of(media: &Value) -> Value {
    media
        .get("example")
        .or_else(|| {
            media
                .get("examples")
                .and_then(Value::as_object)
                .and_then(|all| all.values().next())
                .and_then(|e| e.get("value"))
        })
        .cloned()
        .expect("the media type has an example")
}

/// The request body example of an operation, decoded as `T` and re-encoded unchanged.
fn params<T: DeserializeOwned + Serialize>(path: &str, method: &str) -> T {
    let json = example_of(&operation(path, method)["requestBody"]["content"]["application/json"]);
    let value: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(serde_json::to_value(&value).expect("encode"), json);
    value
}

/// Each response of an operation: status, and content type with example if it has a body.
fn responses(path: &str, method: &str) -> Vec<(u16, Option<(String, Value)>)> {
    let all = operation(path, method)["responses"]
        .as_object()
        .expect("responses");
    all.iter()
        .map(|(status, response)| {
            let body = resolve(response)
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().next())
                .map(|(ct, media)| (ct.clone(), example_of(media)));
            (status.parse().expect("numeric status"), body)
        })
        .collect()
}

/// What the request of an operation must look like on the wire.
struct Wire<'a> {
    method: &'a str,
    /// Raw path and query after the base URL, exactly as sent.
    target: &'a str,
    accept: &'a str,
    /// The JSON body, or `None` when no body (and no content type) may be sent.
    body: Option<Value>,
    /// Further headers the request must carry.
    headers: &'a [(&'a str, &'a str)],
    /// JSON pointer of a body field where the client must put an idempotency key it
    /// made up (a UUID v4), the body being otherwise `body`.
    made_up_key: Option<&'a str>,
}

impl<'a> Wire<'a> {
    /// A request with `body` as its JSON body, answered with JSON.
    fn json<T: Serialize>(method: &'a str, target: &'a str, body: &T) -> Self {
        Self {
            method,
            target,
            accept: "application/json",
            body: Some(serde_json::to_value(body).expect("encode")),
            headers: &[],
            made_up_key: None,
        }
    }

    /// A request without a body, accepting `accept`.
    fn bare(method: &'a str, target: &'a str, accept: &'a str) -> Self {
        Self {
            method,
            target,
            accept,
            body: None,
            headers: &[],
            made_up_key: None,
        }
    }

    fn with_headers(self, headers: &'a [(&'a str, &'a str)]) -> Self {
        Self { headers, ..self }
    }

    /// The body must also carry a made-up idempotency key at `pointer`.
    fn with_made_up_key(self, pointer: &'a str) -> Self {
        Self {
            made_up_key: Some(pointer),
            ..self
        }
    }
}

fn check_request(request: &Recorded, wire: &Wire<'_>) {
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        (wire.method, format!("{BASE}{}", wire.target).as_str())
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.header("accept"), Some(wire.accept));
    assert_eq!(request.header("user-agent"), Some("linq-api-rust/0.1.0"));
    for (name, value) in wire.headers {
        assert_eq!(request.header(name), Some(*value), "header {name}");
    }
    match &wire.body {
        Some(body) => {
            assert_eq!(request.header("content-type"), Some("application/json"));
            let mut sent: Value = serde_json::from_slice(&request.body).expect("a JSON body");
            if let Some(pointer) = wire.made_up_key {
                let (parent, field) = pointer.rsplit_once('/').expect("a pointer");
                let key = sent
                    .pointer_mut(parent)
                    .and_then(Value::as_object_mut)
                    .and_then(|object| object.remove(field))
                    .unwrap_or_else(|| panic!("no idempotency key at {pointer}: {sent}"));
                let key = key.as_str().expect("a string key");
                let groups: Vec<usize> = key.split('-').map(str::len).collect();
                assert_eq!(groups, [8, 4, 4, 4, 12], "a UUID: {key}");
                assert_eq!(key.as_bytes()[14], b'4', "version 4: {key}");
            }
            assert_eq!(&sent, body);
        }
        None => {
            assert!(request.body.is_empty(), "no body may be sent");
            assert_eq!(request.header("content-type"), None);
        }
    }
}

/// Calls the operation `method path` with `call` against a server answering with the
/// spec's success example, checks the request against `wire` and the decoded answer
/// against the example; then, for every error status of the operation in the spec,
/// checks the error the call returns.
async fn exercise<T, F, Fut>(path: &str, method: &str, wire: Wire<'_>, call: F)
where
    T: Serialize,
    F: Fn(Client) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let _guard = shared().await;
    let all = responses(path, method);
    let (status, body) = all
        .iter()
        .find(|(s, _)| (200..300).contains(s))
        .cloned()
        .expect("a success response");
    let reply = match &body {
        Some((ct, example)) => Reply::raw(status, ct, &example.to_string()),
        None => Reply::raw(status, "text/plain", ""),
    };
    let server = Server::start(vec![reply]).await;
    let got = within(LIMIT, call(client_for(&server)))
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let decoded = serde_json::to_value(&got).expect("encode");
    match body {
        Some((_, example)) => assert_eq!(decoded, example, "{method} {path}"),
        None => assert_eq!(decoded, Value::Null, "{method} {path}"),
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    check_request(&requests[0], &wire);

    let mut errors = 0;
    for (status, body) in all.into_iter().filter(|(s, _)| *s >= 400) {
        let (_, example) = body.expect("an error response has a body");
        let server = Server::start(vec![Reply::json(status, &example.to_string())]).await;
        let Err(err) = within(LIMIT, call(client_for(&server))).await else {
            panic!("{method} {path}: {status} is not an error");
        };
        assert_eq!(err.kind(), error_kind(status), "{method} {path} {status}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), example["error"]["code"].as_i64());
        let typed = err.error_body().expect("typed envelope");
        assert_eq!(serde_json::to_value(&typed).expect("encode"), example);
        check_request(&server.requests()[0], &wire);
        errors += 1;
    }
    assert!(errors >= 2, "{method} {path}: only {errors} error statuses");
}

fn client_for(server: &Server) -> Client {
    builder(&server.base_url())
        .max_retries(0)
        .build()
        .expect("client")
}

// ---------------------------------------------------------------- chats

#[tokio::test]
async fn chats_create() {
    let p: ChatCreateParams = params("/v3/chats", "post");
    // Message sends carry an idempotency key; the client makes one per call.
    let wire = Wire::json("POST", "/v3/chats", &p).with_made_up_key("/message/idempotency_key");
    exercise("/v3/chats", "post", wire, |c| {
        let p = p.clone();
        async move { c.chats().create(&p).await }
    })
    .await;
}

#[tokio::test]
async fn chats_list_encodes_the_e164_filter() {
    let p = ChatListChatsParams {
        from: Some("+12025550100".into()),
        to: Some("alex@example.com".into()),
        limit: Some(20),
        cursor: Some("20".into()),
    };
    let wire = Wire::bare(
        "GET",
        "/v3/chats?from=%2B12025550100&to=alex%40example.com&limit=20&cursor=20",
        "application/json",
    );
    exercise("/v3/chats", "get", wire, |c| {
        let p = p.clone();
        async move { c.chats().list_chats(&p).await.map(Page::into_body) }
    })
    .await;
}

#[tokio::test]
async fn chats_list_without_filters_sends_no_query() {
    let wire = Wire::bare("GET", "/v3/chats", "application/json");
    exercise("/v3/chats", "get", wire, |c| async move {
        c.chats()
            .list_chats(&ChatListChatsParams::default())
            .await
            .map(Page::into_body)
    })
    .await;
}

#[tokio::test]
async fn chats_retrieve_encodes_the_id_as_one_segment() {
    let wire = Wire::bare("GET", "/v3/chats/chat%201%2F2%3Fx", "application/json");
    exercise("/v3/chats/{chatId}", "get", wire, |c| async move {
        c.chats().retrieve("chat 1/2?x").await
    })
    .await;
}

#[tokio::test]
async fn chats_update() {
    let p: ChatUpdateParams = params("/v3/chats/{chatId}", "put");
    let target = format!("/v3/chats/{CHAT}");
    let wire = Wire::json("PUT", &target, &p);
    exercise("/v3/chats/{chatId}", "put", wire, |c| {
        let p = p.clone();
        async move { c.chats().update(CHAT, &p).await }
    })
    .await;
}

#[tokio::test]
async fn chats_participants_add_and_remove() {
    let path = "/v3/chats/{chatId}/participants";
    let target = format!("/v3/chats/{CHAT}/participants");
    let add: ParticipantAddParams = params(path, "post");
    let wire = Wire::json("POST", &target, &add);
    exercise(path, "post", wire, |c| {
        let add = add.clone();
        async move { c.chats().participants().add(CHAT, &add).await }
    })
    .await;
    let remove: ParticipantRemoveParams = params(path, "delete");
    let wire = Wire::json("DELETE", &target, &remove);
    exercise(path, "delete", wire, |c| {
        let remove = remove.clone();
        async move { c.chats().participants().remove(CHAT, &remove).await }
    })
    .await;
}

/// The body-less chat operations that answer 204: no body, `Accept: */*`.
#[tokio::test]
async fn chats_typing_read_and_contact_card_send_no_body() {
    let typing = format!("/v3/chats/{CHAT}/typing");
    let read = format!("/v3/chats/{CHAT}/read");
    let share = format!("/v3/chats/{CHAT}/share_contact_card");
    let wire = |method, target| Wire::bare(method, target, "*/*");
    exercise(
        "/v3/chats/{chatId}/typing",
        "post",
        wire("POST", &typing),
        |c| async move { c.chats().typing().start(CHAT).await },
    )
    .await;
    exercise(
        "/v3/chats/{chatId}/typing",
        "delete",
        wire("DELETE", &typing),
        |c| async move { c.chats().typing().stop(CHAT).await },
    )
    .await;
    exercise(
        "/v3/chats/{chatId}/read",
        "post",
        wire("POST", &read),
        |c| async move { c.chats().mark_as_read(CHAT).await },
    )
    .await;
    exercise(
        "/v3/chats/{chatId}/share_contact_card",
        "post",
        wire("POST", &share),
        |c| async move { c.chats().share_contact_card(CHAT).await },
    )
    .await;
}

#[tokio::test]
async fn chats_voice_memo() {
    let path = "/v3/chats/{chatId}/voicememo";
    let p: ChatSendVoicememoParams = params(path, "post");
    let target = format!("/v3/chats/{CHAT}/voicememo");
    let wire = Wire::json("POST", &target, &p);
    exercise(path, "post", wire, |c| {
        let p = p.clone();
        async move { c.chats().send_voicememo(CHAT, &p).await }
    })
    .await;
}

#[tokio::test]
async fn chats_leave_sends_no_body() {
    let target = format!("/v3/chats/{CHAT}/leave");
    let wire = Wire::bare("POST", &target, "application/json");
    exercise("/v3/chats/{chatId}/leave", "post", wire, |c| async move {
        c.chats().leave_chat(CHAT).await
    })
    .await;
}

#[tokio::test]
async fn chats_location_request_and_retrieve() {
    let request = format!("/v3/chats/{CHAT}/location/request");
    let wire = Wire::bare("POST", &request, "application/json");
    exercise(
        "/v3/chats/{chatId}/location/request",
        "post",
        wire,
        |c| async move { c.chats().location().request(CHAT).await },
    )
    .await;
    let location = format!("/v3/chats/{CHAT}/location");
    let wire = Wire::bare("GET", &location, "application/geo+json");
    exercise("/v3/chats/{chatId}/location", "get", wire, |c| async move {
        c.chats().location().retrieve(CHAT).await
    })
    .await;
}

// ---------------------------------------------------------------- messages

#[tokio::test]
async fn messages_send_to_chat() {
    let path = "/v3/chats/{chatId}/messages";
    let p: MessageSendParams = params(path, "post");
    let target = format!("/v3/chats/{CHAT}/messages");
    let wire = Wire::json("POST", &target, &p).with_made_up_key("/message/idempotency_key");
    exercise(path, "post", wire, |c| {
        let p = p.clone();
        async move { c.chats().messages().send(CHAT, &p).await }
    })
    .await;
}

#[tokio::test]
async fn messages_list_of_a_chat_pages_by_cursor() {
    let p = MessageListParams {
        cursor: Some("c/2=".into()),
        limit: Some(50),
    };
    let target = format!("/v3/chats/{CHAT}/messages?cursor=c%2F2%3D&limit=50");
    let wire = Wire::bare("GET", &target, "application/json");
    exercise("/v3/chats/{chatId}/messages", "get", wire, |c| {
        let p = p.clone();
        async move {
            c.chats()
                .messages()
                .list(CHAT, &p)
                .await
                .map(Page::into_body)
        }
    })
    .await;
}

#[tokio::test]
async fn messages_thread() {
    let p = MessageListMessagesThreadParams {
        cursor: None,
        limit: Some(10),
        order: Some(MessageListMessagesThreadOrder::Desc),
    };
    let target = format!("/v3/messages/{MESSAGE}/thread?limit=10&order=desc");
    let wire = Wire::bare("GET", &target, "application/json");
    exercise("/v3/messages/{messageId}/thread", "get", wire, |c| {
        let p = p.clone();
        async move {
            c.messages()
                .list_messages_thread(MESSAGE, &p)
                .await
                .map(Page::into_body)
        }
    })
    .await;
}

#[tokio::test]
async fn messages_retrieve() {
    let target = format!("/v3/messages/{MESSAGE}");
    let wire = Wire::bare("GET", &target, "application/json");
    exercise("/v3/messages/{messageId}", "get", wire, |c| async move {
        c.messages().retrieve(MESSAGE).await
    })
    .await;
}

#[tokio::test]
async fn messages_delete_sends_no_body() {
    let target = format!("/v3/messages/{MESSAGE}");
    let wire = Wire::bare("DELETE", &target, "*/*");
    exercise("/v3/messages/{messageId}", "delete", wire, |c| async move {
        c.messages().delete(MESSAGE).await
    })
    .await;
}

#[tokio::test]
async fn messages_reaction() {
    let path = "/v3/messages/{messageId}/reactions";
    let p: MessageAddReactionParams = params(path, "post");
    let target = format!("/v3/messages/{MESSAGE}/reactions");
    let wire = Wire::json("POST", &target, &p);
    exercise(path, "post", wire, |c| {
        let p = p.clone();
        async move { c.messages().add_reaction(MESSAGE, &p).await }
    })
    .await;
}

#[tokio::test]
async fn messages_create_carries_the_idempotency_key_header() {
    // One params struct: the header is a member, sent as a header and not in the body.
    let body: MessageCreateParams = params("/v3/messages", "post");
    let p = MessageCreateParams {
        idempotency_key: Some("order-1042-shipped".into()),
        ..body.clone()
    };
    let wire = Wire::json("POST", "/v3/messages", &body)
        .with_headers(&[("idempotency-key", "order-1042-shipped")]);
    exercise("/v3/messages", "post", wire, |c| {
        let p = p.clone();
        async move { c.messages().create(&p).await }
    })
    .await;
}

#[tokio::test]
async fn messages_edit_and_update_app_card() {
    let p: MessageUpdateParams = params("/v3/messages/{messageId}", "patch");
    let target = format!("/v3/messages/{MESSAGE}");
    let wire = Wire::json("PATCH", &target, &p);
    exercise("/v3/messages/{messageId}", "patch", wire, |c| {
        let p = p.clone();
        async move { c.messages().update(MESSAGE, &p).await }
    })
    .await;
    let path = "/v3/messages/{messageId}/update";
    let card: MessageUpdateAppCardParams = params(path, "post");
    let target = format!("/v3/messages/{MESSAGE}/update");
    let wire = Wire::json("POST", &target, &card);
    exercise(path, "post", wire, |c| {
        let card = card.clone();
        async move { c.messages().update_app_card(MESSAGE, &card).await }
    })
    .await;
}

// ---------------------------------------------------------------- attachments

#[tokio::test]
async fn attachments_create_retrieve_delete() {
    let p: AttachmentCreateParams = params("/v3/attachments", "post");
    let wire = Wire::json("POST", "/v3/attachments", &p);
    exercise("/v3/attachments", "post", wire, |c| {
        let p = p.clone();
        async move { c.attachments().create(&p).await }
    })
    .await;
    let path = "/v3/attachments/{attachmentId}";
    let wire = Wire::bare("GET", "/v3/attachments/att%2042", "application/json");
    exercise(path, "get", wire, |c| async move {
        c.attachments().retrieve("att 42").await
    })
    .await;
    let wire = Wire::bare("DELETE", "/v3/attachments/att%2042", "*/*");
    exercise(path, "delete", wire, |c| async move {
        c.attachments().delete("att 42").await
    })
    .await;
}

// ---------------------------------------------------------------- phone numbers

#[tokio::test]
async fn phone_numbers_both_lists_and_update() {
    let wire = Wire::bare("GET", "/v3/phonenumbers", "application/json");
    exercise("/v3/phonenumbers", "get", wire, |c| async move {
        c.phonenumbers().list().await
    })
    .await;
    let wire = Wire::bare("GET", "/v3/phone_numbers", "application/json");
    exercise("/v3/phone_numbers", "get", wire, |c| async move {
        c.phone_numbers().list().await
    })
    .await;
    let path = "/v3/phone_numbers/{phoneNumberId}";
    let p: PhoneNumberUpdateParams = params(path, "put");
    let wire = Wire::json("PUT", "/v3/phone_numbers/pn_1", &p);
    exercise(path, "put", wire, |c| {
        let p = p.clone();
        async move { c.phone_numbers().update("pn_1", &p).await }
    })
    .await;
}

#[tokio::test]
async fn phone_number_forwarding_is_cleared_with_an_explicit_null() {
    let _guard = shared().await;
    let answer = r#"{"id":"pn_1","phone_number":"+12025550100","forwarding_number":null}"#;
    let server = Server::start(vec![Reply::json(200, answer)]).await;
    let clear = PhoneNumberUpdateParams {
        forwarding_number: None,
    };
    let got = within(
        LIMIT,
        client_for(&server).phone_numbers().update("pn_1", &clear),
    )
    .await
    .expect("update");
    assert_eq!(got.forwarding_number, None);
    let sent: Value = serde_json::from_slice(&server.requests()[0].body).expect("JSON");
    assert_eq!(sent, serde_json::json!({"forwarding_number": null}));
}

#[tokio::test]
async fn available_number_sends_the_handles_comma_separated() {
    let p = AvailableNumberRetrieveParams {
        to: Some(vec!["+12025550123".into(), "+12025550145".into()]),
    };
    // One `to` parameter, values joined by commas (OpenAPI `form`, `explode: false`).
    // The official SDK percent-encodes the joining comma too (`%2C`); a literal comma
    // is the delimiter form OpenAPI describes, and both decode to the same list.
    let wire = Wire {
        method: "GET",
        target: "/v3/available_number?to=%2B12025550123,%2B12025550145",
        accept: "application/json",
        body: None,
        headers: &[],
        made_up_key: None,
    };
    exercise("/v3/available_number", "get", wire, |c| {
        let p = p.clone();
        async move { c.available_number().retrieve(&p).await }
    })
    .await;
}

// ---------------------------------------------------------------- capability, contact card

#[tokio::test]
async fn capability_checks() {
    let p: CapabilityCheckImessageParams = params("/v3/capability/check_imessage", "post");
    let wire = Wire::json("POST", "/v3/capability/check_imessage", &p);
    exercise("/v3/capability/check_imessage", "post", wire, |c| {
        let p = p.clone();
        async move { c.capability().check_imessage(&p).await }
    })
    .await;
    let p: CapabilityCheckRcsParams = params("/v3/capability/check_rcs", "post");
    let wire = Wire::json("POST", "/v3/capability/check_rcs", &p);
    exercise("/v3/capability/check_rcs", "post", wire, |c| {
        let p = p.clone();
        async move { c.capability().check_rcs(&p).await }
    })
    .await;
}

#[tokio::test]
async fn contact_card_retrieve_create_update() {
    let path = "/v3/contact_card";
    let query = ContactCardRetrieveParams {
        phone_number: Some("+12025550100".into()),
    };
    let wire = Wire::bare(
        "GET",
        "/v3/contact_card?phone_number=%2B12025550100",
        "application/json",
    );
    exercise(path, "get", wire, |c| {
        let query = query.clone();
        async move { c.contact_card().retrieve(&query).await }
    })
    .await;
    let create: ContactCardCreateParams = params(path, "post");
    let wire = Wire::json("POST", path, &create);
    exercise(path, "post", wire, |c| {
        let create = create.clone();
        async move { c.contact_card().create(&create).await }
    })
    .await;
    // The phone number goes in the query, the changes in the body.
    // One params struct: `phone_number` is a member, sent in the query, not in the body.
    let json = example_of(&operation(path, "patch")["requestBody"]["content"]["application/json"]);
    let mut members = json.clone();
    members["phone_number"] = Value::from("+12025550100");
    let update: ContactCardUpdateParams = serde_json::from_value(members).expect("decode");
    assert_eq!(update.phone_number, "+12025550100");
    let wire = Wire::json(
        "PATCH",
        "/v3/contact_card?phone_number=%2B12025550100",
        &json,
    );
    exercise(path, "patch", wire, |c| {
        let update = update.clone();
        async move { c.contact_card().update(&update).await }
    })
    .await;
}
