//! The one error type of the alerts module: what went wrong, in which source, and where.

use std::fmt;

/// A source that could not be read, with enough context to find the place: the source's name (a
/// file name or URL the caller passed in), the element path or CSV column, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertError {
    /// The name the caller gave the input (file name, URL, message id).
    pub source: String,
    /// Element path (`Report/Head/ReportDateTime`) or CSV column; empty when it concerns the
    /// whole input (size, encoding).
    pub path: String,
    /// 1-based line in the input, when known.
    pub line: Option<u32>,
    pub message: String,
}

impl AlertError {
    pub fn new(
        source: impl Into<String>,
        path: impl Into<String>,
        line: Option<u32>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            source: source.into(),
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for AlertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for AlertError {}
