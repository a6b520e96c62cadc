//! Ruby (furigana) in catalogue text: `[漢字|かんじ]` is a base with its reading. The app renders it
//! as `<ruby>`, speech reads the reading, and where ruby cannot be shown (a notification, a
//! `title`, a calendar file) the base alone is used.

use std::borrow::Cow;

/// A piece of catalogue text: plain, or a base with its reading (ruby).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Ruby { base: &'a str, reading: &'a str },
}

/// Splits `[漢字|かんじ]` ruby markup from plain text.
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        let Some((base, reading)) = inner.split_once('|') else {
            out.push(Segment::Text(&rest[..=close]));
            rest = &rest[close + 1..];
            continue;
        };
        if open > 0 {
            out.push(Segment::Text(&rest[..open]));
        }
        out.push(Segment::Ruby { base, reading });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

/// The text as read on screen without furigana (for `aria-label`, `title`, `<title>`, push
/// notifications).
pub fn plain(text: &str) -> String {
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t,
            Segment::Ruby { base, .. } => base,
        })
        .collect()
}

/// The text as it should be spoken: readings instead of kanji, so speech never misreads them.
pub fn spoken(text: &str) -> String {
    segments(text)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t,
            Segment::Ruby { base: _, reading } => reading,
        })
        .collect()
}

/// `text` with `[word|reading]` on every word of `readings` (longest first, as `build.rs` sorts
/// them); text already in ruby is kept as it is.
pub(crate) fn with_readings<'a>(text: &'a str, readings: &[(&str, &str)]) -> Cow<'a, str> {
    if readings.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    for segment in segments(text) {
        let mut rest = match segment {
            Segment::Text(t) => t,
            Segment::Ruby { base, reading } => {
                out.push_str(&format!("[{base}|{reading}]"));
                continue;
            }
        };
        'outer: while !rest.is_empty() {
            for (word, reading) in readings {
                if let Some(after) = rest.strip_prefix(word) {
                    out.push_str(&format!("[{word}|{reading}]"));
                    rest = after;
                    continue 'outer;
                }
            }
            let c = rest.chars().next().unwrap_or_default();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_markup_is_split_into_base_and_reading() {
        assert_eq!(
            segments("[設定|せってい]を みる"),
            vec![
                Segment::Ruby {
                    base: "設定",
                    reading: "せってい"
                },
                Segment::Text("を みる")
            ]
        );
        assert_eq!(plain("[災害|さいがい]の [日|ひ]"), "災害の 日");
        assert_eq!(spoken("[災害|さいがい]の [日|ひ]"), "さいがいの ひ");
    }

    #[test]
    fn brackets_without_a_reading_stay_text() {
        assert_eq!(plain("[note] ok"), "[note] ok");
        assert_eq!(plain("[終|お]わり [x"), "終わり [x");
    }

    #[test]
    fn readings_go_on_the_longest_word_and_never_inside_ruby() {
        let readings = [
            ("特別警報", "とくべつけいほう"),
            ("大雨", "おおあめ"),
            ("警報", "けいほう"),
        ];
        assert_eq!(
            with_readings("大雨特別警報", &readings),
            "[大雨|おおあめ][特別警報|とくべつけいほう]"
        );
        assert_eq!(
            with_readings("[大雨|おおあめ]の 警報", &readings),
            "[大雨|おおあめ]の [警報|けいほう]"
        );
        assert_eq!(with_readings("大雨", &[]), "大雨");
    }
}
