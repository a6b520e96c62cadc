//! The push store: SQLite (`{state_dir}/push/push.sqlite3`) through rusqlite, schema in
//! `migrations/*.sql` (portable SQL, see the first file for what PostgreSQL would change).
//!
//! One connection behind a mutex: every operation is a few indexed statements or one transaction
//! (a batch of claims or of send results), so the lock is held for milliseconds.

use machi_data::alerts::Severity;
pub use machi_data::push::NurseryFollow;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// The migrations, applied in order once each (`schema_migrations` remembers them).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_push.sql")),
    (2, include_str!("../../migrations/0002_nursery.sql")),
    (3, include_str!("../../migrations/0003_meetings.sql")),
    (4, include_str!("../../migrations/0004_outbox.sql")),
];

/// What a subscriber asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    pub alerts: Option<AlertTopic>,
    pub garbage: Option<GarbageTopic>,
    /// Nurseries followed in the subscription's city (table `nursery_follows`).
    pub nursery: Vec<NurseryFollow>,
    /// The bodies followed (table `meeting_follows`): read by [`Store::get`] and the meeting
    /// queries; `None` in the alert and garbage queries, which do not need it.
    pub meetings: Option<MeetingTopic>,
}

/// Meetings of the bodies a subscriber follows: new ones, changes and cancellations, and the
/// day before the deadline to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingTopic {
    pub bodies: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertTopic {
    pub min_severity: Severity,
    /// Applies to alerts that carry a 警戒レベル: they must reach it.
    pub min_level: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GarbageTopic {
    /// The hour (0–23, city time) of the reminder about the next day.
    pub evening_hour: Option<u8>,
    /// A reminder on the morning of a collection day, at [`super::MORNING_HOUR`].
    pub morning: bool,
}

/// A stored subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub endpoint: String,
    /// base64url, as the browser gave them.
    pub p256dh: String,
    pub auth: String,
    pub city: String,
    pub area: String,
    pub language: String,
    pub topics: Topics,
}

/// The outcome of one send, for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx from the push service.
    Sent,
    /// 404/410: the subscription expired; it is removed.
    Gone,
    /// Another error (after retries).
    Failed,
    /// Not sent: the endpoint is not (any more) on a public address.
    Refused,
    /// Not sent: its time to live passed before it could be (a hub stopped for longer).
    Expired,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Gone => "gone",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
            Outcome::Expired => "expired",
        }
    }
}

/// A logged send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub subscription_id: String,
    pub event_key: String,
    pub outcome: String,
    pub status_code: Option<u16>,
    pub attempts: u32,
    pub sent_at: i64,
}

pub struct Store {
    conn: Mutex<Connection>,
}

/// Why the subscription store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {source}", path.display())]
    Open {
        path: std::path::PathBuf,
        #[source]
        source: Box<StoreError>,
    },
    #[error("migration {version}: {source}")]
    Migration {
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    /// Another subscription has this endpoint.
    #[error("another subscription has this endpoint")]
    EndpointTaken,
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

const COLUMNS: &str = "id, endpoint, p256dh, auth, city, area, language, alerts_min_severity, \
                       alerts_min_level, garbage_evening_hour, garbage_morning";

fn row_to_subscription(row: &rusqlite::Row<'_>) -> rusqlite::Result<Subscription> {
    let severity: Option<String> = row.get(7)?;
    let level: Option<u8> = row.get(8)?;
    let evening: Option<u8> = row.get(9)?;
    let morning: bool = row.get(10)?;
    Ok(Subscription {
        id: row.get(0)?,
        endpoint: row.get(1)?,
        p256dh: row.get(2)?,
        auth: row.get(3)?,
        city: row.get(4)?,
        area: row.get(5)?,
        language: row.get(6)?,
        topics: Topics {
            alerts: severity
                .as_deref()
                .and_then(Severity::from_name)
                .map(|min_severity| AlertTopic {
                    min_severity,
                    min_level: level,
                }),
            garbage: (evening.is_some() || morning).then_some(GarbageTopic {
                evening_hour: evening,
                morning,
            }),
            // Read by `follows`, where needed.
            nursery: Vec::new(),
            meetings: None,
        },
    })
}

impl Store {
    /// Opens (creating) the database and applies the migrations it has not seen.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let opened = Connection::open(path)
            .map_err(StoreError::from)
            .and_then(Self::init);
        opened.map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    /// An in-memory store (tests, benchmarks).
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn)
    }

    fn init(conn: Connection) -> Result<Store, StoreError> {
        // SQLite-specific settings: write-ahead log (readers never wait for the writer; a commit
        // is an append), NORMAL sync (durable across a process crash; a power cut may lose the
        // last commits, which at worst re-sends nothing and loses a log line), foreign keys on.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )?;
        let mut conn = conn;
        for (version, sql) in MIGRATIONS {
            let done: Option<i64> = conn
                .query_row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    [version],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_some() {
                continue;
            }
            let tx = conn.transaction()?;
            tx.execute_batch(sql)
                .map_err(|source| StoreError::Migration {
                    version: *version,
                    source,
                })?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, chrono::Utc::now().timestamp()],
            )?;
            tx.commit()?;
        }
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a statement leaves SQLite consistent (transactions roll back on drop).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Inserts a subscription. An existing one with the same endpoint and keys is replaced (the
    /// browser subscribed again: only the holder of the endpoint has its keys); one with the same
    /// endpoint and other keys is [`StoreError::EndpointTaken`] (someone who merely knows the
    /// endpoint must not take it over).
    pub fn insert(&self, s: &Subscription, secret_hash: &str, now: i64) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM subscriptions WHERE endpoint = ?1 AND p256dh = ?2 AND auth = ?3",
            params![s.endpoint, s.p256dh, s.auth],
        )?;
        let (sev, level, evening, morning) = topic_columns(&s.topics);
        tx.execute(
            "INSERT INTO subscriptions (id, secret_hash, endpoint, p256dh, auth, city, area, \
             language, alerts_min_severity, alerts_min_level, garbage_evening_hour, \
             garbage_morning, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
            params![
                s.id,
                secret_hash,
                s.endpoint,
                s.p256dh,
                s.auth,
                s.city,
                s.area,
                s.language,
                sev,
                level,
                evening,
                morning,
                now
            ],
        )
        .map_err(|e| match e.sqlite_error_code() {
            // The endpoint is held with other keys (the id is new and random).
            Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::EndpointTaken,
            _ => StoreError::Sql(e),
        })?;
        write_follows(&tx, &s.id, &s.topics.nursery)?;
        meetings::write_follows(&tx, &s.id, s.topics.meetings.as_ref())?;
        tx.commit().map_err(StoreError::from)
    }

    /// Replaces everything but the id and secret.
    pub fn update(&self, s: &Subscription, now: i64) -> Result<bool, StoreError> {
        let (sev, level, evening, morning) = topic_columns(&s.topics);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let n = tx.execute(
            "UPDATE subscriptions SET endpoint = ?2, p256dh = ?3, auth = ?4, city = ?5, \
                 area = ?6, language = ?7, alerts_min_severity = ?8, alerts_min_level = ?9, \
                 garbage_evening_hour = ?10, garbage_morning = ?11, updated_at = ?12 \
                 WHERE id = ?1",
            params![
                s.id, s.endpoint, s.p256dh, s.auth, s.city, s.area, s.language, sev, level,
                evening, morning, now
            ],
        );
        let n = n.map_err(|e| match e.sqlite_error_code() {
            // The only constraint an update can break: endpoints are unique.
            Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::EndpointTaken,
            _ => StoreError::Sql(e),
        })?;
        if n == 1 {
            write_follows(&tx, &s.id, &s.topics.nursery)?;
            meetings::write_follows(&tx, &s.id, s.topics.meetings.as_ref())?;
        }
        tx.commit()?;
        Ok(n == 1)
    }

    pub fn delete(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .conn()
            .execute("DELETE FROM subscriptions WHERE id = ?1", [id])?;
        Ok(n == 1)
    }

    /// The subscription (with its follows) and its secret's hash.
    pub fn get(&self, id: &str) -> Result<Option<(Subscription, String)>, StoreError> {
        let conn = self.conn();
        let found = conn
            .query_row(
                &format!("SELECT {COLUMNS}, secret_hash FROM subscriptions WHERE id = ?1"),
                [id],
                |row| Ok((row_to_subscription(row)?, row.get::<_, String>(11)?)),
            )
            .optional()?;
        let Some((mut sub, hash)) = found else {
            return Ok(None);
        };
        let mut stmt = conn.prepare_cached(
            "SELECT facility, age_class FROM nursery_follows WHERE subscription_id = ?1 \
             ORDER BY facility, age_class",
        )?;
        let follows = stmt.query_map([id], |r| {
            Ok(NurseryFollow {
                facility: r.get(0)?,
                class: r.get(1)?,
            })
        })?;
        sub.topics.nursery = follows.collect::<Result<_, _>>()?;
        // `follows` takes the connection again.
        drop(stmt);
        drop(conn);
        sub.topics.meetings = self.follows(id)?;
        Ok(Some((sub, hash)))
    }

    /// The subscriptions of a city that follow a nursery, each with one followed
    /// (facility, class) per row.
    pub fn nursery_followers(
        &self,
        city: &str,
    ) -> Result<Vec<(Subscription, NurseryFollow)>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS}, f.facility, f.age_class FROM subscriptions \
             JOIN nursery_follows f ON f.subscription_id = id WHERE city = ?1"
        ))?;
        let rows = stmt.query_map([city], |row| {
            Ok((
                row_to_subscription(row)?,
                NurseryFollow {
                    facility: row.get(11)?,
                    class: row.get(12)?,
                },
            ))
        })?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)
    }

    /// The subscriptions of a city with the alerts topic.
    pub fn alert_subscribers(&self, city: &str) -> Result<Vec<Subscription>, StoreError> {
        self.select(
            &format!(
                "SELECT {COLUMNS} FROM subscriptions \
                 WHERE city = ?1 AND alerts_min_severity IS NOT NULL"
            ),
            params![city],
        )
    }

    /// The subscriptions of a city whose evening reminder is at `hour`, or (when `morning`) that
    /// want the morning reminder.
    pub fn garbage_subscribers(
        &self,
        city: &str,
        hour: u8,
        morning: bool,
    ) -> Result<Vec<Subscription>, StoreError> {
        self.select(
            &format!(
                "SELECT {COLUMNS} FROM subscriptions WHERE city = ?1 \
                 AND (garbage_evening_hour = ?2 OR (?3 AND garbage_morning))"
            ),
            params![city, hour, morning],
        )
    }

    pub fn count(&self) -> Result<usize, StoreError> {
        self.conn()
            .query_row("SELECT COUNT(*) FROM subscriptions", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as usize)
            .map_err(StoreError::from)
    }

    fn select(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Subscription>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, row_to_subscription)?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)
    }

    /// Claims `(subscription, event)` pairs for sending, in one transaction; returns, per pair,
    /// whether it was newly claimed (false: already sent, or the subscription is gone).
    pub fn claim(&self, pairs: &[(&str, &str, &str)], now: i64) -> Result<Vec<bool>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut claimed = Vec::with_capacity(pairs.len());
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO delivered_events (subscription_id, event_key, tag, delivered_at) \
                     SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM subscriptions WHERE id = ?1) \
                     ON CONFLICT (subscription_id, event_key) DO NOTHING",
                )
                ?;
            for (sub, key, tag) in pairs {
                let n = stmt.execute(params![sub, key, tag, now])?;
                claimed.push(n == 1);
            }
        }
        tx.commit()?;
        Ok(claimed)
    }

    /// Claims notifications for sending, keeping each one's payload until its send ends (see
    /// [`Store::pending`]), in one transaction with the alert messages whose fan-out this is;
    /// returns, per claim, whether it was newly claimed.
    pub fn claim_notifications(
        &self,
        claims: &[Claim<'_>],
        fanned_out: &[&str],
        now: i64,
    ) -> Result<Vec<bool>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut claimed = Vec::with_capacity(claims.len());
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO delivered_events (subscription_id, event_key, tag, delivered_at, \
                 payload, urgency, ttl_secs) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 \
                 WHERE EXISTS (SELECT 1 FROM subscriptions WHERE id = ?1) \
                 ON CONFLICT (subscription_id, event_key) DO NOTHING",
            )?;
            for c in claims {
                let n = stmt.execute(params![
                    c.subscription_id,
                    c.event_key,
                    c.tag,
                    now,
                    c.payload,
                    c.urgency,
                    c.ttl_secs
                ])?;
                claimed.push(n == 1);
            }
            let mut planned = tx.prepare_cached(
                "INSERT INTO alert_fanouts (message_id, planned_at) VALUES (?1, ?2) \
                 ON CONFLICT (message_id) DO NOTHING",
            )?;
            for id in fanned_out {
                planned.execute(params![id, now])?;
            }
        }
        tx.commit()?;
        Ok(claimed)
    }

    /// Which of these alert messages have not had their notifications claimed yet.
    pub fn not_fanned_out(&self, ids: &[&str]) -> Result<Vec<bool>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT 1 FROM alert_fanouts WHERE message_id = ?1")?;
        ids.iter()
            .map(|id| {
                stmt.query_row([id], |_| Ok(()))
                    .optional()
                    .map(|r| r.is_none())
                    .map_err(StoreError::from)
            })
            .collect()
    }

    /// The notifications claimed and not yet sent (a hub that stopped in the middle of a
    /// fan-out), oldest first, with where to send them.
    pub fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.id, s.endpoint, s.p256dh, s.auth, e.event_key, e.tag, e.payload, \
             e.urgency, e.ttl_secs, e.delivered_at \
             FROM delivered_events e JOIN subscriptions s ON s.id = e.subscription_id \
             WHERE e.done_at IS NULL AND e.payload IS NOT NULL ORDER BY e.delivered_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Pending {
                subscription_id: r.get(0)?,
                endpoint: r.get(1)?,
                p256dh: r.get(2)?,
                auth: r.get(3)?,
                event_key: r.get(4)?,
                tag: r.get(5)?,
                payload: r.get(6)?,
                urgency: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                ttl_secs: r.get::<_, Option<u32>>(8)?.unwrap_or(0),
                claimed_at: r.get(9)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)
    }

    /// Whether this subscriber was sent an earlier event with this tag (other than `except`).
    pub fn was_told(&self, sub: &str, tag: &str, except: &str) -> Result<bool, StoreError> {
        self.conn()
            .query_row(
                "SELECT 1 FROM delivered_events WHERE subscription_id = ?1 AND tag = ?2 \
                 AND event_key <> ?3 LIMIT 1",
                params![sub, tag, except],
                |_| Ok(()),
            )
            .optional()
            .map(|r| r.is_some())
            .map_err(StoreError::from)
    }

    /// Records a batch of send results in one transaction: the log, removal of gone
    /// subscriptions, and each subscription's failing-since mark.
    pub fn record(&self, results: &[SendResult<'_>], now: i64) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut log = tx.prepare_cached(
                "INSERT INTO send_log (subscription_id, event_key, outcome, status_code, \
                     attempts, sent_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut gone = tx.prepare_cached("DELETE FROM subscriptions WHERE id = ?1")?;
            let mut ok = tx.prepare_cached(
                "UPDATE subscriptions SET failing_since = NULL \
                     WHERE id = ?1 AND failing_since IS NOT NULL",
            )?;
            let mut failing = tx.prepare_cached(
                "UPDATE subscriptions SET failing_since = ?2 \
                     WHERE id = ?1 AND failing_since IS NULL",
            )?;
            // The send ended: never resumed, and its payload is no longer kept.
            let mut done = tx.prepare_cached(
                "UPDATE delivered_events SET done_at = ?3, payload = NULL \
                     WHERE subscription_id = ?1 AND event_key = ?2",
            )?;
            for r in results {
                log.execute(params![
                    r.subscription_id,
                    r.event_key,
                    r.outcome.as_str(),
                    r.status,
                    r.attempts,
                    now
                ])?;
                done.execute(params![r.subscription_id, r.event_key, now])?;
                match r.outcome {
                    Outcome::Sent => ok.execute([r.subscription_id]),
                    Outcome::Gone => gone.execute([r.subscription_id]),
                    Outcome::Failed | Outcome::Refused => {
                        failing.execute(params![r.subscription_id, now])
                    }
                    Outcome::Expired => Ok(0),
                }?;
            }
        }
        tx.commit().map_err(StoreError::from)
    }

    /// Applies the retention rule (docs/privacy.md); returns (subscriptions, events, log rows)
    /// removed.
    pub fn cleanup(
        &self,
        now: i64,
        failing_for: i64,
        keep_events: i64,
        keep_log: i64,
    ) -> Result<(usize, usize, usize), StoreError> {
        let conn = self.conn();
        let subs = conn.execute(
            "DELETE FROM subscriptions WHERE failing_since IS NOT NULL AND failing_since < ?1",
            [now - failing_for],
        )?;
        let events = conn.execute(
            "DELETE FROM delivered_events WHERE delivered_at < ?1",
            [now - keep_events],
        )?;
        let log = conn.execute("DELETE FROM send_log WHERE sent_at < ?1", [now - keep_log])?;
        let fanouts = conn.execute(
            "DELETE FROM alert_fanouts WHERE planned_at < ?1",
            [now - keep_events],
        )?;
        Ok((subs, events + fanouts, log))
    }

    /// The send log, oldest first (tests, diagnostics).
    pub fn log(&self) -> Result<Vec<LogEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT subscription_id, event_key, outcome, status_code, attempts, sent_at \
                 FROM send_log ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(LogEntry {
                subscription_id: r.get(0)?,
                event_key: r.get(1)?,
                outcome: r.get(2)?,
                status_code: r.get(3)?,
                attempts: r.get(4)?,
                sent_at: r.get(5)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::from)
    }

    /// Marks a subscription as failing since `at` (tests of the retention rule).
    pub fn set_failing_since(&self, id: &str, at: i64) -> Result<(), StoreError> {
        self.conn()
            .execute(
                "UPDATE subscriptions SET failing_since = ?2 WHERE id = ?1",
                params![id, at],
            )
            .map(|_| ())
            .map_err(StoreError::from)
    }
}

/// A notification to claim ([`Store::claim_notifications`]).
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    pub subscription_id: &'a str,
    pub event_key: &'a str,
    /// The notification's tag (alert series, `garbage`).
    pub tag: &'a str,
    /// The plaintext (the notification as JSON), kept until the send ends.
    pub payload: &'a [u8],
    pub urgency: &'a str,
    pub ttl_secs: u32,
}

/// A notification claimed and not yet sent ([`Store::pending`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub subscription_id: String,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub event_key: String,
    pub tag: String,
    pub payload: Vec<u8>,
    pub urgency: String,
    pub ttl_secs: u32,
    /// When it was claimed (Unix seconds): with `ttl_secs`, until when it is worth sending.
    pub claimed_at: i64,
}

/// One send's result, for [`Store::record`].
#[derive(Debug, Clone)]
pub struct SendResult<'a> {
    pub subscription_id: &'a str,
    pub event_key: &'a str,
    pub outcome: Outcome,
    pub status: Option<u16>,
    pub attempts: u32,
}

/// Replaces the follows of subscription `id`.
fn write_follows(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    follows: &[NurseryFollow],
) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM nursery_follows WHERE subscription_id = ?1",
        [id],
    )?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO nursery_follows (subscription_id, facility, age_class) VALUES (?1, ?2, ?3) \
         ON CONFLICT (subscription_id, facility, age_class) DO NOTHING",
    )?;
    for f in follows {
        stmt.execute(params![id, f.facility, f.class])?;
    }
    Ok(())
}
mod meetings;

fn topic_columns(t: &Topics) -> (Option<&'static str>, Option<u8>, Option<u8>, bool) {
    (
        t.alerts.map(|a| a.min_severity.name()),
        t.alerts.and_then(|a| a.min_level),
        t.garbage.and_then(|g| g.evening_hour),
        t.garbage.is_some_and(|g| g.morning),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(id: &str, endpoint: &str) -> Subscription {
        Subscription {
            id: id.into(),
            endpoint: endpoint.into(),
            p256dh: "k".into(),
            auth: "a".into(),
            city: "demo".into(),
            area: "kita".into(),
            language: "ja".into(),
            topics: Topics {
                alerts: Some(AlertTopic {
                    min_severity: Severity::Warning,
                    min_level: None,
                }),
                garbage: Some(GarbageTopic {
                    evening_hour: Some(19),
                    morning: false,
                }),
                nursery: Vec::new(),
                meetings: None,
            },
        }
    }

    #[test]
    fn follows_are_stored_replaced_and_go_with_their_subscription() {
        let store = Store::in_memory().unwrap();
        let mut a = sub("a", "https://p/1");
        let follow = |facility: &str, class| NurseryFollow {
            facility: facility.into(),
            class,
        };
        a.topics.nursery = vec![follow("D0003", 1), follow("D0001", 0)];
        store.insert(&a, "h", 0).unwrap();
        store.insert(&sub("b", "https://p/2"), "h", 0).unwrap();
        let got = store.get("a").unwrap().unwrap().0;
        assert_eq!(got.topics.nursery, [follow("D0001", 0), follow("D0003", 1)]);
        let followers = store.nursery_followers("demo").unwrap();
        assert_eq!(followers.len(), 2);
        assert!(followers.iter().all(|(s, _)| s.id == "a"));
        a.topics.nursery = vec![follow("D0003", 2)];
        assert!(store.update(&a, 1).unwrap());
        assert_eq!(
            store.get("a").unwrap().unwrap().0.topics.nursery,
            [follow("D0003", 2)]
        );
        store.delete("a").unwrap();
        assert!(store.nursery_followers("demo").unwrap().is_empty());
    }

    #[test]
    fn claims_are_once_per_subscription_and_event() {
        let store = Store::in_memory().unwrap();
        store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
        let pairs = [("a", "e1", "t"), ("a", "e1", "t"), ("b", "e1", "t")];
        assert_eq!(store.claim(&pairs, 1).unwrap(), [true, false, false]);
        assert_eq!(store.claim(&pairs[..1], 2).unwrap(), [false]);
        assert!(store.was_told("a", "t", "e2").unwrap());
        assert!(!store.was_told("a", "t", "e1").unwrap());
    }

    #[test]
    fn a_claim_is_pending_until_its_send_is_recorded() {
        let store = Store::in_memory().unwrap();
        store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
        store.insert(&sub("b", "https://p/2"), "h", 0).unwrap();
        let claim = |id| Claim {
            subscription_id: id,
            event_key: "alert:m1",
            tag: "t",
            payload: b"{}",
            urgency: "high",
            ttl_secs: 60,
        };
        let claimed = store
            .claim_notifications(&[claim("a"), claim("b"), claim("a")], &["m1"], 10)
            .unwrap();
        assert_eq!(claimed, [true, true, false]);
        assert_eq!(store.not_fanned_out(&["m1", "m2"]).unwrap(), [false, true]);
        let pending = store.pending().unwrap();
        assert_eq!(pending.len(), 2);
        assert_eq!(
            (
                pending[0].payload.as_slice(),
                pending[0].claimed_at,
                pending[0].ttl_secs
            ),
            (&b"{}"[..], 10, 60)
        );
        store
            .record(
                &[SendResult {
                    subscription_id: "a",
                    event_key: "alert:m1",
                    outcome: Outcome::Sent,
                    status: Some(201),
                    attempts: 1,
                }],
                11,
            )
            .unwrap();
        let pending = store.pending().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].subscription_id, "b");
        // Claimed is still claimed: never claimed (or sent) twice.
        assert_eq!(
            store.claim_notifications(&[claim("a")], &[], 12).unwrap(),
            [false]
        );
    }

    #[test]
    fn the_same_endpoint_replaces_the_old_subscription() {
        let store = Store::in_memory().unwrap();
        store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
        store.insert(&sub("b", "https://p/1"), "h", 0).unwrap();
        assert!(store.get("a").unwrap().is_none());
        assert_eq!(store.get("b").unwrap().unwrap().0, sub("b", "https://p/1"));
        assert_eq!(store.count().unwrap(), 1);
    }

    #[test]
    fn the_same_endpoint_with_other_keys_is_not_taken_over() {
        let store = Store::in_memory().unwrap();
        store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
        let mut thief = sub("b", "https://p/1");
        thief.p256dh = "other".into();
        let err = store.insert(&thief, "h", 0).unwrap_err();
        assert!(matches!(err, StoreError::EndpointTaken), "{err}");
        assert_eq!(store.get("a").unwrap().unwrap().0, sub("a", "https://p/1"));
        assert_eq!(store.count().unwrap(), 1);
    }

    #[test]
    fn moving_to_an_endpoint_another_subscription_has_is_endpoint_taken() {
        let store = Store::in_memory().unwrap();
        store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
        store.insert(&sub("b", "https://p/2"), "h", 0).unwrap();
        let err = store.update(&sub("b", "https://p/1"), 1).unwrap_err();
        assert!(matches!(err, StoreError::EndpointTaken), "{err}");
        assert_eq!(store.get("b").unwrap().unwrap().0.endpoint, "https://p/2");
    }

    #[test]
    fn retention_removes_long_failing_subscriptions_and_old_rows() {
        let store = Store::in_memory().unwrap();
        store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
        store.insert(&sub("b", "https://p/2"), "h", 0).unwrap();
        store.claim(&[("b", "old", "t")], 0).unwrap();
        store.set_failing_since("a", 100).unwrap();
        let removed = store.cleanup(100 + 8 * 86_400, 7 * 86_400, 30 * 86_400, 30 * 86_400);
        assert_eq!(removed.unwrap(), (1, 0, 0));
        assert!(store.get("a").unwrap().is_none());
        let removed = store.cleanup(31 * 86_400, 7 * 86_400, 30 * 86_400, 30 * 86_400);
        assert_eq!(removed.unwrap(), (0, 1, 0));
    }
}
