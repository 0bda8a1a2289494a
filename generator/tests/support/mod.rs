//! Helpers shared by the fixture tests: generate a fixture in memory, find an
//! operation, read an emitted file.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use generator::ir::{Api, Operation};

/// Generates the spec at `spec` with the `templates/` folder, crate name `fixture`.
pub fn generate_at(spec: &Path) -> generator::Generated {
    let options = generator::Options {
        spec: spec.to_path_buf(),
        templates: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: Some("fixture".into()),
    };
    match generator::generate(&options) {
        Ok(g) => g,
        Err(e) => panic!("{} does not generate: {e}", spec.display()),
    }
}

/// Generates `tests/fixtures/<name>`.
pub fn generate(name: &str) -> generator::Generated {
    generate_at(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
}

/// The operation with this `operationId`.
pub fn op<'a>(api: &'a Api, id: &str) -> &'a Operation {
    api.resources
        .iter()
        .flat_map(|r| &r.operations)
        .find(|o| o.operation_id == id)
        .unwrap_or_else(|| panic!("no operation {id}"))
}

/// An emitted file's text.
pub fn file(g: &generator::Generated, path: &str) -> String {
    g.files
        .get(Path::new(path))
        .unwrap_or_else(|| panic!("no {path}"))
        .to_string()
}

/// An empty scratch folder of this test process, named `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}
