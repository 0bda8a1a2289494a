//! Where an API's error bodies carry their code and message: the one rule that both
//! the runtime (`Error::code`, `Error::code_text`, `Error::message`, through the
//! generated settings) and the contract suite (what each error example must yield)
//! follow.
//!
//! In order: the config's `error_envelope:` key; else the spec's error schema (the
//! type every operation's error responses share) when it has a `code` or `message`
//! property, at its top level or one object below (`{"error": {"code", "message"}}`);
//! else, with neither, a guess of the common shapes, said to be one in the generated
//! docs.

use serde::Serialize;
use serde_json::Value;

use crate::config::Config;
use crate::ir::{Api, TypeId, TypeKind, TypeRef};
use crate::pointer::JsonPointer;

/// JSON pointers to the code and the message of an error body, each tried in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorEnvelope {
    /// Pointers to the code (a number or a string).
    pub code: Vec<String>,
    /// Pointers to the message (a string).
    pub message: Vec<String>,
    /// Where the pointers come from.
    pub source: Source,
}

/// Where an [`ErrorEnvelope`] comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Source {
    /// The config's `error_envelope:` key.
    Config,
    /// The spec's error schema, by its type name.
    Schema(String),
    /// Neither: the common shapes, guessed.
    Guess,
}

impl ErrorEnvelope {
    /// The rule for `api` under `config`.
    pub fn of(api: &Api, config: &Config) -> ErrorEnvelope {
        if let Some(c) = &config.error_envelope {
            return ErrorEnvelope {
                code: c.code.iter().cloned().collect(),
                message: c.message.iter().cloned().collect(),
                source: Source::Config,
            };
        }
        if let Some(id) = api.error_body {
            let code = find(api, id, "code");
            let message = find(api, id, "message");
            if code.is_some() || message.is_some() {
                return ErrorEnvelope {
                    code: code.into_iter().collect(),
                    message: message.into_iter().collect(),
                    source: Source::Schema(api.type_def(id).name.clone()),
                };
            }
        }
        ErrorEnvelope {
            code: vec!["/error/code".into(), "/code".into()],
            message: vec!["/error/message".into(), "/message".into(), "/error".into()],
            source: Source::Guess,
        }
    }

    /// The code in `body`: the first pointer's value that is a number or a string.
    pub fn code_of<'a>(&self, body: &'a Value) -> Option<&'a Value> {
        self.code
            .iter()
            .filter_map(|p| body.pointer(p))
            .find(|v| v.is_i64() || v.is_string())
    }

    /// The message in `body`: the first pointer's value that is a string.
    pub fn message_of<'a>(&self, body: &'a Value) -> Option<&'a str> {
        self.message
            .iter()
            .find_map(|p| body.pointer(p).and_then(Value::as_str))
    }
}

/// The pointer to the property `name` of the struct `id`, or of one of its
/// object-typed properties (the first that has it).
fn find(api: &Api, id: TypeId, name: &str) -> Option<String> {
    let fields = struct_fields(api, id)?;
    if fields.iter().any(|f| f.wire_name == name) {
        return Some(JsonPointer::at(&[name]).plain().to_string());
    }
    fields.iter().find_map(|f| {
        let inner = named(&f.ty)?;
        let below = struct_fields(api, inner)?;
        below
            .iter()
            .any(|g| g.wire_name == name)
            .then(|| JsonPointer::at(&[&f.wire_name, name]).plain().to_string())
    })
}

fn struct_fields(api: &Api, id: TypeId) -> Option<&[crate::ir::Field]> {
    match &api.type_def(id).kind {
        TypeKind::Struct(s) => Some(&s.fields),
        TypeKind::Alias(t) | TypeKind::Newtype(t) => struct_fields(api, named(t)?),
        _ => None,
    }
}

/// The named type under options (`Option<Error>` -> `Error`).
fn named(ty: &TypeRef) -> Option<TypeId> {
    match ty {
        TypeRef::Named(id) => Some(*id),
        TypeRef::Option(inner) => named(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn guess() -> ErrorEnvelope {
        ErrorEnvelope {
            code: vec!["/error/code".into(), "/code".into()],
            message: vec!["/error/message".into(), "/message".into(), "/error".into()],
            source: Source::Guess,
        }
    }

    #[test]
    fn code_may_be_text_and_message_falls_through() {
        let g = guess();
        let stripe = json!({"error": {"code": "card_declined", "message": "Declined"}});
        assert_eq!(g.code_of(&stripe), Some(&json!("card_declined")));
        assert_eq!(g.message_of(&stripe), Some("Declined"));
        let flat = json!({"code": 7, "message": "bad field"});
        assert_eq!(g.code_of(&flat), Some(&json!(7)));
        assert_eq!(g.message_of(&flat), Some("bad field"));
        let plain = json!({"error": "plain string"});
        assert_eq!(
            (g.code_of(&plain), g.message_of(&plain)),
            (None, Some("plain string"))
        );
    }
}
