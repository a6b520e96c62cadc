//! Finding an area by how its name is read: in kana (おおみや), in romaji as a resident types or
//! a voice keyboard hears it (oomiya, Ōmiya, omiya, ohmiya), or in kanji as published (大宮町).
//!
//! Real calendars name areas in kanji only; a city attaches readings (a CSV of area name and
//! reading, or `kana` in its city file), and [`search_key`] turns an area's names and reading into
//! one string that [`matches`] compares with what the resident typed. Romaji is compared in one
//! normalised spelling on both sides ([`latin_key`]): Hepburn and Kunrei (shi/si, tsu/tu, chi/ti,
//! fu/hu, ji/zi), long vowels written any way (ō, oo, ou, oh), m or n before b/m/p, and no spaces,
//! hyphens or apostrophes. Small tables rather than a library: this ships in the app's wasm.

#[cfg(feature = "sources")]
use super::error::GarbageError;
use super::fold::fold;

/// Hiragana syllables and their Hepburn romaji, the two-kana ones (きゃ) before the one-kana ones.
const KANA: &[(&str, &str)] = &[
    ("きゃ", "kya"),
    ("きゅ", "kyu"),
    ("きょ", "kyo"),
    ("しゃ", "sha"),
    ("しゅ", "shu"),
    ("しょ", "sho"),
    ("ちゃ", "cha"),
    ("ちゅ", "chu"),
    ("ちょ", "cho"),
    ("にゃ", "nya"),
    ("にゅ", "nyu"),
    ("にょ", "nyo"),
    ("ひゃ", "hya"),
    ("ひゅ", "hyu"),
    ("ひょ", "hyo"),
    ("みゃ", "mya"),
    ("みゅ", "myu"),
    ("みょ", "myo"),
    ("りゃ", "rya"),
    ("りゅ", "ryu"),
    ("りょ", "ryo"),
    ("ぎゃ", "gya"),
    ("ぎゅ", "gyu"),
    ("ぎょ", "gyo"),
    ("じゃ", "ja"),
    ("じゅ", "ju"),
    ("じょ", "jo"),
    ("びゃ", "bya"),
    ("びゅ", "byu"),
    ("びょ", "byo"),
    ("ぴゃ", "pya"),
    ("ぴゅ", "pyu"),
    ("ぴょ", "pyo"),
    ("あ", "a"),
    ("い", "i"),
    ("う", "u"),
    ("え", "e"),
    ("お", "o"),
    ("か", "ka"),
    ("き", "ki"),
    ("く", "ku"),
    ("け", "ke"),
    ("こ", "ko"),
    ("さ", "sa"),
    ("し", "shi"),
    ("す", "su"),
    ("せ", "se"),
    ("そ", "so"),
    ("た", "ta"),
    ("ち", "chi"),
    ("つ", "tsu"),
    ("て", "te"),
    ("と", "to"),
    ("な", "na"),
    ("に", "ni"),
    ("ぬ", "nu"),
    ("ね", "ne"),
    ("の", "no"),
    ("は", "ha"),
    ("ひ", "hi"),
    ("ふ", "fu"),
    ("へ", "he"),
    ("ほ", "ho"),
    ("ま", "ma"),
    ("み", "mi"),
    ("む", "mu"),
    ("め", "me"),
    ("も", "mo"),
    ("や", "ya"),
    ("ゆ", "yu"),
    ("よ", "yo"),
    ("ら", "ra"),
    ("り", "ri"),
    ("る", "ru"),
    ("れ", "re"),
    ("ろ", "ro"),
    ("わ", "wa"),
    ("を", "o"),
    ("ん", "n"),
    ("が", "ga"),
    ("ぎ", "gi"),
    ("ぐ", "gu"),
    ("げ", "ge"),
    ("ご", "go"),
    ("ざ", "za"),
    ("じ", "ji"),
    ("ず", "zu"),
    ("ぜ", "ze"),
    ("ぞ", "zo"),
    ("だ", "da"),
    ("ぢ", "ji"),
    ("づ", "zu"),
    ("で", "de"),
    ("ど", "do"),
    ("ば", "ba"),
    ("び", "bi"),
    ("ぶ", "bu"),
    ("べ", "be"),
    ("ぼ", "bo"),
    ("ぱ", "pa"),
    ("ぴ", "pi"),
    ("ぷ", "pu"),
    ("ぺ", "pe"),
    ("ぽ", "po"),
    ("ゔ", "vu"),
    ("ぁ", "a"),
    ("ぃ", "i"),
    ("ぅ", "u"),
    ("ぇ", "e"),
    ("ぉ", "o"),
    ("ゃ", "ya"),
    ("ゅ", "yu"),
    ("ょ", "yo"),
];

/// Kunrei-shiki and other spellings written the Hepburn way, longest first.
const SPELLINGS: &[(&str, &str)] = &[
    ("sya", "sha"),
    ("syu", "shu"),
    ("syo", "sho"),
    ("tya", "cha"),
    ("tyu", "chu"),
    ("tyo", "cho"),
    ("zya", "ja"),
    ("zyu", "ju"),
    ("zyo", "jo"),
    ("jya", "ja"),
    ("jyu", "ju"),
    ("jyo", "jo"),
    ("si", "shi"),
    ("ti", "chi"),
    ("tu", "tsu"),
    ("zi", "ji"),
    ("di", "ji"),
    ("du", "zu"),
];

/// The reading of hiragana (or katakana: [`fold`] first) in romaji, in [`latin_key`]'s spelling.
pub fn romaji(kana: &str) -> String {
    let kana = fold(kana);
    let mut out = String::with_capacity(kana.len());
    let mut rest = kana.as_str();
    let mut double_next = false;
    while let Some(c) = rest.chars().next() {
        if c == 'っ' {
            double_next = true;
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == 'ー' {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        match KANA.iter().find(|(k, _)| rest.starts_with(k)) {
            Some((k, r)) => {
                if double_next {
                    out.push_str(&r[..1]);
                }
                out.push_str(r);
                rest = &rest[k.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        double_next = false;
    }
    latin_key(&out)
}

/// Romaji in one spelling for comparison: lowercase, no marks, spaces, hyphens or apostrophes,
/// Hepburn for Kunrei, long vowels as one vowel (ō, oo, ou, oh → o; ū, uu → u; ā, aa → a; ē, ee →
/// e; ī, ii → i), m before b/m/p as n, doubled consonants as one.
pub fn latin_key(s: &str) -> String {
    let mut plain = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'ā' | 'â' | 'Ā' | 'Â' => 'a',
            'ī' | 'î' | 'Ī' | 'Î' => 'i',
            'ū' | 'û' | 'Ū' | 'Û' => 'u',
            'ē' | 'ê' | 'Ē' | 'Ê' => 'e',
            'ō' | 'ô' | 'Ō' | 'Ô' => 'o',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_lowercase() {
            plain.push(c);
        }
    }
    for (from, to) in SPELLINGS {
        plain = plain.replace(from, to);
    }
    // Kunrei "hu" is Hepburn "fu", but not inside "shu" or "chu".
    let mut hepburn = String::with_capacity(plain.len());
    let mut prev = ' ';
    let mut chars = plain.chars().peekable();
    while let Some(c) = chars.next() {
        if c == 'h' && chars.peek() == Some(&'u') && !matches!(prev, 's' | 'c') {
            hepburn.push('f');
        } else {
            hepburn.push(c);
        }
        prev = c;
    }
    let plain = hepburn;
    // "oh" before a consonant (passport Hepburn: Ohmiya).
    let mut out = String::with_capacity(plain.len());
    let bytes = plain.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        let next = bytes.get(i + 1).map(|b| *b as char);
        let after = bytes.get(i + 2).map(|b| *b as char);
        let vowel = |c: char| "aeiou".contains(c);
        match (c, next) {
            ('o', Some('u' | 'o'))
            | ('u', Some('u'))
            | ('a', Some('a'))
            | ('e', Some('e'))
            | ('i', Some('i')) => {
                out.push(c);
                i += 2;
                continue;
            }
            ('o', Some('h')) if after.is_some_and(|a| !vowel(a)) => {
                out.push('o');
                i += 2;
                continue;
            }
            ('m', Some('b' | 'm' | 'p')) => out.push('n'),
            (c, Some(n)) if c == n && !vowel(c) => {}
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// Everything a resident may type for an area, folded: its names in every language, its reading
/// and the reading's romaji.
pub fn search_key<'a>(names: impl IntoIterator<Item = &'a str>, kana: Option<&str>) -> String {
    let mut key: Vec<String> = names.into_iter().map(fold).collect();
    if let Some(kana) = kana {
        key.push(fold(kana));
        key.push(romaji(kana));
    }
    key.join(" ")
}

/// Whether `query` finds the area of `key` (from [`search_key`]): folded as typed (kana, kanji,
/// English), or as romaji in [`latin_key`]'s spelling.
pub fn matches(key: &str, query: &str) -> bool {
    let q = fold(query);
    if q.is_empty() || key.contains(&q) {
        return true;
    }
    // Romaji only: a query with kana or kanji was compared as typed.
    if q.chars().any(|c| c as u32 >= 0x3000) {
        return false;
    }
    let latin = latin_key(&q);
    latin.len() >= 2 && key.contains(&latin)
}

/// One row of a city's readings CSV: an area of the calendar, named exactly as the calendar
/// names it, and its reading in hiragana.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaReading {
    pub area: String,
    pub reading: String,
}

/// Reads a readings CSV (UTF-8 or Shift_JIS): a header line, then `area name,reading` per line,
/// the reading in hiragana or katakana (`大宮町１丁目,おおみやちょう いっちょうめ`). Errors name the
/// file, line and column: an empty cell, a reading that is not kana, an area given twice.
#[cfg(feature = "sources")]
pub fn parse_readings(bytes: &[u8], source_file: &str) -> Result<Vec<AreaReading>, GarbageError> {
    let decoded = super::decode::decode(bytes, source_file);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(decoded.text.as_bytes());
    let mut seen: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            GarbageError::new(source_file, e.to_string()).at_line(line)
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let area = record.get(0).unwrap_or_default();
        let reading = record.get(1).unwrap_or_default();
        if area.is_empty() && reading.is_empty() {
            continue;
        }
        let error = |column: usize, field: &str, message: String| {
            GarbageError::new(source_file, message)
                .at_line(line)
                .at_column(column, Some(field))
        };
        if area.is_empty() {
            return Err(error(1, "area", "the area name is empty".into()));
        }
        let kana = fold(reading);
        let is_kana = |c: char| matches!(c, '\u{3041}'..='\u{3096}' | 'ー' | '・' | ' ');
        if kana.is_empty() || !kana.chars().all(is_kana) {
            return Err(error(
                2,
                "reading",
                format!(
                    "the reading of `{area}` must be kana (ひらがな or カタカナ), not `{reading}`"
                ),
            ));
        }
        if let Some(first) = seen.insert(fold(area), line) {
            return Err(error(
                1,
                "area",
                format!("`{area}` is also on line {first}"),
            ));
        }
        out.push(AreaReading {
            area: area.to_owned(),
            reading: kana,
        });
    }
    Ok(out)
}

/// The reading the CSV gives for the area named `name` (compared folded), if any.
pub fn reading_of<'a>(readings: &'a [AreaReading], name: &str) -> Option<&'a str> {
    let wanted = fold(name);
    readings
        .iter()
        .find(|r| fold(&r.area) == wanted)
        .map(|r| r.reading.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_become_one_romaji_spelling() {
        assert_eq!(romaji("おおみやちょう"), "omiyacho");
        assert_eq!(romaji("しんまち"), "shinmachi");
        assert_eq!(romaji("さっぽろ"), "saporo");
        assert_eq!(romaji("ジュウニチョウ"), "junicho");
        assert_eq!(romaji("しゅくがわ"), latin_key("shukugawa"));
    }

    #[test]
    fn romaji_is_compared_however_it_is_written() {
        for typed in ["oomiya", "Ōmiya", "omiya", "ohmiya", "OOMIYA", "Oomiya-cho"] {
            assert!(
                latin_key(typed).starts_with("omiya"),
                "{typed}: {}",
                latin_key(typed)
            );
        }
        assert_eq!(latin_key("sinmati"), latin_key("shinmachi"));
        assert_eq!(latin_key("tukuba"), latin_key("tsukuba"));
        assert_eq!(latin_key("shimbashi"), latin_key("shinbashi"));
    }

    #[cfg(feature = "sources")]
    #[test]
    fn a_readings_csv_is_read_and_its_mistakes_named() {
        let csv = "地区名,よみ\n大宮町１丁目（大宮通り南側）,オオミヤチョウ イッチョウメ\n\n青垣町,あおがきちょう\n";
        let readings = parse_readings(csv.as_bytes(), "readings.csv").unwrap();
        assert_eq!(readings.len(), 2);
        assert_eq!(
            reading_of(&readings, "大宮町１丁目（大宮通り南側）"),
            Some("おおみやちょう いっちょうめ")
        );
        let bad = parse_readings("area,reading\n大宮町,Oomiya\n".as_bytes(), "readings.csv");
        assert_eq!(
            bad.unwrap_err().to_string(),
            "readings.csv:2: column 2 (reading): the reading of `大宮町` must be kana (ひらがな or カタカナ), not `Oomiya`"
        );
        let twice = parse_readings(
            "a,r\n大宮町,おおみや\n大宮町,おおみや\n".as_bytes(),
            "r.csv",
        );
        assert!(twice.unwrap_err().to_string().contains("also on line 2"));
    }

    #[test]
    fn an_area_is_found_by_kanji_kana_or_romaji() {
        // Nara's 大宮町, whose calendar has no reading: the city's readings CSV gives おおみやちょう.
        let key = search_key(["大宮町"], Some("おおみやちょう"));
        for q in ["大宮", "おおみや", "オオミヤ", "oomiya", "Ōmiya", "omiya"] {
            assert!(matches(&key, q), "{q}");
        }
        assert!(!matches(&key, "shinmachi"));
        assert!(!matches(&key, "きた"));
        // Without a reading, only the kanji.
        let bare = search_key(["大宮町"], None);
        assert!(matches(&bare, "大宮") && !matches(&bare, "おおみや"));
    }
}
