//! Paginated operations: the `Pager` constant each one hands the runtime (where the
//! items are, how the next page's position is read), and the `_stream` method.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rust_type::{Scope, ident, rust_type};
use crate::ir::{Api, BodyField, MoreFlag, Operation, PageStyle, Pagination, Presence};

/// `LIST_CHATS_PAGES`: the name of an operation's pager constant.
pub fn pager_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!(
        "{}_PAGES",
        op.name.trim_end_matches('_').to_ascii_uppercase()
    )
}

/// The item type of a paginated operation.
pub fn item_type(api: &Api, p: &Pagination) -> TokenStream {
    rust_type(api, &p.item, Scope::Resource)
}

/// The pager constant of a paginated operation: `const NAME: Pager<Item, Body> = ...;`.
pub fn pager_const(api: &Api, resource: &str, op: &Operation, body: &TokenStream) -> TokenStream {
    let Some(p) = &op.pagination else {
        return TokenStream::new();
    };
    let name = pager_name(op);
    let item = item_type(api, p);
    let (items, into_items) = match &p.items {
        None => (quote! { |body| body.as_slice() }, quote! { |body| body }),
        Some(f) => {
            let field = ident(&f.name);
            match f.presence {
                Presence::Required => (
                    quote! { |body| body.#field.as_slice() },
                    quote! { |body| body.#field },
                ),
                Presence::Optional | Presence::RequiredNullable => (
                    quote! { |body| body.#field.as_deref().unwrap_or_default() },
                    quote! { |body| body.#field.unwrap_or_default() },
                ),
                Presence::OptionalNullable => (
                    quote! { |body| body.#field.as_option().map_or(&[], Vec::as_slice) },
                    quote! { |body| body.#field.into_option().unwrap_or_default() },
                ),
            }
        }
    };
    let paging = match &p.style {
        PageStyle::Cursor { param, next, more } => {
            let next = position(&quote! { body }, next);
            let more = more_flag(more.as_ref());
            quote! { Paging::Cursor { param: #param, next: |body| #next, more: #more } }
        }
        PageStyle::LastItem { param, id, more } => {
            let next = position(&quote! { item }, id);
            let more = more_flag(more.as_ref());
            quote! { Paging::LastItem { param: #param, next: |item| #next, more: #more } }
        }
        PageStyle::Number {
            param,
            size,
            offset,
        } => {
            let size = match size {
                Some(s) => quote! { Some(#s) },
                None => quote! { None },
            };
            quote! { Paging::Number { param: #param, size: #size, offset: #offset } }
        }
        PageStyle::Link => quote! { Paging::Link },
    };
    let doc = format!(" How [`{resource}::{}`] pages: {}.", op.name, p.describe());
    quote! {
        #[doc = #doc]
        const #name: Pager<#item, #body> = Pager {
            items: #items,
            into_items: #into_items,
            paging: #paging,
        };
    }
}

/// The position a field holds, as `Option<String>`.
fn position(owner: &TokenStream, f: &BodyField) -> TokenStream {
    let field = ident(&f.name);
    match f.presence {
        Presence::Required => quote! { Some(#owner.#field.to_string()) },
        Presence::Optional | Presence::RequiredNullable => {
            quote! { #owner.#field.as_ref().map(ToString::to_string) }
        }
        Presence::OptionalNullable => {
            quote! { #owner.#field.as_option().map(ToString::to_string) }
        }
    }
}

/// `Some(|body| ...)`: whether more pages follow, from a boolean field. An absent
/// flag says nothing (the position decides).
fn more_flag(flag: Option<&MoreFlag>) -> TokenStream {
    let Some(flag) = flag else {
        return quote! { None };
    };
    let field = ident(&flag.field.name);
    // The value that says "no more pages".
    let stop = flag.inverted;
    let test = match flag.field.presence {
        Presence::Required => {
            if stop {
                quote! { !body.#field }
            } else {
                quote! { body.#field }
            }
        }
        Presence::Optional | Presence::RequiredNullable => quote! { body.#field != Some(#stop) },
        Presence::OptionalNullable => quote! { body.#field.as_option() != Some(&#stop) },
    };
    quote! { Some(|body| #test) }
}
