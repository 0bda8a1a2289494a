//! The emitted contract suite (`tests/contract.rs`): which tests each operation gets,
//! and sample values that respect the schema (enum, `pattern`, `format`, bounds) where
//! the spec has no example.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Operations whose parameters have no examples, only constraints.
const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Samples, version: 1.0.0}
servers: [{url: "https://api.example.com"}]
paths:
  /numbers/{numberId}:
    get:
      operationId: getNumber
      tags: [Numbers]
      parameters:
        - {name: numberId, in: path, required: true, schema: {type: string, format: uuid}}
        - {name: phone, in: query, required: true, schema: {type: string, pattern: '^\+[1-9]\d{1,14}$'}}
        - {name: limit, in: query, schema: {type: integer, minimum: 10, maximum: 20}}
        - {name: ratio, in: query, schema: {type: number, exclusiveMinimum: true, minimum: 2}}
        - {name: kind, in: query, schema: {$ref: '#/components/schemas/Kind'}}
        - {name: code, in: header, schema: {type: string, pattern: '^[A-Z]{3}-\d{4}$'}}
      responses:
        '200':
          description: The number.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Number'}
              example: {id: n1, kind: mobile}
        '404':
          description: Not found.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Problem'}
              example: {code: 7, message: no such number}
    delete:
      operationId: deleteNumber
      tags: [Numbers]
      parameters:
        - {name: numberId, in: path, required: true, schema: {type: string}, example: n1}
      responses:
        '204': {description: Deleted.}
components:
  schemas:
    Kind: {type: string, enum: [mobile, landline]}
    Number:
      type: object
      required: [id]
      properties:
        id: {type: string}
        kind: {$ref: '#/components/schemas/Kind'}
    Problem:
      type: object
      properties:
        code: {type: integer}
        message: {type: string}
"#;

fn contract_file() -> String {
    // One folder per call: the tests of this file run in parallel.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, Ordering::SeqCst);
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "openapi-rust-gen-contract-{}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("samples.yaml");
    std::fs::write(&spec, SPEC).expect("write spec");
    let generated = generator::generate(&generator::Options {
        spec,
        templates: Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    generated
        .files
        .get(Path::new("tests/contract.rs"))
        .expect("tests/contract.rs is emitted")
        .to_string()
}

/// The text of the emitted function `name`, up to the next item.
fn function<'a>(file: &'a str, name: &str) -> &'a str {
    let start = file
        .find(&format!("fn {name}()"))
        .unwrap_or_else(|| panic!("no `{name}` in:\n{file}"));
    let rest = &file[start..];
    let end = rest.find("\n}\n").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

#[test]
fn each_operation_gets_required_all_and_error_tests() {
    let file = contract_file();
    for name in [
        "numbers_retrieve_required_params",
        "numbers_retrieve_all_params",
        "numbers_retrieve_error_responses",
        // No optional parameters: one test covers both calls; no documented errors.
        "numbers_delete",
    ] {
        let f = function(&file, name);
        assert!(
            f.contains(
                "#[ignore = \"contract test: needs the Prism mock server; run `cargo xtask contract`\"]"
            ) || !f.contains("async"),
            "{f}"
        );
    }
    assert!(!file.contains("fn numbers_delete_required_params"));
    assert!(!file.contains("fn numbers_delete_error_responses"));
    assert!(file.contains("const BASE_URL_ENV: &str = \"SAMPLES_BASE_URL\";"));
}

#[test]
fn samples_respect_the_schema_when_there_is_no_example() {
    let file = contract_file();
    let required = function(&file, "numbers_retrieve_required_params");
    for expected in [
        // format: uuid
        "\"b2c3d4e5-f6a7-8901-bcde-f23456789012\"",
        // an E.164 pattern
        "phone: \"+12025550123\".to_owned()",
        "limit: None",
        "ratio: None",
        "kind: None",
        "code: None",
    ] {
        assert!(
            required.contains(expected),
            "missing `{expected}` in:\n{required}"
        );
    }
    let all = function(&file, "numbers_retrieve_all_params");
    for expected in [
        "phone: \"+12025550123\".to_owned()",
        // Within [10, 20].
        "limit: Some(10)",
        // Above the exclusive minimum 2.
        "ratio: Some(2.5)",
        // The enum's first value.
        "kind: Some(samples::types::Kind::Mobile)",
        // Synthesised from the pattern's syntax.
        "code: Some(\"AAA-0000\".to_owned())",
    ] {
        assert!(all.contains(expected), "missing `{expected}` in:\n{all}");
    }
    // The response example is the expected value, typed and as JSON; a response-only
    // struct is #[non_exhaustive], so it is built with `new` and assignments.
    assert!(
        all.contains("let mut v = samples::types::Number::new(\"n1\".to_owned());"),
        "{all}"
    );
    assert!(
        all.contains("v.kind = Some(samples::types::Kind::Mobile);"),
        "{all}"
    );
    assert!(
        all.contains(r##"json(r#"{"id":"n1","kind":"mobile"}"#)"##),
        "{all}"
    );
    // The path parameter's own example is used.
    assert!(function(&file, "numbers_delete").contains(".delete_with_response(\"n1\")"));
}

#[test]
fn error_examples_become_shared_constructors() {
    let file = contract_file();
    let error = function(&file, "error_404");
    for expected in [
        "status: 404",
        r##"json(r#"{"code":7,"message":"no such number"}"#)"##,
        "code: Some(7)",
        "message: Some(\"no such number\")",
    ] {
        assert!(
            error.contains(expected),
            "missing `{expected}` in:\n{error}"
        );
    }
    assert!(
        function(&file, "numbers_retrieve_error_responses")
            .contains("for expected in [error_404()]")
    );
}

#[test]
fn the_checked_in_linq_suite_covers_every_operation() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../generated/tests/contract.rs");
    let file = std::fs::read_to_string(path).expect("generated/tests/contract.rs");
    for name in [
        "webhook_subscriptions_create_required_params",
        "webhook_subscriptions_create_all_params",
        "webhook_subscriptions_list",
        "webhook_subscriptions_retrieve",
        "webhook_subscriptions_update_required_params",
        "webhook_subscriptions_update_all_params",
        "webhook_subscriptions_delete",
        "webhook_events_list",
        "chats_create_required_params",
        "chats_list_chats_all_params",
        "chats_location_retrieve",
        "chats_messages_send_all_params",
        "messages_delete",
        "messages_create_all_params",
        "attachments_create",
        "contact_card_update_required_params",
        "available_number_retrieve_all_params",
        "webhook_message_sent_v2026_example_decodes",
        "webhook_message_sent_v2025_example_decodes",
    ] {
        function(&file, name);
    }
    // One decoding test per webhook entry (event type and payload version).
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/linq-api-v3.yaml");
    let spec = generator::load::load(&spec).unwrap_or_else(|e| panic!("{e}"));
    let webhooks = spec.value["webhooks"].as_object().map_or(0, |w| w.len());
    assert_eq!(file.matches("_example_decodes()").count(), webhooks);
    assert!(webhooks >= 34, "{webhooks} webhook entries");
    // The update's optional-and-nullable filter is set in the full call.
    let all = function(&file, "webhook_subscriptions_update_all_params");
    // (two items: one cannot be told from a scalar on the wire)
    assert!(
        all.contains(
            "phone_numbers: linq_api::Nullable::Value(Vec::from([\n            \
             \"+12025550123\".to_owned(),\n            \"+12025550123\".to_owned(),\n        ])),"
        ),
        "{all}"
    );
}
