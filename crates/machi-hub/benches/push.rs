//! Web Push sending throughput: 10,000 subscriptions, 50 requests in flight, a 200-byte payload,
//! hub → a local push service on loopback that speaks TLS (as FCM, Mozilla's and Apple's do; its
//! certificate is signed by a throw-away CA the hub is told to trust) and accepts every message
//! with 201 (it does not decrypt). The sink runs in a child process (this binary again, with
//! `MACHI_BENCH_SINK`), so the CPU time measured (getrusage of this process) is the hub's alone:
//! encryption, VAPID header, TLS and HTTP client, the SQLite claims and send log. The hub is built
//! as deployed (the release profile).
//!
//! Prints messages per second (wall clock) and CPU time per message, the cost of the encryption
//! alone with ring (what the hub uses) and with web-push-native (RustCrypto), which is why the hub
//! uses ring, and — when the npm package `web-push` is installed — the same messages sent by Node's
//! web-push to the same sink (`scripts/bench-web-push.mjs`), with the ratio of CPU per message.
//! Run with `cargo bench -p machi-hub --bench push` (or `scripts/bench`).

use chrono::Utc;
use machi_hub::push::crypto::{self, UaKeys, Vapid};
use machi_hub::push::store::{AlertTopic, Store, Subscription, Topics};
use machi_hub::push::{outgoing, Payload, Push, PushSettings};
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{cpu_time, sink, tls_material};

const SUBSCRIPTIONS: usize = 10_000;
const CONCURRENCY: usize = 50;
const PAYLOAD_BYTES: usize = 200;

fn browser_keys() -> (String, String) {
    // A real P-256 key from ring's ECDH (any valid point will do for the sender).
    let rng = ring::rand::SystemRandom::new();
    let key =
        ring::agreement::EphemeralPrivateKey::generate(&ring::agreement::ECDH_P256, &rng).unwrap();
    let public = key.compute_public_key().unwrap();
    (crypto::b64(public.as_ref()), crypto::b64(&[7u8; 16]))
}

fn payload() -> Vec<u8> {
    let mut p = Payload {
        title: "大雨警報".into(),
        body: String::new(),
        tag: "気象警報・注意報（Ｒ０６）|大雨".into(),
        url: "/alerts".into(),
        icon: "/icons/icon-192.png".into(),
    };
    while serde_json::to_vec(&p).unwrap().len() < PAYLOAD_BYTES {
        p.body.push('x');
    }
    serde_json::to_vec(&p).unwrap()
}

fn encryption_only(keys: &UaKeys, plaintext: &[u8]) {
    let n = 2_000;
    let rng = ring::rand::SystemRandom::new();
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(crypto::encrypt(&rng, keys, plaintext).unwrap());
    }
    let ring_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;

    let ua_public = web_push_native::p256::PublicKey::from_sec1_bytes(&keys.p256dh).unwrap();
    let auth = web_push_native::Auth::clone_from_slice(&keys.auth);
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            web_push_native::encrypt(plaintext.to_vec(), &ua_public, &auth).unwrap(),
        );
    }
    let rustcrypto_us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!(
        "push bench: encryption alone, one core: ring {ring_us:.1} µs/msg ({:.0}/s), \
         web-push-native (RustCrypto) {rustcrypto_us:.1} µs/msg ({:.0}/s)",
        1e6 / ring_us,
        1e6 / rustcrypto_us
    );
}

/// The SQLite part alone: claiming 10,000 (subscription, event) pairs with their payloads and
/// logging their results, one transaction each (`deliver` records results in smaller
/// transactions as they come). The claim as one hub makes it (leased to itself as it claims),
/// as hubs sharing a database make it (to the outbox), and without a payload (what storing the
/// payload per row costs).
fn store_only(store: &Store, subs: &[Subscription], payload: &[u8]) {
    use machi_hub::push::store::{Claim, Held, Outcome, SendResult};
    let claim = |event_key: &str, payload: &[u8], held: Option<&Held<'_>>| {
        let claims: Vec<Claim<'_>> = subs
            .iter()
            .map(|s| Claim {
                subscription_id: &s.id,
                event_key,
                tag: "tag",
                payload,
                urgency: "high",
                ttl_secs: 3600,
            })
            .collect();
        let t = Instant::now();
        store.claim_notifications(&claims, &[], held, 1).unwrap();
        t.elapsed()
    };
    let held = Held {
        hub: "bench",
        lease: "bench 1 0",
        until: i64::MAX,
    };
    let claim_held = claim("alert:store-only", payload, Some(&held));
    let claim_outbox = claim("alert:store-only-outbox", payload, None);
    let claim_no_payload = claim("alert:store-only-empty", b"", Some(&held));
    let results: Vec<SendResult<'_>> = subs
        .iter()
        .map(|s| SendResult {
            subscription_id: &s.id,
            event_key: "alert:store-only",
            outcome: Outcome::Sent,
            status: Some(201),
            attempts: 1,
        })
        .collect();
    let t = Instant::now();
    store.record(&results, 1).unwrap();
    let record = t.elapsed();
    let per = |d: Duration| d.as_secs_f64() * 1e6 / subs.len() as f64;
    println!(
        "push bench: SQLite alone: claim {:.1} µs/msg (leased as claimed; to the outbox {:.1}, \
         no payload {:.1}), send log {:.1} µs/msg",
        per(claim_held),
        per(claim_outbox),
        per(claim_no_payload),
        per(record)
    );
}

fn main() {
    if let Some(dir) = std::env::var_os("MACHI_BENCH_SINK") {
        return sink(std::path::Path::new(&dir));
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` runs us too: then only a smoke run.
    let quick = !std::env::args().any(|a| a == "--bench");
    let count = if quick { 200 } else { SUBSCRIPTIONS };

    let tls = tempfile::tempdir().unwrap();
    tls_material(tls.path());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("MACHI_BENCH_SINK", tls.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the sink");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().expect("the sink prints its port");

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("push.sqlite3")).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &rng,
    )
    .unwrap();
    let vapid = Vapid::from_pkcs8(pkcs8.as_ref(), "mailto:bench@example.com".into()).unwrap();
    // One push service here, so the per-service limit is the whole concurrency: the figure is
    // comparable with the runs before that limit existed.
    let settings = PushSettings {
        allow_loopback: true,
        concurrency: CONCURRENCY,
        extra_roots: vec![std::fs::read(tls.path().join("ca.pem")).unwrap()],
        per_origin: CONCURRENCY,
        ..PushSettings::default()
    };
    let push = Push::with(store, vapid, settings).unwrap();
    let (p256dh, auth) = browser_keys();
    let plaintext = payload();
    let body: Payload = serde_json::from_slice(&plaintext).unwrap();
    let mut subs = Vec::with_capacity(count);
    for i in 0..count {
        let sub = Subscription {
            id: format!("s{i:05}"),
            endpoint: format!("https://127.0.0.1:{port}/push/{i}"),
            p256dh: p256dh.clone(),
            auth: auth.clone(),
            city: "demo".into(),
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
        push.store().insert(&sub, "x", 0).unwrap();
        subs.push(sub);
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let batch: Vec<_> = subs
        .iter()
        .map(|s| {
            outgoing(
                s,
                "alert:bench".into(),
                body.tag.clone(),
                &body,
                "high",
                3600,
            )
            .unwrap()
        })
        .collect();
    let (cpu0, t0) = (cpu_time(), Instant::now());
    let report = runtime.block_on(push.deliver(batch, Utc::now()));
    let (wall, cpu) = (t0.elapsed(), cpu_time() - cpu0);

    assert_eq!(report.sent, count, "{report:?}");
    let rate = count as f64 / wall.as_secs_f64();
    println!(
        "push bench: {count} subscriptions, concurrency {CONCURRENCY}, {}-byte payload, \
         TLS sink on loopback in another process, {} cores",
        plaintext.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "push bench: {rate:.0} encrypted messages/s ({:.2} s wall), hub CPU {:.1} µs/message \
         (claims, encryption, VAPID, HTTP, send log)",
        wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / count as f64
    );
    if !quick {
        let keys = UaKeys::decode(&p256dh, &auth).unwrap();
        encryption_only(&keys, &plaintext);
        store_only(push.store(), &subs, &plaintext);
        let hub_us = cpu.as_secs_f64() * 1e6 / count as f64;
        node_web_push(&subs, &plaintext, tls.path(), hub_us);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The same messages sent by Node's `web-push` to the same sink, when it is installed.
fn node_web_push(subs: &[Subscription], plaintext: &[u8], tls_dir: &std::path::Path, hub_us: f64) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if !root.join("node_modules/web-push").is_dir() {
        println!("push bench: Node web-push: not installed (npm ci installs it)");
        return;
    }
    // CPU per message is what is compared: 2,000 messages keep Node's run to seconds.
    let list: Vec<serde_json::Value> = subs
        .iter()
        .take(2_000)
        .map(|s| {
            serde_json::json!({
                "endpoint": s.endpoint,
                "keys": { "p256dh": s.p256dh, "auth": s.auth },
            })
        })
        .collect();
    let file = tls_dir.join("subscriptions.json");
    std::fs::write(&file, serde_json::to_vec(&list).unwrap()).unwrap();
    let output = Command::new("node")
        .arg(root.join("scripts/bench-web-push.mjs"))
        .arg(&file)
        .arg(CONCURRENCY.to_string())
        .arg(String::from_utf8_lossy(plaintext).as_ref())
        .env("NODE_EXTRA_CA_CERTS", tls_dir.join("ca.pem"))
        .output();
    match output {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            print!("{text}");
            let node_us = text
                .split_whitespace()
                .skip_while(|w| *w != "CPU")
                .nth(1)
                .and_then(|w| w.parse::<f64>().ok());
            if let Some(node_us) = node_us {
                println!(
                    "push bench: CPU per message, Node web-push / hub: {:.1}× (goal ≥ 10×)",
                    node_us / hub_us
                );
            }
        }
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last: Vec<&str> = stderr.lines().rev().take(8).collect();
            let last: Vec<&str> = last.into_iter().rev().collect();
            println!("push bench: Node web-push failed: {}", last.join(" | "));
        }
        Err(e) => println!("push bench: Node web-push: cannot run node: {e}"),
    }
}
