//! 新着情報 news feeds — RSS 1.0 (RDF, as 総務省 publishes it, in Shift_JIS), RSS 2.0 and Atom —
//! into notices of meetings: the items the city's [`MeetingRules`] call meetings, each a title and
//! a link to the page, with the meeting's date only when the item's text states one ("12月15日");
//! a date is never made up from when the notice was published.
//!
//! Read with the alerts module's hardened XML reader (size, depth and element caps, no DOCTYPE or
//! entities), after decoding Shift_JIS or UTF-8.

use super::classify::{body_from_title, body_kind, MeetingRules};
use super::error::MeetingError;
use super::expand::body_id;
use super::model::Notice;
use super::set::MeetingSet;
use crate::alerts::xml::{self, Element, XmlLimits};
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

/// Reads a news feed; `source` names it in errors, `source_id` is the city's source id the
/// notices carry.
pub fn parse_news(
    bytes: &[u8],
    source: &str,
    source_id: &str,
    rules: &MeetingRules,
) -> Result<MeetingSet, MeetingError> {
    let limits = XmlLimits::default();
    if bytes.len() > limits.max_bytes {
        return Err(MeetingError::new(
            source,
            format!(
                "the feed is {} bytes, over the limit of {}",
                bytes.len(),
                limits.max_bytes
            ),
        ));
    }
    let text = crate::encoding::decode(bytes).text;
    let doc = xml::parse(text.as_bytes(), source, &limits).map_err(|e| {
        let mut m = MeetingError::new(source, e.message.clone());
        m.line = e.line.map(u64::from);
        if !e.path.is_empty() {
            m.field = Some(e.path);
        }
        m
    })?;
    let root = &doc.root;
    let items: Vec<&Element> = match root.name.as_str() {
        // RSS 1.0: items are the root's children; RSS 2.0: the channel's; Atom: entries.
        "RDF" => root.children_named("item").collect(),
        "rss" => root
            .child("channel")
            .map(|c| c.children_named("item").collect())
            .unwrap_or_default(),
        "feed" => root.children_named("entry").collect(),
        other => {
            return Err(MeetingError::new(
                source,
                format!("<{other}> is not an RSS 1.0, RSS 2.0 or Atom feed"),
            )
            .at_line(u64::from(doc.line(root.pos))))
        }
    };
    let mut set = MeetingSet::default();
    for item in items {
        let Some(title) = item.text_at(&["title"]).map(str::to_owned) else {
            continue;
        };
        let category = item
            .children_named("category")
            .map(|c| c.attr("term").unwrap_or(c.trimmed()).to_owned())
            .chain(item.text_at(&["subject"]).map(str::to_owned))
            .collect::<Vec<_>>()
            .join("、");
        if !rules.is_meeting(&title, (!category.is_empty()).then_some(category.as_str())) {
            continue;
        }
        let link = item
            .children_named("link")
            .find(|l| l.attr("rel").is_none_or(|r| r == "alternate"))
            .map(|l| l.attr("href").unwrap_or(l.trimmed()).to_owned())
            .or_else(|| item.attr("about").map(str::to_owned))
            .filter(|l| super::ical::is_web(l));
        let Some(url) = link else { continue };
        let published = ["date", "pubDate", "published", "updated"]
            .iter()
            .find_map(|n| item.text_at(&[n]))
            .and_then(published_at);
        let description = ["description", "summary", "content"]
            .iter()
            .find_map(|n| item.text_at(&[n]))
            .unwrap_or_default();
        let date = date_in(&title, published).or_else(|| date_in(description, published));
        let body = body_from_title(&title);
        if let Some(name) = &body {
            if !set.notice_bodies.iter().any(|(n, _)| n == name) {
                set.notice_bodies.push((name.clone(), body_kind(name)));
            }
        }
        set.notices.push(Notice {
            title,
            url,
            published,
            date,
            body: body.as_deref().map(body_id),
            source: source_id.to_owned(),
        });
    }
    Ok(set)
}

/// An RSS 1.0 / Atom date (RFC 3339) or an RSS 2.0 one (RFC 2822).
fn published_at(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim())
        .or_else(|_| DateTime::parse_from_rfc2822(s.trim()))
        .ok()
}

/// The first date a text states: `2026年12月15日`, `令和8年12月15日`, or `12月15日` — whose year is
/// the one that puts it nearest after the notice was published (a notice announces what comes;
/// up to two months back is allowed for reports of a past meeting). Without a year and without a
/// publication date there is no date.
fn date_in(text: &str, published: Option<DateTime<FixedOffset>>) -> Option<NaiveDate> {
    let text: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            c => c,
        })
        .collect();
    let mut search = text.as_str();
    while let Some(i) = search.find('月') {
        let before = &search[..i];
        let after = &search[i + '月'.len_utf8()..];
        let month_digits: String = before
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let day_digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        let is_day = after[day_digits.len()..].starts_with('日');
        if let (Ok(month), Ok(day), true) = (
            month_digits.parse::<u32>(),
            day_digits.parse::<u32>(),
            is_day,
        ) {
            let head = &before[..before.len() - month_digits.len()];
            let year = head.strip_suffix('年').and_then(|h| {
                let digits: String = h
                    .chars()
                    .rev()
                    .take_while(char::is_ascii_digit)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let n: i32 = digits.parse().ok()?;
                let era = &h[..h.len() - digits.len()];
                if era.ends_with("令和") {
                    n.checked_add(2018)
                } else if era.ends_with("平成") {
                    n.checked_add(1988)
                } else {
                    Some(n)
                }
            });
            let found = match (year, published) {
                // Four digits at most: a notice's date is moved by the demo's shift.
                (Some(y), _) if y > 9999 => None,
                (Some(y), _) => NaiveDate::from_ymd_opt(y, month, day),
                (None, Some(p)) => {
                    let p = p.date_naive();
                    [p.year(), p.year() + 1]
                        .into_iter()
                        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
                        .find(|d| (*d - p).num_days() >= -62)
                }
                (None, None) => None,
            };
            if found.is_some() {
                return found;
            }
        }
        search = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_never_invented() {
        let published = published_at("2021-07-19T05:00:00+09:00");
        let d = |s: &str| s.parse::<NaiveDate>().ok();
        assert_eq!(
            date_in("第5回審議会（7月26日開催）", published),
            d("2021-07-26")
        );
        assert_eq!(date_in("１月１２日に開催", published), d("2022-01-12"));
        assert_eq!(date_in("令和3年8月2日", None), d("2021-08-02"));
        assert_eq!(
            date_in("電気通信紛争処理委員会（第213回）の開催について", published),
            None
        );
        assert_eq!(date_in("7月26日", None), None);
        // An era year that overflows, and one past four digits, are no date.
        assert_eq!(date_in("令和2147483647年1月1日", None), None);
        assert_eq!(date_in("262143年12月31日", None), None);
    }

    #[test]
    fn rss2_and_atom_items_become_notices() {
        let rules = MeetingRules::default();
        let rss = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
            <item><title>都市計画審議会の開催（12月15日）</title><link>https://city.example/a</link>
            <pubDate>Mon, 30 Nov 2026 09:00:00 +0900</pubDate></item>
            <item><title>成人式</title><link>https://city.example/b</link></item></channel></rss>"#;
        let set = parse_news(rss.as_bytes(), "news.xml", "news", &rules).unwrap();
        assert_eq!(set.notices.len(), 1);
        assert_eq!(set.notices[0].date, "2026-12-15".parse().ok());
        assert_eq!(set.notice_bodies[0].0, "都市計画審議会");
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>第2回 協議会</title>
            <link rel="alternate" href="https://city.example/c"/><updated>2026-11-30T00:00:00Z</updated></entry></feed>"#;
        let set = parse_news(atom.as_bytes(), "a.xml", "news", &rules).unwrap();
        assert_eq!(set.notices[0].url, "https://city.example/c");
        assert_eq!(set.notices[0].date, None);
        let err = parse_news(b"<html/>", "x.xml", "news", &rules).unwrap_err();
        assert!(err.message.contains("not an RSS"), "{err}");
    }
}
