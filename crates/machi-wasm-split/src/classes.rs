//! Drops classes the glue exports for JavaScript that nothing uses.
//!
//! Leptos always enables server_fn's `browser` feature, which links wasm-streams, whose
//! `IntoUnderlyingSource`, `IntoUnderlyingByteSource` and `IntoUnderlyingSink` are
//! `#[wasm_bindgen]` classes: wasm-bindgen exports their methods from the wasm and writes a class
//! for each in the glue, though only JavaScript could call them, and the app's never does (its
//! JavaScript imports nothing from the glue but `default`). [`drop`] removes each named class
//! from the glue (the class, its `Symbol.dispose` line and its finalization registry) and every
//! wasm export only that code called, so that wasm-opt then drops the functions behind them:
//! about 1.5 KB brotli of the shell; then the futures those methods would start, which the
//! function table keeps ([`stub_behind`]): 2.1 KB more (of `--trim-glue`'s 10.5 KB; the short
//! names are the rest).
//!
//! Each step checks the glue's shape: a class that is not there, or an export the remaining
//! glue still names, stops the build rather than shipping glue that calls a missing function.

use std::collections::BTreeSet;

use crate::js::wasm_refs;
use crate::sections;
use wasmparser::Payload;

/// The unused classes: wasm-streams' three.
pub const UNUSED: &[&str] = &[
    "IntoUnderlyingByteSource",
    "IntoUnderlyingSink",
    "IntoUnderlyingSource",
];

/// `wasm` and `js` without `classes`.
pub fn drop(wasm: &[u8], js: &str, classes: &[&str]) -> Result<(Vec<u8>, String), String> {
    let mut js = js.to_owned();
    let mut exports = BTreeSet::new();
    for class in classes {
        let removed = cut_class(&mut js, class)?;
        exports.extend(wasm_refs(&removed).into_iter().map(str::to_owned));
    }
    let still = wasm_refs(&js);
    if let Some(name) = exports.iter().find(|name| still.contains(name.as_str())) {
        return Err(format!(
            "the glue still calls {name}, which only the dropped classes should"
        ));
    }
    let wasm = without_exports(wasm, &exports)?;
    Ok((stub_behind(&wasm, classes)?, js))
}

/// `IntoUnderlyingByteSource` → `into_underlying_byte_source`: the Rust module of a class, in the
/// name of every function that belongs to it (its methods, their futures and closures, the drop
/// code of their types).
fn module_of(class: &str) -> String {
    let mut out = String::new();
    for c in class.chars() {
        if c.is_ascii_uppercase() && !out.is_empty() {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// `wasm` with the body of every function of the dropped `classes` (by its name in the name
/// section) replaced by `unreachable`. Without their exports wasm-opt drops what only the methods
/// call, but not the futures they would start: those are reached through their vtables' entries
/// in the function table, which no optimiser of a linked module can remove. Nothing can run them
/// once the classes are gone (only the classes' methods start them), so their code goes: 2.1 KB
/// brotli. A wasm without a name section, or with no such function, stops the build (the names
/// changed, and this would silently do nothing).
fn stub_behind(wasm: &[u8], classes: &[&str]) -> Result<Vec<u8>, String> {
    let modules: Vec<String> = classes.iter().map(|c| module_of(c)).collect();
    let read = |e: wasmparser::BinaryReaderError| format!("cannot read the wasm: {e}");
    let (mut imported, mut named, mut stubbed) = (0u32, false, BTreeSet::new());
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(read)? {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import.map_err(read)?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                    named = true;
                    for sub in names {
                        if let wasmparser::Name::Function(map) = sub.map_err(read)? {
                            for naming in map {
                                let naming = naming.map_err(read)?;
                                if modules.iter().any(|m| naming.name.contains(m.as_str())) {
                                    stubbed.insert(naming.index);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if !named {
        return Err("the wasm has no name section to find the dropped classes' code by".into());
    }
    if stubbed.is_empty() {
        return Err(format!(
            "no function of the wasm is named after {}",
            modules.join(", ")
        ));
    }
    let mut index = imported;
    sections::rewrite(wasm, |payload| {
        let Payload::CodeSectionStart { range, .. } = payload else {
            return Ok(None);
        };
        let range = range.start as usize..range.end as usize;
        let reader = wasmparser::CodeSectionReader::new(wasmparser::BinaryReader::new(
            &wasm[range.clone()],
            range.start as u64,
        ))
        .map_err(read)?;
        let mut code = wasm_encoder::CodeSection::new();
        for body in reader {
            let body = body.map_err(read)?;
            if stubbed.contains(&index) {
                let mut f = wasm_encoder::Function::new([]);
                f.instruction(&wasm_encoder::Instruction::Unreachable);
                f.instruction(&wasm_encoder::Instruction::End);
                code.function(&f);
            } else {
                code.raw(body.as_bytes());
            }
            index += 1;
        }
        Ok(Some(sections::encoded(&code)))
    })
}

/// Cuts `class` out of `js` (the class, its `Symbol.dispose` line and its finalization
/// registry) and returns what was cut.
fn cut_class(js: &mut String, class: &str) -> Result<String, String> {
    let mut removed = cut(
        js,
        &format!("export class {class} {{\n"),
        "\n}\n",
        &format!("class {class}"),
    )?;
    let dispose = format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose] = ");
    cut(js, &dispose, "\n", &format!("Symbol.dispose for {class}"))?;
    let registry = format!("const {class}Finalization = ");
    removed += &cut(js, &registry, ");\n", &format!("{class}Finalization"))?;
    if js.contains(class) {
        return Err(format!("the glue still names {class} after it was dropped"));
    }
    Ok(removed)
}

/// Cuts out of `js` the text from `start` through the first `end` after it, and returns it.
fn cut(js: &mut String, start: &str, end: &str, what: &str) -> Result<String, String> {
    let from = js
        .find(start)
        .ok_or_else(|| format!("the glue has no {what}"))?;
    let len = js[from..]
        .find(end)
        .ok_or_else(|| format!("{what} does not end"))?
        + end.len();
    Ok(js.drain(from..from + len).collect())
}

/// `wasm` without the exports named in `drop`, every one of which must be there.
fn without_exports(wasm: &[u8], drop: &BTreeSet<String>) -> Result<Vec<u8>, String> {
    let mut dropped = BTreeSet::new();
    let out = sections::exports(wasm, |name, _| {
        if drop.contains(name) {
            dropped.insert(name.to_owned());
            Ok(None)
        } else {
            Ok(Some(name.to_owned()))
        }
    })?;
    if let Some(missing) = drop.difference(&dropped).next() {
        return Err(format!(
            "the wasm does not export {missing}, which the glue called"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, ExportKind, ExportSection, Function, FunctionSection, Instruction, Module,
        TypeSection,
    };
    use wasmparser::Parser;

    /// A function per name of `names` (the name section's), the first ones exported as
    /// `exports`; each body is `nop`.
    fn named_module(exports: &[&str], names: &[&str]) -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([], []);
        let mut funcs = FunctionSection::new();
        let mut code = CodeSection::new();
        let mut ex = ExportSection::new();
        let mut map = wasm_encoder::NameMap::new();
        for (i, name) in names.iter().enumerate() {
            funcs.function(0);
            let mut f = Function::new([]);
            f.instruction(&Instruction::Nop);
            f.instruction(&Instruction::End);
            code.function(&f);
            map.append(i as u32, name);
        }
        for (i, name) in exports.iter().enumerate() {
            ex.export(name, ExportKind::Func, i as u32);
        }
        let mut names = wasm_encoder::NameSection::new();
        names.functions(&map);
        let mut m = Module::new();
        m.section(&types)
            .section(&funcs)
            .section(&ex)
            .section(&code)
            .section(&names);
        m.finish()
    }

    /// `exports`, and a future of class `Gone` that no export reaches.
    fn module(exports: &[&str]) -> Vec<u8> {
        let mut names = exports.to_vec();
        names.push("<app::gone::Inner>::pull::{closure#0}");
        named_module(exports, &names)
    }

    /// Whether each function's body starts with `unreachable`.
    fn stubbed(wasm: &[u8]) -> Vec<bool> {
        let mut found = Vec::new();
        for p in Parser::new(0).parse_all(wasm) {
            if let Payload::CodeSectionEntry(body) = p.unwrap() {
                let op = body.get_operators_reader().unwrap().read().unwrap();
                found.push(matches!(op, wasmparser::Operator::Unreachable));
            }
        }
        found
    }

    const GLUE: &str = "\
export class Kept {
    run() {
        wasm.kept_run(this.__wbg_ptr);
    }
}
export class Gone {
    free() {
        const ptr = this.__destroy_into_raw();
        wasm.__wbg_gone_free(ptr, 0);
    }
    pull(c) {
        const ret = wasm.gone_pull(this.__wbg_ptr, c);
        return ret;
    }
}
if (Symbol.dispose) Gone.prototype[Symbol.dispose] = Gone.prototype.free;
const x = 1;
const GoneFinalization = (typeof FinalizationRegistry === 'undefined')
    ? { register: () => {}, unregister: () => {} }
    : new FinalizationRegistry(ptr => wasm.__wbg_gone_free(ptr, 1));
const y = 2;
";

    fn exports_of(wasm: &[u8]) -> Vec<String> {
        let mut names = Vec::new();
        for p in Parser::new(0).parse_all(wasm) {
            if let Payload::ExportSection(r) = p.unwrap() {
                names.extend(r.into_iter().map(|e| e.unwrap().name.to_owned()));
            }
        }
        names
    }

    #[test]
    fn drops_the_class_its_registry_and_the_exports_only_it_called() {
        let wasm = module(&["kept_run", "__wbg_gone_free", "gone_pull", "memory_like"]);
        let (wasm, js) = drop(&wasm, GLUE, &["Gone"]).unwrap();
        wasmparser::Validator::new().validate_all(&wasm).unwrap();
        assert_eq!(exports_of(&wasm), ["kept_run", "memory_like"]);
        // The class's code (its methods, now exported by nothing, and its future, which the
        // function table would keep) is stubbed; the rest is as it was.
        assert_eq!(stubbed(&wasm), [false, true, true, false, true]);
        assert_eq!(
            js,
            "export class Kept {\n    run() {\n        wasm.kept_run(this.__wbg_ptr);\n    }\n}\n\
             const x = 1;\nconst y = 2;\n"
        );
    }

    #[test]
    fn refuses_what_it_does_not_recognise() {
        let wasm = module(&["kept_run", "__wbg_gone_free", "gone_pull"]);
        let e = drop(&wasm, GLUE, &["Absent"]).unwrap_err();
        assert!(e.contains("no class Absent"), "{e}");
        let still = format!("{GLUE}function f() {{ wasm.gone_pull(0, 0); }}\n");
        let e = drop(&wasm, &still, &["Gone"]).unwrap_err();
        assert!(e.contains("still calls gone_pull"), "{e}");
        let e = drop(&module(&["kept_run", "gone_pull"]), GLUE, &["Gone"]).unwrap_err();
        assert!(e.contains("does not export __wbg_gone_free"), "{e}");
        // Code that cannot be found by name is not silently kept.
        let exports = ["kept_run", "__wbg_gone_free", "gone_pull"];
        let names = ["kept_run", "free_shim", "pull_shim"];
        let e = drop(&named_module(&exports, &names), GLUE, &["Gone"]).unwrap_err();
        assert!(
            e.contains("no function of the wasm is named after gone"),
            "{e}"
        );
    }
}
