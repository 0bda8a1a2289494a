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

/// Which named types can derive `Default` (every field's type has a default).
/// Computed as a fixpoint so that mutually recursive structs are handled.
pub fn defaultable(api: &Api) -> Vec<bool> {
    let mut ok = vec![false; api.types.len()];
    loop {
        let mut changed = false;
        for (i, t) in api.types.iter().enumerate() {
            if ok[i] {
                continue;
            }
            let now = match &t.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .all(|f| f.presence != Presence::Required || has_default(&f.ty, &ok)),
                TypeKind::Params(ps) => ps.iter().all(|p| !p.required || has_default(&p.ty, &ok)),
                TypeKind::Alias(t) | TypeKind::Newtype(t) => has_default(t, &ok),
                TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Event(_) => false,
            };
            if now {
                ok[i] = true;
                changed = true;
            }
        }
        if !changed {
            return ok;
        }
    }
}

fn has_default(ty: &TypeRef, ok: &[bool]) -> bool {
    match ty {
        TypeRef::Named(id) => ok[id.0],
        TypeRef::Primitive(Primitive::DateTime | Primitive::Date) => false,
        TypeRef::Primitive(_)
        | TypeRef::List(_)
        | TypeRef::Map(_)
        | TypeRef::Option(_)
        | TypeRef::Any
        | TypeRef::Object => true,
    }
}
