//! Real 5374 files of six cities and one real iCalendar, read from `shared/data/garbage/` next to
//! the repository (never copied into it), checked against days worked out by hand.
//!
//! Every expected date below was derived by reading the city's CSV row and looking the date up
//! in a printed calendar (Python's `calendar.month`); the comment above each shows the reasoning.

use chrono::NaiveDate;
use machi_data::garbage::{parse_5374, parse_ics, Files5374, GarbageCalendar, Warning};
use machi_testdata::shared_data;

fn data(path: &str) -> Vec<u8> {
    machi_testdata::read(&format!("garbage/{path}"))
}

fn optional(path: &str) -> Option<Vec<u8>> {
    std::fs::read(shared_data("garbage").join(path)).ok()
}

pub fn load(city: &str) -> (GarbageCalendar, Vec<Warning>) {
    let area_days = data(&format!("{city}/area_days.csv"));
    let (center, target, description, remarks) = (
        optional(&format!("{city}/center.csv")),
        optional(&format!("{city}/target.csv")),
        optional(&format!("{city}/description.csv")),
        optional(&format!("{city}/remarks.csv")),
    );
    let files = Files5374 {
        area_days: &area_days,
        center: center.as_deref(),
        target: target.as_deref(),
        description: description.as_deref(),
        remarks: remarks.as_deref(),
        area_days_name: None,
    };
    parse_5374(&files).unwrap_or_else(|e| panic!("{city}: {e}"))
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The Japanese labels of what goes out in `area` on `date`.
fn on(cal: &GarbageCalendar, area: &str, date: NaiveDate) -> Vec<String> {
    let a = cal
        .area_named(area)
        .unwrap_or_else(|| panic!("no area {area}"));
    cal.on(a, date)
        .into_iter()
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

/// The days of one category (by Japanese label) in `area` between two dates.
fn days(
    cal: &GarbageCalendar,
    area: &str,
    label: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<NaiveDate> {
    let a = cal
        .area_named(area)
        .unwrap_or_else(|| panic!("no area {area}"));
    let id = &cal
        .categories
        .iter()
        .find(|c| c.label.original() == Some(label))
        .unwrap()
        .id;
    cal.collection_days(a, from, to)
        .into_iter()
        .filter(|c| &c.category == id)
        .map(|c| c.date)
        .collect()
}

#[test]
fn every_city_parses() {
    for (city, areas, categories) in [
        ("kanazawa", 71, 4),
        ("hachioji", 135, 12),
        ("hakodate", 16, 4),
        ("meguro", 44, 3),
        ("nara", 370, 4),
        ("takamatsu", 35, 5),
    ] {
        let (cal, _) = load(city);
        assert_eq!(
            (cal.areas.len(), cal.categories.len()),
            (areas, categories),
            "{city}"
        );
        assert!(
            cal.areas.iter().all(|a| !a.schedules.is_empty()),
            "{city}: an area without schedules"
        );
    }
}

#[test]
fn clean_cities_have_no_warnings_and_the_typos_are_named() {
    for city in ["kanazawa", "meguro", "takamatsu"] {
        assert!(load(city).1.is_empty(), "{city}: {:?}", load(city).1);
    }
    let hakodate = load("hakodate").1;
    assert_eq!(hakodate.len(), 1);
    assert_eq!(
        hakodate[0].to_string(),
        "area_days.csv:15: column 6 (缶・びん・ペットボトル): \"2020024\": \"2020024\" is not a date written YYYYMMDD"
    );
    let hachioji = load("hachioji").1;
    // 9 cells write 隔火20150114 (a Wednesday), 4 write the impossible 隔金20150198, 1 item has no category.
    assert_eq!(hachioji.len(), 14);
    assert!(hachioji.iter().any(|w| w.to_string()
        == "area_days.csv:37: column 8 (紙パック): \"隔金20150198\": 20150198 is not a date in the calendar"));
}

// ---------------------------------------------------------------------------------------------
// 金沢市 (kanazawa): weekly and nth-weekday rules; 東部/西部管理センター closed 2022-12-30 … 2023-01-03.

#[test]
fn kanazawa_by_hand() {
    let (cal, _) = load("kanazawa");
    // 1. 浅野川 燃やすごみ 「月 木」: 2022-04-04 is a Monday.
    assert_eq!(on(&cal, "浅野川", d(2022, 4, 4)), ["燃やすごみ"]);
    // 2. 浅野川 燃やさないごみ 「水4」: April 2022 Wednesdays are 6, 13, 20, 27 → the 27th.
    assert_eq!(
        days(
            &cal,
            "浅野川",
            "燃やさないごみ",
            d(2022, 4, 1),
            d(2022, 4, 30)
        ),
        [d(2022, 4, 27)]
    );
    // 3. 浅野川 資源 「火1 火3 火5」: May 2022 Tuesdays 3, 10, 17, 24, 31 → 3, 17 and the 5th, 31.
    assert_eq!(
        days(&cal, "浅野川", "資源", d(2022, 5, 1), d(2022, 5, 31)),
        [d(2022, 5, 3), d(2022, 5, 17), d(2022, 5, 31)]
    );
    // 4. Same rule in June 2022: Tuesdays 7, 14, 21, 28 — no 5th Tuesday, so only 7 and 21.
    assert_eq!(
        days(&cal, "浅野川", "資源", d(2022, 6, 1), d(2022, 6, 30)),
        [d(2022, 6, 7), d(2022, 6, 21)]
    );
    // 5. 浅野川 あきびん 「水2」: June 2022 Wednesdays 1, 8, … → the 8th.
    assert_eq!(on(&cal, "浅野川", d(2022, 6, 8)), ["あきびん"]);
    // 6. 朝日 燃やすごみ 「火 金」: 2022-04-01 is a Friday.
    assert_eq!(on(&cal, "朝日", d(2022, 4, 1)), ["燃やすごみ"]);
    // 7. 朝日 燃やさないごみ 「月3」 and 資源 「月2 月4 月5」: August 2022 Mondays 1, 8, 15, 22, 29.
    assert_eq!(
        days(
            &cal,
            "朝日",
            "燃やさないごみ",
            d(2022, 8, 1),
            d(2022, 8, 31)
        ),
        [d(2022, 8, 15)]
    );
    assert_eq!(
        days(&cal, "朝日", "資源", d(2022, 8, 1), d(2022, 8, 31)),
        [d(2022, 8, 8), d(2022, 8, 22), d(2022, 8, 29)]
    );
    // 8. 泉野 (西部) 燃やさないごみ 「金3」: September 2022 Fridays 2, 9, 16, … → the 16th.
    assert_eq!(on(&cal, "泉野", d(2022, 9, 16)), ["燃やさないごみ"]);
    // 9. 浅野川 「月 木」: 2022-12-29 (Thu) is the day before the suspension → collected.
    assert_eq!(on(&cal, "浅野川", d(2022, 12, 29)), ["燃やすごみ"]);
    // 10. 朝日 「火 金」: 2022-12-30 (Fri) and 2023-01-03 (Tue) fall in 12-30 … 01-03 → skipped;
    //     the next collection is Friday 2023-01-06.
    assert_eq!(
        days(&cal, "朝日", "燃やすごみ", d(2022, 12, 27), d(2023, 1, 10)),
        [d(2022, 12, 27), d(2023, 1, 6), d(2023, 1, 10)]
    );
    // 11. 大浦 資源 「月1 月3 月5」: January 2023 Mondays 2, 9, 16, 23, 30; the 1st Monday (2nd) is
    //     suspended, so 16 and 30 remain.
    assert_eq!(
        days(&cal, "大浦", "資源", d(2023, 1, 1), d(2023, 1, 31)),
        [d(2023, 1, 16), d(2023, 1, 30)]
    );
    // 12. A whole year: 浅野川 燃やすごみ has a Monday and a Thursday every week. FY2022
    //     (2022-04-01 … 2023-03-31) has 52 Mondays and 52 Thursdays; 2022-12-29 is kept, and no
    //     Monday or Thursday falls in 12-30 … 01-03 (Fri, Sat, Sun, Mon 01-02!, Tue) except
    //     Monday 2023-01-02 → 104 − 1 = 103.
    assert_eq!(
        days(&cal, "浅野川", "燃やすごみ", d(2022, 4, 1), d(2023, 3, 31)).len(),
        103
    );
}

// ---------------------------------------------------------------------------------------------
// 八王子市 (hachioji, 2015): weekly and every-other-week rules anchored in January 2015.

#[test]
fn hachioji_by_hand() {
    let (cal, _) = load("hachioji");
    let a = "暁町１〜３丁目";
    // 1. 暁町 ペットボトル 「隔月20150112」: 2015-01-12 (Mon), then 01-26, 02-09 …
    assert_eq!(
        days(&cal, a, "ペットボトル", d(2015, 1, 1), d(2015, 2, 10)),
        [d(2015, 1, 12), d(2015, 1, 26), d(2015, 2, 9)]
    );
    // 2. Nothing before the anchor: Monday 2015-01-05 is not a ペットボトル day.
    assert!(!on(&cal, a, d(2015, 1, 5)).contains(&"ペットボトル".to_owned()));
    // 3. 暁町 びん 「隔水20150114」: 2015-04-08 is 84 days (6 fortnights) after 01-14 → collected.
    assert!(on(&cal, a, d(2015, 4, 8)).contains(&"びん".to_owned()));
    // 4. 暁町 かん 「隔水20150107」 alternates with びん: 01-14 is a びん week, 01-21 a かん week.
    assert_eq!(on(&cal, a, d(2015, 1, 21)), ["かん"]);
    // 5. 暁町 可燃ごみ 「火 金」 and プラスチック 「火」: Tuesday 2015-01-06 has both; 不燃/有害
    //    「隔金20150109」 are not on Tuesdays.
    assert_eq!(on(&cal, a, d(2015, 1, 6)), ["プラスチック", "可燃ごみ"]);
    // 6. 暁町 不燃ごみ and 有害ごみ 「隔金20150109」, with 可燃ごみ 「金」: Friday 2015-01-23 is
    //    01-09 + 14 → all three.
    assert_eq!(
        on(&cal, a, d(2015, 1, 23)),
        ["可燃ごみ", "不燃ごみ", "有害ごみ"]
    );
    // 7. 暁町 雑誌・雑紙, 紙パック, 段ボール 「隔木20150115」: Thursday 2015-01-29 = 01-15 + 14.
    assert_eq!(
        on(&cal, a, d(2015, 1, 29)),
        ["雑誌・雑紙", "紙パック", "段ボール"]
    );
    // 8. 旭町 古着・古布 「隔月20150119」: 2015-02-02 (01-19 + 14) yes, 2015-02-09 no.
    assert!(on(&cal, "旭町", d(2015, 2, 2)).contains(&"古着・古布".to_owned()));
    assert!(!on(&cal, "旭町", d(2015, 2, 9)).contains(&"古着・古布".to_owned()));
    // 9. 泉町 かん 「隔火20150114」: 01-14 is a Wednesday; the weekday written is 火, so the
    //    anchor becomes Tuesday 2015-01-13 and かん alternates with びん 「隔火20150106」.
    assert_eq!(
        days(&cal, "泉町", "かん", d(2015, 1, 1), d(2015, 1, 31)),
        [d(2015, 1, 13), d(2015, 1, 27)]
    );
    assert_eq!(
        days(&cal, "泉町", "びん", d(2015, 1, 1), d(2015, 1, 31)),
        [d(2015, 1, 6), d(2015, 1, 20)]
    );
    // 10. 北野町（1653・1654番地を除く） 紙パック 「隔金20150198」 is no date: no 紙パック days;
    //     its 段ボール 「隔金20150109」 still gives Friday 2015-01-23.
    let kitano = "北野町（1653・1654番地を除く）";
    assert!(days(&cal, kitano, "紙パック", d(2015, 1, 1), d(2015, 12, 31)).is_empty());
    assert!(on(&cal, kitano, d(2015, 1, 23)).contains(&"段ボール".to_owned()));
    // 11. The 2014 suspension (01-01 … 01-03) is in the past: 暁町 Friday 2015-01-02 is a 可燃ごみ day.
    assert!(on(&cal, a, d(2015, 1, 2)).contains(&"可燃ごみ".to_owned()));
}

// ---------------------------------------------------------------------------------------------
// 函館市 (hakodate, FY2019): every day listed as a date; 16 "カレンダー(n)" areas, no centre.

#[test]
fn hakodate_by_hand() {
    let (cal, _) = load("hakodate");
    let c1 = "カレンダー(1)";
    // 1. カレンダー(1) 燃やせるごみ lists 20190402 first.
    assert_eq!(on(&cal, c1, d(2019, 4, 2)), ["燃やせるごみ"]);
    // 2. …its 缶・びん・ペットボトル list starts with 20190403.
    assert_eq!(on(&cal, c1, d(2019, 4, 3)), ["缶・びん・ペットボトル"]);
    // 3. …プラスチック容器包装 starts with 20190404, 燃やせないごみ with 20190410.
    assert_eq!(on(&cal, c1, d(2019, 4, 4)), ["プラスチック容器包装"]);
    assert_eq!(on(&cal, c1, d(2019, 4, 10)), ["燃やせないごみ"]);
    // 4. カレンダー(2) プラスチック容器包装 starts with 20190401 (a Monday).
    assert_eq!(
        on(&cal, "カレンダー(2)", d(2019, 4, 1)),
        ["プラスチック容器包装"]
    );
    // 5. カレンダー(1) 燃やせるごみ lists Sunday 20191229 (an extra year-end day), then nothing
    //    until 20200106.
    assert_eq!(
        days(&cal, c1, "燃やせるごみ", d(2019, 12, 27), d(2020, 1, 10)),
        [
            d(2019, 12, 27),
            d(2019, 12, 29),
            d(2020, 1, 6),
            d(2020, 1, 10)
        ]
    );
    // 6. The cell holds 104 dates, not in order (Tuesdays to 20200331 first, then Fridays, the
    //    last token being 20200131): all 104 count, and Tuesday 20200331 is one of them.
    assert_eq!(
        days(&cal, c1, "燃やせるごみ", d(2019, 4, 1), d(2020, 3, 31)).len(),
        104
    );
    assert_eq!(on(&cal, c1, d(2020, 3, 31)), ["燃やせるごみ"]);
    // 7. カレンダー(14) 燃やせないごみ starts with 20190408.
    assert_eq!(
        on(&cal, "カレンダー(14)", d(2019, 4, 8)),
        ["燃やせないごみ"]
    );
    // 8. カレンダー(14) 缶・びん・ペットボトル: 20200210, then the typo 2020024 (meant 20200224),
    //    then 20200309: the typo is dropped, not guessed.
    assert_eq!(
        days(
            &cal,
            "カレンダー(14)",
            "缶・びん・ペットボトル",
            d(2020, 2, 1),
            d(2020, 3, 15)
        ),
        [d(2020, 2, 10), d(2020, 3, 9)]
    );
    // 9. カレンダー(15) 缶・びん・ペットボトル in 2020: 0115, 0129, 0212, 0226, 0311, 0325.
    assert_eq!(
        days(
            &cal,
            "カレンダー(15)",
            "缶・びん・ペットボトル",
            d(2020, 1, 1),
            d(2020, 12, 31)
        )
        .len(),
        6
    );
    // 10. Outside the fiscal year the city listed, there is nothing: 2020-04-07 is empty.
    assert!(on(&cal, c1, d(2020, 4, 7)).is_empty());
}

// ---------------------------------------------------------------------------------------------
// 目黒区 (meguro, 2015): weekly and "1st and 3rd" rules, no centre file rows.

#[test]
fn meguro_by_hand() {
    let (cal, _) = load("meguro");
    let aoba = "青葉台一丁目から四丁目"; // 可燃ごみ 火 金, 不燃ごみ 土1 土3, 資源 木
                                         // 1. August 2015 Saturdays are 1, 8, 15, 22, 29: 土1 土3 → 1 and 15.
    assert_eq!(
        days(&cal, aoba, "不燃ごみ", d(2015, 8, 1), d(2015, 8, 31)),
        [d(2015, 8, 1), d(2015, 8, 15)]
    );
    // 2. 資源 「木」: 2015-08-06 is a Thursday.
    assert_eq!(on(&cal, aoba, d(2015, 8, 6)), ["資源"]);
    // 3. 可燃ごみ 「火 金」: 2015-08-04 (Tue) and 2015-08-07 (Fri).
    assert_eq!(on(&cal, aoba, d(2015, 8, 4)), ["可燃ごみ"]);
    assert_eq!(on(&cal, aoba, d(2015, 8, 7)), ["可燃ごみ"]);
    // 4. No centre, so no suspension: 2016-01-01 is a Friday and a 可燃ごみ day.
    assert_eq!(on(&cal, aoba, d(2016, 1, 1)), ["可燃ごみ"]);
    let ooka = "大岡山一丁目・二丁目"; // 可燃ごみ 水 土, 不燃ごみ 月2 月4, 資源 金
                                       // 5. August 2015 Mondays 3, 10, 17, 24, 31: 月2 月4 → 10 and 24; the 5th (31) is not a day.
    assert_eq!(
        days(&cal, ooka, "不燃ごみ", d(2015, 8, 1), d(2015, 8, 31)),
        [d(2015, 8, 10), d(2015, 8, 24)]
    );
    assert!(on(&cal, ooka, d(2015, 8, 31)).is_empty());
    // 6. 可燃ごみ 「水 土」: Saturday 2015-08-01.
    assert_eq!(on(&cal, ooka, d(2015, 8, 1)), ["可燃ごみ"]);
    // 7. 資源 「金」: four Fridays in February 2015 (6, 13, 20, 27).
    assert_eq!(
        days(&cal, ooka, "資源", d(2015, 2, 1), d(2015, 2, 28)).len(),
        4
    );
    // 8. 下目黒六丁目 不燃ごみ 「木1 木3」: April 2015 Thursdays 2, 9, 16, 23, 30 → 2 and 16.
    assert_eq!(
        days(
            &cal,
            "下目黒六丁目",
            "不燃ごみ",
            d(2015, 4, 1),
            d(2015, 4, 30)
        ),
        [d(2015, 4, 2), d(2015, 4, 16)]
    );
    // 9. 祐天寺一丁目・二丁目 資源 「土」 and 可燃ごみ 「月 木」: Saturday 2015-03-28 → 資源 only.
    assert_eq!(on(&cal, "祐天寺一丁目・二丁目", d(2015, 3, 28)), ["資源"]);
    // 10. 中根一丁目 不燃ごみ 「月1 月3」: March 2015 Mondays 2, 9, 16, 23, 30 → 2 and 16.
    assert_eq!(
        days(
            &cal,
            "中根一丁目",
            "不燃ごみ",
            d(2015, 3, 1),
            d(2015, 3, 31)
        ),
        [d(2015, 3, 2), d(2015, 3, 16)]
    );
}

// ---------------------------------------------------------------------------------------------
// 奈良市 (nara, FY2016): weekly, every other week from April 2016, date lists ending in the
// 20991231 placeholder, and 「公社」 cells.

#[test]
fn nara_by_hand() {
    let (cal, _) = load("nara");
    let aogaki = "青垣町１〜３丁目"; // 火 金, 隔水20160406, 月, 20160630 20160728 20160825 20160922 20991231
                                     // 1. 燃やせないごみ 「隔水20160406」: 04-06, 04-20, 05-04 (04-06 + 28).
    assert_eq!(
        days(&cal, aogaki, "燃やせないごみ", d(2016, 4, 1), d(2016, 5, 5)),
        [d(2016, 4, 6), d(2016, 4, 20), d(2016, 5, 4)]
    );
    // 2. プラスチック製容器包装 「月」: 2016-04-04 is a Monday.
    assert_eq!(on(&cal, aogaki, d(2016, 4, 4)), ["プラスチック製容器包装"]);
    // 3. 再生資源ゴミ: the four listed dates; the 20991231 placeholder is not a day.
    assert_eq!(
        days(&cal, aogaki, "再生資源ゴミ", d(2016, 1, 1), d(2099, 12, 31)),
        [
            d(2016, 6, 30),
            d(2016, 7, 28),
            d(2016, 8, 25),
            d(2016, 9, 22)
        ]
    );
    // 4. Thursday 2016-06-30 is also no 燃やせるごみ day (火 金): only 再生資源ゴミ.
    assert_eq!(on(&cal, aogaki, d(2016, 6, 30)), ["再生資源ゴミ"]);
    // 5. 奈良市収集課 is closed 2015-12-29 … 2016-01-03: Tuesday 12-29 and Friday 01-01 skipped,
    //    Tuesday 2016-01-05 collected.
    assert_eq!(
        days(&cal, aogaki, "燃やせるごみ", d(2015, 12, 28), d(2016, 1, 6)),
        [d(2016, 1, 5)]
    );
    // 6. 青野町 燃やせないごみ 「隔水20160413」: nothing on 04-06 (before the anchor), then 04-13, 04-27.
    assert_eq!(
        days(
            &cal,
            "青野町",
            "燃やせないごみ",
            d(2016, 4, 1),
            d(2016, 4, 30)
        ),
        [d(2016, 4, 13), d(2016, 4, 27)]
    );
    // 7. 川上町（飯森町・長尾町） writes 「公社」 for three categories: collected by arrangement,
    //    no dates; its 再生資源ゴミ date 20160627 still counts.
    let kawakami = "川上町（飯森町・長尾町）";
    assert!(days(
        &cal,
        kawakami,
        "燃やせるごみ",
        d(2016, 4, 1),
        d(2017, 3, 31)
    )
    .is_empty());
    assert_eq!(on(&cal, kawakami, d(2016, 6, 27)), ["再生資源ゴミ"]);
    // 8. 尼辻北町（大宮通り南側） 再生資源ゴミ is only the placeholder: no days at all.
    assert!(days(
        &cal,
        "尼辻北町（大宮通り南側）",
        "再生資源ゴミ",
        d(2016, 1, 1),
        d(2099, 12, 31)
    )
    .is_empty());
    // 9. 大宮町１丁目（大宮通り南側） appears twice with the same days; kept once.
    assert_eq!(
        cal.areas
            .iter()
            .filter(|a| a.name.original() == Some("大宮町１丁目（大宮通り南側）"))
            .count(),
        1
    );
    // 10. 阿字万字町（ならまち大通り北側） (清美公社, closed 2015-01-01 … 01-03) 燃やせるごみ 「火 金」:
    //     Friday 2015-01-02 skipped, Tuesday 2015-01-06 collected.
    assert_eq!(
        days(
            &cal,
            "阿字万字町（ならまち大通り北側）",
            "燃やせるごみ",
            d(2014, 12, 31),
            d(2015, 1, 6)
        ),
        [d(2015, 1, 6)]
    );
}

// ---------------------------------------------------------------------------------------------
// 高松市 (takamatsu, FY2016): weekly and nth-weekday rules; クリーンセンター closed
// 2016-12-31 … 2017-01-03.

#[test]
fn takamatsu_by_hand() {
    let (cal, _) = load("takamatsu");
    let s = "新番丁"; // 月 木, 金2 金4, 水, 火1 火3, 火2 火4
                      // 1. 燃やせるごみ 「月 木」: 2016-04-04 is a Monday.
    assert_eq!(on(&cal, s, d(2016, 4, 4)), ["燃やせるごみ"]);
    // 2. 破砕ゴミ（有害ごみ） 「金2 金4」: April 2016 Fridays 1, 8, 15, 22, 29 → 8 and 22.
    assert_eq!(
        days(
            &cal,
            s,
            "破砕ゴミ（有害ごみ）",
            d(2016, 4, 1),
            d(2016, 4, 30)
        ),
        [d(2016, 4, 8), d(2016, 4, 22)]
    );
    // 3. 缶・びん・ペットボトル 「火1 火3」: May 2016 Tuesdays 3, 10, 17, 24, 31 → 3 and 17.
    assert_eq!(
        days(
            &cal,
            s,
            "缶・びん・ペットボトル",
            d(2016, 5, 1),
            d(2016, 5, 31)
        ),
        [d(2016, 5, 3), d(2016, 5, 17)]
    );
    // 4. 紙・布 「火2 火4」 in the same month → 10 and 24.
    assert_eq!(
        days(&cal, s, "紙・布", d(2016, 5, 1), d(2016, 5, 31)),
        [d(2016, 5, 10), d(2016, 5, 24)]
    );
    // 5. プラスチック容器包装 「水」: Wednesday 2016-05-04.
    assert_eq!(on(&cal, s, d(2016, 5, 4)), ["プラスチック容器包装"]);
    // 6. December 2016 Fridays 2, 9, 16, 23, 30: 金2 金4 → 9 and 23.
    assert_eq!(
        days(
            &cal,
            s,
            "破砕ゴミ（有害ごみ）",
            d(2016, 12, 1),
            d(2016, 12, 31)
        ),
        [d(2016, 12, 9), d(2016, 12, 23)]
    );
    // 7. Suspension 12-31 … 01-03: Monday 2017-01-02 skipped; Thursday 2016-12-29 and
    //    2017-01-05 collected.
    assert_eq!(
        days(&cal, s, "燃やせるごみ", d(2016, 12, 26), d(2017, 1, 6)),
        [d(2016, 12, 26), d(2016, 12, 29), d(2017, 1, 5)]
    );
    // 8. Wednesday 2017-01-04 is after the suspension: プラスチック容器包装 collected.
    assert_eq!(on(&cal, s, d(2017, 1, 4)), ["プラスチック容器包装"]);
    // 9. 亀阜 has 「火1 火4」 for 缶・びん・ペットボトル and 「火2 火4」 for 紙・布: on the 4th Tuesday
    //    of April 2016 (Tuesdays 5, 12, 19, 26 → the 26th) both go out.
    assert_eq!(
        on(&cal, "亀阜", d(2016, 4, 26)),
        ["缶・びん・ペットボトル", "紙・布"]
    );
    // 10. 屋島 燃やせるごみ 「火 金」 and 破砕 「木2 木4」: Thursday 2016-04-14 is the 2nd Thursday
    //     (7, 14, 21, 28) → 破砕ゴミ only.
    assert_eq!(on(&cal, "屋島", d(2016, 4, 14)), ["破砕ゴミ（有害ごみ）"]);
}

// ---------------------------------------------------------------------------------------------
// 習志野市 秋津 (narashino_ics, FY2023): an unofficial iCalendar with no DTSTAMP and no final CRLF.

#[test]
fn narashino_ics_by_hand() {
    let bytes = data("narashino_ics/R5calendar_akitsu.ics");
    let (cal, warnings) = parse_ics(&bytes, "R5calendar_akitsu.ics", "秋津").unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    // Categories come from the four SUMMARY texts, 「…の収集日」 dropped, in order of first appearance.
    let mut labels: Vec<&str> = cal
        .categories
        .iter()
        .map(|c| c.label.original().unwrap())
        .collect();
    labels.sort();
    assert_eq!(labels, ["有害ごみ", "燃えないごみ", "燃えるごみ", "資源物"]);
    let area = &cal.areas[0];
    let all = cal.collection_days(area, d(2023, 4, 1), d(2024, 3, 31));
    // 238 VEVENTs in the file, none repeated.
    assert_eq!(all.len(), 238);
    // The first events of the file: 20240229 資源物 (a leap day), 20230727 資源物, 20230726 燃えるごみ.
    assert_eq!(on(&cal, "秋津", d(2024, 2, 29)), ["資源物"]);
    assert_eq!(on(&cal, "秋津", d(2023, 7, 27)), ["資源物"]);
    assert_eq!(on(&cal, "秋津", d(2023, 7, 26)), ["燃えるごみ"]);
    assert_eq!(
        cal.category("burnable").unwrap().label.original(),
        Some("燃えるごみ")
    );
}
