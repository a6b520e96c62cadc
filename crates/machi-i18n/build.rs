//! Generates the catalogue from `i18n/*.toml`: one file per language, and nothing else to edit
//! when a language is added (the app and the hub both read what this generates).
//!
//! `i18n/ja.toml` is the source catalogue. The keys of its `[messages]` become the variants of
//! `Msg`, so a key used in code but missing there is a compile error; the groups of its
//! `[names.<group>]` tables become `Names`, and their codes the names a lookup can find. Every other
//! file is one language. A message a language does not translate falls back along its `[meta]`
//! `fallbacks`, then to Japanese (and is reported here as a warning); a key or a name a language
//! has but Japanese does not is an error, because it is almost always a typo. Names (of codes such
//! as JMA's warning kinds) may be left out on purpose: JMA's Japanese is then shown, marked as
//! Japanese. Placeholders are checked by a unit test (`placeholders_match_the_japanese_source`).

use std::{collections::BTreeMap, env, fmt::Write as _, fs, path::Path};

/// The source language's file stem: its keys are the full set, and it is the last fallback.
const SOURCE: &str = "ja";

/// One `i18n/<code>.toml`, read and checked.
struct Language {
    code: String,
    name: String,
    html_lang: String,
    speech: String,
    fallbacks: Vec<String>,
    default_for_foreign: bool,
    messages: BTreeMap<String, String>,
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
                "default_for_foreign"
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
    let fallbacks = match meta.get("fallbacks") {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .unwrap_or_else(|| panic!("{file}: [meta] fallbacks must be a list of language codes"))
            .iter()
            .map(|c| {
                c.as_str()
                    .unwrap_or_else(|| panic!("{file}: [meta] fallbacks must be strings"))
                    .to_owned()
            })
            .collect(),
    };
    let default_for_foreign = match meta.get("default_for_foreign") {
        None => false,
        Some(v) => v
            .as_bool()
            .unwrap_or_else(|| panic!("{file}: [meta] default_for_foreign must be true or false")),
    };

    let messages = strings(
        &file,
        "messages",
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
        fallbacks,
        default_for_foreign,
        messages,
        names,
        readings,
        code,
    }
}

/// Writes `field: Texts { .. }`: the texts concatenated, and each one's end offset (high bit:
/// missing). Two bytes per text instead of an eight-byte `Option<&str>`: the catalogue's tables
/// are a few KB of the app's wasm.
fn write_texts(out: &mut String, field: &str, code: &str, texts: &[Option<&String>]) {
    let mut all = String::new();
    let mut ends = Vec::new();
    for t in texts {
        match t {
            Some(t) => {
                all.push_str(t);
                ends.push(all.len());
            }
            None => ends.push(all.len() | 0x8000),
        }
    }
    assert!(
        all.len() < 0x8000,
        "i18n/{code}.toml: the {field} exceed 32 KB; widen Texts::ends"
    );
    writeln!(out, "        {field}: Texts {{\n            text: {all:?},").unwrap();
    write!(out, "            ends: &[").unwrap();
    for e in ends {
        write!(out, "{e}, ").unwrap();
    }
    out.push_str("],\n        },\n");
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

fn main() {
    println!("cargo:rerun-if-changed=i18n");
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
        if lang.code == SOURCE {
            continue;
        }
        for k in lang.messages.keys() {
            assert!(
                source.messages.contains_key(k),
                "{file}: key `{k}` is not in i18n/{SOURCE}.toml (typo?)"
            );
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
        for k in &keys {
            if !lang.messages.contains_key(*k) {
                println!(
                    "cargo:warning={file} lacks `{k}`; its fallback language (or Japanese) is shown"
                );
            }
        }
    }
    let foreign_defaults: Vec<&Language> = langs.iter().filter(|l| l.default_for_foreign).collect();
    assert!(
        foreign_defaults.len() <= 1,
        "only one language may have `default_for_foreign = true` in [meta]"
    );

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
    out.push_str("];\n\n");

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
    out.push_str("    }\n}\n\n");

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

    out.push_str("/// Every language, Japanese first.\npub static LANGUAGES: &[Catalogue] = &[\n");
    for lang in &langs {
        let fallbacks: Vec<usize> = lang
            .fallbacks
            .iter()
            .map(|f| index_of(f).unwrap())
            .collect();
        writeln!(
            out,
            "    Catalogue {{\n        code: {:?},\n        name: {:?},\n        html_lang: {:?},\n        speech: {:?},",
            lang.code, lang.name, lang.html_lang, lang.speech
        )
        .unwrap();
        write!(out, "        fallbacks: &[").unwrap();
        for i in &fallbacks {
            write!(out, "Lang({i}), ").unwrap();
        }
        write!(out, "],\n        fallback_codes: &[").unwrap();
        for f in &lang.fallbacks {
            write!(out, "{f:?}, ").unwrap();
        }
        out.push_str("],\n");
        let messages: Vec<Option<&String>> = keys.iter().map(|k| lang.messages.get(*k)).collect();
        write_texts(&mut out, "messages", &lang.code, &messages);
        let lang_names: Vec<Option<&String>> = names
            .iter()
            .map(|(group, code)| lang.names.get(*group).and_then(|g| g.get(*code)))
            .collect();
        write_texts(&mut out, "names", &lang.code, &lang_names);
        out.push_str("        readings: &[\n");
        for (word, reading) in &lang.readings {
            writeln!(out, "            ({word:?}, {reading:?}),").unwrap();
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("catalogue.rs");
    fs::write(dest, out).unwrap();
}
