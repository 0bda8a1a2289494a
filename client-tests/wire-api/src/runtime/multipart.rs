//! [`Multipart`]: a `multipart/form-data` body (file uploads), encoded in memory once
//! so that every retry sends exactly the same bytes.

use bytes::Bytes;

use super::error::Error;

/// Boundaries tried in turn; the first that occurs in no part is used. Fixed strings
/// keep the content type static; a collision with all of them is practically
/// impossible and reported as an error rather than sending a corrupt body.
const BOUNDARIES: [&str; 4] = [
    "openapi-rust-gen-boundary-7MA4YWxkTrZu0gW",
    "openapi-rust-gen-boundary-Qm9vYmFyYmF6cXV4",
    "openapi-rust-gen-boundary-x3F9kLm2pQ8rT5vZ",
    "openapi-rust-gen-boundary-Zb1Nc4Hd7Jf0Lg2K",
];

/// A `multipart/form-data` request body, built part by part.
///
/// ```text
/// Multipart::new()
///     .text("purpose", "fine-tune")
///     .file("file", "data.jsonl", "application/jsonl", bytes)
/// ```
#[derive(Debug, Clone, Default)]
pub struct Multipart {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
struct Part {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    data: Bytes,
}

impl Multipart {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: None,
            content_type: None,
            data: Bytes::from(value.into()),
        });
        self
    }

    /// Adds a file: its field name, file name, content type and bytes.
    pub fn file(
        mut self,
        name: impl Into<String>,
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Self {
        self.parts.push(Part {
            name: name.into(),
            filename: Some(filename.into()),
            content_type: Some(content_type.into()),
            data: data.into(),
        });
        self
    }

    /// Adds a field holding a JSON value (objects and arrays in a multipart body).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest) if the value
    /// cannot be serialised.
    pub fn json<T: serde::Serialize + ?Sized>(
        mut self,
        name: impl Into<String>,
        value: &T,
    ) -> Result<Self, Error> {
        let name = name.into();
        let data = serde_json::to_vec(value).map_err(|source| {
            Error::invalid_request_from(
                format!("multipart field `{name}` cannot be serialised"),
                source,
            )
        })?;
        self.parts.push(Part {
            name,
            filename: None,
            content_type: Some("application/json".to_owned()),
            data: Bytes::from(data),
        });
        Ok(self)
    }

    /// The encoded body and its content type.
    pub(crate) fn encode(&self) -> Result<(Bytes, &'static str, &'static str), Error> {
        let boundary = BOUNDARIES
            .iter()
            .find(|b| !self.parts.iter().any(|p| contains(&p.data, b.as_bytes())))
            .ok_or_else(|| Error::invalid_request("no multipart boundary fits this body"))?;
        let mut out = Vec::new();
        for p in &self.parts {
            out.extend_from_slice(b"--");
            out.extend_from_slice(boundary.as_bytes());
            out.extend_from_slice(b"\r\nContent-Disposition: form-data; name=\"");
            out.extend_from_slice(quote(&p.name).as_bytes());
            out.push(b'"');
            if let Some(f) = &p.filename {
                out.extend_from_slice(b"; filename=\"");
                out.extend_from_slice(quote(f).as_bytes());
                out.push(b'"');
            }
            out.extend_from_slice(b"\r\n");
            if let Some(ct) = &p.content_type {
                out.extend_from_slice(b"Content-Type: ");
                out.extend_from_slice(quote(ct).as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&p.data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--");
        out.extend_from_slice(boundary.as_bytes());
        out.extend_from_slice(b"--\r\n");
        let content_type = match *boundary {
            b if b == BOUNDARIES[0] => {
                "multipart/form-data; boundary=openapi-rust-gen-boundary-7MA4YWxkTrZu0gW"
            }
            b if b == BOUNDARIES[1] => {
                "multipart/form-data; boundary=openapi-rust-gen-boundary-Qm9vYmFyYmF6cXV4"
            }
            b if b == BOUNDARIES[2] => {
                "multipart/form-data; boundary=openapi-rust-gen-boundary-x3F9kLm2pQ8rT5vZ"
            }
            _ => "multipart/form-data; boundary=openapi-rust-gen-boundary-Zb1Nc4Hd7Jf0Lg2K",
        };
        Ok((Bytes::from(out), content_type, boundary))
    }
}

/// Header parameter text as browsers write it: quotes and line breaks escaped.
fn quote(text: &str) -> String {
    text.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_and_files() {
        let body = Multipart::new().text("purpose", "fine-tune").file(
            "file",
            "a \"b\".txt",
            "text/plain",
            b"hello".to_vec(),
        );
        let (bytes, content_type, boundary) = body.encode().unwrap();
        assert!(content_type.ends_with(boundary));
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert_eq!(
            text,
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a %22b%22.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
                 --{boundary}--\r\n"
            )
        );
    }

    #[test]
    fn avoids_a_boundary_found_in_the_data() {
        let body = Multipart::new().file(
            "f",
            "x",
            "application/octet-stream",
            BOUNDARIES[0].as_bytes().to_vec(),
        );
        let (_, content_type, boundary) = body.encode().unwrap();
        assert_eq!(boundary, BOUNDARIES[1]);
        assert!(content_type.ends_with(BOUNDARIES[1]));
    }
}
