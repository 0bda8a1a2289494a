//! Rust expressions that build a typed value from a JSON example, for doc examples and
//! emitted tests. Returns `None` when the example does not fit the type, so callers
//! can fall back to a placeholder instead of emitting code that would not compile.

use std::cell::Cell;

use proc_macro2::{Literal, TokenStream};
use serde_json::Value;

use super::code::string;
use super::expr::{Expr, Link, Stmt};
use crate::ir::{Api, Presence, Primitive, Tagging, TypeKind, TypeRef};
use crate::plan::Plan;

/// Builds expressions that refer to the crate as `krate` (`linq_api`).
pub struct ValueBuilder<'a> {
    pub api: &'a Api,
    pub krate: TokenStream,
    /// `krate` as text.
    pub krate_name: String,
    /// Which types are `#[non_exhaustive]` (built with `new` and assignments) and
    /// which implement `Default`.
    pub plan: &'a Plan,
    /// Steps the current [`ValueBuilder::expr`] call may still take.
    steps_left: Cell<usize>,
}

/// Steps one [`ValueBuilder::expr`] may take: trying each alternative of nested
/// untagged unions multiplies the work, so past this bound the example is given up
/// (the caller falls back to a placeholder). Per call, so the output stays the same.
const MAX_STEPS: usize = 100_000;

impl<'a> ValueBuilder<'a> {
    pub fn new(api: &'a Api, krate: TokenStream, plan: &'a Plan) -> ValueBuilder<'a> {
        ValueBuilder {
            api,
            krate_name: krate.to_string(),
            krate,
            plan,
            steps_left: Cell::new(0),
        }
    }

    /// An expression of type `ty` equal to `value`.
    pub fn expr(&self, ty: &TypeRef, value: &Value) -> Option<Expr> {
        self.steps_left.set(MAX_STEPS);
        let e = self.expr_depth(ty, value, 0);
        // Out of steps, a part may have been left out: no expression at all then.
        e.filter(|_| self.steps_left.get() > 0)
    }

    fn expr_depth(&self, ty: &TypeRef, value: &Value, depth: usize) -> Option<Expr> {
        let left = self.steps_left.get();
        self.steps_left.set(left.saturating_sub(1));
        let step = left > 0;
        if depth > 32 || !step {
            return None;
        }
        let krate = self.krate_name.as_str();
        Some(match (ty, value) {
            (TypeRef::Primitive(p), v) => primitive(*p, v, krate)?,
            (TypeRef::Option(_), Value::Null) => Expr::atom("None"),
            (TypeRef::Option(inner), v) => {
                Expr::call("Some", vec![self.expr_depth(inner, v, depth + 1)?])
            }
            (TypeRef::List(inner), Value::Array(items)) => {
                let items = items
                    .iter()
                    .map(|i| self.expr_depth(inner, i, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                Expr::Array {
                    prefix: "vec!",
                    items,
                }
            }
            (TypeRef::Map(inner), Value::Object(map)) => {
                let entries = map
                    .iter()
                    .map(|(k, v)| self.expr_depth(inner, v, depth + 1).map(|e| entry(k, e)))
                    .collect::<Option<Vec<_>>>()?;
                btree_map(entries)
            }
            (TypeRef::Any, v) => json(v, krate),
            (TypeRef::Object, v @ Value::Object(_)) => Expr::chain(
                json(v, krate),
                vec![
                    Link::call(".as_object", vec![], ""),
                    Link::call(".cloned", vec![], ""),
                    Link::call(".unwrap_or_default", vec![], ""),
                ],
            ),
            (TypeRef::Named(id), v) => self.named(*id, v, depth)?,
            _ => return None,
        })
    }

    /// A `#[non_exhaustive]` struct: `T::new(required..)`, then the given optional
    /// fields assigned in a block.
    fn sealed_struct(
        &self,
        path: &str,
        s: &crate::ir::Struct,
        map: &serde_json::Map<String, Value>,
        depth: usize,
    ) -> Option<Expr> {
        let krate = self.krate_name.as_str();
        let mut args = Vec::new();
        let mut sets = Vec::new();
        for f in &s.fields {
            let place = format!("v.{}", f.name);
            let boxed = |e: Expr| boxed(f.boxed, e);
            let given = map.get(&f.wire_name);
            match (f.presence, given) {
                (Presence::Required, Some(v)) => {
                    args.push(boxed(self.expr_depth(&f.ty, v, depth + 1)?))
                }
                (Presence::Required, None) => return None,
                (_, None) => {}
                (Presence::OptionalNullable, Some(Value::Null)) => {
                    sets.push(Stmt::Assign(
                        place,
                        Expr::atom(format!("{krate}::Nullable::Null")),
                    ));
                }
                (Presence::OptionalNullable, Some(v)) => {
                    let e = boxed(self.expr_depth(&f.ty, v, depth + 1)?);
                    let e = Expr::call(format!("{krate}::Nullable::Value"), vec![e]);
                    sets.push(Stmt::Assign(place, e));
                }
                // Absent and null are both `None`, which `new` sets.
                (_, Some(Value::Null)) => {}
                (_, Some(v)) => {
                    let e = boxed(self.expr_depth(&f.ty, v, depth + 1)?);
                    sets.push(Stmt::Assign(place, Expr::call("Some", vec![e])));
                }
            }
        }
        if let Some(t) = &s.additional {
            let entries = self.extra_entries(s, t, map, depth);
            if !entries.is_empty() {
                sets.push(Stmt::Assign(
                    "v.additional_properties".to_string(),
                    btree_map(entries),
                ));
            }
        }
        let new = Expr::call(format!("{path}::new"), args);
        Some(if sets.is_empty() {
            new
        } else {
            let mut stmts = vec![Stmt::Let("mut v".to_string(), new)];
            stmts.extend(sets);
            Expr::Block {
                stmts,
                value: Box::new(Expr::atom("v")),
            }
        })
    }

    /// The entries of an example's members that are not properties of `s`, as values
    /// of its additional properties (of type `t`); members that do not fit are left out.
    fn extra_entries(
        &self,
        s: &crate::ir::Struct,
        t: &TypeRef,
        map: &serde_json::Map<String, Value>,
        depth: usize,
    ) -> Vec<Expr> {
        map.iter()
            .filter(|(k, _)| !s.fields.iter().any(|f| &f.wire_name == *k))
            .filter_map(|(k, v)| self.expr_depth(t, v, depth + 1).map(|e| entry(k, e)))
            .collect()
    }

    fn named(&self, id: crate::ir::TypeId, value: &Value, depth: usize) -> Option<Expr> {
        let krate = self.krate_name.as_str();
        let def = self.api.type_def(id);
        let path = format!("{krate}::types::{}", def.name);
        Some(match (&def.kind, value) {
            (TypeKind::Struct(s), Value::Object(map)) => {
                // Every key of the example must be a known property (or extras allowed).
                if s.additional.is_none()
                    && map
                        .keys()
                        .any(|k| !s.fields.iter().any(|f| &f.wire_name == k))
                {
                    return None;
                }
                if self.plan.ty(id).sealed {
                    return self.sealed_struct(&path, s, map, depth);
                }
                let mut fields = Vec::new();
                let mut missing = false;
                for f in &s.fields {
                    let given = map.get(&f.wire_name);
                    let wrap_box = |e: Expr| boxed(f.boxed, e);
                    let e = match (f.presence, given) {
                        (Presence::Required, Some(v)) => {
                            wrap_box(self.expr_depth(&f.ty, v, depth + 1)?)
                        }
                        (Presence::Required, None) => return None,
                        (Presence::RequiredNullable | Presence::Optional, Some(Value::Null)) => {
                            Expr::atom("None")
                        }
                        (Presence::RequiredNullable | Presence::Optional, Some(v)) => {
                            let e = wrap_box(self.expr_depth(&f.ty, v, depth + 1)?);
                            Expr::call("Some", vec![e])
                        }
                        (Presence::OptionalNullable, Some(Value::Null)) => {
                            Expr::atom(format!("{krate}::Nullable::Null"))
                        }
                        (Presence::OptionalNullable, Some(v)) => {
                            let e = wrap_box(self.expr_depth(&f.ty, v, depth + 1)?);
                            Expr::call(format!("{krate}::Nullable::Value"), vec![e])
                        }
                        (_, None) => {
                            missing = true;
                            continue;
                        }
                    };
                    fields.push((f.name.clone(), e));
                }
                if let Some(t) = &s.additional {
                    let entries = self.extra_entries(s, t, map, depth);
                    fields.push(("additional_properties".to_string(), btree_map(entries)));
                }
                let mut base = None;
                if missing {
                    if self.plan.ty(id).default {
                        base = Some("Default::default()".to_string());
                    } else {
                        // List the absent optional fields explicitly.
                        fields.extend(
                            s.fields
                                .iter()
                                .filter(|f| !map.contains_key(&f.wire_name))
                                .map(|f| {
                                    let value = match f.presence {
                                        Presence::OptionalNullable => {
                                            Expr::atom(format!("{krate}::Nullable::Absent"))
                                        }
                                        _ => Expr::atom("None"),
                                    };
                                    (f.name.clone(), value)
                                }),
                        );
                    }
                }
                Expr::Struct {
                    head: path,
                    fields,
                    base,
                }
            }
            (TypeKind::Enum(e), Value::Number(n)) if e.integer => {
                let n = n.as_i64()?;
                match e.variants.iter().find(|v| v.value.as_int() == Some(n)) {
                    Some(v) => Expr::atom(format!("{path}::{}", v.name)),
                    None => Expr::call(
                        format!("{path}::{}", e.unknown_variant),
                        vec![Expr::atom(Literal::i64_unsuffixed(n).to_string())],
                    ),
                }
            }
            (TypeKind::Enum(e), Value::String(s)) if !e.integer => {
                match e.variants.iter().find(|v| v.value.text() == s.as_str()) {
                    Some(v) => Expr::atom(format!("{path}::{}", v.name)),
                    None => Expr::call(format!("{path}::{}", e.unknown_variant), vec![owned(s)]),
                }
            }
            (TypeKind::Union(u), v) => {
                let candidates: Vec<&crate::ir::UnionVariant> = match &u.tagging {
                    Tagging::Discriminator { property, .. } => {
                        let tag = v.get(property).and_then(Value::as_str).unwrap_or_default();
                        u.variants
                            .iter()
                            .filter(|var| var.tags.iter().any(|t| t == tag))
                            .collect()
                    }
                    Tagging::Untagged => u.variants.iter().collect(),
                };
                candidates.into_iter().find_map(|var| {
                    let e = boxed(var.boxed, self.expr_depth(&var.ty, v, depth + 1)?);
                    Some(Expr::call(format!("{path}::{}", var.name), vec![e]))
                })?
            }
            (TypeKind::Alias(t), v) => self.expr_depth(t, v, depth + 1)?,
            (TypeKind::Newtype(t), v) => Expr::call(path, vec![self.expr_depth(t, v, depth + 1)?]),
            _ => return None,
        })
    }

    /// A value for `ty` when the spec gives no example: the simplest valid one.
    pub fn placeholder(&self, ty: &TypeRef) -> Option<Expr> {
        self.expr(ty, &self.placeholder_json(ty, 0)?)
    }

    /// A JSON value that fits `ty`: the schema's own example where there is one.
    pub fn placeholder_json(&self, ty: &TypeRef, depth: usize) -> Option<Value> {
        if depth > 16 {
            return None;
        }
        Some(match ty {
            TypeRef::Primitive(p) => match p {
                Primitive::String => Value::String("string".into()),
                Primitive::DateTime => Value::String("2024-01-15T10:30:00Z".into()),
                Primitive::Date => Value::String("2024-01-15".into()),
                Primitive::Bool => Value::Bool(true),
                Primitive::F32 | Primitive::F64 => serde_json::json!(1.5),
                _ => serde_json::json!(1),
            },
            TypeRef::List(_) => Value::Array(Vec::new()),
            TypeRef::Map(_) | TypeRef::Object | TypeRef::Any => Value::Object(Default::default()),
            TypeRef::Option(_) => Value::Null,
            TypeRef::Named(id) => {
                let def = self.api.type_def(*id);
                if let Some(example) = &def.example
                    && self.expr(ty, example).is_some()
                {
                    return Some(example.clone());
                }
                match &def.kind {
                    TypeKind::Struct(s) => {
                        let mut map = serde_json::Map::new();
                        for f in s.fields.iter().filter(|f| {
                            matches!(f.presence, Presence::Required | Presence::RequiredNullable)
                        }) {
                            map.insert(
                                f.wire_name.clone(),
                                self.placeholder_json(&f.ty, depth + 1)?,
                            );
                        }
                        Value::Object(map)
                    }
                    TypeKind::Enum(e) if e.integer => e
                        .variants
                        .first()
                        .and_then(|v| v.value.as_int())
                        .map_or(Value::from(0), Value::from),
                    TypeKind::Enum(e) => Value::String(
                        e.variants
                            .first()
                            .map(|v| v.value.text().into_owned())
                            .unwrap_or_default(),
                    ),
                    TypeKind::Union(u) => {
                        self.placeholder_json(&u.variants.first()?.ty, depth + 1)?
                    }
                    TypeKind::Alias(t) | TypeKind::Newtype(t) => {
                        self.placeholder_json(t, depth + 1)?
                    }
                    TypeKind::Params(_) | TypeKind::Event(_) => return None,
                }
            }
        })
    }
}

fn primitive(p: Primitive, v: &Value, krate: &str) -> Option<Expr> {
    let number = |l: Literal| Expr::atom(l.to_string());
    Some(match (p, v) {
        (Primitive::String, Value::String(s)) => owned(s),
        (Primitive::DateTime, Value::String(s)) => {
            chrono_check(s)?;
            parsed(
                s,
                &format!("{krate}::chrono::DateTime<{krate}::chrono::Utc>"),
                "valid timestamp",
            )
        }
        (Primitive::Date, Value::String(s)) => {
            parsed(s, &format!("{krate}::chrono::NaiveDate"), "valid date")
        }
        (Primitive::Bool, Value::Bool(b)) => Expr::atom(b.to_string()),
        (Primitive::I32, Value::Number(n)) => {
            number(Literal::i32_unsuffixed(i32::try_from(n.as_i64()?).ok()?))
        }
        (Primitive::I64, Value::Number(n)) => number(Literal::i64_unsuffixed(n.as_i64()?)),
        (Primitive::U32, Value::Number(n)) => {
            number(Literal::u32_unsuffixed(u32::try_from(n.as_u64()?).ok()?))
        }
        (Primitive::U64, Value::Number(n)) => number(Literal::u64_unsuffixed(n.as_u64()?)),
        (Primitive::F32, Value::Number(n)) => number(Literal::f32_unsuffixed(n.as_f64()? as f32)),
        (Primitive::F64, Value::Number(n)) => number(Literal::f64_unsuffixed(n.as_f64()?)),
        _ => return None,
    })
}

/// `"text".to_owned()`.
fn owned(text: &str) -> Expr {
    Expr::chain(
        Expr::atom(string(text)),
        vec![Link::call(".to_owned", vec![], "")],
    )
}

/// `"text".parse::<ty>().expect(why)`.
fn parsed(text: &str, ty: &str, why: &str) -> Expr {
    Expr::chain(
        Expr::atom(string(text)),
        vec![
            Link::call(format!(".parse::<{ty}>"), vec![], ""),
            Link::call(".expect", vec![Expr::atom(string(why))], ""),
        ],
    )
}

/// `Box::new(e)` where `boxed`, else `e`.
fn boxed(boxed: bool, e: Expr) -> Expr {
    if boxed {
        Expr::call("Box::new", vec![e])
    } else {
        e
    }
}

/// `("key".to_owned(), value)`, an entry of [`btree_map`].
fn entry(key: &str, value: Expr) -> Expr {
    Expr::call("", vec![owned(key), value])
}

/// `std::collections::BTreeMap::from([entries])`.
fn btree_map(entries: Vec<Expr>) -> Expr {
    Expr::call(
        "std::collections::BTreeMap::from",
        vec![Expr::Array {
            prefix: "",
            items: entries,
        }],
    )
}

/// Only RFC 3339 looking timestamps, so the emitted `expect` cannot fire.
fn chrono_check(s: &str) -> Option<()> {
    let b = s.as_bytes();
    (b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b't')
        && (s.ends_with('Z') || s.ends_with('z') || s[19..].contains(['+', '-'])))
    .then_some(())
}

/// `serde_json::json!` of a value, through the crate's re-export. JSON text is valid
/// `json!` input except for `\\uXXXX` escapes, which fall back to parsing a string.
/// The macro's input is one line of JSON, which rustfmt leaves as it is.
fn json(v: &Value, krate: &str) -> Expr {
    let text = v.to_string();
    if !text.contains("\\u") && text.parse::<TokenStream>().is_ok() {
        Expr::atom(format!("{krate}::serde_json::json!({text})"))
    } else {
        Expr::chain(
            Expr::call(
                format!("{krate}::serde_json::from_str::<{krate}::serde_json::Value>"),
                vec![Expr::atom(string(&text))],
            ),
            vec![Link::call(
                ".expect",
                vec![Expr::atom(string("valid JSON"))],
                "",
            )],
        )
    }
}
