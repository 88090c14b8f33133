//! Lowering: one validated function body → register-machine [`Op`]s over frame cells.
//!
//! Lowering walks the operators once with a shadow operand stack. Each entry knows its
//! *canonical* cells (where a stack machine would keep it: above the locals, after the entries
//! below it) and where its value is now: in a cell (its canonical cells, or a local's, for a
//! `local.get` that has not been copied) or a constant not yet written anywhere. Ops then read
//! their operands where they are and write their result to the canonical cells of the entry they
//! push, or straight into a local when a `local.set` follows.
//!
//! Values move to canonical cells only where control flow needs a fixed place (block entry and
//! exit, branches, calls, bulk operands), and before a `local.set` overwrites a local that a
//! pending entry still reads. At a label all paths agree: results sit in the label's cells.
//!
//! The body was validated when the module was loaded, so lowering trusts its types and
//! structure. Unreachable code is skipped.

use wasmparser::{BlockType, FunctionBody, Operator};

use super::code::{
    BrEntry, FuncCode, NumForm, Op, RETURN_PC, Slot, load, numeric, store, wide_operands,
};
use super::gc::{Comp, Ext, GcKind, GcSite, Storage};
use super::memory::{MemKind, MemSite, mem_index};
use super::simd::{self, SimdForm};
use super::{CatchClause, ModuleInner, TrapCode, TryRegion, ValType};

/// Cells a value of `t` takes.
pub(crate) fn width(t: ValType) -> u32 {
    if t == ValType::V128 { 2 } else { 1 }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Src {
    /// The value is in the cell(s) starting here.
    Cell(Slot),
    /// A constant not yet written (one cell wide).
    Const(u64),
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    canon: Slot,
    width: u32,
    src: Src,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
}

#[derive(Debug)]
struct Ctl {
    kind: Kind,
    /// Shadow stack length below the block's parameters.
    height: usize,
    params: Vec<u32>,
    results: Vec<u32>,
    /// Canonical cell of the first parameter or result.
    base: Slot,
    /// A loop's start.
    start: u32,
    /// Forward branches to patch at the end: ops, or br_table entries.
    fixups: Vec<Fixup>,
    /// The `if`'s jump to its `else` (or end).
    if_jump: Option<usize>,
    /// Some branch targets the label (so the end is reachable).
    targeted: bool,
    /// Entered in unreachable code: nothing of it is lowered.
    dead_entry: bool,
    /// The fuel op of the enclosing region, restored after a loop.
    outer_fuel: Option<usize>,
}

#[derive(Clone, Copy, Debug)]
enum Fixup {
    Op(usize),
    Table(usize),
    /// A catch clause (by index in [`Lower::catch_clauses`]).
    Catch(usize),
}

/// What the last op was, for fusing it with the next one.
#[derive(Clone, Copy)]
enum Last {
    None,
    /// Op `at` wrote its result to the canonical cells `dst` of the top entry.
    Result {
        at: usize,
        dst: Slot,
    },
    /// Op `at` is an integer comparison into `dst`, its operands `a` and `b` (or `imm`).
    Compare {
        at: usize,
        dst: Slot,
        forms: super::code::CmpForms,
        a: Slot,
        b: Result<Slot, i32>,
    },
}

struct Lower<'m> {
    m: &'m ModuleInner,
    ops: Vec<Op>,
    br_table: Vec<BrEntry>,
    indirect: Vec<(u32, u32)>,
    shuffles: Vec<u128>,
    mem_sites: Vec<MemSite>,
    gc_sites: Vec<GcSite>,
    /// Memory 0 takes the fast ops (a 32-bit memory of 64 KiB pages).
    mem0_plain: bool,
    stack: Vec<Entry>,
    ctl: Vec<Ctl>,
    /// Cell and width of each local.
    locals: Vec<(Slot, u32)>,
    local_cells: u32,
    max_cells: u32,
    dead: bool,
    last: Last,
    fuel: bool,
    fuel_at: Option<usize>,
    /// The numeric op being lowered reads 64-bit integers.
    wide: bool,
    /// The module byte offset of the instruction being lowered.
    at: u32,
    /// See [`FuncCode::offsets`].
    offsets: Vec<u32>,
    /// See [`FuncCode::try_regions`], [`FuncCode::catch_clauses`].
    try_regions: Vec<TryRegion>,
    catch_clauses: Vec<CatchClause>,
    /// The open `try_table`s: control index, first op of the body, catch clauses.
    tries: Vec<(usize, u32, std::ops::Range<u32>)>,
}

/// Lowers the defined function `index` of `m` (validated), with fuel ops if `fuel`.
pub(crate) fn lower(m: &ModuleInner, index: u32, fuel: bool) -> FuncCode {
    let body = &m.bodies[index as usize];
    let reader = wasmparser::BinaryReader::new(&body.bytes, body.offset);
    let body = FunctionBody::new(reader);
    let ty = &m.types[m.funcs[(m.n_imported_funcs + index) as usize] as usize];
    let mut l = Lower {
        m,
        ops: Vec::new(),
        br_table: Vec::new(),
        indirect: Vec::new(),
        shuffles: Vec::new(),
        mem_sites: Vec::new(),
        gc_sites: Vec::new(),
        mem0_plain: m.memory_type(0).is_some_and(|t| t.is_plain()),
        stack: Vec::new(),
        ctl: Vec::new(),
        locals: Vec::new(),
        local_cells: 0,
        max_cells: 0,
        dead: false,
        last: Last::None,
        fuel,
        fuel_at: None,
        wide: false,
        at: 0,
        offsets: Vec::new(),
        try_regions: Vec::new(),
        catch_clauses: Vec::new(),
        tries: Vec::new(),
    };
    for &t in &ty.params {
        l.add_local(t);
    }
    let param_cells = l.local_cells;
    // Validated: the readers cannot fail; a failure would lower to a trap, never a panic.
    let Ok(locals) = body.get_locals_reader() else {
        return trap_code(param_cells);
    };
    for local in locals {
        let Ok((n, t)) = local else {
            return trap_code(param_cells);
        };
        for _ in 0..n {
            l.add_local(ValType::from_wp(t));
        }
    }
    l.max_cells = l.local_cells;
    let results = ty.results.iter().map(|&t| width(t)).collect();
    l.ctl.push(Ctl {
        kind: Kind::Func,
        height: 0,
        params: Vec::new(),
        results,
        base: 0,
        start: 0,
        fixups: Vec::new(),
        if_jump: None,
        targeted: false,
        dead_entry: false,
        outer_fuel: None,
    });
    if fuel {
        l.fuel_start();
    }
    let Ok(mut rd) = body.get_operators_reader() else {
        return trap_code(param_cells);
    };
    while !rd.eof() {
        l.at = rd.original_position() as u32;
        let Ok(op) = rd.read() else {
            return trap_code(param_cells);
        };
        l.op(&op);
    }
    // Nothing falls off the end: a sentinel, so every patched branch target is an op.
    l.ops.push(Op::Trap {
        code: TrapCode::Unreachable,
    });
    rotate_loops(&mut l.ops);
    FuncCode {
        ops: super::interp::thread(l.ops),
        br_table: l.br_table,
        indirect: l.indirect,
        shuffles: l.shuffles,
        mem_sites: l.mem_sites,
        gc_sites: l.gc_sites,
        param_cells,
        local_cells: l.local_cells,
        frame_cells: l.max_cells.max(l.local_cells + super::code::FRAME_PAD),
        offsets: l.offsets,
        try_regions: l.try_regions,
        catch_clauses: l.catch_clauses,
    }
}

/// Loops whose first op is a conditional exit (`loop { br_if $out (cond) … br $loop }`, a
/// `while` loop): the back edge `jump L` lands on `if cond goto X` where X is the op right after
/// the jump. So the jump becomes `if !cond goto L + 1`, falling through to X otherwise: one op
/// per iteration fewer. Nothing else changes (the op at L stays for the first entry), so every
/// other branch keeps its meaning.
fn rotate_loops(ops: &mut [Op]) {
    for i in 0..ops.len() {
        let Op::Jump { target } = ops[i] else {
            continue;
        };
        let head = target as usize;
        if head >= i {
            continue;
        }
        let mut exit = ops[head];
        if exit.target_mut().is_some_and(|t| *t as usize == i + 1)
            && let Some(mut back) = exit.negated_branch()
        {
            if let Some(t) = back.target_mut() {
                *t = head as u32 + 1;
            }
            ops[i] = back;
        }
    }
}

fn trap_code(param_cells: u32) -> FuncCode {
    FuncCode {
        ops: super::interp::thread(vec![Op::Trap {
            code: TrapCode::Unsupported,
        }]),
        param_cells,
        local_cells: param_cells,
        frame_cells: param_cells + super::code::FRAME_PAD,
        ..FuncCode::default()
    }
}

impl Lower<'_> {
    fn add_local(&mut self, t: ValType) {
        let w = width(t);
        self.locals.push((self.local_cells, w));
        self.local_cells += w;
    }

    fn pc(&self) -> u32 {
        self.ops.len() as u32
    }

    fn emit(&mut self, op: Op) -> usize {
        // Kept in step with `ops` even where ops are pushed or popped directly.
        self.offsets.truncate(self.ops.len());
        self.offsets.resize(self.ops.len(), self.at);
        self.offsets.push(self.at);
        self.ops.push(op);
        self.last = Last::None;
        self.ops.len() - 1
    }

    fn fuel_start(&mut self) {
        let at = self.emit(Op::Fuel { n: 0 });
        self.fuel_at = Some(at);
    }

    /// The canonical cell of the next entry pushed.
    fn next_canon(&self) -> Slot {
        self.stack
            .last()
            .map_or(self.local_cells, |e| e.canon + e.width)
    }

    fn push(&mut self, width: u32, src: Src) -> Slot {
        let canon = self.next_canon();
        self.max_cells = self.max_cells.max(canon + width);
        self.stack.push(Entry { canon, width, src });
        canon
    }

    /// Pushes an entry whose value op `at` writes to its canonical cells.
    fn push_result(&mut self, width: u32, make: impl FnOnce(Slot) -> Op) -> Slot {
        let dst = self.next_canon();
        let at = self.emit(make(dst));
        self.push(width, Src::Cell(dst));
        self.last = Last::Result { at, dst };
        dst
    }

    /// Removes the op [`Self::last_result_op`] returned: the op that consumes its result does
    /// its work.
    fn drop_last_op(&mut self) {
        self.ops.pop();
        self.last = Last::None;
    }

    /// Emits binary op `op`, fused with the op that computed its operand where a fused form
    /// exists (a bit field, a scaled index). Returns its index.
    fn emit_binary(&mut self, op: Op) -> usize {
        let fused = match (op, self.last_result_op()) {
            (Op::I32AndImm { dst, a, imm }, Some((t, Op::I32ShrUImm { a: x, imm: s, .. })))
                if a == t =>
            {
                Some(Op::I32ShrUAndImm {
                    dst,
                    a: x,
                    shift: (s & 31) as u8,
                    mask: imm,
                })
            }
            (Op::I32Add { dst, a, b }, Some((t, Op::I32ShlImm { a: x, imm: s, .. })))
                if (a == t) != (b == t) =>
            {
                Some(Op::I32AddShlImm {
                    dst,
                    a: if a == t { b } else { a },
                    b: x,
                    shift: (s & 31) as u8,
                })
            }
            _ => None,
        };
        match fused {
            Some(f) => {
                self.drop_last_op();
                self.emit(f)
            }
            None => self.emit(op),
        }
    }

    /// The last op emitted and the temporary cell it wrote, if that cell has been popped since.
    fn last_result_op(&self) -> Option<(Slot, Op)> {
        match self.last {
            Last::Result { at, dst }
                if at + 1 == self.ops.len()
                    && dst >= self.local_cells
                    && self.stack.last().is_none_or(|e| e.canon + e.width <= dst) =>
            {
                Some((dst, self.ops[at]))
            }
            _ => None,
        }
    }

    /// [`Self::push_result`] for a binary op, which may fuse with its operand's producer.
    fn push_binary(&mut self, make: impl FnOnce(Slot) -> Op) -> Slot {
        let dst = self.next_canon();
        let at = self.emit_binary(make(dst));
        self.push(1, Src::Cell(dst));
        self.last = Last::Result { at, dst };
        dst
    }

    fn pop(&mut self) -> Entry {
        self.stack.pop().expect("validated operand stack")
    }

    /// Emits the op that writes `e`'s value to the cells at `dst` (none if it is there).
    fn write_to(&mut self, dst: Slot, e: Entry) {
        match e.src {
            Src::Cell(s) if s == dst => return,
            Src::Cell(src) if e.width == 2 => self.emit(Op::Copy2 { dst, src }),
            Src::Cell(src) => self.emit(Op::Copy { dst, src }),
            Src::Const(c) => self.emit(Op::Const {
                dst,
                lo: c as u32,
                hi: (c >> 32) as u32,
            }),
        };
    }

    /// Writes entry `i` to its canonical cells.
    fn materialize(&mut self, i: usize) {
        let e = self.stack[i];
        self.write_to(e.canon, e);
        self.stack[i].src = Src::Cell(e.canon);
    }

    fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        for i in len - n..len {
            self.materialize(i);
        }
    }

    fn materialize_all(&mut self) {
        self.materialize_top(self.stack.len());
    }

    /// The cell holding a popped entry's value (a constant is first written to its canonical
    /// cell).
    fn cell_of(&mut self, e: Entry) -> Slot {
        match e.src {
            Src::Cell(s) => s,
            Src::Const(_) => {
                self.write_to(e.canon, e);
                e.canon
            }
        }
    }

    fn pop_cell(&mut self) -> Slot {
        let e = self.pop();
        self.cell_of(e)
    }

    /// Before local cells `[slot, slot + w)` are overwritten: entries still reading them get
    /// their own copy.
    fn protect_local(&mut self, slot: Slot, w: u32) {
        for i in 0..self.stack.len() {
            if let Src::Cell(s) = self.stack[i].src
                && s < self.local_cells
                && s < slot + w
                && slot < s + self.stack[i].width
            {
                self.materialize(i);
            }
        }
    }

    fn local_set(&mut self, index: u32, tee: bool) {
        let (slot, w) = self.locals[index as usize];
        let e = self.pop();
        self.protect_local(slot, w);
        // The value was just computed into its canonical cells: compute it into the local.
        let retarget = matches!(self.last_result_op(),
            Some((t, _)) if e.src == Src::Cell(t) && t == e.canon);
        if retarget && let Some(d) = self.ops.last_mut().and_then(Op::dst_mut) {
            *d = slot;
        } else {
            self.write_to(slot, e);
        }
        self.last = Last::None;
        if tee {
            self.push(w, Src::Cell(slot));
        }
    }

    fn block_type(&self, bt: BlockType) -> (Vec<u32>, Vec<u32>) {
        match bt {
            BlockType::Empty => (Vec::new(), Vec::new()),
            BlockType::Type(t) => (Vec::new(), vec![width(ValType::from_wp(t))]),
            BlockType::FuncType(i) => {
                let ft = &self.m.types[i as usize];
                (
                    ft.params.iter().map(|&t| width(t)).collect(),
                    ft.results.iter().map(|&t| width(t)).collect(),
                )
            }
        }
    }

    fn enter(&mut self, kind: Kind, bt: BlockType) {
        let (params, results) = self.block_type(bt);
        self.materialize_all();
        let height = self.stack.len() - params.len();
        let base = self
            .stack
            .get(height)
            .map_or(self.next_canon(), |e| e.canon);
        let start = self.pc();
        // The block's start may be a branch target (a loop's): no op before it may be fused
        // with one after it.
        self.last = Last::None;
        let outer_fuel = self.fuel_at;
        self.ctl.push(Ctl {
            kind,
            height,
            params,
            results,
            base,
            start,
            fixups: Vec::new(),
            if_jump: None,
            targeted: false,
            dead_entry: false,
            outer_fuel,
        });
        if kind == Kind::Loop && self.fuel {
            self.fuel_start();
        }
    }

    /// Resets the shadow stack to `height` plus `widths` values in their canonical cells.
    fn reset_stack(&mut self, height: usize, widths: &[u32]) {
        self.stack.truncate(height);
        for &w in widths {
            let c = self.next_canon();
            self.push(w, Src::Cell(c));
        }
    }

    fn patch(&mut self, fixups: Vec<Fixup>, pc: u32) {
        for f in fixups {
            match f {
                Fixup::Table(i) => self.br_table[i].pc = pc,
                Fixup::Catch(i) => self.catch_clauses[i].pc = pc,
                Fixup::Op(i) => {
                    if let Some(t) = self.ops[i].target_mut() {
                        *t = pc;
                    }
                }
            }
        }
    }

    /// The label `depth` levels out: its control index, cells and arity.
    fn label(&self, depth: u32) -> (usize, Slot, usize, u32) {
        let i = self.ctl.len() - 1 - depth as usize;
        let c = &self.ctl[i];
        let arity = if c.kind == Kind::Loop {
            &c.params
        } else {
            &c.results
        };
        (i, c.base, arity.len(), arity.iter().sum())
    }

    /// Prepares the top `n` entries for a move to a label: after
    /// this, they are in their canonical cells (so a move is one range copy), unless a single
    /// entry can be moved directly (returned as `Some`).
    fn prepare_move(&mut self, n: usize) -> Option<Entry> {
        if n == 1 {
            return Some(*self.stack.last().unwrap());
        }
        self.materialize_top(n);
        None
    }

    /// Emits the moves of the top `n` entries to `base` (after [`Self::prepare_move`]).
    fn emit_move(&mut self, single: Option<Entry>, n: usize, cells: u32, base: Slot) {
        if let Some(e) = single {
            self.write_to(base, e);
        } else if n > 0 {
            let src = self.stack[self.stack.len() - n].canon;
            if src != base {
                self.emit(Op::CopyRange {
                    dst: base,
                    src,
                    n: cells,
                });
            }
        }
    }

    /// Whether a move of the top `n` entries to `base` needs any op.
    fn needs_move(&self, n: usize, base: Slot) -> bool {
        let len = self.stack.len();
        self.stack[len - n..]
            .iter()
            .scan(base, |at, e| {
                let ok = e.src == Src::Cell(*at);
                *at += e.width;
                Some(ok)
            })
            .any(|ok| !ok)
    }

    /// Emits a return of the function's results (the top entries).
    fn emit_return(&mut self) {
        let n = self.ctl[0].results.len();
        let cells: u32 = self.ctl[0].results.iter().sum();
        if n == 1 && cells == 1 {
            let e = *self.stack.last().unwrap();
            let src = self.cell_of(e);
            self.emit(Op::Return1 { src });
        } else {
            let single = self.prepare_move(n);
            self.emit_move(single, n, cells, 0);
            self.emit(Op::Return);
        }
    }

    /// An unconditional branch to `depth`.
    fn br(&mut self, depth: u32) {
        let (i, base, n, cells) = self.label(depth);
        if i == 0 {
            self.emit_return();
            return;
        }
        let single = self.prepare_move(n);
        self.emit_move(single, n, cells, base);
        self.jump_to(i);
    }

    /// Emits a jump to label `i`'s target.
    fn jump_to(&mut self, i: usize) {
        let op = self.emit(Op::Jump { target: 0 });
        self.branch_fixup(i, Fixup::Op(op));
    }

    /// Sets the target of the branch at `site` to control `i`'s label (now, for a loop, or at
    /// its end).
    fn branch_fixup(&mut self, i: usize, site: Fixup) {
        let c = &mut self.ctl[i];
        c.targeted = true;
        if c.kind == Kind::Loop {
            let start = c.start;
            self.patch(vec![site], start);
        } else {
            c.fixups.push(site);
        }
    }

    /// Pops a condition: the last op's comparison if it computed it (the op is removed), else
    /// the cell holding it.
    fn pop_condition(&mut self) -> Result<(super::code::CmpForms, Slot, Result<Slot, i32>), Slot> {
        let e = self.pop();
        if let Last::Compare {
            at,
            dst,
            forms,
            a,
            b,
        } = self.last
            && at + 1 == self.ops.len()
            && e.src == Src::Cell(dst)
        {
            self.ops.pop();
            self.last = Last::None;
            return Ok((forms, a, b));
        }
        Err(self.cell_of(e))
    }

    /// Emits a branch to `target` (patched later) taken when the condition is `when`.
    fn cond_jump(
        &mut self,
        cond: Result<(super::code::CmpForms, Slot, Result<Slot, i32>), Slot>,
        when: bool,
    ) -> usize {
        let op = match cond {
            Ok((f, a, Ok(b))) => {
                if when {
                    (f.br)(a, b, 0)
                } else {
                    (f.br_not)(a, b, 0)
                }
            }
            Ok((f, a, Err(imm))) => {
                if when {
                    (f.br_imm)(a, imm, 0)
                } else {
                    (f.br_not_imm)(a, imm, 0)
                }
            }
            Err(c) if when => Op::JumpIfNonZero { c, target: 0 },
            Err(c) => Op::JumpIfZero { c, target: 0 },
        };
        self.emit(op)
    }

    fn br_if(&mut self, depth: u32) {
        let cond = self.pop_condition();
        self.br_cond(depth, cond, true);
    }

    /// A branch to `depth` taken when `cond` is `when`.
    fn br_cond(
        &mut self,
        depth: u32,
        cond: Result<(super::code::CmpForms, Slot, Result<Slot, i32>), Slot>,
        when: bool,
    ) {
        let (i, base, n, cells) = self.label(depth);
        if i != 0 && !self.needs_move(n, base) {
            let j = self.cond_jump(cond, when);
            self.branch_fixup(i, Fixup::Op(j));
            return;
        }
        // Values move on the taken path only: put them where both paths agree first.
        self.materialize_top(n);
        let skip = self.cond_jump(cond, !when);
        if i == 0 {
            self.emit_return();
        } else {
            self.emit_move(None, n, cells, base);
            self.jump_to(i);
        }
        let pc = self.pc();
        self.patch(vec![Fixup::Op(skip)], pc);
    }

    fn br_table(&mut self, targets: &wasmparser::BrTable<'_>) {
        let index = self.pop_cell();
        let (_, _, n, cells) = self.label(targets.default());
        self.materialize_top(n);
        let src = self
            .stack
            .get(self.stack.len() - n)
            .map_or(self.next_canon(), |e| e.canon);
        let start = self.br_table.len() as u32;
        let depths: Vec<u32> = targets
            .targets()
            .map(|t| t.expect("validated br_table"))
            .chain([targets.default()])
            .collect();
        let count = depths.len() as u32 - 1;
        if cells == 0 {
            // No values move (a C `switch`): the entries follow the op, each a jump or a
            // return, and the op goes straight to the target an entry names. An `i32.add` of
            // a constant that computed the index becomes the op's bias.
            let biased = match self.last_result_op() {
                Some((t, Op::I32AddImm { a, imm, .. })) if t == index => Some((a, imm)),
                Some((t, Op::I32SubImm { a, imm, .. })) if t == index => {
                    Some((a, imm.wrapping_neg()))
                }
                _ => None,
            };
            let (index, bias) = match biased {
                Some(b) => {
                    self.drop_last_op();
                    b
                }
                None => (index, 0),
            };
            self.emit(Op::BrTable { index, count, bias });
            for d in &depths {
                match self.label(*d).0 {
                    0 => _ = self.emit(Op::Return),
                    i => self.jump_to(i),
                }
            }
            return;
        }
        for d in &depths {
            let (i, base, _, _) = self.label(*d);
            let at = self.br_table.len();
            let dst = if i == 0 { 0 } else { base };
            self.br_table.push(BrEntry {
                pc: RETURN_PC,
                dst,
                src,
                n: cells,
            });
            if i != 0 {
                self.branch_fixup(i, Fixup::Table(at));
            }
        }
        self.emit(Op::BrTableMove {
            index,
            start,
            count,
        });
    }

    /// Arguments of a call: materialized, popped; the results pushed in their place. Returns
    /// the cell of the first argument.
    fn call_frame(&mut self, params: &[ValType]) -> Slot {
        self.materialize_top(params.len());
        let base = self
            .stack
            .get(self.stack.len() - params.len())
            .map_or(self.next_canon(), |e| e.canon);
        self.stack.truncate(self.stack.len() - params.len());
        base
    }

    fn push_results(&mut self, results: &[ValType]) {
        for &t in results {
            let c = self.next_canon();
            self.push(width(t), Src::Cell(c));
        }
    }

    fn func_type(&self, func: u32) -> &super::FuncType {
        &self.m.types[self.m.funcs[func as usize] as usize]
    }

    /// Handles the structure of unreachable code; true if `op` is skipped.
    fn skip_dead(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::Block { .. } | O::Loop { .. } | O::If { .. } | O::TryTable { .. } => {
                self.ctl.push(Ctl {
                    kind: Kind::Block,
                    height: self.stack.len(),
                    params: Vec::new(),
                    results: Vec::new(),
                    base: 0,
                    start: 0,
                    fixups: Vec::new(),
                    if_jump: None,
                    targeted: false,
                    dead_entry: true,
                    outer_fuel: None,
                });
                true
            }
            O::Else | O::End => !matches!(self.ctl.last(), Some(c) if !c.dead_entry),
            _ => true,
        }
    }

    /// Lowers an `eqz` as `eq` (the comparison `eq`) with an immediate 0.
    fn eqz(&mut self, eq: &Operator<'_>) {
        let Some(NumForm::Compare(forms)) = numeric(eq) else {
            unreachable!("eq is a comparison");
        };
        let a = self.pop_cell();
        let dst = self.push_result(1, |dst| (forms.value_imm)(dst, a, 0));
        self.last = Last::Compare {
            at: self.ops.len() - 1,
            dst,
            forms,
            a,
            b: Err(0),
        };
    }

    fn op(&mut self, op: &Operator<'_>) {
        use Operator as O;
        if self.dead && self.skip_dead(op) {
            if matches!(op, O::End)
                && let Some(c) = self.ctl.pop()
            {
                debug_assert!(c.dead_entry);
            }
            return;
        }
        if let Some(Op::Fuel { n }) = self.fuel_at.map(|i| &mut self.ops[i]) {
            *n += 1;
        }
        // `eqz` is a comparison with 0, so that it fuses into a following branch.
        match op {
            O::I32Eqz => return self.eqz(&O::I32Eq),
            O::I64Eqz => return self.eqz(&O::I64Eq),
            _ => {}
        }
        if let Some(form) = numeric(op) {
            self.wide = wide_operands(op);
            self.numeric(form);
            return;
        }
        if let Some((make, memarg)) = load(op)
            && self.fast_mem(mem_index(memarg))
        {
            let addr = self.pop_cell();
            let offset = memarg.offset as u32;
            self.push_result(1, |dst| make(dst, addr, offset));
            return;
        }
        if let Some((forms, memarg)) = store(op)
            && self.fast_mem(mem_index(memarg))
        {
            let val = self.pop();
            let offset = memarg.offset as u32;
            // A constant value whose stored bytes an `i32` immediate gives (sign-extended).
            let imm = match val.src {
                Src::Const(c) if forms.bytes < 8 || c as i32 as i64 as u64 == c => Some(c as i32),
                _ => None,
            };
            if let Some(imm) = imm {
                let addr = self.pop_cell();
                self.emit((forms.imm)(addr, imm, offset));
            } else {
                let val = self.cell_of(val);
                let addr = self.pop_cell();
                self.emit((forms.reg)(addr, val, offset));
            }
            return;
        }
        if let Some((kind, memarg, atomic)) = super::memory::access(op) {
            self.mem_general(kind, mem_index(memarg), memarg.offset, atomic);
            return;
        }
        match *op {
            O::Nop | O::I32ReinterpretF32 | O::F32ReinterpretI32 => {}
            O::I64ReinterpretF64 | O::F64ReinterpretI64 => {}
            O::Unreachable => {
                self.emit(Op::Trap {
                    code: TrapCode::Unreachable,
                });
                self.dead = true;
            }
            O::Block { blockty } => self.enter(Kind::Block, blockty),
            O::Loop { blockty } => self.enter(Kind::Loop, blockty),
            O::If { blockty } => {
                let cond = self.pop_condition();
                self.enter(Kind::If, blockty);
                // `enter` may have emitted copies after a fused comparison: its operands are
                // above every materialized entry, so they are intact.
                let j = self.cond_jump(cond, false);
                self.ctl.last_mut().unwrap().if_jump = Some(j);
            }
            O::Else => {
                let c = self.ctl.last().unwrap();
                let (height, params) = (c.height, c.params.clone());
                if !self.dead {
                    let n = c.results.len();
                    self.materialize_top(n);
                    let j = self.emit(Op::Jump { target: 0 });
                    let c = self.ctl.last_mut().unwrap();
                    c.fixups.push(Fixup::Op(j));
                    c.targeted = true;
                }
                let pc = self.pc();
                let c = self.ctl.last_mut().unwrap();
                c.kind = Kind::Block;
                if let Some(j) = c.if_jump.take() {
                    self.patch(vec![Fixup::Op(j)], pc);
                }
                self.dead = false;
                self.last = Last::None;
                self.reset_stack(height, &params);
            }
            O::End => self.end(),
            O::Br { relative_depth } => {
                self.br(relative_depth);
                self.dead = true;
            }
            O::BrIf { relative_depth } => self.br_if(relative_depth),
            O::BrTable { ref targets } => {
                self.br_table(targets);
                self.dead = true;
            }
            O::Return => {
                self.emit_return();
                self.dead = true;
            }
            O::Call { function_index } | O::ReturnCall { function_index } => {
                let tail = matches!(op, O::ReturnCall { .. });
                let ft = self.func_type(function_index).clone();
                let base = self.call_frame(&ft.params);
                let imported = function_index < self.m.n_imported_funcs;
                let func = if imported {
                    function_index
                } else {
                    function_index - self.m.n_imported_funcs
                };
                self.emit(match (tail, imported) {
                    (false, false) => Op::Call { func, base },
                    (false, true) => Op::CallImport { func, base },
                    (true, false) => Op::ReturnCall { func, base },
                    (true, true) => Op::ReturnCallImport { func, base },
                });
                if tail {
                    self.dead = true;
                } else {
                    self.push_results(&ft.results);
                }
            }
            O::CallIndirect {
                type_index,
                table_index,
            }
            | O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                let tail = matches!(op, O::ReturnCallIndirect { .. });
                let index = self.pop_cell();
                let ft = self.m.types[type_index as usize].clone();
                let base = self.call_frame(&ft.params);
                let site = self.indirect.len() as u32;
                self.indirect.push((type_index, table_index));
                if tail {
                    self.emit(Op::ReturnCallIndirect { index, base, site });
                    self.dead = true;
                } else {
                    self.emit(Op::CallIndirect { index, base, site });
                    self.push_results(&ft.results);
                }
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let c = self.pop_cell();
                let b = self.pop();
                let b = self.cell_of(b);
                let len = self.stack.len();
                self.materialize(len - 1);
                let a = self.stack[len - 1];
                self.emit(if a.width == 2 {
                    Op::Select2 { dst: a.canon, b, c }
                } else {
                    Op::Select { dst: a.canon, b, c }
                });
            }
            O::LocalGet { local_index } => {
                let (slot, w) = self.locals[local_index as usize];
                self.push(w, Src::Cell(slot));
            }
            O::LocalSet { local_index } => self.local_set(local_index, false),
            O::LocalTee { local_index } => self.local_set(local_index, true),
            O::GlobalGet { global_index } => {
                let w = width(self.m.global_type(global_index));
                let stack = self.m.stack_globals[0] == Some(global_index);
                self.push_result(w, |dst| {
                    if w == 2 {
                        Op::GlobalGet2 {
                            dst,
                            global: global_index,
                        }
                    } else if stack {
                        Op::GlobalGetStack { dst }
                    } else {
                        Op::GlobalGet {
                            dst,
                            global: global_index,
                        }
                    }
                });
            }
            O::GlobalSet { global_index } => {
                let w = width(self.m.global_type(global_index));
                let src = self.pop_cell();
                self.emit(if w == 2 {
                    Op::GlobalSet2 {
                        src,
                        global: global_index,
                    }
                } else if self.m.stack_globals[0] == Some(global_index) {
                    Op::GlobalSetGuarded {
                        src,
                        global: global_index,
                    }
                } else {
                    Op::GlobalSet {
                        src,
                        global: global_index,
                    }
                });
            }
            O::I32Const { value } => {
                self.push(1, Src::Const(value as u32 as u64));
            }
            O::I64Const { value } => {
                self.push(1, Src::Const(value as u64));
            }
            O::F32Const { value } => {
                self.push(1, Src::Const(value.bits() as u64));
            }
            O::F64Const { value } => {
                self.push(1, Src::Const(value.bits()));
            }
            O::RefNull { .. } => {
                self.push(1, Src::Const(0));
            }
            O::RefFunc { function_index } => {
                self.push_result(1, |dst| Op::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            O::V128Const { value } => {
                let v = u128::from_le_bytes(*value.bytes());
                let dst = self.next_canon();
                for (k, half) in [v as u64, (v >> 64) as u64].into_iter().enumerate() {
                    self.emit(Op::Const {
                        dst: dst + k as u32,
                        lo: half as u32,
                        hi: (half >> 32) as u32,
                    });
                }
                self.push(2, Src::Cell(dst));
            }
            O::V128Load { memarg } if !self.fast_mem(mem_index(&memarg)) => {
                self.mem_general(MemKind::Load128, mem_index(&memarg), memarg.offset, false);
            }
            O::V128Store { memarg } if !self.fast_mem(mem_index(&memarg)) => {
                self.mem_general(MemKind::Store128, mem_index(&memarg), memarg.offset, false);
            }
            O::MemorySize { mem } if !self.fast_mem(mem) => {
                self.mem_general(MemKind::Size, mem, 0, false);
            }
            O::MemoryGrow { mem } if !self.fast_mem(mem) => {
                self.mem_general(MemKind::Grow, mem, 0, false);
            }
            O::MemoryFill { mem } if !self.fast_mem(mem) => {
                self.mem_general(MemKind::Fill, mem, 0, false);
            }
            O::MemoryCopy { dst_mem, src_mem } if !self.fast_mem(dst_mem) || src_mem != 0 => {
                self.mem_general(MemKind::Copy { src: src_mem }, dst_mem, 0, false);
            }
            O::MemoryInit { data_index, mem } if !self.fast_mem(mem) => {
                self.mem_general(MemKind::Init { seg: data_index }, mem, 0, false);
            }
            O::AtomicFence { .. } => {}
            O::I64Add128 => self.wide(4, |base| Op::I64Add128 { base }),
            O::I64Sub128 => self.wide(4, |base| Op::I64Sub128 { base }),
            O::I64MulWideS => self.wide(2, |base| Op::I64MulWideS { base }),
            O::I64MulWideU => self.wide(2, |base| Op::I64MulWideU { base }),
            O::CallRef { type_index } | O::ReturnCallRef { type_index } => {
                let tail = matches!(op, O::ReturnCallRef { .. });
                let fref = self.pop_cell();
                let ft = self.m.types[type_index as usize].clone();
                let base = self.call_frame(&ft.params);
                if tail {
                    self.emit(Op::ReturnCallRef { fref, base });
                    self.dead = true;
                } else {
                    self.emit(Op::CallRef { fref, base });
                    self.push_results(&ft.results);
                }
            }
            O::TryTable { ref try_table } => self.try_table(try_table),
            O::Throw { tag_index } => {
                let ty = self.m.tags[tag_index as usize];
                let params = self.m.types[ty as usize].params.clone();
                let base = self.call_frame(&params);
                self.emit(Op::Throw {
                    tag: tag_index,
                    base,
                });
                self.dead = true;
            }
            O::ThrowRef => {
                let a = self.pop_cell();
                self.emit(Op::ThrowRef { a });
                self.dead = true;
            }
            O::RefAsNonNull => {
                let a = self.pop_cell();
                self.emit(Op::RefAsNonNull { a });
                self.push(1, Src::Cell(a));
            }
            O::BrOnNull { relative_depth } => {
                // Taken with the operands below the reference; otherwise the reference stays.
                let null = self.is_null_of_top();
                let r = self.pop();
                self.br_cond(relative_depth, Err(null), true);
                self.push(1, r.src);
            }
            O::BrOnNonNull { relative_depth } => {
                // Taken with the reference as the label's last operand; otherwise it is dropped.
                let null = self.is_null_of_top();
                self.br_cond(relative_depth, Err(null), false);
                self.pop();
            }
            O::V128Load { memarg } => {
                let addr = self.pop_cell();
                let offset = memarg.offset as u32;
                self.push_result(2, |dst| Op::V128Load { dst, addr, offset });
            }
            O::V128Store { memarg } => {
                let val = self.pop_cell();
                let addr = self.pop_cell();
                self.emit(Op::V128Store {
                    addr,
                    val,
                    offset: memarg.offset as u32,
                });
            }
            O::MemorySize { .. } => {
                self.push_result(1, |dst| Op::MemorySize { dst });
            }
            O::MemoryGrow { .. } => {
                let delta = self.pop_cell();
                self.push_result(1, |dst| Op::MemoryGrow { dst, delta });
            }
            O::MemoryFill { .. } => {
                let base = self.bulk_operands(3);
                self.emit(Op::MemoryFill { base });
            }
            O::MemoryCopy { .. } => {
                let base = self.bulk_operands(3);
                self.emit(Op::MemoryCopy { base });
            }
            O::MemoryInit { data_index, .. } => {
                let base = self.bulk_operands(3);
                self.emit(Op::MemoryInit {
                    seg: data_index,
                    base,
                });
            }
            O::DataDrop { data_index } => {
                self.emit(Op::DataDrop { seg: data_index });
            }
            O::TableGet { table } => {
                let index = self.pop_cell();
                self.push_result(1, |dst| Op::TableGet { dst, index, table });
            }
            O::TableSet { table } => {
                let val = self.pop_cell();
                let index = self.pop_cell();
                self.emit(Op::TableSet { table, index, val });
            }
            O::TableSize { table } => {
                self.push_result(1, |dst| Op::TableSize { dst, table });
            }
            O::TableGrow { table } => {
                let base = self.bulk_operands(2);
                self.emit(Op::TableGrow { table, base });
                self.push(1, Src::Cell(base));
            }
            O::TableFill { table } => {
                let base = self.bulk_operands(3);
                self.emit(Op::TableFill { table, base });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let base = self.bulk_operands(3);
                self.emit(Op::TableCopy {
                    dst: dst_table,
                    src: src_table,
                    base,
                });
            }
            O::TableInit { elem_index, table } => {
                let base = self.bulk_operands(3);
                self.emit(Op::TableInit {
                    elem: elem_index,
                    table,
                    base,
                });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Op::ElemDrop { seg: elem_index });
            }
            _ if self.gc(op) => {}
            _ => match simd::form(op) {
                Some(form) => self.simd(form),
                None => self.unsupported(),
            },
        }
    }

    /// An operator that validates but that this interpreter does not execute: it traps, so the
    /// rest of the block is unreachable.
    fn unsupported(&mut self) {
        self.emit(Op::Trap {
            code: TrapCode::Unsupported,
        });
        self.dead = true;
    }

    /// Whether memory `mem` takes the fast memory-0 ops.
    fn fast_mem(&self, mem: u32) -> bool {
        mem == 0 && self.mem0_plain
    }

    /// A general memory instruction ([`Op::Mem`]): pops its operands, pushes its result.
    fn mem_general(&mut self, kind: MemKind, mem: u32, offset: u64, atomic: bool) {
        let (inputs, result_cells) = match kind {
            MemKind::Load { .. } | MemKind::Grow => (1, 1),
            MemKind::Load128 => (1, 2),
            MemKind::Store { .. } | MemKind::Store128 => (2, 0),
            MemKind::Rmw { .. } | MemKind::Notify => (2, 1),
            MemKind::Cmpxchg { .. } | MemKind::Wait { .. } => (3, 1),
            MemKind::Size => (0, 1),
            MemKind::Fill | MemKind::Copy { .. } | MemKind::Init { .. } => (3, 0),
        };
        let mut slots = [0; 3];
        for k in (0..inputs).rev() {
            slots[k] = self.pop_cell();
        }
        // The result may take the first operand's cell: the op reads every operand first.
        let dst = self.next_canon();
        let site = self.mem_sites.len() as u32;
        self.mem_sites.push(MemSite {
            kind,
            mem,
            offset,
            atomic,
            a: slots[0],
            b: slots[1],
            c: slots[2],
            dst,
        });
        self.emit(Op::Mem { site });
        if result_cells > 0 {
            self.push(result_cells, Src::Cell(dst));
        }
    }

    /// Wide arithmetic: `n` i64 operands in place, two i64 results in their first two cells.
    fn wide(&mut self, n: usize, make: fn(Slot) -> Op) {
        let base = self.bulk_operands(n);
        self.emit(make(base));
        self.push(1, Src::Cell(base));
        self.push(1, Src::Cell(base + 1));
    }

    /// Computes whether the top entry (a reference, left on the stack in a cell) is null, into
    /// a cell above it; returns that cell.
    fn is_null_of_top(&mut self) -> Slot {
        let i = self.stack.len() - 1;
        let e = self.stack[i];
        let a = self.cell_of(e);
        self.stack[i].src = Src::Cell(a);
        let null = self.push_result(1, |dst| Op::RefIsNull { dst, a });
        self.pop();
        null
    }

    /// The top `n` one-cell operands in their canonical cells, popped; their first cell.
    fn bulk_operands(&mut self, n: usize) -> Slot {
        self.materialize_top(n);
        let base = self.stack[self.stack.len() - n].canon;
        self.stack.truncate(self.stack.len() - n);
        base
    }

    fn numeric(&mut self, form: NumForm) {
        match form {
            NumForm::Unary(make) => {
                let a = self.pop_cell();
                self.push_result(1, |dst| make(dst, a));
            }
            NumForm::Binary(reg, imm) => {
                let (a, b) = self.binary_operands(imm.is_some(), |_| true);
                match (b, imm) {
                    (Err(i), Some(imm)) => self.push_binary(|dst| imm(dst, a, i)),
                    (Ok(b), _) => self.push_binary(|dst| reg(dst, a, b)),
                    (Err(_), None) => unreachable!("immediates only where a form exists"),
                };
            }
            NumForm::DivRem(reg, imm) => {
                // An immediate divisor of 0 or -1 keeps the trapping register form.
                let (a, b) = self.binary_operands(true, |c| c != 0 && c != -1);
                match b {
                    Err(i) => self.push_result(1, |dst| imm(dst, a, i)),
                    Ok(b) => self.push_result(1, |dst| reg(dst, a, b)),
                };
            }
            NumForm::Compare(forms) => {
                let (a, b) = self.binary_operands(true, |_| true);
                let dst = match b {
                    Err(i) => self.push_result(1, |dst| (forms.value_imm)(dst, a, i)),
                    Ok(b) => self.push_result(1, |dst| (forms.value)(dst, a, b)),
                };
                self.last = Last::Compare {
                    at: self.ops.len() - 1,
                    dst,
                    forms,
                    a,
                    b,
                };
            }
        }
    }

    /// Pops two operands: the left one's cell, and the right one's cell or (if `imm` and the
    /// right one is a constant that fits an `i32` and satisfies `ok`) its immediate.
    fn binary_operands(
        &mut self,
        imm: bool,
        ok: impl Fn(i32) -> bool,
    ) -> (Slot, Result<Slot, i32>) {
        let b = self.pop();
        let b = match b.src {
            Src::Const(c) if imm && self.fits_imm(c) && ok(c as i32) => Err(c as i32),
            _ => Ok(self.cell_of(b)),
        };
        let a = self.pop_cell();
        (a, b)
    }

    /// Whether constant `c` (an i32 zero-extended, or an i64) is its own `i32` immediate. An
    /// i32 constant `c` is read back as `c as i32` sign-extended to the operand type, which
    /// for an i32 operand gives `c` again; an i64 constant fits if it is a sign-extended i32.
    fn fits_imm(&self, c: u64) -> bool {
        c as i32 as i64 as u64 == c || (!self.wide && c >> 32 == 0)
    }

    /// A `try_table`: a block whose body's ops are a [`TryRegion`]. Each catch clause's label is
    /// resolved outside the `try_table` (label 0 is the block around it); the clause is a
    /// branch target patched like a branch to that label, and its values go to the label's
    /// cells. Entering the block puts every operand in its canonical cells, where the label's
    /// code expects the values below its own.
    fn try_table(&mut self, t: &wasmparser::TryTable) {
        use wasmparser::Catch;
        let first = self.catch_clauses.len() as u32;
        for c in &t.catches {
            let (tag, with_ref, label) = match *c {
                Catch::One { tag, label } => (Some(tag), false, label),
                Catch::OneRef { tag, label } => (Some(tag), true, label),
                Catch::All { label } => (None, false, label),
                Catch::AllRef { label } => (None, true, label),
            };
            let (i, base, _, cells) = self.label(label);
            let dst = if i == 0 { 0 } else { base };
            self.max_cells = self.max_cells.max(dst + cells);
            let k = self.catch_clauses.len();
            self.catch_clauses.push(CatchClause {
                tag,
                with_ref,
                dst,
                pc: RETURN_PC,
            });
            if i != 0 {
                self.branch_fixup(i, Fixup::Catch(k));
            }
        }
        self.enter(Kind::Block, t.ty);
        // No comparison before the body fuses into a branch inside it.
        self.last = Last::None;
        let start = self.pc();
        let clauses = first..self.catch_clauses.len() as u32;
        self.tries.push((self.ctl.len() - 1, start, clauses));
    }

    fn end(&mut self) {
        if self.tries.last().is_some_and(|t| t.0 == self.ctl.len() - 1)
            && let Some((_, start, clauses)) = self.tries.pop()
        {
            self.try_regions.push(TryRegion {
                start,
                end: self.pc(),
                clauses,
            });
        }
        let c = self.ctl.last().unwrap();
        let live = !self.dead;
        if c.kind == Kind::Func {
            if live {
                self.emit_return();
            }
            let c = self.ctl.pop().unwrap();
            let pc = self.pc();
            self.patch(c.fixups, pc);
            // Branches to the function's label were lowered as returns.
            return;
        }
        if live {
            let n = c.results.len();
            self.materialize_top(n);
        }
        let c = self.ctl.pop().unwrap();
        let pc = self.pc();
        self.patch(c.fixups, pc);
        let mut reachable = live || c.targeted;
        if let Some(j) = c.if_jump {
            // An `if` without `else`: the false path falls through to here.
            self.patch(vec![Fixup::Op(j)], pc);
            reachable = true;
        }
        if c.kind == Kind::Loop {
            self.fuel_at = c.outer_fuel;
        }
        self.last = Last::None;
        self.dead = !reachable;
        self.reset_stack(c.height, &c.results);
    }
}

// ---------------------------------------------------------------------------------------------
// SIMD

impl Lower<'_> {
    /// Lowers a SIMD operator (`simd.rs` gives its family). Ops whose operands must be adjacent
    /// (ternary, shuffle, lane loads) take them in their canonical cells and compute in place.
    fn simd(&mut self, form: SimdForm<'_>) {
        use SimdForm as F;
        match form {
            F::Unary(kind) => {
                let src = self.pop_cell();
                self.push_result(2, |dst| Op::V128Unary { kind, dst, src });
            }
            F::Binary(kind) => {
                let rhs = self.pop_cell();
                let lhs = self.pop_cell();
                self.push_result(2, |dst| Op::V128Binary {
                    kind,
                    dst,
                    lhs,
                    rhs,
                });
            }
            F::Ternary(kind) => {
                let base = self.bulk_operands(3);
                self.emit(Op::V128Ternary { kind, base });
                self.push(2, Src::Cell(base));
            }
            F::Test(kind) => {
                let src = self.pop_cell();
                self.push_result(1, |dst| Op::V128Test { kind, dst, src });
            }
            F::Shift(kind) => {
                let rhs = self.pop_cell();
                let lhs = self.pop_cell();
                self.push_result(2, |dst| Op::V128Shift {
                    kind,
                    dst,
                    lhs,
                    rhs,
                });
            }
            F::Splat(width) => {
                let src = self.pop_cell();
                self.push_result(2, |dst| Op::V128Splat { width, dst, src });
            }
            F::Extract(kind, lane) => {
                let src = self.pop_cell();
                self.push_result(1, |dst| Op::V128Extract {
                    kind,
                    lane,
                    dst,
                    src,
                });
            }
            F::Replace(width, lane) => {
                let val = self.pop_cell();
                let vec = self.pop_cell();
                self.push_result(2, |dst| Op::V128Replace {
                    width,
                    lane,
                    dst,
                    vec,
                    val,
                });
            }
            F::Shuffle(lanes) => {
                let base = self.bulk_operands(2);
                let at = self.shuffles.len() as u32;
                self.shuffles.push(u128::from_le_bytes(lanes));
                self.emit(Op::V128Shuffle { base, lanes: at });
                self.push(2, Src::Cell(base));
            }
            // A plain memory 0 only (32-bit, 64 KiB pages): a SIMD access to another memory, or
            // to a 64-bit or custom-page memory, traps as unsupported.
            F::Load(..) | F::LoadLane(..) | F::StoreLane(..)
                if !on_memory0(form) || !self.mem0_plain =>
            {
                self.unsupported()
            }
            F::Load(kind, memarg) => {
                let addr = self.pop_cell();
                let offset = memarg.offset as u32;
                self.push_result(2, |dst| Op::V128LoadExt {
                    kind,
                    dst,
                    addr,
                    offset,
                });
            }
            F::LoadLane(width, lane, memarg) => {
                let base = self.bulk_operands(2);
                self.emit(Op::V128LoadLane {
                    width,
                    lane,
                    base,
                    offset: memarg.offset as u32,
                });
                self.push(2, Src::Cell(base));
            }
            F::StoreLane(width, lane, memarg) => {
                let val = self.pop_cell();
                let addr = self.pop_cell();
                self.emit(Op::V128StoreLane {
                    width,
                    lane,
                    addr,
                    val,
                    offset: memarg.offset as u32,
                });
            }
        }
    }
}

/// Whether a SIMD load or store accesses memory 0 (true for the other forms).
fn on_memory0(form: SimdForm<'_>) -> bool {
    match form {
        SimdForm::Load(_, m) | SimdForm::LoadLane(_, _, m) | SimdForm::StoreLane(_, _, m) => {
            m.target == wasmparser::MemArgTarget::Memory(0)
        }
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------------
// GC

/// A heap type as a module declares it.
fn heap_ty(h: wasmparser::HeapType) -> super::HeapTy {
    match h {
        wasmparser::HeapType::Abstract { ty, .. } => super::HeapTy::Abstract(ty),
        wasmparser::HeapType::Concrete(i) | wasmparser::HeapType::Exact(i) => {
            super::HeapTy::Concrete(i.as_module_index().unwrap_or(u32::MAX))
        }
    }
}

impl Lower<'_> {
    fn gc_site(&mut self, kind: GcKind, a: Slot, dst: Slot) {
        let site = self.gc_sites.len() as u32;
        self.gc_sites.push(GcSite { kind, a, dst });
        self.emit(Op::Gc { site });
    }

    /// The fields of struct type `ty`: how many, and their cells.
    fn struct_fields(&self, ty: u32) -> Vec<u32> {
        match self.m.def_types.get(ty as usize).map(|d| &d.comp) {
            Some(Comp::Struct(fs)) => fs.iter().map(|f| storage_width(f.storage)).collect(),
            _ => Vec::new(),
        }
    }

    /// Cells of an element of array type `ty`.
    fn elem_width(&self, ty: u32) -> u32 {
        match self.m.def_types.get(ty as usize).map(|d| &d.comp) {
            Some(Comp::Array(f)) => storage_width(f.storage),
            _ => 1,
        }
    }

    /// Computes whether the top entry (a reference, left on the stack in a cell) is of type
    /// `target`, into a cell above it; returns that cell.
    fn cast_test_of_top(&mut self, target: super::RefTy) -> Slot {
        let i = self.stack.len() - 1;
        let e = self.stack[i];
        let a = self.cell_of(e);
        self.stack[i].src = Src::Cell(a);
        let dst = self.next_canon();
        self.max_cells = self.max_cells.max(dst + 1);
        self.gc_site(GcKind::RefTest { target }, a, dst);
        dst
    }

    /// Lowers a GC instruction; false if `op` is none. Instructions of several operands take
    /// them in their canonical cells and leave their result in the first one; `ref.cast` leaves
    /// the reference where it is.
    fn gc(&mut self, op: &Operator<'_>) -> bool {
        use GcKind as K;
        use Operator as O;
        let (kind, n, result) = match *op {
            O::StructNew {
                struct_type_index: ty,
            } => (K::StructNew { ty }, self.struct_fields(ty).len(), 1),
            O::StructNewDefault {
                struct_type_index: ty,
            } => (K::StructNewDefault { ty }, 0, 1),
            O::StructSet {
                struct_type_index: ty,
                field_index: field,
            } => (K::StructSet { ty, field }, 2, 0),
            O::ArrayNew {
                array_type_index: ty,
            } => (K::ArrayNew { ty }, 2, 1),
            O::ArrayNewDefault {
                array_type_index: ty,
            } => (K::ArrayNewDefault { ty }, 1, 1),
            O::ArrayNewFixed {
                array_type_index: ty,
                array_size: n,
            } => (K::ArrayNewFixed { ty, n }, n as usize, 1),
            O::ArrayNewData {
                array_type_index: ty,
                array_data_index: seg,
            } => (K::ArrayNewData { ty, seg }, 2, 1),
            O::ArrayNewElem {
                array_type_index: ty,
                array_elem_index: seg,
            } => (K::ArrayNewElem { ty, seg }, 2, 1),
            O::ArrayGet {
                array_type_index: ty,
            } => {
                let ext = Ext::None;
                (K::ArrayGet { ty, ext }, 2, self.elem_width(ty))
            }
            O::ArrayGetS {
                array_type_index: ty,
            } => (K::ArrayGet { ty, ext: Ext::S }, 2, 1),
            O::ArrayGetU {
                array_type_index: ty,
            } => (K::ArrayGet { ty, ext: Ext::U }, 2, 1),
            O::ArraySet {
                array_type_index: ty,
            } => (K::ArraySet { ty }, 3, 0),
            O::ArrayFill {
                array_type_index: ty,
            } => (K::ArrayFill { ty }, 4, 0),
            O::ArrayCopy {
                array_type_index_dst: dst_ty,
                ..
            } => (K::ArrayCopy { dst_ty }, 5, 0),
            O::ArrayInitData {
                array_type_index: ty,
                array_data_index: seg,
            } => (K::ArrayInitData { ty, seg }, 4, 0),
            O::ArrayInitElem {
                array_elem_index: seg,
                ..
            } => (K::ArrayInitElem { seg }, 4, 0),
            O::StructGet {
                struct_type_index: ty,
                field_index: field,
            }
            | O::StructGetS {
                struct_type_index: ty,
                field_index: field,
            }
            | O::StructGetU {
                struct_type_index: ty,
                field_index: field,
            } => {
                let ext = match op {
                    O::StructGetS { .. } => Ext::S,
                    O::StructGetU { .. } => Ext::U,
                    _ => Ext::None,
                };
                let w = self.struct_fields(ty).get(field as usize).copied();
                self.gc_unary(K::StructGet { ty, field, ext }, w.unwrap_or(1));
                return true;
            }
            O::ArrayLen => return self.gc_unary(K::ArrayLen, 1),
            O::RefI31 => return self.gc_unary(K::RefI31, 1),
            O::I31GetS => return self.gc_unary(K::I31Get { signed: true }, 1),
            O::I31GetU => return self.gc_unary(K::I31Get { signed: false }, 1),
            O::RefTestNonNull { hty } | O::RefTestNullable { hty } => {
                let nullable = matches!(op, O::RefTestNullable { .. });
                let target = super::RefTy {
                    nullable,
                    heap: heap_ty(hty),
                };
                return self.gc_unary(K::RefTest { target }, 1);
            }
            O::RefCastNonNull { hty } | O::RefCastNullable { hty } => {
                let nullable = matches!(op, O::RefCastNullable { .. });
                let target = super::RefTy {
                    nullable,
                    heap: heap_ty(hty),
                };
                let a = self.pop_cell();
                self.gc_site(K::RefCast { target }, a, a);
                self.push(1, Src::Cell(a));
                return true;
            }
            // Cells are equal exactly when the references are (i31s by value).
            O::RefEq => {
                self.wide = true;
                if let Some(form) = numeric(&O::I64Eq) {
                    self.numeric(form);
                }
                return true;
            }
            // The identity on cells (see `gc.rs`).
            O::AnyConvertExtern | O::ExternConvertAny => return true,
            O::BrOnCast {
                relative_depth,
                to_ref_type,
                ..
            }
            | O::BrOnCastFail {
                relative_depth,
                to_ref_type,
                ..
            } => {
                // Taken with the reference as the label's last operand; otherwise it stays.
                let target = super::RefTy::from_wp(to_ref_type);
                let t = self.cast_test_of_top(target);
                let when = matches!(op, O::BrOnCast { .. });
                self.br_cond(relative_depth, Err(t), when);
                return true;
            }
            _ => return false,
        };
        let a = if n == 0 {
            self.next_canon()
        } else {
            self.bulk_operands(n)
        };
        self.gc_site(kind, a, a);
        if result > 0 {
            let at = self.push(result, Src::Cell(a));
            debug_assert_eq!(at, a);
        }
        true
    }

    /// A GC instruction of one operand and a result of `width` cells.
    fn gc_unary(&mut self, kind: GcKind, width: u32) -> bool {
        let a = self.pop_cell();
        let dst = self.next_canon();
        self.gc_site(kind, a, dst);
        self.push(width, Src::Cell(dst));
        true
    }
}

/// Cells of a field of storage type `s`.
fn storage_width(s: Storage) -> u32 {
    match s {
        Storage::Val(super::FullType::Num(t)) => width(t),
        _ => 1,
    }
}
