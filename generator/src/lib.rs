//! An OpenAPI-to-Rust client generator.
//!
//! The pipeline, one module per stage:
//! [`load`] -> [`normalize`] -> [`parse`] -> [`lower`] (to the [`ir`]) -> [`emit`] ->
//! [`format`] -> [`write`]. [`generate`] runs the stages up to formatting and returns
//! the crate's files in memory; [`generate_into`] hands each Rust source to a
//! [`write::Sink`] as it is made (the CLI's [`write::Staged`], which stages them and
//! touches the output folder only once all of them succeeded).

pub mod api_diff;
pub mod config;
pub mod emit;
pub mod error;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod member;
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

/// Puts the rest of `generated`'s files into `output` and finishes it (writing the
/// folder, or comparing with it when `output` checks), printing what a command line
/// tool reports: notes on stderr, a summary on stdout, a diff on stderr when the folder
/// is stale (then `Ok(false)`). `shown` names the folder in messages, `stale_hint` ends
/// the stale message (the command that regenerates it).
pub fn write_or_check(
    generated: &Generated,
    mut output: write::Staged,
    spec: &Path,
    shown: &str,
    stale_hint: &str,
) -> Result<bool, Error> {
    for d in &generated.api.diagnostics {
        eprintln!("note: {}: {d}", spec.display());
    }
    generated.put_into(&mut output)?;
    let check = output.checks();
    let (changes, diff) = output.finish()?;
    if check {
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
    /// To the IR (and its copy, see [`generate_into`]).
    pub lower: Duration,
    /// What emission is told about the whole API ([`plan::Plan::new`]).
    pub plan: Duration,
    /// To token streams.
    pub emit: Duration,
    /// prettyplease.
    pub format: Duration,
    /// Emit and format run together on several threads: `emit` and `format` are the
    /// time spent in each, summed over threads; this is the wall time of both.
    pub emit_format_wall: Duration,
    /// The templates' files and the crate's surface, after the Rust sources.
    pub surface: Duration,
    /// Putting the files on disk ([`Generated::write_to`]); zero until then.
    pub write: Duration,
}

impl Timings {
    /// The stages by name, in pipeline order.
    pub fn stages(&self) -> [(&'static str, Duration); 10] {
        [
            ("load", self.load),
            ("validate", self.validate),
            ("normalize", self.normalize),
            ("parse", self.parse),
            ("lower", self.lower),
            ("plan", self.plan),
            ("emit", self.emit),
            ("format", self.format),
            ("surface", self.surface),
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
    /// Every file of the crate, path relative to the crate root ([`generate`],
    /// [`generate_from`]); from [`generate_into`], only those not yet handed to its
    /// sink: the templates' files (`api.json` is printed from `surface` when put,
    /// [`Generated::put_into`]).
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
    /// Hands the files not yet put to `sink`: `files`, then `api.json` printed from
    /// `surface` (unless `files` holds it, as from [`generate`]).
    pub fn put_into(&self, sink: &mut dyn write::Sink) -> Result<(), Error> {
        self.files.put_into(sink)?;
        if self.files.get(Path::new(surface::FILE)).is_none() {
            self.surface.put_json(sink)?;
        }
        Ok(())
    }

    /// Makes the folder `out` match the files ([`write::write`]), recording the time
    /// in `timings.write`.
    pub fn write_to(&mut self, out: &Path) -> Result<write::Changes, Error> {
        let t = Instant::now();
        let changes = write::write(out, &self.files)?;
        self.timings.write = t.elapsed();
        Ok(changes)
    }
}

/// Once this many bytes of printed parts have been put away, their memory (printed on
/// the workers) is released: Stripe's `types.rs` is 10 MB in 24 parts.
const RELEASE_AFTER_BYTES: usize = 2 << 20;

/// Types per part of `types.rs`, the one file that can be emitted in parts: small
/// enough for the parts to spread over the threads, large enough to keep the cost of a
/// part's setup small.
const TYPES_PER_PART: usize = 256;

/// A file being handed over, a printed part at a time.
#[derive(Default)]
struct InParts {
    /// The next part to hand over.
    next: usize,
    joiner: format::Joiner,
    /// Parts printed before the next one was.
    ahead: std::collections::BTreeMap<usize, String>,
}

/// Emits and formats every Rust file of the crate ([`par::for_each_done`]): each part
/// (a file, or a run of types of `types.rs`) is emitted and printed on one thread
/// (token streams stay on the thread that made them), largest first. Each printed part
/// is handed to `sink` as soon as the parts of its file before it have been, and then
/// dropped, while the rest is still being made. Records the time spent emitting and
/// formatting, summed over the parts, in `timings`. On failure, the first error in
/// file order is returned (whichever part failed first in time), and nothing more is
/// handed over.
fn emit_and_format(
    api: &ir::Api,
    config: &Config,
    plan: &plan::Plan,
    timings: &mut Timings,
    sink: &mut dyn write::Sink,
) -> Result<(), Error> {
    // (file, piece, part) for every piece of every file, and each file's piece count.
    let files = emit::parts(api);
    let mut pieces_of = vec![0; files.len()];
    let mut jobs: Vec<(usize, usize, emit::Part)> = Vec::new();
    for (file, part) in files.into_iter().enumerate() {
        let pieces = part.split(TYPES_PER_PART);
        pieces_of[file] = pieces.len();
        jobs.extend(
            pieces
                .into_iter()
                .enumerate()
                .map(|(piece, p)| (file, piece, p)),
        );
    }
    // Largest first, so that a big part does not start last; the contract suite, one
    // large part (Stripe's is 1.8 MB of code), right after the full runs of types: at
    // the start, beside them, the two would be the largest parts in memory at once.
    let weight = |p: &emit::Part| match p {
        emit::Part::Contract => TYPES_PER_PART * 4 - 1,
        emit::Part::Types { start, end } => (end - start) * 4,
        emit::Part::Resource(i) => api.resources.get(*i).map_or(0, |r| r.operations.len()),
        _ => 0,
    };
    jobs.sort_by_key(|(_, _, p)| std::cmp::Reverse(weight(p)));
    // Each file is handed over a part at a time, in order, as soon as the parts before
    // it have been: Stripe's 10 MB `types.rs` (24 parts) is never held whole.
    let mut progress: std::collections::HashMap<usize, InParts> = Default::default();
    let mut first_error: Option<((usize, usize), Error)> = None;
    fn keep_first(first: &mut Option<((usize, usize), Error)>, at: (usize, usize), e: Error) {
        if first.as_ref().is_none_or(|(seen, _)| at < *seen) {
            *first = Some((at, e));
        }
    }
    let mut freed = 0;
    par::for_each_done(
        &jobs,
        |&(file, piece, part)| {
            let path = part.path(api);
            let t = Instant::now();
            let emitted = emit::emit_part(api, config, plan, part);
            let t2 = Instant::now();
            let text = format::print(&path, emitted);
            (file, piece, path, text, t2 - t, t2.elapsed())
        },
        |_, (file, piece, path, text, emit, format)| {
            timings.emit += emit;
            timings.format += format;
            let text = match text {
                Ok(text) => text,
                Err(e) => return keep_first(&mut first_error, (file, piece), e),
            };
            if first_error.is_some() {
                // Nothing more is put: the output is abandoned.
                return;
            }
            let t = Instant::now();
            let pieces = pieces_of[file];
            let InParts {
                next,
                joiner,
                ahead,
            } = progress.entry(file).or_default();
            ahead.insert(piece, text);
            let mut put = Ok(());
            while put.is_ok()
                && let Some(part) = ahead.remove(next)
            {
                let (first, last) = (*next == 0, *next + 1 == pieces);
                *next += 1;
                freed += part.len();
                put = (|| {
                    if first {
                        sink.add(&path, format::HEADER, true, false)?;
                    }
                    sink.add(&path, joiner.before(&part), false, false)?;
                    sink.add(&path, &part, false, last)
                })();
            }
            if let Err(e) = put {
                keep_first(&mut first_error, (file, usize::MAX), e);
            }
            if freed >= RELEASE_AFTER_BYTES {
                // Printed on the workers and freed here, the parts' memory would
                // otherwise stay resident.
                freed = 0;
                release_freed_memory();
            }
            timings.format += t.elapsed();
        },
    );
    first_error.map_or(Ok(()), |(_, e)| Err(e))
}

/// Runs the whole pipeline in memory, with the templates of `options.templates`.
pub fn generate(options: &Options) -> Result<Generated, Error> {
    in_memory(|files| generate_streamed(options, files))
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
    in_memory(|files| generate_into(spec, crate_name, config_file, templates, files))
}

/// A generation into a sink, with every file (the rest put after the sources, as a
/// sink would take them) held in `Generated::files`.
fn in_memory(
    run: impl FnOnce(&mut FileSet) -> Result<Generated, Error>,
) -> Result<Generated, Error> {
    let mut files = FileSet::default();
    let mut generated = run(&mut files)?;
    generated.put_into(&mut files)?;
    generated.files = files;
    Ok(generated)
}

/// [`generate`], handing each Rust source to `sink` as soon as it is made
/// ([`generate_into`]).
pub fn generate_streamed(
    options: &Options,
    sink: &mut dyn write::Sink,
) -> Result<Generated, Error> {
    let templates = templates::Templates::load(&options.templates)?;
    generate_into(
        &options.spec,
        options.crate_name.as_deref(),
        None,
        &templates,
        sink,
    )
}

/// [`generate_from`], handing each Rust source to `sink` as soon as it is made
/// (`Generated::files` then holds only the files made after them: the templates' and
/// `api.json`, which a release step may still change before they are put too). A
/// large crate is never held whole in memory this way.
pub fn generate_into(
    spec: &Path,
    crate_name: Option<&str>,
    config_file: Option<&Path>,
    templates: &templates::Templates,
    sink: &mut dyn write::Sink,
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
    let t = Instant::now();
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
    timings.plan = t.elapsed();

    let mut busy = Timings::default();
    timed(&mut timings.emit_format_wall, || {
        emit_and_format(&api, &config, &plan, &mut busy, sink)
    })?;
    (timings.emit, timings.format) = (busy.emit, busy.format);
    // The workers' scratch is garbage now; what follows (templates, the surface) would
    // otherwise be laid out beside it.
    release_freed_memory();

    let t = Instant::now();
    let mut files = FileSet::default();
    templates.render_into(&config, &api, &plan, &mut files)?;
    let surface = surface::Surface::build(
        &api,
        &config,
        &plan,
        files.get(Path::new("Cargo.toml")).unwrap_or_default(),
    );
    timings.surface = t.elapsed();
    Ok(Generated {
        api,
        config,
        plan,
        surface,
        files,
        timings,
    })
}
