//! `openapi-rust-gen`: generates a Rust client crate from an OpenAPI 3.0/3.1 file.
//!
//! Everything it needs is built in (the runtime and crate templates are embedded), so
//! `cargo install` gives a binary that works from any folder.

use std::path::PathBuf;
use std::process::ExitCode;

use generator::templates::Templates;

const USAGE: &str = "\
usage: openapi-rust-gen generate --spec FILE --out DIR [--name CRATE] [--config FILE] [--check]

Generates a typed Rust client crate from an OpenAPI 3.0 or 3.1 description (YAML or
JSON) into DIR, making DIR match the generated files (only changed files are rewritten,
files no longer generated are removed).

options:
  --spec FILE     the OpenAPI description
  --out DIR       the crate folder to write
  --name CRATE    the crate's package name (default: from the config, else the spec's title)
  --config FILE   settings the spec cannot express (crate name, version, environment
                  variable names, ...); default: <spec stem>.codegen.yaml beside the spec,
                  if present
  --check         write nothing; exit with 1 and a diff when DIR differs from what would
                  be generated

other commands:
  help            this text
  version         the generator's version
";

/// The parsed `generate` command line.
struct Generate {
    spec: PathBuf,
    out: PathBuf,
    name: Option<String>,
    config: Option<PathBuf>,
    check: bool,
}

fn parse(args: &[String]) -> Result<Generate, String> {
    let mut spec = None;
    let mut out = None;
    let mut name = None;
    let mut config = None;
    let mut check = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if key == "--check" && inline.is_none() {
            check = true;
            continue;
        }
        let slot = match key {
            "--spec" => &mut spec,
            "--out" => &mut out,
            "--name" => &mut name,
            "--config" => &mut config,
            _ => return Err(format!("unexpected argument `{arg}`")),
        };
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .cloned()
                .ok_or_else(|| format!("{key} needs a value"))?,
        };
        *slot = Some(value);
    }
    Ok(Generate {
        spec: spec.map(PathBuf::from).ok_or("--spec is required")?,
        out: out.map(PathBuf::from).ok_or("--out is required")?,
        name,
        config: config.map(PathBuf::from),
        check,
    })
}

fn generate(command: &Generate) -> Result<ExitCode, String> {
    let templates = Templates::embedded().map_err(|e| e.to_string())?;
    // Each Rust source is compared (and staged) as soon as it is made.
    let mut output = generator::write::Staged::open(&command.out, false, command.check)
        .map_err(|e| e.to_string())?;
    let mut generated = generator::generate_into(
        &command.spec,
        command.name.as_deref(),
        command.config.as_deref(),
        &templates,
        &mut output,
    )
    .map_err(|e| e.to_string())?;
    // The changelog entry (and version, under `version_policy: semver`) from the API
    // surface recorded in the output folder, as `cargo xtask codegen` does.
    let release = generator::api_diff::release_with(&mut generated, &command.out, &templates)
        .map_err(|e| e.to_string())?;
    let shown = command.out.display().to_string();
    if let Some(report) = release.report.as_ref().filter(|r| !r.is_empty()) {
        print!("{}", report.to_text());
    }
    let fresh = generator::write_or_check(&generated, output, &command.spec, &shown, "")
        .map_err(|e| e.to_string())?;
    Ok(if fresh {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("generate") => parse(&args[1..])
            .map_err(|e| format!("{e}\n\n{USAGE}"))
            .and_then(|c| generate(&c)),
        Some("help" | "--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some("version" | "--version" | "-V") => {
            println!("openapi-rust-gen {}", env!("CARGO_PKG_VERSION"));
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
