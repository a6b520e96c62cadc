//! Short names for the functions wasm-bindgen's glue gives the wasm.
//!
//! wasm-bindgen names each of them after the Rust item and a 16-digit hash
//! (`__wbg_set_onvoiceschanged_b04eed8431a20ac5`), and every name is written twice: in the wasm's
//! import section and as a key of the glue's `imports` object. Trunk's JS minifier shortens
//! variables, never keys, and hashes do not compress, so the 257 names of the app cost ~6.5 KB
//! of the shell (4.0 in the wasm, 2.5 in the glue). [`minify`] renames them `a`, `b`, … `Z`,
//! `aa`, `ab`, … in both files at once, after wasm-bindgen and before Trunk's wasm-opt (which
//! keeps import names).
//!
//! Only the imports of the glue's own module (`./NAME_bg.js`) are renamed, and only where the
//! glue defines them (`    KEY: function(`); a name found anywhere else in the glue, or a key
//! not found exactly once, stops the build, so a wasm-bindgen that writes its glue otherwise
//! fails loudly instead of shipping an app that cannot start.

use std::collections::HashMap;

use crate::sections;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::Payload;

/// Renames the imports of `module` in `wasm` and the keys that define them in `js`.
pub fn minify(wasm: &[u8], js: &str, module: &str) -> Result<(Vec<u8>, String), String> {
    let mut renamed: HashMap<String, String> = HashMap::new();
    let out = sections::rewrite(wasm, |payload| {
        let Payload::ImportSection(reader) = payload else {
            return Ok(None);
        };
        let mut section = wasm_encoder::ImportSection::new();
        for import in reader.clone().into_imports() {
            let import = import.map_err(|e| format!("cannot read an import: {e}"))?;
            let ty = RoundtripReencoder
                .entity_type(import.ty)
                .map_err(|e| format!("import {}: {e:?}", import.name))?;
            let name = if import.module == module {
                let short = short_name(renamed.len());
                if renamed
                    .insert(import.name.to_owned(), short.clone())
                    .is_some()
                {
                    return Err(format!("{module} {} is imported twice", import.name));
                }
                short
            } else {
                import.name.to_owned()
            };
            section.import(import.module, &name, ty);
        }
        Ok(Some(sections::encoded(&section)))
    })?;
    if renamed.is_empty() {
        return Err(format!("the wasm imports nothing from {module}"));
    }
    Ok((out, rename_keys(js, &renamed)?))
}

/// The glue with each key of `renamed` replaced where it is defined, and nowhere else.
fn rename_keys(js: &str, renamed: &HashMap<String, String>) -> Result<String, String> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = String::with_capacity(js.len());
    for line in js.split_inclusive('\n') {
        let body = line.trim_start();
        let key = body.split_once(": function(").map(|(k, _)| k);
        match key.and_then(|k| renamed.get_key_value(k)) {
            Some((old, new)) => {
                *seen.entry(old.as_str()).or_default() += 1;
                out.push_str(&line[..line.len() - body.len()]);
                out.push_str(new);
                out.push_str(&body[old.len()..]);
            }
            None => out.push_str(line),
        }
    }
    for old in renamed.keys() {
        match seen.get(old.as_str()) {
            Some(1) => {}
            Some(n) => return Err(format!("the glue defines {old} {n} times")),
            None => return Err(format!("the glue does not define {old}")),
        }
        if out.contains(old.as_str()) {
            return Err(format!("the glue names {old} where it does not define it"));
        }
    }
    Ok(out)
}

/// The `i`th short name: `a`…`z`, `A`…`Z`, then two letters, and so on. Every one is a
/// JavaScript identifier (so an unquoted key), and none is `__proto__`.
pub fn short_name(mut i: usize) -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut name = Vec::new();
    loop {
        name.push(LETTERS[i % LETTERS.len()]);
        i /= LETTERS.len();
        if i == 0 {
            break;
        }
        i -= 1;
    }
    name.reverse();
    String::from_utf8(name).expect("ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_encoder::{
        CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, Instruction,
        Module, TypeSection, ValType,
    };
    use wasmparser::Parser;

    /// A module that imports `names` from `./app_bg.js` and `keep_me` from `env`, and calls the
    /// first import from an exported function.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut types = TypeSection::new();
        types.ty().function([ValType::I32], []);
        types.ty().function([], []);
        let mut imports = wasm_encoder::ImportSection::new();
        for n in names {
            imports.import("./app_bg.js", n, EntityType::Function(0));
        }
        imports.import("env", "keep_me", EntityType::Function(0));
        let mut funcs = FunctionSection::new();
        funcs.function(1);
        let mut exports = ExportSection::new();
        exports.export("run", ExportKind::Func, names.len() as u32 + 1);
        let mut code = CodeSection::new();
        let mut f = Function::new([]);
        f.instruction(&Instruction::I32Const(7));
        f.instruction(&Instruction::Call(0));
        f.instruction(&Instruction::End);
        code.function(&f);
        let custom = wasm_encoder::CustomSection {
            name: "producers".into(),
            data: b"kept as it was".as_slice().into(),
        };
        let mut m = Module::new();
        m.section(&types)
            .section(&imports)
            .section(&funcs)
            .section(&exports)
            .section(&code);
        m.section(&custom);
        m.finish()
    }

    fn glue(names: &[&str]) -> String {
        let mut js =
            String::from("function get() {\n    const import0 = {\n        __proto__: null,\n");
        for n in names {
            js.push_str(&format!(
                "        {n}: function(arg0) {{\n            log(arg0);\n        }},\n"
            ));
        }
        js.push_str("    };\n    return { \"./app_bg.js\": import0 };\n}\n");
        js
    }

    fn imports_of(wasm: &[u8]) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for p in Parser::new(0).parse_all(wasm) {
            if let Payload::ImportSection(r) = p.unwrap() {
                for i in r.into_imports() {
                    let i = i.unwrap();
                    found.push((i.module.to_owned(), i.name.to_owned()));
                }
            }
        }
        found
    }

    #[test]
    fn renames_the_glue_imports_in_both_files_and_nothing_else() {
        let names = [
            "__wbg_log_0123456789abcdef",
            "__wbindgen_throw_fedcba9876543210",
        ];
        let (wasm, js) = minify(&module(&names), &glue(&names), "./app_bg.js").unwrap();
        wasmparser::Validator::new()
            .validate_all(&wasm)
            .expect("still a valid module");
        assert!(
            wasm.ends_with(b"kept as it was"),
            "the custom section is copied"
        );
        assert_eq!(
            imports_of(&wasm),
            [
                ("./app_bg.js", "a"),
                ("./app_bg.js", "b"),
                ("env", "keep_me")
            ]
            .map(|(m, n)| (m.to_owned(), n.to_owned()))
        );
        assert!(js.contains("        a: function(arg0) {\n"), "{js}");
        assert!(js.contains("        b: function(arg0) {\n"), "{js}");
        assert!(
            !js.contains("__wbg_log") && !js.contains("__wbindgen_throw"),
            "{js}"
        );
        assert!(js.contains("__proto__: null"));
    }

    #[test]
    fn refuses_a_glue_that_names_an_import_elsewhere_or_not_at_all() {
        let names = ["__wbg_log_0123456789abcdef"];
        let twice = glue(&names) + "wasm.__wbg_log_0123456789abcdef();\n";
        let e = minify(&module(&names), &twice, "./app_bg.js").unwrap_err();
        assert!(e.contains("where it does not define it"), "{e}");
        let e = minify(&module(&names), "const import0 = {};\n", "./app_bg.js").unwrap_err();
        assert!(
            e.contains("does not define __wbg_log_0123456789abcdef"),
            "{e}"
        );
        let e = minify(&module(&names), &glue(&names), "./other_bg.js").unwrap_err();
        assert!(e.contains("imports nothing"), "{e}");
    }

    #[test]
    fn short_names_are_distinct_identifiers() {
        let names: Vec<String> = (0..3000).map(short_name).collect();
        assert_eq!(&names[..3], ["a", "b", "c"]);
        assert_eq!(names[52], "aa");
        let distinct: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        assert!(names
            .iter()
            .all(|n| n.bytes().all(|b| b.is_ascii_alphabetic())));
    }
}
