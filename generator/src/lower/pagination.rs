//! Which list operations page, and how: declared in the config's `pagination:` section
//! (named schemes, then operations keyed by `METHOD /path`), or detected where the spec
//! leaves no doubt. Every detection is recorded as a diagnostic, so a wrong guess is
//! visible in the generation notes.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::config::{Config, PageScheme, PageStyleName};
use crate::error::{Diagnostic, Error, ErrorKind};
use crate::ir::{
    Api, BodyField, MoreFlag, Operation, PageStyle, Pagination, Param, ParamLocation, Primitive,
    ResponseBody, TypeKind, TypeRef,
};

/// Query parameters that carry an opaque position, with the body fields that may give
/// the next one (besides `next_<param>`).
const CURSOR_PARAMS: &[(&str, &[&str])] = &[
    ("cursor", &["next_cursor", "nextCursor", "next"]),
    ("page_token", &["next_page_token"]),
    ("pageToken", &["nextPageToken"]),
    ("next_token", &["next_token"]),
    ("nextToken", &["nextToken"]),
    ("continuation_token", &["continuation_token"]),
    ("continuationToken", &["continuationToken"]),
    ("iterator", &["iterator"]),
    ("after", &["last_id", "after"]),
];

/// Page-size parameters, for page-number and offset paging.
const SIZE_PARAMS: &[&str] = &["per_page", "page_size", "pageSize", "perPage", "limit"];

/// Sets [`Operation::pagination`] for the operations the config names and those where
/// detection is unambiguous; notes detections and config entries that match nothing.
pub(super) fn apply(api: &mut Api, doc: &Value, config: &Config, file: &Path) -> Result<(), Error> {
    let cfg = &config.pagination;
    let config_file = Config::path_for(file);
    let config_error = |message: String| Error::new(ErrorKind::Config, &config_file, message);
    for (key, used) in &cfg.operations {
        if !cfg.schemes.contains_key(used.scheme()) {
            return Err(config_error(format!(
                "pagination: `{key}` uses the scheme `{}`, which `pagination.schemes` does not define",
                used.scheme()
            )));
        }
    }
    let mut matched = BTreeSet::new();
    let mut notes = Vec::new();
    for r in 0..api.resources.len() {
        for o in 0..api.resources[r].operations.len() {
            let op = &api.resources[r].operations[o];
            let key = format!("{} {}", op.method.as_str(), op.path);
            let pagination = if let Some(used) = cfg.operations.get(&key) {
                matched.insert(key.clone());
                let scheme = &cfg.schemes[used.scheme()];
                let items = used.items().or(scheme.items.as_deref());
                let mut p = declared(api, op, scheme, items)
                    .map_err(|why| config_error(format!("pagination of `{key}`: {why}")))?;
                p.scheme = Some(used.scheme().to_string());
                Some(p)
            } else if cfg.detect {
                let found = detect(api, doc, op);
                if let Some(p) = &found {
                    notes.push(Diagnostic {
                        pointer: op.pointer.to_string(),
                        message: format!("pagination detected: {}", p.describe()),
                    });
                }
                found
            } else {
                None
            };
            api.resources[r].operations[o].pagination = pagination;
        }
    }
    for key in cfg.operations.keys().filter(|k| !matched.contains(*k)) {
        notes.push(Diagnostic {
            pointer: "/paths".to_string(),
            message: format!(
                "pagination: the config names `{key}`, which the spec does not have; ignored"
            ),
        });
    }
    api.diagnostics.extend(notes);
    Ok(())
}

/// The pagination the config declares for `op`, or why it does not fit.
fn declared(
    api: &Api,
    op: &Operation,
    scheme: &PageScheme,
    items: Option<&str>,
) -> Result<Pagination, String> {
    let body = response_shape(api, op).ok_or("the response is not a JSON object or array")?;
    let (items, item) = match items {
        Some(name) => {
            let fields = body
                .fields()
                .ok_or("the response is an array, not an object")?;
            let f =
                find(fields, name).ok_or_else(|| format!("the response has no field `{name}`"))?;
            let item = list_item(api, &f.field.ty)
                .ok_or_else(|| format!("the response field `{name}` is not an array"))?;
            (Some(f), item)
        }
        None => only_list(api, &body)
            .ok_or("the response has no single array field; name the items with `items:`")?,
    };
    let param = |what: &str| -> Result<String, String> {
        let name = scheme
            .param
            .as_deref()
            .ok_or_else(|| format!("a `{what}` scheme needs `param:`"))?;
        if query_param(api, op, name).is_none() {
            return Err(format!("the operation has no query parameter `{name}`"));
        }
        Ok(name.to_string())
    };
    let more = || -> Result<Option<MoreFlag>, String> {
        let fields = body.fields().unwrap_or(&[]);
        let flag = match (&scheme.has_more, &scheme.done) {
            (Some(_), Some(_)) => return Err("give `has_more` or `done`, not both".into()),
            (Some(name), None) => (name, false),
            (None, Some(name)) => (name, true),
            (None, None) => return Ok(None),
        };
        let field = find(fields, flag.0)
            .filter(|f| resolves_to(api, &f.field.ty, &[Primitive::Bool]))
            .ok_or_else(|| format!("the response has no boolean field `{}`", flag.0))?;
        Ok(Some(MoreFlag {
            field: field.field,
            inverted: flag.1,
        }))
    };
    let style = match scheme.style {
        PageStyleName::Cursor => {
            let next = scheme
                .next
                .as_deref()
                .ok_or("a `cursor` scheme needs `next:`")?;
            let field = body
                .fields()
                .and_then(|fields| find(fields, next))
                .filter(|f| is_position(api, &f.field.ty))
                .ok_or_else(|| format!("the response has no string or integer field `{next}`"))?;
            PageStyle::Cursor {
                param: param("cursor")?,
                next: field.field,
                more: more()?,
            }
        }
        PageStyleName::LastItem => {
            let id = scheme.id.as_deref().unwrap_or("id");
            let field = item_field(api, &item, id)
                .ok_or_else(|| format!("the items have no string or integer field `{id}`"))?;
            PageStyle::LastItem {
                param: param("last-item")?,
                id: field,
                more: more()?,
            }
        }
        PageStyleName::Page | PageStyleName::Offset => {
            let size = match &scheme.size {
                Some(s) if query_param(api, op, s).is_none() => {
                    return Err(format!("the operation has no query parameter `{s}`"));
                }
                other => other.clone(),
            };
            PageStyle::Number {
                param: param("page")?,
                size,
                offset: scheme.style == PageStyleName::Offset,
            }
        }
        PageStyleName::Link => PageStyle::Link,
    };
    if items.as_ref().is_some_and(|f| f.boxed) {
        return Err("the items field is boxed (it closes a type cycle)".into());
    }
    Ok(Pagination {
        style,
        items: items.map(|f| f.field),
        item,
        scheme: None,
    })
}

/// Pagination the spec makes unambiguous, tried from the most specific style.
fn detect(api: &Api, doc: &Value, op: &Operation) -> Option<Pagination> {
    if op.method != crate::ir::HttpMethod::Get {
        return None;
    }
    let body = response_shape(api, op)?;
    let (items, item) = only_list(api, &body)?;
    if items.as_ref().is_some_and(|f| f.boxed) {
        return None;
    }
    let fields = body.fields().unwrap_or(&[]);
    let bool_field = |names: &[&str]| {
        names.iter().find_map(|n| {
            find(fields, n)
                .filter(|f| resolves_to(api, &f.field.ty, &[Primitive::Bool]))
                .map(|f| f.field)
        })
    };
    let has_more = bool_field(&["has_more", "hasMore"]).map(|field| MoreFlag {
        field,
        inverted: false,
    });
    let done = bool_field(&["done"]).map(|field| MoreFlag {
        field,
        inverted: true,
    });
    let integer =
        |name: &str| query_param(api, op, name).is_some_and(|t| resolves_to(api, t, INTEGERS));
    let size = || {
        SIZE_PARAMS
            .iter()
            .find(|s| query_param(api, op, s).is_some())
            .map(|s| s.to_string())
    };
    let style = if query_param(api, op, "starting_after").is_some()
        && has_more.is_some()
        && let Some(id) = item_field(api, &item, "id")
    {
        PageStyle::LastItem {
            param: "starting_after".to_string(),
            id,
            more: has_more,
        }
    } else if let Some((param, next)) = CURSOR_PARAMS
        .iter()
        .find_map(|(param, nexts)| {
            query_param(api, op, param)?;
            let own = format!("next_{param}");
            std::iter::once(own.as_str())
                .chain(nexts.iter().copied())
                .find_map(|n| find(fields, n).filter(|f| is_position(api, &f.field.ty)))
                .map(|next| (param.to_string(), next.field))
        })
        .or_else(|| {
            // Any string parameter `p` answered by a string field `next_p` (Stripe's
            // search: `page` and `next_page`).
            query_params(api, op)
                .filter(|p| resolves_to(api, &p.ty, &[Primitive::String]))
                .find_map(|p| {
                    let next = find(fields, &format!("next_{}", p.wire_name))
                        .filter(|f| resolves_to(api, &f.field.ty, &[Primitive::String]))?;
                    Some((p.wire_name.clone(), next.field))
                })
        })
    {
        PageStyle::Cursor {
            param,
            next,
            more: has_more.or(done),
        }
    } else if has_link_header(doc, op) && (integer("page") || size().is_some()) {
        PageStyle::Link
    } else if integer("page") && size().is_some() {
        PageStyle::Number {
            param: "page".to_string(),
            size: size(),
            offset: false,
        }
    } else if integer("offset") && size().is_some() {
        PageStyle::Number {
            param: "offset".to_string(),
            size: size(),
            offset: true,
        }
    } else {
        return None;
    };
    Some(Pagination {
        style,
        items: items.map(|f| f.field),
        item,
        scheme: None,
    })
}

const INTEGERS: &[Primitive] = &[
    Primitive::I32,
    Primitive::I64,
    Primitive::U32,
    Primitive::U64,
];

/// A response body field, with whether it is boxed.
struct Found {
    field: BodyField,
    boxed: bool,
}

/// What a JSON success response is: an object's fields, or a list.
enum Shape<'a> {
    Object(&'a [crate::ir::Field]),
    List(TypeRef),
}

impl Shape<'_> {
    fn fields(&self) -> Option<&[crate::ir::Field]> {
        match self {
            Shape::Object(f) => Some(f),
            Shape::List(_) => None,
        }
    }
}

fn response_shape<'a>(api: &'a Api, op: &'a Operation) -> Option<Shape<'a>> {
    let ResponseBody::Json(ty) = &op.response.body else {
        return None;
    };
    match resolve(api, ty) {
        TypeRef::List(item) => Some(Shape::List((**item).clone())),
        TypeRef::Named(id) => match &api.type_def(*id).kind {
            TypeKind::Struct(s) => Some(Shape::Object(&s.fields)),
            _ => None,
        },
        _ => None,
    }
}

/// `ty` with aliases followed.
fn resolve<'a>(api: &'a Api, ty: &'a TypeRef) -> &'a TypeRef {
    let mut ty = ty;
    for _ in 0..64 {
        match ty {
            TypeRef::Named(id) => match &api.type_def(*id).kind {
                TypeKind::Alias(inner) => ty = inner,
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}

fn resolves_to(api: &Api, ty: &TypeRef, wanted: &[Primitive]) -> bool {
    matches!(resolve(api, ty), TypeRef::Primitive(p) if wanted.contains(p))
}

/// A string or integer: something a position can be made of.
fn is_position(api: &Api, ty: &TypeRef) -> bool {
    let mut wanted = vec![Primitive::String];
    wanted.extend_from_slice(INTEGERS);
    resolves_to(api, ty, &wanted)
}

fn list_item(api: &Api, ty: &TypeRef) -> Option<TypeRef> {
    match resolve(api, ty) {
        TypeRef::List(item) => Some((**item).clone()),
        _ => None,
    }
}

fn find(fields: &[crate::ir::Field], wire_name: &str) -> Option<Found> {
    fields
        .iter()
        .find(|f| f.wire_name == wire_name)
        .map(|f| Found {
            field: BodyField {
                wire_name: f.wire_name.clone(),
                name: f.name.clone(),
                presence: f.presence,
                ty: f.ty.clone(),
            },
            boxed: f.boxed,
        })
}

/// The items: the body itself when it is a list, else its only array field.
fn only_list(api: &Api, body: &Shape<'_>) -> Option<(Option<Found>, TypeRef)> {
    match body {
        Shape::List(item) => Some((None, item.clone())),
        Shape::Object(fields) => {
            let mut lists = fields
                .iter()
                .filter_map(|f| list_item(api, &f.ty).map(|item| (f, item)));
            let (field, item) = lists.next()?;
            if lists.next().is_some() {
                return None;
            }
            Some((find(fields, &field.wire_name), item))
        }
    }
}

/// A string or integer field of the item type (a struct), unboxed.
fn item_field(api: &Api, item: &TypeRef, wire_name: &str) -> Option<BodyField> {
    let TypeRef::Named(id) = resolve(api, item) else {
        return None;
    };
    let TypeKind::Struct(s) = &api.type_def(*id).kind else {
        return None;
    };
    find(&s.fields, wire_name)
        .filter(|f| !f.boxed && is_position(api, &f.field.ty))
        .map(|f| f.field)
}

/// The query parameters of `op`.
fn query_params<'a>(api: &'a Api, op: &Operation) -> impl Iterator<Item = &'a Param> {
    let params = op
        .params
        .as_ref()
        .and_then(|p| match &api.type_def(p.ty).kind {
            TypeKind::Params(ps) => Some(ps.as_slice()),
            _ => None,
        })
        .unwrap_or(&[]);
    params.iter().filter(|p| p.location == ParamLocation::Query)
}

/// The type of the query parameter `wire_name` of `op`.
fn query_param<'a>(api: &'a Api, op: &Operation, wire_name: &str) -> Option<&'a TypeRef> {
    query_params(api, op)
        .find(|p| p.wire_name == wire_name)
        .map(|p| &p.ty)
}

/// Whether the operation's success response documents a `Link` header.
fn has_link_header(doc: &Value, op: &Operation) -> bool {
    let Some(responses) = op.pointer.resolve(doc).and_then(|o| o.get("responses")) else {
        return false;
    };
    let status = op.response.status.to_string();
    let Some(mut response) = responses.get(&status).or_else(|| responses.get("2XX")) else {
        return false;
    };
    // A response may be a reference to `#/components/responses/...`.
    for _ in 0..8 {
        match response.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                Some(target) => response = target,
                None => return false,
            },
            None => break,
        }
    }
    response
        .get("headers")
        .and_then(Value::as_object)
        .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("link")))
}
