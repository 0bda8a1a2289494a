//! Stage 3, parse: the normalized JSON value into `openapiv3`'s typed model.
//!
//! Shape errors are reported with the JSON pointer of the node that did not fit.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, ErrorKind};
use crate::pointer::JsonPointer;

/// Parses a normalized document. The value is borrowed: later stages still read raw
/// nodes (examples, `webhooks`) that the typed model does not keep.
pub fn parse(value: &Value, path: &Path) -> Result<openapiv3::OpenAPI, Error> {
    match value.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.") => {}
        Some(v) => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                path,
                format!("OpenAPI version {v} is not supported (3.0 and 3.1 are)"),
            )
            .at("#/openapi"));
        }
        None => {
            let hint = if value.get("swagger").is_some() {
                "Swagger 2.0 is not supported; convert it to OpenAPI 3 first"
            } else {
                "missing `openapi` version field"
            };
            return Err(Error::new(ErrorKind::Invalid, path, hint).at("#"));
        }
    }
    // The plain deserializer first: tracking the path costs about as much again, and
    // is only needed to locate an error.
    if let Ok(api) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(value) {
        return Ok(api);
    }
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(value).map_err(|e| {
        let (pointer, message) = locate(e, &JsonPointer::root());
        // `openapiv3` flattens maps (paths, responses), which hides the exact place;
        // parse the children one by one to find the node that does not fit.
        let (pointer, message) = drill(value, &pointer).unwrap_or((pointer, message));
        Error::new(ErrorKind::Invalid, path, message).at(pointer)
    })
}

fn locate(
    e: serde_path_to_error::Error<serde_json::Error>,
    base: &JsonPointer,
) -> (JsonPointer, String) {
    let mut pointer = base.clone();
    for segment in e.path().iter() {
        use serde_path_to_error::Segment;
        match segment {
            Segment::Seq { index } => pointer.push(&index.to_string()),
            Segment::Map { key } => pointer.push(key),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    (pointer, e.into_inner().to_string())
}

/// Tries `T` on a node; on failure, the located error.
fn attempt<T: serde::de::DeserializeOwned>(
    node: &Value,
    pointer: &JsonPointer,
) -> Option<(JsonPointer, String)> {
    serde_path_to_error::deserialize::<_, T>(node)
        .err()
        .map(|e| locate(e, pointer))
}

/// Finds the deepest node under `pointer` that fails to parse as what it should be.
fn drill(doc: &Value, pointer: &JsonPointer) -> Option<(JsonPointer, String)> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
    let node = crate::pointer::resolve(doc, pointer.as_str())?;
    let segments = pointer.segments();
    let children = |node: &Value| -> Vec<(String, Value)> {
        node.as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    };
    let deeper = |found: (JsonPointer, String)| drill(doc, &found.0).or(Some(found));
    match segments
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["paths"] | ["webhooks"] => children(node).into_iter().find_map(|(k, v)| {
            attempt::<ReferenceOr<PathItem>>(&v, &pointer.join(&k))
                .map(|f| drill(doc, &pointer.join(&k)).unwrap_or(f))
        }),
        ["paths" | "webhooks", _] => [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ]
        .iter()
        .filter_map(|m| node.get(*m).map(|v| (m, v)))
        .find_map(|(m, v)| attempt::<Operation>(v, &pointer.join(m)).and_then(deeper)),
        ["paths" | "webhooks", _, _, "responses"] => children(node)
            .into_iter()
            .find_map(|(k, v)| attempt::<ReferenceOr<Response>>(&v, &pointer.join(&k))),
        ["paths" | "webhooks", _, _] => {
            if let Some(found) = node.get("responses").and_then(|r| {
                children(r).into_iter().find_map(|(k, v)| {
                    attempt::<ReferenceOr<Response>>(&v, &pointer.join("responses").join(&k))
                })
            }) {
                return Some(found);
            }
            if let Some(found) = node
                .get("parameters")
                .and_then(Value::as_array)
                .and_then(|ps| {
                    ps.iter().enumerate().find_map(|(i, v)| {
                        attempt::<ReferenceOr<Parameter>>(v, &pointer.join("parameters").join(i))
                    })
                })
            {
                return Some(found);
            }
            node.get("requestBody")
                .and_then(|b| attempt::<ReferenceOr<RequestBody>>(b, &pointer.join("requestBody")))
        }
        ["components"] => children(node).into_iter().find_map(|(section, entries)| {
            let base = pointer.join(&section);
            children(&entries).into_iter().find_map(|(k, v)| {
                let at = base.join(&k);
                match section.as_str() {
                    "schemas" => attempt::<ReferenceOr<Schema>>(&v, &at),
                    "responses" => attempt::<ReferenceOr<Response>>(&v, &at),
                    "parameters" => attempt::<ReferenceOr<Parameter>>(&v, &at),
                    "requestBodies" => attempt::<ReferenceOr<RequestBody>>(&v, &at),
                    _ => None,
                }
            })
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_minimal_document() {
        let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
        let api = parse(&doc, Path::new("a.json")).expect("valid");
        assert_eq!(api.info.title, "t");
    }

    #[test]
    fn shape_errors_carry_a_pointer() {
        let doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": 5}}}}}
        });
        let e = parse(&doc, Path::new("a.json")).expect_err("invalid");
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(
            e.pointer()
                .is_some_and(|p| p.starts_with("#/paths/~1a/get")),
            "{e}"
        );
    }

    #[test]
    fn swagger_two_is_refused_clearly() {
        let e = parse(&json!({"swagger": "2.0"}), Path::new("a.json")).expect_err("old");
        assert!(e.to_string().contains("Swagger 2.0"), "{e}");
    }
}
