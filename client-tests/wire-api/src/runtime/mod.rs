//! Hand-written runtime shared by every generated client.
//!
//! This folder is copied verbatim into each generated crate. It knows nothing of the
//! API it serves: everything API-specific (base URL, environment variable names, user
//! agent, authentication scheme) comes from the emitted `crate::settings` module.
//!
//! The emitted resource code builds a [`RequestSpec`] and hands it to
//! [`Scope::send`], which owns retries, timeouts, authentication and tracing.

// The runtime is shared by all specs and no single API uses every helper (form bodies,
// query styles, auth schemes...), so unused items are expected here.
#![allow(dead_code)]

mod auth;
mod client;
mod custom;
pub(crate) mod de;
mod enums;
mod error;
mod http_date;
mod idempotency;
mod log;
mod middleware;
mod multipart;
mod nullable;
mod options;
mod page;
pub mod path;
mod query;
mod request;
mod response;
mod retry;
mod scope;
pub(crate) mod ser;
#[cfg(feature = "webhooks")]
pub mod webhooks;

pub use auth::Auth;
pub use client::{Client, ClientBuilder, redirect_policy};
pub use custom::CustomRequest;
// Used by emitted string enums only.
#[allow(unused_imports)]
pub(crate) use enums::deserialize_string_enum;
pub use error::{Error, ErrorKind};
pub use log::LogLevel;
pub use middleware::{BoxFuture, Middleware, Next};
pub use multipart::Multipart;
pub use nullable::Nullable;
pub use options::RequestOptions;
pub use page::{Page, PageStream};
// Named by emitted paginated methods.
#[allow(unused_imports)]
pub use page::{Pager, Paging};
#[allow(unused_imports)] // unused by APIs without operations (webhook-only descriptions)
pub use request::RequestSpec;
pub use response::{ApiResponse, ByteStream};
// Named by emitted resource methods (which of them depends on the API's operations).
#[allow(unused_imports)]
pub use response::{Binary, Decode, Empty, Json, Text};
#[allow(unused_imports)] // unused by APIs without operations
pub use scope::Scope;

// Used by emitted code only for some APIs (query parameters, raw bodies).
#[allow(unused_imports)]
pub use query::QueryStyle;
#[allow(unused_imports)]
pub use response::RawResponse;

/// HTTP method of a request (re-exported from `reqwest`, which re-exports `http`).
pub use reqwest::Method;
