//! Local names emitted code binds: the result of each doc example, the variables of
//! each struct decoder, the test functions of the contract suite.

use serde::Serialize;

use crate::ir::{Api, Operation, Resource, ResponseBody, Struct, TypeId, TypeKind, TypeRef};
use crate::lower::names::{NameSet, snake};

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
    /// The test functions of the contract suite (`tests/contract.rs`).
    pub contract: ContractNames,
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
            contract: ContractNames::new(api),
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

/// Functions of the contract suite's prelude, which test names must not shadow.
const CONTRACT_HELPERS: &[&str] = &[
    "api",
    "contract_support",
    "exercise",
    "client",
    "prefer_status",
    "violations",
    "assert_valid_request",
    "fail",
    "json",
    "same_json",
    "same_instant",
    "assert_round_trip",
];

/// The names of the contract suite's test functions: unique in the file and apart from
/// its helpers, claimed in file order for every test the IR allows (an operation whose
/// call cannot be built, or a webhook whose example does not fit, keeps its names
/// unused, so no other test's name depends on the samples).
#[derive(Debug, Clone, Serialize)]
pub struct ContractNames {
    /// Per resource, then per operation (index-aligned with `api.resources` and their
    /// `operations`).
    pub operations: Vec<Vec<OperationTests>>,
    /// Per webhook (index-aligned with `api.webhooks`): the test decoding its example
    /// payload, for a webhook with a payload type and an example.
    pub webhook_examples: Vec<Option<String>>,
    /// With typed webhook events: one test per payload variant of the event union, in
    /// the union's order (nested unions depth first).
    pub event_variants: Vec<EventVariantTest>,
    /// With typed webhook events whose union keeps unknown values: per discriminator
    /// (index-aligned with `api.webhook_events.discriminators`), the test of a delivery
    /// whose value the spec does not know.
    pub unknown_events: Vec<String>,
}

/// The tests of one operation (`<module>_<operation>` and a suffix per kind).
#[derive(Debug, Clone, Serialize)]
pub struct OperationTests {
    /// The one call, when the required parameters are all it has: `<stem>`.
    pub only: String,
    /// The call with only the required parameters: `<stem>_required_params`.
    pub required_params: String,
    /// The call with every parameter set: `<stem>_all_params`.
    pub all_params: String,
    /// A list operation's two pages: `<stem>_pages`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<String>,
    /// The documented error statuses: `<stem>_error_responses`.
    pub error_responses: String,
}

/// The test that a keyed webhook's example, decoded as the envelope, is its variant.
#[derive(Debug, Clone, Serialize)]
pub struct EventVariantTest {
    /// The webhook (key in `webhooks`) whose payload the variant holds.
    pub webhook: String,
    /// The variants from the top event union down to the payload: the union type and
    /// the variant's index in it.
    pub path: Vec<(TypeId, usize)>,
    /// The test function's name.
    pub test: String,
}

impl ContractNames {
    fn new(api: &Api) -> ContractNames {
        let mut names = NameSet::snake();
        names.reserve(CONTRACT_HELPERS.iter().copied());
        let operations = api
            .resources
            .iter()
            .map(|r| {
                r.operations
                    .iter()
                    .map(|op| {
                        let stem = format!("{}_{}", r.module, op.name);
                        let mut name = |suffix: &str| names.claim(&format!("{stem}{suffix}"));
                        OperationTests {
                            only: name(""),
                            required_params: name("_required_params"),
                            all_params: name("_all_params"),
                            pages: op.pagination.as_ref().map(|_| name("_pages")),
                            error_responses: name("_error_responses"),
                        }
                    })
                    .collect()
            })
            .collect();
        let webhook_examples = api
            .webhooks
            .iter()
            .map(|w| {
                (w.payload.is_some() && w.example.is_some()).then(|| {
                    names.claim(&format!(
                        "webhook_{}_example_decodes",
                        snake(&w.name, "payload")
                    ))
                })
            })
            .collect();
        let mut event_variants = Vec::new();
        let mut unknown_events = Vec::new();
        if let Some(events) = &api.webhook_events {
            let mut leaves = Vec::new();
            event_leaves(api, events.data_type, &mut Vec::new(), &mut leaves);
            event_variants = leaves
                .into_iter()
                .map(|(webhook, path)| EventVariantTest {
                    test: names.claim(&format!(
                        "webhook_{}_example_is_its_event_variant",
                        snake(&webhook, "payload")
                    )),
                    webhook,
                    path,
                })
                .collect();
            let keeps_unknown = matches!(
                &api.type_def(events.data_type).kind,
                TypeKind::Event(e) if e.unknown.is_some()
            );
            if keeps_unknown {
                unknown_events = events
                    .discriminators
                    .iter()
                    .map(|member| {
                        names.claim(&format!(
                            "webhook_event_of_unknown_{}_is_kept",
                            snake(member, "value")
                        ))
                    })
                    .collect();
            }
        }
        ContractNames {
            operations,
            webhook_examples,
            event_variants,
            unknown_events,
        }
    }

    /// The tests of operation `j` of resource `i`.
    pub fn operation(&self, i: usize, j: usize) -> Option<&OperationTests> {
        self.operations.get(i)?.get(j)
    }

    /// The function returning the `nth` (from 1) distinct documented error example of
    /// `status`: `error_404`, then `error_4042`, `error_4043`...
    pub fn error_example(status: u16, nth: usize) -> String {
        if nth <= 1 {
            format!("error_{status}")
        } else {
            format!("error_{status}{nth}")
        }
    }
}

/// `(webhook, path)` for each payload variant under the event union `id`, depth first.
fn event_leaves(
    api: &Api,
    id: TypeId,
    path: &mut Vec<(TypeId, usize)>,
    out: &mut Vec<(String, Vec<(TypeId, usize)>)>,
) {
    let TypeKind::Event(e) = &api.type_def(id).kind else {
        return;
    };
    for (k, v) in e.variants.iter().enumerate() {
        path.push((id, k));
        match (&v.ty, &v.webhook) {
            (TypeRef::Named(nested), None) => event_leaves(api, *nested, path, out),
            (_, Some(webhook)) => out.push((webhook.clone(), path.clone())),
            _ => {}
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_example_names_are_the_claims_of_one_status() {
        let mut set = NameSet::camel();
        for nth in 1..=12 {
            let claimed = set.claim("error_404");
            assert_eq!(ContractNames::error_example(404, nth), claimed);
            // Another status's names never collide with this one's.
            assert_eq!(
                ContractNames::error_example(500, nth),
                set.claim("error_500")
            );
        }
    }
}
