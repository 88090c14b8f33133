//! Build-script integration: compile and link `.wat` files from a crate's `build.rs`.
//!
//! ```text
//! build.rs:  Build -Linker-> $OUT_DIR/NAME.wasm          (include_bytes!)
//!                          -> $OUT_DIR/NAME_layout.rs     (include!: exports, symbols, segment addresses)
//!            cargo:rerun-if-changed=FILE for every input; diagnostics to stderr, then a clean failure
//! ```
//!
//! In `build.rs`:
//!
//! ```no_run
//! watlink::build::Build::new()
//!     .file("wasm/app.wat")
//!     .stack_size(8192)
//!     .export("__heap_base")
//!     .compile("app");
//! ```
//!
//! In the crate:
//!
//! ```ignore
//! include!(concat!(env!("OUT_DIR"), "/app_layout.rs"));
//! static WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/app.wasm"));
//! // `(data $greeting (@place rodata) "hi")` gives GREETING_ADDR and GREETING_LEN.
//! ```
//!
//! The layout file holds `EXPORTS` (the exported function names), `HEAP_BASE`, `DATA_END`,
//! `STACK_LOW`, `STACK_HIGH`, `MIN_PAGES`, `MAX_PAGES` and, for each named data segment,
//! `<NAME>_ADDR` and `<NAME>_LEN` (the `$id` upper-cased, other characters than `A-Z0-9_` turned
//! into `_`).
//!
//! A failed build prints the rendered diagnostics (file, line, caret) to stderr, which cargo shows
//! under `--- stderr`, plus one `cargo::error=` line naming the first error's place; then the build
//! script exits with status 1 (no panic, no backtrace). [`Build::try_compile`] returns the error
//! instead.

use std::fmt;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::Errors;
use crate::link::{LinkOptions, Linked, Linker, Plan, SegmentKind};

/// Compiles and links `.wat` (or `.wasm`) files into `$OUT_DIR`, for a build script.
///
/// The options mirror [`Linker`]'s; see the [module docs](self) for what is written.
#[derive(Clone, Debug)]
pub struct Build {
    files: Vec<PathBuf>,
    options: LinkOptions,
    export_memory_set: bool,
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
            export_memory_set: false,
            out_dir: None,
            cargo_metadata: true,
        }
    }

    /// Adds an input file (text, or binary by its magic number). Relative paths are relative to
    /// the current directory, which for a build script is the package root.
    pub fn file(mut self, path: impl AsRef<Path>) -> Build {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds several input files.
    pub fn files<P: AsRef<Path>>(mut self, paths: impl IntoIterator<Item = P>) -> Build {
        self.files
            .extend(paths.into_iter().map(|p| p.as_ref().to_path_buf()));
        self
    }

    /// Where to write (default: `$OUT_DIR`).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Build {
        self.out_dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` and `cargo::error` lines (default: yes).
    pub fn cargo_metadata(mut self, print: bool) -> Build {
        self.cargo_metadata = print;
        self
    }

    /// `-z stack-size=N`: bytes of stack, a multiple of 16.
    pub fn stack_size(mut self, bytes: u64) -> Build {
        self.options.layout.stack_size = bytes;
        self
    }

    /// `--stack-first` (true, the default) or `--no-stack-first`.
    pub fn stack_first(mut self, first: bool) -> Build {
        self.options.layout.stack_first = first;
        self
    }

    /// `--global-base=N`: where static data starts.
    pub fn global_base(mut self, address: u64) -> Build {
        self.options.layout.global_base = Some(address);
        self
    }

    /// `--initial-memory=N` in bytes (a page multiple).
    pub fn initial_memory(mut self, bytes: u64) -> Build {
        self.options.layout.initial_memory = Some(bytes);
        self
    }

    /// `--max-memory=N` in bytes (a page multiple).
    pub fn max_memory(mut self, bytes: u64) -> Build {
        self.options.layout.max_memory = Some(bytes);
        self
    }

    /// `--no-growable-memory`: maximum = initial.
    pub fn no_growable_memory(mut self) -> Build {
        self.options.layout.no_growable_memory = true;
        self
    }

    /// `--initial-heap=N`: bytes of heap in the initial memory (a page multiple).
    pub fn initial_heap(mut self, bytes: u64) -> Build {
        self.options.layout.initial_heap = Some(bytes);
        self
    }

    /// `--import-memory=MODULE,NAME`; the memory is then not exported unless
    /// [`Build::export_memory`] says so.
    pub fn import_memory(mut self, module: &str, name: &str) -> Build {
        self.options.import_memory = Some((module.into(), name.into()));
        if !self.export_memory_set {
            self.options.export_memory = None;
        }
        self
    }

    /// `--export-memory=NAME`.
    pub fn export_memory(mut self, name: &str) -> Build {
        self.options.export_memory = Some(name.into());
        self.export_memory_set = true;
        self
    }

    /// `--export=SYM`: a function, global, placed segment or linker symbol; it must exist.
    pub fn export(mut self, symbol: &str) -> Build {
        self.options.exports.push(symbol.into());
        self
    }

    /// `--export-if-defined=SYM`.
    pub fn export_if_defined(mut self, symbol: &str) -> Build {
        self.options.exports_if_defined.push(symbol.into());
        self
    }

    /// `--export-all`.
    pub fn export_all(mut self) -> Build {
        self.options.export_all = true;
        self
    }

    /// `--entry=NAME`.
    pub fn entry(mut self, name: &str) -> Build {
        self.options.entry = crate::link::Entry::Named(name.into());
        self
    }

    /// `--no-entry`.
    pub fn no_entry(mut self) -> Build {
        self.options.entry = crate::link::Entry::None;
        self
    }

    /// Leave out the name section.
    pub fn no_names(mut self) -> Build {
        self.options.name_section = false;
        self
    }

    /// Builds `$OUT_DIR/NAME.wasm` and `$OUT_DIR/NAME_layout.rs`, or reports why not and exits the
    /// build script with status 1.
    ///
    /// On failure the rendered diagnostics go to stderr (cargo shows them under `--- stderr`) and a
    /// one-line `cargo::error=` names the first error's `file:line:col`.
    pub fn compile(&self, name: &str) -> Output {
        match self.try_compile(name) {
            Ok(output) => output,
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
            linker = linker.input_file(file);
        }
        let linked = linker.link().map_err(BuildError::Compile)?;
        let exports = exported_functions(&linked.wasm);
        let layout = layout_source(name, &exports, &linked.plan);

        let wasm_path = out_dir.join(format!("{name}.wasm"));
        let layout_path = out_dir.join(format!("{name}_layout.rs"));
        write_whole(&wasm_path, &linked.wasm)?;
        write_whole(&layout_path, layout.as_bytes())?;
        Ok(Output {
            wasm_path,
            layout_path,
            linked,
            exports,
        })
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it: readers never see half a file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), BuildError> {
    let fail = |error| BuildError::Write {
        path: path.to_path_buf(),
        error,
    };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
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

/// The constants of `NAME_layout.rs`.
fn layout_source(name: &str, exports: &[String], plan: &Plan) -> String {
    let s = &plan.symbols;
    // `__heap_base` is always computed when exported (the default); otherwise wasm-ld's value,
    // the end of data rounded up to 16.
    let heap_base = s
        .heap_base
        .unwrap_or(s.data_end.next_multiple_of(crate::link::HEAP_ALIGN));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Generated by watlink::build for `{name}`; do not edit.\n"
    );
    let _ = writeln!(out, "/// The module's exported functions, in export order.");
    let _ = writeln!(out, "pub const EXPORTS: &[&str] = &{exports:?};");
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
        let _ = writeln!(out, "/// {doc}\npub const {constant}: u32 = {value};");
    }
    let max = match plan.max_pages {
        Some(p) => format!("Some({p})"),
        None => "None".to_string(),
    };
    let _ = writeln!(
        out,
        "/// Maximum memory, in 64 KiB pages, if any.\npub const MAX_PAGES: Option<u32> = {max};"
    );
    let mut seen: Vec<String> = [
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
            "/// Address of `${id}` ({}).\npub const {base}_ADDR: u32 = {};",
            seg.kind.word(),
            seg.address
        );
        let _ = writeln!(
            out,
            "/// Length in bytes of `${id}`.\npub const {base}_LEN: u32 = {};",
            seg.size
        );
    }
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
    fn line_col_is_one_based() {
        assert_eq!(line_col("ab\ncd", 4), "2:2");
        assert_eq!(line_col("ab", 99), "1:3");
    }
}
