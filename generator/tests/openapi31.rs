//! OpenAPI 3.1 relaxations: one fixture per form (`tests/fixtures/v31-*.yaml`), each
//! generated in memory and checked for what the form means, not only that it loads.
//! The same fixtures compile in `cargo xtask corpus --dir generator/tests/fixtures`.

mod support;

use generator::ir::{
    Api, Auth, BodyEncoding, Presence, Primitive, ResponseBody, TypeKind, TypeRef,
};
use support::{file, generate, op};

fn type_named<'a>(api: &'a Api, name: &str) -> &'a TypeKind {
    &api.types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name}"))
        .kind
}

fn field_of<'a>(api: &'a Api, ty: &str, wire: &str) -> &'a generator::ir::Field {
    match type_named(api, ty) {
        TypeKind::Struct(s) => s
            .fields
            .iter()
            .find(|f| f.wire_name == wire)
            .unwrap_or_else(|| panic!("{ty} has no {wire}")),
        other => panic!("{ty} is not a struct: {other:?}"),
    }
}

fn union_len(api: &Api, t: &TypeRef) -> usize {
    let TypeRef::Named(id) = t else {
        panic!("not a named type: {t:?}")
    };
    match &api.type_def(*id).kind {
        TypeKind::Union(u) => u.variants.len(),
        TypeKind::Alias(inner) => union_len(api, inner),
        other => panic!("not a union: {other:?}"),
    }
}

#[test]
fn an_operation_without_responses_returns_nothing() {
    let g = generate("v31-no-responses.yaml");
    let ping = op(&g.api, "ping");
    assert!(matches!(ping.response.body, ResponseBody::Empty));
    assert!(ping.errors.is_empty());
    assert!(file(&g, "src/resources/health.rs").contains("pub fn ping(&self)"));
}

#[test]
fn a_document_with_only_webhooks_has_their_payloads() {
    let g = generate("v31-webhooks-only.yaml");
    assert!(g.api.resources.iter().all(|r| r.operations.is_empty()));
    let hook = g
        .api
        .webhooks
        .iter()
        .find(|w| w.name == "order.created")
        .expect("webhook kept");
    assert!(matches!(hook.payload, Some(TypeRef::Named(_))));
    assert_eq!(field_of(&g.api, "Order", "id").presence, Presence::Required);
}

#[test]
fn a_document_with_only_components_has_their_types() {
    let g = generate("v31-components-only.yaml");
    assert_eq!(
        field_of(&g.api, "Address", "zip").presence,
        Presence::OptionalNullable
    );
    assert!(file(&g, "src/types.rs").contains("pub struct Address"));
}

#[test]
fn info_summary_license_identifier_and_dialect_load() {
    let g = generate("v31-info.yaml");
    assert_eq!(g.api.info.title, "Info fields");
    assert_eq!(g.api.info.version, "2.0");
    op(&g.api, "getStatus");
    assert!(g.api.diagnostics.is_empty(), "{:?}", g.api.diagnostics);
}

#[test]
fn references_with_summary_and_description_beside_them() {
    let g = generate("v31-ref-siblings.yaml");
    let get = op(&g.api, "getPet");
    assert_eq!(get.path_params.len(), 1);
    assert!(matches!(
        get.response.body,
        ResponseBody::Json(TypeRef::Named(_))
    ));
    let put = op(&g.api, "replacePet");
    let body = put
        .body
        .as_ref()
        .expect("body from the referenced requestBody");
    assert!(body.required);
    // A schema `$ref` with a description: the referenced type, documented at the use site.
    let owner = field_of(&g.api, "Pet", "owner");
    assert_eq!(
        owner.doc.as_deref(),
        Some("Who owns the pet, described at the use site")
    );
    let TypeRef::Named(id) = &owner.ty else {
        panic!("owner is {:?}", owner.ty)
    };
    assert_eq!(g.api.type_def(*id).name, "Owner");
}

#[test]
fn reusable_path_items_serve_paths_and_webhooks() {
    let g = generate("v31-path-items.yaml");
    let list = op(&g.api, "listPets");
    assert_eq!(list.path, "/pets");
    assert!(matches!(
        &list.response.body,
        ResponseBody::Json(TypeRef::List(_))
    ));
    let hook = g
        .api
        .webhooks
        .iter()
        .find(|w| w.name == "pet.added")
        .expect("webhook through a path item reference");
    assert!(hook.payload.is_some());
}

#[test]
fn type_arrays_with_several_types_become_unions() {
    let g = generate("v31-type-arrays.yaml");
    let id = field_of(&g.api, "Thing", "id");
    assert_eq!(id.presence, Presence::Required);
    assert_eq!(union_len(&g.api, &id.ty), 2);
    let label = field_of(&g.api, "Thing", "label");
    assert_eq!(label.presence, Presence::OptionalNullable);
    assert_eq!(union_len(&g.api, &label.ty), 2);
    let anything = field_of(&g.api, "Thing", "anything");
    assert_eq!(union_len(&g.api, &anything.ty), 5);
}

#[test]
fn content_media_type_and_encoding_are_strings_and_bytes() {
    let g = generate("v31-content-media.yaml");
    let upload = op(&g.api, "uploadImage");
    let body = upload.body.as_ref().expect("binary body");
    assert_eq!(
        body.encoding,
        BodyEncoding::Binary("application/octet-stream".into())
    );
    assert!(file(&g, "src/resources/images.rs").contains("body: Vec<u8>"));
    for wire in ["data", "raw", "meta"] {
        assert_eq!(
            field_of(&g.api, "DocumentCreateParams", wire).ty,
            TypeRef::Primitive(Primitive::String),
            "{wire}"
        );
    }
}

#[test]
fn mutual_tls_is_left_out_with_a_note() {
    let g = generate("v31-mutual-tls.yaml");
    assert_eq!(g.api.info.auth, Auth::None);
    op(&g.api, "listAccounts");
    assert!(
        g.api
            .diagnostics
            .iter()
            .any(|d| d.pointer == "#/components/securitySchemes/mtls"
                && d.message.contains("mutualTLS")),
        "{:?}",
        g.api.diagnostics
    );
}

#[test]
fn json_schema_2020_12_keywords() {
    let g = generate("v31-schema-keywords.yaml");
    let kind = field_of(&g.api, "Job", "kind");
    assert_eq!(kind.presence, Presence::Required);
    let priority = field_of(&g.api, "Job", "priority");
    let bound = priority
        .constraints
        .as_ref()
        .and_then(|c| c.minimum.as_ref())
        .expect("exclusiveMinimum kept as a bound");
    assert!(bound.exclusive && bound.value == 0.0);
    let owner = field_of(&g.api, "Job", "owner");
    assert_eq!(owner.presence, Presence::OptionalNullable);
    let state = field_of(&g.api, "Job", "state");
    assert_eq!(state.presence, Presence::OptionalNullable);
    assert!(matches!(state.ty, TypeRef::Named(_)), "{:?}", state.ty);
    assert_eq!(field_of(&g.api, "Job", "extra").ty, TypeRef::Any);
    assert!(
        g.api
            .diagnostics
            .iter()
            .any(|d| d.pointer.ends_with("/properties/pair") && d.message.contains("prefixItems")),
        "{:?}",
        g.api.diagnostics
    );
    op(&g.api, "createJob");
}
