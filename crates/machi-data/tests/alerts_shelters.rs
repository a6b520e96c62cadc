//! Shelter CSVs from shared/data/shelters, and nearest() on a hand-checked point.

use machi_data::alerts::*;

fn load(rel: &str, list: ShelterList) -> Result<Vec<Shelter>, AlertError> {
    parse_shelters_csv(&machi_testdata::read(&format!("shelters/{rel}")), rel, list)
}

#[test]
fn yaizu_evacuation_sites_in_the_recommended_layout() {
    let v = load(
        "yaizu/222127_evacuation_space.csv",
        ShelterList::EvacuationSites,
    )
    .unwrap();
    assert_eq!(v.len(), 31);
    let first = &v[0];
    assert_eq!(
        (first.id.as_str(), first.name.as_str()),
        ("1", "中港タワー")
    );
    assert_eq!(first.kana.as_deref(), Some("ナカミナトタワー"));
    assert_eq!(first.address, "焼津市中港5-463");
    assert_eq!((first.lat, first.lon), (34.87512688, 138.3270609));
    assert_eq!(
        first.hazards.iter().copied().collect::<Vec<_>>(),
        [HazardType::Earthquake, HazardType::Tsunami]
    );
    assert!(first.is_evacuation_site && !first.is_shelter);
}

#[test]
fn nearest_to_yaizu_station_is_hand_checked() {
    let v = load(
        "yaizu/222127_evacuation_space.csv",
        ShelterList::EvacuationSites,
    )
    .unwrap();
    // 焼津駅 (34.8669, 138.3237): 本町タワー 0.251 km, 須賀タワー 0.660 km, 中港タワー 0.965 km
    // (haversine computed independently).
    let n = nearest(&v, 34.8669, 138.3237, 3, Some(HazardType::Tsunami));
    let got: Vec<(&str, f64)> = n
        .iter()
        .map(|(s, d)| (s.name.as_str(), (d * 1000.0).round() / 1000.0))
        .collect();
    assert_eq!(
        got,
        [
            ("本町タワー", 0.251),
            ("須賀タワー", 0.660),
            ("中港タワー", 0.965)
        ]
    );
    assert!(
        nearest(&v, 34.8669, 138.3237, 3, Some(HazardType::Flood)).is_empty(),
        "no flood sites in this list"
    );
}

#[test]
fn other_real_layouts() {
    // 七尾市: 自治体標準オープンデータセット layout, flags written as 1.0.
    let nanao = load("nanao/reference_data.csv", ShelterList::EvacuationSites).unwrap();
    assert!(nanao.len() > 50, "{}", nanao.len());
    assert_eq!(nanao[0].name, "御祓地区コミュニティセンター");
    assert_eq!(nanao[0].address, "石川県七尾市一本杉町１２４");
    assert!(
        nanao[0].hazards.contains(&HazardType::Flood)
            && !nanao[0].hazards.contains(&HazardType::LargeFire)
    );
    // 焼津市 避難所: 開設される災害の種類（地震・津波）.
    let hin = load("yaizu/222127_hinannjo.csv", ShelterList::Shelters).unwrap();
    assert!(hin[0].is_shelter && !hin[0].is_evacuation_site);
    assert!(
        hin[0].hazards.contains(&HazardType::Tsunami)
            && hin[0].hazards.contains(&HazardType::Flood)
    );
    // 神戸市: × marks "not for this hazard"; explicit 緊急避難場所/避難所 columns.
    let kobe = load("kobe/okunaihinanjyo.csv", ShelterList::Shelters).unwrap();
    assert_eq!(kobe.len(), 338, "346 rows, 8 of them blank");
    assert_eq!(kobe[0].name, "東灘小学校");
    assert!(
        !kobe[0].hazards.contains(&HazardType::Tsunami)
            && kobe[0].hazards.contains(&HazardType::Flood)
    );
    assert!(kobe[0].is_shelter && kobe[0].is_evacuation_site);
}

#[test]
fn a_layout_without_japanese_headers_is_refused_by_name() {
    // 高松市 puts its column names in a `#property` LOD row, in English, and the coordinates in one cell.
    let e = load(
        "takamatsu/0060_evacuation_space.csv",
        ShelterList::EvacuationSites,
    )
    .unwrap_err();
    assert!(e.message.contains("no 名称 column"), "{e}");
}

#[test]
fn shift_jis_is_decoded() {
    let csv = "NO,名称,住所,緯度,経度,災害種別_津波\r\n1,七尾小学校,七尾市,37.04,136.96,○\r\n";
    let (sjis, _, bad) = encoding_rs::SHIFT_JIS.encode(csv);
    assert!(!bad);
    assert!(std::str::from_utf8(&sjis).is_err());
    let v = parse_shelters_csv(&sjis, "sjis.csv", ShelterList::EvacuationSites).unwrap();
    assert_eq!(v[0].name, "七尾小学校");
    assert!(v[0].hazards.contains(&HazardType::Tsunami));
}

#[test]
fn a_bad_coordinate_names_line_and_column() {
    let csv = "NO,名称,緯度,経度\n1,a,35.0,139.0\n2,b,north,139.0\n";
    let e = parse_shelters_csv(csv.as_bytes(), "x.csv", ShelterList::EvacuationSites).unwrap_err();
    assert_eq!((e.path.as_str(), e.line), ("緯度", Some(3)));
}
