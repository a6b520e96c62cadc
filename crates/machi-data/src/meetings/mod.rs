//! Public meetings of a municipality's bodies — the open city hall: council plenaries,
//! committees, advisory councils (審議会) — and how a resident attends them.
//!
//! - [`model`]: the meeting model the hub publishes and the app reads (always compiled);
//!   [`names`]: what its generic parts are called in each language (always compiled).
//! - Behind the `sources` feature (the hub and tests): the readers — iCalendar
//!   ([`ical`], recurrence through the `rrule` crate), the Machi meeting CSV and イベント一覧 event
//!   lists ([`csv`]), RSS/Atom 新着情報 ([`news`]) — into [`set::MeetingSet`]s; which rows and
//!   items are meetings and which body they belong to ([`classify`]); expansion into dated
//!   meetings within a window and the feed's assembly ([`expand`]); the hub's iCalendar feeds
//!   ([`calendar`]).

pub mod model;
pub mod names;

#[cfg(feature = "sources")]
pub mod calendar;
#[cfg(feature = "sources")]
pub mod classify;
#[cfg(feature = "sources")]
pub mod csv;
#[cfg(feature = "sources")]
pub mod error;
#[cfg(feature = "sources")]
pub mod expand;
#[cfg(feature = "sources")]
pub mod ical;
#[cfg(feature = "sources")]
pub mod news;
#[cfg(feature = "sources")]
pub mod set;

pub use model::{stable_id, Attendance, Body, BodyKind, Meeting, MeetingStatus, Notice, Openness};

#[cfg(feature = "sources")]
pub use calendar::{meetings_ics, CalendarOptions};
#[cfg(feature = "sources")]
pub use classify::MeetingRules;
#[cfg(feature = "sources")]
pub use csv::{parse_event_list, parse_machi_csv, CsvOptions};
#[cfg(feature = "sources")]
pub use error::{MeetingError, Warning};
#[cfg(feature = "sources")]
pub use expand::{body_id, demo_shift_days, expand, shifted, Expanded, LedgerView, MeetingsInput};
#[cfg(feature = "sources")]
pub use ical::{parse_ical_meetings, IcsLimits, IcsOptions};
#[cfg(feature = "sources")]
pub use news::parse_news;
#[cfg(feature = "sources")]
pub use set::MeetingSet;
