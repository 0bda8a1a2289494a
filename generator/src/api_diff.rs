//! What changed between two [`Surface`]s of the emitted crate, each change classed by
//! Rust's semver rules (the crate's users compile against Rust items, not against the
//! spec): `major` when code that compiled against the old crate may stop compiling,
//! `minor` for additions, `patch` for changes of docs or of what goes on the wire only.
//!
//! Also the release bookkeeping of `cargo xtask codegen`: the changelog entry and the
//! version bump ([`release`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::config::VersionPolicy;
use crate::error::{Error, ErrorKind};
use crate::surface::{
    self, Arg, Feature, FieldSurface, Kind, Method, ResourceSurface, Surface, TypeSurface,
    VariantSurface,
};

/// The semver class of a change, for the Rust crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Docs, or what goes on the wire, only: every user's code still compiles.
    Patch,
    /// Additions: every user's code still compiles.
    Minor,
    /// Code that compiled against the old crate may not compile against the new one.
    Major,
}

impl Class {
    fn as_str(self) -> &'static str {
        match self {
            Class::Patch => "patch",
            Class::Minor => "minor",
            Class::Major => "major",
        }
    }
}

/// What happened to an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// It is new.
    Added,
    /// It is gone.
    Removed,
    /// It is still there, different.
    Changed,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One change of the public API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// Where, as a user writes it (`chats().messages().send`, `types::Chat.is_group`).
    pub item: String,
    /// Its semver class.
    pub class: Class,
    /// What changed, and why it has its class.
    pub detail: String,
}

/// Every change between two surfaces, and the class of the whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The highest class of any change; `None` when nothing changed.
    pub class: Option<Class>,
    /// The changes, in surface order (features, crate, resources, types).
    pub changes: Vec<Change>,
}

impl Report {
    /// True when the public API did not change at all.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The report as text: a summary line, then the changes grouped by class.
    pub fn to_text(&self) -> String {
        let Some(class) = self.class else {
            return "no changes to the public API\n".to_string();
        };
        let mut out = format!(
            "{} change{} to the public API; semver class: {}\n",
            self.changes.len(),
            if self.changes.len() == 1 { "" } else { "s" },
            class.as_str()
        );
        out.push_str(&self.grouped("###"));
        out
    }

    /// The report as JSON (`--format json`).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The changes grouped by class, each group under a heading of `level`.
    fn grouped(&self, level: &str) -> String {
        let mut out = String::new();
        for (class, title) in [
            (Class::Major, "Breaking (major)"),
            (Class::Minor, "Additive (minor)"),
            (Class::Patch, "Docs and wire only (patch)"),
        ] {
            let group: Vec<&Change> = self.changes.iter().filter(|c| c.class == class).collect();
            if group.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{level} {title}\n");
            for c in group {
                let _ = writeln!(out, "- {} `{}`: {}", c.kind.as_str(), c.item, c.detail);
            }
        }
        out
    }
}

/// Collects changes.
#[derive(Default)]
struct Diff {
    changes: Vec<Change>,
}

impl Diff {
    fn push(&mut self, kind: ChangeKind, item: &str, class: Class, detail: impl Into<String>) {
        self.changes.push(Change {
            kind,
            item: item.to_string(),
            class,
            detail: detail.into(),
        });
    }

    fn changed(&mut self, item: &str, class: Class, detail: impl Into<String>) {
        self.push(ChangeKind::Changed, item, class, detail);
    }

    /// `#[deprecated]` added (a warning: minor) or removed (patch).
    fn deprecation(&mut self, item: &str, old: bool, new: bool) {
        match (old, new) {
            (false, true) => {
                self.changed(item, Class::Minor, "deprecated (a warning, not an error)")
            }
            (true, false) => self.changed(item, Class::Patch, "no longer deprecated"),
            _ => {}
        }
    }

    fn docs(&mut self, item: &str, old: &str, new: &str) {
        if old != new {
            self.changed(item, Class::Patch, "docs");
        }
    }
}

/// Pairs items of two lists by key, in the new list's order (removed ones first).
fn pair<'a, T>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> &str,
) -> Vec<(Option<&'a T>, Option<&'a T>)> {
    let old_by: BTreeMap<&str, &T> = old.iter().map(|t| (key(t), t)).collect();
    let new_by: BTreeMap<&str, &T> = new.iter().map(|t| (key(t), t)).collect();
    let mut out: Vec<(Option<&T>, Option<&T>)> = old
        .iter()
        .filter(|t| !new_by.contains_key(key(t)))
        .map(|t| (Some(t), None))
        .collect();
    out.extend(new.iter().map(|t| (old_by.get(key(t)).copied(), Some(t))));
    out
}

/// Compares two surfaces.
pub fn diff(old: &Surface, new: &Surface) -> Report {
    let mut d = Diff::default();
    if old.crate_name != new.crate_name {
        d.changed(
            "crate",
            Class::Major,
            format!(
                "renamed `{}` -> `{}`: every `use` changes",
                old.crate_name, new.crate_name
            ),
        );
    }
    features(&mut d, &old.features, &new.features);
    if old.error_body != new.error_body {
        let show = |t: &Option<String>| t.clone().unwrap_or_else(|| "none".to_string());
        d.changed(
            "Error::error_body",
            if old.error_body.is_none() {
                Class::Minor
            } else {
                Class::Major
            },
            format!(
                "decodes `{}` -> `{}`",
                show(&old.error_body),
                show(&new.error_body)
            ),
        );
    }
    resources(&mut d, "", &old.resources, &new.resources);
    for (o, n) in pair(&old.types, &new.types, |t| &t.name) {
        match (o, n) {
            (Some(o), None) => d.push(
                ChangeKind::Removed,
                &format!("types::{}", o.name),
                Class::Major,
                format!("{} removed", kind_name(o.kind)),
            ),
            (None, Some(n)) => d.push(
                ChangeKind::Added,
                &format!("types::{}", n.name),
                Class::Minor,
                format!("new {}", kind_name(n.kind)),
            ),
            (Some(o), Some(n)) => type_diff(&mut d, o, n, &old.features, &new.features),
            (None, None) => {}
        }
    }
    let class = d.changes.iter().map(|c| c.class).max();
    Report {
        class,
        changes: d.changes,
    }
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Struct => "struct",
        Kind::Params => "parameters struct",
        Kind::Enum => "enum",
        Kind::Union => "union enum",
        Kind::Alias => "type alias",
        Kind::Newtype => "newtype",
    }
}

/// Features named `_...` are the crate's own plumbing (as cargo-semver-checks also
/// assumes): not reported, and not counted as a way to compile a type.
fn private(feature: &str) -> bool {
    feature.starts_with('_')
}

fn features(d: &mut Diff, old: &[Feature], new: &[Feature]) {
    let old: Vec<Feature> = old.iter().filter(|f| !private(&f.name)).cloned().collect();
    let new: Vec<Feature> = new.iter().filter(|f| !private(&f.name)).cloned().collect();
    for (o, n) in pair(&old, &new, |f| &f.name) {
        match (o, n) {
            (Some(o), None) => d.push(
                ChangeKind::Removed,
                &format!("feature {}", o.name),
                Class::Major,
                "Cargo feature removed: manifests naming it fail to resolve",
            ),
            (None, Some(n)) => d.push(
                ChangeKind::Added,
                &format!("feature {}", n.name),
                Class::Minor,
                "new Cargo feature",
            ),
            (Some(o), Some(n)) => {
                let lost: Vec<&str> = o
                    .enables
                    .iter()
                    .filter(|e| !n.enables.contains(e) && !private(e))
                    .map(String::as_str)
                    .collect();
                let gained: Vec<&str> = n
                    .enables
                    .iter()
                    .filter(|e| !o.enables.contains(e) && !private(e))
                    .map(String::as_str)
                    .collect();
                let item = format!("feature {}", n.name);
                if !lost.is_empty() {
                    d.changed(
                        &item,
                        Class::Major,
                        format!("no longer enables {}", list(&lost)),
                    );
                }
                if !gained.is_empty() {
                    d.changed(
                        &item,
                        Class::Minor,
                        format!("also enables {}", list(&gained)),
                    );
                }
            }
            (None, None) => {}
        }
    }
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn resources(d: &mut Diff, prefix: &str, old: &[ResourceSurface], new: &[ResourceSurface]) {
    for (o, n) in pair(old, new, |r| &r.accessor) {
        match (o, n) {
            (Some(o), None) => d.push(
                ChangeKind::Removed,
                &format!("{prefix}{}()", o.accessor),
                Class::Major,
                format!(
                    "resource removed with its {} method{}",
                    o.methods.len(),
                    if o.methods.len() == 1 { "" } else { "s" }
                ),
            ),
            (None, Some(n)) => d.push(
                ChangeKind::Added,
                &format!("{prefix}{}()", n.accessor),
                Class::Minor,
                format!(
                    "new resource with {} method{}: {}",
                    n.methods.len(),
                    if n.methods.len() == 1 { "" } else { "s" },
                    n.methods
                        .iter()
                        .map(|m| format!("`{}`", m.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            (Some(o), Some(n)) => {
                let here = format!("{prefix}{}()", n.accessor);
                if o.handle != n.handle {
                    d.changed(
                        &here,
                        Class::Major,
                        format!("handle type `{}` -> `{}`", o.handle, n.handle),
                    );
                }
                if o.feature != n.feature && o.feature.is_some() {
                    d.changed(
                        &here,
                        Class::Major,
                        format!(
                            "compiled by feature `{}` -> {}",
                            o.feature.as_deref().unwrap_or_default(),
                            n.feature
                                .as_deref()
                                .map_or("always".to_string(), |f| format!("`{f}`"))
                        ),
                    );
                }
                d.docs(&here, &o.doc, &n.doc);
                for (om, nm) in pair(&o.methods, &n.methods, |m| &m.name) {
                    match (om, nm) {
                        (Some(m), None) => d.push(
                            ChangeKind::Removed,
                            &format!("{here}.{}", m.name),
                            Class::Major,
                            format!("method removed ({})", m.http),
                        ),
                        (None, Some(m)) => d.push(
                            ChangeKind::Added,
                            &format!("{here}.{}", m.name),
                            Class::Minor,
                            format!("new method ({})", m.http),
                        ),
                        (Some(om), Some(nm)) => {
                            method_diff(d, &format!("{here}.{}", nm.name), om, nm)
                        }
                        (None, None) => {}
                    }
                }
                resources(d, &format!("{here}."), &o.resources, &n.resources);
            }
            (None, None) => {}
        }
    }
}

fn signature(m: &Method) -> String {
    let args: Vec<String> = m
        .args
        .iter()
        .map(|a| format!("{}: {}", a.name, a.ty))
        .collect();
    format!("({})", args.join(", "))
}

fn method_diff(d: &mut Diff, item: &str, o: &Method, n: &Method) {
    let types = |m: &Method| m.args.iter().map(|a| a.ty.clone()).collect::<Vec<_>>();
    if types(o) != types(n) {
        d.changed(
            item,
            Class::Major,
            format!("arguments {} -> {}", signature(o), signature(n)),
        );
    } else if o.args != n.args {
        d.changed(
            item,
            Class::Patch,
            format!(
                "argument names {} -> {} (positional: calls still compile)",
                signature(o),
                signature(n)
            ),
        );
    }
    if o.returns != n.returns {
        d.changed(
            item,
            Class::Major,
            format!("returns `{}` -> `{}`", o.returns, n.returns),
        );
    }
    d.deprecation(item, o.deprecated, n.deprecated);
    if o.http != n.http {
        d.changed(
            item,
            Class::Patch,
            format!("request `{}` -> `{}` (same Rust signature)", o.http, n.http),
        );
    }
    d.docs(item, &o.doc, &n.doc);
}

fn type_diff(
    d: &mut Diff,
    o: &TypeSurface,
    n: &TypeSurface,
    old_features: &[Feature],
    new_features: &[Feature],
) {
    let item = format!("types::{}", n.name);
    if o.kind != n.kind {
        d.changed(
            &item,
            Class::Major,
            format!("{} -> {}", kind_name(o.kind), kind_name(n.kind)),
        );
        return;
    }
    if o.target != n.target {
        d.changed(
            &item,
            Class::Major,
            format!(
                "{} of `{}` -> `{}`",
                kind_name(n.kind),
                o.target.as_deref().unwrap_or_default(),
                n.target.as_deref().unwrap_or_default()
            ),
        );
    }
    if o.non_exhaustive != n.non_exhaustive {
        if n.non_exhaustive {
            d.changed(
                &item,
                Class::Major,
                "now #[non_exhaustive]: literals and exhaustive matches outside the crate stop compiling",
            );
        } else {
            d.changed(&item, Class::Minor, "no longer #[non_exhaustive]");
        }
    }
    let lost: Vec<&str> = o
        .traits
        .iter()
        .filter(|t| !n.traits.contains(t))
        .map(String::as_str)
        .collect();
    if !lost.is_empty() {
        d.changed(
            &item,
            Class::Major,
            format!("no longer implements {}", list(&lost)),
        );
    }
    let gained: Vec<&str> = n
        .traits
        .iter()
        .filter(|t| !o.traits.contains(t))
        .map(String::as_str)
        .collect();
    if !gained.is_empty() {
        d.changed(
            &item,
            Class::Minor,
            format!("now implements {}", list(&gained)),
        );
    }
    constructor_diff(d, &item, o.constructor.as_deref(), n.constructor.as_deref());
    gate_diff(
        d,
        &item,
        (old_features, &o.features),
        (new_features, &n.features),
    );
    d.docs(&item, &o.doc, &n.doc);
    let literal = !n.non_exhaustive;
    for (of, nf) in pair(&o.fields, &n.fields, |f| &f.name) {
        match (of, nf) {
            (Some(f), None) => d.push(
                ChangeKind::Removed,
                &format!("{item}.{}", f.name),
                Class::Major,
                format!("field removed (`{}`)", f.ty),
            ),
            (None, Some(f)) => {
                let at = format!("{item}.{}", f.name);
                if literal {
                    let how = if n.traits.iter().any(|t| t == "Default") {
                        "; literals ending in `..Default::default()` still compile"
                    } else {
                        ""
                    };
                    d.push(
                        ChangeKind::Added,
                        &at,
                        Class::Major,
                        format!(
                            "new {} field (`{}`): struct literals that list every field stop compiling{how}",
                            f.presence, f.ty
                        ),
                    );
                } else {
                    d.push(
                        ChangeKind::Added,
                        &at,
                        Class::Minor,
                        format!(
                            "new {} field (`{}`) of a #[non_exhaustive] struct",
                            f.presence, f.ty
                        ),
                    );
                }
            }
            (Some(of), Some(nf)) => field_diff(d, &format!("{item}.{}", nf.name), of, nf),
            (None, None) => {}
        }
    }
    let matchable = !n.non_exhaustive;
    for (ov, nv) in pair(&o.variants, &n.variants, |v| &v.name) {
        match (ov, nv) {
            (Some(v), None) => d.push(
                ChangeKind::Removed,
                &format!("{item}::{}", v.name),
                Class::Major,
                format!("variant removed{}", wire(v)),
            ),
            (None, Some(v)) => {
                let at = format!("{item}::{}", v.name);
                if matchable {
                    d.push(
                        ChangeKind::Added,
                        &at,
                        Class::Major,
                        format!("new variant{}: exhaustive matches stop compiling", wire(v)),
                    );
                } else {
                    d.push(
                        ChangeKind::Added,
                        &at,
                        Class::Minor,
                        format!("new variant{} of a #[non_exhaustive] enum", wire(v)),
                    );
                }
            }
            (Some(ov), Some(nv)) => variant_diff(d, &format!("{item}::{}", nv.name), ov, nv),
            (None, None) => {}
        }
    }
}

/// `new` of a `#[non_exhaustive]` struct: its arguments are the required fields.
fn constructor_diff(d: &mut Diff, item: &str, old: Option<&[Arg]>, new: Option<&[Arg]>) {
    let show = |args: &[Arg]| {
        let list: Vec<String> = args
            .iter()
            .map(|a| format!("{}: {}", a.name, a.ty))
            .collect();
        format!("({})", list.join(", "))
    };
    let at = format!("{item}::new");
    match (old, new) {
        (Some(_), None) => d.push(
            ChangeKind::Removed,
            &at,
            Class::Major,
            "constructor removed",
        ),
        (None, Some(n)) => d.push(
            ChangeKind::Added,
            &at,
            Class::Minor,
            format!("new constructor {}", show(n)),
        ),
        (Some(o), Some(n)) => {
            let types = |a: &[Arg]| a.iter().map(|a| a.ty.clone()).collect::<Vec<_>>();
            if types(o) != types(n) {
                d.changed(
                    &at,
                    Class::Major,
                    format!("arguments {} -> {} (the required fields)", show(o), show(n)),
                );
            } else if o != n {
                d.changed(
                    &at,
                    Class::Patch,
                    format!(
                        "argument names {} -> {} (positional: calls still compile)",
                        show(o),
                        show(n)
                    ),
                );
            }
        }
        (None, None) => {}
    }
}

fn wire(v: &VariantSurface) -> String {
    let mut out = String::new();
    if !v.wire.is_empty() {
        let _ = write!(
            out,
            " {}",
            list(&v.wire.iter().map(String::as_str).collect::<Vec<_>>())
        );
    }
    if let Some(t) = &v.ty {
        let _ = write!(out, " (`{t}`)");
    }
    out
}

/// The features whose closure (what they enable, transitively) includes one of `gate`:
/// the features with which a type of that gate is compiled. An empty gate is "always".
fn compiled_with<'a>(features: &'a [Feature], gate: &[String]) -> Vec<&'a str> {
    features
        .iter()
        .filter(|f| {
            if gate.is_empty() {
                return true;
            }
            let mut seen: Vec<&str> = vec![f.name.as_str()];
            let mut i = 0;
            while let Some(name) = seen.get(i).copied() {
                if gate.iter().any(|g| g == name) {
                    return true;
                }
                if let Some(next) = features.iter().find(|g| g.name == name) {
                    for e in &next.enables {
                        if !seen.contains(&e.as_str()) {
                            seen.push(e);
                        }
                    }
                }
                i += 1;
            }
            false
        })
        .map(|f| f.name.as_str())
        .collect()
}

/// A type's features: one it was compiled with and no longer is (a build that names
/// only that feature loses the type) is major; one it is now also compiled with, minor.
/// Features new or gone as a whole are reported as features.
fn gate_diff(d: &mut Diff, item: &str, old: (&[Feature], &[String]), new: (&[Feature], &[String])) {
    let before = compiled_with(old.0, old.1);
    let after = compiled_with(new.0, new.1);
    let both = |f: &&str| {
        !private(f) && old.0.iter().any(|g| g.name == *f) && new.0.iter().any(|g| g.name == *f)
    };
    let lost: Vec<&str> = before
        .iter()
        .filter(|f| both(f) && !after.contains(f))
        .copied()
        .collect();
    if !lost.is_empty() {
        d.changed(
            item,
            Class::Major,
            format!(
                "no longer compiled with feature {}: builds without default features that named it lose the type",
                list(&lost)
            ),
        );
    }
    let gained: Vec<&str> = after
        .iter()
        .filter(|f| both(f) && !before.contains(f))
        .copied()
        .collect();
    if !gained.is_empty() {
        d.changed(
            item,
            Class::Minor,
            format!("also compiled with feature {}", list(&gained)),
        );
    }
}

fn field_diff(d: &mut Diff, item: &str, o: &FieldSurface, n: &FieldSurface) {
    if o.ty != n.ty {
        let presence = if o.presence != n.presence {
            format!(" ({} -> {})", o.presence, n.presence)
        } else {
            String::new()
        };
        d.changed(
            item,
            Class::Major,
            format!("type `{}` -> `{}`{presence}", o.ty, n.ty),
        );
    } else if o.presence != n.presence {
        d.changed(
            item,
            Class::Patch,
            format!(
                "{} -> {} on the wire (same Rust type `{}`)",
                o.presence, n.presence, n.ty
            ),
        );
    }
    if o.wire != n.wire {
        d.changed(
            item,
            Class::Patch,
            format!("sent and read as `{}` -> `{}`", o.wire, n.wire),
        );
    }
    d.deprecation(item, o.deprecated, n.deprecated);
    d.docs(item, &o.doc, &n.doc);
}

fn variant_diff(d: &mut Diff, item: &str, o: &VariantSurface, n: &VariantSurface) {
    if o.ty != n.ty {
        d.changed(
            item,
            Class::Major,
            format!(
                "payload `{}` -> `{}`",
                o.ty.as_deref().unwrap_or("()"),
                n.ty.as_deref().unwrap_or("()")
            ),
        );
    }
    if o.wire != n.wire {
        let show = |w: &[String]| list(&w.iter().map(String::as_str).collect::<Vec<_>>());
        d.changed(
            item,
            Class::Patch,
            format!("wire value {} -> {}", show(&o.wire), show(&n.wire)),
        );
    }
    d.docs(item, &o.doc, &n.doc);
}

/// A `MAJOR.MINOR.PATCH` version (pre-release and build suffixes are dropped).
fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let out = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(out)
}

/// The version after a change of `class`, by Cargo's rules: below 1.0 the minor number
/// is the breaking one (`0.3.1` -> `0.4.0` for a major change, `0.3.2` otherwise).
pub fn bump(version: &str, class: Class) -> Option<String> {
    let (major, minor, patch) = parse_version(version)?;
    Some(match (major, class) {
        (0, Class::Major) => format!("0.{}.0", minor + 1),
        (0, _) => format!("0.{minor}.{}", patch + 1),
        (_, Class::Major) => format!("{}.0.0", major + 1),
        (_, Class::Minor) => format!("{major}.{}.0", minor + 1),
        (_, Class::Patch) => format!("{major}.{minor}.{}", patch + 1),
    })
}

/// What [`release`] decided.
#[derive(Debug, Clone)]
pub struct Release {
    /// The changes since the surface recorded in the output folder (`None` when there
    /// was none, or one of another format).
    pub report: Option<Report>,
    /// The version recorded there.
    pub previous_version: Option<String>,
    /// The crate's version now.
    pub version: String,
    /// There was an `api.json`, but not one this generator reads (another format).
    pub unreadable: bool,
}

/// The changelog file, relative to the crate root.
pub const CHANGELOG: &str = "CHANGELOG.md";

fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::new(ErrorKind::Io, path, e.to_string())),
    }
}

/// Compares the generated crate's surface with the one recorded in `out` (the folder
/// the crate is written to), and updates the files to match: under
/// `version_policy: semver` the version is bumped by the class of the changes (the
/// `Cargo.toml`, README and `api.json` are rendered again with it), and a new entry is
/// put at the top of `CHANGELOG.md`. Nothing is written; the result is a function of
/// the spec, the config and what `out` holds, so regenerating again changes nothing.
pub fn release(
    generated: &mut crate::Generated,
    out: &Path,
    templates: &Path,
) -> Result<Release, Error> {
    release_with(
        generated,
        out,
        &crate::templates::Templates::load(templates)?,
    )
}

/// [`release`] with templates already at hand (the embedded ones of the installed
/// binary).
pub fn release_with(
    generated: &mut crate::Generated,
    out: &Path,
    templates: &crate::templates::Templates,
) -> Result<Release, Error> {
    let recorded = read_optional(&out.join(surface::FILE))?;
    let previous = recorded.as_deref().and_then(Surface::from_json);
    let unreadable = recorded.is_some() && previous.is_none();
    let changelog = read_optional(&out.join(CHANGELOG))?;
    let report = previous.as_ref().map(|p| diff(p, &generated.surface));
    let config = &generated.config;
    let version = match (&previous, config.version_policy) {
        (Some(p), VersionPolicy::Semver) => {
            let floor = parse_version(&config.version);
            let recorded = parse_version(&p.version);
            if floor > recorded {
                config.version.clone()
            } else {
                match report.as_ref().and_then(|r| r.class) {
                    Some(class) => bump(&p.version, class).ok_or_else(|| {
                        Error::new(
                            ErrorKind::Config,
                            &out.join(surface::FILE),
                            format!("version `{}` is not MAJOR.MINOR.PATCH", p.version),
                        )
                    })?,
                    None => p.version.clone(),
                }
            }
        }
        _ => config.version.clone(),
    };
    if version != generated.config.version {
        generated.config.version = version.clone();
        templates.render_into(
            &generated.config,
            &generated.api,
            &generated.plan,
            &mut generated.files,
        )?;
        generated.surface.version = version.clone();
        // Held whole only when generated in memory; else printed when put.
        if generated.files.get(Path::new(surface::FILE)).is_some() {
            generated
                .files
                .insert(surface::FILE, generated.surface.to_json());
        }
    }
    let header = format!(
        "# Changelog\n\nChanges of the public API of `{}`, newest first. Written by the generator \
         from the difference between the old and the new `api.json`; the class of each change \
         follows Rust's semver rules.\n",
        generated.config.crate_name
    );
    let body = match &changelog {
        Some(text) => text
            .strip_prefix(&header)
            .map(str::to_string)
            .unwrap_or_else(|| {
                // Another header (the crate was renamed): keep the entries.
                text.split_once("\n## ")
                    .map(|(_, rest)| format!("\n## {rest}"))
                    .unwrap_or_default()
            }),
        None => String::new(),
    };
    let entry = match (&report, &previous) {
        (Some(r), _) if !r.is_empty() => Some(format!(
            "\n## {} ({})\n\nSemver class: {}.\n{}",
            version,
            entry_label(&generated.surface, generated.config.release_date.as_deref()),
            r.class.map_or("none", Class::as_str),
            r.grouped("###")
        )),
        (_, None) if changelog.is_none() => Some(format!(
            "\n## {} ({})\n\nFirst version with a recorded public API (`api.json`).\n",
            version,
            entry_label(&generated.surface, generated.config.release_date.as_deref()),
        )),
        _ => None,
    };
    generated.files.insert(
        CHANGELOG,
        format!("{header}{}{body}", entry.unwrap_or_default()),
    );
    Ok(Release {
        report,
        previous_version: previous.map(|p| p.version),
        version,
        unreadable,
    })
}

/// `API 3.1.0` or `API 3.1.0, 2026-02-01`.
fn entry_label(s: &Surface, date: Option<&str>) -> String {
    match date {
        Some(d) => format!("API {}, {d}", s.api_version),
        None => format!("API {}", s.api_version),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(name: &str, enables: &[&str]) -> Feature {
        Feature {
            name: name.to_string(),
            enables: enables.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn a_type_is_compiled_with_every_feature_that_reaches_its_gate() {
        let features = [
            feature("_any_resource", &[]),
            feature("chats", &["_any_resource"]),
            feature("default", &["full"]),
            feature("full", &["chats", "messages"]),
            feature("messages", &["_any_resource"]),
            feature("webhooks", &["dep:hmac"]),
        ];
        let gate = ["_any_resource".to_string()];
        assert_eq!(
            compiled_with(&features, &gate),
            ["_any_resource", "chats", "default", "full", "messages"]
        );
        assert_eq!(
            compiled_with(&features, &["messages".to_string()]),
            ["default", "full", "messages"]
        );
        // An empty gate: always compiled.
        assert_eq!(compiled_with(&features, &[]).len(), features.len());

        // Moving a type from the shared gate to one resource loses `chats` (major);
        // the private `_any_resource` is not reported.
        let mut d = Diff::default();
        gate_diff(
            &mut d,
            "types::T",
            (&features, &gate),
            (&features, &["messages".to_string()]),
        );
        assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
        assert_eq!(d.changes[0].class, Class::Major);
        assert!(d.changes[0].detail.contains("`chats`"), "{:?}", d.changes);
    }

    #[test]
    fn versions_bump_by_cargo_rules() {
        assert_eq!(bump("0.1.0", Class::Major).as_deref(), Some("0.2.0"));
        assert_eq!(bump("0.1.0", Class::Minor).as_deref(), Some("0.1.1"));
        assert_eq!(bump("0.1.3", Class::Patch).as_deref(), Some("0.1.4"));
        assert_eq!(bump("1.2.3", Class::Major).as_deref(), Some("2.0.0"));
        assert_eq!(bump("1.2.3", Class::Minor).as_deref(), Some("1.3.0"));
        assert_eq!(bump("1.2.3", Class::Patch).as_deref(), Some("1.2.4"));
        assert_eq!(bump("1.2.3-beta.1", Class::Patch).as_deref(), Some("1.2.4"));
        assert_eq!(bump("1.2", Class::Patch), None);
        assert_eq!(bump("x.y.z", Class::Patch), None);
    }
}
