//! Schemas to named types and type references.

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};
use serde_json::Value;

use super::Lowerer;
use super::names::{self, NameSet};
use super::refs::{self, SchemaRef};
use crate::error::{Error, ErrorKind};
use crate::ir::{
    EnumDef, EnumValue, EnumVariant, Field, Presence, Primitive, Struct, Tagging, TypeDef, TypeId,
    TypeKind, TypeRef, Union, UnionVariant,
};
use crate::pointer::JsonPointer;

/// A lowered schema: the type, and whether `null` is also allowed.
#[derive(Debug, Clone)]
pub struct Lowered {
    pub ty: TypeRef,
    pub nullable: bool,
}

impl Lowered {
    fn of(ty: TypeRef) -> Self {
        Lowered {
            ty,
            nullable: false,
        }
    }
}

/// Object-like content gathered from a schema (or from every member of an `allOf`).
#[derive(Default)]
struct ObjectParts<'a> {
    properties: IndexMap<String, (SchemaRef<'a>, JsonPointer)>,
    required: Vec<String>,
    additional: Option<&'a AdditionalProperties>,
    /// Any member that is not object-like (so merging is approximate).
    foreign: Option<JsonPointer>,
}

impl<'a> Lowerer<'a> {
    /// Reserves a named type with a placeholder kind; filled in later.
    pub(super) fn declare(&mut self, wanted: &str, pointer: &JsonPointer) -> TypeId {
        let name = self.type_names.claim(&names::type_name(wanted));
        let id = TypeId(self.types.len());
        self.types.push(TypeDef {
            name,
            pointer: pointer.to_string(),
            doc: None,
            kind: TypeKind::Alias(TypeRef::Any),
            example: None,
        });
        id
    }

    /// Lowers every component schema, so references resolve to stable names first.
    ///
    /// They are read from the document one at a time (`parse` leaves them out of the
    /// typed model, having checked each), so only one is held twice at a time.
    pub(super) fn lower_components(&mut self) -> Result<(), Error> {
        let doc = self.doc;
        let Some(schemas) = doc
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(Value::as_object)
        else {
            return Ok(());
        };
        let mut pending = Vec::new();
        for (name, node) in schemas {
            let pointer = JsonPointer::at(&["components", "schemas", name]);
            let id = self.declare(name, &pointer);
            self.by_ref.insert(pointer.clone(), id);
            pending.push((node, pointer, id));
        }
        // Each schema is parsed, then lowered, in document order; parsing needs nothing
        // lowering makes, so a thread parses them a few ahead (as the path items,
        // `lower_operations`).
        crate::par::ahead(
            &pending,
            super::operations::PARSED_AHEAD,
            |(node, ..)| <openapiv3::ReferenceOr<Schema> as serde::Deserialize>::deserialize(*node),
            |(_, pointer, id), schema| {
                let schema = schema.map_err(|e| {
                    Error::new(ErrorKind::Invalid, self.file, format!("not a schema: {e}"))
                        .at(pointer.clone())
                })?;
                self.fill_named(*id, SchemaRef::from(&schema), pointer)
            },
        )
    }

    /// The type a reference points at, lowering it on first use.
    pub(super) fn reference(
        &mut self,
        reference: &str,
        pointer: &JsonPointer,
    ) -> Result<Lowered, Error> {
        let Some(canonical) = JsonPointer::parse(reference) else {
            self.note(
                pointer,
                format!("external reference `{reference}` is not followed; typed as a JSON value"),
            );
            return Ok(Lowered::of(TypeRef::Any));
        };
        if let Some(&id) = self.by_ref.get(&canonical) {
            return Ok(Lowered {
                ty: TypeRef::Named(id),
                nullable: self.nullable_types.contains(&id),
            });
        }
        let Some(node) = canonical.resolve(self.doc) else {
            return Err(Error::new(
                ErrorKind::DanglingRef,
                self.file,
                format!("`{reference}` does not point at anything in this document"),
            )
            .at(pointer));
        };
        let schema: openapiv3::ReferenceOr<Schema> =
            serde_json::from_value(node.clone()).map_err(|e| {
                Error::new(ErrorKind::Invalid, self.file, format!("not a schema: {e}"))
                    .at(&canonical)
            })?;
        if self.nesting >= super::MAX_NESTING {
            return Err(Error::new(
                ErrorKind::Unsupported,
                self.file,
                format!(
                    "references nest more than {} levels deep (each schema refers into the next)",
                    super::MAX_NESTING
                ),
            )
            .at(pointer));
        }
        let id = self.declare(&canonical.last_segment(), &canonical);
        self.by_ref.insert(canonical.clone(), id);
        self.nesting += 1;
        let filled = self.fill_named(id, SchemaRef::from(&schema), &canonical);
        self.nesting -= 1;
        filled?;
        Ok(Lowered {
            ty: TypeRef::Named(id),
            nullable: self.nullable_types.contains(&id),
        })
    }

    /// Lowers `schema` into the named type `id` (a component or a ref target).
    fn fill_named(
        &mut self,
        id: TypeId,
        schema: SchemaRef<'_>,
        pointer: &JsonPointer,
    ) -> Result<(), Error> {
        let name = self.types[id.0].name.clone();
        match schema {
            SchemaRef::Ref(r) => {
                let target = self.reference(r, pointer)?;
                self.types[id.0].kind = TypeKind::Alias(target.ty);
                if target.nullable {
                    self.nullable_types.insert(id);
                }
            }
            SchemaRef::Inline(s) => {
                if s.schema_data.nullable {
                    self.nullable_types.insert(id);
                }
                self.types[id.0].doc = doc_of(s);
                self.types[id.0].example = s.schema_data.example.clone();
                let kind = self.kind_of(s, &name, pointer, Some(id))?;
                match kind {
                    Shape::Named(kind) => self.types[id.0].kind = kind,
                    Shape::Ref(lowered) => {
                        if lowered.nullable {
                            self.nullable_types.insert(id);
                        }
                        self.types[id.0].kind = TypeKind::Alias(lowered.ty);
                    }
                }
            }
        }
        Ok(())
    }

    /// Lowers a schema slot used inline (a property, an item, a body). Shapes that need
    /// a name get one from `hint`.
    pub(super) fn schema(
        &mut self,
        schema: SchemaRef<'_>,
        hint: &str,
        pointer: &JsonPointer,
    ) -> Result<Lowered, Error> {
        match schema {
            SchemaRef::Ref(r) => self.reference(r, pointer),
            SchemaRef::Inline(s) => {
                let nullable = s.schema_data.nullable;
                match self.kind_of(s, hint, pointer, None)? {
                    Shape::Ref(mut lowered) => {
                        lowered.nullable |= nullable;
                        Ok(lowered)
                    }
                    Shape::Named(kind) => {
                        let id = self.declare(hint, pointer);
                        // A later `$ref` to this very node (refs into `paths` or into
                        // another schema's properties) reuses the type.
                        self.by_ref.entry(pointer.clone()).or_insert(id);
                        let def = &mut self.types[id.0];
                        def.kind = kind;
                        def.doc = doc_of(s);
                        def.example = s.schema_data.example.clone();
                        Ok(Lowered {
                            ty: TypeRef::Named(id),
                            nullable,
                        })
                    }
                }
            }
        }
    }

    /// What a schema is: an anonymous type reference, or a shape needing a name.
    fn kind_of(
        &mut self,
        s: &Schema,
        hint: &str,
        pointer: &JsonPointer,
        named: Option<TypeId>,
    ) -> Result<Shape, Error> {
        let shape = match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<&str> = st
                    .enumeration
                    .iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                if !values.is_empty() {
                    Shape::Named(TypeKind::Enum(string_enum(&values)))
                } else {
                    Shape::Ref(Lowered::of(TypeRef::Primitive(string_format(&st.format))))
                }
            }
            SchemaKind::Type(Type::Number(n)) => {
                Shape::Ref(Lowered::of(TypeRef::Primitive(match &n.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => Primitive::F32,
                    _ => Primitive::F64,
                })))
            }
            SchemaKind::Type(Type::Integer(i)) => {
                let format = match &i.format {
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => "int32",
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int64) => "int64",
                    VariantOrUnknownOrEmpty::Unknown(f) => f.as_str(),
                    VariantOrUnknownOrEmpty::Empty => "",
                };
                let values: Vec<Value> = i
                    .enumeration
                    .iter()
                    .flatten()
                    .map(|v| Value::Number((*v).into()))
                    .collect();
                match integer_enum(&values, s) {
                    Some(e) => Shape::Named(TypeKind::Enum(e)),
                    None => Shape::Ref(Lowered::of(TypeRef::Primitive(integer_format(format)))),
                }
            }
            SchemaKind::Type(Type::Boolean(_)) => {
                Shape::Ref(Lowered::of(TypeRef::Primitive(Primitive::Bool)))
            }
            SchemaKind::Type(Type::Array(a)) => {
                let items = match &a.items {
                    Some(items) => {
                        let item = self.schema(
                            SchemaRef::from(items),
                            &format!("{hint}Item"),
                            &pointer.join("items"),
                        )?;
                        nest(item)
                    }
                    None => TypeRef::Any,
                };
                Shape::Ref(Lowered::of(TypeRef::List(Box::new(items))))
            }
            SchemaKind::Type(Type::Object(o)) => {
                let mut parts = ObjectParts::default();
                for (k, v) in &o.properties {
                    parts.properties.insert(
                        k.clone(),
                        (SchemaRef::from(v), pointer.join("properties").with(k)),
                    );
                }
                parts.required = o.required.clone();
                parts.additional = o.additional_properties.as_ref();
                self.object(parts, hint, pointer)?
            }
            SchemaKind::OneOf { one_of } => self.union(one_of, s, hint, pointer, "oneOf")?,
            SchemaKind::AnyOf { any_of } => self.union(any_of, s, hint, pointer, "anyOf")?,
            SchemaKind::AllOf { all_of } => self.all_of(all_of, s, hint, pointer, named)?,
            SchemaKind::Not { .. } => {
                self.note(pointer, "`not` is not modelled; typed as a JSON value");
                Shape::Ref(Lowered::of(TypeRef::Any))
            }
            SchemaKind::Any(a) => self.any_schema(a, s, hint, pointer, named)?,
        };
        Ok(shape)
    }

    /// openapiv3's catch-all: no `type`, or keywords of several kinds mixed.
    fn any_schema(
        &mut self,
        a: &openapiv3::AnySchema,
        s: &Schema,
        hint: &str,
        pointer: &JsonPointer,
        named: Option<TypeId>,
    ) -> Result<Shape, Error> {
        if !a.all_of.is_empty()
            && a.properties.is_empty()
            && a.one_of.is_empty()
            && a.any_of.is_empty()
        {
            return self.all_of(&a.all_of, s, hint, pointer, named);
        }
        if !a.one_of.is_empty() || !a.any_of.is_empty() {
            if !a.properties.is_empty() {
                self.note(
                    pointer,
                    "properties next to oneOf/anyOf are not merged into the alternatives",
                );
            }
            let (list, kw) = if a.one_of.is_empty() {
                (&a.any_of, "anyOf")
            } else {
                (&a.one_of, "oneOf")
            };
            return self.union(list, s, hint, pointer, kw);
        }
        if !a.properties.is_empty()
            || a.typ.as_deref() == Some("object")
            || a.additional_properties.is_some()
            || !a.all_of.is_empty()
        {
            let mut parts = ObjectParts::default();
            for (k, v) in &a.properties {
                parts.properties.insert(
                    k.clone(),
                    (SchemaRef::from(v), pointer.join("properties").with(k)),
                );
            }
            parts.required = a.required.clone();
            parts.additional = a.additional_properties.as_ref();
            let mut flat = Vec::new();
            let mut stack = named
                .map(|id| vec![self.types[id.0].pointer.clone()])
                .unwrap_or_default();
            for (i, member) in a.all_of.iter().enumerate() {
                self.flatten_members(
                    SchemaRef::from(member),
                    &pointer.join("allOf").with(i),
                    &mut flat,
                    &mut stack,
                )?;
            }
            self.merge_members(&flat, &mut parts);
            return self.object(parts, hint, pointer);
        }
        if let Some(items) = &a.items {
            let item = self.schema(
                SchemaRef::from(items),
                &format!("{hint}Item"),
                &pointer.join("items"),
            )?;
            return Ok(Shape::Ref(Lowered::of(TypeRef::List(Box::new(nest(item))))));
        }
        let strings: Vec<&str> = a.enumeration.iter().filter_map(Value::as_str).collect();
        if !strings.is_empty()
            && strings.len() == a.enumeration.iter().filter(|v| !v.is_null()).count()
        {
            return Ok(Shape::Named(TypeKind::Enum(string_enum(&strings))));
        }
        let prim = match a.typ.as_deref() {
            Some("string") => Some(TypeRef::Primitive(match a.format.as_deref() {
                Some("date-time") => Primitive::DateTime,
                Some("date") => Primitive::Date,
                _ => Primitive::String,
            })),
            Some("integer") => Some(TypeRef::Primitive(integer_format(
                a.format.as_deref().unwrap_or(""),
            ))),
            Some("number") => Some(TypeRef::Primitive(Primitive::F64)),
            Some("boolean") => Some(TypeRef::Primitive(Primitive::Bool)),
            Some("array") => Some(TypeRef::List(Box::new(TypeRef::Any))),
            _ => None,
        };
        if let Some(p) = prim {
            return Ok(Shape::Ref(Lowered::of(p)));
        }
        let values: Vec<Value> = a
            .enumeration
            .iter()
            .filter(|v| !v.is_null())
            .cloned()
            .collect();
        if let Some(e) = integer_enum(&values, s) {
            return Ok(Shape::Named(TypeKind::Enum(e)));
        }
        if !a.enumeration.is_empty() {
            self.note(
                pointer,
                "enum of non-string values typed by its values' JSON type",
            );
            let ty = match a.enumeration.iter().find(|v| !v.is_null()) {
                Some(Value::Bool(_)) => TypeRef::Primitive(Primitive::Bool),
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => {
                    TypeRef::Primitive(Primitive::I64)
                }
                Some(Value::Number(_)) => TypeRef::Primitive(Primitive::F64),
                _ => TypeRef::Any,
            };
            return Ok(Shape::Ref(Lowered::of(ty)));
        }
        Ok(Shape::Ref(Lowered::of(TypeRef::Any)))
    }

    /// An object schema: a struct, a map, or a free-form object.
    fn object(
        &mut self,
        parts: ObjectParts<'_>,
        hint: &str,
        pointer: &JsonPointer,
    ) -> Result<Shape, Error> {
        let additional = match parts.additional {
            None => None,
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::Any),
            Some(AdditionalProperties::Any(false)) => None,
            Some(AdditionalProperties::Schema(s)) => {
                let value = self.schema(
                    SchemaRef::from(&**s),
                    &format!("{hint}Value"),
                    &pointer.join("additionalProperties"),
                )?;
                Some(nest(value))
            }
        };
        if parts.properties.is_empty() {
            return Ok(Shape::Ref(Lowered::of(
                match (additional, parts.additional) {
                    (Some(TypeRef::Any), _) | (None, None) => TypeRef::Object,
                    (Some(t), _) => TypeRef::Map(Box::new(t)),
                    (None, Some(_)) => TypeRef::Object,
                },
            )));
        }
        let mut field_names = NameSet::snake();
        if additional.is_some() {
            field_names.reserve(["additional_properties"]);
        }
        // Properties already spelled as Rust field names keep them; the others take
        // what is left (`foo_bar` stays `foo_bar`, `foo-bar` becomes `foo_bar_2`).
        let exact: Vec<&str> = parts
            .properties
            .keys()
            .filter(|w| names::snake(w, "field") == **w)
            .map(String::as_str)
            .collect();
        field_names.reserve(exact.iter().copied());
        let mut fields = Vec::with_capacity(parts.properties.len());
        for (wire, (schema, prop_ptr)) in &parts.properties {
            let prop_hint = format!("{hint}{}", names::camel(wire, "Field", "V"));
            let lowered = self.schema(*schema, &prop_hint, prop_ptr)?;
            let required = parts.required.iter().any(|r| r == wire);
            let (doc, deprecated) = match schema {
                SchemaRef::Inline(s) => (doc_of(s), s.schema_data.deprecated),
                SchemaRef::Ref(_) => (None, false),
            };
            let presence = match (required, lowered.nullable) {
                (true, false) => Presence::Required,
                (true, true) => Presence::RequiredNullable,
                (false, false) => Presence::Optional,
                (false, true) => Presence::OptionalNullable,
            };
            let name = if exact.contains(&wire.as_str()) {
                wire.clone()
            } else {
                field_names.claim(&names::snake(wire, "field"))
            };
            fields.push(Field {
                name,
                wire_name: wire.clone(),
                ty: lowered.ty,
                presence,
                boxed: false,
                doc,
                deprecated,
                constraints: super::constraints::at(self.doc, prop_ptr),
            });
        }
        // A required member the schema does not describe still has to be sent: it
        // becomes a required field of the extra members' type (any JSON value without one).
        let mut undescribed: Vec<&String> = Vec::new();
        for wire in &parts.required {
            if !parts.properties.contains_key(wire) && !undescribed.contains(&wire) {
                undescribed.push(wire);
            }
        }
        for wire in undescribed {
            self.note(
                pointer,
                format!("required member `{wire}` has no schema in `properties`; typed as its extra members (a JSON value if none)"),
            );
            fields.push(Field {
                name: field_names.claim(&names::snake(wire, "field")),
                wire_name: wire.clone(),
                ty: additional.clone().unwrap_or(TypeRef::Any),
                presence: Presence::Required,
                boxed: false,
                doc: None,
                deprecated: false,
                constraints: None,
            });
        }
        if let Some(f) = parts.foreign {
            self.note(
                pointer,
                format!("allOf member {f} is not an object; its constraints are not merged"),
            );
        }
        Ok(Shape::Named(TypeKind::Struct(Struct {
            fields,
            additional,
        })))
    }

    /// `allOf`: one member (the 3.0 way to annotate a `$ref`) is that member; several
    /// are merged into one struct.
    fn all_of(
        &mut self,
        members: &[openapiv3::ReferenceOr<Schema>],
        s: &Schema,
        hint: &str,
        pointer: &JsonPointer,
        named: Option<TypeId>,
    ) -> Result<Shape, Error> {
        // Members that only annotate (`{description: ..}` beside a `$ref`) add nothing.
        let shaping: Vec<(usize, &openapiv3::ReferenceOr<Schema>)> = members
            .iter()
            .enumerate()
            .filter(|(_, m)| !is_annotation_only(m))
            .collect();
        if let [(i, only)] = shaping[..] {
            let lowered =
                self.schema(SchemaRef::from(only), hint, &pointer.join("allOf").with(i))?;
            return Ok(Shape::Ref(Lowered {
                nullable: lowered.nullable || s.schema_data.nullable,
                ty: lowered.ty,
            }));
        }
        let mut flat = Vec::new();
        let mut stack = named
            .map(|id| vec![self.types[id.0].pointer.clone()])
            .unwrap_or_default();
        for (i, member) in members.iter().enumerate() {
            self.flatten_members(
                SchemaRef::from(member),
                &pointer.join("allOf").with(i),
                &mut flat,
                &mut stack,
            )?;
        }
        let mut parts = ObjectParts::default();
        self.merge_members(&flat, &mut parts);
        // `required` beside the `allOf` applies to the merged members.
        if let SchemaKind::Any(a) = &s.schema_kind {
            parts.required.extend(a.required.iter().cloned());
        }
        self.object(parts, hint, pointer)
    }

    /// Resolves `allOf` members (following references and nested `allOf`) into a flat
    /// list of owned schemas with their pointers.
    fn flatten_members(
        &mut self,
        member: SchemaRef<'_>,
        pointer: &JsonPointer,
        out: &mut Vec<(Schema, JsonPointer)>,
        stack: &mut Vec<String>,
    ) -> Result<(), Error> {
        match member {
            SchemaRef::Ref(r) => {
                let Some(canonical) = JsonPointer::parse(r) else {
                    self.note(
                        pointer,
                        format!("external reference `{r}` in allOf is not followed"),
                    );
                    return Ok(());
                };
                if stack.iter().any(|s| s == canonical.as_str()) {
                    return Err(Error::new(
                        ErrorKind::RefCycle,
                        self.file,
                        format!("allOf includes itself through `{r}`"),
                    )
                    .at(pointer));
                }
                if stack.len() > super::MAX_NESTING {
                    return Err(Error::new(
                        ErrorKind::Unsupported,
                        self.file,
                        format!(
                            "allOf members nest more than {} levels deep",
                            super::MAX_NESTING
                        ),
                    )
                    .at(pointer));
                }
                let schema = self.schema_at(&canonical, pointer, 0)?;
                stack.push(canonical.to_string());
                let result =
                    self.flatten_members(SchemaRef::Inline(&schema), &canonical, out, stack);
                stack.pop();
                result
            }
            SchemaRef::Inline(s) => {
                let nested: &[openapiv3::ReferenceOr<Schema>] = match &s.schema_kind {
                    SchemaKind::AllOf { all_of } => all_of,
                    SchemaKind::Any(a) => {
                        let mut own = s.clone();
                        if let SchemaKind::Any(own_any) = &mut own.schema_kind {
                            own_any.all_of.clear();
                        }
                        out.push((own, pointer.clone()));
                        &a.all_of
                    }
                    _ => {
                        out.push((s.clone(), pointer.clone()));
                        &[]
                    }
                };
                for (i, m) in nested.iter().enumerate() {
                    self.flatten_members(
                        SchemaRef::from(m),
                        &pointer.join("allOf").with(i),
                        out,
                        stack,
                    )?;
                }
                Ok(())
            }
        }
    }

    /// Merges flattened `allOf` members' properties; later members win on conflicts,
    /// which are reported.
    fn merge_members<'p>(
        &mut self,
        flat: &'p [(Schema, JsonPointer)],
        parts: &mut ObjectParts<'p>,
    ) {
        for (s, pointer) in flat {
            let (props, required, additional) = match &s.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    (&o.properties, &o.required, o.additional_properties.as_ref())
                }
                SchemaKind::Any(a) if a.one_of.is_empty() && a.any_of.is_empty() => {
                    (&a.properties, &a.required, a.additional_properties.as_ref())
                }
                _ => {
                    parts.foreign = Some(pointer.clone());
                    continue;
                }
            };
            for (k, v) in props {
                let conflict = match (parts.properties.get(k), SchemaRef::from(v)) {
                    (Some((SchemaRef::Inline(a), _)), SchemaRef::Inline(b)) => {
                        kind_label(&a.schema_kind) != kind_label(&b.schema_kind)
                            && kind_label(&b.schema_kind) != "any"
                    }
                    (Some((SchemaRef::Ref(a), _)), SchemaRef::Ref(b)) => {
                        refs::canonical(a) != refs::canonical(b)
                    }
                    _ => false,
                };
                if conflict {
                    self.note(
                        &pointer.join("properties").with(k),
                        format!(
                            "allOf members give property `{k}` conflicting types; the last one wins"
                        ),
                    );
                }
                parts.properties.insert(
                    k.clone(),
                    (SchemaRef::from(v), pointer.join("properties").with(k)),
                );
            }
            parts.required.extend(required.iter().cloned());
            if additional.is_some() {
                parts.additional = additional;
            }
        }
    }

    /// The schema behind a canonical reference, as an owned copy.
    fn schema_at(
        &mut self,
        canonical: &JsonPointer,
        pointer: &JsonPointer,
        depth: usize,
    ) -> Result<Schema, Error> {
        if depth > 64 {
            return Err(Error::new(
                ErrorKind::RefCycle,
                self.file,
                format!("`{canonical}` is part of a chain of references that never ends"),
            )
            .at(pointer));
        }
        let Some(node) = canonical.resolve(self.doc) else {
            return Err(Error::new(
                ErrorKind::DanglingRef,
                self.file,
                format!("`{canonical}` does not point at anything in this document"),
            )
            .at(pointer));
        };
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            let Some(target) = JsonPointer::parse(r) else {
                // A chain ending in another document: nothing here to point at.
                return Err(Error::new(
                    ErrorKind::DanglingRef,
                    self.file,
                    "`` does not point at anything in this document",
                )
                .at(canonical));
            };
            return self.schema_at(&target, canonical, depth + 1);
        }
        serde_json::from_value(node.clone()).map_err(|e| {
            Error::new(ErrorKind::Invalid, self.file, format!("not a schema: {e}")).at(canonical)
        })
    }

    /// `oneOf`/`anyOf`: a tagged enum when there is a discriminator, else untagged with
    /// alternatives ordered so that serde tries the most specific first.
    fn union(
        &mut self,
        list: &[openapiv3::ReferenceOr<Schema>],
        s: &Schema,
        hint: &str,
        pointer: &JsonPointer,
        keyword: &str,
    ) -> Result<Shape, Error> {
        let mut variants = Vec::new();
        let mut nullable = false;
        for (i, member) in list.iter().enumerate() {
            if let openapiv3::ReferenceOr::Item(m) = member
                && is_null_only(m)
            {
                nullable = true;
                continue;
            }
            variants.push((i, member));
        }
        if let [(i, only)] = variants.as_slice() {
            let lowered =
                self.schema(SchemaRef::from(*only), hint, &pointer.join(keyword).with(i))?;
            return Ok(Shape::Ref(Lowered {
                nullable: nullable || lowered.nullable,
                ty: lowered.ty,
            }));
        }
        if variants.is_empty() {
            return Ok(Shape::Ref(Lowered {
                ty: TypeRef::Any,
                nullable,
            }));
        }
        // Every alternative is one constant (`{title, const}`, Discord's style of
        // documented enums): one enum whose variants are named by the titles.
        if let Some(e) = const_union(&variants) {
            return Ok(self.finish_union(TypeKind::Enum(e), nullable, s, hint, pointer));
        }
        let mut names = NameSet::camel();
        let mut out = Vec::new();
        for (i, member) in &variants {
            let member_ptr = pointer.join(keyword).with(i);
            let (wanted, title) = match SchemaRef::from(*member) {
                SchemaRef::Ref(r) => (refs::last_segment(r), None),
                SchemaRef::Inline(m) => (String::new(), m.schema_data.title.clone()),
            };
            let variant_hint = match &title {
                Some(t) => format!("{hint}{}", names::camel(t, "Variant", "V")),
                None if wanted.is_empty() => format!("{hint}Variant{}", i + 1),
                None => names::type_name(&wanted),
            };
            let lowered = self.schema(SchemaRef::from(*member), &variant_hint, &member_ptr)?;
            let ty = nest(lowered);
            let base = match (&ty, title) {
                (TypeRef::Named(id), _) => self.types[id.0].name.clone(),
                (_, Some(t)) => names::camel(&t, "Variant", "V"),
                (other, None) => variant_name_for(other, &self.types),
            };
            out.push(UnionVariant {
                name: names.claim(&base),
                ty,
                tags: Vec::new(),
                boxed: false,
            });
        }
        let mut tagging = match &s.schema_data.discriminator {
            Some(d) => {
                for v in &mut out {
                    v.tags = self.discriminator_tags(d, &v.ty);
                }
                let unknown_variant = names.claim("Unknown");
                Tagging::Discriminator {
                    property: d.property_name.clone(),
                    unknown_variant,
                }
            }
            None => {
                // Alternatives may not be lowered yet (components are filled in order);
                // `settle_unions` infers a tag and orders them once all are known.
                order_untagged(&mut out, &self.types);
                Tagging::Untagged
            }
        };
        if let Tagging::Discriminator {
            unknown_variant, ..
        } = &mut tagging
        {
            for (i, v) in out.iter().enumerate() {
                if v.tags.is_empty() {
                    self.note(
                        &pointer.join(keyword).with(i),
                        "alternative without a discriminator value; payloads of its shape decode as the unknown variant",
                    );
                }
            }
            *unknown_variant = name_by_tags(&mut out).unwrap_or_else(|| unknown_variant.clone());
        }
        let kind = TypeKind::Union(Union {
            variants: out,
            tagging,
        });
        Ok(self.finish_union(kind, nullable, s, hint, pointer))
    }

    /// A union's shape: named here when `null` is also allowed (the nullability then
    /// travels with the reference), else left for the caller to name.
    fn finish_union(
        &mut self,
        kind: TypeKind,
        nullable: bool,
        s: &Schema,
        hint: &str,
        pointer: &JsonPointer,
    ) -> Shape {
        if nullable {
            // `oneOf: [X, null]`-style nullability is carried by the named union's users.
            let id = self.declare(hint, pointer);
            self.types[id.0].kind = kind;
            self.types[id.0].doc = doc_of(s);
            return Shape::Ref(Lowered {
                ty: TypeRef::Named(id),
                nullable: true,
            });
        }
        Shape::Named(kind)
    }

    /// Tag values selecting a variant: the discriminator mapping entries pointing at it,
    /// else the target type's name (the OpenAPI default), else an enum of one value.
    fn discriminator_tags(&self, d: &openapiv3::Discriminator, ty: &TypeRef) -> Vec<String> {
        let TypeRef::Named(id) = ty else {
            return Vec::new();
        };
        let mut tags: Vec<String> = d
            .mapping
            .iter()
            .filter(|(_, target)| {
                let canonical = JsonPointer::parse(target)
                    .unwrap_or_else(|| JsonPointer::at(&["components", "schemas", target]));
                self.by_ref.get(&canonical) == Some(id)
            })
            .map(|(tag, _)| tag.clone())
            .collect();
        if tags.is_empty() {
            // A property of the variant constrained to one value names its tag.
            if let TypeKind::Struct(st) = &self.types[id.0].kind
                && let Some(f) = st.fields.iter().find(|f| f.wire_name == d.property_name)
                && let TypeRef::Named(e) = &f.ty
                && let TypeKind::Enum(en) = &self.types[e.0].kind
                && en.variants.len() == 1
            {
                tags.push(en.variants[0].value.text().into_owned());
            }
        }
        if tags.is_empty() {
            tags.push(refs::last_segment(&self.types[id.0].pointer));
        }
        tags
    }
}

/// The result of looking at a schema before naming it.
enum Shape {
    /// Needs a named type of this kind.
    Named(TypeKind),
    /// Is (or refers to) an existing type.
    Ref(Lowered),
}

/// Types in nested positions (items, map values, union payloads) carry their own
/// nullability.
fn nest(l: Lowered) -> TypeRef {
    if l.nullable {
        TypeRef::Option(Box::new(l.ty))
    } else {
        l.ty
    }
}

fn doc_of(s: &Schema) -> Option<String> {
    match (&s.schema_data.title, &s.schema_data.description) {
        (_, Some(d)) if !d.trim().is_empty() => Some(d.trim().to_string()),
        (Some(t), _) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    }
}

/// An inline schema of annotations only (description, title, example, ...): it
/// constrains nothing.
fn is_annotation_only(m: &openapiv3::ReferenceOr<Schema>) -> bool {
    matches!(m, openapiv3::ReferenceOr::Item(s)
        if !s.schema_data.nullable
            && matches!(&s.schema_kind, SchemaKind::Any(a) if *a == openapiv3::AnySchema::default()))
}

/// `{nullable: true}` alone: the 3.1 `{type: 'null'}` branch after normalisation.
fn is_null_only(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Any(a) => {
            s.schema_data.nullable
                && a.typ.is_none()
                && a.properties.is_empty()
                && a.items.is_none()
                && a.one_of.is_empty()
                && a.all_of.is_empty()
                && a.any_of.is_empty()
                && a.enumeration.iter().all(Value::is_null)
        }
        _ => false,
    }
}

fn string_format(f: &VariantOrUnknownOrEmpty<openapiv3::StringFormat>) -> Primitive {
    match f {
        VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) => Primitive::DateTime,
        VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Date) => Primitive::Date,
        _ => Primitive::String,
    }
}

fn integer_format(format: &str) -> Primitive {
    match format {
        "int32" | "int16" | "int8" => Primitive::I32,
        "uint32" | "uint16" | "uint8" => Primitive::U32,
        "uint64" | "uint" => Primitive::U64,
        _ => Primitive::I64,
    }
}

fn string_enum(values: &[&str]) -> EnumDef {
    let values: Vec<KnownValue> = values
        .iter()
        .map(|v| KnownValue {
            value: EnumValue::Str((*v).to_string()),
            title: None,
            doc: None,
        })
        .collect();
    enum_of(&values, false)
}

/// Names variants by their tag (`MessagePart::Text`) when each has exactly one and
/// the names are distinct; returns the catch-all's new name.
fn name_by_tags(out: &mut [UnionVariant]) -> Option<String> {
    let wanted: Vec<String> = out
        .iter()
        .map(|v| match v.tags.as_slice() {
            [t] => names::camel(t, "", "V"),
            _ => String::new(),
        })
        .collect();
    let distinct: std::collections::HashSet<&String> = wanted.iter().collect();
    if wanted.iter().any(String::is_empty) || distinct.len() != wanted.len() {
        return None;
    }
    let mut renamed = NameSet::camel();
    for (v, w) in out.iter_mut().zip(&wanted) {
        v.name = renamed.claim(w);
    }
    Some(renamed.claim("Unknown"))
}

/// The struct behind a type reference, through aliases.
fn struct_behind<'t>(types: &'t [TypeDef], ty: &TypeRef) -> Option<&'t Struct> {
    let mut ty = ty;
    for _ in 0..16 {
        let TypeRef::Named(id) = ty else { return None };
        match &types[id.0].kind {
            TypeKind::Struct(st) => return Some(st),
            TypeKind::Alias(next) => ty = next,
            _ => return None,
        }
    }
    None
}

/// The one value of a single-valued string enum type.
fn constant_of<'t>(types: &'t [TypeDef], ty: &TypeRef) -> Option<&'t str> {
    let TypeRef::Named(id) = ty else { return None };
    match &types[id.0].kind {
        TypeKind::Enum(e) if e.variants.len() == 1 => match &e.variants[0].value {
            EnumValue::Str(s) => Some(s.as_str()),
            EnumValue::Int(_) => None,
        },
        _ => None,
    }
}

/// A property every alternative requires, each with a different constant value.
fn infer_discriminator(types: &[TypeDef], out: &[UnionVariant]) -> Option<(String, Vec<String>)> {
    if out.len() < 2 {
        return None;
    }
    let first = struct_behind(types, &out[0].ty)?;
    'candidates: for f in first
        .fields
        .iter()
        .filter(|f| f.presence == Presence::Required)
    {
        if constant_of(types, &f.ty).is_none() {
            continue;
        }
        let mut tags = Vec::with_capacity(out.len());
        let mut seen = std::collections::HashSet::new();
        for v in out {
            let st = struct_behind(types, &v.ty)?;
            let Some(tag) = st
                .fields
                .iter()
                .find(|g| g.wire_name == f.wire_name && g.presence == Presence::Required)
                .and_then(|g| constant_of(types, &g.ty))
            else {
                continue 'candidates;
            };
            if !seen.insert(tag) {
                continue 'candidates;
            }
            tags.push(tag.to_string());
        }
        return Some((f.wire_name.clone(), tags));
    }
    None
}

/// Once every type is lowered: untagged unions whose alternatives all carry a constant
/// required property become tagged by it (even without a `discriminator`), and the
/// others are ordered for serde's first match with full knowledge of their shapes.
pub(super) fn settle_unions(types: &mut [TypeDef]) {
    for i in 0..types.len() {
        let TypeKind::Union(u) = &types[i].kind else {
            continue;
        };
        if u.tagging != Tagging::Untagged {
            continue;
        }
        let mut variants = u.variants.clone();
        match infer_discriminator(types, &variants) {
            Some((property, tags)) => {
                for (v, t) in variants.iter_mut().zip(tags) {
                    v.tags = vec![t];
                }
                let unknown_variant = name_by_tags(&mut variants).unwrap_or_else(|| {
                    let mut taken = NameSet::camel();
                    taken.reserve(variants.iter().map(|v| v.name.as_str()));
                    taken.claim("Unknown")
                });
                types[i].kind = TypeKind::Union(Union {
                    variants,
                    tagging: Tagging::Discriminator {
                        property,
                        unknown_variant,
                    },
                });
            }
            None => {
                order_untagged(&mut variants, types);
                if let TypeKind::Union(u) = &mut types[i].kind {
                    u.variants = variants;
                }
            }
        }
    }
}

/// What kind of value a schema describes, to spot conflicting `allOf` members.
fn kind_label(k: &SchemaKind) -> &'static str {
    match k {
        SchemaKind::Type(Type::String(_)) => "string",
        SchemaKind::Type(Type::Number(_)) => "number",
        SchemaKind::Type(Type::Integer(_)) => "integer",
        SchemaKind::Type(Type::Boolean(_)) => "boolean",
        SchemaKind::Type(Type::Object(_)) => "object",
        SchemaKind::Type(Type::Array(_)) => "array",
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => "union",
        SchemaKind::AllOf { .. } => "allOf",
        SchemaKind::Not { .. } => "not",
        SchemaKind::Any(a) => match a.typ.as_deref() {
            Some("string") => "string",
            Some("number") => "number",
            Some("integer") => "integer",
            Some("boolean") => "boolean",
            Some("object") => "object",
            Some("array") => "array",
            _ => "any",
        },
    }
}

/// `oneOf: [{title: A, const: 1}, {title: B, const: 2}]`: an enum, when every
/// alternative is an inline schema of exactly one string or integer value.
fn const_union(variants: &[(usize, &openapiv3::ReferenceOr<Schema>)]) -> Option<EnumDef> {
    let mut values = Vec::with_capacity(variants.len());
    let mut integer = None;
    for (_, m) in variants {
        let openapiv3::ReferenceOr::Item(m) = m else {
            return None;
        };
        let v: Value = match &m.schema_kind {
            SchemaKind::Any(a)
                if a.properties.is_empty()
                    && a.one_of.is_empty()
                    && a.all_of.is_empty()
                    && a.any_of.is_empty()
                    && a.enumeration.len() == 1 =>
            {
                a.enumeration[0].clone()
            }
            SchemaKind::Type(Type::String(st)) if st.enumeration.len() == 1 => {
                Value::String(st.enumeration[0].clone()?)
            }
            SchemaKind::Type(Type::Integer(it)) if it.enumeration.len() == 1 => {
                Value::Number(it.enumeration[0]?.into())
            }
            _ => return None,
        };
        let value = match v {
            Value::String(text) => EnumValue::Str(text),
            // An integer outside `i64` is not an enum value the crate can hold.
            other => EnumValue::Int(other.as_i64()?),
        };
        let is_int = value.as_int().is_some();
        if *integer.get_or_insert(is_int) != is_int {
            return None;
        }
        values.push(KnownValue {
            value,
            title: m.schema_data.title.clone(),
            doc: m.schema_data.description.clone(),
        });
    }
    Some(enum_of(&values, integer?))
}

/// An integer enum from `enum` values (all integers, at least one), with variant names
/// and docs from the `x-enum-varnames`/`x-enumNames` and `x-enum-descriptions`
/// extensions when the spec gives them.
fn integer_enum(values: &[Value], s: &Schema) -> Option<EnumDef> {
    // A value outside `i64` (or not an integer) makes it no integer enum: the caller
    // types it by its values' JSON type, with a note.
    let ints: Vec<i64> = values.iter().map(Value::as_i64).collect::<Option<_>>()?;
    if ints.is_empty() {
        return None;
    }
    let list = |key: &str| -> Vec<Option<String>> {
        s.schema_data
            .extensions
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let mut titles = list("x-enum-varnames");
    if titles.is_empty() {
        titles = list("x-enumNames");
    }
    let docs = list("x-enum-descriptions");
    let values: Vec<KnownValue> = ints
        .iter()
        .enumerate()
        .map(|(i, v)| KnownValue {
            value: EnumValue::Int(*v),
            title: titles.get(i).cloned().flatten(),
            doc: docs.get(i).cloned().flatten(),
        })
        .collect();
    Some(enum_of(&values, true))
}

/// One known value of an enum, with the name and doc a `oneOf` branch may give it.
struct KnownValue {
    value: EnumValue,
    title: Option<String>,
    doc: Option<String>,
}

/// An enum type from its values; variant names come from titles where given, else
/// from the values (`""` -> `Empty`, `" "` -> `Blank`, `3d` -> `V3d`, `-1` -> `VMinus1`);
/// names that collide after case conversion get numbered; repeated values are dropped.
fn enum_of(values: &[KnownValue], integer: bool) -> EnumDef {
    let mut names = NameSet::camel();
    let mut seen = std::collections::HashSet::new();
    let mut variants = Vec::new();
    for v in values {
        if !seen.insert(&v.value) {
            continue; // the same value listed twice
        }
        let text = v.value.text();
        let wanted = match (&v.title, text.trim()) {
            (Some(t), _) if !names::camel(t, "", "V").is_empty() => names::camel(t, "Value", "V"),
            (_, "") if text.is_empty() => "Empty".to_string(),
            (_, "") => "Blank".to_string(),
            (_, text) if integer => match text.strip_prefix('-') {
                Some(abs) => format!("VMinus{abs}"),
                None => format!("V{text}"),
            },
            (_, text) => names::camel(text, "Value", "V"),
        };
        variants.push(EnumVariant {
            name: names.claim(&wanted),
            value: v.value.clone(),
            doc: v.doc.clone(),
        });
    }
    let unknown_variant = names.claim("Unknown");
    EnumDef {
        variants,
        unknown_variant,
        integer,
    }
}

fn variant_name_for(ty: &TypeRef, types: &[TypeDef]) -> String {
    match ty {
        TypeRef::Named(id) => types[id.0].name.clone(),
        TypeRef::Primitive(p) => match p {
            Primitive::String => "String",
            Primitive::DateTime => "DateTime",
            Primitive::Date => "Date",
            Primitive::Bool => "Bool",
            Primitive::I32 | Primitive::I64 | Primitive::U32 | Primitive::U64 => "Integer",
            Primitive::F32 | Primitive::F64 => "Number",
        }
        .to_string(),
        TypeRef::List(inner) => format!("{}List", variant_name_for(inner, types)),
        TypeRef::Map(inner) => format!("{}Map", variant_name_for(inner, types)),
        TypeRef::Option(inner) => variant_name_for(inner, types),
        TypeRef::Any => "Value".to_string(),
        TypeRef::Object => "Object".to_string(),
    }
}

/// Orders untagged alternatives so that serde's first-match picks the right one:
/// structs with more required fields before those with fewer, integers before
/// numbers, specific before free-form, and JSON values last.
fn order_untagged(variants: &mut [UnionVariant], types: &[TypeDef]) {
    fn rank(ty: &TypeRef, types: &[TypeDef]) -> (u8, std::cmp::Reverse<usize>) {
        match ty {
            TypeRef::Named(id) => match &types[id.0].kind {
                TypeKind::Struct(s) => {
                    let required = s
                        .fields
                        .iter()
                        .filter(|f| {
                            matches!(f.presence, Presence::Required | Presence::RequiredNullable)
                        })
                        .count();
                    (0, std::cmp::Reverse(required))
                }
                TypeKind::Union(_) => (1, std::cmp::Reverse(0)),
                TypeKind::Enum(_) => (4, std::cmp::Reverse(0)),
                TypeKind::Alias(t) | TypeKind::Newtype(t) => rank(t, types),
                TypeKind::Params(_) | TypeKind::Event(_) => (9, std::cmp::Reverse(0)),
            },
            TypeRef::List(_) => (2, std::cmp::Reverse(0)),
            TypeRef::Map(_) | TypeRef::Object => (3, std::cmp::Reverse(0)),
            TypeRef::Primitive(Primitive::Bool) => (5, std::cmp::Reverse(0)),
            TypeRef::Primitive(
                Primitive::I32 | Primitive::I64 | Primitive::U32 | Primitive::U64,
            ) => (6, std::cmp::Reverse(0)),
            TypeRef::Primitive(Primitive::F32 | Primitive::F64) => (7, std::cmp::Reverse(0)),
            TypeRef::Primitive(Primitive::DateTime | Primitive::Date) => (4, std::cmp::Reverse(0)),
            TypeRef::Primitive(Primitive::String) => (8, std::cmp::Reverse(0)),
            TypeRef::Option(inner) => rank(inner, types),
            TypeRef::Any => (10, std::cmp::Reverse(0)),
        }
    }
    // Stable: equal ranks keep spec order.
    variants.sort_by_key(|v| rank(&v.ty, types));
}
