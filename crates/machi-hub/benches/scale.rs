//! Past one machine (docs/scale.md): one prefecture-wide alert fanned out to every subscription
//! in PostgreSQL, by one hub and then by two hubs sharing the database, to a local push service
//! that speaks TLS on two ports (two origins, as FCM and Mozilla are two).
//!
//! Each run: a fresh schema with `MACHI_SCALE_SUBSCRIBERS` subscriptions (1,000,000 under
//! `cargo bench`, 2,000 as a smoke run under `cargo test --benches`) spread over four cities of
//! the 能登 tsunami forecast area, the hubs (the release binary, as deployed) started on them
//! with an empty JMA feed, then the real 2024-01-01 大津波警報 message put in the feed. Printed:
//! time from the feed to the first and to the last delivery, messages per second, the hubs' CPU
//! per message (from /proc), and the database's own cost per claim, lease and record, measured
//! apart. The PostgreSQL cluster is `MACHI_TEST_POSTGRES` when set, otherwise a throw-away one
//! (scripts/postgres; no fsync — a figure to compare runs, not a durable deployment's).
//!
//! Run with `MACHI_SCALE_BENCH=1 scripts/bench` (minutes) or
//! `cargo bench -p machi-hub --bench scale`.

use machi_hub::push::store::{Claim, Cursor, Outcome, SendResult, Store};
use machi_hub::testing::{fresh_schema, fresh_tsunami_message, schema_url, At, CityToml};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

mod common;
use common::{sink, tls_material};

const CITIES: usize = 4;

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

/// CPU time (user + system) of a process, from /proc.
fn process_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the command: state is field 3, utime 14 and stime 15 (1-based, whole line).
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    // SAFETY: sysconf only reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / per_second)
}

/// CPU time of every PostgreSQL process of this machine (the server and its backends).
fn postgres_cpu() -> Duration {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Duration::ZERO;
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|c| c.trim() == "postgres")
        })
        .map(process_cpu)
        .sum()
}

/// The PostgreSQL cluster: the tests' one, or a throw-away one this run stops.
struct Cluster {
    url: String,
    own: Option<PathBuf>,
}

impl Cluster {
    fn start() -> Cluster {
        if let Some(url) = machi_hub::testing::postgres_url() {
            return Cluster { url, own: None };
        }
        let dir = PathBuf::from(format!("/tmp/machi-postgres-scale-{}", std::process::id()));
        let out = Command::new(repo().join("scripts/postgres"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("scripts/postgres");
        assert!(
            out.status.success(),
            "scale bench: cannot start PostgreSQL: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Cluster {
            url: String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            own: Some(dir),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(dir) = &self.own {
            let _ = Command::new(repo().join("scripts/postgres"))
                .arg("stop")
                .arg(dir)
                .status();
        }
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs SQL on the schema (its own connection, in a runtime of its own).
fn sql(url: &str, statements: &str) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client.batch_execute(statements).await.unwrap();
    });
}

/// `n` subscriptions to alerts, over the cities, their endpoints spread over the sink's ports.
fn generate(url: &str, n: usize, ports: &[u16], keys: &(String, String)) -> Duration {
    let t = Instant::now();
    let (p256dh, auth) = keys;
    let endpoint = match ports {
        [a, b, ..] => format!(
            "'https://127.0.0.1:' || CASE WHEN i % 2 = 0 THEN '{a}' ELSE '{b}' END || '/push/s' || i"
        ),
        [a] => format!("'https://127.0.0.1:{a}/push/s' || i"),
        [] => unreachable!("the sink has a port"),
    };
    sql(
        url,
        &format!(
            "INSERT INTO subscriptions (id, secret_hash, endpoint, p256dh, auth, city, area, \
             language, alerts_min_severity, alerts_min_level, garbage_evening_hour, \
             garbage_morning, created_at, updated_at) \
             SELECT 's' || i, 'x', {endpoint}, '{p256dh}', '{auth}', 'c' || (i % {CITIES}), \
             'kita', (ARRAY['ja', 'en', 'vi', 'ja-easy'])[1 + i % 4], 'warning', NULL, NULL, \
             false, 0, 0 FROM generate_series(0, {n} - 1) AS i; ANALYZE subscriptions;"
        ),
    );
    t.elapsed()
}

fn browser_keys() -> (String, String) {
    let rng = ring::rand::SystemRandom::new();
    let key =
        ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::ECDH_P256, &rng).unwrap();
    let public = key.compute_public_key().unwrap();
    (
        machi_hub::push::crypto::b64(public.as_ref()),
        machi_hub::push::crypto::b64(&[7u8; 16]),
    )
}

const EMPTY_FEED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" lang="ja">
  <title>scale</title><id>urn:scale:feed</id><updated>2024-01-01T07:00:00Z</updated>
</feed>"#;

const FEED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" lang="ja">
  <title>scale</title><id>urn:scale:feed</id><updated>2024-01-01T07:22:32Z</updated>
  <entry><title>津波警報・注意報・予報a</title><id>urn:scale:tsunami</id>
    <updated>2024-01-01T07:22:32Z</updated><author><name>気象庁</name></author>
    <link type="application/xml" href="tsunami.xml"/></entry>
</feed>"#;

struct Sink {
    child: Child,
    ports: Vec<u16>,
    lines: std::sync::mpsc::Receiver<String>,
}

fn start_sink(tls: &Path, expect: usize) -> Sink {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("MACHI_BENCH_SINK", tls)
        .env("MACHI_BENCH_SINK_PORTS", "2")
        .env("MACHI_BENCH_SINK_EXPECT", expect.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the sink");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let ports = line
        .split_whitespace()
        .map(|p| p.parse().expect("the sink prints its ports"))
        .collect();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in out.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Sink {
        child,
        ports,
        lines,
    }
}

fn hub(dir: &Path, id: &str, url: &str, tls: &Path) -> Child {
    let log = |name: &str| std::fs::File::create(dir.join(name)).unwrap();
    Command::new(env!("CARGO_BIN_EXE_machi-hub"))
        .args(["serve", "--addr", "127.0.0.1:0", "--refresh-secs", "1"])
        .arg("--cities")
        .arg(dir.join("cities"))
        .arg("--dist")
        .arg(dir.join("dist"))
        .arg("--state-dir")
        .arg(dir.join(format!("state-{id}")))
        .args(["--hub-id", id, "--database-url", url])
        .args([
            "--push-allow-loopback",
            "--push-subject",
            "mailto:bench@example.com",
        ])
        .arg("--push-extra-root")
        .arg(tls.join("ca.pem"))
        .env("RUST_LOG", "info")
        .stdout(log(&format!("{id}.out")))
        .stderr(log(&format!("{id}.log")))
        .spawn()
        .expect("the hub starts")
}

fn wait_for(dir: &Path, file: &str, text: &str, within: Duration) {
    let t = Instant::now();
    loop {
        let now = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        if now.contains(text) {
            return;
        }
        assert!(
            t.elapsed() < within,
            "scale bench: {file} never said {text:?}:\n{now}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// One run: `hubs` hubs fan the alert out to `n` subscriptions.
fn run(cluster: &Cluster, tls: &Path, n: usize, hubs: usize, keys: &(String, String)) {
    let schema = fresh_schema();
    // The schema and its tables, as a hub makes them.
    Store::connect_in_schema(&cluster.url, &schema).unwrap();
    let url = schema_url(&cluster.url, &schema);
    let sink = start_sink(tls, n);
    let made = generate(&url, n, &sink.ports, keys);

    let dir = tempfile::tempdir().unwrap();
    let alerts = dir.path().join("alerts");
    std::fs::create_dir_all(&alerts).unwrap();
    std::fs::write(alerts.join("tsunami.xml"), fresh_tsunami_message()).unwrap();
    std::fs::write(alerts.join("feed.xml"), EMPTY_FEED).unwrap();
    for c in 0..CITIES {
        CityToml::new(&format!("c{c}"))
            .name("能登の町", Some("Noto town"))
            .area("kita", "北地区")
            .alerts(&[], &["tsunami:360"])
            .source(
                "jma",
                "jma-atom",
                At::Feeds(vec![alerts.join("feed.xml").display().to_string()]),
            )
            .write(&dir.path().join("cities"));
    }
    let mut children: Vec<Child> = Vec::new();
    for h in 0..hubs {
        let id = format!("h{h}");
        children.push(hub(dir.path(), &id, &url, tls));
        wait_for(
            dir.path(),
            &format!("{id}.out"),
            "Machi is running",
            Duration::from_secs(120),
        );
        if h == 0 {
            wait_for(dir.path(), "h0.log", "leads now", Duration::from_secs(60));
        }
    }
    let cpu_before: Vec<Duration> = children.iter().map(|c| process_cpu(c.id())).collect();
    let db_before = postgres_cpu();

    // The alert arrives.
    let t0 = unix_ms();
    std::fs::write(alerts.join("feed.xml"), FEED).unwrap();
    let (mut first, mut done) = (None, None);
    let mut tenths = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(1800);
    while done.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match sink.lines.recv_timeout(left) {
            Ok(line) => line,
            Err(_) => {
                let logs: Vec<String> = (0..hubs)
                    .map(|h| {
                        std::fs::read_to_string(dir.path().join(format!("h{h}.log")))
                            .unwrap_or_default()
                    })
                    .collect();
                panic!(
                    "scale bench: not every subscription was reached in time:\n{}",
                    logs.join("\n")
                );
            }
        };
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("first"), Some(ms), _) => first = ms.parse::<u128>().ok(),
            (Some("at"), Some(count), Some(ms)) => {
                tenths.push((count.to_owned(), ms.parse::<u128>().unwrap_or(0)))
            }
            (Some("done"), Some(ms), _) => done = ms.parse::<u128>().ok(),
            _ => {}
        }
    }
    // The hubs log what each sent once their last batch is recorded.
    std::thread::sleep(Duration::from_millis(500));
    let cpu: Duration = children
        .iter()
        .zip(&cpu_before)
        .map(|(c, before)| process_cpu(c.id()).saturating_sub(*before))
        .sum();
    let db_cpu = postgres_cpu().saturating_sub(db_before);
    // Each hub's share, from its own log.
    let shares: Vec<String> = (0..hubs)
        .map(|h| {
            let log =
                std::fs::read_to_string(dir.path().join(format!("h{h}.log"))).unwrap_or_default();
            let sent: usize = log
                .lines()
                .filter_map(|l| {
                    l.split(" sent from the outbox")
                        .next()
                        .filter(|_| l.contains(" sent from the outbox"))
                })
                .filter_map(|l| l.split_whitespace().last())
                .filter_map(|n| n.parse::<usize>().ok())
                .sum();
            format!("h{h} {sent}")
        })
        .collect();
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    let mut sink = sink;
    let _ = sink.child.kill();
    let _ = sink.child.wait();

    let (first, done) = (first.unwrap_or(t0), done.unwrap());
    let secs = |ms: u128| ms as f64 / 1000.0;
    println!(
        "scale bench: {hubs} hub(s), {n} subscriptions (made in {:.1} s): first delivery {:.1} s \
         after the feed, last {:.1} s; {:.0} messages/s between them; hub CPU {:.1} µs/message \
         (all hubs), PostgreSQL CPU {:.1} µs/message; sent by {}",
        made.as_secs_f64(),
        secs(first.saturating_sub(t0)),
        secs(done.saturating_sub(t0)),
        n as f64 / secs(done.saturating_sub(first)).max(0.001),
        cpu.as_secs_f64() * 1e6 / n as f64,
        db_cpu.as_secs_f64() * 1e6 / n as f64,
        shares.join(", ")
    );
    let tenths: Vec<String> = tenths
        .iter()
        .map(|(count, ms)| format!("{count} at {:.1} s", secs(ms.saturating_sub(t0))))
        .collect();
    if !tenths.is_empty() {
        println!("scale bench:   progress: {}", tenths.join(", "));
    }
}

/// The database's own cost: claims, leases and send results for `n` of the subscriptions of a
/// fresh schema, through the store as the hub uses it, in this process.
fn database_only(cluster: &Cluster, n: usize, keys: &(String, String)) {
    let schema = fresh_schema();
    let store = Store::connect_in_schema(&cluster.url, &schema).unwrap();
    let url = schema_url(&cluster.url, &schema);
    generate(&url, n, &[443], keys);
    let ids: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
    let payload = vec![b'x'; 300];
    let claims: Vec<Claim<'_>> = ids
        .iter()
        .map(|id| Claim {
            subscription_id: id,
            event_key: "alert:db-only",
            tag: "tag",
            payload: &payload,
            urgency: "high",
            ttl_secs: 3600,
        })
        .collect();
    let t = Instant::now();
    for chunk in claims.chunks(8_192) {
        store.claim_notifications(chunk, &[], None, 1).unwrap();
    }
    let claim = t.elapsed();
    let (mut lease, mut record, mut leased) = (Duration::ZERO, Duration::ZERO, 0);
    let mut after = Cursor::START;
    for i in 0.. {
        let t = Instant::now();
        let batch = store
            .lease(
                "db-only",
                &format!("db-only {i}"),
                256,
                2,
                1_000,
                "high",
                &after,
            )
            .unwrap();
        if let Some(last) = batch.last() {
            after = last.cursor();
        }
        lease += t.elapsed();
        if batch.is_empty() {
            break;
        }
        leased += batch.len();
        let results: Vec<SendResult<'_>> = batch
            .iter()
            .map(|p| SendResult {
                subscription_id: &p.subscription_id,
                event_key: &p.event_key,
                outcome: Outcome::Sent,
                status: Some(201),
                attempts: 1,
            })
            .collect();
        let t = Instant::now();
        store.record(&results, 3).unwrap();
        record += t.elapsed();
    }
    assert_eq!(leased, n);
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!(
        "scale bench: PostgreSQL alone, {n} notifications: claim {:.1} µs, lease {:.1} µs, \
         record {:.1} µs per message (one connection, batches of 8,192 / 256)",
        per(claim),
        per(lease),
        per(record)
    );
}

fn main() {
    if let Some(dir) = std::env::var_os("MACHI_BENCH_SINK") {
        return sink(Path::new(&dir));
    }
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("MACHI_SCALE_SUBSCRIBERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 2_000 });
    let cluster = Cluster::start();
    let tls = tempfile::tempdir().unwrap();
    tls_material(tls.path());
    let keys = browser_keys();
    println!(
        "scale bench: {n} subscriptions in {CITIES} cities, PostgreSQL {} (no fsync), {} cores, \
         release hubs, TLS push service on 2 ports in another process",
        if cluster.own.is_some() {
            "throw-away"
        } else {
            "of the tests"
        },
        std::thread::available_parallelism().map_or(1, |c| c.get())
    );
    for hubs in [1, 2] {
        run(&cluster, tls.path(), n, hubs, &keys);
    }
    database_only(&cluster, n.min(100_000), &keys);
}
