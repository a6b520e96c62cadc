//! Encodings and malformed input: a Shift_JIS + CRLF copy reads the same as the UTF-8 original,
//! and broken files give errors that name the file, the line and the column.

use machi_data::garbage::{parse_5374, parse_5374_with, parse_ics, Files5374, ParseOptions};
use machi_testdata::shared_data;

fn data(path: &str) -> Vec<u8> {
    machi_testdata::read(&format!("garbage/{path}"))
}

/// The file as Windows Excel would save it: Shift_JIS (no BOM), CRLF.
fn to_shift_jis_crlf(utf8: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(utf8).unwrap();
    let text = text
        .strip_prefix('\u{FEFF}')
        .unwrap_or(text)
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(
        !unmappable,
        "the sample has characters Shift_JIS cannot hold"
    );
    bytes.into_owned()
}

#[test]
fn a_shift_jis_crlf_copy_parses_identically() {
    // 函館市's description.csv is UTF-8 with BOM and CRLF; the others are UTF-8 with LF.
    for city in ["kanazawa", "hakodate"] {
        let names = ["area_days", "center", "target", "description", "remarks"];
        let utf8: Vec<Vec<u8>> = names
            .iter()
            .map(|n| data(&format!("{city}/{n}.csv")))
            .collect();
        let sjis: Vec<Vec<u8>> = utf8.iter().map(|b| to_shift_jis_crlf(b)).collect();
        let files = |f: &[Vec<u8>]| {
            let (cal, warnings) = parse_5374(&Files5374 {
                area_days: &f[0],
                center: Some(&f[1]),
                target: Some(&f[2]),
                description: Some(&f[3]),
                remarks: Some(&f[4]),
                area_days_name: None,
            })
            .unwrap();
            (cal, warnings)
        };
        let (a, wa) = files(&utf8);
        let (b, wb) = files(&sjis);
        assert_eq!(a, b, "{city}");
        assert_eq!(wa, wb, "{city}");
    }
}

#[test]
fn holidays_csv_in_shift_jis_is_sniffed() {
    let path = shared_data("codes/syukujitsu.csv");
    let bytes = std::fs::read(path).unwrap();
    let d = machi_data::garbage::decode(&bytes, "syukujitsu.csv");
    assert_eq!(d.encoding, machi_data::garbage::SourceEncoding::ShiftJis);
    assert!(d.text.contains("元日") && d.warning.is_none());
}

fn area_days(text: &str) -> Files5374<'_> {
    Files5374 {
        area_days: text.as_bytes(),
        ..Default::default()
    }
}

const STRICT: ParseOptions = ParseOptions {
    strict: true,
    suspension_policy: machi_data::garbage::SuspensionPolicy::Skip,
};

#[test]
fn a_bad_token_names_file_line_and_column() {
    let input = "校下・地区,センター,燃やすごみ,燃やさないごみ\n浅野川,東部,月 木,水2\n朝日,東部,火 金,水6\n";
    let e = parse_5374_with(&area_days(input), &STRICT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "area_days.csv:3: column 4 (燃やさないごみ): unknown rule token \"水6\""
    );
    assert_eq!((e.place.line, e.place.column), (Some(3), Some(4)));
    // By default the same problem is a warning and the rest of the row stands.
    let (cal, warnings) = parse_5374(&area_days(input)).unwrap();
    assert_eq!(warnings[0].to_string(), e.to_string());
    assert_eq!(cal.areas[1].schedules.len(), 1);
}

#[test]
fn an_impossible_date_names_file_line_and_column() {
    let input = "地名,センター,粗大ごみ\n北,,20150228 20150231\n";
    let e = parse_5374_with(&area_days(input), &STRICT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "area_days.csv:2: column 3 (粗大ごみ): \"20150231\": 20150231 is not a date in the calendar"
    );
}

#[test]
fn a_comma_inside_quotes_that_shortens_the_row_is_an_error() {
    // CRLF, quoted fields, and a comma inside quotes that merges two columns into one.
    let input = "地名,センター,燃やすごみ,資源\r\n\"北\",\"東部\",\"月 木\",\"火\"\r\n\"南,東部\",\"火 金\",\"水\"\r\n";
    let e = parse_5374(&area_days(input)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "area_days.csv:3: column 4 (資源): the row has 3 columns but the header has 4; the field is missing (is a comma inside quotes?)"
    );
}

#[test]
fn an_unterminated_quote_swallows_the_rest_and_is_caught() {
    let input = "地名,センター,燃やすごみ,資源\n北,東部,\"月 木,火\n南,東部,火 金,水\n";
    let e = parse_5374(&area_days(input)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("area_days.csv:2: column 4 (資源): the row has 3 columns"),
        "{e}"
    );
}

#[test]
fn old_forks_name_the_file_area_csv_and_extra_columns_are_tolerated() {
    let input = "地名,センター,燃やすごみ\n北,,月,,\n南,,火\n\n\n";
    let files = Files5374 {
        area_days: input.as_bytes(),
        area_days_name: Some("area.csv"),
        ..Default::default()
    };
    let (cal, warnings) = parse_5374(&files).unwrap();
    assert_eq!(cal.areas.len(), 2);
    assert!(warnings.is_empty(), "{warnings:?}");
    let e = parse_5374(&Files5374 {
        area_days: b"",
        area_days_name: Some("area.csv"),
        ..Default::default()
    })
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "area.csv: the file is empty; expected a header row"
    );
}

#[test]
fn an_ics_with_broken_structure_is_an_error() {
    let e = parse_ics(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20230401\r\nEND:VCALENDAR\r\n",
        "x.ics",
        "x",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.ics:4: END:VCALENDAR but the open component is VEVENT (line 2)"
    );
}

/// Every lookup over a header's columns used to scan the columns before it (a duplicate label
/// check, a kind's uniqueness, footnotes against remarks) and fold the whole glossary again for
/// each label: 20,000 columns took 174 s (debug build). Now each is a hash lookup. CPU time, not
/// the wall clock: the bound is about the work, not about how busy the machine is.
#[test]
fn a_header_of_twenty_thousand_columns_reads_in_linear_time() {
    let n = 20_000;
    let mut header = String::from("地名,センター");
    let mut row = String::from("北,");
    for i in 0..n {
        header.push_str(&format!(",分別{i}"));
        row.push_str(if i % 2 == 0 { ",月 *1" } else { ",木" });
    }
    let area_days = format!("{header}\n{row}\n");
    let remarks = "ID,注意事項\n1,束ねて出してください\n";
    let description: String =
        std::iter::once("label,sublabel,description,styles,bgcolor\n".to_owned())
            .chain((0..n).map(|i| format!("分別{i},,,,#123456\n")))
            .collect();
    let target: String = std::iter::once("label,name,notice,furigana\n".to_owned())
        .chain((0..n).map(|i| format!("分別{i},品目{i},,\n")))
        .collect();
    let files = Files5374 {
        area_days: area_days.as_bytes(),
        remarks: Some(remarks.as_bytes()),
        description: Some(description.as_bytes()),
        target: Some(target.as_bytes()),
        ..Default::default()
    };
    let started = machi_testdata::cpu_time();
    let (calendar, _) = parse_5374(&files).unwrap();
    let took = machi_testdata::cpu_time() - started;
    assert_eq!(calendar.categories.len(), n);
    assert_eq!(calendar.items.len(), n);
    assert!(
        calendar.items.iter().all(|i| i.category.is_some()),
        "every item found its category"
    );
    assert!(
        took < std::time::Duration::from_secs(1),
        "took {took:?} of CPU"
    );
    // A repeated label is still refused by name and column.
    let e = parse_5374(&Files5374 {
        area_days: "地名,センター,燃やすごみ,びん,燃やすごみ\n北,,月,火,水\n".as_bytes(),
        ..Default::default()
    })
    .unwrap_err()
    .to_string();
    assert!(e.contains("appears twice") && e.contains("column 5"), "{e}");
}
