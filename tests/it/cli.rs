//! The `watlink` binary, as a user runs it.

use std::path::PathBuf;
use std::process::{Command, Output};

fn watlink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_watlink"))
        .args(args)
        .output()
        .expect("run watlink")
}

fn temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("watlink-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn compile_writes_the_output_or_nothing() {
    let good = temp(
        "good.wat",
        "(module (func (export \"f\") (result i32) i32.const 7))",
    );
    let out = good.with_extension("wasm");
    let o = watlink(&[
        "compile",
        good.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(&std::fs::read(&out).unwrap()[..4], b"\0asm");

    let bad = temp(
        "bad.wat",
        "(module\n  (func (result i32)\n    i32.const 1\n    i64.const 2\n    i32.add))",
    );
    let bad_out = bad.with_extension("wasm");
    let o = watlink(&[
        "compile",
        bad.to_str().unwrap(),
        "-o",
        bad_out.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(!bad_out.exists(), "no output file after an error");
    let err = stderr(&o);
    assert!(err.contains("type mismatch"), "{err}");
    assert!(err.contains("bad.wat:5:5"), "{err}");
    assert!(err.contains("^^^^^^^"), "{err}");
}

#[test]
fn compile_reads_stdin_and_writes_stdout() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_watlink"))
        .args(["compile", "-", "-o", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"(module)").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(o.stdout, b"\0asm\x01\0\0\0");
}

#[test]
fn run_invokes_with_typed_arguments() {
    let o = watlink(&[
        "run",
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/hello.wat"),
        "--invoke",
        "fac",
        "5",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "i64:120\n");
    let f = temp(
        "args.wat",
        "(module (func (export \"f\") (param i32 f64) (result i32 f64) local.get 0 local.get 1))",
    );
    let o = watlink(&["run", f.to_str().unwrap(), "--invoke", "f", "0x10", "-1.5"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "i32:16\nf64:-1.5\n",
        "{}",
        stderr(&o)
    );
}

/// `watlink run FILE --invoke f LIMIT VALUE` on `text` must exit 1 with `message` on stderr.
fn run_ends_with(name: &str, text: &str, limit: &str, value: &str, message: &str) {
    let f = temp(name, text);
    let o = watlink(&["run", f.to_str().unwrap(), "--invoke", "f", limit, value]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(message), "{}", stderr(&o));
}

#[test]
fn endless_recursion_is_call_stack_exhausted() {
    let text = "(module (func $f (export \"f\") (call $f)))";
    run_ends_with(
        "rec.wat",
        text,
        "--max-call-depth",
        "5000",
        "call stack exhausted",
    );
}

#[test]
fn endless_loop_under_fuel_runs_out() {
    let text = "(module (func (export \"f\") (loop (br 0))))";
    run_ends_with("loop.wat", text, "--fuel", "100000", "all fuel consumed");
}

#[test]
fn growing_past_max_memory_fails_cleanly() {
    // memory.grow past the limit returns -1; this guest treats that as fatal, as allocators do.
    let f = temp(
        "grow.wat",
        "(module (memory 1) (func (export \"f\") (if (i32.eq (memory.grow (i32.const 4)) (i32.const -1)) (then unreachable))))",
    );
    let o = watlink(&[
        "run",
        f.to_str().unwrap(),
        "--invoke",
        "f",
        "--max-memory",
        "131072",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unreachable"), "{}", stderr(&o));
    let o = watlink(&[
        "run",
        f.to_str().unwrap(),
        "--invoke",
        "f",
        "--max-memory",
        "1048576",
    ]);
    assert!(o.status.success(), "within the limit: {}", stderr(&o));
    // A module whose initial memory is already past the limit is refused.
    let big = temp("big.wat", "(module (memory 4))");
    let o = watlink(&["run", big.to_str().unwrap(), "--max-memory", "65536"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn wast_reports_failures_and_json() {
    let f = temp(
        "t.wast",
        "(module (func (export \"one\") (result i32) i32.const 1))\n(assert_return (invoke \"one\") (i32.const 1))\n(assert_return (invoke \"one\") (i32.const 2))\n",
    );
    let o = watlink(&["wast", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("t.wast:3:1:"), "{out}");
    assert!(out.contains("2 passed, 1 failed"), "{out}");
    let o = watlink(&["wast", "--json", f.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("{\"passed\":2,\"failed\":1,"), "{out}");
}

/// `--features` picks the spec version a script is judged by: 1.0's and 2.0's `address.wast` call a
/// memory offset past 4 GiB malformed ("i32 constant"), which 3.0 (the default) reads as a 64-bit
/// offset. Each spec version's scripts pass under its own preset (the `spec` tests run all of them
/// so, through the library).
#[test]
fn wast_features_select_the_spec_version() {
    for (tier, preset) in [("wasm-v1", "wasm1"), ("wasm-v2", "wasm2")] {
        let script = crate::conformance::tier_file(tier, "address.wast");
        let f = temp(&format!("{tier}-address.wast"), script);
        let f = f.to_str().unwrap();
        let o = watlink(&["wast", "--features", preset, f]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{tier} under {preset}: {out}");
        assert!(out.contains(" 0 failed"), "{out}");
        let o = watlink(&["wast", f]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{tier} under wasm3: {out}");
        assert!(out.contains("expected malformed \"i32 constant\""), "{out}");
    }
}

/// One vocabulary on every command: presets, `+name`, `-name`, and a clear error for a typo.
#[test]
fn features_combine_presets_and_proposals() {
    let wat = temp(
        "extend.wat",
        "(module (func (export \"f\") (result i32) (i32.extend8_s (i32.const 0x80))))",
    );
    let wat = wat.to_str().unwrap();
    let wasm = temp("extend.wasm", "");
    let wasm = wasm.to_str().unwrap();
    for (features, ok) in [
        ("wasm3", true),
        ("wasm1", false),
        ("wasm1,+sign-extension", true),
        ("wasm3,-sign-extension", false),
    ] {
        let o = watlink(&["validate", "--features", features, wat]);
        assert_eq!(
            o.status.success(),
            ok,
            "validate {features}: {}",
            stderr(&o)
        );
        let o = watlink(&["run", "--features", features, wat, "--invoke", "f"]);
        assert_eq!(o.status.success(), ok, "run {features}: {}", stderr(&o));
        if ok {
            assert_eq!(String::from_utf8_lossy(&o.stdout), "i32:-128\n");
        }
    }
    // A binary compiled under 3.0 is refused by `run` under 1.0: every stage agrees.
    let o = watlink(&["compile", wat, "-o", wasm]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = watlink(&["run", "--features", "wasm1", wasm, "--invoke", "f"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("invalid"), "{}", stderr(&o));
    let o = watlink(&["compile", "--features", "wasm2,+tail-calls", wat]);
    assert_eq!(o.status.code(), Some(2), "a usage error");
    let err = stderr(&o);
    assert!(err.contains("unknown feature `+tail-calls`"), "{err}");
    assert!(
        err.contains("tail-call"),
        "the known names are listed: {err}"
    );
}

#[test]
fn every_subcommand_has_examples_in_its_help() {
    for sub in [
        "compile",
        "run",
        "wast",
        "link",
        "layout",
        "print",
        "validate",
        "completions",
    ] {
        let o = watlink(&[sub, "--help"]);
        assert!(o.status.success(), "{sub}");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("Examples:"),
            "{sub} --help has no examples"
        );
    }
    let o = watlink(&["--version"]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("watlink "));
}

#[test]
fn a_linked_stack_overflow_traps_under_stack_guard() {
    let src = temp(
        "deep.wat",
        r#"(module
  (import "env" "__stack_pointer" (global $sp (mut i32)))
  (func $recurse (export "recurse") (param $n i32)
    (global.set $sp (i32.sub (global.get $sp) (i32.const 64)))
    (if (local.get $n) (then (call $recurse (i32.sub (local.get $n) (i32.const 1)))))
    (global.set $sp (i32.add (global.get $sp) (i32.const 64)))))"#,
    );
    let wasm = src.with_extension("wasm");
    let (src, wasm) = (src.to_str().unwrap(), wasm.to_str().unwrap());
    let o = watlink(&["link", src, "-z", "stack-size=4096", "-o", wasm]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 10 frames of 64 bytes fit in 4 KiB; 100 do not.
    let o = watlink(&["run", wasm, "--invoke", "recurse", "10", "--stack-guard"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = watlink(&["run", wasm, "--invoke", "recurse", "100", "--stack-guard"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("stack overflow: __stack_pointer would be"),
        "{}",
        stderr(&o)
    );
    // Without the guard the overflow goes unnoticed, as in a browser.
    let o = watlink(&["run", wasm, "--invoke", "recurse", "100"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Two functions with type errors, one fine: `validate` reports both errors.
const TWO_ERRORS: &str = "(module\n  (func $a (result i32)\n    i64.const 1)\n  (func $b (param i32)\n    local.get 0\n    f32.neg\n    drop)\n  (func $c (result i32) i32.const 1))";

#[test]
fn print_writes_text_that_compiles_back() {
    let src = temp(
        "p.wat",
        "(module (func $add (export \"add\") (param $x i32) (param $y i32) (result i32) (i32.add (local.get $x) (local.get $y))))",
    );
    let wasm = src.with_extension("wasm");
    let o = watlink(&[
        "compile",
        src.to_str().unwrap(),
        "-o",
        wasm.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = watlink(&["print", wasm.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let flat = String::from_utf8(o.stdout).unwrap();
    assert!(
        flat.contains("(func $add (;0;) (type 0) (param $x i32) (param $y i32) (result i32)"),
        "{flat}"
    );
    assert!(
        flat.contains("\n    local.get $x\n    local.get $y\n    i32.add\n"),
        "{flat}"
    );
    let o = watlink(&["print", "--fold", wasm.to_str().unwrap()]);
    let folded = String::from_utf8(o.stdout).unwrap();
    assert!(
        folded.contains("(i32.add\n      (local.get $x)\n      (local.get $y))"),
        "{folded}"
    );
    // -o writes a file, which compiles back to the same bytes.
    let printed = src.with_file_name("p.printed.wat");
    let o = watlink(&[
        "print",
        "--fold",
        wasm.to_str().unwrap(),
        "-o",
        printed.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&printed).unwrap(), folded);
    let back = src.with_file_name("p.back.wasm");
    let o = watlink(&[
        "compile",
        printed.to_str().unwrap(),
        "-o",
        back.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&back).unwrap(), std::fs::read(&wasm).unwrap());
    // Text input is compiled first.
    let o = watlink(&["print", src.to_str().unwrap()]);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), flat);
}

#[test]
fn print_of_bytes_that_do_not_decode_fails_with_the_offset() {
    let bad = temp("trunc.wasm", "");
    std::fs::write(&bad, b"\0asm\x01\0\0\0\x01\x05").unwrap();
    let out = bad.with_extension("wat");
    let o = watlink(&["print", bad.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("error: unexpected end-of-file"), "{err}");
    assert!(err.contains("trunc.wasm:0xa"), "{err}");
    assert!(!out.exists(), "no output file after an error");
}

#[test]
fn validate_reports_every_function_in_the_text() {
    let f = temp("two.wat", TWO_ERRORS);
    let o = watlink(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("type mismatch: expected i32, found i64"),
        "{err}"
    );
    assert!(err.contains("two.wat:3:5"), "{err}");
    assert!(
        err.contains("type mismatch: expected f32, found i32"),
        "{err}"
    );
    assert!(err.contains("two.wat:6:5"), "{err}");
    assert!(err.contains("aborting due to 2 previous errors"), "{err}");
    let good = temp("good3.wat", "(module (func))");
    let o = watlink(&["validate", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty() && o.stderr.is_empty(),
        "silent when valid"
    );
}

#[test]
fn validate_locates_binary_errors_by_function_and_offset() {
    let src = temp("two-bin.wat", TWO_ERRORS);
    let wasm = src.with_extension("wasm");
    let o = watlink(&[
        "compile",
        "--no-validate",
        src.to_str().unwrap(),
        "-o",
        wasm.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = watlink(&["validate", wasm.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let w = wasm.display();
    assert!(err.contains(&format!("error: type mismatch: expected i32, found i64\n = note: at {w}:0x20, in function 0 $a (0x3 into its body)")), "{err}");
    assert!(err.contains(&format!("error: type mismatch: expected f32, found i32\n = note: at {w}:0x25, in function 1 $b (0x3 into its body)")), "{err}");
    // A 2.0-only validation refuses what 3.0 allows.
    let mem = temp("two-mems.wat", "(module (memory 1) (memory 1))");
    let mem_wasm = mem.with_extension("wasm");
    let o = watlink(&[
        "compile",
        mem.to_str().unwrap(),
        "-o",
        mem_wasm.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = watlink(&["validate", mem_wasm.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = watlink(&[
        "validate",
        "--features",
        "wasm2",
        mem_wasm.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("multiple memories"), "{}", stderr(&o));
}

#[test]
fn compile_of_a_binary_validates_and_copies_it() {
    let src = temp("copy.wat", "(module (func (export \"f\")))");
    let wasm = src.with_extension("wasm");
    let o = watlink(&["compile", src.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let copy = src.with_file_name("copy2.wasm");
    let o = watlink(&[
        "compile",
        wasm.to_str().unwrap(),
        "-o",
        copy.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&wasm).unwrap());
    assert!(
        stderr(&o).contains("is already a binary module: validated and copied to"),
        "{}",
        stderr(&o)
    );
    // Onto itself: nothing is written.
    let o = watlink(&["compile", wasm.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing written"), "{}", stderr(&o));
    // An invalid binary is not copied.
    let bad_src = temp("copy-bad.wat", TWO_ERRORS);
    let bad = bad_src.with_extension("wasm");
    let o = watlink(&["compile", "--no-validate", bad_src.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bad_copy = bad_src.with_file_name("copy-bad2.wasm");
    let o = watlink(&[
        "compile",
        bad.to_str().unwrap(),
        "-o",
        bad_copy.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("in function 1 $b"), "{}", stderr(&o));
    assert!(!bad_copy.exists(), "no output file after an error");
}

#[test]
fn completions_know_print_and_validate() {
    let o = watlink(&["completions", "bash"]);
    assert!(o.status.success());
    let script = String::from_utf8_lossy(&o.stdout);
    for word in ["print", "validate", "--fold", "--offsets", "--features"] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
}

#[test]
fn the_readme_binary_is_its_text_compiled_without_validation() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/validate");
    let options = watlink::CompileOptions {
        validate: false,
        ..Default::default()
    };
    let wasm = watlink::compile_file(&dir.join("type_errors.wat"), &options).unwrap();
    assert_eq!(std::fs::read(dir.join("type_errors.wasm")).unwrap(), wasm);
}
