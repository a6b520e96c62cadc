//! Nursery (保育所) facilities and their vacancies: the model the hub publishes in
//! `/feeds/{city}/nursery.json` ([`crate::feed::NurseryFeed`]) and the app filters.
//!
//! Nursery data comes in two halves: **facilities** (where, what kind, hours; a 子育て施設一覧 CSV
//! or a papamama list) and **vacancy tables** (per facility and age class 0–5, as of a date; a
//! city's monthly 入所状況). The hub joins them (`join::assemble`, behind `sources`) by facility number, else by
//! normalised name, and reports every row that joins nothing.
//!
//! Rules every reader keeps: a class that does not exist (`-`, `―`, blank) is
//! [`Places::NoClass`], never 0; `空有`/`若干名`/`○` are [`Places::Some`] (places, count not
//! given); `非公開` is [`Places::Undisclosed`].
//!
//! Behind the `sources` feature: the readers of the facility lists ([`facilities`]) and vacancy
//! tables ([`vacancies`]).

pub mod age;
#[cfg(feature = "sources")]
pub mod facilities;
pub mod filter;
#[cfg(feature = "sources")]
pub mod join;
#[cfg(feature = "sources")]
mod read;
#[cfg(feature = "sources")]
pub mod vacancies;

pub use age::{age_class, fiscal_year, AgeClass};
pub use filter::{filter, Filter, Sort};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Age classes 0–5 (０歳児クラス … ５歳児クラス).
pub const CLASSES: usize = 6;

/// What a vacancy table says about one age class of one facility.
///
/// In the JSON feed: `null` (no such class), a number (that many places; `0` = full), `"some"` or
/// `"undisclosed"`. Written by hand so the app's wasm reads it without serde's untagged-enum
/// machinery; in the postcard one, one number (below).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Places {
    /// The facility has no such class (`-`, `―`, a blank cell): never shown as 0.
    #[default]
    NoClass,
    /// This many places; 0 is full.
    Count(u16),
    /// Places without a count (`空有`, `若干名`, `○`, papamama's `Vacancy=Y`).
    Some,
    /// The city did not publish it (`非公開`).
    Undisclosed,
}

impl Places {
    /// Whether a child of this class can get a place (a count above 0, or "some").
    pub fn is_open(self) -> bool {
        matches!(self, Places::Some) || matches!(self, Places::Count(n) if n > 0)
    }

    /// For sorting by places: "some" after every count (at least one), unknowns last.
    pub fn rank(self) -> i32 {
        match self {
            Places::Count(n) => i32::from(n),
            Places::Some => 1,
            Places::Undisclosed => -1,
            Places::NoClass => -2,
        }
    }
}

/// In postcard (not self-describing, so `deserialize_any` cannot work): one signed number, a count
/// as itself and the rest below zero.
const SOME: i32 = -1;
const UNDISCLOSED: i32 = -2;
const NO_CLASS: i32 = -3;

impl Serialize for Places {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !s.is_human_readable() {
            return s.serialize_i32(match self {
                Places::Count(n) => i32::from(*n),
                Places::Some => SOME,
                Places::Undisclosed => UNDISCLOSED,
                Places::NoClass => NO_CLASS,
            });
        }
        match self {
            Places::NoClass => s.serialize_none(),
            Places::Count(n) => s.serialize_u16(*n),
            Places::Some => s.serialize_str("some"),
            Places::Undisclosed => s.serialize_str("undisclosed"),
        }
    }
}

impl<'de> Deserialize<'de> for Places {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Places;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("null, a count, \"some\" or \"undisclosed\"")
            }
            fn visit_unit<E>(self) -> Result<Places, E> {
                Ok(Places::NoClass)
            }
            fn visit_none<E>(self) -> Result<Places, E> {
                Ok(Places::NoClass)
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Places, E> {
                u16::try_from(n)
                    .map(Places::Count)
                    .map_err(|_| E::custom("too many places"))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Places, E> {
                self.visit_u64(u64::try_from(n).map_err(|_| E::custom("negative places"))?)
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Places, E> {
                if n.fract() == 0.0 && (0.0..=f64::from(u16::MAX)).contains(&n) {
                    Ok(Places::Count(n as u16))
                } else {
                    Err(E::custom("places must be a whole number"))
                }
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Places, E> {
                match s {
                    "some" => Ok(Places::Some),
                    "undisclosed" => Ok(Places::Undisclosed),
                    other => Err(E::unknown_variant(other, &["some", "undisclosed"])),
                }
            }
        }
        if !d.is_human_readable() {
            return match i32::deserialize(d)? {
                SOME => Ok(Places::Some),
                UNDISCLOSED => Ok(Places::Undisclosed),
                NO_CLASS => Ok(Places::NoClass),
                n => u16::try_from(n)
                    .map(Places::Count)
                    .map_err(|_| serde::de::Error::custom("places out of range")),
            };
        }
        d.deserialize_any(V)
    }
}

/// What kind of facility it is, normalised from the city's own label (which the feed keeps
/// beside it, in [`Facility::kind_label`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FacilityKind {
    /// 認可保育所 (保育園), public or private, and their 分園.
    Licensed,
    /// 小規模保育事業 (A/B/C型).
    Small,
    /// 認定こども園 (every type).
    CertifiedCentre,
    /// 家庭的保育事業 (保育ママ) and 居宅訪問型.
    Home,
    /// 事業所内保育事業.
    Workplace,
    /// 認可外保育施設 (including 認証保育所 and 企業主導型).
    Unlicensed,
    /// 幼稚園 (a 子育て施設一覧 lists them too).
    Kindergarten,
    /// Anything else the city lists.
    Other,
}

impl FacilityKind {
    /// Every kind, in the order the app offers them.
    pub const ALL: [FacilityKind; 8] = [
        FacilityKind::Licensed,
        FacilityKind::Small,
        FacilityKind::CertifiedCentre,
        FacilityKind::Home,
        FacilityKind::Workplace,
        FacilityKind::Unlicensed,
        FacilityKind::Kindergarten,
        FacilityKind::Other,
    ];

    /// The kind a city's label (`認可私立保育所`, `小規模保育事業Ａ型`, `Type` of papamama, 台東区's
    /// 区分 `小規模（家庭）` …) names. Order matters: 認可外 before 認可, こども園 before 幼稚園.
    pub fn from_label(label: &str) -> FacilityKind {
        let l = crate::garbage::fold(label);
        let has = |s: &str| l.contains(s);
        if has("認可外") || has("認証") || has("企業主導") || has("無認可") {
            FacilityKind::Unlicensed
        } else if has("こども園") || has("子ども園") {
            FacilityKind::CertifiedCentre
        } else if has("家庭") || has("居宅") || has("ほいくまま") || has("保育まま") {
            FacilityKind::Home
        } else if has("事業所内") || has("(事業)") {
            FacilityKind::Workplace
        } else if has("小規模") {
            FacilityKind::Small
        } else if has("幼稚園") {
            FacilityKind::Kindergarten
        } else if has("保育") || has("認可") || has("認定") {
            FacilityKind::Licensed
        } else {
            FacilityKind::Other
        }
    }
}

/// One facility, as the city's list (or, without one, its vacancy table) describes it. Text is
/// as published, in Japanese.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Stable within the city: the facility number when the city gives one, else `n-` and a
    /// hash of the normalised name. What a follow names.
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub kana: Option<String>,
    pub kind: FacilityKind,
    /// The city's own label for the kind, as published.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub kind_label: Option<String>,
    /// The ward or district (施設所在区, 地区).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub ward: Option<String>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub address: Option<String>,
    /// `(lat, lon)`, WGS 84.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub point: Option<(f64, f64)>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub tel: Option<String>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub url: Option<String>,
    /// Opening and closing time (standard hours), minutes after midnight.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub opens: Option<u16>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub closes: Option<u16>,
    /// Extended care (延長保育): `Some(true)` when offered; `extended_until` when its end is known.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub extended: Option<bool>,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub extended_until: Option<u16>,
    /// 一時預かり (temporary care) offered.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub temporary_care: Option<bool>,
    /// The ages it takes, as published (`生後57日～`, `1歳～5歳`).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub ages: Option<String>,
    /// 定員.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub capacity: Option<u32>,
}

impl Facility {
    /// A facility with a name and nothing else known.
    pub fn named(id: String, name: String, kind: FacilityKind) -> Facility {
        Facility {
            id,
            name,
            kana: None,
            kind,
            kind_label: None,
            ward: None,
            address: None,
            point: None,
            tel: None,
            url: None,
            opens: None,
            closes: None,
            extended: None,
            extended_until: None,
            temporary_care: None,
            ages: None,
            capacity: None,
        }
    }

    /// The latest time a child can be picked up: extended care's end, else the closing time.
    pub fn latest_pickup(&self) -> Option<u16> {
        self.extended_until.or(self.closes)
    }
}

/// One facility's line in one month's table, in the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VacancyRow {
    /// Index into [`crate::feed::NurseryFeed::facilities`].
    pub f: u32,
    /// Places per class 0–5, when the table gives classes.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub places: Option<[Places; CLASSES]>,
    /// Children waiting (入所待ち人数) per class, where published; `None` in a class: not given.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub waiting: Option<[Option<u16>; CLASSES]>,
    /// A facility-wide flag without classes (papamama's `Vacancy` Y/N): `Some` or `Count(0)`.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub any: Option<Places>,
}

impl VacancyRow {
    /// What this row says for `class`: the class's places, else the facility-wide flag.
    pub fn places_for(&self, class: u8) -> Option<Places> {
        match &self.places {
            Some(p) => p.get(usize::from(class)).copied(),
            None => self.any,
        }
    }
}

/// One month's vacancies, joined to the facilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VacancyMonth {
    /// The date the table is as of (its 時点 / 更新日), else when the hub first read it.
    #[serde(deserialize_with = "crate::time::date")]
    pub as_of: NaiveDate,
    /// The source it came from (an id in the city feed's sources).
    pub source: String,
    pub rows: Vec<VacancyRow>,
}

impl VacancyMonth {
    /// The row of facility index `f`.
    pub fn row(&self, f: u32) -> Option<&VacancyRow> {
        // Rows are sorted by facility index.
        self.rows
            .binary_search_by_key(&f, |r| r.f)
            .ok()
            .map(|i| &self.rows[i])
    }
}

impl crate::feed::NurseryFeed {
    /// The places that opened with the newest month: `(facility index, class)` where the newest
    /// table shows places (a count above 0, or "some") and the one before showed 0, no such
    /// class, nothing published, or no row. Empty with fewer than two months.
    pub fn openings(&self) -> Vec<(u32, u8)> {
        let [now, before, ..] = &self.months[..] else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for row in &now.rows {
            for class in 0..CLASSES as u8 {
                let open_now = row.places_for(class).is_some_and(Places::is_open);
                let open_before = before
                    .row(row.f)
                    .and_then(|r| r.places_for(class))
                    .is_some_and(Places::is_open);
                if open_now && !open_before {
                    out.push((row.f, class));
                }
            }
        }
        out
    }

    /// The index of facility `id`.
    pub fn facility(&self, id: &str) -> Option<u32> {
        self.facilities
            .iter()
            .position(|f| f.id == id)
            .map(|i| i as u32)
    }
}

/// A problem with a nursery source, naming the file (path or URL), line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NurseryError {
    pub place: String,
    pub line: Option<u64>,
    pub column: Option<usize>,
    pub message: String,
}

impl NurseryError {
    pub fn new(place: &str, line: Option<u64>, column: Option<usize>, message: String) -> Self {
        NurseryError {
            place: place.to_owned(),
            line,
            column,
            message,
        }
    }
}

impl fmt::Display for NurseryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.place)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for NurseryError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_written_so_that_no_class_is_never_zero() {
        let row = [
            Places::NoClass,
            Places::Count(0),
            Places::Count(3),
            Places::Some,
            Places::Undisclosed,
            Places::NoClass,
        ];
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(json, r#"[null,0,3,"some","undisclosed",null]"#);
        let back: [Places; 6] = serde_json::from_str(&json).unwrap();
        assert_eq!(back, row);
        assert!(serde_json::from_str::<Places>("-1").is_err());
        assert!(serde_json::from_str::<Places>("\"many\"").is_err());
    }

    #[test]
    fn facility_kinds_come_from_every_city_s_labels() {
        use FacilityKind::*;
        for (label, kind) in [
            ("認可私立保育所", Licensed),
            ("認可公立保育所", Licensed),
            ("認可外保育所", Unlicensed),
            ("認可外保育所（非公開）", Unlicensed),
            ("小規模保育事業Ａ型", Small),
            ("小規模（家庭）", Home),
            ("小規模（事業）", Workplace),
            ("認定こども園（幼保連携型）", CertifiedCentre),
            ("幼稚園型認定こども園", CertifiedCentre),
            ("事業所内保育事業（定員20人以上）", Workplace),
            ("私立幼稚園", Kindergarten),
            ("認定公立保育所", Licensed),
            ("認可保育園", Licensed),
            ("家庭的保育事業", Home),
            ("こども園", CertifiedCentre),
            ("児童館", Other),
        ] {
            assert_eq!(FacilityKind::from_label(label), kind, "{label}");
        }
    }
}
