//! `src/types.rs`: one Rust type per named IR type.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs;
use super::rust_type::{Scope, defaultable, field_type, ident, rust_type};
use crate::ir::{Api, Presence, StringEnum, Struct, Tagging, TypeDef, TypeKind, Union};

/// The whole `types.rs` file.
pub fn types_file(api: &Api) -> TokenStream {
    let defaults = defaultable(api);
    let items = api
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| type_item(api, t, defaults[i]));
    // Parameter structs are not serialised; a spec of only those needs no serde.
    let serde_use = api
        .types
        .iter()
        .any(|t| !matches!(t.kind, TypeKind::Params(_)))
        .then(|| quote! { use serde::{Deserialize, Serialize}; });
    quote! {
        //! Request and response types, one per schema of the spec.
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::too_many_lines)]

        #serde_use

        #(#items)*
    }
}

fn type_doc(t: &TypeDef) -> TokenStream {
    let text = t
        .doc
        .clone()
        .unwrap_or_else(|| format!("The `{}` schema.", t.name));
    docs::attrs(&text)
}

fn type_item(api: &Api, t: &TypeDef, default: bool) -> TokenStream {
    let doc = type_doc(t);
    let name = ident(&t.name);
    match &t.kind {
        TypeKind::Struct(s) => struct_item(api, &doc, &name, s, default),
        TypeKind::Params(params) => {
            let fields = params.iter().map(|p| {
                let fname = ident(&p.name);
                let mut ty = rust_type(api, &p.ty, Scope::Types);
                if !p.required {
                    ty = quote! { Option<#ty> };
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
                let doc = docs::attrs(&text);
                quote! { #doc pub #fname: #ty, }
            });
            let derive_default = default.then(|| quote! { Default, });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, #derive_default)]
                pub struct #name { #(#fields)* }
            }
        }
        TypeKind::Enum(e) if e.integer => int_enum_item(&doc, &name, e),
        TypeKind::Enum(e) => enum_item(&doc, &name, e),
        TypeKind::Union(u) => union_item(api, &doc, &name, u),
        TypeKind::Alias(ty) => {
            let ty = rust_type(api, ty, Scope::Types);
            quote! { #doc pub type #name = #ty; }
        }
        TypeKind::Newtype(ty) => {
            let ty = rust_type(api, ty, Scope::Types);
            let derive_default = default.then(|| quote! { Default, });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, #derive_default Serialize, Deserialize)]
                #[serde(transparent)]
                pub struct #name(pub #ty);
            }
        }
    }
}

fn struct_item(
    api: &Api,
    doc: &TokenStream,
    name: &proc_macro2::Ident,
    s: &Struct,
    default: bool,
) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let fname = ident(&f.name);
        let ty = field_type(api, f, Scope::Types);
        let text = f.doc.clone().unwrap_or_else(|| format!("The `{}` property.", f.wire_name));
        let fdoc = docs::attrs(&text);
        let rename = (f.name != f.wire_name).then(|| {
            let wire = &f.wire_name;
            quote! { rename = #wire, }
        });
        let serde = match f.presence {
            Presence::Required => rename.map(|r| quote! { #[serde(#r)] }),
            Presence::RequiredNullable => Some(quote! { #[serde(#rename default)] }),
            Presence::Optional => Some(quote! { #[serde(#rename default, skip_serializing_if = "Option::is_none")] }),
            Presence::OptionalNullable => Some(quote! { #[serde(#rename default, skip_serializing_if = "crate::Nullable::is_absent")] }),
        };
        let deprecated = f.deprecated.then(|| quote! { #[deprecated] });
        quote! { #fdoc #deprecated #serde pub #fname: #ty, }
    });
    let additional = s.additional.as_ref().map(|t| {
        let ty = rust_type(api, t, Scope::Types);
        quote! {
            /// Properties beyond the documented ones.
            #[serde(flatten)]
            pub additional_properties: std::collections::BTreeMap<String, #ty>,
        }
    });
    let derive_default = default.then(|| quote! { Default, });
    let any_deprecated = s.fields.iter().any(|f| f.deprecated);
    let allow = any_deprecated.then(|| quote! { #[allow(deprecated)] });
    quote! {
        #doc
        #allow
        #[derive(Debug, Clone, PartialEq, #derive_default Serialize, Deserialize)]
        pub struct #name { #(#fields)* #additional }
    }
}

/// A forward-compatible string enum: known values as unit variants, anything else kept
/// verbatim in the catch-all, so a newer server never breaks an older client.
/// A known value's doc: the value, and what it means when the spec says.
fn variant_doc(v: &crate::ir::EnumVariant) -> TokenStream {
    let value = if v.value.is_empty() {
        " The empty string.".to_string()
    } else {
        format!(" `{}`", v.value.replace('`', "'"))
    };
    match &v.doc {
        None => quote! { #[doc = #value] },
        Some(d) => {
            let rest = docs::attrs(d);
            quote! { #[doc = #value] #[doc = ""] #rest }
        }
    }
}

/// An integer enum: known values as unit variants, any other number kept in the
/// catch-all; (de)serialised as a JSON number.
fn int_enum_item(doc: &TokenStream, name: &proc_macro2::Ident, e: &StringEnum) -> TokenStream {
    let unknown = ident(&e.unknown_variant);
    let known: Vec<(proc_macro2::Ident, Literal, &crate::ir::EnumVariant)> = e
        .variants
        .iter()
        .filter_map(|v| {
            let n = v.value.parse::<i64>().ok()?;
            Some((ident(&v.name), Literal::i64_unsuffixed(n), v))
        })
        .collect();
    let variants = known.iter().map(|(vname, _, v)| {
        let vdoc = variant_doc(v);
        quote! { #vdoc #vname, }
    });
    let to_int = known
        .iter()
        .map(|(vname, n, _)| quote! { Self::#vname => #n, });
    let from_int = known
        .iter()
        .map(|(vname, n, _)| quote! { #n => Self::#vname, });
    let all = known.iter().map(|(vname, _, _)| quote! { Self::#vname });
    let count = Literal::usize_unsuffixed(known.len());
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know; kept verbatim.
            #unknown(i64),
        }

        impl #name {
            /// Every value known to this version of the client.
            pub const KNOWN: [Self; #count] = [#(#all),*];

            /// The value as sent on the wire.
            pub fn value(self) -> i64 {
                match self {
                    #(#to_int)*
                    Self::#unknown(other) => other,
                }
            }
        }

        impl From<i64> for #name {
            fn from(value: i64) -> Self {
                match value {
                    #(#from_int)*
                    other => Self::#unknown(other),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.value())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                i64::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

fn enum_item(doc: &TokenStream, name: &proc_macro2::Ident, e: &StringEnum) -> TokenStream {
    let unknown = ident(&e.unknown_variant);
    let variants = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vdoc = variant_doc(v);
        quote! { #vdoc #vname, }
    });
    let to_str = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let value = &v.value;
        quote! { Self::#vname => #value, }
    });
    let from_str = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let value = &v.value;
        quote! { #value => Self::#vname, }
    });
    let all = e.variants.iter().map(|v| {
        let vname = ident(&v.name);
        quote! { Self::#vname }
    });
    let count = Literal::usize_unsuffixed(e.variants.len());
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know; kept verbatim.
            #unknown(String),
        }

        impl #name {
            /// Every value known to this version of the client.
            pub const KNOWN: [Self; #count] = [#(#all),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::#unknown(other) => other,
                }
            }
        }

        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::#unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::runtime::deserialize_enum_str(deserializer).map(|s| Self::from(s.as_ref()))
            }
        }
    }
}

fn union_item(api: &Api, doc: &TokenStream, name: &proc_macro2::Ident, u: &Union) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let vname = ident(&v.name);
        let mut ty = rust_type(api, &v.ty, Scope::Types);
        if v.boxed {
            ty = quote! { Box<#ty> };
        }
        let vdoc = if v.tags.is_empty() {
            format!(" A `{}`.", v.name)
        } else {
            format!(" `{}`", v.tags.join("`, `"))
        };
        quote! { #[doc = #vdoc] #vname(#ty), }
    });
    match &u.tagging {
        Tagging::Untagged => quote! {
            #doc
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
            #[serde(untagged)]
            pub enum #name { #(#variants)* }
        },
        Tagging::Discriminator {
            property,
            unknown_variant,
        } => {
            let unknown = ident(unknown_variant);
            let arms = u.variants.iter().filter(|v| !v.tags.is_empty()).map(|v| {
                let vname = ident(&v.name);
                let tags = &v.tags;
                let wrap = if v.boxed { quote! { |v| Self::#vname(Box::new(v)) } } else { quote! { Self::#vname } };
                quote! { #(#tags)|* => serde_json::from_value(value).map(#wrap).map_err(serde::de::Error::custom), }
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Serialize)]
                #[serde(untagged)]
                pub enum #name {
                    #(#variants)*
                    /// A kind this version of the client does not know; kept as JSON.
                    #unknown(serde_json::Value),
                }

                impl<'de> Deserialize<'de> for #name {
                    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                        let value = serde_json::Value::deserialize(deserializer)?;
                        let tag = value.get(#property).and_then(serde_json::Value::as_str).unwrap_or_default();
                        match tag {
                            #(#arms)*
                            _ => Ok(Self::#unknown(value)),
                        }
                    }
                }
            }
        }
    }
}
