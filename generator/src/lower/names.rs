//! Rust identifiers from arbitrary spec names: case conversion, keywords, leading
//! digits, non-ASCII, and uniqueness within a scope.

use std::collections::{HashMap, HashSet};

/// Words Rust reserves (2024 edition, strict and reserved), which cannot be raw
/// identifiers in every position (`self`, `Self`, `super`, `crate`), so all are
/// escaped the same way: a trailing underscore.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "union",
];

/// Type names that would shadow items the emitted `types` module itself uses.
const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Serialize",
    "Deserialize",
    "Nullable",
    "Self",
];

/// Names a resource file imports or declares besides the resource's handle: a handle
/// type of the same name would clash with them.
pub const RESOURCE_FILE_ITEMS: &[&str] = &[
    "ApiResponse",
    "Binary",
    "Empty",
    "Error",
    "Future",
    "Json",
    "Method",
    "QueryStyle",
    "RequestOptions",
    "RequestSpec",
    "Scope",
    "Text",
];

/// Keeps ASCII letters, digits and separators; anything else becomes a word break.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// The words of ASCII text as heck splits them, without its per-character formatting
/// (naming is a hot spot of lowering a large spec): at non-alphanumerics, after a
/// lowercase letter followed by an uppercase one, and before the last capital of a run
/// followed by a lowercase letter (`HTTPServer` -> `HTTP`, `Server`). Never empty.
fn for_each_ascii_word(s: &str, mut word: impl FnMut(&[u8])) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mode {
        Boundary,
        Lower,
        Upper,
    }
    for w in s.as_bytes().split(|b| !b.is_ascii_alphanumeric()) {
        let mut init = 0;
        let mut mode = Mode::Boundary;
        for (i, &c) in w.iter().enumerate() {
            let Some(&next) = w.get(i + 1) else {
                word(&w[init..]);
                break;
            };
            let next_mode = if c.is_ascii_lowercase() {
                Mode::Lower
            } else if c.is_ascii_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_ascii_uppercase() {
                word(&w[init..=i]);
                init = i + 1;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
                word(&w[init..i]);
                init = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
    }
}

/// heck's `to_upper_camel_case` for ASCII text ([`for_each_ascii_word`]): each word
/// capitalised.
fn upper_camel_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for_each_ascii_word(s, |w| {
        if let Some((first, rest)) = w.split_first() {
            out.push(char::from(first.to_ascii_uppercase()));
            out.extend(rest.iter().map(|b| char::from(b.to_ascii_lowercase())));
        }
    });
    out
}

/// heck's `to_snake_case` for ASCII text ([`for_each_ascii_word`]): the words in
/// lowercase, joined by `_`.
fn snake_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for_each_ascii_word(s, |w| {
        if !out.is_empty() {
            out.push('_');
        }
        out.extend(w.iter().map(|b| char::from(b.to_ascii_lowercase())));
    });
    out
}

/// `foo-bar`, `FooBar`, `$ref`, `3d` -> `foo_bar`, `foo_bar`, `ref_`, `_3d`.
/// Returns `fallback` when nothing usable is left.
pub fn snake(raw: &str, fallback: &str) -> String {
    let mut s = snake_ascii(&ascii_words(raw));
    if s.is_empty() {
        s = fallback.to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `foo-bar`, `message.sent`, `3d` -> `FooBar`, `MessageSent`, `V3d` (with `prefix` `V`).
pub fn camel(raw: &str, fallback: &str, digit_prefix: &str) -> String {
    let mut s = upper_camel_ascii(&ascii_words(raw));
    if s.is_empty() {
        s = fallback.to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, digit_prefix);
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push_str("Value");
    }
    s
}

/// Type name for a spec name, avoiding names the emitted code relies on.
pub fn type_name(raw: &str) -> String {
    let mut s = camel(raw, "Type", "T");
    if RESERVED_TYPES.contains(&s.as_str()) {
        s.push_str("Type");
    }
    s
}

/// Naive English singular, for names like `ChatCreateParams` from the tag `Chats`.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("sses") || word.ends_with("uses") || word.ends_with("xes") {
        word[..word.len() - 2].to_string()
    } else if word.ends_with("ss") || word.ends_with("us") || word.len() < 3 {
        word.to_string()
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_string()
    } else {
        word.to_string()
    }
}

/// A scope in which names must be unique. The first claimant keeps a name; later ones
/// get the smallest free numeric suffix, so results depend only on claim order.
#[derive(Debug, Default, Clone)]
pub struct NameSet {
    taken: HashSet<String>,
    snake_style: bool,
    /// Per base name, the suffix to try next: every smaller one is taken, so thousands
    /// of colliding names are not each probed from 2 again.
    next_suffix: HashMap<String, u64>,
}

impl NameSet {
    /// A scope for camel-case names (`Foo`, `Foo2`).
    pub fn camel() -> Self {
        NameSet::default()
    }

    /// A scope for snake-case names (`foo`, `foo_2`).
    pub fn snake() -> Self {
        NameSet {
            snake_style: true,
            ..NameSet::default()
        }
    }

    /// Marks names as used without claiming them for anything.
    pub fn reserve<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        self.taken.extend(names.into_iter().map(str::to_string));
    }

    /// Whether a name is already used.
    pub fn contains(&self, name: &str) -> bool {
        self.taken.contains(name)
    }

    /// Claims `wanted`, or the first free `wanted2`, `wanted3`... (`wanted_2` in snake style).
    pub fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        let base = wanted.trim_end_matches('_');
        let mut n = self.next_suffix.get(base).copied().unwrap_or(2);
        loop {
            let candidate = if self.snake_style {
                format!("{base}_{n}")
            } else {
                format!("{base}{n}")
            };
            n += 1;
            if self.taken.insert(candidate.clone()) {
                self.next_suffix.insert(base.to_string(), n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_colliding_claims_take_linear_time() {
        let started = std::time::Instant::now();
        let mut set = NameSet::snake();
        let names: Vec<String> = (0..30_000).map(|_| set.claim("field")).collect();
        assert_eq!(names[0], "field");
        assert_eq!(names[1], "field_2");
        assert_eq!(names[29_999], "field_30000");
        // Same answers as probing from 2 each time, when other names are in the way.
        let mut set = NameSet::camel();
        set.reserve(["Foo3"]);
        let got: Vec<String> = (0..4).map(|_| set.claim("Foo")).collect();
        assert_eq!(got, ["Foo", "Foo2", "Foo4", "Foo5"]);
        // Probing each claim from 2 took minutes here.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
    use heck::{ToSnakeCase, ToUpperCamelCase};

    #[test]
    fn snake_handles_keywords_digits_and_punctuation() {
        assert_eq!(snake("type", "f"), "type_");
        assert_eq!(snake("self", "f"), "self_");
        assert_eq!(snake("match", "f"), "match_");
        assert_eq!(snake("3d", "f"), "_3d");
        assert_eq!(snake("foo-bar", "f"), "foo_bar");
        assert_eq!(snake("FooBar", "f"), "foo_bar");
        assert_eq!(snake("$ref", "f"), "ref_");
        assert_eq!(snake("a.b.c", "f"), "a_b_c");
        assert_eq!(snake("✨", "field"), "field");
    }

    #[test]
    fn camel_handles_odd_values() {
        assert_eq!(camel("message.sent", "E", "V"), "MessageSent");
        assert_eq!(camel("", "Empty", "V"), "Empty");
        assert_eq!(camel("3d secure", "E", "V"), "V3dSecure");
        assert_eq!(camel("Self", "E", "V"), "SelfValue");
        assert_eq!(type_name("Option"), "OptionType");
        assert_eq!(type_name("Error"), "Error");
    }

    #[test]
    fn ascii_camel_and_snake_case_are_hecks() {
        // Fixed cases, then pseudo-random strings over an alphabet that exercises every
        // boundary rule (case changes, digit runs, separators).
        let mut cases: Vec<String> = [
            "",
            " ",
            "a",
            "A",
            "aB",
            "Ab",
            "AB",
            "ABc",
            "HTTPServer",
            "getHTTPResponseCode",
            "foo bar",
            "foo  bar",
            " foo",
            "foo ",
            "3d",
            "a1B2c3",
            "ABC123def",
            "x9Y",
            "9",
            "PostAccountsAccountBankAccountsRequestBodyBankAccount",
            "iOS",
            "IDs",
            "v2Beta",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let alphabet = b"aAbBzZ019 _";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize;
            let s: String = (0..len)
                .map(|k| char::from(alphabet[((seed >> (k * 4)) % alphabet.len() as u64) as usize]))
                .collect();
            cases.push(s);
        }
        for c in &cases {
            let words = ascii_words(c);
            assert_eq!(
                upper_camel_ascii(&words),
                words.to_upper_camel_case(),
                "{c:?}"
            );
            assert_eq!(snake_ascii(&words), words.to_snake_case(), "{c:?}");
        }
    }

    #[test]
    fn collisions_get_stable_suffixes() {
        let mut s = NameSet::snake();
        assert_eq!(s.claim("foo_bar"), "foo_bar");
        assert_eq!(s.claim("foo_bar"), "foo_bar_2");
        let mut c = NameSet::camel();
        c.reserve(["Foo2"]);
        assert_eq!(c.claim("Foo"), "Foo");
        assert_eq!(c.claim("Foo"), "Foo3");
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("Chats"), "Chat");
        assert_eq!(singular("Subscriptions"), "Subscription");
        assert_eq!(singular("Statuses"), "Status");
        assert_eq!(singular("Entries"), "Entry");
        assert_eq!(singular("Address"), "Address");
    }
}
