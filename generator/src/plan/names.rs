//! Local names emitted code binds.

use serde::Serialize;

use crate::ir::{Api, Operation, Resource, ResponseBody, TypeRef};

/// Names emitted code binds.
#[derive(Debug, Clone, Serialize)]
pub struct Names {
    /// The variable each operation's doc example binds its result to, by resource
    /// then operation (index-aligned with `api.resources` and their `operations`):
    /// `webhook_subscription` for a call returning `WebhookSubscription`.
    pub example_results: Vec<Vec<String>>,
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
