//! Languages read at run time: the app embeds Japanese only, and installs the chosen language's
//! texts from the file `machi-i18n export` wrote next to it (`/i18n/<code>-<hash>.txt`).
//!
//! The file is plain UTF-8 lines, as `build.rs` writes it:
//! ```text
//! machi-i18n <format> <schema hash> <code>
//! M <count>            then one line per message, in `Msg` order
//! N <count>            then one line per name, in `Name` order
//! P <count>            then `<message index>\t<plural category>\t<text>` lines
//! R <count>            then `<word>\t<reading>` lines
//! ```
//! A text has `\`, newline and tab escaped (`\\`, `\n`, `\t`); a missing one is the line `\-`.
//! A file of another schema (another build's keys) is refused, never misread.

use crate::{Lang, Tables, Texts, FORMAT, KEYS, LANGUAGES, LANGUAGE_COUNT, NAME_COUNT, SCHEMA};
use std::sync::OnceLock;

/// Each language's texts once installed; a language is installed at most once per run, so what
/// it holds lives as long as the app (and `raw` can hand out `&'static str`).
static LOADED: [OnceLock<Tables>; LANGUAGE_COUNT] = [const { OnceLock::new() }; LANGUAGE_COUNT];

pub(crate) fn tables(index: usize) -> Option<&'static Tables> {
    LOADED.get(index)?.get()
}

/// True when `lang`'s texts are there to be shown (compiled in or installed).
pub fn is_loaded(lang: Lang) -> bool {
    lang.is_ready()
}

/// Why an exported catalogue file was not installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The first line is not a Machi catalogue header.
    NotACatalogue,
    /// Written by a build with another file layout or other keys: never read across versions.
    OtherVersion,
    /// A language this build does not know.
    UnknownLanguage(String),
    /// The file ends early or a section is not where it should be (`what` names the section).
    Malformed { line: usize, what: &'static str },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotACatalogue => write!(f, "not a Machi catalogue file"),
            LoadError::OtherVersion => write!(f, "a catalogue of another version of Machi"),
            LoadError::UnknownLanguage(code) => write!(f, "unknown language `{code}`"),
            LoadError::Malformed { line, what } => write!(f, "line {line}: expected {what}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// Reads an exported catalogue file and makes its language's texts available to [`crate::raw`]
/// and the rest; returns the language. Installing a language already there changes nothing.
pub fn install(file: &str) -> Result<Lang, LoadError> {
    let mut lines = file.lines().enumerate().map(|(i, l)| (i + 1, l));
    let (_, header) = lines.next().ok_or(LoadError::NotACatalogue)?;
    let mut parts = header.split(' ');
    if parts.next() != Some("machi-i18n") {
        return Err(LoadError::NotACatalogue);
    }
    let format = parts.next().and_then(|f| f.parse::<u32>().ok());
    let schema = parts.next().and_then(|s| u64::from_str_radix(s, 16).ok());
    if format != Some(FORMAT) || schema != Some(SCHEMA) {
        return Err(LoadError::OtherVersion);
    }
    let code = parts.next().unwrap_or_default();
    let lang = Lang::from_code(code).ok_or_else(|| LoadError::UnknownLanguage(code.to_owned()))?;
    if lang.is_ready() {
        return Ok(lang);
    }

    let mut section = |tag: &'static str, what: &'static str| -> Result<Vec<&str>, LoadError> {
        let (line, head) = lines.next().ok_or(LoadError::Malformed { line: 0, what })?;
        let count = head
            .strip_prefix(tag)
            .and_then(|n| n.trim().parse::<usize>().ok())
            .ok_or(LoadError::Malformed { line, what })?;
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let (_, text) = lines.next().ok_or(LoadError::Malformed { line, what })?;
            out.push(text);
        }
        Ok(out)
    };
    let messages = section("M ", "the messages")?;
    let names = section("N ", "the names")?;
    let plurals = section("P ", "the plural forms")?;
    let readings = section("R ", "the readings")?;
    if messages.len() != KEYS.len() || names.len() != NAME_COUNT {
        return Err(LoadError::OtherVersion);
    }

    let plurals = plurals
        .iter()
        .map(|line| {
            let mut cells = line.splitn(3, '\t');
            let index = cells.next()?.parse::<u16>().ok()?;
            let category = leak(cells.next()?.to_owned());
            let text = leak(unescape(cells.next()?));
            ((index as usize) < KEYS.len()).then_some((index, category, text))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(LoadError::Malformed {
            line: 0,
            what: "plural forms as `index\\tcategory\\ttext`",
        })?;
    let readings = readings
        .iter()
        .map(|line| {
            let (word, reading) = line.split_once('\t')?;
            Some((leak(unescape(word)), leak(unescape(reading))))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or(LoadError::Malformed {
            line: 0,
            what: "readings as `word\\treading`",
        })?;

    let tables = Tables {
        messages: texts(&messages),
        names: texts(&names),
        plurals: Vec::leak(plurals),
        readings: Vec::leak(readings),
    };
    // Another install of the same language may have won: either is the same file.
    let _ = LOADED[lang.0].set(tables);
    debug_assert!(LANGUAGES[lang.0].code == code);
    Ok(lang)
}

/// Packs lines into a [`Texts`] table (the layout compiled-in languages have).
fn texts(lines: &[&str]) -> Texts {
    let mut all = String::new();
    let mut ends = Vec::with_capacity(lines.len());
    for line in lines {
        if *line == "\\-" {
            ends.push(all.len() as u32 | Texts::MISSING);
        } else {
            all.push_str(&unescape(line));
            ends.push(all.len() as u32);
        }
    }
    Texts {
        text: leak(all),
        ends: Vec::leak(ends),
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::FILES;

    #[test]
    fn every_exported_file_reads_back_as_its_language() {
        for (name, text) in FILES {
            let lang = install(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(name.starts_with(&format!("{}-", lang.code())), "{name}");
            assert_eq!(lang.catalogue().file, *name);
        }
    }

    #[test]
    fn an_exported_file_holds_exactly_the_compiled_texts() {
        // Parse each file into fresh tables (the compiled-in ones win in `install` here) and
        // compare every message, name, plural form and reading.
        for (name, text) in FILES {
            let code = text.lines().next().unwrap().rsplit(' ').next().unwrap();
            let lang = Lang::from_code(code).unwrap();
            let compiled = lang.catalogue().embedded.unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let messages = texts(&lines[2..2 + KEYS.len()]);
            for (i, key) in KEYS.iter().enumerate() {
                assert_eq!(messages.get(i), compiled.messages.get(i), "{name} {key}");
            }
            let start = 3 + KEYS.len();
            let names = texts(&lines[start..start + NAME_COUNT]);
            for i in 0..NAME_COUNT {
                assert_eq!(names.get(i), compiled.names.get(i), "{name} name {i}");
            }
        }
    }

    #[test]
    fn another_version_or_garbage_is_refused() {
        let (_, text) = FILES[1];
        let other = text.replacen(&format!("{SCHEMA:016x}"), "0123456789abcdef", 1);
        assert_eq!(install(&other), Err(LoadError::OtherVersion));
        assert_eq!(install("<!doctype html>"), Err(LoadError::NotACatalogue));
        let header = text.lines().next().unwrap();
        let unknown = header.replace(header.rsplit(' ').next().unwrap(), "qaa");
        assert_eq!(
            install(&format!("{unknown}\n")),
            Err(LoadError::UnknownLanguage("qaa".into()))
        );
    }

    #[test]
    fn escapes_round_trip() {
        assert_eq!(unescape("a\\nb\\tc\\\\d"), "a\nb\tc\\d");
    }
}
