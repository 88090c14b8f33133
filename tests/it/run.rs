//! `watlink run` on real modules: imports, several calls, memory dumps, WASI programs (built from
//! `tests/data/wasi/*.c` by its `build.sh`; the `.wasm` files are committed), traps, limits.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn wasi(name: &str) -> String {
    built(&wasi_dir(), name)
}

/// The WASI programs' sources and their committed builds.
fn wasi_dir() -> PathBuf {
    root().join("tests/data/wasi")
}

/// The path of program `name` in `dir`.
fn built(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

fn watlink(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_watlink"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run watlink")
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("watlink-run-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn temp(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn sum_example_gets_its_imported_memory() {
    // `js.mem` is made from its declared type (1 page); sum of zeros is stored at 8.
    let sum = root().join("examples/sum.wat");
    let o = watlink(&[
        "run",
        sum.to_str().unwrap(),
        "--invoke",
        "sum",
        "--print-memory",
        "0:16",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "00000000: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n"
    );
}

const LOGGER: &str = r#"(module
  (import "env" "log" (func $log (param i32 i64)))
  (import "env" "now" (func $now (result f64)))
  (import "env" "base" (global $base i32))
  (memory (export "memory") 1)
  (global $n (export "filled") (mut i32) (i32.const 0))
  (func (export "main") (result f64)
    (call $log (global.get $base) (i64.const -1))
    (call $now))
  (func (export "fill") (param $at i32) (param $n i32)
    (memory.fill (local.get $at) (i32.const 0x41) (local.get $n))
    (global.set $n (i32.add (global.get $n) (local.get $n)))))"#;

#[test]
fn missing_functions_are_listed_with_their_types() {
    let dir = scratch("missing");
    let f = temp(&dir, "logger.wat", LOGGER);
    let o = watlink(&["run", &f, "--invoke", "main"]);
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(e.contains("2 imported function(s) not provided"), "{e}");
    assert!(e.contains("env.log: func (param i32 i64)\n"), "{e}");
    assert!(e.contains("env.now: func (result f64)\n"), "{e}");
    // The global is made up (zero), so it is not listed.
    assert!(!e.contains("env.base"), "{e}");
}

#[test]
fn stubs_print_their_calls_and_return_zeros() {
    let dir = scratch("stubs");
    let f = temp(&dir, "logger.wat", LOGGER);
    let o = watlink(&["run", &f, "--stub-imports", "--invoke", "main"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "f64:0.0\n");
    assert_eq!(err(&o), "env.log(i32:0, i64:-1)\nenv.now()\n");
}

#[test]
fn preloaded_modules_provide_imports() {
    let dir = scratch("preload");
    let f = temp(&dir, "logger.wat", LOGGER);
    let lib = temp(
        &dir,
        "lib.wat",
        r#"(module
  (import "clock" "t" (global $t f64))
  (func (export "log") (param i32 i64))
  (func (export "now") (result f64) (f64.add (global.get $t) (f64.const 0.5)))
  (global (export "base") i32 (i32.const 40)))"#,
    );
    let clock = temp(
        &dir,
        "clock.wat",
        r#"(module (global (export "t") f64 (f64.const 2)))"#,
    );
    let env = format!("env={lib}");
    let clock = format!("clock={clock}");
    let o = watlink(&[
        "run",
        &f,
        "--preload",
        &clock,
        "--preload",
        &env,
        "--invoke",
        "main",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "f64:2.5\n");
    // Order matters: preloaded before `clock`, `lib` gets a made-up `clock.t` (zero).
    let o = watlink(&[
        "run",
        &f,
        "--preload",
        &env,
        "--preload",
        &clock,
        "--invoke",
        "main",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "f64:0.5\n");
}

#[test]
fn several_calls_share_one_instance() {
    let dir = scratch("calls");
    let f = temp(&dir, "logger.wat", LOGGER);
    let o = watlink(&[
        "run",
        &f,
        "--stub-imports",
        "--invoke",
        "fill 4 10",
        "--invoke",
        "fill 0x14 3",
        "--print-memory",
        "0:32",
        "--print-globals",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "00000000: 0000 0000 4141 4141 4141 4141 4141 0000  ....AAAAAAAAAA..\n\
         00000010: 0000 0000 4141 4100 0000 0000 0000 0000  ....AAA.........\n\
         filled = i32:13\n"
    );
}

/// `--write-memory` writes after instantiation (over the data segments) and before the calls, in
/// order: hex bytes, text with escapes, a file's bytes.
#[test]
fn written_memory_seeds_the_calls() {
    let sum = root().join("examples/sum.wat");
    let o = watlink(&[
        "run",
        sum.to_str().unwrap(),
        "--write-memory",
        "0=0200 0000 2800 0000",
        "--invoke",
        "sum",
        "--print-memory",
        "0:12",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "00000000: 0200 0000 2800 0000 2a00 0000            ....(...*...\n"
    );

    let dir = scratch("write");
    std::fs::write(dir.join("nul.bin"), [0u8]).unwrap();
    let nul = format!("0x105=@{}", dir.join("nul.bin").display());
    let strlen = root().join("examples/strlen.wat");
    let o = watlink(&[
        "run",
        strlen.to_str().unwrap(),
        "--write-memory",
        "16=\"W\"",
        "--write-memory",
        "0x100=\"hello,\\tw\\u{f6}rld\\00\"",
        "--write-memory",
        &nul,
        "--invoke",
        "strlen 16",
        "--invoke",
        "strlen 0x100",
        "--print-memory",
        "16:8",
        "--print-memory",
        "0x100:16",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "i32:7\n\
         i32:5\n\
         00000010: 5761 746c 696e 6b00                      Watlink.\n\
         00000100: 6865 6c6c 6f00 0977 c3b6 726c 6400 0000  hello..w..rld...\n"
    );

    for (write, message) in [
        (
            "65530=00112233445566",
            "7 byte(s) at 0xfffa are outside memory 0 (65536 bytes)",
        ),
        ("0=abc", "the hex bytes have an odd number of digits"),
        ("0=@/no/such/file", "/no/such/file: "),
        ("0", "expected ADDR=HEX, ADDR=\"TEXT\" or ADDR=@FILE"),
    ] {
        let o = watlink(&["run", sum.to_str().unwrap(), "--write-memory", write]);
        assert_eq!(o.status.code(), Some(1), "{write}");
        let e = err(&o);
        assert!(
            e.starts_with(&format!("error: --write-memory {write}: ")),
            "{e}"
        );
        assert!(e.contains(message), "{e}");
    }
    let deep = root().join("tests/data/run/deep.wat");
    let o = watlink(&["run", deep.to_str().unwrap(), "--write-memory", "0=00"]);
    assert!(err(&o).contains("the module has no memory"), "{}", err(&o));
}

#[test]
fn stray_arguments_are_an_error() {
    let dir = scratch("stray");
    let f = temp(&dir, "logger.wat", LOGGER);
    let o = watlink(&["run", &f, "--stub-imports", "fill", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("given without --invoke"), "{}", err(&o));
    let o = watlink(&[
        "run",
        &f,
        "--stub-imports",
        "--invoke",
        "main",
        "--invoke",
        "fill",
        "1",
        "2",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("several --invoke"), "{}", err(&o));
    let o = watlink(&["run", &f, "--stub-imports", "--print-memory", "65530:10"]);
    assert!(err(&o).contains("outside memory 0"), "{}", err(&o));
}

// ---------------------------------------------------------------------------------------------
// WASI

#[test]
fn wasi_hello_writes_stdout_and_stderr() {
    check_hello(&wasi_dir());
}

fn check_hello(programs: &Path) {
    let o = watlink(&["run", &built(programs, "hello.wasm")]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "hello from wasi\n");
    assert_eq!(err(&o), "to stderr\n");
}

#[test]
fn wasi_args_and_env() {
    check_args_env(&wasi_dir());
}

fn check_args_env(programs: &Path) {
    let o = watlink(&[
        "run",
        &built(programs, "args_env.wasm"),
        "--env",
        "A=1",
        "--env",
        "GREETING=hi there",
        "--",
        "x",
        "y z",
        "--not-a-flag",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "argc=4\nargv[1]=x\nargv[2]=y z\nargv[3]=--not-a-flag\nenv A=1\nenv GREETING=hi there\n"
    );
}

#[test]
fn wasi_exit_code_is_the_process_status() {
    check_exit_code(&wasi_dir());
}

fn check_exit_code(programs: &Path) {
    for code in ["0", "3", "42"] {
        let o = watlink(&["run", &built(programs, "exit_code.wasm"), "--", code]);
        assert_eq!(o.status.code(), Some(code.parse().unwrap()), "{}", err(&o));
        assert_eq!(out(&o), format!("exiting with {code}\n"));
        assert_eq!(err(&o), "");
    }
}

#[test]
fn wasi_cat_reads_a_preopened_file_and_stdin() {
    check_cat(&wasi_dir(), "cat");
}

fn check_cat(programs: &Path, scratch_name: &str) {
    let cat = built(programs, "cat.wasm");
    let dir = scratch(scratch_name);
    std::fs::write(dir.join("in.txt"), "line one\nline two\n").unwrap();
    let preopen = format!("{}::/data", dir.display());
    let o = watlink(&[
        "run",
        &cat,
        "--dir",
        &preopen,
        "--",
        "/data/in.txt",
        "/data/missing.txt",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o), "line one\nline two\n");
    assert_eq!(err(&o), "/data/missing.txt: No such file or directory\n");

    let mut child = Command::new(env!("CARGO_BIN_EXE_watlink"))
        .args(["run", &cat])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from stdin")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(out(&o), "from stdin");
}

#[test]
fn wasi_files_and_directories() {
    check_files(&wasi_dir(), "files");
}

fn check_files(programs: &Path, scratch_name: &str) {
    let dir = scratch(scratch_name);
    let preopen = format!("{}::/work", dir.display());
    let files = built(programs, "files.wasm");
    let o = watlink(&["run", &files, "--dir", &preopen, "--", "/work"]);
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert_eq!(
        out(&o),
        "read at 6: line\nsecon\nsize 23\nentry b.txt\ndone\n"
    );
    // It removed what it made.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}

/// The sandbox: `..` past the preopen, a symlink pointing out and an absolute path outside every
/// preopen are all refused with ENOTCAPABLE; a file inside opens.
#[test]
fn wasi_cannot_leave_its_preopen() {
    check_escape(&wasi_dir(), "escape");
}

fn check_escape(programs: &Path, scratch_name: &str) {
    let dir = scratch(scratch_name);
    let inside = dir.join("box");
    std::fs::create_dir(&inside).unwrap();
    std::fs::write(dir.join("outside.txt"), "secret").unwrap();
    std::fs::write(inside.join("inside.txt"), "ok").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("../outside.txt", inside.join("link_out")).unwrap();
    let preopen = format!("{}::/data", inside.display());
    let o = watlink(&[
        "run",
        &built(programs, "escape.wasm"),
        "--dir",
        &preopen,
        "--",
        "/data",
    ]);
    let text = out(&o);
    assert_eq!(o.status.code(), Some(0), "an escape succeeded:\n{text}");
    assert!(
        text.contains("/data/../outside.txt: Capabilities insufficient"),
        "{text}"
    );
    assert!(
        text.contains("/data/sub/../../outside.txt: Capabilities insufficient"),
        "{text}"
    );
    #[cfg(unix)]
    assert!(
        text.contains("/data/link_out: Capabilities insufficient"),
        "{text}"
    );
    assert!(
        text.contains("/etc/passwd: Capabilities insufficient"),
        "{text}"
    );
    assert!(text.contains("/data/inside.txt: opened!"), "{text}");
}

/// The same programs under Node's `node:wasi` give the same output and status (run only where
/// `node` is installed; says so when it is not).
#[test]
fn wasi_matches_node() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("node is not installed: the comparison with node:wasi is not run");
        return;
    }
    let dir = scratch("node");
    std::fs::write(dir.join("inside.txt"), "ok").unwrap();
    let preopen = format!("{}::/data", dir.display());
    let cases: Vec<Vec<&str>> = vec![
        vec!["hello.wasm"],
        vec!["args_env.wasm", "--env", "A=1", "--", "x", "y z"],
        vec!["exit_code.wasm", "--", "5"],
        vec!["escape.wasm", "--dir", &preopen, "--", "/data"],
        vec!["files.wasm", "--dir", &preopen, "--", "/data"],
    ];
    let runner = wasi("node_wasi.mjs");
    for case in cases {
        let file = wasi(case[0]);
        let mut ours = vec!["run", file.as_str()];
        ours.extend(&case[1..]);
        let ours = watlink(&ours);
        let node = Command::new("node")
            .args(["--no-warnings", &runner, &file])
            .args(&case[1..])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out(&ours), out(&node), "{case:?}: stdout");
        assert_eq!(ours.status.code(), node.status.code(), "{case:?}: status");
    }
}

/// The committed `.wasm` files cannot drift from their sources unnoticed: `build.sh` rebuilds
/// every program into a scratch directory and the rebuilt ones pass the same checks as the
/// committed ones. Skipped, saying why, only where clang cannot build for wasm32-wasi (`.ci/run`
/// installs it, and sets `WATLINK_REQUIRE_WASI_CLANG=1` when it could, which makes that a failure).
#[test]
fn wasi_programs_rebuilt_from_their_sources_behave_the_same() {
    let rebuilt = scratch("rebuilt");
    let build = Command::new("bash")
        .arg(wasi_dir().join("build.sh"))
        .arg(&rebuilt)
        .stdin(Stdio::null())
        .output();
    let skip = |why: String| {
        if std::env::var_os("WATLINK_REQUIRE_WASI_CLANG").is_some_and(|v| v == "1") {
            panic!("WATLINK_REQUIRE_WASI_CLANG=1, but the WASI programs cannot be built: {why}");
        }
        // Straight to the process's stderr, past the test harness's capture, so that the skip
        // shows in `cargo test`'s output.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "wasi_programs_rebuilt_from_their_sources_behave_the_same: skipped: {why}"
        );
    };
    let o = match build {
        Ok(o) => o,
        Err(e) => {
            return skip(format!(
                "cannot run tests/data/wasi/build.sh with bash: {e}"
            ));
        }
    };
    match o.status.code() {
        Some(0) => {}
        Some(77) => return skip(err(&o).trim_end().to_string()),
        _ => panic!("build.sh failed: {}{}", out(&o), err(&o)),
    }
    check_hello(&rebuilt);
    check_args_env(&rebuilt);
    check_exit_code(&rebuilt);
    check_cat(&rebuilt, "rebuilt-cat");
    check_files(&rebuilt, "rebuilt-files");
    check_escape(&rebuilt, "rebuilt-escape");
    // Another clang or wasi-libc may build other bytes that behave the same; say so, do not fail.
    for entry in std::fs::read_dir(&rebuilt).unwrap() {
        let path = entry.unwrap().path();
        let committed = wasi_dir().join(path.file_name().unwrap());
        if std::fs::read(&path).ok() != std::fs::read(&committed).ok() {
            eprintln!(
                "note: the rebuilt {} differs in its bytes from the committed one",
                committed.display()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Traps

/// The arguments of a golden file's first line, `;; run: ARGS`: words, or phrases in single
/// quotes.
fn run_line(text: &str) -> Vec<String> {
    let line = text.lines().next().unwrap_or("");
    let args = line
        .strip_prefix(";; run:")
        .expect("a first line `;; run: ARGS`");
    let mut out = Vec::new();
    for (i, part) in args.split('\'').enumerate() {
        if i % 2 == 1 {
            out.push(part.to_string());
        } else {
            out.extend(part.split_whitespace().map(str::to_string));
        }
    }
    out
}

/// Each `tests/data/run/*.wat` (and the `.wasm` beside it, if any) run with the arguments of its
/// first line prints the `.stderr` beside it: a trap's picture and backtrace. `BLESS=1` rewrites
/// the expectations (read the diff).
#[test]
fn trap_backtraces_point_into_the_source() {
    let dir = root().join("tests/data/run");
    let bless = std::env::var_os("BLESS").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wat" || x == "wasm"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 4);
    let mut mismatches = Vec::new();
    for path in inputs {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let wat = path.with_extension("wat");
        let args = run_line(&std::fs::read_to_string(&wat).unwrap());
        let rel = format!("tests/data/run/{name}");
        let o = Command::new(env!("CARGO_BIN_EXE_watlink"))
            .current_dir(root())
            .args(["--color", "never", "run", &rel])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{name}: {}", err(&o));
        let expected_path = dir.join(format!("{name}.stderr"));
        if bless {
            std::fs::write(&expected_path, err(&o)).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != err(&o) {
            mismatches.push(format!("{name}:\n{}", err(&o)));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Limits

#[test]
fn timeout_stops_an_endless_loop() {
    let dir = scratch("timeout");
    let f = temp(
        &dir,
        "spin.wat",
        r#"(module (func (export "spin") (loop $l (br $l))))"#,
    );
    let started = std::time::Instant::now();
    let o = watlink(&["run", &f, "--invoke", "spin", "--timeout", "0.3"]);
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("exhaustion: deadline exceeded"),
        "{}",
        err(&o)
    );
    assert!(took.as_secs_f64() < 20.0, "took {took:?}");
    // Fuel still ends it first when it is smaller.
    let o = watlink(&[
        "run",
        &f,
        "--invoke",
        "spin",
        "--timeout",
        "100",
        "--fuel",
        "5000000",
    ]);
    assert!(err(&o).contains("all fuel consumed"), "{}", err(&o));
}

#[test]
fn many_tables_exceed_the_memory_budget() {
    let dir = scratch("budget");
    let mut text = String::from("(module\n");
    for i in 0..40 {
        text.push_str(&format!("  (table $t{i} 10000000 funcref)\n"));
    }
    text.push(')');
    let f = temp(&dir, "tables.wat", &text);
    // 40 tables of 80 MB: the 27th passes the default 2 GiB budget.
    let o = watlink(&["run", &f]);
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(
        e.contains("memory budget exceeded: a table of 80000000 bytes"),
        "{e}"
    );
    // Growing is bounded the same way: -1 past the budget.
    let g = temp(
        &dir,
        "grow.wat",
        r#"(module (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    let o = watlink(&[
        "run",
        &g,
        "--memory-budget",
        "1M",
        "--invoke",
        "grow 10",
        "--invoke",
        "grow 10",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(out(&o), "i32:1\ni32:-1\n");
}

/// `memory.grow` of a second memory and of a 64-bit one (the interpreter's general memory path,
/// not memory 0's fast one) is charged to the same budget: -1 past it, of the memory's index type.
#[test]
fn every_memory_grows_within_the_budget() {
    let dir = scratch("grow-all");
    let f = temp(
        &dir,
        "memories.wat",
        r#"(module
  (memory 1)
  (memory $two 1)
  (memory $wide i64 1)
  (func (export "grow_two") (param i32) (result i32) (memory.grow $two (local.get 0)))
  (func (export "grow_wide") (param i64) (result i64) (memory.grow $wide (local.get 0)))
  (func (export "sizes") (result i32 i32 i64)
    (memory.size 0) (memory.size $two) (memory.size $wide)))"#,
    );
    // 4 MiB is 64 pages, 3 of them taken at the start, a few more by the interpreter's stacks.
    let o = watlink(&[
        "run",
        &f,
        "--memory-budget",
        "4M",
        "--invoke",
        "grow_two 40",
        "--invoke",
        "grow_two 40",
        "--invoke",
        "grow_wide 40",
        "--invoke",
        "grow_wide 10",
        "--invoke",
        "sizes",
    ]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(
        out(&o),
        "i32:1\ni32:-1\ni64:-1\ni64:1\ni32:1\ni32:41\ni64:11\n"
    );
}

#[test]
fn deep_recursion_is_bounded_by_the_budget() {
    let deep = root().join("tests/data/run/deep.wat");
    let o = watlink(&[
        "run",
        deep.to_str().unwrap(),
        "--invoke",
        "down 100000000",
        "--max-call-depth",
        "1000000000",
        "--memory-budget",
        "16M",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("call stack exhausted"), "{}", err(&o));
}
