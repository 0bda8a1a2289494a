//! Errors and diagnostics of the generator.
//!
//! Every problem found in a spec names the file and the JSON pointer of the offending
//! node, so a user can jump straight to it. Fatal problems are [`Error`]s; problems the
//! generator can work around with an honest fallback are [`Diagnostic`]s that travel
//! with the IR and are printed (and counted) by the CLI.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure stopped generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The spec or config file could not be read.
    Io,
    /// The file is not valid YAML or JSON.
    Syntax,
    /// The document is not a valid OpenAPI description (shape or value errors).
    Invalid,
    /// A `$ref` points nowhere.
    DanglingRef,
    /// A chain of `$ref`s leads back to itself without any structure in between.
    RefCycle,
    /// A construct the generator cannot express and has no honest fallback for.
    Unsupported,
    /// The generator configuration is wrong.
    Config,
    /// Emitting, formatting or writing the output failed.
    Output,
}

impl ErrorKind {
    fn label(self) -> &'static str {
        match self {
            ErrorKind::Io => "cannot read",
            ErrorKind::Syntax => "syntax error",
            ErrorKind::Invalid => "invalid OpenAPI",
            ErrorKind::DanglingRef => "dangling $ref",
            ErrorKind::RefCycle => "$ref cycle",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Config => "bad configuration",
            ErrorKind::Output => "cannot write output",
        }
    }
}

/// A fatal generation error, located in a file and (where known) at a JSON pointer.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
    file: PathBuf,
    pointer: Option<String>,
    message: String,
}

impl Error {
    /// A new error about `file`.
    pub fn new(kind: ErrorKind, file: &Path, message: impl Into<String>) -> Self {
        Error {
            kind,
            file: file.to_path_buf(),
            pointer: None,
            message: message.into(),
        }
    }

    /// The same error, located at a JSON pointer (`#/components/schemas/Foo`).
    pub fn at(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The file the problem is in.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The JSON pointer of the problem, if it is inside the document.
    pub fn pointer(&self) -> Option<&str> {
        self.pointer.as_deref()
    }

    /// The human-readable description.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.kind.label())?;
        if let Some(pointer) = &self.pointer {
            write!(f, " at {pointer}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

/// A non-fatal problem: the generator used a fallback and says so.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Diagnostic {
    /// JSON pointer of the construct.
    pub pointer: String,
    /// What was not supported and which fallback was used.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_and_pointer() {
        let e = Error::new(
            ErrorKind::DanglingRef,
            Path::new("spec/a.yaml"),
            "no such schema",
        )
        .at("#/paths/~1pets/get");
        assert_eq!(
            e.to_string(),
            "spec/a.yaml: dangling $ref at #/paths/~1pets/get: no such schema"
        );
    }
}
