//! Per-request options.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

/// Options for the requests made through one resource handle, overriding the
/// client's defaults: pass them to the handle's `with_options`, e.g.
/// `RequestOptions::new().timeout(Duration::from_secs(5)).max_retries(0)`.
/// Options given in several `with_options` calls add up; the later call wins for a
/// setting given twice.
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) retry_non_idempotent: Option<bool>,
    /// Extra query parameters, in the order given.
    pub(crate) query: Vec<(String, Value)>,
    /// Extra top-level fields of a JSON body.
    pub(crate) extra_body: Map<String, Value>,
    /// Why `query` or `extra_body` could not be taken; requests then fail with it.
    pub(crate) invalid: Option<String>,
}

impl RequestOptions {
    /// Options that change nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Timeout of each attempt (the whole exchange: connecting, sending, reading the
    /// response body), instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many times a failed attempt is retried, instead of the client's.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// Adds a header to the requests, replacing a client default of the same name (an
    /// `Authorization` header replaces the client's API key for these requests).
    /// An invalid name or value makes the request fail with
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The idempotency key of the calls made with these options, instead of one the
    /// client makes up (for APIs whose configuration declares an idempotency header or
    /// body field). A key already in the request (a header set with
    /// [`header`](Self::header), or the body field filled in) is never replaced.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Whether POST and PATCH requests that carry no idempotency key are retried on
    /// any retryable failure (`true`, the default, as the official SDKs do), or only on
    /// failures that show the request was not processed (`false`: a 429, a connection
    /// that could not be opened, or a server answer of `x-should-retry: true`).
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = Some(retry);
        self
    }

    /// Adds query parameters, from a struct or map (each field one parameter, arrays
    /// repeating the name, objects written `name[key]=value`; `None` left out). A value
    /// that is not an object makes the requests fail with
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest).
    pub fn query(mut self, params: &impl Serialize) -> Self {
        match object(params, "query") {
            Ok(fields) => self.query.extend(fields),
            Err(problem) => self.invalid = self.invalid.or(Some(problem)),
        }
        self
    }

    /// Adds fields to the JSON object body of the requests (a field of the same name is
    /// replaced), from a struct or map; a request without a body gets these fields as
    /// its body. A value that is not an object, or a request whose body is not a JSON
    /// object, fails with [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest).
    pub fn extra_body(mut self, fields: &impl Serialize) -> Self {
        match object(fields, "extra body") {
            Ok(fields) => self.extra_body.extend(fields),
            Err(problem) => self.invalid = self.invalid.or(Some(problem)),
        }
        self
    }

    /// These options overridden by the ones set in `later`.
    pub(crate) fn merge(mut self, later: RequestOptions) -> Self {
        self.timeout = later.timeout.or(self.timeout);
        self.max_retries = later.max_retries.or(self.max_retries);
        self.headers.extend(later.headers);
        self.idempotency_key = later.idempotency_key.or(self.idempotency_key);
        self.retry_non_idempotent = later.retry_non_idempotent.or(self.retry_non_idempotent);
        self.query.extend(later.query);
        self.extra_body.extend(later.extra_body);
        self.invalid = self.invalid.or(later.invalid);
        self
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may hold credentials: show only the names.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &names)
            .field("idempotency_key", &self.idempotency_key.is_some())
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .field("query_params", &self.query.len())
            .field("extra_body_fields", &self.extra_body.len())
            .finish()
    }
}

/// `value` as the fields of a JSON object, or why it is not one.
fn object(value: &impl Serialize, what: &str) -> Result<Map<String, Value>, String> {
    match serde_json::to_value(value) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(format!("the {what} option must be a struct or a map")),
        Err(source) => Err(format!("the {what} option cannot be serialised: {source}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_options_win() {
        let base = RequestOptions::new()
            .timeout(Duration::from_secs(1))
            .max_retries(5)
            .header("a", "1");
        let merged = base.merge(RequestOptions::new().max_retries(0).header("b", "2"));
        assert_eq!(merged.timeout, Some(Duration::from_secs(1)));
        assert_eq!(merged.max_retries, Some(0));
        assert_eq!(merged.headers.len(), 2);
    }

    #[test]
    fn query_and_extra_body_take_objects_only() {
        let options = RequestOptions::new()
            .query(&serde_json::json!({"a": 1}))
            .extra_body(&serde_json::json!({"b": true}))
            .merge(RequestOptions::new().extra_body(&serde_json::json!({"b": false})));
        assert_eq!(options.query.len(), 1);
        assert_eq!(options.extra_body["b"], false);
        assert!(options.invalid.is_none());
        assert!(RequestOptions::new().query(&3).invalid.is_some());
        assert!(RequestOptions::new().extra_body(&"x").invalid.is_some());
    }

    #[test]
    fn debug_hides_header_values() {
        let options = RequestOptions::new().header("x-secret", "hunter2");
        let debug = format!("{options:?}");
        assert!(
            debug.contains("x-secret") && !debug.contains("hunter2"),
            "{debug}"
        );
    }
}
