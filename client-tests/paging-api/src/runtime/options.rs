//! Per-request options.

use std::fmt;
use std::time::Duration;

/// Options for the requests made through one resource handle, overriding the
/// client's defaults: pass them to the handle's `with_options`, e.g.
/// `RequestOptions::new().timeout(Duration::from_secs(5)).max_retries(0)`.
/// Options given in several `with_options` calls add up; the later call wins for a
/// setting given twice.
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) headers: Vec<(String, String)>,
}

impl RequestOptions {
    /// Options that change nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Timeout of each attempt (the whole exchange: connecting, sending, reading the
    /// response body), instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How many times a failed attempt is retried, instead of the client's.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// Adds a header to the requests, replacing a client default of the same name (an
    /// `Authorization` header replaces the client's API key for these requests).
    /// An invalid name or value makes the request fail with
    /// [`ErrorKind::InvalidRequest`](super::ErrorKind::InvalidRequest).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// These options overridden by the ones set in `later`.
    pub(crate) fn merge(mut self, later: RequestOptions) -> Self {
        self.timeout = later.timeout.or(self.timeout);
        self.max_retries = later.max_retries.or(self.max_retries);
        self.headers.extend(later.headers);
        self
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may hold credentials: show only the names.
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &names)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_options_win() {
        let base = RequestOptions::new()
            .timeout(Duration::from_secs(1))
            .max_retries(5)
            .header("a", "1");
        let merged = base.merge(RequestOptions::new().max_retries(0).header("b", "2"));
        assert_eq!(merged.timeout, Some(Duration::from_secs(1)));
        assert_eq!(merged.max_retries, Some(0));
        assert_eq!(merged.headers.len(), 2);
    }

    #[test]
    fn debug_hides_header_values() {
        let options = RequestOptions::new().header("x-secret", "hunter2");
        let debug = format!("{options:?}");
        assert!(
            debug.contains("x-secret") && !debug.contains("hunter2"),
            "{debug}"
        );
    }
}
