//! Spec examples checked against their own schemas, before anything is generated.
//!
//! Examples are what users copy from the docs, what the emitted contract tests send
//! and expect, and what mock servers answer with: one that contradicts its schema is a
//! spec bug. The walk visits every example where it is written (media types,
//! parameters, headers, schemas; `components/examples` through the references that use
//! them) and validates it with a small JSON Schema validator that covers the keywords
//! OpenAPI 3.0 and 3.1 descriptions use. It runs on the document as written, before
//! normalization, so pointers name the example's real location.
//!
//! With `strict_examples: true` in the config an invalid example fails generation;
//! otherwise it is a [`Diagnostic`].

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{Diagnostic, Error, ErrorKind};
use crate::member::Member;
use crate::pointer::JsonPointer;

/// An example that does not validate against its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidExample {
    /// JSON pointer of the example value.
    pub pointer: String,
    /// Where in the example and why (`at /phone_numbers/0: ... does not match ...`).
    pub message: String,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Nesting beyond which a schema is assumed to accept (recursive schemas, huge specs).
const MAX_DEPTH: usize = 64;

/// Every example of `doc` that does not validate against its schema, in document order.
///
/// Path items and components are checked independently of each other, so they are
/// shared out over the cores ([`crate::par`]); what each finds is put back in document
/// order.
pub fn check_examples(doc: &Value) -> Vec<InvalidExample> {
    // (section, name, node): a path item (`paths`, `webhooks`) or a component.
    let mut units: Vec<(&str, JsonPointer, &Value)> = Vec::new();
    for section in ["paths", "webhooks"] {
        if let Some(Value::Object(items)) = doc.get(section) {
            for (name, item) in items {
                units.push(("pathItems", JsonPointer::at(&[section, name]), item));
            }
        }
    }
    if let Some(Value::Object(components)) = doc.member("components") {
        for (section, entries) in components {
            let Value::Object(entries) = entries else {
                continue;
            };
            for (name, entry) in entries {
                let ptr = JsonPointer::at(&["components", section, name]);
                units.push((section.as_str(), ptr, entry));
            }
        }
    }
    let found = crate::par::map_with(
        &units,
        UNITS_PER_TAKE,
        || Walker {
            doc,
            validator: Validator::new(doc),
            found: Vec::new(),
        },
        |w, (section, ptr, node)| {
            w.unit(section, node, ptr);
            std::mem::take(&mut w.found)
        },
    );
    // In unit order, and within a unit in the walk's.
    let mut seen = std::collections::HashSet::new();
    found
        .into_iter()
        .flatten()
        .filter(|f| seen.insert((f.pointer.clone(), f.message.clone())))
        .collect()
}

/// Path items or components a thread takes at a time.
const UNITS_PER_TAKE: usize = 8;

/// Turns what [`check_examples`] found into an error (strict) or diagnostics.
///
/// # Errors
///
/// With `strict`, an [`ErrorKind::Invalid`] located at the first invalid example,
/// whose message also lists the others.
pub fn enforce(
    found: Vec<InvalidExample>,
    strict: bool,
    file: &Path,
) -> Result<Vec<Diagnostic>, Error> {
    if strict && let Some(first) = found.first() {
        let mut message = format!(
            "example does not validate against its schema: {}",
            first.message
        );
        if found.len() > 1 {
            message.push_str(&format!("\n({} more invalid examples:", found.len() - 1));
            for f in &found[1..] {
                message.push_str(&format!("\n  {}: {}", f.pointer, f.message));
            }
            message.push(')');
        }
        message.push_str(
            "\nfix the example (or set `strict_examples: false` in the generator config to \
             make this a note)",
        );
        return Err(Error::new(ErrorKind::Invalid, file, message).at(first.pointer.clone()));
    }
    Ok(found
        .into_iter()
        .map(|f| Diagnostic {
            pointer: f.pointer,
            message: format!(
                "example does not validate against its schema: {}",
                f.message
            ),
        })
        .collect())
}

/// Which way a payload travels: `readOnly` properties are not required in requests,
/// `writeOnly` ones not in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
    Neutral,
}

struct Walker<'a> {
    doc: &'a Value,
    validator: Validator<'a>,
    found: Vec<InvalidExample>,
}

impl Walker<'_> {
    /// One path item or component, by its section.
    fn unit(&mut self, section: &str, node: &Value, ptr: &JsonPointer) {
        match section {
            "schemas" => self.schema(node, ptr),
            "parameters" | "headers" => self.parameter(node, ptr, Direction::Request),
            "responses" => self.response(node, ptr),
            "requestBodies" => self.content(node, ptr, Direction::Request),
            "pathItems" => self.path_item(node, ptr),
            "callbacks" => self.callback(node, ptr),
            _ => {}
        }
    }

    fn path_item(&mut self, item: &Value, ptr: &JsonPointer) {
        if item.member("$ref").is_some() {
            return; // walked where it is defined
        }
        self.parameters(item, ptr);
        for method in METHODS {
            let Some(op) = item.member(method) else {
                continue;
            };
            let op_ptr = ptr.join(method);
            self.parameters(op, &op_ptr);
            if let Some(body) = op.member("requestBody") {
                self.content(body, &op_ptr.join("requestBody"), Direction::Request);
            }
            if let Some(Value::Object(responses)) = op.member("responses") {
                let responses_ptr = op_ptr.join("responses");
                for (status, r) in responses {
                    self.response(r, &responses_ptr.join(status));
                }
            }
            if let Some(Value::Object(callbacks)) = op.member("callbacks") {
                let callbacks_ptr = op_ptr.join("callbacks");
                for (name, cb) in callbacks {
                    self.callback(cb, &callbacks_ptr.join(name));
                }
            }
        }
    }

    fn callback(&mut self, cb: &Value, ptr: &JsonPointer) {
        if let Value::Object(items) = cb {
            for (expr, item) in items {
                if expr != "$ref" {
                    self.path_item(item, &ptr.join(expr));
                }
            }
        }
    }

    fn parameters(&mut self, holder: &Value, ptr: &JsonPointer) {
        if let Some(Value::Array(params)) = holder.member("parameters") {
            for (i, p) in params.iter().enumerate() {
                self.parameter(p, &ptr.join("parameters").with(i), Direction::Request);
            }
        }
    }

    /// A parameter or a header: `schema` with `example(s)`, or `content`.
    fn parameter(&mut self, p: &Value, ptr: &JsonPointer, direction: Direction) {
        if p.member("$ref").is_some() {
            return;
        }
        if let Some(schema) = p.member("schema") {
            self.examples_of(p, ptr, schema, direction);
            self.schema(schema, &ptr.join("schema"));
        }
        self.content(p, ptr, direction);
    }

    fn response(&mut self, r: &Value, ptr: &JsonPointer) {
        if r.member("$ref").is_some() {
            return;
        }
        if let Some(Value::Object(headers)) = r.member("headers") {
            let headers_ptr = ptr.join("headers");
            for (name, h) in headers {
                self.parameter(h, &headers_ptr.join(name), Direction::Response);
            }
        }
        self.content(r, ptr, Direction::Response);
    }

    /// The media types under `holder.content`.
    fn content(&mut self, holder: &Value, ptr: &JsonPointer, direction: Direction) {
        if holder.member("$ref").is_some() {
            return;
        }
        let Some(Value::Object(content)) = holder.member("content") else {
            return;
        };
        let content_ptr = ptr.join("content");
        for (media_type, media) in content {
            let media_ptr = content_ptr.join(media_type);
            if let Some(schema) = media.member("schema") {
                self.examples_of(media, &media_ptr, schema, direction);
                self.schema(schema, &media_ptr.join("schema"));
            }
        }
    }

    /// `example` and `examples` of a media type, parameter or header.
    fn examples_of(
        &mut self,
        holder: &Value,
        ptr: &JsonPointer,
        schema: &Value,
        direction: Direction,
    ) {
        if let Some(example) = holder.member("example") {
            self.validate(schema, example, ptr.join("example"), direction);
        }
        let Some(Value::Object(examples)) = holder.member("examples") else {
            return;
        };
        let examples_ptr = ptr.join("examples");
        for (name, e) in examples {
            let (e, at) = match e.member("$ref").and_then(Value::as_str) {
                Some(r) => {
                    match JsonPointer::parse(r).and_then(|c| c.resolve(self.doc).map(|t| (t, c))) {
                        Some((target, canonical)) => (target, canonical),
                        None => continue, // a dangling reference is reported by lowering
                    }
                }
                None => (e, examples_ptr.join(name)),
            };
            if let Some(value) = e.member("value") {
                self.validate(schema, value, at.join("value"), direction);
            }
        }
    }

    /// Examples written inside a schema (`example`, 3.1 `examples: [..]`), and inside
    /// its subschemas. References are not followed: their targets are walked where
    /// they are defined.
    fn schema(&mut self, schema: &Value, ptr: &JsonPointer) {
        self.schema_depth(schema, ptr, 0);
    }

    fn schema_depth(&mut self, schema: &Value, ptr: &JsonPointer, depth: usize) {
        let Value::Object(map) = schema else {
            return;
        };
        if map.member("$ref").is_some() || depth > MAX_DEPTH {
            return;
        }
        if let Some(example) = map.member("example") {
            self.validate(schema, example, ptr.join("example"), Direction::Neutral);
        }
        if let Some(Value::Array(examples)) = map.member("examples") {
            for (i, example) in examples.iter().enumerate() {
                self.validate(
                    schema,
                    example,
                    ptr.join("examples").with(i),
                    Direction::Neutral,
                );
            }
        }
        for key in [
            "items",
            "not",
            "additionalProperties",
            "contains",
            "propertyNames",
            "if",
            "then",
            "else",
        ] {
            if let Some(sub) = map.member(key) {
                self.schema_depth(sub, &ptr.join(key), depth + 1);
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(subs)) = map.member(key) {
                for (i, sub) in subs.iter().enumerate() {
                    self.schema_depth(sub, &ptr.join(key).with(i), depth + 1);
                }
            }
        }
        for key in ["properties", "patternProperties", "$defs", "definitions"] {
            if let Some(Value::Object(subs)) = map.member(key) {
                let key_ptr = ptr.join(key);
                for (name, sub) in subs {
                    self.schema_depth(sub, &key_ptr.join(name), depth + 1);
                }
            }
        }
    }

    fn validate(
        &mut self,
        schema: &Value,
        value: &Value,
        pointer: JsonPointer,
        direction: Direction,
    ) {
        if let Err(message) = self.validator.check_example(schema, value, direction) {
            self.found.push(InvalidExample {
                pointer: pointer.into(),
                message,
            });
        }
    }
}

/// A JSON Schema validator for the keywords OpenAPI descriptions use. Unknown keywords,
/// formats and external references are accepted; so is a `pattern` the `regex` crate
/// cannot compile (lookaround, backreferences).
struct Validator<'a> {
    doc: &'a Value,
    regexes: HashMap<String, Option<regex::Regex>>,
    /// Schema checks left for the current example (see [`MAX_STEPS`]).
    steps_left: usize,
}

/// Schema checks one example may take. Nested `anyOf`/`oneOf` alternatives multiply
/// the work; past this bound the example is assumed to be valid, so a small spec
/// cannot make validation run for minutes. The bound is per example, so what is
/// found does not depend on threads or order.
const MAX_STEPS: usize = 200_000;

impl<'a> Validator<'a> {
    fn new(doc: &'a Value) -> Self {
        Validator {
            doc,
            regexes: HashMap::new(),
            steps_left: MAX_STEPS,
        }
    }

    /// Checks one example: [`Self::check`] with a fresh step budget; an example whose
    /// check runs out of steps is taken as valid.
    fn check_example(
        &mut self,
        schema: &Value,
        value: &Value,
        direction: Direction,
    ) -> Result<(), String> {
        self.steps_left = MAX_STEPS;
        let result = self.check(schema, value, &JsonPointer::root(), direction, 0);
        if self.steps_left == 0 { Ok(()) } else { result }
    }

    fn matches(&mut self, pattern: &str, text: &str) -> bool {
        let re = self
            .regexes
            .entry(pattern.to_string())
            .or_insert_with(|| regex::Regex::new(pattern).ok());
        re.as_ref().is_none_or(|re| re.is_match(text))
    }

    /// `Ok` when `value` (found at `at` inside the example) validates.
    fn check(
        &mut self,
        schema: &Value,
        value: &Value,
        at: &JsonPointer,
        direction: Direction,
        depth: usize,
    ) -> Result<(), String> {
        let fail = |what: String| {
            Err(format!(
                "at {}: {what}",
                if at.plain().is_empty() {
                    "/"
                } else {
                    at.plain()
                }
            ))
        };
        if self.steps_left == 0 {
            return Ok(());
        }
        self.steps_left -= 1;
        let map = match schema {
            Value::Bool(false) => return fail("no value is allowed here".into()),
            Value::Object(map) if depth <= MAX_DEPTH => map,
            _ => return Ok(()),
        };
        if value.is_null() && map.member("nullable") == Some(&Value::Bool(true)) {
            return Ok(());
        }
        if let Some(r) = map.member("$ref").and_then(Value::as_str)
            && let Some(target) = JsonPointer::parse(r).and_then(|c| c.resolve(self.doc))
        {
            self.check(target, value, at, direction, depth + 1)?;
        }
        if let Some(t) = map.member("type") {
            let allowed: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !allowed.is_empty() && !allowed.iter().any(|t| type_matches(t, value)) {
                return fail(format!(
                    "{} is not of type {}",
                    show(value),
                    allowed.join(" or ")
                ));
            }
        }
        if let Some(Value::Array(values)) = map.member("enum")
            && !values.iter().any(|v| json_eq(v, value))
        {
            let listed: Vec<String> = values.iter().take(8).map(show).collect();
            let more = if values.len() > 8 { ", ..." } else { "" };
            return fail(format!(
                "{} is not one of the allowed values [{}{more}]",
                show(value),
                listed.join(", ")
            ));
        }
        if let Some(c) = map.member("const")
            && !json_eq(c, value)
        {
            return fail(format!("{} is not the constant {}", show(value), show(c)));
        }
        match value {
            Value::String(s) => self.string(map, s, at)?,
            Value::Number(n) => number(map, n, at)?,
            Value::Array(items) => self.array(map, items, at, direction, depth)?,
            Value::Object(members) => self.object(map, members, at, direction, depth)?,
            _ => {}
        }
        if let Some(Value::Array(all)) = map.member("allOf") {
            for sub in all {
                self.check(sub, value, at, direction, depth + 1)?;
            }
        }
        for keyword in ["anyOf", "oneOf"] {
            let Some(Value::Array(alternatives)) = map.member(keyword) else {
                continue;
            };
            if let Some(chosen) = self.by_discriminator(map, alternatives, value) {
                match chosen {
                    Some(sub) => self.check(sub, value, at, direction, depth + 1)?,
                    None => {
                        return fail(format!(
                            "the discriminator value selects none of the {keyword} alternatives"
                        ));
                    }
                }
                continue;
            }
            let mut first_error = None;
            let mut passed = 0;
            for sub in alternatives {
                match self.check(sub, value, at, direction, depth + 1) {
                    Ok(()) => passed += 1,
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            if passed == 0 {
                return fail(format!(
                    "matches none of the {} {keyword} alternatives (the first says: {})",
                    alternatives.len(),
                    first_error.unwrap_or_default()
                ));
            }
            if keyword == "oneOf" && passed > 1 {
                return fail(format!(
                    "matches {passed} of the oneOf alternatives; exactly one must match"
                ));
            }
        }
        if let Some(not) = map.member("not")
            && self.check(not, value, at, direction, depth + 1).is_ok()
        {
            return fail(format!("{} matches the schema under `not`", show(value)));
        }
        Ok(())
    }

    /// With a `discriminator` and a tag in the value: `Some(the alternative it names)`
    /// (`Some(None)` when it names none); `None` when the discriminator does not apply.
    fn by_discriminator<'s>(
        &self,
        map: &serde_json::Map<String, Value>,
        alternatives: &'s [Value],
        value: &Value,
    ) -> Option<Option<&'s Value>> {
        let d = map.member("discriminator")?;
        let property = d.member("propertyName")?.as_str()?;
        let tag = value.member(property)?.as_str()?;
        let target = match d
            .member("mapping")
            .and_then(|m| m.member(tag))
            .and_then(Value::as_str)
        {
            Some(t) if t.starts_with('#') => JsonPointer::parse(t)?,
            Some(t) => JsonPointer::at(&["components", "schemas", t]),
            None => JsonPointer::at(&["components", "schemas", tag]),
        };
        let by_ref = alternatives.iter().find(|a| {
            a.member("$ref")
                .and_then(Value::as_str)
                .and_then(JsonPointer::parse)
                .is_some_and(|c| c == target)
        });
        // Alternatives given inline cannot be named by a tag: validate them all.
        if by_ref.is_none() && alternatives.iter().any(|a| a.member("$ref").is_none()) {
            return None;
        }
        Some(by_ref)
    }

    fn string(
        &mut self,
        map: &serde_json::Map<String, Value>,
        s: &str,
        at: &JsonPointer,
    ) -> Result<(), String> {
        let fail = |what: String| {
            Err(format!(
                "at {}: {what}",
                if at.plain().is_empty() {
                    "/"
                } else {
                    at.plain()
                }
            ))
        };
        let len = s.chars().count() as u64;
        if let Some(min) = map.member("minLength").and_then(Value::as_u64)
            && len < min
        {
            return fail(format!("{} is shorter than {min} characters", show_str(s)));
        }
        if let Some(max) = map.member("maxLength").and_then(Value::as_u64)
            && len > max
        {
            return fail(format!("{} is longer than {max} characters", show_str(s)));
        }
        if let Some(pattern) = map.member("pattern").and_then(Value::as_str)
            && !self.matches(pattern, s)
        {
            return fail(format!(
                "{} does not match pattern `{pattern}`",
                show_str(s)
            ));
        }
        if let Some(format) = map.member("format").and_then(Value::as_str)
            && !self.format_ok(format, s)
        {
            return fail(format!("{} is not a valid `{format}`", show_str(s)));
        }
        Ok(())
    }

    fn format_ok(&mut self, format: &str, s: &str) -> bool {
        let pattern = match format {
            "date-time" => {
                r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$"
            }
            "date" => r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
            "time" => {
                r"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)?$"
            }
            "uuid" => {
                r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
            }
            "email" => r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
            "uri" => r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$",
            "ipv4" => return s.parse::<std::net::Ipv4Addr>().is_ok(),
            "ipv6" => return s.parse::<std::net::Ipv6Addr>().is_ok(),
            _ => return true,
        };
        self.matches(pattern, s)
    }

    fn array(
        &mut self,
        map: &serde_json::Map<String, Value>,
        items: &[Value],
        at: &JsonPointer,
        direction: Direction,
        depth: usize,
    ) -> Result<(), String> {
        let fail = |what: String| {
            Err(format!(
                "at {}: {what}",
                if at.plain().is_empty() {
                    "/"
                } else {
                    at.plain()
                }
            ))
        };
        let len = items.len() as u64;
        if let Some(min) = map.member("minItems").and_then(Value::as_u64)
            && len < min
        {
            return fail(format!("has {len} items, fewer than {min}"));
        }
        if let Some(max) = map.member("maxItems").and_then(Value::as_u64)
            && len > max
        {
            return fail(format!("has {len} items, more than {max}"));
        }
        if map.member("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, a) in items.iter().enumerate() {
                if items[..i].iter().any(|b| json_eq(a, b)) {
                    return fail(format!("item {i} repeats an earlier item"));
                }
            }
        }
        let prefix: &[Value] = match map.member("prefixItems") {
            Some(Value::Array(p)) => p,
            _ => &[],
        };
        for (i, item) in items.iter().enumerate() {
            let item_at = at.join(i);
            let sub = match prefix.get(i) {
                Some(p) => Some(p),
                None => map.member("items"),
            };
            if let Some(sub) = sub {
                self.check(sub, item, &item_at, direction, depth + 1)?;
            }
        }
        if let Some(contains) = map.member("contains") {
            let found = items
                .iter()
                .enumerate()
                .filter(|(i, item)| {
                    self.check(contains, item, &at.join(i), direction, depth + 1)
                        .is_ok()
                })
                .count();
            let min = map
                .member("minContains")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            if (found as u64) < min {
                return fail("no item matches the `contains` schema".into());
            }
        }
        Ok(())
    }

    fn object(
        &mut self,
        map: &serde_json::Map<String, Value>,
        members: &serde_json::Map<String, Value>,
        at: &JsonPointer,
        direction: Direction,
        depth: usize,
    ) -> Result<(), String> {
        let fail = |what: String| {
            Err(format!(
                "at {}: {what}",
                if at.plain().is_empty() {
                    "/"
                } else {
                    at.plain()
                }
            ))
        };
        let properties = match map.member("properties") {
            Some(Value::Object(p)) => Some(p),
            _ => None,
        };
        if let Some(Value::Array(required)) = map.member("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if members.member(name).is_some() {
                    continue;
                }
                let prop = properties.and_then(|p| p.member(name));
                let exempt = prop.is_some_and(|p| match direction {
                    Direction::Request => self.flag(p, "readOnly"),
                    Direction::Response => self.flag(p, "writeOnly"),
                    Direction::Neutral => self.flag(p, "readOnly") || self.flag(p, "writeOnly"),
                });
                if !exempt {
                    return fail(format!("the required property `{name}` is missing"));
                }
            }
        }
        let count = members.len() as u64;
        if let Some(min) = map.member("minProperties").and_then(Value::as_u64)
            && count < min
        {
            return fail(format!("has {count} properties, fewer than {min}"));
        }
        if let Some(max) = map.member("maxProperties").and_then(Value::as_u64)
            && count > max
        {
            return fail(format!("has {count} properties, more than {max}"));
        }
        let patterns: Vec<(&String, &Value)> = match map.member("patternProperties") {
            Some(Value::Object(p)) => p.iter().collect(),
            _ => Vec::new(),
        };
        for (name, member) in members {
            let member_at = at.join(name);
            let mut known = false;
            if let Some(sub) = properties.and_then(|p| p.member(name)) {
                known = true;
                self.check(sub, member, &member_at, direction, depth + 1)?;
            }
            for (pattern, sub) in &patterns {
                if self.matches(pattern, name) {
                    known = true;
                    self.check(sub, member, &member_at, direction, depth + 1)?;
                }
            }
            if known {
                continue;
            }
            match map.member("additionalProperties") {
                Some(Value::Bool(false)) => {
                    return fail(format!(
                        "the property `{name}` is not allowed (additionalProperties: false)"
                    ));
                }
                Some(sub @ Value::Object(_)) => {
                    self.check(sub, member, &member_at, direction, depth + 1)?
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `schema.flag == true`, looking through one `$ref`.
    fn flag(&self, schema: &Value, flag: &str) -> bool {
        let target = schema
            .member("$ref")
            .and_then(Value::as_str)
            .and_then(JsonPointer::parse)
            .and_then(|c| c.resolve(self.doc));
        schema.member(flag) == Some(&Value::Bool(true))
            || target.is_some_and(|t| t.member(flag) == Some(&Value::Bool(true)))
    }
}

fn number(
    map: &serde_json::Map<String, Value>,
    n: &serde_json::Number,
    at: &JsonPointer,
) -> Result<(), String> {
    let fail = |what: String| {
        Err(format!(
            "at {}: {what}",
            if at.plain().is_empty() {
                "/"
            } else {
                at.plain()
            }
        ))
    };
    let Some(v) = n.as_f64() else {
        return Ok(());
    };
    let get = |k: &str| map.member(k).and_then(Value::as_f64);
    let exclusive = |k: &str| map.member(k);
    if let Some(min) = get("minimum") {
        let strict = exclusive("exclusiveMinimum") == Some(&Value::Bool(true));
        if v < min || (strict && v == min) {
            return fail(format!("{n} is below the minimum {min}"));
        }
    }
    if let Some(Value::Number(min)) = exclusive("exclusiveMinimum")
        && min.as_f64().is_some_and(|min| v <= min)
    {
        return fail(format!("{n} is not above the exclusive minimum {min}"));
    }
    if let Some(max) = get("maximum") {
        let strict = exclusive("exclusiveMaximum") == Some(&Value::Bool(true));
        if v > max || (strict && v == max) {
            return fail(format!("{n} is above the maximum {max}"));
        }
    }
    if let Some(Value::Number(max)) = exclusive("exclusiveMaximum")
        && max.as_f64().is_some_and(|max| v >= max)
    {
        return fail(format!("{n} is not below the exclusive maximum {max}"));
    }
    if let Some(m) = get("multipleOf").filter(|m| *m > 0.0) {
        let q = v / m;
        if (q - q.round()).abs() > 1e-9 * q.abs().max(1.0) {
            return fail(format!("{n} is not a multiple of {m}"));
        }
    }
    if map.member("format").and_then(Value::as_str) == Some("int32")
        && (v < f64::from(i32::MIN) || v > f64::from(i32::MAX))
    {
        return fail(format!("{n} does not fit in an int32"));
    }
    Ok(())
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => match v {
            Value::Number(n) => {
                n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            _ => false,
        },
        _ => true,
    }
}

/// JSON equality where `1` equals `1.0`.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, a)| y.member(k).is_some_and(|b| json_eq(a, b)))
        }
        _ => a == b,
    }
}

/// A value for a message, shortened.
fn show(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

fn show_str(s: &str) -> String {
    show(&Value::String(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(schema: Value, example: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "paths": {"/x": {"post": {"requestBody": {"content": {"application/json": {
                "schema": schema, "example": example
            }}}}}},
            "components": {"schemas": {
                "Kind": {"type": "string", "enum": ["a", "b"]},
                "Phone": {"type": "string", "pattern": "^\\+[1-9]\\d{1,14}$"}
            }}
        })
    }

    fn messages(doc: &Value) -> Vec<String> {
        check_examples(doc)
            .into_iter()
            .map(|f| format!("{} {}", f.pointer, f.message))
            .collect()
    }

    const AT: &str = "#/paths/~1x/post/requestBody/content/application~1json/example";

    #[test]
    fn valid_examples_pass() {
        let schema = json!({
            "type": "object", "required": ["kind", "phones"],
            "properties": {
                "kind": {"$ref": "#/components/schemas/Kind"},
                "phones": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Phone"}},
                "n": {"type": "integer", "minimum": 1, "maximum": 5},
                "at": {"type": "string", "format": "date-time"},
                "id": {"type": "string", "format": "uuid", "readOnly": true}
            },
            "additionalProperties": false
        });
        let ok =
            json!({"kind": "a", "phones": ["+12025550123"], "n": 5, "at": "2024-01-15T10:30:00Z"});
        assert_eq!(messages(&spec(schema.clone(), ok)), Vec::<String>::new());
        let null_phones = json!({"kind": "b", "phones": null});
        assert_eq!(messages(&spec(schema, null_phones)), Vec::<String>::new());
    }

    #[test]
    fn each_violation_is_located() {
        let schema = json!({
            "type": "object", "required": ["kind"],
            "properties": {
                "kind": {"$ref": "#/components/schemas/Kind"},
                "phones": {"type": "array", "items": {"$ref": "#/components/schemas/Phone"}},
                "n": {"type": "integer", "exclusiveMinimum": 1}
            },
            "additionalProperties": false
        });
        for (example, expected) in [
            (
                json!({"kind": "c"}),
                "at /kind: \"c\" is not one of the allowed values [\"a\", \"b\"]",
            ),
            (json!({}), "at /: the required property `kind` is missing"),
            (
                json!({"kind": "a", "phones": ["12025550123"]}),
                "at /phones/0: \"12025550123\" does not match pattern",
            ),
            (
                json!({"kind": "a", "n": 1}),
                "at /n: 1 is not above the exclusive minimum 1",
            ),
            (
                json!({"kind": "a", "n": 1.5}),
                "at /n: 1.5 is not of type integer",
            ),
            (
                json!({"kind": "a", "extra": 1}),
                "at /: the property `extra` is not allowed",
            ),
        ] {
            let found = messages(&spec(schema.clone(), example.clone()));
            assert_eq!(found.len(), 1, "{example}: {found:?}");
            assert!(found[0].starts_with(AT), "{found:?}");
            assert!(found[0].contains(expected), "{example}: {found:?}");
        }
    }

    #[test]
    fn named_and_schema_examples_are_checked_where_written() {
        let doc = json!({
            "paths": {"/x": {"get": {
                "parameters": [{"name": "n", "in": "query", "schema": {"type": "integer"},
                                "examples": {"bad": {"value": "ten"}, "shared": {"$ref": "#/components/examples/Shared"}}}],
                "responses": {"200": {"description": "", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"s": {"type": "string", "example": 3}}}
                }}}}
            }}},
            "components": {"examples": {"Shared": {"value": 2.5}}}
        });
        let found = messages(&doc);
        assert_eq!(
            found,
            vec![
                "#/paths/~1x/get/parameters/0/examples/bad/value at /: \"ten\" is not of type integer",
                "#/components/examples/Shared/value at /: 2.5 is not of type integer",
                "#/paths/~1x/get/responses/200/content/application~1json/schema/properties/s/example at /: 3 is not of type string",
            ]
        );
    }

    #[test]
    fn unions_and_discriminators() {
        let doc = json!({
            "paths": {},
            "components": {"schemas": {
                "Cat": {"type": "object", "required": ["pet_type", "meow"], "properties": {"pet_type": {"type": "string"}, "meow": {"type": "boolean"}}},
                "Dog": {"type": "object", "required": ["pet_type"], "properties": {"pet_type": {"type": "string"}}},
                "Pet": {
                    "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                    "discriminator": {"propertyName": "pet_type", "mapping": {"cat": "#/components/schemas/Cat", "dog": "Dog"}},
                    "examples": [{"pet_type": "dog"}, {"pet_type": "cat"}, {"pet_type": "cow"}]
                },
                "Loose": {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 3}], "example": "ab"}
            }}
        });
        let found = messages(&doc);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].starts_with(
                "#/components/schemas/Pet/examples/1 at /: the required property `meow`"
            ),
            "{found:?}"
        );
        assert!(
            found[1]
                .starts_with("#/components/schemas/Pet/examples/2 at /: the discriminator value"),
            "{found:?}"
        );
        assert!(
            found[2].contains("matches 2 of the oneOf alternatives"),
            "{found:?}"
        );
    }

    #[test]
    fn strict_mode_is_an_error_naming_file_and_pointer() {
        let found = vec![
            InvalidExample {
                pointer: "#/a".into(),
                message: "at /: bad".into(),
            },
            InvalidExample {
                pointer: "#/b".into(),
                message: "at /x: worse".into(),
            },
        ];
        let e = enforce(found.clone(), true, Path::new("spec/x.yaml")).expect_err("strict");
        let text = e.to_string();
        assert!(
            text.starts_with("spec/x.yaml: invalid OpenAPI at #/a: example does not validate"),
            "{text}"
        );
        assert!(text.contains("#/b: at /x: worse"), "{text}");
        let notes = enforce(found, false, Path::new("spec/x.yaml")).expect("lenient");
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[1].pointer, "#/b");
    }
}
