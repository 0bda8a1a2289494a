//! [`Client`] and [`ClientBuilder`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::auth::{self, ApiKey, Auth};
use super::error::Error;
use super::retry::DEFAULT_MAX_RETRIES;
use crate::settings;

/// Timeout of one attempt when neither the client nor the request sets one.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed to open a connection (TCP and TLS).
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

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
    headers: Vec<(String, String)>,
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
        if let (Auth::Header(_), Some(key)) = (auth, &api_key) {
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
        for (name, value) in &self.headers {
            let header_name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("invalid default header name `{name}`")))?;
            let header_value = HeaderValue::from_str(value)
                .map_err(|_| Error::config(format!("invalid value for default header `{name}`")))?;
            headers.insert(header_name, header_value);
        }

        let http = reqwest::Client::builder()
            .user_agent(settings::USER_AGENT)
            .default_headers(headers)
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .build()
            .map_err(|source| {
                Error::config(format!("cannot initialise the HTTP client: {source}"))
            })?;

        let credential = auth::encode_once(auth, api_key.as_ref(), &http, &base_url);
        Ok(Client {
            inner: Arc::new(ClientInner {
                http,
                base_url,
                api_key,
                credential,
                max_retries: self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            }),
        })
    }
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
            .field("headers", &header_names)
            .finish()
    }
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
