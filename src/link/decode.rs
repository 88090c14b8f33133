//! Binary modules as linker inputs: wasm bytes to [`ast::Module`].
//!
//! wasmparser reads the sections; instruction bodies are read opcode by opcode through the instruction
//! table ([`Op::ALL`] indexed by [`Opcode`]) and each immediate by its [`ImmKind`], so every
//! instruction the encoder can write can be read back. A binary carries no `(@place …)`: its data
//! segments stay where they are (active ones at a constant address are fixed segments).

use std::collections::HashMap;
use std::sync::OnceLock;

use wasmparser::{BinaryReader, Name, Payload, TypeRef};

use crate::ast::*;
use crate::error::{Class, Error};
use crate::instr::{ImmKind, Op, Opcode};
use crate::span::Span;

type Result<T> = std::result::Result<T, Box<Error>>;

fn malformed(message: impl Into<String>) -> Box<Error> {
    Box::new(Error::unlocated(Class::Malformed, message))
}

fn wp(e: wasmparser::BinaryReaderError) -> Box<Error> {
    malformed(format!("{} (at byte {:#x})", e.message(), e.offset()))
}

fn opcodes() -> &'static HashMap<Opcode, Op> {
    static MAP: OnceLock<HashMap<Opcode, Op>> = OnceLock::new();
    MAP.get_or_init(|| Op::ALL.iter().map(|&op| (op.opcode(), op)).collect())
}

fn heap(h: wasmparser::HeapType) -> Result<HeapType> {
    use wasmparser::{AbstractHeapType, HeapType as H};
    match h {
        H::Abstract {
            ty: AbstractHeapType::Func,
            ..
        } => Ok(HeapType::Func),
        H::Abstract {
            ty: AbstractHeapType::Extern,
            ..
        } => Ok(HeapType::Extern),
        H::Concrete(i) => match i.as_module_index() {
            Some(i) => Ok(HeapType::Type(TypeIdx(i))),
            None => Err(malformed("unsupported heap type")),
        },
        other => Err(malformed(format!("unsupported heap type {other:?}"))),
    }
}

fn ref_type(r: wasmparser::RefType) -> Result<RefType> {
    Ok(RefType {
        nullable: r.is_nullable(),
        heap: heap(r.heap_type())?,
    })
}

fn val(v: wasmparser::ValType) -> Result<ValType> {
    use wasmparser::ValType as V;
    Ok(match v {
        V::I32 => ValType::I32,
        V::I64 => ValType::I64,
        V::F32 => ValType::F32,
        V::F64 => ValType::F64,
        V::V128 => ValType::V128,
        V::Ref(r) => ValType::Ref(ref_type(r)?),
    })
}

fn table_type(t: wasmparser::TableType) -> Result<TableType> {
    Ok(TableType {
        limits: Limits {
            min: t.initial,
            max: t.maximum,
        },
        elem: ref_type(t.element_type)?,
        table64: t.table64,
    })
}

fn memory_type(m: wasmparser::MemoryType) -> MemoryType {
    MemoryType {
        limits: Limits {
            min: m.initial,
            max: m.maximum,
        },
        shared: m.shared,
        memory64: m.memory64,
        page_size_log2: m.page_size_log2,
    }
}

fn global_type(g: wasmparser::GlobalType) -> Result<GlobalType> {
    Ok(GlobalType {
        ty: val(g.content_type)?,
        mutable: g.mutable,
    })
}

fn mem_arg(r: &mut BinaryReader<'_>) -> Result<MemArg> {
    let flags = r.read_var_u32().map_err(wp)?;
    let mem = if flags & 0x40 != 0 {
        r.read_var_u32().map_err(wp)?
    } else {
        0
    };
    let offset = r.read_var_u64().map_err(wp)?;
    Ok(MemArg {
        mem: MemIdx(mem),
        offset,
        align_log2: flags & !0x40,
    })
}

/// `0x40`, a value type (one byte in 0x40..0x80, negative as s33, then maybe more), or a type index.
fn block_type(r: &mut BinaryReader<'_>) -> Result<BlockType> {
    let first = r.clone().read_u8().map_err(wp)?;
    if first == 0x40 {
        r.read_u8().map_err(wp)?;
        Ok(BlockType::Empty)
    } else if (0x40..0x80).contains(&first) {
        Ok(BlockType::Value(val(r.read().map_err(wp)?)?))
    } else {
        let idx = r.read_var_s33().map_err(wp)?;
        u32::try_from(idx)
            .map(|i| BlockType::Type(TypeIdx(i)))
            .map_err(|_| malformed("malformed block type"))
    }
}

/// Reads instructions until the reader is exhausted; the final `end` is dropped.
fn instrs(mut r: BinaryReader<'_>) -> Result<Vec<Instr>> {
    let mut out = Vec::new();
    while !r.eof() {
        let byte = r.read_u8().map_err(wp)?;
        let code = if byte == 0xfc || byte == 0xfd {
            Opcode::Prefixed(byte, r.read_var_u32().map_err(wp)?)
        } else {
            Opcode::Single(byte)
        };
        if code == Opcode::Single(0x1c) {
            let n = r.read_var_u32().map_err(wp)?;
            let types = (0..n)
                .map(|_| val(r.read().map_err(wp)?))
                .collect::<Result<Box<[ValType]>>>()?;
            out.push(Instr::new(Op::Select, Imm::Select(types)));
            continue;
        }
        let Some(&op) = opcodes().get(&code) else {
            return Err(malformed(format!("unknown operator {code:?}")));
        };
        let u32_ = |r: &mut BinaryReader<'_>| r.read_var_u32().map_err(wp);
        let imm = match op.imm() {
            ImmKind::None | ImmKind::Else | ImmKind::End | ImmKind::Select => Imm::None,
            ImmKind::Fence => match r.read_u8().map_err(wp)? {
                0 => Imm::None,
                _ => return Err(malformed("malformed atomic.fence flags".to_string())),
            },
            ImmKind::Block | ImmKind::If => Imm::Block(block_type(&mut r)?),
            ImmKind::Label => Imm::Label(LabelIdx(u32_(&mut r)?)),
            ImmKind::BrTable => {
                let n = u32_(&mut r)?;
                let labels = (0..n)
                    .map(|_| u32_(&mut r).map(LabelIdx))
                    .collect::<Result<Box<[LabelIdx]>>>()?;
                Imm::BrTable(labels, LabelIdx(u32_(&mut r)?))
            }
            ImmKind::Func => Imm::Func(FuncIdx(u32_(&mut r)?)),
            ImmKind::Type => Imm::Type(TypeIdx(u32_(&mut r)?)),
            ImmKind::CallIndirect => {
                let ty = TypeIdx(u32_(&mut r)?);
                Imm::CallIndirect(ty, TableIdx(u32_(&mut r)?))
            }
            ImmKind::Local => Imm::Local(LocalIdx(u32_(&mut r)?)),
            ImmKind::Global => Imm::Global(GlobalIdx(u32_(&mut r)?)),
            ImmKind::Table => Imm::Table(TableIdx(u32_(&mut r)?)),
            ImmKind::Memory => Imm::Memory(MemIdx(u32_(&mut r)?)),
            ImmKind::MemArg => Imm::MemArg(mem_arg(&mut r)?),
            ImmKind::MemArgLane => {
                let m = mem_arg(&mut r)?;
                Imm::MemArgLane(m, r.read_u8().map_err(wp)?)
            }
            ImmKind::MemoryInit => {
                let d = DataIdx(u32_(&mut r)?);
                Imm::MemoryInit(d, MemIdx(u32_(&mut r)?))
            }
            ImmKind::Data => Imm::Data(DataIdx(u32_(&mut r)?)),
            ImmKind::MemoryCopy => {
                let d = MemIdx(u32_(&mut r)?);
                Imm::MemoryCopy(d, MemIdx(u32_(&mut r)?))
            }
            ImmKind::TableInit => {
                let e = ElemIdx(u32_(&mut r)?);
                Imm::TableInit(e, TableIdx(u32_(&mut r)?))
            }
            ImmKind::Elem => Imm::Elem(ElemIdx(u32_(&mut r)?)),
            ImmKind::TableCopy => {
                let d = TableIdx(u32_(&mut r)?);
                Imm::TableCopy(d, TableIdx(u32_(&mut r)?))
            }
            ImmKind::I32 => Imm::I32(r.read_var_i32().map_err(wp)?),
            ImmKind::I64 => Imm::I64(r.read_var_i64().map_err(wp)?),
            ImmKind::F32 => Imm::F32(r.read_f32().map_err(wp)?.bits()),
            ImmKind::F64 => Imm::F64(r.read_f64().map_err(wp)?.bits()),
            ImmKind::V128 => {
                let b: [u8; 16] = r.read_bytes(16).map_err(wp)?.try_into().unwrap_or([0; 16]);
                Imm::V128(Box::new(u128::from_le_bytes(b)))
            }
            ImmKind::Shuffle => {
                let b: [u8; 16] = r.read_bytes(16).map_err(wp)?.try_into().unwrap_or([0; 16]);
                Imm::Shuffle(Box::new(b))
            }
            ImmKind::Lane => Imm::Lane(r.read_u8().map_err(wp)?),
            ImmKind::RefNull => Imm::RefNull(heap(r.read().map_err(wp)?)?),
            ImmKind::Field
            | ImmKind::TypeCount
            | ImmKind::TypeData
            | ImmKind::TypeElem
            | ImmKind::TypeType
            | ImmKind::Cast
            | ImmKind::BrOnCast
            | ImmKind::Tag
            | ImmKind::TryTable => {
                return Err(malformed(format!(
                    "`{}`: the linker does not take GC or exception handling",
                    op.keyword()
                )));
            }
        };
        out.push(Instr::new(op, imm));
    }
    if out.last().is_some_and(|i| i.op == Op::End) {
        out.pop();
    }
    Ok(out)
}

fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr> {
    instrs(e.get_binary_reader())
}

/// Decodes `bytes` into a resolved module.
///
/// # Errors
/// A malformed-class error if the module does not decode or uses what the AST cannot hold (GC
/// types, exceptions, components).
pub(super) fn decode(bytes: &[u8]) -> Result<Module> {
    let mut m = Module::default();
    let mut func_types = Vec::new();
    let mut bodies = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.map_err(wp)? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let ty = ty.map_err(wp)?;
                    m.types.push(
                        FuncType {
                            params: ty.params().iter().map(|&v| val(v)).collect::<Result<_>>()?,
                            results: ty
                                .results()
                                .iter()
                                .map(|&v| val(v))
                                .collect::<Result<_>>()?,
                        }
                        .into(),
                    );
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(wp)?;
                    let kind = match imp.ty {
                        TypeRef::Func(t) => ImportKind::Func(TypeIdx(t)),
                        TypeRef::Table(t) => ImportKind::Table(table_type(t)?),
                        TypeRef::Memory(t) => ImportKind::Memory(memory_type(t)),
                        TypeRef::Global(t) => ImportKind::Global(global_type(t)?),
                        other => return Err(malformed(format!("unsupported import {other:?}"))),
                    };
                    m.imports.push(Import {
                        module: imp.module.to_string(),
                        field: imp.name.to_string(),
                        kind,
                        span: Span::default(),
                    });
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(TypeIdx(t.map_err(wp)?));
                }
            }
            Payload::TableSection(r) => {
                for t in r {
                    let t = t.map_err(wp)?;
                    let init = match t.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(const_expr(&e)?),
                    };
                    m.tables.push(Table {
                        ty: table_type(t.ty)?,
                        init,
                    });
                }
            }
            Payload::MemorySection(r) => {
                for t in r {
                    m.memories.push(memory_type(t.map_err(wp)?));
                }
            }
            Payload::GlobalSection(r) => {
                for g in r {
                    let g = g.map_err(wp)?;
                    m.globals.push(Global {
                        ty: global_type(g.ty)?,
                        init: const_expr(&g.init_expr)?,
                    });
                }
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(wp)?;
                    let kind = match e.kind {
                        wasmparser::ExternalKind::Func => ExternKind::Func,
                        wasmparser::ExternalKind::Table => ExternKind::Table,
                        wasmparser::ExternalKind::Memory => ExternKind::Memory,
                        wasmparser::ExternalKind::Global => ExternKind::Global,
                        other => return Err(malformed(format!("unsupported export {other:?}"))),
                    };
                    m.exports.push(Export {
                        name: e.name.to_string(),
                        kind,
                        index: e.index,
                        span: Span::default(),
                    });
                }
            }
            Payload::StartSection { func, .. } => m.start = Some(FuncIdx(func)),
            Payload::ElementSection(r) => {
                for e in r {
                    m.elems.push(elem(e.map_err(wp)?)?);
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    let d = d.map_err(wp)?;
                    let mode = match d.kind {
                        wasmparser::DataKind::Passive => DataMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: MemIdx(memory_index),
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    m.datas.push(Data {
                        mode,
                        bytes: d.data.to_vec(),
                        place: None,
                    });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let ty = *func_types.get(bodies).ok_or_else(|| {
                    malformed("function and code section have inconsistent lengths")
                })?;
                bodies += 1;
                let mut locals = Vec::new();
                for l in body.get_locals_reader().map_err(wp)? {
                    let (n, t) = l.map_err(wp)?;
                    let t = val(t)?;
                    locals.extend(std::iter::repeat_n(t, n as usize));
                }
                let code = instrs(body.get_binary_reader_for_operators().map_err(wp)?)?;
                m.funcs.push(Func {
                    ty,
                    locals,
                    body: code,
                    span: Span::default(),
                });
            }
            Payload::CustomSection(c) => match c.as_known() {
                wasmparser::KnownCustom::Name(r) => names(&mut m.names, r)?,
                _ => m.customs.push(Custom {
                    name: c.name().to_string(),
                    place: CustomPlace::AfterLast,
                    bytes: c.data().to_vec(),
                }),
            },
            _ => {}
        }
    }
    Ok(m)
}

fn elem(e: wasmparser::Element<'_>) -> Result<Elem> {
    let mode = match e.kind {
        wasmparser::ElementKind::Passive => ElemMode::Passive,
        wasmparser::ElementKind::Declared => ElemMode::Declared,
        wasmparser::ElementKind::Active {
            table_index,
            offset_expr,
        } => ElemMode::Active {
            table: TableIdx(table_index.unwrap_or(0)),
            explicit: table_index.is_some(),
            offset: const_expr(&offset_expr)?,
        },
    };
    let items = match e.items {
        wasmparser::ElementItems::Functions(r) => ElemItems::Funcs(
            r.into_iter()
                .map(|f| f.map(FuncIdx).map_err(wp))
                .collect::<Result<_>>()?,
        ),
        wasmparser::ElementItems::Expressions(ty, r) => {
            let mut exprs = Vec::new();
            for x in r {
                exprs.push(const_expr(&x.map_err(wp)?)?);
            }
            ElemItems::Exprs(ref_type(ty)?, exprs)
        }
    };
    Ok(Elem { mode, items })
}

fn names(out: &mut Names, r: wasmparser::NameSectionReader<'_>) -> Result<()> {
    for name in r {
        let Ok(name) = name else { continue };
        let map = |m: wasmparser::NameMap<'_>| -> Vec<(u32, String)> {
            m.into_iter()
                .flatten()
                .map(|n| (n.index, n.name.to_string()))
                .collect()
        };
        match name {
            Name::Module { name, .. } => out.module = Some(name.to_string()),
            Name::Function(m) => {
                out.funcs = map(m).into_iter().map(|(i, n)| (FuncIdx(i), n)).collect()
            }
            Name::Global(m) => {
                out.globals = map(m).into_iter().map(|(i, n)| (GlobalIdx(i), n)).collect()
            }
            Name::Data(m) => out.datas = map(m).into_iter().map(|(i, n)| (DataIdx(i), n)).collect(),
            Name::Type(m) => out.types = map(m).into_iter().map(|(i, n)| (TypeIdx(i), n)).collect(),
            Name::Table(m) => {
                out.tables = map(m).into_iter().map(|(i, n)| (TableIdx(i), n)).collect()
            }
            Name::Element(m) => {
                out.elems = map(m).into_iter().map(|(i, n)| (ElemIdx(i), n)).collect()
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every module the compiler writes decodes back to the same module (names aside).
    #[test]
    fn round_trips_through_the_encoder() {
        let text = r#"(module
          (type $t (func (param i32) (result i32)))
          (import "env" "f" (func $f (type $t)))
          (memory 1) (table 2 funcref)
          (global $g (mut i64) (i64.const -5))
          (func $main (export "main") (param i32) (result i32) (local f32 v128)
            (block (result i32) (br_table 0 0 (local.get 0)))
            (call_indirect (type $t) (i32.const 0))
            (i32.load offset=4 align=2 (i32.const 8)) drop
            (f32.const 1.5) (local.set 1)
            (v128.const i32x4 1 2 3 4) (i8x16.extract_lane_s 3) drop
            (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)) drop
            (memory.init $d (i32.const 0) (i32.const 0) (i32.const 0))
            (ref.null func) drop
            (call $f (i32.const 3)))
          (elem (i32.const 0) $main $f)
          (data $d "abc")
          (data (i32.const 16) "xyz"))"#;
        let syntax = crate::text::parse_module(text).unwrap();
        let mut module = crate::resolve::resolve(&syntax).unwrap();
        let bytes = crate::binary::encode(&module);
        let mut back = super::decode(&bytes).unwrap();
        for f in module.funcs.iter_mut() {
            f.span = Default::default();
            for i in &mut f.body {
                i.span = Default::default();
            }
        }
        for e in module.exports.iter_mut() {
            e.span = Default::default();
        }
        for i in module.imports.iter_mut() {
            i.span = Default::default();
        }
        module.names = Default::default();
        back.names = Default::default();
        assert_eq!(back.funcs, module.funcs);
        assert_eq!(back.imports, module.imports);
        // Data, elements and globals hold spans in their offsets: compare them encoded.
        assert_eq!(crate::binary::encode(&back), crate::binary::encode(&module));
    }
}
