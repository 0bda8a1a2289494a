//! `src/lib.rs` and `src/settings.rs`: the crate root and the per-API constants the
//! runtime reads.

use heck::ToShoutySnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{self, Docs};
use super::features;
use super::rust_type::ident;
use crate::config::{Config, SchemeFamily, SignatureEncoding, SignedPart, WebhookScheme};
use crate::ir::{Api, Auth, TypeRef};
use crate::plan::{EnvelopeSource as Source, Plan};

/// `src/lib.rs`.
pub fn lib_file(
    api: &Api,
    config: &Config,
    plan: &Plan,
    docs: &Docs,
    usage: Option<Vec<String>>,
) -> TokenStream {
    let title = format!("# {}", api.info.title.trim());
    let intro = docs::join(&[
        Some(&title),
        api.info.description.as_deref(),
        Some(&format!(
            "## Usage\n\nThe client reads the API key from `{}` (and an optional base URL from `{}`).",
            config.api_key_env, config.base_url_env
        )),
    ]);
    let doc = docs.inner(&intro, usage);
    let error_body = api.error_body.map(|id| {
        let name = ident(&api.type_def(id).name);
        let cfg = features::cfg(&plan.any_resource);
        quote! {
            #cfg
            impl Error {
                /// The error response body decoded as the API's error type, when the server
                /// sent one that matches it.
                pub fn error_body(&self) -> Option<types::#name> {
                    self.body_as()
                }
            }
        }
    });
    let webhooks = webhooks_module(api, config, plan, docs);
    quote! {
        #doc
        #![warn(missing_docs)]
        #![cfg_attr(docsrs, feature(doc_cfg))]
        #![forbid(unsafe_code)]

        mod runtime;
        mod settings;
        pub mod resources;
        pub mod types;

        pub use runtime::{
            ApiResponse, BoxFuture, ByteStream, Client, ClientBuilder, CustomRequest, Error, ErrorKind, LogLevel,
            Method, Middleware, Next, Nullable, Page, PageStream, RequestOptions, redirect_policy,
        };
        /// The HTTP library the client sends requests with (for middlewares and
        /// [`ClientBuilder::http_client`]).
        pub use reqwest;
        /// The date and time library used by timestamp fields.
        pub use chrono;
        /// The JSON library used for free-form values.
        pub use serde_json;

        #error_body
        #webhooks
    }
}

fn webhooks_module(api: &Api, config: &Config, plan: &Plan, docs: &Docs) -> TokenStream {
    let envelope = plan
        .webhook_envelope
        .map(|id| ident(&api.type_def(id).name));
    let unwrap_event = envelope.map(|t| {
        quote! {
            /// Verifies a delivery with the secret from the environment and decodes its
            /// envelope. See [`unwrap`] to pass the secret explicitly.
            pub fn unwrap_event(headers: impl HeaderSource, body: &[u8]) -> Result<crate::types::#t, WebhookError> {
                unwrap_from_env(headers, body)
            }
        }
    });
    let typed = api.webhooks.iter().filter_map(|w| match &w.payload {
        Some(TypeRef::Named(id)) => Some(format!(
            "`{}`: [`{}`](crate::types::{})",
            w.name,
            api.type_def(*id).name,
            api.type_def(*id).name
        )),
        _ => None,
    });
    let list: Vec<String> = typed.collect();
    let schemes: Vec<String> = config
        .webhook_schemes
        .iter()
        .map(|s| {
            let constant = s.name.to_shouty_snake_case();
            format!(
                "[`Scheme::{constant}`](Scheme::{constant}) (`{}`)",
                s.signature_header
            )
        })
        .collect();
    let mut text = format!(
        "Verifying and decoding webhook deliveries. Signature schemes, in the order a \
         delivery's headers select them: {}.",
        schemes.join(", ")
    );
    if !list.is_empty() {
        text.push_str("\n\nPayloads this API delivers:\n\n");
        text.push_str(
            &list
                .iter()
                .map(|l| format!("- {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    let list_doc = docs.inner(&text, None);
    quote! {
        #[cfg(feature = "webhooks")]
        #[cfg_attr(docsrs, doc(cfg(feature = "webhooks")))]
        pub mod webhooks {
            #list_doc
            pub use crate::runtime::webhooks::*;
            #unwrap_event
        }
    }
}

/// `src/settings.rs`.
pub fn settings_file(api: &Api, config: &Config, plan: &Plan, docs: &Docs) -> TokenStream {
    let base = &api.info.base_url;
    let key_env = &config.api_key_env;
    let url_env = &config.base_url_env;
    let secret_env = &config.webhook_secret_env;
    let ua = format!("{}/", config.user_agent);
    let schemes = webhook_schemes(config, docs);
    let auth = auth_tokens(&api.info.auth);
    let log_env = &config.log_env;
    let headers_env = &config.custom_headers_env;
    let optional = |value: &Option<String>| match value {
        Some(text) => quote! { Some(#text) },
        None => quote! { None },
    };
    let idempotency_header = optional(&config.idempotency_header);
    let request_id_field = optional(&config.request_id_field);
    let envelope = &plan.error_envelope;
    let envelope_doc = match &envelope.source {
        Source::Config => "the config's `error_envelope:`".to_string(),
        Source::Schema(name) => format!("the spec's error schema `{name}`"),
        Source::Guess => "a guess of the common shapes: neither the config \
            (`error_envelope:`) nor the spec's error schema says"
            .to_string(),
    };
    let code_doc = docs.attrs(&format!(
        "JSON pointers to the code in error bodies, tried in order (from {envelope_doc})."
    ));
    let message_doc = docs.attrs(&format!(
        "JSON pointers to the message in error bodies, tried in order (from {envelope_doc})."
    ));
    let (code_fields, message_fields) = (&envelope.code, &envelope.message);
    // Operations are named by method and path template, what the runtime sees.
    let body_fields = config
        .idempotency_body_fields
        .iter()
        .flat_map(|(id, field)| {
            api.resources
                .iter()
                .flat_map(|r| &r.operations)
                .filter(move |op| &op.operation_id == id)
                .map(move |op| {
                    let method = format!("{:?}", op.method).to_uppercase();
                    let path = &op.path;
                    quote! { (#method, #path, #field) }
                })
        });
    quote! {
        //! Constants of this API that the runtime reads: where to connect, how to
        //! authenticate, which environment variables to consult.

        use crate::runtime::Auth;

        /// The spec's first server.
        pub(crate) const DEFAULT_BASE_URL: &str = #base;
        /// Environment variable holding the API key.
        pub(crate) const API_KEY_ENV: &str = #key_env;
        /// Environment variable overriding the base URL.
        pub(crate) const BASE_URL_ENV: &str = #url_env;
        /// Environment variable holding the webhook signing secret.
        #[allow(dead_code)]
        pub(crate) const WEBHOOK_SECRET_ENV: &str = #secret_env;
        /// Sent as the `User-Agent` header.
        pub(crate) const USER_AGENT: &str = concat!(#ua, env!("CARGO_PKG_VERSION"));
        /// How requests carry the API key.
        pub(crate) const AUTH: Auth = #auth;
        /// Environment variable with the log level (`off`, `error`, `warn`, `info`, `debug`).
        pub(crate) const LOG_ENV: &str = #log_env;
        /// Environment variable with extra headers, one `name: value` per line.
        pub(crate) const CUSTOM_HEADERS_ENV: &str = #headers_env;
        /// Header carrying an idempotency key on POST and PATCH requests, if the API takes one.
        pub(crate) const IDEMPOTENCY_HEADER: Option<&str> = #idempotency_header;
        /// `(method, path template, JSON pointer)`: operations whose JSON body carries an
        /// idempotency key, and where.
        pub(crate) const IDEMPOTENCY_BODY_FIELDS: &[(&str, &str, &str)] = &[#(#body_fields),*];
        /// JSON pointer of a request id in error bodies, if the API returns one there.
        pub(crate) const REQUEST_ID_FIELD: Option<&str> = #request_id_field;
        #code_doc
        pub(crate) const ERROR_CODE_FIELDS: &[&str] = &[#(#code_fields),*];
        #message_doc
        pub(crate) const ERROR_MESSAGE_FIELDS: &[&str] = &[#(#message_fields),*];

        #schemes
    }
}

/// The webhook signature schemes as constants of the runtime's `Scheme` type, and the
/// list automatic selection tries in order.
fn webhook_schemes(config: &Config, docs: &Docs) -> TokenStream {
    let consts = config.webhook_schemes.iter().map(|s| scheme_const(s, docs));
    let names = config
        .webhook_schemes
        .iter()
        .map(|s| quote::format_ident!("{}", s.name.to_shouty_snake_case()));
    quote! {
        #[cfg(feature = "webhooks")]
        use crate::runtime::webhooks::{Encoding, Family, Scheme, Signed};

        /// The webhook signature schemes, in the order a delivery's headers are matched
        /// against them.
        #[cfg(feature = "webhooks")]
        pub(crate) const WEBHOOK_SCHEMES: &[Scheme] = &[#(Scheme::#names),*];

        #[cfg(feature = "webhooks")]
        impl Scheme {
            #(#consts)*
        }
    }
}

fn scheme_const(scheme: &WebhookScheme, docs: &Docs) -> TokenStream {
    let name = quote::format_ident!("{}", scheme.name.to_shouty_snake_case());
    let label = &scheme.name;
    let template: String = scheme
        .signed
        .iter()
        .map(|p| match p {
            SignedPart::Id => "{id}".to_string(),
            SignedPart::Timestamp => "{timestamp}".to_string(),
            SignedPart::Body => "{body}".to_string(),
            SignedPart::Text(t) => t.clone(),
        })
        .collect();
    let encoding_text = match scheme.encoding {
        SignatureEncoding::Base64 => "base64",
        SignatureEncoding::Hex => "hex",
    };
    let (family, family_text) = match scheme.family {
        SchemeFamily::StandardWebhooks => (
            quote! { Family::StandardWebhooks },
            format!(
                "Standard Webhooks: space-separated `v1,<{encoding_text}>` entries in `{}`, keyed with the base64 after the secret's `whsec_` prefix",
                scheme.signature_header
            ),
        ),
        SchemeFamily::TimestampedHmac => (
            quote! { Family::TimestampedHmac },
            format!(
                "one {encoding_text} HMAC-SHA256 in `{}`, keyed with the secret's UTF-8 bytes as given",
                scheme.signature_header
            ),
        ),
    };
    let mut text = format!(
        "The `{label}` signature scheme. Signs `{}` (the timestamp from `{}`",
        template.replace('`', "'"),
        scheme.timestamp_header
    );
    if let Some(id) = &scheme.id_header {
        text.push_str(&format!(", the id from `{id}`"));
    }
    text.push_str(&format!("); {family_text}."));
    let doc = docs.attrs(&docs::join(&[Some(&text), scheme.description.as_deref()]));
    let id = match &scheme.id_header {
        Some(h) => quote! { Some(#h) },
        None => quote! { None },
    };
    let timestamp = &scheme.timestamp_header;
    let signature = &scheme.signature_header;
    let parts = scheme.signed.iter().map(|p| match p {
        SignedPart::Id => quote! { Signed::Id },
        SignedPart::Timestamp => quote! { Signed::Timestamp },
        SignedPart::Body => quote! { Signed::Body },
        SignedPart::Text(t) => quote! { Signed::Text(#t) },
    });
    let encoding = match scheme.encoding {
        SignatureEncoding::Base64 => quote! { Encoding::Base64 },
        SignatureEncoding::Hex => quote! { Encoding::Hex },
    };
    quote! {
        #doc
        pub const #name: Scheme = Scheme {
            name: #label,
            family: #family,
            id_header: #id,
            timestamp_header: #timestamp,
            signature_header: #signature,
            signed: &[#(#parts),*],
            encoding: #encoding,
        };
    }
}

/// The runtime's `Auth` value for `auth`.
pub(super) fn auth_tokens(auth: &Auth) -> TokenStream {
    match auth {
        Auth::None => quote! { Auth::None },
        Auth::Bearer => quote! { Auth::Bearer },
        Auth::Basic => quote! { Auth::Basic },
        Auth::Header(h) => quote! { Auth::Header(#h) },
        Auth::Query(q) => quote! { Auth::Query(#q) },
        Auth::Cookie(c) => quote! { Auth::Cookie(#c) },
    }
}
