//! [`LogLevel`]: the client's own log lines on standard error.

use std::fmt;

/// How much the client writes to standard error about its requests, as the official
/// SDKs' `*_LOG` setting; independent of the `tracing` events the client always emits.
///
/// Set with [`ClientBuilder::log_level`](super::ClientBuilder::log_level), else read
/// from the API's log environment variable (`off`, `error`, `warn`, `info` or `debug`;
/// another value is ignored). Lines name the method and the path template, never the
/// query, headers or bodies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Nothing (the default).
    #[default]
    Off,
    /// Calls that failed.
    Error,
    /// Attempts that failed and are retried.
    Warn,
    /// Every response's status.
    Info,
    /// Also each attempt's timing and failure cause.
    Debug,
}

impl LogLevel {
    /// `off`, `error`, `warn`, `info` or `debug` (any case).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        [
            ("off", Self::Off),
            ("error", Self::Error),
            ("warn", Self::Warn),
            ("info", Self::Info),
            ("debug", Self::Debug),
        ]
        .into_iter()
        .find(|(name, _)| text.eq_ignore_ascii_case(name))
        .map(|(_, level)| level)
    }

    /// Writes `message` if this setting lets lines of `level` through.
    pub(crate) fn write(self, level: LogLevel, message: fmt::Arguments<'_>) {
        if level != Self::Off && level <= self {
            eprintln!("[{}] {level:?}: {message}", crate::settings::USER_AGENT);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_levels() {
        assert_eq!(LogLevel::parse(" Debug "), Some(LogLevel::Debug));
        assert_eq!(LogLevel::parse("off"), Some(LogLevel::Off));
        assert_eq!(LogLevel::parse("verbose"), None);
        assert!(LogLevel::Warn < LogLevel::Info);
    }
}
