//! `ast::Module` → bytes, section by section, with wasm-encoder.
//!
//! The output matches what the `wat` crate produces for the same text byte for byte (custom sections
//! aside), because it makes the same choices:
//! - sections in binary order, empty ones left out; custom sections placed around their anchor even when
//!   the anchor section itself is empty;
//! - a DataCount section exactly when some function body names a data segment (`memory.init`, `data.drop`, `array.new_data`, `array.init_data`);
//! - element segments through `ElementSection::{active, passive, declared}`, so wasm-encoder picks the
//!   flags (0–7): the table index is written when the text named the table (or it is not 0);
//! - locals grouped in runs of equal types (`Function::new_with_locals_types`);
//! - user custom sections placed `(after last)` come before the generated name section, and no name
//!   section is generated when the module already has a custom section called `name`;
//! - `(before datacount)` / `(after datacount)` customs go right around where the DataCount section is
//!   (or would be); `wat` has no such anchor, so there is nothing to match there.
//!
//! Facts checked against `wat` by the tests: typed `select` is 0x1c and a vector of types; a memory
//! argument with memory index ≠ 0 sets bit 6 of the alignment field and is followed by the index;
//! `memory.size`/`memory.grow`/`memory.fill` always write their memory index (0x00 for memory 0);
//! `call_indirect` writes the type, then the table; `block (type n)` stays a type index; every LEB is
//! minimal.
//!
//! Instructions are encoded from the instruction table: the opcode from [`Op::opcode`](crate::instr::Op::opcode), then the
//! immediates of the [`Imm`] with wasm-encoder's `Encode` impls. Nothing here matches on `Op`.

use std::borrow::Cow;

use wasm_encoder as we;
use wasm_encoder::Encode;

use super::names;
use crate::ast::{self, CustomPlace, Imm, Instr, SectionId};

/// Encodes `module`. See the module docs for the choices made.
pub(super) fn encode(module: &ast::Module) -> Vec<u8> {
    if exceeds_binary_limits(module) {
        // Every count and length in the binary format is a u32; wasm-encoder asserts on larger ones.
        // Such a module cannot be written; an empty output fails validation ("unexpected end").
        return Vec::new();
    }
    let out = Writer::head(module, data_count(module));
    let code = code(module);
    out.finish(module, &module.names, code)
}

/// The bytes of one function body as the code section holds it (locals, instructions, final
/// `end`; no size prefix), appended to `out`. `offsets` receives the offset in `out` of each
/// instruction and of the final `end`, for placing a validation error.
pub(crate) fn func_body(f: &ast::Func, out: &mut Vec<u8>, offsets: &mut Vec<u32>) {
    func_locals(&f.locals, out);
    offsets.reserve(f.body.len() + 1);
    for i in &f.body {
        func_instr(i, out, offsets);
    }
    func_end(out, offsets);
}

/// [`func_body`] in steps, for a body whose instructions come one by one: first the locals…
pub(crate) fn func_locals(locals: &[ast::ValType], out: &mut Vec<u8>) {
    let locals = we::Function::new_with_locals_types(locals.iter().map(|&t| val_type(t)));
    out.extend_from_slice(&locals.into_raw_body());
}

/// … then each instruction…
pub(crate) fn func_instr(i: &Instr, out: &mut Vec<u8>, offsets: &mut Vec<u32>) {
    offsets.push(len_u32(out.len()));
    instr(i, out);
}

/// … and the final `end`.
pub(crate) fn func_end(out: &mut Vec<u8>, offsets: &mut Vec<u32>) {
    offsets.push(len_u32(out.len()));
    out.push(0x0b);
}

/// A module being written in two steps: the sections before the code section first
/// ([`Writer::head`]), then the code section and what follows ([`Writer::finish`]), so the function
/// bodies can be encoded (and validated) one by one in between.
pub(crate) struct Writer<'a> {
    wasm: we::Module,
    customs: &'a [ast::Custom],
}

impl<'a> Writer<'a> {
    /// Writes every section of `module` that precedes the code section, with the custom sections
    /// placed before the code section. `data_count`: whether some body uses `memory.init` or
    /// `data.drop` (then a DataCount section is written, as `wat` does).
    pub(crate) fn head(module: &'a ast::Module, data_count: bool) -> Writer<'a> {
        let mut out = Writer {
            wasm: we::Module::new(),
            customs: &module.customs,
        };
        out.customs(CustomPlace::BeforeFirst);
        out.section(SectionId::Type, types(module));
        out.section(SectionId::Import, imports(module));
        out.section(SectionId::Func, functions(module));
        out.section(SectionId::Table, tables(module));
        out.section(SectionId::Memory, memories(module));
        out.section(SectionId::Tag, tags(module));
        out.section(SectionId::Global, globals(module));
        out.section(SectionId::Export, exports(module));
        out.section(
            SectionId::Start,
            module.start.map(|f| we::StartSection {
                function_index: f.0,
            }),
        );
        out.section(SectionId::Elem, elements(module));
        let count = data_count.then(|| we::DataCountSection {
            count: len_u32(module.datas.len()),
        });
        out.section(SectionId::DataCount, count);
        out.customs(CustomPlace::Before(SectionId::Code));
        out
    }

    /// The bytes written so far.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.wasm.as_slice()
    }

    /// Writes the code section (if any) and every section after it; `module` is the one given to
    /// [`Writer::head`], `names` its names (completed by the function bodies).
    pub(crate) fn finish(
        mut self,
        module: &ast::Module,
        names: &ast::Names,
        code: Option<we::CodeSection>,
    ) -> Vec<u8> {
        if let Some(code) = code {
            self.wasm.section(&code);
        }
        self.customs(CustomPlace::After(SectionId::Code));
        self.section(SectionId::Data, datas(module));
        self.customs(CustomPlace::AfterLast);
        if !module.customs.iter().any(|c| c.name == "name")
            && let Some(names) = names::name_section(names)
        {
            self.wasm.section(&names);
        }
        self.wasm.finish()
    }

    /// Writes the custom sections placed at `place`, in declaration order.
    fn customs(&mut self, place: CustomPlace) {
        for custom in self.customs.iter().filter(|c| c.place == place) {
            self.wasm.section(&we::CustomSection {
                name: Cow::Borrowed(&custom.name),
                data: Cow::Borrowed(&custom.bytes),
            });
        }
    }

    /// Writes a standard section (if present) with the custom sections anchored before and after it.
    fn section(&mut self, id: SectionId, section: Option<impl we::Section>) {
        self.customs(CustomPlace::Before(id));
        if let Some(section) = section {
            self.wasm.section(&section);
        }
        self.customs(CustomPlace::After(id));
    }
}

/// `Some(section)` unless nothing was added to it.
fn nonempty<S>(section: S, len: u32) -> Option<S> {
    (len > 0).then_some(section)
}

/// The type section: a type in no explicit `(rec …)` group is written alone (a group of one without
/// the `rec` prefix, as `wat` does); an explicit group is written with it, even of one type or none.
fn types(m: &ast::Module) -> Option<we::TypeSection> {
    let mut s = we::TypeSection::new();
    let mut groups = m.rec_groups.iter().peekable();
    let mut i = 0usize;
    while i < m.types.len() || groups.peek().is_some() {
        match groups.peek() {
            Some(g) if g.start.0 as usize <= i => {
                let (start, len) = (g.start.0 as usize, g.len as usize);
                let end = (start + len).min(m.types.len());
                s.ty()
                    .rec(m.types[start.min(end)..end].iter().map(sub_type));
                i = i.max(end);
                groups.next();
            }
            _ => {
                s.ty().subtype(&sub_type(&m.types[i]));
                i += 1;
            }
        }
    }
    let n = s.len();
    nonempty(s, n)
}

fn sub_type(t: &ast::SubType) -> we::SubType {
    let field = |f: &ast::FieldType| we::FieldType {
        element_type: match f.storage {
            ast::StorageType::I8 => we::StorageType::I8,
            ast::StorageType::I16 => we::StorageType::I16,
            ast::StorageType::Val(v) => we::StorageType::Val(val_type(v)),
        },
        mutable: f.mutable,
    };
    let inner = match &t.composite {
        ast::CompositeType::Func(f) => we::CompositeInnerType::Func(we::FuncType::new(
            f.params.iter().map(|&t| val_type(t)),
            f.results.iter().map(|&t| val_type(t)),
        )),
        ast::CompositeType::Struct(fields) => we::CompositeInnerType::Struct(we::StructType {
            fields: fields.iter().map(field).collect(),
        }),
        ast::CompositeType::Array(f) => we::CompositeInnerType::Array(we::ArrayType(field(f))),
    };
    we::SubType {
        is_final: t.is_final,
        supertype_idxs: t.supertype.map(|s| s.0).into_iter().collect(),
        composite_type: we::CompositeType {
            inner,
            shared: false,
            descriptor: None,
            describes: None,
        },
    }
}

fn tags(m: &ast::Module) -> Option<we::TagSection> {
    let mut s = we::TagSection::new();
    for t in &m.tags {
        s.tag(tag_type(*t));
    }
    let n = s.len();
    nonempty(s, n)
}

fn tag_type(t: ast::TypeIdx) -> we::TagType {
    we::TagType {
        kind: we::TagKind::Exception,
        func_type_idx: t.0,
    }
}

fn imports(m: &ast::Module) -> Option<we::ImportSection> {
    let mut s = we::ImportSection::new();
    for import in &m.imports {
        let ty = match &import.kind {
            ast::ImportKind::Func(t) => we::EntityType::Function(t.0),
            ast::ImportKind::Table(t) => we::EntityType::Table(table_type(t)),
            ast::ImportKind::Memory(t) => we::EntityType::Memory(memory_type(t)),
            ast::ImportKind::Global(t) => we::EntityType::Global(global_type(t)),
            ast::ImportKind::Tag(t) => we::EntityType::Tag(tag_type(*t)),
        };
        s.import(&import.module, &import.field, ty);
    }
    let n = s.len();
    nonempty(s, n)
}

fn functions(m: &ast::Module) -> Option<we::FunctionSection> {
    let mut s = we::FunctionSection::new();
    for f in &m.funcs {
        s.function(f.ty.0);
    }
    let n = s.len();
    nonempty(s, n)
}

fn tables(m: &ast::Module) -> Option<we::TableSection> {
    let mut s = we::TableSection::new();
    for t in &m.tables {
        match &t.init {
            Some(init) => s.table_with_init(table_type(&t.ty), &const_expr(init)),
            None => s.table(table_type(&t.ty)),
        };
    }
    let n = s.len();
    nonempty(s, n)
}

fn memories(m: &ast::Module) -> Option<we::MemorySection> {
    let mut s = we::MemorySection::new();
    for mem in &m.memories {
        s.memory(memory_type(mem));
    }
    let n = s.len();
    nonempty(s, n)
}

fn globals(m: &ast::Module) -> Option<we::GlobalSection> {
    let mut s = we::GlobalSection::new();
    for g in &m.globals {
        s.global(global_type(&g.ty), &const_expr(&g.init));
    }
    let n = s.len();
    nonempty(s, n)
}

fn exports(m: &ast::Module) -> Option<we::ExportSection> {
    let mut s = we::ExportSection::new();
    for e in &m.exports {
        let kind = match e.kind {
            ast::ExternKind::Func => we::ExportKind::Func,
            ast::ExternKind::Table => we::ExportKind::Table,
            ast::ExternKind::Memory => we::ExportKind::Memory,
            ast::ExternKind::Global => we::ExportKind::Global,
            ast::ExternKind::Tag => we::ExportKind::Tag,
        };
        s.export(&e.name, kind, e.index);
    }
    let n = s.len();
    nonempty(s, n)
}

fn elements(m: &ast::Module) -> Option<we::ElementSection> {
    let mut s = we::ElementSection::new();
    for elem in &m.elems {
        let exprs: Vec<we::ConstExpr>;
        let items = match &elem.items {
            ast::ElemItems::Funcs(fs) => {
                we::Elements::Functions(Cow::Owned(fs.iter().map(|f| f.0).collect()))
            }
            ast::ElemItems::Exprs(ty, es) => {
                exprs = es.iter().map(|e| const_expr(e)).collect();
                we::Elements::Expressions(ref_type(*ty), Cow::Borrowed(&exprs))
            }
        };
        match &elem.mode {
            ast::ElemMode::Passive => s.passive(items),
            ast::ElemMode::Declared => s.declared(items),
            ast::ElemMode::Active {
                table,
                explicit,
                offset,
            } => {
                // Like `wat`: the table index is written only when the text named the table (the
                // flags then say so); a non-zero table must be written however the module was built.
                let table = (*explicit || table.0 != 0).then_some(table.0);
                s.active(table, &const_expr(offset), items)
            }
        };
    }
    let n = s.len();
    nonempty(s, n)
}

/// Whether a DataCount section is written: (like `wat`) when a function body refers to a data
/// segment ([`Op::names_data`](crate::instr::Op::names_data)).
fn data_count(m: &ast::Module) -> bool {
    m.funcs
        .iter()
        .flat_map(|f| &f.body)
        .any(|i| i.op.names_data())
}

fn code(m: &ast::Module) -> Option<we::CodeSection> {
    let mut s = we::CodeSection::new();
    let (mut body, mut offsets) = (Vec::new(), Vec::new());
    for f in &m.funcs {
        body.clear();
        offsets.clear();
        func_body(f, &mut body, &mut offsets);
        s.raw(&body);
    }
    let n = s.len();
    nonempty(s, n)
}

fn datas(m: &ast::Module) -> Option<we::DataSection> {
    let mut s = we::DataSection::new();
    for d in &m.datas {
        let bytes = d.bytes.iter().copied();
        match &d.mode {
            ast::DataMode::Passive => s.passive(bytes),
            ast::DataMode::Active { memory, offset } => {
                s.active(memory.0, &const_expr(offset), bytes)
            }
        };
    }
    let n = s.len();
    nonempty(s, n)
}

/// Encodes one instruction: its opcode from the table, then its immediates.
pub(super) fn instr(i: &Instr, sink: &mut Vec<u8>) {
    match &i.imm {
        // Typed `select` shares its row (and keyword) with untyped `select` but has its own opcode.
        Imm::Select(types) => {
            sink.push(0x1c);
            len_u32(types.len()).encode(sink);
            for &t in types.iter() {
                val_type(t).encode(sink);
            }
            return;
        }
        // `ref.test null`/`ref.cast null` are the next sub-opcode after their non-null form.
        Imm::Cast(rt) if rt.nullable => match i.op.opcode() {
            crate::instr::Opcode::Prefixed(p, sub) => {
                crate::instr::Opcode::Prefixed(p, sub + 1).encode(sink)
            }
            single => single.encode(sink),
        },
        _ => i.op.opcode().encode(sink),
    }
    imm(&i.imm, sink);
    if i.op.imm() == crate::instr::ImmKind::Fence {
        sink.push(0); // `atomic.fence`'s reserved flags byte
    }
}

/// Encodes the immediates of an instruction, in binary order.
fn imm(imm: &Imm, sink: &mut Vec<u8>) {
    match imm {
        Imm::None | Imm::Select(_) => {}
        Imm::Block(bt) => block_type(*bt).encode(sink),
        Imm::Label(l) => l.0.encode(sink),
        Imm::BrTable(labels, default) => {
            len_u32(labels.len()).encode(sink);
            for l in labels.iter() {
                l.0.encode(sink);
            }
            default.0.encode(sink);
        }
        Imm::Func(x) => x.0.encode(sink),
        Imm::Type(x) => x.0.encode(sink),
        Imm::Field(t, f) => {
            t.0.encode(sink);
            f.encode(sink);
        }
        Imm::TypeCount(t, n) => {
            t.0.encode(sink);
            n.encode(sink);
        }
        Imm::TypeData(t, d) => {
            t.0.encode(sink);
            d.0.encode(sink);
        }
        Imm::TypeElem(t, e) => {
            t.0.encode(sink);
            e.0.encode(sink);
        }
        Imm::TypeType(a, b) => {
            a.0.encode(sink);
            b.0.encode(sink);
        }
        Imm::Cast(rt) => heap_type(rt.heap).encode(sink),
        Imm::BrOnCast(b) => {
            let (l, from, to) = &**b;
            sink.push(u8::from(from.nullable) | u8::from(to.nullable) << 1);
            l.0.encode(sink);
            heap_type(from.heap).encode(sink);
            heap_type(to.heap).encode(sink);
        }
        Imm::Tag(t) => t.0.encode(sink),
        Imm::TryTable(t) => {
            let (bt, catches) = &**t;
            block_type(*bt).encode(sink);
            len_u32(catches.len()).encode(sink);
            for c in catches {
                match *c {
                    ast::Catch::One(tag, l) => we::Catch::One {
                        tag: tag.0,
                        label: l.0,
                    },
                    ast::Catch::OneRef(tag, l) => we::Catch::OneRef {
                        tag: tag.0,
                        label: l.0,
                    },
                    ast::Catch::All(l) => we::Catch::All { label: l.0 },
                    ast::Catch::AllRef(l) => we::Catch::AllRef { label: l.0 },
                }
                .encode(sink);
            }
        }
        Imm::CallIndirect(ty, table) => {
            ty.0.encode(sink);
            table.0.encode(sink);
        }
        Imm::Local(x) => x.0.encode(sink),
        Imm::Global(x) => x.0.encode(sink),
        Imm::Table(x) => x.0.encode(sink),
        Imm::Memory(x) => x.0.encode(sink),
        Imm::MemArg(m) => mem_arg(m).encode(sink),
        Imm::MemArgLane(m, lane) => {
            mem_arg(m).encode(sink);
            sink.push(*lane);
        }
        Imm::Lane(lane) => sink.push(*lane),
        Imm::MemoryInit(data, mem) => {
            data.0.encode(sink);
            mem.0.encode(sink);
        }
        Imm::Data(x) => x.0.encode(sink),
        Imm::MemoryCopy(dst, src) => {
            dst.0.encode(sink);
            src.0.encode(sink);
        }
        Imm::TableInit(elem, table) => {
            elem.0.encode(sink);
            table.0.encode(sink);
        }
        Imm::Elem(x) => x.0.encode(sink),
        Imm::TableCopy(dst, src) => {
            dst.0.encode(sink);
            src.0.encode(sink);
        }
        Imm::I32(v) => v.encode(sink),
        Imm::I64(v) => v.encode(sink),
        Imm::F32(bits) => sink.extend_from_slice(&bits.to_le_bytes()),
        Imm::F64(bits) => sink.extend_from_slice(&bits.to_le_bytes()),
        Imm::V128(v) => sink.extend_from_slice(&v.to_le_bytes()),
        Imm::Shuffle(lanes) => sink.extend_from_slice(&lanes[..]),
        Imm::RefNull(heap) => heap_type(*heap).encode(sink),
    }
}

/// A constant expression; wasm-encoder appends the final `end`.
fn const_expr(expr: &[Instr]) -> we::ConstExpr {
    let mut bytes = Vec::new();
    for i in expr {
        instr(i, &mut bytes);
    }
    we::ConstExpr::raw(bytes)
}

fn mem_arg(m: &ast::MemArg) -> we::MemArg {
    we::MemArg {
        offset: m.offset,
        align: m.align_log2,
        target: we::MemArgTarget::Memory(m.mem.0),
        ordering: None,
    }
}

fn block_type(bt: ast::BlockType) -> we::BlockType {
    match bt {
        ast::BlockType::Empty => we::BlockType::Empty,
        ast::BlockType::Value(t) => we::BlockType::Result(val_type(t)),
        ast::BlockType::Type(t) => we::BlockType::FunctionType(t.0),
    }
}

pub(super) fn val_type(t: ast::ValType) -> we::ValType {
    match t {
        ast::ValType::I32 => we::ValType::I32,
        ast::ValType::I64 => we::ValType::I64,
        ast::ValType::F32 => we::ValType::F32,
        ast::ValType::F64 => we::ValType::F64,
        ast::ValType::V128 => we::ValType::V128,
        ast::ValType::Ref(r) => we::ValType::Ref(ref_type(r)),
    }
}

fn ref_type(r: ast::RefType) -> we::RefType {
    we::RefType {
        nullable: r.nullable,
        heap_type: heap_type(r.heap),
    }
}

fn heap_type(h: ast::HeapType) -> we::HeapType {
    let abs = |ty| we::HeapType::Abstract { shared: false, ty };
    match h {
        ast::HeapType::Func => abs(we::AbstractHeapType::Func),
        ast::HeapType::Extern => abs(we::AbstractHeapType::Extern),
        ast::HeapType::Type(t) => we::HeapType::Concrete(t.0),
        ast::HeapType::Any => abs(we::AbstractHeapType::Any),
        ast::HeapType::Eq => abs(we::AbstractHeapType::Eq),
        ast::HeapType::I31 => abs(we::AbstractHeapType::I31),
        ast::HeapType::Struct => abs(we::AbstractHeapType::Struct),
        ast::HeapType::Array => abs(we::AbstractHeapType::Array),
        ast::HeapType::None => abs(we::AbstractHeapType::None),
        ast::HeapType::NoFunc => abs(we::AbstractHeapType::NoFunc),
        ast::HeapType::NoExtern => abs(we::AbstractHeapType::NoExtern),
        ast::HeapType::Exn => abs(we::AbstractHeapType::Exn),
        ast::HeapType::NoExn => abs(we::AbstractHeapType::NoExn),
    }
}

fn table_type(t: &ast::TableType) -> we::TableType {
    we::TableType {
        element_type: ref_type(t.elem),
        table64: t.table64,
        minimum: t.limits.min,
        maximum: t.limits.max,
        shared: false,
    }
}

fn memory_type(t: &ast::MemoryType) -> we::MemoryType {
    we::MemoryType {
        minimum: t.limits.min,
        maximum: t.limits.max,
        memory64: t.memory64,
        shared: t.shared,
        page_size_log2: t.page_size_log2,
    }
}

fn global_type(t: &ast::GlobalType) -> we::GlobalType {
    we::GlobalType {
        val_type: val_type(t.ty),
        mutable: t.mutable,
        shared: false,
    }
}

/// A length as the binary format's u32; [`exceeds_binary_limits`] has ruled out larger ones.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether some count, length or size of `m` may not fit the binary format's u32 (wasm-encoder would
/// panic). A generous estimate of the whole output: at most 64 bytes per entity or instruction, plus
/// every byte string and name. Only a synthesized module of several GiB can exceed it.
pub(super) fn exceeds_binary_limits(m: &ast::Module) -> bool {
    fn exprs<'a>(es: impl IntoIterator<Item = &'a ast::ConstExpr>) -> usize {
        es.into_iter()
            .map(|e| e.len())
            .fold(0, usize::saturating_add)
    }
    let instrs = m.funcs.iter().flat_map(|f| &f.body).map(|i| {
        1 + match &i.imm {
            Imm::BrTable(labels, _) => labels.len(),
            Imm::Select(types) => types.len(),
            Imm::TryTable(t) => t.1.len(),
            _ => 0,
        }
    });
    let elems = m.elems.iter().map(|e| match (&e.mode, &e.items) {
        (mode, ast::ElemItems::Funcs(fs)) => fs.len() + offset_len(mode),
        (mode, ast::ElemItems::Exprs(_, es)) => exprs(es) + es.len() + offset_len(mode),
    });
    let datas = m.datas.iter().map(|d| match &d.mode {
        ast::DataMode::Passive => 1,
        ast::DataMode::Active { offset, .. } => 1 + offset.len(),
    });
    let entities = [
        m.types
            .iter()
            .map(|t| match &t.composite {
                ast::CompositeType::Func(f) => 1 + f.params.len() + f.results.len(),
                ast::CompositeType::Struct(fields) => 1 + fields.len(),
                ast::CompositeType::Array(_) => 2,
            })
            .fold(0, usize::saturating_add),
        m.tags.len() + m.rec_groups.len(),
        m.imports.len(),
        m.funcs
            .iter()
            .map(|f| 1 + f.locals.len())
            .fold(0, usize::saturating_add),
        instrs.fold(0, usize::saturating_add),
        m.tables
            .iter()
            .map(|t| 1 + t.init.as_ref().map_or(0, Vec::len))
            .fold(0, usize::saturating_add),
        m.memories.len(),
        m.globals.len() + exprs(m.globals.iter().map(|g| &g.init)),
        m.exports.len(),
        elems.fold(0, usize::saturating_add),
        datas.fold(0, usize::saturating_add),
    ];
    let n = &m.names;
    let strings = [
        m.imports
            .iter()
            .map(|i| i.module.len() + i.field.len())
            .sum::<usize>(),
        m.exports.iter().map(|e| e.name.len()).sum(),
        m.datas.iter().map(|d| d.bytes.len()).sum(),
        m.customs.iter().map(|c| c.name.len() + c.bytes.len()).sum(),
        n.module.as_ref().map_or(0, String::len),
        named(&n.funcs) + named(&n.types) + named(&n.tables) + named(&n.memories),
        named(&n.globals) + named(&n.elems) + named(&n.datas),
        n.locals.iter().map(|(_, l)| named(l)).sum(),
        n.labels.iter().map(|(_, l)| named(l)).sum(),
    ];
    let total = entities
        .iter()
        .fold(0usize, |acc, &k| acc.saturating_add(k.saturating_mul(64)))
        .saturating_add(strings.iter().fold(0, |acc, &k| acc.saturating_add(k)));
    total > u32::MAX as usize
}

/// Instructions in an element segment's offset.
fn offset_len(mode: &ast::ElemMode) -> usize {
    match mode {
        ast::ElemMode::Active { offset, .. } => offset.len(),
        _ => 0,
    }
}

/// Bytes of names, with 8 for each index.
fn named<I>(names: &[(I, String)]) -> usize {
    names
        .iter()
        .map(|(_, s)| 8 + s.len())
        .fold(0, usize::saturating_add)
}
