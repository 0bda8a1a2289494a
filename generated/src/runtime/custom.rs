//! [`CustomRequest`]: a request to an endpoint the client has no method for.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::Client;
use super::error::Error;
use super::options::RequestOptions;
use super::path;
use super::query;
use super::request::RequestSpec;
use super::response::{ApiResponse, ByteStream, Json};
use super::scope::Scope;

/// A request built by hand, from [`Client::request`]: sent with the client's base URL,
/// authentication, retries, timeouts, middlewares and errors.
///
/// Building steps that fail (a path parameter `.`, a body that does not serialise...)
/// make [`send`](Self::send) fail with
/// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest) before anything is
/// sent.
#[derive(Debug)]
pub struct CustomRequest<'a> {
    scope: Scope<'a>,
    method: reqwest::Method,
    template: String,
    params: Vec<String>,
    spec: Result<RequestSpec, Error>,
}

impl<'a> CustomRequest<'a> {
    pub(crate) fn new(client: &'a Client, method: reqwest::Method, path: &str) -> Self {
        Self {
            scope: Scope::new(client),
            method: method.clone(),
            template: path.to_owned(),
            params: Vec::new(),
            // The path is filled in when sending, once every parameter is known.
            spec: Ok(RequestSpec::new(method, "", String::new())),
        }
    }

    /// The value of the next `{name}` of the path, encoded as one path segment like the
    /// generated methods' parameters (`a/b` is sent as `a%2Fb`; an empty value, `.` or
    /// `..` is refused).
    pub fn path_param(mut self, value: impl std::fmt::Display) -> Self {
        match path::segment(&value.to_string()) {
            Ok(segment) => self.params.push(segment),
            Err(error) => self.fail(error),
        }
        self
    }

    /// Adds query parameters from a struct or map (each field one parameter, arrays
    /// repeating the name, objects written `name[key]=value`, `None` left out).
    pub fn query(mut self, params: &impl Serialize) -> Self {
        match serde_json::to_value(params) {
            Ok(serde_json::Value::Object(fields)) => {
                self.spec = self.spec.map(|mut spec| {
                    for (name, value) in &fields {
                        query::append_plain(&mut spec.query, name, value);
                    }
                    spec
                });
            }
            _ => self.fail(Error::invalid_request(
                "query parameters must be a struct or a map",
            )),
        }
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.spec = self.spec.and_then(|spec| spec.header(name, &value, false));
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.spec = self.spec.and_then(|spec| spec.json(body));
        self
    }

    /// The JSON pointer (`/message/idempotency_key`) of the body field in which this
    /// endpoint takes an idempotency key: unless the body has one there, the call's
    /// key (given in the options, else made once per call) is put there, and the same
    /// body goes out on every attempt.
    pub fn idempotency_body_field(mut self, pointer: &str) -> Self {
        let pointer = Cow::Owned(pointer.to_owned());
        self.spec = self.spec.map(|mut spec| {
            spec.idempotency_field = Some(pointer);
            spec
        });
        self
    }

    /// Per-request options (timeout, retries, headers, idempotency key...).
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.scope = self.scope.with_options(options);
        self
    }

    /// Sends the request and decodes a JSON response as `T`: any `DeserializeOwned`,
    /// `serde_json::Value`, or `()` to ignore it (an empty body reads as `null`).
    ///
    /// # Errors
    ///
    /// As for the generated methods: an API error, a transport error, a decode error,
    /// or an invalid request.
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        self.send_with_response().await.map(ApiResponse::into_value)
    }

    /// [`send`](Self::send), also returning the status and headers.
    ///
    /// # Errors
    ///
    /// Those of [`send`](Self::send).
    pub async fn send_with_response<T: DeserializeOwned>(self) -> Result<ApiResponse<T>, Error> {
        let (scope, spec) = self.finish();
        scope.call::<Json<T>>(spec).await
    }

    /// Sends the request (accepting any content type) and hands back the body unread,
    /// to be read piece by piece: for large downloads.
    ///
    /// # Errors
    ///
    /// Those of [`send`](Self::send) up to the response head.
    pub async fn send_stream(self) -> Result<ByteStream, Error> {
        let (scope, spec) = self.finish();
        scope.call_stream(spec.map(|spec| spec.accept("*/*"))).await
    }

    /// The scope and the request with its path filled in.
    fn finish(self) -> (Scope<'a>, Result<RequestSpec, Error>) {
        let spec = fill_path(&self.template, &self.params).and_then(|path| {
            let mut spec = self.spec?;
            spec.method = self.method;
            spec.path_template = Cow::Owned(self.template);
            spec.path = path;
            Ok(spec)
        });
        (self.scope, spec)
    }

    fn fail(&mut self, error: Error) {
        if self.spec.is_ok() {
            self.spec = Err(error);
        }
    }
}

/// `template` with each `{name}` replaced by the next of `params`.
fn fill_path(template: &str, params: &[String]) -> Result<String, Error> {
    if !template.starts_with('/') {
        return Err(Error::invalid_request("the path must start with `/`"));
    }
    let mut path = String::with_capacity(template.len() + 16);
    let mut params = params.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| Error::invalid_request("a `{` in the path is not closed"))?;
        path.push_str(&rest[..open]);
        let value = params.next().ok_or_else(|| {
            Error::invalid_request(format!(
                "no value for the path parameter `{}`",
                &rest[open..open + close + 1]
            ))
        })?;
        path.push_str(value);
        rest = &rest[open + close + 1..];
    }
    path.push_str(rest);
    if params.next().is_some() {
        return Err(Error::invalid_request(
            "more path parameters than `{name}`s in the path",
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ErrorKind;

    #[test]
    fn fills_the_path_in_order() {
        let params = ["a%2Fb".to_owned(), "7".to_owned()];
        assert_eq!(
            fill_path("/v3/chats/{chat_id}/parts/{n}", &params).unwrap(),
            "/v3/chats/a%2Fb/parts/7"
        );
        assert_eq!(fill_path("/v3/x", &[]).unwrap(), "/v3/x");
        for (template, count) in [("/v3/{a}", 0), ("/v3/x", 1), ("v3/x", 0), ("/v3/{a", 1)] {
            let err = fill_path(template, &params[..count]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{template}");
        }
    }
}
