//! Fuzzing every parser a feed or a source can reach, on stable Rust, for a bounded time: 5374,
//! iCalendar, JMA, CAP, Atom, shelter CSV, the feeds and the time reader. No input may make one
//! panic: an input either parses or is refused with an error.
//!
//! A mutational fuzzer in one file (no coverage feedback: `cargo fuzz` needs nightly): each target
//! starts from its seeds — the real files in `../shared/data` it would read in production, and the
//! inputs kept in `fuzz/corpus/<target>/` of this crate (hand-made edge cases and every input that
//! ever made a parser panic, kept as regressions) — and mutates them with a seeded xorshift:
//! byte flips, random bytes, inserted and deleted runs, duplicated runs, splices of two seeds,
//! truncation, and the target's own tokens (markup, separators, multi-byte characters at any
//! byte offset, which is where slicing by byte position goes wrong).
//!
//! Budget: `MACHI_FUZZ_SECS` seconds in all (default 4, so `cargo test` stays quick;
//! `scripts/test` gives it more), split evenly over the targets; `MACHI_FUZZ_SEED` picks another
//! sequence. It prints every target's executions and time. An input that panics is written to
//! `fuzz/corpus/<target>/crash-<hash>` and the test fails naming it: fix the parser, keep the
//! file (it then runs first, every time).

use machi_data::alerts::{parse_atom_feed, parse_cap, parse_jma, parse_shelters_csv, ShelterList};
use machi_data::feed::{parse_feed, AlertsFeed, CityFeed, CityIndex, GarbageFeed};
use machi_data::garbage::{parse_5374, parse_ics, Files5374};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Inputs grow no larger than this (the largest seed is a 180 KB Atom feed).
const MAX_INPUT: usize = 512 * 1024;

/// Separates the files of a 5374 bundle: area_days, center, target, description, remarks.
const FILE_SEPARATOR: &[u8] = b"\n=====next-file=====\n";

struct Target {
    name: &'static str,
    /// Real files (relative to `../shared/data`) whose bytes are seeds.
    seeds: fn() -> Vec<Vec<u8>>,
    tokens: &'static [&'static str],
    run: fn(&[u8]),
}

const XML_TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "=\"",
    "\"",
    "&amp;",
    "&#x41;",
    "&#0;",
    "&#xD800;",
    "&lt;",
    "&bogus;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE r>",
    "xmlns=\"\"",
    " a=\"1\"",
    ":",
    "é",
    "あ",
    "\u{FEFF}",
    "\u{10FFFF}",
    "\0",
    "\r\n",
    "T",
    "+09:00",
    "Z",
    "2024-01-01T16:22:00+09:00",
    "NaN",
    "-1",
    "99999999999999999999",
    "発表",
    "取消",
    "訂正",
    "解除",
    "<Item>",
    "<Area>",
    "<Code>",
    "<Kind>",
    "<Name>",
    "<info>",
    "<area>",
    "<polygon>",
    "<geocode>",
    "<references>",
    "<entry>",
    "<link href=\"",
    "<id>",
];
const CSV_TOKENS: &[&str] = &[
    ",",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    "#",
    "*1",
    "*9999999999",
    ":",
    " ",
    "　",
    "月",
    "火 木",
    "月2",
    "水1 水3",
    "金4:6",
    "隔月20150112",
    "2026/12/29",
    "20261229",
    "2026-02-30",
    "é",
    "あ",
    "\u{FEFF}",
    "\u{FF9E}",
    "ｶﾞ",
    "\0",
    "\u{10FFFF}",
    "-",
    "999",
    "35.",
    "NaN",
    "inf",
    "1e308",
];
const ICS_TOKENS: &[&str] = &[
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "BEGIN:VTIMEZONE\r\n",
    "DTSTART;VALUE=DATE:",
    "DTSTART:",
    "20260101",
    "20260101T000000Z",
    "RRULE:FREQ=WEEKLY;BYDAY=MO",
    "RRULE:FREQ=MONTHLY;BYDAY=2TU",
    ";COUNT=",
    ";UNTIL=",
    ";INTERVAL=0",
    "EXDATE:",
    "SUMMARY:",
    "\r\n ",
    "\r\n\t",
    ":",
    ";",
    "=",
    "\\,",
    "é",
    "あ",
    "\u{FEFF}",
    "\r",
    "\n",
    "99999999",
    "-1",
];
const JSON_TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "null",
    "true",
    "1e999",
    "-0",
    "\"\\u0000\"",
    "\"\\ud800\"",
    "\"2026-01-01T00:00:0é+09:00\"",
    "\"2026-02-30\"",
    "\"version\":99",
    "\"version\":1",
    "é",
    "あ",
    "\u{FEFF}",
    "\"generated_at\":\"",
    "+09:00\"",
    "Z\"",
];
const TIME_TOKENS: &[&str] = &[
    "2026",
    "-",
    "T",
    "t",
    " ",
    ":",
    ".",
    "Z",
    "z",
    "+",
    "09",
    "00",
    "59",
    "60",
    "24",
    "é",
    "あ",
    "\u{FEFF}",
    "123456789",
    "0000000000",
    "02-29",
    "02-30",
    "13",
];

fn shared(relative: &str) -> Vec<u8> {
    machi_testdata::read(relative)
}

fn files_in(relative: &str, extension: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(machi_testdata::shared_data(relative))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn bundle_5374(city: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, file) in [
        "area_days.csv",
        "center.csv",
        "target.csv",
        "description.csv",
        "remarks.csv",
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            out.extend_from_slice(FILE_SEPARATOR);
        }
        let path = machi_testdata::shared_data(&format!("garbage/{city}"));
        if let Ok(bytes) = std::fs::read(path.join(file)) {
            // The first 60 lines of a long target.csv are as good a seed as its thousands, and
            // let the loop run ten times as often.
            let end = bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(60)
                .map_or(bytes.len(), |(i, _)| i + 1);
            out.extend_from_slice(&bytes[..end]);
        }
    }
    out
}

fn split_bundle(input: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = input;
    while let Some(at) = rest
        .windows(FILE_SEPARATOR.len())
        .position(|w| w == FILE_SEPARATOR)
    {
        parts.push(&rest[..at]);
        rest = &rest[at + FILE_SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

fn run_5374(input: &[u8]) {
    let parts = split_bundle(input);
    let part = |i: usize| parts.get(i).copied().filter(|p| !p.is_empty());
    let _ = parse_5374(&Files5374 {
        area_days: parts[0],
        center: part(1),
        target: part(2),
        description: part(3),
        remarks: part(4),
        area_days_name: None,
    });
}

/// Real feeds to start the feed target from: the JSON the hub writes, made here from real data.
fn feed_seeds() -> Vec<Vec<u8>> {
    let bytes = shared("alerts/jma_real/noto_2024-01/TsunamiAlarm.xml");
    let alerts = parse_jma(&bytes, "urn:seed").unwrap();
    let scope =
        machi_data::alerts::AreaScope::single(machi_data::alerts::AreaCode::new("tsunami:360"));
    let now = "2024-01-01T07:30:00Z".parse().unwrap();
    let alerts_feed = AlertsFeed::assemble(
        machi_data::feed::AlertsInput {
            alerts,
            scope: &scope,
            shelters: vec![],
            sources: vec!["jma".into()],
            last_success: Some(now),
            replay_newest_at: None,
        },
        now,
    );
    let (calendar, _) = parse_5374(&Files5374 {
        area_days: &shared("garbage/kanazawa/area_days.csv"),
        center: Some(&shared("garbage/kanazawa/center.csv")),
        remarks: Some(&shared("garbage/kanazawa/remarks.csv")),
        ..Default::default()
    })
    .unwrap();
    let garbage = GarbageFeed {
        version: 1,
        generated_at: now,
        source: "garbage".into(),
        calendar,
    };
    vec![
        serde_json::to_vec(&alerts_feed).unwrap(),
        serde_json::to_vec(&garbage).unwrap(),
        br#"{"version":1,"generated_at":"2026-11-22T00:00:00Z","cities":[{"id":"demo","name":{"ja":"\u307e\u3061"}}]}"#.to_vec(),
        br#"{"version":1,"generated_at":"2026-11-22T00:00:00+09:00","id":"demo","name":{"ja":"x"},"timezone":"Asia/Tokyo","areas":[],"sources":[]}"#.to_vec(),
    ]
}

fn run_feeds(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let _ = parse_feed::<AlertsFeed>(text);
    let _ = parse_feed::<GarbageFeed>(text);
    let _ = parse_feed::<CityFeed>(text);
    let _ = parse_feed::<CityIndex>(text);
}

fn run_time(input: &[u8]) {
    let text = String::from_utf8_lossy(input);
    let _ = machi_data::time::parse_datetime(&text);
    let _ = machi_data::time::parse_date(&text);
    if let Some(prefix) = text.get(..10) {
        let _ = machi_data::time::parse_date(prefix);
    }
}

fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "time",
            seeds: || {
                [
                    "2026-12-02T11:17:00+09:00",
                    "2026-12-02T02:17:02.123456789Z",
                    "2026-12-02",
                    "2024-02-29t00:00:00-05:30",
                ]
                .map(|s| s.as_bytes().to_vec())
                .to_vec()
            },
            tokens: TIME_TOKENS,
            run: run_time,
        },
        Target {
            name: "5374",
            seeds: || {
                ["kanazawa", "hachioji", "hakodate", "nara"]
                    .map(bundle_5374)
                    .to_vec()
            },
            tokens: CSV_TOKENS,
            run: run_5374,
        },
        Target {
            name: "ical",
            seeds: || files_in("garbage/narashino_ics", "ics"),
            tokens: ICS_TOKENS,
            run: |input| {
                let _ = parse_ics(input, "fuzz.ics", "秋津");
            },
        },
        Target {
            name: "jma",
            seeds: || {
                let mut seeds = files_in("alerts/jma_real/noto_2024-01", "xml");
                seeds.extend(files_in("alerts/jma_real", "xml"));
                seeds
            },
            tokens: XML_TOKENS,
            run: |input| {
                let _ = parse_jma(input, "fuzz.xml");
            },
        },
        Target {
            name: "cap",
            seeds: || files_in("alerts/cap", "xml"),
            tokens: XML_TOKENS,
            run: |input| {
                let _ = parse_cap(input, "fuzz.xml");
            },
        },
        Target {
            name: "atom",
            seeds: || files_in("alerts/jma_feeds", "xml"),
            tokens: XML_TOKENS,
            run: |input| {
                let _ = parse_atom_feed(input, "fuzz.xml");
            },
        },
        Target {
            name: "shelters",
            seeds: || {
                vec![
                    shared("shelters/nanao/open_shelter_Nanao-shi_2024-09-02-1800.csv"),
                    shared("shelters/kobe/okugaihinanjyo.csv"),
                ]
            },
            tokens: CSV_TOKENS,
            run: |input| {
                let _ = parse_shelters_csv(input, "fuzz.csv", ShelterList::EvacuationSites);
                let _ = parse_shelters_csv(input, "fuzz.csv", ShelterList::Shelters);
            },
        },
        Target {
            name: "feeds",
            seeds: feed_seeds,
            tokens: JSON_TOKENS,
            run: run_feeds,
        },
    ]
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>], tokens: &[&str]) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(9) {
            0 if len > 0 => input[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => input[at.min(len - 1)] = rng.next() as u8,
            2 => {
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                input.splice(at..at, bytes);
            }
            3 if len > 0 => {
                let end = (at + 1 + rng.below(64)).min(len);
                input.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                // Duplicate a run: repeated elements, attributes, columns, lines.
                let start = rng.below(len);
                let end = (start + 1 + rng.below(256)).min(len);
                let run = input[start..end].to_vec();
                for _ in 0..=rng.below(3) {
                    input.splice(at..at, run.iter().copied());
                }
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(1024)).min(other.len());
                    input.splice(at..at, other[start..end].iter().copied());
                }
            }
            6 if len > 0 => input.truncate(at),
            _ => {
                let token = tokens[rng.below(tokens.len())];
                input.splice(at..at, token.bytes());
            }
        }
    }
    input.truncate(MAX_INPUT);
}

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(corpus_dir(target)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.is_file())
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Runs `input` through the target; the panic's message if it panicked.
fn try_run(run: fn(&[u8]), input: &[u8]) -> Option<String> {
    panic::catch_unwind(AssertUnwindSafe(|| run(input)))
        .err()
        .map(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        })
}

fn keep_crash(target: &str, input: &[u8]) -> PathBuf {
    let dir = corpus_dir(target);
    std::fs::create_dir_all(&dir).unwrap();
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    let path = dir.join(format!("crash-{hash:016x}"));
    std::fs::write(&path, input).unwrap();
    path
}

#[test]
fn no_parser_panics_on_mutated_input() {
    let total = std::env::var("MACHI_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(4.0);
    let seed = std::env::var("MACHI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0x6d61_6368_6921);
    let targets = targets();
    let slice = Duration::from_secs_f64(total / targets.len() as f64);
    // Panics are expected to be caught here; their default report would flood the output.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut crashes = Vec::new();
    let mut all = 0u64;
    let started = Instant::now();
    for (n, target) in targets.iter().enumerate() {
        let kept = corpus(target.name);
        let mut seeds = (target.seeds)();
        seeds.extend(kept.iter().cloned());
        let mut rng = Rng(seed ^ ((n as u64 + 1) << 32) | 1);
        let t0 = Instant::now();
        let mut runs = 0u64;
        // The kept corpus first, every time (regressions), then the seeds as they are.
        for input in kept.iter().chain(&seeds) {
            runs += 1;
            if let Some(message) = try_run(target.run, input) {
                crashes.push((target.name, keep_crash(target.name, input), message));
            }
        }
        while t0.elapsed() < slice && crashes.len() < 10 {
            let mut input = seeds[rng.below(seeds.len())].clone();
            mutate(&mut rng, &mut input, &seeds, target.tokens);
            runs += 1;
            if let Some(message) = try_run(target.run, &input) {
                crashes.push((target.name, keep_crash(target.name, &input), message));
            }
        }
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "fuzz {:<9} {runs:>8} executions in {secs:6.1} s ({:>6.0}/s), {} seeds",
            target.name,
            runs as f64 / secs.max(1e-9),
            seeds.len()
        );
        all += runs;
    }
    panic::set_hook(hook);
    println!(
        "fuzz total: {all} executions in {:.1} s over {} targets (MACHI_FUZZ_SECS={total}, seed {seed})",
        started.elapsed().as_secs_f64(),
        targets.len()
    );
    assert!(
        crashes.is_empty(),
        "parsers panicked; inputs kept for regression:\n{}",
        crashes
            .iter()
            .map(|(t, p, m)| format!("  {t}: {} — {m}", p.display()))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
