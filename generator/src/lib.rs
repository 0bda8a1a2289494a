//! An OpenAPI-to-Rust client generator.
//!
//! The pipeline, one module per stage:
//! [`load`] -> [`normalize`] -> [`parse`] -> [`lower`] (to the [`ir`]) -> [`emit`] ->
//! [`format`] -> [`write`]. [`generate`] runs the stages up to formatting and returns
//! the crate's files in memory; nothing touches the disk until all of them succeeded.

pub mod config;
pub mod emit;
pub mod error;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod normalize;
pub mod parse;
pub mod templates;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use config::Config;
pub use error::{Diagnostic, Error, ErrorKind};
pub use write::FileSet;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spec file.
    pub spec: PathBuf,
    /// The `templates/` folder (runtime sources, Cargo.toml and README templates).
    pub templates: PathBuf,
    /// Overrides the crate name of the config file.
    pub crate_name: Option<String>,
}

/// Time spent in each stage, for the benchmark.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading and parsing YAML/JSON.
    pub load: Duration,
    /// Checking the spec's examples against their schemas.
    pub validate: Duration,
    /// 3.1 -> 3.0 rewriting.
    pub normalize: Duration,
    /// `openapiv3` deserialisation.
    pub parse: Duration,
    /// To the IR.
    pub lower: Duration,
    /// To token streams.
    pub emit: Duration,
    /// prettyplease.
    pub format: Duration,
    /// Putting the files on disk ([`Generated::write_to`]); zero until then.
    pub write: Duration,
}

impl Timings {
    /// The stages by name, in pipeline order.
    pub fn stages(&self) -> [(&'static str, Duration); 8] {
        [
            ("load", self.load),
            ("validate", self.validate),
            ("normalize", self.normalize),
            ("parse", self.parse),
            ("lower", self.lower),
            ("emit", self.emit),
            ("format", self.format),
            ("write", self.write),
        ]
    }
}

/// The result of a generation: files plus what was approximated.
#[derive(Debug)]
pub struct Generated {
    /// The IR the files were emitted from.
    pub api: ir::Api,
    /// Every file of the crate, path relative to the crate root.
    pub files: FileSet,
    /// Per-stage times.
    pub timings: Timings,
}

/// Loads, normalizes, parses and lowers a spec: everything up to the IR.
pub fn lower_spec(
    spec: &Path,
    crate_name: Option<&str>,
    timings: &mut Timings,
) -> Result<(ir::Api, Config), Error> {
    let t = Instant::now();
    let mut doc = load::load(spec)?;
    timings.load = t.elapsed();
    // Examples are checked as written, before normalization rewrites their schemas.
    let t = Instant::now();
    let invalid_examples = validate::check_examples(&doc.value);
    timings.validate = t.elapsed();

    let t = Instant::now();
    let notes = normalize::normalize(&mut doc.value);
    timings.normalize = t.elapsed();

    let t = Instant::now();
    let parsed = parse::parse(&doc.value, &doc.path)?;
    timings.parse = t.elapsed();

    let config = Config::load(spec, &parsed.info.title, crate_name)?;
    let example_notes = validate::enforce(invalid_examples, config.strict_examples, &doc.path)?;

    let t = Instant::now();
    let mut api = lower::lower(&doc.value, &parsed, &config, &doc.path)?;
    api.diagnostics.extend(notes);
    api.diagnostics.extend(example_notes);
    api.diagnostics.sort();
    timings.lower = t.elapsed();
    Ok((api, config))
}

impl Generated {
    /// Makes the folder `out` match the files ([`write::write`]), recording the time
    /// in `timings.write`.
    pub fn write_to(&mut self, out: &Path) -> Result<write::Changes, Error> {
        let t = Instant::now();
        let changes = write::write(out, &self.files)?;
        self.timings.write = t.elapsed();
        Ok(changes)
    }
}

/// Runs the whole pipeline in memory.
pub fn generate(options: &Options) -> Result<Generated, Error> {
    let mut timings = Timings::default();
    let (api, config) = lower_spec(&options.spec, options.crate_name.as_deref(), &mut timings)?;
    let templates = templates::Templates::load(&options.templates)?;

    let t = Instant::now();
    let emitted = emit::emit(&api, &config);
    timings.emit = t.elapsed();

    let t = Instant::now();
    let mut files = FileSet::default();
    for (path, tokens) in emitted.rust {
        let text = format::format(&path, tokens)?;
        files.insert(path, text);
    }
    timings.format = t.elapsed();

    for (path, text) in emitted.other {
        files.insert(path, text);
    }
    templates.render_into(&config, &api, &mut files)?;
    Ok(Generated {
        api,
        files,
        timings,
    })
}
