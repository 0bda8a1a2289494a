//! Snapshot tests: for each construct fixture in `tests/fixtures/` (and the naming
//! spec in `tests/golden/`), every emitted `src/` file (the runtime, copied verbatim,
//! is left out) is compared with its checked-in snapshot under `tests/snapshots/`, so a
//! generator change shows up as a reviewable diff of the output.
//!
//! To accept an intended change, rewrite the snapshots and review their diff:
//! `INSTA_UPDATE=always cargo test -p openapi-rust-gen --test golden`
//! (that also removes the snapshots of files no longer emitted).

use std::path::{Path, PathBuf};

/// Fixtures that are not about a construct: `doc_fences.yaml` is hostile doc text,
/// checked by `tests/doc_fences.rs`.
const NOT_CONSTRUCTS: &[&str] = &["doc_fences.yaml"];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn generate(spec: &Path) -> generator::Generated {
    let options = generator::Options {
        spec: spec.to_path_buf(),
        templates: manifest_dir().join("../templates"),
        crate_name: None,
    };
    generator::generate(&options).unwrap_or_else(|e| panic!("{e}"))
}

/// The snapshot name of an emitted file: its path under `src/`, `/` as `__`.
fn snapshot_name(path: &Path) -> Option<String> {
    let rel = path.strip_prefix("src").ok()?;
    if rel.starts_with("runtime") || path.extension().is_none_or(|e| e != "rs") {
        return None;
    }
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    Some(parts.join("__"))
}

/// Compares every emitted `src/` file of `spec` with its snapshot in
/// `tests/snapshots/<set>/`; snapshots no emitted file has fail the test (or are
/// removed when accepting).
fn check(set: &str, spec: &Path) {
    let generated = generate(spec);
    let dir = manifest_dir().join("tests/snapshots").join(set);
    let mut names = Vec::new();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(&dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(spec);
    settings.bind(|| {
        for (path, text) in generated.files.iter() {
            let Some(name) = snapshot_name(path) else {
                continue;
            };
            insta::assert_snapshot!(name.as_str(), text);
            names.push(format!("{name}.snap"));
        }
    });
    let accepting = std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always");
    let stale: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                    name.is_some_and(|n| n.ends_with(".snap") && !names.contains(&n))
                })
                .collect()
        })
        .unwrap_or_default();
    for path in &stale {
        if accepting {
            std::fs::remove_file(path).expect("remove a stale snapshot");
        }
    }
    assert!(
        accepting || stale.is_empty(),
        "snapshots of files no longer emitted (INSTA_UPDATE=always to remove): {stale:?}"
    );
}

fn fixture(name: &str) -> PathBuf {
    manifest_dir().join("tests/fixtures").join(name)
}

macro_rules! snapshot_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($file.trim_end_matches(".yaml"), &fixture($file));
            }
        )*

        /// Every construct fixture has its snapshot test.
        #[test]
        fn every_construct_fixture_has_snapshots() {
            let listed = [$($file),*];
            let dir = manifest_dir().join("tests/fixtures");
            let mut missing = Vec::new();
            for entry in std::fs::read_dir(&dir).expect("fixtures") {
                let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
                let spec = name.ends_with(".yaml") && !name.ends_with(".codegen.yaml");
                if spec && !NOT_CONSTRUCTS.contains(&name.as_str()) && !listed.contains(&name.as_str()) {
                    missing.push(name);
                }
            }
            assert!(missing.is_empty(), "fixtures without snapshot tests: {missing:?}");
        }
    };
}

snapshot_tests! {
    auth_cookie => "auth-cookie.yaml",
    idempotency => "idempotency.yaml",
    names => "names.yaml",
    odd_names => "odd_names.yaml",
    operations => "operations.yaml",
    pagination => "pagination.yaml",
    refs => "refs.yaml",
    requests => "requests.yaml",
    schemas => "schemas.yaml",
    v31_components_only => "v31-components-only.yaml",
    v31_content_media => "v31-content-media.yaml",
    v31_info => "v31-info.yaml",
    v31_mutual_tls => "v31-mutual-tls.yaml",
    v31_no_responses => "v31-no-responses.yaml",
    v31_path_items => "v31-path-items.yaml",
    v31_ref_siblings => "v31-ref-siblings.yaml",
    v31_schema_keywords => "v31-schema-keywords.yaml",
    v31_type_arrays => "v31-type-arrays.yaml",
    v31_webhooks_only => "v31-webhooks-only.yaml",
    webhook_events => "webhook_events.yaml",
    wire => "wire.yaml",
    xwebhooks => "xwebhooks.yaml",
}

fn golden_spec() -> PathBuf {
    manifest_dir().join("tests/golden/names.yaml")
}

#[test]
fn odd_names_become_valid_distinct_identifiers() {
    let generated = generate(&golden_spec());
    let types = generated
        .files
        .get(Path::new("src/types.rs"))
        .expect("types.rs");
    // Keywords, leading digits, punctuation, and names that collide after conversion.
    for field in [
        "pub type_: String",
        "pub self_: Option<String>",
        "pub match_: Option<i32>",
        "pub _3d: Option<bool>",
        "pub foo_bar: Option<String>",
        "pub foo_bar_2: Option<String>",
        "pub foo_bar_3: Option<String>",
        r#"object.optional("foo-bar", &self.foo_bar_2);"#,
    ] {
        assert!(types.contains(field), "missing `{field}` in:\n{types}");
    }
    // Wire names are kept, both ways.
    for rename in [
        r#"object.field("type", &self.type_);"#,
        r#""type" => de::read_some(&mut map, &mut f_type_),"#,
        r#""3d" => de::read(&mut map, &mut f_3d),"#,
        r#""foo-bar" => de::read(&mut map, &mut f_foo_bar_2),"#,
        r#"object.optional("FooBar", &self.foo_bar_3);"#,
    ] {
        assert!(types.contains(rename), "missing `{rename}`");
    }
    // A schema named like a std item is renamed, and enum values map to distinct variants.
    assert!(types.contains("pub enum OptionType {"), "{types}");
    for variant in ["Empty,", "AB,", "V3d,", "AB2,", "Type,"] {
        assert!(types.contains(variant), "missing variant `{variant}`");
    }
    let resource = generated
        .files
        .get(Path::new("src/resources/things.rs"))
        .expect("things.rs");
    assert!(resource.contains("thing_id: &str"), "{resource}");
    check("golden-names", &golden_spec());
}

#[test]
fn every_emitted_rust_file_parses() {
    let generated = generate(&golden_spec());
    for (path, text) in generated.files.iter() {
        if path.extension().is_some_and(|e| e == "rs")
            && let Err(e) = syn::parse_file(text)
        {
            panic!("{} does not parse: {e}", path.display());
        }
    }
}

#[test]
fn generation_is_deterministic() {
    let a = generate(&golden_spec());
    let b = generate(&golden_spec());
    assert_eq!(a.files, b.files);
}
