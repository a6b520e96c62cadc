//! The meetings step of a hub cycle, between the source pipeline and the feeds: for each city
//! with meeting sources, the published sets are expanded into dated meetings within a window
//! around now (machi-data's `expand`), taken in by the change ledger when the hub has one (the
//! push store: sequences, meetings no longer listed, and the changes to push), and kept as a
//! [`Prepared`] value that [`crate::feeds`] turns into `meetings.json` and the `.ics` feeds.
//!
//! A city is prepared again only when its meeting sources published something new, or its date
//! (in its own time zone) moved the window; otherwise the last [`Prepared`] is reused.
//!
//! The demo city (`[meetings] demo_today`) is moved by whole weeks so its meetings are always
//! upcoming; the ledger sees the meetings as written (ids and versions do not depend on the
//! day the hub started), and only the feed and the pushes show them moved.

use crate::config::CityConfig;
use crate::sources::{Sources, Value};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use machi_data::meetings::{demo_shift_days, expand, Expanded, LedgerView, Meeting, MeetingSet};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The window of meetings a feed holds: this many days back …
pub const PAST_DAYS: i64 = 366;
/// … and ahead.
pub const AHEAD_DAYS: i64 = 400;

/// The change ledger: what the hub remembers of every meeting it published (the push store
/// keeps it, `migrations/0003_meetings.sql`). A trait so this module does not reach into push.
pub trait Ledger {
    /// Takes in a reading of `city`'s meetings (every meeting of the sources in `read`) at `now`
    /// (Unix seconds, in the meetings' own time).
    fn reconcile(
        &self,
        city: &str,
        read: &[&str],
        meetings: &[Meeting],
        now: i64,
    ) -> Result<Reconciled, LedgerError>;
}

/// Why the ledger could not take a reading in.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LedgerError(pub Box<dyn std::error::Error + Send + Sync>);

/// What happened to a meeting, for the push it may deserve.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind {
    /// Published for the first time (in a later reading of its source).
    New,
    /// Its date, time, place or status changed; `before` is how it was.
    Changed { before: Box<Meeting> },
    /// The source no longer lists it (it was upcoming).
    Withdrawn,
}

/// A change of one meeting, with the meeting as it is now (withdrawn: as last seen).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub meeting: Meeting,
    pub kind: ChangeKind,
}

/// What a reconciliation found: the ledger's view for the feed, and the changes.
#[derive(Debug, Clone, Default)]
pub struct Reconciled {
    pub view: LedgerView,
    pub changes: Vec<Change>,
}

/// One city's meetings, ready for its feeds.
#[derive(Debug)]
pub struct Prepared {
    pub expanded: Expanded,
    pub ledger: LedgerView,
    /// The demo's shift in days (0 for a real city).
    pub shift_days: i64,
    /// The window, in the meetings' own (unshifted) dates.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The meeting sources' ids, in the city file's order.
    pub sources: Vec<String>,
    pub timezone: chrono_tz::Tz,
    /// What it was prepared from: the sources' generations and the city's date.
    made_from: (Vec<u64>, NaiveDate),
}

/// Every prepared city, by id.
pub type PreparedCities = BTreeMap<String, Arc<Prepared>>;

/// What a city's reading changed, for Web Push.
#[derive(Debug)]
pub struct CityChanges {
    pub city: CityConfig,
    pub prepared: Arc<Prepared>,
    pub changes: Vec<Change>,
}

/// Prepares every city with meeting sources; returns the prepared cities and the changes the
/// ledger found (none without a ledger).
pub fn prepare(
    cities: &[CityConfig],
    sources: &Sources,
    ledger: Option<&dyn Ledger>,
    previous: &PreparedCities,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (PreparedCities, Vec<CityChanges>) {
    let mut out = PreparedCities::new();
    let mut changes = Vec::new();
    for city in cities {
        let meeting_sources: Vec<_> = city
            .sources
            .iter()
            .filter(|s| s.kind.is_meetings())
            .collect();
        if meeting_sources.is_empty() {
            continue;
        }
        let Ok(tz) = city.timezone.parse::<chrono_tz::Tz>() else {
            tracing::warn!(
                "{}: unknown time zone {}; no meetings feed",
                city.id,
                city.timezone
            );
            continue;
        };
        let published: Vec<_> = meeting_sources
            .iter()
            .map(|s| (s.id.clone(), sources.published(&city.id, &s.id)))
            .collect();
        let today = now.with_timezone(&tz).date_naive();
        let made_from = (
            published
                .iter()
                .map(|(_, p)| p.as_ref().map_or(0, |p| p.generation))
                .collect::<Vec<_>>(),
            today,
        );
        if let Some(p) = previous.get(&city.id).filter(|p| p.made_from == made_from) {
            out.insert(city.id.clone(), p.clone());
            continue;
        }
        let sets: Vec<(String, Arc<MeetingSet>)> = published
            .iter()
            .filter_map(|(id, p)| match p.as_ref()?.value.as_ref()? {
                Value::Meetings(set) => Some((id.clone(), set.clone())),
                _ => None,
            })
            .collect();
        if sets.is_empty() {
            // Not read yet: no feed (the hub says so), nothing for the ledger.
            continue;
        }
        let shift_days = city.meetings.demo_today.map_or(0, |d| {
            demo_shift_days(d, started.with_timezone(&tz).date_naive())
        });
        let own_today = today - Duration::days(shift_days);
        let from = own_today - Duration::days(PAST_DAYS);
        let to = own_today + Duration::days(AHEAD_DAYS);
        let borrowed: Vec<(&str, &MeetingSet)> =
            sets.iter().map(|(id, s)| (id.as_str(), &**s)).collect();
        let expanded = expand(&borrowed, tz, from, to);
        for problem in &expanded.problems {
            tracing::warn!("{}: meetings: {problem}", city.file.display());
        }
        let read: Vec<&str> = sets.iter().map(|(id, _)| id.as_str()).collect();
        let own_now = (now - Duration::days(shift_days)).timestamp();
        let reconciled = match ledger {
            Some(ledger) => match ledger.reconcile(&city.id, &read, &expanded.meetings, own_now) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::error!(
                        "{}: the meetings ledger: {e} (no sequences or pushes this time)",
                        city.id
                    );
                    None
                }
            },
            None => None,
        };
        let (ledger_view, found) = match reconciled {
            Some(r) => (r.view, r.changes),
            None => (LedgerView::default(), Vec::new()),
        };
        let prepared = Arc::new(Prepared {
            expanded,
            ledger: ledger_view,
            shift_days,
            from,
            to,
            sources: meeting_sources.iter().map(|s| s.id.clone()).collect(),
            timezone: tz,
            made_from,
        });
        if !found.is_empty() {
            changes.push(CityChanges {
                city: city.clone(),
                prepared: prepared.clone(),
                changes: found,
            });
        }
        out.insert(city.id.clone(), prepared);
    }
    (out, changes)
}
