//! [`Middleware`]: code run around each attempt of a request.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::error::Error;

/// A boxed, sendable future, as [`Middleware::handle`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Code run around each attempt of every request of a client: metrics, trace context
/// propagation, request signing, or a test double.
///
/// A middleware gets the attempt's request, complete with authentication and every
/// header, and passes it on with [`Next::run`] (or answers by itself). What it returns
/// goes to the next outer middleware, then to the client, which reads and bounds the
/// body, decodes it and retries as usual: a retried call goes through the middlewares
/// once per attempt. Middlewares installed with
/// [`ClientBuilder::middleware`](super::ClientBuilder::middleware) run in the order
/// they were added, the first one outermost.
///
/// (`your_api` stands for the generated crate; the example is not compiled here.)
///
/// ```ignore
/// use your_api::{BoxFuture, Error, Middleware, Next};
///
/// struct Tag;
///
/// impl Middleware for Tag {
///     fn handle<'a>(
///         &'a self,
///         mut request: reqwest::Request,
///         next: Next<'a>,
///     ) -> BoxFuture<'a, Result<reqwest::Response, Error>> {
///         Box::pin(async move {
///             request.headers_mut().insert("x-tag", "1".parse().expect("a header value"));
///             next.run(request).await
///         })
///     }
/// }
/// ```
pub trait Middleware: Send + Sync + 'static {
    /// Handles one attempt: usually changes `request`, calls `next.run(request)` and
    /// looks at the response.
    ///
    /// # Errors
    ///
    /// Those of [`Next::run`], or the middleware's own (see [`Error::middleware`]).
    fn handle<'a>(
        &'a self,
        request: reqwest::Request,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<reqwest::Response, Error>>;
}

/// The rest of the chain after a middleware: the middlewares added after it, then the
/// HTTP client.
pub struct Next<'a> {
    http: &'a reqwest::Client,
    rest: &'a [Arc<dyn Middleware>],
}

impl<'a> Next<'a> {
    pub(crate) fn new(http: &'a reqwest::Client, chain: &'a [Arc<dyn Middleware>]) -> Self {
        Self { http, rest: chain }
    }

    /// Passes `request` on and returns the response head (the body is read by the
    /// client afterwards).
    ///
    /// # Errors
    ///
    /// A transport failure ([`ErrorKind::Connection`](super::ErrorKind::Connection),
    /// [`ErrorKind::Timeout`](super::ErrorKind::Timeout)) or a later middleware's error.
    pub fn run(self, request: reqwest::Request) -> BoxFuture<'a, Result<reqwest::Response, Error>> {
        match self.rest.split_first() {
            Some((first, rest)) => first.handle(
                request,
                Next {
                    http: self.http,
                    rest,
                },
            ),
            None => {
                Box::pin(async move { self.http.execute(request).await.map_err(Error::transport) })
            }
        }
    }
}

impl std::fmt::Debug for Next<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("middlewares_left", &self.rest.len())
            .finish_non_exhaustive()
    }
}
