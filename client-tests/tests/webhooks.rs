//! Receiving webhooks: Standard Webhooks verification and the event envelope, checked
//! against deliveries signed by the reference implementation.
//!
//! `fixtures/webhooks.json` is produced by `fixtures/make_webhook_fixtures.py` with the
//! `standardwebhooks` package from PyPI; each case records the exact outcome the
//! generated crate must give at the fixture's fixed "now".

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use linq_api::types::{MessageReceivedPayload, WebhookEvent, WebhookEventData};
use linq_api::webhooks::{self, HeaderSource, Webhook, WebhookError, WebhookErrorKind};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

const SECRET_ENV: &str = "LINQ_WEBHOOK_SECRET";

struct Case {
    name: String,
    secret: String,
    headers: Vec<(String, String)>,
    body: String,
    expected: String,
    unwrap: Option<String>,
}

struct Fixtures {
    now: SystemTime,
    tolerance: u64,
    cases: Vec<Case>,
}

fn text(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("fixture field {key} is not a string: {value}"))
        .to_string()
}

fn fixtures() -> Fixtures {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/webhooks.json");
    let raw = std::fs::read_to_string(path).expect("read fixtures/webhooks.json");
    let doc: Value = serde_json::from_str(&raw).expect("fixtures are JSON");
    let now = doc["now"].as_u64().expect("now");
    let cases = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| Case {
            name: text(case, "name"),
            secret: text(case, "secret"),
            headers: case["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|pair| {
                    (
                        pair[0].as_str().expect("name").into(),
                        pair[1].as_str().expect("value").into(),
                    )
                })
                .collect(),
            body: text(case, "body"),
            expected: text(case, "expected"),
            unwrap: case["unwrap"].as_str().map(String::from),
        })
        .collect::<Vec<_>>();
    assert!(cases.len() >= 20, "fixtures look truncated");
    Fixtures {
        now: UNIX_EPOCH + Duration::from_secs(now),
        tolerance: doc["tolerance_seconds"]
            .as_u64()
            .expect("tolerance_seconds"),
        cases,
    }
}

/// The fixture's spelling of an outcome.
fn outcome<T>(result: &Result<T, WebhookError>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => match err.kind() {
            WebhookErrorKind::MissingHeader(name) => format!("MissingHeader:{name}"),
            WebhookErrorKind::MissingSecret(name) => format!("MissingSecret:{name}"),
            other => format!("{other:?}"),
        },
    }
}

fn header_map(pairs: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    map
}

/// Verifies one case through every kind of header source; they must all agree.
fn verify_everywhere(webhook: &Webhook, case: &Case, now: SystemTime) -> String {
    let body = case.body.as_bytes();
    let borrowed: Vec<(&str, &str)> = case
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let hash: HashMap<String, String> = case.headers.iter().cloned().collect();
    let map = header_map(&case.headers);

    let via_slice = outcome(&webhook.verify_at(&borrowed[..], body, now));
    let results = [
        (
            "Vec<(String, String)>",
            outcome(&webhook.verify_at(&case.headers, body, now)),
        ),
        (
            "HashMap<String, String>",
            outcome(&webhook.verify_at(&hash, body, now)),
        ),
        ("&HeaderMap", outcome(&webhook.verify_at(&map, body, now))),
        (
            "HeaderMap",
            outcome(&webhook.verify_at(map.clone(), body, now)),
        ),
    ];
    for (source, result) in results {
        assert_eq!(
            result, via_slice,
            "case {}: {source} disagrees with &[(&str, &str)]",
            case.name
        );
    }
    via_slice
}

#[test]
fn every_fixture_case_gives_its_expected_outcome() {
    let fixtures = fixtures();
    assert_eq!(fixtures.tolerance, webhooks::DEFAULT_TOLERANCE.as_secs());
    let mut checked = 0;
    for case in &fixtures.cases {
        let webhook = match Webhook::new(&case.secret) {
            Ok(webhook) => webhook,
            Err(err) => {
                assert_eq!(
                    outcome::<()>(&Err(err)),
                    case.expected,
                    "case {}: secret rejected",
                    case.name
                );
                checked += 1;
                continue;
            }
        };
        let got = verify_everywhere(&webhook, case, fixtures.now);
        assert_eq!(got, case.expected, "case {}", case.name);

        // unwrap gives the same verdict first, then decodes.
        let unwrapped =
            webhook.unwrap_at::<WebhookEvent>(&case.headers, case.body.as_bytes(), fixtures.now);
        let expected_unwrap = case.unwrap.clone().unwrap_or_else(|| case.expected.clone());
        assert_eq!(
            outcome(&unwrapped),
            expected_unwrap,
            "case {}: unwrap",
            case.name
        );
        match unwrapped {
            Ok(event) => {
                assert_envelope(&event, &case.body);
                // An event type newer than the spec keeps its payload as delivered.
                if case.name == "valid_unknown_event_type" {
                    let raw: Value = serde_json::from_str(&case.body).expect("JSON");
                    assert_eq!(event.data, WebhookEventData::Unknown(raw["data"].clone()));
                }
            }
            Err(err) if err.kind() == WebhookErrorKind::Decode => {
                assert_eq!(
                    err.body(),
                    Some(case.body.as_bytes()),
                    "case {}: decode keeps the body",
                    case.name
                );
            }
            Err(err) => assert!(err.body().is_none(), "case {}", case.name),
        }
        checked += 1;
    }
    assert_eq!(checked, fixtures.cases.len());
}

/// The decoded envelope holds exactly what the body says.
fn assert_envelope(event: &WebhookEvent, body: &str) {
    let raw: Value = serde_json::from_str(body).expect("body is JSON");
    assert_eq!(
        serde_json::to_value(&event.event_type).expect("event_type serialises"),
        raw["event_type"]
    );
    assert_eq!(
        event.event_id.to_string(),
        raw["event_id"].as_str().expect("event_id")
    );
    assert_eq!(
        event.api_version,
        raw["api_version"].as_str().expect("api_version")
    );
    assert_eq!(
        event.webhook_version,
        raw["webhook_version"].as_str().expect("webhook_version")
    );
    assert_eq!(event.trace_id, raw["trace_id"].as_str().expect("trace_id"));
    assert_eq!(
        event.partner_id,
        raw["partner_id"].as_str().expect("partner_id")
    );
    // Through serde, so this holds whether `data` is a JSON map or typed by event.
    assert_eq!(
        serde_json::to_value(&event.data).expect("data serialises"),
        raw["data"]
    );
}

#[test]
fn valid_delivery_decodes_into_the_envelope() {
    let fixtures = fixtures();
    let case = fixtures
        .cases
        .iter()
        .find(|c| c.name == "valid")
        .expect("valid case");
    let webhook = Webhook::new(&case.secret).expect("secret");
    let event: WebhookEvent = webhook
        .unwrap_at(&case.headers, case.body.as_bytes(), fixtures.now)
        .expect("valid delivery");
    assert_eq!(
        serde_json::to_value(&event.event_type).expect("serialise"),
        "message.received"
    );
    assert_eq!(
        event.event_id.to_string(),
        "2915e81c-5068-4796-ace2-21d2c94ad298"
    );
    assert_eq!(event.api_version, "v3");
    assert_eq!(event.webhook_version, "2026-02-03");
    // The payload is typed by event type and version.
    match &event.data {
        WebhookEventData::MessageReceived(MessageReceivedPayload::V2026_02_03(message)) => {
            assert_eq!(message.id, "89e3566e-1d13-49e5-a8ee-48490d5bfeb7");
            assert_eq!(message.chat.id, "8f392755-6865-4b18-880a-227f9d8b458f");
            assert_eq!(message.sender_handle.handle, "+12025559876");
        }
        other => panic!("not a 2026 message.received payload: {other:?}"),
    }
    let data = serde_json::to_value(&event.data).expect("data serialises");
    assert_eq!(data["parts"][0]["value"], "Héllo from Linq 👋");
    assert_eq!(data["chat"]["id"], "8f392755-6865-4b18-880a-227f9d8b458f");
}

#[test]
fn slices_and_header_maps_both_work_case_insensitively() {
    let fixtures = fixtures();
    let case = fixtures
        .cases
        .iter()
        .find(|c| c.name == "valid")
        .expect("valid case");
    let webhook = Webhook::new(&case.secret).expect("secret");
    let body = case.body.as_bytes();
    let value = |name: &str| {
        case.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .expect(name)
    };
    let (id, ts, sig) = (
        value("webhook-id"),
        value("webhook-timestamp"),
        value("webhook-signature"),
    );

    let spellings: [[&str; 3]; 3] = [
        ["webhook-id", "webhook-timestamp", "webhook-signature"],
        ["Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"],
        ["WEBHOOK-ID", "WEBHOOK-TIMESTAMP", "WEBHOOK-SIGNATURE"],
    ];
    for [n_id, n_ts, n_sig] in spellings {
        let pairs: &[(&str, &str)] = &[(n_id, id), (n_ts, ts), (n_sig, sig)];
        webhook
            .verify_at(pairs, body, fixtures.now)
            .expect("&[(&str, &str)]");
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        webhook
            .verify_at(&map, body, fixtures.now)
            .expect("&HeaderMap");
        assert_eq!(map.header("webhook-id"), Some(id.as_bytes()));
        assert_eq!(pairs.header("webhook-id"), Some(id.as_bytes()));
    }
}

#[test]
fn free_functions_check_against_the_real_clock() {
    let fixtures = fixtures();
    let case = fixtures
        .cases
        .iter()
        .find(|c| c.name == "valid")
        .expect("valid case");
    // The fixture was signed at a fixed moment in the past: with the real clock it is a replay.
    let err =
        webhooks::verify(&case.secret, &case.headers, case.body.as_bytes()).expect_err("stale");
    assert_eq!(err.kind(), WebhookErrorKind::TimestampTooOld);
    let err = webhooks::unwrap::<WebhookEvent>(&case.secret, &case.headers, case.body.as_bytes())
        .expect_err("stale");
    assert_eq!(err.kind(), WebhookErrorKind::TimestampTooOld);
    assert!(err.is_verification_failure());

    // Re-signed now, the same body verifies and decodes.
    let (headers, body) = fresh_delivery(&case.secret, &case.body);
    webhooks::verify(&case.secret, &headers, body.as_bytes()).expect("fresh delivery");
    let event: WebhookEvent =
        webhooks::unwrap(&case.secret, &headers, body.as_bytes()).expect("decodes");
    assert_eq!(event.api_version, "v3");

    let err = webhooks::verify("whsec_***", &headers, body.as_bytes()).expect_err("bad secret");
    assert_eq!(err.kind(), WebhookErrorKind::InvalidSecret);
    assert!(!err.to_string().contains("***"), "{err}");
}

fn fresh_delivery(secret: &str, body: &str) -> (Vec<(String, String)>, String) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let signature = Webhook::new(secret)
        .expect("secret")
        .sign("msg_fresh", now, body.as_bytes());
    let headers = vec![
        ("webhook-id".to_string(), "msg_fresh".to_string()),
        ("webhook-timestamp".to_string(), now.to_string()),
        ("webhook-signature".to_string(), signature),
    ];
    (headers, body.to_string())
}

/// Sets or clears the secret's environment variable.
fn set_secret(value: Option<&str>) {
    // SAFETY: only the test below touches the environment, and no other thread of
    // this test binary reads or writes environment variables meanwhile.
    unsafe {
        match value {
            Some(v) => std::env::set_var(SECRET_ENV, v),
            None => std::env::remove_var(SECRET_ENV),
        }
    }
}

/// The only test in this binary that touches the secret's environment variable.
#[test]
fn from_env_variants_read_the_secret_from_the_environment() {
    assert_eq!(webhooks::secret_env_var(), SECRET_ENV);
    let fixtures = fixtures();
    let case = fixtures
        .cases
        .iter()
        .find(|c| c.name == "valid")
        .expect("valid case");
    let (headers, body) = fresh_delivery(&case.secret, &case.body);

    set_secret(None);
    let err = webhooks::verify_from_env(&headers, body.as_bytes()).expect_err("unset");
    assert_eq!(err.kind(), WebhookErrorKind::MissingSecret(SECRET_ENV));
    assert!(err.to_string().contains(SECRET_ENV), "{err}");
    assert!(!err.is_verification_failure());

    set_secret(Some(""));
    let err = Webhook::from_env().expect_err("empty");
    assert_eq!(err.kind(), WebhookErrorKind::MissingSecret(SECRET_ENV));

    set_secret(Some("whsec_%%%not-base64%%%"));
    let err =
        webhooks::unwrap_from_env::<WebhookEvent>(&headers, body.as_bytes()).expect_err("invalid");
    assert_eq!(err.kind(), WebhookErrorKind::InvalidSecret);
    assert!(err.to_string().contains(SECRET_ENV), "{err}");
    assert!(!err.to_string().contains("not-base64"), "{err}");

    set_secret(Some(&case.secret));
    webhooks::verify_from_env(&headers, body.as_bytes()).expect("verifies");
    let event: WebhookEvent =
        webhooks::unwrap_from_env(&headers, body.as_bytes()).expect("decodes");
    assert_eq!(event.partner_id, "your-partner-id");
    let webhook = Webhook::from_env().expect("from_env");
    assert!(!format!("{webhook:?}").contains(&case.secret[6..16]));
    set_secret(None);
}

#[test]
fn errors_are_reportable() {
    fn assert_error<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
    let fixtures = fixtures();
    for case in &fixtures.cases {
        let result = Webhook::new(&case.secret).and_then(|webhook| {
            webhook.unwrap_at::<WebhookEvent>(&case.headers, case.body.as_bytes(), fixtures.now)
        });
        if let Err(err) = result {
            assert_error(&err);
            let shown = format!("{err} {err:?}");
            assert!(!shown.is_empty());
            // The key material never appears in messages.
            let key = case.secret.trim_start_matches("whsec_");
            if key.len() >= 8 {
                assert!(!shown.contains(&key[..8]), "case {}: {shown}", case.name);
            }
            let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
            assert!(!boxed.to_string().is_empty());
        }
    }
}

#[test]
fn tolerance_can_be_widened_for_replaying_stored_deliveries() {
    let fixtures = fixtures();
    let case = fixtures
        .cases
        .iter()
        .find(|c| c.name == "expired_timestamp_one_day")
        .expect("case");
    let strict = Webhook::new(&case.secret).expect("secret");
    let err = strict
        .verify_at(&case.headers, case.body.as_bytes(), fixtures.now)
        .expect_err("a day old");
    assert_eq!(err.kind(), WebhookErrorKind::TimestampTooOld);
    assert_eq!(err.timestamp(), Some(1770321138 - 86400));
    let lenient = strict.with_tolerance(Duration::from_secs(2 * 86400));
    lenient
        .verify_at(&case.headers, case.body.as_bytes(), fixtures.now)
        .expect("within two days");
}
