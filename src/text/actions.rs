//! The Rust side of the grammar's actions: small functions the grammar calls, each testable alone.
//!
//! Right-recursive rules (typeuse, params, locals, instruction lists) build their vectors back to
//! front: a rule pushes its own item onto the vector its tail built, and the rule that closes the chain
//! reverses once. That keeps every action O(1) per item.

use std::borrow::Cow;

use lalrpop_util::ParseError;

use crate::error::Error;
use crate::instr::Op;
use crate::span::{Span, Spanned};
use crate::text::number;
use crate::text::syntax::*;

/// Turns a failed action into LALRPOP's user error.
pub fn lift<T, L, Tok>(r: Result<T, Error>) -> Result<T, ParseError<L, Tok, Error>> {
    r.map_err(|error| ParseError::User { error })
}

/// Converts a number token with `conv`, reporting at the token.
pub fn num<T>(conv: fn(&str) -> Result<T, &'static str>, n: &Spanned<&str>) -> Result<T, Error> {
    conv(n.node).map_err(|m| Error::malformed(m, n.span))
}

/// A lane index: a `u8`, "i8 constant out of range" past it.
pub fn lane(n: &Spanned<&str>) -> Result<u8, Error> {
    num(number::u8, n).map_err(|e| match e.message.as_str() {
        number::OUT_OF_RANGE => Error::malformed("i8 constant out of range", n.span)
            .with_label("a lane index is at most 255"),
        _ => e,
    })
}

/// `(pagesize N)`: log2 of N, which must be a power of two (whether the validator accepts that
/// size is its business: 1 and 65536 today).
pub fn page_size(n: &Spanned<&str>) -> Result<u32, Error> {
    let invalid = || {
        Error::malformed("invalid custom page size", n.span)
            .with_label("a page size is a power of two")
    };
    match num(number::u64, n) {
        Ok(size) if size.is_power_of_two() => Ok(size.trailing_zeros()),
        Ok(_) => Err(invalid()),
        Err(e) if e.message == number::OUT_OF_RANGE => Err(invalid()),
        Err(e) => Err(e),
    }
}

/// `3` as an index.
pub fn index<'a>(n: Spanned<&str>) -> Result<Index<'a>, Error> {
    Ok(Index::Num(num(number::u32, &n)?, n.span))
}

/// A string that must be valid UTF-8.
pub fn name(s: Spanned<Cow<'_, [u8]>>) -> Result<Name, Error> {
    match String::from_utf8(s.node.into_owned()) {
        Ok(name) => Ok(Name { name, span: s.span }),
        Err(_) => Err(Error::malformed("malformed UTF-8 encoding", s.span)),
    }
}

/// Concatenates string literals.
pub fn concat(strings: Vec<Cow<'_, [u8]>>) -> Vec<u8> {
    strings.concat()
}

/// Reverses a vector built back to front.
pub fn rev<T>(mut v: Vec<T>) -> Vec<T> {
    v.reverse();
    v
}

/// Pushes onto a vector built back to front.
pub fn push<T>(mut v: Vec<T>, item: T) -> Vec<T> {
    v.push(item);
    v
}

/// `(param $x t)` or `(param t*)`, pushed back to front.
pub fn params<'a>(id: Option<Id<'a>>, tys: Vec<ValType<'a>>, span: Span) -> Vec<Param<'a>> {
    let mut id = id;
    tys.into_iter()
        .map(|ty| Param {
            id: id.take(),
            ty,
            span,
        })
        .collect()
}

/// `(local $x t)` or `(local t*)`.
pub fn locals<'a>(id: Option<Id<'a>>, tys: Vec<ValType<'a>>, span: Span) -> Vec<Local<'a>> {
    let mut id = id;
    tys.into_iter()
        .map(|ty| Local {
            id: id.take(),
            ty,
            span,
        })
        .collect()
}

/// A type use being built by the right-recursive `(type)? (param)* (result)*` chain.
///
/// Empty (no allocation, one word) for the common block without a type; the parser moves it with
/// every block and instruction list, so it must stay small.
#[derive(Default)]
pub struct TypeUseB<'a>(Option<Box<TypeUseParts<'a>>>);

#[derive(Default)]
struct TypeUseParts<'a> {
    index: Option<Index<'a>>,
    params: Vec<Param<'a>>,
    results: Vec<ValType<'a>>,
    span: Option<Span>,
}

impl<'a> TypeUseB<'a> {
    /// The parts, created at the first clause, with `span` covered.
    fn cover(&mut self, span: Span) -> &mut TypeUseParts<'a> {
        let parts = self.0.get_or_insert_default();
        parts.span = Some(parts.span.map_or(span, |s| s.to(span)));
        parts
    }

    /// Adds a `(param …)` clause in front.
    pub fn params(mut self, ps: Vec<Param<'a>>, span: Span) -> Self {
        self.cover(span).params.extend(ps.into_iter().rev());
        self
    }

    /// Adds a `(result …)` clause in front.
    pub fn results(mut self, rs: Vec<ValType<'a>>, span: Span) -> Self {
        self.cover(span).results.extend(rs.into_iter().rev());
        self
    }

    /// Adds the `(type $t)` in front.
    pub fn index(mut self, index: Index<'a>, span: Span) -> Self {
        self.cover(span).index = Some(index);
        self
    }

    /// The function type written (params and results only).
    pub fn func_type(self) -> FuncType<'a> {
        match self.0 {
            Some(parts) => FuncType {
                params: rev(parts.params),
                results: rev(parts.results),
            },
            None => FuncType::default(),
        }
    }

    /// The type use; `at` is where an absent one would be.
    pub fn finish(mut self, at: usize) -> TypeUse<'a> {
        let span = self.end_span().unwrap_or(Span::new(at, at));
        let index = self.0.as_mut().and_then(|p| p.index.take());
        TypeUse {
            index,
            span,
            inline: self.func_type(),
        }
    }

    fn end_span(&self) -> Option<Span> {
        self.0.as_ref().and_then(|p| p.span)
    }

    /// The type use of a block or `call_indirect`: its params bind no names (spec 6.5.5, 6.5.6),
    /// so `(param $x i32)` there is malformed.
    pub fn anonymous(self) -> Result<Self, Error> {
        let named = self
            .0
            .as_ref()
            .and_then(|p| p.params.iter().find_map(|p| p.id.as_ref()));
        match named {
            Some(id) => Err(Error::malformed("unexpected token", id.span)
                .with_label("a block or indirect call type cannot name its parameters")),
            None => Ok(self),
        }
    }

    /// Where the type use ends, if written.
    pub fn end(&self) -> Option<usize> {
        self.end_span().map(|s| s.end)
    }
}

/// `func`'s fields after the id, built back to front.
pub struct FuncB<'a> {
    /// Inline exports (reversed).
    pub exports: Vec<Name>,
    /// Inline import.
    pub import: Option<InlineImport>,
    /// The type use.
    pub ty: TypeUseB<'a>,
    /// Locals (reversed).
    pub locals: Vec<Local<'a>>,
    /// Body (reversed).
    pub body: Vec<Node<'a>>,
}

impl<'a> FuncB<'a> {
    /// A definition (boxed, as every large grammar value: see `grammar/wat.lalrpop`).
    pub fn define(ty: TypeUseB<'a>, body: (Vec<Local<'a>>, Vec<Node<'a>>)) -> Box<Self> {
        Box::new(FuncB {
            exports: vec![],
            import: None,
            ty,
            locals: body.0,
            body: body.1,
        })
    }

    /// An inline import.
    pub fn import(import: InlineImport, ty: TypeUseB<'a>) -> Box<Self> {
        Box::new(FuncB {
            exports: vec![],
            import: Some(import),
            ty,
            locals: vec![],
            body: vec![],
        })
    }

    /// The field.
    pub fn finish(self, id: Option<Id<'a>>, at: usize, span: Span) -> Func<'a> {
        let FuncB {
            exports,
            import,
            ty,
            locals,
            body,
        } = self;
        Func {
            id,
            exports: rev(exports),
            import,
            ty: ty.finish(at),
            locals: rev(locals),
            body: flatten(rev(body)),
            span,
        }
    }
}

/// The parts shared by table, memory and global fields: `(export …)* (import …)?`, then the rest.
pub struct Inline<T> {
    /// Inline exports (reversed).
    pub exports: Vec<Name>,
    /// Inline import.
    pub import: Option<InlineImport>,
    /// The rest.
    pub rest: T,
}

impl<T> Inline<T> {
    /// The rest, without inline import or export (boxed, as every large grammar value).
    pub fn new(import: Option<InlineImport>, rest: T) -> Box<Self> {
        Box::new(Inline {
            exports: vec![],
            import,
            rest,
        })
    }

    /// Adds an export in front.
    pub fn export(mut self: Box<Self>, name: Name) -> Box<Self> {
        self.exports.push(name);
        self
    }
}

/// Limits `min max?` of a table or memory, read as `u64`; a 32-bit limit above `u32::MAX` is
/// judged by the resolver, which knows the features (`Resolver::limits32`).
///
/// # Errors
/// "i32 constant out of range" for a 32-bit limit above `u64::MAX`; a malformed number.
pub fn limits(is64: bool, min: Spanned<&str>, max: Option<Spanned<&str>>) -> Result<Limits, Error> {
    let conv = |n: &Spanned<&str>| {
        if is64 {
            num(number::u64, n).map_err(|e| match e.message.as_str() {
                number::OUT_OF_RANGE => Error::malformed("i64 constant out of range", n.span)
                    .with_label("a 64-bit limit is at most 0xffff_ffff_ffff_ffff"),
                _ => e,
            })
        } else {
            // Past `u32::MAX` the resolver says what it means (see `Resolver::limits32`).
            num(number::u64, n).map_err(|e| match e.message.as_str() {
                number::OUT_OF_RANGE => Error::malformed("i32 constant out of range", n.span)
                    .with_label("a 32-bit limit is at most 0xffff_ffff"),
                _ => e,
            })
        }
    };
    Ok(Limits {
        min: conv(&min)?,
        max: max.as_ref().map(conv).transpose()?,
    })
}

/// `(table … reftype (elem …))`: limits from the element count; the segment has the table's element
/// type. Function indices stay indices only for `funcref` (the only type that encoding has); for any
/// other type each `$f` becomes the expression `ref.func $f`.
pub fn table_inline_elem<'a>(
    elem: RefType<'a>,
    list: ElemList<'a>,
) -> (TableType<'a>, Option<ElemList<'a>>) {
    let funcref = elem.nullable && elem.heap == HeapType::Func;
    let list = match list {
        ElemList::Funcs(fs) if !funcref => {
            let ref_func = |f: Index<'a>| {
                let span = f.span();
                vec![Instr {
                    op: Op::RefFunc,
                    imm: Imm::Index(f),
                    span,
                }]
            };
            ElemList::Exprs(elem.clone(), fs.into_iter().map(ref_func).collect())
        }
        ElemList::Exprs(_, items) => ElemList::Exprs(elem.clone(), items),
        funcs => funcs,
    };
    let n = match &list {
        ElemList::Funcs(v) => v.len(),
        ElemList::Exprs(_, v) => v.len(),
    } as u64;
    (
        TableType {
            limits: Limits {
                min: n,
                max: Some(n),
            },
            elem,
            table64: false,
        },
        Some(list),
    )
}

/// `(memory (data …))`: pages from the data length.
pub fn memory_inline_data(
    memory64: bool,
    page_size_log2: Option<u32>,
    bytes: Vec<u8>,
) -> (MemoryType, Option<Vec<u8>>) {
    let pages = (bytes.len() as u64).div_ceil(1 << page_size_log2.unwrap_or(16));
    let limits = Limits {
        min: pages,
        max: Some(pages),
    };
    (
        MemoryType {
            limits,
            memory64,
            page_size_log2,
            ..MemoryType::default()
        },
        Some(bytes),
    )
}

/// A flat instruction.
pub fn instr<'a>(op: Op, imm: Imm<'a>, l: usize, r: usize) -> Instr<'a> {
    Instr {
        op,
        imm,
        span: Span::new(l, r),
    }
}

/// An `if` node from its parts, each arm still back to front.
pub fn if_node<'a>(
    instr: Instr<'a>,
    cond: Vec<Node<'a>>,
    then: Vec<Node<'a>>,
    els: Option<(Span, Vec<Node<'a>>)>,
) -> Node<'a> {
    Node::If(Box::new(IfNode {
        instr,
        cond: rev(cond),
        then: rev(then),
        els: els.map(|(span, body)| (span, rev(body))),
    }))
}

/// The values of a list of boxed grammar values (fields, commands).
pub fn unbox<T>(items: Vec<Box<T>>) -> Vec<T> {
    items.into_iter().map(|b| *b).collect()
}

/// Gives a folded node's instruction the span of the whole parenthesis.
pub fn folded(mut node: Node<'_>, l: usize, r: usize) -> Node<'_> {
    match &mut node {
        Node::Instr(i) | Node::Folded(i, _) | Node::Block(i, _) => i.span = Span::new(l, r),
        Node::If(node) => node.instr.span = Span::new(l, r),
    }
    node
}

/// Gives a folded block instruction the span of the whole parenthesis.
pub fn folded_block(mut i: Instr<'_>, l: usize, r: usize) -> Instr<'_> {
    i.span = Span::new(l, r);
    i
}

/// `$l` after `end` or `else` must repeat the block's label.
pub fn check_label(block: &Option<Id<'_>>, end: &Option<Id<'_>>) -> Result<(), Error> {
    match (block, end) {
        (_, None) => Ok(()),
        (Some(b), Some(e)) if b.name == e.name => Ok(()),
        (_, Some(e)) => Err(Error::malformed("mismatching label", e.span)),
    }
}

/// `block`/`loop`/`if` with its label and type.
///
/// # Errors
/// "unexpected token" if the type names a parameter.
pub fn block<'a>(
    op: Op,
    label: Option<Id<'a>>,
    ty: TypeUseB<'a>,
    l: usize,
    r: usize,
) -> Result<Instr<'a>, Error> {
    let end = ty.end().unwrap_or(r).max(r);
    let written = label.is_some() || ty.0.is_some();
    let ty = ty.anonymous()?.finish(r);
    let imm = Imm::Block(written.then(|| Box::new(BlockType { label, ty })));
    Ok(instr(op, imm, l, end))
}

/// `try_table $l? bt catch*`: like [`block`], with its catch clauses (given back to front).
///
/// # Errors
/// As [`block`].
pub fn try_table<'a>(
    op: Op,
    label: Option<Id<'a>>,
    ty: TypeUseB<'a>,
    catches: Vec<Catch<'a>>,
    l: usize,
    r: usize,
) -> Result<Instr<'a>, Error> {
    let end = ty.end().unwrap_or(r).max(r);
    let ty = ty.anonymous()?.finish(r);
    let catches = rev(catches);
    let imm = Imm::TryTable(Box::new(TryTable {
        block: BlockType { label, ty },
        catches,
    }));
    Ok(instr(op, imm, l, end))
}

/// `(ref.i31)` or `(ref.eq)` as an expected result: the instruction keywords that double as
/// result patterns.
///
/// # Errors
/// "unexpected token" for any other instruction.
pub fn expected_ref_kind<'a>(op: Op, span: Span) -> Result<Expected<'a>, Error> {
    match op {
        Op::RefI31 => Ok(Expected::RefKind(RefKind::I31)),
        Op::RefEq => Ok(Expected::RefKind(RefKind::Eq)),
        _ => Err(Error::malformed("unexpected token", span)
            .with_label(format!("`{}` is no result pattern", op.keyword()))),
    }
}

/// `call_indirect $table? typeuse` (and `return_call_indirect`); `at` is where an absent type use
/// would be.
///
/// # Errors
/// "unexpected token" if the type names a parameter.
pub fn call_indirect<'a>(
    table: Option<Index<'a>>,
    ty: TypeUseB<'a>,
    at: usize,
) -> Result<Imm<'a>, Error> {
    Ok(Imm::CallIndirect(Box::new(CallIndirect {
        table,
        ty: ty.anonymous()?.finish(at),
    })))
}

/// A memory argument from its written parts.
pub fn memarg<'a>(
    mem: Option<Index<'a>>,
    offset: Option<Spanned<&str>>,
    align: Option<Spanned<&str>>,
) -> Result<MemArg<'a>, Error> {
    // `offset=-1` is no keyword at all for the spec's lexer: "unknown operator".
    let unsigned = |n: &Spanned<&str>, key: &str| {
        if n.node.starts_with(|c: char| c.is_ascii_digit()) {
            Ok(())
        } else {
            Err(
                Error::malformed(format!("unknown operator {key}={}", n.node), n.span)
                    .with_label(format!("`{key}=` takes an unsigned integer")),
            )
        }
    };
    let offset = match offset {
        Some(o) => {
            unsigned(&o, "offset")?;
            num(number::u64, &o)?
        }
        None => 0,
    };
    let align = match align {
        Some(a) => {
            unsigned(&a, "align")?;
            let v = num(number::u64, &a)?;
            if !v.is_power_of_two() {
                return Err(Error::malformed("alignment must be a power of two", a.span)
                    .with_label(format!("{v} is not 1, 2, 4, 8 or 16"))
                    .with_note("note: the alignment may be at most the access width: 1 for `i32.load8_u`, 4 for `i32.load`, 8 for `i64.load`, 16 for `v128.load`"));
            }
            Some(v)
        }
        None => None,
    };
    Ok(MemArg {
        mem: mem.map(Box::new),
        offset,
        align,
    })
}

/// `v128.const shape lanes…` as little-endian bits.
pub fn v128(shape: VecShape, lanes: &[Spanned<&str>], span: Span) -> Result<u128, Error> {
    let (count, bits): (usize, u32) = match shape {
        VecShape::I8x16 => (16, 8),
        VecShape::I16x8 => (8, 16),
        VecShape::I32x4 | VecShape::F32x4 => (4, 32),
        VecShape::I64x2 | VecShape::F64x2 => (2, 64),
    };
    if lanes.len() != count {
        return Err(Error::malformed("wrong number of lane literals", span));
    }
    let mut out = 0u128;
    for (i, lane) in lanes.iter().enumerate() {
        let v = match shape {
            VecShape::F32x4 => u64::from(num(number::f32, lane)?),
            VecShape::F64x2 => num(number::f64, lane)?,
            _ => number::int_bits(lane.node, bits).map_err(|m| Error::malformed(m, lane.span))?,
        };
        out |= u128::from(v) << (i as u32 * bits);
    }
    Ok(out)
}

/// One lane of an expected vector: a number or a NaN pattern.
pub enum LaneExp<'a> {
    /// A literal.
    Num(Spanned<&'a str>),
    /// `nan:canonical`, `nan:arithmetic`
    Nan(NanPattern),
}

/// `(v128.const shape lane…)` as an expected result.
pub fn expected_v128<'a>(
    shape: VecShape,
    lanes: Vec<LaneExp<'_>>,
    span: Span,
) -> Result<Expected<'a>, Error> {
    if lanes.iter().all(|l| matches!(l, LaneExp::Num(_))) {
        let nums: Vec<Spanned<&str>> = lanes
            .into_iter()
            .filter_map(|l| match l {
                LaneExp::Num(n) => Some(n),
                LaneExp::Nan(_) => None,
            })
            .collect();
        return Ok(Expected::Const(Const::V128(v128(shape, &nums, span)?)));
    }
    let count = match shape {
        VecShape::F32x4 => 4,
        VecShape::F64x2 => 2,
        _ => return Err(Error::malformed("unexpected token", span)),
    };
    if lanes.len() != count {
        return Err(Error::malformed("wrong number of lane literals", span));
    }
    let mut out = Vec::with_capacity(count);
    for lane in lanes {
        out.push(match lane {
            LaneExp::Nan(p) => LanePattern::Nan(p),
            LaneExp::Num(n) if shape == VecShape::F32x4 => {
                LanePattern::Value(u64::from(num(number::f32, &n)?))
            }
            LaneExp::Num(n) => LanePattern::Value(num(number::f64, &n)?),
        });
    }
    Ok(Expected::V128Lanes(shape, out))
}

/// `i8x16.shuffle` lanes.
pub fn shuffle(lanes: &[Spanned<&str>], span: Span) -> Result<[u8; 16], Error> {
    if lanes.len() != 16 {
        return Err(Error::malformed("wrong number of lane indices", span));
    }
    let mut out = [0u8; 16];
    for (o, lane) in out.iter_mut().zip(lanes) {
        *o = self::lane(lane)?;
    }
    Ok(out)
}

/// `memory.init $mem? $data`: with one index it is the segment.
pub fn init<'a>(a: Index<'a>, b: Option<Index<'a>>) -> Imm<'a> {
    match b {
        Some(b) => Imm::Init(Box::new((Some(a), b))),
        None => Imm::Init(Box::new((None, a))),
    }
}

/// Where an `(@custom …)` section goes: `(before type)`, `(after last)`, …
pub fn custom_place(side: &str, section: &str, span: Span) -> Result<CustomPlace, Error> {
    let id = match section {
        "type" => Some(SectionId::Type),
        "import" => Some(SectionId::Import),
        "func" => Some(SectionId::Func),
        "table" => Some(SectionId::Table),
        "memory" => Some(SectionId::Memory),
        "tag" => Some(SectionId::Tag),
        "global" => Some(SectionId::Global),
        "export" => Some(SectionId::Export),
        "start" => Some(SectionId::Start),
        "elem" => Some(SectionId::Elem),
        "datacount" => Some(SectionId::DataCount),
        "code" => Some(SectionId::Code),
        "data" => Some(SectionId::Data),
        _ => None,
    };
    match (side, section, id) {
        ("before", "first", _) => Ok(CustomPlace::BeforeFirst),
        ("after", "last", _) => Ok(CustomPlace::AfterLast),
        ("before", _, Some(id)) => Ok(CustomPlace::Before(id)),
        ("after", _, Some(id)) => Ok(CustomPlace::After(id)),
        _ => Err(Error::malformed("malformed custom section placement", span)),
    }
}

/// The only instruction allowed as `(ref.func …)` in a script.
pub fn ref_func(op: Op, span: Span) -> Result<(), Error> {
    if op == Op::RefFunc {
        Ok(())
    } else {
        Err(Error::malformed("unexpected token", span))
    }
}

/// The message string of an assertion.
pub fn message(bytes: Cow<'_, [u8]>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `v128.loadN_lane $mem? offset=? align=? lane`.
pub fn memarg_lane<'a>(
    mem: Option<Result<Index<'a>, Error>>,
    offset: Option<Spanned<&str>>,
    align: Option<Spanned<&str>>,
    lane: Spanned<&str>,
) -> Result<Imm<'a>, Error> {
    let mem = mem.transpose()?;
    Ok(Imm::MemArgLane(
        memarg(mem, offset, align)?,
        num(number::u8, &lane)?,
    ))
}

/// A script made of bare module fields: one module.
pub fn bare_module<'a>(fields: Vec<Field<'a>>, span: Span) -> Script<'a> {
    let module = Module {
        id: None,
        fields,
        span,
    };
    let source = ModuleSource::Text(module);
    Script {
        commands: vec![Command::Module(ScriptModule {
            id: None,
            definition: false,
            source,
            span,
        })],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(s: &str) -> Spanned<&str> {
        Spanned {
            node: s,
            span: Span::default(),
        }
    }

    #[test]
    fn v128_lanes_little_endian() {
        let lanes: Vec<_> = ["1", "-1", "0x10", "0"].into_iter().map(sp).collect();
        assert_eq!(
            v128(VecShape::I32x4, &lanes, Span::default()),
            Ok(0x0000_0000_0000_0010_ffff_ffff_0000_0001)
        );
        let lanes: Vec<_> = ["1"; 3].into_iter().map(sp).collect();
        assert!(v128(VecShape::I32x4, &lanes, Span::default()).is_err());
    }

    #[test]
    fn memarg_checks_alignment() {
        assert!(memarg(None, None, Some(sp("3"))).is_err());
        assert_eq!(
            memarg(None, Some(sp("0x10")), Some(sp("4"))).map(|m| (m.offset, m.align)),
            Ok((16, Some(4)))
        );
        assert_eq!(
            memarg(None, Some(sp("4294967296")), None).map(|m| m.offset),
            Ok(1 << 32)
        );
    }

    #[test]
    fn block_and_indirect_types_name_no_params() {
        let ty = |id: Option<Id<'static>>| {
            TypeUseB::default().params(
                params(id, vec![ValType::I32], Span::default()),
                Span::default(),
            )
        };
        let x = Some(Id {
            name: Cow::Borrowed("x"),
            span: Span::default(),
        });
        assert!(block(Op::Block, None, ty(None), 0, 0).is_ok());
        assert!(call_indirect(None, ty(None), 0).is_ok());
        let err = block(Op::Block, None, ty(x.clone()), 0, 0).unwrap_err();
        assert_eq!(err.message, "unexpected token");
        assert!(call_indirect(None, ty(x), 0).is_err());
    }

    #[test]
    fn limits_fit_the_address_type() {
        let big = "0x1_0000_0000";
        assert_eq!(
            limits(true, sp("1"), Some(sp(big))),
            Ok(Limits {
                min: 1,
                max: Some(1 << 32)
            })
        );
        // Past 32 bits a 32-bit limit is read on: the resolver judges it by the features.
        assert_eq!(limits(false, sp(big), None).map(|l| l.min), Ok(1 << 32));
        let huge = "0x1_0000_0000_0000_0000";
        let err = limits(false, sp("1"), Some(sp(huge))).unwrap_err();
        assert_eq!(err.message, "i32 constant out of range");
        let err = limits(true, sp(huge), None).unwrap_err();
        assert_eq!(err.message, "i64 constant out of range");
    }

    #[test]
    fn labels_must_match() {
        let id = |n: &'static str| {
            Some(Id {
                name: Cow::Borrowed(n),
                span: Span::default(),
            })
        };
        assert!(check_label(&id("a"), &id("a")).is_ok());
        assert!(check_label(&id("a"), &None).is_ok());
        assert!(check_label(&None, &id("a")).is_err());
        assert!(check_label(&id("a"), &id("b")).is_err());
    }
}
