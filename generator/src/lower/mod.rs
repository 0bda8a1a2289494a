//! Stage 4, lower: the parsed spec to the IR.
//!
//! Component schemas are declared first so their names are stable and references
//! resolve to them; then operations are walked in spec order, naming inline types
//! after where they appear. Problems with an honest fallback become diagnostics.

mod constraints;
mod cycles;
pub mod error_envelope;
mod events;
pub mod names;
mod operations;
mod pagination;
pub mod refs;
mod schemas;
mod shape;

use std::any::Any;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::rc::Rc;

use serde_json::Value;

use crate::config::Config;
use crate::error::{Diagnostic, Error};
use crate::ir::{Api, TypeDef, TypeId};
use crate::pointer::JsonPointer;

/// Lowering state shared by the schema and operation passes.
pub(crate) struct Lowerer<'a> {
    doc: &'a Value,
    spec: &'a openapiv3::OpenAPI,
    file: &'a Path,
    types: Vec<TypeDef>,
    /// Canonical `$ref` pointer -> the type it names.
    by_ref: HashMap<JsonPointer, TypeId>,
    /// Named types whose schema itself allows `null`.
    nullable_types: HashSet<TypeId>,
    type_names: names::NameSet,
    diagnostics: Vec<Diagnostic>,
    /// `(type, reference)` -> the deserialized target of a shared component reference.
    resolved: RefCell<HashMap<(std::any::TypeId, String), Rc<dyn Any>>>,
    /// How many references are being lowered inside one another (see
    /// [`MAX_NESTING`]).
    nesting: usize,
    /// The `security` of each operation of each path item written in place (not a
    /// `$ref`), in `openapiv3`'s method order: gathered while the operations are
    /// lowered (path items are read one at a time), for choosing the client's scheme.
    operation_security: Vec<(JsonPointer, Option<Vec<openapiv3::SecurityRequirement>>)>,
}

/// The deepest nesting of references lowered on first use, and of `allOf` members:
/// deeper input is an error, not a stack overflow (and `allOf` merging stays linear).
const MAX_NESTING: usize = 64;

impl<'a> Lowerer<'a> {
    fn note(&mut self, pointer: &JsonPointer, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }
}

/// Lowers a parsed, normalized spec. `doc` is the same document as raw JSON, for what
/// `openapiv3` does not keep (3.1 `webhooks`, references into arbitrary pointers).
pub fn lower(
    doc: &Value,
    spec: &openapiv3::OpenAPI,
    config: &Config,
    file: &Path,
) -> Result<Api, Error> {
    let mut l = Lowerer {
        doc,
        spec,
        file,
        types: Vec::new(),
        by_ref: HashMap::new(),
        nullable_types: HashSet::new(),
        type_names: names::NameSet::camel(),
        diagnostics: Vec::new(),
        resolved: RefCell::new(HashMap::new()),
        nesting: 0,
        operation_security: Vec::new(),
    };
    l.lower_components()?;
    let mut resources = l.lower_operations(config)?;
    l.secure_operations(&mut resources);
    let webhooks = l.lower_webhooks()?;
    schemas::settle_unions(&mut l.types);
    let error_body = operations::common_error_body(&resources);
    let info = l.info(config);
    let mut api = Api {
        info,
        resources,
        types: l.types,
        error_body,
        webhooks,
        webhook_events: None,
        diagnostics: l.diagnostics,
    };
    events::type_events(&mut api, doc, config, &mut l.type_names);
    cycles::check_alias_cycles(&api, file)?;
    cycles::break_cycles(&mut api);
    pagination::apply(&mut api, doc, config, file)?;
    api.diagnostics.sort();
    api.diagnostics.dedup();
    Ok(api)
}
