//! `cargo bench -p machi-data --bench alerts`: how fast the alert parsers and the state are.
//!
//! Prints messages parsed per second over every JMA and CAP sample in shared/data/alerts (repeated
//! for about a second), and the time to recompute one municipality's state from all of them.

use machi_data::alerts::*;
use machi_testdata::shared_data;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out)
        } else {
            out.push(p)
        }
    }
}

fn main() {
    let mut files = Vec::new();
    walk(Path::new(&shared_data("alerts")), &mut files);
    files.sort();
    let messages: Vec<(String, bool, Vec<u8>)> = files
        .iter()
        .filter(|p| !p.to_string_lossy().contains("jma_feeds"))
        .map(|p| {
            (
                p.to_string_lossy().into_owned(),
                p.to_string_lossy().contains("/cap/"),
                std::fs::read(p).unwrap(),
            )
        })
        .collect();
    let bytes: usize = messages.iter().map(|m| m.2.len()).sum();

    let parse_all = || {
        let mut alerts = Vec::new();
        for (name, cap, b) in &messages {
            if *cap {
                alerts.extend(parse_cap(b, name).ok());
            } else if let Ok(v) = parse_jma(b, name) {
                alerts.extend(v);
            }
        }
        alerts
    };

    let start = Instant::now();
    let mut rounds = 0u32;
    while start.elapsed() < Duration::from_secs(1) {
        black_box(parse_all());
        rounds += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let n = messages.len() as f64 * f64::from(rounds);
    println!(
        "parse: {} messages ({:.1} KiB) x {rounds} rounds in {secs:.2} s: {:.0} messages/s, {:.1} MiB/s",
        messages.len(),
        bytes as f64 / 1024.0,
        n / secs,
        bytes as f64 * f64::from(rounds) / secs / 1024.0 / 1024.0
    );

    let alerts = parse_all();
    let tree = AreaTree::from_json(&machi_testdata::read_to_string(
        "codes/jma/forecast_area_tree.json",
    ))
    .unwrap();
    let scope = tree
        .scope(&AreaCode::new("1720200"))
        .with(AreaCode::scoped("tsunami", "360"))
        .with(AreaCode::scoped("seismic", "390"));
    let now = chrono::DateTime::parse_from_rfc3339("2024-01-01T17:00:00+09:00")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let start = Instant::now();
    let mut runs = 0u32;
    while start.elapsed() < Duration::from_secs(1) {
        black_box(AlertState::compute_in(black_box(&alerts), &scope, now));
        runs += 1;
    }
    let per = start.elapsed().as_secs_f64() / f64::from(runs);
    let state = AlertState::compute_in(&alerts, &scope, now);
    println!(
        "state: 七尾市 from {} alerts ({} in force, {} in 72 h history): {:.1} µs per recompute",
        alerts.len(),
        state.in_force.len(),
        state.history_72h.len(),
        per * 1e6
    );

    let start = Instant::now();
    let index = AreaIndex::new(&alerts);
    let build = start.elapsed();
    let start = Instant::now();
    let mut found = 0;
    for _ in 0..10_000 {
        found += black_box(index.message_ids_in(&scope)).len();
    }
    println!(
        "index: built over {} alerts in {:.1} µs; lookup for 七尾市 ({} messages) {:.2} µs",
        alerts.len(),
        build.as_secs_f64() * 1e6,
        found / 10_000,
        start.elapsed().as_secs_f64() * 1e6 / 10_000.0
    );
}
