//! Rust expressions that build a typed value from a JSON example, for doc examples and
//! emitted tests. Returns `None` when the example does not fit the type, so callers
//! can fall back to a placeholder instead of emitting code that would not compile.

use std::cell::Cell;

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::rust_type::ident;
use crate::ir::{Api, Presence, Primitive, Tagging, TypeKind, TypeRef};
use crate::plan::Plan;

/// Builds expressions that refer to the crate as `krate` (`linq_api`).
pub struct ValueBuilder<'a> {
    pub api: &'a Api,
    pub krate: TokenStream,
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
            krate,
            plan,
            steps_left: Cell::new(0),
        }
    }

    /// An expression of type `ty` equal to `value`.
    pub fn expr(&self, ty: &TypeRef, value: &Value) -> Option<TokenStream> {
        self.steps_left.set(MAX_STEPS);
        let e = self.expr_depth(ty, value, 0);
        // Out of steps, a part may have been left out: no expression at all then.
        e.filter(|_| self.steps_left.get() > 0)
    }

    fn expr_depth(&self, ty: &TypeRef, value: &Value, depth: usize) -> Option<TokenStream> {
        let left = self.steps_left.get();
        self.steps_left.set(left.saturating_sub(1));
        let step = left > 0;
        if depth > 32 || !step {
            return None;
        }
        let krate = &self.krate;
        Some(match (ty, value) {
            (TypeRef::Primitive(p), v) => primitive(*p, v, krate)?,
            (TypeRef::Option(inner), Value::Null) => {
                let _ = inner;
                quote! { None }
            }
            (TypeRef::Option(inner), v) => {
                let e = self.expr_depth(inner, v, depth + 1)?;
                quote! { Some(#e) }
            }
            (TypeRef::List(inner), Value::Array(items)) => {
                let items = items
                    .iter()
                    .map(|i| self.expr_depth(inner, i, depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                quote! { vec![#(#items),*] }
            }
            (TypeRef::Map(inner), Value::Object(map)) => {
                let entries = map
                    .iter()
                    .map(|(k, v)| {
                        self.expr_depth(inner, v, depth + 1)
                            .map(|e| quote! { (#k.to_owned(), #e) })
                    })
                    .collect::<Option<Vec<_>>>()?;
                quote! { std::collections::BTreeMap::from([#(#entries),*]) }
            }
            (TypeRef::Any, v) => json(v, krate),
            (TypeRef::Object, v @ Value::Object(_)) => {
                let j = json(v, krate);
                quote! { #j.as_object().cloned().unwrap_or_default() }
            }
            (TypeRef::Named(id), v) => self.named(*id, v, depth)?,
            _ => return None,
        })
    }

    /// A `#[non_exhaustive]` struct: `T::new(required..)`, then the given optional
    /// fields assigned in a block.
    fn sealed_struct(
        &self,
        path: &TokenStream,
        s: &crate::ir::Struct,
        map: &serde_json::Map<String, Value>,
        depth: usize,
    ) -> Option<TokenStream> {
        let krate = &self.krate;
        let mut args = Vec::new();
        let mut sets = Vec::new();
        for f in &s.fields {
            let fname = ident(&f.name);
            let boxed = |e: TokenStream| {
                if f.boxed {
                    quote! { Box::new(#e) }
                } else {
                    e
                }
            };
            let given = map.get(&f.wire_name);
            match (f.presence, given) {
                (Presence::Required, Some(v)) => {
                    args.push(boxed(self.expr_depth(&f.ty, v, depth + 1)?))
                }
                (Presence::Required, None) => return None,
                (_, None) => {}
                (Presence::OptionalNullable, Some(Value::Null)) => {
                    sets.push(quote! { v.#fname = #krate::Nullable::Null; });
                }
                (Presence::OptionalNullable, Some(v)) => {
                    let e = boxed(self.expr_depth(&f.ty, v, depth + 1)?);
                    sets.push(quote! { v.#fname = #krate::Nullable::Value(#e); });
                }
                // Absent and null are both `None`, which `new` sets.
                (_, Some(Value::Null)) => {}
                (_, Some(v)) => {
                    let e = boxed(self.expr_depth(&f.ty, v, depth + 1)?);
                    sets.push(quote! { v.#fname = Some(#e); });
                }
            }
        }
        if let Some(t) = &s.additional {
            let entries: Vec<TokenStream> = map
                .iter()
                .filter(|(k, _)| !s.fields.iter().any(|f| &f.wire_name == *k))
                .filter_map(|(k, v)| {
                    self.expr_depth(t, v, depth + 1)
                        .map(|e| quote! { (#k.to_owned(), #e) })
                })
                .collect();
            if !entries.is_empty() {
                sets.push(quote! { v.additional_properties = std::collections::BTreeMap::from([#(#entries),*]); });
            }
        }
        let new = quote! { #path::new(#(#args),*) };
        Some(if sets.is_empty() {
            new
        } else {
            quote! {{ let mut v = #new; #(#sets)* v }}
        })
    }

    fn named(&self, id: crate::ir::TypeId, value: &Value, depth: usize) -> Option<TokenStream> {
        let krate = &self.krate;
        let def = self.api.type_def(id);
        let name = ident(&def.name);
        let path = quote! { #krate::types::#name };
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
                    let fname = ident(&f.name);
                    let given = map.get(&f.wire_name);
                    let wrap_box = |e: TokenStream| {
                        if f.boxed {
                            quote! { Box::new(#e) }
                        } else {
                            e
                        }
                    };
                    let e = match (f.presence, given) {
                        (Presence::Required, Some(v)) => {
                            wrap_box(self.expr_depth(&f.ty, v, depth + 1)?)
                        }
                        (Presence::Required, None) => return None,
                        (Presence::RequiredNullable | Presence::Optional, Some(Value::Null)) => {
                            quote! { None }
                        }
                        (Presence::RequiredNullable | Presence::Optional, Some(v)) => {
                            let e = wrap_box(self.expr_depth(&f.ty, v, depth + 1)?);
                            quote! { Some(#e) }
                        }
                        (Presence::OptionalNullable, Some(Value::Null)) => {
                            quote! { #krate::Nullable::Null }
                        }
                        (Presence::OptionalNullable, Some(v)) => {
                            let e = wrap_box(self.expr_depth(&f.ty, v, depth + 1)?);
                            quote! { #krate::Nullable::Value(#e) }
                        }
                        (_, None) => {
                            missing = true;
                            continue;
                        }
                    };
                    fields.push(quote! { #fname: #e });
                }
                let rest = if missing {
                    if self.plan.ty(id).default {
                        quote! { ..Default::default() }
                    } else {
                        // List the absent optional fields explicitly.
                        let absent = s
                            .fields
                            .iter()
                            .filter(|f| !map.contains_key(&f.wire_name))
                            .map(|f| {
                                let fname = ident(&f.name);
                                match f.presence {
                                    Presence::OptionalNullable => {
                                        quote! { #fname: #krate::Nullable::Absent }
                                    }
                                    _ => quote! { #fname: None },
                                }
                            });
                        quote! { #(#absent,)* }
                    }
                } else {
                    quote! {}
                };
                let extra = s.additional.as_ref().map(|t| {
                    let entries: Vec<TokenStream> = map
                        .iter()
                        .filter(|(k, _)| !s.fields.iter().any(|f| &f.wire_name == *k))
                        .filter_map(|(k, v)| self.expr_depth(t, v, depth + 1).map(|e| quote! { (#k.to_owned(), #e) }))
                        .collect();
                    quote! { additional_properties: std::collections::BTreeMap::from([#(#entries),*]), }
                });
                quote! { #path { #(#fields,)* #extra #rest } }
            }
            (TypeKind::Enum(e), Value::Number(n)) if e.integer => {
                let n = n.as_i64()?;
                match e.variants.iter().find(|v| v.value.as_int() == Some(n)) {
                    Some(v) => {
                        let v = ident(&v.name);
                        quote! { #path::#v }
                    }
                    None => {
                        let u = ident(&e.unknown_variant);
                        let n = Literal::i64_unsuffixed(n);
                        quote! { #path::#u(#n) }
                    }
                }
            }
            (TypeKind::Enum(e), Value::String(s)) if !e.integer => {
                match e.variants.iter().find(|v| v.value.text() == s.as_str()) {
                    Some(v) => {
                        let v = ident(&v.name);
                        quote! { #path::#v }
                    }
                    None => {
                        let u = ident(&e.unknown_variant);
                        quote! { #path::#u(#s.to_owned()) }
                    }
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
                    let e = self.expr_depth(&var.ty, v, depth + 1)?;
                    let vname = ident(&var.name);
                    let e = if var.boxed {
                        quote! { Box::new(#e) }
                    } else {
                        e
                    };
                    Some(quote! { #path::#vname(#e) })
                })?
            }
            (TypeKind::Alias(t), v) => self.expr_depth(t, v, depth + 1)?,
            (TypeKind::Newtype(t), v) => {
                let e = self.expr_depth(t, v, depth + 1)?;
                quote! { #path(#e) }
            }
            _ => return None,
        })
    }

    /// A value for `ty` when the spec gives no example: the simplest valid one.
    pub fn placeholder(&self, ty: &TypeRef) -> Option<TokenStream> {
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

fn primitive(p: Primitive, v: &Value, krate: &TokenStream) -> Option<TokenStream> {
    Some(match (p, v) {
        (Primitive::String, Value::String(s)) => quote! { #s.to_owned() },
        (Primitive::DateTime, Value::String(s)) => {
            chrono_check(s)?;
            quote! { #s.parse::<#krate::chrono::DateTime<#krate::chrono::Utc>>().expect("valid timestamp") }
        }
        (Primitive::Date, Value::String(s)) => {
            quote! { #s.parse::<#krate::chrono::NaiveDate>().expect("valid date") }
        }
        (Primitive::Bool, Value::Bool(b)) => quote! { #b },
        (Primitive::I32, Value::Number(n)) => {
            Literal::i32_unsuffixed(i32::try_from(n.as_i64()?).ok()?).into_token_stream()
        }
        (Primitive::I64, Value::Number(n)) => {
            Literal::i64_unsuffixed(n.as_i64()?).into_token_stream()
        }
        (Primitive::U32, Value::Number(n)) => {
            Literal::u32_unsuffixed(u32::try_from(n.as_u64()?).ok()?).into_token_stream()
        }
        (Primitive::U64, Value::Number(n)) => {
            Literal::u64_unsuffixed(n.as_u64()?).into_token_stream()
        }
        (Primitive::F32, Value::Number(n)) => {
            Literal::f32_unsuffixed(n.as_f64()? as f32).into_token_stream()
        }
        (Primitive::F64, Value::Number(n)) => {
            Literal::f64_unsuffixed(n.as_f64()?).into_token_stream()
        }
        _ => return None,
    })
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

trait IntoTokens {
    fn into_token_stream(self) -> TokenStream;
}

impl IntoTokens for Literal {
    fn into_token_stream(self) -> TokenStream {
        quote! { #self }
    }
}

/// `serde_json::json!` of a value, through the crate's re-export. JSON text is valid
/// `json!` input except for `\\uXXXX` escapes, which fall back to parsing a string.
fn json(v: &Value, krate: &TokenStream) -> TokenStream {
    let text = v.to_string();
    match text.parse::<TokenStream>() {
        Ok(tokens) if !text.contains("\\u") => quote! { #krate::serde_json::json!(#tokens) },
        _ => {
            quote! { #krate::serde_json::from_str::<#krate::serde_json::Value>(#text).expect("valid JSON") }
        }
    }
}
