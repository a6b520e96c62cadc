//! The pipeline's steps on URL sources: conditional fetches, a new set only when every document
//! arrived and parsed, errors naming the URL, and the store surviving a restart. (The garbage
//! kinds serve as the example; alert messages are tested in `tests/alerts.rs`.)

use super::*;
use crate::testing::{shared_data, At, CityToml, FileServer, Pipeline, LAST_MODIFIED};
use machi_data::feed::FeedPath;

fn shared(dir: &str) -> std::path::PathBuf {
    shared_data(&format!("garbage/{dir}"))
}

/// The real files of a shared 5374 directory, under the URL path `/{dir}/`.
fn shared_5374(dir: &str) -> Vec<(String, Vec<u8>)> {
    ["area_days.csv"]
        .into_iter()
        .chain(garbage::OPTIONAL_5374)
        .map(|name| {
            let bytes = std::fs::read(shared(dir).join(name)).unwrap();
            (format!("/{dir}/{name}"), bytes)
        })
        .collect()
}

fn url_city(kind: &str, url: &str) -> String {
    CityToml::new("test")
        .source("garbage", kind, At::Url(url.to_owned()))
        .build()
}

/// The feeds of the same source read from its path.
async fn from_path(kind: &str, path: &Path) -> Pipeline {
    let text = CityToml::new("test")
        .source("garbage", kind, At::path(path))
        .build();
    let mut pipeline = Pipeline::new(&text);
    pipeline.poll(Which::All).await;
    pipeline
}

#[tokio::test]
async fn a_url_5374_source_is_its_path_calendar_read_conditionally() {
    let server = FileServer::start(shared_5374("kanazawa")).await;
    let url = format!("{}/kanazawa/", server.origin);
    let mut pipeline = Pipeline::new(&url_city("garbage-5374", &url));
    pipeline.poll(Which::All).await;

    let info = pipeline.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    assert_eq!(info.url.as_deref(), Some(url.as_str()));
    // As of the files' Last-Modified.
    assert_eq!(
        info.as_of.unwrap(),
        DateTime::parse_from_rfc2822(LAST_MODIFIED).unwrap()
    );
    let expected = from_path("garbage-5374", &shared("kanazawa")).await;
    let calendar = &pipeline.feeds.garbage("test").unwrap().calendar;
    assert!(calendar.areas.len() > 10, "{}", calendar.areas.len());
    assert_eq!(calendar, &expected.feeds.garbage("test").unwrap().calendar);
    assert_eq!(
        pipeline.feeds.city("test").unwrap().areas,
        expected.feeds.city("test").unwrap().areas
    );
    let first = server.requests();
    assert_eq!(first.len(), 5, "{first:?}");
    assert!(first
        .iter()
        .all(|(_, conditional, status)| !conditional && *status == 200));

    // Nothing changed: every file is asked for conditionally, nothing is sent or parsed.
    let doc = pipeline
        .feeds
        .document(&FeedPath::Garbage("test".into()))
        .unwrap()
        .clone();
    for _ in 0..2 {
        pipeline.poll(Which::All).await;
        let requests = server.requests();
        assert_eq!(requests.len(), 5, "{requests:?}");
        assert!(
            requests.iter().all(|(_, c, status)| *c && *status == 304),
            "{requests:?}"
        );
    }
    assert_eq!(pipeline.parses("garbage"), 1);
    assert_eq!(
        pipeline.feeds.document(&FeedPath::Garbage("test".into())),
        Ok(&doc)
    );
    assert!(!pipeline.source("garbage").stale);
    server.stop().await;
}

#[tokio::test]
async fn a_url_source_waits_for_its_own_schedule() {
    let server = FileServer::start(shared_5374("kanazawa")).await;
    let url = format!("{}/kanazawa/", server.origin);
    let mut pipeline = Pipeline::new(&url_city("garbage-5374", &url));
    let tick = std::time::Duration::from_secs(1);
    let now = Utc::now();
    pipeline.poll(Which::Due { now, tick }).await;
    assert_eq!(server.requests().len(), 5);
    // A garbage calendar is read every 15 minutes, not at every tick.
    let soon = now + Duration::seconds(60);
    pipeline.poll(Which::Due { now: soon, tick }).await;
    assert!(server.requests().is_empty());
    let later = now + Duration::minutes(15);
    pipeline.poll(Which::Due { now: later, tick }).await;
    assert_eq!(server.requests().len(), 5);
    server.stop().await;
}

#[tokio::test]
async fn a_shift_jis_directory_without_a_trailing_slash_reads_the_same() {
    let files = shared_5374("kanazawa")
        .into_iter()
        .map(|(path, bytes)| {
            let text = String::from_utf8(bytes).unwrap();
            let (sjis, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
            assert!(!unmappable, "{path}");
            (path, sjis.into_owned())
        })
        .collect();
    let server = FileServer::start(files).await;
    let url = format!("{}/kanazawa", server.origin);
    let mut pipeline = Pipeline::new(&url_city("garbage-5374", &url));
    pipeline.poll(Which::All).await;
    let info = pipeline.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    let expected = from_path("garbage-5374", &shared("kanazawa")).await;
    assert_eq!(
        pipeline.feeds.garbage("test").unwrap().calendar,
        expected.feeds.garbage("test").unwrap().calendar
    );
    server.stop().await;
}

#[tokio::test]
async fn area_csv_is_read_when_there_is_no_area_days_csv() {
    let files = shared_5374("kanazawa")
        .into_iter()
        .map(|(path, bytes)| (path.replace("area_days.csv", "area.csv"), bytes))
        .filter(|(path, _)| !path.ends_with("remarks.csv"))
        .collect();
    let server = FileServer::start(files).await;
    let url = format!("{}/kanazawa/", server.origin);
    let mut pipeline = Pipeline::new(&url_city("garbage-5374", &url));
    pipeline.poll(Which::All).await;
    let info = pipeline.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    let expected = from_path("garbage-5374", &shared("kanazawa")).await;
    assert_eq!(
        pipeline.feeds.garbage("test").unwrap().calendar.areas,
        expected.feeds.garbage("test").unwrap().calendar.areas
    );
    let mut requests: Vec<_> = server
        .requests()
        .into_iter()
        .map(|(p, _, s)| (p, s))
        .collect();
    requests.sort();
    let expected: Vec<(String, u16)> = [
        ("area.csv", 200),
        ("area_days.csv", 404),
        ("center.csv", 200),
        ("description.csv", 200),
        ("remarks.csv", 404),
        ("target.csv", 200),
    ]
    .iter()
    .map(|(n, s)| (format!("/kanazawa/{n}"), *s))
    .collect();
    assert_eq!(requests, expected);

    // Neither: an error naming the base URL.
    server.served().files.clear();
    let mut fresh = Pipeline::new(&url_city("garbage-5374", &url));
    fresh.poll(Which::All).await;
    let error = fresh.source("garbage").last_error.unwrap();
    assert!(
        error.contains("no area_days.csv (or area.csv) at http://"),
        "{error}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_url_file_that_turns_malformed_keeps_the_last_good_calendar() {
    let server = FileServer::start(shared_5374("kanazawa")).await;
    let url = format!("{}/kanazawa/", server.origin);
    let text = url_city("garbage-5374", &url);
    let mut pipeline = Pipeline::new(&text);
    pipeline.poll(Which::All).await;
    let good = pipeline.feeds.clone();
    let good_info = pipeline.source("garbage");
    assert!(!good_info.stale);

    let area_days = "/kanazawa/area_days.csv".to_owned();
    let original = server.served().files[&area_days].clone();
    let header = String::from_utf8(original.clone()).unwrap();
    let header = header.lines().next().unwrap().to_owned();
    let bad_bytes = format!("{header}\n浅野川,東部管理センター\n").into_bytes();
    server.served().files.insert(area_days.clone(), bad_bytes);
    pipeline.poll(Which::All).await;
    let info = pipeline.source("garbage");
    assert!(info.stale);
    let error = info.last_error.as_deref().unwrap();
    assert!(
        error.contains("cities/test.toml: source `garbage`"),
        "{error}"
    );
    assert!(error.contains(&format!("{url}area_days.csv:2")), "{error}");
    assert_eq!(info.as_of, good_info.as_of);
    let good_doc = good.document(&FeedPath::Garbage("test".into()));
    assert_eq!(
        pipeline.feeds.document(&FeedPath::Garbage("test".into())),
        good_doc
    );
    assert_eq!(
        pipeline.feeds.city("test").unwrap().areas,
        good.city("test").unwrap().areas
    );
    // The bad file is neither downloaded nor parsed again while it stays the same.
    server.requests();
    pipeline.poll(Which::All).await;
    assert!(server.requests().iter().all(|(_, _, s)| *s == 304));
    assert_eq!(pipeline.parses("garbage"), 2);
    assert!(pipeline.source("garbage").stale);

    // A bad cell is named by URL, line and column (a warning turned error by `strict`).
    let strict = CityToml::new("test")
        .source_with(
            "garbage",
            "garbage-5374",
            At::Url(url.clone()),
            "strict = true",
        )
        .build();
    pipeline.set(&strict);
    let good_line = "浅野川,東部管理センター,月 木,水4,火1 火3 火5,水2";
    let bad_cell = format!("{header}\n{}\n", good_line.replace("水4", "水9"));
    server
        .served()
        .files
        .insert(area_days.clone(), bad_cell.into_bytes());
    pipeline.poll(Which::All).await;
    let error = pipeline.source("garbage").last_error.unwrap();
    assert!(
        error.contains(&format!("{url}area_days.csv:2: column 4 (燃やさないごみ)")),
        "{error}"
    );
    assert_eq!(
        pipeline.feeds.document(&FeedPath::Garbage("test".into())),
        good_doc
    );

    // Fixed: fresh again.
    pipeline.set(&text);
    server.served().files.insert(area_days, original);
    pipeline.poll(Which::All).await;
    let info = pipeline.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    assert_eq!(
        pipeline.feeds.garbage("test").unwrap().calendar,
        good.garbage("test").unwrap().calendar
    );
    server.stop().await;
}

#[tokio::test]
async fn a_server_error_keeps_the_last_good_copy() {
    let server = FileServer::start(shared_5374("kanazawa")).await;
    let url = format!("{}/kanazawa/", server.origin);
    let mut pipeline = Pipeline::new(&url_city("garbage-5374", &url));
    pipeline.poll(Which::All).await;
    let good = pipeline.feeds.clone();
    let good_info = pipeline.source("garbage");
    assert!(!good_info.stale);

    // A new area_days.csv, but target.csv fails: the new file is not taken either.
    let area_days = "/kanazawa/area_days.csv".to_owned();
    let mut changed = server.served().files[&area_days].clone();
    changed.extend_from_slice("\n".as_bytes());
    server.served().files.insert(area_days, changed);
    server
        .served()
        .failing
        .insert("/kanazawa/target.csv".to_owned());
    pipeline.poll(Which::All).await;
    let info = pipeline.source("garbage");
    assert!(info.stale);
    let error = info.last_error.unwrap();
    assert!(
        error.contains(&format!("{url}target.csv: HTTP 500")),
        "{error}"
    );
    assert_eq!(info.as_of, good_info.as_of);
    assert_eq!(
        pipeline.feeds.document(&FeedPath::Garbage("test".into())),
        good.document(&FeedPath::Garbage("test".into()))
    );
    assert_eq!(pipeline.parses("garbage"), 1);

    server.served().failing.clear();
    pipeline.poll(Which::All).await;
    let info = pipeline.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    assert_eq!(pipeline.parses("garbage"), 2);
    server.stop().await;
}

#[tokio::test]
async fn an_oversized_download_is_refused_by_url() {
    let mut files = shared_5374("kanazawa");
    files[2].1 = vec![b'a'; fetch::MAX_BYTES as usize + 1];
    let server = FileServer::start(files).await;
    let url = format!("{}/kanazawa/", server.origin);
    let mut pipeline = Pipeline::new(&url_city("garbage-5374", &url));
    pipeline.poll(Which::All).await;
    let error = pipeline.source("garbage").last_error.unwrap();
    assert!(
        error.contains(&format!("{url}target.csv: larger than the limit")),
        "{error}"
    );
    assert!(pipeline.feeds.garbage("test").is_none());
    server.stop().await;
}

#[tokio::test]
async fn a_url_ics_source_is_its_path_calendar() {
    let name = "R5calendar_akitsu.ics";
    let bytes = std::fs::read(shared("narashino_ics").join(name)).unwrap();
    let server = FileServer::start(vec![(format!("/ics/{name}"), bytes)]).await;
    let url = format!("{}/ics/{name}", server.origin);
    let mut pipeline = Pipeline::new(&url_city("garbage-ical", &url));
    pipeline.poll(Which::All).await;
    let info = pipeline.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    let expected = from_path("garbage-ical", &shared("narashino_ics").join(name)).await;
    assert_eq!(
        pipeline.feeds.garbage("test").unwrap().calendar,
        expected.feeds.garbage("test").unwrap().calendar
    );
    let city = pipeline.feeds.city("test").unwrap();
    assert_eq!(city.areas[0].name.original(), Some("R5calendar_akitsu"));
    let good_doc = pipeline
        .feeds
        .document(&FeedPath::Garbage("test".into()))
        .unwrap()
        .clone();
    pipeline.poll(Which::All).await;
    assert_eq!(server.requests().last().unwrap().2, 304);
    assert_eq!(pipeline.parses("garbage"), 1);

    // A malformed calendar names its URL and line.
    server.served().files.insert(
        format!("/ics/{name}"),
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n".to_vec(),
    );
    pipeline.poll(Which::All).await;
    let error = pipeline.source("garbage").last_error.unwrap();
    assert!(error.contains(&format!("{url}:")), "{error}");
    assert_eq!(
        pipeline.feeds.document(&FeedPath::Garbage("test".into())),
        Ok(&good_doc)
    );

    // A missing one is an error too.
    let missing = url_city("garbage-ical", &format!("{}/ics/none.ics", server.origin));
    let mut pipeline = Pipeline::new(&missing);
    pipeline.poll(Which::All).await;
    let error = pipeline.source("garbage").last_error.unwrap();
    assert!(error.contains("/ics/none.ics: HTTP 404"), "{error}");
    server.stop().await;
}

#[tokio::test]
async fn the_last_good_files_survive_a_restart_without_network() {
    let state_dir = tempfile::tempdir().unwrap();
    let server = FileServer::start(shared_5374("kanazawa")).await;
    let url = format!("{}/kanazawa/", server.origin);
    let text = url_city("garbage-5374", &url);
    let mut pipeline = Pipeline::with(
        Sources::open_with(state_dir.path(), FetchPolicy::LOOPBACK_FOR_TESTS).unwrap(),
        &text,
    );
    pipeline.poll(Which::All).await;
    assert!(!pipeline.source("garbage").stale);
    let good = pipeline.feeds.clone();
    let blobs = state_dir.path().join("sources/blobs");
    assert_eq!(std::fs::read_dir(&blobs).unwrap().count(), 5);

    // A bad file is stored (it is the newest version of that document), but the source's last
    // good set stays the one that parsed.
    let area_days = "/kanazawa/area_days.csv".to_owned();
    server
        .served()
        .files
        .insert(area_days, b"not,a\n5374,file\n".to_vec());
    pipeline.poll(Which::All).await;
    assert!(pipeline.source("garbage").stale);
    server.stop().await;
    drop(pipeline);

    // Restarted: the saved files are published before any poll, and a poll without the server
    // keeps them, stale.
    let mut restarted = Pipeline::with(
        Sources::open_with(state_dir.path(), FetchPolicy::LOOPBACK_FOR_TESTS).unwrap(),
        &text,
    );
    restarted.restore();
    let info = restarted.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    assert_eq!(
        restarted.feeds.garbage("test").unwrap().calendar,
        good.garbage("test").unwrap().calendar
    );
    let restored_doc = restarted
        .feeds
        .document(&FeedPath::Garbage("test".into()))
        .unwrap()
        .clone();
    restarted.poll(Which::All).await;
    let error = restarted.source("garbage").last_error.unwrap();
    assert!(error.contains(&format!("{url}area_days.csv")), "{error}");
    assert_eq!(
        restarted.feeds.document(&FeedPath::Garbage("test".into())),
        Ok(&restored_doc)
    );
}

/// A blob that went missing or was damaged on disk (a failing disk, an operator's cleanup) is
/// forgotten and read again: before, the document's validators still said "I have it", every
/// read was a 304, and the source stayed broken forever.
#[tokio::test]
async fn a_lost_or_damaged_blob_is_read_again_instead_of_failing_forever() {
    let state_dir = tempfile::tempdir().unwrap();
    let server = FileServer::start(shared_5374("kanazawa")).await;
    let url = format!("{}/kanazawa/", server.origin);
    let text = url_city("garbage-5374", &url);
    let mut pipeline = Pipeline::with(
        Sources::open_with(state_dir.path(), FetchPolicy::LOOPBACK_FOR_TESTS).unwrap(),
        &text,
    );
    pipeline.poll(Which::All).await;
    assert!(!pipeline.source("garbage").stale);
    let good = pipeline.feeds.garbage("test").unwrap().calendar.clone();
    drop(pipeline);
    server.requests();

    let blobs = state_dir.path().join("sources/blobs");
    let mut files: Vec<_> = std::fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    std::fs::remove_file(&files[0]).unwrap();
    std::fs::write(&files[1], b"bit rot").unwrap();

    let mut restarted = Pipeline::with(
        Sources::open_with(state_dir.path(), FetchPolicy::LOOPBACK_FOR_TESTS).unwrap(),
        &text,
    );
    restarted.restore();
    let error = restarted.source("garbage").last_error.unwrap_or_default();
    assert!(!error.is_empty(), "the restored set cannot be read");
    restarted.poll(Which::All).await;
    let info = restarted.source("garbage");
    assert!(!info.stale, "{:?}", info.last_error);
    assert_eq!(restarted.feeds.garbage("test").unwrap().calendar, good);
    let requests = server.requests();
    assert_eq!(
        requests
            .iter()
            .filter(|(_, _, status)| *status == 200)
            .count(),
        2,
        "the two lost files downloaded again: {requests:?}"
    );
    server.stop().await;
}

fn atom(entries: &[(&str, &str)]) -> Vec<u8> {
    let entries: String = entries
        .iter()
        .map(|(id, link)| {
            format!(
                "<entry><title>t</title><id>{id}</id><updated>2024-01-01T07:22:32Z</updated>\
                 <author><name>気象庁</name></author><link type=\"application/xml\" href=\"{link}\"/></entry>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
         lang=\"ja\"><title>t</title><id>urn:test:feed</id><updated>2024-01-01T07:22:32Z</updated>\
         {entries}</feed>"
    )
    .into_bytes()
}

fn jma_city(feed: &str) -> String {
    CityToml::new("test")
        .area("kita", "北")
        .alerts(&["1720200"], &["tsunami:360"])
        .source("jma", "jma-atom", At::Feeds(vec![feed.to_owned()]))
        .build()
}

/// A source given as a URL on a private or loopback address is refused before any request
/// (a production hub; the other tests allow their loopback server).
#[tokio::test]
async fn a_url_source_on_a_private_address_is_refused() {
    let server = FileServer::start(shared_5374("kanazawa")).await;
    let text = url_city("garbage-5374", &format!("{}/kanazawa/", server.origin));
    let mut pipeline = Pipeline::with(Sources::in_memory().unwrap(), &text);
    pipeline.poll(Which::All).await;
    let error = pipeline.source("garbage").last_error.unwrap();
    assert!(
        error.contains("refused: 127.0.0.1 is not a public address"),
        "{error}"
    );
    assert!(server.requests().is_empty(), "nothing was asked");
    server.stop().await;
}

/// A remote feed's links stay on its host: an entry pointing elsewhere is rejected by name and
/// never fetched; a redirect to another host is refused.
#[tokio::test]
async fn a_remote_feed_cannot_send_the_hub_elsewhere() {
    let server = FileServer::start(vec![]).await;
    let port = server.origin.rsplit(':').next().unwrap().to_owned();
    let elsewhere = format!("http://localhost:{port}/msg/b.xml");
    server.served().files.insert(
        "/feed.xml".into(),
        atom(&[("urn:a", "/msg/a.xml"), ("urn:b", &elsewhere)]),
    );
    server.served().redirects.insert(
        "/msg/a.xml".into(),
        format!("http://localhost:{port}/msg/b.xml"),
    );
    let feed = format!("{}/feed.xml", server.origin);
    let mut pipeline = Pipeline::new(&jma_city(&feed));
    pipeline.poll(Which::All).await;
    let (outcome, reason) = pipeline.sources.outcome("urn:b").unwrap();
    assert_eq!(outcome, crate::store::Outcome::Rejected);
    assert!(
        reason
            .unwrap()
            .contains("neither the feed's host nor one the city file lists"),
        "a link to another host"
    );
    let (outcome, reason) = pipeline.sources.outcome("urn:a").unwrap();
    assert_eq!(outcome, crate::store::Outcome::Unavailable);
    let reason = reason.unwrap();
    assert!(reason.contains("redirect to http://localhost"), "{reason}");
    let asked: Vec<String> = server.requests().into_iter().map(|r| r.0).collect();
    assert_eq!(asked, ["/feed.xml", "/msg/a.xml"], "b was never fetched");
    server.stop().await;
}

/// A feed is read no larger than its parser would read (2 MiB of XML, not 8), and a feed that
/// did not parse is not downloaded again at every poll: its validators are kept with the error.
#[tokio::test]
async fn a_feed_is_capped_at_the_parsers_limit_and_a_bad_one_not_downloaded_again() {
    let mut big = atom(&[]);
    big.splice(big.len() - 7..big.len() - 7, vec![b' '; 3 * 1024 * 1024]);
    let server = FileServer::start(vec![
        ("/big.xml".into(), big),
        ("/bad.xml".into(), b"<feed>not closed".to_vec()),
    ])
    .await;
    let mut pipeline = Pipeline::new(&jma_city(&format!("{}/big.xml", server.origin)));
    pipeline.poll(Which::All).await;
    let error = pipeline.source("jma").last_error.unwrap();
    assert!(
        error.contains("larger than the limit of 2097152 bytes"),
        "{error}"
    );

    let mut pipeline = Pipeline::new(&jma_city(&format!("{}/bad.xml", server.origin)));
    server.requests();
    for poll in 0..3 {
        pipeline.poll(Which::All).await;
        let error = pipeline.source("jma").last_error.unwrap();
        assert!(error.contains("bad.xml"), "{error}");
        let requests = server.requests();
        assert_eq!(requests.len(), 1);
        let (_, conditional, status) = &requests[0];
        if poll == 0 {
            assert_eq!(*status, 200);
        } else {
            assert!(*conditional && *status == 304, "{requests:?}");
        }
    }
    server.stop().await;
}

/// A large set parses on the blocking pool: on a one-thread runtime, another task keeps running
/// while it does (before, the parse held the only worker for all of its time).
#[tokio::test(flavor = "current_thread")]
async fn parsing_does_not_hold_the_async_workers() {
    let dir = tempfile::tempdir().unwrap();
    let n = 20_000;
    let mut text = String::from("地名,センター");
    for i in 0..n {
        text.push_str(&format!(",分別{i}"));
    }
    for area in 0..4 {
        text.push_str(&format!("\n地区{area},"));
        for _ in 0..n {
            text.push_str(",月 木");
        }
    }
    std::fs::write(dir.path().join("area_days.csv"), text).unwrap();
    let city = CityToml::new("test")
        .source("garbage", "garbage-5374", At::path(dir.path()))
        .build();
    let pipeline = Pipeline::new(&city);
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let recorded = ticks.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            recorded.lock().unwrap().push(std::time::Instant::now());
        }
    });
    let started = std::time::Instant::now();
    pipeline
        .sources
        .poll(&pipeline.loaded.cities, Which::All)
        .await;
    let took = started.elapsed();
    ticker.abort();
    let published = pipeline.sources.published("test", "garbage").unwrap();
    assert!(published.error.is_none() && published.value.is_some());
    let ticks = ticks.lock().unwrap();
    let ended = started + took;
    let longest = ticks
        .windows(2)
        .map(|w| w[1] - w[0])
        .chain(ticks.first().map(|t| *t - started))
        .chain(ticks.last().map(|t| ended.saturating_duration_since(*t)))
        .max()
        .unwrap_or(took);
    println!("poll {took:?}, longest wait {longest:?}");
    assert!(
        longest < took / 2,
        "another task waited {longest:?} at once during a {took:?} poll: the parse held the worker"
    );
}

#[test]
fn jma_high_frequency_feeds_have_long_feeds() {
    let url = |u: &str| SourceLocation::Url(u.into());
    let base = "https://www.data.jma.go.jp/developer/xml/feed";
    for name in ["regular", "extra", "eqvol", "other"] {
        assert_eq!(
            long_feed(&url(&format!("{base}/{name}.xml"))),
            Some(url(&format!("{base}/{name}_l.xml")))
        );
    }
    assert_eq!(long_feed(&url(&format!("{base}/extra_l.xml"))), None);
    assert_eq!(long_feed(&url("https://example.org/feed.xml")), None);
}

/// The ghost of issue 11: a hub keeps a 大津波警報, is down while JMA lifts it, and its
/// high-frequency feed lists only minutes of entries, so it never sees the lift. Now its first
/// poll after the restart reads the long feed beside it, and so does one after a gap.
#[tokio::test]
async fn a_hub_back_from_an_outage_catches_up_from_the_long_feed() {
    let state_dir = tempfile::tempdir().unwrap();
    let feeds = tempfile::tempdir().unwrap();
    let noto = shared_data("alerts/jma_real/noto_2024-01");
    for file in ["TsunamiAlarm.xml", "canceledTsunamiAlarm.xml", "WInfoL.xml"] {
        std::fs::copy(noto.join(file), feeds.path().join(file)).unwrap();
    }
    let feed = feeds.path().join("extra.xml");
    let long = feeds.path().join("extra_l.xml");
    std::fs::write(&feed, atom(&[("urn:alarm", "TsunamiAlarm.xml")])).unwrap();
    let text = jma_city(&feed.display().to_string());
    let open = || Sources::open_with(state_dir.path(), FetchPolicy::LOOPBACK_FOR_TESTS).unwrap();
    let special = |p: &Pipeline| {
        let f = p.feeds.alerts("test").unwrap().clone();
        f.in_force
            .iter()
            .chain(&f.unconfirmed)
            .any(|a| a.severity == machi_data::alerts::Severity::Special)
    };

    let mut pipeline = Pipeline::with(open(), &text);
    pipeline.poll(Which::All).await;
    assert_eq!(
        pipeline.sources.outcome("urn:alarm").unwrap().0,
        crate::store::Outcome::Kept
    );
    assert!(special(&pipeline), "the alarm is known");
    drop(pipeline);

    // Meanwhile the alarm was lifted; the high-frequency feed has moved on to other entries.
    std::fs::write(&feed, atom(&[("urn:other", "WInfoL.xml")])).unwrap();
    std::fs::write(
        &long,
        atom(&[
            ("urn:alarm", "TsunamiAlarm.xml"),
            ("urn:lift", "canceledTsunamiAlarm.xml"),
            ("urn:other", "WInfoL.xml"),
        ]),
    )
    .unwrap();
    let mut restarted = Pipeline::with(open(), &text);
    restarted.restore();
    restarted.poll(Which::All).await;
    assert_eq!(
        restarted.sources.outcome("urn:lift").unwrap().0,
        crate::store::Outcome::Kept
    );
    assert!(!special(&restarted), "the lift was read from the long feed");
    assert!(!restarted.source("jma").stale);

    // Read again soon: not read (no gap). After a gap of more than ten minutes: read.
    std::fs::write(
        &long,
        atom(&[
            ("urn:lift", "canceledTsunamiAlarm.xml"),
            ("urn:late", "WInfoL.xml"),
        ]),
    )
    .unwrap();
    restarted.poll(Which::All).await;
    assert!(restarted.sources.outcome("urn:late").is_none());
    restarted
        .sources
        .store()
        .journal()
        .documents
        .get_mut(&feed.display().to_string())
        .unwrap()
        .last_success = Some(Utc::now() - Duration::minutes(CATCH_UP_AFTER_MINUTES + 1));
    restarted.poll(Which::All).await;
    assert!(restarted.sources.outcome("urn:late").is_some());
}
