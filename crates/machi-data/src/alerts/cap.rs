//! OASIS CAP 1.2 (and 1.1, which has the same structure) → one [`Alert`] per message.
//!
//! Read with the same hardened quick-xml reader as JMA rather than the `oasiscap` crate: one XML
//! stack with one set of limits (size, depth, no DOCTYPE), and we need only the fields the alert
//! model keeps. Every `<info>` block contributes its language's headline and text; areas are
//! geocodes (`valueName:value`) plus polygons. `Update` and `Cancel` name the messages they replace
//! in `<references>` (`sender,identifier,sent` …), kept as `sender,identifier`.

use super::error::AlertError;
use super::model::*;
use super::xml::{self, time, Element, XmlDoc, XmlLimits};
use crate::text::LocalizedText;

/// The namespaces accepted for a CAP `<alert>`.
pub const CAP_NAMESPACES: [&str; 2] = [
    "urn:oasis:names:tc:emergency:cap:1.2",
    "urn:oasis:names:tc:emergency:cap:1.1",
];

/// Parses one CAP message with the default limits. `source` names it in errors.
pub fn parse_cap(bytes: &[u8], source: &str) -> Result<Alert, AlertError> {
    parse_cap_with(bytes, source, &XmlLimits::default())
}

/// Parses one CAP message under `limits`.
pub fn parse_cap_with(bytes: &[u8], source: &str, limits: &XmlLimits) -> Result<Alert, AlertError> {
    let doc = xml::parse(bytes, source, limits)?;
    doc.expect_root("alert", &CAP_NAMESPACES)?;
    let root = &doc.root;
    let req = |name: &str| -> Result<&str, AlertError> {
        root.text_at(&[name]).ok_or_else(|| {
            doc.err(
                &format!("alert/{name}"),
                Some(root),
                format!("missing <{name}>"),
            )
        })
    };
    let identifier = req("identifier")?;
    let sender = req("sender")?;
    let sent_el = root
        .child("sent")
        .ok_or_else(|| doc.err("alert/sent", Some(root), "missing <sent>"))?;
    let sent = time(&doc, sent_el, "alert/sent")?;
    let msg_type = req("msgType")?;
    let status = match msg_type {
        "Alert" => AlertStatus::Issued,
        "Update" => AlertStatus::Updated,
        "Cancel" => AlertStatus::Cancelled,
        other => {
            return Err(doc.err(
                "alert/msgType",
                root.child("msgType"),
                format!("not an alert: msgType {other}"),
            ))
        }
    };
    let test = req("status")? != "Actual";
    let replaces = root
        .text_at(&["references"])
        .map(|r| {
            r.split_whitespace()
                .filter_map(|t| {
                    let mut p = t.split(',');
                    Some(format!("{},{}", p.next()?, p.next()?))
                })
                .collect()
        })
        .unwrap_or_default();

    let mut alert = Alert {
        id: format!("{sender},{identifier}#0"),
        message_id: format!("{sender},{identifier}"),
        series: format!("cap:{sender}"),
        event_id: root.text_at(&["incidents"]).map(str::to_owned),
        issuer: sender.to_owned(),
        source_kind: AlertSourceKind::Cap,
        kind_code: String::new(),
        kind_name: String::new(),
        severity: Severity::Information,
        level: None,
        status,
        test,
        issued_at: sent,
        valid_until: None,
        areas: Vec::new(),
        polygons: Vec::new(),
        headline: LocalizedText::default(),
        original_text: LocalizedText::default(),
        replaces,
        earthquake: None,
        tsunami: Vec::new(),
    };
    for (n, info) in root.children_named("info").enumerate() {
        read_info(&doc, info, n == 0, &mut alert)?;
    }
    Ok(alert)
}

fn read_info(
    doc: &XmlDoc<'_>,
    info: &Element,
    first: bool,
    a: &mut Alert,
) -> Result<(), AlertError> {
    // CAP's default language is en-US; keys are primary language subtags like the app's catalogue.
    let lang = info.text_at(&["language"]).unwrap_or("en-US");
    let lang = lang.split('-').next().unwrap_or("en").to_ascii_lowercase();
    let event = info.text_at(&["event"]).unwrap_or_default();
    if first {
        a.kind_name = event.to_owned();
        a.kind_code = info
            .child("eventCode")
            .and_then(|c| {
                Some(format!(
                    "{}:{}",
                    c.text_at(&["valueName"])?,
                    c.text_at(&["value"])?
                ))
            })
            .unwrap_or_else(|| event.to_owned());
        if let Some(name) = info.text_at(&["senderName"]) {
            a.issuer = name.to_owned();
        }
    }
    let severity = match info.text_at(&["severity"]).unwrap_or_default() {
        "Extreme" => Severity::Special,
        "Severe" => Severity::Warning,
        "Moderate" => Severity::Advisory,
        _ => Severity::Information,
    };
    a.severity = a.severity.max(severity);
    if let Some(e) = info.child("expires") {
        let t = time(doc, e, "alert/info/expires")?;
        a.valid_until = Some(a.valid_until.map_or(t, |v| v.max(t)));
    }
    if let Some(h) = info.text_at(&["headline"]) {
        a.headline
            .0
            .entry(lang.clone())
            .or_insert_with(|| h.to_owned());
    }
    let text: Vec<&str> = ["description", "instruction"]
        .iter()
        .filter_map(|n| info.text_at(&[n]))
        .collect();
    if !text.is_empty() {
        a.original_text
            .0
            .entry(lang)
            .or_insert_with(|| text.join("\n\n"));
    }
    for area in info.children_named("area") {
        for g in area.children_named("geocode") {
            if let (Some(n), Some(v)) = (g.text_at(&["valueName"]), g.text_at(&["value"])) {
                let code = AreaCode::scoped(n, v);
                if !a.areas.contains(&code) {
                    a.areas.push(code);
                }
            }
        }
        for p in area
            .children_named("polygon")
            .filter(|p| !p.trimmed().is_empty())
        {
            let points = parse_polygon(p.trimmed()).ok_or_else(|| {
                doc.err(
                    "alert/info/area/polygon",
                    Some(p),
                    "bad polygon (expected lat,lon pairs)",
                )
            })?;
            a.polygons.push(points);
        }
    }
    Ok(())
}

/// `lat,lon lat,lon …` → points; `None` if any pair is malformed or there are fewer than 4.
fn parse_polygon(s: &str) -> Option<Vec<(f64, f64)>> {
    let pts: Option<Vec<(f64, f64)>> = s
        .split_whitespace()
        .map(|pair| {
            let (lat, lon) = pair.split_once(',')?;
            Some((lat.parse().ok()?, lon.parse().ok()?))
        })
        .collect();
    pts.filter(|p| p.len() >= 4)
}
