//! [`Scope`]: sends requests with retries, timeouts, authentication and tracing.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use tracing::Instrument as _;

use super::Method;
use super::auth::{self, Auth};
use super::client::{Client, ClientInner};
use super::error::{Error, ErrorKind, MAX_KEPT_BODY};
use super::idempotency;
use super::log::LogLevel;
use super::middleware::Next;
use super::options::RequestOptions;
use super::path::{is_unreserved, percent_encode};
use super::query;
use super::request::{Body, RequestSpec};
use super::response::{ApiResponse, ByteStream, Decode, RawResponse};
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
    /// A POST or PATCH without an idempotency key, whose retries are restricted to
    /// failures that show it was not processed (`retry_non_idempotent(false)`).
    cautious: bool,
    /// The path as written in the spec, for log lines.
    template: std::borrow::Cow<'static, str>,
    /// How this request authenticates (the operation's scheme, or the client's).
    auth: Auth,
}

/// What one attempt produced: a response (any status) or a failure.
type Attempt = Result<(StatusCode, HeaderMap, Received), Error>;

/// The body of an attempt's response: read (always, for an error response), or left
/// unread for the caller to stream.
enum Received {
    Read(Bytes),
    Unread(reqwest::Response),
}

impl Received {
    /// The body as read; an unread one counts as empty.
    fn into_bytes(self) -> Bytes {
        match self {
            Self::Read(bytes) => bytes,
            Self::Unread(_) => Bytes::new(),
        }
    }
}

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
        let (span, prepared) = self.traced(request);
        let (status, headers, body) = self
            .send_with_retries(prepared?, false)
            .instrument(span)
            .await?;
        Ok(RawResponse::new(status, headers, body.into_bytes()))
    }

    /// Sends `request` like [`call`](Self::call), but hands back the body of the 2xx
    /// response unread, as a [`ByteStream`], for large downloads: retries cover the
    /// attempts up to the response head; the body is not subject to the maximum body
    /// size, and each chunk must arrive within the attempt timeout.
    ///
    /// # Errors
    ///
    /// Those of [`send`](Self::send), or the error building the request.
    pub async fn call_stream(
        &self,
        request: Result<RequestSpec, Error>,
    ) -> Result<ByteStream, Error> {
        let (span, prepared) = self.traced(request?);
        let prepared = prepared?;
        let idle = prepared.timeout;
        let (status, headers, body) = self
            .send_with_retries(prepared, true)
            .instrument(span)
            .await?;
        Ok(match body {
            Received::Unread(response) => ByteStream::new(status, headers, response, idle),
            Received::Read(bytes) => ByteStream::read(status, headers, bytes),
        })
    }

    /// The request's tracing span, and the request prepared within it.
    fn traced(&self, request: RequestSpec) -> (tracing::Span, Result<Prepared, Error>) {
        // The span names the operation by its path template: the concrete path and the
        // query may carry personal data, and the URL may carry the key.
        let span = tracing::info_span!(
            "api_request",
            method = %request.method,
            path = &*request.path_template,
        );
        // Preparing never waits; the retry loop owns the prepared request, so that the
        // future stays small (it is moved into each enclosing future).
        let prepared = span.in_scope(|| self.prepare(request));
        (span, prepared)
    }

    fn prepare(&self, request: RequestSpec) -> Result<Prepared, Error> {
        if let Some(error) = request.error {
            return Err(error);
        }
        let options = &self.options;
        if let Some(problem) = &options.invalid {
            return Err(Error::invalid_request(problem.clone()));
        }
        let inner = &*self.client.inner;
        let mut query = request.query;
        for (name, value) in &options.query {
            query::append_plain(&mut query, name, value);
        }
        let auth = request.auth.unwrap_or(settings::AUTH);
        let url = request_url(inner, &request.path, &query, auth)?;

        let mut headers = request.headers;
        headers.insert(ACCEPT, static_value(request.accept)?);
        let mut body = request.body;
        if let Some(body) = &body {
            headers.insert(CONTENT_TYPE, static_value(body.content_type)?);
        }
        for (name, value) in &options.headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::invalid_request(format!("invalid header name `{name}`")))?;
            let header_value = HeaderValue::from_str(value).map_err(|_| {
                Error::invalid_request(format!("invalid value for header `{name}`"))
            })?;
            headers.insert(header_name, header_value);
        }
        for (name, value) in &inner.default_headers {
            if !headers.contains_key(name) {
                headers.insert(name.clone(), value.clone());
            }
        }
        // The client's scheme uses the header encoded when the client was built; an
        // operation with a scheme of its own has the key encoded for it now.
        let credential = match &inner.credential {
            Some(encoded) if auth == settings::AUTH => Some(encoded.clone()),
            _ => {
                auth::credential_header(auth, inner.api_key.as_ref(), &inner.http, &inner.base_url)?
            }
        };
        if let Some((name, value)) = credential {
            // A credential header set through the options replaces the client's key.
            if !headers.contains_key(&name) {
                headers.insert(name, value);
            }
        }
        if !request.cookies.is_empty() {
            // One `Cookie` header: the parameters, then the key or the caller's cookies.
            let mut cookie = request.cookies.join("; ").into_bytes();
            let mut sensitive = false;
            if let Some(existing) = headers.get(COOKIE) {
                cookie.extend_from_slice(b"; ");
                cookie.extend_from_slice(existing.as_bytes());
                sensitive = existing.is_sensitive();
            }
            let mut value = HeaderValue::from_bytes(&cookie)
                .map_err(|_| Error::invalid_request("invalid value for the `Cookie` header"))?;
            value.set_sensitive(sensitive);
            headers.insert(COOKIE, value);
        }

        // Idempotency: one key per call (given, or made up once here), so that every
        // attempt of the call carries the same one; a key the caller put in the request
        // is kept as it is.
        let unsafe_method = matches!(request.method, Method::POST | Method::PATCH);
        let mut key = options.idempotency_key.clone();
        let mut has_key = false;
        if let (true, Some(name)) = (unsafe_method, &inner.idempotency_header) {
            if !headers.contains_key(name) {
                let value = HeaderValue::from_str(call_key(&mut key)?).map_err(|_| {
                    Error::invalid_request("the idempotency key is not a valid header value")
                })?;
                headers.insert(name.clone(), value);
            }
            has_key = true;
        }
        let method = request.method.as_str();
        let field = request.idempotency_field.as_deref().or_else(|| {
            settings::IDEMPOTENCY_BODY_FIELDS
                .iter()
                .find(|(m, template, _)| *m == method && *template == request.path_template)
                .map(|(_, _, field)| *field)
        });
        if field.is_some() || !options.extra_body.is_empty() {
            let (edited, keyed) =
                edit_json_body(body.take(), field, &options.extra_body, &mut key)?;
            if let Some(edited) = &edited {
                headers.insert(CONTENT_TYPE, static_value(edited.content_type)?);
            }
            body = edited;
            has_key |= keyed;
        }
        let retry_unsafe = options
            .retry_non_idempotent
            .unwrap_or(inner.retry_non_idempotent);

        Ok(Prepared {
            method: request.method,
            url,
            headers,
            body: body.map(|body| body.bytes),
            timeout: options.timeout.unwrap_or(inner.timeout),
            max_retries: options.max_retries.unwrap_or(inner.max_retries),
            cautious: unsafe_method && !has_key && !retry_unsafe,
            template: request.path_template,
            auth,
        })
    }

    /// The retry loop: a 2xx response with its body read, or unread when `stream`.
    async fn send_with_retries(
        &self,
        request: Prepared,
        stream: bool,
    ) -> Result<(StatusCode, HeaderMap, Received), Error> {
        let log = self.client.inner.log;
        let call = Call(&request.method, &request.template);
        let mut retry: u32 = 0;
        loop {
            let attempt = retry + 1;
            let started = Instant::now();
            let outcome = self.attempt(&request, stream).await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let retries_left = retry < request.max_retries;

            let delay = match outcome {
                Ok((status, headers, body)) if status.is_success() => {
                    tracing::debug!(attempt, status = status.as_u16(), elapsed_ms, "response");
                    log.write(
                        LogLevel::Info,
                        format_args!("{call}: {status} ({elapsed_ms} ms)"),
                    );
                    return Ok((status, headers, body));
                }
                Ok((status, headers, body)) => {
                    tracing::debug!(
                        attempt,
                        status = status.as_u16(),
                        elapsed_ms,
                        "error response"
                    );
                    let retryable = if request.cautious {
                        retry::should_retry_unprocessed(status, &headers)
                    } else {
                        retry::should_retry(status, &headers)
                    };
                    if !(retries_left && retryable) {
                        log.write(LogLevel::Error, format_args!("{call}: {status}"));
                        return Err(Error::from_response(status, headers, body.into_bytes()));
                    }
                    log.write(LogLevel::Warn, format_args!("{call}: {status}, retrying"));
                    retry::delay(retry, Some(&headers))
                }
                Err(error) => {
                    tracing::debug!(attempt, error = %error, elapsed_ms, "attempt failed");
                    let transient = if request.cautious {
                        error.is_connect_failure()
                    } else {
                        matches!(error.kind(), ErrorKind::Connection | ErrorKind::Timeout)
                    };
                    log.write(
                        LogLevel::Debug,
                        format_args!("{call}: attempt {attempt} failed: {error}"),
                    );
                    if !(retries_left && transient) {
                        log.write(LogLevel::Error, format_args!("{call}: {error}"));
                        return Err(error);
                    }
                    log.write(LogLevel::Warn, format_args!("{call}: retrying"));
                    retry::delay(retry, None)
                }
            };
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            tracing::info!(attempt, delay_ms, "retrying");
            retry::sleep(delay).await;
            retry += 1;
        }
    }

    /// One exchange, bounded by the timeout: send (through the middlewares, if any),
    /// then read the body, so a server that stalls mid-body times out too and a broken
    /// body can be retried. A successful response's body is read up to the client's
    /// maximum body size (unless `stream`: then it is left unread), an error response's
    /// up to [`MAX_KEPT_BODY`].
    async fn attempt(&self, request: &Prepared, stream: bool) -> Attempt {
        let inner = &*self.client.inner;
        // Each attempt sends its own copy of the prepared request; `Bytes` clones share
        // the buffer, so every retry sends the same body bytes without copying them.
        let mut outgoing = reqwest::Request::new(request.method.clone(), request.url.clone());
        *outgoing.headers_mut() = request.headers.clone();
        *outgoing.body_mut() = request.body.clone().map(reqwest::Body::from);
        let header_auth = !matches!(settings::AUTH, Auth::None | Auth::Query(_));
        let own_scheme = request.auth == settings::AUTH;
        if header_auth && own_scheme && inner.credential.is_none() && inner.api_key.is_some() {
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

        let limit = inner.max_body_size;
        // Lazy: nothing is sent before the timeout below polls it.
        let exchange = async {
            let mut response = if inner.middleware.is_empty() {
                inner
                    .http
                    .execute(outgoing)
                    .await
                    .map_err(Error::transport)?
            } else {
                Next::new(&inner.http, &inner.middleware)
                    .run(outgoing)
                    .await?
            };
            let status = response.status();
            let headers = std::mem::take(response.headers_mut());
            if !status.is_success() {
                let (body, _) = read_body(&mut response, limit.min(MAX_KEPT_BODY))
                    .await
                    .map_err(Error::transport)?;
                return Ok((status, headers, Received::Read(body)));
            }
            if stream {
                return Ok((status, headers, Received::Unread(response)));
            }
            if response
                .content_length()
                .is_some_and(|length| length > limit as u64)
            {
                return Err(Error::body_too_large(status, headers, limit));
            }
            match read_body(&mut response, limit)
                .await
                .map_err(Error::transport)?
            {
                (body, true) => Ok((status, headers, Received::Read(body))),
                (_, false) => Err(Error::body_too_large(status, headers, limit)),
            }
        };
        // Dropping the exchange on timeout closes its connection, so nothing leaks.
        tokio::time::timeout(request.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(Error::timeout(request.timeout)))
    }
}

/// `METHOD /path/{template}`, for log lines.
struct Call<'a>(&'a Method, &'a str);

impl std::fmt::Display for Call<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

/// The call's idempotency key: the one given or made earlier, else a new one.
fn call_key(key: &mut Option<String>) -> Result<&str, Error> {
    if key.is_none() {
        *key = Some(idempotency::new_key()?);
    }
    Ok(key.as_deref().unwrap_or_default())
}

/// The body with the extra fields merged in and the idempotency key filled in at
/// `field` (unless the caller filled it in); also whether the body now carries a key.
fn edit_json_body(
    body: Option<Body>,
    field: Option<&str>,
    extra: &serde_json::Map<String, serde_json::Value>,
    key: &mut Option<String>,
) -> Result<(Option<Body>, bool), Error> {
    let mut value = match &body {
        None if extra.is_empty() => return Ok((None, false)),
        None => serde_json::Value::Object(serde_json::Map::new()),
        Some(body) if body.content_type == "application/json" => {
            serde_json::from_slice(&body.bytes).map_err(|source| {
                Error::invalid_request_from("the request body is not JSON", source)
            })?
        }
        // A body of another type has no field to fill in.
        Some(_) if extra.is_empty() => return Ok((body, false)),
        Some(_) => {
            return Err(Error::invalid_request(
                "extra body fields need a JSON object body",
            ));
        }
    };
    if !extra.is_empty() {
        let serde_json::Value::Object(fields) = &mut value else {
            return Err(Error::invalid_request(
                "extra body fields need a JSON object body",
            ));
        };
        fields.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let mut keyed = false;
    if let Some(field) = field {
        if !idempotency::has_body_key(&value, field) {
            idempotency::set_body_key(&mut value, field, call_key(key)?);
        }
        keyed = idempotency::has_body_key(&value, field);
    }
    let bytes = serde_json::to_vec(&value).map_err(|source| {
        Error::invalid_request_from("the request body cannot be serialised as JSON", source)
    })?;
    Ok((
        Some(Body {
            bytes: bytes.into(),
            content_type: "application/json",
        }),
        keyed,
    ))
}

/// Reads the body up to `limit` bytes: the whole body and `true`, or the first
/// `limit` bytes and `false` when it is longer (the rest is left unread).
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<(Bytes, bool), reqwest::Error> {
    // The usual small body arrives as one chunk and is returned without a copy.
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut length: usize = 0;
    while let Some(chunk) = response.chunk().await? {
        let room = limit - length;
        if chunk.len() > room {
            let mut prefix = joined;
            if prefix.is_empty() {
                prefix.extend_from_slice(first.as_deref().unwrap_or_default());
            }
            prefix.extend_from_slice(&chunk[..room]);
            return Ok((Bytes::from(prefix), false));
        }
        length += chunk.len();
        match &first {
            None => first = Some(chunk),
            Some(earlier) => {
                if joined.is_empty() {
                    joined.reserve(length);
                    joined.extend_from_slice(earlier);
                }
                joined.extend_from_slice(&chunk);
            }
        }
    }
    let body = if joined.is_empty() {
        first.unwrap_or_default()
    } else {
        Bytes::from(joined)
    };
    Ok((body, true))
}

/// `base_url + path`, then the query (and the key, when `auth` sends it as a query
/// parameter).
fn request_url(
    inner: &ClientInner,
    path: &str,
    query: &[String],
    auth: Auth,
) -> Result<Url, Error> {
    let mut url = String::with_capacity(inner.base_url.len() + path.len() + 64);
    url.push_str(&inner.base_url);
    url.push_str(path);
    let mut separator = '?';
    for pair in query {
        url.push(separator);
        url.push_str(pair);
        separator = '&';
    }
    if let (Auth::Query(name), Some(key)) = (auth, &inner.api_key) {
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
