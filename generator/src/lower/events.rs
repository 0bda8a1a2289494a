//! Typed webhook events: the envelope's payload member becomes an enum with one variant
//! per event type (config `webhooks.discriminators`), each holding the payload type of
//! the delivery's version (a nested enum when there is a second discriminator).
//!
//! Each webhook of the spec's `webhooks` section is keyed by the values of the
//! discriminator members in its payload schema: a `const` (or one-value `enum`) on the
//! property, found through `$ref` and `allOf`; failing that, the webhook's example.
//! Webhooks that cannot be keyed (or whose payload is the envelope itself) are left
//! out, with a diagnostic; deliveries of them decode as the `Unknown` variant.

use serde_json::Value;

use super::names::{self, NameSet};
use super::refs;
use crate::config::Config;
use crate::error::Diagnostic;
use crate::ir::{
    Api, EventUnion, EventVariant, Field, Presence, TypeDef, TypeId, TypeKind, TypeRef,
    WebhookEvents,
};
use crate::pointer::JsonPointer;

/// One keyed webhook: its discriminator values and its payload member's type.
struct Keyed {
    values: Vec<String>,
    ty: TypeRef,
    webhook: String,
    summary: Option<String>,
}

/// Types the envelope's payload member by event, if the config asks for it.
pub(super) fn type_events(api: &mut Api, doc: &Value, config: &Config, type_names: &mut NameSet) {
    let (Some(events), Some(envelope_name)) = (&config.webhook_events, &config.webhook_envelope)
    else {
        return;
    };
    let mut notes = Vec::new();
    let mut note = |pointer: &str, message: String| {
        notes.push(Diagnostic {
            pointer: pointer.to_string(),
            message,
        })
    };
    let Some(crate::ir::TypeId(envelope)) = api.config_type(envelope_name) else {
        note(
            "#/components/schemas",
            format!(
                "webhook envelope `{envelope_name}` (config) is not a schema; events are not typed"
            ),
        );
        api.diagnostics.extend(notes);
        return;
    };
    let envelope_pointer = api.types[envelope].pointer.clone();
    let TypeKind::Struct(envelope_struct) = &api.types[envelope].kind else {
        note(
            &envelope_pointer,
            "the webhook envelope is not an object; events are not typed".into(),
        );
        api.diagnostics.extend(notes);
        return;
    };
    let data_presence = envelope_struct
        .fields
        .iter()
        .find(|f| f.wire_name == events.data)
        .map(|f| f.presence);
    if data_presence.is_some_and(|p| p != Presence::Required) {
        note(
            &envelope_pointer,
            format!(
                "the envelope's `{}` member is optional or nullable; events are not typed",
                events.data
            ),
        );
        api.diagnostics.extend(notes);
        return;
    }

    let mut keyed: Vec<Keyed> = Vec::new();
    for hook in &api.webhooks {
        let pointer = String::from(JsonPointer::at(&["webhooks", &hook.name]));
        let Some(TypeRef::Named(payload)) = &hook.payload else {
            note(
                &pointer,
                "the webhook has no JSON object payload; not typed".into(),
            );
            continue;
        };
        if payload.0 == envelope {
            note(
                &pointer,
                "the webhook's payload is the envelope itself (no payload type to key)".into(),
            );
            continue;
        }
        let def = api.type_def(*payload);
        let data_ty = match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().find(|f| f.wire_name == events.data),
            _ => None,
        };
        let Some(data_ty) = data_ty.map(|f| f.ty.clone()) else {
            note(
                &pointer,
                format!("the payload has no `{}` member; not typed", events.data),
            );
            continue;
        };
        let mut values = Vec::new();
        for member in &events.discriminators {
            let value = refs::resolve(doc, &def.pointer)
                .and_then(|schema| pinned_value(doc, schema, member, 0))
                .or_else(|| {
                    hook.example
                        .as_ref()
                        .and_then(|e| e.get(member))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                });
            match value {
                Some(v) => values.push(v),
                None => break,
            }
        }
        if values.len() != events.discriminators.len() {
            note(
                &pointer,
                format!(
                    "cannot tell the webhook's `{}`: give its payload schema the member with `const`, or an example; not typed",
                    events.discriminators[values.len()]
                ),
            );
            continue;
        }
        if keyed.iter().any(|k| k.values == values) {
            note(
                &pointer,
                format!(
                    "another webhook has the same `{}`; this one is not typed",
                    values.join("` / `")
                ),
            );
            continue;
        }
        keyed.push(Keyed {
            values,
            ty: data_ty,
            webhook: hook.name.clone(),
            summary: hook.doc.summary.clone(),
        });
    }
    if keyed.is_empty() {
        note(
            &envelope_pointer,
            "no webhook payload could be keyed by the configured discriminators; events are not typed".into(),
        );
        api.diagnostics.extend(notes);
        return;
    }

    let envelope_type = api.types[envelope].name.clone();
    let data_type = build(
        api,
        &keyed.iter().collect::<Vec<_>>(),
        &events.discriminators,
        0,
        &format!("{envelope_type}Data"),
        &envelope_pointer,
        type_names,
    );
    if let TypeKind::Struct(s) = &mut api.types[envelope].kind {
        match s.fields.iter_mut().find(|f| f.wire_name == events.data) {
            Some(field) => field.ty = TypeRef::Named(data_type),
            None => s.fields.push(Field {
                wire_name: events.data.clone(),
                name: names::snake(&events.data, "data"),
                ty: TypeRef::Named(data_type),
                presence: Presence::Required,
                boxed: false,
                doc: Some("The event's payload, by event type.".into()),
                deprecated: false,
                constraints: None,
            }),
        }
    }
    api.webhook_events = Some(WebhookEvents {
        envelope: TypeId(envelope),
        data: events.data.clone(),
        discriminators: events.discriminators.clone(),
        data_type,
    });
    api.diagnostics.extend(notes);
}

/// Declares the event union for `keyed` at discriminator `level` (and the nested ones
/// below it); returns its id.
fn build(
    api: &mut Api,
    keyed: &[&Keyed],
    discriminators: &[String],
    level: usize,
    wanted: &str,
    pointer: &str,
    type_names: &mut NameSet,
) -> TypeId {
    let name = type_names.claim(wanted);
    let id = TypeId(api.types.len());
    api.types.push(TypeDef {
        name: name.clone(),
        pointer: pointer.to_string(),
        doc: None,
        kind: TypeKind::Alias(TypeRef::Any),
        example: None,
    });
    let discriminator = discriminators[level].clone();
    let last = level + 1 == discriminators.len();
    let mut variant_names = NameSet::camel();
    let unknown = (level == 0).then(|| variant_names.claim("Unknown"));
    // Distinct values at this level, in spec order.
    let mut values: Vec<&str> = Vec::new();
    for k in keyed {
        if !values.contains(&k.values[level].as_str()) {
            values.push(&k.values[level]);
        }
    }
    let mut variants = Vec::new();
    for value in values {
        let group: Vec<&Keyed> = keyed
            .iter()
            .copied()
            .filter(|k| k.values[level] == value)
            .collect();
        let vname = variant_names.claim(&variant_name(value));
        let (ty, doc, webhook) = if last {
            let k = group[0];
            let mut doc = format!(
                "`{discriminator}` is `{value}` (the `{}` webhook",
                k.webhook
            );
            if let Some(summary) = &k.summary {
                doc.push_str(&format!(": {}", summary.trim()));
            }
            doc.push_str(").");
            (k.ty.clone(), doc, Some(k.webhook.clone()))
        } else {
            let nested = build(
                api,
                &group,
                discriminators,
                level + 1,
                &format!("{vname}Payload"),
                pointer,
                type_names,
            );
            (
                TypeRef::Named(nested),
                format!(
                    "`{discriminator}` is `{value}`; the payload by `{}`.",
                    discriminators[level + 1]
                ),
                None,
            )
        };
        variants.push(EventVariant {
            name: vname,
            value: value.to_string(),
            ty,
            doc: Some(doc),
            webhook,
        });
    }
    let doc = if level == 0 {
        format!(
            "The payload of a webhook delivery, chosen by the envelope's `{}`{}. A type or \
             version this crate does not know is kept as delivered in `Unknown`, so newer \
             events never fail to decode.",
            discriminator,
            discriminators[1..]
                .iter()
                .map(|d| format!(" and `{d}`"))
                .collect::<String>()
        )
    } else {
        format!("The payload of one event type, chosen by the envelope's `{discriminator}`.")
    };
    api.types[id.0].doc = Some(doc);
    api.types[id.0].kind = TypeKind::Event(EventUnion {
        discriminator,
        level,
        variants,
        unknown,
    });
    id
}

/// `message.received` -> `MessageReceived`; a value starting with a digit (a date
/// version, `2026-02-03`) -> `V2026_02_03`.
fn variant_name(value: &str) -> String {
    if value.starts_with(|c: char| c.is_ascii_digit()) {
        let tail: String = value
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!("V{}", tail.trim_matches('_'))
    } else {
        names::type_name(value)
    }
}

/// The value a schema pins for `member`: `const` or a one-value `enum` on the property
/// (directly or through `$ref`), looked up through `$ref` and `allOf`.
fn pinned_value(doc: &Value, schema: &Value, member: &str, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let schema = follow(doc, schema, depth)?;
    if let Some(property) = schema.get("properties").and_then(|p| p.get(member))
        && let Some(value) = single_value(doc, property, depth)
    {
        return Some(value);
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|part| pinned_value(doc, part, member, depth + 1))
}

fn single_value(doc: &Value, schema: &Value, depth: usize) -> Option<String> {
    let schema = follow(doc, schema, depth)?;
    if let Some(value) = schema.get("const").and_then(Value::as_str) {
        return Some(value.to_string());
    }
    if let Some([only]) = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return only.as_str().map(str::to_string);
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|part| single_value(doc, part, depth + 1))
}

/// `schema`, or what its `$ref` chain points to.
fn follow<'v>(doc: &'v Value, mut schema: &'v Value, depth: usize) -> Option<&'v Value> {
    for _ in depth..=16 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => schema = refs::resolve(doc, reference)?,
            None => return Some(schema),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variant_names() {
        assert_eq!(variant_name("message.received"), "MessageReceived");
        assert_eq!(
            variant_name("chat.typing_indicator.started"),
            "ChatTypingIndicatorStarted"
        );
        assert_eq!(variant_name("2026-02-03"), "V2026_02_03");
    }

    #[test]
    fn pinned_values_are_found_through_refs_and_all_of() {
        let doc = json!({
            "components": {"schemas": {
                "Kind": {"type": "string", "enum": ["a.b"]},
                "Base": {"properties": {"version": {"type": "string", "enum": ["2026-02-03"]}}},
                "Payload": {"allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"properties": {"kind": {"$ref": "#/components/schemas/Kind"}}}
                ]},
                "Open": {"properties": {"kind": {"type": "string", "enum": ["x", "y"]}}}
            }}
        });
        let payload = &doc["components"]["schemas"]["Payload"];
        assert_eq!(
            pinned_value(&doc, payload, "kind", 0).as_deref(),
            Some("a.b")
        );
        assert_eq!(
            pinned_value(&doc, payload, "version", 0).as_deref(),
            Some("2026-02-03")
        );
        assert_eq!(pinned_value(&doc, payload, "other", 0), None);
        let open = &doc["components"]["schemas"]["Open"];
        assert_eq!(pinned_value(&doc, open, "kind", 0), None);
        let looped = json!({"a": {"$ref": "#/a"}});
        assert_eq!(pinned_value(&looped, &looped["a"], "kind", 0), None);
    }
}
