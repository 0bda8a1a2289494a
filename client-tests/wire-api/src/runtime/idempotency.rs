//! Idempotency keys: one random key per logical call, sent on every attempt.

use std::fmt::Write as _;

use serde_json::Value;

use super::error::Error;

/// A random UUID version 4 (RFC 9562), lower-case hex with hyphens.
///
/// The bytes come from the operating system's generator (`getrandom`, which the TLS
/// stack already uses), so keys of different calls, processes and machines do not
/// collide in practice.
///
/// # Errors
///
/// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest) in the unlikely
/// case that the operating system has no randomness to give; nothing is sent.
pub(crate) fn new_key() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|source| {
        Error::invalid_request(format!("cannot make an idempotency key: {source}"))
    })?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // variant 10
    let mut key = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            key.push('-');
        }
        // Writing to a String cannot fail.
        let _ = write!(key, "{byte:02x}");
    }
    Ok(key)
}

/// Whether the body field at `pointer` holds a key already (a non-null value).
/// `false` as well when its parent object is missing.
pub(crate) fn has_body_key(body: &Value, pointer: &str) -> bool {
    body.pointer(pointer).is_some_and(|value| !value.is_null())
}

/// Puts `key` in the body field at `pointer` when the field's parent object exists
/// (the key goes where the API looks for it, and no object is made up around it).
pub(crate) fn set_body_key(body: &mut Value, pointer: &str, key: &str) {
    let Some((parent, field)) = pointer.rsplit_once('/') else {
        return;
    };
    let field = field.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(fields)) = body.pointer_mut(parent) {
        fields.insert(field, Value::String(key.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_version_4_uuids_and_differ() {
        let a = new_key().unwrap();
        let b = new_key().unwrap();
        assert_ne!(a, b);
        for key in [&a, &b] {
            assert_eq!(key.len(), 36, "{key}");
            let groups: Vec<&str> = key.split('-').collect();
            assert_eq!(
                groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(groups[2].starts_with('4'), "{key}");
            assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{key}");
            assert!(key.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn body_keys_go_into_existing_objects_only() {
        let mut body = json!({"message": {"text": "hi"}});
        assert!(!has_body_key(&body, "/message/idempotency_key"));
        set_body_key(&mut body, "/message/idempotency_key", "k1");
        assert_eq!(body["message"]["idempotency_key"], "k1");
        assert!(has_body_key(&body, "/message/idempotency_key"));
        let mut other = json!({"text": "hi"});
        set_body_key(&mut other, "/message/idempotency_key", "k1");
        assert_eq!(other, json!({"text": "hi"}));
        let mut top = json!({"key": null});
        assert!(!has_body_key(&top, "/key"));
        set_body_key(&mut top, "/key", "k2");
        assert_eq!(top["key"], "k2");
    }
}
