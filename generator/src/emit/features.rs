//! The `cfg` attributes of the Cargo features the plan decided ([`crate::plan::features`]).

use proc_macro2::TokenStream;
use quote::quote;

use crate::plan::Gate;

/// The `#[cfg(...)]` attribute of items behind `gate`, if any.
pub fn cfg(gate: &Gate) -> TokenStream {
    match gate {
        Gate::Always => TokenStream::new(),
        Gate::Any(features) if features.len() == 1 => {
            let f = &features[0];
            quote! { #[cfg(feature = #f)] }
        }
        Gate::Any(features) => quote! { #[cfg(any(#(feature = #features),*))] },
    }
}
