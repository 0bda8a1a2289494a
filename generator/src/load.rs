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
        match parse_json_in_halves(text) {
            Some(value) => Ok(value),
            None => serde_json::from_str::<Json>(text).map(|j| j.0),
        }
        .map_err(|e| {
            Error::new(
                ErrorKind::Syntax,
                path,
                format!("{e} (line {}, column {})", e.line(), e.column()),
            )
        })?
    } else {
        match parse_yaml_in_pieces(text, text.len().div_ceil(PIECE_BYTES)) {
            Some(value) => value,
            None => yaml_value(text, whole_budget(text.len()))
                .map_err(|e| Error::new(ErrorKind::Syntax, path, e.to_string()))?,
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
const PIECES_MIN_BYTES: usize = 256 * 1024;

/// About the size of each piece a larger YAML document is parsed in. libyaml's events
/// for a whole piece are held while it is read (about seven times its text), so
/// smaller pieces keep loading's peak low; each piece after the first costs a split
/// point and a copy of its text. Stripe's 4 MB: 8 pieces, two at a time.
const PIECE_BYTES: usize = 512 * 1024;

/// A large JSON document parsed as two halves on two threads, split between two
/// members of the top-level object (GitHub's: `paths`, then `components`) as near the
/// middle as there is such a boundary. `None` whenever that is not certain to give
/// what parsing the whole would: the text is small, the top level has no boundary, a
/// half fails to parse (the whole is parsed again, for the error's position), or a
/// key of the top level is in both halves (within a half, a repeated key keeps its
/// first place and its last value, as in the whole).
fn parse_json_in_halves(text: &str) -> Option<Value> {
    if text.len() < PIECES_MIN_BYTES {
        return None;
    }
    let at = json_split_point(text, text.len() / 2)?;
    let halves = [[&text[..at], "}"].concat(), ["{", &text[at + 1..]].concat()];
    let parsed = crate::par::map(&halves, |half| match serde_json::from_str::<Json>(half) {
        Ok(Json(Value::Object(map))) => Some(map),
        _ => None,
    });
    drop(halves);
    let [first, second]: [Option<Map<String, Value>>; 2] = parsed.try_into().ok()?;
    let mut first = first?;
    join_pieces(&mut first, second?, &[])?;
    Some(Value::Object(first))
}

/// The byte offset of the `,` between two members of the top-level object nearest
/// `target`, found in one pass over the bytes up to the first such `,` after it
/// (strings skipped with their escapes). `None` when the top level is not an object
/// or has a single member.
fn json_split_point(text: &str, target: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut before = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // To the closing quote: past every backslash and the byte it escapes.
                i += 1;
                loop {
                    i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
                    if bytes[i] == b'"' {
                        break;
                    }
                    i += 2;
                }
            }
            b'{' => depth += 1,
            b'[' if depth == 0 => return None,
            b'[' => depth += 1,
            b'}' | b']' => depth = depth.checked_sub(1)?,
            b',' if depth == 1 => {
                if i >= target {
                    return Some(match before {
                        Some(b) if target - b < i - target => b,
                        _ => i,
                    });
                }
                before = Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    before
}

/// A large YAML document parsed in pieces, two or more at a time (libyaml is most of
/// the time of loading a multi-MB YAML spec), split at mapping keys: keys of the
/// top-level mapping, or of a section (or a section's section) that a split target
/// falls in; each piece after the first starts with those sections' key lines again,
/// and each section's parts are joined. `None` whenever this is not certain to give
/// what parsing the whole would: a piece fails to parse (an alias of an anchor in
/// another piece; a split inside a multi-line scalar or flow collection leaves a piece
/// unterminated), a key would repeat, or the top level uses a merge key. The caller
/// then parses the whole. `count` pieces at most, two at least.
fn parse_yaml_in_pieces(text: &str, count: usize) -> Option<Value> {
    if text.len() < PIECES_MIN_BYTES || text.lines().any(|l| l.starts_with("<<")) {
        return None;
    }
    let splits = yaml_split_points(text, count.max(2));
    if splits.is_empty() {
        return None;
    }
    let mut pieces: Vec<std::borrow::Cow<'_, str>> = vec![text[..splits[0].0].into()];
    for (i, (at, sections)) in splits.iter().enumerate() {
        let end = splits.get(i + 1).map_or(text.len(), |(next, _)| *next);
        let mut piece = String::with_capacity(end - at + 64);
        for header in sections {
            piece.push_str(header);
            piece.push('\n');
        }
        piece.push_str(&text[*at..end]);
        pieces.push(piece.into());
    }
    // The document's budget shared out: anchors cannot reach across pieces.
    let budget = whole_budget(text.len()) / pieces.len();
    let parsed = crate::par::map(&pieces, |t| match yaml_value(t, budget) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    });
    drop(pieces);
    let mut parsed = parsed.into_iter();
    let mut out = parsed.next()??;
    for (piece, (_, sections)) in parsed.zip(&splits) {
        let path: Vec<String> = sections.iter().map(|h| yaml_key(h)).collect();
        join_pieces(&mut out, piece?, &path)?;
    }
    Some(Value::Object(out))
}

/// Appends a later piece's entries; along `path` (the split sections' keys) the two
/// pieces' mappings are joined instead. `None` when a key repeats.
fn join_pieces(
    first: &mut Map<String, Value>,
    second: Map<String, Value>,
    path: &[String],
) -> Option<()> {
    for (key, value) in second {
        match (first.get_mut(&key), value) {
            (Some(Value::Object(joined)), Value::Object(rest)) if path.first() == Some(&key) => {
                join_pieces(joined, rest, &path[1..])?;
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

/// A mapping of the document: its lines `[from, to)`, its keys at `indent`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Section {
    from: usize,
    to: usize,
    indent: usize,
}

/// Where to split a document into `count` pieces of about equal size: for each target
/// offset, the byte offset of the key line nearest it among the keys of the top-level
/// mapping and of the sections (at most three deep) the target falls in, with the key
/// lines of the sections it is inside. Ascending and distinct; fewer than `count - 1`
/// when targets share a key; empty when there is no key to split at.
fn yaml_split_points(text: &str, count: usize) -> Vec<(usize, Vec<&str>)> {
    // Each line's offset and text, and its indentation when it holds content (not
    // blank, not a comment): measured once, as the sections below are scanned again and
    // again (a key line is a content line at its section's indentation).
    struct Line<'t> {
        offset: usize,
        text: &'t str,
        content_indent: Option<usize>,
    }
    let mut lines: Vec<Line> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let text = line.trim_end_matches(['\n', '\r']);
        let spaces = text.len() - text.trim_start_matches(' ').len();
        let rest = text[spaces..].trim_start();
        let content = !rest.is_empty() && !rest.starts_with('#');
        lines.push(Line {
            offset,
            text,
            content_indent: content.then_some(spaces),
        });
        offset += line.len();
    }
    // Each section's key lines and the section each key opens, found once and shared
    // by the targets that fall in it.
    let mut keys_of: std::collections::HashMap<Section, Vec<usize>> = Default::default();
    let mut child_of: std::collections::HashMap<usize, Option<Section>> = Default::default();
    let mut splits: Vec<(usize, Vec<&str>)> = Vec::new();
    for k in 1..count {
        let target = text.len() / count * k;
        let mut best: Option<(usize, Vec<&str>)> = None;
        let mut section = Section {
            from: 0,
            to: lines.len(),
            indent: 0,
        };
        let mut sections: Vec<&str> = Vec::new();
        for _ in 0..4 {
            let keys = keys_of.entry(section).or_insert_with(|| {
                (section.from..section.to)
                    .filter(|&i| {
                        lines[i].content_indent == Some(section.indent)
                            && is_key_line(lines[i].text, section.indent)
                    })
                    .collect()
            });
            // The first key of a section is not a split point (the piece before would
            // hold the section's key with nothing under it).
            for &i in keys.iter().skip(usize::from(!sections.is_empty())) {
                let start = lines[i].offset;
                if start > 0
                    && best
                        .as_ref()
                        .is_none_or(|(b, _)| start.abs_diff(target) < b.abs_diff(target))
                {
                    best = Some((start, sections.clone()));
                }
            }
            // Go into the section the target falls in.
            let Some(&header) = keys.iter().rfind(|&&i| lines[i].offset <= target) else {
                break;
            };
            let child = *child_of.entry(header).or_insert_with(|| {
                let end = (header + 1..section.to)
                    .find(|&i| lines[i].content_indent.is_some_and(|n| n <= section.indent))
                    .unwrap_or(section.to);
                (header + 1..end)
                    .find_map(|i| lines[i].content_indent)
                    .filter(|n| *n > section.indent)
                    .map(|indent| Section {
                        from: header + 1,
                        to: end,
                        indent,
                    })
            });
            let Some(child) = child else {
                break;
            };
            sections.push(lines[header].text);
            section = child;
        }
        if let Some(split) = best
            && splits.last().is_none_or(|(last, _)| *last < split.0)
        {
            splits.push(split);
        }
    }
    splits
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

/// What a document of `len` bytes may expand to: [`EXPANSION_ALLOWANCE`] plus 16
/// times its size.
fn whole_budget(len: usize) -> usize {
    EXPANSION_ALLOWANCE.saturating_add(len.saturating_mul(16))
}

/// Parses YAML into JSON data, refusing a document whose aliases expand it beyond
/// `budget` bytes ([`whole_budget`]).
fn yaml_value(text: &str, budget: usize) -> Result<Value, serde_yaml::Error> {
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
        // Entries are gathered first and the mapping made at its final size: grown one
        // entry at a time, its table would average a third unused (a few MB of a
        // large spec, held while it is lowered).
        let mut entries = Vec::new();
        let mut merged = Vec::new();
        while let Some(Key(k)) = map.next_key()? {
            let YamlJson(v) = map.next_value()?;
            if k == "<<" {
                merged.push(v);
            } else {
                entries.push((k, v));
            }
        }
        let mut out = Map::with_capacity(entries.len());
        for (k, v) in entries {
            match out.entry(k) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(v);
                }
                serde_json::map::Entry::Occupied(slot) => {
                    return Err(serde::de::Error::custom(format!(
                        "duplicate mapping key `{}`",
                        slot.key()
                    )));
                }
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

/// A JSON document read as `serde_json::Value` reads it (a repeated key keeps its first
/// place and its last value), except that each object is made at its final size once
/// its entries are read, as YAML mappings are ([`NodeVisitor::visit_map`]): GitHub's
/// spec is 3.7 MB of JSON. (The crate is built without serde_json's
/// `arbitrary_precision`, which would hand numbers over as objects.)
struct Json(Value);

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor).map(Json)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Json(v)) = seq.next_element()? {
            out.push(v);
        }
        out.shrink_to_fit();
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, Json(v))) = map.next_entry::<String, Json>()? {
            entries.push((k, v));
        }
        let mut out = Map::with_capacity(entries.len());
        for (k, v) in entries {
            out.insert(k, v);
        }
        Ok(Value::Object(out))
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

    /// A JSON spec of about 400 KB: `paths` in the first half, then `extra` (top-level
    /// members, each after a comma) and `components`, keys and strings holding the
    /// characters the splitter looks for.
    fn big_json(extra: &str) -> String {
        let mut text = String::from("{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {");
        for i in 0..3000 {
            let comma = if i == 0 { "" } else { "," };
            text.push_str(&format!(
                "{comma}\n    \"/a,{{b}}/{i}\": {{\"get\": {{\"summary\": \"x\\\"}}, [y]\\\\\", \"n\": [{i}, {{}}]}}}}"
            ));
        }
        text.push_str("\n  }");
        text.push_str(extra);
        text.push_str(",\n  \"components\": {\"schemas\": {");
        for i in 0..1500 {
            let comma = if i == 0 { "" } else { "," };
            text.push_str(&format!(
                "{comma}\"S{i}\": {{\"type\": \"object\", \"x\": \"\\u00e9\"}}"
            ));
        }
        text.push_str("}}\n}\n");
        text
    }

    /// Parsed in halves, a large JSON spec is the value (members in order) that
    /// parsing it whole gives; where the halves cannot give that, the whole is parsed.
    #[test]
    fn large_json_in_halves_is_the_whole() {
        let whole = |text: &str| serde_json::from_str::<Json>(text).map(|j| j.0);
        for extra in [
            "",
            ",\n  \"info\": {\"title\": \"t\"}",
            ",\n  \"paths\": {}",
        ] {
            let text = big_json(extra);
            assert!(text.len() > PIECES_MIN_BYTES, "{}", text.len());
            let expected = whole(&text).expect("valid JSON");
            let loaded = parse_text(&text, Path::new("a.json")).expect("loads");
            assert_eq!(
                serde_json::to_string(&loaded).ok(),
                serde_json::to_string(&expected).ok(),
                "extra {extra:?}"
            );
        }
        // Split at the boundary after `paths`, nearer the middle than any other.
        let text = big_json("");
        let at = json_split_point(&text, text.len() / 2).expect("a boundary");
        assert!(text[at..].starts_with(",\n  \"components\""));
        // `paths` repeated in the second half: the halves would keep both, the whole
        // keeps the last, and the whole is what is parsed.
        assert_eq!(parse_json_in_halves(&big_json(",\n  \"paths\": {}")), None);
        // A broken half: the whole is parsed, and the error is the whole's.
        let broken = big_json("").replace("\"S1499\": {", "\"S1499\": {,");
        let e = parse_text(&broken, Path::new("a.json")).expect_err("invalid");
        let expected = whole(&broken).expect_err("invalid");
        assert!(
            e.to_string().contains(&format!("line {}", expected.line())),
            "{e}"
        );
    }

    #[test]
    fn json_split_points_are_top_level_member_boundaries() {
        // The boundary nearest the target, before or after it.
        let text = r#"{"a": [1, 2], "b,\"{": "x\\", "c": {"d": 1, "e": 2}}"#;
        let boundaries: Vec<usize> = text.match_indices(", \"").map(|(i, _)| i).collect();
        assert_eq!(json_split_point(text, 0), Some(boundaries[0]));
        assert_eq!(
            json_split_point(text, boundaries[1] - 1),
            Some(boundaries[1])
        );
        assert_eq!(json_split_point(text, text.len()), Some(boundaries[1]));
        // No top-level object, or a single member: no boundary.
        assert_eq!(json_split_point("[1, 2]", 1), None);
        assert_eq!(
            json_split_point(r#"{"a": [1, 2, {"b": 3, "c": 4}]}"#, 5),
            None
        );
        assert_eq!(json_split_point(r#"{"a": "unterminated, "#, 0), None);
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
    fn large_yaml_parsed_in_pieces_is_the_same_document() {
        let text = big_yaml("");
        assert!(text.len() > PIECES_MIN_BYTES);
        let splits = yaml_split_points(&text, 2);
        let [(at, sections)] = &splits[..] else {
            panic!("one split point: {splits:?}");
        };
        assert!(
            text[*at..].starts_with("  /items/"),
            "{}",
            &text[*at..at + 20]
        );
        assert_eq!(sections, &vec!["paths:"]);
        let pieces = parse_yaml_in_pieces(&text, 2).expect("parsed in pieces");
        assert_eq!(pieces, whole(&text));
        assert_eq!(
            parse_text(&text, Path::new("a.yaml")).expect("valid"),
            whole(&text)
        );
    }

    #[test]
    fn pieces_split_in_several_sections_join_into_the_same_document() {
        // Paths, then as many schemas: split targets fall in both sections.
        let mut text = big_yaml("");
        for i in 0..6000 {
            text.push_str(&format!(
                "    S{i}:\n      type: object\n      properties:\n        id: {{type: string}}\n"
            ));
        }
        let splits = yaml_split_points(&text, 6);
        assert_eq!(splits.len(), 5, "{splits:?}");
        assert!(splits.windows(2).all(|w| w[0].0 < w[1].0));
        let sections: Vec<&Vec<&str>> = splits.iter().map(|(_, s)| s).collect();
        assert!(sections.contains(&&vec!["paths:"]), "{sections:?}");
        assert!(
            sections.contains(&&vec!["components:", "  schemas:"]),
            "{sections:?}"
        );
        assert_eq!(parse_yaml_in_pieces(&text, 6), Some(whole(&text)));
    }

    #[test]
    fn yaml_pieces_fall_back_to_the_whole_document() {
        // An alias in a later piece of an anchor in the first.
        let text = big_yaml("").replacen(
            "/items/{id}/0:\n    get:",
            "/items/{id}/0:\n    get: &op",
            1,
        ) + "x-again: *op\n";
        assert_eq!(parse_yaml_in_pieces(&text, 4), None);
        assert_eq!(
            parse_text(&text, Path::new("a.yaml")).expect("valid"),
            whole(&text)
        );
        // A key in two pieces: the whole document's error.
        let text = big_yaml("") + "paths:\n  /x: {}\n";
        assert_eq!(parse_yaml_in_pieces(&text, 4), None);
        let e = parse_text(&text, Path::new("a.yaml")).expect_err("duplicate key");
        assert!(e.to_string().contains("duplicate"), "{e}");
        // A split point inside a multi-line quoted scalar.
        let fake_keys: String = (0..400)
            .map(|i| format!("  /looks/like/a/key/{i}:\n"))
            .collect();
        let text = big_yaml(&format!(
            "  /quoted:\n    summary: \"one\n{fake_keys}    two\"\n"
        ));
        let splits = yaml_split_points(&text, 2);
        assert!(
            text[splits[0].0..].starts_with("  /looks/like/a/key/"),
            "{}",
            &text[splits[0].0..splits[0].0 + 20]
        );
        assert_eq!(parse_yaml_in_pieces(&text, 2), None);
        assert_eq!(
            parse_text(&text, Path::new("a.yaml")).expect("valid"),
            whole(&text)
        );
    }

    #[test]
    fn an_alias_bomb_split_in_pieces_is_still_refused() {
        // Each piece gets its share of the document's budget: a bomb in one piece
        // fails there, and the whole document is refused with the whole budget.
        let mut text = big_yaml("");
        text.push_str("x-bomb:\n  a: &a [\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]\n");
        for (name, prev) in [
            ("b", "a"),
            ("c", "b"),
            ("d", "c"),
            ("e", "d"),
            ("f", "e"),
            ("g", "f"),
        ] {
            text.push_str(&format!(
                "  {name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert_eq!(parse_yaml_in_pieces(&text, 4), None);
        let e = parse_text(&text, Path::new("a.yaml")).expect_err("bomb");
        assert!(e.to_string().contains("expand"), "{e}");
    }

    #[test]
    fn json_reads_as_serde_json_reads_it() {
        let text = r#"{"b": {"x": 1, "<<": 2, "x": 3}, "a": [1, -2, 18446744073709551615,
            -9223372036854775808, 1.5, 2e3, -0.0, "\u00e9\n", true, null, {}, [], [[]]],
            "c": {"": "", "d": {"e": {"f": [{"g": 0}]}}}}"#;
        let ours = parse_text(text, Path::new("a.json")).expect("valid");
        let theirs: Value = serde_json::from_str(text).expect("valid");
        assert_eq!(ours, theirs);
        assert_eq!(ours.to_string(), theirs.to_string(), "same key order");
        assert_eq!(ours["b"]["x"], 3);
        let e = parse_text("{\"a\": [1, 2}", Path::new("bad.json")).expect_err("invalid");
        assert!(e.to_string().contains("line 1"), "{e}");
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
