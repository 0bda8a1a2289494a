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
    let lib_name = config.lib_name();
    let krate: TokenStream = rust_type::ident(&lib_name).into_token_stream();
    let defaults = rust_type::defaultable(api);
    let values = values::ValueBuilder {
        api,
        krate,
        defaults: &defaults,
    };
    let mut out = Emitted::default();

    let usage = api
        .resources
        .iter()
        .flat_map(|r| r.operations.iter().map(move |op| (r, op)))
        .next()
        .map(|(r, op)| examples::method_example(api, r, op, &values, &lib_name))
        .unwrap_or_default();
    out.rust.push((
        "src/lib.rs".into(),
        crate_root::lib_file(api, config, &usage),
    ));
    out.rust.push((
        "src/settings.rs".into(),
        crate_root::settings_file(api, config),
    ));
    out.rust
        .push(("src/types.rs".into(), types::types_file(api)));
    out.rust
        .push(("src/resources/mod.rs".into(), resources::mod_file(api)));
    for r in &api.resources {
        let path = PathBuf::from(format!("src/resources/{}.rs", r.module));
        out.rust
            .push((path, resources::resource_file(api, r, &values, &lib_name)));
    }
    out.rust.push((
        "tests/contract.rs".into(),
        tests::contract_file(api, config, &values),
    ));
    out
}

trait IdentTokens {
    fn into_token_stream(self) -> TokenStream;
}

impl IdentTokens for proc_macro2::Ident {
    fn into_token_stream(self) -> TokenStream {
        quote::quote! { #self }
    }
}
