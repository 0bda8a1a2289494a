//! The crate's `linq_bot` example, run as a process: signed `message.received`
//! deliveries posted to it over HTTP (one per signature scheme) make it send a text
//! reply to the chat through the client, which a local server playing the Linq API
//! records; a badly signed delivery is refused and sends nothing.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use linq_api::webhooks::{Scheme, Webhook};
use serde_json::{Value, json};
use support::server::{Reply, Server};

const SECRET: &str = "whsec_IfTN7Wc3OveqvopS9JO8GaKms9tE5/RVqun3USdUtfI=";
const CHAT: &str = "8f392755-6865-4b18-880a-227f9d8b458f";
const SENT: &str = r#"{"chat_id":"8f392755-6865-4b18-880a-227f9d8b458f","message":{"id":"m_1",
    "created_at":"2026-02-05T20:01:00Z","sent_at":null,"delivered_at":null,
    "delivery_status":"pending","is_read":false,"service":"iMessage",
    "preferred_service":null,"effect":null,"reply_to":null,
    "parts":[{"type":"text","value":"You said: hello","reactions":null}]}}"#;

/// Kills the bot when the test ends, whether it passes or panics.
struct Bot(Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds the example and returns its executable, as Cargo reports it.
fn build_example() -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "-p",
            "linq-api",
            "--example",
            "linq_bot",
            "--message-format=json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(
        output.status.success(),
        "cargo build --example linq_bot failed"
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| msg["target"]["name"] == "linq_bot")
        .find_map(|msg| msg["executable"].as_str().map(String::from))
        .expect("cargo reports the example's executable")
}

/// Starts the bot against `base_url` on a port of its choosing; returns it and the
/// address it printed.
fn start_bot(base_url: &str) -> (Bot, String) {
    let mut child = Command::new(build_example())
        .env("LINQ_BOT_ADDR", "127.0.0.1:0")
        .env("LINQ_API_V3_BASE_URL", base_url)
        .env("LINQ_API_V3_API_KEY", support::KEY)
        .env("LINQ_WEBHOOK_SECRET", SECRET)
        .env_remove("LINQ_API_V3_CUSTOM_HEADERS")
        .env_remove("LINQ_API_V3_LOG")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start linq_bot");
    let stdout = child.stdout.take().expect("stdout");
    let bot = Bot(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read the bot's first line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .and_then(|rest| rest.strip_suffix("/webhooks"))
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    (bot, addr)
}

/// The `valid` delivery of `fixtures/webhooks.json` (a 2026 `message.received`) with
/// its message id and text replaced.
fn delivery(message_id: &str, text: &str) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/webhooks.json");
    let raw = std::fs::read_to_string(path).expect("read fixtures/webhooks.json");
    let doc: Value = serde_json::from_str(&raw).expect("fixtures are JSON");
    let body = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|case| case["name"] == "valid")
        .and_then(|case| case["body"].as_str())
        .expect("valid case");
    let mut event: Value = serde_json::from_str(body).expect("body is JSON");
    assert_eq!(event["event_type"], "message.received");
    assert_eq!(event["data"]["chat"]["id"], CHAT);
    event["event_id"] = json!(format!("event-{message_id}"));
    event["data"]["id"] = json!(message_id);
    event["data"]["parts"] = json!([{"type": "text", "value": text}]);
    event.to_string().into_bytes()
}

fn scheme_named(name: &str) -> Scheme {
    *Scheme::all()
        .iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("no scheme {name}"))
}

async fn post(addr: &str, headers: &[(&str, String)], body: Vec<u8>) -> u16 {
    let mut request = reqwest::Client::new()
        .post(format!("http://{addr}/webhooks"))
        .header("content-type", "application/json")
        .timeout(Duration::from_secs(20))
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request
        .send()
        .await
        .expect("post delivery")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_bot_replies_to_signed_messages_and_refuses_forged_ones() {
    let server = Server::start(vec![Reply::json(202, SENT)]).await;
    let (_bot, addr) = start_bot(&server.base_url());
    let webhook = Webhook::new(SECRET).expect("secret");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();

    for (i, scheme) in ["standard-webhooks", "linq"].into_iter().enumerate() {
        let message_id = format!("msg-{scheme}");
        let body = delivery(&message_id, &format!("hello {scheme}"));
        let headers = scheme_named(scheme)
            .sign(&webhook, &format!("event-{message_id}"), now, &body)
            .expect("sign");
        assert_eq!(post(&addr, &headers, body).await, 200, "{scheme}");

        let requests = server.requests();
        assert_eq!(requests.len(), i + 1, "{scheme}: one reply per delivery");
        let reply = &requests[i];
        assert_eq!(reply.method, "POST");
        assert_eq!(
            reply.target,
            format!("/api/partner/v3/chats/{CHAT}/messages")
        );
        assert_eq!(
            reply.header("authorization"),
            Some(format!("Bearer {}", support::KEY).as_str())
        );
        let sent: Value = serde_json::from_slice(&reply.body).expect("JSON body");
        assert_eq!(
            sent["message"]["parts"],
            json!([{"type": "text", "value": format!("You said: hello {scheme}")}]),
            "{scheme}"
        );
        assert_eq!(
            sent["message"]["idempotency_key"],
            format!("reply-{message_id}")
        );
    }

    // Signed with another secret: refused, and nothing is sent.
    let forger = Webhook::new("whsec_c2VjcmV0LW9mLXNvbWVvbmUtZWxzZQ==").expect("secret");
    for scheme in ["standard-webhooks", "linq"] {
        let body = delivery("msg-forged", "hello");
        let headers = scheme_named(scheme)
            .sign(&forger, "event-forged", now, &body)
            .expect("sign");
        assert_eq!(post(&addr, &headers, body).await, 400, "{scheme}");
    }
    // A valid signature over other bytes: refused too.
    let body = delivery("msg-tampered", "hello");
    let headers = scheme_named("linq")
        .sign(&webhook, "event-tampered", now, &body)
        .expect("sign");
    assert_eq!(
        post(&addr, &headers, delivery("msg-tampered", "hullo")).await,
        400
    );
    assert_eq!(
        server.requests().len(),
        2,
        "refused deliveries send nothing"
    );
}
