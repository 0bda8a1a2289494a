//! Helpers of the contract suite (`tests/contract.rs`), the same for every API: the
//! client for the mock server, the checks of an exchange, and the per-operation report.
//!
//! The suite's root declares what differs between APIs: `api` (the client crate),
//! `BASE_URL_ENV`, and `Envelope` (the API's error type, `serde_json::Value` when it
//! has none).

use std::io::Write as _;

use serde_json::Value;

use crate::api::{Client, Error, RequestOptions};

/// A client for the mock server named by the environment, never the real API.
pub fn client() -> Client {
    let env = crate::BASE_URL_ENV;
    let base_url = std::env::var(env)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| {
            panic!("{env} must point at the mock server: run `cargo xtask contract`")
        });
    Client::builder()
        .base_url(base_url)
        // The mock server accepts any credentials.
        .api_key("contract-test-key")
        .max_retries(0)
        .build()
        .expect("a client for the mock server")
}

/// Asks the mock server for the documented response with this status. Error
/// responses may use another media type than the success response
/// (`application/problem+json`), which the server only picks if accepted.
pub fn prefer_status(status: u16) -> RequestOptions {
    RequestOptions::new()
        .header("Prefer", format!("code={status}"))
        .header("Accept", "application/json, */*;q=0.5")
}

/// The server's report (Prism's `sl-violations` header) when the exchange breaks
/// the spec: at a `request` location the call is wrong, at a `response` location
/// the spec's own example is.
pub fn violations(headers: Option<&reqwest::header::HeaderMap>) -> Option<String> {
    let report = headers?.get("sl-violations")?;
    Some(String::from_utf8_lossy(report.as_bytes()).into_owned())
}

/// Fails with the server's report when it found a violation of the spec.
pub fn assert_valid_request(headers: Option<&reqwest::header::HeaderMap>) {
    if let Some(report) = violations(headers) {
        panic!("the mock server reports violations of the spec: {report}");
    }
}

/// Fails a call that should have succeeded, with the server's report when it
/// found a violation of the spec.
pub fn fail(err: &Error) -> ! {
    match violations(err.headers()) {
        Some(report) => {
            panic!("the mock server reports violations of the spec: {report}\n({err})")
        }
        None => {
            // The body tells a request the server rejected from one it could not answer.
            let body = err.body().map(String::from_utf8_lossy).unwrap_or_default();
            let body: String = body.chars().take(2000).collect();
            panic!("the call failed: {err}\nbody: {body}")
        }
    }
}

/// JSON from the spec, written as text.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// JSON equality that reads numbers by value and timestamps by instant, since a
/// decode and re-encode may respell them (`1` as `1.0`, `+00:00` as `Z`).
pub fn same_json(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::String(a), Value::String(b)) => a == b || same_instant(a, b),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_json(a, b))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_json(v, w)))
        }
        (a, b) => a == b,
    }
}

/// Whether both strings are RFC 3339 timestamps of the same instant.
pub fn same_instant(a: &str, b: &str) -> bool {
    let parse = crate::api::chrono::DateTime::parse_from_rfc3339;
    match (parse(a), parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A documented error response and what the client must make of it.
pub struct ErrorExample {
    /// The HTTP status.
    pub status: u16,
    /// The spec's example body (what the mock server sends), if it has one.
    pub body: Option<Value>,
    /// The error code the client must read from the body, when it is a number.
    pub code: Option<i64>,
    /// The error code the client must read from the body, when it is text.
    pub code_text: Option<&'static str>,
    /// The error message the client must read from the body.
    pub message: Option<&'static str>,
    /// The body decoded as the API's error type, when the example fits it.
    pub envelope: Option<crate::Envelope>,
}

impl ErrorExample {
    /// Fails unless `result` is the error this example describes.
    pub fn check(&self, result: Result<impl std::fmt::Debug, Error>) {
        let status = self.status;
        let err = match result {
            Ok(value) => panic!("status {status} was asked for, but the call succeeded: {value:?}"),
            Err(err) => err,
        };
        assert_valid_request(err.headers());
        assert_eq!(err.status(), Some(status), "{err}");
        let Some(body) = &self.body else {
            return;
        };
        let received = err.body_json().expect("a JSON error body");
        let same = same_json(received, body);
        assert!(same, "status {status}: got {received}, want {body}");
        assert_eq!(err.code(), self.code, "status {status}");
        assert_eq!(err.code_text(), self.code_text, "status {status}");
        assert_eq!(err.message(), self.message, "status {status}");
        if let Some(envelope) = &self.envelope {
            let decoded = err.body_as::<crate::Envelope>();
            assert_eq!(decoded.as_ref(), Some(envelope), "status {status}");
        }
    }
}

/// The environment variable naming a file to which each test appends one JSON line:
/// `{"test", "operation", "passed"}` (read by `cargo xtask corpus --contract`).
pub const REPORT_ENV: &str = "CONTRACT_REPORT";

/// Records, when dropped at the end of a test, whether the test passed (it did unless
/// it is unwinding from a failure).
pub struct Exercise {
    operation: &'static str,
    test: &'static str,
}

/// Starts recording the test `test`, which exercises `operation` (`GET /path`).
pub fn exercise(operation: &'static str, test: &'static str) -> Exercise {
    Exercise { operation, test }
}

impl Drop for Exercise {
    fn drop(&mut self) {
        let Some(path) = std::env::var_os(REPORT_ENV) else {
            return;
        };
        let line = serde_json::json!({
            "test": self.test,
            "operation": self.operation,
            "passed": !std::thread::panicking(),
        });
        // One write per line, appended: lines of tests on other threads do not mix.
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(format!("{line}\n").as_bytes()));
        if let Err(e) = written {
            eprintln!(
                "cannot append to the report {}: {e}",
                path.to_string_lossy()
            );
        }
    }
}
