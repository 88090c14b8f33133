//! The general memory instructions: every access that is not a plain load or store of memory 0
//! with a 32-bit address (those have their own ops in the dispatch loop's fast path).
//!
//! Lowering turns a memory instruction on another memory, on a 64-bit memory (memory64), on a
//! memory of custom page size, or an atomic one (threads) into one [`Op::Mem`] whose
//! [`MemSite`] (in the function's side table) says what to do and which frame slots hold the
//! operands and the result; the dispatch loop hands the site and the frame to [`exec`].
//!
//! Threads run in a single thread: atomic accesses are plain accesses that trap when unaligned
//! ("unaligned atomic"), `memory.atomic.notify` wakes nobody (0), and `memory.atomic.wait*`
//! returns "not-equal" (1) or, since no other thread could ever wake it, "timed-out" (2); on an
//! unshared memory it traps ("expected shared memory").
//!
//! [`Op::Mem`]: super::code::Op::Mem

use std::sync::Arc;

use super::code::Slot;
use super::store::Budget;
use super::{MemoryEntity, TrapCode};

/// How a loaded value is extended to its cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ext {
    /// Zero-extended (unsigned loads, and full-width ones).
    Zero,
    /// Sign-extended to 32 bits (`i32.load8_s`, `i32.load16_s`), then kept zero-extended.
    Sign32,
    /// Sign-extended to 64 bits (`i64.load*_s`).
    Sign64,
}

/// A read-modify-write operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rmw {
    Add,
    Sub,
    And,
    Or,
    Xor,
    Xchg,
}

/// What a general memory op does. Operand slots are the site's `a`, `b`, `c`; the result goes
/// to `dst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MemKind {
    /// `dst = load(a + offset)`: `bytes` bytes (1, 2, 4, 8), extended by `ext`.
    Load { bytes: u8, ext: Ext },
    /// `store(a + offset, b)`: the low `bytes` bytes of `b`.
    Store { bytes: u8 },
    /// `dst, dst + 1 = v128 load(a + offset)`.
    Load128,
    /// `v128 store(a + offset, b, b + 1)`.
    Store128,
    /// `dst = old; mem = old op b` (atomic, `bytes` wide, zero-extended).
    Rmw { bytes: u8, op: Rmw },
    /// `dst = old; if old == b { mem = c }` (atomic).
    Cmpxchg { bytes: u8 },
    /// `memory.atomic.wait32/64`: address `a`, expected `b`, timeout `c`.
    Wait { bytes: u8 },
    /// `memory.atomic.notify`: address `a`, count `b`.
    Notify,
    /// `dst = memory.size`.
    Size,
    /// `dst = memory.grow(a)`.
    Grow,
    /// `memory.fill(a, b, c)`.
    Fill,
    /// `memory.copy(a, b, c)` from memory `src` to the site's memory.
    Copy { src: u32 },
    /// `memory.init(a, b, c)` from data segment `seg`.
    Init { seg: u32 },
}

/// One general memory instruction of a function (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemSite {
    pub kind: MemKind,
    /// The module's memory index.
    pub mem: u32,
    pub offset: u64,
    /// Atomic: the effective address must be a multiple of the width.
    pub atomic: bool,
    pub a: Slot,
    pub b: Slot,
    pub c: Slot,
    pub dst: Slot,
}

/// What [`exec`] needs of the store and the instance.
pub(crate) struct MemCtx<'a> {
    pub memories: &'a mut [MemoryEntity],
    /// The instance's memories (store indices).
    pub inst_memories: &'a [u32],
    pub datas: &'a [Arc<[u8]>],
    /// The instance's data segments (store indices).
    pub inst_datas: &'a [u32],
    /// The store's limit on a memory's bytes.
    pub max_bytes: u64,
    /// The store's total memory budget, which `memory.grow` is charged to.
    pub budget: &'a mut Budget,
}

/// Bytes per unit of fuel charged for bulk operations (as the fast path's).
const BYTES_PER_FUEL: u64 = 64;

/// An address operand of `m`: an i32 one is zero-extended (cells already are; this keeps the
/// helper correct on its own).
#[inline]
fn address(m: &MemoryEntity, v: u64) -> u64 {
    if m.index64 { v } else { v as u32 as u64 }
}

/// The byte range `[ea, ea + n)` of an access at `addr + offset`, checked against `m`'s length
/// (and, for an atomic access, its alignment to `n`) without overflow.
fn range(
    m: &MemoryEntity,
    addr: u64,
    offset: u64,
    n: u64,
    atomic: bool,
) -> Result<std::ops::Range<usize>, TrapCode> {
    let ea = address(m, addr)
        .checked_add(offset)
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    if atomic && ea % n != 0 {
        return Err(TrapCode::UnalignedAtomic);
    }
    span(ea, n, m.data.len())
}

/// `[start, start + n)` if it lies within `len`.
fn span(start: u64, n: u64, len: usize) -> Result<std::ops::Range<usize>, TrapCode> {
    match start.checked_add(n) {
        Some(end) if end <= len as u64 => Ok(start as usize..end as usize),
        _ => Err(TrapCode::MemoryOutOfBounds),
    }
}

fn read(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(b)
}

fn write(bytes: &mut [u8], v: u64) {
    let n = bytes.len();
    bytes.copy_from_slice(&v.to_le_bytes()[..n]);
}

fn extend(v: u64, bytes: u8, ext: Ext) -> u64 {
    let shift = 64 - 8 * bytes as u32;
    let signed = ((v << shift) as i64) >> shift;
    match ext {
        Ext::Zero => v,
        Ext::Sign32 => signed as u32 as u64,
        Ext::Sign64 => signed as u64,
    }
}

/// The low `bytes` bytes of `v`.
fn truncate(v: u64, bytes: u8) -> u64 {
    if bytes >= 8 {
        v
    } else {
        v & ((1 << (8 * bytes)) - 1)
    }
}

/// Runs general memory op `s` over `frame` (the current frame's cells). Returns the fuel to
/// charge (bulk operations: by bytes touched; `memory.grow`: by pages).
pub(crate) fn exec(s: &MemSite, frame: &mut [u64], cx: &mut MemCtx<'_>) -> Result<u64, TrapCode> {
    let store_index = |i: u32| cx.inst_memories[i as usize] as usize;
    let mi = store_index(s.mem);
    match s.kind {
        MemKind::Load { bytes, ext } => {
            let m = &cx.memories[mi];
            let r = range(m, frame[s.a as usize], s.offset, bytes as u64, s.atomic)?;
            frame[s.dst as usize] = extend(read(&m.data[r]), bytes, ext);
        }
        MemKind::Store { bytes } => {
            let m = &mut cx.memories[mi];
            let r = range(m, frame[s.a as usize], s.offset, bytes as u64, s.atomic)?;
            write(&mut m.data[r], frame[s.b as usize]);
        }
        MemKind::Load128 => {
            let m = &cx.memories[mi];
            let r = range(m, frame[s.a as usize], s.offset, 16, false)?;
            let v = u128::from_le_bytes(m.data[r].try_into().expect("16 bytes"));
            frame[s.dst as usize] = v as u64;
            frame[s.dst as usize + 1] = (v >> 64) as u64;
        }
        MemKind::Store128 => {
            let m = &mut cx.memories[mi];
            let r = range(m, frame[s.a as usize], s.offset, 16, false)?;
            let v = frame[s.b as usize] as u128 | (frame[s.b as usize + 1] as u128) << 64;
            m.data[r].copy_from_slice(&v.to_le_bytes());
        }
        MemKind::Rmw { bytes, op } => {
            let m = &mut cx.memories[mi];
            let r = range(m, frame[s.a as usize], s.offset, bytes as u64, true)?;
            let (old, v) = (read(&m.data[r.clone()]), frame[s.b as usize]);
            let new = match op {
                Rmw::Add => old.wrapping_add(v),
                Rmw::Sub => old.wrapping_sub(v),
                Rmw::And => old & v,
                Rmw::Or => old | v,
                Rmw::Xor => old ^ v,
                Rmw::Xchg => v,
            };
            write(&mut m.data[r], new);
            frame[s.dst as usize] = old;
        }
        MemKind::Cmpxchg { bytes } => {
            let m = &mut cx.memories[mi];
            let r = range(m, frame[s.a as usize], s.offset, bytes as u64, true)?;
            let old = read(&m.data[r.clone()]);
            // The expected value is wrapped to the access width before the comparison.
            if old == truncate(frame[s.b as usize], bytes) {
                write(&mut m.data[r], frame[s.c as usize]);
            }
            frame[s.dst as usize] = old;
        }
        MemKind::Wait { bytes } => {
            let m = &cx.memories[mi];
            if !m.shared {
                return Err(TrapCode::ExpectedSharedMemory);
            }
            let r = range(m, frame[s.a as usize], s.offset, bytes as u64, true)?;
            let equal = read(&m.data[r]) == truncate(frame[s.b as usize], bytes);
            // Not equal: 1. Equal: no other thread exists to notify this one, so the wait can
            // only end by its timeout: 2 ("timed-out").
            frame[s.dst as usize] = if equal { 2 } else { 1 };
        }
        MemKind::Notify => {
            let m = &cx.memories[mi];
            range(m, frame[s.a as usize], s.offset, 4, true)?;
            frame[s.dst as usize] = 0;
        }
        MemKind::Size => frame[s.dst as usize] = cx.memories[mi].pages(),
        MemKind::Grow => {
            let m = &mut cx.memories[mi];
            let delta = address(m, frame[s.a as usize]);
            frame[s.dst as usize] = grow(m, delta, cx.max_bytes, cx.budget);
            return Ok(delta);
        }
        MemKind::Fill => {
            let m = &mut cx.memories[mi];
            let (d, n) = (
                address(m, frame[s.a as usize]),
                address(m, frame[s.c as usize]),
            );
            let r = span(d, n, m.data.len())?;
            m.data[r].fill(frame[s.b as usize] as u8);
            return Ok(n / BYTES_PER_FUEL);
        }
        MemKind::Copy { src } => {
            let si = store_index(src);
            let (dm, sm) = (&cx.memories[mi], &cx.memories[si]);
            let d = address(dm, frame[s.a as usize]);
            let sa = address(sm, frame[s.b as usize]);
            // The length is an i64 only if both memories are 64-bit.
            let n = if dm.index64 && sm.index64 {
                frame[s.c as usize]
            } else {
                frame[s.c as usize] as u32 as u64
            };
            let dr = span(d, n, dm.data.len())?;
            let sr = span(sa, n, sm.data.len())?;
            if mi == si {
                cx.memories[mi].data.copy_within(sr, dr.start);
            } else {
                let (dm, sm) = pair_mut(cx.memories, mi, si);
                dm.data[dr].copy_from_slice(&sm.data[sr]);
            }
            return Ok(n / BYTES_PER_FUEL);
        }
        MemKind::Init { seg } => {
            let data = &cx.datas[cx.inst_datas[seg as usize] as usize];
            let m = &mut cx.memories[mi];
            let d = address(m, frame[s.a as usize]);
            let (sa, n) = (
                frame[s.b as usize] as u32 as u64,
                frame[s.c as usize] as u32 as u64,
            );
            let dr = span(d, n, m.data.len())?;
            let sr = span(sa, n, data.len())?;
            m.data[dr].copy_from_slice(&data[sr]);
            return Ok(n / BYTES_PER_FUEL);
        }
    }
    Ok(0)
}

/// Two distinct memories, both writable.
fn pair_mut(
    memories: &mut [MemoryEntity],
    a: usize,
    b: usize,
) -> (&mut MemoryEntity, &MemoryEntity) {
    debug_assert_ne!(a, b);
    if a < b {
        let (lo, hi) = memories.split_at_mut(b);
        (&mut lo[a], &hi[0])
    } else {
        let (lo, hi) = memories.split_at_mut(a);
        (&mut hi[0], &lo[b])
    }
}

/// `memory.grow` of `m` by `delta` pages: the old size in pages, or -1 (of the memory's index
/// type) if the memory cannot grow that far (its maximum, its index type, the store's limit on
/// one memory, the bytes left in the store's `budget`, which the growth is charged to).
pub(crate) fn grow(m: &mut MemoryEntity, delta: u64, max_bytes: u64, budget: &mut Budget) -> u64 {
    let failed = if m.index64 { u64::MAX } else { u32::MAX as u64 };
    let old = m.pages();
    let max = m.max.unwrap_or(u64::MAX).min(m.max_pages());
    let Some(new) = old.checked_add(delta).filter(|&n| n <= max) else {
        return failed;
    };
    let bytes = new.checked_mul(1 << m.page_log2);
    match bytes.filter(|&b| b <= max_bytes).map(usize::try_from) {
        Some(Ok(b)) if budget.take((b - m.data.len()) as u64) => {
            m.data.resize(b, 0);
            old
        }
        _ => failed,
    }
}

/// The general form of a load, store or atomic memory instruction: its kind, memory argument
/// and whether it is atomic. (Plain loads and stores of memory 0 use the fast ops instead
/// when that memory allows; lowering asks `code::load` / `code::store` first.)
pub(crate) fn access<'o>(
    op: &'o wasmparser::Operator<'_>,
) -> Option<(MemKind, &'o wasmparser::MemArg, bool)> {
    use wasmparser::Operator as O;
    use {Ext::*, Rmw::*};
    let load = |bytes, ext| MemKind::Load { bytes, ext };
    let store = |bytes| MemKind::Store { bytes };
    let rmw = |bytes, op| MemKind::Rmw { bytes, op };
    Some(match op {
        O::I32Load { memarg } | O::F32Load { memarg } => (load(4, Zero), memarg, false),
        O::I64Load { memarg } | O::F64Load { memarg } => (load(8, Zero), memarg, false),
        O::I32Load8S { memarg } => (load(1, Sign32), memarg, false),
        O::I32Load8U { memarg } | O::I64Load8U { memarg } => (load(1, Zero), memarg, false),
        O::I32Load16S { memarg } => (load(2, Sign32), memarg, false),
        O::I32Load16U { memarg } | O::I64Load16U { memarg } => (load(2, Zero), memarg, false),
        O::I64Load8S { memarg } => (load(1, Sign64), memarg, false),
        O::I64Load16S { memarg } => (load(2, Sign64), memarg, false),
        O::I64Load32S { memarg } => (load(4, Sign64), memarg, false),
        O::I64Load32U { memarg } => (load(4, Zero), memarg, false),
        O::I32Store { memarg } | O::F32Store { memarg } | O::I64Store32 { memarg } => {
            (store(4), memarg, false)
        }
        O::I64Store { memarg } | O::F64Store { memarg } => (store(8), memarg, false),
        O::I32Store8 { memarg } | O::I64Store8 { memarg } => (store(1), memarg, false),
        O::I32Store16 { memarg } | O::I64Store16 { memarg } => (store(2), memarg, false),

        O::I32AtomicLoad { memarg } | O::I64AtomicLoad32U { memarg } => {
            (load(4, Zero), memarg, true)
        }
        O::I64AtomicLoad { memarg } => (load(8, Zero), memarg, true),
        O::I32AtomicLoad8U { memarg } | O::I64AtomicLoad8U { memarg } => {
            (load(1, Zero), memarg, true)
        }
        O::I32AtomicLoad16U { memarg } | O::I64AtomicLoad16U { memarg } => {
            (load(2, Zero), memarg, true)
        }
        O::I32AtomicStore { memarg } | O::I64AtomicStore32 { memarg } => (store(4), memarg, true),
        O::I64AtomicStore { memarg } => (store(8), memarg, true),
        O::I32AtomicStore8 { memarg } | O::I64AtomicStore8 { memarg } => (store(1), memarg, true),
        O::I32AtomicStore16 { memarg } | O::I64AtomicStore16 { memarg } => (store(2), memarg, true),

        O::I32AtomicRmwAdd { memarg } | O::I64AtomicRmw32AddU { memarg } => {
            (rmw(4, Add), memarg, true)
        }
        O::I64AtomicRmwAdd { memarg } => (rmw(8, Add), memarg, true),
        O::I32AtomicRmw8AddU { memarg } | O::I64AtomicRmw8AddU { memarg } => {
            (rmw(1, Add), memarg, true)
        }
        O::I32AtomicRmw16AddU { memarg } | O::I64AtomicRmw16AddU { memarg } => {
            (rmw(2, Add), memarg, true)
        }
        O::I32AtomicRmwSub { memarg } | O::I64AtomicRmw32SubU { memarg } => {
            (rmw(4, Sub), memarg, true)
        }
        O::I64AtomicRmwSub { memarg } => (rmw(8, Sub), memarg, true),
        O::I32AtomicRmw8SubU { memarg } | O::I64AtomicRmw8SubU { memarg } => {
            (rmw(1, Sub), memarg, true)
        }
        O::I32AtomicRmw16SubU { memarg } | O::I64AtomicRmw16SubU { memarg } => {
            (rmw(2, Sub), memarg, true)
        }
        O::I32AtomicRmwAnd { memarg } | O::I64AtomicRmw32AndU { memarg } => {
            (rmw(4, And), memarg, true)
        }
        O::I64AtomicRmwAnd { memarg } => (rmw(8, And), memarg, true),
        O::I32AtomicRmw8AndU { memarg } | O::I64AtomicRmw8AndU { memarg } => {
            (rmw(1, And), memarg, true)
        }
        O::I32AtomicRmw16AndU { memarg } | O::I64AtomicRmw16AndU { memarg } => {
            (rmw(2, And), memarg, true)
        }
        O::I32AtomicRmwOr { memarg } | O::I64AtomicRmw32OrU { memarg } => {
            (rmw(4, Or), memarg, true)
        }
        O::I64AtomicRmwOr { memarg } => (rmw(8, Or), memarg, true),
        O::I32AtomicRmw8OrU { memarg } | O::I64AtomicRmw8OrU { memarg } => {
            (rmw(1, Or), memarg, true)
        }
        O::I32AtomicRmw16OrU { memarg } | O::I64AtomicRmw16OrU { memarg } => {
            (rmw(2, Or), memarg, true)
        }
        O::I32AtomicRmwXor { memarg } | O::I64AtomicRmw32XorU { memarg } => {
            (rmw(4, Xor), memarg, true)
        }
        O::I64AtomicRmwXor { memarg } => (rmw(8, Xor), memarg, true),
        O::I32AtomicRmw8XorU { memarg } | O::I64AtomicRmw8XorU { memarg } => {
            (rmw(1, Xor), memarg, true)
        }
        O::I32AtomicRmw16XorU { memarg } | O::I64AtomicRmw16XorU { memarg } => {
            (rmw(2, Xor), memarg, true)
        }
        O::I32AtomicRmwXchg { memarg } | O::I64AtomicRmw32XchgU { memarg } => {
            (rmw(4, Xchg), memarg, true)
        }
        O::I64AtomicRmwXchg { memarg } => (rmw(8, Xchg), memarg, true),
        O::I32AtomicRmw8XchgU { memarg } | O::I64AtomicRmw8XchgU { memarg } => {
            (rmw(1, Xchg), memarg, true)
        }
        O::I32AtomicRmw16XchgU { memarg } | O::I64AtomicRmw16XchgU { memarg } => {
            (rmw(2, Xchg), memarg, true)
        }

        O::I32AtomicRmwCmpxchg { memarg } | O::I64AtomicRmw32CmpxchgU { memarg } => {
            (MemKind::Cmpxchg { bytes: 4 }, memarg, true)
        }
        O::I64AtomicRmwCmpxchg { memarg } => (MemKind::Cmpxchg { bytes: 8 }, memarg, true),
        O::I32AtomicRmw8CmpxchgU { memarg } | O::I64AtomicRmw8CmpxchgU { memarg } => {
            (MemKind::Cmpxchg { bytes: 1 }, memarg, true)
        }
        O::I32AtomicRmw16CmpxchgU { memarg } | O::I64AtomicRmw16CmpxchgU { memarg } => {
            (MemKind::Cmpxchg { bytes: 2 }, memarg, true)
        }
        O::MemoryAtomicWait32 { memarg } => (MemKind::Wait { bytes: 4 }, memarg, true),
        O::MemoryAtomicWait64 { memarg } => (MemKind::Wait { bytes: 8 }, memarg, true),
        O::MemoryAtomicNotify { memarg } => (MemKind::Notify, memarg, true),
        _ => return None,
    })
}

/// The memory a memory argument names (a GC array target, which needs GC, names none).
pub(crate) fn mem_index(m: &wasmparser::MemArg) -> u32 {
    match m.target {
        wasmparser::MemArgTarget::Memory(i) => i,
        wasmparser::MemArgTarget::Array(_) => u32::MAX,
    }
}
