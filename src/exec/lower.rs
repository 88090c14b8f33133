//! Lowering: one validated function body → flat [`Op`] code with branch targets, stack heights and
//! keep counts resolved. Runs interleaved with wasmparser's function validator, whose operand and
//! control stacks give the heights.

use wasmparser::{
    BinaryReaderError, BlockType, FrameKind, FuncValidator, FunctionBody, Operator,
    OperatorsReader, ValidatorResources,
};

use super::{FuncType, classify};
use crate::error::Error;

/// A resolved branch: continue at `pc`, keeping the top `keep` slots at `height` (relative to the
/// frame base) and dropping everything between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BrTarget {
    pub pc: u32,
    pub height: u32,
    pub keep: u32,
}

macro_rules! ops {
    (simple: [$($s:ident)*] other: { $($o:tt)* }) => {
        /// One lowered instruction.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Op {
            $($s,)*
            $($o)*
        }
        fn simple(op: &Operator<'_>) -> Option<Op> {
            match op {
                $(Operator::$s => Some(Op::$s),)*
                _ => None,
            }
        }
    };
}

ops! {
    simple: [
        Unreachable Drop Select RefIsNull
        I32Eqz I32Eq I32Ne I32LtS I32LtU I32GtS I32GtU I32LeS I32LeU I32GeS I32GeU
        I64Eqz I64Eq I64Ne I64LtS I64LtU I64GtS I64GtU I64LeS I64LeU I64GeS I64GeU
        F32Eq F32Ne F32Lt F32Gt F32Le F32Ge F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
        I32Clz I32Ctz I32Popcnt I32Add I32Sub I32Mul I32DivS I32DivU I32RemS I32RemU
        I32And I32Or I32Xor I32Shl I32ShrS I32ShrU I32Rotl I32Rotr
        I64Clz I64Ctz I64Popcnt I64Add I64Sub I64Mul I64DivS I64DivU I64RemS I64RemU
        I64And I64Or I64Xor I64Shl I64ShrS I64ShrU I64Rotl I64Rotr
        F32Abs F32Neg F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt
        F32Add F32Sub F32Mul F32Div F32Min F32Max F32Copysign
        F64Abs F64Neg F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt
        F64Add F64Sub F64Mul F64Div F64Min F64Max F64Copysign
        I32WrapI64 I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
        I64ExtendI32S I64ExtendI32U I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U
        F32ConvertI32S F32ConvertI32U F32ConvertI64S F32ConvertI64U F32DemoteF64
        F64ConvertI32S F64ConvertI32U F64ConvertI64S F64ConvertI64U F64PromoteF32
        I32Extend8S I32Extend16S I64Extend8S I64Extend16S I64Extend32S
        I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
        I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U
    ]
    other: {
        /// Charge this many units of fuel: at function entry and loop headers, one unit per instruction up
        /// to the next loop header or the end of the enclosing loop (skipped branches are charged too).
        Fuel(u32),
        /// A constant (any type, as a slot).
        Const(u64),
        Jump(u32),
        /// Pops a condition; jumps if it is zero.
        JumpIfZero(u32),
        /// Pops a condition; jumps if it is non-zero.
        JumpIfNonZero(u32),
        /// Pops two integers; jumps if `cmp` holds.
        JumpIfCmp { cmp: Cmp, target: u32 },
        Br(BrTarget),
        BrIf(BrTarget),
        /// Pops an index into the function's branch table `start..start + len` (the last entry, at
        /// `start + len`, is the default).
        BrTable { start: u32, len: u32 },
        Return,
        /// Call function `index` of the instance (an import, or through the store).
        Call(u32),
        /// Call the defined function `index` (excluding imports) of the current instance.
        CallInternal(u32),
        CallIndirect { ty: u32, table: u32 },
        ReturnCall(u32),
        ReturnCallInternal(u32),
        ReturnCallIndirect { ty: u32, table: u32 },
        LocalGet(u32),
        LocalSet(u32),
        LocalTee(u32),
        GlobalGet(u32),
        GlobalSet(u32),
        /// `global.set` of the module's `__stack_pointer`: checked against the store's stack guard.
        GlobalSetGuarded(u32),
        I32Load(u32), I64Load(u32),
        I32Load8S(u32), I32Load8U(u32), I32Load16S(u32), I32Load16U(u32),
        I64Load8S(u32), I64Load8U(u32), I64Load16S(u32), I64Load16U(u32), I64Load32S(u32), I64Load32U(u32),
        I32Store(u32), I64Store(u32), I32Store8(u32), I32Store16(u32),
        I64Store32(u32),
        MemorySize,
        MemoryGrow,
        MemoryFill,
        MemoryCopy,
        MemoryInit(u32),
        DataDrop(u32),
        TableGet(u32),
        TableSet(u32),
        TableSize(u32),
        TableGrow(u32),
        TableFill(u32),
        TableCopy { dst: u32, src: u32 },
        TableInit { elem: u32, table: u32 },
        ElemDrop(u32),
        RefFunc(u32),
        /// An instruction this interpreter does not execute (SIMD): traps.
        Unsupported,
        // Fused forms.
        /// `local.get a; local.get b` pushes both.
        LocalGet2(u32, u32),
        /// `local.get x; i32.const c; i32.add; local.set x` (and `local.tee` forms are not fused).
        I32AddImmLocal { local: u32, imm: i32 },
        /// `i32.const c; i32.add` (sub is add of the negation).
        I32AddImm(u32),
        /// `i64.const c; i64.add` (sub is add of the negation).
        I64AddImm(u64),
        /// `local.get x; i32.const c; i32.add`.
        I32AddLocalImm { local: u32, imm: u32 },
        /// `local.get x; i64.const c; i64.add`.
        I64AddLocalImm { local: u32, imm: u64 },
        /// Division and remainder by a constant that cannot trap (non-zero, and not -1 when signed).
        I32DivSImm(i32), I32DivUImm(u32), I32RemSImm(i32), I32RemUImm(u32),
        I64DivSImm(i64), I64DivUImm(u64), I64RemSImm(i64), I64RemUImm(u64),
    }
}

/// The code of one defined function.
#[derive(Debug)]
pub(crate) struct FuncCode {
    pub ops: Vec<Op>,
    pub br_table: Vec<BrTarget>,
    pub n_params: u32,
    pub n_locals: u32,
    pub n_results: u32,
    /// The most operand slots the body ever needs above its locals.
    pub max_height: u32,
}

/// An integer comparison fused into a branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    I32Eq,
    I32Ne,
    I32LtS,
    I32LtU,
    I32GtS,
    I32GtU,
    I32LeS,
    I32LeU,
    I32GeS,
    I32GeU,
    I64Eq,
    I64Ne,
    I64LtS,
    I64LtU,
    I64GtS,
    I64GtU,
    I64LeS,
    I64LeU,
    I64GeS,
    I64GeU,
}

impl Cmp {
    fn of(op: Op) -> Option<Cmp> {
        Some(match op {
            Op::I32Eq => Cmp::I32Eq,
            Op::I32Ne => Cmp::I32Ne,
            Op::I32LtS => Cmp::I32LtS,
            Op::I32LtU => Cmp::I32LtU,
            Op::I32GtS => Cmp::I32GtS,
            Op::I32GtU => Cmp::I32GtU,
            Op::I32LeS => Cmp::I32LeS,
            Op::I32LeU => Cmp::I32LeU,
            Op::I32GeS => Cmp::I32GeS,
            Op::I32GeU => Cmp::I32GeU,
            Op::I64Eq => Cmp::I64Eq,
            Op::I64Ne => Cmp::I64Ne,
            Op::I64LtS => Cmp::I64LtS,
            Op::I64LtU => Cmp::I64LtU,
            Op::I64GtS => Cmp::I64GtS,
            Op::I64GtU => Cmp::I64GtU,
            Op::I64LeS => Cmp::I64LeS,
            Op::I64LeU => Cmp::I64LeU,
            Op::I64GeS => Cmp::I64GeS,
            Op::I64GeU => Cmp::I64GeU,
            _ => return None,
        })
    }

    /// The comparison that holds exactly when `self` does not.
    fn not(self) -> Cmp {
        use Cmp::*;
        match self {
            I32Eq => I32Ne,
            I32Ne => I32Eq,
            I32LtS => I32GeS,
            I32GeS => I32LtS,
            I32LtU => I32GeU,
            I32GeU => I32LtU,
            I32GtS => I32LeS,
            I32LeS => I32GtS,
            I32GtU => I32LeU,
            I32LeU => I32GtU,
            I64Eq => I64Ne,
            I64Ne => I64Eq,
            I64LtS => I64GeS,
            I64GeS => I64LtS,
            I64LtU => I64GeU,
            I64GeU => I64LtU,
            I64GtS => I64LeS,
            I64LeS => I64GtS,
            I64GtU => I64LeU,
            I64LeU => I64GtU,
        }
    }

    /// Whether the comparison holds for the slots `a` and `b`.
    #[inline(always)]
    pub(crate) fn holds(self, a: u64, b: u64) -> bool {
        use Cmp::*;
        let (a32, b32) = (a as u32, b as u32);
        match self {
            I32Eq => a32 == b32,
            I32Ne => a32 != b32,
            I32LtS => (a32 as i32) < b32 as i32,
            I32LtU => a32 < b32,
            I32GtS => a32 as i32 > b32 as i32,
            I32GtU => a32 > b32,
            I32LeS => a32 as i32 <= b32 as i32,
            I32LeU => a32 <= b32,
            I32GeS => a32 as i32 >= b32 as i32,
            I32GeU => a32 >= b32,
            I64Eq => a == b,
            I64Ne => a != b,
            I64LtS => (a as i64) < b as i64,
            I64LtU => a < b,
            I64GtS => a as i64 > b as i64,
            I64GtU => a > b,
            I64LeS => a as i64 <= b as i64,
            I64LeU => a <= b,
            I64GeS => a as i64 >= b as i64,
            I64GeU => a >= b,
        }
    }
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
}

enum Fixup {
    Op(usize),
    Table(usize),
}

struct Ctl {
    kind: Kind,
    start: u32,
    fixups: Vec<Fixup>,
    if_jump: Option<usize>,
    dead_entry: bool,
    /// For loops: the enclosing fuel segment, restored at `end`.
    outer_fuel: Option<usize>,
}

#[derive(Clone, Copy)]
struct Label {
    height: u32,
    arity: u32,
}

struct Lower {
    n_imported: u32,
    ops: Vec<Op>,
    br_table: Vec<BrTarget>,
    ctl: Vec<Ctl>,
    dead: bool,
    fuel_at: Option<usize>,
    /// The last position a branch may land on; peephole fusion never reaches across it.
    barrier: usize,
    n_locals: u32,
}

fn mal(e: BinaryReaderError) -> Error {
    classify(e, true)
}
fn inv(e: BinaryReaderError) -> Error {
    classify(e, false)
}

fn label(
    v: &FuncValidator<ValidatorResources>,
    types: &[FuncType],
    depth: u32,
    n_results: u32,
) -> Option<Label> {
    let f = v.get_control_frame(depth as usize)?;
    let outer = depth + 1 == v.control_stack_height();
    let (params, results) = match f.block_type {
        BlockType::Empty => (0, 0),
        BlockType::Type(_) => (0, 1),
        BlockType::FuncType(i) => {
            let t = types.get(i as usize)?;
            (t.params.len() as u32, t.results.len() as u32)
        }
    };
    let arity = if outer {
        n_results
    } else if f.kind == FrameKind::Loop {
        params
    } else {
        results
    };
    Some(Label {
        height: f.height as u32,
        arity,
    })
}

/// Lowers one function body, validating it on the way.
pub(crate) fn lower(
    types: &[FuncType],
    ty: &FuncType,
    n_imported: u32,
    body: &FunctionBody<'_>,
    mut v: FuncValidator<ValidatorResources>,
) -> Result<FuncCode, Error> {
    let mut reader = body.get_binary_reader();
    v.read_locals(&mut reader).map_err(|e| classify(e, false))?;
    let n_params = ty.params.len() as u32;
    let mut n_locals = n_params;
    while v.get_local_type(n_locals).is_some() {
        n_locals += 1;
    }
    let n_results = ty.results.len() as u32;
    let mut rd = OperatorsReader::new(reader);
    let mut l = Lower {
        n_imported,
        ops: Vec::new(),
        br_table: Vec::new(),
        ctl: vec![Ctl {
            kind: Kind::Func,
            start: 0,
            fixups: Vec::new(),
            if_jump: None,
            dead_entry: false,
            outer_fuel: None,
        }],
        dead: false,
        fuel_at: None,
        barrier: 0,
        n_locals,
    };
    l.fuel_start();
    let mut max_height = 0u32;
    let mut labels: Vec<Option<Label>> = Vec::new();
    while !rd.eof() {
        let (op, off) = rd.read_with_offset().map_err(mal)?;
        let h = v.operand_stack_height();
        labels.clear();
        match &op {
            Operator::Br { relative_depth } | Operator::BrIf { relative_depth } => {
                labels.push(label(&v, types, *relative_depth, n_results))
            }
            Operator::BrTable { targets } => {
                for t in targets.targets() {
                    let t = t.map_err(mal)?;
                    labels.push(label(&v, types, t, n_results));
                }
                labels.push(label(&v, types, targets.default(), n_results));
            }
            _ => {}
        }
        v.op(off, &op).map_err(inv)?;
        max_height = max_height.max(v.operand_stack_height()).max(h);
        l.emit(&op, h, &labels, n_results);
    }
    rd.finish().map_err(mal)?;
    Ok(FuncCode {
        ops: l.ops,
        br_table: l.br_table,
        n_params,
        n_locals,
        n_results,
        max_height: max_height + 2,
    })
}

impl Lower {
    fn pc(&self) -> u32 {
        self.ops.len() as u32
    }

    fn fuel_start(&mut self) {
        self.fuel_at = Some(self.ops.len());
        self.ops.push(Op::Fuel(1));
    }

    fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    fn patch(&mut self, fixups: Vec<Fixup>, pc: u32) {
        for f in fixups {
            match f {
                Fixup::Table(i) => self.br_table[i].pc = pc,
                Fixup::Op(i) => match &mut self.ops[i] {
                    Op::Jump(t)
                    | Op::JumpIfZero(t)
                    | Op::JumpIfNonZero(t)
                    | Op::JumpIfCmp { target: t, .. } => *t = pc,
                    Op::Br(b) | Op::BrIf(b) => b.pc = pc,
                    _ => unreachable!("fixup of a non-branch"),
                },
            }
        }
    }

    /// The target of a branch to `depth`, registering `site` for patching if it is forward.
    /// Returns the target and whether the stack needs adjusting (`hc` is the height at the branch).
    fn target(&mut self, depth: u32, lab: Label, hc: u32, site: Fixup) -> (BrTarget, bool) {
        let i = self.ctl.len() - 1 - depth as usize;
        let c = &mut self.ctl[i];
        let pc = if c.kind == Kind::Loop {
            c.start
        } else {
            c.fixups.push(site);
            0
        };
        let t = BrTarget {
            pc,
            height: self.n_locals + lab.height,
            keep: lab.arity,
        };
        (t, hc - lab.arity != lab.height)
    }

    fn is_outer(&self, depth: u32) -> bool {
        depth as usize + 1 == self.ctl.len()
    }

    fn emit(&mut self, op: &Operator<'_>, h: u32, labels: &[Option<Label>], _n_results: u32) {
        use Operator as O;
        // Structure is tracked even in dead code.
        match op {
            O::Block { .. } | O::Loop { .. } | O::If { .. } if self.dead => {
                self.ctl.push(Ctl {
                    kind: Kind::Block,
                    start: 0,
                    fixups: Vec::new(),
                    if_jump: None,
                    dead_entry: true,
                    outer_fuel: None,
                });
                return;
            }
            O::Else => {
                let c = self.ctl.last_mut().unwrap();
                if c.dead_entry {
                    return;
                }
                if !self.dead {
                    let at = self.ops.len();
                    self.ctl.last_mut().unwrap().fixups.push(Fixup::Op(at));
                    self.push(Op::Jump(0));
                }
                let pc = self.pc();
                let c = self.ctl.last_mut().unwrap();
                c.kind = Kind::Block;
                if let Some(j) = c.if_jump.take() {
                    self.patch(vec![Fixup::Op(j)], pc);
                }
                self.dead = false;
                self.barrier = self.ops.len();
                return;
            }
            O::End => {
                let c = self.ctl.pop().unwrap();
                if c.dead_entry {
                    return;
                }
                let pc = self.pc();
                self.patch(c.fixups, pc);
                if let Some(j) = c.if_jump {
                    self.patch(vec![Fixup::Op(j)], pc);
                }
                self.dead = false;
                self.barrier = self.ops.len();
                if c.kind == Kind::Func {
                    self.push(Op::Return);
                } else if c.kind == Kind::Loop {
                    self.fuel_at = c.outer_fuel;
                }
                return;
            }
            _ if self.dead => return,
            _ => {}
        }
        if let Some(Op::Fuel(n)) = self.fuel_at.map(|i| &mut self.ops[i]) {
            *n += 1;
        }
        if let Some(s) = simple(op) {
            if s == Op::Unreachable {
                self.dead = true;
            }
            if !self.fuse_imm(s) {
                self.push(s);
            }
            return;
        }
        let lab = |i: usize| labels[i].expect("validated label");
        let op = match *op {
            O::Nop => return,
            O::Block { .. } => {
                let start = self.pc();
                self.ctl.push(Ctl {
                    kind: Kind::Block,
                    start,
                    fixups: Vec::new(),
                    if_jump: None,
                    dead_entry: false,
                    outer_fuel: None,
                });
                return;
            }
            O::Loop { .. } => {
                let start = self.pc();
                let outer_fuel = self.fuel_at;
                self.ctl.push(Ctl {
                    kind: Kind::Loop,
                    start,
                    fixups: Vec::new(),
                    if_jump: None,
                    dead_entry: false,
                    outer_fuel,
                });
                self.fuel_start();
                self.barrier = start as usize;
                return;
            }
            O::If { .. } => {
                let j = self.ops.len();
                if self.last_is_eqz() {
                    self.ops[j - 1] = Op::JumpIfNonZero(0);
                } else if let Some(cmp) = self.last_cmp() {
                    self.ops[j - 1] = Op::JumpIfCmp {
                        cmp: cmp.not(),
                        target: 0,
                    };
                } else {
                    self.push(Op::JumpIfZero(0));
                }
                let j = self.ops.len() - 1;
                self.ctl.push(Ctl {
                    kind: Kind::If,
                    start: j as u32,
                    fixups: Vec::new(),
                    if_jump: Some(j),
                    dead_entry: false,
                    outer_fuel: None,
                });
                return;
            }
            O::Br { relative_depth: d } => {
                self.dead = true;
                if self.is_outer(d) {
                    Op::Return
                } else {
                    let at = self.ops.len();
                    let (t, adjust) = self.target(d, lab(0), h, Fixup::Op(at));
                    if adjust { Op::Br(t) } else { Op::Jump(t.pc) }
                }
            }
            O::BrIf { relative_depth: d } => {
                if self.is_outer(d) {
                    let skip = self.pc() + 2;
                    self.push(Op::JumpIfZero(skip));
                    self.barrier = skip as usize;
                    Op::Return
                } else {
                    let l0 = lab(0);
                    let adjust = h - 1 - l0.arity != l0.height;
                    let eqz = !adjust && self.last_is_eqz();
                    let cmp = if adjust || eqz { None } else { self.last_cmp() };
                    if eqz || cmp.is_some() {
                        self.ops.pop();
                    }
                    let at = self.ops.len();
                    let (t, _) = self.target(d, l0, h - 1, Fixup::Op(at));
                    if adjust {
                        Op::BrIf(t)
                    } else if eqz {
                        Op::JumpIfZero(t.pc)
                    } else if let Some(cmp) = cmp {
                        Op::JumpIfCmp { cmp, target: t.pc }
                    } else {
                        Op::JumpIfNonZero(t.pc)
                    }
                }
            }
            O::BrTable { ref targets } => {
                self.dead = true;
                let start = self.br_table.len() as u32;
                let len = targets.len();
                for (i, d) in targets
                    .targets()
                    .map(|t| t.unwrap())
                    .chain([targets.default()])
                    .enumerate()
                {
                    let at = self.br_table.len();
                    let (t, _) = self.target(d, lab(i), h - 1, Fixup::Table(at));
                    self.br_table.push(t);
                }
                Op::BrTable { start, len }
            }
            O::Return => {
                self.dead = true;
                Op::Return
            }
            O::Call { function_index: f } => {
                if f >= self.n_imported {
                    Op::CallInternal(f - self.n_imported)
                } else {
                    Op::Call(f)
                }
            }
            O::ReturnCall { function_index: f } => {
                self.dead = true;
                if f >= self.n_imported {
                    Op::ReturnCallInternal(f - self.n_imported)
                } else {
                    Op::ReturnCall(f)
                }
            }
            O::CallIndirect {
                type_index,
                table_index,
            } => Op::CallIndirect {
                ty: type_index,
                table: table_index,
            },
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => {
                self.dead = true;
                Op::ReturnCallIndirect {
                    ty: type_index,
                    table: table_index,
                }
            }
            O::TypedSelect { .. } => Op::Select,
            O::LocalGet { local_index } => {
                if let Some(Op::LocalGet(a)) = self.ops.last().copied()
                    && self.barrier < self.ops.len()
                {
                    self.ops.pop();
                    Op::LocalGet2(a, local_index)
                } else {
                    Op::LocalGet(local_index)
                }
            }
            O::LocalSet { local_index } => Op::LocalSet(local_index),
            O::LocalTee { local_index } => Op::LocalTee(local_index),
            O::GlobalGet { global_index } => Op::GlobalGet(global_index),
            O::GlobalSet { global_index } => Op::GlobalSet(global_index),
            O::I32Const { value } => Op::Const(value as u32 as u64),
            O::I64Const { value } => Op::Const(value as u64),
            O::F32Const { value } => Op::Const(value.bits() as u64),
            O::F64Const { value } => Op::Const(value.bits()),
            O::RefNull { .. } => Op::Const(0),
            O::RefFunc { function_index } => Op::RefFunc(function_index),
            O::I32ReinterpretF32
            | O::F32ReinterpretI32
            | O::I64ReinterpretF64
            | O::F64ReinterpretI64 => return,
            O::I32Load { memarg } | O::F32Load { memarg } => Op::I32Load(memarg.offset as u32),
            O::I64Load { memarg } | O::F64Load { memarg } => Op::I64Load(memarg.offset as u32),
            O::I32Load8S { memarg } => Op::I32Load8S(memarg.offset as u32),
            O::I32Load8U { memarg } => Op::I32Load8U(memarg.offset as u32),
            O::I32Load16S { memarg } => Op::I32Load16S(memarg.offset as u32),
            O::I32Load16U { memarg } => Op::I32Load16U(memarg.offset as u32),
            O::I64Load8S { memarg } => Op::I64Load8S(memarg.offset as u32),
            O::I64Load8U { memarg } => Op::I64Load8U(memarg.offset as u32),
            O::I64Load16S { memarg } => Op::I64Load16S(memarg.offset as u32),
            O::I64Load16U { memarg } => Op::I64Load16U(memarg.offset as u32),
            O::I64Load32S { memarg } => Op::I64Load32S(memarg.offset as u32),
            O::I64Load32U { memarg } => Op::I64Load32U(memarg.offset as u32),
            O::I32Store { memarg } | O::F32Store { memarg } => Op::I32Store(memarg.offset as u32),
            O::I64Store { memarg } | O::F64Store { memarg } => Op::I64Store(memarg.offset as u32),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => {
                Op::I32Store8(memarg.offset as u32)
            }
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                Op::I32Store16(memarg.offset as u32)
            }
            O::I64Store32 { memarg } => Op::I64Store32(memarg.offset as u32),
            O::MemorySize { .. } => Op::MemorySize,
            O::MemoryGrow { .. } => Op::MemoryGrow,
            O::MemoryFill { .. } => Op::MemoryFill,
            O::MemoryCopy { .. } => Op::MemoryCopy,
            O::MemoryInit { data_index, .. } => Op::MemoryInit(data_index),
            O::DataDrop { data_index } => Op::DataDrop(data_index),
            O::TableGet { table } => Op::TableGet(table),
            O::TableSet { table } => Op::TableSet(table),
            O::TableSize { table } => Op::TableSize(table),
            O::TableGrow { table } => Op::TableGrow(table),
            O::TableFill { table } => Op::TableFill(table),
            O::TableCopy {
                dst_table,
                src_table,
            } => Op::TableCopy {
                dst: dst_table,
                src: src_table,
            },
            O::TableInit { elem_index, table } => Op::TableInit {
                elem: elem_index,
                table,
            },
            O::ElemDrop { elem_index } => Op::ElemDrop(elem_index),
            _ => Op::Unsupported,
        };
        // Peephole: `local.get x; const c; i32.add; local.set x` → one op.
        if let Op::LocalSet(x) = op
            && let Some(&Op::I32AddLocalImm { local, imm }) = self.ops.last()
            && local == x
            && self.barrier < self.ops.len()
        {
            self.ops.pop();
            self.push(Op::I32AddImmLocal {
                local: x,
                imm: imm as i32,
            });
            return;
        }
        self.push(op);
    }

    /// Whether the last op is an `eqz` that can fuse into a following branch (no label after it).
    fn last_is_eqz(&self) -> bool {
        self.barrier < self.ops.len() && matches!(self.ops.last(), Some(Op::I32Eqz | Op::I64Eqz))
    }

    /// The integer comparison the last op is, if it can fuse into a following branch.
    fn last_cmp(&self) -> Option<Cmp> {
        if self.barrier >= self.ops.len() {
            return None;
        }
        Cmp::of(*self.ops.last()?)
    }

    /// Fuses `const c; op` (and `local.get x; const c; add`) into an immediate form; false if `op`
    /// does not fuse.
    fn fuse_imm(&mut self, op: Op) -> bool {
        let n = self.ops.len();
        let Some(&Op::Const(c)) = self.ops.last() else {
            return false;
        };
        if self.barrier >= n {
            return false;
        }
        let local = match self.ops[..] {
            [.., Op::LocalGet(x), _] if self.barrier + 2 <= n => Some(x),
            _ => None,
        };
        let (c32, c64) = (c as u32, c);
        let fused = match op {
            Op::I32Add | Op::I32Sub => {
                let imm = if op == Op::I32Sub {
                    c32.wrapping_neg()
                } else {
                    c32
                };
                match local {
                    Some(x) => {
                        self.ops.truncate(n - 2);
                        Op::I32AddLocalImm { local: x, imm }
                    }
                    None => {
                        self.ops.pop();
                        Op::I32AddImm(imm)
                    }
                }
            }
            Op::I64Add | Op::I64Sub => {
                let imm = if op == Op::I64Sub {
                    c64.wrapping_neg()
                } else {
                    c64
                };
                match local {
                    Some(x) => {
                        self.ops.truncate(n - 2);
                        Op::I64AddLocalImm { local: x, imm }
                    }
                    None => {
                        self.ops.pop();
                        Op::I64AddImm(imm)
                    }
                }
            }
            Op::I32DivS | Op::I32RemS | Op::I32DivU | Op::I32RemU
                if c32 != 0 && c32 != u32::MAX =>
            {
                self.ops.pop();
                match op {
                    Op::I32DivS => Op::I32DivSImm(c32 as i32),
                    Op::I32RemS => Op::I32RemSImm(c32 as i32),
                    Op::I32DivU => Op::I32DivUImm(c32),
                    _ => Op::I32RemUImm(c32),
                }
            }
            Op::I64DivS | Op::I64RemS | Op::I64DivU | Op::I64RemU
                if c64 != 0 && c64 != u64::MAX =>
            {
                self.ops.pop();
                match op {
                    Op::I64DivS => Op::I64DivSImm(c64 as i64),
                    Op::I64RemS => Op::I64RemSImm(c64 as i64),
                    Op::I64DivU => Op::I64DivUImm(c64),
                    _ => Op::I64RemUImm(c64),
                }
            }
            _ => return false,
        };
        self.push(fused);
        true
    }
}
