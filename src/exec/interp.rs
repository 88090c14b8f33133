//! Execution: one `loop { match op }` over an untyped `u64` value stack and an explicit frame stack.

use std::sync::Arc;

use super::lower::{BrTarget, FuncCode, Op};
use super::num;
use super::{FuncKind, PAGE, Store, Trap, TrapCode, Value};

/// A suspended caller.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    pc: u32,
    fp: u32,
    inst: u32,
    func: u32,
}

/// The most value-stack slots (128 MiB) before a call reports "call stack exhausted".
const MAX_STACK_SLOTS: usize = 1 << 24;

/// Conversion between typed values and untyped stack slots.
trait Slot: Copy {
    fn from_slot(s: u64) -> Self;
    fn to_slot(self) -> u64;
}

macro_rules! slot_int {
    ($($t:ty => $u:ty),*) => {$(
        impl Slot for $t {
            #[inline(always)]
            fn from_slot(s: u64) -> Self { s as $u as $t }
            #[inline(always)]
            fn to_slot(self) -> u64 { self as $u as u64 }
        }
    )*};
}
slot_int!(i32 => u32, u32 => u32, i64 => u64, u64 => u64);

impl Slot for f32 {
    #[inline(always)]
    fn from_slot(s: u64) -> Self {
        f32::from_bits(s as u32)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits() as u64
    }
}
impl Slot for f64 {
    #[inline(always)]
    fn from_slot(s: u64) -> Self {
        f64::from_bits(s)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits()
    }
}
impl Slot for bool {
    #[inline(always)]
    fn from_slot(s: u64) -> Self {
        s != 0
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u64
    }
}

fn grow(stack: &mut Vec<u64>, need: usize) -> Result<(), Trap> {
    if need > MAX_STACK_SLOTS {
        return Err(TrapCode::CallStackExhausted.into());
    }
    let len = need.max(stack.len() * 2).min(MAX_STACK_SLOTS).max(need);
    stack.resize(len, 0);
    Ok(())
}

/// Calls store function `f` with already type-checked `args`.
pub(crate) fn call(st: &mut Store, f: u32, args: &[Value]) -> Result<Vec<Value>, Trap> {
    let fe = &st.funcs[f as usize];
    let results = st.types[fe.ty as usize].results.clone();
    if let FuncKind::Host(h) = &fe.kind {
        let h = h.clone();
        let out = h(args)?;
        check_results(&results, &out)?;
        return Ok(out);
    }
    st.frames.clear();
    if st.stack.len() < args.len().max(1024) {
        st.stack.resize(args.len().max(1024), 0);
    }
    for (i, a) in args.iter().enumerate() {
        st.stack[i] = a.to_slot();
    }
    run(st, f)?;
    Ok(results
        .iter()
        .enumerate()
        .map(|(i, t)| Value::from_slot(*t, st.stack[i]))
        .collect())
}

fn check_results(tys: &[super::ValType], vals: &[Value]) -> Result<(), Trap> {
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
        frames,
        ..
    } = st;
    let (types, funcs, instances, limits) = (&*types, &*funcs, &*instances, &*limits);
    let max_depth = limits.max_call_depth as usize;
    let FuncKind::Wasm { instance, index } = funcs[entry as usize].kind else {
        unreachable!("run on a host function")
    };
    let mut inst_idx = instance;
    let mut fidx = index;
    let mut inst = &instances[inst_idx as usize];
    let mut mem = inst.mem0 as usize;
    let mut f: &FuncCode = &inst.module.code[fidx as usize];
    let mut code: &[Op] = &f.ops;
    let mut fp = 0usize;
    let mut sp = f.n_params as usize;
    let mut pc = 0usize;
    {
        let locals_end = f.n_locals as usize;
        let need = locals_end + f.max_height as usize;
        if need > stack_vec.len() {
            grow(stack_vec, need)?;
        }
        stack_vec[sp..locals_end].fill(0);
        sp = locals_end;
    }
    // The stack as a local slice, so its pointer and length stay in registers.
    let mut stack: &mut [u64] = &mut stack_vec[..];
    let mut fuel_left = *fuel;

    macro_rules! exit {
        ($r:expr) => {{
            *fuel = fuel_left;
            return $r;
        }};
    }
    macro_rules! grow_to {
        ($need:expr) => {{
            let need: usize = $need;
            if need > stack.len() {
                if let Err(e) = grow(stack_vec, need) {
                    exit!(Err(e));
                }
                stack = &mut stack_vec[..];
            }
        }};
    }

    macro_rules! trap {
        ($c:expr) => {
            exit!(Err(Trap::Code($c)))
        };
    }
    macro_rules! pop {
        () => {{
            sp -= 1;
            stack[sp]
        }};
    }
    macro_rules! push {
        ($v:expr) => {{
            let v: u64 = $v;
            stack[sp] = v;
            sp += 1;
        }};
    }
    macro_rules! un {
        ($t:ty, $e:expr) => {{
            let a = <$t as Slot>::from_slot(stack[sp - 1]);
            stack[sp - 1] = Slot::to_slot(($e)(a));
        }};
    }
    macro_rules! un_trap {
        ($t:ty, $e:expr) => {{
            let a = <$t as Slot>::from_slot(stack[sp - 1]);
            match ($e)(a) {
                Ok(v) => stack[sp - 1] = Slot::to_slot(v),
                Err(c) => trap!(c),
            }
        }};
    }
    macro_rules! bin {
        ($t:ty, $e:expr) => {{
            sp -= 1;
            let b = <$t as Slot>::from_slot(stack[sp]);
            let a = <$t as Slot>::from_slot(stack[sp - 1]);
            stack[sp - 1] = Slot::to_slot(($e)(a, b));
        }};
    }
    macro_rules! bin_trap {
        ($t:ty, $e:expr) => {{
            sp -= 1;
            let b = <$t as Slot>::from_slot(stack[sp]);
            let a = <$t as Slot>::from_slot(stack[sp - 1]);
            match ($e)(a, b) {
                Ok(v) => stack[sp - 1] = Slot::to_slot(v),
                Err(c) => trap!(c),
            }
        }};
    }
    macro_rules! load {
        ($off:expr, $n:literal, $conv:expr) => {{
            let ea = stack[sp - 1] as u32 as usize + $off as usize;
            let m = &memories[mem].data;
            let b: [u8; $n] = match m.get(ea..ea + $n) {
                Some(s) => s.try_into().unwrap(),
                None => trap!(TrapCode::MemoryOutOfBounds),
            };
            stack[sp - 1] = ($conv)(b);
        }};
    }
    macro_rules! store {
        ($off:expr, $n:literal, $conv:expr) => {{
            sp -= 2;
            let v = stack[sp + 1];
            let ea = stack[sp] as u32 as usize + $off as usize;
            let m = &mut memories[mem].data;
            match m.get_mut(ea..ea + $n) {
                Some(s) => s.copy_from_slice(&($conv)(v)),
                None => trap!(TrapCode::MemoryOutOfBounds),
            }
        }};
    }
    macro_rules! branch {
        ($t:expr) => {{
            let t: BrTarget = $t;
            let dst = fp + t.height as usize;
            let keep = t.keep as usize;
            if keep > 0 {
                stack.copy_within(sp - keep..sp, dst);
            }
            sp = dst + keep;
            pc = t.pc as usize;
        }};
    }
    macro_rules! switch_inst {
        ($i:expr) => {{
            let i: u32 = $i;
            if i != inst_idx {
                inst_idx = i;
                inst = &instances[i as usize];
                mem = inst.mem0 as usize;
            }
        }};
    }
    macro_rules! do_return {
        () => {{
            let n = f.n_results as usize;
            stack.copy_within(sp - n..sp, fp);
            sp = fp + n;
            match frames.pop() {
                None => exit!(Ok(())),
                Some(fr) => {
                    pc = fr.pc as usize;
                    fp = fr.fp as usize;
                    switch_inst!(fr.inst);
                    fidx = fr.func;
                    f = &inst.module.code[fidx as usize];
                    code = &f.ops;
                }
            }
        }};
    }
    // Enters a wasm function whose arguments are on top of the stack; `tail` reuses the frame.
    macro_rules! enter {
        ($inst:expr, $idx:expr, $tail:expr) => {{
            let ci: u32 = $inst;
            let idx: u32 = $idx;
            let callee: &FuncCode = &instances[ci as usize].module.code[idx as usize];
            let n = callee.n_params as usize;
            if $tail {
                stack.copy_within(sp - n..sp, fp);
            } else {
                if frames.len() + 1 >= max_depth {
                    trap!(TrapCode::CallStackExhausted);
                }
                frames.push(Frame {
                    pc: pc as u32,
                    fp: fp as u32,
                    inst: inst_idx,
                    func: fidx,
                });
                fp = sp - n;
            }
            let locals_end = fp + callee.n_locals as usize;
            let need = locals_end + callee.max_height as usize;
            grow_to!(need);
            stack[fp + n..locals_end].fill(0);
            sp = locals_end;
            pc = 0;
            switch_inst!(ci);
            fidx = idx;
            f = callee;
            code = &f.ops;
        }};
    }
    macro_rules! call_handle {
        ($h:expr, $tail:expr) => {{
            let h = $h as usize;
            match &funcs[h].kind {
                FuncKind::Wasm { instance, index } => enter!(*instance, *index, $tail),
                FuncKind::Host(hf) => {
                    let ty = &types[funcs[h].ty as usize];
                    let n = ty.params.len();
                    let args: Vec<Value> = ty
                        .params
                        .iter()
                        .zip(&stack[sp - n..sp])
                        .map(|(t, s)| Value::from_slot(*t, *s))
                        .collect();
                    sp -= n;
                    let res =
                        match hf(&args).and_then(|r| check_results(&ty.results, &r).map(|()| r)) {
                            Ok(r) => r,
                            Err(e) => exit!(Err(e)),
                        };
                    grow_to!(sp + res.len());
                    for r in res {
                        push!(r.to_slot());
                    }
                    if $tail {
                        do_return!();
                    }
                }
            }
        }};
    }
    macro_rules! call_indirect {
        ($ty:expr, $table:expr, $tail:expr) => {{
            let i = pop!() as u32 as usize;
            let tab = &tables[inst.tables[$table as usize] as usize];
            let r = match tab.elems.get(i) {
                Some(&r) => r,
                None => trap!(TrapCode::UndefinedElement),
            };
            if r == 0 {
                let c = TrapCode::UninitializedElement;
                exit!(Err(Trap::Detailed(c, format!("{} {i}", c.message()))))
            }
            let h = (r - 1) as usize;
            if funcs[h].ty != inst.types[$ty as usize] {
                trap!(TrapCode::IndirectCallTypeMismatch);
            }
            call_handle!(h, $tail)
        }};
    }

    loop {
        let op = code[pc];
        pc += 1;
        match op {
            Op::Fuel(n) => {
                let n = n as u64;
                if fuel_left < n {
                    fuel_left = 0;
                    trap!(TrapCode::OutOfFuel);
                }
                fuel_left -= n;
            }
            Op::Unreachable => trap!(TrapCode::Unreachable),
            Op::Unsupported => trap!(TrapCode::Unsupported),
            Op::Const(c) => push!(c),
            Op::LocalGet(i) => push!(stack[fp + i as usize]),
            Op::LocalGet2(a, b) => {
                stack[sp] = stack[fp + a as usize];
                stack[sp + 1] = stack[fp + b as usize];
                sp += 2;
            }
            Op::LocalSet(i) => {
                sp -= 1;
                stack[fp + i as usize] = stack[sp];
            }
            Op::LocalTee(i) => stack[fp + i as usize] = stack[sp - 1],
            Op::I32AddImmLocal { local, imm } => {
                let s = &mut stack[fp + local as usize];
                *s = (*s as u32).wrapping_add(imm as u32) as u64;
            }
            Op::I32AddImm(c) => un!(u32, |a: u32| a.wrapping_add(c)),
            Op::I64AddImm(c) => un!(u64, |a: u64| a.wrapping_add(c)),
            Op::I32AddLocalImm { local, imm } => {
                push!((stack[fp + local as usize] as u32).wrapping_add(imm) as u64)
            }
            Op::I64AddLocalImm { local, imm } => {
                push!(stack[fp + local as usize].wrapping_add(imm))
            }
            Op::I32DivSImm(c) => un!(i32, |a: i32| a.wrapping_div(c)),
            Op::I32DivUImm(c) => un!(u32, |a: u32| a / c),
            Op::I32RemSImm(c) => un!(i32, |a: i32| a.wrapping_rem(c)),
            Op::I32RemUImm(c) => un!(u32, |a: u32| a % c),
            Op::I64DivSImm(c) => un!(i64, |a: i64| a.wrapping_div(c)),
            Op::I64DivUImm(c) => un!(u64, |a: u64| a / c),
            Op::I64RemSImm(c) => un!(i64, |a: i64| a.wrapping_rem(c)),
            Op::I64RemUImm(c) => un!(u64, |a: u64| a % c),
            Op::GlobalGet(i) => push!(globals[inst.globals[i as usize] as usize].value as u64),
            Op::GlobalSet(i) => {
                let v = pop!();
                globals[inst.globals[i as usize] as usize].value = v as u128;
            }
            Op::GlobalSetGuarded(i) => {
                let v = pop!();
                let g = inst.globals[i as usize];
                if let Some(Err(t)) = stack_guard.filter(|s| s.global == g).map(|s| s.check(v)) {
                    exit!(Err(t))
                }
                globals[g as usize].value = v as u128;
            }
            Op::Drop => sp -= 1,
            Op::Select => {
                sp -= 2;
                if stack[sp + 1] as u32 == 0 {
                    stack[sp - 1] = stack[sp];
                }
            }
            Op::Jump(t) => pc = t as usize,
            Op::JumpIfZero(t) => {
                if pop!() == 0 {
                    pc = t as usize;
                }
            }
            Op::JumpIfNonZero(t) => {
                if pop!() != 0 {
                    pc = t as usize;
                }
            }
            Op::JumpIfCmp { cmp, target } => {
                sp -= 2;
                if cmp.holds(stack[sp], stack[sp + 1]) {
                    pc = target as usize;
                }
            }
            Op::Br(t) => branch!(t),
            Op::BrIf(t) => {
                if pop!() as u32 != 0 {
                    branch!(t)
                }
            }
            Op::BrTable { start, len } => {
                let i = (pop!() as u32).min(len);
                branch!(f.br_table[(start + i) as usize])
            }
            Op::Return => do_return!(),
            Op::CallInternal(i) => enter!(inst_idx, i, false),
            Op::ReturnCallInternal(i) => enter!(inst_idx, i, true),
            Op::Call(i) => call_handle!(inst.funcs[i as usize], false),
            Op::ReturnCall(i) => call_handle!(inst.funcs[i as usize], true),
            Op::CallIndirect { ty, table } => call_indirect!(ty, table, false),
            Op::ReturnCallIndirect { ty, table } => call_indirect!(ty, table, true),

            Op::I32Load(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
            Op::I64Load(o) => load!(o, 8, u64::from_le_bytes),
            Op::I32Load8S(o) => load!(o, 1, |b| i8::from_le_bytes(b) as i32 as u32 as u64),
            Op::I32Load8U(o) => load!(o, 1, |b| u8::from_le_bytes(b) as u64),
            Op::I32Load16S(o) => load!(o, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
            Op::I32Load16U(o) => load!(o, 2, |b| u16::from_le_bytes(b) as u64),
            Op::I64Load8S(o) => load!(o, 1, |b| i8::from_le_bytes(b) as i64 as u64),
            Op::I64Load8U(o) => load!(o, 1, |b| u8::from_le_bytes(b) as u64),
            Op::I64Load16S(o) => load!(o, 2, |b| i16::from_le_bytes(b) as i64 as u64),
            Op::I64Load16U(o) => load!(o, 2, |b| u16::from_le_bytes(b) as u64),
            Op::I64Load32S(o) => load!(o, 4, |b| i32::from_le_bytes(b) as i64 as u64),
            Op::I64Load32U(o) => load!(o, 4, |b| u32::from_le_bytes(b) as u64),
            Op::I32Store(o) => store!(o, 4, |v: u64| (v as u32).to_le_bytes()),
            Op::I64Store(o) => store!(o, 8, |v: u64| v.to_le_bytes()),
            Op::I32Store8(o) => store!(o, 1, |v: u64| (v as u8).to_le_bytes()),
            Op::I32Store16(o) => store!(o, 2, |v: u64| (v as u16).to_le_bytes()),
            Op::I64Store32(o) => store!(o, 4, |v: u64| (v as u32).to_le_bytes()),
            Op::MemorySize => push!(memories[mem].data.len() as u64 / PAGE),
            Op::MemoryGrow => {
                let d = stack[sp - 1] as u32 as u64;
                let m = &mut memories[mem];
                let old = m.data.len() as u64 / PAGE;
                let new = old + d;
                let max = m.max.unwrap_or(65536).min(65536);
                stack[sp - 1] = if new > max || new * PAGE > limits.max_memory_bytes {
                    u32::MAX as u64
                } else {
                    m.data.resize((new * PAGE) as usize, 0);
                    old
                };
            }
            Op::MemoryFill => {
                sp -= 3;
                let (d, v, n) = (
                    stack[sp] as u32 as u64,
                    stack[sp + 1] as u8,
                    stack[sp + 2] as u32 as u64,
                );
                let m = &mut memories[mem].data;
                match range(d, n, m.len()) {
                    Some(r) => m[r].fill(v),
                    None => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Op::MemoryCopy => {
                sp -= 3;
                let (d, s, n) = (
                    stack[sp] as u32 as u64,
                    stack[sp + 1] as u32 as u64,
                    stack[sp + 2] as u32 as u64,
                );
                let m = &mut memories[mem].data;
                match (range(d, n, m.len()), range(s, n, m.len())) {
                    (Some(dr), Some(sr)) => m.copy_within(sr, dr.start),
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Op::MemoryInit(seg) => {
                sp -= 3;
                let (d, s, n) = (
                    stack[sp] as u32 as u64,
                    stack[sp + 1] as u32 as u64,
                    stack[sp + 2] as u32 as u64,
                );
                let data = &datas[inst.datas[seg as usize] as usize];
                let m = &mut memories[mem].data;
                match (range(d, n, m.len()), range(s, n, data.len())) {
                    (Some(dr), Some(sr)) => m[dr].copy_from_slice(&data[sr]),
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Op::DataDrop(seg) => datas[inst.datas[seg as usize] as usize] = Arc::new([]),
            Op::TableGet(t) => {
                let i = stack[sp - 1] as u32 as usize;
                match tables[inst.tables[t as usize] as usize].elems.get(i) {
                    Some(&r) => stack[sp - 1] = r,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSet(t) => {
                sp -= 2;
                let (i, v) = (stack[sp] as u32 as usize, stack[sp + 1]);
                match tables[inst.tables[t as usize] as usize].elems.get_mut(i) {
                    Some(r) => *r = v,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableSize(t) => push!(tables[inst.tables[t as usize] as usize].elems.len() as u64),
            Op::TableGrow(t) => {
                sp -= 1;
                let (init, n) = (stack[sp - 1], stack[sp] as u32 as u64);
                let tab = &mut tables[inst.tables[t as usize] as usize];
                let old = tab.elems.len() as u64;
                let new = old + n;
                let max = tab.max.unwrap_or(u32::MAX as u64);
                stack[sp - 1] = if new > max || new > limits.max_table_elems {
                    u32::MAX as u64
                } else {
                    tab.elems.resize(new as usize, init);
                    old
                };
            }
            Op::TableFill(t) => {
                sp -= 3;
                let (i, v, n) = (
                    stack[sp] as u32 as u64,
                    stack[sp + 1],
                    stack[sp + 2] as u32 as u64,
                );
                let tab = &mut tables[inst.tables[t as usize] as usize].elems;
                match range(i, n, tab.len()) {
                    Some(r) => tab[r].fill(v),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::TableCopy { dst, src } => {
                sp -= 3;
                let (d, s, n) = (
                    stack[sp] as u32 as u64,
                    stack[sp + 1] as u32 as u64,
                    stack[sp + 2] as u32 as u64,
                );
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
            Op::TableInit { elem, table } => {
                sp -= 3;
                let (d, s, n) = (
                    stack[sp] as u32 as u64,
                    stack[sp + 1] as u32 as u64,
                    stack[sp + 2] as u32 as u64,
                );
                let seg = &elems[inst.elems[elem as usize] as usize];
                let tab = &mut tables[inst.tables[table as usize] as usize].elems;
                match (range(d, n, tab.len()), range(s, n, seg.len())) {
                    (Some(dr), Some(sr)) => tab[dr].copy_from_slice(&seg[sr]),
                    _ => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Op::ElemDrop(e) => elems[inst.elems[e as usize] as usize] = Vec::new(),
            Op::RefFunc(i) => push!(inst.funcs[i as usize] as u64 + 1),
            Op::RefIsNull => stack[sp - 1] = (stack[sp - 1] == 0) as u64,

            Op::I32Eqz => un!(u32, |a: u32| a == 0),
            Op::I32Eq => bin!(u32, |a, b| a == b),
            Op::I32Ne => bin!(u32, |a, b| a != b),
            Op::I32LtS => bin!(i32, |a, b| a < b),
            Op::I32LtU => bin!(u32, |a, b| a < b),
            Op::I32GtS => bin!(i32, |a, b| a > b),
            Op::I32GtU => bin!(u32, |a, b| a > b),
            Op::I32LeS => bin!(i32, |a, b| a <= b),
            Op::I32LeU => bin!(u32, |a, b| a <= b),
            Op::I32GeS => bin!(i32, |a, b| a >= b),
            Op::I32GeU => bin!(u32, |a, b| a >= b),
            Op::I64Eqz => un!(u64, |a: u64| a == 0),
            Op::I64Eq => bin!(u64, |a, b| a == b),
            Op::I64Ne => bin!(u64, |a, b| a != b),
            Op::I64LtS => bin!(i64, |a, b| a < b),
            Op::I64LtU => bin!(u64, |a, b| a < b),
            Op::I64GtS => bin!(i64, |a, b| a > b),
            Op::I64GtU => bin!(u64, |a, b| a > b),
            Op::I64LeS => bin!(i64, |a, b| a <= b),
            Op::I64LeU => bin!(u64, |a, b| a <= b),
            Op::I64GeS => bin!(i64, |a, b| a >= b),
            Op::I64GeU => bin!(u64, |a, b| a >= b),
            Op::F32Eq => bin!(f32, |a, b| a == b),
            Op::F32Ne => bin!(f32, |a, b| a != b),
            Op::F32Lt => bin!(f32, |a, b| a < b),
            Op::F32Gt => bin!(f32, |a, b| a > b),
            Op::F32Le => bin!(f32, |a, b| a <= b),
            Op::F32Ge => bin!(f32, |a, b| a >= b),
            Op::F64Eq => bin!(f64, |a, b| a == b),
            Op::F64Ne => bin!(f64, |a, b| a != b),
            Op::F64Lt => bin!(f64, |a, b| a < b),
            Op::F64Gt => bin!(f64, |a, b| a > b),
            Op::F64Le => bin!(f64, |a, b| a <= b),
            Op::F64Ge => bin!(f64, |a, b| a >= b),

            Op::I32Clz => un!(u32, |a: u32| a.leading_zeros()),
            Op::I32Ctz => un!(u32, |a: u32| a.trailing_zeros()),
            Op::I32Popcnt => un!(u32, |a: u32| a.count_ones()),
            Op::I32Add => bin!(u32, |a: u32, b| a.wrapping_add(b)),
            Op::I32Sub => bin!(u32, |a: u32, b| a.wrapping_sub(b)),
            Op::I32Mul => bin!(u32, |a: u32, b| a.wrapping_mul(b)),
            Op::I32DivS => bin_trap!(i32, num::i32_div_s),
            Op::I32DivU => bin_trap!(u32, num::i32_div_u),
            Op::I32RemS => bin_trap!(i32, num::i32_rem_s),
            Op::I32RemU => bin_trap!(u32, num::i32_rem_u),
            Op::I32And => bin!(u32, |a, b| a & b),
            Op::I32Or => bin!(u32, |a, b| a | b),
            Op::I32Xor => bin!(u32, |a, b| a ^ b),
            Op::I32Shl => bin!(u32, |a: u32, b| a.wrapping_shl(b)),
            Op::I32ShrS => bin!(i32, |a: i32, b| a.wrapping_shr(b as u32)),
            Op::I32ShrU => bin!(u32, |a: u32, b| a.wrapping_shr(b)),
            Op::I32Rotl => bin!(u32, |a: u32, b| a.rotate_left(b)),
            Op::I32Rotr => bin!(u32, |a: u32, b| a.rotate_right(b)),
            Op::I64Clz => un!(u64, |a: u64| a.leading_zeros() as u64),
            Op::I64Ctz => un!(u64, |a: u64| a.trailing_zeros() as u64),
            Op::I64Popcnt => un!(u64, |a: u64| a.count_ones() as u64),
            Op::I64Add => bin!(u64, |a: u64, b| a.wrapping_add(b)),
            Op::I64Sub => bin!(u64, |a: u64, b| a.wrapping_sub(b)),
            Op::I64Mul => bin!(u64, |a: u64, b| a.wrapping_mul(b)),
            Op::I64DivS => bin_trap!(i64, num::i64_div_s),
            Op::I64DivU => bin_trap!(u64, num::i64_div_u),
            Op::I64RemS => bin_trap!(i64, num::i64_rem_s),
            Op::I64RemU => bin_trap!(u64, num::i64_rem_u),
            Op::I64And => bin!(u64, |a, b| a & b),
            Op::I64Or => bin!(u64, |a, b| a | b),
            Op::I64Xor => bin!(u64, |a, b| a ^ b),
            Op::I64Shl => bin!(u64, |a: u64, b| a.wrapping_shl(b as u32)),
            Op::I64ShrS => bin!(i64, |a: i64, b| a.wrapping_shr(b as u32)),
            Op::I64ShrU => bin!(u64, |a: u64, b| a.wrapping_shr(b as u32)),
            Op::I64Rotl => bin!(u64, |a: u64, b| a.rotate_left((b & 63) as u32)),
            Op::I64Rotr => bin!(u64, |a: u64, b| a.rotate_right((b & 63) as u32)),

            Op::F32Abs => un!(u32, |a: u32| a & 0x7fff_ffff),
            Op::F32Neg => un!(u32, |a: u32| a ^ 0x8000_0000),
            Op::F32Ceil => un!(f32, |a: f32| num::f32_round(a, f32::ceil)),
            Op::F32Floor => un!(f32, |a: f32| num::f32_round(a, f32::floor)),
            Op::F32Trunc => un!(f32, |a: f32| num::f32_round(a, f32::trunc)),
            Op::F32Nearest => un!(f32, num::f32_nearest),
            Op::F32Sqrt => un!(f32, f32::sqrt),
            Op::F32Add => bin!(f32, |a, b| a + b),
            Op::F32Sub => bin!(f32, |a, b| a - b),
            Op::F32Mul => bin!(f32, |a, b| a * b),
            Op::F32Div => bin!(f32, |a, b| a / b),
            Op::F32Min => bin!(f32, num::f32_min),
            Op::F32Max => bin!(f32, num::f32_max),
            Op::F32Copysign => bin!(u32, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000)),
            Op::F64Abs => un!(u64, |a: u64| a & !(1 << 63)),
            Op::F64Neg => un!(u64, |a: u64| a ^ (1 << 63)),
            Op::F64Ceil => un!(f64, |a: f64| num::f64_round(a, f64::ceil)),
            Op::F64Floor => un!(f64, |a: f64| num::f64_round(a, f64::floor)),
            Op::F64Trunc => un!(f64, |a: f64| num::f64_round(a, f64::trunc)),
            Op::F64Nearest => un!(f64, num::f64_nearest),
            Op::F64Sqrt => un!(f64, f64::sqrt),
            Op::F64Add => bin!(f64, |a, b| a + b),
            Op::F64Sub => bin!(f64, |a, b| a - b),
            Op::F64Mul => bin!(f64, |a, b| a * b),
            Op::F64Div => bin!(f64, |a, b| a / b),
            Op::F64Min => bin!(f64, num::f64_min),
            Op::F64Max => bin!(f64, num::f64_max),
            Op::F64Copysign => bin!(u64, |a: u64, b: u64| (a & !(1 << 63)) | (b & (1 << 63))),

            Op::I32WrapI64 => un!(u64, |a: u64| a as u32),
            Op::I32TruncF32S => un_trap!(f32, |a: f32| num::i32_trunc_s(a as f64)),
            Op::I32TruncF32U => un_trap!(f32, |a: f32| num::i32_trunc_u(a as f64)),
            Op::I32TruncF64S => un_trap!(f64, num::i32_trunc_s),
            Op::I32TruncF64U => un_trap!(f64, num::i32_trunc_u),
            Op::I64ExtendI32S => un!(i32, |a: i32| a as i64),
            Op::I64ExtendI32U => un!(u32, |a: u32| a as u64),
            Op::I64TruncF32S => un_trap!(f32, |a: f32| num::i64_trunc_s(a as f64)),
            Op::I64TruncF32U => un_trap!(f32, |a: f32| num::i64_trunc_u(a as f64)),
            Op::I64TruncF64S => un_trap!(f64, num::i64_trunc_s),
            Op::I64TruncF64U => un_trap!(f64, num::i64_trunc_u),
            Op::F32ConvertI32S => un!(i32, |a: i32| a as f32),
            Op::F32ConvertI32U => un!(u32, |a: u32| a as f32),
            Op::F32ConvertI64S => un!(i64, |a: i64| a as f32),
            Op::F32ConvertI64U => un!(u64, |a: u64| a as f32),
            Op::F32DemoteF64 => un!(f64, |a: f64| a as f32),
            Op::F64ConvertI32S => un!(i32, |a: i32| a as f64),
            Op::F64ConvertI32U => un!(u32, |a: u32| a as f64),
            Op::F64ConvertI64S => un!(i64, |a: i64| a as f64),
            Op::F64ConvertI64U => un!(u64, |a: u64| a as f64),
            Op::F64PromoteF32 => un!(f32, |a: f32| a as f64),
            Op::I32Extend8S => un!(u32, |a: u32| a as i8 as i32),
            Op::I32Extend16S => un!(u32, |a: u32| a as i16 as i32),
            Op::I64Extend8S => un!(u64, |a: u64| a as i8 as i64),
            Op::I64Extend16S => un!(u64, |a: u64| a as i16 as i64),
            Op::I64Extend32S => un!(u64, |a: u64| a as i32 as i64),
            Op::I32TruncSatF32S => un!(f32, |a: f32| a as i32),
            Op::I32TruncSatF32U => un!(f32, |a: f32| a as u32),
            Op::I32TruncSatF64S => un!(f64, |a: f64| a as i32),
            Op::I32TruncSatF64U => un!(f64, |a: f64| a as u32),
            Op::I64TruncSatF32S => un!(f32, |a: f32| a as i64),
            Op::I64TruncSatF32U => un!(f32, |a: f32| a as u64),
            Op::I64TruncSatF64S => un!(f64, |a: f64| a as i64),
            Op::I64TruncSatF64U => un!(f64, |a: f64| a as u64),
        }
    }
}
