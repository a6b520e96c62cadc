//! The HTTP side of the hub: shared state, periodic refresh and the axum router.
//!
//! | path                      | response                                                   |
//! |---------------------------|------------------------------------------------------------|
//! | `/healthz`                | `{"status":"ok","cities":N}`                               |
//! | `/feeds/index.json`       | the city index                                             |
//! | `/feeds/{city}/city.json` | one city's feed                                            |
//! | `/feeds/{city}/garbage.json` | its garbage calendar (404 without a garbage source, 503 before it was first read) |
//! | `/feeds/{city}/alerts.json` | its alerts and shelters (404 without an alert source, 503 before they were first read) |
//! | `/feeds/{city}/nursery.json` | its nurseries and vacancies (404 without a nursery source, 503 before they were first read) |
//! | `/feeds/{city}/meetings.json` | its meetings and notices (404 without a meeting source, 503 before they were first read) |
//! | `/feeds/{city}/meetings.{lang}.ics`, `…/meetings/{body}.{lang}.ics`, `…/meeting/{id}.{lang}.ics`, `…/garbage/{area}.{lang}.ics[?remind=HH]` | iCalendar feeds, written on request from the feeds above |
//! | `/api/push/…`             | the Web Push API ([`crate::push::api`]; 503 when push is off) |
//! | anything else             | the app's files, with `index.html` for extension-less paths |
//!
//! Every response carries the security headers. Feeds and the app's files are served in the best
//! encoding the client accepts (brotli or gzip), compressed once when they were made
//! ([`crate::document`]), never per request. ETags are strong; a compressed response gets the
//! encoding appended (`"…-br"`), as the representation differs, and `If-None-Match` accepts
//! either form.

use crate::client::ClientSettings;
use crate::config::{self, Cities, ConfigError, Loaded};
use crate::dist::{self, AppFiles, StaticFile};
use crate::document::Document;
use crate::feeds::{Assembly, Feeds, Missing};
use crate::listen::ServeLimits;
use crate::meetings::{self as meetings_step, Ledger, PreparedCities};
use crate::push::{self, Push};
use crate::sources::{OpenError, Sources, Which};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use chrono::{DateTime, Utc};
use machi_data::feed::{CityFeedKind, FeedPath};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

/// Where the hub reads from. Relative paths resolve against the hub's working directory.
#[derive(Debug, Clone)]
pub struct Paths {
    pub cities: PathBuf,
    pub dist: PathBuf,
}

/// Everything a hub is made of: where to read, its source pipeline and, when it sends
/// notifications, Web Push.
pub struct Setup {
    pub paths: Paths,
    pub sources: Sources,
    pub push: Option<Push>,
    /// When the hub started (a demo city's alerts are replayed as if issued then).
    pub started: DateTime<Utc>,
    /// Trusted proxies and the public origin: who a request is from.
    pub clients: ClientSettings,
    /// How long a request may take (its body included), among the limits of
    /// [`crate::listen::serve`].
    pub limits: ServeLimits,
}

impl Setup {
    /// A hub over `paths` with its sources in memory and no push (`check`, `export`, tests).
    pub fn new(paths: Paths) -> Result<Setup, OpenError> {
        Ok(Setup {
            paths,
            sources: Sources::in_memory()?,
            push: None,
            started: Utc::now(),
            clients: ClientSettings::default(),
            limits: ServeLimits::default(),
        })
    }
}

/// The state shared by every request: the current feeds and app files, swapped whole on refresh.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    paths: Paths,
    sources: Sources,
    push: Option<Push>,
    started: DateTime<Utc>,
    clients: Arc<ClientSettings>,
    limits: ServeLimits,
    /// The city files of the last good load (a file that turns bad keeps its last good feeds,
    /// marked stale, but is no longer polled).
    cities: Cities,
    /// The last load with its errors, or why the cities directory could not be read.
    loaded: RwLock<Arc<Result<Loaded, ConfigError>>>,
    feeds: RwLock<Arc<Feeds>>,
    /// The cities' meetings as last prepared for their feeds.
    meetings: Mutex<Arc<PreparedCities>>,
    app: RwLock<Arc<App>>,
    /// The errors reported by the last reload, so a bad file is logged once, not every tick.
    reported: Mutex<BTreeSet<String>>,
}

/// The built app, or why there is none; plus the policy allowing its inline scripts and styles.
struct App {
    files: Result<AppFiles, dist::DistError>,
    csp: HeaderValue,
}

impl App {
    fn new(files: Result<AppFiles, dist::DistError>) -> Self {
        let (scripts, styles) = files
            .as_ref()
            .map(|f| (f.script_hashes(), f.style_hashes()))
            .unwrap_or_default();
        let csp = dist::content_security_policy(scripts, styles);
        // The policy is built from ASCII keywords and base64 hashes only.
        let csp = HeaderValue::from_str(&csp).expect("the CSP is ASCII");
        Self { files, csp }
    }
}

impl AppState {
    /// Loads the cities, publishes what the source store kept of them and reads their local
    /// sources, then the app. Fails when no city is usable; the bad files' errors are returned
    /// beside the state either way so the caller can report them. URL sources are read by the
    /// first [`AppState::tick`] (or [`AppState::poll`]).
    pub async fn load(setup: Setup) -> Result<(AppState, Vec<ConfigError>), Vec<ConfigError>> {
        let loaded = config::load_dir(&setup.paths.cities).map_err(|e| vec![e])?;
        if loaded.cities.is_empty() {
            return Err(loaded.errors);
        }
        let app = App::new(AppFiles::load(&setup.paths.dist, None));
        if let Err(reason) = &app.files {
            tracing::warn!("{reason}: the app is not built (run scripts/run); serving feeds only");
        }
        let errors = loaded.errors.clone();
        let cities = Cities::default();
        cities.set(loaded.cities.clone());
        let state = AppState {
            inner: Arc::new(Inner {
                reported: Mutex::new(errors.iter().map(ToString::to_string).collect()),
                paths: setup.paths,
                sources: setup.sources,
                push: setup.push,
                started: setup.started,
                clients: Arc::new(setup.clients),
                limits: setup.limits,
                cities,
                loaded: RwLock::new(Arc::new(Ok(loaded))),
                feeds: RwLock::new(Arc::new(Feeds::default())),
                meetings: Mutex::new(Arc::default()),
                app: RwLock::new(Arc::new(app)),
            }),
        };
        state.inner.sources.restore(&state.cities());
        // What the store kept, assembled before the first poll: a month that arrived while the
        // hub was down is then new to the first poll, and pushed.
        state.assemble();
        // What a previous run claimed and did not finish sending (its leases are given up, so
        // it is sent at once); and the alert messages it kept but stopped before claiming
        // notifications for (fanned out by the leading hub). Both in the background once the
        // local sources are read.
        let unsent = state.inner.push.as_ref().is_some_and(|push| {
            push.release_leases();
            push.store().has_pending().unwrap_or(true)
        });
        let kept = state.inner.sources.kept_messages();
        state.cycle(Which::Local, false).await;
        if let Some(push) = state.inner.push.clone() {
            let scoped = state.scoped(&state.cities());
            tokio::spawn(async move {
                let now = Utc::now();
                if unsent {
                    push.drain(now).await;
                }
                if push.leads().is_some() {
                    push.fan_out_missed(&kept, &scoped, now).await;
                }
            });
        }
        Ok((state, errors))
    }

    /// The cities with alert sources, with where they are.
    fn scoped(
        &self,
        cities: &[config::CityConfig],
    ) -> Vec<(config::CityConfig, machi_data::alerts::AreaScope)> {
        cities
            .iter()
            .filter_map(|c| self.inner.sources.scope(c).map(|s| (c.clone(), s)))
            .collect()
    }

    /// One heartbeat of a serving hub (every `tick`): re-reads the city files and the app, reads
    /// the sources that are due, publishes what changed and pushes newly accepted alerts.
    pub async fn tick(&self, tick: std::time::Duration) {
        self.cycle(
            Which::Due {
                now: Utc::now(),
                tick,
            },
            true,
        )
        .await;
    }

    /// Re-reads the city files, the app and every local source now, and publishes what changed.
    pub async fn refresh(&self) {
        self.cycle(Which::Local, true).await;
    }

    /// Reads every source now (URLs included), publishes what changed and pushes newly accepted
    /// alerts.
    pub async fn poll(&self) {
        self.cycle(Which::All, true).await;
    }

    async fn cycle(&self, which: Which, reload: bool) {
        if reload {
            let state = self.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || state.reload()).await {
                tracing::error!("reload failed: {e}");
            }
        }
        let cities = self.cities();
        let polled = self.inner.sources.poll(&cities, which).await;
        let before = self.feeds();
        // Blocking, off the async workers: the meetings' expansion and their ledger's writes,
        // then the assembly (a changed feed is serialised and compressed here, once).
        let (state, list) = (self.clone(), cities.clone());
        let changes = match tokio::task::spawn_blocking(move || {
            let changes = state.prepare_meetings(&list);
            state.assemble();
            changes
        })
        .await
        {
            Ok(changes) => changes,
            Err(e) => {
                tracing::error!("preparing the meetings or assembling the feeds failed: {e}");
                Vec::new()
            }
        };
        self.push_nursery_openings(&before, &cities);
        if let (Some(push), false) = (self.inner.push.clone(), changes.is_empty()) {
            tokio::spawn(async move {
                push.fan_out_meetings(&changes, Utc::now()).await;
            });
        }
        // Alerts are fanned out by one hub (several hubs, one database: the leader; the others
        // read the same feeds to serve them, and send what the leader claimed).
        let Some(push) = self.inner.push.clone() else {
            return;
        };
        let Some(took_over) = push.leads() else {
            return;
        };
        let scoped = self.scoped(&cities);
        if took_over && push.store().dialect() == push::store::db::Dialect::Postgres {
            // The hub that led before may have died between keeping a message and claiming
            // its notifications: what this hub kept and nobody fanned out goes out now.
            let (push, kept, scoped) = (
                push.clone(),
                self.inner.sources.kept_messages(),
                scoped.clone(),
            );
            tokio::spawn(async move {
                push.fan_out_missed(&kept, &scoped, Utc::now()).await;
            });
        }
        if !polled.messages.is_empty() {
            // In the background: a slow push service must not delay the next poll.
            tokio::spawn(async move {
                push.fan_out_alerts(&polled.messages, &scoped, Utc::now())
                    .await;
            });
        }
    }

    /// Pushes the places that opened in each city whose nursery feed has a newer month than
    /// `before` had (a month published while the hub was down counts: `load` assembles what the
    /// store kept before the first poll).
    fn push_nursery_openings(&self, before: &Feeds, cities: &[config::CityConfig]) {
        let Some(push) = self.inner.push.clone() else {
            return;
        };
        let after = self.feeds();
        for city in cities {
            let newest = |feeds: &Feeds| {
                feeds
                    .nursery(&city.id)
                    .and_then(|f| f.months.first().map(|m| m.as_of))
            };
            let (Some(old), Some(new)) = (newest(before), newest(&after)) else {
                continue;
            };
            if new <= old {
                continue;
            }
            let (push, city, after) = (push.clone(), city.clone(), after.clone());
            // In the background, like alerts: a slow push service must not delay the next poll.
            tokio::spawn(async move {
                if let Some(feed) = after.nursery(&city.id) {
                    push.nursery_openings(&city, feed, Utc::now()).await;
                }
            });
        }
    }

    /// Expands the cities' meeting sources and takes them into the change ledger (the push
    /// store, when this hub has one); returns what changed, for Web Push.
    fn prepare_meetings(&self, cities: &[config::CityConfig]) -> Vec<meetings_step::CityChanges> {
        let previous = self
            .inner
            .meetings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let ledger = self.inner.push.as_ref().map(|p| p.store() as &dyn Ledger);
        let (prepared, changes) = meetings_step::prepare(
            cities,
            &self.inner.sources,
            ledger,
            &previous,
            self.inner.started,
            Utc::now(),
        );
        *self
            .inner
            .meetings
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(prepared);
        changes
    }

    /// Re-reads the city files and the app, keeping the last good copy of whatever fails
    /// (blocking file I/O).
    fn reload(&self) {
        let loaded = config::load_dir(&self.inner.paths.cities);
        match &loaded {
            Ok(loaded) => {
                self.report(&loaded.errors);
                self.inner.cities.set(loaded.cities.clone());
            }
            // Unreadable: keep polling the last good cities.
            Err(e) => self.report(std::slice::from_ref(e)),
        }
        *write(&self.inner.loaded) = Arc::new(loaded);

        let previous_app = read(&self.inner.app);
        match AppFiles::load(&self.inner.paths.dist, previous_app.files.as_ref().ok()) {
            Ok(files) => *write(&self.inner.app) = Arc::new(App::new(Ok(files))),
            // A rebuild in progress must not take down a working app: keep it.
            Err(reason) if previous_app.files.is_ok() => {
                tracing::warn!("{reason}; still serving the previously loaded app");
            }
            Err(_) => {}
        }
    }

    /// Assembles the feeds from the last load and what the sources publish now.
    fn assemble(&self) {
        let loaded = read(&self.inner.loaded);
        let previous = self.feeds();
        let now = Utc::now();
        let meetings = self
            .inner
            .meetings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let feeds = match &*loaded {
            Ok(loaded) => previous.assemble(&Assembly {
                loaded,
                sources: &self.inner.sources,
                now,
                started: self.inner.started,
                meetings: &meetings,
            }),
            // The cities directory itself could not be read: everything stays, stale.
            Err(error) => previous.all_stale(error, now),
        };
        *write(&self.inner.feeds) = Arc::new(feeds);
    }

    /// Logs errors not seen at the previous reload; says when earlier ones are gone.
    fn report(&self, errors: &[ConfigError]) {
        let now: BTreeSet<String> = errors.iter().map(ToString::to_string).collect();
        let mut reported = self
            .inner
            .reported
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for error in now.difference(&reported) {
            tracing::error!("{error} (its last good feed, if any, is kept and marked stale)");
        }
        for fixed in reported.difference(&now) {
            tracing::info!("resolved: {fixed}");
        }
        *reported = now;
    }

    /// Sends the garbage reminders due at `now` and applies the push retention rule (hourly).
    /// `main.rs` starts it every minute as a task of its own (the minute tick never waits for a
    /// fan-out); tests await it with the time they need.
    pub async fn push_tick(&self, now: DateTime<Utc>) -> push::Report {
        let Some(push) = &self.inner.push else {
            return push::Report::default();
        };
        // Reminders, deadlines and retention: the leading hub's work (claims would keep the
        // others from sending twice; they need not even look).
        if push.leads().is_none() {
            return push.drain(now).await;
        }
        let cities = self.cities();
        let feeds = self.feeds();
        let mut report = push.garbage_tick(now, &cities, &feeds).await;
        let deadlines = push.meeting_deadlines_tick(now, &cities, &feeds).await;
        report.skipped += deadlines.skipped;
        report.sent += deadlines.sent;
        report.gone += deadlines.gone;
        report.failed += deadlines.failed;
        report.refused += deadlines.refused;
        let cleaner = push.clone();
        if let Err(e) = tokio::task::spawn_blocking(move || cleaner.cleanup_if_due(now)).await {
            tracing::error!("push retention failed: {e}");
        }
        report
    }

    /// Web Push, if this hub sends notifications.
    pub fn push(&self) -> Option<&Push> {
        self.inner.push.as_ref()
    }

    /// The city files of the last good load.
    pub fn cities(&self) -> Arc<Vec<config::CityConfig>> {
        self.inner.cities.get()
    }

    /// The shared handle of the city files (for the push API).
    pub fn cities_handle(&self) -> Cities {
        self.inner.cities.clone()
    }

    /// The source pipeline.
    pub fn sources(&self) -> &Sources {
        &self.inner.sources
    }

    pub fn feeds(&self) -> Arc<Feeds> {
        read(&self.inner.feeds)
    }

    fn app(&self) -> Arc<App> {
        read(&self.inner.app)
    }
}

// A panic while holding these locks can only happen between whole-value swaps, so the value
// inside is always consistent and a poisoned lock is safe to use.
fn read<T>(lock: &RwLock<Arc<T>>) -> Arc<T> {
    lock.read().unwrap_or_else(|p| p.into_inner()).clone()
}

fn write<T>(lock: &RwLock<Arc<T>>) -> std::sync::RwLockWriteGuard<'_, Arc<T>> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}

/// The hub's router; needs no socket, so tests can drive it with `oneshot`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/feeds", get(feed_not_found))
        .route("/feeds/", get(feed_not_found))
        .route("/feeds/{*rest}", get(feed))
        .nest(
            "/api/push",
            push::api::routes(push::api::PushApi {
                push: state.push().cloned(),
                cities: state.cities_handle(),
            }),
        )
        .fallback(static_file)
        .layer(middleware::map_response_with_state(
            state.clone(),
            security_headers,
        ))
        // Who the request is from (behind a proxy, on a dual-stack listener), once, for the
        // rate limits and the cross-site check.
        .layer(middleware::from_fn_with_state(
            state.inner.clients.clone(),
            crate::client::identify,
        ))
        // A client that sends its body slowly (or not at all) is not waited for.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.inner.limits.request_timeout,
        ))
        // Error statuses are answers, not hub failures (a 503 repeats for every request until the
        // app is built), so they are traced at debug level only.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG)),
        )
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> Response {
    let cities = state.feeds().len();
    uncached_json(
        StatusCode::OK,
        serde_json::json!({ "status": "ok", "cities": cities }),
    )
}

async fn feed(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let Some((path, format)) = FeedPath::parse_in(uri.path()) else {
        return json_error(
            StatusCode::NOT_FOUND,
            format!("no such feed: {}", uri.path()),
        );
    };
    let feeds = state.feeds();
    let missing = if path.is_calendar() {
        let app = app_origin(&headers);
        let remind = uri.query().and_then(remind_hour);
        match feeds.calendar(&path, app.as_deref(), remind) {
            Ok(doc) => return document(&headers, &doc, "text/calendar; charset=utf-8", "no-cache"),
            Err(missing) => missing,
        }
    } else {
        match feeds.document_in(&path, format) {
            Ok(doc) => return document(&headers, doc, format.content_type(), "no-cache"),
            Err(missing) => missing,
        }
    };
    // Only a city's feed can be missing: the index is always there.
    let (city, kind) = path.city_feed().unwrap_or(("", CityFeedKind::City));
    // (what is not read yet, its verb, which source it needs)
    let (what, has, source) = match kind {
        CityFeedKind::City => ("feed", "has", "city"),
        CityFeedKind::Garbage => ("garbage calendar", "has", "garbage"),
        CityFeedKind::Alerts => ("alerts", "have", "alert"),
        CityFeedKind::Nursery => ("nurseries", "have", "nursery"),
        CityFeedKind::Meetings => ("meetings", "have", "meeting"),
    };
    match missing {
        Missing::UnknownCity => json_error(
            StatusCode::NOT_FOUND,
            format!("unknown municipality: {city}"),
        ),
        Missing::NotRead => json_error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the {what} of {city} {has} not been read yet; \
                 see its sources in {}",
                FeedPath::City(city.to_owned()).path()
            ),
        ),
        Missing::NoSource => json_error(
            StatusCode::NOT_FOUND,
            format!("{city} has no {source} source"),
        ),
        Missing::NotInFeed => json_error(
            StatusCode::NOT_FOUND,
            format!(
                "{} names a language, body, meeting or area {city} does not have",
                uri.path()
            ),
        ),
    }
}

/// `remind=HH` of a garbage calendar's query: a reminder at that hour (0–23).
fn remind_hour(query: &str) -> Option<u8> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("remind="))
        .and_then(|h| h.parse::<u8>().ok())
        .filter(|h| *h < 24)
}

/// Where the app is, as the client reached this hub (for the meeting links in calendars): the
/// `Host` header, over https unless a proxy says otherwise or the host is a loopback or bare
/// address (a hub on a laptop or a LAN).
fn app_origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_graphic()) {
        return None;
    }
    let forwarded = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .filter(|p| *p == "http" || *p == "https");
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let local = name == "localhost"
        || name
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok();
    let scheme = forwarded.unwrap_or(if local { "http" } else { "https" });
    Some(format!("{scheme}://{host}"))
}

async fn feed_not_found(uri: Uri) -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        format!("no such feed: {}", uri.path()),
    )
}

fn json_error(status: StatusCode, message: String) -> Response {
    uncached_json(status, serde_json::json!({ "error": message }))
}

/// A JSON answer that describes this moment (health, an error), so no cache may keep it.
fn uncached_json(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn static_file(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let app = state.app();
    let files = match &app.files {
        Ok(files) => files,
        Err(_) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CACHE_CONTROL, "no-store")],
                "Machi's app is not built yet. Run scripts/run to build it, then reload.\n",
            )
                .into_response();
        }
    };
    // Only paths found under dist at load time are in the map, so `..` can never escape it.
    let path = uri.path();
    let path = if path == "/" { "/index.html" } else { path };
    let file = match files.get(path) {
        Some(file) => file,
        None if is_app_route(path) => match files.index_html() {
            Some(index) => index,
            None => return (StatusCode::NOT_FOUND, "not found\n").into_response(),
        },
        None => {
            return (
                StatusCode::NOT_FOUND,
                [(header::CACHE_CONTROL, "no-cache")],
                "not found\n",
            )
                .into_response()
        }
    };
    let mut response = static_response(&headers, file);
    if path == "/sw.js" {
        // Lets the worker control the whole origin even if it is ever served from a sub-path.
        response
            .headers_mut()
            .insert("service-worker-allowed", HeaderValue::from_static("/"));
    }
    response
}

/// A path the app routes itself (`/settings`, `/c/demo/today`): its last segment has no extension.
fn is_app_route(path: &str) -> bool {
    !path.rsplit('/').next().unwrap_or_default().contains('.')
}

fn static_response(headers: &HeaderMap, file: &StaticFile) -> Response {
    let cache = if file.immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    document(headers, &file.doc, &file.content_type, cache)
}

/// A 200 with `doc` in the best encoding the client accepts (compressed once, when the document
/// was made), or a 304 when the client's `If-None-Match` already holds it. A compressed
/// representation is another entity, so its strong ETag carries the encoding (`"…-br"`).
fn document(
    request: &HeaderMap,
    doc: &Document,
    content_type: &str,
    cache_control: &'static str,
) -> Response {
    let cache = HeaderValue::from_static(cache_control);
    let vary = HeaderValue::from_static("accept-encoding");
    if let Some(matched) = matching_tag(request, &doc.etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        let headers = response.headers_mut();
        // Echo the tag the client holds (it may carry an encoding suffix).
        if let Ok(tag) = HeaderValue::from_str(&matched) {
            headers.insert(header::ETAG, tag);
        }
        headers.insert(header::CACHE_CONTROL, cache);
        headers.insert(header::VARY, vary);
        return response;
    }
    let (encoding, bytes) = doc.for_request(request);
    let etag = match encoding.name() {
        Some(name) => format!("{}-{name}\"", doc.etag.trim_end_matches('"')),
        None => doc.etag.clone(),
    };
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut response = Response::new(Body::from(bytes.clone()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(name) = encoding.name() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
    }
    headers.insert(header::CACHE_CONTROL, cache);
    headers.insert(header::VARY, vary);
    response
}

/// The entity tag of `If-None-Match` that matches `etag` (with or without an encoding suffix).
fn matching_tag(request: &HeaderMap, etag: &str) -> Option<String> {
    let opaque = etag.trim_matches('"');
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|tag| {
            if *tag == "*" {
                return true;
            }
            // If-None-Match uses the weak comparison, so a `W/` prefix does not matter.
            let tag = tag.strip_prefix("W/").unwrap_or(tag).trim_matches('"');
            tag == opaque
                || ENCODINGS
                    .iter()
                    .any(|e| tag.strip_suffix(e).and_then(|t| t.strip_suffix('-')) == Some(opaque))
        })
        .map(|tag| {
            if tag == "*" {
                etag.to_owned()
            } else {
                tag.to_owned()
            }
        })
}

const ENCODINGS: [&str; 2] = ["gzip", "br"];

async fn security_headers(State(state): State<AppState>, mut response: Response) -> Response {
    let csp = state.app().csp.clone();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("geolocation=(self), microphone=(self), camera=()"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_inm(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_encoded_variants() {
        let etag = "\"abc\"";
        assert_eq!(
            matching_tag(&with_inm("\"x\", \"abc\""), etag).as_deref(),
            Some("\"abc\"")
        );
        assert_eq!(
            matching_tag(&with_inm("W/\"abc\""), etag).as_deref(),
            Some("W/\"abc\"")
        );
        assert_eq!(
            matching_tag(&with_inm("\"abc-br\""), etag).as_deref(),
            Some("\"abc-br\"")
        );
        assert_eq!(
            matching_tag(&with_inm("*"), etag).as_deref(),
            Some("\"abc\"")
        );
        assert_eq!(matching_tag(&with_inm("\"abcd\""), etag), None);
        assert_eq!(matching_tag(&HeaderMap::new(), etag), None);
    }

    #[test]
    fn app_routes_have_no_extension() {
        assert!(is_app_route("/settings"));
        assert!(is_app_route("/c/demo/today"));
        assert!(is_app_route("/c/demo/"));
        assert!(!is_app_route("/missing.png"));
    }
}
