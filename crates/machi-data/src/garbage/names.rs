//! What a garbage category is called in a resident's language: one answer for the app's views,
//! the hub's reminders and the `.ics` export.
//!
//! The city's label is the original and is what Japanese shows. Another language shows the
//! catalogue's names of the category's kinds (`[names.garbage]`), joined its own way
//! (`kinds_separator`, `kinds_last`) for a label naming several; when the language (and its
//! fallbacks) cannot name every kind, the city's label is shown, marked as Japanese.

use super::model::Category;
use machi_i18n::{fill, raw, Lang, LangText, Msg, Names};

/// The category's name for `lang`, with the language it is in (see the module doc).
pub fn category_name(category: &Category, lang: Lang) -> LangText<'_> {
    for l in lang.fallback_chain().filter(|l| !l.is_source()) {
        if let Some(text) = kind_names(category, l) {
            return LangText {
                text: capitalise_first(&text).into(),
                html_lang: l.catalogue().html_lang,
            };
        }
    }
    category.label.in_lang(lang)
}

/// The names of the category's kinds in `lang`'s own words: "A", "A and B", "A, B and C"; `None`
/// when the category has no kind or `lang` cannot name one of them. (A loop rather than
/// collecting and joining: this is in the app's wasm, where each collect and join costs.)
fn kind_names(category: &Category, lang: Lang) -> Option<String> {
    let mut list = String::new();
    let mut last: Option<&str> = None;
    for kind in category.kinds() {
        let name = lang.name(Names::Garbage.get(kind)?)?;
        if let Some(before) = last.replace(name) {
            if !list.is_empty() {
                list.push_str(raw(lang, Msg::KindsSeparator));
            }
            list.push_str(before);
        }
    }
    let last = last?;
    Some(if list.is_empty() {
        last.to_owned()
    } else {
        fill(
            raw(lang, Msg::KindsLast),
            &[("list", &list), ("last", last)],
        )
    })
}

/// The name with a capital first letter (names are written as in the middle of a sentence).
/// ASCII only: Unicode's case tables would cost the app about 10 KB of wasm, and a translator
/// whose language starts with another letter writes the name as it should stand first.
fn capitalise_first(name: &str) -> String {
    let mut out = name.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LocalizedText;

    fn lang(code: &str) -> Lang {
        Lang::from_code(code).unwrap()
    }

    fn category(label: &str, kinds: &[&str]) -> Category {
        let (kind, kinds) = match kinds {
            [one] => (Some((*one).to_owned()), vec![]),
            many => (None, many.iter().map(|k| (*k).to_owned()).collect()),
        };
        Category {
            id: "c".into(),
            label: LocalizedText::ja(label),
            kind,
            kinds,
            ..Category::default()
        }
    }

    #[test]
    fn japanese_shows_the_city_s_label_and_other_languages_the_kind() {
        let c = category("可燃ごみ", &["burnable"]);
        assert_eq!(category_name(&c, lang("ja")).text, "可燃ごみ");
        let en = category_name(&c, lang("en"));
        assert_eq!(en.text, "Burnable waste");
        assert_eq!(en.lang_attr(lang("en")), None);
        assert_eq!(
            category_name(&c, lang("ja-x-easy")).text,
            "[燃|も]やす ごみ"
        );
    }

    #[test]
    fn joined_labels_are_named_kind_by_kind() {
        let c = category(
            "缶・びん・ペットボトル",
            &["cans", "bottles", "pet-bottles"],
        );
        assert_eq!(
            category_name(&c, lang("en")).text,
            "Cans, glass bottles and PET bottles"
        );
        assert_eq!(
            category_name(&c, lang("ja-x-easy")).text,
            "かん・びん・ペットボトル"
        );
        let c = category("雑誌・雑紙", &["magazines", "mixed-paper"]);
        assert_eq!(
            category_name(&c, lang("en")).text,
            "Magazines and mixed paper"
        );
    }

    #[test]
    fn an_unknown_label_stays_the_city_s_japanese_marked_so() {
        let c = category("市で収集しない", &[]);
        let en = category_name(&c, lang("en"));
        assert_eq!(en.text, "市で収集しない");
        assert_eq!(en.lang_attr(lang("en")), Some("ja"));
    }
}
