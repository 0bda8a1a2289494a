//! `cargo xtask corpus --contract`: each corpus crate's emitted contract suite
//! (`tests/contract.rs`) run against Prism started on its spec, one spec at a time,
//! with every operation's outcome classified.
//!
//! The suite's tests each append `{"test", "operation", "passed"}` to the file named by
//! `CONTRACT_REPORT`; a failed test's message (libtest's output) tells why it failed:
//! - *invalid request*: Prism found the request breaks the spec (an `sl-violations`
//!   report at a `request` location, or its own 4xx for an invalid or unauthorised
//!   request): a defect of the generated client;
//! - *spec side*: the exchange broke the spec on the response side (Prism's example or
//!   generated body does not fit the spec's schema), or Prism could not mock the
//!   operation (no response it can produce or negotiate);
//! - *other*: any other failure (the decoded value differs from the example, a decode
//!   error), listed with its message.
//!
//! An operation counts once, by the worst outcome of its tests (invalid request, then
//! other, then spec side). Operations the emitter did not exercise are *skipped*, with
//! the reason the suite's docs give. Each spec's build and run are bounded in time;
//! Prism is stopped on every path (its guard's `Drop`, a signal handler).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::contract;

/// The classes of an operation's outcome, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    InvalidRequest,
    Other,
    SpecSide,
    Passed,
}

/// The contract run of one spec.
#[derive(Debug, Default)]
pub struct SpecContract {
    /// Why the suite did not run, if it did not.
    pub not_run: Option<String>,
    /// Operation -> (its class, the reason of the first failure of that class).
    pub operations: BTreeMap<String, (Class, String)>,
    /// `(operation, reason)` of operations the emitter did not exercise.
    pub skipped: Vec<(String, String)>,
    /// Tests started but not finished within the time bound.
    pub timed_out: bool,
    pub seconds: f64,
}

impl SpecContract {
    pub fn count(&self, class: Class) -> usize {
        self.operations
            .values()
            .filter(|(c, _)| *c == class)
            .count()
    }
}

/// Runs the contract suite of the crate `crate_name` (generated from `spec` into the
/// scratch workspace) against Prism.
pub fn run_spec(
    prism: &Path,
    spec: &Path,
    scratch: &Path,
    target: &Path,
    crate_name: &str,
    timeout: Duration,
) -> SpecContract {
    let started = Instant::now();
    let mut out = SpecContract::default();
    let suite = scratch.join(crate_name).join("tests/contract.rs");
    let text = match std::fs::read_to_string(&suite) {
        Ok(t) => t,
        Err(e) => {
            out.not_run = Some(format!("{}: {e}", suite.display()));
            return out;
        }
    };
    out.skipped = not_exercised(&text);
    let Some(env) = base_url_env(&text) else {
        out.not_run = Some("the suite names no BASE_URL_ENV".into());
        return out;
    };
    let result = build(scratch, target, crate_name, timeout).and_then(|binary| {
        let logs = target.join("corpus-contract");
        std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
        let report = logs.join(format!("{crate_name}.jsonl"));
        let _ = std::fs::remove_file(&report);
        let port = contract::free_port()?;
        let server =
            contract::Prism::start(prism, spec, port, &logs.join(format!("{crate_name}.log")))?;
        server.wait_until_listening(port)?;
        let (output, timed_out) = run_binary(
            &binary,
            &env,
            &format!("http://127.0.0.1:{port}"),
            &report,
            timeout,
        )?;
        drop(server);
        Ok((output, timed_out, report))
    });
    match result {
        Ok((output, timed_out, report)) => {
            out.timed_out = timed_out;
            let failures = failure_messages(&output);
            let report = std::fs::read_to_string(&report).unwrap_or_default();
            for line in report.lines() {
                let Ok(v) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                let (Some(test), Some(op)) = (v["test"].as_str(), v["operation"].as_str()) else {
                    continue;
                };
                let (class, reason) = if v["passed"].as_bool() == Some(true) {
                    (Class::Passed, String::new())
                } else {
                    let message = failures.get(test).map_or("", String::as_str);
                    let (class, reason) = classify(op, message);
                    (class, format!("{test}: {reason}"))
                };
                let entry = out
                    .operations
                    .entry(op.to_string())
                    .or_insert((Class::Passed, String::new()));
                if class < entry.0 {
                    *entry = (class, reason);
                }
            }
            if out.operations.is_empty() && !out.skipped.is_empty() && output.contains("error") {
                out.not_run = Some("no test reported".into());
            }
        }
        Err(e) => out.not_run = Some(e),
    }
    out.seconds = started.elapsed().as_secs_f64();
    out
}

/// Builds the suite; returns the test binary.
fn build(
    scratch: &Path,
    target: &Path,
    crate_name: &str,
    timeout: Duration,
) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut child = Command::new(cargo)
        .args([
            "test",
            "--no-run",
            "--package",
            crate_name,
            "--test",
            "contract",
        ])
        .args(["--message-format", "json-diagnostic-short"])
        .current_dir(scratch)
        .env("CARGO_TARGET_DIR", target.join("corpus"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = child.stdout.take();
    let (lines, timed_out) = read_bounded(&mut child, stdout, timeout)?;
    if timed_out {
        return Err(format!("building the suite took over {timeout:?}"));
    }
    let mut binary = None;
    let mut first_error = None;
    for line in lines.lines() {
        let Ok(msg) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match msg["reason"].as_str() {
            Some("compiler-artifact") if msg["target"]["name"] == "contract" => {
                binary = msg["executable"].as_str().map(PathBuf::from);
            }
            Some("compiler-message") if msg["message"]["level"] == "error" => {
                first_error.get_or_insert_with(|| {
                    msg["message"]["rendered"]
                        .as_str()
                        .unwrap_or("")
                        .trim()
                        .to_string()
                });
            }
            _ => {}
        }
    }
    binary.ok_or_else(|| match first_error {
        Some(e) => format!("the suite does not compile: {e}"),
        None => "the suite was not built".to_string(),
    })
}

/// Runs the test binary with the server-backed tests included, for at most `timeout`.
fn run_binary(
    binary: &Path,
    env: &str,
    base_url: &str,
    report: &Path,
    timeout: Duration,
) -> Result<(String, bool), String> {
    let mut child = Command::new(binary)
        .args(["--include-ignored", "--color", "never"])
        .env(env, base_url)
        .env("CONTRACT_REPORT", report)
        // Failure messages without backtraces.
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let stdout = child.stdout.take();
    read_bounded(&mut child, stdout, timeout)
}

/// Reads the child's stdout until it exits or `timeout` passes (then kills it);
/// returns the output and whether it timed out. The child is reaped on every path.
fn read_bounded(
    child: &mut Child,
    stdout: Option<std::process::ChildStdout>,
    timeout: Duration,
) -> Result<(String, bool), String> {
    let (tx, rx) = mpsc::channel();
    if let Some(stdout) = stdout {
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
    }
    let deadline = Instant::now() + timeout;
    let mut output = String::new();
    let mut timed_out = false;
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                output.push_str(&line);
                output.push('\n');
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if Instant::now() > deadline {
            timed_out = true;
            let _ = child.kill();
            break;
        }
    }
    child.wait().map_err(|e| e.to_string())?;
    Ok((output, timed_out))
}

/// `const BASE_URL_ENV: &str = "X";` of the suite.
fn base_url_env(suite: &str) -> Option<String> {
    let line = suite
        .lines()
        .find(|l| l.trim_start().starts_with("const BASE_URL_ENV: &str = "))?;
    let value = line.split_once('"')?.1.rsplit_once('"')?.0;
    Some(value.to_string())
}

/// The suite's docs list operations not exercised as
/// ``//! - `GET /path` (`resource.method`): why``.
fn not_exercised(suite: &str) -> Vec<(String, String)> {
    suite
        .lines()
        .take_while(|l| l.starts_with("//") || l.trim().is_empty())
        .filter_map(|l| l.strip_prefix("//! - `"))
        .filter_map(|rest| {
            let (op, rest) = rest.split_once('`')?;
            let why = rest.split_once("): ").map_or(rest, |(_, w)| w);
            Some((op.to_string(), why.trim().to_string()))
        })
        .collect()
}

/// Test name -> its failure message, from libtest's `---- NAME stdout ----` sections.
fn failure_messages(output: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in output.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            if let Some((n, m)) = current.take() {
                out.insert(n, m);
            }
            current = Some((name.to_string(), String::new()));
        } else if line == "failures:" || line.starts_with("test result:") {
            if let Some((n, m)) = current.take() {
                out.insert(n, m);
            }
        } else if let Some((_, m)) = &mut current {
            m.push_str(line);
            m.push('\n');
        }
    }
    if let Some((n, m)) = current {
        out.insert(n, m);
    }
    out
}

/// The class of a failed test of `operation` (`POST /a/{b}`) and a one-line reason,
/// from its message.
pub fn classify(operation: &str, message: &str) -> (Class, String) {
    let text: String = message
        .lines()
        .take_while(|l| !l.starts_with("stack backtrace:"))
        .filter(|l| !l.starts_with("thread '") && !l.starts_with("note: "))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(rest) = text.split("reports violations of the spec: ").nth(1) {
        // Prism's `sl-violations` header: a JSON array of `{location, message}`, after
        // "Too many violations!" when it cut the list short.
        let json = rest.find('[').map_or("", |i| &rest[i..]);
        let report: Vec<Value> = serde_json::Deserializer::from_str(json)
            .into_iter::<Vec<Value>>()
            .next()
            .and_then(Result::ok)
            .unwrap_or_default();
        if report.is_empty() {
            // A list Prism cut short is no longer JSON: read its locations as text.
            let at = |place: &str| json.contains(&format!("\"location\":[\"{place}\""));
            if at("request") {
                return (Class::InvalidRequest, clip(json));
            }
            if at("response") {
                return (
                    Class::SpecSide,
                    clip(&format!("response breaks the spec: {json}")),
                );
            }
        }
        let request: Vec<String> = report
            .iter()
            .filter(|v| v["location"][0] == "request")
            .map(describe)
            .collect();
        if !request.is_empty() {
            return (Class::InvalidRequest, request.join("; "));
        }
        if !report.is_empty() {
            let response: Vec<String> = report.iter().map(describe).collect();
            return (
                Class::SpecSide,
                clip(&format!(
                    "response breaks the spec: {}",
                    response.join("; ")
                )),
            );
        }
        return (Class::Other, clip(&text));
    }
    // Prism's own errors (problem+json `type` ending in `#CODE`).
    const OURS: &[&str] = &[
        "#UNPROCESSABLE_ENTITY",
        "#UNAUTHORIZED",
        "#NO_PATH_MATCHED_ERROR",
        "#NO_METHOD_MATCHED_ERROR",
        "#INVALID_CONTENT_TYPE",
    ];
    const SPEC: &[&str] = &[
        "#NO_RESPONSE_DEFINED",
        "#NOT_ACCEPTABLE",
        "#NO_SUCH_CODE",
        "#UNKNOWN",
        "#VIOLATIONS",
        "#NO_COMPLEX_OBJECT_TEXT",
    ];
    // A route the operation cannot produce: the client followed a redirect (the
    // spec's 3xx example `Location`) to a path the spec does not have.
    if let Some(route) = text
        .split("The route ")
        .nth(1)
        .and_then(|r| r.split_once(" hasn't been found"))
        .map(|(r, _)| r)
    {
        let template = operation.split_once(' ').map_or(operation, |(_, p)| p);
        if !route_fits(route, template) {
            return (
                Class::Other,
                format!(
                    "a request went to {route}, which `{template}` does not produce \
                     (a redirect followed to the spec's example `Location`?)"
                ),
            );
        }
    }
    if let Some(code) = OURS.iter().find(|c| text.contains(*c)) {
        // Prism's problem body lists what it found wrong in `validation`.
        let body: Option<Value> = text.split_once("body: ").and_then(|(_, b)| {
            serde_json::Deserializer::from_str(b)
                .into_iter::<Value>()
                .next()
                .and_then(Result::ok)
        });
        let found: Vec<String> = body
            .as_ref()
            .and_then(|b| b["validation"].as_array())
            .map(|v| v.iter().map(describe).collect())
            .unwrap_or_default();
        let why = if found.is_empty() {
            clip(&text)
        } else {
            found.join("; ")
        };
        return (Class::InvalidRequest, format!("Prism {code}: {why}"));
    }
    if let Some(code) = SPEC.iter().find(|c| text.contains(*c)) {
        return (
            Class::SpecSide,
            format!("Prism cannot mock it ({code}): {}", clip(&text)),
        );
    }
    (Class::Other, clip(&text))
}

/// `request.body.x: message` for one of Prism's violations.
fn describe(v: &Value) -> String {
    let at = v["location"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_default();
    format!("{at}: {}", v["message"].as_str().unwrap_or("?"))
}

/// Whether `route` (`/a/x/c`) is `template` (`/a/{b}/c`) with its parameters filled.
fn route_fits(route: &str, template: &str) -> bool {
    let route = route.split('?').next().unwrap_or(route);
    let (r, t): (Vec<&str>, Vec<&str>) =
        (route.split('/').collect(), template.split('/').collect());
    r.len() == t.len() && r.iter().zip(&t).all(|(r, t)| t.contains('{') || r == t)
}

/// At most 300 characters of `text`.
fn clip(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The contract columns' header and a row's cells.
pub fn columns_header() -> String {
    format!(
        "{:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>7}",
        "exer.", "pass", "inval", "spec", "other", "skip", "c. s"
    )
}

pub fn columns(c: Option<&SpecContract>) -> String {
    match c {
        None => format!(
            "{:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>7}",
            "", "", "", "", "", "", ""
        ),
        Some(c) if c.not_run.is_some() => format!(
            "{:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>7.0}",
            "-",
            "-",
            "-",
            "-",
            "-",
            c.skipped.len(),
            c.seconds
        ),
        Some(c) => format!(
            "{:>5} {:>5} {:>5} {:>5} {:>5} {:>5} {:>7.0}",
            c.operations.len(),
            c.count(Class::Passed),
            c.count(Class::InvalidRequest),
            c.count(Class::SpecSide),
            c.count(Class::Other),
            c.skipped.len(),
            c.seconds
        ),
    }
}

/// The details below the table: per spec, every invalid request, spec-side failure,
/// other failure and skipped operation with its reason.
pub fn details(runs: &[(&str, &SpecContract)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\ncontract columns: exer. operations exercised; pass all their tests passed; inval \
         Prism found a request invalid (ours); spec failed on the spec's side (its example \
         breaks its schema, Prism cannot mock it); other any other failure; skip not \
         exercised; c. s seconds (build + run). Logs in <target>/corpus-contract/."
    );
    for (spec, c) in runs {
        if let Some(why) = &c.not_run {
            let _ = writeln!(out, "\n{spec}: not run: {}", why.replace('\n', "\n    "));
        }
        if c.timed_out {
            let _ = writeln!(out, "\n{spec}: the run hit its time bound");
        }
        for (class, label) in [
            (Class::InvalidRequest, "INVALID REQUEST"),
            (Class::Other, "other"),
            (Class::SpecSide, "spec side"),
        ] {
            for (op, (c, why)) in c.operations.iter().filter(|(_, (c, _))| *c == class) {
                let _ = c;
                let _ = writeln!(out, "{spec}: {label}: {op}: {why}");
            }
        }
        for (op, why) in &c.skipped {
            let _ = writeln!(out, "{spec}: skipped: {op}: {why}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_failures() {
        let request = "thread 'x' panicked at tests/contract.rs:1:2:\nthe mock server reports violations of the spec: [{\"location\":[\"request\",\"query\",\"ids\"],\"severity\":\"Error\",\"code\":\"type\",\"message\":\"must be array\"}]\n(400 Bad Request)";
        let (class, why) = classify("GET /x", request);
        assert_eq!(class, Class::InvalidRequest);
        assert_eq!(why, "request.query.ids: must be array");
        let response = "the mock server reports violations of the spec: [{\"location\":[\"response\",\"body\"],\"message\":\"must have required property 'id'\"}]";
        assert_eq!(classify("GET /x", response).0, Class::SpecSide);
        // Cut short by Prism, and a message with a parenthesis inside.
        let many = "the mock server reports violations of the spec: Too many violations! [{\"location\":[\"response\",\"body\",\"id\"],\"message\":\"must match (a pattern)\"}]\n(200 OK)";
        assert_eq!(classify("GET /x", many).0, Class::SpecSide);
        let cut = "the mock server reports violations of the spec: Too many violations! [{\"location\":[\"response\",\"body\",\"id\"],\"message\":\"must match\"},{\"locat";
        assert_eq!(classify("GET /x", cut).0, Class::SpecSide);
        let both = "the mock server reports violations of the spec: [{\"location\":[\"request\",\"query\",\"tag\"],\"message\":\"must be string (not array)\"},{\"location\":[\"response\",\"body\"],\"message\":\"x\"}]";
        assert_eq!(classify("GET /x", both).0, Class::InvalidRequest);
        let rejected = "the call failed: 422 Unprocessable Entity\nbody: {\"type\":\"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY\",\"validation\":[{\"location\":[\"body\",\"Events\"],\"message\":\"must be array\"}]}";
        assert_eq!(
            classify("GET /x", rejected),
            (
                Class::InvalidRequest,
                "Prism #UNPROCESSABLE_ENTITY: body.Events: must be array".to_string()
            )
        );
        let unauthorised = "the call failed: 401 Unauthorized\nbody: {\"type\":\"https://stoplight.io/prism/errors#UNAUTHORIZED\"}";
        assert_eq!(classify("GET /x", unauthorised).0, Class::InvalidRequest);
        let no_mock = "the call failed: 500 Internal Server Error\nbody: {\"type\":\"https://stoplight.io/prism/errors#NO_RESPONSE_DEFINED\"}";
        assert_eq!(classify("GET /x", no_mock).0, Class::SpecSide);
        let differs = "assertion `left == right` failed\n  left: A\n right: B";
        assert_eq!(classify("GET /x", differs).0, Class::Other);
        let unrouted = |route: &str| {
            format!(
                "the call failed: 404 Not Found\nbody: {{\"type\":\"https://stoplight.io/prism/errors#NO_PATH_MATCHED_ERROR\",\"detail\":\"The route {route} hasn't been found in the specification file\"}}"
            )
        };
        // Our path: ours. Another path: a followed redirect.
        let ours = classify("POST /login/{silo}/local", &unrouted("/login/x/local"));
        assert_eq!(ours.0, Class::InvalidRequest);
        let redirected = classify("POST /login/{silo}/local", &unrouted("/login/x/string"));
        assert_eq!(redirected.0, Class::Other, "{}", redirected.1);
    }

    #[test]
    fn reads_libtest_output_and_the_suite() {
        let output = "running 2 tests\ntest a ... ok\ntest b ... FAILED\n\nfailures:\n\n---- b stdout ----\nthread 'b' panicked at x:\nboom\n\n\nfailures:\n    b\n\ntest result: FAILED. 1 passed; 1 failed";
        let failures = failure_messages(output);
        assert_eq!(failures.len(), 1);
        assert!(failures["b"].contains("boom"));
        let suite = "//! Contract tests.\n//!\n//! - `POST /upload` (`files.upload`): multipart bodies are built by the caller\n#![cfg(feature = \"full\")]\nconst BASE_URL_ENV: &str = \"X_BASE_URL\";\n";
        assert_eq!(
            not_exercised(suite),
            vec![(
                "POST /upload".to_string(),
                "multipart bodies are built by the caller".to_string()
            )]
        );
        assert_eq!(base_url_env(suite).as_deref(), Some("X_BASE_URL"));
    }
}
