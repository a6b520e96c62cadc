//! A child's age class (年齢クラス) from the birth date.
//!
//! Japanese nurseries class children by their age on 1 April of the fiscal year (April to
//! March), for the whole year: a child who is 1 on 1 April is in the 1歳児クラス until the next
//! March, even after turning 2. So children born between 2 April and 1 April of the next year
//! share a class (the legal age rises the day before a birthday, which is why 1 April birthdays
//! go with the older children). A child born during the fiscal year is in the 0歳児クラス.

use chrono::{Datelike, NaiveDate};

/// What class a child is in for a fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeClass {
    /// ０歳児クラス … ５歳児クラス.
    Class(u8),
    /// Born after the fiscal year ends: no class yet.
    NotYetBorn,
    /// Six or older on 1 April: primary school, not nursery.
    SchoolAge,
}

impl AgeClass {
    pub fn class(self) -> Option<u8> {
        match self {
            AgeClass::Class(c) => Some(c),
            _ => None,
        }
    }
}

/// The fiscal year (年度) `date` is in: April 2026 – March 2027 is 2026.
pub fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The class of a child born on `birth` in fiscal year `year` (its age on 1 April `year`).
pub fn age_class(birth: NaiveDate, year: i32) -> AgeClass {
    let Some(april) = NaiveDate::from_ymd_opt(year, 4, 1) else {
        return AgeClass::NotYetBorn;
    };
    let Some(next_april) = NaiveDate::from_ymd_opt(year + 1, 4, 1) else {
        return AgeClass::NotYetBorn;
    };
    if birth >= next_april {
        return AgeClass::NotYetBorn;
    }
    if birth > april {
        return AgeClass::Class(0);
    }
    // Full years on 1 April; a 29 February birthday counts from 1 March in common years.
    let mut age = april.year() - birth.year();
    if (april.month(), april.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    match age {
        0..=5 => AgeClass::Class(age as u8),
        _ => AgeClass::SchoolAge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_class_is_the_age_on_1_april_of_the_fiscal_year() {
        assert_eq!(fiscal_year(d("2026-03-31")), 2025);
        assert_eq!(fiscal_year(d("2026-04-01")), 2026);
        // Born 2 April 2024 – 1 April 2025 share a class: 0 in FY2025, 1 in FY2026.
        assert_eq!(age_class(d("2024-04-02"), 2025), AgeClass::Class(0));
        assert_eq!(age_class(d("2025-04-01"), 2025), AgeClass::Class(0));
        assert_eq!(age_class(d("2024-04-01"), 2025), AgeClass::Class(1));
        assert_eq!(age_class(d("2024-04-02"), 2026), AgeClass::Class(1));
        // Born during the year: the 0歳児クラス; after it: not yet.
        assert_eq!(age_class(d("2025-10-10"), 2025), AgeClass::Class(0));
        assert_eq!(age_class(d("2026-04-02"), 2025), AgeClass::NotYetBorn);
        // A 29 February birthday.
        assert_eq!(age_class(d("2024-02-29"), 2026), AgeClass::Class(2));
        // Five, then school.
        assert_eq!(age_class(d("2020-04-02"), 2025), AgeClass::Class(4));
        assert_eq!(age_class(d("2019-04-02"), 2025), AgeClass::Class(5));
        assert_eq!(age_class(d("2020-04-01"), 2025), AgeClass::Class(5));
        assert_eq!(age_class(d("2019-04-01"), 2025), AgeClass::SchoolAge);
    }
}
