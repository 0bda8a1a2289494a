//! Which types can derive `Default`.

use crate::ir::{Api, Presence, Primitive, TypeKind, TypeRef};

/// Which named types can derive `Default` (every field's type has a default).
/// Computed as a fixpoint so that mutually recursive structs are handled.
pub fn defaultable(api: &Api) -> Vec<bool> {
    let mut ok = vec![false; api.types.len()];
    loop {
        let mut changed = false;
        for (i, t) in api.types.iter().enumerate() {
            if ok[i] {
                continue;
            }
            let now = match &t.kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .all(|f| f.presence != Presence::Required || has_default(&f.ty, &ok)),
                TypeKind::Params(ps) => ps.iter().all(|p| !p.required || has_default(&p.ty, &ok)),
                TypeKind::Alias(t) | TypeKind::Newtype(t) => has_default(t, &ok),
                TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Event(_) => false,
            };
            if now {
                ok[i] = true;
                changed = true;
            }
        }
        if !changed {
            return ok;
        }
    }
}

fn has_default(ty: &TypeRef, ok: &[bool]) -> bool {
    match ty {
        TypeRef::Named(id) => ok[id.0],
        TypeRef::Primitive(Primitive::DateTime | Primitive::Date) => false,
        TypeRef::Primitive(_)
        | TypeRef::List(_)
        | TypeRef::Map(_)
        | TypeRef::Option(_)
        | TypeRef::Any
        | TypeRef::Object => true,
    }
}
