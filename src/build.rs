//! Build-script integration: compile and link `.wat` files from a crate's `build.rs`.
//!
//! ```text
//! build.rs:  Build -Linker-> $OUT_DIR/NAME.wasm
//!                          -> $OUT_DIR/NAME_layout.rs     (include!: `pub mod NAME`: WASM, exports,
//!                                                          symbols, segment addresses)
//!            cargo:rerun-if-changed=FILE for every input; diagnostics to stderr, then a clean failure
//! ```
//!
//! In `build.rs` (the [`cc`](https://docs.rs/cc) crate's shape: `&mut self` setters, one
//! `compile(name)`; the linker flags are [`Linker`]'s and `watlink link`'s, from one table):
//!
//! ```no_run
//! let mut build = watlink::build::Build::new();
//! build.file("wasm/app.wat").stack_size(8192);
//! if std::env::var("PROFILE").as_deref() == Ok("release") {
//!     build.no_names();
//! }
//! build.compile("app");
//! ```
//!
//! In the crate, one `include!` brings a module named after the build:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/app_layout.rs"));
//! // app::WASM is the linked binary; `(data $greeting (@place rodata) "hi")` gives
//! // app::GREETING_ADDR and app::GREETING_LEN; app::HEAP_BASE, app::EXPORTS, …
//! let bytes: &[u8] = app::WASM;
//! ```
//!
//! Two builds (`compile("app")`, `compile("worker")`) give `app` and `worker`, which can be
//! included side by side. The module holds `WASM` (the binary, by `include_bytes!`), `EXPORTS`
//! (the exported function names), `HEAP_BASE`, `DATA_END`, `STACK_LOW`, `STACK_HIGH`,
//! `MIN_PAGES`, `MAX_PAGES` and, for each named data segment, `<NAME>_ADDR` and `<NAME>_LEN` (the
//! `$id` upper-cased, other characters than `A-Z0-9_` turned into `_`).
//!
//! A build that runs (here into a temporary directory instead of `$OUT_DIR`):
//!
//! ```
//! use watlink::build::Build;
//!
//! let dir = std::env::temp_dir().join(format!("watlink-build-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(
//!     dir.join("app.wat"),
//!     r#"(module (memory 1) (data $greeting (@place rodata) "hi") (func (export "f")))"#,
//! )
//! .unwrap();
//! let output = Build::new()
//!     .file(dir.join("app.wat"))
//!     .stack_size(1024)
//!     .out_dir(&dir)
//!     .cargo_metadata(false)
//!     .try_compile("app")
//!     .unwrap();
//! let layout = std::fs::read_to_string(&output.layout_path).unwrap();
//! assert!(layout.contains("pub mod app {"));
//! assert!(layout.contains("pub const GREETING_ADDR: u32 = 1024;"));
//! assert_eq!(output.exports, ["f"]);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! A failed build prints the rendered diagnostics (file, line, caret) to stderr, which cargo shows
//! under `--- stderr`, plus one `cargo::error=` line naming the first error's place; then the build
//! script exits with status 1 (no panic, no backtrace). [`Build::try_compile`] returns the error
//! instead. Outputs are written whole or not at all, both or neither.

use std::fmt;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Errors;
use crate::link::flags::{link_flags, setters};
use crate::link::{LinkOptions, Linked, Linker, Plan, SegmentKind};

/// Compiles and links `.wat` (or `.wasm`) files into `$OUT_DIR`, for a build script.
///
/// The options mirror [`Linker`]'s; see the [module docs](self) for what is written.
#[derive(Clone, Debug)]
pub struct Build {
    files: Vec<PathBuf>,
    options: LinkOptions,
    out_dir: Option<PathBuf>,
    cargo_metadata: bool,
}

impl Default for Build {
    fn default() -> Build {
        Build::new()
    }
}

/// What a successful [`Build::try_compile`] wrote.
#[derive(Clone, Debug)]
pub struct Output {
    /// `$OUT_DIR/NAME.wasm`.
    pub wasm_path: PathBuf,
    /// `$OUT_DIR/NAME_layout.rs`.
    pub layout_path: PathBuf,
    /// The linked module and its memory plan.
    pub linked: Linked,
    /// The module's exported function names, in export order.
    pub exports: Vec<String>,
}

/// Why a build failed.
#[derive(Debug)]
pub enum BuildError {
    /// Neither [`Build::out_dir`] nor the `OUT_DIR` environment variable (set by cargo for build
    /// scripts) says where to write.
    NoOutDir,
    /// No input file was given.
    NoInputs,
    /// The output name is empty or not a plain file name.
    BadName(String),
    /// An input did not compile or the link failed; render with [`Errors::render`].
    Compile(Errors),
    /// Writing an output failed.
    Write {
        /// The file being written.
        path: PathBuf,
        /// The cause.
        error: io::Error,
    },
}

impl BuildError {
    /// The full report: the rendered diagnostics (file, line, caret) for compile errors, the
    /// one-line message otherwise.
    pub fn render(&self) -> String {
        match self {
            BuildError::Compile(errors) => errors.render(),
            other => format!("error: {other}\n"),
        }
    }
}

impl fmt::Display for BuildError {
    /// One line: for compile errors, the first error with its `file:line:col`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::NoOutDir => {
                f.write_str("OUT_DIR is not set: run from a build script or call Build::out_dir")
            }
            BuildError::NoInputs => f.write_str("no input files: call Build::file"),
            BuildError::BadName(name) => {
                write!(f, "bad output name {name:?}: expected a plain file name")
            }
            BuildError::Compile(errors) => {
                let first = errors.first();
                let at = match first.span {
                    Some(span) => format!(
                        "{}:{}",
                        errors.source.name,
                        line_col(&errors.source.text, span.start)
                    ),
                    None => errors.source.name.clone(),
                };
                let more = match errors.errors.len() {
                    1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                write!(f, "{at}: {}{more}", first.message)
            }
            BuildError::Write { path, error } => {
                write!(f, "cannot write {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Compile(e) => Some(e),
            BuildError::Write { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// `line:col`, 1-based, of byte `at` in `text`.
fn line_col(text: &str, at: usize) -> String {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{line}:{col}")
}

impl Build {
    /// A build with the [`Linker`]'s defaults and no inputs.
    pub fn new() -> Build {
        Build {
            files: Vec::new(),
            options: LinkOptions::default(),
            out_dir: None,
            cargo_metadata: true,
        }
    }

    /// Adds an input file (text, or binary by its magic number). Relative paths are relative to
    /// the current directory, which for a build script is the package root.
    pub fn file(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds several input files.
    pub fn files<P: AsRef<Path>>(&mut self, paths: impl IntoIterator<Item = P>) -> &mut Self {
        self.files
            .extend(paths.into_iter().map(|p| p.as_ref().to_path_buf()));
        self
    }

    /// Where to write (default: `$OUT_DIR`).
    pub fn out_dir(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` and `cargo::error` lines (default: yes).
    pub fn cargo_metadata(&mut self, print: bool) -> &mut Self {
        self.cargo_metadata = print;
        self
    }

    /// Applies `watlink link`-style flags (`"--global-base=2048"`, `"-z"`, `"stack-size=8192"`),
    /// for a build script that reads them from its configuration.
    ///
    /// # Errors
    /// The first unknown flag or bad value.
    pub fn flags<'a>(
        &mut self,
        args: impl IntoIterator<Item = &'a str>,
    ) -> Result<&mut Self, String> {
        crate::link::apply_args(&mut self.options, args)?;
        Ok(self)
    }

    fn link_options_mut(&mut self) -> &mut LinkOptions {
        &mut self.options
    }

    link_flags!(setters);

    /// Builds `$OUT_DIR/NAME.wasm` and `$OUT_DIR/NAME_layout.rs`, or reports why not and exits the
    /// build script with status 1.
    ///
    /// The plan's notes (the stack moved away from address 0 for fixed data, …) become
    /// `cargo:warning` lines. On failure the rendered diagnostics go to stderr (cargo shows them
    /// under `--- stderr`) and a one-line `cargo::error=` names the first error's `file:line:col`.
    pub fn compile(&self, name: &str) -> Output {
        match self.try_compile(name) {
            Ok(output) => {
                // What the plan did that the flags did not say (the stack moved for fixed data).
                if self.cargo_metadata {
                    for note in &output.linked.plan.notes {
                        println!("cargo:warning=watlink: {name}: {note}");
                    }
                }
                output
            }
            Err(error) => {
                eprint!("{}", error.render());
                if self.cargo_metadata {
                    println!("cargo::error=watlink: {error}");
                } else {
                    eprintln!("error: watlink: {error}");
                }
                std::process::exit(1);
            }
        }
    }

    /// Builds `$OUT_DIR/NAME.wasm` and `$OUT_DIR/NAME_layout.rs`.
    ///
    /// # Errors
    /// [`BuildError::Compile`] with every diagnostic of the first failing input or of the link;
    /// [`BuildError::NoOutDir`], [`BuildError::NoInputs`], [`BuildError::BadName`] and
    /// [`BuildError::Write`] otherwise.
    pub fn try_compile(&self, name: &str) -> Result<Output, BuildError> {
        if name.is_empty()
            || name.contains(['/', '\\'])
            || name == "."
            || name == ".."
            || name.contains('\0')
        {
            return Err(BuildError::BadName(name.to_string()));
        }
        let out_dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or(BuildError::NoOutDir)?,
        };
        if self.files.is_empty() {
            return Err(BuildError::NoInputs);
        }
        let mut linker = Linker::with_options(self.options.clone());
        for file in &self.files {
            if self.cargo_metadata {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            linker.input_file(file);
        }
        let linked = linker.link().map_err(BuildError::Compile)?;
        let exports = exported_functions(&linked.wasm);
        let wasm_path = out_dir.join(format!("{name}.wasm"));
        let layout_path = out_dir.join(format!("{name}_layout.rs"));
        let layout = layout_source(name, &wasm_path, &exports, &linked.plan);
        let fail = |path: &Path| {
            let path = path.to_path_buf();
            move |error| BuildError::Write { path, error }
        };
        std::fs::create_dir_all(&out_dir).map_err(fail(&out_dir))?;
        // Both or neither: a new layout never sits beside an old binary.
        let mut outputs = crate::output::Outputs::new();
        outputs
            .stage(&wasm_path, &linked.wasm)
            .map_err(fail(&wasm_path))?;
        outputs
            .stage(&layout_path, layout.as_bytes())
            .map_err(fail(&layout_path))?;
        outputs.commit().map_err(fail(&wasm_path))?;
        Ok(Output {
            wasm_path,
            layout_path,
            linked,
            exports,
        })
    }
}

/// The names of the function exports of a (validated) module, in export order.
fn exported_functions(wasm: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let Ok(wasmparser::Payload::ExportSection(reader)) = payload else {
            continue;
        };
        for export in reader.into_iter().flatten() {
            if export.kind == wasmparser::ExternalKind::Func {
                names.push(export.name.to_string());
            }
        }
    }
    names
}

/// A segment's `$id` as the linker named it: `.rodata.greeting` → `greeting`; `None` for unnamed
/// fixed segments (`data[3]`).
fn segment_id(name: &str, kind: SegmentKind) -> Option<&str> {
    let id = match kind {
        SegmentKind::Fixed(_) => {
            let id = name.rsplit(':').next().unwrap_or(name);
            if id.starts_with("data[") {
                return None;
            }
            id
        }
        _ => [".rodata.", ".data.", ".bss."]
            .iter()
            .find_map(|p| name.strip_prefix(p))?,
    };
    (!id.is_empty()).then_some(id)
}

/// An upper-case Rust identifier for `id`: `A-Z0-9_` kept, anything else `_`, a leading `_` if it
/// would start with a digit.
fn const_name(id: &str) -> String {
    let mut out: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The module name for output `name`: lower-case, `a-z0-9_` kept, anything else `_`, a leading `_`
/// before a digit, `r#` before a keyword.
fn module_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    const KEYWORDS: [&str; 38] = [
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe",
        "use", "where", "while", "abstract", "become", "box",
    ];
    if KEYWORDS.contains(&out.as_str()) {
        out.insert_str(0, "r#");
    }
    out
}

/// `NAME_layout.rs`: `pub mod NAME { … }` with the binary and its constants.
fn layout_source(name: &str, wasm_path: &Path, exports: &[String], plan: &Plan) -> String {
    let s = &plan.symbols;
    // `__heap_base` is always computed when exported (the default); otherwise wasm-ld's value,
    // the end of data rounded up to 16.
    let heap_base = s
        .heap_base
        .unwrap_or(s.data_end.next_multiple_of(crate::link::HEAP_ALIGN));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Generated by watlink::build for `{name}`; do not edit.\n\n\
         /// `{name}.wasm` as linked by watlink::build: the binary, its exports and its memory layout.\n\
         #[allow(dead_code)]\n\
         pub mod {} {{",
        module_name(name)
    );
    let _ = writeln!(
        out,
        "    /// The linked module.\n    pub static WASM: &[u8] = include_bytes!({:?});",
        wasm_path.display().to_string()
    );
    let _ = writeln!(
        out,
        "    /// The module's exported functions, in export order."
    );
    let _ = writeln!(out, "    pub const EXPORTS: &[&str] = &{exports:?};");
    let symbols = [
        (
            "HEAP_BASE",
            heap_base,
            "`__heap_base`: the first heap byte.",
        ),
        (
            "DATA_END",
            s.data_end,
            "`__data_end`: the end of static data.",
        ),
        (
            "STACK_LOW",
            s.stack_low,
            "`__stack_low`: the lowest stack address.",
        ),
        ("STACK_HIGH", s.stack_high, "`__stack_high`: the stack top."),
        (
            "MIN_PAGES",
            plan.min_pages,
            "Initial memory, in 64 KiB pages.",
        ),
    ];
    for (constant, value, doc) in symbols {
        let _ = writeln!(
            out,
            "    /// {doc}\n    pub const {constant}: u32 = {value};"
        );
    }
    let max = match plan.max_pages {
        Some(p) => format!("Some({p})"),
        None => "None".to_string(),
    };
    let _ = writeln!(
        out,
        "    /// Maximum memory, in 64 KiB pages, if any.\n    pub const MAX_PAGES: Option<u32> = {max};"
    );
    let mut seen: Vec<String> = [
        "WASM",
        "EXPORTS",
        "HEAP_BASE",
        "DATA_END",
        "STACK_LOW",
        "STACK_HIGH",
        "MIN_PAGES",
        "MAX_PAGES",
    ]
    .map(String::from)
    .to_vec();
    for seg in &plan.segments {
        let Some(id) = segment_id(&seg.name, seg.kind) else {
            continue;
        };
        let mut base = const_name(id);
        let mut n = 2;
        while seen
            .iter()
            .any(|s| *s == format!("{base}_ADDR") || *s == base)
        {
            base = format!("{}_{n}", const_name(id));
            n += 1;
        }
        seen.push(base.clone());
        seen.push(format!("{base}_ADDR"));
        let _ = writeln!(
            out,
            "    /// Address of `${id}` ({}).\n    pub const {base}_ADDR: u32 = {};",
            seg.kind.word(),
            seg.address
        );
        let _ = writeln!(
            out,
            "    /// Length in bytes of `${id}`.\n    pub const {base}_LEN: u32 = {};",
            seg.size
        );
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn const_names_are_identifiers() {
        assert_eq!(const_name("greeting"), "GREETING");
        assert_eq!(const_name("my-table.v2"), "MY_TABLE_V2");
        assert_eq!(const_name("9lives"), "_9LIVES");
        assert_eq!(const_name("ịn"), "_N");
    }

    #[test]
    fn segment_ids() {
        assert_eq!(
            segment_id(".rodata.greeting", SegmentKind::ReadOnly),
            Some("greeting")
        );
        assert_eq!(
            segment_id(".bss.buf@app", SegmentKind::Zero),
            Some("buf@app")
        );
        assert_eq!(segment_id("data[0]", SegmentKind::Fixed(0)), None);
        assert_eq!(
            segment_id("app:table", SegmentKind::Fixed(16)),
            Some("table")
        );
    }

    #[test]
    fn module_names_are_identifiers() {
        assert_eq!(module_name("app"), "app");
        assert_eq!(module_name("My-App.v2"), "my_app_v2");
        assert_eq!(module_name("2d"), "_2d");
        assert_eq!(module_name("type"), "r#type");
    }

    #[test]
    fn line_col_is_one_based() {
        assert_eq!(line_col("ab\ncd", 4), "2:2");
        assert_eq!(line_col("ab", 99), "1:3");
    }
}
