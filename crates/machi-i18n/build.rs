//! Generates the catalogue from `i18n/*.toml`: one file per language, and nothing else to edit
//! when a language is added (the app, the hub and the exporter all read what this generates).
//!
//! `i18n/ja.toml` is the source catalogue. The keys of its `[messages]` become the variants of
//! `Msg`, so a key used in code but missing there is a compile error; the groups of its
//! `[names.<group>]` tables become `Names`, and their codes the names a lookup can find. Every other
//! file is one language. A message a language does not translate falls back along its `[meta]`
//! `fallbacks`, then to Japanese, and is counted in the language's coverage (`cargo run -p
//! machi-i18n -- coverage` prints the table); the unit test `every_language_is_complete` fails
//! on it, so a key lands with its translations. A key or a name a language has but Japanese does not
//! is an error, because it is almost always a typo. Placeholders are checked by a unit test
//! (`placeholders_match_the_japanese_source`).
//!
//! Every language's `[meta]` is always compiled in (the language picker, `lang`, speech,
//! fallbacks). Its texts are compiled in only with the `all-languages` feature (the hub, tests,
//! the exporter); the app embeds Japanese only and fetches the chosen language's file, which this
//! script also writes (`exports.rs`, written out by `machi-i18n export`): its name carries a hash of
//! its content, and its first line the catalogue's schema hash, so an app never reads another
//! version's tables.

use std::{collections::BTreeMap, env, fmt::Write as _, fs, path::Path};

/// The source language's file stem: its keys are the full set, and it is the last fallback.
const SOURCE: &str = "ja";

/// The version of the exported file's layout (see `src/loaded.rs`).
const FORMAT: u32 = 1;

/// CLDR plural categories a message may distinguish (`{ one = "…", other = "…" }`).
const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// One message: a text, or one text per plural category (`other` always among them).
enum Text {
    Plain(String),
    Plural(BTreeMap<String, String>),
}

impl Text {
    /// The text used when no plural category applies: the text, or its `other` form.
    fn main(&self) -> &str {
        match self {
            Text::Plain(t) => t,
            Text::Plural(forms) => &forms["other"],
        }
    }
}

/// One `i18n/<code>.toml`, read and checked.
struct Language {
    code: String,
    name: String,
    html_lang: String,
    speech: String,
    fallbacks: Vec<String>,
    also_for: Vec<String>,
    default_for_foreign: bool,
    catalogue_dates: bool,
    translated_by: String,
    reviewed_by: String,
    messages: BTreeMap<String, Text>,
    /// group → code → name.
    names: BTreeMap<String, BTreeMap<String, String>>,
    /// word → reading, longest word first (the order ruby is matched in).
    readings: Vec<(String, String)>,
}

fn strings(file: &str, table: &str, value: &toml::Value) -> BTreeMap<String, String> {
    let table_value = value
        .as_table()
        .unwrap_or_else(|| panic!("{file}: [{table}] must be a table"));
    table_value
        .iter()
        .map(|(k, v)| {
            let s = v
                .as_str()
                .unwrap_or_else(|| panic!("{file}: [{table}] `{k}` must be a string"));
            (k.clone(), s.to_owned())
        })
        .collect()
}

fn messages(file: &str, value: &toml::Value) -> BTreeMap<String, Text> {
    let table = value
        .as_table()
        .unwrap_or_else(|| panic!("{file}: [messages] must be a table"));
    table
        .iter()
        .map(|(k, v)| {
            let text = match v {
                toml::Value::String(s) => Text::Plain(s.clone()),
                toml::Value::Table(_) => {
                    let forms = strings(file, &format!("messages.{k}"), v);
                    for category in forms.keys() {
                        assert!(
                            PLURAL_CATEGORIES.contains(&category.as_str()),
                            "{file}: [messages] `{k}`: `{category}` is not a plural category \
                             (zero, one, two, few, many, other)"
                        );
                    }
                    assert!(
                        forms.contains_key("other"),
                        "{file}: [messages] `{k}`: plural forms need `other`"
                    );
                    Text::Plural(forms)
                }
                _ => panic!("{file}: [messages] `{k}` must be a string or a table of plural forms"),
            };
            (k.clone(), text)
        })
        .collect()
}

fn string_list(file: &str, key: &str, value: Option<&toml::Value>) -> Vec<String> {
    match value {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .unwrap_or_else(|| panic!("{file}: [meta] {key} must be a list of language tags"))
            .iter()
            .map(|c| {
                c.as_str()
                    .unwrap_or_else(|| panic!("{file}: [meta] {key} must be strings"))
                    .to_owned()
            })
            .collect(),
    }
}

fn read_language(path: &Path) -> Language {
    let code = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("utf-8 file name")
        .to_owned();
    let file = format!("i18n/{code}.toml");
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    for key in doc.keys() {
        assert!(
            ["meta", "messages", "names", "readings"].contains(&key.as_str()),
            "{file}: unknown table [{key}] (expected meta, messages, names, readings)"
        );
    }

    let meta = doc
        .get("meta")
        .and_then(|v| v.as_table())
        .unwrap_or_else(|| panic!("{file}: missing [meta] table"));
    for key in meta.keys() {
        assert!(
            [
                "name",
                "html_lang",
                "speech",
                "fallbacks",
                "also_for",
                "default_for_foreign",
                "dates",
                "translated_by",
                "reviewed_by",
            ]
            .contains(&key.as_str()),
            "{file}: unknown [meta] key `{key}`"
        );
    }
    let meta_str = |k: &str| {
        meta.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_else(|| panic!("{file}: [meta] needs `{k}` (a string)"))
            .to_owned()
    };
    let default_for_foreign = match meta.get("default_for_foreign") {
        None => false,
        Some(v) => v
            .as_bool()
            .unwrap_or_else(|| panic!("{file}: [meta] default_for_foreign must be true or false")),
    };
    let catalogue_dates = match meta.get("dates").map(|v| v.as_str()) {
        None | Some(Some("intl")) => false,
        Some(Some("catalogue")) => true,
        _ => panic!("{file}: [meta] dates must be \"intl\" (the default) or \"catalogue\""),
    };
    let translated_by = meta_str("translated_by");
    assert!(
        !translated_by.trim().is_empty(),
        "{file}: [meta] translated_by must say who wrote the texts"
    );

    let messages = messages(
        &file,
        doc.get("messages")
            .unwrap_or_else(|| panic!("{file}: missing [messages] table")),
    );
    let names = match doc.get("names") {
        None => BTreeMap::new(),
        Some(v) => v
            .as_table()
            .unwrap_or_else(|| panic!("{file}: [names] must hold [names.<group>] tables"))
            .iter()
            .map(|(group, codes)| {
                assert!(
                    is_snake(group),
                    "{file}: [names.{group}]: a group is written in snake_case"
                );
                (
                    group.clone(),
                    strings(&file, &format!("names.{group}"), codes),
                )
            })
            .collect(),
    };
    let mut readings: Vec<(String, String)> = match doc.get("readings") {
        None => Vec::new(),
        Some(v) => strings(&file, "readings", v).into_iter().collect(),
    };
    // Longest word first, so 特別警報 is read as a whole before 警報 can match inside it.
    readings.sort_by(|a, b| {
        b.0.chars()
            .count()
            .cmp(&a.0.chars().count())
            .then(a.0.cmp(&b.0))
    });

    Language {
        name: meta_str("name"),
        html_lang: meta_str("html_lang"),
        speech: meta_str("speech"),
        fallbacks: string_list(&file, "fallbacks", meta.get("fallbacks")),
        also_for: string_list(&file, "also_for", meta.get("also_for")),
        default_for_foreign,
        catalogue_dates,
        translated_by,
        reviewed_by: meta
            .get("reviewed_by")
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{file}: [meta] reviewed_by must be a string"))
                    .to_owned()
            })
            .unwrap_or_default(),
        messages,
        names,
        readings,
        code,
    }
}

/// Writes `Texts { .. }`: the texts concatenated, and each one's end offset (high bit: missing).
/// Four bytes per text instead of an eight-byte `Option<&str>`.
fn write_texts(out: &mut String, texts: &[Option<&str>]) {
    let mut all = String::new();
    let mut ends = Vec::new();
    for t in texts {
        match t {
            Some(t) => {
                all.push_str(t);
                ends.push(all.len() as u32);
            }
            None => ends.push(all.len() as u32 | 0x8000_0000),
        }
    }
    writeln!(out, "Texts {{\n            text: {all:?},").unwrap();
    write!(out, "            ends: &[").unwrap();
    for e in ends {
        write!(out, "{e}, ").unwrap();
    }
    out.push_str("],\n        }");
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn camel(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// FNV-1a, 64 bits: a stable fingerprint for file names and the schema (not a security hash: the
/// files are the project's own build output).
fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A text on one line of the exported file: `\`, newline and tab escaped.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// The line of a missing text: escaping never produces `\-`.
const MISSING_LINE: &str = "\\-";

/// The exported file of one language (its layout is read by `src/loaded.rs`).
fn export_text(
    lang: &Language,
    schema: u64,
    keys: &[&String],
    names: &[(&String, &String)],
) -> String {
    let mut out = format!("machi-i18n {FORMAT} {schema:016x} {}\n", lang.code);
    writeln!(out, "M {}", keys.len()).unwrap();
    for k in keys {
        match lang.messages.get(*k) {
            Some(t) => writeln!(out, "{}", escape(t.main())).unwrap(),
            None => writeln!(out, "{MISSING_LINE}").unwrap(),
        }
    }
    writeln!(out, "N {}", names.len()).unwrap();
    for (group, code) in names {
        match lang.names.get(*group).and_then(|g| g.get(*code)) {
            Some(t) => writeln!(out, "{}", escape(t)).unwrap(),
            None => writeln!(out, "{MISSING_LINE}").unwrap(),
        }
    }
    let plurals = plural_forms(lang, keys);
    writeln!(out, "P {}", plurals.len()).unwrap();
    for (i, category, text) in plurals {
        writeln!(out, "{i}\t{category}\t{}", escape(text)).unwrap();
    }
    writeln!(out, "R {}", lang.readings.len()).unwrap();
    for (word, reading) in &lang.readings {
        writeln!(out, "{}\t{}", escape(word), escape(reading)).unwrap();
    }
    out
}

/// Every plural form other than `other` (which is the message's main text): (message index,
/// category, text).
fn plural_forms<'a>(lang: &'a Language, keys: &[&String]) -> Vec<(usize, &'a str, &'a str)> {
    let mut out = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if let Some(Text::Plural(forms)) = lang.messages.get(*k) {
            for (category, text) in forms {
                if category != "other" {
                    out.push((i, category.as_str(), text.as_str()));
                }
            }
        }
    }
    out
}

fn main() {
    println!("cargo:rerun-if-changed=i18n");
    let embed_all = env::var_os("CARGO_FEATURE_ALL_LANGUAGES").is_some();
    let mut langs: Vec<Language> = fs::read_dir("i18n")
        .expect("i18n/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            read_language(&p)
        })
        .collect();
    // Japanese first (the source and last fallback), then the others in a stable order.
    langs.sort_by(|a, b| (a.code != SOURCE, &a.code).cmp(&(b.code != SOURCE, &b.code)));
    assert!(
        langs.first().is_some_and(|l| l.code == SOURCE),
        "i18n/{SOURCE}.toml is required"
    );
    let index_of = |code: &str| langs.iter().position(|l| l.code == code);
    let source = &langs[0];
    let keys: Vec<&String> = source.messages.keys().collect();
    for k in &keys {
        assert!(
            is_snake(k),
            "i18n/{SOURCE}.toml: message key `{k}` must be snake_case"
        );
    }
    // Every name, flattened: (group, code) in group then code order; a `Name` is an index here.
    let names: Vec<(&String, &String)> = source
        .names
        .iter()
        .flat_map(|(group, codes)| codes.keys().map(move |code| (group, code)))
        .collect();
    let mut tags_seen: BTreeMap<String, String> = BTreeMap::new();

    for lang in &langs {
        let file = format!("i18n/{}.toml", lang.code);
        for (i, f) in lang.fallbacks.iter().enumerate() {
            assert!(
                index_of(f).is_some() && *f != lang.code,
                "{file}: [meta] fallbacks: `{f}` is not another language of i18n/"
            );
            assert!(
                f != SOURCE && !lang.fallbacks[..i].contains(f),
                "{file}: [meta] fallbacks: `{f}` is listed twice ({SOURCE} is always the last fallback)"
            );
        }
        for tag in std::iter::once(&lang.code).chain(&lang.also_for) {
            let tag = tag.to_ascii_lowercase();
            if let Some(other) = tags_seen.insert(tag.clone(), lang.code.clone()) {
                panic!("{file}: [meta] also_for: `{tag}` is already i18n/{other}.toml's");
            }
        }
        for (k, text) in &lang.messages {
            if lang.code != SOURCE {
                assert!(
                    source.messages.contains_key(k),
                    "{file}: key `{k}` is not in i18n/{SOURCE}.toml (typo?)"
                );
            }
            let texts: Vec<&str> = match text {
                Text::Plain(t) => vec![t],
                Text::Plural(forms) => forms.values().map(String::as_str).collect(),
            };
            for t in texts {
                assert!(
                    !t.contains(MISSING_LINE),
                    "{file}: `{k}` contains `{MISSING_LINE}`, which the exported file reserves"
                );
            }
        }
        if lang.code == SOURCE {
            continue;
        }
        for (group, codes) in &lang.names {
            let known = source.names.get(group).unwrap_or_else(|| {
                panic!("{file}: [names.{group}] is not a group of i18n/{SOURCE}.toml (typo?)")
            });
            for code in codes.keys() {
                assert!(
                    known.contains_key(code),
                    "{file}: [names.{group}] `{code}` is not in i18n/{SOURCE}.toml (typo?)"
                );
            }
        }
    }
    let foreign_defaults: Vec<&Language> = langs.iter().filter(|l| l.default_for_foreign).collect();
    assert!(
        foreign_defaults.len() <= 1,
        "only one language may have `default_for_foreign = true` in [meta]"
    );

    // The schema: what a table's positions mean. An exported file is read only by a build with
    // the same schema.
    let mut schema_text = format!("{FORMAT}\n");
    for k in &keys {
        writeln!(schema_text, "{k}").unwrap();
    }
    for (group, code) in &names {
        writeln!(schema_text, "{group}.{code}").unwrap();
    }
    let schema = fnv(schema_text.as_bytes());
    let exports: Vec<(String, String)> = langs
        .iter()
        .map(|lang| {
            let text = export_text(lang, schema, &keys, &names);
            (
                format!("{}-{:016x}.txt", lang.code, fnv(text.as_bytes())),
                text,
            )
        })
        .collect();

    let mut out = String::new();
    out.push_str(
        "/// A user-facing message; the variants are the `[messages]` keys of `i18n/ja.toml`.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[repr(u16)]\npub enum Msg {\n",
    );
    for k in &keys {
        writeln!(out, "    {},", camel(k)).unwrap();
    }
    out.push_str("}\n\n/// The catalogue keys, in `Msg` order (tests and tools).\npub const KEYS: &[&str] = &[\n");
    for k in &keys {
        writeln!(out, "    {k:?},").unwrap();
    }
    out.push_str(
        "];\n\n/// Every message, in `KEYS` order (tools).\npub const ALL_MSGS: &[Msg] = &[\n",
    );
    for k in &keys {
        writeln!(out, "    Msg::{},", camel(k)).unwrap();
    }
    out.push_str("];\n\n");
    writeln!(
        out,
        "/// How many names every language's table has (every code of every group).\npub const NAME_COUNT: usize = {};\n",
        names.len()
    )
    .unwrap();
    writeln!(
        out,
        "/// The schema hash an exported file must carry to be read by this build.\npub const SCHEMA: u64 = 0x{schema:016x};\n\n/// The exported file layout's version.\npub const FORMAT: u32 = {FORMAT};\n\n/// Whether every language's texts are compiled in (feature `all-languages`).\npub const EMBEDS_ALL_LANGUAGES: bool = {embed_all};\n\n/// How many languages there are.\npub const LANGUAGE_COUNT: usize = {};\n",
        langs.len()
    )
    .unwrap();

    out.push_str(
        "/// The groups of coded names: the `[names.<group>]` tables of `i18n/ja.toml`.\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\npub enum Names {\n",
    );
    for group in source.names.keys() {
        writeln!(out, "    {},", camel(group)).unwrap();
    }
    out.push_str("}\n\nimpl Names {\n    /// Every code of the group with its name, in code order.\n    pub fn entries(self) -> &'static [(&'static str, Name)] {\n");
    if source.names.is_empty() {
        out.push_str("        match self {}\n");
    } else {
        out.push_str("        match self {\n");
        for (group, codes) in &source.names {
            write!(out, "            Names::{} => &[", camel(group)).unwrap();
            for code in codes.keys() {
                let i = names
                    .iter()
                    .position(|(g, c)| *g == group && *c == code)
                    .unwrap();
                write!(out, "({code:?}, Name({i})), ").unwrap();
            }
            out.push_str("],\n");
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n\n    /// The group's `[names.<group>]` name (tools).\n    pub fn group(self) -> &'static str {\n");
    if source.names.is_empty() {
        out.push_str("        match self {}\n");
    } else {
        out.push_str("        match self {\n");
        for group in source.names.keys() {
            writeln!(out, "            Names::{} => {group:?},", camel(group)).unwrap();
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n\n    /// Every group (tools).\n    pub const ALL: &'static [Names] = &[");
    for group in source.names.keys() {
        write!(out, "Names::{}, ", camel(group)).unwrap();
    }
    out.push_str("];\n}\n\n");

    writeln!(
        out,
        "/// The source language's code.\npub const SOURCE_CODE: &str = {SOURCE:?};\n"
    )
    .unwrap();
    let foreign = foreign_defaults
        .first()
        .map(|l| index_of(&l.code).unwrap())
        .unwrap_or(0);
    writeln!(
        out,
        "/// The language for a browser that prefers none of ours (`default_for_foreign` in [meta]).\nconst FOREIGN_DEFAULT: Lang = Lang({foreign});\n"
    )
    .unwrap();

    // Each language's texts, where this build embeds them.
    for (i, lang) in langs.iter().enumerate() {
        if !(embed_all || lang.code == SOURCE) {
            continue;
        }
        write!(out, "static TABLES_{i}: Tables = Tables {{\n    messages: ").unwrap();
        let messages: Vec<Option<&str>> = keys
            .iter()
            .map(|k| lang.messages.get(*k).map(Text::main))
            .collect();
        write_texts(&mut out, &messages);
        out.push_str(",\n    names: ");
        let lang_names: Vec<Option<&str>> = names
            .iter()
            .map(|(group, code)| {
                lang.names
                    .get(*group)
                    .and_then(|g| g.get(*code))
                    .map(String::as_str)
            })
            .collect();
        write_texts(&mut out, &lang_names);
        out.push_str(",\n    plurals: &[");
        for (m, category, text) in plural_forms(lang, &keys) {
            write!(out, "({m}, {category:?}, {text:?}), ").unwrap();
        }
        out.push_str("],\n    readings: &[\n");
        for (word, reading) in &lang.readings {
            writeln!(out, "        ({word:?}, {reading:?}),").unwrap();
        }
        out.push_str("    ],\n};\n\n");
    }

    out.push_str("/// Every language, Japanese first.\npub static LANGUAGES: &[Catalogue] = &[\n");
    for (i, lang) in langs.iter().enumerate() {
        let fallbacks: Vec<usize> = lang
            .fallbacks
            .iter()
            .map(|f| index_of(f).unwrap())
            .collect();
        // Covered: a text in the page's own language, from this file or from a fallback written
        // in the same language (やさしい日本語 shows JMA's Japanese names with furigana on purpose).
        let same: Vec<&Language> = std::iter::once(lang)
            .chain(lang.fallbacks.iter().map(|f| &langs[index_of(f).unwrap()]))
            .chain(std::iter::once(&langs[0]))
            .filter(|l| l.html_lang == lang.html_lang)
            .collect();
        let present = keys
            .iter()
            .filter(|k| same.iter().any(|l| l.messages.contains_key(**k)))
            .count();
        let named = names
            .iter()
            .filter(|(g, c)| {
                same.iter()
                    .any(|l| l.names.get(*g).is_some_and(|g| g.contains_key(*c)))
            })
            .count();
        writeln!(
            out,
            "    Catalogue {{\n        code: {:?},\n        name: {:?},\n        html_lang: {:?},\n        speech: {:?},\n        translated_by: {:?},\n        reviewed_by: {:?},\n        catalogue_dates: {},\n        file: {:?},\n        coverage: Coverage {{ messages: {present}, names: {named} }},",
            lang.code,
            lang.name,
            lang.html_lang,
            lang.speech,
            lang.translated_by,
            lang.reviewed_by,
            lang.catalogue_dates,
            exports[i].0,
        )
        .unwrap();
        write!(out, "        also_for: &[").unwrap();
        for t in &lang.also_for {
            write!(out, "{t:?}, ").unwrap();
        }
        write!(out, "],\n        fallbacks: &[").unwrap();
        for f in &fallbacks {
            write!(out, "Lang({f}), ").unwrap();
        }
        write!(out, "],\n        fallback_codes: &[").unwrap();
        for f in &lang.fallbacks {
            write!(out, "{f:?}, ").unwrap();
        }
        out.push_str("],\n");
        if embed_all || lang.code == SOURCE {
            writeln!(out, "        embedded: Some(&TABLES_{i}),").unwrap();
        } else {
            out.push_str("        embedded: None,\n");
        }
        out.push_str("    },\n");
    }
    out.push_str("];\n");
    let out_dir = env::var("OUT_DIR").unwrap();
    fs::write(Path::new(&out_dir).join("catalogue.rs"), out).unwrap();

    // The files the app fetches, for `machi-i18n export` (never compiled into the app).
    let mut exported = String::from(
        "/// Every language's exported file: (file name, content), Japanese first.\npub static FILES: &[(&str, &str)] = &[\n",
    );
    for (name, text) in &exports {
        writeln!(exported, "    ({name:?}, {text:?}),").unwrap();
    }
    exported.push_str("];\n");
    fs::write(Path::new(&out_dir).join("exports.rs"), exported).unwrap();
}
