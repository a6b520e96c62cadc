//! Nurseries through the whole hub: the demo's facilities joined with monthly vacancy tables in
//! a directory, every month kept across restarts (and after its file is gone), a broken table
//! refused with its file and line while the last good months stay, follows through the push API,
//! and "a place opened" pushed once, in the subscriber's language, to a local push service (a sink
//! on 127.0.0.1), decrypted with the subscriber's key.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, Request, StatusCode};
use axum::routing::post;
use axum::Router;
use machi_data::nursery::Places;
use machi_data::NurseryFeed;
use machi_hub::push::{Push, PushSettings};
use machi_hub::serve::{app, AppState, Paths, Setup};
use machi_hub::testing::{repo, At, CityToml};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt as _;

mod common;
use common::Browser;

/// What the local push service received.
#[derive(Default)]
struct Sink {
    base: String,
    received: Mutex<Vec<Bytes>>,
}

async fn receive(State(sink): State<Arc<Sink>>, body: Bytes) -> StatusCode {
    sink.received.lock().unwrap().push(body);
    StatusCode::CREATED
}

async fn start_sink() -> Arc<Sink> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sink = Arc::new(Sink {
        base: format!("http://{}", listener.local_addr().unwrap()),
        ..Sink::default()
    });
    let router = Router::new()
        .route("/push/{name}", post(receive))
        .with_state(sink.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    sink
}

/// A hub directory: city `t` with the demo's facilities and a directory of vacancy tables
/// holding the demo's two months.
fn hub_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("vacancies");
    std::fs::create_dir_all(&tables).unwrap();
    for month in ["2026-11.csv", "2026-12.csv"] {
        std::fs::copy(
            repo().join("public/demo/nursery/vacancies").join(month),
            tables.join(month),
        )
        .unwrap();
    }
    CityToml::new("t")
        .area("kita", "北地区")
        .source(
            "facilities",
            "nursery-facilities",
            At::path(repo().join("public/demo/nursery/facilities.csv")),
        )
        .source("vacancies", "nursery-vacancies", At::path(&tables))
        .write(&dir.path().join("cities"));
    dir
}

async fn start(dir: &Path) -> AppState {
    let settings = PushSettings {
        database_url: machi_hub::testing::push_store_url(),
        allow_loopback: true,
        subject: "mailto:test@example.com".into(),
        ..PushSettings::default()
    };
    let push = Push::open(&dir.join("state"), settings).unwrap();
    let setup = Setup {
        push: Some(push),
        sources: machi_hub::sources::Sources::open(&dir.join("state")).unwrap(),
        ..Setup::new(Paths {
            cities: dir.join("cities"),
            dist: dir.join("dist"),
        })
        .unwrap()
    };
    AppState::load(setup)
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap()
        .0
}

async fn call(state: &AppState, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let mut request = request;
    let addr: SocketAddr = "198.51.100.7:5000".parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

async fn nursery_feed(state: &AppState) -> NurseryFeed {
    let request = Request::get("/feeds/t/nursery.json")
        .body(Body::empty())
        .unwrap();
    let (status, json) = call(state, request).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    serde_json::from_value(json).unwrap()
}

/// Follows `facility` for `class` through the API, in `language`.
async fn follow(
    state: &AppState,
    browser: &Browser,
    endpoint: &str,
    language: &str,
    facility: &str,
    class: u8,
) -> String {
    let body = serde_json::json!({
        "subscription": browser.subscription(endpoint),
        "city": "t", "area": "kita", "language": language,
        "topics": { "nursery": { "follows": [{ "facility": facility, "class": class }] } },
    });
    let request = Request::post("/api/push/subscriptions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, json) = call(state, request).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(
        json["subscription"]["topics"]["nursery"]["follows"][0]["facility"],
        facility
    );
    json["id"].as_str().unwrap().to_owned()
}

async fn wait_for(sink: &Sink, n: usize) {
    for _ in 0..100 {
        if sink.received.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_place_that_opens_in_a_new_month_is_pushed_once_and_months_survive_restarts() {
    let dir = hub_dir();
    let sink = start_sink().await;
    let state = start(dir.path()).await;

    let feed = nursery_feed(&state).await;
    assert_eq!(feed.facilities.len(), 10);
    let dates: Vec<String> = feed.months.iter().map(|m| m.as_of.to_string()).collect();
    assert_eq!(dates, ["2026-12-01", "2026-11-01"]);
    // The row without a number joined its facility by name (corporate form and spaces aside).
    assert!(feed.unjoined.is_empty(), "{:?}", feed.unjoined);
    let kids = feed.facility("D0008").unwrap();
    assert_eq!(
        feed.months[0].row(kids).unwrap().places_for(0),
        Some(Places::Some)
    );

    // Followers: えきまえひまわり保育園's age 1 class (0 places in December), in English; and
    // きた保育園's age 1 class, whose place opened in December: already published, never pushed.
    let en = Browser::new();
    let ja = Browser::new();
    follow(
        &state,
        &en,
        &format!("{}/push/en", sink.base),
        "en",
        "D0003",
        1,
    )
    .await;
    follow(
        &state,
        &ja,
        &format!("{}/push/ja", sink.base),
        "ja",
        "D0001",
        1,
    )
    .await;
    state.refresh().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received.lock().unwrap().len(), 0);

    // January arrives: えきまえひまわり保育園 has 1 place in the age 1 class.
    std::fs::copy(
        repo().join("public/demo/nursery/next-month/2027-01.csv"),
        dir.path().join("vacancies/2027-01.csv"),
    )
    .unwrap();
    state.refresh().await;
    wait_for(&sink, 1).await;
    let received: Vec<Bytes> = sink.received.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    let payload = en.decrypt(&received[0]);
    assert_eq!(payload.title, "A place opened: えきまえひまわり保育園");
    assert_eq!(
        payload.body,
        "Age 1 class: 1 open (as of Friday, 1 January)"
    );
    assert_eq!(payload.url, "/nursery/D0003");

    // Again, and after a restart: nothing more; every month is still there.
    state.refresh().await;
    drop(state);
    let state = start(dir.path()).await;
    state.refresh().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received.lock().unwrap().len(), 1);
    let feed = nursery_feed(&state).await;
    assert_eq!(feed.months.len(), 3);

    // November's file is removed from the directory: the hub keeps the month it saw.
    std::fs::remove_file(dir.path().join("vacancies/2026-11.csv")).unwrap();
    state.refresh().await;
    let feed = nursery_feed(&state).await;
    let dates: Vec<String> = feed.months.iter().map(|m| m.as_of.to_string()).collect();
    assert_eq!(dates, ["2027-01-01", "2026-12-01", "2026-11-01"]);

    // A broken table: the source is stale with the file and line; the months stay.
    std::fs::write(
        dir.path().join("vacancies/2027-02.csv"),
        "時点,施設番号,施設名,0歳児,1歳児\n2027-02-01,D0001,きた,1,2\n",
    )
    .unwrap();
    state.refresh().await;
    let feed = nursery_feed(&state).await;
    assert_eq!(feed.months.len(), 3);
    let city = state.feeds().city("t").unwrap().clone();
    let source = city.sources.iter().find(|s| s.id == "vacancies").unwrap();
    assert!(source.stale);
    let error = source.last_error.as_deref().unwrap();
    assert!(error.contains("vacancies/2027-02.csv:1"), "{error}");
    assert!(error.contains("not a vacancy table"), "{error}");
}

#[tokio::test]
async fn follows_are_checked_and_shown_back() {
    let dir = hub_dir();
    let state = start(dir.path()).await;
    let b = Browser::new();
    let body = serde_json::json!({
        "subscription": b.subscription("https://fcm.googleapis.com/fcm/send/x"),
        "city": "t", "area": "kita", "language": "ja",
        "topics": { "nursery": { "follows": [{ "facility": "D0001", "class": 6 }] } },
    });
    let request = Request::post("/api/push/subscriptions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, json) = call(&state, request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert_eq!(json["field"], "topics.nursery.follows.class");
    let body = serde_json::json!({
        "subscription": b.subscription("https://fcm.googleapis.com/fcm/send/x"),
        "city": "t", "area": "kita", "language": "ja",
        "topics": { "nursery": { "follows": [{ "facility": "../x", "class": 1 }] } },
    });
    let request = Request::post("/api/push/subscriptions")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, json) = call(&state, request).await;
    assert_eq!(
        json["field"], "topics.nursery.follows.facility",
        "{status} {json}"
    );
}
