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
        let mut yaml: serde_yaml::Value = serde_yaml::from_str(text)
            .map_err(|e| Error::new(ErrorKind::Syntax, path, e.to_string()))?;
        yaml.apply_merge()
            .map_err(|e| Error::new(ErrorKind::Syntax, path, e.to_string()))?;
        yaml_to_json(yaml, path, "#")?
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

/// YAML allows non-string keys (`200:` for status codes) and tags; JSON does not.
/// Keys are stringified; tags are dropped (OpenAPI gives them no meaning).
fn yaml_to_json(value: serde_yaml::Value, path: &Path, pointer: &str) -> Result<Value, Error> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Number(i.into())
            } else if let Some(u) = n.as_u64() {
                Value::Number(u.into())
            } else {
                // NaN and infinities have no JSON form; treat them as absent values.
                n.as_f64()
                    .and_then(Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(yaml_to_json(item, path, &format!("{pointer}/{i}"))?);
            }
            Value::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_string(),
                    _ => {
                        return Err(Error::new(
                            ErrorKind::Syntax,
                            path,
                            "a mapping key must be a scalar",
                        )
                        .at(pointer.to_string()));
                    }
                };
                let child = crate::error::pointer_push(pointer, &key);
                let v = yaml_to_json(v, path, &child)?;
                out.insert(key, v);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, path, pointer)?,
    })
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
