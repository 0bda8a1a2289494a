//! Compile time of generated crates: `cargo check` and `cargo build` of one generated
//! crate alone, its dependencies already built. Printed by `cargo xtask bench` after
//! the generation sections; `--quick` measures the Linq crate only.
//!
//! The crates are generated (with the current generator) into `<target>/bench-compile/`,
//! one scratch workspace, checked and built with the target dir `<target>/corpus` that
//! `cargo xtask corpus` uses too (same profile: `dev` with `debug = false`), so the
//! dependencies are usually warm already. An untimed `cargo check` and `cargo build`
//! of each crate come first (they build whatever dependency is missing). Each timed
//! run then touches the crate's `src/lib.rs` and runs cargo with `CARGO_INCREMENTAL=0`,
//! so that exactly that crate is compiled, from scratch: what a first build after a
//! regeneration costs. Times are medians of the runs; CPU is user + system time of
//! cargo and the compiler. Nothing here fails on a time, only when cargo fails.
//!
//! Besides the default build of the Linq crate and of the Stripe and GitHub corpus
//! crates, the full run measures what the crate's per-resource Cargo features save
//! (Stripe with one resource, and with none) and the `serde: as-needed` config option.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

use crate::repo_root;

/// Timed runs per measurement (the median is reported).
const RUNS: usize = 3;

/// `cargo check` targets (seconds, dependencies warm, 2 cores) from issue 6.
const TARGETS: [(&str, f64); 3] = [
    ("linq-api", 2.0),
    ("corpus-github-rest", 18.0),
    ("corpus-stripe", 30.0),
];

/// One crate of the scratch workspace.
struct Crate {
    /// Package name.
    name: String,
    /// Where it was generated.
    dir: PathBuf,
    /// Lines of generated Rust (runtime excluded).
    lines: usize,
    /// Resources and operations, and the resource with the most operations.
    resources: usize,
    operations: usize,
    largest: Option<(String, usize)>,
}

/// A measurement: median wall and CPU seconds over the runs.
#[derive(Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

/// The report section, as printable text.
pub fn run(quick: bool) -> Result<String, String> {
    let root = repo_root();
    let target = target_dir(&root);
    let scratch = target.join("bench-compile");
    let cargo_target = target.join("corpus");
    std::fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let load_before = load_average();

    // What to generate: (spec, crate name or the config's, serde: as-needed).
    let mut specs: Vec<(PathBuf, Option<String>)> =
        vec![(root.join("spec/linq-api-v3.yaml"), None)];
    let mut notes = Vec::new();
    let mut as_needed: Vec<(PathBuf, String)> = Vec::new();
    if !quick {
        let corpus = std::env::var_os("CORPUS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("../shared/corpus"));
        for (file, name) in [
            ("github-rest.json", "corpus-github-rest"),
            ("stripe.yaml", "corpus-stripe"),
        ] {
            let spec = corpus.join(file);
            if spec.is_file() {
                specs.push((spec.clone(), Some(name.to_string())));
                as_needed.push((spec, format!("{name}-as-needed")));
            } else {
                notes.push(format!(
                    "{} not found (set CORPUS_DIR): not measured",
                    spec.display()
                ));
            }
        }
    }

    let mut crates = Vec::new();
    for (spec, name) in &specs {
        crates.push(generate(&root, spec, name.as_deref(), &scratch)?);
    }
    // The same specs with `serde: as-needed`, read through a link beside a config file.
    let mut needed = Vec::new();
    for (spec, name) in &as_needed {
        match as_needed_spec(&scratch, spec) {
            Some(linked) => needed.push(generate(&root, &linked, Some(name), &scratch)?),
            None => notes.push(format!(
                "{name}: cannot link the spec beside a config file here; not measured"
            )),
        }
    }
    write_workspace(&root, &scratch, crates.iter().chain(&needed))?;

    let cx = Cx {
        scratch: &scratch,
        cargo_target: &cargo_target,
    };
    for c in crates.iter().chain(&needed) {
        eprintln!(
            "compile bench: warming up {} (builds missing dependencies)",
            c.name
        );
        cx.cargo("check", &c.name, &[])?;
        cx.cargo("build", &c.name, &[])?;
    }

    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Generated crates: compile time\n\n\
         Each crate alone, its dependencies built: `touch src/lib.rs`, then \
         `CARGO_INCREMENTAL=0 cargo check|build -p <crate>` (profile dev, debug = false, \
         target dir {}); median of {RUNS} runs; CPU = user + system of cargo and rustc. \
         Cores: {}.\n",
        cargo_target.display(),
        cores()
    );
    let _ = writeln!(
        out,
        "{:<32} {:>8} {:>5} {:>14} {:>14} {:>9}",
        "crate", "lines", "ops", "check s (cpu)", "build s (cpu)", "check <"
    );
    let _ = writeln!(out, "{}", "-".repeat(87));
    let mut checks = Vec::new();
    for c in &crates {
        let check = cx.time("check", c, &[])?;
        let build = cx.time("build", c, &[])?;
        checks.push((c.name.clone(), check));
        let target =
            TARGETS
                .iter()
                .find(|(n, _)| *n == c.name)
                .map_or("-".to_string(), |(_, t)| {
                    let verdict = if check.wall < *t { "met" } else { "MISSED" };
                    format!("{t:.0} s {verdict}")
                });
        let _ = writeln!(
            out,
            "{:<32} {:>8} {:>5} {:>14} {:>14} {:>9}",
            c.name,
            c.lines,
            c.operations,
            timing(check),
            timing(build),
            target
        );
    }

    // Per-resource features: the largest corpus crate with one resource, and with none.
    if let Some(c) = crates.iter().rev().find(|c| c.name.starts_with("corpus-"))
        && let Some((resource, ops)) = &c.largest
    {
        let all = checks.iter().find(|(n, _)| *n == c.name).map(|(_, t)| *t);
        let one = cx.time(
            "check",
            c,
            &["--no-default-features", "--features", resource],
        )?;
        let none = cx.time("check", c, &["--no-default-features"])?;
        let _ = writeln!(
            out,
            "\nPer-resource features, `cargo check -p {}` ({} resources, {} operations):\n",
            c.name, c.resources, c.operations
        );
        let _ = writeln!(out, "{:<64} {:>14}", "features", "check s (cpu)");
        let _ = writeln!(out, "{}", "-".repeat(79));
        if let Some(all) = all {
            let _ = writeln!(
                out,
                "{:<64} {:>14}",
                "default (`full`: every resource)",
                timing(all)
            );
        }
        let _ = writeln!(
            out,
            "{:<64} {:>14}",
            format!("--no-default-features --features {resource} ({ops} operations)"),
            timing(one)
        );
        let _ = writeln!(
            out,
            "{:<64} {:>14}",
            "--no-default-features (runtime only)",
            timing(none)
        );
    }

    if !needed.is_empty() {
        let _ = writeln!(
            out,
            "\n`serde: as-needed` (each type gets only the serde directions the API uses):\n"
        );
        let _ = writeln!(
            out,
            "{:<32} {:>8} {:>14} {:>14} {:>14}",
            "crate", "lines", "check s (cpu)", "both (default)", "build s (cpu)"
        );
        let _ = writeln!(out, "{}", "-".repeat(86));
        for c in &needed {
            let check = cx.time("check", c, &[])?;
            let build = cx.time("build", c, &[])?;
            let base = c.name.trim_end_matches("-as-needed");
            let both = checks
                .iter()
                .find(|(n, _)| n == base)
                .map_or("-".to_string(), |(_, t)| timing(*t));
            let _ = writeln!(
                out,
                "{:<32} {:>8} {:>14} {:>14} {:>14}",
                c.name,
                c.lines,
                timing(check),
                both,
                timing(build)
            );
        }
    }

    for n in &notes {
        let _ = writeln!(out, "\nnote: {n}");
    }
    let _ = writeln!(
        out,
        "\nload average before: {load_before}; after: {}",
        load_average()
    );
    Ok(out)
}

/// Generates one crate into the scratch workspace.
fn generate(root: &Path, spec: &Path, name: Option<&str>, scratch: &Path) -> Result<Crate, String> {
    let options = generator::Options {
        spec: spec.to_path_buf(),
        templates: root.join("templates"),
        crate_name: name.map(str::to_string),
    };
    let g = generator::generate(&options).map_err(|e| e.to_string())?;
    let crate_name = g
        .files
        .get(Path::new("Cargo.toml"))
        .and_then(package_name)
        .or_else(|| name.map(str::to_string))
        .ok_or_else(|| format!("{}: no package name", spec.display()))?;
    let dir = scratch.join(&crate_name);
    generator::write::write(&dir, &g.files).map_err(|e| e.to_string())?;
    let lines = g
        .files
        .iter()
        .filter(|(p, _)| {
            p.extension().is_some_and(|e| e == "rs")
                && p.starts_with("src")
                && !p.starts_with("src/runtime")
        })
        .map(|(_, text)| text.lines().count())
        .sum();
    let largest = g
        .api
        .resources
        .iter()
        .zip(g.plan.features.resources.iter().cloned())
        .max_by_key(|(r, _)| r.operations.len())
        .map(|(r, feature)| (feature, r.operations.len()));
    Ok(Crate {
        name: crate_name,
        dir,
        lines,
        resources: g.api.resources.len(),
        operations: g.api.resources.iter().map(|r| r.operations.len()).sum(),
        largest,
    })
}

/// `name = "..."` of a Cargo.toml's `[package]`.
fn package_name(manifest: &str) -> Option<String> {
    let line = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("name = "))?;
    let value = line.split_once('=')?.1.trim();
    Some(value.trim_matches('"').to_string())
}

/// `<scratch>/specs/<file>` linking to `spec`, beside a config file saying
/// `serde: as-needed` (the corpus folder is left untouched).
fn as_needed_spec(scratch: &Path, spec: &Path) -> Option<PathBuf> {
    let dir = scratch.join("specs");
    std::fs::create_dir_all(&dir).ok()?;
    let linked = dir.join(spec.file_name()?);
    let _ = std::fs::remove_file(&linked);
    link(spec, &linked)?;
    std::fs::write(
        generator::Config::path_for(&linked),
        "# Written by `cargo xtask bench`.\nserde: as-needed\n",
    )
    .ok()?;
    Some(linked)
}

#[cfg(unix)]
fn link(original: &Path, link: &Path) -> Option<()> {
    std::os::unix::fs::symlink(original, link).ok()
}

#[cfg(not(unix))]
fn link(_original: &Path, _link: &Path) -> Option<()> {
    None
}

/// The scratch workspace's manifest (and lock file, seeded from the repository's).
fn write_workspace<'a>(
    root: &Path,
    scratch: &Path,
    crates: impl Iterator<Item = &'a Crate>,
) -> Result<(), String> {
    let mut manifest = String::from(
        "# Written by `cargo xtask bench`: the crates whose compile time it measures.\n\
         [workspace]\nresolver = \"2\"\nmembers = [\n",
    );
    for c in crates {
        let _ = writeln!(manifest, "    \"{}\",", c.name);
    }
    // The profile of `cargo xtask corpus`, so both share built dependencies.
    manifest.push_str("]\n\n[profile.dev]\ndebug = false\n");
    let path = scratch.join("Cargo.toml");
    std::fs::write(&path, manifest).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let lock = scratch.join("Cargo.lock");
    if !lock.exists()
        && let Ok(text) = std::fs::read_to_string(root.join("Cargo.lock"))
    {
        std::fs::write(&lock, text).map_err(|e| format!("cannot write {}: {e}", lock.display()))?;
    }
    Ok(())
}

/// Where and how cargo runs.
struct Cx<'a> {
    scratch: &'a Path,
    cargo_target: &'a Path,
}

impl Cx<'_> {
    /// Runs `cargo <command> -p <name> <extra>`; its stderr.
    fn cargo(&self, command: &str, name: &str, extra: &[&str]) -> Result<String, String> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .arg(command)
            .args(["-p", name])
            .args(extra)
            .current_dir(self.scratch)
            .env("CARGO_TARGET_DIR", self.cargo_target)
            .env("CARGO_INCREMENTAL", "0")
            .env("CARGO_TERM_COLOR", "never")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        if !output.status.success() {
            let tail: Vec<&str> = stderr.lines().rev().take(20).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            return Err(format!(
                "`cargo {command} -p {name} {}` failed ({}):\n{}",
                extra.join(" "),
                output.status,
                tail.join("\n")
            ));
        }
        Ok(stderr)
    }

    /// Median wall and CPU time of `RUNS` compilations of the crate alone.
    fn time(&self, command: &str, c: &Crate, extra: &[&str]) -> Result<Timing, String> {
        // One untimed run with these arguments, so that the timed ones compile only the
        // crate (other features are other artifacts of it).
        if !extra.is_empty() {
            self.cargo(command, &c.name, extra)?;
        }
        let verb = if command == "check" {
            "Checking"
        } else {
            "Compiling"
        };
        let mut walls = Vec::new();
        let mut cpus = Vec::new();
        for _ in 0..RUNS {
            touch(&c.dir.join("src/lib.rs"))?;
            let cpu_before = children_cpu_seconds();
            let started = Instant::now();
            let stderr = self.cargo(command, &c.name, extra)?;
            let wall = started.elapsed().as_secs_f64();
            let cpu = children_cpu_seconds() - cpu_before;
            if stderr.contains("Blocking waiting for file lock") {
                return Err(format!(
                    "`cargo {command} -p {}` waited for another cargo's lock: not a clean measurement",
                    c.name
                ));
            }
            let compiled = stderr
                .lines()
                .filter(|l| l.trim_start().starts_with(verb))
                .count();
            if compiled != 1 {
                return Err(format!(
                    "`cargo {command} -p {}` compiled {compiled} crates, not just the crate:\n{stderr}",
                    c.name
                ));
            }
            walls.push(wall);
            cpus.push(cpu);
        }
        eprintln!(
            "compile bench: {command} {} {}: {:.2} s",
            c.name,
            extra.join(" "),
            median(walls.clone())
        );
        Ok(Timing {
            wall: median(walls),
            cpu: median(cpus),
        })
    }
}

/// Sets a file's modification time to now, so that cargo compiles its crate again.
fn touch(path: &Path) -> Result<(), String> {
    std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()))
        .map_err(|e| format!("cannot touch {}: {e}", path.display()))
}

/// User + system seconds of this process's waited-for children (Linux; 0 elsewhere).
fn children_cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; cutime and cstime are the 16th and
    // 17th fields of the line, in clock ticks (USER_HZ, 100 on Linux).
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(13) + ticks(14)) / 100.0
}

fn timing(t: Timing) -> String {
    format!("{:.2} ({:.1})", t.wall, t.cpu)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => 0.0,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
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

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `/proc/loadavg`'s three averages, or `unknown`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_package_name_and_medians() {
        let manifest = "# x\n[package]\nname = \"corpus-stripe\"\nversion = \"0.1.0\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("corpus-stripe"));
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0]), 2.5);
    }
}
