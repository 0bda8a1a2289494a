//! Schema slots of the parsed model, and `$ref` resolution.
//!
//! Lowering resolves references itself ([`crate::pointer`]) rather than through
//! `openapiv3`'s components map so that any local JSON pointer works (`$defs`, refs
//! into `paths`).

pub use crate::pointer::{canonical, last_segment, resolve};

/// A schema slot: a reference or an inline schema.
#[derive(Debug, Clone, Copy)]
pub enum SchemaRef<'a> {
    /// `$ref` target.
    Ref(&'a str),
    /// Inline schema.
    Inline(&'a openapiv3::Schema),
}

impl<'a> From<&'a openapiv3::ReferenceOr<openapiv3::Schema>> for SchemaRef<'a> {
    fn from(r: &'a openapiv3::ReferenceOr<openapiv3::Schema>) -> Self {
        match r {
            openapiv3::ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            openapiv3::ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

impl<'a> From<&'a openapiv3::ReferenceOr<Box<openapiv3::Schema>>> for SchemaRef<'a> {
    fn from(r: &'a openapiv3::ReferenceOr<Box<openapiv3::Schema>>) -> Self {
        match r {
            openapiv3::ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            openapiv3::ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}
