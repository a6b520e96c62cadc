//! JMA Atom feeds (regular.xml, extra.xml, eqvol.xml, other.xml) → entries, so the hub fetches each
//! message once: the entry id is stable per message and becomes the message id.

use super::error::AlertError;
use super::xml::{self, XmlLimits};
use chrono::{DateTime, FixedOffset};

/// The Atom namespace.
pub const ATOM_NAMESPACE: &str = "http://www.w3.org/2005/Atom";

/// One entry of a JMA Atom feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The entry id: the message's URL on JMA's server, and Machi's message id.
    pub id: String,
    /// The product title (`気象特別警報・警報・注意報`, `震源・震度に関する情報` …).
    pub title: String,
    pub updated: DateTime<FixedOffset>,
    /// Where to fetch the message (the `<link>` href, usually equal to the id).
    pub link: String,
    /// The issuing office (`気象庁`, `東京管区気象台` …).
    pub author: String,
    /// The short summary JMA puts in `<content>`.
    pub content: String,
}

/// Parses an Atom feed with the default limits.
pub fn parse_atom_feed(bytes: &[u8], source: &str) -> Result<Vec<FeedEntry>, AlertError> {
    parse_atom_feed_with(bytes, source, &XmlLimits::default())
}

/// Parses an Atom feed under `limits`.
pub fn parse_atom_feed_with(
    bytes: &[u8],
    source: &str,
    limits: &XmlLimits,
) -> Result<Vec<FeedEntry>, AlertError> {
    let doc = xml::parse(bytes, source, limits)?;
    doc.expect_root("feed", &[ATOM_NAMESPACE])?;
    let mut out = Vec::new();
    for entry in doc.root.children_named("entry") {
        let id = entry
            .text_at(&["id"])
            .ok_or_else(|| doc.err("feed/entry/id", Some(entry), "entry without id"))?;
        let updated_el = entry
            .child("updated")
            .ok_or_else(|| doc.err("feed/entry/updated", Some(entry), "entry without updated"))?;
        let updated = DateTime::parse_from_rfc3339(updated_el.trimmed()).map_err(|e| {
            doc.err(
                "feed/entry/updated",
                Some(updated_el),
                format!("bad date-time: {e}"),
            )
        })?;
        let link = entry
            .children_named("link")
            .find(|l| l.attr("rel").is_none_or(|r| r == "alternate"))
            .and_then(|l| l.attr("href"))
            .unwrap_or(id);
        out.push(FeedEntry {
            id: id.to_owned(),
            title: entry.text_at(&["title"]).unwrap_or_default().to_owned(),
            updated,
            link: link.to_owned(),
            author: entry
                .text_at(&["author", "name"])
                .unwrap_or_default()
                .to_owned(),
            content: entry.text_at(&["content"]).unwrap_or_default().to_owned(),
        });
    }
    Ok(out)
}
