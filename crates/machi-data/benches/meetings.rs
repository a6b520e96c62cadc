//! Meetings bench: parse 高松市's 686 KB event list (every row looked at, the meeting rows read)
//! and Detroit's council calendar, then expand a year of meetings for a city with 50 bodies, each
//! a recurring series (weekly, fortnightly or monthly rules, with excluded dates and moved
//! occurrences), as the hub does when it prepares a city's feed; then write its calendar.
//!
//! `cargo bench -p machi-data --bench meetings`; a plain `main` that prints figures (no harness),
//! reading the real files from `shared/data/meetings/` beside the repository.

use chrono::NaiveDate;
use chrono_tz::Tz;
use machi_data::meetings::{
    expand, parse_event_list, parse_ical_meetings, CsvOptions, IcsLimits, IcsOptions, MeetingRules,
    MeetingSet,
};
use machi_testdata::read;
use std::fmt::Write as _;
use std::time::Instant;

const RUNS: u32 = 20;

fn time<T>(runs: u32, mut f: impl FnMut() -> T) -> (T, f64) {
    let start = Instant::now();
    let mut out = f();
    for _ in 1..runs {
        out = f();
    }
    (out, start.elapsed().as_secs_f64() * 1000.0 / runs as f64)
}

/// A council calendar of 50 bodies: every series from April 2026, its rule by body.
fn fifty_bodies() -> String {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    for b in 0..50 {
        let rule = match b % 3 {
            0 => "FREQ=WEEKLY;BYDAY=TU",
            1 => "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            _ => "FREQ=MONTHLY;BYDAY=2WE",
        };
        let hour = 9 + b % 8;
        let _ = write!(
            ics,
            "BEGIN:VEVENT\r\nUID:body-{b}@bench\r\nDTSTART;TZID=Asia/Tokyo:20260407T{hour:02}0000\r\n\
             DTEND;TZID=Asia/Tokyo:20260407T{:02}0000\r\nRRULE:{rule}\r\n\
             EXDATE;TZID=Asia/Tokyo:20260505T{hour:02}0000\r\nCATEGORIES:第{b}委員会\r\n\
             SUMMARY:第{b}委員会\r\nLOCATION:市役所 {}階\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:body-{b}@bench\r\nRECURRENCE-ID;TZID=Asia/Tokyo:20260616T{hour:02}0000\r\n\
             DTSTART;TZID=Asia/Tokyo:20260617T{hour:02}0000\r\nSUMMARY:第{b}委員会\r\nEND:VEVENT\r\n",
            hour + 2,
            1 + b % 5
        );
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

fn main() {
    let rules = MeetingRules {
        include: vec!["審議会".into(), "委員会".into(), "外部評価".into()],
        ..MeetingRules::default()
    };
    let csv = CsvOptions {
        timezone: Tz::Asia__Tokyo,
        rules: &rules,
    };
    let takamatsu = read("meetings/takamatsu/0081_event_list.csv");
    let ((set, _), ms) = time(RUNS, || {
        parse_event_list(&takamatsu, "0081.csv", &csv).expect("parses")
    });
    println!(
        "takamatsu event list ({} KB, 943 rows): {ms:.2} ms per parse, {} meetings",
        takamatsu.len() / 1024,
        set.series.len()
    );

    let options = IcsOptions {
        timezone: Tz::America__Detroit,
        limits: IcsLimits::default(),
    };
    let detroit = read("meetings/ics/detroit-meetings.ics");
    let ((set, _), ms) = time(RUNS, || {
        parse_ical_meetings(&detroit, "detroit.ics", &options).expect("parses")
    });
    println!(
        "detroit calendar ({} KB): {ms:.2} ms per parse, {} events",
        detroit.len() / 1024,
        set.series.len()
    );

    let options = IcsOptions {
        timezone: Tz::Asia__Tokyo,
        limits: IcsLimits::default(),
    };
    let ics = fifty_bodies();
    let ((set, _), ms) = time(RUNS, || {
        parse_ical_meetings(ics.as_bytes(), "fifty.ics", &options).expect("parses")
    });
    println!("50 bodies' recurring series: {ms:.2} ms per parse");
    let (from, to) = (
        NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
    );
    let sets: [(&str, &MeetingSet); 1] = [("council", &set)];
    let (expanded, ms) = time(RUNS, || expand(&sets, Tz::Asia__Tokyo, from, to));
    println!(
        "a year of 50 bodies: {ms:.2} ms per expansion, {} meetings",
        expanded.meetings.len()
    );
    let feed = machi_data::MeetingsFeed::assemble(
        machi_data::meetings::MeetingsInput {
            expanded: &expanded,
            ledger: &Default::default(),
            sources: vec!["council".into()],
            city: Tz::Asia__Tokyo,
            from,
            to,
            shift_days: 0,
        },
        chrono::Utc::now(),
    );
    let options = machi_data::meetings::CalendarOptions {
        lang: machi_i18n::Lang::SOURCE,
        city: "bench",
        city_name: "ベンチ市",
        timezone: "Asia/Tokyo",
        app: Some("https://machi.example"),
    };
    let (text, ms) = time(RUNS, || {
        machi_data::meetings::meetings_ics(&feed, &machi_data::feed::MeetingsOf::City, &options)
            .expect("the city's calendar")
    });
    println!(
        "its calendar ({} KB): {ms:.2} ms per write",
        text.len() / 1024
    );
}
