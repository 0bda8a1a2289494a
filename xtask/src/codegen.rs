//! `cargo xtask codegen`: regenerate (or check) a client crate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use generator::{Options, write};

use crate::{Args, repo_root};

pub fn run(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(
        raw,
        &["--check", "--dump-ir", "--dump-plan", "--force"],
        &["--spec", "--out", "--name", "--templates"],
    )?;
    let root = repo_root();
    let spec = args
        .value("--spec")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("spec/linq-api-v3.yaml"));
    let out = args
        .value("--out")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("generated"));
    let templates = args
        .value("--templates")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("templates"));
    let options = Options {
        spec,
        templates: templates.clone(),
        crate_name: args.value("--name").map(str::to_string),
    };

    if args.flag("--dump-ir") {
        let (api, _) = generator::lower_spec(&options.spec, options.crate_name.as_deref())
            .map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&api).map_err(|e| e.to_string())?;
        println!("{json}");
        return Ok(ExitCode::SUCCESS);
    }
    if args.flag("--dump-plan") {
        let (api, config) = generator::lower_spec(&options.spec, options.crate_name.as_deref())
            .map_err(|e| e.to_string())?;
        let config_file = generator::Config::path_for(&options.spec);
        let plan =
            generator::plan::Plan::new(&api, &config, &config_file).map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&plan).map_err(|e| e.to_string())?;
        println!("{json}");
        return Ok(ExitCode::SUCCESS);
    }

    let mut status = one(
        &options,
        &out,
        &root,
        args.flag("--check"),
        args.flag("--force"),
    )?;
    // Without `--spec`/`--out`, the fixture clients (used by the client tests) are
    // regenerated (or checked) too.
    if args.value("--spec").is_none() && args.value("--out").is_none() {
        for (spec, out) in FIXTURE_CRATES {
            let fixture = Options {
                spec: root.join(spec),
                templates: options.templates.clone(),
                crate_name: None,
            };
            if one(
                &fixture,
                &root.join(out),
                &root,
                args.flag("--check"),
                args.flag("--force"),
            )? != ExitCode::SUCCESS
            {
                status = ExitCode::FAILURE;
            }
        }
    }
    Ok(status)
}

/// The fixture specs whose clients the client tests use, and where each goes: the
/// pagination fixture, and the request-shape fixture (styles, cookies, security).
const FIXTURE_CRATES: [(&str, &str); 2] = [
    (
        "generator/tests/fixtures/pagination.yaml",
        "client-tests/paging-api",
    ),
    (
        "generator/tests/fixtures/wire.yaml",
        "client-tests/wire-api",
    ),
];

/// Generates (or with `check`, checks) one crate.
fn one(
    options: &Options,
    out: &Path,
    root: &Path,
    check: bool,
    force: bool,
) -> Result<ExitCode, String> {
    // Each Rust source is compared (and staged) as soon as it is made.
    let mut output = write::Staged::open(out, force, check).map_err(|e| e.to_string())?;
    let mut generated =
        generator::generate_streamed(options, &mut output).map_err(|e| e.to_string())?;
    // Compare with the surface recorded in the output folder: changelog entry and,
    // with `version_policy: semver`, the version.
    let release = generator::api_diff::release(&mut generated, out, &options.templates)
        .map_err(|e| e.to_string())?;
    if release.unreadable {
        eprintln!(
            "note: {}: not an API surface this generator reads; no API report this time",
            out.join(generator::surface::FILE).display()
        );
    }
    for d in &generated.api.diagnostics {
        eprintln!("note: {}: {d}", options.spec.display());
    }
    let shown = out.strip_prefix(root).unwrap_or(out).display().to_string();
    generated.put_into(&mut output).map_err(|e| e.to_string())?;
    let (changes, diff) = output.finish().map_err(|e| e.to_string())?;
    if check {
        if changes.is_empty() {
            println!("{shown} is up to date ({} files)", changes.unchanged);
            return Ok(ExitCode::SUCCESS);
        }
        eprint!("{diff}");
        eprintln!(
            "error: {shown} is stale ({} files differ, {} no longer generated); run `cargo xtask codegen`",
            changes.written.len(),
            changes.removed.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    if let Some(report) = release.report.as_ref().filter(|r| !r.is_empty()) {
        print!("{}", report.to_text());
        let from = release.previous_version.as_deref().unwrap_or("-");
        println!(
            "\nversion {from} -> {} (entry added to {shown}/{})\n",
            release.version,
            generator::api_diff::CHANGELOG
        );
    }
    println!(
        "{shown}: {} written, {} removed, {} unchanged ({} notes)",
        changes.written.len(),
        changes.removed.len(),
        changes.unchanged,
        generated.api.diagnostics.len()
    );
    Ok(ExitCode::SUCCESS)
}
