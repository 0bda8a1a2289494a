//! The `no_run` example in each method's docs, built from the spec's examples (or
//! placeholder values), written as text laid out like normal code ([`super::expr`]).

use super::code::string;
use super::expr::{self, Expr, Link, Shape};
use super::rust_type::{PathArg, path_arg_kind};
use super::values::ValueBuilder;
use crate::ir::{
    Api, BodyEncoding, Operation, Primitive, Resource, ResponseBody, TypeKind, TypeRef,
};

/// `&e`.
fn borrowed(e: Expr) -> Expr {
    Expr::Prefix("&", Box::new(e))
}

/// `Default::default()`.
fn default() -> Expr {
    Expr::atom("Default::default()")
}

/// `std::fs::read("file.bin")?`.
fn read_file() -> Expr {
    Expr::atom("std::fs::read(\"file.bin\")?")
}

/// Argument expressions for a call, from examples where the spec has them.
pub fn call_arguments(api: &Api, op: &Operation, values: &ValueBuilder<'_>) -> Vec<Expr> {
    let krate = values.krate_name.as_str();
    let mut args = Vec::new();
    for p in &op.path_params {
        let example = p.example.clone();
        args.push(match path_arg_kind(api, &p.ty) {
            PathArg::Str => {
                let s = example
                    .as_ref()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_else(|| format!("{}_example", p.wire_name));
                Expr::atom(string(&s))
            }
            PathArg::Scalar(prim) => {
                let v = example.unwrap_or_else(|| {
                    values
                        .placeholder_json(&TypeRef::Primitive(prim), 0)
                        .unwrap_or_default()
                });
                values
                    .expr(&TypeRef::Primitive(prim), &v)
                    .unwrap_or_else(default)
            }
            PathArg::Enum => {
                let e = example
                    .and_then(|v| values.expr(&p.ty, &v))
                    .or_else(|| values.placeholder(&p.ty))
                    .unwrap_or_else(default);
                borrowed(e)
            }
        });
    }
    if let Some(b) = &op.body {
        args.push(match &b.encoding {
            BodyEncoding::Json | BodyEncoding::Form => match &b.ty {
                TypeRef::Primitive(Primitive::String) => {
                    let s = b
                        .example
                        .as_ref()
                        .and_then(|v| v.as_str())
                        .unwrap_or("string");
                    Expr::atom(string(s))
                }
                ty => borrowed(
                    b.example
                        .as_ref()
                        .and_then(|v| values.expr(ty, v))
                        .or_else(|| values.placeholder(ty))
                        .unwrap_or_else(default),
                ),
            },
            BodyEncoding::Text(_) => Expr::atom("String::from(\"text\")"),
            BodyEncoding::Binary(_) => read_file(),
            BodyEncoding::Multipart => borrowed(Expr::chain(
                Expr::atom(format!("{krate}::resources::Multipart::new()")),
                vec![Link::call(
                    ".file",
                    vec![
                        Expr::atom("\"file\""),
                        Expr::atom("\"file.bin\""),
                        Expr::atom("\"application/octet-stream\""),
                        read_file(),
                    ],
                    "",
                )],
            )),
        });
    }
    if let Some(p) = &op.params {
        let def = api.type_def(p.ty);
        let path = format!("{krate}::types::{}", def.name);
        let default_params = values.plan.ty(p.ty).default;
        args.push(borrowed(match &def.kind {
            TypeKind::Params(ps) if !default_params || ps.iter().any(|q| q.required) => {
                let mut fields = Vec::new();
                for q in ps {
                    if q.required {
                        let v = q
                            .example
                            .as_ref()
                            .and_then(|v| values.expr(&q.ty, v))
                            .or_else(|| values.placeholder(&q.ty))
                            .unwrap_or_else(default);
                        fields.push((q.name.clone(), v));
                    } else if !default_params {
                        fields.push((q.name.clone(), Expr::atom("None")));
                    }
                }
                Expr::Struct {
                    head: path,
                    fields,
                    base: default_params.then(|| "Default::default()".to_string()),
                }
            }
            _ => Expr::atom(format!("{path}::default()")),
        }));
    }
    args
}

/// The example of calling `op`: the lines of an `async fn example()`, which
/// [`crate::format`] writes as a fenced `no_run` block whose setup lines are hidden.
pub fn method_example(
    api: &Api,
    r: &Resource,
    op: &Operation,
    values: &ValueBuilder<'_>,
) -> Vec<String> {
    let krate = values.krate_name.as_str();
    let mut links: Vec<Link> = r
        .chain
        .iter()
        .map(|a| Link::call(format!(".{a}"), vec![], ""))
        .collect();
    links.push(Link::call(
        format!(".{}", op.name),
        call_arguments(api, op, values),
        "",
    ));
    let mut await_link = Link::field(".await");
    await_link.tries = "?";
    links.push(await_link);
    let call = Expr::chain(Expr::atom("client"), links);
    let uses_io = op.body.as_ref().is_some_and(|b| {
        matches!(
            b.encoding,
            BodyEncoding::Binary(_) | BodyEncoding::Multipart
        )
    });
    let err = if uses_io {
        "Box<dyn std::error::Error>".to_string()
    } else {
        format!("{krate}::Error")
    };
    let mut lines = vec![
        format!("async fn example() -> Result<(), {err}> {{"),
        format!("    let client = {krate}::Client::from_env()?;"),
    ];
    let body = match &op.response.body {
        ResponseBody::Empty => vec![format!("{};", call.write(Shape::line(4, 1)))],
        _ => {
            let binding = values.plan.names.example_result(api, r, op);
            vec![
                expr::let_statement(4, binding, &call),
                format!("println!(\"{{:?}}\", {binding});"),
            ]
        }
    };
    for statement in body {
        for (i, line) in statement.lines().enumerate() {
            lines.push(if i == 0 {
                format!("    {line}")
            } else {
                line.to_string()
            });
        }
    }
    lines.push("    Ok(())".to_string());
    lines.push("}".to_string());
    lines
}
