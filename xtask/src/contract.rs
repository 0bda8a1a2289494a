//! `cargo xtask contract`: the generated crate's contract tests against Prism, the
//! OpenAPI mock server that validates every request against the spec and answers with
//! the spec's examples.
//!
//! 1. installs a pinned Prism from npm into a cache folder of its own (once);
//! 2. builds the test binaries, then starts `prism mock` on a free port of 127.0.0.1
//!    and waits (bounded) until it accepts connections;
//! 3. runs the generated contract suite (`tests/contract.rs` of the generated crate)
//!    with `--include-ignored` and the base-URL variable pointing at Prism; a request
//!    Prism found invalid fails the run, and Prism's log lines for it are shown;
//! 4. runs the negative check (`client-tests/tests/prism_negative.rs`): requests that
//!    break the spec on purpose must be rejected;
//! 5. stops Prism whatever happens: the guard's `Drop` on return or panic, a signal
//!    handler on Ctrl-C or termination.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::{Args, repo_root};

/// The npm package and the version pinned. 5.14.2 is the newest release whose
/// `engines` accept Node.js 20 (later ones require Node.js 24).
const PRISM_PACKAGE: &str = "@stoplight/prism-cli";
pub(crate) const PRISM_VERSION: &str = "5.14.2";

/// How long Prism may take to start listening (it reads a multi-MB corpus spec for
/// over a minute on a busy machine).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(240);

/// The spec the checked-in crate is generated from.
const SPEC: &str = "spec/linq-api-v3.yaml";

/// The pagination fixture, whose generated client (`client-tests/paging-api`) has its
/// own contract suite.
const PAGING_FIXTURE: &str = "generator/tests/fixtures/pagination.yaml";

/// Prism's marker on a log line reporting a violation (`[VALIDATOR] ✖  error ...`).
const VIOLATION_MARK: &str = "✖";

pub fn run(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(raw, &[], &["--port", "--spec"])?;
    let started = Instant::now();
    let root = repo_root();
    let spec = args
        .value("--spec")
        .map_or_else(|| root.join(SPEC), PathBuf::from);
    // The crate name and the base-URL variable come from the generator's config.
    let (_, config) = generator::lower_spec(&spec, None).map_err(|e| e.to_string())?;
    let prism = install_prism()?;

    let suites = match args.value("--spec") {
        None => vec![
            Suite {
                package: config.crate_name.clone(),
                test: "contract",
                expects_violations: false,
                scratch: None,
            },
            Suite {
                package: "client-tests".into(),
                test: "prism_negative",
                expects_violations: true,
                scratch: None,
            },
        ],
        Some(_) => vec![Suite {
            package: config.crate_name.clone(),
            test: "contract",
            expects_violations: false,
            scratch: Some(scratch_crate(&root, &spec, &config.crate_name)?),
        }],
    };
    // The pagination fixture's client (default run only): its emitted suite pages
    // through two pages of each list operation where the mock gives a next position.
    let fixture = root.join(PAGING_FIXTURE);
    let (_, fixture_config) = generator::lower_spec(&fixture, None).map_err(|e| e.to_string())?;
    let fixture_suites = match args.value("--spec") {
        None => vec![Suite {
            package: fixture_config.crate_name.clone(),
            test: "contract",
            expects_violations: false,
            scratch: None,
        }],
        Some(_) => Vec::new(),
    };
    // Compile first, so Prism does not sit idle through a long build.
    for suite in suites.iter().chain(&fixture_suites) {
        let status = suite
            .cargo(&root)
            .args([
                "test",
                "--package",
                &suite.package,
                "--test",
                suite.test,
                "--no-run",
            ])
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !status.success() {
            return Err(format!("building `{}` failed", suite.name()));
        }
    }

    let mut failures = Vec::new();
    let mut totals = Vec::new();
    for (spec, suites, env, log) in [
        (&spec, &suites, &config.base_url_env, "prism.log"),
        (
            &fixture,
            &fixture_suites,
            &fixture_config.base_url_env,
            "prism-paging.log",
        ),
    ] {
        if suites.is_empty() {
            continue;
        }
        let port = match args.value("--port") {
            Some(p) => p.parse::<u16>().map_err(|_| format!("bad --port `{p}`"))?,
            None => free_port()?,
        };
        let log_path = target_dir(&root).join("contract").join(log);
        let server = Prism::start(&prism, spec, port, &log_path)?;
        let base_url = format!("http://127.0.0.1:{port}");
        server.wait_until_listening(port)?;
        println!(
            "contract: Prism {PRISM_VERSION} listening on {base_url} (log: {})",
            log_path.display()
        );
        for suite in suites {
            let from = server.log_len();
            let outcome = suite.run(&root, env, &base_url)?;
            let blocks = violation_blocks(&server.log_since(from));
            totals.push(format!("{}: {}", suite.name(), outcome.summary));
            if !outcome.passed {
                let mut message = format!("`{}` failed", suite.name());
                if !blocks.is_empty() && !suite.expects_violations {
                    message.push_str("; Prism found these requests invalid:\n");
                    message.push_str(&blocks.join("\n"));
                }
                failures.push(message);
            } else if !blocks.is_empty() && !suite.expects_violations {
                failures.push(format!(
                    "`{}` passed, but Prism found {} request(s) invalid:\n{}",
                    suite.name(),
                    blocks.len(),
                    blocks.join("\n")
                ));
            } else if suite.expects_violations && blocks.is_empty() {
                failures.push(format!(
                    "`{}` passed, but Prism logged no violation: the negative check has no teeth",
                    suite.name()
                ));
            }
        }
        drop(server);
    }

    println!(
        "\ncontract summary ({:.1}s):",
        started.elapsed().as_secs_f64()
    );
    for t in &totals {
        println!("  {t}");
    }
    if failures.is_empty() {
        println!("contract: ok");
        Ok(ExitCode::SUCCESS)
    } else {
        for f in &failures {
            eprintln!("\nerror: {f}");
        }
        Ok(ExitCode::FAILURE)
    }
}

/// One test target to run against Prism.
struct Suite {
    package: String,
    test: &'static str,
    /// The negative check: Prism must log violations.
    expects_violations: bool,
    /// For `--spec`: the scratch workspace holding the crate generated from it.
    scratch: Option<PathBuf>,
}

/// Generates the client of `spec` into a scratch workspace of its own under the target
/// dir (`contract-crates/`), with the repository's `Cargo.lock` so no new dependency
/// versions are picked; returns the workspace folder.
fn scratch_crate(root: &Path, spec: &Path, crate_name: &str) -> Result<PathBuf, String> {
    let options = generator::Options {
        spec: spec.to_path_buf(),
        templates: root.join("templates"),
        crate_name: None,
    };
    let generated = generator::generate(&options).map_err(|e| e.to_string())?;
    let scratch = target_dir(root).join("contract-crates");
    generator::write::write(&scratch.join(crate_name), &generated.files)
        .map_err(|e| e.to_string())?;
    // The corpus run's profile, so the dependencies it built in its target dir are reused.
    let manifest = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [\"{crate_name}\"]\n\n[profile.dev]\ndebug = false\n"
    );
    std::fs::write(scratch.join("Cargo.toml"), manifest)
        .map_err(|e| format!("{}: {e}", scratch.display()))?;
    let lock = scratch.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), &lock)
            .map_err(|e| format!("{}: {e}", lock.display()))?;
    }
    Ok(scratch)
}

struct Outcome {
    passed: bool,
    summary: String,
}

impl Suite {
    fn name(&self) -> String {
        format!("{} --test {}", self.package, self.test)
    }

    /// `cargo` in the repository, or in the scratch workspace (with the corpus run's
    /// target dir) for a crate generated from `--spec`.
    fn cargo(&self, root: &Path) -> Command {
        match &self.scratch {
            None => cargo(root),
            Some(dir) => {
                let mut c = cargo(dir);
                c.env("CARGO_TARGET_DIR", target_dir(root).join("corpus"));
                c
            }
        }
    }

    /// Runs the tests, passing their output through and keeping the result lines.
    fn run(&self, root: &Path, env: &str, base_url: &str) -> Result<Outcome, String> {
        println!(
            "\ncontract: cargo test -p {} --test {} -- --include-ignored",
            self.package, self.test
        );
        let mut child = self
            .cargo(root)
            .args(["test", "--package", &self.package, "--test", self.test])
            .args(["--", "--include-ignored"])
            .env(env, base_url)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let mut results = Vec::new();
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                println!("{line}");
                if let Some(r) = line.trim().strip_prefix("test result: ") {
                    results.push(r.to_string());
                }
            }
        }
        let status = child.wait().map_err(|e| format!("cargo test: {e}"))?;
        Ok(Outcome {
            passed: status.success(),
            summary: if results.is_empty() {
                format!("no test results ({status})")
            } else {
                results.join("; ")
            },
        })
    }
}

fn cargo(root: &Path) -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(root);
    c
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/linq-codegen/prism`: Prism's own folder.
fn prism_dir() -> Result<PathBuf, String> {
    tool_dir("prism")
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/linq-codegen/<tool>`: a pinned tool's own folder.
pub fn tool_dir(tool: &str) -> Result<PathBuf, String> {
    let cache = match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(".cache"))
            .ok_or("neither XDG_CACHE_HOME nor HOME is set")?,
    };
    Ok(cache.join("linq-codegen").join(tool))
}

/// The `prism` executable of the pinned version, installed with npm if missing.
pub(crate) fn install_prism() -> Result<PathBuf, String> {
    let dir = prism_dir()?;
    let bin = dir.join("node_modules/.bin/prism");
    let manifest = dir.join("node_modules/@stoplight/prism-cli/package.json");
    let installed = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| {
            v.get("version")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        });
    if installed.as_deref() == Some(PRISM_VERSION) && bin.exists() {
        return Ok(bin);
    }
    println!(
        "contract: installing {PRISM_PACKAGE}@{PRISM_VERSION} into {}",
        dir.display()
    );
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let package_json = dir.join("package.json");
    if !package_json.exists() {
        std::fs::write(&package_json, "{\"private\": true}\n")
            .map_err(|e| format!("{}: {e}", package_json.display()))?;
    }
    let status = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&dir)
        .args([
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--save-exact",
        ])
        .arg(format!("{PRISM_PACKAGE}@{PRISM_VERSION}"))
        .status()
        .map_err(|e| {
            format!("cannot run npm (Node.js and npm are needed to install Prism): {e}")
        })?;
    if !status.success() || !bin.exists() {
        return Err(format!(
            "installing {PRISM_PACKAGE}@{PRISM_VERSION} failed ({status})"
        ));
    }
    Ok(bin)
}

pub(crate) fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// Every Prism started by this process, for the signal handler.
static RUNNING: Mutex<Vec<Arc<Mutex<Option<Child>>>>> = Mutex::new(Vec::new());

/// Installs the signal handler once (a second `ctrlc::set_handler` fails).
static ON_SIGNAL: std::sync::Once = std::sync::Once::new();

/// The running mock server. Dropping it stops it.
pub(crate) struct Prism {
    child: Arc<Mutex<Option<Child>>>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Prism {
    pub(crate) fn start(
        bin: &Path,
        spec: &Path,
        port: u16,
        log_path: &Path,
    ) -> Result<Prism, String> {
        if let Some(dir) = log_path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let file =
            std::fs::File::create(log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let file = Arc::new(Mutex::new(file));
        let mut child = Command::new(bin)
            .arg("mock")
            .arg(spec)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            // Violations are errors, not warnings.
            .arg("--errors")
            // One process (no forked server left behind when it is killed).
            .arg("--multiprocess=false")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let out: Option<Box<dyn Read + Send>> = child.stdout.take().map(|s| Box::new(s) as _);
        let err: Option<Box<dyn Read + Send>> = child.stderr.take().map(|s| Box::new(s) as _);
        for stream in [out, err].into_iter().flatten() {
            let log = Arc::clone(&log);
            let file = Arc::clone(&file);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = writeln!(
                        file.lock().unwrap_or_else(PoisonError::into_inner),
                        "{line}"
                    );
                    log.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(line);
                }
            });
        }
        let child = Arc::new(Mutex::new(Some(child)));
        // Ctrl-C or a termination signal: stop every running Prism before exiting.
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        running.retain(|c| c.lock().is_ok_and(|c| c.is_some()));
        running.push(Arc::clone(&child));
        ON_SIGNAL.call_once(|| {
            let _ = ctrlc::set_handler(|| {
                for c in RUNNING
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter()
                {
                    stop(c);
                }
                eprintln!("contract: interrupted; Prism stopped");
                std::process::exit(130);
            });
        });
        Ok(Prism { child, log })
    }

    /// Polls the port until Prism accepts connections, for at most [`STARTUP_TIMEOUT`].
    pub(crate) fn wait_until_listening(&self, port: u16) -> Result<(), String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            let exited = self
                .child
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                return Err(format!(
                    "Prism exited before listening ({status}):\n{}",
                    self.log_since(0).join("\n")
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "Prism did not listen on port {port} within {STARTUP_TIMEOUT:?}:\n{}",
                    self.log_since(0).join("\n")
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(crate) fn log_len(&self) -> usize {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub(crate) fn log_since(&self, from: usize) -> Vec<String> {
        // Give the reader threads a moment to catch up with the last requests.
        std::thread::sleep(Duration::from_millis(300));
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        log.get(from..).map(<[String]>::to_vec).unwrap_or_default()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        stop(&self.child);
    }
}

/// Kills Prism and reaps it; safe to call twice.
fn stop(child: &Mutex<Option<Child>>) {
    if let Some(mut c) = child.lock().unwrap_or_else(PoisonError::into_inner).take() {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// Prism's log grouped by request (a block starts at `[HTTP SERVER] <method> <path>`),
/// keeping the blocks that report a violation.
pub(crate) fn violation_blocks(lines: &[String]) -> Vec<String> {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in lines {
        if line.contains("[HTTP SERVER]") || blocks.is_empty() {
            blocks.push(Vec::new());
        }
        if let Some(b) = blocks.last_mut() {
            b.push(line);
        }
    }
    blocks
        .into_iter()
        .filter(|b| b.iter().any(|l| l.contains(VIOLATION_MARK)))
        .map(|b| {
            b.iter()
                .map(|l| format!("  | {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_requests_with_violations_are_reported() {
        let log: Vec<String> = [
            "[CLI] ▶  start     Prism is listening on http://127.0.0.1:4010",
            "[HTTP SERVER] get /v3/webhook-events ℹ  info      Request received",
            "    [VALIDATOR] ✔  success   The request passed the validation rules.",
            "[HTTP SERVER] post /v3/webhook-subscriptions ℹ  info      Request received",
            "    [VALIDATOR] ✖  error     Request body must have required property 'target_url'",
            "    [NEGOTIATOR] ✔  success   Responding with the requested status code 400",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let blocks = violation_blocks(&log);
        assert_eq!(blocks.len(), 1, "{blocks:?}");
        assert!(blocks[0].starts_with("  | [HTTP SERVER] post /v3/webhook-subscriptions"));
        assert!(blocks[0].contains("required property 'target_url'"));
        assert!(blocks[0].ends_with("status code 400"));
    }
}
