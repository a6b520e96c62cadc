//! Reading one source document from a URL or a local path, conditionally: the first step of the
//! source pipeline ([`crate::sources`]).
//!
//! URLs are fetched with a polite `User-Agent`, a timeout and a size cap, sending the
//! `If-None-Match` / `If-Modified-Since` validators of the last response; `304 Not Modified` is
//! [`Fetched::NotModified`]. Local paths (the demo city, tests, a hub fed by a mirror) behave the
//! same way, with the file's size and modification time as the validator. A document that is not
//! there (HTTP 404 or 410, no such file) is `Ok(None)`: optional files of a source may be absent,
//! and the caller says whether that is an error. TLS is rustls: the hub links no OpenSSL.

use crate::config::SourceLocation;
use chrono::{DateTime, Utc};
use reqwest::header;
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// The largest document the hub reads (the largest real JMA message and 5374 file are well under
/// 1 MiB; the largest real vacancy table is about 1 MiB).
pub const MAX_BYTES: u64 = 8 * 1024 * 1024;

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

/// The outcome of a conditional read of a document that is there.
#[derive(Debug)]
pub enum Fetched {
    /// The document is the one the validators describe.
    NotModified,
    Body {
        bytes: Vec<u8>,
        validators: Validators,
        /// The file's modification time, or the response's `Last-Modified`.
        modified: Option<DateTime<Utc>>,
    },
}

/// Why a document could not be read; every variant names the URL or path.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: HTTP {status}")]
    Status {
        url: String,
        status: reqwest::StatusCode,
    },
    #[error("{url}: {source}")]
    Network {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{place}: larger than the limit of {limit} bytes ({} MiB)", limit / (1024 * 1024))]
    TooLarge { place: String, limit: u64 },
    #[error("{url}: 304 Not Modified to a plain request")]
    UnexpectedNotModified { url: String },
    #[error("{} is not a file", path.display())]
    NotAFile { path: PathBuf },
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// An HTTP client for source documents (cheap to clone).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
}

impl Fetcher {
    pub fn new() -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(FetchError::Client)?;
        Ok(Self { client })
    }

    /// Reads `location` if it changed since `previous` (the validators of the last good read),
    /// refusing more than `limit` bytes; `Ok(None)` when there is no such document.
    pub async fn get(
        &self,
        location: &SourceLocation,
        previous: Option<&Validators>,
        limit: u64,
    ) -> Result<Option<Fetched>, FetchError> {
        let previous = previous.filter(|v| !v.is_empty());
        match location {
            SourceLocation::Url(url) => self.get_url(url, previous, limit).await,
            SourceLocation::Path(path) => {
                let path = path.clone();
                let previous = previous.cloned();
                // File reads block; keep them off the async workers.
                tokio::task::spawn_blocking(move || read_path(&path, previous.as_ref(), limit))
                    .await
                    .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            }
        }
    }

    async fn get_url(
        &self,
        url: &str,
        previous: Option<&Validators>,
        limit: u64,
    ) -> Result<Option<Fetched>, FetchError> {
        let network = |source| FetchError::Network {
            url: url.to_owned(),
            source,
        };
        let mut request = self.client.get(url);
        if let Some(v) = previous {
            if let Some(etag) = &v.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let mut response = request.send().await.map_err(network)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return match previous {
                Some(_) => Ok(Some(Fetched::NotModified)),
                None => Err(FetchError::UnexpectedNotModified { url: url.into() }),
            };
        }
        if status == reqwest::StatusCode::NOT_FOUND || status == reqwest::StatusCode::GONE {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.to_owned(),
                status,
            });
        }
        let too_large = || FetchError::TooLarge {
            place: url.to_owned(),
            limit,
        };
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large());
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
        let modified = validators
            .last_modified
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc2822(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(network)? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(Fetched::Body {
            bytes,
            validators,
            modified,
        }))
    }
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

/// Reads a local file conditionally (blocking); `Ok(None)` when there is no file.
pub fn read_path(
    path: &Path,
    previous: Option<&Validators>,
    limit: u64,
) -> Result<Option<Fetched>, FetchError> {
    let file_error = |e| FetchError::File(crate::files::FileError::new("read", path, e));
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(e)),
    };
    if !meta.is_file() {
        return Err(FetchError::NotAFile {
            path: path.to_owned(),
        });
    }
    let validators = file_validators(&meta);
    if previous == Some(&validators) {
        return Ok(Some(Fetched::NotModified));
    }
    if meta.len() > limit {
        return Err(FetchError::TooLarge {
            place: path.display().to_string(),
            limit,
        });
    }
    let bytes = std::fs::read(path).map_err(file_error)?;
    Ok(Some(Fetched::Body {
        bytes,
        validators,
        modified: meta.modified().ok().map(DateTime::<Utc>::from),
    }))
}

/// A URL as it may be shown to anyone: without credentials, query or fragment (a source's URL may
/// carry an API key in either). Text that is not a URL is returned as it is.
pub fn public_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut u) if u.has_host() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.set_fragment(None);
            u.into()
        }
        _ => url.to_owned(),
    }
}

/// `text` (an error message) with every URL in it made [`public_url`].
pub fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The scheme: the letters just before `://`.
        let start = rest[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |i| i + 1);
        let end = rest[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .map_or(rest.len(), |i| at + i);
        // Punctuation closing a clause (`…?key=abc: HTTP 500`) is not part of the URL.
        let url = rest[start..end].trim_end_matches([',', ';', '.', ':']);
        let end = start + url.len();
        out.push_str(&rest[..start]);
        out.push_str(&public_url(url));
        rest = &rest[end.max(at + 3)..];
    }
    out.push_str(rest);
    out
}

/// A link in a feed that the hub will not follow.
#[derive(Debug, thiserror::Error)]
#[error("link {link:?} in {feed}: {why}")]
pub struct LinkError {
    pub link: String,
    pub feed: String,
    pub why: String,
}

/// Where an Atom entry's `link` points, relative to the feed it was listed in.
///
/// An absolute http(s) link is used as is. A relative link resolves against the feed: a URL
/// feed's links are always URLs (a remote feed can never make the hub read a local file), and a
/// file feed's relative links are files beside it, never outside its directory.
pub fn resolve_link(feed: &SourceLocation, link: &str) -> Result<SourceLocation, LinkError> {
    let link = link.trim();
    if link.starts_with("https://") || link.starts_with("http://") {
        return Ok(SourceLocation::Url(link.to_owned()));
    }
    let refused = |why: String| LinkError {
        link: link.to_owned(),
        feed: feed.to_string(),
        why,
    };
    match feed {
        SourceLocation::Url(base) => {
            let url = reqwest::Url::parse(base)
                .and_then(|base| base.join(link))
                .map_err(|e| refused(e.to_string()))?;
            if matches!(url.scheme(), "http" | "https") {
                Ok(SourceLocation::Url(url.into()))
            } else {
                Err(refused("not an http(s) URL".into()))
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
                return Err(refused(
                    "must be an http(s) URL or a file beside the feed".into(),
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
    fn urls_are_shown_without_credentials_or_query() {
        assert_eq!(
            public_url("https://user:pw@example.org/data/a.csv?key=abc#x"),
            "https://example.org/data/a.csv"
        );
        assert_eq!(public_url("data/a.csv"), "data/a.csv");
        let error =
            "cities/x.toml: source `g`: https://user:pw@example.org/a.csv?key=abc: HTTP 500 \
                     (also http://example.org/b?t=1, and \"https://k@example.org/c\".)";
        assert_eq!(
            redact_urls(error),
            "cities/x.toml: source `g`: https://example.org/a.csv: HTTP 500 \
             (also http://example.org/b, and \"https://example.org/c\".)"
        );
        assert_eq!(redact_urls("no url here"), "no url here");
        assert_eq!(redact_urls("odd ://x"), "odd ://x");
    }

    #[test]
    fn an_unchanged_file_is_not_modified_and_a_missing_one_is_absent() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.xml");
        std::fs::write(&file, "<a/>").unwrap();
        let Some(Fetched::Body { validators, .. }) = read_path(&file, None, MAX_BYTES).unwrap()
        else {
            panic!("first read has a body")
        };
        assert!(matches!(
            read_path(&file, Some(&validators), MAX_BYTES).unwrap(),
            Some(Fetched::NotModified)
        ));
        assert!(read_path(&dir.path().join("none"), None, MAX_BYTES)
            .unwrap()
            .is_none());
        let err = read_path(&file, None, 2).unwrap_err().to_string();
        assert!(
            err.contains("a.xml: larger than the limit of 2 bytes"),
            "{err}"
        );
    }
}
