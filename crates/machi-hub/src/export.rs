//! A static copy of what the hub serves, for any static host or CDN (`machi-hub export`): every
//! feed under `feeds/` with a content-hashed name, the manifest naming them, and, with the built
//! app, the app itself, so one directory is the whole site.
//!
//! ```text
//! out/feeds/manifest.json                  the one name that stays: each feed's hashed file (short cache)
//! out/feeds/index.<hash>.json              a feed under its content's hash: never changes (cache for ever)
//! out/feeds/{city}/garbage.<hash>.json     … every JSON feed the hub serves (city, garbage, alerts,
//!                                          nursery, meetings)
//! out/feeds/{city}/garbage.<hash>.bin      … and its postcard twin, which the app reads
//! out/feeds/index.json, {city}/garbage.bin …   the same bytes under the hub's names (short cache), for
//!                                          an app without a configured feed base and other readers
//! out/feeds/{city}/meetings.{lang}.ics …   the iCalendar feeds under the hub's names only: a calendar
//!                                          app subscribes to one address and polls it (short cache)
//! *.br, *.gz                               the feed files precompressed, for hosts that serve them
//! out/index.html, …                        the app (`--dist`), its index.html naming the feed base
//! ```
//!
//! The feeds are those of one assembly ([`crate::feeds::Feeds`], as a serving hub publishes them);
//! nothing here assembles. A feed whose content did not change since the previous export into the
//! same directory keeps its file (and its `generated_at`), so a second export of unchanged sources
//! writes the same names and a CDN's cached copies stay good. The manifest is written last, so a
//! host serving the directory while it is written never names a file that is not there yet. Older
//! hashed files are left in place: an app holding the previous manifest still finds them.

use crate::document::{Document, Effort};
use crate::feeds::Feeds;
use crate::files::{self, FileError};
use chrono::{DateTime, Utc};
use machi_data::feed::{FeedFile, FeedFormat, FeedManifest, FeedPath};
use machi_data::FEED_VERSION;
use std::path::{Path, PathBuf};

/// The name of the `<meta>` element of `index.html` that gives the app its feed base (read by the
/// app's `feeds.rs`).
pub const FEED_BASE_META: &str = "machi-feeds";

/// What an export wrote.
#[derive(Debug)]
pub struct Exported {
    pub manifest: FeedManifest,
    /// How many iCalendar feeds were written.
    pub calendars: usize,
}

/// Writes every feed of `feeds` under `out/feeds/` (see the module's layout), at `now`.
pub fn write_feeds(feeds: &Feeds, out: &Path, now: DateTime<Utc>) -> Result<Exported, FileError> {
    let dir = out.join("feeds");
    let previous = read_manifest(&dir);
    let mut files = std::collections::BTreeMap::new();
    let documents = feeds.documents();
    let previous_entry = |relative: &str| previous.as_ref().and_then(|m| m.files.get(relative));
    // What the previous export wrote and stays: a JSON feed unchanged but for its `generated_at`
    // and its postcard twin, the two together (else a kept JSON and a new twin would disagree on
    // `generated_at`).
    let mut kept = std::collections::BTreeMap::new();
    for (relative, _) in &documents {
        let Some(json_relative) = json_twin(relative) else {
            continue;
        };
        let json =
            previous_entry(&json_relative).zip(documents.iter().find(|(r, _)| *r == json_relative));
        let old_json = json.and_then(|(entry, (_, new))| unchanged(&dir, entry, &new.bytes));
        let old_bin = previous_entry(relative).and_then(|entry| unchanged_twin(&dir, entry));
        if let (Some(old_json), Some(old_bin)) = (old_json, old_bin) {
            kept.insert(json_relative, old_json);
            kept.insert(relative.clone(), old_bin);
        }
    }
    for (relative, doc) in documents {
        let kept = kept.remove(&relative);
        let (entry, doc) = match kept {
            Some((entry, bytes)) => (entry, Document::compressed(bytes, Effort::Change)),
            None => {
                let sha256 = files::hex_sha256(&doc.bytes);
                let entry = FeedFile {
                    file: FeedPath::hashed(&relative, &sha256),
                    sha256,
                    size: doc.bytes.len() as u64,
                    // A postcard twin is as old as its JSON feed, written just before it.
                    generated_at: json_twin(&relative)
                        .and_then(|json| files.get(&json))
                        .map(|e: &FeedFile| e.generated_at)
                        .or_else(|| generated_at(&doc.bytes))
                        .unwrap_or(now),
                };
                (entry, doc.clone())
            }
        };
        let hashed = dir.join(&entry.file);
        // Content-addressed: a file already there under this name holds these bytes.
        if !hashed.is_file() {
            write_with_encodings(&hashed, &doc)?;
        }
        write_with_encodings(&dir.join(&relative), &doc)?;
        files.insert(relative, entry);
    }
    let mut calendars = 0;
    for path in feeds.calendars() {
        // Written without an app address (events link the sources' pages) and without a reminder
        // (the hub's `?remind=HH` needs a hub).
        if let Ok(doc) = feeds.calendar(&path, None, None) {
            replace(&dir.join(path.relative()), &doc.bytes)?;
            calendars += 1;
        }
    }
    // Unchanged files, unchanged manifest: its `generated_at` moves only with what it names.
    let generated_at = match &previous {
        Some(p) if p.files == files => p.generated_at,
        _ => now,
    };
    let manifest = FeedManifest {
        version: FEED_VERSION,
        generated_at,
        files,
    };
    let bytes = serde_json::to_vec(&manifest).expect("the manifest always serialises to JSON");
    let doc = Document::compressed(bytes, Effort::Change);
    let path = dir.join(FeedManifest::PATH);
    for (suffix, bytes) in encodings(&doc) {
        if suffix.is_empty() {
            continue;
        }
        replace(&sibling(&path, suffix), bytes)?;
    }
    // Last, and durably: the manifest names only files already written.
    files::write_atomic(&path, &doc.bytes)?;
    Ok(Exported {
        manifest,
        calendars,
    })
}

/// Copies the built app (Trunk's `dist/`) into `out`, its `index.html` naming `feed_base` as
/// where the feeds are (`<meta name="machi-feeds">`); returns how many files it copied.
pub fn copy_app(dist: &Path, out: &Path, feed_base: &str) -> Result<usize, FileError> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index).map_err(|e| FileError::new("read", &index, e))?;
    let mut copied = 0;
    copy_tree(dist, out, &mut copied)?;
    replace(
        &out.join("index.html"),
        with_feed_base(&html, feed_base).as_bytes(),
    )?;
    Ok(copied)
}

/// `html` with its feed base set to `base`: an element already there is replaced, else one is
/// put first in the head, after `<meta charset>`, before the inline script that reads it as the
/// page loads (crates/machi-i18n/src/first_view.rs); without one, before `</head>`.
pub fn with_feed_base(html: &str, base: &str) -> String {
    let escaped = base
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    let meta = format!("<meta name=\"{FEED_BASE_META}\" content=\"{escaped}\">");
    let tag_around = |at: usize| -> Option<(usize, usize)> {
        let start = html[..at].rfind("<meta")?;
        let end = at + html[at..].find('>')? + 1;
        (!html[start..at].contains('>')).then_some((start, end))
    };
    let existing = html
        .match_indices(FEED_BASE_META)
        .find_map(|(at, _)| tag_around(at));
    if let Some((start, end)) = existing {
        return format!("{}{meta}{}", &html[..start], &html[end..]);
    }
    let after = |tag: &str| -> Option<usize> {
        let start = html.find(tag)?;
        Some(start + html[start..].find('>')? + 1)
    };
    let at = after("<meta charset")
        .or_else(|| html.find("</head>"))
        .or_else(|| after("<head"))
        .or_else(|| after("<html"))
        .unwrap_or(0);
    format!("{}{meta}{}", &html[..at], &html[at..])
}

fn copy_tree(from: &Path, to: &Path, copied: &mut usize) -> Result<(), FileError> {
    std::fs::create_dir_all(to).map_err(|e| FileError::new("create", to, e))?;
    let entries = std::fs::read_dir(from).map_err(|e| FileError::new("list", from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| FileError::new("list", from, e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry
            .file_type()
            .map_err(|e| FileError::new("read", &source, e))?;
        if kind.is_dir() {
            copy_tree(&source, &target, copied)?;
        } else {
            std::fs::copy(&source, &target).map_err(|e| FileError::new("write", &target, e))?;
            *copied += 1;
        }
    }
    Ok(())
}

/// The previous export's manifest, if `dir` has a readable one.
fn read_manifest(dir: &Path) -> Option<FeedManifest> {
    let text = std::fs::read_to_string(dir.join(FeedManifest::PATH)).ok()?;
    machi_data::feed::parse_feed(&text).ok()
}

/// The previous export's entry and bytes for a feed whose content is `new` but for its
/// `generated_at`, if its file is still there.
fn unchanged(dir: &Path, entry: &FeedFile, new: &[u8]) -> Option<(FeedFile, Vec<u8>)> {
    let old = std::fs::read(dir.join(&entry.file)).ok()?;
    if files::hex_sha256(&old) != entry.sha256 {
        return None;
    }
    let content = |bytes: &[u8]| -> Option<serde_json::Value> {
        let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        value.as_object_mut()?.remove("generated_at");
        Some(value)
    };
    (content(&old)? == content(new)?).then(|| (entry.clone(), old))
}

/// The previous export's postcard twin of a JSON feed kept as it was, if its file is still there
/// and in this build's layout (its `generated_at` is the kept JSON's; an export by a hub built
/// from other feed types wrote it in another layout, which this build's app could not read).
fn unchanged_twin(dir: &Path, entry: &FeedFile) -> Option<(FeedFile, Vec<u8>)> {
    let old = std::fs::read(dir.join(&entry.file)).ok()?;
    let good = files::hex_sha256(&old) == entry.sha256 && machi_data::wire::is_current(&old);
    good.then(|| (entry.clone(), old))
}

/// `{city}/garbage.json` for `{city}/garbage.bin`.
fn json_twin(relative: &str) -> Option<String> {
    let stem = relative.strip_suffix(FeedFormat::Postcard.extension())?;
    Some(format!("{stem}{}", FeedFormat::Json.extension()))
}

/// A feed's own `generated_at`.
fn generated_at(bytes: &[u8]) -> Option<DateTime<Utc>> {
    #[derive(serde::Deserialize)]
    struct Generated {
        generated_at: DateTime<Utc>,
    }
    serde_json::from_slice::<Generated>(bytes)
        .ok()
        .map(|g| g.generated_at)
}

/// The representations of `doc`: the file's suffix and its bytes.
fn encodings(doc: &Document) -> Vec<(&'static str, &[u8])> {
    let mut all = vec![("", &doc.bytes[..])];
    if let Some(br) = &doc.br {
        all.push((".br", &br[..]));
    }
    if let Some(gzip) = &doc.gzip {
        all.push((".gz", &gzip[..]));
    }
    all
}

/// Writes `doc` at `path` with its `.br` and `.gz` siblings (each when smaller); a sibling left
/// by an earlier, compressible version is removed.
fn write_with_encodings(path: &Path, doc: &Document) -> Result<(), FileError> {
    for suffix in [".br", ".gz"] {
        let _ = std::fs::remove_file(sibling(path, suffix));
    }
    for (suffix, bytes) in encodings(doc) {
        if !suffix.is_empty() {
            replace(&sibling(path, suffix), bytes)?;
        }
    }
    replace(path, &doc.bytes)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Writes `bytes` at `path` through a temporary file renamed over it, so a host serving the
/// directory meanwhile sends the old file or the new one, never a part. Not synced: an export is
/// made again from the sources, not recovered.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| FileError::new("create", dir, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            FileError::new("write", path, e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_feed_base_goes_into_the_head_once() {
        let html = "<html><head><title>x</title></head><body></body></html>";
        let once = with_feed_base(html, "https://cdn.example/feeds/");
        assert_eq!(
            once,
            "<html><head><title>x</title><meta name=\"machi-feeds\" \
             content=\"https://cdn.example/feeds/\"></head><body></body></html>"
        );
        let twice = with_feed_base(&once, "/feeds/");
        assert_eq!(twice.matches("machi-feeds").count(), 1);
        assert!(twice.contains("content=\"/feeds/\""), "{twice}");
        assert!(with_feed_base(html, "/a\"b/").contains("content=\"/a&quot;b/\""));
        // Trunk's minified page: no </head>, attributes unquoted.
        let minified =
            "<!doctype html><html lang=ja><meta charset=utf-8><script>x</script><title>M</title>";
        let set = with_feed_base(minified, "/feeds/");
        assert!(
            set.starts_with(
                "<!doctype html><html lang=ja><meta charset=utf-8><meta name=\"machi-feeds\""
            ),
            "{set}"
        );
        // Before the head script that looks for it, whether or not `</head>` is written.
        let built =
            "<html lang=ja><meta charset=utf-8><script>x</script><title>M</title></head><body>";
        assert!(with_feed_base(built, "/feeds/")
            .starts_with("<html lang=ja><meta charset=utf-8><meta name=\"machi-feeds\""));
        let by_hand = "<html><meta content=https://a/ name=machi-feeds><title>M</title>";
        assert_eq!(
            with_feed_base(by_hand, "/feeds/"),
            "<html><meta name=\"machi-feeds\" content=\"/feeds/\"><title>M</title>"
        );
    }
}
