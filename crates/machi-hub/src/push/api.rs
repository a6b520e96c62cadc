//! The push HTTP API (mounted by [`crate::serve::app`]); its bodies are `machi_data::push`'s, the
//! types the app sends and reads:
//!
//! | method and path                          | what                                                  |
//! |------------------------------------------|-------------------------------------------------------|
//! | `GET /api/push/key`                      | `{"public_key": base64url}` for `applicationServerKey` |
//! | `POST /api/push/subscriptions`           | create: 201 `{"id", "secret", "subscription"}`         |
//! | `GET /api/push/subscriptions/{id}`       | read (with the secret): 200 `subscription`             |
//! | `PUT`/`PATCH /api/push/subscriptions/{id}` | change city, area, language, topics or keys: 200     |
//! | `DELETE /api/push/subscriptions/{id}`    | 204                                                   |
//!
//! The secret goes in `Authorization: Bearer <secret>`. Errors are JSON
//! `{"error": message, "code": code, "field": field?}`. Bodies are capped at [`MAX_BODY`]; every
//! route is rate limited per client address ([`RateLimiter`]).

use super::crypto::{self, UaKeys};
use super::endpoint;
use super::store::{AlertTopic, GarbageTopic, MeetingTopic, Subscription, Topics};
use super::Push;
use crate::client::{Client, ClientSettings};
use crate::config::Cities;
use crate::config::CityConfig;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use machi_data::push as wire;
use machi_i18n::Lang;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The largest request body accepted (a subscription is about 600 bytes).
pub const MAX_BODY: usize = 8 * 1024;
/// Requests per minute per client address (bursts up to this many).
pub const RATE_PER_MINUTE: u32 = 30;
/// Nurseries one subscription can follow at most.
pub const MAX_FOLLOWS: usize = 30;
/// Clients tracked at most per generation (a minute); beyond that, requests are let through
/// untracked rather than refused: during an earthquake, serving everyone matters more.
const MAX_BUCKETS: usize = 100_000;

/// A token bucket per client ([`crate::client::limit_key`]: IPv4 address, IPv6 /64), refilled
/// over `window`. Hand-written (60 lines) rather than `tower_governor`: the hub needs a limit on
/// one group of routes keyed by the client it has already identified, and that crate brings
/// `governor`, `dashmap` and header-based key extractors the hub must not trust anyway.
///
/// Memory is bounded and pruned in O(expired): buckets live in two generations swapped every
/// `window`. A bucket untouched for a whole window is full again, which is the same as having
/// none, so the older generation is dropped whole at the swap, without scanning the live one.
pub struct RateLimiter {
    per_window: f64,
    window: Duration,
    buckets: Mutex<Generations>,
}

#[derive(Default)]
struct Generations {
    current: HashMap<IpAddr, (f64, Instant)>,
    previous: HashMap<IpAddr, (f64, Instant)>,
    since: Option<Instant>,
    untracked: u64,
}

impl RateLimiter {
    /// `per_minute` requests a minute, in bursts of up to as many.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::per(per_minute, Duration::from_secs(60))
    }

    /// `n` per `window`, in bursts of up to `n`.
    pub fn per(n: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            per_window: f64::from(n),
            window,
            buckets: Mutex::new(Generations::default()),
        }
    }

    /// Takes a token for the client at `ip`; `Err(seconds)` until the next one when there is
    /// none.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let key = crate::client::limit_key(ip);
        let rate = self.per_window / self.window.as_secs_f64();
        let mut g = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let since = *g.since.get_or_insert(now);
        let age = now.saturating_duration_since(since);
        if age >= self.window * 2 {
            g.previous = HashMap::new();
            g.current = HashMap::new();
            g.since = Some(now);
        } else if age >= self.window {
            g.previous = std::mem::take(&mut g.current);
            g.since = Some(now);
        }
        if !g.current.contains_key(&key) {
            let carried = g.previous.remove(&key);
            if g.current.len() >= MAX_BUCKETS {
                g.untracked += 1;
                if g.untracked.is_power_of_two() {
                    tracing::warn!(
                        "rate limit: more than {MAX_BUCKETS} clients this minute; {} requests \
                         let through untracked",
                        g.untracked
                    );
                }
                return Ok(());
            }
            g.current
                .insert(key, carried.unwrap_or((self.per_window, now)));
        }
        let (tokens, at) = g.current.get_mut(&key).expect("inserted above");
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * rate)
            .min(self.per_window);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }

    /// How many clients the limiter remembers (both generations).
    pub fn tracked(&self) -> usize {
        let g = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        g.current.len() + g.previous.len()
    }
}

/// What the push API needs of the hub: Web Push, when the hub sends notifications, and the city
/// files (to check a subscription's city, area and language).
#[derive(Clone)]
pub struct PushApi {
    pub push: Option<Push>,
    pub cities: Cities,
}

impl PushApi {
    fn push(&self) -> Option<&Push> {
        self.push.as_ref()
    }

    fn cities(&self) -> Arc<Vec<CityConfig>> {
        self.cities.get()
    }
}

/// The push routes (to nest under `/api/push`), with their body limit and rate limit.
pub fn routes<S: Clone + Send + Sync + 'static>(state: PushApi) -> Router<S> {
    Router::new()
        .route("/key", get(key))
        .route("/subscriptions", axum::routing::post(create))
        .route(
            "/subscriptions/{id}",
            get(read).put(update).patch(update).delete(remove),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit))
        .with_state(state)
}

/// A JSON error.
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    field: Option<&'static str>,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            field: None,
            message: message.into(),
        }
    }

    fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            field: Some(field),
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = wire::ErrorBody {
            error: self.message,
            code: self.code.into(),
            field: self.field.map(Into::into),
        };
        let mut response = (self.status, Json(body)).into_response();
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

async fn rate_limit(State(state): State<PushApi>, mut request: Request, next: Next) -> Response {
    let Some(push) = state.push() else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "push_disabled",
            "this hub does not send push notifications",
        )
        .into_response();
    };
    let client = client_of(&request);
    request.extensions_mut().insert(client);
    if let Err(wait) = push.limiter().check(client.address, Instant::now()) {
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests; try again in {wait} s"),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return response;
    }
    if let Err(refused) = browser_checks(&request, client) {
        return refused.into_response();
    }
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// The request's client, as [`crate::client::identify`] found it (or from the connection alone,
/// for a router mounted without that middleware).
fn client_of(request: &Request) -> Client {
    if let Some(client) = request.extensions().get::<Client>() {
        return *client;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    Client::of(peer, request.headers(), &ClientSettings::default())
}

/// What a browser could be made to send from another site is refused before it is read: a
/// change (anything but GET) made by another site's page, and a body that is not JSON (an HTML
/// form can post text/plain across sites without asking).
fn browser_checks(request: &Request, client: Client) -> Result<(), ApiError> {
    let method = request.method();
    if method == axum::http::Method::GET || method == axum::http::Method::HEAD {
        return Ok(());
    }
    if !client.same_origin {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "subscriptions can only be changed from this hub's own pages",
        ));
    }
    let has_body = matches!(
        *method,
        axum::http::Method::POST | axum::http::Method::PUT | axum::http::Method::PATCH
    );
    let json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if has_body && !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with `Content-Type: application/json`",
        ));
    }
    Ok(())
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such push API path")
}

fn push_of(state: &PushApi) -> Result<&Push, ApiError> {
    state.push().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "push_disabled",
            "this hub does not send push notifications",
        )
    })
}

async fn key(State(state): State<PushApi>) -> Result<Response, ApiError> {
    let push = push_of(&state)?;
    let key = wire::PublicKey {
        public_key: push.vapid().public_key().to_owned(),
    };
    Ok(Json(key).into_response())
}

/// A subscription as the API shows it (never the keys or the secret).
fn view(s: &Subscription) -> wire::View {
    wire::View {
        id: s.id.clone(),
        endpoint: s.endpoint.clone(),
        city: s.city.clone(),
        area: s.area.clone(),
        language: s.language.clone(),
        topics: wire::Topics {
            alerts: s.topics.alerts.map(|a| wire::AlertTopic {
                min_severity: a.min_severity.name().into(),
                min_level: a.min_level,
            }),
            garbage: s.topics.garbage.map(|g| wire::GarbageTopic {
                evening_hour: g.evening_hour,
                morning: g.morning,
            }),
            nursery: (!s.topics.nursery.is_empty()).then(|| wire::NurseryTopic {
                follows: s.topics.nursery.clone(),
            }),
            meetings: s.topics.meetings.as_ref().map(|m| wire::MeetingTopic {
                bodies: m.bodies.clone(),
            }),
        },
    }
}

fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the request body is larger than {MAX_BODY} bytes"),
            )
        } else {
            ApiError::new(e.status(), "bad_body", e.body_text())
        }
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", e.to_string()))
}

fn check_browser(
    b: &wire::BrowserSubscription,
    allow_loopback: bool,
) -> Result<(String, String, String), ApiError> {
    endpoint::check(&b.endpoint, allow_loopback).map_err(|e| {
        ApiError::invalid(
            "invalid_endpoint",
            "subscription.endpoint",
            format!("the push endpoint {e}"),
        )
    })?;
    let keys = UaKeys::decode(&b.keys.p256dh, &b.keys.auth)
        .map_err(|e| ApiError::invalid("invalid_keys", "subscription.keys", e.to_string()))?;
    // A key of the right length may still be off the curve: one trial encryption finds out now
    // rather than at the first alert.
    crypto::encrypt(&ring::rand::SystemRandom::new(), &keys, b"")
        .map_err(|e| ApiError::invalid("invalid_keys", "subscription.keys.p256dh", e))?;
    Ok((
        b.endpoint.clone(),
        crypto::b64(&keys.p256dh),
        crypto::b64(&keys.auth),
    ))
}

fn check_topics(t: &wire::Topics) -> Result<Topics, ApiError> {
    let alerts = match &t.alerts {
        None => None,
        Some(a) => {
            let min_severity = a.severity().ok_or_else(|| {
                ApiError::invalid(
                    "invalid_topics",
                    "topics.alerts.min_severity",
                    "min_severity must be one of information, advisory, warning, special",
                )
            })?;
            if a.min_level.is_some_and(|l| !(1..=5).contains(&l)) {
                return Err(ApiError::invalid(
                    "invalid_topics",
                    "topics.alerts.min_level",
                    "min_level must be 1–5 (警戒レベル)",
                ));
            }
            Some(AlertTopic {
                min_severity,
                min_level: a.min_level,
            })
        }
    };
    let garbage = match &t.garbage {
        None => None,
        Some(g) => {
            if g.evening_hour.is_some_and(|h| h > 23) {
                return Err(ApiError::invalid(
                    "invalid_topics",
                    "topics.garbage.evening_hour",
                    "evening_hour must be 0–23 (the city's local time)",
                ));
            }
            if g.evening_hour.is_none() && !g.morning {
                return Err(ApiError::invalid(
                    "invalid_topics",
                    "topics.garbage",
                    "garbage needs evening_hour, morning: true, or both",
                ));
            }
            Some(GarbageTopic {
                evening_hour: g.evening_hour,
                morning: g.morning,
            })
        }
    };
    let mut nursery = t
        .nursery
        .as_ref()
        .map_or_else(Vec::new, |n| n.follows.clone());
    if nursery.len() > MAX_FOLLOWS {
        return Err(ApiError::invalid(
            "invalid_topics",
            "topics.nursery.follows",
            format!("at most {MAX_FOLLOWS} nurseries can be followed"),
        ));
    }
    for f in &nursery {
        let id_ok = !f.facility.is_empty()
            && f.facility.len() <= 64
            && f.facility
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            return Err(ApiError::invalid(
                "invalid_topics",
                "topics.nursery.follows.facility",
                "facility must be a facility id of the city's nursery feed",
            ));
        }
        if f.class > 5 {
            return Err(ApiError::invalid(
                "invalid_topics",
                "topics.nursery.follows.class",
                "class must be an age class 0–5",
            ));
        }
    }
    nursery.sort();
    nursery.dedup();
    let meetings = match &t.meetings {
        None => None,
        Some(m) => {
            let valid = |b: &String| {
                b.len() <= 64
                    && !b.is_empty()
                    && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            };
            if m.bodies.is_empty()
                || m.bodies.len() > wire::MAX_FOLLOWED_BODIES
                || !m.bodies.iter().all(valid)
            {
                return Err(ApiError::invalid(
                    "invalid_topics",
                    "topics.meetings.bodies",
                    format!(
                        "bodies must list 1–{} body ids of the city's meetings feed",
                        wire::MAX_FOLLOWED_BODIES
                    ),
                ));
            }
            let mut bodies = m.bodies.clone();
            bodies.sort();
            bodies.dedup();
            Some(MeetingTopic { bodies })
        }
    };
    if alerts.is_none() && garbage.is_none() && nursery.is_empty() && meetings.is_none() {
        return Err(ApiError::invalid(
            "invalid_topics",
            "topics",
            "choose at least one topic (alerts, garbage, nursery, meetings); to stop all, delete the \
             subscription",
        ));
    }
    Ok(Topics {
        alerts,
        garbage,
        nursery,
        meetings,
    })
}

fn check_place(
    configs: &[CityConfig],
    city: &str,
    area: &str,
    language: &str,
) -> Result<(), ApiError> {
    let config = configs.iter().find(|c| c.id == city).ok_or_else(|| {
        ApiError::invalid(
            "unknown_city",
            "city",
            format!("no municipality `{city}` on this hub"),
        )
    })?;
    if !config.areas.iter().any(|a| a.id == area) {
        return Err(ApiError::invalid(
            "unknown_area",
            "area",
            format!("{city} has no area `{area}` (see /feeds/{city}/city.json)"),
        ));
    }
    // Exactly a catalogue file's code, as the app sends it (`from_code` would also take `EN`).
    if !Lang::all().any(|l| l.code() == language) {
        let known: Vec<&str> = Lang::all().map(Lang::code).collect();
        return Err(ApiError::invalid(
            "unknown_language",
            "language",
            format!("language must be one of {}", known.join(", ")),
        ));
    }
    Ok(())
}

async fn create(
    State(state): State<PushApi>,
    axum::Extension(client): axum::Extension<Client>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let push = push_of(&state)?;
    let request: wire::CreateRequest = parse_body(body)?;
    let (endpoint, p256dh, auth) =
        check_browser(&request.subscription, push.settings().allow_loopback)?;
    let topics = check_topics(&request.topics)?;
    check_place(
        &state.cities(),
        &request.city,
        &request.area,
        &request.language,
    )?;
    // Caps, checked once the request is known to be good: per client, then in all.
    if let Err(wait) = push.creations().check(client.address, Instant::now()) {
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_subscriptions",
            format!(
                "this network has created {} subscriptions in the last hour; try again in {wait} s",
                push.settings().creations_per_hour
            ),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return Ok(response);
    }
    let max = push.settings().max_subscriptions;
    if push.store().count().map_err(internal)? >= max {
        tracing::error!("push: the hub holds its maximum of {max} subscriptions; refusing more");
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "subscriptions_full",
            format!("this hub cannot take more subscriptions (it holds its maximum of {max})"),
        ));
    }
    let (id, secret, hash) = super::new_credentials(push.vapid().rng());
    let sub = Subscription {
        id,
        endpoint,
        p256dh,
        auth,
        city: request.city,
        area: request.area,
        language: request.language,
        topics,
    };
    match push
        .store()
        .insert(&sub, &hash, chrono::Utc::now().timestamp())
    {
        Ok(()) => {}
        // Another subscription holds this endpoint with other keys: only the browser that holds
        // the endpoint (and so its keys) may replace it. Said without confirming that it exists.
        Err(super::store::StoreError::EndpointTaken) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "subscription_conflict",
                "this push subscription cannot be registered; unsubscribe in the browser and \
                 subscribe again",
            ))
        }
        Err(e) => return Err(internal(e)),
    }
    let body = wire::Created {
        subscription: view(&sub),
        credentials: wire::Credentials { id: sub.id, secret },
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn internal(e: super::store::StoreError) -> ApiError {
    tracing::error!("push store: {e}");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the subscription store failed; try again later",
    )
}

/// The subscription `id` if the request carries its secret.
fn authorised(push: &Push, id: &str, headers: &HeaderMap) -> Result<Subscription, ApiError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing_secret",
                "send the subscription's secret as `Authorization: Bearer <secret>`",
            )
        })?;
    // Hashes are compared, not secrets: a timing difference could reveal at most a prefix of a
    // SHA-256, which does not help to find a 256-bit secret.
    match push.store().get(id).map_err(internal)? {
        Some((sub, hash)) if super::hash_secret(secret) == hash => Ok(sub),
        // Unknown id and wrong secret look the same, so ids cannot be probed.
        _ => Err(no_subscription()),
    }
}

/// The one answer for an unknown id and a wrong secret, so ids cannot be probed.
fn no_subscription() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such subscription (or a wrong secret)",
    )
}

async fn read(
    State(state): State<PushApi>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let push = push_of(&state)?;
    let sub = authorised(push, &id, &headers)?;
    Ok(Json(view(&sub)).into_response())
}

async fn update(
    State(state): State<PushApi>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let push = push_of(&state)?;
    let mut sub = authorised(push, &id, &headers)?;
    let request: wire::UpdateRequest = parse_body(body)?;
    if let Some(b) = &request.subscription {
        let (endpoint, p256dh, auth) = check_browser(b, push.settings().allow_loopback)?;
        sub.endpoint = endpoint;
        sub.p256dh = p256dh;
        sub.auth = auth;
    }
    if let Some(t) = &request.topics {
        sub.topics = check_topics(t)?;
    }
    if let Some(city) = request.city {
        sub.city = city;
    }
    if let Some(area) = request.area {
        sub.area = area;
    }
    if let Some(language) = request.language {
        sub.language = language;
    }
    check_place(&state.cities(), &sub.city, &sub.area, &sub.language)?;
    match push.store().update(&sub, chrono::Utc::now().timestamp()) {
        Ok(true) => Ok(Json(view(&sub)).into_response()),
        Ok(false) => Err(no_subscription()),
        // The new endpoint belongs to another subscription.
        Err(super::store::StoreError::EndpointTaken) => Err(ApiError::invalid(
            "endpoint_taken",
            "subscription.endpoint",
            "another subscription has this endpoint; delete it first",
        )),
        Err(e) => Err(internal(e)),
    }
}

async fn remove(
    State(state): State<PushApi>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let push = push_of(&state)?;
    let sub = authorised(push, &id, &headers)?;
    push.store().delete(&sub.id).map_err(internal)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_bucket_allows_a_burst_then_refills() {
        let limiter = RateLimiter::new(30);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..30 {
            assert!(limiter.check(ip, t0).is_ok());
        }
        assert_eq!(limiter.check(ip, t0), Err(2));
        assert!(limiter.check("203.0.113.8".parse().unwrap(), t0).is_ok());
        assert!(limiter.check(ip, t0 + Duration::from_secs(2)).is_ok());
        // One /64 is one client.
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2::ffff".parse().unwrap();
        for _ in 0..30 {
            assert!(limiter.check(a, t0).is_ok());
        }
        assert!(limiter.check(b, t0).is_err());
        // An IPv4 client on a dual-stack listener is its IPv4 address, not the /64 ::ffff:0:0
        // that every IPv4 client shares.
        let mapped: IpAddr = "::ffff:198.51.100.1".parse().unwrap();
        for _ in 0..30 {
            assert!(limiter.check(mapped, t0).is_ok());
        }
        assert!(limiter.check("198.51.100.1".parse().unwrap(), t0).is_err());
        assert!(limiter
            .check("::ffff:198.51.100.2".parse().unwrap(), t0)
            .is_ok());
    }

    /// Hundreds of distinct clients in a minute (a burst after an earthquake) are all served, and
    /// the limiter forgets them once their buckets would be full again, without scanning.
    #[test]
    fn a_burst_of_clients_is_served_and_forgotten() {
        let limiter = RateLimiter::new(30);
        let t0 = Instant::now();
        for i in 0..2_000u32 {
            let ip = IpAddr::V6(std::net::Ipv6Addr::new(
                0x2001,
                0x0db8,
                (i >> 8) as u16,
                i as u16,
                0,
                0,
                0,
                1,
            ));
            assert!(limiter
                .check(ip, t0 + Duration::from_millis(u64::from(i)))
                .is_ok());
        }
        assert_eq!(limiter.tracked(), 2_000);
        // A client still limited a minute and a half later keeps its bucket…
        let busy: IpAddr = "203.0.113.9".parse().unwrap();
        let t1 = t0 + Duration::from_secs(61);
        for _ in 0..30 {
            assert!(limiter.check(busy, t1).is_ok());
        }
        assert!(limiter.check(busy, t1 + Duration::from_secs(29)).is_ok());
        assert_eq!(limiter.tracked(), 2_001);
        // …and two idle windows later everything is dropped at once.
        assert!(limiter.check(busy, t1 + Duration::from_secs(200)).is_ok());
        assert_eq!(limiter.tracked(), 1);
    }
}
