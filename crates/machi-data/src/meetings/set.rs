//! What a meeting source reads into, before the hub places it in time: series of meetings (one
//! meeting, or a recurring one with its exceptions) with their times in the zone the source gave,
//! and notices. Expanding series into dated meetings is [`super::expand`]'s job, at the hub's
//! "now", so that parsing a file never depends on the day it is read.

use super::model::{Attendance, BodyKind, MeetingStatus, Notice};
use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;

/// Everything one source published.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MeetingSet {
    pub series: Vec<Series>,
    pub notices: Vec<Notice>,
    /// Bodies named only by notices: their name as published and kind.
    pub notice_bodies: Vec<(String, BodyKind)>,
}

/// When: a moment in a time zone, or a whole day (no time given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Start {
    At(DateTime<Tz>),
    Day(NaiveDate),
}

impl Start {
    /// The date in the zone it was given in.
    pub fn date(&self) -> NaiveDate {
        match self {
            Start::At(t) => t.date_naive(),
            Start::Day(d) => *d,
        }
    }
}

/// What can differ between a series and one of its occurrences.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Details {
    pub title: String,
    pub place: Option<String>,
    pub address: Option<String>,
    pub online: Option<String>,
    pub agenda: Vec<String>,
    pub attend: Attendance,
    pub materials: Option<String>,
    pub minutes: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
    pub status: MeetingStatus,
    /// Where a moved meeting was first announced.
    pub moved_from: Option<Start>,
    /// iCalendar `SEQUENCE`, else 0.
    pub sequence: u32,
}

/// One meeting or a recurring series of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Its identity in the source (iCalendar `UID`, a CSV row's `ID`, else its body, title and
    /// date): with the source's id, what keeps a meeting the same meeting when it changes.
    pub uid: String,
    /// The line it starts on, for messages.
    pub line: u64,
    /// The body's name as published, and its kind.
    pub body: String,
    pub body_kind: BodyKind,
    /// The language of the texts when not Japanese (iCalendar `LANGUAGE`).
    pub lang: Option<String>,
    pub start: Start,
    pub end: Option<Start>,
    pub details: Details,
    pub recurrence: Option<Recurrence>,
}

/// A recurring series: its rule and the occurrences added, removed and changed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recurrence {
    /// The `RRULE` value, checked when it was read.
    pub rule: Option<String>,
    pub rdates: Vec<Start>,
    pub exdates: Vec<Start>,
    /// Occurrences published on their own (`RECURRENCE-ID`): they replace the occurrence that
    /// starts at `recurrence_id`.
    pub overrides: Vec<Override>,
}

/// One changed occurrence of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub recurrence_id: Start,
    pub start: Start,
    pub end: Option<Start>,
    pub details: Details,
}
