//! `src/resources/`: one handle type per resource, one async method per operation
//! (plus a `_with_response` twin that also returns status and headers).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{self, Docs};
use super::examples::method_example;
use super::pagination;
use super::rust_type::{PathArg, Scope, ident, path_arg_kind, rust_type};
use super::values::ValueBuilder;
use crate::ir::{
    Api, BodyEncoding, HttpMethod, Operation, Param, ParamLocation, PathPart, Primitive,
    QueryStyle, Resource, ResponseBody, TypeKind, TypeRef,
};
use crate::plan::Plan;

/// `resources/mod.rs`: module declarations and the accessors on `Client`.
pub fn mod_file(api: &Api, plan: &Plan, docs: &Docs) -> TokenStream {
    // Each resource behind its Cargo feature (all on by default, through `full`).
    let cfgs: Vec<TokenStream> = plan
        .features
        .resources
        .iter()
        .map(|f| quote! { #[cfg(feature = #f)] #[cfg_attr(docsrs, doc(cfg(feature = #f)))] })
        .collect();
    let mods = api.resources.iter().zip(&cfgs).map(|(r, cfg)| {
        let m = ident(&r.module);
        let t = ident(&r.type_name);
        quote! { #cfg pub mod #m; #cfg pub use #m::#t; }
    });
    let multipart = api
        .resources
        .iter()
        .flat_map(|r| &r.operations)
        .any(|op| {
            op.body
                .as_ref()
                .is_some_and(|b| b.encoding == BodyEncoding::Multipart)
        })
        .then(|| {
            quote! {
                /// The body of `multipart/form-data` operations (file uploads).
                pub use crate::runtime::Multipart;
            }
        });
    let accessors = api
        .resources
        .iter()
        .zip(&cfgs)
        .filter(|(r, _)| r.parent.is_none())
        .map(|(r, cfg)| {
            let m = ident(&r.module);
            let t = ident(&r.type_name);
            let a = ident(&r.accessor);
            let text = docs::join(&[
                r.doc.as_deref(),
                Some(&format!("Operations on the `{}` resource.", r.accessor)),
            ]);
            let doc = docs.attrs(&text);
            quote! {
                #doc
                #cfg
                pub fn #a(&self) -> #m::#t<'_> {
                    #m::#t::new(crate::runtime::Scope::new(self))
                }
            }
        });
    quote! {
        //! The API's operations, grouped by resource. Each resource is reached through an
        //! accessor on [`Client`](crate::Client), such as `client.resource().call(..)`.

        #(#mods)*
        #multipart

        impl crate::Client {
            #(#accessors)*
        }
    }
}

/// One resource's module.
pub fn resource_file(
    api: &Api,
    r: &Resource,
    values: &ValueBuilder<'_>,
    docs: &Docs,
) -> TokenStream {
    let t = ident(&r.type_name);
    // Where the handle comes from: the client, or the parent resource's handle.
    let owner = match r.parent.and_then(|p| api.resources.get(p)) {
        Some(parent) => (
            parent.type_name.clone(),
            format!("crate::resources::{}", parent.type_name),
        ),
        None => ("Client".to_string(), "crate::Client".to_string()),
    };
    let text = docs::join(&[
        r.doc.as_deref(),
        Some(&format!(
            "Operations on the `{}` resource, from [`{}::{}`]({}::{}).",
            r.accessor, owner.0, r.accessor, owner.1, r.accessor
        )),
    ]);
    let doc = docs.attrs(&text);
    let methods = r
        .operations
        .iter()
        .map(|op| operation(api, r, op, values, docs));
    let subresources = subresource_accessors(api, r, &values.plan.features.resources, docs);
    let requests = r.operations.iter().map(|op| request_fn(api, r, op));
    let pagers = r
        .operations
        .iter()
        .map(|op| pagination::pager_const(api, &r.type_name, op, &return_type(api, op)));
    let paged = r.operations.iter().any(|op| op.pagination.is_some());
    let uses_types = r.operations.iter().any(|op| mentions_types(api, op));
    let types_import = uses_types.then(|| quote! { use crate::types; });
    let uses_query = r.operations.iter().any(|op| {
        op.params
            .as_ref()
            .is_some_and(|p| match &api.type_def(p.ty).kind {
                TypeKind::Params(ps) => ps.iter().any(|p| p.location == ParamLocation::Query),
                _ => false,
            })
            || op.body.as_ref().is_some_and(|b| {
                b.elsewhere
                    .iter()
                    .any(|p| p.location == ParamLocation::Query)
            })
    });
    let uses_query = uses_query
        || r.operations
            .iter()
            .any(|op| op.body.as_ref().is_some_and(|b| !b.field_styles.is_empty()));
    let uses_path = r.operations.iter().any(|op| !op.path_params.is_empty());
    let has = |f: fn(&ResponseBody) -> bool| r.operations.iter().any(|op| f(&op.response.body));
    // A resource may have only sub-resources, and then no operation of its own.
    let calls = !r.operations.is_empty();
    // The runtime items this module names, in `rustfmt` order.
    let imports = [
        ("ApiResponse", calls),
        ("Auth", r.operations.iter().any(|op| op.auth.is_some())),
        ("Binary", has(|b| *b == ResponseBody::Binary)),
        ("Empty", has(|b| *b == ResponseBody::Empty)),
        ("Json", has(|b| matches!(b, ResponseBody::Json(_)))),
        ("Method", calls),
        ("Page", paged),
        ("PageStream", paged),
        ("Pager", paged),
        ("Paging", paged),
        ("QueryStyle", uses_query),
        ("RequestSpec", calls),
        ("Scope", true),
        ("Text", has(|b| *b == ResponseBody::Text)),
        ("path", uses_path),
    ]
    .into_iter()
    .filter(|(_, used)| *used)
    .map(|(name, _)| ident(name));
    let crate_imports = if calls {
        quote! { use crate::{Error, RequestOptions}; }
    } else {
        quote! { use crate::RequestOptions; }
    };
    quote! {
        //! The resource's handle and its operations.

        use crate::runtime::{#(#imports),*};
        #crate_imports
        #types_import

        #doc
        #[derive(Debug, Clone)]
        pub struct #t<'a> {
            scope: Scope<'a>,
        }

        impl<'a> #t<'a> {
            pub(crate) fn new(scope: Scope<'a>) -> Self {
                Self { scope }
            }

            /// Applies per-request options (timeout, retries, extra headers) to every
            /// call made through this handle.
            pub fn with_options(self, options: RequestOptions) -> Self {
                Self { scope: self.scope.with_options(options) }
            }

            #subresources
            #(#methods)*
        }

        #(#requests)*
        #(#pagers)*
    }
}

/// The accessors of a resource's sub-resources, on its handle: each hands its scope
/// (client and options) on, so `with_options` on the parent applies below it too.
fn subresource_accessors(api: &Api, r: &Resource, features: &[String], docs: &Docs) -> TokenStream {
    let index = api.resources.iter().position(|x| std::ptr::eq(x, r));
    let items = api
        .resources
        .iter()
        .zip(features)
        .filter(|(c, _)| c.parent.is_some() && c.parent == index)
        .map(|(c, feature)| {
            let m = ident(&c.module);
            let t = ident(&c.type_name);
            let a = ident(&c.accessor);
            let text = docs::join(&[
                c.doc.as_deref(),
                Some(&format!(
                    "Operations on the `{}` sub-resource.",
                    c.chain.join(".")
                )),
            ]);
            let doc = docs.attrs(&text);
            quote! {
                #doc
                #[cfg(feature = #feature)]
                #[cfg_attr(docsrs, doc(cfg(feature = #feature)))]
                pub fn #a(&self) -> super::#m::#t<'a> {
                    super::#m::#t::new(self.scope.clone())
                }
            }
        });
    quote! { #(#items)* }
}

fn mentions_types(api: &Api, op: &Operation) -> bool {
    fn named(t: &TypeRef) -> bool {
        match t {
            TypeRef::Named(_) => true,
            TypeRef::List(i) | TypeRef::Map(i) | TypeRef::Option(i) => named(i),
            _ => false,
        }
    }
    let _ = api;
    op.params.is_some()
        || op
            .path_params
            .iter()
            .any(|p| path_arg_kind(api, &p.ty) == PathArg::Enum)
        || op.body.as_ref().is_some_and(|b| {
            matches!(b.encoding, BodyEncoding::Json | BodyEncoding::Form) && named(&b.ty)
        })
        || matches!(&op.response.body, ResponseBody::Json(t) if named(t))
}

/// The argument list (after `&self`) and the call's argument names.
pub fn arguments(api: &Api, op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut decls = Vec::new();
    let mut names = Vec::new();
    for p in &op.path_params {
        let n = ident(&p.name);
        let ty = match path_arg_kind(api, &p.ty) {
            PathArg::Str => quote! { &str },
            PathArg::Scalar(prim) => super::rust_type::primitive(prim),
            PathArg::Enum => {
                let t = rust_type(api, &p.ty, Scope::Resource);
                quote! { &#t }
            }
        };
        decls.push(quote! { #n: #ty });
        names.push(quote! { #n });
    }
    if let Some(b) = &op.body {
        let ty = match &b.encoding {
            BodyEncoding::Json | BodyEncoding::Form => match &b.ty {
                TypeRef::List(inner) => {
                    let i = rust_type(api, inner, Scope::Resource);
                    quote! { &[#i] }
                }
                TypeRef::Primitive(Primitive::String) => quote! { &str },
                other => {
                    let t = rust_type(api, other, Scope::Resource);
                    quote! { &#t }
                }
            },
            BodyEncoding::Text(_) => quote! { String },
            BodyEncoding::Binary(_) => quote! { Vec<u8> },
            BodyEncoding::Multipart => quote! { &crate::runtime::Multipart },
        };
        let n = body_arg(op);
        decls.push(quote! { #n: #ty });
        names.push(quote! { #n });
    }
    if let Some(p) = &op.params {
        let t = ident(&api.type_def(p.ty).name);
        decls.push(quote! { params: &types::#t });
        names.push(quote! { params });
    }
    (decls, names)
}

/// The name of the body argument: `params` when it is the operation's params struct
/// (a JSON or form object), `body` otherwise (bytes, text, multipart, arrays, or beside
/// a separate `params`).
pub fn body_arg(op: &Operation) -> proc_macro2::Ident {
    let is_params = op.params.is_none()
        && op.body.as_ref().is_some_and(|b| {
            matches!(b.encoding, BodyEncoding::Json | BodyEncoding::Form)
                && matches!(b.ty, TypeRef::Named(_))
        });
    if is_params {
        format_ident!("params")
    } else {
        format_ident!("body")
    }
}

/// The success type a method returns.
pub fn return_type(api: &Api, op: &Operation) -> TokenStream {
    match &op.response.body {
        ResponseBody::Empty => quote! { () },
        ResponseBody::Json(t) => rust_type(api, t, Scope::Resource),
        ResponseBody::Binary => quote! { bytes::Bytes },
        ResponseBody::Text => quote! { String },
    }
}

/// For `multipart/form-data` bodies: which parts the spec describes.
fn multipart_doc(api: &Api, op: &Operation) -> Option<String> {
    let b = op
        .body
        .as_ref()
        .filter(|b| b.encoding == BodyEncoding::Multipart)?;
    let mut text =
        String::from("The body is built with [`Multipart`](crate::resources::Multipart)");
    if let TypeRef::Named(id) = &b.ty {
        let def = api.type_def(*id);
        if let TypeKind::Struct(s) = &def.kind {
            let parts: Vec<String> = s
                .fields
                .iter()
                .map(|f| match f.presence {
                    crate::ir::Presence::Required | crate::ir::Presence::RequiredNullable => {
                        format!("`{}` (required)", f.wire_name)
                    }
                    _ => format!("`{}`", f.wire_name),
                })
                .collect();
            text.push_str(&format!(
                "; its parts, described by [`{0}`](crate::types::{0}): {1}",
                def.name,
                parts.join(", ")
            ));
        }
    }
    text.push('.');
    Some(text)
}

fn method_tokens(m: HttpMethod) -> TokenStream {
    let i = format_ident!("{}", m.as_str());
    quote! { Method::#i }
}

/// The runtime type that decodes an operation's response (`Json<_>`, `Empty`, ...).
fn decoder(op: &Operation) -> TokenStream {
    match &op.response.body {
        ResponseBody::Empty => quote! { Empty },
        // The method's signature names the type.
        ResponseBody::Json(_) => quote! { Json<_> },
        ResponseBody::Binary => quote! { Binary },
        ResponseBody::Text => quote! { Text },
    }
}

/// The module-level function building an operation's request (shared by its two
/// methods): `<method>_request`.
fn request_fn_name(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}_request", op.name.trim_end_matches('_'))
}

/// The function building one operation's request. It is plain (not `async`, not
/// generic), so each operation costs the compiler one small function; sending and
/// decoding are the runtime's `Scope::call`, shared by every operation.
fn request_fn(api: &Api, r: &Resource, op: &Operation) -> TokenStream {
    let name = request_fn_name(op);
    let (decls, _) = arguments(api, op);

    // The path, with each parameter encoded as one segment.
    let mut fmt = String::new();
    let mut fmt_args = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(l) => fmt.push_str(&l.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                fmt.push_str("{}");
                let p = &op.path_params[*i];
                let n = ident(&p.name);
                fmt_args.push(match path_arg_kind(api, &p.ty) {
                    PathArg::Str => quote! { path::segment(#n)? },
                    PathArg::Scalar(_) => quote! { path::segment(&#n.to_string())? },
                    PathArg::Enum => quote! { path::segment(&#n.to_string())? },
                });
            }
        }
    }
    let path_expr = if fmt_args.is_empty() {
        quote! { String::from(#fmt) }
    } else {
        quote! { format!(#fmt, #(#fmt_args),*) }
    };
    let method = method_tokens(op.method);
    let template = &op.path;

    // Builder steps; `true` for the ones that can fail.
    let mut build: Vec<(TokenStream, bool)> = Vec::new();
    if let Some(auth) = &op.auth {
        let auth = super::crate_root::auth_tokens(auth);
        build.push((quote! { .auth(#auth) }, false));
    }
    if op.response.accept != "application/json" {
        let accept = &op.response.accept;
        build.push((quote! { .accept(#accept) }, false));
    }
    if let Some(p) = &op.params
        && let TypeKind::Params(ps) = &api.type_def(p.ty).kind
    {
        let params = format_ident!("params");
        build.extend(ps.iter().map(|param| param_step(param, &params)));
    }
    if let Some(b) = &op.body {
        let body = body_arg(op);
        // Members of the params struct that go in the query or headers.
        for param in &b.elsewhere {
            build.push(param_step(param, &body));
        }
        let elsewhere: Vec<&str> = b.elsewhere.iter().map(|p| p.wire_name.as_str()).collect();
        build.push(match &b.encoding {
            BodyEncoding::Json if !elsewhere.is_empty() => {
                (quote! { .json_without(#body, &[#(#elsewhere),*]) }, true)
            }
            BodyEncoding::Form if !elsewhere.is_empty() => {
                (quote! { .form_without(#body, &[#(#elsewhere),*]) }, true)
            }
            BodyEncoding::Json => (quote! { .json(#body) }, true),
            BodyEncoding::Form if b.field_styles.is_empty() => (quote! { .form(#body) }, true),
            BodyEncoding::Form => {
                let styles = b.field_styles.iter().map(|(name, style)| {
                    let style = style_tokens(*style);
                    quote! { (#name, #style) }
                });
                (quote! { .form_styled(#body, &[#(#styles),*]) }, true)
            }
            BodyEncoding::Text(_) => (quote! { .text(#body) }, false),
            BodyEncoding::Binary(ct) => (quote! { .body(#body, #ct) }, false),
            BodyEncoding::Multipart => (quote! { .multipart(#body) }, true),
        });
    }
    // Fallible steps get `?`, except a last one, whose result is returned as is.
    let last_fallible = build.last().is_some_and(|(_, f)| *f);
    let count = build.len();
    let steps = build.into_iter().enumerate().map(|(i, (step, fallible))| {
        if fallible && i + 1 < count {
            quote! { #step? }
        } else {
            step
        }
    });
    // A long chain is cut into statements of at most `CHAIN` steps: one expression
    // nesting thousands of calls would overflow the stack of the parser and printer.
    const CHAIN: usize = 64;
    let steps: Vec<TokenStream> = steps.collect();
    let mut chunks = steps.chunks(CHAIN);
    let first = chunks.next().unwrap_or_default();
    let mut request = quote! { RequestSpec::new(#method, #template, path) #(#first)* };
    let mut lets = Vec::new();
    for chunk in chunks {
        lets.push(quote! { let request = #request; });
        request = quote! { request #(#chunk)* };
    }
    // A chain is bound to a local rather than wrapped in `Ok(..)`, where a long one
    // would be printed over-indented inside the call's parentheses.
    let result = if last_fallible {
        request
    } else if count == 0 {
        quote! { Ok(#request) }
    } else {
        lets.push(quote! { let request = #request; });
        quote! { Ok(request) }
    };
    let doc = format!(" The request of [`{}::{}`].", r.type_name, op.name);
    quote! {
        #[doc = #doc]
        fn #name(#(#decls),*) -> Result<RequestSpec, Error> {
            let path = #path_expr;
            #(#lets)*
            #result
        }
    }
}

/// The builder step sending one query or header parameter, a field of `holder`.
fn param_step(param: &Param, holder: &proc_macro2::Ident) -> (TokenStream, bool) {
    let field = ident(&param.name);
    let wire = &param.wire_name;
    match param.location {
        ParamLocation::Query => {
            let style = style_tokens(param.style);
            (quote! { .query(#wire, &#holder.#field, #style) }, false)
        }
        ParamLocation::Header => (quote! { .header(#wire, &#holder.#field) }, true),
        ParamLocation::Cookie => {
            let explode = param.style == QueryStyle::Form { explode: true };
            (quote! { .cookie(#wire, &#holder.#field, #explode) }, false)
        }
        ParamLocation::Path => (TokenStream::new(), false),
    }
}

fn operation(
    api: &Api,
    r: &Resource,
    op: &Operation,
    values: &ValueBuilder<'_>,
    docs: &Docs,
) -> TokenStream {
    let name = ident(&op.name);
    let with_response = format_ident!("{}_with_response", op.name.trim_end_matches('_'));
    let (decls, names) = arguments(api, op);
    let ret = return_type(api, op);
    let decode = decoder(op);
    let request = request_fn_name(op);

    let http = format!("`{} {}`", op.method.as_str(), op.path);
    let summary = op
        .doc
        .summary
        .clone()
        .unwrap_or_else(|| format!("Calls {http}."));
    let parts = multipart_doc(api, op);
    let text = docs::join(&[
        Some(&summary),
        op.doc.description.as_deref(),
        parts.as_deref(),
        Some(&http),
    ]);
    let doc = docs.attrs(&text);
    let example = docs.example(method_example(api, r, op, values));
    let deprecated = op.deprecated.then(|| quote! { #[deprecated] });
    // Binary content can be large: a third twin hands the body back unread.
    let byte_stream = matches!(op.response.body, ResponseBody::Binary).then(|| {
        let stream = format_ident!("{}_stream", op.name.trim_end_matches('_'));
        let doc = format!(
            " Same as [`{}`](Self::{}), handing back the body unread, to be read piece by piece.",
            op.name, op.name
        );
        quote! {
            #[doc = #doc]
            #deprecated
            pub fn #stream(&self, #(#decls),*) -> impl Future<Output = Result<crate::runtime::ByteStream, Error>> {
                self.scope.call_stream(#request(#(#names),*))
            }
        }
    });
    let raw_doc = format!(
        " Same as [`{}`](Self::{}), also returning the status and headers.",
        op.name, op.name
    );
    let Some(p) = &op.pagination else {
        return quote! {
            #doc
            ///
            #example
            #deprecated
            pub fn #name(&self, #(#decls),*) -> impl Future<Output = Result<#ret, Error>> {
                self.scope.call_value::<#decode>(#request(#(#names),*))
            }

            #[doc = #raw_doc]
            #deprecated
            pub fn #with_response(&self, #(#decls),*) -> impl Future<Output = Result<ApiResponse<#ret>, Error>> {
                self.scope.call::<#decode>(#request(#(#names),*))
            }

            #byte_stream
        };
    };
    // A list operation: the first page, which can fetch the next, and a stream of
    // every item across pages.
    let item = pagination::item_type(api, p);
    let pager = pagination::pager_name(op);
    let stream = format_ident!("{}_stream", op.name.trim_end_matches('_'));
    let page_doc = format!(
        " Returns the first page; [`Page::next_page`] fetches the next with the same \
         parameters and options, and [`{}_stream`](Self::{}_stream) yields every item \
         across pages.",
        op.name.trim_end_matches('_'),
        op.name.trim_end_matches('_')
    );
    let stream_doc = format!(
        " Every item of [`{0}`](Self::{0}), page after page: a `Stream` of \
         `Result<item, Error>` (use `futures::TryStreamExt` to collect or iterate). The \
         next page is requested when the items of the current one are consumed, with \
         the same parameters (only the position changes), options, retries and timeouts. \
         The stream ends after the last page; an error, including a position the server \
         repeats, is yielded once and ends it.",
        op.name
    );
    let raw_doc = format!(
        " The first page of [`{}`](Self::{}) as it was received: status, headers and the \
         decoded body.",
        op.name, op.name
    );
    quote! {
        #doc
        ///
        #[doc = #page_doc]
        ///
        #example
        #deprecated
        pub fn #name(&self, #(#decls),*) -> impl Future<Output = Result<Page<#item, #ret>, Error>> {
            self.scope.page(#request(#(#names),*), #pager)
        }

        #[doc = #stream_doc]
        #deprecated
        pub fn #stream(&self, #(#decls),*) -> PageStream<#item, #ret> {
            self.scope.stream(#request(#(#names),*), #pager)
        }

        #[doc = #raw_doc]
        #deprecated
        pub fn #with_response(&self, #(#decls),*) -> impl Future<Output = Result<ApiResponse<#ret>, Error>> {
            self.scope.call::<#decode>(#request(#(#names),*))
        }

        #byte_stream
    }
}

/// The runtime's `QueryStyle` value for `style`.
fn style_tokens(style: QueryStyle) -> TokenStream {
    match style {
        QueryStyle::Form { explode } => quote! { QueryStyle::Form { explode: #explode } },
        QueryStyle::SpaceDelimited => quote! { QueryStyle::SpaceDelimited },
        QueryStyle::PipeDelimited => quote! { QueryStyle::PipeDelimited },
        QueryStyle::DeepObject => quote! { QueryStyle::DeepObject },
    }
}
