//! Query-string serialisation of parameters.
//!
//! A parameter goes through `serde_json::Value` and is then flattened: `null` is left
//! out, scalars become their text, arrays follow the [`QueryStyle`], objects are written
//! deepObject-style (`name[key]=value`, nesting as `name[a][b]=value`).

use serde_json::Value;

use super::path::{is_unreserved, percent_encode};

/// How a query parameter holding an array is written (OpenAPI `style` + `explode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryStyle {
    /// `form`: with `explode`, `ids=1&ids=2`; without, `ids=1,2`.
    Form {
        /// Repeat the name for every element.
        explode: bool,
    },
    /// `spaceDelimited`: `ids=1%202`.
    SpaceDelimited,
    /// `pipeDelimited`: `ids=1|2`.
    PipeDelimited,
    /// `deepObject`: `filter[key]=value`; arrays repeat the name.
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
    flatten(pairs, &encode(name), value, style, Place::Query);
}

/// Encodes `value`, a JSON object, as an `application/x-www-form-urlencoded` body;
/// fields named in `styles` are written in that style, the others `form`, exploded.
///
/// Returns `None` when `value` is not an object (a form has named fields).
pub(crate) fn form_body(value: &Value, styles: &[(&str, QueryStyle)]) -> Option<String> {
    let Value::Object(fields) = value else {
        return None;
    };
    let mut pairs = Vec::new();
    for (name, field) in fields {
        let style = styles
            .iter()
            .find(|(n, _)| n == name)
            .map_or_else(QueryStyle::default, |(_, s)| *s);
        flatten(&mut pairs, &encode(name), field, style, Place::Body);
    }
    Some(pairs.join("&"))
}

/// Where pairs go: a query string keeps the delimiters of `spaceDelimited`,
/// `pipeDelimited` and unexploded `form` arrays literal (elements' own commas are
/// encoded, so the server can split first); a form body is decoded whole before it is
/// split, so its delimiters are percent-encoded like any other character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Query,
    Body,
}

/// `name` is already encoded, so object keys can be appended inside literal brackets.
fn flatten(pairs: &mut Vec<String>, name: &str, value: &Value, style: QueryStyle, place: Place) {
    match value {
        Value::Null => {}
        Value::Object(fields) => {
            for (key, field) in fields {
                flatten(
                    pairs,
                    &format!("{name}[{}]", encode(key)),
                    field,
                    style,
                    place,
                );
            }
        }
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .filter_map(scalar_text)
                .map(|t| encode(&t))
                .collect();
            // An empty array has no value to send; leaving it out is what form+explode
            // does anyway and keeps the styles consistent.
            if items.is_empty() {
                return;
            }
            // (the character, its form in a query string)
            let (raw, in_query) = match style {
                QueryStyle::Form { explode: true } | QueryStyle::DeepObject => {
                    pairs.extend(items.iter().map(|item| format!("{name}={item}")));
                    return;
                }
                QueryStyle::Form { explode: false } => (",", ","),
                QueryStyle::SpaceDelimited => (" ", "%20"),
                QueryStyle::PipeDelimited => ("|", "|"),
            };
            // In a query string the delimiter stays literal while commas inside elements
            // are encoded, so the server can split unambiguously.
            let delimiter = match place {
                Place::Query => in_query.to_owned(),
                Place::Body => encode(raw),
            };
            pairs.push(format!("{name}={}", items.join(&delimiter)));
        }
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
            "ids=a&ids=b%2Cc&ids=3"
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
                "filter[tags]=x",
                "filter[tags]=y",
            ]
        );
        assert_eq!(query("f", json!({"a b": 1}), FORM), "f[a%20b]=1");
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
    }
}
