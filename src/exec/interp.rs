//! Execution: one dispatch loop over lowered [`Op`]s, a cell stack of frames and a frame stack.
//!
//! The loop keeps what every op needs in local variables: the current function's code and pc,
//! a pointer to the frame's first cell, and the current memory's base and length. Guest calls
//! never recurse on the host stack: a call pushes a [`Frame`] and switches those locals.
//!
//! Slot and code accesses are unchecked; the bounds are proven once, elsewhere:
//! - every slot an op names is below its function's `frame_cells` (lowering computes that
//!   maximum over every cell it assigns), and a frame is entered only after the cell stack has
//!   been grown to hold `fp + frame_cells`;
//! - every op index the loop reaches is below `ops.len()`: lowering ends every path with a
//!   return, a jump or a trap, patches every branch to an op it emitted, and ends the code with
//!   a trap op.
//!
//! Debug builds assert both. Memory accesses are always checked against the memory's length:
//! that check is the sandbox.

use std::sync::Arc;

use super::code::{Cell, FuncCode, Op, RETURN_PC, for_each_numeric};
use super::{
    Budget, FuncKind, MemoryEntity, PAGE, Store, TraceFrame, Trap, TrapCode, ValType, Value, num,
};

/// A suspended caller.
struct Frame<'c> {
    code: &'c FuncCode,
    pc: usize,
    fp: usize,
    inst: u32,
}

/// The most cells of the cell stack (128 MiB) before a call reports "call stack exhausted".
const MAX_STACK_CELLS: usize = 1 << 24;

/// Fuel charged for bulk operations: one unit per this many bytes (memory) touched.
const BYTES_PER_FUEL: u64 = 64;

/// Fuel given out at a time when a deadline is set: the clock is read once per slice.
const FUEL_SLICE: u64 = 1 << 20;

/// Fuel ran short of `units` with `left` in hand: the next slice from `reserve` if the deadline
/// has not passed; the fuel left after charging `units`, or why execution stops.
#[cold]
#[inline(never)]
fn refill(
    reserve: &mut u64,
    deadline: Option<std::time::Instant>,
    left: u64,
    units: u64,
) -> Result<u64, TrapCode> {
    if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
        return Err(TrapCode::Timeout);
    }
    let have = left.saturating_add(*reserve);
    if have < units {
        *reserve = 0;
        return Err(TrapCode::OutOfFuel);
    }
    let rest = have - units;
    let slice = rest.min(FUEL_SLICE);
    *reserve = rest - slice;
    Ok(slice)
}

/// Grows the cell stack to hold `need` cells (at least doubling), charging the memory budget.
fn grow(stack: &mut Vec<u64>, need: usize, budget: &mut Budget) -> Result<(), Trap> {
    if need > MAX_STACK_CELLS {
        return Err(TrapCode::CallStackExhausted.into());
    }
    let len = need.max(stack.len() * 2).min(MAX_STACK_CELLS).max(need);
    let more = (len - stack.len()) as u64 * 8;
    if !budget.take(more) {
        // Within the budget, exactly what is needed.
        if !budget.take((need - stack.len()) as u64 * 8) {
            return Err(TrapCode::CallStackExhausted.into());
        }
        stack.resize(need, 0);
        return Ok(());
    }
    stack.resize(len, 0);
    Ok(())
}

/// The most frames a backtrace keeps (the innermost ones).
const MAX_TRACE: usize = 1000;

/// Records the frames of a trap into `trace`, innermost first: the op before `pc` of `code` in
/// instance `inst`, then each suspended caller at its call. Only the trap path runs this.
#[cold]
#[inline(never)]
fn record_trace(
    instances: &[super::InstanceEntity],
    trace: &mut Vec<TraceFrame>,
    frames: &[Frame<'_>],
    code: &FuncCode,
    pc: usize,
    inst: u32,
) {
    trace.clear();
    let here = std::iter::once((code, pc, inst));
    let callers = frames.iter().rev().map(|f| (f.code, f.pc, f.inst));
    for (code, pc, inst) in here.chain(callers).take(MAX_TRACE) {
        let module = &instances[inst as usize].module;
        // The defined function whose lowered code this is (with or without fuel ops).
        let defined = module.code.iter().position(|c| {
            c.iter()
                .any(|l| l.get().is_some_and(|x| std::ptr::eq(x, code)))
        });
        let Some(defined) = defined else { continue };
        let func = module.n_imported_funcs + defined as u32;
        let offset = code.offset_of(pc.saturating_sub(1));
        let body = module.bodies[defined].offset;
        trace.push(TraceFrame {
            instance: super::InstanceHandle(inst),
            func,
            name: module.func_names.get(&func).cloned(),
            offset,
            body_offset: offset.map(|o| (o as u64).saturating_sub(body) as u32),
        });
    }
}

/// Calls store function `f` with already type-checked `args`.
pub(crate) fn call(st: &mut Store, f: u32, args: &[Value]) -> Result<Vec<Value>, Trap> {
    let fe = &st.funcs[f as usize];
    let ty = &st.types[fe.ty as usize];
    let results = ty.results.clone();
    if let FuncKind::Host(h) = &fe.kind {
        let h = h.clone();
        let out = h(&mut super::Caller { memory: None }, args)?;
        check_results(&results, &out)?;
        return Ok(out);
    }
    st.trace.clear();
    let need = 2 * args.len().max(results.len()) + 1024;
    if st.stack.len() < need {
        grow(&mut st.stack, need, &mut st.budget)?;
    }
    let mut at = 0;
    for a in args {
        at += a.write_cells(&mut st.stack[at..]);
    }
    run(st, f)?;
    let mut at = 0;
    Ok(results
        .iter()
        .map(|&t| {
            let (v, n) = Value::read_cells(t, &st.stack[at..]);
            at += n;
            v
        })
        .collect())
}

fn check_results(tys: &[ValType], vals: &[Value]) -> Result<(), Trap> {
    if tys.len() != vals.len() || tys.iter().zip(vals).any(|(t, v)| *t != v.ty()) {
        return Err(Trap::Host(
            "host function returned values of the wrong types".into(),
        ));
    }
    Ok(())
}

#[inline(always)]
fn range(start: u64, n: u64, len: usize) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(n)?;
    if end > len as u64 {
        None
    } else {
        Some(start as usize..end as usize)
    }
}

/// The base and length of memory `m` (`u32::MAX`: none).
#[inline(always)]
fn memory_view(memories: &mut [MemoryEntity], m: u32) -> (*mut u8, usize) {
    match memories.get_mut(m as usize) {
        Some(m) => (m.data.as_mut_ptr(), m.data.len()),
        None => (std::ptr::null_mut(), 0),
    }
}

/// The numeric ops of the instruction table, and `$arms` for the rest, as one `match`.
macro_rules! dispatch {
    (
        $op:ident { $($arms:tt)* }
        unary: [$(($u:ident, $ut:ty, $ue:expr))*]
        unary_trap: [$(($ut_:ident, $utt:ty, $ute:expr))*]
        binary: [$(($b:ident, $bi:ident, $bt:ty, $be:expr))*]
        float_binary: [$(($fb:ident, $fbt:ty, $fbe:expr))*]
        binary_trap: [$(($d:ident, $di:ident, $dt:ty, $de:expr, $die:expr))*]
        compare: [$(($c:ident, $ci:ident, $cb:ident, $cbi:ident, $cn:ident, $cni:ident, $ct:ty, $ce:expr))*]
        load: [$(($l:ident, [$($lw:ident)*], $ln:literal, $le:expr))*]
        store: [$(($s:ident, [$($sw:ident)*], $sn:literal, $se:expr))*]
    ) => {
        match $op {
            $($arms)*
            $(Op::$u { dst, a } => {
                let a = <$ut as Cell>::from_cell(r!(a));
                w!(dst, Cell::to_cell(($ue)(a)));
            })*
            $(Op::$ut_ { dst, a } => {
                match ($ute)(<$utt as Cell>::from_cell(r!(a))) {
                    Ok(v) => w!(dst, Cell::to_cell(v)),
                    Err(c) => trap!(c),
                }
            })*
            $(
                Op::$b { dst, a, b } => {
                    let (a, b) = (<$bt as Cell>::from_cell(r!(a)), <$bt as Cell>::from_cell(r!(b)));
                    w!(dst, Cell::to_cell(($be)(a, b)));
                }
                Op::$bi { dst, a, imm } => {
                    let (a, b) = (<$bt as Cell>::from_cell(r!(a)), <$bt as Cell>::from_imm(imm));
                    w!(dst, Cell::to_cell(($be)(a, b)));
                }
            )*
            $(Op::$fb { dst, a, b } => {
                let (a, b) = (<$fbt as Cell>::from_cell(r!(a)), <$fbt as Cell>::from_cell(r!(b)));
                w!(dst, Cell::to_cell(($fbe)(a, b)));
            })*
            $(
                Op::$d { dst, a, b } => {
                    let (a, b) = (<$dt as Cell>::from_cell(r!(a)), <$dt as Cell>::from_cell(r!(b)));
                    match ($de)(a, b) {
                        Ok(v) => w!(dst, Cell::to_cell(v)),
                        Err(c) => trap!(c),
                    }
                }
                Op::$di { dst, a, imm } => {
                    let (a, b) = (<$dt as Cell>::from_cell(r!(a)), <$dt as Cell>::from_imm(imm));
                    w!(dst, Cell::to_cell(($die)(a, b)));
                }
            )*
            $(
                Op::$c { dst, a, b } => {
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_cell(r!(b)));
                    w!(dst, Cell::to_cell(($ce)(a, b)));
                }
                Op::$ci { dst, a, imm } => {
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_imm(imm));
                    w!(dst, Cell::to_cell(($ce)(a, b)));
                }
                Op::$cb { a, b, target } => {
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_cell(r!(b)));
                    if ($ce)(a, b) {
                        jump!(target);
                    }
                }
                Op::$cbi { a, imm, target } => {
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_imm(imm));
                    if ($ce)(a, b) {
                        jump!(target);
                    }
                }
            )*
            $(Op::$l { dst, addr, offset } => {
                let bytes: [u8; $ln] = load!(addr, offset, $ln);
                w!(dst, ($le)(bytes));
            })*
            $(Op::$s { addr, val, offset } => {
                let bytes: [u8; $sn] = ($se)(r!(val));
                store!(addr, offset, bytes, $sn);
            })*
        }
    };
}

fn run(st: &mut Store, entry: u32) -> Result<(), Trap> {
    let Store {
        limits,
        fuel,
        types,
        funcs,
        tables,
        memories,
        globals,
        stack_guard,
        elems,
        datas,
        instances,
        stack: stack_vec,
        trace,
        deadline,
        budget,
        ..
    } = st;
    let (types, funcs, instances, limits) = (&*types, &*funcs, &*instances, &*limits);
    // A deadline is checked where fuel is refilled: code with fuel ops, run in slices.
    let fuel_on = limits.fuel.is_some() || deadline.is_some();
    // The frame stack is bounded by the call depth and by the memory budget left.
    let max_depth = (limits.max_call_depth as usize)
        .min((budget.left() / std::mem::size_of::<Frame<'_>>() as u64) as usize);
    let FuncKind::Wasm { instance, index } = funcs[entry as usize].kind else {
        unreachable!("run on a host function")
    };
    let mut frames: Vec<Frame<'_>> = Vec::new();
    let mut inst_idx = instance;
    let mut inst = &instances[inst_idx as usize];
    let mut code: &FuncCode = inst.module.code(index, fuel_on);
    let mut fp = 0usize;
    if code.frame_cells as usize > stack_vec.len() {
        grow(stack_vec, code.frame_cells as usize, budget)?;
    }
    stack_vec[code.param_cells as usize..code.local_cells as usize].fill(0);
    let mut regs: *mut u64 = stack_vec.as_mut_ptr();
    let mut pc = 0usize;
    // The current code's ops, kept in a local so that writes through `regs` do not force
    // reloading it from `code` (the compiler cannot tell they do not alias).
    let mut ops: *const Op = code.ops.as_ptr();
    let (mut mem_ptr, mut mem_len) = memory_view(memories, inst.mem0);
    let mut grown = false;
    let mut fuel_reserve = 0;
    if deadline.is_some() {
        fuel_reserve = fuel.saturating_sub(FUEL_SLICE);
        *fuel -= fuel_reserve;
    }
    let mut fuel_left = *fuel;

    macro_rules! exit {
        ($r:expr) => {{
            *fuel = fuel_left.saturating_add(fuel_reserve);
            let r: Result<(), Trap> = $r;
            if r.is_err() {
                record_trace(instances, trace, &frames, code, pc, inst_idx);
            }
            return r;
        }};
    }
    macro_rules! trap {
        ($c:expr) => {
            exit!(Err(Trap::Code($c)))
        };
    }
    // Slot access. SAFETY (for every use): lowering assigns slots below `code.frame_cells`,
    // and a frame is entered only once `fp + frame_cells <= stack_vec.len()` (see `enter!`);
    // `regs` points at `stack_vec[fp]` and is refreshed whenever `stack_vec` is resized.
    macro_rules! r {
        ($s:expr) => {{
            let s = $s as usize;
            debug_assert!(s < code.frame_cells as usize && fp + s < stack_vec.len());
            unsafe { *regs.add(s) }
        }};
    }
    macro_rules! w {
        ($s:expr, $v:expr) => {{
            let v: u64 = $v;
            let s = $s as usize;
            debug_assert!(s < code.frame_cells as usize && fp + s < stack_vec.len());
            unsafe { *regs.add(s) = v }
        }};
    }
    macro_rules! jump {
        ($t:expr) => {
            pc = $t as usize
        };
    }
    macro_rules! charge {
        ($units:expr) => {
            if fuel_on {
                let units: u64 = $units;
                if fuel_left < units {
                    match refill(&mut fuel_reserve, *deadline, fuel_left, units) {
                        Ok(left) => fuel_left = left,
                        Err(code) => {
                            fuel_left = 0;
                            trap!(code);
                        }
                    }
                } else {
                    fuel_left -= units;
                }
            }
        };
    }
    macro_rules! refresh_mem {
        () => {
            (mem_ptr, mem_len) = memory_view(memories, inst.mem0)
        };
    }
    // Memory access: the effective address plus the width must lie within `mem_len`, the
    // length of the memory `mem_ptr` points at (refreshed after anything that can resize or
    // re-borrow it: memory.grow, bulk operations, instance switches).
    macro_rules! load {
        ($addr:expr, $off:expr, $n:literal) => {{
            let ea = r!($addr) as u32 as u64 + $off as u64;
            if ea + $n > mem_len as u64 {
                trap!(TrapCode::MemoryOutOfBounds);
            }
            let end = ea as usize + $n;
            debug_assert!(end <= memories[inst.mem0 as usize].data.len());
            // SAFETY: `ea + n <= mem_len` was just checked.
            unsafe { mem_ptr.add(ea as usize).cast::<[u8; $n]>().read_unaligned() }
        }};
    }
    macro_rules! store {
        ($addr:expr, $off:expr, $bytes:expr, $n:literal) => {{
            let bytes: [u8; $n] = $bytes;
            let ea = r!($addr) as u32 as u64 + $off as u64;
            if ea + bytes.len() as u64 > mem_len as u64 {
                trap!(TrapCode::MemoryOutOfBounds);
            }
            debug_assert!(ea as usize + bytes.len() <= memories[inst.mem0 as usize].data.len());
            // SAFETY: `ea + n <= mem_len` was just checked.
            unsafe {
                mem_ptr
                    .add(ea as usize)
                    .cast::<[u8; $n]>()
                    .write_unaligned(bytes)
            }
        }};
    }
    macro_rules! switch_inst {
        ($i:expr) => {{
            let i: u32 = $i;
            if i != inst_idx || grown {
                inst_idx = i;
                inst = &instances[i as usize];
                refresh_mem!();
                grown = false;
            }
        }};
    }
    macro_rules! do_return {
        () => {{
            match frames.pop() {
                None => exit!(Ok(())),
                Some(fr) => {
                    pc = fr.pc;
                    fp = fr.fp;
                    code = fr.code;
                    ops = code.ops.as_ptr();
                    // SAFETY: the caller's frame was within `stack_vec` when it called, and
                    // the stack only grows.
                    regs = unsafe { stack_vec.as_mut_ptr().add(fp) };
                    switch_inst!(fr.inst);
                }
            }
        }};
    }
    // Enters wasm function `idx` of instance `ci`, its arguments at `base` of this frame;
    // `tail` replaces the current frame.
    macro_rules! enter {
        ($ci:expr, $idx:expr, $base:expr, $tail:expr) => {{
            let ci: u32 = $ci;
            let callee: &FuncCode = instances[ci as usize].module.code($idx, fuel_on);
            let base = $base as usize;
            let new_fp = if $tail {
                // SAFETY: the arguments are slots of this frame; the copy moves them down to
                // its bottom (regions may overlap: `copy` is a memmove).
                unsafe { std::ptr::copy(regs.add(base), regs, callee.param_cells as usize) };
                fp
            } else {
                if frames.len() + 1 >= max_depth {
                    trap!(TrapCode::CallStackExhausted);
                }
                frames.push(Frame {
                    code,
                    pc,
                    fp,
                    inst: inst_idx,
                });
                fp + base
            };
            let need = new_fp + callee.frame_cells as usize;
            if need > stack_vec.len() {
                if let Err(e) = grow(stack_vec, need, budget) {
                    exit!(Err(e));
                }
            }
            fp = new_fp;
            // SAFETY: `fp + frame_cells <= stack_vec.len()` was just ensured.
            regs = unsafe { stack_vec.as_mut_ptr().add(fp) };
            let (p, l) = (callee.param_cells as usize, callee.local_cells as usize);
            // SAFETY: `local_cells <= frame_cells`.
            unsafe { std::ptr::write_bytes(regs.add(p), 0, l - p) };
            code = callee;
            ops = code.ops.as_ptr();
            pc = 0;
            switch_inst!(ci);
        }};
    }
    macro_rules! call_handle {
        ($h:expr, $base:expr, $tail:expr) => {{
            let h = $h as usize;
            let base = $base as usize;
            match &funcs[h].kind {
                FuncKind::Wasm { instance, index } => enter!(*instance, *index, base, $tail),
                FuncKind::Host(hf) => {
                    let ty = &types[funcs[h].ty as usize];
                    let mut at = base;
                    let args: Vec<Value> = ty
                        .params
                        .iter()
                        .map(|&t| {
                            // SAFETY: the arguments are slots of this frame (lowering
                            // materialized them at `base..`).
                            let cells = unsafe {
                                std::slice::from_raw_parts(
                                    regs.add(at),
                                    super::lower::width(t) as usize,
                                )
                            };
                            let (v, n) = Value::read_cells(t, cells);
                            at += n;
                            v
                        })
                        .collect();
                    let memory = memories
                        .get_mut(inst.mem0 as usize)
                        .map(|m| &mut m.data[..]);
                    let res = hf(&mut super::Caller { memory }, &args)
                        .and_then(|r| check_results(&ty.results, &r).map(|()| r));
                    refresh_mem!();
                    let res = match res {
                        Ok(r) => r,
                        Err(e) => exit!(Err(e)),
                    };
                    let cells: usize = ty
                        .results
                        .iter()
                        .map(|&t| super::lower::width(t) as usize)
                        .sum();
                    let dst = if $tail { 0 } else { base };
                    if fp + dst + cells > stack_vec.len() {
                        if let Err(e) = grow(stack_vec, fp + dst + cells, budget) {
                            exit!(Err(e));
                        }
                        // SAFETY: the frame lies within the grown stack.
                        regs = unsafe { stack_vec.as_mut_ptr().add(fp) };
                    }
                    let mut at = fp + dst;
                    for r in res {
                        at += r.write_cells(&mut stack_vec[at..]);
                    }
                    if $tail {
                        do_return!();
                    }
                }
            }
        }};
    }
    macro_rules! call_indirect {
        ($index:expr, $base:expr, $site:expr, $tail:expr) => {{
            let (ty, table) = code.indirect[$site as usize];
            let i = r!($index) as u32 as usize;
            let tab = &tables[inst.tables[table as usize] as usize];
            let f = match tab.elems.get(i) {
                Some(&f) => f,
                None => trap!(TrapCode::UndefinedElement),
            };
            if f == 0 {
                let c = TrapCode::UninitializedElement;
                exit!(Err(Trap::Detailed(c, format!("{} {i}", c.message()))))
            }
            let h = (f - 1) as usize;
            if funcs[h].ty != inst.types[ty as usize] {
                trap!(TrapCode::IndirectCallTypeMismatch);
            }
            call_handle!(h, $base, $tail)
        }};
    }
    // The three operands of a bulk operation, as u64 (the i32 ones zero-extended).
    macro_rules! three {
        ($base:expr) => {{
            let b = $base;
            (r!(b) as u32 as u64, r!(b + 1), r!(b + 2) as u32 as u64)
        }};
    }

    loop {
        debug_assert!(pc < code.ops.len());
        // SAFETY: `pc < code.ops.len()`: see the module documentation.
        let op = unsafe { *ops.add(pc) };
        pc += 1;
        for_each_numeric!(dispatch op {
            Op::Fuel { n } => charge!(n as u64),
            Op::Trap { code } => trap!(code),
            Op::Copy { dst, src } => w!(dst, r!(src)),
            Op::Copy2 { dst, src } => {
                let (lo, hi) = (r!(src), r!(src + 1));
                w!(dst, lo);
                w!(dst + 1, hi);
            }
            Op::CopyRange { dst, src, n } => {
                debug_assert!(dst < src && src + n <= code.frame_cells);
                // SAFETY: both ranges are slots of this frame.
                unsafe { std::ptr::copy(regs.add(src as usize), regs.add(dst as usize), n as usize) };
            }
            Op::Const { dst, lo, hi } => w!(dst, (hi as u64) << 32 | lo as u64),
            Op::Jump { target } => jump!(target),
            Op::JumpIfZero { c, target } => {
                if r!(c) as u32 == 0 {
                    jump!(target);
                }
            }
            Op::JumpIfNonZero { c, target } => {
                if r!(c) as u32 != 0 {
                    jump!(target);
                }
            }
            Op::BrTable { index, start, len } => {
                let i = (r!(index) as u32).min(len);
                let e = code.br_table[(start + i) as usize];
                if e.dst != e.src && e.n > 0 {
                    // SAFETY: both ranges are slots of this frame.
                    unsafe { std::ptr::copy(regs.add(e.src as usize), regs.add(e.dst as usize), e.n as usize) };
                }
                if e.pc == RETURN_PC {
                    do_return!();
                } else {
                    jump!(e.pc);
                }
            }
            Op::Return => do_return!(),
            Op::Return1 { src } => {
                w!(0, r!(src));
                do_return!();
            }
            Op::Call { func, base } => enter!(inst_idx, func, base, false),
            Op::ReturnCall { func, base } => enter!(inst_idx, func, base, true),
            Op::CallImport { func, base } => call_handle!(inst.funcs[func as usize], base, false),
            Op::ReturnCallImport { func, base } => call_handle!(inst.funcs[func as usize], base, true),
            Op::CallIndirect { index, base, site } => call_indirect!(index, base, site, false),
            Op::ReturnCallIndirect { index, base, site } => call_indirect!(index, base, site, true),
            Op::Select { dst, b, c } => {
                if r!(c) as u32 == 0 {
                    w!(dst, r!(b));
                }
            }
            Op::Select2 { dst, b, c } => {
                if r!(c) as u32 == 0 {
                    let (lo, hi) = (r!(b), r!(b + 1));
                    w!(dst, lo);
                    w!(dst + 1, hi);
                }
            }
            Op::GlobalGet { dst, global } => {
                w!(dst, globals[inst.globals[global as usize] as usize].value as u64)
            }
            Op::GlobalGet2 { dst, global } => {
                let v = globals[inst.globals[global as usize] as usize].value;
                w!(dst, v as u64);
                w!(dst + 1, (v >> 64) as u64);
            }
            Op::GlobalSet { src, global } => {
                globals[inst.globals[global as usize] as usize].value = r!(src) as u128;
            }
            Op::GlobalSet2 { src, global } => {
                let v = r!(src) as u128 | (r!(src + 1) as u128) << 64;
                globals[inst.globals[global as usize] as usize].value = v;
            }
            Op::GlobalSetGuarded { src, global } => {
                let v = r!(src);
                let g = inst.globals[global as usize];
                if let Some(Err(t)) = stack_guard.filter(|s| s.global == g).map(|s| s.check(v)) {
                    exit!(Err(t))
                }
                globals[g as usize].value = v as u128;
            }
            Op::V128Load { dst, addr, offset } => {
                let b: [u8; 16] = load!(addr, offset, 16);
                let v = u128::from_le_bytes(b);
                w!(dst, v as u64);
                w!(dst + 1, (v >> 64) as u64);
            }
            Op::V128Store { addr, val, offset } => {
                let v = r!(val) as u128 | (r!(val + 1) as u128) << 64;
                store!(addr, offset, v.to_le_bytes(), 16);
            }
            Op::MemorySize { dst } => w!(dst, mem_len as u64 / PAGE),
            Op::MemoryGrow { dst, delta } => {
                let d = r!(delta) as u32 as u64;
                charge!(d);
                let m = &mut memories[inst.mem0 as usize];
                let old = m.data.len() as u64 / PAGE;
                let new = old + d;
                let max = m.max.unwrap_or(65536).min(65536);
                let result = if new > max
                    || new * PAGE > limits.max_memory_bytes
                    || !budget.take(d * PAGE)
                {
                    u32::MAX as u64
                } else {
                    m.data.resize((new * PAGE) as usize, 0);
                    old
                };
                refresh_mem!();
                grown = true;
                w!(dst, result);
            }
            Op::MemoryFill { base } => {
                let (d, v, n) = three!(base);
                charge!(n / BYTES_PER_FUEL);
                let m = &mut memories[inst.mem0 as usize].data;
                match range(d, n, m.len()) {
                    Some(r) => m[r].fill(v as u8),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                }
                refresh_mem!();
            }
            Op::MemoryCopy { base } => {
                let (d, s, n) = three!(base);
                let s = s as u32 as u64;
                charge!(n / BYTES_PER_FUEL);
                let m = &mut memories[inst.mem0 as usize].data;
                match (range(d, n, m.len()), range(s, n, m.len())) {
                    (Some(dr), Some(sr)) => m.copy_within(sr, dr.start),
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
                refresh_mem!();
            }
            Op::MemoryInit { seg, base } => {
                let (d, s, n) = three!(base);
                let s = s as u32 as u64;
                charge!(n / BYTES_PER_FUEL);
                let data = &datas[inst.datas[seg as usize] as usize];
                let m = &mut memories[inst.mem0 as usize].data;
                match (range(d, n, m.len()), range(s, n, data.len())) {
                    (Some(dr), Some(sr)) => m[dr].copy_from_slice(&data[sr]),
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
                refresh_mem!();
            }
            Op::DataDrop { seg } => datas[inst.datas[seg as usize] as usize] = Arc::new([]),
            Op::TableGet { dst, index, table } => {
                let i = r!(index) as u32 as usize;
                match tables[inst.tables[table as usize] as usize].elems.get(i) {
                    Some(&v) => w!(dst, v),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSet { table, index, val } => {
                let (i, v) = (r!(index) as u32 as usize, r!(val));
                match tables[inst.tables[table as usize] as usize].elems.get_mut(i) {
                    Some(e) => *e = v,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSize { dst, table } => {
                w!(dst, tables[inst.tables[table as usize] as usize].elems.len() as u64)
            }
            Op::TableGrow { table, base } => {
                let (init, n) = (r!(base), r!(base + 1) as u32 as u64);
                charge!(n);
                let tab = &mut tables[inst.tables[table as usize] as usize];
                let old = tab.elems.len() as u64;
                let new = old + n;
                let max = tab.max.unwrap_or(u32::MAX as u64);
                let result = if new > max || new > limits.max_table_elems || !budget.take(n * 8) {
                    u32::MAX as u64
                } else {
                    tab.elems.resize(new as usize, init);
                    old
                };
                w!(base, result);
            }
            Op::TableFill { table, base } => {
                let (i, v, n) = three!(base);
                charge!(n);
                let tab = &mut tables[inst.tables[table as usize] as usize].elems;
                match range(i, n, tab.len()) {
                    Some(r) => tab[r].fill(v),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableCopy { dst, src, base } => {
                let (d, s, n) = three!(base);
                let s = s as u32 as u64;
                charge!(n);
                let (dt, st) = (
                    inst.tables[dst as usize] as usize,
                    inst.tables[src as usize] as usize,
                );
                let (dr, sr) = (
                    range(d, n, tables[dt].elems.len()),
                    range(s, n, tables[st].elems.len()),
                );
                match (dr, sr) {
                    (Some(dr), Some(sr)) if dt == st => tables[dt].elems.copy_within(sr, dr.start),
                    (Some(dr), Some(sr)) => {
                        let tmp = tables[st].elems[sr].to_vec();
                        tables[dt].elems[dr].copy_from_slice(&tmp);
                    }
                    _ => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableInit { elem, table, base } => {
                let (d, s, n) = three!(base);
                let s = s as u32 as u64;
                charge!(n);
                let seg = &elems[inst.elems[elem as usize] as usize];
                let tab = &mut tables[inst.tables[table as usize] as usize].elems;
                match (range(d, n, tab.len()), range(s, n, seg.len())) {
                    (Some(dr), Some(sr)) => tab[dr].copy_from_slice(&seg[sr]),
                    _ => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::ElemDrop { seg } => elems[inst.elems[seg as usize] as usize] = Vec::new(),
            Op::RefFunc { dst, func } => w!(dst, inst.funcs[func as usize] as u64 + 1),
        });
    }
}
