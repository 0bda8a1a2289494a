//! Decoding support shared by every emitted struct, so that each struct's own
//! `Deserialize` code is one loop over its keys instead of serde's derived visitor
//! (which costs several times as much to compile, per field).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A struct decoded from a JSON object, key by key.
pub(crate) trait FromObject: Sized {
    /// The type's name, for error messages (`expected struct Name`).
    const NAME: &'static str;

    /// Reads the object's members. Unknown keys are skipped (or kept, for structs with
    /// additional properties); a missing required key is an error.
    fn from_object<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of an emitted struct.
pub(crate) fn deserialize_object<'de, D: Deserializer<'de>, T: FromObject>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: FromObject> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_object(map)
    }
}

/// An object key, borrowed from the input when it allows (no allocation per key).
pub(crate) struct Key<'de>(Cow<'de, str>);

impl<'de> Key<'de> {
    /// The key's text.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as an owned string (for additional properties).
    pub(crate) fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::enums::deserialize_enum_str(deserializer).map(Key)
    }
}

/// Reads a member's value into its slot (a field that may be absent: `Option`,
/// `Nullable`).
pub(crate) fn read<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    slot: &mut T,
) -> Result<(), A::Error> {
    *slot = map.next_value()?;
    Ok(())
}

/// Reads a required member's value into its slot.
pub(crate) fn read_some<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
) -> Result<(), A::Error> {
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Keeps a member the struct does not name (structs with additional properties).
pub(crate) fn read_extra<'de, A: MapAccess<'de>, T: de::Deserialize<'de>>(
    map: &mut A,
    extra: &mut BTreeMap<String, T>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    extra.insert(key.into_string(), map.next_value()?);
    Ok(())
}

/// Skips a member the struct does not name.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>()?;
    Ok(())
}

/// Reads a member whose text also selects a webhook payload type: the text (when the
/// value is a string) goes to `key`, the decoded value into its slot.
pub(crate) fn read_key<'de, A: MapAccess<'de>, T: de::DeserializeOwned>(
    map: &mut A,
    slot: &mut T,
    key: &mut Option<String>,
) -> Result<(), A::Error> {
    let value: serde_json::Value = map.next_value()?;
    *key = value.as_str().map(str::to_owned);
    *slot = T::deserialize(value).map_err(de::Error::custom)?;
    Ok(())
}

/// [`read_key`] for a required member.
pub(crate) fn read_some_key<'de, A: MapAccess<'de>, T: de::DeserializeOwned>(
    map: &mut A,
    slot: &mut Option<T>,
    key: &mut Option<String>,
) -> Result<(), A::Error> {
    let mut value = None;
    read_key(map, &mut value, key)?;
    *slot = value;
    Ok(())
}

/// Keeps the text of a member that selects a webhook payload type but is not a field.
pub(crate) fn read_only_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: &mut Option<String>,
) -> Result<(), A::Error> {
    let value: serde_json::Value = map.next_value()?;
    *key = value.as_str().map(str::to_owned);
    Ok(())
}

/// The value of a required member, or serde's `missing field` error.
pub(crate) fn required<T, E: de::Error>(value: Option<T>, name: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Pair {
        a: String,
        b: Option<i64>,
    }

    impl FromObject for Pair {
        const NAME: &'static str = "Pair";

        fn from_object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let mut f_a = None;
            let mut f_b = None;
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "a" => read_some(&mut map, &mut f_a),
                    "b" => read(&mut map, &mut f_b),
                    _ => skip(&mut map),
                }?;
            }
            Ok(Self {
                a: required(f_a, "a")?,
                b: f_b,
            })
        }
    }

    impl<'de> de::Deserialize<'de> for Pair {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserialize_object(deserializer)
        }
    }

    #[test]
    fn decodes_objects() {
        let pair: Pair = serde_json::from_str(r#"{"x":[1,{"y":2}],"b":3,"a":"\u0041"}"#).unwrap();
        assert_eq!(
            pair,
            Pair {
                a: "A".into(),
                b: Some(3)
            }
        );
        let pair: Pair = serde_json::from_value(serde_json::json!({"a": "x", "b": null})).unwrap();
        assert_eq!(pair.b, None);
    }

    #[test]
    fn reports_like_serde() {
        let missing = serde_json::from_str::<Pair>(r#"{"b":1}"#).unwrap_err();
        assert_eq!(missing.to_string(), "missing field `a` at line 1 column 7");
        let wrong = serde_json::from_str::<Pair>("[1]").unwrap_err();
        assert!(
            wrong.to_string().contains("expected struct Pair"),
            "{wrong}"
        );
        let bad = serde_json::from_str::<Pair>(r#"{"a":1}"#).unwrap_err();
        assert!(bad.to_string().contains("expected a string"), "{bad}");
    }
}
