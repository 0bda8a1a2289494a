//! The public surface of the emitted crate as plain data: what a user of the crate can
//! name, call, build and match. Written beside the crate as `api.json` and compared
//! across regenerations by [`crate::api_diff`].
//!
//! Built from the IR and the same emission helpers that spell the code (argument lists,
//! return types, field types, derives), so the surface follows the code when either
//! changes. Docs are kept as short hashes: a docs-only change is visible without
//! copying the spec's prose into the file.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::emit::resources::{arguments, return_type};
use crate::emit::rust_type::{Scope, field_type, rust_type};
use crate::ir::Struct;
use crate::ir::{Api, ParamLocation, Presence, Resource, TypeKind};
use crate::plan::{Gate, Plan};

/// Version of the `api.json` layout; a file of another version is not compared.
pub const FORMAT: u32 = 1;

/// The file the surface is written to, relative to the crate root.
pub const FILE: &str = "api.json";

/// Everything public in the emitted crate that the API decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Surface {
    /// [`FORMAT`].
    pub format: u32,
    /// Cargo package name.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// Cargo package version.
    pub version: String,
    /// The spec's `info.version`.
    pub api_version: String,
    /// Cargo features and what each enables.
    pub features: Vec<Feature>,
    /// The type `Error::error_body` decodes, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_body: Option<String>,
    /// Resource handles reached from `Client`, with their methods.
    pub resources: Vec<ResourceSurface>,
    /// Items of the `types` module.
    pub types: Vec<TypeSurface>,
}

/// A Cargo feature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feature {
    /// Its name.
    pub name: String,
    /// The features and optional dependencies it turns on.
    pub enables: Vec<String>,
}

/// A resource handle (`client.chats()`), possibly with nested handles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceSurface {
    /// The accessor on its parent (the client for top-level resources).
    pub accessor: String,
    /// The handle type's name.
    pub handle: String,
    /// The Cargo feature that compiles it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// Hash of its docs.
    pub doc: String,
    /// Its methods (each also has a `_with_response` twin with the same arguments).
    pub methods: Vec<Method>,
    /// Handles reached from this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceSurface>,
}

/// A method of a resource handle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    /// Its name.
    pub name: String,
    /// Arguments after `&self`, in order.
    pub args: Vec<Arg>,
    /// What the future resolves to on success (`Result<returns, Error>`).
    pub returns: String,
    /// The HTTP request it makes (`POST /v3/chats`).
    pub http: String,
    /// Marked `#[deprecated]`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Hash of its docs.
    pub doc: String,
}

/// One argument of a method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Arg {
    /// Its name (not part of the API: arguments are positional).
    pub name: String,
    /// Its Rust type.
    #[serde(rename = "type")]
    pub ty: String,
}

/// What a named type is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A struct of named public fields.
    Struct,
    /// The parameters struct of an operation.
    Params,
    /// An enum of unit variants and a catch-all.
    Enum,
    /// An enum of payload variants.
    Union,
    /// `pub type A = B;`
    Alias,
    /// `pub struct A(pub B);`
    Newtype,
}

/// A named type of the `types` module.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeSurface {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// `#[non_exhaustive]`: no struct literals / exhaustive matches outside the crate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub non_exhaustive: bool,
    /// Traits it implements (derived or written).
    pub traits: Vec<String>,
    /// The features any of which compiles it (empty: always compiled).
    pub features: Vec<String>,
    /// Hash of its docs.
    pub doc: String,
    /// Fields of structs and parameter structs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldSurface>,
    /// Variants of enums and unions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantSurface>,
    /// The aliased or wrapped type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The arguments of `new`, which `#[non_exhaustive]` structs have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constructor: Option<Vec<Arg>>,
}

/// A public field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSurface {
    /// Rust name.
    pub name: String,
    /// Rust type.
    #[serde(rename = "type")]
    pub ty: String,
    /// `required`, `required-nullable`, `optional` or `optional-nullable`
    /// (`additional` for the map of members beyond the documented ones).
    pub presence: String,
    /// Where it goes on the wire (the member name; `query:limit` for parameters).
    pub wire: String,
    /// Marked `#[deprecated]`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Hash of its docs.
    pub doc: String,
}

/// A variant of an enum or union.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSurface {
    /// Rust name.
    pub name: String,
    /// The payload type (unions and catch-alls).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<String>,
    /// The value on the wire (enums) or the discriminator values (tagged unions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wire: Vec<String>,
    /// Hash of its docs.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doc: String,
}

impl Surface {
    /// The surface of the crate emitted for `api` with `config` and `plan`;
    /// `cargo_toml` is the crate's rendered `Cargo.toml`, whose `[features]` are read
    /// as written.
    pub fn build(api: &Api, config: &Config, plan: &Plan, cargo_toml: &str) -> Surface {
        let features = &plan.features.resources;
        let types = api
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut s = TypeSurface {
                    name: t.name.clone(),
                    kind: Kind::Alias,
                    non_exhaustive: false,
                    traits: Vec::new(),
                    features: match &plan.types[i].gate {
                        Gate::Always => Vec::new(),
                        Gate::Any(f) => f.clone(),
                    },
                    doc: hash(t.doc.as_deref()),
                    fields: Vec::new(),
                    variants: Vec::new(),
                    target: None,
                    constructor: None,
                };
                let p = &plan.types[i];
                if let Some(original) = p.alias_of {
                    s.target = Some(api.type_def(original).name.clone());
                    return s;
                }
                s.kind = match &t.kind {
                    TypeKind::Struct(_) => Kind::Struct,
                    TypeKind::Params(_) => Kind::Params,
                    TypeKind::Enum(_) => Kind::Enum,
                    TypeKind::Union(_) | TypeKind::Event(_) => Kind::Union,
                    TypeKind::Alias(_) => Kind::Alias,
                    TypeKind::Newtype(_) => Kind::Newtype,
                };
                // Webhook event unions are always `#[non_exhaustive]`.
                s.non_exhaustive = p.sealed || matches!(t.kind, TypeKind::Event(_));
                if let (true, TypeKind::Struct(st)) = (p.sealed, &t.kind) {
                    s.constructor = Some(constructor(api, st));
                }
                s.traits = traits(&t.kind, p.default, p.ser, p.de);
                type_members(api, &t.kind, &mut s);
                s
            })
            .collect();
        // Sub-resources nest in their parents' handles (parents come first in the IR).
        let mut flat: Vec<Option<ResourceSurface>> = api
            .resources
            .iter()
            .zip(features)
            .map(|(r, f)| Some(resource(api, r, Some(f.clone()))))
            .collect();
        for i in (0..flat.len()).rev() {
            if let Some(p) = api.resources[i].parent
                && let Some(child) = flat[i].take()
                && let Some(Some(parent)) = flat.get_mut(p)
            {
                parent.resources.insert(0, child);
            }
        }
        let resources = flat.into_iter().flatten().collect();
        Surface {
            format: FORMAT,
            crate_name: config.crate_name.clone(),
            version: config.version.clone(),
            api_version: api.info.version.clone(),
            features: cargo_features(cargo_toml),
            error_body: api
                .error_body
                .map(|id| format!("types::{}", api.type_def(id).name)),
            resources,
            types,
        }
    }

    /// The surface as the text of `api.json`.
    pub fn to_json(&self) -> String {
        // Plain data of strings, numbers and vectors: serialisation cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The text of `api.json` handed to `sink` in pieces of about 64 KB as it is
    /// printed ([`Surface::to_json`] without the whole text in memory: Stripe's is 5 MB).
    pub fn put_json(&self, sink: &mut dyn crate::write::Sink) -> Result<(), crate::Error> {
        let rel = std::path::Path::new(FILE);
        let mut out = Pieces {
            sink,
            rel,
            buf: Vec::with_capacity(PIECE_BYTES),
            first: true,
            failed: None,
        };
        // Plain data of strings, numbers and vectors: serialisation fails only when
        // the sink does, whose error is kept. serde_json writes a token at a time;
        // the buffer hands the pieces kilobytes at a time.
        let printed = {
            let mut buffered = std::io::BufWriter::with_capacity(PIECE_BYTES / 8, &mut out);
            serde_json::to_writer_pretty(&mut buffered, self)
                .and_then(|()| std::io::Write::flush(&mut buffered).map_err(serde_json::Error::io))
        };
        if let Some(e) = out.failed.take() {
            return Err(e);
        }
        if let Err(e) = printed {
            return Err(crate::Error::new(
                crate::ErrorKind::Output,
                rel,
                e.to_string(),
            ));
        }
        out.buf.push(b'\n');
        out.flush_text(true)
    }

    /// Reads an `api.json`; `None` when it is not a surface of this [`FORMAT`].
    pub fn from_json(text: &str) -> Option<Surface> {
        serde_json::from_str::<Surface>(text)
            .ok()
            .filter(|s| s.format == FORMAT)
    }
}

/// About the size of each piece of `api.json` handed to a sink.
const PIECE_BYTES: usize = 64 << 10;

/// A writer handing what is written to a sink in pieces of whole characters.
struct Pieces<'a> {
    sink: &'a mut dyn crate::write::Sink,
    rel: &'a std::path::Path,
    buf: Vec<u8>,
    first: bool,
    /// The sink's error, which stops the writing.
    failed: Option<crate::Error>,
}

impl Pieces<'_> {
    /// Hands over the buffered text up to its last whole character (all of it when
    /// `last`, ending the file).
    fn flush_text(&mut self, last: bool) -> Result<(), crate::Error> {
        let whole = match std::str::from_utf8(&self.buf) {
            Ok(_) => self.buf.len(),
            Err(e) => e.valid_up_to(),
        };
        let text = std::str::from_utf8(&self.buf[..whole]).unwrap_or_default();
        self.sink.add(self.rel, text, self.first, last)?;
        self.first = false;
        self.buf.drain(..whole);
        Ok(())
    }
}

impl std::io::Write for Pieces<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= PIECE_BYTES
            && let Err(e) = self.flush_text(false)
        {
            self.failed = Some(e);
            return Err(std::io::Error::other("the output failed"));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn resource(api: &Api, r: &Resource, feature: Option<String>) -> ResourceSurface {
    let methods = r
        .operations
        .iter()
        .map(|op| {
            let decls = arguments(api, op);
            let doc = [op.doc.summary.as_deref(), op.doc.description.as_deref()]
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join("\n\n");
            Method {
                name: op.name.clone(),
                args: decls
                    .into_iter()
                    .map(|(name, ty)| Arg {
                        name,
                        ty: text(&ty),
                    })
                    .collect(),
                returns: text(&return_type(api, op)),
                http: format!("{} {}", op.method.as_str(), op.path),
                deprecated: op.deprecated,
                doc: hash(Some(&doc).filter(|d| !d.is_empty()).map(String::as_str)),
            }
        })
        .collect();
    ResourceSurface {
        accessor: r.accessor.clone(),
        handle: r.type_name.clone(),
        feature,
        doc: hash(r.doc.as_deref()),
        methods,
        resources: Vec::new(),
    }
}

/// The arguments of a `#[non_exhaustive]` struct's `new`: its required fields.
fn constructor(api: &Api, st: &Struct) -> Vec<Arg> {
    st.fields
        .iter()
        .filter(|f| f.presence == Presence::Required)
        .map(|f| Arg {
            name: f.name.clone(),
            ty: text(&field_type(api, f, Scope::Types)),
        })
        .collect()
}

/// `name: Type` tokens to an [`Arg`].
/// The traits each kind of type gets (as `types.rs` emits them).
fn traits(kind: &TypeKind, default: bool, ser: bool, de: bool) -> Vec<String> {
    let mut out: Vec<&str> = match kind {
        TypeKind::Struct(_) | TypeKind::Newtype(_) => vec!["Clone", "Debug", "PartialEq"],
        TypeKind::Params(_) => vec!["Clone", "Debug", "PartialEq"],
        TypeKind::Enum(e) => {
            let mut t = vec![
                "Clone",
                "Debug",
                "Display",
                "Eq",
                "Hash",
                "Ord",
                "PartialEq",
                "PartialOrd",
            ];
            t.push(if e.integer { "From<i64>" } else { "From<&str>" });
            if e.integer {
                t.push("Copy");
            }
            t
        }
        TypeKind::Union(_) => vec!["Clone", "Debug", "PartialEq"],
        // Decoded only through their envelope: no `Deserialize` of their own.
        TypeKind::Event(_) if ser => vec!["Clone", "Debug", "PartialEq", "Serialize"],
        TypeKind::Event(_) => vec!["Clone", "Debug", "PartialEq"],
        TypeKind::Alias(_) => return Vec::new(),
    };
    if matches!(kind, TypeKind::Event(_)) {
        return out.into_iter().map(str::to_string).collect();
    }
    let params = matches!(kind, TypeKind::Params(_));
    if default && !matches!(kind, TypeKind::Enum(_) | TypeKind::Union(_)) {
        out.push("Default");
    }
    if ser && !params {
        out.push("Serialize");
    }
    if de && !params {
        out.push("Deserialize");
    }
    out.sort_unstable();
    out.into_iter().map(str::to_string).collect()
}

fn presence(p: Presence) -> &'static str {
    match p {
        Presence::Required => "required",
        Presence::RequiredNullable => "required-nullable",
        Presence::Optional => "optional",
        Presence::OptionalNullable => "optional-nullable",
    }
}

/// Fields, variants or target of a type.
fn type_members(api: &Api, kind: &TypeKind, s: &mut TypeSurface) {
    match kind {
        TypeKind::Struct(st) => {
            s.fields = st
                .fields
                .iter()
                .map(|f| FieldSurface {
                    name: f.name.clone(),
                    ty: text(&field_type(api, f, Scope::Types)),
                    presence: presence(f.presence).to_string(),
                    wire: f.wire_name.clone(),
                    deprecated: f.deprecated,
                    doc: hash(f.doc.as_deref()),
                })
                .collect();
            if let Some(extra) = &st.additional {
                s.fields.push(FieldSurface {
                    name: "additional_properties".to_string(),
                    ty: format!(
                        "std::collections::BTreeMap<String, {}>",
                        text(&rust_type(api, extra, Scope::Types))
                    ),
                    presence: "additional".to_string(),
                    wire: "*".to_string(),
                    deprecated: false,
                    doc: String::new(),
                });
            }
        }
        TypeKind::Params(params) => {
            s.fields = params
                .iter()
                .map(|p| {
                    let ty = text(&rust_type(api, &p.ty, Scope::Types));
                    let location = match p.location {
                        ParamLocation::Query => "query",
                        ParamLocation::Header => "header",
                        ParamLocation::Cookie => "cookie",
                        ParamLocation::Path => "path",
                    };
                    FieldSurface {
                        name: p.name.clone(),
                        ty: if p.required {
                            ty
                        } else {
                            format!("Option<{ty}>")
                        },
                        presence: if p.required { "required" } else { "optional" }.to_string(),
                        wire: format!("{location}:{}", p.wire_name),
                        deprecated: false,
                        doc: hash(p.doc.as_deref()),
                    }
                })
                .collect();
        }
        TypeKind::Enum(e) => {
            s.variants = e
                .variants
                .iter()
                .map(|v| VariantSurface {
                    name: v.name.clone(),
                    ty: None,
                    wire: vec![v.value.text().into_owned()],
                    doc: hash(v.doc.as_deref()),
                })
                .collect();
            s.variants.push(VariantSurface {
                name: e.unknown_variant.clone(),
                ty: Some(if e.integer { "i64" } else { "String" }.to_string()),
                wire: Vec::new(),
                doc: String::new(),
            });
        }
        TypeKind::Event(e) => {
            s.variants = e
                .variants
                .iter()
                .map(|v| VariantSurface {
                    name: v.name.clone(),
                    ty: Some(text(&rust_type(api, &v.ty, Scope::Types))),
                    wire: vec![v.value.clone()],
                    doc: hash(v.doc.as_deref()),
                })
                .collect();
            if let Some(unknown) = &e.unknown {
                s.variants.push(VariantSurface {
                    name: unknown.clone(),
                    ty: Some("serde_json::Value".to_string()),
                    wire: Vec::new(),
                    doc: String::new(),
                });
            }
        }
        TypeKind::Union(u) => {
            s.variants = u
                .variants
                .iter()
                .map(|v| {
                    let ty = text(&rust_type(api, &v.ty, Scope::Types));
                    VariantSurface {
                        name: v.name.clone(),
                        ty: Some(if v.boxed { format!("Box<{ty}>") } else { ty }),
                        wire: v.tags.clone(),
                        doc: String::new(),
                    }
                })
                .collect();
            if let crate::ir::Tagging::Discriminator {
                unknown_variant, ..
            } = &u.tagging
            {
                s.variants.push(VariantSurface {
                    name: unknown_variant.clone(),
                    ty: Some("serde_json::Value".to_string()),
                    wire: Vec::new(),
                    doc: String::new(),
                });
            }
        }
        TypeKind::Alias(t) | TypeKind::Newtype(t) => {
            s.target = Some(text(&rust_type(api, t, Scope::Types)));
        }
    }
}

/// The `[features]` section of a rendered `Cargo.toml` (one `name = [..]` per line).
fn cargo_features(cargo_toml: &str) -> Vec<Feature> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in cargo_toml.lines() {
        let line = line.trim();
        if line.starts_with('[') && !line.contains('=') {
            inside = line == "[features]";
            continue;
        }
        if !inside || line.starts_with('#') {
            continue;
        }
        let Some((name, list)) = line.split_once('=') else {
            continue;
        };
        let enables = list
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect();
        out.push(Feature {
            name: name.trim().to_string(),
            enables,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Tokens as compact Rust text (`Option<Vec<types::Chat>>`, `&str`).
pub fn text(tokens: &TokenStream) -> String {
    let mut out = String::new();
    write_tokens(tokens.clone(), &mut out);
    out
}

fn write_tokens(tokens: TokenStream, out: &mut String) {
    let mut word = false;
    for t in tokens {
        match t {
            TokenTree::Ident(i) => {
                if word {
                    out.push(' ');
                }
                let _ = write!(out, "{i}");
                word = true;
            }
            TokenTree::Literal(l) => {
                if word {
                    out.push(' ');
                }
                let _ = write!(out, "{l}");
                word = true;
            }
            TokenTree::Punct(p) => {
                match p.as_char() {
                    ',' => out.push_str(", "),
                    '=' => out.push_str(" = "),
                    c => out.push(c),
                }
                word = false;
            }
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write_tokens(g.stream(), out);
                out.push_str(close);
                word = false;
            }
        }
    }
}

/// A short, stable hash of a doc text (FNV-1a, 64 bits); empty for no docs.
pub fn hash(text: Option<&str>) -> String {
    let Some(text) = text else {
        return String::new();
    };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn pieces_end_on_whole_characters() {
        use std::io::Write as _;
        let mut files = crate::FileSet::default();
        let rel = std::path::Path::new("a.json");
        let mut out = Pieces {
            sink: &mut files,
            rel,
            buf: Vec::new(),
            first: true,
            failed: None,
        };
        // A three-byte character across the piece boundary, written a byte at a time.
        let text = format!("{}\u{20ac}{}", "a".repeat(PIECE_BYTES - 1), "b".repeat(10));
        for b in text.as_bytes() {
            out.write_all(std::slice::from_ref(b)).expect("written");
        }
        out.flush_text(true).expect("ended");
        assert_eq!(files.get(rel), Some(text.as_str()));
    }

    #[test]
    fn types_print_compactly() {
        assert_eq!(
            text(&quote! { Option<Vec<types::Chat>> }),
            "Option<Vec<types::Chat>>"
        );
        assert_eq!(text(&quote! { &str }), "&str");
        assert_eq!(
            text(&quote! { std::collections::BTreeMap<String, i64> }),
            "std::collections::BTreeMap<String, i64>"
        );
        assert_eq!(text(&quote! { () }), "()");
        assert_eq!(text(&quote! { &[types::Item] }), "&[types::Item]");
    }

    #[test]
    fn features_are_read_from_the_manifest() {
        let toml = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"full\"]\n# note\nfull = [\"a\", \"b\"]\na = []\n\n[dependencies]\nserde = \"1\"\n";
        let f = cargo_features(toml);
        let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "default", "full"]);
        assert_eq!(f[2].enables, ["a", "b"]);
    }

    #[test]
    fn doc_hashes_are_stable() {
        assert_eq!(hash(None), "");
        assert_eq!(hash(Some("")), "cbf29ce484222325");
        assert_ne!(hash(Some("a")), hash(Some("b")));
    }
}
