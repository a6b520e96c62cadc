//! Fetching the hub's normalised feeds (the chosen municipality's, as the [`CityData`] context),
//! and what the page shows when that fails.
//!
//! The service worker answers feed requests stale-while-revalidate, so offline the app still gets
//! the last copy it saw; what the app adds is the "as of" time and a clear message, in the
//! resident's language, when there is no copy at all.
//!
//! The feeds are the hub's `/feeds/` on this origin, or wherever index.html's
//! `<meta name="machi-feeds">` says (a static host or CDN with an exported tree: then each feed is
//! fetched by the content-hashed name its manifest gives).

use crate::i18n::{fill, raw, Lang, Msg};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use machi_data::feed::{
    AlertsFeed, CityFeed, CityIndex, FeedFile, FeedFormat, FeedManifest, FeedPath, GarbageFeed,
    MeetingsFeed, NurseryFeed, SourceKind,
};
use machi_data::garbage::GarbageCalendar;
use machi_data::wire;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// Why a feed is not on screen.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedProblem {
    /// No network and nothing cached.
    Offline,
    /// The hub answered with an error status.
    Http(u16),
    /// The hub answered with something that is not a feed this app can read.
    Malformed(String),
    /// The municipality in the URL or in the settings is not served by this hub.
    UnknownCity(String),
}

impl FeedProblem {
    /// The message a resident reads, in their language (catalogue text, may hold ruby).
    pub fn message(&self, lang: Lang) -> String {
        match self {
            FeedProblem::Offline => raw(lang, Msg::ErrorOffline).to_owned(),
            FeedProblem::Http(status) => fill(
                raw(lang, Msg::ErrorHttp),
                &[("status", &status.to_string())],
            ),
            FeedProblem::Malformed(detail) => {
                fill(raw(lang, Msg::ErrorFeed), &[("detail", detail)])
            }
            FeedProblem::UnknownCity(city) => {
                fill(raw(lang, Msg::ErrorUnknownCity), &[("city", city)])
            }
        }
    }
}

/// A feed on its way or arrived: a `LocalResource` whose value is type-erased, so that the
/// wasm holds Leptos's async machinery (`ArcAsyncDerived` and its future) once for every feed
/// rather than once per feed type: eight instances of it were 65 KB of unoptimised wasm.
/// `get` reads like the resource's: `None` while loading, `Some(None)` when nothing is asked
/// (no municipality chosen), `Some(Some(r))` when the fetch ended.
pub struct Feed<R: 'static> {
    resource: LocalResource<Option<Erased>>,
    read: PhantomData<fn() -> R>,
}

type Erased = Arc<dyn Any + Send + Sync>;
type Fetch = Pin<Box<dyn Future<Output = Option<Erased>>>>;

impl<R> Clone for Feed<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Feed<R> {}

impl<R: Clone + Send + Sync + 'static> Feed<R> {
    /// Runs `fetch` now and again whenever a signal it reads changes, as `LocalResource::new`.
    pub fn new<Fut>(fetch: impl Fn() -> Fut + 'static) -> Feed<R>
    where
        Fut: Future<Output = Option<R>> + 'static,
    {
        Feed {
            resource: erased(Box::new(move || {
                let fut = fetch();
                Box::pin(async move { fut.await.map(|r| Arc::new(r) as Erased) })
            })),
            read: PhantomData,
        }
    }

    /// The value, tracked (see the type's documentation).
    pub fn get(&self) -> Option<Option<R>> {
        self.resource.get().map(|value| {
            value.map(|v| {
                v.downcast_ref::<R>()
                    .expect("a feed holds the type it was made with")
                    .clone()
            })
        })
    }

    pub fn refetch(&self) {
        self.resource.refetch();
    }
}

/// The one `LocalResource` type behind every [`Feed`].
fn erased(fetch: Box<dyn Fn() -> Fetch>) -> LocalResource<Option<Erased>> {
    LocalResource::new(fetch)
}

/// The resident's municipality, fetched from the hub (or the service worker's copy).
#[derive(Clone, Copy)]
pub struct CityData {
    /// `None` inside while no municipality is chosen.
    pub feed: Feed<Result<CityFeed, FeedProblem>>,
    /// The municipality's collection calendar; `Ok(None)` when it publishes none.
    pub garbage: Feed<Result<Option<Arc<GarbageCalendar>>, FeedProblem>>,
    /// The municipality's alerts and shelters; `Ok(None)` when it has no alert source.
    pub alerts: Feed<Result<Option<Arc<AlertsFeed>>, FeedProblem>>,
    /// The municipality's nurseries; fetched only once a page shows them (`nursery_wanted`), so
    /// a first visit to Today downloads no nursery table. `Ok(None)`: no nursery source.
    pub nursery: Feed<Result<Option<Arc<NurseryFeed>>, FeedProblem>>,
    pub nursery_wanted: RwSignal<bool>,
    /// The municipality's meetings; `Ok(None)` when it has no meeting source.
    pub meetings: Feed<Result<Option<Arc<MeetingsFeed>>, FeedProblem>>,
    /// The municipality chosen on the welcome page, before it is saved (`None` elsewhere). The
    /// feeds above are its feeds meanwhile: its areas are there to choose from, and its
    /// collection days and alerts arrive while the resident picks one, so Today has them when
    /// it opens, instead of asking then.
    pub choosing: RwSignal<Option<String>>,
}

impl CityData {
    /// Fetches the feeds of the municipality `saved` reads, or the one being chosen (again
    /// whenever it changes), and provides them as the `CityData` context. A closure rather than
    /// a `Signal`: reading the settings' signal directly costs less wasm than a `Signal`
    /// wrapper's dispatch.
    pub fn provide(saved: impl Fn() -> Option<String> + Send + Sync + 'static) -> CityData {
        let choosing = RwSignal::new(None::<String>);
        // A memo: saving the city that was being chosen changes nothing, so nothing is fetched
        // again.
        let city = Memo::new(move |_| choosing.get().or_else(&saved));
        let city = move || city.get();
        let feed = Feed::new(move || {
            let city = city();
            async move {
                match city {
                    Some(city) => Some(city_feed(&city).await),
                    None => None,
                }
            }
        });
        let garbage = Feed::new(move || {
            let city = city();
            async move {
                let city = city?;
                Some(
                    optional_feed::<GarbageFeed>(FeedPath::Garbage(city.clone()), &city)
                        .await
                        .map(|f| f.map(|f| Arc::new(f.calendar))),
                )
            }
        });
        let alerts = Feed::new(move || {
            let city = city();
            async move {
                let city = city?;
                let feed = optional_feed(FeedPath::Alerts(city.clone()), &city).await;
                Some(feed.map(|f| f.map(Arc::new)))
            }
        });
        // The feeds a municipality has only with the sources for them: asked only when its
        // city feed lists such a source, so no other municipality's page requests them (a 404
        // is a console error, and a wasted round trip on a slow phone). `None` while the city
        // feed is on its way, and while the one shown is another municipality's (or none, on
        // Welcome before a choice): a resource keeps its last value while it reloads, and
        // starting on that value fetched the feed again once this city's arrived. A city
        // feed that could not be read does not stop them (the service worker may hold a copy).
        let has = move |kind: fn(SourceKind) -> bool| -> Option<Option<String>> {
            let city = city()?;
            match feed.get()?? {
                Ok(f) if f.id != city => None,
                Ok(f) if !f.sources.iter().any(|s| kind(s.kind)) => Some(None),
                _ => Some(Some(city)),
            }
        };
        let nursery_wanted = RwSignal::new(false);
        let nursery = Feed::new(move || {
            let city = has(SourceKind::is_nursery).filter(|_| nursery_wanted.get());
            async move {
                let Some(city) = city? else {
                    return Some(Ok(None));
                };
                Some(nursery_feed(city).await)
            }
        });
        let meetings = Feed::new(move || {
            let city = has(SourceKind::is_meetings);
            async move {
                let Some(city) = city? else {
                    return Some(Ok(None));
                };
                Some(meetings_feed(city).await)
            }
        });
        // Alerts are time-critical: while the app is open, ask again every minute (the service
        // worker answers from its cache when offline).
        set_interval(move || alerts.refetch(), std::time::Duration::from_secs(60));
        let data = CityData {
            feed,
            garbage,
            alerts,
            nursery,
            nursery_wanted,
            meetings,
            choosing,
        };
        provide_context(data);
        data
    }

    /// Today in the municipality's time zone (the device's until the feed has arrived).
    pub fn today(&self) -> chrono::NaiveDate {
        match self.feed.get().flatten() {
            Some(Ok(feed)) => city_today(&feed.timezone),
            _ => chrono::Local::now().date_naive(),
        }
    }

    /// The feed when it is loaded and good.
    pub fn get(&self) -> Option<CityFeed> {
        self.feed.get().flatten().and_then(Result::ok)
    }
}

/// Where the feeds are, when index.html says (`<meta name="machi-feeds" content="…">`, written by
/// `machi-hub export --dist`, or by hand for feeds on another host): a URL ending in `/`, relative
/// to the page or absolute. Without it the feeds are this origin's `/feeds/` under the hub's names,
/// as before (no manifest asked for). Read once.
pub fn configured_base() -> Option<String> {
    thread_local! {
        static BASE: Option<String> = document()
            .query_selector("meta[name=machi-feeds]")
            .ok()
            .flatten()
            .and_then(|meta| meta.get_attribute("content"))
            .map(|base| base.trim().to_owned())
            .filter(|base| !base.is_empty())
            .map(|base| if base.ends_with('/') { base } else { base + "/" });
    }
    BASE.with(Clone::clone)
}

/// The manifest of a configured feed base (`{base}manifest.json`, see machi-data's
/// `FeedManifest`), or `null` where there is none (a hub as the base). Fetched once for every
/// feed asked within 30 s (one request for the several feeds of a start, a fresh one for the
/// minute's alerts): a JS promise, which any number of fetches can await.
async fn manifest(base: &str) -> wasm_bindgen::JsValue {
    use wasm_bindgen::JsValue;
    thread_local! {
        static MANIFEST: std::cell::RefCell<Option<(f64, js_sys::Promise)>> = const { std::cell::RefCell::new(None) };
    }
    let now = js_sys::Date::now();
    let url = format!("{base}{}", FeedManifest::PATH);
    let promise = MANIFEST.with(|m| {
        let mut m = m.borrow_mut();
        match &*m {
            Some((at, promise)) if now - at < 30_000.0 => promise.clone(),
            _ => {
                let promise = wasm_bindgen_futures::future_to_promise(async move {
                    let text = match get(&url).await {
                        Ok(r) if r.ok() => r.text().await.ok(),
                        _ => None,
                    };
                    Ok(text
                        .and_then(|t| js_sys::JSON::parse(&t).ok())
                        .unwrap_or(JsValue::NULL))
                });
                *m = Some((now, promise.clone()));
                promise
            }
        }
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .unwrap_or(JsValue::NULL)
}

/// The URL to fetch a feed's postcard twin from: the hub's path on this origin; under a
/// configured base, the content-hashed file its manifest names (cacheable for ever), or the hub's
/// name where the manifest names none.
async fn feed_url(path: &FeedPath) -> String {
    let Some(base) = configured_base() else {
        return path.path_in(FeedFormat::Postcard);
    };
    let relative = path.relative_in(FeedFormat::Postcard);
    let get = |v: &wasm_bindgen::JsValue, key: &str| js_sys::Reflect::get(v, &key.into()).ok();
    let manifest = manifest(&base).await;
    let file = get(&manifest, FeedManifest::FILES)
        .filter(|files| files.is_object())
        .and_then(|files| get(&files, &relative))
        .filter(|entry| entry.is_object())
        .and_then(|entry| get(&entry, FeedFile::FILE))
        .and_then(|file| file.as_string());
    format!("{base}{}", file.unwrap_or(relative))
}

/// The absolute address of a feed the resident takes elsewhere (an iCalendar to subscribe to):
/// `path` is the hub's (`/feeds/…`, a query allowed), under the configured base if there is one.
/// Never a hashed name: a calendar app keeps polling the one address.
pub fn feed_address(path: &str) -> String {
    let relative = path.strip_prefix(FeedPath::PREFIX).unwrap_or(path);
    let base = configured_base().unwrap_or_else(|| FeedPath::PREFIX.to_owned());
    let page = window().location().href().unwrap_or_default();
    web_sys::Url::new_with_base(&format!("{base}{relative}"), &page)
        .map(|url| url.href())
        .unwrap_or_else(|_| path.to_owned())
}

/// A GET of `url`: the request the inline script of index.html started for it while the wasm
/// loaded (`window.machiFeeds`, URL → `fetch()` promise: a saved municipality's feeds for Today,
/// Welcome's list of municipalities, a `/c/` link's municipality, or a configured base's
/// manifest; see crates/machi-i18n/src/first_view.rs), taken once and only
/// for exactly this URL, else a fetch of its own. The early request is an ordinary `fetch()` of
/// the same URL, so the HTTP cache (ETags) and the service worker (stale-while-revalidate,
/// offline copies) answer it as they answer this one; one that failed is asked again.
async fn get(url: &str) -> Result<gloo_net::http::Response, gloo_net::Error> {
    if let Some(response) = early(url).await {
        return Ok(response);
    }
    gloo_net::http::Request::get(url).send().await
}

/// The response of the early request for `url`, if the inline script started one and it did not
/// fail.
async fn early(url: &str) -> Option<gloo_net::http::Response> {
    use wasm_bindgen::JsValue;
    let feeds = js_sys::Reflect::get(&window(), &"machiFeeds".into())
        .ok()
        .filter(JsValue::is_object)?;
    let key = JsValue::from_str(url);
    let promise = js_sys::Reflect::get(&feeds, &key)
        .ok()?
        .dyn_into::<js_sys::Promise>()
        .ok()?;
    let _ = js_sys::Reflect::delete_property(feeds.unchecked_ref::<js_sys::Object>(), &key);
    let response = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    let response: web_sys::Response = response.dyn_into().ok()?;
    Some(response.into())
}

/// Fetches and reads a feed in postcard (the `.bin` twin of each JSON feed, machi-data's `wire`):
/// read by field order, not name, it costs the main wasm 6 KB brotli less than JSON through
/// `JSON.parse` and serde-wasm-bindgen did (serde_json's reader cost 5.7 KB more again). Its header
/// is checked first: a feed of a newer schema, or of a hub built from other feed types, is said as
/// such (the service worker offers the app's update), never misread.
async fn fetch_feed<T: DeserializeOwned>(path: &FeedPath) -> Result<T, FeedProblem> {
    let url = feed_url(path).await;
    let response = get(&url).await.map_err(|_| FeedProblem::Offline)?;
    if !response.ok() {
        return Err(FeedProblem::Http(response.status()));
    }
    let bytes = response.binary().await.map_err(|_| FeedProblem::Offline)?;
    wire::from_bytes(&bytes).map_err(|e| FeedProblem::Malformed(format!("{url}: {e}")))
}

/// `/feeds/index.bin`: the municipalities this hub serves.
pub async fn city_index() -> Result<CityIndex, FeedProblem> {
    fetch_feed(&FeedPath::Index).await
}

/// A city id is a file stem of the hub's `cities/`: anything else never reaches a URL.
fn check_city(city: &str) -> Result<(), FeedProblem> {
    let valid = !city.is_empty() && city.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(FeedProblem::UnknownCity(city.to_owned()))
    }
}

/// `/feeds/{city}/city.json`: a municipality's areas and sources.
pub async fn city_feed(city: &str) -> Result<CityFeed, FeedProblem> {
    check_city(city)?;
    match fetch_feed(&FeedPath::City(city.to_owned())).await {
        Err(FeedProblem::Http(404)) => Err(FeedProblem::UnknownCity(city.to_owned())),
        other => other,
    }
}

/// `/feeds/{city}/nursery.json`: facilities and monthly vacancies; `Ok(None)` when the city has
/// no nursery source. `#[lazy]`, as `meetings_feed`: both show below Today's fold, so reading
/// them (their types' serde code) is a module of its own, loaded when first asked for.
#[lazy]
async fn nursery_feed(city: String) -> Result<Option<Arc<NurseryFeed>>, FeedProblem> {
    let feed = optional_feed(FeedPath::Nursery(city.clone()), &city).await;
    feed.map(|f| f.map(Arc::new))
}

/// `/feeds/{city}/meetings.json`: the council's meetings; `Ok(None)` when the city has no
/// meeting source. Lazy, as `nursery_feed`.
#[lazy]
async fn meetings_feed(city: String) -> Result<Option<Arc<MeetingsFeed>>, FeedProblem> {
    let feed = optional_feed(FeedPath::Meetings(city.clone()), &city).await;
    feed.map(|f| f.map(Arc::new))
}

/// A city's feed: `/feeds/{city}/garbage.json` (the collection calendar), `alerts.json` (alerts in
/// force, history, shelters), `nursery.json` or `meetings.json`; `Ok(None)` when the city has no
/// source for it (404).
async fn optional_feed<T: DeserializeOwned>(
    path: FeedPath,
    city: &str,
) -> Result<Option<T>, FeedProblem> {
    check_city(city)?;
    match fetch_feed(&path).await {
        Err(FeedProblem::Http(404)) => Ok(None),
        other => other.map(Some),
    }
}

/// Today's date in the municipality's time zone (an IANA name such as `Asia/Tokyo`), through the
/// browser's `Intl` (a time zone database in the wasm would cost far more), so a resident abroad
/// or a phone set to another zone still sees the city's collection day. Falls back to the
/// device's date if the zone is unknown to the browser.
pub fn city_today(timezone: &str) -> chrono::NaiveDate {
    let device = || chrono::Local::now().date_naive();
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &timezone.into());
    // `en-CA` formats dates as YYYY-MM-DD. Constructed through `Reflect` because an unknown zone
    // throws, and the error must become the fallback, not a crash.
    let args = js_sys::Array::of2(&"en-CA".into(), &options);
    let text = js_sys::Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| js_sys::Reflect::get(&intl, &"DateTimeFormat".into()))
        .and_then(|class| {
            js_sys::Reflect::construct(class.unchecked_ref::<js_sys::Function>(), &args)
        })
        .and_then(|f| js_sys::Reflect::get(&f, &"format".into()))
        .and_then(|format| {
            format
                .unchecked_into::<js_sys::Function>()
                .call1(&wasm_bindgen::JsValue::UNDEFINED, &js_sys::Date::new_0())
        })
        .ok()
        .and_then(|v| v.as_string());
    text.and_then(|t| machi_data::time::parse_date(&t))
        .unwrap_or_else(device)
}

/// A time as the resident's device shows it, in their language (the browser's `Intl`).
pub fn local_time(lang: Lang, t: DateTime<Utc>) -> String {
    crate::intl::local_time(lang, t)
}

/// "5 min ago" and friends, in the resident's language.
pub fn age(lang: Lang, then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - then).num_minutes().max(0);
    let (msg, n) = match minutes {
        0 => return raw(lang, Msg::AgeJustNow).to_owned(),
        1..=59 => (Msg::AgeMinutes, minutes),
        60..=2879 => (Msg::AgeHours, minutes / 60),
        _ => (Msg::AgeDays, minutes / 1440),
    };
    crate::i18n::count(lang, msg, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        let en = Lang::from_code("en").unwrap();
        let now: DateTime<Utc> = "2026-11-22T12:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(age(en, at("2026-11-22T11:59:40Z"), now), "just now");
        assert_eq!(age(en, at("2026-11-22T11:45:00Z"), now), "15 min ago");
        assert_eq!(age(en, at("2026-11-22T09:00:00Z"), now), "3 h ago");
        assert_eq!(age(en, at("2026-11-19T12:00:00Z"), now), "3 days ago");
    }

    /// The inline script of index.html starts Today's feeds at `/feeds/{city}/{name}.bin`, a
    /// `/c/{city}` link's `city.bin` and Welcome's `/feeds/index.bin`
    /// (crates/machi-i18n/src/first_view.rs): the URLs this module asks for them.
    #[test]
    fn the_early_feeds_have_the_urls_asked_for() {
        let city = "demo".to_owned();
        let bin = |p: FeedPath| p.path_in(FeedFormat::Postcard);
        assert_eq!(bin(FeedPath::City(city.clone())), "/feeds/demo/city.bin");
        assert_eq!(
            bin(FeedPath::Garbage(city.clone())),
            "/feeds/demo/garbage.bin"
        );
        assert_eq!(bin(FeedPath::Alerts(city)), "/feeds/demo/alerts.bin");
        assert_eq!(
            FeedPath::Index.path_in(FeedFormat::Json),
            "/feeds/index.json"
        );
        assert_eq!(FeedManifest::PATH, "manifest.json");
    }

    #[test]
    fn an_unknown_city_is_named_in_the_message() {
        let en = Lang::from_code("en").unwrap();
        assert!(FeedProblem::UnknownCity("atlantis".into())
            .message(en)
            .contains("atlantis"));
    }
}
