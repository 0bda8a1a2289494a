//! Which types repeat an earlier type's code exactly, and so become aliases of it.

use std::collections::HashMap;
use std::fmt::Write as _;

use foldhash::fast::FixedState;

use crate::ir::{Api, Tagging, TypeId, TypeKind, TypeRef};

/// For each type, the earlier type whose code it would repeat, if any.
///
/// Two structs, enums, unions or parameter structs are copies when everything emitted
/// inside them is equal (names, wire names, docs, presence, types), with named types
/// compared by what they are copies of. Merging proceeds bottom-up until nothing
/// changes (types that refer to themselves stay apart), and the earliest type of each
/// group is the one emitted, so the output stays a function of the spec's order.
pub fn aliases(api: &Api) -> Vec<Option<TypeId>> {
    let n = api.types.len();
    // The shape of each type without its references, interned to a number once.
    // Hashed with foldhash rather than SipHash: the texts hold every doc and name of
    // the type (Stripe's 6,000 types took 14 ms here with SipHash). Fixed seeds: the
    // maps only intern and group, their order is never read.
    let mut shapes: HashMap<String, usize, FixedState> = HashMap::default();
    let mut static_class = vec![usize::MAX; n];
    let mut refs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in api.types.iter().enumerate() {
        let mut sig = Signature::default();
        if !sig.kind(&t.kind) {
            continue;
        }
        let next = shapes.len();
        static_class[i] = *shapes.entry(sig.text).or_insert(next);
        refs[i] = sig.refs;
    }
    let mut canon: Vec<usize> = (0..n).collect();
    loop {
        let mut first: HashMap<(usize, Vec<usize>), usize, FixedState> = HashMap::default();
        let mut changed = false;
        for i in 0..n {
            if static_class[i] == usize::MAX {
                continue;
            }
            let key = (static_class[i], refs[i].iter().map(|r| canon[*r]).collect());
            let rep = *first.entry(key).or_insert(i);
            if canon[i] != rep {
                canon[i] = rep;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    canon
        .iter()
        .enumerate()
        .map(|(i, c)| (*c != i).then_some(TypeId(*c)))
        .collect()
}

/// A type's emitted shape as text, with named types left out (collected in `refs`).
#[derive(Default)]
struct Signature {
    text: String,
    refs: Vec<usize>,
}

impl Signature {
    fn s(&mut self, text: &str) {
        // Length-prefixed, so that no two sequences of strings give the same text.
        let _ = write!(self.text, "{}:", text.len());
        self.text.push_str(text);
    }

    fn opt(&mut self, text: Option<&str>) {
        match text {
            Some(t) => {
                self.text.push('+');
                self.s(t);
            }
            None => self.text.push('-'),
        }
    }

    fn flag(&mut self, b: bool) {
        self.text.push(if b { 'T' } else { 'F' });
    }

    fn ty(&mut self, ty: &TypeRef) {
        match ty {
            TypeRef::Named(id) => {
                self.text.push('N');
                self.refs.push(id.0);
            }
            TypeRef::Primitive(p) => {
                self.text.push('P');
                // Discriminants are stable within one run, which is all this needs.
                self.text.push(char::from(b'a' + *p as u8));
            }
            TypeRef::List(inner) => {
                self.text.push('L');
                self.ty(inner);
            }
            TypeRef::Map(inner) => {
                self.text.push('M');
                self.ty(inner);
            }
            TypeRef::Option(inner) => {
                self.text.push('O');
                self.ty(inner);
            }
            TypeRef::Any => self.text.push('A'),
            TypeRef::Object => self.text.push('J'),
        }
    }

    /// False for kinds that are never merged (aliases, recursive newtypes).
    fn kind(&mut self, kind: &TypeKind) -> bool {
        match kind {
            TypeKind::Struct(st) => {
                self.text.push('S');
                for f in &st.fields {
                    self.text.push('f');
                    self.s(&f.name);
                    self.s(&f.wire_name);
                    self.ty(&f.ty);
                    self.text.push(char::from(b'0' + f.presence as u8));
                    self.flag(f.boxed);
                    self.opt(f.doc.as_deref());
                    self.flag(f.deprecated);
                }
                match &st.additional {
                    Some(t) => {
                        self.text.push('a');
                        self.ty(t);
                    }
                    None => self.text.push('-'),
                }
            }
            TypeKind::Params(params) => {
                self.text.push('Q');
                for p in params {
                    self.text.push('p');
                    self.s(&p.name);
                    self.s(&p.wire_name);
                    self.s(&format!("{:?}{:?}", p.location, p.style));
                    self.flag(p.required);
                    self.ty(&p.ty);
                    self.opt(p.doc.as_deref());
                }
            }
            TypeKind::Enum(e) => {
                self.text.push('E');
                self.flag(e.integer);
                self.s(&e.unknown_variant);
                for v in &e.variants {
                    self.text.push('v');
                    self.s(&v.name);
                    self.s(&v.value.text());
                    self.opt(v.doc.as_deref());
                }
            }
            TypeKind::Union(u) => {
                self.text.push('U');
                match &u.tagging {
                    Tagging::Untagged => self.text.push('-'),
                    Tagging::Discriminator {
                        property,
                        unknown_variant,
                    } => {
                        self.text.push('D');
                        self.s(property);
                        self.s(unknown_variant);
                    }
                }
                for v in &u.variants {
                    self.text.push('v');
                    self.s(&v.name);
                    self.ty(&v.ty);
                    self.flag(v.boxed);
                    for t in &v.tags {
                        self.s(t);
                    }
                    self.text.push(';');
                }
            }
            TypeKind::Alias(_) | TypeKind::Newtype(_) | TypeKind::Event(_) => return false,
        }
        true
    }
}
