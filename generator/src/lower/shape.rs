//! Where an operation sits on the client, when the config does not say: its resource,
//! sub-resources and method name, from the REST shape of its path.
//!
//! A GET on a collection is `list`, a POST on it `create`; a GET, PUT/PATCH or DELETE on
//! an item is `retrieve`, `update`, `delete`; a collection below an item is a
//! sub-resource (`/customers/{id}/balance_transactions` ->
//! `customers().balance_transactions()`). Other verbs (`POST /charges/{id}/capture`) keep
//! a short name: the `operationId` minus the resource's words, or, when the
//! `operationId` is only the method and the path's words run together
//! (`PostChargesChargeCapture`), the path's last word.

use super::names;
use crate::ir::HttpMethod;

/// Which other methods the operation's path has.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Siblings {
    /// PUT.
    pub put: bool,
    /// PATCH.
    pub patch: bool,
}

/// What the spec has below a path.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Below {
    /// Longer paths.
    pub paths: bool,
    /// Items (`/people/{id}` below `/people`).
    pub items: bool,
}

/// The REST shape of one operation, relative to its resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shape {
    /// Sub-resources below the resource, outermost first (`["balance_transactions"]`).
    pub subresources: Vec<String>,
    /// The method name the shape decides (`list`, `retrieve`, ...), if it decides one.
    pub method: Option<&'static str>,
    /// The last path segment, when it names a verb or a singleton (`capture`, `discount`).
    pub action: Option<String>,
}

/// `/v3/webhook-events/{id}` -> `webhook-events`: the first segment that is neither a
/// parameter nor a version.
pub(super) fn group_from_path(path: &str) -> String {
    path.split('/')
        .find(|s| !s.is_empty() && !is_param(s) && !is_version(s) && *s != "api")
        .unwrap_or("default")
        .to_string()
}

/// `v1`, `v3`: a version segment, not a resource name.
fn is_version(segment: &str) -> bool {
    segment.len() > 1
        && segment.starts_with('v')
        && segment[1..].chars().all(|c| c.is_ascii_digit())
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{')
}

/// A name compared without case, separators or a plural `s`: `Webhook Subscriptions`,
/// `webhook-subscriptions` and `webhook_subscription` are one name.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| names::singular(&names::snake(s, ""));
    let a = norm(a);
    !a.is_empty() && a == norm(b)
}

/// A path word naming a collection: plural (`messages`, `balance_transactions`).
fn is_plural(segment: &str) -> bool {
    let s = names::snake(segment, "");
    names::singular(&s) != s
}

/// Where `path` puts an operation of `resource`: `None` when no segment of the path
/// names the resource (a tag unrelated to the path), so the shape says nothing.
/// `below` tells what the spec has below a path (`/accounts/{}/people/{}` below
/// `/accounts/{}/people`).
pub(super) fn rest_shape(
    path: &str,
    resource: &str,
    method: HttpMethod,
    siblings: Siblings,
    below: &dyn Fn(&str) -> Below,
) -> Option<Shape> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let start = segments
        .iter()
        .rposition(|s| !is_param(s) && same_name(s, resource))?;
    let tail = &segments[start + 1..];
    let mut subresources = Vec::new();
    let mut on_item = false;
    // The collection the operation ends on is singular (`/contact_card`) and has no
    // items: a singleton.
    let mut singleton =
        !is_plural(segments[start]) && !below(&format!("/{}", segments[..=start].join("/"))).items;
    let mut action = None;
    for (i, segment) in tail.iter().enumerate() {
        let here = below(&format!("/{}", segments[..start + i + 2].join("/")));
        if is_param(segment) {
            on_item = true;
        } else if i + 1 < tail.len() || is_plural(segment) || here.paths {
            // Something below it, items in another path, or plural: a (sub-)collection.
            subresources.push(names::snake(segment, "resource"));
            singleton = !is_plural(segment) && !here.items;
            on_item = false;
        } else {
            action = Some(names::snake(segment, "call"));
        }
    }
    let method_name = if action.is_some() {
        None
    } else {
        match method {
            HttpMethod::Get if on_item || singleton => Some("retrieve"),
            HttpMethod::Get => Some("list"),
            // Beside a PUT (which replaces), a PATCH is a partial update.
            HttpMethod::Patch if siblings.put => Some("patch"),
            HttpMethod::Put | HttpMethod::Patch => Some("update"),
            HttpMethod::Delete => Some("delete"),
            // POST on an item without PUT/PATCH updates it (Stripe's style).
            HttpMethod::Post if on_item && !siblings.put && !siblings.patch => Some("update"),
            HttpMethod::Post if !on_item => Some("create"),
            _ => None,
        }
    };
    Some(Shape {
        subresources,
        method: method_name,
        action,
    })
}

/// An `operationId` that is only the HTTP method and the path's words
/// (`GetCustomersCustomerBalanceTransactionsTransaction`), which names nothing a reader
/// would call the operation.
pub(super) fn is_machine_made(operation_id: &str, method: HttpMethod, path: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    for segment in path.split('/') {
        for w in names::snake(segment.trim_matches(['{', '}']), "").split('_') {
            words.push(names::singular(w));
            words.push(w.to_string());
        }
    }
    let id = names::snake(operation_id, "");
    let mut id_words = id.split('_').filter(|w| !w.is_empty());
    // It starts with the HTTP method, and every other word is one of the path's.
    id_words.next() == Some(method.as_str().to_ascii_lowercase().as_str())
        && id_words.all(|w| words.iter().any(|p| p == w))
}

/// The name of an operation the REST shape does not name: the `operationId` minus the
/// resources' words, or, for a machine-made `operationId`, the action word with the
/// method's verb (`capture`, `retrieve_discount`).
pub(super) fn action_name(
    operation_id: &str,
    machine_made: bool,
    method: HttpMethod,
    action: Option<&str>,
    resources: &[&str],
) -> String {
    if !machine_made {
        let mut name = names::snake(operation_id, "call");
        for r in resources.iter().rev() {
            name = method_name(&name, r);
        }
        return name;
    }
    let verb = match method {
        HttpMethod::Get => "retrieve",
        HttpMethod::Put | HttpMethod::Patch => "update",
        HttpMethod::Delete => "delete",
        HttpMethod::Post => "",
        other => return names::snake(other.as_str(), "call"),
    };
    match (verb, action) {
        ("", Some(a)) => a.to_string(),
        (v, Some(a)) => format!("{v}_{a}"),
        ("", None) => "create".to_string(),
        (v, None) => v.to_string(),
    }
}

/// `GET /pets/{petId}/toys` -> `get_pets_by_pet_id_toys`.
pub(super) fn derive_operation_id(method: HttpMethod, path: &str) -> String {
    let mut out = method.as_str().to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('_');
        if let Some(p) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            out.push_str("by_");
            out.push_str(p);
        } else {
            out.push_str(segment);
        }
    }
    out
}

/// `updateWebhookSubscription` in resource `Webhook Subscriptions` -> `update`: the
/// resource's words (singular or plural) are dropped when something is left.
pub(super) fn method_name(operation_id: &str, resource: &str) -> String {
    let op = names::snake(operation_id, "call");
    let words: Vec<&str> = op.split('_').filter(|w| !w.is_empty()).collect();
    let resource_snake = names::snake(resource, "");
    let resource_words: Vec<&str> = resource_snake
        .split('_')
        .filter(|w| !w.is_empty())
        .collect();
    if resource_words.is_empty() {
        return op;
    }
    let matches = |at: usize| -> Option<usize> {
        // Every resource word, each singular or plural; returns how many words matched.
        let n = resource_words.len();
        if at + n > words.len() {
            return None;
        }
        resource_words
            .iter()
            .zip(&words[at..at + n])
            .all(|(r, w)| {
                r == w || names::singular(r) == *w || names::singular(w) == names::singular(r)
            })
            .then_some(n)
    };
    for at in 0..words.len() {
        if let Some(n) = matches(at) {
            let rest: Vec<&str> = words[..at]
                .iter()
                .chain(&words[at + n..])
                .copied()
                .collect();
            if !rest.is_empty() {
                return names::snake(&rest.join("_"), "call");
            }
        }
    }
    op
}

/// `Webhook Subscriptions` -> `WebhookSubscription`.
pub(super) fn singular_camel(resource: &str) -> String {
    let camel = names::type_name(resource);
    // Singularise the last word only.
    let split = camel
        .char_indices()
        .filter(|(_, c)| c.is_ascii_uppercase())
        .map(|(i, _)| i)
        .next_back()
        .unwrap_or(0);
    format!("{}{}", &camel[..split], names::singular(&camel[split..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(path: &str, resource: &str, method: HttpMethod) -> (Vec<String>, Option<String>) {
        let siblings = Siblings {
            put: true,
            patch: false,
        };
        let s = rest_shape(path, resource, method, siblings, &|_| Below::default())
            .expect("the path names the resource");
        let name = s
            .method
            .map(str::to_string)
            .or(s.action.clone().map(|a| format!("action:{a}")));
        (s.subresources, name)
    }

    #[test]
    fn collections_items_and_subresources() {
        use HttpMethod::*;
        let none: Vec<String> = Vec::new();
        assert_eq!(
            shape("/v1/customers", "customers", Get),
            (none.clone(), Some("list".into()))
        );
        assert_eq!(
            shape("/v1/customers", "customers", Post),
            (none.clone(), Some("create".into()))
        );
        assert_eq!(
            shape("/v1/customers/{customer}", "customers", Delete),
            (none.clone(), Some("delete".into()))
        );
        assert_eq!(
            shape(
                "/v1/customers/{customer}/balance_transactions/{transaction}",
                "customers",
                Get
            ),
            (
                vec!["balance_transactions".to_string()],
                Some("retrieve".into())
            )
        );
        assert_eq!(
            shape("/v3/chats/{chatId}/location/request", "Chats", Post),
            (vec!["location".to_string()], Some("action:request".into()))
        );
        assert_eq!(
            shape("/v3/chats/{chatId}/read", "Chats", Post),
            (none.clone(), Some("action:read".into()))
        );
        assert_eq!(
            shape(
                "/v3/webhook-subscriptions/{id}",
                "Webhook Subscriptions",
                Put
            ),
            (none.clone(), Some("update".into()))
        );
        // A singular collection is a singleton.
        assert_eq!(
            shape("/v1/balance", "balance", Get),
            (none, Some("retrieve".into()))
        );
        assert_eq!(
            rest_shape(
                "/v3/webhook-events",
                "Webhooks",
                Get,
                Siblings::default(),
                &|_| Below::default()
            ),
            None
        );
        // POST on an item without PUT/PATCH updates it (Stripe's style).
        let s = rest_shape(
            "/v1/customers/{id}",
            "customers",
            Post,
            Siblings::default(),
            &|_| Below::default(),
        )
        .unwrap();
        assert_eq!(s.method, Some("update"));
        // A singular collection with items in other paths is a sub-resource.
        let below = |p: &str| Below {
            paths: p == "/v1/accounts/{account}/people",
            items: p == "/v1/accounts/{account}/people",
        };
        let s = rest_shape(
            "/v1/accounts/{account}/people",
            "accounts",
            Get,
            Siblings::default(),
            &below,
        );
        assert_eq!(
            s.map(|s| (s.subresources, s.method)),
            Some((vec!["people".to_string()], Some("list")))
        );
        // PATCH beside PUT is `patch`.
        assert_eq!(
            shape("/v1/items/{id}", "items", Patch).1.as_deref(),
            Some("patch")
        );
        assert_eq!(
            shape("/v1/items/{id}", "items", Put).1.as_deref(),
            Some("update")
        );
    }

    #[test]
    fn machine_made_operation_ids() {
        // Short human ids made of path words are not machine-made.
        assert!(!is_machine_made(
            "actions/get-repo-secret",
            HttpMethod::Get,
            "/repos/{owner}/{repo}/actions/secrets/{secret_name}"
        ));
        assert!(is_machine_made(
            "GetCustomersCustomerBalanceTransactionsTransaction",
            HttpMethod::Get,
            "/v1/customers/{customer}/balance_transactions/{transaction}"
        ));
        assert!(!is_machine_made(
            "markChatAsRead",
            HttpMethod::Post,
            "/v3/chats/{chatId}/read"
        ));
        assert_eq!(
            action_name(
                "PostChargesChargeCapture",
                true,
                HttpMethod::Post,
                Some("capture"),
                &["charges"]
            ),
            "capture"
        );
        assert_eq!(
            action_name(
                "DeleteCustomersCustomerDiscount",
                true,
                HttpMethod::Delete,
                Some("discount"),
                &["customers"]
            ),
            "delete_discount"
        );
        assert_eq!(
            action_name(
                "markChatAsRead",
                false,
                HttpMethod::Post,
                Some("read"),
                &["chats"]
            ),
            "mark_as_read"
        );
        assert_eq!(
            action_name(
                "requestChatLocation",
                false,
                HttpMethod::Post,
                Some("request"),
                &["chats", "location"]
            ),
            "request"
        );
    }

    #[test]
    fn method_names_drop_the_resource() {
        assert_eq!(
            method_name("updateWebhookSubscription", "Webhook Subscriptions"),
            "update"
        );
        assert_eq!(
            method_name("listWebhookSubscriptions", "Webhook Subscriptions"),
            "list"
        );
        assert_eq!(method_name("listWebhookEvents", "Webhook Events"), "list");
        assert_eq!(method_name("createChat", "Chats"), "create");
        assert_eq!(method_name("sendMessageToChat", "Messages"), "send_to_chat");
        assert_eq!(method_name("chats", "Chats"), "chats");
        assert_eq!(method_name("type", "Other"), "type_");
    }

    #[test]
    fn derived_ids_and_groups() {
        assert_eq!(
            derive_operation_id(HttpMethod::Get, "/pets/{petId}"),
            "get_pets_by_petId"
        );
        assert_eq!(group_from_path("/v3/webhook-events/{id}"), "webhook-events");
        assert_eq!(group_from_path("/{id}"), "default");
        assert_eq!(
            singular_camel("Webhook Subscriptions"),
            "WebhookSubscription"
        );
    }
}
