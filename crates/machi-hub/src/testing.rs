//! Test support shared by the hub's unit and integration tests: one builder for city files, the
//! real data in `../shared/data` (through `machi-testdata`), a local file server with validators
//! and a pipeline harness. Not part of the hub's API (hidden from the docs); it lives in the
//! library so every test file uses the same one.

use crate::config::{self, Loaded};
use crate::feeds::{Assembly, Feeds};
use crate::sources::{Sources, Which};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub use machi_testdata::{repo, shared_data};

/// Where a source of a test city reads from.
#[derive(Debug, Clone)]
pub enum At {
    Path(PathBuf),
    Url(String),
    /// `feeds = […]` (jma-atom): URLs or paths.
    Feeds(Vec<String>),
}

impl At {
    pub fn path(path: impl AsRef<Path>) -> At {
        At::Path(path.as_ref().to_owned())
    }
}

/// A city file for tests: `CityToml::new("test").area("kita", "北").source(…).write(dir)`. Every
/// value not given is a plain valid default (Asia/Tokyo, CC BY 4.0, a Japanese title).
#[derive(Debug, Clone)]
pub struct CityToml {
    id: String,
    timezone: String,
    name: (String, Option<String>),
    areas: Vec<String>,
    sources: Vec<String>,
    alerts: Option<String>,
    tables: Vec<String>,
}

impl CityToml {
    pub fn new(id: &str) -> CityToml {
        CityToml {
            id: id.to_owned(),
            timezone: "Asia/Tokyo".into(),
            name: ("テスト市".into(), None),
            areas: Vec::new(),
            sources: Vec::new(),
            alerts: None,
            tables: Vec::new(),
        }
    }

    /// The city's name in Japanese and, optionally, English.
    pub fn name(mut self, ja: &str, en: Option<&str>) -> CityToml {
        self.name = (ja.to_owned(), en.map(str::to_owned));
        self
    }

    /// The city's IANA time zone (default Asia/Tokyo).
    pub fn timezone(mut self, timezone: &str) -> CityToml {
        timezone.clone_into(&mut self.timezone);
        self
    }

    /// An area with its Japanese name.
    pub fn area(self, id: &str, ja: &str) -> CityToml {
        self.area_with(id, ja, "")
    }

    /// An area named in Japanese and English.
    pub fn area_en(self, id: &str, ja: &str, en: &str) -> CityToml {
        self.area_with(id, &format!("{ja}\", en = \"{en}"), "")
    }

    /// An area with more keys (TOML lines such as `garbage = "…"` or `point = […]`).
    pub fn area_with(mut self, id: &str, ja: &str, extra: &str) -> CityToml {
        let mut toml = format!("[[areas]]\nid = \"{id}\"\nname = {{ ja = \"{ja}\" }}\n");
        if !extra.is_empty() {
            toml.push_str(extra.trim_end());
            toml.push('\n');
        }
        self.areas.push(toml);
        self
    }

    /// A source of `kind` at `at`.
    pub fn source(self, id: &str, kind: &str, at: At) -> CityToml {
        self.source_with(id, kind, at, "")
    }

    /// A source with more keys (TOML lines such as `strict = true`, or a `[sources.areas]`
    /// table, which must come last).
    pub fn source_with(mut self, id: &str, kind: &str, at: At, extra: &str) -> CityToml {
        let location = match at {
            At::Path(path) => format!("path = '{}'", path.display()),
            At::Url(url) => format!("url = \"{url}\""),
            At::Feeds(feeds) => {
                let list: Vec<String> = feeds.iter().map(|f| format!("'{f}'")).collect();
                format!("feeds = [{}]", list.join(", "))
            }
        };
        let mut toml = format!(
            "[[sources]]\nid = \"{id}\"\nkind = \"{kind}\"\n{location}\nlicence = \"CC BY 4.0\"\n\
             title = {{ ja = \"{id}\" }}\nattribution = {{ ja = \"テスト市\", en = \"Test City\" }}\n"
        );
        if !extra.is_empty() {
            toml.push_str(extra.trim_end());
            toml.push('\n');
        }
        self.sources.push(toml);
        self
    }

    /// Credits the last source to `ja` (and `en`) instead of the default.
    pub fn attributed(mut self, ja: &str, en: &str) -> CityToml {
        if let Some(last) = self.sources.last_mut() {
            *last = last.replace(
                "attribution = { ja = \"テスト市\", en = \"Test City\" }",
                &format!("attribution = {{ ja = \"{ja}\", en = \"{en}\" }}"),
            );
        }
        self
    }

    /// The `[alerts]` table: JMA municipality codes and other codes.
    pub fn alerts(mut self, municipalities: &[&str], codes: &[&str]) -> CityToml {
        let list = |codes: &[&str]| {
            codes
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.alerts = Some(format!(
            "[alerts]\nmunicipalities = [{}]\ncodes = [{}]\n",
            list(municipalities),
            list(codes)
        ));
        self
    }

    /// Another table, written before the areas and sources (e.g. `"[meetings]\nmatch = […]"`).
    pub fn table(mut self, toml: &str) -> CityToml {
        self.tables.push(format!("{}\n", toml.trim_end()));
        self
    }

    /// The file's text.
    pub fn build(&self) -> String {
        let mut out = format!(
            "id = \"{}\"\ntimezone = \"{}\"\nname = {{ ja = \"{}\"",
            self.id, self.timezone, self.name.0
        );
        if let Some(en) = &self.name.1 {
            let _ = write!(out, ", en = \"{en}\"");
        }
        out.push_str(" }\n\n");
        let parts = self.alerts.iter().chain(&self.tables);
        for part in parts.chain(&self.areas).chain(&self.sources) {
            out.push_str(part);
            out.push('\n');
        }
        out
    }

    /// Writes `{dir}/{id}.toml` and returns its path.
    pub fn write(&self, dir: &Path) -> PathBuf {
        std::fs::create_dir_all(dir).expect("the cities directory can be created");
        let file = dir.join(format!("{}.toml", self.id));
        std::fs::write(&file, self.build()).expect("the city file can be written");
        file
    }
}

/// What a [`FileServer`] serves and what it was asked.
#[derive(Default)]
pub struct Served {
    /// By URL path.
    pub files: BTreeMap<String, Vec<u8>>,
    /// URL paths answered with 500.
    pub failing: BTreeSet<String>,
    /// URL paths answered with a 302 to the URL given.
    pub redirects: BTreeMap<String, String>,
    /// (path, sent both If-None-Match and If-Modified-Since, status) of every request.
    pub log: Vec<(String, bool, u16)>,
}

/// A local HTTP server of files with strong ETags and a fixed `Last-Modified`, answering
/// conditional requests with 304, unknown paths with 404, `failing` ones with 500 and
/// `redirects` with 302.
pub struct FileServer {
    /// `http://127.0.0.1:{port}`
    pub origin: String,
    served: Arc<Mutex<Served>>,
    task: tokio::task::JoinHandle<()>,
}

/// The `Last-Modified` of every file a [`FileServer`] serves.
pub const LAST_MODIFIED: &str = "Wed, 01 Nov 2023 00:00:00 GMT";

impl FileServer {
    /// Serves `files` (URL path, bytes) on 127.0.0.1.
    pub async fn start(files: Vec<(String, Vec<u8>)>) -> FileServer {
        let served = Arc::new(Mutex::new(Served {
            files: files.into_iter().collect(),
            ..Served::default()
        }));
        let state = served.clone();
        let handler = move |uri: Uri, headers: HeaderMap| {
            let served = state.clone();
            async move {
                let mut served = served.lock().unwrap_or_else(|p| p.into_inner());
                let path = uri.path().to_owned();
                let conditional = headers.contains_key(header::IF_NONE_MATCH)
                    && headers.contains_key(header::IF_MODIFIED_SINCE);
                let (status, response) = if served.failing.contains(&path) {
                    let status = StatusCode::INTERNAL_SERVER_ERROR;
                    (status, status.into_response())
                } else if let Some(to) = served.redirects.get(&path) {
                    let status = StatusCode::FOUND;
                    (
                        status,
                        (status, [(header::LOCATION, to.clone())]).into_response(),
                    )
                } else if let Some(bytes) = served.files.get(&path) {
                    let etag = format!("\"{}\"", &crate::files::hex_sha256(bytes)[..16]);
                    let matches = headers
                        .get(header::IF_NONE_MATCH)
                        .is_some_and(|v| v.as_bytes() == etag.as_bytes());
                    let validators = [
                        (header::ETAG, etag),
                        (header::LAST_MODIFIED, LAST_MODIFIED.to_owned()),
                    ];
                    if matches {
                        let status = StatusCode::NOT_MODIFIED;
                        (status, (status, validators).into_response())
                    } else {
                        (StatusCode::OK, (validators, bytes.clone()).into_response())
                    }
                } else {
                    let status = StatusCode::NOT_FOUND;
                    (status, status.into_response())
                };
                served.log.push((path, conditional, status.as_u16()));
                response
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("a local address"));
        let router = axum::Router::new().fallback(handler);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        FileServer {
            origin,
            served,
            task,
        }
    }

    /// What is served, to change it.
    pub fn served(&self) -> MutexGuard<'_, Served> {
        self.served.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The requests since the last call.
    pub fn requests(&self) -> Vec<(String, bool, u16)> {
        std::mem::take(&mut self.served().log)
    }

    /// Stops serving (a server gone away), waiting until the port is closed.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// The pipeline and the feeds of one city file, without a server: poll, then look at the feeds.
pub struct Pipeline {
    pub sources: Sources,
    pub loaded: Loaded,
    pub feeds: Feeds,
    /// The cities' meetings as last prepared (without a change ledger).
    pub meetings: crate::meetings::PreparedCities,
}

impl Pipeline {
    /// A pipeline in memory over the city file `text` (named `cities/test.toml`).
    pub fn new(text: &str) -> Pipeline {
        // Tests serve their URL sources from loopback (`FileServer`).
        let sources = Sources::in_memory_with(crate::fetch::FetchPolicy::LOOPBACK_FOR_TESTS);
        Pipeline::with(sources.expect("an HTTP client"), text)
    }

    /// A pipeline over `sources` (e.g. with a state directory).
    pub fn with(sources: Sources, text: &str) -> Pipeline {
        let mut pipeline = Pipeline {
            sources,
            loaded: Loaded::default(),
            feeds: Feeds::default(),
            meetings: Default::default(),
        };
        pipeline.set(text);
        pipeline
    }

    /// Replaces the city file.
    pub fn set(&mut self, text: &str) {
        let city =
            config::parse(Path::new("cities/test.toml"), text).unwrap_or_else(|e| panic!("{e}"));
        self.loaded = Loaded {
            cities: vec![city],
            errors: vec![],
        };
    }

    /// Reads the sources `which` selects and assembles the feeds again.
    pub async fn poll(&mut self, which: Which) -> &Feeds {
        self.sources.poll(&self.loaded.cities, which).await;
        self.assemble()
    }

    /// Publishes what the store kept (after a restart) and assembles.
    pub fn restore(&mut self) -> &Feeds {
        self.sources.restore(&self.loaded.cities);
        self.assemble()
    }

    fn assemble(&mut self) -> &Feeds {
        let now = chrono::Utc::now();
        self.meetings = crate::meetings::prepare(
            &self.loaded.cities,
            &self.sources,
            None,
            &self.meetings,
            now,
            now,
        )
        .0;
        self.feeds = self.feeds.assemble(&Assembly {
            loaded: &self.loaded,
            sources: &self.sources,
            now,
            started: now,
            meetings: &self.meetings,
        });
        &self.feeds
    }

    /// The city feed's entry for source `id` of city `test`.
    pub fn source(&self, id: &str) -> machi_data::SourceInfo {
        self.feeds
            .city("test")
            .expect("city test")
            .sources
            .iter()
            .find(|s| s.id == id)
            .expect("the source")
            .clone()
    }

    /// How many times source `id` was parsed.
    pub fn parses(&self, id: &str) -> u64 {
        self.sources.published("test", id).map_or(0, |p| p.parses)
    }
}

/// The PostgreSQL server the tests may use (`MACHI_TEST_POSTGRES=postgres://…`, set by
/// `scripts/test`, which starts a throw-away cluster); `None` runs the store tests on SQLite
/// alone (and says so once).
pub fn postgres_url() -> Option<String> {
    static SAID: std::sync::Once = std::sync::Once::new();
    let url = std::env::var("MACHI_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        SAID.call_once(|| {
            eprintln!("MACHI_TEST_POSTGRES is not set: push store tests run on SQLite only");
        });
    }
    url
}

/// A schema name no other test uses (a test's own tables in the shared test database).
pub fn fresh_schema() -> String {
    use ring::rand::SecureRandom as _;
    let mut bytes = [0u8; 8];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("random bytes");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("t_{hex}")
}

/// The push stores a store test runs on: an in-memory SQLite, and an empty schema of the test
/// PostgreSQL when there is one.
pub fn stores() -> Vec<crate::push::store::Store> {
    use crate::push::store::Store;
    let mut out = vec![Store::in_memory().expect("an in-memory store")];
    if let Some(url) = postgres_url() {
        out.push(
            Store::connect_in_schema(&url, &fresh_schema())
                .unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}")),
        );
    }
    out
}

/// A fresh schema of the test PostgreSQL, with the push store's tables, as a URL a hub takes
/// (`--database-url`): the schema is the connection's search path.
pub fn postgres_schema_url() -> Option<String> {
    let url = postgres_url()?;
    let schema = fresh_schema();
    crate::push::store::Store::connect_in_schema(&url, &schema)
        .unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}"));
    Some(schema_url(&url, &schema))
}

/// `url` with `schema` as its connections' search path (the schema must exist).
pub fn schema_url(url: &str, schema: &str) -> String {
    let join = if url.contains('?') { '&' } else { '?' };
    format!("{url}{join}options=-c%20search_path%3D{schema}")
}

/// The store the fan-out tests' hubs use: a schema of the test PostgreSQL when
/// `MACHI_TEST_PUSH_STORE=postgres` (scripts/test runs them so, after running them on SQLite),
/// SQLite under the state dir otherwise. One schema per test (thread): a hub started again in a
/// test finds what the first one stored.
pub fn push_store_url() -> Option<String> {
    thread_local! {
        static URL: std::cell::OnceCell<Option<String>> = const { std::cell::OnceCell::new() };
    }
    URL.with(|url| {
        url.get_or_init(|| match std::env::var("MACHI_TEST_PUSH_STORE").as_deref() {
            Ok("postgres") => Some(
                postgres_schema_url()
                    .expect("MACHI_TEST_PUSH_STORE=postgres needs MACHI_TEST_POSTGRES"),
            ),
            _ => None,
        })
        .clone()
    })
}

/// The real Noto 大津波警報 message with every time in it moved so that it was issued a minute
/// ago (news, as far as the hub can tell).
pub fn fresh_tsunami_message() -> String {
    use chrono::{DateTime, Duration as Days, FixedOffset, Utc};
    let text =
        std::fs::read_to_string(shared_data("alerts/jma_real/noto_2024-01/TsunamiAlarm.xml"))
            .unwrap();
    let issued: DateTime<FixedOffset> = "2024-01-01T16:22:00+09:00".parse().unwrap();
    let shift = Utc::now() - Days::minutes(1) - issued.with_timezone(&Utc);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    // Every RFC 3339 time (`…+09:00` or `…Z`) moved by `shift`, written as it was.
    'scan: while !rest.is_empty() {
        for len in [25, 20] {
            if let Some(t) = rest
                .get(..len)
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            {
                let moved = t + shift;
                let written = if len == 20 {
                    moved
                        .with_timezone(&Utc)
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string()
                } else {
                    moved.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
                };
                out.push_str(&written);
                rest = &rest[len..];
                continue 'scan;
            }
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}
