//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::auth::{self, ApiKey, Auth};
use super::custom::CustomRequest;
use super::error::Error;
use super::log::LogLevel;
use super::middleware::Middleware;
use super::retry::DEFAULT_MAX_RETRIES;
use crate::settings;

/// Timeout of one attempt when neither the client nor the request sets one.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed to open a connection (TCP and TLS).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest response body read when neither the client nor the builder says otherwise.
pub(crate) const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;
/// Redirects followed within one origin before giving up.
const MAX_REDIRECTS: usize = 10;

/// The API client. Operations are reached through one accessor per resource.
///
/// Cheap to clone: clones share one connection pool. `Debug` never shows the API key.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

/// What clones of a [`Client`] share.
pub(crate) struct ClientInner {
    pub(crate) http: reqwest::Client,
    /// Without a trailing `/`; paths start with one.
    pub(crate) base_url: String,
    pub(crate) api_key: Option<ApiKey>,
    /// The key as a header, encoded once (see [`auth::encode_once`]); `None` when the
    /// key goes in the query or there is none.
    pub(crate) credential: Option<(HeaderName, HeaderValue)>,
    pub(crate) max_retries: u32,
    pub(crate) timeout: Duration,
    /// Largest response body read into memory, in bytes.
    pub(crate) max_body_size: usize,
    /// Run around each attempt, first one outermost.
    pub(crate) middleware: Box<[Arc<dyn Middleware>]>,
    /// Whether POST and PATCH requests without an idempotency key get every retry.
    pub(crate) retry_non_idempotent: bool,
    /// The header carrying an idempotency key on POST and PATCH requests, if any.
    pub(crate) idempotency_header: Option<HeaderName>,
    /// What the client writes to standard error.
    pub(crate) log: LogLevel,
    /// Headers every request gets unless it has them: the user agent and default
    /// headers, when the HTTP client was given by the caller (a client built here has
    /// them as its own defaults).
    pub(crate) default_headers: HeaderMap,
}

impl Client {
    /// A builder to configure a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: the API key and optionally the base
    /// URL come from the variables named in the crate documentation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`](super::ErrorKind::Config) when the API key variable is not
    /// set (for APIs that need a key) or the base URL is invalid.
    pub fn from_env() -> Result<Client, Error> {
        Self::builder().build()
    }

    /// A request to any endpoint, with this client's base URL, authentication,
    /// retries, timeouts, middlewares and errors: for an endpoint the client has no
    /// method for. `path` is appended to the base URL; each `{name}` in it is replaced,
    /// in order, by a [`path_param`](CustomRequest::path_param).
    ///
    /// (`your_api` stands for the generated crate; the example is not compiled here.)
    ///
    /// ```ignore
    /// # async fn run(client: &your_api::Client) -> Result<(), your_api::Error> {
    /// use your_api::Method;
    /// let left: serde_json::Value = client
    ///     .request(Method::POST, "/v3/chats/{chat_id}/leave")
    ///     .path_param("chat_1")
    ///     .json(&serde_json::json!({"reason": "done"}))
    ///     .send()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn request(&self, method: reqwest::Method, path: &str) -> CustomRequest<'_> {
        CustomRequest::new(self, method, path)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &inner.base_url)
            .field("api_key", &inner.api_key)
            .field("max_retries", &inner.max_retries)
            .field("timeout", &inner.timeout)
            .finish_non_exhaustive()
    }
}

/// Configures a [`Client`]. Settings not given fall back to the environment, then to
/// the API's defaults.
#[derive(Clone, Default)]
pub struct ClientBuilder {
    api_key: Option<ApiKey>,
    base_url: Option<String>,
    max_retries: Option<u32>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_body_size: Option<usize>,
    headers: Vec<(String, String)>,
    http_client: Option<reqwest::Client>,
    middleware: Vec<Arc<dyn Middleware>>,
    retry_non_idempotent: Option<bool>,
    idempotency_header: Option<String>,
    log: Option<LogLevel>,
}

impl ClientBuilder {
    /// The API key (default: the API key environment variable).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(api_key.into()));
        self
    }

    /// The base URL that operation paths are appended to (default: the base URL
    /// environment variable, else the API's production server). A trailing `/` is
    /// ignored.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// How many times a failed attempt is retried (default 2, so at most 3 attempts).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// Timeout of each attempt, from connecting to the end of the response body
    /// (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to open a connection (default 5 s).
    pub fn connect_timeout(mut self, connect_timeout: Duration) -> Self {
        self.connect_timeout = Some(connect_timeout);
        self
    }

    /// The largest response body read into memory, in bytes (default 64 MiB). A
    /// larger successful response fails with
    /// [`ErrorKind::BodyTooLarge`](super::ErrorKind::BodyTooLarge) without being read
    /// further; of an error response, only the first bytes are kept (see
    /// [`Error::body`]).
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = Some(bytes);
        self
    }

    /// The HTTP client to send requests with, for proxies, custom root certificates,
    /// pool limits or HTTP/2 settings. Authentication, retries, timeouts, the body
    /// limit, default headers and middlewares still apply; `connect_timeout` and the
    /// redirect policy are the given client's own (give it
    /// [`redirect_policy`](super::redirect_policy) to keep credentials from following
    /// a redirect to another host).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http_client = Some(http);
        self
    }

    /// Adds a middleware run around each attempt (see [`Middleware`]); middlewares run
    /// in the order they are added, the first one outermost.
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(Arc::new(middleware));
        self
    }

    /// Whether POST and PATCH requests that carry no idempotency key are retried on
    /// every retryable failure (`true`, the default, as the official SDKs do) or only
    /// when the failure shows the request was not processed (`false`: a 429, a
    /// connection that could not be opened, or the server's `x-should-retry: true`).
    /// Requests with an idempotency key are always retried normally.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = Some(retry);
        self
    }

    /// The header in which POST and PATCH requests carry an idempotency key (default:
    /// the one the API declares, if any). Each call gets one random key (UUID v4), sent
    /// unchanged on every attempt; a key given with
    /// [`RequestOptions::idempotency_key`](super::RequestOptions::idempotency_key) or
    /// set as this header by the caller is used instead.
    pub fn idempotency_header(mut self, name: impl Into<String>) -> Self {
        self.idempotency_header = Some(name.into());
        self
    }

    /// What the client writes to standard error about its requests (default: the
    /// API's log environment variable, else nothing); see [`LogLevel`].
    pub fn log_level(mut self, level: LogLevel) -> Self {
        self.log = Some(level);
        self
    }

    /// A header sent with every request (a request's own headers win).
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Config`](super::ErrorKind::Config) when no API key is given nor in
    /// the environment (for APIs that need one), the base URL is not an `http(s)` URL, a
    /// default header is invalid, or the HTTP stack cannot be initialised.
    pub fn build(self) -> Result<Client, Error> {
        let api_key = self
            .api_key
            .or_else(|| env(settings::API_KEY_ENV).map(ApiKey::new));
        let auth: Auth = settings::AUTH;
        if api_key.is_none() && auth != Auth::None {
            return Err(Error::config(format!(
                "no API key: pass one to `ClientBuilder::api_key` or set the `{}` environment variable",
                settings::API_KEY_ENV
            )));
        }
        if let (Auth::Header(_) | Auth::Cookie(_), Some(key)) = (auth, &api_key) {
            // Checked once here so that no request fails for it later.
            HeaderValue::from_str(key.expose()).map_err(|_| {
                Error::config("the API key contains characters not allowed in a header")
            })?;
        }

        let base_url = self
            .base_url
            .or_else(|| env(settings::BASE_URL_ENV))
            .unwrap_or_else(|| settings::DEFAULT_BASE_URL.to_owned());
        let base_url = base_url.trim_end_matches('/').to_owned();
        check_base_url(&base_url)?;

        let mut headers = HeaderMap::new();
        // `name: value` lines from the environment, then the builder's headers.
        let from_env = env(settings::CUSTOM_HEADERS_ENV).unwrap_or_default();
        let from_env = from_env.lines().filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_owned(), value.trim().to_owned()))
        });
        for (name, value) in from_env.chain(self.headers.iter().cloned()) {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("invalid default header name `{name}`")))?;
            let header_value = HeaderValue::from_str(&value)
                .map_err(|_| Error::config(format!("invalid value for default header `{name}`")))?;
            headers.insert(header_name, header_value);
        }

        let idempotency_header = match self.idempotency_header.as_deref() {
            Some(name) => Some(name),
            None => settings::IDEMPOTENCY_HEADER,
        };
        let idempotency_header = idempotency_header
            .map(|name| {
                HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| Error::config(format!("invalid idempotency header name `{name}`")))
            })
            .transpose()?;

        let (http, default_headers) = match self.http_client {
            Some(http) => {
                headers.insert(
                    reqwest::header::USER_AGENT,
                    HeaderValue::from_static(settings::USER_AGENT),
                );
                (http, headers)
            }
            None => (
                own_http_client(headers, self.connect_timeout)?,
                HeaderMap::new(),
            ),
        };

        let credential = auth::encode_once(auth, api_key.as_ref(), &http, &base_url);
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                api_key,
                credential,
                max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                max_body_size: self.max_body_size.unwrap_or(DEFAULT_MAX_BODY_SIZE),
                middleware: self.middleware.into_boxed_slice(),
                retry_non_idempotent: self.retry_non_idempotent.unwrap_or(true),
                idempotency_header,
                log: self
                    .log
                    .or_else(|| env(settings::LOG_ENV).and_then(|text| LogLevel::parse(&text)))
                    .unwrap_or_default(),
                default_headers,
            }),
        })
    }
}

/// The HTTP client made when the caller gives none.
fn own_http_client(
    headers: HeaderMap,
    connect_timeout: Option<Duration>,
) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(settings::USER_AGENT)
        .default_headers(headers)
        .redirect(redirect_policy())
        // A `Referer` would carry the previous URL (and a query-parameter key) to
        // the next host.
        .referer(false)
        .connect_timeout(connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
        .build()
        .map_err(|source| Error::config(format!("cannot initialise the HTTP client: {source}")))
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &self.base_url)
            .field("max_retries", &self.max_retries)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_body_size", &self.max_body_size)
            .field("headers", &header_names)
            .field("http_client", &self.http_client.is_some())
            .field("middlewares", &self.middleware.len())
            .field("retry_non_idempotent", &self.retry_non_idempotent)
            .field("idempotency_header", &self.idempotency_header)
            .field("log", &self.log)
            .finish()
    }
}

/// The redirect policy of the client's HTTP stack: a redirect is followed only to the
/// origin (scheme, host and port) of the request, at most 10 times.
///
/// A redirect elsewhere is not followed: the 3xx response ends the call as an
/// [`ErrorKind::ApiStatus`](super::ErrorKind::ApiStatus) error whose headers hold the
/// `Location`. Credentials (an API key in a header or in the query), per-request
/// headers and a `Referer` therefore never reach another origin. A client passed to
/// [`ClientBuilder::http_client`] keeps its own policy; give it this one to get the
/// same guarantee.
pub fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin || attempt.previous().len() > MAX_REDIRECTS {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// A non-empty environment variable.
fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

fn check_base_url(base_url: &str) -> Result<(), Error> {
    // The URL is not echoed: it may carry credentials (`https://user:pass@host`).
    let url = reqwest::Url::parse(base_url)
        .map_err(|source| Error::config(format!("invalid base URL: {source}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::config("the base URL must be an http or https URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            "the base URL must not have a query or fragment",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ErrorKind;

    fn builder() -> ClientBuilder {
        Client::builder()
            .api_key("sk-test-secret")
            .base_url("http://127.0.0.1:9/api/")
    }

    #[test]
    fn defaults() {
        let client = builder().build().unwrap();
        assert_eq!(client.inner.base_url, "http://127.0.0.1:9/api");
        assert_eq!(client.inner.max_retries, 2);
        assert_eq!(client.inner.timeout, Duration::from_secs(60));
    }

    #[test]
    fn settings_apply() {
        let client = builder()
            .max_retries(0)
            .timeout(Duration::from_millis(10))
            .connect_timeout(Duration::from_millis(10))
            .default_header("x-extra", "1")
            .build()
            .unwrap();
        assert_eq!(client.inner.max_retries, 0);
        assert_eq!(client.inner.timeout, Duration::from_millis(10));
        // Clones share the same state (and so the connection pool).
        let clone = client.clone();
        assert!(Arc::ptr_eq(&client.inner, &clone.inner));
    }

    #[test]
    fn client_is_shareable_across_tasks() {
        fn assert_shareable<T: Send + Sync + Clone + 'static>() {}
        assert_shareable::<Client>();
        assert_shareable::<ClientBuilder>();
    }

    #[test]
    fn debug_hides_the_key() {
        let builder = builder();
        let client = builder.clone().build().unwrap();
        for debug in [format!("{builder:?}"), format!("{client:?}")] {
            assert!(!debug.contains("sk-test-secret"), "{debug}");
            assert!(debug.contains("[redacted]"), "{debug}");
        }
    }

    #[test]
    fn invalid_settings_are_config_errors() {
        for builder in [
            builder().base_url("not a url"),
            builder().base_url("ftp://example.com"),
            builder().base_url("http://127.0.0.1/?a=b"),
            builder().default_header("bad name", "v"),
            builder().default_header("x-ok", "bad\nvalue"),
        ] {
            let err = builder.build().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{err}");
        }
    }

    #[test]
    fn missing_key_names_the_variable() {
        // Only meaningful when the variable is not set where the tests run.
        if settings::AUTH == Auth::None || env(settings::API_KEY_ENV).is_some() {
            return;
        }
        let err = Client::builder().build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains(settings::API_KEY_ENV), "{err}");
    }
}
