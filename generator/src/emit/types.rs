//! `src/types.rs`: one Rust type per named IR type.

use proc_macro2::TokenStream;
use quote::quote;

use super::code::{self, Code, Writer, type_text};
use super::docs::{self, Docs};
use super::fixed::{self, StructItems};
use super::rust_type::{Scope, ident, rust_type};
use crate::ir::{
    Api, EnumDef, EventUnion, Struct, Tagging, TypeDef, TypeId, TypeKind, TypeRef, Union,
    WebhookEvents,
};
use crate::plan::Plan;

/// How one type is spelled besides its shape: the `#[cfg]` every one of its items
/// carries (see [`super::features`]), and which serde impls it gets; and where its
/// doc blocks go.
struct Spell<'a> {
    /// The feature gate of the type's items.
    gate: &'a crate::plan::Gate,
    /// The `cfg` of the type's items, as text lines.
    cfg_lines: Vec<String>,
    /// The type's own `cfg` lines: with the `docsrs` attribute showing its features in
    /// docs, and `#[allow(missing_docs)]` if the spec leaves it undescribed.
    item_cfg_lines: Vec<String>,
    /// `#[allow(missing_docs)]` is on the type.
    allow_missing: bool,
    ser: bool,
    de: bool,
    /// `#[non_exhaustive]`.
    sealed: bool,
    docs: &'a Docs,
    /// Where the impls written as text go.
    code: &'a Code,
    /// A struct decoder's local variable per field (see [`crate::plan::names`]).
    locals: &'a [String],
}

/// The start of `types.rs`: its docs, lint settings and imports.
pub fn types_header(api: &Api) -> TokenStream {
    // Parameter structs are not serialised; a spec of only those needs no serde.
    let serde_use = api
        .types
        .iter()
        .any(|t| !matches!(t.kind, TypeKind::Params(_)))
        .then(|| quote! { use serde::{Deserialize, Serialize}; });
    let de_use = api
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Struct(_)))
        .then(|| quote! { use crate::runtime::{de, ser}; });
    // Without some resources' features, some imports may go unused.
    let allow =
        (serde_use.is_some() || de_use.is_some()).then(|| quote! { #[allow(unused_imports)] });
    let serde_use = serde_use.map(|u| quote! { #allow #u });
    let de_use = de_use.map(|u| quote! { #allow #u });
    quote! {
        //! Request and response types, one per schema of the spec.
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::too_many_lines)]

        #serde_use
        #de_use
    }
}

/// The items of the types `range` of `api.types`, as they appear in `types.rs`.
pub fn type_items(
    api: &Api,
    plan: &Plan,
    docs: &Docs,
    code: &Code,
    range: std::ops::Range<usize>,
) -> TokenStream {
    let items = range.filter_map(|i| {
        let t = api.types.get(i)?;
        let p = plan.types.get(i)?;
        // An alias has the docs of its own (see `copy_item`).
        let allow_missing = p.alias_of.is_none() && undocumented(t);
        let spell = Spell {
            gate: &p.gate,
            cfg_lines: super::features::cfg_lines(&p.gate),
            allow_missing,
            item_cfg_lines: {
                let mut lines = super::features::item_cfg_lines(&p.gate);
                if allow_missing {
                    lines.push("#[allow(missing_docs)]".to_string());
                }
                lines
            },
            ser: p.ser,
            de: p.de,
            sealed: p.sealed,
            docs,
            code,
            locals: plan.names.decoder_locals.get(i).map_or(&[], Vec::as_slice),
        };
        Some(match p.alias_of {
            Some(original) => copy_item(api, t, original, &spell),
            None => type_item(api, t, p.default, &spell),
        })
    });
    quote! { #(#items)* }
}

/// A type whose code would repeat an earlier one's exactly (same fields, variants and
/// docs inside; Stripe's spec, for example, repeats the same inline enums hundreds of
/// times): an alias of the earlier type, so it is compiled once.
fn copy_item(api: &Api, t: &TypeDef, original: TypeId, spell: &Spell) -> TokenStream {
    let target = ident(&api.type_def(original).name).to_string();
    let text = docs::join(&[
        t.doc.as_deref(),
        Some(&format!(
            "An alias of [`{target}`], which has the same shape."
        )),
    ]);
    alias_item(t, Some(&text), &target, spell)
}

/// `pub type Name = Target;` with its doc (`doc`, spec text) and `cfg`s, as text.
fn alias_item(t: &TypeDef, doc: Option<&str>, target: &str, spell: &Spell) -> TokenStream {
    let mut w = Writer::default();
    w.attrs(
        0,
        &doc.and_then(|d| spell.docs.line(d))
            .into_iter()
            .collect::<Vec<_>>(),
    );
    w.attrs(0, &spell.item_cfg_lines);
    w.assign(0, &format!("pub type {}", ident(&t.name)), target);
    spell.code.item(w.into_text())
}

/// The type's doc from the spec. Nothing is invented for what the spec leaves
/// undescribed: such a type (or one with an undescribed field or variant) is left
/// undocumented, and `missing_docs` is allowed on that type alone, so the lint still
/// holds everywhere else.
fn type_doc(t: &TypeDef, docs: &Docs) -> TokenStream {
    t.doc.as_deref().map(|d| docs.attrs(d)).unwrap_or_default()
}

/// Whether a type needs `#[allow(missing_docs)]`: the spec leaves it undescribed, or
/// one of its fields or variants (see [`type_doc`]).
fn undocumented(t: &TypeDef) -> bool {
    let described = |d: &Option<String>| d.as_deref().is_some_and(|d| !d.trim().is_empty());
    !described(&t.doc)
        || match &t.kind {
            TypeKind::Struct(s) => s.fields.iter().any(|f| !described(&f.doc)),
            TypeKind::Union(u) => u.variants.iter().any(|v| v.tags.is_empty()),
            TypeKind::Event(e) => e.variants.iter().any(|v| !described(&v.doc)),
            _ => false,
        }
}

fn type_item(api: &Api, t: &TypeDef, default: bool, spell: &Spell) -> TokenStream {
    // Only for the items still spelled as tokens: a doc block is made once used.
    let doc = || type_doc(t, spell.docs);
    let name = ident(&t.name);
    match &t.kind {
        TypeKind::Struct(s) => {
            let events = api
                .webhook_events
                .as_ref()
                .filter(|e| api.type_def(e.envelope).name == t.name);
            struct_item(api, t, s, default, spell, events)
        }
        TypeKind::Params(params) => {
            let fields: Vec<fixed::StructField> = params
                .iter()
                .map(|p| {
                    let mut ty = type_text(&rust_type(api, &p.ty, Scope::Types));
                    if !p.required {
                        ty = format!("Option<{ty}>");
                    }
                    let where_ = match p.location {
                        crate::ir::ParamLocation::Query => "query parameter",
                        crate::ir::ParamLocation::Header => "header",
                        crate::ir::ParamLocation::Cookie => "cookie",
                        crate::ir::ParamLocation::Path => "path parameter",
                    };
                    let text = docs::join(&[
                        p.doc.as_deref(),
                        Some(&format!("Sent as the `{}` {where_}.", p.wire_name)),
                    ]);
                    fixed::StructField {
                        doc: spell.docs.line(&text),
                        deprecated: false,
                        name: ident(&p.name).to_string(),
                        ty,
                    }
                })
                .collect();
            let head = head_lines(t, spell, &[plain_derive(default)]);
            let mut w = Writer::default();
            fixed::struct_definition(&mut w, &head, &name.to_string(), &fields);
            spell.code.item(w.into_text())
        }
        TypeKind::Enum(e) => enum_item(t, e, spell),
        TypeKind::Union(u) => union_item(api, t, u, spell),
        TypeKind::Event(e) => event_item(api, &doc(), &name, e, spell),
        TypeKind::Alias(ty) => {
            let ty = type_text(&rust_type(api, ty, Scope::Types));
            alias_item(t, t.doc.as_deref(), &ty, spell)
        }
        TypeKind::Newtype(ty) => {
            let ty = type_text(&rust_type(api, ty, Scope::Types));
            let head = head_lines(t, spell, &[plain_derive(default)]);
            let mut w = Writer::default();
            fixed::newtype(
                &mut w,
                &head,
                &name.to_string(),
                &ty,
                &spell.cfg_lines,
                spell.ser,
                spell.de,
            );
            spell.code.item(w.into_text())
        }
    }
}

/// A struct: its definition and impls, written as text (see [`fixed::StructItems`]).
fn struct_item(
    api: &Api,
    t: &TypeDef,
    s: &Struct,
    default: bool,
    spell: &Spell,
    events: Option<&WebhookEvents>,
) -> TokenStream {
    let any_deprecated = s.fields.iter().any(|f| f.deprecated);
    // Attributes of the impls: the type's `cfg`, and `allow(deprecated)` if needed.
    let mut attrs = spell.cfg_lines.clone();
    let mut extra = Vec::new();
    if any_deprecated {
        attrs.push("#[allow(deprecated)]".to_string());
        extra.push("#[allow(deprecated)]");
    }
    extra.push(plain_derive(default));
    if spell.sealed {
        extra.push("#[non_exhaustive]");
    }
    let head = head_lines(t, spell, &extra);
    let name = ident(&t.name).to_string();
    let items = StructItems {
        api,
        name: &name,
        s,
        head,
        attrs: &attrs,
        docs: spell.docs,
        constructor: spell.sealed,
        ser: spell.ser,
        de: spell.de,
        events,
        locals: spell.locals,
    };
    let mut w = Writer::default();
    items.write(&mut w);
    spell.code.item(w.into_text())
}

/// A known value's doc lines: the value, and what it means when the spec says.
fn variant_doc_lines(v: &crate::ir::EnumVariant, docs: &Docs) -> Vec<String> {
    let text = v.value.text();
    let mut lines = vec![if text.is_empty() {
        "/// The empty string.".to_string()
    } else {
        format!("/// `{}`", docs::code_span(&text))
    }];
    if let Some(rest) = v.doc.as_deref().and_then(|d| docs.line(d)) {
        lines.push("///".to_string());
        lines.push(rest);
    }
    lines
}

/// A forward-compatible enum: known values as unit variants, anything else kept
/// verbatim in the catch-all, so a newer server never breaks an older client. A string
/// enum's values are text; an integer enum's are numbers (`Copy`, a JSON number).
fn enum_item(t: &TypeDef, e: &EnumDef, spell: &Spell) -> TokenStream {
    let (derive, payload) = if e.integer {
        (
            "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]",
            "i64",
        )
    } else {
        (
            "#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]",
            "String",
        )
    };
    let head = head_lines(t, spell, &[derive, "#[non_exhaustive]"]);
    let variants: Vec<fixed::Variant> = e
        .variants
        .iter()
        // Lowering makes every value of an integer enum an integer.
        .filter(|v| !e.integer || v.value.as_int().is_some())
        .map(|v| fixed::Variant {
            doc: variant_doc_lines(v, spell.docs),
            name: ident(&v.name).to_string(),
            ty: None,
        })
        .collect();
    let name = ident(&t.name).to_string();
    let mut w = Writer::default();
    fixed::enum_definition(
        &mut w,
        &head,
        &name,
        &variants,
        &[
            "/// A value this version of the client does not know; kept verbatim.".to_string(),
            format!("{}({payload}),", ident(&e.unknown_variant)),
        ],
    );
    let impls = if e.integer {
        fixed::int_enum
    } else {
        fixed::string_enum
    };
    impls(&mut w, &name, e, &spell.cfg_lines, spell.ser, spell.de);
    spell.code.item(w.into_text())
}

/// The derives of a struct (or newtype): `Default` when the plan gives it one.
fn plain_derive(default: bool) -> &'static str {
    if default {
        "#[derive(Debug, Clone, PartialEq, Default)]"
    } else {
        "#[derive(Debug, Clone, PartialEq)]"
    }
}

/// The attribute lines of a type written as text: its doc, its `cfg`s (and lint
/// allowances), then `extra`.
fn head_lines(t: &TypeDef, spell: &Spell, extra: &[&str]) -> Vec<String> {
    let mut head: Vec<String> = t
        .doc
        .as_deref()
        .and_then(|d| spell.docs.line(d))
        .into_iter()
        .collect();
    head.extend(spell.item_cfg_lines.iter().cloned());
    head.extend(extra.iter().map(|l| l.to_string()));
    head
}

/// A webhook payload union: one variant per discriminator value (each holding the
/// payload type, or the union for the next discriminator), `Unknown` at the top. It
/// is encoded as its payload; it is decoded only through the envelope, which knows the
/// discriminators (`from_envelope`, `select`).
fn event_item(
    api: &Api,
    doc: &TokenStream,
    name: &proc_macro2::Ident,
    e: &EventUnion,
    spell: &Spell,
) -> TokenStream {
    // The one kind of type still spelled as tokens.
    let cfg = &super::features::cfg(spell.gate);
    let item_cfg = {
        let cfg = super::features::item_cfg(spell.gate);
        let allow = spell
            .allow_missing
            .then(|| quote! { #[allow(missing_docs)] });
        quote! { #cfg #allow }
    };
    let variants = e.variants.iter().map(|v| {
        let vdoc = spell.docs.attrs(v.doc.as_deref().unwrap_or(""));
        let vname = ident(&v.name);
        let ty = rust_type(api, &v.ty, Scope::Types);
        quote! { #vdoc #vname(#ty), }
    });
    let unknown = e.unknown.as_ref().map(|u| {
        let u = ident(u);
        quote! {
            /// An event type or version this crate does not know, as delivered.
            #u(serde_json::Value),
        }
    });
    let nested = |ty: &TypeRef| match ty {
        TypeRef::Named(id) if matches!(api.type_def(*id).kind, TypeKind::Event(_)) => {
            Some(ident(&api.type_def(*id).name))
        }
        _ => None,
    };
    let any_nested = e.variants.iter().any(|v| nested(&v.ty).is_some());
    let arms = e.variants.iter().map(|v| {
        let value = &v.value;
        let vname = ident(&v.name);
        match nested(&v.ty) {
            Some(inner) => {
                quote! { Some(#value) => #inner::select(rest, data)?.map(Self::#vname), }
            }
            None => quote! { Some(#value) => Ok(Self::#vname(serde_json::from_value(data)?)), },
        }
    });
    let split = if any_nested {
        quote! {
            let (first, rest) = match values.split_first() {
                Some((first, rest)) => (*first, rest),
                None => (None, values),
            };
        }
    } else {
        quote! { let first = values.first().copied().flatten(); }
    };
    let from_envelope = e.unknown.as_ref().map(|u| {
        let u = ident(u);
        quote! {
            /// The payload `data` as the variant the envelope's discriminator values select
            /// (`Unknown` for values this crate does not know).
            pub(crate) fn from_envelope(
                values: &[Option<&str>],
                data: serde_json::Value,
            ) -> Result<Self, serde_json::Error> {
                Ok(Self::select(values, data)?.unwrap_or_else(Self::#u))
            }
        }
    });
    let level = e.level;
    let decode = spell.de.then(|| {
        let select_doc = format!(
            " Decodes `data` as the variant `values[{level}..]` select; gives `data` back \
             when this union does not know the value."
        );
        quote! {
            #cfg
            impl #name {
                #[doc = #select_doc]
                pub(crate) fn select(
                    values: &[Option<&str>],
                    data: serde_json::Value,
                ) -> Result<Result<Self, serde_json::Value>, serde_json::Error> {
                    #split
                    Ok(match first {
                        #(#arms)*
                        _ => Err(data),
                    })
                }

                #from_envelope
            }
        }
    });
    let encode_arms = e
        .variants
        .iter()
        .map(|v| ident(&v.name))
        .chain(e.unknown.as_ref().map(|u| ident(u)))
        .map(|v| quote! { Self::#v(payload) => payload.serialize(serializer), });
    let encode = spell.ser.then(|| {
        quote! {
            #cfg
            impl Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#encode_arms)*
                    }
                }
            }
        }
    });
    quote! {
        #doc
        #item_cfg
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            #unknown
        }

        #decode
        #encode
    }
}

fn union_item(api: &Api, t: &TypeDef, u: &Union, spell: &Spell) -> TokenStream {
    let variants: Vec<fixed::Variant> = u
        .variants
        .iter()
        .map(|v| {
            let mut ty = type_text(&rust_type(api, &v.ty, Scope::Types));
            if v.boxed {
                ty = format!("Box<{ty}>");
            }
            // The tags selecting the variant; an untagged one has nothing to say that
            // its type does not.
            let doc = if v.tags.is_empty() {
                Vec::new()
            } else {
                let tags: Vec<String> = v.tags.iter().map(|t| docs::code_span(t)).collect();
                vec![format!("/// `{}`", tags.join("`, `"))]
            };
            fixed::Variant {
                doc,
                name: ident(&v.name).to_string(),
                ty: Some(ty),
            }
        })
        .collect();
    let head = head_lines(
        t,
        spell,
        &["#[derive(Debug, Clone, PartialEq)]", "#[non_exhaustive]"],
    );
    let name_text = ident(&t.name).to_string();
    let mut w = Writer::default();
    let unknown_lines = match &u.tagging {
        Tagging::Untagged => Vec::new(),
        Tagging::Discriminator {
            unknown_variant, ..
        } => vec![
            "/// A kind this version of the client does not know; kept as JSON.".to_string(),
            format!("{}(serde_json::Value),", ident(unknown_variant)),
        ],
    };
    fixed::enum_definition(&mut w, &head, &name_text, &variants, &unknown_lines);
    let mut encoded: Vec<String> = u
        .variants
        .iter()
        .map(|v| ident(&v.name).to_string())
        .collect();
    if let Tagging::Discriminator {
        unknown_variant, ..
    } = &u.tagging
    {
        encoded.push(ident(unknown_variant).to_string());
    }
    if spell.ser {
        fixed::union_serialize(&mut w, &name_text, &encoded, &spell.cfg_lines);
    }
    if spell.de {
        match &u.tagging {
            Tagging::Untagged => {
                let tried: Vec<String> = u
                    .variants
                    .iter()
                    .map(|v| ident(&v.name).to_string())
                    .collect();
                fixed::untagged_deserialize(&mut w, &name_text, &tried, &spell.cfg_lines);
            }
            Tagging::Discriminator {
                property,
                unknown_variant,
            } => {
                let arms: Vec<(Vec<String>, String)> = u
                    .variants
                    .iter()
                    .filter(|v| !v.tags.is_empty())
                    .map(|v| {
                        let tags = v.tags.iter().map(|t| code::string(t)).collect();
                        (tags, ident(&v.name).to_string())
                    })
                    .collect();
                fixed::tagged_deserialize(
                    &mut w,
                    &name_text,
                    property,
                    &arms,
                    &ident(unknown_variant).to_string(),
                    &spell.cfg_lines,
                );
            }
        }
    }
    spell.code.item(w.into_text())
}
