//! Doc comments from spec text.
//!
//! Spec descriptions are Markdown written for web pages; rustdoc would compile their
//! unlabelled code blocks as Rust doctests and warn on bare URLs and stray brackets.
//! This module makes them safe without losing their content.

use proc_macro2::TokenStream;
use quote::quote;

use std::cell::RefCell;

use super::{DOC_BLOCK, DocBlock};

/// The doc blocks of one emitted part, collected while it is emitted: each block
/// stands in the tokens as one short placeholder attribute (see [`super::Emitted`]),
/// and [`crate::format`] writes its lines into the printed text as the `///` lines
/// prettyplease would have printed for `#[doc = "..."]` attributes. The text is the
/// same; parsing and printing thousands of doc attributes is what is saved.
#[derive(Debug, Default)]
pub struct Docs {
    blocks: RefCell<Vec<DocBlock>>,
}

impl Docs {
    /// Outer docs from spec text, which goes through [`sanitize`], so none of it can
    /// become a doctest.
    pub fn attrs(&self, text: &str) -> TokenStream {
        self.push(
            DocBlock {
                lines: sanitize(text),
                example: None,
            },
            false,
        )
    }

    /// Outer docs holding the generator's own `no_run` example, `code` being the lines
    /// of an `async fn example()`.
    #[cfg(test)]
    pub fn example(&self, code: Vec<String>) -> TokenStream {
        self.push(
            DocBlock {
                lines: Vec::new(),
                example: Some(code),
            },
            false,
        )
    }

    /// Inner (`//!`) docs: `text` is spec text (see [`Docs::attrs`]), then, after a blank
    /// line, the generator's own example, if any.
    pub fn inner(&self, text: &str, example: Option<Vec<String>>) -> TokenStream {
        self.push(
            DocBlock {
                lines: sanitize(text),
                example,
            },
            true,
        )
    }

    /// Outer docs from spec text as the line that stands for them in code written as
    /// text (see [`super::code`]): the line prettyplease prints for the placeholder
    /// attribute [`Docs::attrs`] returns. `None` for blank text.
    pub fn line(&self, text: &str) -> Option<String> {
        let n = self.block(DocBlock {
            lines: sanitize(text),
            example: None,
        })?;
        Some(format!("///{DOC_BLOCK}{n}"))
    }

    /// [`Docs::example`] as the line that stands for it in code written as text (see
    /// [`Docs::line`]).
    pub fn example_line(&self, code: Vec<String>) -> String {
        let block = DocBlock {
            lines: Vec::new(),
            example: Some(code),
        };
        // A block with an example is never empty.
        let n = self.block(block).unwrap_or_default();
        format!("///{DOC_BLOCK}{n}")
    }

    /// The number of a new block, `None` (and nothing kept) for an empty one.
    fn block(&self, block: DocBlock) -> Option<usize> {
        if block.lines.is_empty() && block.example.is_none() {
            return None;
        }
        let mut blocks = self.blocks.borrow_mut();
        blocks.push(block);
        Some(blocks.len() - 1)
    }

    fn push(&self, block: DocBlock, inner: bool) -> TokenStream {
        let Some(n) = self.block(block) else {
            return TokenStream::new();
        };
        let placeholder = format!("{DOC_BLOCK}{n}");
        if inner {
            quote! { #![doc = #placeholder] }
        } else {
            quote! { #[doc = #placeholder] }
        }
    }

    /// The blocks, in the order of their placeholders' numbers.
    pub fn into_blocks(self) -> Vec<DocBlock> {
        self.blocks.into_inner()
    }
}

/// `#[doc = "..."]` attributes, one per line, as prettyplease prints them as `///`:
/// what [`Docs::attrs`] must print the same as (see `format`'s tests). `text` is spec
/// text: it goes through [`sanitize`], so none of it can become a doctest.
#[cfg(test)]
pub fn attrs(text: &str) -> TokenStream {
    let attrs = sanitize(text).into_iter().map(|l| {
        let l = if l.is_empty() { l } else { format!(" {l}") };
        quote! { #[doc = #l] }
    });
    quote! { #(#attrs)* }
}

/// Joins optional parts into one doc text with blank lines between them.
pub fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Spec text shown inside a one-line code span: backticks become `'`, and line
/// breaks and other control characters are written as escapes, so the text can
/// neither end the span nor start a block.
pub fn code_span(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '`' => out.push('\''),
            c if c.is_control() || is_bidi(c) || matches!(c, '\u{2028}' | '\u{2029}') => {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    out
}

/// Bidirectional formatting characters: rustc rejects them in comments and literals
/// (they can make code read differently from how it compiles).
fn is_bidi(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Spec text with line breaks normalised to `\n` (a bare carriage return ends a line;
/// rustc rejects it in a doc comment) and other control characters and bidirectional
/// formatting characters dropped.
pub fn clean(text: &str) -> String {
    // Most text is printable ASCII with plain line breaks, which stays as it is.
    if text
        .bytes()
        .all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t'))
    {
        text.to_string()
    } else {
        clean_chars(text)
    }
}

/// [`clean`], a character at a time.
fn clean_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\u{2028}' | '\u{2029}' | '\u{85}' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || is_bidi(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Rewrites spec Markdown so rustdoc renders it without compiling or warning about it.
///
/// No text from the spec may become a doctest, and that holds by construction, not by
/// a list of bad info strings:
/// - every fenced block (backticks or tildes, any info string) is written as a
///   ```` ```text ```` block whose fence is longer than any backtick run inside it, so
///   its content cannot close it early;
/// - indented blocks after a blank line are written the same way;
/// - in running text, every run of three or more backticks or tildes is escaped, so
///   no fence can open inside a block quote, list item or anywhere else;
/// - the result is then parsed as CommonMark (the parser rustdoc uses, with its options
///   and with all extensions); if any code block other than the `text` blocks written
///   here remains (an indented block in a list or quote, say), the whole text becomes
///   one `text` block instead.
///
/// Bare URLs get angle brackets, brackets that would read as intra-doc links are
/// escaped, and control characters are dropped (see [`clean`]).
pub fn sanitize(text: &str) -> Vec<String> {
    let text = clean(text);
    let lines: Vec<&str> = text.trim().lines().map(str::trim_end).collect();
    let out = rewrite(&lines);
    if cannot_hold_code(&out) || only_text_blocks(&out) {
        out
    } else {
        text_block(&lines, "")
    }
}

/// `lines` as one `text` block indented by `indent`, with a fence no line can close.
fn text_block(lines: &[&str], indent: &str) -> Vec<String> {
    let longest = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut out = Vec::with_capacity(lines.len() + 2);
    out.push(format!("{indent}{fence}text"));
    out.extend(lines.iter().map(|l| l.to_string()));
    out.push(format!("{indent}{fence}"));
    out
}

fn longest_run(line: &str, c: char) -> usize {
    let mut best = 0;
    let mut run = 0;
    for x in line.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// The fence a line opens, if it is a fence line: its character and length.
fn fence_open(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start();
    let c = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let n = trimmed.chars().take_while(|&x| x == c).count();
    let info = &trimmed[n..];
    (n >= 3 && !(c == '`' && info.contains('`'))).then_some((c, n))
}

fn fence_closes(line: &str, c: char, n: usize) -> bool {
    let t = line.trim();
    t.chars().count() >= n && t.chars().all(|x| x == c)
}

fn rewrite(lines: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut prev_blank = true;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some((c, n)) = fence_open(line) {
            let indent = &line[..line.len() - trimmed.len()];
            let end = (i + 1..lines.len()).find(|&j| fence_closes(lines[j], c, n));
            out.extend(text_block(
                &lines[i + 1..end.unwrap_or(lines.len())],
                indent,
            ));
            i = end.map_or(lines.len(), |e| e + 1);
            prev_blank = false;
            continue;
        }
        let indented = |l: &str| l.starts_with("    ") || l.starts_with('\t');
        if indented(line)
            && prev_blank
            && !trimmed.starts_with(['-', '*', '+'])
            && !trimmed.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            let mut end = i;
            while end < lines.len() && (indented(lines[end]) || lines[end].is_empty()) {
                end += 1;
            }
            let mut last = end;
            while lines[last - 1].is_empty() {
                last -= 1;
            }
            let body: Vec<&str> = lines[i..last]
                .iter()
                .map(|l| {
                    l.strip_prefix("    ")
                        .or_else(|| l.strip_prefix('\t'))
                        .unwrap_or(l)
                })
                .collect();
            out.extend(text_block(&body, ""));
            // Blank lines after the block stay after it.
            i = last;
            prev_blank = false;
            continue;
        }
        prev_blank = line.is_empty();
        out.push(escape_prose(line));
        i += 1;
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// Whether `lines` cannot hold a code block of any kind, decided without parsing: in
/// CommonMark a fenced block needs a run of three backticks or tildes, and an indented
/// block needs four columns of indentation beyond its container's markers, that is a
/// tab or four spaces in a row. Most descriptions are plain prose, and this check is
/// far cheaper than [`only_text_blocks`], which decides the rest.
fn cannot_hold_code(lines: &[String]) -> bool {
    lines.iter().all(|l| {
        // The longest run of each marker: four spaces, or three backticks or tildes.
        let (mut run, mut of) = (0, 0u8);
        l.bytes().all(|b| {
            run = if b == of { run + 1 } else { 1 };
            of = b;
            b != b'\t' && !(b == b' ' && run >= 4) && !(matches!(b, b'`' | b'~') && run >= 3)
        })
    })
}

/// Whether the only code blocks in `lines`, read as CommonMark the way rustdoc reads
/// doc comments (and again with every extension on), are `text` blocks.
fn only_text_blocks(lines: &[String]) -> bool {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};
    let text = lines.join("\n");
    let rustdoc = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION;
    [rustdoc, Options::all()].into_iter().all(|options| {
        Parser::new_ext(&text, options).all(|event| match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => &*info == "text",
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => false,
            _ => true,
        })
    })
}

/// Escapes what rustdoc would misread in running text. Everything it looks for is
/// ASCII, so it walks bytes and copies the text between them whole.
fn escape_prose(line: &str) -> String {
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    // `line[copied..i]` is still to be copied as it is.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !matches!(b, b'`' | b'~' | b'h' | b'[' | b']' | b'<') {
            i += 1;
            continue;
        }
        // A run of three or more backticks or tildes could open a fence (in a list
        // item or block quote too): each of its characters is escaped.
        let run = if matches!(b, b'`' | b'~') {
            bytes[i..].iter().take_while(|&&x| x == b).count()
        } else {
            0
        };
        if run >= 3 {
            out.push_str(&line[copied..i]);
            for _ in 0..run {
                out.push('\\');
                out.push(char::from(b));
            }
            i += run;
            copied = i;
            continue;
        }
        if b == b'`' {
            in_code = !in_code;
            i += 1;
            continue;
        }
        if in_code {
            i += 1;
            continue;
        }
        let rest = &line[i..];
        // Bare URLs: wrap in <...> unless already in a Markdown link or autolink.
        if rest.starts_with("http://") || rest.starts_with("https://") {
            out.push_str(&line[copied..i]);
            let end = rest
                .char_indices()
                .find(|&(_, c)| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | ']'))
                .map_or(line.len(), |(at, _)| i + at);
            let url = line[i..end].trim_end_matches(['.', ',', ';', ':']);
            let trail = &line[i + url.len()..end];
            // The character before: `(` and `<` are ASCII, so a byte tells.
            let linked = i > 0 && matches!(bytes[i - 1], b'(' | b'<');
            if linked {
                out.push_str(url);
            } else {
                out.push('<');
                out.push_str(url);
                out.push('>');
            }
            out.push_str(trail);
            i = end;
            copied = i;
            continue;
        }
        let escaped = match b {
            // `[text](url)` links stay; lone brackets are escaped so rustdoc does not
            // look for an item of that name.
            b'[' => {
                let close = rest[1..].find(']').map(|j| i + 1 + j);
                let is_link = close.is_some_and(|j| bytes.get(j + 1) == Some(&b'('));
                (!is_link).then_some("\\[")
            }
            b']' => (bytes.get(i + 1) != Some(&b'(')).then_some("\\]"),
            b'<' => {
                // HTML-looking tags are kept only for a few harmless ones.
                let ok = [
                    "<br", "<b>", "</b>", "<i>", "</i>", "<p>", "</p>", "<code>", "</code>", "<a ",
                    "</a>", "<ul>", "</ul>", "<li>", "</li>",
                ]
                .iter()
                .any(|t| rest.starts_with(t));
                (!ok).then_some("&lt;")
            }
            _ => None,
        };
        if let Some(escaped) = escaped {
            out.push_str(&line[copied..i]);
            out.push_str(escaped);
            copied = i + 1;
        }
        i += 1;
    }
    out.push_str(&line[copied..]);
    if in_code {
        // An unbalanced backtick would swallow the rest of the doc.
        out.push('`');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whenever the cheap check says a text holds no code block, CommonMark agrees.
    #[test]
    fn text_without_code_markers_holds_no_code_block() {
        let markers = [
            "", "- ", "1. ", "> ", ">> ", "* ", "10) ", "   ", "  - ", "- > ", "> - ",
        ];
        let bodies = [
            "x",
            "   x",
            "  `x`",
            "``x``",
            "<pre>x</pre>",
            "   - x",
            "---",
            "# x",
        ];
        let mut checked = 0;
        for a in markers {
            for b in bodies {
                for c in markers {
                    for blank in [false, true] {
                        let lines = vec![
                            format!("{a}{b}"),
                            if blank {
                                String::new()
                            } else {
                                "y".to_string()
                            },
                            format!("{c}{b}"),
                            format!("   {c}{a}{b}"),
                        ];
                        if cannot_hold_code(&lines) {
                            checked += 1;
                            assert!(only_text_blocks(&lines), "{lines:?}");
                        }
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        // And it leaves the rest to the parser.
        assert!(!cannot_hold_code(&["-     code".to_string()]));
        assert!(!cannot_hold_code(&["\tcode".to_string()]));
        assert!(!cannot_hold_code(&["~~~".to_string()]));
    }

    #[test]
    fn plain_fences_become_text() {
        assert_eq!(sanitize("a\n```\nx\n```"), vec!["a", "```text", "x", "```"]);
        assert_eq!(
            sanitize("```bash\ncurl\n```"),
            vec!["```text", "curl", "```"]
        );
    }

    /// Every kind of fence the spec can write comes out as a `text` block or escaped
    /// text, and the result has no other code block.
    #[test]
    fn no_fence_from_spec_text_stays_rust() {
        let cases = [
            "```edition2021\nx\n```",
            "```text,rust\nx\n```",
            "``` should_panic\nx\n```",
            "~~~\nx\n~~~",
            "````\n```\nx\n````",
            "> quoted:\n>\n> ```rust\n> x\n> ```",
            "- item\n\n  ~~~standalone_crate\n  x\n  ~~~",
            "- item\n\n      x",
            "> a\n>\n>     x",
            "text\n\n    - x",
            "```\nunclosed",
            "a\r```\rx\r```",
        ];
        for case in cases {
            let lines = sanitize(case);
            assert!(only_text_blocks(&lines), "{case:?} gave {lines:?}");
            assert!(
                lines
                    .iter()
                    .all(|l| !l.contains("```rust") && !l.contains('\r')),
                "{case:?} gave {lines:?}"
            );
        }
        assert_eq!(
            sanitize("````\n```\nx\n````"),
            vec!["````text", "```", "x", "````"]
        );
        assert_eq!(sanitize("> ~~~\n> x"), vec!["> \\~\\~\\~", "> x"]);
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(sanitize("a\u{202E}b\u{7}c\rd"), vec!["abc", "d"]);
        assert_eq!(code_span("a`\nb"), "a'\\u{a}b");
    }

    #[test]
    fn indented_blocks_are_fenced() {
        assert_eq!(
            sanitize("a\n\n    let x = 1;\n\nb"),
            vec!["a", "", "```text", "let x = 1;", "```", "", "b"]
        );
    }

    #[test]
    fn urls_and_brackets() {
        assert_eq!(
            sanitize("See https://x.io/a."),
            vec!["See <https://x.io/a>."]
        );
        assert_eq!(
            sanitize("[docs](https://x.io)"),
            vec!["[docs](https://x.io)"]
        );
        assert_eq!(
            sanitize("an [array] of <T>"),
            vec!["an \\[array\\] of &lt;T>"]
        );
        assert_eq!(sanitize("`[x]` stays"), vec!["`[x]` stays"]);
    }

    /// Strings made of pieces that [`escape_prose`] and [`clean`] treat specially
    /// (multi-byte characters and Unicode white space among them): every string of up
    /// to three pieces, then longer ones picked by a fixed pseudo-random sequence.
    fn prose_samples() -> Vec<String> {
        const PIECES: [&str; 24] = [
            "`",
            "``",
            "~",
            "~~~",
            "h",
            "http://a.b",
            "https://x.io/a.",
            "https://y,",
            "[",
            "]",
            "(",
            "<",
            "<b>",
            "</code>",
            "<a ",
            "\u{e9}",
            "\u{a0}",
            "\u{2003}",
            " ",
            "x",
            ")",
            "'",
            "\r\n",
            "\u{202e}",
        ];
        let mut out = vec![String::new()];
        for a in PIECES {
            out.push(a.to_string());
            for b in PIECES {
                out.push(format!("{a}{b}"));
                for c in PIECES {
                    out.push(format!("{a}{b}{c}"));
                }
            }
        }
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            for _ in 0..4 + (state >> 60) {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                text.push_str(PIECES[(state >> 33) as usize % PIECES.len()]);
            }
            out.push(text);
        }
        out
    }

    /// The one pass over each line finds what looking for each marker finds.
    #[test]
    fn code_markers_are_found_in_one_pass() {
        let by_search = |l: &str| {
            !l.contains('\t') && !l.contains("    ") && !l.contains("```") && !l.contains("~~~")
        };
        let pieces = [
            "", " ", "  ", "   ", "\t", "`", "``", "~", "~~", "x", "\u{e9}", "`~",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    for d in pieces {
                        let line = format!("{a}{b}{c}{d}");
                        let lines = [line.clone()];
                        assert_eq!(cannot_hold_code(&lines), by_search(&line), "{line:?}");
                    }
                }
            }
        }
        assert!(!cannot_hold_code(&["a".into(), "b    c".into()]));
        assert!(cannot_hold_code(&[]));
    }

    /// The byte-wise escaping gives what the first version, written a character at a
    /// time, gave; the fast path of cleaning gives what cleaning a character at a time
    /// gives.
    #[test]
    fn prose_is_escaped_and_cleaned_as_a_character_at_a_time() {
        for text in prose_samples() {
            assert_eq!(clean(&text), clean_chars(&text), "clean {text:?}");
            let line = clean_chars(&text).replace('\n', " ");
            assert_eq!(
                escape_prose(&line),
                escape_prose_by_chars(&line),
                "escape_prose {line:?}"
            );
        }
    }

    fn escape_prose_by_chars(line: &str) -> String {
        let mut out = String::with_capacity(line.len() + 8);
        let mut in_code = false;
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            // A run of three or more backticks or tildes could open a fence (in a list
            // item or block quote too): each of its characters is escaped.
            let run = if matches!(c, '`' | '~') {
                chars[i..].iter().take_while(|&&x| x == c).count()
            } else {
                0
            };
            if run >= 3 {
                for _ in 0..run {
                    out.push('\\');
                    out.push(c);
                }
                i += run;
                continue;
            }
            if c == '`' {
                in_code = !in_code;
                out.push(c);
                i += 1;
                continue;
            }
            if in_code {
                out.push(c);
                i += 1;
                continue;
            }
            // Bare URLs: wrap in <...> unless already in a Markdown link or autolink.
            if (c == 'h') && starts_with_at(&chars, i, "http://")
                || starts_with_at(&chars, i, "https://")
            {
                let prev = if i > 0 { chars[i - 1] } else { ' ' };
                let end = (i..chars.len())
                    .find(|&j| {
                        chars[j].is_whitespace() || matches!(chars[j], ')' | '>' | '"' | '\'' | ']')
                    })
                    .unwrap_or(chars.len());
                let mut url: String = chars[i..end].iter().collect();
                let mut trail = String::new();
                while url.ends_with(['.', ',', ';', ':']) {
                    if let Some(ch) = url.pop() {
                        trail.insert(0, ch);
                    }
                }
                if prev == '(' || prev == '<' {
                    out.push_str(&url);
                } else {
                    out.push('<');
                    out.push_str(&url);
                    out.push('>');
                }
                out.push_str(&trail);
                i = end;
                continue;
            }
            match c {
                // `[text](url)` links stay; lone brackets are escaped so rustdoc does not
                // look for an item of that name.
                '[' => {
                    let close = (i + 1..chars.len()).find(|&j| chars[j] == ']');
                    let is_link = close.is_some_and(|j| chars.get(j + 1) == Some(&'('));
                    if is_link {
                        out.push('[');
                    } else {
                        out.push_str("\\[");
                    }
                }
                ']' => {
                    let is_link = chars.get(i + 1) == Some(&'(');
                    if is_link {
                        out.push(']');
                    } else {
                        out.push_str("\\]");
                    }
                }
                '<' => {
                    // HTML-looking tags are kept only for a few harmless ones.
                    let rest: String = chars[i..].iter().take(8).collect();
                    let ok = [
                        "<br", "<b>", "</b>", "<i>", "</i>", "<p>", "</p>", "<code>", "</code>",
                        "<a ", "</a>", "<ul>", "</ul>", "<li>", "</li>",
                    ]
                    .iter()
                    .any(|t| rest.starts_with(t));
                    if ok {
                        out.push('<')
                    } else {
                        out.push_str("&lt;")
                    }
                }
                _ => out.push(c),
            }
            i += 1;
        }
        if in_code {
            // An unbalanced backtick would swallow the rest of the doc.
            out.push('`');
        }
        out
    }

    fn starts_with_at(chars: &[char], i: usize, pat: &str) -> bool {
        pat.chars()
            .enumerate()
            .all(|(k, p)| chars.get(i + k) == Some(&p))
    }
}
