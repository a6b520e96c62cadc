//! The glossary of garbage categories: the labels cities use for the same kinds of garbage.
//!
//! Cities label one kind in many ways (燃やすごみ, 可燃ごみ, 燃えるごみ, 燃やせるゴミ …) and rarely
//! translate them. The glossary finds the kind a label names; what a kind is called in each
//! language is the catalogue's (`[names.garbage]`, see [`super::names`]), and the city's own
//! Japanese label is always kept as the original. Matching is done on folded text
//! ([`super::fold`]) after dropping decorations (brackets, 「の日」, 「の収集日」), and a label
//! joining several kinds with ・ or 、 (缶・びん・ペットボトル) is matched part by part.

use super::fold::fold;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One kind of garbage and the labels cities write for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Stable kind name: the category id when unambiguous, the icon, and the catalogue's
    /// `[names.garbage]` key.
    pub kind: &'static str,
    /// Labels cities use, written as they are; compared after folding.
    pub labels: &'static [&'static str],
}

/// Every kind the glossary knows.
pub const ENTRIES: &[Entry] = &[
    Entry {
        kind: "burnable",
        labels: &[
            "燃やすごみ",
            "燃えるごみ",
            "可燃ごみ",
            "燃やせるごみ",
            "可燃物",
            "もえるごみ",
            "可燃",
        ],
    },
    Entry {
        kind: "non-burnable",
        labels: &[
            "燃やさないごみ",
            "燃えないごみ",
            "不燃ごみ",
            "燃やせないごみ",
            "不燃物",
            "もえないごみ",
            "不燃",
            "埋立ごみ",
        ],
    },
    Entry {
        kind: "recyclables",
        labels: &[
            "資源",
            "資源ごみ",
            "資源物",
            "再生資源",
            "再生資源ごみ",
            "資源回収",
        ],
    },
    Entry {
        kind: "bottles",
        labels: &["びん", "あきびん", "空きびん", "瓶", "空き瓶", "びん類"],
    },
    Entry {
        kind: "cans",
        labels: &["かん", "缶", "空き缶", "あきかん", "空きかん", "缶類"],
    },
    Entry {
        kind: "pet-bottles",
        labels: &["ペットボトル", "ペット", "pet"],
    },
    Entry {
        kind: "plastic",
        labels: &[
            "プラスチック製容器包装",
            "プラスチック容器包装",
            "プラスチック包装容器",
            "容器包装プラスチック",
            "プラスチック",
            "プラスチック類",
            "プラ",
            "容器包装プラ",
            "プラ容器",
            "容プラ",
            "プラスチック資源",
        ],
    },
    Entry {
        kind: "paper",
        labels: &["古紙", "紙類", "紙", "古紙類"],
    },
    Entry {
        kind: "mixed-paper",
        labels: &["雑紙", "雑がみ", "その他の紙"],
    },
    Entry {
        kind: "newspapers",
        labels: &["新聞", "新聞紙", "新聞・チラシ"],
    },
    Entry {
        kind: "magazines",
        labels: &["雑誌", "本・雑誌"],
    },
    Entry {
        kind: "cardboard",
        labels: &["段ボール", "ダンボール"],
    },
    Entry {
        kind: "cartons",
        labels: &["紙パック", "牛乳パック"],
    },
    Entry {
        kind: "textiles",
        labels: &["古着・古布", "古布・古着", "衣類・布類"],
    },
    Entry {
        kind: "clothes",
        labels: &["古着", "衣類", "古着類"],
    },
    Entry {
        kind: "cloth",
        labels: &["布", "布類", "古布", "古布類"],
    },
    Entry {
        kind: "bulky",
        labels: &["粗大ごみ", "有料粗大ごみ", "大型ごみ", "臨時・粗大ごみ"],
    },
    Entry {
        kind: "hazardous",
        labels: &[
            "有害ごみ",
            "有害物",
            "危険ごみ",
            "危険物",
            "有害・危険ごみ",
            "有害危険ごみ",
        ],
    },
    Entry {
        kind: "crushable",
        labels: &["破砕ごみ", "破砕"],
    },
    Entry {
        kind: "food-waste",
        labels: &["生ごみ", "厨芥"],
    },
    Entry {
        kind: "prunings",
        labels: &["剪定枝", "せん定枝", "枝・草", "草・枝", "木の枝"],
    },
    Entry {
        kind: "small-appliances",
        labels: &["小型家電", "小型電子機器"],
    },
];

/// What the glossary makes of a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The kind when the label names exactly one; `None` for a label joining several kinds.
    pub kind: Option<&'static str>,
    /// The kinds of a label joining several, in the label's order; empty when `kind` is set.
    pub kinds: Vec<&'static str>,
}

/// Looks a label up: the whole label first, then each part of a label joining several kinds.
/// `None` when any part is unknown, so a half-translated label is never shown.
pub fn lookup(label: &str) -> Option<Match> {
    let label = label.trim();
    if let Some(e) = entry_for(label) {
        return Some(Match {
            kind: Some(e.kind),
            kinds: Vec::new(),
        });
    }
    let stripped = strip_decorations(&fold(label));
    let parts: Vec<&str> = stripped
        .split(['・', '、', ',', '/', '／'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let kinds = parts
        .iter()
        .map(|p| entry_for(p).map(|e| e.kind))
        .collect::<Option<_>>()?;
    Some(Match { kind: None, kinds })
}

/// The entry whose labels include `label` after folding and dropping decorations; when the label
/// has a bracketed note (破砕ゴミ（有害ごみ）), the part outside the brackets decides.
fn entry_for(label: &str) -> Option<&'static Entry> {
    let key = strip_decorations(&fold(label));
    let find = |k: &str| folded_labels().get(k).copied();
    find(&key).or_else(|| {
        let outside = without_brackets(&key);
        (outside != key && !outside.is_empty())
            .then(|| find(&outside))
            .flatten()
    })
}

/// Every glossary label folded and undecorated, with its entry (the first entry that has it):
/// made once, so a lookup folds only the label asked about (a header of 20,000 columns folded
/// the whole glossary 20,000 times).
fn folded_labels() -> &'static HashMap<String, &'static Entry> {
    static LABELS: OnceLock<HashMap<String, &'static Entry>> = OnceLock::new();
    LABELS.get_or_init(|| {
        let mut map = HashMap::new();
        for e in ENTRIES {
            for l in e.labels {
                map.entry(strip_decorations(&fold(l))).or_insert(e);
            }
        }
        map
    })
}

/// Drops what cities add around a label: white space and 「の日」「の収集日」「収集日」「の収集」.
fn strip_decorations(folded: &str) -> String {
    let mut s: String = folded.chars().filter(|c| !c.is_whitespace()).collect();
    for suffix in ["の収集日", "収集日", "の収集", "の日"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.to_owned();
        }
    }
    s
}

fn without_brackets(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '「' | '【' | '[' => depth += 1,
            ')' | '」' | '】' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Words residents search items by that item dictionaries don't contain: English names and kana
/// readings of items cities write in kanji. Each row: the Japanese words to search the dictionary
/// for, then what a resident may type (English, or the reading in hiragana). 5374's `target.csv`
/// has only a furigana initial, so without this 「でんち」 never finds 乾電池 and "battery" finds
/// nothing for a foreign resident.
pub const ITEM_WORDS: &[(&[&str], &[&str])] = &[
    (&["電池"], &["battery", "batteries", "でんち", "かんでんち"]),
    (&["ペットボトル"], &["pet bottle", "plastic bottle", "pet"]),
    (
        &["缶", "かん"],
        &["can", "cans", "tin", "aluminium", "aluminum", "steel can"],
    ),
    (&["びん", "瓶", "ビン"], &["bottle", "glass bottle", "jar"]),
    (&["ガラス"], &["glass"]),
    (&["新聞"], &["newspaper", "しんぶん"]),
    (&["雑誌"], &["magazine", "ざっし"]),
    (
        &["段ボール", "ダンボール"],
        &["cardboard", "carton box", "だんぼーる"],
    ),
    (&["紙パック"], &["milk carton", "drink carton", "carton"]),
    (&["紙"], &["paper", "かみ"]),
    (
        &["古着", "衣類"],
        &["clothes", "clothing", "ふるぎ", "いるい"],
    ),
    (&["本"], &["book", "books", "ほん"]),
    (&["フライパン"], &["frying pan", "pan"]),
    (&["なべ", "鍋"], &["pot", "saucepan"]),
    (&["傘"], &["umbrella", "かさ"]),
    (&["電球"], &["light bulb", "bulb", "でんきゅう"]),
    (&["蛍光灯", "蛍光管"], &["fluorescent", "けいこうとう"]),
    (&["スプレー"], &["spray", "aerosol"]),
    (&["ライター"], &["lighter"]),
    (
        &["包丁", "刃物"],
        &["knife", "knives", "ほうちょう", "はもの"],
    ),
    (
        &["茶わん", "茶碗", "皿", "陶器"],
        &["dish", "plate", "bowl", "ちゃわん", "さら", "とうき"],
    ),
    (&["ドライヤー"], &["hair dryer", "dryer"]),
    (&["アイロン"], &["iron"]),
    (
        &["生ごみ", "生ゴミ"],
        &["food waste", "kitchen waste", "food scraps", "なまごみ"],
    ),
    (&["おむつ", "オムツ"], &["diaper", "nappy", "nappies"]),
    (&["靴"], &["shoes", "くつ"]),
    (&["ホース"], &["hose"]),
    (&["テープ"], &["tape", "video tape"]),
    (&["プラスチック", "プラ"], &["plastic"]),
    (&["油"], &["cooking oil", "oil", "あぶら"]),
    (&["写真"], &["photo", "photograph", "しゃしん"]),
    (&["自転車"], &["bicycle", "bike", "じてんしゃ"]),
    (&["たんす", "タンス"], &["chest of drawers", "wardrobe"]),
    (&["布団", "ふとん"], &["futon", "bedding", "duvet"]),
    (&["ソファ"], &["sofa", "couch"]),
    (&["電子レンジ"], &["microwave", "でんしれんじ"]),
    (&["カーペット", "じゅうたん"], &["carpet", "rug"]),
    (&["机"], &["desk", "つくえ"]),
    (&["ベッド"], &["bed"]),
    (&["枝"], &["branch", "branches", "twigs", "えだ"]),
    (&["草"], &["grass", "weeds", "くさ"]),
    (&["落ち葉", "葉"], &["leaves", "おちば"]),
    (&["テレビ"], &["tv", "television"]),
    (&["冷蔵庫"], &["fridge", "refrigerator", "れいぞうこ"]),
    (&["エアコン"], &["air conditioner", "aircon"]),
    (&["洗濯機"], &["washing machine", "せんたくき"]),
    (&["パソコン"], &["computer", "pc", "laptop"]),
    (&["タイヤ"], &["tyre", "tire"]),
    (
        &["消火器"],
        &["fire extinguisher", "extinguisher", "しょうかき"],
    ),
    (&["ティッシュ"], &["tissue", "tissues"]),
    (&["保冷剤"], &["ice pack", "ほれいざい"]),
    (&["おもちゃ", "玩具"], &["toy", "toys"]),
    (&["コップ"], &["cup", "glass cup"]),
    (
        &["携帯電話", "スマートフォン"],
        &["mobile phone", "phone", "smartphone", "けいたい"],
    ),
];

/// The Japanese words a query stands for through [`ITEM_WORDS`]: a row matches when the folded
/// query contains one of its words, or (from three letters or two kana on) begins one.
pub fn item_words(folded_query: &str) -> Vec<&'static str> {
    let q = folded_query;
    let long_enough = q.chars().count() >= if q.is_ascii() { 3 } else { 2 };
    ITEM_WORDS
        .iter()
        .filter(|(_, typed)| {
            typed.iter().any(|t| {
                (long_enough && t.starts_with(q)) || (t.chars().count() >= 2 && contains_word(q, t))
            })
        })
        .flat_map(|(ja, _)| ja.iter().copied())
        .collect()
}

/// `word` in `text`, on word boundaries for Latin text ("can" is not in "candle"); anywhere for kana.
fn contains_word(text: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return text.contains(word);
    }
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() && c != 's')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_common_labels_in_their_many_spellings() {
        for l in [
            "燃やすごみ",
            "可燃ごみ",
            "燃えるごみ",
            "燃やせるゴミ",
            "ﾓｴﾙｺﾞﾐ",
            " 燃やすごみの日 ",
        ] {
            assert_eq!(lookup(l).unwrap().kind, Some("burnable"), "{l}");
        }
        assert_eq!(lookup("不燃ごみ").unwrap().kind, Some("non-burnable"));
        assert_eq!(
            lookup("燃えないごみの収集日").unwrap().kind,
            Some("non-burnable")
        );
        assert_eq!(lookup("資源物").unwrap().kind, Some("recyclables"));
        assert_eq!(
            lookup("プラスチック製容器包装").unwrap().kind,
            Some("plastic")
        );
        assert_eq!(lookup("粗大ごみ").unwrap().kind, Some("bulky"));
    }

    #[test]
    fn every_kind_is_named_in_the_catalogue() {
        for e in ENTRIES {
            assert!(
                machi_i18n::Names::Garbage.get(e.kind).is_some(),
                "{} lacks [names.garbage] in ja.toml",
                e.kind
            );
        }
        assert_eq!(
            machi_i18n::Names::Garbage.entries().len(),
            ENTRIES.len(),
            "ja.toml names a garbage kind the glossary does not know"
        );
    }

    #[test]
    fn a_bracketed_note_does_not_hide_the_kind() {
        assert_eq!(
            lookup("破砕ゴミ（有害ごみ）").unwrap().kind,
            Some("crushable")
        );
    }

    #[test]
    fn joined_labels_are_matched_part_by_part() {
        let kinds = |l| lookup(l).unwrap().kinds;
        assert_eq!(
            kinds("缶・びん・ペットボトル"),
            ["cans", "bottles", "pet-bottles"]
        );
        assert_eq!(lookup("びん・かん").unwrap().kind, None);
        assert_eq!(kinds("紙・布"), ["paper", "cloth"]);
        assert_eq!(kinds("雑誌・雑紙"), ["magazines", "mixed-paper"]);
        assert!(kinds("燃やすごみ").is_empty());
    }

    #[test]
    fn unknown_labels_are_not_guessed() {
        assert_eq!(lookup("市で収集しない"), None);
        assert_eq!(lookup("びん・謎のごみ"), None);
    }
}
