//! The decoding stage: every section and operator read without validating, so that the spec's
//! "malformed" (cannot be decoded) and "invalid" (does not validate) are told apart by stage.

use wasmparser::{ElementItems, ElementKind, Parser, Payload, TypeRef, WasmFeatures};

use super::classify;
use crate::error::{Class, Error};

/// Decodes every section of `bytes` without validating: any error here is [`Class::Malformed`].
///
/// This is the reference interpreter's decoding stage: operators are read (so block structure,
/// immediates and LEB128 widths are checked), section counts must agree (functions and code,
/// data count and data) and encodings of proposals outside `features` are rejected (shared
/// globals; 64-bit, shared or paged limits when `features` lacks their proposal).
pub(super) fn decode(bytes: &[u8], features: WasmFeatures) -> Result<(), Error> {
    decode_sections(bytes, features).map_err(|e| refine(bytes, features, e))
}

fn decode_sections(bytes: &[u8], features: WasmFeatures) -> Result<(), Error> {
    let mal = |e| classify(e, true);
    let malformed = |msg: &str, offset: u64| {
        Error::unlocated(Class::Malformed, msg).with_note(format!("at byte offset {offset}"))
    };
    let mut parser = Parser::new(0);
    parser.set_features(features);
    let (mut n_funcs, mut n_bodies) = (0u64, 0u64);
    let (mut data_count, mut n_datas, mut uses_data_count) = (None, 0u64, false);
    let mut code_end = 0;
    let mut last_rank = 0;
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(mal)?;
        if let Some((id, range)) = payload.as_section() {
            let rank = section_rank(id);
            if let Some(rank) = rank {
                if rank <= last_rank {
                    return Err(malformed(
                        "unexpected content after last section",
                        range.start,
                    ));
                }
                last_rank = rank;
            }
        }
        match payload {
            Payload::UnknownSection { id, range, .. } => {
                return Err(malformed(
                    &format!("malformed section id {id}"),
                    range.start,
                ));
            }
            Payload::TypeSection(s) => {
                for rg in s {
                    rg.map_err(mal)?;
                }
            }
            Payload::ImportSection(s) => {
                let at = s.range().start;
                for imp in s.into_imports() {
                    let imp = imp.map_err(mal)?;
                    match imp.ty {
                        TypeRef::Memory(t) => decode_memory(&t, at, features)?,
                        TypeRef::Table(t) => decode_table(&t, at, features)?,
                        TypeRef::Global(g) if g.shared => {
                            return Err(malformed("malformed mutability", at));
                        }
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(s) => {
                for t in s {
                    t.map_err(mal)?;
                    n_funcs += 1;
                }
            }
            Payload::TableSection(s) => {
                let at = s.range().start;
                for t in s {
                    let t = t.map_err(mal)?;
                    decode_table(&t.ty, at, features)?;
                    if let wasmparser::TableInit::Expr(e) = &t.init {
                        decode_expr(e.get_operators_reader())?;
                    }
                }
            }
            Payload::MemorySection(s) => {
                let at = s.range().start;
                for t in s {
                    decode_memory(&t.map_err(mal)?, at, features)?;
                }
            }
            Payload::TagSection(s) => {
                for t in s {
                    t.map_err(mal)?;
                }
            }
            Payload::GlobalSection(s) => {
                let at = s.range().start;
                for g in s {
                    let g = g.map_err(mal)?;
                    if g.ty.shared {
                        return Err(malformed("malformed mutability", at));
                    }
                    decode_expr(g.init_expr.get_operators_reader())?;
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    e.map_err(mal)?;
                }
            }
            Payload::ElementSection(s) => {
                for e in s {
                    let e = e.map_err(mal)?;
                    if let ElementKind::Active { offset_expr, .. } = &e.kind {
                        decode_expr(offset_expr.get_operators_reader())?;
                    }
                    match e.items {
                        ElementItems::Functions(r) => {
                            for f in r {
                                f.map_err(mal)?;
                            }
                        }
                        ElementItems::Expressions(_, r) => {
                            for x in r {
                                decode_expr(x.map_err(mal)?.get_operators_reader())?;
                            }
                        }
                    }
                }
            }
            Payload::DataCountSection { count, .. } => data_count = Some(count as u64),
            Payload::DataSection(s) => {
                for d in s {
                    let d = d.map_err(mal)?;
                    if let wasmparser::DataKind::Active { offset_expr, .. } = &d.kind {
                        decode_expr(offset_expr.get_operators_reader())?;
                    }
                    n_datas += 1;
                }
            }
            Payload::CodeSectionStart {
                unchecked_range, ..
            } => code_end = unchecked_range.end,
            Payload::CodeSectionEntry(body) => {
                n_bodies += 1;
                let mut locals = body.get_locals_reader().map_err(mal)?;
                let mut n_locals = 0u64;
                for _ in 0..locals.get_count() {
                    let (n, _) = locals.read().map_err(mal)?;
                    n_locals += n as u64;
                    if n_locals > u32::MAX as u64 {
                        return Err(malformed("too many locals", locals.original_position()));
                    }
                }
                let mut rd = body.get_operators_reader().map_err(mal)?;
                while !rd.eof() {
                    let op = rd.read().map_err(mal)?;
                    if !features.multi_memory() && memarg_of(&op).is_some_and(|m| m.align >= 32) {
                        return Err(malformed("malformed memop flags", rd.original_position()));
                    }
                    uses_data_count |= matches!(
                        op,
                        wasmparser::Operator::MemoryInit { .. }
                            | wasmparser::Operator::DataDrop { .. }
                    );
                }
                rd.finish().map_err(mal)?;
            }
            _ => {}
        }
    }
    if n_funcs != n_bodies {
        return Err(malformed(
            "function and code section have inconsistent lengths",
            code_end,
        ));
    }
    if data_count.is_some_and(|c| c != n_datas) {
        return Err(malformed(
            "data count and data section have inconsistent lengths",
            bytes.len() as u64,
        ));
    }
    if uses_data_count && data_count.is_none() {
        return Err(malformed("data count section required", code_end));
    }
    Ok(())
}

/// Reads a constant expression to its end.
fn decode_expr(mut rd: wasmparser::OperatorsReader<'_>) -> Result<(), Error> {
    while !rd.eof() {
        rd.read().map_err(|e| classify(e, true))?;
    }
    rd.finish().map_err(|e| classify(e, true))?;
    Ok(())
}

/// The memory operand of a load or store. Its alignment exponent is a u32 whose bit 6 flags a
/// memory index (multi-memory), so without multi-memory an exponent of 32 or more is malformed.
fn memarg_of<'o>(op: &'o wasmparser::Operator<'_>) -> Option<&'o wasmparser::MemArg> {
    use wasmparser::Operator as O;
    match op {
        O::I32Load { memarg }
        | O::I64Load { memarg }
        | O::F32Load { memarg }
        | O::F64Load { memarg }
        | O::I32Load8S { memarg }
        | O::I32Load8U { memarg }
        | O::I32Load16S { memarg }
        | O::I32Load16U { memarg }
        | O::I64Load8S { memarg }
        | O::I64Load8U { memarg }
        | O::I64Load16S { memarg }
        | O::I64Load16U { memarg }
        | O::I64Load32S { memarg }
        | O::I64Load32U { memarg }
        | O::I32Store { memarg }
        | O::I64Store { memarg }
        | O::F32Store { memarg }
        | O::F64Store { memarg }
        | O::I32Store8 { memarg }
        | O::I32Store16 { memarg }
        | O::I64Store8 { memarg }
        | O::I64Store16 { memarg }
        | O::I64Store32 { memarg }
        | O::V128Load { memarg }
        | O::V128Load8x8S { memarg }
        | O::V128Load8x8U { memarg }
        | O::V128Load16x4S { memarg }
        | O::V128Load16x4U { memarg }
        | O::V128Load32x2S { memarg }
        | O::V128Load32x2U { memarg }
        | O::V128Load8Splat { memarg }
        | O::V128Load16Splat { memarg }
        | O::V128Load32Splat { memarg }
        | O::V128Load64Splat { memarg }
        | O::V128Load32Zero { memarg }
        | O::V128Load64Zero { memarg }
        | O::V128Store { memarg }
        | O::V128Load8Lane { memarg, .. }
        | O::V128Load16Lane { memarg, .. }
        | O::V128Load32Lane { memarg, .. }
        | O::V128Load64Lane { memarg, .. }
        | O::V128Store8Lane { memarg, .. }
        | O::V128Store16Lane { memarg, .. }
        | O::V128Store32Lane { memarg, .. }
        | O::V128Store64Lane { memarg, .. } => Some(memarg),
        _ => None,
    }
}

/// Limits flags beyond "has a maximum" (64-bit, shared, custom page size) need their proposals.
fn decode_memory(t: &wasmparser::MemoryType, at: u64, f: WasmFeatures) -> Result<(), Error> {
    if (t.memory64 && !f.memory64())
        || (t.shared && !f.threads())
        || (t.page_size_log2.is_some() && !f.custom_page_sizes())
    {
        return Err(Error::unlocated(Class::Malformed, "malformed limits flags")
            .with_note(format!("at byte offset {at}")));
    }
    Ok(())
}

fn decode_table(t: &wasmparser::TableType, at: u64, f: WasmFeatures) -> Result<(), Error> {
    if (t.table64 && !f.memory64()) || t.shared {
        return Err(Error::unlocated(Class::Malformed, "malformed limits flags")
            .with_note(format!("at byte offset {at}")));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The reference decoder's words for malformed bytes

/// Rewords a decoding error as the reference decoder would word it. wasmparser reads every
/// section and function body within its declared size, and so stops with "unexpected end" where
/// the reference decoder reads on: it reads a section's or body's items from the whole module
/// and compares sizes only after (then "section size mismatch"), and checks a length against the
/// bytes left ("length out of bounds"). This runs on the error path only: it looks at the bytes
/// around the error and, where the reference decoder would have met another error first, names
/// that one.
fn refine(bytes: &[u8], features: WasmFeatures, e: Error) -> Error {
    if e.class != Class::Malformed {
        return e;
    }
    let words = |msg: &str| {
        let mut r = Error::unlocated(Class::Malformed, msg);
        r.notes = e.notes.clone();
        r
    };
    let eof = e
        .message
        .starts_with("unexpected end of section or function");
    // An overlong LEB128 where a type's leading byte (a signed 7-bit number) is read.
    if let Some(rest) = e.message.strip_prefix("invalid leading byte (0x")
        && u8::from_str_radix(rest.get(..2).unwrap_or(""), 16).is_ok_and(|b| b & 0x80 != 0)
    {
        return words("integer representation too long");
    }
    let sections = section_headers(bytes);
    // The reference decoder checks the order of sections as it meets them.
    if e.message
        .starts_with("function and code section have inconsistent lengths")
        && sections.out_of_order
    {
        return words("unexpected content after last section");
    }
    if !eof {
        return e;
    }
    let Some(at) = offset_of(&e) else {
        return e;
    };
    let Some(&(id, size_at, start, end)) = sections
        .list
        .iter()
        .find(|&&(_, _, start, end)| start <= at && at <= end)
    else {
        return if sections.too_long_at.is_some_and(|h| h < at) {
            words("length out of bounds")
        } else {
            e
        };
    };
    match id {
        // Without exception handling, the tag section's id is unknown.
        13 if !features.exceptions() => return words("malformed section id"),
        10 => {
            return match code_beyond(bytes, features, start, end, at) {
                Some(msg) => words(&msg),
                None => e,
            };
        }
        5 if bad_memory_flags(bytes, start, end, features) => {
            return words("malformed limits flags");
        }
        2 | 7 => {
            if let Some(msg) = names_beyond(bytes, id, start, features) {
                return words(msg);
            }
        }
        // An element segment starts with a table index in 1.0 and a flags word since 2.0: read
        // on past the section, the two decoders part ways, and the suites of either era expect
        // their own words; keep wasmparser's.
        9 => return e,
        _ => {}
    }
    // Read the section on to the module's end, as the reference decoder does; an error met
    // there (an overlong number, a bad kind byte) is the one it reports.
    let mut longer = bytes[..size_at].to_vec();
    let size = (bytes.len() - start) as u32;
    longer.extend_from_slice(&[
        (size as u8 & 0x7f) | 0x80,
        ((size >> 7) as u8 & 0x7f) | 0x80,
        ((size >> 14) as u8 & 0x7f) | 0x80,
        ((size >> 21) as u8 & 0x7f) | 0x80,
        (size >> 28) as u8 & 0x0f,
    ]);
    longer.extend_from_slice(&bytes[start..]);
    match decode_sections(&longer, features) {
        Err(e2)
            if e2.class == Class::Malformed
                && !e2.message.starts_with("unexpected end")
                && !e2.message.contains("inconsistent lengths")
                && !e2.message.contains("after last section") =>
        {
            words(&e2.message)
        }
        _ => e,
    }
}

/// The byte offset an error's note names.
fn offset_of(e: &Error) -> Option<usize> {
    e.notes
        .iter()
        .find_map(|n| n.strip_prefix("at byte offset "))
        .and_then(|n| n.parse().ok())
}

/// The module's section headers as the reference decoder reads them.
#[derive(Default)]
struct Headers {
    /// (id, offset of the size, contents start, contents end) of each section that fits.
    list: Vec<(u8, usize, usize, usize)>,
    /// Where the header of a section whose size runs past the module's end starts.
    too_long_at: Option<usize>,
    /// A non-custom section comes after one it must precede.
    out_of_order: bool,
}

/// Where section `id` stands in the spec's order (the data count section sits between elements
/// and code; tags between memories and globals); `None` for custom sections, which go anywhere.
fn section_rank(id: u8) -> Option<u32> {
    match id {
        0 => None,
        12 => Some(95),
        13 => Some(55),
        n => Some(n as u32 * 10),
    }
}

fn section_headers(bytes: &[u8]) -> Headers {
    let mut h = Headers::default();
    let mut pos = 8;
    let mut last_rank = 0;
    while pos < bytes.len() {
        let id = bytes[pos];
        let size_at = pos + 1;
        let Some((size, n)) = bytes.get(size_at..).and_then(leb_u32) else {
            break;
        };
        let start = size_at + n;
        if size as usize > bytes.len() - start {
            h.too_long_at = Some(pos);
            break;
        }
        let rank = section_rank(id);
        if let Some(rank) = rank {
            h.out_of_order |= rank <= last_rank;
            last_rank = rank;
        }
        h.list.push((id, size_at, start, start + size as usize));
        pos = start + size as usize;
    }
    h
}

/// An unsigned LEB128 of at most 5 bytes: its value and length.
fn leb_u32(b: &[u8]) -> Option<(u32, usize)> {
    let mut v: u64 = 0;
    for (i, &x) in b.iter().enumerate().take(5) {
        v |= ((x & 0x7f) as u64) << (7 * i);
        if x & 0x80 == 0 {
            return u32::try_from(v).ok().map(|v| (v, i + 1));
        }
    }
    None
}

/// Skips an unsigned LEB128 of at most 10 bytes; its length.
fn leb_len(b: &[u8]) -> Option<usize> {
    b.iter().take(10).position(|x| x & 0x80 == 0).map(|i| i + 1)
}

/// Whether an entry of the memory section `start..end` has limits flags the reference decoder
/// refuses before it reads the limits (which wasmparser reads first).
fn bad_memory_flags(bytes: &[u8], start: usize, end: usize, f: WasmFeatures) -> bool {
    let Some((count, n)) = leb_u32(&bytes[start..end]) else {
        return false;
    };
    let mut pos = start + n;
    for _ in 0..count {
        let Some(&flags) = bytes.get(pos) else {
            return false;
        };
        let allowed = 0x01
            | if f.threads() { 0x02 } else { 0 }
            | if f.memory64() { 0x04 } else { 0 }
            | if f.custom_page_sizes() { 0x08 } else { 0 };
        if flags & !allowed != 0 {
            return true;
        }
        pos += 1;
        let numbers = 1 + (flags & 1) as usize + (flags >> 3 & 1) as usize;
        for _ in 0..numbers {
            match bytes.get(pos..).and_then(leb_len) {
                Some(n) => pos += n,
                None => return false,
            }
        }
    }
    false
}

/// What the reference decoder meets reading the function body of the code section
/// `start..end` that holds offset `at`, reading its instructions on past the body's size up to
/// its closing `end`: another error, "END opcode expected" (an `else` where the body must end)
/// or "section size mismatch" (the body ends elsewhere than its size says).
fn code_beyond(
    bytes: &[u8],
    features: WasmFeatures,
    start: usize,
    end: usize,
    at: usize,
) -> Option<String> {
    let (count, n) = leb_u32(&bytes[start..end])?;
    let mut pos = start + n;
    for _ in 0..count {
        let (size, n) = leb_u32(bytes.get(pos..end)?)?;
        let body = pos + n;
        let body_end = body + size as usize;
        if at > body_end {
            pos = body_end;
            continue;
        }
        // Locals: a count, then (count, type) pairs.
        let mut rd = wasmparser::BinaryReader::new_features(&bytes[body..], body as u64, features);
        let groups = rd.read_var_u32().ok()?;
        for _ in 0..groups {
            rd.read_var_u32().ok()?;
            rd.read::<wasmparser::ValType>().ok()?;
        }
        let mut ops = wasmparser::OperatorsReader::new(rd);
        // Open blocks: whether each is an `if` (where `else` may come).
        let mut open: Vec<bool> = Vec::new();
        loop {
            let p = ops.original_position() as usize;
            let op = match ops.read() {
                Ok(op) => op,
                Err(_) if bytes.get(p) == Some(&0x05) && open.last() != Some(&true) => {
                    return Some("END opcode expected".into());
                }
                Err(e) if e.message().starts_with("unexpected end") => return None,
                Err(e) => return Some(crate::error::spec_words(e.message())),
            };
            use wasmparser::Operator as O;
            match op {
                O::Block { .. } | O::Loop { .. } | O::TryTable { .. } | O::Try { .. } => {
                    open.push(false)
                }
                O::If { .. } => open.push(true),
                O::Else if open.last() != Some(&true) => return Some("END opcode expected".into()),
                // `end` closes the innermost open block (the guard pops it), or the body.
                O::End if open.pop().is_none() => {
                    let stop = ops.original_position() as usize;
                    return (stop != body_end).then(|| "section size mismatch".into());
                }
                _ => {}
            }
        }
    }
    None
}

/// What the reference decoder meets reading the import (`id` 2) or export (7) section starting
/// at `start` on past its size: a name longer than the bytes left ("length out of bounds") or an
/// unknown import kind. Stops (`None`) at an import of a table or global.
fn names_beyond(bytes: &[u8], id: u8, start: usize, f: WasmFeatures) -> Option<&'static str> {
    let mut pos = start;
    let (count, n) = leb_u32(bytes.get(pos..)?)?;
    pos += n;
    for _ in 0..count {
        for _ in 0..if id == 2 { 2 } else { 1 } {
            let (len, n) = leb_u32(bytes.get(pos..)?)?;
            pos += n;
            if len as usize > bytes.len() - pos {
                return Some("length out of bounds");
            }
            pos += len as usize;
        }
        let kind = *bytes.get(pos)?;
        pos += 1;
        match kind {
            0 => pos += leb_len(bytes.get(pos..)?)?,
            2 if id == 2 => {
                let flags = *bytes.get(pos)?;
                pos += 1;
                for _ in 0..1 + (flags & 1) as usize + (flags >> 3 & 1) as usize {
                    pos += leb_len(bytes.get(pos..)?)?;
                }
            }
            1..=3 if id == 7 => pos += leb_len(bytes.get(pos..)?)?,
            4 if f.exceptions() => return None,
            1 | 3 => return None,
            _ if id == 2 => return Some("malformed import kind"),
            _ => return Some("malformed export kind"),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::error::Class;
    use crate::exec::{Imports, Module, Store, Value};

    #[test]
    fn constant_expressions_read_earlier_defined_globals() {
        let wasm = wat::parse_str(
            r#"(module (global $a i32 (i32.const 40))
                (global (export "b") i32 (i32.add (global.get $a) (i32.const 2))))"#,
        )
        .unwrap();
        let mut store = Store::default();
        let inst = store
            .instantiate(&Module::new(&wasm).unwrap(), &Imports::new())
            .unwrap();
        assert_eq!(store.get_global(inst, "b"), Some(Value::I32(42)));
    }

    #[test]
    fn gc_modules_load_and_invalid_ones_are_invalid() {
        let gc = wat::parse_str("(module (type (struct (field i32))))").unwrap();
        assert!(Module::new(&gc).is_ok());
        let invalid = wat::parse_str(
            "(module (func (result i32) (ref.i31 (i64.const 0)) drop (i32.const 0)))",
        )
        .unwrap();
        assert_eq!(Module::new(&invalid).unwrap_err().class, Class::Invalid);
    }

    #[test]
    fn a_body_without_end_reads_on_as_the_reference_decoder_does() {
        let header = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0";
        // Two bodies, the first without `end`: the reference decoder meets the second body's
        // size byte (0x05, `else`) where the first must end.
        let mut a = header.to_vec();
        a.extend_from_slice(
            b"\x03\x03\x02\0\0\x0a\x0c\x02\x04\0\x41\x01\x1a\x05\0\x41\x01\x1a\x0b",
        );
        let e = Module::new(&a).unwrap_err();
        assert_eq!(
            (e.class, e.message.as_str()),
            (Class::Malformed, "END opcode expected")
        );
        // One body without `end`, then the data section's id (0x0b, `end`).
        let mut b = header.to_vec();
        b.extend_from_slice(b"\x03\x02\x01\0\x0a\x06\x01\x04\0\x41\x01\x1a\x0b\x03\x01\x01\0");
        let e = Module::new(&b).unwrap_err();
        assert_eq!(e.message, "section size mismatch");
    }
}
