//! Every source kind the hub reads: one [`Registration`] each. A new kind is a parser (in
//! machi-data, adapted in a module beside this one) and one entry here.

use super::kind::{Parse, Plan, Registration, Value};
use super::{alerts, garbage, meetings, nursery};
use machi_data::SourceKind;

const MINUTE: std::time::Duration = std::time::Duration::from_secs(60);

/// Every kind the hub reads.
pub static REGISTRY: &[Registration] = &[
    Registration {
        kind: SourceKind::CityProfile,
        plan: Plan::One,
        parse: Parse::Set(|_| Ok(Value::Profile)),
        url_every: std::time::Duration::from_secs(3600),
    },
    Registration {
        kind: SourceKind::Garbage5374,
        plan: Plan::Named {
            first: &["area_days.csv", "area.csv"],
            optional: &garbage::OPTIONAL_5374,
        },
        parse: Parse::Set(garbage::parse_5374),
        url_every: std::time::Duration::from_secs(15 * 60),
    },
    Registration {
        kind: SourceKind::GarbageIcal,
        plan: Plan::FileOrDirectory { extension: "ics" },
        parse: Parse::Set(garbage::parse_ical),
        url_every: std::time::Duration::from_secs(15 * 60),
    },
    Registration {
        kind: SourceKind::AreaReadings,
        plan: Plan::One,
        parse: Parse::Set(garbage::parse_readings),
        url_every: std::time::Duration::from_secs(3600),
    },
    Registration {
        kind: SourceKind::JmaAtom,
        plan: Plan::Feeds {
            list: alerts::list_atom_feed,
        },
        parse: Parse::Messages(machi_data::alerts::parse_jma),
        url_every: MINUTE,
    },
    Registration {
        kind: SourceKind::Cap,
        plan: Plan::FileOrDirectory { extension: "xml" },
        parse: Parse::Messages(alerts::parse_cap_message),
        url_every: MINUTE,
    },
    Registration {
        kind: SourceKind::Shelters,
        plan: Plan::One,
        parse: Parse::Set(alerts::parse_shelters),
        url_every: std::time::Duration::from_secs(15 * 60),
    },
    Registration {
        kind: SourceKind::NurseryFacilities,
        plan: Plan::One,
        parse: Parse::Set(nursery::parse_facilities),
        url_every: std::time::Duration::from_secs(3600),
    },
    Registration {
        kind: SourceKind::NurseryVacancies,
        plan: Plan::FileOrDirectory { extension: "csv" },
        parse: Parse::Set(nursery::parse_vacancies),
        url_every: std::time::Duration::from_secs(3600),
    },
    Registration {
        kind: SourceKind::MeetingsIcal,
        plan: Plan::FileOrDirectory { extension: "ics" },
        parse: Parse::Set(meetings::parse_ical),
        url_every: std::time::Duration::from_secs(15 * 60),
    },
    Registration {
        kind: SourceKind::MeetingsCsv,
        plan: Plan::One,
        parse: Parse::Set(meetings::parse_csv),
        url_every: std::time::Duration::from_secs(15 * 60),
    },
    Registration {
        kind: SourceKind::MeetingsEvents,
        plan: Plan::One,
        parse: Parse::Set(meetings::parse_events),
        url_every: std::time::Duration::from_secs(15 * 60),
    },
    Registration {
        kind: SourceKind::MeetingsNews,
        plan: Plan::One,
        parse: Parse::Set(meetings::parse_feed),
        url_every: std::time::Duration::from_secs(15 * 60),
    },
];

/// The kinds whose every published set the pipeline keeps (durably, in the source store), not
/// only the last good one: a kind whose history matters (a monthly vacancy table: "what changed
/// since last month"). Their earlier sets are published beside the current value
/// ([`super::Published::earlier`]).
pub static KEEPS_EVERY_SET: &[SourceKind] = &[SourceKind::NurseryVacancies];

/// Whether the pipeline keeps every set of `kind` it has published.
pub fn keeps_every_set(kind: SourceKind) -> bool {
    KEEPS_EVERY_SET.contains(&kind)
}

/// The registration of `kind`, if the hub reads it.
pub fn registration(kind: SourceKind) -> Option<&'static Registration> {
    REGISTRY.iter().find(|r| r.kind == kind)
}
