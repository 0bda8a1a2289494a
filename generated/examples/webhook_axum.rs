//! Receiving webhook deliveries with axum.
//!
//! Run with the subscription's signing secret in `LINQ_WEBHOOK_SECRET`:
//!
//! ```sh
//! LINQ_WEBHOOK_SECRET=whsec_... cargo run --example webhook_axum
//! ```
//!
//! It listens on `http://127.0.0.1:3000/webhooks`, answers 200 to each authentic
//! delivery and 400 to anything else. Point a tunnel (or the subscription's
//! `target_url`) at it to see real deliveries.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use linq_api::types::WebhookEvent;
use linq_api::webhooks::Webhook;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Decode the secret once, at start-up: a missing or malformed secret stops the
    // server here instead of failing every delivery.
    let webhook = match Webhook::from_env() {
        Ok(webhook) => Arc::new(webhook),
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    };

    let app = Router::new()
        .route("/webhooks", post(receive))
        .with_state(webhook);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}/webhooks", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Takes the raw body (`Bytes`), never a parsed `Json<...>`: the signature covers the
/// exact bytes that were sent.
async fn receive(
    State(webhook): State<Arc<Webhook>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match webhook.unwrap::<WebhookEvent>(&headers, &body) {
        Ok(event) => {
            // Deliveries can repeat: deduplicate on `event_id` before acting, and
            // hand slow work to a queue so the 2xx goes back quickly.
            println!(
                "received {:?} (event {:?}, created {:?})",
                event.event_type, event.event_id, event.created_at
            );
            StatusCode::OK
        }
        Err(err) => {
            eprintln!("rejected webhook delivery: {err}");
            StatusCode::BAD_REQUEST
        }
    }
}
