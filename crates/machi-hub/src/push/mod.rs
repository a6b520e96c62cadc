//! Web Push: subscriptions (HTTP API in [`api`]), storage ([`store`], SQLite), sending
//! ([`crypto`]: RFC 8291 payloads and RFC 8292 VAPID; [`endpoint`]: public hosts only), alert
//! fan-out and garbage reminders, and the retention rule (`docs/privacy.md`).
//!
//! **Once per event.** Every notification has an event key (`alert:<message id>`,
//! `garbage:<date>:evening|morning`, `nursery:<city>:<facility>:<class>:<as of>`); before sending, the pair (subscription, event key) is
//! claimed in `delivered_events` under a UNIQUE constraint, with the notification itself, and only
//! newly claimed pairs are sent. A claim is not a delivery: each send's end is recorded as soon as
//! it comes (and the notification dropped), and a hub that stopped mid-way sends what it had
//! claimed and not finished when it starts again ([`Push::resume`]; alert messages kept but never
//! fanned out are fanned out then, [`Push::fan_out_missed`]). A restart or a second tick in the
//! same hour never claims anything twice. What no protocol can settle: a request the push service
//! received just before the hub died, whose answer the hub never read, is sent again after the
//! restart, with the same `Topic` (the push service replaces an undelivered copy) and tag (the
//! browser replaces a shown one). A send that still fails after its retries is logged, not sent
//! again.
//!
//! **Sending.** At most [`PushSettings::concurrency`] requests at a time over one pooled HTTP
//! client (keep-alive, HTTP/2 where the push service offers it), at most
//! [`PushSettings::per_origin`] of them to one push service, alerts before reminders ([`send`]).
//! 429 waits for `Retry-After` (capped), 5xx and network errors back off exponentially, up to
//! [`PushSettings::max_attempts`], holding no slot while they wait; 404/410 remove the
//! subscription; every send is logged.

pub mod api;
pub mod crypto;
pub mod endpoint;
pub mod meetings;
pub mod send;
pub mod store;

use crate::config::CityConfig;
use crate::feeds::Feeds;
use chrono::{DateTime, Duration as Days, NaiveDate, Timelike as _, Utc};
use crypto::{UaKeys, Vapid};
use machi_data::alerts::{
    is_unconfirmed, kind_name, Alert, AlertStatus, AreaScope, SubscriptionIndex,
};
use machi_data::garbage::category_name;
use machi_data::nursery::Places;
use machi_data::NurseryFeed;
use machi_i18n::{fill, plain, raw, Lang, Msg};
use ring::rand::SystemRandom;
use send::{Origins, Priority, Slots};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use store::{Claim, Outcome, SendResult, Store, Subscription};

/// The hour (city time) of the morning-of garbage reminder.
pub const MORNING_HOUR: u8 = 6;
/// Alerts issued longer ago than this are not pushed (news that old is no news; also keeps a
/// first start from pushing a day of backlog).
pub const MAX_ALERT_AGE_HOURS: i64 = 6;
/// Retention (docs/privacy.md): a subscription failing for this long is removed.
pub const FAILING_DAYS: i64 = 7;
/// Retention: send log rows and delivered-event keys are kept this long.
pub const LOG_DAYS: i64 = 30;
/// Claims made per transaction: a fan-out's sending starts after its first chunk.
const CLAIM_CHUNK: usize = 8_192;
/// The icon shown with every notification.
pub const ICON: &str = "/icons/icon-192.png";

#[derive(Debug, Clone)]
pub struct PushSettings {
    /// TEST ONLY: accept `http://127.0.0.1:port` endpoints and loopback addresses.
    pub allow_loopback: bool,
    /// The VAPID `sub` claim: a `mailto:` or `https:` contact for push services.
    pub subject: String,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests in flight to one push service (origin) at most: the rest of `concurrency` is
    /// always there for the others, however slow or hostile one is.
    pub per_origin: usize,
    /// Tries per message in all (first send + retries).
    pub max_attempts: u32,
    /// The first backoff after a 5xx or network error; doubled each time.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured (longer ones are cut to this).
    pub max_retry_after: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// BENCHMARKS AND TESTS ONLY: more certificate authorities (PEM) to trust, for a local push
    /// service speaking TLS as real ones do.
    pub extra_roots: Vec<Vec<u8>>,
    /// Subscriptions one client (IPv4 address, IPv6 /64) may create in an hour.
    pub creations_per_hour: u32,
    /// Subscriptions the hub holds at most; creating more is refused.
    pub max_subscriptions: usize,
    /// `postgres://…`: the store several hubs share (`None`: SQLite under the state dir).
    pub database_url: Option<String>,
    /// This hub's name among those sharing a database (the host name by default): the leases
    /// it holds are given up when a hub of the same name starts again.
    pub hub_id: String,
    /// How long a hub holds the notifications it leased for sending: after that (it died), any
    /// hub sends them.
    pub lease: Duration,
}

impl Default for PushSettings {
    fn default() -> Self {
        PushSettings {
            allow_loopback: false,
            subject: "mailto:webpush@machi.invalid".into(),
            concurrency: 64,
            per_origin: 48,
            max_attempts: 4,
            backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(60),
            timeout: Duration::from_secs(15),
            extra_roots: Vec::new(),
            // Generous: a carrier's NAT puts many residents behind one IPv4 address.
            creations_per_hour: 60,
            max_subscriptions: 1_000_000,
            database_url: None,
            hub_id: default_hub_id(),
            lease: Duration::from_secs(120),
        }
    }
}

/// The host name (`/proc/sys/kernel/hostname`, `HOSTNAME`), or `hub`.
pub fn default_hub_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().chars().take(48).collect::<String>())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "hub".into())
}

/// The notification the service worker shows (`public/sw.js`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    pub tag: String,
    pub url: String,
    pub icon: String,
}

/// One notification for one subscription.
#[derive(Clone)]
pub struct Outgoing {
    pub subscription_id: String,
    pub endpoint: String,
    pub keys: UaKeys,
    pub event_key: String,
    pub tag: String,
    /// The plaintext (the [`Payload`] as JSON).
    pub payload: Arc<[u8]>,
    pub urgency: &'static str,
    pub ttl_secs: u32,
    /// The `Topic` header: a newer message with the same topic replaces an undelivered older one.
    pub topic: String,
}

/// What came of a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// Not sent because already sent before (or the subscription is gone).
    pub skipped: usize,
    pub sent: usize,
    pub gone: usize,
    pub failed: usize,
    pub refused: usize,
    /// Claimed before the hub stopped and found too late to send (past its time to live).
    pub expired: usize,
}

impl Report {
    /// Adds another report's counts.
    pub fn add(&mut self, other: &Report) {
        self.skipped += other.skipped;
        self.sent += other.sent;
        self.gone += other.gone;
        self.failed += other.failed;
        self.refused += other.refused;
        self.expired += other.expired;
    }

    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Sent => self.sent += 1,
            Outcome::Gone => self.gone += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Refused => self.refused += 1,
            Outcome::Expired => self.expired += 1,
        }
    }
}

/// What came of one message: outcome, last HTTP status, attempts.
type Sent = (Outcome, Option<u16>, u32);

/// Why Web Push could not start.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Vapid(#[from] crypto::VapidError),
    #[error("cannot build the push HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    #[error(
        "the push subject {0:?} is not a contact push services can use: give a mailto: address \
         (mailto:webmaster@city.example.jp) or an https: URL (--push-subject)"
    )]
    Subject(String),
    #[error("the shared database: {0}")]
    Database(String),
}

/// Whether `subject` is a VAPID `sub` push services accept (RFC 8292 §2.1): a `mailto:` URI with
/// an address, or an `https:` URL with a host.
pub fn valid_subject(subject: &str) -> bool {
    match url::Url::parse(subject) {
        Ok(u) if u.scheme() == "mailto" => {
            let (user, host) = u.path().split_once('@').unwrap_or_default();
            !user.is_empty() && host.contains('.') && !host.ends_with('.')
        }
        Ok(u) if u.scheme() == "https" => u.host_str().is_some_and(|h| !h.is_empty()),
        _ => false,
    }
}

/// The push service; cheap to clone.
#[derive(Clone)]
pub struct Push {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    vapid: Vapid,
    client: reqwest::Client,
    settings: PushSettings,
    limiter: api::RateLimiter,
    creations: api::RateLimiter,
    /// The send slots every fan-out shares (alerts first) and the per-service permits.
    slots: Arc<Slots>,
    origins: Origins,
    last_cleanup: Mutex<Option<DateTime<Utc>>>,
    /// One drain of the outbox at a time per hub (a second caller waits, then finds its claims
    /// sent by the first).
    draining: tokio::sync::Mutex<()>,
    /// Leases taken by this hub so far (each lease's name is unique).
    leases: std::sync::atomic::AtomicU64,
    /// Whether this hub led at its last look (see [`Push::leads`]).
    leading: std::sync::atomic::AtomicBool,
}

impl Push {
    /// Opens the push state under `{state_dir}/push/`: the VAPID key (`vapid-private.pk8`,
    /// created on first start, mode 0600) and the database (`push.sqlite3`).
    pub fn open(state_dir: &Path, settings: PushSettings) -> Result<Push, PushError> {
        if !valid_subject(&settings.subject) {
            return Err(PushError::Subject(settings.subject));
        }
        let dir = state_dir.join("push");
        crate::files::create_private_dir(&dir)?;
        let key_file = dir.join("vapid-private.pk8");
        let vapid = Vapid::load_or_create(&key_file, settings.subject.clone())?;
        if let Some(url) = settings.database_url.clone() {
            // Several hubs, one database: the VAPID key is the first hub's, for all of them
            // (each hub's own file only seeds it).
            let store = Store::connect(&url)?;
            let own = std::fs::read(&key_file)
                .map_err(|e| PushError::Database(format!("{}: {e}", key_file.display())))?;
            let shared = store.shared_key("vapid", &own)?;
            let vapid = if shared == own {
                vapid
            } else {
                Vapid::from_pkcs8(&shared, settings.subject.clone())?
            };
            return Self::with(store, vapid, settings);
        }
        let database = dir.join("push.sqlite3");
        // Endpoints and keys: readable by the hub's user only. SQLite creates its -wal and -shm
        // files with the database file's mode, so the database is made private before it opens.
        for file in ["push.sqlite3", "push.sqlite3-wal", "push.sqlite3-shm"] {
            crate::files::make_private(&dir.join(file), file == "push.sqlite3")?;
        }
        let store = match Store::open(&database) {
            Ok(store) => store,
            // A damaged database must not stop the hub (alerts are still read and served):
            // it is moved aside for the operator, and a new one is started. Its subscriptions
            // are lost: residents must turn notifications on again (the app does not notice
            // by itself; the operator may recover rows from the file moved aside).
            Err(e) if is_damaged(&e) => {
                let aside = crate::files::move_aside(&database)?;
                for suffix in ["-wal", "-shm"] {
                    let mut file = database.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
                tracing::error!(
                    "{e}: the push database is damaged; moved to {} and starting an empty one \
                     (its subscriptions are lost)",
                    aside.display()
                );
                crate::files::make_private(&database, true)?;
                Store::open(&database)?
            }
            Err(e) => return Err(e.into()),
        };
        Self::with(store, vapid, settings)
    }

    /// A push service over an existing store and key (tests, benchmarks).
    pub fn with(store: Store, vapid: Vapid, settings: PushSettings) -> Result<Push, PushError> {
        if !valid_subject(&settings.subject) {
            return Err(PushError::Subject(settings.subject));
        }
        let mut client = reqwest::Client::builder();
        for pem in &settings.extra_roots {
            let root = reqwest::Certificate::from_pem(pem).map_err(PushError::Client)?;
            client = client.add_root_certificate(root);
        }
        let client = client
            .user_agent(concat!(
                "machi-hub/",
                env!("CARGO_PKG_VERSION"),
                " (web push)"
            ))
            .timeout(settings.timeout)
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(settings.concurrency.max(1))
            // No redirects and no proxy from the environment: either would connect somewhere
            // the resolver below never checked.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(endpoint::PublicResolver {
                allow_loopback: settings.allow_loopback,
            }))
            .build()
            .map_err(PushError::Client)?;
        let creations =
            api::RateLimiter::per(settings.creations_per_hour, Duration::from_secs(3600));
        let slots = Slots::new(settings.concurrency);
        let origins = Origins::new(settings.per_origin.min(settings.concurrency));
        Ok(Push {
            inner: Arc::new(Inner {
                store,
                vapid,
                client,
                settings,
                limiter: api::RateLimiter::new(api::RATE_PER_MINUTE),
                creations,
                slots,
                origins,
                last_cleanup: Mutex::new(None),
                draining: tokio::sync::Mutex::new(()),
                leases: std::sync::atomic::AtomicU64::new(0),
                leading: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn vapid(&self) -> &Vapid {
        &self.inner.vapid
    }

    pub fn settings(&self) -> &PushSettings {
        &self.inner.settings
    }

    pub(crate) fn limiter(&self) -> &api::RateLimiter {
        &self.inner.limiter
    }

    pub(crate) fn creations(&self) -> &api::RateLimiter {
        &self.inner.creations
    }

    /// Claims each message's (subscription, event) pair, sends the new ones, records the
    /// results.
    pub async fn deliver(&self, batch: Vec<Outgoing>, now: DateTime<Utc>) -> Report {
        self.deliver_for(batch, &[], now).await
    }

    /// [`Push::deliver`] for the fan-out of alert messages `messages`: their being fanned out is
    /// recorded with the claims, in one transaction.
    ///
    /// Several hubs (PostgreSQL): the claims go to the outbox and every hub's [`Push::drain`]
    /// leases batches of it. One hub (SQLite): nobody else can take the work, so the claims
    /// are leased to this hub as they are made and sent from memory, not read back; their
    /// lease never runs out (a drain never sends them twice) and is given up when the hub
    /// starts again ([`Push::release_leases`]), when its drain sends what a crash left unsent.
    async fn deliver_for(
        &self,
        batch: Vec<Outgoing>,
        messages: &[&str],
        now: DateTime<Utc>,
    ) -> Report {
        let total = batch.len();
        let messages: Vec<String> = messages.iter().map(|m| (*m).to_owned()).collect();
        let sole = self.inner.store.dialect() == store::db::Dialect::Sqlite;
        let lease = sole.then(|| self.lease_name());
        let mut rest = batch;
        let mut new = 0;
        let mut sent = Report::default();
        // One hub: the claims go to its sender as they are made (one chunk waits at most).
        let (held, sending) = if sole {
            let (held, chunks) = tokio::sync::mpsc::channel(1);
            let push = self.clone();
            let sending = tokio::spawn(async move { push.send_held(chunks).await });
            (Some(held), Some(sending))
        } else {
            (None, None)
        };
        let mut drains: Vec<tokio::task::JoinHandle<Report>> = Vec::new();
        // Claimed a chunk at a time, each in its own transaction (the messages' fan-out is
        // recorded with the last): sending starts after the first chunk, not after a million.
        // A hub that dies part-way claims the rest when it (or the next leader) fans the
        // messages out again; claims already made stay made.
        loop {
            let tail = rest.split_off(rest.len().min(CLAIM_CHUNK));
            let chunk = std::mem::replace(&mut rest, tail);
            let fanned = if rest.is_empty() {
                messages.clone()
            } else {
                Vec::new()
            };
            let (push, lease) = (self.clone(), lease.clone());
            let size = chunk.len();
            let claimed = tokio::task::spawn_blocking(move || {
                let claims: Vec<Claim<'_>> = chunk
                    .iter()
                    .map(|o| Claim {
                        subscription_id: &o.subscription_id,
                        event_key: &o.event_key,
                        tag: &o.tag,
                        payload: &o.payload,
                        urgency: o.urgency,
                        ttl_secs: o.ttl_secs,
                    })
                    .collect();
                let fanned: Vec<&str> = fanned.iter().map(String::as_str).collect();
                let held = lease.as_deref().map(|lease| store::Held {
                    hub: &push.inner.settings.hub_id,
                    lease,
                    until: i64::MAX,
                });
                let claimed = push.inner.store.claim_notifications(
                    &claims,
                    &fanned,
                    held.as_ref(),
                    now.timestamp(),
                );
                drop(claims);
                (chunk, claimed)
            })
            .await;
            let mut todo = Vec::new();
            match claimed {
                Ok((chunk, Ok(claimed))) => {
                    new += claimed.iter().filter(|c| **c).count();
                    if sole {
                        todo = chunk
                            .into_iter()
                            .zip(claimed)
                            .filter_map(|(o, is_new)| is_new.then_some(o))
                            .collect();
                    }
                }
                Ok((_, Err(e))) => {
                    tracing::error!("push: cannot claim {size} events: {e} (not sent)")
                }
                Err(e) => tracing::error!("push: claiming {size} events failed: {e}"),
            }
            if let Some(held) = &held {
                if !todo.is_empty() && held.send(todo).await.is_err() {
                    tracing::error!("push: the sender stopped ({size} claims left to a restart)");
                }
            } else if new > 0 && drains.last().is_none_or(|d| d.is_finished()) {
                // Sent from the outbox, by this hub and any other sharing the database.
                let push = self.clone();
                drains.push(tokio::spawn(async move { push.drain(now).await }));
            }
            if rest.is_empty() {
                break;
            }
        }
        drop(held);
        for d in sending.into_iter().chain(drains) {
            sent.add(&joined(d.await));
        }
        if new > 0 && !sole {
            // What the last chunks added after the drains above had looked.
            sent.add(&self.drain(now).await);
        }
        Report {
            skipped: total - new,
            ..sent
        }
    }

    /// Sends the claims this hub holds ([`Push::deliver_for`], one hub) as they come, in
    /// batches as [`Push::drain`] does, two out at once: what a crash can leave sent and not
    /// recorded is no more than a drain's.
    async fn send_held(&self, mut chunks: tokio::sync::mpsc::Receiver<Vec<Outgoing>>) -> Report {
        let size = self.batch_size();
        let mut report = Report::default();
        let mut out: Option<tokio::task::JoinHandle<Report>> = None;
        while let Some(mut rest) = chunks.recv().await {
            while !rest.is_empty() {
                let tail = rest.split_off(rest.len().min(size));
                let batch = std::mem::replace(&mut rest, tail);
                let push = self.clone();
                let next = tokio::spawn(async move { push.send_claimed(batch).await });
                if let Some(last) = out.replace(next) {
                    report.add(&joined(last.await));
                }
            }
        }
        if let Some(last) = out {
            report.add(&joined(last.await));
        }
        report
    }

    /// Notifications sent per batch (leased by a drain, or held).
    fn batch_size(&self) -> usize {
        (self.inner.settings.concurrency * 4).clamp(16, 1024)
    }

    /// A new lease's name, unique to this hub and run.
    fn lease_name(&self) -> String {
        let n = self
            .inner
            .leases
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("{} {} {n}", self.inner.settings.hub_id, std::process::id())
    }

    /// Sends what is claimed and not yet sent, batch by batch, as this hub leases it (alerts
    /// first), until nothing is left that another hub has not leased. Two batches are out at
    /// once: the next is leased while the last is being sent.
    pub async fn drain(&self, now: DateTime<Utc>) -> Report {
        let _one = self.inner.draining.lock().await;
        let settings = &self.inner.settings;
        let size = self.batch_size();
        let mut report = Report::default();
        let mut out: Option<tokio::task::JoinHandle<Report>> = None;
        // Where this drain is in the queue, per urgency: each lease goes on from the last.
        let mut after = [store::Cursor::START, store::Cursor::START];
        loop {
            let lease = self.lease_name();
            let now_secs = Utc::now().timestamp().max(now.timestamp());
            let until = now_secs + settings.lease.as_secs() as i64;
            let store = &self.inner.store;
            let mut leased = Ok(Vec::new());
            for (i, urgency) in ["high", "normal"].into_iter().enumerate() {
                leased = store.lease(
                    &settings.hub_id,
                    &lease,
                    size,
                    now_secs,
                    until,
                    urgency,
                    &after[i],
                );
                if let Ok(l) = &leased {
                    if let Some(last) = l.last() {
                        after[i] = last.cursor();
                        break;
                    }
                }
            }
            let leased = match leased {
                Ok(leased) => leased,
                Err(e) => {
                    tracing::error!("push: cannot lease notifications to send: {e}");
                    Vec::new()
                }
            };
            let more = !leased.is_empty();
            let next = more.then(|| {
                let push = self.clone();
                // Time to live is counted in the caller's time (the fan-out's `now`).
                let ttl_now = now.timestamp();
                tokio::spawn(async move { push.send_pending(leased, ttl_now).await })
            });
            if let Some(last) = out.take() {
                report.add(&joined(last.await));
            }
            out = next;
            if !more {
                break;
            }
        }
        let done = report.sent + report.gone + report.failed + report.refused + report.expired;
        if done > 0 && self.inner.store.dialect() == store::db::Dialect::Postgres {
            tracing::info!(
                "push: {done} sent from the outbox by {} ({report:?})",
                settings.hub_id
            );
        }
        report
    }

    /// Sends claimed notifications, each with its retries, all at once as far as the slots
    /// allow, and records each result as soon as it comes (a claim is not a delivery: what was
    /// recorded is never sent again, what was not is sent by [`Push::resume`] after a restart).
    async fn send_claimed(&self, todo: Vec<Outgoing>) -> Report {
        let mut report = Report::default();
        if todo.is_empty() {
            return report;
        }
        let (done, mut results) = tokio::sync::mpsc::unbounded_channel::<(Outgoing, Sent)>();
        let mut running = tokio::task::JoinSet::new();
        for o in todo {
            let (push, done) = (self.clone(), done.clone());
            running.spawn(async move {
                let sent = push.send_one(&o).await;
                let _ = done.send((o, sent));
            });
        }
        drop(done);
        let mut ready = Vec::new();
        while let Some(first) = results.recv().await {
            // What came meanwhile is recorded with it, in one transaction.
            ready.push(first);
            while ready.len() < 256 {
                match results.try_recv() {
                    Ok(more) => ready.push(more),
                    Err(_) => break,
                }
            }
            let done: Vec<(&str, &str, Sent)> = ready
                .iter()
                .map(|(o, sent)| (o.subscription_id.as_str(), o.event_key.as_str(), *sent))
                .collect();
            self.record(&done, &mut report);
            ready.clear();
        }
        while let Some(joined) = running.join_next().await {
            if let Err(e) = joined {
                tracing::error!("push: a send task failed: {e}");
            }
        }
        report
    }

    /// Records (subscription id, event key, what came of it) for each send, in one transaction.
    fn record(&self, results: &[(&str, &str, Sent)], report: &mut Report) {
        let records: Vec<SendResult<'_>> = results
            .iter()
            .map(
                |(subscription_id, event_key, (outcome, status, attempts))| {
                    report.count(*outcome);
                    SendResult {
                        subscription_id,
                        event_key,
                        outcome: *outcome,
                        status: *status,
                        attempts: *attempts,
                    }
                },
            )
            .collect();
        if let Err(e) = self.inner.store.record(&records, Utc::now().timestamp()) {
            tracing::error!("push: cannot record {} send results: {e}", records.len());
        }
    }

    /// Gives up the leases a previous run of this hub held (it stopped in the middle of a
    /// fan-out), so that [`Push::drain`] sends what it had claimed and not finished at once.
    pub fn release_leases(&self) {
        match self.inner.store.release(&self.inner.settings.hub_id) {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                "push: {n} notifications claimed before the hub stopped are sent now"
            ),
            Err(e) => tracing::error!("push: cannot take up the notifications left unsent: {e}"),
        }
    }

    /// Sends leased notifications; what is past its time to live is recorded as expired.
    async fn send_pending(&self, pending: Vec<store::Pending>, now: i64) -> Report {
        let mut todo = Vec::new();
        let mut ended: Vec<(String, String, Sent)> = Vec::new();
        for p in pending {
            // Sent with what is left of its time to live.
            let left = p.claimed_at + i64::from(p.ttl_secs) - now;
            let keys = match UaKeys::decode(&p.p256dh, &p.auth) {
                _ if left <= 0 => {
                    ended.push((p.subscription_id, p.event_key, (Outcome::Expired, None, 0)));
                    continue;
                }
                Ok(keys) => keys,
                Err(_) => {
                    ended.push((p.subscription_id, p.event_key, (Outcome::Failed, None, 0)));
                    continue;
                }
            };
            todo.push(Outgoing {
                topic: topic_of(&p.tag),
                subscription_id: p.subscription_id,
                endpoint: p.endpoint,
                keys,
                event_key: p.event_key,
                tag: p.tag,
                payload: p.payload.into(),
                urgency: if p.urgency == "high" {
                    "high"
                } else {
                    "normal"
                },
                ttl_secs: u32::try_from(left).unwrap_or(u32::MAX),
            });
        }
        let mut report = Report::default();
        let ended: Vec<(&str, &str, Sent)> = ended
            .iter()
            .map(|(id, key, sent)| (id.as_str(), key.as_str(), *sent))
            .collect();
        self.record(&ended, &mut report);
        let sent = self.send_claimed(todo).await;
        Report {
            expired: report.expired,
            failed: report.failed + sent.failed,
            ..sent
        }
    }

    /// Whether this hub polls alerts and fans out (several hubs, one database: the one holding
    /// the database's leader lock; one hub: always). A hub that just became the leader fans out
    /// what the one before it kept and had not (see [`Push::fan_out_missed`]); this returns
    /// `Some(true)` then.
    pub fn leads(&self) -> Option<bool> {
        use std::sync::atomic::Ordering;
        let now = match self.inner.store.try_lead() {
            Ok(now) => now,
            Err(e) => {
                tracing::error!("push: cannot tell whether this hub leads: {e}");
                false
            }
        };
        let before = self.inner.leading.swap(now, Ordering::SeqCst);
        if now && !before && self.inner.store.dialect() == store::db::Dialect::Postgres {
            tracing::info!("push: this hub ({}) leads now", self.inner.settings.hub_id);
        }
        now.then_some(!before)
    }

    /// One message with its retries: (outcome, last status, attempts). Each attempt holds a
    /// permit of the message's push service and a send slot (alerts first) while its request is
    /// out; a `Retry-After` or a backoff is waited out holding neither.
    async fn send_one(&self, o: &Outgoing) -> Sent {
        let settings = &self.inner.settings;
        let url = match endpoint::check(&o.endpoint, settings.allow_loopback) {
            Ok(url) => url,
            Err(e) => {
                tracing::warn!("push {}: endpoint refused: {e}", o.subscription_id);
                return (Outcome::Refused, None, 0);
            }
        };
        let origin = endpoint::origin(&url);
        let priority = if o.urgency == "high" {
            Priority::Alert
        } else {
            Priority::Reminder
        };
        let mut body: Option<bytes::Bytes> = None;
        let mut backoff = settings.backoff;
        let mut last_status = None;
        let attempts = settings.max_attempts.max(1);
        for attempt in 1..=attempts {
            let wait = {
                let _permit = self.inner.origins.take(&origin).await;
                let _slot = self.inner.slots.take(priority).await;
                // Encrypted once, when first sent (not for every message of a batch up front).
                let payload = match &body {
                    Some(b) => b.clone(),
                    None => match crypto::encrypt(self.inner.vapid.rng(), &o.keys, &o.payload) {
                        Ok(b) => body.insert(bytes::Bytes::from(b)).clone(),
                        Err(e) => {
                            tracing::warn!("push {}: {e}", o.subscription_id);
                            return (Outcome::Failed, None, 0);
                        }
                    },
                };
                let authorization = self
                    .inner
                    .vapid
                    .authorization(&origin, Utc::now().timestamp());
                let sent = self
                    .inner
                    .client
                    .post(url.clone())
                    .header("authorization", authorization)
                    .header("ttl", o.ttl_secs)
                    .header("urgency", o.urgency)
                    .header("topic", &o.topic)
                    .header("content-encoding", "aes128gcm")
                    .header("content-type", "application/octet-stream")
                    .body(payload)
                    .send()
                    .await;
                match sent {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        last_status = Some(status);
                        match status {
                            200..=299 => return (Outcome::Sent, Some(status), attempt),
                            404 | 410 => return (Outcome::Gone, Some(status), attempt),
                            429 => retry_after(response.headers())
                                .map(|d| d.min(settings.max_retry_after))
                                .unwrap_or(backoff),
                            500..=599 => backoff,
                            _ => {
                                tracing::warn!("push {}: HTTP {status}", o.subscription_id);
                                return (Outcome::Failed, Some(status), attempt);
                            }
                        }
                    }
                    // Never the endpoint in a log line (docs/privacy.md): reqwest's errors name
                    // the URL, and the endpoint's path is the subscription's address at the push
                    // service.
                    Err(e) if is_refused(&e) => {
                        tracing::warn!("push {}: {}", o.subscription_id, e.without_url());
                        return (Outcome::Refused, None, attempt);
                    }
                    Err(e) => {
                        tracing::debug!("push {}: {}", o.subscription_id, e.without_url());
                        backoff
                    }
                }
            };
            if attempt < attempts {
                tokio::time::sleep(wait).await;
                backoff = backoff.saturating_mul(2);
            }
        }
        (Outcome::Failed, last_status, attempts)
    }

    /// Pushes newly accepted alert messages to the subscriptions of the cities they concern
    /// (never messages replayed from the store: the poller returns only new ones).
    ///
    /// One notification per (message, subscriber): 発表 (issued) of kinds that reach the
    /// subscriber's minimum severity and level; 解除/取消 (lifted, cancelled) only to subscribers
    /// who were sent an earlier message of the same series. 継続, updates and corrections are not
    /// pushed (a JMA warning message restates every warning in force; pushing those would repeat).
    pub async fn fan_out_alerts(
        &self,
        messages: &[(String, Arc<Vec<Alert>>)],
        cities: &[(CityConfig, AreaScope)],
        now: DateTime<Utc>,
    ) -> Report {
        let mut index = SubscriptionIndex::default();
        for (city, scope) in cities {
            index.add(city.id.clone(), scope);
        }
        let by_id: BTreeMap<&str, &CityConfig> =
            cities.iter().map(|(c, _)| (c.id.as_str(), c)).collect();
        let mut batch = Vec::new();
        for (message_id, alerts) in messages {
            let fresh: Vec<&Alert> = alerts
                .iter()
                .filter(|a| !a.test)
                .filter(|a| {
                    now - a.issued_at.with_timezone(&Utc) <= Days::hours(MAX_ALERT_AGE_HOURS)
                })
                .filter(|a| {
                    a.valid_until.is_none_or(|v| v.with_timezone(&Utc) > now)
                        || !a.status.is_active()
                })
                // A warning that may have ended (nothing newer within the bound for its kind,
                // e.g. read late from a long feed after an outage) is never news.
                .filter(|a| !is_unconfirmed(a, now))
                .collect();
            // city → the alerts of this message that concern it.
            let mut per_city: BTreeMap<&str, Vec<&Alert>> = BTreeMap::new();
            for a in &fresh {
                for city in index.subscribers(a) {
                    per_city.entry(city).or_default().push(a);
                }
            }
            let event_key = format!("alert:{message_id}");
            for (city_id, alerts) in per_city {
                let Some(city) = by_id.get(city_id) else {
                    continue;
                };
                let subscribers = match self.inner.store.alert_subscribers(city_id) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!("push: cannot read subscriptions of {city_id}: {e}");
                        continue;
                    }
                };
                for sub in subscribers {
                    if let Some(o) = self.alert_notification(&sub, city, &alerts, &event_key) {
                        batch.push(o);
                    }
                }
            }
        }
        let ids: Vec<&str> = messages.iter().map(|(id, _)| id.as_str()).collect();
        if batch.is_empty() {
            // Nobody to tell now; remembered so a restart does not look at it again.
            if let Err(e) = self
                .inner
                .store
                .claim_notifications(&[], &ids, None, now.timestamp())
            {
                tracing::error!("push: cannot record the alert fan-out: {e}");
            }
            return Report::default();
        }
        let report = self.deliver_for(batch, &ids, now).await;
        tracing::info!("push: alerts: {report:?}");
        report
    }

    /// Fans out the alert messages whose notifications were never claimed: a hub that stopped
    /// between keeping a message and claiming its notifications. Called at start with the kept
    /// messages (only new and fresh ones are pushed, as always).
    pub async fn fan_out_missed(
        &self,
        messages: &[(String, Arc<Vec<Alert>>)],
        cities: &[(CityConfig, AreaScope)],
        now: DateTime<Utc>,
    ) -> Report {
        let ids: Vec<&str> = messages.iter().map(|(id, _)| id.as_str()).collect();
        let missed = match self.inner.store.not_fanned_out(&ids) {
            Ok(missed) => missed,
            Err(e) => {
                tracing::error!("push: cannot read which alerts were fanned out: {e}");
                return Report::default();
            }
        };
        let missed: Vec<(String, Arc<Vec<Alert>>)> = messages
            .iter()
            .zip(missed)
            .filter(|(_, missed)| *missed)
            .map(|(m, _)| m.clone())
            .collect();
        if missed.is_empty() {
            return Report::default();
        }
        self.fan_out_alerts(&missed, cities, now).await
    }

    fn alert_notification(
        &self,
        sub: &Subscription,
        city: &CityConfig,
        alerts: &[&Alert],
        event_key: &str,
    ) -> Option<Outgoing> {
        let topic = sub.topics.alerts?;
        let meets = |a: &Alert| {
            a.severity >= topic.min_severity
                && match (topic.min_level, a.level) {
                    (Some(min), Some(level)) => level >= min,
                    _ => true,
                }
        };
        let issued: Vec<&Alert> = alerts
            .iter()
            .copied()
            .filter(|a| a.status == AlertStatus::Issued && meets(a))
            .collect();
        let (chosen, msg) = if !issued.is_empty() {
            (issued, Msg::PushAlertIssued)
        } else {
            let ended: Vec<&Alert> = alerts
                .iter()
                .copied()
                .filter(|a| matches!(a.status, AlertStatus::Lifted | AlertStatus::Cancelled))
                .filter(|a| meets(a))
                .collect();
            let first = ended.first()?;
            let told = self
                .inner
                .store
                .was_told(&sub.id, &first.series, event_key)
                .unwrap_or(false);
            if !told {
                return None;
            }
            let msg = if first.status == AlertStatus::Cancelled {
                Msg::PushAlertCancelled
            } else {
                Msg::PushAlertLifted
            };
            (ended, msg)
        };
        let mut chosen = chosen;
        chosen.sort_by_key(|a| std::cmp::Reverse(a.severity));
        let lang = subscriber_lang(sub);
        let mut kinds: Vec<String> = Vec::new();
        for a in &chosen {
            // The app's name for it too; a notification has no ruby.
            let name = plain(&kind_name(a, lang).text);
            if !kinds.contains(&name) {
                kinds.push(name);
            }
        }
        let area = city.name.get(lang.code(), lang.data_fallbacks());
        let body = text(
            lang,
            msg,
            &[
                ("area", area),
                ("kind", &kinds.join(raw(lang, Msg::PushListSeparator))),
            ],
        );
        let tag = chosen[0].series.clone();
        let payload = Payload {
            title: kinds[0].clone(),
            body,
            tag: tag.clone(),
            url: "/alerts".into(),
            icon: ICON.into(),
        };
        outgoing(sub, event_key.to_owned(), tag, &payload, "high", 12 * 3600)
    }

    /// Sends the garbage reminders due at `now`: for every city, the subscriptions whose evening
    /// hour (city time) is the current hour get the next day's categories; at [`MORNING_HOUR`],
    /// those who asked for it get the day's. Nothing is sent for a day without collection.
    /// Called every minute; the event key makes the later calls of the same hour no-ops.
    pub async fn garbage_tick(
        &self,
        now: DateTime<Utc>,
        cities: &[CityConfig],
        feeds: &Feeds,
    ) -> Report {
        let mut batch = Vec::new();
        for city in cities {
            let (Some(garbage), Some(feed)) = (feeds.garbage(&city.id), feeds.city(&city.id))
            else {
                continue;
            };
            let Ok(tz) = city.timezone.parse::<chrono_tz::Tz>() else {
                tracing::warn!("push: {}: unknown time zone {}", city.id, city.timezone);
                continue;
            };
            let calendar = &garbage.calendar;
            // Usually the current hour alone; on the day summer time starts, also the hours it
            // skipped, so a reminder set for 02:00 in Berlin still comes (at 03:00).
            for (today, hour) in due_hours(now, tz) {
                let subscribers =
                    match self
                        .inner
                        .store
                        .garbage_subscribers(&city.id, hour, hour == MORNING_HOUR)
                    {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::error!("push: cannot read subscriptions of {}: {e}", city.id);
                            continue;
                        }
                    };
                for sub in subscribers {
                    let Some(topic) = sub.topics.garbage else {
                        continue;
                    };
                    let (Some(area), Some(collection)) = (
                        feed.area(&sub.area),
                        feed.collection_area(&sub.area, calendar),
                    ) else {
                        continue;
                    };
                    let mut due: Vec<(NaiveDate, &str, Msg)> = Vec::new();
                    if topic.evening_hour == Some(hour) {
                        if let Some(tomorrow) = today.succ_opt() {
                            due.push((tomorrow, "evening", Msg::PushGarbageTomorrow));
                        }
                    }
                    if topic.morning && hour == MORNING_HOUR {
                        due.push((today, "morning", Msg::PushGarbageToday));
                    }
                    for (date, kind, msg) in due {
                        let lang = subscriber_lang(&sub);
                        // Named as the app names them (the catalogue's names of their kinds).
                        let labels: Vec<String> = calendar
                            .collected_on(collection, date)
                            .into_iter()
                            .map(|c| category_name(c, lang).text.into_owned())
                            .collect();
                        if labels.is_empty() {
                            continue;
                        }
                        let separator = raw(lang, Msg::PushListSeparator);
                        let payload = Payload {
                            title: text(lang, msg, &[("categories", &labels.join(separator))]),
                            body: text(
                                lang,
                                Msg::PushGarbageBody,
                                &[("area", area.name.get(lang.code(), lang.data_fallbacks()))],
                            ),
                            tag: "garbage".into(),
                            url: "/garbage".into(),
                            icon: ICON.into(),
                        };
                        let ttl = if kind == "evening" {
                            12 * 3600
                        } else {
                            4 * 3600
                        };
                        let event_key = format!("garbage:{date}:{kind}");
                        if let Some(o) =
                            outgoing(&sub, event_key, "garbage".into(), &payload, "normal", ttl)
                        {
                            batch.push(o);
                        }
                    }
                }
            }
        }
        if batch.is_empty() {
            return Report::default();
        }
        let report = self.deliver(batch, now).await;
        tracing::info!("push: garbage reminders: {report:?}");
        report
    }

    /// Pushes the places that opened with `feed`'s newest month (see `NurseryFeed::openings`) to
    /// the subscribers of `city` who follow those nurseries for those classes. Called when a new
    /// month was published, never for months read back from the store at start; the event key
    /// (`nursery:<city>:<facility>:<class>:<as of>`) makes a repeat a no-op.
    pub async fn nursery_openings(
        &self,
        city: &CityConfig,
        feed: &NurseryFeed,
        now: DateTime<Utc>,
    ) -> Report {
        let openings = feed.openings();
        let Some(month) = feed.months.first() else {
            return Report::default();
        };
        if openings.is_empty() {
            return Report::default();
        }
        let followers = match self.inner.store.nursery_followers(&city.id) {
            Ok(f) => f,
            Err(e) => {
                tracing::error!("push: cannot read nursery follows of {}: {e}", city.id);
                return Report::default();
            }
        };
        let mut batch = Vec::new();
        for (sub, follow) in followers {
            let Some(f) = feed.facility(&follow.facility) else {
                continue;
            };
            if !openings.contains(&(f, follow.class)) {
                continue;
            }
            let facility = &feed.facilities[f as usize];
            let lang = subscriber_lang(&sub);
            let class = text(lang, Msg::NurseryClass, &[("n", &follow.class.to_string())]);
            let places = match month.row(f).and_then(|r| r.places_for(follow.class)) {
                Some(Places::Count(n)) => {
                    text(lang, Msg::NurseryPlacesCount, &[("n", &n.to_string())])
                }
                _ => text(lang, Msg::NurseryPlacesSome, &[]),
            };
            let date = plain(&machi_i18n::long_date(lang, month.as_of));
            let payload = Payload {
                // The name as published: a notification cannot mark it as Japanese.
                title: text(lang, Msg::PushNurseryTitle, &[("name", &facility.name)]),
                body: text(
                    lang,
                    Msg::PushNurseryBody,
                    &[("class", &class), ("places", &places), ("date", &date)],
                ),
                tag: format!("nursery:{}:{}", city.id, facility.id),
                url: format!("/nursery/{}", facility.id),
                icon: ICON.into(),
            };
            let event_key = format!(
                "nursery:{}:{}:{}:{}",
                city.id, facility.id, follow.class, month.as_of
            );
            let tag = payload.tag.clone();
            if let Some(o) = outgoing(&sub, event_key, tag, &payload, "normal", 7 * 86_400) {
                batch.push(o);
            }
        }
        if batch.is_empty() {
            return Report::default();
        }
        let report = self.deliver(batch, now).await;
        tracing::info!("push: nursery openings in {}: {report:?}", city.id);
        report
    }

    /// Applies the retention rule at most once an hour (docs/privacy.md).
    pub fn cleanup_if_due(&self, now: DateTime<Utc>) {
        {
            let mut last = self
                .inner
                .last_cleanup
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if last.is_some_and(|l| now - l < Days::hours(1)) {
                return;
            }
            *last = Some(now);
        }
        match self.inner.store.cleanup(
            now.timestamp(),
            FAILING_DAYS * 86_400,
            LOG_DAYS * 86_400,
            LOG_DAYS * 86_400,
        ) {
            Ok((0, 0, 0)) => {}
            Ok((subs, events, log)) => tracing::info!(
                "push retention: removed {subs} failing subscriptions, {events} event keys, \
                 {log} log rows"
            ),
            Err(e) => tracing::error!("push retention: {e}"),
        }
    }
}

/// The local (date, hour) pairs whose reminders are due at `now` in `tz`: the current hour, and
/// before it any wall-clock hours that a change to summer time skipped since an hour ago (they
/// never happen, so their reminders come with the first hour that does).
pub fn due_hours(now: DateTime<Utc>, tz: chrono_tz::Tz) -> Vec<(NaiveDate, u8)> {
    let truncate = |t: chrono::NaiveDateTime| {
        t.date()
            .and_hms_opt(t.hour(), 0, 0)
            .expect("a whole hour exists")
    };
    let current = truncate(now.with_timezone(&tz).naive_local());
    let before = truncate((now - Days::hours(1)).with_timezone(&tz).naive_local());
    let mut hours = Vec::new();
    let mut h = before + Days::hours(1);
    // At most a few hours are ever skipped; the bound keeps a strange zone from looping long.
    while h < current && hours.len() < 4 {
        hours.push((h.date(), h.hour() as u8));
        h += Days::hours(1);
    }
    hours.push((current.date(), current.hour() as u8));
    hours
}

/// The subscriber's language (the API accepts only the catalogue's, so the fallback is for rows
/// written by an older hub).
fn subscriber_lang(sub: &Subscription) -> Lang {
    Lang::from_code(&sub.language).unwrap_or(Lang::SOURCE)
}

/// A notification's text: the catalogue message in the subscriber's language with its
/// placeholders filled, ruby reduced to its base (a notification cannot show furigana).
fn text(lang: Lang, msg: Msg, args: &[(&str, &str)]) -> String {
    plain(&fill(raw(lang, msg), args))
}

/// The notification for one subscription, or `None` when its stored keys are unusable.
pub fn outgoing(
    sub: &Subscription,
    event_key: String,
    tag: String,
    payload: &Payload,
    urgency: &'static str,
    ttl_secs: u32,
) -> Option<Outgoing> {
    let keys = match UaKeys::decode(&sub.p256dh, &sub.auth) {
        Ok(keys) => keys,
        Err(e) => {
            tracing::warn!("push {}: {e}", sub.id);
            return None;
        }
    };
    let payload = serde_json::to_vec(payload).expect("a payload serialises");
    Some(Outgoing {
        subscription_id: sub.id.clone(),
        endpoint: sub.endpoint.clone(),
        keys,
        event_key,
        topic: topic_of(&tag),
        tag,
        payload: payload.into(),
        urgency,
        ttl_secs,
    })
}

/// RFC 8030 `Topic`: at most 32 characters of the base64url alphabet; a hash of the tag.
pub fn topic_of(tag: &str) -> String {
    let mut t = crypto::b64(&Sha256::digest(tag.as_bytes()));
    t.truncate(32);
    t
}

/// A send task's report (none if it failed: logged).
fn joined(task: Result<Report, tokio::task::JoinError>) -> Report {
    task.unwrap_or_else(|e| {
        tracing::error!("push: a send batch failed: {e}");
        Report::default()
    })
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    (at - Utc::now()).to_std().ok()
}

fn is_refused(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<endpoint::NotPublic>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Whether the database file is not a database or is corrupt (as opposed to unreadable, full,
/// or locked, which moving it aside would not help).
fn is_damaged(e: &store::StoreError) -> bool {
    e.is_damaged()
}

/// A new random id (16 bytes) and secret (32 bytes), and the secret's hash as stored.
pub fn new_credentials(rng: &SystemRandom) -> (String, String, String) {
    let id = crypto::random_token(rng, 16);
    let secret = crypto::random_token(rng, 32);
    let hash = hash_secret(&secret);
    (id, secret, hash)
}

pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vapid_subject_must_be_a_mailto_address_or_an_https_url() {
        for good in [
            "mailto:webpush@machi.invalid",
            "mailto:bousai@city.nanao.lg.jp",
            "https://machi.example.jp/contact",
        ] {
            assert!(valid_subject(good), "{good}");
        }
        for bad in [
            "",
            "webpush@machi.invalid",
            "mailto:",
            "mailto:nobody",
            "http://machi.example.jp/",
            "https://",
            "tel:+81-3-0000-0000",
        ] {
            assert!(!valid_subject(bad), "{bad:?}");
        }
        let err = PushError::Subject("admin".into()).to_string();
        assert!(err.contains("--push-subject"), "{err}");
    }

    #[test]
    fn an_hour_skipped_by_summer_time_is_due_with_the_next() {
        let berlin = chrono_tz::Europe::Berlin;
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        // 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        assert_eq!(
            due_hours(at("2026-03-29T00:30:00Z"), berlin),
            [(d("2026-03-29"), 1)]
        );
        assert_eq!(
            due_hours(at("2026-03-29T01:00:00Z"), berlin),
            [(d("2026-03-29"), 2), (d("2026-03-29"), 3)]
        );
        assert_eq!(
            due_hours(at("2026-03-29T02:00:00Z"), berlin),
            [(d("2026-03-29"), 4)]
        );
        // 2026-10-25: 03:00 CEST becomes 02:00 CET; the repeated hour is simply due twice (the
        // event key makes the second a no-op).
        assert_eq!(
            due_hours(at("2026-10-25T01:10:00Z"), berlin),
            [(d("2026-10-25"), 2)]
        );
        // Tokyo has no summer time.
        let tokyo = chrono_tz::Asia::Tokyo;
        assert_eq!(
            due_hours(at("2026-03-29T10:00:00Z"), tokyo),
            [(d("2026-03-29"), 19)]
        );
    }

    #[test]
    fn notification_texts_come_from_the_catalogue_without_ruby() {
        for lang in Lang::all() {
            let t = text(lang, Msg::PushAlertLifted, &[("area", "A"), ("kind", "K")]);
            assert!(t.contains('A') && t.contains('K'), "{}: {t}", lang.code());
            assert!(!t.contains('[') && !t.contains('|'), "{}: {t}", lang.code());
        }
        let en = Lang::from_code("en").unwrap();
        assert_eq!(
            text(en, Msg::PushGarbageTomorrow, &[("categories", "Burnable")]),
            "Tomorrow: Burnable"
        );
    }
}
