//! Stage 5, emit: the IR to token streams, one per file of the crate.
//!
//! Emission reads only the IR and the config, never the spec: every decision about
//! names and shapes was made during lowering.

mod crate_root;
pub mod docs;
mod examples;
mod resources;
mod rust_type;
mod samples;
mod tests;
mod types;
mod values;

use std::path::PathBuf;

use proc_macro2::TokenStream;

use crate::config::Config;
use crate::ir::Api;

/// What emission produces: Rust files to format, and other files as text.
#[derive(Debug, Default)]
pub struct Emitted {
    /// `(path, tokens)` of Rust files.
    pub rust: Vec<(PathBuf, TokenStream)>,
    /// `(path, text)` of other files.
    pub other: Vec<(PathBuf, String)>,
}

/// Emits the crate's generated files.
pub fn emit(api: &Api, config: &Config) -> Emitted {
    let defaults = rust_type::defaultable(api);
    Emitted {
        rust: parts(api)
            .into_iter()
            .map(|part| (part.path(api), emit_part(api, config, &defaults, part)))
            .collect(),
        other: Vec::new(),
    }
}

/// One emitted Rust file. Parts are emitted independently of each other (from the IR
/// and the config only), so they can be emitted on different threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Lib,
    Settings,
    Types,
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
            Part::Types => "src/types.rs".into(),
            Part::ResourcesMod => "src/resources/mod.rs".into(),
            Part::Resource(i) => {
                let module = api.resources.get(i).map_or("", |r| r.module.as_str());
                PathBuf::from(format!("src/resources/{module}.rs"))
            }
            Part::Contract => "tests/contract.rs".into(),
        }
    }
}

/// Every part of the crate, in file order.
pub fn parts(api: &Api) -> Vec<Part> {
    let mut out = vec![Part::Lib, Part::Settings, Part::Types, Part::ResourcesMod];
    out.extend((0..api.resources.len()).map(Part::Resource));
    out.push(Part::Contract);
    out
}

/// Emits one part; `defaults` is [`rust_type::defaultable`] of the API.
pub fn emit_part(api: &Api, config: &Config, defaults: &[bool], part: Part) -> TokenStream {
    let lib_name = config.lib_name();
    let krate: TokenStream = rust_type::ident(&lib_name).into_token_stream();
    let values = values::ValueBuilder {
        api,
        krate,
        defaults,
    };
    match part {
        Part::Lib => {
            let usage = api
                .resources
                .iter()
                .flat_map(|r| r.operations.iter().map(move |op| (r, op)))
                .next()
                .map(|(r, op)| examples::method_example(api, r, op, &values, &lib_name))
                .unwrap_or_default();
            crate_root::lib_file(api, config, &usage)
        }
        Part::Settings => crate_root::settings_file(api, config),
        Part::Types => types::types_file(api),
        Part::ResourcesMod => resources::mod_file(api),
        Part::Resource(i) => match api.resources.get(i) {
            Some(r) => resources::resource_file(api, r, &values, &lib_name),
            None => TokenStream::new(),
        },
        Part::Contract => tests::contract_file(api, config, &values),
    }
}

/// Re-exported for the parallel driver in the crate root.
pub use rust_type::defaultable;

trait IdentTokens {
    fn into_token_stream(self) -> TokenStream;
}

impl IdentTokens for proc_macro2::Ident {
    fn into_token_stream(self) -> TokenStream {
        quote::quote! { #self }
    }
}
