//! Unit tests of expansion and resolution on hand-built parse trees.

use super::{resolve, resolve_with};
use crate::Features;
use crate::ast::{self, BlockType, FuncIdx, LabelIdx, LocalIdx, TypeIdx};
use crate::error::{Class, Error};
use crate::instr::Op;
use crate::span::Span;
use crate::text::syntax::{self as s, Field, Imm, Index, ValType};

fn at(n: usize) -> Span {
    Span::new(n, n + 1)
}

fn id(name: &str) -> s::Id<'static> {
    s::Id {
        name: name.to_string().into(),
        span: Span::default(),
    }
}

fn id_at(name: &str, pos: usize) -> s::Id<'static> {
    s::Id {
        name: name.to_string().into(),
        span: at(pos),
    }
}

fn var(name: &str) -> Index<'static> {
    Index::Id(id(name))
}

fn name(text: &str) -> s::Name {
    s::Name {
        name: text.to_string(),
        span: Span::default(),
    }
}

fn ins(op: Op, imm: Imm<'static>) -> s::Instr<'static> {
    s::Instr {
        op,
        imm,
        span: Span::default(),
    }
}

fn end() -> s::Instr<'static> {
    ins(Op::End, Imm::EndLabel(None))
}

fn block(op: Op, label: Option<&str>, ty: s::TypeUse<'static>) -> s::Instr<'static> {
    ins(
        op,
        Imm::Block(Some(Box::new(s::BlockType {
            label: label.map(id),
            ty,
        }))),
    )
}

fn param(n: Option<&str>, ty: ValType<'static>) -> s::Param<'static> {
    s::Param {
        id: n.map(id),
        ty,
        span: Span::default(),
    }
}

fn sig(params: Vec<s::Param<'static>>, results: Vec<ValType<'static>>) -> s::FuncType<'static> {
    s::FuncType { params, results }
}

fn inline(params: Vec<s::Param<'static>>, results: Vec<ValType<'static>>) -> s::TypeUse<'static> {
    s::TypeUse {
        index: None,
        inline: sig(params, results),
        span: Span::default(),
    }
}

fn by_index(index: Index<'static>) -> s::TypeUse<'static> {
    s::TypeUse {
        index: Some(index),
        ..Default::default()
    }
}

fn func(
    n: Option<&str>,
    ty: s::TypeUse<'static>,
    body: Vec<s::Instr<'static>>,
) -> s::Func<'static> {
    s::Func {
        id: n.map(id),
        exports: vec![],
        import: None,
        ty,
        locals: vec![],
        body,
        span: Span::default(),
    }
}

fn type_def(n: Option<&str>, func: s::FuncType<'static>) -> Field<'static> {
    Field::Type(s::TypeDef {
        id: n.map(id),
        is_final: true,
        supers: Vec::new(),
        composite: s::Composite::Func(func),
        span: Span::default(),
    })
}

fn module(fields: Vec<Field<'static>>) -> s::Module<'static> {
    s::Module {
        id: None,
        fields,
        span: Span::default(),
    }
}

fn ok(fields: Vec<Field<'static>>) -> ast::Module {
    resolve(&module(fields)).unwrap_or_else(|e| panic!("unexpected errors: {e:#?}"))
}

fn errs(fields: Vec<Field<'static>>) -> Vec<Error> {
    resolve(&module(fields)).expect_err("expected errors")
}

/// The module without spans, for comparing short and long forms.
fn unspanned(mut m: ast::Module) -> ast::Module {
    for i in &mut m.imports {
        i.span = Span::default();
    }
    for f in &mut m.funcs {
        f.span = Span::default();
        for i in &mut f.body {
            i.span = Span::default();
        }
    }
    for e in &mut m.exports {
        e.span = Span::default();
    }
    m
}

fn ft(params: Vec<ast::ValType>, results: Vec<ast::ValType>) -> ast::FuncType {
    ast::FuncType { params, results }
}

#[test]
fn inline_import_and_export_equal_the_long_form() {
    let mut short = func(
        Some("f"),
        inline(vec![param(None, ValType::I32)], vec![]),
        vec![],
    );
    short.import = Some(s::InlineImport {
        module: name("m"),
        field: name("n"),
    });
    short.exports = vec![name("e")];
    let short = ok(vec![Field::Func(short)]);

    let long = ok(vec![
        Field::Import(s::Import {
            module: name("m"),
            field: name("n"),
            id: Some(id("f")),
            kind: s::ImportKind::Func(inline(vec![param(None, ValType::I32)], vec![])),
            span: Span::default(),
        }),
        Field::Export(s::Export {
            name: name("e"),
            kind: s::ExportKind::Func,
            index: var("f"),
            span: Span::default(),
        }),
    ]);
    assert_eq!(unspanned(short.clone()), unspanned(long));
    assert_eq!(short.imports[0].kind, ast::ImportKind::Func(TypeIdx(0)));
    assert_eq!(short.exports[0].index, 0);
    assert_eq!(short.names.funcs, vec![(FuncIdx(0), "f".to_string())]);
}

#[test]
fn inline_exports_count_imports_first() {
    // (func (export "a")) (import "m" "n" (func)): the import is an error, but the export's index
    // is computed in the final index space.
    let mut f = func(None, inline(vec![], vec![]), vec![]);
    f.exports = vec![name("a")];
    let errors = errs(vec![
        Field::Func(f),
        Field::Import(s::Import {
            module: name("m"),
            field: name("n"),
            id: None,
            kind: s::ImportKind::Func(s::TypeUse::default()),
            span: at(7),
        }),
    ]);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.starts_with("import after function"));
    assert_eq!(errors[0].span, Some(at(7)));
}

#[test]
fn implicit_types_follow_written_ones_in_use_order() {
    let m = ok(vec![
        Field::Func(func(
            None,
            inline(vec![param(None, ValType::I32)], vec![]),
            vec![],
        )),
        type_def(Some("t"), sig(vec![], vec![])),
        Field::Func(func(None, inline(vec![], vec![ValType::I64]), vec![])),
        Field::Func(func(None, inline(vec![], vec![]), vec![])),
        Field::Func(func(
            None,
            inline(vec![param(Some("x"), ValType::I32)], vec![]),
            vec![],
        )),
        type_def(None, sig(vec![], vec![])),
    ]);
    use ast::ValType::*;
    assert_eq!(
        m.types,
        vec![
            ft(vec![], vec![]).into(),
            ft(vec![], vec![]).into(),
            ft(vec![I32], vec![]).into(),
            ft(vec![], vec![I64]).into()
        ]
    );
    let tys: Vec<_> = m.funcs.iter().map(|f| f.ty).collect();
    assert_eq!(tys, vec![TypeIdx(2), TypeIdx(3), TypeIdx(0), TypeIdx(2)]);
    assert_eq!(m.names.types, vec![(TypeIdx(0), "t".to_string())]);
}

#[test]
fn type_use_with_index_and_inline_must_match() {
    let good = ok(vec![
        type_def(Some("t"), sig(vec![param(Some("a"), ValType::I32)], vec![])),
        Field::Func(func(
            None,
            s::TypeUse {
                index: Some(var("t")),
                inline: sig(vec![param(Some("x"), ValType::I32)], vec![]),
                span: at(3),
            },
            vec![ins(Op::LocalGet, Imm::Index(var("x")))],
        )),
    ]);
    assert_eq!(good.funcs[0].body[0].imm, ast::Imm::Local(LocalIdx(0)));
    assert_eq!(
        good.names.locals,
        vec![(FuncIdx(0), vec![(LocalIdx(0), "x".to_string())])]
    );

    let bad = errs(vec![
        type_def(Some("t"), sig(vec![param(None, ValType::I32)], vec![])),
        Field::Func(func(
            None,
            s::TypeUse {
                index: Some(var("t")),
                inline: sig(vec![param(None, ValType::I64)], vec![]),
                span: at(3),
            },
            vec![],
        )),
    ]);
    assert!(
        bad[0].message.starts_with("inline function type"),
        "{}",
        bad[0].message
    );
    assert_eq!(bad[0].class, Class::Malformed);
}

#[test]
fn unknown_type_index_with_inline_type_is_malformed() {
    // (func (type 2) (param i32)): the inline type cannot be checked, the text is malformed.
    let num = |n| Index::Num(n, at(1));
    let bad = errs(vec![Field::Func(func(
        None,
        s::TypeUse {
            index: Some(num(2)),
            inline: sig(vec![param(None, ValType::I32)], vec![]),
            span: at(1),
        },
        vec![],
    ))]);
    assert_eq!(bad[0].class, Class::Malformed);
    assert!(bad[0].message.starts_with("unknown type"));
    // (func (type 2)) alone is left to validation.
    assert!(
        resolve(&module(vec![Field::Func(func(
            None,
            by_index(num(2)),
            vec![]
        ))]))
        .is_ok()
    );
}

#[test]
fn params_of_a_referenced_type_are_unnamed_locals() {
    // (type $t (func (param $a i32))) (func (type $t) (local $y i64) (local.get $y) (local.get $a))
    let mut f = func(
        None,
        by_index(var("t")),
        vec![
            ins(Op::LocalGet, Imm::Index(var("y"))),
            ins(Op::LocalGet, Imm::Index(var("a"))),
        ],
    );
    f.locals = vec![s::Local {
        id: Some(id("y")),
        ty: ValType::I64,
        span: Span::default(),
    }];
    let errors = errs(vec![
        type_def(Some("t"), sig(vec![param(Some("a"), ValType::I32)], vec![])),
        Field::Func(f.clone()),
    ]);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.starts_with("unknown local"),
        "{}",
        errors[0].message
    );

    f.body.pop();
    let m = ok(vec![
        type_def(Some("t"), sig(vec![param(Some("a"), ValType::I32)], vec![])),
        Field::Func(f),
    ]);
    assert_eq!(m.funcs[0].body[0].imm, ast::Imm::Local(LocalIdx(1)));
    assert_eq!(m.funcs[0].locals, vec![ast::ValType::I64]);
}

#[test]
fn duplicate_and_unknown_names_are_all_reported() {
    let errors = errs(vec![
        Field::Func(s::Func {
            id: Some(id_at("f", 1)),
            ..func(None, inline(vec![], vec![]), vec![])
        }),
        Field::Func(s::Func {
            id: Some(id_at("f", 5)),
            ..func(
                None,
                inline(vec![], vec![]),
                vec![
                    ins(Op::Call, Imm::Index(Index::Id(id_at("g", 9)))),
                    ins(Op::GlobalGet, Imm::Index(var("x"))),
                ],
            )
        }),
    ]);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[0].message.starts_with("duplicate func"));
    assert_eq!(errors[0].span, Some(at(5)));
    assert_eq!(errors[0].secondary[0].0, at(1));
    assert!(errors[1].message.starts_with("unknown function"));
    assert_eq!(errors[1].span, Some(at(9)));
    assert!(errors[2].message.starts_with("unknown global"));
}

#[test]
fn duplicate_locals() {
    let mut f = func(
        None,
        inline(vec![param(Some("x"), ValType::I32)], vec![]),
        vec![],
    );
    f.locals = vec![s::Local {
        id: Some(id("x")),
        ty: ValType::I32,
        span: Span::default(),
    }];
    let errors = errs(vec![Field::Func(f)]);
    assert!(errors[0].message.starts_with("duplicate local"));
}

#[test]
fn labels_resolve_to_depths_with_shadowing() {
    let body = vec![
        block(Op::Block, Some("a"), inline(vec![], vec![])),
        block(Op::Loop, Some("b"), inline(vec![], vec![])),
        block(Op::Block, Some("a"), inline(vec![], vec![])),
        ins(Op::Br, Imm::Index(var("a"))),
        ins(Op::Br, Imm::Index(var("b"))),
        ins(Op::Br, Imm::Index(Index::Num(7, Span::default()))),
        ins(
            Op::BrTable,
            Imm::BrTable(vec![var("a"), var("b"), Index::Num(2, Span::default())]),
        ),
        ins(Op::End, Imm::EndLabel(Some(id("a")))),
        ins(Op::Br, Imm::Index(var("a"))),
        end(),
        end(),
    ];
    let m = ok(vec![Field::Func(func(None, inline(vec![], vec![]), body))]);
    let imms: Vec<_> = m.funcs[0].body.iter().map(|i| i.imm.clone()).collect();
    assert_eq!(imms[3], ast::Imm::Label(LabelIdx(0)));
    assert_eq!(imms[4], ast::Imm::Label(LabelIdx(1)));
    assert_eq!(imms[5], ast::Imm::Label(LabelIdx(7)));
    assert_eq!(
        imms[6],
        ast::Imm::BrTable(vec![LabelIdx(0), LabelIdx(1)].into(), LabelIdx(2))
    );
    assert_eq!(imms[8], ast::Imm::Label(LabelIdx(1)));
    assert_eq!(
        m.names.labels,
        vec![(
            FuncIdx(0),
            vec![
                (0, "a".to_string()),
                (1, "b".to_string()),
                (2, "a".to_string())
            ]
        )]
    );
}

#[test]
fn mismatching_and_unknown_labels() {
    let body = vec![
        block(Op::Block, Some("a"), inline(vec![], vec![])),
        ins(Op::Br, Imm::Index(var("nope"))),
        ins(Op::End, Imm::EndLabel(Some(id("b")))),
        block(Op::If, None, inline(vec![], vec![])),
        ins(Op::Else, Imm::EndLabel(Some(id("a")))),
        end(),
    ];
    let errors = errs(vec![Field::Func(func(None, inline(vec![], vec![]), body))]);
    let msgs: Vec<_> = errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "unknown label $nope",
            "mismatching label $b",
            "mismatching label $a"
        ]
    );
}

#[test]
fn block_types() {
    let i32_ = || vec![ValType::I32];
    let body = vec![
        block(Op::Block, None, inline(vec![], vec![])),
        end(),
        block(Op::Block, None, inline(vec![], i32_())),
        end(),
        block(Op::Block, None, by_index(var("v"))),
        end(),
        block(
            Op::Block,
            None,
            inline(vec![param(None, ValType::I32)], i32_()),
        ),
        end(),
        block(
            Op::Block,
            None,
            inline(vec![], vec![ValType::I32, ValType::I32]),
        ),
        end(),
    ];
    let m = ok(vec![
        type_def(Some("v"), sig(vec![], i32_())),
        Field::Func(func(None, inline(vec![], vec![]), body)),
    ]);
    let bts: Vec<_> = m.funcs[0]
        .body
        .iter()
        .filter_map(|i| match i.imm {
            ast::Imm::Block(b) => Some(b),
            _ => None,
        })
        .collect();
    use ast::ValType::I32;
    assert_eq!(
        bts,
        vec![
            BlockType::Empty,
            BlockType::Value(I32),
            BlockType::Type(TypeIdx(0)),
            BlockType::Type(TypeIdx(2)),
            BlockType::Type(TypeIdx(3)),
        ]
    );
    // The function's own `[] -> []` was appended first (item order: the type use precedes the body).
    assert_eq!(m.types[1], ft(vec![], vec![]).into());
    assert_eq!(m.types[2], ft(vec![I32], vec![I32]).into());
}

#[test]
fn inline_data_is_an_active_segment_at_zero() {
    let mem = |memory64| s::Memory {
        id: Some(id("m")),
        exports: vec![],
        import: None,
        ty: s::MemoryType {
            limits: s::Limits {
                min: 1,
                max: Some(1),
            },
            memory64,
            ..Default::default()
        },
        inline_data: Some(b"hi".to_vec()),
        span: Span::default(),
    };
    let data = |expr: Vec<s::Instr<'static>>| {
        Field::Data(s::Data {
            id: None,
            mode: s::DataMode::Active {
                memory: Some(var("m")),
                offset: expr,
            },
            bytes: b"hi".to_vec(),
            place: None,
            span: Span::default(),
        })
    };
    let short = ok(vec![Field::Memory(mem(false))]);
    let mut long = mem(false);
    long.inline_data = None;
    let long = ok(vec![
        Field::Memory(long),
        data(vec![ins(Op::I32Const, Imm::I32(0))]),
    ]);
    assert_eq!(unspanned(short), unspanned(long));

    let short64 = ok(vec![Field::Memory(mem(true))]);
    let ast::DataMode::Active { offset, .. } = &short64.datas[0].mode else {
        panic!()
    };
    assert_eq!(
        offset,
        &vec![ast::Instr::new(Op::I64Const, ast::Imm::I64(0))]
    );
}

#[test]
fn inline_elem_is_an_explicit_active_segment_before_later_ones() {
    let table = s::Table {
        id: None,
        exports: vec![],
        import: None,
        ty: s::TableType {
            limits: s::Limits {
                min: 1,
                max: Some(1),
            },
            elem: s::RefType {
                nullable: true,
                heap: s::HeapType::Func,
            },
            table64: false,
        },
        init: None,
        inline_elem: Some(s::ElemList::Funcs(vec![var("f")])),
        span: Span::default(),
    };
    let m = ok(vec![
        Field::Table(table),
        Field::Elem(s::Elem {
            id: Some(id("e")),
            mode: s::ElemMode::Passive,
            list: s::ElemList::Funcs(vec![]),
            span: Span::default(),
        }),
        Field::Func(func(
            Some("f"),
            inline(vec![], vec![]),
            vec![ins(Op::ElemDrop, Imm::Index(var("e")))],
        )),
    ]);
    assert_eq!(m.elems.len(), 2);
    assert_eq!(
        m.elems[0].mode,
        ast::ElemMode::Active {
            table: ast::TableIdx(0),
            explicit: true,
            offset: vec![ast::Instr::new(Op::I32Const, ast::Imm::I32(0))]
        }
    );
    assert_eq!(m.elems[0].items, ast::ElemItems::Funcs(vec![FuncIdx(0)]));
    assert_eq!(m.funcs[0].body[0].imm, ast::Imm::Elem(ast::ElemIdx(1)));
}

#[test]
fn immediates_take_binary_order_and_defaults() {
    let mem = Field::Memory(s::Memory {
        id: Some(id("m")),
        exports: vec![],
        import: None,
        ty: s::MemoryType::default(),
        inline_data: None,
        span: Span::default(),
    });
    let data = Field::Data(s::Data {
        id: Some(id("d")),
        mode: s::DataMode::Passive,
        bytes: vec![],
        place: None,
        span: Span::default(),
    });
    let body = vec![
        ins(Op::MemoryInit, Imm::Init(Box::new((None, var("d"))))),
        ins(Op::MemoryCopy, Imm::Copy(None)),
        ins(
            Op::I64Load,
            Imm::MemArg(s::MemArg {
                mem: None,
                offset: 4,
                align: None,
            }),
        ),
        ins(
            Op::I32Load,
            Imm::MemArg(s::MemArg {
                mem: Some(Box::new(var("m"))),
                offset: 0,
                align: Some(2),
            }),
        ),
        ins(Op::Select, Imm::Select(None)),
        ins(Op::Select, Imm::Select(Some(vec![ValType::I32]))),
        ins(
            Op::CallIndirect,
            Imm::CallIndirect(Box::new(s::CallIndirect {
                table: None,
                ty: inline(vec![], vec![]),
            })),
        ),
    ];
    let m = ok(vec![
        mem,
        data,
        Field::Func(func(None, inline(vec![], vec![]), body)),
    ]);
    let imms: Vec<_> = m.funcs[0].body.iter().map(|i| i.imm.clone()).collect();
    use ast::{Imm as A, MemArg, MemIdx};
    assert_eq!(imms[0], A::MemoryInit(ast::DataIdx(0), MemIdx(0)));
    assert_eq!(imms[1], A::MemoryCopy(MemIdx(0), MemIdx(0)));
    assert_eq!(
        imms[2],
        A::MemArg(MemArg {
            mem: MemIdx(0),
            offset: 4,
            align_log2: 3
        })
    );
    assert_eq!(
        imms[3],
        A::MemArg(MemArg {
            mem: MemIdx(0),
            offset: 0,
            align_log2: 1
        })
    );
    assert_eq!(imms[4], A::None);
    assert_eq!(imms[5], A::Select(vec![ast::ValType::I32].into()));
    assert_eq!(imms[6], A::CallIndirect(TypeIdx(0), ast::TableIdx(0)));
}

#[test]
fn deep_nesting_does_not_recurse() {
    let depth = 100_000;
    let mut body = Vec::with_capacity(2 * depth + 1);
    for _ in 0..depth {
        body.push(block(Op::Block, Some("l"), inline(vec![], vec![])));
    }
    body.push(ins(Op::Br, Imm::Index(var("l"))));
    body.extend((0..depth).map(|_| end()));
    let m = ok(vec![Field::Func(func(None, inline(vec![], vec![]), body))]);
    assert_eq!(m.funcs[0].body[depth].imm, ast::Imm::Label(LabelIdx(0)));
}

#[test]
fn multiple_start_functions() {
    let errors = errs(vec![
        Field::Func(func(Some("f"), inline(vec![], vec![]), vec![])),
        Field::Start(var("f"), Span::default()),
        Field::Start(Index::Num(0, Span::default()), at(4)),
    ]);
    assert_eq!(errors[0].message, "multiple start sections");
}

#[test]
fn offsets_of_32_bit_memories_fit_u32() {
    // (memory 1) (func (i32.load offset=N (i32.const 0)) drop), with a 32-bit or 64-bit memory.
    let with_features = |memory64: bool, offset: u64, features: Features| {
        let memory = Field::Memory(s::Memory {
            id: None,
            exports: vec![],
            import: None,
            ty: s::MemoryType {
                memory64,
                ..Default::default()
            },
            inline_data: None,
            span: Span::default(),
        });
        let load = ins(
            Op::I32Load,
            Imm::MemArg(s::MemArg {
                mem: None,
                offset,
                align: None,
            }),
        );
        let fields = vec![
            memory,
            Field::Func(func(None, inline(vec![], vec![]), vec![load])),
        ];
        resolve_with(&module(fields), &features)
    };
    let with = |memory64: bool, offset: u64| with_features(memory64, offset, Features::wasm2());
    assert!(with(false, u64::from(u32::MAX)).is_ok());
    let bad = with(false, 1 << 32).expect_err("offset too large");
    assert_eq!(bad[0].class, Class::Malformed);
    assert_eq!(bad[0].message, "i32 constant out of range");
    assert!(with(true, 1 << 32).is_ok());
    // With 64-bit memories, validation judges the offset ("offset out of range").
    assert!(with_features(false, 1 << 32, Features::wasm3()).is_ok());
}
