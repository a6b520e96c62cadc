//! What the nursery list shows: the facilities that pass a parent's filters, sorted, with their
//! distance. Pure, so the app runs it on every change and the benchmark measures it
//! (`benches/nursery.rs`: Yokohama's 1,221 facilities).

use super::{FacilityKind, Places};
use crate::alerts::haversine_km;
use crate::feed::NurseryFeed;

/// How the list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Nearest first (by name without a point to measure from).
    #[default]
    Distance,
    /// Most places in the class first.
    Places,
    /// By reading (kana), else name.
    Name,
}

/// A parent's filters.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Filter {
    /// The age class the places are for.
    pub class: u8,
    /// Only facilities with places in the class (a count above 0, or "some").
    pub open_only: bool,
    pub kind: Option<FacilityKind>,
    /// Only facilities where a child can stay until at least this time (minutes after midnight),
    /// extended care included.
    pub pickup: Option<u16>,
    /// Only facilities with temporary care (一時預かり).
    pub temporary: bool,
    /// Only facilities within this many km of `from`.
    pub within_km: Option<f64>,
    /// Where distances are measured from: the device's location or the area's point.
    pub from: Option<(f64, f64)>,
    pub sort: Sort,
}

/// The facilities (index into `feed.facilities`, distance in km) that pass `filter`, sorted.
pub fn filter(feed: &NurseryFeed, filter: &Filter) -> Vec<(usize, Option<f64>)> {
    let month = feed.months.first();
    let places = |i: usize| month.and_then(|m| m.row(i as u32)?.places_for(filter.class));
    let mut rows: Vec<(usize, Option<f64>)> = feed
        .facilities
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            (!filter.open_only || places(*i).is_some_and(Places::is_open))
                && filter.kind.is_none_or(|k| f.kind == k)
                && filter
                    .pickup
                    .is_none_or(|t| f.latest_pickup().is_some_and(|p| p >= t))
                && (!filter.temporary || f.temporary_care == Some(true))
        })
        .map(|(i, f)| {
            let d = filter
                .from
                .zip(f.point)
                .map(|((a, b), (c, d))| haversine_km(a, b, c, d));
            (i, d)
        })
        .filter(|(_, d)| filter.within_km.is_none_or(|km| d.is_some_and(|d| d <= km)))
        .collect();
    let key = |i: usize| {
        let f = &feed.facilities[i];
        f.kana.as_deref().unwrap_or(&f.name)
    };
    let rank = |i| places(i).map_or(-3, Places::rank);
    let sort = match filter.sort {
        Sort::Distance if filter.from.is_none() => Sort::Name,
        other => other,
    };
    // One comparator for every order: each `sort_by` closure is another copy of the sort in the
    // app's wasm.
    rows.sort_by(|a, b| {
        let first = match sort {
            Sort::Distance => a.1.unwrap_or(f64::MAX).total_cmp(&b.1.unwrap_or(f64::MAX)),
            Sort::Places => rank(b.0).cmp(&rank(a.0)),
            Sort::Name => std::cmp::Ordering::Equal,
        };
        first.then_with(|| key(a.0).cmp(key(b.0)))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nursery::{Facility, VacancyMonth, VacancyRow};

    fn feed() -> NurseryFeed {
        let facility = |id: &str, kind, point, closes, temporary| Facility {
            point,
            closes,
            temporary_care: temporary,
            ..Facility::named(id.into(), id.into(), kind)
        };
        let row = |f, one: Places| VacancyRow {
            f,
            places: Some([
                Places::NoClass,
                one,
                Places::Count(0),
                Places::NoClass,
                Places::NoClass,
                Places::NoClass,
            ]),
            waiting: None,
            any: None,
        };
        NurseryFeed {
            version: 1,
            generated_at: chrono::Utc::now(),
            sources: vec![],
            facilities: vec![
                facility(
                    "a",
                    FacilityKind::Licensed,
                    Some((35.0, 139.0)),
                    Some(19 * 60),
                    Some(true),
                ),
                facility(
                    "b",
                    FacilityKind::Small,
                    Some((35.1, 139.0)),
                    Some(18 * 60),
                    None,
                ),
                facility("c", FacilityKind::Licensed, None, None, Some(false)),
            ],
            months: vec![VacancyMonth {
                as_of: "2026-12-01".parse().unwrap(),
                source: "v".into(),
                rows: vec![
                    row(0, Places::Count(0)),
                    row(1, Places::Some),
                    row(2, Places::Count(3)),
                ],
            }],
            unjoined: vec![],
        }
    }

    fn ids(feed: &NurseryFeed, f: Filter) -> Vec<&str> {
        filter(feed, &f)
            .into_iter()
            .map(|(i, _)| feed.facilities[i].id.as_str())
            .collect()
    }

    #[test]
    fn filters_and_orders_as_a_parent_asks() {
        let feed = feed();
        let base = Filter {
            class: 1,
            ..Filter::default()
        };
        assert_eq!(ids(&feed, base), ["a", "b", "c"]);
        assert_eq!(
            ids(
                &feed,
                Filter {
                    open_only: true,
                    ..base
                }
            ),
            ["b", "c"]
        );
        assert_eq!(
            ids(
                &feed,
                Filter {
                    sort: Sort::Places,
                    ..base
                }
            ),
            ["c", "b", "a"]
        );
        assert_eq!(
            ids(
                &feed,
                Filter {
                    kind: Some(FacilityKind::Small),
                    ..base
                }
            ),
            ["b"]
        );
        assert_eq!(
            ids(
                &feed,
                Filter {
                    pickup: Some(19 * 60),
                    ..base
                }
            ),
            ["a"]
        );
        assert_eq!(
            ids(
                &feed,
                Filter {
                    temporary: true,
                    ..base
                }
            ),
            ["a"]
        );
        // From near b: b first, then a; c has no point and goes last.
        let near_b = Filter {
            from: Some((35.1, 139.0)),
            ..base
        };
        assert_eq!(ids(&feed, near_b), ["b", "a", "c"]);
        assert_eq!(
            ids(
                &feed,
                Filter {
                    within_km: Some(5.0),
                    ..near_b
                }
            ),
            ["b"]
        );
        // The 2歳児クラス is full everywhere.
        assert!(ids(
            &feed,
            Filter {
                class: 2,
                open_only: true,
                ..base
            }
        )
        .is_empty());
    }
}
