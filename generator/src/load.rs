//! Stage 1, load: read a spec file (YAML or JSON) into a JSON value, keeping its path
//! for every later message.

use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};

use crate::error::{Error, ErrorKind};

/// A spec document as loaded from disk, before any interpretation.
#[derive(Debug, Clone)]
pub struct Document {
    /// Where it came from, for messages.
    pub path: PathBuf,
    /// The document as JSON data; YAML is converted.
    pub value: Value,
}

/// Reads and parses `path`. JSON is detected by its first non-blank character, so a
/// `.yaml` file holding JSON (or the reverse) still loads.
pub fn load(path: &Path) -> Result<Document, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::new(ErrorKind::Io, path, e.to_string()))?;
    let value = parse_text(&text, path)?;
    Ok(Document {
        path: path.to_path_buf(),
        value,
    })
}

/// Parses spec text (JSON or YAML); `path` is only used in messages.
pub fn parse_text(text: &str, path: &Path) -> Result<Value, Error> {
    let value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| {
            Error::new(
                ErrorKind::Syntax,
                path,
                format!("{e} (line {}, column {})", e.line(), e.column()),
            )
        })?
    } else {
        match parse_yaml_in_halves(text) {
            Some(value) => value,
            None => {
                yaml_value(text).map_err(|e| Error::new(ErrorKind::Syntax, path, e.to_string()))?
            }
        }
    };
    if !value.is_object() {
        return Err(Error::new(
            ErrorKind::Invalid,
            path,
            "the document's top level must be a mapping (an OpenAPI object)",
        )
        .at("#"));
    }
    Ok(value)
}

/// Below this size a YAML document is parsed in one piece.
const HALVES_MIN_BYTES: usize = 256 * 1024;

/// A large YAML document parsed as two halves on two threads (libyaml is most of the
/// time of loading a multi-MB YAML spec), split at a mapping key near the middle: a key
/// of the top-level mapping, or of a section (or a section's section) that the middle
/// falls in; the second half then starts with those sections' key lines again, and
/// each section's two parts are joined. `None` whenever this is not certain to give
/// what parsing the whole would: either half fails to parse (an alias of an anchor in
/// the other half; a split inside a multi-line scalar or flow collection leaves a half
/// unterminated), a key would repeat, or the top level uses a merge key. The caller
/// then parses the whole.
fn parse_yaml_in_halves(text: &str) -> Option<Value> {
    if text.len() < HALVES_MIN_BYTES || text.lines().any(|l| l.starts_with("<<")) {
        return None;
    }
    let (at, sections) = yaml_split_point(text)?;
    let first = &text[..at];
    let mut second = String::with_capacity(text.len() - at + 64);
    for header in &sections {
        second.push_str(header);
        second.push('\n');
    }
    second.push_str(&text[at..]);
    let parse = |t: &str| match yaml_value(t) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    };
    let [first, second] =
        <[_; 2]>::try_from(crate::par::map(&[first, &second], |t| parse(t))).ok()?;
    let (mut out, second) = (first?, second?);
    let path: Vec<String> = sections.iter().map(|h| yaml_key(h)).collect();
    join_halves(&mut out, second, &path)?;
    Some(Value::Object(out))
}

/// Appends the second half's entries; along `path` (the split sections' keys) the
/// two halves' mappings are joined instead. `None` when a key repeats.
fn join_halves(
    first: &mut Map<String, Value>,
    second: Map<String, Value>,
    path: &[String],
) -> Option<()> {
    for (key, value) in second {
        match (first.get_mut(&key), value) {
            (Some(Value::Object(joined)), Value::Object(rest)) if path.first() == Some(&key) => {
                join_halves(joined, rest, &path[1..])?;
            }
            (Some(_), _) => return None,
            (None, value) => {
                first.insert(key, value);
            }
        }
    }
    Some(())
}

/// The key of a key line (`  paths:` -> `paths`).
fn yaml_key(line: &str) -> String {
    line.trim().trim_end_matches(':').to_string()
}

/// A line holding only a plain mapping key whose value follows on the next lines
/// (`paths:`, `  /v1/accounts/{id}:`), indented by exactly `indent` spaces. Keys with
/// `:` or `#` in them, or starting with a YAML indicator, are not split at.
fn is_key_line(line: &str, indent: usize) -> bool {
    let line = line.trim_end();
    let Some(rest) = line.get(indent..) else {
        return false;
    };
    line.as_bytes()[..indent].iter().all(|b| *b == b' ')
        && rest
            .starts_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '$' | '.'))
        && rest.ends_with(':')
        && !rest[..rest.len() - 1].contains([':', '#'])
}

/// Indentation of a line.
fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// Where to split: the byte offset of the key line nearest the middle, among the keys
/// of the top-level mapping and of the sections (at most three deep) the middle falls
/// in; with the key lines of the sections it is inside.
fn yaml_split_point(text: &str) -> Option<(usize, Vec<&str>)> {
    let middle = text.len() / 2;
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let is_content = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let mut best: Option<(usize, Vec<&str>)> = None;
    fn consider<'a>(
        start: usize,
        middle: usize,
        sections: &[&'a str],
        best: &mut Option<(usize, Vec<&'a str>)>,
    ) {
        if start > 0
            && best
                .as_ref()
                .is_none_or(|(b, _)| start.abs_diff(middle) < b.abs_diff(middle))
        {
            *best = Some((start, sections.to_vec()));
        }
    }
    // The mapping being looked at: lines [from, to) with keys at `indent`.
    let (mut from, mut to, mut indent) = (0, lines.len(), 0);
    let mut sections: Vec<&str> = Vec::new();
    for _ in 0..4 {
        let keys: Vec<usize> = (from..to)
            .filter(|&i| is_key_line(lines[i].1, indent))
            .collect();
        // The first key of a section is not a split point (the first half would hold
        // the section's key with nothing under it).
        for &i in keys.iter().skip(usize::from(!sections.is_empty())) {
            consider(lines[i].0, middle, &sections, &mut best);
        }
        // Go into the section the middle falls in.
        let Some(&header) = keys.iter().rfind(|&&i| lines[i].0 <= middle) else {
            break;
        };
        let end = (header + 1..to)
            .find(|&i| is_content(lines[i].1) && indent_of(lines[i].1) <= indent)
            .unwrap_or(to);
        let Some(child_indent) = (header + 1..end)
            .find(|&i| is_content(lines[i].1))
            .map(|i| indent_of(lines[i].1))
            .filter(|n| *n > indent)
        else {
            break;
        };
        sections.push(lines[header].1);
        (from, to, indent) = (header + 1, end, child_indent);
    }
    best
}

/// A YAML document read straight into JSON data.
///
/// YAML allows non-string keys (`200:` for status codes) and tags; JSON does not. Keys
/// are stringified, tags dropped (OpenAPI gives them no meaning), merge keys (`<<`)
/// applied. Integers beyond 64 bits (OpenAI writes `minimum: -9223372036854776000`)
/// become floating-point numbers instead of failing, as any JSON parser would read them.
struct YamlJson(Value);

impl<'de> serde::Deserialize<'de> for YamlJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor).map(YamlJson)
    }
}

struct NodeVisitor;

thread_local! {
    /// What the YAML document being read on this thread may still expand to (see
    /// [`yaml_value`]).
    static BUDGET: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Bytes a YAML document may expand to (counting 16 per node plus the text of each
/// string), beyond 16 times its own size: aliases replay their anchor's nodes, so a
/// few KB of anchors used thousands of times each would otherwise build gigabytes.
const EXPANSION_ALLOWANCE: usize = 64 << 20;

/// Parses YAML into JSON data, refusing a document whose aliases expand it beyond
/// [`EXPANSION_ALLOWANCE`] plus 16 times its size.
fn yaml_value(text: &str) -> Result<Value, serde_yaml::Error> {
    let budget = EXPANSION_ALLOWANCE.saturating_add(text.len().saturating_mul(16));
    BUDGET.with(|b| b.set(budget));
    let result = serde_yaml::from_str::<YamlJson>(text).map(|v| v.0);
    BUDGET.with(|b| b.set(usize::MAX));
    result
}

/// Charges `cost` against the document's budget.
fn spend<E: serde::de::Error>(cost: usize) -> Result<(), E> {
    BUDGET.with(|b| match b.get().checked_sub(cost) {
        Some(left) => {
            b.set(left);
            Ok(())
        }
        None => Err(E::custom(
            "the document's aliases expand it far beyond its own size (an anchor repeated many times over); refusing to build it",
        )),
    })
}

fn float(f: f64) -> Value {
    // NaN and infinities have no JSON form; treat them as absent values.
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

impl<'de> serde::de::Visitor<'de> for NodeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(i64::try_from(v).map_or_else(|_| float(v as f64), |i| Value::Number(i.into())))
    }
    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(u64::try_from(v).map_or_else(|_| float(v as f64), |u| Value::Number(u.into())))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(float(v))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        spend::<E>(16 + v.len())?;
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        spend::<E>(16 + v.len())?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        spend::<E>(16)?;
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        spend::<A::Error>(16)?;
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(YamlJson(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        spend::<A::Error>(16)?;
        let mut out = Map::new();
        let mut merged = Vec::new();
        while let Some(Key(k)) = map.next_key()? {
            let YamlJson(v) = map.next_value()?;
            if k == "<<" {
                merged.push(v);
            } else if out.insert(k.clone(), v).is_some() {
                return Err(serde::de::Error::custom(format!(
                    "duplicate mapping key `{k}`"
                )));
            }
        }
        // Merge keys: explicit entries win over merged ones, earlier merges over later.
        for m in merged {
            let sources = match m {
                Value::Array(items) => items,
                other => vec![other],
            };
            for source in sources {
                let Value::Object(source) = source else {
                    return Err(serde::de::Error::custom(
                        "a merge key (`<<`) must refer to a mapping",
                    ));
                };
                for (k, v) in source {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A tagged value (`!Tag value`): the tag is dropped.
        use serde::de::VariantAccess;
        let (_tag, variant) = data.variant::<Key>()?;
        variant.newtype_variant::<YamlJson>().map(|v| v.0)
    }
}

/// A mapping key: any scalar, as text.
struct Key(String);

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_any(NodeVisitor)? {
            Value::String(s) => Ok(Key(s)),
            Value::Null => Ok(Key("null".to_string())),
            v @ (Value::Bool(_) | Value::Number(_)) => Ok(Key(v.to_string())),
            _ => Err(serde::de::Error::custom("a mapping key must be a scalar")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_status_code_keys_become_strings() {
        let v = parse_text(
            "responses:\n  200:\n    description: ok\n",
            Path::new("a.yaml"),
        )
        .expect("valid yaml");
        assert_eq!(v["responses"]["200"]["description"], "ok");
    }

    #[test]
    fn huge_integers_and_merge_keys() {
        let v = parse_text(
            "a: -9223372036854776000\nb: 18446744073709551615\nbase: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: !custom 4\n",
            Path::new("a.yaml"),
        )
        .expect("valid yaml");
        assert_eq!(v["a"].as_f64(), Some(-9.223372036854776e18));
        assert_eq!(v["b"].as_u64(), Some(u64::MAX));
        assert_eq!(v["c"], serde_json::json!({"y": 3, "x": 1}));
        assert_eq!(v["d"], 4);
    }

    /// A YAML spec of about 400 KB: a `paths` section of many entries, a block scalar,
    /// and `extra` spliced in the middle of the paths.
    fn big_yaml(extra: &str) -> String {
        let mut text = String::from(
            "openapi: 3.1.0\ninfo:\n  title: t\n  description: |\n    a: b\n    paths:\n  version: '1'\npaths:\n",
        );
        for i in 0..4000 {
            if i == 2000 {
                text.push_str(extra);
            }
            text.push_str(&format!(
                "  /items/{{id}}/{i}:\n    get:\n      summary: \"Item {i}: the one\"\n      responses:\n        200: {{description: ok}}\n        default:\n          description: >\n            folded\n            text {i}\n"
            ));
        }
        text.push_str("components:\n  schemas:\n    A: {type: object}\n");
        text
    }

    fn whole(text: &str) -> Value {
        serde_yaml::from_str::<YamlJson>(text).expect("valid").0
    }

    #[test]
    fn large_yaml_parsed_in_halves_is_the_same_document() {
        let text = big_yaml("");
        assert!(text.len() > HALVES_MIN_BYTES);
        let (at, sections) = yaml_split_point(&text).expect("a split point");
        assert!(
            text[at..].starts_with("  /items/"),
            "{}",
            &text[at..at + 20]
        );
        assert_eq!(sections, vec!["paths:"]);
        let halves = parse_yaml_in_halves(&text).expect("parsed in halves");
        assert_eq!(halves, whole(&text));
        assert_eq!(
            parse_text(&text, Path::new("a.yaml")).expect("valid"),
            whole(&text)
        );
    }

    #[test]
    fn yaml_halves_fall_back_to_the_whole_document() {
        // An alias in the second half of an anchor in the first.
        let text = big_yaml("").replacen(
            "/items/{id}/0:\n    get:",
            "/items/{id}/0:\n    get: &op",
            1,
        ) + "x-again: *op\n";
        assert_eq!(parse_yaml_in_halves(&text), None);
        assert_eq!(
            parse_text(&text, Path::new("a.yaml")).expect("valid"),
            whole(&text)
        );
        // A key in both halves: the whole document's error.
        let text = big_yaml("") + "paths:\n  /x: {}\n";
        assert_eq!(parse_yaml_in_halves(&text), None);
        let e = parse_text(&text, Path::new("a.yaml")).expect_err("duplicate key");
        assert!(e.to_string().contains("duplicate"), "{e}");
        // A split point inside a multi-line quoted scalar.
        let fake_keys: String = (0..400)
            .map(|i| format!("  /looks/like/a/key/{i}:\n"))
            .collect();
        let text = big_yaml(&format!(
            "  /quoted:\n    summary: \"one\n{fake_keys}    two\"\n"
        ));
        let (at, _) = yaml_split_point(&text).expect("a split point");
        assert!(
            text[at..].starts_with("  /looks/like/a/key/"),
            "{}",
            &text[at..at + 20]
        );
        assert_eq!(parse_yaml_in_halves(&text), None);
        assert_eq!(
            parse_text(&text, Path::new("a.yaml")).expect("valid"),
            whole(&text)
        );
    }

    #[test]
    fn json_is_detected_by_content() {
        let v = parse_text("  {\"openapi\": \"3.1.0\"}", Path::new("a.yaml")).expect("json");
        assert_eq!(v["openapi"], "3.1.0");
    }

    #[test]
    fn invalid_yaml_names_the_file_and_line() {
        let e = parse_text("a: [1, 2\nb: c", Path::new("spec/bad.yaml")).expect_err("invalid");
        assert_eq!(e.kind(), ErrorKind::Syntax);
        let text = e.to_string();
        assert!(text.starts_with("spec/bad.yaml: syntax error"), "{text}");
        assert!(text.contains("line"), "{text}");
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let e = load(Path::new("does/not/exist.yaml")).expect_err("missing");
        assert_eq!(e.kind(), ErrorKind::Io);
        assert!(e.to_string().contains("does/not/exist.yaml"));
    }

    #[test]
    fn top_level_must_be_a_mapping() {
        let e = parse_text("- 1\n- 2\n", Path::new("a.yaml")).expect_err("list");
        assert_eq!(e.kind(), ErrorKind::Invalid);
    }
}
