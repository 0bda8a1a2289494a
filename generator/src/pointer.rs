//! JSON pointers into the spec document: `$ref` targets resolved against the raw
//! (normalized) JSON value, with the pointer escapes of RFC 6901 and the
//! percent-encoding of URI fragments. Shared by the stages that follow references
//! themselves (validate, parse, lower), so that any local pointer works (`$defs`,
//! refs into `paths`).

use std::borrow::Cow;

use serde_json::Value;

use crate::member::Member;

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

/// The pointer part of a local reference (after `#`), percent-decoded; `None` for
/// references to other documents. Borrowed when there is nothing to decode.
fn decoded(reference: &str) -> Option<Cow<'_, str>> {
    let pointer = reference.strip_prefix('#')?;
    Some(if pointer.contains('%') {
        Cow::Owned(percent_decode(pointer))
    } else {
        Cow::Borrowed(pointer)
    })
}

/// One pointer segment with `~1` and `~0` unescaped. Borrowed when it has no `~`.
fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// Calls `f` with each unescaped segment of a decoded pointer; `None` when the pointer
/// is neither empty nor starts with `/`, or when `f` gives up.
fn for_each_segment(pointer: &str, mut f: impl FnMut(&str) -> Option<()>) -> Option<()> {
    if pointer.is_empty() {
        return Some(());
    }
    let rest = pointer.strip_prefix('/')?;
    for segment in rest.split('/') {
        f(&unescape(segment))?;
    }
    Some(())
}

/// Splits a local reference (`#/a/b~1c`) into unescaped segments; `None` for
/// references to other documents.
fn local_segments(reference: &str) -> Option<Vec<String>> {
    let pointer = decoded(reference)?;
    let mut out = Vec::new();
    for_each_segment(&pointer, |s| {
        out.push(s.to_string());
        Some(())
    })?;
    Some(out)
}

/// Canonical form of a local reference, so differently escaped spellings of the same
/// target share one type.
pub fn canonical(reference: &str) -> Option<String> {
    // Already canonical: nothing percent-encoded or `~`-escaped (the common case).
    if (reference == "#" || reference.starts_with("#/")) && !reference.contains(['%', '~']) {
        return Some(reference.to_string());
    }
    let pointer = decoded(reference)?;
    let mut out = String::with_capacity(reference.len());
    out.push('#');
    for_each_segment(&pointer, |s| {
        push_escaped(&mut out, s);
        Some(())
    })?;
    Some(out)
}

/// The node a local reference points at.
pub fn resolve<'v>(doc: &'v Value, reference: &str) -> Option<&'v Value> {
    walk(doc, &decoded(reference)?)
}

/// The node at a decoded pointer (`/a/b~1c`).
fn walk<'v>(doc: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut node = doc;
    for_each_segment(pointer, |segment| {
        node = match node {
            Value::Object(map) => map.member(segment)?,
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
        Some(())
    })?;
    Some(node)
}

/// The last segment of a reference, the natural name of what it points at.
pub fn last_segment(reference: &str) -> String {
    local_segments(reference)
        .and_then(|s| s.last().cloned())
        .unwrap_or_else(|| reference.to_string())
}

/// A local JSON pointer into the spec, written as a URI fragment
/// (`#/paths/~1chats/get`): the form errors and diagnostics name places in.
///
/// The text is kept escaped (RFC 6901) and canonical: segments are pushed unescaped
/// and escaped here, the one place that does so.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPointer(String);

/// Room reserved past a joined pointer, so that pushing a segment or two more onto it
/// (`properties` and a name, `allOf` and an index) does not reallocate.
const SPARE: usize = 32;

impl JsonPointer {
    /// The whole document (`#`).
    pub fn root() -> JsonPointer {
        JsonPointer("#".to_string())
    }

    /// `root` followed by `segments`: `JsonPointer::at(&["paths", "/a"])` is `#/paths/~1a`.
    pub fn at(segments: &[&str]) -> JsonPointer {
        let mut out = JsonPointer::root();
        for s in segments {
            out.push(s);
        }
        out
    }

    /// A pointer as written in a `$ref` or a message (`#/a/b~1c`, percent-encoding
    /// allowed), in canonical form; `None` when it is not a local pointer.
    pub fn parse(text: &str) -> Option<JsonPointer> {
        canonical(text).map(JsonPointer)
    }

    /// Appends one segment (`/` and `~` in it are escaped).
    pub fn push(&mut self, segment: impl Segment) {
        self.0.push('/');
        segment.write_escaped(&mut self.0);
    }

    /// This pointer with one more segment.
    pub fn join(&self, segment: impl Segment) -> JsonPointer {
        let mut out = String::with_capacity(self.0.len() + SPARE);
        out.push_str(&self.0);
        JsonPointer(out).with(segment)
    }

    /// This pointer, consumed, with one more segment: `p.join("allOf").with(i)`.
    pub fn with(mut self, segment: impl Segment) -> JsonPointer {
        self.push(segment);
        self
    }

    /// Calls `f` with each unescaped segment; `None` when `f` gives up. The text is
    /// canonical already, so nothing is percent-decoded again.
    pub fn for_each_segment(&self, f: impl FnMut(&str) -> Option<()>) -> Option<()> {
        for_each_segment(self.plain(), f)
    }

    /// The unescaped segments.
    pub fn segments(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_segment(|s| {
            out.push(s.to_string());
            Some(())
        });
        out
    }

    /// The node this pointer points at in `doc`.
    pub fn resolve<'v>(&self, doc: &'v Value) -> Option<&'v Value> {
        walk(doc, self.plain())
    }

    /// The last unescaped segment, the natural name of what the pointer points at
    /// (the text itself for the root, as [`last_segment`] answers).
    pub fn last_segment(&self) -> Cow<'_, str> {
        match self.0.rsplit_once('/') {
            Some((_, last)) => unescape(last),
            None => Cow::Borrowed(&self.0),
        }
    }

    /// The pointer one segment up (the root for the root).
    pub fn parent(&self) -> JsonPointer {
        match self.0.rsplit_once('/') {
            Some((up, _)) => JsonPointer(up.to_string()),
            None => self.clone(),
        }
    }

    /// The text, as a URI fragment (`#/a/b~1c`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text without the leading `#` (`/a/b~1c`), as RFC 6901 writes a pointer
    /// into a document of its own (what `serde_json::Value::pointer` takes).
    pub fn plain(&self) -> &str {
        // Every constructor starts the text with `#`; no slicing that could panic.
        self.0.strip_prefix('#').unwrap_or(&self.0)
    }
}

/// What a pointer segment can be given as: a key or an array index.
pub trait Segment {
    /// Appends the segment to pointer text, `~` and `/` escaped.
    fn write_escaped(&self, out: &mut String);
}

impl Segment for str {
    fn write_escaped(&self, out: &mut String) {
        if !self.contains(['~', '/']) {
            out.push_str(self);
            return;
        }
        for c in self.chars() {
            match c {
                '~' => out.push_str("~0"),
                '/' => out.push_str("~1"),
                c => out.push(c),
            }
        }
    }
}

impl Segment for String {
    fn write_escaped(&self, out: &mut String) {
        self.as_str().write_escaped(out);
    }
}

impl Segment for usize {
    fn write_escaped(&self, out: &mut String) {
        use std::fmt::Write;
        // Writing into a `String` cannot fail.
        let _ = write!(out, "{self}");
    }
}

impl<T: Segment + ?Sized> Segment for &T {
    fn write_escaped(&self, out: &mut String) {
        (**self).write_escaped(out);
    }
}

impl std::fmt::Display for JsonPointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for JsonPointer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl From<JsonPointer> for String {
    fn from(p: JsonPointer) -> String {
        p.0
    }
}

impl From<&JsonPointer> for String {
    fn from(p: &JsonPointer) -> String {
        p.0.clone()
    }
}

/// Appends `/` and `segment` to the pointer text `out`, escaping `~` and `/`.
fn push_escaped(out: &mut String, segment: &str) {
    out.push('/');
    segment.write_escaped(out);
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
        assert_eq!(canonical("#/a/b~1c").as_deref(), Some("#/a/b~1c"));
        assert_eq!(canonical("#/a/b~2c").as_deref(), Some("#/a/b~02c"));
        assert_eq!(canonical("#/a/%7Bid%7D").as_deref(), Some("#/a/{id}"));
        assert_eq!(canonical("#/a/b%2Fc").as_deref(), Some("#/a/b/c"));
        assert_eq!(canonical("#").as_deref(), Some("#"));
        assert_eq!(canonical("#a").as_deref(), None);
        assert_eq!(canonical("other.yaml#/a"), None);
        assert_eq!(last_segment("#/components/schemas/Pet"), "Pet");
    }

    #[test]
    fn json_pointers_push_display_and_parse() {
        let mut p = JsonPointer::root();
        assert_eq!(p.to_string(), "#");
        p.push("paths");
        p.push("/chats/{id}");
        let p = p.join("get").join(0);
        assert_eq!(p.as_str(), "#/paths/~1chats~1{id}/get/0");
        assert_eq!(p.segments(), ["paths", "/chats/{id}", "get", "0"]);
        assert_eq!(JsonPointer::parse(p.as_str()), Some(p.clone()));
        // Percent-encoded and escaped spellings parse to the same pointer.
        assert_eq!(
            JsonPointer::parse("#/paths/%7E1chats~1%7Bid%7D/get/0"),
            Some(p)
        );
        assert_eq!(JsonPointer::parse("other.yaml#/a"), None);
        // A `~` that starts no escape is read as itself, as `$ref` resolution does.
        assert_eq!(
            JsonPointer::parse("#/a~2b").map(|p| p.segments()),
            Some(vec!["a~2b".to_string()])
        );
        let doc = json!({"a/b": {"c~d": [1, 2]}});
        let q = JsonPointer::root().join("a/b").join("c~d").join(1usize);
        assert_eq!(resolve(&doc, q.as_str()), Some(&json!(2)));
    }

    #[test]
    fn json_pointers_built_from_segments() {
        let op = JsonPointer::at(&["paths", "/chats/{id}", "get"]);
        assert_eq!(op.as_str(), "#/paths/~1chats~1{id}/get");
        assert_eq!(op.plain(), "/paths/~1chats~1{id}/get");
        assert_eq!(JsonPointer::root().plain(), "");
        // `join` leaves the pointer as it was; `with` extends the one it is given.
        let param = op.join("parameters").with(0usize);
        assert_eq!(param.as_str(), "#/paths/~1chats~1{id}/get/parameters/0");
        assert_eq!(op.as_str(), "#/paths/~1chats~1{id}/get");
        assert_eq!(
            op.join(String::from("a~b")).as_str(),
            "#/paths/~1chats~1{id}/get/a~0b"
        );
        // Up and the last segment, unescaped.
        assert_eq!(op.parent(), JsonPointer::at(&["paths", "/chats/{id}"]));
        assert_eq!(op.parent().last_segment(), "/chats/{id}");
        assert_eq!(JsonPointer::root().parent(), JsonPointer::root());
        assert_eq!(JsonPointer::root().last_segment(), "#");
        // Text is canonical: a `%` in a key is a `%`, not decoded a second time.
        let odd = JsonPointer::at(&["a%2Fb", "c"]);
        assert_eq!(odd.segments(), ["a%2Fb", "c"]);
        let doc = json!({"paths": {"/chats/{id}": {"get": 1}}, "a%2Fb": {"c": 2}, "a/b": {"c": 3}});
        assert_eq!(op.resolve(&doc), Some(&json!(1)));
        assert_eq!(odd.resolve(&doc), Some(&json!(2)));
        assert_eq!(JsonPointer::at(&["nope"]).resolve(&doc), None);
        assert_eq!(
            serde_json::to_value(&op).ok(),
            Some(json!("#/paths/~1chats~1{id}/get"))
        );
    }
}
