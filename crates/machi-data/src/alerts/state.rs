//! What is in force for one place, from every message received: a pure function.
//!
//! Rules, in order:
//! 1. Test and training messages (`Alert::test`) are ignored. Every other message given has been
//!    received, so it is known, whatever its time says: a hub whose clock is a few minutes slow
//!    shows a new warning at once, and one far ahead of the clock is shown with its own time
//!    ([`is_ahead`] says which, for the log) rather than hidden.
//! 2. 取消 / CAP Cancel removes the messages it refers to (CAP: `references`; JMA: every earlier
//!    message of the same series and EventID). They are reported in `cancelled`.
//! 3. 訂正 replaces the earlier messages of the same series and EventID; CAP Update supersedes the
//!    messages it references.
//! 4. Full-state series (every JMA product: each message restates everything in force for its
//!    series) — the latest message of the series decides: its active alerts for the place are in
//!    force, its 解除 alerts are `lifted`; everything older in the series is superseded.
//! 5. CAP: an alert stays in force until superseded by reference, expired, or replaced by a later
//!    alert of the same sender and kind for the place.
//! 6. Expired (`valid_until <= now`) alerts drop out; event reports (earthquakes, EEW, tsunami
//!    observations) are never "in force", only in `history_72h`.
//! 7. An alert that would be in force but whose series sent nothing newer within the bound for
//!    its kind ([`confirmation_bound`]) is `unconfirmed`: its lift may have been missed (JMA's
//!    high-frequency feeds hold minutes of entries; a hub that was down misses what they listed),
//!    so it is shown as "may have ended", never as current.
//! 8. What is in force or unconfirmed is always in `history_72h` too, however old.
//!
//! A place is an [`AreaScope`]: a municipality code plus its parent regions from the JMA area tree
//! (warnings may be issued for a coarser region), plus any tsunami or seismic area codes and a
//! point for CAP polygons.

use super::model::*;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The state of one place at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CurrentState {
    /// In force now, most severe first (severity, then 警戒レベル, then newest).
    pub in_force: Vec<Alert>,
    /// Lifted by the latest message of their series (解除), newest first.
    pub lifted: Vec<Alert>,
    /// Messages cancelled (取消 / CAP Cancel) that concerned the place.
    pub cancelled: Vec<Alert>,
    /// Everything that concerned the place in the last 72 hours, and everything in force or
    /// unconfirmed, newest first (corrected and cancelled messages excluded).
    pub history_72h: Vec<Alert>,
    /// Would be in force, but nothing newer of its series came within [`confirmation_bound`]:
    /// "may have ended", most severe first.
    pub unconfirmed: Vec<Alert>,
}

/// A message issued more than this far ahead of the clock is logged as such (the hub's clock or
/// the sender's is wrong); it is shown all the same, with its own time.
pub const AHEAD_TOLERANCE_MINUTES: i64 = 60;

/// Whether `a` says it was issued further ahead of `now` than [`AHEAD_TOLERANCE_MINUTES`].
pub fn is_ahead(a: &Alert, now: DateTime<Utc>) -> bool {
    a.issued_at.with_timezone(&Utc) - now > Duration::minutes(AHEAD_TOLERANCE_MINUTES)
}

/// How long an alert in force may go without a newer message of its series before it is shown
/// as "may have ended"; `None` when it never lapses that way. JMA restates tsunami warnings as
/// they change (hours); weather warnings at least three times a day (05, 11 and 17 o'clock) while
/// any is in force; other information (土砂災害警戒情報, river floods) within hours. Volcano
/// warnings stand for months without a new message, and a CAP alert with an expiry ends by it.
pub fn confirmation_bound(a: &Alert) -> Option<Duration> {
    match a.source_kind {
        AlertSourceKind::JmaTsunami => Some(Duration::hours(12)),
        AlertSourceKind::JmaEarthquake
        | AlertSourceKind::JmaEew
        | AlertSourceKind::JmaTsunamiInfo => Some(Duration::hours(6)),
        AlertSourceKind::JmaWeatherWarningH27 | AlertSourceKind::JmaWeatherWarningR06 => {
            Some(Duration::hours(24))
        }
        AlertSourceKind::JmaInformation => {
            let volcano = a.areas.iter().any(|c| c.as_str().starts_with("volcano:"))
                || a.kind_name.contains("噴火")
                || a.kind_name.contains("火山");
            (!volcano).then(|| Duration::hours(24))
        }
        AlertSourceKind::Cap => a.valid_until.is_none().then(|| Duration::hours(24)),
    }
}

/// Whether an alert (its series' latest message) is older at `now` than its
/// [`confirmation_bound`]: its lift may have been missed.
pub fn is_unconfirmed(a: &Alert, now: DateTime<Utc>) -> bool {
    confirmation_bound(a).is_some_and(|bound| now - a.issued_at.with_timezone(&Utc) > bound)
}

/// Namespace for the state computation.
pub struct AlertState;

impl AlertState {
    /// The state of one area code (exact match only; see [`AlertState::compute_in`] for a
    /// municipality with its parent regions).
    pub fn compute(messages: &[Alert], area: &AreaCode, now: DateTime<Utc>) -> CurrentState {
        Self::compute_in(messages, &AreaScope::single(area.clone()), now)
    }

    /// The state of a place.
    pub fn compute_in(messages: &[Alert], scope: &AreaScope, now: DateTime<Utc>) -> CurrentState {
        // Every message given was received, so it is known, whatever its time (rule 1).
        let live: Vec<(usize, &Alert)> = messages
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.test)
            .collect();

        // 2. Cancellations. 3. Corrections and CAP updates.
        let mut removed: HashSet<&str> = HashSet::new();
        let mut superseded: HashSet<&str> = HashSet::new();
        let same_event = |a: &Alert, b: &Alert| {
            a.series == b.series
                && a.event_id == b.event_id
                && a.message_id != b.message_id
                && a.issued_at <= b.issued_at
        };
        for &(_, c) in &live {
            match c.status {
                AlertStatus::Cancelled | AlertStatus::Corrected
                    if !c.replaces.is_empty() || c.source_kind == AlertSourceKind::Cap =>
                {
                    for &(_, a) in &live {
                        if c.replaces.contains(&a.message_id) {
                            if c.status == AlertStatus::Cancelled {
                                removed.insert(a.id.as_str());
                            } else {
                                superseded.insert(a.id.as_str());
                            }
                        }
                    }
                }
                AlertStatus::Cancelled | AlertStatus::Corrected => {
                    for &(_, a) in &live {
                        if same_event(a, c) {
                            removed.insert(a.id.as_str());
                        }
                    }
                }
                AlertStatus::Updated => {
                    for &(_, a) in &live {
                        if c.replaces.contains(&a.message_id) {
                            superseded.insert(a.id.as_str());
                        }
                    }
                }
                _ => {}
            }
        }
        let cancelled_by_jma_or_cap = |a: &Alert| {
            live.iter().any(|&(_, c)| {
                c.status == AlertStatus::Cancelled
                    && (c.replaces.contains(&a.message_id)
                        || (c.source_kind != AlertSourceKind::Cap && same_event(a, c)))
            })
        };

        let mut state = CurrentState::default();
        let candidates: Vec<(usize, &Alert)> = live
            .iter()
            .copied()
            .filter(|(_, a)| !removed.contains(a.id.as_str()))
            .collect();
        for &(_, a) in &live {
            if removed.contains(a.id.as_str()) && scope.touches(a) && cancelled_by_jma_or_cap(a) {
                state.cancelled.push(a.clone());
            }
        }

        // 4. The latest message of every full-state series.
        let mut latest: HashMap<&str, (DateTime<chrono::FixedOffset>, usize, &str)> =
            HashMap::new();
        for &(i, a) in &candidates {
            if a.source_kind.is_full_state() && a.status != AlertStatus::Cancelled {
                let e = latest.entry(a.series.as_str()).or_insert((
                    a.issued_at,
                    i,
                    a.message_id.as_str(),
                ));
                if (a.issued_at, i) > (e.0, e.1) {
                    *e = (a.issued_at, i, a.message_id.as_str());
                }
            }
        }
        let expired = |a: &Alert| a.valid_until.is_some_and(|v| v <= now);
        let mut cap_in_force: Vec<(usize, &Alert)> = Vec::new();
        for &(i, a) in &candidates {
            if !scope.touches(a) || !a.source_kind.is_lasting() {
                continue;
            }
            if a.source_kind.is_full_state() {
                let is_latest = latest
                    .get(a.series.as_str())
                    .is_some_and(|l| l.2 == a.message_id);
                if !is_latest {
                    continue;
                }
                if a.status.is_active() && !expired(a) {
                    state.in_force.push(a.clone());
                } else if a.status == AlertStatus::Lifted && a.kind_code != "00" {
                    state.lifted.push(a.clone());
                }
            } else if a.status.is_active() && !superseded.contains(a.id.as_str()) && !expired(a) {
                // 5. CAP: a later alert of the same sender and kind for this place wins.
                match cap_in_force
                    .iter_mut()
                    .find(|(_, b)| b.series == a.series && b.kind_code == a.kind_code)
                {
                    Some(slot) if (a.issued_at, i) > (slot.1.issued_at, slot.0) => *slot = (i, a),
                    Some(_) => {}
                    None => cap_in_force.push((i, a)),
                }
            }
        }
        state
            .in_force
            .extend(cap_in_force.into_iter().map(|(_, a)| a.clone()));
        // 7. Not confirmed within the bound for its kind: may have ended.
        let (unconfirmed, in_force): (Vec<Alert>, Vec<Alert>) = std::mem::take(&mut state.in_force)
            .into_iter()
            .partition(|a| is_unconfirmed(a, now));
        state.in_force = in_force;
        state.unconfirmed = unconfirmed;
        let most_severe_first = |a: &Alert, b: &Alert| {
            (b.severity, b.level, b.issued_at).cmp(&(a.severity, a.level, a.issued_at))
        };
        state.in_force.sort_by(most_severe_first);
        state.unconfirmed.sort_by(most_severe_first);
        state.lifted.sort_by_key(|a| std::cmp::Reverse(a.issued_at));

        // 8. The last 72 hours, and whatever is shown as in force or unconfirmed.
        let since = now - Duration::hours(72);
        let shown: HashSet<&str> = state
            .in_force
            .iter()
            .chain(&state.unconfirmed)
            .map(|a| a.id.as_str())
            .collect();
        state.history_72h = candidates
            .iter()
            .filter(|(_, a)| scope.touches(a) && a.kind_code != "00")
            .filter(|(_, a)| a.issued_at >= since || shown.contains(a.id.as_str()))
            .map(|(_, a)| (*a).clone())
            .collect();
        state
            .history_72h
            .sort_by_key(|a| std::cmp::Reverse(a.issued_at));
        state
    }
}

/// A place: the area codes that concern it, and optionally a point for polygon alerts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaScope {
    pub codes: Vec<AreaCode>,
    pub point: Option<(f64, f64)>,
}

impl AreaScope {
    pub fn single(code: AreaCode) -> Self {
        Self {
            codes: vec![code],
            point: None,
        }
    }

    /// Adds a code (a tsunami forecast area, a seismic area, a CAP geocode …).
    pub fn with(mut self, code: AreaCode) -> Self {
        if !self.codes.contains(&code) {
            self.codes.push(code);
        }
        self
    }

    /// Adds a point (lat, lon) matched against CAP polygons.
    pub fn at_point(mut self, lat: f64, lon: f64) -> Self {
        self.point = Some((lat, lon));
        self
    }

    pub fn contains(&self, code: &AreaCode) -> bool {
        self.codes.contains(code)
    }

    /// Whether an alert concerns this place.
    pub fn touches(&self, a: &Alert) -> bool {
        a.areas.iter().any(|c| self.contains(c))
            || self
                .point
                .is_some_and(|(lat, lon)| a.covers_point(lat, lon))
    }
}

/// The JMA forecast-area hierarchy: 市町村等 (7 digits) → 市町村等をまとめた地域 → 一次細分区域 →
/// 府県予報区. Built from data (`codes/jma/forecast_area_tree.json`), never hard-coded.
#[derive(Debug, Clone, Default)]
pub struct AreaTree {
    nodes: HashMap<String, TreeNode>,
}

#[derive(Debug, Clone, Default)]
struct TreeNode {
    name: String,
    parents: Vec<String>,
}

#[derive(Deserialize)]
struct TreeFile {
    items: HashMap<String, TreeItem>,
}

#[derive(Deserialize)]
struct TreeItem {
    #[serde(default)]
    name: String,
    matome: Option<String>,
    ichiji: Option<String>,
    saibun: Option<String>,
    fuken: Option<String>,
}

impl AreaTree {
    /// Reads the tree in the `forecast_area_tree.json` layout:
    /// `{"items": {"1720200": {"name": "七尾市", "matome": "170022", "ichiji": "170020", "fuken": "170000", …}}}`.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        let file: TreeFile = serde_json::from_str(json)?;
        let nodes = file
            .items
            .into_iter()
            .map(|(code, it)| {
                let mut parents: Vec<String> = Vec::new();
                for p in [it.matome, it.ichiji, it.saibun, it.fuken]
                    .into_iter()
                    .flatten()
                {
                    if p != code && !parents.contains(&p) {
                        parents.push(p);
                    }
                }
                (
                    code,
                    TreeNode {
                        name: it.name,
                        parents,
                    },
                )
            })
            .collect();
        Ok(Self { nodes })
    }

    /// Parent region codes, finest first (`1720200` → `170022`, `170020`, `170000`).
    pub fn parents(&self, code: &str) -> &[String] {
        self.nodes.get(code).map_or(&[], |n| n.parents.as_slice())
    }

    pub fn name(&self, code: &str) -> Option<&str> {
        self.nodes.get(code).map(|n| n.name.as_str())
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The scope of a municipality: itself and every parent region.
    pub fn scope(&self, code: &AreaCode) -> AreaScope {
        let mut s = AreaScope::single(code.clone());
        for p in self.parents(code.as_str()) {
            s = s.with(AreaCode::new(p.clone()));
        }
        s
    }
}

/// Area code → ids of the messages that name it: which messages concern a place is a few hash
/// lookups (one per code of its scope).
#[derive(Debug, Clone, Default)]
pub struct AreaIndex {
    by_area: HashMap<AreaCode, BTreeSet<String>>,
}

impl AreaIndex {
    pub fn new(alerts: &[Alert]) -> Self {
        let mut ix = Self::default();
        for a in alerts {
            ix.insert(a);
        }
        ix
    }

    pub fn insert(&mut self, a: &Alert) {
        for code in &a.areas {
            self.by_area
                .entry(code.clone())
                .or_default()
                .insert(a.message_id.clone());
        }
    }

    /// Messages naming exactly this code.
    pub fn message_ids(&self, code: &AreaCode) -> impl Iterator<Item = &str> {
        self.by_area
            .get(code)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    /// Messages concerning a place (any code of its scope).
    pub fn message_ids_in(&self, scope: &AreaScope) -> BTreeSet<&str> {
        scope
            .codes
            .iter()
            .flat_map(|c| self.message_ids(c))
            .collect()
    }
}

/// Area code → subscription keys: "which subscriptions does this message concern?" Built once
/// from every subscription's scope.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionIndex {
    by_area: HashMap<AreaCode, BTreeSet<String>>,
}

impl SubscriptionIndex {
    pub fn add(&mut self, key: impl Into<String>, scope: &AreaScope) {
        let key = key.into();
        for c in &scope.codes {
            self.by_area
                .entry(c.clone())
                .or_default()
                .insert(key.clone());
        }
    }

    /// The subscriptions an alert concerns.
    pub fn subscribers(&self, a: &Alert) -> BTreeSet<&str> {
        a.areas
            .iter()
            .filter_map(|c| self.by_area.get(c))
            .flatten()
            .map(String::as_str)
            .collect()
    }
}
