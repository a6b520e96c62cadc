//! The notification texts: the app's own catalogue (`i18n/*.toml`, keys `push_*`), embedded with
//! `include_str!` so the app and the hub share one catalogue. A key missing in a language falls
//! back to Japanese, as in the app; ruby markup (`[漢字|かんじ]`) is reduced to its base text,
//! since a notification cannot show ruby.

use std::collections::HashMap;
use std::sync::LazyLock;

const FILES: &[(&str, &str)] = &[
    ("ja", include_str!("../../../../i18n/ja.toml")),
    ("en", include_str!("../../../../i18n/en.toml")),
    ("ja-x-easy", include_str!("../../../../i18n/ja-x-easy.toml")),
];

const SOURCE: &str = "ja";

static CATALOGUE: LazyLock<HashMap<&'static str, HashMap<String, String>>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(lang, text)| {
            // The app's build.rs refuses a catalogue that does not parse, so this cannot fail in
            // a built tree; a unit test checks it too.
            let doc: toml::Table = toml::from_str(text).expect("the i18n catalogue parses");
            let messages = doc
                .get("messages")
                .and_then(|m| m.as_table())
                .map(|t| {
                    t.iter()
                        .filter(|(k, _)| k.starts_with("push_"))
                        .filter_map(|(k, v)| Some((k.clone(), strip_ruby(v.as_str()?))))
                        .collect()
                })
                .unwrap_or_default();
            (*lang, messages)
        })
        .collect()
});

/// The languages a subscriber may choose: those with a catalogue file.
pub fn languages() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(lang, _)| *lang)
}

pub fn is_language(lang: &str) -> bool {
    languages().any(|l| l == lang)
}

/// The text of `key` in `lang` (or Japanese), with `{name}` placeholders filled.
pub fn text(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    let template = [lang, SOURCE]
        .iter()
        .find_map(|l| CATALOGUE.get(l).and_then(|m| m.get(key)))
        .map(String::as_str)
        .unwrap_or(key);
    let mut out = template.to_owned();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// `[漢字|かんじ]` → `漢字`; other text unchanged.
pub fn strip_ruby(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close) => {
                let inner = &after[..close];
                out.push_str(inner.split('|').next().unwrap_or(inner));
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_the_push_keys_and_ruby_is_stripped() {
        for lang in languages() {
            let t = text(lang, "push_alert_lifted", &[("area", "A"), ("kind", "K")]);
            assert!(t.contains('A') && t.contains('K'), "{lang}: {t}");
            assert!(!t.contains('[') && !t.contains('|'), "{lang}: {t}");
        }
        assert_eq!(strip_ruby("[終|お]わり [x"), "終わり [x");
        assert_eq!(
            text("en", "push_garbage_tomorrow", &[("categories", "Burnable")]),
            "Tomorrow: Burnable"
        );
        assert_eq!(
            text("fr", "push_garbage_today", &[("categories", "x")]),
            "きょう：x"
        );
    }
}
