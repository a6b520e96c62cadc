//! The meeting model the hub publishes and the app reads: public meetings of a municipality's
//! bodies (本会議, 委員会, 審議会 …), how a resident attends them, and notices of meetings that
//! came without a usable date. Always compiled: the app deserialises it from
//! `/feeds/{city}/meetings.json`.
//!
//! Times are in the municipality's time zone (the hub converts every source to it), written with
//! their UTC offset, so the app shows the wall-clock time a resident would see on a poster without
//! a time zone database of its own.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

/// A public body whose meetings a resident can follow: a council's plenary, a committee, an
/// advisory council (審議会) …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// Stable id (a hash of the name as published): what a resident follows.
    pub id: String,
    /// The name as published ("都市計画審議会"); never translated.
    pub name: String,
    /// The language of `name` when it is not Japanese (`de`, `en`), for `lang` marking.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub name_lang: Option<String>,
    pub kind: BodyKind,
}

/// What kind of body it is: the generic part of its name, which the app says in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodyKind {
    /// The assembly as a whole (市議会, City Council, Rat der Stadt).
    Assembly,
    /// 本会議: the assembly's plenary sitting.
    Plenary,
    /// 委員会, 部会, 分科会.
    Committee,
    /// 審議会: an advisory council of the executive.
    Council,
    /// 協議会.
    Conference,
    /// 会議, 懇談会, 検討会 and other meetings.
    Meeting,
}

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingStatus {
    #[default]
    Scheduled,
    /// Its date, time or place changed after it was first announced.
    Changed,
    Cancelled,
    /// Announced, then no longer listed by the source without being marked cancelled: shown as
    /// such, never silently dropped.
    Withdrawn,
}

impl MeetingStatus {
    pub fn is_scheduled(&self) -> bool {
        *self == MeetingStatus::Scheduled
    }

    /// Left out of the JSON feed when scheduled, the usual (never of the postcard one).
    fn unsaid(&self) -> bool {
        crate::wire::omit(self.is_scheduled())
    }

    /// Whether a resident can still go.
    pub fn goes_ahead(self) -> bool {
        matches!(self, MeetingStatus::Scheduled | MeetingStatus::Changed)
    }
}

/// Whether residents may sit in (傍聴).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Openness {
    Open,
    /// Open except some items (一部非公開).
    Partly,
    Closed,
}

/// How a resident attends: open or not, seats, how to apply and by when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendance {
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub open: Option<Openness>,
    /// Public seats (傍聴定員).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub seats: Option<u32>,
    /// How to apply, as published (Japanese).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub how: Option<String>,
    /// The last day to apply, in the municipality's time zone.
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::date_opt"
    )]
    pub deadline: Option<NaiveDate>,
    /// The time of day on `deadline` when given ("17:00").
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub deadline_time: Option<String>,
}

impl Attendance {
    pub fn is_empty(&self) -> bool {
        *self == Attendance::default()
    }

    /// Left out of the JSON feed when empty (never of the postcard one: see `crate::wire`).
    fn unset(&self) -> bool {
        crate::wire::omit(self.is_empty())
    }
}

/// One meeting (one occurrence of a recurring one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// Stable id: the source, the event's identity and its original start (for a moved
    /// occurrence, where it was first), hashed. Used in URLs and by the hub's change ledger.
    pub id: String,
    /// The id of its [`Body`].
    pub body: String,
    /// As published; never translated.
    pub title: String,
    /// The language of `title`, `agenda` and `place` when not Japanese.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub lang: Option<String>,
    #[serde(deserialize_with = "crate::time::fixed")]
    pub start: DateTime<FixedOffset>,
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::fixed_opt"
    )]
    pub end: Option<DateTime<FixedOffset>>,
    /// Only the date is known: `start` and `end` are midnights and their times mean nothing.
    #[serde(default, skip_serializing_if = "crate::wire::no")]
    pub all_day: bool,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub place: Option<String>,
    /// The place's address, for directions.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub address: Option<String>,
    /// Where to watch or join online.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub online: Option<String>,
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub agenda: Vec<String>,
    #[serde(default, skip_serializing_if = "Attendance::unset")]
    pub attend: Attendance,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub materials: Option<String>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub minutes: Option<String>,
    /// The page the source links to for this meeting.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "MeetingStatus::unsaid")]
    pub status: MeetingStatus,
    /// For a moved meeting: when it was to be before.
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::fixed_opt"
    )]
    pub moved_from: Option<DateTime<FixedOffset>>,
    /// More about it, as published (a description, 備考).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub note: Option<String>,
    /// The id of the source in [`crate::CityFeed::sources`] it came from.
    pub source: String,
    /// How many times the hub saw it change (iCalendar `SEQUENCE`).
    #[serde(default, skip_serializing_if = "crate::wire::zero")]
    pub sequence: u32,
}

impl Meeting {
    /// The local date it takes place on.
    pub fn date(&self) -> NaiveDate {
        self.start.date_naive()
    }

    /// Whether it is over at `now` (its end, else its start; an all-day meeting at the end of its
    /// day).
    pub fn is_past(&self, now: DateTime<FixedOffset>) -> bool {
        let end = self.end.unwrap_or(self.start);
        if self.all_day {
            end.date_naive() < now.date_naive()
        } else {
            end < now
        }
    }
}

/// A notice of a meeting from a news feed (新着情報): a title and a link, with the meeting's date
/// only when the notice states one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub title: String,
    pub url: String,
    /// When the notice was published.
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::fixed_opt"
    )]
    pub published: Option<DateTime<FixedOffset>>,
    /// The meeting's date, when the notice's text gives one; never guessed.
    #[serde(
        default,
        skip_serializing_if = "crate::wire::none",
        deserialize_with = "crate::time::date_opt"
    )]
    pub date: Option<NaiveDate>,
    /// The body it is about, when its name was found in the title.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub body: Option<String>,
    pub source: String,
}

/// A stable short id: FNV-1a over the parts (with a separator that cannot occur in them), 64 bits
/// as 16 hex digits. Small and the same on every platform and release: ids are in residents'
/// saved follows and in the hub's ledger.
pub fn stable_id(prefix: &str, parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{prefix}{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_across_releases() {
        // Pinned: a change here loses every resident's followed bodies.
        assert_eq!(
            stable_id("b-", &["都市計画審議会"]),
            stable_id("b-", &["都市計画審議会"])
        );
        assert_eq!(stable_id("", &[""]), "cbf29ce484222325");
        assert_ne!(stable_id("", &["a", "b"]), stable_id("", &["ab"]));
    }

    #[test]
    fn a_plain_meeting_is_compact() {
        let m = Meeting {
            id: "m1".into(),
            body: "b1".into(),
            title: "第3回".into(),
            lang: None,
            start: "2026-12-08T10:00:00+09:00".parse().unwrap(),
            end: None,
            all_day: false,
            place: None,
            address: None,
            online: None,
            agenda: vec![],
            attend: Attendance::default(),
            materials: None,
            minutes: None,
            url: None,
            status: MeetingStatus::Scheduled,
            moved_from: None,
            note: None,
            source: "s".into(),
            sequence: 0,
        };
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"id":"m1","body":"b1","title":"第3回","start":"2026-12-08T10:00:00+09:00","source":"s"}"#
        );
        assert_eq!(serde_json::from_str::<Meeting>(&json).unwrap(), m);
    }
}
