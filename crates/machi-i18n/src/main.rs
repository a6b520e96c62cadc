//! `machi-i18n`: the catalogue's command line, for translators and the app's build.
//!
//! - `machi-i18n coverage [--missing]` prints how much of the Japanese source each language
//!   translates (messages and names), and with `--missing` which keys each one lacks.
//! - `machi-i18n export DIR` writes every language's texts (but Japanese, which the app compiles
//!   in) to `DIR/i18n/<code>-<hash>.txt`, and puts into `DIR/index.html` the first view (what is
//!   painted before the app's wasm has loaded) and the small inline script that applies the
//!   resident's settings and starts fetching their language and feeds meanwhile (see
//!   `first_view`). Run by `scripts/build-sw.mjs`, Trunk's post-build hook, on the staged app.

mod first_view;

use machi_i18n::{exports::FILES, Lang, Names, KEYS, NAME_COUNT};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("coverage") => {
            print!("{}", coverage(args.iter().any(|a| a == "--missing")));
            Ok(())
        }
        Some("export") if args.len() == 2 => export(Path::new(&args[1])),
        _ => Err("usage: machi-i18n coverage [--missing] | machi-i18n export DIR".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("machi-i18n: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The coverage table: one row per language.
fn coverage(missing: bool) -> String {
    let mut out = String::new();
    let total = KEYS.len() + NAME_COUNT;
    writeln!(
        out,
        "{:<10} {:<22} {:>9} {:>9} {:>5}  reviewed by",
        "language", "name", "messages", "names", "%"
    )
    .unwrap();
    for l in Lang::all() {
        let c = l.catalogue();
        let cov = c.coverage;
        writeln!(
            out,
            "{:<10} {:<22} {:>4}/{:<4} {:>4}/{:<4} {:>4}%  {}",
            c.code,
            c.name,
            cov.messages,
            KEYS.len(),
            cov.names,
            NAME_COUNT,
            cov.percent(),
            if c.is_reviewed() {
                c.reviewed_by
            } else {
                "not yet reviewed by a native speaker"
            }
        )
        .unwrap();
        if missing && cov.messages + cov.names < total {
            let keys: Vec<&str> = KEYS
                .iter()
                .enumerate()
                .filter(|(i, _)| machi_i18n::msg_at(*i).and_then(|m| l.message(m)).is_none())
                .map(|(_, k)| *k)
                .collect();
            if !keys.is_empty() {
                writeln!(out, "    messages: {}", keys.join(" ")).unwrap();
            }
            let names: Vec<String> = Names::ALL
                .iter()
                .flat_map(|g| {
                    g.entries()
                        .iter()
                        .filter(move |(_, n)| l.name(*n).is_none())
                        .map(move |(code, _)| format!("{}.{code}", g.group()))
                })
                .collect();
            if !names.is_empty() {
                writeln!(out, "    names: {}", names.join(" ")).unwrap();
            }
        }
    }
    out
}

/// Writes the language files, and the first view and its scripts, into a staged app.
fn export(dir: &Path) -> Result<(), String> {
    let target = dir.join("i18n");
    std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    for (name, text) in FILES.iter().skip(1) {
        let path = target.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let index = dir.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let html = with_loader(&html).ok_or_else(|| {
        format!(
            "{}: no <meta charset> nor <head>, or no <div id=\"first\"></div>",
            index.display()
        )
    })?;
    std::fs::write(&index, html).map_err(|e| format!("{}: {e}", index.display()))?;
    println!(
        "machi-i18n: {} language files in {}",
        FILES.len() - 1,
        target.display()
    );
    Ok(())
}

/// `html` with the first view's head script as the first thing in `<head>`
/// ([`first_view::head_script`]: settings and language applied before the first paint, the
/// language's texts and Today's feeds on their way while the wasm still loads; the app takes
/// them over from `window.machiCatalogue` (src/i18n.rs) and `window.machiFeeds` (src/feeds.rs)),
/// and the first view itself ([`first_view::view`]) in place of index.html's
/// `<div id="first"></div>`. The hub allows the scripts by their hashes
/// (crates/machi-hub/src/dist.rs).
fn with_loader(html: &str) -> Option<String> {
    let script = format!("<script>{}</script>", first_view::head_script());
    // After `<meta charset>` (which must stay in the first 1024 bytes), else at the start of
    // `<head>`; Trunk's minifier leaves out the optional `<head>` tag itself.
    let lower = html.to_ascii_lowercase();
    let after = |tag: &str| {
        let start = lower.find(tag)?;
        Some(start + lower[start..].find('>')? + 1)
    };
    let at = after("<meta charset").or_else(|| after("<head"))?;
    let html = format!("{}{script}{}", &html[..at], &html[at..]);
    // The placeholder as written in index.html or as Trunk's minifier writes it.
    let placeholder = ["<div id=\"first\"></div>", "<div id=first></div>"]
        .into_iter()
        .find(|p| html.contains(p))?;
    Some(html.replacen(placeholder, &first_view::view(), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_goes_first_in_head_and_names_the_files() {
        let html = with_loader(
            "<!doctype html><html><head><meta charset=utf-8></head><body><div id=\"first\"></div></html>",
        )
        .unwrap();
        assert!(html.starts_with("<!doctype html><html><head><meta charset=utf-8><script>"));
        // As Trunk's minifier writes it, without the optional `<head>`.
        let minified = with_loader(
            "<!doctype html><html lang=ja><meta charset=utf-8><title><div id=first></div>",
        )
        .unwrap();
        assert!(minified.contains("<meta charset=utf-8><script>(function(){"));
        let en = Lang::from_code("en").unwrap();
        assert!(html.contains(&format!(
            "[\"en\",\"en\",[\"/i18n/{}\"],[]]",
            en.catalogue().file
        )));
        // Japanese is compiled into the app: nothing to fetch.
        assert!(html.contains("[\"ja\",\"ja\",[],[]]"));
        // The first view took the placeholder's place, after the head script.
        assert!(!html.contains("<div id=\"first\"></div>"));
        assert!(html.contains("<body><div id=\"first\" inert>"));
        assert!(minified.contains("<div id=\"first\" inert>"));
        assert!(with_loader("<meta charset=utf-8><body>").is_none());
    }

    #[test]
    fn coverage_lists_every_language() {
        let table = coverage(true);
        for l in Lang::all() {
            assert!(table.contains(l.catalogue().name), "{}", l.code());
        }
    }
}
