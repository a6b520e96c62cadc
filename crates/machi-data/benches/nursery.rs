//! Nursery bench: parse 横浜市's two monthly tables (受入可能数 and 入所待ち人数, 1,221 facilities
//! each) and join them into a feed, as the hub does when a month arrives; then filter and sort the
//! 1,221 facilities the way the app does on every tap (the same `nursery::filter` the app runs),
//! and the size of the feed the app downloads.
//!
//! `cargo bench -p machi-data --bench nursery`; a plain `main` that prints figures (no harness),
//! reading the real files from `shared/data/nursery/yokohama/` beside the repository.

use machi_data::nursery::join::{assemble, NurseryInput, SourcedTable};
use machi_data::nursery::vacancies::parse_vacancies;
use machi_data::nursery::{filter, FacilityKind, Filter, Sort};
use machi_data::NurseryFeed;
use std::time::Instant;

const RUNS: u32 = 20;
const FILTER_RUNS: u32 = 1000;

fn feed(places: &[u8], waiting: &[u8]) -> NurseryFeed {
    let a = parse_vacancies(places, "yokohama/202408-kanou.csv").expect("parses");
    let b = parse_vacancies(waiting, "yokohama/202408-machi.csv").expect("parses");
    let fallback = chrono::NaiveDate::from_ymd_opt(2024, 8, 1).unwrap();
    let table = |t| SourcedTable {
        source: "vacancies",
        table: t,
        fallback_as_of: fallback,
        list: None,
    };
    assemble(
        NurseryInput {
            lists: vec![],
            tables: vec![table(&a), table(&b)],
            max_months: 12,
        },
        chrono::Utc::now(),
    )
    .0
}

fn main() {
    let places = machi_testdata::read("nursery/yokohama/202408-kanou.csv");
    let waiting = machi_testdata::read("nursery/yokohama/202408-machi.csv");

    let start = Instant::now();
    let mut f = feed(&places, &waiting);
    for _ in 1..RUNS {
        f = feed(&places, &waiting);
    }
    let join_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(RUNS);
    let json = serde_json::to_vec(&f).unwrap();

    // 横浜市役所 as "my location" (Yokohama's tables carry no coordinates and no hours, so this
    // case measures the pass over every facility and the fallback ordering).
    let from = Some((35.4507, 139.6340));
    let cases = [
        (
            "age 1, everything, by name",
            Filter {
                class: 1,
                sort: Sort::Name,
                ..Filter::default()
            },
        ),
        (
            "age 1, places only, by places",
            Filter {
                class: 1,
                open_only: true,
                sort: Sort::Places,
                ..Filter::default()
            },
        ),
        (
            "age 0, licensed only, pick-up 19:00, nearest first",
            Filter {
                class: 0,
                kind: Some(FacilityKind::Licensed),
                pickup: Some(19 * 60),
                from,
                sort: Sort::Distance,
                ..Filter::default()
            },
        ),
    ];
    println!(
        "nursery: 横浜市 2024-08: parse + join 受入可能数 and 入所待ち人数: {join_ms:.1} ms \
         ({} facilities, {} rows; feed {} KB of JSON)",
        f.facilities.len(),
        f.months[0].rows.len(),
        json.len() / 1024
    );
    for (name, case) in cases {
        let start = Instant::now();
        let mut n = 0;
        for _ in 0..FILTER_RUNS {
            n = filter(&f, &case).len();
        }
        let us = start.elapsed().as_secs_f64() * 1e6 / f64::from(FILTER_RUNS);
        println!(
            "nursery: filter {} facilities ({name}): {us:.0} µs → {n} shown",
            f.facilities.len()
        );
    }
}
