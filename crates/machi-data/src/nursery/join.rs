//! Joins a city's facility lists and vacancy tables into its nursery feed: each table row goes
//! to its facility by facility number, else by normalised name (width, spaces, 株式会社 and
//! other corporate forms); a row that joins nothing is reported by name and kept as a facility
//! of its own (its vacancies are never dropped). Tables of the same date are one month (横浜市's
//! 受入可能数 and 入所待ち人数), and months are listed newest first.

use super::facilities::FacilityList;
use super::vacancies::VacancyTable;
use super::{Facility, FacilityKind, VacancyMonth, VacancyRow};
use crate::feed::{NurseryFeed, FEED_VERSION};
use crate::garbage::fold;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Corporate and legal forms a name may carry or drop between two publications.
const FORMS: &[&str] = &[
    "株式会社",
    "(株)",
    "㈱",
    "有限会社",
    "(有)",
    "㈲",
    "社会福祉法人",
    "(福)",
    "学校法人",
    "(学)",
    "特定非営利活動法人",
    "npo法人",
    "一般社団法人",
    "(一社)",
    "合同会社",
];

/// A name as compared when joining: width and kana folded, lower case, without spaces,
/// corporate forms, brackets and middle dots.
pub fn normalise_name(name: &str) -> String {
    let mut s: String = fold(name).chars().filter(|c| !c.is_whitespace()).collect();
    for form in FORMS {
        s = s.replace(form, "");
    }
    s.chars()
        .filter(|c| !matches!(c, '・' | '･' | '(' | ')' | '「' | '」' | '『' | '』' | '.'))
        .collect()
}

/// The id of a facility: its number when the city gives one that is URL-safe, else `n-` and a
/// hash of its normalised name (FNV-1a, 48 bits: no collision is likely among a city's
/// facilities, and the id stays the same as long as the name does).
pub fn facility_id(number: Option<&str>, name: &str) -> String {
    // Full-width digits and letters as ASCII; the case as published.
    let number = number
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                    c => c,
                })
                .collect::<String>()
        })
        .filter(|n| !n.is_empty() && n.len() <= 32)
        .filter(|n| {
            n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if let Some(n) = number {
        return n;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in normalise_name(name).bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("n-{:012x}", hash & 0xffff_ffff_ffff)
}

/// A vacancy table and where it came from.
pub struct SourcedTable<'a> {
    /// The source id, for the feed.
    pub source: &'a str,
    pub table: &'a VacancyTable,
    /// Its date when it gives none: when the hub first read it.
    pub fallback_as_of: NaiveDate,
    /// For papamama's flags: the position in [`NurseryInput::lists`] of the list they came with.
    pub list: Option<usize>,
}

/// What a city's nursery feed is made of.
pub struct NurseryInput<'a> {
    /// Facility lists with their source ids.
    pub lists: Vec<(&'a str, &'a FacilityList)>,
    /// Every table the hub keeps (the newest sets and the earlier ones), in any order.
    pub tables: Vec<SourcedTable<'a>>,
    /// At most this many months go into the feed (newest first).
    pub max_months: usize,
}

/// A row that joined no facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unjoined {
    pub source: String,
    pub line: u64,
    pub name: String,
}

/// The city's nursery feed, and the rows that joined no facility of a list.
pub fn assemble(input: NurseryInput<'_>, now: DateTime<Utc>) -> (NurseryFeed, Vec<Unjoined>) {
    let mut facilities: Vec<Facility> = Vec::new();
    let mut by_id: HashMap<String, u32> = HashMap::new();
    let mut by_name: HashMap<String, Option<u32>> = HashMap::new();
    let mut offsets: Vec<Vec<u32>> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    let add = |f: Facility,
               facilities: &mut Vec<Facility>,
               by_id: &mut HashMap<String, u32>,
               by_name: &mut HashMap<String, Option<u32>>|
     -> u32 {
        if let Some(&i) = by_id.get(&f.id) {
            return i;
        }
        let i = facilities.len() as u32;
        by_id.insert(f.id.clone(), i);
        // Two facilities of one name: neither can be joined by name.
        by_name
            .entry(normalise_name(&f.name))
            .and_modify(|e| *e = None)
            .or_insert(Some(i));
        facilities.push(f);
        i
    };
    for (source, list) in &input.lists {
        if !sources.iter().any(|s| s == source) {
            sources.push((*source).to_owned());
        }
        let map = list
            .facilities
            .iter()
            .map(|f| add(f.clone(), &mut facilities, &mut by_id, &mut by_name))
            .collect();
        offsets.push(map);
    }
    let has_lists = !input.lists.is_empty();
    // Facilities known only from a table row with a number: another number is another facility,
    // whatever its name (横浜市 has two めぐみ保育園).
    let mut numbered: HashSet<u32> = HashSet::new();
    let mut unjoined: Vec<Unjoined> = Vec::new();
    // The names in `unjoined`, each once (a table can have tens of thousands of rows).
    let mut unjoined_names: HashSet<String> = HashSet::new();
    // date → (source, facility → row)
    let mut months: BTreeMap<NaiveDate, (String, BTreeMap<u32, VacancyRow>)> = BTreeMap::new();
    for t in &input.tables {
        if !sources.iter().any(|s| s == t.source) {
            sources.push(t.source.to_owned());
        }
        let as_of = t.table.as_of.unwrap_or(t.fallback_as_of);
        let month = months
            .entry(as_of)
            .or_insert_with(|| (t.source.to_owned(), BTreeMap::new()));
        for row in &t.table.rows {
            let known = match (row.facility, t.list) {
                (Some(i), Some(list)) => offsets.get(list).and_then(|o| o.get(i)).copied(),
                _ => None,
            };
            let id = facility_id(row.number.as_deref(), &row.name);
            let f = known
                .or_else(|| row.number.as_ref().and_then(|_| by_id.get(&id).copied()))
                .or_else(|| {
                    by_name
                        .get(&normalise_name(&row.name))
                        .copied()
                        .flatten()
                        .filter(|f| row.number.is_none() || !numbered.contains(f))
                });
            let f = match f {
                Some(f) => f,
                None => {
                    if has_lists && unjoined_names.insert(row.name.clone()) {
                        unjoined.push(Unjoined {
                            source: t.source.to_owned(),
                            line: row.line,
                            name: row.name.clone(),
                        });
                    }
                    let kind = row
                        .kind_label
                        .as_deref()
                        .map_or(FacilityKind::Other, FacilityKind::from_label);
                    let mut facility = Facility::named(id, row.name.clone(), kind);
                    facility.ward = row.ward.clone();
                    facility.kind_label = row.kind_label.clone();
                    let f = add(facility, &mut facilities, &mut by_id, &mut by_name);
                    if row.number.is_some() {
                        numbered.insert(f);
                    }
                    f
                }
            };
            let entry = month.1.entry(f).or_insert(VacancyRow {
                f,
                places: None,
                waiting: None,
                any: None,
            });
            if row.places.is_some() {
                entry.places = row.places;
            }
            if row.waiting.is_some() {
                entry.waiting = row.waiting;
            }
            if row.any.is_some() {
                entry.any = row.any;
            }
        }
    }
    let months: Vec<VacancyMonth> = months
        .into_iter()
        .rev()
        .take(input.max_months)
        .map(|(as_of, (source, rows))| VacancyMonth {
            as_of,
            source,
            rows: rows.into_values().collect(),
        })
        .collect();
    let feed = NurseryFeed {
        version: FEED_VERSION,
        generated_at: now,
        sources,
        facilities,
        months,
        unjoined: unjoined.iter().map(|u| u.name.clone()).collect(),
    };
    (feed, unjoined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_join_across_width_spaces_and_corporate_forms() {
        assert_eq!(
            normalise_name("ＳＡＮＤＡ　ＫＩＤ保育園"),
            normalise_name("sanda kid保育園")
        );
        assert_eq!(
            normalise_name("株式会社 まちの・こども園"),
            normalise_name("まちのこども園（株式会社）")
        );
        assert_ne!(normalise_name("きた保育園"), normalise_name("みなみ保育園"));
        assert_eq!(facility_id(Some("1410051018778"), "x"), "1410051018778");
        let a = facility_id(None, "まち保育園");
        assert!(a.starts_with("n-") && a.len() == 14, "{a}");
        assert_eq!(a, facility_id(Some(""), "まち　保育園"));
    }
}
