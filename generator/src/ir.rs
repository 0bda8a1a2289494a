//! The intermediate representation: what the client crate must contain, as plain data.
//!
//! The IR knows nothing of `openapiv3` (lowering translates) nor of token streams
//! (emission translates). Names in it are already Rust identifiers, unique where they
//! must be, so emission never has to invent or fix a name.

use serde::Serialize;
use serde_json::Value;

use crate::error::Diagnostic;

/// A whole API, ready to emit.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    /// Crate-level facts.
    pub info: ApiInfo,
    /// Operations grouped the way the client exposes them (`client.chats().create()`).
    pub resources: Vec<Resource>,
    /// Every named type, indexed by [`TypeId`].
    pub types: Vec<TypeDef>,
    /// The type most error responses share (the error envelope), if there is one.
    pub error_body: Option<TypeId>,
    /// Webhook payloads the API sends (3.1 `webhooks` section), by event name.
    pub webhooks: Vec<Webhook>,
    /// The webhook envelope whose payload member is typed by event (config
    /// `webhooks.discriminators`), when at least one payload could be keyed.
    pub webhook_events: Option<WebhookEvents>,
    /// Constructs that were approximated, with where they are.
    pub diagnostics: Vec<Diagnostic>,
}

impl Api {
    /// The type definition behind an id.
    pub fn type_def(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }

    /// The type a config names (`webhooks.envelope: Event`): by type name, or by the
    /// last segment of its schema's JSON pointer.
    pub fn config_type(&self, name: &str) -> Option<TypeId> {
        let suffix = format!("/{name}");
        self.types
            .iter()
            .position(|t| t.name == name || t.pointer.ends_with(&suffix))
            .map(TypeId)
    }
}

/// Crate-level facts from the spec and the config.
#[derive(Debug, Clone, Serialize)]
pub struct ApiInfo {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// First server URL, variables substituted with their defaults.
    pub base_url: String,
    /// How requests authenticate.
    pub auth: Auth,
}

/// How the client authenticates, from the spec's security schemes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Auth {
    /// No security scheme.
    None,
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// `Authorization: Basic <key>` (the key is the encoded credentials).
    Basic,
    /// The key in a header of this name.
    Header(String),
    /// The key in a query parameter of this name.
    Query(String),
    /// The key in a cookie of this name.
    Cookie(String),
}

/// Index into [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct TypeId(pub usize);

/// A group of operations, usually one tag, or a sub-resource of one
/// (`client.chats().messages()`).
#[derive(Debug, Clone, Serialize)]
pub struct Resource {
    /// Accessor method on the client (or on the parent's handle), snake case
    /// (`webhook_subscriptions`, `messages`).
    pub accessor: String,
    /// Handle struct name, upper camel case (`WebhookSubscriptions`, `ChatMessages`).
    pub type_name: String,
    /// Module file name (the accessor; `chats_messages` for a sub-resource).
    pub module: String,
    /// Index in [`Api::resources`] of the resource whose handle has the accessor; parents
    /// come before their sub-resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<usize>,
    /// Accessors from the client to this handle (`["chats", "messages"]`).
    pub chain: Vec<String>,
    /// Tag description.
    pub doc: Option<String>,
    /// Operations in spec order.
    pub operations: Vec<Operation>,
}

/// One HTTP operation.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// Method name on the resource handle, snake case (`update`).
    pub name: String,
    /// The spec's `operationId` (or the one derived from method and path).
    pub operation_id: String,
    /// HTTP method.
    pub method: HttpMethod,
    /// Path template as written in the spec (`/v3/items/{itemId}`).
    pub path: String,
    /// The template split into literal text and parameters.
    pub path_parts: Vec<PathPart>,
    /// Path parameters, in template order: positional arguments.
    pub path_params: Vec<Param>,
    /// Query, header and cookie parameters, gathered in one params struct.
    pub params: Option<ParamsStruct>,
    /// The request body, if any.
    pub body: Option<RequestBody>,
    /// What a successful call returns.
    pub response: SuccessResponse,
    /// Documented error responses.
    pub errors: Vec<ErrorResponse>,
    /// Summary and description.
    pub doc: Doc,
    /// Marked deprecated in the spec.
    pub deprecated: bool,
    /// JSON pointer of the operation, for messages.
    pub pointer: crate::pointer::JsonPointer,
    /// How a list operation pages, if it does (declared in the config or detected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// How this operation sends the client's key when not as the client does (its own
    /// `security`); [`Auth::None`]: it sends none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
}

/// How a list operation's pages follow each other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pagination {
    /// How the next page is requested.
    pub style: PageStyle,
    /// The response field holding the items; `None` when the body is the list itself.
    pub items: Option<BodyField>,
    /// The type of one item.
    pub item: TypeRef,
    /// The config's scheme name, or `None` when detected from the spec.
    pub scheme: Option<String>,
}

impl Pagination {
    /// `cursor (query `cursor`, next `next_cursor`, items `chats`)`: for notes and docs.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match &self.style {
            PageStyle::Cursor { param, next, more } => {
                parts.push(format!("query `{param}`"));
                parts.push(format!("next `{}`", next.wire_name));
                if let Some(m) = more {
                    parts.push(format!("more `{}`", m.field.wire_name));
                }
            }
            PageStyle::LastItem { param, id, more } => {
                parts.push(format!("query `{param}`"));
                parts.push(format!("item `{}`", id.wire_name));
                if let Some(m) = more {
                    parts.push(format!("more `{}`", m.field.wire_name));
                }
            }
            PageStyle::Number { param, size, .. } => {
                parts.push(format!("query `{param}`"));
                if let Some(s) = size {
                    parts.push(format!("size `{s}`"));
                }
            }
            PageStyle::Link => parts.push("`Link` header".to_string()),
        }
        parts.push(match &self.items {
            Some(f) => format!("items `{}`", f.wire_name),
            None => "items: the body".to_string(),
        });
        format!("{} ({})", self.style.name(), parts.join(", "))
    }
}

/// A field of a response body (or of an item) that pagination reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyField {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust field name.
    pub name: String,
    /// Required/nullable shape.
    pub presence: Presence,
    /// Its type.
    pub ty: TypeRef,
}

/// A boolean body field saying whether more pages follow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoreFlag {
    /// The field.
    pub field: BodyField,
    /// The field says the list is complete when true (`done`), rather than that more
    /// follow (`has_more`).
    pub inverted: bool,
}

/// The pagination styles the runtime implements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PageStyle {
    /// A position from the body (`next_cursor`, `last_id`, `iterator`) sent back in the
    /// query parameter `param`.
    Cursor {
        /// The query parameter's wire name.
        param: String,
        /// The body field with the next position.
        next: BodyField,
        /// The body field saying whether more pages follow.
        more: Option<MoreFlag>,
    },
    /// The last item's identifier sent in `param` (`starting_after`).
    LastItem {
        /// The query parameter's wire name.
        param: String,
        /// The item field with the identifier.
        id: BodyField,
        /// The body field saying whether more pages follow.
        more: Option<MoreFlag>,
    },
    /// A page number (from 1) or an item offset (from 0) in `param`; a short or empty
    /// page is the last.
    Number {
        /// The query parameter's wire name.
        param: String,
        /// The page-size query parameter's wire name.
        size: Option<String>,
        /// `param` counts items, not pages.
        offset: bool,
    },
    /// The `Link` response header's `rel="next"` URL.
    Link,
}

impl PageStyle {
    /// Short name (`cursor`, `last-item`, `page`, `offset`, `link`).
    pub fn name(&self) -> &'static str {
        match self {
            PageStyle::Cursor { .. } => "cursor",
            PageStyle::LastItem { .. } => "last-item",
            PageStyle::Number { offset: false, .. } => "page",
            PageStyle::Number { offset: true, .. } => "offset",
            PageStyle::Link => "link",
        }
    }
}

/// HTTP methods OpenAPI knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HttpMethod {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl HttpMethod {
    /// Upper-case name as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PathPart {
    /// Literal text, sent as written.
    Literal(String),
    /// The path parameter at this index of [`Operation::path_params`].
    Param(usize),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamLocation {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a request header.
    Header,
    /// In the `Cookie` header.
    Cookie,
}

/// How a query parameter's value is serialised (OpenAPI `style` + `explode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum QueryStyle {
    /// `form` (the default); `explode` repeats the key for each array item.
    Form {
        /// Repeat the key per item (`a=1&a=2`) rather than joining (`a=1,2`).
        explode: bool,
    },
    /// Items joined by spaces.
    SpaceDelimited,
    /// Items joined by `|`.
    PipeDelimited,
    /// Objects as `name[key]=value`.
    DeepObject,
}

/// One parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust field or argument name.
    pub name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Required by the spec (path parameters always are).
    pub required: bool,
    /// Its type.
    pub ty: TypeRef,
    /// Serialisation: the style of query parameters; `explode` of cookie and header
    /// parameters (`form` and `simple` style).
    pub style: QueryStyle,
    /// Description.
    pub doc: Option<String>,
    /// An example value from the spec.
    pub example: Option<Value>,
    /// Validation keywords of its schema that the type does not carry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Box<Constraints>>,
}

/// The query/header/cookie parameters of an operation, passed as one struct.
#[derive(Debug, Clone, Serialize)]
pub struct ParamsStruct {
    /// The struct's type (a [`TypeKind::Params`]).
    pub ty: TypeId,
    /// True when no member is required, so callers can pass `&Default::default()`.
    pub all_optional: bool,
}

/// How a request body is encoded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BodyEncoding {
    /// `application/json` (or `+json`).
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data`: parts built by the caller.
    Multipart,
    /// Raw bytes with this content type.
    Binary(String),
    /// Text with this content type.
    Text(String),
}

/// A request body.
#[derive(Debug, Clone, Serialize)]
pub struct RequestBody {
    /// Encoding chosen among the offered content types (JSON preferred).
    pub encoding: BodyEncoding,
    /// Content type sent.
    pub content_type: String,
    /// Its type (JSON and form encodings only; bytes/text/multipart carry their own).
    pub ty: TypeRef,
    /// Required by the spec.
    pub required: bool,
    /// Description.
    pub doc: Option<String>,
    /// The spec's example, if any.
    pub example: Option<Value>,
    /// Form bodies: properties whose `encoding` is not the default (`style: form`,
    /// exploded), by wire name, with the style they are written in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_styles: Vec<(String, QueryStyle)>,
    /// Multipart bodies: the `encoding` content type of properties that give one, by
    /// wire name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub part_types: Vec<(String, String)>,
    /// Query and header parameters that are members of the body's type (the operation's
    /// one params struct): sent where they belong and left out of the body.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub elsewhere: Vec<Param>,
}

/// What a successful response carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ResponseBody {
    /// No body (204, or nothing documented).
    Empty,
    /// A JSON body of this type.
    Json(TypeRef),
    /// Raw bytes.
    Binary,
    /// Text.
    Text,
}

/// The success response of an operation.
#[derive(Debug, Clone, Serialize)]
pub struct SuccessResponse {
    /// First documented 2xx status (or 200 when only `default` is given).
    pub status: u16,
    /// Body.
    pub body: ResponseBody,
    /// `Accept` header to send.
    pub accept: String,
    /// Description.
    pub doc: Option<String>,
    /// The spec's example, if any.
    pub example: Option<Value>,
}

/// The status a documented response is for: one code, a range, or the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// `404`.
    Code(u16),
    /// `4XX`: the statuses of one hundred, by its first digit (`4`).
    Range(u16),
    /// `default`: every status not documented otherwise.
    Default,
}

impl Status {
    /// The one status this is for (`404`), if it is a single code.
    pub fn code(self) -> Option<u16> {
        match self {
            Status::Code(c) => Some(c),
            Status::Range(_) | Status::Default => None,
        }
    }

    /// The lowest status this covers (`400` for `4XX`); none for `default`.
    pub fn lowest(self) -> Option<u16> {
        match self {
            Status::Code(c) => Some(c),
            Status::Range(r) => Some(r * 100),
            Status::Default => None,
        }
    }
}

impl std::fmt::Display for Status {
    /// As the spec writes it: `404`, `4XX`, `default`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Status::Code(c) => write!(f, "{c}"),
            Status::Range(r) => write!(f, "{r}XX"),
            Status::Default => f.write_str("default"),
        }
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A documented error response.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorResponse {
    /// `404`, `4XX` or `default`.
    pub status: Status,
    /// JSON body type, if documented.
    pub ty: Option<TypeRef>,
    /// Description.
    pub doc: Option<String>,
    /// The spec's example, if any.
    pub example: Option<Value>,
}

/// Summary and description of an item.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Doc {
    /// One line.
    pub summary: Option<String>,
    /// Longer text (Markdown).
    pub description: Option<String>,
}

/// A reference to a type, as used by fields, parameters and bodies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub enum TypeRef {
    /// A named type.
    Named(TypeId),
    /// A scalar.
    Primitive(Primitive),
    /// `Vec<T>`.
    List(Box<TypeRef>),
    /// A map from string keys to `T`.
    Map(Box<TypeRef>),
    /// A value that may be `null` in a nested position (list item, map value).
    Option(Box<TypeRef>),
    /// Any JSON value.
    Any,
    /// A JSON object with arbitrary members.
    Object,
}

/// Scalar types, with the formats that change their Rust type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Primitive {
    /// A string (including formats kept as strings: uri, uuid, email, byte).
    String,
    /// `date-time`: a UTC timestamp.
    DateTime,
    /// `date`: a calendar date.
    Date,
    /// boolean.
    Bool,
    /// `int32`.
    I32,
    /// `int64` or an integer without format.
    I64,
    /// Unsigned 32-bit (`uint32`, or int32 with `minimum: 0`-style formats).
    U32,
    /// Unsigned 64-bit (`uint64`).
    U64,
    /// `float`.
    F32,
    /// `double` or a number without format.
    F64,
}

/// A named type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    /// Rust type name, unique in the crate.
    pub name: String,
    /// Where it was defined (JSON pointer).
    pub pointer: String,
    /// Description.
    pub doc: Option<String>,
    /// What it is.
    pub kind: TypeKind,
    /// An example value from the spec.
    pub example: Option<Value>,
}

/// The shapes a named type can take.
#[derive(Debug, Clone, Serialize)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// The query/header/cookie parameters of one operation (not serialised as JSON).
    Params(Vec<Param>),
    /// A string enum; unknown values are kept, not rejected.
    Enum(EnumDef),
    /// One of several types.
    Union(Union),
    /// Another name for a type (`pub type A = Vec<B>;`).
    Alias(TypeRef),
    /// Webhook payloads selected by envelope members (see [`WebhookEvents`]).
    Event(EventUnion),
    /// A wrapper struct around a type; used instead of an alias where the type refers
    /// back to itself (aliases cannot be recursive).
    Newtype(TypeRef),
}

/// An object type.
#[derive(Debug, Clone, Serialize)]
pub struct Struct {
    /// Known properties, in spec order.
    pub fields: Vec<Field>,
    /// Type of extra members when the schema allows them next to known properties.
    pub additional: Option<TypeRef>,
}

/// Whether a field must be present and whether it may be null: four distinct wire shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Presence {
    /// Always present, never null: `T`.
    Required,
    /// Always present, may be null: `Option<T>`, serialised as `null`.
    RequiredNullable,
    /// May be absent, never null: `Option<T>`, omitted when `None`.
    Optional,
    /// May be absent or null: three states, `Nullable<T>`.
    OptionalNullable,
}

/// One property of a struct.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust field name (already escaped).
    pub name: String,
    /// Its type.
    pub ty: TypeRef,
    /// Required/nullable shape.
    pub presence: Presence,
    /// Box the value: it closes a cycle of directly contained types.
    pub boxed: bool,
    /// Description.
    pub doc: Option<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Validation keywords of its schema that the type does not carry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraints: Option<Box<Constraints>>,
}

/// Validation keywords of a field's or parameter's schema that its Rust type does not
/// express (a `String` knows nothing of its `pattern`). Emission uses them to build
/// sample values that the server accepts; they are never enforced by the client.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Constraints {
    /// `format` (`uuid`, `email`, `uri`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `pattern`, an ECMA-262 regular expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `minLength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// `maxLength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// `minimum` (or `exclusiveMinimum`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Bound>,
    /// `maximum` (or `exclusiveMaximum`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Bound>,
    /// `multipleOf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple_of: Option<f64>,
    /// `minItems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// `maxItems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unique_items: bool,
    /// The only values allowed (`enum`/`const` of a non-string schema).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Value>,
    /// The constraints of an array's items (or of a map's values).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Constraints>>,
    /// `readOnly`: the server sends it and rejects it in a request (sample requests
    /// leave such an optional member out).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// A numeric bound.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bound {
    /// The limit.
    pub value: f64,
    /// The limit itself is excluded.
    pub exclusive: bool,
}

/// An enum: string values, or integer values ([`EnumDef::integer`]).
#[derive(Debug, Clone, Serialize)]
pub struct EnumDef {
    /// Known values in spec order.
    pub variants: Vec<EnumVariant>,
    /// Name of the catch-all variant holding unknown values.
    pub unknown_variant: String,
    /// The values are integers (every [`EnumVariant::value`] is [`EnumValue::Int`]):
    /// serialised as JSON numbers, unknown values kept as `i64`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
}

/// The wire value of an enum variant: a string, or for integer enums an integer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum EnumValue {
    Int(i64),
    Str(String),
}

impl EnumValue {
    /// The value as its text (an integer in decimal).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            EnumValue::Int(n) => n.to_string().into(),
            EnumValue::Str(s) => s.as_str().into(),
        }
    }

    /// The integer, for integer enums.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            EnumValue::Int(n) => Some(*n),
            EnumValue::Str(_) => None,
        }
    }
}

/// One known enum value.
#[derive(Debug, Clone, Serialize)]
pub struct EnumVariant {
    /// Rust variant name.
    pub name: String,
    /// The value on the wire.
    pub value: EnumValue,
    /// What the value means (from a `oneOf` branch's title/description).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
}

/// A `oneOf`/`anyOf`.
#[derive(Debug, Clone, Serialize)]
pub struct Union {
    /// The alternatives, in the order serde should try them.
    pub variants: Vec<UnionVariant>,
    /// How the alternative is recognised.
    pub tagging: Tagging,
}

/// One alternative of a union.
#[derive(Debug, Clone, Serialize)]
pub struct UnionVariant {
    /// Rust variant name.
    pub name: String,
    /// Its payload.
    pub ty: TypeRef,
    /// Discriminator values selecting it (tagged unions only).
    pub tags: Vec<String>,
    /// Box the payload: it closes a cycle.
    pub boxed: bool,
}

/// How a union's alternative is chosen when decoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Tagging {
    /// By a property's value (OpenAPI `discriminator`); unknown tags are kept as JSON.
    Discriminator {
        /// The property holding the tag.
        property: String,
        /// Name of the variant that keeps payloads with an unknown tag.
        unknown_variant: String,
    },
    /// By trying each alternative in order.
    Untagged,
}

/// The webhook envelope with a typed payload member: the envelope struct's `data` field
/// holds the [`TypeKind::Event`] type `data_type`, decoded by the values of the
/// envelope's `discriminators` members.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookEvents {
    /// The envelope struct.
    pub envelope: TypeId,
    /// Wire name of the envelope's payload member.
    pub data: String,
    /// Wire names of the envelope members selecting the payload type, in order.
    pub discriminators: Vec<String>,
    /// The top [`TypeKind::Event`] type (selected by the first discriminator).
    pub data_type: TypeId,
}

/// Payload types selected by the value of one envelope member (a webhook event type,
/// then, nested, a payload version).
#[derive(Debug, Clone, Serialize)]
pub struct EventUnion {
    /// Wire name of the envelope member whose value selects the variant.
    pub discriminator: String,
    /// Position of that member among the envelope's discriminators.
    pub level: usize,
    /// One variant per known value, in spec order.
    pub variants: Vec<EventVariant>,
    /// The variant keeping payloads of values the spec does not know (`Unknown`),
    /// holding the raw JSON; only the outermost union has one.
    pub unknown: Option<String>,
}

/// One known discriminator value and what its payload decodes into.
#[derive(Debug, Clone, Serialize)]
pub struct EventVariant {
    /// Rust variant name (`MessageReceived`, `V2026_02_03`).
    pub name: String,
    /// The discriminator's value on the wire (`message.received`).
    pub value: String,
    /// The payload type, or a nested [`TypeKind::Event`] type for the next discriminator.
    pub ty: TypeRef,
    /// The webhook (key in `webhooks`) whose payload this is, for a payload type.
    pub webhook: Option<String>,
    /// Description.
    pub doc: Option<String>,
}

/// A webhook the API sends (3.1 `webhooks`).
#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    /// The key in `webhooks`.
    pub name: String,
    /// The payload type, if documented as JSON.
    pub payload: Option<TypeRef>,
    /// The spec's example payload, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// Summary and description.
    pub doc: Doc,
}
