//! From series to dated meetings: recurring series are expanded (the `rrule` crate) within a
//! window around the hub's "now", changed occurrences put in place of the ones they replace,
//! every time put in the municipality's zone; then the feed is assembled with what the hub's
//! change ledger knows (how often each meeting changed, which ones the source stopped listing)
//! and, for the demo city only, moved by whole weeks so it is always upcoming.
//!
//! Bounds: at most [`MAX_PER_SERIES`] occurrences of one series and [`MAX_MEETINGS`] in all;
//! at most [`MAX_STEPS`] days of recurrence stepped through per city; `rrule`'s own iteration
//! limit stops rules that never match (`FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`), and at most
//! [`MAX_BARREN_RULES`] of them are tried per city (each costs that limit).

use super::error::MeetingError;
use super::ical::localize;
use super::model::{stable_id, Body, Meeting, MeetingStatus, Notice};
use super::set::{Details, MeetingSet, Series, Start};
use crate::feed::{MeetingsFeed, FEED_VERSION};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap};

/// Occurrences of one series, at most (a weekly meeting for 19 years).
pub const MAX_PER_SERIES: u16 = 1000;
/// Meetings in one city's feed, at most.
pub const MAX_MEETINGS: usize = 5000;
/// Days of recurrence stepped through for one city, at most: a rule makes at most one
/// occurrence a day (the reader refuses finer ones), so a series costs the days from its start
/// to the window's end, and those a rare rule steps through to its next date (see
/// `Found::gap_days`). 250 daily series since 1970; about a second of CPU.
pub const MAX_STEPS: i64 = 5_000_000;
/// Recurrence rules that give no date at all (`FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`) tried for
/// one city, at most: `rrule` finds that out only at its iteration limit, tens of milliseconds
/// each time; the city's series with a rule after them are left out.
pub const MAX_BARREN_RULES: usize = 4;

/// The dated meetings of a city's sources within a window, in the city's zone.
#[derive(Debug, Clone, Default)]
pub struct Expanded {
    pub meetings: Vec<Meeting>,
    pub bodies: Vec<Body>,
    pub notices: Vec<Notice>,
    /// Series that could not be expanded, and caps reached (for the log).
    pub problems: Vec<String>,
}

/// A series' start as the `rrule` crate takes it: a whole day starts at midnight in the city.
pub(crate) fn rrule_start(start: &Start, city: Tz) -> DateTime<rrule::Tz> {
    let t = to_instant(start, city);
    t.with_timezone(&rrule::Tz::Tz(t.timezone()))
}

fn to_instant(start: &Start, city: Tz) -> DateTime<Tz> {
    match start {
        Start::At(t) => *t,
        Start::Day(d) => localize(city, d.and_time(NaiveTime::MIN)),
    }
}

/// The time as the feed writes it: in the city's zone, with its offset.
fn in_city(start: &Start, city: Tz) -> DateTime<FixedOffset> {
    to_instant(start, city).with_timezone(&city).fixed_offset()
}

/// The body id of a name as published.
pub fn body_id(name: &str) -> String {
    stable_id("b-", &[name.trim()])
}

/// Expands every source's series between `from` and `to` (dates in the city's zone, both
/// included). `sets` pairs each source's id with what it published.
pub fn expand(sets: &[(&str, &MeetingSet)], city: Tz, from: NaiveDate, to: NaiveDate) -> Expanded {
    let mut out = Expanded::default();
    let mut bodies: BTreeMap<String, Body> = BTreeMap::new();
    let window_start = localize(city, from.and_time(NaiveTime::MIN));
    let window_end = localize(city, to.and_time(NaiveTime::MIN) + Duration::days(1));
    let mut steps = 0i64;
    let mut barren = 0usize;
    // Each bound is reported once, at the series it stopped.
    let (mut over_steps, mut over_barren, mut full) = (false, false, false);
    for (source, set) in sets {
        for series in &set.series {
            if out.meetings.len() >= MAX_MEETINGS {
                if !full {
                    full = true;
                    out.problems.push(format!(
                        "{source}: line {}: more than {MAX_MEETINGS} meetings in the window; this \
                         series and the next ones are left out",
                        series.line
                    ));
                }
                continue;
            }
            let ruled = series.recurrence.as_ref().is_some_and(|r| r.rule.is_some());
            if ruled && barren >= MAX_BARREN_RULES {
                if !over_barren {
                    over_barren = true;
                    out.problems.push(format!(
                        "{source}: line {}: more than {MAX_BARREN_RULES} recurrence rules that \
                         give no date; this series and the next ones with a rule are left out",
                        series.line
                    ));
                }
                continue;
            }
            if series.recurrence.is_some() {
                steps += (to - series.start.date()).num_days().max(0);
                if steps > MAX_STEPS {
                    if !over_steps {
                        over_steps = true;
                        out.problems.push(format!(
                            "{source}: line {}: more than {MAX_STEPS} days of recurrence to step \
                             through; this series and the next ones are left out",
                            series.line
                        ));
                    }
                    continue;
                }
            }
            let id = body_id(&series.body);
            bodies.entry(id.clone()).or_insert_with(|| Body {
                id: id.clone(),
                name: series.body.trim().to_owned(),
                name_lang: (!super::ical::has_japanese(&series.body))
                    .then(|| series.lang.clone())
                    .flatten(),
                kind: series.body_kind,
            });
            match occurrences(series, city, window_start, window_end) {
                Ok(found) => {
                    if found.barren {
                        barren += 1;
                        out.problems.push(format!(
                            "{source}: line {}: its RRULE gives no date at all; only its RDATEs \
                             are read",
                            series.line
                        ));
                    }
                    steps += found.gap_days;
                    let room = MAX_MEETINGS - out.meetings.len();
                    if found.list.len() > room {
                        full = true;
                        out.problems.push(format!(
                            "{source}: line {}: more than {MAX_MEETINGS} meetings in the window; \
                             the rest of this series and the next ones are left out",
                            series.line
                        ));
                    }
                    for o in found.list.into_iter().take(room) {
                        out.meetings.push(meeting(source, series, &id, o, city));
                    }
                }
                Err(e) => out.problems.push(format!("{source}: {}", e.message)),
            }
        }
        for (name, kind) in &set.notice_bodies {
            let id = body_id(name);
            bodies.entry(id.clone()).or_insert_with(|| Body {
                id,
                name: name.trim().to_owned(),
                name_lang: None,
                kind: *kind,
            });
        }
        out.notices.extend(set.notices.iter().cloned());
    }
    out.meetings
        .sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
    out.meetings.dedup_by(|a, b| a.id == b.id);
    // Only the bodies that have a meeting in the window, or a notice.
    let used: std::collections::BTreeSet<&str> = out
        .meetings
        .iter()
        .map(|m| m.body.as_str())
        .chain(out.notices.iter().filter_map(|n| n.body.as_deref()))
        .collect();
    out.bodies = bodies
        .into_values()
        .filter(|b| used.contains(b.id.as_str()))
        .collect();
    out.bodies
        .sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.name.cmp(&b.name)));
    out
}

/// One occurrence: the start it was first given (its identity), when it is, and what it is.
struct Occurrence<'a> {
    key: Option<Start>,
    start: Start,
    end: Option<Start>,
    details: &'a Details,
}

/// A series' occurrences in a window, and what finding them cost.
struct Found<'a> {
    list: Vec<Occurrence<'a>>,
    /// The series' rule gives no date at all.
    barren: bool,
    /// Days `rrule` stepped through that the window does not account for: to the rule's second
    /// date (finding its first two), and as far again as they are apart past the window (a rule
    /// such as `FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO` searches years for its next date).
    gap_days: i64,
}

fn occurrences<'a>(
    series: &'a Series,
    city: Tz,
    from: DateTime<Tz>,
    to: DateTime<Tz>,
) -> Result<Found<'a>, MeetingError> {
    let in_window = |s: &Start, e: &Option<Start>| {
        let end = to_instant(e.as_ref().unwrap_or(s), city);
        end >= from && to_instant(s, city) < to
    };
    let Some(recurrence) = &series.recurrence else {
        return Ok(Found {
            list: in_window(&series.start, &series.end)
                .then_some(Occurrence {
                    key: None,
                    start: series.start,
                    end: series.end,
                    details: &series.details,
                })
                .into_iter()
                .collect(),
            barren: false,
            gap_days: 0,
        });
    };
    let dtstart = rrule_start(&series.start, city);
    let err =
        |e: rrule::RRuleError| MeetingError::new("", format!("line {}: RRULE: {e}", series.line));
    let mut barren = false;
    let mut gap_days = 0;
    let mut set = match &recurrence.rule {
        Some(rule) => {
            let ruled = rule
                .parse::<rrule::RRule<rrule::Unvalidated>>()
                .map_err(err)?
                .build(dtstart)
                .map_err(err)?;
            // Its first two dates: whether it gives any (else `rrule` would search up to its
            // limit again below) and how far apart they are.
            let first: Vec<DateTime<rrule::Tz>> =
                (&ruled.clone().limit()).into_iter().take(2).collect();
            match first.as_slice() {
                [] => {
                    barren = true;
                    rrule::RRuleSet::new(dtstart)
                }
                [a, b] => {
                    gap_days = (*b - dtstart).num_days() + (*b - *a).num_days();
                    ruled
                }
                _ => ruled,
            }
        }
        None => rrule::RRuleSet::new(dtstart).rdate(dtstart),
    };
    for d in &recurrence.rdates {
        set = set.rdate(rrule_start(d, city));
    }
    for d in &recurrence.exdates {
        set = set.exdate(rrule_start(d, city));
    }
    let tz = |t: DateTime<Tz>| t.with_timezone(&rrule::Tz::Tz(t.timezone()));
    // From a little before the window: a meeting that started before it may still be on.
    let result = set
        .after(tz(from - Duration::days(2)))
        .before(tz(to))
        .all(MAX_PER_SERIES);
    let duration = series
        .end
        .map(|e| to_instant(&e, city) - to_instant(&series.start, city));
    let same = |a: &Start, b: &Start| to_instant(a, city) == to_instant(b, city);
    let mut used = vec![false; recurrence.overrides.len()];
    let mut out = Vec::new();
    for t in result.dates {
        let t = t.with_timezone(&series_zone(&series.start, city));
        let at = match series.start {
            Start::At(_) => Start::At(t),
            Start::Day(_) => Start::Day(t.with_timezone(&city).date_naive()),
        };
        if let Some(i) = recurrence
            .overrides
            .iter()
            .position(|o| same(&o.recurrence_id, &at))
        {
            used[i] = true;
            let o = &recurrence.overrides[i];
            if in_window(&o.start, &o.end) {
                out.push(Occurrence {
                    key: Some(o.recurrence_id),
                    start: o.start,
                    end: o.end,
                    details: &o.details,
                });
            }
            continue;
        }
        // An end chrono cannot represent is no end.
        let end = duration.and_then(|d| match at {
            Start::At(s) => s.checked_add_signed(d).map(Start::At),
            Start::Day(day) => day
                .checked_add_signed(Duration::days(d.num_days().max(1) - 1))
                .map(Start::Day),
        });
        if in_window(&at, &end) {
            out.push(Occurrence {
                key: Some(at),
                start: at,
                end,
                details: &series.details,
            });
        }
    }
    // Occurrences moved into the window from outside it (or from a date the rule no longer
    // gives) are still the series' meetings.
    for (o, used) in recurrence.overrides.iter().zip(used) {
        if !used && in_window(&o.start, &o.end) {
            out.push(Occurrence {
                key: Some(o.recurrence_id),
                start: o.start,
                end: o.end,
                details: &o.details,
            });
        }
    }
    Ok(Found {
        list: out,
        barren,
        gap_days,
    })
}

fn series_zone(start: &Start, city: Tz) -> Tz {
    match start {
        Start::At(t) => t.timezone(),
        Start::Day(_) => city,
    }
}

fn key_text(s: &Start) -> String {
    match s {
        Start::At(t) => t.with_timezone(&Utc).format("%Y%m%dT%H%M%SZ").to_string(),
        Start::Day(d) => d.format("%Y%m%d").to_string(),
    }
}

fn meeting(source: &str, series: &Series, body: &str, o: Occurrence<'_>, city: Tz) -> Meeting {
    let key = o.key.as_ref().map(key_text).unwrap_or_default();
    let d = o.details;
    Meeting {
        id: stable_id("m-", &[source, &series.uid, &key]),
        body: body.to_owned(),
        title: d.title.clone(),
        lang: series.lang.clone(),
        start: in_city(&o.start, city),
        end: o.end.as_ref().map(|e| in_city(e, city)),
        all_day: matches!(o.start, Start::Day(_)),
        place: d.place.clone(),
        address: d.address.clone(),
        online: d.online.clone(),
        agenda: d.agenda.clone(),
        attend: d.attend.clone(),
        materials: d.materials.clone(),
        minutes: d.minutes.clone(),
        url: d.url.clone(),
        status: d.status,
        moved_from: d.moved_from.as_ref().map(|m| in_city(m, city)),
        note: d.note.clone(),
        source: (*source).to_owned(),
        sequence: d.sequence,
    }
}

/// What the hub's change ledger adds to a city's meetings (nothing without one).
#[derive(Debug, Clone, Default)]
pub struct LedgerView {
    /// How often each meeting changed since it was first seen (iCalendar `SEQUENCE`).
    pub sequences: HashMap<String, u32>,
    /// Upcoming meetings the sources stopped listing, as last seen (status `withdrawn`).
    pub withdrawn: Vec<Meeting>,
    /// Meetings whose date, time, place or status changed since first published (whether or
    /// not the source says so), with when they were first to start (Unix seconds).
    pub changed: HashMap<String, i64>,
}

/// What a city's meetings feed is made of.
pub struct MeetingsInput<'a> {
    pub expanded: &'a Expanded,
    pub ledger: &'a LedgerView,
    pub sources: Vec<String>,
    pub city: Tz,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Demo only: move every date by this many days (whole weeks, so weekdays stay).
    pub shift_days: i64,
}

/// The demo's shift: whole weeks, so that `written_for` (the day the demo's meetings were
/// written around) falls in the week starting on the day the hub started, or later.
pub fn demo_shift_days(written_for: NaiveDate, started: NaiveDate) -> i64 {
    let days = (started - written_for).num_days();
    7 * days.div_euclid(7) + if days.rem_euclid(7) == 0 { 0 } else { 7 }
}

/// A meeting moved by `days` (the demo's shift): its times as wall-clock times in `city`, and
/// its deadline.
pub fn shifted(m: &Meeting, days: i64, city: Tz) -> Meeting {
    let mut m = m.clone();
    if days == 0 {
        return m;
    }
    // A time that cannot move (near chrono's last year) stays where it is.
    fn move_time(t: DateTime<FixedOffset>, days: i64, city: Tz) -> DateTime<FixedOffset> {
        match t.naive_local().checked_add_signed(Duration::days(days)) {
            Some(moved) => localize(city, moved).fixed_offset(),
            None => t,
        }
    }
    m.start = move_time(m.start, days, city);
    m.end = m.end.map(|t| move_time(t, days, city));
    m.moved_from = m.moved_from.map(|t| move_time(t, days, city));
    if let Some(d) = &mut m.attend.deadline {
        *d = d.checked_add_signed(Duration::days(days)).unwrap_or(*d);
    }
    m
}

impl MeetingsFeed {
    /// The feed: meetings (with the ledger's sequences, and the withdrawn ones), sorted by start,
    /// moved by the demo's shift; generated at `now`.
    pub fn assemble(input: MeetingsInput<'_>, now: DateTime<Utc>) -> MeetingsFeed {
        let shift = input.shift_days;
        let ids: std::collections::HashSet<&str> = input
            .expanded
            .meetings
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        let mut meetings: Vec<Meeting> = input
            .expanded
            .meetings
            .iter()
            .cloned()
            .chain(
                input
                    .ledger
                    .withdrawn
                    .iter()
                    .filter(|m| !ids.contains(m.id.as_str()))
                    .cloned(),
            )
            .map(|mut m| {
                if let Some(&n) = input.ledger.sequences.get(&m.id) {
                    m.sequence = m.sequence.max(n);
                }
                if let Some(&first) = input.ledger.changed.get(&m.id) {
                    if m.status == MeetingStatus::Scheduled {
                        m.status = MeetingStatus::Changed;
                    }
                    if m.moved_from.is_none() && first != m.start.timestamp() {
                        m.moved_from = DateTime::from_timestamp(first, 0)
                            .map(|t| t.with_timezone(&input.city).fixed_offset());
                    }
                }
                shifted(&m, shift, input.city)
            })
            .collect();
        meetings.sort_by(|a, b| a.start.cmp(&b.start).then_with(|| a.id.cmp(&b.id)));
        let mut bodies = input.expanded.bodies.clone();
        for m in &input.ledger.withdrawn {
            if !bodies.iter().any(|b| b.id == m.body) {
                // A withdrawn meeting of a body no longer in the sources: named by its id.
                bodies.push(Body {
                    id: m.body.clone(),
                    name: m.title.clone(),
                    name_lang: m.lang.clone(),
                    kind: super::model::BodyKind::Meeting,
                });
            }
        }
        let mut notices = input.expanded.notices.clone();
        if shift != 0 {
            for n in &mut notices {
                let by = Duration::days(shift);
                n.published = n.published.map(|p| p.checked_add_signed(by).unwrap_or(p));
                n.date = n.date.map(|d| d.checked_add_signed(by).unwrap_or(d));
            }
        }
        notices.sort_by_key(|n| std::cmp::Reverse(n.published));
        MeetingsFeed {
            version: FEED_VERSION,
            generated_at: now,
            sources: input.sources,
            bodies,
            meetings,
            notices,
            from: input.from + Duration::days(shift),
            to: input.to + Duration::days(shift),
            demo_time_shift_secs: (shift != 0).then_some(shift * 86_400),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::ical::{parse_ical_meetings, IcsLimits, IcsOptions};

    fn read(text: &str) -> MeetingSet {
        parse_ical_meetings(
            text.as_bytes(),
            "t.ics",
            &IcsOptions {
                timezone: Tz::Asia__Tokyo,
                limits: IcsLimits::default(),
            },
        )
        .unwrap()
        .0
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_demo_moves_by_whole_weeks_to_the_start() {
        let written = d("2026-12-07");
        assert_eq!(demo_shift_days(written, d("2026-12-07")), 0);
        assert_eq!(demo_shift_days(written, d("2026-12-08")), 7);
        assert_eq!(demo_shift_days(written, d("2026-12-14")), 7);
        assert_eq!(demo_shift_days(written, d("2026-12-15")), 14);
        assert_eq!(demo_shift_days(written, d("2026-12-01")), 0);
        assert_eq!(demo_shift_days(written, d("2026-11-30")), -7);
    }

    #[test]
    fn a_city_s_recurrence_is_stepped_through_within_a_budget() {
        use crate::meetings::set::{Details, Recurrence, Series};
        let old = Series {
            uid: "x".into(),
            line: 7,
            body: "委員会".into(),
            body_kind: crate::meetings::BodyKind::Committee,
            lang: None,
            start: Start::Day(d("1900-01-01")),
            end: None,
            details: Details::default(),
            recurrence: Some(Recurrence {
                rdates: vec![Start::Day(d("2026-12-02"))],
                ..Recurrence::default()
            }),
        };
        let set = MeetingSet {
            series: (0..200)
                .map(|i| Series {
                    uid: format!("x{i}"),
                    ..old.clone()
                })
                .collect(),
            ..MeetingSet::default()
        };
        let e = expand(
            &[("s", &set)],
            Tz::Asia__Tokyo,
            d("2026-12-01"),
            d("2026-12-31"),
        );
        // 46,000 days each: about 108 series fit in the budget, the rest are left out, said so.
        assert!(
            e.problems.iter().any(|p| p.contains("line 7: more than")),
            "{:?}",
            e.problems
        );
        assert!(
            (100..120).contains(&e.meetings.len()),
            "{}",
            e.meetings.len()
        );
    }

    #[test]
    fn rules_that_give_no_date_are_tried_a_few_times_per_city() {
        // `rrule` searches such a rule up to its iteration limit (tens of milliseconds): 3,000 of
        // them took 87 s before the budget.
        let mut events = String::new();
        for i in 0..3000 {
            events.push_str(&format!(
                "BEGIN:VEVENT\r\nUID:n{i}\r\nDTSTART:20261001T100000\r\n\
                 RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\nRDATE:20261201T100000\r\n\
                 SUMMARY:委員会\r\nEND:VEVENT\r\n"
            ));
        }
        let set = read(&format!("BEGIN:VCALENDAR\r\n{events}END:VCALENDAR\r\n"));
        let started = machi_testdata::cpu_time();
        let e = expand(
            &[("s", &set)],
            Tz::Asia__Tokyo,
            d("2026-12-01"),
            d("2026-12-31"),
        );
        let took = machi_testdata::cpu_time() - started;
        let barren = e
            .problems
            .iter()
            .filter(|p| p.contains("gives no date at all"))
            .count();
        assert_eq!(barren, MAX_BARREN_RULES, "{:?}", &e.problems[..10]);
        assert!(e
            .problems
            .iter()
            .any(|p| p.contains("line 30: more than 4 recurrence rules")));
        // The barren ones still have their RDATE.
        assert_eq!(e.meetings.len(), MAX_BARREN_RULES);
        assert!(took.as_secs_f64() < 5.0, "took {took:?} of CPU");
    }

    #[test]
    fn a_meeting_at_the_end_of_time_is_not_moved() {
        let set = read("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261201T100000\r\nSUMMARY:委員会\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        let e = expand(
            &[("s", &set)],
            Tz::Asia__Tokyo,
            d("2026-12-01"),
            d("2026-12-31"),
        );
        let mut m = e.meetings[0].clone();
        let last = chrono::NaiveDateTime::MAX.and_utc().fixed_offset();
        m.end = Some(last);
        m.attend.deadline = Some(NaiveDate::MAX);
        let moved = shifted(&m, 7, Tz::Asia__Tokyo);
        assert_eq!(moved.end, Some(last));
        assert_eq!(moved.attend.deadline, Some(NaiveDate::MAX));
        assert_eq!(moved.start, m.start + Duration::days(7));
    }

    #[test]
    fn an_endless_daily_rule_stops_at_the_window() {
        let set = read("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20200101T100000\r\nRRULE:FREQ=DAILY\r\nSUMMARY:委員会\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
        let e = expand(
            &[("s", &set)],
            Tz::Asia__Tokyo,
            d("2026-12-01"),
            d("2026-12-31"),
        );
        assert_eq!(e.meetings.len(), 31);
        assert_eq!(
            e.meetings[0].start.to_rfc3339(),
            "2026-12-01T10:00:00+09:00"
        );
        // Ids are stable and differ per occurrence.
        let again = expand(
            &[("s", &set)],
            Tz::Asia__Tokyo,
            d("2026-12-01"),
            d("2026-12-31"),
        );
        assert_eq!(e.meetings[5].id, again.meetings[5].id);
        assert_ne!(e.meetings[5].id, e.meetings[6].id);
    }
}
