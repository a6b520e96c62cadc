//! The meeting kinds: `meetings-ical` (one `.ics` file or a directory of them),
//! `meetings-csv` (the Machi meeting CSV), `meetings-events` (an イベント一覧 event list, of
//! which the rows the city's `[meetings]` rules call meetings are read) and `meetings-news` (an
//! RSS or Atom 新着情報 feed, whose meeting items become notices): their parse step over
//! machi-data's readers, into one [`MeetingSet`] per source. Times the files give without a zone
//! are in the city's; errors and warnings name the file (path or URL), line and column.

use super::kind::{Doc, Input, Problem, Value};
use machi_data::meetings::{
    parse_event_list, parse_ical_meetings, parse_machi_csv, parse_news, CsvOptions, IcsLimits,
    IcsOptions, MeetingError, MeetingSet, Warning,
};
use std::sync::Arc;

/// Warnings logged per parse; the rest are counted.
const MAX_LOGGED_WARNINGS: usize = 20;

fn timezone(input: &Input<'_>) -> Result<chrono_tz::Tz, Problem> {
    input.city.timezone.parse().map_err(|_| {
        Problem::Invalid(format!(
            "the city's timezone `{}` is not an IANA time zone name",
            input.city.timezone
        ))
    })
}

fn first<'a>(input: &'a Input<'_>) -> Result<&'a Doc<'a>, Problem> {
    input
        .documents
        .first()
        .ok_or_else(|| Problem::Invalid("no file".into()))
}

fn invalid(e: MeetingError) -> Problem {
    Problem::Invalid(e.to_string())
}

/// Logs the warnings and makes the value.
fn finish(input: &Input<'_>, set: MeetingSet, warnings: &[Warning]) -> Result<Value, Problem> {
    for w in warnings.iter().take(MAX_LOGGED_WARNINGS) {
        tracing::warn!("{}: {w}", input.source.id);
    }
    if warnings.len() > MAX_LOGGED_WARNINGS {
        tracing::warn!(
            "{}: {} more warnings not shown",
            input.source.location,
            warnings.len() - MAX_LOGGED_WARNINGS
        );
    }
    tracing::info!(
        "{}: source `{}`: read {}: {} meetings or series, {} notices",
        input.city.file.display(),
        input.source.id,
        input.source.location,
        set.series.len(),
        set.notices.len()
    );
    Ok(Value::Meetings(Arc::new(set)))
}

/// iCalendar files: every file's events, one set.
pub fn parse_ical(input: &Input<'_>) -> Result<Value, Problem> {
    let options = IcsOptions {
        timezone: timezone(input)?,
        limits: IcsLimits::default(),
    };
    let mut set = MeetingSet::default();
    let mut warnings = Vec::new();
    for doc in &input.documents {
        let (one, found) =
            parse_ical_meetings(doc.bytes, doc.location, &options).map_err(invalid)?;
        set.series.extend(one.series);
        warnings.extend(found);
    }
    finish(input, set, &warnings)
}

/// The Machi meeting CSV.
pub fn parse_csv(input: &Input<'_>) -> Result<Value, Problem> {
    let doc = first(input)?;
    let options = CsvOptions {
        timezone: timezone(input)?,
        rules: &input.city.meetings.rules,
    };
    let (set, warnings) = parse_machi_csv(doc.bytes, doc.location, &options).map_err(invalid)?;
    finish(input, set, &warnings)
}

/// An イベント一覧 event list's meeting rows.
pub fn parse_events(input: &Input<'_>) -> Result<Value, Problem> {
    let doc = first(input)?;
    let options = CsvOptions {
        timezone: timezone(input)?,
        rules: &input.city.meetings.rules,
    };
    let (set, warnings) = parse_event_list(doc.bytes, doc.location, &options).map_err(invalid)?;
    finish(input, set, &warnings)
}

/// A news feed's meeting notices.
pub fn parse_feed(input: &Input<'_>) -> Result<Value, Problem> {
    let doc = first(input)?;
    let set = parse_news(
        doc.bytes,
        doc.location,
        &input.source.id,
        &input.city.meetings.rules,
    )
    .map_err(invalid)?;
    finish(input, set, &[])
}
