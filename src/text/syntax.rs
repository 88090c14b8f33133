//! The parse tree: the module as written, with a span on every node.
//!
//! Names stay names ([`Index::Id`]), abbreviations that add module fields stay inline (inline
//! imports/exports, `(memory (data …))`, `(table funcref (elem …))`, type uses with inline types), so
//! `crate::resolve` can report errors against what the user wrote. Context-free abbreviations are
//! already expanded by the grammar: folded instructions are flat ([`flatten`]), `(param i32 i64)` is two
//! params, and so on.

use std::borrow::Cow;

use crate::instr::Op;
use crate::span::Span;

/// An identifier `$name` (stored without `$`; `$"a b"` is stored unescaped as `a b`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Id<'a> {
    /// The name, without `$`.
    pub name: Cow<'a, str>,
    /// Where it was written, `$` included.
    pub span: Span,
}

/// A reference to an entity: by number or by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Index<'a> {
    /// `3`
    Num(u32, Span),
    /// `$f`
    Id(Id<'a>),
}

impl Index<'_> {
    /// Where the index was written.
    pub fn span(&self) -> Span {
        match self {
            Index::Num(_, s) => *s,
            Index::Id(id) => id.span,
        }
    }
}

/// A name in an import or export, or a custom section's name: a string that must be valid UTF-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The decoded name.
    pub name: String,
    /// Where the string was written.
    pub span: Span,
}

/// A heap type: `func`, `extern`, a type index (typed references), or one of GC's and exception
/// handling's abstract heap types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeapType<'a> {
    /// `func`
    Func,
    /// `extern`
    Extern,
    /// `$t` (typed function references)
    Index(Index<'a>),
    /// `any`, `eq`, `i31`, `struct`, `array`, `none`, `nofunc`, `noextern`, `exn`, `noexn`.
    Abstract(AbsHeap),
}

/// The abstract heap types GC and exception handling add (`func` and `extern` have their own
/// [`HeapType`] variants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum AbsHeap {
    Any,
    Eq,
    I31,
    Struct,
    Array,
    None,
    NoFunc,
    NoExtern,
    Exn,
    NoExn,
}

impl AbsHeap {
    /// The heap type named `word` in `(ref null? word)`, or abbreviated as `wordref`.
    pub fn from_word(word: &str) -> Option<AbsHeap> {
        Some(match word {
            "any" => AbsHeap::Any,
            "eq" => AbsHeap::Eq,
            "i31" => AbsHeap::I31,
            "struct" => AbsHeap::Struct,
            "array" => AbsHeap::Array,
            "none" => AbsHeap::None,
            "nofunc" => AbsHeap::NoFunc,
            "noextern" => AbsHeap::NoExtern,
            "exn" => AbsHeap::Exn,
            "noexn" => AbsHeap::NoExn,
            _ => return None,
        })
    }
}

/// A reference type: `funcref` is `(ref null func)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefType<'a> {
    /// Whether `null` is a value of the type.
    pub nullable: bool,
    /// The heap type.
    pub heap: HeapType<'a>,
}

/// A value type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ValType<'a> {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType<'a>),
}

/// `(param $x i32)`: one parameter (the grammar splits `(param i32 i64)` into two).
#[derive(Clone, Debug, PartialEq)]
pub struct Param<'a> {
    /// `$x`, only allowed when the declaration names a single parameter.
    pub id: Option<Id<'a>>,
    /// The type.
    pub ty: ValType<'a>,
    /// The `(param …)` this came from.
    pub span: Span,
}

/// `(func (param …)* (result …)*)` as written in a type definition or inline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FuncType<'a> {
    /// Parameters, in order.
    pub params: Vec<Param<'a>>,
    /// Results, in order.
    pub results: Vec<ValType<'a>>,
}

/// A type use: `(type $t)? (param …)* (result …)*`.
///
/// With an index and no inline part it refers to that type; with both, they must agree; with only an
/// inline part, `crate::resolve` finds or appends the matching type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypeUse<'a> {
    /// `(type $t)`
    pub index: Option<Index<'a>>,
    /// The inline params and results.
    pub inline: FuncType<'a>,
    /// Where the type use was written (empty at the position it would be, when absent).
    pub span: Span,
}

/// Limits: `min max?`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// Minimum size.
    pub min: u64,
    /// Maximum size.
    pub max: Option<u64>,
}

/// `(table limits reftype)`'s type.
#[derive(Clone, Debug, PartialEq)]
pub struct TableType<'a> {
    /// Size limits, in elements.
    pub limits: Limits,
    /// Element type.
    pub elem: RefType<'a>,
    /// `i64` address type (table64).
    pub table64: bool,
}

/// A memory type: `i64? limits shared? (pagesize N)?`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MemoryType {
    /// Size limits, in pages.
    pub limits: Limits,
    /// `shared` (threads).
    pub shared: bool,
    /// `i64` address type (memory64).
    pub memory64: bool,
    /// `(pagesize N)` as log2 of N (custom page sizes).
    pub page_size_log2: Option<u32>,
}

/// `(mut t)` or `t`.
#[derive(Clone, Debug, PartialEq)]
pub struct GlobalType<'a> {
    /// The value type.
    pub ty: ValType<'a>,
    /// Whether the global is mutable.
    pub mutable: bool,
}

/// A block's label and type: `block $l (type $t)? (param …)* (result …)*`.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockType<'a> {
    /// `$l`
    pub label: Option<Id<'a>>,
    /// The block's type, as a type use.
    pub ty: TypeUse<'a>,
}

/// A memory argument: `$mem? offset=N? align=N?`.
#[derive(Clone, Debug, PartialEq)]
pub struct MemArg<'a> {
    /// The memory, when not the default 0 (boxed: rarely written, and it keeps [`Imm`] small).
    pub mem: Option<Box<Index<'a>>>,
    /// `offset=N`, 0 if absent.
    pub offset: u64,
    /// `align=N` in bytes (a power of two), the instruction's natural alignment if absent.
    pub align: Option<u64>,
}

/// `call_indirect $table? typeuse`'s immediates.
#[derive(Clone, Debug, PartialEq)]
pub struct CallIndirect<'a> {
    /// The table, when written.
    pub table: Option<Index<'a>>,
    /// The function type.
    pub ty: TypeUse<'a>,
}

/// The immediates of an instruction, as written. Which variant an instruction has is given by its
/// [`crate::instr::ImmKind`].
///
/// Every parsed instruction holds one, and the parser moves it around several times: rare large
/// immediates are boxed so the enum stays at 48 bytes (see the `sizes` test).
#[derive(Clone, Debug, PartialEq)]
pub enum Imm<'a> {
    /// No immediates.
    None,
    /// `block`, `loop`, `if`: label and type.
    /// `None` when neither is written, as for most blocks: no allocation then.
    Block(Option<Box<BlockType<'a>>>),
    /// `else $l?`, `end $l?`: the optional repeated label.
    EndLabel(Option<Id<'a>>),
    /// One index: label, function, local, global, data or element segment.
    Index(Index<'a>),
    /// An optional table or memory index: `table.get`, `memory.size`, …
    OptIndex(Option<Index<'a>>),
    /// `i32.load $m? offset=4 align=2`
    MemArg(MemArg<'a>),
    /// `v128.load8_lane $m? offset=… align=… 3`
    MemArgLane(MemArg<'a>, u8),
    /// `i8x16.extract_lane_s 3`
    Lane(u8),
    /// `br_table $a $b $default`: at least one label, the last is the default.
    BrTable(Vec<Index<'a>>),
    /// `call_indirect $table? typeuse`
    CallIndirect(Box<CallIndirect<'a>>),
    /// `memory.init $mem? $data`, `table.init $table? $elem`: target, then segment.
    Init(Box<(Option<Index<'a>>, Index<'a>)>),
    /// `memory.copy ($dst $src)?`, `table.copy ($dst $src)?`
    Copy(Option<Box<(Index<'a>, Index<'a>)>>),
    /// `i32.const`
    I32(i32),
    /// `i64.const`
    I64(i64),
    /// `f32.const`, as bits.
    F32(u32),
    /// `f64.const`, as bits.
    F64(u64),
    /// `v128.const`, as little-endian bits (boxed: a `u128` would double [`Imm`]'s alignment).
    V128(Box<u128>),
    /// `i8x16.shuffle`
    Shuffle([u8; 16]),
    /// `select (result t)*`; `None` for the untyped `select`.
    Select(Option<Vec<ValType<'a>>>),
    /// `struct.get $t $f`, `array.new_data $t $d`, `array.copy $t1 $t2`, …: two indices.
    Pair(Box<(Index<'a>, Index<'a>)>),
    /// `array.new_fixed $t n`
    IndexCount(Box<(Index<'a>, u32)>),
    /// `ref.test rt`, `ref.cast rt`
    RefType(Box<RefType<'a>>),
    /// `br_on_cast $l rt1 rt2`
    BrOnCast(Box<(Index<'a>, RefType<'a>, RefType<'a>)>),
    /// `try_table $l? bt catch*`
    TryTable(Box<TryTable<'a>>),
    /// `ref.null ht`
    RefNull(HeapType<'a>),
}

/// `try_table`'s label, block type and catch clauses.
#[derive(Clone, Debug, PartialEq)]
pub struct TryTable<'a> {
    /// Label and block type.
    pub block: BlockType<'a>,
    /// The catch clauses, in order.
    pub catches: Vec<Catch<'a>>,
}

/// A catch clause: `(catch $e $l)`, `(catch_ref $e $l)`, `(catch_all $l)`, `(catch_all_ref $l)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Catch<'a> {
    /// The tag (`None` for the `catch_all` forms).
    pub tag: Option<Index<'a>>,
    /// Whether the exception reference is pushed too (`_ref` forms).
    pub with_ref: bool,
    /// The branch target.
    pub label: Index<'a>,
}

/// One instruction in flat form.
#[derive(Clone, Debug, PartialEq)]
pub struct Instr<'a> {
    /// Which instruction.
    pub op: Op,
    /// Its immediates.
    pub imm: Imm<'a>,
    /// The keyword and immediates as written (for a folded instruction: the whole parenthesis).
    pub span: Span,
}

/// An instruction sequence as parsed, before folded forms are flattened.
///
/// Only the grammar builds these; [`flatten`] turns a sequence into flat [`Instr`]s without recursion,
/// and dropping a deep tree does not recurse either.
#[derive(Debug)]
pub enum Node<'a> {
    /// A flat instruction.
    Instr(Instr<'a>),
    /// `(op imm operand*)`: operands first, then `op`.
    Folded(Instr<'a>, Vec<Node<'a>>),
    /// `(block $l bt instr*)`, `(loop …)`: `block`, body, `end`.
    Block(Instr<'a>, Vec<Node<'a>>),
    /// `(if $l bt cond* (then instr*) (else instr*)?)`: cond, `if`, then, `else`, else-arm, `end`.
    If(Box<IfNode<'a>>),
}

/// The parts of [`Node::If`] (boxed: they would make every node twice as large).
#[derive(Debug)]
pub struct IfNode<'a> {
    /// The `if` with its label and type.
    pub instr: Instr<'a>,
    /// The folded condition operands.
    pub cond: Vec<Node<'a>>,
    /// The `(then …)` arm.
    pub then: Vec<Node<'a>>,
    /// The `(else …)` arm, with the span of its `else` keyword.
    pub els: Option<(Span, Vec<Node<'a>>)>,
}

impl Drop for Node<'_> {
    fn drop(&mut self) {
        // Move children to a worklist so a deeply nested tree is freed without recursion.
        let mut work: Vec<Node<'_>> = Vec::new();
        take_children(self, &mut work);
        while let Some(mut n) = work.pop() {
            take_children(&mut n, &mut work);
        }
    }
}

fn take_children<'a>(node: &mut Node<'a>, into: &mut Vec<Node<'a>>) {
    match node {
        Node::Instr(_) => {}
        Node::Folded(_, kids) | Node::Block(_, kids) => into.append(kids),
        Node::If(node) => {
            let IfNode {
                cond, then, els, ..
            } = &mut **node;
            into.append(cond);
            into.append(then);
            if let Some((_, e)) = els {
                into.append(e);
            }
        }
    }
}

/// Turns parsed nodes into the flat instruction sequence, without recursion.
///
/// `(block …)` gains its `end` (carrying the block's span), `(if …)` becomes
/// `cond* if then* else else* end`.
pub fn flatten(nodes: Vec<Node<'_>>) -> Vec<Instr<'_>> {
    enum Work<'a> {
        Node(Node<'a>),
        Emit(Instr<'a>),
    }
    fn marker<'a>(op: Op, span: Span) -> Instr<'a> {
        Instr {
            op,
            imm: Imm::EndLabel(None),
            span,
        }
    }
    // Moves the instruction out of a node that is about to be dropped (its children already taken).
    fn take<'a>(i: &mut Instr<'a>) -> Instr<'a> {
        let span = i.span;
        std::mem::replace(i, marker(Op::Nop, span))
    }
    fn push_all<'a>(stack: &mut Vec<Work<'a>>, kids: &mut Vec<Node<'a>>) {
        stack.extend(std::mem::take(kids).into_iter().rev().map(Work::Node));
    }
    let mut out = Vec::with_capacity(nodes.len());
    let mut stack: Vec<Work<'_>> = nodes.into_iter().rev().map(Work::Node).collect();
    while let Some(w) = stack.pop() {
        let mut node = match w {
            Work::Emit(i) => {
                out.push(i);
                continue;
            }
            Work::Node(n) => n,
        };
        match &mut node {
            Node::Instr(i) => out.push(take(i)),
            Node::Folded(i, kids) => {
                stack.push(Work::Emit(take(i)));
                push_all(&mut stack, kids);
            }
            Node::Block(i, body) => {
                stack.push(Work::Emit(marker(Op::End, i.span)));
                push_all(&mut stack, body);
                out.push(take(i));
            }
            Node::If(node) => {
                let IfNode {
                    instr,
                    cond,
                    then,
                    els,
                } = &mut **node;
                stack.push(Work::Emit(marker(Op::End, instr.span)));
                if let Some((else_span, e)) = els {
                    push_all(&mut stack, e);
                    stack.push(Work::Emit(marker(Op::Else, *else_span)));
                }
                push_all(&mut stack, then);
                stack.push(Work::Emit(take(instr)));
                push_all(&mut stack, cond);
            }
        }
    }
    out
}

/// A constant expression or any other instruction sequence outside a function body.
pub type Expr<'a> = Vec<Instr<'a>>;

/// `(local $x i32)`: one local (the grammar splits `(local i32 i64)` into two).
#[derive(Clone, Debug, PartialEq)]
pub struct Local<'a> {
    /// `$x`
    pub id: Option<Id<'a>>,
    /// The type.
    pub ty: ValType<'a>,
    /// The `(local …)` this came from.
    pub span: Span,
}

/// `(import "m" "n")` written inline in a definition.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineImport {
    /// Module name.
    pub module: Name,
    /// Field name.
    pub field: Name,
}

/// `(type $t (sub final? $super* composite))` or `(type $t composite)`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef<'a> {
    /// `$t`
    pub id: Option<Id<'a>>,
    /// Whether it is final: `(sub final …)` or no `sub` at all.
    pub is_final: bool,
    /// The declared supertypes (at most one is valid; validation says so).
    pub supers: Vec<Index<'a>>,
    /// What it defines.
    pub composite: Composite<'a>,
    /// The whole field.
    pub span: Span,
}

/// A composite type as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Composite<'a> {
    /// `(func (param …)* (result …)*)`
    Func(FuncType<'a>),
    /// `(struct (field $f? …)*)`: one entry per field (`(field i32 i64)` is two).
    Struct(Vec<FieldDecl<'a>>),
    /// `(array fieldtype)`
    Array(FieldDecl<'a>),
}

/// A struct field or array element: `(field $f (mut i8))`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl<'a> {
    /// `$f` (struct fields only, one per `(field …)` naming a single field).
    pub id: Option<Id<'a>>,
    /// What it holds.
    pub storage: StorageType<'a>,
    /// `(mut …)`
    pub mutable: bool,
}

/// `i8`, `i16`, or a value type.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum StorageType<'a> {
    I8,
    I16,
    Val(ValType<'a>),
}

/// `(tag $e? (export …)* (import …)? typeuse)`
#[derive(Clone, Debug, PartialEq)]
pub struct Tag<'a> {
    /// `$e`
    pub id: Option<Id<'a>>,
    /// Inline exports.
    pub exports: Vec<Name>,
    /// Inline import.
    pub import: Option<InlineImport>,
    /// The tag's function type (no results).
    pub ty: TypeUse<'a>,
    /// The whole field.
    pub span: Span,
}

/// What an import brings in.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportKind<'a> {
    /// `(func $f? typeuse)`
    Func(TypeUse<'a>),
    /// `(table $t? tabletype)`
    Table(TableType<'a>),
    /// `(memory $m? memtype)`
    Memory(MemoryType),
    /// `(global $g? globaltype)`
    Global(GlobalType<'a>),
    /// `(tag $e? typeuse)`
    Tag(TypeUse<'a>),
}

/// `(import "m" "n" (kind $id? …))`
#[derive(Clone, Debug, PartialEq)]
pub struct Import<'a> {
    /// Module name.
    pub module: Name,
    /// Field name.
    pub field: Name,
    /// The imported entity's id.
    pub id: Option<Id<'a>>,
    /// What is imported.
    pub kind: ImportKind<'a>,
    /// The whole field.
    pub span: Span,
}

/// `(func $f? (export …)* (import …)? typeuse (local …)* instr*)`
#[derive(Clone, Debug, PartialEq)]
pub struct Func<'a> {
    /// `$f`
    pub id: Option<Id<'a>>,
    /// Inline exports.
    pub exports: Vec<Name>,
    /// Inline import: then there are no locals and no body.
    pub import: Option<InlineImport>,
    /// The function's type.
    pub ty: TypeUse<'a>,
    /// Locals.
    pub locals: Vec<Local<'a>>,
    /// The body, flat, without the final `end`.
    pub body: Vec<Instr<'a>>,
    /// The whole field.
    pub span: Span,
}

/// The contents of an element segment.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemList<'a> {
    /// `func? $f*` (the `func` keyword may be omitted in the legacy active form).
    Funcs(Vec<Index<'a>>),
    /// `reftype (item expr)*` or `reftype (instr)*`.
    Exprs(RefType<'a>, Vec<Expr<'a>>),
}

/// How an element segment is used.
#[derive(Clone, Debug, PartialEq)]
pub enum ElemMode<'a> {
    /// No table, no offset.
    Passive,
    /// `declare`
    Declared,
    /// `(table $t)? (offset expr)` or `(table $t)? (instr)`.
    Active {
        /// `(table $t)` as written.
        table: Option<Index<'a>>,
        /// The offset expression.
        offset: Expr<'a>,
    },
}

/// `(elem $e? mode elemlist)`
#[derive(Clone, Debug, PartialEq)]
pub struct Elem<'a> {
    /// `$e`
    pub id: Option<Id<'a>>,
    /// Mode.
    pub mode: ElemMode<'a>,
    /// Contents.
    pub list: ElemList<'a>,
    /// The whole field.
    pub span: Span,
}

/// `(table $t? (export …)* (import …)? …)`
#[derive(Clone, Debug, PartialEq)]
pub struct Table<'a> {
    /// `$t`
    pub id: Option<Id<'a>>,
    /// Inline exports.
    pub exports: Vec<Name>,
    /// Inline import.
    pub import: Option<InlineImport>,
    /// The type (for the inline-elem form: limits derived from the element count by the grammar).
    pub ty: TableType<'a>,
    /// `(table … expr)`: initial value of every element (function references).
    pub init: Option<Expr<'a>>,
    /// `(table reftype (elem …))`: an active segment at offset 0 to add.
    pub inline_elem: Option<ElemList<'a>>,
    /// The whole field.
    pub span: Span,
}

/// `(memory $m? (export …)* (import …)? …)`
#[derive(Clone, Debug, PartialEq)]
pub struct Memory<'a> {
    /// `$m`
    pub id: Option<Id<'a>>,
    /// Inline exports.
    pub exports: Vec<Name>,
    /// Inline import.
    pub import: Option<InlineImport>,
    /// The type (for the inline-data form: pages derived from the data length by the grammar).
    pub ty: MemoryType,
    /// `(memory (data "…"*))`: an active segment at offset 0 to add.
    pub inline_data: Option<Vec<u8>>,
    /// The whole field.
    pub span: Span,
}

/// `(global $g? (export …)* (import …)? globaltype expr)`
#[derive(Clone, Debug, PartialEq)]
pub struct Global<'a> {
    /// `$g`
    pub id: Option<Id<'a>>,
    /// Inline exports.
    pub exports: Vec<Name>,
    /// Inline import: then there is no init.
    pub import: Option<InlineImport>,
    /// The type.
    pub ty: GlobalType<'a>,
    /// The initialiser.
    pub init: Expr<'a>,
    /// The whole field.
    pub span: Span,
}

/// The kind of an exported entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ExportKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

/// `(export "name" (kind idx))`
#[derive(Clone, Debug, PartialEq)]
pub struct Export<'a> {
    /// The export name.
    pub name: Name,
    /// The kind.
    pub kind: ExportKind,
    /// The entity.
    pub index: Index<'a>,
    /// The whole field.
    pub span: Span,
}

/// How a data segment is used.
#[derive(Clone, Debug, PartialEq)]
pub enum DataMode<'a> {
    /// No memory, no offset.
    Passive,
    /// `(memory $m)? (offset expr)` or `(memory $m)? (instr)`.
    Active {
        /// `(memory $m)` as written.
        memory: Option<Index<'a>>,
        /// The offset expression.
        offset: Expr<'a>,
    },
}

/// `(data $d? mode "bytes"*)`
#[derive(Clone, Debug, PartialEq)]
pub struct Data<'a> {
    /// `$d`
    pub id: Option<Id<'a>>,
    /// Mode.
    pub mode: DataMode<'a>,
    /// The concatenated strings.
    pub bytes: Vec<u8>,
    /// `(@place kind (align N)? (size N)?)` after the id: data for `watlink link` to place.
    pub place: Option<Placement>,
    /// The whole field.
    pub span: Span,
}

/// What a placed data segment holds: `rodata`, `data` or `bss`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlaceKind {
    /// `rodata`: read-only data.
    ReadOnly,
    /// `data`: writable, initialised data.
    Writable,
    /// `bss`: zero-initialised; reserved, no bytes.
    Zero,
}

impl PlaceKind {
    /// The kind written as `word` (`rodata`, `data`, `bss`).
    pub fn from_word(word: &str) -> Option<PlaceKind> {
        match word {
            "rodata" => Some(PlaceKind::ReadOnly),
            "data" => Some(PlaceKind::Writable),
            "bss" => Some(PlaceKind::Zero),
            _ => None,
        }
    }
}

/// `(@place rodata (align 4)? (size 4096)?)`: the linker chooses the address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The kind.
    pub kind: PlaceKind,
    /// Alignment in bytes (default 1).
    pub align: u64,
    /// `(size N)`: bytes to reserve (bss only).
    pub size: Option<u64>,
    /// The annotation.
    pub span: Span,
}

impl Placement {
    /// `(@place KIND (align N)? (size N)?)` from its words: `kind`, then `(word n)` options.
    ///
    /// # Errors
    /// "unknown placement kind", unknown or repeated options, an alignment that is not a power of
    /// two, `(size N)` on anything but `bss`.
    pub fn new(
        kind: crate::span::Spanned<&str>,
        opts: &[(crate::span::Spanned<&str>, u64)],
        span: Span,
    ) -> Result<Placement, crate::error::Error> {
        use crate::error::Error;
        let kind_word = kind.node;
        let kind = PlaceKind::from_word(kind_word).ok_or_else(|| {
            Error::malformed(format!("unknown placement kind `{kind_word}`"), kind.span)
                .with_label("expected rodata, data or bss")
        })?;
        let mut place = Placement {
            kind,
            align: 1,
            size: None,
            span,
        };
        let mut seen: Vec<&str> = Vec::new();
        for (word, n) in opts {
            if seen.contains(&word.node) {
                return Err(Error::malformed(
                    format!("repeated ({} …)", word.node),
                    word.span,
                ));
            }
            seen.push(word.node);
            match word.node {
                "align" if n.is_power_of_two() => place.align = *n,
                "align" => {
                    return Err(Error::malformed(
                        format!("alignment {n} is not a power of two"),
                        word.span,
                    ));
                }
                "size" if kind == PlaceKind::Zero => place.size = Some(*n),
                "size" => {
                    return Err(Error::malformed("(size N) is only for bss", word.span)
                        .with_label("the strings give the size of rodata and data"));
                }
                other => {
                    return Err(Error::malformed(
                        format!("unknown placement option `{other}`"),
                        word.span,
                    )
                    .with_label("expected (align N) or (size N)"));
                }
            }
        }
        Ok(place)
    }
}

/// Where an `(@custom …)` section goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomPlace {
    /// `(before first)`
    BeforeFirst,
    /// `(before section)` for a section name.
    Before(SectionId),
    /// `(after section)`
    After(SectionId),
    /// `(after last)`, also the default.
    AfterLast,
}

/// Names of the sections a custom section can be placed around.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum SectionId {
    Type,
    Import,
    Func,
    Table,
    Memory,
    Tag,
    Global,
    Export,
    Start,
    Elem,
    DataCount,
    Code,
    Data,
}

/// `(@custom "name" place? "bytes"*)`
#[derive(Clone, Debug, PartialEq)]
pub struct Custom {
    /// Section name.
    pub name: Name,
    /// Placement.
    pub place: CustomPlace,
    /// Contents.
    pub bytes: Vec<u8>,
    /// The whole annotation.
    pub span: Span,
}

/// One module field.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Field<'a> {
    Type(TypeDef<'a>),
    /// `(rec (type …)*)`
    Rec(Vec<TypeDef<'a>>, Span),
    Tag(Tag<'a>),
    Import(Import<'a>),
    Func(Func<'a>),
    Table(Table<'a>),
    Memory(Memory<'a>),
    Global(Global<'a>),
    Export(Export<'a>),
    Start(Index<'a>, Span),
    Elem(Elem<'a>),
    Data(Data<'a>),
    Custom(Custom),
}

/// A text module: `(module $id? field*)` or a bare list of fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Module<'a> {
    /// `$id`
    pub id: Option<Id<'a>>,
    /// The fields, in order.
    pub fields: Vec<Field<'a>>,
    /// The whole module.
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Scripts (.wast)
// ---------------------------------------------------------------------------------------------

/// How a script module is given.
#[derive(Clone, Debug, PartialEq)]
pub enum ModuleSource<'a> {
    /// `(module …)` in text.
    Text(Module<'a>),
    /// `(module binary "…"*)`: the bytes.
    Binary(Vec<u8>),
    /// `(module quote "…"*)`: the text, to be parsed when the command runs.
    Quote(Vec<u8>),
}

/// A module in a script.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptModule<'a> {
    /// `$id`
    pub id: Option<Id<'a>>,
    /// `(module definition …)`: defined, not instantiated.
    pub definition: bool,
    /// The module.
    pub source: ModuleSource<'a>,
    /// The whole `(module …)`.
    pub span: Span,
}

/// A constant argument or result: `(i32.const 1)`, `(ref.null func)`, `(ref.extern 3)`.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum Const<'a> {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    RefNull(HeapType<'a>),
    RefExtern(u32),
    RefHost(u32),
    /// `(ref.func $f)` as an argument.
    RefFunc(Index<'a>),
}

/// A NaN pattern in an expected result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NanPattern {
    /// `nan:canonical`
    Canonical,
    /// `nan:arithmetic`
    Arithmetic,
}

/// One lane of an expected float vector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LanePattern {
    /// An exact value (bits).
    Value(u64),
    /// A NaN pattern.
    Nan(NanPattern),
}

/// An expected result in `assert_return`.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected<'a> {
    /// An exact value.
    Const(Const<'a>),
    /// `(f32.const nan:canonical)`
    F32Nan(NanPattern),
    /// `(f64.const nan:arithmetic)`
    F64Nan(NanPattern),
    /// `(v128.const f32x4 …)` with NaN patterns in some lane: the shape's lane count, lane values.
    V128Lanes(crate::text::syntax::VecShape, Vec<LanePattern>),
    /// `(ref.func)`: any non-null function reference.
    RefFunc,
    /// `(ref.extern)`: any non-null external reference.
    RefExternAny,
    /// `(either r1 r2 …)`: one of these.
    Either(Vec<Expected<'a>>),
    /// `(ref.struct)`, `(ref.array)`, `(ref.i31)`, `(ref.eq)`, `(ref.any)`, `(ref.exn)`: any non-null
    /// reference of that kind.
    RefKind(RefKind),
}

/// The kinds of reference a script can expect without naming a value (GC, exceptions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum RefKind {
    Struct,
    Array,
    I31,
    Eq,
    Any,
    Exn,
}

/// The lane shape of a `v128.const`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum VecShape {
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
}

/// `(invoke $m? "name" const*)` or `(get $m? "name")`.
#[derive(Clone, Debug, PartialEq)]
pub enum Action<'a> {
    /// Call an export.
    Invoke {
        /// The module, if not the latest.
        module: Option<Id<'a>>,
        /// Export name.
        name: Name,
        /// Arguments.
        args: Vec<Const<'a>>,
        /// The whole action.
        span: Span,
    },
    /// Read an exported global.
    Get {
        /// The module, if not the latest.
        module: Option<Id<'a>>,
        /// Export name.
        name: Name,
        /// The whole action.
        span: Span,
    },
}

/// One script command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command<'a> {
    /// `(module …)`
    Module(ScriptModule<'a>),
    /// `(module instance $i $m)`: instantiate a defined module.
    Instance {
        /// The instance's name.
        id: Option<Id<'a>>,
        /// The module definition.
        module: Option<Id<'a>>,
        /// Where.
        span: Span,
    },
    /// `(register "name" $m?)`
    Register {
        /// The name to register under.
        name: Name,
        /// The module, if not the latest.
        module: Option<Id<'a>>,
        /// Where.
        span: Span,
    },
    /// A bare action.
    Action(Action<'a>),
    /// `(assert_return action expected*)`
    AssertReturn {
        /// What to run.
        action: Action<'a>,
        /// The expected results.
        expected: Vec<Expected<'a>>,
        /// Where.
        span: Span,
    },
    /// `(assert_trap action "msg")`
    AssertTrap {
        /// What to run.
        action: Action<'a>,
        /// The expected message (a prefix).
        message: String,
        /// Where.
        span: Span,
    },
    /// `(assert_trap (module …) "msg")`: instantiation traps.
    AssertTrapModule {
        /// The module.
        module: ScriptModule<'a>,
        /// The expected message.
        message: String,
        /// Where.
        span: Span,
    },
    /// `(assert_exception action)`: the action throws an exception that nothing catches.
    AssertException {
        /// What to run.
        action: Action<'a>,
        /// Where.
        span: Span,
    },
    /// `(assert_exhaustion action "msg")`
    AssertExhaustion {
        /// What to run.
        action: Action<'a>,
        /// The expected message.
        message: String,
        /// Where.
        span: Span,
    },
    /// `(assert_malformed module "msg")`
    AssertMalformed {
        /// The module.
        module: ScriptModule<'a>,
        /// The expected message.
        message: String,
        /// Where.
        span: Span,
    },
    /// `(assert_invalid module "msg")`
    AssertInvalid {
        /// The module.
        module: ScriptModule<'a>,
        /// The expected message.
        message: String,
        /// Where.
        span: Span,
    },
    /// `(assert_unlinkable module "msg")`
    AssertUnlinkable {
        /// The module.
        module: ScriptModule<'a>,
        /// The expected message.
        message: String,
        /// Where.
        span: Span,
    },
    /// `(assert_uninstantiable module "msg")`
    AssertUninstantiable {
        /// The module.
        module: ScriptModule<'a>,
        /// The expected message.
        message: String,
        /// Where.
        span: Span,
    },
}

impl Command<'_> {
    /// Where the command was written.
    pub fn span(&self) -> Span {
        match self {
            Command::Module(m) => m.span,
            Command::Action(Action::Invoke { span, .. } | Action::Get { span, .. }) => *span,
            Command::Instance { span, .. }
            | Command::Register { span, .. }
            | Command::AssertReturn { span, .. }
            | Command::AssertTrap { span, .. }
            | Command::AssertTrapModule { span, .. }
            | Command::AssertException { span, .. }
            | Command::AssertExhaustion { span, .. }
            | Command::AssertMalformed { span, .. }
            | Command::AssertInvalid { span, .. }
            | Command::AssertUnlinkable { span, .. }
            | Command::AssertUninstantiable { span, .. } => *span,
        }
    }
}

/// A `.wast` script.
#[derive(Clone, Debug, PartialEq)]
pub struct Script<'a> {
    /// The commands, in order.
    pub commands: Vec<Command<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(op: Op) -> Instr<'static> {
        Instr {
            op,
            imm: Imm::None,
            span: Span::default(),
        }
    }

    /// The parser moves these by value on every shift and reduce: keep them small.
    #[test]
    fn sizes() {
        use std::mem::size_of;
        for (name, size, max) in [
            ("Index", size_of::<Index<'_>>(), 40),
            ("Imm", size_of::<Imm<'_>>(), 48),
            ("Instr", size_of::<Instr<'_>>(), 72),
            ("Node", size_of::<Node<'_>>(), 104),
        ] {
            println!("{name}: {size} bytes");
            assert!(size <= max, "{name} is {size} bytes, more than {max}");
        }
    }

    #[test]
    fn flatten_orders_folded_operands_first() {
        let tree = vec![Node::Folded(
            i(Op::I32Add),
            vec![Node::Instr(i(Op::Nop)), Node::Instr(i(Op::Drop))],
        )];
        let ops: Vec<Op> = flatten(tree).into_iter().map(|i| i.op).collect();
        assert_eq!(ops, [Op::Nop, Op::Drop, Op::I32Add]);
    }

    #[test]
    fn flatten_if_with_else() {
        let tree = vec![Node::If(Box::new(IfNode {
            instr: i(Op::If),
            cond: vec![Node::Instr(i(Op::I32Eqz))],
            then: vec![Node::Instr(i(Op::Nop))],
            els: Some((Span::default(), vec![Node::Instr(i(Op::Unreachable))])),
        }))];
        let ops: Vec<Op> = flatten(tree).into_iter().map(|i| i.op).collect();
        assert_eq!(
            ops,
            [
                Op::I32Eqz,
                Op::If,
                Op::Nop,
                Op::Else,
                Op::Unreachable,
                Op::End
            ]
        );
    }

    #[test]
    fn deep_trees_flatten_and_drop_without_recursion() {
        let mut node = Node::Instr(i(Op::Nop));
        for _ in 0..200_000 {
            node = Node::Block(i(Op::Block), vec![node]);
        }
        let deep = Node::Block(i(Op::Block), vec![Node::Instr(i(Op::Nop))]);
        let flat = flatten(vec![node]);
        assert_eq!(flat.len(), 200_000 * 2 + 1);
        let mut other = deep;
        for _ in 0..200_000 {
            other = Node::Block(i(Op::Loop), vec![other]);
        }
        drop(other);
    }
}
