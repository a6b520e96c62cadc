//! Meetings through the hub: the demo city's sources in, `meetings.json` and the iCalendar feeds
//! out (the calendars checked by an independent parser, the `icalendar` crate); a city's meeting
//! file changing (moved, cancelled, no longer listed, a new meeting) and the pushes that follow
//! to those who follow the body, decrypted with their key; the deadline reminder; a restart that
//! sends nothing twice; a broken file that keeps the last good meetings, stale, with its place.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use chrono::{NaiveDate, TimeZone as _, Utc};
use icalendar::{Calendar, CalendarComponent, Component as _};
use machi_data::feed::parse_feed;
use machi_data::MeetingsFeed;
use machi_hub::push::{Payload, Push, PushSettings};
use machi_hub::serve::{app, AppState, Paths, Setup};
use machi_hub::testing::{repo, At, CityToml};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt as _;

mod common;
use common::Browser;

// ---------------------------------------------------------------------------------------------
// A push service on 127.0.0.1 that keeps every request, and a browser's keys to read them.

#[derive(Default)]
struct Sink {
    base: String,
    received: Mutex<Vec<Bytes>>,
}

async fn start_sink() -> Arc<Sink> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sink = Arc::new(Sink {
        base: format!("http://{addr}"),
        ..Sink::default()
    });
    let router = Router::new()
        .route(
            "/push/{name}",
            post(|State(s): State<Arc<Sink>>, body: Bytes| async move {
                s.received.lock().unwrap().push(body);
                StatusCode::CREATED.into_response()
            }),
        )
        .with_state(sink.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    sink
}

// ---------------------------------------------------------------------------------------------
// A hub over a city whose meeting file the test edits.

const HEADER: &str =
    "会議体,会議名,開催日,開始時刻,終了時刻,場所,傍聴,傍聴定員,申込方法,申込締切,状態,ID\n";

/// A day `n` days from today in Tokyo (meetings must be within the feed's window around now).
fn day(n: i64) -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive()
        + chrono::Duration::days(n)
}

/// A row of a meeting on day `n`; every deadline to apply is day 40.
fn row(id: &str, body: &str, n: i64, start: &str, place: &str, status: &str) -> String {
    let (date, deadline) = (day(n), day(40));
    format!(
        "{body},第1回 {body},{date},{start},16:00,{place},可,10,電話で,{deadline},{status},{id}\n"
    )
}

/// "Wednesday, 16 January" and "1月16日（水）", as the catalogue writes dates.
fn long(lang: &str, n: i64) -> String {
    machi_i18n::long_date(machi_i18n::Lang::from_code(lang).unwrap(), day(n))
}

fn city(dir: &Path, csv: &str) {
    std::fs::write(dir.join("meetings.csv"), csv).unwrap();
    CityToml::new("test")
        .name("テスト市", Some("Test City"))
        .area("kita", "北")
        .source(
            "meetings",
            "meetings-csv",
            At::path(dir.join("meetings.csv")),
        )
        .write(&dir.join("cities"));
}

async fn start(dir: &Path) -> AppState {
    let push = Push::open(
        &dir.join("state"),
        PushSettings {
            database_url: machi_hub::testing::push_store_url(),
            allow_loopback: true,
            ..PushSettings::default()
        },
    )
    .unwrap();
    let setup = Setup {
        push: Some(push),
        ..Setup::new(Paths {
            cities: dir.join("cities"),
            dist: dir.join("dist"),
        })
        .unwrap()
    };
    AppState::load(setup).await.unwrap().0
}

async fn get(state: &AppState, path: &str) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::get(path)
        .header(header::HOST, "machi.example")
        .body(Body::empty())
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo("198.51.100.7:1".parse::<SocketAddr>().unwrap()));
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

async fn feed(state: &AppState) -> MeetingsFeed {
    let (status, _, body) = get(state, "/feeds/test/meetings.json").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    parse_feed(&body).unwrap()
}

/// The events of a calendar, as an independent parser reads them.
fn events(ics: &str) -> Vec<icalendar::Event> {
    let calendar: Calendar = ics.parse().unwrap_or_else(|e| panic!("{e}\n{ics}"));
    calendar
        .components
        .into_iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_demo_city_s_meetings_and_calendars() {
    let dir = tempfile::tempdir().unwrap();
    let state = start_demo(dir.path()).await;
    let (status, _, body) = get(&state, "/feeds/demo/meetings.json").await;
    assert_eq!(status, StatusCode::OK);
    let feed: MeetingsFeed = parse_feed(&body).unwrap();
    assert!(feed.bodies.len() >= 7, "{:?}", feed.bodies);
    assert!(feed.meetings.len() > 20);
    assert_eq!(feed.sources, ["meetings", "council", "news"]);
    assert_eq!(feed.notices.len(), 2);
    // The demo is moved by whole weeks: weekdays stay.
    let shift = feed.demo_time_shift_secs.unwrap_or(0);
    assert_eq!(shift % (7 * 86_400), 0);

    // Every language's calendar of the whole city parses, with one event per meeting, unique
    // UIDs, a URL (the meeting's page here) and the cancelled one cancelled.
    for lang in ["ja", "en", "ja-x-easy"] {
        let (status, headers, ics) = get(&state, &format!("/feeds/demo/meetings.{lang}.ics")).await;
        assert_eq!(status, StatusCode::OK, "{ics}");
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "text/calendar; charset=utf-8"
        );
        assert!(!ics.contains('[') || !ics.contains('|'), "ruby in {lang}");
        let events = events(&ics);
        assert_eq!(events.len(), feed.meetings.len(), "{lang}");
        let uids: std::collections::BTreeSet<_> = events.iter().map(|e| e.get_uid()).collect();
        assert_eq!(uids.len(), events.len());
        for (e, m) in events.iter().zip(&feed.meetings) {
            assert_eq!(
                e.get_url(),
                Some(format!("https://machi.example/meetings/{}", m.id).as_str())
            );
            let cancelled = e.get_status() == Some(icalendar::EventStatus::Cancelled);
            assert_eq!(
                cancelled,
                m.status == machi_data::meetings::MeetingStatus::Cancelled
            );
            assert_eq!(e.get_sequence(), Some(m.sequence));
        }
        assert_eq!(
            events
                .iter()
                .filter(|e| e.get_status() == Some(icalendar::EventStatus::Cancelled))
                .count(),
            1
        );
    }
    // A body's calendar has only its meetings; one meeting's, that one.
    let plenary = feed
        .bodies
        .iter()
        .find(|b| b.name == "まち市議会 本会議")
        .unwrap();
    let (_, _, ics) = get(
        &state,
        &format!("/feeds/demo/meetings/{}.en.ics", plenary.id),
    )
    .await;
    let body_events = events(&ics);
    assert_eq!(
        body_events.len(),
        feed.meetings
            .iter()
            .filter(|m| m.body == plenary.id)
            .count()
    );
    assert!(body_events
        .iter()
        .all(|e| e.get_summary().is_some_and(|s| s.contains("本会議"))));
    let moved = feed
        .meetings
        .iter()
        .find(|m| m.moved_from.is_some())
        .unwrap();
    let (_, etag, ics) = get(&state, &format!("/feeds/demo/meeting/{}.en.ics", moved.id)).await;
    let one = events(&ics);
    assert_eq!(one.len(), 1);
    let description = one[0].get_description().unwrap();
    assert!(description.contains("Was: "), "{description}");
    assert!(
        description.contains("How to attend: Open to the public"),
        "{description}"
    );
    assert!(one[0].get_summary().unwrap().starts_with("Changed: "));
    assert!(etag.contains_key(header::ETAG));

    // What is not there is a 404 naming it.
    for path in [
        "/feeds/demo/meetings.xx.ics",
        "/feeds/demo/meetings/b-nope.ja.ics",
        "/feeds/demo/meeting/m-nope.ja.ics",
        "/feeds/demo/garbage/nowhere.ja.ics",
    ] {
        let (status, _, body) = get(&state, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }

    // The garbage calendar of an area, with a reminder the evening before at 19:00.
    let (status, _, ics) = get(&state, "/feeds/demo/garbage/kita.en.ics?remind=19").await;
    assert_eq!(status, StatusCode::OK);
    let days = events(&ics);
    assert!(days.len() > 100, "a year of collection days");
    assert!(ics.contains("TRIGGER:-PT5H"));
    assert!(ics.contains("DESCRIPTION:Tomorrow: "));
    let (_, _, plain) = get(&state, "/feeds/demo/garbage/kita.ja.ics").await;
    assert!(!plain.contains("VALARM"));
}

async fn start_demo(dir: &Path) -> AppState {
    // The demo's city file reads its sources by paths relative to the repository.
    std::env::set_current_dir(repo()).unwrap();
    let cities = dir.join("cities");
    std::fs::create_dir_all(&cities).unwrap();
    std::fs::copy(repo().join("cities/demo.toml"), cities.join("demo.toml")).unwrap();
    start(dir).await
}

#[tokio::test]
async fn a_changed_file_is_pushed_to_followers_once_with_date_time_and_place() {
    let dir = tempfile::tempdir().unwrap();
    let a = row("a", "都市計画審議会", 45, "14:00", "市役所3階", "");
    let b = row("b", "環境審議会", 50, "10:00", "市民会館", "");
    city(dir.path(), &format!("{HEADER}{a}{b}"));
    let state = start(dir.path()).await;
    let feed = feed(&state).await;
    let plan = feed
        .bodies
        .iter()
        .find(|x| x.name == "都市計画審議会")
        .unwrap()
        .id
        .clone();
    let env = feed
        .bodies
        .iter()
        .find(|x| x.name == "環境審議会")
        .unwrap()
        .id
        .clone();

    // Two residents: one follows 都市計画審議会 (in English), one 環境審議会.
    let sink = start_sink().await;
    let (plan_fan, env_fan) = (Browser::new(), Browser::new());
    for (browser, name, body, lang) in [(&plan_fan, "p", &plan, "en"), (&env_fan, "e", &env, "ja")]
    {
        let request = serde_json::json!({
            "subscription": browser.subscription(&format!("{}/push/{name}", sink.base)),
            "city": "test", "area": "kita", "language": lang,
            "topics": { "meetings": { "bodies": [body] } },
        });
        let mut r = Request::post("/api/push/subscriptions")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(request.to_string()))
            .unwrap();
        r.extensions_mut()
            .insert(ConnectInfo("198.51.100.7:1".parse::<SocketAddr>().unwrap()));
        let response = app(state.clone()).oneshot(r).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }

    // The first reading was taken in silently; now the 都市計画審議会 moves a day and a hall,
    // and a new 環境審議会 meeting is announced.
    let moved = row(
        "a",
        "都市計画審議会",
        46,
        "13:00",
        "市民会館 大ホール",
        "変更",
    );
    let c = row("c", "環境審議会", 80, "10:00", "市民会館", "");
    city(dir.path(), &format!("{HEADER}{moved}{b}{c}"));
    state.refresh().await;
    let received = wait_for(&sink, 2).await;
    let mut payloads: Vec<Payload> = received
        .iter()
        .map(|body| {
            plan_fan
                .decrypt_or(body)
                .or_else(|| env_fan.decrypt_or(body))
                .unwrap()
        })
        .collect();
    payloads.sort_by(|x, y| x.title.cmp(&y.title));
    assert_eq!(payloads[0].title, "Changed: 都市計画審議会");
    assert_eq!(
        payloads[0].body,
        format!(
            "{}, 13:00–16:00, 市民会館 大ホール — 第1回 都市計画審議会 (Was: {}, 14:00)",
            long("en", 46),
            long("en", 45)
        )
    );
    assert!(payloads[0].url.starts_with("/meetings/m-"));
    assert_eq!(payloads[1].title, "新しい会議：環境審議会");
    assert_eq!(
        payloads[1].body,
        format!(
            "{} 10:00〜16:00・市民会館　第1回 環境審議会",
            long("ja", 80)
        )
    );

    // The calendar has the new version.
    let feed = self::feed(&state).await;
    let m = feed.meetings.iter().find(|m| m.body == plan).unwrap();
    assert_eq!(m.sequence, 1);
    let (_, _, ics) = get(&state, "/feeds/test/meetings.en.ics").await;
    let e = events(&ics)
        .into_iter()
        .find(|e| e.get_uid() == Some(&format!("{}.test@machi", m.id)))
        .unwrap();
    assert_eq!(e.get_sequence(), Some(1));

    // Cancelled, and the 環境審議会 of February no longer listed: both told, each once.
    let cancelled = row(
        "a",
        "都市計画審議会",
        46,
        "13:00",
        "市民会館 大ホール",
        "中止",
    );
    city(dir.path(), &format!("{HEADER}{cancelled}{b}"));
    state.refresh().await;
    let received = wait_for(&sink, 4).await;
    let titles: Vec<String> = received[2..]
        .iter()
        .map(|b| {
            plan_fan
                .decrypt_or(b)
                .or_else(|| env_fan.decrypt_or(b))
                .unwrap()
                .title
        })
        .collect();
    assert!(
        titles.contains(&"Cancelled: 都市計画審議会".to_owned()),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"掲載終了：環境審議会".to_owned()),
        "{titles:?}"
    );
    let feed = self::feed(&state).await;
    let withdrawn: Vec<_> = feed
        .meetings
        .iter()
        .filter(|m| m.status == machi_data::meetings::MeetingStatus::Withdrawn)
        .collect();
    assert_eq!(withdrawn.len(), 1, "kept and shown, not dropped");
    let (_, _, ics) = get(&state, "/feeds/test/meetings.ja.ics").await;
    assert_eq!(
        events(&ics)
            .iter()
            .filter(|e| e.get_status() == Some(icalendar::EventStatus::Cancelled))
            .count(),
        1
    );

    // A restart reads the same file: nothing is sent again.
    drop(state);
    let state = start(dir.path()).await;
    state.refresh().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.received.lock().unwrap().len(), 4);

    // The day before the deadline to apply (day 40), from 9:00 in Tokyo.
    let eve = day(39);
    let tokyo = chrono_tz::Asia::Tokyo;
    let at = |h: u32, m: u32| {
        tokyo
            .from_local_datetime(&eve.and_hms_opt(h, m, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    state.push_tick(at(8, 59)).await;
    assert_eq!(sink.received.lock().unwrap().len(), 4);
    let at = at(9, 0);
    let report = state.push_tick(at).await;
    assert_eq!(report.sent, 1, "{report:?}");
    let last = sink.received.lock().unwrap().last().cloned().unwrap();
    let p = env_fan.decrypt(&last);
    assert_eq!(p.title, "傍聴の申込みは明日まで：環境審議会");
    assert!(
        p.body
            .starts_with(&format!("{} 10:00〜16:00・市民会館", long("ja", 50))),
        "{}",
        p.body
    );
    assert_eq!(state.push_tick(at).await.sent, 0, "once");
}

async fn wait_for(sink: &Sink, n: usize) -> Vec<Bytes> {
    for _ in 0..100 {
        if sink.received.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = sink.received.lock().unwrap().clone();
    assert_eq!(got.len(), n, "pushes received");
    got
}

#[tokio::test]
async fn a_broken_file_keeps_the_last_good_meetings_stale_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let a = row("a", "都市計画審議会", 45, "14:00", "市役所3階", "");
    city(dir.path(), &format!("{HEADER}{a}"));
    let state = start(dir.path()).await;
    assert_eq!(feed(&state).await.meetings.len(), 1);
    std::fs::write(dir.path().join("meetings.csv"), "会議名,日\n\"unclosed\n").unwrap();
    state.refresh().await;
    assert_eq!(
        feed(&state).await.meetings.len(),
        1,
        "the last good meetings stay"
    );
    let (_, _, city) = get(&state, "/feeds/test/city.json").await;
    let city: machi_data::CityFeed = parse_feed(&city).unwrap();
    let source = &city.sources[0];
    assert!(source.stale);
    let error = source.last_error.as_deref().unwrap();
    assert!(error.contains("meetings.csv:1"), "{error}");
    assert!(error.contains("no 会議体 column"), "{error}");

    // A hostile calendar (an hourly rule forever) is refused by name, line and column.
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20300101T100000\r\nRRULE:FREQ=HOURLY\r\nSUMMARY:委員会\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    std::fs::write(dir.path().join("council.ics"), ics).unwrap();
    CityToml::new("test")
        .area("kita", "北")
        .source(
            "council",
            "meetings-ical",
            At::path(dir.path().join("council.ics")),
        )
        .write(&dir.path().join("cities"));
    state.refresh().await;
    let (_, _, city) = get(&state, "/feeds/test/city.json").await;
    let city: machi_data::CityFeed = parse_feed(&city).unwrap();
    let error = city.sources[0].last_error.clone().unwrap();
    assert!(
        error.contains("council.ics:5:7: RRULE: FREQ=HOURLY"),
        "{error}"
    );
}
