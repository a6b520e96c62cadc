//! Shelters (指定緊急避難場所 / 指定避難所) and the nearest ones to a point.
//!
//! The model and [`nearest`] are always compiled: the app uses them offline. Reading the CSVs
//! (推奨データセット layout, UTF-8 or Shift_JIS) needs the `sources` feature.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The hazards a 指定緊急避難場所 is designated for (災害対策基本法 施行令 の 異常な現象の種類).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HazardType {
    /// 洪水
    Flood,
    /// 崖崩れ、土石流及び地滑り
    Landslide,
    /// 高潮
    StormSurge,
    /// 地震
    Earthquake,
    /// 津波
    Tsunami,
    /// 大規模な火事
    LargeFire,
    /// 内水氾濫
    InlandFlood,
    /// 火山現象
    Volcano,
}

impl HazardType {
    pub const ALL: [HazardType; 8] = [
        Self::Flood,
        Self::Landslide,
        Self::StormSurge,
        Self::Earthquake,
        Self::Tsunami,
        Self::LargeFire,
        Self::InlandFlood,
        Self::Volcano,
    ];

    /// The 推奨データセット column suffix (`災害種別_洪水` …), which is also the Japanese name.
    pub fn ja(self) -> &'static str {
        match self {
            Self::Flood => "洪水",
            Self::Landslide => "崖崩れ、土石流及び地滑り",
            Self::StormSurge => "高潮",
            Self::Earthquake => "地震",
            Self::Tsunami => "津波",
            Self::LargeFire => "大規模な火事",
            Self::InlandFlood => "内水氾濫",
            Self::Volcano => "火山現象",
        }
    }
}

/// One place to go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shelter {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "crate::wire::none")]
    pub kana: Option<String>,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
    pub hazards: BTreeSet<HazardType>,
    /// 指定緊急避難場所: where to flee from the danger.
    pub is_evacuation_site: bool,
    /// 指定避難所: where to stay.
    pub is_shelter: bool,
}

/// Great-circle distance in km (haversine, mean Earth radius 6371.0088 km).
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R: f64 = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().min(1.0).asin()
}

/// The `n` nearest shelters to (lat, lon), nearest first, with their distance in km; only those
/// designated for `hazard` when given.
pub fn nearest(
    shelters: &[Shelter],
    lat: f64,
    lon: f64,
    n: usize,
    hazard: Option<HazardType>,
) -> Vec<(&Shelter, f64)> {
    let mut v: Vec<(&Shelter, f64)> = shelters
        .iter()
        .filter(|s| hazard.is_none_or(|h| s.hazards.contains(&h)))
        .map(|s| (s, haversine_km(lat, lon, s.lat, s.lon)))
        .filter(|(_, d)| d.is_finite())
        .collect();
    v.sort_by(|a, b| a.1.total_cmp(&b.1));
    v.truncate(n);
    v
}

#[cfg(feature = "sources")]
pub use csv_source::{parse_shelters_csv, ShelterList};

#[cfg(feature = "sources")]
mod csv_source {
    use super::*;
    use crate::alerts::error::AlertError;

    /// What a shelter CSV lists, which decides the default of `is_evacuation_site` / `is_shelter`
    /// when the file has no column saying so.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ShelterList {
        /// 指定緊急避難場所一覧.
        EvacuationSites,
        /// 指定避難所一覧.
        Shelters,
    }

    /// Files larger than this are refused unread.
    const MAX_BYTES: usize = 16 * 1024 * 1024;

    #[derive(Default)]
    struct Columns {
        id: Option<usize>,
        name: Option<usize>,
        kana: Option<usize>,
        address: Option<usize>,
        lat: Option<usize>,
        lon: Option<usize>,
        /// (column, hazards, negative: `×` marks "not usable", blank means usable — 神戸市's layout).
        hazards: Vec<(usize, Vec<HazardType>, bool)>,
        evac_flag: Option<usize>,
        shelter_flag: Option<usize>,
    }

    fn hazards_of(suffix: &str) -> Vec<HazardType> {
        use HazardType::*;
        let mut v = Vec::new();
        for part in suffix.split(['・', '／', '/']) {
            match part.trim() {
                "洪水" => v.push(Flood),
                "崖崩れ、土石流及び地滑り" | "土砂災害" | "崖崩れ" => {
                    v.push(Landslide)
                }
                "高潮" => v.push(StormSurge),
                "地震" => v.push(Earthquake),
                "津波" => v.push(Tsunami),
                "大規模な火事" | "大火" => v.push(LargeFire),
                "内水氾濫" => v.push(InlandFlood),
                "火山現象" => v.push(Volcano),
                "風水害" => v.extend([Flood, StormSurge, InlandFlood]),
                _ => {}
            }
        }
        v
    }

    fn columns(header: &csv::StringRecord) -> Columns {
        let mut c = Columns::default();
        for (i, h) in header.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}');
            match h {
                "ID" | "NO" | "No" | "№" | "共通ID" => c.id = c.id.or(Some(i)),
                "名称" | "施設・場所名" => c.name = c.name.or(Some(i)),
                "名称_カナ" | "名称_ふりがな" => c.kana = c.kana.or(Some(i)),
                "住所" | "所在地_連結表記" | "所在地住所" => {
                    c.address = c.address.or(Some(i))
                }
                "緯度" => c.lat = Some(i),
                "経度" => c.lon = Some(i),
                "緊急避難場所の利用" => c.evac_flag = Some(i),
                "避難所の利用" | "指定避難所との重複" => c.shelter_flag = Some(i),
                _ => {
                    if let Some(s) = h.strip_prefix("災害種別_") {
                        c.hazards.push((i, hazards_of(s), false));
                    } else if let Some(s) = h
                        .strip_prefix("開設される災害の種類（")
                        .and_then(|s| s.strip_suffix('）'))
                    {
                        c.hazards.push((i, hazards_of(s), false));
                    } else if matches!(h, "土砂災害" | "洪水" | "津波" | "地震" | "大火" | "高潮")
                    {
                        c.hazards.push((i, hazards_of(h), true));
                    }
                }
            }
        }
        c
    }

    fn yes(v: &str) -> bool {
        let v = v.trim();
        !v.is_empty()
            && !matches!(
                v,
                "×" | "0" | "0.0" | "-" | "－" | "無" | "なし" | "否" | "false" | "FALSE"
            )
    }

    /// Reads a shelter CSV: 推奨データセット 指定緊急避難場所一覧 / 指定避難所一覧 columns (`名称`,
    /// `緯度`, `経度`, `災害種別_…`), the 自治体標準オープンデータセット variant (`所在地_連結表記`), and
    /// the city layouts seen in real files (`開設される災害の種類（…）`; 神戸市's `×` columns). Lines
    /// starting with `#` (LOD metadata) are skipped.
    pub fn parse_shelters_csv(
        bytes: &[u8],
        source: &str,
        list: ShelterList,
    ) -> Result<Vec<Shelter>, AlertError> {
        if bytes.len() > MAX_BYTES {
            return Err(AlertError::new(
                source,
                "",
                None,
                format!(
                    "input is {} bytes, over the limit of {MAX_BYTES}",
                    bytes.len()
                ),
            ));
        }
        let text = crate::encoding::decode(bytes).text;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        let mut records = rdr.records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => {
                return Err(AlertError::new(
                    source,
                    "",
                    None,
                    format!("bad CSV header: {e}"),
                ))
            }
            None => return Err(AlertError::new(source, "", None, "empty file")),
        };
        let cols = columns(&header);
        let need = |c: Option<usize>, name: &str| {
            c.ok_or_else(|| {
                AlertError::new(
                    source,
                    name,
                    Some(1),
                    format!("no {name} column (not a shelter list in a known layout)"),
                )
            })
        };
        let (name_c, lat_c, lon_c) = (
            need(cols.name, "名称")?,
            need(cols.lat, "緯度")?,
            need(cols.lon, "経度")?,
        );
        let mut out = Vec::new();
        for (n, rec) in records.enumerate() {
            let rec =
                rec.map_err(|e| AlertError::new(source, "", None, format!("bad CSV: {e}")))?;
            let line = rec
                .position()
                .map(|p| u32::try_from(p.line()).unwrap_or(u32::MAX));
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).map(str::trim).unwrap_or("");
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let name = get(Some(name_c));
            let coord = |c: usize, col: &str, range: std::ops::RangeInclusive<f64>| {
                let v = get(Some(c));
                v.parse::<f64>()
                    .ok()
                    .filter(|x| range.contains(x))
                    .ok_or_else(|| {
                        AlertError::new(
                            source,
                            col,
                            line,
                            format!("bad coordinate {v:?} for {name:?}"),
                        )
                    })
            };
            let lat = coord(lat_c, "緯度", -90.0..=90.0)?;
            let lon = coord(lon_c, "経度", -180.0..=180.0)?;
            let mut hazards = BTreeSet::new();
            for (c, hs, negative) in &cols.hazards {
                let v = get(Some(*c));
                let usable = if *negative { v != "×" } else { yes(v) };
                if usable {
                    hazards.extend(hs.iter().copied());
                }
            }
            let (mut evac, mut shelter) = match list {
                ShelterList::EvacuationSites => (true, false),
                ShelterList::Shelters => (false, true),
            };
            if cols.evac_flag.is_some() {
                evac = yes(get(cols.evac_flag));
            }
            if cols.shelter_flag.is_some() {
                shelter = yes(get(cols.shelter_flag));
            }
            let id = Some(get(cols.id))
                .filter(|s| !s.is_empty())
                .map_or_else(|| (n + 1).to_string(), str::to_owned);
            out.push(Shelter {
                id,
                name: name.to_owned(),
                kana: Some(get(cols.kana))
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
                address: get(cols.address).to_owned(),
                lat,
                lon,
                hazards,
                is_evacuation_site: evac,
                is_shelter: shelter,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(id: &str, lat: f64, lon: f64, h: &[HazardType]) -> Shelter {
        Shelter {
            id: id.into(),
            name: id.into(),
            kana: None,
            address: String::new(),
            lat,
            lon,
            hazards: h.iter().copied().collect(),
            is_evacuation_site: true,
            is_shelter: false,
        }
    }

    #[test]
    fn haversine_tokyo_osaka() {
        // 東京駅 (35.6812, 139.7671) – 大阪駅 (34.7025, 135.4959): about 403 km.
        let d = haversine_km(35.6812, 139.7671, 34.7025, 135.4959);
        assert!((d - 403.4).abs() < 1.0, "{d}");
    }

    #[test]
    fn nearest_filters_by_hazard_and_sorts() {
        let v = [
            s("far", 35.1, 139.1, &[HazardType::Tsunami]),
            s("near", 35.001, 139.001, &[HazardType::Flood]),
            s("mid", 35.01, 139.01, &[HazardType::Tsunami]),
        ];
        let all: Vec<&str> = nearest(&v, 35.0011, 139.0011, 3, None)
            .iter()
            .map(|(s, _)| s.id.as_str())
            .collect();
        assert_eq!(all, ["near", "mid", "far"]);
        let t: Vec<&str> = nearest(&v, 35.0011, 139.0011, 1, Some(HazardType::Tsunami))
            .iter()
            .map(|(s, _)| s.id.as_str())
            .collect();
        assert_eq!(t, ["mid"]);
    }
}
