//! A crate generated in parts and handed over as it is printed is the crate printed
//! whole: `types.rs` of a spec with more types than one part holds, from the file set
//! in memory, from the folder `write::Staged` wrote, and printed as one part.

mod support;

use std::path::Path;

use serde_json::json;

/// A spec of `n` object schemas, each with a documented field and a reference to the
/// next, and one operation returning the first.
fn many_types(n: usize) -> serde_json::Value {
    let mut schemas = serde_json::Map::new();
    for i in 0..n {
        schemas.insert(
            format!("Thing{i}"),
            json!({
                "type": "object",
                "description": format!("Thing number {i}."),
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "description": "Its id."},
                    "next": {"$ref": format!("#/components/schemas/Thing{}", (i + 1) % n)},
                    "kind": {"type": "string", "enum": ["a", "b"]}
                }
            }),
        );
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Many", "version": "1"},
        "servers": [{"url": "https://example.com"}],
        "paths": {"/things/{id}": {"get": {
            "operationId": "getThing",
            "tags": ["things"],
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing0"}}}}}
        }}},
        "components": {"schemas": schemas}
    })
}

#[test]
fn types_printed_in_parts_are_the_file_printed_whole() {
    let dir = support::scratch("streaming");
    let spec = dir.join("many.json");
    std::fs::write(&spec, many_types(700).to_string()).expect("spec written");
    let templates = generator::templates::Templates::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates"),
    )
    .expect("templates");

    // In memory.
    let generated = generator::generate_from(&spec, Some("many"), None, &templates)
        .unwrap_or_else(|e| panic!("{e}"));
    let types = Path::new("src/types.rs");
    let in_memory = generated.files.get(types).expect("types.rs");
    let count = generated.api.types.len();
    assert!(count > 2 * 256, "{count} types: three parts or more of 256");

    // Handed over as printed, staged into a new folder.
    let out = dir.join("crate");
    let mut output = generator::write::Staged::open(&out, false, false).expect("open");
    let streamed = generator::generate_into(&spec, Some("many"), None, &templates, &mut output)
        .unwrap_or_else(|e| panic!("{e}"));
    streamed.put_into(&mut output).expect("rest put");
    output.finish().expect("finished");
    let written = std::fs::read_to_string(out.join(types)).expect("types.rs written");
    assert!(
        written == in_memory,
        "the staged types.rs differs from the one in memory"
    );
    for (rel, text) in generated.files.iter() {
        let on_disk = std::fs::read_to_string(out.join(rel)).expect("written");
        assert!(on_disk == *text, "{} differs", rel.display());
    }

    // Printed as one part.
    let (api, config) = generator::lower_spec(&spec, Some("many")).expect("lowers");
    let plan = generator::plan::Plan::new(&api, &config, &generator::Config::path_for(&spec))
        .expect("plan");
    let whole = generator::emit::emit_part(
        &api,
        &config,
        &plan,
        generator::emit::Part::Types {
            start: 0,
            end: api.types.len(),
        },
    );
    let whole = generator::format::print(types, whole).expect("prints");
    assert!(
        generator::format::join(&[whole]).concat() == in_memory,
        "types.rs in parts differs from types.rs printed whole"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
