//! What the nursery readers share: CSV rows with their line numbers, header names compared the
//! way cities spell them, era dates (令和/平成, 元年, `R0404`), clock times and vacancy cells.

use super::{NurseryError, Places};
use crate::garbage::fold;
use chrono::NaiveDate;

/// One CSV record and the 1-based line it starts on.
pub(crate) struct Row {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Every record of a CSV (UTF-8 with or without BOM, or Shift_JIS), rows of any length. A
/// spreadsheet workbook is refused by name: cities also publish 子育て施設一覧 as .xlsx (八王子市).
pub(crate) fn csv_rows(bytes: &[u8], place: &str) -> Result<(Vec<Row>, bool), NurseryError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(NurseryError::new(
            place,
            None,
            None,
            "a spreadsheet workbook (.xlsx / .xls), not CSV: save the sheet as CSV (UTF-8 or \
             Shift_JIS) and point the source at that"
                .into(),
        ));
    }
    let decoded = crate::encoding::decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded.text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line());
            NurseryError::new(place, line, None, format!("not CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push(Row {
            line,
            cells: record.iter().map(|c| c.trim().to_owned()).collect(),
        });
    }
    Ok((rows, decoded.had_errors))
}

/// A header cell as compared: width and kana folded, spaces and line breaks dropped, and the
/// dashes cities type for the long vowel mark (yaizu's `コ―ド` has U+2015) made one.
pub(crate) fn header_key(s: &str) -> String {
    fold(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{2015}' | '\u{2014}' | '\u{2500}' | '\u{2212}' | '\u{FF70}' | '-' => 'ー',
            c => c,
        })
        .collect()
}

/// The index of the first column (in `headers`, already [`header_key`]ed) named like one of
/// `aliases`, trying the aliases in order.
pub(crate) fn column(headers: &[String], aliases: &[&str]) -> Option<usize> {
    aliases.iter().find_map(|a| {
        let a = header_key(a);
        headers.iter().position(|h| *h == a)
    })
}

fn number_at(chars: &[char], i: usize) -> Option<(u32, usize)> {
    let mut j = i;
    let mut n: u32 = 0;
    while j < chars.len() && chars[j].is_ascii_digit() && j - i < 5 {
        n = n * 10 + chars[j].to_digit(10)?;
        j += 1;
    }
    (j > i).then_some((n, j))
}

/// The first date in `s`: an era date (`令和６年８月１日`, `令和元年5月`, `R6.8.1`, `H31/4/1`,
/// a file name's `R0404` = 令和4年4月1日) or a western one (`2024-08-01`, `2024/8/1`,
/// `2024年8月1日`). A month without a day is its 1st.
pub(crate) fn find_date(s: &str) -> Option<NaiveDate> {
    let chars: Vec<char> = fold(s).chars().collect();
    let sep = |c: Option<&char>| matches!(c, Some('年' | '月' | '.' | '/' | '-'));
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    for i in 0..chars.len() {
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        let letter_ok = i == 0 || !chars[i - 1].is_ascii_alphabetic();
        let (base, len) = match (rest.as_str(), chars[i]) {
            ("令和", _) => (2018, 2),
            ("平成", _) => (1988, 2),
            ("昭和", _) => (1925, 2),
            (_, 'r') if letter_ok => (2018, 1),
            (_, 'h') if letter_ok => (1988, 1),
            (_, 's') if letter_ok => (1925, 1),
            _ => continue,
        };
        let at = i + len;
        let (year, next) = if chars.get(at) == Some(&'元') {
            (1, at + 1)
        } else {
            match number_at(&chars, at) {
                Some(found) => found,
                None => continue,
            }
        };
        // `R0404`: two digits of year, two of month, no separator.
        if len == 1 && next - at == 4 {
            let (y, m) = (year / 100, year % 100);
            if let Some(d) = ymd(base + y as i32, m, 1) {
                return Some(d);
            }
            continue;
        }
        if !sep(chars.get(next)) {
            continue;
        }
        let Some((month, after_month)) = number_at(&chars, next + 1) else {
            continue;
        };
        let day = if sep(chars.get(after_month)) {
            number_at(&chars, after_month + 1).map_or(1, |(d, _)| d)
        } else {
            1
        };
        if let Some(d) = ymd(base + year as i32, month, day) {
            return Some(d);
        }
    }
    for i in 0..chars.len() {
        if i > 0 && chars[i - 1].is_ascii_digit() {
            continue;
        }
        let Some((year, next)) = number_at(&chars, i) else {
            continue;
        };
        if next - i != 4 || !(1900..=2200).contains(&year) || !sep(chars.get(next)) {
            continue;
        }
        let Some((month, after)) = number_at(&chars, next + 1) else {
            continue;
        };
        let day = if sep(chars.get(after)) {
            number_at(&chars, after + 1).map_or(1, |(d, _)| d)
        } else {
            1
        };
        if let Some(d) = ymd(year as i32, month, day) {
            return Some(d);
        }
    }
    None
}

/// The clock times (`7:00`, `07:30`, `７時３０分`, `19時`) in a cell, as minutes after midnight,
/// in order: one pass over the cell, whatever its length (a time found is skipped whole, so
/// `7:22:30` is 7:22 and not also 22:30).
fn times(s: &str) -> impl Iterator<Item = u16> {
    let chars: Vec<char> = fold(s).chars().collect();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < chars.len() {
            let at = i;
            i += 1;
            if at > 0 && chars[at - 1].is_ascii_digit() {
                continue;
            }
            let Some((h, next)) = number_at(&chars, at) else {
                continue;
            };
            if next - at > 2 || h > 30 {
                continue;
            }
            let minutes = match chars.get(next) {
                Some(':' | '：') => number_at(&chars, next + 1).map(|(m, _)| m),
                Some('時') => Some(number_at(&chars, next + 1).map_or(0, |(m, _)| m)),
                _ => None,
            };
            if let Some(m) = minutes.filter(|m| *m < 60) {
                while i < chars.len() && (chars[i].is_ascii_digit() || ":：時".contains(chars[i]))
                {
                    i += 1;
                }
                return Some((h * 60 + m) as u16);
            }
        }
        None
    })
}

/// A clock time (`7:00`, `07:30`, `７時３０分`, `19時`) as minutes after midnight: the first one
/// in the cell.
pub(crate) fn find_time(s: &str) -> Option<u16> {
    times(s).next()
}

/// The latest clock time in a cell (`6:15から22:00まで` → 22:00), for extended care's end.
pub(crate) fn last_time(s: &str) -> Option<u16> {
    times(s).max()
}

/// Yes/no cells: `有`/`あり`/`Y`/`○`/`1` and `無`/`なし`/`N`/`×`/`0`.
pub(crate) fn yes_no(s: &str) -> Option<bool> {
    match fold(s).as_str() {
        "有" | "あり" | "y" | "yes" | "○" | "◯" | "1" | "true" | "実施" => Some(true),
        "無" | "なし" | "n" | "no" | "×" | "0" | "false" | "未実施" => Some(false),
        _ => None,
    }
}

/// What a vacancy cell says, or `Err` with the reason when it says nothing readable.
///
/// `-`, `―`, `－`, `ー` and blank: no such class; a number: that many places (`0`: full);
/// `空有`, `有`, `若干名`, `○`, `◯`, `△`: some; `×`, `なし`, `満`: none; `非公開`: not published.
pub(crate) fn places(s: &str) -> Result<Places, String> {
    let f = header_key(s);
    match f.as_str() {
        "" | "ー" | "ーー" | "なし(クラスなし)" => return Ok(Places::NoClass),
        "空有" | "空あり" | "空き有" | "空きあり" | "有" | "あり" | "若干名" | "若干" | "○"
        | "◯" | "△" => return Ok(Places::Some),
        "×" | "なし" | "無" | "満" | "満員" | "空なし" | "空きなし" => {
            return Ok(Places::Count(0))
        }
        "非公開" => return Ok(Places::Undisclosed),
        _ => {}
    }
    f.parse::<u16>()
        .map(Places::Count)
        .map_err(|_| format!("`{s}` is not a number of places or a mark (空有, ○, ×, -, 非公開)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<NaiveDate> {
        s.parse().ok()
    }

    #[test]
    fn era_and_western_dates_are_found() {
        assert_eq!(
            find_date("【令和６年８月１日時点】受入可能数"),
            d("2024-08-01")
        );
        assert_eq!(find_date("令和元年5月"), d("2019-05-01"));
        assert_eq!(find_date("平成31年4月1日"), d("2019-04-01"));
        assert_eq!(find_date("R6.8.1"), d("2024-08-01"));
        assert_eq!(
            find_date("R0404_nyuendaiichijiriyouchoseikekka.csv"),
            d("2022-04-01")
        );
        assert_eq!(find_date("2024-08-01"), d("2024-08-01"));
        assert_eq!(find_date("2018/11/1"), d("2018-11-01"));
        assert_eq!(find_date("2026年7月1日"), d("2026-07-01"));
        assert_eq!(find_date("hoikuen_saiteishisu.csv"), None);
        assert_eq!(find_date("2/1現在"), None);
    }

    #[test]
    fn a_cell_of_thousands_of_times_is_read_in_one_pass() {
        // Found by tests/fuzz.rs: `last_time` searched the rest of the cell again after every
        // time it found, minutes for a long cell.
        let cell = "1:1 ".repeat(100_000) + "23:59";
        let started = machi_testdata::cpu_time();
        assert_eq!(last_time(&cell), Some(23 * 60 + 59));
        let took = machi_testdata::cpu_time() - started;
        assert!(took.as_secs_f64() < 2.0, "took {took:?} of CPU");
    }

    #[test]
    fn times_and_marks_read_as_cities_write_them() {
        assert_eq!(find_time("7:00"), Some(420));
        assert_eq!(find_time("07:30"), Some(450));
        assert_eq!(find_time("１９時"), Some(1140));
        assert_eq!(last_time("6:15から22:00まで"), Some(1320));
        assert_eq!(last_time("延長保育18-19時"), Some(1140));
        assert_eq!(last_time("7:22:30"), Some(442));
        assert_eq!(last_time("１８時３０分～１９時"), Some(1140));
        assert_eq!(find_time("123456 7:05"), Some(425));
        assert_eq!(places("-"), Ok(Places::NoClass));
        assert_eq!(places("―"), Ok(Places::NoClass));
        assert_eq!(places(""), Ok(Places::NoClass));
        assert_eq!(places("0"), Ok(Places::Count(0)));
        assert_eq!(places("１２"), Ok(Places::Count(12)));
        assert_eq!(places("空有"), Ok(Places::Some));
        assert_eq!(places("若干名"), Ok(Places::Some));
        assert_eq!(places("○"), Ok(Places::Some));
        assert_eq!(places("非公開"), Ok(Places::Undisclosed));
        assert!(places("22以下").is_err());
        assert_eq!(
            header_key("都道府県コ―ド又は市区町村コ―ド"),
            header_key("都道府県コード又は市区町村コード")
        );
    }
}
