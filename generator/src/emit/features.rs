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

use std::fmt::Write as _;

use proc_macro2::TokenStream;
use quote::quote;

use crate::config::{Config, SerdeImpls};
use crate::ir::{Api, Operation, TypeId, TypeKind, TypeRef};

/// Enabled by every resource: the gate of what all resources need (the error body and
/// the types it reaches), so that those types carry one short `cfg` instead of a list
/// of every resource.
const ANY_RESOURCE: &str = "_any_resource";

/// Features the crate has besides the resources' (a resource named like one of them
/// gets a `_resource` suffix).
const RESERVED: [&str; 4] = ["default", "full", "webhooks", ANY_RESOURCE];

/// The feature enabling each resource (index-aligned with `api.resources`): its module
/// name, which is also its accessor (`client.webhook_subscriptions()` needs the
/// `webhook_subscriptions` feature).
pub fn resource_features(api: &Api) -> Vec<String> {
    api.resources
        .iter()
        .map(|r| {
            if RESERVED.contains(&r.module.as_str()) {
                format!("{}_resource", r.module)
            } else {
                r.module.clone()
            }
        })
        .collect()
}

/// The `[features]` entries of `Cargo.toml`: `default`, `full` and one per resource.
pub fn cargo_features(api: &Api, config: &Config) -> String {
    let features = resource_features(api);
    let quoted = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut default = vec!["full"];
    // Webhook verification is always available; it is on by default only for APIs
    // whose config names a webhook envelope.
    if config.webhook_envelope.is_some() {
        default.push("webhooks");
    }
    let mut out = format!("default = [{}]\n", quoted(&default));
    out.push_str(
        "# Every resource. To compile only some, turn default features off and name them\n\
         # (`default-features = false, features = [\"<resource>\"]`): each resource's\n\
         # module and the types it uses are compiled, nothing else.\n",
    );
    let all: Vec<&str> = features.iter().map(String::as_str).collect();
    let _ = writeln!(out, "full = [{}]", quoted(&all));
    if !features.is_empty() {
        out.push_str("# One per resource: `client.<resource>()`.\n");
    }
    let umbrella = umbrella(api);
    for (f, r) in features.iter().zip(&api.resources) {
        // A sub-resource's accessor is on its parent's handle: it enables the parent
        // (which enables the umbrella).
        match (r.parent.and_then(|p| features.get(p)), umbrella) {
            (Some(parent), _) => {
                let _ = writeln!(out, "{f} = [\"{parent}\"]");
            }
            (None, Some(u)) => {
                let _ = writeln!(out, "{f} = [\"{u}\"]");
            }
            (None, None) => {
                let _ = writeln!(out, "{f} = []");
            }
        }
    }
    if let Some(u) = umbrella {
        let _ = writeln!(
            out,
            "# Enabled by every resource: what all of them need (the error type and its parts).\n{u} = []"
        );
    }
    out.trim_end().to_string()
}

/// The feature every resource enables, for APIs with more than one resource.
fn umbrella(api: &Api) -> Option<&'static str> {
    (api.resources.len() > 1).then_some(ANY_RESOURCE)
}

/// When one type's items are compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Always (the error body of an API without operations).
    Always,
    /// When any of these features is on.
    Any(Vec<String>),
}

impl Gate {
    /// The `cfg` predicate, if any.
    fn predicate(&self) -> Option<TokenStream> {
        match self {
            Gate::Always => None,
            Gate::Any(features) if features.len() == 1 => {
                let f = &features[0];
                Some(quote! { feature = #f })
            }
            Gate::Any(features) => Some(quote! { any(#(feature = #features),*) }),
        }
    }

    /// The `#[cfg(...)]` attribute, if any.
    pub fn attr(&self) -> TokenStream {
        self.predicate()
            .map(|p| quote! { #[cfg(#p)] })
            .unwrap_or_default()
    }

    /// [`Gate::attr`] for an item docs show: with `#[cfg_attr(docsrs, doc(cfg(..)))]`,
    /// so docs built with `--cfg docsrs` (as docs.rs builds them) name its features.
    pub fn item_attr(&self) -> TokenStream {
        self.predicate()
            .map(|p| quote! { #[cfg(#p)] #[cfg_attr(docsrs, doc(cfg(#p)))] })
            .unwrap_or_default()
    }
}

/// The gate of every type (index-aligned with `api.types`). `copies[i]` is the type
/// `i` is an alias of, if any (so the original is compiled whenever the alias is).
pub fn type_gates(api: &Api, config: &Config, copies: &[Option<TypeId>]) -> Vec<Gate> {
    let n = api.types.len();
    let graph = Graph::new(api, copies);
    let reach = |roots: Vec<usize>| graph.reach(roots);

    // The error body is named by `Error::error_body`, which exists with any resource
    // (or always, for an API without operations).
    let error_roots: Vec<usize> = api.error_body.iter().map(|id| id.0).collect();
    let always = if api.resources.is_empty() {
        reach(error_roots.clone())
    } else {
        vec![false; n]
    };
    let webhooks = reach(webhook_roots(api, config));
    let by_resource: Vec<Vec<bool>> = api
        .resources
        .iter()
        .map(|r| {
            let mut roots = error_roots.clone();
            for op in &r.operations {
                operation_refs(op, &mut roots);
            }
            reach(roots)
        })
        .collect();

    let names = resource_features(api);
    (0..n)
        .map(|i| {
            if always[i] {
                return Gate::Always;
            }
            let mut features: Vec<String> = by_resource
                .iter()
                .zip(&names)
                .filter(|(seen, _)| seen[i])
                .map(|(_, f)| f.clone())
                .collect();
            let resources = !features.is_empty();
            if let Some(u) = umbrella(api)
                && features.len() == names.len()
            {
                features = vec![u.to_string()];
            }
            if webhooks[i] {
                features.push("webhooks".into());
            }
            if !resources {
                features.push("full".into());
            }
            Gate::Any(features)
        })
        .collect()
}

/// Which types need `Serialize` and which `Deserialize` (index-aligned with
/// `api.types`): everything, or with `serde: as-needed` what requests send
/// (bodies, parameters) and what responses, errors and webhooks carry.
pub fn serde_needs(
    api: &Api,
    config: &Config,
    copies: &[Option<TypeId>],
) -> (Vec<bool>, Vec<bool>) {
    let n = api.types.len();
    if config.serde == SerdeImpls::Both {
        return (vec![true; n], vec![true; n]);
    }
    directions(api, config, copies)
}

/// Which types requests send (bodies, parameters) and which responses, errors and
/// webhooks carry (index-aligned with `api.types`), whatever the serde setting.
pub fn directions(api: &Api, config: &Config, copies: &[Option<TypeId>]) -> (Vec<bool>, Vec<bool>) {
    let graph = Graph::new(api, copies);
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
    received.extend(webhook_roots(api, config));
    (graph.reach(sent), graph.reach(received))
}

/// Webhook payloads and the configured envelope.
fn webhook_roots(api: &Api, config: &Config) -> Vec<usize> {
    let mut roots = Vec::new();
    for w in &api.webhooks {
        if let Some(t) = &w.payload {
            type_refs(t, &mut roots);
        }
    }
    if let Some(name) = &config.webhook_envelope {
        let suffix = format!("/{name}");
        roots.extend(
            api.types
                .iter()
                .position(|t| &t.name == name || t.pointer.ends_with(&suffix)),
        );
    }
    roots
}

/// Which types each type's code needs: its fields', variants' and target's types, and
/// the type it is an alias of.
struct Graph {
    edges: Vec<Vec<usize>>,
}

impl Graph {
    fn new(api: &Api, copies: &[Option<TypeId>]) -> Graph {
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
    fn reach(&self, roots: Vec<usize>) -> Vec<bool> {
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

/// The gate of items every resource needs (`Error::error_body`): any resource.
pub fn any_resource(api: &Api) -> Gate {
    match umbrella(api) {
        Some(u) => Gate::Any(vec![u.to_string()]),
        None if api.resources.is_empty() => Gate::Always,
        None => Gate::Any(resource_features(api)),
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
    use crate::emit::types::duplicates;

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
        let lowered = crate::lower_spec(&path, None, &mut crate::Timings::default());
        let _ = std::fs::remove_dir_all(&dir);
        lowered.unwrap()
    }

    fn id(api: &Api, pointer: &str) -> usize {
        api.types
            .iter()
            .position(|t| t.pointer == pointer)
            .unwrap_or_else(|| panic!("no type at {pointer}"))
    }

    fn any(features: &[&str]) -> Gate {
        Gate::Any(features.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn types_are_gated_by_the_resources_that_reach_them() {
        let (api, config) = lowered();
        assert_eq!(resource_features(&api), ["alpha", "beta", "gamma"]);
        let copies = duplicates(&api);
        let gates = type_gates(&api, &config, &copies);
        let gate = |p: &str| gates[id(&api, p)].clone();
        assert_eq!(gate("#/components/schemas/A"), any(&["alpha"]));
        assert_eq!(gate("#/components/schemas/B"), any(&["beta"]));
        assert_eq!(gate("#/components/schemas/Shared"), any(&["alpha", "beta"]));
        assert_eq!(gate("#/components/schemas/Orphan"), any(&["full"]));
        // The error body: every resource needs it, through the umbrella feature.
        let problem = id(&api, "#/components/schemas/Problem");
        assert_eq!(api.error_body, Some(TypeId(problem)));
        assert_eq!(gates[problem], any(&["_any_resource"]));
        assert_eq!(any_resource(&api), any(&["_any_resource"]));
        // B's inline enum repeats A's, so it is an alias of it: A's enum is compiled
        // for either resource.
        let a_mode = id(&api, "#/components/schemas/A/properties/mode");
        let b_mode = id(&api, "#/components/schemas/B/properties/mode");
        assert_eq!(copies[b_mode], Some(TypeId(a_mode)));
        assert_eq!(copies[a_mode], None);
        assert_eq!(gates[a_mode], any(&["alpha", "beta"]));
        assert_eq!(gates[b_mode], any(&["beta"]));
        assert_eq!(
            gates[a_mode].attr().to_string(),
            quote! { #[cfg(any(feature = "alpha", feature = "beta"))] }.to_string()
        );
    }

    #[test]
    fn serde_impls_as_needed_follow_what_is_sent_and_received() {
        let (api, config) = lowered();
        let copies = duplicates(&api);
        let (ser, de) = serde_needs(&api, &config, &copies);
        assert!(
            ser.iter().chain(&de).all(|b| *b),
            "both directions by default"
        );

        let config = Config {
            serde: SerdeImpls::AsNeeded,
            ..config
        };
        let (ser, de) = serde_needs(&api, &config, &copies);
        let needs = |p: &str| (ser[id(&api, p)], de[id(&api, p)]);
        assert_eq!(needs("#/components/schemas/Input"), (true, false));
        assert_eq!(needs("#/components/schemas/A"), (false, true));
        assert_eq!(needs("#/components/schemas/Shared"), (true, true));
        assert_eq!(needs("#/components/schemas/Orphan"), (false, false));
    }

    #[test]
    fn cargo_features_list_every_resource_under_full() {
        let (api, config) = lowered();
        let text = cargo_features(&api, &config);
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
        let lowered = crate::lower_spec(&path, None, &mut crate::Timings::default());
        let _ = std::fs::remove_dir_all(&dir);
        let (api, config) = lowered.unwrap();
        assert_eq!(resource_features(&api), ["alpha", "alpha_items"]);
        assert_eq!(api.resources[1].chain, ["alpha", "items"]);
        let text = cargo_features(&api, &config);
        assert!(text.contains("\nalpha_items = [\"alpha\"]\n"), "{text}");
        assert!(text.contains("\nalpha = [\"_any_resource\"]\n"), "{text}");
        // The items' response type comes with the sub-resource's feature alone.
        let gates = type_gates(&api, &config, &duplicates(&api));
        let item = api
            .types
            .iter()
            .position(|t| t.name == "ItemListResponse")
            .expect("the list response type");
        assert_eq!(gates[item], any(&["alpha_items"]));
    }
}
