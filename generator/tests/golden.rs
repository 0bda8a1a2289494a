//! Golden tests: emitted code for small fixture specs, compared with checked-in
//! snapshots. Set `UPDATE_SNAPSHOTS=1` to rewrite the snapshots after an intended
//! change, then review their diff like any other code.

use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn generate(spec: &str) -> generator::Generated {
    let options = generator::Options {
        spec: dir().join(spec),
        templates: Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: None,
    };
    generator::generate(&options).unwrap_or_else(|e| panic!("{e}"))
}

fn assert_snapshot(name: &str, actual: &str) {
    let path = dir().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).expect("write snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let diff = generator::write::unified_diff(Path::new(name), &expected, actual);
        panic!("{name} differs from the emitted code (UPDATE_SNAPSHOTS=1 to accept):\n{diff}");
    }
}

#[test]
fn odd_names_become_valid_distinct_identifiers() {
    let generated = generate("names.yaml");
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
    assert_snapshot("names.types.rs", types);
    let resource = generated
        .files
        .get(Path::new("src/resources/things.rs"))
        .expect("things.rs");
    assert!(resource.contains("thing_id: &str"), "{resource}");
    assert_snapshot("names.things.rs", resource);
}

#[test]
fn every_emitted_rust_file_parses() {
    let generated = generate("names.yaml");
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
    let a = generate("names.yaml");
    let b = generate("names.yaml");
    assert_eq!(a.files, b.files);
}
