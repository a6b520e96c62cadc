//! What can go wrong reading a meeting source: an error that refuses the file, or a warning about
//! one event or row, each naming the file (or URL), line, column and field.

use std::fmt;

/// A problem at a place in a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingError {
    /// The file name or URL the caller gave.
    pub source: String,
    /// 1-based line, when the problem has one.
    pub line: Option<u64>,
    /// 1-based column (in characters), when known.
    pub column: Option<u64>,
    /// The property or column (`DTSTART`, `開催日`).
    pub field: Option<String>,
    pub message: String,
}

impl MeetingError {
    pub fn new(source: &str, message: impl Into<String>) -> Self {
        MeetingError {
            source: source.to_owned(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    pub fn at(mut self, line: u64, column: u64) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl fmt::Display for MeetingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for MeetingError {}

/// A problem with one event or row: it is skipped (or read in part), the rest of the file is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub MeetingError);

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
