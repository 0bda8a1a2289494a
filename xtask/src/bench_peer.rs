//! `cargo xtask bench --peer ploidy`: this generator against ploidy, the strongest Rust
//! peer on real specs, side by side in one run on the same machine.
//!
//! ploidy is installed pinned (`cargo install --locked`) into its own cache folder
//! (beside Prism's, [`crate::contract::tool_dir`]) the first time. Each run is one
//! process of each generator, alternating, into an emptied scratch folder; the wall time
//! of a run is the child process's, measured here, so both pay their own start-up. The
//! figures are medians over the runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::bench::{Ctx, Measured, median, median_run};

/// The peer and its pinned version.
const PLOIDY_CRATE: &str = "ploidy";
const PLOIDY_VERSION: &str = "0.15.0";

/// The specs compared (the largest real specs both generators accept).
pub const PEER_SPECS: &[&str] = &["stripe.yaml", "github-rest.json"];

/// The peer's name as `--peer` takes it.
pub const PEERS: &[&str] = &["ploidy"];

/// One spec measured with both generators.
pub struct Compared {
    /// Ours, stage by stage (as `bench` reports it).
    pub ours: Measured,
    /// Median process wall time of ours, seconds.
    pub ours_wall: f64,
    /// Median process wall time of ploidy, seconds.
    pub peer_wall: f64,
}

/// The `ploidy` executable of the pinned version, installed with cargo if missing.
pub fn install_ploidy() -> Result<PathBuf, String> {
    let dir = crate::contract::tool_dir("ploidy")?;
    let bin = dir
        .join("bin")
        .join(format!("ploidy{}", std::env::consts::EXE_SUFFIX));
    let installed = Command::new(&bin)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if installed.is_some_and(|v| v.split_whitespace().any(|w| w == PLOIDY_VERSION)) {
        return Ok(bin);
    }
    eprintln!(
        "bench: installing {PLOIDY_CRATE} {PLOIDY_VERSION} into {} (cargo install --locked; once)",
        dir.display()
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["install", "--locked", "--quiet", "--root"])
        .arg(&dir)
        .args([PLOIDY_CRATE, "--version", PLOIDY_VERSION])
        // Its own temporary target folder, not this workspace's.
        .env_remove("CARGO_TARGET_DIR")
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() || !bin.is_file() {
        return Err(format!(
            "installing {PLOIDY_CRATE} {PLOIDY_VERSION} failed ({status})"
        ));
    }
    Ok(bin)
}

/// `runs` alternating generations of `spec` by ours and by ploidy.
pub fn compare(
    ctx: &Ctx<'_>,
    ploidy: &Path,
    name: &str,
    spec: &Path,
    runs: usize,
) -> Result<Compared, String> {
    let input_bytes = std::fs::metadata(spec)
        .map_err(|e| format!("{}: {e}", spec.display()))?
        .len();
    let crate_name = crate::bench::crate_name_for(name);
    let ours_dir = ctx.scratch.join("out").join(&crate_name);
    let peer_dir = ctx.scratch.join("peer").join(&crate_name);
    let (mut ours, mut ours_wall, mut peer_wall) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        empty(&ours_dir)?;
        settle();
        let run = ctx.one(spec, &ours_dir, &crate_name)?;
        ours_wall.push(run.wall);
        ours.push(run);

        empty(&peer_dir)?;
        settle();
        let t = Instant::now();
        let output = Command::new(ploidy)
            .args(["generate", "rust"])
            .arg(spec)
            .arg("-o")
            .arg(&peer_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("cannot start {}: {e}", ploidy.display()))?;
        peer_wall.push(t.elapsed().as_secs_f64());
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "ploidy failed on {name} ({}): {}",
                output.status,
                stderr.lines().last().unwrap_or("no output")
            ));
        }
    }
    let compared = Compared {
        ours: Measured {
            name: name.to_string(),
            input_bytes,
            median: median_run(&ours),
        },
        ours_wall: median(ours_wall),
        peer_wall: median(peer_wall),
    };
    eprintln!(
        "compared {name:<24} {runs} runs, median ours {:.0} ms, ploidy {:.0} ms",
        compared.ours_wall * 1e3,
        compared.peer_wall * 1e3
    );
    Ok(compared)
}

/// Flushes the files the previous run wrote (and the folder just emptied) to disk
/// before the next run is timed: otherwise the kernel writes them back during the next
/// run, on the same two cores, and each generator is timed partly on the other's
/// output. Untimed; best effort (no `sync` command, no flush).
fn settle() {
    let _ = Command::new("sync")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn empty(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// The comparison: wall times, ours/ploidy, and our peak memory per input byte.
pub fn table(runs: usize, rows: &[Compared]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Against {PLOIDY_CRATE} {PLOIDY_VERSION} (process wall time, median of {runs} alternating runs)\n"
    );
    let _ = writeln!(
        out,
        "{:<20} {:>8} {:>9} {:>10} {:>12} {:>8} {:>8}",
        "spec", "input KB", "ours ms", "ploidy ms", "ours/ploidy", "peak MB", "peak/in"
    );
    let _ = writeln!(out, "{}", "-".repeat(81));
    for r in rows {
        let m = &r.ours;
        let _ = writeln!(
            out,
            "{:<20} {:>8} {:>9.0} {:>10.0} {:>11.2}x {:>8.1} {:>7.1}x",
            m.name,
            m.input_bytes / 1000,
            r.ours_wall * 1e3,
            r.peer_wall * 1e3,
            r.ours_wall / r.peer_wall.max(f64::EPSILON),
            m.median.peak_kb as f64 / 1024.0,
            m.peak_per_input(),
        );
    }
    let _ = writeln!(
        out,
        "\n(targets: ours/ploidy <= 0.25x; peak <= 10x the input. peak = our process's VmHWM)"
    );
    out
}
