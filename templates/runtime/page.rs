//! Pagination: [`Page`] (one page of a list operation, able to fetch the next) and
//! [`PageStream`] (every item across pages, fetched as they are needed).
//!
//! How an operation pages is described by a [`Pager`] the emitted code gives: where
//! the items are in the response body, and how the next page's request follows from
//! this one ([`Paging`]). Every page request goes through [`Scope::send`], so retries,
//! timeouts, per-request options and tracing apply to each page as to any call.

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use reqwest::Url;
use reqwest::header::{HeaderMap, LINK};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::client::Client;
use super::error::Error;
use super::options::RequestOptions;
use super::query::{self, QueryStyle};
use super::request::RequestSpec;
use super::response::{Decode, Json};
use super::scope::Scope;

/// How one list operation pages: emitted once per paginated operation.
pub struct Pager<T, B> {
    /// The items of a page.
    pub items: fn(&B) -> &[T],
    /// The items of a page, taking the body apart.
    pub into_items: fn(B) -> Vec<T>,
    /// How the next page is requested.
    pub paging: Paging<T, B>,
}

/// How the request for the next page follows from a page.
pub enum Paging<T, B> {
    /// The body gives the next position (`next_cursor`, `last_id`, `iterator`), sent in
    /// the query parameter `param`. No position (or an empty one) ends the list, as does
    /// `more` saying there is nothing more (`has_more: false`, `done: true`).
    Cursor {
        /// The query parameter carrying the position.
        param: &'static str,
        /// The next position, from the body.
        next: fn(&B) -> Option<String>,
        /// Whether there are more pages, when the body says so.
        more: Option<fn(&B) -> bool>,
    },
    /// The next position is an identifier of the page's last item (`starting_after`).
    LastItem {
        /// The query parameter carrying the position.
        param: &'static str,
        /// The identifier of an item.
        next: fn(&T) -> Option<String>,
        /// Whether there are more pages, when the body says so (`has_more`).
        more: Option<fn(&B) -> bool>,
    },
    /// A page number (starting at 1) or an item offset (starting at 0) in the query
    /// parameter `param`. A page shorter than the page size sent in `size` (or an empty
    /// page) is the last.
    Number {
        /// The query parameter carrying the page number or offset.
        param: &'static str,
        /// The query parameter carrying the page size, if the operation has one.
        size: Option<&'static str>,
        /// `param` counts items (an offset), not pages.
        offset: bool,
    },
    /// The response's `Link` header gives the next page's URL (`rel="next"`), which is
    /// followed only on the client's own origin and below its base URL.
    Link,
}

// Function pointers and `&'static str`s: copyable whatever `T` and `B` are.
impl<T, B> Clone for Pager<T, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, B> Copy for Pager<T, B> {}
impl<T, B> Clone for Paging<T, B> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T, B> Copy for Paging<T, B> {}

/// What follows a page.
enum Next {
    /// Nothing: this is the last page.
    End,
    /// This request, identified by `key` (the cursor or URL that changed).
    Request(Box<RequestSpec>, String),
    /// The server gave a position that was already used: following it would loop.
    Repeated(String),
    /// The server's next-page link cannot be followed.
    Refused(String),
}

/// One page of a list operation: its items, the whole decoded body, status and
/// headers, and what is needed to fetch the next page with the same parameters and
/// options.
pub struct Page<T, B> {
    body: B,
    status: u16,
    headers: HeaderMap,
    next: Next,
    fetcher: Fetcher<T, B>,
}

/// What every page request of one listing shares.
struct Fetcher<T, B> {
    client: Client,
    options: RequestOptions,
    pager: Pager<T, B>,
}

impl<T, B> Clone for Fetcher<T, B> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            options: self.options.clone(),
            pager: self.pager,
        }
    }
}

impl<T, B: DeserializeOwned> Fetcher<T, B> {
    /// Sends `request` (one page's) and decodes the page.
    async fn fetch(self, request: RequestSpec) -> Result<Page<T, B>, Error> {
        let template = copy_request(&request);
        let scope = Scope::new(&self.client).with_options(self.options.clone());
        let raw = scope.send(request).await?;
        let (status, headers, body) = Json::<B>::decode(raw)?.into_parts();
        let next = next_request(&self.pager, &self.client, template, &body, &headers);
        Ok(Page {
            body,
            status,
            headers,
            next,
            fetcher: self,
        })
    }
}

impl<T, B> Page<T, B> {
    /// The items of this page.
    pub fn items(&self) -> &[T] {
        (self.fetcher.pager.items)(&self.body)
    }

    /// The items of this page, dropping the rest of the body.
    pub fn into_items(self) -> Vec<T> {
        (self.fetcher.pager.into_items)(self.body)
    }

    /// The whole decoded response body of this page (fields besides the items kept).
    pub fn body(&self) -> &B {
        &self.body
    }

    /// The whole decoded response body of this page.
    pub fn into_body(self) -> B {
        self.body
    }

    /// The HTTP status of this page's response.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers of this page's response.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server gave for this page (`x-request-id`, else
    /// `request-id`).
    pub fn request_id(&self) -> Option<&str> {
        super::error::request_id(&self.headers)
    }

    /// Whether the response points to a next page. False on the last page and on a
    /// page without items. True when the server repeats a position it already gave:
    /// [`next_page`](Self::next_page) reports that as an error rather than looping.
    pub fn has_next_page(&self) -> bool {
        !matches!(self.next, Next::End)
    }
}

impl<T, B: DeserializeOwned> Page<T, B> {
    /// Fetches the next page, with the same parameters (only the position changes) and
    /// options; `None` after the last page.
    ///
    /// # Errors
    ///
    /// Those of any call, and [`ErrorKind::Pagination`](super::ErrorKind::Pagination)
    /// when the server repeats the position of this page or links to another origin.
    pub async fn next_page(&self) -> Result<Option<Page<T, B>>, Error> {
        let request = match &self.next {
            Next::End => return Ok(None),
            Next::Request(request, _) => copy_request(request),
            Next::Repeated(key) => return Err(repeated(key)),
            Next::Refused(why) => return Err(Error::pagination(why.clone())),
        };
        self.fetcher.clone().fetch(request).await.map(Some)
    }
}

impl<T: fmt::Debug, B> fmt::Debug for Page<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Page")
            .field("status", &self.status)
            .field("items", &self.items())
            .field("has_next_page", &self.has_next_page())
            .finish_non_exhaustive()
    }
}

fn repeated(key: &str) -> Error {
    Error::pagination(format!(
        "the server gave the position `{key}` a second time; following it would loop"
    ))
}

/// A copy of a request that was sent (so it carries no deferred error).
fn copy_request(request: &RequestSpec) -> RequestSpec {
    RequestSpec {
        method: request.method.clone(),
        path_template: request.path_template.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        headers: request.headers.clone(),
        cookies: request.cookies.clone(),
        auth: request.auth,
        body: request.body.clone(),
        accept: request.accept,
        idempotency_field: request.idempotency_field.clone(),
        error: None,
    }
}

/// The request for the page after the one answered with `body` and `headers`;
/// `template` is the request of that page.
fn next_request<T, B>(
    pager: &Pager<T, B>,
    client: &Client,
    mut template: RequestSpec,
    body: &B,
    headers: &HeaderMap,
) -> Next {
    let items = (pager.items)(body);
    // A page without items ends the list whatever the rest says.
    if items.is_empty() {
        return Next::End;
    }
    let (param, position) = match pager.paging {
        Paging::Cursor { param, next, more } => {
            if more.is_some_and(|more| !more(body)) {
                return Next::End;
            }
            (param, next(body))
        }
        Paging::LastItem { param, next, more } => {
            if more.is_some_and(|more| !more(body)) {
                return Next::End;
            }
            (param, items.last().and_then(next))
        }
        Paging::Number {
            param,
            size,
            offset,
        } => {
            if let Some(size) = size.and_then(|size| query_number(&template.query, size))
                && (items.len() as u64) < size
            {
                return Next::End;
            }
            let current = query_number(&template.query, param);
            let position = if offset {
                current.unwrap_or(0) + items.len() as u64
            } else {
                current.unwrap_or(1) + 1
            };
            (param, Some(position.to_string()))
        }
        Paging::Link => {
            let Some(url) = next_link(headers) else {
                return Next::End;
            };
            return match relative_to_base(client, &url) {
                // The link leads to the page it came with.
                Ok((path, query)) if path == template.path && query == template.query => {
                    Next::Repeated(url)
                }
                Ok((path, query)) => {
                    template.path = path;
                    template.query = query;
                    Next::Request(Box::new(template), url)
                }
                Err(why) => Next::Refused(why),
            };
        }
    };
    let Some(position) = position.filter(|p| !p.is_empty()) else {
        return Next::End;
    };
    // The position this page was requested with, given again.
    if !set_query(&mut template.query, param, &position) {
        return Next::Repeated(position);
    }
    Next::Request(Box::new(template), position)
}

/// `name=` as the query string starts the parameter `name` (percent-encoded).
fn query_prefix(name: &str) -> String {
    let mut encoded = Vec::with_capacity(1);
    query::append_pairs(
        &mut encoded,
        name,
        &Value::String(String::new()),
        QueryStyle::default(),
    );
    encoded.pop().unwrap_or_else(|| format!("{name}="))
}

/// Replaces the value of the query parameter `name` (in place, or appended); false
/// when it already had exactly this value.
fn set_query(pairs: &mut Vec<String>, name: &str, value: &str) -> bool {
    let prefix = query_prefix(name);
    let mut encoded = Vec::with_capacity(1);
    query::append_pairs(
        &mut encoded,
        name,
        &Value::String(value.to_owned()),
        QueryStyle::default(),
    );
    let pair = encoded.pop().unwrap_or_else(|| prefix.clone());
    if pairs.contains(&pair) {
        return false;
    }
    match pairs.iter().position(|p| p.starts_with(&prefix)) {
        Some(i) => {
            pairs[i] = pair;
            // A repetition of the parameter goes: the position is one value.
            let mut index = 0;
            pairs.retain(|p| {
                index += 1;
                index - 1 == i || !p.starts_with(&prefix)
            });
        }
        None => pairs.push(pair),
    }
    true
}

/// The value of the query parameter `name` as a number, if it was sent as one.
fn query_number(pairs: &[String], name: &str) -> Option<u64> {
    let prefix = query_prefix(name);
    pairs
        .iter()
        .find_map(|pair| pair.strip_prefix(prefix.as_str()))
        .and_then(|value| value.parse().ok())
}

/// The target of the `rel="next"` link of a `Link` header (RFC 8288), if any.
fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all(LINK) {
        let Ok(text) = value.to_str() else { continue };
        let mut rest = text;
        while let Some(start) = rest.find('<') {
            let after = &rest[start + 1..];
            let end = after.find('>')?;
            let target = &after[..end];
            let params_end = after[end..].find(",").map_or(after.len(), |i| end + i);
            // The link's parameters, up to the next link (targets never hold `,` here:
            // they are URLs, and a `,` in one would be percent-encoded).
            let params = &after[end + 1..params_end];
            let is_next = params.split(';').any(|param| {
                let Some((name, value)) = param.split_once('=') else {
                    return false;
                };
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|rel| rel.eq_ignore_ascii_case("next"))
            });
            if is_next {
                return Some(target.to_owned());
            }
            rest = &after[params_end.min(after.len())..];
        }
    }
    None
}

/// The path and query pairs of `link` relative to the client's base URL; an error
/// when it is on another origin or outside the base URL's path.
fn relative_to_base(client: &Client, link: &str) -> Result<(String, Vec<String>), String> {
    let base_text = &client.inner.base_url;
    let base = Url::parse(base_text).map_err(|_| "the client's base URL is invalid".to_owned())?;
    let url = Url::parse(link).map_err(|_| "the next-page link is not a URL".to_owned())?;
    if url.origin() != base.origin() {
        return Err(format!(
            "the next-page link leads to another origin ({}); only {} is followed",
            url.origin().ascii_serialization(),
            base.origin().ascii_serialization()
        ));
    }
    let base_path = base.path().trim_end_matches('/');
    let path = url
        .path()
        .strip_prefix(base_path)
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .ok_or_else(|| "the next-page link leads outside the API's base URL".to_owned())?;
    let query = url
        .query()
        .map(|q| {
            q.split('&')
                .filter(|pair| !pair.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok((path.to_owned(), query))
}

/// The first page's request, and how its pages are fetched.
type FirstRequest<T, B> = (Fetcher<T, B>, Result<RequestSpec, Error>);

type PageFuture<T, B> = Pin<Box<dyn Future<Output = Result<Page<T, B>, Error>> + Send>>;

/// Every item of a list operation, page after page: a [`Stream`] of
/// `Result<T, Error>`. The next page is requested only once the items of the current
/// one are consumed. The stream ends after the last page; an error is yielded once and
/// ends it; a repeated position is an error.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T, B> {
    items: std::vec::IntoIter<T>,
    state: State<T, B>,
    /// Every position requested so far: a server that cycles is detected, not followed.
    seen: HashSet<String>,
}

enum State<T, B> {
    /// The first request, not sent yet.
    Start(Option<Box<FirstRequest<T, B>>>),
    /// A page is being fetched.
    Fetching(PageFuture<T, B>),
    /// The next page is known; it is requested when the items run out.
    /// (Boxed together: the stream stays small while a page is being fetched.)
    Ready(Box<(Fetcher<T, B>, RequestSpec)>),
    /// This error comes after the current items.
    Failing(Option<Error>),
    /// Nothing more.
    Done,
}

// The stream never pins its fields: the page future is boxed.
impl<T, B> Unpin for PageStream<T, B> {}

impl<T, B> PageStream<T, B>
where
    T: Send + 'static,
    B: DeserializeOwned + Send + 'static,
{
    fn start(&mut self) -> Option<PageFuture<T, B>> {
        match std::mem::replace(&mut self.state, State::Done) {
            State::Start(Some(start)) => match *start {
                (fetcher, Ok(request)) => Some(Box::pin(fetcher.fetch(request))),
                (_, Err(error)) => {
                    self.state = State::Failing(Some(error));
                    None
                }
            },
            State::Ready(ready) => {
                let (fetcher, request) = *ready;
                Some(Box::pin(fetcher.fetch(request)))
            }
            other => {
                self.state = other;
                None
            }
        }
    }

    /// Takes a fetched page: its items come next, then what follows it.
    fn take(&mut self, page: Page<T, B>) {
        let Page {
            body,
            next,
            fetcher,
            ..
        } = page;
        let into_items = fetcher.pager.into_items;
        self.state = match next {
            Next::End => State::Done,
            Next::Request(request, key) => {
                if self.seen.insert(key.clone()) {
                    State::Ready(Box::new((fetcher, *request)))
                } else {
                    State::Failing(Some(repeated(&key)))
                }
            }
            Next::Repeated(key) => State::Failing(Some(repeated(&key))),
            Next::Refused(why) => State::Failing(Some(Error::pagination(why))),
        };
        self.items = into_items(body).into_iter();
    }
}

impl<T, B> Stream for PageStream<T, B>
where
    T: Send + 'static,
    B: DeserializeOwned + Send + 'static,
{
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Failing(error) => {
                    let error = error.take();
                    this.state = State::Done;
                    return Poll::Ready(error.map(Err));
                }
                State::Fetching(future) => match future.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(page)) => this.take(page),
                    Poll::Ready(Err(error)) => {
                        this.state = State::Done;
                        return Poll::Ready(Some(Err(error)));
                    }
                },
                State::Start(_) | State::Ready(..) => {
                    if let Some(future) = this.start() {
                        this.state = State::Fetching(future);
                    }
                }
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let more = !matches!(self.state, State::Done);
        (self.items.len(), (!more).then_some(self.items.len()))
    }
}

impl<T, B> fmt::Debug for PageStream<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PageStream")
            .field("buffered", &self.items.len())
            .field("pages_requested", &self.seen.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Scope<'a> {
    /// The first page of a list operation. Emitted paginated methods return this
    /// future.
    ///
    /// # Errors
    ///
    /// Those of [`call`](Self::call).
    pub async fn page<T, B: DeserializeOwned>(
        &self,
        request: Result<RequestSpec, Error>,
        pager: Pager<T, B>,
    ) -> Result<Page<T, B>, Error> {
        self.fetcher(pager).fetch(request?).await
    }

    /// Every item of a list operation, across pages. Emitted `_stream` methods return
    /// this stream.
    pub fn stream<T, B>(
        &self,
        request: Result<RequestSpec, Error>,
        pager: Pager<T, B>,
    ) -> PageStream<T, B> {
        PageStream {
            items: Vec::new().into_iter(),
            state: State::Start(Some(Box::new((self.fetcher(pager), request)))),
            seen: HashSet::new(),
        }
    }

    fn fetcher<T, B>(&self, pager: Pager<T, B>) -> Fetcher<T, B> {
        let (client, options) = self.parts();
        Fetcher {
            client: client.clone(),
            options: options.clone(),
            pager,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn the_position_replaces_the_parameter_in_place() {
        let mut pairs = vec![
            "from=%2B1".to_owned(),
            "cursor=a".to_owned(),
            "x=1".to_owned(),
        ];
        assert!(set_query(&mut pairs, "cursor", "b c"));
        assert_eq!(pairs, ["from=%2B1", "cursor=b%20c", "x=1"]);
        assert!(set_query(&mut pairs, "after", "z"));
        assert!(!set_query(&mut pairs, "after", "z"));
        assert_eq!(pairs, ["from=%2B1", "cursor=b%20c", "x=1", "after=z"]);
        // `cursor` is not a prefix match of `cursor_x`.
        let mut pairs = vec!["cursor_x=1".to_owned()];
        assert!(set_query(&mut pairs, "cursor", "2"));
        assert_eq!(pairs, ["cursor_x=1", "cursor=2"]);
    }

    #[test]
    fn numbers_are_read_back_from_the_query() {
        let pairs = vec![
            "per_page=30".to_owned(),
            "page=4".to_owned(),
            "q=x".to_owned(),
        ];
        assert_eq!(query_number(&pairs, "page"), Some(4));
        assert_eq!(query_number(&pairs, "per_page"), Some(30));
        assert_eq!(query_number(&pairs, "q"), None);
        assert_eq!(query_number(&pairs, "offset"), None);
    }

    #[test]
    fn finds_the_next_link() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static(
                r#"<https://api.example.com/x?page=1>; rel="prev", <https://api.example.com/x?page=3&per_page=2>; rel="next", <https://api.example.com/x?page=9>; rel="last""#,
            ),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://api.example.com/x?page=3&per_page=2")
        );
        headers.insert(
            LINK,
            HeaderValue::from_static(r#"<https://a.example/x?p=2>;rel="next last""#),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://a.example/x?p=2")
        );
        headers.insert(
            LINK,
            HeaderValue::from_static(r#"<https://a.example/x>; rel="prev""#),
        );
        assert_eq!(next_link(&headers), None);
        headers.insert(LINK, HeaderValue::from_static("<broken"));
        assert_eq!(next_link(&headers), None);
    }

    #[test]
    fn links_stay_on_the_base_url() {
        let client = Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:9/api")
            .build()
            .unwrap();
        assert_eq!(
            relative_to_base(&client, "http://127.0.0.1:9/api/items?page=2&q=a%20b"),
            Ok((
                "/items".to_owned(),
                vec!["page=2".to_owned(), "q=a%20b".to_owned()]
            ))
        );
        for foreign in [
            "http://127.0.0.2:9/api/items?page=2",
            "https://127.0.0.1:9/api/items",
            "http://127.0.0.1:10/api/items",
            "http://127.0.0.1:9/apiary/items",
            "http://127.0.0.1:9/other",
            "not a url",
        ] {
            assert!(relative_to_base(&client, foreign).is_err(), "{foreign}");
        }
    }

    #[test]
    fn pages_and_streams_are_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Page<String, Vec<String>>>();
        assert_send::<PageStream<String, Vec<String>>>();
    }
}
