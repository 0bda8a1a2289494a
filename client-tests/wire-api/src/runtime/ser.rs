//! Encoding support shared by every emitted struct: its `Serialize` code is one call
//! per field on an [`Object`], which is cheaper to compile than serde's derived code
//! (no `?` and no length computation per field).

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeStruct, Serializer};

use super::Nullable;

/// A JSON object being written. The first error is kept and returned by [`end`]
/// (later fields are skipped).
///
/// [`end`]: Object::end
pub(crate) struct Object<S: Serializer> {
    state: Result<State<S>, S::Error>,
}

enum State<S: Serializer> {
    Struct(S::SerializeStruct),
    /// Structs with additional properties (keys not known in advance).
    Map(S::SerializeMap),
}

impl<S: Serializer> Object<S> {
    /// A struct named `name` with at most `fields` members.
    pub(crate) fn new(serializer: S, name: &'static str, fields: usize) -> Self {
        Self {
            state: serializer.serialize_struct(name, fields).map(State::Struct),
        }
    }

    /// An object whose members are not all known in advance.
    pub(crate) fn open(serializer: S) -> Self {
        Self {
            state: serializer.serialize_map(None).map(State::Map),
        }
    }

    /// A member that is always written (`null` for `None`).
    pub(crate) fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        let result = match &mut self.state {
            Ok(State::Struct(s)) => s.serialize_field(key, value),
            Ok(State::Map(m)) => m.serialize_entry(key, value),
            Err(_) => return,
        };
        if let Err(e) = result {
            self.state = Err(e);
        }
    }

    /// A member left out when `None`.
    pub(crate) fn optional<T: Serialize>(&mut self, key: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.field(key, value);
        }
    }

    /// A member left out when [`Nullable::Absent`] (`null` for [`Nullable::Null`]).
    pub(crate) fn nullable<T: Serialize>(&mut self, key: &'static str, value: &Nullable<T>) {
        if !value.is_absent() {
            self.field(key, value);
        }
    }

    /// Members beyond the documented ones.
    pub(crate) fn extra<T: Serialize>(&mut self, members: &BTreeMap<String, T>) {
        for (key, value) in members {
            let result = match &mut self.state {
                Ok(State::Struct(_)) => Ok(()),
                Ok(State::Map(m)) => m.serialize_entry(key, value),
                Err(_) => return,
            };
            if let Err(e) = result {
                self.state = Err(e);
            }
        }
    }

    /// Closes the object, or returns the first error.
    pub(crate) fn end(self) -> Result<S::Ok, S::Error> {
        match self.state? {
            State::Struct(s) => s.end(),
            State::Map(m) => m.end(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Thing {
        a: String,
        b: Option<i64>,
        c: Nullable<bool>,
        d: Option<u8>,
        extra: BTreeMap<String, i64>,
    }

    impl Serialize for Thing {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut object = Object::open(serializer);
            object.field("a", &self.a);
            object.optional("b", &self.b);
            object.nullable("c", &self.c);
            object.field("d", &self.d);
            object.extra(&self.extra);
            object.end()
        }
    }

    #[test]
    fn writes_members() {
        let mut thing = Thing {
            a: "x".into(),
            b: None,
            c: Nullable::Absent,
            d: None,
            extra: BTreeMap::new(),
        };
        assert_eq!(
            serde_json::to_string(&thing).unwrap(),
            r#"{"a":"x","d":null}"#
        );
        thing.b = Some(2);
        thing.c = Nullable::Null;
        thing.extra.insert("z".into(), 1);
        assert_eq!(
            serde_json::to_value(&thing).unwrap(),
            json!({"a": "x", "b": 2, "c": null, "d": null, "z": 1})
        );
        thing.c = Nullable::Value(true);
        assert_eq!(
            serde_json::to_string(&thing).unwrap(),
            r#"{"a":"x","b":2,"c":true,"d":null,"z":1}"#
        );
    }

    #[test]
    fn keeps_the_first_error() {
        struct Bad;
        impl Serialize for Bad {
            fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        struct Two;
        impl Serialize for Two {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut object = Object::new(serializer, "Two", 2);
                object.field("a", &Bad);
                object.field("b", &1);
                object.end()
            }
        }
        assert_eq!(serde_json::to_string(&Two).unwrap_err().to_string(), "no");
    }

    #[test]
    fn empty_objects() {
        struct Empty;
        impl Serialize for Empty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                Object::new(serializer, "Empty", 0).end()
            }
        }
        assert_eq!(serde_json::to_string(&Empty).unwrap(), "{}");
        assert_eq!(serde_json::to_value(&Empty).unwrap(), json!({}));
    }
}
