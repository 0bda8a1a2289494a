//! Broken specs give a clear error naming the file and the JSON pointer; never a panic.

use std::path::{Path, PathBuf};

use generator::ErrorKind;

fn write_spec(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gen-bad-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write spec");
    path
}

fn generate(path: &Path) -> Result<generator::Generated, generator::Error> {
    generator::generate(&generator::Options {
        spec: path.to_path_buf(),
        templates: Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: None,
    })
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

#[test]
fn missing_file() {
    let e = generate(Path::new("no/such/spec.yaml")).expect_err("missing");
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(
        e.to_string().starts_with("no/such/spec.yaml: cannot read"),
        "{e}"
    );
}

#[test]
fn invalid_yaml() {
    let path = write_spec("invalid.yaml", "openapi: 3.0.3\ninfo: [unclosed\n");
    let e = generate(&path).expect_err("invalid");
    assert_eq!(e.kind(), ErrorKind::Syntax);
    assert!(e.to_string().contains("invalid.yaml"), "{e}");
    assert!(e.to_string().contains("line"), "{e}");
}

#[test]
fn dangling_ref() {
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Nope'}}\n"
    );
    let path = write_spec("dangling.yaml", &text);
    let e = generate(&path).expect_err("dangling");
    assert_eq!(e.kind(), ErrorKind::DanglingRef);
    assert_eq!(
        e.pointer(),
        Some("#/paths/~1a/get/responses/200/content/application~1json/schema")
    );
    assert!(e.to_string().contains("#/components/schemas/Nope"), "{e}");
}

#[test]
fn reference_cycle() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
    );
    let path = write_spec("cycle.yaml", &text);
    let e = generate(&path).expect_err("cycle");
    assert_eq!(e.kind(), ErrorKind::RefCycle);
    assert_eq!(e.pointer(), Some("#/components/schemas/A"));
}

#[test]
fn all_of_cycle() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      allOf: [{{$ref: '#/components/schemas/B'}}, {{type: object}}]\n    B:\n      allOf: [{{$ref: '#/components/schemas/A'}}, {{type: object}}]\n"
    );
    let path = write_spec("allof-cycle.yaml", &text);
    let e = generate(&path).expect_err("cycle");
    assert_eq!(e.kind(), ErrorKind::RefCycle);
    assert!(
        e.pointer()
            .is_some_and(|p| p.starts_with("#/components/schemas/")),
        "{e}"
    );
}

#[test]
fn unsupported_version() {
    let path = write_spec(
        "v4.yaml",
        "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    let e = generate(&path).expect_err("unsupported");
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(e.pointer(), Some("#/openapi"));
}

#[test]
fn wrong_shape_is_located() {
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200': {{description: 5}}\n"
    );
    let path = write_spec("shape.yaml", &text);
    let e = generate(&path).expect_err("shape");
    assert_eq!(e.kind(), ErrorKind::Invalid);
    assert!(
        e.pointer()
            .is_some_and(|p| p.starts_with("#/paths/~1a/get/responses/200")),
        "{e}"
    );
}

/// Path items are parsed a few ahead of the one being lowered: a bad one is still
/// reported where it is, first or last, and an early error does not leave the
/// parsing thread waiting (the call returns).
#[test]
fn a_bad_path_item_among_many_is_located() {
    let good = |i: usize| {
        format!("  /p{i}:\n    get:\n      responses:\n        '200': {{description: ok}}\n")
    };
    let bad = |i: usize| {
        format!("  /p{i}:\n    get:\n      responses:\n        '200': {{description: 5}}\n")
    };
    for at in [0, 20] {
        let paths: String = (0..=20)
            .map(|i| if i == at { bad(i) } else { good(i) })
            .collect();
        let path = write_spec(
            &format!("many-{at}.yaml"),
            &format!("{HEAD}paths:\n{paths}"),
        );
        let e = generate(&path).expect_err("shape");
        assert_eq!(e.kind(), ErrorKind::Invalid);
        let expected = format!("#/paths/~1p{at}/get/responses/200");
        assert!(e.pointer().is_some_and(|p| p.starts_with(&expected)), "{e}");
    }
}

#[test]
fn recursive_types_are_fine() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      required: [next]\n      properties:\n        next: {{$ref: '#/components/schemas/Node'}}\n        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}\n"
    );
    let path = write_spec("recursive.yaml", &text);
    let generated = generate(&path).unwrap_or_else(|e| panic!("{e}"));
    let types = generated
        .files
        .get(Path::new("src/types.rs"))
        .expect("types");
    assert!(types.contains("pub next: Box<Node>"), "{types}");
    assert!(types.contains("pub children: Option<Vec<Node>>"), "{types}");
}
