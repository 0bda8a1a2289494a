//! Recursive types: boxing the fields that close a cycle, and refusing pure alias
//! cycles (`A = B`, `B = A`), which describe no data at all.

use std::path::Path;

use crate::error::{Error, ErrorKind};
use crate::ir::{Api, TypeId, TypeKind, TypeRef};

/// Fails on alias chains that return to where they started.
pub fn check_alias_cycles(api: &Api, file: &Path) -> Result<(), Error> {
    for start in 0..api.types.len() {
        let mut current = TypeId(start);
        let mut steps = 0;
        while let TypeKind::Alias(TypeRef::Named(next)) = &api.type_def(current).kind {
            current = *next;
            steps += 1;
            if current.0 == start || steps > api.types.len() {
                let def = api.type_def(TypeId(start));
                return Err(Error::new(
                    ErrorKind::RefCycle,
                    file,
                    format!("`{}` is defined only as a reference to itself", def.name),
                )
                .at(def.pointer.clone()));
            }
        }
    }
    Ok(())
}

/// Types a value of `ty` contains inline (not behind a `Vec` or map, which already
/// allocate), or, for `through_collections`, at all.
fn targets(ty: &TypeRef, through_collections: bool, out: &mut Vec<TypeId>) {
    match ty {
        TypeRef::Named(id) => out.push(*id),
        TypeRef::Option(inner) => targets(inner, through_collections, out),
        TypeRef::List(inner) | TypeRef::Map(inner) if through_collections => {
            targets(inner, true, out)
        }
        _ => {}
    }
}

fn edges(kind: &TypeKind, through_collections: bool) -> Vec<TypeId> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct(s) => {
            for f in &s.fields {
                targets(&f.ty, through_collections, &mut out);
            }
            if let Some(a) = &s.additional {
                targets(a, through_collections, &mut out);
            }
        }
        TypeKind::Union(u) => u
            .variants
            .iter()
            .for_each(|v| targets(&v.ty, through_collections, &mut out)),
        TypeKind::Alias(t) | TypeKind::Newtype(t) => targets(t, through_collections, &mut out),
        TypeKind::Event(e) => e
            .variants
            .iter()
            .for_each(|v| targets(&v.ty, through_collections, &mut out)),
        TypeKind::Params(_) | TypeKind::Enum(_) => {}
    }
    out
}

/// Strongly connected components (Tarjan, iterative so deep specs cannot overflow
/// the stack). Returns the component index of each node.
fn components(graph: &[Vec<TypeId>]) -> Vec<usize> {
    let n = graph.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut comp = vec![usize::MAX; n];
    let mut next_index = 0;
    let mut next_comp = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&mut (v, ref mut edge)) = work.last_mut() {
            if *edge == 0 && index[v] == usize::MAX {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&TypeId(w)) = graph[v].get(*edge) {
                *edge += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp[w] = next_comp;
                    if w == v {
                        break;
                    }
                }
                next_comp += 1;
            }
        }
    }
    comp
}

/// Boxes struct fields and union payloads that point back into their own cycle, and
/// turns aliases that take part in any cycle into newtypes.
pub fn break_cycles(api: &mut Api) {
    let inline: Vec<Vec<TypeId>> = api.types.iter().map(|t| edges(&t.kind, false)).collect();
    let comp = components(&inline);
    let self_loop = |v: usize| inline[v].iter().any(|w| w.0 == v);
    let cyclic = |v: usize, w: usize| comp[v] == comp[w] && (v != w || self_loop(v));
    for v in 0..api.types.len() {
        match &mut api.types[v].kind {
            TypeKind::Struct(s) => {
                for f in &mut s.fields {
                    let mut t = Vec::new();
                    targets(&f.ty, false, &mut t);
                    f.boxed = t.iter().any(|w| cyclic(v, w.0));
                }
            }
            TypeKind::Union(u) => {
                for var in &mut u.variants {
                    let mut t = Vec::new();
                    targets(&var.ty, false, &mut t);
                    var.boxed = t.iter().any(|w| cyclic(v, w.0));
                }
            }
            _ => {}
        }
    }
    // Aliases cannot be recursive in Rust, even through a Vec.
    let all: Vec<Vec<TypeId>> = api.types.iter().map(|t| edges(&t.kind, true)).collect();
    let comp_all = components(&all);
    let mut sizes = vec![0usize; api.types.len()];
    for &c in &comp_all {
        sizes[c] += 1;
    }
    for v in 0..api.types.len() {
        let recursive = sizes[comp_all[v]] > 1 || all[v].iter().any(|w| w.0 == v);
        if recursive && let TypeKind::Alias(t) = &api.types[v].kind {
            api.types[v].kind = TypeKind::Newtype(t.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tarjan_finds_cycles() {
        // 0 -> 1 -> 2 -> 0, 3 -> 3, 4 alone
        let g = vec![
            vec![TypeId(1)],
            vec![TypeId(2)],
            vec![TypeId(0)],
            vec![TypeId(3)],
            vec![],
        ];
        let c = components(&g);
        assert_eq!(c[0], c[1]);
        assert_eq!(c[1], c[2]);
        assert_ne!(c[0], c[3]);
        assert_ne!(c[3], c[4]);
    }
}
