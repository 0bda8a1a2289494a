//! Looking up a member of one of the document's objects by key.
//!
//! serde_json's map hashes the key with SipHash (std's `RandomState`) on every lookup.
//! The stages that read the raw document (validate, normalize, the constraints of
//! lowering) probe each schema for a dozen keywords, and a schema object holds only a
//! handful of keys: comparing the key with each of them costs less than hashing it
//! (half of the time validating GitHub's examples went to those lookups). Larger maps
//! (`paths`, `components/schemas`) are still looked up by hash.

use serde_json::{Map, Value};

/// Maps up to this many members are scanned rather than hashed.
const SCAN_UP_TO: usize = 12;

/// `get` by key, as serde_json's, faster on small objects.
pub trait Member {
    /// The member `key`, if this is an object that has it.
    fn member(&self, key: &str) -> Option<&Value>;

    /// The member `key` to change, if this is an object that has it (`get_mut`).
    fn member_mut(&mut self, key: &str) -> Option<&mut Value>;
}

impl Member for Map<String, Value> {
    fn member(&self, key: &str) -> Option<&Value> {
        if self.len() <= SCAN_UP_TO {
            self.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
        } else {
            self.get(key)
        }
    }

    fn member_mut(&mut self, key: &str) -> Option<&mut Value> {
        if self.len() <= SCAN_UP_TO {
            self.iter_mut()
                .find(|(k, _)| k.as_str() == key)
                .map(|(_, v)| v)
        } else {
            self.get_mut(key)
        }
    }
}

impl Member for Value {
    fn member(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(map) => map.member(key),
            _ => None,
        }
    }

    fn member_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Object(map) => map.member_mut(key),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_what_get_finds_in_small_and_large_objects() {
        let mut large = Map::new();
        for i in 0..40 {
            large.insert(format!("k{i}"), json!(i));
        }
        let large = Value::Object(large);
        let small = json!({"type": "string", "enum": ["a"], "": 0, "k1": 1});
        for object in [&small, &large] {
            for key in ["type", "enum", "", "k1", "k39", "k40", "typ", "types"] {
                assert_eq!(object.member(key), object.get(key), "{key}");
                let mut changed = object.clone();
                let expected = changed.get(key).cloned();
                assert_eq!(
                    changed.member_mut(key).map(|v| v.clone()),
                    expected,
                    "{key}"
                );
                if let Some(v) = changed.member_mut(key) {
                    *v = json!("changed");
                    assert_eq!(changed.get(key), Some(&json!("changed")), "{key}");
                }
            }
        }
        assert_eq!(json!([1, 2]).member("0"), None);
        assert_eq!(json!("type").member("type"), None);
    }
}
