//! Router tests: drive `machi_hub::serve::app` with `oneshot` over a temporary hub directory
//! (cities, a source's data and a fake Trunk `dist/`), no socket needed.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::Response;
use axum::Router;
use base64::Engine as _;
use machi_hub::serve::{app, AppState, Paths, Setup};
use machi_hub::testing::{repo, At, CityToml};
use sha2::{Digest, Sha256};
use std::path::Path;
use tower::ServiceExt as _;

const INLINE_SCRIPT: &str = "\nimport init, * as bindings from '/machi-0123456789abcdef.js';\ninit('/machi-0123456789abcdef_bg.wasm');\n";
/// The first paint's styles, inlined as index.html's `<style>`.
const INLINE_STYLE: &str = ":root{--brand:#0b6e69}body{margin:0}";

/// A city with one source: the demo's shelter list copied to `data`.
fn city_toml(id: &str, data: &Path) -> String {
    CityToml::new(id)
        .name("テスト市", Some("Test City"))
        .area("kita", "北")
        .source("shelters", "shelters", At::path(data))
        .build()
}

struct Hub {
    dir: tempfile::TempDir,
    state: AppState,
}

impl Hub {
    async fn new() -> Hub {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("cities")).unwrap();
        std::fs::create_dir_all(root.join("data/shelters")).unwrap();
        let shelters = root.join("data/shelters/evacuation_space.csv");
        std::fs::copy(
            repo().join("public/demo/shelters/evacuation_space.csv"),
            &shelters,
        )
        .unwrap();
        std::fs::write(root.join("cities/test.toml"), city_toml("test", &shelters)).unwrap();

        let dist = root.join("dist");
        std::fs::create_dir_all(dist.join("icons")).unwrap();
        let index = format!(
            "<!DOCTYPE html><html><head><link rel=\"manifest\" href=\"/manifest.webmanifest\">\
             <style>{INLINE_STYLE}</style><link rel=\"stylesheet\" href=\"/main.css\">\
             <script type=\"module\">{INLINE_SCRIPT}</script><script src=\"/other.js\"></script>\
             </head><body>{}</body></html>",
            "Machi ".repeat(40)
        );
        std::fs::write(dist.join("index.html"), index).unwrap();
        std::fs::write(
            dist.join("machi-0123456789abcdef_bg.wasm"),
            [0u8, 97, 115, 109, 1, 0, 0, 0].repeat(64),
        )
        .unwrap();
        std::fs::write(
            dist.join("machi-0123456789abcdef.js"),
            "export default function init() {}\n".repeat(20),
        )
        .unwrap();
        std::fs::write(
            dist.join("sw.js"),
            "self.addEventListener('fetch', () => {});\n".repeat(5),
        )
        .unwrap();
        std::fs::write(
            dist.join("manifest.webmanifest"),
            r#"{"name":"Machi","start_url":"/","display":"standalone"}"#,
        )
        .unwrap();
        std::fs::write(dist.join("icons/icon-192.png"), [137u8, 80, 78, 71]).unwrap();

        let state = Self::load(root).await;
        Hub { dir, state }
    }

    async fn load(root: &Path) -> AppState {
        let paths = Paths {
            cities: root.join("cities"),
            dist: root.join("dist"),
        };
        let (state, errors) = AppState::load(Setup::new(paths).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert!(errors.is_empty(), "{errors:?}");
        state
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn router(&self) -> Router {
        app(self.state.clone())
    }

    async fn get(&self, path: &str) -> Response {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    async fn get_with(&self, path: &str, name: header::HeaderName, value: &str) -> Response {
        self.request(
            Request::get(path)
                .header(name, value)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    async fn request(&self, request: Request<Body>) -> Response {
        self.router().oneshot(request).await.unwrap()
    }
}

fn header(response: &Response, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(&name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

async fn body_json(response: Response) -> serde_json::Value {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn healthz_counts_the_cities() {
    let hub = Hub::new().await;
    let response = hub.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        body_json(response).await,
        serde_json::json!({"status": "ok", "cities": 1})
    );
}

#[tokio::test]
async fn feeds_are_json_with_etag_and_revalidate_with_304() {
    let hub = Hub::new().await;
    let response = hub.get("/feeds/test/city.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, header::CONTENT_TYPE), "application/json");
    assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache");
    let etag = header(&response, header::ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    let feed = body_json(response).await;
    assert_eq!(feed["id"], "test");
    assert_eq!(feed["sources"][0]["stale"], false);

    let response = hub
        .get_with("/feeds/test/city.json", header::IF_NONE_MATCH, &etag)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);

    let index = hub.get("/feeds/index.json").await;
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(body_json(index).await["cities"][0]["id"], "test");
}

#[tokio::test]
async fn each_feed_has_a_postcard_twin_for_the_app_with_its_own_etag() {
    let hub = Hub::new().await;
    let json = hub.get("/feeds/test/city.json").await;
    let json_etag = header(&json, header::ETAG).to_owned();
    let expected: machi_data::CityFeed = serde_json::from_value(body_json(json).await).unwrap();

    let response = hub.get("/feeds/test/city.bin").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, header::CONTENT_TYPE),
        "application/octet-stream"
    );
    assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache");
    let etag = header(&response, header::ETAG).to_owned();
    assert_ne!(etag, json_etag);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let feed: machi_data::CityFeed = machi_data::wire::from_bytes(&bytes).unwrap();
    assert_eq!(feed, expected);
    let response = hub
        .get_with("/feeds/test/city.bin", header::IF_NONE_MATCH, &etag)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);

    let index = hub.get("/feeds/index.bin").await;
    assert_eq!(index.status(), StatusCode::OK);
    // Calendars have one format, and an unknown city is the same 404 in either.
    let calendar = hub.get("/feeds/test/meetings.ja.bin").await;
    assert_eq!(calendar.status(), StatusCode::NOT_FOUND);
    let unknown = hub.get("/feeds/xyz/city.bin").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        body_json(unknown).await,
        serde_json::json!({"error": "unknown municipality: xyz"})
    );
}

#[tokio::test]
async fn an_unknown_city_is_a_404_naming_it() {
    let hub = Hub::new().await;
    let response = hub.get("/feeds/xyz/city.json").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, header::CONTENT_TYPE), "application/json");
    assert_eq!(
        body_json(response).await,
        serde_json::json!({"error": "unknown municipality: xyz"})
    );

    let response = hub.get("/feeds/test/garbage.json").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(body_json(response).await["error"].is_string());
}

#[tokio::test]
async fn app_files_have_exact_types() {
    let hub = Hub::new().await;
    for (path, expected) in [
        ("/machi-0123456789abcdef_bg.wasm", "application/wasm"),
        ("/manifest.webmanifest", "application/manifest+json"),
        (
            "/machi-0123456789abcdef.js",
            "text/javascript; charset=utf-8",
        ),
        ("/sw.js", "text/javascript; charset=utf-8"),
        ("/icons/icon-192.png", "image/png"),
    ] {
        let response = hub.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&response, header::CONTENT_TYPE), expected, "{path}");
    }
    assert_eq!(
        header(
            &hub.get("/sw.js").await,
            "service-worker-allowed".parse().unwrap()
        ),
        "/"
    );
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_the_rest_revalidates() {
    let hub = Hub::new().await;
    let wasm = hub.get("/machi-0123456789abcdef_bg.wasm").await;
    assert_eq!(
        header(&wasm, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );

    let index = hub.get("/").await;
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(
        header(&index, header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    assert_eq!(header(&index, header::CACHE_CONTROL), "no-cache");
    let etag = header(&index, header::ETAG).to_owned();
    assert!(!etag.is_empty());

    let again = hub
        .get_with("/index.html", header::IF_NONE_MATCH, &etag)
        .await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        header(&hub.get("/sw.js").await, header::CACHE_CONTROL),
        "no-cache"
    );
}

#[tokio::test]
async fn app_routes_fall_back_to_index_and_missing_files_are_404() {
    let hub = Hub::new().await;
    for path in ["/settings", "/c/demo/today", "/garbage"] {
        let response = hub.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&response, header::CONTENT_TYPE),
            "text/html; charset=utf-8",
            "{path}"
        );
    }
    assert_eq!(
        hub.get("/missing.png").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        hub.get("/../../etc/passwd.txt").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn compression_follows_accept_encoding_and_keeps_revalidation() {
    let hub = Hub::new().await;
    let br = hub
        .get_with(
            "/machi-0123456789abcdef.js",
            header::ACCEPT_ENCODING,
            "gzip, br",
        )
        .await;
    assert_eq!(header(&br, header::CONTENT_ENCODING), "br");
    let gzip = hub
        .get_with(
            "/machi-0123456789abcdef_bg.wasm",
            header::ACCEPT_ENCODING,
            "gzip",
        )
        .await;
    assert_eq!(header(&gzip, header::CONTENT_ENCODING), "gzip");
    let plain = hub.get("/machi-0123456789abcdef.js").await;
    assert_eq!(header(&plain, header::CONTENT_ENCODING), "");

    // The compressed representation has its own strong tag, and revalidating with it works.
    let index = hub
        .get_with("/settings", header::ACCEPT_ENCODING, "br")
        .await;
    assert_eq!(header(&index, header::CONTENT_ENCODING), "br");
    let etag = header(&index, header::ETAG).to_owned();
    assert!(etag.ends_with("-br\""), "{etag}");
    let request = Request::get("/settings")
        .header(header::ACCEPT_ENCODING, "br")
        .header(header::IF_NONE_MATCH, &etag)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        hub.request(request).await.status(),
        StatusCode::NOT_MODIFIED
    );
}

#[tokio::test]
async fn every_response_has_security_headers_and_the_csp_allows_the_inline_script_and_style() {
    let hub = Hub::new().await;
    let expected = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(INLINE_SCRIPT.as_bytes()))
    );
    for path in ["/", "/feeds/index.json", "/missing.png", "/healthz"] {
        let response = hub.get(path).await;
        let csp = header(&response, header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval' "),
            "{csp}"
        );
        assert!(csp.contains(&expected), "{path}: {csp} lacks {expected}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(header(&response, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(header(&response, header::REFERRER_POLICY), "no-referrer");
        assert_eq!(
            header(&response, "permissions-policy".parse().unwrap()),
            "geolocation=(self), microphone=(self), camera=()"
        );
        assert_eq!(
            header(&response, "cross-origin-opener-policy".parse().unwrap()),
            "same-origin"
        );
    }
    // Only the inline script is hashed, not the one with `src`; and the inline style.
    let csp = header(&hub.get("/").await, header::CONTENT_SECURITY_POLICY).to_owned();
    assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
    let style = format!(
        "style-src 'self' 'sha256-{}';",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(INLINE_STYLE.as_bytes()))
    );
    assert!(csp.contains(&style), "{csp} lacks {style}");
}

#[tokio::test]
async fn without_a_built_app_pages_are_503_and_feeds_still_work() {
    let hub = Hub::new().await;
    std::fs::remove_dir_all(hub.root().join("dist")).unwrap();
    let state = Hub::load(hub.root()).await;
    let router = app(state);
    let response = router
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let text = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&text).contains("scripts/run"));
    let feed = router
        .oneshot(
            Request::get("/feeds/index.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_city_file_that_turns_bad_keeps_serving_its_last_good_feed_marked_stale() {
    let hub = Hub::new().await;
    std::fs::write(
        hub.root().join("cities/test.toml"),
        "id = \"test\"\nnmae = \"oops\"\n",
    )
    .unwrap();
    hub.state.refresh().await;

    let response = hub.get("/feeds/test/city.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let feed = body_json(response).await;
    let source = &feed["sources"][0];
    assert_eq!(source["stale"], true);
    let error = source["last_error"].as_str().unwrap();
    assert!(error.contains("test.toml:2:1"), "{error}");
    assert!(error.contains("nmae"), "{error}");
    assert_eq!(body_json(hub.get("/healthz").await).await["cities"], 1);
}

#[tokio::test]
async fn a_missing_source_path_is_published_stale_with_its_error() {
    let hub = Hub::new().await;
    std::fs::remove_dir_all(hub.root().join("data")).unwrap();
    hub.state.refresh().await;
    let feed = body_json(hub.get("/feeds/test/city.json").await).await;
    let source = &feed["sources"][0];
    assert_eq!(source["stale"], true);
    let error = source["last_error"].as_str().unwrap();
    assert!(
        error.contains("test.toml")
            && error.contains("`shelters`")
            && error.contains("data/shelters"),
        "{error}"
    );
    // The data was good once, so the feed keeps saying how old the kept copy is.
    assert!(source["as_of"].is_string());
}

/// A second city, `gomi`, with the demo city's 5374 files copied into the hub directory.
fn add_garbage_city(root: &Path) -> std::path::PathBuf {
    let data = root.join("data/gomi");
    std::fs::create_dir_all(&data).unwrap();
    let demo = repo().join("public/demo/garbage");
    for entry in std::fs::read_dir(demo).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, data.join(path.file_name().unwrap())).unwrap();
    }
    let text = CityToml::new("gomi")
        .name("ごみ市", None)
        .area("kita", "北地区")
        .area_with("station", "駅のまえ", "garbage = \"駅前\"")
        .source("calendar", "garbage-5374", At::path(&data))
        .build();
    std::fs::write(root.join("cities/gomi.toml"), text).unwrap();
    data
}

async fn garbage_hub() -> (Hub, std::path::PathBuf) {
    let mut hub = Hub::new().await;
    let data = add_garbage_city(hub.root());
    hub.state = Hub::load(hub.root()).await;
    (hub, data)
}

#[tokio::test]
async fn the_garbage_feed_is_served_with_etag_304_and_compression() {
    let (hub, _) = garbage_hub().await;
    let response = hub.get("/feeds/gomi/garbage.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, header::CONTENT_TYPE), "application/json");
    assert_eq!(header(&response, header::CACHE_CONTROL), "no-cache");
    let etag = header(&response, header::ETAG).to_owned();
    let feed = body_json(response).await;
    assert_eq!(feed["version"], 1);
    assert_eq!(feed["source"], "calendar");
    assert_eq!(feed["calendar"]["categories"].as_array().unwrap().len(), 7);

    let response = hub
        .get_with("/feeds/gomi/garbage.json", header::IF_NONE_MATCH, &etag)
        .await;
    assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&response, header::ETAG), etag);

    let br = hub
        .get_with("/feeds/gomi/garbage.json", header::ACCEPT_ENCODING, "br")
        .await;
    assert_eq!(header(&br, header::CONTENT_ENCODING), "br");

    // The city's areas point at their collection areas, `garbage = …` included.
    let city = body_json(hub.get("/feeds/gomi/city.json").await).await;
    let calendar_areas = feed["calendar"]["areas"].as_array().unwrap();
    for (area, name) in city["areas"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["北地区", "駅前"])
    {
        let id = area["garbage_area"].as_str().unwrap();
        let target = calendar_areas.iter().find(|a| a["id"] == id).unwrap();
        assert_eq!(target["name"]["ja"], name);
    }
    let source = &city["sources"][0];
    assert_eq!(source["stale"], false);
    assert!(source["as_of"].is_string());

    // A refresh that finds nothing new keeps the tag.
    hub.state.refresh().await;
    let again = hub.get("/feeds/gomi/garbage.json").await;
    assert_eq!(header(&again, header::ETAG), etag);
    let parses = hub
        .state
        .sources()
        .published("gomi", "calendar")
        .unwrap()
        .parses;
    assert_eq!(parses, 1);
}

#[tokio::test]
async fn a_city_without_a_garbage_source_has_no_garbage_feed() {
    let (hub, _) = garbage_hub().await;
    let response = hub.get("/feeds/test/garbage.json").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&response, header::CONTENT_TYPE), "application/json");
    assert_eq!(
        body_json(response).await,
        serde_json::json!({"error": "test has no garbage source"})
    );
    let response = hub.get("/feeds/nowhere/garbage.json").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_garbage_source_that_turns_bad_keeps_serving_the_last_good_calendar() {
    let (hub, data) = garbage_hub().await;
    let good = hub.get("/feeds/gomi/garbage.json").await;
    let etag = header(&good, header::ETAG).to_owned();
    let good = body_json(good).await;
    let as_of =
        body_json(hub.get("/feeds/gomi/city.json").await).await["sources"][0]["as_of"].clone();

    let csv = std::fs::read_to_string(data.join("area_days.csv")).unwrap();
    let header_line = csv.lines().next().unwrap();
    std::fs::write(
        data.join("area_days.csv"),
        format!("{header_line}\n北地区,まち市東部清掃センター,月 木\n"),
    )
    .unwrap();
    hub.state.refresh().await;

    let response = hub.get("/feeds/gomi/garbage.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, header::ETAG), etag);
    assert_eq!(body_json(response).await, good);

    let city = body_json(hub.get("/feeds/gomi/city.json").await).await;
    let source = &city["sources"][0];
    assert_eq!(source["stale"], true);
    let error = source["last_error"].as_str().unwrap();
    assert!(error.contains("area_days.csv:2"), "{error}");
    assert!(error.contains("gomi.toml"), "{error}");
    assert_eq!(source["as_of"], as_of);

    // Fixed again: fresh, and the other city never noticed.
    std::fs::write(data.join("area_days.csv"), csv).unwrap();
    hub.state.refresh().await;
    let city = body_json(hub.get("/feeds/gomi/city.json").await).await;
    assert_eq!(city["sources"][0]["stale"], false);
    let test = body_json(hub.get("/feeds/test/city.json").await).await;
    assert_eq!(test["sources"][0]["stale"], false);
}
