//! The one error type of the client.
//!
//! API errors (a non-2xx response) keep the status, the headers and the raw body, and
//! expose the code and message of the API's error envelope (where they live is a
//! setting of the generated crate: `settings::ERROR_CODE_FIELDS`,
//! `settings::ERROR_MESSAGE_FIELDS`). Transport errors keep their cause as [`std::error::Error::source`].

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::settings;

/// At most this many bytes of an error response's body, or of a body that failed to
/// decode, are kept in an [`Error`] (the rest is not read, or dropped).
pub(crate) const MAX_KEPT_BODY: usize = 1024 * 1024;

/// Type-erased cause of an error.
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong; see [`Error::kind`].
///
/// The first nine variants are HTTP statuses returned by the API (see
/// [`ErrorKind::from_status`]); the others happen without an HTTP error response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// HTTP 400.
    BadRequest,
    /// HTTP 401: the API key is missing or invalid.
    Authentication,
    /// HTTP 403: the API key may not do this.
    PermissionDenied,
    /// HTTP 404.
    NotFound,
    /// HTTP 409.
    Conflict,
    /// HTTP 422.
    UnprocessableEntity,
    /// HTTP 429: too many requests.
    RateLimit,
    /// Any HTTP 5xx.
    InternalServer,
    /// Any other non-2xx HTTP status.
    ApiStatus,
    /// The connection could not be made, or broke before the response was complete.
    Connection,
    /// An attempt took longer than the configured timeout.
    Timeout,
    /// A 2xx response whose body is not what the operation returns; the raw body is
    /// kept (see [`Error::body`]).
    Decode,
    /// The request could not be built (an invalid path parameter, a body that does not
    /// serialise, an invalid header...); nothing was sent.
    InvalidRequest,
    /// The client could not be built (no API key, an invalid base URL...).
    Config,
    /// The pages of a list do not advance (the server repeated a position) or point
    /// where the client does not follow (a next-page link to another origin).
    Pagination,
    /// A successful response's body is larger than the client's maximum body size
    /// ([`ClientBuilder::max_body_size`](super::ClientBuilder::max_body_size)); status
    /// and headers are kept, the body is not.
    BodyTooLarge,
}

impl ErrorKind {
    /// The kind of an API error with this HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Authentication,
            403 => Self::PermissionDenied,
            404 => Self::NotFound,
            409 => Self::Conflict,
            422 => Self::UnprocessableEntity,
            429 => Self::RateLimit,
            500..=599 => Self::InternalServer,
            _ => Self::ApiStatus,
        }
    }

    /// Whether this kind stands for an HTTP error response from the API.
    pub fn is_api_status(self) -> bool {
        matches!(
            self,
            Self::BadRequest
                | Self::Authentication
                | Self::PermissionDenied
                | Self::NotFound
                | Self::Conflict
                | Self::UnprocessableEntity
                | Self::RateLimit
                | Self::InternalServer
                | Self::ApiStatus
        )
    }
}

/// An error from the client: an API error response, a transport failure, an
/// undecodable response, an invalid request or an invalid configuration.
///
/// Neither `Display` nor `Debug` ever shows the API key.
pub struct Error {
    // Boxed so that `Result<T, Error>` stays small on the happy path.
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<StatusCode>,
    headers: Option<HeaderMap>,
    body: Option<Bytes>,
    /// The body parsed as JSON, when it is JSON.
    json: Option<serde_json::Value>,
    /// What went wrong, for errors that are not API errors.
    detail: Option<String>,
    source: Option<Source>,
}

impl Error {
    fn new(kind: ErrorKind) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                status: None,
                headers: None,
                body: None,
                json: None,
                detail: None,
                source: None,
            }),
        }
    }

    fn with_detail(kind: ErrorKind, detail: impl Into<String>) -> Self {
        let mut error = Self::new(kind);
        error.inner.detail = Some(detail.into());
        error
    }

    /// The client could not be built.
    pub(crate) fn config(detail: impl Into<String>) -> Self {
        Self::with_detail(ErrorKind::Config, detail)
    }

    /// The request could not be built; nothing was sent.
    pub(crate) fn invalid_request(detail: impl Into<String>) -> Self {
        Self::with_detail(ErrorKind::InvalidRequest, detail)
    }

    /// Like [`Error::invalid_request`], keeping the cause.
    pub(crate) fn invalid_request_from(
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let mut error = Self::invalid_request(detail);
        error.inner.source = Some(Box::new(source));
        error
    }

    /// The pages of a list cannot be followed.
    pub(crate) fn pagination(detail: impl Into<String>) -> Self {
        Self::with_detail(ErrorKind::Pagination, detail)
    }

    /// A non-2xx response.
    pub(crate) fn from_response(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        let mut error = Self::new(ErrorKind::from_status(status.as_u16()));
        error.inner.json = serde_json::from_slice(&body).ok();
        error.inner.status = Some(status);
        error.inner.headers = Some(headers);
        error.inner.body = Some(body);
        error
    }

    /// A 2xx response whose body could not be decoded.
    pub(crate) fn decode(
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let mut error = Self::with_detail(ErrorKind::Decode, source.to_string());
        error.inner.status = Some(status);
        error.inner.headers = Some(headers);
        // A prefix identifies what came back without holding a large body alive.
        error.inner.body = Some(body.slice(..body.len().min(MAX_KEPT_BODY)));
        error.inner.source = Some(Box::new(source));
        error
    }

    /// An error of a [`Middleware`](super::Middleware) that stops a request before it
    /// is sent (a signature that cannot be made...): of kind
    /// [`ErrorKind::InvalidRequest`], not retried.
    pub fn middleware(
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::invalid_request_from(detail, source)
    }

    /// A successful response whose body exceeds `limit` bytes.
    pub(crate) fn body_too_large(status: StatusCode, headers: HeaderMap, limit: usize) -> Self {
        let mut error = Self::with_detail(
            ErrorKind::BodyTooLarge,
            format!("the response body exceeds the limit of {limit} bytes"),
        );
        error.inner.status = Some(status);
        error.inner.headers = Some(headers);
        error
    }

    /// A transport failure reported by reqwest.
    pub(crate) fn transport(source: reqwest::Error) -> Self {
        // The URL may carry the API key (query-parameter auth): drop it before the error
        // can be displayed or logged.
        let source = source.without_url();
        let kind = if source.is_timeout() {
            ErrorKind::Timeout
        } else if source.is_builder() {
            ErrorKind::InvalidRequest
        } else {
            ErrorKind::Connection
        };
        let mut error = Self::with_detail(kind, describe_chain(&source));
        error.inner.source = Some(Box::new(source));
        error
    }

    /// An attempt did not finish within `timeout`.
    pub(crate) fn timeout(timeout: Duration) -> Self {
        Self::with_detail(
            ErrorKind::Timeout,
            format!("no complete response within {timeout:?}"),
        )
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, for API errors and decode errors.
    pub fn status(&self) -> Option<u16> {
        self.inner.status.map(|s| s.as_u16())
    }

    /// The API's error code, when it is a number: read where the spec's error schema
    /// (or the generator's config) puts it, e.g. `error.code`.
    pub fn code(&self) -> Option<i64> {
        self.code_value()?.as_i64()
    }

    /// The API's error code, when it is text (`"card_declined"`): read from the same
    /// place as [`Error::code`].
    pub fn code_text(&self) -> Option<&str> {
        self.code_value()?.as_str()
    }

    /// The first of the API's code fields present in the body as a number or a string.
    fn code_value(&self) -> Option<&serde_json::Value> {
        let json = self.inner.json.as_ref()?;
        settings::ERROR_CODE_FIELDS
            .iter()
            .filter_map(|pointer| json.pointer(pointer))
            .find(|v| v.is_i64() || v.is_string())
    }

    /// The API's error message: read where the spec's error schema (or the
    /// generator's config) puts it, e.g. `error.message`.
    pub fn message(&self) -> Option<&str> {
        let json = self.inner.json.as_ref()?;
        settings::ERROR_MESSAGE_FIELDS
            .iter()
            .find_map(|pointer| json.pointer(pointer)?.as_str())
    }

    /// The response headers, for API errors and decode errors.
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.inner.headers.as_ref()
    }

    /// The raw response body, for API errors and decode errors: at most its first
    /// MiB (a longer body is cut there).
    pub fn body(&self) -> Option<&[u8]> {
        self.inner.body.as_deref()
    }

    /// The response body parsed as JSON, when it is JSON.
    pub fn body_json(&self) -> Option<&serde_json::Value> {
        self.inner.json.as_ref()
    }

    /// The response body decoded as `T`, when it decodes.
    pub fn body_as<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(self.body()?).ok()
    }

    /// The request id the server gave: the `x-request-id`, else `request-id` header,
    /// else the body field the API returns it in (for APIs that declare one).
    pub fn request_id(&self) -> Option<&str> {
        self.headers().and_then(request_id).or_else(|| {
            let pointer = settings::REQUEST_ID_FIELD?;
            self.inner.json.as_ref()?.pointer(pointer)?.as_str()
        })
    }

    /// Whether this is a failure to connect (refused, or timed out while connecting):
    /// nothing was sent.
    pub(crate) fn is_connect_failure(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Connection | ErrorKind::Timeout)
            && self
                .inner
                .source
                .as_deref()
                .and_then(|source| source.downcast_ref::<reqwest::Error>())
                .is_some_and(reqwest::Error::is_connect)
    }

    /// Whether a transport failure or API error of this kind may succeed when retried
    /// (what the client's own retry policy considers, minus the server's hints).
    pub fn is_transient(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Connection
            | ErrorKind::Timeout
            | ErrorKind::Conflict
            | ErrorKind::RateLimit
            | ErrorKind::InternalServer => true,
            ErrorKind::ApiStatus => self.status() == Some(408),
            _ => false,
        }
    }
}

/// The request id in `headers`: `x-request-id`, else `request-id`.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    ["x-request-id", "request-id"]
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

/// `outer: innermost` for an error chain: reqwest's own message is generic ("error
/// sending request"), the useful part ("Connection refused") sits at the bottom.
fn describe_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut root = error;
    while let Some(next) = root.source() {
        root = next;
    }
    let (outer, inner) = (error.to_string(), root.to_string());
    if std::ptr::addr_eq(root, error) || outer == inner {
        outer
    } else {
        format!("{outer}: {inner}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        if let (true, Some(status)) = (inner.kind.is_api_status(), inner.status) {
            write!(f, "{}", status.as_u16())?;
            if let Some(reason) = status.canonical_reason() {
                write!(f, " {reason}")?;
            }
            if let Some(message) = self.message() {
                write!(f, ": {message}")?;
            }
            return Ok(());
        }
        match inner.kind {
            ErrorKind::Decode => {
                f.write_str("could not decode the response body")?;
                if let Some(status) = inner.status {
                    write!(f, " (HTTP {})", status.as_u16())?;
                }
            }
            ErrorKind::Connection => f.write_str("connection error")?,
            ErrorKind::Timeout => f.write_str("request timed out")?,
            ErrorKind::InvalidRequest => f.write_str("invalid request")?,
            ErrorKind::Config => f.write_str("invalid client configuration")?,
            ErrorKind::Pagination => f.write_str("cannot follow the pages")?,
            ErrorKind::BodyTooLarge => f.write_str("response body too large")?,
            // API kinds always carry a status; this arm only keeps the match total.
            kind => write!(f, "{kind:?}")?,
        }
        if let Some(detail) = &inner.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut debug = f.debug_struct("Error");
        debug.field("kind", &inner.kind);
        if let Some(status) = inner.status {
            debug.field("status", &status.as_u16());
        }
        if let Some(code) = self.code() {
            debug.field("code", &code);
        }
        if let Some(message) = self.message() {
            debug.field("message", &message);
        }
        if let Some(detail) = &inner.detail {
            debug.field("detail", detail);
        }
        if let Some(id) = self.request_id() {
            debug.field("request_id", &id);
        }
        if let Some(body) = &inner.body {
            // A whole HTML error page would drown the rest; a prefix identifies it.
            const MAX: usize = 512;
            let text = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
            debug.field("body", &text);
        }
        if let Some(source) = &inner.source {
            debug.field("source", source);
        }
        debug.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn api_error(status: u16, body: &str) -> Error {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", HeaderValue::from_static("req_123"));
        let status = StatusCode::from_u16(status).unwrap();
        Error::from_response(status, headers, Bytes::from(body.to_owned()))
    }

    #[test]
    fn classifies_statuses() {
        let cases = [
            (400, ErrorKind::BadRequest),
            (401, ErrorKind::Authentication),
            (403, ErrorKind::PermissionDenied),
            (404, ErrorKind::NotFound),
            (408, ErrorKind::ApiStatus),
            (409, ErrorKind::Conflict),
            (418, ErrorKind::ApiStatus),
            (422, ErrorKind::UnprocessableEntity),
            (429, ErrorKind::RateLimit),
            (500, ErrorKind::InternalServer),
            (502, ErrorKind::InternalServer),
            (599, ErrorKind::InternalServer),
            (302, ErrorKind::ApiStatus),
            (600, ErrorKind::ApiStatus),
        ];
        for (status, kind) in cases {
            assert_eq!(ErrorKind::from_status(status), kind, "{status}");
            assert_eq!(api_error(status, "").kind(), kind, "{status}");
        }
    }

    #[test]
    fn reads_the_envelope() {
        let err = api_error(
            404,
            r#"{"error":{"status":404,"code":2001,"message":"Resource not found"},"success":false}"#,
        );
        assert_eq!(err.status(), Some(404));
        assert_eq!(err.code(), Some(2001));
        assert_eq!(err.message(), Some("Resource not found"));
        assert_eq!(err.request_id(), Some("req_123"));
        assert_eq!(err.to_string(), "404 Not Found: Resource not found");
        assert_eq!(
            err.body_json().and_then(|v| v.get("success")),
            Some(&serde_json::Value::Bool(false))
        );
        #[derive(serde::Deserialize)]
        struct Envelope {
            success: bool,
        }
        assert_eq!(err.body_as::<Envelope>().map(|e| e.success), Some(false));
    }

    /// A JSON object with `value` at `pointer` (`/a/b` -> `{"a": {"b": value}}`).
    fn at(pointer: &str, value: serde_json::Value) -> serde_json::Value {
        pointer.rsplit('/').filter(|s| !s.is_empty()).fold(
            value,
            |inner, key| serde_json::json!({ key.replace("~1", "/").replace("~0", "~"): inner }),
        )
    }

    #[test]
    fn reads_code_and_message_where_the_settings_say() {
        for pointer in settings::ERROR_CODE_FIELDS {
            let number = at(pointer, serde_json::json!(7)).to_string();
            let err = api_error(422, &number);
            assert_eq!((err.code(), err.code_text()), (Some(7), None), "{number}");
            let text = at(pointer, serde_json::json!("card_declined")).to_string();
            let err = api_error(402, &text);
            assert_eq!(
                (err.code(), err.code_text()),
                (None, Some("card_declined")),
                "{text}"
            );
        }
        for pointer in settings::ERROR_MESSAGE_FIELDS {
            let body = at(pointer, serde_json::json!("bad field")).to_string();
            let err = api_error(400, &body);
            assert_eq!(err.message(), Some("bad field"), "{body}");
            assert_eq!(err.to_string(), "400 Bad Request: bad field");
        }
        // Fields elsewhere are not guessed at.
        let err = api_error(400, r#"{"elsewhere":{"code":1,"message":"m"}}"#);
        assert_eq!(
            (err.code(), err.code_text(), err.message()),
            (None, None, None)
        );
    }

    #[test]
    fn keeps_a_non_json_body() {
        let page = "<html><body>502 Bad Gateway</body></html>";
        let err = api_error(502, page);
        assert_eq!(err.kind(), ErrorKind::InternalServer);
        assert_eq!(err.body(), Some(page.as_bytes()));
        assert!(err.body_json().is_none());
        assert_eq!(err.to_string(), "502 Bad Gateway");
        let err = api_error(599, "");
        assert_eq!(err.to_string(), "599");
    }

    #[test]
    fn decode_error_keeps_body() {
        let source = serde_json::from_str::<serde_json::Value>("{\"a\":").unwrap_err();
        let err = Error::decode(
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from_static(b"{\"a\":"),
            source,
        );
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert_eq!(err.status(), Some(200));
        assert_eq!(err.body(), Some(&b"{\"a\":"[..]));
        assert!(
            err.to_string()
                .starts_with("could not decode the response body (HTTP 200): ")
        );
        assert!(std::error::Error::source(&err).is_some());
    }

    #[test]
    fn other_kinds_display_their_detail() {
        assert_eq!(
            Error::config("no API key").to_string(),
            "invalid client configuration: no API key"
        );
        assert_eq!(
            Error::invalid_request("empty path parameter").to_string(),
            "invalid request: empty path parameter"
        );
        let err = Error::timeout(Duration::from_millis(250));
        assert_eq!(err.kind(), ErrorKind::Timeout);
        assert_eq!(
            err.to_string(),
            "request timed out: no complete response within 250ms"
        );
        assert!(err.is_transient());
    }

    #[test]
    fn debug_shows_the_useful_parts() {
        let err = api_error(
            401,
            r#"{"error":{"status":401,"code":2004,"message":"Missing or invalid token"}}"#,
        );
        let debug = format!("{err:?}");
        for part in [
            "Authentication",
            "401",
            "2004",
            "Missing or invalid token",
            "req_123",
        ] {
            assert!(debug.contains(part), "{debug}");
        }
    }

    #[test]
    fn error_is_send_sync_static_and_small() {
        fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
        assert_error::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }
}
