//! [`Scope`]: sends requests with retries, timeouts, authentication and tracing.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use tracing::Instrument as _;

use super::auth::{self, Auth};
use super::client::{Client, ClientInner};
use super::error::{Error, ErrorKind};
use super::options::RequestOptions;
use super::path::{is_unreserved, percent_encode};
use super::request::{Body, RequestSpec};
use super::response::{ApiResponse, Decode, RawResponse};
use super::retry;
use crate::settings;

/// A client together with per-request options; every resource handle holds one.
#[derive(Clone, Debug)]
pub struct Scope<'a> {
    client: &'a Client,
    options: RequestOptions,
}

/// A request ready to go out, identical for every attempt.
struct Prepared {
    method: reqwest::Method,
    url: Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    timeout: Duration,
    max_retries: u32,
}

/// What one attempt produced: a complete response (any status) or a failure.
type Attempt = Result<(StatusCode, HeaderMap, Bytes), Error>;

impl<'a> Scope<'a> {
    /// A scope using the client's settings.
    pub fn new(client: &'a Client) -> Self {
        Self {
            client,
            options: RequestOptions::default(),
        }
    }

    /// This scope with `options` applied on top of the ones it has.
    pub fn with_options(self, options: RequestOptions) -> Self {
        Self {
            client: self.client,
            options: self.options.merge(options),
        }
    }

    /// The client and the options this scope sends with (pages keep them for the
    /// requests of later pages).
    pub(crate) fn parts(&self) -> (&'a Client, &RequestOptions) {
        (self.client, &self.options)
    }

    /// One operation: sends `request` (unless building it failed) and decodes the
    /// response as `D` says. Emitted `_with_response` methods return this future.
    ///
    /// # Errors
    ///
    /// Those of [`send`](Self::send), the error building the request, or a decoding
    /// error.
    pub async fn call<D: Decode>(
        &self,
        request: Result<RequestSpec, Error>,
    ) -> Result<ApiResponse<D::Value>, Error> {
        D::decode(self.send(request?).await?)
    }

    /// [`call`](Self::call), keeping only the decoded body. Emitted methods without
    /// the `_with_response` suffix return this future.
    ///
    /// # Errors
    ///
    /// Those of [`call`](Self::call).
    pub async fn call_value<D: Decode>(
        &self,
        request: Result<RequestSpec, Error>,
    ) -> Result<D::Value, Error> {
        D::decode(self.send(request?).await?).map(ApiResponse::into_value)
    }

    /// Sends `request`, retrying per the client's policy, and returns a 2xx response
    /// with its body read.
    ///
    /// # Errors
    ///
    /// An API error for a non-2xx final response, [`ErrorKind::Connection`] or
    /// [`ErrorKind::Timeout`] when the last attempt got no response,
    /// [`ErrorKind::InvalidRequest`] when the request cannot be built (nothing is sent).
    pub async fn send(&self, request: RequestSpec) -> Result<RawResponse, Error> {
        // The span names the operation by its path template: the concrete path and the
        // query may carry personal data, and the URL may carry the key.
        let span = tracing::info_span!(
            "api_request",
            method = %request.method,
            path = request.path_template,
        );
        // Preparing never waits; the retry loop owns the prepared request, so that the
        // future stays small (it is moved into each enclosing future).
        let prepared = span.in_scope(|| self.prepare(request))?;
        self.send_with_retries(prepared).instrument(span).await
    }

    fn prepare(&self, request: RequestSpec) -> Result<Prepared, Error> {
        if let Some(error) = request.error {
            return Err(error);
        }
        let inner = &*self.client.inner;
        let url = request_url(inner, &request.path, &request.query)?;

        let mut headers = request.headers;
        headers.insert(ACCEPT, static_value(request.accept)?);
        let body = match request.body {
            Some(Body {
                bytes,
                content_type,
            }) => {
                headers.insert(CONTENT_TYPE, static_value(content_type)?);
                Some(bytes)
            }
            None => None,
        };
        for (name, value) in &self.options.headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid_request(format!("invalid header name `{name}`")))?;
            let header_value = HeaderValue::from_str(value).map_err(|_| {
                Error::invalid_request(format!("invalid value for header `{name}`"))
            })?;
            headers.insert(header_name, header_value);
        }
        if let Some((name, value)) = &inner.credential {
            // A credential header set through the options replaces the client's key.
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }

        Ok(Prepared {
            method: request.method,
            url,
            headers,
            body,
            timeout: self.options.timeout.unwrap_or(inner.timeout),
            max_retries: self.options.max_retries.unwrap_or(inner.max_retries),
        })
    }

    async fn send_with_retries(&self, request: Prepared) -> Result<RawResponse, Error> {
        let mut retry: u32 = 0;
        loop {
            let attempt = retry + 1;
            let started = Instant::now();
            let outcome = self.attempt(&request).await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let retries_left = retry < request.max_retries;

            let delay = match outcome {
                Ok((status, headers, body)) if status.is_success() => {
                    tracing::debug!(attempt, status = status.as_u16(), elapsed_ms, "response");
                    return Ok(RawResponse::new(status, headers, body));
                }
                Ok((status, headers, body)) => {
                    tracing::debug!(
                        attempt,
                        status = status.as_u16(),
                        elapsed_ms,
                        "error response"
                    );
                    if !(retries_left && retry::should_retry(status, &headers)) {
                        return Err(Error::from_response(status, headers, body));
                    }
                    retry::delay(retry, Some(&headers))
                }
                Err(error) => {
                    tracing::debug!(attempt, error = %error, elapsed_ms, "attempt failed");
                    let transient =
                        matches!(error.kind(), ErrorKind::Connection | ErrorKind::Timeout);
                    if !(retries_left && transient) {
                        return Err(error);
                    }
                    retry::delay(retry, None)
                }
            };
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            tracing::info!(attempt, delay_ms, "retrying");
            retry::sleep(delay).await;
            retry += 1;
        }
    }

    /// One exchange, bounded by the timeout: send, then read the whole body, so a
    /// server that stalls mid-body times out too and a broken body can be retried.
    async fn attempt(&self, request: &Prepared) -> Attempt {
        let inner = &*self.client.inner;
        // Each attempt sends its own copy of the prepared request; `Bytes` clones share
        // the buffer, so every retry sends the same body bytes without copying them.
        let mut outgoing = reqwest::Request::new(request.method.clone(), request.url.clone());
        *outgoing.headers_mut() = request.headers.clone();
        *outgoing.body_mut() = request.body.clone().map(reqwest::Body::from);
        let header_auth = !matches!(settings::AUTH, Auth::None | Auth::Query(_));
        if header_auth && inner.credential.is_none() && inner.api_key.is_some() {
            // The key could not be encoded once: `apply` reports why, as it always has.
            let builder = reqwest::RequestBuilder::from_parts(inner.http.clone(), outgoing);
            outgoing = auth::apply(
                settings::AUTH,
                inner.api_key.as_ref(),
                &request.headers,
                builder,
            )?
            .build()
            .map_err(Error::transport)?;
        }

        // Lazy: nothing is sent before the timeout below polls it.
        let sending = inner.http.execute(outgoing);
        let exchange = async {
            let mut response = sending.await.map_err(Error::transport)?;
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            let body = response.bytes().await.map_err(Error::transport)?;
            Ok((status, headers, body))
        };
        // Dropping the exchange on timeout closes its connection, so nothing leaks.
        tokio::time::timeout(request.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(Error::timeout(request.timeout)))
    }
}

/// `base_url + path`, then the query (and the key, for query-parameter auth).
fn request_url(inner: &ClientInner, path: &str, query: &[String]) -> Result<Url, Error> {
    let mut url = String::with_capacity(inner.base_url.len() + path.len() + 64);
    url.push_str(&inner.base_url);
    url.push_str(path);
    let mut separator = '?';
    for pair in query {
        url.push(separator);
        url.push_str(pair);
        separator = '&';
    }
    if let (Auth::Query(name), Some(key)) = (settings::AUTH, &inner.api_key) {
        url.push(separator);
        url.push_str(&percent_encode(name, is_unreserved));
        url.push('=');
        url.push_str(&percent_encode(key.expose(), is_unreserved));
    }
    // `url::ParseError` says what is wrong without echoing the URL.
    Url::parse(&url)
        .map_err(|source| Error::invalid_request_from("the request URL is invalid", source))
}

/// A header value the emitted code gives as a literal (accept, content type).
fn static_value(value: &'static str) -> Result<HeaderValue, Error> {
    // Checked like `from_str`, but the literal is borrowed rather than copied.
    HeaderValue::from_maybe_shared(Bytes::from_static(value.as_bytes()))
        .map_err(|_| Error::invalid_request(format!("invalid header value `{value}`")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{Method, QueryStyle};

    fn client() -> Client {
        Client::builder()
            .api_key("sk-secret")
            .base_url("http://127.0.0.1:9/api/partner/")
            .build()
            .unwrap()
    }

    #[test]
    fn prepares_url_headers_and_body() {
        let client = client();
        let scope = Scope::new(&client).with_options(
            RequestOptions::new()
                .timeout(Duration::from_secs(3))
                .header("x-extra", "1"),
        );
        let spec = RequestSpec::new(
            Method::PUT,
            "/v3/things/{id}",
            "/v3/things/a%2Fb".to_owned(),
        )
        .query("ids", &["x", "y"], QueryStyle::Form { explode: false })
        .json(&serde_json::json!({"a": 1}))
        .unwrap();
        let prepared = scope.prepare(spec).unwrap();
        assert_eq!(
            prepared.url.as_str(),
            "http://127.0.0.1:9/api/partner/v3/things/a%2Fb?ids=x,y"
        );
        assert_eq!(prepared.headers[ACCEPT], "application/json");
        assert_eq!(prepared.headers[CONTENT_TYPE], "application/json");
        assert_eq!(prepared.headers["x-extra"], "1");
        assert_eq!(prepared.body.as_deref(), Some(&br#"{"a":1}"#[..]));
        assert_eq!(
            (prepared.timeout, prepared.max_retries),
            (Duration::from_secs(3), 2)
        );
    }

    #[test]
    fn the_encoded_credential_is_added_unless_the_options_set_one() {
        let client = client();
        let Some((name, value)) = client.inner.credential.clone() else {
            return; // this API sends its key in the query, or has none
        };
        let spec = || RequestSpec::new(Method::GET, "/t", "/t".to_owned());
        let prepared = Scope::new(&client).prepare(spec()).unwrap();
        assert_eq!(prepared.headers.get(&name), Some(&value));
        assert!(prepared.headers[&name].is_sensitive());
        let scope =
            Scope::new(&client).with_options(RequestOptions::new().header(name.as_str(), "mine"));
        let prepared = scope.prepare(spec()).unwrap();
        let values: Vec<_> = prepared.headers.get_all(&name).iter().collect();
        assert_eq!(values, ["mine"]);
    }

    #[test]
    fn deferred_and_header_errors_surface_before_sending() {
        let client = client();
        let scope = Scope::new(&client);
        let bad_query = RequestSpec::new(Method::GET, "/t", "/t".to_owned()).query(
            "m",
            &std::collections::BTreeMap::from([((1, 2), 3)]),
            QueryStyle::DeepObject,
        );
        let bad_accept = RequestSpec::new(Method::GET, "/t", "/t".to_owned()).accept("bad\n");
        for spec in [bad_query, bad_accept] {
            let err = scope.prepare(spec).err().unwrap();
            assert_eq!(err.kind(), ErrorKind::InvalidRequest);
        }
        let scope = scope.with_options(RequestOptions::new().header("bad name", "v"));
        let err = scope
            .prepare(RequestSpec::new(Method::GET, "/t", "/t".to_owned()))
            .err()
            .unwrap();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    }

    #[test]
    fn send_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let client = client();
        let scope = Scope::new(&client);
        let future = scope.send(RequestSpec::new(Method::GET, "/t", "/t".to_owned()));
        assert_send(&future);
    }
}
