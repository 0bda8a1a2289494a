//! Sample values for the emitted contract tests, as JSON: the spec's examples where
//! they fit, reshaped to the call being made, else values synthesised from the type and
//! its schema's [`Constraints`] that a validating server accepts (an enum's first
//! value, a string matching the `pattern` or `format`, a number within its bounds, an
//! E.164 phone number where the pattern asks for one).
//!
//! Everything here is deterministic: the same IR gives the same samples.

use regex_syntax::hir::{Class, Hir, HirKind};
use serde_json::{Map, Value, json};

use super::values::ValueBuilder;
use crate::ir::{Api, Constraints, Field, Presence, Primitive, Struct, Tagging, TypeKind, TypeRef};

/// How much of an object to fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Only the required members.
    Required,
    /// Every member.
    All,
}

/// Beyond this nesting, objects get their required members only (recursive types).
const FULL_DEPTH: usize = 4;
/// Beyond this nesting, nothing is synthesised.
const MAX_DEPTH: usize = 16;

/// Strings tried first for a `pattern`, so samples look like real data: an E.164
/// phone number, an id, a word, a code.
const PATTERN_CANDIDATES: &[&str] = &[
    "+12025550123",
    "b2c3d4e5-f6a7-8901-bcde-f23456789012",
    "example",
    "EXAMPLE",
    "example-1",
    "12345",
    "2024-01-15",
    "2024-01-15T10:30:00Z",
    "https://example.com",
    "user@example.com",
];

/// Builds sample JSON values for types of one API.
pub struct Samples<'a> {
    pub api: &'a Api,
    pub values: &'a ValueBuilder<'a>,
    /// Where statements written as text go (see [`super::code::Code::statement`]).
    pub code: &'a super::code::Code,
}

impl Samples<'_> {
    /// The spec's `example` for a slot of type `ty`, reshaped to `fill`, when it fits
    /// the type; else a synthesised value.
    pub fn value(
        &self,
        ty: &TypeRef,
        constraints: Option<&Constraints>,
        example: Option<&Value>,
        fill: Fill,
    ) -> Option<Value> {
        example
            .filter(|e| fits(constraints, e) && self.values.expr(ty, e).is_some())
            .and_then(|e| self.reshape(ty, e, fill, 0))
            .filter(|v| self.values.expr(ty, v).is_some())
            .or_else(|| self.synth(ty, constraints, fill, 0))
    }

    /// A value of type `ty` respecting `c`, with objects filled to `fill`.
    pub fn synth(
        &self,
        ty: &TypeRef,
        c: Option<&Constraints>,
        fill: Fill,
        depth: usize,
    ) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some(first) = c.and_then(|c| c.values.first()) {
            return Some(first.clone());
        }
        Some(match ty {
            TypeRef::Primitive(p) => primitive(*p, c),
            TypeRef::Option(inner) => self.synth(inner, c, fill, depth + 1)?,
            TypeRef::List(inner) => {
                let item_c = c.and_then(|c| c.items.as_deref());
                let min = c.and_then(|c| c.min_items).unwrap_or(0);
                let max = c.and_then(|c| c.max_items).unwrap_or(u64::MAX);
                // Two items of a scalar where allowed: one item is indistinguishable
                // from a scalar in a query string or form, so only two show that the
                // value went out as an array (repeated name or delimiter).
                let floor = if self.is_scalar(inner) { 2 } else { 1 };
                let wanted = min.max(floor).min(max);
                let unique = c.is_some_and(|c| c.unique_items);
                let mut items = Vec::new();
                for i in 0..wanted.min(64) {
                    let item = self.nth(inner, item_c, fill, depth + 1, i as usize, unique)?;
                    if unique && items.contains(&item) {
                        break;
                    }
                    items.push(item);
                }
                if (items.len() as u64) < min {
                    return None;
                }
                Value::Array(items)
            }
            TypeRef::Map(inner) => {
                let v = self.synth(inner, c.and_then(|c| c.items.as_deref()), fill, depth + 1)?;
                json!({ "key": v })
            }
            TypeRef::Object | TypeRef::Any => json!({}),
            TypeRef::Named(id) => {
                let def = self.api.type_def(*id);
                if let Some(example) = &def.example
                    && self.values.expr(ty, example).is_some()
                    && let Some(v) = self.reshape(ty, example, fill, depth)
                {
                    return Some(v);
                }
                match &def.kind {
                    TypeKind::Struct(s) => self.object(s, fill, depth)?,
                    TypeKind::Enum(e) => {
                        Value::String(e.variants.first()?.value.text().into_owned())
                    }
                    TypeKind::Union(u) => match &u.tagging {
                        Tagging::Discriminator { property, .. } => {
                            u.variants.iter().find_map(|v| {
                                let tag = v.tags.first()?;
                                let mut payload = self.synth(&v.ty, None, fill, depth + 1)?;
                                payload
                                    .as_object_mut()?
                                    .insert(property.clone(), Value::String(tag.clone()));
                                Some(payload)
                            })?
                        }
                        Tagging::Untagged => u
                            .variants
                            .iter()
                            .find_map(|v| self.synth(&v.ty, None, fill, depth + 1))?,
                    },
                    TypeKind::Alias(t) | TypeKind::Newtype(t) => {
                        self.synth(t, c, fill, depth + 1)?
                    }
                    TypeKind::Params(_) | TypeKind::Event(_) => return None,
                }
            }
        })
    }

    /// A string, number, boolean or string enum (through aliases).
    fn is_scalar(&self, ty: &TypeRef) -> bool {
        match ty {
            TypeRef::Primitive(_) => true,
            TypeRef::Named(id) => match &self.api.type_def(*id).kind {
                TypeKind::Enum(_) => true,
                TypeKind::Alias(t) => self.is_scalar(t),
                _ => false,
            },
            _ => false,
        }
    }

    /// The `i`-th of several distinct values where the type has several (enum values),
    /// for lists whose items must be unique.
    fn nth(
        &self,
        ty: &TypeRef,
        c: Option<&Constraints>,
        fill: Fill,
        depth: usize,
        i: usize,
        unique: bool,
    ) -> Option<Value> {
        if let Some(values) = c.map(|c| &c.values).filter(|v| !v.is_empty()) {
            return Some(values[i % values.len()].clone());
        }
        // Strings vary only where they must (`uniqueItems`): odd but valid variants of a
        // pattern are worse samples than the first one repeated.
        if unique && *ty == TypeRef::Primitive(Primitive::String) {
            return Some(Value::String(string_nth(c, i)));
        }
        if let TypeRef::Named(id) = ty
            && let TypeKind::Enum(e) = &self.api.type_def(*id).kind
            && !e.variants.is_empty()
        {
            return Some(Value::String(
                e.variants[i % e.variants.len()].value.text().into_owned(),
            ));
        }
        self.synth(ty, c, fill, depth)
    }

    /// An object with the members `fill` asks for.
    fn object(&self, s: &Struct, fill: Fill, depth: usize) -> Option<Value> {
        let fill = if depth > FULL_DEPTH {
            Fill::Required
        } else {
            fill
        };
        let mut map = Map::new();
        for f in &s.fields {
            let required = matches!(f.presence, Presence::Required | Presence::RequiredNullable);
            if !required && (fill == Fill::Required || read_only(f)) {
                continue;
            }
            match self.synth(&f.ty, f.constraints.as_deref(), fill, depth + 1) {
                Some(v) => {
                    map.insert(f.wire_name.clone(), v);
                }
                None if required => return None,
                None => {}
            }
        }
        Some(Value::Object(map))
    }

    /// `example` with optional object members dropped (`Required`) or missing ones
    /// added (`All`), following the type into nested objects and lists.
    pub fn reshape(
        &self,
        ty: &TypeRef,
        example: &Value,
        fill: Fill,
        depth: usize,
    ) -> Option<Value> {
        if depth > MAX_DEPTH {
            return Some(example.clone());
        }
        Some(match (ty, example) {
            (TypeRef::Option(inner), v) if !v.is_null() => {
                self.reshape(inner, v, fill, depth + 1)?
            }
            (TypeRef::List(inner), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|i| self.reshape(inner, i, fill, depth + 1))
                    .collect::<Option<Vec<_>>>()?,
            ),
            (TypeRef::Named(id), Value::Object(members)) => match &self.api.type_def(*id).kind {
                TypeKind::Struct(s) => {
                    let fill_here = if depth > FULL_DEPTH {
                        Fill::Required
                    } else {
                        fill
                    };
                    let mut map = Map::new();
                    for (key, v) in members {
                        match s.fields.iter().find(|f| &f.wire_name == key) {
                            Some(f) => {
                                let required = matches!(
                                    f.presence,
                                    Presence::Required | Presence::RequiredNullable
                                );
                                if !(required || (fill_here == Fill::All && !read_only(f))) {
                                    continue;
                                }
                                let c = f.constraints.as_deref();
                                // An example value that breaks its own schema (an empty
                                // `format: uri` string) is replaced by a synthesised one.
                                let value = if fits(c, v) {
                                    self.reshape(&f.ty, v, fill, depth + 1)
                                } else {
                                    self.synth(&f.ty, c, fill, depth + 1)
                                };
                                match value {
                                    Some(value) => {
                                        map.insert(key.clone(), value);
                                    }
                                    None if required => return None,
                                    None => {}
                                }
                            }
                            // Extra members (additional properties) are data: kept in full.
                            None if fill_here == Fill::All => {
                                map.insert(key.clone(), v.clone());
                            }
                            None => {}
                        }
                    }
                    for f in &s.fields {
                        if map.contains_key(&f.wire_name) || members.contains_key(&f.wire_name) {
                            continue;
                        }
                        let required =
                            matches!(f.presence, Presence::Required | Presence::RequiredNullable);
                        if required || (fill_here == Fill::All && !read_only(f)) {
                            match self.synth(&f.ty, f.constraints.as_deref(), fill, depth + 1) {
                                Some(v) => {
                                    map.insert(f.wire_name.clone(), v);
                                }
                                None if required => return None,
                                None => {}
                            }
                        }
                    }
                    Value::Object(map)
                }
                TypeKind::Alias(t) | TypeKind::Newtype(t) => {
                    self.reshape(t, example, fill, depth + 1)?
                }
                _ => example.clone(),
            },
            (TypeRef::Named(id), v) => match &self.api.type_def(*id).kind {
                TypeKind::Alias(t) | TypeKind::Newtype(t) => self.reshape(t, v, fill, depth + 1)?,
                _ => v.clone(),
            },
            (_, v) => v.clone(),
        })
    }
}

/// A `readOnly` member: the server sends it and rejects it in a request, so sample
/// requests leave it out unless it is required.
fn read_only(f: &Field) -> bool {
    f.constraints.as_ref().is_some_and(|c| c.read_only)
}

/// Whether a string example respects the `pattern`, lengths and well-known `format`
/// of `c` (other values are taken as they are).
fn fits(c: Option<&Constraints>, v: &Value) -> bool {
    let (Some(c), Value::String(s)) = (c, v) else {
        return true;
    };
    let n = s.chars().count() as u64;
    let format_ok = match c.format.as_deref() {
        Some("uri" | "url" | "iri") => has_scheme(s),
        Some("email") => s.contains('@'),
        Some("uuid") => s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4,
        _ => true,
    };
    format_ok
        && c.min_length.is_none_or(|m| n >= m)
        && c.max_length.is_none_or(|m| n <= m)
        && c.pattern
            .as_deref()
            .and_then(|p| regex::Regex::new(p).ok())
            .is_none_or(|re| re.is_match(s))
}

/// An absolute URI: a scheme (a letter, then letters, digits, `+`, `-` or `.`) and `:`.
fn has_scheme(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// A scalar respecting `c`.
fn primitive(p: Primitive, c: Option<&Constraints>) -> Value {
    match p {
        Primitive::String => Value::String(string(c)),
        Primitive::DateTime => json!("2024-01-15T10:30:00Z"),
        Primitive::Date => json!("2024-01-15"),
        Primitive::Bool => Value::Bool(true),
        Primitive::I32 | Primitive::I64 => json!(integer(c, i64::MIN as f64) as i64),
        Primitive::U32 | Primitive::U64 => json!(integer(c, 0.0) as u64),
        Primitive::F32 | Primitive::F64 => json!(float(c)),
    }
}

/// The smallest sensible integer within the bounds: 1 when allowed, else the first
/// one past the lower bound (or below the upper), rounded up to `multipleOf`.
fn integer(c: Option<&Constraints>, floor: f64) -> f64 {
    let (lo, hi) = bounds(c, 1.0);
    let mut v = if (lo..=hi).contains(&1.0) {
        1.0
    } else if lo > 1.0 {
        lo.ceil()
    } else {
        hi.floor()
    };
    if let Some(m) = c.and_then(|c| c.multiple_of).filter(|m| *m > 0.0) {
        v = (v / m).ceil() * m;
        if v > hi {
            v = (hi / m).floor() * m;
        }
    }
    v.max(floor)
}

fn float(c: Option<&Constraints>) -> f64 {
    let (lo, hi) = bounds(c, 0.5);
    let mut v = if (lo..=hi).contains(&1.5) {
        1.5
    } else if lo > 1.5 {
        lo
    } else {
        hi
    };
    if let Some(m) = c.and_then(|c| c.multiple_of).filter(|m| *m > 0.0) {
        v = (v / m).ceil() * m;
    }
    v
}

/// Inclusive bounds; an exclusive bound is moved inwards by `step`.
fn bounds(c: Option<&Constraints>, step: f64) -> (f64, f64) {
    let lo = c.and_then(|c| c.minimum).map_or(f64::MIN, |b| {
        if b.exclusive { b.value + step } else { b.value }
    });
    let hi = c.and_then(|c| c.maximum).map_or(f64::MAX, |b| {
        if b.exclusive { b.value - step } else { b.value }
    });
    (lo, hi)
}

/// A string matching the constraints' `pattern`, `format` and lengths.
pub fn string(c: Option<&Constraints>) -> String {
    string_nth(c, 0)
}

/// The `i`-th of several distinct sample strings where the constraints allow them (items
/// of a list with `uniqueItems`); the first one ([`string`]) otherwise.
fn string_nth(c: Option<&Constraints>, i: usize) -> String {
    let format = c.and_then(|c| c.format.as_deref());
    let by_format = format.and_then(format_sample);
    let Some(pattern) = c.and_then(|c| c.pattern.as_deref()) else {
        let s = match by_format {
            Some(s) => s.to_string(),
            None if i > 0 => format!("string{i}"),
            None => "string".to_string(),
        };
        return fit_length(s, c);
    };
    let Ok(re) = regex::Regex::new(pattern) else {
        return by_format.unwrap_or("string").to_string();
    };
    let within = |s: &str| {
        let n = s.chars().count() as u64;
        c.and_then(|c| c.min_length).is_none_or(|m| n >= m)
            && c.and_then(|c| c.max_length).is_none_or(|m| n <= m)
    };
    let mut matching = by_format
        .into_iter()
        .chain(PATTERN_CANDIDATES.iter().copied())
        .map(str::to_string)
        .chain(from_pattern(pattern))
        .filter(|s| re.is_match(s) && within(s));
    let first = matching.next();
    let wanted = match i {
        0 => None,
        _ => matching.nth(i - 1),
    };
    wanted
        .or(first)
        .unwrap_or_else(|| by_format.unwrap_or("string").to_string())
}

/// What a string of a well-known format looks like.
fn format_sample(format: &str) -> Option<&'static str> {
    Some(match format {
        "uuid" => "b2c3d4e5-f6a7-8901-bcde-f23456789012",
        "email" => "user@example.com",
        "uri" | "url" | "iri" => "https://example.com/path",
        "uri-reference" | "iri-reference" => "/path",
        "hostname" | "idn-hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "ipv6" => "2001:db8::1",
        "date" => "2024-01-15",
        "date-time" => "2024-01-15T10:30:00Z",
        "time" => "10:30:00Z",
        "duration" => "P1D",
        "byte" => "ZXhhbXBsZQ==",
        "phone" | "phone-number" | "e164" => "+12025550123",
        "password" => "secret-password",
        _ => return None,
    })
}

/// Pads (with `x`) or cuts a string without a pattern to the allowed length.
fn fit_length(mut s: String, c: Option<&Constraints>) -> String {
    if let Some(min) = c.and_then(|c| c.min_length) {
        while (s.chars().count() as u64) < min {
            s.push('x');
        }
    }
    if let Some(max) = c.and_then(|c| c.max_length) {
        s = s.chars().take(max as usize).collect();
    }
    s
}

/// The shortest-looking string the pattern's syntax tree describes: first
/// alternatives, minimum repetitions, a letter or digit from each class.
fn from_pattern(pattern: &str) -> Option<String> {
    let hir = regex_syntax::parse(pattern).ok()?;
    let mut out = String::new();
    write_hir(&hir, &mut out, 0)?;
    Some(out)
}

fn write_hir(hir: &Hir, out: &mut String, depth: usize) -> Option<()> {
    if depth > 64 || out.len() > 4096 {
        return None;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => out.push_str(std::str::from_utf8(&lit.0).ok()?),
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect();
            out.push(pick(&ranges)?);
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
                .collect();
            out.push(pick(&ranges)?);
        }
        HirKind::Repetition(rep) => {
            for _ in 0..rep.min.min(256) {
                write_hir(&rep.sub, out, depth + 1)?;
            }
        }
        HirKind::Capture(cap) => write_hir(&cap.sub, out, depth + 1)?,
        HirKind::Concat(parts) => {
            for p in parts {
                write_hir(p, out, depth + 1)?;
            }
        }
        HirKind::Alternation(alts) => write_hir(alts.first()?, out, depth + 1)?,
    }
    Some(())
}

/// A readable character from a class: a lowercase letter, a digit, an uppercase
/// letter, else the first printable one.
fn pick(ranges: &[(char, char)]) -> Option<char> {
    let preferred = ['a', '0', 'A', '1', 'x'];
    for want in preferred {
        if ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&want)) {
            return Some(want);
        }
    }
    ranges
        .iter()
        .flat_map(|(lo, hi)| (*lo..=*hi).take(128))
        .find(|c| !c.is_control() && !c.is_whitespace())
        .or_else(|| ranges.first().map(|(lo, _)| *lo))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Bound;

    fn c(f: impl FnOnce(&mut Constraints)) -> Constraints {
        let mut c = Constraints::default();
        f(&mut c);
        c
    }

    #[test]
    fn strings_follow_pattern_and_format() {
        let e164 = c(|c| c.pattern = Some(r"^\+[1-9]\d{1,14}$".into()));
        assert_eq!(string(Some(&e164)), "+12025550123");
        let code = c(|c| c.pattern = Some(r"^[A-Z]{3}-\d{4}$".into()));
        assert_eq!(string(Some(&code)), "AAA-0000");
        let uuid = c(|c| c.format = Some("uuid".into()));
        assert_eq!(string(Some(&uuid)), "b2c3d4e5-f6a7-8901-bcde-f23456789012");
        let short = c(|c| {
            c.min_length = Some(8);
            c.max_length = Some(10);
        });
        assert_eq!(string(Some(&short)), "stringxx");
        let alt = c(|c| c.pattern = Some("^(cat|dog)s?$".into()));
        assert_eq!(string(Some(&alt)), "cat");
        assert_eq!(string(None), "string");
    }

    #[test]
    fn examples_breaking_their_format_do_not_fit() {
        let uri = c(|c| c.format = Some("uri".into()));
        assert!(fits(Some(&uri), &json!("https://example.com/a")));
        assert!(fits(Some(&uri), &json!("urn:isbn:0451450523")));
        assert!(!fits(Some(&uri), &json!("")));
        assert!(!fits(Some(&uri), &json!("/relative/path")));
        let code = c(|c| c.pattern = Some("^[A-Z]{2}$".into()));
        assert!(fits(Some(&code), &json!("AB")));
        assert!(!fits(Some(&code), &json!("abc")));
        assert!(fits(Some(&code), &json!(null)));
        assert!(fits(None, &json!("")));
    }

    #[test]
    fn numbers_stay_within_bounds() {
        let above = c(|c| {
            c.minimum = Some(Bound {
                value: 10.0,
                exclusive: true,
            })
        });
        assert_eq!(primitive(Primitive::I64, Some(&above)), json!(11));
        let below = c(|c| {
            c.maximum = Some(Bound {
                value: -3.0,
                exclusive: false,
            })
        });
        assert_eq!(primitive(Primitive::I32, Some(&below)), json!(-3));
        let step = c(|c| {
            c.minimum = Some(Bound {
                value: 7.0,
                exclusive: false,
            });
            c.multiple_of = Some(5.0);
        });
        assert_eq!(primitive(Primitive::U32, Some(&step)), json!(10));
        let fraction = c(|c| {
            c.maximum = Some(Bound {
                value: 1.0,
                exclusive: true,
            })
        });
        assert_eq!(primitive(Primitive::F64, Some(&fraction)), json!(0.5));
        assert_eq!(primitive(Primitive::I64, None), json!(1));
    }
}
