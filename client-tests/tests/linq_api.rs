//! The generated Linq client against a scripted HTTP server on 127.0.0.1: what goes on
//! the wire for every operation, how responses and errors decode, and the semantics
//! the spec asks for (three-state `phone_numbers`, forward-compatible enums, path
//! encoding). Examples come from `spec/linq-api-v3.yaml` itself, so a spec change that
//! the client cannot follow fails here.

mod support;

use std::path::Path;
use std::time::Duration;

use linq_api::types::{
    ErrorResponse, WebhookEventListResponse, WebhookEventType, WebhookSubscription,
    WebhookSubscriptionCreateParams, WebhookSubscriptionListResponse,
    WebhookSubscriptionUpdateParams,
};
use linq_api::{Client, ErrorKind, Nullable, types};
use serde_json::{Value, json};
use support::server::{Reply, Server};
use support::{KEY, builder, shared, within};

const LIMIT: Duration = Duration::from_secs(10);

/// The spec as JSON, read the way the generator reads it.
fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/linq-api-v3.yaml");
    generator::load::load(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .value
}

/// The example of a media type at `pointer` (e.g. `/paths/~1v3~1.../content/application~1json`).
fn example(spec: &Value, pointer: &str) -> Value {
    spec.pointer(&format!("{pointer}/example"))
        .cloned()
        .unwrap_or_else(|| panic!("no example at {pointer}"))
}

fn success_example(spec: &Value, path: &str, method: &str, status: &str) -> Value {
    let path = path.replace('/', "~1");
    example(
        spec,
        &format!("/paths/{path}/{method}/responses/{status}/content/application~1json"),
    )
}

fn request_example(spec: &Value, path: &str, method: &str) -> Value {
    let path = path.replace('/', "~1");
    example(
        spec,
        &format!("/paths/{path}/{method}/requestBody/content/application~1json"),
    )
}

/// Decodes `json` as `T`, re-encodes it, and checks nothing was lost or invented.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(json: &Value) -> T {
    let value: T = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(&serde_json::to_value(&value).expect("encode"), json);
    value
}

fn body_json(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("request body is JSON")
}

async fn client_for(server: &Server) -> Client {
    builder(&server.base_url())
        .max_retries(0)
        .build()
        .expect("client")
}

/// Headers every request carries.
fn assert_common_headers(request: &support::server::Recorded, accept: &str) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(request.header("accept"), Some(accept));
    // The product token and version come from spec/linq-api-v3.codegen.yaml.
    assert_eq!(request.header("user-agent"), Some("linq-api-rust/0.1.0"));
}

#[tokio::test]
async fn create_sends_the_body_and_decodes_the_created_subscription() {
    let _guard = shared().await;
    let spec = spec();
    let path = "/v3/webhook-subscriptions";
    let response = success_example(&spec, path, "post", "201");
    let server = Server::start(vec![Reply::json(201, &response.to_string())]).await;
    let client = client_for(&server).await;

    let params: WebhookSubscriptionCreateParams = round_trip(&request_example(&spec, path, "post"));
    let created = within(LIMIT, client.webhook_subscriptions().create(&params))
        .await
        .expect("create");

    assert_eq!(serde_json::to_value(&created).expect("encode"), response);
    assert!(created.signing_secret.starts_with("whsec_"));
    let request = &server.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.target.as_str()),
        ("POST", "/api/partner/v3/webhook-subscriptions")
    );
    assert_common_headers(request, "application/json");
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        body_json(&request.body),
        serde_json::to_value(&params).expect("encode")
    );
}

#[tokio::test]
async fn list_retrieve_update_delete_and_events_hit_the_right_endpoints() {
    let _guard = shared().await;
    let spec = spec();
    let item = "/v3/webhook-subscriptions/{subscriptionId}";
    let list = success_example(&spec, "/v3/webhook-subscriptions", "get", "200");
    let one = success_example(&spec, item, "get", "200");
    let updated = success_example(&spec, item, "put", "200");
    let events = success_example(&spec, "/v3/webhook-events", "get", "200");
    let server = Server::start(vec![
        Reply::json(200, &list.to_string()),
        Reply::json(200, &one.to_string()),
        Reply::json(200, &updated.to_string()),
        Reply::raw(204, "text/plain", ""),
        Reply::json(200, &events.to_string()),
    ])
    .await;
    let client = client_for(&server).await;
    let subs = client.webhook_subscriptions();
    let id = "b2c3d4e5-f6a7-8901-bcde-f23456789012";

    let got: WebhookSubscriptionListResponse = within(LIMIT, subs.list()).await.expect("list");
    assert_eq!(serde_json::to_value(&got).expect("encode"), list);
    let got: WebhookSubscription = within(LIMIT, subs.retrieve(id)).await.expect("retrieve");
    assert_eq!(serde_json::to_value(&got).expect("encode"), one);
    let params: WebhookSubscriptionUpdateParams = round_trip(&request_example(&spec, item, "put"));
    let got = within(LIMIT, subs.update(id, &params))
        .await
        .expect("update");
    assert_eq!(serde_json::to_value(&got).expect("encode"), updated);
    within(LIMIT, subs.delete(id)).await.expect("delete");
    let got: WebhookEventListResponse = within(LIMIT, client.webhook_events().list())
        .await
        .expect("events");
    assert_eq!(serde_json::to_value(&got).expect("encode"), events);

    let requests = server.requests();
    let seen: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.target.as_str()))
        .collect();
    let item_path = format!("/api/partner/v3/webhook-subscriptions/{id}");
    assert_eq!(
        seen,
        vec![
            ("GET", "/api/partner/v3/webhook-subscriptions"),
            ("GET", item_path.as_str()),
            ("PUT", item_path.as_str()),
            ("DELETE", item_path.as_str()),
            ("GET", "/api/partner/v3/webhook-events"),
        ]
    );
    for (i, request) in requests.iter().enumerate() {
        // The official SDK sends `Accept: */*` for the delete, which has no body.
        assert_common_headers(request, if i == 3 { "*/*" } else { "application/json" });
        let has_body = i == 2;
        assert_eq!(
            request.header("content-type").is_some(),
            has_body,
            "request {i}"
        );
        assert_eq!(request.body.is_empty(), !has_body, "request {i}");
    }
    assert_eq!(
        body_json(&requests[2].body),
        json!({"target_url": "https://webhooks.example.com/linq/events"})
    );
}

#[tokio::test]
async fn raw_response_access_gives_status_headers_and_request_id() {
    let _guard = shared().await;
    let spec = spec();
    let events = success_example(&spec, "/v3/webhook-events", "get", "200");
    let server = Server::start(vec![
        Reply::json(200, &events.to_string()).header("x-request-id", "req_123"),
    ])
    .await;
    let client = client_for(&server).await;
    let response = within(LIMIT, client.webhook_events().list_with_response())
        .await
        .expect("list");
    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req_123"));
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        serde_json::to_value(response.value()).expect("encode"),
        events
    );
}

#[tokio::test]
async fn phone_numbers_has_three_wire_states() {
    let _guard = shared().await;
    let server = Server::start(vec![Reply::json(200, &support::subscription("sub_1"))]).await;
    let client = client_for(&server).await;
    let cases: [(Nullable<Vec<String>>, Option<Value>); 4] = [
        (Nullable::Absent, None),
        (Nullable::Null, Some(Value::Null)),
        (Nullable::Value(vec![]), Some(json!([]))),
        (
            Nullable::Value(vec!["+12025550123".into()]),
            Some(json!(["+12025550123"])),
        ),
    ];
    for (state, wire) in &cases {
        let params = WebhookSubscriptionUpdateParams {
            phone_numbers: state.clone(),
            ..Default::default()
        };
        within(
            LIMIT,
            client.webhook_subscriptions().update("sub_1", &params),
        )
        .await
        .expect("update");
        let sent = body_json(&server.requests().last().expect("request").body);
        assert_eq!(
            sent.get("phone_numbers"),
            wire.as_ref(),
            "state {state:?} sent {sent}"
        );
        // And back: the same JSON decodes to the same state.
        let decoded: WebhookSubscriptionUpdateParams =
            serde_json::from_value(sent).expect("decode");
        assert_eq!(&decoded.phone_numbers, state);
    }
    // Optional non-nullable fields are omitted when unset.
    let sent = body_json(&server.requests()[0].body);
    assert_eq!(sent, json!({}));
}

#[tokio::test]
async fn unknown_enum_values_are_kept_and_re_encoded_unchanged() {
    let _guard = shared().await;
    let body = json!({
        "doc_url": "https://docs.linqapp.com/guides/webhooks/events",
        "events": ["message.sent", "call.transferred", "call.on_hold"]
    });
    let server = Server::start(vec![Reply::json(200, &body.to_string())]).await;
    let client = client_for(&server).await;
    let got = within(LIMIT, client.webhook_events().list())
        .await
        .expect("list");
    assert_eq!(got.events[0], WebhookEventType::MessageSent);
    assert_eq!(
        got.events[1],
        WebhookEventType::Unknown("call.transferred".into())
    );
    assert_eq!(got.events[1].as_str(), "call.transferred");
    // `FromStr` is the inverse of `Display` (the wire names), unknown values included.
    for known in WebhookEventType::KNOWN {
        assert_eq!(
            known.to_string().parse::<WebhookEventType>().as_ref(),
            Ok(known)
        );
    }
    assert_eq!("call.transferred".parse(), Ok(got.events[1].clone()));
    assert_eq!(serde_json::to_value(&got).expect("encode"), body);

    // An unknown value sent by the caller goes out verbatim too.
    let params = WebhookSubscriptionUpdateParams {
        subscribed_events: Some(vec![
            WebhookEventType::from("call.transferred"),
            WebhookEventType::CallEnded,
        ]),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&params).expect("encode"),
        json!({"subscribed_events": ["call.transferred", "call.ended"]})
    );
}

#[tokio::test]
async fn unknown_response_fields_are_accepted() {
    let _guard = shared().await;
    let mut body: Value = serde_json::from_str(&support::subscription("sub_1")).expect("json");
    body["added_in_a_later_version"] = json!({"nested": [1, 2]});
    let server = Server::start(vec![Reply::json(200, &body.to_string())]).await;
    let client = client_for(&server).await;
    let got = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
        .await
        .expect("retrieve");
    assert_eq!(got.id, "sub_1");
    assert_eq!(got.created_at.to_rfc3339(), "2024-05-01T10:00:00+00:00");
    assert_eq!(got.phone_numbers, Nullable::Null);
}

#[tokio::test]
async fn path_parameters_are_encoded_as_one_segment() {
    let _guard = shared().await;
    let server = Server::start(vec![Reply::json(200, &support::subscription("x"))]).await;
    let client = client_for(&server).await;
    for (id, expected) in [
        ("a/b", "a%2Fb"),
        ("100%", "100%25"),
        ("%2e", "%252e"),
        ("a b?c#d", "a%20b%3Fc%23d"),
        ("ünï", "%C3%BCn%C3%AF"),
        ("keep-._~!$&'()*+,;=:@", "keep-._~!$&'()*+,;=:@"),
        ("...", "..."),
    ] {
        within(LIMIT, client.webhook_subscriptions().retrieve(id))
            .await
            .expect("retrieve");
        let target = server.requests().last().expect("request").target.clone();
        assert_eq!(
            target,
            format!("/api/partner/v3/webhook-subscriptions/{expected}"),
            "id {id:?}"
        );
    }
    let before = server.attempts();
    for id in [".", ".."] {
        let err = within(LIMIT, client.webhook_subscriptions().delete(id))
            .await
            .expect_err("dot segment");
        assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
        assert_eq!(err.status(), None);
    }
    assert_eq!(
        server.attempts(),
        before,
        "refused before anything was sent"
    );
}

#[tokio::test]
async fn every_error_example_of_the_spec_maps_to_its_kind() {
    let _guard = shared().await;
    let spec = spec();
    let responses = spec
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .expect("responses");
    let mut checked = 0;
    for (name, response) in responses {
        let example = response
            .pointer("/content/application~1json/example")
            .expect("example")
            .clone();
        let status = example["error"]["status"].as_u64().expect("status") as u16;
        let server = Server::start(vec![
            Reply::json(status, &example.to_string()).header("x-request-id", "req_err"),
        ])
        .await;
        let client = client_for(&server).await;
        let err = within(LIMIT, client.webhook_subscriptions().retrieve("sub_1"))
            .await
            .expect_err(name);
        assert_eq!(err.kind(), support::error_kind(status), "{name}");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.code(), example["error"]["code"].as_i64());
        let message = example["error"]["message"].as_str().expect("message");
        assert_eq!(err.message(), Some(message));
        assert!(
            err.to_string().contains(&status.to_string()) && err.to_string().contains(message),
            "{err}"
        );
        assert_eq!(err.request_id(), Some("req_err"));
        assert_eq!(
            err.headers()
                .and_then(|h| h.get("x-request-id"))
                .map(|v| v.as_bytes()),
            Some(&b"req_err"[..])
        );
        assert_eq!(
            serde_json::from_slice::<Value>(err.body().expect("body")).expect("json"),
            example
        );
        let typed: ErrorResponse = err.error_body().expect("typed envelope");
        assert_eq!(serde_json::to_value(&typed).expect("encode"), example);
        let source: &(dyn std::error::Error + Send + Sync + 'static) = &err;
        assert!(!format!("{source:?}").contains(KEY));
        checked += 1;
    }
    assert_eq!(checked, 7, "400, 401, 403, 404, 413, 422 and 500");
}

#[tokio::test]
async fn other_statuses_have_their_own_kinds() {
    let _guard = shared().await;
    for (status, kind) in [
        (409, ErrorKind::Conflict),
        (422, ErrorKind::UnprocessableEntity),
        (429, ErrorKind::RateLimit),
        (503, ErrorKind::InternalServer),
        (418, ErrorKind::ApiStatus),
    ] {
        let server = Server::start(vec![Reply::json(
            status,
            &support::envelope(status, 9, "nope"),
        )])
        .await;
        let client = client_for(&server).await;
        let err = within(LIMIT, client.webhook_events().list())
            .await
            .expect_err("error");
        assert_eq!(
            (err.kind(), err.status(), err.code()),
            (kind, Some(status), Some(9))
        );
    }
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_the_raw_body() {
    let _guard = shared().await;
    let server = Server::start(vec![Reply::json(200, "{\"doc_url\": \"x\", \"events\": [")]).await;
    let client = client_for(&server).await;
    let err = within(LIMIT, client.webhook_events().list())
        .await
        .expect_err("decode");
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.body(), Some(&b"{\"doc_url\": \"x\", \"events\": ["[..]));
}

#[test]
fn every_example_in_the_spec_decodes_and_re_encodes_equal() {
    let spec = spec();
    let mut checked = 0;
    // Each schema that has an example, with the type generated for it.
    macro_rules! dispatch {
        ($name:expr, $example:expr, [$($ty:ident),* $(,)?]) => {
            match $name {
                $(stringify!($ty) => drop(round_trip::<types::$ty>($example)),)*
                // Rust spells the acronym as a word.
                "CapabilityCheckRCSParams" => {
                    drop(round_trip::<types::CapabilityCheckRcsParams>($example))
                }
                other => panic!("an example of `{other}` has no check here; add one"),
            }
        };
    }
    let mut visit = |schema: &str, example: &Value| {
        dispatch!(
            schema,
            example,
            [
                AttachmentCreateParams,
                AttachmentCreateResponse,
                AttachmentRetrieveResponse,
                AvailableNumberRetrieveResponse,
                CapabilityCheckIMessageParams,
                Chat,
                ChatCreateParams,
                ChatCreateResponse,
                ChatCreatedWebhookV2025,
                ChatCreatedWebhookV2026,
                ChatGroupIconUpdateFailedWebhookV2025,
                ChatGroupIconUpdateFailedWebhookV2026,
                ChatGroupIconUpdatedWebhookV2025,
                ChatGroupIconUpdatedWebhookV2026,
                ChatGroupNameUpdateFailedWebhookV2025,
                ChatGroupNameUpdateFailedWebhookV2026,
                ChatGroupNameUpdatedWebhookV2025,
                ChatGroupNameUpdatedWebhookV2026,
                ChatLeaveChatResponse,
                ChatListChatsResponse,
                ChatMessageListResponse,
                ChatSendVoicememoParams,
                ChatSendVoicememoResponse,
                ChatTypingIndicatorStartedWebhookV2025,
                ChatTypingIndicatorStartedWebhookV2026,
                ChatTypingIndicatorStoppedWebhookV2025,
                ChatTypingIndicatorStoppedWebhookV2026,
                ChatUpdateParams,
                ChatUpdateResponse,
                ContactCardCreateParams,
                ContactCardRetrieveResponse,
                ContactCardUpdateBody,
                ErrorResponse,
                GetChatLocationResponse,
                HandleCheckResponse,
                LocationRequestResponse,
                Message,
                MessageAddReactionParams,
                MessageAddReactionResponse,
                MessageCreateBody,
                MessageCreateResponse,
                MessageDeliveredWebhookV2025,
                MessageDeliveredWebhookV2026,
                MessageEditedWebhookV2026,
                MessageFailedWebhookV2025,
                MessageFailedWebhookV2026,
                MessageListMessagesThreadResponse,
                MessageReadWebhookV2025,
                MessageReadWebhookV2026,
                MessageReceivedWebhookV2025,
                MessageReceivedWebhookV2026,
                MessageSendParams,
                MessageSendResponse,
                MessageSentWebhookV2025,
                MessageSentWebhookV2026,
                MessageUpdateAppCardParams,
                MessageUpdateAppCardResponse,
                MessageUpdateParams,
                ParticipantAddParams,
                ParticipantAddResponse,
                ParticipantAddedWebhookV2025,
                ParticipantAddedWebhookV2026,
                ParticipantRemoveParams,
                ParticipantRemoveResponse,
                ParticipantRemovedWebhookV2025,
                ParticipantRemovedWebhookV2026,
                PhoneNumberListResponse,
                PhoneNumberStatusUpdatedWebhookV2026,
                PhoneNumberUpdateParams,
                PhoneNumberUpdateResponse,
                PhonenumberListResponse,
                ReactionAddedWebhookV2025,
                ReactionAddedWebhookV2026,
                ReactionRemovedWebhookV2025,
                ReactionRemovedWebhookV2026,
                SetContactCard,
                WebhookEvent,
                WebhookEventListResponse,
                WebhookSubscription,
                WebhookSubscriptionCreateParams,
                WebhookSubscriptionCreateResponse,
                WebhookSubscriptionListResponse,
                WebhookSubscriptionUpdateParams,
            ]
        );
        checked += 1;
    };
    // Every media type with a `$ref` schema and an example, wherever it is.
    fn walk(node: &Value, visit: &mut dyn FnMut(&str, &Value)) {
        match node {
            Value::Object(map) => {
                let schema_name = map
                    .get("schema")
                    .and_then(|s| s.get("$ref"))
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next());
                if let (Some(name), Some(example)) = (schema_name, map.get("example")) {
                    visit(name, example);
                }
                if let (Some(name), Some(Value::Object(examples))) =
                    (schema_name, map.get("examples"))
                {
                    for example in examples.values() {
                        visit(name, example.get("value").expect("an example has a value"));
                    }
                }
                for (key, child) in map {
                    if key != "example" && key != "examples" {
                        walk(child, visit);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, visit)),
            _ => {}
        }
    }
    walk(&spec, &mut visit);
    // Success bodies, request bodies (single and named examples), error responses and
    // one payload per webhook entry.
    assert!(checked >= 81, "only {checked} examples found");
}

#[test]
fn client_is_cheap_to_share_and_hides_the_key() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<Client>();
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<linq_api::Error>();
    let client = Client::builder().api_key(KEY).build().expect("client");
    let shown = format!("{client:?}");
    assert!(!shown.contains(KEY), "{shown}");
}

#[test]
fn a_missing_api_key_is_a_clear_configuration_error() {
    if std::env::var_os("LINQ_API_V3_API_KEY").is_some() {
        return; // the environment provides a key; nothing to check here
    }
    let err = Client::builder().build().expect_err("no key");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("LINQ_API_V3_API_KEY"), "{err}");
    let err = Client::from_env().expect_err("no key");
    assert_eq!(err.kind(), ErrorKind::Config);
}
