//! Every nursery file in shared/data/nursery that is a facility list or a vacancy table parses,
//! or is refused by name with the reason; per-age cells checked against the files as read by
//! hand (横浜市 and 台東区), `-` against `0` included; and the join of 横浜市's two tables.

use machi_data::nursery::facilities::{parse_facilities, FacilityList};
use machi_data::nursery::join::{assemble, NurseryInput, SourcedTable};
use machi_data::nursery::vacancies::{parse_vacancies, VacancyTable};
use machi_data::nursery::{FacilityKind, Places};
use Places::{Count as N, NoClass as X, Some as S, Undisclosed as U};

fn facilities(rel: &str) -> FacilityList {
    let rel = format!("nursery/{rel}");
    parse_facilities(&machi_testdata::read(&rel), &rel).unwrap_or_else(|e| panic!("{e}"))
}

fn vacancies(rel: &str) -> VacancyTable {
    let rel = format!("nursery/{rel}");
    parse_vacancies(&machi_testdata::read(&rel), &rel).unwrap_or_else(|e| panic!("{e}"))
}

fn refused(rel: &str) -> String {
    let rel = format!("nursery/{rel}");
    parse_vacancies(&machi_testdata::read(&rel), &rel)
        .err()
        .unwrap_or_else(|| panic!("{rel} should be refused"))
        .to_string()
}

fn row<'a>(t: &'a VacancyTable, name: &str) -> &'a machi_data::nursery::vacancies::TableRow {
    t.rows
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row {name}"))
}

#[test]
fn yokohama_places_and_waiting_match_the_files_cell_by_cell() {
    let places = vacancies("yokohama/202408-kanou.csv");
    let waiting = vacancies("yokohama/202408-machi.csv");
    assert_eq!(places.rows.len(), 1221);
    assert_eq!(waiting.rows.len(), 1221);
    let date = "2024-08-01".parse().ok();
    assert_eq!((places.as_of, waiting.as_of), (date, date));
    assert!(places.has_places && !places.has_waiting);
    assert!(waiting.has_waiting && !waiting.has_places);
    assert!(places.warnings.is_empty(), "{:?}", places.warnings);

    // Read by hand from the files (line 3, 6, 16, 1221, 1223).
    let baba = row(&places, "横浜市馬場保育園");
    assert_eq!(baba.number.as_deref(), Some("1410051018778"));
    assert_eq!(baba.ward.as_deref(), Some("鶴見区"));
    assert_eq!(baba.places, Some([X, N(1), N(0), N(0), N(0), N(3)]));
    assert_eq!(
        row(&places, "にじいろ保育園駒岡四丁目").places,
        Some([X, N(0), N(2), N(2), N(4), N(6)])
    );
    assert_eq!(
        row(&places, "NPO法人ちびっこハウス").places,
        Some([X, N(0), N(0), X, X, X])
    );
    assert_eq!(
        row(&places, "新美保育室（にいみ＊るーむ）").places,
        Some([N(0), N(0), N(1), X, X, X])
    );
    assert_eq!(
        row(&waiting, "横浜市潮田保育園").waiting,
        Some([Some(9), Some(0), Some(4), Some(0), Some(1), Some(0)])
    );
    assert_eq!(
        row(&waiting, "横浜市馬場保育園").waiting,
        Some([None, Some(2), Some(0), Some(0), Some(0), Some(0)])
    );
    assert_eq!(
        row(&waiting, "NPO法人ちびっこハウス").waiting,
        Some([None, Some(7), Some(0), None, None, None])
    );
}

#[test]
fn taito_marks_table_reads_marks_and_never_turns_a_blank_into_zero() {
    for file in [
        "taito-ku/R0404_nyuendaiichijiriyouchoseikekka.csv",
        "taito-ku/R0304_nyuendaiichijiriyouchoseikekka.csv",
    ] {
        let t = vacancies(file);
        assert!(t.rows.len() > 40, "{file}: {}", t.rows.len());
        assert!(t.warnings.is_empty(), "{file}: {:?}", t.warnings);
    }
    let t = vacancies("taito-ku/R0404_nyuendaiichijiriyouchoseikekka.csv");
    // 令和4年4月 from the file name.
    assert_eq!(t.as_of, "2022-04-01".parse().ok());
    // A number is the lowest admitted score: that class filled (0 places).
    let aiai = row(&t, "AIAI NURSERY 浅草");
    assert_eq!(aiai.places, Some([N(0), N(0), N(0), U, S, S]));
    assert_eq!(aiai.kind_label.as_deref(), Some("認可"));
    assert_eq!(row(&t, "ＫＡＹＯこども室").places, Some([S, X, X, X, X, X]));
    assert_eq!(
        row(&t, "アスクくらまえ保育園").places,
        Some([N(0), N(0), U, N(0), X, S])
    );
    assert_eq!(
        row(&t, "うれしい保育園上野駅前").places,
        Some([X, S, S, S, S, S])
    );
    assert_eq!(
        row(&t, "ことぶきこども園").places,
        Some([N(0), N(0), U, X, X, X])
    );
    let r3 = vacancies("taito-ku/R0304_nyuendaiichijiriyouchoseikekka.csv");
    assert_eq!(r3.as_of, "2021-04-01".parse().ok());
    assert_eq!(row(&r3, "玉姫保育園").places, Some([X, S, S, U, X, S]));
}

#[test]
fn statistics_are_refused_by_name_with_the_reason() {
    let machida = refused("machida/nursery_data.csv");
    assert!(
        machida.starts_with("nursery/machida/nursery_data.csv:2"),
        "{machida}"
    );
    assert!(machida.contains("応募・内定"), "{machida}");
    let minato = refused("minato-ku/hoikuen_saiteishisu.csv");
    assert!(
        minato.starts_with("nursery/minato-ku/hoikuen_saiteishisu.csv:1"),
        "{minato}"
    );
    assert!(minato.contains("最低指数"), "{minato}");
    // A facility list is not a vacancy table, and says so.
    let list = refused("yaizu/222127_preschool.csv");
    assert!(list.contains("not a vacancy table"), "{list}");
}

#[test]
fn a_workbook_is_refused_by_name() {
    // 八王子市 publishes its 子育て施設一覧 as .xlsx; Machi reads CSV (and GeoJSON). The papamama
    // specification (.xls) and the 推奨データセット column list (.md) are documentation.
    for rel in [
        "hachioji/kosodateshisetuitiran.xlsx",
        "papamama_dataSpecification.xls",
    ] {
        let rel = format!("nursery/{rel}");
        let e = parse_facilities(&machi_testdata::read(&rel), &rel)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with(&rel) && e.contains("save the sheet as CSV"),
            "{e}"
        );
    }
}

#[test]
fn every_facility_list_parses() {
    let yaizu = facilities("yaizu/222127_preschool.csv");
    assert_eq!(yaizu.facilities.len(), 60, "{:?}", yaizu.warnings);
    let first = &yaizu.facilities[0];
    assert_eq!(first.id, "0013010001");
    assert_eq!(first.name, "焼津市立大富幼稚園");
    assert_eq!(
        first.kana.as_deref(),
        Some("ヤイヅシリツオオトミヨウチエン")
    );
    assert_eq!(first.kind, FacilityKind::Kindergarten);
    assert_eq!(first.point, Some((34.833747, 138.293767)));
    assert_eq!(
        (first.opens, first.closes),
        (Some(9 * 60), Some(14 * 60 + 30))
    );
    assert_eq!(first.temporary_care, Some(false));
    assert_eq!(first.capacity, Some(70));
    assert_eq!(first.tel.as_deref(), Some("(054)624-3668"));

    let takamatsu = facilities("takamatsu/0013_nursery_school.csv");
    let setouchi = &takamatsu.facilities[0];
    assert_eq!(setouchi.name, "高松市立瀬戸内保育所");
    assert_eq!(setouchi.point, Some((34.347392, 134.032587)));
    assert_eq!(setouchi.kind, FacilityKind::Licensed);
    assert_eq!((setouchi.opens, setouchi.closes), (Some(450), Some(1140)));
    assert_eq!(setouchi.ages.as_deref(), Some("3か月～"));
    assert_eq!(
        setouchi.url.as_deref(),
        Some("https://kagawa-colorful.com/hoikusyo/h1/")
    );

    let minato = facilities("minato-ku/hoikuen.csv");
    let shiba = minato
        .facilities
        .iter()
        .find(|f| f.name == "芝保育園")
        .unwrap();
    assert_eq!(shiba.ward.as_deref(), Some("芝"));
    assert_eq!((shiba.opens, shiba.closes), (Some(435), Some(1095)));
    assert_eq!(shiba.extended_until, Some(22 * 60));
    assert_eq!(shiba.kind, FacilityKind::Licensed);

    let sapporo = facilities("sapporo/nurseryFacilities.geojson");
    assert_eq!(sapporo.facilities.len(), 528);
    let akebono = &sapporo.facilities[0];
    assert_eq!(akebono.name, "札幌市あけぼの保育園");
    assert_eq!(akebono.point, Some((43.045613, 141.343758)));
    assert_eq!(
        akebono.address.as_deref(),
        Some("札幌市中央区南11条西10丁目1番3号")
    );
    assert_eq!(akebono.extended, Some(true));
    // 延長保育18-19時 ends at the closing time already given (19:00).
    assert_eq!(akebono.latest_pickup(), Some(19 * 60));
    let flags = sapporo.flags.as_ref().unwrap();
    assert_eq!(flags.rows.iter().filter(|r| r.any == Some(S)).count(), 41);

    let chiba = facilities("chiba/nurseryFacilities.geojson");
    assert_eq!(chiba.facilities.len(), 369);
    let chiba_flags = chiba.flags.as_ref().unwrap();
    assert_eq!(chiba_flags.as_of, "2018-11-01".parse().ok());
    assert_eq!(
        chiba_flags.rows.iter().filter(|r| r.any == Some(S)).count(),
        85
    );
    assert_eq!(
        chiba_flags
            .rows
            .iter()
            .filter(|r| r.any == Some(N(0)))
            .count(),
        190
    );
    let chiba_csv = facilities("chiba/nurseryData.csv");
    assert_eq!(chiba_csv.facilities.len(), 369);
    assert_eq!(chiba_csv.facilities[0].id, "1001");
    assert_eq!(chiba_csv.facilities[0].point, Some((35.57833, 140.1408)));

    // Shift_JIS + CRLF.
    let koriyama = facilities("koriyama/nurseryData.csv");
    assert_eq!(koriyama.facilities.len(), 157);
    assert_eq!(koriyama.facilities[0].name, "芳賀保育所");
    assert_eq!(koriyama.facilities[0].ages.as_deref(), Some("1歳～5歳"));
    assert!(koriyama.flags.is_none());
    let koriyama_geo = facilities("koriyama/nurseryFacilities.geojson");
    assert_eq!(koriyama_geo.facilities.len(), 157);
    assert!(koriyama_geo
        .facilities
        .iter()
        .any(|f| f.kind == FacilityKind::Small));
}

#[test]
fn yokohama_s_two_tables_are_one_month_of_1221_facilities() {
    let places = vacancies("yokohama/202408-kanou.csv");
    let waiting = vacancies("yokohama/202408-machi.csv");
    let fallback = "2024-09-01".parse().unwrap();
    let (feed, unjoined) = assemble(
        NurseryInput {
            lists: vec![],
            tables: vec![
                SourcedTable {
                    source: "vacancies",
                    table: &places,
                    fallback_as_of: fallback,
                    list: None,
                },
                SourcedTable {
                    source: "vacancies",
                    table: &waiting,
                    fallback_as_of: fallback,
                    list: None,
                },
            ],
            max_months: 12,
        },
        chrono::Utc::now(),
    );
    assert!(unjoined.is_empty());
    assert_eq!(feed.facilities.len(), 1221);
    assert_eq!(feed.months.len(), 1);
    let month = &feed.months[0];
    assert_eq!(month.rows.len(), 1221);
    let baba = feed
        .facilities
        .iter()
        .position(|f| f.id == "1410051018778")
        .unwrap() as u32;
    let r = month.row(baba).unwrap();
    assert_eq!(r.places, Some([X, N(1), N(0), N(0), N(0), N(3)]));
    assert_eq!(
        r.waiting,
        Some([None, Some(2), Some(0), Some(0), Some(0), Some(0)])
    );
}
