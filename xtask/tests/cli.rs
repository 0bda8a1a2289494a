//! The `codegen` command end to end: exit codes, nothing written on failure, and
//! `--check` catching a stale output folder.

use std::path::{Path, PathBuf};
use std::process::Command;

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn bad_spec_fails_cleanly_and_writes_nothing() {
    let dir = temp("bad");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let spec = dir.join("broken.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Missing'}\n",
    )
    .expect("write");
    let out = dir.join("out");
    let result = xtask()
        .args(["codegen", "--spec"])
        .arg(&spec)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run xtask");
    assert!(!result.status.success());
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("broken.yaml: dangling $ref at #/paths/~1a/get/responses/200"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        !out.exists(),
        "nothing may be written when generation fails"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn check_reports_stale_output_and_write_fixes_it() {
    let out = temp("check");
    let spec = repo().join("spec/linq-api-v3.yaml");
    let run = |extra: &[&str]| {
        xtask()
            .args(["codegen", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .output()
            .expect("run xtask")
    };
    // Missing output: --check fails and writes nothing.
    let stale = run(&["--check"]);
    assert!(!stale.status.success());
    assert!(!out.exists());

    assert!(run(&[]).status.success());
    assert!(run(&["--check"]).status.success());

    // Hand edits and stray files are reported with a diff, then undone by a rewrite.
    let lib = out.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).expect("read lib.rs");
    std::fs::write(
        &lib,
        text.replace(
            "#![forbid(unsafe_code)]",
            "#![forbid(unsafe_code)]\n// edited",
        ),
    )
    .expect("edit");
    std::fs::write(out.join("src/stray.rs"), "").expect("stray");
    let stale = run(&["--check"]);
    assert!(!stale.status.success());
    let stderr = String::from_utf8_lossy(&stale.stderr);
    assert!(stderr.contains("-// edited"), "{stderr}");
    assert!(stderr.contains("src/stray.rs"), "{stderr}");
    assert!(stderr.contains("run `cargo xtask codegen`"), "{stderr}");

    let fixed = run(&[]);
    assert!(fixed.status.success());
    assert!(String::from_utf8_lossy(&fixed.stdout).contains("1 written, 1 removed"));
    assert!(!out.join("src/stray.rs").exists());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn dump_ir_prints_json() {
    let result = xtask()
        .args(["codegen", "--dump-ir"])
        .output()
        .expect("run xtask");
    assert!(result.status.success());
    let ir: serde_json::Value = serde_json::from_slice(&result.stdout).expect("IR is JSON");
    let subscriptions = ir["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["accessor"] == "webhook_subscriptions")
        .expect("the webhook_subscriptions resource");
    let ops: Vec<&str> = subscriptions["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert!(
        ops.contains(&"update") && ops.contains(&"retrieve"),
        "{ops:?}"
    );
}

#[test]
fn api_diff_prints_the_report_and_writes_nothing() {
    let scenario = repo().join("generator/tests/api_diff/enum_value_removed");
    let run = |extra: &[&str]| {
        xtask()
            .arg("api-diff")
            .arg(scenario.join("old.yaml"))
            .arg(scenario.join("new.yaml"))
            .args(extra)
            .output()
            .expect("run xtask")
    };
    let text = run(&[]);
    assert!(text.status.success(), "{text:?}");
    let expected = std::fs::read_to_string(scenario.join("expected.txt")).expect("expected.txt");
    assert_eq!(String::from_utf8_lossy(&text.stdout), expected);

    let json = run(&["--format", "json"]);
    assert!(json.status.success(), "{json:?}");
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    assert_eq!(value["class"], "major");
    assert_eq!(value["changes"][0]["kind"], "removed");
    assert_eq!(value["changes"][0]["item"], "types::ChatStatus::Archived");

    // The same spec twice: no changes.
    let same = xtask()
        .arg("api-diff")
        .arg(scenario.join("old.yaml"))
        .arg(scenario.join("old.yaml"))
        .output()
        .expect("run xtask");
    assert_eq!(
        String::from_utf8_lossy(&same.stdout),
        "no changes to the public API\n"
    );

    let missing = xtask()
        .args(["api-diff", "no-such.yaml"])
        .arg(scenario.join("old.yaml"))
        .output()
        .expect("run xtask");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such.yaml: no such file"));
}
