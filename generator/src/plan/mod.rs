//! Stage 5, plan: what emission needs to know about the whole API, decided once from
//! the IR and the config, as plain data like the IR (`cargo xtask codegen --dump-plan`
//! prints it). Emission then only spells these decisions.
//!
//! - [`aliases`]: which types repeat an earlier type's code and become aliases of it;
//! - [`defaults`]: which types can derive `Default`;
//! - [`features`]: the Cargo features, the types each resource reaches, each type's
//!   feature gate, and which types requests send and responses carry;
//! - [`webhooks`]: the webhook envelope the config names, resolved to a type;
//! - [`names`]: the local names emitted code binds (examples, struct decoders) and the
//!   contract suite's test names;
//! - the error envelope: where error bodies carry their code and message
//!   ([`ErrorEnvelope`], decided by `lower::error_envelope`).

pub mod aliases;
pub mod defaults;
pub mod features;
pub mod names;
pub mod webhooks;

use std::path::Path;

use serde::Serialize;

pub use crate::lower::error_envelope::{ErrorEnvelope, Source as EnvelopeSource};
pub use features::{Features, Gate};

use crate::config::{Config, SerdeImpls};
use crate::error::Error;
use crate::ir::{Api, TypeId, TypeKind};

/// The decisions about the whole API that emission spells.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// One entry per type, index-aligned with `api.types`.
    pub types: Vec<TypePlan>,
    /// The crate's Cargo features and what each resource reaches.
    pub features: Features,
    /// The gate of items every resource needs (`Error::error_body`).
    pub any_resource: Gate,
    /// The webhook envelope type the config names (`webhooks.envelope`).
    pub webhook_envelope: Option<TypeId>,
    /// Where error bodies carry their code and message (the runtime's settings and the
    /// contract suite's expected codes follow it).
    pub error_envelope: ErrorEnvelope,
    /// Names emitted code binds.
    pub names: names::Names,
}

/// How one type is emitted besides its shape.
#[derive(Debug, Clone, Serialize)]
pub struct TypePlan {
    /// The type's name (`api.types[i].name`), for reading the plan.
    pub name: String,
    /// The earlier type whose code this one's would repeat exactly: emitted as an
    /// alias of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<TypeId>,
    /// Derives (or implements) `Default`.
    pub default: bool,
    /// When its items are compiled.
    pub gate: Gate,
    /// Gets a `Serialize` impl.
    pub ser: bool,
    /// Gets a `Deserialize` impl.
    pub de: bool,
    /// Requests send it (bodies, parameters).
    pub sent: bool,
    /// Responses, errors or webhooks carry it.
    pub received: bool,
    /// `#[non_exhaustive]`, so that what the server adds is not a breaking change of
    /// the crate (see ARCHITECTURE.md): every enum and union (their values come from
    /// the server and already have a catch-all, so a `match` needs a fallback anyway),
    /// and structs that only responses, errors and webhooks carry (users read them, and
    /// build them for tests with `new` and field assignments). Structs that requests
    /// send stay constructible with literals.
    pub sealed: bool,
}

impl Plan {
    /// Plans the emission of `api` with `config`, read from `config_file` (named in
    /// errors): a webhook envelope that names no type is an error.
    pub fn new(api: &Api, config: &Config, config_file: &Path) -> Result<Plan, Error> {
        let webhook_envelope = webhooks::envelope(api, config, config_file)?;
        let aliases = aliases::aliases(api);
        let defaults = defaults::defaultable(api);
        let graph = features::Graph::new(api, &aliases);
        let features = Features::new(api, &graph, config.webhook_envelope.is_some());
        let webhook_roots = features::webhook_roots(api, webhook_envelope);
        let webhooks = graph.reach(webhook_roots.clone());
        let gates = features.gates(api, &graph, &webhooks);
        let (sent, received) = features::directions(api, &graph, &webhook_roots);
        let both = config.serde == SerdeImpls::Both;
        let types = api
            .types
            .iter()
            .enumerate()
            .zip(gates)
            .map(|((i, t), gate)| TypePlan {
                name: t.name.clone(),
                alias_of: aliases[i],
                default: defaults[i],
                gate,
                ser: both || sent[i],
                de: both || received[i],
                sent: sent[i],
                received: received[i],
                sealed: match t.kind {
                    TypeKind::Enum(_) | TypeKind::Union(_) => true,
                    TypeKind::Struct(_) => received[i] && !sent[i],
                    _ => false,
                },
            })
            .collect();
        Ok(Plan {
            types,
            any_resource: features.any_resource(),
            features,
            webhook_envelope,
            error_envelope: ErrorEnvelope::of(api, config),
            names: names::Names::new(api),
        })
    }

    /// The plan of type `id`.
    pub fn ty(&self, id: TypeId) -> &TypePlan {
        &self.types[id.0]
    }
}
