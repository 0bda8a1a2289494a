//! The client surface comes from the naming config, not from the spec's spelling: Linq's
//! published description (`../shared/corpus/linq-partner-api-2026-02.yaml`, other
//! operationIds, tags and path parameter names), generated with the naming of
//! `spec/linq-api-v3.codegen.yaml`, gives the same resources, method names and
//! argument lists as `generated/` (made from `spec/linq-api-v3.yaml`) for every
//! operation both describe.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use generator::config::path_key;
use generator::ir::Api;

/// `get /v3/chats/{}` -> `chats.retrieve(chat_id: &str)`.
fn surface(api: &Api) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for r in &api.resources {
        for op in &r.operations {
            let key = format!("{} {}", op.method.as_str(), path_key(&op.path));
            let args = generator::emit::method_arguments(api, op).join(", ");
            let call = format!("{}.{}({args})", r.chain.join("."), op.name);
            assert!(out.insert(key.clone(), call).is_none(), "{key} twice");
        }
    }
    out
}

fn lower(spec: &Path) -> Api {
    match generator::lower_spec(spec, None) {
        Ok((api, _)) => api,
        Err(e) => panic!("{} does not lower: {e}", spec.display()),
    }
}

#[test]
fn published_description_gets_the_sdk_surface_of_generated() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let published = root.join("../shared/corpus/linq-partner-api-2026-02.yaml");
    if !published.exists() {
        eprintln!(
            "skipped: {} is absent (the corpus of real-world specs)",
            published.display()
        );
        return;
    }
    // The published file beside a copy of our config (its examples do not all match
    // their schemas, so strict examples are off; everything else is as configured).
    let dir: PathBuf = std::env::temp_dir().join(format!("surface-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("linq-published.yaml");
    std::fs::copy(&published, &spec).expect("copy the published file");
    let config = std::fs::read_to_string(root.join("spec/linq-api-v3.codegen.yaml"))
        .expect("read the config");
    let mut config: serde_yaml::Value = serde_yaml::from_str(&config).expect("config is YAML");
    config["strict_examples"] = serde_yaml::Value::Bool(false);
    // The example files stay beside the real config; the surface does not need them.
    if let Some(map) = config.as_mapping_mut() {
        map.remove("examples");
    }
    std::fs::write(
        dir.join("linq-published.codegen.yaml"),
        serde_yaml::to_string(&config).expect("config"),
    )
    .expect("write the config");
    let theirs = surface(&lower(&spec));
    let _ = std::fs::remove_dir_all(&dir);
    let ours = surface(&lower(&root.join("spec/linq-api-v3.yaml")));

    let shared: Vec<&String> = ours.keys().filter(|k| theirs.contains_key(*k)).collect();
    // Every operation of the published file is in the spec (beside the SDK's others).
    assert!(
        shared.len() == theirs.len() || ours.len() < theirs.len(),
        "the two descriptions should share operations; ours: {:?}",
        ours.keys()
    );
    // Where the spec follows the official SDK rather than the published file, on
    // purpose (each also noted in the spec).
    let departures = [
        // The published file requires a `chat_id` body; the SDK sends no body.
        "DELETE /v3/messages/{}",
    ];
    for d in departures {
        if let (Some(a), Some(b)) = (ours.get(d), theirs.get(d)) {
            assert_ne!(a, b, "{d} is listed as a departure but no longer differs");
        }
    }
    let differ: Vec<String> = shared
        .iter()
        .filter(|k| !departures.contains(&k.as_str()) && ours[**k] != theirs[**k])
        .map(|k| {
            format!(
                "{k}:\n  generated/: {}\n  published: {}",
                ours[*k], theirs[*k]
            )
        })
        .collect();
    assert!(differ.is_empty(), "surfaces differ:\n{}", differ.join("\n"));
    eprintln!(
        "{} shared operations, the same surface for all but {} listed departure(s)",
        shared.len(),
        departures.len()
    );
}

#[test]
fn published_description_is_named_like_the_sdk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let published = root.join("../shared/corpus/linq-partner-api-2026-02.yaml");
    if !published.exists() {
        eprintln!("skipped: {} is absent", published.display());
        return;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("surface-sdk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("p.yaml");
    std::fs::copy(&published, &spec).expect("copy");
    let config = std::fs::read_to_string(root.join("spec/linq-api-v3.codegen.yaml"))
        .expect("read the config")
        .replace("strict_examples: true", "strict_examples: false")
        .lines()
        // The example files stay beside the real config; the surface does not need them.
        .filter(|line| !line.starts_with("examples:"))
        .map(|line| format!("{line}\n"))
        .collect::<String>();
    std::fs::write(dir.join("p.codegen.yaml"), config).expect("write");
    let api = lower(&spec);
    let _ = std::fs::remove_dir_all(&dir);
    let s = surface(&api);
    let expect = [
        (
            "POST /v3/chats",
            "chats.create(params : & types :: ChatCreateParams)",
        ),
        (
            "GET /v3/chats",
            "chats.list_chats(params : & types :: ChatListChatsParams)",
        ),
        ("GET /v3/chats/{}", "chats.retrieve(chat_id : & str)"),
        (
            "POST /v3/chats/{}/read",
            "chats.mark_as_read(chat_id : & str)",
        ),
        (
            "POST /v3/chats/{}/typing",
            "chats.typing.start(chat_id : & str)",
        ),
        (
            "POST /v3/chats/{}/participants",
            "chats.participants.add(chat_id : & str, params : & types :: ParticipantAddParams)",
        ),
        (
            "POST /v3/chats/{}/messages",
            "chats.messages.send(chat_id : & str, params : & types :: MessageSendParams)",
        ),
        (
            "GET /v3/chats/{}/messages",
            "chats.messages.list(chat_id : & str, params : & types :: MessageListParams)",
        ),
        (
            "GET /v3/messages/{}/thread",
            "messages.list_messages_thread(message_id : & str, params : & types :: MessageListMessagesThreadParams)",
        ),
        (
            "POST /v3/messages/{}/reactions",
            "messages.add_reaction(message_id : & str, params : & types :: MessageAddReactionParams)",
        ),
        ("GET /v3/phonenumbers", "phonenumbers.list()"),
        ("GET /v3/webhook-events", "webhook_events.list()"),
    ];
    for (key, call) in expect {
        assert_eq!(s.get(key).map(String::as_str), Some(call), "{key}");
    }
    assert_eq!(s.len(), 26, "{s:#?}");
}

/// Query parameters and a JSON body in one params struct; a sub-resource from the path.
const MIXED: &str = r#"
openapi: 3.0.3
info: {title: Mixed, version: "1"}
paths:
  /v1/contact_card:
    patch:
      operationId: updateContactCard
      parameters:
        - {name: phone_number, in: query, required: true, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                first_name: {type: string}
      responses: {"204": {description: done}}
  /v1/chats/{chatId}/messages:
    get:
      operationId: listChatMessages
      parameters:
        - {name: chatId, in: path, required: true, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses: {"204": {description: done}}
"#;

#[test]
fn query_and_body_are_one_params_struct_and_paths_nest() {
    let dir = std::env::temp_dir().join(format!("surface-mixed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("mixed.yaml");
    std::fs::write(&spec, MIXED).expect("write spec");
    let generated = generator::generate(&generator::Options {
        spec: spec.clone(),
        templates: Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: None,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let api = lower(&spec);
    let _ = std::fs::remove_dir_all(&dir);
    let s = surface(&api);
    assert_eq!(
        s["PATCH /v1/contact_card"],
        "contact_card.update(params : & types :: ContactCardUpdateParams)"
    );
    assert_eq!(
        s["GET /v1/chats/{}/messages"],
        "chats.messages.list(chat_id : & str, params : & types :: MessageListParams)"
    );
    let file = |p: &str| {
        generated
            .files
            .get(Path::new(p))
            .unwrap_or_else(|| panic!("{p} is emitted"))
            .to_string()
    };
    let card = file("src/resources/contact_card.rs");
    assert!(
        card.contains(
            ".query(\n            \"phone_number\",\n            &params.phone_number,\n            \
             QueryStyle::Form { explode: true },\n        )"
        ),
        "{card}"
    );
    assert!(
        card.contains(".json_without(params, &[\"phone_number\"])"),
        "{card}"
    );
    let types = file("src/types.rs");
    let at = types
        .find("pub struct ContactCardUpdateParams {")
        .expect("the params struct");
    let item = &types[types[..at].rfind("#[derive").expect("derives")..];
    let item = &item[..item.find("\n}\n").expect("end")];
    // Its serde impls (written per field, not derived) are there, both directions.
    assert!(types.contains("impl Serialize for ContactCardUpdateParams"));
    assert!(types.contains("impl<'de> Deserialize<'de> for ContactCardUpdateParams"));
    assert!(item.contains("pub phone_number: String,"), "{item}");
    assert!(item.contains("pub first_name: Option<String>,"), "{item}");
    // The sub-resource is reached from its parent's handle, which hands its scope on.
    let chats = file("src/resources/chats.rs");
    assert!(
        chats.contains("pub fn messages(&self) -> super::chats_messages::ChatMessages<'a>"),
        "{chats}"
    );
    assert!(
        chats.contains("ChatMessages::new(self.scope.clone())"),
        "{chats}"
    );
    assert!(file("Cargo.toml").contains("\nchats_messages = [\"chats\"]\n"));
}
