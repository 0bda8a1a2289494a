//! Path parameters.

use std::fmt::Write as _;

use super::error::Error;

/// Encodes a path parameter as exactly one path segment.
///
/// Everything outside RFC 3986 `pchar` (unreserved, sub-delims, `:` and `@`) is
/// percent-encoded, `%` included, so `a/b` goes out as `a%2Fb` and `%2e` as `%252e`:
/// a parameter can neither add a segment nor be decoded into a different one.
///
/// # Errors
///
/// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest), before anything is
/// sent, for `.` and `..` (URL resolution would remove or climb the segment) and for the
/// empty string (the request would reach a different operation).
pub fn segment(value: &str) -> Result<String, Error> {
    match value {
        "" => Err(Error::invalid_request("a path parameter must not be empty")),
        "." | ".." => Err(Error::invalid_request(format!(
            "a path parameter must not be `{value}`"
        ))),
        _ => Ok(percent_encode(value, is_pchar)),
    }
}

/// RFC 3986 `pchar` without `pct-encoded` (a literal `%` must itself be encoded).
fn is_pchar(byte: u8) -> bool {
    is_unreserved(byte) || b"!$&'()*+,;=:@".contains(&byte)
}

/// RFC 3986 `unreserved`.
pub(crate) fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-._~".contains(&byte)
}

/// Percent-encodes (upper-case hex) every byte of `value`'s UTF-8 for which `keep`
/// is false. `keep` must only accept ASCII bytes.
pub(crate) fn percent_encode(value: &str, keep: impl Fn(u8) -> bool) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    // Runs of kept bytes are copied whole: ids and names usually need no encoding.
    let mut kept_from = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        if keep(byte) {
            continue;
        }
        if kept_from < index {
            // A run of kept, hence ASCII, bytes: both ends are character boundaries.
            out.push_str(&value[kept_from..index]);
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "%{byte:02X}");
        kept_from = index + 1;
    }
    out.push_str(&value[kept_from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ErrorKind;

    fn ok(value: &str) -> String {
        segment(value).unwrap()
    }

    #[test]
    fn keeps_pchar() {
        assert_eq!(ok("sub_123-abc.def~"), "sub_123-abc.def~");
        assert_eq!(ok("a:b@c!$&'()*+,;="), "a:b@c!$&'()*+,;=");
    }

    #[test]
    fn encodes_everything_else() {
        assert_eq!(ok("a/b"), "a%2Fb");
        assert_eq!(ok("100%"), "100%25");
        assert_eq!(ok("%2e"), "%252e");
        assert_eq!(ok("%2E%2E"), "%252E%252E");
        assert_eq!(ok("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(ok("x\\y[z]\"<>"), "x%5Cy%5Bz%5D%22%3C%3E");
        assert_eq!(ok("\u{0}\n"), "%00%0A");
    }

    #[test]
    fn encodes_unicode_as_utf8() {
        assert_eq!(ok("é"), "%C3%A9");
        assert_eq!(ok("日本"), "%E6%97%A5%E6%9C%AC");
        assert_eq!(ok("🙂"), "%F0%9F%99%82");
        assert_eq!(ok("ab/é~日c"), "ab%2F%C3%A9~%E6%97%A5c");
    }

    #[test]
    fn dots_only_segments_are_refused() {
        for value in [".", "..", ""] {
            let err = segment(value).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{value:?}");
        }
        // Dots inside a longer value are harmless.
        assert_eq!(ok("..."), "...");
        assert_eq!(ok(".a"), ".a");
    }
}
