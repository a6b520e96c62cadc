//! `machi-hub export`, run as a resident's city would run it: the demo city exported for a static
//! host, every feed under its content's hash and named by the manifest; a second export of the same
//! sources writes the same names; a failing source is exported from its last good copy.

use machi_data::feed::{parse_feed, CityFeedKind, FeedFormat, FeedManifest, FeedPath};
use machi_data::{AlertsFeed, CityIndex};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Output;

fn repo() -> std::path::PathBuf {
    machi_hub::testing::repo()
}

/// Runs `machi-hub export` from the repository root (city files name their sources from there).
fn export(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_machi-hub"))
        .arg("export")
        .args(args)
        .current_dir(repo())
        .env("RUST_LOG", "error")
        .output()
        .expect("machi-hub runs")
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "export failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn manifest(out: &Path) -> FeedManifest {
    let text = std::fs::read_to_string(out.join("feeds/manifest.json")).unwrap();
    parse_feed(&text).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_demo_city_exports_every_feed_under_its_hash_and_again_under_the_same_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let out_arg = out.to_str().unwrap();
    ok(&export(&["--cities", "cities", "--out", out_arg]));
    let first = manifest(&out);

    // The manifest lists the index and every feed of every city the index lists (the demo city
    // has a source of every kind).
    let index: CityIndex =
        parse_feed(&std::fs::read_to_string(out.join("feeds/index.json")).unwrap()).unwrap();
    assert_eq!(index.cities.len(), 1);
    // Each in JSON and in postcard, the app's.
    let mut paths = vec![FeedPath::Index];
    for city in &index.cities {
        paths.extend(CityFeedKind::ALL.map(|k| k.of(&city.id)));
    }
    let mut expected: Vec<String> = paths
        .iter()
        .flat_map(|p| FeedFormat::BOTH.map(|f| p.relative_in(f)))
        .collect();
    expected.sort();
    assert_eq!(first.files.keys().cloned().collect::<Vec<_>>(), expected);

    for (relative, entry) in &first.files {
        let bytes = std::fs::read(out.join("feeds").join(&entry.file)).unwrap();
        let sha = hex(&bytes);
        // The name carries the hash of the content, and the manifest says the same.
        assert_eq!(entry.sha256, sha, "{relative}");
        assert_eq!(entry.size, bytes.len() as u64, "{relative}");
        assert_eq!(entry.file, FeedPath::hashed(relative, &sha));
        assert!(entry.file.contains(&sha[..16]), "{}", entry.file);
        // The hub's name holds the same bytes; brotli and gzip beside them.
        assert_eq!(
            std::fs::read(out.join("feeds").join(relative)).unwrap(),
            bytes
        );
        // (Only where they are smaller: a small postcard file may not be.)
        for suffix in [".br", ".gz"] {
            let compressed = out.join("feeds").join(format!("{}{suffix}", entry.file));
            match std::fs::metadata(&compressed) {
                Ok(meta) => assert!(meta.len() < bytes.len() as u64, "{compressed:?}"),
                Err(_) => assert!(relative.ends_with(".bin"), "{compressed:?} missing"),
            }
        }
    }
    // The calendars under the hub's names, which calendar apps subscribe to.
    assert!(out.join("feeds/demo/meetings.ja.ics").is_file());
    assert!(out.join("feeds/demo/garbage/kita.en.ics").is_file());

    // Unchanged sources: the same names (and entries). Only the feeds that carry the time of the
    // last successful poll of an alert source (the city's freshness list and the alerts feed,
    // whose readers must see how old the alerts are) are new.
    ok(&export(&["--cities", "cities", "--out", out_arg]));
    let second = manifest(&out);
    let polled = [
        "demo/city.json",
        "demo/city.bin",
        "demo/alerts.json",
        "demo/alerts.bin",
    ];
    for (relative, entry) in &first.files {
        if !polled.contains(&relative.as_str()) {
            assert_eq!(second.files.get(relative), Some(entry), "{relative}");
        }
    }
    for relative in polled {
        let file = &second.files[relative].file;
        assert!(out.join("feeds").join(file).is_file(), "{file}");
        // The earlier version stays for an app holding the earlier manifest.
        assert!(out
            .join("feeds")
            .join(&first.files[relative].file)
            .is_file());
    }
}

#[test]
fn a_json_feed_whose_postcard_twin_cannot_be_kept_is_written_again_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let out_arg = out.to_str().unwrap();
    ok(&export(&["--cities", "cities", "--out", out_arg]));
    // As an export by a hub before postcard twins (or by one with other feed types) left it.
    let path = out.join("feeds/manifest.json");
    let mut written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let files = written["files"].as_object_mut().unwrap();
    let old_json = files["demo/garbage.json"].clone();
    files.remove("demo/garbage.bin");
    std::fs::write(&path, written.to_string()).unwrap();

    ok(&export(&["--cities", "cities", "--out", out_arg]));
    let second = manifest(&out);
    let (json, bin) = (
        &second.files["demo/garbage.json"],
        &second.files["demo/garbage.bin"],
    );
    // Both new, and of one moment: the twin says what the JSON says.
    assert_ne!(json.file, old_json["file"].as_str().unwrap());
    assert_eq!(json.generated_at, bin.generated_at);
    let feed: machi_data::GarbageFeed =
        machi_data::wire::from_bytes(&std::fs::read(out.join("feeds").join(&bin.file)).unwrap())
            .unwrap();
    assert_eq!(feed.generated_at, json.generated_at);
}

#[test]
fn a_failing_source_is_named_and_exported_from_its_last_good_copy() {
    let dir = tempfile::tempdir().unwrap();
    let (state, out) = (dir.path().join("state"), dir.path().join("site"));
    let args = |cities: &Path| {
        vec![
            "--cities".to_owned(),
            cities.display().to_string(),
            "--out".to_owned(),
            out.display().to_string(),
            "--state-dir".to_owned(),
            state.display().to_string(),
        ]
    };
    let run = |cities: &Path| {
        let args = args(cities);
        export(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    ok(&run(&repo().join("cities")));
    let shelters = |out: &Path| {
        let text = std::fs::read_to_string(out.join("feeds/demo/alerts.json")).unwrap();
        parse_feed::<AlertsFeed>(&text).unwrap().shelters.len()
    };
    let good = shelters(&out);
    assert!(good > 0);

    // The shelter list moves away: the export still succeeds, names the source, and keeps the
    // shelters the store has.
    let broken = dir.path().join("cities");
    std::fs::create_dir_all(&broken).unwrap();
    let text = std::fs::read_to_string(repo().join("cities/demo.toml")).unwrap();
    let text = text.replace(
        "public/demo/shelters/evacuation_space.csv",
        "public/demo/shelters/gone.csv",
    );
    std::fs::write(broken.join("demo.toml"), text).unwrap();
    let output = run(&broken);
    ok(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`shelters`"), "{stderr}");
    assert!(stderr.contains("gone.csv"), "{stderr}");
    assert_eq!(shelters(&out), good);

    // Nothing to export: no usable city file.
    let empty = dir.path().join("none");
    std::fs::create_dir_all(&empty).unwrap();
    assert!(!run(&empty).status.success());
}

#[test]
fn the_built_app_is_copied_with_its_feed_base() {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<html><head><title>Machi</title></head><body></body></html>",
    )
    .unwrap();
    std::fs::write(dist.join("icons/icon.svg"), "<svg/>").unwrap();
    let out = dir.path().join("site");
    ok(&export(&[
        "--out",
        out.to_str().unwrap(),
        "--dist",
        dist.to_str().unwrap(),
        "--feed-base",
        "https://cdn.example.jp/feeds/",
    ]));
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        html.contains(r#"<meta name="machi-feeds" content="https://cdn.example.jp/feeds/">"#),
        "{html}"
    );
    assert!(out.join("icons/icon.svg").is_file());
    assert!(out.join("feeds/manifest.json").is_file());
}
