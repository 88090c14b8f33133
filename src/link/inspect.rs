//! The map of an already linked module, reconstructed from the binary (`watlink layout`).
//!
//! What a binary tells: memory limits, active data segments at constant addresses (and their names
//! from the name section), and the linker symbols that were kept as globals (by their name in the
//! name section, or their export name). What it does not: rodata and data look alike (both are
//! active segments; they are shown as `data`), bss has no segment (it is inferred as the gap up to
//! `__data_end` when that symbol is known), and the stack size is known only from `__stack_pointer`.

use super::layout::{PAGE_SIZE, Placed, Plan, STACK_ALIGN, SegmentKind, Symbols};
use crate::error::{Class, Error};

/// A plan reconstructed from a linked module, with notes on what could not be recovered.
#[derive(Clone, Debug)]
pub struct Recovered {
    /// The plan, as far as the binary tells it.
    pub plan: Plan,
    /// What is missing or guessed.
    pub notes: Vec<String>,
}

fn malformed(e: wasmparser::BinaryReaderError) -> Error {
    Error::unlocated(Class::Malformed, e.message().to_string())
}

fn const_value(expr: &wasmparser::ConstExpr<'_>) -> Option<u64> {
    let mut r = expr.get_operators_reader();
    match r.read().ok()? {
        wasmparser::Operator::I32Const { value } => Some(value as u32 as u64),
        wasmparser::Operator::I64Const { value } => Some(value as u64),
        _ => None,
    }
}

/// Reconstructs the memory map of a linked module.
///
/// # Errors
/// A malformed-class error if `wasm` does not decode.
pub fn recover(wasm: &[u8]) -> Result<Recovered, Error> {
    use wasmparser::{DataKind, Name, Payload, TypeRef};
    let mut limits: Option<(u64, Option<u64>, bool, bool)> = None;
    let mut imported_globals = 0u32;
    let mut globals: Vec<Option<u64>> = Vec::new();
    let mut global_names: Vec<(u32, String)> = Vec::new();
    let mut data: Vec<(u64, u64)> = Vec::new();
    let mut data_names: Vec<(u32, String)> = Vec::new();
    let mut data_index: Vec<u32> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.map_err(malformed)? {
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    match imp.map_err(malformed)?.ty {
                        TypeRef::Memory(m) if limits.is_none() => {
                            limits = Some((m.initial, m.maximum, m.shared, true));
                        }
                        TypeRef::Global(_) => {
                            imported_globals += 1;
                            globals.push(None);
                        }
                        _ => {}
                    }
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.map_err(malformed)?;
                    if limits.is_none() {
                        limits = Some((m.initial, m.maximum, m.shared, false));
                    }
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    globals.push(const_value(&g.map_err(malformed)?.init_expr));
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(malformed)?;
                    if e.kind == wasmparser::ExternalKind::Global {
                        global_names.push((e.index, e.name.to_string()));
                    }
                }
            }
            Payload::DataSection(r) => {
                for (i, d) in r.into_iter().enumerate() {
                    let d = d.map_err(malformed)?;
                    if let DataKind::Active {
                        memory_index: 0,
                        offset_expr,
                    } = d.kind
                        && let Some(addr) = const_value(&offset_expr)
                    {
                        data.push((addr, d.data.len() as u64));
                        data_index.push(i as u32);
                    }
                }
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(r) = c.as_known() {
                    for name in r {
                        match name {
                            Ok(Name::Global(map)) => {
                                for n in map.into_iter().flatten() {
                                    global_names.push((n.index, n.name.to_string()));
                                }
                            }
                            Ok(Name::Data(map)) => {
                                for n in map.into_iter().flatten() {
                                    data_names.push((n.index, n.name.to_string()));
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let _ = imported_globals;
    let mut notes = Vec::new();
    let symbol = |name: &str| {
        global_names
            .iter()
            .find(|(_, n)| n == name)
            .and_then(|(i, _)| globals.get(*i as usize).copied().flatten())
    };
    let Some((min_pages, max_pages, shared, imported)) = limits else {
        return Err(Error::unlocated(Class::Invalid, "the module has no memory"));
    };
    let mut segments: Vec<Placed> = data
        .iter()
        .zip(&data_index)
        .map(|(&(address, size), i)| {
            let name = data_names
                .iter()
                .find(|(d, _)| d == i)
                .map_or(format!("data[{i}]"), |(_, n)| n.clone());
            Placed {
                output: name.clone(),
                name,
                address,
                size,
                align: 1,
                kind: SegmentKind::Writable,
            }
        })
        .collect();
    segments.sort_by_key(|s| s.address);
    notes
        .push("rodata and data are both active segments in a binary; all are shown as data".into());
    let data_start = segments.first().map(|s| s.address);
    let data_end_seen = segments.iter().map(Placed::end).max();
    let data_end = symbol("__data_end");
    match (data_end, data_end_seen) {
        (Some(end), Some(seen)) if end > seen => segments.push(Placed {
            name: ".bss (inferred)".into(),
            output: ".bss".into(),
            address: seen,
            size: end - seen,
            align: 1,
            kind: SegmentKind::Zero,
        }),
        (None, _) => notes.push(
            "__data_end is not in the module (export it with --export=__data_end): bss cannot be \
             inferred"
                .into(),
        ),
        _ => {}
    }
    let sp = symbol("__stack_pointer");
    let heap_base = symbol("__heap_base");
    let global_base = symbol("__global_base").or(data_start).unwrap_or(0);
    let data_end = data_end.or(data_end_seen).unwrap_or(global_base);
    let (stack_first, stack_low, stack_high) = match sp {
        Some(sp) if sp <= global_base => (true, 0, sp),
        Some(sp) => {
            let low = data_end.div_ceil(STACK_ALIGN) * STACK_ALIGN;
            (false, low.min(sp), sp)
        }
        None => {
            notes.push("__stack_pointer is not named or exported: the stack is unknown".into());
            (true, 0, 0)
        }
    };
    let heap_end = min_pages * PAGE_SIZE;
    if heap_base.is_none() {
        notes.push("__heap_base is not exported or named: the heap is not shown".into());
    }
    let plan = Plan {
        notes: Vec::new(),
        segments,
        symbols: Symbols {
            stack_pointer: stack_high,
            stack_low: symbol("__stack_low").unwrap_or(stack_low),
            stack_high: symbol("__stack_high").unwrap_or(stack_high),
            global_base,
            dso_handle: symbol("__dso_handle").unwrap_or(global_base),
            data_end,
            heap_base,
            heap_end: symbol("__heap_end").unwrap_or(heap_end),
            memory_base: 0,
            table_base: symbol("__table_base").unwrap_or(1),
            init_memory_flag: None,
        },
        stack_size: stack_high - stack_low,
        stack_first,
        min_pages,
        max_pages,
        imported,
        shared,
    };
    Ok(Recovered { plan, notes })
}
