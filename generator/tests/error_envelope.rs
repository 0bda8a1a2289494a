//! Where error bodies carry their code and message: one rule (the config's
//! `error_envelope:`, else the spec's error schema, else a guess said to be one) that
//! the generated settings carry to the runtime and the contract suite applies to the
//! spec's error examples.

mod support;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A spec whose operations share the error schema `schema` (YAML), with `example` as
/// the 402 response's example.
fn spec(schema: &str, example: &str) -> String {
    format!(
        r#"
openapi: 3.0.3
info: {{title: Envelopes, version: 1.0.0}}
servers: [{{url: "https://api.example.com"}}]
paths:
  /charges/{{id}}:
    get:
      operationId: getCharge
      tags: [Charges]
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}, example: ch_1}}
      responses:
        '200':
          description: The charge.
          content:
            application/json:
              schema: {{type: object, properties: {{id: {{type: string}}}}}}
              example: {{id: ch_1}}
        '402':
          description: Declined.
          content:
            application/json:
              schema: {{$ref: '#/components/schemas/Failure'}}
              example: {example}
components:
  schemas:
    Failure: {schema}
"#
    )
}

/// Generates `spec` (with `config` beside it, if any); returns `src/settings.rs` and
/// `tests/contract.rs`.
fn generate(spec: &str, config: Option<&str>) -> (String, String) {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, Ordering::SeqCst);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "openapi-rust-gen-envelope-{}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("envelopes.yaml");
    std::fs::write(&path, spec).expect("write spec");
    if let Some(config) = config {
        std::fs::write(dir.join("envelopes.codegen.yaml"), config).expect("write config");
    }
    let generated = support::generate_at(&path);
    let _ = std::fs::remove_dir_all(&dir);
    (
        support::file(&generated, "src/settings.rs"),
        support::file(&generated, "tests/contract.rs"),
    )
}

const STRIPE_LIKE: &str = "{type: object, properties: {error: {type: object, properties: \
    {code: {type: string}, message: {type: string}, type: {type: string}}}}}";

const LINQ_LIKE: &str = "{type: object, properties: {error: {type: object, properties: \
    {status: {type: integer}, code: {type: integer}, message: {type: string}}}, \
    success: {type: boolean}}}";

#[test]
fn a_text_code_in_the_error_schema_is_read_as_text() {
    let (settings, contract) = generate(
        &spec(
            STRIPE_LIKE,
            "{error: {code: card_declined, message: Your card was declined., type: card_error}}",
        ),
        None,
    );
    assert!(
        settings.contains(r#"ERROR_CODE_FIELDS: &[&str] = &["/error/code"];"#),
        "{settings}"
    );
    assert!(
        settings.contains(r#"ERROR_MESSAGE_FIELDS: &[&str] = &["/error/message"];"#),
        "{settings}"
    );
    assert!(
        settings.contains("the spec's error schema `Failure`"),
        "{settings}"
    );
    for expected in [
        "code: None,",
        r#"code_text: Some("card_declined"),"#,
        r#"message: Some("Your card was declined."),"#,
    ] {
        assert!(
            contract.contains(expected),
            "no `{expected}` in:\n{contract}"
        );
    }
}

#[test]
fn a_numeric_code_in_the_error_schema_is_read_as_a_number() {
    let (settings, contract) = generate(
        &spec(
            LINQ_LIKE,
            "{error: {status: 402, code: 2001, message: Declined}, success: false}",
        ),
        None,
    );
    assert!(
        settings.contains(r#"ERROR_CODE_FIELDS: &[&str] = &["/error/code"];"#),
        "{settings}"
    );
    for expected in [
        "code: Some(2001),",
        "code_text: None,",
        r#"message: Some("Declined"),"#,
    ] {
        assert!(
            contract.contains(expected),
            "no `{expected}` in:\n{contract}"
        );
    }
}

#[test]
fn top_level_fields_of_the_error_schema() {
    let (settings, contract) = generate(
        &spec(
            "{type: object, properties: {code: {type: integer}, message: {type: string}}}",
            "{code: 7, message: no such charge}",
        ),
        None,
    );
    assert!(
        settings.contains(r#"ERROR_CODE_FIELDS: &[&str] = &["/code"];"#),
        "{settings}"
    );
    assert!(contract.contains("code: Some(7),"), "{contract}");
    assert!(
        contract.contains(r#"message: Some("no such charge"),"#),
        "{contract}"
    );
}

#[test]
fn the_config_overrides_the_schema() {
    // The schema has `error.code`, but the config says the code is `reason` and the
    // message `detail.text`.
    let (settings, contract) = generate(
        &spec(
            "{type: object, properties: {error: {type: object, properties: {code: {type: integer}}}, \
             reason: {type: string}, detail: {type: object, properties: {text: {type: string}}}}}",
            "{error: {code: 1}, reason: limit_reached, detail: {text: Over the limit}}",
        ),
        Some("error_envelope:\n  code: reason\n  message: /detail/text\n"),
    );
    assert!(
        settings.contains(r#"ERROR_CODE_FIELDS: &[&str] = &["/reason"];"#),
        "{settings}"
    );
    assert!(
        settings.contains(r#"ERROR_MESSAGE_FIELDS: &[&str] = &["/detail/text"];"#),
        "{settings}"
    );
    assert!(
        settings.contains("the config's `error_envelope:`"),
        "{settings}"
    );
    assert!(
        contract.contains(r#"code_text: Some("limit_reached"),"#),
        "{contract}"
    );
    assert!(
        contract.contains(r#"message: Some("Over the limit"),"#),
        "{contract}"
    );
}

#[test]
fn without_config_or_schema_fields_the_guess_says_so() {
    let (settings, contract) = generate(
        &spec(
            "{type: object, properties: {reason: {type: string}}}",
            "{reason: declined}",
        ),
        None,
    );
    assert!(
        settings.contains(r#"ERROR_CODE_FIELDS: &[&str] = &["/error/code", "/code"];"#),
        "{settings}"
    );
    assert!(
        settings.contains("a guess of the common shapes"),
        "{settings}"
    );
    // The example has neither: nothing is expected of the client.
    assert!(contract.contains("code: None,"), "{contract}");
    assert!(contract.contains("message: None,"), "{contract}");
}

#[test]
fn a_config_key_that_is_not_known_is_an_error() {
    let dir = std::env::temp_dir().join(format!(
        "openapi-rust-gen-envelope-bad-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("envelopes.yaml");
    std::fs::write(&path, spec(LINQ_LIKE, "{error: {code: 1}}")).expect("write spec");
    std::fs::write(
        dir.join("envelopes.codegen.yaml"),
        "error_envelope:\n  codes: /x\n",
    )
    .expect("write config");
    let result = generator::generate(&generator::Options {
        spec: path,
        templates: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: None,
    });
    let _ = std::fs::remove_dir_all(&dir);
    let err = match result {
        Ok(_) => panic!("an unknown key in error_envelope: was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("codes"), "{err}");
}
