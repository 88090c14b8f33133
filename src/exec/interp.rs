//! Execution: threaded code. Every lowered [`Op`] is paired with its handler, a small function
//! that does the op's work and then calls the next op's handler.
//!
//! A handler receives what most ops need in machine registers: the instruction pointer, a
//! pointer to the frame's first cell (`regs`), and the current memory's base and length. The
//! rest of the execution state (the frame stack, the current function and instance, fuel, the
//! store's entities) is in a [`Cx`] passed by reference. Guest calls never recurse on the host
//! stack: a call pushes a [`Frame`] and switches those values.
//!
//! Two ways to go from one handler to the next, chosen at build time (`build.rs` sets
//! `watlink_tail_dispatch` for optimized builds on targets where LLVM turns a call in tail
//! position into a jump):
//! - **tail dispatch**: a handler ends with `return next.h(…)`, which LLVM compiles to an
//!   indirect jump. Every op then has its own jump, which the branch predictor learns per op,
//!   and each handler is a small function whose state stays in argument registers;
//! - **loop dispatch** (unoptimized builds, where that call would grow the host stack): a
//!   handler stores the state in the [`Cx`] and returns; a loop calls the next handler.
//!
//! Slot and code accesses are unchecked; the bounds are proven once, elsewhere:
//! - every slot an op names is below its function's `frame_cells` (lowering computes that
//!   maximum over every cell it assigns), and a frame is entered only after the cell stack has
//!   been grown to hold `fp + frame_cells`;
//! - every instruction the code reaches lies within its function's code: lowering ends every
//!   path with a return, a jump or a trap, patches every branch to an op it emitted, and ends
//!   the code with a trap op; [`thread`] turns those targets into offsets from the branch.
//!
//! Debug builds assert both. Memory accesses are always checked against the memory's length:
//! that check is the sandbox.
//!
//! To add an op: its variant in `code.rs`, its lowering in `lower.rs`, and an arm
//! `Name { fields } => { body }` in the `for_each_numeric!(handlers …)` list at the end of this
//! file. A body reads and writes slots with `r!`/`w!`, memory with `load!`/`store!`, ends the
//! op early with `trap!(code)`, `jump!(target)`, `branch!(cond, target)` or `do_return!()`, and
//! falls through to the next op otherwise. Work that is not a few instructions goes in a
//! function called from the body; such functions take and return scalars (see [`Cx`]'s
//! helpers), so that the handler's own call to the next handler stays a jump.

use std::hint::cold_path;
use std::sync::Arc;

use super::code::{Cell, FuncCode, Op, RETURN_PC, Slot, for_each_numeric};
use super::gc::{self, Heap, RtType};
use super::{
    Budget, FuncEntity, FuncKind, FuncType, InstanceEntity, Limits, MemoryEntity, PAGE, StackGuard,
    Store, TableEntity, TraceFrame, Trap, TrapCode, ValType, Value, memory, num, simd,
};

/// What a handler returns: how execution ended, or (loop dispatch) that it goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// The entry function returned; its results are at the bottom of the cell stack.
    Return,
    /// A trap; [`Cx::trap`] holds it.
    Trap,
    /// Loop dispatch: run the instruction at [`Cx::ip`] next.
    #[cfg(not(watlink_tail_dispatch))]
    Continue,
}

/// An op's handler: instruction pointer, frame base, memory base and length, the rest.
pub(crate) type Handler =
    for<'a, 's> fn(*const Instr, *mut u64, *mut u8, usize, &'a mut Cx<'s>) -> Exit;

/// A lowered op with its handler: what the dispatch runs.
#[derive(Clone, Copy)]
pub(crate) struct Instr {
    pub(crate) h: Handler,
    pub(crate) op: Op,
}

impl std::fmt::Debug for Instr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.op.fmt(f)
    }
}

/// Pairs each op with its handler; branch targets become byte offsets from the branch (so a
/// jump needs no code base and no multiplication).
pub(crate) fn thread(ops: Vec<Op>) -> Vec<Instr> {
    let handlers: Vec<Handler> = (0..ops.len())
        .map(|i| {
            ops.get(i + 1)
                .and_then(|next| fused(&ops[i], next))
                .unwrap_or_else(|| handler_of(&ops[i]))
        })
        .collect();
    ops.into_iter()
        .zip(handlers)
        .enumerate()
        .map(|(i, (mut op, h))| {
            if let Some(t) = op.target_mut() {
                let delta = (*t as i64 - i as i64) * size_of::<Instr>() as i64;
                *t = i32::try_from(delta).expect("code of a function fits 2 GiB") as u32;
            }
            Instr { h, op }
        })
        .collect()
}

/// A suspended caller.
struct Frame<'s> {
    code: &'s FuncCode,
    /// Where the caller goes on.
    ip: *const Instr,
    fp: usize,
    inst: u32,
}

/// The execution state handlers do not keep in registers.
pub(crate) struct Cx<'s> {
    types: &'s [FuncType],
    /// What the GC instructions and casts need of each store type.
    rt_types: &'s [RtType],
    heap: &'s mut Heap,
    funcs: &'s [FuncEntity],
    instances: &'s [InstanceEntity],
    limits: &'s Limits,
    tables: &'s mut [TableEntity],
    memories: &'s mut [MemoryEntity],
    globals: &'s mut [super::GlobalEntity],
    elems: &'s mut [Vec<u64>],
    datas: &'s mut [Arc<[u8]>],
    tags: &'s [super::TagEntity],
    exns: &'s mut super::Exns,
    stack_guard: Option<StackGuard>,
    /// The cell stack; frames are windows of it.
    stack: &'s mut Vec<u64>,
    frames: Vec<Frame<'s>>,
    /// The running function's code, its frame's first cell and its instance.
    code: &'s FuncCode,
    fp: usize,
    inst_idx: u32,
    inst: &'s InstanceEntity,
    /// The store index of the running instance's `__stack_pointer` global (`u32::MAX`: none),
    /// for [`Op::GlobalGetStack`] and [`Op::GlobalSetGuarded`].
    stack_global: u32,
    /// The instance's lowered code (with fuel ops if `fuel_on`), by defined function index.
    codes: &'s [std::sync::OnceLock<FuncCode>],
    /// Below this many frames, a call pushes its frame with neither a reallocation nor a
    /// call-depth trap: `min(frames.capacity(), max_depth - 1)`.
    frames_fast: usize,
    fuel_on: bool,
    fuel_left: u64,
    /// Fuel not yet handed out: with a deadline, fuel comes in slices (see [`refill`]).
    fuel_reserve: u64,
    deadline: Option<std::time::Instant>,
    budget: &'s mut Budget,
    max_depth: usize,
    trap: Option<Trap>,
    /// The instruction that trapped, when the trap path knows it (for the backtrace).
    trap_ip: *const Instr,
    /// Loop dispatch: the registers a handler hands on.
    #[cfg(not(watlink_tail_dispatch))]
    ip: *const Instr,
    #[cfg(not(watlink_tail_dispatch))]
    regs: *mut u64,
    #[cfg(not(watlink_tail_dispatch))]
    mem: *mut u8,
    #[cfg(not(watlink_tail_dispatch))]
    mem_len: usize,
}

// Helpers called from handlers take and return scalars only: a value passed or returned
// through memory is a stack slot whose address escapes, and LLVM then keeps every call of the
// handler a call, which in tail dispatch grows the host stack with each op.
impl Cx<'_> {
    #[cold]
    #[inline(never)]
    fn fail(&mut self, t: Trap, ip: *const Instr) -> Exit {
        self.trap = Some(t);
        self.trap_ip = ip;
        Exit::Trap
    }

    #[cold]
    #[inline(never)]
    fn fail_code(&mut self, c: TrapCode, ip: *const Instr) -> Exit {
        self.fail(Trap::Code(c), ip);
        // Opaque: were LLVM to see that this always returns `Trap`, it would put that constant
        // in each caller after a plain call, instead of jumping here; the call would then make
        // every handler with a trap path save a register on its hot path.
        std::hint::black_box(Exit::Trap)
    }

    /// Fuel ran short of `units`: the next slice if the deadline has not passed (true), or the
    /// trap set (false).
    #[cold]
    #[inline(never)]
    fn refuel(&mut self, units: u64, ip: *const Instr) -> bool {
        match refill(&mut self.fuel_reserve, self.deadline, self.fuel_left, units) {
            Ok(left) => {
                self.fuel_left = left;
                true
            }
            Err(c) => {
                self.fuel_left = 0;
                self.fail_code(c, ip);
                false
            }
        }
    }

    /// Grows the cell stack to `need` cells; false (with the trap set) past its limit.
    #[cold]
    #[inline(never)]
    fn grow_stack(&mut self, need: usize) -> bool {
        match grow(self.stack, need, self.budget) {
            Ok(()) => true,
            Err(t) => {
                self.trap = Some(t);
                false
            }
        }
    }

    /// `global.set` of the guarded stack pointer: false (with the trap set) out of bounds.
    #[inline(never)]
    fn guard_allows(&mut self, g: u32, v: u64) -> bool {
        match self
            .stack_guard
            .filter(|s| s.global == g)
            .map(|s| s.check(v))
        {
            Some(Err(t)) => {
                self.trap = Some(t);
                false
            }
            _ => true,
        }
    }

    /// Makes instance `i` the running one: its index, entity and lowered code (the memory
    /// view is the caller's to refresh).
    #[inline(always)]
    fn set_instance(&mut self, i: u32) {
        self.inst_idx = i;
        self.inst = &self.instances[i as usize];
        self.codes = self.inst.module.codes(self.fuel_on);
        self.stack_global = stack_global(self.inst);
    }

    /// The base and length of the current instance's memory 0.
    #[inline(always)]
    fn mem0(&mut self) -> (*mut u8, usize) {
        memory_view(self.memories, self.inst.mem0)
    }
}

/// The store index of `inst`'s `__stack_pointer` global, or `u32::MAX`.
fn stack_global(inst: &InstanceEntity) -> u32 {
    inst.module.stack_globals[0].map_or(u32::MAX, |g| inst.globals[g as usize])
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
#[cold]
fn grow(stack: &mut Vec<u64>, need: usize, budget: &mut Budget) -> Result<(), Trap> {
    if need > MAX_STACK_CELLS {
        return Err(TrapCode::CallStackExhausted.into());
    }
    let len = need.max(stack.len() * 2).min(MAX_STACK_CELLS).max(need);
    if !budget.take((len - stack.len()) as u64 * 8) {
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

/// Records the frames of a trap into `trace`, innermost first: the trapping instruction (if the
/// trap path knew it), then each suspended caller at its call. Runs only after a trap.
#[cold]
#[inline(never)]
fn record_trace(cx: &Cx<'_>, trace: &mut Vec<TraceFrame>) {
    trace.clear();
    let here = (!cx.trap_ip.is_null()).then_some((cx.code, cx.trap_ip, cx.inst_idx));
    // A caller's `ip` is where it goes on: the call is the instruction before it.
    let callers = cx
        .frames
        .iter()
        .rev()
        .map(|f| (f.code, f.ip.wrapping_sub(1), f.inst));
    for (code, ip, inst) in here.into_iter().chain(callers).take(MAX_TRACE) {
        let module = &cx.instances[inst as usize].module;
        // The defined function whose lowered code this is (with or without fuel ops).
        let defined = module.code.iter().find_map(|c| {
            c.iter()
                .position(|l| l.get().is_some_and(|x| std::ptr::eq(x, code)))
        });
        let Some(defined) = defined else { continue };
        let func = module.n_imported_funcs + defined as u32;
        let pc = (ip as usize).wrapping_sub(code.ops.as_ptr() as usize) / size_of::<Instr>();
        let offset = code.offset_of(pc);
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

/// Runs store function `entry` (a wasm function) with its arguments at the bottom of the stack.
fn run(st: &mut Store, entry: u32) -> Result<(), Trap> {
    let Store {
        limits,
        fuel,
        types,
        rt_types,
        heap,
        funcs,
        tables,
        memories,
        globals,
        stack_guard,
        elems,
        datas,
        instances,
        tags,
        exns,
        stack,
        trace,
        deadline,
        budget,
        ..
    } = st;
    // A deadline is checked where fuel is refilled: code with fuel ops, run in slices.
    let fuel_on = limits.fuel.is_some() || deadline.is_some();
    let fuel_reserve = match deadline {
        Some(_) => fuel.saturating_sub(FUEL_SLICE),
        None => 0,
    };
    *fuel -= fuel_reserve;
    // The frame stack is bounded by the call depth and by the memory budget left.
    let max_depth = (limits.max_call_depth as usize)
        .min((budget.left() / size_of::<Frame<'_>>() as u64) as usize);
    let FuncKind::Wasm { instance, index } = funcs[entry as usize].kind else {
        unreachable!("run on a host function")
    };
    let inst = &instances[instance as usize];
    let code: &FuncCode = inst.module.code(index, fuel_on);
    if code.frame_cells as usize > stack.len() {
        grow(stack, code.frame_cells as usize, budget)?;
    }
    stack[code.param_cells as usize..code.local_cells as usize].fill(0);
    let (mem, mem_len) = memory_view(memories, inst.mem0);
    let regs = stack.as_mut_ptr();
    let ip = code.ops.as_ptr();
    let mut cx = Cx {
        types,
        rt_types,
        heap,
        funcs,
        instances,
        limits,
        tables,
        memories,
        globals,
        elems,
        datas,
        tags,
        exns,
        stack_guard: *stack_guard,
        stack,
        frames: Vec::new(),
        code,
        fp: 0,
        inst_idx: instance,
        inst,
        stack_global: stack_global(inst),
        codes: inst.module.codes(fuel_on),
        frames_fast: 0,
        fuel_on,
        fuel_left: *fuel,
        fuel_reserve,
        deadline: *deadline,
        budget,
        max_depth,
        trap: None,
        trap_ip: std::ptr::null(),
        #[cfg(not(watlink_tail_dispatch))]
        ip,
        #[cfg(not(watlink_tail_dispatch))]
        regs,
        #[cfg(not(watlink_tail_dispatch))]
        mem,
        #[cfg(not(watlink_tail_dispatch))]
        mem_len,
    };
    let exit = execute(ip, regs, mem, mem_len, &mut cx);
    *fuel = cx.fuel_left.saturating_add(cx.fuel_reserve);
    if exit != Exit::Return {
        record_trace(&cx, trace);
    }
    match exit {
        Exit::Return => Ok(()),
        _ => Err(cx.trap.take().unwrap_or(Trap::Code(TrapCode::Unreachable))),
    }
}

#[cfg(watlink_tail_dispatch)]
fn execute(ip: *const Instr, regs: *mut u64, mem: *mut u8, len: usize, cx: &mut Cx<'_>) -> Exit {
    // SAFETY: `ip` is the first instruction of the entry function's code.
    let h = unsafe { (*ip).h };
    h(ip, regs, mem, len, cx)
}

#[cfg(not(watlink_tail_dispatch))]
fn execute(ip: *const Instr, regs: *mut u64, mem: *mut u8, len: usize, cx: &mut Cx<'_>) -> Exit {
    let (mut ip, mut regs, mut mem, mut len) = (ip, regs, mem, len);
    loop {
        // SAFETY: `ip` is an instruction of the running code (module documentation).
        let h = unsafe { (*ip).h };
        match h(ip, regs, mem, len, cx) {
            Exit::Continue => (ip, regs, mem, len) = (cx.ip, cx.regs, cx.mem, cx.mem_len),
            exit => return exit,
        }
    }
}

/// Goes on at instruction `ip` with the given registers.
#[cfg(watlink_tail_dispatch)]
macro_rules! dispatch {
    ($ip:expr, $regs:expr, $mem:expr, $len:expr, $cx:expr) => {{
        let ip: *const Instr = $ip;
        debug_assert!(within($cx.code, ip));
        // SAFETY: `ip` is an instruction of the running code (module documentation).
        let h = unsafe { (*ip).h };
        return h(ip, $regs, $mem, $len, $cx);
    }};
}
#[cfg(not(watlink_tail_dispatch))]
macro_rules! dispatch {
    ($ip:expr, $regs:expr, $mem:expr, $len:expr, $cx:expr) => {{
        let ip: *const Instr = $ip;
        debug_assert!(within($cx.code, ip));
        $cx.ip = ip;
        $cx.regs = $regs;
        $cx.mem = $mem;
        $cx.mem_len = $len;
        return Exit::Continue;
    }};
}

/// How many of `ops` run a superinstruction (for tests).
#[cfg(test)]
pub(crate) fn superinstructions_in(ops: &[Instr]) -> usize {
    ops.iter()
        .filter(|i| !std::ptr::fn_addr_eq(i.h, handler_of(&i.op)))
        .count()
}

/// What a handler does when its op is done: goes on with the op after it.
pub(crate) trait Next {
    fn go(ip: *const Instr, regs: *mut u64, mem: *mut u8, len: usize, cx: &mut Cx<'_>) -> Exit;
}

/// Through that op's own handler, as the code says (an indirect jump, or the dispatch loop).
pub(crate) struct Indirect;

impl Next for Indirect {
    #[inline(always)]
    fn go(ip: *const Instr, regs: *mut u64, mem: *mut u8, len: usize, cx: &mut Cx<'_>) -> Exit {
        dispatch!(ip, regs, mem, len, cx)
    }
}

/// Whether `ip` points into `code` (for debug assertions).
#[allow(dead_code)]
fn within(code: &FuncCode, ip: *const Instr) -> bool {
    code.ops.as_ptr_range().contains(&ip)
}

/// Defines, inside a handler, the macros its body uses. They must be defined in the handler
/// (not once for the module): macro hygiene resolves their uses of the handler's parameters at
/// the place the macro is defined. `$d` is a `$`.
macro_rules! helpers {
    ([$d:tt] $ip:ident, $regs:ident, $mem:ident, $len:ident, $cx:ident; $next:ty) => {
        // Slot access. SAFETY (for every use): lowering assigns slots below
        // `code.frame_cells`, and a frame is entered only once `fp + frame_cells` cells exist
        // (see `enter!`); `regs` points at the frame's first cell and is refreshed whenever
        // the stack is resized.
        macro_rules! r {
            ($d s:expr) => {{
                let s = ($d s) as usize;
                debug_assert!(s < $cx.code.frame_cells as usize && $cx.fp + s < $cx.stack.len());
                unsafe { *$regs.add(s) }
            }};
        }
        macro_rules! w {
            ($d s:expr, $d v:expr) => {{
                let v: u64 = $d v;
                let s = ($d s) as usize;
                debug_assert!(s < $cx.code.frame_cells as usize && $cx.fp + s < $cx.stack.len());
                unsafe { *$regs.add(s) = v }
            }};
        }
        macro_rules! next {
            () => {
                // SAFETY: lowering never ends code with an op that falls through.
                return <$next as Next>::go(unsafe { $ip.add(1) }, $regs, $mem, $len, $cx)
            };
        }
        macro_rules! jump {
            ($d t:expr) => {
                // SAFETY: `thread` made the target a byte offset to an op of this code.
                dispatch!(unsafe { opaque($ip).byte_offset(($d t) as i32 as isize) }, $regs, $mem, $len, $cx)
            };
        }
        // A conditional jump. Both ways end in their own dispatch, so the branch predictor
        // picks the way and the next handler's jump; the hint keeps LLVM from merging them
        // into a conditional move, which would make the next fetch wait for the condition.
        macro_rules! branch {
            ($d cond:expr, $d t:expr) => {
                if $d cond {
                    jump!($d t);
                } else {
                    cold_path();
                    next!();
                }
            };
        }
        macro_rules! fail {
            ($d t:expr) => {
                return $cx.fail($d t, $ip)
            };
        }
        macro_rules! trap {
            ($d c:expr) => {
                return $cx.fail_code($d c, $ip)
            };
        }
        macro_rules! charge {
            ($d units:expr) => {
                if $cx.fuel_on {
                    let units: u64 = $d units;
                    if $cx.fuel_left < units {
                        if !$cx.refuel(units, $ip) {
                            return Exit::Trap;
                        }
                    } else {
                        $cx.fuel_left -= units;
                    }
                }
            };
        }
        macro_rules! refresh_mem {
            () => {
                ($mem, $len) = $cx.mem0()
            };
        }
        // Memory access: the effective address plus the width must lie within `len`, the
        // length of the memory `mem` points at (refreshed after anything that can resize or
        // re-borrow it: memory.grow, bulk operations, host calls, instance switches).
        macro_rules! load {
            ($d addr:expr, $d off:expr, $d n:literal) => {{
                let ea = r!($d addr) as u32 as u64 + $d off as u64;
                if ea + $d n > $len as u64 {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                debug_assert!(ea as usize + $d n <= $cx.memories[$cx.inst.mem0 as usize].data.len());
                // SAFETY: `ea + n <= len` was just checked.
                unsafe { $mem.add(ea as usize).cast::<[u8; $d n]>().read_unaligned() }
            }};
        }
        macro_rules! store {
            ($d addr:expr, $d off:expr, $d bytes:expr, $d n:literal) => {{
                let bytes: [u8; $d n] = $d bytes;
                let ea = r!($d addr) as u32 as u64 + $d off as u64;
                if ea + $d n > $len as u64 {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                debug_assert!(ea as usize + $d n <= $cx.memories[$cx.inst.mem0 as usize].data.len());
                // SAFETY: `ea + n <= len` was just checked.
                unsafe { $mem.add(ea as usize).cast::<[u8; $d n]>().write_unaligned(bytes) }
            }};
        }
        // The effective address of an access of `n` bytes (not known to the compiler, unlike
        // `load!`'s), trapping unless it lies within `len`.
        macro_rules! simd_ea {
            ($d addr:expr, $d off:expr, $d n:expr) => {{
                let n: usize = $d n;
                let ea = r!($d addr) as u32 as u64 + $d off as u64;
                if ea + n as u64 > $len as u64 {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                debug_assert!(ea as usize + n <= $cx.memories[$cx.inst.mem0 as usize].data.len());
                ea as usize
            }};
        }
        // Goes on at `ip` in instance `i`: a switch of instance is a tail call out of the
        // handler (kept inline, its work made every call and return save registers).
        macro_rules! switch_inst {
            ($d i:expr, $d ip:expr) => {{
                let i: u32 = $d i;
                if i != $cx.inst_idx {
                    cold_path();
                    return resume_in($d ip, $regs, $cx, i);
                }
            }};
        }
        macro_rules! do_return {
            () => {{
                match $cx.frames.pop() {
                    None => return Exit::Return,
                    Some(fr) => {
                        $cx.fp = fr.fp;
                        $cx.code = fr.code;
                        // SAFETY: the caller's frame was within the stack when it called,
                        // and the stack only grows.
                        $regs = unsafe { $cx.stack.as_mut_ptr().add(fr.fp) };
                        switch_inst!(fr.inst, fr.ip);
                        dispatch!(fr.ip, $regs, $mem, $len, $cx)
                    }
                }
            }};
        }
        // Enters wasm function `idx` of instance `ci`, its arguments at `base` of this frame;
        // `tail` replaces the current frame. The common case is handled here, with no call
        // (so the handler saves no registers); the rest (first call of a function, growing a
        // stack, many locals or arguments) goes on in `enter_slow`.
        macro_rules! enter {
            ($d ci:expr, $d idx:expr, $d base:expr, $d tail:expr) => {{
                enter!($d ci, $d idx, $d base, $d tail, false)
            }};
            // `here`: the callee is known to be of the running instance (`ci` is its index).
            ($d ci:expr, $d idx:expr, $d base:expr, $d tail:expr, $d here:expr) => {{
                let (ci, idx, base): (u32, u32, u32) = ($d ci, $d idx, $d base);
                // A call within the instance (the common case) needs no lookup of it.
                let lowered = if $d here || ci == $cx.inst_idx {
                    debug_assert!((idx as usize) < $cx.codes.len());
                    // SAFETY: validation checked that the call names a function of the
                    // instance's module, and lowering that it is a defined one.
                    unsafe { $cx.codes.get_unchecked(idx as usize) }.get()
                } else {
                    $cx.instances[ci as usize].module.lowered(idx, $cx.fuel_on)
                };
                let Some(callee) = lowered else {
                    if $d here {
                        return enter_slow_here::<{ $d tail }>($ip, $regs, $cx);
                    }
                    return enter_slow::<{ $d tail }>($ip, $regs, $cx, ci, idx, base);
                };
                let (p, l) = (callee.param_cells as usize, callee.local_cells as usize);
                let new_fp = if $d tail { $cx.fp } else { $cx.fp + base as usize };
                if l - p > FAST_CELLS
                    || ($d tail && p > FAST_CELLS)
                    || (!$d tail && $cx.frames.len() >= $cx.frames_fast)
                    || new_fp + callee.frame_cells as usize > $cx.stack.len()
                {
                    if $d here {
                        return enter_slow_here::<{ $d tail }>($ip, $regs, $cx);
                    }
                    return enter_slow::<{ $d tail }>($ip, $regs, $cx, ci, idx, base);
                }
                if $d tail {
                    // SAFETY: the arguments are slots of this frame, above its bottom.
                    unsafe { move_down($regs, base as usize, p) };
                } else {
                    let frame = Frame {
                        code: $cx.code,
                        // SAFETY: a call is never the last op of its code.
                        ip: unsafe { $ip.add(1) },
                        fp: $cx.fp,
                        inst: $cx.inst_idx,
                    };
                    // SAFETY: `frames.len() < frames_fast <= frames.capacity()` (checked above).
                    unsafe { push_within_capacity(&mut $cx.frames, frame) };
                }
                $cx.fp = new_fp;
                // SAFETY: `fp + frame_cells <= stack.len()` was just checked.
                $regs = unsafe { $cx.stack.as_mut_ptr().add(new_fp) };
                // SAFETY: `local_cells + FRAME_PAD <= frame_cells` (lowering), and the frame
                // fits the stack (checked above).
                unsafe { zero($regs, p, l) };
                $cx.code = callee;
                if !$d here {
                    switch_inst!(ci, callee.ops.as_ptr());
                }
                dispatch!(callee.ops.as_ptr(), $regs, $mem, $len, $cx)
            }};
        }
        // The general case of `enter!`: anything may need doing.
        macro_rules! enter_general {
            ($d ci:expr, $d idx:expr, $d base:expr, $d tail:expr) => {{
                let ci: u32 = $d ci;
                let instances = $cx.instances;
                let callee: &FuncCode = instances[ci as usize].module.code($d idx, $cx.fuel_on);
                let base = $d base as usize;
                let new_fp = if $d tail {
                    // SAFETY: the arguments are slots of this frame; the copy moves them down
                    // to its bottom (regions may overlap: `copy` is a memmove).
                    unsafe { std::ptr::copy($regs.add(base), $regs, callee.param_cells as usize) };
                    $cx.fp
                } else {
                    if $cx.frames.len() + 1 >= $cx.max_depth {
                        trap!(TrapCode::CallStackExhausted);
                    }
                    $cx.frames.push(Frame {
                        code: $cx.code,
                        // SAFETY: a call is never the last op of its code.
                        ip: unsafe { $ip.add(1) },
                        fp: $cx.fp,
                        inst: $cx.inst_idx,
                    });
                    $cx.fp + base
                };
                let need = new_fp + callee.frame_cells as usize;
                if need > $cx.stack.len() && !$cx.grow_stack(need) {
                    return Exit::Trap;
                }
                $cx.fp = new_fp;
                // SAFETY: `fp + frame_cells <= stack.len()` was just ensured.
                $regs = unsafe { $cx.stack.as_mut_ptr().add(new_fp) };
                let (p, l) = (callee.param_cells as usize, callee.local_cells as usize);
                // SAFETY: `local_cells <= frame_cells`.
                unsafe { std::ptr::write_bytes($regs.add(p), 0, l - p) };
                $cx.code = callee;
                $cx.set_instance(ci);
                $cx.frames_fast = $cx.frames.capacity().min($cx.max_depth.saturating_sub(1));
                ($mem, $len) = $cx.mem0();
                dispatch!(callee.ops.as_ptr(), $regs, $mem, $len, $cx)
            }};
        }
        macro_rules! call_handle {
            ($d h:expr, $d base:expr, $d tail:expr) => {{
                let h = $d h as usize;
                let funcs = $cx.funcs;
                match &funcs[h].kind {
                    FuncKind::Wasm { instance, index } => enter!(*instance, *index, $d base, $d tail),
                    FuncKind::Host(_) => {
                        if !call_host($cx, h, $d base as usize, $d tail) {
                            $cx.trap_ip = $ip;
                            return host_failed($ip, $cx, $d tail);
                        }
                        // SAFETY: `call_host` left the stack holding this frame.
                        $regs = unsafe { $cx.stack.as_mut_ptr().add($cx.fp) };
                        refresh_mem!();
                        if $d tail {
                            do_return!();
                        }
                    }
                }
            }};
        }
        macro_rules! call_indirect {
            ($d index:expr, $d base:expr, $d site:expr, $d tail:expr) => {{
                let (ty, table) = $cx.code.indirect[$d site as usize];
                // An i32 index cell is zero-extended; a table64 index is the whole cell.
                let i = table_index(r!($d index));
                let tab = &$cx.tables[$cx.inst.tables[table as usize] as usize];
                let f = match tab.elems.get(i) {
                    Some(&f) => f,
                    None => trap!(TrapCode::UndefinedElement),
                };
                if f == 0 {
                    return uninitialized($cx, i, $ip);
                }
                let h = (f - 1) as usize;
                let want = $cx.inst.types[ty as usize];
                if $cx.funcs[h].ty != want {
                    return call_subtype::<{ $d tail }>($ip, $regs, $cx, h, want, $d base);
                }
                call_handle!(h, $d base, $d tail)
            }};
        }
        // The three operands of a bulk operation, as u64 (the i32 ones zero-extended).
        macro_rules! three {
            ($d base:expr) => {{
                let b = $d base;
                (r!(b) as u32 as u64, r!(b + 1), r!(b + 2) as u32 as u64)
            }};
        }

    };
}

/// Defines the handlers: one function per op, from the hand-written arms and the numeric
/// instruction table, and [`handler_of`]. `$d` is a `$` (for the helper macros defined
/// here); the five identifiers name the handler parameters the arms use.
macro_rules! handlers {
    (
        [$d:tt] ($ip:ident, $regs:ident, $mem:ident, $len:ident, $cx:ident)
        { $( $name:ident { $($f:ident),* } => $body:block )* }
        unary: [$(($u:ident, $ut:ty, $ue:expr))*]
        unary_trap: [$(($ut_:ident, $utt:ty, $ute:expr))*]
        binary: [$(($b:ident, $bi:ident, $bt:ty, $be:expr))*]
        float_binary: [$(($fb:ident, $fbt:ty, $fbe:expr))*]
        binary_trap: [$(($dv:ident, $di:ident, $dt:ty, $de:expr, $die:expr))*]
        compare: [$(($c:ident, $ci:ident, $cb:ident, $cbi:ident, $cn:ident, $cni:ident, $ct:ty, $ce:expr))*]
        load: [$(($l:ident, [$($lw:ident)*], $ln:literal, $le:expr))*]
        store: [$(($s:ident, $si:ident, [$($sw:ident)*], $sn:literal, $se:expr))*]
    ) => {
        /// The handlers, one per op.
        #[allow(
            non_snake_case,
            unused_mut,
            unused_variables,
            unused_macros,
            unused_assignments,
            unreachable_code,
            clippy::unused_unit,
            clippy::int_plus_one
        )]
        mod h {
            use super::*;

            $(
                pub(super) fn $name<N: Next>(
                    $ip: *const Instr,
                    mut $regs: *mut u64,
                    mut $mem: *mut u8,
                    mut $len: usize,
                    $cx: &mut Cx<'_>,
                ) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: `thread` pairs this handler with this op only (directly, or as
                    // the second half of a superinstruction: see `then!`).
                    let Op::$name { $($f),* } = (unsafe { *$ip }).op else {
                        unsafe { std::hint::unreachable_unchecked() }
                    };
                    $body
                    next!()
                }
            )*

            $(
                pub(super) fn $u<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$u { dst, a } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let a = <$ut as Cell>::from_cell(r!(a));
                    w!(dst, Cell::to_cell(($ue)(a)));
                    next!()
                }
            )*
            $(
                pub(super) fn $ut_<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$ut_ { dst, a } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    match ($ute)(<$utt as Cell>::from_cell(r!(a))) {
                        Ok(v) => w!(dst, Cell::to_cell(v)),
                        Err(c) => trap!(c),
                    }
                    next!()
                }
            )*
            $(
                pub(super) fn $b<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$b { dst, a, b } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$bt as Cell>::from_cell(r!(a)), <$bt as Cell>::from_cell(r!(b)));
                    w!(dst, Cell::to_cell(($be)(a, b)));
                    next!()
                }
                pub(super) fn $bi<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$bi { dst, a, imm } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$bt as Cell>::from_cell(r!(a)), <$bt as Cell>::from_imm(imm));
                    w!(dst, Cell::to_cell(($be)(a, b)));
                    next!()
                }
            )*
            $(
                pub(super) fn $fb<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$fb { dst, a, b } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$fbt as Cell>::from_cell(r!(a)), <$fbt as Cell>::from_cell(r!(b)));
                    w!(dst, Cell::to_cell(($fbe)(a, b)));
                    next!()
                }
            )*
            $(
                pub(super) fn $dv<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$dv { dst, a, b } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$dt as Cell>::from_cell(r!(a)), <$dt as Cell>::from_cell(r!(b)));
                    match ($de)(a, b) {
                        Ok(v) => w!(dst, Cell::to_cell(v)),
                        Err(c) => trap!(c),
                    }
                    next!()
                }
                pub(super) fn $di<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$di { dst, a, imm } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$dt as Cell>::from_cell(r!(a)), <$dt as Cell>::from_imm(imm));
                    w!(dst, Cell::to_cell(($die)(a, b)));
                    next!()
                }
            )*
            $(
                pub(super) fn $c<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$c { dst, a, b } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_cell(r!(b)));
                    w!(dst, Cell::to_cell(($ce)(a, b)));
                    next!()
                }
                pub(super) fn $ci<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$ci { dst, a, imm } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_imm(imm));
                    w!(dst, Cell::to_cell(($ce)(a, b)));
                    next!()
                }
                pub(super) fn $cb<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$cb { a, b, target } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_cell(r!(b)));
                    branch!(($ce)(a, b), target);
                }
                pub(super) fn $cbi<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$cbi { a, imm, target } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let (a, b) = (<$ct as Cell>::from_cell(r!(a)), <$ct as Cell>::from_imm(imm));
                    branch!(($ce)(a, b), target);
                }
            )*
            $(
                pub(super) fn $l<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$l { dst, addr, offset } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let bytes: [u8; $ln] = load!(addr, offset, $ln);
                    w!(dst, ($le)(bytes));
                    next!()
                }
            )*
            $(
                pub(super) fn $s<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$s { addr, val, offset } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let bytes: [u8; $sn] = ($se)(r!(val));
                    store!(addr, offset, bytes, $sn);
                    next!()
                }
                pub(super) fn $si<N: Next>($ip: *const Instr, $regs: *mut u64, $mem: *mut u8, $len: usize, $cx: &mut Cx<'_>) -> Exit {
                    helpers!([$d] $ip, $regs, $mem, $len, $cx; N);
                    // SAFETY: as above.
                    let Op::$si { addr, imm, offset } = (unsafe { *$ip }).op else { unsafe { std::hint::unreachable_unchecked() } };
                    let bytes: [u8; $sn] = ($se)(imm as i64 as u64);
                    store!(addr, offset, bytes, $sn);
                    next!()
                }
            )*
        }

        /// The handler of `op`.
        fn handler_of(op: &Op) -> Handler {
            match op {
                $(Op::$name { .. } => h::$name::<Indirect>,)*
                $(Op::$u { .. } => h::$u::<Indirect>,)*
                $(Op::$ut_ { .. } => h::$ut_::<Indirect>,)*
                $(Op::$b { .. } => h::$b::<Indirect>, Op::$bi { .. } => h::$bi::<Indirect>,)*
                $(Op::$fb { .. } => h::$fb::<Indirect>,)*
                $(Op::$dv { .. } => h::$dv::<Indirect>, Op::$di { .. } => h::$di::<Indirect>,)*
                $(Op::$c { .. } => h::$c::<Indirect>, Op::$ci { .. } => h::$ci::<Indirect>, Op::$cb { .. } => h::$cb::<Indirect>, Op::$cbi { .. } => h::$cbi::<Indirect>,)*
                $(Op::$l { .. } => h::$l::<Indirect>,)*
                $(Op::$s { .. } => h::$s::<Indirect>, Op::$si { .. } => h::$si::<Indirect>,)*
            }
        }

        /// For each op, a [`Next`] that runs that op's handler directly: `h::A::<then::B>` is
        /// the superinstruction "A, then the B that follows it".
        #[allow(non_camel_case_types, dead_code)]
        mod then {
            use super::*;
            $(then!($name);)*
            $(then!($u);)*
            $(then!($ut_);)*
            $(then!($b); then!($bi);)*
            $(then!($fb);)*
            $(then!($dv); then!($di);)*
            $(then!($c); then!($ci); then!($cb); then!($cbi);)*
            $(then!($l);)*
            $(then!($s); then!($si);)*
        }
    };
}

/// `ip`, as a register value the optimizer cannot see into: a branch goes to `ip + offset`, one
/// add after the offset's load. In the second op of a superinstruction, `ip` is the first op's
/// plus one, and LLVM would otherwise add that constant after the load, which lengthens the
/// chain from one taken branch to the next (measured on x86-64: count_locals 115 -> 106 ms;
/// other targets get `ip` as it is).
#[inline(always)]
fn opaque(ip: *const Instr) -> *const Instr {
    #[cfg(target_arch = "x86_64")]
    {
        let mut addr = ip.addr();
        // SAFETY: the assembly is empty (a comment naming the register): it reads and writes
        // no memory, keeps the flags and the stack, and leaves `addr` as it was.
        unsafe {
            std::arch::asm!(
                "/* {0} */",
                inout(reg) addr,
                options(pure, nomem, nostack, preserves_flags)
            )
        };
        debug_assert_eq!(addr, ip.addr());
        ip.with_addr(addr)
    }
    #[cfg(not(target_arch = "x86_64"))]
    ip
}

/// `then::$name`: a [`Next`] that goes on with op `$name`'s handler, called directly.
macro_rules! then {
    ($name:ident) => {
        pub(super) struct $name;
        impl Next for $name {
            #[inline(always)]
            fn go(
                ip: *const Instr,
                regs: *mut u64,
                mem: *mut u8,
                len: usize,
                cx: &mut Cx<'_>,
            ) -> Exit {
                debug_assert!(within(cx.code, ip));
                // SAFETY (of the handler's op access): `fused` chose this `Next` only for an
                // op followed by a `$name` op, and `ip` is that op.
                debug_assert!(matches!(unsafe { (*ip).op }, Op::$name { .. }));
                super::h::$name::<Indirect>(ip, regs, mem, len, cx)
            }
        }
    };
}

/// Superinstructions: pairs of ops that often follow each other in real code (measured on the
/// Lua and pycryptodome benchmark programs). The first op's handler, instantiated with
/// `then::Second`, runs the second op's handler inline instead of jumping to it through the
/// code: one dispatch (a load and an indirect jump, often mispredicted) fewer. Both ops stay in
/// the code, so a branch to the second op still finds it, and no offset changes.
macro_rules! superinstructions {
    ($($a:ident => [$($b:ident),* $(,)?]),* $(,)?) => {
        /// The superinstruction handler for op `a` followed by op `b`, if there is one.
        fn fused(a: &Op, b: &Op) -> Option<Handler> {
            Some(match (a, b) {
                $($((Op::$a { .. }, Op::$b { .. }) => h::$a::<then::$b>,)*)*
                _ => return None,
            })
        }
    };
}

/// Goes on at `ip` after a call or return crossed into instance `i` (see `switch_inst!`).
#[cold]
#[inline(never)]
#[allow(unused_macros, unused_assignments)]
fn resume_in(ip: *const Instr, regs: *mut u64, cx: &mut Cx<'_>, i: u32) -> Exit {
    cx.set_instance(i);
    let (mem, len) = cx.mem0();
    dispatch!(ip, regs, mem, len, cx)
}

/// `call_indirect` of function `h` whose type is not the expected `want`: the call if `h`'s
/// type declares `want` among its supertypes (GC), a trap otherwise. Reached by a tail call
/// from the handler, so that the handler's common path keeps no value across a call (which
/// would make it save registers on every call).
#[cold]
#[inline(never)]
#[allow(unused_macros, unused_assignments)]
fn call_subtype<const TAIL: bool>(
    ip: *const Instr,
    regs: *mut u64,
    cx: &mut Cx<'_>,
    h: usize,
    want: u32,
    base: u32,
) -> Exit {
    if !gc::is_subtype(cx.rt_types, cx.funcs[h].ty, want) {
        return cx.fail_code(TrapCode::IndirectCallTypeMismatch, ip);
    }
    let (mut mem, mut len) = cx.mem0();
    let mut regs = regs;
    helpers!([$] ip, regs, mem, len, cx; Indirect);
    call_handle!(h, base, TAIL);
    next!()
}

/// What [`gc_op`] returns when the instruction trapped (the trap is set).
const GC_TRAPPED: u64 = u64::MAX;

/// Runs GC instruction `site` of the current function (see `gc.rs`) on the current frame;
/// returns the fuel units it costs beyond its own, or [`GC_TRAPPED`] with the trap set (a
/// scalar: a returned `Result` would go through memory, and the handler's jump to the next op
/// would then become a call).
#[inline(never)]
fn gc_op(cx: &mut Cx<'_>, site: u32, ip: *const Instr) -> u64 {
    match gc_exec(cx, site) {
        Ok(units) => units.min(GC_TRAPPED - 1),
        Err(c) => {
            cx.fail(Trap::Code(c), ip);
            GC_TRAPPED
        }
    }
}

fn gc_exec(cx: &mut Cx<'_>, site: u32) -> Result<u64, TrapCode> {
    let s = cx.code.gc_sites[site as usize];
    let top = cx.fp + cx.code.frame_cells as usize;
    let mut g = gc::GcCx {
        heap: cx.heap,
        types: cx.rt_types,
        funcs: cx.funcs,
        inst_types: &cx.inst.types,
        stack: &mut cx.stack[..],
        fp: cx.fp,
        top,
        globals: cx.globals,
        tables: cx.tables,
        elems: cx.elems,
        inst_elems: &cx.inst.elems,
        datas: cx.datas,
        inst_datas: &cx.inst.datas,
        exns: cx.exns,
    };
    gc::exec(&mut g, &s)
}

/// The trap of `call_indirect` through a null entry `i`.
#[cold]
#[inline(never)]
fn uninitialized(cx: &mut Cx<'_>, i: usize, ip: *const Instr) -> Exit {
    let c = TrapCode::UninitializedElement;
    cx.fail(Trap::Detailed(c, format!("{} {i}", c.message())), ip)
}

/// Cells of arguments (tail calls) and of locals the call fast path moves or zeroes itself.
const FAST_CELLS: usize = super::code::FRAME_PAD as usize;

/// Pushes `f` onto `frames` without the check for a reallocation (whose call would make the
/// call handler save registers).
///
/// # Safety
/// `frames.len() < frames.capacity()`.
#[inline(always)]
unsafe fn push_within_capacity<'s>(frames: &mut Vec<Frame<'s>>, f: Frame<'s>) {
    let len = frames.len();
    debug_assert!(len < frames.capacity());
    // SAFETY: the caller's bound: cell `len` is allocated, and becomes initialized.
    unsafe {
        frames.as_mut_ptr().add(len).write(f);
        frames.set_len(len + 1);
    }
}

/// Moves `n <= FAST_CELLS` cells from `src` down to the frame's bottom (`src > 0`).
///
/// # Safety
/// `regs..regs + src + n` must be cells of the frame.
#[inline(always)]
unsafe fn move_down(regs: *mut u64, src: usize, n: usize) {
    debug_assert!(n <= FAST_CELLS);
    for k in 0..n {
        // SAFETY: the caller's bounds. The volatile read keeps LLVM from turning this short
        // loop into a call of `memmove`, which would make every call op save registers.
        unsafe { regs.add(k).write(regs.add(src + k).read_volatile()) }
    }
}

/// Zeroes cells `p..l` of the frame (`l - p <= FAST_CELLS`): if there are any, all `FAST_CELLS`
/// cells from `p`, in a few wide stores with no loop (whose exit would be mispredicted from
/// callee to callee). With none, it stores nothing: the wide stores are unaligned, and a call
/// of a function without locals (most small ones) is measurably slower with them.
/// The cells past `l` are the callee's temporaries, not live yet.
///
/// # Safety
/// `regs + p + FAST_CELLS` must not pass the frame's end: lowering makes every frame
/// [`FRAME_PAD`](super::code::FRAME_PAD) cells longer than its locals.
#[inline(always)]
unsafe fn zero(regs: *mut u64, p: usize, l: usize) {
    debug_assert!(l - p <= FAST_CELLS);
    if l > p {
        // SAFETY: the caller's bound.
        unsafe {
            regs.add(p)
                .cast::<[u64; FAST_CELLS]>()
                .write_unaligned([0; FAST_CELLS])
        }
    }
}

/// `global.set` of the stack pointer while a stack guard watches it (out of the handler, which
/// then saves no registers): the check, the write, and on to the next op.
#[inline(never)]
#[allow(unused_macros, unused_assignments)]
fn guarded_global_set(
    ip: *const Instr,
    regs: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: &mut Cx<'_>,
) -> Exit {
    helpers!([$] ip, regs, mem, len, cx; Indirect);
    // SAFETY: reached only from the handler of this op.
    let Op::GlobalSetGuarded { src, global } = (unsafe { *ip }).op else {
        unreachable!("guarded_global_set on another op")
    };
    let v = r!(src);
    let g = cx.inst.globals[global as usize];
    if !cx.guard_allows(g, v) {
        cx.trap_ip = ip;
        return Exit::Trap;
    }
    cx.globals[g as usize].value = v as u128;
    next!()
}

/// The call path when `enter!`'s fast path does not apply; reached by a tail call from it.
#[inline(never)]
#[allow(unused_macros, unused_assignments)]
fn enter_slow<const TAIL: bool>(
    ip: *const Instr,
    regs: *mut u64,
    cx: &mut Cx<'_>,
    ci: u32,
    idx: u32,
    base: u32,
) -> Exit {
    let (mut mem, mut len) = (std::ptr::null_mut(), 0);
    let mut regs = regs;
    helpers!([$] ip, regs, mem, len, cx; Indirect);
    enter_general!(ci, idx, base, TAIL)
}

/// [`enter_slow`] for the `Call` or `ReturnCall` op at `ip`, which it reads again (so that its
/// handler need not keep the op's operands for this path).
#[inline(never)]
fn enter_slow_here<const TAIL: bool>(ip: *const Instr, regs: *mut u64, cx: &mut Cx<'_>) -> Exit {
    // SAFETY: reached only from the handler of the op at `ip`.
    let (Op::Call { func, base } | Op::ReturnCall { func, base }) = (unsafe { *ip }).op else {
        unreachable!("enter_slow_here on another op")
    };
    let ci = cx.inst_idx;
    enter_slow::<TAIL>(ip, regs, cx, ci, func, base)
}

/// Calls host function `h` with the arguments at `base..` of the current frame; its results go
/// to `base..` (or, for a tail call, to the frame's bottom). The stack may move. False (with the
/// trap set) if it traps.
#[inline(never)]
fn call_host(cx: &mut Cx<'_>, h: usize, base: usize, tail: bool) -> bool {
    match host_call(cx, h, base, tail) {
        Ok(()) => true,
        Err(t) => {
            cx.trap = Some(t);
            false
        }
    }
}

fn host_call(cx: &mut Cx<'_>, h: usize, base: usize, tail: bool) -> Result<(), Trap> {
    let FuncKind::Host(hf) = &cx.funcs[h].kind else {
        unreachable!("call_host on a wasm function")
    };
    let ty = &cx.types[cx.funcs[h].ty as usize];
    let mut at = cx.fp + base;
    let args: Vec<Value> = ty
        .params
        .iter()
        .map(|&t| {
            let (v, n) = Value::read_cells(t, &cx.stack[at..]);
            at += n;
            v
        })
        .collect();
    let memory = cx
        .memories
        .get_mut(cx.inst.mem0 as usize)
        .map(|m| &mut m.data[..]);
    let res = hf(&mut super::Caller { memory }, &args)?;
    check_results(&ty.results, &res)?;
    let cells: usize = ty
        .results
        .iter()
        .map(|&t| super::lower::width(t) as usize)
        .sum();
    let dst = cx.fp + if tail { 0 } else { base };
    if dst + cells > cx.stack.len() {
        grow(cx.stack, dst + cells, cx.budget)?;
    }
    let mut at = dst;
    for r in res {
        at += r.write_cells(&mut cx.stack[at..]);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// SIMD helpers (the handlers are at the end of the list below)

/// A v128 from the two cells at slot `$s` (low half first), read with the handler's `r!`.
macro_rules! r2 {
    ($s:expr) => {{
        let s: Slot = $s;
        r!(s) as u128 | (r!(s + 1) as u128) << 64
    }};
}

/// Writes a v128 to the two cells at slot `$s` with the handler's `w!`.
macro_rules! w2 {
    ($s:expr, $v:expr) => {{
        let (s, v): (Slot, u128) = ($s, $v);
        w!(s, v as u64);
        w!(s + 1, (v >> 64) as u64);
    }};
}

/// The `n` (1, 2, 4 or 8) bytes at `p`, little-endian, zero-extended. A scalar read for each
/// width (no buffer whose address escapes; see [`Cx`]).
///
/// # Safety
/// `p..p + n` lies within a memory.
#[inline(always)]
unsafe fn read_le(p: *const u8, n: usize) -> u64 {
    // SAFETY: the caller's bound covers every read below.
    unsafe {
        match n {
            1 => p.read() as u64,
            2 => u16::from_le(p.cast::<u16>().read_unaligned()) as u64,
            4 => u32::from_le(p.cast::<u32>().read_unaligned()) as u64,
            _ => u64::from_le(p.cast::<u64>().read_unaligned()),
        }
    }
}

/// Writes the low `n` (1, 2, 4 or 8) bytes of `x` at `p`, little-endian.
///
/// # Safety
/// `p..p + n` lies within a memory.
#[inline(always)]
unsafe fn write_le(p: *mut u8, n: usize, x: u64) {
    // SAFETY: the caller's bound covers every write below.
    unsafe {
        match n {
            1 => p.write(x as u8),
            2 => p.cast::<u16>().write_unaligned((x as u16).to_le()),
            4 => p.cast::<u32>().write_unaligned((x as u32).to_le()),
            _ => p.cast::<u64>().write_unaligned(x.to_le()),
        }
    }
}

/// `memory.grow` of memory 0 by `delta` pages: the old size, or -1.
#[inline(never)]
fn memory_grow(cx: &mut Cx<'_>, delta: u64) -> u64 {
    let m = &mut cx.memories[cx.inst.mem0 as usize];
    let old = m.data.len() as u64 / PAGE;
    let new = old + delta;
    let max = m.max.unwrap_or(65536).min(65536);
    if new > max || new * PAGE > cx.limits.max_memory_bytes || !cx.budget.take(delta * PAGE) {
        u32::MAX as u64
    } else {
        m.data.resize((new * PAGE) as usize, 0);
        old
    }
}

for_each_numeric!(handlers [$] (ip, regs, mem, len, cx) {
    Fuel { n } => { charge!(n as u64); }
    Trap { code } => { trap!(code); }
    Copy { dst, src } => { w!(dst, r!(src)); }
    Copy2 { dst, src } => {
        let (lo, hi) = (r!(src), r!(src + 1));
        w!(dst, lo);
        w!(dst + 1, hi);
    }
    CopyRange { dst, src, n } => {
        debug_assert!(dst < src && src + n <= cx.code.frame_cells);
        // SAFETY: both ranges are slots of this frame.
        unsafe { std::ptr::copy(regs.add(src as usize), regs.add(dst as usize), n as usize) };
    }
    Const { dst, lo, hi } => { w!(dst, (hi as u64) << 32 | lo as u64); }
    Jump { target } => { jump!(target); }
    I32ShrUAndImm { dst, a, shift, mask } => {
        w!(dst, (((r!(a) as u32) >> shift) & mask as u32) as u64);
    }
    I32AddShlImm { dst, a, b, shift } => {
        w!(dst, (r!(a) as u32).wrapping_add((r!(b) as u32) << shift) as u64);
    }
    JumpIfZero { c, target } => { branch!(r!(c) as u32 == 0, target); }
    JumpIfNonZero { c, target } => { branch!(r!(c) as u32 != 0, target); }
    BrTable { index, count, bias } => {
        let i = (r!(index) as u32).wrapping_add(bias as u32).min(count) as usize;
        // SAFETY: lowering put `count + 1` entries after the op.
        let e = unsafe { ip.add(1 + i) };
        // SAFETY: as above.
        match unsafe { (*e).op } {
            // SAFETY: `thread` made the target a byte offset from the entry to an op of this
            // code.
            Op::Jump { target } => dispatch!(unsafe { e.byte_offset(target as i32 as isize) }, regs, mem, len, cx),
            _ => dispatch!(e, regs, mem, len, cx),
        }
    }
    BrTableMove { index, start, count } => {
        let i = (r!(index) as u32).min(count);
        let e = cx.code.br_table[(start + i) as usize];
        if e.dst != e.src && e.n > 0 {
            // SAFETY: both ranges are slots of this frame.
            unsafe { std::ptr::copy(regs.add(e.src as usize), regs.add(e.dst as usize), e.n as usize) };
        }
        if e.pc == RETURN_PC {
            do_return!();
        } else {
            let code = cx.code;
            // SAFETY: lowering patched every entry to an op of this code.
            dispatch!(unsafe { code.ops.as_ptr().add(e.pc as usize) }, regs, mem, len, cx);
        }
    }
    Return {} => { do_return!(); }
    Return1 { src } => {
        w!(0, r!(src));
        do_return!();
    }
    Call { func, base } => { enter!(cx.inst_idx, func, base, false, true); }
    ReturnCall { func, base } => { enter!(cx.inst_idx, func, base, true, true); }
    CallImport { func, base } => { call_handle!(cx.inst.funcs[func as usize], base, false); }
    ReturnCallImport { func, base } => { call_handle!(cx.inst.funcs[func as usize], base, true); }
    CallIndirect { index, base, site } => { call_indirect!(index, base, site, false); }
    ReturnCallIndirect { index, base, site } => { call_indirect!(index, base, site, true); }
    Select { dst, b, c } => {
        if r!(c) as u32 == 0 {
            w!(dst, r!(b));
        }
    }
    Select2 { dst, b, c } => {
        if r!(c) as u32 == 0 {
            let (lo, hi) = (r!(b), r!(b + 1));
            w!(dst, lo);
            w!(dst + 1, hi);
        }
    }
    GlobalGet { dst, global } => {
        w!(dst, cx.globals[cx.inst.globals[global as usize] as usize].value as u64);
    }
    GlobalGet2 { dst, global } => {
        let v = cx.globals[cx.inst.globals[global as usize] as usize].value;
        w!(dst, v as u64);
        w!(dst + 1, (v >> 64) as u64);
    }
    GlobalSet { src, global } => {
        cx.globals[cx.inst.globals[global as usize] as usize].value = r!(src) as u128;
    }
    GlobalSet2 { src, global } => {
        let v = r!(src) as u128 | (r!(src + 1) as u128) << 64;
        cx.globals[cx.inst.globals[global as usize] as usize].value = v;
    }
    GlobalGetStack { dst } => {
        w!(dst, cx.globals[cx.stack_global as usize].value as u64);
    }
    GlobalSetGuarded { src, global } => {
        let v = r!(src);
        let g = cx.stack_global;
        debug_assert_eq!(g, cx.inst.globals[global as usize]);
        if cx.stack_guard.is_some_and(|s| s.global == g) {
            cold_path();
            return guarded_global_set(ip, regs, mem, len, cx);
        }
        cx.globals[g as usize].value = v as u128;
    }
    V128Load { dst, addr, offset } => {
        let b: [u8; 16] = load!(addr, offset, 16);
        let v = u128::from_le_bytes(b);
        w!(dst, v as u64);
        w!(dst + 1, (v >> 64) as u64);
    }
    V128Store { addr, val, offset } => {
        let v = r!(val) as u128 | (r!(val + 1) as u128) << 64;
        store!(addr, offset, v.to_le_bytes(), 16);
    }
    MemorySize { dst } => { w!(dst, len as u64 / PAGE); }
    MemoryGrow { dst, delta } => {
        let d = r!(delta) as u32 as u64;
        charge!(d);
        let result = memory_grow(cx, d);
        refresh_mem!();
        w!(dst, result);
    }
    MemoryFill { base } => {
        let (d, v, n) = three!(base);
        charge!(n / BYTES_PER_FUEL);
        let m = &mut cx.memories[cx.inst.mem0 as usize].data;
        match range(d, n, m.len()) {
            Some(r) => m[r].fill(v as u8),
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }
    MemoryCopy { base } => {
        let (d, s, n) = three!(base);
        let s = s as u32 as u64;
        charge!(n / BYTES_PER_FUEL);
        let m = &mut cx.memories[cx.inst.mem0 as usize].data;
        match (range(d, n, m.len()), range(s, n, m.len())) {
            (Some(dr), Some(sr)) => m.copy_within(sr, dr.start),
            _ => trap!(TrapCode::MemoryOutOfBounds),
        }
    }
    MemoryInit { seg, base } => {
        let (d, s, n) = three!(base);
        let s = s as u32 as u64;
        charge!(n / BYTES_PER_FUEL);
        let data = &cx.datas[cx.inst.datas[seg as usize] as usize];
        let m = &mut cx.memories[cx.inst.mem0 as usize].data;
        match (range(d, n, m.len()), range(s, n, data.len())) {
            (Some(dr), Some(sr)) => m[dr].copy_from_slice(&data[sr]),
            _ => trap!(TrapCode::MemoryOutOfBounds),
        }
    }
    DataDrop { seg } => { cx.datas[cx.inst.datas[seg as usize] as usize] = Arc::new([]); }
    TableGet { dst, index, table } => {
        let i = table_index(r!(index));
        match cx.tables[cx.inst.tables[table as usize] as usize].elems.get(i) {
            Some(&v) => w!(dst, v),
            None => trap!(TrapCode::TableOutOfBounds),
        }
    }
    TableSet { table, index, val } => {
        let (i, v) = (table_index(r!(index)), r!(val));
        match cx.tables[cx.inst.tables[table as usize] as usize].elems.get_mut(i) {
            Some(e) => *e = v,
            None => trap!(TrapCode::TableOutOfBounds),
        }
    }
    TableSize { dst, table } => {
        w!(dst, cx.tables[cx.inst.tables[table as usize] as usize].elems.len() as u64);
    }
    TableGrow { table, base } => {
        let (init, delta) = (r!(base), r!(base + 1));
        charge!(delta);
        let tab = &mut cx.tables[cx.inst.tables[table as usize] as usize];
        let old = tab.elems.len() as u64;
        // -1 of the table's index type on failure.
        let failed = if tab.index64 { u64::MAX } else { u32::MAX as u64 };
        let max = tab.max.unwrap_or(failed);
        let new = old.saturating_add(delta);
        let result = if new > max
            || new > cx.limits.max_table_elems
            || !cx.budget.take(delta.saturating_mul(8))
        {
            failed
        } else {
            tab.elems.resize(new as usize, init);
            old
        };
        w!(base, result);
    }
    TableFill { table, base } => {
        let (i, v, n) = (r!(base), r!(base + 1), r!(base + 2));
        charge!(n);
        let tab = &mut cx.tables[cx.inst.tables[table as usize] as usize].elems;
        match range(i, n, tab.len()) {
            Some(r) => tab[r].fill(v),
            None => trap!(TrapCode::TableOutOfBounds),
        }
    }
    TableCopy { dst, src, base } => {
        // Table indices and lengths: i32 cells are zero-extended, table64 ones whole.
        let (d, s, n) = (r!(base), r!(base + 1), r!(base + 2));
        charge!(n);
        let (dt, st) = (
            cx.inst.tables[dst as usize] as usize,
            cx.inst.tables[src as usize] as usize,
        );
        let (dr, sr) = (
            range(d, n, cx.tables[dt].elems.len()),
            range(s, n, cx.tables[st].elems.len()),
        );
        match (dr, sr) {
            (Some(dr), Some(sr)) if dt == st => cx.tables[dt].elems.copy_within(sr, dr.start),
            (Some(dr), Some(sr)) => {
                let tmp = cx.tables[st].elems[sr].to_vec();
                cx.tables[dt].elems[dr].copy_from_slice(&tmp);
            }
            _ => trap!(TrapCode::TableOutOfBounds),
        }
    }
    TableInit { elem, table, base } => {
        let (d, s, n) = (r!(base), r!(base + 1), r!(base + 2));
        charge!(n);
        let seg = &cx.elems[cx.inst.elems[elem as usize] as usize];
        let tab = &mut cx.tables[cx.inst.tables[table as usize] as usize].elems;
        match (range(d, n, tab.len()), range(s, n, seg.len())) {
            (Some(dr), Some(sr)) => tab[dr].copy_from_slice(&seg[sr]),
            _ => trap!(TrapCode::TableOutOfBounds),
        }
    }
    ElemDrop { seg } => { cx.elems[cx.inst.elems[seg as usize] as usize] = Vec::new(); }
    RefFunc { dst, func } => { w!(dst, cx.inst.funcs[func as usize] as u64 + 1); }

    // SIMD: each family calls its out-of-line function in `simd.rs` (v128s pass as `u128`, in
    // registers). Memory accesses are checked as `load!` and `store!` check.
    V128Unary { kind, dst, src } => { w2!(dst, simd::unary(kind, r2!(src))); }
    V128Binary { kind, dst, lhs, rhs } => { w2!(dst, simd::binary(kind, r2!(lhs), r2!(rhs))); }
    V128Ternary { kind, base } => {
        let (a, b, c) = (r2!(base), r2!(base + 2), r2!(base + 4));
        w2!(base, simd::ternary(kind, a, b, c));
    }
    V128Test { kind, dst, src } => { w!(dst, simd::test(kind, r2!(src)) as u64); }
    V128Shift { kind, dst, lhs, rhs } => {
        w2!(dst, simd::shift(kind, r2!(lhs), r!(rhs) as u32));
    }
    V128Splat { width, dst, src } => { w2!(dst, simd::splat(width, r!(src))); }
    V128Extract { kind, lane, dst, src } => { w!(dst, simd::extract(kind, r2!(src), lane)); }
    V128Replace { width, lane, dst, vec, val } => {
        w2!(dst, simd::replace_lane(width, r2!(vec), lane, r!(val)));
    }
    V128Shuffle { base, lanes } => {
        let lanes = cx.code.shuffles[lanes as usize];
        w2!(base, simd::shuffle(r2!(base), r2!(base + 2), lanes));
    }
    V128LoadExt { kind, dst, addr, offset } => {
        let n = kind.bytes();
        let ea = simd_ea!(addr, offset, n);
        // SAFETY: `simd_ea!` checked `ea + n <= len`.
        let x = unsafe { read_le(mem.add(ea), n) };
        w2!(dst, simd::load(kind, x));
    }
    V128LoadLane { width, lane, base, offset } => {
        let n = width.bytes();
        let ea = simd_ea!(base, offset, n);
        // SAFETY: `simd_ea!` checked `ea + n <= len`.
        let x = unsafe { read_le(mem.add(ea), n) };
        w2!(base, simd::replace_lane(width, r2!(base + 1), lane, x));
    }
    V128StoreLane { width, lane, addr, val, offset } => {
        let n = width.bytes();
        let ea = simd_ea!(addr, offset, n);
        let x = simd::lane_bits(width, r2!(val), lane);
        // SAFETY: `simd_ea!` checked `ea + n <= len`.
        unsafe { write_le(mem.add(ea), n, x) };
    }
    // WebAssembly 3.0 beyond the scalar core.
    Mem { site } => {
        if let Err(c) = general_memory(cx, regs, site) {
            trap!(c);
        }
        // It may have grown (and so moved) memory 0.
        refresh_mem!();
    }
    I64Add128 { base } => {
        let (lo, hi) = num::i64_add128(r!(base), r!(base + 1), r!(base + 2), r!(base + 3));
        w!(base, lo);
        w!(base + 1, hi);
    }
    I64Sub128 { base } => {
        let (lo, hi) = num::i64_sub128(r!(base), r!(base + 1), r!(base + 2), r!(base + 3));
        w!(base, lo);
        w!(base + 1, hi);
    }
    I64MulWideS { base } => {
        let (lo, hi) = num::i64_mul_wide_s(r!(base), r!(base + 1));
        w!(base, lo);
        w!(base + 1, hi);
    }
    I64MulWideU { base } => {
        let (lo, hi) = num::i64_mul_wide_u(r!(base), r!(base + 1));
        w!(base, lo);
        w!(base + 1, hi);
    }
    CallRef { fref, base } => {
        match r!(fref) {
            0 => trap!(TrapCode::NullFunctionReference),
            f => call_handle!(f - 1, base, false),
        }
    }
    ReturnCallRef { fref, base } => {
        match r!(fref) {
            0 => trap!(TrapCode::NullFunctionReference),
            f => call_handle!(f - 1, base, true),
        }
    }
    RefAsNonNull { a } => {
        if r!(a) == 0 {
            trap!(TrapCode::NullReference);
        }
    }
    Gc { site } => {
        match gc_op(cx, site, ip) {
            GC_TRAPPED => return Exit::Trap,
            units => charge!(units),
        }
    }
    Throw { tag, base } => { return throw(ip, regs, cx, tag, base); }
    ThrowRef { a } => {
        match r!(a) {
            0 => trap!(TrapCode::NullExceptionReference),
            e => return unwind(ip, cx, (e - 1) as u32, false),
        }
    }
});

// ---------------------------------------------------------------------------------------------
// Exception handling (see `exn.rs`): nothing here runs unless an exception is thrown.

/// `throw` of the current instance's tag `tag` with the payload at `base..` of the frame.
#[cold]
#[inline(never)]
fn throw(ip: *const Instr, regs: *mut u64, cx: &mut Cx<'_>, tag: u32, base: Slot) -> Exit {
    let t = cx.inst.tags[tag as usize];
    let types = &cx.types[cx.tags[t as usize].ty as usize].params;
    let n: usize = types.iter().map(|&t| super::lower::width(t) as usize).sum();
    debug_assert!(base as usize + n <= cx.code.frame_cells as usize);
    // SAFETY: lowering put the payload in the frame's slots `base..base + n`, below
    // `frame_cells` (a `throw` pops them as a call pops its arguments), and the frame lies
    // within the stack (see `enter!`).
    let payload = unsafe { std::slice::from_raw_parts(regs.add(base as usize), n) };
    let e = cx.exns.alloc(t, types, payload);
    unwind(ip, cx, e, false)
}

/// A host function called at `ip` failed: an exception it returned is thrown from the call
/// (for a tail call, from the caller the call returns to); anything else traps.
#[cold]
#[inline(never)]
fn host_failed(ip: *const Instr, cx: &mut Cx<'_>, tail: bool) -> Exit {
    match cx.trap {
        Some(Trap::Exception(e)) if (e.0 as usize) < cx.exns.items.len() => {
            cx.trap = None;
            unwind(ip, cx, e.0, tail)
        }
        Some(Trap::Exception(_)) => {
            let t =
                Trap::Host("a host function threw an exception this store does not hold".into());
            cx.trap = Some(t);
            Exit::Trap
        }
        _ => Exit::Trap,
    }
}

/// Unwinds to the handler of exception `exn` thrown at `ip` (an op of the running function; its
/// frame is skipped if `skip`, as for a tail call's callee): the innermost `try_table` around
/// the throwing op, frame by frame outwards, whose clause catches it gets the payload (and the
/// exnref) in its label's cells and goes on there. Uncaught, it leaves as [`Trap::Exception`].
#[cold]
#[inline(never)]
#[allow(unused_macros, unused_assignments)]
fn unwind(ip: *const Instr, cx: &mut Cx<'_>, exn: u32, skip: bool) -> Exit {
    let (mut ip, mut skip) = (ip, skip);
    let tag = cx.exns.items[exn as usize].tag;
    let clause = loop {
        if !skip && !cx.code.try_regions.is_empty() {
            let pc = (ip as usize - cx.code.ops.as_ptr() as usize) / size_of::<Instr>();
            if let Some(c) = cx.code.handler(pc as u32, tag, cx.inst) {
                break c;
            }
        }
        skip = false;
        match cx.frames.pop() {
            None => {
                cx.exns.items[exn as usize].exposed = true;
                cx.trap = Some(Trap::Exception(super::ExnHandle(exn)));
                cx.trap_ip = std::ptr::null();
                return Exit::Trap;
            }
            Some(fr) => {
                cx.fp = fr.fp;
                cx.code = fr.code;
                // All of the instance: the caller's own calls read its code table.
                cx.set_instance(fr.inst);
                // The caller's call op, which is never the first op of its code.
                ip = fr.ip.wrapping_sub(1);
            }
        }
    };
    let (mem, len) = cx.mem0();
    // SAFETY: the frame at `fp` was within the stack when it was entered, and the stack only
    // grows.
    let mut regs = unsafe { cx.stack.as_mut_ptr().add(cx.fp) };
    helpers!([$] ip, regs, mem, len, cx; Indirect);
    let x = &cx.exns.items[exn as usize];
    // `catch_all` and `catch_all_ref` take no payload.
    let n = if clause.tag.is_some() {
        x.cells.len()
    } else {
        0
    };
    debug_assert!(
        clause.dst as usize + n + clause.with_ref as usize <= cx.code.frame_cells as usize
    );
    // SAFETY: lowering made the frame hold the label's cells from `dst` (`max_cells`), and they
    // are the payload's cells plus the exnref's for a `_ref` clause (validation).
    unsafe { std::ptr::copy_nonoverlapping(x.cells.as_ptr(), regs.add(clause.dst as usize), n) };
    if clause.with_ref {
        cx.exns.items[exn as usize].exposed = true;
        w!(clause.dst as usize + n, exn as u64 + 1);
    } else {
        cx.exns.caught_and_dropped(exn);
    }
    if clause.pc == RETURN_PC {
        do_return!();
    }
    let code = cx.code;
    // SAFETY: lowering patched every clause to an op of this code.
    dispatch!(
        unsafe { code.ops.as_ptr().add(clause.pc as usize) },
        regs,
        mem,
        len,
        cx
    )
}

/// A table index cell as a `usize` (an index past the address space is past every table).
#[inline(always)]
fn table_index(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Runs the general memory op `site` of the current function (see `memory.rs`) on the frame at
/// `regs`, charging its fuel.
#[inline(never)]
fn general_memory(cx: &mut Cx<'_>, regs: *mut u64, site: u32) -> Result<(), TrapCode> {
    let s = &cx.code.mem_sites[site as usize];
    debug_assert!(cx.fp + cx.code.frame_cells as usize <= cx.stack.len());
    // SAFETY: `regs` points at this frame's `frame_cells` cells, all within the stack (see
    // `enter!`), and nothing else reads or writes them during the call.
    let frame = unsafe { std::slice::from_raw_parts_mut(regs, cx.code.frame_cells as usize) };
    let mut mcx = memory::MemCtx {
        memories: cx.memories,
        inst_memories: &cx.inst.memories,
        datas: cx.datas,
        inst_datas: &cx.inst.datas,
        max_bytes: cx.limits.max_memory_bytes,
        budget: cx.budget,
    };
    let units = memory::exec(s, frame, &mut mcx)?;
    if cx.fuel_on {
        if cx.fuel_left < units {
            cx.fuel_left = 0;
            return Err(TrapCode::OutOfFuel);
        }
        cx.fuel_left -= units;
    }
    Ok(())
}

// The pairs: the most frequent ones executed by the Lua and pycryptodome programs (counted per
// op pair over whole runs), which are the address arithmetic, bit manipulation, loads and moves
// of compiled C in general, plus the counted-loop back edges (`add`/`sub` then branch).
superinstructions! {
    I32AddImm => [I32Load, I32Load8U, I64Load, I32AddImm, BrTable, Copy, Const, I32Store,
        JumpIfNonZero, JumpIfZero, BrI32Ne, BrI32NeImm, BrI32LtU, BrI32LtS, I32ShrUAndImm, Jump,
        I32Store8Imm],
    I32SubImm => [JumpIfNonZero, JumpIfZero],
    I64AddImm => [JumpIfNonZero, JumpIfZero, BrI64Ne, BrI64NeImm, I32Load],
    I32ShrUImm => [I32AndImm, I32Xor],
    I32ShrUAndImm => [I32Add, I32AddShlImm, Copy, I32ShlImm, I32AddImm],
    I32AddShlImm => [Copy, I32Load, I32Load8U, I64Load, I32ShrUAndImm, Jump, I32Store8],
    I32Load => [I32Xor, I32AddImm, I32Load, I32AndImm, I32Add, I32ShrUImm, BrI32EqImm, JumpIfZero,
        JumpIfNonZero, BrTable, I32ShrUAndImm, I32Load8U, Const, I32Store, I32Sub, I32WrapI64,
        I32RotlImm],
    I32Xor => [I32RotlImm, I32ShrUImm, I32Load, I32AndImm, I32Store8, I32Add, I32ShrUAndImm,
        I32And],
    I32AndImm => [I32AddImm, I32ShlImm, I32Add, BrI32EqImm, JumpIfNonZero, JumpIfZero, BrTable],
    I32ShlImm => [I32Add, I32AddImm],
    I32Add => [I32Xor, I32AddImm, I32Add, I32Load8U, I32ShrUImm, I32Load, I32Store, I32ShrUAndImm],
    I32RotlImm => [I32Add, I32Xor, I32RotlImm],
    Copy => [Copy, I32Load, Jump, Call, Const, I32ShrUAndImm, I32AddShlImm, Select, I32Load8U,
        I64XorImm],
    Const => [BrI32EqImm, Call, Copy, I32Load, I32Shl, I32Load8U],
    I64Xor => [I64RotlImm, I64Xor, Copy, I64Add],
    I64RotlImm => [I64Xor, I64Add, I64RotlImm, I64XorImm],
    I64And => [I64Xor],
    I64XorImm => [I64And],
    I64Load => [I64Store, I64Add, Jump],
    I64Store => [I32AddImm, I32Load8U],
    I32Store8 => [I32AddImm],
    I32Load8U => [I32AndImm, BrI32NeImm, I32ShlImm, I32Xor, I32Store8, I32Load8U, I32AddShlImm,
        BrTable, BrI32Ne, I32Add, I32AddImm],
    BrI32EqImm => [I32AddImm, I32Load],
    BrI32NeImm => [I64Load, I32Load, I32Add],
    BrI32Ne => [I32AddImm],
    I64Add => [I64Store, I64Xor, I64Add, I32AddImm],
    I32Store => [I32Store, I32Load, Copy],
    I32MulImm => [I32Add],
    I64Load32U => [BrI64GeU],
    I32WrapI64 => [I32AddShlImm],
    JumpIfNonZero => [I32AddImm, I32Load8U],
    I32And => [I32Xor, I32Add],
    I32Or => [I32ShrUAndImm],
}
