//! Query-string, form-body and cookie serialisation of parameters.
//!
//! A parameter goes through `serde_json::Value` and is then written as its OpenAPI
//! `style` and `explode` say; `null` is left out, scalars become their text.
//!
//! | value  | `form`, explode         | `form`       | `spaceDelimited` / `pipeDelimited` | `deepObject`                  |
//! |--------|-------------------------|--------------|------------------------------------|-------------------------------|
//! | array  | `ids=1&ids=2`           | `ids=1,2`    | `ids=1%202` / `ids=1\|2`           | `ids[0]=1&ids[1]=2`           |
//! | object | `role=admin&name=Ada`   | `f=role,admin,name,Ada` | `f=role%20admin` / `f=role\|admin` | `f[role]=admin&f[tags][0]=x` |
//!
//! OpenAPI leaves arrays inside a `deepObject` undefined; they are written with their
//! index (`filter[tags][0]=x`), the form Prism's validator and the common `qs`-style
//! parsers read back as an array (`filter[tags]=x` repeated is read as a scalar by some,
//! `filter[tags][]=x` is not read by Prism). Objects nested in an object written in
//! another style, which OpenAPI does not define either, are written in brackets
//! (`name[key]=value`).

use serde_json::Value;

use super::path::{is_unreserved, percent_encode};

/// How a query parameter (or a form-body field) is written: OpenAPI `style` +
/// `explode`. `spaceDelimited` and `pipeDelimited` with `explode: true` are written as
/// exploded `form` (the generator passes [`Form`](Self::Form) for them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form`: with `explode`, `ids=1&ids=2` (an object's members become parameters);
    /// without, `ids=1,2` (an object as `name=key,value,...`).
    Form {
        /// Repeat the name for every element; write an object's members as parameters.
        explode: bool,
    },
    /// `spaceDelimited`: `ids=1%202`.
    SpaceDelimited,
    /// `pipeDelimited`: `ids=1|2`.
    PipeDelimited,
    /// `deepObject`: `filter[key]=value`, nested objects `filter[a][b]=value`, arrays
    /// indexed `filter[tags][0]=x`.
    DeepObject,
}

impl Default for QueryStyle {
    /// OpenAPI's default for query parameters: `form`, exploded.
    fn default() -> Self {
        Self::Form { explode: true }
    }
}

/// Appends the `name=value` pairs of one parameter to `pairs`, already percent-encoded.
pub(crate) fn append_pairs(pairs: &mut Vec<String>, name: &str, value: &Value, style: QueryStyle) {
    styled(pairs, &encode(name), value, style, Place::Query);
}

/// Appends a parameter that has no style of its own (extra parameters given through
/// `RequestOptions::query`): arrays repeat the name, objects are written in brackets.
pub(crate) fn append_plain(pairs: &mut Vec<String>, name: &str, value: &Value) {
    flatten(pairs, &encode(name), value, Nesting::Brackets);
}

/// Encodes `value`, a JSON object, as an `application/x-www-form-urlencoded` body;
/// fields named in `styles` are written in that style, the others `form`, exploded
/// (nested objects in brackets, `name[key]=value`, arrays repeating the name).
///
/// Returns `None` when `value` is not an object (a form has named fields).
pub(crate) fn form_body(value: &Value, styles: &[(&str, QueryStyle)]) -> Option<String> {
    let Value::Object(fields) = value else {
        return None;
    };
    let mut pairs = Vec::new();
    for (name, field) in fields {
        let style = styles.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
        match style {
            Some(style) if style != QueryStyle::default() => {
                styled(&mut pairs, &encode(name), field, style, Place::Body);
            }
            _ => flatten(&mut pairs, &encode(name), field, Nesting::Brackets),
        }
    }
    Some(pairs.join("&"))
}

/// The `Cookie` header pairs of one cookie parameter (OpenAPI `form` style, the only
/// one for cookies): `name=value`; an array exploded as `name=a; name=b`, else
/// `name=a,b`; an object exploded as its members `key=value`, else `name=key,value`.
///
/// Names and values are percent-encoded wherever RFC 6265 does not allow the
/// character (outside `cookie-octet`: controls, space, `"`, `,`, `;`, `\`, non-ASCII)
/// and `%` itself; the comma between unexploded elements stays literal, as OpenAPI
/// writes it, so commas inside elements are encoded.
pub(crate) fn cookie_pairs(pairs: &mut Vec<String>, name: &str, value: &Value, explode: bool) {
    let cookie = |text: &str| percent_encode(text, is_cookie_octet);
    match value {
        Value::Null => {}
        Value::Array(items) if explode => pairs.extend(
            items
                .iter()
                .filter_map(scalar_text)
                .map(|item| format!("{}={}", cookie(name), cookie(&item))),
        ),
        Value::Object(fields) if explode => {
            pairs.extend(fields.iter().filter_map(|(key, field)| {
                scalar_text(field).map(|text| format!("{}={}", cookie(key), cookie(&text)))
            }))
        }
        Value::Array(_) | Value::Object(_) => {
            let items: Vec<String> = elements(value).iter().map(|t| cookie(t)).collect();
            if !items.is_empty() {
                pairs.push(format!("{}={}", cookie(name), items.join(",")));
            }
        }
        scalar => {
            if let Some(text) = scalar_text(scalar) {
                pairs.push(format!("{}={}", cookie(name), cookie(&text)));
            }
        }
    }
}

/// RFC 6265 `cookie-octet`, without `%` (a literal `%` must itself be encoded).
fn is_cookie_octet(byte: u8) -> bool {
    matches!(byte, 0x21 | 0x23..=0x24 | 0x26..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E)
}

/// Where pairs go: a query string keeps the delimiters of `spaceDelimited`,
/// `pipeDelimited` and unexploded `form` values literal (elements' own commas are
/// encoded, so the server can split first); a form body is decoded whole before it is
/// split, so its delimiters are percent-encoded like any other character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Query,
    Body,
}

/// How arrays nested in a value are written: repeating the name, or indexed
/// (`deepObject`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nesting {
    /// `name=a&name=b`; objects `name[key]=value`.
    Brackets,
    /// `name[0]=a&name[1]=b`; objects `name[key]=value`.
    Indexed,
}

/// One parameter in its style; `name` is already encoded.
fn styled(pairs: &mut Vec<String>, name: &str, value: &Value, style: QueryStyle, place: Place) {
    let delimiter = match (style, value) {
        (QueryStyle::DeepObject, _) => {
            return flatten(pairs, name, value, Nesting::Indexed);
        }
        (QueryStyle::Form { explode: true }, Value::Object(fields)) => {
            // Exploded form: every member is a parameter of its own.
            for (key, field) in fields {
                flatten(pairs, &encode(key), field, Nesting::Brackets);
            }
            return;
        }
        (QueryStyle::Form { explode: true }, _) | (_, Value::Null) => {
            return flatten(pairs, name, value, Nesting::Brackets);
        }
        (_, Value::Array(_) | Value::Object(_)) => match style {
            QueryStyle::SpaceDelimited => (" ", "%20"),
            QueryStyle::PipeDelimited => ("|", "|"),
            _ => (",", ","),
        },
        (_, scalar) => return flatten(pairs, name, scalar, Nesting::Brackets),
    };
    let items: Vec<String> = elements(value).iter().map(|t| encode(t)).collect();
    // An empty array has no value to send; leaving it out is what form+explode does
    // anyway and keeps the styles consistent.
    if items.is_empty() {
        return;
    }
    // (the character, its form in a query string): in a query string the delimiter
    // stays literal while the same character inside elements is encoded.
    let (raw, in_query) = delimiter;
    let delimiter = match place {
        Place::Query => in_query.to_owned(),
        Place::Body => encode(raw),
    };
    pairs.push(format!("{name}={}", items.join(&delimiter)));
}

/// The texts of an unexploded array (its elements) or object (key, value, key,
/// value...); `null` elements and members are left out.
fn elements(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
        Value::Object(fields) => fields
            .iter()
            .filter_map(|(key, field)| scalar_text(field).map(|text| [key.clone(), text]))
            .flatten()
            .collect(),
        scalar => scalar_text(scalar).into_iter().collect(),
    }
}

/// `name` is already encoded, so object keys can be appended inside literal brackets.
fn flatten(pairs: &mut Vec<String>, name: &str, value: &Value, nesting: Nesting) {
    match value {
        Value::Null => {}
        Value::Object(fields) => {
            for (key, field) in fields {
                let inner = format!("{name}[{}]", encode(key));
                flatten(pairs, &inner, field, nesting);
            }
        }
        Value::Array(items) if nesting == Nesting::Indexed => {
            for (index, item) in items.iter().filter(|item| !item.is_null()).enumerate() {
                flatten(pairs, &format!("{name}[{index}]"), item, nesting);
            }
        }
        Value::Array(items) => pairs.extend(
            items
                .iter()
                .filter_map(scalar_text)
                .map(|item| format!("{name}={}", encode(&item))),
        ),
        scalar => {
            if let Some(text) = scalar_text(scalar) {
                pairs.push(format!("{name}={}", encode(&text)));
            }
        }
    }
}

/// The text of a scalar; `null` has none; a nested array or object inside an array (no
/// OpenAPI style defines it) is sent as its JSON text.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        Value::Array(_) | Value::Object(_) => Some(value.to_string()),
    }
}

/// Encodes one query component: everything but RFC 3986 unreserved characters.
fn encode(text: &str) -> String {
    percent_encode(text, is_unreserved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(name: &str, value: Value, style: QueryStyle) -> String {
        let mut pairs = Vec::new();
        append_pairs(&mut pairs, name, &value, style);
        pairs.join("&")
    }

    const FORM: QueryStyle = QueryStyle::Form { explode: true };

    #[test]
    fn scalars() {
        assert_eq!(query("limit", json!(10), FORM), "limit=10");
        assert_eq!(query("ratio", json!(0.5), FORM), "ratio=0.5");
        assert_eq!(query("active", json!(true), FORM), "active=true");
        assert_eq!(
            query("q", json!("a b&c=d/é"), FORM),
            "q=a%20b%26c%3Dd%2F%C3%A9"
        );
        assert_eq!(query("a b", json!("x"), FORM), "a%20b=x");
    }

    #[test]
    fn none_is_skipped() {
        assert_eq!(query("limit", json!(null), FORM), "");
        assert_eq!(query("ids", json!([]), FORM), "");
        assert_eq!(
            query("ids", json!([]), QueryStyle::Form { explode: false }),
            ""
        );
        assert_eq!(query("f", json!({"a": null}), QueryStyle::DeepObject), "");
    }

    #[test]
    fn arrays_per_style() {
        let ids = || json!(["a", "b,c", 3]);
        assert_eq!(query("ids", ids(), FORM), "ids=a&ids=b%2Cc&ids=3");
        assert_eq!(
            query("ids", ids(), QueryStyle::Form { explode: false }),
            "ids=a,b%2Cc,3"
        );
        assert_eq!(
            query("ids", ids(), QueryStyle::SpaceDelimited),
            "ids=a%20b%2Cc%203"
        );
        assert_eq!(
            query("ids", ids(), QueryStyle::PipeDelimited),
            "ids=a|b%2Cc|3"
        );
        assert_eq!(
            query("ids", ids(), QueryStyle::DeepObject),
            "ids[0]=a&ids[1]=b%2Cc&ids[2]=3"
        );
        // null elements have no text to send
        assert_eq!(query("ids", json!([1, null, 2]), FORM), "ids=1&ids=2");
    }

    /// Object keys come out in map order, which depends on serde_json's
    /// `preserve_order` feature; compare the pairs as a set.
    fn sorted(query: &str) -> Vec<&str> {
        let mut pairs: Vec<&str> = query.split('&').collect();
        pairs.sort_unstable();
        pairs
    }

    #[test]
    fn objects_are_deep() {
        let filter = json!({"status": "active", "created": {"gte": "2024-01-01", "lt": 5}, "tags": ["x", "y"]});
        assert_eq!(
            sorted(&query("filter", filter, QueryStyle::DeepObject)),
            [
                "filter[created][gte]=2024-01-01",
                "filter[created][lt]=5",
                "filter[status]=active",
                "filter[tags][0]=x",
                "filter[tags][1]=y",
            ]
        );
        assert_eq!(
            query("f", json!({"a b": 1}), QueryStyle::DeepObject),
            "f[a%20b]=1"
        );
        // Arrays of objects: each element indexed, then its members.
        assert_eq!(
            query(
                "f",
                json!({"items": [{"id": 1}, {"id": 2}]}),
                QueryStyle::DeepObject
            ),
            "f[items][0][id]=1&f[items][1][id]=2"
        );
    }

    #[test]
    fn objects_per_style() {
        let point = || json!({"role": "admin", "name": "A,b", "skip": null});
        assert_eq!(
            sorted(&query("p", point(), FORM)),
            ["name=A%2Cb", "role=admin"]
        );
        let unexploded = query("p", point(), QueryStyle::Form { explode: false });
        assert!(
            ["p=role,admin,name,A%2Cb", "p=name,A%2Cb,role,admin"].contains(&unexploded.as_str()),
            "{unexploded}"
        );
        let spaced = query("p", json!({"role": "admin"}), QueryStyle::SpaceDelimited);
        assert_eq!(spaced, "p=role%20admin");
        let piped = query("p", json!({"role": "admin"}), QueryStyle::PipeDelimited);
        assert_eq!(piped, "p=role|admin");
        // Exploded form: nested members keep their brackets, arrays repeat.
        assert_eq!(
            sorted(&query("p", json!({"a": {"b": 1}, "t": [1, 2]}), FORM)),
            ["a[b]=1", "t=1", "t=2"]
        );
        assert_eq!(query("p", json!({}), QueryStyle::PipeDelimited), "");
    }

    #[test]
    fn plain_extra_parameters_keep_brackets() {
        let mut pairs = Vec::new();
        append_plain(&mut pairs, "f", &json!({"a": 1}));
        append_plain(&mut pairs, "ids", &json!([1, 2]));
        assert_eq!(pairs, ["f[a]=1", "ids=1", "ids=2"]);
    }

    #[test]
    fn cookies() {
        let cookie = |name: &str, value: Value, explode: bool| {
            let mut pairs = Vec::new();
            cookie_pairs(&mut pairs, name, &value, explode);
            pairs.join("; ")
        };
        assert_eq!(cookie("lang", json!("en"), true), "lang=en");
        assert_eq!(
            cookie("q", json!("a b;c,d\\\"e%f\u{e9}"), true),
            "q=a%20b%3Bc%2Cd%5C%22e%25f%C3%A9"
        );
        assert_eq!(cookie("n", json!(3), true), "n=3");
        assert_eq!(cookie("n", json!(null), true), "");
        assert_eq!(cookie("ids", json!([1, 2]), true), "ids=1; ids=2");
        assert_eq!(cookie("ids", json!(["a,b", "c"]), false), "ids=a%2Cb,c");
        assert_eq!(cookie("o", json!({"k": "v"}), true), "k=v");
        assert_eq!(cookie("o", json!({"k": "v"}), false), "o=k,v");
        assert_eq!(cookie("ids", json!([]), false), "");
    }

    #[test]
    fn form_bodies() {
        let body = form_body(
            &json!({"name": "a b", "n": 1, "skip": null, "tags": ["x", "y"]}),
            &[],
        );
        assert_eq!(
            sorted(body.as_deref().unwrap_or_default()),
            ["n=1", "name=a%20b", "tags=x", "tags=y"]
        );
        assert_eq!(form_body(&json!([1]), &[]), None);
        let styled = form_body(
            &json!({"tags": ["x", "y"], "ids": [1, 2], "q": "a"}),
            &[
                ("tags", QueryStyle::Form { explode: false }),
                ("ids", QueryStyle::PipeDelimited),
            ],
        );
        assert_eq!(
            sorted(styled.as_deref().unwrap_or_default()),
            ["ids=1%7C2", "q=a", "tags=x%2Cy"]
        );
        let deep = form_body(
            &json!({"meta": {"tags": ["x", "y"]}, "plain": {"a": [1, 2]}}),
            &[("meta", QueryStyle::DeepObject)],
        );
        assert_eq!(
            sorted(deep.as_deref().unwrap_or_default()),
            [
                "meta[tags][0]=x",
                "meta[tags][1]=y",
                "plain[a]=1",
                "plain[a]=2"
            ]
        );
    }
}
