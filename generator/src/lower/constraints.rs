//! The validation keywords of a field's or parameter's schema (`pattern`, `format`,
//! bounds, lengths), read from the raw document into the IR's [`Constraints`].
//!
//! The Rust types do not carry these keywords, but sample values (the emitted contract
//! tests) must respect them. They are read from the JSON rather than from `openapiv3`
//! so that a slot behind `$ref`s (a parameter, a property typed by a named scalar) gets
//! the keywords of the schema it finally points at.

use serde_json::Value;

use crate::ir::{Bound, Constraints};
use crate::member::Member;
use crate::pointer::JsonPointer;

/// How many `$ref` hops or nested schemas are followed before giving up.
const MAX_DEPTH: usize = 32;

/// The constraints of the schema at `pointer` (a property or a parameter's `schema`),
/// `None` when it has none. References on the way are followed.
pub(super) fn at(doc: &Value, pointer: &JsonPointer) -> Option<Box<Constraints>> {
    let raw = unfollowed(doc, pointer)?;
    let node = follow(doc, raw, 0)?;
    let mut c = of(doc, node, 0);
    // `readOnly` may sit beside a `$ref` (3.1) or on the schema it points at.
    c.read_only |= raw.member("readOnly").and_then(Value::as_bool) == Some(true);
    (c != Constraints::default()).then(|| Box::new(c))
}

/// Walks `pointer` segment by segment, following a `$ref` wherever one is met on the
/// way (a parameter given as `$ref` still has a `schema` below its target); the node
/// reached is returned as written, its own `$ref` not followed.
fn unfollowed<'a>(doc: &'a Value, pointer: &JsonPointer) -> Option<&'a Value> {
    let mut node = doc;
    pointer.for_each_segment(|segment| {
        node = match follow(doc, node, 0)? {
            Value::Object(map) => map.member(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
        Some(())
    })?;
    Some(node)
}

/// The node itself, or what its `$ref` chain ends at.
fn follow<'a>(doc: &'a Value, node: &'a Value, depth: usize) -> Option<&'a Value> {
    match node.member("$ref").and_then(Value::as_str) {
        Some(r) if depth < MAX_DEPTH => {
            let target = JsonPointer::parse(r)?.resolve(doc)?;
            follow(doc, target, depth + 1)
        }
        Some(_) => None,
        None => Some(node),
    }
}

fn of(doc: &Value, node: &Value, depth: usize) -> Constraints {
    let mut c = Constraints::default();
    let Some(node) = follow(doc, node, 0).filter(|_| depth < MAX_DEPTH) else {
        return c;
    };
    let text = |key: &str| node.member(key).and_then(Value::as_str).map(str::to_string);
    let count = |key: &str| node.member(key).and_then(Value::as_u64);
    c.format = text("format");
    c.pattern = text("pattern");
    c.min_length = count("minLength");
    c.max_length = count("maxLength");
    c.min_items = count("minItems");
    c.max_items = count("maxItems");
    c.unique_items = node.member("uniqueItems").and_then(Value::as_bool) == Some(true);
    c.multiple_of = node.member("multipleOf").and_then(Value::as_f64);
    c.read_only = node.member("readOnly").and_then(Value::as_bool) == Some(true);
    c.minimum = bound(node, "minimum", "exclusiveMinimum");
    c.maximum = bound(node, "maximum", "exclusiveMaximum");
    if let Some(v) = node.member("const") {
        c.values = vec![v.clone()];
    } else if let Some(Value::Array(values)) = node.member("enum") {
        // String enums are named types already; only other kinds need the list.
        if !values.iter().all(|v| v.is_string() || v.is_null()) {
            c.values = values.iter().filter(|v| !v.is_null()).cloned().collect();
        }
    }
    // A map's values (`additionalProperties: {schema}`) are kept where an array's items are.
    let items = node.member("items").or_else(|| {
        node.member("additionalProperties")
            .filter(|v| v.is_object())
    });
    if let Some(items) = items {
        let inner = of(doc, items, depth + 1);
        if inner != Constraints::default() {
            c.items = Some(Box::new(inner));
        }
    }
    // `allOf: [{$ref}]` (the 3.0 way to annotate a reference) and `X | null` unions
    // carry the keywords of their one real member.
    for key in ["allOf", "oneOf", "anyOf"] {
        let Some(Value::Array(members)) = node.member(key) else {
            continue;
        };
        let real: Vec<&Value> = members.iter().filter(|m| !is_null_only(m)).collect();
        if key == "allOf" || real.len() == 1 {
            for m in real {
                merge(&mut c, of(doc, m, depth + 1));
            }
        }
    }
    c
}

/// `minimum` with a boolean `exclusiveMinimum` (3.0), or a numeric `exclusiveMinimum`
/// (3.1); the stricter one when both are given.
fn bound(node: &Value, inclusive: &str, exclusive: &str) -> Option<Bound> {
    let limit = node.member(inclusive).and_then(Value::as_f64);
    match node.member(exclusive) {
        Some(Value::Bool(true)) => limit.map(|value| Bound {
            value,
            exclusive: true,
        }),
        Some(Value::Number(n)) => n.as_f64().map(|value| Bound {
            value,
            exclusive: true,
        }),
        _ => limit.map(|value| Bound {
            value,
            exclusive: false,
        }),
    }
}

/// Fills what `c` lacks from `other`.
fn merge(c: &mut Constraints, other: Constraints) {
    c.format = c.format.take().or(other.format);
    c.pattern = c.pattern.take().or(other.pattern);
    c.min_length = c.min_length.or(other.min_length);
    c.max_length = c.max_length.or(other.max_length);
    c.minimum = c.minimum.or(other.minimum);
    c.maximum = c.maximum.or(other.maximum);
    c.multiple_of = c.multiple_of.or(other.multiple_of);
    c.min_items = c.min_items.or(other.min_items);
    c.max_items = c.max_items.or(other.max_items);
    c.unique_items |= other.unique_items;
    if c.values.is_empty() {
        c.values = other.values;
    }
    c.items = c.items.take().or(other.items);
}

/// `{type: 'null'}`, or its 3.0 rewrite `{nullable: true}` with nothing else.
fn is_null_only(m: &Value) -> bool {
    m.member("type").and_then(Value::as_str) == Some("null")
        || m.as_object().is_some_and(|o| {
            o.len() == 1 && o.member("nullable").and_then(Value::as_bool) == Some(true)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ptr(text: &str) -> JsonPointer {
        JsonPointer::parse(text).expect("a local pointer")
    }

    #[test]
    fn reads_keywords_through_references() {
        let doc = json!({
            "components": {
                "parameters": {"P": {"name": "p", "in": "query", "schema": {"$ref": "#/components/schemas/Phone"}}},
                "schemas": {
                    "Phone": {"type": "string", "pattern": "^\\+[1-9]\\d{1,14}$"},
                    "S": {"properties": {
                        "phones": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Phone"}},
                        "n": {"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9},
                        "m": {"type": "number", "exclusiveMaximum": 5},
                        "k": {"const": false},
                        "plain": {"type": "string"}
                    }}
                }
            },
            "paths": {"/x": {"get": {"parameters": [{"$ref": "#/components/parameters/P"}]}}}
        });
        let p = at(&doc, &ptr("#/paths/~1x/get/parameters/0/schema")).expect("constraints");
        assert_eq!(p.pattern.as_deref(), Some("^\\+[1-9]\\d{1,14}$"));
        let phones =
            at(&doc, &ptr("#/components/schemas/S/properties/phones")).expect("constraints");
        assert_eq!(phones.min_items, Some(1));
        assert!(phones.items.as_ref().is_some_and(|i| i.pattern.is_some()));
        let n = at(&doc, &ptr("#/components/schemas/S/properties/n")).expect("constraints");
        assert_eq!(
            n.minimum,
            Some(Bound {
                value: 0.0,
                exclusive: true
            })
        );
        assert_eq!(
            n.maximum,
            Some(Bound {
                value: 9.0,
                exclusive: false
            })
        );
        let m = at(&doc, &ptr("#/components/schemas/S/properties/m")).expect("constraints");
        assert_eq!(
            m.maximum,
            Some(Bound {
                value: 5.0,
                exclusive: true
            })
        );
        let k = at(&doc, &ptr("#/components/schemas/S/properties/k")).expect("constraints");
        assert_eq!(k.values, vec![json!(false)]);
        assert_eq!(
            at(&doc, &ptr("#/components/schemas/S/properties/plain")),
            None
        );
        assert_eq!(at(&doc, &ptr("#/nowhere")), None);
    }
}
