//! [`Nullable`]: a field that can be absent, `null`, or a value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field that is both optional and nullable, keeping the three states apart.
///
/// `Option<T>` cannot tell "leave this unchanged" (the key is absent) from "clear this"
/// (`null`); many update operations give the two different meanings. Generated fields
/// of this type carry `#[serde(default, skip_serializing_if = "Nullable::is_absent")]`,
/// so:
///
/// | value | JSON |
/// |---|---|
/// | `Nullable::Absent` | key left out |
/// | `Nullable::Null` | `null` |
/// | `Nullable::Value(v)` | `v` |
///
/// and decoding maps a missing key to `Absent`, `null` to `Null`, anything else to `Value`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// The field is not sent (on decode: the key was missing).
    #[default]
    Absent,
    /// The field is sent as `null`.
    Null,
    /// The field is sent with this value.
    Value(T),
}

impl<T> Nullable<T> {
    /// Whether the field is absent; used by `skip_serializing_if`.
    pub fn is_absent(&self) -> bool {
        matches!(self, Self::Absent)
    }

    /// Whether the field is an explicit `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the field holds a value.
    pub fn is_value(&self) -> bool {
        matches!(self, Self::Value(_))
    }

    /// Borrows the value, keeping the state.
    pub fn as_ref(&self) -> Nullable<&T> {
        match self {
            Self::Absent => Nullable::Absent,
            Self::Null => Nullable::Null,
            Self::Value(value) => Nullable::Value(value),
        }
    }

    /// The value, if there is one (`Absent` and `Null` both give `None`).
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// The value, if there is one (`Absent` and `Null` both give `None`).
    pub fn into_option(self) -> Option<T> {
        match self {
            Self::Value(value) => Some(value),
            Self::Absent | Self::Null => None,
        }
    }

    /// Maps the value, keeping `Absent` and `Null`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Self::Absent => Nullable::Absent,
            Self::Null => Nullable::Null,
            Self::Value(value) => Nullable::Value(f(value)),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Self::Value(value)
    }
}

/// `None` becomes [`Nullable::Absent`] (the field is left out, so the server keeps what
/// it has): clearing a field must be asked for explicitly with [`Nullable::Null`].
impl<T> From<Option<T>> for Nullable<T> {
    fn from(value: Option<T>) -> Self {
        match value {
            Some(value) => Self::Value(value),
            None => Self::Absent,
        }
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Only reached without `skip_serializing_if` (e.g. inside a Vec); `null` is
            // the closest JSON has.
            Self::Absent | Self::Null => serializer.serialize_none(),
            Self::Value(value) => serializer.serialize_some(value),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A missing key never reaches here: `#[serde(default)]` makes it `Absent`.
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Self::Value(value),
            None => Self::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Params {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        phone_numbers: Nullable<Vec<String>>,
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        is_active: Nullable<bool>,
    }

    #[test]
    fn serialises_three_states() {
        let absent = Params::default();
        assert_eq!(serde_json::to_value(&absent).unwrap(), json!({}));

        let null = Params {
            phone_numbers: Nullable::Null,
            ..Params::default()
        };
        assert_eq!(
            serde_json::to_value(&null).unwrap(),
            json!({"phone_numbers": null})
        );

        let value = Params {
            phone_numbers: Nullable::Value(vec!["+15551234567".to_owned()]),
            is_active: false.into(),
        };
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            json!({"phone_numbers": ["+15551234567"], "is_active": false})
        );

        let empty = Params {
            phone_numbers: Nullable::Value(vec![]),
            ..Params::default()
        };
        assert_eq!(
            serde_json::to_string(&empty).unwrap(),
            r#"{"phone_numbers":[]}"#
        );
    }

    #[test]
    fn deserialises_three_states() {
        let absent: Params = serde_json::from_str("{}").unwrap();
        assert!(absent.phone_numbers.is_absent());

        let null: Params = serde_json::from_str(r#"{"phone_numbers":null}"#).unwrap();
        assert!(null.phone_numbers.is_null());

        let value: Params =
            serde_json::from_str(r#"{"phone_numbers":["+1"],"is_active":true}"#).unwrap();
        assert_eq!(value.phone_numbers, Nullable::Value(vec!["+1".to_owned()]));
        assert_eq!(value.is_active.as_option(), Some(&true));

        let wrong = serde_json::from_str::<Params>(r#"{"is_active":"yes"}"#);
        assert!(wrong.is_err());
    }

    #[test]
    fn round_trips() {
        for params in [
            Params::default(),
            Params {
                phone_numbers: Nullable::Null,
                is_active: Nullable::Value(true),
            },
        ] {
            let text = serde_json::to_string(&params).unwrap();
            assert_eq!(serde_json::from_str::<Params>(&text).unwrap(), params);
        }
    }

    #[test]
    fn helpers() {
        assert_eq!(Nullable::from(Some(3)), Nullable::Value(3));
        assert_eq!(Nullable::<i32>::from(None), Nullable::Absent);
        assert_eq!(Nullable::Value(2).map(|v| v * 2), Nullable::Value(4));
        assert_eq!(Nullable::<i32>::Null.map(|v| v * 2), Nullable::Null);
        assert_eq!(Nullable::Value(5).as_ref(), Nullable::Value(&5));
        assert_eq!(Nullable::<i32>::Null.into_option(), None);
        assert!(Nullable::Value(1).is_value());
        // Outside a struct, Absent has no key to omit and serialises as null.
        assert_eq!(
            serde_json::to_string(&Nullable::<u8>::Absent).unwrap(),
            "null"
        );
    }
}
