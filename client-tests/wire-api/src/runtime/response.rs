//! Successful responses: [`RawResponse`] as received, [`ApiResponse`] once decoded.

use std::marker::PhantomData;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::{self, Error};

/// A 2xx response, body fully read, not yet decoded.
///
/// Its methods are `async` so that a later version may stream the body without
/// changing the emitted code; today the body is read inside the attempt, so a
/// connection that breaks mid-body is retried like any connection error.
#[derive(Debug)]
pub struct RawResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl RawResponse {
    pub(crate) fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }

    /// Decodes the body as JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`](super::ErrorKind::Decode), keeping the raw body, if it is
    /// not a `T`.
    pub async fn json<T: DeserializeOwned>(self) -> Result<ApiResponse<T>, Error> {
        Json::decode(self)
    }

    /// Ignores the body (for operations without response content).
    pub async fn empty(self) -> Result<ApiResponse<()>, Error> {
        Empty::decode(self)
    }

    /// The body as bytes.
    pub async fn bytes(self) -> Result<ApiResponse<Bytes>, Error> {
        Binary::decode(self)
    }

    /// The body as UTF-8 text.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`](super::ErrorKind::Decode) if it is not UTF-8.
    pub async fn text(self) -> Result<ApiResponse<String>, Error> {
        Text::decode(self)
    }

    fn decode_json<T: DeserializeOwned>(self) -> Result<ApiResponse<T>, Error> {
        // An empty body reads as `null`, so that `()` and `Option<T>` accept it.
        let text: &[u8] = if self.body.trim_ascii().is_empty() {
            b"null"
        } else {
            &self.body
        };
        match serde_json::from_slice(text) {
            Ok(value) => Ok(self.with_value(value)),
            Err(source) => Err(Error::decode(self.status, self.headers, self.body, source)),
        }
    }

    fn decode_text(self) -> Result<ApiResponse<String>, Error> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(text) => Ok(self.with_value(text)),
            Err(source) => Err(Error::decode(self.status, self.headers, self.body, source)),
        }
    }

    fn with_value<T>(self, value: T) -> ApiResponse<T> {
        ApiResponse {
            status: self.status,
            headers: self.headers,
            value,
        }
    }
}

/// A 2xx response whose body is read piece by piece, for large downloads: returned by
/// the `_stream` methods of operations that return binary content, and by
/// [`CustomRequest::send_stream`](super::CustomRequest::send_stream).
///
/// The body is not subject to the client's maximum body size; each
/// [`chunk`](Self::chunk) must arrive within the request's timeout.
#[derive(Debug)]
pub struct ByteStream {
    status: StatusCode,
    headers: HeaderMap,
    response: Option<reqwest::Response>,
    /// A body already read (then `response` is `None`).
    read: Option<Bytes>,
    idle: std::time::Duration,
}

impl ByteStream {
    pub(crate) fn new(
        status: StatusCode,
        headers: HeaderMap,
        response: reqwest::Response,
        idle: std::time::Duration,
    ) -> Self {
        Self {
            status,
            headers,
            response: Some(response),
            read: None,
            idle,
        }
    }

    pub(crate) fn read(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            response: None,
            read: Some(body),
            idle: std::time::Duration::ZERO,
        }
    }

    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server gave (`x-request-id`, else `request-id` header).
    pub fn request_id(&self) -> Option<&str> {
        error::request_id(&self.headers)
    }

    /// The next piece of the body; `None` at its end.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Timeout`](super::ErrorKind::Timeout) when no piece arrives within
    /// the request's timeout, [`ErrorKind::Connection`](super::ErrorKind::Connection)
    /// when the connection breaks. The download is not retried.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let Some(response) = &mut self.response else {
            return Ok(self.read.take());
        };
        match tokio::time::timeout(self.idle, response.chunk()).await {
            Ok(chunk) => chunk.map_err(Error::transport),
            Err(_) => Err(Error::timeout(self.idle)),
        }
    }
}

/// How an operation's response body is decoded: the emitted methods name one of
/// [`Json`], [`Empty`], [`Binary`] or [`Text`] and [`Scope::call`](super::Scope::call)
/// does the rest, so no per-operation code is needed for it.
pub trait Decode {
    /// The decoded body.
    type Value;

    /// Decodes a 2xx response.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`](super::ErrorKind::Decode), keeping the raw body, when the
    /// body is not a `Value`.
    fn decode(raw: RawResponse) -> Result<ApiResponse<Self::Value>, Error>;
}

/// A JSON body decoded as a `T`.
pub struct Json<T>(PhantomData<T>);

/// No body (it is ignored).
pub struct Empty;

/// The body as bytes.
pub struct Binary;

/// The body as UTF-8 text.
pub struct Text;

impl<T: DeserializeOwned> Decode for Json<T> {
    type Value = T;

    fn decode(raw: RawResponse) -> Result<ApiResponse<T>, Error> {
        raw.decode_json()
    }
}

impl Decode for Empty {
    type Value = ();

    fn decode(raw: RawResponse) -> Result<ApiResponse<()>, Error> {
        Ok(raw.with_value(()))
    }
}

impl Decode for Binary {
    type Value = Bytes;

    fn decode(raw: RawResponse) -> Result<ApiResponse<Bytes>, Error> {
        let body = raw.body.clone();
        Ok(raw.with_value(body))
    }
}

impl Decode for Text {
    type Value = String;

    fn decode(raw: RawResponse) -> Result<ApiResponse<String>, Error> {
        raw.decode_text()
    }
}

/// A decoded successful response, with its status and headers.
#[derive(Clone, Debug)]
pub struct ApiResponse<T> {
    status: StatusCode,
    headers: HeaderMap,
    value: T,
}

impl<T> ApiResponse<T> {
    /// The HTTP status (2xx).
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server gave (`x-request-id`, else `request-id` header), to
    /// quote when reporting a problem.
    pub fn request_id(&self) -> Option<&str> {
        error::request_id(&self.headers)
    }

    /// The decoded body.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded body, dropping status and headers.
    pub fn into_value(self) -> T {
        self.value
    }

    /// Status, headers and decoded body.
    pub fn into_parts(self) -> (u16, HeaderMap, T) {
        (self.status.as_u16(), self.headers, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ErrorKind;
    use reqwest::header::HeaderValue;

    fn raw(body: &'static [u8]) -> RawResponse {
        let mut headers = HeaderMap::new();
        headers.insert("request-id", HeaderValue::from_static("r-1"));
        RawResponse::new(StatusCode::OK, headers, Bytes::from_static(body))
    }

    /// The futures never wait; drive them without a runtime.
    fn now<F: std::future::Future>(future: F) -> F::Output {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the future waited"),
        }
    }

    #[test]
    fn decodes_json() {
        let response = now(raw(br#"{"a":[1,2]}"#).json::<serde_json::Value>()).unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.request_id(), Some("r-1"));
        assert_eq!(response.value()["a"][1], 2);
        let (status, headers, value) = response.into_parts();
        assert_eq!(
            (status, headers.len(), value["a"][0].as_i64()),
            (200, 1, Some(1))
        );
    }

    #[test]
    fn decode_errors_keep_the_body() {
        for body in [&b"{\"a\":[1,"[..], b"<html>"] {
            let err = now(raw(body).json::<serde_json::Value>()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode);
            assert_eq!(err.body(), Some(body));
            assert_eq!(err.request_id(), Some("r-1"));
        }
    }

    #[test]
    fn an_empty_body_reads_as_null() {
        let value = now(raw(b"").json::<serde_json::Value>()).unwrap();
        assert!(value.value().is_null());
        now(raw(b" ").json::<()>()).unwrap();
        let err = now(raw(b"").json::<Vec<u8>>()).unwrap_err();
        assert_eq!(
            (err.kind(), err.body()),
            (ErrorKind::Decode, Some(&b""[..]))
        );
    }

    #[test]
    fn other_bodies() {
        assert_eq!(now(raw(b"ignored").empty()).unwrap().into_value(), ());
        assert_eq!(
            &now(raw(b"\xff").bytes()).unwrap().into_value()[..],
            b"\xff"
        );
        assert_eq!(now(raw(b"hi").text()).unwrap().into_value(), "hi");
        assert_eq!(
            now(raw(b"\xff").text()).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }
}
