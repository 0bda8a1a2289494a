//! Shapes of input an attacker would try: each must give a clear error (file and JSON
//! pointer) or a correct result, never a crash by signal, a hang or a memory blow-up.
//! The specs are generated here (some would be large files), written to a temporary
//! folder and run through the whole generator on a thread with a time limit.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

/// Generous for a debug build on a busy machine; the shapes used to take minutes or
/// crash.
const LIMIT: Duration = Duration::from_secs(120);

fn spec(paths: Value, components: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "Hostile", "version": "1"}, "paths": paths, "components": components})
}

/// Runs the generator on `text` (saved as `name`); the error text, or the files.
fn run(name: &str, text: String) -> Result<generator::FileSet, String> {
    let dir = std::env::temp_dir().join(format!("hostile-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(name);
    std::fs::write(&file, text).expect("write spec");
    let options = generator::Options {
        spec: file,
        templates: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: Some("hostile".into()),
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(
            generator::generate(&options)
                .map(|g| g.files)
                .map_err(|e| e.to_string()),
        );
    });
    let result = rx
        .recv_timeout(LIMIT)
        .unwrap_or_else(|_| panic!("{name}: no result within {LIMIT:?}"));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn json_run(name: &str, doc: &Value) -> Result<generator::FileSet, String> {
    run(name, serde_json::to_string(doc).expect("json"))
}

fn ok() -> Value {
    json!({"200": {"description": "ok"}})
}

#[test]
fn ref_cycles_through_components_are_errors() {
    let cases = [
        (
            "parameters",
            json!({"/a": {"get": {"parameters": [{"$ref": "#/components/parameters/P1"}], "responses": ok()}}}),
            json!({"parameters": {"P1": {"$ref": "#/components/parameters/P2"}, "P2": {"$ref": "#/components/parameters/P3"}, "P3": {"$ref": "#/components/parameters/P1"}}}),
            "#/paths/~1a/get/parameters/0",
        ),
        (
            "bodies",
            json!({"/a": {"post": {"requestBody": {"$ref": "#/components/requestBodies/B1"}, "responses": ok()}}}),
            json!({"requestBodies": {"B1": {"$ref": "#/components/requestBodies/B2"}, "B2": {"$ref": "#/components/requestBodies/B1"}}}),
            "#/paths/~1a/post/requestBody",
        ),
        (
            "responses",
            json!({"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/R1"}}}}}),
            json!({"responses": {"R1": {"$ref": "#/components/responses/R2"}, "R2": {"$ref": "#/components/responses/R1"}}}),
            "#/paths/~1a/get/responses/200",
        ),
        (
            "path-items",
            json!({"/a": {"$ref": "#/paths/~1b"}, "/b": {"$ref": "#/paths/~1a"}}),
            json!({}),
            "#/paths/~1a",
        ),
    ];
    for (name, paths, components, pointer) in cases {
        let Err(e) = json_run(&format!("{name}.json"), &spec(paths, components)) else {
            panic!("{name}: a cycle is an error");
        };
        assert!(
            e.contains("reference cycle") && e.contains(pointer) && e.contains(name),
            "{name}: {e}"
        );
    }
}

#[test]
fn long_all_of_chains_are_errors_not_overflows() {
    let n = 3000;
    let mut schemas = serde_json::Map::new();
    schemas.insert(
        "S0".into(),
        json!({"type": "object", "properties": {"p0": {"type": "string"}}}),
    );
    for i in 1..n {
        schemas.insert(
            format!("S{i}"),
            json!({"allOf": [{"$ref": format!("#/components/schemas/S{}", i - 1)}, {"type": "object", "properties": {format!("p{i}"): {"type": "string"}}}]}),
        );
    }
    let doc = spec(
        json!({"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/S{}", n - 1)}}}}}}}}),
        json!({"schemas": schemas}),
    );
    let Err(e) = json_run("allof.json", &doc) else {
        panic!("an allOf chain of {n} is refused");
    };
    assert!(
        e.contains("allof.json")
            && e.contains("levels deep")
            && e.contains("#/components/schemas/S"),
        "{e}"
    );

    // A chain of references lowered on first use (into other schemas' properties,
    // each declared before the one it refers to).
    let mut schemas = serde_json::Map::new();
    for i in (1..n).rev() {
        schemas.insert(
            format!("R{i}"),
            json!({"type": "object", "properties": {"next": {"type": "array", "items": {"$ref": format!("#/components/schemas/R{}/properties/next", i - 1)}}}}),
        );
    }
    schemas.insert(
        "R0".into(),
        json!({"type": "object", "properties": {"next": {"type": "string"}}}),
    );
    let doc = spec(json!({}), json!({"schemas": schemas}));
    let Err(e) = json_run("chain.json", &doc) else {
        panic!("a chain of {n} references is refused");
    };
    assert!(e.contains("chain.json") && e.contains("levels deep"), "{e}");
}

#[test]
fn tens_of_thousands_of_parameters_generate() {
    let params: Vec<Value> = (0..20_000)
        .map(|i| json!({"name": format!("q{i}"), "in": "query", "schema": {"type": "string"}}))
        .collect();
    let doc = spec(
        json!({"/a": {"get": {"parameters": params, "responses": ok()}}}),
        json!({}),
    );
    let files = json_run("params.json", &doc).expect("generates");
    let (_, text) = files
        .iter()
        .find(|(p, _)| p.starts_with("src/resources") && !p.ends_with("mod.rs"))
        .expect("a resource file");
    assert!(text.contains("\"q19999\""));
    syn::parse_file(text).expect("the resource file parses");
}

#[test]
fn nested_any_of_examples_are_bounded() {
    let mut schemas = serde_json::Map::new();
    schemas.insert("L0".into(), json!({"type": "string"}));
    for i in 1..25 {
        let r = json!({"$ref": format!("#/components/schemas/L{}", i - 1)});
        schemas.insert(
            format!("L{i}"),
            json!({"anyOf": [{"type": "array", "items": r}, {"oneOf": [r, r]}, {"type": "array", "items": r}]}),
        );
    }
    let mut example = json!("x");
    for _ in 0..24 {
        example = json!([example]);
    }
    let doc = spec(
        json!({"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/L24"}, "example": example}}}}}}}),
        json!({"schemas": schemas}),
    );
    json_run("anyof.json", &doc).expect("generates");
}

#[test]
fn yaml_alias_fan_out_is_refused() {
    let n = 4000;
    let mut text =
        String::from("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-fan:\n");
    text.push_str(&format!("  a0: &a0 [{}]\n", vec!["xxxxxxxx"; n].join(",")));
    text.push_str(&format!("  a1: [{}]\n", vec!["*a0"; n].join(",")));
    let Err(e) = run("fan.yaml", text) else {
        panic!("an alias fan-out is refused");
    };
    assert!(
        e.contains("fan.yaml") && e.contains("aliases expand"),
        "{e}"
    );
}

#[test]
fn thousands_of_colliding_names_resolve() {
    // 4^6 spellings of one name (`a-b_c.d e...`), as properties, enum values and
    // schema names.
    let names: Vec<String> = (0..4096usize)
        .map(|i| {
            let mut w = String::from("a");
            for (k, letter) in "bcdefg".chars().enumerate() {
                w.push(['-', '_', '.', ' '][(i >> (2 * k)) & 3]);
                w.push(letter);
            }
            w
        })
        .collect();
    let mut schemas = serde_json::Map::new();
    for n in &names {
        schemas.insert(format!("S{n}"), json!({"type": "string"}));
    }
    let props: serde_json::Map<String, Value> = names
        .iter()
        .map(|n| (n.clone(), json!({"type": "string"})))
        .collect();
    schemas.insert("Big".into(), json!({"type": "object", "properties": props}));
    schemas.insert("E".into(), json!({"type": "string", "enum": names}));
    let doc = spec(
        json!({"/a": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Big"}}}}}}}}),
        json!({"schemas": schemas}),
    );
    let files = json_run("names.json", &doc).expect("generates");
    let types = files
        .get(std::path::Path::new("src/types.rs"))
        .expect("types.rs");
    assert!(
        types.contains("a_b_c_d_e_f_g_4096"),
        "every name is distinct"
    );
}

#[test]
fn path_keys_that_are_not_paths_are_reported() {
    let lower = |key: &str| {
        let doc = spec(
            json!({key: {"get": {"operationId": "a", "responses": ok()}}}),
            json!({}),
        );
        let dir = std::env::temp_dir().join(format!("hostile-paths-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("paths.json");
        std::fs::write(&file, doc.to_string()).expect("write");
        let result = generator::lower_spec(&file, Some("paths"))
            .map(|(api, _)| api.diagnostics)
            .map_err(|e| e.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        result
    };
    for (key, pointer, says) in [
        ("items", "#/paths/items", "no leading `/`"),
        ("/a?b=1", "#/paths/~1a?b=1", "holds `?` or `#`"),
        ("/a#x", "#/paths/~1a#x", "holds `?` or `#`"),
    ] {
        let notes = lower(key).unwrap_or_else(|e| panic!("{key}: {e}"));
        assert!(
            notes
                .iter()
                .any(|d| d.pointer == pointer && d.message.contains(says)),
            "{key}: {notes:?}"
        );
    }
    let Err(e) = lower("/a\u{7}b") else {
        panic!("a control character in a path is an error");
    };
    assert!(
        e.contains("paths.json") && e.contains("control characters"),
        "{e}"
    );
}
