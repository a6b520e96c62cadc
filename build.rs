//! Generates the i18n catalogue from `i18n/*.toml`.
//!
//! `i18n/ja.toml` is the source catalogue: its keys become the variants of `Msg`, so a key used in
//! code but missing from the catalogue is a compile error. Every other file is one language; adding
//! a language is adding one file. A key a language does not translate falls back to Japanese at run
//! time (and is reported here as a warning); a key a language has but Japanese does not is an error,
//! because it is almost always a typo.

use std::{collections::BTreeMap, env, fmt::Write as _, fs, path::Path};

const SOURCE: &str = "ja";

struct Lang {
    code: String,
    name: String,
    html_lang: String,
    speech: String,
    messages: BTreeMap<String, String>,
}

fn read_lang(path: &Path) -> Lang {
    let code = path
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("utf-8 file name")
        .to_owned();
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: toml::Table =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let section = |name: &str| -> BTreeMap<String, String> {
        let table = doc
            .get(name)
            .and_then(|v| v.as_table())
            .unwrap_or_else(|| panic!("{}: missing [{name}] table", path.display()));
        table
            .iter()
            .map(|(k, v)| {
                let s = v
                    .as_str()
                    .unwrap_or_else(|| panic!("{}: [{name}] {k} must be a string", path.display()));
                (k.clone(), s.to_owned())
            })
            .collect()
    };
    let meta = section("meta");
    let get = |k: &str| {
        meta.get(k)
            .cloned()
            .unwrap_or_else(|| panic!("{}: [meta] needs `{k}`", path.display()))
    };
    Lang {
        name: get("name"),
        html_lang: get("html_lang"),
        speech: get("speech"),
        messages: section("messages"),
        code,
    }
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
    let mut langs: Vec<Lang> = fs::read_dir("i18n")
        .expect("i18n/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            println!("cargo:rerun-if-changed={}", p.display());
            read_lang(&p)
        })
        .collect();
    // Japanese first (the source and fallback), then the others in a stable order.
    langs.sort_by(|a, b| (a.code != SOURCE, &a.code).cmp(&(b.code != SOURCE, &b.code)));
    assert!(
        langs.first().is_some_and(|l| l.code == SOURCE),
        "i18n/{SOURCE}.toml is required"
    );
    let keys: Vec<&String> = langs[0].messages.keys().collect();

    for lang in &langs[1..] {
        for k in lang.messages.keys() {
            assert!(
                langs[0].messages.contains_key(k),
                "i18n/{}.toml: key `{k}` is not in i18n/{SOURCE}.toml (typo?)",
                lang.code
            );
        }
        for k in &keys {
            if !lang.messages.contains_key(*k) {
                println!(
                    "cargo:warning=i18n/{}.toml lacks `{k}`; Japanese is shown",
                    lang.code
                );
            }
        }
    }

    let mut out = String::new();
    out.push_str("/// A user-facing message; the variants are the keys of `i18n/ja.toml`.\n#[allow(dead_code)]\n");
    out.push_str(
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n#[repr(u16)]\npub enum Msg {\n",
    );
    for k in &keys {
        writeln!(out, "    {},", camel(k)).unwrap();
    }
    out.push_str("}\n\n/// The catalogue keys, in `Msg` order.\n#[allow(dead_code)]\npub const KEYS: &[&str] = &[\n");
    for k in &keys {
        writeln!(out, "    {k:?},").unwrap();
    }
    out.push_str(
        "];\n\n/// Every language, Japanese first.\npub static LANGUAGES: &[Catalogue] = &[\n",
    );
    for lang in &langs {
        writeln!(
            out,
            "    Catalogue {{ code: {:?}, name: {:?}, html_lang: {:?}, speech: {:?}, messages: &[",
            lang.code, lang.name, lang.html_lang, lang.speech
        )
        .unwrap();
        for k in &keys {
            match lang.messages.get(*k) {
                Some(v) => writeln!(out, "        Some({v:?}),").unwrap(),
                None => out.push_str("        None,\n"),
            }
        }
        out.push_str("    ] },\n");
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("catalogue.rs");
    fs::write(dest, out).unwrap();
}
