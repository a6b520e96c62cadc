//! What a source kind is: how its documents are found ([`Plan`]), how they parse ([`Parse`]),
//! what it publishes ([`Value`]) and what can go wrong ([`Problem`]). The kinds themselves are
//! listed in [`super::registry`]; their parsers sit in [`super::garbage`], [`super::alerts`] and
//! [`super::meetings`]
//! over machi-data.

use crate::config::{CityConfig, SourceConfig};
use crate::fetch::FetchError;
use crate::store::StoreError;
use machi_data::alerts::{Alert, AlertError, Shelter};
use machi_data::garbage::GarbageCalendar;
use machi_data::meetings::MeetingSet;
use machi_data::nursery::facilities::FacilityList;
use machi_data::nursery::vacancies::VacancyTable;
use machi_data::SourceKind;
use std::sync::Arc;

/// How a kind's documents are found at its location.
#[derive(Debug)]
pub enum Plan {
    /// The one document at the location.
    One,
    /// A directory (or base URL) of named files: the first of `first` that is there (required),
    /// then each of `optional` that is there.
    Named {
        first: &'static [&'static str],
        optional: &'static [&'static str],
    },
    /// One file (or URL), or every file of a directory with this extension, in name order.
    FileOrDirectory { extension: &'static str },
    /// Feeds (the source's `feeds`) listing message documents by id and link; `list` reads a
    /// feed (an Atom feed for JMA).
    Feeds {
        list: fn(&[u8], &str) -> Result<Vec<Listed>, AlertError>,
    },
}

/// A message a feed lists.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    /// Absolute, or relative to the feed.
    pub link: String,
}

/// How a kind's documents parse (in machi-data).
#[derive(Debug)]
pub enum Parse {
    /// The whole set parses into one value.
    Set(fn(&Input<'_>) -> Result<Value, Problem>),
    /// Each document is a message (its bytes and id in, its alerts out).
    Messages(fn(&[u8], &str) -> Result<Vec<Alert>, AlertError>),
}

/// One source kind.
#[derive(Debug)]
pub struct Registration {
    pub kind: SourceKind,
    pub plan: Plan,
    pub parse: Parse,
    /// How often a URL source of this kind is fetched (never more often than the hub's tick);
    /// path sources are looked at every tick.
    pub url_every: std::time::Duration,
}

impl Registration {
    /// The most bytes one document of this kind may have: its parser's own limit (an XML message
    /// or feed: `XmlLimits`, 2 MiB), else the pipeline's ([`crate::fetch::MAX_BYTES`]), so nothing
    /// is downloaded that the parser would refuse anyway.
    pub fn max_bytes(&self) -> u64 {
        match (&self.plan, &self.parse) {
            (Plan::Feeds { .. }, _) | (_, Parse::Messages(_)) => XML_MAX_BYTES,
            _ => crate::fetch::MAX_BYTES,
        }
    }
}

/// What the XML parsers read at most.
pub const XML_MAX_BYTES: u64 = {
    // XmlLimits::default() is not const; its max_bytes, checked by a test below.
    2 * 1024 * 1024
};

#[cfg(test)]
mod tests {
    #[test]
    fn the_xml_limit_is_the_parsers() {
        assert_eq!(
            super::XML_MAX_BYTES,
            machi_data::alerts::XmlLimits::default().max_bytes as u64
        );
    }
}

/// The documents of a set, as a parser sees them.
pub struct Input<'a> {
    pub city: &'a CityConfig,
    pub source: &'a SourceConfig,
    pub documents: Vec<Doc<'a>>,
}

/// One document: the name the parser knows it by, where it came from, and its bytes.
pub struct Doc<'a> {
    pub name: &'a str,
    /// Its URL or path: errors name the document by this.
    pub location: &'a str,
    pub bytes: &'a [u8],
}

/// A published value: what the feeds are assembled from. Cheap to clone.
#[derive(Debug, Clone)]
pub enum Value {
    /// A source shown for attribution only (the city file itself).
    Profile,
    Garbage(Arc<GarbageCalendar>),
    /// The kept messages of a message source, by id.
    Messages(Arc<Vec<Message>>),
    Shelters(Arc<Vec<Shelter>>),
    NurseryFacilities(Arc<FacilityList>),
    /// One table per document of the set.
    NurseryVacancies(Arc<Vec<VacancyTable>>),
    /// Readings of area names (`area-readings`).
    Readings(Arc<Vec<machi_data::garbage::reading::AreaReading>>),
    /// What a meeting source published (series with their rules, notices).
    Meetings(Arc<MeetingSet>),
}

/// A kept alert message.
#[derive(Debug)]
pub struct Message {
    pub id: String,
    pub alerts: Arc<Vec<Alert>>,
}

impl Value {
    /// Whether two values are the same publication (by pointer; message sources by ids).
    pub(crate) fn same(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Profile, Value::Profile) => true,
            (Value::Garbage(a), Value::Garbage(b)) => Arc::ptr_eq(a, b),
            (Value::Shelters(a), Value::Shelters(b)) => Arc::ptr_eq(a, b),
            (Value::NurseryFacilities(a), Value::NurseryFacilities(b)) => Arc::ptr_eq(a, b),
            (Value::NurseryVacancies(a), Value::NurseryVacancies(b)) => Arc::ptr_eq(a, b),
            (Value::Meetings(a), Value::Meetings(b)) => Arc::ptr_eq(a, b),
            (Value::Messages(a), Value::Messages(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| a.id == b.id)
            }
            _ => false,
        }
    }
}

/// What went wrong with a source this time; the last good value stays.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A required document is not there.
    #[error("{place}: HTTP 404 Not Found")]
    NotFoundUrl { place: String },
    #[error("cannot read {place}: no such file")]
    NotFoundPath { place: String },
    /// None of a set's alternative names is there.
    #[error("no {wanted} at {place}")]
    Missing { wanted: String, place: String },
    /// What machi-data said, naming the file (path or URL), line and column.
    #[error("{0}")]
    Invalid(String),
    /// Several locations of a message source failed.
    #[error("{}", .0.join("; "))]
    Several(Vec<String>),
}
