//! Verifying and decoding incoming webhook deliveries.
//!
//! A delivery is signed by one of the signature schemes this API uses (see
//! [`Scheme::all`]); the schemes are declared in the generator's configuration and
//! come in two families:
//!
//! - **Standard Webhooks** ([standardwebhooks.com](https://www.standardwebhooks.com/)):
//!   a message id, a timestamp and a space-separated list of `v1,<base64>` signatures
//!   (by default in `webhook-id`, `webhook-timestamp`, `webhook-signature`). The key is
//!   the base64 after the secret's `whsec_` prefix.
//! - **Timestamped HMAC**: a timestamp header and one signature header holding the
//!   HMAC-SHA256 in hex (either case) or base64. The key is the secret's UTF-8 bytes
//!   exactly as given (a `whsec_` prefix included, never base64-decoded).
//!
//! Each scheme names what is signed (for example `{id}.{timestamp}.{body}` or
//! `{timestamp}.{body}`, the body being the raw bytes); only its id, timestamp and
//! signature headers take part. A delivery is accepted when a signature matches and
//! its timestamp is at most five minutes from the current time, in either direction.
//! Signatures are compared in constant time.
//!
//! **Which scheme:** unless one is forced with [`Webhook::with_scheme`], the first
//! scheme in [`Scheme::all`] whose signature header is present verifies the delivery
//! (so a delivery carrying both Standard Webhooks and timestamped-HMAC headers is
//! verified by the scheme listed first). A delivery carrying no signature header of
//! any scheme fails with [`WebhookErrorKind::NoSignatureHeader`].
//!
//! Always verify the raw body bytes exactly as they arrived: parsing the JSON and
//! serialising it again changes the bytes and the signature no longer matches. The
//! [`unwrap`] functions verify first and only then decode the body.
//!
//! Headers can be given as an `http::HeaderMap` (as used by axum, hyper, reqwest and
//! `lambda_http`), or as name/value pairs: a slice, array or `Vec` of `(name, value)`
//! tuples or a `HashMap`/`BTreeMap`; names are matched case-insensitively (see
//! [`HeaderSource`]).
//!
//! ```ignore
//! // once, at start-up: reads the secret from the environment and prepares the keys
//! let webhook = webhooks::Webhook::from_env()?;
//! // for each request: `headers` is an `http::HeaderMap`, `body` the raw bytes
//! let event: types::WebhookEvent = webhook.unwrap(&headers, &body)?;
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use sha2::Sha256;

/// Standard Webhooks' default name of the header holding the message id.
pub const HEADER_ID: &str = "webhook-id";
/// Standard Webhooks' default name of the header holding the signing time.
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
/// Standard Webhooks' default name of the header holding the signatures.
pub const HEADER_SIGNATURE: &str = "webhook-signature";
/// The optional prefix of a Standard Webhooks signing secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far a delivery's timestamp may be from the current time (five minutes).
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Standard base64 that writes padding and accepts input with or without it (secrets).
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Standard base64 with its `=` padding required (signatures, as the reference
/// implementation compares the padded text).
const BASE64_PADDED: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

type HmacSha256 = Hmac<Sha256>;

/// A signature scheme: where a delivery carries its id, timestamp and signature, what
/// is signed, and how the signature is written.
///
/// The schemes of this API are associated constants of this type (listed by
/// [`Scheme::all`]); [`Scheme::standard_webhooks`] is the Standard Webhooks scheme with
/// its default header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    pub(crate) name: &'static str,
    pub(crate) family: Family,
    pub(crate) id_header: Option<&'static str>,
    pub(crate) timestamp_header: &'static str,
    pub(crate) signature_header: &'static str,
    pub(crate) signed: &'static [Signed],
    pub(crate) encoding: Encoding,
}

/// How a scheme's signature header and secret are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Space-separated `v1,<signature>` entries; the key is the base64 after `whsec_`.
    StandardWebhooks,
    /// One signature; the key is the secret's UTF-8 bytes as given.
    TimestampedHmac,
}

/// One piece of the signed content, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signed {
    /// The id header's value.
    Id,
    /// The timestamp header's value, as sent.
    Timestamp,
    /// The raw body.
    Body,
    /// Fixed text between the parts (`.`).
    Text(&'static str),
}

/// How the MAC is written in the signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Standard base64 with padding.
    Base64,
    /// Hexadecimal (written in lower case, accepted in either).
    Hex,
}

impl Scheme {
    /// Standard Webhooks with its default headers (`webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`), signing `{id}.{timestamp}.{body}`.
    pub const fn standard_webhooks() -> Scheme {
        Scheme {
            name: "standard-webhooks",
            family: Family::StandardWebhooks,
            id_header: Some(HEADER_ID),
            timestamp_header: HEADER_TIMESTAMP,
            signature_header: HEADER_SIGNATURE,
            signed: &[
                Signed::Id,
                Signed::Text("."),
                Signed::Timestamp,
                Signed::Text("."),
                Signed::Body,
            ],
            encoding: Encoding::Base64,
        }
    }

    /// The schemes this API signs deliveries with, in the order automatic selection
    /// tries them.
    pub fn all() -> &'static [Scheme] {
        crate::settings::WEBHOOK_SCHEMES
    }

    /// The scheme's name in the generator's configuration.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The header carrying the signature(s).
    pub fn signature_header(&self) -> &'static str {
        self.signature_header
    }

    /// The header carrying the signing time in Unix seconds.
    pub fn timestamp_header(&self) -> &'static str {
        self.timestamp_header
    }

    /// The header carrying the message id, for schemes that sign one.
    pub fn id_header(&self) -> Option<&'static str> {
        self.id_header
    }

    /// The headers of a delivery signed with this scheme (id if the scheme has one,
    /// timestamp, signature), as a sender would set them. Useful to test a webhook
    /// handler. `id` is ignored by schemes without an id header.
    pub fn sign(
        &self,
        webhook: &Webhook,
        id: &str,
        timestamp: u64,
        body: &[u8],
    ) -> Result<Vec<(&'static str, String)>, WebhookError> {
        let timestamp = timestamp.to_string();
        let mac = webhook.signed_mac(self, id.as_bytes(), timestamp.as_bytes(), body)?;
        let bytes = mac.finalize().into_bytes();
        let encoded = match self.encoding {
            Encoding::Base64 => BASE64_PADDED.encode(bytes),
            Encoding::Hex => hex_lower(&bytes),
        };
        let signature = match self.family {
            Family::StandardWebhooks => format!("v1,{encoded}"),
            Family::TimestampedHmac => encoded,
        };
        let mut headers = Vec::with_capacity(3);
        if let Some(header) = self.id_header {
            headers.push((header, id.to_string()));
        }
        headers.push((self.timestamp_header, timestamp));
        headers.push((self.signature_header, signature));
        Ok(headers)
    }

    fn needs(&self, key: Key) -> bool {
        match self.family {
            Family::StandardWebhooks => key == Key::Decoded,
            Family::TimestampedHmac => key == Key::AsGiven,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Decoded,
    AsGiven,
}

/// Verifies `body` with the current time, choosing the scheme from the headers
/// present (the first of [`Scheme::all`] whose signature header is there).
///
/// `secret` is the signing secret. To verify many deliveries, build a [`Webhook`] once
/// instead: it prepares the keys a single time.
pub fn verify(secret: &str, headers: impl HeaderSource, body: &[u8]) -> Result<(), WebhookError> {
    Webhook::new(secret)?.verify(headers, body)
}

/// Verifies `body` like [`verify`], then decodes it as JSON into `E`.
///
/// The body is decoded only after its signature has been checked.
pub fn unwrap<E: DeserializeOwned>(
    secret: &str,
    headers: impl HeaderSource,
    body: &[u8],
) -> Result<E, WebhookError> {
    Webhook::new(secret)?.unwrap(headers, body)
}

/// Like [`verify`], with the secret read from the environment variable named by
/// [`secret_env_var`].
pub fn verify_from_env(headers: impl HeaderSource, body: &[u8]) -> Result<(), WebhookError> {
    Webhook::from_env()?.verify(headers, body)
}

/// Like [`unwrap`], with the secret read from the environment variable named by
/// [`secret_env_var`].
pub fn unwrap_from_env<E: DeserializeOwned>(
    headers: impl HeaderSource,
    body: &[u8],
) -> Result<E, WebhookError> {
    Webhook::from_env()?.unwrap(headers, body)
}

/// The name of the environment variable that [`Webhook::from_env`],
/// [`verify_from_env`] and [`unwrap_from_env`] read the signing secret from.
pub fn secret_env_var() -> &'static str {
    crate::settings::WEBHOOK_SECRET_ENV
}

/// A verifier holding the signing keys.
///
/// Build it once (the secret is decoded here) and share it: it is cheap to clone and
/// `Send + Sync`. Its `Debug` output never shows a key.
#[derive(Clone)]
pub struct Webhook {
    /// HMAC-SHA256 keyed with the base64-decoded secret (Standard Webhooks), or why the
    /// secret is not such a key.
    decoded: Result<HmacSha256, SecretProblem>,
    /// HMAC-SHA256 keyed with the secret's bytes as given (timestamped HMAC).
    as_given: Option<HmacSha256>,
    /// The schemes tried, in order: [`Scheme::all`], or the one forced.
    schemes: &'static [Scheme],
    forced: Option<Scheme>,
    tolerance: Duration,
    /// The environment variable the secret came from, for error messages.
    env: Option<&'static str>,
}

impl Webhook {
    /// Builds a verifier from a signing secret.
    ///
    /// Standard Webhooks schemes read it as `whsec_` followed by the base64 of the key
    /// (the prefix is optional, base64 padding too; surrounding whitespace is ignored);
    /// timestamped-HMAC schemes key with its UTF-8 bytes exactly as given.
    ///
    /// Fails with [`WebhookErrorKind::InvalidSecret`] when the secret is empty, or when
    /// no scheme of this API can use it (not base64, and every scheme needs base64).
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Self::build(secret, None)
    }

    /// Builds a verifier from the raw key bytes (the decoded secret), used as the key
    /// of every scheme.
    ///
    /// Fails with [`WebhookErrorKind::InvalidSecret`] when `key` is empty.
    pub fn from_key(key: &[u8]) -> Result<Self, WebhookError> {
        if key.is_empty() {
            return Err(WebhookError::invalid_secret(SecretProblem::Empty, None));
        }
        let mac = HmacSha256::new_from_slice(key)
            .map_err(|_| WebhookError::invalid_secret(SecretProblem::Empty, None))?;
        Ok(Self {
            decoded: Ok(mac.clone()),
            as_given: Some(mac),
            schemes: Scheme::all(),
            forced: None,
            tolerance: DEFAULT_TOLERANCE,
            env: None,
        })
    }

    /// Builds a verifier from the secret in the environment variable named by
    /// [`secret_env_var`].
    ///
    /// Fails with [`WebhookErrorKind::MissingSecret`] when the variable is unset or
    /// empty, and with [`WebhookErrorKind::InvalidSecret`] when its value is not a
    /// valid secret.
    pub fn from_env() -> Result<Self, WebhookError> {
        let name = secret_env_var();
        let secret = match std::env::var(name) {
            Ok(value) if !value.trim().is_empty() => value,
            Ok(_) | Err(std::env::VarError::NotPresent) => {
                return Err(WebhookError::new(
                    WebhookErrorKind::MissingSecret(name),
                    Detail::None,
                ));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(WebhookError::invalid_secret(
                    SecretProblem::NotUnicode,
                    Some(name),
                ));
            }
        };
        Self::build(&secret, Some(name))
    }

    fn build(secret: &str, env: Option<&'static str>) -> Result<Self, WebhookError> {
        if secret.trim().is_empty() {
            return Err(WebhookError::invalid_secret(SecretProblem::Empty, env));
        }
        let decoded = decode_secret(secret)
            .and_then(|key| HmacSha256::new_from_slice(&key).map_err(|_| SecretProblem::Empty));
        let as_given = HmacSha256::new_from_slice(secret.as_bytes()).ok();
        let webhook = Self {
            decoded,
            as_given,
            schemes: Scheme::all(),
            forced: None,
            tolerance: DEFAULT_TOLERANCE,
            env,
        };
        match webhook.schemes.iter().find_map(|s| webhook.key(s).err()) {
            Some(problem) if webhook.schemes.iter().all(|s| webhook.key(s).is_err()) => {
                Err(WebhookError::invalid_secret(problem, env))
            }
            _ => Ok(webhook),
        }
    }

    /// Verifies every delivery with `scheme` instead of choosing it from the headers.
    ///
    /// Fails with [`WebhookErrorKind::InvalidSecret`] when the secret cannot key the
    /// scheme (a Standard Webhooks scheme with a secret that is not base64).
    pub fn with_scheme(mut self, scheme: Scheme) -> Result<Self, WebhookError> {
        self.key(&scheme)
            .map_err(|problem| WebhookError::invalid_secret(problem, self.env))?;
        self.forced = Some(scheme);
        Ok(self)
    }

    /// The scheme forced with [`Webhook::with_scheme`], if any.
    pub fn scheme(&self) -> Option<Scheme> {
        self.forced
    }

    /// Sets how far a delivery's timestamp may be from the current time, in either
    /// direction (default [`DEFAULT_TOLERANCE`], five minutes). Whole seconds count;
    /// a fraction of a second is ignored.
    #[must_use]
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The accepted clock skew, see [`Webhook::with_tolerance`].
    pub fn tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Verifies `body` with the current time.
    ///
    /// Picks the scheme (the first of [`Scheme::all`] whose signature header is there; none:
    /// [`WebhookErrorKind::NoSignatureHeader`]), then checks, in this order: the
    /// scheme's headers are present and non-empty ([`WebhookErrorKind::MissingHeader`]);
    /// the timestamp is a whole number of seconds
    /// ([`WebhookErrorKind::InvalidTimestamp`]) within the tolerance
    /// ([`WebhookErrorKind::TimestampTooOld`], [`WebhookErrorKind::TimestampTooNew`]);
    /// the secret can key the scheme ([`WebhookErrorKind::InvalidSecret`]); a signature
    /// matches ([`WebhookErrorKind::NoMatchingSignature`], or
    /// [`WebhookErrorKind::InvalidSignatureHeader`] when none matches and the header
    /// is malformed).
    pub fn verify(&self, headers: impl HeaderSource, body: &[u8]) -> Result<(), WebhookError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Like [`Webhook::verify`], with `now` as the current time (for tests and for
    /// replaying stored deliveries).
    pub fn verify_at(
        &self,
        headers: impl HeaderSource,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let scheme = self.pick(&headers)?;
        let id = match scheme.id_header {
            Some(name) => required(&headers, name)?,
            None => &[],
        };
        let timestamp_raw = required(&headers, scheme.timestamp_header)?;
        let signatures = required(&headers, scheme.signature_header)?;

        let timestamp = parse_timestamp(timestamp_raw).ok_or_else(|| {
            WebhookError::new(
                WebhookErrorKind::InvalidTimestamp,
                Detail::Header(scheme.timestamp_header),
            )
        })?;
        self.check_timestamp(timestamp, now)?;

        let mac = self.signed_mac(scheme, id, timestamp_raw, body)?;
        let outcome = match scheme.family {
            Family::StandardWebhooks => match_signatures(&mac, signatures, scheme.encoding),
            Family::TimestampedHmac => match_single(&mac, signatures, scheme.encoding),
        };
        match outcome {
            SignatureMatch::Matched => Ok(()),
            SignatureMatch::NoMatch => Err(WebhookError::new(
                WebhookErrorKind::NoMatchingSignature,
                Detail::None,
            )),
            SignatureMatch::Malformed => Err(WebhookError::new(
                WebhookErrorKind::InvalidSignatureHeader,
                Detail::Signature {
                    header: scheme.signature_header,
                    family: scheme.family,
                    encoding: scheme.encoding,
                },
            )),
        }
    }

    /// Verifies `body` like [`Webhook::verify`], then decodes it as JSON into `E`.
    ///
    /// A body that is authentic but does not decode gives
    /// [`WebhookErrorKind::Decode`]; the error keeps the body ([`WebhookError::body`]).
    pub fn unwrap<E: DeserializeOwned>(
        &self,
        headers: impl HeaderSource,
        body: &[u8],
    ) -> Result<E, WebhookError> {
        self.unwrap_at(headers, body, SystemTime::now())
    }

    /// Like [`Webhook::unwrap`], with `now` as the current time.
    pub fn unwrap_at<E: DeserializeOwned>(
        &self,
        headers: impl HeaderSource,
        body: &[u8],
        now: SystemTime,
    ) -> Result<E, WebhookError> {
        self.verify_at(headers, body, now)?;
        serde_json::from_slice(body).map_err(|source| {
            WebhookError::new(
                WebhookErrorKind::Decode,
                Detail::Decode {
                    source,
                    body: body.to_vec(),
                },
            )
        })
    }

    /// Signs a message the way a Standard Webhooks sender does and returns the
    /// `v1,<base64>` entry for the `webhook-signature` header. Useful to test your own
    /// webhook handler; [`Scheme::sign`] signs with any scheme.
    ///
    /// Uses the decoded key; when the secret is not base64 (usable by
    /// timestamped-HMAC schemes only) it signs with the secret's bytes as given.
    pub fn sign(&self, msg_id: &str, timestamp: u64, body: &[u8]) -> String {
        let mut mac = match (&self.decoded, &self.as_given) {
            (Ok(mac), _) | (Err(_), Some(mac)) => mac.clone(),
            (Err(_), None) => return String::new(),
        };
        mac.update(msg_id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("v1,{}", BASE64_PADDED.encode(mac.finalize().into_bytes()))
    }

    /// The scheme that verifies a delivery with these headers.
    fn pick<H: HeaderSource + ?Sized>(&self, headers: &H) -> Result<&Scheme, WebhookError> {
        if let Some(scheme) = &self.forced {
            return Ok(scheme);
        }
        if let [only] = self.schemes {
            return Ok(only);
        }
        let has = |name: &str| {
            headers
                .header(name)
                .is_some_and(|v| !v.iter().all(u8::is_ascii_whitespace))
        };
        // The first scheme whose signature header is there; failing that, the first
        // with any of its headers (its missing signature is then reported by name).
        self.schemes
            .iter()
            .find(|s| has(s.signature_header))
            .or_else(|| {
                self.schemes
                    .iter()
                    .find(|s| has(s.timestamp_header) || s.id_header.is_some_and(has))
            })
            .ok_or_else(|| {
                WebhookError::new(
                    WebhookErrorKind::NoSignatureHeader,
                    Detail::Schemes(self.schemes),
                )
            })
    }

    /// The key a scheme uses, or why the secret cannot be it.
    fn key(&self, scheme: &Scheme) -> Result<&HmacSha256, SecretProblem> {
        if scheme.needs(Key::Decoded) {
            self.decoded.as_ref().map_err(|problem| *problem)
        } else {
            self.as_given.as_ref().ok_or(SecretProblem::Empty)
        }
    }

    /// The MAC over a scheme's signed content, not yet finalised.
    fn signed_mac(
        &self,
        scheme: &Scheme,
        id: &[u8],
        timestamp: &[u8],
        body: &[u8],
    ) -> Result<HmacSha256, WebhookError> {
        let mut mac = self
            .key(scheme)
            .map_err(|problem| WebhookError::invalid_secret(problem, self.env))?
            .clone();
        for part in scheme.signed {
            match part {
                Signed::Id => mac.update(id),
                Signed::Timestamp => mac.update(timestamp),
                Signed::Body => mac.update(body),
                Signed::Text(text) => mac.update(text.as_bytes()),
            }
        }
        Ok(mac)
    }

    fn check_timestamp(&self, timestamp: u64, now: SystemTime) -> Result<(), WebhookError> {
        let now = unix_seconds(now);
        let tolerance = i128::from(self.tolerance.as_secs());
        let signed_at = i128::from(timestamp);
        let kind = if signed_at < now - tolerance {
            WebhookErrorKind::TimestampTooOld
        } else if signed_at > now + tolerance {
            WebhookErrorKind::TimestampTooNew
        } else {
            return Ok(());
        };
        Err(WebhookError::new(
            kind,
            Detail::Timestamp {
                timestamp,
                skew: (signed_at - now).unsigned_abs(),
                tolerance: self.tolerance.as_secs(),
            },
        ))
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("key", &"<redacted>")
            .field("scheme", &self.forced.map(|s| s.name))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

/// Where the delivery headers come from.
///
/// Implemented for `http::HeaderMap` (re-exported as `reqwest::header::HeaderMap`;
/// axum, hyper and `lambda_http` use it), for slices, arrays and `Vec`s of
/// `(name, value)` pairs, for `HashMap` and `BTreeMap`, and for references to any of
/// them. Names may be `&str` or `String` (anything `AsRef<str>`), values anything
/// `AsRef<[u8]>` (`&str`, `String`, `Vec<u8>`, ...). Names are compared ASCII
/// case-insensitively; when a name occurs more than once the first value counts (for
/// a `HashMap` with keys differing only in case, an arbitrary one).
///
/// For a framework with its own header type, collect the pairs first, e.g.
/// `req.headers().iter().map(|(k, v)| (k.as_str(), v.as_bytes())).collect::<Vec<_>>()`.
pub trait HeaderSource {
    /// The raw value of the first header called `name` (compared ASCII
    /// case-insensitively), or `None`. `name` is passed in lowercase.
    fn header(&self, name: &str) -> Option<&[u8]>;
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header(&self, name: &str) -> Option<&[u8]> {
        (**self).header(name)
    }
}

impl HeaderSource for HeaderMap {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(|value| value.as_bytes())
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderSource for [(K, V)] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        find_pair(self.iter().map(|(k, v)| (k, v)), name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> HeaderSource for [(K, V); N] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderSource for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, S: BuildHasher> HeaderSource for HashMap<K, V, S> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        find_pair(self.iter(), name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> HeaderSource for BTreeMap<K, V> {
    fn header(&self, name: &str) -> Option<&[u8]> {
        find_pair(self.iter(), name)
    }
}

fn find_pair<'a, K, V, I>(pairs: I, name: &str) -> Option<&'a [u8]>
where
    K: AsRef<str> + 'a,
    V: AsRef<[u8]> + 'a,
    I: Iterator<Item = (&'a K, &'a V)>,
{
    let mut pairs = pairs;
    pairs
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

/// What went wrong, see [`WebhookError::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WebhookErrorKind {
    /// A required header (named here) is absent or empty.
    MissingHeader(&'static str),
    /// The delivery carries the signature header of none of this API's schemes (nor
    /// any other header of one).
    NoSignatureHeader,
    /// The timestamp header is not a whole number of Unix seconds.
    InvalidTimestamp,
    /// The timestamp is further in the past than the tolerance allows (possibly a replay).
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance allows.
    TimestampTooNew,
    /// The signing secret is empty, or not base64 where the scheme needs it to be.
    InvalidSecret,
    /// The environment variable (named here) holding the secret is unset or empty.
    MissingSecret(&'static str),
    /// The signature header is not what the scheme writes (a list of
    /// `version,signature` entries, or one hex or base64 signature), and no signature
    /// in it matched.
    InvalidSignatureHeader,
    /// No signature matches: wrong secret, or the body, id or timestamp changed.
    NoMatchingSignature,
    /// The delivery is authentic but its body did not decode into the requested type.
    Decode,
}

/// An error from verifying or decoding a webhook delivery.
///
/// Neither `Display` nor `Debug` ever shows the signing secret.
pub struct WebhookError {
    kind: WebhookErrorKind,
    detail: Detail,
}

enum Detail {
    None,
    /// The header concerned.
    Header(&'static str),
    /// The signature header the delivery was verified with, and how it is written.
    Signature {
        header: &'static str,
        family: Family,
        encoding: Encoding,
    },
    /// The schemes that were looked for.
    Schemes(&'static [Scheme]),
    Secret {
        problem: SecretProblem,
        env: Option<&'static str>,
    },
    Timestamp {
        timestamp: u64,
        skew: u128,
        tolerance: u64,
    },
    Decode {
        source: serde_json::Error,
        body: Vec<u8>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretProblem {
    Empty,
    NotBase64,
    NotUnicode,
}

impl WebhookError {
    fn new(kind: WebhookErrorKind, detail: Detail) -> Self {
        Self { kind, detail }
    }

    fn invalid_secret(problem: SecretProblem, env: Option<&'static str>) -> Self {
        Self::new(
            WebhookErrorKind::InvalidSecret,
            Detail::Secret { problem, env },
        )
    }

    /// What went wrong.
    pub fn kind(&self) -> WebhookErrorKind {
        self.kind
    }

    /// The raw body, for [`WebhookErrorKind::Decode`] errors.
    pub fn body(&self) -> Option<&[u8]> {
        match &self.detail {
            Detail::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The delivery's timestamp (Unix seconds), for [`WebhookErrorKind::TimestampTooOld`]
    /// and [`WebhookErrorKind::TimestampTooNew`] errors.
    pub fn timestamp(&self) -> Option<u64> {
        match &self.detail {
            Detail::Timestamp { timestamp, .. } => Some(*timestamp),
            _ => None,
        }
    }

    /// True when the delivery must be treated as not authentic: every kind except
    /// [`WebhookErrorKind::Decode`] (authentic but not decodable) and the
    /// configuration errors [`WebhookErrorKind::InvalidSecret`] and
    /// [`WebhookErrorKind::MissingSecret`].
    pub fn is_verification_failure(&self) -> bool {
        !matches!(
            self.kind,
            WebhookErrorKind::Decode
                | WebhookErrorKind::InvalidSecret
                | WebhookErrorKind::MissingSecret(_)
        )
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.detail) {
            (WebhookErrorKind::MissingHeader(name), _) => {
                write!(f, "webhook verification failed: the `{name}` header is missing or empty")
            }
            (WebhookErrorKind::NoSignatureHeader, detail) => {
                f.write_str("webhook verification failed: the delivery carries no signature header")?;
                if let Detail::Schemes(schemes) = detail {
                    let names: Vec<String> =
                        schemes.iter().map(|s| format!("`{}`", s.signature_header)).collect();
                    write!(f, " (expected one of {})", names.join(", "))?;
                }
                Ok(())
            }
            (WebhookErrorKind::InvalidTimestamp, detail) => {
                let header = match detail {
                    Detail::Header(name) => name,
                    _ => "timestamp",
                };
                write!(
                    f,
                    "webhook verification failed: the `{header}` header is not a Unix timestamp in seconds"
                )
            }
            (WebhookErrorKind::TimestampTooOld, Detail::Timestamp { skew, tolerance, .. }) => write!(
                f,
                "webhook verification failed: the delivery was signed {skew} s ago, more than the {tolerance} s allowed"
            ),
            (WebhookErrorKind::TimestampTooNew, Detail::Timestamp { skew, tolerance, .. }) => write!(
                f,
                "webhook verification failed: the delivery's timestamp is {skew} s in the future, more than the {tolerance} s allowed"
            ),
            (WebhookErrorKind::TimestampTooOld, _) => {
                write!(f, "webhook verification failed: the delivery's timestamp is too old")
            }
            (WebhookErrorKind::TimestampTooNew, _) => {
                write!(f, "webhook verification failed: the delivery's timestamp is in the future")
            }
            (WebhookErrorKind::InvalidSecret, detail) => {
                f.write_str("invalid webhook signing secret")?;
                let (problem, env) = match detail {
                    Detail::Secret { problem, env } => (*problem, *env),
                    _ => (SecretProblem::NotBase64, None),
                };
                if let Some(env) = env {
                    write!(f, " in the environment variable `{env}`")?;
                }
                match problem {
                    SecretProblem::Empty => f.write_str(": it is empty"),
                    SecretProblem::NotBase64 => {
                        write!(f, ": expected `{SECRET_PREFIX}` followed by the base64 of the key")
                    }
                    SecretProblem::NotUnicode => f.write_str(": it is not valid UTF-8"),
                }
            }
            (WebhookErrorKind::MissingSecret(env), _) => write!(
                f,
                "no webhook signing secret: the environment variable `{env}` is not set or empty"
            ),
            (
                WebhookErrorKind::InvalidSignatureHeader,
                Detail::Signature {
                    header,
                    family,
                    encoding,
                },
            ) => {
                let shape = match (family, encoding) {
                    (Family::StandardWebhooks, Encoding::Base64) => "a space-separated list of `v1,<base64>` entries",
                    (Family::StandardWebhooks, Encoding::Hex) => "a space-separated list of `v1,<hex>` entries",
                    (Family::TimestampedHmac, Encoding::Base64) => "a base64 HMAC-SHA256",
                    (Family::TimestampedHmac, Encoding::Hex) => "a hex HMAC-SHA256",
                };
                write!(
                    f,
                    "webhook verification failed: the `{header}` header is not {shape}"
                )
            }
            (WebhookErrorKind::InvalidSignatureHeader, _) => {
                f.write_str("webhook verification failed: the signature header is malformed")
            }
            (WebhookErrorKind::NoMatchingSignature, _) => f.write_str(
                "webhook verification failed: no signature matches (wrong secret, or the body, id or timestamp was altered)",
            ),
            (WebhookErrorKind::Decode, Detail::Decode { source, .. }) => {
                write!(f, "the webhook body could not be decoded: {source}")
            }
            (WebhookErrorKind::Decode, _) => f.write_str("the webhook body could not be decoded"),
        }
    }
}

impl fmt::Debug for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("WebhookError");
        s.field("kind", &self.kind);
        match &self.detail {
            Detail::None => {}
            Detail::Header(name) => {
                s.field("header", name);
            }
            Detail::Signature { header, .. } => {
                s.field("header", header);
            }
            Detail::Schemes(schemes) => {
                let names: Vec<&str> = schemes.iter().map(|s| s.signature_header).collect();
                s.field("expected_headers", &names);
            }
            Detail::Secret { problem, env } => {
                s.field("problem", problem);
                s.field("env", env);
            }
            Detail::Timestamp {
                timestamp,
                skew,
                tolerance,
            } => {
                s.field("timestamp", timestamp);
                s.field("skew_secs", skew);
                s.field("tolerance_secs", tolerance);
            }
            Detail::Decode { source, body } => {
                const MAX: usize = 512;
                let shown = String::from_utf8_lossy(&body[..body.len().min(MAX)]);
                s.field("source", source);
                s.field("body", &shown);
                if body.len() > MAX {
                    s.field("body_len", &body.len());
                }
            }
        }
        s.finish()
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.detail {
            Detail::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn decode_secret(secret: &str) -> Result<Vec<u8>, SecretProblem> {
    let secret = secret.trim();
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    if encoded.is_empty() {
        return Err(SecretProblem::Empty);
    }
    let key = BASE64
        .decode(encoded)
        .map_err(|_| SecretProblem::NotBase64)?;
    if key.is_empty() {
        return Err(SecretProblem::Empty);
    }
    Ok(key)
}

fn required<'h, H: HeaderSource + ?Sized>(
    headers: &'h H,
    name: &'static str,
) -> Result<&'h [u8], WebhookError> {
    match headers.header(name) {
        Some(value) if !value.iter().all(u8::is_ascii_whitespace) => Ok(value),
        _ => Err(WebhookError::new(
            WebhookErrorKind::MissingHeader(name),
            Detail::None,
        )),
    }
}

/// ASCII digits only (no sign, no fraction, no whitespace), as the header is signed
/// verbatim.
fn parse_timestamp(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(raw).ok()?.parse().ok()
}

fn unix_seconds(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::from(after.as_secs()),
        Err(before) => -i128::from(before.duration().as_secs()),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum SignatureMatch {
    Matched,
    NoMatch,
    Malformed,
}

/// Compares every `v1` entry of `header` with the MAC, in constant time. Entries of
/// other versions are skipped. A malformed entry does not stop a later entry from
/// matching; it only turns "no match" into "malformed". A base64 signature must carry
/// its `=` padding, as the reference implementation compares the padded text: an
/// unpadded entry never matches (but is not malformed either).
fn match_signatures(mac: &HmacSha256, header: &[u8], encoding: Encoding) -> SignatureMatch {
    let Ok(header) = std::str::from_utf8(header) else {
        return SignatureMatch::Malformed;
    };
    let mut malformed = false;
    let mut entries = 0usize;
    for entry in header.split_ascii_whitespace() {
        entries += 1;
        let Some((version, signature)) = entry.split_once(',') else {
            malformed = true;
            continue;
        };
        if version.is_empty() || signature.is_empty() {
            malformed = true;
            continue;
        }
        if version != "v1" {
            continue;
        }
        match decode_signature(signature, encoding) {
            Some(Some(bytes)) => {
                if mac.clone().verify_slice(&bytes).is_ok() {
                    return SignatureMatch::Matched;
                }
            }
            Some(None) => {}
            None => malformed = true,
        }
    }
    if malformed || entries == 0 {
        SignatureMatch::Malformed
    } else {
        SignatureMatch::NoMatch
    }
}

/// Compares a header holding one signature with the MAC, in constant time.
/// Surrounding whitespace is ignored; hex is accepted in either case.
fn match_single(mac: &HmacSha256, header: &[u8], encoding: Encoding) -> SignatureMatch {
    let Ok(header) = std::str::from_utf8(header) else {
        return SignatureMatch::Malformed;
    };
    match decode_signature(header.trim_ascii(), encoding) {
        Some(Some(bytes)) if mac.clone().verify_slice(&bytes).is_ok() => SignatureMatch::Matched,
        Some(_) => SignatureMatch::NoMatch,
        None => SignatureMatch::Malformed,
    }
}

/// A signature's bytes: `None` when it is not in the encoding at all, `Some(None)`
/// when it is but can never match (base64 without its padding).
fn decode_signature(text: &str, encoding: Encoding) -> Option<Option<Vec<u8>>> {
    match encoding {
        Encoding::Base64 => match BASE64_PADDED.decode(text) {
            Ok(bytes) => Some(Some(bytes)),
            Err(_) => BASE64.decode(text).ok().map(|_| None),
        },
        Encoding::Hex => decode_hex(text).map(Some),
    }
}

/// Hexadecimal digits of either case, two per byte.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let text = text.as_bytes();
    if text.is_empty() || text.len() % 2 != 0 {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

/// Lower-case hexadecimal.
fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    // The Standard Webhooks specification's published test vector.
    const SPEC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const SPEC_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const SPEC_TIMESTAMP: u64 = 1614265330;
    const SPEC_BODY: &str = r#"{"test": 2432232314}"#;
    const SPEC_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn spec_headers(signature: &str) -> Vec<(&'static str, String)> {
        vec![
            (HEADER_ID, SPEC_ID.to_string()),
            (HEADER_TIMESTAMP, SPEC_TIMESTAMP.to_string()),
            (HEADER_SIGNATURE, signature.to_string()),
        ]
    }

    const STANDARD: Scheme = Scheme::standard_webhooks();

    /// A timestamped-HMAC scheme as Linq documents it: hex over `{timestamp}.{body}`.
    const HEX: Scheme = Scheme {
        name: "hex",
        family: Family::TimestampedHmac,
        id_header: None,
        timestamp_header: "x-webhook-timestamp",
        signature_header: "x-webhook-signature",
        signed: &[Signed::Timestamp, Signed::Text("."), Signed::Body],
        encoding: Encoding::Hex,
    };

    fn standard(secret: &str) -> Result<Webhook, WebhookError> {
        Webhook::new(secret)?.with_scheme(STANDARD)
    }

    fn webhook() -> Webhook {
        standard(SPEC_SECRET).expect("valid secret")
    }

    fn kind_of(result: Result<(), WebhookError>) -> Option<WebhookErrorKind> {
        result.err().map(|e| e.kind())
    }

    #[test]
    fn spec_test_vector_signs_and_verifies() {
        let wh = webhook();
        assert_eq!(
            wh.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.as_bytes()),
            SPEC_SIGNATURE
        );
        wh.verify_at(
            spec_headers(SPEC_SIGNATURE),
            SPEC_BODY.as_bytes(),
            at(SPEC_TIMESTAMP),
        )
        .expect("spec vector verifies");
    }

    #[test]
    fn secret_prefix_and_padding_are_optional() {
        let bare = SPEC_SECRET.trim_start_matches(SECRET_PREFIX);
        for secret in [SPEC_SECRET, bare, &format!(" {SPEC_SECRET}\n")] {
            let wh = standard(secret).expect("valid secret");
            assert_eq!(
                wh.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.as_bytes()),
                SPEC_SIGNATURE
            );
        }
        // A key whose base64 needs padding, given with and without it.
        let padded = format!("{SECRET_PREFIX}{}", BASE64.encode([7u8; 32]));
        assert!(padded.ends_with('='));
        let a = standard(&padded).expect("padded");
        let b = standard(padded.trim_end_matches('=')).expect("unpadded");
        assert_eq!(a.sign("id", 1, b"x"), b.sign("id", 1, b"x"));
        assert_eq!(
            a.sign("id", 1, b"x"),
            Webhook::from_key(&[7u8; 32])
                .expect("key")
                .sign("id", 1, b"x")
        );
    }

    #[test]
    fn bad_secrets_are_rejected_without_echoing_them() {
        for secret in [
            "",
            "   ",
            "whsec_",
            "whsec_not*base64",
            "whsec_@@@@",
            "whsec_====",
            "whsec_abc$",
        ] {
            let err = standard(secret).expect_err(secret);
            assert_eq!(err.kind(), WebhookErrorKind::InvalidSecret, "{secret:?}");
            assert!(!err.is_verification_failure());
            let shown = format!("{err} {err:?}");
            if secret.len() > SECRET_PREFIX.len() + 1 {
                assert!(
                    !shown.contains(secret.trim_start_matches(SECRET_PREFIX)),
                    "{shown}"
                );
            }
        }
        assert_eq!(
            Webhook::from_key(&[]).expect_err("empty key").kind(),
            WebhookErrorKind::InvalidSecret
        );
        // The free functions report an empty secret before looking at the headers.
        let no_headers: [(&str, &str); 0] = [];
        assert_eq!(
            kind_of(verify(" ", no_headers, b"")),
            Some(WebhookErrorKind::InvalidSecret)
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let shown = format!("{:?}", webhook());
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains("MfKQ9r8G"));
    }

    #[test]
    fn timestamp_parsing() {
        assert_eq!(parse_timestamp(b"1614265330"), Some(1614265330));
        assert_eq!(parse_timestamp(b"0"), Some(0));
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"+1",
            b"-1",
            b"1.5",
            b"1e9",
            b"abc",
            b"99999999999999999999",
            "１".as_bytes(),
        ] {
            assert_eq!(
                parse_timestamp(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn timestamp_tolerance_is_inclusive_both_ways() {
        let wh = webhook();
        let body = SPEC_BODY.as_bytes();
        let headers = spec_headers(SPEC_SIGNATURE);
        assert!(
            wh.verify_at(&headers, body, at(SPEC_TIMESTAMP + 300))
                .is_ok()
        );
        assert!(
            wh.verify_at(&headers, body, at(SPEC_TIMESTAMP - 300))
                .is_ok()
        );
        let old = wh
            .verify_at(&headers, body, at(SPEC_TIMESTAMP + 301))
            .expect_err("too old");
        assert_eq!(old.kind(), WebhookErrorKind::TimestampTooOld);
        assert_eq!(old.timestamp(), Some(SPEC_TIMESTAMP));
        assert!(old.to_string().contains("301 s ago"), "{old}");
        let new = wh
            .verify_at(&headers, body, at(SPEC_TIMESTAMP - 301))
            .expect_err("too new");
        assert_eq!(new.kind(), WebhookErrorKind::TimestampTooNew);
        // A narrower tolerance.
        let strict = webhook().with_tolerance(Duration::from_secs(10));
        assert_eq!(strict.tolerance(), Duration::from_secs(10));
        assert_eq!(
            kind_of(strict.verify_at(&headers, body, at(SPEC_TIMESTAMP + 11))),
            Some(WebhookErrorKind::TimestampTooOld)
        );
        // A clock before 1970 does not panic or overflow.
        assert_eq!(
            kind_of(wh.verify_at(&headers, body, UNIX_EPOCH - Duration::from_secs(1_000_000))),
            Some(WebhookErrorKind::TimestampTooNew)
        );
        let far = [
            (HEADER_ID, "id"),
            (HEADER_TIMESTAMP, "9999999999999999999"),
            (HEADER_SIGNATURE, "v1,AAAA"),
        ];
        assert_eq!(
            kind_of(wh.verify_at(far, body, at(0))),
            Some(WebhookErrorKind::TimestampTooNew)
        );
    }

    #[test]
    fn signature_header_parsing() {
        let wh = webhook();
        let mut mac = wh.decoded.clone().expect("decoded key");
        mac.update(format!("{SPEC_ID}.{SPEC_TIMESTAMP}.{SPEC_BODY}").as_bytes());
        let good = SPEC_SIGNATURE;
        let good_b64 = &good[3..];
        let other = wh.sign("other", 1, b"other");
        let check = |header: &str| match_signatures(&mac, header.as_bytes(), Encoding::Base64);

        assert_eq!(check(good), SignatureMatch::Matched);
        assert_eq!(check(&format!("{other} {good}")), SignatureMatch::Matched);
        assert_eq!(
            check(&format!("  {good}   {other}  ")),
            SignatureMatch::Matched
        );
        assert_eq!(
            check(&format!("v2,{good_b64} {good}")),
            SignatureMatch::Matched
        );
        // Unpadded base64 never matches, as in the reference implementation.
        assert!(good.ends_with('='));
        assert_eq!(check(good.trim_end_matches('=')), SignatureMatch::NoMatch);
        assert_eq!(
            check(&format!("{} {good}", good.trim_end_matches('='))),
            SignatureMatch::Matched
        );
        // A malformed entry does not hide a later good one.
        assert_eq!(check(&format!("garbage {good}")), SignatureMatch::Matched);

        assert_eq!(check(&other), SignatureMatch::NoMatch);
        assert_eq!(check(&format!("v2,{good_b64}")), SignatureMatch::NoMatch);
        assert_eq!(check(&format!("V1,{good_b64}")), SignatureMatch::NoMatch);
        assert_eq!(check("v1,AAAA"), SignatureMatch::NoMatch);
        assert_eq!(
            check(&format!("v1,{}", BASE64.encode([0u8; 64]))),
            SignatureMatch::NoMatch
        );

        for bad in [
            "",
            "   ",
            good_b64,
            "v1",
            "v1,",
            ",abc",
            "v1,***",
            "v1,abc,def",
        ] {
            assert_eq!(check(bad), SignatureMatch::Malformed, "{bad:?}");
        }
        assert_eq!(check(&format!("{other} v1")), SignatureMatch::Malformed);
        assert_eq!(
            match_signatures(&mac, &[0xff, 0xfe], Encoding::Base64),
            SignatureMatch::Malformed
        );
    }

    #[test]
    fn missing_or_empty_headers_are_named() {
        let wh = webhook();
        let full = spec_headers(SPEC_SIGNATURE);
        for name in [HEADER_ID, HEADER_TIMESTAMP, HEADER_SIGNATURE] {
            let without: Vec<_> = full.iter().filter(|(k, _)| *k != name).cloned().collect();
            let err = wh
                .verify_at(&without, SPEC_BODY.as_bytes(), at(SPEC_TIMESTAMP))
                .expect_err(name);
            assert_eq!(err.kind(), WebhookErrorKind::MissingHeader(name));
            assert!(err.to_string().contains(name));
            let empty: Vec<_> = full
                .iter()
                .map(|(k, v)| {
                    (
                        *k,
                        if *k == name {
                            " ".to_string()
                        } else {
                            v.clone()
                        },
                    )
                })
                .collect();
            assert_eq!(
                kind_of(wh.verify_at(&empty, SPEC_BODY.as_bytes(), at(SPEC_TIMESTAMP))),
                Some(WebhookErrorKind::MissingHeader(name))
            );
        }
    }

    #[test]
    #[allow(clippy::needless_borrows_for_generic_args)] // borrowing is what is tested
    fn every_header_source_is_case_insensitive() {
        let wh = webhook();
        let body = SPEC_BODY.as_bytes();
        let now = at(SPEC_TIMESTAMP);
        let ts = SPEC_TIMESTAMP.to_string();
        let pairs = [
            ("Webhook-ID", SPEC_ID),
            ("WEBHOOK-TIMESTAMP", ts.as_str()),
            ("webhook-Signature", SPEC_SIGNATURE),
        ];

        wh.verify_at(pairs, body, now).expect("array");
        wh.verify_at(&pairs, body, now).expect("&array");
        wh.verify_at(&pairs[..], body, now).expect("slice");
        let owned: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        wh.verify_at(&owned, body, now)
            .expect("Vec<(String, String)>");
        let bytes: Vec<(&str, Vec<u8>)> = pairs
            .iter()
            .map(|(k, v)| (*k, v.as_bytes().to_vec()))
            .collect();
        wh.verify_at(bytes, body, now)
            .expect("Vec<(&str, Vec<u8>)>");
        let hash: HashMap<String, String> = owned.iter().cloned().collect();
        wh.verify_at(&hash, body, now).expect("HashMap");
        let tree: BTreeMap<&str, &str> = pairs.iter().copied().collect();
        wh.verify_at(tree, body, now).expect("BTreeMap");

        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        wh.verify_at(&map, body, now).expect("&HeaderMap");
        wh.verify_at(map, body, now).expect("HeaderMap");
    }

    #[test]
    fn first_of_duplicate_headers_counts() {
        let wh = webhook();
        let ts = SPEC_TIMESTAMP.to_string();
        let headers = [
            (HEADER_ID, SPEC_ID),
            (HEADER_TIMESTAMP, ts.as_str()),
            (HEADER_SIGNATURE, SPEC_SIGNATURE),
            (HEADER_SIGNATURE, "v1,AAAA"),
        ];
        assert!(
            wh.verify_at(headers, SPEC_BODY.as_bytes(), at(SPEC_TIMESTAMP))
                .is_ok()
        );
    }

    /// Any single-bit change anywhere in the body, and any replaced byte, fails.
    #[test]
    fn any_single_byte_change_to_the_body_fails() {
        let wh = webhook();
        let body =
            br#"{"api_version":"v3","event_type":"message.received","data":{"text":"Hi \u00e9"}}"#;
        let timestamp = 1_770_000_000u64;
        let ts = timestamp.to_string();
        let signature = wh.sign("msg_1", timestamp, body);
        let headers = [
            (HEADER_ID, "msg_1"),
            (HEADER_TIMESTAMP, ts.as_str()),
            (HEADER_SIGNATURE, signature.as_str()),
        ];
        let now = at(timestamp);
        wh.verify_at(headers, body, now).expect("original verifies");

        // Deterministic xorshift for the replacement bytes.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut tampered = body.to_vec();
        for position in 0..body.len() {
            let original = tampered[position];
            let random = loop {
                let candidate = (next() & 0xff) as u8;
                if candidate != original {
                    break candidate;
                }
            };
            for replacement in [original ^ 0x01, original ^ 0x20, original ^ 0x80, random] {
                tampered[position] = replacement;
                assert_eq!(
                    kind_of(wh.verify_at(headers, &tampered, now)),
                    Some(WebhookErrorKind::NoMatchingSignature),
                    "byte {position} changed to {replacement:#04x}"
                );
            }
            tampered[position] = original;
        }
        // Truncation and extension fail too.
        for len in 0..body.len() {
            assert!(
                wh.verify_at(headers, &body[..len], now).is_err(),
                "truncated to {len}"
            );
        }
        let mut longer = body.to_vec();
        longer.push(b' ');
        assert!(wh.verify_at(headers, &longer, now).is_err());
    }

    #[test]
    fn unwrap_decodes_only_authentic_bodies() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Payload {
            test: u64,
        }
        let wh = webhook();
        let now = at(SPEC_TIMESTAMP);
        let payload: Payload = wh
            .unwrap_at(spec_headers(SPEC_SIGNATURE), SPEC_BODY.as_bytes(), now)
            .expect("decodes");
        assert_eq!(payload, Payload { test: 2432232314 });

        let err = wh
            .unwrap_at::<Payload>(spec_headers("v1,AAAA"), SPEC_BODY.as_bytes(), now)
            .expect_err("bad signature");
        assert_eq!(err.kind(), WebhookErrorKind::NoMatchingSignature);
        assert!(err.is_verification_failure());
        assert!(err.body().is_none());

        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Other {
            missing: String,
        }
        let err = wh
            .unwrap_at::<Other>(spec_headers(SPEC_SIGNATURE), SPEC_BODY.as_bytes(), now)
            .expect_err("wrong shape");
        assert_eq!(err.kind(), WebhookErrorKind::Decode);
        assert!(!err.is_verification_failure());
        assert_eq!(err.body(), Some(SPEC_BODY.as_bytes()));
        assert!(std::error::Error::source(&err).is_some());
        assert!(err.to_string().contains("missing"), "{err}");
        assert!(format!("{err:?}").contains("2432232314"));
    }

    #[test]
    fn free_functions_use_the_current_time() {
        let wh = webhook();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let ts = now.to_string();
        let signature = wh.sign("msg_now", now, b"{\"test\":1}");
        let headers = [
            (HEADER_ID, "msg_now"),
            (HEADER_TIMESTAMP, ts.as_str()),
            (HEADER_SIGNATURE, signature.as_str()),
        ];
        verify(SPEC_SECRET, headers, b"{\"test\":1}").expect("fresh delivery verifies");
        let value: serde_json::Value =
            unwrap(SPEC_SECRET, headers, b"{\"test\":1}").expect("decodes");
        assert_eq!(value["test"], 1);
        // The published vector is from 2021: too old today.
        assert_eq!(
            kind_of(verify(
                SPEC_SECRET,
                spec_headers(SPEC_SIGNATURE),
                SPEC_BODY.as_bytes()
            )),
            Some(WebhookErrorKind::TimestampTooOld)
        );
    }

    #[test]
    fn errors_are_thread_safe_and_static() {
        fn assert_bounds<T: std::error::Error + Send + Sync + 'static>() {}
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_bounds::<WebhookError>();
        assert_send_sync::<Webhook>();
    }

    #[test]
    fn display_messages() {
        let missing = WebhookError::new(WebhookErrorKind::MissingSecret("SOME_ENV"), Detail::None);
        assert_eq!(
            missing.to_string(),
            "no webhook signing secret: the environment variable `SOME_ENV` is not set or empty"
        );
        assert!(!missing.is_verification_failure());
        let invalid = WebhookError::invalid_secret(SecretProblem::NotBase64, Some("SOME_ENV"));
        assert_eq!(
            invalid.to_string(),
            "invalid webhook signing secret in the environment variable `SOME_ENV`: expected `whsec_` followed by the base64 of the key"
        );
        assert!(
            WebhookError::new(
                WebhookErrorKind::InvalidSignatureHeader,
                Detail::Signature {
                    header: STANDARD.signature_header,
                    family: STANDARD.family,
                    encoding: STANDARD.encoding,
                }
            )
            .to_string()
            .contains("webhook-signature")
        );
        let none = WebhookError::new(
            WebhookErrorKind::NoSignatureHeader,
            Detail::Schemes(&[STANDARD, HEX]),
        );
        assert_eq!(
            none.to_string(),
            "webhook verification failed: the delivery carries no signature header (expected one of `webhook-signature`, `x-webhook-signature`)"
        );
        assert!(none.is_verification_failure());
        assert!(!secret_env_var().is_empty());
    }

    /// A verifier knowing both families, Standard Webhooks first (as selection tries
    /// them), keyed with one secret.
    fn both(secret: &str) -> Webhook {
        let mut wh = Webhook::new(secret).expect("secret");
        wh.schemes = &[STANDARD, HEX];
        wh
    }

    // Computed with Python's hmac over f"{timestamp}.{body}", keyed with the secret's
    // UTF-8 bytes (the whole `whsec_...` text), hex digest.
    const HEX_SECRET: &str = "whsec_not*base64: used as given";
    const HEX_TIMESTAMP: u64 = 1770321137;
    const HEX_BODY: &str = r#"{"event_type":"message.received"}"#;
    const HEX_SIGNATURE: &str = "c5b0a8751b3c4a535ef98ab6f21be11d4fc57ecba0a2add7b03f59a9ea660643";

    #[test]
    fn timestamped_hmac_signs_and_verifies_with_the_secret_as_given() {
        let wh = both(HEX_SECRET);
        let headers = HEX
            .sign(&wh, "ignored", HEX_TIMESTAMP, HEX_BODY.as_bytes())
            .expect("signs");
        assert_eq!(headers.len(), 2, "no id header: {headers:?}");
        let signature = headers[1].1.clone();
        assert_eq!(signature, HEX_SIGNATURE);
        let now = at(HEX_TIMESTAMP);
        wh.verify_at(&headers, HEX_BODY.as_bytes(), now)
            .expect("verifies");
        // Upper-case hex, surrounding spaces and any header-name case are accepted.
        let ts = HEX_TIMESTAMP.to_string();
        let upper = [
            ("X-Webhook-Timestamp", ts.clone()),
            (
                "X-WEBHOOK-SIGNATURE",
                format!(" {} ", signature.to_ascii_uppercase()),
            ),
        ];
        wh.verify_at(&upper, HEX_BODY.as_bytes(), now)
            .expect("upper case");
        // The same secret is not base64, so Standard Webhooks cannot use it.
        assert_eq!(
            Webhook::new(HEX_SECRET)
                .and_then(|w| w.with_scheme(STANDARD))
                .map(|_| ())
                .map_err(|e| e.kind()),
            Err(WebhookErrorKind::InvalidSecret)
        );
        // A bad hex signature: wrong length, odd length, not hex.
        for (bad, kind) in [
            (&signature[..62], WebhookErrorKind::NoMatchingSignature),
            (&signature[..63], WebhookErrorKind::InvalidSignatureHeader),
            ("zz", WebhookErrorKind::InvalidSignatureHeader),
        ] {
            let headers = [
                ("x-webhook-timestamp", ts.as_str()),
                ("x-webhook-signature", bad),
            ];
            assert_eq!(
                kind_of(wh.verify_at(headers, HEX_BODY.as_bytes(), now)),
                Some(kind),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_scheme_follows_the_headers_present() {
        let wh = both(SPEC_SECRET);
        let now = at(SPEC_TIMESTAMP);
        let body = SPEC_BODY.as_bytes();
        let standard = spec_headers(SPEC_SIGNATURE);
        let hex = HEX.sign(&wh, "", SPEC_TIMESTAMP, body).expect("signs");
        wh.verify_at(&standard, body, now).expect("standard");
        wh.verify_at(&hex, body, now).expect("hex");

        // Both sets: Standard Webhooks (listed first) decides.
        let mut all: Vec<(&str, String)> = standard.clone();
        all.extend(hex.iter().cloned());
        wh.verify_at(&all, body, now).expect("both, standard good");
        let mut bad_standard = spec_headers("v1,AAAA");
        bad_standard.extend(hex.iter().cloned());
        assert_eq!(
            kind_of(wh.verify_at(&bad_standard, body, now)),
            Some(WebhookErrorKind::NoMatchingSignature)
        );

        // Neither: a clear error; a partial set names what is missing.
        let none = [("content-type", "application/json")];
        let err = wh.verify_at(none, body, now).expect_err("no headers");
        assert_eq!(err.kind(), WebhookErrorKind::NoSignatureHeader);
        assert!(err.to_string().contains("x-webhook-signature"), "{err}");
        let partial = [("x-webhook-timestamp", "1")];
        assert_eq!(
            kind_of(wh.verify_at(partial, body, now)),
            Some(WebhookErrorKind::MissingHeader("x-webhook-signature"))
        );

        // Forcing a scheme ignores the other one's headers.
        let forced = both(SPEC_SECRET).with_scheme(HEX).expect("hex");
        assert_eq!(forced.scheme(), Some(HEX));
        assert_eq!(
            kind_of(forced.verify_at(&standard, body, now)),
            Some(WebhookErrorKind::MissingHeader("x-webhook-timestamp"))
        );
        forced.verify_at(&hex, body, now).expect("forced hex");
    }

    #[test]
    fn decode_hex_accepts_both_cases_only() {
        assert_eq!(decode_hex("00ffAb"), Some(vec![0, 255, 0xab]));
        assert_eq!(hex_lower(&[0, 255, 0xab]), "00ffab");
        for bad in ["", "0", "0g", "+1", " 00"] {
            assert_eq!(decode_hex(bad), None, "{bad:?}");
        }
    }
}
