//! The push store's meeting tables (`migrations/0003_meetings.sql`): the bodies each
//! subscription follows, and the change ledger of every meeting the hub published.
//!
//! The ledger is what turns "the source's file changed" into what residents are told: a meeting
//! not seen before is new (except in a source's first reading, which is taken in silently), a
//! meeting whose date, time, place or status changed is a change (and shown changed in the feed,
//! with when it was first to be, even when the source does not say so), an upcoming meeting the source
//! no longer lists is "no longer listed" — kept and shown as such. Every change of what the feed
//! says about a meeting raises its `sequence` (iCalendar `SEQUENCE`), so calendar apps take the
//! update. It lives beside the subscriptions because both are the hub's durable state about
//! residents' notifications, and one transaction covers a reading.

use super::db::{vals, DbError, Tx};
use super::{MeetingTopic, Store, StoreError, Subscription, COLUMNS};
use crate::meetings::{Change, ChangeKind, Ledger, LedgerError, Reconciled};
use machi_data::meetings::{stable_id, Meeting, MeetingStatus};
use std::collections::{BTreeSet, HashMap};

/// Rows of meetings that started longer ago than this are dropped.
pub const KEEP_DAYS: i64 = 400;

/// Replaces a subscription's followed bodies (inside the caller's transaction).
pub(super) fn write_follows(
    t: &mut dyn Tx,
    id: &str,
    topic: Option<&MeetingTopic>,
) -> Result<(), DbError> {
    t.exec(
        "DELETE FROM meeting_follows WHERE subscription_id = ?1",
        &vals![id],
    )?;
    if let Some(topic) = topic {
        for body in &topic.bodies {
            t.exec(
                "INSERT INTO meeting_follows (subscription_id, body) VALUES (?1, ?2) \
                 ON CONFLICT (subscription_id, body) DO NOTHING",
                &vals![id, body],
            )?;
        }
    }
    Ok(())
}

/// What the feed says about a meeting, hashed; the sequence does not count (it follows from it).
fn fingerprint(m: &Meeting) -> String {
    let mut m = m.clone();
    m.sequence = 0;
    let json = serde_json::to_string(&m).expect("a meeting serialises");
    stable_id("", &[&json])
}

/// Whether what a resident acts on changed: when, where, and whether it takes place.
fn changed_for_residents(before: &Meeting, after: &Meeting) -> bool {
    before.start != after.start
        || before.end != after.end
        || before.all_day != after.all_day
        || before.place != after.place
        || before.address != after.address
        || before.online != after.online
        || before.status != after.status
}

fn status_name(s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Scheduled => "scheduled",
        MeetingStatus::Changed => "changed",
        MeetingStatus::Cancelled => "cancelled",
        MeetingStatus::Withdrawn => "withdrawn",
    }
}

/// A ledger row, without its snapshot.
struct Row {
    source: String,
    fingerprint: String,
    sequence: u32,
    status: String,
    starts_at: i64,
    listed: bool,
    first_start: i64,
    changed: bool,
}

impl Store {
    /// The bodies a subscription follows, `None` when none.
    pub fn follows(&self, id: &str) -> Result<Option<MeetingTopic>, StoreError> {
        let bodies = self.tx(|t| {
            let rows = t.query(
                "SELECT body FROM meeting_follows WHERE subscription_id = ?1 ORDER BY body",
                &vals![id],
            )?;
            Ok(rows
                .iter()
                .map(|r| r.get::<String>(0))
                .collect::<Result<Vec<_>, _>>()?)
        })?;
        Ok((!bodies.is_empty()).then_some(MeetingTopic { bodies }))
    }

    /// The subscriptions of `city` that follow `body`.
    pub fn meeting_subscribers(
        &self,
        city: &str,
        body: &str,
    ) -> Result<Vec<Subscription>, StoreError> {
        let columns = COLUMNS
            .split(", ")
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut subs = self.select(
            &format!(
                "SELECT {columns} FROM subscriptions s \
                 JOIN meeting_follows f ON f.subscription_id = s.id \
                 WHERE s.city = ?1 AND f.body = ?2"
            ),
            &vals![city, body],
        )?;
        for s in &mut subs {
            s.topics.meetings = Some(MeetingTopic {
                bodies: vec![body.to_owned()],
            });
        }
        Ok(subs)
    }

    /// Takes in a reading of `city`'s meetings: `meetings` (every meeting of the sources in
    /// `read`, the sources that have a good reading) at `now` (Unix seconds, in the meetings'
    /// own time). Returns the ledger's view and what changed, in one transaction.
    pub fn reconcile_meetings(
        &self,
        city: &str,
        read: &[&str],
        meetings: &[Meeting],
        now: i64,
    ) -> Result<Reconciled, StoreError> {
        self.tx(|tx| {
            let known_sources: BTreeSet<String> = tx
                .query(
                    "SELECT source FROM meeting_ledger_sources WHERE city = ?1",
                    &vals![city],
                )?
                .iter()
                .map(|r| r.get::<String>(0))
                .collect::<Result<_, _>>()?;
            let rows: HashMap<String, Row> = tx
                .query(
                    "SELECT meeting_id, source, fingerprint, sequence, status, starts_at, listed, \
                 first_start, changed_for_residents FROM meeting_versions WHERE city = ?1",
                    &vals![city],
                )?
                .iter()
                .map(|r| {
                    Ok((
                        r.get::<String>(0)?,
                        Row {
                            source: r.get(1)?,
                            fingerprint: r.get(2)?,
                            sequence: r.get(3)?,
                            status: r.get(4)?,
                            starts_at: r.get(5)?,
                            listed: r.get(6)?,
                            first_start: r.get(7)?,
                            changed: r.get(8)?,
                        },
                    ))
                })
                .collect::<Result<_, DbError>>()?;
            let snapshot = |tx: &mut dyn Tx, id: &str| -> Result<Option<Meeting>, StoreError> {
                let json: Option<String> = tx
                    .row(
                        "SELECT snapshot FROM meeting_versions WHERE city = ?1 AND meeting_id = ?2",
                        &vals![city, id],
                    )?
                    .map(|r| r.get(0))
                    .transpose()?;
                Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
            };
            let mut out = Reconciled::default();
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            for m in meetings {
                seen.insert(m.id.as_str());
                let fp = fingerprint(m);
                let json = serde_json::to_string(m).expect("a meeting serialises");
                let starts_at = m.start.timestamp();
                let upcoming = starts_at > now;
                match rows.get(&m.id) {
                    None => {
                        tx.exec(
                            "INSERT INTO meeting_versions (city, meeting_id, source, body, \
                         fingerprint, sequence, status, starts_at, first_start, \
                         changed_for_residents, first_seen, changed_at, listed, snapshot) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?12, ?9, ?9, ?10, ?11)",
                            &vals![
                                city,
                                &m.id,
                                &m.source,
                                &m.body,
                                fp,
                                m.sequence,
                                status_name(m.status),
                                starts_at,
                                now,
                                true,
                                json,
                                false
                            ],
                        )?;
                        if m.sequence > 0 {
                            out.view.sequences.insert(m.id.clone(), m.sequence);
                        }
                        if known_sources.contains(&m.source) && upcoming && m.status.goes_ahead() {
                            out.changes.push(Change {
                                meeting: m.clone(),
                                kind: ChangeKind::New,
                            });
                        }
                    }
                    Some(row) if row.fingerprint == fp && row.listed => {
                        if row.sequence > 0 {
                            out.view.sequences.insert(m.id.clone(), row.sequence);
                        }
                        if row.changed {
                            out.view.changed.insert(m.id.clone(), row.first_start);
                        }
                    }
                    Some(row) => {
                        let before = snapshot(tx, &m.id)?;
                        let sequence = (row.sequence + 1).max(m.sequence);
                        let was_withdrawn = row.status == "withdrawn";
                        let relevant = was_withdrawn
                            || before.as_ref().is_some_and(|b| changed_for_residents(b, m));
                        let changed = row.changed || relevant;
                        tx.exec(
                        "UPDATE meeting_versions SET fingerprint = ?3, sequence = ?4, status = ?5, \
                         starts_at = ?6, changed_at = ?7, listed = ?8, snapshot = ?9, body = ?10, \
                         source = ?11, changed_for_residents = ?12 \
                         WHERE city = ?1 AND meeting_id = ?2",
                        &vals![
                            city,
                            &m.id,
                            fp,
                            sequence,
                            status_name(m.status),
                            starts_at,
                            now,
                            true,
                            json,
                            &m.body,
                            &m.source,
                            changed
                        ],
                    )?;
                        out.view.sequences.insert(m.id.clone(), sequence);
                        if changed {
                            out.view.changed.insert(m.id.clone(), row.first_start);
                        }
                        if let Some(before) = before {
                            if upcoming && relevant {
                                let mut now_is = m.clone();
                                now_is.sequence = sequence;
                                out.changes.push(Change {
                                    meeting: now_is,
                                    kind: ChangeKind::Changed {
                                        before: Box::new(before),
                                    },
                                });
                            }
                        }
                    }
                }
            }
            // What the sources read this time no longer list.
            for (id, row) in &rows {
                if seen.contains(id.as_str()) || !read.contains(&row.source.as_str()) {
                    continue;
                }
                if row.listed && row.starts_at > now && row.status != "cancelled" {
                    let Some(mut last) = snapshot(tx, id)? else {
                        continue;
                    };
                    let sequence = row.sequence + 1;
                    last.status = MeetingStatus::Withdrawn;
                    last.sequence = sequence;
                    tx.exec(
                        "UPDATE meeting_versions SET sequence = ?3, status = 'withdrawn', \
                     changed_at = ?4, listed = ?5, snapshot = ?6 \
                     WHERE city = ?1 AND meeting_id = ?2",
                        &vals![
                            city,
                            id,
                            sequence,
                            now,
                            false,
                            serde_json::to_string(&last).expect("a meeting serialises")
                        ],
                    )?;
                    out.changes.push(Change {
                        meeting: last,
                        kind: ChangeKind::Withdrawn,
                    });
                } else if row.listed {
                    tx.exec(
                    "UPDATE meeting_versions SET listed = ?3 WHERE city = ?1 AND meeting_id = ?2",
                    &vals![city, id, false],
                )?;
                }
            }
            // Upcoming meetings no source lists any more, shown as such.
            {
                let rows = tx.query(
                    "SELECT snapshot FROM meeting_versions \
                 WHERE city = ?1 AND status = 'withdrawn' AND NOT listed AND starts_at > ?2",
                    &vals![city, now - 86_400],
                )?;
                for r in rows {
                    if let Ok(m) = serde_json::from_str::<Meeting>(&r.get::<String>(0)?) {
                        out.view.sequences.insert(m.id.clone(), m.sequence);
                        out.view.withdrawn.push(m);
                    }
                }
            }
            for source in read {
                if !known_sources.contains(*source) {
                    tx.exec(
                    "INSERT INTO meeting_ledger_sources (city, source, since) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (city, source) DO NOTHING",
                    &vals![city, source, now],
                )?;
                }
            }
            tx.exec(
                "DELETE FROM meeting_versions WHERE city = ?1 AND starts_at < ?2",
                &vals![city, now - KEEP_DAYS * 86_400],
            )?;
            Ok(out)
        })
    }
}

impl Ledger for Store {
    fn reconcile(
        &self,
        city: &str,
        read: &[&str],
        meetings: &[Meeting],
        now: i64,
    ) -> Result<Reconciled, LedgerError> {
        self.reconcile_meetings(city, read, meetings, now)
            .map_err(|e| LedgerError(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meeting(id: &str, start: &str, place: &str) -> Meeting {
        Meeting {
            id: id.into(),
            body: "b-1".into(),
            title: "第3回".into(),
            lang: None,
            start: start.parse().unwrap(),
            end: None,
            all_day: false,
            place: Some(place.into()),
            address: None,
            online: None,
            agenda: vec![],
            attend: Default::default(),
            materials: None,
            minutes: None,
            url: None,
            status: MeetingStatus::Scheduled,
            moved_from: None,
            note: None,
            source: "s".into(),
            sequence: 0,
        }
    }

    #[test]
    fn the_ledger_takes_in_a_first_reading_silently_then_sees_changes() {
        for store in crate::testing::stores() {
            let now = 1_765_000_000; // 2025-12-06
            let a = meeting("m-a", "2026-12-15T14:00:00+09:00", "3階");
            let b = meeting("m-b", "2026-12-18T10:00:00+09:00", "市民会館");
            let first = store
                .reconcile_meetings("demo", &["s"], &[a.clone(), b.clone()], now)
                .unwrap();
            assert!(first.changes.is_empty());
            assert!(first.view.sequences.is_empty());

            // The same again: nothing.
            let again = store
                .reconcile_meetings("demo", &["s"], &[a.clone(), b.clone()], now)
                .unwrap();
            assert!(again.changes.is_empty());

            // A moved meeting, a new one, and one no longer listed.
            let mut moved = a.clone();
            moved.start = "2026-12-16T14:00:00+09:00".parse().unwrap();
            let c = meeting("m-c", "2026-12-20T10:00:00+09:00", "議場");
            let r = store
                .reconcile_meetings("demo", &["s"], &[moved.clone(), c.clone()], now)
                .unwrap();
            let kinds: Vec<(&str, &str)> = r
                .changes
                .iter()
                .map(|c| {
                    (
                        c.meeting.id.as_str(),
                        match c.kind {
                            ChangeKind::New => "new",
                            ChangeKind::Changed { .. } => "changed",
                            ChangeKind::Withdrawn => "withdrawn",
                        },
                    )
                })
                .collect();
            assert_eq!(
                kinds,
                [("m-a", "changed"), ("m-c", "new"), ("m-b", "withdrawn")]
            );
            assert_eq!(r.view.sequences["m-a"], 1);
            // Marked changed in the feed, with when it was first to start.
            assert_eq!(r.view.changed["m-a"], a.start.timestamp());
            assert_eq!(r.view.withdrawn.len(), 1);
            assert_eq!(r.view.withdrawn[0].status, MeetingStatus::Withdrawn);
            assert_eq!(r.view.withdrawn[0].sequence, 1);

            // Minutes added: a new version (sequence), not a change residents are pushed.
            let mut minutes = moved.clone();
            minutes.minutes = Some("https://city.example/m".into());
            let r = store
                .reconcile_meetings("demo", &["s"], &[minutes, c], now)
                .unwrap();
            assert!(r.changes.is_empty());
            assert_eq!(r.view.sequences["m-a"], 2);
            // A source not read this time withdraws nothing.
            let r = store.reconcile_meetings("demo", &[], &[], now).unwrap();
            assert!(r.changes.is_empty());
        }
    }
}
