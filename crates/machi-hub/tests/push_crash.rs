//! A claim is not a delivery (issue 11): the hub process is killed with SIGKILL in the middle of
//! a 5,000-subscription alert fan-out to a local push service, started again, and every
//! subscription has the alert.
//!
//! "Exactly once" is what the resident sees. The hub records each send's end as soon as its
//! answer comes and, after the restart, sends what it had claimed and not finished. A request
//! the push service had received when the hub died, whose answer the hub never read, cannot be
//! told apart from one that never left: it is sent again, with the same RFC 8030 `Topic` (a push
//! service replaces an undelivered message of the same topic) and the same tag (the browser
//! replaces a shown notification of the same tag). The local push service here keeps each
//! subscription's undelivered messages by topic, as RFC 8030 says, and the test checks that each
//! holds exactly one alert, that none is missing, and that the re-sends are no more than the
//! requests that could have been in flight; it prints the figures.

#![cfg(unix)]

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use machi_hub::push::store::{AlertTopic, Subscription, Topics};
use machi_hub::push::{Push, PushSettings};
use machi_hub::testing::{At, CityToml};
use ring::rand::SecureRandom as _;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SUBSCRIBERS: usize = 5_000;
/// Killed once the push service has received this many.
const KILL_AFTER: usize = 1_500;

/// The local push service: per subscription, the `Topic` of every message it received.
#[derive(Default)]
struct Service {
    received: Mutex<HashMap<String, Vec<String>>>,
    total: AtomicUsize,
}

async fn receive(
    State(service): State<Arc<Service>>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    _body: Bytes,
) -> StatusCode {
    let topic = headers
        .get("topic")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    service
        .received
        .lock()
        .unwrap()
        .entry(name)
        .or_default()
        .push(topic);
    service.total.fetch_add(1, Ordering::SeqCst);
    StatusCode::CREATED
}

fn hub(dir: &Path, log: &str) -> Child {
    hub_with(dir, log, "state", &["--refresh-secs", "3600"])
}

/// A hub over `dir`'s cities with its state in `dir/{state}`, and more arguments.
fn hub_with(dir: &Path, log: &str, state: &str, args: &[&str]) -> Child {
    let stderr = std::fs::File::create(dir.join(log)).unwrap();
    Command::new(env!("CARGO_BIN_EXE_machi-hub"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .arg("--cities")
        .arg(dir.join("cities"))
        .arg("--dist")
        .arg(dir.join("dist"))
        .arg("--state-dir")
        .arg(dir.join(state))
        .args([
            "--push-allow-loopback",
            "--push-subject",
            "mailto:test@example.com",
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("the hub starts")
}

/// The local push service, 七尾市 reading a local JMA feed with a fresh 大津波警報, and
/// [`SUBSCRIBERS`] subscriptions to its alerts in the store `settings` open under `dir/state`.
async fn set_up(dir: &Path, settings: PushSettings) -> Arc<Service> {
    let service = Arc::new(Service::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new()
        .route("/push/{name}", post(receive))
        .with_state(service.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    // 七尾市 reads a local JMA feed listing the message.
    let alerts = dir.join("alerts");
    std::fs::create_dir_all(&alerts).unwrap();
    std::fs::write(
        alerts.join("tsunami.xml"),
        machi_hub::testing::fresh_tsunami_message(),
    )
    .unwrap();
    std::fs::write(
        alerts.join("feed.xml"),
        r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" lang="ja">
  <title>test</title><id>urn:test:feed</id><updated>2024-01-01T07:22:32Z</updated>
  <entry><title>津波警報・注意報・予報a</title><id>urn:test:crash-tsunami</id>
    <updated>2024-01-01T07:22:32Z</updated><author><name>気象庁</name></author>
    <link type="application/xml" href="tsunami.xml"/></entry>
</feed>"#,
    )
    .unwrap();
    CityToml::new("nanao")
        .name("七尾市", Some("Nanao"))
        .area("kita", "北地区")
        .alerts(&[], &["tsunami:360"])
        .source(
            "jma",
            "jma-atom",
            At::Feeds(vec![alerts.join("feed.xml").display().to_string()]),
        )
        .write(&dir.join("cities"));

    // 5,000 subscriptions, in the hub's own store, before it starts.
    {
        let push = Push::open(&dir.join("state"), settings).unwrap();
        let rng = ring::rand::SystemRandom::new();
        let key = ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::ECDH_P256, &rng)
            .unwrap();
        let p256dh = B64.encode(key.compute_public_key().unwrap().as_ref());
        let mut auth = [0u8; 16];
        rng.fill(&mut auth).unwrap();
        for i in 0..SUBSCRIBERS {
            let sub = Subscription {
                id: format!("s{i:05}"),
                endpoint: format!("{base}/push/s{i:05}"),
                p256dh: p256dh.clone(),
                auth: B64.encode(auth),
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
        }
    }
    service
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_mid_fan_out_sends_the_rest_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let settings = PushSettings {
        allow_loopback: true,
        subject: "mailto:test@example.com".into(),
        ..PushSettings::default()
    };
    let service = set_up(dir.path(), settings).await;

    // The hub reads the feed at start and fans the alert out; it is killed part-way.
    let started = Instant::now();
    let mut first = hub(dir.path(), "hub-1.log");
    while service.total.load(Ordering::SeqCst) < KILL_AFTER {
        let log = || std::fs::read_to_string(dir.path().join("hub-1.log")).unwrap_or_default();
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the fan-out did not get going:\n{}",
            log()
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "the hub stopped:\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().unwrap(); // SIGKILL: no shutdown, no flush.
    first.wait().unwrap();
    let at_kill = service.total.load(Ordering::SeqCst);
    // Requests the dead hub had written that the service is still reading.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before_restart = service.total.load(Ordering::SeqCst);
    assert!(
        before_restart < SUBSCRIBERS,
        "killed too late to test anything ({before_restart})"
    );

    // Started again: it sends what it had claimed and not finished, and nothing else.
    let restarted = Instant::now();
    let mut second = hub(dir.path(), "hub-2.log");
    loop {
        let reached = service.received.lock().unwrap().len();
        if reached == SUBSCRIBERS {
            break;
        }
        let log = || std::fs::read_to_string(dir.path().join("hub-2.log")).unwrap_or_default();
        assert!(
            restarted.elapsed() < Duration::from_secs(120),
            "{reached} of {SUBSCRIBERS} have the alert after the restart:\n{}",
            log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Anything sent twice would arrive within moments.
    tokio::time::sleep(Duration::from_secs(1)).await;
    second.kill().unwrap();
    second.wait().unwrap();

    let restart = restarted.elapsed();
    exactly_once(
        &service,
        at_kill,
        before_restart,
        restart,
        "after the restart",
    );
}

/// Every subscription has the alert once as far as the resident can tell, and no more were
/// sent again than could have been in flight when a hub died; prints the figures.
fn exactly_once(
    service: &Service,
    at_kill: usize,
    before_restart: usize,
    took: Duration,
    after: &str,
) {
    let received = service.received.lock().unwrap();
    let total: usize = received.values().map(Vec::len).sum();
    let resent: Vec<(&String, &Vec<String>)> =
        received.iter().filter(|(_, t)| t.len() > 1).collect();
    println!(
        "killed after {at_kill} of {SUBSCRIBERS} sends ({before_restart} had arrived); {after} \
         every subscription had the alert ({total} requests in all, {} sent again, in {:.1} s)",
        total - SUBSCRIBERS,
        took.as_secs_f64()
    );
    assert_eq!(
        received.len(),
        SUBSCRIBERS,
        "every subscription has the alert"
    );
    for (name, topics) in received.iter() {
        // One message per topic per subscription is what the push service holds (RFC 8030
        // §5.4) and what the browser shows (one tag): exactly once.
        let mut distinct = topics.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 1, "{name}: {topics:?}");
        assert!(!topics[0].is_empty(), "{name}: sent without a Topic");
    }
    // Only what could have been in flight when the hub died is sent again: at most the send
    // slots plus the results not yet recorded (recorded as they come, at most 256 at once).
    let bound = PushSettings::default().concurrency + 256;
    assert!(
        resent.len() <= bound,
        "{} subscriptions got the alert more than once (at most {bound} could be in flight)",
        resent.len()
    );
}

/// Several hubs, one PostgreSQL database (issue 15): two hubs share the fan-out of the alert to
/// 5,000 subscriptions; the one that leads is killed with SIGKILL part-way; the other takes the
/// lead at its next poll and sends what the dead one had leased once its leases run out. Every
/// subscription has the alert exactly once, as above. Needs `MACHI_TEST_POSTGRES` (scripts/test
/// starts a throw-away cluster); says so and passes without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_hubs_killed_mid_fan_out_the_other_sends_the_rest() {
    let Some(url) = machi_hub::testing::postgres_schema_url() else {
        eprintln!("skipped: MACHI_TEST_POSTGRES is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let settings = PushSettings {
        allow_loopback: true,
        subject: "mailto:test@example.com".into(),
        database_url: Some(url.clone()),
        ..PushSettings::default()
    };
    let service = set_up(dir.path(), settings).await;
    let log = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    let args = |id: &'static str| {
        [
            "--refresh-secs",
            "2",
            "--lease-secs",
            "3",
            "--hub-id",
            id,
            "--database-url",
        ]
    };
    let mut first = hub_with(
        dir.path(),
        "a.log",
        "state",
        &[&args("a")[..], &[&url]].concat(),
    );
    // The first leads; the second starts once it does.
    let started = Instant::now();
    while !log("a.log").contains("leads now") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{}",
            log("a.log")
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut second = hub_with(
        dir.path(),
        "b.log",
        "state-b",
        &[&args("b")[..], &[&url]].concat(),
    );
    while service.total.load(Ordering::SeqCst) < KILL_AFTER {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the fan-out did not get going:\n{}",
            log("a.log")
        );
        assert!(first.try_wait().unwrap().is_none(), "{}", log("a.log"));
        assert!(second.try_wait().unwrap().is_none(), "{}", log("b.log"));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().unwrap(); // SIGKILL: no shutdown, no flush; its session (and lock) ends.
    first.wait().unwrap();
    let at_kill = service.total.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = service.total.load(Ordering::SeqCst);
    assert!(
        before < SUBSCRIBERS,
        "killed too late to test anything ({before})"
    );
    let killed = Instant::now();
    loop {
        let reached = service.received.lock().unwrap().len();
        if reached == SUBSCRIBERS {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(120),
            "{reached} of {SUBSCRIBERS} have the alert:\n{}",
            log("b.log")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The second hub took the lead within a poll or two of the first one's death.
    while !log("b.log").contains("leads now") {
        assert!(
            killed.elapsed() < Duration::from_secs(10),
            "{}",
            log("b.log")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    second.kill().unwrap();
    second.wait().unwrap();
    // Both hubs sent: the fan-out was shared.
    assert!(
        log("b.log").contains("sent from the outbox"),
        "{}",
        log("b.log")
    );
    exactly_once(
        &service,
        at_kill,
        before,
        killed.elapsed(),
        "after the kill, with the other hub,",
    );
}
