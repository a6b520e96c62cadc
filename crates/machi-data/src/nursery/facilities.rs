//! Facility lists: the 推奨データセット / 自治体標準オープンデータセット 子育て施設一覧 CSV (焼津市;
//! 高松市's with `#` LOD rows and `"lat,lon"` in one cell; 港区's own layout), and papamama's
//! `nurseryFacilities.geojson` and source CSV (札幌市, 千葉市, 郡山市 in Shift_JIS + CRLF).
//!
//! Every layout is read the same way: a header names the columns, and each field of a
//! [`Facility`] is taken from the first column named like one of its aliases (Japanese, the LOD
//! property names, papamama's). Which layout it is only decides where the header is. papamama's
//! `Vacancy`/`VacancyDate` flag is also returned, as a facility-wide vacancy table.

use super::read::{column, csv_rows, find_date, find_time, header_key, last_time, yes_no};
use super::vacancies::{TableRow, VacancyTable};
use super::{Facility, FacilityKind, NurseryError, Places};
use chrono::NaiveDate;

/// A facility list as read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FacilityList {
    pub facilities: Vec<Facility>,
    /// papamama's facility-wide vacancy flags, when any facility has one.
    pub flags: Option<VacancyTable>,
    /// Per-row problems that did not stop the list (a bad coordinate, a row without a name).
    pub warnings: Vec<String>,
}

/// Column aliases per field, in the order tried.
const ID: &[&str] = &["NO", "ID", "HID", "施設番号", "施設ID", "施設コード"];
const NAME: &[&str] = &[
    "名称",
    "施設名",
    "施設名称",
    "保育園名",
    "保育所名",
    "園名",
    "施設・事業名",
    "Name",
    "name",
];
const KANA: &[&str] = &["名称_カナ", "名称カナ", "ふりがな", "フリガナ", "カナ"];
const KIND: &[&str] = &[
    "施設種別",
    "種別",
    "施設・事業種別",
    "区分",
    "Type",
    "certifiedType",
];
const WARD: &[&str] = &["施設所在区", "地区", "区", "地域"];
const ADDRESS: &[&str] = &["住所", "所在地", "Address", "Add1", "address"];
const ADDRESS2: &[&str] = &["方書", "Address2", "Add2"];
const LAT: &[&str] = &["緯度", "Y", "lat", "latitude"];
const LON: &[&str] = &["経度", "X", "lon", "longitude"];
const LOCATION: &[&str] = &["location", "位置"];
const TEL: &[&str] = &["電話番号", "TEL", "Tel", "telephoneNumber", "電話"];
const URL: &[&str] = &[
    "URL",
    "WebサイトURL",
    "ホームページ",
    "url",
    "Url",
    "referenceObject",
];
const OPENS: &[&str] = &[
    "標準時間開始時間",
    "開始時間",
    "開所時間",
    "Open",
    "startTime",
];
const CLOSES: &[&str] = &[
    "標準時間終了時間",
    "終了時間",
    "閉所時間",
    "Close",
    "endTime",
];
const EXTENDED: &[&str] = &["延長保育", "Extra", "延長保育の有無"];
const MEMO: &[&str] = &["Memo", "利用可能日時特記事項"];
const TEMPORARY: &[&str] = &["一時預かりの有無", "一時預かり", "Temp", "temporaryKeeping"];
const AGES: &[&str] = &["受入年齢", "入園可能月齢", "acceptedAge"];
const AGE_FROM: &[&str] = &["AgeS"];
const AGE_TO: &[&str] = &["AgeE"];
const CAPACITY: &[&str] = &["収容定員", "定員", "Full", "capacity"];
const VACANCY: &[&str] = &["Vacancy"];
const VACANCY_DATE: &[&str] = &["VacancyDate"];

/// Reads a facility list (CSV in UTF-8 or Shift_JIS, or papamama GeoJSON); `place` (path or
/// URL) names it in errors and warnings.
pub fn parse_facilities(bytes: &[u8], place: &str) -> Result<FacilityList, NurseryError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
    if start.is_some_and(|i| bytes[i] == b'{') {
        return parse_geojson(bytes, place);
    }
    let (rows, had_errors) = csv_rows(bytes, place)?;
    let mut list = FacilityList::default();
    if had_errors {
        list.warnings
            .push(format!("{place}: some bytes are not text (shown as �)"));
    }
    // The header: 高松市's `#property` row, else the first row naming a facility.
    let header_at = rows
        .iter()
        .position(|r| r.cells.first().is_some_and(|c| c == "#property"))
        .or_else(|| {
            rows.iter().position(|r| {
                let keys: Vec<String> = r.cells.iter().map(|c| header_key(c)).collect();
                column(&keys, NAME).is_some()
            })
        })
        .ok_or_else(|| {
            NurseryError::new(
                place,
                rows.first().map(|r| r.line),
                None,
                "no header naming the facility (名称, 施設名, 保育園名 or papamama's Name): not a \
                 子育て施設一覧 or papamama list"
                    .into(),
            )
        })?;
    let header: Vec<String> = rows[header_at]
        .cells
        .iter()
        .map(|c| header_key(c))
        .collect();
    let fields = Fields::of(&header).ok_or_else(|| {
        NurseryError::new(
            place,
            Some(rows[header_at].line),
            None,
            "the header has no name column (名称, 施設名, Name)".into(),
        )
    })?;
    let mut flags = Vec::new();
    for row in &rows[header_at + 1..] {
        if row.cells.iter().all(String::is_empty) || row.cells[0].starts_with('#') {
            continue;
        }
        let get = |i: Option<usize>| {
            i.and_then(|i| row.cells.get(i))
                .map(String::as_str)
                .filter(|s| !s.is_empty())
        };
        let at = format!("{place}:{}", row.line);
        fields.read(&get, row.line, &at, &mut list, &mut flags);
    }
    if list.facilities.is_empty() {
        return Err(NurseryError::new(
            place,
            None,
            None,
            "no facility in the list".into(),
        ));
    }
    list.flags = flag_table(flags);
    Ok(list)
}

/// The columns of each field.
struct Fields {
    id: Option<usize>,
    name: usize,
    kana: Option<usize>,
    kind: Option<usize>,
    ward: Option<usize>,
    address: Option<usize>,
    address2: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
    location: Option<usize>,
    tel: Option<usize>,
    url: Option<usize>,
    opens: Option<usize>,
    closes: Option<usize>,
    extended: Option<usize>,
    memo: Option<usize>,
    temporary: Option<usize>,
    ages: Option<usize>,
    age_from: Option<usize>,
    age_to: Option<usize>,
    capacity: Option<usize>,
    vacancy: Option<usize>,
    vacancy_date: Option<usize>,
}

/// A papamama flag: facility, line, Y/N, its date text.
type Flag = (usize, u64, bool, Option<String>);

impl Fields {
    fn of(h: &[String]) -> Option<Fields> {
        Some(Fields {
            id: column(h, ID),
            name: column(h, NAME)?,
            kana: column(h, KANA),
            kind: column(h, KIND),
            ward: column(h, WARD),
            address: column(h, ADDRESS),
            address2: column(h, ADDRESS2),
            lat: column(h, LAT),
            lon: column(h, LON),
            location: column(h, LOCATION),
            tel: column(h, TEL),
            url: column(h, URL),
            opens: column(h, OPENS),
            closes: column(h, CLOSES),
            extended: column(h, EXTENDED),
            memo: column(h, MEMO),
            temporary: column(h, TEMPORARY),
            ages: column(h, AGES),
            age_from: column(h, AGE_FROM),
            age_to: column(h, AGE_TO),
            capacity: column(h, CAPACITY),
            vacancy: column(h, VACANCY),
            vacancy_date: column(h, VACANCY_DATE),
        })
    }

    /// Every column a field reads.
    fn columns(&self) -> Vec<usize> {
        let mut all: Vec<usize> = [
            self.id,
            Some(self.name),
            self.kana,
            self.kind,
            self.ward,
            self.address,
            self.address2,
            self.lat,
            self.lon,
            self.location,
            self.tel,
            self.url,
            self.opens,
            self.closes,
            self.extended,
            self.memo,
            self.temporary,
            self.ages,
            self.age_from,
            self.age_to,
            self.capacity,
            self.vacancy,
            self.vacancy_date,
        ]
        .into_iter()
        .flatten()
        .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Reads one row into `list` (and its papamama flag into `flags`); `at` names the row in
    /// warnings (`file:line`, or `file (feature N)`).
    fn read<'a>(
        &self,
        get: &dyn Fn(Option<usize>) -> Option<&'a str>,
        line: u64,
        at: &str,
        list: &mut FacilityList,
        flags: &mut Vec<Flag>,
    ) {
        let Some(name) = get(Some(self.name)) else {
            list.warnings
                .push(format!("{at}: a row without a facility name (skipped)"));
            return;
        };
        let owned = |i| get(i).map(str::to_owned);
        let kind_label = owned(self.kind);
        let kind = kind_label
            .as_deref()
            .map_or(FacilityKind::Other, FacilityKind::from_label);
        let point = match (get(self.lat), get(self.lon), get(self.location)) {
            (Some(lat), Some(lon), _) => coordinates(lat, lon),
            (_, _, Some(both)) => match both.split_once(',') {
                Some((a, b)) => coordinates(a, b),
                None => Err(both.to_owned()),
            },
            _ => Ok(None),
        };
        let point = point.unwrap_or_else(|bad| {
            list.warnings.push(format!(
                "{at}: {name}: coordinates `{bad}` are not a latitude and longitude in Japan \
                 (no distance shown)"
            ));
            None
        });
        let address = match (get(self.address), get(self.address2)) {
            (Some(a), Some(b)) if !a.contains(b) => Some(format!("{a}{b}")),
            (Some(a), _) => Some(a.to_owned()),
            (None, b) => b.map(str::to_owned),
        };
        let time = |i: Option<usize>, what: &str, list: &mut FacilityList| {
            let cell = get(i)?;
            let t = find_time(cell);
            if t.is_none() {
                list.warnings
                    .push(format!("{at}: {name}: {what} `{cell}` is not a time"));
            }
            t
        };
        let opens = time(self.opens, "opening time", list);
        let closes = time(self.closes, "closing time", list);
        let extended_cell = get(self.extended);
        let memo = get(self.memo).unwrap_or_default();
        let extended_until = extended_cell
            .and_then(last_time)
            .or_else(|| memo.contains("延長").then(|| last_time(memo)).flatten())
            .filter(|t| closes.is_none_or(|c| *t > c));
        let extended = extended_cell
            .and_then(|c| yes_no(c).or(last_time(c).map(|_| true)))
            .or(extended_until.map(|_| true));
        let ages = get(self.ages).map(str::to_owned).or_else(|| {
            match (get(self.age_from), get(self.age_to)) {
                (None, None) => None,
                (from, to) => Some(format!(
                    "{}～{}",
                    from.unwrap_or_default(),
                    to.unwrap_or_default()
                )),
            }
        });
        let capacity = get(self.capacity).and_then(|c| {
            header_key(c)
                .trim_end_matches('人')
                .trim_end_matches('名')
                .parse()
                .ok()
        });
        let number = owned(self.id);
        let facility = Facility {
            id: super::join::facility_id(number.as_deref(), name),
            name: name.to_owned(),
            kana: owned(self.kana),
            kind,
            kind_label,
            ward: owned(self.ward),
            address,
            point,
            tel: owned(self.tel),
            url: get(self.url)
                .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
                .map(str::to_owned),
            opens,
            closes,
            extended,
            extended_until,
            temporary_care: get(self.temporary).and_then(yes_no),
            ages,
            capacity,
        };
        if let Some(flag) = get(self.vacancy).and_then(yes_no) {
            flags.push((list.facilities.len(), line, flag, owned(self.vacancy_date)));
        }
        list.facilities.push(facility);
    }
}

/// A latitude and longitude in Japan's range, or the text that is not one.
fn coordinates(lat: &str, lon: &str) -> Result<Option<(f64, f64)>, String> {
    let bad = || format!("{lat},{lon}");
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    if (20.0..=46.0).contains(&lat) && (122.0..=154.0).contains(&lon) {
        Ok(Some((lat, lon)))
    } else {
        Err(bad())
    }
}

/// papamama's flags as a facility-wide vacancy table, as of the newest `VacancyDate` that is a
/// whole date (札幌市's `2/1現在` has no year: then the source's own date is used).
fn flag_table(flags: Vec<Flag>) -> Option<VacancyTable> {
    if flags.is_empty() {
        return None;
    }
    let as_of: Option<NaiveDate> = flags
        .iter()
        .filter_map(|(_, _, _, d)| d.as_deref().and_then(find_date))
        .max();
    Some(VacancyTable {
        as_of,
        has_places: false,
        has_waiting: false,
        rows: flags
            .into_iter()
            .map(|(index, line, open, _)| TableRow {
                line,
                number: None,
                name: String::new(),
                ward: None,
                kind_label: None,
                places: None,
                waiting: None,
                any: Some(if open { Places::Some } else { Places::Count(0) }),
                facility: Some(index),
            })
            .collect(),
        warnings: Vec::new(),
    })
}

/// papamama's `nurseryFacilities.geojson`: a FeatureCollection of Points whose properties are
/// the CSV's columns.
fn parse_geojson(bytes: &[u8], place: &str) -> Result<FacilityList, NurseryError> {
    use serde_json::Value as J;
    let json: J = serde_json::from_slice(bytes).map_err(|e| {
        NurseryError::new(
            place,
            Some(e.line() as u64),
            Some(e.column()),
            format!("not JSON: {e}"),
        )
    })?;
    let features = json.get("features").and_then(J::as_array).ok_or_else(|| {
        NurseryError::new(
            place,
            None,
            None,
            "not a GeoJSON FeatureCollection (no `features`)".into(),
        )
    })?;
    // The properties of every feature as one table: the keys are the header.
    let mut keys: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for f in features {
        if let Some(p) = f.get("properties").and_then(J::as_object) {
            for k in p.keys() {
                if seen.insert(k.as_str()) {
                    keys.push(k.clone());
                }
            }
        }
    }
    keys.push("緯度".into());
    keys.push("経度".into());
    let header: Vec<String> = keys.iter().map(|k| header_key(k)).collect();
    let fields = Fields::of(&header).ok_or_else(|| {
        NurseryError::new(
            place,
            None,
            None,
            "the features have no `Name` property".into(),
        )
    })?;
    let mut list = FacilityList::default();
    let mut flags = Vec::new();
    // Only the columns a field reads: features may have thousands of other properties.
    let used = fields.columns();
    let (lat_at, lon_at) = (keys.len() - 2, keys.len() - 1);
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties").and_then(J::as_object);
        let coords = f
            .pointer("/geometry/coordinates")
            .and_then(J::as_array)
            .map(|c| c.iter().filter_map(J::as_f64).collect::<Vec<_>>());
        let (lat, lon) = match coords.as_deref() {
            Some([lon, lat, ..]) => (lat.to_string(), lon.to_string()),
            _ => (String::new(), String::new()),
        };
        let cells: Vec<(usize, String)> = used
            .iter()
            .map(|&c| {
                let text = match c {
                    c if c == lat_at => lat.clone(),
                    c if c == lon_at => lon.clone(),
                    c => match props.and_then(|p| p.get(&keys[c])) {
                        Some(J::String(s)) => s.trim().to_owned(),
                        Some(J::Number(n)) => n.to_string(),
                        Some(J::Bool(b)) => if *b { "Y" } else { "N" }.to_owned(),
                        _ => String::new(),
                    },
                };
                (c, text)
            })
            .collect();
        // A feature has no line: its 1-based position names it.
        let line = i as u64 + 1;
        let get = |i: Option<usize>| {
            i.and_then(|i| cells.iter().find(|(c, _)| *c == i))
                .map(|(_, s)| s.as_str())
                .filter(|s| !s.is_empty())
        };
        let at = format!("{place} (feature {line})");
        fields.read(&get, line, &at, &mut list, &mut flags);
    }
    if list.facilities.is_empty() {
        return Err(NurseryError::new(
            place,
            None,
            None,
            "no facility in the GeoJSON".into(),
        ));
    }
    list.flags = flag_table(flags);
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_geojson_with_thousands_of_property_names_is_read_in_linear_time() {
        // Every feature with a property name of its own: the header had every name once per
        // name (a quadratic search) and every feature a cell per name (quadratic cells).
        let features: Vec<String> = (0..20_000)
            .map(|i| {
                format!(
                    r#"{{"type":"Feature","properties":{{"Name":"園{i}","k{i}":1}},"geometry":{{"type":"Point","coordinates":[141.3,43.0]}}}}"#
                )
            })
            .collect();
        let json = format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        );
        let started = machi_testdata::cpu_time();
        let list = parse_facilities(json.as_bytes(), "f.geojson").unwrap();
        let took = machi_testdata::cpu_time() - started;
        assert_eq!(list.facilities.len(), 20_000);
        assert_eq!(list.facilities[7].name, "園7");
        assert_eq!(list.facilities[7].point, Some((43.0, 141.3)));
        assert!(took.as_secs_f64() < 2.0, "took {took:?} of CPU");
    }
}
