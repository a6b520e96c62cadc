//! What an alert and its codes are called in a resident's language: one answer for the app's
//! cards and the hub's notifications, so the two can never name a warning differently.
//!
//! Names come from the catalogue's `[names.*]` (JMA's Japanese, and each language's translations);
//! a language without a translation shows JMA's Japanese, with its furigana where it has
//! `[readings]`, and says so through [`LangText::html_lang`] (the app marks it `lang="ja"`). No
//! machine translation: what has no code keeps the source's own words.

use super::model::{Alert, AlertSourceKind, Intensity};
use machi_i18n::{name_text, source_text, Lang, LangText, Name, Names};

/// Codes that are named as another code: 53 (大津波警報：発表, newly issued) is a 大津波警報 like 52,
/// and the status word already says it was issued; 72 and 73 (津波予報 after a lifted advisory or
/// warning) are the same 津波予報（若干の海面変動） as 71.
const TSUNAMI_ALIASES: [(&str, &str); 3] = [("53", "52"), ("72", "71"), ("73", "71")];

/// The catalogue name of a JMA warning kind: the R06 level-named table first for R06 messages,
/// then the H27 one (R06 shares the other codes).
pub fn weather_warning_name(code: &str, r06: bool) -> Option<Name> {
    r06.then(|| Names::JmaWarningR06.get(code))
        .flatten()
        .or_else(|| Names::JmaWarning.get(code))
}

/// The catalogue name of a JMA tsunami category code.
pub fn tsunami_name(code: &str) -> Option<Name> {
    let code = TSUNAMI_ALIASES
        .iter()
        .find(|(alias, _)| *alias == code)
        .map_or(code, |(_, named_as)| named_as);
    Names::Tsunami.get(code)
}

/// The catalogue name of the alert's kind, when its source and code have one.
fn kind_code_name(alert: &Alert) -> Option<Name> {
    let code = alert.kind_code.as_str();
    match alert.source_kind {
        AlertSourceKind::JmaWeatherWarningH27 => weather_warning_name(code, false),
        AlertSourceKind::JmaWeatherWarningR06 => weather_warning_name(code, true),
        AlertSourceKind::JmaTsunami => tsunami_name(code),
        AlertSourceKind::JmaEarthquake | AlertSourceKind::JmaEew => {
            Names::EarthquakeReport.get(code)
        }
        AlertSourceKind::JmaTsunamiInfo
        | AlertSourceKind::JmaInformation
        | AlertSourceKind::Cap => None,
    }
}

/// The kind's name ("Level 3 heavy rain warning", "レベル３大雨警報"): the catalogue's name of its
/// code; for CAP, which carries its own languages, the headline in the resident's language (or a
/// fallback); else the source's own Japanese name (JMA products without a code), or the code.
pub fn kind_name(alert: &Alert, lang: Lang) -> LangText<'_> {
    if let Some(name) = kind_code_name(alert) {
        return name_text(lang, name);
    }
    if alert.source_kind == AlertSourceKind::Cap {
        let headline = alert.headline.in_lang(lang);
        if !headline.text.is_empty() {
            return headline;
        }
        return LangText {
            text: alert.kind_name.as_str().into(),
            html_lang: Lang::SOURCE.catalogue().html_lang,
        };
    }
    let own = if alert.kind_name.is_empty() {
        &alert.kind_code
    } else {
        &alert.kind_name
    };
    source_text(lang, own)
}

/// A seismic intensity's name ("Seismic intensity 5 lower", "震度5弱").
pub fn intensity_name(intensity: Intensity, lang: Lang) -> LangText<'static> {
    match Names::Intensity.get(intensity.token()) {
        Some(name) => name_text(lang, name),
        // Every token has a name (tested); this keeps a new token readable anyway.
        None => LangText {
            text: intensity.token().into(),
            html_lang: Lang::SOURCE.catalogue().html_lang,
        },
    }
}

/// A tsunami category's name for a forecast area, or `None` for a code the catalogue lacks.
pub fn tsunami_category_name(code: &str, lang: Lang) -> Option<LangText<'static>> {
    tsunami_name(code).map(|name| name_text(lang, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Severity;
    use crate::text::LocalizedText;

    fn lang(code: &str) -> Lang {
        Lang::from_code(code).unwrap()
    }

    fn alert(source_kind: AlertSourceKind, kind_code: &str, kind_name: &str) -> Alert {
        serde_json::from_value(serde_json::json!({
            "id": "m#0", "message_id": "m", "series": "s", "issuer": "気象庁",
            "source_kind": source_kind, "kind_code": kind_code, "kind_name": kind_name,
            "severity": Severity::Warning, "status": "issued",
            "issued_at": "2026-12-02T11:17:00+09:00", "areas": [],
            "headline": {}, "original_text": {},
        }))
        .unwrap()
    }

    #[test]
    fn r06_table_wins_over_h27_for_r06_messages() {
        let ja = |n: Option<Name>| n.unwrap().source_text();
        assert_eq!(ja(weather_warning_name("03", true)), "レベル３大雨警報");
        assert_eq!(ja(weather_warning_name("03", false)), "大雨警報");
        assert_eq!(ja(weather_warning_name("14", true)), "雷注意報");
    }

    #[test]
    fn every_intensity_token_has_a_name() {
        for i in Intensity::ALL {
            assert!(Names::Intensity.get(i.token()).is_some(), "{}", i.token());
        }
        assert_eq!(
            intensity_name(Intensity::ALL[5], lang("ja")).text,
            "震度5弱"
        );
    }

    #[test]
    fn a_coded_kind_is_named_in_english_japanese_and_easy_japanese() {
        let a = alert(
            AlertSourceKind::JmaWeatherWarningR06,
            "03",
            "レベル３大雨警報",
        );
        let en = kind_name(&a, lang("en"));
        assert_eq!(en.text, "Level 3 heavy rain warning");
        assert_eq!(en.lang_attr(lang("en")), None);
        assert_eq!(kind_name(&a, lang("ja")).text, "レベル３大雨警報");
        let easy = kind_name(&a, lang("ja-x-easy"));
        assert_eq!(easy.text, "レベル３[大雨|おおあめ][警報|けいほう]");
        assert_eq!(easy.lang_attr(lang("ja-x-easy")), None);
        assert_eq!(
            kind_name(
                &alert(AlertSourceKind::JmaWeatherWarningH27, "33", "大雨特別警報"),
                lang("ja-x-easy")
            )
            .text,
            "[大雨|おおあめ][特別警報|とくべつけいほう]"
        );
    }

    #[test]
    fn tsunami_53_is_named_as_the_major_tsunami_warning_it_is() {
        let a = alert(AlertSourceKind::JmaTsunami, "53", "大津波警報：発表");
        assert_eq!(kind_name(&a, lang("ja")).text, "大津波警報");
        assert_eq!(kind_name(&a, lang("en")).text, "Major tsunami warning");
        assert_eq!(
            tsunami_category_name("73", lang("en")).unwrap().text,
            "Tsunami forecast (slight sea-level change)"
        );
    }

    #[test]
    fn a_product_without_a_code_keeps_jma_s_name_marked_japanese() {
        let a = alert(AlertSourceKind::JmaInformation, "x", "土砂災害警戒情報");
        let en = kind_name(&a, lang("en"));
        assert_eq!(en.text, "土砂災害警戒情報");
        assert_eq!(en.lang_attr(lang("en")), Some("ja"));
        assert_eq!(
            kind_name(&a, lang("ja-x-easy")).text,
            "[土砂災害|どしゃさいがい]警戒[情報|じょうほう]"
        );
    }

    #[test]
    fn cap_names_come_from_the_headline_in_the_resident_s_language() {
        let mut a = alert(AlertSourceKind::Cap, "FLW", "Flood Warning");
        a.headline = LocalizedText::ja("洪水警報");
        let en = kind_name(&a, lang("en"));
        assert_eq!(
            (en.text.as_ref(), en.lang_attr(lang("en"))),
            ("洪水警報", Some("ja"))
        );
        a.headline
            .0
            .insert("en".into(), "Flood warning for the river".into());
        assert_eq!(
            kind_name(&a, lang("en")).text,
            "Flood warning for the river"
        );
        a.headline = LocalizedText::default();
        assert_eq!(kind_name(&a, lang("en")).text, "Flood Warning");
    }
}
