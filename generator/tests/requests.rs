//! Request shapes a validating server checks, on fixtures that `.ci/run` also sends to
//! Prism (`cargo xtask contract --spec generator/tests/fixtures/requests.yaml` and
//! `auth-cookie.yaml`): here, what the generator decides for them (IR, emitted calls
//! and contract-test values); there, that the server accepts the requests.

mod support;

use generator::ir::{
    Api, Auth, Operation, Param, ParamLocation, Presence, QueryStyle, TypeKind, TypeRef,
};
use support::{file, generate, generate_at, op};

/// Generates an inline spec written to a temporary file.
fn generate_text(name: &str, yaml: &str) -> generator::Generated {
    let dir = std::env::temp_dir().join(format!("requests-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let spec = dir.join("spec.yaml");
    std::fs::write(&spec, yaml).expect("write spec");
    let g = generate_at(&spec);
    let _ = std::fs::remove_dir_all(&dir);
    g
}

fn query_params(api: &Api, o: &Operation) -> Vec<Param> {
    let p = o.params.as_ref().expect("parameters");
    match &api.type_def(p.ty).kind {
        TypeKind::Params(ps) => ps
            .iter()
            .filter(|p| p.location == ParamLocation::Query)
            .cloned()
            .collect(),
        other => panic!("not a params type: {other:?}"),
    }
}

/// The body of the emitted contract test `name`.
fn contract_test(g: &generator::Generated, name: &str) -> String {
    let text = file(g, "tests/contract.rs");
    let start = text
        .find(&format!("async fn {name}()"))
        .unwrap_or_else(|| panic!("no contract test {name}"));
    let end = text[start..]
        .find("\n}\n")
        .map_or(text.len(), |e| start + e);
    text[start..end].to_string()
}

#[test]
fn nullable_and_any_of_array_query_parameters_are_lists_sent_with_two_items() {
    let g = generate("requests.yaml");
    let params = query_params(&g.api, op(&g.api, "listEvents"));
    for p in &params {
        assert!(
            matches!(&p.ty, TypeRef::List(_)),
            "{} is {:?}",
            p.wire_name,
            p.ty
        );
        assert_eq!(p.style, QueryStyle::Form { explode: true });
    }
    // One item cannot be told from a scalar on the wire; the test sends two.
    let all = contract_test(&g, "events_list_all_params");
    assert!(
        all.contains("EventListEventTypesItem::Created")
            && all.contains("EventListEventTypesItem::Deleted"),
        "{all}"
    );
    assert!(all.contains("Vec::from([1, 1])"), "{all}");
}

#[test]
fn array_query_parameters_under_any_of_keep_their_style() {
    let g = generate_text(
        "anyof",
        r#"
openapi: 3.1.0
info: {title: Styles, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: a, in: query, style: form, explode: false,
           schema: {anyOf: [{type: array, items: {type: integer}}, {type: "null"}]}}
        - {name: b, in: query, style: pipeDelimited,
           schema: {anyOf: [{type: array, items: {type: string}}, {type: string}]}}
        - {name: c, in: query, style: spaceDelimited,
           schema: {type: [array, "null"], items: {type: string}}}
      responses:
        "204": {description: ok}
"#,
    );
    let params = query_params(&g.api, op(&g.api, "listItems"));
    let styles: Vec<(&str, QueryStyle)> = params
        .iter()
        .map(|p| (p.wire_name.as_str(), p.style))
        .collect();
    assert_eq!(
        styles,
        [
            ("a", QueryStyle::Form { explode: false }),
            ("b", QueryStyle::PipeDelimited),
            ("c", QueryStyle::SpaceDelimited),
        ]
    );
    let resource = file(&g, "src/resources/items.rs");
    assert!(
        resource.contains(r#".query("a", &params.a, QueryStyle::Form { explode: false })"#),
        "{resource}"
    );
    assert!(resource.contains(r#".query("b", &params.b, QueryStyle::PipeDelimited)"#));
    assert!(resource.contains(r#".query("c", &params.c, QueryStyle::SpaceDelimited)"#));
}

#[test]
fn form_bodies_follow_their_encoding() {
    let g = generate("requests.yaml");
    let submit = op(&g.api, "submitForm");
    let body = submit.body.as_ref().expect("form body");
    assert_eq!(
        body.field_styles,
        [("tags".to_string(), QueryStyle::Form { explode: false })]
    );
    let resource = file(&g, "src/resources/forms.rs");
    assert!(
        resource.contains(".form_styled(")
            && resource.contains(r#"("tags", QueryStyle::Form { explode: false })"#),
        "{resource}"
    );
    let test = contract_test(&g, "forms_create");
    assert!(
        test.contains(r#"Vec::from(["string".to_owned(), "string".to_owned()])"#),
        "{test}"
    );
}

#[test]
fn samples_respect_const_and_enum() {
    let g = generate("requests.yaml");
    for name in [
        "completions_create_required_params",
        "completions_create_all_params",
    ] {
        let test = contract_test(&g, name);
        assert!(test.contains("stream: false"), "{test}");
        assert!(test.contains("CompletionCreateParamsMode::Fast"), "{test}");
    }
    let all = contract_test(&g, "completions_create_all_params");
    assert!(all.contains("CompletionCreateParamsLevel::V1"), "{all}");
    // `readOnly`: the server sends it, a request must not.
    assert!(!all.contains("id: Some("), "{all}");
    assert!(all.contains("CompletionCreateParamsKind::A"), "{all}");
}

#[test]
fn required_members_are_never_missing() {
    let g = generate_text(
        "required",
        r#"
openapi: 3.1.0
info: {title: Required, version: "1"}
paths:
  /things:
    post:
      operationId: makeThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, color, size]
              properties:
                name: {type: string}
              additionalProperties: {type: integer}
  /others:
    post:
      operationId: makeOther
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name, color]
              properties:
                name: {type: string}
              additionalProperties: false
"#,
    );
    let fields = |id: &str| {
        let body = op(&g.api, id).body.as_ref().expect("body");
        let TypeRef::Named(t) = &body.ty else {
            panic!("{:?}", body.ty)
        };
        match &g.api.type_def(*t).kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| (f.wire_name.clone(), f.ty.clone(), f.presence))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        }
    };
    let int = TypeRef::Primitive(generator::ir::Primitive::I64);
    assert_eq!(
        fields("makeThing")[1..],
        [
            ("color".to_string(), int.clone(), Presence::Required),
            ("size".to_string(), int, Presence::Required),
        ]
    );
    assert_eq!(
        fields("makeOther")[1],
        ("color".to_string(), TypeRef::Any, Presence::Required)
    );
    assert!(
        g.api
            .diagnostics
            .iter()
            .any(|d| d.message.contains("required member `color`")),
        "{:?}",
        g.api.diagnostics
    );
    // The required-only contract call sets them.
    let test = contract_test(&g, "others_create");
    assert!(test.contains("color:"), "{test}");
    // ... and so does every required member of the fixture Prism checks.
    let fixture = generate("requests.yaml");
    let test = contract_test(&fixture, "completions_create_required_params");
    for member in ["model:", "stream:", "mode:"] {
        assert!(test.contains(member), "{test}");
    }
}

#[test]
fn an_api_key_in_a_cookie_is_sent_as_a_cookie() {
    let g = generate("auth-cookie.yaml");
    assert_eq!(g.api.info.auth, Auth::Cookie("session_id".into()));
    assert!(file(&g, "src/settings.rs").contains(r#"Auth::Cookie("session_id")"#));
    // Every operation accepts the cookie (or nothing): no note.
    assert!(
        !g.api
            .diagnostics
            .iter()
            .any(|d| d.pointer.ends_with("/security")),
        "{:?}",
        g.api.diagnostics
    );
}

#[test]
fn the_scheme_most_operations_accept_is_sent_and_the_others_are_listed() {
    let g = generate_text(
        "schemes",
        r#"
openapi: 3.1.0
info: {title: Schemes, version: "1"}
security: [{oauth: []}]
paths:
  /a:
    get:
      operationId: a
      security: [{oauth: []}, {key: []}]
      responses: {"204": {description: ok}}
  /b:
    get:
      operationId: b
      security: [{key: []}, {basic: []}]
      responses: {"204": {description: ok}}
  /c:
    get:
      operationId: c
      security: [{key: []}]
      responses: {"204": {description: ok}}
  /d:
    get:
      operationId: d
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: "https://x.example/t", scopes: {}}}}
    key: {type: apiKey, in: query, name: api_key}
    basic: {type: http, scheme: basic}
"#,
    );
    // `key` serves a, b and c; `oauth` (first listed) only a and d.
    assert_eq!(g.api.info.auth, Auth::Query("api_key".into()));
    // d sends the key as its own scheme requires: an OAuth2 token is a bearer token.
    let auths: Vec<(&str, Option<Auth>)> = ["a", "b", "c", "d"]
        .iter()
        .map(|id| (*id, op(&g.api, id).auth.clone()))
        .collect();
    assert_eq!(
        auths,
        [
            ("a", None),
            ("b", None),
            ("c", None),
            ("d", Some(Auth::Bearer))
        ]
    );
    let noted: Vec<&str> = g
        .api
        .diagnostics
        .iter()
        .filter(|d| d.pointer.ends_with("/security"))
        .map(|d| d.pointer.as_str())
        .collect();
    assert!(noted.is_empty(), "{noted:?}");
}

#[test]
fn operations_send_what_their_own_security_requires() {
    let g = generate_text(
        "op-security",
        r#"
openapi: 3.1.0
info: {title: Schemes, version: "1"}
security: [{bot: []}]
paths:
  /inherits: {get: {operationId: inherits, responses: {"204": {description: ok}}}}
  /guilds: {get: {operationId: guilds, responses: {"204": {description: ok}}}}
  /channels: {get: {operationId: channels, responses: {"204": {description: ok}}}}
  /public:
    get: {operationId: public, security: [], responses: {"204": {description: ok}}}
  /anonymous:
    get: {operationId: anonymous, security: [{}], responses: {"204": {description: ok}}}
  /optional:
    get: {operationId: optional, security: [{}, {bot: []}], responses: {"204": {description: ok}}}
  /optional-other:
    get:
      operationId: optionalOther
      security: [{}, {oauth: []}]
      responses: {"204": {description: ok}}
  /either:
    get:
      operationId: either
      security: [{bot: []}, {oauth: [identify]}]
      responses: {"204": {description: ok}}
  /user:
    get: {operationId: user, security: [{oauth: [identify]}], responses: {"204": {description: ok}}}
  /oidc:
    get: {operationId: oidc, security: [{oidc: []}], responses: {"204": {description: ok}}}
  /basic:
    get: {operationId: basicOnly, security: [{basic: []}], responses: {"204": {description: ok}}}
  /both:
    get:
      operationId: both
      security: [{bot: [], session: []}]
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    bot: {type: apiKey, in: header, name: Authorization}
    oauth: {type: oauth2, flows: {implicit: {authorizationUrl: "https://x.example/a", scopes: {identify: x}}}}
    oidc: {type: openIdConnect, openIdConnectUrl: "https://x.example/.well-known"}
    basic: {type: http, scheme: basic}
    session: {type: apiKey, in: cookie, name: sid}
"#,
    );
    assert_eq!(g.api.info.auth, Auth::Header("Authorization".into()));
    let auth = |id: &str| op(&g.api, id).auth.clone();
    assert_eq!(auth("inherits"), None);
    assert_eq!(auth("public"), Some(Auth::None));
    assert_eq!(auth("anonymous"), Some(Auth::None));
    assert_eq!(auth("optional"), None);
    assert_eq!(auth("optionalOther"), Some(Auth::None));
    assert_eq!(auth("either"), None);
    assert_eq!(auth("user"), Some(Auth::Bearer));
    assert_eq!(auth("oidc"), Some(Auth::Bearer));
    assert_eq!(auth("basicOnly"), Some(Auth::Basic));
    // Two schemes at once: one key cannot give both; sent as the client's, and noted.
    assert_eq!(auth("both"), None);
    let noted: Vec<&str> = g
        .api
        .diagnostics
        .iter()
        .filter(|d| d.pointer.ends_with("/security"))
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(noted, ["#/paths/~1both/get/security"]);
    // Requirements stated nowhere (no document-wide `security`): the key is sent.
    let g2 = generate_text(
        "op-security-absent",
        r#"
openapi: 3.1.0
info: {title: Schemes, version: "1"}
paths:
  /a: {get: {operationId: a, security: [{key: []}], responses: {"204": {description: ok}}}}
  /b: {get: {operationId: b, responses: {"204": {description: ok}}}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"#,
    );
    assert_eq!(op(&g2.api, "b").auth, None);
    // A tie between a query key and a header scheme: the key stays out of the URL.
    let g3 = generate_text(
        "op-security-tie",
        r#"
openapi: 3.1.0
info: {title: Schemes, version: "1"}
security: [{client: []}, {basic: []}]
paths:
  /a: {get: {operationId: a, responses: {"204": {description: ok}}}}
components:
  securitySchemes:
    client: {type: apiKey, in: query, name: clientKey}
    basic: {type: http, scheme: basic}
"#,
    );
    assert_eq!(g3.api.info.auth, Auth::Basic);
    let public = file(&g, "src/resources/public.rs");
    assert!(public.contains(".auth(Auth::None)"), "{public}");
    let user = file(&g, "src/resources/user.rs");
    assert!(user.contains(".auth(Auth::Bearer)"), "{user}");
}

#[test]
fn unique_string_lists_get_distinct_items_and_union_members_are_shared() {
    let g = generate_text(
        "unique",
        r#"
openapi: 3.1.0
info: {title: Unique, version: "1"}
paths:
  /sources:
    post:
      operationId: createSource
      tags: [sources]
      parameters:
        - name: event_types
          in: query
          schema:
            type: [array, "null"]
            uniqueItems: true
            items: {type: string, pattern: '^[a-zA-Z0-9\-_.]+$'}
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: string}
              oneOf:
                - type: object
                  required: [type]
                  properties: {type: {type: string, enum: [webhook]}}
                - type: object
                  required: [type, schedule]
                  properties:
                    type: {type: string, enum: [cron]}
                    schedule: {type: string}
      responses:
        "204": {description: ok}
"#,
    );
    let test = contract_test(&g, "sources_create_all_params");
    assert!(
        test.contains(r#""b2c3d4e5-f6a7-8901-bcde-f23456789012".to_owned(),"#)
            && test.contains(r#""example".to_owned(),"#),
        "{test}"
    );
    let required = contract_test(&g, "sources_create_required_params");
    assert!(required.contains("name:"), "{required}");
    let body = op(&g.api, "createSource").body.as_ref().expect("body");
    let TypeRef::Named(id) = &body.ty else {
        panic!("{:?}", body.ty)
    };
    let TypeKind::Union(u) = &g.api.type_def(*id).kind else {
        panic!("not a union")
    };
    for v in &u.variants {
        let TypeRef::Named(vid) = &v.ty else {
            panic!("{:?}", v.ty)
        };
        let TypeKind::Struct(s) = &g.api.type_def(*vid).kind else {
            panic!("variant is not a struct")
        };
        assert!(
            s.fields
                .iter()
                .any(|f| f.wire_name == "name" && f.presence == Presence::Required),
            "{} lacks the shared `name`",
            v.name
        );
    }
}

#[test]
fn schemes_sent_the_same_way_satisfy_each_other() {
    let g = generate_text(
        "bearers",
        r#"
openapi: 3.1.0
info: {title: Bearers, version: "1"}
paths:
  /x:
    get:
      operationId: x
      security: [{user: []}]
      responses: {"204": {description: ok}}
  /y:
    get:
      operationId: y
      security: [{admin: []}]
      responses: {"204": {description: ok}}
components:
  securitySchemes:
    user: {type: http, scheme: bearer}
    admin: {type: http, scheme: bearer}
"#,
    );
    assert_eq!(g.api.info.auth, Auth::Bearer);
    assert!(
        !g.api
            .diagnostics
            .iter()
            .any(|d| d.pointer.ends_with("/security")),
        "{:?}",
        g.api.diagnostics
    );
}

#[test]
fn cookie_parameters_are_sent_and_styles_keep_their_explode() {
    let g = generate("wire.yaml");
    let cookies = op(&g.api, "readCookies");
    let p = cookies.params.as_ref().expect("parameters");
    let TypeKind::Params(ps) = &g.api.type_def(p.ty).kind else {
        panic!("not a params type")
    };
    let shapes: Vec<(&str, ParamLocation, QueryStyle)> = ps
        .iter()
        .map(|p| (p.wire_name.as_str(), p.location, p.style))
        .collect();
    assert_eq!(
        shapes,
        [
            (
                "lang",
                ParamLocation::Cookie,
                QueryStyle::Form { explode: true }
            ),
            (
                "prefs",
                ParamLocation::Cookie,
                QueryStyle::Form { explode: false }
            ),
        ]
    );
    let resource = file(&g, "src/resources/preferences.rs");
    assert!(
        resource.contains(r#".cookie("lang", &params.lang, true)"#)
            && resource.contains(r#".cookie("prefs", &params.prefs, false)"#)
            && resource.contains(r#".auth(Auth::Cookie("sid"))"#),
        "{resource}"
    );
    assert!(
        !g.api
            .diagnostics
            .iter()
            .any(|d| d.message.contains("cookie")),
        "{:?}",
        g.api.diagnostics
    );
    // Exploded `pipeDelimited` is written as exploded `form`; unexploded keeps its style.
    let styles: Vec<(String, QueryStyle)> = query_params(&g.api, op(&g.api, "search"))
        .into_iter()
        .map(|p| (p.wire_name, p.style))
        .collect();
    let style = |name: &str| styles.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
    assert_eq!(style("sizes"), Some(QueryStyle::Form { explode: true }));
    assert_eq!(style("codes"), Some(QueryStyle::PipeDelimited));
    assert_eq!(style("words"), Some(QueryStyle::SpaceDelimited));
    assert_eq!(style("range"), Some(QueryStyle::Form { explode: false }));
    assert_eq!(style("filter"), Some(QueryStyle::DeepObject));
}
