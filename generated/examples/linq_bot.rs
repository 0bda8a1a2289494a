//! A small Linq bot: it answers every message it receives.
//!
//! Run with the API key and the webhook subscription's signing secret:
//!
//! ```sh
//! LINQ_API_V3_API_KEY=... LINQ_WEBHOOK_SECRET=... cargo run --example linq_bot
//! ```
//!
//! It listens on `LINQ_BOT_ADDR` (default `127.0.0.1:3000`) for deliveries posted to
//! `/webhooks`, verifies each with whichever signature scheme its headers carry,
//! and answers 400 to anything not authentic. A `message.received` delivery gets a
//! text reply in the same chat; other events are only logged.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use linq_api::Client;
use linq_api::types::{
    MessageContent, MessageEventV2, MessagePart, MessageReceivedPayload, MessageSendParams,
    TextPart, TextPartType, WebhookEvent, WebhookEventData, WebhookMessagePart,
};
use linq_api::webhooks::Webhook;

/// What each delivery needs: the verifier and the client that sends replies.
struct Bot {
    webhook: Webhook,
    client: Client,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A missing key or secret stops the bot here, not at the first delivery.
    let bot = Arc::new(Bot {
        webhook: Webhook::from_env()?,
        client: Client::from_env()?,
    });
    let addr = std::env::var("LINQ_BOT_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());

    let app = Router::new()
        .route("/webhooks", post(receive))
        .with_state(bot);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}/webhooks", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Takes the raw body: the signature covers the exact bytes that were sent.
async fn receive(State(bot): State<Arc<Bot>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let event = match bot.webhook.unwrap::<WebhookEvent>(&headers, &body) {
        Ok(event) => event,
        Err(err) => {
            eprintln!("rejected webhook delivery: {err}");
            return StatusCode::BAD_REQUEST;
        }
    };
    match event.data {
        WebhookEventData::MessageReceived(MessageReceivedPayload::V2026_02_03(message)) => {
            reply(&bot.client, &message).await
        }
        _ => {
            println!("event {} ({:?}) ignored", event.event_id, event.event_type);
            StatusCode::OK
        }
    }
}

/// Sends a text message back to the chat the message arrived in.
async fn reply(client: &Client, message: &MessageEventV2) -> StatusCode {
    let said: Vec<&str> = message
        .parts
        .iter()
        .filter_map(|part| match part {
            WebhookMessagePart::Text(text) => Some(text.value.as_str()),
            _ => None,
        })
        .collect();
    let text = if said.is_empty() {
        "Thanks for your message.".to_owned()
    } else {
        format!("You said: {}", said.join(" "))
    };
    let params = MessageSendParams {
        message: MessageContent {
            parts: vec![MessagePart::Text(TextPart {
                type_: TextPartType::Text,
                value: text,
                text_decorations: None,
            })],
            // The delivery's message id: a repeated delivery sends no second reply.
            idempotency_key: Some(format!("reply-{}", message.id)),
            ..Default::default()
        },
    };
    match client
        .chats()
        .messages()
        .send(&message.chat.id, &params)
        .await
    {
        Ok(_) => StatusCode::OK,
        Err(err) => {
            // A failed reply is worth a redelivery: answer with a server error.
            eprintln!("reply to chat {} failed: {err}", message.chat.id);
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
