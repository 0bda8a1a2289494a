//! `cargo xtask bench`: how fast the generator is, stage by stage, on the Linq spec and
//! the largest corpus specs; how its time grows with spec size; then the compile time
//! of generated crates ([`crate::bench_compile`]).
//!
//! Every measurement is one child process (`xtask bench-one`) of a release build of
//! the xtask, so each has its own peak memory (`VmHWM`) and nothing warm is carried
//! from one run to the next except the OS file cache. The figures quoted are medians
//! over the runs. The bench fails when a generation crashes or errors, never on a time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use serde_json::{Map, Value, json};

use crate::{Args, repo_root};

/// Pipeline stages in order, as `generator::Timings::stages` names them, plus the wall
/// time of emit and format together (`emit+format`, reported by `bench-one`).
const STAGES: [&str; 11] = [
    "load",
    "validate",
    "normalize",
    "parse",
    "lower",
    "plan",
    "emit",
    "format",
    "emit+format",
    "surface",
    "write",
];

/// Column headings for [`STAGES`].
const HEADINGS: [&str; 11] = [
    "load",
    "validate",
    "normalize",
    "parse",
    "lower",
    "plan",
    "emit*",
    "format*",
    "emit+fmt",
    "surface",
    "write",
];

/// Explains the starred columns.
const FOOTNOTE: &str = "(emit* and format* are the time spent in each, summed over the worker threads that \
emit and format the files in parallel; emit+fmt is the wall time of both together, which is what \
`whole` contains)";

/// The Linq spec, relative to the repository.
const LINQ_SPEC: &str = "spec/linq-api-v3.yaml";

/// The largest corpus specs, measured in detail.
const LARGE_SPECS: &[&str] = &[
    "github-rest.json",
    "stripe.yaml",
    "openai.yaml",
    "box.json",
    "kubernetes-core-v1.json",
];

/// `--quick` (CI): the Linq spec and two small corpus specs, one YAML and one JSON.
const QUICK_SPECS: &[&str] = &["museum.yaml", "stainless.json"];

/// The spec duplicated 1, 2, 4, 8 times for the synthetic scaling table.
const SYNTHETIC_BASE: &str = "oxide-nexus.json";
const SYNTHETIC_FACTORS: &[usize] = &[1, 2, 4, 8];
const QUICK_SYNTHETIC_BASE: &str = "museum.yaml";
const QUICK_SYNTHETIC_FACTORS: &[usize] = &[1, 2];

const USAGE: &str = "usage: cargo xtask bench [--quick] [--runs N] [--dir PATH] [--skip-compile] [--no-build] [--exe XTASK] [--peer ploidy]";

/// One generation, as reported by a `bench-one` child.
#[derive(Debug, Clone, Default)]
pub(crate) struct Run {
    /// Seconds per stage, in [`STAGES`] order.
    stages: [f64; STAGES.len()],
    /// Whole generation (load to write), seconds.
    total: f64,
    /// The child process, from its start to its end (what a user waits for), seconds.
    pub wall: f64,
    pub peak_kb: u64,
    /// Resident memory before the spec was read (the process's own footprint).
    start_kb: u64,
    rust_files: u64,
    rust_lines: u64,
    rust_bytes: u64,
    types: u64,
    operations: u64,
    methods: u64,
}

/// Medians over the runs of one spec.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    pub name: String,
    pub input_bytes: u64,
    pub median: Run,
}

impl Measured {
    /// Peak resident memory over the spec's size.
    pub fn peak_per_input(&self) -> f64 {
        (self.median.peak_kb * 1024) as f64 / self.input_bytes.max(1) as f64
    }
}

pub fn run(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(
        raw,
        &["--quick", "--skip-compile", "--no-build"],
        &["--runs", "--dir", "--peer", "--exe"],
    )
    .map_err(|e| format!("{e}\n{USAGE}"))?;
    let quick = args.flag("--quick");
    let runs = match args.value("--runs") {
        Some(r) => r
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--runs needs a positive number, not `{r}`"))?,
        None if quick => 3,
        None => 7,
    };
    let root = repo_root();
    let corpus = match args.value("--dir") {
        Some(d) => PathBuf::from(d),
        None => std::env::var_os("CORPUS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/corpus")),
    };
    let target = target_dir(&root);
    let scratch = target.join("bench");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;

    let exe = if let Some(exe) = args.value("--exe") {
        PathBuf::from(exe)
    } else if args.flag("--no-build") {
        std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?
    } else {
        build_release(&root, &target)?
    };

    let peer = args.value("--peer");
    if let Some(p) = peer.filter(|p| !crate::bench_peer::PEERS.contains(p)) {
        return Err(format!("unknown peer `{p}` (known: ploidy)\n{USAGE}"));
    }
    // Installed before anything is timed (a build, once).
    let ploidy = peer
        .map(|_| crate::bench_peer::install_ploidy())
        .transpose()?;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# cargo xtask bench{}{}",
        if quick { " --quick" } else { "" },
        peer.map(|p| format!(" --peer {p}")).unwrap_or_default()
    );
    let _ = writeln!(
        out,
        "\nmachine: {} cores (available parallelism), load average at start: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    let _ = writeln!(
        out,
        "generator: release build ({}), {runs} runs per spec, medians quoted; each run is a fresh process writing into an emptied scratch folder under {}",
        exe.display(),
        scratch.display()
    );
    print!("{out}");
    let mut failures: Vec<String> = Vec::new();
    let ctx = Ctx {
        exe: &exe,
        templates: root.join("templates"),
        scratch: &scratch,
    };
    if let Some(ploidy) = ploidy {
        return peer_only(&ctx, &ploidy, &corpus, runs);
    }

    // Detailed specs: the Linq spec and the large (or, quick, the small) corpus specs.
    let mut detailed: Vec<(String, PathBuf)> =
        vec![("linq-api-v3.yaml".into(), root.join(LINQ_SPEC))];
    let wanted = if quick { QUICK_SPECS } else { LARGE_SPECS };
    let corpus_ok = corpus.is_dir();
    if corpus_ok {
        for name in wanted {
            let path = corpus.join(name);
            if path.is_file() {
                detailed.push(((*name).to_string(), path));
            } else {
                println!("note: {} not found; skipped", path.display());
            }
        }
    } else {
        println!(
            "note: no corpus folder at {} (pass --dir PATH or set CORPUS_DIR); only the Linq spec is measured",
            corpus.display()
        );
    }
    let mut measured = Vec::new();
    for (name, path) in &detailed {
        match ctx.measure(name, path, runs) {
            Ok(m) => measured.push(m),
            Err(e) => {
                eprintln!("FAILED {name}: {e}");
                failures.push(format!("{name}: {e}"));
            }
        }
    }
    print!(
        "{}",
        stage_table("Generation time per stage (ms, median)", &measured)
    );
    print!("{}", size_table(&measured));

    // Scaling across the corpus: every spec (quick: the quick ones), fewer runs each.
    if corpus_ok {
        let mut all = Vec::new();
        let scaling_runs = runs.min(3);
        for (path, _) in list_specs(&corpus)? {
            let name = file_name(&path);
            if quick && !QUICK_SPECS.contains(&name.as_str()) {
                continue;
            }
            if let Some(m) = measured.iter().find(|m| m.name == name) {
                all.push(m.clone());
                continue;
            }
            match ctx.measure(&name, &path, scaling_runs) {
                Ok(m) => all.push(m),
                Err(e) => {
                    eprintln!("FAILED {name}: {e}");
                    failures.push(format!("{name}: {e}"));
                }
            }
        }
        all.sort_by_key(|m| m.input_bytes);
        print!("{}", scaling_table(&all));

        let (base, factors) = if quick {
            (QUICK_SYNTHETIC_BASE, QUICK_SYNTHETIC_FACTORS)
        } else {
            (SYNTHETIC_BASE, SYNTHETIC_FACTORS)
        };
        match synthetic(&ctx, &corpus.join(base), factors, scaling_runs) {
            Ok(text) => print!("{text}"),
            Err(e) => {
                eprintln!("FAILED synthetic scaling: {e}");
                failures.push(format!("synthetic {base}: {e}"));
            }
        }
    }

    println!(
        "\nload average at the end of the generation sections: {}",
        load_average()
    );

    if !args.flag("--skip-compile") {
        match crate::bench_compile::run(quick) {
            Ok(section) => print!("{section}"),
            Err(e) => {
                eprintln!("FAILED compile benchmark: {e}");
                failures.push(format!("compile benchmark: {e}"));
            }
        }
    }

    if failures.is_empty() {
        println!("\nbench: every generation succeeded");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("\nbench: {} failure(s):", failures.len());
        for f in &failures {
            println!("  {}", f.replace('\n', "\n    "));
        }
        Ok(ExitCode::FAILURE)
    }
}

/// `--peer ploidy`: the stage table of ours and the comparison with ploidy on
/// [`crate::bench_peer::PEER_SPECS`]; nothing else.
fn peer_only(ctx: &Ctx<'_>, ploidy: &Path, corpus: &Path, runs: usize) -> Result<ExitCode, String> {
    let mut rows = Vec::new();
    for name in crate::bench_peer::PEER_SPECS {
        let spec = corpus.join(name);
        if !spec.is_file() {
            return Err(format!(
                "{} not found (pass --dir PATH or set CORPUS_DIR)",
                spec.display()
            ));
        }
        rows.push(crate::bench_peer::compare(ctx, ploidy, name, &spec, runs)?);
    }
    let measured: Vec<Measured> = rows.iter().map(|r| r.ours.clone()).collect();
    print!(
        "{}",
        stage_table("Generation time per stage (ms, median)", &measured)
    );
    print!("{}", size_table(&measured));
    print!("{}", crate::bench_peer::table(runs, &rows));
    println!("\nload average at the end: {}", load_average());
    Ok(ExitCode::SUCCESS)
}

/// The cargo target dir (`CARGO_TARGET_DIR` or `<repo>/target`), absolute.
fn target_dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    if target.is_absolute() {
        target
    } else {
        root.join(target)
    }
}

/// `cargo build --release -p xtask`; the path of the release binary.
fn build_release(root: &Path, target: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("building the generator in release mode (cargo build --release -p xtask)");
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "xtask"])
        .current_dir(root)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the release build failed ({status})"));
    }
    let exe = target
        .join("release")
        .join(format!("xtask{}", std::env::consts::EXE_SUFFIX));
    if exe.is_file() {
        Ok(exe)
    } else {
        Err(format!("no release binary at {}", exe.display()))
    }
}

/// `/proc/loadavg`'s three averages, or `unknown`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Spec files in `dir` (`.yaml`, `.yml`, `.json`; not generator configs), by name.
fn list_specs(dir: &Path) -> Result<Vec<(PathBuf, u64)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = entry.path();
        let name = file_name(&path);
        let is_spec = [".yaml", ".yml", ".json"].iter().any(|e| name.ends_with(e))
            && !name.ends_with(".codegen.yaml");
        if is_spec && path.is_file() {
            out.push((path, entry.metadata().map(|m| m.len()).unwrap_or(0)));
        }
    }
    out.sort();
    Ok(out)
}

/// What measuring needs: the release binary, the templates, a scratch folder.
pub(crate) struct Ctx<'a> {
    exe: &'a Path,
    templates: PathBuf,
    pub scratch: &'a Path,
}

impl Ctx<'_> {
    /// `runs` generations of `spec`, each in its own process; medians.
    fn measure(&self, name: &str, spec: &Path, runs: usize) -> Result<Measured, String> {
        let input_bytes = std::fs::metadata(spec)
            .map_err(|e| format!("{}: {e}", spec.display()))?
            .len();
        let out_dir = self.scratch.join("out").join(crate_name_for(name));
        let started = Instant::now();
        let mut samples = Vec::with_capacity(runs);
        for _ in 0..runs {
            // A full write every time: the folder is emptied first (not timed).
            if out_dir.exists() {
                std::fs::remove_dir_all(&out_dir)
                    .map_err(|e| format!("cannot empty {}: {e}", out_dir.display()))?;
            }
            samples.push(self.one(spec, &out_dir, &crate_name_for(name))?);
        }
        let median = median_run(&samples);
        eprintln!(
            "measured {name:<32} {runs} runs, median {:>8.1} ms ({:.1}s wall)",
            median.total * 1e3,
            started.elapsed().as_secs_f64()
        );
        Ok(Measured {
            name: name.to_string(),
            input_bytes,
            median,
        })
    }

    /// One `bench-one` child; its output is counted once it has ended, so that
    /// counting is in neither its time nor its [`Run::wall`].
    pub fn one(&self, spec: &Path, out_dir: &Path, crate_name: &str) -> Result<Run, String> {
        let started = Instant::now();
        let output = Command::new(self.exe)
            .arg("bench-one")
            .arg("--spec")
            .arg(spec)
            .arg("--out")
            .arg(out_dir)
            .arg("--name")
            .arg(crate_name)
            .arg("--templates")
            .arg(&self.templates)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot start {}: {e}", self.exe.display()))?;
        let wall = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let report: Option<Value> = stdout
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l).ok());
        let Some(r) = report else {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr
                .lines()
                .find(|l| l.contains("panicked"))
                .or_else(|| stderr.lines().last())
                .unwrap_or("no output");
            return Err(format!("the generator crashed ({}): {last}", output.status));
        };
        if let Some(e) = r["error"].as_str() {
            return Err(format!("generation failed: {e}"));
        }
        let num = |k: &str| r[k].as_u64().unwrap_or(0);
        let mut stages = [0.0; STAGES.len()];
        for (i, s) in STAGES.iter().enumerate() {
            stages[i] = r["stages"][*s].as_f64().unwrap_or(0.0);
        }
        let Tally {
            files,
            lines,
            bytes,
            methods,
        } = Tally::of_folder(out_dir);
        Ok(Run {
            stages,
            total: r["total"].as_f64().unwrap_or(0.0),
            wall,
            peak_kb: num("peak_kb"),
            start_kb: num("start_kb"),
            rust_files: files as u64,
            rust_lines: lines as u64,
            rust_bytes: bytes as u64,
            types: num("types"),
            operations: num("operations"),
            methods: methods as u64,
        })
    }
}

/// `stripe.yaml` -> `bench-stripe`.
pub(crate) fn crate_name_for(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut out = String::from("bench-");
    for c in stem.chars() {
        out.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        });
    }
    out
}

pub(crate) fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Per-field medians (each stage on its own, so the stages need not add up exactly
/// to the median total). Output sizes are the same in every run.
pub(crate) fn median_run(samples: &[Run]) -> Run {
    let mut m = samples.first().cloned().unwrap_or_default();
    for i in 0..STAGES.len() {
        m.stages[i] = median(samples.iter().map(|r| r.stages[i]).collect());
    }
    m.total = median(samples.iter().map(|r| r.total).collect());
    m.peak_kb = median(samples.iter().map(|r| r.peak_kb as f64).collect()) as u64;
    m.start_kb = median(samples.iter().map(|r| r.start_kb as f64).collect()) as u64;
    m
}

fn stage_table(title: &str, measured: &[Measured]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## {title}\n");
    let _ = write!(out, "{:<26} {:>8}", "spec", "input KB");
    for s in HEADINGS {
        let _ = write!(out, " {s:>9}");
    }
    let _ = writeln!(out, " {:>9}", "whole");
    let _ = writeln!(out, "{}", "-".repeat(26 + 9 + 10 * (STAGES.len() + 1)));
    for m in measured {
        let _ = write!(out, "{:<26} {:>8}", m.name, m.input_bytes / 1000);
        for s in m.median.stages {
            let _ = write!(out, " {:>9}", ms(s));
        }
        let _ = writeln!(out, " {:>9}", ms(m.median.total));
    }
    let _ = writeln!(out, "\n{FOOTNOTE}");
    out
}

fn size_table(measured: &[Measured]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\n## Memory and output size\n");
    let _ = writeln!(
        out,
        "{:<26} {:>8} {:>8} {:>7} {:>8} {:>6} {:>9} {:>8} {:>6} {:>5} {:>7}",
        "spec",
        "input KB",
        "peak MB",
        "peak/in",
        "start MB",
        "files",
        "lines",
        "KB",
        "types",
        "ops",
        "methods"
    );
    let _ = writeln!(out, "{}", "-".repeat(102));
    for m in measured {
        let r = &m.median;
        let _ = writeln!(
            out,
            "{:<26} {:>8} {:>8.1} {:>6.1}x {:>8.1} {:>6} {:>9} {:>8} {:>6} {:>5} {:>7}",
            m.name,
            m.input_bytes / 1000,
            r.peak_kb as f64 / 1024.0,
            m.peak_per_input(),
            r.start_kb as f64 / 1024.0,
            r.rust_files,
            r.rust_lines,
            r.rust_bytes / 1000,
            r.types,
            r.operations,
            r.methods
        );
    }
    let _ = writeln!(
        out,
        "\n(peak = the process's peak resident set, VmHWM, including its own footprint (`start`); \
         output = emitted Rust files, not the runtime copied verbatim from templates/; \
         methods = public functions of the resource handles, `with_options` and `_with_response` twins included)"
    );
    out
}

fn ms(seconds: f64) -> String {
    let ms = seconds * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}")
    } else if ms < 100.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.0}")
    }
}

/// Generation time against input size, with the time per KB that linear growth keeps
/// flat, and a bar per spec.
fn scaling_table(all: &[Measured]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Scaling across the corpus (ms, median of up to 3 runs; by input size)\n"
    );
    let _ = write!(out, "{:<30} {:>8}", "spec", "input KB");
    for s in HEADINGS {
        let _ = write!(out, " {s:>9}");
    }
    let _ = writeln!(out, " {:>9} {:>8}", "whole", "µs/KB");
    let _ = writeln!(out, "{}", "-".repeat(30 + 9 + 10 * (STAGES.len() + 1) + 9));
    for m in all {
        let _ = write!(out, "{:<30} {:>8}", m.name, m.input_bytes / 1000);
        for s in m.median.stages {
            let _ = write!(out, " {:>9}", ms(s));
        }
        let _ = writeln!(
            out,
            " {:>9} {:>8.1}",
            ms(m.median.total),
            m.median.total * 1e6 / (m.input_bytes.max(1) as f64 / 1000.0)
        );
    }
    // A plot: whole generation time, one bar per spec, against input size.
    let max_total = all.iter().map(|m| m.median.total).fold(0.0, f64::max);
    if max_total > 0.0 {
        let _ = writeln!(
            out,
            "\nwhole generation time by input size (each # = {:.1} ms):\n",
            max_total * 1e3 / 60.0
        );
        for m in all {
            let n = (m.median.total / max_total * 60.0).round() as usize;
            let _ = writeln!(
                out,
                "{:>6} KB {:<30} {:<60} {}",
                m.input_bytes / 1000,
                m.name,
                "#".repeat(n.max(1)),
                ms(m.median.total)
            );
        }
    }
    out
}

/// The base spec with every component and path copied `factor` times (renamed, with
/// references rewritten to the copies): `factor` times the schemas, operations and
/// examples. Each stage's time should grow by about `factor`.
fn synthetic(ctx: &Ctx<'_>, base: &Path, factors: &[usize], runs: usize) -> Result<String, String> {
    let doc = generator::load::load(base)
        .map_err(|e| e.to_string())?
        .value;
    let dir = ctx.scratch.join("synthetic");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let stem = file_name(base);
    let stem = stem.rsplit_once('.').map_or(stem.as_str(), |(s, _)| s);
    let mut rows: Vec<(usize, usize, Measured)> = Vec::new();
    for &factor in factors {
        let spec = duplicate(&doc, factor);
        let schemas = spec["components"]["schemas"]
            .as_object()
            .map_or(0, Map::len);
        let name = format!("{stem}-x{factor}.json");
        let path = dir.join(&name);
        let text = serde_json::to_string(&spec).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        rows.push((factor, schemas, ctx.measure(&name, &path, runs)?));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Synthetic scaling: {} with every component and path copied N times (ms, median of {runs} runs)\n",
        file_name(base)
    );
    let _ = write!(out, "{:>3} {:>8} {:>8}", "N", "schemas", "input KB");
    for s in HEADINGS {
        let _ = write!(out, " {s:>9}");
    }
    let _ = writeln!(out, " {:>9} {:>8}", "whole", "peak MB");
    let _ = writeln!(out, "{}", "-".repeat(21 + 10 * (STAGES.len() + 1) + 9));
    for (factor, schemas, m) in &rows {
        let _ = write!(out, "{factor:>3} {schemas:>8} {:>8}", m.input_bytes / 1000);
        for s in m.median.stages {
            let _ = write!(out, " {:>9}", ms(s));
        }
        let _ = writeln!(
            out,
            " {:>9} {:>8.1}",
            ms(m.median.total),
            m.median.peak_kb as f64 / 1024.0
        );
    }
    // Growth per doubling: time at 2N over time at N, per stage (linear is 2.0).
    let _ = writeln!(
        out,
        "\ngrowth when the spec doubles (time at 2N / time at N; linear = 2.00):\n"
    );
    let _ = write!(out, "{:>12}", "N -> 2N");
    for s in HEADINGS {
        let _ = write!(out, " {s:>9}");
    }
    let _ = writeln!(out, " {:>9}", "whole");
    for pair in rows.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.0 != 2 * a.0 {
            continue;
        }
        let _ = write!(out, "{:>12}", format!("{} -> {}", a.0, b.0));
        for i in 0..STAGES.len() {
            let _ = write!(
                out,
                " {:>9}",
                ratio(b.2.median.stages[i], a.2.median.stages[i])
            );
        }
        let _ = writeln!(out, " {:>9}", ratio(b.2.median.total, a.2.median.total));
    }
    Ok(out)
}

fn ratio(b: f64, a: f64) -> String {
    if a > 0.0 {
        format!("{:.2}", b / a)
    } else {
        "-".into()
    }
}

/// `doc` with `factor - 1` renamed copies of every component (except security schemes,
/// which security requirements name) and of every path and webhook.
fn duplicate(doc: &Value, factor: usize) -> Value {
    let mut out = doc.clone();
    for k in 1..factor {
        let suffix = format!("Dup{k}");
        if let Some(Value::Object(components)) = doc.get("components") {
            for (section, entries) in components {
                let Value::Object(entries) = entries else {
                    continue;
                };
                if section == "securitySchemes" {
                    continue;
                }
                let mut copies = Vec::new();
                for (name, entry) in entries {
                    copies.push((format!("{name}{suffix}"), renamed(entry, &suffix)));
                }
                if let Some(Value::Object(target)) = out["components"].get_mut(section.as_str()) {
                    target.extend(copies);
                }
            }
        }
        for section in ["paths", "webhooks", "x-webhooks"] {
            let Some(Value::Object(items)) = doc.get(section) else {
                continue;
            };
            let mut copies = Vec::new();
            for (name, item) in items {
                let key = if section == "paths" {
                    format!("/dup{k}{name}")
                } else {
                    format!("{name}{suffix}")
                };
                let mut item = renamed(item, &suffix);
                suffix_operation_ids(&mut item, &suffix);
                copies.push((key, item));
            }
            if let Some(Value::Object(target)) = out.get_mut(section) {
                target.extend(copies);
            }
        }
    }
    out
}

/// A copy of `v` whose `#/components/...` references (and discriminator mappings)
/// point at the copies named with `suffix`.
fn renamed(v: &Value, suffix: &str) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (key, value) in map {
                let value = match (key.as_str(), value) {
                    ("$ref", Value::String(r)) => Value::String(rename_ref(r, suffix)),
                    ("mapping", Value::Object(m)) => Value::Object(
                        m.iter()
                            .map(|(tag, target)| {
                                let target = match target {
                                    Value::String(t) if t.starts_with('#') => {
                                        Value::String(rename_ref(t, suffix))
                                    }
                                    Value::String(t) => Value::String(format!("{t}{suffix}")),
                                    other => other.clone(),
                                };
                                (tag.clone(), target)
                            })
                            .collect(),
                    ),
                    _ => renamed(value, suffix),
                };
                out.insert(key.clone(), value);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| renamed(i, suffix)).collect()),
        other => other.clone(),
    }
}

/// `#/components/schemas/Pet/properties/x` -> `#/components/schemas/PetDup1/properties/x`.
fn rename_ref(r: &str, suffix: &str) -> String {
    let Some(rest) = r.strip_prefix("#/components/") else {
        return r.to_string();
    };
    let mut parts: Vec<String> = rest.splitn(3, '/').map(str::to_string).collect();
    if parts.len() >= 2 && parts[0] != "securitySchemes" {
        parts[1].push_str(suffix);
    }
    format!("#/components/{}", parts.join("/"))
}

fn suffix_operation_ids(item: &mut Value, suffix: &str) {
    let Value::Object(item) = item else { return };
    for (_, op) in item.iter_mut() {
        if let Some(Value::String(id)) = op.get_mut("operationId") {
            id.push_str(suffix);
        }
    }
}

/// `xtask bench-one --spec S --out DIR --name CRATE --templates T`: one generation
/// (written to `DIR`), reported as one JSON line (used by `bench` as a child process).
pub fn run_one(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(raw, &[], &["--spec", "--out", "--name", "--templates"])?;
    let need = |k: &str| {
        args.value(k)
            .map(PathBuf::from)
            .ok_or_else(|| format!("bench-one needs {k}"))
    };
    let start_kb = memory_kb("VmRSS:");
    let options = generator::Options {
        spec: need("--spec")?,
        templates: need("--templates")?,
        crate_name: args.value("--name").map(str::to_string),
    };
    let out = need("--out")?;
    let started = Instant::now();
    // As `cargo xtask codegen` runs: each Rust source is staged as soon as it is made.
    let result = generator::write::Staged::open(&out, false, false).and_then(|mut output| {
        let mut g = generator::generate_streamed(&options, &mut output)?;
        let t = Instant::now();
        g.put_into(&mut output)?;
        output.finish()?;
        g.timings.write = t.elapsed();
        Ok(g)
    });
    let total = started.elapsed().as_secs_f64();
    let peak_kb = memory_kb("VmHWM:");
    let report = match result {
        Ok(g) => {
            let mut stages = Map::new();
            for (name, d) in g.timings.stages() {
                stages.insert(name.to_string(), json!(d.as_secs_f64()));
            }
            stages.insert(
                "emit+format".to_string(),
                json!(g.timings.emit_format_wall.as_secs_f64()),
            );
            json!({
                "stages": stages,
                "total": total,
                "peak_kb": peak_kb,
                "start_kb": start_kb,
                "types": g.api.types.len(),
                "operations": g.api.resources.iter().map(|r| r.operations.len()).sum::<usize>(),
            })
        }
        Err(e) => json!({ "error": e.to_string(), "total": total, "peak_kb": peak_kb }),
    };
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// Emitted Rust files (not the runtime copied from `templates/`), their lines and
/// bytes, and the public functions of the resource handles.
#[derive(Default)]
struct Tally {
    files: usize,
    lines: usize,
    bytes: usize,
    methods: usize,
}

impl Tally {
    /// The files of a generated crate, as its manifest lists them.
    fn of_folder(root: &Path) -> Tally {
        let mut tally = Tally::default();
        let manifest =
            std::fs::read_to_string(root.join(generator::write::MANIFEST)).unwrap_or_default();
        for rel in manifest.lines().filter(|l| !l.starts_with('#')) {
            if let Ok(text) = std::fs::read_to_string(root.join(rel)) {
                tally.count(Path::new(rel), &text);
            }
        }
        tally
    }

    /// Counts the file `rel`.
    fn count(&mut self, rel: &Path, text: &str) {
        if rel.extension().is_none_or(|e| e != "rs") || rel.starts_with("src/runtime") {
            return;
        }
        self.files += 1;
        self.lines += text.lines().count();
        self.bytes += text.len();
        if rel.starts_with("src/resources") {
            self.methods += text
                .lines()
                .map(str::trim_start)
                .filter(|l| l.starts_with("pub fn ") || l.starts_with("pub async fn "))
                .count();
        }
    }
}

/// A `/proc/self/status` field in KB (Linux); 0 elsewhere.
fn memory_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with(field))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_names() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(
            crate_name_for("kubernetes-core-v1.json"),
            "bench-kubernetes-core-v1"
        );
    }

    #[test]
    fn duplication_renames_components_and_references() {
        let doc = json!({
            "paths": {"/pets": {"get": {"operationId": "listPets", "responses": {"200": {
                "$ref": "#/components/responses/Pets"}}}}},
            "components": {
                "schemas": {"Pet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}],
                    "discriminator": {"propertyName": "t", "mapping": {"cat": "Cat", "c": "#/components/schemas/Cat"}}},
                    "Cat": {"type": "object"}},
                "responses": {"Pets": {"description": "", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Pet/properties/x"}}}}},
                "securitySchemes": {"key": {"type": "apiKey"}}
            }
        });
        let d = duplicate(&doc, 2);
        assert_eq!(
            d["components"]["schemas"].as_object().map(Map::len),
            Some(4)
        );
        assert_eq!(
            d["components"]["schemas"]["PetDup1"]["oneOf"][0]["$ref"],
            "#/components/schemas/CatDup1"
        );
        assert_eq!(
            d["components"]["schemas"]["PetDup1"]["discriminator"]["mapping"]["cat"],
            "CatDup1"
        );
        assert_eq!(
            d["components"]["responses"]["PetsDup1"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/PetDup1/properties/x"
        );
        assert_eq!(
            d["paths"]["/dup1/pets"]["get"]["responses"]["200"]["$ref"],
            "#/components/responses/PetsDup1"
        );
        assert_eq!(
            d["paths"]["/dup1/pets"]["get"]["operationId"],
            "listPetsDup1"
        );
        assert_eq!(
            d["components"]["securitySchemes"].as_object().map(Map::len),
            Some(1)
        );
    }
}
