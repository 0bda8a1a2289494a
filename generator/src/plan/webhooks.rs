//! The webhook envelope the config names, resolved to a type of the IR.

use std::path::Path;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::ir::{Api, TypeId};

/// The envelope the config names, if any; one that names no type is an error of the
/// config file `config_file`.
pub fn envelope(api: &Api, config: &Config, config_file: &Path) -> Result<Option<TypeId>, Error> {
    let Some(name) = &config.webhook_envelope else {
        return Ok(None);
    };
    api.config_type(name).map(Some).ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            config_file,
            format!("webhooks.envelope: no schema of the spec is called `{name}`"),
        )
    })
}
