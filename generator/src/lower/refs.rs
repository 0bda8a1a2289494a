//! `$ref` resolution against the raw (normalized) document.
//!
//! Lowering resolves references itself rather than through `openapiv3`'s components
//! map so that any local JSON pointer works (`$defs`, refs into `paths`), with the
//! pointer escapes of RFC 6901 and the percent-encoding of URI fragments.

use serde_json::Value;

/// A schema slot: a reference or an inline schema.
#[derive(Debug, Clone, Copy)]
pub enum SchemaRef<'a> {
    /// `$ref` target.
    Ref(&'a str),
    /// Inline schema.
    Inline(&'a openapiv3::Schema),
}

impl<'a> From<&'a openapiv3::ReferenceOr<openapiv3::Schema>> for SchemaRef<'a> {
    fn from(r: &'a openapiv3::ReferenceOr<openapiv3::Schema>) -> Self {
        match r {
            openapiv3::ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            openapiv3::ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

impl<'a> From<&'a openapiv3::ReferenceOr<Box<openapiv3::Schema>>> for SchemaRef<'a> {
    fn from(r: &'a openapiv3::ReferenceOr<Box<openapiv3::Schema>>) -> Self {
        match r {
            openapiv3::ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            openapiv3::ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

/// Decodes `%XX` escapes (URI fragment encoding) in a reference.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a local reference (`#/a/b~1c`) into unescaped segments; `None` for
/// references to other documents.
pub fn local_segments(reference: &str) -> Option<Vec<String>> {
    let pointer = reference.strip_prefix('#')?;
    let pointer = percent_decode(pointer);
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Canonical form of a local reference, so differently escaped spellings of the same
/// target share one type.
pub fn canonical(reference: &str) -> Option<String> {
    let segments = local_segments(reference)?;
    let mut out = String::from("#");
    for s in segments {
        out = crate::error::pointer_push(&out, &s);
    }
    Some(out)
}

/// The node a local reference points at.
pub fn resolve<'v>(doc: &'v Value, reference: &str) -> Option<&'v Value> {
    let mut node = doc;
    for segment in local_segments(reference)? {
        node = match node {
            Value::Object(map) => map.get(&segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The last segment of a reference, the natural name of what it points at.
pub fn last_segment(reference: &str) -> String {
    local_segments(reference)
        .and_then(|s| s.last().cloned())
        .unwrap_or_else(|| reference.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_escaped_pointers() {
        let doc = json!({"paths": {"/a/{b}": {"get": {"x": 1}}}, "c~d": {"e f": 2}});
        assert_eq!(resolve(&doc, "#/paths/~1a~1{b}/get/x"), Some(&json!(1)));
        assert_eq!(resolve(&doc, "#/c~0d/e%20f"), Some(&json!(2)));
        assert_eq!(resolve(&doc, "#/nope"), None);
        assert_eq!(resolve(&doc, "other.yaml#/a"), None);
    }

    #[test]
    fn canonical_spelling() {
        assert_eq!(canonical("#/a/b%7E1c").as_deref(), Some("#/a/b~1c"));
        assert_eq!(last_segment("#/components/schemas/Pet"), "Pet");
    }
}
