//! Every alert sample in shared/data/alerts, read by the real parsers: each parses or is refused for
//! a reason listed here; representative samples are pinned; real sequences give the right state.

use chrono::{DateTime, Utc};
use machi_data::alerts::*;
use machi_testdata::shared_data;
use std::path::{Path, PathBuf};

/// Sample files the parsers refuse, and the words the error must contain.
const REFUSED: &[(&str, &str)] = &[
    // Forecasts and plain-text bulletins, not alerts: no area-coded summary to alert on.
    (
        "jma_real/20231224193518_0_VPFD51_130000.xml",
        "not an alert product: 府県天気予報（Ｒ１）",
    ),
    (
        "jma_samples/weather/24_10_01_130906_VPFD50.xml",
        "not an alert product: 府県天気予報",
    ),
    (
        "jma_samples/weather/22_02_02_160628_VPFJ50.xml",
        "not an alert product: 府県気象情報",
    ),
];

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out)
        } else {
            out.push(p)
        }
    }
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(shared_data(&format!("alerts/{rel}"))).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn jma(rel: &str) -> Vec<Alert> {
    parse_jma(&read(rel), rel).unwrap_or_else(|e| panic!("{e}"))
}

fn jma_text(text: &str, id: &str) -> Vec<Alert> {
    parse_jma(text.as_bytes(), id).unwrap_or_else(|e| panic!("{e}"))
}

fn text(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn codes(a: &Alert) -> Vec<&str> {
    a.areas.iter().map(AreaCode::as_str).collect()
}

/// The messages a hub had received by `now`: a real sequence replayed at a moment of it (the
/// state counts every message it is given as received, whatever its time).
fn received(all: &[Alert], now: DateTime<Utc>) -> Vec<Alert> {
    all.iter().filter(|a| a.issued_at <= now).cloned().collect()
}

fn kinds(v: &[Alert]) -> Vec<(&str, AlertStatus)> {
    v.iter().map(|a| (a.kind_code.as_str(), a.status)).collect()
}

#[test]
fn every_sample_parses_or_is_refused_for_a_stated_reason() {
    let root = shared_data("alerts");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    assert!(files.len() >= 50, "{} files", files.len());
    let (mut ok, mut refused) = (0, 0);
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(f).unwrap();
        let result: Result<usize, AlertError> = if rel.starts_with("jma_feeds/") {
            parse_atom_feed(&bytes, &rel).map(|e| e.len())
        } else if rel.starts_with("cap/") {
            parse_cap(&bytes, &rel).map(|_| 1)
        } else {
            parse_jma(&bytes, &rel).map(|a| a.len())
        };
        match (result, REFUSED.iter().find(|(p, _)| *p == rel)) {
            (Ok(n), None) => {
                assert!(n > 0, "{rel}: nothing read");
                ok += 1;
            }
            (Err(e), Some((_, why))) => {
                assert!(
                    e.to_string().contains(why),
                    "{rel}: refused for another reason: {e}"
                );
                refused += 1;
            }
            (Ok(_), Some(_)) => panic!("{rel} is listed as refused but parses"),
            (Err(e), None) => panic!("{e}"),
        }
    }
    assert_eq!(refused, REFUSED.len());
    assert_eq!(ok + refused, files.len());
}

#[test]
fn h27_tokyo_special_warning_is_read_per_municipality() {
    let v = jma("jma_samples/weather/15_14_01_170216_VPWW54.xml");
    assert_eq!(
        kinds(&v),
        [
            ("33", AlertStatus::Issued),
            ("03", AlertStatus::Issued),
            ("04", AlertStatus::Issued),
            ("00", AlertStatus::Lifted)
        ]
    );
    let special = &v[0];
    assert_eq!(special.source_kind, AlertSourceKind::JmaWeatherWarningH27);
    assert_eq!(special.kind_name, "大雨特別警報");
    assert_eq!(
        (special.severity, special.level),
        (Severity::Special, Some(5))
    );
    assert_eq!(codes(special), ["1310400", "1330800"]);
    assert_eq!(codes(&v[1]), ["1311800", "1312100"]);
    assert_eq!(special.issued_at.to_rfc3339(), "2017-01-26T17:20:00+09:00");
    assert_eq!(special.issuer, "気象庁本庁");
    assert!(special
        .headline
        .original()
        .unwrap()
        .starts_with("【特別警報（大雨）】２３区西部、多摩西部"));
    assert_eq!(v[3].areas.len(), 58, "municipalities with nothing in force");
}

#[test]
fn r06_landslide_warning_carries_its_level() {
    let v = jma("jma_samples/weather/15_17_01_250630_VPWW56.xml");
    assert_eq!(
        kinds(&v),
        [
            ("29", AlertStatus::Continued),
            ("49", AlertStatus::Issued),
            ("49", AlertStatus::Continued),
            ("00", AlertStatus::Lifted)
        ]
    );
    assert!(v
        .iter()
        .all(|a| a.source_kind == AlertSourceKind::JmaWeatherWarningR06));
    assert_eq!(v[1].kind_name, "レベル４土砂災害危険警報");
    assert_eq!((v[1].severity, v[1].level), (Severity::Warning, Some(4)));
    assert_eq!(codes(&v[1]), ["3220900"]);
    assert_eq!(codes(&v[2]), ["3250500"]);
    assert_eq!(v[0].level, Some(2));
    assert_eq!(v[0].issued_at.to_rfc3339(), "2024-11-02T08:00:00+09:00");

    let rain = jma("jma_samples/weather/15_17_01_250630_VPWW55.xml");
    assert_eq!(rain[0].kind_name, "レベル３大雨警報");
    assert_eq!((rain[0].kind_code.as_str(), rain[0].level), ("03", Some(3)));
    // 大雨注意報 continues in some municipalities and is lifted in 3252800.
    assert_eq!(
        (rain[2].kind_code.as_str(), rain[2].status),
        ("10", AlertStatus::Lifted)
    );
    assert_eq!(codes(&rain[2]), ["3252800"]);
}

#[test]
fn noto_mainshock_intensities_and_hypocentre() {
    let v = jma("jma_real/noto_2024-01/WInfoL.xml");
    assert_eq!(v.len(), 1);
    let a = &v[0];
    assert_eq!(a.source_kind, AlertSourceKind::JmaEarthquake);
    assert_eq!(a.kind_code, "hypocentre_intensity_report");
    assert_eq!(a.event_id.as_deref(), Some("20240101161010"));
    assert_eq!(a.issued_at.to_rfc3339(), "2024-01-01T16:24:00+09:00");
    let eq = a.earthquake.as_ref().unwrap();
    assert_eq!(eq.magnitude, Some(7.6));
    assert_eq!(eq.max_intensity, Some(Intensity::I7));
    assert_eq!(
        eq.origin_time.unwrap().to_rfc3339(),
        "2024-01-01T16:10:00+09:00"
    );
    let h = eq.hypocentre.as_ref().unwrap();
    assert_eq!(
        (h.name.as_str(), h.code.as_deref()),
        ("石川県能登地方", Some("390"))
    );
    assert_eq!(
        (h.lat, h.lon, h.depth_km),
        (Some(37.5), Some(137.2), Some(0.0))
    );
    let int = |code: &str| {
        eq.intensities
            .iter()
            .find(|i| i.area.as_str() == code)
            .map(|i| (i.name.as_str(), i.max_intensity))
    };
    assert_eq!(int("1738400"), Some(("志賀町", Intensity::I7)));
    assert_eq!(int("1720200"), Some(("七尾市", Intensity::I6Upper)));
    assert_eq!(int("1720400"), Some(("輪島市", Intensity::I6Upper)));
    assert!(a.concerns(&AreaCode::new("1720200")));
    assert!(a.concerns(&AreaCode::scoped("seismic", "390")));
}

#[test]
fn intensity_report_and_eew() {
    let v = jma("jma_real/20210217140808_0_VXSE51_010000.xml");
    let eq = v[0].earthquake.as_ref().unwrap();
    assert_eq!(eq.max_intensity, Some(Intensity::I3));
    assert!(v[0].concerns(&AreaCode::scoped("seismic", "222")));

    let eew = jma("jma_real/20240116184225_02245216_VXSE43.xml");
    let a = &eew[0];
    assert_eq!(
        (a.source_kind, a.kind_code.as_str(), a.severity),
        (AlertSourceKind::JmaEew, "eew_warning", Severity::Special)
    );
    let eq = a.earthquake.as_ref().unwrap();
    assert_eq!(eq.max_intensity, Some(Intensity::I5Lower));
    assert_eq!(eq.hypocentre.as_ref().unwrap().name, "能登半島沖");
    assert_eq!(eq.magnitude, Some(5.7));
    assert!(a.concerns(&AreaCode::scoped("eew", "9170")));
    assert!(a.concerns(&AreaCode::scoped("seismic", "390")));
}

#[test]
fn noto_major_tsunami_warning() {
    let v = jma("jma_real/noto_2024-01/TsunamiAlarm.xml");
    assert_eq!(
        kinds(&v).iter().map(|k| k.0).collect::<Vec<_>>(),
        ["53", "51", "62", "71"]
    );
    let major = &v[0];
    assert_eq!(
        (major.severity, major.kind_name.as_str()),
        (Severity::Special, "大津波警報：発表")
    );
    assert_eq!(codes(major), ["tsunami:360"]);
    let f = &major.tsunami[0];
    assert_eq!(
        (f.name.as_str(), f.last_category_code.as_deref()),
        ("石川県能登", Some("51"))
    );
    assert_eq!(f.max_height_m, Some(5.0));
    assert_eq!(
        f.first_arrival_condition.as_deref(),
        Some("津波到達中と推測")
    );
    assert_eq!(v[1].severity, Severity::Warning);
    assert!(v[1].concerns(&AreaCode::scoped("tsunami", "350")), "富山県");
    assert_eq!(major.earthquake.as_ref().unwrap().magnitude, Some(7.6));
}

#[test]
fn other_jma_products_are_read_from_their_headline() {
    let v = jma("jma_samples/weather/17_04_01_250630_VXWW50.xml");
    assert_eq!((v[0].severity, v[0].level), (Severity::Warning, Some(4)));
    assert_eq!(codes(&v[0]), ["1420600", "1438300", "1438400"]);
    let tornado = jma("jma_samples/weather/19_03_01_130906_VPHW50.xml");
    assert_eq!(tornado[0].severity, Severity::Advisory);
    assert_eq!(
        tornado[0].valid_until.unwrap().to_rfc3339(),
        "2013-07-26T10:30:00+09:00"
    );
    let volcano = jma("jma_samples/seismic_volcano/45_01_01_200522_VFVO50.xml");
    assert_eq!(
        (volcano[0].kind_name.as_str(), volcano[0].level),
        ("火口周辺警報", Some(3))
    );
}

#[test]
fn cap_multilingual_alert() {
    let a = parse_cap(&read("cap/v1dot2_appendix_adot4.xml"), "a4").unwrap();
    assert_eq!(a.message_id, "KARO@CLETS.DOJ.CA.GOV,KAR0-0306112239-SW");
    assert_eq!(a.kind_code, "SAME:CAE");
    assert_eq!(a.severity, Severity::Warning);
    assert_eq!(
        a.headline.get("es", &[]),
        "Alerta Amber en el condado de Los Ángeles"
    );
    assert_eq!(
        a.headline.get("en", &[]),
        "Amber Alert in Los Angeles County"
    );
    assert_eq!(codes(&a), ["SAME:006037"]);
    let storm = parse_cap(&read("cap/v1dot2_appendix_adot2.xml"), "a2").unwrap();
    assert_eq!(storm.polygons.len(), 1);
    assert_eq!(
        storm.valid_until.unwrap().to_rfc3339(),
        "2003-06-17T16:00:00-07:00"
    );
    let g = parse_cap(&read("cap/google-PAAQ-4-mg5a94.xml"), "g").unwrap();
    assert_eq!(g.status, AlertStatus::Updated);
    assert_eq!(g.replaces.len(), 3);
    assert_eq!(g.replaces[0], "wcatwc@noaa.gov,PAAQ-1-mg5a94");
}

#[test]
fn atom_feed_entries() {
    let e = parse_atom_feed(&read("jma_feeds/eqvol_2024-01-01_noto.xml"), "eqvol").unwrap();
    assert_eq!(e.len(), 12);
    let r = parse_atom_feed(&read("jma_feeds/regular.xml"), "regular").unwrap();
    assert_eq!(r.len(), 381);
    assert_eq!(r[0].title, "大雨危険度通知");
    assert_eq!(
        r[0].id,
        "https://www.data.jma.go.jp/developer/xml/data/20251111124751_0_VPRN50_010000.xml"
    );
    assert_eq!(r[0].link, r[0].id);
    assert_eq!(r[0].author, "気象庁");
    assert_eq!(r[0].updated.to_rfc3339(), "2025-11-11T12:47:30+00:00");
}

// --- State over real sequences -------------------------------------------------------------

#[test]
fn tsunami_advisory_issued_switched_then_lifted_2023_10_09() {
    let mut all = Vec::new();
    all.extend(jma("jma_real/20231009064018_06274659_VTSE41.xml"));
    let area = AreaCode::scoped("tsunami", "320");
    let s = AlertState::compute(&all, &area, t("2023-10-09T07:00:00+09:00"));
    assert_eq!(kinds(&s.in_force), [("62", AlertStatus::Issued)]);

    all.extend(jma("jma_real/20231009074440_07748424_VTSE41.xml"));
    let s = AlertState::compute(&all, &area, t("2023-10-09T08:00:00+09:00"));
    assert_eq!(kinds(&s.in_force), [("62", AlertStatus::Issued)]);
    assert!(
        s.in_force[0].message_id.contains("074440"),
        "the later message supersedes"
    );
    let new_area = AreaCode::scoped("tsunami", "610");
    assert_eq!(
        kinds(&AlertState::compute(&all, &new_area, t("2023-10-09T08:00:00+09:00")).in_force),
        [("62", AlertStatus::Issued)]
    );

    all.extend(jma("jma_real/20231009120003_08446949_VTSE41.xml"));
    let s = AlertState::compute(&all, &area, t("2023-10-09T12:30:00+09:00"));
    // The advisory is gone; what remains is a forecast of slight sea-level change.
    assert_eq!(kinds(&s.in_force), [("72", AlertStatus::Issued)]);
    assert_eq!(s.in_force[0].severity, Severity::Information);
    assert_eq!(s.history_72h.len(), 3);
    // After the forecast's validity (ValidDateTime 18:00) nothing is in force.
    assert!(
        AlertState::compute(&all, &area, t("2023-10-09T18:00:00+09:00"))
            .in_force
            .is_empty()
    );
}

#[test]
fn noto_sequence_for_nanao() {
    let tree = AreaTree::from_json(&machi_testdata::read_to_string(
        "codes/jma/forecast_area_tree.json",
    ))
    .unwrap();
    assert_eq!(tree.parents("1720200"), ["170022", "170020", "170000"]);
    assert_eq!(tree.name("1720200"), Some("七尾市"));
    // 七尾市 with its parents, its tsunami forecast area (石川県能登) and seismic area (石川県能登).
    let scope = tree
        .scope(&AreaCode::new("1720200"))
        .with(AreaCode::scoped("tsunami", "360"))
        .with(AreaCode::scoped("seismic", "390"));
    let mut all = Vec::new();
    for f in [
        "IntensityReportL.xml",
        "TsunamiAlarm.xml",
        "WInfoL.xml",
        "TsunamiInfo.xml",
        "canceledTsunamiAlarm.xml",
    ] {
        all.extend(jma(&format!("jma_real/noto_2024-01/{f}")));
    }
    let at = t("2024-01-01T17:00:00+09:00");
    let s = AlertState::compute_in(&received(&all, at), &scope, at);
    assert_eq!(
        kinds(&s.in_force),
        [("53", AlertStatus::Issued)],
        "大津波警報 in force; reports only in history"
    );
    assert_eq!(s.in_force[0].severity, Severity::Special);
    let hist: Vec<&str> = s.history_72h.iter().map(|a| a.kind_code.as_str()).collect();
    assert_eq!(
        hist,
        [
            "53",
            "hypocentre_intensity_report",
            "53",
            "intensity_report"
        ]
    );

    let at = t("2024-01-02T11:00:00+09:00");
    let s = AlertState::compute_in(&received(&all, at), &scope, at);
    assert_eq!(s.in_force.len(), 1);
    assert_eq!(
        s.in_force[0].severity,
        Severity::Information,
        "warning lifted to a forecast"
    );
    assert!(s.in_force[0].kind_code == "71" || s.in_force[0].kind_code == "72");

    let index = AreaIndex::new(&all);
    let ids = index.message_ids_in(&scope);
    assert!(ids.contains("jma_real/noto_2024-01/WInfoL.xml"));
    assert!(!ids.contains("jma_real/noto_2024-01/EpicenterInfo.xml"));
    let mut subs = SubscriptionIndex::default();
    subs.add("nanao", &scope);
    subs.add("tokyo", &tree.scope(&AreaCode::new("1310400")));
    assert_eq!(
        subs.subscribers(&all[0]).into_iter().collect::<Vec<_>>(),
        ["nanao"]
    );
}

#[test]
fn a_warning_issued_for_a_coarser_region_reaches_the_municipality() {
    let tree = AreaTree::from_json(&machi_testdata::read_to_string(
        "codes/jma/forecast_area_tree.json",
    ))
    .unwrap();
    // 記録的短時間大雨情報 for 石狩地方 (016010) concerns 札幌市 (0110000).
    let v = jma("jma_samples/weather/18_03_01_190412_VPOA50.xml");
    assert!(!v[0].concerns(&AreaCode::new("0110000")));
    assert!(tree.scope(&AreaCode::new("0110000")).touches(&v[0]));
    let s = AlertState::compute_in(
        &v,
        &tree.scope(&AreaCode::new("0110000")),
        t("2019-03-28T20:00:00+09:00"),
    );
    assert_eq!(s.in_force.len(), 1);
}

/// There is no real sequence of one prefecture's warnings in the samples, so the sequence is the
/// real 東京都 message restated as JMA does: later times, 継続, then 解除.
#[test]
fn tokyo_special_warning_issued_continued_lifted() {
    let issued = text("jma_samples/weather/15_14_01_170216_VPWW54.xml");
    let later = |at: &str, status: &str| {
        issued
            .replace(
                "<ReportDateTime>2017-01-26T17:20:00+09:00</ReportDateTime>",
                &format!("<ReportDateTime>{at}</ReportDateTime>"),
            )
            .replace(
                "<Status>発表</Status>",
                &format!("<Status>{status}</Status>"),
            )
    };
    let shinjuku = AreaCode::new("1310400");
    let mut all = jma_text(&issued, "m1");
    let s = AlertState::compute(&all, &shinjuku, t("2017-01-26T17:30:00+09:00"));
    assert_eq!(kinds(&s.in_force), [("33", AlertStatus::Issued)]);

    all.extend(jma_text(&later("2017-01-26T20:00:00+09:00", "継続"), "m2"));
    let s = AlertState::compute(&all, &shinjuku, t("2017-01-26T20:30:00+09:00"));
    assert_eq!(kinds(&s.in_force), [("33", AlertStatus::Continued)]);
    assert_eq!(s.in_force[0].message_id, "m2");

    all.extend(jma_text(&later("2017-01-27T05:00:00+09:00", "解除"), "m3"));
    let s = AlertState::compute(&all, &shinjuku, t("2017-01-27T06:00:00+09:00"));
    assert!(s.in_force.is_empty());
    assert_eq!(kinds(&s.lifted), [("33", AlertStatus::Lifted)]);
    assert_eq!(s.history_72h.len(), 3);
    // Order does not matter: the same messages received out of order give the same state.
    all.reverse();
    assert!(
        AlertState::compute(&all, &shinjuku, t("2017-01-27T06:00:00+09:00"))
            .in_force
            .is_empty()
    );
}

#[test]
fn most_severe_first() {
    let mut all = jma("jma_samples/weather/15_17_01_250630_VPWW55.xml");
    all.extend(jma("jma_samples/weather/15_17_01_250630_VPWW56.xml"));
    // 出雲市 (3220300)? Use 3220900, which has レベル４ 土砂 and レベル３ 大雨.
    let s = AlertState::compute(
        &all,
        &AreaCode::new("3220900"),
        t("2024-11-02T12:00:00+09:00"),
    );
    let levels: Vec<Option<u8>> = s.in_force.iter().map(|a| a.level).collect();
    assert_eq!(levels, [Some(4), Some(3)]);
}

#[test]
fn jma_cancellation_removes_the_earlier_message_of_the_event() {
    // The real 取消 sample, pointed at the real 2023-10-09 event.
    let mut all = jma("jma_real/20231009064018_06274659_VTSE41.xml");
    let cancel = text("jma_samples/seismic_volcano/38-39_03_01_210805_VTSE41.xml")
        .replace("20210805103531", "20231009052500")
        .replace("2021-08-05T12:56:00+09:00", "2023-10-09T06:50:00+09:00");
    all.extend(jma_text(&cancel, "cancel"));
    let area = AreaCode::scoped("tsunami", "320");
    let s = AlertState::compute(&all, &area, t("2023-10-09T07:00:00+09:00"));
    assert!(s.in_force.is_empty());
    assert_eq!(kinds(&s.cancelled), [("62", AlertStatus::Issued)]);
    assert!(s.history_72h.is_empty());

    // The same for an earthquake report.
    let mut eq = jma("jma_real/20210217140958_0_VXSE53_010000.xml");
    let cancel = text("jma_samples/seismic_volcano/32-35_06_06_100915_VXSE53.xml")
        .replace("20080614084350", "20210217230627")
        .replace("2008-06-14T09:06:00+09:00", "2021-02-17T23:30:00+09:00");
    eq.extend(jma_text(&cancel, "cancel-eq"));
    let s = AlertState::compute(
        &eq,
        &AreaCode::new("0420200"),
        t("2021-02-18T00:00:00+09:00"),
    );
    assert_eq!(s.cancelled.len(), 1);
    assert!(s.history_72h.is_empty());
}

#[test]
fn jma_correction_replaces_the_earlier_message() {
    let orig = text("jma_real/noto_2024-01/WInfoM.xml");
    let corrected = orig
        .replace("<InfoType>発表</InfoType>", "<InfoType>訂正</InfoType>")
        .replace(
            "<ReportDateTime>2024-01-06T23:46:00+09:00</ReportDateTime>",
            "<ReportDateTime>2024-01-06T23:55:00+09:00</ReportDateTime>",
        )
        .replace(">3.3</", ">3.5</");
    let mut all = jma_text(&orig, "orig");
    all.extend(jma_text(&corrected, "fix"));
    let s = AlertState::compute(
        &all,
        &AreaCode::new("1521600"),
        t("2024-01-07T00:00:00+09:00"),
    );
    assert_eq!(s.history_72h.len(), 1);
    assert_eq!(s.history_72h[0].status, AlertStatus::Corrected);
    assert_eq!(
        s.history_72h[0].earthquake.as_ref().unwrap().magnitude,
        Some(3.5)
    );
}

#[test]
fn cap_update_and_cancel_by_references() {
    let orig = text("cap/v1dot2_appendix_adot2.xml");
    let id = "KSTO1055887203";
    assert!(orig.contains(id));
    let follow = |n: &str, kind: &str, sent: &str| {
        orig.replace(&format!("<identifier>{id}</identifier>"), &format!("<identifier>{n}</identifier>"))
            .replace("<msgType>Alert</msgType>", &format!("<msgType>{kind}</msgType><references>KSTO@NWS.NOAA.GOV,{id},2003-06-17T14:57:00-07:00</references>"))
            .replace("2003-06-17T14:57:00-07:00</sent>", &format!("{sent}</sent>"))
    };
    let area = AreaCode::new("SAME:006109");
    let now = t("2003-06-17T15:30:00-07:00");
    let mut all = vec![parse_cap(orig.as_bytes(), "orig").unwrap()];
    assert_eq!(AlertState::compute(&all, &area, now).in_force.len(), 1);

    let update = parse_cap(
        follow("KSTO1055887204", "Update", "2003-06-17T15:10:00-07:00").as_bytes(),
        "upd",
    )
    .unwrap();
    assert_eq!(update.replaces, [format!("KSTO@NWS.NOAA.GOV,{id}")]);
    all.push(update);
    let s = AlertState::compute(&all, &area, now);
    assert_eq!(s.in_force.len(), 1);
    assert_eq!(s.in_force[0].status, AlertStatus::Updated);

    let mut cancelled = vec![all[0].clone()];
    cancelled.push(
        parse_cap(
            follow("KSTO1055887205", "Cancel", "2003-06-17T15:20:00-07:00").as_bytes(),
            "cxl",
        )
        .unwrap(),
    );
    let s = AlertState::compute(&cancelled, &area, now);
    assert!(s.in_force.is_empty());
    assert_eq!(s.cancelled.len(), 1);
    // Expired (expires 16:00) alerts drop out.
    assert!(
        AlertState::compute(&all, &area, t("2003-06-17T16:00:00-07:00"))
            .in_force
            .is_empty()
    );
    // A point inside the warning polygon matches without a geocode.
    let p = AreaScope::default().at_point(38.48, -119.9);
    assert!(p.touches(&all[0]));
}

#[test]
fn test_messages_are_never_in_force() {
    let x = text("jma_samples/weather/15_14_01_170216_VPWW54.xml")
        .replace("<Status>通常</Status>", "<Status>訓練</Status>");
    let v = jma_text(&x, "drill");
    assert!(v.iter().all(|a| a.test));
    assert!(AlertState::compute(
        &v,
        &AreaCode::new("1310400"),
        t("2017-01-26T18:00:00+09:00")
    )
    .in_force
    .is_empty());
}

#[test]
fn alerts_round_trip_through_json() {
    let v = jma("jma_real/noto_2024-01/TsunamiAlarm.xml");
    let json = serde_json::to_string(&v).unwrap();
    let back: Vec<Alert> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, v);
    assert!(json.contains("\"severity\":\"special\""));
}
