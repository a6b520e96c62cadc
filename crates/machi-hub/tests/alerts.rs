//! The alert poller against a local HTTP server (axum on 127.0.0.1:0) serving Atom feeds and
//! real JMA messages from shared/data: conditional requests, one fetch per message across polls,
//! feeds and restarts, bounded concurrency, rejected messages, stale sources; and the demo city's
//! alerts.json.

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing;
use axum::Router;
use machi_hub::fetch::FetchPolicy;
use machi_hub::serve::{app, AppState, Paths, Setup};
use machi_hub::sources::{Sources, MAX_CONCURRENT_FETCHES};
use machi_hub::store::Outcome;
use machi_hub::testing::{repo, shared_data, At, CityToml};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt as _;

/// A file of the real alert data in ../shared/data/alerts.
fn data(file: &str) -> PathBuf {
    shared_data(&format!("alerts/{file}"))
}

/// Real messages served by the test server: (name, file under shared/data/alerts).
const MESSAGES: &[(&str, &str)] = &[
    ("intensity-l", "jma_real/noto_2024-01/IntensityReportL.xml"),
    ("intensity-s", "jma_real/noto_2024-01/IntensityReportS.xml"),
    ("tsunami", "jma_real/noto_2024-01/TsunamiAlarm.xml"),
    ("winfo-l", "jma_real/noto_2024-01/WInfoL.xml"),
    ("winfo-m", "jma_real/noto_2024-01/WInfoM.xml"),
    ("epicentre", "jma_real/noto_2024-01/EpicenterInfo.xml"),
    (
        "tsunami-lifted",
        "jma_real/noto_2024-01/canceledTsunamiAlarm.xml",
    ),
    (
        "shimane-rain",
        "jma_samples/weather/15_17_01_250630_VPWW55.xml",
    ),
];

/// How the feed answers.
#[derive(Clone, Copy, PartialEq)]
enum FeedMode {
    Good,
    Error,
    Malformed,
}

#[derive(Default)]
struct Log {
    /// Requests per message name.
    fetches: BTreeMap<String, usize>,
    /// (path, If-None-Match, If-Modified-Since, status) of every feed request.
    feed_requests: Vec<(String, Option<String>, Option<String>, u16)>,
}

struct Server {
    messages: Mutex<BTreeMap<String, Vec<u8>>>,
    /// Entry names listed by /feed.xml and /feed2.xml.
    listed: Mutex<(Vec<String>, Vec<String>)>,
    mode: Mutex<FeedMode>,
    log: Mutex<Log>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    addr: Mutex<Option<SocketAddr>>,
}

impl Server {
    fn base(&self) -> String {
        format!("http://{}", self.addr.lock().unwrap().unwrap())
    }

    fn fetches(&self, name: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .fetches
            .get(name)
            .copied()
            .unwrap_or(0)
    }

    fn total_fetches(&self) -> usize {
        self.log.lock().unwrap().fetches.values().sum()
    }

    fn feed_xml(&self, names: &[String]) -> String {
        let base = self.base();
        let entries: String = names
            .iter()
            .map(|n| {
                format!(
                    "<entry><title>t</title><id>{base}/msg/{n}</id>\
                     <updated>2024-01-01T16:30:00+09:00</updated><author><name>気象庁</name></author>\
                     <link type=\"application/xml\" href=\"{base}/msg/{n}\"/><content type=\"text\">c</content></entry>"
                )
            })
            .collect();
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\" lang=\"ja\">\
             <title>test</title><updated>2024-01-01T16:30:00+09:00</updated><id>{base}/feed.xml</id>{entries}</feed>"
        )
    }
}

async fn feed(
    State(s): State<Arc<Server>>,
    UrlPath(which): UrlPath<String>,
    h: HeaderMap,
) -> Response {
    let names = {
        let listed = s.listed.lock().unwrap();
        match which.as_str() {
            "feed.xml" => listed.0.clone(),
            "feed2.xml" => listed.1.clone(),
            _ => return StatusCode::NOT_FOUND.into_response(),
        }
    };
    let body = s.feed_xml(&names);
    let etag = format!(
        "\"{}\"",
        machi_hub::document::etag_of(body.as_bytes()).trim_matches('"')
    );
    let inm = h
        .get(header::IF_NONE_MATCH)
        .map(|v| v.to_str().unwrap().to_owned());
    let ims = h
        .get(header::IF_MODIFIED_SINCE)
        .map(|v| v.to_str().unwrap().to_owned());
    let mode = *s.mode.lock().unwrap();
    let (status, response) = match mode {
        FeedMode::Error => (500, StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        FeedMode::Malformed => (
            200,
            (
                StatusCode::OK,
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>",
            )
                .into_response(),
        ),
        FeedMode::Good if inm.as_deref() == Some(etag.as_str()) => {
            (304, StatusCode::NOT_MODIFIED.into_response())
        }
        FeedMode::Good => (
            200,
            (
                [
                    (header::ETAG, etag.clone()),
                    (
                        header::LAST_MODIFIED,
                        "Mon, 01 Jan 2024 07:30:00 GMT".to_owned(),
                    ),
                    (header::CONTENT_TYPE, "application/atom+xml".to_owned()),
                ],
                body,
            )
                .into_response(),
        ),
    };
    s.log
        .lock()
        .unwrap()
        .feed_requests
        .push((which, inm, ims, status));
    response
}

async fn message(State(s): State<Arc<Server>>, UrlPath(name): UrlPath<String>) -> Response {
    let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    s.max_in_flight.fetch_max(now, Ordering::SeqCst);
    *s.log
        .lock()
        .unwrap()
        .fetches
        .entry(name.clone())
        .or_default() += 1;
    // Long enough for the poller's concurrent fetches to overlap.
    tokio::time::sleep(Duration::from_millis(60)).await;
    let body = s.messages.lock().unwrap().get(&name).cloned();
    s.in_flight.fetch_sub(1, Ordering::SeqCst);
    match body {
        Some(b) => ([(header::CONTENT_TYPE, "application/xml")], b).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start_server() -> Arc<Server> {
    let mut messages = BTreeMap::new();
    for (name, file) in MESSAGES {
        let bytes = std::fs::read(data(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        messages.insert((*name).to_owned(), bytes);
    }
    // A broken message: a real 震度速報 without its report time.
    let real = String::from_utf8(messages["intensity-s"].clone()).unwrap();
    let start = real.find("<ReportDateTime>").unwrap();
    let end = real.find("</ReportDateTime>").unwrap() + "</ReportDateTime>".len();
    let broken = format!("{}{}", &real[..start], &real[end..]);
    messages.insert("broken".into(), broken.into_bytes());

    let mut first: Vec<String> = MESSAGES.iter().map(|(n, _)| (*n).to_owned()).collect();
    first.push("broken".into());
    // The second feed repeats two entries of the first: they must not be fetched twice.
    let second = vec!["tsunami".to_owned(), "winfo-m".to_owned()];
    let server = Arc::new(Server {
        messages: Mutex::new(messages),
        listed: Mutex::new((first, second)),
        mode: Mutex::new(FeedMode::Good),
        log: Mutex::new(Log::default()),
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        addr: Mutex::new(None),
    });
    let router = Router::new()
        .route("/msg/{name}", routing::get(message))
        .route("/{which}", routing::get(feed))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    *server.addr.lock().unwrap() = Some(listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    server
}

/// A hub directory: a city polling the test server's two feeds, without a built app.
struct Hub {
    dir: tempfile::TempDir,
}

impl Hub {
    fn new(server: &Server) -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let cities = dir.path().join("cities");
        let base = server.base();
        CityToml::new("nanao")
            .name("七尾市", None)
            .area("all", "全域")
            .alerts(
                &["1720200"],
                &[
                    "170022",
                    "170020",
                    "170000",
                    "tsunami:360",
                    "seismic:390",
                    "seismic-pref:17",
                ],
            )
            .source_with(
                "jma",
                "jma-atom",
                At::Feeds(vec![
                    format!("{base}/feed.xml"),
                    format!("{base}/feed2.xml"),
                ]),
                "licence_url = \"https://www.jma.go.jp/jma/kishou/info/coment.html\"",
            )
            .attributed("気象庁", "Japan Meteorological Agency")
            .write(&cities);
        CityToml::new("plain")
            .name("無警報市", None)
            .area("a", "A")
            .write(&cities);
        Hub { dir }
    }

    /// A fresh hub process over the same directories: a restart.
    async fn start(&self) -> AppState {
        start(self.dir.path(), chrono::Utc::now()).await
    }
}

/// A hub over `{dir}/cities` keeping its state in `{dir}/var`.
async fn start(dir: &Path, started: chrono::DateTime<chrono::Utc>) -> AppState {
    let paths = Paths {
        cities: dir.join("cities"),
        dist: dir.join("dist"),
    };
    let setup = Setup {
        sources: Sources::open_with(&dir.join("var"), FetchPolicy::LOOPBACK_FOR_TESTS).unwrap(),
        started,
        ..Setup::new(paths).unwrap()
    };
    AppState::load(setup)
        .await
        .map_err(|e| format!("{e:?}"))
        .unwrap()
        .0
}

async fn get(state: &AppState, path: &str, inm: Option<&str>) -> Response {
    let mut request = Request::get(path);
    if let Some(tag) = inm {
        request = request.header(header::IF_NONE_MATCH, tag);
    }
    app(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn json(response: Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn source<'a>(city: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    city["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_message_is_fetched_once_across_polls_feeds_and_restarts() {
    let server = start_server().await;
    let hub = Hub::new(&server);
    let state = hub.start().await;
    // Before the first poll, nothing has ever been read: 503, and 404 for a city without alerts.
    assert_eq!(
        get(&state, "/feeds/nanao/alerts.json", None).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let r = get(&state, "/feeds/plain/alerts.json", None).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(r).await["error"], "plain has no alert source");

    state.poll().await;
    for (name, _) in MESSAGES {
        assert_eq!(server.fetches(name), 1, "{name}");
    }
    assert_eq!(server.fetches("broken"), 1);
    let max = server.max_in_flight.load(Ordering::SeqCst);
    assert!(
        (2..=MAX_CONCURRENT_FETCHES).contains(&max),
        "fetched {max} at a time, expected 2..={MAX_CONCURRENT_FETCHES}"
    );

    // Outcomes: kept when it concerns 七尾市, unrelated otherwise, rejected with a named reason.
    let sources = state.sources();
    let base = server.base();
    let outcome = |n: &str| sources.outcome(&format!("{base}/msg/{n}")).unwrap();
    assert_eq!(outcome("winfo-l").0, Outcome::Kept);
    assert_eq!(outcome("tsunami").0, Outcome::Kept);
    assert_eq!(outcome("shimane-rain").0, Outcome::Unrelated);
    let (rejected, reason) = outcome("broken");
    assert_eq!(rejected, Outcome::Rejected);
    let reason = reason.unwrap();
    assert!(reason.contains("Report/Head/ReportDateTime"), "{reason}");
    assert!(reason.contains("/msg/broken"), "{reason}");
    let kept = sources.kept();
    assert!(kept >= 4, "{kept}");

    // The journal and the kept messages are on disk (nothing else: feeds are not kept).
    let store = hub.dir.path().join("var/sources");
    assert!(store.join("journal.json").is_file());
    let stored = std::fs::read_dir(store.join("blobs")).unwrap().count();
    assert_eq!(stored, kept);

    // The feed is published with an ETag and revalidates.
    let r = get(&state, "/feeds/nanao/alerts.json", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()[header::CACHE_CONTROL], "no-cache");
    let etag = r.headers()[header::ETAG].to_str().unwrap().to_owned();
    let feed = json(r).await;
    assert_eq!(feed["area_codes"][0], "1720200");
    assert!(feed["last_success"].is_string());
    assert_eq!(feed["sources"], serde_json::json!(["jma"]));
    assert_eq!(
        get(&state, "/feeds/nanao/alerts.json", Some(&etag))
            .await
            .status(),
        StatusCode::NOT_MODIFIED
    );
    let city = json(get(&state, "/feeds/nanao/city.json", None).await).await;
    let jma = source(&city, "jma");
    assert_eq!(jma["stale"], false);
    assert!(jma["as_of"].is_string());
    assert_eq!(jma["attribution"]["ja"], "気象庁");

    // Second poll: conditional requests, 304s, nothing fetched again.
    let before = server.total_fetches();
    state.poll().await;
    assert_eq!(server.total_fetches(), before);
    {
        let log = server.log.lock().unwrap();
        let last: Vec<_> = log.feed_requests.iter().rev().take(2).collect();
        for (path, inm, ims, status) in last {
            assert!(
                inm.as_deref().is_some_and(|t| t.starts_with('"')),
                "{path}: no If-None-Match"
            );
            assert_eq!(
                ims.as_deref(),
                Some("Mon, 01 Jan 2024 07:30:00 GMT"),
                "{path}"
            );
            assert_eq!(*status, 304, "{path}");
        }
    }

    // Restart: the stored alerts are published before any poll, identically; the next poll is
    // conditional (the validators were stored) and fetches nothing.
    let before_restart = json(get(&state, "/feeds/nanao/alerts.json", None).await).await;
    drop(state);
    let state = hub.start().await;
    assert_eq!(state.sources().kept(), kept);
    let r = get(&state, "/feeds/nanao/alerts.json", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let after = json(r).await;
    assert_eq!(after["in_force"], before_restart["in_force"]);
    assert_eq!(after["history"], before_restart["history"]);
    // The journal is not rewritten for read times alone (store.rs): the restored one may be
    // the first poll's, a little older, until the next poll.
    let time =
        |v: &serde_json::Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    let (after_time, before_time) = (
        time(&after["last_success"]),
        time(&before_restart["last_success"]),
    );
    assert!(after_time <= before_time);
    assert!(before_time - after_time < chrono::Duration::minutes(10));
    state.poll().await;
    assert_eq!(server.total_fetches(), before);
    assert_eq!(
        server.log.lock().unwrap().feed_requests.last().unwrap().3,
        304
    );

    // A new entry is fetched, once; the old ones are not.
    server.messages.lock().unwrap().insert(
        "eew".into(),
        std::fs::read(data("jma_real/20240116184225_02245216_VXSE43.xml")).unwrap(),
    );
    server.listed.lock().unwrap().0.push("eew".into());
    state.poll().await;
    state.poll().await;
    assert_eq!(server.fetches("eew"), 1);
    assert_eq!(server.total_fetches(), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_feed_keeps_the_last_good_alerts_marked_stale() {
    let server = start_server().await;
    let hub = Hub::new(&server);
    let state = hub.start().await;
    state.poll().await;
    let good = json(get(&state, "/feeds/nanao/alerts.json", None).await).await;
    let kept = state.sources().kept();

    for (mode, expected) in [
        (FeedMode::Error, "HTTP 500"),
        (FeedMode::Malformed, "/feed.xml"),
    ] {
        *server.mode.lock().unwrap() = mode;
        state.poll().await;
        let r = get(&state, "/feeds/nanao/alerts.json", None).await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "the last good alerts stay published"
        );
        let kept_feed = json(r).await;
        assert_eq!(kept_feed["history"], good["history"]);
        assert_eq!(kept_feed["in_force"], good["in_force"]);
        assert_eq!(kept_feed["last_success"], good["last_success"]);
        assert_eq!(state.sources().kept(), kept);
        let city = json(get(&state, "/feeds/nanao/city.json", None).await).await;
        let jma = source(&city, "jma");
        assert_eq!(jma["stale"], true);
        let error = jma["last_error"].as_str().unwrap();
        assert!(error.contains("nanao.toml"), "{error}");
        assert!(error.contains("`jma`"), "{error}");
        assert!(error.contains(expected), "{error}");
        assert_eq!(jma["as_of"], good["last_success"]);
    }

    *server.mode.lock().unwrap() = FeedMode::Good;
    state.poll().await;
    let city = json(get(&state, "/feeds/nanao/city.json", None).await).await;
    let jma = source(&city, "jma");
    assert_eq!(jma["stale"], false);
    assert!(jma.get("last_error").is_none());
}

/// The demo city, with its source paths made absolute (tests do not run from the repository root).
fn demo_hub() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cities")).unwrap();
    let repo = repo().canonicalize().unwrap();
    let text = std::fs::read_to_string(repo.join("cities/demo.toml"))
        .unwrap()
        .replace("path = \"", &format!("path = \"{}/", repo.display()));
    std::fs::write(dir.path().join("cities/demo.toml"), text).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_city_shows_its_heavy_rain_warning_earthquake_and_shelters() {
    let dir = demo_hub();
    let started = chrono::Utc::now();
    let state = start(dir.path(), started).await;
    state.poll().await;

    let r = get(&state, "/feeds/demo/alerts.json", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let feed = json(r).await;
    let parsed: machi_data::AlertsFeed =
        machi_data::feed::parse_feed(&feed.to_string()).expect("the contract reads it");

    // In force: the レベル３大雨警報 for まち市, replayed as just issued.
    assert_eq!(parsed.in_force.len(), 1, "{feed:#}");
    let rain = &parsed.in_force[0];
    assert_eq!(rain.kind_name, "レベル３大雨警報");
    assert_eq!(rain.kind_code, "03");
    assert_eq!(rain.level, Some(3));
    assert_eq!(rain.areas, [machi_data::alerts::AreaCode::new("9920100")]);
    let age = started - rain.issued_at.with_timezone(&chrono::Utc);
    assert!(
        (0..=60).contains(&age.num_seconds()),
        "issued {age} before start"
    );
    let shift = parsed
        .demo_time_shift_secs
        .expect("the demo says it is shifted");
    assert!(shift > 0);

    // History: the warning, then the earthquake with 震度4 at まち市 five hours earlier.
    let quake = parsed
        .history
        .iter()
        .find(|a| a.kind_code == "hypocentre_intensity_report")
        .expect("the earthquake is in the 72-hour history");
    let eq = quake.earthquake.as_ref().unwrap();
    assert_eq!(eq.max_intensity.map(|i| i.token()), Some("4"));
    assert_eq!(
        eq.intensities.len(),
        3,
        "only the city's codes: {:?}",
        eq.intensities
    );
    assert!(eq
        .intensities
        .iter()
        .all(|i| i.max_intensity.token() == "4"));
    assert_eq!(eq.hypocentre.as_ref().unwrap().name, "デモ県沖");
    assert_eq!(
        (rain.issued_at - quake.issued_at).num_minutes(),
        4 * 60 + 49,
        "the recorded spacing is kept"
    );
    assert_eq!(parsed.history[0].id, rain.id, "newest first");

    assert_eq!(parsed.shelters.len(), 5);
    assert!(parsed.last_success.is_some());
    assert_eq!(parsed.area_codes[0].as_str(), "9920100");

    let city = json(get(&state, "/feeds/demo/city.json", None).await).await;
    for id in ["alerts", "shelters"] {
        let s = source(&city, id);
        assert_eq!(s["stale"], false, "{s}");
        assert!(s["as_of"].is_string(), "{s}");
        assert_eq!(s["attribution"]["ja"], "Machi プロジェクト");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cap_directory_is_read_once_per_document_and_matched_by_geocode() {
    let dir = tempfile::tempdir().unwrap();
    let text = CityToml::new("la")
        .name("ロサンゼルス郡", Some("Los Angeles County"))
        .area("all", "全域")
        .alerts(&[], &["SAME:006037"])
        .source("cap", "cap", At::path(data("cap")))
        .build()
        .replace("Asia/Tokyo", "America/Los_Angeles");
    std::fs::create_dir_all(dir.path().join("cities")).unwrap();
    std::fs::write(dir.path().join("cities/la.toml"), text).unwrap();
    let state = start(dir.path(), chrono::Utc::now()).await;
    state.poll().await;
    let alerts = state.sources();
    let id = |file: &str| {
        use sha2::Digest as _;
        let bytes = std::fs::read(data("cap").join(file)).unwrap();
        let hex: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("cap:{hex}")
    };
    assert_eq!(
        alerts.outcome(&id("v1dot2_appendix_adot4.xml")).unwrap().0,
        Outcome::Kept
    );
    assert_eq!(
        alerts
            .outcome(&id("ibm_cap_amber_alert_example.xml"))
            .unwrap()
            .0,
        Outcome::Kept
    );
    assert_eq!(
        alerts.outcome(&id("v1dot2_appendix_adot1.xml")).unwrap().0,
        Outcome::Unrelated
    );
    assert_eq!(alerts.kept(), 2);
    state.poll().await;
    assert_eq!(alerts.kept(), 2);
    let city = json(get(&state, "/feeds/la/city.json", None).await).await;
    let cap = source(&city, "cap");
    assert_eq!(cap["stale"], false, "{cap}");
    assert!(cap["as_of"].is_string());
    let feed = json(get(&state, "/feeds/la/alerts.json", None).await).await;
    assert_eq!(feed["area_codes"], serde_json::json!(["SAME:006037"]));
}
