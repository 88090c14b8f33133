//! Expansion and name resolution: `text::syntax::Module` to `ast::Module`.
//!
//! ```text
//! syntax::Module -expand-> items -Scope::build-> index spaces -resolve-> ast::Module
//! ```
//! 1. [`expand`] writes out the abbreviations that add module fields (inline imports, exports,
//!    data and elements) and checks that imports come first.
//! 2. [`names`] numbers every entity and binds the `$ids` ("duplicate func").
//! 3. This module walks the items in order and builds the `ast::Module`: [`types`] resolves value
//!    types and type uses (appending implicit types in item order), [`func`] resolves instruction
//!    sequences with their locals and labels. Names go to the [`ast::Names`] side table.
//!
//! Errors are collected: an unknown name is reported and resolution goes on.

mod expand;
mod func;
mod names;
mod types;

#[cfg(test)]
mod tests;

use expand::{DataMode, ElemMode, ImportKind, Item, Offset, Target};
use names::{Namespace, Scope, Space, lookup};
use types::{TypeTable, Types};

use crate::Features;
use crate::ast::{self, ExternKind, FuncIdx, TableIdx};
use crate::error::Error;
use crate::instr::Op;
use crate::span::Span;
use crate::text::{body, syntax};

pub use func::Emit;

/// Expands the module's abbreviations and resolves every name to a typed index.
///
/// # Errors
/// Unknown and duplicate names, mismatched type uses, … (several per run).
pub fn resolve(module: &syntax::Module<'_>) -> Result<ast::Module, Vec<Error>> {
    resolve_with(module, &Features::default())
}

/// [`resolve`] for a module that may use `features` (some text rules depend on them: a memory
/// offset above 4 GiB is malformed without 64-bit memories, a validation question with them).
///
/// # Errors
/// As [`resolve`].
pub fn resolve_with(
    module: &syntax::Module<'_>,
    features: &Features,
) -> Result<ast::Module, Vec<Error>> {
    let Resolved { mut out, types, .. } = resolve_all(module, features)?;
    out.types = types.into_list();
    Ok(out)
}

/// A whole module resolved, with what resolving its bodies again needs ([`Header`]).
struct Resolved<'s> {
    /// The module, its type section not yet listed.
    out: ast::Module,
    scope: Scope<'s>,
    types: Types,
    funcs: Vec<(&'s syntax::Func<'s>, FuncIdx, u32)>,
}

/// Expands and resolves `module`: every error, or the module and its scope and types.
fn resolve_all<'s>(
    module: &'s syntax::Module<'s>,
    features: &Features,
) -> Result<Resolved<'s>, Vec<Error>> {
    let mut errors = Vec::new();
    let items = expand::expand(module, &mut errors);
    let scope = Scope::build(&items, &mut errors);
    let mut r = Resolver::new(
        *features,
        &scope,
        TypeTable::Building(Types::default()),
        errors,
    );
    r.out.names.module = module.id.as_ref().map(|id| id.name.to_string());
    r.module(&items);
    let Resolver {
        types,
        errors,
        out,
        funcs,
        ..
    } = r;
    if !errors.is_empty() {
        return Err(errors);
    }
    let TypeTable::Building(types) = types else {
        unreachable!("built above")
    };
    Ok(Resolved {
        out,
        scope,
        types,
        funcs,
    })
}

/// What resolving a function body apart needs of its module (see [`resolve_header`]); bodies can be
/// resolved from several threads at once.
pub struct Header<'s> {
    scope: Scope<'s>,
    types: Types,
    /// Per defined function: its parse tree, index, and how many types exist when its body is
    /// resolved in item order.
    funcs: Vec<(&'s syntax::Func<'s>, FuncIdx, u32)>,
    features: Features,
}

/// A function body resolved by [`Header::func`], with the names it gives.
pub struct ResolvedFunc {
    /// The function.
    pub func: ast::Func,
    /// Its named parameters and locals.
    pub locals: Vec<(ast::LocalIdx, String)>,
    /// Its labelled blocks.
    pub labels: Vec<(u32, String)>,
}

/// Why [`Header::func`] gave no function: the caller resolves the whole module with [`resolve_with`]
/// instead, which reports errors (or numbers a type the body adds).
#[derive(Debug)]
pub struct Unresolved;

/// Resolves everything in `module` but the defined functions' locals and bodies, which
/// [`Header::func`] resolves one at a time.
///
/// The module returned has every defined function with its type but no locals and no body, and no
/// names of locals or labels of defined functions.
///
/// # Errors
/// As [`resolve`], for the parts resolved.
pub fn resolve_header<'s>(
    module: &'s syntax::Module<'s>,
    features: &Features,
) -> Result<(ast::Module, Header<'s>), Vec<Error>> {
    let Resolved {
        mut out,
        scope,
        types,
        funcs,
    } = resolve_all(module, features)?;
    out.types = types.list().to_vec();
    // The bodies give the names of defined functions' locals and labels.
    let imported = out.imported(ExternKind::Func);
    out.names.locals.retain(|(f, _)| f.0 < imported);
    out.names.labels.retain(|(f, _)| f.0 < imported);
    for f in &mut out.funcs {
        f.locals = Vec::new();
        f.body = Vec::new();
    }
    let header = Header {
        scope,
        types,
        funcs,
        features: *features,
    };
    Ok((out, header))
}

impl<'s> Header<'s> {
    /// Resolves the body of the `i`-th defined function, whose locals and instructions are those of
    /// `body` (parsed apart from the module, or the module's own parse tree).
    ///
    /// # Errors
    /// [`Unresolved`] if the body has an error, or needs a type the module does not have yet.
    pub fn func<'b>(
        &'b self,
        i: usize,
        body: &'b syntax::Func<'b>,
    ) -> Result<ResolvedFunc, Unresolved>
    where
        's: 'b,
    {
        self.func_of(i, &body.locals, func::Seq::Borrowed(&body.body))
    }

    /// As [`Header::func`], for a body parsed apart: its instructions' vector is reused for the
    /// resolved ones, so the two do not both exist in full.
    pub fn func_owned<'b>(
        &'b self,
        i: usize,
        body: syntax::Func<'b>,
    ) -> Result<ResolvedFunc, Unresolved>
    where
        's: 'b,
    {
        let syntax::Func { locals, body, .. } = body;
        self.func_of(i, &locals, func::Seq::Owned(body))
    }

    /// As [`Header::func`], for the body at `span` of `text` (the module's text): each instruction
    /// is resolved as soon as the hand-written parser ([`body`]) reads it, and given to `emit`; the
    /// function returned has no body. `None` if the body has an error or a form that parser leaves
    /// to the grammar (then the caller parses it with the grammar: [`Header::func_owned`]), or needs
    /// a type the module does not have yet.
    pub fn func_streamed<'b>(
        &'b self,
        i: usize,
        text: &'b str,
        span: Span,
        emit: &mut dyn Emit,
    ) -> Option<ResolvedFunc>
    where
        's: 'b,
    {
        let (instrs, locals) = body::start(text, span)?;
        self.func_of(i, &locals, func::Seq::Streamed(instrs, emit))
            .ok()
    }

    fn func_of<'b>(
        &'b self,
        i: usize,
        locals: &'b [syntax::Local<'b>],
        instrs: func::Seq<'b, '_>,
    ) -> Result<ResolvedFunc, Unresolved>
    where
        's: 'b,
    {
        let &(header, idx, visible) = self.funcs.get(i).ok_or(Unresolved)?;
        let table = TypeTable::Frozen {
            types: &self.types,
            visible,
            missed: false,
        };
        let mut r = Resolver::new(self.features, &self.scope, table, Vec::new());
        let func = r.func_parts(header, locals, instrs, idx);
        if !r.errors.is_empty() || matches!(r.types, TypeTable::Frozen { missed: true, .. }) {
            return Err(Unresolved);
        }
        let names = std::mem::take(&mut r.out.names);
        Ok(ResolvedFunc {
            func,
            locals: names
                .locals
                .into_iter()
                .next()
                .map_or(Vec::new(), |(_, l)| l),
            labels: names
                .labels
                .into_iter()
                .next()
                .map_or(Vec::new(), |(_, l)| l),
        })
    }

    /// The number of defined functions.
    pub fn func_count(&self) -> usize {
        self.funcs.len()
    }

    /// The parse tree of the `i`-th defined function.
    pub fn func_syntax(&self, i: usize) -> Option<&'s syntax::Func<'s>> {
        self.funcs.get(i).map(|f| f.0)
    }
}

/// The resolution of one module (or of one function body, given the module's header).
pub(super) struct Resolver<'s, 'r> {
    /// The features the module may use.
    features: Features,
    /// The module's index spaces.
    scope: &'r Scope<'s>,
    /// The type section being built.
    types: TypeTable<'r>,
    /// Errors so far.
    errors: Vec<Error>,
    /// The module being built.
    out: ast::Module,
    /// Per defined function: its parse tree, index, and the number of types after it.
    funcs: Vec<(&'s syntax::Func<'s>, FuncIdx, u32)>,
}

/// Running counters of the entities met so far, for the name side table.
#[derive(Default)]
struct Counters {
    funcs: u32,
    tables: u32,
    memories: u32,
    globals: u32,
    elems: u32,
    datas: u32,
    tags: u32,
}

fn name_of(id: Option<&syntax::Id<'_>>) -> Option<String> {
    id.map(|id| id.name.to_string())
}

impl<'s, 'r> Resolver<'s, 'r> {
    fn new(
        features: Features,
        scope: &'r Scope<'s>,
        types: TypeTable<'r>,
        errors: Vec<Error>,
    ) -> Self {
        Resolver {
            features,
            scope,
            types,
            errors,
            out: ast::Module::default(),
            funcs: Vec::new(),
        }
    }

    /// Builds the module from the expanded items.
    fn module(&mut self, items: &[Item<'s>]) {
        // Written types come first in the type section, before any implicit one.
        for item in items {
            match item {
                Item::Type(def) => self.written_type(def, false),
                Item::Rec(defs) => {
                    let start = ast::TypeIdx(self.types.len());
                    for def in defs.iter() {
                        self.written_type(def, true);
                    }
                    let len = self.types.len() - start.0;
                    self.out.rec_groups.push(ast::RecGroup { start, len });
                }
                _ => {}
            }
        }
        let mut n = Counters::default();
        for item in items {
            self.item(item, &mut n);
        }
    }

    /// A type written in the text, with its name and its fields' names.
    fn written_type(&mut self, def: &'s syntax::TypeDef<'s>, in_rec: bool) {
        let idx = ast::TypeIdx(self.types.len());
        self.define_type(def, in_rec);
        if let Some(name) = name_of(def.id.as_ref()) {
            self.out.names.types.push((idx, name));
        }
        if let syntax::Composite::Struct(fields) = &def.composite {
            let named: Vec<(u32, String)> = (0u32..)
                .zip(fields)
                .filter_map(|(i, f)| Some((i, name_of(f.id.as_ref())?)))
                .collect();
            if !named.is_empty() {
                self.out.names.fields.push((idx, named));
            }
        }
    }

    fn item(&mut self, item: &Item<'s>, n: &mut Counters) {
        match item {
            Item::Type(_) | Item::Rec(_) => {}
            Item::Tag(t) => {
                if let Some(name) = name_of(t.id.as_ref()) {
                    self.out.names.tags.push((ast::TagIdx(n.tags), name));
                }
                n.tags += 1;
                let ty = self.type_use(&t.ty);
                self.out.tags.push(ty);
            }
            Item::Import(i) => {
                let kind = match &i.kind {
                    ImportKind::Func(tu) => {
                        let idx = FuncIdx(n.funcs);
                        n.funcs += 1;
                        if let Some(name) = name_of(i.id) {
                            self.out.names.funcs.push((idx, name));
                        }
                        let ty = self.type_use(tu);
                        let mut locals = Namespace::new(Space::Local);
                        let named = self.params(tu, ty, &mut locals);
                        if !named.is_empty() {
                            self.out.names.locals.push((idx, named));
                        }
                        ast::ImportKind::Func(ty)
                    }
                    ImportKind::Table(t) => {
                        let idx = TableIdx(n.tables);
                        n.tables += 1;
                        if let Some(name) = name_of(i.id) {
                            self.out.names.tables.push((idx, name));
                        }
                        self.limits32(&t.limits, t.table64, "table", i.span);
                        ast::ImportKind::Table(self.table_type(t))
                    }
                    ImportKind::Memory(m) => {
                        if let Some(name) = name_of(i.id) {
                            self.out
                                .names
                                .memories
                                .push((ast::MemIdx(n.memories), name));
                        }
                        n.memories += 1;
                        self.limits32(&m.limits, m.memory64, "memory", i.span);
                        ast::ImportKind::Memory(*m)
                    }
                    ImportKind::Global(g) => {
                        if let Some(name) = name_of(i.id) {
                            self.out
                                .names
                                .globals
                                .push((ast::GlobalIdx(n.globals), name));
                        }
                        n.globals += 1;
                        ast::ImportKind::Global(self.global_type(g))
                    }
                    ImportKind::Tag(tu) => {
                        if let Some(name) = name_of(i.id) {
                            self.out.names.tags.push((ast::TagIdx(n.tags), name));
                        }
                        n.tags += 1;
                        ast::ImportKind::Tag(self.type_use(tu))
                    }
                };
                self.out.imports.push(ast::Import {
                    module: i.module.name.clone(),
                    field: i.field.name.clone(),
                    kind,
                    span: i.span,
                });
            }
            Item::Func(f) => {
                let idx = FuncIdx(n.funcs);
                n.funcs += 1;
                if let Some(name) = name_of(f.id.as_ref()) {
                    self.out.names.funcs.push((idx, name));
                }
                let func = self.func(f, idx);
                self.out.funcs.push(func);
                self.funcs.push((f, idx, self.types.len()));
            }
            Item::Table(t) => {
                if let Some(name) = name_of(t.id.as_ref()) {
                    self.out.names.tables.push((TableIdx(n.tables), name));
                }
                n.tables += 1;
                self.limits32(&t.ty.limits, t.ty.table64, "table", t.span);
                let ty = self.table_type(&t.ty);
                let init = t.init.as_ref().map(|e| self.const_expr(e));
                self.out.tables.push(ast::Table { ty, init });
            }
            Item::Memory(m) => {
                if let Some(name) = name_of(m.id.as_ref()) {
                    self.out
                        .names
                        .memories
                        .push((ast::MemIdx(n.memories), name));
                }
                n.memories += 1;
                self.limits32(&m.ty.limits, m.ty.memory64, "memory", m.span);
                self.out.memories.push(m.ty);
            }
            Item::Global(g) => {
                if let Some(name) = name_of(g.id.as_ref()) {
                    self.out
                        .names
                        .globals
                        .push((ast::GlobalIdx(n.globals), name));
                }
                n.globals += 1;
                let ty = self.global_type(&g.ty);
                let init = self.const_expr(&g.init);
                self.out.globals.push(ast::Global { ty, init });
            }
            Item::Export(e) => {
                let space = match e.kind {
                    ExternKind::Func => Space::Func,
                    ExternKind::Table => Space::Table,
                    ExternKind::Memory => Space::Memory,
                    ExternKind::Global => Space::Global,
                    ExternKind::Tag => Space::Tag,
                };
                let index = self.target(space, &e.target).unwrap_or(0);
                self.out.exports.push(ast::Export {
                    name: e.name.name.clone(),
                    kind: e.kind,
                    index,
                    span: e.span,
                });
            }
            Item::Start(index, span) => {
                let f = lookup(&self.scope.funcs, &mut self.errors, index).unwrap_or(0);
                if self.out.start.is_some() {
                    self.errors.push(
                        Error::malformed("multiple start sections", *span)
                            .with_label("a module has at most one start function"),
                    );
                }
                self.out.start = Some(FuncIdx(f));
            }
            Item::Elem(e) => {
                if let Some(name) = name_of(e.id) {
                    self.out.names.elems.push((ast::ElemIdx(n.elems), name));
                }
                n.elems += 1;
                let mode = match &e.mode {
                    ElemMode::Passive => ast::ElemMode::Passive,
                    ElemMode::Declared => ast::ElemMode::Declared,
                    ElemMode::Active { table, offset } => ast::ElemMode::Active {
                        table: TableIdx(
                            table
                                .as_ref()
                                .map_or(Some(0), |t| self.target(Space::Table, t))
                                .unwrap_or(0),
                        ),
                        explicit: table.is_some(),
                        offset: self.offset(offset),
                    },
                };
                let items = match e.list {
                    syntax::ElemList::Funcs(fs) => ast::ElemItems::Funcs(
                        fs.iter()
                            .map(|f| {
                                FuncIdx(lookup(&self.scope.funcs, &mut self.errors, f).unwrap_or(0))
                            })
                            .collect(),
                    ),
                    syntax::ElemList::Exprs(ty, exprs) => {
                        let ty = self.ref_type(ty);
                        ast::ElemItems::Exprs(
                            ty,
                            exprs.iter().map(|e| self.const_expr(e)).collect(),
                        )
                    }
                };
                self.out.elems.push(ast::Elem { mode, items });
            }
            Item::Data(d) => {
                if let Some(name) = name_of(d.id) {
                    self.out.names.datas.push((ast::DataIdx(n.datas), name));
                }
                n.datas += 1;
                let mode = match &d.mode {
                    DataMode::Passive => ast::DataMode::Passive,
                    DataMode::Active { memory, offset } => ast::DataMode::Active {
                        memory: ast::MemIdx(
                            memory
                                .as_ref()
                                .map_or(Some(0), |m| self.target(Space::Memory, m))
                                .unwrap_or(0),
                        ),
                        offset: self.offset(offset),
                    },
                };
                let place = d.place.map(|p| ast::Placement {
                    name: d.id.map_or(String::new(), |id| id.name.to_string()),
                    kind: p.kind,
                    align: p.align,
                    size: p.size,
                    span: p.span,
                });
                self.out.datas.push(ast::Data {
                    mode,
                    bytes: d.bytes.to_vec(),
                    place,
                });
            }
            Item::Custom(c) => self.out.customs.push(ast::Custom {
                name: c.name.name.clone(),
                place: c.place,
                bytes: c.bytes.clone(),
            }),
        }
    }

    /// A defined function: its type, locals (named ones in the side table) and body.
    fn func(&mut self, f: &'s syntax::Func<'s>, idx: FuncIdx) -> ast::Func {
        self.func_parts(f, &f.locals, func::Seq::Borrowed(&f.body), idx)
    }

    /// A defined function whose type use is that of `header`, with these locals and body.
    fn func_parts(
        &mut self,
        header: &'s syntax::Func<'s>,
        local_decls: &'s [syntax::Local<'s>],
        instrs: func::Seq<'s, '_>,
        idx: FuncIdx,
    ) -> ast::Func {
        let ty = self.type_use(&header.ty);
        let mut locals = Namespace::new(Space::Local);
        let mut named = self.params(&header.ty, ty, &mut locals);
        let mut types = Vec::with_capacity(local_decls.len());
        for l in local_decls {
            let i = locals.define(l.id.as_ref(), &mut self.errors);
            if let Some(id) = &l.id {
                named.push((ast::LocalIdx(i), id.name.to_string()));
            }
            types.push(self.val_type(&l.ty));
        }
        if !named.is_empty() {
            self.out.names.locals.push((idx, named));
        }
        let mut body = func::Body::new(&locals);
        let mut instrs = instrs;
        if let func::Seq::Streamed(_, emit) = &mut instrs {
            emit.locals(&types);
        }
        let instrs = self.instrs(instrs, &mut body);
        if !body.label_names.is_empty() {
            self.out.names.labels.push((idx, body.label_names));
        }
        ast::Func {
            ty,
            locals: types,
            body: instrs,
            span: header.span,
        }
    }

    /// Defines a function's parameters as its first locals; returns the named ones. With only
    /// `(type $t)` written, the parameters are those of `$t`, unnamed.
    fn params(
        &mut self,
        tu: &'s syntax::TypeUse<'s>,
        ty: ast::TypeIdx,
        locals: &mut Namespace<'s>,
    ) -> Vec<(ast::LocalIdx, String)> {
        let mut named = Vec::new();
        let count = self.param_count(tu, ty);
        if count as usize == tu.inline.params.len() {
            for p in &tu.inline.params {
                let i = locals.define(p.id.as_ref(), &mut self.errors);
                if let Some(id) = &p.id {
                    named.push((ast::LocalIdx(i), id.name.to_string()));
                }
            }
        } else {
            for _ in 0..count {
                locals.define(None, &mut self.errors);
            }
        }
        named
    }

    /// A 32-bit table's or memory's limits past `u32::MAX`: the text reads them as 64-bit numbers,
    /// and what they mean depends on the features. With memory64, the module is well-formed and
    /// invalid (the spec's 3.0 scripts); without, the number is malformed (2.0's).
    fn limits32(&mut self, limits: &ast::Limits, is64: bool, what: &str, span: Span) {
        let too_big = |n: u64| n > u64::from(u32::MAX);
        if is64 || !(too_big(limits.min) || limits.max.is_some_and(too_big)) {
            return;
        }
        self.errors.push(if !self.features.memory64 {
            Error::malformed("i32 constant out of range", span)
                .with_label("a 32-bit limit is at most 0xffff_ffff")
        } else if what == "memory" {
            Error::invalid("memory size must be at most 65536 pages (4GiB)", span)
        } else {
            Error::invalid("table size must be at most 2^32-1", span)
        });
    }

    fn table_type(&mut self, t: &syntax::TableType<'_>) -> ast::TableType {
        ast::TableType {
            limits: t.limits,
            elem: self.ref_type(&t.elem),
            table64: t.table64,
        }
    }

    fn global_type(&mut self, g: &syntax::GlobalType<'_>) -> ast::GlobalType {
        ast::GlobalType {
            ty: self.val_type(&g.ty),
            mutable: g.mutable,
        }
    }

    /// The index an export or segment refers to; `None` after reporting an unknown name.
    fn target(&mut self, space: Space, t: &Target<'_>) -> Option<u32> {
        let ns = match space {
            Space::Func => &self.scope.funcs,
            Space::Table => &self.scope.tables,
            Space::Memory => &self.scope.memories,
            Space::Global => &self.scope.globals,
            Space::Tag => &self.scope.tags,
            _ => unreachable!("exports and segments refer to entities"),
        };
        match t {
            Target::Written(index) => lookup(ns, &mut self.errors, index),
            Target::Known(i) => Some(*i),
        }
    }

    fn offset(&mut self, offset: &Offset<'s>) -> ast::ConstExpr {
        match offset {
            Offset::Written(e) => self.const_expr(e),
            Offset::Zero { is64: false } => vec![ast::Instr::new(Op::I32Const, ast::Imm::I32(0))],
            Offset::Zero { is64: true } => vec![ast::Instr::new(Op::I64Const, ast::Imm::I64(0))],
        }
    }
}
