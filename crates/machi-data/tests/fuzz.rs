//! Fuzzing every parser a feed or a source can reach, on stable Rust, for a bounded time: 5374,
//! iCalendar (garbage days), JMA, CAP, Atom, shelter CSV, nursery facility lists (子育て施設一覧
//! CSV, papamama GeoJSON/CSV) and vacancy tables, meetings (iCalendar with recurrence, the Machi
//! meeting CSV, イベント一覧 event lists, RSS/Atom news — each followed by the expansion and the
//! feed the hub makes of what it read), the feeds and the time reader. No input may make one
//! panic: an input either parses or is refused with an error; and none may take more than a
//! second (see "Slow inputs").
//!
//! A mutational fuzzer in one file (no coverage feedback: `cargo fuzz` needs nightly): each target
//! starts from its seeds — the real files in `../shared/data` it would read in production, the
//! demo city's files in `public/demo`, and the inputs kept in `fuzz/corpus/<target>/` of this
//! crate (hand-made edge cases and every input that ever made a parser panic or crawl, kept as
//! regressions) — and mutates them with a seeded xorshift: byte flips, random bytes, inserted and
//! deleted runs, duplicated runs, splices of two seeds, truncation, and the target's own tokens
//! (markup, separators, multi-byte characters at any byte offset, which is where slicing by byte
//! position goes wrong). Targets whose parser decodes Shift_JIS also start from their seeds in
//! Shift_JIS, insert Shift_JIS bytes (characters whose trail byte is `\` or `|`, lone lead bytes,
//! lead bytes before a separator) and run one input in four re-encoded to Shift_JIS.
//!
//! Budget: `MACHI_FUZZ_SECS` seconds in all (default 4, so `cargo test` stays quick;
//! `scripts/test` gives it more), split evenly over the targets; `MACHI_FUZZ_SEED` picks another
//! sequence; `MACHI_FUZZ_ONLY=meetings-ical,feeds` runs only those targets. It prints every
//! target's executions, time and slowest input. An input that panics is written to
//! `fuzz/corpus/<target>/crash-<hash>` and the test fails naming it: fix the parser, keep the
//! file (it then runs first, every time).
//!
//! Slow inputs: an input whose run takes more CPU time than `MACHI_FUZZ_SLOW_SECS` (default 1 s
//! in a release build, 10 s in a debug one, which is that much slower) is written to
//! `fuzz/corpus/<target>/slow-<hash>` and fails the test the same way.

use chrono::{Days, NaiveDate};
use chrono_tz::Tz;
use machi_data::alerts::{parse_atom_feed, parse_cap, parse_jma, parse_shelters_csv, ShelterList};
use machi_data::feed::{
    parse_feed, AlertsFeed, CityFeed, CityIndex, GarbageFeed, MeetingsFeed, MeetingsOf, NurseryFeed,
};
use machi_data::garbage::{parse_5374, parse_ics, Files5374};
use machi_data::meetings::{
    expand, meetings_ics, parse_event_list, parse_ical_meetings, parse_machi_csv, parse_news,
    CalendarOptions, CsvOptions, IcsLimits, IcsOptions, LedgerView, MeetingRules, MeetingSet,
    MeetingsInput,
};
use machi_data::nursery::facilities::{parse_facilities, FacilityList};
use machi_data::nursery::join::{assemble, NurseryInput, SourcedTable};
use machi_data::nursery::vacancies::{parse_vacancies, VacancyTable};
use machi_data::nursery::{Filter, Sort};
use machi_data::wire;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Inputs grow no larger than this (the largest seed is a 180 KB Atom feed).
const MAX_INPUT: usize = 512 * 1024;

/// Separates the files of a 5374 bundle: area_days, center, target, description, remarks.
const FILE_SEPARATOR: &[u8] = b"\n=====next-file=====\n";

struct Target {
    name: &'static str,
    /// Real files (relative to `../shared/data`, or the demo city's) whose bytes are seeds.
    seeds: fn() -> Vec<Vec<u8>>,
    tokens: &'static [&'static str],
    /// The parser decodes Shift_JIS: seeds, tokens and inputs in Shift_JIS too.
    shift_jis: bool,
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

/// Nursery facility lists and vacancy tables: CSV (and papamama's GeoJSON), era dates, marks,
/// full-width digits, the header names the readers look for.
const NURSERY_TOKENS: &[&str] = &[
    ",",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    ",,,,,,",
    " ",
    "　",
    "\u{FEFF}",
    "PK\u{3}\u{4}",
    "#",
    "#property",
    "名称",
    "施設名",
    "施設・事業名",
    "施設番号",
    "NO",
    "時点",
    "更新日",
    "種別",
    "区",
    "０歳児",
    "1歳児",
    "5歳児クラス",
    "3歳児待ち",
    "age0",
    "waiting5",
    "age99999999999999999999",
    "【令和６年８月１日時点】受入可能数",
    "入所待ち人数",
    "応募",
    "指数",
    "令和",
    "令和元年5月",
    "平成31年4月1日",
    "R6.8.1",
    "R0404",
    "r99999",
    "h",
    "2024-08-01",
    "2024/8/1",
    "2026年7月1日",
    "2/1現在",
    "９９９９９",
    "-",
    "―",
    "－",
    "ー",
    "空有",
    "若干名",
    "○",
    "×",
    "非公開",
    "65535",
    "65536",
    "0",
    "１２",
    "緯度",
    "経度",
    "\"35.6,139.7\"",
    "35.",
    "NaN",
    "inf",
    "1e308",
    "-0",
    "7:00",
    "１９時３０分",
    "6:15から22:00まで",
    "延長保育",
    "30:59",
    "99999:99999",
    "有",
    "無",
    "Y",
    "N",
    "Vacancy",
    "VacancyDate",
    "認可外",
    "こども園",
    "ｶﾞ",
    "é",
    "\0",
    "\u{10FFFF}",
    "{",
    "}",
    "[",
    "]",
    ":",
    "null",
    "\"features\":[",
    "{\"type\":\"Feature\",\"properties\":{\"Name\":\"x\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[141.3,43.0]}}",
    "\"properties\":{",
    "\"coordinates\":[",
    "\"Name\":",
    "\"Vacancy\":\"Y\"",
    "\"\\ud800\"",
    "1e999",
    "true",
];
/// Meeting CSVs (the Machi one and イベント一覧): separators, the header names, dates and times
/// as cities write them, statuses, URLs.
const MEETING_CSV_TOKENS: &[&str] = &[
    ",",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    " ",
    "　",
    "\u{FEFF}",
    "#",
    "#property",
    "会議体",
    "会議名",
    "開催日",
    "開始時刻",
    "終了時刻",
    "イベント名",
    "開始日",
    "終了日",
    "eventName",
    "startDate",
    "startTime",
    "申込締切",
    "変更前の日時",
    "住所市区町村",
    "主催者",
    "イベント種類",
    "令和8年12月15日",
    "平成",
    "2026-12-15",
    "2026/12/15",
    "12/15/2026",
    "16/5/2020",
    "20261215",
    "２０２６－１２－１５",
    "2026年12月15日（火）",
    "12月4日17時",
    "12/4 17:00",
    "2026-12-04T17:00",
    "99999999999999999999",
    "9223372036854775807",
    "4294967295",
    "2147483647",
    "262143",
    "0",
    "14:00",
    "１４：３０",
    "午後2時30分",
    "14時",
    "pm",
    "25:00",
    "23:59:59",
    "予定",
    "変更",
    "中止",
    "可",
    "一部",
    "約10人",
    "審議会",
    "委員会",
    "本会議",
    "募集",
    "https://city.example/a",
    "http://",
    "|",
    "｜",
    "；",
    "é",
    "あ",
    "ｶﾞ",
    "\0",
    "\u{10FFFF}",
];
/// Meeting calendars: iCalendar structure, time zones and every part of a recurrence.
const MEETING_ICS_TOKENS: &[&str] = &[
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "BEGIN:VTIMEZONE\r\nTZID:Mars\r\nTZOFFSETTO:+0900\r\nEND:VTIMEZONE\r\n",
    "BEGIN:VTIMEZONE\r\n",
    "END:VTIMEZONE\r\n",
    "TZOFFSETTO:-0430\r\n",
    "\r\nDTSTART;TZID=Asia/Tokyo:20261007T100000\r\n",
    "\r\nDTSTART;VALUE=DATE:20261007\r\n",
    "\r\nDTSTART:20261007T100000Z\r\n",
    "\r\nDTEND;TZID=Asia/Tokyo:20261007T120000\r\n",
    "\r\nDURATION:PT2H\r\n",
    "\r\nRRULE:FREQ=MONTHLY;BYDAY=1WE\r\n",
    "\r\nRRULE:FREQ=DAILY\r\n",
    "\r\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n",
    "\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=10\r\n",
    "\r\nEXDATE;TZID=Asia/Tokyo:20270505T100000\r\n",
    "\r\nEXDATE;VALUE=DATE:20270505\r\n",
    "\r\nRDATE;TZID=Asia/Tokyo:20261216T100000\r\n",
    "\r\nRDATE;VALUE=PERIOD:20261216T100000/PT1H\r\n",
    "\r\nRECURRENCE-ID;TZID=Asia/Tokyo:20270106T100000\r\n",
    "\r\nRECURRENCE-ID;VALUE=DATE:20270106\r\n",
    "\r\nUID:x\r\n",
    "\r\nSEQUENCE:4294967296\r\n",
    "\r\nSTATUS:CANCELLED\r\n",
    "\r\nCATEGORIES:まち市議会 本会議,委員会\\,A\r\n",
    "\r\nSUMMARY;LANGUAGE=de:Rat\r\n",
    "\r\nDESCRIPTION:資料：https://a/1\\n会議録: https://a/2\r\n",
    "\r\nLOCATION:https://meet.example/x\r\n",
    "FREQ=",
    "DAILY",
    "WEEKLY",
    "MONTHLY",
    "YEARLY",
    "HOURLY",
    "SECONDLY",
    ";COUNT=",
    ";COUNT=0",
    ";COUNT=4294967295",
    ";UNTIL=",
    ";UNTIL=20261231T235959",
    ";UNTIL=20261231",
    ";UNTIL=19000101T000000Z",
    ";INTERVAL=",
    ";INTERVAL=0",
    ";INTERVAL=65535",
    ";BYDAY=",
    "-1FR",
    "53MO",
    "2TU,-1SU",
    ";BYMONTHDAY=",
    "-31",
    ";BYMONTH=",
    "13",
    ";BYYEARDAY=366",
    ";BYWEEKNO=53",
    ";BYSETPOS=-1",
    ";BYHOUR=1,2",
    ";BYHOUR=25",
    ";BYMINUTE=1",
    ";WKST=SU",
    ";TZID=",
    ";TZID=\"UTC-04:00\"",
    ";TZID=Mars/Olympus",
    ";TZID=/mozilla.org/20050126_1/Europe/Berlin",
    ";TZID=Tokyo Standard Time",
    ";VALUE=DATE",
    ";LANGUAGE=ja",
    "EXDATE:",
    "RDATE:",
    "RECURRENCE-ID:",
    "DTSTART:",
    "DURATION:",
    "P99999999999999W",
    "-PT1H",
    "P1D",
    "T",
    "Z",
    "20260101",
    "20260101T000000",
    "20261231T235959Z",
    "99991231",
    "99991231T235959",
    "00000101",
    "19000101T000000",
    "+2621431231T000000",
    "+262143",
    "-262144",
    "+0900",
    "-1400",
    "+9999",
    ",",
    "\r\n ",
    "\r\n\t",
    ":",
    ";",
    "=",
    "\"",
    "\\,",
    "\\n",
    "\\\\n",
    "é",
    "あ",
    "\u{FEFF}",
    "\r",
    "\n",
    "99999999",
    "-1",
];
/// News feeds: RSS 1.0 (RDF), RSS 2.0 and Atom markup and the dates their texts state.
const NEWS_TOKENS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "=\"",
    "\"",
    "&amp;",
    "&#x41;",
    "&#0;",
    "&lt;",
    "&bogus;",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE r>",
    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">",
    "<rss version=\"2.0\"><channel>",
    "</channel></rss>",
    "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<item rdf:about=\"https://city.example/a\">",
    "<item>",
    "</item>",
    "<entry>",
    "</entry>",
    "<title>",
    "</title>",
    "<title>都市計画審議会の開催（12月15日）</title>",
    "<link>https://city.example/b</link>",
    "<link rel=\"alternate\" href=\"https://city.example/c\"/>",
    "<category term=\"審議会\"/>",
    "<dc:subject>",
    "<dc:date>2021-07-19T05:00:00+09:00</dc:date>",
    "<pubDate>Mon, 30 Nov 2026 09:00:00 +0900</pubDate>",
    "<updated>2026-11-30T00:00:00Z</updated>",
    "<description>",
    "</description>",
    "審議会",
    "委員会",
    "募集",
    "12月15日",
    "１月１２日",
    "令和3年8月2日",
    "平成2147483647年1月1日",
    "2147483647年12月31日",
    "4294967296月1日",
    "12月99999999999日",
    "月",
    "日",
    "年",
    "令和",
    "+14:00",
    "-23:59",
    "9999-12-31T23:59:59Z",
    "Fri, 31 Dec 9999 23:59:59 -2359",
    "é",
    "あ",
    "\u{FEFF}",
    "\0",
    "\r\n",
];
/// Shift_JIS text the readers meet, encoded when the targets start; and bytes that are not.
const SHIFT_JIS_TEXT: &[&str] = &[
    "あ",
    "令和６年８月１日時点",
    "保育園",
    "０歳児",
    "空有",
    "―",
    "～",
    "〜",
    "－",
    // Trail byte 0x5C (a backslash): 表, ソ, 能, 十.
    "表",
    "ソ",
    "能",
    "十",
    // Trail byte 0x7C (`|`): ポ; NEC and IBM extensions Excel writes.
    "ポ",
    "①",
    "㈱",
    "髙",
    "ｱ",
    "ｶﾞ",
    "審議会",
    "１２月１５日",
];
const SHIFT_JIS_BYTES: &[&[u8]] = &[
    b"\x81",
    b"\x82",
    b"\x9f",
    b"\xe0",
    b"\xfc",
    b"\x81\x7f",
    b"\x82\x2c",
    b"\x82\x22",
    b"\x82\x0a",
    b"\x80",
    b"\xa0",
    b"\xfd",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
];

fn to_shift_jis(bytes: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let (out, _, _) = encoding_rs::SHIFT_JIS.encode(text);
    Some(out.into_owned())
}

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

/// A file of the demo city (`public/demo/{relative}`).
fn demo(relative: &str) -> Vec<u8> {
    let path = machi_testdata::repo().join("public/demo").join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.{extension}` file of a demo folder.
fn demo_files(relative: &str, extension: &str) -> Vec<Vec<u8>> {
    let dir = machi_testdata::repo().join("public/demo").join(relative);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// The first `n` lines of a long file: as good a seed as its thousands, and the loop runs more
/// often.
fn first_lines(bytes: Vec<u8>, n: usize) -> Vec<u8> {
    let end = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(n)
        .map_or(bytes.len(), |(i, _)| i + 1);
    bytes[..end].to_vec()
}

/// The first `n` features of a GeoJSON FeatureCollection (papamama's have hundreds, on one
/// line), written back with the rest of the document.
fn geojson_head(bytes: Vec<u8>, n: usize) -> Vec<u8> {
    let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    if let Some(features) = json.get_mut("features").and_then(|f| f.as_array_mut()) {
        features.truncate(n);
    }
    serde_json::to_vec(&json).unwrap()
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
    // The demo city's nursery and meetings feeds, as the hub makes them.
    let list = demo_list();
    let tables: Vec<VacancyTable> = demo_files("nursery/vacancies", "csv")
        .iter()
        .map(|b| parse_vacancies(b, "vacancies.csv").unwrap())
        .collect();
    let (nursery, _) = assemble(
        NurseryInput {
            lists: vec![("facilities", list)],
            tables: tables
                .iter()
                .map(|table| SourcedTable {
                    source: "vacancies",
                    table,
                    fallback_as_of: date(2026, 12, 1),
                    list: None,
                })
                .collect(),
            max_months: machi_data::feed::NURSERY_MONTHS,
        },
        now,
    );
    let options = IcsOptions {
        timezone: CITY,
        limits: IcsLimits::default(),
    };
    let mut set = parse_ical_meetings(&demo("meetings/council.ics"), "council.ics", &options)
        .unwrap()
        .0;
    let csv_options = CsvOptions {
        timezone: CITY,
        rules: meeting_rules(),
    };
    let csv = parse_machi_csv(&demo("meetings/meetings.csv"), "m.csv", &csv_options).unwrap();
    set.series.extend(csv.0.series);
    let news = parse_news(
        &demo("meetings/news.xml"),
        "news.xml",
        "news",
        meeting_rules(),
    )
    .unwrap();
    set.notices = news.notices;
    set.notice_bodies = news.notice_bodies;
    let (from, to) = (date(2026, 10, 1), date(2027, 3, 31));
    let expanded = expand(&[("demo", &set)], CITY, from, to);
    let meetings = MeetingsFeed::assemble(
        MeetingsInput {
            expanded: &expanded,
            ledger: &LedgerView::default(),
            sources: vec!["demo".into()],
            city: CITY,
            from,
            to,
            shift_days: 7,
        },
        now,
    );
    vec![
        serde_json::to_vec(&alerts_feed).unwrap(),
        serde_json::to_vec(&garbage).unwrap(),
        serde_json::to_vec(&nursery).unwrap(),
        serde_json::to_vec(&meetings).unwrap(),
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
    if let Ok(feed) = parse_feed::<NurseryFeed>(text) {
        run_nursery_feed(&feed);
    }
    let _ = parse_feed::<MeetingsFeed>(text);
}

/// Bytes a postcard feed is made of: varint edges (zero, one, the largest one-byte values, a
/// continued byte) and a date as the feeds write it.
const POSTCARD_TOKENS: &[&str] = &[
    "\0",
    "\u{1}",
    "\u{7f}",
    "\u{80}",
    "\u{ff}",
    "2026-12-05T00:00:00Z",
];

/// The same feeds as the app reads them: postcard (machi-data's `wire`).
fn postcard_seeds() -> Vec<Vec<u8>> {
    fn twin<T: serde::Serialize + serde::de::DeserializeOwned>(json: &[u8]) -> Option<Vec<u8>> {
        let feed = parse_feed::<T>(std::str::from_utf8(json).ok()?).ok()?;
        Some(wire::to_bytes(&feed))
    }
    let mut seeds = Vec::new();
    for json in feed_seeds() {
        seeds.extend(twin::<AlertsFeed>(&json));
        seeds.extend(twin::<GarbageFeed>(&json));
        seeds.extend(twin::<NurseryFeed>(&json));
        seeds.extend(twin::<MeetingsFeed>(&json));
        seeds.extend(twin::<CityIndex>(&json));
        seeds.extend(twin::<CityFeed>(&json));
    }
    assert!(seeds.len() >= 4, "the JSON seeds read as feeds");
    seeds
}

/// Any bytes read as any feed give a feed or an error, never a panic (or a runaway allocation
/// from a length prefix).
fn run_postcard(input: &[u8]) {
    let _ = wire::from_bytes::<AlertsFeed>(input);
    let _ = wire::from_bytes::<GarbageFeed>(input);
    let _ = wire::from_bytes::<CityFeed>(input);
    let _ = wire::from_bytes::<CityIndex>(input);
    if let Ok(feed) = wire::from_bytes::<NurseryFeed>(input) {
        run_nursery_feed(&feed);
    }
    let _ = wire::from_bytes::<MeetingsFeed>(input);
}

/// The city zone of the meeting targets.
const CITY: Tz = Tz::Asia__Tokyo;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// What the hub does with every meeting set it reads: expands it within a window around "now"
/// (the demo's, and one around the set's first meeting, as a hub running then would), assembles
/// the feed (moved by whole weeks, as the demo's is) and writes the city's iCalendar of it.
fn run_expansion(set: &MeetingSet) {
    let mut windows = vec![(date(2026, 10, 1), date(2027, 3, 31))];
    if let Some(first) = set.series.first() {
        let day = first.start.date();
        if (1970..=2100).contains(&chrono::Datelike::year(&day)) {
            windows.push((day - Days::new(366), day + Days::new(400)));
        }
    }
    let now = "2026-12-02T00:00:00Z".parse().unwrap();
    for (from, to) in windows {
        let expanded = expand(&[("fuzz", set)], CITY, from, to);
        let feed = MeetingsFeed::assemble(
            MeetingsInput {
                expanded: &expanded,
                ledger: &LedgerView::default(),
                sources: vec!["fuzz".into()],
                city: CITY,
                from,
                to,
                shift_days: 7,
            },
            now,
        );
        for lang in [
            machi_i18n::Lang::SOURCE,
            machi_i18n::Lang::from_code("en").unwrap(),
        ] {
            let _ = meetings_ics(
                &feed,
                &MeetingsOf::City,
                &CalendarOptions {
                    lang,
                    city: "fuzz",
                    city_name: "まち市",
                    timezone: "Asia/Tokyo",
                    app: Some("https://machi.example"),
                },
            );
        }
    }
}

fn meeting_rules() -> &'static MeetingRules {
    static RULES: OnceLock<MeetingRules> = OnceLock::new();
    RULES.get_or_init(|| MeetingRules {
        categories: vec!["会議".into(), "審議会".into()],
        ..MeetingRules::default()
    })
}

fn run_meetings_ical(input: &[u8]) {
    let options = IcsOptions {
        timezone: CITY,
        limits: IcsLimits::default(),
    };
    if let Ok((set, _)) = parse_ical_meetings(input, "fuzz.ics", &options) {
        run_expansion(&set);
    }
}

fn run_meetings_csv(input: &[u8]) {
    let options = CsvOptions {
        timezone: CITY,
        rules: meeting_rules(),
    };
    if let Ok((set, _)) = parse_machi_csv(input, "fuzz.csv", &options) {
        run_expansion(&set);
    }
}

fn run_meetings_events(input: &[u8]) {
    let options = CsvOptions {
        timezone: CITY,
        rules: meeting_rules(),
    };
    if let Ok((set, _)) = parse_event_list(input, "fuzz.csv", &options) {
        run_expansion(&set);
    }
}

fn run_meetings_news(input: &[u8]) {
    if let Ok(set) = parse_news(input, "fuzz.xml", "news", meeting_rules()) {
        run_expansion(&set);
    }
}

/// The demo city's facility list: what a vacancy table is joined to.
fn demo_list() -> &'static FacilityList {
    static LIST: OnceLock<FacilityList> = OnceLock::new();
    LIST.get_or_init(|| {
        parse_facilities(&demo("nursery/facilities.csv"), "facilities.csv").unwrap()
    })
}

/// What the hub does with nursery sources it reads: joins the lists and tables into the feed;
/// and what the app does with the feed: the openings and every sort of the list.
fn run_nursery_join(lists: &[&FacilityList], tables: &[&VacancyTable]) {
    let mut sourced: Vec<SourcedTable<'_>> = Vec::new();
    for (i, list) in lists.iter().enumerate() {
        if let Some(flags) = &list.flags {
            sourced.push(SourcedTable {
                source: "list",
                table: flags,
                fallback_as_of: date(2026, 12, 1),
                list: Some(i),
            });
        }
    }
    for table in tables {
        sourced.push(SourcedTable {
            source: "table",
            table,
            fallback_as_of: date(2026, 12, 1),
            list: None,
        });
    }
    let (feed, _) = assemble(
        NurseryInput {
            lists: lists.iter().map(|l| ("list", *l)).collect(),
            tables: sourced,
            max_months: machi_data::feed::NURSERY_MONTHS,
        },
        "2026-12-02T00:00:00Z".parse().unwrap(),
    );
    run_nursery_feed(&feed);
}

fn run_nursery_feed(feed: &NurseryFeed) {
    let _ = feed.openings();
    for (class, sort) in [
        (0, Sort::Distance),
        (2, Sort::Places),
        (5, Sort::Name),
        (9, Sort::Places),
    ] {
        let _ = machi_data::nursery::filter(
            feed,
            &Filter {
                class,
                open_only: class == 2,
                pickup: (class == 5).then_some(19 * 60),
                from: (class != 5).then_some((31.5, 141.5)),
                within_km: (class == 0).then_some(5.0),
                sort,
                ..Filter::default()
            },
        );
    }
}

fn run_nursery_facilities(input: &[u8]) {
    if let Ok(list) = parse_facilities(input, "fuzz.csv") {
        run_nursery_join(&[&list], &[]);
    }
}

fn run_nursery_vacancies(input: &[u8]) {
    // The file name can carry the date (`R0404_…`).
    if let Ok(table) = parse_vacancies(input, "fuzz/R0404_fuzz.csv") {
        run_nursery_join(&[demo_list()], &[&table]);
        run_nursery_join(&[], &[&table, &table]);
    }
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
            shift_jis: false,
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
            shift_jis: true,
            run: run_5374,
        },
        Target {
            name: "ical",
            seeds: || files_in("garbage/narashino_ics", "ics"),
            tokens: ICS_TOKENS,
            shift_jis: true,
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
            shift_jis: false,
            run: |input| {
                let _ = parse_jma(input, "fuzz.xml");
            },
        },
        Target {
            name: "cap",
            seeds: || files_in("alerts/cap", "xml"),
            tokens: XML_TOKENS,
            shift_jis: false,
            run: |input| {
                let _ = parse_cap(input, "fuzz.xml");
            },
        },
        Target {
            name: "atom",
            seeds: || files_in("alerts/jma_feeds", "xml"),
            tokens: XML_TOKENS,
            shift_jis: false,
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
            shift_jis: true,
            run: |input| {
                let _ = parse_shelters_csv(input, "fuzz.csv", ShelterList::EvacuationSites);
                let _ = parse_shelters_csv(input, "fuzz.csv", ShelterList::Shelters);
            },
        },
        Target {
            name: "nursery-facilities",
            seeds: || {
                // The first facilities of each list: as good seeds as their hundreds, and the
                // loop runs more often.
                let mut seeds: Vec<Vec<u8>> = [
                    "nursery/yaizu/222127_preschool.csv",
                    "nursery/takamatsu/0013_nursery_school.csv",
                    "nursery/minato-ku/hoikuen.csv",
                    "nursery/chiba/nurseryData.csv",
                    "nursery/koriyama/nurseryData.csv",
                ]
                .map(|f| first_lines(shared(f), 40))
                .to_vec();
                seeds.extend(
                    [
                        "nursery/koriyama/nurseryFacilities.geojson",
                        "nursery/chiba/nurseryFacilities.geojson",
                        "nursery/sapporo/nurseryFacilities.geojson",
                    ]
                    .map(|f| geojson_head(shared(f), 25)),
                );
                seeds.push(shared("nursery/hachioji/kosodateshisetuitiran.xlsx"));
                seeds.push(demo("nursery/facilities.csv"));
                seeds
            },
            tokens: NURSERY_TOKENS,
            shift_jis: true,
            run: run_nursery_facilities,
        },
        Target {
            name: "nursery-vacancies",
            seeds: || {
                let mut seeds: Vec<Vec<u8>> = [
                    "nursery/yokohama/202408-kanou.csv",
                    "nursery/yokohama/202408-machi.csv",
                ]
                .map(|f| first_lines(shared(f), 80))
                .to_vec();
                seeds.extend(
                    [
                        // Small already.
                        "nursery/taito-ku/R0404_nyuendaiichijiriyouchoseikekka.csv",
                        "nursery/taito-ku/R0304_nyuendaiichijiriyouchoseikekka.csv",
                        "nursery/minato-ku/hoikuen_saiteishisu.csv",
                        "nursery/machida/nursery_data.csv",
                    ]
                    .map(shared),
                );
                seeds.extend(demo_files("nursery/vacancies", "csv"));
                seeds.extend(demo_files("nursery/next-month", "csv"));
                seeds
            },
            tokens: NURSERY_TOKENS,
            shift_jis: true,
            run: run_nursery_vacancies,
        },
        Target {
            name: "meetings-ical",
            seeds: || {
                let mut seeds = files_in("meetings/ics", "ics");
                seeds.push(demo("meetings/council.ics"));
                seeds
            },
            tokens: MEETING_ICS_TOKENS,
            shift_jis: true,
            run: run_meetings_ical,
        },
        Target {
            name: "meetings-csv",
            seeds: || vec![demo("meetings/meetings.csv")],
            tokens: MEETING_CSV_TOKENS,
            shift_jis: true,
            run: run_meetings_csv,
        },
        Target {
            name: "meetings-events",
            seeds: || {
                let mut seeds = files_in("meetings/base_registry_events", "csv");
                // 高松市's 5,700 lines: the `#` rows and the first events are enough.
                seeds.push(first_lines(
                    shared("meetings/takamatsu/0081_event_list.csv"),
                    120,
                ));
                seeds
            },
            tokens: MEETING_CSV_TOKENS,
            shift_jis: true,
            run: run_meetings_events,
        },
        Target {
            name: "meetings-news",
            seeds: || {
                let mut seeds = vec![
                    shared("meetings/rss/soumu_go_jp_news.rdf"),
                    demo("meetings/news.xml"),
                ];
                seeds.extend(files_in("alerts/jma_feeds", "xml"));
                seeds
            },
            tokens: NEWS_TOKENS,
            shift_jis: true,
            run: run_meetings_news,
        },
        Target {
            name: "feeds",
            seeds: feed_seeds,
            tokens: JSON_TOKENS,
            shift_jis: false,
            run: run_feeds,
        },
        Target {
            name: "postcard-feeds",
            seeds: postcard_seeds,
            tokens: POSTCARD_TOKENS,
            shift_jis: false,
            run: run_postcard,
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

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>], tokens: &[Vec<u8>]) {
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
                let token = &tokens[rng.below(tokens.len())];
                input.splice(at..at, token.iter().copied());
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

/// Runs `input` through the target: the panic's message if it panicked, and the CPU time it took.
fn try_run(run: fn(&[u8]), input: &[u8]) -> (Option<String>, Duration) {
    let t0 = machi_testdata::cpu_time();
    let result = panic::catch_unwind(AssertUnwindSafe(|| run(input)));
    let took = machi_testdata::cpu_time().saturating_sub(t0);
    let message = result.err().map(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    });
    (message, took)
}

/// Writes `input` to `fuzz/corpus/<target>/<kind>-<hash>`.
fn keep(target: &str, kind: &str, input: &[u8]) -> PathBuf {
    let dir = corpus_dir(target);
    std::fs::create_dir_all(&dir).unwrap();
    let hash = input.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    let path = dir.join(format!("{kind}-{hash:016x}"));
    std::fs::write(&path, input).unwrap();
    path
}

/// What one target's run found.
#[derive(Default)]
struct Findings {
    /// Target, kept input, what went wrong.
    failures: Vec<(&'static str, PathBuf, String)>,
}

impl Findings {
    fn check(&mut self, target: &Target, input: &[u8], slow: Duration, slowest: &mut Duration) {
        let (panicked, took) = try_run(target.run, input);
        *slowest = (*slowest).max(took);
        if let Some(message) = panicked {
            self.failures
                .push((target.name, keep(target.name, "crash", input), message));
        } else if took > slow {
            self.failures.push((
                target.name,
                keep(target.name, "slow", input),
                format!(
                    "took {:.2} s of CPU time (more than {:.2} s)",
                    took.as_secs_f64(),
                    slow.as_secs_f64()
                ),
            ));
        }
    }
}

fn env_f64(name: &str) -> Option<f64> {
    std::env::var(name).ok().and_then(|s| s.parse::<f64>().ok())
}

#[test]
fn no_parser_panics_on_mutated_input() {
    let total = env_f64("MACHI_FUZZ_SECS").unwrap_or(4.0);
    let slow = Duration::from_secs_f64(
        env_f64("MACHI_FUZZ_SLOW_SECS").unwrap_or(if cfg!(debug_assertions) { 10.0 } else { 1.0 }),
    );
    let seed = std::env::var("MACHI_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0x6d61_6368_6921);
    let only = std::env::var("MACHI_FUZZ_ONLY").ok();
    let targets: Vec<Target> = targets()
        .into_iter()
        .filter(|t| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|n| n == t.name))
        })
        .collect();
    let slice = Duration::from_secs_f64(total / targets.len().max(1) as f64);
    let shift_jis_tokens: Vec<Vec<u8>> = SHIFT_JIS_TEXT
        .iter()
        .filter_map(|t| to_shift_jis(t.as_bytes()))
        .chain(SHIFT_JIS_BYTES.iter().map(|b| b.to_vec()))
        .collect();
    // Panics are expected to be caught here; their default report would flood the output.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut found = Findings::default();
    let mut all = 0u64;
    let started = Instant::now();
    for (n, target) in targets.iter().enumerate() {
        let kept = corpus(target.name);
        let mut seeds = (target.seeds)();
        if target.shift_jis {
            // The seeds in Shift_JIS too (those that are UTF-8, as most files are).
            let encoded: Vec<Vec<u8>> = seeds
                .iter()
                .filter_map(|s| to_shift_jis(s))
                .filter(|e| !seeds.contains(e))
                .collect();
            seeds.extend(encoded);
        }
        seeds.extend(kept.iter().cloned());
        let mut tokens: Vec<Vec<u8>> = target
            .tokens
            .iter()
            .map(|t| t.as_bytes().to_vec())
            .collect();
        if target.shift_jis {
            tokens.extend(shift_jis_tokens.iter().cloned());
        }
        let mut rng = Rng(seed ^ ((n as u64 + 1) << 32) | 1);
        let t0 = Instant::now();
        let mut runs = 0u64;
        let mut slowest = Duration::ZERO;
        let before = found.failures.len();
        // The kept corpus first, every time (regressions), then the seeds as they are.
        for input in kept.iter().chain(&seeds) {
            runs += 1;
            found.check(target, input, slow, &mut slowest);
        }
        while t0.elapsed() < slice && found.failures.len() - before < 10 {
            let mut input = seeds[rng.below(seeds.len())].clone();
            mutate(&mut rng, &mut input, &seeds, &tokens);
            if target.shift_jis && rng.below(4) == 0 {
                if let Some(encoded) = to_shift_jis(&input) {
                    input = encoded;
                    input.truncate(MAX_INPUT);
                }
            }
            runs += 1;
            found.check(target, &input, slow, &mut slowest);
        }
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "fuzz {:<18} {runs:>8} executions in {secs:6.1} s ({:>6.0}/s), {} seeds, slowest {:.3} s",
            target.name,
            runs as f64 / secs.max(1e-9),
            seeds.len(),
            slowest.as_secs_f64()
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
        found.failures.is_empty(),
        "parsers panicked or crawled; inputs kept for regression:\n{}",
        found
            .failures
            .iter()
            .map(|(t, p, m)| format!("  {t}: {} — {m}", p.display()))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
