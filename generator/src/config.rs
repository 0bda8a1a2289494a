//! Settings the spec cannot express (crate name, environment variable names), read from
//! an optional `<spec-stem>.codegen.yaml` beside the spec.
//!
//! Everything API-specific that is not in the spec lives here, so the generator itself
//! hard-codes nothing about any one API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use heck::{ToKebabCase, ToShoutySnakeCase};
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
    version_policy: VersionPolicy,
    release_date: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnv {
    api_key: Option<String>,
    base_url: Option<String>,
    webhook_secret: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhooks {
    envelope: Option<String>,
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
    /// A spec example that does not validate against its schema fails generation
    /// (otherwise it is a diagnostic).
    pub strict_examples: bool,
    /// Which serde impls the types get.
    pub serde: SerdeImpls,
    /// Which operations page, and how.
    pub pagination: PaginationConfig,
    /// How the version follows API changes.
    pub version_policy: VersionPolicy,
    /// The date written in a new changelog entry (`release_date:`), if any.
    pub release_date: Option<String>,
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
        let path = Config::path_for(spec);
        let raw = match std::fs::read_to_string(&path) {
            Ok(text) => serde_yaml::from_str::<RawConfig>(&text)
                .map_err(|e| Error::new(ErrorKind::Config, &path, e.to_string()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => RawConfig::default(),
            Err(e) => return Err(Error::new(ErrorKind::Io, &path, e.to_string())),
        };
        Config::resolve(raw, title, name_override, &path)
    }

    /// Settings derived from a title alone (no config file).
    pub fn from_title(title: &str) -> Config {
        // Derived names are valid by construction, so no validation is needed.
        Config::build(RawConfig::default(), title, crate_name_from_title(title))
    }

    fn resolve(
        raw: RawConfig,
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
        Ok(Config::build(raw, title, crate_name))
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
            webhook_envelope: raw.webhooks.and_then(|w| w.envelope),
            strict_examples: raw.strict_examples,
            serde: raw.serde,
            pagination: raw.pagination,
            version_policy: raw.version_policy,
            release_date: raw.release_date,
            crate_name,
        }
    }

    /// The Rust library name (`linq_api`).
    pub fn lib_name(&self) -> String {
        self.crate_name.replace('-', "_")
    }
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
    fn odd_titles_still_give_a_crate_name() {
        assert_eq!(Config::from_title("3D Café ✨").crate_name, "d-caf");
        assert_eq!(Config::from_title("✨").crate_name, "api");
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
