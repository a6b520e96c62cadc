//! The meeting readers on real files (`../shared/data/meetings/`) and the demo city's: every file
//! parses or is refused by name with a reason, and occurrences — recurrence rules, added and
//! excluded dates and changed occurrences included — fall on the dates worked out by hand below.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use machi_data::meetings::{
    expand, parse_event_list, parse_ical_meetings, parse_machi_csv, parse_news, CsvOptions,
    IcsLimits, IcsOptions, MeetingRules, MeetingSet, MeetingStatus,
};
use machi_testdata::{read, repo, shared_data};

fn ics(bytes: &[u8], name: &str, tz: Tz) -> MeetingSet {
    let (set, warnings) = parse_ical_meetings(
        bytes,
        name,
        &IcsOptions {
            timezone: tz,
            limits: IcsLimits::default(),
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "{name}: {warnings:?}");
    set
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The UTC instants of a set's meetings between two dates.
fn starts(set: &MeetingSet, tz: Tz, from: &str, to: &str) -> Vec<String> {
    expand(&[("s", set)], tz, d(from), d(to))
        .meetings
        .iter()
        .map(|m| {
            m.start
                .with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%MZ")
                .to_string()
        })
        .collect()
}

#[test]
fn every_meetings_file_parses_or_is_refused_by_name() {
    let dir = shared_data("meetings");
    let mut files = Vec::new();
    for entry in walk(&dir) {
        files.push(entry.strip_prefix(&dir).unwrap().display().to_string());
    }
    files.sort();
    let rules = MeetingRules::default();
    let csv = CsvOptions {
        timezone: Tz::Asia__Tokyo,
        rules: &rules,
    };
    let mut seen = 0;
    for file in &files {
        let bytes = read(&format!("meetings/{file}"));
        let outcome: Result<(usize, usize), String> = match file.rsplit('.').next() {
            Some("ics") => {
                let set = ics(&bytes, file, Tz::Asia__Tokyo);
                Ok((set.series.len(), 0))
            }
            Some("csv") => parse_event_list(&bytes, file, &csv)
                .map(|(s, _)| (s.series.len(), 0))
                .map_err(|e| e.to_string()),
            Some("rdf" | "xml") => parse_news(&bytes, file, "news", &rules)
                .map(|s| (0, s.notices.len()))
                .map_err(|e| e.to_string()),
            // Not a source: the column definitions of the 推奨データセット. Read as an event list,
            // it is refused for want of the columns, naming its header line.
            _ => parse_event_list(&bytes, file, &csv)
                .map(|(s, _)| (s.series.len(), 0))
                .map_err(|e| e.to_string()),
        };
        let expected: Result<(usize, usize), &str> = match file.as_str() {
            "ics/detroit-meetings.ics" => Ok((70, 0)),
            "ics/iserlohn-rat-der-stadt.ics" => Ok((7, 0)),
            "ics/macomb-meetings.ics" => Ok((4, 0)),
            // Events of 港区 and 藤沢市: classes and exhibitions, no meeting.
            "base_registry_events/o1-131032_g1-000304.csv" => Ok((0, 0)),
            "base_registry_events/o1-142051_g1-000304.csv" => Ok((0, 0)),
            // 高松市: the only rows naming a 審議会 recruit its members (公募, 募集).
            "takamatsu/0081_event_list.csv" => Ok((0, 0)),
            // 総務省: 電気通信紛争処理委員会（第213回）, 接続委員会（第57回）.
            "rss/soumu_go_jp_news.rdf" => Ok((0, 2)),
            "spec_cio_recommended_dataset_06_イベント一覧.md" => Err("no イベント名 column"),
            other => panic!("a new file in meetings/: {other}; say what it should give"),
        };
        match (&outcome, expected) {
            (Ok(got), Ok(want)) => assert_eq!(*got, want, "{file}"),
            (Err(e), Err(reason)) => {
                assert!(e.starts_with(file.as_str()), "{file}: {e}");
                assert!(e.contains(reason), "{file}: {e}");
            }
            _ => panic!("{file}: {outcome:?}, expected {expected:?}"),
        }
        seen += 1;
    }
    assert_eq!(seen, 8, "{files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn iserlohn_meetings_are_at_17_00_berlin_time_summer_or_winter() {
    let set = ics(
        &read("meetings/ics/iserlohn-rat-der-stadt.ics"),
        "iserlohn.ics",
        Tz::Europe__Berlin,
    );
    // Worked out by hand: 17:00 in Berlin is 16:00Z in winter (CET, UTC+1) and 15:00Z from
    // 29 March to 25 October 2026 (CEST, UTC+2). The file's VTIMEZONE, which has no
    // STANDARD/DAYLIGHT parts, is not needed: Europe/Berlin is an IANA name.
    assert_eq!(
        starts(&set, Tz::Europe__Berlin, "2025-01-01", "2027-01-01"),
        [
            "2025-12-09T16:00Z",
            "2026-01-28T16:00Z",
            "2026-02-17T16:00Z",
            "2026-05-05T15:00Z",
            "2026-07-14T15:00Z",
            "2026-10-13T15:00Z",
            "2026-12-15T16:00Z",
        ]
    );
    let e = expand(
        &[("s", &set)],
        Tz::Europe__Berlin,
        d("2025-01-01"),
        d("2027-01-01"),
    );
    assert_eq!(e.meetings[0].lang.as_deref(), Some("de"));
    assert_eq!(e.bodies[0].name, "Rat der Stadt Iserlohn");
    assert_eq!(e.bodies[0].kind, machi_data::meetings::BodyKind::Assembly);
    assert_eq!(e.meetings[0].place.as_deref(), Some("Saalbau Letmathe"));
    assert_eq!(e.meetings[5].place, None);
}

#[test]
fn detroit_and_macomb_fixed_offsets_and_their_minutes() {
    let detroit = ics(
        &read("meetings/ics/detroit-meetings.ics"),
        "detroit.ics",
        Tz::America__Detroit,
    );
    // TZID="UTC-04:00" is four hours behind UTC: 10:00 there is 14:00Z.
    let all = starts(&detroit, Tz::America__Detroit, "2025-06-01", "2025-06-04");
    assert_eq!(
        all[..3],
        [
            "2025-06-02T14:00Z",
            "2025-06-03T14:00Z",
            "2025-06-04T14:00Z"
        ]
    );
    let e = expand(
        &[("s", &detroit)],
        Tz::America__Detroit,
        d("2025-06-01"),
        d("2025-10-01"),
    );
    assert_eq!(e.meetings.len(), 70);
    let first = &e.meetings[0];
    assert_eq!(
        first.title,
        "Public Health and Safety Standing Committee: Meeting"
    );
    // The description's twice-escaped line breaks are read, and its links put in place.
    assert_eq!(
        first.materials.as_deref(),
        Some("https://pub-detroitmi.escribemeetings.com/FileStream.ashx?DocumentId=218983")
    );
    assert_eq!(
        first.minutes.as_deref(),
        Some("https://pub-detroitmi.escribemeetings.com/FileStream.ashx?DocumentId=219170")
    );
    assert_eq!(
        first.place.as_deref(),
        Some("1340 Coleman A. Young Municipal Center (313) 224-3443 Detroit, MI 48226")
    );
    let body = e.bodies.iter().find(|b| b.id == first.body).unwrap();
    assert_eq!(body.name, "Public Health and Safety Standing Committee");
    assert_eq!(e.bodies.len(), 9, "{:?}", e.bodies);

    let macomb = ics(
        &read("meetings/ics/macomb-meetings.ics"),
        "macomb.ics",
        Tz::America__Detroit,
    );
    assert_eq!(
        starts(&macomb, Tz::America__Detroit, "2026-03-24", "2026-03-25"),
        ["2026-03-24T15:00Z", "2026-03-25T09:00Z"]
    );
}

#[test]
fn the_demo_council_recurs_with_its_added_excluded_and_changed_sittings() {
    let path = repo().join("public/demo/meetings/council.ics");
    let set = ics(
        &std::fs::read(path).unwrap(),
        "council.ics",
        Tz::Asia__Tokyo,
    );
    // FREQ=MONTHLY;BYDAY=1WE from Wednesday 7 October 2026 at 10:00 JST (01:00Z), worked out on
    // a calendar: the first Wednesdays are 4 Nov (1 Nov is a Sunday), 2 Dec (1 Dec a Tuesday),
    // 6 Jan 2027 (1 Jan a Friday), 3 Feb, 3 Mar (1st a Monday), 7 Apr (1st a Thursday),
    // 5 May (EXDATE: none in Golden Week), 2 Jun; 16 Dec is added (RDATE).
    let e = expand(
        &[("s", &set)],
        Tz::Asia__Tokyo,
        d("2026-10-01"),
        d("2027-06-30"),
    );
    let got: Vec<(String, MeetingStatus, Option<String>)> = e
        .meetings
        .iter()
        .map(|m| {
            (
                m.start.format("%Y-%m-%d %H:%M").to_string(),
                m.status,
                m.place.clone(),
            )
        })
        .collect();
    let hall = Some("まち市役所 4階 議場".to_owned());
    let s = MeetingStatus::Scheduled;
    assert_eq!(
        got,
        [
            ("2026-10-07 10:00".into(), s, hall.clone()),
            ("2026-11-04 10:00".into(), s, hall.clone()),
            ("2026-12-02 10:00".into(), s, hall.clone()),
            ("2026-12-16 10:00".into(), s, hall.clone()),
            // RECURRENCE-ID: the January sitting is held in another hall.
            (
                "2027-01-06 10:00".into(),
                MeetingStatus::Changed,
                Some("まち市民会館 大ホール".to_owned())
            ),
            ("2027-02-03 10:00".into(), s, hall.clone()),
            ("2027-03-03 10:00".into(), s, hall.clone()),
            ("2027-04-07 10:00".into(), s, hall.clone()),
            ("2027-06-02 10:00".into(), s, hall.clone()),
        ]
    );
    // Each occurrence has its own stable id.
    let ids: std::collections::BTreeSet<_> = e.meetings.iter().map(|m| &m.id).collect();
    assert_eq!(ids.len(), 9);
    assert_eq!(
        e.meetings[0].materials.as_deref(),
        Some("https://www.city.machi.example/gikai/honkaigi/shiryo/")
    );
}

#[test]
fn the_demo_meetings_csv_has_its_moved_and_cancelled_meetings() {
    let path = repo().join("public/demo/meetings/meetings.csv");
    let rules = MeetingRules::default();
    let (set, warnings) = parse_machi_csv(
        &std::fs::read(path).unwrap(),
        "meetings.csv",
        &CsvOptions {
            timezone: Tz::Asia__Tokyo,
            rules: &rules,
        },
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let e = expand(
        &[("meetings", &set)],
        Tz::Asia__Tokyo,
        d("2026-09-01"),
        d("2027-04-01"),
    );
    let by_status = |s: MeetingStatus| e.meetings.iter().filter(|m| m.status == s).count();
    assert_eq!(by_status(MeetingStatus::Cancelled), 1);
    assert_eq!(by_status(MeetingStatus::Changed), 1);
    let moved = e
        .meetings
        .iter()
        .find(|m| m.status == MeetingStatus::Changed)
        .unwrap();
    assert_eq!(moved.start.to_rfc3339(), "2026-12-11T13:30:00+09:00");
    assert_eq!(
        moved.moved_from.map(|t| t.to_rfc3339()).as_deref(),
        Some("2026-12-10T10:00:00+09:00")
    );
    let councils = e
        .bodies
        .iter()
        .filter(|b| b.kind == machi_data::meetings::BodyKind::Council)
        .count();
    assert_eq!(councils, 2);
    let plan = e
        .meetings
        .iter()
        .find(|m| m.title == "第3回 まち市都市計画審議会")
        .unwrap();
    assert_eq!(plan.attend.seats, Some(10));
    assert_eq!(plan.attend.deadline, Some(d("2026-12-11")));
    assert_eq!(plan.attend.deadline_time.as_deref(), Some("17:00"));
    assert_eq!(plan.agenda.len(), 2);
}

#[test]
fn a_city_file_maps_its_meeting_rows() {
    // 高松市's 外部評価 (a public hearing) is a meeting when the city says so.
    let rules = MeetingRules {
        include: vec!["外部評価".into()],
        ..MeetingRules::default()
    };
    let (set, warnings) = parse_event_list(
        &read("meetings/takamatsu/0081_event_list.csv"),
        "0081.csv",
        &CsvOptions {
            timezone: Tz::Asia__Tokyo,
            rules: &rules,
        },
    )
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(set.series.len(), 1);
    let s = &set.series[0];
    assert_eq!(s.details.title, "令和２年度高松市外部評価");
    assert_eq!(
        s.details.place.as_deref(),
        Some("高松市役所１１階１１３会議室")
    );
    let e = expand(
        &[("s", &set)],
        Tz::Asia__Tokyo,
        d("2020-08-01"),
        d("2020-09-01"),
    );
    assert_eq!(
        e.meetings[0].start.to_rfc3339(),
        "2020-08-25T09:30:00+09:00"
    );
    assert_eq!(
        e.meetings[0].end.map(|t| t.to_rfc3339()).as_deref(),
        Some("2020-08-26T16:00:00+09:00")
    );
    // 港区's 子育て・教育 events are meetings for a city that says its category is.
    let rules = MeetingRules {
        categories: vec!["子育て・教育".into()],
        ..MeetingRules::default()
    };
    let (set, _) = parse_event_list(
        &read("meetings/base_registry_events/o1-131032_g1-000304.csv"),
        "minato.csv",
        &CsvOptions {
            timezone: Tz::Asia__Tokyo,
            rules: &rules,
        },
    )
    .unwrap();
    assert_eq!(set.series.len(), 4);
}

#[test]
fn the_shift_jis_news_feed_gives_notices_without_invented_dates() {
    let set = parse_news(
        &read("meetings/rss/soumu_go_jp_news.rdf"),
        "news.rdf",
        "news",
        &MeetingRules::default(),
    )
    .unwrap();
    let titles: Vec<&str> = set.notices.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "電気通信紛争処理委員会（第213回）の開催について",
            "情報通信行政・郵政行政審議会　電気通信事業部会　接続委員会（第57回）",
        ]
    );
    assert!(set.notices.iter().all(|n| n.date.is_none()));
    let published: DateTime<chrono::FixedOffset> = "2021-07-19T05:00:00+09:00".parse().unwrap();
    assert_eq!(set.notices[0].published, Some(published));
    assert_eq!(
        set.notices[0].url,
        "https://www.soumu.go.jp/main_sosiki/hunso/info/02shingi02_04000181.html"
    );
}
