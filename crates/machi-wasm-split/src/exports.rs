//! Short names for the functions the wasm exports to wasm-bindgen's glue.
//!
//! The closures' entry points are exported under their Rust types spelled out
//! (`wasm_bindgen_69e82b29c6fa750f___convert__closures_____invoke___js_sys_…_true_`, up to 300
//! characters), once in the wasm's export section and once in the glue (`wasm.NAME(…)`), which
//! Trunk's minifier cannot shorten: ~0.4 KB of the shell. [`minify`] renames every exported
//! function the glue calls `a`, `b`, … in both files, except those named in `keep` (what the split
//! link module takes from the main module by name). A name the glue uses as a string or another
//! object's property stops the build, as in [`crate::imports`].

use std::collections::{BTreeMap, BTreeSet};

use crate::js::{after_wasm, wasm_refs, words};
use crate::sections;
use wasmparser::{ExternalKind, Payload};

/// Renames the function exports of `wasm` that `js` calls, but those in `keep`.
pub fn minify(wasm: &[u8], js: &str, keep: &BTreeSet<String>) -> Result<(Vec<u8>, String), String> {
    let called = wasm_refs(js);
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    let mut taken = BTreeSet::new();
    // The names that stay, so that no short name meets one.
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let Payload::ExportSection(reader) = payload.map_err(|e| e.to_string())? {
            for export in reader {
                let export = export.map_err(|e| format!("cannot read an export: {e}"))?;
                let renames = export.kind == ExternalKind::Func
                    && called.contains(export.name)
                    && !keep.contains(export.name);
                if !renames {
                    taken.insert(export.name.to_owned());
                }
            }
        }
    }
    let mut next = 0;
    let out = sections::exports(wasm, |name, _| {
        if taken.contains(name) {
            return Ok(Some(name.to_owned()));
        }
        let short = loop {
            let candidate = crate::imports::short_name(next);
            next += 1;
            if !taken.contains(&candidate) {
                break candidate;
            }
        };
        renamed.insert(name.to_owned(), short.clone());
        Ok(Some(short))
    })?;
    Ok((out, rename_calls(js, &renamed)?))
}

/// `js` with every `wasm.OLD` written `wasm.NEW`; an old name quoted or after another object's
/// `.` or `[` is an error.
fn rename_calls(js: &str, renamed: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(js.len());
    let mut copied = 0;
    for (at, word) in words(js) {
        let Some(short) = renamed.get(word) else {
            continue;
        };
        if after_wasm(js, at) {
            out.push_str(&js[copied..at]);
            out.push_str(short);
            copied = at + word.len();
            continue;
        }
        // Elsewhere a name may only be a JavaScript identifier of its own (wasm-bindgen wraps
        // each export in a function of the same name, which Trunk's minifier renames): never a
        // string or another object's property, which could reach the export by name.
        let before = js[..at].chars().next_back();
        let after = js[at + word.len()..].chars().next();
        let quoted = |c: Option<char>| matches!(c, Some('"' | '\'' | '`'));
        if matches!(before, Some('.' | '[')) || quoted(before) || quoted(after) {
            return Err(format!(
                "the glue names the export {word} other than as wasm.{word}"
            ));
        }
    }
    out.push_str(&js[copied..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction,
        MemorySection, MemoryType, Module, TypeSection,
    };

    const LONG: &str = "wasm_bindgen_0123___convert__closures_____invoke___true_";

    /// Exports `names` (functions) and `memory`.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut funcs = FunctionSection::new();
        let mut code = CodeSection::new();
        for _ in names {
            funcs.function(0);
            let mut f = Function::new([]);
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        let mut memories = MemorySection::new();
        memories.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        let mut exports = ExportSection::new();
        for (i, n) in names.iter().enumerate() {
            exports.export(n, ExportKind::Func, i as u32);
        }
        exports.export("memory", ExportKind::Memory, 0);
        let mut m = Module::new();
        m.section(&types)
            .section(&funcs)
            .section(&memories)
            .section(&exports)
            .section(&code);
        m.finish()
    }

    fn exports_of(wasm: &[u8]) -> Vec<String> {
        let mut found = Vec::new();
        for p in wasmparser::Parser::new(0).parse_all(wasm) {
            if let Payload::ExportSection(r) = p.unwrap() {
                found.extend(r.into_iter().map(|e| e.unwrap().name.to_owned()));
            }
        }
        found
    }

    #[test]
    fn renames_what_the_glue_calls_but_what_is_kept() {
        let names = [LONG, "__wbindgen_malloc", "__wasm_split_shared0", "a", "b2"];
        let js = format!(
            "function {LONG}(a) {{ wasm.{LONG}(a); }}\nconst r = {LONG}(1); wasm.__wbindgen_malloc(2);\n\
             wasm.__wbindgen_malloc(3); wasm.__wasm_split_shared0();\n\
             new Uint8Array(wasm.memory.buffer); mywasm.b2();\n"
        );
        let keep = BTreeSet::from(["__wasm_split_shared0".to_owned()]);
        let (wasm, js) = minify(&module(&names), &js, &keep).unwrap();
        wasmparser::validate(&wasm).expect("still a valid module");
        // `a` stays (the glue does not call it), so no short name is `a`.
        assert_eq!(
            exports_of(&wasm),
            ["b", "c", "__wasm_split_shared0", "a", "b2", "memory"]
        );
        // The wrapper function of the same name is the glue's own identifier: it stays.
        assert_eq!(
            js,
            format!(
                "function {LONG}(a) {{ wasm.b(a); }}\nconst r = {LONG}(1); wasm.c(2);\n\
                 wasm.c(3); wasm.__wasm_split_shared0();\n\
                 new Uint8Array(wasm.memory.buffer); mywasm.b2();\n"
            )
        );
    }

    #[test]
    fn refuses_a_glue_that_names_an_export_otherwise() {
        for elsewhere in [
            format!("wasm.{LONG}(); const name = \"{LONG}\";\n"),
            format!("wasm.{LONG}(); other.{LONG}();\n"),
            format!("wasm.{LONG}(); wasm[`{LONG}`]();\n"),
        ] {
            let e = minify(&module(&[LONG]), &elsewhere, &BTreeSet::new()).unwrap_err();
            assert!(e.contains("other than as wasm."), "{e}");
        }
    }
}
