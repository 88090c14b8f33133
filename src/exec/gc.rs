//! Garbage collection: reference cells, the store's canonical GC types, the heap of structs and
//! arrays, the collector, and the GC instructions (`struct.*`, `array.*`, `i31`, casts).
//!
//! **Cells.** A reference is one 64-bit cell; 0 is null. Its top two bits tell what it is:
//! - `00`: a value the other ops give meaning: a function handle + 1 (func hierarchy) or an
//!   external value + 1 (extern hierarchy, and in the any hierarchy an internalized external
//!   value);
//! - `01`: an i31, its 31 bits in the low bits: no allocation;
//! - `10`, `11`: a struct or an array: a handle into the [`Heap`], the object's index in the
//!   low 32 bits and its slot's generation above them.
//!
//! So `any.convert_extern` and `extern.convert_any` are the identity on cells: an externalized
//! struct stays a struct cell in an `externref`, and converting back gives the same reference.
//!
//! **Types.** Each store type id (see [`super::Store::intern_group`]) has an [`RtType`]: its
//! kind, its declared supertype (a store id: subtyping walks these), and its layout. Recursion
//! groups are interned whole, keyed by their [`DefType`]s in canonical form (types outside the
//! group by store id, inside it by position), so equivalent groups of any modules share ids and
//! a cast or `call_indirect` compares ids.
//!
//! **Heap and collector.** Objects live in a `Vec` of slots behind handles (no pointers into
//! it); a freed slot goes to a free list and its generation moves on, so a stale handle (one
//! the host kept) is recognized. Collection is mark and sweep, non-moving, triggered when the
//! bytes allocated since the last collection pass the live bytes after it (at least
//! [`MIN_GC_BYTES`]), or when an allocation would pass the heap limit
//! ([`super::Limits::max_heap_bytes`]). Roots: the live part of the cell stack (cells are
//! untyped, so it is scanned conservatively: a cell is a root only if it decodes as a live
//! object's handle, generation included), globals, tables, element segments, and exception
//! payloads ([`GcCx::exns`]). Objects are traced precisely by their types.

use std::sync::Arc;

use super::code::Slot;
use super::{FullType, FuncEntity, GlobalEntity, HeapTy, RefTy, TableEntity, TrapCode};

// ---------------------------------------------------------------------------------------------
// Cells

const TAG_MASK: u64 = 3 << 62;
const TAG_I31: u64 = 1 << 62;
const TAG_STRUCT: u64 = 2 << 62;
const TAG_ARRAY: u64 = 3 << 62;
/// Generations take the 30 bits between the tag and the index.
const GEN_MASK: u32 = (1 << 30) - 1;

/// What a non-null reference cell is, by its tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CellKind {
    /// A function or an external value (or null).
    Plain,
    I31,
    Struct,
    Array,
}

pub(crate) fn cell_kind(c: u64) -> CellKind {
    match c & TAG_MASK {
        0 => CellKind::Plain,
        TAG_I31 => CellKind::I31,
        TAG_STRUCT => CellKind::Struct,
        _ => CellKind::Array,
    }
}

/// `ref.i31`: the low 31 bits of `v`.
pub(crate) fn i31_cell(v: u32) -> u64 {
    TAG_I31 | (v & 0x7fff_ffff) as u64
}

/// `i31.get_s` / `i31.get_u` of a non-null i31 cell, as an i32's bits.
pub(crate) fn i31_get(c: u64, signed: bool) -> u32 {
    let v = c as u32 & 0x7fff_ffff;
    if signed {
        ((v << 1) as i32 >> 1) as u32
    } else {
        v
    }
}

fn obj_cell(kind: Kind, gen_: u32, index: u32) -> u64 {
    let tag = if kind == Kind::Array {
        TAG_ARRAY
    } else {
        TAG_STRUCT
    };
    tag | ((gen_ & GEN_MASK) as u64) << 32 | index as u64
}

// ---------------------------------------------------------------------------------------------
// Types

/// A field's storage type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Storage {
    I8,
    I16,
    Val(FullType),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Field {
    pub(crate) storage: Storage,
    pub(crate) mutable: bool,
}

/// A composite type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Comp {
    Func(Vec<FullType>, Vec<FullType>),
    Struct(Vec<Field>),
    Array(Field),
}

/// A defined type as declared: in a module, concrete heap types are module type indices; as a
/// store key, store ids ([`HeapTy::Concrete`]) or positions in the own group ([`HeapTy::Rec`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DefType {
    pub(crate) is_final: bool,
    pub(crate) sup: Option<HeapTy>,
    pub(crate) comp: Comp,
}

impl DefType {
    /// A final function type with no supertype (every type of a module without GC, and every
    /// host function's type).
    pub(crate) fn func(params: Vec<FullType>, results: Vec<FullType>) -> DefType {
        DefType {
            is_final: true,
            sup: None,
            comp: Comp::Func(params, results),
        }
    }

    /// With every concrete heap type mapped by `f`.
    pub(crate) fn map(&self, f: impl Fn(u32) -> HeapTy) -> DefType {
        let field = |x: &Field| Field {
            storage: match x.storage {
                Storage::Val(t) => Storage::Val(t.map(&f)),
                s => s,
            },
            ..*x
        };
        DefType {
            is_final: self.is_final,
            sup: self.sup.map(|h| match h {
                HeapTy::Concrete(i) => f(i),
                h => h,
            }),
            comp: match &self.comp {
                Comp::Func(p, r) => Comp::Func(
                    p.iter().map(|t| t.map(&f)).collect(),
                    r.iter().map(|t| t.map(&f)).collect(),
                ),
                Comp::Struct(fs) => Comp::Struct(fs.iter().map(field).collect()),
                Comp::Array(x) => Comp::Array(field(x)),
            },
        }
    }

    pub(crate) fn is_func(&self) -> bool {
        matches!(self.comp, Comp::Func(..))
    }
}

/// The kind of a defined type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Func,
    Struct,
    Array,
}

/// How a field or element sits in an object's cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repr {
    I8,
    I16,
    /// i32 or f32 (a zero-extended cell).
    B32,
    /// i64 or f64.
    B64,
    /// Two cells.
    V128,
    /// A reference.
    Ref,
}

impl Repr {
    fn of(s: Storage) -> Repr {
        use super::ValType as V;
        match s {
            Storage::I8 => Repr::I8,
            Storage::I16 => Repr::I16,
            Storage::Val(FullType::Ref(_)) => Repr::Ref,
            Storage::Val(FullType::Num(V::I32 | V::F32)) => Repr::B32,
            Storage::Val(FullType::Num(V::V128)) => Repr::V128,
            Storage::Val(FullType::Num(_)) => Repr::B64,
        }
    }

    fn cells(self) -> usize {
        if self == Repr::V128 { 2 } else { 1 }
    }

    /// Bytes of one element in a data segment.
    fn bytes(self) -> usize {
        match self {
            Repr::I8 => 1,
            Repr::I16 => 2,
            Repr::B32 => 4,
            Repr::B64 | Repr::Ref => 8,
            Repr::V128 => 16,
        }
    }

    /// A value as a field of this representation keeps it (packed fields wrap).
    fn pack(self, v: u64) -> u64 {
        match self {
            Repr::I8 => v & 0xff,
            Repr::I16 => v & 0xffff,
            _ => v,
        }
    }
}

/// A store type as execution needs it.
#[derive(Clone, Debug)]
pub(crate) struct RtType {
    pub(crate) kind: Kind,
    /// The declared supertype's store id.
    pub(crate) sup: Option<u32>,
    /// A struct's fields (representation, first cell); an array's element (one entry).
    fields: Vec<(Repr, u32)>,
    /// Cells of a struct; of an array element.
    cells: u32,
    /// A struct's cells that hold references; for an array, whether its elements are ones.
    refs: Vec<u32>,
}

impl RtType {
    /// The runtime form of `d`, a type of the group whose first store id is `first`.
    pub(crate) fn new(d: &DefType, first: u32) -> RtType {
        let sup = d.sup.and_then(|h| match h {
            HeapTy::Concrete(i) => Some(i),
            HeapTy::Rec(r) => Some(first + r),
            HeapTy::Abstract(_) => None,
        });
        let mut t = RtType {
            kind: Kind::Func,
            sup,
            fields: Vec::new(),
            cells: 0,
            refs: Vec::new(),
        };
        match &d.comp {
            Comp::Func(..) => {}
            Comp::Struct(fs) => {
                t.kind = Kind::Struct;
                for f in fs {
                    let r = Repr::of(f.storage);
                    if r == Repr::Ref {
                        t.refs.push(t.cells);
                    }
                    t.fields.push((r, t.cells));
                    t.cells += r.cells() as u32;
                }
            }
            Comp::Array(f) => {
                t.kind = Kind::Array;
                let r = Repr::of(f.storage);
                t.fields.push((r, 0));
                t.cells = r.cells() as u32;
                if r == Repr::Ref {
                    t.refs.push(0);
                }
            }
        }
        t
    }

    fn elem(&self) -> Repr {
        self.fields.first().map_or(Repr::B64, |f| f.0)
    }
}

/// Whether store type `a` is `b` or declares it as a (transitive) supertype.
pub(crate) fn is_subtype(types: &[RtType], mut a: u32, b: u32) -> bool {
    loop {
        if a == b {
            return true;
        }
        match types.get(a as usize).and_then(|t| t.sup) {
            Some(s) => a = s,
            None => return false,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The heap

/// Bytes an object takes beyond its cells (its slot, its vector's header).
const OBJ_OVERHEAD: u64 = 40;
/// The least allocation between two collections.
pub(crate) const MIN_GC_BYTES: u64 = 1 << 20;

struct Obj {
    gen_: u32,
    ty: u32,
    live: bool,
    marked: bool,
    data: Vec<u64>,
}

/// The store's heap of structs and arrays.
pub(crate) struct Heap {
    objs: Vec<Obj>,
    free: Vec<u32>,
    /// Bytes of live (not yet collected) objects.
    bytes: u64,
    /// Bytes allocated since the last collection, and the amount that triggers the next.
    since: u64,
    next_gc: u64,
    /// The most bytes the heap may hold.
    pub(crate) limit: u64,
    worklist: Vec<u32>,
    /// Collections so far.
    pub(crate) collections: u64,
}

impl Heap {
    pub(crate) fn new(limit: u64) -> Heap {
        Heap {
            objs: Vec::new(),
            free: Vec::new(),
            bytes: 0,
            since: 0,
            next_gc: MIN_GC_BYTES,
            limit,
            worklist: Vec::new(),
            collections: 0,
        }
    }

    /// Bytes of objects not yet collected.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The slot of a live object's cell.
    fn index(&self, c: u64) -> Option<usize> {
        if c & TAG_STRUCT == 0 {
            return None;
        }
        let i = c as u32 as usize;
        let o = self.objs.get(i)?;
        (o.live && o.gen_ == (c >> 32) as u32 & GEN_MASK).then_some(i)
    }

    /// Whether `c` is a live object's cell (or not an object's at all).
    pub(crate) fn is_valid(&self, c: u64) -> bool {
        c & TAG_STRUCT == 0 || self.index(c).is_some()
    }

    /// The store type of the object `c`.
    pub(crate) fn type_of(&self, c: u64) -> Option<u32> {
        self.index(c).map(|i| self.objs[i].ty)
    }

    /// Whether `bytes` more fit without a collection (by the trigger) and within the limit.
    fn fits(&self, bytes: u64) -> bool {
        self.since.saturating_add(bytes) <= self.next_gc
            && self.bytes.saturating_add(bytes) <= self.limit
    }

    /// Allocates an object of store type `ty` (of kind `kind`) holding `data`; no collection.
    pub(crate) fn alloc(&mut self, kind: Kind, ty: u32, data: Vec<u64>) -> Result<u64, TrapCode> {
        let size = OBJ_OVERHEAD + data.len() as u64 * 8;
        if self.bytes.saturating_add(size) > self.limit {
            return Err(TrapCode::HeapExhausted);
        }
        self.bytes += size;
        self.since += size;
        let obj = |gen_| Obj {
            gen_,
            ty,
            live: true,
            marked: false,
            data,
        };
        let i = match self.free.pop() {
            Some(i) => {
                let g = self.objs[i as usize].gen_;
                self.objs[i as usize] = obj(g);
                i
            }
            None => {
                let i = u32::try_from(self.objs.len()).map_err(|_| TrapCode::HeapExhausted)?;
                self.objs.push(obj(0));
                i
            }
        };
        Ok(obj_cell(kind, self.objs[i as usize].gen_, i))
    }

    /// Mark from `roots`, then sweep every unmarked object into the free list.
    pub(crate) fn collect(&mut self, types: &[RtType], roots: impl Iterator<Item = u64>) {
        self.collections += 1;
        for r in roots {
            self.mark(r);
        }
        while let Some(i) = self.worklist.pop() {
            let o = &self.objs[i as usize];
            let Some(t) = types.get(o.ty as usize) else {
                continue;
            };
            if t.refs.is_empty() {
                continue;
            }
            // Borrow the data out while marking what it references.
            let data = std::mem::take(&mut self.objs[i as usize].data);
            if t.kind == Kind::Array {
                for &c in &data {
                    self.mark(c);
                }
            } else {
                for &at in &t.refs {
                    if let Some(&c) = data.get(at as usize) {
                        self.mark(c);
                    }
                }
            }
            self.objs[i as usize].data = data;
        }
        let mut live = 0;
        for (i, o) in self.objs.iter_mut().enumerate() {
            if !o.live {
                continue;
            }
            if o.marked {
                o.marked = false;
                live += OBJ_OVERHEAD + o.data.len() as u64 * 8;
            } else {
                o.live = false;
                o.data = Vec::new();
                o.gen_ = o.gen_.wrapping_add(1) & GEN_MASK;
                self.free.push(i as u32);
            }
        }
        self.bytes = live;
        self.since = 0;
        self.next_gc = live.max(MIN_GC_BYTES);
    }

    fn mark(&mut self, c: u64) {
        if let Some(i) = self.index(c)
            && !self.objs[i].marked
        {
            self.objs[i].marked = true;
            self.worklist.push(i as u32);
        }
    }

    fn obj(&self, c: u64) -> Option<&Obj> {
        self.index(c).map(|i| &self.objs[i])
    }

    fn obj_mut(&mut self, c: u64) -> Option<&mut Obj> {
        self.index(c).map(|i| &mut self.objs[i])
    }
}

// ---------------------------------------------------------------------------------------------
// Casts

/// Whether reference cell `c` is of type `t` (store terms). Validation put `c` in `t`'s
/// hierarchy, which tells what a plain cell is.
pub(crate) fn ref_matches(
    c: u64,
    t: RefTy,
    heap: &Heap,
    types: &[RtType],
    funcs: &[FuncEntity],
) -> bool {
    use wasmparser::AbstractHeapType as A;
    if c == 0 {
        return t.nullable;
    }
    match t.heap {
        HeapTy::Abstract(a) => match a {
            A::Func | A::Extern | A::Any | A::Exn | A::Cont => true,
            A::Eq => cell_kind(c) != CellKind::Plain,
            A::I31 => cell_kind(c) == CellKind::I31,
            A::Struct => cell_kind(c) == CellKind::Struct,
            A::Array => cell_kind(c) == CellKind::Array,
            _ => false,
        },
        HeapTy::Concrete(want) => match types.get(want as usize).map(|t| t.kind) {
            Some(Kind::Func) => funcs
                .get((c - 1) as usize)
                .is_some_and(|f| is_subtype(types, f.ty, want)),
            Some(_) => heap
                .type_of(c)
                .is_some_and(|have| is_subtype(types, have, want)),
            None => false,
        },
        HeapTy::Rec(_) => false,
    }
}

// ---------------------------------------------------------------------------------------------
// The instructions

/// Sign or zero extension of a packed field read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ext {
    None,
    S,
    U,
}

/// A GC instruction of a function: its kind, where its operands start (`a`; bulk operands
/// follow in their canonical cells) and where its result goes (`dst`). Type indices are the
/// module's.
#[derive(Clone, Copy, Debug)]
pub(crate) struct GcSite {
    pub(crate) kind: GcKind,
    pub(crate) a: Slot,
    pub(crate) dst: Slot,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum GcKind {
    /// Field values at `a..`.
    StructNew {
        ty: u32,
    },
    StructNewDefault {
        ty: u32,
    },
    StructGet {
        ty: u32,
        field: u32,
        ext: Ext,
    },
    /// Reference at `a`, value at `a + 1..`.
    StructSet {
        ty: u32,
        field: u32,
    },
    /// Value at `a..`, length after it.
    ArrayNew {
        ty: u32,
    },
    /// Length at `a`.
    ArrayNewDefault {
        ty: u32,
    },
    /// `n` values at `a..`.
    ArrayNewFixed {
        ty: u32,
        n: u32,
    },
    /// Offset, length at `a`, `a + 1`.
    ArrayNewData {
        ty: u32,
        seg: u32,
    },
    ArrayNewElem {
        ty: u32,
        seg: u32,
    },
    /// Reference, index at `a`, `a + 1`.
    ArrayGet {
        ty: u32,
        ext: Ext,
    },
    /// Reference, index, value at `a..`.
    ArraySet {
        ty: u32,
    },
    ArrayLen,
    /// Reference, offset, value, length.
    ArrayFill {
        ty: u32,
    },
    /// Destination reference and offset, source reference and offset, length.
    ArrayCopy {
        dst_ty: u32,
    },
    /// Reference, destination offset, source offset, length.
    ArrayInitData {
        ty: u32,
        seg: u32,
    },
    ArrayInitElem {
        seg: u32,
    },
    /// `ref.test`: 1 or 0 into `dst`.
    RefTest {
        target: RefTy,
    },
    /// `ref.cast`: the reference stays at `a`, or a trap.
    RefCast {
        target: RefTy,
    },
    RefI31,
    I31Get {
        signed: bool,
    },
}

/// What the GC instructions reach of the store and the running frame.
pub(crate) struct GcCx<'a> {
    pub(crate) heap: &'a mut Heap,
    pub(crate) types: &'a [RtType],
    pub(crate) funcs: &'a [FuncEntity],
    /// Store type id of each module type.
    pub(crate) inst_types: &'a [u32],
    /// The whole cell stack; the frame starts at `fp`, the live part ends at `top`.
    pub(crate) stack: &'a mut [u64],
    pub(crate) fp: usize,
    pub(crate) top: usize,
    pub(crate) globals: &'a [GlobalEntity],
    pub(crate) tables: &'a [TableEntity],
    pub(crate) elems: &'a [Vec<u64>],
    pub(crate) inst_elems: &'a [u32],
    pub(crate) datas: &'a [Arc<[u8]>],
    pub(crate) inst_datas: &'a [u32],
    /// The store's exception objects: their payloads are roots.
    pub(crate) exns: &'a super::Exns,
}

impl GcCx<'_> {
    /// The operands of `array.init_data`/`array.init_elem` at `a..a + 4` (array, destination
    /// index, source offset, length): the array's heap index, then the three numbers, once the
    /// array is known non-null and the destination range (of `w`-cell elements) inside it.
    fn array_init_operands(
        &self,
        a: Slot,
        w: usize,
    ) -> Result<(usize, usize, usize, usize), TrapCode> {
        let [d, sx, n] = [1, 2, 3].map(|k| self.r(a + k) as u32 as usize);
        let di = self
            .heap
            .index(self.r(a))
            .ok_or(TrapCode::NullArrayReference)?;
        if (d + n) * w > self.heap.objs[di].data.len() {
            return Err(TrapCode::ArrayOutOfBounds);
        }
        Ok((di, d, sx, n))
    }

    fn r(&self, s: Slot) -> u64 {
        self.stack[self.fp + s as usize]
    }

    fn w(&mut self, s: Slot, v: u64) {
        self.stack[self.fp + s as usize] = v;
    }

    fn ty(&self, module_ty: u32) -> u32 {
        self.inst_types[module_ty as usize]
    }

    fn rt(&self, module_ty: u32) -> &RtType {
        &self.types[self.ty(module_ty) as usize]
    }

    /// Makes room for an object of `cells` cells: collects first if the trigger or the limit
    /// says so; traps if it still does not fit.
    fn reserve(&mut self, cells: u64) -> Result<(), TrapCode> {
        let bytes = cells
            .checked_mul(8)
            .and_then(|b| b.checked_add(OBJ_OVERHEAD))
            .ok_or(TrapCode::HeapExhausted)?;
        if self.heap.fits(bytes) {
            return Ok(());
        }
        self.collect();
        if self.heap.bytes.saturating_add(bytes) > self.heap.limit {
            return Err(TrapCode::HeapExhausted);
        }
        Ok(())
    }

    /// A collection with every root this context reaches.
    pub(crate) fn collect(&mut self) {
        let stack = &self.stack[..self.top.min(self.stack.len())];
        let globals = self.globals.iter().map(|g| g.value as u64);
        let tables = self.tables.iter().flat_map(|t| t.elems.iter().copied());
        let elems = self.elems.iter().flat_map(|e| e.iter().copied());
        let roots = stack
            .iter()
            .copied()
            .chain(globals)
            .chain(tables)
            .chain(elems)
            .chain(self.exns.items.iter().flat_map(|e| e.cells.iter().copied()));
        self.heap.collect(self.types, roots);
    }

    /// Allocates an object of module type `ty` from `data` (reserved already).
    fn alloc(&mut self, ty: u32, data: Vec<u64>) -> Result<u64, TrapCode> {
        let id = self.ty(ty);
        let kind = self.types[id as usize].kind;
        self.heap.alloc(kind, id, data)
    }

    /// The `n`-cell value at slot `s`, packed as `r` keeps it.
    fn read_val(&self, s: Slot, r: Repr, out: &mut Vec<u64>) {
        out.push(r.pack(self.r(s)));
        if r == Repr::V128 {
            out.push(self.r(s + 1));
        }
    }

    /// Writes `cells` (one or two) of representation `r` to `dst`, extended as `ext` says.
    fn write_val(&mut self, dst: Slot, r: Repr, cells: &[u64], ext: Ext) {
        let v = cells[0];
        let v = match (r, ext) {
            (Repr::I8, Ext::S) => v as i8 as i32 as u32 as u64,
            (Repr::I16, Ext::S) => v as i16 as i32 as u32 as u64,
            _ => v,
        };
        self.w(dst, v);
        if r == Repr::V128 {
            self.w(dst + 1, cells[1]);
        }
    }
}

/// Runs GC instruction `s`; the fuel units it costs beyond one.
pub(crate) fn exec(c: &mut GcCx<'_>, s: &GcSite) -> Result<u64, TrapCode> {
    use GcKind as K;
    let a = s.a;
    match s.kind {
        K::StructNew { ty } => {
            let t = c.rt(ty);
            let n = t.cells as u64;
            let fields = t.fields.clone();
            c.reserve(n)?;
            let mut data = Vec::with_capacity(n as usize);
            for (r, at) in fields {
                c.read_val(a + at, r, &mut data);
            }
            let v = c.alloc(ty, data)?;
            c.w(s.dst, v);
        }
        K::StructNewDefault { ty } => {
            let n = c.rt(ty).cells as u64;
            c.reserve(n)?;
            let v = c.alloc(ty, vec![0; n as usize])?;
            c.w(s.dst, v);
        }
        K::StructGet { ty, field, ext } => {
            let (r, at) = c.rt(ty).fields[field as usize];
            let o = c.heap.obj(c.r(a)).ok_or(TrapCode::NullStructReference)?;
            let at = at as usize;
            let cells = [o.data[at], o.data.get(at + 1).copied().unwrap_or(0)];
            c.write_val(s.dst, r, &cells, ext);
        }
        K::StructSet { ty, field } => {
            let (r, at) = c.rt(ty).fields[field as usize];
            let mut v = Vec::with_capacity(2);
            c.read_val(a + 1, r, &mut v);
            let reference = c.r(a);
            let o = c
                .heap
                .obj_mut(reference)
                .ok_or(TrapCode::NullStructReference)?;
            o.data[at as usize..at as usize + v.len()].copy_from_slice(&v);
        }
        K::ArrayNew { ty } => {
            let r = c.rt(ty).elem();
            let w = r.cells();
            let n = c.r(a + w as u32) as u32 as u64;
            c.reserve(n * w as u64)?;
            let mut v = Vec::with_capacity(2);
            c.read_val(a, r, &mut v);
            let mut data = Vec::with_capacity(n as usize * w);
            for _ in 0..n {
                data.extend_from_slice(&v);
            }
            let v = c.alloc(ty, data)?;
            c.w(s.dst, v);
            return Ok(n);
        }
        K::ArrayNewDefault { ty } => {
            let w = c.rt(ty).elem().cells() as u64;
            let n = c.r(a) as u32 as u64;
            c.reserve(n * w)?;
            let v = c.alloc(ty, vec![0; (n * w) as usize])?;
            c.w(s.dst, v);
            return Ok(n);
        }
        K::ArrayNewFixed { ty, n } => {
            let r = c.rt(ty).elem();
            let w = r.cells() as u32;
            c.reserve(n as u64 * w as u64)?;
            let mut data = Vec::with_capacity((n * w) as usize);
            for k in 0..n {
                c.read_val(a + k * w, r, &mut data);
            }
            let v = c.alloc(ty, data)?;
            c.w(s.dst, v);
            return Ok(n as u64);
        }
        K::ArrayNewData { ty, seg } => {
            let r = c.rt(ty).elem();
            let (off, n) = (c.r(a) as u32 as usize, c.r(a + 1) as u32 as usize);
            let data = &c.datas[c.inst_datas[seg as usize] as usize];
            let bytes = n
                .checked_mul(r.bytes())
                .and_then(|b| b.checked_add(off))
                .filter(|&end| end <= data.len())
                .ok_or(TrapCode::MemoryOutOfBounds)?;
            let data = data[off..bytes].to_vec();
            c.reserve((n * r.cells()) as u64)?;
            let cells = decode_elems(&data, r);
            let v = c.alloc(ty, cells)?;
            c.w(s.dst, v);
            return Ok(n as u64);
        }
        K::ArrayNewElem { ty, seg } => {
            let (off, n) = (c.r(a) as u32 as usize, c.r(a + 1) as u32 as usize);
            let items = &c.elems[c.inst_elems[seg as usize] as usize];
            let items = off
                .checked_add(n)
                .filter(|&end| end <= items.len())
                .map(|end| items[off..end].to_vec())
                .ok_or(TrapCode::TableOutOfBounds)?;
            c.reserve(n as u64)?;
            let v = c.alloc(ty, items)?;
            c.w(s.dst, v);
            return Ok(n as u64);
        }
        K::ArrayGet { ty, ext } => {
            let r = c.rt(ty).elem();
            let w = r.cells();
            let i = c.r(a + 1) as u32 as usize;
            let o = c.heap.obj(c.r(a)).ok_or(TrapCode::NullArrayReference)?;
            let at = i.checked_mul(w).filter(|&at| at + w <= o.data.len());
            let at = at.ok_or(TrapCode::ArrayOutOfBounds)?;
            let cells = [o.data[at], o.data.get(at + 1).copied().unwrap_or(0)];
            c.write_val(s.dst, r, &cells, ext);
        }
        K::ArraySet { ty } => {
            let r = c.rt(ty).elem();
            let w = r.cells();
            let i = c.r(a + 1) as u32 as usize;
            let mut v = Vec::with_capacity(2);
            c.read_val(a + 2, r, &mut v);
            let reference = c.r(a);
            let o = c
                .heap
                .obj_mut(reference)
                .ok_or(TrapCode::NullArrayReference)?;
            let at = i * w;
            if at + w > o.data.len() {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            o.data[at..at + w].copy_from_slice(&v);
        }
        K::ArrayLen => {
            let reference = c.r(a);
            let o = c.heap.obj(reference).ok_or(TrapCode::NullArrayReference)?;
            let w = c
                .types
                .get(o.ty as usize)
                .map_or(1, |t| t.cells.max(1) as usize);
            let n = (o.data.len() / w) as u64;
            c.w(s.dst, n);
        }
        K::ArrayFill { ty } => {
            let r = c.rt(ty).elem();
            let w = r.cells();
            let d = c.r(a + 1) as u32 as usize;
            let mut v = Vec::with_capacity(2);
            c.read_val(a + 2, r, &mut v);
            let n = c.r(a + 2 + w as u32) as u32 as usize;
            let reference = c.r(a);
            let o = c
                .heap
                .obj_mut(reference)
                .ok_or(TrapCode::NullArrayReference)?;
            if (d + n) * w > o.data.len() {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            for k in d..d + n {
                o.data[k * w..(k + 1) * w].copy_from_slice(&v);
            }
            return Ok(n as u64);
        }
        K::ArrayCopy { dst_ty } => {
            let w = c.rt(dst_ty).elem().cells();
            let (dr, d, sr, sx, n) = (
                c.r(a),
                c.r(a + 1) as u32 as usize,
                c.r(a + 2),
                c.r(a + 3) as u32 as usize,
                c.r(a + 4) as u32 as usize,
            );
            let (di, si) = match (c.heap.index(dr), c.heap.index(sr)) {
                (Some(di), Some(si)) => (di, si),
                _ => return Err(TrapCode::NullArrayReference),
            };
            let (dlen, slen) = (c.heap.objs[di].data.len(), c.heap.objs[si].data.len());
            if (d + n) * w > dlen || (sx + n) * w > slen {
                return Err(TrapCode::ArrayOutOfBounds);
            }
            let (d, sx, n) = (d * w, sx * w, n * w);
            if di == si {
                c.heap.objs[di].data.copy_within(sx..sx + n, d);
            } else {
                let tmp = c.heap.objs[si].data[sx..sx + n].to_vec();
                c.heap.objs[di].data[d..d + n].copy_from_slice(&tmp);
            }
            return Ok((n / w.max(1)) as u64);
        }
        K::ArrayInitData { ty, seg } => {
            let r = c.rt(ty).elem();
            let w = r.cells();
            let (di, d, sx, n) = c.array_init_operands(a, w)?;
            let data = &c.datas[c.inst_datas[seg as usize] as usize];
            let end = n
                .checked_mul(r.bytes())
                .and_then(|b| b.checked_add(sx))
                .filter(|&end| end <= data.len())
                .ok_or(TrapCode::MemoryOutOfBounds)?;
            let cells = decode_elems(&data[sx..end], r);
            c.heap.objs[di].data[d * w..(d + n) * w].copy_from_slice(&cells);
            return Ok(n as u64);
        }
        K::ArrayInitElem { seg } => {
            let (di, d, sx, n) = c.array_init_operands(a, 1)?;
            let items = &c.elems[c.inst_elems[seg as usize] as usize];
            if sx + n > items.len() {
                return Err(TrapCode::TableOutOfBounds);
            }
            c.heap.objs[di].data[d..d + n].copy_from_slice(&items[sx..sx + n]);
            return Ok(n as u64);
        }
        K::RefTest { target } => {
            let ok = matches_target(c, c.r(a), target);
            c.w(s.dst, ok as u64);
        }
        K::RefCast { target } => {
            if !matches_target(c, c.r(a), target) {
                return Err(TrapCode::CastFailure);
            }
        }
        K::RefI31 => {
            let v = i31_cell(c.r(a) as u32);
            c.w(s.dst, v);
        }
        K::I31Get { signed } => match c.r(a) {
            0 => return Err(TrapCode::NullI31Reference),
            v => c.w(s.dst, i31_get(v, signed) as u64),
        },
    }
    Ok(0)
}

fn matches_target(c: &GcCx<'_>, cell: u64, target: RefTy) -> bool {
    let t = target.map(|i| HeapTy::Concrete(c.inst_types[i as usize]));
    ref_matches(cell, t, c.heap, c.types, c.funcs)
}

/// The elements of representation `r` in `bytes` (little-endian), as cells.
fn decode_elems(bytes: &[u8], r: Repr) -> Vec<u64> {
    let n = r.bytes();
    let mut out = Vec::with_capacity(bytes.len() / n * r.cells());
    for e in bytes.chunks_exact(n) {
        let mut b = [0u8; 16];
        b[..n].copy_from_slice(e);
        let v = u128::from_le_bytes(b);
        out.push(v as u64);
        if r == Repr::V128 {
            out.push((v >> 64) as u64);
        }
    }
    out
}

/// The cells of an object made by a constant expression: `struct.new` (values in field order),
/// `struct.new_default`, `array.new`, `array.new_default`, `array.new_fixed` (see
/// [`super::Store::eval`]). Values are `u128`s (a v128 whole).
pub(crate) fn const_object(
    heap: &mut Heap,
    types: &[RtType],
    id: u32,
    op: ConstAlloc,
    vals: &[u128],
) -> Result<u64, TrapCode> {
    let t = &types[id as usize];
    let mut data = Vec::new();
    let push = |data: &mut Vec<u64>, r: Repr, v: u128| {
        data.push(r.pack(v as u64));
        if r == Repr::V128 {
            data.push((v >> 64) as u64);
        }
    };
    match op {
        ConstAlloc::New => {
            if t.kind == Kind::Struct {
                for (&(r, _), &v) in t.fields.iter().zip(vals) {
                    push(&mut data, r, v);
                }
            } else {
                let (v, n) = (vals[0], vals[1] as u32 as u64);
                let cells = n.saturating_mul(t.cells as u64).saturating_mul(8);
                if cells > heap.limit {
                    return Err(TrapCode::HeapExhausted);
                }
                for _ in 0..n {
                    push(&mut data, t.elem(), v);
                }
            }
        }
        ConstAlloc::Default => {
            let n = if t.kind == Kind::Struct {
                t.cells as u64
            } else {
                (vals[0] as u32 as u64).saturating_mul(t.cells as u64)
            };
            if n.saturating_mul(8) > heap.limit {
                return Err(TrapCode::HeapExhausted);
            }
            data = vec![0; n as usize];
        }
        ConstAlloc::Fixed => {
            for &v in vals {
                push(&mut data, t.elem(), v);
            }
        }
    }
    heap.alloc(t.kind, id, data)
}

/// Which allocation a constant expression makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConstAlloc {
    /// `struct.new`, `array.new`.
    New,
    /// `struct.new_default`, `array.new_default`.
    Default,
    /// `array.new_fixed`.
    Fixed,
}

#[cfg(test)]
mod tests {
    use crate::error::Class;
    use crate::exec::{AnyKind, Imports, Limits, Module, Store, TrapCode, Value};

    fn instance(text: &str, heap: u64) -> (Store, crate::exec::InstanceHandle) {
        let module = Module::new(&wat::parse_str(text).unwrap()).unwrap();
        let mut store = Store::new(Limits {
            max_heap_bytes: heap,
            ..Limits::default()
        });
        let inst = store.instantiate(&module, &Imports::new()).unwrap();
        (store, inst)
    }

    /// A list of the last up to 100 structs stays live while every other struct becomes
    /// garbage at once.
    const CHURN: &str = r#"(module
        (type $node (struct (field i64) (field (ref null $node))))
        (func (export "churn") (param $n i32) (result i64)
            (local $i i32) (local $list (ref null $node)) (local $sum i64)
            (loop $l
                (local.set $list
                    (struct.new $node
                        (i64.extend_i32_u (local.get $i))
                        (select (result (ref null $node))
                            (ref.null $node) (local.get $list)
                            (i32.eqz (i32.rem_u (local.get $i) (i32.const 100))))))
                (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                    (local.get $n))))
            ;; The sum of the list: the last (n - 1) % 100 + 1 numbers below n.
            (loop $sum
                (local.set $sum (i64.add (local.get $sum)
                    (struct.get $node 0 (ref.as_non_null (local.get $list)))))
                (local.set $list (struct.get $node 1 (local.get $list)))
                (br_if $sum (i32.eqz (ref.is_null (local.get $list)))))
            (local.get $sum)))"#;

    #[test]
    fn a_loop_of_short_lived_structs_runs_in_a_small_heap() {
        // 10^7 in an optimized build (about a second), 10^6 in a debug one.
        let n: i64 = if cfg!(debug_assertions) {
            1_000_000
        } else {
            10_000_000
        };
        let limit = 64 << 10;
        let (mut store, inst) = instance(CHURN, limit);
        let got = store
            .invoke(inst, "churn", &[Value::I32(n as i32)])
            .unwrap();
        let last = (n - 1) % 100 + 1;
        let want: i64 = (n - last..n).sum();
        assert_eq!(got, vec![Value::I64(want)]);
        // 56 bytes a struct: the heap filled its 64 KiB many times over and was collected.
        assert!(
            store.gc_count() > n as u64 * 56 / limit / 2,
            "{}",
            store.gc_count()
        );
        assert!(store.heap_bytes() <= limit);
    }

    #[test]
    fn a_heap_that_stays_full_is_exhausted() {
        let text = r#"(module
            (type $node (struct (field (ref null $node))))
            (func (export "grow") (local $list (ref null $node))
                (loop $l
                    (local.set $list (struct.new $node (local.get $list)))
                    (br $l))))"#;
        let (mut store, inst) = instance(text, 1 << 20);
        let e = store.invoke(inst, "grow", &[]).unwrap_err();
        assert_eq!(e.code(), Some(TrapCode::HeapExhausted));
        assert_eq!(e.class(), Class::Exhaustion);
        assert!(e.message().starts_with("out of memory"), "{e}");
        // A huge array is refused without trying to allocate it.
        let text = r#"(module (type $a (array i64))
            (func (export "big") (result i32)
                (array.len (array.new_default $a (i32.const -1)))))"#;
        let (mut store, inst) = instance(text, 1 << 20);
        let e = store.invoke(inst, "big", &[]).unwrap_err();
        assert_eq!(e.code(), Some(TrapCode::HeapExhausted));
    }

    #[test]
    fn references_cross_the_api_and_a_collected_one_is_refused() {
        let text = r#"(module
            (type $s (struct (field i32)))
            (func (export "new") (param i32) (result (ref $s)) (struct.new $s (local.get 0)))
            (func (export "get") (param (ref null $s)) (result i32)
                (struct.get $s 0 (local.get 0)))
            (func (export "i31") (param i32) (result i31ref) (ref.i31 (local.get 0)))
            (func (export "ext") (param anyref) (result externref)
                (extern.convert_any (local.get 0)))
            (func (export "churn") (local i32)
                (loop $l
                    (drop (struct.new $s (local.get 0)))
                    (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1)))
                        (i32.const 100000))))))"#;
        let (mut store, inst) = instance(text, 1 << 20);
        let s = store.invoke(inst, "new", &[Value::I32(7)]).unwrap()[0];
        let Value::AnyRef(Some(r)) = s else {
            panic!("{s:?}")
        };
        assert_eq!(r.kind(), AnyKind::Struct);
        assert_eq!(s.to_string(), "anyref:struct");
        assert_eq!(
            store.invoke(inst, "get", &[s]).unwrap(),
            vec![Value::I32(7)]
        );
        let i = store.invoke(inst, "i31", &[Value::I32(-1)]).unwrap()[0];
        assert_eq!(i.to_string(), "anyref:i31:-1");
        let e = store.invoke(inst, "ext", &[i]).unwrap()[0];
        assert!(matches!(e, Value::ExternAny(_)), "{e:?}");
        // Only the host holds `s`: the collector frees it, and passing it back is refused.
        store.invoke(inst, "churn", &[]).unwrap();
        assert!(store.gc_count() > 0);
        let e = store.invoke(inst, "get", &[s]).unwrap_err();
        assert!(e.message().contains("collected"), "{e}");
    }
}
