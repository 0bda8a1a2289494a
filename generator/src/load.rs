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
        serde_yaml::from_str::<YamlJson>(text)
            .map_err(|e| Error::new(ErrorKind::Syntax, path, e.to_string()))?
            .0
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

fn float(f: f64) -> Value {
    // NaN and infinities have no JSON form; treat them as absent values.
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

impl<'de> serde::de::Visitor<'de> for NodeVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
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
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| float(v as f64), |i| Value::Number(i.into())))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| float(v as f64), |u| Value::Number(u.into())))
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
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(YamlJson(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
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
