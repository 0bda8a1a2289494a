//! The API report on scenario pairs: `tests/api_diff/<scenario>/{old,new}.yaml` must give
//! the report in `expected.txt` (`UPDATE_SNAPSHOTS=1` writes it; review the diff).
//! `cargo xtask api-diff --verify` checks the same scenarios' verdicts against
//! cargo-semver-checks.
//!
//! Also the release bookkeeping of `cargo xtask codegen`: version bump, changelog entry,
//! and that regenerating again changes nothing.

use std::path::{Path, PathBuf};

use generator::api_diff::{Class, diff, release};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generate(spec: &Path) -> generator::Generated {
    generator::generate(&generator::Options {
        spec: spec.to_path_buf(),
        templates: root().join("templates"),
        crate_name: None,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api_diff");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/api_diff")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("old.yaml").exists())
        .collect();
    out.sort();
    out
}

#[test]
fn every_scenario_gives_its_expected_report() {
    let all = scenarios();
    assert!(all.len() >= 25, "only {} scenarios", all.len());
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut failures = Vec::new();
    for dir in &all {
        let old = generate(&dir.join("old.yaml"));
        let new = generate(&dir.join("new.yaml"));
        let report = diff(&old.surface, &new.surface);
        let text = report.to_text();
        let expected_path = dir.join("expected.txt");
        if update {
            std::fs::write(&expected_path, &text).expect("write expected.txt");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != text {
            failures.push(format!(
                "{}:\n--- expected\n{expected}+++ got\n{text}",
                dir.display()
            ));
        }
        // The same surfaces in the other direction: an addition reverses to a removal.
        let back = diff(&new.surface, &old.surface);
        assert_eq!(
            report.is_empty(),
            back.is_empty(),
            "{}: a change is seen in one direction only",
            dir.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_surface_compares_equal_to_itself_and_survives_json() {
    let g = generate(&root().join("spec/linq-api-v3.yaml"));
    assert!(diff(&g.surface, &g.surface).is_empty());
    let json = g.surface.to_json();
    let back = generator::surface::Surface::from_json(&json).expect("api.json reads back");
    assert_eq!(back, g.surface);
    assert_eq!(back.to_json(), json);
    // Printed in pieces into a sink, it is the same text.
    let mut pieces = Pieces::default();
    g.surface.put_json(&mut pieces).expect("printed");
    assert!(pieces.0.len() > 1, "{} pieces", pieces.0.len());
    assert_eq!(pieces.0.concat(), json);
}

/// A sink keeping the pieces of one file as they come.
#[derive(Default)]
struct Pieces(Vec<String>);

impl generator::write::Sink for Pieces {
    fn add(
        &mut self,
        _: &Path,
        text: &str,
        first: bool,
        last: bool,
    ) -> Result<(), generator::Error> {
        assert_eq!(first, self.0.is_empty());
        assert!(!last || !text.is_empty());
        self.0.push(text.to_string());
        Ok(())
    }
}

/// A scratch folder holding a copy of a scenario's spec under one name, with a config.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("api-diff-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }

    /// Puts `spec` in place as `api.yaml` with `config` beside it.
    fn spec(&self, spec: &Path, config: &str) -> PathBuf {
        let target = self.0.join("api.yaml");
        std::fs::copy(spec, &target).expect("copy spec");
        std::fs::write(self.0.join("api.codegen.yaml"), config).expect("write config");
        target
    }

    /// Generates into `out` as `cargo xtask codegen` does; the report, if any.
    fn codegen(&self, spec: &Path, config: &str) -> generator::api_diff::Release {
        let spec = self.spec(spec, config);
        let mut g = generate(&spec);
        let out = self.0.join("crate");
        let r = release(&mut g, &out, &root().join("templates")).expect("release");
        generator::write::write(&out, &g.files).expect("write");
        r
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.0.join("crate").join(file)).expect(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn semver_policy_bumps_the_version_and_writes_one_changelog_entry() {
    let s = Scratch::new("semver");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api_diff");
    let config = "version: 1.4.2\nversion_policy: semver\nrelease_date: 2026-03-01\n";
    let first = s.codegen(&fixtures.join("enum_value_added/old.yaml"), config);
    assert!(first.report.is_none());
    assert_eq!(first.version, "1.4.2");
    assert!(
        s.read("CHANGELOG.md")
            .contains("## 1.4.2 (API 1.0.0, 2026-03-01)")
    );

    // A new enum value (the enum is #[non_exhaustive]): minor.
    let second = s.codegen(&fixtures.join("enum_value_added/new.yaml"), config);
    let report = second.report.expect("a report");
    assert_eq!(report.class, Some(Class::Minor));
    assert_eq!(second.previous_version.as_deref(), Some("1.4.2"));
    assert_eq!(second.version, "1.5.0");
    assert!(s.read("Cargo.toml").contains("version = \"1.5.0\""));
    assert!(s.read("api.json").contains("\"version\": \"1.5.0\""));
    let log = s.read("CHANGELOG.md");
    assert!(log.contains("## 1.5.0 (API 1.0.0, 2026-03-01)\n\nSemver class: minor."));
    assert!(
        log.contains("- added `types::ChatStatus::Deleted`"),
        "{log}"
    );
    // Newest first.
    assert!(log.find("## 1.5.0") < log.find("## 1.4.2"), "{log}");

    // Regenerating the same spec is a fixpoint: no new entry, no new version.
    let again = s.codegen(&fixtures.join("enum_value_added/new.yaml"), config);
    assert!(again.report.is_some_and(|r| r.is_empty()));
    assert_eq!(again.version, "1.5.0");
    assert_eq!(s.read("CHANGELOG.md"), log);

    // A removed value: major.
    let third = s.codegen(&fixtures.join("enum_value_removed/new.yaml"), config);
    assert_eq!(third.report.and_then(|r| r.class), Some(Class::Major));
    assert_eq!(third.version, "2.0.0");
    assert!(s.read("CHANGELOG.md").contains("### Breaking (major)"));
}

#[test]
fn fixed_policy_keeps_the_configured_version_but_still_logs() {
    let s = Scratch::new("fixed");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api_diff");
    let config = "version: 0.3.0\n";
    s.codegen(&fixtures.join("docs_only/old.yaml"), config);
    let r = s.codegen(&fixtures.join("docs_only/new.yaml"), config);
    assert_eq!(r.report.and_then(|r| r.class), Some(Class::Patch));
    assert_eq!(r.version, "0.3.0");
    let log = s.read("CHANGELOG.md");
    assert!(
        log.contains("## 0.3.0 (API 1.0.0)\n\nSemver class: patch."),
        "{log}"
    );
    assert!(log.contains("### Docs and wire only (patch)"), "{log}");

    // An api.json of another format is not compared (and not an error); the
    // changelog keeps its entries.
    std::fs::write(s.0.join("crate/api.json"), "{\"format\": 0}").expect("write");
    let r = s.codegen(&fixtures.join("docs_only/new.yaml"), config);
    assert!(r.unreadable && r.report.is_none());
    assert_eq!(s.read("CHANGELOG.md"), log);
    assert!(generator::surface::Surface::from_json(&s.read("api.json")).is_some());
}
