//! The planner against wasm-ld: every case in `tests/data/wasm-ld/` (see its README).

use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wasm-ld/");

#[derive(Debug, Default)]
struct Case {
    name: String,
    source: String,
    flags: Vec<String>,
    segments: Vec<Segment>,
    memory: Option<(u64, Option<u64>)>,
    symbols: Vec<(String, u64)>,
    addrs: Vec<(String, u64)>,
    errors: Vec<String>,
    /// Module facts (measured for some cases): the start function's name (`-`: none), each data
    /// segment as (passive, address, size), the export names.
    start: Option<String>,
    datas: Vec<(bool, Option<u64>, u64)>,
    exports: Vec<String>,
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut case = Case::default();
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let nums: Vec<&str> = rest.split_whitespace().collect();
        let num = |i: usize| {
            nums[i]
                .parse::<u64>()
                .unwrap_or_else(|_| panic!("bad number in {line:?}"))
        };
        match word {
            "case" => {
                case = Case {
                    name: rest.to_string(),
                    ..Case::default()
                }
            }
            "source" => case.source = rest.to_string(),
            "flags" => case.flags = rest.split_whitespace().map(String::from).collect(),
            "seg" => {
                let name = nums[0];
                let kind = if name.starts_with(".rodata") {
                    SegmentKind::ReadOnly
                } else if name.starts_with(".bss") {
                    SegmentKind::Zero
                } else {
                    SegmentKind::Writable
                };
                case.segments.push(Segment::new(name, num(1), num(2), kind));
            }
            "fixed" => case.segments.push(Segment::new(
                nums[0],
                num(1),
                num(2),
                SegmentKind::Fixed(num(3)),
            )),
            "memory" => case.memory = Some((num(0), nums[1].parse().ok())),
            "sym" => case.symbols.push((nums[0].to_string(), num(1))),
            "addr" => case.addrs.push((nums[0].to_string(), num(1))),
            "error" => case.errors.push(rest.to_string()),
            "start" => case.start = Some(rest.to_string()),
            "data" => case
                .datas
                .push((nums[0] == "passive", nums[1].parse().ok(), num(2))),
            "export" => case.exports.push(rest.to_string()),
            "end" => cases.push(std::mem::take(&mut case)),
            _ => panic!("unknown line {line:?}"),
        }
    }
    cases
}

/// wasm-ld's flags as [`LayoutOptions`], read by the linker's own flag table ([`apply_args`]). Like
/// wasm-ld ≤ 21, the stack comes after the data unless `--stack-first` is given; `__heap_base` is
/// only rounded when it is used (`--export-all`, `--export=__heap_base`).
fn options(flags: &[String], flavor: Flavor) -> LayoutOptions {
    let mut o = LinkOptions::default();
    let flags = flags
        .iter()
        .map(String::as_str)
        .filter(|f| !f.starts_with("--features"));
    apply_args(&mut o, std::iter::once("--no-stack-first").chain(flags))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut layout = o.layout;
    layout.flavor = flavor;
    layout.import_memory = o.import_memory.is_some();
    layout.heap_base_used = o.export_all || o.exports.iter().any(|e| e == "__heap_base");
    layout
}

/// Runs `case` with `flavor`; returns the differences.
fn check(case: &Case, flavor: Flavor) -> Vec<String> {
    let mut diffs = Vec::new();
    let opts = options(&case.flags, flavor);
    match plan(&case.segments, &opts) {
        Err(errors) => {
            let got: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            if got != case.errors {
                diffs.push(format!("errors: got {got:?}, want {:?}", case.errors));
            }
            for e in &errors {
                assert!(
                    !e.notes.is_empty(),
                    "{}: error without a note: {}",
                    case.name,
                    e.message
                );
            }
        }
        Ok(p) => {
            if !case.errors.is_empty() {
                diffs.push(format!("no errors, want {:?}", case.errors));
            }
            if let Some((min, max)) = case.memory
                && (p.min_pages, p.max_pages) != (min, max)
            {
                diffs.push(format!(
                    "memory: got {} {:?}, want {min} {max:?}",
                    p.min_pages, p.max_pages
                ));
            }
            let s = &p.symbols;
            for (name, want) in &case.symbols {
                let got = match name.as_str() {
                    "__stack_pointer" => Some(s.stack_pointer),
                    "__stack_low" => Some(s.stack_low),
                    "__stack_high" => Some(s.stack_high),
                    "__global_base" => Some(s.global_base),
                    "__dso_handle" => Some(s.dso_handle),
                    "__data_end" => Some(s.data_end),
                    "__heap_base" => s.heap_base,
                    "__heap_end" => Some(s.heap_end),
                    "__memory_base" => Some(s.memory_base),
                    "__table_base" => Some(s.table_base),
                    "__wasm_init_memory_flag" => s.init_memory_flag,
                    _ => panic!("unknown symbol {name}"),
                };
                if got != Some(*want) {
                    diffs.push(format!("{name}: got {got:?}, want {want}"));
                }
            }
            for (name, want) in &case.addrs {
                // A data symbol is its segment `.<kind>.<name>`; custom-section symbols are skipped.
                let suffix = format!(".{name}");
                let seg = p
                    .segments
                    .iter()
                    .find(|s| s.name == *name || s.name.ends_with(&suffix));
                if let Some(seg) = seg
                    && seg.address != *want
                {
                    diffs.push(format!("{name}: got {}, want {want}", seg.address));
                }
            }
            // The map renders whatever the plan is.
            assert!(p.table().contains("__data_end"));
            assert!(p.picture(64).starts_with('|'));
            assert!(p.to_json().contains("\"__heap_end\""));
        }
    }
    diffs
}

#[test]
fn measured_and_derived_cases() {
    let measured = parse(&std::fs::read_to_string(format!("{DATA}measured.txt")).unwrap());
    let derived = parse(&std::fs::read_to_string(format!("{DATA}derived.txt")).unwrap());
    assert!(measured.len() >= 30, "{} measured cases", measured.len());
    let mut failures = Vec::new();
    for case in &measured {
        assert_eq!(case.source, "llvm-14");
        // Exactly LLVM 14's numbers in its flavor ...
        for d in check(case, Flavor::Llvm14) {
            failures.push(format!("{} (llvm-14): {d}", case.name));
        }
        // ... and the same in the current flavor, unless derived.txt says how current wasm-ld differs.
        if !derived.iter().any(|c| c.name == case.name) {
            for d in check(case, Flavor::Current) {
                failures.push(format!("{} (current): {d}", case.name));
            }
        }
    }
    for case in &derived {
        assert!(
            case.source.starts_with("current") || case.source == "watlink",
            "{}: source {}",
            case.name,
            case.source
        );
        for d in check(case, Flavor::Current) {
            failures.push(format!("{} (current): {d}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The case's segments as placed data in a text module, for the whole linker.
fn wat(case: &Case) -> String {
    let mut text = String::from("(module\n");
    for seg in &case.segments {
        let (kind, id) = match seg
            .name
            .split_once('.')
            .and_then(|(_, r)| r.split_once('.'))
        {
            Some((kind @ ("rodata" | "data" | "bss"), id)) => (kind, id),
            _ => panic!("{}: no text form for segment {}", case.name, seg.name),
        };
        if kind == "bss" {
            text += &format!(
                "  (data ${id} (@place bss (align {}) (size {})))\n",
                seg.align, seg.size
            );
        } else {
            // C's `= {1}`: a one, then zeros.
            let bytes = "\\01".to_string() + &"\\00".repeat(seg.size as usize - 1);
            text += &format!(
                "  (data ${id} (@place {kind} (align {})) \"{bytes}\")\n",
                seg.align
            );
        }
    }
    text + ")"
}

/// Names only wasm-ld's C world has (constructors, TLS, the function table).
const C_ONLY: [&str; 6] = [
    "__wasm_call_ctors",
    "__wasm_init_tls",
    "__tls_align",
    "__tls_size",
    "__tls_base",
    "__indirect_function_table",
];

/// The measured module facts against the whole linker on the same data and flags.
fn check_module(case: &Case) -> Vec<String> {
    let mut diffs = Vec::new();
    let mut options = LinkOptions::default();
    options.layout.flavor = Flavor::Llvm14;
    let flags = case
        .flags
        .iter()
        .map(String::as_str)
        .filter(|f| !f.starts_with("--features"));
    apply_args(
        &mut options,
        std::iter::once("--no-stack-first").chain(flags),
    )
    .unwrap();
    let linked = match Linker::with_options(options)
        .input_str("case.wat", &wat(case))
        .link()
    {
        Ok(l) => l,
        Err(e) => return vec![format!("link failed: {e}")],
    };
    // Exports, leaving out what only C objects define.
    let mut exported = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&linked.wasm) {
        if let wasmparser::Payload::ExportSection(r) = payload.unwrap() {
            exported.extend(r.into_iter().map(|e| e.unwrap().name.to_string()));
        }
    }
    let mut got: Vec<&str> = exported.iter().map(String::as_str).collect();
    got.sort();
    let want: Vec<&str> = case
        .exports
        .iter()
        .map(String::as_str)
        .filter(|e| !C_ONLY.contains(e))
        .collect();
    if got != want {
        diffs.push(format!("exports: got {got:?}, want {want:?}"));
    }
    // The start function, and the data section: wasm-ld writes one segment per output segment
    // (`.data`, padding included), watlink one per input; compare modes and covered bytes.
    let mut start = None;
    let mut names = std::collections::HashMap::new();
    let mut datas = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&linked.wasm) {
        match payload.unwrap() {
            wasmparser::Payload::StartSection { func, .. } => start = Some(func),
            wasmparser::Payload::DataSection(r) => {
                for d in r {
                    let d = d.unwrap();
                    datas.push(match d.kind {
                        wasmparser::DataKind::Passive => (true, None, d.data.len() as u64),
                        wasmparser::DataKind::Active { offset_expr, .. } => {
                            let mut ops = offset_expr.get_operators_reader();
                            let Ok(wasmparser::Operator::I32Const { value }) = ops.read() else {
                                panic!("offset")
                            };
                            (false, Some(value as u64), d.data.len() as u64)
                        }
                    });
                }
            }
            wasmparser::Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(r) = c.as_known() {
                    for n in r.into_iter().flatten() {
                        if let wasmparser::Name::Function(map) = n {
                            for naming in map.into_iter().flatten() {
                                names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let start = start.map_or("-".to_string(), |f| {
        names.get(&f).cloned().unwrap_or_default()
    });
    if case.start.as_deref() != Some(start.as_str()) {
        diffs.push(format!("start: got {start}, want {:?}", case.start));
    }
    let modes = |d: &[(bool, Option<u64>, u64)]| {
        let mut m: Vec<bool> = d.iter().map(|x| x.0).collect();
        m.dedup();
        m
    };
    if modes(&datas) != modes(&case.datas) {
        diffs.push(format!("data modes: got {datas:?}, want {:?}", case.datas));
    }
    let within = |(_, a, n): &(bool, Option<u64>, u64), (_, b, m): &(bool, Option<u64>, u64)| matches!((a, b), (Some(a), Some(b)) if b <= a && a + n <= b + m);
    for ours in datas.iter().filter(|d| d.1.is_some()) {
        if !case.datas.iter().any(|theirs| within(ours, theirs)) {
            diffs.push(format!(
                "segment {ours:?} is in no wasm-ld segment {:?}",
                case.datas
            ));
        }
    }
    for theirs in case.datas.iter().filter(|d| d.1.is_some()) {
        if !datas.iter().any(|ours| within(ours, theirs)) {
            diffs.push(format!(
                "wasm-ld's segment {theirs:?} has no counterpart in {datas:?}"
            ));
        }
    }
    diffs
}

#[test]
fn measured_module_facts() {
    let measured = parse(&std::fs::read_to_string(format!("{DATA}measured.txt")).unwrap());
    let cases: Vec<&Case> = measured.iter().filter(|c| c.start.is_some()).collect();
    assert!(cases.len() >= 6, "{} cases with module facts", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        // Without bulk memory LLVM 14 writes the bss of an imported memory as zeros; watlink always
        // has bulk memory and clears it in __wasm_init_memory, as wasm-ld does with it (case 36).
        let no_bulk = !case.flags.iter().any(|f| f.contains("bulk-memory"));
        if no_bulk && case.flags.iter().any(|f| f == "--import-memory") {
            assert_eq!(case.datas.len(), 3, "{}: bss written as zeros", case.name);
            continue;
        }
        for d in check_module(case) {
            failures.push(format!("{}: {d}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn default_is_stack_first() {
    let p = plan(
        &[Segment::new(".data.x", 4, 4, SegmentKind::Writable)],
        &LayoutOptions::default(),
    )
    .unwrap();
    assert!(p.stack_first);
    assert_eq!((p.symbols.stack_low, p.symbols.stack_high), (0, 65536));
    assert_eq!(p.segments[0].address, 65536);
    assert_eq!(p.symbols.heap_end, 131072);
}

#[test]
fn notes_name_region_and_flag() {
    let segs = [Segment::new(".bss.big", 70000, 16, SegmentKind::Zero)];
    let opts = LayoutOptions {
        initial_memory: Some(131072),
        ..LayoutOptions::default()
    };
    let e = &plan(&segs, &opts).unwrap_err()[0];
    assert_eq!(e.message, "initial memory too small, 135536 bytes needed");
    assert!(
        e.notes[0].contains("__heap_base is 135536"),
        "{:?}",
        e.notes
    );
    assert!(
        e.notes[1].contains("--initial-memory=196608 (3 pages)"),
        "{:?}",
        e.notes
    );
}

#[test]
fn map_renders() {
    let segs = [
        Segment::new(".rodata.a", 100, 16, SegmentKind::ReadOnly),
        Segment::new(".data.b", 10, 4, SegmentKind::Writable),
        Segment::new(".bss.c", 30000, 16, SegmentKind::Zero),
    ];
    let p = plan(
        &segs,
        &LayoutOptions {
            max_memory: Some(4 * 65536),
            ..LayoutOptions::default()
        },
    )
    .unwrap();
    let picture = p.picture(32);
    assert!(picture.starts_with("|SSSSSSSSSSSSSSSS"), "{picture}");
    for c in ['r', 'd', 'b', 'h'] {
        assert!(picture.contains(c), "{picture}");
    }
    assert!(picture.contains("grows to 4 pages"), "{picture}");
    let table = p.table();
    assert!(
        table.contains("0x00010000          100  rodata  .rodata.a (.rodata)"),
        "{table}"
    );
    assert!(
        table.contains("memory: 2 pages initial, maximum 4 pages"),
        "{table}"
    );
    let json = p.to_json();
    assert!(
        json.contains("{\"name\": \".data.b\", \"output\": \".data\", \"address\": 65636"),
        "{json}"
    );
    assert!(
        json.contains("\"memory\": {\"min_pages\": 2, \"max_pages\": 4"),
        "{json}"
    );
}
