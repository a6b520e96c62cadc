//! The built app (Trunk's `dist/`), read into memory with its content types, cache policy, ETags
//! and the Content-Security-Policy that allows exactly its inline scripts and styles.
//!
//! Serving from memory keeps every response consistent with one build (no half-written files
//! mid-rebuild) and rules out path traversal: only files found under the dist directory at load
//! time can ever be served. The directory is re-read on every refresh.

use crate::document::{etag_of, Document, Effort};
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One file of the app.
#[derive(Debug, Clone)]
pub struct StaticFile {
    pub doc: Document,
    pub content_type: String,
    /// Content-hashed by Trunk, so it can be cached forever.
    pub immutable: bool,
}

/// The app's files, keyed by URL path (`/index.html`, `/machi-0123…_bg.wasm`).
#[derive(Debug, Clone)]
pub struct AppFiles {
    files: HashMap<String, StaticFile>,
    /// `'sha256-…'` sources for each inline `<script>` of index.html.
    script_hashes: Vec<String>,
    /// `'sha256-…'` sources for each `<style>` of index.html (the first paint's styles).
    style_hashes: Vec<String>,
}

/// Why there is no app to serve (yet): said to the operator, who is told to build it.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    #[error("cannot read the app in {}: {source}", dir.display())]
    Unreadable {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} has no index.html", dir.display())]
    NoIndex { dir: PathBuf },
}

impl AppFiles {
    /// Reads every file under `dir`. Fails when there is no built app (no directory or no
    /// `index.html`). A file that `previous` already holds with the same content is taken from
    /// it, so each build is compressed once, not at every reload.
    pub fn load(dir: &Path, previous: Option<&AppFiles>) -> Result<AppFiles, DistError> {
        let mut files = HashMap::new();
        read_tree(dir, "", previous, &mut files).map_err(|source| DistError::Unreadable {
            dir: dir.to_owned(),
            source,
        })?;
        let index = files.get("/index.html").ok_or_else(|| DistError::NoIndex {
            dir: dir.to_owned(),
        })?;
        let html = String::from_utf8_lossy(&index.doc.bytes);
        let hashes = |texts: Vec<&str>| -> Vec<String> {
            texts
                .into_iter()
                .map(|text| {
                    let digest = Sha256::digest(text.as_bytes());
                    format!(
                        "'sha256-{}'",
                        base64::engine::general_purpose::STANDARD.encode(digest)
                    )
                })
                .collect()
        };
        Ok(AppFiles {
            script_hashes: hashes(inline_scripts(&html)),
            style_hashes: hashes(inline_styles(&html)),
            files,
        })
    }

    pub fn get(&self, path: &str) -> Option<&StaticFile> {
        self.files.get(path)
    }

    pub fn index_html(&self) -> Option<&StaticFile> {
        self.files.get("/index.html")
    }

    pub fn script_hashes(&self) -> &[String] {
        &self.script_hashes
    }

    pub fn style_hashes(&self) -> &[String] {
        &self.style_hashes
    }
}

fn read_tree(
    dir: &Path,
    prefix: &str,
    previous: Option<&AppFiles>,
    files: &mut HashMap<String, StaticFile>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            // A name that is not UTF-8 cannot be requested by URL anyway.
            continue;
        };
        let path = entry.path();
        // `metadata` follows symlinks, so a dist that links to build outputs still works.
        let meta = std::fs::metadata(&path)?;
        let url = format!("{prefix}/{name}");
        if meta.is_dir() {
            read_tree(&path, &url, previous, files)?;
        } else if meta.is_file() {
            let bytes = std::fs::read(&path)?;
            let same = previous
                .and_then(|p| p.files.get(&url))
                .filter(|f| f.doc.etag == etag_of(&bytes));
            let file = match same {
                Some(file) => file.clone(),
                None => {
                    let content_type = content_type(&name);
                    let doc = if is_compressible(&content_type) {
                        Document::compressed(bytes, Effort::Build)
                    } else {
                        Document::new(bytes)
                    };
                    StaticFile {
                        doc,
                        content_type,
                        immutable: is_hashed(&name),
                    }
                }
            };
            files.insert(url, file);
        }
    }
    Ok(())
}

/// Whether a type compresses (text, JSON, JavaScript, wasm, SVG); images and fonts already are.
fn is_compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/manifest+json")
        || content_type.starts_with("application/wasm")
        || content_type.starts_with("application/javascript")
        || content_type.starts_with("image/svg+xml")
}

/// The Content-Type for a file name. The app's own types are spelled out because browsers are
/// strict about them (wasm streaming compilation needs `application/wasm`, module scripts need a
/// JavaScript type); anything else is guessed from the extension.
pub fn content_type(name: &str) -> String {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let known = match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => {
            return mime_guess::from_path(name)
                .first_or_octet_stream()
                .essence_str()
                .to_owned()
        }
    };
    known.to_owned()
}

/// True for names Trunk content-hashes: a `-` and 12 or more hex digits ending the stem or
/// followed by `_` (`machi-4f1a2b3c4d5e6f70_bg.wasm`, `main-0123456789abcdef.css`). Trunk prints
/// its 64-bit hash without leading zeros, so a real hash can be shorter than 16 digits.
pub fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    stem.match_indices('-').any(|(i, _)| {
        let rest = &stem[i + 1..];
        let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        hex >= 12 && rest[hex..].chars().next().is_none_or(|c| c == '_')
    })
}

/// The exact text of every inline `<script>` (one without a `src` attribute) of an HTML page.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    elements(html, "script", true)
}

/// The exact text of every `<style>` element of an HTML page.
pub fn inline_styles(html: &str) -> Vec<&str> {
    elements(html, "style", false)
}

/// The text of every `<name>` element (raw text: `<script>` or `<style>`), but those with a `src`
/// attribute when `skip_src`.
fn elements<'a>(html: &'a str, name: &str, skip_src: bool) -> Vec<&'a str> {
    let lower = html.to_ascii_lowercase();
    let open = format!("<{name}");
    let close_tag = format!("</{name}");
    let mut found_texts = Vec::new();
    let mut at = 0;
    while let Some(found) = lower[at..].find(&open) {
        let tag_start = at + found;
        let after_name = tag_start + open.len();
        // `<scripts>` or `<style-x>` are other elements.
        if !lower[after_name..]
            .starts_with(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace())
        {
            at = after_name;
            continue;
        }
        let Some(tag_end) = tag_end(&lower, after_name) else {
            break;
        };
        let has_src =
            skip_src && attribute_names(&lower[after_name..tag_end]).any(|name| name == "src");
        let body_start = tag_end + 1;
        let Some(close) = lower[body_start..].find(&close_tag) else {
            break;
        };
        if !has_src {
            found_texts.push(&html[body_start..body_start + close]);
        }
        at = body_start + close;
    }
    found_texts
}

/// The index of the `>` closing a start tag, skipping `>` inside quoted attribute values.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, c) in html[from..].char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(from + i),
            _ => {}
        }
    }
    None
}

/// The attribute names of a start tag's attribute text (`type="module" src=x defer`).
fn attribute_names(attrs: &str) -> impl Iterator<Item = &str> {
    let mut names = Vec::new();
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            break;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        names.push(&rest[..end]);
        rest = rest[end..].trim_start();
        if let Some(value) = rest.strip_prefix('=') {
            let value = value.trim_start();
            rest = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].find(q).map_or("", |i| &value[i + 2..]),
                _ => {
                    let end = value
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(value.len());
                    &value[end..]
                }
            };
        }
    }
    names.into_iter()
}

/// The Content-Security-Policy for the app, allowing `script_hashes` as inline scripts and
/// `style_hashes` as `<style>` elements.
pub fn content_security_policy(script_hashes: &[String], style_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        script_src.push(' ');
        script_src.push_str(hash);
    }
    let mut style_src = String::from("'self'");
    for hash in style_hashes {
        style_src.push(' ');
        style_src.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src {style_src}; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; media-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("machi-4f1a2b3c4d5e6f70_bg.wasm"));
        assert!(is_hashed("machi-4f1a2b3c4d5e6f70.js"));
        assert!(is_hashed("main-0123456789abcdef.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("sw.js"));
        assert!(!is_hashed("icon-192.png"));
        assert!(!is_hashed("machi-0123456789abcdefg.js"));
        // Trunk drops leading zeros: a real build named its files with a 15-digit hash.
        assert!(is_hashed("machi-2c29897c8e301e5_bg.wasm"));
    }

    #[test]
    fn the_app_types_are_exact() {
        assert_eq!(content_type("a_bg.wasm"), "application/wasm");
        assert_eq!(
            content_type("manifest.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type("sw.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("a.jpg"), "image/jpeg");
        assert_eq!(content_type("noext"), "application/octet-stream");
    }

    #[test]
    fn only_inline_scripts_are_found() {
        let html = r#"<head><script src="x.js"></script><SCRIPT type="module" data-x="a>b">
import init from '/machi.js';init('/machi_bg.wasm');
</SCRIPT><scripts></scripts><script>1</script></head>"#;
        assert_eq!(
            inline_scripts(html),
            vec![
                "\nimport init from '/machi.js';init('/machi_bg.wasm');\n",
                "1"
            ]
        );
    }

    #[test]
    fn styles_are_found() {
        let html =
            r#"<style>a{b:c}</style><link rel=stylesheet href=x.css><STYLE media="x>y">d</STYLE>"#;
        assert_eq!(inline_styles(html), vec!["a{b:c}", "d"]);
        assert!(inline_scripts(html).is_empty());
    }

    #[test]
    fn a_src_in_a_value_is_not_a_src_attribute() {
        assert_eq!(
            inline_scripts(r#"<script data-note="src=1">a</script>"#),
            vec!["a"]
        );
        assert!(inline_scripts(r#"<script defer src=x.js>b</script>"#).is_empty());
    }

    #[test]
    fn the_policy_lists_the_hashes() {
        let csp = content_security_policy(&["'sha256-abc'".into()], &["'sha256-def'".into()]);
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc';"),
            "{csp}"
        );
        assert!(csp.contains("style-src 'self' 'sha256-def';"), "{csp}");
        assert!(content_security_policy(&[], &[]).contains("style-src 'self';"));
        assert!(csp.ends_with("frame-ancestors 'none'"));
    }
}
