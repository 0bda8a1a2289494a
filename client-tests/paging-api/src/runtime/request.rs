//! [`RequestSpec`]: what an operation sends, built by the emitted resource code.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

use super::Method;
use super::auth::Auth;
use super::error::Error;
use super::query::{self, QueryStyle};

/// One operation's request: method, path, query, headers and body.
///
/// The body is serialised once, into bytes, so that every retry sends exactly the same
/// bytes. Authentication, the base URL and the standard headers are added by
/// [`Scope::send`](super::Scope::send).
pub struct RequestSpec {
    pub(crate) method: Method,
    /// The path as written in the spec (`/v3/things/{thingId}`), for tracing: it names
    /// the operation without carrying caller data.
    pub(crate) path_template: Cow<'static, str>,
    /// The path with parameters already encoded by [`path::segment`](super::path::segment).
    pub(crate) path: String,
    /// `name=value` pairs, already percent-encoded.
    pub(crate) query: Vec<String>,
    pub(crate) headers: HeaderMap,
    /// Cookie parameters as `name=value` pairs, already encoded; sent as one `Cookie`
    /// header (with the key, for cookie auth).
    pub(crate) cookies: Vec<String>,
    /// How this operation authenticates when not as the client does (its own
    /// `security`); [`Auth::None`] sends no credential.
    pub(crate) auth: Option<Auth>,
    pub(crate) body: Option<Body>,
    pub(crate) accept: &'static str,
    /// JSON pointer of the body field carrying the idempotency key, when not the one
    /// the API's settings give for this operation.
    pub(crate) idempotency_field: Option<Cow<'static, str>>,
    /// The first error met by a builder step that cannot return one (`query`); `send`
    /// reports it before anything goes out.
    pub(crate) error: Option<Error>,
}

/// A serialised request body.
#[derive(Clone)]
pub(crate) struct Body {
    pub(crate) bytes: Bytes,
    pub(crate) content_type: &'static str,
}

impl RequestSpec {
    /// A request without query, extra headers or body, accepting `application/json`.
    pub fn new(method: Method, path_template: &'static str, path: String) -> Self {
        Self {
            method,
            path_template: Cow::Borrowed(path_template),
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            cookies: Vec::new(),
            auth: None,
            body: None,
            accept: "application/json",
            idempotency_field: None,
            error: None,
        }
    }

    /// Adds a query parameter. `None` (and `null`) are left out; arrays follow `style`;
    /// objects are written deepObject-style (`name[key]=value`).
    ///
    /// A value that cannot be serialised makes [`Scope::send`](super::Scope::send) fail
    /// with [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest).
    pub fn query(mut self, name: &str, value: &impl Serialize, style: QueryStyle) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => query::append_pairs(&mut self.query, name, &value, style),
            Err(source) => {
                if self.error.is_none() {
                    self.error = Some(Error::invalid_request_from(
                        format!("query parameter `{name}` cannot be serialised"),
                        source,
                    ));
                }
            }
        }
        self
    }

    /// Adds a cookie parameter (OpenAPI `form` style; `explode` as the spec says, `true`
    /// by default). `None` is left out. All cookies of a request go out in one `Cookie`
    /// header, percent-encoded where RFC 6265 does not allow a character.
    ///
    /// A value that cannot be serialised makes [`Scope::send`](super::Scope::send) fail
    /// with [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest).
    pub fn cookie(mut self, name: &str, value: &impl Serialize, explode: bool) -> Self {
        match serde_json::to_value(value) {
            Ok(value) => query::cookie_pairs(&mut self.cookies, name, &value, explode),
            Err(source) => {
                if self.error.is_none() {
                    self.error = Some(Error::invalid_request_from(
                        format!("cookie `{name}` cannot be serialised"),
                        source,
                    ));
                }
            }
        }
        self
    }

    /// Sends this request authenticated as `auth` rather than as the client's scheme
    /// (the operation's own `security`): the client's key goes where `auth` says, and
    /// [`Auth::None`] sends no credential at all.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Adds a header parameter (OpenAPI `simple` style: arrays and objects become
    /// comma-separated, objects as `k,v,k,v`, or `k=v,k=v` when `explode` is set).
    /// `None` is left out.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest) if the name is
    /// not a valid header name or the value cannot be a header value.
    pub fn header(
        mut self,
        name: &str,
        value: &impl Serialize,
        explode: bool,
    ) -> Result<Self, Error> {
        let value = serde_json::to_value(value).map_err(|source| {
            Error::invalid_request_from(format!("header `{name}` cannot be serialised"), source)
        })?;
        let Some(text) = simple_style(&value, explode) else {
            return Ok(self);
        };
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|source| {
            Error::invalid_request_from(format!("invalid header name `{name}`"), source)
        })?;
        // The value is not echoed: header parameters may carry secrets.
        let header_value = HeaderValue::from_str(&text).map_err(|source| {
            Error::invalid_request_from(format!("invalid value for header `{name}`"), source)
        })?;
        self.headers.insert(header_name, header_value);
        Ok(self)
    }

    /// Sets a JSON body (`Content-Type: application/json`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest) if `body` cannot
    /// be serialised as JSON.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(|source| {
            Error::invalid_request_from("the request body cannot be serialised as JSON", source)
        })?;
        Ok(self.body(bytes, "application/json"))
    }

    /// Sets a JSON body from an operation's params struct, leaving out the members
    /// named in `elsewhere` (its query and header parameters, sent there).
    ///
    /// # Errors
    ///
    /// As [`json`](Self::json).
    pub fn json_without<T: Serialize + ?Sized>(
        self,
        params: &T,
        elsewhere: &[&str],
    ) -> Result<Self, Error> {
        self.json(&without(params, elsewhere)?)
    }

    /// Sets a form body from an operation's params struct, leaving out the members
    /// named in `elsewhere` (its query and header parameters, sent there).
    ///
    /// # Errors
    ///
    /// As [`form`](Self::form).
    pub fn form_without<T: Serialize + ?Sized>(
        self,
        params: &T,
        elsewhere: &[&str],
    ) -> Result<Self, Error> {
        self.form(&without(params, elsewhere)?)
    }

    /// Sets an `application/x-www-form-urlencoded` body from a struct or map (nested
    /// objects written `name[key]=value`, arrays repeating the name).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest) if `body` does not
    /// serialise to an object.
    pub fn form<T: Serialize + ?Sized>(self, body: &T) -> Result<Self, Error> {
        self.form_styled(body, &[])
    }

    /// [`form`](Self::form), with the fields named in `styles` written in that style
    /// (the spec's `encoding` of the body) instead of the default (`form`, exploded).
    ///
    /// # Errors
    ///
    /// As [`form`](Self::form).
    pub fn form_styled<T: Serialize + ?Sized>(
        self,
        body: &T,
        styles: &[(&str, QueryStyle)],
    ) -> Result<Self, Error> {
        let value = serde_json::to_value(body).map_err(|source| {
            Error::invalid_request_from("the form body cannot be serialised", source)
        })?;
        let encoded = query::form_body(&value, styles)
            .ok_or_else(|| Error::invalid_request("a form body must be a struct or a map"))?;
        Ok(self.body(encoded, "application/x-www-form-urlencoded"))
    }

    /// Sets a body of raw bytes with the given content type.
    pub fn body(mut self, bytes: impl Into<Bytes>, content_type: &'static str) -> Self {
        self.body = Some(Body {
            bytes: bytes.into(),
            content_type,
        });
        self
    }

    /// Sets a `multipart/form-data` body.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest) if the parts
    /// cannot be encoded.
    pub fn multipart(self, body: &super::Multipart) -> Result<Self, Error> {
        let (bytes, content_type, _) = body.encode()?;
        Ok(self.body(bytes, content_type))
    }

    /// Sets a `text/plain` body.
    pub fn text(self, text: String) -> Self {
        self.body(text, "text/plain; charset=utf-8")
    }

    /// Sets the `Accept` header (default `application/json`).
    pub fn accept(mut self, accept: &'static str) -> Self {
        self.accept = accept;
        self
    }
}

/// A header parameter's text in OpenAPI `simple` style; `None` for `null`.
fn simple_style(value: &Value, explode: bool) -> Option<String> {
    let text = |value: &Value| match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match value {
        Value::Null => None,
        Value::Array(items) => Some(
            items
                .iter()
                .filter(|item| !item.is_null())
                .map(text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Object(fields) => Some(
            fields
                .iter()
                .filter(|(_, field)| !field.is_null())
                .flat_map(|(key, field)| {
                    if explode {
                        vec![format!("{key}={}", text(field))]
                    } else {
                        vec![key.clone(), text(field)]
                    }
                })
                .collect::<Vec<_>>()
                .join(","),
        ),
        scalar => Some(text(scalar)),
    }
}

impl fmt::Debug for RequestSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values and bodies can hold personal data or secrets: show their shape.
        let header_names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("RequestSpec")
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("query_pairs", &self.query.len())
            .field("headers", &header_names)
            .field("cookies", &self.cookies.len())
            .field("auth", &self.auth)
            .field("body_len", &self.body.as_ref().map(|body| body.bytes.len()))
            .field("accept", &self.accept)
            .field("error", &self.error)
            .finish()
    }
}

/// `params` as a JSON value without the members named in `elsewhere`.
fn without<T: Serialize + ?Sized>(params: &T, elsewhere: &[&str]) -> Result<Value, Error> {
    let mut value = serde_json::to_value(params).map_err(|source| {
        Error::invalid_request_from("the request body cannot be serialised", source)
    })?;
    if let Value::Object(members) = &mut value {
        for name in elsewhere {
            members.remove(*name);
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ErrorKind;
    use serde_json::json;

    fn spec() -> RequestSpec {
        RequestSpec::new(Method::GET, "/v3/things", "/v3/things".to_owned())
    }

    #[test]
    fn json_body_is_serialised_once() {
        let spec = spec().json(&json!({"a": 1})).unwrap();
        let body = spec.body.unwrap();
        assert_eq!(&body.bytes[..], br#"{"a":1}"#);
        assert_eq!(body.content_type, "application/json");
    }

    #[test]
    fn params_members_sent_elsewhere_are_left_out_of_the_body() {
        let params = json!({"phone_number": "+12025550123", "first_name": "Ada"});
        let spec = spec()
            .query(
                "phone_number",
                &params["phone_number"],
                QueryStyle::Form { explode: true },
            )
            .json_without(&params, &["phone_number"])
            .unwrap();
        assert_eq!(spec.query, ["phone_number=%2B12025550123"]);
        assert_eq!(&spec.body.unwrap().bytes[..], br#"{"first_name":"Ada"}"#);
        let form = spec_form(&params);
        assert_eq!(&form[..], b"first_name=Ada");
    }

    fn spec_form(params: &Value) -> Bytes {
        spec()
            .form_without(params, &["phone_number"])
            .unwrap()
            .body
            .unwrap()
            .bytes
    }

    #[test]
    fn unserialisable_values_are_invalid_requests() {
        // JSON object keys must be strings.
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
        assert_eq!(
            spec().json(&map).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
        let spec = spec().query("m", &map, QueryStyle::DeepObject);
        assert_eq!(
            spec.error.map(|e| e.kind()),
            Some(ErrorKind::InvalidRequest)
        );
    }

    #[test]
    fn query_skips_none() {
        let spec = spec()
            .query("limit", &Some(10), QueryStyle::default())
            .query("cursor", &None::<String>, QueryStyle::default());
        assert_eq!(spec.query, ["limit=10"]);
    }

    #[test]
    fn header_parameters() {
        let spec = spec()
            .header("X-Count", &3, false)
            .and_then(|s| s.header("X-Ids", &["a", "b"], false))
            .and_then(|s| s.header("X-Ids-Exploded", &["a", "b"], true))
            .and_then(|s| s.header("X-Point", &json!({"x": 1, "y": "b c"}), false))
            .and_then(|s| {
                s.header(
                    "X-Point-Exploded",
                    &json!({"x": 1, "y": "b c", "z": null}),
                    true,
                )
            })
            .and_then(|s| s.header("X-Missing", &None::<String>, false))
            .unwrap();
        assert_eq!(spec.headers["x-count"], "3");
        assert_eq!(spec.headers["x-ids"], "a,b");
        assert_eq!(spec.headers["x-ids-exploded"], "a,b");
        assert_eq!(spec.headers["x-point"], "x,1,y,b c");
        assert_eq!(spec.headers["x-point-exploded"], "x=1,y=b c");
        assert!(!spec.headers.contains_key("x-missing"));
        let err = self::spec()
            .header("X-Bad", &"line\nbreak", false)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
        assert!(!err.to_string().contains("line"), "{err}");
        let err = self::spec().header("bad name", &1, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    }

    #[test]
    fn cookie_parameters_and_auth_override() {
        let spec = spec()
            .cookie("lang", &"en gb", true)
            .cookie("ids", &[1, 2], false)
            .cookie("none", &None::<String>, true)
            .auth(Auth::None);
        assert_eq!(spec.cookies, ["lang=en%20gb", "ids=1,2"]);
        assert_eq!(spec.auth, Some(Auth::None));
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into_iter().collect();
        let spec = self::spec().cookie("m", &map, true);
        assert_eq!(
            spec.error.map(|e| e.kind()),
            Some(ErrorKind::InvalidRequest)
        );
    }

    #[test]
    fn other_bodies() {
        let form = spec().form(&json!({"a": "x y"})).unwrap().body.unwrap();
        assert_eq!(
            (&form.bytes[..], form.content_type),
            (&b"a=x%20y"[..], "application/x-www-form-urlencoded")
        );
        assert_eq!(
            spec().form(&3).unwrap_err().kind(),
            ErrorKind::InvalidRequest
        );
        let text = spec().text("hi".to_owned()).body.unwrap();
        assert_eq!(text.content_type, "text/plain; charset=utf-8");
        assert_eq!(spec().accept("*/*").accept, "*/*");
    }
}
