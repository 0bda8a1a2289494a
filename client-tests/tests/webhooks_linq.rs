//! Receiving webhooks signed the way Linq's documentation describes
//! (`X-Webhook-Timestamp`, hex HMAC-SHA256 of `{timestamp}.{body}` in
//! `X-Webhook-Signature`, keyed with the secret as given), and the choice between that
//! scheme and Standard Webhooks from the headers a delivery carries.
//!
//! `fixtures/linq_webhooks.json` is produced by `fixtures/make_linq_webhook_fixtures.py`
//! with Python's `hmac`, exactly as the documentation's example computes signatures.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use linq_api::webhooks::{Scheme, Webhook, WebhookError, WebhookErrorKind};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

struct Case {
    name: String,
    secret: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    expected: String,
    scheme: Option<String>,
}

fn fixtures() -> (SystemTime, u64, Vec<Case>) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/linq_webhooks.json");
    let raw = std::fs::read_to_string(path).expect("read fixtures/linq_webhooks.json");
    let doc: Value = serde_json::from_str(&raw).expect("fixtures are JSON");
    let text = |case: &Value, key: &str| case[key].as_str().map(String::from);
    let cases: Vec<Case> = doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| Case {
            name: text(case, "name").expect("name"),
            secret: text(case, "secret").expect("secret"),
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
            body: match (text(case, "body"), text(case, "body_hex")) {
                (Some(body), None) => body.into_bytes(),
                (None, Some(hex)) => (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                    .collect(),
                _ => panic!("case needs body or body_hex: {case}"),
            },
            expected: text(case, "expected").expect("expected"),
            scheme: text(case, "scheme"),
        })
        .collect();
    assert!(cases.len() >= 20, "fixtures look truncated");
    let now = UNIX_EPOCH + Duration::from_secs(doc["now"].as_u64().expect("now"));
    let tolerance = doc["tolerance_seconds"].as_u64().expect("tolerance");
    (now, tolerance, cases)
}

fn outcome<T>(result: &Result<T, WebhookError>) -> String {
    match result {
        Ok(_) => "ok".into(),
        Err(err) => match err.kind() {
            WebhookErrorKind::MissingHeader(name) => format!("MissingHeader:{name}"),
            other => format!("{other:?}"),
        },
    }
}

fn scheme_named(name: &str) -> Scheme {
    *Scheme::all()
        .iter()
        .find(|s| s.name() == name)
        .unwrap_or_else(|| panic!("no scheme {name}"))
}

#[test]
fn the_crate_knows_both_schemes_standard_webhooks_first() {
    let names: Vec<&str> = Scheme::all().iter().map(|s| s.name()).collect();
    assert_eq!(names, ["standard-webhooks", "linq"]);
    assert_eq!(Scheme::LINQ.signature_header(), "x-webhook-signature");
    assert_eq!(Scheme::LINQ.timestamp_header(), "x-webhook-timestamp");
    assert_eq!(Scheme::LINQ.id_header(), None);
    assert_eq!(Scheme::STANDARD_WEBHOOKS, Scheme::standard_webhooks());
}

#[test]
fn every_fixture_case_gives_its_expected_outcome() {
    let (now, tolerance, cases) = fixtures();
    assert_eq!(tolerance, linq_api::webhooks::DEFAULT_TOLERANCE.as_secs());
    for case in &cases {
        let webhook = Webhook::new(&case.secret).expect("every fixture secret is usable");
        let borrowed: Vec<(&str, &str)> = case
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let hash: HashMap<String, String> = case.headers.iter().cloned().collect();
        let mut map = HeaderMap::new();
        for (name, value) in &case.headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        let got = outcome(&webhook.verify_at(&borrowed[..], &case.body, now));
        assert_eq!(got, case.expected, "case {}", case.name);
        assert_eq!(
            outcome(&webhook.verify_at(&hash, &case.body, now)),
            got,
            "case {}: HashMap",
            case.name
        );
        assert_eq!(
            outcome(&webhook.verify_at(&map, &case.body, now)),
            got,
            "case {}: HeaderMap",
            case.name
        );

        if let Some(scheme) = &case.scheme {
            // Forcing the scheme that verified it gives the same answer.
            let forced = Webhook::new(&case.secret)
                .and_then(|w| w.with_scheme(scheme_named(scheme)))
                .expect("the secret keys the scheme");
            forced
                .verify_at(&case.headers, &case.body, now)
                .unwrap_or_else(|e| panic!("case {}: forced {scheme}: {e}", case.name));
            // A Linq-signed delivery never passes as Standard Webhooks.
            if scheme == "linq" {
                let other = Webhook::new(&case.secret)
                    .and_then(|w| w.with_scheme(Scheme::STANDARD_WEBHOOKS))
                    .and_then(|w| w.verify_at(&case.headers, &case.body, now));
                assert!(other.is_err(), "case {}", case.name);
            }
            // unwrap verifies, then decodes (the body that is not UTF-8 is not JSON).
            let decoded = webhook.unwrap_at::<Value>(&case.headers, &case.body, now);
            match std::str::from_utf8(&case.body) {
                Ok(text) => assert_eq!(
                    decoded.expect("decodes"),
                    serde_json::from_str::<Value>(text).expect("JSON"),
                    "case {}",
                    case.name
                ),
                Err(_) => assert_eq!(
                    decoded.expect_err("not JSON").kind(),
                    WebhookErrorKind::Decode
                ),
            }
        }
    }
}

#[test]
fn signing_with_the_linq_scheme_matches_python() {
    let (now, _, cases) = fixtures();
    let valid = cases.iter().find(|c| c.name == "valid").expect("valid");
    let ts: u64 = valid
        .headers
        .iter()
        .find(|(k, _)| k == "X-Webhook-Timestamp")
        .map(|(_, v)| v.parse().expect("number"))
        .expect("timestamp");
    let python = &valid
        .headers
        .iter()
        .find(|(k, _)| k == "X-Webhook-Signature")
        .expect("signature")
        .1;
    let webhook = Webhook::new(&valid.secret).expect("secret");
    let headers = Scheme::LINQ
        .sign(&webhook, "", ts, &valid.body)
        .expect("signs");
    assert_eq!(
        headers,
        [
            ("x-webhook-timestamp", ts.to_string()),
            ("x-webhook-signature", python.clone())
        ]
    );
    webhook
        .verify_at(&headers, &valid.body, now)
        .expect("verifies");
}

#[test]
fn a_fresh_linq_delivery_verifies_with_the_free_functions() {
    let secret = "whsec_any text at all, used as given";
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let body = br#"{"event_type":"chat.created"}"#;
    let webhook = Webhook::new(secret).expect("secret");
    let headers = Scheme::LINQ.sign(&webhook, "", now, body).expect("signs");
    linq_api::webhooks::verify(secret, &headers, body).expect("verifies");
    let value: Value = linq_api::webhooks::unwrap(secret, &headers, body).expect("decodes");
    assert_eq!(value["event_type"], "chat.created");
    let err = linq_api::webhooks::verify(secret, [("x-webhook-event", "chat.created")], body)
        .expect_err("no signature");
    assert_eq!(err.kind(), WebhookErrorKind::NoSignatureHeader);
    assert!(err.is_verification_failure());
    assert!(err.to_string().contains("x-webhook-signature"), "{err}");
}
