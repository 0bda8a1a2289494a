//! Paths and operations to resources, parameters, bodies and responses.

use std::any::Any;
use std::collections::HashMap;
use std::rc::Rc;

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Lowerer;
use super::names::{self, NameSet};
use super::refs::{self, SchemaRef};
use super::shape;
use crate::config::Config;
use crate::config::path_key;
use crate::error::{Error, ErrorKind};
use crate::ir::{
    ApiInfo, Auth, BodyEncoding, Doc, ErrorResponse, HttpMethod, Operation, Param, ParamLocation,
    ParamsStruct, PathPart, QueryStyle, RequestBody, Resource, ResponseBody, Status,
    SuccessResponse, TypeId, TypeKind, TypeRef, Webhook,
};
use crate::pointer::JsonPointer;

/// Methods reserved on `Client` itself, which a resource accessor must not shadow.
const CLIENT_METHODS: &[&str] = &[
    "builder",
    "from_env",
    "clone",
    "fmt",
    "new",
    "base_url",
    "with_options",
];

/// Argument names the emitted methods use besides path parameters.
const ARGUMENT_NAMES: &[&str] = &["body", "params", "self_", "request", "path"];

/// The methods of a path item in the order its operations are lowered.
const METHOD_ORDER: [HttpMethod; 8] = [
    HttpMethod::Get,
    HttpMethod::Post,
    HttpMethod::Put,
    HttpMethod::Patch,
    HttpMethod::Delete,
    HttpMethod::Head,
    HttpMethod::Options,
    HttpMethod::Trace,
];

/// The operation of `item` for `method`, if it has one.
fn operation_of(item: &openapiv3::PathItem, method: HttpMethod) -> Option<&openapiv3::Operation> {
    match method {
        HttpMethod::Get => item.get.as_ref(),
        HttpMethod::Post => item.post.as_ref(),
        HttpMethod::Put => item.put.as_ref(),
        HttpMethod::Patch => item.patch.as_ref(),
        HttpMethod::Delete => item.delete.as_ref(),
        HttpMethod::Head => item.head.as_ref(),
        HttpMethod::Options => item.options.as_ref(),
        HttpMethod::Trace => item.trace.as_ref(),
    }
}

fn methods(item: &openapiv3::PathItem) -> [(HttpMethod, Option<&openapiv3::Operation>); 8] {
    METHOD_ORDER.map(|m| (m, operation_of(item, m)))
}

/// A component used where it is written, or the shared target of a reference.
enum Resolved<'r, T> {
    Borrowed(&'r T),
    Shared(Rc<T>),
}

impl<T> std::ops::Deref for Resolved<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Resolved::Borrowed(t) => t,
            Resolved::Shared(t) => t,
        }
    }
}

/// One operation of the spec, before it is named.
struct Found {
    /// Index of its path item.
    item: usize,
    path: String,
    method: HttpMethod,
    pointer: JsonPointer,
    /// What naming reads of it.
    head: Head,
}

/// What naming reads of an operation, before its path item is parsed whole.
struct Head {
    operation_id: Option<String>,
    first_tag: Option<String>,
    /// `x-resource-name`.
    resource_name: Option<String>,
    /// `x-method-name`.
    method_name: Option<String>,
}

impl Head {
    fn of(op: &openapiv3::Operation) -> Head {
        let extension = |key: &str| op.extensions.get(key).and_then(Value::as_str);
        Head {
            operation_id: op.operation_id.clone(),
            first_tag: op.tags.first().cloned(),
            resource_name: extension("x-resource-name").map(str::to_string),
            method_name: extension("x-method-name").map(str::to_string),
        }
    }

    /// The same read from an operation as written. Anything that would not parse is
    /// left out here; the operation is parsed whole, with a located error, before it is
    /// lowered.
    fn of_raw(op: &Value) -> Head {
        let text = |key: &str| op.get(key).and_then(Value::as_str).map(str::to_string);
        Head {
            operation_id: text("operationId"),
            first_tag: op
                .get("tags")
                .and_then(Value::as_array)
                .and_then(|tags| tags.first())
                .and_then(Value::as_str)
                .map(str::to_string),
            resource_name: text("x-resource-name"),
            method_name: text("x-method-name"),
        }
    }
}

/// Path items (or schemas) parsed ahead of the one being lowered, at most: enough to
/// keep the parsing thread busy, few enough to keep their memory small.
pub(super) const PARSED_AHEAD: usize = 4;

/// A path item as the operations pass meets it.
enum Source<'a> {
    /// Written in place: parsed when its operations are lowered, then dropped.
    Inline(&'a Value),
    /// A `$ref` to a shared path item, parsed once.
    Shared(Rc<openapiv3::PathItem>),
}

impl Source<'_> {
    /// Its operations in [`methods`] order, with what naming reads of each.
    fn heads(&self) -> Vec<(HttpMethod, Head)> {
        match self {
            Source::Shared(item) => methods(item)
                .into_iter()
                .filter_map(|(method, op)| Some((method, Head::of(op?))))
                .collect(),
            Source::Inline(node) => methods_raw(node)
                .into_iter()
                .filter_map(|(method, op)| Some((method, Head::of_raw(op?))))
                .collect(),
        }
    }

    /// Whether it has a `put` and a `patch` operation.
    fn siblings(&self) -> shape::Siblings {
        match self {
            Source::Shared(item) => shape::Siblings {
                put: item.put.is_some(),
                patch: item.patch.is_some(),
            },
            Source::Inline(node) => {
                let has = |m: &str| node.get(m).is_some_and(|op| !op.is_null());
                shape::Siblings {
                    put: has("put"),
                    patch: has("patch"),
                }
            }
        }
    }
}

/// [`methods`] of a path item as written (`null` is no operation, as when parsed).
fn methods_raw(item: &Value) -> [(HttpMethod, Option<&Value>); 8] {
    METHOD_ORDER.map(|m| {
        let op = item
            .get(m.as_str().to_ascii_lowercase())
            .filter(|op| !op.is_null());
        (m, op)
    })
}

/// A resource being assembled: a node of the client's resource tree.
struct Group {
    /// The name it was asked for (snake case), to find it again.
    key: String,
    /// Accessor on the client, or on the parent's handle.
    accessor: String,
    parent: Option<usize>,
    doc: Option<String>,
    /// Singular upper camel case, the prefix of its operations' type names.
    singular: String,
    /// Method names and sub-resource accessors on its handle.
    names: NameSet,
    operations: Vec<Operation>,
}

/// The resource tree: groups in creation order, each knowing its parent.
#[derive(Default)]
struct Tree {
    groups: Vec<Group>,
    /// Accessors on the client.
    roots: NameSet,
}

impl Tree {
    /// The group `name` below `parent` (a top-level one for `None`), created if new.
    fn group(
        &mut self,
        parent: Option<usize>,
        name: &str,
        docs: &HashMap<String, Option<String>>,
    ) -> usize {
        let key = names::snake(name, "resource");
        if let Some(i) = self
            .groups
            .iter()
            .position(|g| g.parent == parent && g.key == key)
        {
            return i;
        }
        let accessor = match parent {
            Some(p) => self.groups[p].names.claim(&key),
            None => self.roots.claim(&key),
        };
        let mut names = NameSet::snake();
        names.reserve(["new", "with_options", "clone", "fmt"]);
        self.groups.push(Group {
            doc: if parent.is_none() {
                docs.get(&key).cloned().flatten()
            } else {
                None
            },
            singular: shape::singular_camel(name),
            key,
            accessor,
            parent,
            names,
            operations: Vec::new(),
        });
        self.groups.len() - 1
    }

    /// Claims a method name on a group's handle, and its `_with_response` twin.
    fn claim_method(&mut self, group: usize, wanted: &str) -> String {
        let names = &mut self.groups[group].names;
        let mut name = names.claim(wanted);
        while names.contains(&format!("{}_with_response", name.trim_end_matches('_'))) {
            name = names.claim(wanted);
        }
        names.reserve([format!("{}_with_response", name.trim_end_matches('_')).as_str()]);
        name
    }

    /// The resources, each parent before its children: top-level ones in `order`
    /// (then as created), sub-resources as created. Empty leaves are dropped.
    fn into_resources(self, order: &[String]) -> Vec<Resource> {
        let n = self.groups.len();
        // A group is kept when it or a descendant has operations.
        let mut keep = vec![false; n];
        for i in (0..n).rev() {
            if !self.groups[i].operations.is_empty() {
                let mut at = Some(i);
                while let Some(j) = at {
                    keep[j] = true;
                    at = self.groups[j].parent;
                }
            }
        }
        let mut roots: Vec<usize> = (0..n)
            .filter(|&i| keep[i] && self.groups[i].parent.is_none())
            .collect();
        roots.sort_by_key(|&i| {
            order
                .iter()
                .position(|k| *k == self.groups[i].key)
                .unwrap_or(usize::MAX)
        });
        let mut sequence = Vec::with_capacity(n);
        fn visit(tree: &Tree, keep: &[bool], i: usize, out: &mut Vec<usize>) {
            out.push(i);
            for (j, g) in tree.groups.iter().enumerate() {
                if keep[j] && g.parent == Some(i) {
                    visit(tree, keep, j, out);
                }
            }
        }
        for r in roots {
            visit(&self, &keep, r, &mut sequence);
        }
        let mut new_index = vec![usize::MAX; n];
        for (k, &i) in sequence.iter().enumerate() {
            new_index[i] = k;
        }
        let mut type_names = NameSet::camel();
        // A handle named like an item its file imports would clash with it.
        type_names.reserve(names::RESOURCE_FILE_ITEMS.iter().copied());
        let mut modules = NameSet::snake();
        let mut slots: Vec<Option<Group>> = self.groups.into_iter().map(Some).collect();
        let mut out: Vec<Resource> = Vec::with_capacity(sequence.len());
        for i in sequence {
            let Some(g) = slots[i].take() else { continue };
            let parent = g.parent.map(|p| new_index[p]);
            let (type_name, module, chain) = match parent.and_then(|p| out.get(p)) {
                Some(p) => {
                    let mut chain = p.chain.clone();
                    chain.push(g.accessor.clone());
                    (
                        format!(
                            "{}{}",
                            shape::singular_camel(&p.accessor),
                            names::type_name(&g.accessor)
                        ),
                        format!("{}_{}", p.module, g.accessor),
                        chain,
                    )
                }
                None => (
                    names::type_name(&g.accessor),
                    g.accessor.clone(),
                    vec![g.accessor.clone()],
                ),
            };
            out.push(Resource {
                type_name: type_names.claim(&type_name),
                module: modules.claim(&module),
                accessor: g.accessor,
                parent,
                chain,
                doc: g.doc,
                operations: g.operations,
            });
        }
        out
    }
}

impl<'a> Lowerer<'a> {
    /// Resolves a local reference to a component of type `T`. Each target is
    /// deserialized once per type; later references share it.
    fn resolve_as<T: DeserializeOwned + 'static>(
        &self,
        reference: &str,
        pointer: &JsonPointer,
    ) -> Result<Rc<T>, Error> {
        let key = (std::any::TypeId::of::<T>(), reference.to_string());
        if let Some(done) = self.resolved.borrow().get(&key)
            && let Ok(done) = Rc::clone(done).downcast::<T>()
        {
            return Ok(done);
        }
        // Follows a chain of references (a loop, not recursion), refusing a cycle.
        let mut seen: Vec<JsonPointer> = Vec::new();
        let mut reference = reference;
        let node = loop {
            let canonical = JsonPointer::parse(reference);
            let node = canonical
                .as_ref()
                .and_then(|c| c.resolve(self.doc))
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::DanglingRef,
                        self.file,
                        format!("`{reference}` does not point at anything in this document"),
                    )
                    .at(pointer)
                })?;
            let Some(next) = node.get("$ref").and_then(Value::as_str) else {
                break node;
            };
            seen.extend(canonical);
            if JsonPointer::parse(next).is_some_and(|n| seen.contains(&n)) {
                let message = if seen.len() == 1 {
                    format!("`{reference}` refers to itself")
                } else {
                    format!(
                        "`{next}` is part of a reference cycle: {}",
                        seen.iter()
                            .map(JsonPointer::as_str)
                            .collect::<Vec<_>>()
                            .join(" -> ")
                    )
                };
                return Err(Error::new(ErrorKind::RefCycle, self.file, message).at(pointer));
            }
            reference = next;
        };
        let value = Rc::new(T::deserialize(node).map_err(|e| {
            Error::new(ErrorKind::Invalid, self.file, e.to_string())
                .at(refs::canonical(reference).unwrap_or_default())
        })?);
        self.resolved
            .borrow_mut()
            .insert(key, Rc::clone(&value) as Rc<dyn Any>);
        Ok(value)
    }

    /// The item itself, or what its reference points at.
    fn deref<'r, T: DeserializeOwned + 'static>(
        &self,
        r: &'r ReferenceOr<T>,
        pointer: &JsonPointer,
    ) -> Result<Resolved<'r, T>, Error> {
        match r {
            ReferenceOr::Reference { reference } => {
                self.resolve_as(reference, pointer).map(Resolved::Shared)
            }
            ReferenceOr::Item(t) => Ok(Resolved::Borrowed(t)),
        }
    }

    pub(super) fn lower_operations(&mut self, config: &Config) -> Result<Vec<Resource>, Error> {
        let mut tree = Tree::default();
        tree.roots.reserve(CLIENT_METHODS.iter().copied());
        let tag_docs: HashMap<&str, &openapiv3::Tag> = self
            .spec
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        let tag_resource = |tag: &str| -> String {
            tag_docs
                .get(tag)
                .and_then(|t| t.extensions.get("x-resource-name"))
                .and_then(Value::as_str)
                .unwrap_or(tag)
                .to_string()
        };
        // Top-level resources: the config's first, then declared tags, then as met.
        let mut order: Vec<String> = Vec::new();
        for entry in &config.naming {
            if let Some(root) = entry.resources.first()
                && !order.contains(root)
            {
                order.push(root.clone());
            }
        }
        for t in &self.spec.tags {
            order.push(names::snake(&tag_resource(&t.name), "resource"));
        }
        let docs_by_name: HashMap<String, Option<String>> = self
            .spec
            .tags
            .iter()
            .map(|t| {
                (
                    names::snake(&tag_resource(&t.name), "resource"),
                    t.description.clone(),
                )
            })
            .collect();

        // Keys the parser drops (it keeps only keys starting with `/`) or that hold
        // more than a path are reported; control characters cannot be sent at all.
        let keys: Vec<&String> = match self.doc.get("paths").and_then(Value::as_object) {
            Some(paths) => paths.keys().filter(|k| !k.starts_with("x-")).collect(),
            None => Vec::new(),
        };
        for path in keys {
            let pointer = JsonPointer::at(&["paths", path]);
            if path.contains(char::is_control) {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    self.file,
                    format!("path `{}` holds control characters", path.escape_debug()),
                )
                .at(pointer));
            }
            if !path.starts_with('/') {
                self.note(
                    &pointer,
                    format!("`{path}` is not a path (no leading `/`); it is skipped"),
                );
            } else if path.contains(['?', '#']) {
                self.note(
                    &pointer,
                    format!(
                        "path `{path}` holds `?` or `#`: the URL is built with that part as written"
                    ),
                );
            }
        }

        // Every operation, in spec order. Path items are read from the document: what
        // naming needs first, the whole item only when its operations are lowered.
        let paths: Vec<(&String, &Value)> = self
            .doc
            .get("paths")
            .and_then(Value::as_object)
            .map(|m| m.iter().filter(|(k, _)| k.starts_with('/')).collect())
            .unwrap_or_default();
        let mut items: Vec<(&String, JsonPointer, Source<'_>)> = Vec::with_capacity(paths.len());
        let mut found: Vec<Found> = Vec::new();
        for (path, node) in paths {
            let item_ptr = JsonPointer::at(&["paths", path]);
            let source = match node.get("$ref").and_then(Value::as_str) {
                Some(reference) => Source::Shared(self.resolve_as(reference, &item_ptr)?),
                None => Source::Inline(node),
            };
            for (method, head) in source.heads() {
                found.push(Found {
                    item: items.len(),
                    path: path.clone(),
                    method,
                    pointer: item_ptr.join(method.as_str().to_ascii_lowercase()),
                    head,
                });
            }
            items.push((path, item_ptr, source));
        }
        // Paths that have items (`/accounts/{}/people` when `/accounts/{}/people/{}`
        // exists): collections, whatever their spelling.
        let mut prefixes: HashMap<String, shape::Below> = HashMap::new();
        for (path, ..) in &items {
            let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
            for k in 1..segments.len() {
                let below = prefixes
                    .entry(path_key(&format!("/{}", segments[..k].join("/"))))
                    .or_default();
                below.paths = true;
                below.items |= segments[k].starts_with('{');
            }
        }
        let below = |prefix: &str| prefixes.get(&path_key(prefix)).copied().unwrap_or_default();

        // Names the config gives, in config order, first: they win over derived ones.
        let mut placed: Vec<Option<(usize, String)>> = vec![None; found.len()];
        let mut missing = Vec::new();
        for entry in &config.naming {
            let at = found.iter().position(|f| {
                f.method.as_str().eq_ignore_ascii_case(&entry.http_method)
                    && path_key(&f.path) == entry.path_key
            });
            let Some(at) = at else {
                missing.push(format!("`{}`", entry.config_key));
                continue;
            };
            let mut group = None;
            for r in &entry.resources {
                group = Some(tree.group(group, r, &docs_by_name));
            }
            let Some(g) = group else { continue };
            let name = tree.claim_method(g, &names::snake(&entry.method, "call"));
            placed[at] = Some((g, name));
        }

        if !missing.is_empty() {
            self.note(
                &JsonPointer::at(&["paths"]),
                format!(
                    "the config's `resources` name {} operation(s) this spec does not have: {}",
                    missing.len(),
                    missing.join(", ")
                ),
            );
        }

        // The rest: tags (or the path) and the REST shape.
        let mut seen_ids: HashMap<String, usize> = HashMap::new();
        let mut ids = Vec::with_capacity(found.len());
        for (i, f) in found.iter().enumerate() {
            let op = &f.head;
            let operation_id = match &op.operation_id {
                Some(id) => {
                    let n = seen_ids.entry(id.clone()).or_insert(0);
                    *n += 1;
                    if *n > 1 {
                        self.note(
                            &f.pointer,
                            format!("duplicate operationId `{id}`; the method gets another name"),
                        );
                    }
                    id.clone()
                }
                None => shape::derive_operation_id(f.method, &f.path),
            };
            ids.push(operation_id.clone());
            if placed[i].is_some() {
                continue;
            }
            let key = match &op.resource_name {
                Some(r) => r.clone(),
                None => match &op.first_tag {
                    Some(tag) => tag_resource(tag),
                    None => shape::group_from_path(&f.path),
                },
            };
            let siblings = items[f.item].2.siblings();
            let shape = shape::rest_shape(&f.path, &key, f.method, siblings, &below);
            let mut g = tree.group(None, &key, &docs_by_name);
            let mut chain = vec![key.clone()];
            for sub in shape.iter().flat_map(|s| &s.subresources) {
                g = tree.group(Some(g), sub, &docs_by_name);
                chain.push(sub.clone());
            }
            let fallback = match &shape {
                Some(s) => {
                    let machine_made = op.operation_id.is_none()
                        || shape::is_machine_made(&operation_id, f.method, &f.path);
                    let words: Vec<&str> = chain.iter().map(String::as_str).collect();
                    shape::action_name(
                        &operation_id,
                        machine_made,
                        f.method,
                        s.action.as_deref(),
                        &words,
                    )
                }
                None => shape::method_name(&operation_id, &key),
            };
            // The REST name, else the short name, else the whole operationId (before a
            // numeric suffix).
            let taken = |n: &str| tree.groups[g].names.contains(n);
            let wanted = match op.method_name.as_deref() {
                Some(m) => names::snake(m, "call"),
                None => match shape.as_ref().and_then(|s| s.method) {
                    Some(m) if !taken(m) => m.to_string(),
                    _ if !taken(&fallback) => fallback,
                    _ => names::snake(&operation_id, "call"),
                },
            };
            let name = tree.claim_method(g, &wanted);
            placed[i] = Some((g, name));
        }

        // Lower every operation in spec order (inline types are named in that order),
        // one path item at a time, each dropped before the next. Parsing a path item
        // needs nothing lowering makes, so a thread parses them a few ahead.
        let (doc, file) = (self.doc, self.file);
        // What the parsing thread reads: each item's index, and its pointer when it is
        // written in place.
        let inline: Vec<(usize, Option<&JsonPointer>)> = items
            .iter()
            .enumerate()
            .map(|(i, (_, item_ptr, source))| {
                (i, matches!(source, Source::Inline(_)).then_some(item_ptr))
            })
            .collect();
        let mut next = found.iter().zip(placed).zip(ids).peekable();
        crate::par::ahead(
            &inline,
            PARSED_AHEAD,
            |(_, item_ptr)| item_ptr.map(|p| crate::parse::path_item(doc, p, file)),
            |&(index, _), parsed| {
                let (_, item_ptr, source) = &items[index];
                let item = match (source, parsed) {
                    (Source::Shared(item), _) => Rc::clone(item),
                    (Source::Inline(_), parsed) => {
                        let parsed =
                            parsed.unwrap_or_else(|| crate::parse::path_item(doc, item_ptr, file));
                        let item = Rc::new(parsed?);
                        for (method, op) in item.iter() {
                            self.operation_security
                                .push((item_ptr.join(method), op.security.clone()));
                        }
                        item
                    }
                };
                while let Some(((f, place), operation_id)) =
                    next.next_if(|((f, _), _)| f.item == index)
                {
                    let Some((g, name)) = place else { continue };
                    // Read as present from the document; parsed, `null` is the only way
                    // to lose it, and that was not listed.
                    let Some(op) = operation_of(&item, f.method) else {
                        return Err(Error::new(
                            ErrorKind::Invalid,
                            self.file,
                            "the operation is not there once its path item is parsed",
                        )
                        .at(&f.pointer));
                    };
                    let singular = tree.groups[g].singular.clone();
                    let operation = self.operation(
                        &item,
                        op,
                        f.method,
                        &f.path,
                        &f.pointer,
                        name,
                        operation_id,
                        &singular,
                    )?;
                    tree.groups[g].operations.push(operation);
                }
                Ok(())
            },
        )?;
        Ok(tree.into_resources(&order))
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        item: &openapiv3::PathItem,
        op: &openapiv3::Operation,
        method: HttpMethod,
        path: &str,
        pointer: &JsonPointer,
        name: String,
        operation_id: String,
        singular: &str,
    ) -> Result<Operation, Error> {
        let method_camel = names::camel(&name, "Call", "V");
        let type_prefix = format!("{singular}{method_camel}");

        // Path-item parameters apply unless the operation redefines them.
        let mut params: Vec<(Resolved<'_, Parameter>, JsonPointer)> = Vec::new();
        if !item.parameters.is_empty() {
            let item_params = pointer.parent().with("parameters");
            for (i, p) in item.parameters.iter().enumerate() {
                let ptr = item_params.join(i);
                params.push((self.deref(p, &ptr)?, ptr));
            }
        }
        for (i, p) in op.parameters.iter().enumerate() {
            let ptr = pointer.join("parameters").with(i);
            let p = self.deref(p, &ptr)?;
            let data = p.parameter_data_ref();
            let same = |q: &Parameter| {
                q.parameter_data_ref().name == data.name
                    && std::mem::discriminant(q) == std::mem::discriminant(&*p)
            };
            if let Some(existing) = params.iter_mut().find(|(q, _)| same(q)) {
                *existing = (p, ptr);
            } else {
                params.push((p, ptr));
            }
        }

        let mut arg_names = NameSet::snake();
        arg_names.reserve(ARGUMENT_NAMES.iter().copied());
        let mut path_params = Vec::new();
        let mut other_params = Vec::new();
        let mut field_names = NameSet::snake();
        for (p, ptr) in &params {
            let (location, style) = match &**p {
                Parameter::Path { .. } => {
                    (ParamLocation::Path, QueryStyle::Form { explode: false })
                }
                Parameter::Query {
                    style,
                    parameter_data,
                    ..
                } => (
                    ParamLocation::Query,
                    match style {
                        openapiv3::QueryStyle::Form => QueryStyle::Form {
                            explode: parameter_data.explode.unwrap_or(true),
                        },
                        // Exploded, both are written as exploded `form` (`ids=1&ids=2`).
                        openapiv3::QueryStyle::SpaceDelimited
                        | openapiv3::QueryStyle::PipeDelimited
                            if parameter_data.explode == Some(true) =>
                        {
                            QueryStyle::Form { explode: true }
                        }
                        openapiv3::QueryStyle::SpaceDelimited => QueryStyle::SpaceDelimited,
                        openapiv3::QueryStyle::PipeDelimited => QueryStyle::PipeDelimited,
                        openapiv3::QueryStyle::DeepObject => QueryStyle::DeepObject,
                    },
                ),
                // `simple` style: `explode` changes only how objects are written.
                Parameter::Header { parameter_data, .. } => (
                    ParamLocation::Header,
                    QueryStyle::Form {
                        explode: parameter_data.explode.unwrap_or(false),
                    },
                ),
                Parameter::Cookie { parameter_data, .. } => (
                    ParamLocation::Cookie,
                    QueryStyle::Form {
                        explode: parameter_data.explode.unwrap_or(true),
                    },
                ),
            };
            let data = p.parameter_data_ref();
            let hint = format!("{type_prefix}{}", names::camel(&data.name, "Param", "V"));
            let ty = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    self.schema(SchemaRef::from(s), &hint, &ptr.join("schema"))?
                        .ty
                }
                ParameterSchemaOrContent::Content(content) => {
                    self.note(ptr, "parameter with `content` is sent as a JSON string");
                    match content.values().next().and_then(|m| m.schema.as_ref()) {
                        Some(s) => {
                            self.schema(SchemaRef::from(s), &hint, &ptr.join("content"))?
                                .ty
                        }
                        None => TypeRef::Any,
                    }
                }
            };
            let example = data.example.clone().or_else(|| {
                data.examples.values().find_map(|e| match e {
                    ReferenceOr::Item(e) => e.value.clone(),
                    ReferenceOr::Reference { .. } => None,
                })
            });
            let param = Param {
                wire_name: data.name.clone(),
                name: String::new(),
                location,
                required: data.required || location == ParamLocation::Path,
                ty,
                style,
                doc: data.description.clone(),
                example,
                constraints: super::constraints::at(self.doc, &ptr.join("schema")),
            };
            if location == ParamLocation::Path {
                path_params.push(Param {
                    name: arg_names.claim(&names::snake(&data.name, "id")),
                    ..param
                });
            } else {
                other_params.push(Param {
                    name: field_names.claim(&names::snake(&data.name, "param")),
                    ..param
                });
            }
        }

        let path_parts = self.path_parts(path, &mut path_params, pointer)?;

        let body = match &op.request_body {
            Some(b) => {
                let b = self.deref(b, &pointer.join("requestBody"))?;
                self.request_body(
                    &b,
                    &format!("{type_prefix}Params"),
                    &pointer.join("requestBody"),
                )?
            }
            None => None,
        };

        let mut body = body;
        let wanted_params = format!("{type_prefix}Params");
        let struct_body = body
            .as_ref()
            .filter(|b| matches!(b.encoding, BodyEncoding::Json | BodyEncoding::Form))
            .and_then(|b| self.struct_behind(&b.ty));
        if let (Some(b), Some(fields)) = (&mut body, &struct_body) {
            if other_params.is_empty() {
                // The body alone is the params struct: give it the operation's name.
                if let TypeRef::Named(id) = b.ty
                    && self.types[id.0].name != wanted_params
                    && !self.type_names.contains(&names::type_name(&wanted_params))
                {
                    let alias = self.declare(&wanted_params, pointer);
                    self.types[alias.0].doc = Some(format!(
                        "Parameters of [`{operation_id}`](crate::resources): the request body."
                    ));
                    self.types[alias.0].kind = TypeKind::Alias(TypeRef::Named(id));
                    b.ty = TypeRef::Named(alias);
                }
            } else if let Some(merged) = self.merged_params(
                &wanted_params,
                &other_params,
                fields,
                &b.ty.clone(),
                pointer,
                &operation_id,
            ) {
                // Query (and header) parameters and body members in one struct.
                b.ty = TypeRef::Named(merged.0);
                b.elsewhere = merged.1;
                other_params.clear();
            } else {
                self.note(
                    pointer,
                    "a query or header parameter shares its name with a body member; the parameters are a separate argument",
                );
            }
        }

        let params = if other_params.is_empty() {
            None
        } else {
            let wanted = if self.type_names.contains(&format!("{type_prefix}Params")) {
                format!("{type_prefix}Query")
            } else {
                format!("{type_prefix}Params")
            };
            let id = self.declare(&wanted, pointer);
            let all_optional = other_params.iter().all(|p| !p.required);
            self.types[id.0].doc = Some(format!(
                "Parameters of [`{}`](crate::resources).",
                operation_id
            ));
            self.types[id.0].kind = TypeKind::Params(other_params);
            Some(ParamsStruct {
                ty: id,
                all_optional,
            })
        };

        let (response, errors) = self.responses(op, &type_prefix, pointer)?;

        Ok(Operation {
            name,
            operation_id,
            method,
            path: path.to_string(),
            path_parts,
            path_params,
            params,
            body,
            response,
            errors,
            doc: Doc {
                summary: op.summary.clone(),
                description: op.description.clone(),
            },
            deprecated: op.deprecated,
            pointer: pointer.clone(),
            pagination: None,
            auth: None,
        })
    }

    /// The struct a body type is (through aliases): its members, for merging with the
    /// operation's parameters.
    fn struct_behind(&self, ty: &TypeRef) -> Option<crate::ir::Struct> {
        let mut ty = ty;
        for _ in 0..self.types.len() + 1 {
            let TypeRef::Named(id) = ty else { return None };
            match &self.types[id.0].kind {
                TypeKind::Struct(s) => return Some(s.clone()),
                TypeKind::Alias(next) => ty = next,
                _ => return None,
            }
        }
        None
    }

    /// One struct with the query/header parameters first, then the body's members;
    /// `None` when a parameter and a member share a wire name (one JSON key could not
    /// hold both).
    fn merged_params(
        &mut self,
        wanted: &str,
        params: &[Param],
        body: &crate::ir::Struct,
        reuse: &TypeRef,
        pointer: &JsonPointer,
        operation_id: &str,
    ) -> Option<(TypeId, Vec<Param>)> {
        if params
            .iter()
            .any(|p| body.fields.iter().any(|f| f.wire_name == p.wire_name))
        {
            return None;
        }
        let mut taken = NameSet::snake();
        taken.reserve(body.fields.iter().map(|f| f.name.as_str()));
        let elsewhere: Vec<Param> = params
            .iter()
            .map(|p| Param {
                name: taken.claim(&p.name),
                ..p.clone()
            })
            .collect();
        let mut fields: Vec<crate::ir::Field> = elsewhere
            .iter()
            .map(|p| crate::ir::Field {
                wire_name: p.wire_name.clone(),
                name: p.name.clone(),
                ty: p.ty.clone(),
                presence: if p.required {
                    crate::ir::Presence::Required
                } else {
                    crate::ir::Presence::Optional
                },
                boxed: false,
                doc: Some(
                    [
                        p.doc.clone().unwrap_or_default(),
                        format!(
                            "Sent as the `{}` {}, not in the body.",
                            p.wire_name,
                            if p.location == ParamLocation::Header {
                                "header"
                            } else {
                                "query parameter"
                            }
                        ),
                    ]
                    .join("\n\n")
                    .trim()
                    .to_string(),
                ),
                deprecated: false,
                constraints: p.constraints.clone(),
            })
            .collect();
        fields.extend(body.fields.iter().cloned());
        // An inline body already named for the operation becomes the merged struct.
        let id = match reuse {
            TypeRef::Named(id)
                if self.types[id.0].name == names::type_name(wanted)
                    && self.types[id.0].pointer.starts_with(pointer.as_str()) =>
            {
                *id
            }
            _ => self.declare(wanted, pointer),
        };
        self.types[id.0].doc = Some(format!(
            "Parameters of [`{operation_id}`](crate::resources): query parameters and body members."
        ));
        self.types[id.0].kind = TypeKind::Struct(crate::ir::Struct {
            fields,
            additional: body.additional.clone(),
        });
        Some((id, elsewhere))
    }

    /// Splits `/a/{id}/b` into literals and parameter slots; every `{name}` must be a
    /// declared path parameter, and every path parameter must appear.
    fn path_parts(
        &mut self,
        path: &str,
        params: &mut Vec<Param>,
        pointer: &JsonPointer,
    ) -> Result<Vec<PathPart>, Error> {
        let mut parts = Vec::new();
        let mut rest = path;
        let mut ordered: Vec<Param> = Vec::new();
        while let Some(start) = rest.find('{') {
            let Some(len) = rest[start..].find('}') else {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    self.file,
                    format!("unclosed `{{` in path `{path}`"),
                )
                .at(pointer));
            };
            if start > 0 {
                parts.push(PathPart::Literal(rest[..start].to_string()));
            }
            let name = &rest[start + 1..start + len];
            let index = match params.iter().position(|p| p.wire_name == name) {
                Some(i) => {
                    ordered.push(params.remove(i));
                    ordered.len() - 1
                }
                None => match ordered.iter().position(|p| p.wire_name == name) {
                    Some(i) => i,
                    None => {
                        self.note(pointer, format!("path parameter `{name}` is not declared; taken as a string argument"));
                        let mut taken = NameSet::snake();
                        taken.reserve(ARGUMENT_NAMES.iter().copied());
                        taken.reserve(ordered.iter().map(|p| p.name.as_str()));
                        ordered.push(Param {
                            wire_name: name.to_string(),
                            name: taken.claim(&names::snake(name, "id")),
                            location: ParamLocation::Path,
                            required: true,
                            ty: TypeRef::Primitive(crate::ir::Primitive::String),
                            style: QueryStyle::Form { explode: false },
                            doc: None,
                            example: None,
                            constraints: None,
                        });
                        ordered.len() - 1
                    }
                },
            };
            parts.push(PathPart::Param(index));
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            parts.push(PathPart::Literal(rest.to_string()));
        }
        for p in params.drain(..) {
            self.note(
                pointer,
                format!(
                    "path parameter `{}` does not appear in the path; it is not sent",
                    p.wire_name
                ),
            );
        }
        *params = ordered;
        Ok(parts)
    }

    fn request_body(
        &mut self,
        b: &openapiv3::RequestBody,
        hint: &str,
        pointer: &JsonPointer,
    ) -> Result<Option<RequestBody>, Error> {
        let Some((content_type, media)) = pick_content(&b.content) else {
            self.note(pointer, "request body without content is not sent");
            return Ok(None);
        };
        let media_ptr = pointer.join("content").with(content_type);
        if b.content.len() > 1 {
            self.note(
                pointer,
                format!("several request content types; `{content_type}` is used"),
            );
        }
        let mut encoding = encoding_of(content_type);
        let mut content_type = content_type;
        // A wildcard media type (`*/*`, `application/*`) with a JSON-shaped schema is a
        // JSON document the server accepts under any name: send it as JSON.
        if is_wildcard(content_type)
            && let Some(schema) = &media.schema
            && is_json_shaped(&*self.deref(schema, &media_ptr.join("schema"))?)
        {
            encoding = BodyEncoding::Json;
            content_type = "application/json";
        }
        let ty = match (&encoding, &media.schema) {
            (BodyEncoding::Json | BodyEncoding::Form | BodyEncoding::Multipart, Some(s)) => {
                let lowered = self.schema(SchemaRef::from(s), hint, &media_ptr.join("schema"))?;
                lowered.ty
            }
            (BodyEncoding::Json, None) => TypeRef::Any,
            _ => TypeRef::Primitive(crate::ir::Primitive::String),
        };
        let field_styles = if encoding == BodyEncoding::Form {
            form_field_styles(media)
        } else {
            Vec::new()
        };
        let part_types = if encoding == BodyEncoding::Multipart {
            media
                .encoding
                .iter()
                .filter_map(|(name, e)| Some((name.clone(), e.content_type.clone()?)))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(RequestBody {
            encoding,
            content_type: content_type.to_string(),
            ty,
            required: b.required,
            doc: b.description.clone(),
            example: example_of(media),
            field_styles,
            part_types,
            elsewhere: Vec::new(),
        }))
    }

    fn responses(
        &mut self,
        op: &openapiv3::Operation,
        type_prefix: &str,
        pointer: &JsonPointer,
    ) -> Result<(SuccessResponse, Vec<ErrorResponse>), Error> {
        let mut success: Option<SuccessResponse> = None;
        let mut errors = Vec::new();
        let rptr = pointer.join("responses");
        let mut entries: Vec<(Status, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(code, r)| match code {
                StatusCode::Code(c) => (Status::Code(*c), r),
                StatusCode::Range(r0) => (Status::Range(*r0), r),
            })
            .collect();
        if let Some(d) = &op.responses.default {
            entries.push((Status::Default, d));
        }
        for (status, r) in entries {
            let label = status.to_string();
            let code = status.lowest();
            let ptr = rptr.join(&label);
            let r = self.deref(r, &ptr)?;
            let is_success = code.is_some_and(|c| (200..300).contains(&c));
            if is_success {
                if let Some(existing) = &success {
                    if existing.body == ResponseBody::Empty && !r.content.is_empty() {
                        // Prefer a success response that has a body.
                    } else {
                        continue;
                    }
                }
                let (body, accept, example) = match pick_content(&r.content) {
                    None => (ResponseBody::Empty, "*/*".to_string(), None),
                    Some((ct, media)) => {
                        let media_ptr = ptr.join("content").with(ct);
                        let body = match encoding_of(ct) {
                            BodyEncoding::Json => match &media.schema {
                                Some(s) => {
                                    let l = self.schema(
                                        SchemaRef::from(s),
                                        &format!("{type_prefix}Response"),
                                        &media_ptr.join("schema"),
                                    )?;
                                    ResponseBody::Json(if l.nullable {
                                        TypeRef::Option(Box::new(l.ty))
                                    } else {
                                        l.ty
                                    })
                                }
                                None => ResponseBody::Json(TypeRef::Any),
                            },
                            BodyEncoding::Text(_) => ResponseBody::Text,
                            _ => ResponseBody::Binary,
                        };
                        (body, ct.to_string(), example_of(media))
                    }
                };
                success = Some(SuccessResponse {
                    status: code.unwrap_or(200).max(200),
                    body,
                    accept,
                    doc: Some(r.description.clone()).filter(|d| !d.trim().is_empty()),
                    example,
                });
            } else if code.is_some_and(|c| c >= 400) || code.is_none() {
                let (ty, example) = match r
                    .content
                    .iter()
                    .find(|(ct, _)| encoding_of(ct) == BodyEncoding::Json)
                {
                    Some((ct, media)) => {
                        let media_ptr = ptr.join("content").with(ct);
                        let ty = match &media.schema {
                            Some(s) => Some(
                                self.schema(
                                    SchemaRef::from(s),
                                    &format!("{type_prefix}Error{}", names::camel(&label, "", "")),
                                    &media_ptr.join("schema"),
                                )?
                                .ty,
                            ),
                            None => None,
                        };
                        (ty, example_of(media))
                    }
                    None => (None, None),
                };
                errors.push(ErrorResponse {
                    status,
                    ty,
                    doc: Some(r.description.clone()),
                    example,
                });
            }
        }
        let success = success.unwrap_or(SuccessResponse {
            status: 200,
            body: ResponseBody::Empty,
            accept: "*/*".to_string(),
            doc: None,
            example: None,
        });
        Ok((success, errors))
    }

    pub(super) fn lower_webhooks(&mut self) -> Result<Vec<Webhook>, Error> {
        // 3.1 `webhooks`, or the `x-webhooks` extension 3.0 descriptions use.
        let sections =
            ["webhooks", "x-webhooks"]
                .into_iter()
                .filter_map(|key| match self.doc.get(key) {
                    Some(Value::Object(hooks)) => Some((key, hooks)),
                    _ => None,
                });
        let hooks: Vec<(JsonPointer, &String, &Value)> = sections
            .flat_map(|(key, hooks)| {
                hooks
                    .iter()
                    .map(move |(name, item)| (JsonPointer::at(&[key, name]), name, item))
            })
            .collect();
        let mut out = Vec::new();
        for (ptr, name, item) in hooks {
            let item: ReferenceOr<openapiv3::PathItem> = serde_json::from_value(item.clone())
                .map_err(|e| {
                    Error::new(ErrorKind::Invalid, self.file, e.to_string()).at(ptr.clone())
                })?;
            let item = self.deref(&item, &ptr)?;
            for (method, op) in methods(&item) {
                let Some(op) = op else { continue };
                let op_ptr = ptr.join(method.as_str().to_ascii_lowercase());
                let body = match &op.request_body {
                    Some(b) => {
                        let b = self.deref(b, &op_ptr.join("requestBody"))?;
                        let hint = format!("{}Webhook", names::type_name(name));
                        self.request_body(&b, &hint, &op_ptr.join("requestBody"))?
                    }
                    None => None,
                };
                out.push(Webhook {
                    name: name.clone(),
                    payload: body.as_ref().map(|b| b.ty.clone()),
                    example: body.and_then(|b| b.example),
                    doc: Doc {
                        summary: op.summary.clone(),
                        description: op.description.clone(),
                    },
                });
            }
        }
        Ok(out)
    }

    pub(super) fn info(&mut self, _config: &Config) -> ApiInfo {
        let spec = self.spec;
        let base_url = spec
            .servers
            .first()
            .map(|s| {
                let mut url = s.url.clone();
                if let Some(vars) = &s.variables {
                    for (k, v) in vars {
                        url = url.replace(&format!("{{{k}}}"), &v.default);
                    }
                }
                url
            })
            .unwrap_or_else(|| "http://localhost".to_string());
        let base_url = if base_url.starts_with('/') {
            format!("http://localhost{base_url}")
        } else {
            base_url
        };
        let auth = self.auth();
        ApiInfo {
            title: spec.info.title.clone(),
            version: spec.info.version.clone(),
            description: spec.info.description.clone(),
            base_url: base_url.trim_end_matches('/').to_string(),
            auth,
        }
    }

    /// How the client sends its key: the scheme [`client_scheme`] picks.
    fn auth(&mut self) -> Auth {
        match client_scheme(self.spec, &self.operation_security) {
            Some(name) => self.scheme(&name),
            None => Auth::None,
        }
    }

    /// Gives each operation whose requirements the client's scheme does not meet its
    /// own way of sending the key ([`operation_auth`]): none for `security: []` (or
    /// anonymous access allowed), another scheme's (an OAuth2
    /// operation of an API keyed by an API key: `Authorization: Bearer <key>`).
    /// Operations that need several schemes at once, which one key cannot give, are
    /// noted.
    pub(super) fn secure_operations(&mut self, resources: &mut [crate::ir::Resource]) {
        let spec = self.spec;
        let Some(client) = client_scheme(spec, &self.operation_security)
            .filter(|name| scheme_auth(spec, name).is_some())
        else {
            return;
        };
        let global = spec.security.as_ref();
        let requirements: HashMap<&JsonPointer, Option<&Vec<openapiv3::SecurityRequirement>>> =
            self.operation_security
                .iter()
                .map(|(ptr, security)| (ptr, security.as_ref().or(global)))
                .collect();
        let mut notes = Vec::new();
        for op in resources.iter_mut().flat_map(|r| r.operations.iter_mut()) {
            let Some(wanted) = requirements.get(&op.pointer) else {
                continue;
            };
            match operation_auth(spec, &client, *wanted) {
                Ok(auth) => op.auth = auth,
                Err(combined) => notes.push((
                    op.pointer.join("security"),
                    format!(
                        "the operation requires {combined} together; the client sends its one key only as `{client}`"
                    ),
                )),
            }
        }
        for (pointer, message) in notes {
            self.note(&pointer, message);
        }
    }

    /// How the key is sent for the security scheme `name`.
    fn scheme(&mut self, name: &str) -> Auth {
        scheme_auth(self.spec, name).unwrap_or_else(|| {
            self.note(
                &JsonPointer::at(&["components", "securitySchemes", name]),
                "security scheme not found; requests are sent without credentials",
            );
            Auth::None
        })
    }
}

/// The one scheme the client sends its key with: of the schemes the operations accept
/// (their own `security`, else the document's), the one that satisfies the most
/// operations; on a tie, one that keeps the key out of the URL, then the first listed.
fn client_scheme(
    spec: &openapiv3::OpenAPI,
    operation_security: &[(JsonPointer, Option<Vec<openapiv3::SecurityRequirement>>)],
) -> Option<String> {
    let global = spec.security.as_ref();
    // The alternatives of every operation that states requirements.
    let operations: Vec<&Vec<openapiv3::SecurityRequirement>> = operation_security
        .iter()
        .filter_map(|(_, security)| security.as_ref().or(global))
        .collect();
    let mut candidates: Vec<&String> = Vec::new();
    for requirement in global.into_iter().flatten().chain(
        operations
            .iter()
            .flat_map(|requirements| requirements.iter()),
    ) {
        for name in requirement.keys() {
            if !candidates.contains(&name) {
                candidates.push(name);
            }
        }
    }
    let satisfied = |name: &str, requirements: &Vec<openapiv3::SecurityRequirement>| {
        requirements.is_empty()
            || requirements
                .iter()
                .any(|r| r.is_empty() || meets(spec, r, name))
    };
    // (operations satisfied, key kept out of the URL): on a tie in operations, a
    // scheme that does not put the key in the query string (where URLs end up in
    // logs) wins; then the first listed.
    let mut best: Option<(&String, (usize, bool))> = None;
    for name in &candidates {
        let count = operations
            .iter()
            .filter(|requirements| satisfied(name, requirements))
            .count();
        let rank = (
            count,
            !matches!(scheme_auth(spec, name), Some(Auth::Query(_))),
        );
        if best.is_none_or(|(_, most)| rank > most) {
            best = Some((name, rank));
        }
    }
    best.map(|(name, _)| name.clone())
}

/// Whether the non-empty `requirement` is met by sending the key as scheme `name`: it
/// names only that scheme, or one sent the same way (two bearer schemes).
fn meets(
    spec: &openapiv3::OpenAPI,
    requirement: &openapiv3::SecurityRequirement,
    name: &str,
) -> bool {
    requirement.len() == 1
        && requirement.keys().all(|other| {
            other == name
                || scheme_auth(spec, other).is_some_and(|a| Some(a) == scheme_auth(spec, name))
        })
}

/// How one operation sends the key, given its requirements (its own `security`, else
/// the document's) and the client's scheme `client`: `Ok(None)` as the client does,
/// also when neither the operation nor the document states requirements (an omission
/// more often than a public endpoint); `Ok(Some(Auth::None))` not at all, when it
/// says it needs nothing (`security: []`, or only `{}`), or allows anonymous access
/// (`{}` among alternatives none of which the client's scheme meets); `Ok(Some(auth))`
/// as the first alternative of a single scheme (OAuth2 and OpenID Connect are bearer
/// tokens). `Err` names the schemes when every alternative needs several at once.
///
/// A credential is never sent where the spec says none is needed: it would reach a
/// server (a public endpoint, a token exchange) that has no use for it.
pub(crate) fn operation_auth(
    spec: &openapiv3::OpenAPI,
    client: &str,
    requirements: Option<&Vec<openapiv3::SecurityRequirement>>,
) -> Result<Option<Auth>, String> {
    let Some(requirements) = requirements else {
        return Ok(None);
    };
    if requirements.iter().all(|r| r.is_empty()) {
        return Ok(Some(Auth::None));
    }
    if requirements
        .iter()
        .any(|r| !r.is_empty() && meets(spec, r, client))
    {
        return Ok(None);
    }
    if requirements.iter().any(|r| r.is_empty()) {
        return Ok(Some(Auth::None));
    }
    let single = requirements
        .iter()
        .filter(|r| r.len() == 1)
        .find_map(|r| r.keys().next().and_then(|name| scheme_auth(spec, name)));
    match single {
        Some(auth) if Some(&auth) == scheme_auth(spec, client).as_ref() => Ok(None),
        Some(auth) => Ok(Some(auth)),
        None => Err(requirements
            .iter()
            .map(|r| {
                r.keys()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            })
            .collect::<Vec<_>>()
            .join(" or ")),
    }
}

/// How the key is sent for the security scheme `name`; `None` when there is no such
/// scheme (or it is a reference, which the parser does not resolve here).
fn scheme_auth(spec: &openapiv3::OpenAPI, name: &str) -> Option<Auth> {
    let scheme = spec
        .components
        .as_ref()
        .and_then(|c| c.security_schemes.get(name));
    match scheme {
        Some(ReferenceOr::Item(openapiv3::SecurityScheme::HTTP { scheme, .. }))
            if scheme.eq_ignore_ascii_case("basic") =>
        {
            Some(Auth::Basic)
        }
        Some(ReferenceOr::Item(openapiv3::SecurityScheme::HTTP { .. })) => Some(Auth::Bearer),
        Some(ReferenceOr::Item(openapiv3::SecurityScheme::APIKey { location, name, .. })) => {
            Some(match location {
                openapiv3::APIKeyLocation::Header => Auth::Header(name.clone()),
                openapiv3::APIKeyLocation::Query => Auth::Query(name.clone()),
                openapiv3::APIKeyLocation::Cookie => Auth::Cookie(name.clone()),
            })
        }
        Some(ReferenceOr::Item(_)) => Some(Auth::Bearer),
        _ => None,
    }
}

/// The `encoding` styles of a form body's properties that differ from the default
/// (`form`, exploded; normalize made `explode` explicit).
fn form_field_styles(media: &openapiv3::MediaType) -> Vec<(String, QueryStyle)> {
    media
        .encoding
        .iter()
        .filter_map(|(name, e)| {
            let style = match e.style {
                None | Some(openapiv3::QueryStyle::Form) => QueryStyle::Form { explode: e.explode },
                Some(openapiv3::QueryStyle::SpaceDelimited) => QueryStyle::SpaceDelimited,
                Some(openapiv3::QueryStyle::PipeDelimited) => QueryStyle::PipeDelimited,
                Some(openapiv3::QueryStyle::DeepObject) => QueryStyle::DeepObject,
            };
            (style != QueryStyle::Form { explode: true }).then(|| (name.clone(), style))
        })
        .collect()
}

/// JSON first, then form, multipart, text, and anything else as bytes.
fn pick_content(
    content: &indexmap::IndexMap<String, openapiv3::MediaType>,
) -> Option<(&str, &openapiv3::MediaType)> {
    let rank = |ct: &str| match encoding_of(ct) {
        BodyEncoding::Json => 0,
        BodyEncoding::Form => 1,
        BodyEncoding::Multipart => 2,
        BodyEncoding::Text(_) => 3,
        BodyEncoding::Binary(_) => 4,
    };
    content
        .iter()
        .min_by_key(|(ct, _)| rank(ct))
        .map(|(ct, m)| (ct.as_str(), m))
}

fn encoding_of(content_type: &str) -> BodyEncoding {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if ct == "application/json" || ct.ends_with("+json") {
        BodyEncoding::Json
    } else if ct == "application/x-www-form-urlencoded" {
        BodyEncoding::Form
    } else if ct == "multipart/form-data" {
        BodyEncoding::Multipart
    } else if ct.starts_with("text/") {
        BodyEncoding::Text(content_type.to_string())
    } else if ct.contains("json") {
        BodyEncoding::Json
    } else {
        BodyEncoding::Binary(content_type.to_string())
    }
}

/// `*/*` or `type/*`: any media type of a range.
fn is_wildcard(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|ct| ct.trim().ends_with("/*"))
}

/// A schema whose values are JSON documents rather than raw bytes or text: an object, an
/// array, a number, a boolean, or a composition. Strings and the empty schema stay bytes.
fn is_json_shaped(schema: &openapiv3::Schema) -> bool {
    match &schema.schema_kind {
        openapiv3::SchemaKind::Type(openapiv3::Type::String(_)) => false,
        openapiv3::SchemaKind::Type(_)
        | openapiv3::SchemaKind::OneOf { .. }
        | openapiv3::SchemaKind::AllOf { .. }
        | openapiv3::SchemaKind::AnyOf { .. } => true,
        openapiv3::SchemaKind::Not { .. } => false,
        openapiv3::SchemaKind::Any(a) => {
            !a.properties.is_empty()
                || a.items.is_some()
                || a.additional_properties.is_some()
                || !a.one_of.is_empty()
                || !a.all_of.is_empty()
                || !a.any_of.is_empty()
                || a.typ.as_deref().is_some_and(|t| t != "string")
        }
    }
}

fn example_of(media: &openapiv3::MediaType) -> Option<Value> {
    media.example.clone().or_else(|| {
        media.examples.values().find_map(|e| match e {
            ReferenceOr::Item(e) => e.value.clone(),
            ReferenceOr::Reference { .. } => None,
        })
    })
}

/// The body type most error responses share: the API's error envelope.
pub(super) fn common_error_body(resources: &[Resource]) -> Option<TypeId> {
    let mut counts: Vec<(TypeId, usize)> = Vec::new();
    for e in resources
        .iter()
        .flat_map(|r| &r.operations)
        .flat_map(|o| &o.errors)
    {
        if let Some(TypeRef::Named(id)) = &e.ty {
            match counts.iter_mut().find(|(i, _)| i == id) {
                Some((_, n)) => *n += 1,
                None => counts.push((*id, 1)),
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|(id, n)| (*n, std::cmp::Reverse(*id)))
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_preferred() {
        assert_eq!(
            encoding_of("application/vnd.github+json"),
            BodyEncoding::Json
        );
        assert_eq!(
            encoding_of("application/json; charset=utf-8"),
            BodyEncoding::Json
        );
        assert_eq!(
            encoding_of("text/plain"),
            BodyEncoding::Text("text/plain".into())
        );
        assert_eq!(
            encoding_of("application/octet-stream"),
            BodyEncoding::Binary("application/octet-stream".into())
        );
    }

    #[test]
    fn wildcard_bodies_with_json_shapes_are_json() {
        let schema = |v: Value| serde_json::from_value::<openapiv3::Schema>(v).ok();
        assert!(is_wildcard("*/*") && is_wildcard("application/*; q=0.5"));
        assert!(!is_wildcard("application/json"));
        for json_shaped in [
            serde_json::json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            serde_json::json!({"type": "array", "items": {"type": "string"}}),
            serde_json::json!({"properties": {"a": {"type": "string"}}}),
            serde_json::json!({"oneOf": [{"type": "object"}, {"type": "integer"}]}),
        ] {
            assert_eq!(
                schema(json_shaped.clone()).map(|s| is_json_shaped(&s)),
                Some(true),
                "{json_shaped}"
            );
        }
        for raw in [
            serde_json::json!({"type": "string", "format": "binary"}),
            serde_json::json!({}),
        ] {
            assert_eq!(
                schema(raw.clone()).map(|s| is_json_shaped(&s)),
                Some(false),
                "{raw}"
            );
        }
    }
}
