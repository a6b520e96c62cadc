//! A wasm module rewritten section by section (for [`crate::imports`], [`crate::exports`] and
//! [`crate::classes`]).

use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmparser::{ExternalKind, Parser, Payload};

/// `wasm` with each section for which `rewrite` returns bytes replaced by them (a whole section:
/// [`encoded`]); everything else is copied as it was.
pub fn rewrite(
    wasm: &[u8],
    mut rewrite: impl FnMut(&Payload) -> Result<Option<Vec<u8>>, String>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(wasm.len());
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| format!("cannot read the wasm: {e}"))?;
        if let Payload::Version { range, .. } = &payload {
            out.extend_from_slice(&wasm[range.start as usize..range.end as usize]);
        } else if let Some(section) = rewrite(&payload)? {
            out.extend_from_slice(&section);
        } else if let Some((id, range)) = payload.as_section() {
            // Payloads inside a section (the code section's entries) have no range of their own.
            let range = range.start as usize..range.end as usize;
            out.push(id);
            leb128(&mut out, range.len());
            out.extend_from_slice(&wasm[range]);
        }
    }
    Ok(out)
}

/// `wasm` with its export section rewritten: `rename` is given each export's name and kind and
/// returns its new name, or `None` to drop it.
pub fn exports(
    wasm: &[u8],
    mut rename: impl FnMut(&str, ExternalKind) -> Result<Option<String>, String>,
) -> Result<Vec<u8>, String> {
    rewrite(wasm, |payload| {
        let Payload::ExportSection(reader) = payload else {
            return Ok(None);
        };
        let mut section = wasm_encoder::ExportSection::new();
        for export in reader.clone() {
            let export = export.map_err(|e| format!("cannot read an export: {e}"))?;
            let Some(name) = rename(export.name, export.kind)? else {
                continue;
            };
            let kind = RoundtripReencoder
                .export_kind(export.kind)
                .map_err(|e| format!("export {}: {e:?}", export.name))?;
            section.export(&name, kind, export.index);
        }
        Ok(Some(encoded(&section)))
    })
}

/// `section` as a module holds it: its id, then its size and contents.
pub fn encoded(section: &impl wasm_encoder::Section) -> Vec<u8> {
    let mut out = vec![section.id()];
    section.encode(&mut out);
    out
}

fn leb128(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
