//! Garbage bench: parse the largest city's 5374 files (by area count) and compute a full year of
//! collection days for every area, as the hub does when it publishes and sends reminders.
//!
//! `cargo bench -p machi-data --bench garbage`; a plain `main` that prints figures (no harness),
//! reading the real files from `shared/data/garbage/` beside the repository.

use chrono::NaiveDate;
use machi_data::garbage::{parse_5374, Files5374, GarbageCalendar};
use machi_testdata::shared_data;
use std::time::Instant;

const CITIES: [&str; 6] = [
    "kanazawa",
    "hachioji",
    "hakodate",
    "meguro",
    "nara",
    "takamatsu",
];
const RUNS: u32 = 20;

fn read(city: &str, file: &str) -> Option<Vec<u8>> {
    std::fs::read(shared_data(&format!("garbage/{city}")).join(file)).ok()
}

fn parse(city: &str) -> GarbageCalendar {
    let files = [
        "area_days.csv",
        "center.csv",
        "target.csv",
        "description.csv",
        "remarks.csv",
    ]
    .map(|f| read(city, f));
    let f = Files5374 {
        area_days: files[0].as_deref().expect("area_days.csv"),
        center: files[1].as_deref(),
        target: files[2].as_deref(),
        description: files[3].as_deref(),
        remarks: files[4].as_deref(),
        area_days_name: None,
    };
    parse_5374(&f).expect("parses").0
}

fn main() {
    let Some(largest) = CITIES.iter().copied().max_by_key(|c| parse(c).areas.len()) else {
        return;
    };
    let from = NaiveDate::from_ymd_opt(2016, 4, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2017, 3, 31).unwrap();

    let start = Instant::now();
    let mut calendar = GarbageCalendar::default();
    for _ in 0..RUNS {
        calendar = parse(largest);
    }
    let parse_ms = start.elapsed().as_secs_f64() * 1000.0 / RUNS as f64;

    let start = Instant::now();
    let mut days = 0;
    for _ in 0..RUNS {
        days = calendar
            .areas
            .iter()
            .map(|a| calendar.collection_days(a, from, to).len())
            .sum::<usize>();
    }
    let compute_ms = start.elapsed().as_secs_f64() * 1000.0 / RUNS as f64;

    let start = Instant::now();
    let tomorrow = NaiveDate::from_ymd_opt(2016, 6, 30).unwrap();
    let mut reminders = 0;
    for _ in 0..RUNS {
        reminders = calendar
            .areas
            .iter()
            .filter(|a| !calendar.on(a, tomorrow).is_empty())
            .count();
    }
    let on_ms = start.elapsed().as_secs_f64() * 1000.0 / RUNS as f64;

    println!("garbage bench: {largest} (largest by area count), mean of {RUNS} runs");
    println!("  areas:                 {}", calendar.areas.len());
    println!("  days computed:         {days} ({from} … {to}, every area)");
    println!("  parse (5 files):       {parse_ms:.2} ms (includes reading them from disk)");
    println!("  compute (full year):   {compute_ms:.2} ms");
    println!("  total:                 {:.2} ms", parse_ms + compute_ms);
    println!("  on(tomorrow), all areas: {on_ms:.3} ms ({reminders} areas with a collection)");
}
