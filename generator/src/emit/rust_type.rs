//! Type references to Rust type tokens.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, Field, Presence, Primitive, TypeKind, TypeRef};

/// An identifier from an IR name (IR names are valid identifiers by construction).
pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Where a type is written: inside `types.rs` (`Pet`) or elsewhere (`types::Pet`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Inside the `types` module.
    Types,
    /// Inside a resource module, with `types` in scope.
    Resource,
}

/// The Rust type for a type reference.
pub fn rust_type(api: &Api, ty: &TypeRef, scope: Scope) -> TokenStream {
    match ty {
        TypeRef::Named(id) => {
            let name = ident(&api.type_def(*id).name);
            match scope {
                Scope::Types => quote! { #name },
                Scope::Resource => quote! { types::#name },
            }
        }
        TypeRef::Primitive(p) => primitive(*p),
        TypeRef::List(inner) => {
            let inner = rust_type(api, inner, scope);
            quote! { Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(api, inner, scope);
            quote! { std::collections::BTreeMap<String, #inner> }
        }
        TypeRef::Option(inner) => {
            let inner = rust_type(api, inner, scope);
            quote! { Option<#inner> }
        }
        TypeRef::Any => quote! { serde_json::Value },
        TypeRef::Object => quote! { serde_json::Map<String, serde_json::Value> },
    }
}

/// The Rust type for a scalar.
pub fn primitive(p: Primitive) -> TokenStream {
    match p {
        Primitive::String => quote! { String },
        Primitive::DateTime => quote! { chrono::DateTime<chrono::Utc> },
        Primitive::Date => quote! { chrono::NaiveDate },
        Primitive::Bool => quote! { bool },
        Primitive::I32 => quote! { i32 },
        Primitive::I64 => quote! { i64 },
        Primitive::U32 => quote! { u32 },
        Primitive::U64 => quote! { u64 },
        Primitive::F32 => quote! { f32 },
        Primitive::F64 => quote! { f64 },
    }
}

/// A field's full type: the value type, boxed if needed, wrapped per presence.
pub fn field_type(api: &Api, f: &Field, scope: Scope) -> TokenStream {
    let mut inner = rust_type(api, &f.ty, scope);
    if f.boxed {
        inner = quote! { Box<#inner> };
    }
    match f.presence {
        Presence::Required => inner,
        Presence::RequiredNullable | Presence::Optional => quote! { Option<#inner> },
        Presence::OptionalNullable => quote! { crate::Nullable<#inner> },
    }
}

/// How a path parameter is taken and turned into a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathArg {
    /// `&str`.
    Str,
    /// A `Copy` scalar, formatted with `to_string`.
    Scalar(Primitive),
    /// `&types::Enum`, via `as_str`.
    Enum,
}

pub fn path_arg_kind(api: &Api, ty: &TypeRef) -> PathArg {
    match ty {
        TypeRef::Primitive(
            p @ (Primitive::Bool
            | Primitive::I32
            | Primitive::I64
            | Primitive::U32
            | Primitive::U64
            | Primitive::F32
            | Primitive::F64),
        ) => PathArg::Scalar(*p),
        TypeRef::Named(id) => match &api.type_def(*id).kind {
            TypeKind::Enum(_) => PathArg::Enum,
            TypeKind::Alias(t) => path_arg_kind(api, t),
            _ => PathArg::Str,
        },
        _ => PathArg::Str,
    }
}
