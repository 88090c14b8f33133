//! `watlink::build` from a build script: the outputs it writes, its diagnostics, and the
//! `examples/build-script` crate built and run by cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

use watlink::build::{Build, BuildError};
use watlink::exec::{Imports, Module, Store};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh directory under `target/` for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = root()
        .join("target/tmp/build-script-tests")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The nested cargo runs' target and build directories: not the outer cargo's (its lock is held
/// while tests run), and fresh for each test process. Artifacts kept from an earlier run (a cached
/// `target/`, or a `build.build-dir` set in the environment or cargo's config) can look fresh to
/// cargo's mtime fingerprints while holding another revision's code, so nothing is reused.
fn example_target_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = root().join("target/tmp/build-script-example");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

const APP: &str = "examples/build-script/wasm/app.wat";

/// The line number in the first `NAME:LINE:COL` of `text`.
fn line_after(text: &str, name: &str) -> Option<usize> {
    let rest = &text[text.find(&format!("{name}:"))? + name.len() + 1..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[test]
fn writes_the_wasm_and_the_layout_constants() {
    let out = scratch("layout");
    let output = Build::new()
        .file(root().join(APP))
        .stack_size(8192)
        .export("__heap_base")
        .out_dir(&out)
        .cargo_metadata(false)
        .try_compile("app")
        .unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(output.wasm_path, out.join("app.wasm"));
    assert_eq!(output.exports, ["checksum"]);
    let wasm = std::fs::read(&output.wasm_path).unwrap();
    assert_eq!(wasm, output.linked.wasm);

    let layout = std::fs::read_to_string(out.join("app_layout.rs")).unwrap();
    let greeting = "Hello from a build script!";
    for line in [
        "pub const EXPORTS: &[&str] = &[\"checksum\"];".to_string(),
        "pub const STACK_LOW: u32 = 0;".to_string(),
        "pub const STACK_HIGH: u32 = 8192;".to_string(),
        "pub const GREETING_ADDR: u32 = 8192;".to_string(),
        format!("pub const GREETING_LEN: u32 = {};", greeting.len()),
        format!("pub const DATA_END: u32 = {};", 8192 + greeting.len()),
        format!(
            "pub const HEAP_BASE: u32 = {};",
            (8192 + greeting.len()).next_multiple_of(16)
        ),
        "pub const MIN_PAGES: u32 = 1;".to_string(),
        "pub const MAX_PAGES: Option<u32> = None;".to_string(),
    ] {
        assert!(
            layout.lines().any(|l| l.trim() == line),
            "no `{line}` in\n{layout}"
        );
    }
    // No temporary files left behind.
    let mut names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["app.wasm", "app_layout.rs"]);

    // The constants point at the string in the running module.
    let module = Module::new(&wasm).unwrap();
    let mut store = Store::default();
    let inst = store.instantiate(&module, &Imports::new()).unwrap();
    let mem = store.memory_export(inst, "memory").unwrap();
    assert_eq!(
        &store.memory(mem)[8192..8192 + greeting.len()],
        greeting.as_bytes()
    );
}

#[test]
fn segment_names_become_identifiers_and_options_reach_the_linker() {
    let dir = scratch("names");
    let wat = dir.join("names.wat");
    std::fs::write(
        &wat,
        r#"(module
  (memory 1)
  (data $my-table.v2 (@place rodata (align 8)) "\01\02\03")
  (data $buf (@place bss (align 16) (size 100)))
  (func (export "a")) (func (export "b") (result i32) (i32.const 1))
  (global (export "g") i32 (i32.const 0)))"#,
    )
    .unwrap();
    let output = Build::new()
        .file(&wat)
        .stack_size(1024)
        .no_growable_memory()
        .out_dir(&dir)
        .cargo_metadata(false)
        .try_compile("names")
        .unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(output.exports, ["a", "b"], "functions only");
    let layout = std::fs::read_to_string(&output.layout_path).unwrap();
    for line in [
        "pub const MY_TABLE_V2_ADDR: u32 = 1024;",
        "pub const MY_TABLE_V2_LEN: u32 = 3;",
        "pub const BUF_ADDR: u32 = 1040;",
        "pub const BUF_LEN: u32 = 100;",
        "pub const MAX_PAGES: Option<u32> = Some(1);",
    ] {
        assert!(
            layout.lines().any(|l| l.trim() == line),
            "no `{line}` in\n{layout}"
        );
    }
}

#[test]
fn a_type_error_is_rendered_with_file_line_and_caret() {
    let dir = scratch("type-error");
    let wat = dir.join("bad.wat");
    std::fs::write(
        &wat,
        "(module\n  (func (export \"f\") (result i32)\n    i64.const 1))\n",
    )
    .unwrap();
    let err = Build::new()
        .file(&wat)
        .out_dir(&dir)
        .cargo_metadata(false)
        .try_compile("bad")
        .unwrap_err();
    let BuildError::Compile(errors) = &err else {
        panic!("expected a compile error, got {err:?}");
    };
    assert!(errors.first().message.starts_with("type mismatch"));
    let rendered = err.render();
    let name = wat.display().to_string();
    assert!(rendered.contains(&format!("{name}:")), "{rendered}");
    assert!(rendered.contains('^'), "no caret in\n{rendered}");
    assert!(
        rendered.contains("i64.const 1"),
        "no source line in\n{rendered}"
    );
    // The one-line summary names the place.
    let line = err.to_string();
    // The type error is the function's (line 2) or the instruction's (line 3).
    assert!(line.starts_with(&format!("{name}:")), "{line}");
    assert!(matches!(line_after(&line, &name), Some(2 | 3)), "{line}");
    assert_eq!(line_after(&rendered, &name), line_after(&line, &name));
    assert!(line.contains("type mismatch"), "{line}");
    assert!(!line.contains('\n'));
    // Nothing was written.
    assert!(!dir.join("bad.wasm").exists());
}

#[test]
fn misuse_is_an_error_not_a_panic() {
    let dir = scratch("misuse");
    let mut build = Build::new();
    build.out_dir(&dir).cargo_metadata(false);
    assert!(matches!(build.try_compile("x"), Err(BuildError::NoInputs)));
    build.file(dir.join("missing.wat"));
    for bad in ["", "a/b", ".."] {
        assert!(matches!(
            build.try_compile(bad),
            Err(BuildError::BadName(_))
        ));
    }
    let err = build.try_compile("x").unwrap_err();
    assert!(matches!(err, BuildError::Compile(_)));
    assert!(err.to_string().contains("missing.wat"), "{err}");
}

/// The nested cargo runs share one target directory; running them one at a time keeps one build's
/// lock waits and rebuild output out of the other's stderr.
static NESTED_CARGO: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn cargo(manifest: &Path, subcommand: &str) -> std::process::Output {
    let _one_at_a_time = NESTED_CARGO.lock().unwrap_or_else(|e| e.into_inner());
    let dir = example_target_dir();
    let build_dir = format!(
        "build.build-dir={:?}",
        dir.join("build").display().to_string()
    );
    Command::new(env!("CARGO"))
        .arg(subcommand)
        .arg("--offline")
        .arg("--quiet")
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--config")
        .arg(build_dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("CARGO_BUILD_BUILD_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("OUT_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .unwrap()
}

/// What a nested cargo run did, for a failed assertion: `cargo run --quiet` prints nothing of
/// its own when the program fails, so the exit status is the only word on a killed program.
fn report(out: &std::process::Output) -> String {
    format!(
        "{}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_example_crate_builds_and_prints_the_placed_string() {
    let out = cargo(&root().join("examples/build-script/Cargo.toml"), "run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}", report(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Hello from a build script!\n"
    );
    assert!(stderr.contains("exports [\"checksum\"]"), "{stderr}");
}

#[test]
fn a_bad_wat_fails_cargo_build_with_file_line_and_caret() {
    // A copy of the example crate whose app.wat returns an i64 where an i32 is declared.
    let dir = scratch("crate");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("wasm")).unwrap();
    let example = root().join("examples/build-script");
    // A name of its own: cargo hashes a path package by its name and its path relative to the
    // workspace root, so under the example's name this copy would share the example's build-script
    // fingerprint in the shared target directory, and a build of the example finishing after
    // app.wat was written here would make this build look fresh.
    let manifest = std::fs::read_to_string(example.join("Cargo.toml"))
        .unwrap()
        .replace("path = \"../..\"", &format!("path = {:?}", root()))
        .replace(
            "name = \"watlink-build-script-example\"",
            "name = \"watlink-build-script-bad-wat\"",
        );
    assert!(manifest.contains("watlink-build-script-bad-wat"));
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    for file in ["build.rs", "src/main.rs"] {
        std::fs::copy(example.join(file), dir.join(file)).unwrap();
    }
    std::fs::copy(example.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let wat = std::fs::read_to_string(example.join("wasm/app.wat")).unwrap();
    let bad = wat.replace("(local.get $sum)))", "(i64.const 0)))");
    assert_ne!(bad, wat);
    std::fs::write(dir.join("wasm/app.wat"), &bad).unwrap();
    let func = bad.lines().position(|l| l.contains("(func")).unwrap() + 1;
    let bad_line = bad.lines().position(|l| l.contains("i64.const 0")).unwrap() + 1;

    let out = cargo(&dir.join("Cargo.toml"), "build");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", report(&out));
    // The place of the error (the function or the instruction), the source and a caret.
    let line = line_after(&stderr, "wasm/app.wat").unwrap_or_else(|| panic!("{}", report(&out)));
    assert!((func..=bad_line).contains(&line), "{stderr}");
    assert!(stderr.contains("i64.const 0"), "{stderr}");
    assert!(stderr.contains("type mismatch"), "{stderr}");
    assert!(stderr.contains('^'), "no caret in\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_layouts_included_in_one_crate_do_not_collide() {
    let dir = scratch("two");
    std::fs::write(
        dir.join("a.wat"),
        r#"(module (memory 1) (data $msg (@place rodata) "a") (func (export "f")))"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("b.wat"),
        r#"(module (memory 1) (data $msg (@place rodata) "bb") (func (export "g")))"#,
    )
    .unwrap();
    let mut build = Build::new();
    build.out_dir(&dir).cargo_metadata(false).stack_size(1024);
    build.file(dir.join("a.wat"));
    build
        .try_compile("app")
        .unwrap_or_else(|e| panic!("{}", e.render()));
    let mut build = Build::new();
    build.out_dir(&dir).cargo_metadata(false).stack_size(2048);
    build.file(dir.join("b.wat"));
    build
        .try_compile("worker")
        .unwrap_or_else(|e| panic!("{}", e.render()));
    // A crate that includes both and uses the same constant names from each module.
    let lib = dir.join("lib.rs");
    std::fs::write(
        &lib,
        format!(
            "include!({:?});\ninclude!({:?});\n\
             const _: () = assert!(app::MSG_LEN == 1 && worker::MSG_LEN == 2);\n\
             const _: () = assert!(app::MSG_ADDR == 1024 && worker::MSG_ADDR == 2048);\n\
             pub fn sizes() -> (usize, usize) {{ (app::WASM.len(), worker::WASM.len()) }}\n\
             pub const NAMES: [&str; 2] = [app::EXPORTS[0], worker::EXPORTS[0]];\n",
            dir.join("app_layout.rs").display().to_string(),
            dir.join("worker_layout.rs").display().to_string()
        ),
    )
    .unwrap();
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc)
        .args(["--edition", "2024", "--crate-type", "lib", "--out-dir"])
        .arg(&dir)
        .arg(&lib)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
