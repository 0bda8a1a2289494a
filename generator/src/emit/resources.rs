//! `src/resources/`: one handle type per resource, one async method per operation
//! (plus a `_with_response` twin that also returns status and headers).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::code::{self, Code, Writer};
use super::docs::{self, Docs};
use super::examples::method_example;
use super::expr::{self, Expr, Link, Shape};
use super::pagination;
use super::rust_type::{PathArg, Scope, ident, path_arg_kind, rust_type};
use super::values::ValueBuilder;
use crate::ir::{
    Api, BodyEncoding, Operation, Param, ParamLocation, PathPart, Primitive, QueryStyle, Resource,
    ResponseBody, TypeKind, TypeRef,
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

/// One resource's module: the `use` lines as tokens, the handle, its methods and the
/// request functions written as text ([`super::code`], [`super::expr`]), then the
/// pager constants.
pub fn resource_file(
    api: &Api,
    r: &Resource,
    values: &ValueBuilder<'_>,
    docs: &Docs,
    code: &Code,
) -> TokenStream {
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
    let handle = code.item(handle_text(api, r, values, docs));
    quote! {
        //! The resource's handle and its operations.

        use crate::runtime::{#(#imports),*};
        #crate_imports
        #types_import

        #handle
        #(#pagers)*
    }
}

/// The handle type of `r`, its `impl` (accessors of sub-resources, a method or more per
/// operation) and the request function of each operation, as text.
fn handle_text(api: &Api, r: &Resource, values: &ValueBuilder<'_>, docs: &Docs) -> String {
    let t = &r.type_name;
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
    let mut w = Writer::default();
    if let Some(doc) = docs.line(&text) {
        w.line(0, &doc);
    }
    w.line(0, "#[derive(Debug, Clone)]");
    w.line_args(0, format_args!("pub struct {t}<'a> {{"));
    w.line(4, "scope: Scope<'a>,");
    w.line(0, "}");
    w.line_args(0, format_args!("impl<'a> {t}<'a> {{"));
    w.line(4, "pub(crate) fn new(scope: Scope<'a>) -> Self {");
    w.line(8, "Self { scope }");
    w.line(4, "}");
    w.line(
        4,
        "/// Applies per-request options (timeout, retries, extra headers) to every",
    );
    w.line(4, "/// call made through this handle.");
    w.line(
        4,
        "pub fn with_options(self, options: RequestOptions) -> Self {",
    );
    w.line(8, "Self {");
    w.line(12, "scope: self.scope.with_options(options),");
    w.line(8, "}");
    w.line(4, "}");
    subresource_accessors(&mut w, api, r, &values.plan.features.resources, docs);
    for op in &r.operations {
        operation(&mut w, api, r, op, values, docs);
    }
    w.line(0, "}");
    for op in &r.operations {
        request_fn(&mut w, api, r, op);
    }
    w.into_text()
}

/// The accessors of a resource's sub-resources, on its handle: each hands its scope
/// (client and options) on, so `with_options` on the parent applies below it too.
fn subresource_accessors(
    w: &mut Writer,
    api: &Api,
    r: &Resource,
    features: &[String],
    docs: &Docs,
) {
    let index = api.resources.iter().position(|x| std::ptr::eq(x, r));
    let children = api
        .resources
        .iter()
        .zip(features)
        .filter(|(c, _)| c.parent.is_some() && c.parent == index);
    for (c, feature) in children {
        let text = docs::join(&[
            c.doc.as_deref(),
            Some(&format!(
                "Operations on the `{}` sub-resource.",
                c.chain.join(".")
            )),
        ]);
        if let Some(doc) = docs.line(&text) {
            w.line(4, &doc);
        }
        let feature = code::string(feature);
        for attr in [
            format!("#[cfg(feature = {feature})]"),
            format!("#[cfg_attr(docsrs, doc(cfg(feature = {feature})))]"),
        ] {
            for line in code::attribute_lines(&attr, 4) {
                w.line(4, &line);
            }
        }
        let (m, t) = (&c.module, &c.type_name);
        let ret = format!("super::{m}::{t}<'a>");
        w.fn_signature(
            4,
            &format!("pub fn {}", c.accessor),
            &["&self".to_string()],
            &ret,
        );
        let body = Expr::call(
            format!("super::{m}::{t}::new"),
            vec![Expr::atom("self.scope.clone()")],
        );
        w.line(8, &body.write(Shape::line(8, 0)));
        w.line(4, "}");
    }
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

/// The parameters of an operation's method after `&self`: each name and type.
pub fn arguments(api: &Api, op: &Operation) -> Vec<(String, TokenStream)> {
    let mut decls = Vec::new();
    for p in &op.path_params {
        let ty = match path_arg_kind(api, &p.ty) {
            PathArg::Str => quote! { &str },
            PathArg::Scalar(prim) => super::rust_type::primitive(prim),
            PathArg::Enum => {
                let t = rust_type(api, &p.ty, Scope::Resource);
                quote! { &#t }
            }
        };
        decls.push((p.name.clone(), ty));
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
        decls.push((body_arg(op).to_string(), ty));
    }
    if let Some(p) = &op.params {
        let t = ident(&api.type_def(p.ty).name);
        decls.push(("params".to_string(), quote! { &types::#t }));
    }
    decls
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

/// The runtime type that decodes an operation's response (`Json<_>`, `Empty`, ...).
fn decoder(op: &Operation) -> &'static str {
    match &op.response.body {
        ResponseBody::Empty => "Empty",
        // The method's signature names the type.
        ResponseBody::Json(_) => "Json<_>",
        ResponseBody::Binary => "Binary",
        ResponseBody::Text => "Text",
    }
}

/// The module-level function building an operation's request (shared by its two
/// methods): `<method>_request`.
fn request_fn_name(op: &Operation) -> String {
    format!("{}_request", op.name.trim_end_matches('_'))
}

/// The parameters of an operation's method after `&self` and the names they are
/// passed on by, as text.
fn argument_texts(api: &Api, op: &Operation) -> (Vec<String>, Vec<String>) {
    arguments(api, op)
        .into_iter()
        .map(|(name, ty)| (format!("{name}: {}", code::type_text(&ty)), name))
        .unzip()
}

/// The function building one operation's request. It is plain (not `async`, not
/// generic), so each operation costs the compiler one small function; sending and
/// decoding are the runtime's `Scope::call`, shared by every operation.
fn request_fn(w: &mut Writer, api: &Api, r: &Resource, op: &Operation) {
    let (decls, _) = argument_texts(api, op);

    // The path, with each parameter encoded as one segment.
    let mut fmt = String::new();
    let mut fmt_args = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(l) => fmt.push_str(&l.replace('{', "{{").replace('}', "}}")),
            PathPart::Param(i) => {
                fmt.push_str("{}");
                let p = &op.path_params[*i];
                let n = &p.name;
                fmt_args.push(Expr::atom(match path_arg_kind(api, &p.ty) {
                    PathArg::Str => format!("path::segment({n})?"),
                    PathArg::Scalar(_) | PathArg::Enum => {
                        format!("path::segment(&{n}.to_string())?")
                    }
                }));
            }
        }
    }
    let path_expr = if fmt_args.is_empty() {
        Expr::call("String::from", vec![Expr::atom(code::string(&fmt))])
    } else {
        let mut args = vec![Expr::atom(code::string(&fmt))];
        args.extend(fmt_args);
        Expr::macro_call("format", args)
    };

    // Builder steps; `true` for the ones that can fail.
    let mut build: Vec<(Link, bool)> = Vec::new();
    let step = |name: &str, args: Vec<String>| {
        Link::call(name, args.into_iter().map(Expr::Atom).collect(), "")
    };
    if let Some(auth) = &op.auth {
        build.push((step(".auth", vec![auth_text(auth)]), false));
    }
    if op.response.accept != "application/json" {
        build.push((
            step(".accept", vec![code::string(&op.response.accept)]),
            false,
        ));
    }
    if let Some(p) = &op.params
        && let TypeKind::Params(ps) = &api.type_def(p.ty).kind
    {
        build.extend(ps.iter().filter_map(|param| param_step(param, "params")));
    }
    if let Some(b) = &op.body {
        let body = body_arg(op).to_string();
        // Members of the params struct that go in the query or headers.
        build.extend(
            b.elsewhere
                .iter()
                .filter_map(|param| param_step(param, &body)),
        );
        let elsewhere = || Expr::Array {
            prefix: "&",
            items: b
                .elsewhere
                .iter()
                .map(|p| Expr::atom(code::string(&p.wire_name)))
                .collect(),
        };
        let body_expr = || Expr::atom(body.clone());
        build.push(match &b.encoding {
            BodyEncoding::Json if !b.elsewhere.is_empty() => (
                Link::call(".json_without", vec![body_expr(), elsewhere()], ""),
                true,
            ),
            BodyEncoding::Form if !b.elsewhere.is_empty() => (
                Link::call(".form_without", vec![body_expr(), elsewhere()], ""),
                true,
            ),
            BodyEncoding::Json => (step(".json", vec![body]), true),
            BodyEncoding::Form if b.field_styles.is_empty() => (step(".form", vec![body]), true),
            BodyEncoding::Form => {
                let styles: Vec<String> = b
                    .field_styles
                    .iter()
                    .map(|(name, style)| {
                        format!("({}, {})", code::string(name), style_text(*style))
                    })
                    .collect();
                let styles = format!("&[{}]", styles.join(", "));
                (step(".form_styled", vec![body, styles]), true)
            }
            BodyEncoding::Text(_) => (step(".text", vec![body]), false),
            BodyEncoding::Binary(ct) => (step(".body", vec![body, code::string(ct)]), false),
            BodyEncoding::Multipart => (step(".multipart", vec![body]), true),
        });
    }
    // Fallible steps get `?`, except a last one, whose result is returned as is.
    let last_fallible = build.last().is_some_and(|(_, f)| *f);
    let count = build.len();
    let steps: Vec<Link> = build
        .into_iter()
        .enumerate()
        .map(|(i, (mut step, fallible))| {
            if fallible && i + 1 < count {
                step.tries = "?";
            }
            step
        })
        .collect();
    // A long chain is cut into statements of at most `CHAIN` steps: one expression
    // nesting thousands of calls would overflow the stack of the compiler.
    const CHAIN: usize = 64;
    let mut chunks = steps.chunks(CHAIN);
    let first = chunks.next().unwrap_or_default().to_vec();
    let new = Expr::call(
        "RequestSpec::new",
        vec![
            Expr::atom(format!("Method::{}", op.method.as_str())),
            Expr::atom(code::string(&op.path)),
            Expr::atom("path"),
        ],
    );
    let mut request = Expr::chain(new, first);
    let mut lets = Vec::new();
    for chunk in chunks {
        lets.push(std::mem::replace(
            &mut request,
            Expr::chain(Expr::atom("request"), chunk.to_vec()),
        ));
    }
    // A chain is bound to a local rather than wrapped in `Ok(..)`, where a long one
    // would be printed over-indented inside the call's parentheses.
    let result = if last_fallible {
        request
    } else if count == 0 {
        Expr::call("Ok", vec![request])
    } else {
        lets.push(request);
        Expr::atom("Ok(request)")
    };
    w.line(
        0,
        &format!("/// The request of [`{}::{}`].", r.type_name, op.name),
    );
    let head = format!("fn {}", request_fn_name(op));
    w.fn_signature(0, &head, &decls, "Result<RequestSpec, Error>");
    w.line(4, &expr::let_statement(4, "path", &path_expr));
    for value in &lets {
        w.line(4, &expr::let_statement(4, "request", value));
    }
    w.line(4, &result.write(Shape::line(4, 0)));
    w.line(0, "}");
}

/// `Auth::...` of an operation's security scheme.
fn auth_text(auth: &crate::ir::Auth) -> String {
    use crate::ir::Auth;
    match auth {
        Auth::None => "Auth::None".to_string(),
        Auth::Bearer => "Auth::Bearer".to_string(),
        Auth::Basic => "Auth::Basic".to_string(),
        Auth::Header(h) => format!("Auth::Header({})", code::string(h)),
        Auth::Query(q) => format!("Auth::Query({})", code::string(q)),
        Auth::Cookie(c) => format!("Auth::Cookie({})", code::string(c)),
    }
}

/// The builder step sending one query, header or cookie parameter, a field of
/// `holder`, and whether it can fail.
fn param_step(param: &Param, holder: &str) -> Option<(Link, bool)> {
    let value = Expr::atom(format!("&{holder}.{}", param.name));
    let wire = Expr::atom(code::string(&param.wire_name));
    let explode = || Expr::atom((param.style == QueryStyle::Form { explode: true }).to_string());
    Some(match param.location {
        ParamLocation::Query => {
            let style = Expr::atom(style_text(param.style));
            (Link::call(".query", vec![wire, value, style], ""), false)
        }
        ParamLocation::Header => (
            Link::call(".header", vec![wire, value, explode()], ""),
            true,
        ),
        ParamLocation::Cookie => (
            Link::call(".cookie", vec![wire, value, explode()], ""),
            false,
        ),
        ParamLocation::Path => return None,
    })
}

/// The methods of one operation: the call, its `_with_response` twin, for a paginated
/// operation the `_stream` of its items, for binary content the `_stream` of its bytes.
fn operation(
    w: &mut Writer,
    api: &Api,
    r: &Resource,
    op: &Operation,
    values: &ValueBuilder<'_>,
    docs: &Docs,
) {
    let name = &op.name;
    let stem = op.name.trim_end_matches('_');
    let (decls, names) = argument_texts(api, op);
    let mut params = vec!["&self".to_string()];
    params.extend(decls);
    let ret = code::type_text(&return_type(api, op));
    let decode = decoder(op);
    let request = Expr::call(
        request_fn_name(op),
        names.into_iter().map(Expr::Atom).collect(),
    );
    // `self.scope.method(args)` at a method body's indentation.
    let body = |w: &mut Writer, method: String, args: Vec<Expr>| {
        let e = Expr::chain(
            Expr::atom("self"),
            vec![Link::field(".scope"), Link::call(method, args, "")],
        );
        w.line(8, &e.write(Shape::line(8, 0)));
        w.line(4, "}");
    };
    let deprecated = |w: &mut Writer| {
        if op.deprecated {
            w.line(4, "#[deprecated]");
        }
    };

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
    if let Some(doc) = docs.line(&text) {
        w.line(4, &doc);
        w.line(4, "///");
    }
    let pager = op.pagination.as_ref().map(|p| {
        let item = code::type_text(&pagination::item_type(api, p));
        (item, pagination::pager_name(op).to_string())
    });
    if pager.is_some() {
        w.line(
            4,
            &format!(
                "/// Returns the first page; [`Page::next_page`] fetches the next with the same \
                 parameters and options, and [`{stem}_stream`](Self::{stem}_stream) yields every item \
                 across pages."
            ),
        );
        w.line(4, "///");
    }
    w.line(4, &docs.example_line(method_example(api, r, op, values)));
    deprecated(w);
    match &pager {
        None => {
            let sig = format!("impl Future<Output = Result<{ret}, Error>>");
            w.fn_signature(4, &format!("pub fn {name}"), &params, &sig);
            body(w, format!(".call_value::<{decode}>"), vec![request.clone()]);
        }
        Some((item, pager)) => {
            let sig = format!("impl Future<Output = Result<Page<{item}, {ret}>, Error>>");
            w.fn_signature(4, &format!("pub fn {name}"), &params, &sig);
            body(
                w,
                ".page".to_string(),
                vec![request.clone(), Expr::atom(pager.clone())],
            );
            w.line(
                4,
                &format!(
                    "/// Every item of [`{name}`](Self::{name}), page after page: a `Stream` of \
                     `Result<item, Error>` (use `futures::TryStreamExt` to collect or iterate). The \
                     next page is requested when the items of the current one are consumed, with \
                     the same parameters (only the position changes), options, retries and timeouts. \
                     The stream ends after the last page; an error, including a position the server \
                     repeats, is yielded once and ends it."
                ),
            );
            deprecated(w);
            let sig = format!("PageStream<{item}, {ret}>");
            w.fn_signature(4, &format!("pub fn {stem}_stream"), &params, &sig);
            body(
                w,
                ".stream".to_string(),
                vec![request.clone(), Expr::atom(pager.clone())],
            );
        }
    }
    let raw_doc = if pager.is_some() {
        format!(
            "/// The first page of [`{name}`](Self::{name}) as it was received: status, headers and the \
             decoded body."
        )
    } else {
        format!("/// Same as [`{name}`](Self::{name}), also returning the status and headers.")
    };
    w.line(4, &raw_doc);
    deprecated(w);
    let sig = format!("impl Future<Output = Result<ApiResponse<{ret}>, Error>>");
    w.fn_signature(4, &format!("pub fn {stem}_with_response"), &params, &sig);
    body(w, format!(".call::<{decode}>"), vec![request.clone()]);
    // Binary content can be large: a third twin hands the body back unread.
    if matches!(op.response.body, ResponseBody::Binary) {
        w.line(
            4,
            &format!(
                "/// Same as [`{name}`](Self::{name}), handing back the body unread, to be read piece by piece."
            ),
        );
        deprecated(w);
        let sig = "impl Future<Output = Result<crate::runtime::ByteStream, Error>>";
        w.fn_signature(4, &format!("pub fn {stem}_stream"), &params, sig);
        body(w, ".call_stream".to_string(), vec![request]);
    }
}

/// The runtime's `QueryStyle` value for `style`.
fn style_text(style: QueryStyle) -> String {
    match style {
        QueryStyle::Form { explode } => format!("QueryStyle::Form {{ explode: {explode} }}"),
        QueryStyle::SpaceDelimited => "QueryStyle::SpaceDelimited".to_string(),
        QueryStyle::PipeDelimited => "QueryStyle::PipeDelimited".to_string(),
        QueryStyle::DeepObject => "QueryStyle::DeepObject".to_string(),
    }
}
