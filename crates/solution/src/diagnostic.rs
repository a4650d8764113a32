//! Errors and warnings found while reading a package, each with its file location.

use std::fmt;

use switchboard_model::{Message, Severity};

/// `path:line:column`, or `archive.zip!/path:line:column` inside a zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as shown to the user.
    pub file: String,
    /// Line and column, when the finding is about a place in the file.
    pub position: Option<(u32, u32)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One finding about a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where, when a file is involved.
    pub location: Option<Location>,
    /// What.
    pub message: Message,
}

impl Diagnostic {
    /// An error at a location.
    pub fn error(location: Option<Location>, message: Message) -> Self {
        Self {
            severity: Severity::Error,
            location,
            message,
        }
    }

    /// A warning at a location.
    pub fn warning(location: Option<Location>, message: Message) -> Self {
        Self {
            severity: Severity::Warning,
            location,
            message,
        }
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
