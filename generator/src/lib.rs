//! An OpenAPI-to-Rust client generator.
//!
//! The pipeline, one module per stage:
//! [`load`] -> [`normalize`] -> [`parse`] -> [`lower`] (to the [`ir`]) -> [`emit`] ->
//! [`format`] -> [`write`]. [`generate`] runs the stages up to formatting and returns
//! the crate's files in memory; nothing touches the disk until all of them succeeded.

pub mod api_diff;
pub mod config;
pub mod emit;
pub mod error;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod normalize;
pub mod par;
pub mod parse;
pub mod plan;
pub mod pointer;
pub mod surface;
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

/// Writes `generated` to `out`, or with `check` compares it, printing what a command
/// line tool reports: notes on stderr, a summary on stdout, a diff on stderr when the
/// folder is stale (then `Ok(false)`). `shown` names the folder in messages, `stale_hint`
/// ends the stale message (the command that regenerates it).
pub fn write_or_check(
    generated: &Generated,
    spec: &Path,
    out: &Path,
    shown: &str,
    check: bool,
    stale_hint: &str,
) -> Result<bool, Error> {
    for d in &generated.api.diagnostics {
        eprintln!("note: {}: {d}", spec.display());
    }
    if check {
        let (changes, diff) = write::check(out, &generated.files)?;
        if changes.is_empty() {
            println!("{shown} is up to date ({} files)", changes.unchanged);
            return Ok(true);
        }
        eprint!("{diff}");
        eprintln!(
            "error: {shown} is stale ({} files differ, {} no longer generated){stale_hint}",
            changes.written.len(),
            changes.removed.len()
        );
        return Ok(false);
    }
    let changes = write::write(out, &generated.files)?;
    println!(
        "{shown}: {} written, {} removed, {} unchanged ({} notes)",
        changes.written.len(),
        changes.removed.len(),
        changes.unchanged,
        generated.api.diagnostics.len()
    );
    Ok(true)
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
    /// Emit and format run together on several threads: `emit` and `format` are the
    /// time spent in each, summed over threads; this is the wall time of both.
    pub emit_format_wall: Duration,
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
    /// The settings it was generated with.
    pub config: Config,
    /// What emission was told about the whole API.
    pub plan: plan::Plan,
    /// The crate's public surface (also in `files` as `api.json`).
    pub surface: surface::Surface,
    /// Every file of the crate, path relative to the crate root.
    pub files: FileSet,
    /// Per-stage times.
    pub timings: Timings,
}

/// Hands memory that the process has freed back to the OS: the allocator's job, which
/// the library cannot do itself (it does not know which allocator the binary runs on).
/// A binary whose allocator can do it sets this once, first thing in `main`; the
/// pipeline calls it where a stage has dropped what it built on other threads (the
/// workers that emit and format the files), whose freed pages an allocator may
/// otherwise keep until it reuses them. Without it, the pipeline runs the same.
pub static RELEASE_FREED_MEMORY: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

fn release_freed_memory() {
    if let Some(release) = RELEASE_FREED_MEMORY.get() {
        release();
    }
}

/// Runs `f`, recording the time it took in `slot`.
fn timed<R>(slot: &mut Duration, f: impl FnOnce() -> R) -> R {
    let t = Instant::now();
    let r = f();
    *slot = t.elapsed();
    r
}

/// Loads, normalizes, parses and lowers a spec: everything up to the IR.
pub fn lower_spec(spec: &Path, crate_name: Option<&str>) -> Result<(ir::Api, Config), Error> {
    lower_spec_with_config(spec, crate_name, None)
}

/// [`lower_spec`], with the config file at `config` instead of the one beside the
/// spec when given (then it must exist).
pub fn lower_spec_with_config(
    spec: &Path,
    crate_name: Option<&str>,
    config: Option<&Path>,
) -> Result<(ir::Api, Config), Error> {
    lower_timed(spec, crate_name, config, &mut Timings::default())
}

/// [`lower_spec_with_config`] on a thread with a large stack ([`par::with_stack`]),
/// each stage's time recorded in `timings`.
fn lower_timed(
    spec: &Path,
    crate_name: Option<&str>,
    config: Option<&Path>,
    timings: &mut Timings,
) -> Result<(ir::Api, Config), Error> {
    par::with_stack(|| {
        let mut doc = timed(&mut timings.load, || load::load(spec))?;
        // Examples are checked as written, before normalization rewrites their schemas.
        let invalid_examples = timed(&mut timings.validate, || {
            validate::check_examples(&doc.value)
        });
        let notes = timed(&mut timings.normalize, || {
            normalize::normalize(&mut doc.value)
        });
        let parsed = timed(&mut timings.parse, || {
            parse::parse(&mut doc.value, &doc.path)
        })?;
        let config = match config {
            Some(path) => Config::load_file(path, &parsed.info.title, crate_name)?,
            None => Config::load(spec, &parsed.info.title, crate_name)?,
        };
        let example_notes = validate::enforce(invalid_examples, config.strict_examples, &doc.path)?;
        let mut api = timed(&mut timings.lower, || {
            lower::lower(&doc.value, &parsed, &config, &doc.path)
        })?;
        config.check_operations(
            api.resources
                .iter()
                .flat_map(|r| r.operations.iter().map(|op| op.operation_id.as_str())),
            spec,
        )?;
        api.diagnostics.extend(notes);
        api.diagnostics.extend(example_notes);
        api.diagnostics.sort();
        Ok((api, config))
    })
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

/// While a file's parts are joined, freed memory is released after this many bytes
/// (Stripe's peak 60 -> 55 MB).
const RELEASE_AFTER_BYTES: usize = 2 << 20;

/// Types per part of `types.rs`, the one file that can be emitted in parts: small
/// enough for the parts to spread over the threads, large enough to keep the cost of a
/// part's setup small.
const TYPES_PER_PART: usize = 256;

/// Emits and formats every Rust file of the crate ([`par::map`]): each part (a file, or
/// a run of types of `types.rs`) is emitted and printed on one thread (token streams
/// stay on the thread that made them), largest first; a file's printed parts are
/// joined in order. Records the time spent emitting and formatting, summed over the
/// parts, in `timings`.
fn emit_and_format(
    api: &ir::Api,
    config: &Config,
    plan: &plan::Plan,
    timings: &mut Timings,
) -> Result<Vec<(PathBuf, String)>, Error> {
    // (file, piece, part) for every piece of every file.
    let mut jobs: Vec<(usize, usize, emit::Part)> = emit::parts(api)
        .into_iter()
        .enumerate()
        .flat_map(|(file, part)| {
            part.split(TYPES_PER_PART)
                .into_iter()
                .enumerate()
                .map(move |(piece, p)| (file, piece, p))
        })
        .collect();
    // Largest first, so that a big part does not start last.
    let weight = |p: &emit::Part| match p {
        emit::Part::Contract => usize::MAX,
        emit::Part::Types { start, end } => (end - start) * 4,
        emit::Part::Resource(i) => api.resources.get(*i).map_or(0, |r| r.operations.len()),
        _ => 0,
    };
    jobs.sort_by_key(|(_, _, p)| std::cmp::Reverse(weight(p)));
    let mut done = par::map(&jobs, |&(file, piece, part)| {
        let path = part.path(api);
        let t = Instant::now();
        let emitted = emit::emit_part(api, config, plan, part);
        let t2 = Instant::now();
        let text = format::print(&path, emitted);
        (file, piece, path, text, t2 - t, t2.elapsed())
    });
    // File order, then piece order; the first error in that order is reported.
    done.sort_by_key(|(file, piece, ..)| (*file, *piece));
    let t = Instant::now();
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    let mut texts = Vec::new();
    let mut iter = done.into_iter().peekable();
    while let Some((file, _, path, text, emit, format)) = iter.next() {
        timings.emit += emit;
        timings.format += format;
        texts.push(text?);
        if iter.peek().is_none_or(|(next, ..)| *next != file) {
            // The parts were printed on the workers, which have ended: the memory of
            // each part freed here stays resident until released, and Stripe's
            // `types.rs` is 10 MB copied out of 24 parts.
            let mut since_release = 0;
            let text = format::join(std::mem::take(&mut texts), |len| {
                since_release += len;
                if since_release >= RELEASE_AFTER_BYTES {
                    since_release = 0;
                    release_freed_memory();
                }
            });
            out.push((path, text));
        }
    }
    timings.format += t.elapsed();
    Ok(out)
}

/// Runs the whole pipeline in memory, with the templates of `options.templates`.
pub fn generate(options: &Options) -> Result<Generated, Error> {
    let templates = templates::Templates::load(&options.templates)?;
    generate_from(
        &options.spec,
        options.crate_name.as_deref(),
        None,
        &templates,
    )
}

/// Runs the whole pipeline in memory with templates already at hand (such as
/// [`templates::Templates::embedded`]) and, when `config` is given, that config file
/// instead of the one beside the spec.
pub fn generate_from(
    spec: &Path,
    crate_name: Option<&str>,
    config_file: Option<&Path>,
    templates: &templates::Templates,
) -> Result<Generated, Error> {
    let mut timings = Timings::default();
    let (lowered, config) = lower_timed(spec, crate_name, config_file, &mut timings)?;
    let config_file = config_file.map_or_else(|| Config::path_for(spec), Path::to_path_buf);
    // Lowering laid the IR out among the document's and the typed model's allocations,
    // all freed by now: left there, the IR would keep their pages resident through
    // emission. A copy made here packs it into pages of its own (GitHub's peak 35.6 ->
    // 32 MB, Stripe's 66 -> 63 MB; BENCHMARKS.md); the scattered original is dropped
    // while the plan is made. The copy is counted as lowering.
    let t = Instant::now();
    let api = lowered.clone();
    timings.lower += t.elapsed();
    let plan = std::thread::scope(|s| {
        let aside = std::thread::Builder::new().spawn_scoped(s, move || {
            drop(lowered);
            release_freed_memory();
        });
        let plan = plan::Plan::new(&api, &config, &config_file);
        // No thread to spare: the original was dropped with the failed spawn.
        if aside.is_err() {
            release_freed_memory();
        }
        plan
    })?;

    let mut files = FileSet::default();
    let mut busy = Timings::default();
    let rust = timed(&mut timings.emit_format_wall, || {
        emit_and_format(&api, &config, &plan, &mut busy)
    })?;
    for (path, text) in rust {
        files.insert(path, text);
    }
    (timings.emit, timings.format) = (busy.emit, busy.format);
    // The workers' scratch is garbage now; what follows (templates, the surface) would
    // otherwise be laid out beside it.
    release_freed_memory();

    templates.render_into(&config, &api, &plan, &mut files)?;
    let surface = surface::Surface::build(
        &api,
        &config,
        &plan,
        files.get(Path::new("Cargo.toml")).unwrap_or_default(),
    );
    files.insert(surface::FILE, surface.to_json());
    Ok(Generated {
        api,
        config,
        plan,
        surface,
        files,
        timings,
    })
}
