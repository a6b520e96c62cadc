//! Problems found in a garbage source, as values that name the file, the line and the field.
//!
//! A [`GarbageError`] stops the source from being used (the hub keeps the last good copy); a
//! [`Warning`] is a data-quality problem the parser worked around (a typo in one cell, bytes that
//! are not text) and that the operator should see. Both print the same way:
//! `area_days.csv:12: column 3 (燃やすごみ): unknown rule token "水6"`.

use std::fmt;

/// Where in a source a problem is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The file name as the city publishes it (`area_days.csv`).
    pub source_file: String,
    /// 1-based line where the record starts, when the problem is in a record.
    pub line: Option<u64>,
    /// 1-based column, when the problem is in one field.
    pub column: Option<usize>,
    /// The column's header or the property's name (`燃やすごみ`, `DTSTART`).
    pub field: Option<String>,
}

/// A problem that makes the source unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GarbageError {
    pub place: Place,
    pub message: String,
}

/// A problem the parser worked around; the source is still used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning(pub GarbageError);

impl GarbageError {
    pub fn new(source_file: &str, message: impl Into<String>) -> Self {
        Self {
            place: Place {
                source_file: source_file.to_owned(),
                ..Place::default()
            },
            message: message.into(),
        }
    }

    pub fn at_line(mut self, line: u64) -> Self {
        self.place.line = Some(line);
        self
    }

    /// Names the field by 1-based column and, when known, its header.
    pub fn at_column(mut self, column: usize, field: Option<&str>) -> Self {
        self.place.column = Some(column);
        self.place.field = field.filter(|f| !f.is_empty()).map(str::to_owned);
        self
    }

    /// Names a field that has a name but no column (an iCalendar property).
    pub fn at_field(mut self, field: &str) -> Self {
        self.place.field = Some(field.to_owned());
        self
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source_file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        match (self.column, &self.field) {
            (Some(c), Some(name)) => write!(f, ": column {c} ({name})"),
            (Some(c), None) => write!(f, ": column {c}"),
            (None, Some(name)) => write!(f, ": {name}"),
            (None, None) => Ok(()),
        }
    }
}

impl fmt::Display for GarbageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

impl std::error::Error for GarbageError {}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::ops::Deref for Warning {
    type Target = GarbageError;
    fn deref(&self) -> &GarbageError {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_line_column_and_header() {
        let e = GarbageError::new("area_days.csv", "unknown rule token \"水6\"")
            .at_line(12)
            .at_column(3, Some("燃やすごみ"));
        assert_eq!(
            e.to_string(),
            "area_days.csv:12: column 3 (燃やすごみ): unknown rule token \"水6\""
        );
        assert_eq!(
            GarbageError::new("center.csv", "empty").to_string(),
            "center.csv: empty"
        );
        assert_eq!(
            GarbageError::new("a.ics", "no date")
                .at_line(4)
                .at_field("DTSTART")
                .to_string(),
            "a.ics:4: DTSTART: no date"
        );
    }
}
