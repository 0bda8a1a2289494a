//! One test per OpenAPI construct the generator must handle, on small fixture specs in
//! `tests/fixtures/`. Each runs the pipeline in memory and checks the IR (and, where
//! the construct is about emission, the emitted text). The same fixtures compile in
//! `cargo xtask corpus --dir generator/tests/fixtures`.

use std::path::PathBuf;

use generator::ir::{
    Api, BodyEncoding, EnumValue, Field, ParamLocation, Presence, Primitive, QueryStyle,
    ResponseBody, Tagging, TypeDef, TypeKind, TypeRef,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn lower(name: &str) -> Api {
    match generator::lower_spec(&fixture(name), Some("fixture")) {
        Ok((api, _)) => api,
        Err(e) => panic!("{name} does not lower: {e}"),
    }
}

fn generate(name: &str) -> generator::Generated {
    let options = generator::Options {
        spec: fixture(name),
        templates: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../templates"),
        crate_name: Some("fixture".into()),
    };
    match generator::generate(&options) {
        Ok(g) => g,
        Err(e) => panic!("{name} does not generate: {e}"),
    }
}

fn file(g: &generator::Generated, path: &str) -> String {
    g.files
        .get(std::path::Path::new(path))
        .unwrap_or_else(|| panic!("no {path}"))
        .to_string()
}

fn ty<'a>(api: &'a Api, name: &str) -> &'a TypeDef {
    api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name}; have {:?}", names(api)))
}

fn names(api: &Api) -> Vec<&str> {
    api.types.iter().map(|t| t.name.as_str()).collect()
}

fn field<'a>(api: &'a Api, type_name: &str, wire: &str) -> &'a Field {
    match &ty(api, type_name).kind {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| f.wire_name == wire)
            .unwrap_or_else(|| panic!("{type_name} has no field {wire}")),
        other => panic!("{type_name} is not a struct: {other:?}"),
    }
}

fn named<'a>(api: &'a Api, t: &TypeRef) -> &'a TypeDef {
    match t {
        TypeRef::Named(id) => api.type_def(*id),
        TypeRef::Option(inner) => named(api, inner),
        other => panic!("not a named type: {other:?}"),
    }
}

fn has_note(api: &Api, pointer: &str, text: &str) -> bool {
    api.diagnostics
        .iter()
        .any(|d| d.pointer.starts_with(pointer) && d.message.contains(text))
}

fn union_of<'a>(api: &'a Api, name: &str) -> &'a generator::ir::Union {
    match &ty(api, name).kind {
        TypeKind::Union(u) => u,
        other => panic!("{name} is not a union: {other:?}"),
    }
}

fn variant_names(u: &generator::ir::Union) -> Vec<&str> {
    u.variants.iter().map(|v| v.name.as_str()).collect()
}

// ---- schemas.yaml -------------------------------------------------------------------

#[test]
fn all_of_is_merged_and_conflicts_are_reported() {
    let api = lower("schemas.yaml");
    let wires: Vec<&str> = match &ty(&api, "Merged").kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| f.wire_name.as_str()).collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(wires, ["id", "size", "name"]);
    assert_eq!(field(&api, "Merged", "id").presence, Presence::Required);
    assert_eq!(field(&api, "Merged", "name").presence, Presence::Required);
    assert_eq!(
        field(&api, "Merged", "size").ty,
        TypeRef::Primitive(Primitive::String)
    );
    assert!(
        has_note(
            &api,
            "#/components/schemas/Merged/allOf/1/properties/size",
            "conflicting types"
        ),
        "{:?}",
        api.diagnostics
    );
}

#[test]
fn discriminated_one_of_is_a_tagged_enum_honouring_the_mapping() {
    let api = lower("schemas.yaml");
    let u = union_of(&api, "Pet");
    assert!(matches!(&u.tagging, Tagging::Discriminator { property, .. } if property == "kind"));
    let tags: Vec<(&str, Vec<String>)> = u
        .variants
        .iter()
        .map(|v| (named(&api, &v.ty).name.as_str(), v.tags.clone()))
        .collect();
    assert_eq!(
        tags,
        [
            ("Cat", vec!["cat".to_string()]),
            ("Dog", vec!["doggo".to_string()])
        ]
    );
    // Variants are named by their tag.
    assert_eq!(variant_names(u), ["Cat", "Doggo"]);
}

#[test]
fn constant_type_properties_make_a_tagged_enum_without_a_discriminator() {
    let api = lower("schemas.yaml");
    let u = union_of(&api, "Part");
    assert!(matches!(&u.tagging, Tagging::Discriminator { property, .. } if property == "type"));
    assert_eq!(variant_names(u), ["Text", "Media"]);
    let g = generate("schemas.yaml");
    let types = file(&g, "src/types.rs");
    assert!(types.contains("pub enum Part {"), "{types}");
    assert!(types.contains("\"media\" =>"), "tag arm missing");
}

#[test]
fn untagged_unions_try_specific_alternatives_first() {
    let api = lower("schemas.yaml");
    let u = union_of(&api, "StringOrThing");
    assert_eq!(u.tagging, Tagging::Untagged);
    assert!(
        matches!(u.variants[0].ty, TypeRef::Named(_)),
        "object first: {u:?}"
    );
    assert_eq!(u.variants[1].ty, TypeRef::Primitive(Primitive::String));
    let n = union_of(&api, "Numbers");
    assert_eq!(
        n.variants[0].ty,
        TypeRef::Primitive(Primitive::I64),
        "integer before number"
    );
    assert_eq!(n.variants[1].ty, TypeRef::Primitive(Primitive::F64));
}

#[test]
fn nullable_in_both_styles_type_arrays_and_const() {
    let api = lower("schemas.yaml");
    assert_eq!(
        field(&api, "Nullable30", "old_style").presence,
        Presence::OptionalNullable
    );
    assert_eq!(
        field(&api, "Nullable30", "new_style").presence,
        Presence::OptionalNullable
    );
    let both = named(&api, &field(&api, "Nullable30", "both").ty);
    assert!(matches!(both.kind, TypeKind::Union(_)), "{both:?}");
    let fixed = named(&api, &field(&api, "Nullable30", "fixed").ty);
    assert!(
        matches!(&fixed.kind, TypeKind::Enum(e) if e.integer && e.variants[0].value == EnumValue::Int(42))
    );
    // `$ref` with sibling keywords (3.1): still the referenced type, now nullable.
    let base = field(&api, "Annotated", "base");
    assert_eq!(base.presence, Presence::OptionalNullable);
    assert_eq!(named(&api, &base.ty).name, "Base");
}

#[test]
fn integer_enums_and_one_of_constants() {
    let api = lower("schemas.yaml");
    let TypeKind::Enum(level) = &ty(&api, "Level").kind else {
        panic!()
    };
    assert!(level.integer);
    let v: Vec<(&str, &EnumValue)> = level
        .variants
        .iter()
        .map(|v| (v.name.as_str(), &v.value))
        .collect();
    let int = |n| EnumValue::Int(n);
    assert_eq!(
        v,
        [("Low", &int(1)), ("Medium", &int(2)), ("High", &int(3))]
    );
    let TypeKind::Enum(channel) = &ty(&api, "ChannelType").kind else {
        panic!()
    };
    assert!(channel.integer);
    assert_eq!(channel.variants[0].name, "GuildText");
    assert_eq!(channel.variants[0].doc.as_deref(), Some("A text channel"));
    assert_eq!(channel.variants[1].name, "Dm");
    let types = file(&generate("schemas.yaml"), "src/types.rs");
    assert!(
        types.contains("serializer.serialize_i64(self.value())"),
        "int enums serialise as numbers"
    );
}

#[test]
fn odd_enum_values_get_unique_names_and_keep_their_values() {
    let api = lower("schemas.yaml");
    let TypeKind::Enum(e) = &ty(&api, "Odd").kind else {
        panic!()
    };
    let v: Vec<(&str, &str)> = e
        .variants
        .iter()
        .map(|v| match &v.value {
            EnumValue::Str(s) => (v.name.as_str(), s.as_str()),
            EnumValue::Int(n) => panic!("a string enum holds the integer {n}"),
        })
        .collect();
    assert_eq!(
        &v[..7],
        [
            ("Empty", ""),
            ("Blank", " "),
            ("V3d", "3d"),
            ("AB", "a b"),
            ("AB2", "A-B"),
            ("AB3", "a_b"),
            ("Unknown", "Unknown")
        ]
    );
    assert_eq!(e.unknown_variant, "Unknown2");
    let mut names: Vec<&str> = e.variants.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), e.variants.len());
}

#[test]
fn prefix_items_fall_back_to_json_values_with_a_diagnostic() {
    let api = lower("schemas.yaml");
    assert!(has_note(&api, "#/components/schemas/Tuple", "prefixItems"));
    assert!(
        matches!(&ty(&api, "Tuple").kind, TypeKind::Alias(TypeRef::List(inner)) if **inner == TypeRef::Any)
    );
}

#[test]
fn defs_are_reachable_by_reference() {
    let api = lower("schemas.yaml");
    let inner = named(&api, &field(&api, "Defs", "inner").ty);
    assert_eq!(inner.pointer, "#/components/schemas/Defs/$defs/Inner");
    assert_eq!(
        field(&api, &inner.name, "x").ty,
        TypeRef::Primitive(Primitive::F32)
    );
}

#[test]
fn additional_properties_free_form_and_empty_schemas() {
    let api = lower("schemas.yaml");
    assert_eq!(field(&api, "Maps", "any_extra").ty, TypeRef::Object);
    assert_eq!(
        field(&api, "Maps", "typed_extra").ty,
        TypeRef::Map(Box::new(TypeRef::Primitive(Primitive::I64)))
    );
    let closed = named(&api, &field(&api, "Maps", "closed").ty);
    assert!(matches!(&closed.kind, TypeKind::Struct(s) if s.additional.is_none()));
    let mixed = named(&api, &field(&api, "Maps", "mixed").ty);
    assert!(
        matches!(&mixed.kind, TypeKind::Struct(s) if s.additional == Some(TypeRef::Primitive(Primitive::String)))
    );
    assert_eq!(field(&api, "Maps", "free").ty, TypeRef::Object);
    assert_eq!(field(&api, "Maps", "empty").ty, TypeRef::Any);
}

#[test]
fn formats_map_to_rust_types() {
    let api = lower("schemas.yaml");
    let p = |w: &str| field(&api, "Formats", w).ty.clone();
    assert_eq!(p("i32"), TypeRef::Primitive(Primitive::I32));
    assert_eq!(p("i64"), TypeRef::Primitive(Primitive::I64));
    assert_eq!(p("u32"), TypeRef::Primitive(Primitive::U32));
    assert_eq!(p("u64"), TypeRef::Primitive(Primitive::U64));
    assert_eq!(p("num"), TypeRef::Primitive(Primitive::F64));
    assert_eq!(p("flag"), TypeRef::Primitive(Primitive::Bool));
    assert_eq!(p("raw"), TypeRef::Primitive(Primitive::String));
    assert_eq!(p("file"), TypeRef::Primitive(Primitive::String));
    assert_eq!(p("day"), TypeRef::Primitive(Primitive::Date));
    assert_eq!(p("at"), TypeRef::Primitive(Primitive::DateTime));
    assert_eq!(p("id"), TypeRef::Primitive(Primitive::String));
    assert_eq!(p("media"), TypeRef::Primitive(Primitive::String));
}

#[test]
fn recursive_and_mutually_recursive_types_are_boxed_where_needed() {
    let api = lower("schemas.yaml");
    assert!(field(&api, "Tree", "parent").boxed);
    assert!(
        !field(&api, "Tree", "children").boxed,
        "a Vec already allocates"
    );
    assert!(field(&api, "Ping", "pong").boxed || field(&api, "Pong", "ping").boxed);
}

#[test]
fn inline_schemas_are_named_after_their_parents() {
    let api = lower("schemas.yaml");
    let inline = named(&api, &field(&api, "Thing", "inline").ty);
    assert_eq!(inline.name, "ThingInline");
    let deep = named(&api, &field(&api, "ThingInline", "deep").ty);
    assert_eq!(deep.name, "ThingInlineDeep");
    assert_eq!(
        named(&api, &field(&api, "ThingInlineDeep", "deeper").ty).name,
        "ThingInlineDeepDeeper"
    );
}

// ---- operations.yaml ------------------------------------------------------------------

fn op<'a>(api: &'a Api, path: &str, method: &str) -> &'a generator::ir::Operation {
    api.resources
        .iter()
        .flat_map(|r| &r.operations)
        .find(|o| o.path == path && o.method.as_str() == method)
        .unwrap_or_else(|| panic!("no {method} {path}"))
}

fn params(api: &Api, o: &generator::ir::Operation) -> Vec<generator::ir::Param> {
    match o.params.as_ref().map(|p| &api.type_def(p.ty).kind) {
        Some(TypeKind::Params(ps)) => ps.clone(),
        _ => Vec::new(),
    }
}

#[test]
fn operations_without_tags_or_ids_are_grouped_by_path_and_named_from_method_and_path() {
    let api = lower("operations.yaml");
    let items = api
        .resources
        .iter()
        .find(|r| r.accessor == "items")
        .expect("items resource");
    let get = op(&api, "/items/{itemId}", "GET");
    assert_eq!(get.operation_id, "get_items_by_itemId");
    assert!(items.operations.iter().any(|o| o.name == get.name));
    assert_eq!(api.info.base_url, "https://api.example.com/v2");
}

#[test]
fn duplicate_operation_ids_are_reported_and_both_kept() {
    let api = lower("operations.yaml");
    let a = op(&api, "/items/{itemId}", "DELETE");
    let b = op(&api, "/items", "POST");
    assert_eq!(
        (a.operation_id.as_str(), b.operation_id.as_str()),
        ("remove", "remove")
    );
    assert_ne!(a.name, b.name);
    assert!(has_note(
        &api,
        "#/paths/~1items/post",
        "duplicate operationId"
    ));
}

#[test]
fn parameters_styles_locations_and_references() {
    let api = lower("operations.yaml");
    let get = op(&api, "/items/{itemId}", "GET");
    assert_eq!(get.path_params.len(), 1, "path-level $ref parameter");
    assert_eq!(get.path_params[0].wire_name, "itemId");
    let ps = params(&api, get);
    let style = |w: &str| {
        ps.iter()
            .find(|p| p.wire_name == w)
            .map(|p| (p.location, p.style))
    };
    assert_eq!(
        style("X-Trace"),
        Some((ParamLocation::Header, QueryStyle::Form { explode: false }))
    );
    assert_eq!(
        style("ids"),
        Some((ParamLocation::Query, QueryStyle::Form { explode: false }))
    );
    assert_eq!(
        style("tags"),
        Some((ParamLocation::Query, QueryStyle::Form { explode: true }))
    );
    assert_eq!(
        style("piped"),
        Some((ParamLocation::Query, QueryStyle::PipeDelimited))
    );
    assert_eq!(
        style("filter"),
        Some((ParamLocation::Query, QueryStyle::DeepObject))
    );
    assert_eq!(
        style("session"),
        Some((ParamLocation::Cookie, QueryStyle::Form { explode: true }))
    );
    let text = generate("operations.yaml");
    let items = file(&text, "src/resources/items.rs");
    assert!(items.contains("QueryStyle::DeepObject"), "{items}");
    assert!(items.contains(r#".cookie("session", "#), "{items}");
}

#[test]
fn referenced_bodies_responses_and_several_success_codes() {
    let api = lower("operations.yaml");
    let get = op(&api, "/items/{itemId}", "GET");
    assert!(matches!(
        &get.response.body,
        ResponseBody::Json(TypeRef::Named(_))
    ));
    assert_eq!(get.errors[0].status, generator::ir::Status::Code(404));
    let post = op(&api, "/items", "POST");
    assert_eq!(
        post.body.as_ref().map(|b| b.encoding.clone()),
        Some(BodyEncoding::Json)
    );
    assert_eq!(post.response.status, 200);
    let delete = op(&api, "/items/{itemId}", "DELETE");
    assert_eq!(delete.response.body, ResponseBody::Empty);
}

#[test]
fn body_encodings() {
    let api = lower("operations.yaml");
    let enc = |p: &str, m: &str| op(&api, p, m).body.as_ref().map(|b| b.encoding.clone());
    assert_eq!(enc("/upload", "POST"), Some(BodyEncoding::Multipart));
    assert_eq!(enc("/form", "POST"), Some(BodyEncoding::Form));
    assert_eq!(
        enc("/raw", "PUT"),
        Some(BodyEncoding::Binary("application/octet-stream".into()))
    );
    assert_eq!(
        enc("/text", "POST"),
        Some(BodyEncoding::Json),
        "JSON preferred"
    );
    assert!(has_note(
        &api,
        "#/paths/~1text/post/requestBody",
        "several request content types"
    ));
    assert_eq!(
        op(&api, "/upload", "POST").response.body,
        ResponseBody::Text
    );
    assert_eq!(op(&api, "/raw", "PUT").response.body, ResponseBody::Binary);

    let g = generate("operations.yaml");
    let files = file(&g, "src/resources/files.rs");
    assert!(files.contains(".multipart(body)"), "{files}");
    assert!(
        files.contains("`file` (required), `purpose`"),
        "parts documented"
    );
    assert!(file(&g, "src/resources/mod.rs").contains("pub use crate::runtime::Multipart;"));
    assert!(file(&g, "src/runtime/multipart.rs").contains("pub struct Multipart"));
}

// ---- names.yaml ----------------------------------------------------------------------

#[test]
fn type_names_avoid_std_and_runtime_items_and_case_collisions() {
    let api = lower("names.yaml");
    for (spec, rust) in [
        ("#/components/schemas/Result", "ResultType"),
        ("#/components/schemas/Option", "OptionType"),
        ("#/components/schemas/Box", "BoxType"),
        ("#/components/schemas/Vec", "VecType"),
        ("#/components/schemas/String", "StringType"),
        ("#/components/schemas/Nullable", "NullableType"),
        ("#/components/schemas/Serialize", "SerializeType"),
        ("#/components/schemas/Error", "Error"),
        ("#/components/schemas/Client", "Client"),
        ("#/components/schemas/pet", "Pet"),
        ("#/components/schemas/Pet", "Pet2"),
    ] {
        let t = api.types.iter().find(|t| t.pointer == spec).expect(spec);
        assert_eq!(t.name, rust, "{spec}");
    }
    generate("names.yaml");
}

#[test]
fn field_names_escape_keywords_digits_symbols_and_collisions() {
    let api = lower("names.yaml");
    let name = |w: &str| field(&api, "ResultType", w).name.clone();
    assert_eq!(name("type"), "type_");
    assert_eq!(name("self"), "self_");
    assert_eq!(name("3d"), "_3d");
    assert_eq!(name("$ref"), "ref_");
    assert_eq!(name("@odata.type"), "odata_type");
    assert_eq!(name("✨"), "field");
    let trio = [name("foo_bar"), name("fooBar"), name("FooBar")];
    assert_eq!(trio[0], "foo_bar");
    assert!(
        trio[1] != trio[0] && trio[2] != trio[0] && trio[1] != trio[2],
        "{trio:?}"
    );
}

#[test]
fn operation_and_parameter_names_escape_keywords() {
    let api = lower("names.yaml");
    let o = op(&api, "/type/{self}", "GET");
    assert_eq!(o.name, "match_");
    assert!(
        o.path_params[0].name.starts_with("self_"),
        "{}",
        o.path_params[0].name
    );
    let ps = params(&api, o);
    let names: Vec<&str> = ps.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["filter", "page_size"]);
    assert!(api.resources.iter().any(|r| r.accessor == "type_"));
}

// ---- refs.yaml -----------------------------------------------------------------------

#[test]
fn refs_with_pointer_escapes_and_percent_encoding() {
    let api = lower("refs.yaml");
    let get = op(&api, "/a/{id}", "GET");
    let ResponseBody::Json(body) = &get.response.body else {
        panic!()
    };
    let body = named(&api, body).name.clone();
    assert_eq!(
        named(&api, &field(&api, &body, "slash").ty).pointer,
        "#/components/schemas/a~1b"
    );
    assert_eq!(
        named(&api, &field(&api, &body, "tilde").ty).pointer,
        "#/components/schemas/c~0d"
    );
    assert_eq!(
        named(&api, &field(&api, &body, "percent").ty).pointer,
        "#/components/schemas/with space"
    );
    // A reference into another schema's property reuses that property's type.
    let nested = named(&api, &field(&api, &body, "nested").ty);
    assert_eq!(
        nested.pointer,
        "#/components/schemas/Holder/properties/inner"
    );
    assert_eq!(
        api.types
            .iter()
            .filter(|t| t.pointer == nested.pointer)
            .count(),
        1
    );
}

#[test]
fn refs_into_paths_resolve_and_examples_with_ref_keys_are_data() {
    let api = lower("refs.yaml");
    let get = op(&api, "/a/{id}", "GET");
    let post = op(&api, "/b", "POST");
    let body = post.body.as_ref().expect("body");
    // The body is the operation's params struct: an alias named for it.
    let body_ty = match &body.ty {
        generator::ir::TypeRef::Named(id) => match &api.type_def(*id).kind {
            generator::ir::TypeKind::Alias(t) => t.clone(),
            _ => body.ty.clone(),
        },
        other => other.clone(),
    };
    assert_eq!(
        Some(&body_ty),
        match &get.response.body {
            ResponseBody::Json(t) => Some(t),
            _ => None,
        }
    );
    assert_eq!(
        body.example
            .as_ref()
            .and_then(|e| e.get("$ref"))
            .and_then(|r| r.as_str()),
        Some("#/nowhere")
    );
    let example = get.response.example.as_ref().expect("example kept");
    assert_eq!(example["slash"]["$ref"], "this is data, not a reference");
    generate("refs.yaml");
}

#[test]
fn webhooks_become_typed_payloads() {
    let api = lower("refs.yaml");
    let hooks: Vec<(&str, String)> = api
        .webhooks
        .iter()
        .map(|w| {
            (
                w.name.as_str(),
                named(&api, w.payload.as_ref().expect("payload"))
                    .name
                    .clone(),
            )
        })
        .collect();
    assert_eq!(
        hooks,
        [
            ("thing.created", "ThingCreatedWebhook".to_string()),
            ("thing.deleted", "Holder".to_string())
        ]
    );
    assert_eq!(
        field(&api, "ThingCreatedWebhook", "created_at").ty,
        TypeRef::Primitive(Primitive::DateTime)
    );

    let x = lower("xwebhooks.yaml");
    assert_eq!(x.webhooks.len(), 1, "x-webhooks (3.0 extension)");
    assert_eq!(x.webhooks[0].name, "order.paid");
    let payload = named(&x, x.webhooks[0].payload.as_ref().expect("payload"));
    assert!(matches!(&payload.kind, TypeKind::Struct(s) if s.fields.len() == 2));
}

// ---- idempotency.yaml ----------------------------------------------------------------

#[test]
fn config_facts_reach_the_runtime_settings() {
    let g = generate("idempotency.yaml");
    let settings = file(&g, "src/settings.rs");
    for expected in [
        r#"IDEMPOTENCY_HEADER: Option<&str> = Some("Idempotency-Key")"#,
        r#"("POST", "/chats/{chatId}/messages", "/message/idempotency_key")"#,
        r#"REQUEST_ID_FIELD: Option<&str> = Some("/trace_id")"#,
        r#"LOG_ENV: &str = "IDEMPOTENT_LOG""#,
        r#"CUSTOM_HEADERS_ENV: &str = "FIXTURE_CUSTOM_HEADERS""#,
    ] {
        assert!(settings.contains(expected), "{expected}\n{settings}");
    }
    // Binary content gets a streaming twin; JSON content does not.
    let attachments = file(&g, "src/resources/attachments.rs");
    assert!(
        attachments.contains("pub fn download_stream(")
            && attachments.contains("self.scope.call_stream(download_request(attachment_id))"),
        "{attachments}"
    );
    assert!(!file(&g, "src/resources/messages.rs").contains("_stream("));
}

#[test]
fn an_idempotency_field_for_an_unknown_operation_is_an_error() {
    let dir = std::env::temp_dir().join(format!("idempotency-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture("idempotency.yaml"), dir.join("spec.yaml")).unwrap();
    std::fs::write(
        dir.join("spec.codegen.yaml"),
        "idempotency:\n  body_fields:\n    sendMesage: /message/idempotency_key\n",
    )
    .unwrap();
    let Err(err) = generator::lower_spec(&dir.join("spec.yaml"), None) else {
        panic!("an unknown operationId must be an error");
    };
    let text = err.to_string();
    assert!(
        text.contains("spec.codegen.yaml") && text.contains("sendMesage"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// An integer enum value outside `i64` is not dropped from the enum: the enum is typed
/// by its values' JSON type instead, with a note.
#[test]
fn an_integer_enum_value_outside_i64_is_a_note_not_a_dropped_value() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("huge-enum");
    std::fs::create_dir_all(&dir).expect("dir");
    let spec = dir.join("huge.yaml");
    std::fs::write(
        &spec,
        "openapi: 3.0.3\ninfo: {title: Huge, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    \
         Holder:\n      type: object\n      properties:\n        \
         small: {enum: [1, 2]}\n        huge: {enum: [1, 18446744073709551615]}\n",
    )
    .expect("spec");
    let (api, _) = generator::lower_spec(&spec, Some("fixture")).expect("lowers");
    let small = named(&api, &field(&api, "Holder", "small").ty);
    assert!(
        matches!(&small.kind, TypeKind::Enum(e) if e.integer && e.variants.len() == 2),
        "{small:?}"
    );
    let huge = field(&api, "Holder", "huge");
    assert_eq!(huge.ty, TypeRef::Primitive(Primitive::I64));
    assert!(
        has_note(
            &api,
            "#/components/schemas/Holder/properties/huge",
            "typed by its values' JSON type"
        ),
        "{:?}",
        api.diagnostics
    );
}
