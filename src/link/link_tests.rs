//! The link pass on hand-built `ast::Module`s (the text front end has its own tests).

use super::*;
use crate::ast::*;
use crate::instr::Op;
use crate::span::Span;

fn i(op: Op, imm: Imm) -> Instr {
    Instr::new(op, imm)
}

fn place(name: &str, kind: PlaceKind, align: u64, size: Option<u64>, bytes: &[u8]) -> Data {
    Data {
        mode: DataMode::Passive,
        bytes: bytes.to_vec(),
        place: Some(Placement {
            name: name.into(),
            kind,
            align,
            size,
            span: Span::new(1, 2),
        }),
    }
}

fn global_import(module: &str, field: &str, mutable: bool) -> Import {
    Import {
        module: module.into(),
        field: field.into(),
        kind: ImportKind::Global(GlobalType {
            ty: ValType::I32,
            mutable,
        }),
        span: Span::new(3, 4),
    }
}

/// A function `() -> i32` returning `global.get g`, exported as `name`.
fn getter(m: &mut Module, g: u32, name: &str) {
    let ty: SubType = FuncType {
        params: vec![],
        results: vec![ValType::I32],
    }
    .into();
    let t = match m.types.iter().position(|x| *x == ty) {
        Some(t) => t,
        None => {
            m.types.push(ty);
            m.types.len() - 1
        }
    };
    m.funcs.push(Func {
        ty: TypeIdx(t as u32),
        locals: vec![],
        body: vec![i(Op::GlobalGet, Imm::Global(GlobalIdx(g)))],
        span: Span::default(),
    });
    let f = m.imported(ExternKind::Func) + m.funcs.len() as u32 - 1;
    m.exports.push(Export {
        name: name.into(),
        kind: ExternKind::Func,
        index: f,
        span: Span::default(),
    });
}

/// rodata/data/bss placed, synthesized symbols imported, one own global after them.
fn sample() -> Module {
    let mut m = Module::default();
    m.imports.push(global_import("env", "__heap_base", false));
    m.imports
        .push(global_import("env", "__stack_pointer", true));
    m.imports
        .push(global_import("watlink:data", "greeting", false));
    m.imports
        .push(global_import("watlink:size", "greeting", false));
    m.imports
        .push(global_import("watlink:data", "buffer", false));
    m.globals.push(Global {
        ty: GlobalType {
            ty: ValType::I32,
            mutable: false,
        },
        init: vec![i(Op::I32Const, Imm::I32(77))],
    });
    m.datas.push(place(
        "greeting",
        PlaceKind::ReadOnly,
        1,
        None,
        "xịn xò".as_bytes(),
    ));
    m.datas
        .push(place("counter", PlaceKind::Writable, 4, None, &[0; 4]));
    m.datas
        .push(place("buffer", PlaceKind::Zero, 16, Some(4096), &[]));
    for (g, name) in ["heap", "sp", "greeting", "len", "buffer", "own"]
        .iter()
        .enumerate()
    {
        getter(&mut m, g as u32, name);
    }
    m
}

fn run(wasm: &[u8], name: &str) -> i32 {
    use crate::exec::{Imports, Limits, Module, Store, Value};
    let module = Module::new(wasm).unwrap();
    let mut store = Store::new(Limits::default());
    let inst = store.instantiate(&module, &Imports::new()).unwrap();
    match store.invoke(inst, name, &[]).unwrap()[..] {
        [Value::I32(v)] => v,
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn placed_segments_get_the_planners_addresses() {
    let linked = Linker::new().input_module("app", sample()).link().unwrap();
    let segments = [
        Segment::new(".rodata.greeting", 9, 1, SegmentKind::ReadOnly),
        Segment::new(".data.counter", 4, 4, SegmentKind::Writable),
        Segment::new(".bss.buffer", 4096, 16, SegmentKind::Zero),
    ];
    let expected = plan(&segments, &LayoutOptions::default()).unwrap();
    assert_eq!(linked.plan, expected);
    let greeting = expected.segment(".rodata.greeting").unwrap().address;
    assert_eq!(greeting, 65536);
    assert_eq!(run(&linked.wasm, "greeting"), greeting as i32);
    assert_eq!(run(&linked.wasm, "len"), 9);
    let buffer = expected.segment(".bss.buffer").unwrap().address;
    assert_eq!(run(&linked.wasm, "buffer"), buffer as i32);
    assert_eq!(
        run(&linked.wasm, "heap"),
        expected.symbols.heap_base.unwrap() as i32
    );
    assert_eq!(run(&linked.wasm, "sp"), 65536);
    // The input's own global moved past the synthesized ones and kept its value.
    assert_eq!(run(&linked.wasm, "own"), 77);
}

#[test]
fn output_has_memory_heap_base_and_active_data() {
    let linked = Linker::new().input_module("app", sample()).link().unwrap();
    let mut exports = Vec::new();
    let mut datas = 0;
    let mut imports = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&linked.wasm) {
        match payload.unwrap() {
            wasmparser::Payload::ExportSection(r) => {
                for e in r {
                    exports.push(e.unwrap().name.to_string());
                }
            }
            wasmparser::Payload::DataSection(r) => {
                for d in r {
                    assert!(matches!(
                        d.unwrap().kind,
                        wasmparser::DataKind::Active { .. }
                    ));
                    datas += 1;
                }
            }
            wasmparser::Payload::ImportSection(r) => imports += r.count(),
            _ => {}
        }
    }
    assert!(exports.contains(&"memory".to_string()));
    assert!(exports.contains(&"__heap_base".to_string()));
    assert_eq!(datas, 2, "bss emits no segment");
    assert_eq!(imports, 0, "every import was synthesized");
}

#[test]
fn data_bytes_land_at_their_address() {
    let mut m = sample();
    // (func (export "byte0") (result i32) (i32.load8_u (global.get $greeting)))
    let ty = m.funcs[0].ty;
    m.funcs.push(Func {
        ty,
        locals: vec![],
        body: vec![
            i(Op::GlobalGet, Imm::Global(GlobalIdx(2))),
            i(
                Op::I32Load8U,
                Imm::MemArg(MemArg {
                    mem: MemIdx(0),
                    offset: 0,
                    align_log2: 0,
                }),
            ),
        ],
        span: Span::default(),
    });
    m.exports.push(Export {
        name: "byte0".into(),
        kind: ExternKind::Func,
        index: m.funcs.len() as u32 - 1,
        span: Span::default(),
    });
    let linked = Linker::new().input_module("app", m).link().unwrap();
    assert_eq!(run(&linked.wasm, "byte0"), i32::from(b'x'));
}

#[test]
fn unknown_placed_segment_is_an_error_at_the_import() {
    let mut m = Module::default();
    m.imports.push(global_import("watlink:data", "nope", false));
    let err = Linker::new().input_module("app", m).link().unwrap_err();
    assert_eq!(err.first().message, "unknown placed data segment `nope`");
}

#[test]
fn synthesized_symbol_with_wrong_type_is_incompatible() {
    let mut m = Module::default();
    m.imports.push(global_import("env", "__heap_base", true));
    let err = Linker::new().input_module("app", m).link().unwrap_err();
    assert_eq!(err.first().message, "incompatible import type");
}

#[test]
fn placement_misuse() {
    let cases = [
        (
            place("", PlaceKind::ReadOnly, 1, None, b"x"),
            "needs an $id",
        ),
        (
            place("a", PlaceKind::ReadOnly, 3, None, b"x"),
            "not a power of two",
        ),
        (place("b", PlaceKind::Zero, 1, Some(4), b"x"), "has bytes"),
        (
            place("c", PlaceKind::Writable, 1, Some(4), b"x"),
            "(size N)",
        ),
    ];
    for (data, want) in cases {
        let mut m = Module::default();
        m.datas.push(data);
        let err = Linker::new().input_module("app", m).link().unwrap_err();
        assert!(
            err.first().message.contains(want),
            "{}",
            err.first().message
        );
    }
    let mut m = Module::default();
    let mut d = place("d", PlaceKind::ReadOnly, 1, None, b"x");
    d.mode = DataMode::Active {
        memory: MemIdx(0),
        offset: vec![i(Op::I32Const, Imm::I32(0))],
    };
    m.datas.push(d);
    let err = Linker::new().input_module("app", m).link().unwrap_err();
    assert!(err.first().message.contains("has an offset"));
}

#[test]
fn fixed_segments_keep_their_address_and_overlaps_name_both() {
    let fixed = |at: i32, bytes: &[u8]| Data {
        mode: DataMode::Active {
            memory: MemIdx(0),
            offset: vec![i(Op::I32Const, Imm::I32(at))],
        },
        bytes: bytes.to_vec(),
        place: None,
    };
    let mut m = Module::default();
    m.datas.push(fixed(8, b"fixed"));
    m.datas.push(fixed(10, b"other"));
    m.names.datas.push((DataIdx(0), "one".into()));
    m.names.datas.push((DataIdx(1), "two".into()));
    let err = Linker::new()
        .stack_first(false)
        .input_module("app", m)
        .link()
        .unwrap_err();
    let msg = &err.first().message;
    assert!(msg.contains("one") && msg.contains("two"), "{msg}");
    assert!(msg.contains("overlaps"), "{msg}");
}

#[test]
fn initial_memory_too_small_has_the_count_and_a_note() {
    let err = Linker::new()
        .initial_memory(65536)
        .input_module("app", sample())
        .link()
        .unwrap_err();
    let e = err.first();
    assert!(
        e.message.starts_with("initial memory too small, ") && e.message.ends_with(" bytes needed"),
        "{}",
        e.message
    );
    assert!(
        e.notes
            .iter()
            .any(|n| n.contains("--initial-memory=131072"))
    );
}

fn exporter() -> Module {
    let mut m = Module::default();
    m.types.push(
        FuncType {
            params: vec![ValType::I32],
            results: vec![ValType::I32],
        }
        .into(),
    );
    m.funcs.push(Func {
        ty: TypeIdx(0),
        locals: vec![],
        body: vec![
            i(Op::LocalGet, Imm::Local(LocalIdx(0))),
            i(Op::I32Const, Imm::I32(1)),
            i(Op::I32Add, Imm::None),
        ],
        span: Span::default(),
    });
    m.exports.push(Export {
        name: "inc".into(),
        kind: ExternKind::Func,
        index: 0,
        span: Span::new(0, 1),
    });
    m
}

fn importer(params: Vec<ValType>) -> Module {
    let mut m = Module::default();
    m.types.push(
        FuncType {
            params,
            results: vec![ValType::I32],
        }
        .into(),
    );
    m.types.push(
        FuncType {
            params: vec![],
            results: vec![ValType::I32],
        }
        .into(),
    );
    m.imports.push(Import {
        module: "env".into(),
        field: "inc".into(),
        kind: ImportKind::Func(TypeIdx(0)),
        span: Span::new(0, 1),
    });
    m.funcs.push(Func {
        ty: TypeIdx(1),
        locals: vec![],
        body: vec![
            i(Op::I32Const, Imm::I32(41)),
            i(Op::Call, Imm::Func(FuncIdx(0))),
        ],
        span: Span::default(),
    });
    m.exports.push(Export {
        name: "main".into(),
        kind: ExternKind::Func,
        index: 1,
        span: Span::default(),
    });
    m
}

#[test]
fn an_import_binds_to_another_inputs_export() {
    let linked = Linker::new()
        .input_module("main", importer(vec![ValType::I32]))
        .input_module("lib", exporter())
        .link()
        .unwrap();
    assert_eq!(run(&linked.wasm, "main"), 42);
}

#[test]
fn an_incompatible_import_names_both_places() {
    let err = Linker::new()
        .input_module("main", importer(vec![ValType::I64]))
        .input_module("lib", exporter())
        .link()
        .unwrap_err();
    let e = err.first();
    assert_eq!(e.message, "incompatible import type");
    assert!(e.label.contains("(param i64)"), "{}", e.label);
    assert!(
        e.notes[0].contains("lib") && e.notes[0].contains("(param i32)"),
        "{:?}",
        e.notes
    );
}

#[test]
fn unbound_imports_stay_and_duplicates_merge() {
    let mut a = Module::default();
    a.imports.push(global_import("host", "g", false));
    getter(&mut a, 0, "a");
    let mut b = Module::default();
    b.imports.push(global_import("host", "g", false));
    getter(&mut b, 0, "b");
    let linked = Linker::new()
        .input_module("a", a)
        .input_module("b", b)
        .link()
        .unwrap();
    let imports: usize = wasmparser::Parser::new(0)
        .parse_all(&linked.wasm)
        .filter_map(|p| match p.unwrap() {
            wasmparser::Payload::ImportSection(r) => Some(r.count() as usize),
            _ => None,
        })
        .sum();
    assert_eq!(imports, 1);
}

#[test]
fn export_flags() {
    let err = Linker::new()
        .export("missing")
        .input_module("app", sample())
        .link()
        .unwrap_err();
    assert_eq!(
        err.first().message,
        "symbol exported via --export not found: missing"
    );
    let linked = Linker::new()
        .export("__data_end")
        .export("greeting")
        .export_if_defined("nothing")
        .import_memory("env", "memory")
        .input_module("app", sample())
        .link()
        .unwrap();
    let mut exports = Vec::new();
    for p in wasmparser::Parser::new(0).parse_all(&linked.wasm) {
        if let wasmparser::Payload::ExportSection(r) = p.unwrap() {
            exports.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
        }
    }
    assert!(exports.contains(&"__data_end".into()));
    assert!(exports.contains(&"greeting".into()));
    assert!(
        !exports.contains(&"memory".into()),
        "imported memory is not exported"
    );
    let err = Linker::new()
        .entry("_start")
        .input_module("app", sample())
        .link()
        .unwrap_err();
    assert!(err.first().message.starts_with("entry symbol not defined"));
}

#[test]
fn shared_memory_needs_threads() {
    let linked = Linker::new()
        .shared_memory()
        .input_module("app", sample())
        .link()
        .unwrap();
    assert!(linked.plan.shared);
    assert_eq!(linked.plan.max_pages, Some(linked.plan.min_pages));
    let err = Linker::new()
        .features(crate::Features::wasm2())
        .shared_memory()
        .input_module("app", sample())
        .link()
        .unwrap_err();
    assert!(err.first().message.contains("shared memory"));
}
