//! Local names emitted code binds: the result of each doc example, the variables of
//! each struct decoder.

use serde::Serialize;

use crate::ir::{Api, Operation, Resource, ResponseBody, Struct, TypeKind, TypeRef};

/// Names emitted code binds.
#[derive(Debug, Clone, Serialize)]
pub struct Names {
    /// The variable each operation's doc example binds its result to, by resource
    /// then operation (index-aligned with `api.resources` and their `operations`):
    /// `webhook_subscription` for a call returning `WebhookSubscription`.
    pub example_results: Vec<Vec<String>>,
    /// The local variable a struct's decoder reads each field into (index-aligned
    /// with `api.types`, then with the struct's fields; empty for other types).
    pub decoder_locals: Vec<Vec<String>>,
}

impl Names {
    pub fn new(api: &Api) -> Names {
        Names {
            example_results: api
                .resources
                .iter()
                .map(|r| {
                    r.operations
                        .iter()
                        .map(|op| result_binding(api, op))
                        .collect()
                })
                .collect(),
            decoder_locals: api
                .types
                .iter()
                .map(|t| match &t.kind {
                    TypeKind::Struct(s) => locals(s),
                    _ => Vec::new(),
                })
                .collect(),
        }
    }

    /// The variable the doc example of `op` (an operation of `r`, in `api`) binds its
    /// result to.
    pub fn example_result(&self, api: &Api, r: &Resource, op: &Operation) -> &str {
        let resource = api.resources.iter().position(|x| std::ptr::eq(x, r));
        let operation = r.operations.iter().position(|x| std::ptr::eq(x, op));
        resource
            .zip(operation)
            .and_then(|(i, j)| self.example_results.get(i)?.get(j))
            .map_or("response", String::as_str)
    }
}

/// `webhook_subscription` for a call returning `WebhookSubscription`.
fn result_binding(api: &Api, op: &Operation) -> String {
    let from_type = match &op.response.body {
        ResponseBody::Json(TypeRef::Named(id)) => Some(api.type_def(*id).name.clone()),
        _ => None,
    };
    match from_type {
        Some(name) => {
            let snake = crate::lower::names::snake(&name, "response");
            if snake == "client" {
                "response".to_string()
            } else {
                snake
            }
        }
        None => "response".to_string(),
    }
}

/// The decoder's local variable per field: `f_<field>`, snake case (no double
/// underscore for fields like `_3d`), distinct from each other and from `map`/`key`.
fn locals(s: &Struct) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(s.fields.len());
    for (i, f) in s.fields.iter().enumerate() {
        let mut name = format!("f_{}", f.name.trim_start_matches('_'));
        if out.contains(&name) {
            name = format!("{name}_{i}");
        }
        out.push(name);
    }
    out
}
