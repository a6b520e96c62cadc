//! What a meeting's generic parts are called in a resident's language — body kinds, status words,
//! whether it is open, its date and time — from the catalogue, for the app, the hub's
//! notifications and its calendars alike, so all three say it the same way.

use super::model::{BodyKind, Meeting, MeetingStatus, Openness};
use chrono::{DateTime, FixedOffset, NaiveDate, Timelike};
use machi_i18n::{fill, raw, Lang, Msg};

/// The catalogue's word for a kind of body.
pub fn kind_msg(kind: BodyKind) -> Msg {
    match kind {
        BodyKind::Assembly => Msg::MeetingsKindAssembly,
        BodyKind::Plenary => Msg::MeetingsKindPlenary,
        BodyKind::Committee => Msg::MeetingsKindCommittee,
        BodyKind::Council => Msg::MeetingsKindCouncil,
        BodyKind::Conference => Msg::MeetingsKindConference,
        BodyKind::Meeting => Msg::MeetingsKindMeeting,
    }
}

/// The word that marks a meeting that is not simply scheduled.
pub fn status_msg(status: MeetingStatus) -> Option<Msg> {
    match status {
        MeetingStatus::Scheduled => None,
        MeetingStatus::Changed => Some(Msg::MeetingsStatusChanged),
        MeetingStatus::Cancelled => Some(Msg::MeetingsStatusCancelled),
        MeetingStatus::Withdrawn => Some(Msg::MeetingsStatusWithdrawn),
    }
}

/// Whether residents may attend, in words.
pub fn openness_msg(open: Option<Openness>) -> Msg {
    match open {
        Some(Openness::Open) => Msg::MeetingsOpen,
        Some(Openness::Partly) => Msg::MeetingsPartlyOpen,
        Some(Openness::Closed) => Msg::MeetingsClosed,
        None => Msg::MeetingsOpenUnknown,
    }
}

/// `14:00`. Written out by hand: chrono's formatting machinery costs the app's wasm.
pub fn clock(t: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// "14:00〜16:00", "14:00", or "time not announced" for a date-only meeting.
pub fn time_range(lang: Lang, m: &Meeting) -> String {
    if m.all_day {
        return raw(lang, Msg::MeetingsTimeUnknown).to_owned();
    }
    match &m.end {
        Some(end) if end.date_naive() == m.start.date_naive() && end != &m.start => fill(
            raw(lang, Msg::MeetingsTimeRange),
            &[("start", &clock(&m.start)), ("end", &clock(end))],
        ),
        _ => clock(&m.start),
    }
}

/// How a date is written: the catalogue's patterns (`machi_i18n::long_date`, the hub's
/// notifications and calendars) or the browser's `Intl` (the app).
pub type DateText = fn(Lang, NaiveDate) -> String;

/// "12月15日（火） 14:00〜16:00": the weekday, date and time range in the city's time zone.
pub fn when_text(lang: Lang, m: &Meeting, date: DateText) -> String {
    fill(
        raw(lang, Msg::MeetingsWhen),
        &[
            ("date", &date(lang, m.date())),
            ("time", &time_range(lang, m)),
        ],
    )
}

/// A moment as "12月8日（火） 14:00" (a moved meeting's former time).
pub fn moment_text(lang: Lang, t: &DateTime<FixedOffset>, date: DateText) -> String {
    fill(
        raw(lang, Msg::MeetingsWhen),
        &[("date", &date(lang, t.date_naive())), ("time", &clock(t))],
    )
}
