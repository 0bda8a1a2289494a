//! Stage 2, normalize: rewrite OpenAPI 3.1 (JSON Schema 2020-12) forms into the
//! OpenAPI 3.0 forms that the `openapiv3` parser reads. 3.0 input passes through.
//!
//! The walk is positional: only nodes in schema position are rewritten, so example
//! payloads (which may contain keys like `$ref` or `type`) stay untouched data.

use serde_json::{Map, Value};

use crate::error::Diagnostic;
use crate::member::Member;
use crate::pointer::JsonPointer;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Rewrites `doc` in place; returns notes about constructs that were approximated.
pub fn normalize(doc: &mut Value) -> Vec<Diagnostic> {
    let mut n = Normalizer { notes: Vec::new() };
    let Some(root) = doc.as_object_mut() else {
        return n.notes;
    };
    // 3.1 makes `paths` optional (webhook-only descriptions); the 3.0 parser needs it.
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(Value::Object(paths)) = root.member_mut("paths") {
        for (path, item) in paths.iter_mut() {
            n.path_item(item, &JsonPointer::at(&["paths", path]));
        }
    }
    for key in ["webhooks", "x-webhooks"] {
        if let Some(Value::Object(hooks)) = root.member_mut(key) {
            for (name, item) in hooks.iter_mut() {
                n.path_item(item, &JsonPointer::at(&[key, name]));
            }
        }
    }
    if let Some(Value::Object(components)) = root.member_mut("components") {
        n.components(components);
    }
    n.mutual_tls(root);
    n.notes
}

struct Normalizer {
    notes: Vec<Diagnostic>,
}

impl Normalizer {
    fn note(&mut self, pointer: &JsonPointer, message: impl Into<String>) {
        self.notes.push(Diagnostic {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    fn components(&mut self, components: &mut Map<String, Value>) {
        let base = JsonPointer::at(&["components"]);
        for (section, value) in components.iter_mut() {
            let Value::Object(entries) = value else {
                continue;
            };
            let section_ptr = base.join(section);
            for (name, entry) in entries.iter_mut() {
                let ptr = section_ptr.join(name);
                match section.as_str() {
                    "schemas" => self.schema(entry, &ptr),
                    "parameters" => self.parameter(entry, &ptr),
                    "responses" => self.response(entry, &ptr),
                    "requestBodies" => self.content_holder(entry, &ptr),
                    "headers" => self.parameter(entry, &ptr),
                    "pathItems" => self.path_item(entry, &ptr),
                    "callbacks" => self.callback(entry, &ptr),
                    _ => {}
                }
            }
        }
    }

    fn path_item(&mut self, item: &mut Value, ptr: &JsonPointer) {
        let Value::Object(item) = item else { return };
        if let Some(Value::Array(params)) = item.member_mut("parameters") {
            for (i, p) in params.iter_mut().enumerate() {
                self.parameter(p, &ptr.join("parameters").with(i));
            }
        }
        for method in METHODS {
            if let Some(op) = item.member_mut(method) {
                self.operation(op, &ptr.join(method));
            }
        }
    }

    fn operation(&mut self, op: &mut Value, ptr: &JsonPointer) {
        let Value::Object(op) = op else { return };
        // 3.1 makes `responses` optional; the 3.0 parser needs the (empty) map, which
        // lowering reads as "no documented response body".
        op.entry("responses")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(Value::Array(params)) = op.member_mut("parameters") {
            for (i, p) in params.iter_mut().enumerate() {
                self.parameter(p, &ptr.join("parameters").with(i));
            }
        }
        if let Some(body) = op.member_mut("requestBody") {
            self.content_holder(body, &ptr.join("requestBody"));
        }
        if let Some(Value::Object(responses)) = op.member_mut("responses") {
            for (code, r) in responses.iter_mut() {
                self.response(r, &ptr.join("responses").with(code));
            }
        }
        if let Some(Value::Object(callbacks)) = op.member_mut("callbacks") {
            for (name, cb) in callbacks.iter_mut() {
                self.callback(cb, &ptr.join("callbacks").with(name));
            }
        }
    }

    /// `mutualTLS` (3.1) is a property of the TLS connection, not of a request, and the
    /// 3.0 parser has no such scheme: the scheme is removed, and so is its name from
    /// every security requirement, with a note.
    fn mutual_tls(&mut self, root: &mut Map<String, Value>) {
        let Some(Value::Object(schemes)) = root
            .member_mut("components")
            .and_then(|c| c.member_mut("securitySchemes"))
        else {
            return;
        };
        let removed: Vec<String> = schemes
            .iter()
            .filter(|(_, s)| s.member("type").and_then(Value::as_str) == Some("mutualTLS"))
            .map(|(name, _)| name.clone())
            .collect();
        for name in &removed {
            schemes.shift_remove(name);
            self.note(
                &JsonPointer::at(&["components", "securitySchemes", name]),
                "`mutualTLS` is set up on the TLS connection (a client certificate), not sent per request; the scheme is left out",
            );
        }
        if removed.is_empty() {
            return;
        }
        let strip = |requirements: &mut Value| {
            if let Value::Array(list) = requirements {
                for requirement in list.iter_mut() {
                    if let Value::Object(r) = requirement {
                        r.retain(|name, _| !removed.contains(name));
                    }
                }
            }
        };
        if let Some(security) = root.member_mut("security") {
            strip(security);
        }
        for key in ["paths", "webhooks", "x-webhooks"] {
            let Some(Value::Object(items)) = root.member_mut(key) else {
                continue;
            };
            for item in items.values_mut() {
                for method in METHODS {
                    if let Some(security) = item
                        .member_mut(method)
                        .and_then(|op| op.member_mut("security"))
                    {
                        strip(security);
                    }
                }
            }
        }
    }

    fn callback(&mut self, cb: &mut Value, ptr: &JsonPointer) {
        let Value::Object(cb) = cb else { return };
        for (expr, item) in cb.iter_mut() {
            if expr != "$ref" {
                self.path_item(item, &ptr.join(expr));
            }
        }
    }

    fn parameter(&mut self, p: &mut Value, ptr: &JsonPointer) {
        if let Some(schema) = p.member_mut("schema") {
            self.schema(schema, &ptr.join("schema"));
        }
        self.content_holder(p, ptr);
    }

    fn response(&mut self, r: &mut Value, ptr: &JsonPointer) {
        if let Some(Value::Object(headers)) = r.member_mut("headers") {
            for (name, h) in headers.iter_mut() {
                self.parameter(h, &ptr.join("headers").with(name));
            }
        }
        self.content_holder(r, ptr);
    }

    fn content_holder(&mut self, holder: &mut Value, ptr: &JsonPointer) {
        if let Some(Value::Object(content)) = holder.member_mut("content") {
            for (media, m) in content.iter_mut() {
                let mptr = ptr.join("content").with(media);
                if let Some(schema) = m.member_mut("schema") {
                    self.schema(schema, &mptr.join("schema"));
                }
                explicit_explode(m);
            }
        }
    }

    /// Rewrites one schema and everything below it.
    fn schema(&mut self, schema: &mut Value, ptr: &JsonPointer) {
        // JSON Schema allows `true` / `false` as whole schemas.
        if let Value::Bool(b) = schema {
            *schema = if *b {
                Value::Object(Map::new())
            } else {
                serde_json::json!({ "not": {} })
            };
            return;
        }
        let Value::Object(obj) = schema else { return };
        self.rewrite(obj, ptr);
        self.children(obj, ptr);
    }

    fn children(&mut self, obj: &mut Map<String, Value>, ptr: &JsonPointer) {
        for key in [
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
        ] {
            if let Some(Value::Object(map)) = obj.member_mut(key) {
                let base = ptr.join(key);
                for (name, s) in map.iter_mut() {
                    self.schema(s, &base.join(name));
                }
            }
        }
        for key in ["allOf", "oneOf", "anyOf", "prefixItems"] {
            if let Some(Value::Array(list)) = obj.member_mut(key) {
                for (i, s) in list.iter_mut().enumerate() {
                    self.schema(s, &ptr.join(key).with(i));
                }
            }
        }
        for key in [
            "items",
            "not",
            "contains",
            "if",
            "then",
            "else",
            "propertyNames",
        ] {
            if let Some(s) = obj.member_mut(key) {
                self.schema(s, &ptr.join(key));
            }
        }
        if let Some(ap @ Value::Object(_)) = obj.member_mut("additionalProperties") {
            self.schema(ap, &ptr.join("additionalProperties"));
        }
    }

    fn rewrite(&mut self, obj: &mut Map<String, Value>, ptr: &JsonPointer) {
        // `$ref` with sibling keywords (3.1): the siblings apply too. Keep the reference
        // as the single member of an `allOf`, which the 3.0 parser reads and lowering
        // understands as "that type, with these annotations".
        if obj.member("$ref").is_some()
            && obj.len() > 1
            && let Some(reference) = obj.remove("$ref")
        {
            let mut inner = Map::new();
            inner.insert("$ref".into(), reference);
            obj.insert("allOf".into(), Value::Array(vec![Value::Object(inner)]));
        }

        // `type: [T, "null"]` -> `type: T, nullable: true`; several non-null types -> oneOf.
        if let Some(Value::Array(types)) = obj.member("type") {
            let names: Vec<String> = types
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect();
            let nullable = names.iter().any(|t| t == "null");
            let rest: Vec<&String> = names.iter().filter(|t| *t != "null").collect();
            match rest.as_slice() {
                [] => {
                    obj.remove("type");
                }
                [one] => {
                    obj.insert("type".into(), Value::String((*one).clone()));
                }
                many => {
                    let base = obj.clone();
                    let branches: Vec<Value> = many
                        .iter()
                        .map(|t| {
                            let mut b = base.clone();
                            b.insert("type".into(), Value::String((*t).clone()));
                            b.remove("description");
                            b.remove("nullable");
                            Value::Object(b)
                        })
                        .collect();
                    obj.retain(|k, _| {
                        matches!(
                            k.as_str(),
                            "description" | "title" | "default" | "example" | "deprecated"
                        ) || k.starts_with("x-")
                    });
                    obj.insert("oneOf".into(), Value::Array(branches));
                }
            }
            if nullable {
                obj.insert("nullable".into(), Value::Bool(true));
            }
        }
        if obj.member("type").and_then(Value::as_str) == Some("null") {
            obj.remove("type");
            obj.insert("nullable".into(), Value::Bool(true));
        }

        // `const: v` -> `enum: [v]`.
        if let Some(c) = obj.remove("const")
            && obj.member("enum").is_none()
        {
            if c.is_null() {
                obj.insert("nullable".into(), Value::Bool(true));
            }
            obj.insert("enum".into(), Value::Array(vec![c]));
        }
        // `enum` holding `null` means nullable in 3.1 style.
        if let Some(Value::Array(values)) = obj.member("enum")
            && values.iter().any(Value::is_null)
            && values.len() > 1
        {
            obj.insert("nullable".into(), Value::Bool(true));
        }

        // `examples: [..]` (JSON Schema) -> `example: first`.
        if let Some(Value::Array(mut examples)) = obj.remove("examples")
            && obj.member("example").is_none()
            && !examples.is_empty()
        {
            obj.insert("example".into(), examples.swap_remove(0));
        }

        // Numeric `exclusiveMinimum: n` -> `minimum: n, exclusiveMinimum: true`.
        for (exclusive, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            if let Some(Value::Number(n)) = obj.member(exclusive).cloned() {
                obj.insert(bound.into(), Value::Number(n));
                obj.insert(exclusive.into(), Value::Bool(true));
            }
        }

        // Integer schemas' bounds must be 64-bit integers for the parser; specs write
        // `minimum: -9223372036854776000` (2^63 rounded) or `1.0`. Bounds are rounded
        // inwards and clamped, which keeps every value they allowed that fits in i64.
        if obj.member("type").and_then(Value::as_str) == Some("integer") {
            for (key, round) in [
                ("minimum", f64::ceil as fn(f64) -> f64),
                ("maximum", f64::floor),
            ] {
                if let Some(Value::Number(n)) = obj.member(key)
                    && !n.is_i64()
                    && let Some(f) = n.as_f64()
                {
                    let clamped = round(f).clamp(i64::MIN as f64, i64::MAX as f64) as i64;
                    obj.insert(key.into(), Value::Number(clamped.into()));
                }
            }
            if let Some(Value::Number(n)) = obj.member("multipleOf")
                && !n.is_i64()
            {
                obj.remove("multipleOf");
            }
        }

        // `contentEncoding` / `contentMediaType` on strings (3.1) -> the 3.0 formats they
        // replaced: base64 text is `format: byte`, raw content of a non-text media type
        // is `format: binary`; a string of JSON, XML or text stays a plain string.
        if obj.member("type").and_then(Value::as_str) == Some("string")
            && obj.member("format").is_none()
        {
            let encoding = obj.member("contentEncoding").and_then(Value::as_str);
            let format = match encoding {
                Some(e)
                    if e.eq_ignore_ascii_case("base64") || e.eq_ignore_ascii_case("base64url") =>
                {
                    Some("byte")
                }
                None => obj
                    .member("contentMediaType")
                    .and_then(Value::as_str)
                    .filter(|m| {
                        let m = m.to_ascii_lowercase();
                        !(m.starts_with("text/") || m.contains("json") || m.contains("xml"))
                    })
                    .map(|_| "binary"),
                _ => None,
            };
            if let Some(format) = format {
                obj.insert("format".into(), Value::String(format.into()));
            }
        }

        // `properties` beside `oneOf`/`anyOf`: every alternative has the shared members
        // too (a body must send them). They are moved into each object alternative
        // (inline ones merged, references wrapped in an `allOf` with them), where the
        // parser and lowering see them; other alternatives are left as they are.
        for key in ["oneOf", "anyOf"] {
            let shared = matches!(obj.member(key), Some(Value::Array(_)))
                && matches!(obj.member("properties"), Some(Value::Object(p)) if !p.is_empty());
            if !shared {
                continue;
            }
            let properties = obj.remove("properties").unwrap_or_default();
            let required = obj.remove("required");
            if let Some(Value::Array(alternatives)) = obj.member_mut(key) {
                for alternative in alternatives.iter_mut() {
                    share_members(alternative, &properties, required.as_ref());
                }
            }
            break;
        }

        // `prefixItems` (tuples) has no 3.0 form: keep the data, type the items loosely.
        if obj.member("prefixItems").is_some() && obj.member("items").is_none() {
            obj.insert("items".into(), Value::Object(Map::new()));
            self.note(
                ptr,
                "`prefixItems` (tuple) is not modelled; items typed as JSON values",
            );
        }

        // A schema-valued `items: false` or boolean items appear in 3.1 tuples.
        if let Some(Value::Bool(_)) = obj.member("items") {
            obj.insert("items".into(), Value::Object(Map::new()));
        }
    }
}

/// Adds the members a union's schema declares beside its `oneOf`/`anyOf` to one
/// alternative: merged into an inline object (its own definitions win), or next to a
/// reference in an `allOf`. Alternatives that are not objects are left alone.
fn share_members(alternative: &mut Value, properties: &Value, required: Option<&Value>) {
    let Value::Object(alt) = alternative else {
        return;
    };
    let shared = || {
        let mut m = Map::new();
        m.insert("type".into(), Value::String("object".into()));
        m.insert("properties".into(), properties.clone());
        if let Some(r) = required {
            m.insert("required".into(), r.clone());
        }
        Value::Object(m)
    };
    if alt.contains_key("$ref") {
        let reference = std::mem::take(alt);
        alt.insert(
            "allOf".into(),
            Value::Array(vec![Value::Object(reference), shared()]),
        );
        return;
    }
    let is_object = alt.member("type").and_then(Value::as_str) == Some("object")
        || alt.contains_key("properties");
    if !is_object {
        return;
    }
    let own = alt
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let (Value::Object(own), Value::Object(base)) = (own, properties) {
        for (name, schema) in base {
            if !own.contains_key(name) {
                own.insert(name.clone(), schema.clone());
            }
        }
    }
    if let Some(Value::Array(base)) = required {
        let own = alt
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(own) = own {
            for name in base {
                if !own.contains(name) {
                    own.push(name.clone());
                }
            }
        }
    }
}

/// `encoding` entries of a media type without `explode` get the spec's default (true
/// for `style: form`, the default style; false otherwise), which the parser would
/// otherwise read as false.
fn explicit_explode(media: &mut Value) {
    let Some(Value::Object(encodings)) = media.member_mut("encoding") else {
        return;
    };
    for encoding in encodings.values_mut() {
        if let Value::Object(e) = encoding
            && !e.contains_key("explode")
        {
            let form = e
                .member("style")
                .and_then(Value::as_str)
                .is_none_or(|s| s == "form");
            e.insert("explode".into(), Value::Bool(form));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn norm_schema(schema: Value) -> Value {
        let mut doc = json!({
            "openapi": "3.1.0",
            "components": { "schemas": { "S": schema } }
        });
        normalize(&mut doc);
        doc["components"]["schemas"]["S"].clone()
    }

    #[test]
    fn type_array_with_null_becomes_nullable() {
        let s = norm_schema(json!({"type": ["array", "null"], "items": {"type": "string"}}));
        assert_eq!(
            s,
            json!({"type": "array", "nullable": true, "items": {"type": "string"}})
        );
    }

    #[test]
    fn several_types_become_one_of() {
        let s = norm_schema(json!({"type": ["string", "integer"], "description": "d"}));
        assert_eq!(
            s,
            json!({"description": "d", "oneOf": [{"type": "string"}, {"type": "integer"}]})
        );
    }

    #[test]
    fn const_becomes_single_enum() {
        assert_eq!(
            norm_schema(json!({"const": false})),
            json!({"enum": [false]})
        );
    }

    #[test]
    fn examples_array_becomes_example() {
        let s = norm_schema(json!({"type": "string", "examples": ["a", "b"]}));
        assert_eq!(s, json!({"type": "string", "example": "a"}));
    }

    #[test]
    fn numeric_exclusive_bounds_become_booleans() {
        let s =
            norm_schema(json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10}));
        assert_eq!(
            s,
            json!({"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true})
        );
    }

    #[test]
    fn ref_with_siblings_is_wrapped() {
        let s = norm_schema(json!({"$ref": "#/components/schemas/T", "nullable": true}));
        assert_eq!(
            s,
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]})
        );
    }

    #[test]
    fn nested_properties_are_rewritten_but_examples_are_data() {
        let s = norm_schema(json!({
            "type": "object",
            "properties": {"type": {"type": ["string", "null"]}},
            "example": {"type": ["x", "null"], "$ref": "not a reference"}
        }));
        assert_eq!(
            s["properties"]["type"],
            json!({"type": "string", "nullable": true})
        );
        assert_eq!(
            s["example"],
            json!({"type": ["x", "null"], "$ref": "not a reference"})
        );
    }

    #[test]
    fn missing_paths_are_added() {
        let mut doc = json!({"openapi": "3.1.0", "webhooks": {}});
        normalize(&mut doc);
        assert_eq!(doc["paths"], json!({}));
    }

    #[test]
    fn missing_responses_are_added() {
        let mut doc = json!({"openapi": "3.1.0", "paths": {"/a": {"post": {"operationId": "a"}}}});
        normalize(&mut doc);
        assert_eq!(doc["paths"]["/a"]["post"]["responses"], json!({}));
    }

    #[test]
    fn content_encoding_and_media_type_become_formats() {
        let s = norm_schema(json!({"type": "string", "contentEncoding": "base64"}));
        assert_eq!(s["format"], "byte");
        let s = norm_schema(json!({"type": "string", "contentMediaType": "image/png"}));
        assert_eq!(s["format"], "binary");
        let s = norm_schema(json!({"type": "string", "contentMediaType": "application/json"}));
        assert_eq!(s.member("format"), None);
        let s =
            norm_schema(json!({"type": "string", "format": "uri", "contentEncoding": "base64"}));
        assert_eq!(s["format"], "uri");
    }

    #[test]
    fn mutual_tls_schemes_and_requirements_are_removed() {
        let mut doc = json!({
            "openapi": "3.1.0",
            "security": [{"mtls": []}, {"key": []}],
            "paths": {"/a": {"get": {"security": [{"mtls": [], "key": []}], "responses": {}}}},
            "components": {"securitySchemes": {
                "mtls": {"type": "mutualTLS"},
                "key": {"type": "apiKey", "in": "header", "name": "x-key"}
            }}
        });
        let notes = normalize(&mut doc);
        assert_eq!(doc["security"], json!([{}, {"key": []}]));
        assert_eq!(doc["paths"]["/a"]["get"]["security"], json!([{"key": []}]));
        assert_eq!(
            doc["components"]["securitySchemes"],
            json!({"key": {"type": "apiKey", "in": "header", "name": "x-key"}})
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].pointer, "#/components/securitySchemes/mtls");
    }

    #[test]
    fn encodings_get_their_default_explode() {
        let mut doc = json!({"openapi": "3.0.3", "paths": {"/a": {"post": {"responses": {},
        "requestBody": {"content": {"application/x-www-form-urlencoded": {
            "schema": {"type": "object"},
            "encoding": {
                "a": {"style": "form"},
                "b": {"style": "deepObject"},
                "c": {"contentType": "text/plain"},
                "d": {"style": "form", "explode": false}
            }}}}}}}});
        normalize(&mut doc);
        let e = &doc["paths"]["/a"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
            ["encoding"];
        assert_eq!(
            [
                &e["a"]["explode"],
                &e["b"]["explode"],
                &e["c"]["explode"],
                &e["d"]["explode"]
            ],
            [&json!(true), &json!(false), &json!(true), &json!(false)]
        );
    }

    #[test]
    fn members_beside_one_of_go_into_each_alternative() {
        let s = norm_schema(json!({
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}},
            "oneOf": [
                {"type": "object", "required": ["kind"], "properties": {"kind": {"enum": ["a"]}}},
                {"$ref": "#/components/schemas/B"},
                {"type": "null"}
            ]
        }));
        assert_eq!(s.member("properties"), None);
        assert_eq!(
            s["oneOf"][0],
            json!({"type": "object", "required": ["kind", "name"],
                   "properties": {"kind": {"enum": ["a"]}, "name": {"type": "string"}}})
        );
        assert_eq!(
            s["oneOf"][1],
            json!({"allOf": [{"$ref": "#/components/schemas/B"},
                {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}]})
        );
        assert_eq!(s["oneOf"][2], json!({"nullable": true}));
    }

    #[test]
    fn three_zero_passes_through() {
        let original = json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"type": "string", "nullable": true}}}}}}}}
        });
        let mut doc = original.clone();
        normalize(&mut doc);
        assert_eq!(doc, original);
    }
}
