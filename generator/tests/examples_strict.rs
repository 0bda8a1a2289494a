//! A spec example that contradicts its own schema: with `strict_examples: true` in the
//! config beside the spec, generation fails naming the file and the example's JSON
//! pointer; without it, the example is a diagnostic and the crate is still generated.

use std::path::{Path, PathBuf};

/// A small spec whose request example has a phone number that is not E.164 and whose
/// response example uses an enum value the schema does not list.
const SPEC: &str = r#"
openapi: 3.1.0
info: {title: Bad Examples, version: 1.0.0}
servers: [{url: "https://api.example.com"}]
paths:
  /subscriptions:
    post:
      operationId: createSubscription
      tags: [Subscriptions]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Create'}
            example:
              event: message.sent
              phone_numbers: ['+12025550123', '2025550123']
      responses:
        '200':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Create'}
              examples:
                created:
                  value: {event: message.bogus}
components:
  schemas:
    Event: {type: string, enum: [message.sent, message.read]}
    Create:
      type: object
      required: [event]
      properties:
        event: {$ref: '#/components/schemas/Event'}
        phone_numbers:
          type: array
          items: {type: string, pattern: '^\+[1-9]\d{1,14}$'}
"#;

const REQUEST_EXAMPLE: &str =
    "#/paths/~1subscriptions/post/requestBody/content/application~1json/example";
const RESPONSE_EXAMPLE: &str =
    "#/paths/~1subscriptions/post/responses/200/content/application~1json/examples/created/value";

/// Writes the spec (and a config when given) into a fresh folder.
fn fixture(name: &str, config: Option<&str>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openapi-rust-gen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("bad.yaml");
    std::fs::write(&spec, SPEC).expect("write spec");
    if let Some(config) = config {
        std::fs::write(dir.join("bad.codegen.yaml"), config).expect("write config");
    }
    spec
}

fn generate(spec: &Path) -> Result<generator::Generated, generator::Error> {
    generator::generate(&generator::Options {
        spec: spec.to_path_buf(),
        templates: Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: None,
    })
}

#[test]
fn strict_examples_fail_generation_with_file_and_pointer() {
    let spec = fixture("strict", Some("strict_examples: true\n"));
    let err = match generate(&spec) {
        Ok(_) => panic!("generation must fail on an invalid example"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), generator::ErrorKind::Invalid);
    assert_eq!(err.file(), spec.as_path());
    assert_eq!(err.pointer(), Some(REQUEST_EXAMPLE));
    let text = err.to_string();
    for expected in [
        &format!("{}: invalid OpenAPI at {REQUEST_EXAMPLE}", spec.display()),
        "example does not validate against its schema",
        "at /phone_numbers/1: \"2025550123\" does not match pattern `^\\+[1-9]\\d{1,14}$`",
        // The second bad example is listed too, with its own pointer.
        &format!(
            "{RESPONSE_EXAMPLE}: at /event: \"message.bogus\" is not one of the allowed values"
        ),
        "strict_examples: false",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    let _ = std::fs::remove_dir_all(spec.parent().expect("dir"));
}

#[test]
fn without_strict_examples_an_invalid_example_is_a_diagnostic() {
    for (name, config) in [
        ("lenient-default", None),
        ("lenient-explicit", Some("strict_examples: false\n")),
    ] {
        let spec = fixture(name, config);
        let generated = generate(&spec).unwrap_or_else(|e| panic!("{name}: {e}"));
        let pointers: Vec<&str> = generated
            .api
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("example does not validate"))
            .map(|d| d.pointer.as_str())
            .collect();
        assert_eq!(pointers, [REQUEST_EXAMPLE, RESPONSE_EXAMPLE], "{name}");
        let _ = std::fs::remove_dir_all(spec.parent().expect("dir"));
    }
}

#[test]
fn the_linq_spec_is_strict_and_its_examples_are_valid() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/linq-api-v3.yaml");
    let config = std::fs::read_to_string(spec.with_file_name("linq-api-v3.codegen.yaml"))
        .expect("config beside the spec");
    assert!(
        config.lines().any(|l| l.trim() == "strict_examples: true"),
        "the Linq spec must keep strict example checking on"
    );
    let generated = generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !generated
            .api
            .diagnostics
            .iter()
            .any(|d| d.message.contains("example")),
        "{:?}",
        generated.api.diagnostics
    );
}
