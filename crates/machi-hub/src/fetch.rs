//! Reading one source document from a URL or a local path, conditionally: the first step of the
//! source pipeline ([`crate::sources`]).
//!
//! URLs are fetched with a polite `User-Agent`, a timeout and a size cap, sending the
//! `If-None-Match` / `If-Modified-Since` validators of the last response; `304 Not Modified` is
//! [`Fetched::NotModified`]. Local paths (the demo city, tests, a hub fed by a mirror) behave the
//! same way, with the file's size and modification time as the validator. A document that is not
//! there (HTTP 404 or 410, no such file) is `Ok(None)`: optional files of a source may be absent,
//! and the caller says whether that is an error. TLS is rustls: the hub links no OpenSSL.

use crate::address::{is_allowed, PublicResolver};
use crate::config::SourceLocation;
use crate::store::{BlobWriter, Store};
use chrono::{DateTime, Utc};
use reqwest::header;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};
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

/// What the hub may connect to when it reads sources given as URLs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchPolicy {
    /// TEST ONLY (`--fetch-allow-loopback`): loopback addresses, over http too, for a local test
    /// server. Never on a public hub: a remote feed could then make it read its own services.
    pub allow_loopback: bool,
}

impl FetchPolicy {
    /// What the tests' local file servers need.
    pub const LOOPBACK_FOR_TESTS: FetchPolicy = FetchPolicy {
        allow_loopback: true,
    };

    /// Whether the hub may connect to `url` (its address or name; names are checked again by the
    /// resolver at connect time) over `http` or `https`.
    pub fn check(&self, url: &reqwest::Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err("not an http(s) URL".into());
        }
        match url.host() {
            None => Err("no host".into()),
            Some(url::Host::Ipv4(ip)) => self.address(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.address(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                let local = name == "localhost"
                    || name.ends_with(".localhost")
                    || name.ends_with(".local")
                    || name.ends_with(".internal")
                    || name.ends_with(".home.arpa");
                if local && !self.allow_loopback {
                    Err(format!("{name} is not a public host name"))
                } else {
                    Ok(())
                }
            }
        }
    }

    fn address(&self, ip: IpAddr) -> Result<(), String> {
        if is_allowed(ip, self.allow_loopback) {
            Ok(())
        } else {
            Err(format!("{ip} is not a public address"))
        }
    }

    /// Whether a link or a redirect may go to `url`: https (a test's loopback server may use
    /// http), on `home`'s host or one of `hosts`.
    fn may_follow(
        &self,
        url: &reqwest::Url,
        home: Option<&str>,
        hosts: &BTreeSet<String>,
    ) -> Result<(), String> {
        self.check(url)?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let loopback = host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
            || host == "localhost";
        if url.scheme() != "https" && !(self.allow_loopback && loopback) {
            return Err("not https".into());
        }
        if home.is_some_and(|h| h.eq_ignore_ascii_case(&host)) || hosts.contains(&host) {
            Ok(())
        } else {
            Err(format!(
                "{host} is neither the feed's host nor one the city file lists (`hosts`)"
            ))
        }
    }
}

/// Why a document could not be read; every variant names the URL or path.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{url}: refused: {why}")]
    Refused { url: String, why: String },
    #[error("{url}: HTTP {status}")]
    Status {
        url: String,
        status: reqwest::StatusCode,
    },
    #[error("{url}: {}", causes(source))]
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

/// What went wrong in a request, with its causes ("error following redirect: redirect to …
/// refused: …"), without the URL reqwest repeats.
fn causes(e: &reqwest::Error) -> String {
    let top = e.to_string();
    let top = match top.find(" for url (") {
        Some(at) => &top[..at],
        None => &top,
    };
    let mut out = top.to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

/// An HTTP client for source documents (cheap to clone).
///
/// It connects to public addresses only (the resolver refuses a name with any other, at
/// connect time; IP literals are checked before), follows at most five redirects, each to
/// https on the same host or one a city file lists ([`Fetcher::set_hosts`]), and takes no proxy
/// from the environment (it would connect where the resolver never looked).
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: FetchPolicy,
    hosts: Arc<RwLock<BTreeSet<String>>>,
}

impl Fetcher {
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        let hosts: Arc<RwLock<BTreeSet<String>>> = Arc::default();
        let allowed = hosts.clone();
        let redirect = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > 5 {
                return attempt.error("more than 5 redirects");
            }
            let home = attempt
                .previous()
                .first()
                .and_then(|u| u.host_str().map(str::to_owned));
            let hosts = allowed.read().unwrap_or_else(|p| p.into_inner());
            match policy.may_follow(attempt.url(), home.as_deref(), &hosts) {
                Ok(()) => attempt.follow(),
                Err(why) => {
                    let to = public_url(attempt.url().as_str());
                    attempt.error(format!("redirect to {to} refused: {why}"))
                }
            }
        });
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .redirect(redirect)
            .no_proxy()
            .dns_resolver(Arc::new(PublicResolver {
                allow_loopback: policy.allow_loopback,
            }))
            .build()
            .map_err(FetchError::Client)?;
        Ok(Self {
            client,
            policy,
            hosts,
        })
    }

    /// What this fetcher may connect to.
    pub fn policy(&self) -> FetchPolicy {
        self.policy
    }

    /// The hosts redirects may go to besides the requested one: every host the city files list
    /// (their sources' URLs and `hosts`). Set at every poll.
    pub fn set_hosts(&self, hosts: BTreeSet<String>) {
        *self.hosts.write().unwrap_or_else(|p| p.into_inner()) = hosts;
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

    /// Reads `location` like [`Fetcher::get`], writing a new version into `store` as it
    /// arrives (hashed and written chunk by chunk, never whole in memory) instead of returning
    /// its bytes.
    pub async fn get_stored(
        &self,
        location: &SourceLocation,
        previous: Option<&Validators>,
        limit: u64,
        store: &Store,
    ) -> Result<Option<Stored>, FetchError> {
        let previous = previous.filter(|v| !v.is_empty());
        match location {
            SourceLocation::Url(url) => {
                let Some(mut response) = self.start(url, previous, limit).await? else {
                    return Ok(None);
                };
                let (validators, modified) = match &response {
                    Started::NotModified => return Ok(Some(Stored::NotModified)),
                    Started::Body {
                        validators,
                        modified,
                        ..
                    } => (validators.clone(), *modified),
                };
                let mut writer = store.writer().map_err(FetchError::File)?;
                let mut written = 0u64;
                if let Started::Body { response, .. } = &mut response {
                    while let Some(chunk) =
                        response
                            .chunk()
                            .await
                            .map_err(|source| FetchError::Network {
                                url: url.to_owned(),
                                source,
                            })?
                    {
                        written += chunk.len() as u64;
                        if written > limit {
                            return Err(FetchError::TooLarge {
                                place: url.to_owned(),
                                limit,
                            });
                        }
                        writer.write(&chunk).map_err(FetchError::File)?;
                    }
                }
                let sha256 = writer.finish().map_err(FetchError::File)?;
                Ok(Some(Stored::Body {
                    sha256,
                    validators,
                    modified,
                }))
            }
            SourceLocation::Path(path) => {
                let (path, previous, store) = (path.clone(), previous.cloned(), store.clone());
                // File reads block; keep them off the async workers.
                tokio::task::spawn_blocking(move || {
                    store_path(&path, previous.as_ref(), limit, &store)
                })
                .await
                .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
            }
        }
    }

    /// Sends a conditional GET and reads the answer's head: `None` when the document is not
    /// there (404, 410).
    async fn start(
        &self,
        url: &str,
        previous: Option<&Validators>,
        limit: u64,
    ) -> Result<Option<Started>, FetchError> {
        let network = |source| FetchError::Network {
            url: url.to_owned(),
            source,
        };
        let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::Refused {
            url: url.to_owned(),
            why: e.to_string(),
        })?;
        // Names are checked by the resolver when connecting; an address is not resolved.
        self.policy
            .check(&parsed)
            .map_err(|why| FetchError::Refused {
                url: url.to_owned(),
                why,
            })?;
        let mut request = self.client.get(parsed);
        if let Some(v) = previous {
            if let Some(etag) = &v.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let response = request.send().await.map_err(network)?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return match previous {
                Some(_) => Ok(Some(Started::NotModified)),
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
        Ok(Some(Started::Body {
            response,
            validators,
            modified,
        }))
    }

    async fn get_url(
        &self,
        url: &str,
        previous: Option<&Validators>,
        limit: u64,
    ) -> Result<Option<Fetched>, FetchError> {
        let (mut response, validators, modified) = match self.start(url, previous, limit).await? {
            None => return Ok(None),
            Some(Started::NotModified) => return Ok(Some(Fetched::NotModified)),
            Some(Started::Body {
                response,
                validators,
                modified,
            }) => (response, validators, modified),
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|source| FetchError::Network {
                url: url.to_owned(),
                source,
            })?
        {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(FetchError::TooLarge {
                    place: url.to_owned(),
                    limit,
                });
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

/// An answer whose head was read.
enum Started {
    NotModified,
    Body {
        response: reqwest::Response,
        validators: Validators,
        modified: Option<DateTime<Utc>>,
    },
}

/// The outcome of a conditional read into the store ([`Fetcher::get_stored`]).
#[derive(Debug)]
pub enum Stored {
    NotModified,
    Body {
        sha256: String,
        validators: Validators,
        modified: Option<DateTime<Utc>>,
    },
}

/// [`read_path`] into the store: the file is copied chunk by chunk (blocking).
fn store_path(
    path: &Path,
    previous: Option<&Validators>,
    limit: u64,
    store: &Store,
) -> Result<Option<Stored>, FetchError> {
    use std::io::Read as _;
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
        return Ok(Some(Stored::NotModified));
    }
    if meta.len() > limit {
        return Err(FetchError::TooLarge {
            place: path.display().to_string(),
            limit,
        });
    }
    let mut file = std::fs::File::open(path).map_err(file_error)?;
    let mut writer: BlobWriter = store.writer().map_err(FetchError::File)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(file_error)?;
        if n == 0 {
            break;
        }
        written += n as u64;
        if written > limit {
            return Err(FetchError::TooLarge {
                place: path.display().to_string(),
                limit,
            });
        }
        writer.write(&buf[..n]).map_err(FetchError::File)?;
    }
    Ok(Some(Stored::Body {
        sha256: writer.finish().map_err(FetchError::File)?,
        validators,
        modified: meta.modified().ok().map(DateTime::<Utc>::from),
    }))
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
/// A remote feed cannot steer the hub: its links (absolute or relative) must be https on the
/// feed's own host or on one of `hosts` (what the city file lists), never a local file. A file
/// feed (the operator's own) may link to any public http(s) URL, and its relative links are files
/// beside it, never outside its directory. Either way the address is checked again at connect
/// time ([`FetchPolicy`]).
pub fn resolve_link(
    feed: &SourceLocation,
    link: &str,
    hosts: &BTreeSet<String>,
    policy: FetchPolicy,
) -> Result<SourceLocation, LinkError> {
    let link = link.trim();
    let refused = |why: String| LinkError {
        link: link.to_owned(),
        feed: public_url(&feed.to_string()),
        why,
    };
    match feed {
        SourceLocation::Url(base) => {
            let base = reqwest::Url::parse(base).map_err(|e| refused(e.to_string()))?;
            let url = base.join(link).map_err(|e| refused(e.to_string()))?;
            policy
                .may_follow(&url, base.host_str(), hosts)
                .map_err(refused)?;
            Ok(SourceLocation::Url(url.into()))
        }
        SourceLocation::Path(_) if link.starts_with("https://") || link.starts_with("http://") => {
            let url = reqwest::Url::parse(link).map_err(|e| refused(e.to_string()))?;
            policy.check(&url).map_err(refused)?;
            Ok(SourceLocation::Url(link.to_owned()))
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
        let strict = FetchPolicy::default();
        let none = BTreeSet::new();
        let url = SourceLocation::Url("https://example.org/feed/extra.xml".into());
        assert_eq!(
            resolve_link(&url, "../data/a.xml", &none, strict).unwrap(),
            SourceLocation::Url("https://example.org/data/a.xml".into())
        );
        assert!(resolve_link(&url, "file:///etc/passwd", &none, strict).is_err());
        let path = SourceLocation::Path("public/demo/alerts/feed.xml".into());
        assert_eq!(
            resolve_link(&path, "a.xml", &none, strict).unwrap(),
            SourceLocation::Path("public/demo/alerts/a.xml".into())
        );
        assert_eq!(
            resolve_link(&path, "https://x.invalid/a.xml", &none, strict).unwrap(),
            SourceLocation::Url("https://x.invalid/a.xml".into())
        );
        for bad in ["../secret.xml", "/etc/passwd", "file:///etc/passwd", ""] {
            assert!(resolve_link(&path, bad, &none, strict).is_err(), "{bad}");
        }
    }

    /// A remote feed cannot make the hub fetch from wherever it likes: its links stay on its
    /// host (or a host the city file lists), on https, and never on a private address.
    #[test]
    fn a_remote_feed_cannot_steer_the_hub() {
        let strict = FetchPolicy::default();
        let feed =
            SourceLocation::Url("https://www.data.jma.go.jp/developer/xml/feed/extra.xml".into());
        let none = BTreeSet::new();
        let listed: BTreeSet<String> = ["mirror.example.jp".to_owned()].into();
        let link = |l: &str, hosts: &BTreeSet<String>| resolve_link(&feed, l, hosts, strict);
        assert!(link("https://www.data.jma.go.jp/developer/xml/data/a.xml", &none).is_ok());
        for (bad, why) in [
            ("https://evil.example/a.xml", "neither the feed's host"),
            (
                "http://www.data.jma.go.jp/developer/xml/data/a.xml",
                "not https",
            ),
            ("https://127.0.0.1/a.xml", "not a public address"),
            ("https://[::1]/a.xml", "not a public address"),
            (
                "https://169.254.169.254/latest/meta-data/",
                "not a public address",
            ),
            ("https://localhost/a.xml", "not a public host name"),
            ("ftp://www.data.jma.go.jp/a.xml", "not an http(s) URL"),
        ] {
            let err = link(bad, &none).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert!(link("https://mirror.example.jp/a.xml", &listed).is_ok());
        // A source given as a URL on a private address is refused before any request.
        let policy = FetchPolicy::default();
        for bad in [
            "https://10.0.0.1/feed.xml",
            "http://127.0.0.1:8080/x",
            "https://[fd00::1]/x",
        ] {
            assert!(
                policy.check(&reqwest::Url::parse(bad).unwrap()).is_err(),
                "{bad}"
            );
        }
        assert!(FetchPolicy::LOOPBACK_FOR_TESTS
            .check(&reqwest::Url::parse("http://127.0.0.1:8080/x").unwrap())
            .is_ok());
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
