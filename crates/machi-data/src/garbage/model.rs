//! The garbage calendar of one city as the feed carries it: categories, areas with their rules,
//! the item dictionary and the remarks the rules point to.
//!
//! These types are what the hub publishes and the app deserialises, so they are always compiled
//! and carry no parsing code. Dates are computed from the rules by [`super::days`].

use crate::text::LocalizedText;
use chrono::{NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// One city's collection calendar, from one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GarbageCalendar {
    /// The kinds of garbage, in the order the source lists them.
    pub categories: Vec<Category>,
    pub areas: Vec<GarbageArea>,
    /// The item dictionary ("where does a frying pan go?").
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub items: Vec<Item>,
    /// Notes that schedules point to by number (5374's `*1`).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub remarks: Vec<Remark>,
    /// What happens to a collection day that falls in a centre's suspension period.
    #[serde(default)]
    pub suspension_policy: SuspensionPolicy,
}

/// A kind of garbage as the city names it: 燃やすごみ, 資源, びん・かん …
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// Stable identifier: the glossary's name for the kind when it is unambiguous in this city
    /// (`burnable`), else a hash of the label; see [`category_id`].
    pub id: String,
    /// The city's label in Japanese. What the app and the notifications show in other languages
    /// is the catalogue's name of its kind(s) ([`super::category_name`]); a feed written before
    /// that may carry translations here too, which are shown when the kind is unknown.
    pub label: LocalizedText,
    /// The glossary's kind (`burnable`, `cans` …): for the icon and the name in other languages;
    /// `None` when unknown or when the label names several kinds at once.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub kind: Option<String>,
    /// The kinds of a label joining several (缶・びん・ペットボトル → `cans`, `bottles`,
    /// `pet-bottles`), in the label's order; empty otherwise.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub kinds: Vec<String>,
    #[serde(default, skip_serializing_if = "LocalizedText::unset")]
    pub sub_label: LocalizedText,
    #[serde(default, skip_serializing_if = "LocalizedText::unset")]
    pub description: LocalizedText,
    /// The source's icon hint (5374 gives an image path such as `img/moyasu02.svg`).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub icon: Option<String>,
    /// `#rrggbb` or `#rgb`, as the city chose it.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub colour: Option<String>,
}

/// An area residents pick: a 校下, a 町丁目 group, a calendar number.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GarbageArea {
    /// Stable identifier derived from the name (see [`area_id`]), so a resident's
    /// saved choice survives the city reordering its rows.
    pub id: String,
    pub name: LocalizedText,
    /// Reading in hiragana, when the source gives one (5374 does not).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub kana: Option<String>,
    /// The collection centre serving the area, with its suspension periods (年末年始).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub centre: Option<Centre>,
    /// One schedule per category collected here; a category absent here is not collected here.
    pub schedules: Vec<Schedule>,
}

/// A collection centre (5374's `center.csv`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Centre {
    pub name: String,
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub suspensions: Vec<Suspension>,
}

/// A period, both ends included, in which the centre does not collect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspension {
    #[serde(deserialize_with = "crate::time::date")]
    pub from: NaiveDate,
    #[serde(deserialize_with = "crate::time::date")]
    pub to: NaiveDate,
}

impl Suspension {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// What happens to a regular collection day that falls in a suspension period. Cities differ, so
/// this is a per-city setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuspensionPolicy {
    /// The day is simply dropped (most cities).
    #[default]
    Skip,
    /// The day moves to the same weekday a week later, again if that is suspended too (the
    /// original 5374.jp's "1週間ずらす"). A weekly day moved onto the next regular day merges with it.
    ShiftOneWeek,
}

/// When one category is collected in one area.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// A [`Category::id`].
    pub category: String,
    pub rules: Vec<Rule>,
    /// Months (1–12) in which the recurring rules apply; empty means every month. 5374 writes
    /// this after a colon: `土2:4 5 6 7 8 9 10 11`.
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub months: Vec<u8>,
    /// [`Remark::id`]s the city attached to this cell (5374's `*1`).
    #[serde(default, skip_serializing_if = "crate::wire::empty")]
    pub footnotes: Vec<u32>,
}

/// One rule of a schedule. A day is a collection day when any rule of the schedule says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
// Externally tagged (`{"monthly":{…}}`): serde's internally tagged form buffers every value and
// cost 12 KB of wasm in the app, which deserialises thousands of rules.
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Every week on this weekday (5374 `月`).
    Weekly { weekday: Weekday },
    /// The `nth` (1–5) such weekday of each month (5374 `水2`); a month without a 5th one has
    /// no collection for `nth = 5`.
    Monthly { weekday: Weekday, nth: u8 },
    /// Every other week from `anchor` on (5374 `隔月20150112`); `anchor` falls on `weekday`.
    Biweekly {
        weekday: Weekday,
        #[serde(deserialize_with = "crate::time::date")]
        anchor: NaiveDate,
    },
    /// One irregular date (5374 `20190402`).
    Date {
        #[serde(deserialize_with = "crate::time::date")]
        date: NaiveDate,
    },
    /// Collected, but by arrangement with someone the note names rather than on fixed days
    /// (奈良市 writes `公社`: the 清美公社 collects).
    ByArrangement { note: String },
}

/// A remark the city attached to schedules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remark {
    pub id: u32,
    pub text: LocalizedText,
}

/// An entry of the item dictionary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    /// The [`Category::id`] this item goes out with, when the city's label for it matches a
    /// category of the calendar. Many dictionaries also name categories that are not collected on
    /// fixed days (有料粗大ごみ, 市で収集しない), which have no id.
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub category: Option<String>,
    /// The category label exactly as the dictionary writes it.
    pub category_label: String,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub notice: Option<String>,
    /// The furigana initial the city files the item under (あ, か …).
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub initial: Option<String>,
}

/// A computed collection: this category goes out on this date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CollectionDay {
    #[serde(deserialize_with = "crate::time::date")]
    pub date: NaiveDate,
    /// A [`Category::id`].
    pub category: String,
}

impl Category {
    /// The glossary kinds the label names: its one kind, or every kind of a joined label; none
    /// when the glossary does not know it.
    pub fn kinds(&self) -> impl Iterator<Item = &str> {
        self.kind
            .as_deref()
            .into_iter()
            .chain(self.kinds.iter().map(String::as_str))
    }
}

impl GarbageCalendar {
    pub fn area(&self, id: &str) -> Option<&GarbageArea> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// The area with this Japanese name, as a city file names it.
    pub fn area_named(&self, name: &str) -> Option<&GarbageArea> {
        self.areas.iter().find(|a| a.name.original() == Some(name))
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn remark(&self, id: u32) -> Option<&Remark> {
        self.remarks.iter().find(|r| r.id == id)
    }

    /// [`super::collection_days`] with this calendar's suspension policy.
    pub fn collection_days(
        &self,
        area: &GarbageArea,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<CollectionDay> {
        super::days::collection_days(area, self.suspension_policy, from, to)
    }

    /// [`super::on`] with this calendar's suspension policy.
    pub fn on<'a>(&self, area: &'a GarbageArea, date: NaiveDate) -> Vec<&'a str> {
        super::days::on(area, self.suspension_policy, date)
    }

    /// What is collected on `date` in `area` (see `CityFeed::collection_area` for a resident's
    /// area): its categories, in the order the city lists them for the area.
    pub fn collected_on(&self, area: &GarbageArea, date: NaiveDate) -> Vec<&Category> {
        self.on(area, date)
            .into_iter()
            .filter_map(|id| self.category(id))
            .collect()
    }
}

/// The stable id of a category: the glossary kind when no other label of the same calendar has
/// it, else `c-` and a hash of the label. Both survive the city reordering its columns.
pub fn category_id(label: &str, kind: Option<&str>, kind_is_unique: bool) -> String {
    match kind {
        Some(k) if kind_is_unique => k.to_owned(),
        _ => format!("c-{:08x}", fnv1a32(label.trim())),
    }
}

/// The stable id of an area: `a-` and a hash of its name; a repeated name gets `-2`, `-3` … in
/// source order.
pub fn area_id(name: &str) -> String {
    format!("a-{:08x}", fnv1a32(name.trim()))
}

/// FNV-1a, 32 bits: tiny, stable across platforms and releases (unlike `DefaultHasher`), and
/// enough to tell apart the few hundred names of one city.
pub(crate) fn fnv1a32(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_across_releases() {
        // Pinned: a change here would lose every resident's saved area and reminders.
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        assert_eq!(fnv1a32("a"), 0xe40c_292c);
        assert_eq!(area_id(" 浅野川 "), area_id("浅野川"));
        assert_eq!(
            category_id("燃やすごみ", Some("burnable"), true),
            "burnable"
        );
        assert!(category_id("燃やすごみ", Some("burnable"), false).starts_with("c-"));
    }

    #[test]
    fn rules_serialise_with_a_kind_tag() {
        let r = Rule::Monthly {
            weekday: Weekday::Wed,
            nth: 2,
        };
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"monthly":{"weekday":"Wed","nth":2}}"#);
        assert_eq!(serde_json::from_str::<Rule>(&json).unwrap(), r);
    }
}
