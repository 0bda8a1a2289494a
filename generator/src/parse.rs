//! Stage 3, parse: the normalized JSON value into `openapiv3`'s typed model.
//!
//! Shape errors are reported with the JSON pointer of the node that did not fit.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind};
use crate::pointer::JsonPointer;

/// Component sections that lowering reads from the document through references, never
/// from the typed model (component schemas are walked in the document too).
const BY_REFERENCE: [&str; 8] = [
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "links",
    "callbacks",
];

/// Parses a normalized document. The value is borrowed: later stages still read raw
/// nodes (examples, `webhooks`) that the typed model does not keep.
///
/// The model holds what lowering walks whole (info, servers, tags, security schemes),
/// not a second copy of the document:
/// - the [`BY_REFERENCE`] sections of `components` are checked here one entry at a
///   time and left out of the model (taken out of `value` while the rest is parsed,
///   then put back);
/// - `paths` is left out too: lowering reads one path item at a time from the
///   document ([`path_item`]), which checks it with the same located errors, so at
///   most one item is held twice;
/// - `components/examples` is checked and then dropped from the document: nothing after
///   this stage reads it (validation ran before; lowering takes inline examples only).
pub fn parse(value: &mut Value, path: &Path) -> Result<openapiv3::OpenAPI, Error> {
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
    let paths = value
        .as_object_mut()
        .and_then(|root| root.insert("paths".to_string(), Value::Object(Map::new())));
    let parsed = parse_without_paths(value, path);
    if let (Some(paths), Some(root)) = (paths, value.as_object_mut()) {
        root.insert("paths".to_string(), paths);
    }
    let api = parsed?;
    if let Some(Value::Object(components)) = value.get_mut("components") {
        components.shift_remove("examples");
    }
    Ok(api)
}

/// [`parse`] once `paths` is an empty mapping.
fn parse_without_paths(value: &mut Value, path: &Path) -> Result<openapiv3::OpenAPI, Error> {
    let taken = take_by_reference(value);
    let api = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&*value).ok();
    let entries_fit = api.is_some()
        && taken
            .iter()
            .all(|(section, entries)| fits(section, entries));
    put_back(value, taken);
    if let Some(api) = api.filter(|_| entries_fit) {
        return Ok(api);
    }
    let value = &*value;
    if let Ok(api) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(value) {
        return Ok(api);
    }
    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(value).map_err(|e| {
        let (pointer, message) = locate(e, &JsonPointer::root());
        // `openapiv3` flattens maps (responses), which hides the exact place; parse the
        // children one by one to find the node that does not fit.
        let (pointer, message) = drill(value, &pointer).unwrap_or((pointer, message));
        Error::new(ErrorKind::Invalid, path, message).at(pointer)
    })
}

/// The path item written at `pointer` (`/paths/...`, not a `$ref`) of `doc`, parsed; a
/// node that does not fit is an error located as [`parse`] locates one.
pub fn path_item(
    doc: &Value,
    pointer: &JsonPointer,
    file: &Path,
) -> Result<openapiv3::PathItem, Error> {
    use openapiv3::PathItem;
    let Some(node) = pointer.resolve(doc) else {
        return Err(Error::new(ErrorKind::Invalid, file, "no path item here").at(pointer));
    };
    // The plain deserializer first, as in `parse`.
    if let Ok(item) = <PathItem as serde::Deserialize>::deserialize(node) {
        return Ok(item);
    }
    let (at, message) = attempt::<PathItem>(node, pointer)
        .map(|found| drill(doc, pointer).unwrap_or(found))
        .unwrap_or_else(|| (pointer.clone(), "not a path item".to_string()));
    Err(Error::new(ErrorKind::Invalid, file, message).at(at))
}

/// The [`BY_REFERENCE`] sections taken out of `components`, with the order of its
/// keys to put them back in.
struct Taken {
    order: Vec<String>,
    sections: Vec<(&'static str, Value)>,
}

impl Taken {
    fn iter(&self) -> impl Iterator<Item = &(&'static str, Value)> {
        self.sections.iter()
    }
}

fn take_by_reference(doc: &mut Value) -> Taken {
    let Some(Value::Object(components)) = doc.get_mut("components") else {
        return Taken {
            order: Vec::new(),
            sections: Vec::new(),
        };
    };
    let order = components.keys().cloned().collect();
    let sections = BY_REFERENCE
        .iter()
        .filter_map(|section| Some((*section, components.remove(*section)?)))
        .collect();
    Taken { order, sections }
}

/// Puts [`take_by_reference`]'s sections back, every key of `components` in its
/// original place.
fn put_back(doc: &mut Value, taken: Taken) {
    if taken.sections.is_empty() {
        return;
    }
    let Some(Value::Object(components)) = doc.get_mut("components") else {
        return;
    };
    let mut rest = std::mem::take(components);
    let mut sections = taken.sections;
    for key in taken.order {
        let value = match sections.iter().position(|(s, _)| *s == key) {
            Some(i) => sections.swap_remove(i).1,
            None => match rest.remove(&key) {
                Some(v) => v,
                None => continue,
            },
        };
        components.insert(key, value);
    }
}

/// Whether every entry of a [`BY_REFERENCE`] section parses as what it should be.
fn fits(section: &str, entries: &Value) -> bool {
    use openapiv3::{
        Callback, Example, Header, Link, Parameter, ReferenceOr, RequestBody, Response, Schema,
    };
    fn each<T: serde::de::DeserializeOwned>(entries: &Value) -> bool {
        entries.as_object().is_some_and(|m| {
            m.values()
                .all(|v| <ReferenceOr<T> as serde::Deserialize>::deserialize(v).is_ok())
        })
    }
    match section {
        "schemas" => each::<Schema>(entries),
        "responses" => each::<Response>(entries),
        "parameters" => each::<Parameter>(entries),
        "examples" => each::<Example>(entries),
        "requestBodies" => each::<RequestBody>(entries),
        "headers" => each::<Header>(entries),
        "links" => each::<Link>(entries),
        "callbacks" => each::<Callback>(entries),
        _ => false,
    }
}

fn locate(
    e: serde_path_to_error::Error<serde_json::Error>,
    base: &JsonPointer,
) -> (JsonPointer, String) {
    let mut pointer = base.clone();
    for segment in e.path().iter() {
        use serde_path_to_error::Segment;
        match segment {
            Segment::Seq { index } => pointer.push(index),
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
    let node = pointer.resolve(doc)?;
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
        let mut doc =
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}});
        let api = parse(&mut doc, Path::new("a.json")).expect("valid");
        assert_eq!(api.info.title, "t");
    }

    #[test]
    fn shape_errors_carry_a_pointer() {
        let mut doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": 5}}}}},
            "components": {"securitySchemes": {"k": {"type": "apiKey"}}}
        });
        let e = parse(&mut doc, Path::new("a.json")).expect_err("invalid");
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(
            e.pointer()
                .is_some_and(|p| p.starts_with("#/components/securitySchemes/k")),
            "{e}"
        );
        // A path item is checked when it is read, with the same located error.
        doc["components"]["securitySchemes"]["k"] = json!({"type": "http", "scheme": "bearer"});
        parse(&mut doc, Path::new("a.json")).expect("paths are read later");
        let e = path_item(
            &doc,
            &JsonPointer::at(&["paths", "/a"]),
            Path::new("a.json"),
        )
        .expect_err("invalid");
        assert_eq!(e.kind(), ErrorKind::Invalid);
        assert!(
            e.pointer()
                .is_some_and(|p| p.starts_with("#/paths/~1a/get/responses/200")),
            "{e}"
        );
    }

    #[test]
    fn paths_are_left_out_of_the_model_and_examples_dropped() {
        let mut doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"204": {"description": "done"}}}}},
            "x-after": 1,
            "components": {"examples": {"e": {"value": 1}}, "schemas": {"A": {"type": "string"}}}
        });
        let api = parse(&mut doc, Path::new("a.json")).expect("valid");
        assert!(api.paths.paths.is_empty());
        let keys: Vec<&String> = doc.as_object().expect("map").keys().collect();
        assert_eq!(keys, ["openapi", "info", "paths", "x-after", "components"]);
        assert!(doc["paths"]["/a"]["get"].is_object());
        assert!(doc["components"].get("examples").is_none());
        assert!(doc["components"]["schemas"]["A"].is_object());
        let item = path_item(
            &doc,
            &JsonPointer::at(&["paths", "/a"]),
            Path::new("a.json"),
        )
        .expect("valid");
        assert!(item.get.is_some());
    }

    #[test]
    fn components_read_by_reference_are_checked_and_put_back_in_place() {
        let mut doc = json!({
            "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {
                "x-first": true,
                "parameters": {"p": {"name": "p", "in": "query", "schema": {"type": "string"}}},
                "securitySchemes": {"k": {"type": "apiKey", "name": "k", "in": "header"}},
                "schemas": {"A": {"type": "string"}}
            }
        });
        let before = doc.clone();
        let api = parse(&mut doc, Path::new("a.json")).expect("valid");
        // Left out of the model, back in the document, every key where it was.
        let components = api.components.expect("components");
        assert!(components.schemas.is_empty() && components.parameters.is_empty());
        assert_eq!(components.security_schemes.len(), 1);
        assert_eq!(doc, before);
        let keys: Vec<&String> = doc["components"].as_object().expect("map").keys().collect();
        assert_eq!(
            keys,
            ["x-first", "parameters", "securitySchemes", "schemas"]
        );

        // A component that does not fit is still an error at its place.
        doc["components"]["schemas"]["A"]["type"] = json!(5);
        let e = parse(&mut doc, Path::new("a.json")).expect_err("invalid");
        assert!(
            e.pointer()
                .is_some_and(|p| p.starts_with("#/components/schemas/A")),
            "{e}"
        );
    }

    #[test]
    fn swagger_two_is_refused_clearly() {
        let e = parse(&mut json!({"swagger": "2.0"}), Path::new("a.json")).expect_err("old");
        assert!(e.to_string().contains("Swagger 2.0"), "{e}");
    }
}
