//! Which rows of an event list are meetings, which body a meeting belongs to, and what kind of
//! body that is — from the words that name them (審議会, 委員会 …).
//!
//! Matching is by plain substrings a clerk can write in the city file (`[meetings] match`,
//! `exclude`, `categories`), not regular expressions: "審議会" is what the city means, and a
//! mistyped pattern can only match too little, never everything.

use super::model::BodyKind;

/// Which entries of an event list or news feed are meetings.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MeetingRules {
    /// A title containing one of these is a meeting …
    pub include: Vec<String>,
    /// … as is an entry whose category (イベント種類) is one of these …
    pub categories: Vec<String>,
    /// … unless its title contains one of these (委員の募集 is not a meeting).
    pub exclude: Vec<String>,
}

impl Default for MeetingRules {
    fn default() -> Self {
        MeetingRules {
            include: ["本会議", "委員会", "審議会", "協議会", "議会"]
                .map(String::from)
                .to_vec(),
            categories: Vec::new(),
            exclude: ["募集", "公募"].map(String::from).to_vec(),
        }
    }
}

impl MeetingRules {
    /// Whether an entry with this title (and category, if the source has them) is a meeting.
    pub fn is_meeting(&self, title: &str, category: Option<&str>) -> bool {
        if self.exclude.iter().any(|x| title.contains(x.as_str())) {
            return false;
        }
        let by_category = category.is_some_and(|c| {
            c.split(['、', ',', '/', ';'])
                .any(|c| self.categories.iter().any(|w| w == c.trim()))
        });
        by_category || self.include.iter().any(|w| title.contains(w.as_str()))
    }
}

/// Words that end the name of a body, longest first within each kind.
const JA_WORDS: &[(&str, BodyKind)] = &[
    ("本会議", BodyKind::Plenary),
    ("委員会", BodyKind::Committee),
    ("分科会", BodyKind::Committee),
    ("部会", BodyKind::Committee),
    ("審議会", BodyKind::Council),
    ("協議会", BodyKind::Conference),
    ("懇談会", BodyKind::Meeting),
    ("懇話会", BodyKind::Meeting),
    ("検討会", BodyKind::Meeting),
    ("会議", BodyKind::Meeting),
    ("議会", BodyKind::Assembly),
];

/// The kind of body a name says it is: the last body word of a Japanese name (議会運営委員会 is a
/// committee), or English and German words; a name with none is a meeting.
pub fn body_kind(name: &str) -> BodyKind {
    if let Some((_, kind)) = last_word(name) {
        return kind;
    }
    let lower = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["committee", "ausschuss", "subcommittee"]) {
        BodyKind::Committee
    } else if has(&[
        "city council",
        "board of commissioners",
        "rat der stadt",
        "stadtrat",
        "gemeinderat",
    ]) {
        BodyKind::Assembly
    } else if has(&["commission", "board", "council", "beirat"]) {
        BodyKind::Council
    } else {
        BodyKind::Meeting
    }
}

/// The kind a clerk wrote in a kind column (本会議, 委員会 … or their English names).
pub fn kind_from_word(word: &str) -> Option<BodyKind> {
    let w = word.trim();
    let kind = match w.to_lowercase().as_str() {
        "本会議" | "plenary" => BodyKind::Plenary,
        "委員会" | "部会" | "分科会" | "committee" => BodyKind::Committee,
        "審議会" | "council" => BodyKind::Council,
        "協議会" | "conference" => BodyKind::Conference,
        "会議" | "懇談会" | "懇話会" | "検討会" | "meeting" => BodyKind::Meeting,
        "議会" | "assembly" => BodyKind::Assembly,
        _ => return None,
    };
    Some(kind)
}

/// The last body word in `text`: its end (byte offset) and kind. Found by scanning once from the
/// end, so the word ending last wins (議会運営委員会 → 委員会), the longest at that end first.
fn last_word(text: &str) -> Option<(usize, BodyKind)> {
    let mut best: Option<(usize, BodyKind)> = None;
    for (word, kind) in JA_WORDS {
        if let Some(i) = text.rfind(word) {
            let end = i + word.len();
            // At the same end, the first (longer, more specific) word in the table wins.
            if best.is_none_or(|(e, _)| end > e) {
                best = Some((end, *kind));
            }
        }
    }
    best
}

/// The body a meeting's title names, for sources without a body column: the title up to its last
/// body word, without leading session numbers and years (令和8年度, 第3回, 【…】); an English title
/// up to a colon ("Budget Committee: Meeting"). `None` when the title names no body.
pub fn body_from_title(title: &str) -> Option<String> {
    let t = title.trim();
    if let Some((end, _)) = last_word(t) {
        let name = strip_session(&t[..end]);
        return (!name.is_empty()).then(|| name.to_owned());
    }
    let (head, _) = t.split_once(": ").or_else(|| t.split_once('：'))?;
    let head = head.trim();
    (!head.is_empty()).then(|| head.to_owned())
}

/// Drops what numbers a session rather than names a body: leading years (令和8年度, 2026年),
/// ordinals (第3回), bracketed labels (【再掲】) and spaces, repeatedly; and a trailing bracket
/// with an ordinal.
fn strip_session(name: &str) -> &str {
    let mut s = name.trim_matches(|c: char| c.is_whitespace() || c == '　');
    loop {
        let before = s;
        for era in ["令和", "平成"] {
            if let Some(rest) = s.strip_prefix(era) {
                s = skip_number_then(rest, &["年度", "年"]).unwrap_or(s);
            }
        }
        if s.starts_with(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c)) {
            s = skip_number_then(s, &["年度", "年"]).unwrap_or(s);
        }
        if let Some(rest) = s.strip_prefix('第') {
            s = skip_number_then(rest, &["回", "期"]).unwrap_or(s);
        }
        for (open, close) in [
            ('【', '】'),
            ('［', '］'),
            ('[', ']'),
            ('（', '）'),
            ('(', ')'),
        ] {
            if let Some(rest) = s.strip_prefix(open) {
                if let Some(i) = rest.find(close) {
                    s = &rest[i + close.len_utf8()..];
                }
            }
        }
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '　' || c == '・');
        if s == before {
            return s;
        }
    }
}

/// After digits (ASCII, full-width or kanji numerals), one of `units`: the rest, else `None`.
fn skip_number_then<'a>(s: &'a str, units: &[&str]) -> Option<&'a str> {
    let digits = s
        .char_indices()
        .find(|(_, c)| {
            !(c.is_ascii_digit()
                || ('０'..='９').contains(c)
                || "元一二三四五六七八九十".contains(*c))
        })
        .map_or(s.len(), |(i, _)| i);
    if digits == 0 {
        return None;
    }
    units.iter().find_map(|u| s[digits..].strip_prefix(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_named_by_their_last_body_word() {
        let cases = [
            (
                "令和8年度第2回高松市都市計画審議会",
                Some("高松市都市計画審議会"),
            ),
            (
                "電気通信紛争処理委員会（第213回）の開催について",
                Some("電気通信紛争処理委員会"),
            ),
            (
                "第3回 まち市子ども・子育て会議",
                Some("まち市子ども・子育て会議"),
            ),
            ("【中止】第1回議会運営委員会", Some("議会運営委員会")),
            (
                "Public Health and Safety Standing Committee: Meeting",
                Some("Public Health and Safety Standing Committee"),
            ),
            ("Rat der Stadt Iserlohn", None),
            ("今昔まちあるきツアー", None),
        ];
        for (title, body) in cases {
            assert_eq!(body_from_title(title).as_deref(), body, "{title}");
        }
    }

    #[test]
    fn kinds_come_from_the_words() {
        assert_eq!(body_kind("議会運営委員会"), BodyKind::Committee);
        assert_eq!(body_kind("まち市議会 本会議"), BodyKind::Plenary);
        assert_eq!(body_kind("都市計画審議会"), BodyKind::Council);
        assert_eq!(body_kind("地域公共交通協議会"), BodyKind::Conference);
        assert_eq!(body_kind("子ども・子育て会議"), BodyKind::Meeting);
        assert_eq!(body_kind("まち市議会"), BodyKind::Assembly);
        assert_eq!(body_kind("Rat der Stadt Iserlohn"), BodyKind::Assembly);
        assert_eq!(body_kind("City Council Formal Session"), BodyKind::Assembly);
        assert_eq!(
            body_kind("Budget, Finance And Audit Standing Committee"),
            BodyKind::Committee
        );
        assert_eq!(body_kind("Civil Service Commission"), BodyKind::Council);
        assert_eq!(kind_from_word("審議会"), Some(BodyKind::Council));
        assert_eq!(kind_from_word("Plenary"), Some(BodyKind::Plenary));
        assert_eq!(kind_from_word("祭り"), None);
    }

    #[test]
    fn recruitment_is_not_a_meeting() {
        let rules = MeetingRules::default();
        assert!(rules.is_meeting("高松市都市計画審議会", None));
        assert!(!rules.is_meeting("高松市スポーツ推進審議会委員の公募について", None));
        assert!(!rules.is_meeting("中小企業振興審議会委員募集", None));
        assert!(!rules.is_meeting("今昔まちあるきツアー", None));
        let rules = MeetingRules {
            categories: vec!["会議".into()],
            ..MeetingRules::default()
        };
        assert!(rules.is_meeting("第2回検討の場", Some("子育て・教育、会議")));
        assert!(!rules.is_meeting("第2回検討の場", Some("子育て・教育")));
    }
}
