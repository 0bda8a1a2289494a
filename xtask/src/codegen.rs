//! `cargo xtask codegen`: regenerate (or check) a client crate.

use std::path::PathBuf;
use std::process::ExitCode;

use generator::Options;

use crate::{Args, repo_root};

pub fn run(raw: &[String]) -> Result<ExitCode, String> {
    let args = Args::parse(
        raw,
        &["--check", "--dump-ir"],
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
        templates,
        crate_name: args.value("--name").map(str::to_string),
    };

    if args.flag("--dump-ir") {
        let mut timings = generator::Timings::default();
        let (api, _) =
            generator::lower_spec(&options.spec, options.crate_name.as_deref(), &mut timings)
                .map_err(|e| e.to_string())?;
        let json = serde_json::to_string_pretty(&api).map_err(|e| e.to_string())?;
        println!("{json}");
        return Ok(ExitCode::SUCCESS);
    }

    let generated = generator::generate(&options).map_err(|e| e.to_string())?;
    let shown = out
        .strip_prefix(&root)
        .unwrap_or(&out)
        .display()
        .to_string();
    let fresh = generator::write_or_check(
        &generated,
        &options.spec,
        &out,
        &shown,
        args.flag("--check"),
        "; run `cargo xtask codegen`",
    )
    .map_err(|e| e.to_string())?;
    Ok(if fresh {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
