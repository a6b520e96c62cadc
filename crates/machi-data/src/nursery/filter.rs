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
    match filter.sort {
        Sort::Distance if filter.from.is_some() => rows.sort_by(|a, b| {
            a.1.unwrap_or(f64::MAX)
                .total_cmp(&b.1.unwrap_or(f64::MAX))
                .then_with(|| key(a.0).cmp(key(b.0)))
        }),
        Sort::Places => rows.sort_by(|a, b| {
            let rank = |i| places(i).map_or(-3, Places::rank);
            rank(b.0)
                .cmp(&rank(a.0))
                .then_with(|| key(a.0).cmp(key(b.0)))
        }),
        _ => rows.sort_by(|a, b| key(a.0).cmp(key(b.0))),
    }
    rows
}
