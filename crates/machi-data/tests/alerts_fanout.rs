//! Fan-out readiness: for the real 2024 Noto messages, `SubscriptionIndex` finds exactly the
//! subscriptions each message concerns, by area code (scoped codes never collide: tsunami 350 is
//! not seismic 350).

use machi_data::alerts::*;
use std::collections::BTreeSet;

#[test]
fn noto_messages_reach_exactly_the_subscriptions_they_concern() {
    let tree = AreaTree::from_json(&machi_testdata::read_to_string(
        "codes/jma/forecast_area_tree.json",
    ))
    .unwrap();
    let mut subs = SubscriptionIndex::default();
    // 七尾市 with its regions, its tsunami forecast area and seismic area (both 石川県能登).
    subs.add(
        "nanao",
        &tree
            .scope(&AreaCode::new("1720200"))
            .with(AreaCode::scoped("tsunami", "360"))
            .with(AreaCode::scoped("seismic", "390")),
    );
    // 新宿区 with its regions and its seismic area (東京都２３区).
    subs.add(
        "shinjuku",
        &tree
            .scope(&AreaCode::new("1310400"))
            .with(AreaCode::scoped("seismic", "350")),
    );
    subs.add("matsue", &tree.scope(&AreaCode::new("3220100")));
    subs.add("naha", &tree.scope(&AreaCode::new("4720100")));

    let expected: &[(&str, &[&str])] = &[
        ("EpicenterInfo.xml", &[]),
        ("IntensityReportS.xml", &["nanao"]),
        ("IntensityReportL.xml", &["nanao", "shinjuku"]),
        ("TsunamiAlarm.xml", &["nanao"]),
        ("TsunamiInfo.xml", &["nanao"]),
        ("WInfoL.xml", &["matsue", "nanao", "shinjuku"]),
        ("WInfoM.xml", &[]),
        ("canceledTsunamiAlarm.xml", &["nanao"]),
    ];
    for (file, want) in expected {
        let bytes = machi_testdata::read(&format!("alerts/jma_real/noto_2024-01/{file}"));
        let alerts = parse_jma(&bytes, file).unwrap();
        let got: BTreeSet<&str> = alerts.iter().flat_map(|a| subs.subscribers(a)).collect();
        let want: BTreeSet<&str> = want.iter().copied().collect();
        assert_eq!(got, want, "{file}");
    }
}
