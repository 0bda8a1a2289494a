//! The fixed-shape items of `types.rs`, written as text ([`super::code`]): a struct's
//! definition, `new`, `Serialize`, `FromObject` and `Deserialize`; a string enum's
//! `KNOWN`, `as_str`, `From<&str>`, `Display`, `FromStr` and serde impls; a union's
//! serde impls.

use super::code::{Field, Writer, string, type_text};
use super::docs::Docs;
use super::rust_type::{Scope, field_type, ident};
use crate::ir::{Api, EnumDef, Presence, Struct, WebhookEvents};

/// The `fn` lines of the serde impls (each fits in [`super::code::MAX_WIDTH`] at one
/// level of indentation).
const SERIALIZE_FN: &str =
    "fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {";
const DESERIALIZE_FN: &str =
    "fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {";

/// A struct's items, in order: its definition, `new` (for a `#[non_exhaustive]`
/// struct), then the encoding and the decoding the plan asks for.
pub struct StructItems<'a> {
    pub api: &'a Api,
    pub name: &'a str,
    pub s: &'a Struct,
    /// The definition's attributes, each a line: its doc placeholder (see
    /// [`Docs::line`]), its `cfg`s, lint allowances, derives.
    pub head: Vec<String>,
    /// The lines every impl carries (the type's `cfg`, `allow(deprecated)`).
    pub attrs: &'a [String],
    pub docs: &'a Docs,
    pub constructor: bool,
    pub ser: bool,
    pub de: bool,
    /// The webhook envelope's events, if this struct is the envelope.
    pub events: Option<&'a WebhookEvents>,
    /// The decoder's local variable per field (see [`crate::plan::names`]).
    pub locals: &'a [String],
}

impl StructItems<'_> {
    pub fn write(&self, w: &mut Writer) {
        self.definition(w);
        if self.constructor {
            self.constructor(w);
        }
        if self.ser {
            self.encoder(w);
        }
        if self.de {
            self.decoder(w);
            let body = "de::deserialize_object(deserializer)";
            serde_impls(w, self.attrs, self.name, None, Some(body));
        }
    }

    fn definition(&self, w: &mut Writer) {
        let mut fields: Vec<StructField> = self
            .s
            .fields
            .iter()
            .map(|f| StructField {
                doc: f.doc.as_deref().and_then(|d| self.docs.line(d)),
                deprecated: f.deprecated,
                name: ident(&f.name).to_string(),
                ty: type_text(&field_type(self.api, f, Scope::Types)),
            })
            .collect();
        if let Some(t) = &self.s.additional {
            let ty = type_text(&super::rust_type::rust_type(self.api, t, Scope::Types));
            fields.push(StructField {
                doc: Some("/// Properties beyond the documented ones.".to_string()),
                deprecated: false,
                name: "additional_properties".to_string(),
                ty: format!("std::collections::BTreeMap<String, {ty}>"),
            });
        }
        struct_definition(w, &self.head, self.name, &fields);
    }

    /// `new` of a `#[non_exhaustive]` struct (which has no literals outside the crate):
    /// the required fields as arguments, in order; the others absent, to be assigned
    /// after.
    fn constructor(&self, w: &mut Writer) {
        let required = self
            .s
            .fields
            .iter()
            .filter(|f| f.presence == Presence::Required);
        let args: Vec<String> = required
            .clone()
            .map(|f| {
                let ty = type_text(&field_type(self.api, f, Scope::Types));
                format!("{}: {ty}", ident(&f.name))
            })
            .collect();
        let mut inits: Vec<Field> = self
            .s
            .fields
            .iter()
            .map(|f| {
                let fname = ident(&f.name);
                Field::Text(match f.presence {
                    Presence::Required => fname.to_string(),
                    Presence::OptionalNullable => format!("{fname}: crate::Nullable::Absent"),
                    Presence::Optional | Presence::RequiredNullable => format!("{fname}: None"),
                })
            })
            .collect();
        if self.s.additional.is_some() {
            inits.push(Field::Text(
                "additional_properties: std::collections::BTreeMap::new()".to_string(),
            ));
        }
        w.attrs(0, self.attrs);
        w.impl_open(0, "impl", self.name);
        w.line(
            4,
            "/// A value with the required fields set and the others absent (assign them",
        );
        w.line(
            4,
            "/// afterwards): the type is `#[non_exhaustive]`, so that a field the API adds",
        );
        w.line(4, "/// is not a breaking change.");
        if args.len() > 7 {
            w.line(4, "#[allow(clippy::too_many_arguments)]");
        }
        w.signature(4, "pub fn new", &args, " -> Self {");
        w.struct_lit(8, "Self", &inits, "");
        w.close(&[4, 0]);
    }

    /// A struct's encoding: one call per field on the runtime's `ser::Object` (members
    /// that may be absent are left out when they are).
    fn encoder(&self, w: &mut Writer) {
        let s = self.s;
        w.attrs(0, self.attrs);
        w.impl_open(0, "impl Serialize", self.name);
        w.line(4, SERIALIZE_FN);
        let binding = if s.fields.is_empty() && s.additional.is_none() {
            "let object"
        } else {
            "let mut object"
        };
        if s.additional.is_some() {
            w.assign_call(8, binding, "ser::Object::open", &["serializer".into()]);
        } else {
            let args = [
                "serializer".to_string(),
                string(self.name),
                s.fields.len().to_string(),
            ];
            w.assign_call(8, binding, "ser::Object::new", &args);
        }
        for f in &s.fields {
            let method = match f.presence {
                Presence::Required | Presence::RequiredNullable => "object.field",
                Presence::Optional => "object.optional",
                Presence::OptionalNullable => "object.nullable",
            };
            let args = [string(&f.wire_name), format!("&self.{}", ident(&f.name))];
            w.call(8, method, &args, ";");
        }
        if s.additional.is_some() {
            w.line(8, "object.extra(&self.additional_properties);");
        }
        w.line(8, "object.end()");
        w.close(&[4, 0]);
    }

    /// A struct's decoding: one loop over the object's keys, through the runtime's
    /// `FromObject` (several times cheaper to compile than serde's derived visitor: one
    /// generic call per field).
    ///
    /// For the webhook envelope (`events`), the discriminator members' text is kept as
    /// they are read, the payload member is read as JSON, and the payload is decoded
    /// last, as the variant the discriminators select.
    fn decoder(&self, w: &mut Writer) {
        let (s, events, locals) = (self.s, self.events, self.locals);
        let keys: Vec<String> = events
            .map(|e| {
                (0..e.discriminators.len())
                    .map(|i| format!("key_{i}"))
                    .collect()
            })
            .unwrap_or_default();
        let key_of = |wire: &str| {
            let e = events?;
            let i = e.discriminators.iter().position(|d| d == wire)?;
            keys.get(i)
        };
        let is_data = |wire: &str| events.is_some_and(|e| e.data == wire);

        w.attrs(0, self.attrs);
        w.impl_open(0, "impl de::FromObject", self.name);
        w.assign(4, "const NAME: &'static str", &string(self.name));
        w.line(
            4,
            "fn from_object<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {",
        );
        for (f, l) in s.fields.iter().zip(locals) {
            let init = match f.presence {
                Presence::OptionalNullable => "crate::Nullable::Absent",
                _ if is_data(&f.wire_name) => "None::<serde_json::Value>",
                _ => "None",
            };
            w.assign(8, &format!("let mut {l}"), init);
        }
        for k in &keys {
            w.line_args(8, format_args!("let mut {k}: Option<String> = None;"));
        }
        if s.additional.is_some() {
            w.line(
                8,
                "let mut additional_properties = std::collections::BTreeMap::new();",
            );
        }
        w.line(8, "while let Some(key) = map.next_key::<de::Key<'de>>()? {");
        w.line(12, "match key.as_str() {");
        for (f, l) in s.fields.iter().zip(locals) {
            let wire = string(&f.wire_name);
            let (callee, mut args) = match (f.presence, key_of(&f.wire_name)) {
                (Presence::Required, Some(k)) => ("de::read_some_key", vec![format!("&mut {k}")]),
                (_, Some(k)) => ("de::read_key", vec![format!("&mut {k}")]),
                (Presence::Required, None) => ("de::read_some", Vec::new()),
                _ => ("de::read", Vec::new()),
            };
            args.insert(0, format!("&mut {l}"));
            args.insert(0, "&mut map".to_string());
            w.arm_call(16, &wire, callee, &args);
        }
        // Discriminators that are not fields of the envelope: only their text is kept.
        if let Some(e) = events {
            for (d, k) in e.discriminators.iter().zip(&keys) {
                if !s.fields.iter().any(|f| &f.wire_name == d) {
                    let args = ["&mut map".to_string(), format!("&mut {k}")];
                    w.arm_call(16, &string(d), "de::read_only_key", &args);
                }
            }
        }
        if s.additional.is_some() {
            w.line(
                16,
                "_ => de::read_extra(&mut map, &mut additional_properties, key),",
            );
        } else {
            w.line(16, "_ => de::skip(&mut map),");
        }
        w.line(12, "}?;");
        w.line(8, "}");

        let data_type = events.map(|e| ident(&self.api.type_def(e.data_type).name));
        let mut inits: Vec<Field> = Vec::with_capacity(s.fields.len() + 1);
        for (f, l) in s.fields.iter().zip(locals) {
            let fname = ident(&f.name).to_string();
            let wire = string(&f.wire_name);
            match (f.presence, &data_type) {
                (Presence::Required, Some(data)) if is_data(&f.wire_name) => {
                    // `data: Data::from_envelope(&[..], de::required(..)?)
                    //     .map_err(..)?,`, always broken.
                    let mut b = Writer::default();
                    b.line_args(12, format_args!("{fname}: {data}::from_envelope("));
                    let keys: Vec<String> =
                        keys.iter().map(|k| format!("{k}.as_deref()")).collect();
                    b.list(16, "&", &keys, ",");
                    b.call(16, "de::required", &[l.clone(), wire], "?,");
                    b.line(12, ")");
                    b.line(12, ".map_err(<A::Error as serde::de::Error>::custom)?,");
                    inits.push(Field::Written(b.into_text()));
                }
                (Presence::Required, _) => inits.push(Field::Call {
                    name: fname,
                    callee: "de::required".into(),
                    args: vec![l.clone(), wire],
                    tail: "?".into(),
                }),
                _ => inits.push(Field::Text(format!("{fname}: {l}"))),
            }
        }
        if s.additional.is_some() {
            inits.push(Field::Text("additional_properties".into()));
        }
        w.struct_lit(8, "Ok(Self", &inits, ")");
        w.close(&[4, 0]);
    }
}

/// How a forward-compatible enum's impls differ between text and integer values.
struct EnumSpelling {
    /// The wire value's accessor.
    value_fn: &'static str,
    /// The type `From` converts from.
    from: &'static str,
    /// The catch-all's arm in `from` (`{unknown}` stands for its name).
    other_arm: &'static str,
    display: &'static str,
    from_str_doc: [&'static str; 2],
    from_str_err: &'static str,
    from_str: &'static str,
    serialize: &'static str,
    deserialize: &'static str,
}

const STRING_ENUM: EnumSpelling = EnumSpelling {
    value_fn: "pub fn as_str(&self) -> &str {",
    from: "&str",
    other_arm: "other => Self::{unknown}(other.to_owned()),",
    display: "f.write_str(self.as_str())",
    from_str_doc: [
        "/// The inverse of `Display`: a value this version of the client does not know",
        "/// becomes the catch-all variant, so parsing never fails.",
    ],
    from_str_err: "type Err = std::convert::Infallible;",
    from_str: "Ok(Self::from(s))",
    serialize: "serializer.serialize_str(self.as_str())",
    deserialize: "crate::runtime::deserialize_string_enum(deserializer)",
};

const INT_ENUM: EnumSpelling = EnumSpelling {
    value_fn: "pub fn value(self) -> i64 {",
    from: "i64",
    other_arm: "other => Self::{unknown}(other),",
    display: "write!(f, \"{}\", self.value())",
    from_str_doc: [
        "/// The inverse of `Display`: a number this version of the client does not",
        "/// know becomes the catch-all variant; text that is not a number is an error.",
    ],
    from_str_err: "type Err = std::num::ParseIntError;",
    from_str: "s.parse::<i64>().map(Self::from)",
    serialize: "serializer.serialize_i64(self.value())",
    deserialize: "i64::deserialize(deserializer).map(Self::from)",
};

/// A forward-compatible string enum's impls: `KNOWN` and `as_str`, `From<&str>`,
/// `Display`, `FromStr`, and the serde impls the plan asks for.
pub fn string_enum(w: &mut Writer, name: &str, e: &EnumDef, cfg: &[String], ser: bool, de: bool) {
    let variants: Vec<(String, String)> = e
        .variants
        .iter()
        .map(|v| (format!("Self::{}", ident(&v.name)), string(&v.value.text())))
        .collect();
    enum_impls(w, name, e, &variants, cfg, (ser, de), &STRING_ENUM);
}

/// An integer enum's impls: `KNOWN` and `value`, `From<i64>`, `Display`, `FromStr`
/// (text that is not a number is an error), and the serde impls the plan asks for.
pub fn int_enum(w: &mut Writer, name: &str, e: &EnumDef, cfg: &[String], ser: bool, de: bool) {
    // Lowering makes every value of an integer enum an integer.
    let variants: Vec<(String, String)> = e
        .variants
        .iter()
        .filter_map(|v| {
            let n = v.value.as_int()?;
            Some((format!("Self::{}", ident(&v.name)), n.to_string()))
        })
        .collect();
    enum_impls(w, name, e, &variants, cfg, (ser, de), &INT_ENUM);
}

/// The impls of [`string_enum`] and [`int_enum`]: `variants` are each known
/// variant's path and wire literal.
fn enum_impls(
    w: &mut Writer,
    name: &str,
    e: &EnumDef,
    variants: &[(String, String)],
    cfg: &[String],
    (ser, de): (bool, bool),
    spelling: &EnumSpelling,
) {
    let unknown = ident(&e.unknown_variant).to_string();
    let all: Vec<String> = variants.iter().map(|(v, _)| v.clone()).collect();

    w.attrs(0, cfg);
    w.impl_open(0, "impl", name);
    w.line(4, "/// Every value known to this version of the client.");
    w.assign_list(4, "pub const KNOWN: &'static [Self]", &all);
    w.line(4, "/// The value as sent on the wire.");
    w.line(4, spelling.value_fn);
    w.line(8, "match self {");
    for (v, value) in variants {
        w.arm(12, v, value);
    }
    w.line_args(12, format_args!("Self::{unknown}(other) => other,"));
    w.close(&[8, 4, 0]);

    w.attrs(0, cfg);
    w.impl_open(0, &format!("impl From<{}>", spelling.from), name);
    w.line_args(
        4,
        format_args!("fn from(value: {}) -> Self {{", spelling.from),
    );
    w.line(8, "match value {");
    for (v, value) in variants {
        w.arm(12, value, v);
    }
    w.line(12, &spelling.other_arm.replace("{unknown}", &unknown));
    w.close(&[8, 4, 0]);

    let display = "fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {";
    one_fn_impl(
        w,
        cfg,
        "impl std::fmt::Display",
        name,
        &[],
        display,
        spelling.display,
    );
    w.attrs(0, &spelling.from_str_doc.map(str::to_string));
    let from_str = "fn from_str(s: &str) -> Result<Self, Self::Err> {";
    let err = [spelling.from_str_err];
    one_fn_impl(
        w,
        cfg,
        "impl std::str::FromStr",
        name,
        &err,
        from_str,
        spelling.from_str,
    );
    serde_impls(
        w,
        cfg,
        name,
        ser.then_some(spelling.serialize),
        de.then_some(spelling.deserialize),
    );
}

/// An `impl` with one function (after the lines `before`, such as an associated
/// type) whose body is one line.
fn one_fn_impl(
    w: &mut Writer,
    cfg: &[String],
    head: &str,
    name: &str,
    before: &[&str],
    fn_line: &str,
    body: &str,
) {
    w.attrs(0, cfg);
    w.impl_open(0, head, name);
    for line in before {
        w.line(4, line);
    }
    w.line(4, fn_line);
    w.line(8, body);
    w.close(&[4, 0]);
}

/// `Serialize` and `Deserialize` impls whose bodies are one line each, for those given.
fn serde_impls(
    w: &mut Writer,
    cfg: &[String],
    name: &str,
    serialize: Option<&str>,
    deserialize: Option<&str>,
) {
    if let Some(body) = serialize {
        one_fn_impl(w, cfg, "impl Serialize", name, &[], SERIALIZE_FN, body);
    }
    if let Some(body) = deserialize {
        one_fn_impl(
            w,
            cfg,
            "impl<'de> Deserialize<'de>",
            name,
            &[],
            DESERIALIZE_FN,
            body,
        );
    }
}

/// A union's encoding: each alternative is written as itself (what
/// `#[serde(untagged)]` derives). `variants` are the variants' names, the catch-all's
/// last if there is one.
pub fn union_serialize(w: &mut Writer, name: &str, variants: &[String], cfg: &[String]) {
    w.attrs(0, cfg);
    w.impl_open(0, "impl Serialize", name);
    w.line(4, SERIALIZE_FN);
    w.line(8, "match self {");
    let args = ["v".to_string(), "serializer".to_string()];
    for v in variants {
        w.arm_call(12, &format!("Self::{v}(v)"), "Serialize::serialize", &args);
    }
    w.close(&[8, 4, 0]);
}

/// An untagged union's decoding: the variants tried in order, like
/// `#[serde(untagged)]`, from one buffered JSON value.
pub fn untagged_deserialize(w: &mut Writer, name: &str, variants: &[String], cfg: &[String]) {
    w.attrs(0, cfg);
    w.impl_open(0, "impl<'de> Deserialize<'de>", name);
    w.line(4, DESERIALIZE_FN);
    w.line(
        8,
        "let value = serde_json::Value::deserialize(deserializer)?;",
    );
    for v in variants {
        w.line(8, "if let Ok(v) = Deserialize::deserialize(&value) {");
        w.line_args(12, format_args!("return Ok(Self::{v}(v));"));
        w.line(8, "}");
    }
    let message = string(&format!(
        "data did not match any variant of untagged enum {name}"
    ));
    w.call(8, "Err(serde::de::Error::custom", &[message], ")");
    w.close(&[4, 0]);
}

/// A discriminated union's decoding: the variant its tag selects (`arms`: the tags'
/// literals and the variant), a value with another tag kept as JSON in `unknown`.
pub fn tagged_deserialize(
    w: &mut Writer,
    name: &str,
    property: &str,
    arms: &[(Vec<String>, String)],
    unknown: &str,
    cfg: &[String],
) {
    w.attrs(0, cfg);
    w.impl_open(0, "impl<'de> Deserialize<'de>", name);
    w.line(4, DESERIALIZE_FN);
    w.line(
        8,
        "let value = serde_json::Value::deserialize(deserializer)?;",
    );
    let get = format!(".get({})", string(property));
    let chain = format!("value{get}.and_then(serde_json::Value::as_str).unwrap_or_default()");
    w.chain(
        8,
        "let tag = value",
        &[
            &get,
            ".and_then(serde_json::Value::as_str)",
            ".unwrap_or_default()",
        ],
        &chain,
        ";",
    );
    w.line(8, "match tag {");
    for (tags, variant) in arms {
        let pat = tags.join(" | ");
        let map = format!(".map(Self::{variant})");
        let links = [map.as_str(), ".map_err(serde::de::Error::custom)"];
        w.arm_chain(12, &pat, "serde_json::from_value(value)", &links);
    }
    w.line_args(12, format_args!("_ => Ok(Self::{unknown}(value)),"));
    w.close(&[8, 4, 0]);
}

/// A variant of an enum written as text: its doc lines, its name and, for a tuple
/// variant, the type it holds.
pub struct Variant {
    pub doc: Vec<String>,
    pub name: String,
    pub ty: Option<String>,
}

/// An enum's definition: `head` (its attribute lines), the variants, then `last` (the
/// catch-all's lines, written as they are).
pub fn enum_definition(
    w: &mut Writer,
    head: &[String],
    name: &str,
    variants: &[Variant],
    last: &[String],
) {
    w.attrs(0, head);
    if variants.is_empty() && last.is_empty() {
        w.line_args(0, format_args!("pub enum {name} {{}}"));
        return;
    }
    w.open(0, &format!("pub enum {name}"));
    for v in variants {
        w.attrs(4, &v.doc);
        match &v.ty {
            None => w.line_args(4, format_args!("{},", v.name)),
            Some(ty) => w.signature(4, &v.name, std::slice::from_ref(ty), ","),
        }
    }
    w.attrs(4, last);
    w.line(0, "}");
}

/// A field of a struct definition written as text.
pub struct StructField {
    /// Its doc line (a placeholder, see [`Docs::line`]), if any.
    pub doc: Option<String>,
    pub deprecated: bool,
    pub name: String,
    pub ty: String,
}

/// A struct's definition: `head` (its attribute lines), then its fields.
pub fn struct_definition(w: &mut Writer, head: &[String], name: &str, fields: &[StructField]) {
    w.attrs(0, head);
    if fields.is_empty() {
        w.line_args(0, format_args!("pub struct {name} {{}}"));
        return;
    }
    w.open(0, &format!("pub struct {name}"));
    for f in fields {
        if let Some(doc) = &f.doc {
            w.line(4, doc);
        }
        if f.deprecated {
            w.line(4, "#[deprecated]");
        }
        // Not broken after the colon as rustfmt would: the blank lines `format` puts
        // around a field with a long doc look at the field's own indentation.
        w.typed_item(4, &format!("pub {}: {}", f.name, f.ty));
    }
    w.line(0, "}");
}

/// A newtype (`pub struct Name(pub T);`), (de)serialised as the value it wraps.
pub fn newtype(
    w: &mut Writer,
    head: &[String],
    name: &str,
    ty: &str,
    cfg: &[String],
    ser: bool,
    de: bool,
) {
    w.attrs(0, head);
    w.signature(
        0,
        &format!("pub struct {name}"),
        &[format!("pub {ty}")],
        ";",
    );
    serde_impls(
        w,
        cfg,
        name,
        ser.then_some("Serialize::serialize(&self.0, serializer)"),
        de.then_some("Deserialize::deserialize(deserializer).map(Self)"),
    );
}
