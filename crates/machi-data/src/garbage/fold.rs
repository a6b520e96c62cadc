//! Kana and width folding for search, and the item search built on it.
//!
//! A resident types `ﾍﾟｯﾄﾎﾞﾄﾙ`, `ぺっとぼとる` or `ＰＥＴ`; the dictionary says `ペットボトル` or
//! `PET`. [`fold`] maps all of them to one form. It is a small table instead of full NFKC (the
//! `unicode-normalization` crate) because it ships in the app's wasm, where every kilobyte counts,
//! and because only these few mappings matter for Japanese item names.

use super::model::{GarbageCalendar, Item};

/// Folds `s` for comparison: full-width ASCII → ASCII, ideographic space → space, half-width
/// katakana → full-width (with their voicing marks joined), katakana → hiragana, combining voicing
/// marks joined to the kana before them, ASCII lowercase, and runs of white space to one space.
/// Leading and trailing white space is dropped.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let mut c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{FF61}'..='\u{FF9F}' => halfwidth_katakana(c),
            _ => c,
        };
        // A voicing mark after the kana: half-width ﾞﾟ, spacing ゛゜ or combining U+3099/U+309A.
        if let Some(&next) = chars.peek() {
            let voiced = match next {
                '\u{FF9E}' | '\u{309B}' | '\u{3099}' => Some(voice(c, false)),
                '\u{FF9F}' | '\u{309C}' | '\u{309A}' => Some(voice(c, true)),
                _ => None,
            };
            if let Some(Some(v)) = voiced {
                c = v;
                chars.next();
            }
        }
        let c = match c {
            // Katakana ァ..ヶ → hiragana ぁ..ゖ (same order, 0x60 apart).
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            _ => c.to_ascii_lowercase(),
        };
        if c.is_whitespace() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The items whose name contains `query` after folding, or one of the Japanese words the query
/// stands for in the glossary ("battery", 「でんち」 → 電池): direct matches first, names starting
/// with the word before the rest; within each, shorter names first, then dictionary order. An
/// empty query finds nothing.
pub fn search_items<'a>(calendar: &'a GarbageCalendar, query: &str) -> Vec<&'a Item> {
    let q = fold(query);
    if q.is_empty() {
        return Vec::new();
    }
    let words: Vec<String> = std::iter::once(q.clone())
        .chain(super::glossary::item_words(&q).into_iter().map(fold))
        .collect();
    let mut hits: Vec<(usize, bool, usize, usize, &Item)> = calendar
        .items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let name = fold(&item.name);
            let (rank, at) = words
                .iter()
                .enumerate()
                .find_map(|(rank, w)| Some((rank.min(1), name.find(w.as_str())?)))?;
            Some((rank, at != 0, name.chars().count(), i, item))
        })
        .collect();
    hits.sort_by_key(|&(rank, not_prefix, len, i, _)| (rank, not_prefix, len, i));
    hits.into_iter().map(|h| h.4).collect()
}

/// Half-width katakana (U+FF61–U+FF9F) to full width; the voicing marks stay as spacing marks
/// when they follow nothing they can join.
fn halfwidth_katakana(c: char) -> char {
    const TABLE: &str = "。「」、・ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン゛゜";
    let i = c as usize - 0xFF61;
    TABLE.chars().nth(i).unwrap_or(c)
}

/// The voiced (゛) or semi-voiced (゜) form of a kana, if it has one. Worked out on hiragana;
/// katakana sits 0x60 above it in the same order.
fn voice(c: char, semi: bool) -> Option<char> {
    let kata = ('\u{30A1}'..='\u{30F6}').contains(&c);
    let h = c as u32 - if kata { 0x60 } else { 0 };
    let ha_row = [0x306F, 0x3072, 0x3075, 0x3078, 0x307B].contains(&h); // は ひ ふ へ ほ
    let v = if semi {
        ha_row.then_some(h + 2)
    } else if ((0x304B..=0x3061).contains(&h) && (h - 0x304B).is_multiple_of(2)) // か … ち
        || [0x3064, 0x3066, 0x3068].contains(&h) // つ て と
        || ha_row
    {
        Some(h + 1)
    } else if h == 0x3046 {
        Some(0x3094) // う → ゔ
    } else {
        None
    }?;
    char::from_u32(v + if kata { 0x60 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_kana_and_case() {
        assert_eq!(fold("ﾍﾟｯﾄﾎﾞﾄﾙ"), "ぺっとぼとる");
        assert_eq!(fold("ペットボトル"), "ぺっとぼとる");
        assert_eq!(fold("ＰＥＴ　ボトル "), "pet ぼとる");
        assert_eq!(fold("ＩＣレコーダー"), "icれこーだー");
        assert_eq!(fold("ｶﾞｽﾎﾞﾝﾍﾞ"), "がすぼんべ");
        // Combining voicing marks (NFD input, as macOS file names give).
        assert_eq!(fold("か\u{3099}ス"), "がす");
        assert_eq!(fold("ｳﾞｧｲｵﾘﾝ"), "ゔぁいおりん");
        assert_eq!(fold("  燃やす   ゴミ "), "燃やす ごみ");
        assert_eq!(fold("（有害ごみ）"), "(有害ごみ)");
    }

    #[test]
    fn voicing_marks_that_join_nothing_are_kept() {
        assert_eq!(fold("ｱﾞ"), "あ゛");
    }

    fn calendar(names: &[&str]) -> GarbageCalendar {
        GarbageCalendar {
            items: names
                .iter()
                .map(|n| Item {
                    name: (*n).into(),
                    category_label: "x".into(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn search_ranks_prefix_matches_first() {
        let cal = calendar(&[
            "空きびん",
            "ビールびん",
            "びん（化粧品）",
            "ビニール袋",
            "びん",
        ]);
        let names: Vec<&str> = search_items(&cal, "ﾋﾞﾝ")
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec!["びん", "びん（化粧品）", "空きびん", "ビールびん"]
        );
        assert!(search_items(&cal, "  ").is_empty());
    }

    #[test]
    fn english_words_and_readings_find_kanji_items() {
        let cal = calendar(&["乾電池", "ボタン電池", "スチール缶", "ろうそく"]);
        let names = |q: &str| -> Vec<&str> {
            search_items(&cal, q)
                .iter()
                .map(|i| i.name.as_str())
                .collect()
        };
        assert_eq!(names("でんち"), ["乾電池", "ボタン電池"]);
        assert_eq!(names("Battery"), ["乾電池", "ボタン電池"]);
        assert_eq!(names("AA batteries"), ["乾電池", "ボタン電池"]);
        assert_eq!(names("batt"), ["乾電池", "ボタン電池"]);
        assert_eq!(names("can"), ["スチール缶"]);
        // "can" is a word of its own, not the start of "candle".
        assert!(names("candle").is_empty());
    }
}
