//! The alert kinds: `jma-atom` and `cap` messages (each parsed once by machi-data and kept when it
//! concerns a city), `shelters` lists, and where a city is in the alert sources' area systems
//! (its [`AreaScope`]).

use super::kind::{Input, Listed, Problem, Value};
use crate::config::CityConfig;
use machi_data::alerts::{
    parse_atom_feed, parse_cap, parse_shelters_csv, Alert, AlertError, AlertStatus, AreaCode,
    AreaScope, AreaTree, ShelterList,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The entries of a JMA Atom feed.
pub fn list_atom_feed(bytes: &[u8], name: &str) -> Result<Vec<Listed>, AlertError> {
    let entries = parse_atom_feed(bytes, name)?;
    Ok(entries
        .into_iter()
        .map(|e| Listed {
            id: e.id,
            link: e.link,
        })
        .collect())
}

/// A CAP 1.x document: one alert.
pub fn parse_cap_message(bytes: &[u8], id: &str) -> Result<Vec<Alert>, AlertError> {
    parse_cap(bytes, id).map(|a| vec![a])
}

/// A shelter CSV (指定緊急避難場所 in the 推奨データセット layout, UTF-8 or Shift_JIS).
pub fn parse_shelters(input: &Input<'_>) -> Result<Value, Problem> {
    let doc = input
        .documents
        .first()
        .ok_or_else(|| Problem::Invalid("no file".into()))?;
    let shelters = parse_shelters_csv(doc.bytes, doc.location, ShelterList::EvacuationSites)
        .map_err(|e| Problem::Invalid(e.to_string()))?;
    tracing::info!(
        "{}: source `{}`: read {}: {} shelters",
        input.city.file.display(),
        input.source.id,
        doc.location,
        shelters.len()
    );
    Ok(Value::Shelters(Arc::new(shelters)))
}

/// Whether a parsed message must be kept: it concerns one of `scopes`, or it cancels or corrects
/// a kept message (a JMA 取消 names no area; it refers to its series and EventID).
pub fn relevant<'a>(
    alerts: &[Alert],
    scopes: &[AreaScope],
    mut kept: impl Iterator<Item = &'a Alert>,
) -> bool {
    alerts.iter().any(|a| scopes.iter().any(|s| s.touches(a)))
        || alerts.iter().any(|a| {
            matches!(a.status, AlertStatus::Cancelled | AlertStatus::Corrected)
                && kept.any(|k| {
                    (k.series == a.series && k.event_id == a.event_id)
                        || a.replaces.contains(&k.message_id)
                })
        })
}

/// The scopes of cities, with the area trees they name read once.
#[derive(Default)]
pub struct Scopes {
    trees: Mutex<BTreeMap<PathBuf, Result<Arc<AreaTree>, String>>>,
}

impl Scopes {
    /// Where `city` is for alerts: its codes, with the parents of its municipalities when it
    /// names an area tree. `None` without an `[alerts]` table.
    pub fn of(&self, city: &CityConfig) -> Option<AreaScope> {
        let config = city.alerts.as_ref()?;
        let tree = config.area_tree.as_ref().and_then(|path| {
            let lock = || self.trees.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(known) = lock().get(path) {
                return known.as_ref().ok().cloned();
            }
            // Read and parsed (half a megabyte of JSON) without the lock held, so a feed
            // assembly or a poll asking for another city's scope meanwhile is not kept waiting;
            // two first askers may both parse it, once each.
            let parsed = std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|json| AreaTree::from_json(&json).map_err(|e| e.to_string()))
                .map(Arc::new)
                .map_err(|e| {
                    let message = format!(
                        "{}: `alerts.area_tree`: cannot read {}: {e}",
                        city.file.display(),
                        path.display()
                    );
                    tracing::error!("{message} (matching the listed codes only)");
                    message
                });
            lock()
                .entry(path.clone())
                .or_insert(parsed)
                .as_ref()
                .ok()
                .cloned()
        });
        let mut scope = AreaScope::default();
        for m in &config.municipalities {
            let code = AreaCode::new(m.clone());
            scope = match &tree {
                Some(tree) => tree
                    .scope(&code)
                    .codes
                    .into_iter()
                    .fold(scope, AreaScope::with),
                None => scope.with(code),
            };
        }
        for c in &config.codes {
            scope = scope.with(AreaCode::new(c.clone()));
        }
        Some(scope)
    }
}
