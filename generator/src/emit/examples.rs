//! The `no_run` example in each method's docs, built from the spec's examples (or
//! placeholder values) and formatted like normal code.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust_type::{PathArg, ident, path_arg_kind};
use super::values::ValueBuilder;
use crate::ir::{
    Api, BodyEncoding, Operation, Primitive, Resource, ResponseBody, TypeKind, TypeRef,
};

/// Argument expressions for a call, from examples where the spec has them.
pub fn call_arguments(api: &Api, op: &Operation, values: &ValueBuilder<'_>) -> Vec<TokenStream> {
    let krate = &values.krate;
    let mut args = Vec::new();
    for p in &op.path_params {
        let example = p.example.clone();
        args.push(match path_arg_kind(api, &p.ty) {
            PathArg::Str => {
                let s = example
                    .as_ref()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("{}_example", p.wire_name));
                quote! { #s }
            }
            PathArg::Scalar(prim) => {
                let v = example.unwrap_or_else(|| {
                    values
                        .placeholder_json(&TypeRef::Primitive(prim), 0)
                        .unwrap_or_default()
                });
                values
                    .expr(&TypeRef::Primitive(prim), &v)
                    .unwrap_or_else(|| quote! { Default::default() })
            }
            PathArg::Enum => {
                let e = example
                    .and_then(|v| values.expr(&p.ty, &v))
                    .or_else(|| values.placeholder(&p.ty));
                quote! { &#e }
            }
        });
    }
    if let Some(b) = &op.body {
        args.push(match &b.encoding {
            BodyEncoding::Json | BodyEncoding::Form => {
                let e = b
                    .example
                    .as_ref()
                    .and_then(|v| values.expr(&b.ty, v))
                    .or_else(|| values.placeholder(&b.ty))
                    .unwrap_or_else(|| quote! { Default::default() });
                match &b.ty {
                    TypeRef::List(_) => quote! { &#e },
                    TypeRef::Primitive(Primitive::String) => {
                        let s = b
                            .example
                            .as_ref()
                            .and_then(|v| v.as_str())
                            .unwrap_or("string");
                        quote! { #s }
                    }
                    _ => quote! { &#e },
                }
            }
            BodyEncoding::Text(_) => quote! { String::from("text") },
            BodyEncoding::Binary(_) => {
                quote! { std::fs::read("file.bin")? }
            }
            BodyEncoding::Multipart => quote! {
                &#krate::resources::Multipart::new().file("file", "file.bin", "application/octet-stream", std::fs::read("file.bin")?)
            },
        });
    }
    if let Some(p) = &op.params {
        let def = api.type_def(p.ty);
        let name = ident(&def.name);
        args.push(match &def.kind {
            TypeKind::Params(ps)
                if !values.plan.ty(p.ty).default || ps.iter().any(|q| q.required) =>
            {
                let mut fields = Vec::new();
                for q in ps {
                    let f = ident(&q.name);
                    if q.required {
                        let v = q
                            .example
                            .as_ref()
                            .and_then(|v| values.expr(&q.ty, v))
                            .or_else(|| values.placeholder(&q.ty));
                        let v = v.unwrap_or_else(|| quote! { Default::default() });
                        fields.push(quote! { #f: #v });
                    } else if !values.plan.ty(p.ty).default {
                        fields.push(quote! { #f: None });
                    }
                }
                let rest = values
                    .plan
                    .ty(p.ty)
                    .default
                    .then(|| quote! { ..Default::default() });
                quote! { &#krate::types::#name { #(#fields,)* #rest } }
            }
            _ => quote! { &#krate::types::#name::default() },
        });
    }
    args
}

/// The example of calling `op`: the body of an `async fn example()`, which
/// [`crate::format`] prints as a fenced `no_run` block whose setup lines are hidden.
pub fn method_example(
    api: &Api,
    r: &Resource,
    op: &Operation,
    values: &ValueBuilder<'_>,
) -> TokenStream {
    let krate = &values.krate;
    let chain = r.chain.iter().map(|a| ident(a));
    let method = ident(&op.name);
    let args = call_arguments(api, op, values);
    let call = quote! { client #(.#chain())* .#method(#(#args),*).await? };
    let body = match &op.response.body {
        ResponseBody::Empty => quote! { #call; },
        _ => {
            let binding = ident(values.plan.names.example_result(api, r, op));
            quote! {
                let #binding = #call;
                println!("{:?}", #binding);
            }
        }
    };
    let uses_io = op.body.as_ref().is_some_and(|b| {
        matches!(
            b.encoding,
            BodyEncoding::Binary(_) | BodyEncoding::Multipart
        )
    });
    let err = if uses_io {
        quote! { Box<dyn std::error::Error> }
    } else {
        quote! { #krate::Error }
    };
    quote! {
        async fn example() -> Result<(), #err> {
            let client = #krate::Client::from_env()?;
            #body
            Ok(())
        }
    }
}
