//! Instruction sequences: function bodies and constant expressions.
//!
//! Bodies are flat, so one loop with an explicit label stack resolves them, however deeply blocks
//! nest. `block`/`loop`/`if` push their label; `br $l` becomes the depth of the innermost block
//! labelled `$l` (shadowing allowed); `else $l`/`end $l` must repeat the label of their block.

use super::Resolver;
use super::names::{Namespace, Space, unknown};
use crate::ast::{
    self, DataIdx, ElemIdx, FuncIdx, GlobalIdx, LabelIdx, LocalIdx, MemIdx, TableIdx,
};
use crate::error::Error;
use crate::instr::{ImmKind, Op};
use crate::span::Span;
use crate::text::body;
use crate::text::syntax::{self, Id, Imm, Index};

/// Errors inside an instruction are boxed: [`Error`] is large and the happy path is hot.
type Res<T> = Result<T, Box<Error>>;

/// Per-sequence state: the locals in scope, the open blocks, the label names found.
pub(super) struct Body<'s, 'n> {
    locals: &'n Namespace<'s>,
    /// Per open block, innermost last: where its label is in `labels`, if it has one (small: a
    /// million nested blocks keep a million).
    blocks: Vec<Option<u32>>,
    /// The labels of the open blocks that have one, innermost last.
    labels: Vec<Id<'s>>,
    /// Blocks opened so far (the ordinal of the next block, for the name section).
    ordinal: u32,
    /// (block ordinal, label name) of each labelled block.
    pub(super) label_names: Vec<(u32, String)>,
}

impl<'s, 'n> Body<'s, 'n> {
    /// A sequence with `locals` in scope (an empty namespace for constant expressions).
    pub(super) fn new(locals: &'n Namespace<'s>) -> Body<'s, 'n> {
        Body {
            locals,
            blocks: Vec::new(),
            labels: Vec::new(),
            ordinal: 0,
            label_names: Vec::new(),
        }
    }

    /// Opens a block (`block`, `loop`, `if`, `try_table`) with its label, if it has one.
    fn open(&mut self, label: Option<&Id<'s>>) {
        let slot = label.map(|l| {
            self.label_names.push((self.ordinal, l.name.to_string()));
            self.labels.push(l.clone());
            self.labels.len() as u32 - 1
        });
        self.ordinal += 1;
        self.blocks.push(slot);
    }

    /// The depth of the label `index` refers to.
    fn label(&self, index: &Index<'_>) -> Res<u32> {
        match index {
            Index::Num(n, _) => Ok(*n),
            Index::Id(id) => self
                .blocks
                .iter()
                .rev()
                .position(|b| b.is_some_and(|k| self.labels[k as usize].name == id.name))
                .map(|d| d as u32)
                .ok_or_else(|| Box::new(unknown(Space::Label, id))),
        }
    }

    /// Checks the label repeated on `else`/`end` against the open block's.
    fn check_end_label(&self, block: Option<Option<u32>>, label: Option<&Id<'_>>) -> Res<()> {
        let Some(label) = label else { return Ok(()) };
        let opened = block.flatten().map(|k| &self.labels[k as usize]);
        if opened.is_some_and(|o| o.name == label.name) {
            return Ok(());
        }
        let err = Error::malformed(format!("mismatching label ${}", label.name), label.span);
        Err(Box::new(match opened {
            Some(o) => err
                .with_label(format!("expected ${}", o.name))
                .with_secondary(o.span, "block labelled here"),
            None => err.with_label("the block has no label"),
        }))
    }
}

/// The instructions of a sequence: in a module's tree, or parsed apart and owned (then their vector
/// is reused for the resolved instructions, and each one's immediates are freed once resolved), or
/// still to be parsed: then each is resolved as soon as it is parsed and given to `Emit` (the
/// resolved sequence is left empty), so that neither the parsed nor the resolved body exists whole.
pub(crate) enum Seq<'s, 'b> {
    Borrowed(&'b [syntax::Instr<'s>]),
    Owned(Vec<syntax::Instr<'s>>),
    Streamed(body::Instrs<'s>, &'b mut dyn Emit),
}

/// What takes a function body resolved as it is parsed ([`super::Header::func_streamed`]).
pub trait Emit {
    /// The types of the function's declared locals, before its first instruction.
    fn locals(&mut self, types: &[ast::ValType]);
    /// The next instruction.
    fn instr(&mut self, i: &ast::Instr);
}

/// A [`body::Sink`] that resolves each instruction as it is parsed and hands it on.
struct Stream<'s, 'r, 'n, 'x> {
    r: &'x mut Resolver<'s, 'r>,
    body: &'x mut Body<'s, 'n>,
    emit: &'x mut dyn Emit,
    count: usize,
}

impl<'s> body::Sink<'s> for Stream<'s, '_, '_, '_> {
    fn push(&mut self, i: syntax::Instr<'s>) -> Option<()> {
        let resolved = self.r.instr(&i, self.body);
        if !self.r.errors.is_empty() {
            return None;
        }
        self.emit.instr(&resolved);
        self.count += 1;
        Some(())
    }
    fn count(&self) -> usize {
        self.count
    }
    // Spans only serve errors, which make the caller start again from a parse tree.
    fn span_at(&self, _: usize) -> Span {
        Span::default()
    }
    fn set_span(&mut self, _: usize, _: Span) {}
}

/// `n` as a power of two, for `align=n`.
fn log2(n: u64) -> Option<u32> {
    n.is_power_of_two().then(|| n.trailing_zeros())
}

impl<'s> Resolver<'s, '_> {
    /// Resolves an instruction sequence, collecting errors and going on after each.
    pub(super) fn instrs(
        &mut self,
        instrs: Seq<'s, '_>,
        body: &mut Body<'s, '_>,
    ) -> Vec<ast::Instr> {
        match instrs {
            Seq::Borrowed(instrs) => instrs.iter().map(|i| self.instr(i, body)).collect(),
            // Collected in place: the parsed instructions' vector becomes the resolved one's.
            Seq::Owned(instrs) => instrs.into_iter().map(|i| self.instr(&i, body)).collect(),
            Seq::Streamed(instrs, emit) => {
                let mut sink = Stream {
                    r: self,
                    body,
                    emit,
                    count: 0,
                };
                if instrs.instrs_into(&mut sink).is_none() && self.errors.is_empty() {
                    // A form the hand-written parser leaves to the grammar: the caller starts again.
                    self.errors.push(Error::malformed(
                        "internal: body left to the grammar",
                        Span::default(),
                    ));
                }
                Vec::new()
            }
        }
    }

    fn instr(&mut self, i: &syntax::Instr<'s>, body: &mut Body<'s, '_>) -> ast::Instr {
        let imm = self.imm(i, body).unwrap_or_else(|e| {
            self.errors.push(*e);
            ast::Imm::None
        });
        ast::Instr {
            op: i.op,
            imm,
            span: i.span,
        }
    }

    /// A constant expression (global initialiser, segment offset, element item).
    pub(super) fn const_expr(&mut self, expr: &'s [syntax::Instr<'s>]) -> ast::ConstExpr {
        let locals = Namespace::new(Space::Local);
        let mut body = Body::new(&locals);
        self.instrs(Seq::Borrowed(expr), &mut body)
    }

    /// Looks `index` up in one of the module's spaces; `Err` holds the error for an unknown name.
    fn idx(&self, space: Space, index: &Index<'_>) -> Res<u32> {
        let ns = match space {
            Space::Type => &self.scope.types,
            Space::Func => &self.scope.funcs,
            Space::Table => &self.scope.tables,
            Space::Memory => &self.scope.memories,
            Space::Global => &self.scope.globals,
            Space::Elem => &self.scope.elems,
            Space::Data => &self.scope.datas,
            Space::Tag => &self.scope.tags,
            Space::Local | Space::Label | Space::Field => unreachable!("spaces of a scope"),
        };
        ns.lookup(index)
    }

    /// An optional index, 0 when absent.
    fn opt_idx(&self, space: Space, index: Option<&Index<'_>>) -> Res<u32> {
        index.map_or(Ok(0), |i| self.idx(space, i))
    }

    fn mem_arg(&self, op: Op, m: &syntax::MemArg<'_>, span: Span) -> Res<ast::MemArg> {
        let mem = MemIdx(self.opt_idx(Space::Memory, m.mem.as_deref())?);
        let align = m.align.unwrap_or(u64::from(op.natural_align()));
        let align_log2 = log2(align).ok_or_else(|| {
            Error::malformed("alignment must be a power of two", span)
                .with_label(format!("align={align}"))
        })?;
        // The offset is an address of the memory: without 64-bit memories it is a u32 constant;
        // with them, a too large offset for a 32-bit memory is for validation to report ("offset
        // out of range"), as is an unknown memory.
        let memory64 = self.scope.memory64.get(mem.0 as usize).copied();
        let text_u32 = !self.features.memory64 && memory64 == Some(false);
        if text_u32 && m.offset > u64::from(u32::MAX) {
            return Err(Box::new(
                Error::malformed("i32 constant out of range", span)
                    .with_label(format!("offset={} does not fit a 32-bit memory", m.offset)),
            ));
        }
        Ok(ast::MemArg {
            mem,
            offset: m.offset,
            align_log2,
        })
    }

    /// Resolves one instruction's immediates, opening and closing blocks.
    fn imm(&mut self, instr: &syntax::Instr<'s>, body: &mut Body<'s, '_>) -> Res<ast::Imm> {
        use ast::Imm as A;
        let op = instr.op;
        Ok(match (op.imm(), &instr.imm) {
            (ImmKind::None | ImmKind::Fence, Imm::None) => A::None,
            (ImmKind::Block | ImmKind::If, Imm::Block(bt)) => {
                body.open(bt.as_ref().and_then(|b| b.label.as_ref()));
                A::Block(match bt {
                    Some(b) => self.block_type(&b.ty),
                    None => ast::BlockType::Empty,
                })
            }
            (ImmKind::Else, Imm::EndLabel(l)) => {
                body.check_end_label(body.blocks.last().copied(), l.as_ref())?;
                A::None
            }
            (ImmKind::End, Imm::EndLabel(l)) => {
                let block = body.blocks.pop();
                let checked = body.check_end_label(block, l.as_ref());
                if let Some(Some(_)) = block {
                    body.labels.pop();
                }
                checked?;
                A::None
            }
            (ImmKind::Label, Imm::Index(i)) => A::Label(LabelIdx(body.label(i)?)),
            (ImmKind::BrTable, Imm::BrTable(labels)) => {
                let mut depths = Vec::with_capacity(labels.len());
                for l in labels {
                    depths.push(LabelIdx(body.label(l)?));
                }
                let Some(default) = depths.pop() else {
                    return Err(Box::new(Error::malformed(
                        "br_table needs a label",
                        instr.span,
                    )));
                };
                A::BrTable(depths.into_boxed_slice(), default)
            }
            (ImmKind::Func, Imm::Index(i)) => A::Func(FuncIdx(self.idx(Space::Func, i)?)),
            (ImmKind::Type, Imm::Index(i)) => A::Type(ast::TypeIdx(self.idx(Space::Type, i)?)),
            (ImmKind::CallIndirect, Imm::CallIndirect(ci)) => {
                let table = TableIdx(self.opt_idx(Space::Table, ci.table.as_ref())?);
                A::CallIndirect(self.type_use(&ci.ty), table)
            }
            (ImmKind::Local, Imm::Index(i)) => A::Local(LocalIdx(body.locals.lookup(i)?)),
            (ImmKind::Global, Imm::Index(i)) => A::Global(GlobalIdx(self.idx(Space::Global, i)?)),
            (ImmKind::Table, Imm::OptIndex(i)) => {
                A::Table(TableIdx(self.opt_idx(Space::Table, i.as_ref())?))
            }
            (ImmKind::Memory, Imm::OptIndex(i)) => {
                A::Memory(MemIdx(self.opt_idx(Space::Memory, i.as_ref())?))
            }
            (ImmKind::MemArg, Imm::MemArg(m)) => A::MemArg(self.mem_arg(op, m, instr.span)?),
            (ImmKind::MemArgLane, Imm::MemArgLane(m, lane)) => {
                A::MemArgLane(self.mem_arg(op, m, instr.span)?, *lane)
            }
            (ImmKind::Lane, Imm::Lane(lane)) => A::Lane(*lane),
            (ImmKind::MemoryInit, Imm::Init(init)) => {
                let (mem, data) = &**init;
                let data = self.idx(Space::Data, data);
                let mem = self.opt_idx(Space::Memory, mem.as_ref());
                A::MemoryInit(DataIdx(data?), MemIdx(mem?))
            }
            (ImmKind::Data, Imm::Index(i)) => A::Data(DataIdx(self.idx(Space::Data, i)?)),
            (ImmKind::MemoryCopy, Imm::Copy(c)) => {
                let (dst, src) = self.copy(Space::Memory, c.as_deref())?;
                A::MemoryCopy(MemIdx(dst), MemIdx(src))
            }
            (ImmKind::TableInit, Imm::Init(init)) => {
                let (table, elem) = &**init;
                let elem = self.idx(Space::Elem, elem);
                let table = self.opt_idx(Space::Table, table.as_ref());
                A::TableInit(ElemIdx(elem?), TableIdx(table?))
            }
            (ImmKind::Elem, Imm::Index(i)) => A::Elem(ElemIdx(self.idx(Space::Elem, i)?)),
            (ImmKind::TableCopy, Imm::Copy(c)) => {
                let (dst, src) = self.copy(Space::Table, c.as_deref())?;
                A::TableCopy(TableIdx(dst), TableIdx(src))
            }
            (ImmKind::I32, Imm::I32(v)) => A::I32(*v),
            (ImmKind::I64, Imm::I64(v)) => A::I64(*v),
            (ImmKind::F32, Imm::F32(v)) => A::F32(*v),
            (ImmKind::F64, Imm::F64(v)) => A::F64(*v),
            (ImmKind::V128, Imm::V128(v)) => A::V128(v.clone()),
            (ImmKind::Shuffle, Imm::Shuffle(l)) => A::Shuffle(Box::new(*l)),
            (ImmKind::Select, Imm::Select(None)) => A::None,
            (ImmKind::Select, Imm::Select(Some(tys))) => {
                A::Select(tys.iter().map(|t| self.val_type(t)).collect())
            }
            (ImmKind::RefNull, Imm::RefNull(h)) => A::RefNull(self.heap_type(h)),
            (ImmKind::Tag, Imm::Index(i)) => A::Tag(ast::TagIdx(self.idx(Space::Tag, i)?)),
            (ImmKind::Field, Imm::Pair(p)) => {
                let (ty, field) = &**p;
                let ty = self.idx(Space::Type, ty)?;
                A::Field(ast::TypeIdx(ty), self.field(ty, field)?)
            }
            (ImmKind::TypeCount, Imm::IndexCount(c)) => {
                let (ty, n) = &**c;
                A::TypeCount(ast::TypeIdx(self.idx(Space::Type, ty)?), *n)
            }
            (ImmKind::TypeData, Imm::Pair(p)) => {
                let (ty, data) = &**p;
                let ty = self.idx(Space::Type, ty);
                let data = self.idx(Space::Data, data);
                A::TypeData(ast::TypeIdx(ty?), DataIdx(data?))
            }
            (ImmKind::TypeElem, Imm::Pair(p)) => {
                let (ty, elem) = &**p;
                let ty = self.idx(Space::Type, ty);
                let elem = self.idx(Space::Elem, elem);
                A::TypeElem(ast::TypeIdx(ty?), ElemIdx(elem?))
            }
            (ImmKind::TypeType, Imm::Pair(p)) => {
                let (dst, src) = &**p;
                let dst = self.idx(Space::Type, dst);
                let src = self.idx(Space::Type, src);
                A::TypeType(ast::TypeIdx(dst?), ast::TypeIdx(src?))
            }
            (ImmKind::Cast, Imm::RefType(rt)) => A::Cast(self.ref_type(rt)),
            (ImmKind::BrOnCast, Imm::BrOnCast(b)) => {
                let (label, from, to) = &**b;
                let label = LabelIdx(body.label(label)?);
                A::BrOnCast(Box::new((label, self.ref_type(from), self.ref_type(to))))
            }
            (ImmKind::TryTable, Imm::TryTable(t)) => {
                // The catch clauses' labels are outside the `try_table`: resolved before its own.
                let mut catches = Vec::with_capacity(t.catches.len());
                for c in &t.catches {
                    let label = LabelIdx(body.label(&c.label)?);
                    let tag = match &c.tag {
                        Some(tag) => Some(ast::TagIdx(self.idx(Space::Tag, tag)?)),
                        None => None,
                    };
                    catches.push(match (tag, c.with_ref) {
                        (Some(tag), false) => ast::Catch::One(tag, label),
                        (Some(tag), true) => ast::Catch::OneRef(tag, label),
                        (None, false) => ast::Catch::All(label),
                        (None, true) => ast::Catch::AllRef(label),
                    });
                }
                body.open(t.block.label.as_ref());
                let bt = self.block_type(&t.block.ty);
                A::TryTable(Box::new((bt, catches)))
            }
            (kind, imm) => {
                let message = format!(
                    "internal: `{}` ({kind:?}) with immediates {imm:?}",
                    op.keyword()
                );
                return Err(Box::new(Error::malformed(message, instr.span)));
            }
        })
    }

    /// The index of field `field` of the struct type `ty`: a number, or a name that type gives.
    fn field(&self, ty: u32, field: &Index<'_>) -> Res<u32> {
        match field {
            Index::Num(n, _) => Ok(*n),
            Index::Id(id) => match self.scope.fields.get(&ty) {
                Some(ns) => ns.lookup(field),
                None => Err(Box::new(unknown(Space::Field, id))),
            },
        }
    }

    /// `(dst src)` of a copy, `(0, 0)` when not written.
    fn copy(&self, space: Space, c: Option<&(Index<'_>, Index<'_>)>) -> Res<(u32, u32)> {
        let Some((dst, src)) = c else {
            return Ok((0, 0));
        };
        Ok((self.idx(space, dst)?, self.idx(space, src)?))
    }
}
