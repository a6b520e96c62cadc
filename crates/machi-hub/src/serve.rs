//! The HTTP side of the hub: shared state, periodic refresh and the axum router.
//!
//! | path                      | response                                                   |
//! |---------------------------|------------------------------------------------------------|
//! | `/healthz`                | `{"status":"ok","cities":N}`                               |
//! | `/feeds/index.json`       | the city index                                             |
//! | `/feeds/{city}/city.json` | one city's feed                                            |
//! | `/feeds/{city}/garbage.json` | its garbage calendar (404 without a garbage source, 503 before it was first read) |
//! | `/feeds/{city}/alerts.json` | its alerts and shelters (404 without an alert source, 503 before they were first read) |
//! | `/api/push/…`             | the Web Push API ([`crate::push::api`]; 503 when push is off) |
//! | anything else             | the app's files, with `index.html` for extension-less paths |
//!
//! Every response carries the security headers; text responses are compressed (gzip or brotli)
//! per `Accept-Encoding`. ETags are strong; a compressed response gets the encoding appended
//! (`"…-br"`), as the representation differs, and `If-None-Match` accepts either form.

use crate::alerts::Alerts;
use crate::config::{self, CityConfig, ConfigError};
use crate::dist::{self, AppFiles, StaticFile};
use crate::feeds::{Document, Feeds};
use crate::garbage::Downloads;
use crate::push::{self, Push};
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Json, Router};
use chrono::Utc;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

/// Where the hub reads from. Relative paths resolve against the hub's working directory.
#[derive(Debug, Clone)]
pub struct Paths {
    pub cities: PathBuf,
    pub dist: PathBuf,
}

/// The state shared by every request: the current feeds and app files, swapped whole on refresh.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    paths: Paths,
    /// The alert poller, when the hub polls alert sources (`serve`).
    alerts: Option<Alerts>,
    /// The downloader of `url` garbage sources (`serve`).
    garbage: Option<Downloads>,
    /// Web Push, when the hub sends notifications (`serve`).
    push: Option<Push>,
    /// The city files of the last good load, for the alert poller and the garbage downloader.
    configs: RwLock<Arc<Vec<CityConfig>>>,
    feeds: RwLock<Arc<Feeds>>,
    app: RwLock<Arc<App>>,
    /// The errors reported by the last refresh, so a bad file is logged once, not every minute.
    reported: Mutex<BTreeSet<String>>,
}

/// The built app, or why there is none; plus the policy allowing its inline scripts.
struct App {
    files: Result<AppFiles, String>,
    csp: HeaderValue,
}

impl App {
    fn new(files: Result<AppFiles, String>) -> Self {
        let hashes = files
            .as_ref()
            .map(AppFiles::script_hashes)
            .unwrap_or_default();
        let csp = dist::content_security_policy(hashes);
        // The policy is built from ASCII keywords and base64 hashes only.
        let csp = HeaderValue::from_str(&csp).expect("the CSP is ASCII");
        Self { files, csp }
    }
}

impl AppState {
    /// Loads the cities and the app for the first time. Fails when no city is usable; the bad
    /// files' errors are returned beside the state either way so the caller can report them.
    pub fn load(paths: Paths) -> Result<(AppState, Vec<ConfigError>), Vec<ConfigError>> {
        Self::load_with(paths, None, None)
    }

    /// [`AppState::load`] with an alert poller and a garbage downloader: their stored alerts and
    /// files are published at once, [`AppState::poll_alerts`] polls the cities' alert sources and
    /// [`AppState::poll_garbage`] downloads their `url` garbage sources.
    pub fn load_with(
        paths: Paths,
        alerts: Option<Alerts>,
        garbage: Option<Downloads>,
    ) -> Result<(AppState, Vec<ConfigError>), Vec<ConfigError>> {
        Self::load_full(paths, alerts, garbage, None)
    }

    /// [`AppState::load_with`] with Web Push: new alerts are pushed to subscribers, and
    /// [`AppState::push_tick`] sends the garbage reminders.
    pub fn load_full(
        paths: Paths,
        alerts: Option<Alerts>,
        garbage: Option<Downloads>,
        push: Option<Push>,
    ) -> Result<(AppState, Vec<ConfigError>), Vec<ConfigError>> {
        let loaded = config::load_dir(&paths.cities).map_err(|e| vec![e])?;
        if loaded.cities.is_empty() {
            return Err(loaded.errors);
        }
        let feeds =
            Feeds::default().rebuild_with(&loaded, Utc::now(), alerts.as_ref(), garbage.as_ref());
        let app = App::new(AppFiles::load(&paths.dist));
        if let Err(reason) = &app.files {
            tracing::warn!("{reason}: the app is not built (run scripts/run); serving feeds only");
        }
        let reported = loaded.errors.iter().map(ToString::to_string).collect();
        let state = AppState {
            inner: Arc::new(Inner {
                paths,
                alerts,
                garbage,
                push,
                configs: RwLock::new(Arc::new(loaded.cities.clone())),
                feeds: RwLock::new(Arc::new(feeds)),
                app: RwLock::new(Arc::new(app)),
                reported: Mutex::new(reported),
            }),
        };
        Ok((state, loaded.errors))
    }

    /// Re-reads the city files and the app, keeping the last good copy of whatever fails.
    /// Does blocking file I/O: call it from a blocking context.
    pub fn refresh(&self) {
        let now = Utc::now();
        let previous = self.feeds();
        let alerts = self.inner.alerts.as_ref();
        let (feeds, errors) = match config::load_dir(&self.inner.paths.cities) {
            Ok(loaded) => {
                *write(&self.inner.configs) = Arc::new(loaded.cities.clone());
                let garbage = self.inner.garbage.as_ref();
                let feeds = previous.rebuild_with(&loaded, now, alerts, garbage);
                (feeds, loaded.errors)
            }
            Err(e) => (previous.all_stale(&e, now), vec![e]),
        };
        self.report(&errors);
        *write(&self.inner.feeds) = Arc::new(feeds);

        let previous_app = read(&self.inner.app);
        match AppFiles::load(&self.inner.paths.dist) {
            Ok(files) => *write(&self.inner.app) = Arc::new(App::new(Ok(files))),
            // A rebuild in progress must not take down a working app: keep it.
            Err(reason) if previous_app.files.is_ok() => {
                tracing::warn!("{reason}; still serving the previously loaded app");
            }
            Err(_) => {}
        }
    }

    /// Logs errors not seen at the previous refresh; says when earlier ones are gone.
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

    /// Polls the alert sources of the cities of the last good load (when the hub has a poller),
    /// then refreshes the feeds so the new alerts are published, and pushes the newly accepted
    /// messages to their subscribers (in the background: a slow push service must not delay the
    /// next poll).
    pub async fn poll_alerts(&self) {
        if let Some(alerts) = &self.inner.alerts {
            let configs = read(&self.inner.configs);
            let fresh = alerts.poll(&configs).await;
            let state = self.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || state.refresh()).await {
                tracing::error!("refresh failed: {e}");
            }
            if let (Some(push), false) = (self.inner.push.clone(), fresh.is_empty()) {
                let cities: Vec<_> = configs
                    .iter()
                    .filter_map(|c| alerts.city_scope(c).map(|s| (c.clone(), s)))
                    .collect();
                tokio::spawn(async move {
                    push.fan_out_alerts(&fresh, &cities, Utc::now()).await;
                });
            }
        }
    }

    /// Downloads what changed of the `url` garbage sources of the cities of the last good load
    /// (when the hub has a downloader); the next refresh parses and publishes it.
    pub async fn poll_garbage(&self) {
        if let Some(garbage) = &self.inner.garbage {
            let configs = read(&self.inner.configs);
            garbage.poll(&configs).await;
        }
    }

    /// Sends the garbage reminders due at `now` and applies the push retention rule (hourly).
    /// `main.rs` calls it every minute; tests call it with the time they need.
    pub async fn push_tick(&self, now: chrono::DateTime<Utc>) -> push::Report {
        let Some(push) = &self.inner.push else {
            return push::Report::default();
        };
        let configs = read(&self.inner.configs);
        let feeds = self.feeds();
        let report = push.garbage_tick(now, &configs, &feeds).await;
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
    pub fn configs(&self) -> Arc<Vec<CityConfig>> {
        read(&self.inner.configs)
    }

    /// The alert poller, if any.
    pub fn alerts(&self) -> Option<&Alerts> {
        self.inner.alerts.as_ref()
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
        .nest("/api/push", push::api::routes(state.clone()))
        .fallback(static_file)
        .layer(CompressionLayer::new())
        .layer(middleware::map_response(tag_encoded_etag))
        .layer(middleware::map_response_with_state(
            state.clone(),
            security_headers,
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

async fn feed(
    State(state): State<AppState>,
    UrlPath(rest): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let feeds = state.feeds();
    if rest == "index.json" {
        return document(&headers, feeds.index_doc(), "application/json", "no-cache");
    }
    if let Some(city) = rest.strip_suffix("/city.json").filter(|c| !c.contains('/')) {
        return match feeds.city_doc(city) {
            Some(doc) => document(&headers, doc, "application/json", "no-cache"),
            None => json_error(
                StatusCode::NOT_FOUND,
                format!("unknown municipality: {city}"),
            ),
        };
    }
    if let Some(city) = rest
        .strip_suffix("/garbage.json")
        .filter(|c| !c.contains('/'))
    {
        return match feeds.garbage_doc(city) {
            Some(doc) => document(&headers, doc, "application/json", "no-cache"),
            None if feeds.has_garbage_source(city) => json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the garbage calendar of {city} has not been read yet; \
                     see its source in /feeds/{city}/city.json"
                ),
            ),
            None if feeds.city(city).is_some() => json_error(
                StatusCode::NOT_FOUND,
                format!("{city} has no garbage source"),
            ),
            None => json_error(
                StatusCode::NOT_FOUND,
                format!("unknown municipality: {city}"),
            ),
        };
    }
    if let Some(city) = rest
        .strip_suffix("/alerts.json")
        .filter(|c| !c.contains('/'))
    {
        return match feeds.alerts_doc(city) {
            Some(doc) => document(&headers, doc, "application/json", "no-cache"),
            None if feeds.has_alerts_source(city) => json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "the alerts of {city} have not been read yet; \
                     see its sources in /feeds/{city}/city.json"
                ),
            ),
            None if feeds.city(city).is_some() => {
                json_error(StatusCode::NOT_FOUND, format!("{city} has no alert source"))
            }
            None => json_error(
                StatusCode::NOT_FOUND,
                format!("unknown municipality: {city}"),
            ),
        };
    }
    json_error(
        StatusCode::NOT_FOUND,
        format!("no such feed: /feeds/{rest}"),
    )
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

/// A 200 with `doc`, or a 304 when the client's `If-None-Match` already holds it.
fn document(
    request: &HeaderMap,
    doc: &Document,
    content_type: &str,
    cache_control: &'static str,
) -> Response {
    let etag = HeaderValue::from_str(&doc.etag).expect("ETags are quoted hex");
    let cache = HeaderValue::from_static(cache_control);
    if let Some(matched) = matching_tag(request, &doc.etag) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        let headers = response.headers_mut();
        // Echo the tag the client holds (it may carry an encoding suffix).
        headers.insert(
            header::ETAG,
            HeaderValue::from_str(&matched).unwrap_or(etag),
        );
        headers.insert(header::CACHE_CONTROL, cache);
        return response;
    }
    let content_type = HeaderValue::from_str(content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut response = Response::new(Body::from(doc.bytes.clone()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, cache);
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

/// Compressed bytes are a different representation, so they get a different strong ETag.
async fn tag_encoded_etag(mut response: Response) -> Response {
    let encoding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .filter(|e| ENCODINGS.contains(e))
        .map(str::to_owned);
    if let Some(encoding) = encoding {
        let tagged = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .and_then(|tag| tag.strip_suffix('"'))
            .and_then(|tag| HeaderValue::from_str(&format!("{tag}-{encoding}\"")).ok());
        if let Some(tagged) = tagged {
            response.headers_mut().insert(header::ETAG, tagged);
        }
    }
    response
}

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
