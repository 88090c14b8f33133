//! Renumbering one input module's indices into the linked module's index spaces.
//!
//! Every index a module holds is rewritten through a [`Maps`]: instruction immediates, constant
//! expressions, exports, element items, the start function, value types that name a type (typed
//! function references) and the name side table. Locals and labels are per function and unchanged.

use crate::ast::*;

/// Old index → new index, per index space. A data segment that the link removes (a placed `bss`
/// segment: it has no bytes) maps to `None`.
#[derive(Clone, Debug, Default)]
pub(super) struct Maps {
    pub types: Vec<u32>,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    pub elems: Vec<u32>,
    pub datas: Vec<Option<u32>>,
}

/// An instruction used a data segment that the link removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RemovedData(pub DataIdx);

fn get(map: &[u32], i: u32) -> u32 {
    // Indices were validated by resolve; an out-of-range one stays as is and fails validation.
    map.get(i as usize).copied().unwrap_or(i)
}

impl Maps {
    pub fn ty(&self, t: TypeIdx) -> TypeIdx {
        TypeIdx(get(&self.types, t.0))
    }
    pub fn func(&self, f: FuncIdx) -> FuncIdx {
        FuncIdx(get(&self.funcs, f.0))
    }
    pub fn table(&self, t: TableIdx) -> TableIdx {
        TableIdx(get(&self.tables, t.0))
    }
    pub fn memory(&self, m: MemIdx) -> MemIdx {
        MemIdx(get(&self.memories, m.0))
    }
    pub fn global(&self, g: GlobalIdx) -> GlobalIdx {
        GlobalIdx(get(&self.globals, g.0))
    }
    pub fn elem(&self, e: ElemIdx) -> ElemIdx {
        ElemIdx(get(&self.elems, e.0))
    }
    pub fn data(&self, d: DataIdx) -> Result<DataIdx, RemovedData> {
        match self.datas.get(d.0 as usize) {
            Some(Some(n)) => Ok(DataIdx(*n)),
            Some(None) => Err(RemovedData(d)),
            None => Ok(d),
        }
    }

    pub fn heap(&self, h: HeapType) -> HeapType {
        match h {
            HeapType::Type(t) => HeapType::Type(self.ty(t)),
            other => other,
        }
    }
    pub fn ref_type(&self, r: RefType) -> RefType {
        RefType {
            nullable: r.nullable,
            heap: self.heap(r.heap),
        }
    }
    pub fn val(&self, v: ValType) -> ValType {
        match v {
            ValType::Ref(r) => ValType::Ref(self.ref_type(r)),
            other => other,
        }
    }
    pub fn func_type(&self, f: &FuncType) -> FuncType {
        FuncType {
            params: f.params.iter().map(|&v| self.val(v)).collect(),
            results: f.results.iter().map(|&v| self.val(v)).collect(),
        }
    }
    pub fn global_type(&self, g: GlobalType) -> GlobalType {
        GlobalType {
            ty: self.val(g.ty),
            mutable: g.mutable,
        }
    }
    pub fn table_type(&self, t: TableType) -> TableType {
        TableType {
            elem: self.ref_type(t.elem),
            ..t
        }
    }

    /// Rewrites one instruction's immediates.
    pub fn instr(&self, instr: &mut Instr) -> Result<(), RemovedData> {
        let mem_arg = |m: MemArg| MemArg {
            mem: self.memory(m.mem),
            ..m
        };
        let block = |b: BlockType| match b {
            BlockType::Type(t) => BlockType::Type(self.ty(t)),
            BlockType::Value(v) => BlockType::Value(self.val(v)),
            BlockType::Empty => BlockType::Empty,
        };
        instr.imm = match std::mem::replace(&mut instr.imm, Imm::None) {
            Imm::Block(b) => Imm::Block(block(b)),
            Imm::Func(f) => Imm::Func(self.func(f)),
            Imm::Type(t) => Imm::Type(self.ty(t)),
            Imm::CallIndirect(t, table) => Imm::CallIndirect(self.ty(t), self.table(table)),
            Imm::Global(g) => Imm::Global(self.global(g)),
            Imm::Table(t) => Imm::Table(self.table(t)),
            Imm::Memory(m) => Imm::Memory(self.memory(m)),
            Imm::MemArg(m) => Imm::MemArg(mem_arg(m)),
            Imm::MemArgLane(m, lane) => Imm::MemArgLane(mem_arg(m), lane),
            Imm::MemoryInit(d, m) => Imm::MemoryInit(self.data(d)?, self.memory(m)),
            Imm::Data(d) => Imm::Data(self.data(d)?),
            Imm::MemoryCopy(a, b) => Imm::MemoryCopy(self.memory(a), self.memory(b)),
            Imm::TableInit(e, t) => Imm::TableInit(self.elem(e), self.table(t)),
            Imm::Elem(e) => Imm::Elem(self.elem(e)),
            Imm::TableCopy(a, b) => Imm::TableCopy(self.table(a), self.table(b)),
            Imm::Select(types) => Imm::Select(types.iter().map(|&v| self.val(v)).collect()),
            Imm::RefNull(h) => Imm::RefNull(self.heap(h)),
            other => other,
        };
        Ok(())
    }

    /// Rewrites a sequence of instructions, reporting the first removed data segment used.
    pub fn instrs(&self, instrs: &mut [Instr]) -> Result<(), (RemovedData, crate::span::Span)> {
        for instr in instrs {
            let span = instr.span;
            self.instr(instr).map_err(|e| (e, span))?;
        }
        Ok(())
    }

    /// Rewrites an element segment.
    pub fn elem_segment(&self, elem: &mut Elem) {
        if let ElemMode::Active { table, offset, .. } = &mut elem.mode {
            *table = self.table(*table);
            let _ = self.instrs(offset);
        }
        match &mut elem.items {
            ElemItems::Funcs(funcs) => {
                for f in funcs {
                    *f = self.func(*f);
                }
            }
            ElemItems::Exprs(ty, exprs) => {
                *ty = self.ref_type(*ty);
                for e in exprs {
                    let _ = self.instrs(e);
                }
            }
        }
    }
}

/// Appends `from`'s names, renumbered, to `to`; entries whose index maps to `None` are dropped.
pub(super) fn names(
    to: &mut Names,
    from: &Names,
    maps: &Maps,
    keep_global: impl Fn(GlobalIdx) -> bool,
    keep_func: impl Fn(FuncIdx) -> bool,
) {
    let re = |v: &[(u32, String)], map: &dyn Fn(u32) -> Option<u32>| -> Vec<(u32, String)> {
        v.iter()
            .filter_map(|(i, n)| map(*i).map(|j| (j, n.clone())))
            .collect()
    };
    let raw = |v: &[(FuncIdx, String)]| v.iter().map(|(i, n)| (i.0, n.clone())).collect::<Vec<_>>();
    let funcs = re(&raw(&from.funcs), &|i| {
        keep_func(FuncIdx(i)).then(|| maps.func(FuncIdx(i)).0)
    });
    to.funcs
        .extend(funcs.into_iter().map(|(i, n)| (FuncIdx(i), n)));
    for (f, locals) in &from.locals {
        if keep_func(*f) {
            to.locals.push((maps.func(*f), locals.clone()));
        }
    }
    for (f, labels) in &from.labels {
        if keep_func(*f) {
            to.labels.push((maps.func(*f), labels.clone()));
        }
    }
    for (t, n) in &from.types {
        let t = maps.ty(*t);
        if !to.types.iter().any(|(u, _)| *u == t) {
            to.types.push((t, n.clone()));
        }
    }
    for (t, n) in &from.tables {
        to.tables.push((maps.table(*t), n.clone()));
    }
    for (g, n) in &from.globals {
        if keep_global(*g) {
            to.globals.push((maps.global(*g), n.clone()));
        }
    }
    for (e, n) in &from.elems {
        to.elems.push((maps.elem(*e), n.clone()));
    }
    for (d, n) in &from.datas {
        if let Ok(d) = maps.data(*d) {
            to.datas.push((d, n.clone()));
        }
    }
}

/// Sorts every name list by index and keeps the first name of each index.
pub(super) fn sort_names(names: &mut Names) {
    fn tidy<I: Ord + Copy, T>(v: &mut Vec<(I, T)>) {
        v.sort_by_key(|(i, _)| *i);
        v.dedup_by_key(|(i, _)| *i);
    }
    tidy(&mut names.funcs);
    tidy(&mut names.locals);
    tidy(&mut names.labels);
    tidy(&mut names.types);
    tidy(&mut names.tables);
    tidy(&mut names.memories);
    tidy(&mut names.globals);
    tidy(&mut names.elems);
    tidy(&mut names.datas);
}
