//! Code of a fixed shape, written as text.
//!
//! Most of `types.rs` is code whose shape never varies: a struct's `Serialize`,
//! `FromObject` and `Deserialize` impls and its `new`, a string enum's conversions.
//! Spelling those as tokens, then parsing the tokens with syn and printing the tree with
//! prettyplease was most of the generator's time on large specs. They are written here
//! as text instead, laid out as rustfmt lays them out (one line when it fits in
//! [`MAX_WIDTH`] columns, else one argument, field or list item per line), and stand in
//! the emitted tokens as one placeholder item each ([`Code::item`]), which
//! [`crate::format`] replaces with the text.
//!
//! Only names the generator made (identifiers through [`super::rust_type::ident`]) and
//! string literals escaped by `proc_macro2` go into the text, as in the token path: spec
//! text never becomes code.

use std::cell::RefCell;
use std::fmt::Write as _;

use proc_macro2::{Literal, TokenStream, TokenTree};
use quote::quote;

/// Lines longer than this are broken (rustfmt's default `max_width`).
pub const MAX_WIDTH: usize = 100;

/// The widest argument list of a call kept on one line (rustfmt's `fn_call_width`);
/// also the widest array kept on one line (`array_width`).
const CALL_WIDTH: usize = 60;

/// The macro name of a code block's placeholder item: `__generated_code!(N);`, `N`
/// being the block's index in [`super::Emitted::code`]. No identifier the generator
/// makes from spec text starts with two underscores, and no item it emits is a macro
/// call, so no other printed line can read like one.
pub const CODE_BLOCK: &str = "__generated_code";

/// The code blocks of one emitted part, collected while it is emitted.
#[derive(Debug, Default)]
pub struct Code {
    blocks: RefCell<Vec<String>>,
}

impl Code {
    /// The placeholder item of a block of top-level items (`text`, whole lines).
    pub fn item(&self, text: String) -> TokenStream {
        let mut blocks = self.blocks.borrow_mut();
        let n = Literal::usize_unsuffixed(blocks.len());
        blocks.push(text);
        let name = proc_macro2::Ident::new(CODE_BLOCK, proc_macro2::Span::call_site());
        quote! { #name!(#n); }
    }

    /// The placeholder statement of one statement `text` laid out for `indent`
    /// columns, its first line without them and the rest with them (as
    /// [`super::expr::let_statement`] writes it): the placeholder's own indentation
    /// takes their place.
    pub fn statement(&self, indent: usize, text: &str) -> TokenStream {
        let pad = " ".repeat(indent);
        let mut block = String::with_capacity(text.len() + 1);
        for (i, line) in text.lines().enumerate() {
            let line = match i {
                0 => line,
                _ => line.strip_prefix(pad.as_str()).unwrap_or(line),
            };
            block.push_str(line);
            block.push('\n');
        }
        self.item(block)
    }

    /// The blocks, in the order of their placeholders' numbers.
    pub fn into_blocks(self) -> Vec<String> {
        self.blocks.into_inner()
    }
}

/// What a parenthesized list holds, which decides how it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    /// A call's arguments: broken past [`CALL_WIDTH`] columns.
    Arguments,
    /// A signature's `name: Type` parameters (or a tuple variant's types): kept on
    /// one line while it fits; a parameter too long breaks its type's generics.
    Parameters,
}

/// Text of code being written, line by line.
#[derive(Debug, Default)]
pub struct Writer {
    text: String,
}

/// Columns `text` takes.
fn width(text: &str) -> usize {
    text.chars().count()
}

/// Whether a line of `texts` at `indent` columns fits in [`MAX_WIDTH`].
fn fits(indent: usize, texts: &[&str]) -> bool {
    indent + texts.iter().map(|t| width(t)).sum::<usize>() <= MAX_WIDTH
}

impl Writer {
    pub fn into_text(self) -> String {
        self.text
    }

    /// One line at `indent` columns.
    pub fn line(&mut self, indent: usize, text: &str) {
        self.text.extend(std::iter::repeat_n(' ', indent));
        self.text.push_str(text);
        self.text.push('\n');
    }

    /// [`Writer::line`] of formatted text, written in place.
    pub fn line_args(&mut self, indent: usize, text: std::fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        self.text.extend(std::iter::repeat_n(' ', indent));
        // Writing into a `String` cannot fail.
        let _ = self.text.write_fmt(text);
        self.text.push('\n');
    }

    /// `head {`, with the brace on a line of its own if it does not fit.
    pub fn open(&mut self, indent: usize, head: &str) {
        if fits(indent, &[head, " {"]) {
            self.line_args(indent, format_args!("{head} {{"));
        } else {
            self.line(indent, head);
            self.line(indent, "{");
        }
    }

    /// A `}` at each of `indents`, in order: the ends of nested blocks.
    pub fn close(&mut self, indents: &[usize]) {
        for &i in indents {
            self.line(i, "}");
        }
    }

    /// Each of `attrs` (whole attributes, `#[...]`) on its own line.
    pub fn attrs(&mut self, indent: usize, attrs: &[String]) {
        for a in attrs {
            self.line(indent, a);
        }
    }

    /// A call `head(args)tail`: on one line if it fits (and its arguments take at
    /// most [`CALL_WIDTH`] columns), else each argument on its own line (with a
    /// trailing comma) and `)tail` on the last.
    pub fn call(&mut self, indent: usize, head: &str, args: &[String], tail: &str) {
        self.parenthesized(indent, head, args, tail, List::Arguments);
    }

    /// A function signature `head(params)tail`, laid out like [`Writer::call`] but
    /// kept on one line whenever the line fits.
    pub fn signature(&mut self, indent: usize, head: &str, params: &[String], tail: &str) {
        self.parenthesized(indent, head, params, tail, List::Parameters);
    }

    /// `head(params) -> ret {`: [`Writer::signature`], with a return type too long for
    /// the line after the parameters broken as rustfmt breaks it: the brace on the
    /// next line, else the type's outermost generic arguments on lines of their own.
    pub fn fn_signature(&mut self, indent: usize, head: &str, params: &[String], ret: &str) {
        let joined = params.join(", ");
        if fits(indent, &[head, "(", &joined, ") -> ", ret, " {"]) {
            self.line_args(indent, format_args!("{head}({joined}) -> {ret} {{"));
            return;
        }
        self.line_args(indent, format_args!("{head}("));
        for p in params {
            self.typed_item(indent + 4, p);
        }
        // rustfmt keeps the brace on this line only within `MAX_WIDTH - indent`
        // columns (the indentation counts twice), and an `impl Trait<..>` type on it,
        // with the brace on the next line, up to 7 columns past `MAX_WIDTH` (measured,
        // rustfmt 1.8).
        let slack = if ret.starts_with("impl ") { 7 } else { 0 };
        if fits(2 * indent, &[") -> ", ret, " {"]) {
            self.line_args(indent, format_args!(") -> {ret} {{"));
        } else if indent + width(") -> ") + width(ret) <= MAX_WIDTH + slack {
            self.line_args(indent, format_args!(") -> {ret}"));
            self.line(indent, "{");
        } else {
            self.generic_lines(indent, ") -> ", ret, " {");
        }
    }

    /// `{lead}{ty}{end}` with `ty`'s outermost generic arguments on lines of their own,
    /// an argument too long broken the same way in turn.
    fn generic_lines(&mut self, indent: usize, lead: &str, ty: &str, end: &str) {
        let split = ty
            .split_once('<')
            .and_then(|(outer, rest)| Some((outer, rest.strip_suffix('>')?)));
        match split {
            Some((outer, inner)) if !fits(indent, &[lead, ty, end]) => {
                self.line_args(indent, format_args!("{lead}{outer}<"));
                for argument in generic_arguments(inner) {
                    self.generic_lines(indent + 4, "", argument, ",");
                }
                self.line_args(indent, format_args!(">{end}"));
            }
            _ => self.line_args(indent, format_args!("{lead}{ty}{end}")),
        }
    }

    fn parenthesized(
        &mut self,
        indent: usize,
        head: &str,
        args: &[String],
        tail: &str,
        list: List,
    ) {
        let joined = args.join(", ");
        let most = match list {
            List::Arguments => CALL_WIDTH,
            List::Parameters => MAX_WIDTH,
        };
        if args.is_empty()
            || width(&joined) <= most && fits(indent, &[head, "(", &joined, ")", tail])
        {
            self.line_args(indent, format_args!("{head}({joined}){tail}"));
        } else {
            self.line_args(indent, format_args!("{head}("));
            for a in args {
                if list == List::Parameters {
                    self.typed_item(indent + 4, a);
                } else {
                    self.line_args(indent + 4, format_args!("{a},"));
                }
            }
            self.line_args(indent, format_args!("){tail}"));
        }
    }

    /// `lhs = rhs;`, or with `rhs` on the next line, one level deeper, if only that
    /// fits (a line that fits neither way is left long, as rustfmt leaves it).
    pub fn assign(&mut self, indent: usize, lhs: &str, rhs: &str) {
        let one = fits(indent, &[lhs, " = ", rhs, ";"]);
        if one || !fits(indent + 4, &[rhs, ";"]) {
            self.line_args(indent, format_args!("{lhs} = {rhs};"));
        } else {
            self.line_args(indent, format_args!("{lhs} ="));
            self.line_args(indent + 4, format_args!("{rhs};"));
        }
    }

    /// `lhs = callee(args);`: on one line if it fits, else the call on the next line
    /// if it fits there on one line, else the call's arguments broken.
    pub fn assign_call(&mut self, indent: usize, lhs: &str, callee: &str, args: &[String]) {
        let flat = args.join(", ");
        let call = format!("{callee}({flat})");
        let short = width(&flat) <= CALL_WIDTH;
        if short && fits(indent, &[lhs, " = ", &call, ";"]) {
            self.line_args(indent, format_args!("{lhs} = {call};"));
        } else if short && fits(indent + 4, &[&call, ";"]) {
            self.line_args(indent, format_args!("{lhs} ="));
            self.line_args(indent + 4, format_args!("{call};"));
        } else {
            self.call(indent, &format!("{lhs} = {callee}"), args, ";");
        }
    }

    /// A match arm `pat => callee(args),`, or the call in a block of its own if the arm
    /// does not fit.
    pub fn arm_call(&mut self, indent: usize, pat: &str, callee: &str, args: &[String]) {
        let joined = args.join(", ");
        if width(&joined) <= CALL_WIDTH && fits(indent, &[pat, " => ", callee, "(", &joined, "),"])
        {
            self.line_args(indent, format_args!("{pat} => {callee}({joined}),"));
        } else {
            self.line_args(indent, format_args!("{pat} => {{"));
            self.call(indent + 4, callee, args, "");
            self.line(indent, "}");
        }
    }

    /// `head.a().b()tail` (`links` are `.a()`, `.b()`; `flat` the whole chain on one
    /// line, without `head`'s binding): on one line if it fits (rustfmt's
    /// `chain_width`), else a link per line, one level deeper.
    pub fn chain(&mut self, indent: usize, head: &str, links: &[&str], flat: &str, tail: &str) {
        let one = format!("{head}{}{tail}", links.concat());
        if width(flat) <= CALL_WIDTH && fits(indent, &[&one]) {
            self.line(indent, &one);
        } else {
            self.line(indent, head);
            let last = links.len().saturating_sub(1);
            for (i, link) in links.iter().enumerate() {
                let end = if i == last { tail } else { "" };
                self.line_args(indent + 4, format_args!("{link}{end}"));
            }
        }
    }

    /// A match arm whose value is a method chain `head.a().b()` too long for one
    /// line: the chain broken after `pat => head` if that fits, else in a block.
    pub fn arm_chain(&mut self, indent: usize, pat: &str, head: &str, links: &[&str]) {
        let flat = format!("{head}{}", links.concat());
        if width(&flat) <= CALL_WIDTH && fits(indent, &[pat, " => ", &flat, ","]) {
            self.line_args(indent, format_args!("{pat} => {flat},"));
        } else if fits(indent, &[pat, " => ", head]) {
            self.chain(indent, &format!("{pat} => {head}"), links, &flat, ",");
        } else {
            self.line_args(indent, format_args!("{pat} => {{"));
            self.chain(indent + 4, head, links, &flat, "");
            self.line(indent, "}");
        }
    }

    /// A match arm `pat => value,`, or the value in a block if it does not fit.
    pub fn arm(&mut self, indent: usize, pat: &str, value: &str) {
        if fits(indent, &[pat, " => ", value, ","]) {
            self.line_args(indent, format_args!("{pat} => {value},"));
        } else {
            self.line_args(indent, format_args!("{pat} => {{"));
            self.line(indent + 4, value);
            self.line(indent, "}");
        }
    }

    /// `impl<generics> trait for ty {` (or `impl ty {` without a trait), broken before
    /// `for` as rustfmt breaks it when it does not fit; the body follows at `indent + 4`.
    pub fn impl_open(&mut self, indent: usize, head: &str, ty: &str) {
        if head == "impl" {
            self.line_args(indent, format_args!("impl {ty} {{"));
        } else if fits(indent, &[head, " for ", ty, " {"]) {
            self.line_args(indent, format_args!("{head} for {ty} {{"));
        } else {
            self.line(indent, head);
            self.line_args(indent + 4, format_args!("for {ty}"));
            self.line(indent, "{");
        }
    }

    /// `head { a, b }` (a struct literal, `head` being `Self` or `Ok(Self`): on one
    /// line when its fields are short (rustfmt's `struct_lit_width`), else a field per
    /// line. A field is `name` or `name: value` text, or a call to break like
    /// [`Writer::call`] (`name: callee(args)tail`).
    pub fn struct_lit(&mut self, indent: usize, head: &str, fields: &[Field], close: &str) {
        const STRUCT_LIT_WIDTH: usize = 18;
        let flat: Vec<String> = fields.iter().map(Field::flat).collect();
        let inner = flat.join(", ");
        if fields.is_empty() {
            self.line_args(indent, format_args!("{head} {{}}{close}"));
            return;
        }
        let one = format!("{head} {{ {inner} }}{close}");
        let written = fields.iter().any(|f| matches!(f, Field::Written(_)));
        if !written && width(&inner) <= STRUCT_LIT_WIDTH && fits(indent, &[&one]) {
            self.line(indent, &one);
            return;
        }
        self.line_args(indent, format_args!("{head} {{"));
        for f in fields {
            self.field(indent + 4, f);
        }
        self.line_args(indent, format_args!("}}{close}"));
    }

    /// One field of a struct literal laid out a field per line, with its comma.
    pub fn field(&mut self, indent: usize, f: &Field) {
        let text = f.flat();
        match f {
            Field::Written(lines) => self.text.push_str(lines),
            Field::Call {
                name,
                callee,
                args,
                tail,
            } if !fits(indent, &[&text, ","]) || width(&args.join(", ")) > CALL_WIDTH => self.call(
                indent,
                &format!("{name}: {callee}"),
                args,
                &format!("{tail},"),
            ),
            // `name: value` too long: the value on the next line, if it fits there.
            Field::Text(_) if !fits(indent, &[&text, ","]) => match text.split_once(": ") {
                Some((name, value)) if fits(indent + 4, &[value, ","]) => {
                    self.line_args(indent, format_args!("{name}:"));
                    self.line_args(indent + 4, format_args!("{value},"));
                }
                _ => self.typed_item(indent, &text),
            },
            _ => self.line_args(indent, format_args!("{text},")),
        }
    }

    /// A list item `name: Type,` (a field, a parameter): on one line if it fits, else
    /// with the type's outermost generic argument on a line of its own.
    pub fn typed_item(&mut self, indent: usize, text: &str) {
        let generic = text
            .split_once(": ")
            .and_then(|(name, ty)| {
                let (outer, rest) = ty.split_once('<')?;
                Some((name, outer, rest.strip_suffix('>')?))
            })
            .filter(|_| !fits(indent, &[text, ","]));
        match generic {
            Some((name, outer, inner)) => {
                self.line_args(indent, format_args!("{name}: {outer}<"));
                for argument in generic_arguments(inner) {
                    self.line_args(indent + 4, format_args!("{argument},"));
                }
                self.line(indent, ">,");
            }
            None => self.line_args(indent, format_args!("{text},")),
        }
    }

    /// `lhs = &[items];`: on one line if it fits, else the array on the next line if it
    /// fits there, else an item per line.
    pub fn assign_list(&mut self, indent: usize, lhs: &str, items: &[String]) {
        let inner = items.join(", ");
        if width(&inner) <= CALL_WIDTH
            && !fits(indent, &[lhs, " = &[", &inner, "];"])
            && fits(indent + 4, &["&[", &inner, "];"])
        {
            self.line_args(indent, format_args!("{lhs} ="));
            self.line_args(indent + 4, format_args!("&[{inner}];"));
        } else {
            self.list(indent, &format!("{lhs} = &"), items, ";");
        }
    }

    /// `head[items]tail` (an array expression), one item per line if it does not fit.
    pub fn list(&mut self, indent: usize, head: &str, items: &[String], tail: &str) {
        let inner = items.join(", ");
        let one = format!("{head}[{inner}]{tail}");
        if width(&inner) <= CALL_WIDTH && fits(indent, &[&one]) {
            self.line(indent, &one);
        } else {
            self.line_args(indent, format_args!("{head}["));
            for i in items {
                self.line_args(indent + 4, format_args!("{i},"));
            }
            self.line_args(indent, format_args!("]{tail}"));
        }
    }
}

/// The top-level arguments of a generic argument list (`String, Map<K, V>` gives
/// `String` and `Map<K, V>`).
fn generic_arguments(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in list.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(list[start..].trim());
    out
}

/// A field of a struct literal ([`Writer::struct_lit`]).
pub enum Field {
    /// `name` or `name: value`, as is.
    Text(String),
    /// `name: callee(args)tail`.
    Call {
        name: String,
        callee: String,
        args: Vec<String>,
        tail: String,
    },
    /// Lines already laid out at the field's indentation, with the comma: the literal
    /// is then always written a field per line.
    Written(String),
}

impl Field {
    fn flat(&self) -> String {
        match self {
            Field::Text(t) | Field::Written(t) => t.clone(),
            Field::Call {
                name,
                callee,
                args,
                tail,
            } => format!("{name}: {callee}({}){tail}", args.join(", ")),
        }
    }
}

/// A one-line attribute as one line if it fits in [`MAX_WIDTH`] after `indent`
/// columns, else broken at the items of its innermost parenthesised list.
pub fn attribute_lines(text: &str, indent: usize) -> Vec<String> {
    if indent + text.len() <= MAX_WIDTH {
        return vec![text.to_string()];
    }
    let (Some(open), Some(close)) = (
        text.rfind('('),
        text.rfind('(')
            .and_then(|o| text[o..].find(')').map(|c| o + c)),
    ) else {
        return vec![text.to_string()];
    };
    let mut lines = vec![text[..=open].to_string()];
    let items: Vec<&str> = text[open + 1..close].split(", ").collect();
    let last = items.len() - 1;
    for (k, item) in items.into_iter().enumerate() {
        let comma = if k < last { "," } else { "" };
        lines.push(format!("    {item}{comma}"));
    }
    lines.push(text[close..].to_string());
    lines
}

/// A string literal of `value`, escaped as the token path escapes it.
pub fn string(value: &str) -> String {
    // Printable ASCII other than a quote or a backslash is written as it is.
    if value
        .bytes()
        .all(|b| matches!(b, b' '..=b'~') && b != b'"' && b != b'\\')
    {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('"');
        out.push_str(value);
        out.push('"');
        out
    } else {
        Literal::string(value).to_string()
    }
}

/// A type from its tokens ([`super::rust_type`]: a path with generic arguments),
/// spaced as rustfmt spaces it: `std::collections::BTreeMap<String, Vec<T>>`.
pub fn type_text(tokens: &TokenStream) -> String {
    let mut out = String::new();
    write_type(&mut out, tokens.clone());
    out
}

fn write_type(out: &mut String, tokens: TokenStream) {
    for tt in tokens {
        match &tt {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                    proc_macro2::Delimiter::Bracket => ("[", "]"),
                    proc_macro2::Delimiter::Brace => ("{", "}"),
                    proc_macro2::Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write_type(out, g.stream());
                out.push_str(close);
            }
            TokenTree::Punct(p) if p.as_char() == ',' => out.push_str(", "),
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literal written directly is the one the token path writes.
    #[test]
    fn string_literals_are_escaped_as_tokens_escape_them() {
        let samples = [
            "",
            "plain text",
            "a \"quoted\" word",
            "back\\slash",
            "tab\there",
            "line\nbreak",
            "it's",
            "\u{e9}t\u{e9}",
            "nul\0",
            "~^`{}|",
            "\u{7f}",
            "\u{202e}x",
            "{x}",
        ];
        for sample in samples {
            assert_eq!(
                string(sample),
                Literal::string(sample).to_string(),
                "{sample:?}"
            );
        }
        // Every printable ASCII character, alone and in a row.
        let ascii: String = (b' '..=b'~').map(char::from).collect();
        assert_eq!(string(&ascii), Literal::string(&ascii).to_string());
        for c in ascii.chars() {
            let one = c.to_string();
            assert_eq!(string(&one), Literal::string(&one).to_string(), "{c:?}");
        }
    }

    fn written(f: impl FnOnce(&mut Writer)) -> String {
        let mut w = Writer::default();
        f(&mut w);
        w.into_text()
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    // The expected layouts are rustfmt's (default settings) for the same code.

    #[test]
    fn a_call_breaks_when_its_arguments_are_wider_than_rustfmt_keeps() {
        let args = strings(&[
            "\"afterpay_clearpay_payments\"",
            "&self.afterpay_clearpay_payments",
        ]);
        assert_eq!(
            written(|w| w.call(8, "object.optional", &args, ";")),
            "        object.optional(\n            \"afterpay_clearpay_payments\",\n            &self.afterpay_clearpay_payments,\n        );\n"
        );
        let args = strings(&["\"id\"", "&self.id"]);
        assert_eq!(
            written(|w| w.call(8, "object.field", &args, ";")),
            "        object.field(\"id\", &self.id);\n"
        );
    }

    #[test]
    fn a_signature_stays_on_one_line_while_it_fits() {
        let params = strings(&[
            "a_long_parameter_name: String",
            "another_long_parameter_name: Vec<String>",
        ]);
        assert_eq!(
            written(|w| w.signature(4, "pub fn new", &params, " -> Self {")),
            "    pub fn new(a_long_parameter_name: String, another_long_parameter_name: Vec<String>) -> Self {\n"
        );
    }

    #[test]
    fn an_assigned_call_moves_to_the_next_line_before_its_arguments_break() {
        let args = strings(&[
            "serializer",
            "\"CheckoutUsBankAccountPaymentMethodOptions\"",
            "3",
        ]);
        assert_eq!(
            written(|w| w.assign_call(8, "let mut object", "ser::Object::new", &args)),
            "        let mut object =\n            ser::Object::new(serializer, \"CheckoutUsBankAccountPaymentMethodOptions\", 3);\n"
        );
        // Too long for either: left long, as rustfmt leaves it.
        let name = format!("\"{}\"", "N".repeat(95));
        assert_eq!(
            written(|w| w.assign(4, "const NAME: &'static str", &name)),
            format!("    const NAME: &'static str = {name};\n")
        );
    }

    #[test]
    fn struct_literals_and_arms_follow_rustfmt_widths() {
        let short = [Field::Text("a".into()), Field::Text("b: None".into())];
        assert_eq!(
            written(|w| w.struct_lit(8, "Self", &short, "")),
            "        Self { a, b: None }\n"
        );
        let long = [
            Field::Text("status".into()),
            Field::Call {
                name: "pending_verification_documents".into(),
                callee: "de::required".into(),
                args: strings(&[
                    "f_pending_verification_documents",
                    "\"pending_verification_documents\"",
                ]),
                tail: "?".into(),
            },
        ];
        assert_eq!(
            written(|w| w.struct_lit(8, "Ok(Self", &long, ")")),
            "        Ok(Self {\n            status,\n            pending_verification_documents: de::required(\n                f_pending_verification_documents,\n                \"pending_verification_documents\",\n            )?,\n        })\n"
        );
        let args = strings(&["&mut map", "&mut f_pending_verification"]);
        assert_eq!(
            written(|w| w.arm_call(16, "\"pending_verification\"", "de::read_some", &args)),
            "                \"pending_verification\" => de::read_some(&mut map, &mut f_pending_verification),\n"
        );
        let args = strings(&["&mut map", "&mut f_pending_verification_documents"]);
        assert_eq!(
            written(|w| w.arm_call(
                16,
                "\"pending_verification_documents\"",
                "de::read_some",
                &args
            )),
            "                \"pending_verification_documents\" => {\n                    de::read_some(&mut map, &mut f_pending_verification_documents)\n                }\n"
        );
    }

    #[test]
    fn a_long_impl_header_breaks_before_for() {
        let ty = "CustomerBalanceResourceCashBalanceTransactionResourceAdjustedForOverdraftLinkedTransaction";
        assert_eq!(
            written(|w| w.impl_open(0, "impl<'de> Deserialize<'de>", ty)),
            format!("impl<'de> Deserialize<'de>\n    for {ty}\n{{\n")
        );
    }

    #[test]
    fn a_field_too_long_breaks_its_generic_arguments_one_per_line() {
        let field = "pub additional_properties: std::collections::BTreeMap<String, serde_json::Map<String, serde_json::Value>>";
        assert_eq!(
            written(|w| w.typed_item(4, field)),
            "    pub additional_properties: std::collections::BTreeMap<\n        String,\n        serde_json::Map<String, serde_json::Value>,\n    >,\n"
        );
        assert_eq!(
            written(|w| w.typed_item(4, "pub a: Option<B>")),
            "    pub a: Option<B>,\n"
        );
    }

    #[test]
    fn types_are_spaced_like_rustfmt() {
        let ty = quote! { std::collections::BTreeMap<String, Vec<crate::Nullable<Foo>>> };
        assert_eq!(
            type_text(&ty),
            "std::collections::BTreeMap<String, Vec<crate::Nullable<Foo>>>"
        );
    }
}
