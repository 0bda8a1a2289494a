//! Pagination in lowering: the fixture's declared and detected lists, config errors,
//! and Linq's `pagination:` config applied to the full Linq description from the
//! corpus (when the corpus folder is there).

use std::path::{Path, PathBuf};

use generator::ir::{Api, PageStyle, Pagination};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn lower(spec: &Path) -> Result<Api, generator::Error> {
    generator::lower_spec(spec, None).map(|(api, _)| api)
}

/// `(METHOD /path, pagination)` of every paginated operation.
fn paged(api: &Api) -> Vec<(String, Pagination)> {
    api.resources
        .iter()
        .flat_map(|r| &r.operations)
        .filter_map(|op| {
            let p = op.pagination.clone()?;
            Some((format!("{} {}", op.method.as_str(), op.path), p))
        })
        .collect()
}

#[test]
fn the_fixture_gets_one_list_per_style() {
    let api = lower(&root().join("generator/tests/fixtures/pagination.yaml")).expect("lower");
    let styles: Vec<(String, &str, Option<String>)> = paged(&api)
        .into_iter()
        .map(|(key, p)| (key, p.style.name(), p.scheme))
        .collect();
    let scheme = Some("cursor_page".to_string());
    assert_eq!(
        styles,
        [
            ("GET /chats".to_string(), "cursor", scheme.clone()),
            ("GET /chats/{chatId}/messages".to_string(), "cursor", scheme),
            ("GET /files".to_string(), "cursor", None),
            ("GET /endpoints".to_string(), "cursor", None),
            ("GET /customers".to_string(), "last-item", None),
            ("GET /repos".to_string(), "page", None),
            ("GET /tracks".to_string(), "offset", None),
            ("GET /issues".to_string(), "link", None),
        ]
    );
    // Every detection is in the notes, and so is the config entry the spec lacks.
    let notes: Vec<String> = api.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("pagination detected"))
            .count(),
        6,
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`GET /chats/{chatId}/participants`, which the spec does not have")),
        "{notes:#?}"
    );
}

/// Writes `spec` and `config` into a fresh folder and lowers them.
fn lower_with(name: &str, spec: &str, config: &str) -> Result<Api, generator::Error> {
    let dir = std::env::temp_dir().join(format!("paging-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("api.yaml"), spec).expect("write spec");
    std::fs::write(dir.join("api.codegen.yaml"), config).expect("write config");
    let result = lower(&dir.join("api.yaml"));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

const SMALL: &str = r#"
openapi: 3.0.3
info: { title: T, version: "1" }
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - { name: cursor, in: query, schema: { type: string } }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  things: { type: array, items: { type: string } }
                  others: { type: array, items: { type: string } }
                  next: { type: string }
"#;

#[test]
fn declared_schemes_that_do_not_fit_are_config_errors() {
    for (config, expected) in [
        (
            "pagination: { operations: { GET /things: nope } }",
            "which `pagination.schemes` does not define",
        ),
        (
            "pagination: { schemes: { s: { style: cursor, param: cursor, next: next } }, operations: { GET /things: s } }",
            "no single array field",
        ),
        (
            "pagination: { schemes: { s: { style: cursor, param: page, next: next, items: things } }, operations: { GET /things: s } }",
            "no query parameter `page`",
        ),
        (
            "pagination: { schemes: { s: { style: cursor, param: cursor, next: next_cursor, items: things } }, operations: { GET /things: s } }",
            "no string or integer field `next_cursor`",
        ),
        (
            "pagination: { schemes: { s: { style: sideways } } }",
            "unknown variant",
        ),
    ] {
        let err = lower_with("bad", SMALL, config).expect_err(config);
        assert_eq!(err.kind(), generator::ErrorKind::Config, "{err}");
        assert!(err.to_string().contains(expected), "{config}: {err}");
        assert!(err.to_string().contains("api.codegen.yaml"), "{err}");
    }
    // With the items named, the same spec pages; two array fields are never detected.
    let api = lower_with(
        "ok",
        SMALL,
        "pagination: { schemes: { s: { style: cursor, param: cursor, next: next } }, operations: { GET /things: { scheme: s, items: things } } }",
    )
    .expect("lower");
    let (_, p) = paged(&api).pop().expect("paged");
    assert!(
        matches!(&p.style, PageStyle::Cursor { param, next, .. } if param == "cursor" && next.wire_name == "next")
    );
    assert_eq!(p.items.map(|f| f.wire_name).as_deref(), Some("things"));
    let api = lower_with("undetected", SMALL, "{}").expect("lower");
    assert!(paged(&api).is_empty());
    // `detect: false` turns detection off.
    let fixture = std::fs::read_to_string(root().join("generator/tests/fixtures/pagination.yaml"))
        .expect("fixture");
    let api = lower_with("nodetect", &fixture, "pagination: { detect: false }").expect("lower");
    assert!(paged(&api).is_empty());
}

/// Linq's config applied to the full description of the API (the corpus copy): its
/// three list operations page by `cursor`/`next_cursor`, and nothing is unmatched.
#[test]
fn linq_config_pages_the_full_linq_description() {
    let corpus = root().join("../shared/corpus/linq-partner-api-2026-02.yaml");
    let Ok(spec) = std::fs::read_to_string(&corpus) else {
        eprintln!("no corpus folder: skipped");
        return;
    };
    let config =
        std::fs::read_to_string(root().join("spec/linq-api-v3.codegen.yaml")).expect("config");
    // The config names types of our spec (webhook envelope) and checks examples
    // strictly; only its pagination section is under test here.
    let pagination = &config[config.find("pagination:").expect("a pagination section")..];
    let api = lower_with("linq", &spec, pagination).expect("lower");
    let keys: Vec<(String, &str, String, String)> = paged(&api)
        .into_iter()
        .filter(|(_, p)| p.scheme.is_some())
        .map(|(key, p)| {
            let PageStyle::Cursor { param, next, .. } = &p.style else {
                panic!("{key}: {:?}", p.style);
            };
            (
                key,
                p.style.name(),
                format!("{param}->{}", next.wire_name),
                p.items.map(|f| f.wire_name).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (
                "GET /v3/chats".into(),
                "cursor",
                "cursor->next_cursor".into(),
                "chats".into()
            ),
            (
                "GET /v3/chats/{chatId}/messages".into(),
                "cursor",
                "cursor->next_cursor".into(),
                "messages".into()
            ),
            (
                "GET /v3/messages/{messageId}/thread".into(),
                "cursor",
                "cursor->next_cursor".into(),
                "messages".into()
            ),
        ]
    );
    assert!(
        !api.diagnostics
            .iter()
            .any(|d| d.message.contains("which the spec does not have")),
        "{:#?}",
        api.diagnostics
    );
}

/// Our spec may not have the list operations yet: their entries are notes, not errors.
#[test]
fn linq_config_works_with_our_spec() {
    let api = lower(&root().join("spec/linq-api-v3.yaml")).expect("lower");
    let declared = paged(&api)
        .iter()
        .filter(|(_, p)| p.scheme.is_some())
        .count();
    let missing = api
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("which the spec does not have"))
        .count();
    assert_eq!(declared + missing, 3, "{:#?}", api.diagnostics);
}
