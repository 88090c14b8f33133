//! The link pass proper: resolved input modules in, one linked module and its [`Plan`] out.
//!
//! In order, as lld's writer does it:
//! 1. types are deduplicated across inputs;
//! 2. the inputs' memory declarations are merged ([`memory`]); data segments are collected:
//!    `(@place …)` ones for the planner, active ones at a constant address in memory 0 as fixed
//!    segments;
//! 3. every import is classified: a linker-synthesized symbol (`env.__heap_base`,
//!    `watlink:data.NAME`, …), the memory (memory 0, imported or defined as declared), bound to
//!    another input's export, or kept;
//! 4. [`plan`](super::plan) lays out memory;
//! 5. index spaces are built (kept imports, then synthesized globals, then each input's entities in
//!    input order) and every input is renumbered into them ([`super::remap`]);
//! 6. `__wasm_init_memory` is added where data cannot simply be active ([`init`]);
//! 7. exports are added: memory, `__heap_base`, `--export`, `--export-all`, the entry.

use std::collections::HashMap;

use super::layout::{About, PAGE_SIZE, Plan, Segment, SegmentKind, plan_about};
use super::remap::{self, Maps};
use super::{Entry, Input, LinkOptions};
use crate::ast::*;
use crate::error::{Class, Error};
use crate::instr::Op;
use crate::span::Span;

mod exports;
mod init;
mod memory;

use memory::Declared;

/// The symbols the linker defines when an input imports them from `env`.
pub const SYNTHESIZED: [&str; 10] = [
    "__stack_pointer",
    "__data_end",
    "__heap_base",
    "__heap_end",
    "__global_base",
    "__stack_low",
    "__stack_high",
    "__dso_handle",
    "__memory_base",
    "__table_base",
];

/// The synthesized symbols `--export-all` exports (wasm-ld's list; never `__stack_pointer`).
const EXPORT_ALL_SYMBOLS: [&str; 6] = [
    "__dso_handle",
    "__data_end",
    "__global_base",
    "__heap_base",
    "__memory_base",
    "__table_base",
];

/// Import module names for a placed segment's address and size.
pub const DATA_MODULE: &str = "watlink:data";
/// See [`DATA_MODULE`].
pub const SIZE_MODULE: &str = "watlink:size";

/// An error, with the input it points into (`None`: no place in any input).
pub(super) type LinkError = (Option<usize>, Error);

fn unlinkable(message: impl Into<String>, span: Span) -> Error {
    Error::new(Class::Unlinkable, message, span)
}

/// A data segment the planner sees.
struct SegInfo {
    input: usize,
    data: usize,
    /// The planner's name: `.rodata.NAME`, `.data.NAME`, `.bss.NAME` or the fixed segment's name.
    plan_name: String,
    /// The `$id`, for `watlink:data` look-ups.
    id: String,
    kind: SegmentKind,
}

/// What a synthesized global holds.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Synth {
    Symbol(&'static str),
    Address(usize),
    Size(usize),
}

/// How an import is satisfied.
#[derive(Clone, Copy, Debug)]
enum Res {
    Keep(usize),
    Synth(usize),
    Memory,
    Bind(usize, u32),
}

fn import_kind(kind: &ImportKind) -> ExternKind {
    match kind {
        ImportKind::Func(_) => ExternKind::Func,
        ImportKind::Table(_) => ExternKind::Table,
        ImportKind::Memory(_) => ExternKind::Memory,
        ImportKind::Global(_) => ExternKind::Global,
        ImportKind::Tag(_) => ExternKind::Tag,
    }
}

fn slot(kind: ExternKind) -> usize {
    match kind {
        ExternKind::Func => 0,
        ExternKind::Table => 1,
        ExternKind::Memory => 2,
        ExternKind::Global => 3,
        ExternKind::Tag => 4,
    }
}

struct Linker<'a> {
    inputs: &'a [Input],
    opts: &'a LinkOptions,
    errors: Vec<LinkError>,
    types: Vec<FuncType>,
    type_maps: Vec<Vec<u32>>,
    segs: Vec<SegInfo>,
    synth: Vec<Synth>,
    /// Per input, per import: how it is satisfied.
    res: Vec<Vec<Res>>,
    kept: Vec<Import>,
    /// What the inputs declare about memory 0.
    memory: Declared,
}

/// Links `inputs` into one module.
pub(super) fn link(inputs: &[Input], opts: &LinkOptions) -> Result<(Module, Plan), Vec<LinkError>> {
    let mut l = Linker {
        inputs,
        opts,
        errors: Vec::new(),
        types: Vec::new(),
        type_maps: Vec::new(),
        segs: Vec::new(),
        synth: Vec::new(),
        res: Vec::new(),
        kept: Vec::new(),
        memory: Declared::default(),
    };
    l.dedup_types();
    l.check_memories();
    l.collect_segments();
    l.requested_symbols();
    l.classify_imports();
    l.record_stack_bounds();
    if !l.errors.is_empty() {
        return Err(l.errors);
    }
    let plan = l.plan()?;
    if opts.export_all && plan.symbols.init_memory_flag.is_some() {
        // wasm-ld's --export-all exports the flag's address too.
        l.synth_index(Synth::Symbol("__wasm_init_memory_flag"));
    }
    let module = l.build(&plan);
    if !l.errors.is_empty() {
        return Err(l.errors);
    }
    Ok((module, plan))
}

impl<'a> Linker<'a> {
    /// Step 1: one type list, first-seen order.
    fn dedup_types(&mut self) {
        for input in self.inputs {
            let mut map = Vec::new();
            for ty in &input.module.types {
                // Types may refer to earlier types; map them as far as known.
                let partial = Maps {
                    types: map.clone(),
                    ..Maps::default()
                };
                // `decode` refuses GC types: every input type is a function type.
                let ty = ty
                    .func()
                    .map_or_else(FuncType::default, |f| partial.func_type(f));
                let idx = match self.types.iter().position(|t| *t == ty) {
                    Some(i) => i,
                    None => {
                        self.types.push(ty);
                        self.types.len() - 1
                    }
                };
                map.push(idx as u32);
            }
            self.type_maps.push(map);
        }
    }

    /// The linker owns memory 0: each input may have at most one memory, 32-bit.
    fn check_memories(&mut self) {
        for (i, input) in self.inputs.iter().enumerate() {
            let m = &input.module;
            let count = m.imported(ExternKind::Memory) as usize + m.memories.len();
            let mem64 = m.memories.iter().any(|t| t.memory64)
                || m.imports
                    .iter()
                    .any(|im| matches!(&im.kind, ImportKind::Memory(t) if t.memory64));
            if count > 1 {
                self.errors.push((
                    Some(i),
                    Error::unlocated(
                        Class::Unlinkable,
                        format!(
                            "{} has {count} memories; watlink link supports one",
                            input.name
                        ),
                    )
                    .with_note("all inputs share the linked module's memory 0"),
                ));
            }
            if mem64 {
                self.errors.push((
                    Some(i),
                    Error::unlocated(
                        Class::Unlinkable,
                        format!("{}: 64-bit memories cannot be linked yet", input.name),
                    ),
                ));
            }
            self.declare_memory(i);
        }
    }

    /// Step 2: placed segments (checked) and fixed ones, in input order.
    fn collect_segments(&mut self) {
        let several = self.inputs.len() > 1;
        for (i, input) in self.inputs.iter().enumerate() {
            let m = &input.module;
            for (k, data) in m.datas.iter().enumerate() {
                if let Some(place) = &data.place {
                    if let Some(e) = check_placement(data, place) {
                        self.errors.push((Some(i), e));
                        continue;
                    }
                    let kind = match place.kind {
                        PlaceKind::ReadOnly => SegmentKind::ReadOnly,
                        PlaceKind::Writable => SegmentKind::Writable,
                        PlaceKind::Zero => SegmentKind::Zero,
                    };
                    let mut plan_name = format!(".{}.{}", kind.word(), place.name);
                    if self.segs.iter().any(|s| s.plan_name == plan_name) {
                        plan_name = format!("{plan_name}@{}", input.bind);
                    }
                    self.segs.push(SegInfo {
                        input: i,
                        data: k,
                        plan_name,
                        id: place.name.clone(),
                        kind,
                    });
                } else if let DataMode::Active { memory, offset } = &data.mode
                    && memory.0 == 0
                    && let [
                        Instr {
                            op: Op::I32Const,
                            imm: Imm::I32(addr),
                            ..
                        },
                    ] = offset[..]
                {
                    let id = m
                        .names
                        .datas
                        .iter()
                        .find(|(d, _)| d.0 as usize == k)
                        .map(|(_, n)| n.clone());
                    let mut plan_name = id.clone().unwrap_or_else(|| format!("data[{k}]"));
                    if several {
                        plan_name = format!("{}:{plan_name}", input.bind);
                    }
                    self.segs.push(SegInfo {
                        input: i,
                        data: k,
                        plan_name,
                        id: id.unwrap_or_default(),
                        kind: SegmentKind::Fixed(addr as u32 as u64),
                    });
                }
            }
        }
    }

    fn synth_index(&mut self, s: Synth) -> usize {
        match self.synth.iter().position(|t| *t == s) {
            Some(i) => i,
            None => {
                self.synth.push(s);
                self.synth.len() - 1
            }
        }
    }

    /// A module that uses the stack also gets `__stack_low`/`__stack_high` (named, not exported), so
    /// `watlink run --stack-guard` can check every linked module against its own bounds.
    fn record_stack_bounds(&mut self) {
        if self.synth.contains(&Synth::Symbol("__stack_pointer")) {
            self.synth_index(Synth::Symbol("__stack_low"));
            self.synth_index(Synth::Symbol("__stack_high"));
        }
    }

    /// The synthesized globals that exports ask for: `__heap_base` by default, `--export`,
    /// `--export-all`.
    fn requested_symbols(&mut self) {
        if self.opts.export_heap_base {
            self.synth_index(Synth::Symbol("__heap_base"));
        }
        let opts = self.opts;
        for name in opts.exports.iter().chain(&opts.exports_if_defined) {
            if let Some(sym) = SYNTHESIZED.iter().find(|s| **s == name.as_str()) {
                self.synth_index(Synth::Symbol(sym));
            } else if let Some(k) = self.segs.iter().position(|s| s.id == *name) {
                self.synth_index(Synth::Address(k));
            }
        }
        if opts.export_all {
            for sym in EXPORT_ALL_SYMBOLS {
                self.synth_index(Synth::Symbol(sym));
            }
            for k in 0..self.segs.len() {
                if !self.segs[k].id.is_empty() {
                    self.synth_index(Synth::Address(k));
                }
            }
        }
    }

    /// The placed segment `name` that input `i` means: its own first, then any input's.
    fn find_segment(&self, i: usize, name: &str) -> Option<usize> {
        let placed = |s: &&SegInfo| s.id == name;
        self.segs
            .iter()
            .position(|s| s.input == i && placed(&s))
            .or_else(|| self.segs.iter().position(|s| placed(&s)))
    }

    /// Step 3: how every import is satisfied.
    fn classify_imports(&mut self) {
        let mut exports: HashMap<&str, Vec<(usize, &Export)>> = HashMap::new();
        for (j, input) in self.inputs.iter().enumerate() {
            for e in &input.module.exports {
                exports.entry(e.name.as_str()).or_default().push((j, e));
            }
        }
        let mut kept_keys: HashMap<(String, String, String), usize> = HashMap::new();
        for (i, input) in self.inputs.iter().enumerate() {
            let mut res = Vec::new();
            for im in &input.module.imports {
                let r = match self.classify(i, im, &exports) {
                    Ok(Some(r)) => r,
                    Ok(None) => {
                        let maps = Maps {
                            types: self.type_maps[i].clone(),
                            ..Maps::default()
                        };
                        let kind = match &im.kind {
                            ImportKind::Func(t) => ImportKind::Func(maps.ty(*t)),
                            ImportKind::Table(t) => ImportKind::Table(maps.table_type(*t)),
                            ImportKind::Global(g) => ImportKind::Global(maps.global_type(*g)),
                            ImportKind::Memory(m) => ImportKind::Memory(*m),
                            ImportKind::Tag(t) => ImportKind::Tag(maps.ty(*t)),
                        };
                        let key = (im.module.clone(), im.field.clone(), format!("{kind:?}"));
                        let n = *kept_keys.entry(key).or_insert_with(|| {
                            self.kept.push(Import {
                                kind,
                                span: Span::default(),
                                ..im.clone()
                            });
                            self.kept.len() - 1
                        });
                        Res::Keep(n)
                    }
                    Err(e) => {
                        self.errors.push((Some(i), *e));
                        Res::Memory
                    }
                };
                res.push(r);
            }
            self.res.push(res);
        }
    }

    /// One import: `Ok(None)` keeps it.
    fn classify(
        &mut self,
        i: usize,
        im: &Import,
        exports: &HashMap<&str, Vec<(usize, &Export)>>,
    ) -> Result<Option<Res>, Box<Error>> {
        let global_i32 = |mutable: bool| matches!(&im.kind, ImportKind::Global(g) if g.ty == ValType::I32 && g.mutable == mutable);
        let incompatible = |expected: &str| {
            unlinkable("incompatible import type", im.span)
                .with_label(format!("the linker defines this as {expected}"))
        };
        if im.module == "env"
            && let Some(sym) = SYNTHESIZED.iter().find(|s| **s == im.field)
        {
            let mutable = *sym == "__stack_pointer";
            if !global_i32(mutable) {
                let what = if mutable {
                    "(global (mut i32))"
                } else {
                    "(global i32)"
                };
                return Err(Box::new(incompatible(what)));
            }
            return Ok(Some(Res::Synth(self.synth_index(Synth::Symbol(sym)))));
        }
        if im.module == DATA_MODULE || im.module == SIZE_MODULE {
            if !global_i32(false) {
                return Err(Box::new(incompatible("(global i32)")));
            }
            let Some(k) = self.find_segment(i, &im.field) else {
                let mut e = unlinkable(
                    format!("unknown placed data segment `{}`", im.field),
                    im.span,
                )
                .with_label(format!("looks for (data ${} (@place …) …)", im.field));
                let known: Vec<&str> = self.segs.iter().map(|s| s.id.as_str()).collect();
                if !known.is_empty() {
                    e = e.with_note(format!("placed segments: {}", known.join(", ")));
                }
                return Err(Box::new(e));
            };
            let s = if im.module == DATA_MODULE {
                Synth::Address(k)
            } else {
                Synth::Size(k)
            };
            return Ok(Some(Res::Synth(self.synth_index(s))));
        }
        if matches!(im.kind, ImportKind::Memory(_)) {
            return Ok(Some(Res::Memory));
        }
        let kind = import_kind(&im.kind);
        let Some(candidates) = exports.get(im.field.as_str()) else {
            return Ok(None);
        };
        for &(j, e) in candidates {
            if j == i || e.kind != kind {
                continue;
            }
            if im.module != "env" && im.module != self.inputs[j].bind {
                continue;
            }
            if let Some(why) = self.mismatch(i, im, j, e) {
                let there = &self.inputs[j];
                return Err(Box::new(
                    unlinkable("incompatible import type", im.span)
                        .with_label(format!("imports {}", why.0))
                        .with_note(format!(
                            "{}:{} exports `{}` as {}",
                            there.name,
                            there.line_col(e.span),
                            e.name,
                            why.1
                        )),
                ));
            }
            return Ok(Some(Res::Bind(j, e.index)));
        }
        Ok(None)
    }

    /// The entity of `kind` number `idx` in input `j`: its import, or its definition.
    fn entity_import(&self, j: usize, kind: ExternKind, idx: u32) -> Option<&'a Import> {
        self.inputs[j]
            .module
            .imports
            .iter()
            .filter(|im| import_kind(&im.kind) == kind)
            .nth(idx as usize)
    }

    /// Describes import `im` of input `i` and export `e` of input `j` if their types differ.
    fn mismatch(&self, i: usize, im: &Import, j: usize, e: &Export) -> Option<(String, String)> {
        let mj = &self.inputs[j].module;
        let ti = Maps {
            types: self.type_maps[i].clone(),
            ..Maps::default()
        };
        let tj = Maps {
            types: self.type_maps[j].clone(),
            ..Maps::default()
        };
        let imported = mj.imported(e.kind);
        let import = (e.index < imported).then(|| self.entity_import(j, e.kind, e.index));
        let import = import.flatten();
        match &im.kind {
            ImportKind::Func(t) => {
                let theirs = match import.map(|x| &x.kind) {
                    Some(ImportKind::Func(u)) => *u,
                    _ => mj.funcs.get((e.index - imported) as usize)?.ty,
                };
                let (a, b) = (ti.ty(*t), tj.ty(theirs));
                (a != b).then(|| {
                    (
                        func_sig(&self.types[a.0 as usize]),
                        func_sig(&self.types[b.0 as usize]),
                    )
                })
            }
            ImportKind::Global(g) => {
                let theirs = match import.map(|x| &x.kind) {
                    Some(ImportKind::Global(u)) => *u,
                    _ => mj.globals.get((e.index - imported) as usize)?.ty,
                };
                let (a, b) = (ti.global_type(*g), tj.global_type(theirs));
                (a != b).then(|| (global_sig(a), global_sig(b)))
            }
            ImportKind::Table(t) => {
                let theirs = match import.map(|x| &x.kind) {
                    Some(ImportKind::Table(u)) => *u,
                    _ => mj.tables.get((e.index - imported) as usize)?.ty,
                };
                let (a, b) = (ti.table_type(*t), tj.table_type(theirs));
                (a.elem != b.elem || a.limits.min > b.limits.min).then(|| {
                    (
                        format!("a table of {:?} (min {})", a.elem.heap, a.limits.min),
                        format!("a table of {:?} (min {})", b.elem.heap, b.limits.min),
                    )
                })
            }
            // `decode` refuses tags: no input has one.
            ImportKind::Memory(_) | ImportKind::Tag(_) => None,
        }
    }

    fn plan(&mut self) -> Result<Plan, Vec<LinkError>> {
        let mut layout = self.opts.layout.clone();
        layout.import_memory = self.memory_import().is_some();
        layout.shared_memory |= self.memory.shared;
        layout.declared_min = self.memory.min.saturating_mul(PAGE_SIZE);
        layout.declared_max = self.memory.max.map(|m| m.saturating_mul(PAGE_SIZE));
        layout.heap_base_used = self.synth.contains(&Synth::Symbol("__heap_base"));
        let segments: Vec<Segment> = self
            .segs
            .iter()
            .map(|s| {
                let data = &self.inputs[s.input].module.datas[s.data];
                let (size, align) = match &data.place {
                    Some(p) => (p.size.unwrap_or(data.bytes.len() as u64), p.align),
                    None => (data.bytes.len() as u64, 1),
                };
                Segment::new(s.plan_name.clone(), size, align, s.kind)
            })
            .collect();
        plan_about(&segments, &layout).map_err(|errors| {
            errors
                .into_iter()
                .map(|(e, about)| self.locate(e, about))
                .collect()
        })
    }

    /// The value of a synthesized global.
    fn synth_value(&self, s: &Synth, plan: &Plan) -> u64 {
        let placed = |k: usize| plan.segment(&self.segs[k].plan_name);
        match s {
            Synth::Symbol(name) => symbol_value(plan, name),
            Synth::Address(k) => placed(*k).map_or(0, |p| p.address),
            Synth::Size(k) => placed(*k).map_or(0, |p| p.size),
        }
    }

    fn synth_name(&self, s: &Synth) -> String {
        match s {
            Synth::Symbol(name) => name.to_string(),
            Synth::Address(k) => self.segs[*k].id.clone(),
            Synth::Size(k) => format!("{}.size", self.segs[*k].id),
        }
    }

    /// Step 5: index spaces and the linked module.
    fn build(&mut self, plan: &Plan) -> Module {
        let inputs = self.inputs;
        let mut out = Module {
            types: self.types.iter().cloned().map(Into::into).collect(),
            ..Module::default()
        };
        // Imports: the memory (if imported) first, as wasm-ld does, then the kept ones.
        let memory_type = MemoryType {
            limits: Limits {
                min: plan.min_pages,
                max: plan.max_pages,
            },
            shared: plan.shared,
            memory64: false,
            page_size_log2: None,
        };
        if let Some((module, field)) = self.memory_import() {
            out.imports.push(Import {
                module,
                field,
                kind: ImportKind::Memory(memory_type),
                span: Span::default(),
            });
        } else {
            out.memories.push(memory_type);
        }
        out.imports.extend(self.kept.iter().cloned());
        let kept_count = |kind: ExternKind| {
            self.kept
                .iter()
                .filter(|im| import_kind(&im.kind) == kind)
                .count() as u32
        };
        // The kept imports' positions within their kind.
        let mut kept_pos = Vec::new();
        let mut counts = [0u32; 5];
        for im in &self.kept {
            let s = slot(import_kind(&im.kind));
            kept_pos.push(counts[s]);
            counts[s] += 1;
        }
        let synth_base = kept_count(ExternKind::Global);
        // Bases of each input's defined entities.
        let mut func_base = Vec::new();
        let mut table_base = Vec::new();
        let mut global_base = Vec::new();
        let mut elem_base = Vec::new();
        let (mut f, mut t, mut g, mut e) = (
            kept_count(ExternKind::Func),
            kept_count(ExternKind::Table),
            synth_base + self.synth.len() as u32,
            0u32,
        );
        for input in inputs {
            func_base.push(f);
            table_base.push(t);
            global_base.push(g);
            elem_base.push(e);
            f += input.module.funcs.len() as u32;
            t += input.module.tables.len() as u32;
            g += input.module.globals.len() as u32;
            e += input.module.elems.len() as u32;
        }
        let bases = |kind: ExternKind| match kind {
            ExternKind::Func => &func_base,
            ExternKind::Table => &table_base,
            _ => &global_base,
        };
        // Where an entity of input j ends up, following bindings through re-exported imports.
        // Per input and kind, where each import of that kind sits in the import list.
        let positions: Vec<[Vec<usize>; 5]> = inputs
            .iter()
            .map(|input| {
                let mut p: [Vec<usize>; 5] = Default::default();
                for (n, im) in input.module.imports.iter().enumerate() {
                    p[slot(import_kind(&im.kind))].push(n);
                }
                p
            })
            .collect();
        let resolve = |mut j: usize, kind: ExternKind, mut idx: u32| -> Option<u32> {
            for _ in 0..=inputs.len() {
                let imported = inputs[j].module.imported(kind);
                if idx >= imported {
                    if kind == ExternKind::Memory {
                        return Some(0);
                    }
                    return Some(bases(kind)[j] + idx - imported);
                }
                let pos = *positions[j][slot(kind)].get(idx as usize)?;
                match self.res[j][pos] {
                    Res::Keep(n) => return Some(kept_pos[n]),
                    Res::Synth(s) => return Some(synth_base + s as u32),
                    Res::Memory => return Some(0),
                    Res::Bind(j2, idx2) => (j, idx) = (j2, idx2),
                }
            }
            None // a cycle of imports and re-exports
        };
        let mut maps = Vec::new();
        let mut data_count = 0u32;
        for (i, input) in inputs.iter().enumerate() {
            let m = &input.module;
            let mut map = Maps {
                types: self.type_maps[i].clone(),
                ..Maps::default()
            };
            for kind in [ExternKind::Func, ExternKind::Table, ExternKind::Global] {
                let total = m.imported(kind)
                    + match kind {
                        ExternKind::Func => m.funcs.len(),
                        ExternKind::Table => m.tables.len(),
                        _ => m.globals.len(),
                    } as u32;
                let v: Vec<u32> = (0..total)
                    .map(|x| {
                        resolve(i, kind, x).unwrap_or_else(|| {
                            self.errors.push((
                                Some(i),
                                Error::unlocated(
                                    Class::Unlinkable,
                                    "imports and exports form a cycle",
                                ),
                            ));
                            0
                        })
                    })
                    .collect();
                match kind {
                    ExternKind::Func => map.funcs = v,
                    ExternKind::Table => map.tables = v,
                    _ => map.globals = v,
                }
            }
            map.memories = vec![0; m.imported(ExternKind::Memory) as usize + m.memories.len()];
            map.elems = (0..m.elems.len() as u32)
                .map(|x| elem_base[i] + x)
                .collect();
            map.datas = m
                .datas
                .iter()
                .map(|d| match &d.place {
                    Some(p) if p.kind == PlaceKind::Zero => None,
                    _ => {
                        data_count += 1;
                        Some(data_count - 1)
                    }
                })
                .collect();
            maps.push(map);
        }
        // Globals: the synthesized ones first, then each input's.
        for s in &self.synth {
            let value = self.synth_value(s, plan);
            out.globals.push(Global {
                ty: GlobalType {
                    ty: ValType::I32,
                    mutable: *s == Synth::Symbol("__stack_pointer"),
                },
                init: vec![Instr::new(Op::I32Const, Imm::I32(value as u32 as i32))],
            });
        }
        for (k, s) in self.synth.iter().enumerate() {
            out.names
                .globals
                .push((GlobalIdx(synth_base + k as u32), self.synth_name(s)));
        }
        let mut starts = Vec::new();
        let mut init = init::InitMemory::default();
        let imported = self.memory_import().is_some();
        for (i, input) in inputs.iter().enumerate() {
            let m = &input.module;
            let map = &maps[i];
            let mut err = |(removed, span): (remap::RemovedData, Span)| {
                let name = m
                    .datas
                    .get(removed.0.0 as usize)
                    .and_then(|d| d.place.as_ref())
                    .map_or(String::new(), |p| p.name.clone());
                self.errors.push((
                    Some(i),
                    unlinkable(
                        format!("placed bss segment ${name} has no bytes to use"),
                        span,
                    )
                    .with_label("memory.init and data.drop need the segment's bytes")
                    .with_note("help: use memory.fill on its address (watlink:data) instead"),
                ));
            };
            for func in &m.funcs {
                let mut body = func.body.clone();
                if let Err(e) = map.instrs(&mut body) {
                    err(e);
                }
                out.funcs.push(Func {
                    ty: map.ty(func.ty),
                    locals: func.locals.iter().map(|&v| map.val(v)).collect(),
                    body,
                    span: func.span,
                });
            }
            for table in &m.tables {
                let mut init = table.init.clone();
                if let Some(init) = &mut init {
                    let _ = map.instrs(init);
                }
                out.tables.push(Table {
                    ty: map.table_type(table.ty),
                    init,
                });
            }
            for global in &m.globals {
                let mut init = global.init.clone();
                let _ = map.instrs(&mut init);
                out.globals.push(Global {
                    ty: map.global_type(global.ty),
                    init,
                });
            }
            for elem in &m.elems {
                let mut elem = elem.clone();
                map.elem_segment(&mut elem);
                out.elems.push(elem);
            }
            for (k, data) in m.datas.iter().enumerate() {
                let seg = self.segs.iter().find(|s| s.input == i && s.data == k);
                let placed = seg.and_then(|s| plan.segment(&s.plan_name));
                let index = out.datas.len() as u32;
                let mode = match (&data.place, placed) {
                    (Some(p), placed) if p.kind == PlaceKind::Zero => {
                        // Fresh memory is zero; imported or shared memory need not be.
                        if let Some(placed) = placed.filter(|_| imported || plan.shared) {
                            init.fill(placed.address, placed.size);
                        }
                        continue;
                    }
                    (_, Some(placed)) if plan.shared => {
                        init.copy(index, placed.address, placed.size);
                        DataMode::Passive
                    }
                    (Some(_), Some(placed)) => DataMode::Active {
                        memory: MemIdx(0),
                        offset: vec![Instr::new(
                            Op::I32Const,
                            Imm::I32(placed.address as u32 as i32),
                        )],
                    },
                    (_, _) => match &data.mode {
                        DataMode::Passive => DataMode::Passive,
                        DataMode::Active { memory, offset } => {
                            let mut offset = offset.clone();
                            let _ = map.instrs(&mut offset);
                            DataMode::Active {
                                memory: map.memory(*memory),
                                offset,
                            }
                        }
                    },
                };
                out.datas.push(Data {
                    mode,
                    bytes: data.bytes.clone(),
                    place: None,
                });
            }
            if let Some(start) = m.start {
                starts.push(map.func(start));
            }
            out.customs.extend(m.customs.iter().cloned());
            let res = &self.res[i];
            let nth_import_res = |kind: ExternKind, idx: u32| {
                positions[i][slot(kind)].get(idx as usize).map(|&n| res[n])
            };
            // Names: an import that the link replaced takes the name of what replaced it.
            let keep = |kind: ExternKind, idx: u32| match nth_import_res(kind, idx) {
                None | Some(Res::Keep(_)) => true,
                Some(_) => false,
            };
            remap::names(
                &mut out.names,
                &m.names,
                map,
                |g| keep(ExternKind::Global, g.0),
                |f| keep(ExternKind::Func, f.0),
            );
            if out.names.module.is_none() {
                out.names.module.clone_from(&m.names.module);
            }
        }
        // `__wasm_init_memory` runs before the inputs' start functions.
        if let Some(f) = init.finish(&mut out, plan.symbols.init_memory_flag) {
            starts.insert(0, f);
        }
        out.start = match starts[..] {
            [] => None,
            [one] => Some(one),
            _ => {
                // Several start functions: one that calls each, in input order.
                let body = starts
                    .iter()
                    .map(|&f| Instr::new(Op::Call, Imm::Func(f)))
                    .collect();
                Some(push_nullary_func(&mut out, "__watlink_start", body))
            }
        };
        self.exports(&mut out, &maps, synth_base);
        remap::sort_names(&mut out.names);
        out
    }
}

/// Adds a synthesized `[] -> []` function named `name` (the type reused if the module has it).
fn push_nullary_func(out: &mut Module, name: &str, body: Vec<Instr>) -> FuncIdx {
    let ty = match out
        .types
        .iter()
        .position(|t| t.func() == Some(&FuncType::default()))
    {
        Some(i) => TypeIdx(i as u32),
        None => {
            out.types.push(FuncType::default().into());
            TypeIdx(out.types.len() as u32 - 1)
        }
    };
    out.funcs.push(Func {
        ty,
        locals: Vec::new(),
        body,
        span: Span::default(),
    });
    let idx = FuncIdx(out.imported(ExternKind::Func) + out.funcs.len() as u32 - 1);
    out.names.funcs.push((idx, name.into()));
    idx
}

/// Checks one `(@place …)`: an id, a power-of-two alignment, bss without bytes, a passive segment.
fn check_placement(data: &Data, place: &Placement) -> Option<Error> {
    let err = |msg: String, label: &str| Some(unlinkable(msg, place.span).with_label(label));
    if place.name.is_empty() {
        return err(
            "placed data segment needs an $id".into(),
            "write (data $name (@place …) …)",
        );
    }
    if matches!(data.mode, DataMode::Active { .. }) {
        return err(
            format!("placed data segment ${} has an offset", place.name),
            "the linker chooses the address; drop (@place …) or the offset",
        );
    }
    if !place.align.is_power_of_two() {
        return err(
            format!("alignment {} is not a power of two", place.align),
            "(align N) takes 1, 2, 4, 8, 16, …",
        );
    }
    if place.kind == PlaceKind::Zero && !data.bytes.is_empty() {
        return err(
            format!("bss segment ${} has bytes", place.name),
            "bss is zero-initialised: give (size N) and no strings, or use `data`",
        );
    }
    if place.kind != PlaceKind::Zero && place.size.is_some() {
        return err(
            format!(
                "(size N) on a {} segment",
                if place.kind == PlaceKind::ReadOnly {
                    "rodata"
                } else {
                    "data"
                }
            ),
            "only bss segments take (size N); the strings give the size",
        );
    }
    None
}

/// The value of the synthesized symbol `name` in `plan`.
pub(super) fn symbol_value(plan: &Plan, name: &str) -> u64 {
    let s = &plan.symbols;
    match name {
        "__stack_pointer" => s.stack_pointer,
        "__data_end" => s.data_end,
        "__heap_base" => s.heap_base.unwrap_or(s.data_end),
        "__heap_end" => s.heap_end,
        "__global_base" => s.global_base,
        "__stack_low" => s.stack_low,
        "__stack_high" => s.stack_high,
        "__dso_handle" => s.dso_handle,
        "__memory_base" => s.memory_base,
        "__table_base" => s.table_base,
        "__wasm_init_memory_flag" => s.init_memory_flag.unwrap_or(0),
        _ => 0,
    }
}

fn val_word(v: ValType) -> String {
    match v {
        ValType::I32 => "i32".into(),
        ValType::I64 => "i64".into(),
        ValType::F32 => "f32".into(),
        ValType::F64 => "f64".into(),
        ValType::V128 => "v128".into(),
        ValType::Ref(r) if r == RefType::FUNCREF => "funcref".into(),
        ValType::Ref(r) if r == RefType::EXTERNREF => "externref".into(),
        ValType::Ref(r) => format!("{r:?}"),
    }
}

fn func_sig(t: &FuncType) -> String {
    let list = |v: &[ValType]| v.iter().map(|&t| val_word(t)).collect::<Vec<_>>().join(" ");
    format!(
        "(func (param {}) (result {}))",
        list(&t.params),
        list(&t.results)
    )
}

fn global_sig(g: GlobalType) -> String {
    if g.mutable {
        format!("(global (mut {}))", val_word(g.ty))
    } else {
        format!("(global {})", val_word(g.ty))
    }
}
