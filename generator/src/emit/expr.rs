//! Expressions written as text, laid out as rustfmt lays them out.
//!
//! [`super::code::Writer`] writes code whose every line has a fixed shape. Method bodies
//! and request builders nest calls in calls and chain methods, and where such an
//! expression breaks depends on its parts' widths: an [`Expr`] is that nesting, and
//! [`Expr::write`] breaks it by the rules of rustfmt's defaults, as far as the shapes
//! the generator emits need them:
//! - a call's arguments stay on one line while they take at most 60 columns
//!   (`fn_call_width`) and the line fits in 100 (`max_width`); else a single argument
//!   that is itself a call or a chain is overflowed (`f(g(` ... `))`); else each argument
//!   gets a line, with a trailing comma (none in a macro call);
//! - a chain stays on one line while it takes at most 60 columns (`chain_width`); else
//!   each link after the root gets a line, one level deeper. A root of at most four
//!   columns (`self`) keeps its first link. When only the last link does not fit, it
//!   may stay on the root's line and break inside, when that takes at least five
//!   lines or no more lines than breaking the chain would;
//! - a `let` keeps its value on its line unless the value fits on the next line alone
//!   (or breaks into fewer lines there).
//!
//! The text is made only of names the generator made and literals escaped by
//! [`super::code::string`]: spec text never becomes code.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use super::code::MAX_WIDTH;

/// Layouts one top-level expression may try ([`Expr::try_lay`]). Each level of nesting
/// tries a few layouts of what it holds, so the tries multiply with depth; past this
/// many, every remaining part takes its fallback layout without trying (one argument
/// or field per line), so the work stays linear in the expression's size. Counted per
/// expression, so the output stays the same.
const MAX_ATTEMPTS: usize = 512;

/// The layout attempts left to one top-level expression, and the layouts made so far
/// by node and shape: the layouts a level tries lay out its parts at the same few
/// shapes again and again.
struct Attempts {
    left: Cell<usize>,
    /// Keyed by the node's address, which is stable and unique while the expression
    /// being laid out (borrowed for the whole layout) lives.
    made: RefCell<HashMap<(usize, Shape), String, foldhash::fast::FixedState>>,
}

impl Attempts {
    fn new() -> Attempts {
        Attempts {
            left: Cell::new(MAX_ATTEMPTS),
            made: RefCell::default(),
        }
    }

    /// Takes one attempt; `false` when none is left.
    fn spend(&self) -> bool {
        let left = self.left.get();
        self.left.set(left.saturating_sub(1));
        left > 0
    }
}

/// rustfmt's `fn_call_width`: the widest argument list kept on one line.
const CALL_WIDTH: usize = 60;

/// rustfmt's `chain_width`: the widest chain kept on one line.
const CHAIN_WIDTH: usize = 60;

/// rustfmt's `tab_spaces`: a chain root this short keeps its first link.
const SHORT_ROOT: usize = 4;

/// An expression to lay out.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Text that never breaks: a name, a literal, a short fixed expression.
    Atom(String),
    /// `head(args)`, or a macro call `head!(args)` (`macro_call` then: no trailing
    /// comma when broken).
    Call {
        head: String,
        args: Vec<Expr>,
        macro_call: bool,
    },
    /// `prefix[items]` (`prefix` being `&`, `vec!` or nothing).
    Array {
        prefix: &'static str,
        items: Vec<Expr>,
    },
    /// `root.link.link`, each link a method call (`.name(args)`) or a field
    /// (`.name`), with what follows it (`?`).
    Chain { root: Box<Expr>, links: Vec<Link> },
    /// `head { name: value, ..base }`.
    Struct {
        head: String,
        fields: Vec<(String, Expr)>,
        base: Option<String>,
    },
    /// `{ statements value }`, always on lines of its own.
    Block { stmts: Vec<Stmt>, value: Box<Expr> },
    /// `op expr`, such as `&expr`.
    Prefix(&'static str, Box<Expr>),
}

/// A statement of a [`Expr::Block`].
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `let name = value;` (`name` may be `mut v`).
    Let(String, Expr),
    /// `place = value;`.
    Assign(String, Expr),
}

/// One link of a [`Expr::Chain`].
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The link without its `.`-led name's receiver: a call `.name(args)` or a field
    /// `.name` (an atom).
    pub expr: Expr,
    /// Text right after the link, such as `?`.
    pub tries: &'static str,
}

impl Link {
    /// `.name(args)tries`.
    pub fn call(name: impl Into<String>, args: Vec<Expr>, tries: &'static str) -> Link {
        Link {
            expr: Expr::Call {
                head: name.into(),
                args,
                macro_call: false,
            },
            tries,
        }
    }

    /// `.name` (a field, `.await`).
    pub fn field(name: impl Into<String>) -> Link {
        Link {
            expr: Expr::Atom(name.into()),
            tries: "",
        }
    }

    fn flat(&self) -> String {
        let mut out = self.expr.flat();
        out.push_str(self.tries);
        out
    }
}

/// Where an expression goes: its first line starts at column `offset`, its other
/// lines are indented by `indent`, and `tail` columns follow its last line (`;`, `,`,
/// closing brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    pub indent: usize,
    pub offset: usize,
    pub tail: usize,
}

impl Shape {
    /// A statement or expression at the start of a line indented by `indent`.
    pub fn line(indent: usize, tail: usize) -> Shape {
        Shape {
            indent,
            offset: indent,
            tail,
        }
    }
}

fn width(text: &str) -> usize {
    text.chars().count()
}

fn first_line(text: &str) -> &str {
    &text[..memchr::memchr(b'\n', text.as_bytes()).unwrap_or(text.len())]
}

fn line_count(text: &str) -> usize {
    memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1
}

/// Whether `text` takes more than one line.
fn has_break(text: &str) -> bool {
    memchr::memchr(b'\n', text.as_bytes()).is_some()
}

/// Whether `text` laid out at `shape` stays within [`MAX_WIDTH`] on every line.
fn fits(text: &str, shape: Shape) -> bool {
    let mut from = 0;
    let mut first = true;
    let breaks = memchr::memchr_iter(b'\n', text.as_bytes());
    for to in breaks.chain(std::iter::once(text.len())) {
        let line = &text[from..to];
        from = to + 1;
        let start = if first { shape.offset } else { 0 };
        let end = if to == text.len() { shape.tail } else { 0 };
        // A line has at most as many characters as bytes: most are settled without
        // counting them.
        if start + line.len() + end > MAX_WIDTH && start + width(line) + end > MAX_WIDTH {
            return false;
        }
        first = false;
    }
    true
}

/// Appends `head { a: x, ..base }` to `out`, stopping once it is longer than `cap`
/// bytes.
fn struct_flat_into(
    out: &mut String,
    head: &str,
    fields: &[(String, Expr)],
    base: Option<&str>,
    cap: usize,
) -> bool {
    out.push_str(head);
    if fields.is_empty() && base.is_none() {
        out.push_str(" {}");
        return out.len() <= cap;
    }
    out.push_str(" { ");
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(name);
        out.push_str(": ");
        if !value.flat_into(out, cap) {
            return false;
        }
    }
    if let Some(b) = base {
        if !fields.is_empty() {
            out.push_str(", ");
        }
        out.push_str("..");
        out.push_str(b);
    }
    out.push_str(" }");
    out.len() <= cap
}

/// Appends `a, b, c` to `out`, stopping once it is longer than `cap` bytes.
fn flat_list_into(out: &mut String, args: &[Expr], cap: usize) -> bool {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if !a.flat_into(out, cap) {
            return false;
        }
    }
    out.len() <= cap
}

impl Expr {
    /// `head(args)`.
    pub fn call(head: impl Into<String>, args: Vec<Expr>) -> Expr {
        Expr::Call {
            head: head.into(),
            args,
            macro_call: false,
        }
    }

    /// `head!(args)`, `head` without the `!`.
    pub fn macro_call(head: &str, args: Vec<Expr>) -> Expr {
        Expr::Call {
            head: format!("{head}!"),
            args,
            macro_call: true,
        }
    }

    pub fn atom(text: impl Into<String>) -> Expr {
        Expr::Atom(text.into())
    }

    /// `root.links`.
    pub fn chain(root: Expr, links: Vec<Link>) -> Expr {
        if links.is_empty() {
            return root;
        }
        Expr::Chain {
            root: Box::new(root),
            links,
        }
    }

    /// The expression on one line.
    pub fn flat(&self) -> String {
        let mut out = String::new();
        self.flat_into(&mut out, usize::MAX);
        out
    }

    /// Appends the expression on one line to `out`, stopping early (and returning
    /// `false`) once `out` is longer than `cap` bytes: whether a part fits on a line
    /// is asked at every level of nesting, and the answer must not cost the size of
    /// the whole part each time.
    fn flat_into(&self, out: &mut String, cap: usize) -> bool {
        match self {
            Expr::Atom(t) => out.push_str(t),
            Expr::Call { head, args, .. } => {
                out.push_str(head);
                out.push('(');
                if !flat_list_into(out, args, cap) {
                    return false;
                }
                out.push(')');
            }
            Expr::Chain { root, links } => {
                if !root.flat_into(out, cap) {
                    return false;
                }
                for l in links {
                    if !l.expr.flat_into(out, cap) {
                        return false;
                    }
                    out.push_str(l.tries);
                }
            }
            Expr::Array { prefix, items } => {
                out.push_str(prefix);
                out.push('[');
                if !flat_list_into(out, items, cap) {
                    return false;
                }
                out.push(']');
            }
            Expr::Struct { head, fields, base } => {
                if !struct_flat_into(out, head, fields, base.as_deref(), cap) {
                    return false;
                }
            }
            Expr::Block { stmts, value } => {
                out.push_str("{ ");
                for s in stmts {
                    let (lead, value) = match s {
                        Stmt::Let(name, v) => (format!("let {name} = "), v),
                        Stmt::Assign(place, v) => (format!("{place} = "), v),
                    };
                    out.push_str(&lead);
                    if !value.flat_into(out, cap) {
                        return false;
                    }
                    out.push_str("; ");
                }
                if !value.flat_into(out, cap) {
                    return false;
                }
                out.push_str(" }");
            }
            Expr::Prefix(op, e) => {
                out.push_str(op);
                if !e.flat_into(out, cap) {
                    return false;
                }
            }
        }
        out.len() <= cap
    }

    /// The expression as tokens, for code still spelled as tokens. The text is
    /// generator-made and always lexes; should it not, the tokens are a
    /// `compile_error!` saying so rather than something else.
    pub fn tokens(&self) -> proc_macro2::TokenStream {
        let text = self.flat();
        text.parse().unwrap_or_else(|_| {
            let message = "an emitted expression does not lex";
            quote::quote! { compile_error!(#message) }
        })
    }

    /// Whether rustfmt counts this as a simple expression (a name, a path, a literal, a
    /// reference to or field of one): a list of short simple items fills its lines.
    fn simple(&self) -> bool {
        match self {
            Expr::Atom(t) => {
                !t.contains(['(', '{', '[', '?', '<', '!'])
                    && (t.starts_with('"') || !t.contains(' '))
            }
            _ => false,
        }
    }

    /// Whether rustfmt overflows this expression when it is a call's only argument.
    fn overflows(&self) -> bool {
        match self {
            Expr::Call { .. }
            | Expr::Chain { .. }
            | Expr::Array { .. }
            | Expr::Struct { .. }
            | Expr::Block { .. } => true,
            Expr::Prefix(_, e) => e.overflows(),
            Expr::Atom(_) => false,
        }
    }

    /// The expression laid out at `shape`: lines after the first carry their
    /// indentation, the first does not. A line that cannot be made to fit is left long.
    pub fn write(&self, shape: Shape) -> String {
        self.lay(shape, &Attempts::new())
    }

    /// The layout at `shape`, `None` if some line does not fit, or if no attempts
    /// are left.
    fn try_lay(&self, shape: Shape, cx: &Attempts) -> Option<String> {
        let key = (std::ptr::from_ref(self) as usize, shape);
        let made = cx.made.borrow().contains_key(&key);
        if !made && !matches!(self, Expr::Atom(_)) && !cx.spend() {
            return None;
        }
        let text = self.lay(shape, cx);
        fits(&text, shape).then_some(text)
    }

    /// The layout at `shape`, lines too long left long.
    fn lay(&self, shape: Shape, cx: &Attempts) -> String {
        if matches!(self, Expr::Atom(_)) {
            return self.flat();
        }
        let key = (std::ptr::from_ref(self) as usize, shape);
        if let Some(made) = cx.made.borrow().get(&key) {
            return made.clone();
        }
        let text = self.lay_uncached(shape, cx);
        cx.made.borrow_mut().insert(key, text.clone());
        text
    }

    fn lay_uncached(&self, shape: Shape, cx: &Attempts) -> String {
        match self {
            Expr::Atom(t) => t.clone(),
            Expr::Call {
                head,
                args,
                macro_call,
            } => call(head, args, *macro_call, shape, cx),
            Expr::Chain { root, links } => chain(root, links, shape, cx),
            Expr::Array { prefix, items } => array(prefix, items, shape, cx),
            Expr::Struct { head, fields, base } => {
                struct_lit(head, fields, base.as_deref(), shape, cx)
            }
            Expr::Block { stmts, value } => block(stmts, value, shape.indent, cx),
            Expr::Prefix(op, e) => {
                let inner = Shape {
                    offset: shape.offset + op.len(),
                    ..shape
                };
                [*op, e.lay(inner, cx).as_str()].concat()
            }
        }
    }
}

/// `{head}{open}items{close}` on one line, if the items take at most `limit` columns
/// and the line fits at `shape`.
fn one_line(
    head: &str,
    brackets: [&str; 2],
    items: &[Expr],
    limit: usize,
    shape: Shape,
) -> Option<String> {
    // The text is tried as one line, at most `MAX_WIDTH` columns: twice that in bytes
    // holds nearly every try without growing (a longer one grows, or stops at the cap).
    let mut text = String::with_capacity(head.len() + 2 * MAX_WIDTH);
    text.push_str(head);
    text.push_str(brackets[0]);
    // A line is at most `MAX_WIDTH` columns of at most 4 bytes each.
    if !flat_list_into(&mut text, items, 4 * MAX_WIDTH) {
        return None;
    }
    text.push_str(brackets[1]);
    let inner = width(&text) - width(head) - 2;
    (items.is_empty() || inner <= limit && shape.offset + width(&text) + shape.tail <= MAX_WIDTH)
        .then_some(text)
}

/// `head(args)` at `shape`.
fn call(head: &str, args: &[Expr], macro_call: bool, shape: Shape, cx: &Attempts) -> String {
    list(head, PARENS, args, CALL_WIDTH, !macro_call, shape, cx)
}

const PARENS: [&str; 2] = ["(", ")"];
const BRACKETS: [&str; 2] = ["[", "]"];

/// `head(items)` or `head[items]` at `shape`: on one line if the items take at most
/// `limit` columns and the line fits; else a single call, chain, array, struct or
/// block item continues on the line of the list, broken inside (a call or array that
/// would fit on the line is broken all the same, as the items of this one were too
/// wide); else an item per line.
fn list(
    head: &str,
    brackets: [&str; 2],
    items: &[Expr],
    limit: usize,
    trailing: bool,
    shape: Shape,
    cx: &Attempts,
) -> String {
    if let Some(text) = one_line(head, brackets, items, limit, shape) {
        return text;
    }
    overflowed(head, brackets, items, shape, true, cx)
        .unwrap_or_else(|| broken(head, brackets, items, trailing, shape, cx))
}

/// `head(only` ... `)`: the single item `only` laid out from the list's line, if it
/// can be and then takes more than one line; `force` breaks a call or array item even
/// where it would fit on one.
fn overflowed(
    head: &str,
    brackets: [&str; 2],
    items: &[Expr],
    shape: Shape,
    force: bool,
    cx: &Attempts,
) -> Option<String> {
    let [only] = items else {
        return None;
    };
    if !only.overflows() {
        return None;
    }
    let inner = Shape {
        indent: shape.indent,
        offset: shape.offset + width(head) + 1,
        tail: shape.tail + 1,
    };
    let forced = |cx: &Attempts, text: &dyn Fn() -> String| cx.spend().then(text);
    let text = match only {
        Expr::Call {
            head,
            args,
            macro_call,
        } if force => forced(cx, &|| broken(head, PARENS, args, !macro_call, inner, cx))?,
        Expr::Array { prefix, items } if force => {
            forced(cx, &|| broken(prefix, BRACKETS, items, true, inner, cx))?
        }
        other => other.try_lay(inner, cx)?,
    };
    // rustfmt continues a chain on the list's line only where the chain's own first
    // line ends open (`self.scope.call(request(`), not with its links on lines below.
    let opens = first_line(&text).ends_with(['(', '[', '{']);
    let chain_ok = !matches!(only, Expr::Chain { .. }) || opens;
    (has_break(&text) && fits(&text, inner) && chain_ok)
        .then(|| [head, brackets[0], &text, brackets[1]].concat())
}

/// `head(items)` at `shape` with its single item overflowed (see [`list`]) or its items
/// on lines of their own.
fn broken(
    head: &str,
    brackets: [&str; 2],
    items: &[Expr],
    trailing: bool,
    shape: Shape,
    cx: &Attempts,
) -> String {
    if let Some(text) = overflowed(head, brackets, items, shape, false, cx) {
        return text;
    }
    let [open, close] = brackets;
    if items.is_empty() {
        return [head, open, close].concat();
    }
    [
        head,
        open,
        &vertical(items, shape.indent, trailing, cx),
        close,
    ]
    .concat()
}

/// rustfmt's `short_array_element_width_threshold`: simple items at most this wide
/// share lines when their list breaks.
const SHORT_ITEM: usize = 10;

/// The items of a broken list, between its brackets: each on a line of its own one
/// level deeper than `indent` with a comma (none after the last without `trailing`),
/// or, when all are short and simple, as many to a line as fit.
fn vertical(items: &[Expr], indent: usize, trailing: bool, cx: &Attempts) -> String {
    let inner = indent + 4;
    let pad = " ".repeat(inner);
    let mut out = String::from("\n");
    let last = items.len().saturating_sub(1);
    let mixed = items
        .iter()
        .all(|i| i.simple() && width(&i.flat()) <= SHORT_ITEM);
    if mixed {
        let mut line = String::new();
        for (i, item) in items.iter().enumerate() {
            let text = item.flat();
            let comma = if i < last || trailing { "," } else { "" };
            if !line.is_empty() && inner + width(&line) + 1 + width(&text) + comma.len() > MAX_WIDTH
            {
                out.push_str(&pad);
                out.push_str(line.trim_end());
                out.push('\n');
                line.clear();
            }
            line.push_str(&text);
            line.push_str(comma);
            line.push(' ');
        }
        out.push_str(&pad);
        out.push_str(line.trim_end());
        out.push('\n');
    } else {
        for (i, item) in items.iter().enumerate() {
            let comma = if i < last || trailing { "," } else { "" };
            out.push_str(&pad);
            out.push_str(&item.lay(Shape::line(inner, comma.len()), cx));
            out.push_str(comma);
            out.push('\n');
        }
    }
    out.push_str(&" ".repeat(indent));
    out
}

/// rustfmt's `array_width`: the widest array kept on one line.
const ARRAY_WIDTH: usize = 60;

/// `prefix[items]` at `shape`.
fn array(prefix: &str, items: &[Expr], shape: Shape, cx: &Attempts) -> String {
    list(prefix, BRACKETS, items, ARRAY_WIDTH, true, shape, cx)
}

/// rustfmt's `struct_lit_width`: the widest field list of a struct literal kept on one
/// line.
const STRUCT_LIT_WIDTH: usize = 18;

/// `head { fields, ..base }` at `shape`: on one line when short, else a field per line.
fn struct_lit(
    head: &str,
    fields: &[(String, Expr)],
    base: Option<&str>,
    shape: Shape,
    cx: &Attempts,
) -> String {
    if fields.is_empty() && base.is_none() {
        return format!("{head} {{}}");
    }
    // Blocks always take lines of their own; otherwise the literal on one line, up to
    // the longest line can be.
    let mut flat = String::new();
    let blockless = fields.iter().all(|(_, v)| !matches!(v, Expr::Block { .. }));
    if blockless && !struct_flat_into(&mut flat, head, fields, base, 4 * MAX_WIDTH) {
        flat.clear();
    }
    let inner_width = width(&flat).saturating_sub(width(head) + 4);
    if !flat.is_empty() && inner_width <= STRUCT_LIT_WIDTH && fits(&flat, shape) {
        return flat;
    }
    let inner = shape.indent + 4;
    let pad = " ".repeat(inner);
    let mut out = format!("{head} {{\n");
    for (name, value) in fields {
        out.push_str(&pad);
        out.push_str(&field(name, value, inner, cx));
        out.push_str(",\n");
    }
    if let Some(b) = base {
        out.push_str(&pad);
        out.push_str("..");
        out.push_str(b);
        out.push('\n');
    }
    out.push_str(&" ".repeat(shape.indent));
    out.push('}');
    out
}

/// `name: value` of a struct literal laid out a field per line, at `indent`: the value
/// after the colon, or on the next line when only there it fits on one.
fn field(name: &str, value: &Expr, indent: usize, cx: &Attempts) -> String {
    let lead = format!("{name}: ");
    let same = Shape {
        indent,
        offset: indent + width(&lead),
        tail: 1,
    };
    match value.try_lay(same, cx) {
        Some(text) => [lead.as_str(), &text].concat(),
        None => match value.try_lay(Shape::line(indent + 4, 1), cx) {
            Some(text) if !has_break(&text) => {
                format!("{name}:\n{}{text}", " ".repeat(indent + 4))
            }
            _ => [lead.as_str(), &value.lay(same, cx)].concat(),
        },
    }
}

/// `{ stmts value }` with its statements on lines of their own, one level deeper than
/// `indent`.
fn block(stmts: &[Stmt], value: &Expr, indent: usize, cx: &Attempts) -> String {
    let inner = indent + 4;
    let pad = " ".repeat(inner);
    let mut out = String::from("{\n");
    for s in stmts {
        out.push_str(&pad);
        out.push_str(&s.lay(inner, cx));
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str(&value.lay(Shape::line(inner, 0), cx));
    out.push('\n');
    out.push_str(&" ".repeat(indent));
    out.push('}');
    out
}

impl Stmt {
    /// The statement at the start of a line indented by `indent`.
    fn lay(&self, indent: usize, cx: &Attempts) -> String {
        match self {
            Stmt::Let(name, value) => assignment(indent, &format!("let {name} ="), value, cx),
            Stmt::Assign(place, value) => assignment(indent, &format!("{place} ="), value, cx),
        }
    }
}

/// Whether a line holds only closing brackets (a broken call's `)`): a chain whose
/// root ends so continues at the root's indentation.
fn closes_block(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && t.chars().all(|c| matches!(c, ')' | ']' | '}'))
}

/// `root.links` at `shape`, following rustfmt's chain formatting: the root (with the
/// links a root of at most four columns keeps), then the links but the last on lines
/// of their own unless all fit on one, then the last on the line before it when that
/// reads better than on its own line.
fn chain(root: &Expr, links: &[Link], shape: Shape, cx: &Attempts) -> String {
    let mut head = root.lay(shape, cx);
    let mut rest = links;
    while width(&head) <= SHORT_ROOT
        && !has_break(&head)
        && let [first, tail @ ..] = rest
    {
        head.push_str(&first.flat());
        rest = tail;
    }
    let Some((last, middle)) = rest.split_last() else {
        return head;
    };
    // Links go one level deeper than the root, or level with it below a root that
    // ends with a closing bracket.
    let child = if has_break(&head)
        && closes_block(first_line(head.rsplit('\n').next().unwrap_or_default()))
    {
        shape.indent
    } else {
        shape.indent + 4
    };
    let middle: Vec<String> = middle
        .iter()
        .map(|l| {
            let text = l.expr.lay(Shape::line(child, l.tries.len()), cx);
            [&text, l.tries].concat()
        })
        .collect();
    let one_line = !has_break(&head) && middle.iter().all(|m| !has_break(m));
    let room = MAX_WIDTH.saturating_sub(shape.offset + shape.tail);
    let limit = if links.len() == 1 {
        room
    } else {
        room.min(CHAIN_WIDTH)
    };
    let almost = width(&head) + middle.iter().map(|m| width(m)).sum::<usize>() + last.tries.len();
    let budget = limit.saturating_sub(almost);
    let own_shape = Shape::line(child, shape.tail + last.tries.len());
    let mut same_line = None;
    if one_line && budget > 0 {
        let same = Shape {
            indent: shape.indent,
            offset: shape.offset + almost - last.tries.len(),
            tail: shape.tail + last.tries.len(),
        };
        if let Some(rw) = last.expr.try_lay(same, cx) {
            let fits_budget = width(first_line(&rw)) <= budget;
            if fits_budget && line_count(&rw) >= 5 {
                same_line = Some(rw);
            } else if fits_budget {
                let own = last.expr.try_lay(own_shape, cx);
                if own.is_none_or(|own| line_count(&own) >= line_count(&rw)) {
                    same_line = Some(rw);
                }
            }
        }
    }
    if let Some(rw) = same_line {
        return [&head, &middle.concat(), &rw, last.tries].concat();
    }
    let pad = " ".repeat(child);
    let mut out = head;
    for m in &middle {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(m);
    }
    out.push('\n');
    out.push_str(&pad);
    out.push_str(&last.expr.lay(own_shape, cx));
    out.push_str(last.tries);
    out
}

/// `let name = value;` at `indent`, the value where rustfmt puts it.
pub fn let_statement(indent: usize, name: &str, value: &Expr) -> String {
    assignment(indent, &format!("let {name} ="), value, &Attempts::new())
}

/// `lhs value;` (`lhs` ending in `=`) at `indent`, the value where rustfmt puts it.
fn assignment(indent: usize, lhs: &str, value: &Expr, cx: &Attempts) -> String {
    let same = Shape {
        indent,
        offset: indent + width(lhs) + 1,
        tail: 1,
    };
    let orig = value.try_lay(same, cx);
    if let Some(o) = &orig
        && !has_break(o)
    {
        return [lhs, " ", o, ";"].concat();
    }
    let next = value.try_lay(Shape::line(indent + 4, 1), cx);
    let newline = |n: &str| format!("{lhs}\n{}{n};", " ".repeat(indent + 4));
    match (orig, next) {
        (Some(o), Some(n)) if prefer_next_line(&o, &n) => newline(&n),
        (Some(o), _) => [lhs, " ", &o, ";"].concat(),
        (None, Some(n)) => newline(&n),
        (None, None) => format!("{lhs} {};", value.lay(same, cx)),
    }
}

/// rustfmt's choice between a value on the line of its `=` (`orig`) and on the next.
fn prefer_next_line(orig: &str, next: &str) -> bool {
    let opens = |t: &str, c: char| first_line(t).ends_with(c);
    !has_break(next)
        || line_count(orig) > line_count(next) + 1
        || ['(', '{', '[']
            .iter()
            .any(|&c| opens(orig, c) && !opens(next, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(t: &str) -> Expr {
        Expr::atom(t)
    }

    /// `self.scope.method(request(args))` as a method body at 8 columns.
    fn body(method: &str, request: &str, args: &[&str], more: &[&str]) -> String {
        let mut call_args = vec![Expr::call(request, args.iter().map(|x| a(x)).collect())];
        call_args.extend(more.iter().map(|x| a(x)));
        Expr::chain(
            a("self"),
            vec![Link::field(".scope"), Link::call(method, call_args, "")],
        )
        .write(Shape::line(8, 0))
    }

    // Each expected layout is rustfmt's (1.8, edition 2024, default options).
    #[test]
    fn chains_break_as_rustfmt_breaks_them() {
        assert_eq!(
            body(".call::<Empty>", "delete_request", &["id"], &[]),
            "self.scope.call::<Empty>(delete_request(id))"
        );
        assert_eq!(
            body(
                ".call_value::<Json<_>>",
                "create_request",
                &["account", "params"],
                &[]
            ),
            "self.scope\n            .call_value::<Json<_>>(create_request(account, params))"
        );
        assert_eq!(
            body(
                ".call::<Json<_>>",
                "list_environment_secrets_request",
                &["repository_id", "environment_name", "params"],
                &[]
            ),
            "self.scope.call::<Json<_>>(list_environment_secrets_request(\n            \
             repository_id,\n            environment_name,\n            params,\n        ))"
        );
        assert_eq!(
            body(
                ".page",
                "list_environment_secrets_request",
                &["repository_id", "environment_name", "params"],
                &["LIST_ENVIRONMENT_SECRETS_PAGER"]
            ),
            "self.scope.page(\n            list_environment_secrets_request(repository_id, \
             environment_name, params),\n            LIST_ENVIRONMENT_SECRETS_PAGER,\n        )"
        );
        assert_eq!(
            body(
                ".call_value::<Json<_>>",
                "get_environment_public_key_request",
                &["repository_id", "environment_name"],
                &[]
            ),
            "self.scope\n            .call_value::<Json<_>>(get_environment_public_key_request(\n                \
             repository_id,\n                environment_name,\n            ))"
        );
    }

    /// Nesting multiplies the layouts each level tries; the memo and the attempt
    /// budget keep a deep, wide expression cheap (without them this test does not
    /// finish), and every part is still written.
    #[test]
    fn deep_nesting_is_laid_out_in_bounded_work() {
        let mut e = Expr::atom("\"leaf\".to_owned()");
        for depth in 0..40 {
            let name = format!("crate_name::types::ALongTypeNameAtDepth{depth}");
            e = match depth % 4 {
                0 => Expr::call(format!("{name}::new"), vec![e, a("false"), a("12345")]),
                1 => Expr::Array {
                    prefix: "vec!",
                    items: vec![e.clone(), e],
                },
                2 => Expr::Struct {
                    head: name,
                    fields: vec![("field".to_string(), e)],
                    base: Some("Default::default()".to_string()),
                },
                _ => Expr::chain(e, vec![Link::call(".map", vec![a("f")], "?")]),
            };
        }
        let text = let_statement(4, "value", &e);
        assert_eq!(text.matches("\"leaf\".to_owned()").count(), 1 << 10);
        assert!(text.contains("ALongTypeNameAtDepth38"));
        assert!(text.ends_with(';'));
    }

    #[test]
    fn builder_chains_and_lets_break_as_rustfmt_breaks_them() {
        let spec = Expr::chain(
            Expr::call(
                "RequestSpec::new",
                vec![
                    a("Method::Post"),
                    a("\"/v1/accounts/{account}/bank_accounts\""),
                    a("path"),
                ],
            ),
            vec![
                Link::call(
                    ".query",
                    vec![
                        a("\"expand\""),
                        a("&params.expand"),
                        a("QueryStyle::Form { explode: true }"),
                    ],
                    "",
                ),
                Link::call(".json", vec![a("params")], ""),
            ],
        );
        assert_eq!(
            spec.write(Shape::line(4, 0)),
            "RequestSpec::new(Method::Post, \"/v1/accounts/{account}/bank_accounts\", path)\n        \
             .query(\"expand\", &params.expand, QueryStyle::Form { explode: true })\n        \
             .json(params)"
        );
        let path = Expr::macro_call(
            "format",
            vec![
                a("\"/v1/accounts/{}/bank_accounts/{}/and/some/more/{}\""),
                a("path::segment(account)?"),
                a("path::segment(id)?"),
                a("path::segment(&x.to_string())?"),
            ],
        );
        assert_eq!(
            let_statement(4, "path", &path),
            "let path = format!(\n        \"/v1/accounts/{}/bank_accounts/{}/and/some/more/{}\",\n        \
             path::segment(account)?,\n        path::segment(id)?,\n        \
             path::segment(&x.to_string())?\n    );"
        );
        let short = Expr::macro_call(
            "format",
            vec![
                a("\"/v1/accounts/{}/bank_accounts\""),
                a("path::segment(account)?"),
            ],
        );
        assert_eq!(
            let_statement(4, "path", &short),
            "let path = format!(\"/v1/accounts/{}/bank_accounts\", path::segment(account)?);"
        );
    }
}
