//! Cuts the app's lazily loaded pages out of its wasm, between cargo and wasm-bindgen.
//!
//! Leptos's `#[lazy_route]` (src/app.rs) marks each page but Today and Welcome as a split point.
//! Trunk 0.21 knows nothing of splitting, so `scripts/tools/wasm-bindgen`, which Trunk runs as
//! its wasm-bindgen, calls this first:
//!
//! ```text
//! machi-wasm-split INPUT.wasm OUT_DIR NAME [--wasm-opt]
//! ```
//!
//! It writes the main module for wasm-bindgen (its path is printed on stdout), and into
//! `OUT_DIR/split/` the pages' modules (`split_*`, and `chunk_*` for code that several pages
//! share) and the JavaScript link module that loads them; Trunk's post-build hook
//! (`scripts/build-sw.mjs`) copies those beside the app. Every name carries a hash of its
//! content, so the hub serves them as immutable. The link module is named after the main JS file:
//! `NAME-HASH_split.js` beside `NAME-HASH.js`, where HASH is Trunk's (seahash of INPUT).
//! With `--wasm-opt` (a release build), each module is shrunk by `wasm-opt -Oz` (Trunk shrinks the
//! main one) and the link module minified. The link module fetches a module until it arrives
//! ([`LOAD_WASM`]).
//! A wasm without split points is left alone: INPUT is printed and `OUT_DIR/split/` removed.
//!
//! After wasm-bindgen, the same script calls
//!
//! ```text
//! machi-wasm-split --trim-glue OUT_DIR NAME
//! ```
//!
//! which drops the classes the glue (`OUT_DIR/NAME.js`) exports that nothing uses, with their
//! exports from the wasm (`OUT_DIR/NAME_bg.wasm`) ([`classes`]), and gives the functions the
//! glue hands the wasm, and those the wasm hands the glue, short names in both files
//! ([`imports`], [`exports`]).

use std::fs;
use std::hash::Hasher;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod classes;
mod exports;
mod imports;
mod js;
mod sections;

/// The import module of a split point's loader before splitting (`wasm_split_helpers`).
const PLACEHOLDER: &[u8] = b"__wasm_split_placeholder__";

/// wasm-opt's flags for the split modules: the features the main module is built with.
const WASM_OPT: &[&str] = &[
    "-Oz",
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// How the link module fetches a module, replaced by [`LOAD_WASM`]'s `loadWasm`.
const FETCH: &str = "fetch(new URL(";

/// A page's module is fetched until it arrives: the split loader treats a failed load as a panic,
/// which would stop the app, so a fetch that fails (offline before the service worker has the
/// modules, a dropped connection) is tried again once the browser is back online, every 2 s while
/// it says it is. Meanwhile the resident stays on the page they were on.
const LOAD_WASM: &str = r#"// machi-wasm-split: modules are fetched until they arrive (a failed load would stop the app).
async function loadWasm(url) {
    for (;;) {
        try {
            const response = await fetch(url);
            if (response.ok) return response;
        } catch {}
        await new Promise((go) => navigator.onLine ? setTimeout(go, 2000) : addEventListener("online", go, { once: true }));
    }
}
"#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (input, out_dir, name, opt) = match args.as_slice() {
        [flag, o, n] if flag == "--trim-glue" => {
            return match trim_glue(Path::new(o), n) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("machi-wasm-split --trim-glue: {o}/{n}: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        [i, o, n] => (i, o, n, false),
        [i, o, n, flag] if flag == "--wasm-opt" => (i, o, n, true),
        _ => {
            eprintln!("usage: machi-wasm-split INPUT.wasm OUT_DIR NAME [--wasm-opt]");
            eprintln!("       machi-wasm-split --trim-glue OUT_DIR NAME");
            return ExitCode::from(2);
        }
    };
    match split(Path::new(input), Path::new(out_dir), name, opt) {
        Ok(main) => {
            println!("{}", main.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("machi-wasm-split: {input}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(input: &Path, out_dir: &Path, name: &str, opt: bool) -> Result<PathBuf, String> {
    let wasm = fs::read(input).map_err(|e| format!("cannot read: {e}"))?;
    let split_dir = out_dir.join("split");
    match fs::remove_dir_all(&split_dir) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            return Err(format!("cannot clear {}: {e}", split_dir.display()))
        }
        _ => {}
    }
    if !wasm.windows(PLACEHOLDER.len()).any(|w| w == PLACEHOLDER) {
        eprintln!("machi-wasm-split: no split points; the wasm stays whole");
        return Ok(input.to_path_buf());
    }
    let base = format!("{name}-{}", trunk_hash(&wasm));
    let link_name = format!("./{base}_split.js");
    let main_module = format!("./{base}.js");
    let main_out = out_dir.join(format!("{name}_split_main.wasm"));
    let result = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = &split_dir;
        opts.main_out_path = &main_out;
        opts.link_name = &link_name;
        opts.main_module = &main_module;
        opts
    })
    .map_err(|e| format!("wasm-split: {e:#}"))?;

    let link_path = split_dir.join(&link_name[2..]);
    let mut link = fs::read_to_string(&link_path)
        .map_err(|e| format!("cannot read {}: {e}", link_path.display()))?;
    let mut sizes = Vec::new();
    for module in &result.split_modules {
        if opt {
            let status = Command::new("wasm-opt")
                .args(WASM_OPT)
                .arg(module)
                .arg("-o")
                .arg(module)
                .status()
                .map_err(|e| format!("cannot run wasm-opt: {e}"))?;
            if !status.success() {
                return Err(format!("wasm-opt failed on {}", module.display()));
            }
        }
        let bytes = fs::read(module).map_err(|e| format!("{}: {e}", module.display()))?;
        let stem = module
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| format!("odd module name {}", module.display()))?;
        let hashed = format!("{stem}-{}.wasm", content_hash(&bytes));
        let quoted = format!("\"./{stem}.wasm\"");
        if !link.contains(&quoted) {
            return Err(format!("the link module does not name {quoted}"));
        }
        link = link.replace(&quoted, &format!("\"./{hashed}\""));
        fs::rename(module, split_dir.join(&hashed)).map_err(|e| format!("{hashed}: {e}"))?;
        sizes.push((hashed, bytes.len()));
    }
    let fetches = link.matches(FETCH).count();
    if fetches != result.split_modules.len() {
        return Err(format!(
            "the link module fetches {fetches} modules in a way this tool knows, not {}",
            result.split_modules.len()
        ));
    }
    let mut link = format!("{LOAD_WASM}{}", link.replace(FETCH, "loadWasm(new URL("));
    if opt {
        link = minify(&link)?;
    }
    fs::write(&link_path, link).map_err(|e| format!("{}: {e}", link_path.display()))?;
    sizes.sort();
    for (file, size) in &sizes {
        eprintln!("machi-wasm-split: {file}: {size} B");
    }
    eprintln!(
        "machi-wasm-split: {} modules split off; main {} B before wasm-bindgen",
        sizes.len(),
        fs::metadata(&main_out).map(|m| m.len()).unwrap_or(0)
    );
    Ok(main_out)
}

/// Every word of the split link module(s) in `out_dir/split/`: the main module's exports they
/// take by name keep it.
fn link_module_words(out_dir: &Path) -> Result<std::collections::BTreeSet<String>, String> {
    let mut words = std::collections::BTreeSet::new();
    let Ok(entries) = fs::read_dir(out_dir.join("split")) else {
        return Ok(words);
    };
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "js") {
            let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            words.extend(js::words(&text).map(|(_, word)| word.to_owned()));
        }
    }
    Ok(words)
}

/// wasm-bindgen's output in `out_dir` (`NAME_bg.wasm`, `NAME.js`) without the unused classes,
/// and with short import and export names.
fn trim_glue(out_dir: &Path, name: &str) -> Result<(), String> {
    let wasm_path = out_dir.join(format!("{name}_bg.wasm"));
    let js_path = out_dir.join(format!("{name}.js"));
    let wasm = fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let js = fs::read_to_string(&js_path).map_err(|e| format!("{}: {e}", js_path.display()))?;
    let (small, glue) = classes::drop(&wasm, &js, classes::UNUSED)?;
    let (small, glue) = imports::minify(&small, &glue, &format!("./{name}_bg.js"))?;
    let (small, glue) = exports::minify(&small, &glue, &link_module_words(out_dir)?)?;
    fs::write(&wasm_path, &small).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    fs::write(&js_path, &glue).map_err(|e| format!("{}: {e}", js_path.display()))?;
    eprintln!(
        "machi-wasm-split: glue trimmed: wasm {} → {} B, glue {} → {} B",
        wasm.len(),
        small.len(),
        js.len(),
        glue.len()
    );
    Ok(())
}

/// The link module minified for a release build (Trunk minifies the JS it processes itself, and
/// the link module is copied beside the app after it: 1.8 → 1.4 KB brotli).
fn minify(link: &str) -> Result<String, String> {
    let session = minify_js::Session::new();
    let mut out = Vec::with_capacity(link.len());
    minify_js::minify(
        &session,
        minify_js::TopLevelMode::Module,
        link.as_bytes(),
        &mut out,
    )
    .map_err(|e| format!("cannot minify the link module: {e:?}"))?;
    String::from_utf8(out).map_err(|e| format!("the minified link module is not UTF-8: {e}"))
}

/// Trunk's cache-busting hash of a file (its `hashed`: io::copy into a SeaHasher, in hex).
fn trunk_hash(bytes: &[u8]) -> String {
    let mut hasher = seahash::SeaHasher::new();
    io::copy(&mut &bytes[..], &mut hasher).expect("writes to a hasher");
    format!("{:x}", hasher.finish())
}

/// A content hash for a split module's name: 16 hex digits, as `dist::is_hashed` expects.
fn content_hash(bytes: &[u8]) -> String {
    format!("{:016x}", seahash::hash(bytes))
}
