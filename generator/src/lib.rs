//! An OpenAPI-to-Rust client generator.
//!
//! The pipeline, one module per stage:
//! [`load`] -> [`normalize`] -> [`parse`] -> [`lower`] (to the [`ir`]) -> [`plan`] ->
//! [`emit`] -> [`format`] -> [`write`]. [`generate`] runs the stages up to formatting and returns
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
pub mod parse;
pub mod plan;
pub mod pointer;
pub mod surface;
pub mod templates;
pub mod validate;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// Stack of each thread the pipeline runs on. Recursion over the spec's nesting is
/// bounded (parsers' depth limits, `MAX_NESTING` in lowering), and within those
/// bounds a generous stack, reserved but touched only as needed, keeps deep specs
/// from overflowing a small default stack (a test thread has 2 MiB).
const STACK_BYTES: usize = 256 << 20;

/// Runs `f` on a thread with a [`STACK_BYTES`] stack (on this thread when no thread
/// can be started).
fn with_stack<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let f = std::sync::Mutex::new(Some(f));
    let run = || {
        let f = f.lock().ok().and_then(|mut f| f.take());
        f.map(|f| f())
    };
    let on_thread = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, run)
            .ok()
            .map(|handle| match handle.join() {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            })
    });
    match on_thread.flatten().or_else(run) {
        Some(r) => r,
        None => unreachable!("`f` is taken once, by the thread or here"),
    }
}

/// Loads, normalizes, parses and lowers a spec: everything up to the IR.
pub fn lower_spec(
    spec: &Path,
    crate_name: Option<&str>,
    timings: &mut Timings,
) -> Result<(ir::Api, Config), Error> {
    lower_spec_with_config(spec, crate_name, None, timings)
}

/// [`lower_spec`], with the config file at `config` instead of the one beside the
/// spec when given (then it must exist).
pub fn lower_spec_with_config(
    spec: &Path,
    crate_name: Option<&str>,
    config: Option<&Path>,
    timings: &mut Timings,
) -> Result<(ir::Api, Config), Error> {
    with_stack(|| lower_spec_here(spec, crate_name, config, timings))
}

fn lower_spec_here(
    spec: &Path,
    crate_name: Option<&str>,
    config: Option<&Path>,
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

    let config = match config {
        Some(path) => Config::load_file(path, &parsed.info.title, crate_name)?,
        None => Config::load(spec, &parsed.info.title, crate_name)?,
    };
    let example_notes = validate::enforce(invalid_examples, config.strict_examples, &doc.path)?;

    let t = Instant::now();
    let mut api = lower::lower(&doc.value, &parsed, &config, &doc.path)?;
    config.check_operations(
        api.resources
            .iter()
            .flat_map(|r| r.operations.iter().map(|op| op.operation_id.as_str())),
        spec,
    )?;
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

/// Time the emit and format workers spent in each stage, summed over workers.
#[derive(Debug, Default, Clone, Copy)]
struct Busy {
    emit: Duration,
    format: Duration,
}

/// Types per part of `types.rs`, the one file that can be emitted in parts: small
/// enough for the parts to spread over the threads, large enough to keep the cost of a
/// part's setup small.
const TYPES_PER_PART: usize = 256;

/// Emits and formats every Rust file of the crate on up to as many threads as the
/// machine has cores. Each part (a file, or a run of types of `types.rs`) is emitted
/// and printed on one thread (token streams stay on the thread that made them),
/// largest first; a file's printed parts are joined in order. The text of a file does
/// not depend on the thread count.
fn emit_and_format(
    api: &ir::Api,
    config: &Config,
    plan: &plan::Plan,
) -> Result<(Vec<(PathBuf, String)>, Busy), Error> {
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
    let files = jobs.iter().map(|(f, _, _)| f + 1).max().unwrap_or(0);
    // Largest first, so that a big part does not start last.
    let weight = |p: &emit::Part| match p {
        emit::Part::Contract => usize::MAX,
        emit::Part::Types { start, end } => (end - start) * 4,
        emit::Part::Resource(i) => api.resources.get(*i).map_or(0, |r| r.operations.len()),
        _ => 0,
    };
    jobs.sort_by_key(|(_, _, p)| std::cmp::Reverse(weight(p)));
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut busy = Busy::default();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(file, piece, part)) = jobs.get(i) else {
                break;
            };
            let path = part.path(api);
            let t = Instant::now();
            let emitted = emit::emit_part(api, config, plan, part);
            let t2 = Instant::now();
            busy.emit += t2 - t;
            let text = format::print(&path, emitted);
            busy.format += t2.elapsed();
            done.push((file, piece, path, text));
        }
        (done, busy)
    };
    let mut results = Vec::new();
    let mut busy = Busy::default();
    let mut collect = |(done, b): (Vec<_>, Busy)| {
        results.extend(done);
        busy.emit += b.emit;
        busy.format += b.format;
    };
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(s, work)
                    .ok()
            })
            .collect();
        if handles.is_empty() {
            collect(work());
        }
        for h in handles {
            match h.join() {
                Ok(r) => collect(r),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    // File order, then piece order; the first error in that order is reported.
    results.sort_by_key(|(file, piece, _, _)| (*file, *piece));
    let t = Instant::now();
    let mut out: Vec<(PathBuf, String)> = Vec::with_capacity(files);
    let mut texts = Vec::new();
    let mut iter = results.into_iter().peekable();
    while let Some((file, _, path, text)) = iter.next() {
        texts.push(text?);
        if iter.peek().is_none_or(|(next, _, _, _)| *next != file) {
            out.push((path, format::join(std::mem::take(&mut texts))));
        }
    }
    busy.format += t.elapsed();
    Ok((out, busy))
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
    let (api, config) = lower_spec_with_config(spec, crate_name, config_file, &mut timings)?;
    let config_file = config_file.map_or_else(|| Config::path_for(spec), Path::to_path_buf);
    let plan = plan::Plan::new(&api, &config, &config_file)?;

    let t = Instant::now();
    let mut files = FileSet::default();
    let (rust, busy) = emit_and_format(&api, &config, &plan)?;
    for (path, text) in rust {
        files.insert(path, text);
    }
    timings.emit = busy.emit;
    timings.format = busy.format;
    timings.emit_format_wall = t.elapsed();

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
