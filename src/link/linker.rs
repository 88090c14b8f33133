//! [`Linker`]: the builder that `watlink link` and library users drive.

use std::path::Path;
use std::sync::Arc;

use super::flags::{link_flags, setters};
use super::layout::{Flavor, LayoutOptions, Plan};
use crate::ast;
use crate::error::{Class, Error, Errors};
use crate::span::Span;

/// Which function is the entry point (`--entry`, `--no-entry`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Entry {
    /// Export a function named `_start` if there is one (wasm-ld requires it; watlink does not).
    #[default]
    Default,
    /// `--entry=NAME`: the function with this `$id` or export name must exist; it is exported.
    Named(String),
    /// `--no-entry`.
    None,
}

/// Everything `watlink link` can be told.
#[derive(Clone, Debug)]
pub struct LinkOptions {
    /// Memory layout (`-z stack-size`, `--stack-first`, `--global-base`, …). `import_memory` and
    /// `heap_base_used` are set by the linker.
    pub layout: LayoutOptions,
    /// `--import-memory[=MOD,NAME]`: import memory 0 as `(import MOD NAME (memory …))`.
    pub import_memory: Option<(String, String)>,
    /// `--export-memory[=NAME]`: export memory 0 under this name. `None`: `memory`, or nothing when
    /// the memory is imported (by the flag or by the inputs' declaration).
    pub export_memory: Option<String>,
    /// Export `__heap_base` as an immutable i32 global (default: yes).
    pub export_heap_base: bool,
    /// `--export=SYM`: must exist.
    pub exports: Vec<String>,
    /// `--export-if-defined=SYM`: exported if it exists.
    pub exports_if_defined: Vec<String>,
    /// `--export-all`: every named function and global, placed segment addresses and wasm-ld's
    /// data symbols (never `__stack_pointer`).
    pub export_all: bool,
    /// The entry point.
    pub entry: Entry,
    /// Validate the output (default: yes).
    pub validate: bool,
    /// Write a name section (default: yes).
    pub name_section: bool,
    /// The features inputs may use and the output is validated with (default: WebAssembly 3.0).
    pub features: crate::Features,
}

impl Default for LinkOptions {
    fn default() -> LinkOptions {
        LinkOptions {
            layout: LayoutOptions::default(),
            import_memory: None,
            export_memory: None,
            export_heap_base: true,
            exports: Vec::new(),
            exports_if_defined: Vec::new(),
            export_all: false,
            entry: Entry::Default,
            validate: true,
            name_section: true,
            features: crate::Features::default(),
        }
    }
}

/// One input: its name (a path, or what the caller chose), its text for diagnostics and its module.
pub(super) struct Input {
    /// The name in diagnostics (a path).
    pub name: String,
    /// The name imports use to bind to this input's exports: the file stem.
    pub bind: String,
    pub text: Arc<str>,
    pub module: ast::Module,
    /// Where each of the module's data segments was written, in data index order (text inputs).
    pub data_spans: Vec<Span>,
    /// Where each defined memory was written, in definition order (text inputs).
    pub memory_spans: Vec<Span>,
}

impl Input {
    /// A binary or resolved input: no places in a text.
    fn unlocated(name: &str, module: ast::Module) -> Input {
        Input {
            name: name.to_string(),
            bind: input_name(name),
            text: "".into(),
            module,
            data_spans: Vec::new(),
            memory_spans: Vec::new(),
        }
    }

    /// `line:col` (1-based) of `span` in the input's text.
    pub fn line_col(&self, span: Span) -> String {
        let at = span.start.min(self.text.len());
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{line}:{col}")
    }
}

/// A linked module.
#[derive(Clone, Debug)]
pub struct Linked {
    /// The binary module, validated.
    pub wasm: Vec<u8>,
    /// Where everything went in memory.
    pub plan: Plan,
}

/// Links text or resolved modules into one binary, placing `(@place …)` data as wasm-ld would.
///
/// ```
/// use watlink::Linker;
///
/// let mut linker = Linker::new();
/// linker.stack_size(8192).export("__data_end");
/// if cfg!(debug_assertions) {
///     linker.no_names(); // setters take `&mut self`: a conditional one needs no reassignment
/// }
/// let linked = linker
///     .input_module("empty", watlink::ast::Module::default())
///     .link()
///     .unwrap();
/// // Stack first (the default): [0, 8192), then data, then the heap.
/// assert_eq!(linked.plan.symbols.stack_pointer, 8192);
/// assert_eq!(linked.plan.symbols.heap_base, Some(8192));
/// assert_eq!(linked.plan.min_pages, 1);
/// ```
#[derive(Default)]
pub struct Linker {
    options: LinkOptions,
    inputs: Vec<Input>,
    /// Inputs that did not parse or resolve.
    failed: Vec<Errors>,
}

impl Linker {
    /// A linker with wasm-ld's defaults (stack first, 64 KiB stack, memory exported as `memory`
    /// unless imported, `__heap_base` exported).
    pub fn new() -> Linker {
        Linker::default()
    }

    /// A linker with these options.
    pub fn with_options(options: LinkOptions) -> Linker {
        Linker {
            options,
            ..Linker::default()
        }
    }

    fn link_options_mut(&mut self) -> &mut LinkOptions {
        &mut self.options
    }

    link_flags!(setters);

    /// Follow LLVM 14's wasm-ld where versions differ.
    pub fn flavor(&mut self, flavor: Flavor) -> &mut Self {
        self.options.layout.flavor = flavor;
        self
    }

    /// The features inputs may use and the output is validated with (default: WebAssembly 3.0).
    /// Set it before adding text inputs: they are resolved as they are added.
    pub fn features(&mut self, features: crate::Features) -> &mut Self {
        self.options.features = features;
        self
    }

    /// Adds a text module; `name` is used in diagnostics and binds imports (`(import "NAME" …)`).
    pub fn input_str(&mut self, name: &str, text: &str) -> &mut Self {
        let features = &self.options.features;
        let resolved = crate::text::parse_module(text).and_then(|m| {
            let spans = declaration_spans(&m);
            crate::resolve::resolve_with(&m, features).map(|module| (module, spans))
        });
        match resolved {
            Ok((module, (data_spans, memory_spans))) => self.inputs.push(Input {
                text: text.into(),
                data_spans,
                memory_spans,
                ..Input::unlocated(name, module)
            }),
            Err(errors) => self.failed.push(Errors::new(name, text, errors)),
        }
        self
    }

    /// Adds a resolved module.
    pub fn input_module(&mut self, name: &str, module: ast::Module) -> &mut Self {
        self.inputs.push(Input::unlocated(name, module));
        self
    }

    /// Adds a binary module: decoded into an [`ast::Module`] (its data segments stay where they are;
    /// binary modules cannot carry `(@place …)`).
    pub fn input_wasm(&mut self, name: &str, bytes: &[u8]) -> &mut Self {
        match super::decode::decode(bytes) {
            Ok(module) => self.inputs.push(Input::unlocated(name, module)),
            Err(e) => self.failed.push(Errors::new(name, "", vec![*e])),
        }
        self
    }

    /// Adds a file: `.wasm` (by its magic number) or text.
    pub fn input_file(&mut self, path: &Path) -> &mut Self {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) if bytes.starts_with(b"\0asm") => self.input_wasm(&name, &bytes),
            Ok(bytes) => match crate::text_from_bytes(&name, bytes) {
                Ok(text) => self.input_str(&name, &text),
                Err(e) => {
                    self.failed.push(e);
                    self
                }
            },
            Err(e) => {
                let err = Error::unlocated(Class::Io, format!("cannot read {name}: {e}"));
                self.failed.push(Errors::new(&name, "", vec![err]));
                self
            }
        }
    }

    /// The options so far.
    pub fn options(&self) -> &LinkOptions {
        &self.options
    }

    /// Links the inputs.
    ///
    /// # Errors
    /// The first failing input's parse or resolve errors; otherwise every link error found (located
    /// in the input they are about; layout errors, which have no place in the text, with notes that
    /// name byte counts and flag values that would work), or the output's validation error.
    pub fn link(&self) -> Result<Linked, Errors> {
        if let Some(errors) = self.failed.first() {
            return Err(errors.clone());
        }
        if self.options.layout.shared_memory && !self.options.features.threads {
            // wasm-ld's words.
            let e = Error::unlocated(
                Class::Invalid,
                "'atomics' feature must be used in order to use shared memory",
            )
            .with_note("the features in use do not include threads");
            return Err(errors(&self.inputs, vec![(None, e)]));
        }
        let (mut module, plan) =
            super::merge::link(&self.inputs, &self.options).map_err(|e| errors(&self.inputs, e))?;
        if !self.options.name_section {
            module.names = ast::Names::default();
        }
        let wasm = crate::binary::encode(&module);
        if self.options.validate {
            crate::binary::validate(&wasm, &module, &self.options.features).map_err(|e| {
                let e = e.into_iter().map(|e| (None, e)).collect();
                errors(&self.inputs, e)
            })?;
        }
        Ok(Linked { wasm, plan })
    }
}

/// The spans of a parsed module's data segments and defined memories, in the order the resolver
/// numbers them: `(memory (data …))` defines its segment where the memory is written.
fn declaration_spans(m: &crate::text::syntax::Module<'_>) -> (Vec<Span>, Vec<Span>) {
    use crate::text::syntax::Field;
    let (mut datas, mut memories) = (Vec::new(), Vec::new());
    for field in &m.fields {
        match field {
            Field::Memory(mem) if mem.import.is_none() => {
                if mem.inline_data.is_some() {
                    datas.push(mem.span);
                }
                memories.push(mem.span);
            }
            Field::Data(d) => datas.push(d.span),
            _ => {}
        }
    }
    (datas, memories)
}

/// The name an input binds imports by: the file stem (`lib/alloc.wat` → `alloc`).
fn input_name(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map_or(name.to_string(), |s| s.to_string_lossy().into_owned())
}

/// Link errors as [`Errors`] about the first input they point into; errors about other inputs keep
/// their place as a note.
fn errors(inputs: &[Input], errors: Vec<super::merge::LinkError>) -> Errors {
    let source = errors
        .iter()
        .find_map(|(i, e)| i.filter(|_| e.span.is_some()))
        .or_else(|| errors.iter().find_map(|(i, _)| *i));
    let (name, text) = match source.and_then(|i| inputs.get(i)) {
        Some(input) => (input.name.clone(), input.text.clone()),
        None if inputs.len() == 1 => (inputs[0].name.clone(), inputs[0].text.clone()),
        None => ("<link>".to_string(), Arc::from("")),
    };
    let list = errors
        .into_iter()
        .map(|(i, mut e)| {
            let elsewhere = i.is_some() && i != source;
            if let (true, Some(span), Some(input)) =
                (elsewhere, e.span, i.and_then(|i| inputs.get(i)))
            {
                e.notes
                    .insert(0, format!("in {}:{}", input.name, input.line_col(span)));
                e.span = None;
                e.secondary.clear();
            }
            if e.span.is_some() && text.is_empty() {
                e.span = None;
            }
            e
        })
        .collect();
    Errors::new(name, text, list)
}
