//! The `cfg` attributes of the Cargo features the plan decided ([`crate::plan::features`]).

use proc_macro2::TokenStream;
use quote::quote;

use crate::plan::Gate;

/// The `cfg` predicate of `gate`, if any.
fn predicate(gate: &Gate) -> Option<TokenStream> {
    match gate {
        Gate::Always => None,
        Gate::Any(features) if features.len() == 1 => {
            let f = &features[0];
            Some(quote! { feature = #f })
        }
        Gate::Any(features) => Some(quote! { any(#(feature = #features),*) }),
    }
}

/// The `#[cfg(...)]` attribute of items behind `gate`, if any.
pub fn cfg(gate: &Gate) -> TokenStream {
    predicate(gate)
        .map(|p| quote! { #[cfg(#p)] })
        .unwrap_or_default()
}

/// [`cfg`] for an item docs show: with `#[cfg_attr(docsrs, doc(cfg(..)))]`, so docs
/// built with `--cfg docsrs` (as docs.rs builds them) name its features.
pub fn item_cfg(gate: &Gate) -> TokenStream {
    predicate(gate)
        .map(|p| quote! { #[cfg(#p)] #[cfg_attr(docsrs, doc(cfg(#p)))] })
        .unwrap_or_default()
}

/// [`cfg`] as the text lines of a top-level attribute (see [`super::code`]).
pub fn cfg_lines(gate: &Gate) -> Vec<String> {
    let predicate = match gate {
        Gate::Always => return Vec::new(),
        Gate::Any(features) if features.len() == 1 => {
            format!("feature = {}", super::code::string(&features[0]))
        }
        Gate::Any(features) => {
            let list: Vec<String> = features
                .iter()
                .map(|f| format!("feature = {}", super::code::string(f)))
                .collect();
            format!("any({})", list.join(", "))
        }
    };
    super::code::attribute_lines(&format!("#[cfg({predicate})]"), 0)
}
