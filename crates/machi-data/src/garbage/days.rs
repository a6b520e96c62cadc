//! From rules to dates: which categories go out on which days in an area.
//!
//! Pure functions of the area, the city's suspension policy and a date range, so the app can
//! compute them offline and the hub can ask "what goes out tomorrow?" for every area cheaply
//! when it sends reminders.

use super::model::{CollectionDay, GarbageArea, Rule, Schedule, SuspensionPolicy};
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Every collection in `area` from `from` to `to` (both included), sorted by date, then in the
/// order of the area's schedules. Empty when `to < from`.
pub fn collection_days(
    area: &GarbageArea,
    policy: SuspensionPolicy,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<CollectionDay> {
    if to < from {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (order, schedule) in area.schedules.iter().enumerate() {
        for date in schedule_days(area, schedule, policy, from, to) {
            out.push((date, order, schedule.category.as_str()));
        }
    }
    out.sort();
    out.dedup();
    out.into_iter()
        .map(|(date, _, category)| CollectionDay {
            date,
            category: category.to_owned(),
        })
        .collect()
}

/// The categories collected in `area` on `date`, in the order of the area's schedules: what the
/// "today" and "tomorrow" cards and the evening reminder show.
pub fn on(area: &GarbageArea, policy: SuspensionPolicy, date: NaiveDate) -> Vec<&str> {
    area.schedules
        .iter()
        .filter(|s| !schedule_days(area, s, policy, date, date).is_empty())
        .map(|s| s.category.as_str())
        .collect()
}

/// The days of one schedule in `[from, to]`, sorted and without repeats.
fn schedule_days(
    area: &GarbageArea,
    schedule: &Schedule,
    policy: SuspensionPolicy,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<NaiveDate> {
    let suspensions = area
        .centre
        .as_ref()
        .map(|c| c.suspensions.as_slice())
        .unwrap_or(&[]);
    let suspended = |d: NaiveDate| suspensions.iter().any(|s| s.contains(d));
    // A day shifted by a week may come from before `from`: look back far enough to catch every
    // day that a suspension could push into the range.
    let look_back = match policy {
        SuspensionPolicy::Skip => 0,
        SuspensionPolicy::ShiftOneWeek => suspensions
            .iter()
            .map(|s| (s.to - s.from).num_days().max(0) as u64 + 7)
            .max()
            .unwrap_or(0),
    };
    let start = from.checked_sub_days(Days::new(look_back)).unwrap_or(from);
    let in_season =
        |d: NaiveDate| schedule.months.is_empty() || schedule.months.contains(&(d.month() as u8));

    // Recurring days go through the suspension policy; listed dates do not.
    let mut days = Vec::new();
    let mut listed = Vec::new();
    for rule in &schedule.rules {
        match rule {
            // A date the city listed one by one is taken as written: it already accounts for any
            // suspension, and the month restriction is about recurring days.
            Rule::Date { date } => {
                if from <= *date && *date <= to {
                    listed.push(*date);
                }
            }
            Rule::ByArrangement { .. } => {}
            Rule::Weekly { weekday } => {
                every(first_on_or_after(start, *weekday), 7, to, &mut |d| {
                    if in_season(d) {
                        days.push(d)
                    }
                })
            }
            Rule::Biweekly { anchor, .. } => {
                // "Every other week from the anchor on": nothing before it, as 5374.jp does; the
                // phase is counted from the anchor even when the range starts years later.
                let first = if start <= *anchor {
                    *anchor
                } else {
                    let gap = (start - *anchor).num_days() as u64;
                    *anchor + Days::new(gap.div_ceil(14) * 14)
                };
                every(first, 14, to, &mut |d| {
                    if in_season(d) {
                        days.push(d)
                    }
                })
            }
            Rule::Monthly { weekday, nth } => {
                let mut month = NaiveDate::from_ymd_opt(start.year(), start.month(), 1);
                while let Some(first) = month.filter(|m| *m <= to) {
                    if let Some(d) = nth_weekday(first.year(), first.month(), *weekday, *nth) {
                        if start <= d && d <= to && in_season(d) {
                            days.push(d);
                        }
                    }
                    month = first.checked_add_months(chrono::Months::new(1));
                }
            }
        }
    }

    let mut out: Vec<NaiveDate> = days
        .into_iter()
        .filter_map(|d| {
            if !suspended(d) {
                return Some(d);
            }
            match policy {
                SuspensionPolicy::Skip => None,
                SuspensionPolicy::ShiftOneWeek => {
                    let mut moved = d;
                    while suspended(moved) {
                        moved = moved.checked_add_days(Days::new(7))?;
                    }
                    Some(moved)
                }
            }
        })
        .filter(|d| from <= *d && *d <= to)
        .chain(listed)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Calls `f` with `first`, `first + step`, … up to `to` included.
fn every(first: NaiveDate, step: u64, to: NaiveDate, f: &mut dyn FnMut(NaiveDate)) {
    let mut d = Some(first);
    while let Some(day) = d.filter(|d| *d <= to) {
        f(day);
        d = day.checked_add_days(Days::new(step));
    }
}

fn first_on_or_after(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    date + Days::new(ahead as u64)
}

/// The `nth` (1-based) `weekday` of a month, or `None` when the month has fewer (a 5th Wednesday
/// exists only in some months).
pub(crate) fn nth_weekday(year: i32, month: u32, weekday: Weekday, nth: u8) -> Option<NaiveDate> {
    if nth == 0 {
        return None;
    }
    let first = first_on_or_after(NaiveDate::from_ymd_opt(year, month, 1)?, weekday);
    let d = first.checked_add_days(Days::new(7 * (nth as u64 - 1)))?;
    (d.month() == month).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::garbage::model::{Centre, Suspension};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn area(rules: Vec<Rule>) -> GarbageArea {
        GarbageArea {
            id: "a".into(),
            schedules: vec![Schedule {
                category: "c".into(),
                rules,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn dates(
        area: &GarbageArea,
        policy: SuspensionPolicy,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<NaiveDate> {
        collection_days(area, policy, from, to)
            .into_iter()
            .map(|c| c.date)
            .collect()
    }

    fn new_year_area(rules: Vec<Rule>) -> GarbageArea {
        let mut a = area(rules);
        a.centre = Some(Centre {
            name: "センター".into(),
            suspensions: vec![Suspension {
                from: d(2026, 12, 29),
                to: d(2027, 1, 3),
            }],
        });
        a
    }

    #[test]
    fn weekly_gives_every_such_weekday_across_a_month_boundary() {
        // 2026-01-26 and 2026-02-02 are Mondays.
        let a = area(vec![Rule::Weekly {
            weekday: Weekday::Mon,
        }]);
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 1, 25), d(2026, 2, 9)),
            vec![d(2026, 1, 26), d(2026, 2, 2), d(2026, 2, 9)]
        );
    }

    #[test]
    fn monthly_nth_weekday_counts_from_the_first_of_the_month() {
        // April 2026 starts on a Wednesday, so 水1 is the 1st and 水2 the 8th.
        let a = area(vec![Rule::Monthly {
            weekday: Weekday::Wed,
            nth: 2,
        }]);
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 4, 1), d(2026, 6, 30)),
            vec![d(2026, 4, 8), d(2026, 5, 13), d(2026, 6, 10)]
        );
    }

    #[test]
    fn a_fifth_weekday_exists_only_in_some_months() {
        // 2026: April has five Wednesdays (1, 8, 15, 22, 29), May has four, July five (1 … 29).
        let a = area(vec![Rule::Monthly {
            weekday: Weekday::Wed,
            nth: 5,
        }]);
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 4, 1), d(2026, 7, 31)),
            vec![d(2026, 4, 29), d(2026, 7, 29)]
        );
        assert_eq!(nth_weekday(2026, 5, Weekday::Wed, 5), None);
    }

    #[test]
    fn leap_day_is_a_collection_day_when_its_weekday_matches() {
        // 2028-02-29 is a Tuesday and the 5th Tuesday of February 2028 (1, 8, 15, 22, 29).
        let weekly = area(vec![Rule::Weekly {
            weekday: Weekday::Tue,
        }]);
        assert_eq!(
            on(&weekly, SuspensionPolicy::Skip, d(2028, 2, 29)),
            vec!["c"]
        );
        assert_eq!(nth_weekday(2028, 2, Weekday::Tue, 5), Some(d(2028, 2, 29)));
        // 2027 is not a leap year: February has only four Tuesdays.
        assert_eq!(nth_weekday(2027, 2, Weekday::Tue, 5), None);
        let listed = area(vec![Rule::Date {
            date: d(2028, 2, 29),
        }]);
        assert_eq!(
            dates(
                &listed,
                SuspensionPolicy::Skip,
                d(2028, 2, 1),
                d(2028, 3, 31)
            ),
            vec![d(2028, 2, 29)]
        );
    }

    #[test]
    fn biweekly_counts_from_the_anchor_even_years_later() {
        // Anchor 2015-01-12 (a Monday); 2026-01-05 is 4011 days later = 286 fortnights + 7
        // days, so it is an off week and 2026-01-12 (4018 = 287 × 14) is on.
        let a = area(vec![Rule::Biweekly {
            weekday: Weekday::Mon,
            anchor: d(2015, 1, 12),
        }]);
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 1, 1), d(2026, 1, 31)),
            vec![d(2026, 1, 12), d(2026, 1, 26)]
        );
    }

    #[test]
    fn biweekly_has_nothing_before_its_anchor() {
        // Anchor after the range: no days at all. Anchor inside: days from it on.
        let a = area(vec![Rule::Biweekly {
            weekday: Weekday::Wed,
            anchor: d(2016, 4, 6),
        }]);
        assert!(dates(&a, SuspensionPolicy::Skip, d(2016, 1, 1), d(2016, 3, 31)).is_empty());
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2016, 3, 1), d(2016, 4, 30)),
            vec![d(2016, 4, 6), d(2016, 4, 20)]
        );
    }

    #[test]
    fn month_restriction_limits_recurring_rules_only() {
        let mut a = area(vec![
            Rule::Monthly {
                weekday: Weekday::Sat,
                nth: 2,
            },
            Rule::Date {
                date: d(2026, 12, 5),
            },
        ]);
        a.schedules[0].months = vec![4, 5, 6, 7, 8, 9, 10, 11];
        // 2nd Saturdays: 2026-11-14 (in season), 2026-12-12 (not), plus the listed 12-05.
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 11, 1), d(2027, 1, 31)),
            vec![d(2026, 11, 14), d(2026, 12, 5)]
        );
    }

    #[test]
    fn new_year_suspension_skips_days_across_the_year_boundary() {
        // Mondays and Thursdays: 12-28 (before), 12-31, 01-01 (suspended), 01-04 (after).
        let a = new_year_area(vec![
            Rule::Weekly {
                weekday: Weekday::Mon,
            },
            Rule::Weekly {
                weekday: Weekday::Thu,
            },
        ]);
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 12, 25), d(2027, 1, 8)),
            vec![d(2026, 12, 28), d(2027, 1, 4), d(2027, 1, 7)]
        );
        assert_eq!(
            on(&a, SuspensionPolicy::Skip, d(2026, 12, 31)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn new_year_suspension_shifts_monthly_days_one_week() {
        // 金1 of January 2027 is 01-01 (suspended): shifted to 01-08. 水5 of December 2026 is
        // 12-30 (suspended): shifted into January, to 2027-01-06.
        let a = new_year_area(vec![
            Rule::Monthly {
                weekday: Weekday::Fri,
                nth: 1,
            },
            Rule::Monthly {
                weekday: Weekday::Wed,
                nth: 5,
            },
        ]);
        assert_eq!(
            dates(
                &a,
                SuspensionPolicy::ShiftOneWeek,
                d(2026, 12, 1),
                d(2027, 1, 31)
            ),
            vec![d(2026, 12, 4), d(2027, 1, 6), d(2027, 1, 8)]
        );
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 12, 1), d(2027, 1, 31)),
            vec![d(2026, 12, 4)]
        );
        // A range starting after the suspension still sees the days shifted into it.
        assert_eq!(
            on(&a, SuspensionPolicy::ShiftOneWeek, d(2027, 1, 6)),
            vec!["c"]
        );
    }

    #[test]
    fn shifting_a_weekly_day_merges_it_with_the_next_regular_one() {
        let a = new_year_area(vec![Rule::Weekly {
            weekday: Weekday::Thu,
        }]);
        assert_eq!(
            dates(
                &a,
                SuspensionPolicy::ShiftOneWeek,
                d(2026, 12, 20),
                d(2027, 1, 10)
            ),
            vec![d(2026, 12, 24), d(2027, 1, 7)]
        );
    }

    #[test]
    fn listed_dates_are_kept_inside_a_suspension() {
        let a = new_year_area(vec![Rule::Date {
            date: d(2026, 12, 30),
        }]);
        assert_eq!(
            dates(&a, SuspensionPolicy::Skip, d(2026, 12, 1), d(2027, 1, 31)),
            vec![d(2026, 12, 30)]
        );
    }

    #[test]
    fn by_arrangement_has_no_days_and_an_empty_range_is_empty() {
        let a = area(vec![Rule::ByArrangement {
            note: "公社".into(),
        }]);
        assert!(dates(&a, SuspensionPolicy::Skip, d(2026, 1, 1), d(2026, 12, 31)).is_empty());
        let w = area(vec![Rule::Weekly {
            weekday: Weekday::Mon,
        }]);
        assert!(dates(&w, SuspensionPolicy::Skip, d(2026, 2, 1), d(2026, 1, 1)).is_empty());
    }
}
