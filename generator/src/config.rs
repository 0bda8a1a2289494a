//! Settings the spec cannot express (crate name, environment variable names), read from
//! an optional `<spec-stem>.codegen.yaml` beside the spec.
//!
//! Everything API-specific that is not in the spec lives here, so the generator itself
//! hard-codes nothing about any one API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use heck::{ToKebabCase, ToShoutySnakeCase};
use indexmap::IndexMap;
use serde::Deserialize;

use crate::error::{Error, ErrorKind};

/// The config file as written by users. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    crate_name: Option<String>,
    version: Option<String>,
    description: Option<String>,
    user_agent: Option<String>,
    #[serde(default)]
    env: RawEnv,
    #[serde(default)]
    webhooks: Option<RawWebhooks>,
    #[serde(default)]
    strict_examples: bool,
    #[serde(default)]
    serde: SerdeImpls,
    #[serde(default)]
    pagination: PaginationConfig,
    #[serde(default)]
    idempotency: RawIdempotency,
    request_id_field: Option<String>,
    error_envelope: Option<RawErrorEnvelope>,
    #[serde(default)]
    version_policy: VersionPolicy,
    release_date: Option<String>,
    #[serde(default)]
    resources: IndexMap<String, RawResource>,
    #[serde(default)]
    examples: Vec<String>,
}

/// One resource of the `resources:` section: its methods and its sub-resources.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawResource {
    #[serde(default)]
    methods: IndexMap<String, String>,
    #[serde(default)]
    subresources: IndexMap<String, RawResource>,
}

/// `error_envelope:`: where an error body carries its code and message.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawErrorEnvelope {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    api_key: Option<String>,
    base_url: Option<String>,
    webhook_secret: Option<String>,
    log: Option<String>,
    custom_headers: Option<String>,
}

/// How the API recognises a retried request (`idempotency:` in the config file).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdempotency {
    header: Option<String>,
    #[serde(default)]
    body_fields: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhooks {
    envelope: Option<String>,
    /// The envelope's member holding the event's payload (default `data`).
    data: Option<String>,
    /// Envelope members that select the payload type, in order (for example the event
    /// type, then the payload version). Typed events are emitted only when given.
    #[serde(default)]
    discriminators: Vec<String>,
    /// The signature schemes deliveries carry (default: Standard Webhooks alone).
    #[serde(default)]
    schemes: Vec<RawScheme>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheme {
    name: String,
    family: SchemeFamily,
    #[serde(default)]
    headers: RawSchemeHeaders,
    signed: Option<String>,
    encoding: Option<SignatureEncoding>,
    description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchemeHeaders {
    id: Option<String>,
    timestamp: Option<String>,
    signature: Option<String>,
}

/// How a webhook signature scheme reads its signature header and its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchemeFamily {
    /// Standard Webhooks: space-separated `v1,<signature>` entries; the secret is
    /// `whsec_` + the base64 of the key.
    StandardWebhooks,
    /// One signature in its header; the key is the secret's UTF-8 bytes as given.
    TimestampedHmac,
}

/// How the MAC is written in a signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureEncoding {
    /// Standard base64 with padding.
    Base64,
    /// Hexadecimal (lower case written, either case accepted).
    Hex,
}

/// One piece of the content a scheme signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedPart {
    /// The id header's value (`{id}`).
    Id,
    /// The timestamp header's value (`{timestamp}`).
    Timestamp,
    /// The raw body (`{body}`).
    Body,
    /// Literal text between them.
    Text(String),
}

/// A webhook signature scheme of the API (`webhooks.schemes` in the config file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookScheme {
    /// The scheme's name (`standard-webhooks`); its constant is the shouty snake case.
    pub name: String,
    /// How the signature header and the secret are read.
    pub family: SchemeFamily,
    /// The header carrying the message id (lower case), for schemes that sign one.
    pub id_header: Option<String>,
    /// The header carrying the Unix timestamp (lower case).
    pub timestamp_header: String,
    /// The header carrying the signature(s) (lower case).
    pub signature_header: String,
    /// What is signed, in order.
    pub signed: Vec<SignedPart>,
    /// How the MAC is written.
    pub encoding: SignatureEncoding,
    /// Documentation of the scheme's constant.
    pub description: Option<String>,
}

impl WebhookScheme {
    /// Standard Webhooks with its default headers.
    pub fn standard_webhooks() -> WebhookScheme {
        WebhookScheme {
            name: "standard-webhooks".into(),
            family: SchemeFamily::StandardWebhooks,
            id_header: Some("webhook-id".into()),
            timestamp_header: "webhook-timestamp".into(),
            signature_header: "webhook-signature".into(),
            signed: parse_signed("{id}.{timestamp}.{body}").unwrap_or_default(),
            encoding: SignatureEncoding::Base64,
            description: None,
        }
    }

    fn resolve(raw: RawScheme) -> Result<WebhookScheme, String> {
        let name = raw.name.trim().to_string();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "webhook scheme name `{name}` must be ASCII letters, digits, `-` or `_`, starting with a letter"
            ));
        }
        let standard = raw.family == SchemeFamily::StandardWebhooks;
        let header = |given: Option<String>, default: &str, what: &str| -> Result<String, String> {
            let value = match given {
                Some(value) => value,
                None if standard => default.to_string(),
                None => return Err(format!("webhook scheme `{name}` needs `headers.{what}`")),
            };
            let value = value.trim().to_ascii_lowercase();
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if value.is_empty() || !value.chars().all(token) {
                return Err(format!(
                    "`{value}` (webhook scheme `{name}`) is not a header name"
                ));
            }
            Ok(value)
        };
        let id_header = match raw.headers.id {
            Some(id) => Some(header(Some(id), "", "id")?),
            None if standard => Some("webhook-id".to_string()),
            None => None,
        };
        let timestamp_header = header(raw.headers.timestamp, "webhook-timestamp", "timestamp")?;
        let signature_header = header(raw.headers.signature, "webhook-signature", "signature")?;
        let template = raw.signed.unwrap_or_else(|| {
            if standard {
                "{id}.{timestamp}.{body}"
            } else {
                "{timestamp}.{body}"
            }
            .to_string()
        });
        let signed = parse_signed(&template)
            .map_err(|e| format!("webhook scheme `{name}`: `signed: {template}`: {e}"))?;
        if signed.contains(&SignedPart::Id) && id_header.is_none() {
            return Err(format!(
                "webhook scheme `{name}` signs `{{id}}` but names no `headers.id`"
            ));
        }
        if standard && id_header.is_none() {
            return Err(format!(
                "webhook scheme `{name}` (standard-webhooks) needs an id header"
            ));
        }
        Ok(WebhookScheme {
            family: raw.family,
            id_header,
            timestamp_header,
            signature_header,
            signed,
            encoding: raw.encoding.unwrap_or(if standard {
                SignatureEncoding::Base64
            } else {
                SignatureEncoding::Hex
            }),
            description: raw.description,
            name,
        })
    }
}

/// `{id}.{timestamp}.{body}` -> its parts. `{timestamp}` and `{body}` appear once
/// each, `{id}` at most once, and `{body}` last (the body is streamed into the MAC).
fn parse_signed(template: &str) -> Result<Vec<SignedPart>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('{') {
            let Some((name, tail)) = after.split_once('}') else {
                return Err("an unclosed `{`".into());
            };
            parts.push(match name {
                "id" => SignedPart::Id,
                "timestamp" => SignedPart::Timestamp,
                "body" => SignedPart::Body,
                other => {
                    return Err(format!(
                        "unknown part `{{{other}}}` (expected `{{id}}`, `{{timestamp}}`, `{{body}}`)"
                    ));
                }
            });
            rest = tail;
        } else {
            let end = rest.find('{').unwrap_or(rest.len());
            parts.push(SignedPart::Text(rest[..end].to_string()));
            rest = &rest[end..];
        }
    }
    let count = |p: &SignedPart| parts.iter().filter(|q| *q == p).count();
    if count(&SignedPart::Timestamp) != 1 || count(&SignedPart::Body) != 1 {
        return Err("`{timestamp}` and `{body}` must each appear once".into());
    }
    if count(&SignedPart::Id) > 1 || parts.last() != Some(&SignedPart::Body) {
        return Err("`{id}` may appear once and `{body}` must come last".into());
    }
    Ok(parts)
}

/// Typed webhook events: the envelope's payload member and the members that select
/// the payload type (`webhooks.discriminators`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvents {
    /// The envelope's member holding the payload (`data`).
    pub data: String,
    /// The members selecting the payload type, in order (`event_type`,
    /// `webhook_version`).
    pub discriminators: Vec<String>,
}

/// Which serde impls the generated types get (`serde:` in the config file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SerdeImpls {
    /// Every type can be encoded and decoded (the default): responses can be
    /// re-encoded, request bodies decoded.
    #[default]
    Both,
    /// Each type gets only the directions the API uses: `Serialize` for what requests
    /// send, `Deserialize` for what responses, errors and webhooks carry. Less code to
    /// compile; a response type cannot be re-encoded.
    AsNeeded,
}

/// The `pagination:` section: named schemes, and the operations that use them.
///
/// ```yaml
/// pagination:
///   schemes:
///     cursor_page: { style: cursor, param: cursor, next: next_cursor }
///   operations:
///     GET /v3/chats: cursor_page
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationConfig {
    /// Look for pagination the spec makes unambiguous in operations the config does not
    /// list (default true).
    #[serde(default = "yes")]
    pub detect: bool,
    /// Schemes by name.
    #[serde(default)]
    pub schemes: BTreeMap<String, PageScheme>,
    /// `"GET /path"` -> the scheme it uses.
    #[serde(default)]
    pub operations: BTreeMap<String, PageUse>,
}

impl Default for PaginationConfig {
    fn default() -> Self {
        Self {
            detect: true,
            schemes: BTreeMap::new(),
            operations: BTreeMap::new(),
        }
    }
}

fn yes() -> bool {
    true
}

/// One pagination scheme.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageScheme {
    /// `cursor`, `last-item`, `page`, `offset` or `link`.
    pub style: PageStyleName,
    /// The query parameter carrying the position (all styles but `link`).
    pub param: Option<String>,
    /// `cursor`: the response field with the next position.
    pub next: Option<String>,
    /// `cursor`/`last-item`: a boolean response field, true while more pages follow.
    pub has_more: Option<String>,
    /// `cursor`/`last-item`: a boolean response field, true once the list is complete.
    pub done: Option<String>,
    /// `last-item`: the item field sent as the position (default `id`).
    pub id: Option<String>,
    /// `page`/`offset`: the query parameter carrying the page size.
    pub size: Option<String>,
    /// The response field holding the items (default: the response's only array
    /// field, or the body itself when it is an array).
    pub items: Option<String>,
}

/// The pagination styles a scheme can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageStyleName {
    /// The body gives the next position.
    Cursor,
    /// The last item's id is the next position.
    LastItem,
    /// Page numbers.
    Page,
    /// Item offsets.
    Offset,
    /// The `Link` header.
    Link,
}

/// An operation's use of a scheme: its name, or the name and the items field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PageUse {
    /// `GET /things: scheme`.
    Scheme(String),
    /// `GET /things: { scheme: s, items: things }`.
    WithItems {
        /// The scheme's name.
        scheme: String,
        /// The response field holding the items.
        items: Option<String>,
    },
}

impl PageUse {
    /// The scheme's name.
    pub fn scheme(&self) -> &str {
        match self {
            PageUse::Scheme(s) | PageUse::WithItems { scheme: s, .. } => s,
        }
    }

    /// The items field given for this operation.
    pub fn items(&self) -> Option<&str> {
        match self {
            PageUse::Scheme(_) => None,
            PageUse::WithItems { items, .. } => items.as_deref(),
        }
    }
}

/// How the crate's version follows changes of its public API (`version_policy:`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionPolicy {
    /// The config's `version`, as written (the default).
    #[default]
    Fixed,
    /// The recorded version bumped by the semver class of each API change (the
    /// config's `version` is the first, and a floor).
    Semver,
}

/// Resolved settings: every value present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Cargo package name (`linq-api`); the lib name is its snake case.
    pub crate_name: String,
    /// Cargo package version.
    pub version: String,
    /// One-line package description.
    pub description: String,
    /// Product token of the `User-Agent` header (`linq-api-rust`).
    pub user_agent: String,
    /// Environment variable holding the API key.
    pub api_key_env: String,
    /// Environment variable overriding the base URL.
    pub base_url_env: String,
    /// Environment variable holding the webhook signing secret.
    pub webhook_secret_env: String,
    /// Component schema that models a webhook delivery, if the API signs deliveries.
    pub webhook_envelope: Option<String>,
    /// The signature schemes webhook deliveries carry, in the order verification tries
    /// them (never empty: Standard Webhooks alone by default).
    pub webhook_schemes: Vec<WebhookScheme>,
    /// Typed webhook events, when the config names discriminators.
    pub webhook_events: Option<WebhookEvents>,
    /// A spec example that does not validate against its schema fails generation
    /// (otherwise it is a diagnostic).
    pub strict_examples: bool,
    /// Which serde impls the types get.
    pub serde: SerdeImpls,
    /// Which operations page, and how.
    pub pagination: PaginationConfig,
    /// Environment variable with the client's log level (`off` ... `debug`).
    pub log_env: String,
    /// Environment variable with extra headers (`name: value` lines).
    pub custom_headers_env: String,
    /// Header carrying an idempotency key on every POST and PATCH, if the API takes one.
    pub idempotency_header: Option<String>,
    /// `(operationId, JSON pointer)`: the body field carrying an operation's
    /// idempotency key, in operationId order.
    pub idempotency_body_fields: Vec<(String, String)>,
    /// JSON pointer of a request id in error bodies (`trace_id` -> `/trace_id`).
    pub request_id_field: Option<String>,
    /// Where error bodies carry their code and message (`error_envelope:`), when the
    /// config says; otherwise the spec's error schema decides (see
    /// [`crate::lower::error_envelope`]).
    pub error_envelope: Option<ErrorEnvelopeConfig>,
    /// Client names of operations (`resources:`), in config order.
    pub naming: Vec<NamedOperation>,
    /// How the version follows API changes.
    pub version_policy: VersionPolicy,
    /// The date written in a new changelog entry (`release_date:`), if any.
    pub release_date: Option<String>,
    /// Extra examples (`examples:`, files beside the config): (file name, contents),
    /// copied verbatim into the crate's `examples/`.
    pub examples: Vec<(String, String)>,
}

/// `error_envelope:` of the config: JSON pointers (a bare field name is a top-level
/// field) of the code and the message in an error body; a missing one means the body
/// has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEnvelopeConfig {
    /// The error code (`/error/code`): a number or a string.
    pub code: Option<String>,
    /// The human-readable message (`/error/message`).
    pub message: Option<String>,
}

/// One operation named by the `resources:` section: `client.chats().messages().send(..)`
/// for `post /v3/chats/{chatId}/messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedOperation {
    /// Resource accessors from the client (`["chats", "messages"]`).
    pub resources: Vec<String>,
    /// Method name on the innermost resource (`send`).
    pub method: String,
    /// HTTP method, lower case (`post`).
    pub http_method: String,
    /// The path with every parameter written `{}` (`/v3/chats/{}/messages`), so that
    /// parameter names need not match the spec's.
    pub path_key: String,
    /// Where the entry is in the config (`resources.chats.subresources.messages.methods.send`).
    pub config_key: String,
}

/// Reads the `examples:` entries: `.rs` files given relative to the config's folder,
/// which must stay inside it; each becomes `examples/<file name>` of the crate.
fn read_examples(entries: &[String], config: &Path) -> Result<Vec<(String, String)>, Error> {
    let folder = config.parent().unwrap_or(Path::new(""));
    let mut out: Vec<(String, String)> = Vec::new();
    for entry in entries {
        let err = |message: &str| {
            Error::new(
                ErrorKind::Config,
                config,
                format!("examples: `{entry}` {message}"),
            )
        };
        let rel = Path::new(entry);
        let inside = rel
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside || entry.is_empty() {
            return Err(err("must be a path inside the config's folder"));
        }
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = name.strip_suffix(".rs").unwrap_or_default();
        let is_ident = stem.starts_with(|c: char| c.is_ascii_lowercase())
            && stem
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !is_ident {
            return Err(err(
                "must name a `.rs` file called like a Rust module (`linq_bot.rs`)",
            ));
        }
        if out.iter().any(|(known, _)| *known == name) {
            return Err(err("names a file already listed"));
        }
        let text = std::fs::read_to_string(folder.join(rel))
            .map_err(|e| err(&format!("cannot be read: {e}")))?;
        out.push((name, text));
    }
    Ok(out)
}

/// `/v3/chats/{chatId}/` -> `/v3/chats/{}`: the shape of a path, whatever its
/// parameters are called.
pub fn path_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Flattens the `resources:` tree into named operations, refusing what would make two
/// client items share a name: one operation named twice, a method named like another
/// method's `_with_response` twin, a method named like a sub-resource, names that are
/// not Rust identifiers.
fn naming(raw: &IndexMap<String, RawResource>, path: &Path) -> Result<Vec<NamedOperation>, Error> {
    fn walk(
        resources: &IndexMap<String, RawResource>,
        chain: &mut Vec<String>,
        key: &str,
        out: &mut Vec<NamedOperation>,
        path: &Path,
    ) -> Result<(), Error> {
        let err = |message: String| Error::new(ErrorKind::Config, path, message);
        for (name, resource) in resources {
            let key = format!("{key}.{name}");
            if !is_identifier(name) {
                return Err(err(format!(
                    "`{key}`: `{name}` is not a snake_case identifier"
                )));
            }
            chain.push(name.clone());
            for (method, endpoint) in &resource.methods {
                let entry = format!("{key}.methods.{method}");
                if !is_identifier(method) {
                    return Err(err(format!(
                        "`{entry}`: `{method}` is not a snake_case identifier"
                    )));
                }
                if resource.subresources.contains_key(method) {
                    return Err(err(format!(
                        "`{entry}`: the method is named like the sub-resource `{key}.subresources.{method}`"
                    )));
                }
                if let Some(base) = method.strip_suffix("_with_response")
                    && resource.methods.contains_key(base)
                {
                    return Err(err(format!(
                        "`{entry}`: the name is taken by the `_with_response` twin of `{key}.methods.{base}`"
                    )));
                }
                let (http_method, route) = endpoint
                    .trim()
                    .split_once(char::is_whitespace)
                    .map(|(m, p)| (m.to_ascii_lowercase(), p.trim()))
                    .filter(|(m, p)| HTTP_METHODS.contains(&m.as_str()) && p.starts_with('/'))
                    .ok_or_else(|| {
                        err(format!(
                            "`{entry}`: `{endpoint}` is not `<http method> <path>` (such as `get /v1/items/{{id}}`)"
                        ))
                    })?;
                let path_key = path_key(route);
                if let Some(other) = out
                    .iter()
                    .find(|o| o.http_method == http_method && o.path_key == path_key)
                {
                    return Err(err(format!(
                        "`{entry}` and `{}` name the same operation `{http_method} {route}`",
                        other.config_key
                    )));
                }
                out.push(NamedOperation {
                    resources: chain.clone(),
                    method: method.clone(),
                    http_method,
                    path_key,
                    config_key: entry,
                });
            }
            walk(
                &resource.subresources,
                chain,
                &format!("{key}.subresources"),
                out,
                path,
            )?;
            chain.pop();
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(raw, &mut Vec::new(), "resources", &mut out, path)?;
    Ok(out)
}

/// `chats`, `list_chats`, `_2`: lower-case ASCII letters, digits and `_`, not starting
/// with a digit.
fn is_identifier(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Config {
    /// The config file expected beside `spec` (`spec/foo.yaml` -> `spec/foo.codegen.yaml`).
    pub fn path_for(spec: &Path) -> PathBuf {
        let stem = spec
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        spec.with_file_name(format!("{stem}.codegen.yaml"))
    }

    /// Loads the config beside `spec` if there is one; derives what is missing from
    /// `title` (the spec's `info.title`) or from `name_override` (`--name`).
    pub fn load(spec: &Path, title: &str, name_override: Option<&str>) -> Result<Config, Error> {
        Config::read(&Config::path_for(spec), true, title, name_override)
    }

    /// Loads the config file at `path` (given on the command line); unlike
    /// [`Config::load`], a missing file is an error.
    pub fn load_file(
        path: &Path,
        title: &str,
        name_override: Option<&str>,
    ) -> Result<Config, Error> {
        Config::read(path, false, title, name_override)
    }

    fn read(
        path: &Path,
        optional: bool,
        title: &str,
        name_override: Option<&str>,
    ) -> Result<Config, Error> {
        let raw = match std::fs::read_to_string(path) {
            Ok(text) => serde_yaml::from_str::<RawConfig>(&text)
                .map_err(|e| Error::new(ErrorKind::Config, path, e.to_string()))?,
            Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => RawConfig::default(),
            Err(e) => return Err(Error::new(ErrorKind::Io, path, e.to_string())),
        };
        Config::resolve(raw, title, name_override, path)
    }

    /// Settings derived from a title alone (no config file).
    pub fn from_title(title: &str) -> Config {
        // Derived names are valid by construction, so no validation is needed.
        Config::build(RawConfig::default(), title, crate_name_from_title(title))
    }

    fn resolve(
        mut raw: RawConfig,
        title: &str,
        name_override: Option<&str>,
        path: &Path,
    ) -> Result<Config, Error> {
        let crate_name = match name_override.or(raw.crate_name.as_deref()) {
            Some(name) => name.to_string(),
            None => crate_name_from_title(title),
        };
        if !is_valid_crate_name(&crate_name) {
            return Err(Error::new(
                ErrorKind::Config,
                path,
                format!(
                    "`{crate_name}` is not a valid crate name (ASCII letters, digits, `-`, `_`; starts with a letter; not a Rust keyword, a name Cargo reserves or a crate the client depends on)"
                ),
            ));
        }
        if let Some(header) = &raw.idempotency.header
            && !is_header_name(header)
        {
            return Err(Error::new(
                ErrorKind::Config,
                path,
                format!("idempotency.header: `{header}` is not a valid header name"),
            ));
        }
        let naming = naming(&raw.resources, path)?;
        let examples = read_examples(&raw.examples, path)?;
        let (schemes, events) = match raw.webhooks.as_mut() {
            Some(w) => {
                let schemes = std::mem::take(&mut w.schemes)
                    .into_iter()
                    .map(WebhookScheme::resolve)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| Error::new(ErrorKind::Config, path, e))?;
                let events =
                    webhook_events(w).map_err(|e| Error::new(ErrorKind::Config, path, e))?;
                (schemes, events)
            }
            None => (Vec::new(), None),
        };
        let mut constants: Vec<String> = schemes
            .iter()
            .map(|s| s.name.to_shouty_snake_case())
            .collect();
        constants.sort();
        if let Some(pair) = constants.windows(2).find(|p| p[0] == p[1]) {
            return Err(Error::new(
                ErrorKind::Config,
                path,
                format!("two webhook schemes are both named `{}`", pair[0]),
            ));
        }
        let mut config = Config::build(raw, title, crate_name);
        if !schemes.is_empty() {
            config.webhook_schemes = schemes;
        }
        config.webhook_events = events;
        config.naming = naming;
        config.examples = examples;
        Ok(config)
    }

    /// Checks that every operation named in `idempotency.body_fields` exists.
    pub fn check_operations<'a>(
        &self,
        operation_ids: impl Iterator<Item = &'a str> + Clone,
        spec: &Path,
    ) -> Result<(), Error> {
        for (id, _) in &self.idempotency_body_fields {
            if !operation_ids.clone().any(|known| known == id) {
                return Err(Error::new(
                    ErrorKind::Config,
                    &Config::path_for(spec),
                    format!("idempotency.body_fields: no operation has the operationId `{id}`"),
                ));
            }
        }
        Ok(())
    }

    fn build(raw: RawConfig, title: &str, crate_name: String) -> Config {
        let shouty = crate_name.to_shouty_snake_case();
        Config {
            version: raw.version.unwrap_or_else(|| "0.1.0".to_string()),
            description: raw
                .description
                .unwrap_or_else(|| format!("Rust client for {}", title.trim())),
            user_agent: raw
                .user_agent
                .unwrap_or_else(|| format!("{crate_name}-rust")),
            api_key_env: raw
                .env
                .api_key
                .unwrap_or_else(|| format!("{shouty}_API_KEY")),
            base_url_env: raw
                .env
                .base_url
                .unwrap_or_else(|| format!("{shouty}_BASE_URL")),
            webhook_secret_env: raw
                .env
                .webhook_secret
                .unwrap_or_else(|| format!("{shouty}_WEBHOOK_SECRET")),
            log_env: raw.env.log.unwrap_or_else(|| format!("{shouty}_LOG")),
            custom_headers_env: raw
                .env
                .custom_headers
                .unwrap_or_else(|| format!("{shouty}_CUSTOM_HEADERS")),
            idempotency_header: raw.idempotency.header,
            idempotency_body_fields: raw
                .idempotency
                .body_fields
                .into_iter()
                .map(|(id, field)| (id, json_pointer(&field)))
                .collect(),
            request_id_field: raw.request_id_field.as_deref().map(json_pointer),
            error_envelope: raw.error_envelope.map(|e| ErrorEnvelopeConfig {
                code: e.code.as_deref().map(json_pointer),
                message: e.message.as_deref().map(json_pointer),
            }),
            webhook_envelope: raw.webhooks.and_then(|w| w.envelope),
            webhook_schemes: vec![WebhookScheme::standard_webhooks()],
            webhook_events: None,
            strict_examples: raw.strict_examples,
            serde: raw.serde,
            pagination: raw.pagination,
            naming: Vec::new(),
            version_policy: raw.version_policy,
            release_date: raw.release_date,
            examples: Vec::new(),
            crate_name,
        }
    }

    /// The Rust library name (`linq_api`).
    pub fn lib_name(&self) -> String {
        self.crate_name.replace('-', "_")
    }
}

/// `webhooks.discriminators` and `webhooks.data`, checked.
fn webhook_events(raw: &RawWebhooks) -> Result<Option<WebhookEvents>, String> {
    if raw.discriminators.is_empty() {
        if raw.data.is_some() {
            return Err("`webhooks.data` needs `webhooks.discriminators`".into());
        }
        return Ok(None);
    }
    if raw.envelope.is_none() {
        return Err("`webhooks.discriminators` needs `webhooks.envelope`".into());
    }
    let data = raw.data.clone().unwrap_or_else(|| "data".to_string());
    let mut seen = vec![data.as_str()];
    for name in &raw.discriminators {
        if name.is_empty() || seen.contains(&name.as_str()) {
            return Err(format!(
                "`webhooks.discriminators`: `{name}` is empty or named twice (or is the data member)"
            ));
        }
        seen.push(name);
    }
    Ok(Some(WebhookEvents {
        data,
        discriminators: raw.discriminators.clone(),
    }))
}

/// `"Linq API v3"` -> `linq-api-v3`; falls back to `api` when nothing usable is left.
fn crate_name_from_title(title: &str) -> String {
    let ascii: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let name = ascii.to_kebab_case();
    let name = name.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    if name.is_empty() {
        "api".to_string()
    } else if is_valid_crate_name(name) {
        name.to_string()
    } else {
        // A keyword or a name the crate cannot take (`async`, `serde`, `test`).
        format!("{name}-api")
    }
}

/// Names a generated crate cannot take: Rust keywords (its library name is an
/// identifier), names Cargo reserves, and the crates the output itself depends on
/// (a library of the same name would shadow them).
const RESERVED_CRATE_NAMES: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "union",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "test",
    "build",
    "deps",
    "examples",
    "incremental",
    "con",
    "prn",
    "aux",
    "nul",
    "com1",
    "com2",
    "com3",
    "com4",
    "com5",
    "com6",
    "com7",
    "com8",
    "com9",
    "lpt1",
    "lpt2",
    "lpt3",
    "lpt4",
    "lpt5",
    "lpt6",
    "lpt7",
    "lpt8",
    "lpt9",
    "reqwest",
    "tokio",
    "serde",
    "serde_json",
    "bytes",
    "tracing",
    "chrono",
    "base64",
    "hmac",
    "sha2",
    "axum",
];
/// A field name (`trace_id`) as a JSON pointer (`/trace_id`); a pointer stays as is.
fn json_pointer(field: &str) -> String {
    if field.starts_with('/') {
        field.to_string()
    } else {
        crate::pointer::JsonPointer::at(&[field])
            .plain()
            .to_string()
    }
}

/// An HTTP header name (RFC 9110 token).
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_valid_crate_name(name: &str) -> bool {
    let lib = name.replace('-', "_").to_ascii_lowercase();
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !RESERVED_CRATE_NAMES.contains(&lib.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_files_inside_the_config_folder() {
        let dir = std::env::temp_dir().join(format!("examples-key-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("examples")).unwrap();
        std::fs::write(dir.join("examples/bot.rs"), "fn main() {}\n").unwrap();
        let config = dir.join("api.codegen.yaml");
        let read = |entries: &[&str]| {
            let entries: Vec<String> = entries.iter().map(|e| e.to_string()).collect();
            read_examples(&entries, &config)
        };
        assert_eq!(
            read(&["examples/bot.rs"]).unwrap(),
            vec![("bot.rs".to_string(), "fn main() {}\n".to_string())]
        );
        for bad in [
            "examples/missing.rs",
            "../bot.rs",
            "examples/../../bot.rs",
            "/etc/bot.rs",
            "examples/Bot.txt",
            "",
        ] {
            let err = read(&[bad]).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Config, "{bad}");
            assert!(err.to_string().contains("examples:"), "{bad}: {err}");
        }
        assert!(read(&["examples/bot.rs", "examples/bot.rs"]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn derives_names_from_title() {
        let c = Config::from_title("Linq API v3");
        assert_eq!(c.crate_name, "linq-api-v3");
        assert_eq!(c.lib_name(), "linq_api_v3");
        assert_eq!(c.api_key_env, "LINQ_API_V3_API_KEY");
        assert_eq!(c.base_url_env, "LINQ_API_V3_BASE_URL");
    }

    #[test]
    fn serde_impls_default_to_both_directions() {
        assert_eq!(Config::from_title("x").serde, SerdeImpls::Both);
        let raw: RawConfig = serde_yaml::from_str("serde: as-needed").unwrap();
        assert_eq!(raw.serde, SerdeImpls::AsNeeded);
        assert!(serde_yaml::from_str::<RawConfig>("serde: sometimes").is_err());
    }

    #[test]
    fn idempotency_and_request_id_settings() {
        let raw: RawConfig = serde_yaml::from_str(
            "idempotency:\n  header: Idempotency-Key\n  body_fields:\n    sendMessage: /message/idempotency_key\n    createThing: key\nrequest_id_field: trace_id\n",
        )
        .unwrap();
        let c = Config::resolve(raw, "x", None, Path::new("c.yaml")).unwrap();
        assert_eq!(c.idempotency_header.as_deref(), Some("Idempotency-Key"));
        assert_eq!(
            c.idempotency_body_fields,
            [
                ("createThing".to_string(), "/key".to_string()),
                (
                    "sendMessage".to_string(),
                    "/message/idempotency_key".to_string()
                )
            ]
        );
        assert_eq!(c.request_id_field.as_deref(), Some("/trace_id"));
        assert_eq!(
            (c.log_env.as_str(), c.custom_headers_env.as_str()),
            ("X_LOG", "X_CUSTOM_HEADERS")
        );
        let ids = ["createThing", "sendMessage"];
        assert!(
            c.check_operations(ids.iter().copied(), Path::new("s.yaml"))
                .is_ok()
        );
        let err = c.check_operations(ids[..1].iter().copied(), Path::new("s.yaml"));
        assert_eq!(err.map_err(|e| e.kind()), Err(ErrorKind::Config));
        let raw: RawConfig = serde_yaml::from_str("idempotency:\n  header: 'bad name'\n").unwrap();
        let err = Config::resolve(raw, "x", None, Path::new("c.yaml"));
        assert_eq!(err.map_err(|e| e.kind()), Err(ErrorKind::Config));
    }

    #[test]
    fn odd_titles_still_give_a_crate_name() {
        assert_eq!(Config::from_title("3D Café ✨").crate_name, "d-caf");
        assert_eq!(Config::from_title("✨").crate_name, "api");
    }

    fn webhooks(yaml: &str) -> Result<Config, Error> {
        let raw: RawConfig = serde_yaml::from_str(yaml)
            .map_err(|e| Error::new(ErrorKind::Config, Path::new("c.yaml"), e.to_string()))?;
        Config::resolve(raw, "x", None, Path::new("c.yaml"))
    }

    #[test]
    fn webhook_schemes_default_to_standard_webhooks() {
        let c = Config::from_title("x");
        assert_eq!(c.webhook_schemes, vec![WebhookScheme::standard_webhooks()]);
        assert_eq!(
            c.webhook_schemes[0].signed,
            vec![
                SignedPart::Id,
                SignedPart::Text(".".into()),
                SignedPart::Timestamp,
                SignedPart::Text(".".into()),
                SignedPart::Body
            ]
        );
        assert!(c.webhook_events.is_none());
    }

    #[test]
    fn webhook_schemes_and_events_are_read_and_checked() {
        let c = webhooks(
            "webhooks:\n  envelope: Event\n  discriminators: [event_type, webhook_version]\n  schemes:\n    - {name: standard, family: standard-webhooks}\n    - name: signed-hex\n      family: timestamped-hmac\n      headers: {timestamp: X-Webhook-Timestamp, signature: X-Webhook-Signature}\n",
        )
        .expect("valid");
        assert_eq!(c.webhook_schemes.len(), 2);
        let hex = &c.webhook_schemes[1];
        assert_eq!(hex.timestamp_header, "x-webhook-timestamp");
        assert_eq!(hex.id_header, None);
        assert_eq!(hex.encoding, SignatureEncoding::Hex);
        assert_eq!(
            hex.signed,
            vec![
                SignedPart::Timestamp,
                SignedPart::Text(".".into()),
                SignedPart::Body
            ]
        );
        let events = c.webhook_events.expect("events");
        assert_eq!(events.data, "data");
        assert_eq!(events.discriminators, ["event_type", "webhook_version"]);

        for (bad, says) in [
            (
                "webhooks:\n  schemes: [{name: a, family: timestamped-hmac}]",
                "headers.timestamp",
            ),
            (
                "webhooks:\n  schemes: [{name: a, family: standard-webhooks, signed: '{body}.{timestamp}'}]",
                "must come last",
            ),
            (
                "webhooks:\n  schemes: [{name: a, family: standard-webhooks, signed: '{id}.{when}.{body}'}]",
                "unknown part",
            ),
            (
                "webhooks:\n  schemes: [{name: a, family: timestamped-hmac, signed: '{id}.{timestamp}.{body}', headers: {timestamp: t, signature: s}}]",
                "headers.id",
            ),
            (
                "webhooks:\n  schemes: [{name: a, family: standard-webhooks}, {name: A, family: standard-webhooks}]",
                "both named",
            ),
            (
                "webhooks:\n  schemes: [{name: '9', family: standard-webhooks}]",
                "scheme name",
            ),
            (
                "webhooks:\n  schemes: [{name: a, family: standard-webhooks, headers: {signature: 'a b'}}]",
                "not a header name",
            ),
            (
                "webhooks:\n  discriminators: [event_type]",
                "needs `webhooks.envelope`",
            ),
            (
                "webhooks:\n  envelope: E\n  discriminators: [data]",
                "named twice",
            ),
            (
                "webhooks:\n  schemes: [{name: a, family: md5}]",
                "unknown variant",
            ),
        ] {
            let err = webhooks(bad).expect_err(bad);
            assert_eq!(err.kind(), ErrorKind::Config);
            assert!(err.to_string().contains(says), "{bad}: {err}");
        }
    }

    fn naming_of(yaml: &str) -> Result<Vec<NamedOperation>, String> {
        let raw: RawConfig = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
        naming(&raw.resources, Path::new("c.codegen.yaml")).map_err(|e| e.to_string())
    }

    #[test]
    fn resources_flatten_to_named_operations() {
        let named = naming_of(
            "resources:\n  chats:\n    methods:\n      create: post /v3/chats\n      retrieve: GET /v3/chats/{chatId}/\n    subresources:\n      messages:\n        methods:\n          send: post /v3/chats/{chat_id}/messages\n",
        )
        .unwrap();
        let flat: Vec<(String, &str, &str, &str)> = named
            .iter()
            .map(|n| {
                (
                    n.resources.join("."),
                    n.method.as_str(),
                    n.http_method.as_str(),
                    n.path_key.as_str(),
                )
            })
            .collect();
        assert_eq!(
            flat,
            [
                ("chats".to_string(), "create", "post", "/v3/chats"),
                ("chats".to_string(), "retrieve", "get", "/v3/chats/{}"),
                (
                    "chats.messages".to_string(),
                    "send",
                    "post",
                    "/v3/chats/{}/messages"
                ),
            ]
        );
        assert_eq!(
            named[2].config_key,
            "resources.chats.subresources.messages.methods.send"
        );
    }

    #[test]
    fn clashing_names_are_errors_naming_the_key() {
        let twice = naming_of(
            "resources:\n  a:\n    methods:\n      x: get /v1/a/{id}\n  b:\n    methods:\n      y: get /v1/a/{other}\n",
        )
        .unwrap_err();
        assert!(
            twice.contains(
                "`resources.b.methods.y` and `resources.a.methods.x` name the same operation"
            ),
            "{twice}"
        );
        let twin = naming_of(
            "resources:\n  a:\n    methods:\n      list: get /v1/a\n      list_with_response: post /v1/a\n",
        )
        .unwrap_err();
        assert!(
            twin.contains("`resources.a.methods.list_with_response`"),
            "{twin}"
        );
        assert!(twin.contains("_with_response` twin"), "{twin}");
        let sub = naming_of(
            "resources:\n  a:\n    methods:\n      items: get /v1/a\n    subresources:\n      items:\n        methods:\n          list: get /v1/a/{id}/items\n",
        )
        .unwrap_err();
        assert!(sub.contains("`resources.a.methods.items`"), "{sub}");
        let bad = naming_of("resources:\n  a:\n    methods:\n      x: fetch /v1/a\n").unwrap_err();
        assert!(bad.contains("`resources.a.methods.x`"), "{bad}");
        let ident =
            naming_of("resources:\n  A-b:\n    methods:\n      x: get /v1/a\n").unwrap_err();
        assert!(ident.contains("`resources.A-b`"), "{ident}");
        assert!(naming_of("resources:\n  a:\n    method: {}\n").is_err());
    }

    #[test]
    fn path_keys_ignore_parameter_names() {
        assert_eq!(
            path_key("/v3/chats/{chatId}/messages/"),
            "/v3/chats/{}/messages"
        );
        assert_eq!(
            path_key("/v3/chats/{chat_id}/messages"),
            "/v3/chats/{}/messages"
        );
        assert_eq!(path_key("/"), "/");
    }

    #[test]
    fn rejects_bad_crate_names() {
        let e = Config::resolve(
            RawConfig::default(),
            "x",
            Some("9lives"),
            Path::new("c.yaml"),
        );
        assert_eq!(e.map_err(|e| e.kind()), Err(ErrorKind::Config));
        for bad in [
            "async",
            "self",
            "std",
            "serde",
            "serde-json",
            "test",
            "Self",
            "con",
        ] {
            let e = Config::resolve(RawConfig::default(), "x", Some(bad), Path::new("c.yaml"));
            assert_eq!(e.map_err(|e| e.kind()), Err(ErrorKind::Config), "{bad}");
        }
    }

    #[test]
    fn titles_that_are_keywords_or_used_crates_get_a_suffix() {
        assert_eq!(Config::from_title("Async").crate_name, "async-api");
        assert_eq!(Config::from_title("serde").crate_name, "serde-api");
        assert_eq!(Config::from_title("Test").crate_name, "test-api");
        assert_eq!(Config::from_title("Self").crate_name, "self-api");
    }
}
