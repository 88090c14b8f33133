//! The decoding stage: every section and operator read without validating, so that the spec's
//! "malformed" (cannot be decoded) and "invalid" (does not validate) are told apart by stage.

use wasmparser::{ElementItems, ElementKind, Parser, Payload, TypeRef, WasmFeatures};

use super::classify;
use crate::error::{Class, Error};

/// The first use of a GC type or instruction in a module: its byte offset and what it is. The
/// interpreter validates with wasmparser's GC feature (3.0 lets a constant expression read any
/// earlier immutable global, which wasmparser allows only with it) but runs no GC yet, so a
/// module that validates and uses GC is refused with this (see [`super::Module::new`]).
pub(super) type GcUse = Option<(u64, &'static str)>;

/// Decodes every section of `bytes` without validating: any error here is [`Class::Malformed`].
/// Returns the first use of GC (see [`GcUse`]).
///
/// This is the reference interpreter's decoding stage: operators are read (so block structure,
/// immediates and LEB128 widths are checked), section counts must agree (functions and code,
/// data count and data) and encodings of proposals outside `features` are rejected (shared
/// globals; 64-bit, shared or paged limits when `features` lacks their proposal).
pub(super) fn decode(bytes: &[u8], features: WasmFeatures) -> Result<GcUse, Error> {
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
    let mut gc: GcUse = None;
    let mut note = |at: u64, what: Option<&'static str>| {
        if let (None, Some(what)) = (&gc, what) {
            gc = Some((at, what));
        }
    };
    for payload in parser.parse_all(bytes) {
        let payload = payload.map_err(mal)?;
        if let Some((id, range)) = payload.as_section() {
            // The spec's order; the data count section sits between elements and code.
            let rank = match id {
                0 => None,
                12 => Some(95),
                13 => Some(55),
                n => Some(n as u32 * 10),
            };
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
                let at = s.range().start;
                for rg in s {
                    let rg = rg.map_err(mal)?;
                    if rg.is_explicit_rec_group() && rg.types().len() > 1 {
                        note(at, Some("recursion groups"));
                    }
                    for st in rg.types() {
                        if !st.is_final || !st.supertype_idxs.is_empty() {
                            note(at, Some("subtyping"));
                        }
                        match &st.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => {
                                for &t in f.params().iter().chain(f.results()) {
                                    note(at, gc_val(t));
                                }
                            }
                            _ => note(at, Some("struct and array types")),
                        }
                    }
                }
            }
            Payload::ImportSection(s) => {
                let at = s.range().start;
                for imp in s.into_imports() {
                    let imp = imp.map_err(mal)?;
                    match imp.ty {
                        TypeRef::Memory(t) => decode_memory(&t, at, features)?,
                        TypeRef::Table(t) => {
                            note(at, gc_ref(t.element_type));
                            decode_table(&t, at, features)?
                        }
                        TypeRef::Global(g) if !g.shared => note(at, gc_val(g.content_type)),
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
                    note(at, gc_ref(t.ty.element_type));
                    if let wasmparser::TableInit::Expr(e) = &t.init {
                        note(at, decode_expr(e.get_operators_reader())?);
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
                    note(at, gc_val(g.ty.content_type));
                    note(at, decode_expr(g.init_expr.get_operators_reader())?);
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    e.map_err(mal)?;
                }
            }
            Payload::ElementSection(s) => {
                let at = s.range().start;
                for e in s {
                    let e = e.map_err(mal)?;
                    if let ElementKind::Active { offset_expr, .. } = &e.kind {
                        note(at, decode_expr(offset_expr.get_operators_reader())?);
                    }
                    match e.items {
                        ElementItems::Functions(r) => {
                            for f in r {
                                f.map_err(mal)?;
                            }
                        }
                        ElementItems::Expressions(t, r) => {
                            note(at, gc_ref(t));
                            for x in r {
                                note(at, decode_expr(x.map_err(mal)?.get_operators_reader())?);
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
                        note(0, decode_expr(offset_expr.get_operators_reader())?);
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
                    let (n, t) = locals.read().map_err(mal)?;
                    note(locals.original_position(), gc_val(t));
                    n_locals += n as u64;
                    if n_locals > u32::MAX as u64 {
                        return Err(malformed("too many locals", locals.original_position()));
                    }
                }
                let mut rd = body.get_operators_reader().map_err(mal)?;
                while !rd.eof() {
                    let at = rd.original_position();
                    let op = rd.read().map_err(mal)?;
                    note(at as u64, gc_op(&op));
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
    Ok(gc)
}

/// Reads a constant expression to its end; returns what in it needs GC, if anything.
fn decode_expr(mut rd: wasmparser::OperatorsReader<'_>) -> Result<Option<&'static str>, Error> {
    let mut gc = None;
    while !rd.eof() {
        let op = rd.read().map_err(|e| classify(e, true))?;
        gc = gc.or(gc_op(&op));
    }
    rd.finish().map_err(|e| classify(e, true))?;
    Ok(gc)
}

/// What in a reference type needs GC: the abstract heap types beyond `func`, `extern` and their
/// bottoms (`any`, `eq`, `i31`, `struct`, `array`, `none`).
fn gc_ref(r: wasmparser::RefType) -> Option<&'static str> {
    use wasmparser::AbstractHeapType as A;
    match r.heap_type() {
        wasmparser::HeapType::Abstract { shared: false, ty } => match ty {
            A::Func | A::Extern | A::NoFunc | A::NoExtern => None,
            _ => Some("GC's reference types"),
        },
        wasmparser::HeapType::Abstract { shared: true, .. } => Some("shared reference types"),
        _ => None,
    }
}

fn gc_val(t: wasmparser::ValType) -> Option<&'static str> {
    match t {
        wasmparser::ValType::Ref(r) => gc_ref(r),
        _ => None,
    }
}

/// What in an operator needs GC: GC's instructions, or a GC reference type in its immediates.
fn gc_op(op: &wasmparser::Operator<'_>) -> Option<&'static str> {
    use wasmparser::{BlockType, Operator as O};
    macro_rules! gc_instructions {
        ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*))*) => {
            match op {
                $( O::$op { .. } if stringify!($proposal) == "gc" => return Some("GC instructions"), )*
                _ => {}
            }
        };
    }
    wasmparser::for_each_operator!(gc_instructions);
    match op {
        O::Block { blockty } | O::Loop { blockty } | O::If { blockty } => match blockty {
            BlockType::Type(t) => gc_val(*t),
            _ => None,
        },
        O::RefNull { hty } => gc_ref(wasmparser::RefType::new(true, *hty)?),
        O::TypedSelect { ty } => gc_val(*ty),
        O::TypedSelectMulti { tys } => tys.iter().find_map(|t| gc_val(*t)),
        _ => None,
    }
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
