//! The little language of a 5374 `area_days.csv` cell: `月 木`, `火1 火3 火5`, `隔月20150112`,
//! `20190402 20190409`, `*1`, and `…:4 5 6` for "only in these months".
//!
//! Raw text in, rules out. A token the parser cannot read is reported and dropped while the rest
//! of the cell stands: real files carry typos (`隔金20150198`, `2020024`) in a few cells of
//! thousands, and losing a whole city over one cell would serve residents worse.

use super::model::Rule;
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// A parsed cell: its rules, month restriction, footnotes and the problems met on the way.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Cell {
    pub rules: Vec<Rule>,
    pub months: Vec<u8>,
    pub footnotes: Vec<u32>,
    /// Messages for the caller to place at the cell's file, line and column.
    pub problems: Vec<String>,
}

/// make5374data4nara ends every date list with `20991231`, a placeholder that keeps the cell
/// "irregular" even when the list is empty; it is not a collection day.
const PLACEHOLDER_YEAR: i32 = 2099;

pub(crate) fn parse_cell(raw: &str) -> Cell {
    let text = narrow(raw);
    let (days, months) = match text.split_once(':') {
        Some((d, m)) => (d, Some(m)),
        None => (text.as_str(), None),
    };
    let mut cell = Cell::default();
    for token in days.split_whitespace() {
        parse_token(token, &mut cell);
    }
    if let Some(months) = months {
        for m in months
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|m| !m.is_empty())
        {
            match m.parse::<u8>() {
                Ok(n @ 1..=12) if !cell.months.contains(&n) => cell.months.push(n),
                Ok(1..=12) => {}
                _ => cell.problems.push(format!(
                    "month \"{m}\" after ':' is not a number from 1 to 12"
                )),
            }
        }
        if cell.months.is_empty() {
            cell.problems
                .push("':' is followed by no month; the rules apply in every month".into());
        }
        cell.months.sort_unstable();
    }
    cell
}

fn parse_token(token: &str, cell: &mut Cell) {
    let unknown = |cell: &mut Cell| {
        cell.problems
            .push(format!("unknown rule token \"{token}\""))
    };
    let mut chars = token.chars();
    let first = chars.next().unwrap_or(' ');
    let rest = chars.as_str();

    if first == '*' {
        match rest.parse::<u32>() {
            Ok(n) => cell.footnotes.push(n),
            Err(_) => unknown(cell),
        }
    } else if let Some(weekday) = weekday(first) {
        if rest.is_empty() {
            cell.rules.push(Rule::Weekly { weekday });
        } else {
            match rest.parse::<u8>() {
                Ok(nth @ 1..=5) => cell.rules.push(Rule::Monthly { weekday, nth }),
                _ => unknown(cell),
            }
        }
    } else if first == '隔' {
        let mut cs = rest.chars();
        let (Some(weekday), digits) = (cs.next().and_then(weekday), cs.as_str()) else {
            return unknown(cell);
        };
        let Some(anchor) = date(token, digits, cell) else {
            return;
        };
        let anchor = if anchor.weekday() == weekday {
            anchor
        } else {
            // The city wrote a weekday and a date that disagree (八王子 `隔火20150114`, a
            // Wednesday). The weekday is what residents were told; keep it, in the anchor's week.
            let snapped = nearest(anchor, weekday);
            cell.problems.push(format!(
                "\"{token}\": {anchor} is a {:?}, not {}; using {snapped} instead",
                anchor.weekday(),
                weekday_char(weekday)
            ));
            snapped
        };
        cell.rules.push(Rule::Biweekly { weekday, anchor });
    } else if first.is_ascii_digit() {
        if let Some(d) = date(token, token, cell) {
            if d.year() != PLACEHOLDER_YEAR {
                cell.rules.push(Rule::Date { date: d });
            }
        }
    } else if token == "公社" {
        // 奈良市: the area is served by 奈良市清美公社 on its own arrangement.
        cell.rules.push(Rule::ByArrangement {
            note: token.to_owned(),
        });
    } else {
        unknown(cell)
    }
}

/// Reads `YYYYMMDD`, reporting malformed or impossible dates against `token`.
fn date(token: &str, digits: &str, cell: &mut Cell) -> Option<NaiveDate> {
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        cell.problems.push(format!(
            "\"{token}\": \"{digits}\" is not a date written YYYYMMDD"
        ));
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits[r].parse::<u32>().ok();
    let d = NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?);
    if d.is_none() {
        cell.problems.push(format!(
            "\"{token}\": {digits} is not a date in the calendar"
        ));
    }
    d
}

/// The date with `weekday` closest to `date` (at most three days away).
fn nearest(date: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
    if ahead <= 3 {
        date + Days::new(ahead as u64)
    } else {
        date - Days::new(7 - ahead as u64)
    }
}

pub(crate) fn weekday(c: char) -> Option<Weekday> {
    Some(match c {
        '日' => Weekday::Sun,
        '月' => Weekday::Mon,
        '火' => Weekday::Tue,
        '水' => Weekday::Wed,
        '木' => Weekday::Thu,
        '金' => Weekday::Fri,
        '土' => Weekday::Sat,
        _ => return None,
    })
}

pub(crate) fn weekday_char(w: Weekday) -> char {
    ['月', '火', '水', '木', '金', '土', '日'][w.num_days_from_monday() as usize]
}

/// Full-width digits, letters and punctuation (`水２`, `＊１`, `：`) to ASCII, and the ideographic
/// space to a space; cells typed with a Japanese input method often carry them.
fn narrow(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reads_every_rule_kind() {
        let c = parse_cell("月 水2 隔金20150109 20190402 *3 公社");
        assert_eq!(
            c.rules,
            vec![
                Rule::Weekly {
                    weekday: Weekday::Mon
                },
                Rule::Monthly {
                    weekday: Weekday::Wed,
                    nth: 2
                },
                Rule::Biweekly {
                    weekday: Weekday::Fri,
                    anchor: d(2015, 1, 9)
                },
                Rule::Date {
                    date: d(2019, 4, 2)
                },
                Rule::ByArrangement {
                    note: "公社".into()
                },
            ]
        );
        assert_eq!(c.footnotes, vec![3]);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
    }

    #[test]
    fn reads_a_month_restriction_and_full_width_input() {
        let c = parse_cell("土２ ＊１：４ ５　６ 11");
        assert_eq!(
            c.rules,
            vec![Rule::Monthly {
                weekday: Weekday::Sat,
                nth: 2
            }]
        );
        assert_eq!(c.months, vec![4, 5, 6, 11]);
        assert_eq!(c.footnotes, vec![1]);
        assert!(c.problems.is_empty());
    }

    #[test]
    fn an_empty_cell_has_no_rules() {
        assert_eq!(parse_cell("  "), Cell::default());
    }

    #[test]
    fn drops_the_2099_placeholder() {
        let c = parse_cell(" 20991231");
        assert!(c.rules.is_empty() && c.problems.is_empty());
    }

    #[test]
    fn reports_bad_tokens_and_keeps_the_rest() {
        let c = parse_cell("水6 月 20150231 2020024 隔金20150198 x :13");
        assert_eq!(
            c.rules,
            vec![Rule::Weekly {
                weekday: Weekday::Mon
            }]
        );
        assert_eq!(
            c.problems,
            vec![
                "unknown rule token \"水6\"",
                "\"20150231\": 20150231 is not a date in the calendar",
                "\"2020024\": \"2020024\" is not a date written YYYYMMDD",
                "\"隔金20150198\": 20150198 is not a date in the calendar",
                "unknown rule token \"x\"",
                "month \"13\" after ':' is not a number from 1 to 12",
                "':' is followed by no month; the rules apply in every month",
            ]
        );
    }

    #[test]
    fn a_biweekly_anchor_on_the_wrong_weekday_moves_to_the_written_weekday() {
        // 2015-01-14 is a Wednesday; 火 of that week is 2015-01-13.
        let c = parse_cell("隔火20150114");
        assert_eq!(
            c.rules,
            vec![Rule::Biweekly {
                weekday: Weekday::Tue,
                anchor: d(2015, 1, 13)
            }]
        );
        assert_eq!(c.problems.len(), 1);
        assert!(
            c.problems[0].contains("using 2015-01-13"),
            "{}",
            c.problems[0]
        );
    }
}
