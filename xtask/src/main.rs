//! Project tasks: `cargo xtask <command>` (the alias lives in `.cargo/config.toml`).
//!
//! The CLI is thin: it parses arguments and calls the generator library.

mod api_diff;
mod bench;
mod bench_compile;
mod bench_peer;
mod codegen;
mod contract;
mod corpus;
mod corpus_contract;

use std::path::PathBuf;

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Keeps the resident set close to what is live: arenas are committed as they are used
/// rather than up front, and memory freed by a stage (the parsed document once the IR
/// is built, a worker's scratch once its part is printed) is handed back to the OS at
/// once instead of after mimalloc's default 10 ms delay, so that the next stage, often
/// on another thread, does not fault in fresh pages beside it. That trades time for
/// memory: freed pages are faulted in again when reused, about 40-50 ms more emit and
/// format on GitHub's and Stripe's specs, for a peak a third lower (without it GitHub's
/// is 56 MB instead of 32). Measured in BENCHMARKS.md ("Allocator settings").
#[cfg(feature = "mimalloc")]
fn tune_allocator() {
    // Indices in `mi_option_e` of mimalloc 2 (the `v2` feature; the bindings do not name
    // them); the version is fixed by `Cargo.lock`.
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: sets process-wide options of the allocator; called first thing in `main`,
    // before any other thread exists.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
    // Pages freed by threads that have ended stay committed until collected (a
    // collection here returns 9 MB of GitHub's 36 MB after the emit workers end).
    let _ = generator::RELEASE_FREED_MEMORY.set(|| {
        // SAFETY: `mi_collect` may be called from any thread at any time.
        unsafe { libmimalloc_sys::mi_collect(true) }
    });
}
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  codegen [--check] [--dump-ir] [--dump-plan] [--force] [--spec PATH] [--out DIR] [--name CRATE]
      Regenerate the client crate (default: spec/linq-api-v3.yaml -> generated/).
      Only files listed in DIR/.codegen-files (written by earlier runs) are replaced
      or removed; a non-empty DIR without that list is refused.
      --check    exit non-zero with a diff when the output is stale; write nothing
      --dump-ir  print the intermediate representation as JSON; write nothing
      --dump-plan  print the plan (per type: alias, Default, feature gate, serde
                 directions; features; webhook and error envelopes; names, including
                 the contract suite's tests) as JSON; write nothing
      --force    write into a non-empty DIR that is not an earlier output (the
                 generated files are written; no other file is touched)
  api-diff OLD_SPEC NEW_SPEC [--format json]
      Print what changed in the generated crate's public API between two specs (a
      spec may be REV:path, read from git), each change with its semver class.
  api-diff --verify [--filter NAME[,NAME..]]
      For each scenario of generator/tests/api_diff, generate both crates and compare
      the report's verdict with cargo-semver-checks (installed into the cache folder).
  bench [--quick] [--runs N] [--dir PATH] [--skip-compile] [--no-build] [--exe XTASK]
        [--peer ploidy]
      Build the generator in release mode and time it: per stage (median of --runs,
      default 7) with peak memory and output size for the Linq spec and the largest
      corpus specs, generation time against size across the corpus and for a spec
      copied 1-8 times, then the compile time of generated crates.
      --quick         CI: the Linq spec and two small specs, 3 runs; fails only on a crash
      --skip-compile  leave out the compile-time section
      --no-build      time the running xtask binary instead of a release build
      --exe XTASK     time that xtask binary (another build, for before/after) instead
      --peer ploidy   only the Stripe and GitHub specs, against ploidy 0.15.0 (installed
                      into the cache folder once): stage table, ours/ploidy wall time, peak/input
  contract [--port N] [--spec PATH]
      Run the generated contract tests and the negative check against Prism (a mock
      server validating requests against the spec), installed into the cache folder.
      --spec  instead: generate a client for PATH into the target dir and run its
              contract tests against Prism started on PATH
  corpus [--filter NAME[,NAME..]] [--jobs N] [--dir PATH] [--quick] [--no-check]
         [--contract] [--contract-timeout SECS]
      Generate a crate for every spec in ../shared/corpus (or --dir), `cargo check`
      them in one scratch workspace under the target dir, and print a table.
      --quick     only specs up to 300 KB (the CI subset)
      --no-check  generate only
      --contract  also run each crate's contract suite against Prism started on its
                  spec, one spec at a time, and add the outcome columns (operations
                  exercised, passed, invalid request, spec side, other, skipped);
                  with --quick, a fixed subset of small specs
      --contract-timeout  bound on each spec's suite build, and on its run (default 1200)
";

/// The repository root (the xtask crate sits one level below it).
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    tune_allocator();
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let result = match command.as_deref() {
        Some("api-diff") => api_diff::run(&rest),
        Some("bench") => bench::run(&rest),
        Some("bench-one") => bench::run_one(&rest),
        Some("codegen") => codegen::run(&rest),
        Some("contract") => contract::run(&rest),
        Some("corpus") => corpus::run(&rest),
        Some("corpus-one") => corpus::run_one(&rest),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Minimal flag parsing: `--flag` booleans and `--key VALUE` options.
pub struct Args {
    flags: Vec<String>,
    values: Vec<(String, String)>,
}

impl Args {
    pub fn parse(
        raw: &[String],
        known_flags: &[&str],
        known_values: &[&str],
    ) -> Result<Args, String> {
        let mut flags = Vec::new();
        let mut values = Vec::new();
        let mut it = raw.iter();
        while let Some(a) = it.next() {
            if known_flags.contains(&a.as_str()) {
                flags.push(a.clone());
            } else if known_values.contains(&a.as_str()) {
                let v = it.next().ok_or_else(|| format!("{a} needs a value"))?;
                values.push((a.clone(), v.clone()));
            } else if let Some((k, v)) = a.split_once('=').filter(|(k, _)| known_values.contains(k))
            {
                values.push((k.to_string(), v.to_string()));
            } else {
                return Err(format!("unexpected argument `{a}`\n\n{USAGE}"));
            }
        }
        Ok(Args { flags, values })
    }

    pub fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}
