//! Authentication schemes and the redacted API key.

use std::fmt;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderName, HeaderValue};

use super::error::Error;

/// How the API key is sent; chosen by the generator from the spec's security scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// The API needs no key; none is required to build a client.
    None,
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `Authorization: Basic base64(<user>:<password>)`, the key being `user:password`
    /// (a key without `:` is taken as the user name with an empty password).
    Basic,
    /// The key is sent as the value of this header.
    Header(&'static str),
    /// The key is sent as this query parameter.
    Query(&'static str),
    /// The key is sent as this cookie (`Cookie: <name>=<key>`).
    Cookie(&'static str),
}

/// The API key. Its `Debug` never shows the secret, so a client, a builder or an
/// error can be logged without leaking it.
#[derive(Clone)]
pub(crate) struct ApiKey(String);

impl ApiKey {
    pub(crate) fn new(key: String) -> Self {
        Self(key)
    }

    /// The secret itself; only the request builder should call this.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Adds the key to `request` according to `auth`; query-parameter keys are added by
/// the URL builder instead (see [`Auth::Query`]), so this leaves them alone.
///
/// A credential header already in `headers` (set by the caller through
/// `RequestOptions::header`) wins: it replaces the client's key for that request
/// rather than being sent alongside it.
pub(crate) fn apply(
    auth: Auth,
    key: Option<&ApiKey>,
    headers: &HeaderMap,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::RequestBuilder, Error> {
    let Some(key) = key else {
        return Ok(request);
    };
    let secret = key.expose();
    let overridden = match auth {
        Auth::Bearer | Auth::Basic => headers.contains_key(AUTHORIZATION),
        Auth::Header(name) => headers.contains_key(name),
        Auth::Cookie(_) => headers.contains_key(COOKIE),
        Auth::None | Auth::Query(_) => true,
    };
    if overridden {
        return Ok(request);
    }
    Ok(match auth {
        Auth::None | Auth::Query(_) => request,
        // reqwest marks both headers sensitive, which keeps them out of its own Debug output.
        Auth::Bearer => request.bearer_auth(secret),
        Auth::Basic => match secret.split_once(':') {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request.basic_auth(secret, None::<&str>),
        },
        Auth::Header(name) => {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("invalid API key header name `{name}`")))?;
            // The error deliberately does not echo the value: it is the secret.
            let mut value = HeaderValue::from_str(secret).map_err(|_| {
                Error::config("the API key contains characters not allowed in a header")
            })?;
            value.set_sensitive(true);
            request.header(name, value)
        }
        Auth::Cookie(name) => {
            // The error deliberately does not echo the value: it is the secret.
            let mut value = HeaderValue::from_str(&format!("{name}={secret}")).map_err(|_| {
                Error::config("the API key contains characters not allowed in a cookie")
            })?;
            value.set_sensitive(true);
            request.header(COOKIE, value)
        }
    })
}

/// The credential header for `key`, encoded once when the client is built: requests
/// then only copy it (a `HeaderValue` copy shares its bytes), instead of formatting and
/// encoding the key on every attempt.
///
/// It is encoded by [`apply`] itself, so the header is exactly what `apply` would add.
/// `None` when the scheme sends no header or the key cannot be encoded; requests then
/// go through [`apply`], which reports the problem as before.
pub(crate) fn encode_once(
    auth: Auth,
    key: Option<&ApiKey>,
    http: &reqwest::Client,
    base_url: &str,
) -> Option<(HeaderName, HeaderValue)> {
    credential_header(auth, key, http, base_url).ok().flatten()
}

/// The credential header `auth` sends `key` in, as [`apply`] adds it; `None` when the
/// scheme sends no header (or there is no key).
///
/// # Errors
///
/// As [`apply`]: the key cannot be a header value.
pub(crate) fn credential_header(
    auth: Auth,
    key: Option<&ApiKey>,
    http: &reqwest::Client,
    base_url: &str,
) -> Result<Option<(HeaderName, HeaderValue)>, Error> {
    if matches!(auth, Auth::None | Auth::Query(_)) || key.is_none() {
        return Ok(None);
    }
    let request = apply(auth, key, &HeaderMap::new(), http.get(base_url))?
        .build()
        .map_err(Error::transport)?;
    let mut headers = request.headers().iter();
    // The only header of an otherwise empty request.
    Ok(match (headers.next(), headers.next()) {
        (Some((name, value)), None) => Some((name.clone(), value.clone())),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_keys_are_sent_as_a_cookie_unless_the_caller_set_one() {
        let http = reqwest::Client::new();
        let key = ApiKey::new("k-1".to_owned());
        let sent = |headers: &HeaderMap| {
            apply(
                Auth::Cookie("session"),
                Some(&key),
                headers,
                http.get("http://127.0.0.1/"),
            )
            .and_then(|r| r.build().map_err(Error::transport))
            .map(|r| r.headers().get(COOKIE).cloned())
        };
        let value = sent(&HeaderMap::new()).ok().flatten();
        assert_eq!(
            value.as_ref().and_then(|v| v.to_str().ok()),
            Some("session=k-1")
        );
        assert!(value.is_some_and(|v| v.is_sensitive()));
        let mut own = HeaderMap::new();
        own.insert(COOKIE, HeaderValue::from_static("session=mine"));
        assert_eq!(sent(&own).ok().flatten(), None);
    }

    #[test]
    fn api_key_debug_is_redacted() {
        let key = ApiKey::new("sk-very-secret".to_owned());
        assert_eq!(format!("{key:?}"), "[redacted]");
        assert_eq!(key.expose(), "sk-very-secret");
    }

    #[test]
    fn header_auth_rejects_bad_values_without_echoing_them() {
        let http = reqwest::Client::new();
        let key = ApiKey::new("bad\nsecret".to_owned());
        let err = apply(
            Auth::Header("x-api-key"),
            Some(&key),
            &HeaderMap::new(),
            http.get("http://127.0.0.1/"),
        )
        .err()
        .map(|e| e.to_string());
        let message = err.unwrap_or_default();
        assert!(message.contains("API key"), "{message}");
        assert!(!message.contains("secret"), "{message}");
    }

    #[test]
    fn bearer_header_is_sensitive() {
        let http = reqwest::Client::new();
        let key = ApiKey::new("sk-abc".to_owned());
        let request = apply(
            Auth::Bearer,
            Some(&key),
            &HeaderMap::new(),
            http.get("http://127.0.0.1/"),
        )
        .and_then(|b| b.build().map_err(|e| Error::config(e.to_string())))
        .map_err(|e| e.to_string());
        let request = request.unwrap_or_else(|e| panic!("{e}"));
        let value = &request.headers()[reqwest::header::AUTHORIZATION];
        assert!(value.is_sensitive());
        assert_eq!(value, "Bearer sk-abc");
        assert!(!format!("{request:?}").contains("sk-abc"));
    }

    #[test]
    fn credentials_are_encoded_once_as_apply_does() {
        let http = reqwest::Client::new();
        let base = "http://127.0.0.1:9/api";
        let key = ApiKey::new("user:pa ss".to_owned());
        for auth in [Auth::Bearer, Auth::Basic, Auth::Header("x-api-key")] {
            let (name, value) = encode_once(auth, Some(&key), &http, base).unwrap();
            let applied = apply(auth, Some(&key), &HeaderMap::new(), http.get(base))
                .and_then(|b| b.build().map_err(|e| Error::config(e.to_string())))
                .map_err(|e| e.to_string())
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(applied.headers().get(&name), Some(&value), "{auth:?}");
            assert!(value.is_sensitive(), "{auth:?}");
        }
        assert_eq!(
            encode_once(Auth::Bearer, Some(&key), &http, base).map(|(_, v)| v),
            Some(HeaderValue::from_static("Bearer user:pa ss"))
        );
        for auth in [Auth::None, Auth::Query("key")] {
            assert!(encode_once(auth, Some(&key), &http, base).is_none());
        }
        assert!(encode_once(Auth::Bearer, None, &http, base).is_none());
        // A key that is no header value is left to `apply` to report.
        let bad = ApiKey::new("bad\nsecret".to_owned());
        assert!(encode_once(Auth::Bearer, Some(&bad), &http, base).is_none());
        assert!(encode_once(Auth::Header("x-api-key"), Some(&bad), &http, base).is_none());
    }

    #[test]
    fn a_caller_credential_header_wins() {
        let http = reqwest::Client::new();
        let key = ApiKey::new("sk-abc".to_owned());
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer other"));
        let request = apply(
            Auth::Bearer,
            Some(&key),
            &headers,
            http.get("http://127.0.0.1/").headers(headers.clone()),
        )
        .map_err(|e| e.to_string())
        .and_then(|b| b.build().map_err(|e| e.to_string()))
        .unwrap_or_else(|e| panic!("{e}"));
        let values: Vec<_> = request.headers().get_all(AUTHORIZATION).iter().collect();
        assert_eq!(values, ["Bearer other"]);
    }
}
