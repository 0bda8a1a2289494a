//! Typed webhook events (config `webhooks.discriminators`): which webhooks are keyed
//! and how (`const` in the payload schema, else the example), what the envelope's
//! payload member becomes, and, compiled and run, that every keyed webhook example
//! decodes into its variant and an unknown event type or version into `Unknown`.

use std::path::{Path, PathBuf};
use std::process::Command;

use generator::ir::{Api, EventUnion, TypeKind, TypeRef};

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture() -> PathBuf {
    manifest_dir().join("tests/fixtures/webhook_events.yaml")
}

fn lower(spec: &Path) -> Api {
    match generator::lower_spec(spec, Some("fixture")) {
        Ok((api, _)) => api,
        Err(e) => panic!("{} does not lower: {e}", spec.display()),
    }
}

fn union<'a>(api: &'a Api, ty: &TypeRef) -> (&'a str, &'a EventUnion) {
    match ty {
        TypeRef::Named(id) => match &api.type_def(*id).kind {
            TypeKind::Event(e) => (&api.type_def(*id).name, e),
            other => panic!("not an event union: {other:?}"),
        },
        other => panic!("not a named type: {other:?}"),
    }
}

fn type_name(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(id) => api.type_def(*id).name.clone(),
        other => format!("{other:?}"),
    }
}

#[test]
fn webhooks_are_keyed_by_const_then_by_example() {
    let api = lower(&fixture());
    let events = api.webhook_events.as_ref().expect("typed events");
    assert_eq!(api.type_def(events.envelope).name, "Envelope");
    assert_eq!(events.discriminators, ["event_type", "webhook_version"]);
    let TypeKind::Struct(envelope) = &api.type_def(events.envelope).kind else {
        panic!("the envelope is a struct");
    };
    let data = envelope
        .fields
        .iter()
        .find(|f| f.wire_name == "data")
        .expect("data");
    assert_eq!(data.ty, TypeRef::Named(events.data_type));

    let (top_name, top) = union(&api, &TypeRef::Named(events.data_type));
    assert_eq!(top_name, "EnvelopeData");
    assert_eq!(top.unknown.as_deref(), Some("Unknown"));
    let names: Vec<(&str, &str)> = top
        .variants
        .iter()
        .map(|v| (v.name.as_str(), v.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("MessageReceived", "message.received"),
            (
                "ChatTypingIndicatorStarted",
                "chat.typing_indicator.started"
            )
        ]
    );

    // `const`-pinned: two versions of message.received.
    let (nested_name, nested) = union(&api, &top.variants[0].ty);
    assert_eq!(nested_name, "MessageReceivedPayload");
    assert_eq!(nested.discriminator, "webhook_version");
    assert!(nested.unknown.is_none());
    let versions: Vec<(&str, &str, Option<&str>, String)> = nested
        .variants
        .iter()
        .map(|v| {
            (
                v.name.as_str(),
                v.value.as_str(),
                v.webhook.as_deref(),
                type_name(&api, &v.ty),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            (
                "V2026_02_03",
                "2026-02-03",
                Some("message.received.v2"),
                "MessageV2".to_string()
            ),
            (
                "V2025_01_01",
                "2025-01-01",
                Some("message.received.v1"),
                "MessageV1".to_string()
            ),
        ]
    );
    // Keyed by its example (no `const`).
    let (_, typing) = union(&api, &top.variants[1].ty);
    assert_eq!(typing.variants.len(), 1);
    assert_eq!(typing.variants[0].value, "2026-02-03");
    assert_eq!(type_name(&api, &typing.variants[0].ty), "Typing");

    // What could not be keyed is reported, with its pointer.
    let notes: Vec<String> = api.diagnostics.iter().map(|d| d.to_string()).collect();
    for (pointer, says) in [
        (
            "#/webhooks/chat.created.v2",
            "cannot tell the webhook's `event_type`",
        ),
        ("#/webhooks/any", "the envelope itself"),
    ] {
        assert!(
            notes
                .iter()
                .any(|n| n.contains(pointer) && n.contains(says)),
            "{pointer}: {notes:#?}"
        );
    }
}

#[test]
fn the_envelope_decodes_its_payload_last_by_the_discriminators() {
    let options = generator::Options {
        spec: fixture(),
        templates: manifest_dir().join("../templates"),
        crate_name: Some("fixture".into()),
    };
    let generated = generator::generate(&options).expect("generates");
    let types = generated
        .files
        .get(Path::new("src/types.rs"))
        .expect("types.rs")
        .to_string();
    for expected in [
        "#[non_exhaustive]\npub enum EnvelopeData {",
        "MessageReceived(MessageReceivedPayload),",
        "Unknown(serde_json::Value),",
        "de::read_some_key(&mut map, &mut f_event_type, &mut key_0)",
        "EnvelopeData::from_envelope(",
        "Some(\"2026-02-03\") =>",
        "Ok(Self::V2026_02_03(serde_json::from_value(data)?))",
    ] {
        assert!(types.contains(expected), "missing {expected:?}");
    }
    let contract = generated
        .files
        .get(Path::new("tests/contract.rs"))
        .expect("contract.rs")
        .to_string();
    for test in [
        "fn webhook_message_received_v2_example_is_its_event_variant()",
        "fn webhook_message_received_v1_example_is_its_event_variant()",
        "fn webhook_chat_typing_indicator_started_v2_example_is_its_event_variant()",
        "fn webhook_event_of_unknown_event_type_is_kept()",
        "fn webhook_event_of_unknown_webhook_version_is_kept()",
    ] {
        assert!(contract.contains(test), "missing {test}");
    }
    assert!(!contract.contains("fn webhook_chat_created_v2_example_is_its_event_variant"));
}

#[test]
fn without_discriminators_the_payload_stays_untyped() {
    // The Linq spec of this repository names no discriminators yet.
    let api = lower(&manifest_dir().join("../spec/linq-api-v3.yaml"));
    if api.webhook_events.is_none() {
        assert!(
            api.types
                .iter()
                .all(|t| !matches!(t.kind, TypeKind::Event(_)))
        );
    }
}

/// Generates the fixture's crate (and, when the corpus folder is there, one of Linq's
/// published description) into a scratch workspace and runs their emitted webhook
/// tests: each keyed example decodes as its variant, unknown values as `Unknown`, and
/// everything re-encodes unchanged. Builds real crates, so it is run by CI
/// (`.ci/run`), not by every `cargo test`.
#[test]
#[ignore = "compiles generated crates; run with --ignored (CI does)"]
fn emitted_event_tests_pass_in_generated_crates() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("webhook-event-crates");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let mut members = vec![generate_into(&fixture(), "fixture", &scratch)];

    let corpus = manifest_dir().join("../../shared/corpus/linq-partner-api-2026-02.yaml");
    if corpus.exists() {
        // A copy beside a config naming the envelope and the discriminators.
        let dir = scratch.join("linq-spec");
        std::fs::create_dir_all(&dir).expect("dir");
        let spec = dir.join("linq.yaml");
        std::fs::copy(&corpus, &spec).expect("copy the corpus file");
        std::fs::write(
            dir.join("linq.codegen.yaml"),
            "webhooks:\n  envelope: WebhookEnvelopeBase\n  discriminators: [event_type, webhook_version]\n",
        )
        .expect("config");
        let api = lower(&spec);
        let keyed = api.webhooks.len()
            - api
                .diagnostics
                .iter()
                .filter(|d| d.pointer.starts_with("#/webhooks/") && d.message.contains("not typed"))
                .count();
        eprintln!(
            "linq-partner-api-2026-02.yaml: {keyed} of {} webhooks keyed",
            api.webhooks.len()
        );
        assert!(keyed >= 8, "only {keyed} webhooks keyed");
        members.push(generate_into(&spec, "linq-corpus", &scratch));
    } else {
        eprintln!("skipped linq-partner-api-2026-02.yaml: no corpus folder beside the repository");
    }

    let list: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            list.join(", ")
        ),
    )
    .expect("workspace");
    let lock = manifest_dir().join("../Cargo.lock");
    std::fs::copy(&lock, scratch.join("Cargo.lock")).expect("seed Cargo.lock");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../target"))
        .join("corpus");
    for member in &members {
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "--offline",
                "--quiet",
                "-p",
                member,
                "--test",
                "contract",
                "webhook_",
            ])
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the webhook tests of {member} fail");
    }
}

fn generate_into(spec: &Path, name: &str, scratch: &Path) -> String {
    let options = generator::Options {
        spec: spec.to_path_buf(),
        templates: manifest_dir().join("../templates"),
        crate_name: Some(name.into()),
    };
    let mut generated = generator::generate(&options).expect("generates");
    generated.write_to(&scratch.join(name)).expect("writes");
    name.to_string()
}

/// A `webhooks.envelope` that names no schema (a typo) is a config error naming the
/// key and the config file, not a crate whose webhook example does not compile.
#[test]
fn an_envelope_naming_no_schema_is_a_config_error() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("envelope-typo");
    std::fs::create_dir_all(&dir).expect("dir");
    let spec = dir.join("events.yaml");
    std::fs::copy(fixture(), &spec).expect("copy the fixture");
    let config = dir.join("events.codegen.yaml");
    std::fs::write(&config, "webhooks:\n  envelope: Envelop\n").expect("config");
    let templates = generator::templates::Templates::embedded().expect("templates");
    let err = generator::generate_from(&spec, Some("fixture"), None, &templates)
        .expect_err("an unknown envelope");
    assert_eq!(err.kind(), generator::ErrorKind::Config);
    assert_eq!(err.file(), config.as_path());
    assert!(
        err.to_string().contains("webhooks.envelope") && err.to_string().contains("`Envelop`"),
        "{err}"
    );
    // Spelled right, the same spec generates, with the envelope in the webhook example.
    std::fs::write(&config, "webhooks:\n  envelope: Envelope\n").expect("config");
    let generated =
        generator::generate_from(&spec, Some("fixture"), None, &templates).expect("generates");
    let example = generated
        .files
        .get(Path::new("examples/webhook_axum.rs"))
        .expect("the webhook example");
    assert!(example.contains("types::Envelope;"), "{example}");
}
