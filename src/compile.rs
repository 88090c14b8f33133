//! The compiler's front door: text in, validated bytes out.

mod functions;
mod source_map;

pub use source_map::SourceMap;

use std::path::Path;

use crate::error::{Class, Error, Errors};
use crate::span::Span;

/// The WebAssembly features a module may use: what the text may say and what validation accepts.
///
/// One field per proposal, from the 1.0 standard (MVP) on: [`Features::wasm1`] has none of them,
/// [`Features::wasm2`] those of the 2.0 standard, [`Features::wasm3`] those of 3.0 (with threads, as
/// wasmparser counts them), and [`Features::default`] is `wasm3`. The proposals newer than 3.0 (wide
/// arithmetic, custom page sizes) are off in every preset. [`Features::parse`] reads the command
/// line's vocabulary (`wasm2,+tail-call`, `wasm3,-simd`), whose names are [`Features::NAMES`];
/// [`crate::binary::features`] maps this to wasmparser's flags, in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// `i32.extend8_s` and friends (2.0).
    pub sign_extension: bool,
    /// `i32.trunc_sat_f32_s` and friends (2.0).
    pub saturating_float_to_int: bool,
    /// Several results, block parameters (2.0).
    pub multi_value: bool,
    /// `funcref`/`externref` values, several tables, `table.get` (2.0).
    pub reference_types: bool,
    /// `memory.copy`, `memory.fill`, passive segments (2.0).
    pub bulk_memory: bool,
    /// 128-bit fixed-width SIMD (2.0).
    pub simd: bool,
    /// `return_call`, `return_call_indirect` (3.0).
    pub tail_call: bool,
    /// Several memories, memory indices on memory instructions (3.0).
    pub multi_memory: bool,
    /// 64-bit memories and tables (`(memory i64 1)`), 64-bit memory offsets (3.0).
    pub memory64: bool,
    /// `i32.add` and friends in constant expressions (3.0).
    pub extended_const: bool,
    /// Typed function references (`(ref $t)`, `call_ref`) (3.0).
    pub function_references: bool,
    /// Garbage-collected structs and arrays (3.0).
    pub gc: bool,
    /// Exception handling (`try_table`, `throw`) (3.0).
    pub exceptions: bool,
    /// Relaxed SIMD (3.0).
    pub relaxed_simd: bool,
    /// Shared memories and atomics (the threads proposal; in wasmparser's 3.0 set).
    pub threads: bool,
    /// `i64.add128`, `i64.mul_wide_s` and friends (after 3.0).
    pub wide_arithmetic: bool,
    /// `(pagesize 1)` on memories (after 3.0).
    pub custom_page_sizes: bool,
}

/// A feature's flag in [`Features`].
type FeatureField = fn(&mut Features) -> &mut bool;

impl Features {
    /// Every proposal `--features` names, with its flag: the one vocabulary of the command line,
    /// after the proposals' repository names.
    pub const NAMES: &'static [(&'static str, FeatureField)] = &[
        ("sign-extension", |f| &mut f.sign_extension),
        ("saturating-float-to-int", |f| {
            &mut f.saturating_float_to_int
        }),
        ("multi-value", |f| &mut f.multi_value),
        ("reference-types", |f| &mut f.reference_types),
        ("bulk-memory", |f| &mut f.bulk_memory),
        ("simd", |f| &mut f.simd),
        ("tail-call", |f| &mut f.tail_call),
        ("multi-memory", |f| &mut f.multi_memory),
        ("memory64", |f| &mut f.memory64),
        ("extended-const", |f| &mut f.extended_const),
        ("function-references", |f| &mut f.function_references),
        ("gc", |f| &mut f.gc),
        ("exceptions", |f| &mut f.exceptions),
        ("relaxed-simd", |f| &mut f.relaxed_simd),
        ("threads", |f| &mut f.threads),
        ("wide-arithmetic", |f| &mut f.wide_arithmetic),
        ("custom-page-sizes", |f| &mut f.custom_page_sizes),
    ];

    /// The presets `--features` names.
    pub const PRESETS: &'static [(&'static str, Features)] = &[
        ("wasm1", Features::wasm1()),
        ("wasm2", Features::wasm2()),
        ("wasm3", Features::wasm3()),
    ];

    /// WebAssembly 1.0 (the MVP, with mutable globals imported and exported): no proposal.
    pub const fn wasm1() -> Self {
        Features {
            sign_extension: false,
            saturating_float_to_int: false,
            multi_value: false,
            reference_types: false,
            bulk_memory: false,
            simd: false,
            tail_call: false,
            multi_memory: false,
            memory64: false,
            extended_const: false,
            function_references: false,
            gc: false,
            exceptions: false,
            relaxed_simd: false,
            threads: false,
            wide_arithmetic: false,
            custom_page_sizes: false,
        }
    }

    /// WebAssembly 2.0 (`--features wasm2`): sign extension, saturating conversions, multi-value,
    /// reference types, bulk memory and SIMD.
    pub const fn wasm2() -> Self {
        Features {
            sign_extension: true,
            saturating_float_to_int: true,
            multi_value: true,
            reference_types: true,
            bulk_memory: true,
            simd: true,
            ..Self::wasm1()
        }
    }

    /// WebAssembly 3.0 (`--features wasm3`): 2.0 plus tail calls, multi-memory, memory64,
    /// extended constants, typed function references, GC, exceptions, relaxed SIMD and threads.
    pub const fn wasm3() -> Self {
        Features {
            tail_call: true,
            multi_memory: true,
            memory64: true,
            extended_const: true,
            function_references: true,
            gc: true,
            exceptions: true,
            relaxed_simd: true,
            threads: true,
            ..Self::wasm2()
        }
    }

    /// Every feature watlink knows, 3.0 and the newer proposals.
    pub const fn all() -> Self {
        Features {
            wide_arithmetic: true,
            custom_page_sizes: true,
            ..Self::wasm3()
        }
    }

    /// Reads a feature list: comma-separated items, each a preset (`wasm1`, `wasm2`, `wasm3`,
    /// `all`: start over from it), a proposal's name or `+name` (enable it) or `-name` (disable it),
    /// applied left to right from [`Features::default`]. `wasm2,+tail-call` is 2.0 plus tail
    /// calls, `-simd` is 3.0 without SIMD.
    ///
    /// # Errors
    /// A message naming the item that is neither a preset nor a proposal, and the known names.
    ///
    /// ```
    /// use watlink::Features;
    /// let f = Features::parse("wasm2,+tail-call").unwrap();
    /// assert!(f.tail_call && f.simd && !f.gc);
    /// assert!(!Features::parse("wasm3,-simd").unwrap().simd);
    /// assert!(Features::parse("wasm2,+tail-calls").is_err());
    /// ```
    pub fn parse(list: &str) -> Result<Features, String> {
        let mut features = Features::default();
        for item in list.split(',').map(str::trim) {
            let (on, name) = match item.as_bytes().first() {
                Some(b'+') => (true, &item[1..]),
                Some(b'-') => (false, &item[1..]),
                _ => (true, item),
            };
            if on && item == name {
                if let Some(&(_, preset)) = Self::PRESETS.iter().find(|(n, _)| *n == name) {
                    features = preset;
                    continue;
                }
                if name == "all" {
                    features = Features::all();
                    continue;
                }
            }
            match Self::NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, field)) => *field(&mut features) = on,
                None => {
                    let known: Vec<&str> = Self::PRESETS
                        .iter()
                        .map(|p| p.0)
                        .chain(["all"])
                        .chain(Self::NAMES.iter().map(|n| n.0))
                        .collect();
                    return Err(format!(
                        "unknown feature `{item}` (known: {})",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(features)
    }

    /// The names of the proposals enabled, in [`Features::NAMES`] order.
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut copy = *self;
        Self::NAMES
            .iter()
            .filter(|(_, field)| *field(&mut copy))
            .map(|(n, _)| *n)
            .collect()
    }
}

impl std::str::FromStr for Features {
    type Err = String;

    fn from_str(list: &str) -> Result<Features, String> {
        Features::parse(list)
    }
}

impl Default for Features {
    /// WebAssembly 3.0, the current standard.
    fn default() -> Self {
        Features::wasm3()
    }
}

/// What `compile` does besides translating.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// The features the module may use (default: WebAssembly 3.0).
    pub features: Features,
    /// Validate the output with wasmparser (default: yes).
    pub validate: bool,
    /// Emit a name section from the text's `$ids` (default: yes).
    pub name_section: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            features: Features::default(),
            validate: true,
            name_section: true,
        }
    }
}

/// Compiles a text module to a validated binary.
///
/// # Errors
/// Every error found, located in `text`; see [`Errors::render`].
///
/// ```
/// let err = watlink::compile_str("(module (func (result i32)))").unwrap_err();
/// assert!(err.first().message.starts_with("type mismatch"));
/// ```
pub fn compile_str(text: &str) -> Result<Vec<u8>, Errors> {
    compile("<input>", text, &CompileOptions::default())
}

/// Compiles `text`, naming it `name` in diagnostics.
///
/// # Errors
/// Every error found, located in `text`.
pub fn compile(name: &str, text: &str, options: &CompileOptions) -> Result<Vec<u8>, Errors> {
    let fail = |errors: Vec<Error>| Errors::new(name, text, errors);
    if let Some(result) = functions::compile(text, options) {
        return result.map_err(fail);
    }
    let syntax = crate::text::parse_module(text).map_err(fail)?;
    compile_module(&syntax, options).map_err(fail)
}

/// Compiles an already parsed module (the `.wast` runner and the conformance checks use this).
///
/// # Errors
/// Resolution and validation errors, located in the text the module was parsed from.
pub fn compile_module(
    syntax: &crate::text::syntax::Module<'_>,
    options: &CompileOptions,
) -> Result<Vec<u8>, Vec<Error>> {
    let mut module = crate::resolve::resolve_with(syntax, &options.features)?;
    if !options.name_section {
        module.names = Default::default();
    }
    let bytes = crate::binary::encode(&module);
    if options.validate {
        crate::binary::validate(&bytes, &module, &options.features).map_err(|errors| {
            // Limits and segment errors: at their field in the text.
            let place = |e| crate::text::locate_field(syntax, e);
            errors.into_iter().map(place).collect::<Vec<_>>()
        })?;
    }
    Ok(bytes)
}

/// Reads a source file: its text, or a located error if it is not UTF-8.
///
/// # Errors
/// An [`Class::Io`] error if the file cannot be read, a [`Class::Malformed`] one at the first invalid
/// byte if it is not UTF-8.
pub fn read_source(path: &Path) -> Result<String, Errors> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Errors::new(
            &name,
            "",
            vec![Error::unlocated(
                Class::Io,
                format!("cannot read {name}: {e}"),
            )],
        )
    })?;
    text_from_bytes(&name, bytes)
}

/// Turns input bytes into source text, or a located error at the first byte that is not UTF-8.
///
/// # Errors
/// A [`Class::Malformed`] error "malformed UTF-8 encoding" pointing at the bad byte.
pub fn text_from_bytes(name: &str, bytes: Vec<u8>) -> Result<String, Errors> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        // The lossy text has U+FFFD (3 bytes) where the bad byte was; `at` is still its start.
        let err = Error::malformed("malformed UTF-8 encoding", Span::new(at, at + 1))
            .with_label("this byte is not valid UTF-8");
        Errors::new(name, text, vec![err])
    })
}

/// Compiles the file at `path`.
///
/// # Errors
/// As [`compile`], plus I/O and UTF-8 errors.
pub fn compile_file(path: &Path, options: &CompileOptions) -> Result<Vec<u8>, Errors> {
    let text = read_source(path)?;
    compile(&path.display().to_string(), &text, options)
}

#[cfg(test)]
mod tests {
    use super::Features;

    /// Each name of the vocabulary turns on its own flag and no other; `all` is every one.
    #[test]
    fn every_feature_name_is_one_flag() {
        assert!(Features::wasm1().enabled().is_empty());
        for &(name, _) in Features::NAMES {
            let f = Features::parse(&format!("wasm1,+{name}")).unwrap();
            assert_eq!(f.enabled(), vec![name]);
            let f = Features::parse(&format!("all,-{name}")).unwrap();
            assert_eq!(f.enabled().len(), Features::NAMES.len() - 1, "{name}");
        }
        assert_eq!(Features::all().enabled().len(), Features::NAMES.len());
    }

    #[test]
    fn presets_nest_and_the_default_is_wasm3() {
        let names = |f: Features| f.enabled();
        assert_eq!(names(Features::wasm2()).len(), 6);
        assert!(
            names(Features::wasm2())
                .iter()
                .all(|n| names(Features::wasm3()).contains(n))
        );
        assert!(Features::parse("").is_err(), "an empty list names nothing");
        assert_eq!(Features::default(), Features::parse("wasm3").unwrap());
        assert_eq!(
            Features::parse("wasm2,+tail-call").unwrap(),
            Features {
                tail_call: true,
                ..Features::wasm2()
            }
        );
        assert!(
            Features::parse("wasm4")
                .unwrap_err()
                .contains("unknown feature `wasm4`")
        );
    }
}
