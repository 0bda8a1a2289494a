//! `cargo xtask corpus`: generate a client crate for every spec in a folder, `cargo
//! check` them all in one scratch workspace, and print a table.
//!
//! Each spec is generated in a child process (`xtask corpus-one`), so a crash in one
//! spec is reported rather than taking the run down, and so its peak memory can be read.
//! The crates go into `<target>/corpus-crates/`, one scratch cargo workspace sharing one
//! `Cargo.lock` (seeded from the repository's, so no new dependency versions are
//! resolved) and one target dir (`<target>/corpus`). Nothing is written in the
//! repository outside its git-ignored target dir.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Args, repo_root};

/// `--quick` keeps specs up to this size: the small examples, Linq's published spec,
/// a medium one (Spotify). Enough to exercise every stage on a cold CI machine.
const QUICK_MAX_BYTES: u64 = 300_000;

/// `--quick --contract` keeps these specs (building a contract suite costs more than
/// checking a crate): the small examples and two small real APIs, Linq's among them.
const QUICK_CONTRACT: &[&str] = &[
    "linq-partner-api-2026-02.yaml",
    "museum.yaml",
    "oai-api-with-examples.json",
    "oai-callback-example.yaml",
    "oai-petstore-expanded.json",
    "oai-petstore.yaml",
    "oai-uspto.yaml",
    "stainless.json",
];

/// How long building one spec's contract suite may take, and then running it against
/// Prism (`--contract-timeout`).
const CONTRACT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// What happened to one spec.
#[derive(Debug, Default)]
struct Outcome {
    spec: String,
    crate_name: String,
    size: u64,
    operations: usize,
    /// Resource handles, sub-resources included.
    resources: usize,
    /// Methods whose name needed a numeric suffix (`get_2`) to be unique.
    suffixed: usize,
    types: usize,
    gen_time: Duration,
    peak_kb: Option<u64>,
    diagnostics: Vec<String>,
    /// Paginated operations by style (`cursor`, `last-item`, `page`, `offset`, `link`).
    pagination: BTreeMap<String, usize>,
    generate_error: Option<String>,
    check: Check,
}

#[derive(Debug, Default)]
struct Check {
    ran: bool,
    compiled: bool,
    errors: usize,
    warnings: usize,
    first_error: Option<String>,
    first_warning: Option<String>,
}

fn usage() -> &'static str {
    "usage: cargo xtask corpus [--filter NAME[,NAME..]] [--jobs N] [--dir PATH] [--quick] [--no-check] [--contract] [--contract-timeout SECS]"
}

pub fn run(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(
        raw,
        &["--quick", "--no-check", "--contract"],
        &["--filter", "--jobs", "--dir", "--contract-timeout"],
    )
    .map_err(|e| format!("{e}\n{}", usage()))?;
    let root = repo_root();
    let dir = match args.value("--dir") {
        Some(d) => PathBuf::from(d),
        None => std::env::var_os("CORPUS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/corpus")),
    };
    if !dir.is_dir() {
        return Err(format!(
            "no spec folder at {} (pass --dir PATH or set CORPUS_DIR)",
            dir.display()
        ));
    }
    let jobs = match args.value("--jobs") {
        Some(j) => j
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--jobs needs a positive number, not `{j}`"))?,
        None => std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    let filters: Vec<String> = args
        .value("--filter")
        .map(|f| f.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let quick = args.flag("--quick");
    let contract = args.flag("--contract");
    let contract_timeout = match args.value("--contract-timeout") {
        Some(t) => Duration::from_secs(
            t.parse::<u64>()
                .map_err(|_| format!("--contract-timeout needs seconds, not `{t}`"))?,
        ),
        None => CONTRACT_TIMEOUT,
    };

    let mut specs = list_specs(&dir)?;
    specs.retain(|(path, size)| {
        let name = file_name(path);
        (filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
            && match (quick, contract) {
                (false, _) => true,
                (true, false) => *size <= QUICK_MAX_BYTES,
                (true, true) => QUICK_CONTRACT.contains(&name.as_str()),
            }
    });
    if specs.is_empty() {
        return Err(format!("no spec in {} matches", dir.display()));
    }

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let target = if target.is_absolute() {
        target
    } else {
        root.join(target)
    };
    let scratch = target.join("corpus-crates");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;

    // Generate, `jobs` children at a time.
    let started = Instant::now();
    let exe = std::env::current_exe().map_err(|e| format!("cannot find xtask itself: {e}"))?;
    let templates = root.join("templates");
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs.min(specs.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((path, size)) = specs.get(i) else {
                        break;
                    };
                    let outcome = generate_one(&exe, path, *size, &scratch, &templates);
                    eprintln!(
                        "generated {:<32} {}",
                        outcome.spec,
                        match &outcome.generate_error {
                            None => format!("in {:.2}s", outcome.gen_time.as_secs_f64()),
                            Some(_) => "FAILED".to_string(),
                        }
                    );
                    if let Ok(mut r) = results.lock() {
                        r.push(outcome);
                    }
                }
            });
        }
    });
    let mut outcomes = results.into_inner().map_err(|e| e.to_string())?;
    outcomes.sort_by(|a, b| a.spec.cmp(&b.spec));
    let gen_wall = started.elapsed();

    let check_wall = if args.flag("--no-check") {
        None
    } else {
        let t = Instant::now();
        check_all(&root, &target, &scratch, &mut outcomes)?;
        Some(t.elapsed())
    };

    let mut contracts = BTreeMap::new();
    let contract_wall = if contract {
        let t = Instant::now();
        let prism = crate::contract::install_prism()?;
        write_workspace(&root, &scratch, &outcomes)?;
        for o in &outcomes {
            if o.generate_error.is_some() || (o.check.ran && !o.check.compiled) {
                continue;
            }
            let Some((path, _)) = specs.iter().find(|(p, _)| file_name(p) == o.spec) else {
                continue;
            };
            if o.operations == 0 {
                // Nothing to call (a spec of webhooks only): Prism refuses to start.
                contracts.insert(o.spec.clone(), Default::default());
                continue;
            }
            eprintln!("contract: {}", o.spec);
            let run = crate::corpus_contract::run_spec(
                &prism,
                path,
                &scratch,
                &target,
                &o.crate_name,
                contract_timeout,
            );
            eprintln!(
                "contract: {:<32} {}",
                o.spec,
                crate::corpus_contract::columns(Some(&run))
            );
            contracts.insert(o.spec.clone(), run);
        }
        Some(t.elapsed())
    } else {
        None
    };

    print!("{}", report(&outcomes, gen_wall, check_wall, &contracts));
    if let Some(wall) = contract_wall {
        let runs: Vec<(&str, &crate::corpus_contract::SpecContract)> =
            contracts.iter().map(|(s, c)| (s.as_str(), c)).collect();
        print!("{}", crate::corpus_contract::details(&runs));
        println!("contract runs: {:.1}s wall", wall.as_secs_f64());
    }
    let small_invalid: Vec<&str> = contracts
        .iter()
        .filter(|(spec, c)| {
            !BIG_SPECS.iter().any(|b| spec.starts_with(b))
                && (c.count(crate::corpus_contract::Class::InvalidRequest) > 0
                    || c.not_run.is_some())
        })
        .map(|(spec, _)| spec.as_str())
        .collect();
    if !small_invalid.is_empty() {
        println!(
            "contract: invalid requests (or no run) on small or mid-size specs: {}",
            small_invalid.join(", ")
        );
    }
    let ok = outcomes
        .iter()
        .filter(|o| o.generate_error.is_none() && (check_wall.is_none() || o.check.compiled))
        .count();
    let what = if check_wall.is_some() {
        "generate and compile"
    } else {
        "generate (not checked)"
    };
    println!("corpus: {ok}/{} {what}", outcomes.len());
    Ok(if ok == outcomes.len() && small_invalid.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.push((path, size));
        }
    }
    out.sort();
    Ok(out)
}

/// `linq-partner-api-2026-02.yaml` -> `corpus-linq-partner-api-2026-02`.
fn crate_name_for(spec: &Path) -> String {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut name = String::from("corpus-");
    for c in stem.chars() {
        name.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        });
    }
    name
}

fn generate_one(exe: &Path, spec: &Path, size: u64, scratch: &Path, templates: &Path) -> Outcome {
    let crate_name = crate_name_for(spec);
    let mut outcome = Outcome {
        spec: file_name(spec),
        crate_name: crate_name.clone(),
        size,
        ..Outcome::default()
    };
    let out_dir = scratch.join(&crate_name);
    let started = Instant::now();
    let output = Command::new(exe)
        .arg("corpus-one")
        .arg("--spec")
        .arg(spec)
        .arg("--out")
        .arg(&out_dir)
        .arg("--name")
        .arg(&crate_name)
        .arg("--templates")
        .arg(templates)
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => {
            outcome.generate_error = Some(format!("cannot start the generator: {e}"));
            return outcome;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Option<Value> = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok());
    match report {
        Some(r) => {
            outcome.gen_time = Duration::from_secs_f64(r["seconds"].as_f64().unwrap_or(0.0));
            outcome.peak_kb = r["peak_kb"].as_u64();
            if let Some(e) = r["error"].as_str() {
                outcome.generate_error = Some(e.to_string());
            } else {
                outcome.operations = r["operations"].as_u64().unwrap_or(0) as usize;
                outcome.resources = r["resources"].as_u64().unwrap_or(0) as usize;
                outcome.suffixed = r["suffixed"].as_u64().unwrap_or(0) as usize;
                outcome.types = r["types"].as_u64().unwrap_or(0) as usize;
                if let Some(styles) = r["pagination"].as_object() {
                    for (style, n) in styles {
                        outcome
                            .pagination
                            .insert(style.clone(), n.as_u64().unwrap_or(0) as usize);
                    }
                }
                outcome.diagnostics = r["diagnostics"]
                    .as_array()
                    .map(|d| {
                        d.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
            }
        }
        None => {
            outcome.gen_time = started.elapsed();
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr
                .lines()
                .find(|l| l.contains("panicked"))
                .or_else(|| stderr.lines().last())
                .unwrap_or("no output");
            outcome.generate_error =
                Some(format!("the generator crashed ({}): {last}", output.status));
        }
    }
    outcome
}

/// `xtask corpus-one --spec S --out DIR --name CRATE --templates T`: generates one crate
/// and prints one JSON line about it (used by `corpus` as a child process).
pub fn run_one(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(raw, &[], &["--spec", "--out", "--name", "--templates"])?;
    let need = |k: &str| {
        args.value(k)
            .map(PathBuf::from)
            .ok_or_else(|| format!("corpus-one needs {k}"))
    };
    let spec = need("--spec")?;
    let out = need("--out")?;
    let templates = need("--templates")?;
    let options = generator::Options {
        spec: spec.clone(),
        templates,
        crate_name: args.value("--name").map(str::to_string),
    };
    let started = Instant::now();
    let result = generator::generate(&options).and_then(|g| {
        generator::write::write(&out, &g.files)?;
        Ok(g)
    });
    let seconds = started.elapsed().as_secs_f64();
    let peak_kb = peak_memory_kb();
    let report = match result {
        Ok(g) => {
            let notes: Vec<String> = g.api.diagnostics.iter().map(|d| d.to_string()).collect();
            let mut text = String::new();
            for n in &notes {
                let _ = writeln!(text, "{n}");
            }
            let notes_file = out.with_extension("notes.txt");
            let _ = std::fs::write(&notes_file, text);
            let mut pagination: BTreeMap<&str, usize> = BTreeMap::new();
            for op in g.api.resources.iter().flat_map(|r| &r.operations) {
                if let Some(p) = &op.pagination {
                    *pagination.entry(p.style.name()).or_default() += 1;
                }
            }
            json!({
                "operations": g.api.resources.iter().map(|r| r.operations.len()).sum::<usize>(),
                "pagination": pagination,
                "resources": g.api.resources.len(),
                "suffixed": g
                    .api
                    .resources
                    .iter()
                    .flat_map(|r| &r.operations)
                    .filter(|o| has_numeric_suffix(&o.name))
                    .count(),
                "types": g.api.types.len(),
                "diagnostics": notes,
                "seconds": seconds,
                "peak_kb": peak_kb,
            })
        }
        Err(e) => json!({ "error": e.to_string(), "seconds": seconds, "peak_kb": peak_kb }),
    };
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// `get_2`, `list_10`: a name made unique by a number.
fn has_numeric_suffix(name: &str) -> bool {
    name.rsplit_once('_').is_some_and(|(base, n)| {
        !base.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
    })
}

/// The process's peak resident memory, where the OS tells it cheaply (Linux).
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The big specs, where `--contract` measures a rate rather than demanding no invalid
/// request (file name prefixes).
const BIG_SPECS: &[&str] = &[
    "github",
    "stripe",
    "openai",
    "box",
    "discord",
    "kubernetes",
    "twilio",
];

/// Writes the scratch workspace's manifest (every generated crate a member) and seeds
/// its `Cargo.lock` from the repository's; returns the members.
fn write_workspace<'a>(
    root: &Path,
    scratch: &Path,
    outcomes: &'a [Outcome],
) -> Result<Vec<&'a str>, String> {
    let members: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.generate_error.is_none())
        .map(|o| o.crate_name.as_str())
        .collect();
    if members.is_empty() {
        return Ok(members);
    }
    let mut manifest = String::from(
        "# Written by `cargo xtask corpus`: one scratch workspace for the corpus crates.\n[workspace]\nresolver = \"2\"\nmembers = [\n",
    );
    for m in &members {
        let _ = writeln!(manifest, "    \"{m}\",");
    }
    manifest.push_str("]\n\n[profile.dev]\ndebug = false\n");
    let write = |path: PathBuf, text: &str| {
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(scratch.join("Cargo.toml"), &manifest)?;
    let lock = scratch.join("Cargo.lock");
    if !lock.exists() {
        // Same dependency versions as the repository's own generated client.
        if let Ok(text) = std::fs::read_to_string(root.join("Cargo.lock")) {
            write(lock, &text)?;
        }
    }
    Ok(members)
}

/// Writes the scratch workspace and runs one `cargo check` over all its members.
fn check_all(
    root: &Path,
    target: &Path,
    scratch: &Path,
    outcomes: &mut [Outcome],
) -> Result<(), String> {
    let members = write_workspace(root, scratch, outcomes)?.len();
    if members == 0 {
        return Ok(());
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "checking {} crates in {} (target dir {})",
        members,
        scratch.display(),
        target.join("corpus").display()
    );
    let mut child = Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--message-format",
            "json-diagnostic-short",
        ])
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", target.join("corpus"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let by_dir: BTreeMap<PathBuf, usize> = outcomes
        .iter()
        .enumerate()
        .filter(|(_, o)| o.generate_error.is_none())
        .map(|(i, o)| (scratch.join(&o.crate_name), i))
        .collect();
    for o in outcomes.iter_mut().filter(|o| o.generate_error.is_none()) {
        o.check.ran = true;
    }
    let locate = |msg: &Value| -> Option<usize> {
        let manifest = Path::new(msg["manifest_path"].as_str()?);
        by_dir.get(manifest.parent()?).copied()
    };
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            let Some(i) = locate(&msg) else { continue };
            let o = &mut outcomes[i].check;
            match msg["reason"].as_str() {
                Some("compiler-artifact") => o.compiled = true,
                Some("compiler-message") => {
                    let m = &msg["message"];
                    let has_spans = m["spans"].as_array().is_some_and(|s| !s.is_empty());
                    match m["level"].as_str() {
                        Some("error") if has_spans || o.first_error.is_none() => {
                            o.errors += usize::from(has_spans);
                            if o.first_error.is_none() {
                                o.first_error =
                                    m["rendered"].as_str().map(|r| r.trim().to_string());
                            }
                        }
                        Some("warning") if has_spans => {
                            o.warnings += 1;
                            if o.first_warning.is_none() {
                                o.first_warning =
                                    m["rendered"].as_str().map(|r| r.trim().to_string());
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    for o in outcomes.iter_mut() {
        if o.check.errors > 0 {
            o.check.compiled = false;
        }
        if o.check.ran && !o.check.compiled && o.check.first_error.is_none() {
            o.check.first_error = Some(format!("cargo check failed ({status})"));
        }
    }
    Ok(())
}

fn report(
    outcomes: &[Outcome],
    gen_wall: Duration,
    check_wall: Option<Duration>,
    contracts: &BTreeMap<String, crate::corpus_contract::SpecContract>,
) -> String {
    let mut out = String::new();
    let contract_header = if contracts.is_empty() {
        String::new()
    } else {
        format!(" {}", crate::corpus_contract::columns_header())
    };
    let _ = writeln!(
        out,
        "\n{:<32} {:>7} {:>5} {:>5} {:>5} {:>5} {:>6} {:>7} {:>7} {:<7} {:>5} {:>9} {:>8}{contract_header}",
        "spec",
        "size KB",
        "ops",
        "res",
        "sfx",
        "paged",
        "types",
        "gen s",
        "peak MB",
        "check",
        "warn",
        "fallbacks",
        "bad ex."
    );
    let _ = writeln!(out, "{}", "-".repeat(123));
    for o in outcomes {
        let check = match (&o.generate_error, o.check.ran, o.check.compiled) {
            (Some(_), _, _) => "-",
            (None, false, _) => "skipped",
            (None, true, true) => "ok",
            (None, true, false) => "FAIL",
        };
        let gen_s = if o.generate_error.is_some() {
            "FAIL".to_string()
        } else {
            format!("{:.2}", o.gen_time.as_secs_f64())
        };
        let contract_cells = if contracts.is_empty() {
            String::new()
        } else {
            format!(
                " {}",
                crate::corpus_contract::columns(contracts.get(&o.spec))
            )
        };
        let _ = writeln!(
            out,
            "{:<32} {:>7} {:>5} {:>5} {:>5} {:>5} {:>6} {:>7} {:>7} {:<7} {:>5} {:>9} {:>8}{contract_cells}",
            o.spec,
            o.size / 1000,
            o.operations,
            o.resources,
            o.suffixed,
            o.pagination.values().sum::<usize>(),
            o.types,
            gen_s,
            o.peak_kb
                .map_or("-".to_string(), |k| format!("{:.0}", k as f64 / 1024.0)),
            check,
            o.check.warnings,
            o.diagnostics
                .iter()
                .filter(|d| !is_bad_example(d) && !is_pagination_note(d))
                .count(),
            o.diagnostics.iter().filter(|d| is_bad_example(d)).count(),
        );
    }
    let _ = writeln!(
        out,
        "ops: operations (one client method each); res: resource handles, sub-resources included; \
         sfx: methods named with a numeric suffix (`get_2`); paged: operations returning pages; total {} of {} methods",
        outcomes.iter().map(|o| o.suffixed).sum::<usize>(),
        outcomes.iter().map(|o| o.operations).sum::<usize>()
    );
    // Which styles the paginated operations use (declared or detected; the notes list
    // each detection).
    let paged: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| !o.pagination.is_empty())
        .collect();
    if !paged.is_empty() {
        let _ = writeln!(out, "\npaginated operations by style:");
        for o in paged {
            let styles: Vec<String> = o
                .pagination
                .iter()
                .map(|(style, n)| format!("{style} {n}"))
                .collect();
            let _ = writeln!(out, "  {:<32} {}", o.spec, styles.join(", "));
        }
    }
    let failures: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.generate_error.is_some() || (o.check.ran && !o.check.compiled))
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nfailures:");
        for o in failures {
            let what = o
                .generate_error
                .clone()
                .or_else(|| o.check.first_error.clone())
                .unwrap_or_default();
            let _ = writeln!(out, "  {}: {}", o.spec, what.replace('\n', "\n      "));
        }
    }
    let warned: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.check.first_warning.is_some())
        .collect();
    if !warned.is_empty() {
        let _ = writeln!(out, "\nfirst warning per crate:");
        for o in warned {
            let w = o.check.first_warning.clone().unwrap_or_default();
            let _ = writeln!(out, "  {}: {}", o.spec, w.replace('\n', "\n      "));
        }
    }
    // Fallbacks by kind: the message with quoted names blanked, counted over the corpus.
    let mut kinds: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for o in outcomes {
        let mut seen_here = std::collections::HashSet::new();
        for d in &o.diagnostics {
            let message = d.split_once(": ").map_or(d.as_str(), |(_, m)| m);
            let kind = blank_quoted(message);
            // `example does not validate against its schema: at /x: ...` -> its kind.
            let kind = match kind.split_once(": ") {
                Some((head, _)) => head.to_string(),
                None => kind,
            };
            let e = kinds.entry(kind.clone()).or_default();
            e.0 += 1;
            if seen_here.insert(kind) {
                e.1 += 1;
            }
        }
    }
    if !kinds.is_empty() {
        let mut sorted: Vec<_> = kinds.into_iter().collect();
        sorted.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
        let _ = writeln!(
            out,
            "\ndiagnostics by kind (count, specs; `bad ex.` are spec examples that do not fit their schema), details in <target>/corpus-crates/*.notes.txt:"
        );
        for (kind, (n, specs)) in sorted {
            let _ = writeln!(out, "  {n:>5} {specs:>3}  {kind}");
        }
    }
    let total_gen: f64 = outcomes.iter().map(|o| o.gen_time.as_secs_f64()).sum();
    let _ = writeln!(
        out,
        "\ngeneration: {:.1}s wall ({total_gen:.1}s summed){}",
        gen_wall.as_secs_f64(),
        check_wall.map_or(String::new(), |c| format!(
            "; cargo check: {:.1}s",
            c.as_secs_f64()
        ))
    );
    out
}

/// A diagnostic about the spec's own example data rather than a generator fallback.
/// A note listing a detected pagination (or a config entry the spec lacks), not a
/// fallback.
fn is_pagination_note(d: &str) -> bool {
    d.split_once(": ")
        .is_some_and(|(_, m)| m.starts_with("pagination"))
}

fn is_bad_example(d: &str) -> bool {
    d.contains("example does not validate against its schema")
}

/// `path parameter `id` is not declared` -> `path parameter `…` is not declared`.
fn blank_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut inside = false;
    for c in message.chars() {
        if c == '`' {
            if !inside {
                out.push_str("`…");
            } else {
                out.push('`');
            }
            inside = !inside;
        } else if !inside {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_and_kinds() {
        assert_eq!(
            crate_name_for(Path::new("/x/linq-partner-api-2026-02.yaml")),
            "corpus-linq-partner-api-2026-02"
        );
        assert_eq!(crate_name_for(Path::new("a/B_c.json")), "corpus-b-c");
        assert_eq!(
            blank_quoted("param `a` at `b` is x"),
            "param `…` at `…` is x"
        );
    }
}
