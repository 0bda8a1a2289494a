//! Stage 6, emit: the IR and the plan to token streams, one per file of the crate.
//!
//! Emission reads only the IR, the [`Plan`] and the config's settings, never the spec:
//! every decision about names and shapes was made during lowering and planning.

mod crate_root;
pub mod docs;
mod examples;
pub mod features;
mod pagination;
pub(crate) mod resources;
pub(crate) mod rust_type;
mod samples;
mod tests;
pub(crate) mod types;
mod values;

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::config::Config;
use crate::ir::Api;
use crate::plan::Plan;

/// What emission produces: Rust files to format, and other files as text.
#[derive(Debug, Default)]
pub struct Emitted {
    /// `(path, tokens)` of Rust files.
    pub rust: Vec<(PathBuf, TokenStream)>,
    /// `(path, text)` of other files.
    pub other: Vec<(PathBuf, String)>,
}

/// Emits the crate's generated files.
pub fn emit(api: &Api, config: &Config, plan: &Plan) -> Emitted {
    Emitted {
        rust: parts(api)
            .into_iter()
            .map(|part| (part.path(api), emit_part(api, config, plan, part)))
            .collect(),
        other: Vec::new(),
    }
}

/// The arguments of an operation's method after `&self`, as written in the emitted
/// code (`chat_id: &str`, `params: &types::MessageSendParams`): the client surface,
/// for comparing two generations.
pub fn method_arguments(api: &Api, op: &crate::ir::Operation) -> Vec<String> {
    resources::arguments(api, op)
        .0
        .iter()
        .map(|t| t.to_string())
        .collect()
}

/// One emitted Rust file, or a run of the items of `types.rs`. Parts are emitted
/// independently of each other (from the IR, the config and the [`Plan`] only), so
/// they can be emitted on different threads; a file's parts, printed in order, make the
/// file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Lib,
    Settings,
    /// `types.rs` with `api.types[start..end]`; its header is in the part that starts
    /// at 0.
    Types {
        start: usize,
        end: usize,
    },
    ResourcesMod,
    /// `api.resources[i]`.
    Resource(usize),
    Contract,
}

impl Part {
    /// The file's path in the crate.
    pub fn path(self, api: &Api) -> PathBuf {
        match self {
            Part::Lib => "src/lib.rs".into(),
            Part::Settings => "src/settings.rs".into(),
            Part::Types { .. } => "src/types.rs".into(),
            Part::ResourcesMod => "src/resources/mod.rs".into(),
            Part::Resource(i) => {
                let module = api.resources.get(i).map_or("", |r| r.module.as_str());
                PathBuf::from(format!("src/resources/{module}.rs"))
            }
            Part::Contract => "tests/contract.rs".into(),
        }
    }

    /// This part in pieces of at most `size` types (only `types.rs` splits).
    pub fn split(self, size: usize) -> Vec<Part> {
        match self {
            Part::Types { start, end } if end - start > size && size > 0 => (start..end)
                .step_by(size)
                .map(|s| Part::Types {
                    start: s,
                    end: (s + size).min(end),
                })
                .collect(),
            other => vec![other],
        }
    }
}

/// Every file of the crate, in file order, one part each.
pub fn parts(api: &Api) -> Vec<Part> {
    let mut out = vec![
        Part::Lib,
        Part::Settings,
        Part::Types {
            start: 0,
            end: api.types.len(),
        },
        Part::ResourcesMod,
    ];
    out.extend((0..api.resources.len()).map(Part::Resource));
    out.push(Part::Contract);
    out
}

/// Emits one part.
pub fn emit_part(api: &Api, config: &Config, plan: &Plan, part: Part) -> TokenStream {
    let lib_name = config.lib_name();
    let krate: TokenStream = rust_type::ident(&lib_name).into_token_stream();
    let values = values::ValueBuilder { api, krate, plan };
    match part {
        Part::Lib => {
            let usage = api
                .resources
                .iter()
                .flat_map(|r| r.operations.iter().map(move |op| (r, op)))
                .next()
                .map(|(r, op)| examples::method_example(api, r, op, &values, &lib_name))
                .unwrap_or_default();
            crate_root::lib_file(api, config, plan, &usage)
        }
        Part::Settings => crate_root::settings_file(api, config),
        Part::Types { start, end } => {
            let mut out = if start == 0 {
                types::types_header(api)
            } else {
                TokenStream::new()
            };
            out.extend(types::type_items(api, plan, start..end));
            out
        }
        Part::ResourcesMod => resources::mod_file(api, plan),
        Part::Resource(i) => match api.resources.get(i) {
            Some(r) => resources::resource_file(api, r, &values, &lib_name),
            None => TokenStream::new(),
        },
        Part::Contract => tests::contract_file(api, config, &values),
    }
}
