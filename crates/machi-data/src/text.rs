//! Text that exists in several languages: a city's name, an area's name, a source's title.
//!
//! Language tags are BCP 47 as used by the app's catalogue (`ja`, `en`, `ja-x-easy` …). Japanese is
//! the language every Japanese municipality publishes in, so it is the fallback of last resort.

use machi_i18n::{Lang, LangText};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The language every source is written in, and the last fallback when a translation is missing
/// (the catalogue's source language).
pub const SOURCE_LANGUAGE: &str = machi_i18n::SOURCE_CODE;

/// A text keyed by language tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LocalizedText(pub BTreeMap<String, String>);

impl LocalizedText {
    /// A text that exists only in the source language.
    pub fn ja(text: impl Into<String>) -> Self {
        let mut map = BTreeMap::new();
        map.insert(SOURCE_LANGUAGE.to_owned(), text.into());
        Self(map)
    }

    /// The text in `lang`, else in the first of `fallbacks` that has it, else in Japanese, else any.
    pub fn get<'a>(&'a self, lang: &str, fallbacks: &[&str]) -> &'a str {
        self.get_in(lang, fallbacks).map_or("", |(text, _)| text)
    }

    /// Like [`LocalizedText::get`], with the language tag of the text found.
    pub fn get_in<'a>(&'a self, lang: &str, fallbacks: &[&str]) -> Option<(&'a str, &'a str)> {
        std::iter::once(lang)
            .chain(fallbacks.iter().copied())
            .chain(std::iter::once(SOURCE_LANGUAGE))
            .find_map(|l| self.0.get_key_value(l))
            .or_else(|| self.0.iter().next())
            .map(|(tag, text)| (text.as_str(), tag.as_str()))
    }

    /// The text for a resident reading `lang` (through its fallbacks), with the language it is in.
    pub fn in_lang(&self, lang: Lang) -> LangText<'_> {
        let (text, tag) = self
            .get_in(lang.code(), lang.data_fallbacks())
            .unwrap_or(("", SOURCE_LANGUAGE));
        LangText {
            text: text.into(),
            html_lang: Lang::html_lang_of(tag),
        }
    }

    /// The original (Japanese) text, if the source gave one.
    pub fn original(&self) -> Option<&str> {
        self.0.get(SOURCE_LANGUAGE).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|v| v.trim().is_empty())
    }

    /// Left out of the JSON feed when empty (never of the postcard one: see `crate::wire`).
    pub(crate) fn unset(&self) -> bool {
        crate::wire::omit(self.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> LocalizedText {
        let mut m = BTreeMap::new();
        m.insert("ja".into(), "北地区".into());
        m.insert("en".into(), "North".into());
        LocalizedText(m)
    }

    #[test]
    fn picks_the_asked_language() {
        assert_eq!(sample().get("en", &[]), "North");
    }

    #[test]
    fn falls_back_through_the_chain_then_to_japanese() {
        assert_eq!(sample().get("vi", &["fr"]), "北地区");
        assert_eq!(sample().get("ja-x-easy", &["ja"]), "北地区");
    }

    #[test]
    fn the_text_found_knows_its_language() {
        let en = Lang::from_code("en").unwrap();
        let easy = Lang::from_code("ja-x-easy").unwrap();
        assert_eq!(sample().in_lang(en).lang_attr(en), None);
        let ja = LocalizedText::ja("北地区");
        assert_eq!(ja.in_lang(en).text, "北地区");
        assert_eq!(ja.in_lang(en).lang_attr(en), Some("ja"));
        assert_eq!(ja.in_lang(easy).lang_attr(easy), None);
    }

    #[test]
    fn an_empty_text_gives_an_empty_string_not_a_panic() {
        assert_eq!(LocalizedText::default().get("en", &[]), "");
    }
}
