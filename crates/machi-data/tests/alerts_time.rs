//! What is in force when the clocks disagree and when messages go missing: a message received
//! ahead of the hub's clock is known at once (issue 11, item 13), and a warning whose lift was
//! never received does not stay "in force" forever (item 14: the real Noto 大津波警報 in a feed
//! for 七尾市, looked at long after it was lifted).

use chrono::{DateTime, Duration, Utc};
use machi_data::alerts::*;
use machi_data::feed::{AlertsFeed, AlertsInput};

fn noto_alarm() -> Vec<Alert> {
    let bytes = machi_testdata::read("alerts/jma_real/noto_2024-01/TsunamiAlarm.xml");
    parse_jma(&bytes, "urn:test:noto-tsunami").unwrap()
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// 七尾市's tsunami forecast area (石川県能登).
fn nanao() -> AreaScope {
    AreaScope::single(AreaCode::new("1720200")).with(AreaCode::scoped("tsunami", "360"))
}

/// The alarm was issued at 16:22 JST (07:22 UTC).
const ISSUED: &str = "2024-01-01T16:22:00+09:00";

fn feed(alerts: Vec<Alert>, now: DateTime<Utc>) -> AlertsFeed {
    let scope = nanao();
    AlertsFeed::assemble(
        AlertsInput {
            alerts,
            scope: &scope,
            shelters: vec![],
            sources: vec!["jma".into()],
            last_success: Some(now),
            replay_newest_at: None,
        },
        now,
    )
}

/// A hub whose clock is five minutes slow receives the warning "from the future": it is in force
/// at once, not five minutes later; one an hour or more ahead is still shown, with its own time.
#[test]
fn a_message_ahead_of_the_clock_is_in_force_at_once() {
    let slow_clock = t(ISSUED) - Duration::minutes(5);
    let s = AlertState::compute_in(&noto_alarm(), &nanao(), slow_clock);
    assert_eq!(s.in_force.len(), 1, "{:?}", s.in_force);
    assert_eq!(s.in_force[0].severity, Severity::Special);
    assert_eq!(s.history_72h.len(), 1);
    let f = feed(noto_alarm(), slow_clock);
    assert_eq!(f.in_force.len(), 1);
    assert_eq!(f.in_force[0].issued_at, t(ISSUED).fixed_offset());

    // Far ahead (a wrong clock somewhere): still shown, with the time it says.
    let far = t(ISSUED) - Duration::hours(3);
    let f = feed(noto_alarm(), far);
    assert_eq!(f.in_force.len(), 1);
    assert!(is_ahead(&f.in_force[0], far));
    assert!(!is_ahead(&f.in_force[0], slow_clock));
}

/// The real Noto 大津波警報, and nothing after it: in force while it is fresh; past the bound for
/// its kind it "may have ended" and is never current; on 2026-12-02 (the ghost seen in the issue)
/// it is not in force, and what is shown as in force or unconfirmed is also in the history.
#[test]
fn a_warning_whose_lift_never_came_is_not_in_force_forever() {
    let bound = confirmation_bound(&noto_alarm()[0]).expect("tsunami warnings have a bound");
    assert!(
        bound >= Duration::hours(6) && bound <= Duration::hours(24),
        "{bound}"
    );

    let fresh = t(ISSUED) + Duration::hours(3);
    let f = feed(noto_alarm(), fresh);
    assert_eq!(f.in_force.len(), 1);
    assert!(f.unconfirmed.is_empty());

    let after_bound = t(ISSUED) + bound + Duration::minutes(1);
    let f = feed(noto_alarm(), after_bound);
    assert!(f.in_force.is_empty(), "{:?}", f.in_force);
    assert_eq!(f.unconfirmed.len(), 1);
    assert!(is_unconfirmed(&f.unconfirmed[0], after_bound));
    assert_eq!(f.unconfirmed[0].severity, Severity::Special);

    let ghost_day = t("2026-12-02T12:00:00+09:00");
    let f = feed(noto_alarm(), ghost_day);
    assert!(f.in_force.is_empty(), "the ghost is gone: {:?}", f.in_force);
    assert_eq!(f.unconfirmed.len(), 1, "still shown as 'may have ended'");
    for shown in f.in_force.iter().chain(&f.unconfirmed) {
        assert!(
            f.history.iter().any(|h| h.id == shown.id),
            "{} is shown but not in the history",
            shown.id
        );
    }
}

/// Weather warnings are restated at least three times a day while in force, so they get longer;
/// volcano warnings stand for months without a new message and never lapse this way.
#[test]
fn the_bound_fits_the_kind() {
    let mut warning = noto_alarm()[0].clone();
    warning.source_kind = AlertSourceKind::JmaWeatherWarningR06;
    let tsunami = confirmation_bound(&noto_alarm()[0]).unwrap();
    assert!(confirmation_bound(&warning).unwrap() > tsunami);
    let mut volcano = warning.clone();
    volcano.source_kind = AlertSourceKind::JmaInformation;
    volcano.areas = vec![AreaCode::scoped("volcano", "506")];
    assert_eq!(confirmation_bound(&volcano), None);
    let mut cap = warning;
    cap.source_kind = AlertSourceKind::Cap;
    cap.valid_until = Some(cap.issued_at + Duration::days(30));
    assert_eq!(
        confirmation_bound(&cap),
        None,
        "a CAP alert with an expiry ends by it"
    );
}
