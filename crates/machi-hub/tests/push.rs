//! Web Push end to end: the subscription API, what the hub sends to a local push service (a sink
//! on 127.0.0.1 that records every request, allowed by the test-only loopback setting), decrypted
//! with the subscriber's private key by an independent implementation (`web-push-native`), the
//! VAPID JWT verified with `jwt-simple`; alert fan-out on a real JMA message; garbage reminders at
//! an injected time; retries, removal, idempotency across a restart; the endpoint guard.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path as UrlPath, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};
use machi_data::alerts::{parse_jma, Alert, AreaScope};
use machi_data::garbage::category_name;
use machi_hub::client::ClientSettings;
use machi_hub::config::CityConfig;
use machi_hub::push::{endpoint, Payload, Push, PushSettings};
use machi_hub::serve::{app, AppState, Paths, Setup};
use machi_hub::testing::{repo, shared_data, At, CityToml};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt as _;
use web_push_native::jwt_simple::prelude::*;

mod common;
use common::Browser;

// ---------------------------------------------------------------------------------------------
// The local push service.

/// A status to answer with, and its Retry-After.
type Answer = (u16, Option<&'static str>);

struct Received {
    name: String,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct Sink {
    base: String,
    received: Mutex<Vec<Received>>,
    /// name → statuses to answer with (and a Retry-After), then 201.
    script: Mutex<HashMap<String, VecDeque<Answer>>>,
    /// A hostile or overloaded push service: every answer comes this late, and is this.
    stall: Mutex<Option<(Duration, Answer)>>,
}

impl Sink {
    fn url(&self, name: &str) -> String {
        format!("{}/push/{name}", self.base)
    }
    fn script(&self, name: &str, answers: &[Answer]) {
        self.script
            .lock()
            .unwrap()
            .insert(name.into(), answers.iter().copied().collect());
    }
    fn names(&self) -> Vec<String> {
        let mut n: Vec<String> = self
            .received
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.name.clone())
            .collect();
        n.sort();
        n
    }
    fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
    fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

async fn receive(
    State(sink): State<Arc<Sink>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let stall = *sink.stall.lock().unwrap();
    let answer = stall.map(|(_, answer)| answer).or_else(|| {
        sink.script
            .lock()
            .unwrap()
            .get_mut(&name)
            .and_then(VecDeque::pop_front)
    });
    sink.received.lock().unwrap().push(Received {
        name,
        headers,
        body,
    });
    if let Some((delay, _)) = stall {
        tokio::time::sleep(delay).await;
    }
    match answer {
        Some((status, retry_after)) => {
            let mut r = StatusCode::from_u16(status).unwrap().into_response();
            if let Some(s) = retry_after {
                r.headers_mut()
                    .insert(header::RETRY_AFTER, s.parse().unwrap());
            }
            r
        }
        None => StatusCode::CREATED.into_response(),
    }
}

async fn start_sink() -> Arc<Sink> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sink = Arc::new(Sink {
        base: format!("http://{addr}"),
        ..Sink::default()
    });
    let router = Router::new()
        .route("/push/{name}", post(receive))
        .with_state(sink.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    sink
}

// ---------------------------------------------------------------------------------------------
// A browser: a P-256 key pair and a 16-byte auth secret, as `pushManager.subscribe` makes.

// ---------------------------------------------------------------------------------------------
// A hub directory with four cities: tsunami areas of the Noto 2024 message, and one far away.

fn city(id: &str, name: &str, en: &str, code: &str, garbage: bool) -> CityToml {
    let city = CityToml::new(id)
        .name(name, Some(en))
        .area_en("kita", "北地区", "North district")
        .area_en("minami", "南地区", "South district")
        .alerts(&[], &[code]);
    if garbage {
        city.source(
            "garbage",
            "garbage-5374",
            At::path(repo().join("public/demo/garbage")),
        )
    } else {
        city
    }
}

fn hub_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cities = dir.path().join("cities");
    city("nanao", "七尾市", "Nanao", "tsunami:360", true).write(&cities);
    city("kaga", "加賀市", "Kaga", "tsunami:361", false).write(&cities);
    city("chui", "注意報町", "Advisory Town", "tsunami:230", false).write(&cities);
    city("far", "遠い市", "Far", "tsunami:990", false).write(&cities);
    dir
}

fn settings() -> PushSettings {
    PushSettings {
        database_url: machi_hub::testing::push_store_url(),
        allow_loopback: true,
        subject: "mailto:test@example.com".into(),
        backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(5),
        ..PushSettings::default()
    }
}

/// A hub process over `dir`: a second call is a restart.
async fn start(dir: &Path) -> AppState {
    start_with(dir, settings(), ClientSettings::default()).await
}

async fn start_with(dir: &Path, push: PushSettings, clients: ClientSettings) -> AppState {
    let push = Push::open(&dir.join("state"), push).unwrap();
    let paths = Paths {
        cities: dir.join("cities"),
        dist: dir.join("dist"),
    };
    let setup = Setup {
        push: Some(push),
        clients,
        ..Setup::new(paths).unwrap()
    };
    AppState::load(setup)
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap()
        .0
}

fn scopes(state: &AppState) -> Vec<(CityConfig, AreaScope)> {
    state
        .cities()
        .iter()
        .filter_map(|c| state.sources().scope(c).map(|s| (c.clone(), s)))
        .collect()
}

async fn call(
    state: &AppState,
    request: Request<Body>,
) -> (StatusCode, HeaderMap, serde_json::Value) {
    call_from(state, request, "198.51.100.1:5000").await
}

async fn call_from(
    state: &AppState,
    mut request: Request<Body>,
    from: &str,
) -> (StatusCode, HeaderMap, serde_json::Value) {
    let addr: SocketAddr = from.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned())
        })
    };
    (status, headers, json)
}

fn json_request(
    method: &str,
    path: &str,
    body: &serde_json::Value,
    secret: Option<&str>,
) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(s) = secret {
        r = r.header(header::AUTHORIZATION, format!("Bearer {s}"));
    }
    r.body(Body::from(body.to_string())).unwrap()
}

/// Subscribes through the API; returns (id, secret).
async fn subscribe(
    state: &AppState,
    browser: &Browser,
    endpoint: &str,
    city: &str,
    language: &str,
    topics: serde_json::Value,
) -> (String, String) {
    let body = serde_json::json!({
        "subscription": browser.subscription(endpoint),
        "city": city, "area": "kita", "language": language, "topics": topics,
    });
    let (status, _, json) = call(
        state,
        json_request("POST", "/api/push/subscriptions", &body, None),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    (
        json["id"].as_str().unwrap().to_owned(),
        json["secret"].as_str().unwrap().to_owned(),
    )
}

fn tsunami_message() -> (String, Arc<Vec<Alert>>) {
    let id = "urn:test:noto-tsunami".to_owned();
    let bytes =
        std::fs::read(shared_data("alerts/jma_real/noto_2024-01/TsunamiAlarm.xml")).unwrap();
    let alerts = parse_jma(&bytes, &id).unwrap();
    (id, Arc::new(alerts))
}

/// Five minutes after the Noto tsunami warning was issued.
fn noto_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 7, 27, 0).unwrap()
}

/// Checks the VAPID header: the hub's key, an ES256 signature over aud = the sink's origin, and
/// an expiry within 24 hours.
fn check_vapid(headers: &HeaderMap, public_key: &str, origin: &str) {
    let value = headers[header::AUTHORIZATION].to_str().unwrap();
    let rest = value.strip_prefix("vapid ").expect("vapid scheme");
    let mut t = None;
    let mut k = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("t=") {
            t = Some(v);
        } else if let Some(v) = part.strip_prefix("k=") {
            k = Some(v);
        }
    }
    let (t, k) = (t.unwrap(), k.unwrap());
    assert_eq!(k, public_key);
    let key = ES256PublicKey::from_bytes(&B64.decode(k).unwrap()).unwrap();
    let options = VerificationOptions {
        allowed_audiences: Some(HashSet::from_strings(&[origin])),
        ..Default::default()
    };
    let claims = key
        .verify_token::<NoCustomClaims>(t, Some(options))
        .expect("the JWT verifies against the hub's public key");
    let exp = claims.expires_at.unwrap().as_secs() as i64;
    let now = Utc::now().timestamp();
    assert!(
        exp > now && exp <= now + 24 * 3600,
        "exp {exp} vs now {now}"
    );
    assert_eq!(claims.subject.as_deref(), Some("mailto:test@example.com"));
}

// ---------------------------------------------------------------------------------------------

#[test]
fn the_endpoint_guard_refuses_non_public_and_non_https_urls() {
    for url in [
        "https://127.0.0.1/",
        "https://10.0.0.1/",
        "https://[::1]/",
        "https://169.254.169.254/",
        "http://push.example.com/",
        "https://localhost/",
        "https://192.168.0.10/x",
        "https://100.64.0.1/x",
        "https://[fd00::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://push.localhost/x",
        "ftp://push.example.com/x",
        "not a url",
    ] {
        assert!(endpoint::check(url, false).is_err(), "{url} accepted");
    }
    for url in [
        "https://fcm.googleapis.com/fcm/send/x",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QGuQyavXutnMDnQ",
    ] {
        assert!(endpoint::check(url, false).is_ok(), "{url} refused");
    }
}

#[tokio::test]
async fn the_vapid_key_is_made_once_kept_private_and_served() {
    let dir = hub_dir();
    let first = start(dir.path()).await;
    let key = first.push().unwrap().vapid().public_key().to_owned();
    assert_eq!(B64.decode(&key).unwrap().len(), 65);
    let path = dir.path().join("state/push/vapid-private.pk8");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = start(dir.path()).await;
    assert_eq!(again.push().unwrap().vapid().public_key(), key);
    let (status, headers, json) = call(
        &again,
        Request::get("/api/push/key").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["public_key"], key.as_str());
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn alert_fan_out_reaches_exactly_the_right_subscribers_encrypted_and_signed() {
    let sink = start_sink().await;
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let push = state.push().unwrap().clone();
    let alerts = serde_json::json!({ "alerts": { "min_severity": "warning" } });
    let special = serde_json::json!({ "alerts": { "min_severity": "special" } });
    let advisory = serde_json::json!({ "alerts": { "min_severity": "advisory" } });
    let garbage_only = serde_json::json!({ "garbage": { "evening_hour": 19 } });
    let cases = [
        ("a-nanao-warning-ja", "nanao", "ja", alerts.clone(), true),
        ("b-nanao-special-en", "nanao", "en", special.clone(), true),
        (
            "c-kaga-warning-easy",
            "kaga",
            "ja-x-easy",
            alerts.clone(),
            true,
        ),
        ("d-kaga-special", "kaga", "ja", special.clone(), false),
        ("e-chui-warning", "chui", "ja", alerts.clone(), false),
        ("f-chui-advisory", "chui", "en", advisory.clone(), true),
        ("g-far-advisory", "far", "ja", advisory.clone(), false),
        ("h-nanao-garbage-only", "nanao", "ja", garbage_only, false),
    ];
    let mut browsers = HashMap::new();
    for (name, city, lang, topics, _) in &cases {
        let b = Browser::new();
        subscribe(&state, &b, &sink.url(name), city, lang, topics.clone()).await;
        browsers.insert(name.to_string(), b);
    }
    let message = tsunami_message();
    let cities = scopes(&state);
    let report = push
        .fan_out_alerts(std::slice::from_ref(&message), &cities, noto_now())
        .await;
    let expected: Vec<String> = cases
        .iter()
        .filter(|c| c.4)
        .map(|c| c.0.to_string())
        .collect();
    assert_eq!(sink.names(), expected);
    assert_eq!(report.sent, expected.len());

    let public_key = push.vapid().public_key().to_owned();
    let mut payloads = HashMap::new();
    for r in sink.take() {
        check_vapid(&r.headers, &public_key, &sink.base);
        assert_eq!(r.headers["content-encoding"], "aes128gcm");
        assert_eq!(r.headers["urgency"], "high");
        assert_eq!(r.headers["ttl"], "43200");
        let topic = r.headers["topic"].to_str().unwrap();
        assert!(
            topic.len() <= 32
                && topic
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        payloads.insert(r.name.clone(), browsers[&r.name].decrypt(&r.body));
    }
    let a = &payloads["a-nanao-warning-ja"];
    assert_eq!(a.title, "大津波警報");
    assert_eq!(a.body, "七尾市に大津波警報が発表されました。");
    assert_eq!(a.url, "/alerts");
    assert_eq!(a.icon, "/icons/icon-192.png");
    assert_eq!(a.tag, message.1[0].series);
    let b = &payloads["b-nanao-special-en"];
    assert_eq!(b.title, "Major tsunami warning");
    assert_eq!(b.body, "Major tsunami warning issued for Nanao.");
    let c = &payloads["c-kaga-warning-easy"];
    assert_eq!(c.title, "津波警報");
    assert_eq!(c.body, "加賀市に 津波警報が でました。");
    assert_eq!(payloads["f-chui-advisory"].title, "Tsunami advisory");
    assert_eq!(
        payloads["f-chui-advisory"].body,
        "Tsunami advisory issued for Advisory Town."
    );

    // The same message again (a second poll, or a restart of the hub): nothing is sent twice.
    let restarted = start(dir.path()).await;
    let report = restarted
        .push()
        .unwrap()
        .fan_out_alerts(&[message], &cities, noto_now())
        .await;
    assert_eq!(report.sent, 0);
    assert_eq!(report.skipped, expected.len());
    assert_eq!(sink.count(), 0);
    let log = restarted.push().unwrap().store().log().unwrap();
    assert_eq!(log.len(), expected.len());
    assert!(log
        .iter()
        .all(|l| l.outcome == "sent" && l.status_code == Some(201) && l.attempts == 1));
}

/// Every catalogue language is a subscriber's language: a Vietnamese and a Brazilian resident of
/// 七尾市 get the Noto tsunami warning in theirs (the city's name, which the city publishes in
/// Japanese and English only, in English: their fallback).
#[tokio::test]
async fn alerts_reach_vietnamese_and_brazilian_residents_in_their_languages() {
    let sink = start_sink().await;
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let push = state.push().unwrap().clone();
    let topics = serde_json::json!({ "alerts": { "min_severity": "warning" } });
    let mut browsers = HashMap::new();
    for (name, lang) in [("nanao-vi", "vi"), ("nanao-pt", "pt-BR")] {
        let b = Browser::new();
        subscribe(&state, &b, &sink.url(name), "nanao", lang, topics.clone()).await;
        browsers.insert(name.to_owned(), b);
    }
    let report = push
        .fan_out_alerts(&[tsunami_message()], &scopes(&state), noto_now())
        .await;
    assert_eq!(report.sent, 2);
    let mut payloads = HashMap::new();
    for r in sink.take() {
        payloads.insert(r.name.clone(), browsers[&r.name].decrypt(&r.body));
    }
    let vi = &payloads["nanao-vi"];
    assert_eq!(vi.title, "Cảnh báo sóng thần lớn");
    assert_eq!(vi.body, "Đã ban hành Cảnh báo sóng thần lớn cho Nanao.");
    let pt = &payloads["nanao-pt"];
    assert_eq!(pt.title, "Alerta de grande tsunami");
    assert_eq!(pt.body, "Alerta de grande tsunami emitido para Nanao.");
}

/// The API takes every language of the catalogue, all sixteen.
#[tokio::test]
async fn every_catalogue_language_can_subscribe() {
    let sink = start_sink().await;
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let topics = serde_json::json!({ "alerts": { "min_severity": "warning" } });
    let languages: Vec<&str> = machi_i18n::Lang::all()
        .map(machi_i18n::Lang::code)
        .collect();
    assert_eq!(languages.len(), 16, "{languages:?}");
    for lang in languages {
        let b = Browser::new();
        subscribe(
            &state,
            &b,
            &sink.url(&format!("sub-{lang}")),
            "nanao",
            lang,
            topics.clone(),
        )
        .await;
    }
}

#[tokio::test]
async fn old_and_test_alerts_are_not_pushed_and_a_lifting_only_to_those_told() {
    let sink = start_sink().await;
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let push = state.push().unwrap().clone();
    let topics = serde_json::json!({ "alerts": { "min_severity": "advisory" } });
    let early = Browser::new();
    subscribe(
        &state,
        &early,
        &sink.url("early"),
        "nanao",
        "ja",
        topics.clone(),
    )
    .await;
    let cities = scopes(&state);
    let message = tsunami_message();

    // A day later the message is no news; a training message is never news.
    let late = noto_now() + chrono::Duration::days(1);
    let report = push
        .fan_out_alerts(std::slice::from_ref(&message), &cities, late)
        .await;
    assert_eq!((report.sent, sink.count()), (0, 0));
    let mut training = (*message.1).clone();
    training.iter_mut().for_each(|a| a.test = true);
    let training = ("urn:test:training".to_owned(), Arc::new(training));
    let report = push.fan_out_alerts(&[training], &cities, noto_now()).await;
    assert_eq!((report.sent, sink.count()), (0, 0));

    // The warning reaches the early subscriber; a later one subscribes after it.
    let report = push
        .fan_out_alerts(std::slice::from_ref(&message), &cities, noto_now())
        .await;
    assert_eq!(report.sent, 1);
    sink.take();
    subscribe(
        &state,
        &Browser::new(),
        &sink.url("late"),
        "nanao",
        "ja",
        topics,
    )
    .await;

    // Its lifting (解除, same series, a new message) goes only to the one told of the warning.
    let mut lifted = (*message.1).clone();
    for a in &mut lifted {
        a.status = machi_data::alerts::AlertStatus::Lifted;
        a.issued_at += chrono::Duration::hours(2);
    }
    let lifted = ("urn:test:noto-lifted".to_owned(), Arc::new(lifted));
    let report = push
        .fan_out_alerts(&[lifted], &cities, noto_now() + chrono::Duration::hours(2))
        .await;
    assert_eq!(report.sent, 1, "{report:?} {:?}", push.store().log());
    let got = sink.take();
    assert_eq!(got[0].name, "early");
    let payload = early.decrypt(&got[0].body);
    assert_eq!(payload.title, "大津波警報");
    assert_eq!(payload.body, "七尾市の大津波警報は解除されました。");
    assert_eq!(payload.tag, message.1[0].series);
}

#[tokio::test]
async fn gone_subscriptions_are_removed_and_429_and_5xx_are_retried() {
    let sink = start_sink().await;
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let push = state.push().unwrap().clone();
    let topics = serde_json::json!({ "alerts": { "min_severity": "warning" } });
    let (gone, _) = subscribe(
        &state,
        &Browser::new(),
        &sink.url("gone"),
        "nanao",
        "ja",
        topics.clone(),
    )
    .await;
    let (expired, _) = subscribe(
        &state,
        &Browser::new(),
        &sink.url("expired"),
        "nanao",
        "ja",
        topics.clone(),
    )
    .await;
    let busy_browser = Browser::new();
    let (busy, _) = subscribe(
        &state,
        &busy_browser,
        &sink.url("busy"),
        "nanao",
        "ja",
        topics.clone(),
    )
    .await;
    let (flaky, _) = subscribe(
        &state,
        &Browser::new(),
        &sink.url("flaky"),
        "nanao",
        "ja",
        topics.clone(),
    )
    .await;
    let (broken, _) = subscribe(
        &state,
        &Browser::new(),
        &sink.url("broken"),
        "nanao",
        "ja",
        topics,
    )
    .await;
    sink.script("gone", &[(410, None)]);
    sink.script("expired", &[(404, None)]);
    sink.script("busy", &[(429, Some("1"))]);
    sink.script("flaky", &[(503, None), (502, None)]);
    sink.script("broken", &[(500, None); 10]);

    let started = std::time::Instant::now();
    let report = push
        .fan_out_alerts(&[tsunami_message()], &scopes(&state), noto_now())
        .await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!((report.sent, report.gone, report.failed), (2, 2, 1));
    let store = push.store();
    assert!(store.get(&gone).unwrap().is_none());
    assert!(store.get(&expired).unwrap().is_none());
    assert!(store.get(&busy).unwrap().is_some());
    let log = store.log().unwrap();
    let entry = |id: &str| {
        log.iter()
            .find(|l| l.subscription_id == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (entry(&busy).outcome.as_str(), entry(&busy).attempts),
        ("sent", 2)
    );
    assert_eq!(
        (entry(&flaky).outcome.as_str(), entry(&flaky).attempts),
        ("sent", 3)
    );
    assert_eq!(entry(&gone).status_code, Some(410));
    assert_eq!(
        (
            entry(&broken).outcome.as_str(),
            entry(&broken).status_code,
            entry(&broken).attempts
        ),
        ("failed", Some(500), 4)
    );
    // The retried message is the same, and still decrypts.
    let busy_bodies: Vec<Bytes> = sink
        .take()
        .into_iter()
        .filter(|r| r.name == "busy")
        .map(|r| r.body)
        .collect();
    assert_eq!(busy_bodies.len(), 2);
    assert_eq!(busy_browser.decrypt(&busy_bodies[1]).title, "大津波警報");
}

/// The next date from `from` on which the demo calendar's 北地区 has a collection, and one without.
fn demo_dates(
    state: &AppState,
    from: NaiveDate,
) -> (NaiveDate, Vec<String>, Vec<String>, NaiveDate) {
    let feeds = state.feeds();
    let garbage = feeds.garbage("nanao").expect("the demo calendar was read");
    let feed = feeds.city("nanao").unwrap();
    let area_id = feed
        .areas
        .iter()
        .find(|a| a.id == "kita")
        .unwrap()
        .garbage_area
        .clone()
        .unwrap();
    let cal = &garbage.calendar;
    let area = cal.area(&area_id).unwrap();
    let mut with = None;
    let mut without = None;
    let mut d = from;
    while with.is_none() || without.is_none() {
        let on = cal.on(area, d);
        if on.is_empty() {
            without.get_or_insert(d);
        } else if with.is_none() {
            let ja = on
                .iter()
                .map(|c| cal.category(c).unwrap().label.get("ja", &[]).to_owned())
                .collect();
            // English names are the catalogue's, as the app shows them.
            let en_lang = machi_i18n::Lang::from_code("en").unwrap();
            let en: Vec<String> = on
                .iter()
                .map(|c| {
                    category_name(cal.category(c).unwrap(), en_lang)
                        .text
                        .into_owned()
                })
                .collect();
            assert!(en.iter().all(|n| n.is_ascii()), "{en:?}");
            with = Some((d, ja, en));
        }
        d = d.succ_opt().unwrap();
    }
    let (d, ja, en) = with.unwrap();
    (d, ja, en, without.unwrap())
}

#[tokio::test]
async fn garbage_reminders_come_at_the_chosen_hour_in_tokyo_once() {
    let sink = start_sink().await;
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let tokyo = chrono_tz::Asia::Tokyo;
    let (collection, ja, en, empty) =
        demo_dates(&state, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
    let ja_b = Browser::new();
    let en_b = Browser::new();
    let morning_b = Browser::new();
    subscribe(
        &state,
        &ja_b,
        &sink.url("ja-19"),
        "nanao",
        "ja",
        serde_json::json!({ "garbage": { "evening_hour": 19 } }),
    )
    .await;
    subscribe(
        &state,
        &en_b,
        &sink.url("en-19"),
        "nanao",
        "en",
        serde_json::json!({ "garbage": { "evening_hour": 19 } }),
    )
    .await;
    subscribe(
        &state,
        &Browser::new(),
        &sink.url("ja-20"),
        "nanao",
        "ja",
        serde_json::json!({ "garbage": { "evening_hour": 20 } }),
    )
    .await;
    subscribe(
        &state,
        &morning_b,
        &sink.url("morning"),
        "nanao",
        "ja",
        serde_json::json!({ "garbage": { "morning": true } }),
    )
    .await;

    let at = |date: NaiveDate, h: u32, m: u32| {
        tokyo
            .from_local_datetime(&date.and_hms_opt(h, m, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let eve = collection.pred_opt().unwrap();
    // 18:59 in Tokyo: not yet.
    state.push_tick(at(eve, 18, 59)).await;
    assert_eq!(sink.count(), 0);
    // 19:00: the 19 o'clock subscribers, about tomorrow.
    let report = state.push_tick(at(eve, 19, 0)).await;
    assert_eq!(report.sent, 2);
    assert_eq!(sink.names(), ["en-19", "ja-19"]);
    for r in sink.take() {
        assert_eq!(r.headers["urgency"], "normal");
        let p = if r.name == "ja-19" {
            ja_b.decrypt(&r.body)
        } else {
            en_b.decrypt(&r.body)
        };
        if r.name == "ja-19" {
            assert_eq!(p.title, format!("あした：{}", ja.join("、")));
            assert_eq!(p.body, "北地区の収集日です。");
        } else {
            assert_eq!(p.title, format!("Tomorrow: {}", en.join(", ")));
            assert_eq!(p.body, "Collection day in North district.");
        }
        assert_eq!((p.tag.as_str(), p.url.as_str()), ("garbage", "/garbage"));
    }
    // 19:30, and a restarted hub at 19:45: nothing again.
    state.push_tick(at(eve, 19, 30)).await;
    // Stopped first: on PostgreSQL, its session holds the leader's lock until it ends.
    drop(state);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let restarted = start(dir.path()).await;
    let report = restarted.push_tick(at(eve, 19, 45)).await;
    assert_eq!((report.sent, report.skipped, sink.count()), (0, 2, 0));
    // The morning of the collection day, at 6:00.
    restarted.push_tick(at(collection, 6, 0)).await;
    let got = sink.take();
    assert_eq!(got.len(), 1);
    assert_eq!(
        morning_b.decrypt(&got[0].body).title,
        format!("きょう：{}", ja.join("、"))
    );
    // The evening before a day without collection: nothing.
    restarted
        .push_tick(at(empty.pred_opt().unwrap(), 19, 0))
        .await;
    assert_eq!(sink.count(), 0);
}

#[tokio::test]
async fn the_api_validates_authorises_and_answers_in_json() {
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let b = Browser::new();
    let good = serde_json::json!({
        "subscription": b.subscription("https://fcm.googleapis.com/fcm/send/abc"),
        "city": "nanao", "area": "kita", "language": "ja",
        "topics": { "alerts": { "min_severity": "warning", "min_level": 3 },
                    "garbage": { "evening_hour": 19, "morning": true } },
    });
    let bad = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    let cases: Vec<(serde_json::Value, StatusCode, &str, Option<&str>)> = vec![
        (
            bad(&|v| v["subscription"]["endpoint"] = "https://10.0.0.1/x".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_endpoint",
            Some("subscription.endpoint"),
        ),
        (
            bad(&|v| v["subscription"]["endpoint"] = "http://fcm.googleapis.com/x".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_endpoint",
            Some("subscription.endpoint"),
        ),
        (
            bad(&|v| v["subscription"]["keys"]["auth"] = "xx".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_keys",
            Some("subscription.keys"),
        ),
        (
            bad(&|v| v["city"] = "atlantis".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_city",
            Some("city"),
        ),
        (
            bad(&|v| v["area"] = "nowhere".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_area",
            Some("area"),
        ),
        (
            bad(&|v| v["language"] = "qaa".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_language",
            Some("language"),
        ),
        (
            bad(&|v| v["topics"]["garbage"]["evening_hour"] = 24.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_topics",
            Some("topics.garbage.evening_hour"),
        ),
        (
            bad(&|v| v["topics"]["alerts"]["min_severity"] = "loud".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_topics",
            Some("topics.alerts.min_severity"),
        ),
        (
            bad(&|v| v["topics"]["alerts"]["min_level"] = 9.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_topics",
            Some("topics.alerts.min_level"),
        ),
        (
            bad(&|v| v["topics"] = serde_json::json!({})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_topics",
            Some("topics"),
        ),
        (
            bad(&|v| v["topics"]["garbage"] = serde_json::json!({})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_topics",
            Some("topics.garbage"),
        ),
        (
            bad(&|v| v["email"] = "a@b.c".into()),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            None,
        ),
        (
            bad(&|v| {
                v.as_object_mut().unwrap().remove("topics");
            }),
            StatusCode::BAD_REQUEST,
            "invalid_json",
            None,
        ),
        (
            bad(&|v| v["padding"] = "x".repeat(9000).into()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            None,
        ),
    ];
    for (i, (body, status, code, field)) in cases.into_iter().enumerate() {
        let from = format!("198.51.100.{}:1", 10 + i);
        let (s, _, json) = call_from(
            &state,
            json_request("POST", "/api/push/subscriptions", &body, None),
            &from,
        )
        .await;
        assert_eq!(s, status, "case {i}: {json}");
        assert_eq!(json["code"], code, "case {i}: {json}");
        assert!(json["error"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(json["field"].as_str(), field, "case {i}: {json}");
    }

    let (s, _, created) = call(
        &state,
        json_request("POST", "/api/push/subscriptions", &good, None),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(created["subscription"]["topics"]["alerts"]["min_level"], 3);
    assert_eq!(
        created["subscription"]["topics"]["garbage"]["morning"],
        true
    );
    assert!(created["subscription"].get("keys").is_none());
    let path = format!("/api/push/subscriptions/{id}");

    let (s, _, json) = call(&state, Request::get(&path).body(Body::empty()).unwrap()).await;
    assert_eq!(
        (s, json["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("missing_secret"))
    );
    let (s, _, json) = call(
        &state,
        json_request("GET", &path, &serde_json::Value::Null, Some("wrong")),
    )
    .await;
    assert_eq!(
        (s, json["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, _, json) = call(
        &state,
        json_request("GET", &path, &serde_json::Value::Null, Some(secret)),
    )
    .await;
    assert_eq!((s, json["city"].as_str()), (StatusCode::OK, Some("nanao")));

    let change = serde_json::json!({ "language": "en", "area": "minami", "topics": { "garbage": { "evening_hour": 20 } } });
    let (s, _, json) = call(&state, json_request("PATCH", &path, &change, Some(secret))).await;
    assert_eq!(s, StatusCode::OK, "{json}");
    assert_eq!(json["language"], "en");
    assert_eq!(json["area"], "minami");
    assert!(json["topics"]["alerts"].is_null());
    assert_eq!(json["topics"]["garbage"]["evening_hour"], 20);
    let (s, _, json) = call(
        &state,
        json_request(
            "PUT",
            &path,
            &serde_json::json!({ "city": "kaga", "area": "nowhere" }),
            Some(secret),
        ),
    )
    .await;
    assert_eq!(
        (s, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_area"))
    );

    // Moving to an endpoint another subscription holds is refused by name.
    let other = Browser::new();
    let other_endpoint = "https://fcm.googleapis.com/fcm/send/other";
    let mut second = good.clone();
    second["subscription"] = other.subscription(other_endpoint);
    let (s, _, json) = call(
        &state,
        json_request("POST", "/api/push/subscriptions", &second, None),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{json}");
    let second_path = format!("/api/push/subscriptions/{}", json["id"].as_str().unwrap());
    let second_secret = json["secret"].as_str().unwrap().to_owned();
    let move_to = serde_json::json!({ "subscription": b.subscription(other_endpoint) });
    let (s, _, json) = call(&state, json_request("PATCH", &path, &move_to, Some(secret))).await;
    assert_eq!(
        (s, json["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("endpoint_taken"))
    );
    let (s, _, _) = call(
        &state,
        json_request(
            "DELETE",
            &second_path,
            &serde_json::Value::Null,
            Some(&second_secret),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let (s, _, _) = call(
        &state,
        json_request("DELETE", &path, &serde_json::Value::Null, Some(secret)),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = call(
        &state,
        json_request("DELETE", &path, &serde_json::Value::Null, Some(secret)),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(state.push().unwrap().store().count().unwrap(), 0);
}

#[tokio::test]
async fn the_api_is_rate_limited_per_client_address() {
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let key = || Request::get("/api/push/key").body(Body::empty()).unwrap();
    for _ in 0..30 {
        let (s, _, _) = call_from(&state, key(), "203.0.113.5:1000").await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, headers, json) = call_from(&state, key(), "203.0.113.5:1001").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json["code"], "rate_limited");
    assert!(
        headers[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let (s, _, _) = call_from(&state, key(), "203.0.113.6:1000").await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn a_hub_without_push_says_so() {
    let dir = hub_dir();
    let paths = Paths {
        cities: dir.path().join("cities"),
        dist: dir.path().join("dist"),
    };
    let state = AppState::load(Setup::new(paths).unwrap()).await.unwrap().0;
    let (s, _, json) = call(
        &state,
        Request::get("/api/push/key").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(
        (s, json["code"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("push_disabled"))
    );
}

#[tokio::test]
async fn a_stored_endpoint_is_checked_again_when_sending() {
    use machi_hub::push::outgoing;
    use machi_hub::push::store::{AlertTopic, Subscription, Topics};
    let sink = start_sink().await;
    let dir = tempfile::tempdir().unwrap();
    // A production hub (no loopback setting) whose store somehow holds a loopback endpoint.
    let push = Push::open(dir.path(), PushSettings::default()).unwrap();
    let b = Browser::new();
    let sub = Subscription {
        id: "s1".into(),
        endpoint: sink.url("inside"),
        p256dh: b.p256dh(),
        auth: B64.encode(b.auth),
        city: "nanao".into(),
        area: "kita".into(),
        language: "ja".into(),
        topics: Topics {
            alerts: Some(AlertTopic {
                min_severity: machi_data::alerts::Severity::Warning,
                min_level: None,
            }),
            garbage: None,
            nursery: Vec::new(),
            meetings: None,
        },
    };
    push.store().insert(&sub, "h", 0).unwrap();
    let payload = Payload {
        title: "t".into(),
        body: "b".into(),
        tag: "x".into(),
        url: "/".into(),
        icon: "/i.png".into(),
    };
    let o = outgoing(&sub, "e".into(), "x".into(), &payload, "high", 60).unwrap();
    let report = push.deliver(vec![o], Utc::now()).await;
    assert_eq!((report.refused, report.sent, sink.count()), (1, 0, 0));
    assert_eq!(push.store().log().unwrap()[0].outcome, "refused");
}

/// A reminder set for an hour that summer time skips still comes: in Berlin, 02:00 on
/// 2026-03-29 never happens (02:00 CET becomes 03:00 CEST), so the 02:00 reminder about Monday
/// comes at 03:00.
#[tokio::test]
async fn a_reminder_at_an_hour_skipped_by_summer_time_still_fires() {
    let sink = start_sink().await;
    let dir = tempfile::tempdir().unwrap();
    city("berlin", "ベルリン", "Berlin", "tsunami:990", true)
        .timezone("Europe/Berlin")
        .write(&dir.path().join("cities"));
    let state = start(dir.path()).await;
    let b = Browser::new();
    subscribe(
        &state,
        &b,
        &sink.url("two-am"),
        "berlin",
        "en",
        serde_json::json!({ "garbage": { "evening_hour": 2 } }),
    )
    .await;
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    // 01:59 CET: not yet.
    state.push_tick(at("2026-03-29T00:59:00Z")).await;
    assert_eq!(sink.count(), 0);
    // 03:00 CEST, the first minute after the skipped hour: Monday's collection (燃やすごみ).
    state.push_tick(at("2026-03-29T01:00:00Z")).await;
    let got = sink.take();
    assert_eq!(got.len(), 1);
    assert!(b.decrypt(&got[0].body).title.starts_with("Tomorrow: "));
    // And only once.
    state.push_tick(at("2026-03-29T01:01:00Z")).await;
    assert_eq!(sink.count(), 0);
}

/// On a dual-stack listener every IPv4 client arrives as `::ffff:a.b.c.d`; keyed by its /64, they
/// all shared one bucket, so 30 requests from one blocked every other IPv4 client.
#[tokio::test]
async fn thirty_requests_from_one_mapped_address_do_not_block_another() {
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let key = || Request::get("/api/push/key").body(Body::empty()).unwrap();
    for _ in 0..30 {
        let (s, _, _) = call_from(&state, key(), "[::ffff:203.0.113.5]:1000").await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _, _) = call_from(&state, key(), "[::ffff:203.0.113.5]:1001").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let (s, _, _) = call_from(&state, key(), "[::ffff:203.0.113.6]:1000").await;
    assert_eq!(s, StatusCode::OK, "another IPv4 client is not blocked");
    let (s, _, _) = call_from(&state, key(), "203.0.113.5:1002").await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the same client, however it arrives"
    );
}

/// Behind the TLS proxy every request comes from the proxy: the client is taken from
/// `X-Forwarded-For` (or `Forwarded`) only when the peer is the configured proxy.
#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited_not_the_proxy() {
    let dir = hub_dir();
    let clients = ClientSettings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        public_origin: None,
    };
    let state = start_with(dir.path(), settings(), clients).await;
    let via_proxy = |client: &str| {
        Request::get("/api/push/key")
            .header("x-forwarded-for", client)
            .body(Body::empty())
            .unwrap()
    };
    for _ in 0..30 {
        let (s, _, _) = call_from(&state, via_proxy("198.51.100.7"), "127.0.0.1:9000").await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _, _) = call_from(&state, via_proxy("198.51.100.7"), "127.0.0.1:9000").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // Hundreds of residents through the same proxy after an earthquake: all served.
    for i in 0..300 {
        let client = format!("2001:db8:{i:x}::1");
        let (s, _, _) = call_from(&state, via_proxy(&client), "127.0.0.1:9000").await;
        assert_eq!(s, StatusCode::OK, "{client}");
    }
    // A peer that is not the proxy cannot choose its address by writing the header.
    for i in 0..30 {
        let spoofed = format!("192.0.2.{i}");
        let (s, _, _) = call_from(&state, via_proxy(&spoofed), "203.0.113.50:1").await;
        assert_eq!(s, StatusCode::OK);
    }
    let (s, _, _) = call_from(&state, via_proxy("192.0.2.99"), "203.0.113.50:1").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
}

fn create_body(browser: &Browser, endpoint: &str) -> serde_json::Value {
    serde_json::json!({
        "subscription": browser.subscription(endpoint),
        "city": "nanao", "area": "kita", "language": "ja",
        "topics": { "alerts": { "min_severity": "warning" } },
    })
}

/// Another site's page cannot create or change a subscription (its browser says where it comes
/// from), a body must be JSON, an endpoint cannot be taken over without its keys, and the caps
/// per client and in total answer with clear errors.
#[tokio::test]
async fn subscriptions_cannot_be_made_cross_site_or_taken_over_and_are_capped() {
    let dir = hub_dir();
    let push = PushSettings {
        creations_per_hour: 3,
        max_subscriptions: 4,
        ..settings()
    };
    let state = start_with(dir.path(), push, ClientSettings::default()).await;
    let b = Browser::new();
    let endpoint = "https://fcm.googleapis.com/fcm/send/victim";
    let post = |body: &serde_json::Value, extra: &[(&str, &str)]| {
        let mut r = Request::post("/api/push/subscriptions")
            .header(header::HOST, "machi.example.jp")
            .header(header::CONTENT_TYPE, "application/json");
        for (k, v) in extra {
            r = r.header(*k, *v);
        }
        r.body(Body::from(body.to_string())).unwrap()
    };
    let body = create_body(&b, endpoint);

    // Cross-site: by Origin, by Sec-Fetch-Site.
    for extra in [
        &[("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "cross-site")][..],
        &[("origin", "null")][..],
    ] {
        let (s, _, json) = call_from(&state, post(&body, extra), "198.51.100.20:1").await;
        assert_eq!(
            (s, json["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("cross_site"))
        );
    }
    // Not JSON: what an HTML form could send across sites.
    let form = Request::post("/api/push/subscriptions")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, _, json) = call_from(&state, form, "198.51.100.20:1").await;
    assert_eq!(
        (s, json["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    assert_eq!(state.push().unwrap().store().count().unwrap(), 0);

    // The hub's own page: created.
    let own = [
        ("origin", "https://machi.example.jp"),
        ("sec-fetch-site", "same-origin"),
    ];
    let (s, _, first) = call_from(&state, post(&body, &own), "198.51.100.20:1").await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    // Someone who knows the endpoint but not its keys: refused, and the owner keeps it.
    let thief = create_body(&Browser::new(), endpoint);
    let (s, _, json) = call_from(&state, post(&thief, &own), "198.51.100.21:1").await;
    assert_eq!(
        (s, json["code"].as_str()),
        (StatusCode::CONFLICT, Some("subscription_conflict"))
    );
    assert!(
        !json["error"].as_str().unwrap().contains("exists"),
        "{json}"
    );
    let store = state.push().unwrap().store();
    assert!(store.get(first["id"].as_str().unwrap()).unwrap().is_some());
    // The browser itself subscribing again (same keys): replaces it.
    let (s, _, again) = call_from(&state, post(&body, &own), "198.51.100.20:1").await;
    assert_eq!(s, StatusCode::CREATED, "{again}");
    assert!(store.get(first["id"].as_str().unwrap()).unwrap().is_none());
    assert_eq!(store.count().unwrap(), 1);

    // Per client: 3 an hour here (two used above, the refused ones did not count).
    let (s, _, _) = call_from(
        &state,
        post(
            &create_body(&Browser::new(), "https://fcm.googleapis.com/fcm/send/3"),
            &[],
        ),
        "198.51.100.20:2",
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, headers, json) = call_from(
        &state,
        post(
            &create_body(&Browser::new(), "https://fcm.googleapis.com/fcm/send/4"),
            &[],
        ),
        "198.51.100.20:3",
    )
    .await;
    assert_eq!(
        (s, json["code"].as_str()),
        (
            StatusCode::TOO_MANY_REQUESTS,
            Some("too_many_subscriptions")
        )
    );
    assert!(headers.contains_key(header::RETRY_AFTER));
    // In all: 4 here.
    for (n, from) in ["198.51.100.30:1", "198.51.100.31:1", "198.51.100.32:1"]
        .into_iter()
        .enumerate()
    {
        let endpoint = format!("https://fcm.googleapis.com/fcm/send/other-{n}");
        let (s, _, json) = call_from(
            &state,
            post(&create_body(&Browser::new(), &endpoint), &[]),
            from,
        )
        .await;
        if n < 2 {
            assert_eq!(s, StatusCode::CREATED, "{json}");
        } else {
            assert_eq!(
                (s, json["code"].as_str()),
                (StatusCode::SERVICE_UNAVAILABLE, Some("subscriptions_full"))
            );
        }
    }
}

/// A captured log, for what must never be in one.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An endpoint is the subscription's address at the push service: it is never logged, not even
/// in a send error (reqwest's errors name the URL). The push directory is the hub user's only.
#[tokio::test]
async fn push_endpoints_never_reach_the_logs_and_push_files_are_private() {
    if machi_hub::testing::push_store_url().is_some() {
        eprintln!("skipped: about the SQLite file (the store is PostgreSQL in this run)");
        return;
    }
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let dir = hub_dir();
    let state = start(dir.path()).await;
    // Nothing listens on port 1: every attempt is a network error.
    let (id, _) = subscribe(
        &state,
        &Browser::new(),
        "http://127.0.0.1:1/push/SECRET-PATH-7f3a",
        "nanao",
        "ja",
        serde_json::json!({ "alerts": { "min_severity": "warning" } }),
    )
    .await;
    let report = state
        .push()
        .unwrap()
        .fan_out_alerts(&[tsunami_message()], &scopes(&state), noto_now())
        .await;
    assert_eq!(report.failed, 1);
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains(&id),
        "the send was logged by subscription id:\n{text}"
    );
    assert!(
        !text.contains("SECRET-PATH"),
        "an endpoint in the log:\n{text}"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &str| {
            std::fs::metadata(dir.path().join("state/push").join(p))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode(""), 0o700);
        assert_eq!(mode("push.sqlite3"), 0o600);
        assert_eq!(mode("push.sqlite3-wal"), 0o600);
        assert_eq!(mode("vapid-private.pk8"), 0o600);
    }
}

/// A damaged push database does not stop the hub: it is moved aside and a new one is started.
#[tokio::test]
async fn a_damaged_push_database_is_moved_aside_and_the_hub_starts() {
    if machi_hub::testing::push_store_url().is_some() {
        eprintln!("skipped: about the SQLite file (the store is PostgreSQL in this run)");
        return;
    }
    let dir = hub_dir();
    let push_dir = dir.path().join("state/push");
    std::fs::create_dir_all(&push_dir).unwrap();
    std::fs::write(push_dir.join("push.sqlite3"), vec![0x5a; 8192]).unwrap();
    let state = start(dir.path()).await;
    assert_eq!(state.push().unwrap().store().count().unwrap(), 0);
    let aside: Vec<String> = std::fs::read_dir(&push_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("push.sqlite3.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "kept for the operator");
    subscribe(
        &state,
        &Browser::new(),
        "https://fcm.googleapis.com/fcm/send/after",
        "nanao",
        "ja",
        serde_json::json!({ "alerts": { "min_severity": "warning" } }),
    )
    .await;
}

/// A hostile push service (anyone can subscribe with an endpoint on their own server) answers
/// 429 `Retry-After: 60`, and only after stalling. Before, its 200 subscriptions held every send
/// slot (each one through its Retry-After), so an alert for a normal subscription created after
/// them waited minutes. Now one push service gets at most `per_origin` slots, and a Retry-After
/// is waited out holding none.
#[tokio::test]
async fn a_hostile_push_service_cannot_hold_back_an_alert_for_others() {
    let hostile = start_sink().await;
    *hostile.stall.lock().unwrap() = Some((Duration::from_secs(20), (429, Some("60"))));
    let normal = start_sink().await;
    let dir = hub_dir();
    let push_settings = PushSettings {
        max_retry_after: Duration::from_secs(60),
        ..settings()
    };
    let state = start_with(dir.path(), push_settings, ClientSettings::default()).await;
    let push = state.push().unwrap().clone();
    let b = Browser::new();
    for i in 0..200 {
        let sub = machi_hub::push::store::Subscription {
            id: format!("hostile-{i:03}"),
            endpoint: hostile.url(&format!("h{i}")),
            p256dh: b.p256dh(),
            auth: B64.encode(b.auth),
            city: "nanao".into(),
            area: "kita".into(),
            language: "ja".into(),
            topics: machi_hub::push::store::Topics {
                alerts: Some(machi_hub::push::store::AlertTopic {
                    min_severity: machi_data::alerts::Severity::Warning,
                    min_level: None,
                }),
                garbage: None,
                nursery: Vec::new(),
                meetings: None,
            },
        };
        push.store().insert(&sub, "h", 0).unwrap();
    }
    let resident = Browser::new();
    subscribe(
        &state,
        &resident,
        &normal.url("resident"),
        "nanao",
        "ja",
        serde_json::json!({ "alerts": { "min_severity": "warning" } }),
    )
    .await;
    let cities = scopes(&state);
    let started = std::time::Instant::now();
    let fan_out = tokio::spawn(async move {
        push.fan_out_alerts(&[tsunami_message()], &cities, noto_now())
            .await
    });
    while normal.count() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the resident's alert is held back by the hostile push service"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    let got = normal.take();
    assert_eq!(resident.decrypt(&got[0].body).title, "大津波警報");
    assert!(
        hostile.count() > 0,
        "the hostile service was being sent to meanwhile"
    );
    println!("the resident's alert arrived after {took:?}");
    fan_out.abort();
}
