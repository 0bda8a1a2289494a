//! Doc comments from spec text.
//!
//! Spec descriptions are Markdown written for web pages; rustdoc would compile their
//! unlabelled code blocks as Rust doctests and warn on bare URLs and stray brackets.
//! This module makes them safe without losing their content.

use proc_macro2::TokenStream;
use quote::quote;

use std::cell::RefCell;

/// Starts the value of a deferred doc block's placeholder attribute (a private-use
/// character, then the block's number).
pub const PLACEHOLDER: char = '\u{E000}';

thread_local! {
    /// While emitting under [`deferred`]: the lines of each deferred doc block.
    static DEFERRED: RefCell<Option<Vec<Vec<String>>>> = const { RefCell::new(None) };
}

/// Runs `f` with doc comments deferred: [`attrs`] then emits one short placeholder
/// attribute per doc block and records the block's lines, which
/// [`crate::format::format_with_docs`] writes into the printed text as the `///` lines
/// prettyplease would have printed. The text is the same; parsing and printing
/// thousands of `#[doc = "..."]` lines through syn and prettyplease is what is saved.
pub fn deferred<R>(f: impl FnOnce() -> R) -> (R, Vec<Vec<String>>) {
    let outer = DEFERRED.with(|d| d.replace(Some(Vec::new())));
    let result = f();
    let blocks = DEFERRED.with(|d| d.replace(outer)).unwrap_or_default();
    (result, blocks)
}

/// `#[doc = "..."]` attributes, one per line (prettyplease prints them as `///`), or
/// one placeholder for all of them under [`deferred`].
pub fn attrs(text: &str) -> TokenStream {
    let lines = sanitize(text);
    if lines.is_empty() {
        return TokenStream::new();
    }
    let lines = match DEFERRED.with(|d| {
        let mut d = d.borrow_mut();
        match d.as_mut() {
            Some(blocks) => {
                blocks.push(lines);
                Ok(blocks.len() - 1)
            }
            None => Err(lines),
        }
    }) {
        Ok(block) => {
            let placeholder = format!("{PLACEHOLDER}{block}");
            return quote! { #[doc = #placeholder] };
        }
        Err(lines) => lines,
    };
    let attrs = lines.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #[doc = #l] }
    });
    quote! { #(#attrs)* }
}

/// Same as [`attrs`] but for inner (`//!`) docs.
pub fn inner_attrs(text: &str) -> TokenStream {
    let lines = sanitize(text);
    let attrs = lines.iter().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #![doc = #l] }
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

/// Rewrites Markdown so rustdoc renders it without compiling or warning about it:
/// fences without a language (or marked rust) become `text`, indented blocks are
/// de-indented into fenced `text` blocks, bare URLs get angle brackets, and brackets
/// that would read as intra-doc links are escaped.
pub fn sanitize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    let mut prev_blank = true;
    let mut in_indented = false;
    for raw in text.trim().lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if in_indented {
                out.push("```".to_string());
                in_indented = false;
            }
            if in_fence {
                out.push("```".to_string());
                in_fence = false;
            } else {
                let lang = trimmed.trim_start_matches(['`', '~']).trim();
                let lang = if lang.is_empty() || lang.starts_with("rust") {
                    "text"
                } else {
                    lang
                };
                out.push(format!(
                    "```{}",
                    lang.split_whitespace().next().unwrap_or("text")
                ));
                in_fence = true;
            }
            prev_blank = false;
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        let indented = line.starts_with("    ") || line.starts_with('\t');
        if indented
            && prev_blank
            && !in_indented
            && !trimmed.starts_with(['-', '*', '+'])
            && !trimmed.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            out.push("```text".to_string());
            in_indented = true;
        }
        if in_indented {
            if indented || line.is_empty() {
                out.push(trimmed.to_string());
                continue;
            }
            // Trailing blank lines inside the block belong after it.
            let mut blanks = 0;
            while out.last().is_some_and(String::is_empty) {
                out.pop();
                blanks += 1;
            }
            out.push("```".to_string());
            out.extend(std::iter::repeat_n(String::new(), blanks));
            in_indented = false;
        }
        prev_blank = line.is_empty();
        out.push(escape_prose(line));
    }
    if in_fence || in_indented {
        out.push("```".to_string());
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    out
}

/// Escapes what rustdoc would misread in running text.
fn escape_prose(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut in_code = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
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
                    "<br", "<b>", "</b>", "<i>", "</i>", "<p>", "</p>", "<code>", "</code>", "<a ",
                    "</a>", "<ul>", "</ul>", "<li>", "</li>",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fences_become_text() {
        assert_eq!(sanitize("a\n```\nx\n```"), vec!["a", "```text", "x", "```"]);
        assert_eq!(
            sanitize("```bash\ncurl\n```"),
            vec!["```bash", "curl", "```"]
        );
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
}
