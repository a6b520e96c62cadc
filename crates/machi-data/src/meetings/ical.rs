//! iCalendar (RFC 5545) meeting calendars: `VEVENT`s with their time zones (`TZID`), recurrence
//! (`RRULE`, `RDATE`, `EXDATE`), changed occurrences (`RECURRENCE-ID`), `STATUS:CANCELLED`,
//! `LANGUAGE` parameters and folded lines, into [`MeetingSet`] series.
//!
//! **Why a reader of our own for the structure** (the `icalendar` crate's parser is what the tests
//! use to check the calendars the hub writes): errors here must name the file, line and column,
//! and input from the network must be refused within bounds before it costs memory or stack —
//! a size cap, a cap on how long a folded line may grow and on how many physical lines it may
//! span, on component nesting and on the number of events. Real councils' files also need
//! leniency a general parser does not give: Iserlohn's `VTIMEZONE` has no `STANDARD`/`DAYLIGHT`
//! parts, Detroit's `TZID="UTC-04:00"` names no zone at all and its descriptions are escaped
//! twice. Recurrence rules are the `rrule` crate's (checked here when read, expanded by
//! [`super::expand`] within a window).
//!
//! Time zones: an IANA `TZID` is read from the IANA database (never from the file's
//! `VTIMEZONE`, which generators get wrong); `UTC±HH:MM` and a few Windows names are mapped; a
//! `TZID` with neither is refused with its line — a meeting shown at the wrong hour is worse than
//! a stale calendar. Times without a zone are in the municipality's.

use super::classify::{body_from_title, body_kind};
use super::error::{MeetingError, Warning};
use super::model::MeetingStatus;
use super::set::{Details, MeetingSet, Override, Recurrence, Series, Start};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use std::collections::BTreeMap;

/// Bounds on what a file may make the reader do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcsLimits {
    /// Files larger than this are refused unread.
    pub max_bytes: usize,
    /// A logical (unfolded) line longer than this is refused.
    pub max_line_bytes: usize,
    /// A logical line folded over more physical lines than this is refused.
    pub max_folds: usize,
    /// Components nested deeper than this are refused.
    pub max_depth: usize,
    /// Files with more events than this are refused.
    pub max_events: usize,
    /// `RDATE`/`EXDATE` values of one event, at most.
    pub max_dates: usize,
}

impl Default for IcsLimits {
    fn default() -> Self {
        IcsLimits {
            max_bytes: 4 * 1024 * 1024,
            max_line_bytes: 64 * 1024,
            max_folds: 1000,
            max_depth: 8,
            max_events: 20_000,
            max_dates: 1000,
        }
    }
}

/// How to read a calendar.
#[derive(Debug, Clone, Copy)]
pub struct IcsOptions {
    /// The municipality's zone: for times the file gives without one.
    pub timezone: Tz,
    pub limits: IcsLimits,
}

/// Reads an iCalendar file of meetings. `source` names it in errors and warnings.
pub fn parse_ical_meetings(
    bytes: &[u8],
    source: &str,
    options: &IcsOptions,
) -> Result<(MeetingSet, Vec<Warning>), MeetingError> {
    let limits = &options.limits;
    if bytes.len() > limits.max_bytes {
        return Err(MeetingError::new(
            source,
            format!(
                "the file is {} bytes, over the limit of {}",
                bytes.len(),
                limits.max_bytes
            ),
        ));
    }
    let decoded = crate::encoding::decode(bytes);
    let mut warnings = Vec::new();
    if decoded.had_errors {
        warnings.push(Warning(MeetingError::new(
            source,
            format!(
                "some bytes are not {} text and were replaced",
                decoded.encoding_name
            ),
        )));
    }
    let lines = unfold(&decoded.text, source, limits)?;
    let mut reader = Reader {
        source,
        options,
        zones: BTreeMap::new(),
        warnings,
    };
    let events = reader.components(&lines)?;
    let set = reader.series(events)?;
    Ok((set, reader.warnings))
}

/// A logical line: where it starts, and its text.
struct Line {
    number: u64,
    text: String,
}

/// Joins folded lines (RFC 5545 §3.1: a line break followed by a space or tab continues the
/// line), CRLF or bare LF; blank lines are dropped (Iserlohn's events have one).
fn unfold(text: &str, source: &str, limits: &IcsLimits) -> Result<Vec<Line>, MeetingError> {
    let mut lines: Vec<Line> = Vec::new();
    let mut folds = 0usize;
    for (i, physical) in text.split('\n').enumerate() {
        let number = i as u64 + 1;
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        if let Some(rest) = physical.strip_prefix([' ', '\t']) {
            let Some(last) = lines.last_mut() else {
                return Err(
                    MeetingError::new(source, "the file starts with a folded line").at(number, 1),
                );
            };
            folds += 1;
            if folds > limits.max_folds || last.text.len() + rest.len() > limits.max_line_bytes {
                return Err(MeetingError::new(
                    source,
                    format!(
                        "a line folded over more than {} lines or longer than {} bytes",
                        limits.max_folds, limits.max_line_bytes
                    ),
                )
                .at(last.number, 1));
            }
            last.text.push_str(rest);
            continue;
        }
        folds = 0;
        if physical.trim().is_empty() {
            continue;
        }
        if physical.len() > limits.max_line_bytes {
            return Err(MeetingError::new(
                source,
                format!("a line longer than {} bytes", limits.max_line_bytes),
            )
            .at(number, 1));
        }
        lines.push(Line {
            number,
            text: physical.to_owned(),
        });
    }
    Ok(lines)
}

/// One property: `NAME;PARAM=VALUE:value`.
#[derive(Debug, Clone)]
struct Property {
    name: String,
    params: Vec<(String, String)>,
    value: String,
    line: u64,
    /// Column of the value (1-based, in characters) on its first physical line.
    column: u64,
}

impl Property {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Splits a content line; `None` when it is not `NAME[;PARAMS]:VALUE`. Quoted parameter values
/// may hold `:`, `;` and `,` (`TZID="UTC-04:00"`).
fn property(line: &Line) -> Option<Property> {
    let text = &line.text;
    let name_end = text.find([';', ':'])?;
    let name = &text[..name_end];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    let mut params = Vec::new();
    let mut rest = &text[name_end..];
    while let Some(after) = rest.strip_prefix(';') {
        let eq = after.find('=')?;
        let key = after[..eq].to_owned();
        let mut value = String::new();
        let mut tail = &after[eq + 1..];
        loop {
            if let Some(quoted) = tail.strip_prefix('"') {
                let close = quoted.find('"')?;
                value.push_str(&quoted[..close]);
                tail = &quoted[close + 1..];
            } else {
                let end = tail.find([';', ':', ','])?;
                value.push_str(&tail[..end]);
                tail = &tail[end..];
            }
            match tail.strip_prefix(',') {
                Some(more) => {
                    value.push(',');
                    tail = more;
                }
                None => break,
            }
        }
        params.push((key, value));
        rest = tail;
    }
    let value = rest.strip_prefix(':')?;
    let column = text[..text.len() - value.len()].chars().count() as u64 + 1;
    Some(Property {
        name: name.to_ascii_uppercase(),
        params,
        value: value.to_owned(),
        line: line.number,
        column,
    })
}

/// A `VEVENT` as read: its properties, in order.
struct RawEvent {
    line: u64,
    props: Vec<Property>,
}

impl RawEvent {
    fn get(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|p| unescape(&p.value))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    }
}

struct Reader<'a> {
    source: &'a str,
    options: &'a IcsOptions,
    /// `TZID` → the one offset its `VTIMEZONE` defines, for zones not in the IANA database.
    zones: BTreeMap<String, Option<i32>>,
    warnings: Vec<Warning>,
}

impl Reader<'_> {
    fn err(&self, message: impl Into<String>) -> MeetingError {
        MeetingError::new(self.source, message)
    }

    fn at(&self, p: &Property, message: impl Into<String>) -> MeetingError {
        self.err(message).at(p.line, p.column).field(&p.name)
    }

    fn warn(&mut self, e: MeetingError) {
        self.warnings.push(Warning(e));
    }

    /// Checks the component structure and collects the events and the time zone definitions.
    fn components(&mut self, lines: &[Line]) -> Result<Vec<RawEvent>, MeetingError> {
        let limits = self.options.limits;
        let mut stack: Vec<(String, u64)> = Vec::new();
        let mut saw_calendar = false;
        let mut events: Vec<RawEvent> = Vec::new();
        let mut event: Option<RawEvent> = None;
        let mut zone: Option<(Option<String>, Option<i32>, bool)> = None;
        for line in lines {
            let Some(p) = property(line) else {
                let shown: String = line.text.chars().take(40).collect();
                return Err(self
                    .err(format!("\"{shown}\" is not a NAME:VALUE line"))
                    .at(line.number, 1));
            };
            let inside = stack.last().map(|(c, _)| c.as_str());
            match p.name.as_str() {
                "BEGIN" => {
                    let component = p.value.trim().to_ascii_uppercase();
                    if stack.len() >= limits.max_depth {
                        return Err(self.at(
                            &p,
                            format!("components nested deeper than {}", limits.max_depth),
                        ));
                    }
                    match (inside, component.as_str()) {
                        (None, "VCALENDAR") if !saw_calendar => saw_calendar = true,
                        (None, "VCALENDAR") => return Err(self.at(&p, "a second BEGIN:VCALENDAR")),
                        (None, other) => {
                            return Err(self.at(&p, format!("BEGIN:{other} outside VCALENDAR")))
                        }
                        (Some("VCALENDAR"), "VEVENT") => {
                            if events.len() >= limits.max_events {
                                return Err(
                                    self.at(&p, format!("more than {} events", limits.max_events))
                                );
                            }
                            event = Some(RawEvent {
                                line: p.line,
                                props: Vec::new(),
                            });
                        }
                        (Some("VCALENDAR"), "VTIMEZONE") => zone = Some((None, None, false)),
                        _ => {}
                    }
                    stack.push((component, p.line));
                }
                "END" => {
                    let component = p.value.trim().to_ascii_uppercase();
                    match stack.pop() {
                        Some((open, _)) if open == component => {}
                        Some((open, at)) => {
                            return Err(self.at(
                                &p,
                                format!("END:{component}, but {open} (line {at}) is open"),
                            ))
                        }
                        None => {
                            return Err(self.at(&p, format!("END:{component} with nothing open")))
                        }
                    }
                    match component.as_str() {
                        "VEVENT" if stack.len() == 1 => events.extend(event.take()),
                        "VTIMEZONE" => {
                            if let Some((Some(id), offset, mixed)) = zone.take() {
                                // A zone with different offsets (summer time) cannot be reduced to
                                // one; only its IANA name could place it.
                                self.zones.insert(id, if mixed { None } else { offset });
                            }
                        }
                        _ => {}
                    }
                }
                _ if stack.is_empty() => {
                    return Err(self.at(&p, format!("{} outside BEGIN:VCALENDAR", p.name)))
                }
                _ => match (inside, &mut event, &mut zone) {
                    (Some("VEVENT"), Some(e), _) => e.props.push(p),
                    (_, _, Some((id, offset, mixed)))
                        if stack.iter().any(|(c, _)| c == "VTIMEZONE") =>
                    {
                        if p.name == "TZID" {
                            *id = Some(p.value.trim().trim_matches('"').to_owned());
                        } else if p.name == "TZOFFSETTO" {
                            if let Some(o) = utc_offset(&p.value) {
                                if offset.is_some_and(|x| x != o) {
                                    *mixed = true;
                                }
                                offset.get_or_insert(o);
                            }
                        }
                    }
                    _ => {}
                },
            }
        }
        if let Some((open, at)) = stack.pop() {
            return Err(self
                .err(format!("BEGIN:{open} is never closed with END:{open}"))
                .at_line(at));
        }
        if !saw_calendar {
            return Err(self.err("no BEGIN:VCALENDAR: not an iCalendar file"));
        }
        Ok(events)
    }

    /// Turns events into series: a master per `UID`, its `RECURRENCE-ID` occurrences attached.
    fn series(&mut self, events: Vec<RawEvent>) -> Result<MeetingSet, MeetingError> {
        let mut masters: Vec<Series> = Vec::new();
        let mut by_uid: BTreeMap<String, usize> = BTreeMap::new();
        let mut overrides: Vec<(String, Override, u64)> = Vec::new();
        for e in &events {
            let Some(read) = self.event(e)? else { continue };
            match read {
                Read::Master(series) => {
                    if let Some(&i) = by_uid.get(&series.uid) {
                        self.warn(
                            self.err(format!(
                                "a second event with UID {} (line {}); the one with the higher \
                                 SEQUENCE is kept",
                                series.uid, masters[i].line
                            ))
                            .at_line(series.line)
                            .field("UID"),
                        );
                        if series.details.sequence >= masters[i].details.sequence {
                            masters[i] = series;
                        }
                        continue;
                    }
                    by_uid.insert(series.uid.clone(), masters.len());
                    masters.push(series);
                }
                Read::Occurrence(uid, o, line) => overrides.push((uid, o, line)),
            }
        }
        for (uid, o, line) in overrides {
            match by_uid.get(&uid) {
                Some(&i) if masters[i].recurrence.is_some() => {
                    let mut o = o;
                    // Held elsewhere than the series' usual place: a change residents must see.
                    if o.details.status == MeetingStatus::Scheduled
                        && (o.details.place != masters[i].details.place
                            || o.details.online != masters[i].details.online)
                    {
                        o.details.status = MeetingStatus::Changed;
                    }
                    if let Some(r) = masters[i].recurrence.as_mut() {
                        r.overrides.push(o);
                    }
                }
                // An occurrence without its series (or of a one-off event) stands alone.
                _ => masters.push(Series {
                    uid: format!("{uid}#{}", start_key(&o.recurrence_id)),
                    line,
                    body: String::new(),
                    body_kind: body_kind(""),
                    lang: None,
                    start: o.start,
                    end: o.end,
                    details: o.details,
                    recurrence: None,
                }),
            }
        }
        // Standalone occurrences still need a body: from their title.
        for s in &mut masters {
            if s.body.is_empty() {
                s.body =
                    body_from_title(&s.details.title).unwrap_or_else(|| s.details.title.clone());
                s.body_kind = body_kind(&s.body);
            }
        }
        Ok(MeetingSet {
            series: masters,
            ..MeetingSet::default()
        })
    }

    fn event(&mut self, e: &RawEvent) -> Result<Option<Read>, MeetingError> {
        let Some(dtstart) = e.get("DTSTART") else {
            self.warn(
                self.err("the event has no DTSTART; skipped")
                    .at_line(e.line)
                    .field("VEVENT"),
            );
            return Ok(None);
        };
        let start = self.time(dtstart)?;
        let end = match (e.get("DTEND"), e.get("DURATION")) {
            (Some(p), _) => Some(self.time(p)?),
            (None, Some(p)) => {
                let d = duration(&p.value)
                    .ok_or_else(|| self.at(p, format!("\"{}\" is not a duration", p.value)))?;
                Some(match start {
                    Start::At(t) => Start::At(t + d),
                    Start::Day(day) => Start::Day(day + Duration::days(d.num_days().max(1))),
                })
            }
            (None, None) => None,
        };
        // An all-day event ends the day after its last (DTEND is exclusive): keep the last day.
        let end = match (start, end) {
            (Start::Day(s), Some(Start::Day(last))) if last > s => {
                Some(Start::Day(last.pred_opt().unwrap_or(last)))
            }
            (Start::Day(_), Some(Start::Day(_))) => None,
            (_, Some(last)) if last < start => {
                self.warn(
                    self.err("the event ends before it starts; its end is ignored")
                        .at_line(e.line)
                        .field("DTEND"),
                );
                None
            }
            (_, last) => last,
        };
        let summary = e.get("SUMMARY");
        let title = e.text("SUMMARY").unwrap_or_default();
        let uid = match e.text("UID") {
            Some(uid) => uid,
            None => {
                self.warn(
                    self.err("the event has no UID; its title and start stand in for it")
                        .at_line(e.line)
                        .field("UID"),
                );
                format!("{title}@{}", start_key(&start))
            }
        };
        let description = e.text("DESCRIPTION").map(|d| double_escaped(&d));
        let (materials, minutes) = description.as_deref().map(links).unwrap_or_default();
        let status = match e.text("STATUS").map(|s| s.to_ascii_uppercase()).as_deref() {
            Some("CANCELLED") => MeetingStatus::Cancelled,
            _ => MeetingStatus::Scheduled,
        };
        let sequence = e
            .text("SEQUENCE")
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0);
        let location = e.text("LOCATION");
        let url = e.text("URL").filter(|u| is_web(u));
        let online = location.as_deref().filter(|l| is_web(l)).map(str::to_owned);
        let details = Details {
            title: title.clone(),
            place: location.filter(|l| !is_web(l)),
            address: None,
            online,
            agenda: Vec::new(),
            attend: Default::default(),
            materials: materials.or_else(|| {
                e.all("ATTACH")
                    .map(|p| p.value.trim().to_owned())
                    .find(|v| is_web(v))
            }),
            minutes,
            url,
            note: description,
            status,
            moved_from: None,
            sequence,
        };
        if let Some(rid) = e.get("RECURRENCE-ID") {
            let recurrence_id = self.time(rid)?;
            let mut details = details;
            if recurrence_id != start && details.status != MeetingStatus::Cancelled {
                details.status = MeetingStatus::Changed;
                details.moved_from = Some(recurrence_id);
            }
            return Ok(Some(Read::Occurrence(
                uid,
                Override {
                    recurrence_id,
                    start,
                    end,
                    details,
                },
                e.line,
            )));
        }
        let mut recurrence = None;
        let rules: Vec<&Property> = e.all("RRULE").collect();
        if let Some(extra) = rules.get(1) {
            self.warn(self.at(extra, "a second RRULE; only the first is used"));
        }
        let rdates = self.dates(e, "RDATE")?;
        let exdates = self.dates(e, "EXDATE")?;
        if let Some(rule) = rules.first() {
            recurrence = Some(Recurrence {
                rule: Some(self.rule(rule, &start)?),
                rdates,
                exdates,
                overrides: Vec::new(),
            });
        } else if !rdates.is_empty() {
            recurrence = Some(Recurrence {
                rule: None,
                rdates,
                exdates,
                overrides: Vec::new(),
            });
        }
        let categories = e.get("CATEGORIES").map(|p| split_list(&p.value));
        let body = categories
            .and_then(|c| c.into_iter().find(|c| !c.is_empty()))
            .or_else(|| body_from_title(&title))
            .unwrap_or_else(|| title.clone());
        let lang = summary
            .and_then(|p| p.param("LANGUAGE"))
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("ja"))
            .or_else(|| (!title.is_empty() && !has_japanese(&title)).then(|| "en".to_owned()));
        Ok(Some(Read::Master(Series {
            uid,
            line: e.line,
            body_kind: body_kind(&body),
            body,
            lang,
            start,
            end,
            details,
            recurrence,
        })))
    }

    /// Every value of every `RDATE` or `EXDATE` property of an event.
    fn dates(&self, e: &RawEvent, name: &str) -> Result<Vec<Start>, MeetingError> {
        let mut out = Vec::new();
        for p in e.all(name) {
            if p.param("VALUE")
                .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"))
            {
                return Err(self.at(p, "PERIOD values are not supported"));
            }
            for value in p.value.split(',').filter(|v| !v.trim().is_empty()) {
                if out.len() >= self.options.limits.max_dates {
                    return Err(self.at(
                        p,
                        format!("more than {} dates", self.options.limits.max_dates),
                    ));
                }
                let one = Property {
                    value: value.trim().to_owned(),
                    ..p.clone()
                };
                out.push(self.time(&one)?);
            }
        }
        Ok(out)
    }

    /// A `DTSTART`-like value: a date, or a date-time in its `TZID`, in UTC (`Z`) or floating.
    fn time(&self, p: &Property) -> Result<Start, MeetingError> {
        let v = p.value.trim();
        let bad = || self.at(p, format!("\"{v}\" is not a date or date-time"));
        if v.len() == 8 {
            return NaiveDate::parse_from_str(v, "%Y%m%d")
                .map(Start::Day)
                .map_err(|_| bad());
        }
        let (naive, utc) = match v.strip_suffix(['Z', 'z']) {
            Some(local) => (local, true),
            None => (v, false),
        };
        let naive = NaiveDateTime::parse_from_str(naive, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        let zone = if utc {
            Tz::UTC
        } else {
            match p.param("TZID") {
                Some(id) => self.zone(p, id)?,
                None => self.options.timezone,
            }
        };
        Ok(Start::At(localize(zone, naive)))
    }

    /// The zone a `TZID` names.
    fn zone(&self, p: &Property, id: &str) -> Result<Tz, MeetingError> {
        let id = id.trim().trim_matches('"');
        if id.len() > 64 {
            return Err(self.at(p, "a TZID longer than 64 characters"));
        }
        if let Some(tz) = known_zone(id) {
            return Ok(tz);
        }
        if let Some(Some(offset)) = self.zones.get(id) {
            if let Some(tz) = fixed_zone(*offset) {
                return Ok(tz);
            }
        }
        Err(self.at(
            p,
            format!(
                "unknown time zone \"{id}\" (not an IANA name, and its VTIMEZONE does not give \
                 one fixed offset); the meeting's time cannot be placed"
            ),
        ))
    }

    /// Checks an `RRULE` against its start and returns its text (with a local `UNTIL` put in
    /// UTC, as RFC 5545 requires and real files forget). Meetings do not repeat more often than
    /// daily: `HOURLY` and finer are refused, which also keeps expansion bounded.
    fn rule(&self, p: &Property, start: &Start) -> Result<String, MeetingError> {
        // RFC 5545's RRULE is ASCII throughout; the `rrule` crate slices it by byte (its BYDAY
        // reader panics on `1WE保`), so anything else is refused here.
        if let Some(c) = p.value.chars().find(|c| !c.is_ascii()) {
            return Err(self.at(
                p,
                format!("bad RRULE: `{c}` (an RRULE is ASCII: FREQ=…;BYDAY=…)"),
            ));
        }
        let mut parts: Vec<String> = Vec::new();
        for part in p.value.trim().split(';').filter(|s| !s.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| self.at(p, format!("\"{part}\" is not NAME=VALUE")))?;
            let k = k.trim().to_ascii_uppercase();
            match k.as_str() {
                "FREQ"
                    if !matches!(
                        v.trim().to_ascii_uppercase().as_str(),
                        "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY"
                    ) =>
                {
                    return Err(self.at(
                        p,
                        format!("FREQ={v}: meetings do not repeat more often than daily"),
                    ))
                }
                // One occurrence a day at most, so that expansion costs at most one step a day.
                "BYSECOND" | "BYMINUTE" => {
                    return Err(self.at(p, format!("{k}: meetings do not repeat within an hour")))
                }
                "BYHOUR" if v.contains(',') => {
                    return Err(self.at(
                        p,
                        "BYHOUR with several hours: meetings repeat at most daily",
                    ))
                }
                "UNTIL" if !v.trim().ends_with(['Z', 'z']) => {
                    let until = Property {
                        value: v.trim().to_owned(),
                        params: Vec::new(),
                        ..p.clone()
                    };
                    let end = match (self.time(&until)?, start) {
                        (Start::Day(d), _) => {
                            localize(
                                self.options.timezone,
                                d.and_time(NaiveTime::MIN) + Duration::days(1),
                            ) - Duration::seconds(1)
                        }
                        (Start::At(t), Start::At(s)) => localize(s.timezone(), t.naive_local()),
                        (Start::At(t), Start::Day(_)) => t,
                    };
                    parts.push(format!(
                        "UNTIL={}",
                        end.with_timezone(&chrono::Utc).format("%Y%m%dT%H%M%SZ")
                    ));
                    continue;
                }
                _ => {}
            }
            parts.push(format!("{k}={}", v.trim()));
        }
        if start.date().year() < 1900 {
            return Err(self.at(p, "a recurring meeting from before 1900 is refused"));
        }
        let text = parts.join(";");
        let rule: rrule::RRule<rrule::Unvalidated> = text
            .parse()
            .map_err(|e| self.at(p, format!("bad RRULE: {e}")))?;
        rule.validate(super::expand::rrule_start(start, self.options.timezone))
            .map_err(|e| self.at(p, format!("bad RRULE: {e}")))?;
        Ok(text)
    }
}

/// What one `VEVENT` is.
enum Read {
    Master(Series),
    Occurrence(String, Override, u64),
}

/// A key for a start, for standalone occurrences' ids.
fn start_key(s: &Start) -> String {
    match s {
        Start::At(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
        Start::Day(d) => d.format("%Y%m%d").to_string(),
    }
}

/// A wall-clock time in a zone: in a summer-time gap, the hour after (RFC 5545 §3.3.5); when
/// it occurs twice, the first.
pub(crate) fn localize(zone: Tz, naive: NaiveDateTime) -> DateTime<Tz> {
    use chrono::LocalResult;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => naive
            .checked_add_signed(Duration::hours(1))
            .and_then(|later| zone.from_local_datetime(&later).earliest())
            .unwrap_or_else(|| zone.from_utc_datetime(&naive)),
    }
}

/// A `TZID` the reader can place without the file's help: an IANA name (also after a path
/// prefix such as `/mozilla.org/20050126_1/Europe/Berlin`), `UTC`, `UTC±HH:MM`, or a Windows
/// zone name Outlook writes.
pub(crate) fn known_zone(id: &str) -> Option<Tz> {
    if let Ok(tz) = id.parse::<Tz>() {
        return Some(tz);
    }
    let mut rest = id;
    while let Some((_, tail)) = rest.split_once('/') {
        if let Ok(tz) = tail.parse::<Tz>() {
            return Some(tz);
        }
        rest = tail;
    }
    let upper = id.to_ascii_uppercase();
    if matches!(upper.as_str(), "UTC" | "GMT" | "Z") {
        return Some(Tz::UTC);
    }
    for prefix in ["UTC", "GMT", ""] {
        if let Some(offset) = upper.strip_prefix(prefix).and_then(utc_offset) {
            return fixed_zone(offset);
        }
    }
    let windows = [
        ("Tokyo Standard Time", Tz::Asia__Tokyo),
        ("Korea Standard Time", Tz::Asia__Seoul),
        ("China Standard Time", Tz::Asia__Shanghai),
        ("W. Europe Standard Time", Tz::Europe__Berlin),
        ("GMT Standard Time", Tz::Europe__London),
        ("Eastern Standard Time", Tz::America__New_York),
        ("Central Standard Time", Tz::America__Chicago),
        ("Mountain Standard Time", Tz::America__Denver),
        ("Pacific Standard Time", Tz::America__Los_Angeles),
    ];
    windows
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(id))
        .map(|(_, tz)| *tz)
}

/// `+0900`, `-04:00`, `+09` → seconds east of UTC.
fn utc_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 | 6 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..4].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// A fixed offset as an IANA zone (`Etc/GMT+4` is UTC−4): whole hours only.
fn fixed_zone(offset: i32) -> Option<Tz> {
    if offset % 3600 != 0 {
        return None;
    }
    let hours = -offset / 3600;
    let name = match hours {
        0 => "Etc/GMT".to_owned(),
        h if h > 0 => format!("Etc/GMT+{h}"),
        h => format!("Etc/GMT{h}"),
    };
    name.parse().ok()
}

/// `PT1H30M`, `P1D`, `P2W` (RFC 5545 §3.3.6); at most a year.
fn duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (negative, s) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let s = s.strip_prefix('P')?;
    let mut total = 0i64;
    let mut number = String::new();
    let mut in_time = false;
    for c in s.chars() {
        match c {
            '0'..='9' if number.len() < 12 => number.push(c),
            'T' => in_time = true,
            'W' | 'D' | 'H' | 'M' | 'S' => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                let unit = match (c, in_time) {
                    ('W', false) => 7 * 86_400,
                    ('D', false) => 86_400,
                    ('H', true) => 3600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(unit)?)?;
            }
            _ => return None,
        }
    }
    if !number.is_empty() || total > 366 * 86_400 {
        return None;
    }
    Some(Duration::seconds(if negative { -total } else { total }))
}

/// TEXT unescaping (RFC 5545 §3.3.11).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Detroit's generator escapes its line breaks twice (`\\n`), which reads as a backslash and an
/// `n`: text with such pairs and no real line break gets its line breaks back.
fn double_escaped(s: &str) -> String {
    if !s.contains('\n') && s.contains("\\n") {
        s.replace("\\n", "\n")
    } else {
        s.to_owned()
    }
}

/// The materials and minutes links a description labels ("Agenda: https://…", "会議録：…").
fn links(description: &str) -> (Option<String>, Option<String>) {
    let mut materials = None;
    let mut minutes = None;
    for line in description.lines() {
        // At the first colon, full-width or not (a URL has one of its own).
        let Some(i) = line.find([':', '：']) else {
            continue;
        };
        let label = &line[..i];
        let value = line[i..].trim_start_matches([':', '：']);
        let value = value.trim();
        if !is_web(value) {
            continue;
        }
        let label = label.trim().to_lowercase();
        let slot = if ["agenda", "materials", "資料", "議題", "次第"]
            .iter()
            .any(|w| label.contains(w))
        {
            &mut materials
        } else if ["minutes", "会議録", "議事録"]
            .iter()
            .any(|w| label.contains(w))
        {
            &mut minutes
        } else {
            continue;
        };
        slot.get_or_insert_with(|| value.to_owned());
    }
    (materials, minutes)
}

/// A list value (`CATEGORIES`): split at unescaped commas, each unescaped.
fn split_list(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    out.last_mut().unwrap_or(&mut String::new()).push(n);
                }
            }
            ',' => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out.into_iter().map(|s| s.trim().to_owned()).collect()
}

pub(crate) fn is_web(s: &str) -> bool {
    let s = s.trim();
    (s.starts_with("https://") || s.starts_with("http://")) && !s.contains(char::is_whitespace)
}

/// Whether text has kana or kanji: Japanese as the municipality publishes it.
pub(crate) fn has_japanese(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff66}'..='\u{ff9f}')
    })
}

/// The offset of a zone at a moment, for tests and messages.
#[cfg(test)]
fn offset_at(t: &DateTime<Tz>) -> i32 {
    use chrono::Offset;
    t.offset().fix().local_minus_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<(MeetingSet, Vec<Warning>), MeetingError> {
        parse_ical_meetings(
            text.as_bytes(),
            "test.ics",
            &IcsOptions {
                timezone: Tz::Asia__Tokyo,
                limits: IcsLimits::default(),
            },
        )
    }

    fn cal(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n")
    }

    #[test]
    fn zones_are_placed_by_name_offset_or_the_city() {
        let (set, _) = read(&cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Berlin:20260714T170000\r\nSUMMARY;LANGUAGE=de:Rat\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=\"UTC-04:00\":20250602T100000\r\nSUMMARY:Budget Committee: Meeting\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20261215T140000\r\nSUMMARY:都市計画審議会\r\nEND:VEVENT\r\n",
        ))
        .unwrap();
        let at = |i: usize| match set.series[i].start {
            Start::At(t) => t,
            Start::Day(_) => panic!("a day"),
        };
        assert_eq!(offset_at(&at(0)), 2 * 3600);
        assert_eq!(
            at(0).with_timezone(&chrono::Utc).to_rfc3339(),
            "2026-07-14T15:00:00+00:00"
        );
        assert_eq!(offset_at(&at(1)), -4 * 3600);
        assert_eq!(at(2).to_rfc3339(), "2026-12-15T14:00:00+09:00");
        assert_eq!(set.series[0].lang.as_deref(), Some("de"));
        assert_eq!(set.series[1].body, "Budget Committee");
        assert_eq!(set.series[2].lang, None);
    }

    #[test]
    fn an_unknown_zone_is_refused_with_its_place() {
        let err = read(&cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Mars/Olympus:20260714T170000\r\nEND:VEVENT\r\n",
        ))
        .unwrap_err();
        assert_eq!((err.line, err.column), (Some(5), Some(27)), "{err}");
        assert!(
            err.to_string()
                .contains("unknown time zone \"Mars/Olympus\""),
            "{err}"
        );
    }

    #[test]
    fn hostile_files_are_refused_within_bounds() {
        let deep = format!("BEGIN:VCALENDAR\r\n{}", "BEGIN:X\r\n".repeat(100));
        assert!(read(&deep)
            .unwrap_err()
            .message
            .contains("nested deeper than 8"));
        let folded = cal(&format!(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101\r\nSUMMARY:x\r\n{}END:VEVENT\r\n",
            " y\r\n".repeat(5000)
        ));
        let err = read(&folded).unwrap_err();
        assert!(err.message.contains("folded over more than 1000"), "{err}");
        assert_eq!(err.line, Some(6));
        let hourly = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\n",
        );
        assert!(read(&hourly)
            .unwrap_err()
            .message
            .contains("more often than daily"));
        for rule in ["FREQ=DAILY;BYMINUTE=1,2", "FREQ=DAILY;BYHOUR=1,2,3"] {
            let many = cal(&format!(
                "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
            ));
            assert!(read(&many).is_err(), "{rule}");
        }
        // Found by tests/fuzz.rs: the `rrule` crate slices BYDAY by byte.
        let multibyte = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000\r\nRRULE:FREQ=MONTHLY;BYDAY=1WE保\r\nEND:VEVENT\r\n",
        );
        let err = read(&multibyte).unwrap_err();
        assert!(err.message.contains("RRULE is ASCII"), "{err}");
        assert_eq!(
            (err.line, err.field.as_deref()),
            (Some(6), Some("RRULE")),
            "{err}"
        );
        let ancient = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:00010101T100000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n",
        );
        assert!(read(&ancient).unwrap_err().message.contains("before 1900"));
        assert_eq!(duration("P99999999999999W"), None);
        let unclosed = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n";
        assert!(read(unclosed).unwrap_err().message.contains("never closed"));
        let big = vec![b'x'; 5 * 1024 * 1024];
        let err = parse_ical_meetings(
            &big,
            "big.ics",
            &IcsOptions {
                timezone: Tz::Asia__Tokyo,
                limits: IcsLimits::default(),
            },
        )
        .unwrap_err();
        assert!(err.message.contains("over the limit"), "{err}");
    }

    #[test]
    fn overrides_join_their_series_and_mark_moves() {
        let (set, warnings) = read(&cal(
            "BEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Asia/Tokyo:20260106T100000\r\nDTEND;TZID=Asia/Tokyo:20260106T120000\r\n\
             RRULE:FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231T235959\r\nEXDATE;TZID=Asia/Tokyo:20260203T100000\r\nSUMMARY:本会議\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;TZID=Asia/Tokyo:20260303T100000\r\nDTSTART;TZID=Asia/Tokyo:20260304T130000\r\nSUMMARY:本会議\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;TZID=Asia/Tokyo:20260407T100000\r\nDTSTART;TZID=Asia/Tokyo:20260407T100000\r\nSTATUS:CANCELLED\r\nSUMMARY:本会議\r\nEND:VEVENT\r\n",
        ))
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(set.series.len(), 1);
        let r = set.series[0].recurrence.as_ref().unwrap();
        // The local UNTIL was put in UTC.
        assert_eq!(
            r.rule.as_deref(),
            Some("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20261231T145959Z")
        );
        assert_eq!(r.exdates.len(), 1);
        assert_eq!(r.overrides.len(), 2);
        assert_eq!(r.overrides[0].details.status, MeetingStatus::Changed);
        assert_eq!(r.overrides[1].details.status, MeetingStatus::Cancelled);
        assert_eq!(set.series[0].body_kind, crate::meetings::BodyKind::Plenary);
    }

    #[test]
    fn durations_and_text_escapes() {
        assert_eq!(duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(duration("P1W"), Some(Duration::days(7)));
        assert_eq!(duration("P1H"), None);
        assert_eq!(duration("P9999D"), None);
        assert_eq!(unescape("a\\, b\\;c\\nd\\\\"), "a, b;c\nd\\");
        assert_eq!(
            split_list("都市計画審議会,委員会\\,A"),
            ["都市計画審議会", "委員会,A"]
        );
        assert_eq!(
            links("Agenda: https://a/1\nMinutes: https://a/2\nDetails: https://a/3"),
            (Some("https://a/1".into()), Some("https://a/2".into()))
        );
        assert_eq!(utc_offset("+0900"), Some(32_400));
        assert_eq!(utc_offset("-04:00"), Some(-14_400));
        assert_eq!(
            known_zone("/mozilla.org/20050126_1/Europe/Berlin"),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(known_zone("Tokyo Standard Time"), Some(Tz::Asia__Tokyo));
    }
}
