//! Decoding support shared by every emitted string enum, so each enum's own code
//! stays a `match` and a one-line `Deserialize` impl (without a closure: each closure
//! is one more function body for the compiler to check).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// Reads a JSON string without copying it when the input allows borrowing.
pub(crate) fn deserialize_enum_str<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Cow<'de, str>, D::Error> {
    struct StrVisitor;

    impl<'de> Visitor<'de> for StrVisitor {
        type Value = Cow<'de, str>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(v))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v))
        }
    }

    deserializer.deserialize_str(StrVisitor)
}

/// `Deserialize::deserialize` of an emitted string enum: a string, known value or not.
pub(crate) fn deserialize_string_enum<'de, D: Deserializer<'de>, T: for<'a> From<&'a str>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserialize_enum_str(deserializer).map(|value| T::from(&value))
}
