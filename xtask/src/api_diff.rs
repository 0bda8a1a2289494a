//! `cargo xtask api-diff OLD_SPEC NEW_SPEC [--format json]`: the changes of the
//! generated crate's public API between two specs, with their semver class; writes
//! nothing. A spec may be named at a git revision (`REV:path`), with the config beside
//! it at the same revision.
//!
//! `cargo xtask api-diff --verify [--filter A,B]`: for every scenario of
//! `generator/tests/api_diff/`, generates the old and the new crate and runs
//! cargo-semver-checks (pinned, installed into the cache folder) on them, then compares
//! its verdict (breaking or not) with the report's class. Slow; not part of CI.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use generator::api_diff::{Class, Report, diff};

use crate::repo_root;

/// The cargo-semver-checks release the verdicts are compared with.
const SEMVER_CHECKS_VERSION: &str = "0.51.0";

/// The scenarios, relative to the repository root.
const SCENARIOS: &str = "generator/tests/api_diff";

pub fn run(raw: &[String]) -> Result<ExitCode, String> {
    let mut positional = Vec::new();
    let mut json = false;
    let mut verify = false;
    let mut filter: Option<String> = None;
    let mut it = raw.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--verify" => verify = true,
            "--format" => match it.next().map(String::as_str) {
                Some("json") => json = true,
                Some("text") => json = false,
                other => return Err(format!("--format takes `text` or `json`, not {other:?}")),
            },
            "--format=json" => json = true,
            "--format=text" => json = false,
            "--filter" => {
                filter = Some(it.next().ok_or("--filter needs a value")?.clone());
            }
            other if other.starts_with("--") => {
                return Err(format!("unexpected argument `{other}`"));
            }
            other => positional.push(other.to_string()),
        }
    }
    if verify {
        return verify_all(filter.as_deref());
    }
    let [old, new] = positional.as_slice() else {
        return Err(
            "usage: cargo xtask api-diff OLD_SPEC NEW_SPEC [--format json] | --verify [--filter A,B]"
                .to_string(),
        );
    };
    let scratch = std::env::temp_dir().join(format!("api-diff-{}", std::process::id()));
    let result = (|| {
        let old = resolve(old, &scratch.join("old"))?;
        let new = resolve(new, &scratch.join("new"))?;
        compare(&old, &new)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    let report = result?;
    if json {
        print!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(ExitCode::SUCCESS)
}

/// A spec path, or `REV:path` read from git (with its config) into `scratch`.
fn resolve(spec: &str, scratch: &Path) -> Result<PathBuf, String> {
    let path = PathBuf::from(spec);
    if path.exists() {
        return Ok(path);
    }
    let Some((rev, file)) = spec.split_once(':') else {
        return Err(format!("{spec}: no such file"));
    };
    let root = repo_root();
    let show = |file: &str| -> Result<Option<Vec<u8>>, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(["show", &format!("{rev}:{file}")])
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        Ok(out.status.success().then_some(out.stdout))
    };
    let text = show(file)?.ok_or_else(|| format!("{spec}: not in git at `{rev}`"))?;
    std::fs::create_dir_all(scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let name = Path::new(file)
        .file_name()
        .ok_or_else(|| format!("{spec}: no file name"))?;
    let target = scratch.join(name);
    std::fs::write(&target, text).map_err(|e| format!("{}: {e}", target.display()))?;
    let config = generator::Config::path_for(Path::new(file));
    if let Some(text) = show(&config.to_string_lossy())? {
        let at = generator::Config::path_for(&target);
        std::fs::write(&at, text).map_err(|e| format!("{}: {e}", at.display()))?;
    }
    Ok(target)
}

fn generate(spec: &Path) -> Result<generator::Generated, String> {
    generator::generate(&generator::Options {
        spec: spec.to_path_buf(),
        templates: repo_root().join("templates"),
        crate_name: None,
    })
    .map_err(|e| e.to_string())
}

fn compare(old: &Path, new: &Path) -> Result<Report, String> {
    let old = generate(old)?;
    let new = generate(new)?;
    Ok(diff(&old.surface, &new.surface))
}

/// The `cargo-semver-checks` binary of the pinned version, installed if missing.
fn install_semver_checks() -> Result<PathBuf, String> {
    let root = crate::contract::tool_dir("cargo-semver-checks")?;
    let bin = root.join("bin").join("cargo-semver-checks");
    let installed = Command::new(&bin)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if installed.as_deref() == Some(&format!("cargo-semver-checks {SEMVER_CHECKS_VERSION}")) {
        return Ok(bin);
    }
    eprintln!(
        "api-diff: installing cargo-semver-checks {SEMVER_CHECKS_VERSION} into {} (a long build)",
        root.display()
    );
    let status = Command::new("cargo")
        .args(["install", "--locked", "--root"])
        .arg(&root)
        .arg(format!("cargo-semver-checks@{SEMVER_CHECKS_VERSION}"))
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        return Err(format!("installing cargo-semver-checks failed ({status})"));
    }
    Ok(bin)
}

/// The cargo target dir (`CARGO_TARGET_DIR` or `<repo>/target`), absolute.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_absolute() { t } else { root.join(t) })
        .unwrap_or_else(|| root.join("target"))
}

/// What a scenario's `semver-checks.txt` says cargo-semver-checks concludes, when it
/// differs from the report: its first line is `breaking` or `not breaking`, the rest
/// says why.
fn expected_divergence(dir: &Path) -> Option<(bool, String)> {
    let text = std::fs::read_to_string(dir.join("semver-checks.txt")).ok()?;
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let breaking = match first.trim() {
        "breaking" => true,
        "not breaking" => false,
        _ => return None,
    };
    Some((breaking, rest.trim().replace('\n', " ")))
}

/// Writes the crate generated from `spec` to `out` as version 1.0.0 (so that
/// cargo-semver-checks judges a minor release by 1.x rules), in a workspace of its own.
fn write_crate(spec: &Path, out: &Path) -> Result<generator::Generated, String> {
    let mut g = generate(spec)?;
    g.config.version = "1.0.0".to_string();
    let templates = generator::templates::Templates::load(&repo_root().join("templates"))
        .map_err(|e| e.to_string())?;
    templates
        .render_into(&g.config, &g.api, &g.plan, &mut g.files)
        .map_err(|e| e.to_string())?;
    let manifest = g
        .files
        .get(Path::new("Cargo.toml"))
        .unwrap_or_default()
        .to_string();
    g.files
        .insert("Cargo.toml", format!("{manifest}\n[workspace]\n"));
    generator::write::write(out, &g.files).map_err(|e| e.to_string())?;
    Ok(g)
}

fn verify_all(filter: Option<&str>) -> Result<ExitCode, String> {
    let root = repo_root();
    let bin = install_semver_checks()?;
    let scratch = target_dir(&root).join("api-diff-verify");
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(root.join(SCENARIOS))
        .map_err(|e| format!("{SCENARIOS}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("old.yaml").exists())
        .collect();
    scenarios.sort();
    let wanted: Option<Vec<&str>> = filter.map(|f| f.split(',').collect());
    let mut rows = Vec::new();
    let (mut agree, mut explained, mut disagree) = (0, 0, 0);
    for dir in &scenarios {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if wanted.as_ref().is_some_and(|w| !w.contains(&name.as_str())) {
            continue;
        }
        let started = Instant::now();
        let out = scratch.join(&name);
        let old = write_crate(&dir.join("old.yaml"), &out.join("old"))?;
        let new = write_crate(&dir.join("new.yaml"), &out.join("new"))?;
        let report = diff(&old.surface, &new.surface);
        let ours = report.class == Some(Class::Major);
        let output = Command::new(&bin)
            .args(["semver-checks", "--manifest-path"])
            .arg(out.join("new/Cargo.toml"))
            .arg("--baseline-root")
            .arg(out.join("old"))
            .args(["--release-type", "minor"])
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .output()
            .map_err(|e| format!("cannot run cargo-semver-checks: {e}"))?;
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let _ = std::fs::write(out.join("semver-checks.log"), &log);
        let theirs = match output.status.code() {
            Some(0) => false,
            Some(_) if log.contains("semver requires new major version") => true,
            _ => {
                return Err(format!(
                    "{name}: cargo-semver-checks failed ({}); see {}",
                    output.status,
                    out.join("semver-checks.log").display()
                ));
            }
        };
        let lints: Vec<String> = log
            .lines()
            .filter_map(|l| l.trim().strip_prefix("--- failure "))
            .map(|l| l.split(':').next().unwrap_or(l).trim().to_string())
            .collect();
        let verdict = if ours == theirs {
            agree += 1;
            "agree".to_string()
        } else {
            match expected_divergence(dir) {
                Some((b, why)) if b == theirs => {
                    explained += 1;
                    format!("differs, explained: {why}")
                }
                _ => {
                    disagree += 1;
                    "DISAGREE".to_string()
                }
            }
        };
        let class = report.class.map_or("none", |c| match c {
            Class::Major => "major",
            Class::Minor => "minor",
            Class::Patch => "patch",
        });
        eprintln!(
            "api-diff: {name}: ours {class}, cargo-semver-checks {} ({:.0} s)",
            if theirs { "breaking" } else { "not breaking" },
            started.elapsed().as_secs_f64()
        );
        rows.push(format!(
            "| {name} | {class} | {} | {} | {verdict} |",
            if theirs { "breaking" } else { "not breaking" },
            if lints.is_empty() {
                "-".to_string()
            } else {
                lints.join(", ")
            }
        ));
    }
    println!(
        "| scenario | report | cargo-semver-checks {SEMVER_CHECKS_VERSION} | its lints | verdicts |"
    );
    println!("|---|---|---|---|---|");
    for r in &rows {
        println!("{r}");
    }
    println!(
        "\n{} scenarios: {agree} agree, {explained} differ as the fixture explains, {disagree} disagree",
        rows.len()
    );
    Ok(if disagree == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
