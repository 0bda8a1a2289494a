//! `tests/contract.rs`: a test suite for every operation, meant to run against a mock
//! server that validates each request against the spec and answers with the spec's
//! examples (Prism, started by `cargo xtask contract`).
//!
//! Per operation: a call with only the required parameters, a call with every
//! parameter set (one test when the two are the same), and a call per documented error
//! status, asked of the server with a `Prefer: code=` header. Values come from the
//! spec's examples, reshaped to the call, or are synthesised by [`super::samples`].
//! Each test checks the status, that the server found nothing wrong with the request,
//! and that the decoded response is the example the server sent: equal to a value built
//! from the example, and re-encoding to the same JSON.
//!
//! The tests are `#[ignore]`d with a reason naming the command, so a plain
//! `cargo test` never passes them silently without the server. Webhook payload
//! examples need no server and are checked by plain tests.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::code::{self, Code};
use super::docs::Docs;
use super::expr::{self, Expr, Link, Shape, Stmt};
use super::rust_type::{PathArg, ident, path_arg_kind};
use super::samples::{Fill, Samples};
use super::values::ValueBuilder;
use crate::config::{Config, SerdeImpls};
use crate::ir::{
    Api, BodyEncoding, Constraints, Operation, Param, Primitive, RequestBody, Resource,
    ResponseBody, TypeKind, TypeRef,
};
use crate::plan::names::{ContractNames, EventVariantTest, OperationTests};
use crate::plan::{ErrorEnvelope, Plan};

/// One constructor function per distinct documented error response (the same
/// reusable response usually serves every operation), named after its status.
struct ErrorExamples<'a> {
    /// Where error bodies carry their code and message.
    rule: &'a ErrorEnvelope,
    /// `(the row's code, the function's name)`, to reuse a constructor.
    known: Vec<(String, proc_macro2::Ident)>,
    /// `(status, constructors made for it)`.
    per_status: Vec<(u16, usize)>,
    docs: &'a Docs,
    items: Vec<TokenStream>,
}

impl ErrorExamples<'_> {
    /// The name of a function returning `row`, declared on first use.
    fn constructor(
        &mut self,
        status: u16,
        doc: Option<&str>,
        row: TokenStream,
    ) -> proc_macro2::Ident {
        let key = row.to_string();
        if let Some((_, name)) = self.known.iter().find(|(k, _)| *k == key) {
            return name.clone();
        }
        let nth = match self.per_status.iter_mut().find(|(s, _)| *s == status) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.per_status.push((status, 1));
                1
            }
        };
        let name = format_ident!("{}", ContractNames::error_example(status, nth));
        let text = match doc.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => format!("The documented `{status}` response: {d}"),
            None => format!("The documented `{status}` response."),
        };
        let doc = self.docs.attrs(&text);
        self.items.push(quote! {
            #doc
            fn #name() -> ErrorExample {
                #row
            }
        });
        self.known.push((key, name.clone()));
        name
    }
}

/// Why the server-backed tests are ignored, as the `#[ignore]` reason.
const IGNORE: &str = "contract test: needs the Prism mock server; run `cargo xtask contract`";

/// The whole test file.
pub fn contract_file(
    api: &Api,
    config: &Config,
    plan: &Plan,
    values: &ValueBuilder<'_>,
    docs: &Docs,
    code: &Code,
) -> TokenStream {
    let round_trip = match config.serde {
        SerdeImpls::Both => quote! {
            /// Fails unless the decoded value re-encodes to the JSON the server sent.
            fn assert_round_trip<T: serde::Serialize>(decoded: &T, sent: &Value) {
                let encoded = serde_json::to_value(decoded).expect("the decoded value re-encodes");
                let same = same_json(&encoded, sent);
                assert!(same, "the decoded response re-encodes differently\n  decoded: {encoded}\n     sent: {sent}");
            }
        },
        // Received types only decode (`serde: as-needed`): nothing to re-encode.
        SerdeImpls::AsNeeded => quote! {
            /// Received types are decode-only (`serde: as-needed`), so nothing is re-encoded.
            fn assert_round_trip<T>(_decoded: &T, _sent: &Value) {}
        },
    };
    let samples = Samples { api, values, code };
    let krate = &values.krate;
    let base_url_env = &config.base_url_env;
    let names = &plan.names.contract;
    let mut errors = ErrorExamples {
        rule: &plan.error_envelope,
        known: Vec::new(),
        per_status: Vec::new(),
        docs,
        items: Vec::new(),
    };
    let mut tests = Vec::new();
    let mut skipped = Vec::new();
    for (i, r) in api.resources.iter().enumerate() {
        for (j, op) in r.operations.iter().enumerate() {
            let built = names
                .operation(i, j)
                .ok_or_else(|| "the plan names no tests for it".to_string())
                .and_then(|names| operation_tests(api, r, op, &samples, names, &mut errors));
            match built {
                Ok(t) => tests.push(t),
                Err(why) => skipped.push(format!(
                    "- `{} {}` (`{}.{}`): {why}",
                    op.method.as_str(),
                    op.path,
                    r.chain.join("."),
                    op.name
                )),
            }
        }
    }
    let mut webhook_tests: Vec<TokenStream> = api
        .webhooks
        .iter()
        .zip(&names.webhook_examples)
        .filter_map(|(w, name)| webhook_test(w, name.as_deref()?, values, docs, code))
        .collect();
    webhook_tests.extend(event_tests(api, names, values, docs));
    let error_examples = errors.items;

    let mut doc = format!(
        "Contract tests: every operation called against a mock server that validates each
request against the OpenAPI spec and answers with the spec's examples (Prism).

Per operation: a call with only the required parameters, a call with every parameter
set, and each documented error status (asked for with a `Prefer: code=` header).
Values come from the spec's examples, or are synthesised from the schema where it has
none. Each test checks the status, that the server found the request valid, and that
the decoded response is the example the server sent.

The server-backed tests are ignored by default: `cargo xtask contract` starts Prism,
points `{base_url_env}` at it and runs them with `--include-ignored`."
    );
    if !skipped.is_empty() {
        doc.push_str("\n\nOperations not exercised (no valid call could be built):\n\n");
        doc.push_str(&skipped.join("\n"));
    }
    let doc = docs.inner(&doc, None);
    let envelope = match api.error_body {
        Some(id) => {
            let name = ident(&api.type_def(id).name);
            quote! { #krate::types::#name }
        }
        None => quote! { Value },
    };

    quote! {
        #doc
        // Deprecated operations and fields are exercised too; not every spec needs every
        // helper.
        #![cfg(feature = "full")]
        #![allow(deprecated, dead_code, clippy::too_many_lines, clippy::unreadable_literal)]

        mod contract_support;

        use #krate as api;
        use contract_support::*;
        use serde_json::Value;

        /// The environment variable holding the mock server's URL.
        const BASE_URL_ENV: &str = #base_url_env;

        /// The API's error type, which documented error examples decode into.
        type Envelope = #envelope;

        #round_trip

        #(#error_examples)*

        #(#tests)*

        #(#webhook_tests)*
    }
}

/// `let name = value;`, laid out for a test's body (see [`Code::statement`]).
fn binding(name: &str, value: &Expr) -> String {
    expr::let_statement(4, name, value)
}

/// The arguments of one call: `let` statements, then the argument expressions.
struct Call {
    /// Laid out for a test's body: the first line without its indentation.
    lets: Vec<String>,
    args: Vec<Expr>,
    /// The JSON of the inputs, to tell whether two calls differ.
    fingerprint: Value,
}

fn operation_tests(
    api: &Api,
    r: &Resource,
    op: &Operation,
    samples: &Samples<'_>,
    names: &OperationTests,
    errors: &mut ErrorExamples<'_>,
) -> Result<TokenStream, String> {
    let required = call(api, op, samples, Fill::Required)?;
    let all = call(api, op, samples, Fill::All)?;
    let docs = errors.docs;
    let http = format!("`{} {}`", op.method.as_str(), op.path);
    let mut out = Vec::new();
    if required.fingerprint == all.fingerprint {
        let doc = format!(
            "{http} (`{}.{}`): the call with its required parameters, which are all it has.",
            r.chain.join("."),
            op.name
        );
        out.push(success_test(r, op, samples, docs, &names.only, &doc, &all));
    } else {
        let doc = format!(
            "{http} (`{}.{}`) with only the required parameters.",
            r.chain.join("."),
            op.name
        );
        out.push(success_test(
            r,
            op,
            samples,
            docs,
            &names.required_params,
            &doc,
            &required,
        ));
        let doc = format!(
            "{http} (`{}.{}`) with every parameter set.",
            r.chain.join("."),
            op.name
        );
        out.push(success_test(
            r,
            op,
            samples,
            docs,
            &names.all_params,
            &doc,
            &all,
        ));
    }
    if let Some(name) = &names.pages {
        out.push(paging_test(
            r,
            op,
            samples.code,
            docs,
            name,
            &http,
            &required,
        ));
    }
    if let Some(t) = error_test(
        api,
        r,
        op,
        samples,
        errors,
        &names.error_responses,
        &http,
        &required,
    ) {
        out.push(t);
    }
    Ok(quote! { #(#out)* })
}

/// Builds the arguments of a call filled to `fill`.
fn call(api: &Api, op: &Operation, samples: &Samples<'_>, fill: Fill) -> Result<Call, String> {
    let values = samples.values;
    let mut lets = Vec::new();
    let mut args = Vec::new();
    let mut fingerprint = serde_json::Map::new();
    for p in &op.path_params {
        let v = param_value(samples, p, fill)
            .ok_or_else(|| format!("no value for path parameter `{}`", p.wire_name))?;
        fingerprint.insert(format!("path:{}", p.wire_name), v.clone());
        args.push(match path_arg_kind(api, &p.ty) {
            PathArg::Str => {
                let s = match &v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                Expr::atom(code::string(&s))
            }
            PathArg::Scalar(prim) => values
                .expr(&TypeRef::Primitive(prim), &v)
                .ok_or_else(|| format!("path parameter `{}` does not fit", p.wire_name))?,
            PathArg::Enum => {
                let e = values
                    .expr(&p.ty, &v)
                    .ok_or_else(|| format!("path parameter `{}` does not fit", p.wire_name))?;
                Expr::Prefix("&", Box::new(e))
            }
        });
    }
    if let Some(b) = &op.body {
        let arg = match &b.encoding {
            BodyEncoding::Json | BodyEncoding::Form => {
                let v = samples
                    .value(&b.ty, None, b.example.as_ref(), fill)
                    .ok_or("no valid request body could be built")?;
                fingerprint.insert("body".into(), v.clone());
                match &b.ty {
                    TypeRef::Primitive(Primitive::String) => {
                        Expr::atom(code::string(v.as_str().unwrap_or("string")))
                    }
                    ty => {
                        let e = values
                            .expr(ty, &v)
                            .ok_or("the request body sample does not fit its type")?;
                        lets.push(binding("body", &readable(e)));
                        Expr::atom("&body")
                    }
                }
            }
            BodyEncoding::Text(_) => {
                let s = b.example.as_ref().and_then(Value::as_str).unwrap_or("text");
                Expr::call("String::from", vec![Expr::atom(code::string(s))])
            }
            BodyEncoding::Binary(_) => Expr::atom("b\"contract test\".to_vec()"),
            BodyEncoding::Multipart => {
                let v = samples
                    .value(&b.ty, None, b.example.as_ref(), fill)
                    .ok_or("no valid multipart body could be built")?;
                let parts = multipart_parts(api, b, &v)?;
                fingerprint.insert("body".into(), v);
                let new = Expr::atom(format!(
                    "{}::resources::Multipart::new()",
                    values.krate_name
                ));
                lets.push(binding("body", &Expr::chain(new, parts)));
                Expr::atom("&body")
            }
        };
        args.push(arg);
    }
    if let Some(ps) = &op.params {
        let def = api.type_def(ps.ty);
        let TypeKind::Params(params) = &def.kind else {
            return Err("parameters are not a parameter struct".into());
        };
        let mut fields = Vec::new();
        for p in params {
            if !p.required && fill == Fill::Required {
                fields.push((p.name.clone(), Expr::atom("None")));
                continue;
            }
            let v = param_value(samples, p, fill)
                .ok_or_else(|| format!("no value for parameter `{}`", p.wire_name))?;
            fingerprint.insert(format!("param:{}", p.wire_name), v.clone());
            let e = values
                .expr(&p.ty, &v)
                .ok_or_else(|| format!("parameter `{}` does not fit", p.wire_name))?;
            let e = readable(e);
            fields.push((
                p.name.clone(),
                if p.required {
                    e
                } else {
                    Expr::call("Some", vec![e])
                },
            ));
        }
        let params = Expr::Struct {
            head: format!("{}::types::{}", values.krate_name, def.name),
            fields,
            base: None,
        };
        lets.push(binding("params", &params));
        args.push(Expr::atom("&params"));
    }
    Ok(Call {
        lets,
        args,
        fingerprint: Value::Object(fingerprint),
    })
}

/// The calls adding each member of a multipart body's sample `v` as a part, in the
/// order of the schema's properties: strings, numbers and booleans as text parts,
/// arrays as one part per item, objects as JSON parts, `format: binary` members as
/// files holding a few bytes. A property's `encoding` content type, where the spec
/// gives one, is the content type of a file or of a part that is not text.
fn multipart_parts(api: &Api, b: &RequestBody, v: &Value) -> Result<Vec<Link>, String> {
    let fields = struct_fields(api, &b.ty).ok_or("the multipart body is not an object")?;
    let Value::Object(members) = v else {
        return Err("the multipart body sample is not an object".into());
    };
    let mut parts = Vec::new();
    for f in fields {
        let Some(value) = members.get(&f.wire_name).filter(|v| !v.is_null()) else {
            continue;
        };
        let part_type = b
            .part_types
            .iter()
            .find(|(name, _)| *name == f.wire_name)
            .map(|(_, t)| t.as_str());
        let c = f.constraints.as_deref();
        let binary =
            |c: Option<&Constraints>| c.and_then(|c| c.format.as_deref()) == Some("binary");
        match value {
            // Arrays of objects and of arrays go as one JSON part.
            Value::Array(items)
                if items
                    .iter()
                    .all(|i| !matches!(i, Value::Array(_) | Value::Object(_))) =>
            {
                let item_binary = binary(c.and_then(|c| c.items.as_deref()));
                for item in items {
                    parts.extend(part(&f.wire_name, item, item_binary, part_type));
                }
            }
            other => parts.extend(part(&f.wire_name, other, binary(c), part_type)),
        }
    }
    Ok(parts)
}

/// One `.text(..)`, `.file(..)` or `.json(..)` call of a multipart body.
fn part(name: &str, value: &Value, binary: bool, part_type: Option<&str>) -> Vec<Link> {
    let json_type = |t: &str| {
        let t = t
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        t == "application/json" || t.ends_with("+json")
    };
    let text = |t: &str| Expr::atom(code::string(t));
    let (name_text, one) = (text(name), |method: &str, args: Vec<Expr>| {
        vec![Link::call(method, args, "")]
    });
    if binary {
        let file_name = format!("{name}.bin");
        let content_type = part_type.unwrap_or("application/octet-stream");
        return one(
            ".file",
            vec![
                name_text,
                text(&file_name),
                text(content_type),
                Expr::atom("b\"contract test\".to_vec()"),
            ],
        );
    }
    match value {
        Value::Object(_) | Value::Array(_) => match part_type.filter(|t| !json_type(t)) {
            Some(content_type) => one(
                ".file",
                vec![
                    name_text,
                    text(name),
                    text(content_type),
                    text(&value.to_string()),
                ],
            ),
            None => vec![
                Link::call(
                    ".json",
                    vec![name_text, Expr::atom(format!("&{}", json_text(value)))],
                    "",
                ),
                Link::call(".expect", vec![text("the part serialises")], ""),
            ],
        },
        Value::String(t) => one(".text", vec![name_text, text(t)]),
        other => one(".text", vec![name_text, text(&other.to_string())]),
    }
}

/// The fields of the struct `ty` names, through aliases and `Option`.
fn struct_fields<'a>(api: &'a Api, ty: &TypeRef) -> Option<&'a [crate::ir::Field]> {
    match ty {
        TypeRef::Option(inner) => struct_fields(api, inner),
        TypeRef::Named(id) => match &api.type_def(*id).kind {
            TypeKind::Struct(s) => Some(&s.fields),
            TypeKind::Alias(t) | TypeKind::Newtype(t) => struct_fields(api, t),
            _ => None,
        },
        _ => None,
    }
}

fn param_value(samples: &Samples<'_>, p: &Param, fill: Fill) -> Option<Value> {
    samples.value(&p.ty, p.constraints.as_deref(), p.example.as_ref(), fill)
}

/// The first statement of a server-backed test: records its outcome, under the
/// operation's method and path, in the report `cargo xtask corpus --contract` reads.
/// `let _report = exercise("METHOD /path", "test");`: the guard that reports the
/// operation as exercised, laid out for a test's body.
fn report_guard(op: &Operation, test: &str) -> String {
    let operation = format!("{} {}", op.method.as_str(), op.path);
    let guard = Expr::call(
        "exercise",
        vec![
            Expr::atom(code::string(&operation)),
            Expr::atom(code::string(test)),
        ],
    );
    binding("_report", &guard)
}

fn attrs(op: &Operation) -> TokenStream {
    let _ = op;
    quote! {
        #[tokio::test]
        #[ignore = #IGNORE]
    }
}

fn success_test(
    r: &Resource,
    op: &Operation,
    samples: &Samples<'_>,
    docs: &Docs,
    name: &str,
    doc: &str,
    call: &Call,
) -> TokenStream {
    let values = samples.values;
    let method = format!(".{}_with_response", op.name.trim_end_matches('_'));
    let mut doc = doc.to_string();
    let mut checks: Vec<String> = Vec::new();
    match (&op.response.body, &op.response.example) {
        (ResponseBody::Json(ty), Some(example)) => match values.expr(ty, example) {
            Some(expected) => {
                checks.push(binding("expected", &readable(expected)));
                checks.push("assert_eq!(decoded, expected);".to_string());
                checks.push(round_trip("&decoded", &json_text(example)));
            }
            None => doc.push_str(
                " The response example does not fit the response type, so only decoding is checked.",
            ),
        },
        (ResponseBody::Json(_), None) => doc.push_str(
            " The spec has no response example (the server builds one from the schema), so only decoding is checked.",
        ),
        (ResponseBody::Text, Some(Value::String(text))) => {
            checks.push(format!("assert_eq!(decoded, {});", code::string(text)));
        }
        _ => {}
    }
    let decoded = if checks.is_empty() { "_" } else { "decoded" };
    let mut w = TestWriter::open(op, docs, name, &doc);
    w.lines(&call.lets);
    let response = client_call(r, &method, call);
    w.lines(&[binding("response", &response)]);
    w.lines(&[
        format!("let (status, headers, {decoded}) = response.into_parts();"),
        "assert_valid_request(Some(&headers));".to_string(),
        format!("assert_eq!(status, {});", op.response.status),
    ]);
    w.lines(&checks);
    w.close(samples.code)
}

/// `client().accessors().method(args).await.unwrap_or_else(|err| fail(&err))`.
fn client_call(r: &Resource, method: &str, call: &Call) -> Expr {
    let mut links: Vec<Link> = r
        .chain
        .iter()
        .map(|a| Link::call(format!(".{a}"), vec![], ""))
        .collect();
    links.push(Link::call(method, call.args.clone(), ""));
    links.push(Link::field(".await"));
    links.push(Link::call(
        ".unwrap_or_else",
        vec![Expr::atom("|err| fail(&err)")],
        "",
    ));
    Expr::chain(Expr::call("client", vec![]), links)
}

/// `assert_round_trip(decoded, &json);` for a `json(..)` text that may span lines (a
/// raw string literal, written as it is).
fn round_trip(decoded: &str, json: &str) -> String {
    if json.contains('\n') {
        // The literal's lines are its text: only its first line is indented.
        format!(
            "assert_round_trip(\n        {decoded},\n        &json(\n            {},\n        ),\n    );",
            json.strip_prefix("json(")
                .and_then(|j| j.strip_suffix(')'))
                .unwrap_or(json)
        )
    } else {
        let call = Expr::call(
            "assert_round_trip",
            vec![Expr::atom(decoded), Expr::atom(format!("&{json}"))],
        );
        format!("{};", call.write(Shape::line(4, 1)))
    }
}

/// A test function written as text: its docs and attributes, then its statements,
/// each laid out for a body at 4 columns (the first line without them).
struct TestWriter {
    text: String,
}

impl TestWriter {
    /// `async fn name() {` under its doc and the Prism tests' attributes, and the
    /// guard that reports the operation as exercised.
    fn open(op: &Operation, docs: &Docs, name: &str, doc: &str) -> TestWriter {
        let mut text = String::new();
        if let Some(line) = docs.line(&wrap(doc)) {
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("#[tokio::test]\n");
        text.push_str(&format!("#[ignore = {}]\n", code::string(IGNORE)));
        text.push_str(&format!("async fn {name}() {{\n"));
        text.push_str(&format!("    {}\n", report_guard(op, name)));
        TestWriter { text }
    }

    /// Statements laid out for the body (see [`binding`]).
    fn lines(&mut self, statements: &[String]) {
        for s in statements {
            self.text.push_str("    ");
            self.text.push_str(s);
            self.text.push('\n');
        }
    }

    /// The function's end, as a placeholder item of its text.
    fn close(mut self, code: &Code) -> TokenStream {
        self.text.push_str("}\n");
        code.item(self.text)
    }
}

/// A list operation: the first page, then the second where the mock gives a next
/// position (it answers every page with the same example, so two pages are what it
/// can show); both requests must be valid.
fn paging_test(
    r: &Resource,
    op: &Operation,
    code: &Code,
    docs: &Docs,
    name: &str,
    http: &str,
    call: &Call,
) -> TokenStream {
    let doc = format!(
        "{http} (`{}.{}`) pages: the first page, then the next one with the same \
         parameters and the position the first gave, where the mock gives one.",
        r.chain.join("."),
        op.name
    );
    let mut w = TestWriter::open(op, docs, name, &doc);
    w.lines(&call.lets);
    let page = client_call(r, &format!(".{}", op.name), call);
    w.lines(&[binding("page", &page)]);
    w.lines(&[
        "assert_valid_request(Some(page.headers()));".to_string(),
        "if page.has_next_page() {".to_string(),
        "    let next = page".to_string(),
        "        .next_page()".to_string(),
        "        .await".to_string(),
        "        .unwrap_or_else(|err| fail(&err))".to_string(),
        "        .expect(\"the page after one that has a next page\");".to_string(),
        "    assert_valid_request(Some(next.headers()));".to_string(),
        "    assert_eq!(next.items().len(), page.items().len());".to_string(),
        "}".to_string(),
    ]);
    w.close(code)
}

/// One test calling the operation once per documented error status.
#[allow(clippy::too_many_arguments)]
fn error_test(
    api: &Api,
    r: &Resource,
    op: &Operation,
    samples: &Samples<'_>,
    errors: &mut ErrorExamples<'_>,
    name: &str,
    http: &str,
    call: &Call,
) -> Option<TokenStream> {
    let values = samples.values;
    let rows: Vec<TokenStream> = op
        .errors
        .iter()
        .filter_map(|e| {
            let number = e.status.code().filter(|s| (400..600).contains(s))?;
            let status = Literal::u16_unsuffixed(number);
            let body = match &e.example {
                Some(v) => {
                    let j = json_tokens(v);
                    quote! { Some(#j) }
                }
                None => quote! { None },
            };
            let rule = &errors.rule;
            let code = e.example.as_ref().and_then(|v| rule.code_of(v));
            let (code, code_text) = match code {
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(n) => {
                        let n = Literal::i64_unsuffixed(n);
                        (quote! { Some(#n) }, quote! { None })
                    }
                    None => (quote! { None }, quote! { None }),
                },
                Some(Value::String(t)) => (quote! { None }, quote! { Some(#t) }),
                _ => (quote! { None }, quote! { None }),
            };
            let message = match e.example.as_ref().and_then(|v| rule.message_of(v)) {
                Some(m) => quote! { Some(#m) },
                None => quote! { None },
            };
            let typed = match (api.error_body, &e.ty, &e.example) {
                (Some(id), Some(TypeRef::Named(t)), Some(v)) if *t == id => {
                    values.expr(&TypeRef::Named(id), v)
                }
                _ => None,
            };
            let envelope = match typed {
                Some(t) => {
                    let t = readable(t).tokens();
                    quote! { Some(#t) }
                }
                None => quote! { None },
            };
            let row = quote! {
                ErrorExample {
                    status: #status,
                    body: #body,
                    code: #code,
                    code_text: #code_text,
                    message: #message,
                    envelope: #envelope,
                }
            };
            let constructor = errors.constructor(number, e.doc.as_deref(), row);
            Some(quote! { #constructor() })
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    let name = format_ident!("{}", name);
    let doc = format!(
        "{http} (`{}.{}`): each documented error status, asked of the server with \
         `Prefer: code=`, comes back as an error with the example's status, body, code \
         and message.",
        r.chain.join("."),
        op.name
    );
    let doc = errors.docs.attrs(&wrap(&doc));
    let chain = r.chain.iter().map(|a| ident(a));
    let method = ident(&op.name);
    let Call { lets, args, .. } = call;
    let lets: Vec<TokenStream> = lets.iter().map(|l| samples.code.statement(4, l)).collect();
    let args: Vec<TokenStream> = args.iter().map(Expr::tokens).collect();
    let attrs = attrs(op);
    let report = samples
        .code
        .statement(4, &report_guard(op, &name.to_string()));
    Some(quote! {
        #doc
        #attrs
        async fn #name() {
            #report
            #(#lets)*
            for expected in [#(#rows),*] {
                let result = client()
                    #(.#chain())*
                    .with_options(prefer_status(expected.status))
                    .#method(#(#args),*)
                    .await;
                expected.check(result);
            }
        }
    })
}

/// A plain test: the webhook's example payload decodes into its type, equals the value
/// built from the example, and re-encodes to the same JSON.
fn webhook_test(
    w: &crate::ir::Webhook,
    name: &str,
    values: &ValueBuilder<'_>,
    docs: &Docs,
    code: &Code,
) -> Option<TokenStream> {
    let ty = w.payload.as_ref()?;
    let example = w.example.as_ref()?;
    let expected = binding("expected", &readable(values.expr(ty, example)?));
    let expected = code.statement(4, &expected);
    let krate = &values.krate;
    let rust_ty = qualified(values.api, ty, krate);
    let name = format_ident!("{}", name);
    let doc = format!(
        "The example payload of the `{}` webhook decodes into its type and re-encodes \
         unchanged (no server needed).",
        w.name
    );
    let sent = json_tokens(example);
    let doc = docs.attrs(&wrap(&doc));
    Some(quote! {
        #doc
        #[test]
        fn #name() {
            let sent = #sent;
            let decoded: #rust_ty = serde_json::from_value(sent.clone()).expect("the example decodes");
            #expected
            assert_eq!(decoded, expected);
            assert_round_trip(&decoded, &sent);
        }
    })
}

/// With typed webhook events: each keyed webhook's example, decoded as the envelope,
/// lands in its variant and re-encodes unchanged; the first example with an event type
/// the spec does not know lands in `Unknown`.
fn event_tests(
    api: &Api,
    names: &ContractNames,
    values: &ValueBuilder<'_>,
    docs: &Docs,
) -> Vec<TokenStream> {
    let Some(events) = &api.webhook_events else {
        return Vec::new();
    };
    let krate = &values.krate;
    let envelope = qualified(api, &TypeRef::Named(events.envelope), krate);
    let data = format_ident!(
        "{}",
        match &api.type_def(events.envelope).kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .find(|f| f.wire_name == events.data)
                .map_or("data", |f| f.name.as_str()),
            _ => "data",
        }
    );
    let mut out = Vec::new();
    let mut first_example = None;
    for leaf in &names.event_variants {
        let webhook = &leaf.webhook;
        // Examples that do not fit their payload type are left out, as for
        // `webhook_test`.
        let Some(example) = api
            .webhooks
            .iter()
            .find(|w| w.name == *webhook)
            .and_then(|w| Some((w.payload.as_ref()?, w.example.as_ref()?)))
            .and_then(|(ty, example)| values.expr(ty, example).map(|_| example))
        else {
            continue;
        };
        first_example.get_or_insert(example);
        let name = format_ident!("{}", leaf.test);
        let pattern = event_pattern(api, leaf, krate);
        let doc = docs.attrs(&wrap(&format!(
            "The example of the `{webhook}` webhook, decoded as the envelope, is its event \
             variant and re-encodes unchanged."
        )));
        let sent = json_tokens(example);
        out.push(quote! {
            #doc
            #[test]
            fn #name() {
                let sent = #sent;
                let event: #envelope = serde_json::from_value(sent.clone()).expect("the example decodes");
                assert!(matches!(event.#data, #pattern), "{:?}", event.#data);
                assert_round_trip(&event, &sent);
            }
        });
    }
    let unknown = match &api.type_def(events.data_type).kind {
        TypeKind::Event(e) => e.unknown.clone(),
        _ => None,
    };
    let (Some(example), Some(unknown)) = (first_example, unknown) else {
        return out;
    };
    for (member, name) in events.discriminators.iter().zip(&names.unknown_events) {
        let mut sent = example.clone();
        if let Some(object) = sent.as_object_mut() {
            object.insert(member.clone(), Value::String("zz.not_in_the_spec".into()));
            let top = qualified(api, &TypeRef::Named(events.data_type), krate);
            let unknown = format_ident!("{unknown}");
            let wire = &events.data;
            let name = format_ident!("{}", name);
            let doc = docs.attrs(&wrap(&format!(
                "A delivery whose `{member}` the spec does not know decodes as `{unknown}`, \
                 holding the payload as delivered, and re-encodes unchanged."
            )));
            let sent = json_tokens(&sent);
            out.push(quote! {
                #doc
                #[test]
                fn #name() {
                    let sent = #sent;
                    let event: #envelope = serde_json::from_value(sent.clone()).expect("decodes");
                    assert_eq!(event.#data, #top::#unknown(sent[#wire].clone()));
                    assert_round_trip(&event, &sent);
                }
            });
        }
    }
    out
}

/// The pattern matching the payload variant of `leaf`, through its nesting
/// (`Data::A(Payload::V1(_))`).
fn event_pattern(api: &Api, leaf: &EventVariantTest, krate: &TokenStream) -> TokenStream {
    let mut pattern = quote! { _ };
    for (id, k) in leaf.path.iter().rev() {
        let def = api.type_def(*id);
        let TypeKind::Event(e) = &def.kind else {
            continue;
        };
        let Some(v) = e.variants.get(*k) else {
            continue;
        };
        let name = format_ident!("{}", def.name);
        let vname = format_ident!("{}", v.name);
        pattern = quote! { #krate::types::#name::#vname(#pattern) };
    }
    pattern
}

/// A call of the file's `json` helper on the value's text: a raw string literal, one
/// line when short, else pretty-printed, which reads better than `json!` tokens.
fn json_tokens(v: &Value) -> TokenStream {
    let text = json_text(v);
    text.parse().unwrap_or_else(|_| {
        let raw = v.to_string();
        quote! { json(#raw) }
    })
}

/// `json(r#"..."#)`: `v` as a raw string literal (pretty-printed past 80 columns), with
/// enough `#`s that no quote in it ends the literal.
fn json_text(v: &Value) -> String {
    let compact = v.to_string();
    let text = if compact.len() <= 80 {
        compact
    } else {
        serde_json::to_string_pretty(v).unwrap_or(compact)
    };
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("json(r{hashes}\"{text}\"{hashes})")
}

/// `vec![a, b]` rewritten as `Vec::from([a, b])`, recursively: how the tests have
/// always spelled lists.
fn readable(e: Expr) -> Expr {
    let all = |items: Vec<Expr>| items.into_iter().map(readable).collect::<Vec<_>>();
    match e {
        Expr::Array {
            prefix: "vec!",
            items,
        } => Expr::call(
            "Vec::from",
            vec![Expr::Array {
                prefix: "",
                items: all(items),
            }],
        ),
        Expr::Array { prefix, items } => Expr::Array {
            prefix,
            items: all(items),
        },
        Expr::Call {
            head,
            args,
            macro_call,
        } => Expr::Call {
            head,
            args: all(args),
            macro_call,
        },
        Expr::Chain { root, links } => Expr::Chain {
            root: Box::new(readable(*root)),
            links: links
                .into_iter()
                .map(|l| Link {
                    expr: readable(l.expr),
                    ..l
                })
                .collect(),
        },
        Expr::Struct { head, fields, base } => Expr::Struct {
            head,
            fields: fields.into_iter().map(|(n, v)| (n, readable(v))).collect(),
            base,
        },
        Expr::Block { stmts, value } => Expr::Block {
            stmts: stmts
                .into_iter()
                .map(|s| match s {
                    Stmt::Let(n, v) => Stmt::Let(n, readable(v)),
                    Stmt::Assign(n, v) => Stmt::Assign(n, readable(v)),
                })
                .collect(),
            value: Box::new(readable(*value)),
        },
        Expr::Prefix(op, inner) => Expr::Prefix(op, Box::new(readable(*inner))),
        atom @ Expr::Atom(_) => atom,
    }
}

/// The Rust type of `ty` as seen from outside the crate (`linq_api::types::Pet`).
fn qualified(api: &Api, ty: &TypeRef, krate: &TokenStream) -> TokenStream {
    match ty {
        TypeRef::Named(id) => {
            let name = ident(&api.type_def(*id).name);
            quote! { #krate::types::#name }
        }
        TypeRef::List(inner) => {
            let inner = qualified(api, inner, krate);
            quote! { Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = qualified(api, inner, krate);
            quote! { std::collections::BTreeMap<String, #inner> }
        }
        TypeRef::Option(inner) => {
            let inner = qualified(api, inner, krate);
            quote! { Option<#inner> }
        }
        TypeRef::Primitive(Primitive::DateTime) => {
            quote! { #krate::chrono::DateTime<#krate::chrono::Utc> }
        }
        TypeRef::Primitive(Primitive::Date) => quote! { #krate::chrono::NaiveDate },
        TypeRef::Primitive(p) => super::rust_type::primitive(*p),
        TypeRef::Any => quote! { serde_json::Value },
        TypeRef::Object => quote! { serde_json::Map<String, serde_json::Value> },
    }
}

/// Hard-wraps doc text at 88 columns (the spec's own text keeps its line breaks).
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.len() + 1 + word.len() > 88 {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Expr, Link, part};

    /// The links as they are written after `Multipart::new()`.
    fn text(links: Vec<Link>) -> String {
        Expr::chain(Expr::atom(""), links).flat()
    }

    #[test]
    fn multipart_parts_by_member_kind() {
        assert_eq!(
            text(part("title", &json!("a \"b\""), false, None)),
            r#".text("title", "a \"b\"")"#
        );
        assert_eq!(
            text(part("count", &json!(2), false, Some("text/plain"))),
            r#".text("count", "2")"#
        );
        assert_eq!(
            text(part("file", &json!("x"), true, None)),
            r#".file("file", "file.bin", "application/octet-stream", b"contract test".to_vec())"#
        );
        assert_eq!(
            text(part("icon", &json!("x"), true, Some("image/png"))),
            r#".file("icon", "icon.bin", "image/png", b"contract test".to_vec())"#
        );
        // Objects: a JSON part, unless the `encoding` names another content type.
        assert_eq!(
            text(part("meta", &json!({"a": 1}), false, None)),
            r##".json("meta", &json(r#"{"a":1}"#)).expect("the part serialises")"##
        );
        assert_eq!(
            text(part(
                "meta",
                &json!({"a": 1}),
                false,
                Some("application/vnd.x+json")
            )),
            r##".json("meta", &json(r#"{"a":1}"#)).expect("the part serialises")"##
        );
        assert_eq!(
            text(part(
                "meta",
                &json!({"a": 1}),
                false,
                Some("application/x-yaml")
            )),
            r#".file("meta", "meta", "application/x-yaml", "{\"a\":1}")"#
        );
    }
}
