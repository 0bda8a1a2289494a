//! Cargo features of the emitted crate: one per resource, and `full` for all of them
//! (on by default). A user of one resource of a large API turns default features off
//! and enables that resource: only its module and the types it reaches are compiled.
//!
//! Which types a feature needs is reachability over the IR: from each resource's
//! operations (path parameters, parameters, bodies, responses, error bodies) through
//! the types' fields, variants and aliases. A type is compiled when any feature that
//! reaches it is on. The error body (named by `Error::error_body`) counts as reached
//! by every resource; webhook payloads come with `webhooks`; types nothing reaches
//! come with `full` only.

use serde::Serialize;

use crate::ir::{Api, Operation, TypeId, TypeKind, TypeRef};

/// Enabled by every resource: the gate of what all resources need (the error body and
/// the types it reaches), so that those types carry one short `cfg` instead of a list
/// of every resource.
const ANY_RESOURCE: &str = "_any_resource";

/// Features the crate has besides the resources' (a resource named like one of them
/// gets a `_resource` suffix).
const RESERVED: [&str; 4] = ["default", "full", "webhooks", ANY_RESOURCE];

/// The crate's Cargo features.
#[derive(Debug, Clone, Serialize)]
pub struct Features {
    /// The features on by default: `full`, and `webhooks` when the config names a
    /// webhook envelope.
    pub default: Vec<String>,
    /// The feature enabling each resource (index-aligned with `api.resources`): its
    /// module name, which is also its accessor (`client.webhook_subscriptions()` needs
    /// the `webhook_subscriptions` feature).
    pub resources: Vec<String>,
    /// The feature each resource's feature enables (index-aligned with
    /// `api.resources`): a sub-resource's parent, else the umbrella, if any.
    pub enables: Vec<Option<String>>,
    /// The feature every resource enables, for APIs with more than one resource.
    pub umbrella: Option<String>,
    /// The types each resource's code needs, directly or not (index-aligned with
    /// `api.resources`), in type order.
    pub reaches: Vec<Vec<TypeId>>,
}

/// When one type's items are compiled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Gate {
    /// Always (the error body of an API without operations).
    Always,
    /// When any of these features is on.
    Any(Vec<String>),
}

impl Features {
    /// The features of `api`'s crate; `webhooks` says whether the config names a
    /// webhook envelope.
    pub fn new(api: &Api, graph: &Graph, webhooks: bool) -> Features {
        let resources: Vec<String> = api
            .resources
            .iter()
            .map(|r| {
                if RESERVED.contains(&r.module.as_str()) {
                    format!("{}_resource", r.module)
                } else {
                    r.module.clone()
                }
            })
            .collect();
        let umbrella = (api.resources.len() > 1).then(|| ANY_RESOURCE.to_string());
        // A sub-resource's accessor is on its parent's handle: it enables the parent
        // (which enables the umbrella).
        let enables = api
            .resources
            .iter()
            .map(|r| {
                r.parent
                    .and_then(|p| resources.get(p).cloned())
                    .or_else(|| umbrella.clone())
            })
            .collect();
        let error_roots: Vec<usize> = api.error_body.iter().map(|id| id.0).collect();
        let reaches = api
            .resources
            .iter()
            .map(|r| {
                let mut roots = error_roots.clone();
                for op in &r.operations {
                    operation_refs(op, &mut roots);
                }
                graph
                    .reach(roots)
                    .iter()
                    .enumerate()
                    .filter(|(_, seen)| **seen)
                    .map(|(i, _)| TypeId(i))
                    .collect()
            })
            .collect();
        let mut default = vec!["full".to_string()];
        // Webhook verification is always available; it is on by default only for APIs
        // whose config names a webhook envelope.
        if webhooks {
            default.push("webhooks".into());
        }
        Features {
            default,
            resources,
            enables,
            umbrella,
            reaches,
        }
    }

    /// The gate of items every resource needs (`Error::error_body`): any resource.
    pub fn any_resource(&self) -> Gate {
        match &self.umbrella {
            Some(u) => Gate::Any(vec![u.clone()]),
            None if self.resources.is_empty() => Gate::Always,
            None => Gate::Any(self.resources.clone()),
        }
    }

    /// The gate of every type (index-aligned with `api.types`); `webhooks` are the
    /// types webhook deliveries carry.
    pub fn gates(&self, api: &Api, graph: &Graph, webhooks: &[bool]) -> Vec<Gate> {
        let n = api.types.len();
        // The error body is named by `Error::error_body`, which exists with any
        // resource (or always, for an API without operations).
        let always = if api.resources.is_empty() {
            graph.reach(api.error_body.iter().map(|id| id.0).collect())
        } else {
            vec![false; n]
        };
        // The resources reaching each type, as indices: a large API's types are each
        // reached by many of its resources, most of them by all (then the umbrella
        // stands for them), so names are copied only into the gates that list them.
        let mut by_type: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (r, reached) in self.reaches.iter().enumerate() {
            for id in reached {
                if let Some(list) = by_type.get_mut(id.0) {
                    list.push(r);
                }
            }
        }
        by_type
            .into_iter()
            .enumerate()
            .map(|(i, reaching)| {
                if always[i] {
                    return Gate::Always;
                }
                let resources = !reaching.is_empty();
                let mut features: Vec<String> = match &self.umbrella {
                    Some(u) if reaching.len() == self.resources.len() => vec![u.clone()],
                    _ => reaching
                        .iter()
                        .filter_map(|r| self.resources.get(*r).cloned())
                        .collect(),
                };
                if webhooks.get(i).copied().unwrap_or(false) {
                    features.push("webhooks".into());
                }
                if !resources {
                    features.push("full".into());
                }
                Gate::Any(features)
            })
            .collect()
    }
}

/// Which types requests send (bodies, parameters) and which responses, errors and
/// webhooks carry (index-aligned with `api.types`).
pub fn directions(api: &Api, graph: &Graph, webhook_roots: &[usize]) -> (Vec<bool>, Vec<bool>) {
    let mut sent = Vec::new();
    let mut received: Vec<usize> = api.error_body.iter().map(|id| id.0).collect();
    for op in api.resources.iter().flat_map(|r| &r.operations) {
        for p in &op.path_params {
            type_refs(&p.ty, &mut sent);
        }
        // The parameters struct is not serialised; its fields are, one by one.
        if let Some(p) = &op.params
            && let Some(TypeKind::Params(params)) = api.types.get(p.ty.0).map(|t| &t.kind)
        {
            for param in params {
                type_refs(&param.ty, &mut sent);
            }
        }
        if let Some(b) = &op.body {
            type_refs(&b.ty, &mut sent);
        }
        if let crate::ir::ResponseBody::Json(t) = &op.response.body {
            type_refs(t, &mut received);
        }
        for e in &op.errors {
            if let Some(t) = &e.ty {
                type_refs(t, &mut received);
            }
        }
    }
    received.extend_from_slice(webhook_roots);
    (graph.reach(sent), graph.reach(received))
}

/// Webhook payloads and the envelope.
pub fn webhook_roots(api: &Api, envelope: Option<TypeId>) -> Vec<usize> {
    let mut roots = Vec::new();
    for w in &api.webhooks {
        if let Some(t) = &w.payload {
            type_refs(t, &mut roots);
        }
    }
    roots.extend(envelope.map(|id| id.0));
    roots
}

/// Which types each type's code needs: its fields', variants' and target's types, and
/// the type it is an alias of.
pub struct Graph {
    edges: Vec<Vec<usize>>,
}

impl Graph {
    pub fn new(api: &Api, copies: &[Option<TypeId>]) -> Graph {
        let n = api.types.len();
        let edges = api
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut out = Vec::new();
                kind_refs(&t.kind, &mut out);
                if let Some(Some(original)) = copies.get(i) {
                    out.push(original.0);
                }
                out.retain(|j| *j < n);
                out
            })
            .collect();
        Graph { edges }
    }

    /// The types `roots` need, directly or not (roots included).
    pub fn reach(&self, roots: Vec<usize>) -> Vec<bool> {
        let n = self.edges.len();
        let mut seen = vec![false; n];
        let mut stack = roots;
        while let Some(i) = stack.pop() {
            if i >= n || seen[i] {
                continue;
            }
            seen[i] = true;
            stack.extend(self.edges[i].iter().copied());
        }
        seen
    }
}

/// Named types an operation's code mentions.
fn operation_refs(op: &Operation, out: &mut Vec<usize>) {
    for p in &op.path_params {
        type_refs(&p.ty, out);
    }
    if let Some(p) = &op.params {
        out.push(p.ty.0);
    }
    if let Some(b) = &op.body {
        type_refs(&b.ty, out);
    }
    if let crate::ir::ResponseBody::Json(t) = &op.response.body {
        type_refs(t, out);
    }
    for e in &op.errors {
        if let Some(t) = &e.ty {
            type_refs(t, out);
        }
    }
}

fn kind_refs(kind: &TypeKind, out: &mut Vec<usize>) {
    match kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                type_refs(&f.ty, out);
            }
            if let Some(t) = &s.additional {
                type_refs(t, out);
            }
        }
        TypeKind::Params(params) => {
            for p in params {
                type_refs(&p.ty, out);
            }
        }
        TypeKind::Enum(_) => {}
        TypeKind::Union(u) => {
            for v in &u.variants {
                type_refs(&v.ty, out);
            }
        }
        TypeKind::Alias(t) | TypeKind::Newtype(t) => type_refs(t, out),
        TypeKind::Event(e) => {
            for v in &e.variants {
                type_refs(&v.ty, out);
            }
        }
    }
}

fn type_refs(ty: &TypeRef, out: &mut Vec<usize>) {
    match ty {
        TypeRef::Named(id) => out.push(id.0),
        TypeRef::List(inner) | TypeRef::Map(inner) | TypeRef::Option(inner) => {
            type_refs(inner, out);
        }
        TypeRef::Primitive(_) | TypeRef::Any | TypeRef::Object => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, SerdeImpls};
    use crate::plan::Plan;
    use std::path::Path;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: Gates, version: "1"}
paths:
  /a:
    get:
      tags: [alpha]
      operationId: getA
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
  /b:
    get:
      tags: [beta]
      operationId: getB
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/B"}
  /c:
    post:
      tags: [alpha]
      operationId: createC
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Input"}
      responses:
        "204": {description: done}
        default:
          description: error
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Problem"}
  /g:
    get:
      tags: [gamma]
      operationId: getG
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {z: {type: boolean}}}
        default:
          description: error
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Problem"}
components:
  schemas:
    Input:
      type: object
      properties: {s: {$ref: "#/components/schemas/Shared"}}
    Shared:
      type: object
      properties: {x: {type: string}}
    A:
      type: object
      properties:
        s: {$ref: "#/components/schemas/Shared"}
        mode: {type: string, enum: ["on", "off"]}
    B:
      type: object
      properties:
        s: {$ref: "#/components/schemas/Shared"}
        mode: {type: string, enum: ["on", "off"]}
        n: {type: integer}
    Orphan:
      type: object
      properties: {y: {type: integer}}
    Problem:
      type: object
      properties: {message: {type: string}}
"##;

    fn lowered() -> (Api, Config) {
        // One folder per call: the tests run in parallel threads of one process.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("gates-{}-{call}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("gates.yaml");
        std::fs::write(&path, SPEC).unwrap();
        let lowered = crate::lower_spec(&path, None);
        let _ = std::fs::remove_dir_all(&dir);
        lowered.unwrap()
    }

    fn id(api: &Api, pointer: &str) -> usize {
        api.types
            .iter()
            .position(|t| t.pointer == pointer)
            .unwrap_or_else(|| panic!("no type at {pointer}"))
    }

    fn plan(api: &Api, config: &Config) -> Plan {
        Plan::new(api, config, Path::new("gates.codegen.yaml")).unwrap()
    }

    fn any(features: &[&str]) -> Gate {
        Gate::Any(features.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn types_are_gated_by_the_resources_that_reach_them() {
        let (api, config) = lowered();
        let plan = plan(&api, &config);
        assert_eq!(plan.features.resources, ["alpha", "beta", "gamma"]);
        let gate = |p: &str| plan.types[id(&api, p)].gate.clone();
        assert_eq!(gate("#/components/schemas/A"), any(&["alpha"]));
        assert_eq!(gate("#/components/schemas/B"), any(&["beta"]));
        assert_eq!(gate("#/components/schemas/Shared"), any(&["alpha", "beta"]));
        assert_eq!(gate("#/components/schemas/Orphan"), any(&["full"]));
        // The error body: every resource needs it, through the umbrella feature.
        let problem = id(&api, "#/components/schemas/Problem");
        assert_eq!(api.error_body, Some(TypeId(problem)));
        assert_eq!(plan.types[problem].gate, any(&["_any_resource"]));
        assert_eq!(plan.any_resource, any(&["_any_resource"]));
        // B's inline enum repeats A's, so it is an alias of it: A's enum is compiled
        // for either resource.
        let a_mode = id(&api, "#/components/schemas/A/properties/mode");
        let b_mode = id(&api, "#/components/schemas/B/properties/mode");
        assert_eq!(plan.types[b_mode].alias_of, Some(TypeId(a_mode)));
        assert_eq!(plan.types[a_mode].alias_of, None);
        assert_eq!(plan.types[a_mode].gate, any(&["alpha", "beta"]));
        assert_eq!(plan.types[b_mode].gate, any(&["beta"]));
        // What each resource reaches, in type order.
        let shared = TypeId(id(&api, "#/components/schemas/Shared"));
        assert!(plan.features.reaches[0].contains(&shared));
        assert!(plan.features.reaches[1].contains(&shared));
        assert!(!plan.features.reaches[2].contains(&shared));
    }

    #[test]
    fn serde_impls_as_needed_follow_what_is_sent_and_received() {
        let (api, config) = lowered();
        let p = plan(&api, &config);
        assert!(
            p.types.iter().all(|t| t.ser && t.de),
            "both directions by default"
        );

        let config = Config {
            serde: SerdeImpls::AsNeeded,
            ..config
        };
        let p = plan(&api, &config);
        let needs = |ptr: &str| {
            let t = &p.types[id(&api, ptr)];
            (t.ser, t.de)
        };
        assert_eq!(needs("#/components/schemas/Input"), (true, false));
        assert_eq!(needs("#/components/schemas/A"), (false, true));
        assert_eq!(needs("#/components/schemas/Shared"), (true, true));
        assert_eq!(needs("#/components/schemas/Orphan"), (false, false));
    }

    #[test]
    fn cargo_features_list_every_resource_under_full() {
        let (api, config) = lowered();
        let f = plan(&api, &config).features;
        assert_eq!(f.default, ["full"]);
        assert_eq!(f.resources, ["alpha", "beta", "gamma"]);
        let umbrella = Some("_any_resource".to_string());
        assert_eq!(
            f.enables,
            [umbrella.clone(), umbrella.clone(), umbrella.clone()]
        );
        assert_eq!(f.umbrella, umbrella);
        let text = crate::templates::features_toml(&f);
        assert!(text.starts_with("default = [\"full\"]\n"), "{text}");
        assert!(
            text.contains("\nfull = [\"alpha\", \"beta\", \"gamma\"]\n"),
            "{text}"
        );
        assert!(text.contains("\nalpha = [\"_any_resource\"]\n"), "{text}");
        assert!(text.ends_with("\n_any_resource = []"), "{text}");
    }

    #[test]
    fn a_subresource_has_its_own_feature_which_enables_its_parent() {
        const NESTED: &str = r##"
openapi: 3.0.3
info: {title: Nested, version: "1"}
paths:
  /alpha/{id}:
    get:
      tags: [alpha]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: done}}
  /alpha/{id}/items:
    get:
      tags: [alpha]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {n: {type: integer}}}
"##;
        let dir = std::env::temp_dir().join(format!("nested-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("nested.yaml");
        std::fs::write(&path, NESTED).unwrap();
        let lowered = crate::lower_spec(&path, None);
        let _ = std::fs::remove_dir_all(&dir);
        let (api, config) = lowered.unwrap();
        let p = plan(&api, &config);
        assert_eq!(p.features.resources, ["alpha", "alpha_items"]);
        assert_eq!(api.resources[1].chain, ["alpha", "items"]);
        let text = crate::templates::features_toml(&p.features);
        assert!(text.contains("\nalpha_items = [\"alpha\"]\n"), "{text}");
        assert!(text.contains("\nalpha = [\"_any_resource\"]\n"), "{text}");
        // The items' response type comes with the sub-resource's feature alone.
        let item = api
            .types
            .iter()
            .position(|t| t.name == "ItemListResponse")
            .expect("the list response type");
        assert_eq!(p.types[item].gate, any(&["alpha_items"]));
    }
}
