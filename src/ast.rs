//! The resolved module: every name replaced by a typed index, every abbreviation expanded.
//!
//! This is what the encoder reads and what the linker builds; it cannot hold an unresolved name.
//! Index spaces follow the binary format: imports come first in each space. Names the text gave live
//! in [`Names`], for the name section; spans live beside the nodes so validation errors can be mapped
//! back to the text (`Span::default()` for synthesized nodes).

use crate::instr::Op;
use crate::span::Span;

macro_rules! index_types {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u32);
        impl $name {
            /// The raw index.
            pub fn index(self) -> u32 { self.0 }
        }
    )*};
}

index_types! {
    /// An index into the type section.
    TypeIdx;
    /// An index into the function space (imports first).
    FuncIdx;
    /// An index into the table space (imports first).
    TableIdx;
    /// An index into the memory space (imports first).
    MemIdx;
    /// An index into the global space (imports first).
    GlobalIdx;
    /// An index into the element segments.
    ElemIdx;
    /// An index into the data segments.
    DataIdx;
    /// An index into a function's locals (parameters first).
    LocalIdx;
    /// A branch depth: 0 is the innermost enclosing block.
    LabelIdx;
    /// An index into the tag space (imports first).
    TagIdx;
}

/// A heap type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// `func`
    Func,
    /// `extern`
    Extern,
    /// A concrete type: function (typed function references), struct or array (GC).
    Type(TypeIdx),
    /// `any`
    Any,
    /// `eq`
    Eq,
    /// `i31`
    I31,
    /// `struct`
    Struct,
    /// `array`
    Array,
    /// `none`
    None,
    /// `nofunc`
    NoFunc,
    /// `noextern`
    NoExtern,
    /// `exn`
    Exn,
    /// `noexn`
    NoExn,
}

/// A reference type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether null is a value of the type.
    pub nullable: bool,
    /// The heap type.
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`
    pub const FUNCREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Func,
    };
    /// `externref`
    pub const EXTERNREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Extern,
    };
}

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

/// A function type.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

/// What a struct field or array element holds: a value type, or a packed integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// A value type.
    Val(ValType),
}

/// A struct field or array element: `(mut i8)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldType {
    /// What it holds.
    pub storage: StorageType,
    /// Whether it can be set.
    pub mutable: bool,
}

/// A composite type: what a type definition defines.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompositeType {
    /// `(func …)`
    Func(FuncType),
    /// `(struct (field …)*)`
    Struct(Vec<FieldType>),
    /// `(array (mut? t))`
    Array(FieldType),
}

/// A type definition: `(sub final? $super? composite)`, or a composite type alone (final, no
/// supertype).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubType {
    /// No subtype may declare this one its supertype.
    pub is_final: bool,
    /// The declared supertype.
    pub supertype: Option<TypeIdx>,
    /// What is defined.
    pub composite: CompositeType,
}

impl SubType {
    /// The function type, if this is one.
    pub fn func(&self) -> Option<&FuncType> {
        match &self.composite {
            CompositeType::Func(f) => Some(f),
            _ => None,
        }
    }
}

impl From<FuncType> for SubType {
    /// `(type (func …))`: final, no supertype.
    fn from(f: FuncType) -> SubType {
        SubType {
            is_final: true,
            supertype: None,
            composite: CompositeType::Func(f),
        }
    }
}

/// An explicit recursive group `(rec (type …)*)`: its first type and how many it holds. Types in
/// no explicit group are each a group of their own (encoded without the `rec` prefix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecGroup {
    /// The first type of the group.
    pub start: TypeIdx,
    /// The number of types (0 for `(rec)`).
    pub len: u32,
}

pub use crate::text::syntax::{Limits, MemoryType};

/// A table type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableType {
    /// Size limits in elements.
    pub limits: Limits,
    /// Element type.
    pub elem: RefType,
    /// `i64` address type.
    pub table64: bool,
}

/// A global type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GlobalType {
    /// Value type.
    pub ty: ValType,
    /// Mutability.
    pub mutable: bool,
}

/// A block type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockType {
    /// `[] -> []`
    Empty,
    /// `[] -> [t]`
    Value(ValType),
    /// Any other type, by index.
    Type(TypeIdx),
}

/// A memory argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemArg {
    /// The memory.
    pub mem: MemIdx,
    /// The static offset.
    pub offset: u64,
    /// log2 of the alignment in bytes.
    pub align_log2: u32,
}

/// Resolved immediates. Which variant an instruction has follows from its [`crate::instr::ImmKind`].
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Imm {
    None,
    Block(BlockType),
    Label(LabelIdx),
    BrTable(Box<[LabelIdx]>, LabelIdx),
    Func(FuncIdx),
    /// `call_ref`, `return_call_ref`, `struct.new`, `array.get`, …
    Type(TypeIdx),
    /// `struct.get $t $f`: the struct type and the field's index.
    Field(TypeIdx, u32),
    /// `array.new_fixed $t n`.
    TypeCount(TypeIdx, u32),
    /// `array.new_data $t $d`, `array.init_data`.
    TypeData(TypeIdx, DataIdx),
    /// `array.new_elem $t $e`, `array.init_elem`.
    TypeElem(TypeIdx, ElemIdx),
    /// `array.copy $dst $src`.
    TypeType(TypeIdx, TypeIdx),
    /// `ref.test rt`, `ref.cast rt`.
    Cast(RefType),
    /// `br_on_cast $l rt1 rt2`, `br_on_cast_fail` (boxed: inline, the two reference types would
    /// make every instruction 8 bytes longer).
    BrOnCast(Box<(LabelIdx, RefType, RefType)>),
    /// `throw $e`.
    Tag(TagIdx),
    /// `try_table bt catch*`.
    TryTable(Box<(BlockType, Vec<Catch>)>),
    /// `call_indirect`: type, then table (binary order).
    CallIndirect(TypeIdx, TableIdx),
    Local(LocalIdx),
    Global(GlobalIdx),
    Table(TableIdx),
    Memory(MemIdx),
    MemArg(MemArg),
    MemArgLane(MemArg, u8),
    Lane(u8),
    /// `memory.init`: data, then memory (binary order).
    MemoryInit(DataIdx, MemIdx),
    Data(DataIdx),
    /// `memory.copy`: destination, then source.
    MemoryCopy(MemIdx, MemIdx),
    /// `table.init`: element segment, then table (binary order).
    TableInit(ElemIdx, TableIdx),
    Elem(ElemIdx),
    /// `table.copy`: destination, then source.
    TableCopy(TableIdx, TableIdx),
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(Box<u128>),
    Shuffle(Box<[u8; 16]>),
    /// `select` with types (encoded 0x1c); untyped `select` has `Imm::None`.
    Select(Box<[ValType]>),
    RefNull(HeapType),
}

// A body is held as a vector of instructions while it is encoded: keep immediates small (a rare
// instruction's large immediates go in a box).
const _: () = assert!(size_of::<Imm>() <= 24);

/// A catch clause of `try_table`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Catch {
    /// `(catch $e $l)`
    One(TagIdx, LabelIdx),
    /// `(catch_ref $e $l)`
    OneRef(TagIdx, LabelIdx),
    /// `(catch_all $l)`
    All(LabelIdx),
    /// `(catch_all_ref $l)`
    AllRef(LabelIdx),
}

/// One instruction.
#[derive(Clone, Debug, PartialEq)]
pub struct Instr {
    /// Which instruction.
    pub op: Op,
    /// Its immediates.
    pub imm: Imm,
    /// Where it was written (`Span::default()` if synthesized).
    pub span: Span,
}

impl Instr {
    /// An instruction with no source location.
    pub fn new(op: Op, imm: Imm) -> Instr {
        Instr {
            op,
            imm,
            span: Span::default(),
        }
    }
}

/// A constant expression (without its final `end`).
pub type ConstExpr = Vec<Instr>;

/// What an import brings in.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum ImportKind {
    Func(TypeIdx),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// An exception tag of this function type.
    Tag(TypeIdx),
}

/// An import.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// Module name.
    pub module: String,
    /// Field name.
    pub field: String,
    /// What is imported.
    pub kind: ImportKind,
    /// Where it was declared.
    pub span: Span,
}

/// A defined function.
#[derive(Clone, Debug, PartialEq)]
pub struct Func {
    /// Its type.
    pub ty: TypeIdx,
    /// Declared locals (parameters not included).
    pub locals: Vec<ValType>,
    /// The body, without the final `end`.
    pub body: Vec<Instr>,
    /// Where it was declared.
    pub span: Span,
}

/// A defined table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Its type.
    pub ty: TableType,
    /// Initial element value, if given.
    pub init: Option<ConstExpr>,
}

/// A defined global.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// Its type.
    pub ty: GlobalType,
    /// Initialiser.
    pub init: ConstExpr,
}

/// The kind of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

/// An export.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// The name.
    pub name: String,
    /// The kind.
    pub kind: ExternKind,
    /// Index in the kind's space.
    pub index: u32,
    /// Where it was declared.
    pub span: Span,
}

/// An element segment's contents.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemItems {
    /// Function indices (encoded in the compact `elemkind` forms).
    Funcs(Vec<FuncIdx>),
    /// Expressions of a reference type.
    Exprs(RefType, Vec<ConstExpr>),
}

/// An element segment's mode.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemMode {
    /// Passive.
    Passive,
    /// Declarative.
    Declared,
    /// Active: copied into `table` at `offset` on instantiation.
    Active {
        /// The table; `explicit` says whether the text named it (affects which encoding is chosen).
        table: TableIdx,
        /// Whether the table index must be encoded even when 0.
        explicit: bool,
        /// Offset expression.
        offset: ConstExpr,
    },
}

/// An element segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Elem {
    /// Mode.
    pub mode: ElemMode,
    /// Contents.
    pub items: ElemItems,
}

/// A data segment's mode.
#[derive(Clone, Debug, PartialEq)]
pub enum DataMode {
    /// Passive.
    Passive,
    /// Active: copied into `memory` at `offset` on instantiation.
    Active {
        /// The memory.
        memory: MemIdx,
        /// Offset expression.
        offset: ConstExpr,
    },
}

/// A data segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// Mode.
    pub mode: DataMode,
    /// Contents.
    pub bytes: Vec<u8>,
    /// `(@place …)`: a segment for the linker to place (it is passive until then).
    pub place: Option<Placement>,
}

pub use crate::text::syntax::PlaceKind;

/// `(data $name (@place kind (align N)? (size N)?) …)`, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The segment's `$id` without `$` (empty if it had none, which the linker reports).
    pub name: String,
    /// What it holds.
    pub kind: PlaceKind,
    /// Alignment in bytes.
    pub align: u64,
    /// `(size N)`: bytes to reserve (bss only).
    pub size: Option<u64>,
    /// Where the annotation was written.
    pub span: Span,
}

pub use crate::text::syntax::{CustomPlace, SectionId};

/// A custom section.
#[derive(Clone, Debug, PartialEq)]
pub struct Custom {
    /// Section name.
    pub name: String,
    /// Placement relative to the standard sections.
    pub place: CustomPlace,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Names for the name section, from the text's `$ids`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    /// The module's name.
    pub module: Option<String>,
    /// Function names by function index.
    pub funcs: Vec<(FuncIdx, String)>,
    /// Local names: per function index, (local index, name).
    pub locals: Vec<(FuncIdx, Vec<(LocalIdx, String)>)>,
    /// Label names: per function index, (label ordinal in the body, name).
    pub labels: Vec<(FuncIdx, Vec<(u32, String)>)>,
    /// Type names.
    pub types: Vec<(TypeIdx, String)>,
    /// Table names.
    pub tables: Vec<(TableIdx, String)>,
    /// Memory names.
    pub memories: Vec<(MemIdx, String)>,
    /// Global names.
    pub globals: Vec<(GlobalIdx, String)>,
    /// Element segment names.
    pub elems: Vec<(ElemIdx, String)>,
    /// Data segment names.
    pub datas: Vec<(DataIdx, String)>,
    /// Tag names.
    pub tags: Vec<(TagIdx, String)>,
    /// Field names: per struct type, (field index, name).
    pub fields: Vec<(TypeIdx, Vec<(u32, String)>)>,
}

/// A resolved module.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Module {
    /// Types, in index order.
    pub types: Vec<SubType>,
    /// The explicit `(rec …)` groups among `types`, in order.
    pub rec_groups: Vec<RecGroup>,
    /// Imports, in declaration order.
    pub imports: Vec<Import>,
    /// Defined functions (indices follow imported functions).
    pub funcs: Vec<Func>,
    /// Defined tables.
    pub tables: Vec<Table>,
    /// Defined memories.
    pub memories: Vec<MemoryType>,
    /// Defined globals.
    pub globals: Vec<Global>,
    /// Defined tags: each one's function type.
    pub tags: Vec<TypeIdx>,
    /// Exports.
    pub exports: Vec<Export>,
    /// Start function.
    pub start: Option<FuncIdx>,
    /// Element segments.
    pub elems: Vec<Elem>,
    /// Data segments.
    pub datas: Vec<Data>,
    /// Custom sections (the name section is generated from `names`).
    pub customs: Vec<Custom>,
    /// Names from the text.
    pub names: Names,
}

impl Module {
    /// Number of imported entities of a kind.
    pub fn imported(&self, kind: ExternKind) -> u32 {
        let n = self
            .imports
            .iter()
            .filter(|i| {
                matches!(
                    (&i.kind, kind),
                    (ImportKind::Func(_), ExternKind::Func)
                        | (ImportKind::Table(_), ExternKind::Table)
                        | (ImportKind::Memory(_), ExternKind::Memory)
                        | (ImportKind::Global(_), ExternKind::Global)
                        | (ImportKind::Tag(_), ExternKind::Tag)
                )
            })
            .count();
        n as u32
    }
}
