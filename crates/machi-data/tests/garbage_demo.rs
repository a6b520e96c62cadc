//! The demo city's garbage calendar (`public/demo/garbage/`, written by the Machi project): it
//! must parse without a single warning, and its days are the ones its README promises.

use chrono::NaiveDate;
use machi_data::garbage::{
    fold, parse_5374, parse_5374_with, search_items, to_ics, Files5374, GarbageCalendar,
    ParseOptions, SuspensionPolicy, Warning,
};

fn demo(options: &ParseOptions) -> (GarbageCalendar, Vec<Warning>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../public/demo/garbage");
    let read = |f: &str| std::fs::read(format!("{dir}/{f}")).unwrap();
    let (a, c, t, d, r) = (
        read("area_days.csv"),
        read("center.csv"),
        read("target.csv"),
        read("description.csv"),
        read("remarks.csv"),
    );
    let files = Files5374 {
        area_days: &a,
        center: Some(&c),
        target: Some(&t),
        description: Some(&d),
        remarks: Some(&r),
        area_days_name: None,
    };
    parse_5374_with(&files, options).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn labels(cal: &GarbageCalendar, area: &str, date: NaiveDate) -> Vec<String> {
    let a = cal.area_named(area).unwrap();
    cal.on(a, date)
        .iter()
        .map(|id| {
            cal.category(id)
                .unwrap()
                .label
                .original()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn the_demo_parses_strictly_with_no_warnings() {
    let (cal, warnings) = demo(&ParseOptions {
        strict: true,
        ..Default::default()
    });
    assert!(warnings.is_empty());
    let names: Vec<&str> = cal
        .areas
        .iter()
        .map(|a| a.name.original().unwrap())
        .collect();
    assert_eq!(names, ["北地区", "南地区", "駅前", "山手"]);
    assert_eq!(cal.categories.len(), 7);
    assert!(cal.items.len() >= 60, "{}", cal.items.len());
    // target.csv is Shift_JIS + CRLF: the Japanese must have come through.
    assert!(cal
        .items
        .iter()
        .any(|i| i.name == "フライパン" && i.initial.as_deref() == Some("ふ")));
    assert!(cal
        .categories
        .iter()
        .all(|c| c.colour.is_some() && !c.description.is_empty()));
    let _ = parse_5374; // the default entry point is the same parser, lenient
}

#[test]
fn demo_days() {
    let (cal, _) = demo(&ParseOptions::default());
    // 北地区: 燃やすごみ 月 木; 2026-04-06 is a Monday.
    assert_eq!(labels(&cal, "北地区", d(2026, 4, 6)), ["燃やすごみ"]);
    // 北地区: 燃やさないごみ 水2 and ペットボトル 隔水20260408 on Wednesday 2026-04-08.
    assert_eq!(
        labels(&cal, "北地区", d(2026, 4, 8)),
        ["燃やさないごみ", "ペットボトル"]
    );
    // 駅前: 燃やさないごみ 水1 水5; April 2026 has five Wednesdays (1, 8, 15, 22, 29); the 29th is
    // also 04-15 + 14, a ペットボトル day (隔水20260415).
    assert_eq!(
        labels(&cal, "駅前", d(2026, 4, 29)),
        ["燃やさないごみ", "ペットボトル"]
    );
    // 北地区: 剪定枝 土2 only April–November: 2026-11-14 yes, 2026-12-12 no.
    assert_eq!(labels(&cal, "北地区", d(2026, 11, 14)), ["剪定枝"]);
    assert!(labels(&cal, "北地区", d(2026, 12, 12)).is_empty());
    let north = cal.area_named("北地区").unwrap();
    let pruning = north
        .schedules
        .iter()
        .find(|s| s.category == "prunings")
        .unwrap();
    assert_eq!(
        cal.remark(pruning.footnotes[0])
            .unwrap()
            .text
            .original()
            .unwrap()
            .chars()
            .take(3)
            .collect::<String>(),
        "剪定枝"
    );
    // Year end: the centres close 2026-12-29 … 2027-01-03. 北地区 月 木: Thursday 12-31 is
    // skipped, Monday 2027-01-04 collected.
    assert!(labels(&cal, "北地区", d(2026, 12, 31)).is_empty());
    assert_eq!(labels(&cal, "北地区", d(2027, 1, 4)), ["燃やすごみ"]);
    // 粗大ごみ: 12 listed dates over the fiscal year.
    let bulky = cal.collection_days(north, d(2026, 4, 1), d(2027, 3, 31));
    assert_eq!(bulky.iter().filter(|c| c.category == "bulky").count(), 12);
}

#[test]
fn the_demo_with_one_week_shifts() {
    let (cal, _) = demo(&ParseOptions {
        suspension_policy: SuspensionPolicy::ShiftOneWeek,
        ..Default::default()
    });
    // 北地区 ペットボトル 隔水20260408: 2026-12-30 is 266 days = 19 fortnights later, inside the
    // suspension. Shifted one week it goes out on Wednesday 2027-01-06; skipped, the next one
    // is 2027-01-13, and 01-06 (not 水2, the 13th) has nothing.
    assert_eq!(labels(&cal, "北地区", d(2027, 1, 6)), ["ペットボトル"]);
    let (skip, _) = demo(&ParseOptions::default());
    assert!(labels(&skip, "北地区", d(2027, 1, 6)).is_empty());
}

#[test]
fn the_demo_exports_to_ics_and_searches_items() {
    let (cal, _) = demo(&ParseOptions::default());
    let north = cal.area_named("北地区").unwrap();
    let ics = to_ics(
        north,
        &cal,
        d(2026, 4, 1),
        12,
        machi_i18n::Lang::from_code("en").unwrap(),
    );
    let events = ics.matches("BEGIN:VEVENT").count();
    assert_eq!(
        events,
        cal.collection_days(north, d(2026, 4, 1), d(2027, 3, 31))
            .len()
    );
    assert!(ics.contains("SUMMARY:Burnable waste\r\n"));
    assert!(ics.split("\r\n").all(|l| l.len() <= 75));

    let found: Vec<&str> = search_items(&cal, "ﾍﾟｯﾄ")
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    // Prefix matches first, then shorter names: カーペット contains ぺっと too.
    assert_eq!(
        found,
        ["ペットボトル", "カーペット", "しょうゆのペットボトル"]
    );
    assert_eq!(search_items(&cal, "ふらいぱん")[0].name, "フライパン");
    assert_eq!(fold("ﾌﾗｲﾊﾟﾝ"), fold("フライパン"));
}
