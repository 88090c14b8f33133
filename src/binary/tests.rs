//! Hand-built modules encoded and compared byte for byte with `wat` on the equivalent text; validation
//! errors checked for where they point.

use super::{encode, validate};
use crate::Features;
use crate::ast::*;
use crate::error::Class;
use crate::instr::Op;
use crate::span::Span;

// ---- builders ---------------------------------------------------------------------------------------

fn i(op: Op, imm: Imm) -> Instr {
    Instr::new(op, imm)
}

fn op(op: Op) -> Instr {
    Instr::new(op, Imm::None)
}

fn i32c(v: i32) -> Instr {
    i(Op::I32Const, Imm::I32(v))
}

fn func(ty: u32, locals: Vec<ValType>, body: Vec<Instr>) -> Func {
    Func {
        ty: TypeIdx(ty),
        locals,
        body,
        span: Span::default(),
    }
}

fn fty(params: &[ValType], results: &[ValType]) -> SubType {
    FuncType {
        params: params.to_vec(),
        results: results.to_vec(),
    }
    .into()
}

fn limits(min: u64, max: Option<u64>) -> Limits {
    Limits { min, max }
}

fn mem(min: u64, max: Option<u64>) -> MemoryType {
    MemoryType {
        limits: limits(min, max),
        shared: false,
        memory64: false,
        page_size_log2: None,
    }
}

fn table(min: u64, elem: RefType) -> TableType {
    TableType {
        limits: limits(min, None),
        elem,
        table64: false,
    }
}

fn import(module: &str, field: &str, kind: ImportKind) -> Import {
    Import {
        module: module.into(),
        field: field.into(),
        kind,
        span: Span::default(),
    }
}

fn export(name: &str, kind: ExternKind, index: u32) -> Export {
    Export {
        name: name.into(),
        kind,
        index,
        span: Span::default(),
    }
}

fn memarg(mem: u32, offset: u64, align_log2: u32) -> MemArg {
    MemArg {
        mem: MemIdx(mem),
        offset,
        align_log2,
    }
}

fn active(table: u32, explicit: bool) -> ElemMode {
    ElemMode::Active {
        table: TableIdx(table),
        explicit,
        offset: vec![i32c(0)],
    }
}

fn custom(name: &str, place: CustomPlace) -> Custom {
    Custom {
        name: name.into(),
        place,
        bytes: name.as_bytes().to_vec(),
    }
}

/// Asserts that `module` encodes to exactly what `wat` makes of `text`.
#[track_caller]
fn same(module: &Module, text: &str) {
    let ours = encode(module);
    let theirs = wat::parse_str(text).expect("test text parses");
    if ours != theirs {
        panic!("encodings differ\n ours: {ours:02x?}\nwat's: {theirs:02x?}");
    }
}

// ---- encoding ---------------------------------------------------------------------------------------

#[test]
fn empty_module() {
    same(&Module::default(), "(module)");
}

#[test]
fn every_section() {
    use ValType::*;
    let m = Module {
        types: vec![fty(&[], &[]), fty(&[I32, I64], &[F32])],
        imports: vec![
            import("m", "f", ImportKind::Func(TypeIdx(1))),
            import("m", "t", ImportKind::Table(table(1, RefType::FUNCREF))),
            import("m", "mem", ImportKind::Memory(mem(1, Some(2)))),
            import(
                "m",
                "g",
                ImportKind::Global(GlobalType {
                    ty: F64,
                    mutable: true,
                }),
            ),
        ],
        funcs: vec![func(
            0,
            vec![],
            vec![i32c(0), i(Op::DataDrop, Imm::Data(DataIdx(0)))],
        )],
        tables: vec![
            Table {
                ty: table(2, RefType::EXTERNREF),
                init: None,
            },
            Table {
                ty: TableType {
                    limits: limits(3, Some(4)),
                    elem: RefType::FUNCREF,
                    table64: false,
                },
                init: Some(vec![i(Op::RefFunc, Imm::Func(FuncIdx(1)))]),
            },
        ],
        memories: vec![mem(0, None)],
        globals: vec![
            Global {
                ty: GlobalType {
                    ty: I32,
                    mutable: false,
                },
                init: vec![i32c(-7)],
            },
            Global {
                ty: GlobalType {
                    ty: Ref(RefType::FUNCREF),
                    mutable: true,
                },
                init: vec![i(Op::RefNull, Imm::RefNull(HeapType::Func))],
            },
        ],
        exports: vec![
            export("f", ExternKind::Func, 1),
            export("t", ExternKind::Table, 0),
            export("m", ExternKind::Memory, 0),
            export("g", ExternKind::Global, 1),
        ],
        start: Some(FuncIdx(1)),
        elems: vec![Elem {
            mode: active(0, false),
            items: ElemItems::Funcs(vec![FuncIdx(1)]),
        }],
        datas: vec![Data {
            mode: DataMode::Active {
                memory: MemIdx(0),
                offset: vec![i32c(8)],
            },
            bytes: b"hi".to_vec(),
            place: None,
        }],
        ..Module::default()
    };
    same(
        &m,
        r#"(module
            (type (func))
            (type (func (param i32 i64) (result f32)))
            (import "m" "f" (func (type 1)))
            (import "m" "t" (table 1 funcref))
            (import "m" "mem" (memory 1 2))
            (import "m" "g" (global (mut f64)))
            (func (type 0) i32.const 0 data.drop 0)
            (table 2 externref)
            (table 3 4 funcref (ref.func 1))
            (memory 0)
            (global i32 (i32.const -7))
            (global (mut funcref) (ref.null func))
            (export "f" (func 1))
            (export "t" (table 0))
            (export "m" (memory 0))
            (export "g" (global 1))
            (start 1)
            (elem (i32.const 0) func 1)
            (data (i32.const 8) "hi"))"#,
    );
}

/// One instruction of every immediate kind, with the encodings that have variants (memory index ≠ 0,
/// typed select, all three block types, LEB widths).
#[test]
fn every_immediate_kind() {
    use ValType::*;
    let body = vec![
        op(Op::Nop),
        i(Op::Block, Imm::Block(BlockType::Empty)),
        i(Op::Loop, Imm::Block(BlockType::Value(I32))),
        i(Op::Block, Imm::Block(BlockType::Type(TypeIdx(1)))),
        i(Op::If, Imm::Block(BlockType::Type(TypeIdx(0)))),
        i(Op::Br, Imm::Label(LabelIdx(1))),
        op(Op::Else),
        i(Op::BrIf, Imm::Label(LabelIdx(200))),
        i(
            Op::BrTable,
            Imm::BrTable(vec![LabelIdx(0), LabelIdx(1)].into(), LabelIdx(2)),
        ),
        op(Op::End),
        op(Op::End),
        op(Op::End),
        op(Op::End),
        i(Op::Call, Imm::Func(FuncIdx(0))),
        i(Op::ReturnCall, Imm::Func(FuncIdx(0))),
        i(Op::CallIndirect, Imm::CallIndirect(TypeIdx(1), TableIdx(0))),
        i(Op::CallIndirect, Imm::CallIndirect(TypeIdx(0), TableIdx(1))),
        i(
            Op::ReturnCallIndirect,
            Imm::CallIndirect(TypeIdx(0), TableIdx(1)),
        ),
        op(Op::Drop),
        i(Op::Select, Imm::None),
        i(Op::Select, Imm::Select(vec![I64].into())),
        i(Op::LocalGet, Imm::Local(LocalIdx(0))),
        i(Op::LocalTee, Imm::Local(LocalIdx(130))),
        i(Op::GlobalSet, Imm::Global(GlobalIdx(0))),
        i(Op::TableGet, Imm::Table(TableIdx(1))),
        i(Op::I32Load, Imm::MemArg(memarg(0, 0, 2))),
        i(Op::I64Load8S, Imm::MemArg(memarg(0, 100_000, 0))),
        i(Op::F32Store, Imm::MemArg(memarg(1, 4, 1))),
        i(Op::MemorySize, Imm::Memory(MemIdx(0))),
        i(Op::MemoryGrow, Imm::Memory(MemIdx(1))),
        i(Op::MemoryFill, Imm::Memory(MemIdx(1))),
        i(Op::MemoryInit, Imm::MemoryInit(DataIdx(0), MemIdx(1))),
        i(Op::DataDrop, Imm::Data(DataIdx(0))),
        i(Op::MemoryCopy, Imm::MemoryCopy(MemIdx(1), MemIdx(0))),
        i(Op::TableInit, Imm::TableInit(ElemIdx(0), TableIdx(1))),
        i(Op::ElemDrop, Imm::Elem(ElemIdx(0))),
        i(Op::TableCopy, Imm::TableCopy(TableIdx(0), TableIdx(1))),
        i(Op::TableGrow, Imm::Table(TableIdx(0))),
        i32c(i32::MIN),
        i32c(-1),
        i32c(64),
        i(Op::I64Const, Imm::I64(i64::MAX)),
        i(Op::F32Const, Imm::F32(1.5f32.to_bits())),
        i(Op::F64Const, Imm::F64((-0.25f64).to_bits())),
        i(
            Op::V128Const,
            Imm::V128(Box::new(0x0f0e0d0c_0b0a0908_07060504_03020100)),
        ),
        i(
            Op::I8x16Shuffle,
            Imm::Shuffle(Box::new([
                0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31,
            ])),
        ),
        i(Op::I8x16ExtractLaneS, Imm::Lane(15)),
        i(Op::F64x2ReplaceLane, Imm::Lane(1)),
        i(Op::V128Load8Lane, Imm::MemArgLane(memarg(0, 3, 0), 7)),
        i(Op::V128Store64Lane, Imm::MemArgLane(memarg(1, 0, 3), 1)),
        i(Op::V128Load, Imm::MemArg(memarg(0, 0, 4))),
        i(Op::RefNull, Imm::RefNull(HeapType::Func)),
        i(Op::RefNull, Imm::RefNull(HeapType::Extern)),
        op(Op::RefIsNull),
        i(Op::RefFunc, Imm::Func(FuncIdx(0))),
        op(Op::I32TruncSatF64U),
        op(Op::F64x2ConvertLowI32x4U),
    ];
    let m = Module {
        types: vec![fty(&[], &[]), fty(&[I32], &[I32, I64])],
        funcs: vec![func(0, vec![I32], body)],
        tables: vec![
            Table {
                ty: table(1, RefType::FUNCREF),
                init: None,
            },
            Table {
                ty: table(1, RefType::FUNCREF),
                init: None,
            },
        ],
        memories: vec![mem(1, None), mem(1, None)],
        globals: vec![Global {
            ty: GlobalType {
                ty: I32,
                mutable: true,
            },
            init: vec![i32c(0)],
        }],
        elems: vec![Elem {
            mode: ElemMode::Passive,
            items: ElemItems::Funcs(vec![FuncIdx(0)]),
        }],
        datas: vec![Data {
            mode: DataMode::Passive,
            bytes: vec![],
            place: None,
        }],
        ..Module::default()
    };
    same(
        &m,
        r#"(module
            (type (func))
            (type (func (param i32) (result i32 i64)))
            (func (type 0) (local i32)
              nop
              block
              loop (result i32)
              block (type 1)
              if (type 0)
              br 1
              else
              br_if 200
              br_table 0 1 2
              end
              end
              end
              end
              call 0
              return_call 0
              call_indirect (type 1)
              call_indirect 1 (type 0)
              return_call_indirect 1 (type 0)
              drop
              select
              select (result i64)
              local.get 0
              local.tee 130
              global.set 0
              table.get 1
              i32.load
              i64.load8_s offset=100000
              f32.store 1 offset=4 align=2
              memory.size
              memory.grow 1
              memory.fill 1
              memory.init 1 0
              data.drop 0
              memory.copy 1 0
              table.init 1 0
              elem.drop 0
              table.copy 0 1
              table.grow 0
              i32.const -2147483648
              i32.const -1
              i32.const 64
              i64.const 9223372036854775807
              f32.const 1.5
              f64.const -0.25
              v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
              i8x16.shuffle 0 17 2 19 4 21 6 23 8 25 10 27 12 29 14 31
              i8x16.extract_lane_s 15
              f64x2.replace_lane 1
              v128.load8_lane offset=3 7
              v128.store64_lane 1 1
              v128.load
              ref.null func
              ref.null extern
              ref.is_null
              ref.func 0
              i32.trunc_sat_f64_u
              f64x2.convert_low_i32x4_u)
            (table 1 funcref)
            (table 1 funcref)
            (memory 1)
            (memory 1)
            (global (mut i32) (i32.const 0))
            (elem func 0)
            (data ""))"#,
    );
}

#[test]
fn locals_are_grouped_in_runs() {
    use ValType::*;
    let m = Module {
        types: vec![fty(&[], &[])],
        funcs: vec![func(0, vec![I32, I32, I64, I32, V128, V128], vec![])],
        ..Module::default()
    };
    same(&m, "(module (func (local i32 i32 i64 i32 v128 v128)))");
}

/// All eight element segment encodings (flags 0–7) and the three data segment ones.
#[test]
fn elem_and_data_forms() {
    let funcs = || ElemItems::Funcs(vec![FuncIdx(0)]);
    let exprs = |ty| {
        let item = if ty == RefType::FUNCREF {
            i(Op::RefFunc, Imm::Func(FuncIdx(0)))
        } else {
            i(Op::RefNull, Imm::RefNull(HeapType::Extern))
        };
        ElemItems::Exprs(
            ty,
            vec![vec![item], vec![i(Op::RefNull, Imm::RefNull(ty.heap))]],
        )
    };
    let m = Module {
        types: vec![fty(&[], &[])],
        funcs: vec![func(0, vec![], vec![])],
        tables: vec![
            Table {
                ty: table(1, RefType::FUNCREF),
                init: None,
            },
            Table {
                ty: table(1, RefType::EXTERNREF),
                init: None,
            },
        ],
        memories: vec![mem(1, None), mem(1, None)],
        elems: vec![
            Elem {
                mode: active(0, false),
                items: funcs(),
            },
            Elem {
                mode: ElemMode::Passive,
                items: funcs(),
            },
            Elem {
                mode: active(0, true),
                items: funcs(),
            },
            Elem {
                mode: ElemMode::Declared,
                items: funcs(),
            },
            Elem {
                mode: active(0, false),
                items: exprs(RefType::FUNCREF),
            },
            Elem {
                mode: ElemMode::Passive,
                items: exprs(RefType::FUNCREF),
            },
            Elem {
                mode: active(0, true),
                items: exprs(RefType::FUNCREF),
            },
            Elem {
                mode: ElemMode::Declared,
                items: exprs(RefType::FUNCREF),
            },
            Elem {
                mode: active(1, true),
                items: exprs(RefType::EXTERNREF),
            },
            Elem {
                mode: ElemMode::Passive,
                items: exprs(RefType::EXTERNREF),
            },
        ],
        datas: vec![
            Data {
                mode: DataMode::Active {
                    memory: MemIdx(0),
                    offset: vec![i32c(1)],
                },
                bytes: vec![1],
                place: None,
            },
            Data {
                mode: DataMode::Passive,
                bytes: vec![2, 3],
                place: None,
            },
            Data {
                mode: DataMode::Active {
                    memory: MemIdx(1),
                    offset: vec![i32c(2)],
                },
                bytes: vec![],
                place: None,
            },
        ],
        ..Module::default()
    };
    same(
        &m,
        r#"(module
            (func)
            (table 1 funcref)
            (table 1 externref)
            (memory 1)
            (memory 1)
            (elem (i32.const 0) func 0)
            (elem func 0)
            (elem (table 0) (i32.const 0) func 0)
            (elem declare func 0)
            (elem (i32.const 0) funcref (ref.func 0) (ref.null func))
            (elem funcref (ref.func 0) (ref.null func))
            (elem (table 0) (offset (i32.const 0)) funcref (item ref.func 0) (item (ref.null func)))
            (elem declare funcref (ref.func 0) (ref.null func))
            (elem (table 1) (i32.const 0) externref (ref.null extern) (ref.null extern))
            (elem externref (ref.null extern) (ref.null extern))
            (data (i32.const 1) "\01")
            (data "\02\03")
            (data (memory 1) (i32.const 2) ""))"#,
    );
}

#[test]
fn data_count_only_for_memory_init_and_data_drop() {
    let with = |body: Vec<Instr>| Module {
        types: vec![fty(&[], &[])],
        funcs: vec![func(0, vec![], body)],
        memories: vec![mem(1, None)],
        datas: vec![Data {
            mode: DataMode::Passive,
            bytes: vec![],
            place: None,
        }],
        ..Module::default()
    };
    let copy = i(Op::MemoryCopy, Imm::MemoryCopy(MemIdx(0), MemIdx(0)));
    same(
        &with(vec![copy]),
        r#"(module (func memory.copy) (memory 1) (data ""))"#,
    );
    let init = i(Op::MemoryInit, Imm::MemoryInit(DataIdx(0), MemIdx(0)));
    same(
        &with(vec![init]),
        r#"(module (func memory.init 0) (memory 1) (data ""))"#,
    );
    let m = with(vec![]);
    assert!(!encode(&m).windows(3).any(|w| w == [0x0c, 0x01, 0x01]));
}

#[test]
fn name_section() {
    use ValType::*;
    let m = Module {
        types: vec![fty(&[I32], &[])],
        imports: vec![import(
            "m",
            "g",
            ImportKind::Global(GlobalType {
                ty: I32,
                mutable: false,
            }),
        )],
        funcs: vec![
            func(
                0,
                vec![I64],
                vec![i(Op::Block, Imm::Block(BlockType::Empty)), op(Op::End)],
            ),
            func(0, vec![], vec![]),
        ],
        tables: vec![Table {
            ty: table(0, RefType::FUNCREF),
            init: None,
        }],
        memories: vec![mem(0, None)],
        globals: vec![Global {
            ty: GlobalType {
                ty: I32,
                mutable: false,
            },
            init: vec![i32c(0)],
        }],
        elems: vec![Elem {
            mode: ElemMode::Declared,
            items: ElemItems::Funcs(vec![]),
        }],
        datas: vec![Data {
            mode: DataMode::Passive,
            bytes: vec![],
            place: None,
        }],
        names: Names {
            module: Some("mod".into()),
            funcs: vec![(FuncIdx(0), "f".into())],
            locals: vec![(
                FuncIdx(0),
                vec![(LocalIdx(0), "p".into()), (LocalIdx(1), "l".into())],
            )],
            labels: vec![(FuncIdx(0), vec![(0, "b".into())])],
            types: vec![(TypeIdx(0), "t".into())],
            tables: vec![(TableIdx(0), "tab".into())],
            memories: vec![(MemIdx(0), "mem".into())],
            globals: vec![(GlobalIdx(0), "imp".into()), (GlobalIdx(1), "g".into())],
            elems: vec![(ElemIdx(0), "e".into())],
            datas: vec![(DataIdx(0), "d".into())],
            ..Names::default()
        },
        ..Module::default()
    };
    same(
        &m,
        r#"(module $mod
            (type $t (func (param i32)))
            (import "m" "g" (global $imp i32))
            (func $f (type $t) (param $p i32) (local $l i64) block $b end)
            (func (type $t))
            (table $tab 0 funcref)
            (memory $mem 0)
            (global $g i32 (i32.const 0))
            (elem $e declare func)
            (data $d ""))"#,
    );
}

#[test]
fn custom_sections_are_placed() {
    let m = Module {
        types: vec![fty(&[], &[])],
        funcs: vec![func(0, vec![], vec![])],
        customs: vec![
            custom("last", CustomPlace::AfterLast),
            custom("first", CustomPlace::BeforeFirst),
            custom("after-type", CustomPlace::After(SectionId::Type)),
            custom("before-start", CustomPlace::Before(SectionId::Start)),
            custom("before-code", CustomPlace::Before(SectionId::Code)),
            custom("after-code", CustomPlace::After(SectionId::Code)),
            custom("before-import", CustomPlace::Before(SectionId::Import)),
            custom("after-data", CustomPlace::After(SectionId::Data)),
        ],
        names: Names {
            funcs: vec![(FuncIdx(0), "f".into())],
            ..Names::default()
        },
        ..Module::default()
    };
    same(
        &m,
        r#"(module
            (@custom "last" "last")
            (@custom "first" (before first) "first")
            (@custom "after-type" (after type) "after-type")
            (@custom "before-start" (before start) "before-start")
            (@custom "before-code" (before code) "before-code")
            (@custom "after-code" (after code) "after-code")
            (@custom "before-import" (before import) "before-import")
            (@custom "after-data" (after data) "after-data")
            (func $f))"#,
    );
}

#[test]
fn user_name_section_replaces_generated_one() {
    let m = Module {
        types: vec![fty(&[], &[])],
        funcs: vec![func(0, vec![], vec![])],
        customs: vec![custom("name", CustomPlace::AfterLast)],
        names: Names {
            funcs: vec![(FuncIdx(0), "f".into())],
            ..Names::default()
        },
        ..Module::default()
    };
    let bytes = encode(&m);
    assert_eq!(
        bytes.windows(4).filter(|w| *w == b"name").count(),
        2,
        "one section, named and holding `name`"
    );
}

#[test]
fn nonsense_modules_encode_without_panicking() {
    // Immediates that do not fit their instruction, indices out of range, huge limits.
    let m = Module {
        types: vec![],
        funcs: vec![func(
            7,
            vec![],
            vec![
                i(Op::I32Add, Imm::Shuffle(Box::new([0; 16]))),
                i(Op::Select, Imm::Select(vec![].into())),
            ],
        )],
        memories: vec![MemoryType {
            limits: limits(u64::MAX, Some(0)),
            shared: true,
            memory64: true,
            page_size_log2: Some(99),
        }],
        elems: vec![Elem {
            mode: active(u32::MAX, false),
            items: ElemItems::Exprs(RefType::FUNCREF, vec![vec![]]),
        }],
        start: Some(FuncIdx(u32::MAX)),
        ..Module::default()
    };
    let bytes = encode(&m);
    assert!(validate(&bytes, &m, &Features::default()).is_err());
}

// ---- validation -------------------------------------------------------------------------------------

fn at(op: Op, imm: Imm, start: usize) -> Instr {
    Instr {
        op,
        imm,
        span: Span::new(start, start + 1),
    }
}

#[test]
fn valid_module_validates() {
    let m = Module {
        types: vec![fty(&[], &[ValType::I32])],
        funcs: vec![func(0, vec![], vec![i32c(1), i32c(2), op(Op::I32Add)])],
        ..Module::default()
    };
    assert_eq!(validate(&encode(&m), &m, &Features::default()), Ok(()));
}

#[test]
fn type_error_points_at_the_instruction() {
    let body = vec![
        at(Op::I32Const, Imm::I32(1), 10),
        at(Op::I64Const, Imm::I64(2), 20),
        at(Op::I32Add, Imm::None, 30),
    ];
    let m = Module {
        types: vec![fty(&[], &[ValType::I32])],
        funcs: vec![
            func(0, vec![], vec![i32c(0)]),
            Func {
                ty: TypeIdx(0),
                locals: vec![],
                body,
                span: Span::new(5, 40),
            },
        ],
        ..Module::default()
    };
    let errors = validate(&encode(&m), &m, &Features::default()).unwrap_err();
    assert_eq!(errors.len(), 1);
    let e = &errors[0];
    assert_eq!(e.class, Class::Invalid);
    assert!(e.message.starts_with("type mismatch"), "{}", e.message);
    assert_eq!(e.span, Some(Span::new(30, 31)));
    assert_eq!(e.label, "`i32.add`");
    assert_eq!(
        e.secondary,
        vec![(Span::new(5, 40), "in this function".to_string())]
    );
}

/// A function returning `[i32]` whose body is `body`, spanned 3..12.
fn returning_i32(body: Vec<Instr>) -> Module {
    Module {
        types: vec![fty(&[], &[ValType::I32])],
        imports: vec![import("m", "f", ImportKind::Func(TypeIdx(0)))],
        funcs: vec![Func {
            ty: TypeIdx(0),
            locals: vec![],
            body,
            span: Span::new(3, 12),
        }],
        ..Module::default()
    }
}

#[test]
fn error_at_the_final_end_points_at_the_last_instruction() {
    let m = returning_i32(vec![at(Op::Nop, Imm::None, 9)]);
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("type mismatch"), "{}", e.message);
    assert_eq!(e.span, Some(Span::new(9, 10)));
    assert_eq!(
        e.secondary,
        vec![(Span::new(3, 12), "in this function".to_string())]
    );
}

#[test]
fn error_at_the_end_of_an_empty_body_points_at_the_function() {
    let m = returning_i32(vec![]);
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("type mismatch"), "{}", e.message);
    assert_eq!(e.span, Some(Span::new(3, 12)));
}

#[test]
fn error_outside_code_points_at_the_field() {
    let m = Module {
        exports: vec![Export {
            span: Span::new(1, 2),
            ..export("f", ExternKind::Func, 3)
        }],
        ..Module::default()
    };
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("unknown function"), "{}", e.message);
    assert_eq!(e.span, Some(Span::new(1, 2)));

    let m = Module {
        globals: vec![Global {
            ty: GlobalType {
                ty: ValType::I32,
                mutable: false,
            },
            init: vec![i(Op::I64Const, Imm::I64(0))],
        }],
        ..Module::default()
    };
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("type mismatch"), "{}", e.message);
    assert_eq!(e.span, None);
    assert_eq!(e.notes, vec!["note: in defined global 0".to_string()]);
}

#[test]
fn synthesized_instruction_falls_back_to_an_unlocated_note() {
    let m = Module {
        types: vec![fty(&[], &[])],
        funcs: vec![func(0, vec![], vec![op(Op::Drop)])],
        ..Module::default()
    };
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("type mismatch"), "{}", e.message);
    assert_eq!(e.span, None);
    assert_eq!(e.notes, vec!["note: at `drop` in function 0".to_string()]);
}

/// `block`, `else` and `end` are operators too: the k-th operator is still the k-th instruction.
#[test]
fn error_inside_blocks_points_at_the_instruction() {
    let body = vec![
        at(Op::Block, Imm::Block(BlockType::Value(ValType::I32)), 10),
        at(Op::I32Const, Imm::I32(0), 11),
        at(Op::If, Imm::Block(BlockType::Empty), 12),
        at(Op::Else, Imm::None, 13),
        at(Op::End, Imm::None, 14),
        at(Op::I64Const, Imm::I64(1), 15),
        at(Op::End, Imm::None, 16),
        at(Op::LocalGet, Imm::Local(LocalIdx(130)), 17),
    ];
    let m = Module {
        types: vec![fty(&[], &[ValType::I32])],
        funcs: vec![Func {
            ty: TypeIdx(0),
            locals: vec![],
            body,
            span: Span::new(0, 20),
        }],
        ..Module::default()
    };
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("type mismatch"), "{}", e.message);
    assert_eq!(
        (e.span, e.label.as_str()),
        (Some(Span::new(16, 17)), "`end`")
    );

    // An error in an immediate (not a stack error) is found the same way.
    let mut m = m;
    m.funcs[0].body.drain(0..7);
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("unknown local"), "{}", e.message);
    assert_eq!(e.span, Some(Span::new(17, 18)));
}

#[test]
fn error_in_an_import_points_at_the_import() {
    let m = Module {
        imports: vec![Import {
            span: Span::new(4, 9),
            ..import("m", "f", ImportKind::Func(TypeIdx(2)))
        }],
        ..Module::default()
    };
    let e = &validate(&encode(&m), &m, &Features::default()).unwrap_err()[0];
    assert!(e.message.starts_with("unknown type"), "{}", e.message);
    assert_eq!(
        (e.span, e.label.as_str()),
        (Some(Span::new(4, 9)), "in this import")
    );
}

#[test]
fn tail_calls_are_enabled() {
    let m = Module {
        types: vec![fty(&[], &[])],
        funcs: vec![func(
            0,
            vec![],
            vec![i(Op::ReturnCall, Imm::Func(FuncIdx(0)))],
        )],
        ..Module::default()
    };
    assert_eq!(validate(&encode(&m), &m, &Features::default()), Ok(()));
}

/// Every row of the instruction table, with an immediate of its kind, decodes as exactly one operator
/// (wasmparser agrees with the table on opcode and immediate layout).
#[test]
fn every_instruction_decodes_as_one_operator() {
    use crate::instr::ImmKind as K;
    for &o in Op::ALL {
        let natural = memarg(0, 0, o.natural_align().max(1).trailing_zeros());
        let imm = match o.imm() {
            K::None | K::Else | K::End | K::Select | K::Fence => Imm::None,
            K::Block | K::If => Imm::Block(BlockType::Empty),
            K::Label => Imm::Label(LabelIdx(0)),
            K::BrTable => Imm::BrTable(vec![LabelIdx(0)].into(), LabelIdx(0)),
            K::Func => Imm::Func(FuncIdx(0)),
            K::Type => Imm::Type(TypeIdx(0)),
            K::CallIndirect => Imm::CallIndirect(TypeIdx(0), TableIdx(0)),
            K::Local => Imm::Local(LocalIdx(0)),
            K::Global => Imm::Global(GlobalIdx(0)),
            K::Table => Imm::Table(TableIdx(0)),
            K::MemArg => Imm::MemArg(natural),
            K::Memory => Imm::Memory(MemIdx(0)),
            K::MemoryInit => Imm::MemoryInit(DataIdx(0), MemIdx(0)),
            K::Data => Imm::Data(DataIdx(0)),
            K::MemoryCopy => Imm::MemoryCopy(MemIdx(0), MemIdx(0)),
            K::TableInit => Imm::TableInit(ElemIdx(0), TableIdx(0)),
            K::Elem => Imm::Elem(ElemIdx(0)),
            K::TableCopy => Imm::TableCopy(TableIdx(0), TableIdx(0)),
            K::I32 => Imm::I32(-1),
            K::I64 => Imm::I64(-1),
            K::F32 => Imm::F32(0),
            K::F64 => Imm::F64(0),
            K::V128 => Imm::V128(Box::new(0)),
            K::RefNull => Imm::RefNull(HeapType::Func),
            K::Lane => Imm::Lane(0),
            K::MemArgLane => Imm::MemArgLane(natural, 0),
            K::Shuffle => Imm::Shuffle(Box::new([0; 16])),
            K::Field => Imm::Field(TypeIdx(0), 1),
            K::TypeCount => Imm::TypeCount(TypeIdx(0), 2),
            K::TypeData => Imm::TypeData(TypeIdx(0), DataIdx(0)),
            K::TypeElem => Imm::TypeElem(TypeIdx(0), ElemIdx(0)),
            K::TypeType => Imm::TypeType(TypeIdx(0), TypeIdx(1)),
            K::Cast => Imm::Cast(RefType {
                nullable: true,
                heap: HeapType::Any,
            }),
            K::BrOnCast => Imm::BrOnCast(Box::new((
                LabelIdx(0),
                RefType {
                    nullable: true,
                    heap: HeapType::Any,
                },
                RefType {
                    nullable: false,
                    heap: HeapType::Type(TypeIdx(0)),
                },
            ))),
            K::Tag => Imm::Tag(TagIdx(0)),
            K::TryTable => Imm::TryTable(Box::new((
                BlockType::Empty,
                vec![
                    Catch::One(TagIdx(0), LabelIdx(0)),
                    Catch::AllRef(LabelIdx(0)),
                ],
            ))),
        };
        // No locals; `else` and `end` need a block to belong to.
        let (mut body, expected) = match o.imm() {
            K::Else => (vec![0x00, 0x04, 0x40], 3),
            K::End => (vec![0x00, 0x02, 0x40], 3),
            _ => (vec![0x00], 2),
        };
        super::encode::instr(&i(o, imm), &mut body);
        body.push(0x0b);
        let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(&body, 0));
        let mut ops = body.get_operators_reader().unwrap();
        let mut count = 0;
        while !ops.eof() {
            ops.read()
                .unwrap_or_else(|e| panic!("{}: {e}", o.keyword()));
            count += 1;
        }
        assert_eq!(count, expected, "{}", o.keyword());
    }
}

/// The non-custom sections of a binary (names aside, both encoders agree on them).
fn standard_sections(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    wasmparser::Parser::new(0)
        .parse_all(bytes)
        .map(|p| p.expect("decodes"))
        .filter(|p| !matches!(p, wasmparser::Payload::CustomSection(_)))
        .filter_map(|p| {
            p.as_section()
                .map(|(id, r)| (id, bytes[r.start as usize..r.end as usize].to_vec()))
        })
        .collect()
}

/// The text of 3.0 and later proposals compiles, validates and gives the `wat` crate's bytes.
#[test]
fn newer_proposals_give_the_wat_crate_bytes() {
    let options = crate::CompileOptions {
        features: Features::all(),
        ..Default::default()
    };
    for text in [
        // An inline element segment takes the table's type (here as `ref.func` expressions).
        "(module (type $t (func)) (func $f) (table $tab (ref null $t) (elem $f)))",
        // A table initializer expression.
        "(module (type $t (func)) (func $f) (elem declare func $f) (table 10 (ref null $t) (ref.func $f)))",
        "(module (memory 1 2 shared)
           (func (param i32) (result i32) (i32.atomic.rmw.add offset=4 (local.get 0) (i32.const 1)))
           (func (param i32) (result i64) (i64.atomic.rmw32.cmpxchg_u (local.get 0) (i64.const 1) (i64.const 2)))
           (func (param i32) (result i32) (memory.atomic.notify (local.get 0) (i32.const 1)))
           (func atomic.fence))",
        "(module (memory 1 (pagesize 1)) (memory (pagesize 1) (data \"xyz\")))",
        "(module (func (param i64 i64 i64 i64) (result i64 i64)
           (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3))))",
        "(module (func (param v128 v128 v128) (result v128)
           (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))",
        "(module (type $t (func (result i32)))
           (func (param (ref null $t)) (result i32) (call_ref $t (local.get 0)))
           (func (param (ref null $t)) (result (ref $t)) (ref.as_non_null (local.get 0))))",
        "(module (@\"an annotation\" x) (func (@a \"(\" 0x , $) nop))",
    ] {
        let ours = crate::compile("<test>", text, &options)
            .unwrap_or_else(|e| panic!("{text}: {}", e.first().message));
        let theirs = wat::parse_str(text).unwrap();
        assert_eq!(
            standard_sections(&ours),
            standard_sections(&theirs),
            "{text}"
        );
    }
}

/// A 32-bit memory's limit past `u32::MAX`: malformed in 2.0's text, invalid with memory64 (3.0).
#[test]
fn large_32_bit_limits_depend_on_the_features() {
    let compile = |features| {
        let options = crate::CompileOptions {
            features,
            ..Default::default()
        };
        crate::compile("<test>", "(module (memory 0x1_0000_0000))", &options).unwrap_err()
    };
    let e = compile(Features::wasm2());
    assert_eq!(
        (e.first().class, e.first().message.as_str()),
        (crate::Class::Malformed, "i32 constant out of range")
    );
    let e = compile(Features::wasm3());
    assert_eq!(
        (e.first().class, e.first().message.as_str()),
        (
            crate::Class::Invalid,
            "memory size must be at most 65536 pages (4GiB)"
        )
    );
}
