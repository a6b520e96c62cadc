//! What the tool reads in JavaScript (wasm-bindgen's glue, the split link module): identifiers,
//! found by their characters, strings and comments not told apart.

use std::collections::BTreeSet;

/// Whether `c` can be part of a JavaScript identifier (ASCII: all the glue uses).
fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The exports of the wasm `js` names: `wasm.NAME` (not `mywasm.NAME`).
pub fn wasm_refs(js: &str) -> BTreeSet<&str> {
    words(js)
        .filter(|(at, _)| after_wasm(js, *at))
        .map(|(_, name)| name)
        .collect()
}

/// Whether the word at `at` follows `wasm.` (and not `mywasm.`).
pub fn after_wasm(js: &str, at: usize) -> bool {
    js[..at].ends_with("wasm.") && !js[..at - 5].ends_with(is_ident)
}

/// The identifiers (and numbers) of `js` with their offsets, inside strings and comments too
/// (the caller looks at the characters beside each).
pub fn words(js: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + js[at..].find(is_ident)?;
        let len = js[start..]
            .find(|c: char| !is_ident(c))
            .unwrap_or(js.len() - start);
        at = start + len;
        Some((start, &js[start..at]))
    })
}
