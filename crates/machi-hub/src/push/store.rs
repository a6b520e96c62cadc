//! The push store: SQLite (`{state_dir}/push/push.sqlite3`, the embedded default, one hub) or
//! PostgreSQL (`--database-url`, one database for several hubs), schema in `migrations/*.sql`,
//! the same SQL for both (`store/db.rs` says what differs, and how).
//!
//! One connection behind a mutex: every operation is a few indexed statements or one transaction
//! (a batch of claims or of send results), so the lock is held for milliseconds.

use db::{vals, Db, DbError, Dialect, Pg, Row, Tx, Value};
use machi_data::alerts::Severity;
pub use machi_data::push::NurseryFollow;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Mutex;

/// The migrations, applied in order once each (`schema_migrations` remembers them).
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_push.sql")),
    (2, include_str!("../../migrations/0002_nursery.sql")),
    (3, include_str!("../../migrations/0003_meetings.sql")),
    (4, include_str!("../../migrations/0004_outbox.sql")),
    (5, include_str!("../../migrations/0005_hubs.sql")),
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
    db: Db,
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
        source: DbError,
    },
    /// Another subscription has this endpoint.
    #[error("another subscription has this endpoint")]
    EndpointTaken,
    #[error(transparent)]
    Sql(#[from] DbError),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sql(e.into())
    }
}

impl StoreError {
    /// A write to `subscriptions` refused by the UNIQUE endpoint is [`StoreError::EndpointTaken`].
    fn or_endpoint_taken(e: DbError) -> StoreError {
        if e.is_unique_violation() {
            StoreError::EndpointTaken
        } else {
            StoreError::Sql(e)
        }
    }

    /// The SQLite file is not a database or is corrupt (as opposed to unreadable, full, or
    /// locked, which moving it aside would not help).
    pub fn is_damaged(&self) -> bool {
        match self {
            StoreError::Open { source, .. } => source.is_damaged(),
            StoreError::Sql(e) | StoreError::Migration { source: e, .. } => e.is_damaged(),
            StoreError::EndpointTaken => false,
        }
    }
}

const COLUMNS: &str = "id, endpoint, p256dh, auth, city, area, language, alerts_min_severity, \
                       alerts_min_level, garbage_evening_hour, garbage_morning";

fn row_to_subscription(row: &Row) -> Result<Subscription, DbError> {
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

/// The PostgreSQL advisory lock held by the hub that polls and fans out (hashed with the
/// schema's name: hubs of different schemas of one database do not compete).
const LEADER_LOCK: &str = ":machi-leader";
/// The lock migrations take (hubs starting together migrate once).
const MIGRATION_LOCK: &str = ":machi-migrations";

/// Rows per multi-row statement: a power of two, and a batch is cut into powers of two, so few
/// distinct statements are prepared.
const CHUNK: usize = 512;

/// `n` cut into powers of two no larger than [`CHUNK`], largest first.
fn chunks(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    while n > 0 {
        let size = if n >= CHUNK {
            CHUNK
        } else {
            1 << (usize::BITS - 1 - n.leading_zeros())
        };
        out.push(size);
        n -= size;
    }
    out
}

/// `(?, ?, …)` repeated: `rows` rows of `columns` parameters, as written by `row`.
fn value_rows(rows: usize, row: &str) -> String {
    vec![row; rows].join(", ")
}

impl Store {
    /// Opens (creating) the SQLite database and applies the migrations it has not seen.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let opened = Connection::open(path)
            .map_err(StoreError::from)
            .and_then(Self::init_sqlite);
        opened.map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source: Box::new(source),
        })
    }

    /// An in-memory SQLite store (tests, benchmarks).
    pub fn in_memory() -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory()?;
        Self::init_sqlite(conn)
    }

    /// Connects to a PostgreSQL database (`postgres://…`) shared by several hubs, and applies
    /// the migrations it has not seen (once, whichever hub starts first).
    pub fn connect(url: &str) -> Result<Store, StoreError> {
        let pool = (0..db::POOL)
            .map(|_| Pg::connect(url).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Self::init(Db::Postgres(pool))
    }

    /// [`Store::connect`] in a schema of its own, created if missing (tests: each its own).
    pub fn connect_in_schema(url: &str, schema: &str) -> Result<Store, StoreError> {
        let schema: String = schema
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let mut pool = Vec::with_capacity(db::POOL);
        for _ in 0..db::POOL {
            let mut pg = Pg::connect(url)?;
            pg.session(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"
            ))?;
            pool.push(Mutex::new(pg));
        }
        Self::init(Db::Postgres(pool))
    }

    fn init_sqlite(conn: Connection) -> Result<Store, StoreError> {
        // SQLite-specific settings: write-ahead log (readers never wait for the writer; a commit
        // is an append), NORMAL sync (durable across a process crash; a power cut may lose the
        // last commits, which at worst re-sends nothing and loses a log line), foreign keys on.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )?;
        Self::init(Db::Sqlite(Mutex::new(conn)))
    }

    fn init(db: Db) -> Result<Store, StoreError> {
        let dialect = db.dialect();
        db.tx(|t| -> Result<(), StoreError> {
            if dialect == Dialect::Postgres {
                t.query(
                    "SELECT pg_advisory_xact_lock(hashtext(current_schema() || CAST(?1 AS TEXT)))",
                    &vals![MIGRATION_LOCK],
                )?;
            }
            t.batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            )?;
            for (version, sql) in MIGRATIONS {
                let done = t.row(
                    "SELECT version FROM schema_migrations WHERE version = ?1",
                    &vals![*version],
                )?;
                if done.is_some() {
                    continue;
                }
                t.batch(&dialect.migration(sql))
                    .map_err(|source| StoreError::Migration {
                        version: *version,
                        source,
                    })?;
                t.exec(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    &vals![*version, chrono::Utc::now().timestamp()],
                )?;
            }
            Ok(())
        })?;
        Ok(Store { db })
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Runs `f` in one transaction.
    fn tx<T>(&self, f: impl FnOnce(&mut dyn Tx) -> Result<T, StoreError>) -> Result<T, StoreError> {
        self.db.tx(f)
    }

    /// Whether this hub is the one that polls alerts and fans out (several hubs, one
    /// database): a PostgreSQL advisory lock, held by the hub's connection until it ends, so
    /// another hub takes over at its next try when this one dies. A SQLite store has one hub.
    pub fn try_lead(&self) -> Result<bool, StoreError> {
        if self.dialect() == Dialect::Sqlite {
            return Ok(true);
        }
        self.db.first(|t, leading| {
            if !*leading {
                let row = t.row(
                    "SELECT pg_try_advisory_lock(hashtext(current_schema() || CAST(?1 AS TEXT)))",
                    &vals![LEADER_LOCK],
                )?;
                *leading = row.map(|r| r.get::<bool>(0)).transpose()?.unwrap_or(false);
            }
            Ok(*leading)
        })
    }

    /// A key shared by every hub of the database (PostgreSQL): the first hub's `candidate`
    /// is kept, and every hub gets it. The VAPID key is one: subscriptions were made with it.
    pub fn shared_key(&self, name: &str, candidate: &[u8]) -> Result<Vec<u8>, StoreError> {
        self.tx(|t| {
            t.exec(
                "INSERT INTO hub_keys (name, key_bytes) VALUES (?1, ?2) \
                 ON CONFLICT (name) DO NOTHING",
                &vals![name, candidate],
            )?;
            let row = t.row(
                "SELECT key_bytes FROM hub_keys WHERE name = ?1",
                &vals![name],
            )?;
            Ok(row
                .map(|r| r.get::<Vec<u8>>(0))
                .transpose()?
                .unwrap_or_else(|| candidate.to_vec()))
        })
    }

    /// Inserts a subscription. An existing one with the same endpoint and keys is replaced (the
    /// browser subscribed again: only the holder of the endpoint has its keys); one with the same
    /// endpoint and other keys is [`StoreError::EndpointTaken`] (someone who merely knows the
    /// endpoint must not take it over).
    pub fn insert(&self, s: &Subscription, secret_hash: &str, now: i64) -> Result<(), StoreError> {
        let (sev, level, evening, morning) = topic_columns(&s.topics);
        self.tx(|t| {
            t.exec(
                "DELETE FROM subscriptions WHERE endpoint = ?1 AND p256dh = ?2 AND auth = ?3",
                &vals![&s.endpoint, &s.p256dh, &s.auth],
            )?;
            t.exec(
                "INSERT INTO subscriptions (id, secret_hash, endpoint, p256dh, auth, city, area, \
                 language, alerts_min_severity, alerts_min_level, garbage_evening_hour, \
                 garbage_morning, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
                &vals![
                    &s.id,
                    secret_hash,
                    &s.endpoint,
                    &s.p256dh,
                    &s.auth,
                    &s.city,
                    &s.area,
                    &s.language,
                    sev,
                    level,
                    evening,
                    morning,
                    now
                ],
            )
            // The endpoint is held with other keys (the id is new and random).
            .map_err(StoreError::or_endpoint_taken)?;
            write_follows(t, &s.id, &s.topics.nursery)?;
            meetings::write_follows(t, &s.id, s.topics.meetings.as_ref())?;
            Ok(())
        })
    }

    /// Replaces everything but the id and secret.
    pub fn update(&self, s: &Subscription, now: i64) -> Result<bool, StoreError> {
        let (sev, level, evening, morning) = topic_columns(&s.topics);
        self.tx(|t| {
            let n = t
                .exec(
                    "UPDATE subscriptions SET endpoint = ?2, p256dh = ?3, auth = ?4, city = ?5, \
                     area = ?6, language = ?7, alerts_min_severity = ?8, alerts_min_level = ?9, \
                     garbage_evening_hour = ?10, garbage_morning = ?11, updated_at = ?12 \
                     WHERE id = ?1",
                    &vals![
                        &s.id,
                        &s.endpoint,
                        &s.p256dh,
                        &s.auth,
                        &s.city,
                        &s.area,
                        &s.language,
                        sev,
                        level,
                        evening,
                        morning,
                        now
                    ],
                )
                // The only constraint an update can break: endpoints are unique.
                .map_err(StoreError::or_endpoint_taken)?;
            if n == 1 {
                write_follows(t, &s.id, &s.topics.nursery)?;
                meetings::write_follows(t, &s.id, s.topics.meetings.as_ref())?;
            }
            Ok(n == 1)
        })
    }

    pub fn delete(&self, id: &str) -> Result<bool, StoreError> {
        self.tx(|t| Ok(t.exec("DELETE FROM subscriptions WHERE id = ?1", &vals![id])? == 1))
    }

    /// The subscription (with its follows) and its secret's hash.
    pub fn get(&self, id: &str) -> Result<Option<(Subscription, String)>, StoreError> {
        let found = self.tx(|t| {
            let Some(row) = t.row(
                &format!("SELECT {COLUMNS}, secret_hash FROM subscriptions WHERE id = ?1"),
                &vals![id],
            )?
            else {
                return Ok(None);
            };
            let mut sub = row_to_subscription(&row)?;
            let hash: String = row.get(11)?;
            sub.topics.nursery = t
                .query(
                    "SELECT facility, age_class FROM nursery_follows WHERE subscription_id = ?1 \
                     ORDER BY facility, age_class",
                    &vals![id],
                )?
                .iter()
                .map(|r| {
                    Ok(NurseryFollow {
                        facility: r.get(0)?,
                        class: r.get(1)?,
                    })
                })
                .collect::<Result<_, DbError>>()?;
            Ok(Some((sub, hash)))
        })?;
        let Some((mut sub, hash)) = found else {
            return Ok(None);
        };
        sub.topics.meetings = self.follows(id)?;
        Ok(Some((sub, hash)))
    }

    /// The subscriptions of a city that follow a nursery, each with one followed
    /// (facility, class) per row.
    pub fn nursery_followers(
        &self,
        city: &str,
    ) -> Result<Vec<(Subscription, NurseryFollow)>, StoreError> {
        self.tx(|t| {
            let rows = t.query(
                &format!(
                    "SELECT {COLUMNS}, f.facility, f.age_class FROM subscriptions \
                     JOIN nursery_follows f ON f.subscription_id = id WHERE city = ?1"
                ),
                &vals![city],
            )?;
            rows.iter()
                .map(|row| {
                    Ok((
                        row_to_subscription(row)?,
                        NurseryFollow {
                            facility: row.get(11)?,
                            class: row.get(12)?,
                        },
                    ))
                })
                .collect()
        })
    }

    /// The subscriptions of a city with the alerts topic.
    pub fn alert_subscribers(&self, city: &str) -> Result<Vec<Subscription>, StoreError> {
        self.select(
            &format!(
                "SELECT {COLUMNS} FROM subscriptions \
                 WHERE city = ?1 AND alerts_min_severity IS NOT NULL"
            ),
            &vals![city],
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
            &vals![city, hour, morning],
        )
    }

    pub fn count(&self) -> Result<usize, StoreError> {
        self.tx(|t| {
            let row = t.row("SELECT COUNT(*) FROM subscriptions", &[])?;
            Ok(row.map(|r| r.get::<i64>(0)).transpose()?.unwrap_or(0) as usize)
        })
    }

    fn select(&self, sql: &str, params: &[Value]) -> Result<Vec<Subscription>, StoreError> {
        self.tx(|t| {
            let rows = t.query(sql, params)?;
            Ok(rows
                .iter()
                .map(row_to_subscription)
                .collect::<Result<_, _>>()?)
        })
    }

    /// Claims `(subscription, event)` pairs for sending, in one transaction; returns, per pair,
    /// whether it was newly claimed (false: already sent, or the subscription is gone).
    pub fn claim(&self, pairs: &[(&str, &str, &str)], now: i64) -> Result<Vec<bool>, StoreError> {
        self.tx(|t| {
            let mut claimed = Vec::with_capacity(pairs.len());
            for (sub, key, tag) in pairs {
                let n = t.exec(
                    "INSERT INTO delivered_events (subscription_id, event_key, tag, \
                     delivered_at, done_at) \
                     SELECT CAST(?1 AS VARCHAR(32)), ?2, ?3, CAST(?4 AS BIGINT), \
                     CAST(?4 AS BIGINT) \
                     WHERE EXISTS (SELECT 1 FROM subscriptions WHERE id = CAST(?1 AS VARCHAR(32))) \
                     ON CONFLICT (subscription_id, event_key) DO NOTHING",
                    &vals![*sub, *key, *tag, now],
                )?;
                claimed.push(n == 1);
            }
            Ok(claimed)
        })
    }

    /// Claims notifications for sending, keeping each one's payload until its send ends (see
    /// [`Store::lease`]), in one transaction with the alert messages whose fan-out this is;
    /// returns, per claim, whether it was newly claimed. Many rows per statement: a
    /// prefecture's fan-out is a million claims. With `held`, the new claims are leased as they
    /// are made (the hub sends them from memory: [`Store::lease`] never hands them out while the
    /// lease holds); without, they wait in the outbox for whichever hub leases them.
    pub fn claim_notifications(
        &self,
        claims: &[Claim<'_>],
        fanned_out: &[&str],
        held: Option<&Held<'_>>,
        now: i64,
    ) -> Result<Vec<bool>, StoreError> {
        let bytes = match self.dialect() {
            Dialect::Sqlite => "BLOB",
            Dialect::Postgres => "BYTEA",
        };
        self.tx(|t| {
            let mut new: std::collections::HashSet<(String, String)> =
                std::collections::HashSet::new();
            let mut at = 0;
            for size in chunks(claims.len()) {
                let part = &claims[at..at + size];
                at += size;
                let sql = format!(
                    "INSERT INTO delivered_events (subscription_id, event_key, tag, delivered_at, \
                     payload, urgency, ttl_secs, leased_by, lease, lease_until) \
                     SELECT v.column1, v.column2, v.column3, CAST(?0 AS BIGINT), v.column4, \
                     v.column5, v.column6, CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(96)), \
                     CAST(? AS BIGINT) FROM (VALUES {}) AS v \
                     WHERE EXISTS (SELECT 1 FROM subscriptions s WHERE s.id = v.column1) \
                     ON CONFLICT (subscription_id, event_key) DO NOTHING \
                     RETURNING subscription_id, event_key",
                    value_rows(
                        size,
                        &format!("(?, ?, ?, CAST(? AS {bytes}), ?, CAST(? AS INTEGER))")
                    )
                );
                // `?0` is `now`, then the lease (its three `?` come before the rows'); the rows'
                // parameters follow.
                let mut params = Vec::with_capacity(4 + size * 6);
                params.push(Value::from(now));
                params.extend(vals![
                    held.map(|h| h.hub),
                    held.map(|h| h.lease),
                    held.map(|h| h.until)
                ]);
                for c in part {
                    params.extend(vals![
                        c.subscription_id,
                        c.event_key,
                        c.tag,
                        c.payload,
                        c.urgency,
                        c.ttl_secs
                    ]);
                }
                for row in t.query(&renumber(&sql), &params)? {
                    new.insert((row.get(0)?, row.get(1)?));
                }
            }
            for id in fanned_out {
                t.exec(
                    "INSERT INTO alert_fanouts (message_id, planned_at) VALUES (?1, ?2) \
                     ON CONFLICT (message_id) DO NOTHING",
                    &vals![*id, now],
                )?;
            }
            // Newly claimed: returned by the insert, and the first of duplicates in `claims`.
            Ok(claims
                .iter()
                .map(|c| new.remove(&(c.subscription_id.to_owned(), c.event_key.to_owned())))
                .collect())
        })
    }

    /// Which of these alert messages have not had their notifications claimed yet.
    pub fn not_fanned_out(&self, ids: &[&str]) -> Result<Vec<bool>, StoreError> {
        self.tx(|t| {
            ids.iter()
                .map(|id| {
                    Ok(t.row(
                        "SELECT 1 FROM alert_fanouts WHERE message_id = ?1",
                        &vals![*id],
                    )?
                    .is_none())
                })
                .collect()
        })
    }

    /// Leases up to `n` notifications of `urgency` claimed and not yet sent, oldest first and
    /// after `after` (the last one a drain leased: the scan does not walk again over what it
    /// sent; [`Cursor::START`] from the beginning), to hub `hub` as lease `lease` until `until`
    /// (Unix seconds), with where to send them, in the queue's order. Hubs sharing a database each
    /// lease their own batches (PostgreSQL skips the rows another hub is leasing); a lease
    /// that ran out (its hub died) is taken by the next hub that asks.
    // The lease's parts, each a column of the statement: a struct would only name them again.
    #[allow(clippy::too_many_arguments)]
    pub fn lease(
        &self,
        hub: &str,
        lease: &str,
        n: usize,
        now: i64,
        until: i64,
        urgency: &str,
        after: &Cursor,
    ) -> Result<Vec<Pending>, StoreError> {
        let skip_locked = self.dialect().skip_locked();
        self.tx(|t| {
            let leased = t.query(
                &format!(
                    "UPDATE delivered_events SET leased_by = ?1, lease = ?2, lease_until = ?3 \
                     WHERE (subscription_id, event_key) IN ( \
                       SELECT subscription_id, event_key FROM delivered_events \
                       WHERE done_at IS NULL AND urgency = ?6 AND payload IS NOT NULL \
                       AND (lease_until IS NULL OR lease_until < ?4) \
                       AND (delivered_at, subscription_id, event_key) > (?7, ?8, ?9) \
                       ORDER BY delivered_at, subscription_id, event_key LIMIT ?5{skip_locked}) \
                     RETURNING subscription_id, event_key, tag, payload, urgency, ttl_secs, \
                     delivered_at"
                ),
                &vals![
                    hub,
                    lease,
                    until,
                    now,
                    n as i64,
                    urgency,
                    after.0,
                    after.1.as_str(),
                    after.2.as_str()
                ],
            )?;
            // Where to send them: the subscriptions by primary key, as many per statement as
            // were leased (a subscription removed meanwhile took its claims with it).
            let mut ids: Vec<&str> = Vec::with_capacity(leased.len());
            let mut owned = Vec::with_capacity(leased.len());
            for r in &leased {
                owned.push(r.get::<String>(0)?);
            }
            ids.extend(owned.iter().map(String::as_str));
            ids.sort_unstable();
            ids.dedup();
            let mut to: std::collections::HashMap<String, (String, String, String)> =
                std::collections::HashMap::with_capacity(ids.len());
            let mut at = 0;
            for size in chunks(ids.len()) {
                let part = &ids[at..at + size];
                at += size;
                let list = vec!["?"; size].join(", ");
                let params: Vec<Value> = part.iter().map(|id| Value::from(*id)).collect();
                for r in t.query(
                    &renumber(&format!(
                        "SELECT id, endpoint, p256dh, auth FROM subscriptions WHERE id IN ({list})"
                    )),
                    &params,
                )? {
                    to.insert(r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?));
                }
            }
            let mut out = Vec::with_capacity(leased.len());
            for r in &leased {
                let id: String = r.get(0)?;
                let Some((endpoint, p256dh, auth)) = to.get(&id) else {
                    continue;
                };
                out.push(Pending {
                    subscription_id: id,
                    endpoint: endpoint.clone(),
                    p256dh: p256dh.clone(),
                    auth: auth.clone(),
                    event_key: r.get(1)?,
                    tag: r.get(2)?,
                    payload: r.get(3)?,
                    urgency: r.get::<Option<String>>(4)?.unwrap_or_default(),
                    ttl_secs: r.get::<Option<u32>>(5)?.unwrap_or(0),
                    claimed_at: r.get(6)?,
                });
            }
            out.sort_by_key(Pending::cursor);
            Ok(out)
        })
    }

    /// Gives up the leases hub `hub` holds on notifications not yet sent: a hub starting again
    /// takes up at once what it was sending when it stopped, rather than when its leases run out.
    /// A SQLite database has one hub: every lease in it is a previous run's, whatever that
    /// hub was called (its leases never run out: see [`Push::deliver`](super::Push::deliver)).
    pub fn release(&self, hub: &str) -> Result<u64, StoreError> {
        let (whose, params) = match self.dialect() {
            Dialect::Sqlite => ("", Vec::new()),
            Dialect::Postgres => ("leased_by = ?1 AND ", vals![hub].to_vec()),
        };
        self.tx(|t| {
            Ok(t.exec(
                &format!(
                    "UPDATE delivered_events SET lease = NULL, lease_until = NULL \
                     WHERE {whose}done_at IS NULL AND lease IS NOT NULL"
                ),
                &params,
            )?)
        })
    }

    /// Whether anything claimed is not yet sent.
    pub fn has_pending(&self) -> Result<bool, StoreError> {
        self.tx(|t| {
            Ok(t.row(
                "SELECT 1 FROM delivered_events WHERE done_at IS NULL AND payload IS NOT NULL \
                 LIMIT 1",
                &[],
            )?
            .is_some())
        })
    }

    /// The notifications claimed and not yet sent, oldest first (tests, diagnostics).
    pub fn pending(&self) -> Result<Vec<Pending>, StoreError> {
        self.tx(|t| {
            let rows = t.query(
                "SELECT s.id, s.endpoint, s.p256dh, s.auth, e.event_key, e.tag, e.payload, \
                 e.urgency, e.ttl_secs, e.delivered_at \
                 FROM delivered_events e JOIN subscriptions s ON s.id = e.subscription_id \
                 WHERE e.done_at IS NULL AND e.payload IS NOT NULL ORDER BY e.delivered_at",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    Ok(Pending {
                        subscription_id: r.get(0)?,
                        endpoint: r.get(1)?,
                        p256dh: r.get(2)?,
                        auth: r.get(3)?,
                        event_key: r.get(4)?,
                        tag: r.get(5)?,
                        payload: r.get(6)?,
                        urgency: r.get::<Option<String>>(7)?.unwrap_or_default(),
                        ttl_secs: r.get::<Option<u32>>(8)?.unwrap_or(0),
                        claimed_at: r.get(9)?,
                    })
                })
                .collect::<Result<_, DbError>>()?)
        })
    }

    /// Whether this subscriber was sent an earlier event with this tag (other than `except`).
    pub fn was_told(&self, sub: &str, tag: &str, except: &str) -> Result<bool, StoreError> {
        self.tx(|t| {
            Ok(t.row(
                "SELECT 1 FROM delivered_events WHERE subscription_id = ?1 AND tag = ?2 \
                 AND event_key <> ?3 LIMIT 1",
                &vals![sub, tag, except],
            )?
            .is_some())
        })
    }

    /// Records a batch of send results in one transaction: the log, the end of each send (never
    /// sent again, its payload dropped), removal of gone subscriptions, and each subscription's
    /// failing-since mark. A few multi-row statements per batch, whatever its size.
    pub fn record(&self, results: &[SendResult<'_>], now: i64) -> Result<(), StoreError> {
        self.tx(|t| {
            let mut at = 0;
            for size in chunks(results.len()) {
                let part = &results[at..at + size];
                at += size;
                let mut log = Vec::with_capacity(size * 5 + 1);
                log.push(Value::from(now));
                let mut done = vec![Value::from(now)];
                for r in part {
                    log.extend(vals![
                        r.subscription_id,
                        r.event_key,
                        r.outcome.as_str(),
                        r.status,
                        r.attempts
                    ]);
                    done.extend(vals![r.subscription_id, r.event_key]);
                }
                t.exec(
                    &renumber(&format!(
                        "INSERT INTO send_log (subscription_id, event_key, outcome, status_code, \
                         attempts, sent_at) VALUES {}",
                        value_rows(size, "(?, ?, ?, ?, ?, ?0)")
                    )),
                    &log,
                )?;
                t.exec(
                    &renumber(&format!(
                        "UPDATE delivered_events SET done_at = ?0, payload = NULL \
                         WHERE (subscription_id, event_key) IN (VALUES {})",
                        value_rows(size, "(?, ?)")
                    )),
                    &done,
                )?;
                let ids = |outcome: fn(Outcome) -> bool| -> Vec<Value> {
                    let mut ids: Vec<&str> = part
                        .iter()
                        .filter(|r| outcome(r.outcome))
                        .map(|r| r.subscription_id)
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    ids.into_iter().map(Value::from).collect()
                };
                let sent = ids(|o| o == Outcome::Sent);
                let gone = ids(|o| o == Outcome::Gone);
                let failing = ids(|o| matches!(o, Outcome::Failed | Outcome::Refused));
                for (sql, ids, with_now) in [
                    (
                        "UPDATE subscriptions SET failing_since = NULL \
                         WHERE failing_since IS NOT NULL AND id IN",
                        sent,
                        false,
                    ),
                    ("DELETE FROM subscriptions WHERE id IN", gone, false),
                    (
                        "UPDATE subscriptions SET failing_since = ?0 \
                         WHERE failing_since IS NULL AND id IN",
                        failing,
                        true,
                    ),
                ] {
                    for ids in ids.chunks(CHUNK) {
                        let mut params = Vec::with_capacity(ids.len() + 1);
                        if with_now {
                            params.push(Value::from(now));
                        }
                        params.extend_from_slice(ids);
                        let list = vec!["?"; ids.len()].join(", ");
                        t.exec(&renumber(&format!("{sql} ({list})")), &params)?;
                    }
                }
            }
            Ok(())
        })
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
        self.tx(|t| {
            let subs = t.exec(
                "DELETE FROM subscriptions WHERE failing_since IS NOT NULL AND failing_since < ?1",
                &vals![now - failing_for],
            )?;
            let events = t.exec(
                "DELETE FROM delivered_events WHERE delivered_at < ?1",
                &vals![now - keep_events],
            )?;
            let log = t.exec(
                "DELETE FROM send_log WHERE sent_at < ?1",
                &vals![now - keep_log],
            )?;
            let fanouts = t.exec(
                "DELETE FROM alert_fanouts WHERE planned_at < ?1",
                &vals![now - keep_events],
            )?;
            Ok((subs as usize, (events + fanouts) as usize, log as usize))
        })
    }

    /// The send log, oldest first (tests, diagnostics).
    pub fn log(&self) -> Result<Vec<LogEntry>, StoreError> {
        self.tx(|t| {
            let rows = t.query(
                "SELECT subscription_id, event_key, outcome, status_code, attempts, sent_at \
                 FROM send_log ORDER BY id",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    Ok(LogEntry {
                        subscription_id: r.get(0)?,
                        event_key: r.get(1)?,
                        outcome: r.get(2)?,
                        status_code: r.get(3)?,
                        attempts: r.get(4)?,
                        sent_at: r.get(5)?,
                    })
                })
                .collect::<Result<_, DbError>>()?)
        })
    }

    /// Marks a subscription as failing since `at` (tests of the retention rule).
    pub fn set_failing_since(&self, id: &str, at: i64) -> Result<(), StoreError> {
        self.tx(|t| {
            t.exec(
                "UPDATE subscriptions SET failing_since = ?2 WHERE id = ?1",
                &vals![id, at],
            )?;
            Ok(())
        })
    }
}

/// Numbers the bare `?` of a statement, after its `?0` (a parameter used in every row) if it
/// has one: `?0` becomes `?1`, the rest `?2`, `?3`, … in order, as both databases take them.
fn renumber(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + sql.len() / 4);
    let mut next = if sql.contains("?0") { 2 } else { 1 };
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '?' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'0') {
            chars.next();
            out.push_str("?1");
        } else {
            out.push('?');
            out.push_str(&next.to_string());
            next += 1;
        }
    }
    out
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

/// A lease taken with the claims ([`Store::claim_notifications`]): hub `hub` holds them as
/// lease `lease` until `until` (Unix seconds), as [`Store::lease`] would have leased them.
#[derive(Debug, Clone)]
pub struct Held<'a> {
    pub hub: &'a str,
    pub lease: &'a str,
    pub until: i64,
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

/// A place in the outbox's queue: (claimed at, subscription id, event key), the order leases
/// take. A drain leases after the last one it leased, so a million-row fan-out is one walk
/// over the queue's index, not one walk per batch over what is already done.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor(pub i64, pub String, pub String);

impl Cursor {
    pub const START: Cursor = Cursor(i64::MIN, String::new(), String::new());
}

impl Pending {
    /// Its place in the queue.
    pub fn cursor(&self) -> Cursor {
        Cursor(
            self.claimed_at,
            self.subscription_id.clone(),
            self.event_key.clone(),
        )
    }
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
fn write_follows(t: &mut dyn Tx, id: &str, follows: &[NurseryFollow]) -> Result<(), DbError> {
    t.exec(
        "DELETE FROM nursery_follows WHERE subscription_id = ?1",
        &vals![id],
    )?;
    for f in follows {
        t.exec(
            "INSERT INTO nursery_follows (subscription_id, facility, age_class) \
             VALUES (?1, ?2, ?3) ON CONFLICT (subscription_id, facility, age_class) DO NOTHING",
            &vals![id, &f.facility, f.class],
        )?;
    }
    Ok(())
}

pub mod db;
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

    /// The claim of alert `m1`'s notification for subscription `id`.
    fn alert_claim(id: &str) -> Claim<'_> {
        Claim {
            subscription_id: id,
            event_key: "alert:m1",
            tag: "t",
            payload: b"{}",
            urgency: "high",
            ttl_secs: 60,
        }
    }

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
        for store in crate::testing::stores() {
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
    }

    #[test]
    fn claims_are_once_per_subscription_and_event() {
        for store in crate::testing::stores() {
            store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
            let pairs = [("a", "e1", "t"), ("a", "e1", "t"), ("b", "e1", "t")];
            assert_eq!(store.claim(&pairs, 1).unwrap(), [true, false, false]);
            assert_eq!(store.claim(&pairs[..1], 2).unwrap(), [false]);
            assert!(store.was_told("a", "t", "e2").unwrap());
            assert!(!store.was_told("a", "t", "e1").unwrap());
        }
    }

    #[test]
    fn a_claim_is_pending_until_its_send_is_recorded() {
        for store in crate::testing::stores() {
            store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
            store.insert(&sub("b", "https://p/2"), "h", 0).unwrap();
            let claim = alert_claim;
            let claimed = store
                .claim_notifications(&[claim("a"), claim("b"), claim("a")], &["m1"], None, 10)
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
                store
                    .claim_notifications(&[claim("a")], &[], None, 12)
                    .unwrap(),
                [false]
            );
        }
    }

    #[test]
    fn claims_leased_as_they_are_made_are_left_alone_until_released() {
        for store in crate::testing::stores() {
            store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
            store.insert(&sub("b", "https://p/2"), "h", 0).unwrap();
            let claim = alert_claim;
            let held = Held {
                hub: "a",
                lease: "a 1 0",
                until: i64::MAX,
            };
            let claimed = store
                .claim_notifications(&[claim("a"), claim("b")], &[], Some(&held), 10)
                .unwrap();
            assert_eq!(claimed, [true, true]);
            // Still in the outbox (a crash before their sends end leaves them there) but
            // nobody else's to send.
            assert_eq!(store.pending().unwrap().len(), 2);
            let other = store.lease("b", "b 1", 10, 11, 41, "high", &Cursor::START);
            assert!(other.unwrap().is_empty());
            // The hub started again gives them up, and any drain sends them.
            assert_eq!(store.release("a").unwrap(), 2);
            let again = store.lease("b", "b 2", 10, 12, 42, "high", &Cursor::START);
            assert_eq!(again.unwrap().len(), 2);
        }
    }

    #[test]
    fn the_same_endpoint_replaces_the_old_subscription() {
        for store in crate::testing::stores() {
            store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
            store.insert(&sub("b", "https://p/1"), "h", 0).unwrap();
            assert!(store.get("a").unwrap().is_none());
            assert_eq!(store.get("b").unwrap().unwrap().0, sub("b", "https://p/1"));
            assert_eq!(store.count().unwrap(), 1);
        }
    }

    #[test]
    fn the_same_endpoint_with_other_keys_is_not_taken_over() {
        for store in crate::testing::stores() {
            store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
            let mut thief = sub("b", "https://p/1");
            thief.p256dh = "other".into();
            let err = store.insert(&thief, "h", 0).unwrap_err();
            assert!(matches!(err, StoreError::EndpointTaken), "{err}");
            assert_eq!(store.get("a").unwrap().unwrap().0, sub("a", "https://p/1"));
            assert_eq!(store.count().unwrap(), 1);
        }
    }

    #[test]
    fn moving_to_an_endpoint_another_subscription_has_is_endpoint_taken() {
        for store in crate::testing::stores() {
            store.insert(&sub("a", "https://p/1"), "h", 0).unwrap();
            store.insert(&sub("b", "https://p/2"), "h", 0).unwrap();
            let err = store.update(&sub("b", "https://p/1"), 1).unwrap_err();
            assert!(matches!(err, StoreError::EndpointTaken), "{err}");
            assert_eq!(store.get("b").unwrap().unwrap().0.endpoint, "https://p/2");
        }
    }

    #[test]
    fn retention_removes_long_failing_subscriptions_and_old_rows() {
        for store in crate::testing::stores() {
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

    #[test]
    fn one_hub_of_a_database_leads_and_another_takes_over_when_it_is_gone() {
        let Some(url) = crate::testing::postgres_url() else {
            return;
        };
        let schema = crate::testing::fresh_schema();
        let a = Store::connect_in_schema(&url, &schema).unwrap();
        let b = Store::connect_in_schema(&url, &schema).unwrap();
        assert!(a.try_lead().unwrap());
        assert!(a.try_lead().unwrap(), "still");
        assert!(!b.try_lead().unwrap());
        // Another schema (another deployment in the same database) has its own leader.
        let other = Store::connect_in_schema(&url, &crate::testing::fresh_schema()).unwrap();
        assert!(other.try_lead().unwrap());
        drop(a);
        let t = std::time::Instant::now();
        while !b.try_lead().unwrap() {
            assert!(
                t.elapsed() < std::time::Duration::from_secs(5),
                "b never led"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    #[test]
    fn two_hubs_lease_apart_and_a_lapsed_lease_is_taken_again() {
        for store in crate::testing::stores() {
            for i in 0..10 {
                store
                    .insert(&sub(&format!("s{i}"), &format!("https://p/{i}")), "h", 0)
                    .unwrap();
            }
            let ids: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
            let claims: Vec<Claim<'_>> = ids
                .iter()
                .map(|id| Claim {
                    subscription_id: id,
                    event_key: "alert:m",
                    tag: "t",
                    payload: b"{}",
                    urgency: "high",
                    ttl_secs: 60,
                })
                .collect();
            store
                .claim_notifications(&claims, &["m"], None, 10)
                .unwrap();
            let a = store
                .lease("a", "a 1", 6, 100, 130, "high", &Cursor::START)
                .unwrap();
            let b = store
                .lease("b", "b 1", 6, 100, 130, "high", &Cursor::START)
                .unwrap();
            assert_eq!((a.len(), b.len()), (6, 4));
            let mut all: Vec<&str> = a
                .iter()
                .chain(&b)
                .map(|p| p.subscription_id.as_str())
                .collect();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), 10, "no row leased twice");
            assert!(store
                .lease("b", "b 2", 6, 101, 131, "high", &Cursor::START)
                .unwrap()
                .is_empty());
            assert!(store
                .lease("b", "b 3", 6, 101, 131, "normal", &Cursor::START)
                .unwrap()
                .is_empty());
            // a dies: after its lease, b takes its rows; b's own are not yet free.
            let later = store
                .lease("b", "b 4", 10, 131, 161, "high", &Cursor::START)
                .unwrap();
            assert_eq!(later.len(), 10, "both lapsed at 130");
            // A hub started again gives up its own leases at once.
            assert_eq!(store.release("b").unwrap(), 10);
            assert_eq!(
                store
                    .lease("a", "a 2", 10, 132, 162, "high", &Cursor::START)
                    .unwrap()
                    .len(),
                10
            );
        }
    }
}
