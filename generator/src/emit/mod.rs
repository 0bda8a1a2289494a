//! Stage 6, emit: the IR and the plan to token streams, one per file of the crate.
//!
//! Emission reads only the IR, the [`Plan`] and the config's settings, never the spec:
//! every decision about names and shapes was made during lowering and planning.

pub mod code;
mod contract;
mod crate_root;
pub mod docs;
mod examples;
mod expr;
pub mod features;
mod fixed;
mod pagination;
pub(crate) mod resources;
pub(crate) mod rust_type;
mod samples;
pub(crate) mod types;
mod values;

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::ToTokens;

use crate::config::Config;
use crate::ir::Api;
use crate::plan::Plan;

/// One emitted part: its tokens, and the doc blocks they refer to. A doc block stands
/// in the tokens as one attribute `#[doc = "<DOC_BLOCK>N"]` (or `#![doc = ..]` for
/// inner docs), `N` being its index in `docs`; [`crate::format`] prints the tokens and
/// writes each block's lines where its placeholder is.
#[derive(Debug, Default)]
pub struct Emitted {
    pub tokens: TokenStream,
    pub docs: Vec<DocBlock>,
    /// Code written as text, each block standing in the tokens as one placeholder
    /// item (see [`code::Code`]).
    pub code: Vec<String>,
}

/// Starts the value of a doc block's placeholder attribute (a private-use character,
/// then the block's number).
pub const DOC_BLOCK: char = '\u{E000}';

/// The lines of one doc comment: text lines (already safe for rustdoc), then, after a
/// blank line if there are text lines, the generator's own `no_run` example: the
/// lines of an `async fn example()`, already laid out (see [`examples`]).
#[derive(Debug, Clone, Default)]
pub struct DocBlock {
    pub lines: Vec<String>,
    pub example: Option<Vec<String>>,
}

/// The arguments of an operation's method after `&self`, as written in the emitted
/// code (`chat_id: &str`, `params: &types::MessageSendParams`): the client surface,
/// for comparing two generations.
pub fn method_arguments(api: &Api, op: &crate::ir::Operation) -> Vec<String> {
    resources::arguments(api, op)
        .into_iter()
        .map(|(name, ty)| format!("{name} : {ty}"))
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
pub fn emit_part(api: &Api, config: &Config, plan: &Plan, part: Part) -> Emitted {
    let lib_name = config.lib_name();
    let krate: TokenStream = rust_type::ident(&lib_name).into_token_stream();
    let values = values::ValueBuilder::new(api, krate, plan);
    let docs = docs::Docs::default();
    let code = code::Code::default();
    let tokens = match part {
        Part::Lib => {
            let usage = api
                .resources
                .iter()
                .flat_map(|r| r.operations.iter().map(move |op| (r, op)))
                .next()
                .map(|(r, op)| examples::method_example(api, r, op, &values));
            crate_root::lib_file(api, config, plan, &docs, usage)
        }
        Part::Settings => crate_root::settings_file(api, config, plan, &docs),
        Part::Types { start, end } => {
            let mut out = if start == 0 {
                types::types_header(api)
            } else {
                TokenStream::new()
            };
            out.extend(types::type_items(api, plan, &docs, &code, start..end));
            out
        }
        Part::ResourcesMod => resources::mod_file(api, plan, &docs),
        Part::Resource(i) => match api.resources.get(i) {
            Some(r) => resources::resource_file(api, r, &values, &docs, &code),
            None => TokenStream::new(),
        },
        Part::Contract => contract::contract_file(api, config, plan, &values, &docs, &code),
    };
    Emitted {
        tokens,
        docs: docs.into_blocks(),
        code: code.into_blocks(),
    }
}
