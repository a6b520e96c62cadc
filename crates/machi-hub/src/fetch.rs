//! Reading a source document from a URL or a local path, conditionally.
//!
//! URLs are fetched with a polite `User-Agent`, a timeout and a size cap, sending the
//! `If-None-Match` / `If-Modified-Since` validators of the last response; `304 Not Modified` is
//! [`Fetched::NotModified`]. Local paths (the demo city, tests, a hub fed by a mirror) behave the
//! same way, with the file's size and modification time as the validator. TLS is rustls: the hub
//! links no OpenSSL. [`Fetcher::get`] is the one HTTP GET: it also serves sources whose files may
//! be absent (a 5374 directory's optional files) and sources with a smaller size cap.

use crate::config::SourceLocation;
use reqwest::header;
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// The largest document the hub reads (the largest real JMA message is well under 1 MiB).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Sent with every request, so a source's operator can tell who is asking.
pub const USER_AGENT: &str = concat!(
    "machi-hub/",
    env!("CARGO_PKG_VERSION"),
    " (municipal PWA; +https://example.invalid/machi)"
);

/// What the last successful response said about its version of the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl Validators {
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// The outcome of a conditional read.
#[derive(Debug)]
pub enum Fetched {
    /// The document is the one the validators describe.
    NotModified,
    Body {
        bytes: Vec<u8>,
        validators: Validators,
    },
}

/// An HTTP client for source documents (cheap to clone).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
}

impl Fetcher {
    pub fn new() -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self { client })
    }

    /// Reads `location`; `previous` are the validators of the last good read, if any.
    pub async fn fetch(
        &self,
        location: &SourceLocation,
        previous: Option<&Validators>,
    ) -> Result<Fetched, String> {
        match location {
            SourceLocation::Url(url) => self
                .get(url, previous, MAX_BYTES)
                .await?
                .ok_or_else(|| format!("{url}: HTTP 404 Not Found")),
            SourceLocation::Path(path) => {
                let path = path.clone();
                let previous = previous.cloned();
                tokio::task::spawn_blocking(move || read_path(&path, previous.as_ref()))
                    .await
                    .map_err(|e| format!("reading {}: {e}", location_name(location)))?
            }
        }
    }

    /// One conditional GET of `url`, refusing a body over `max_bytes`; `None` when the server
    /// says the document is not there (404 or 410).
    pub async fn get(
        &self,
        url: &str,
        previous: Option<&Validators>,
        max_bytes: usize,
    ) -> Result<Option<Fetched>, String> {
        let mut request = self.client.get(url);
        if let Some(v) = previous {
            if let Some(etag) = &v.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Some(Fetched::NotModified));
        }
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(format!("{url}: HTTP {status}"));
        }
        if response
            .content_length()
            .is_some_and(|n| n > max_bytes as u64)
        {
            return Err(too_large(url, max_bytes));
        }
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &header::HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let validators = Validators {
            etag: header_text(header::ETAG),
            last_modified: header_text(header::LAST_MODIFIED),
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(too_large(url, max_bytes));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(Fetched::Body { bytes, validators }))
    }
}

fn too_large(url: &str, max_bytes: usize) -> String {
    format!(
        "{url}: larger than the limit of {max_bytes} bytes ({} MiB)",
        max_bytes / (1024 * 1024)
    )
}

/// A file's validator: its size and modification time.
fn file_validators(meta: &std::fs::Metadata) -> Validators {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Validators {
        etag: Some(format!("{}-{mtime}", meta.len())),
        last_modified: None,
    }
}

/// Reads a local file conditionally (blocking).
pub fn read_path(path: &Path, previous: Option<&Validators>) -> Result<Fetched, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    let validators = file_validators(&meta);
    if previous == Some(&validators) {
        return Ok(Fetched::NotModified);
    }
    if meta.len() > MAX_BYTES as u64 {
        return Err(format!(
            "{}: larger than the limit of {MAX_BYTES} bytes",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(Fetched::Body { bytes, validators })
}

/// How a location is named in logs and errors.
pub fn location_name(location: &SourceLocation) -> String {
    match location {
        SourceLocation::Url(url) => url.clone(),
        SourceLocation::Path(path) => path.display().to_string(),
    }
}

/// Where an Atom entry's `link` points, relative to the feed it was listed in.
///
/// An absolute http(s) link is used as is. A relative link resolves against the feed: a URL
/// feed's links are always URLs (a remote feed can never make the hub read a local file), and a
/// file feed's relative links are files beside it, never outside its directory.
pub fn resolve_link(feed: &SourceLocation, link: &str) -> Result<SourceLocation, String> {
    let link = link.trim();
    if link.starts_with("https://") || link.starts_with("http://") {
        return Ok(SourceLocation::Url(link.to_owned()));
    }
    match feed {
        SourceLocation::Url(base) => {
            let base = reqwest::Url::parse(base).map_err(|e| format!("{base}: {e}"))?;
            let url = base
                .join(link)
                .map_err(|e| format!("link {link:?} in {base}: {e}"))?;
            if matches!(url.scheme(), "http" | "https") {
                Ok(SourceLocation::Url(url.into()))
            } else {
                Err(format!("link {link:?} in {base} is not an http(s) URL"))
            }
        }
        SourceLocation::Path(feed_path) => {
            let rel = Path::new(link);
            let safe = !link.is_empty()
                && !link.contains("://")
                && rel
                    .components()
                    .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            if !safe {
                return Err(format!(
                    "link {link:?} in {} must be an http(s) URL or a file beside the feed",
                    feed_path.display()
                ));
            }
            let dir = feed_path
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf);
            Ok(SourceLocation::Path(dir.join(rel)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_against_their_feed() {
        let url = SourceLocation::Url("https://example.org/feed/extra.xml".into());
        assert_eq!(
            resolve_link(&url, "../data/a.xml").unwrap(),
            SourceLocation::Url("https://example.org/data/a.xml".into())
        );
        assert!(resolve_link(&url, "file:///etc/passwd").is_err());
        let path = SourceLocation::Path("public/demo/alerts/feed.xml".into());
        assert_eq!(
            resolve_link(&path, "a.xml").unwrap(),
            SourceLocation::Path("public/demo/alerts/a.xml".into())
        );
        assert_eq!(
            resolve_link(&path, "https://x.invalid/a.xml").unwrap(),
            SourceLocation::Url("https://x.invalid/a.xml".into())
        );
        for bad in ["../secret.xml", "/etc/passwd", "file:///etc/passwd", ""] {
            assert!(resolve_link(&path, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_unchanged_file_is_not_modified() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.xml");
        std::fs::write(&file, "<a/>").unwrap();
        let Fetched::Body { validators, .. } = read_path(&file, None).unwrap() else {
            panic!("first read has a body")
        };
        assert!(matches!(
            read_path(&file, Some(&validators)).unwrap(),
            Fetched::NotModified
        ));
    }
}
