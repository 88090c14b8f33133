//! Compiling one function at a time.
//!
//! ```text
//! text -lazy::skim-> module tree without bodies -resolve_header-> ast::Module without bodies
//!      -encode head, validate head-> one validator per function
//! each body, on any thread: text -body::start-> instructions one by one -Header::func_streamed->
//!      each resolved and encoded as it comes -> bytes + instruction offsets
//!      -validate_func-> ok | error at the instruction (placed by resolving the body again)
//! (a body the hand-written parser leaves to the grammar: lazy::parse_body -> tree -Header::func_owned
//!      -> ast::Func -func_body-> bytes + offsets -validate_func-> …)
//! in function order: code section, the sections after it, validate them
//! ```
//!
//! Only the module's header exists as a tree; a body is parsed, resolved and encoded one
//! instruction at a time, so what it leaves is its bytes and one offset per instruction (a body
//! left to the grammar exists as a tree until it is encoded). Bodies are independent, so
//! they are compiled in parallel (rayon) on large inputs; results are gathered in function order,
//! so output bytes and diagnostics do not depend on scheduling.
//!
//! Errors: a validation error in a function body is located here, with the body's instructions at
//! hand. Anything else (malformed text, an unknown name, an invalid module-level field) or a body
//! that needs a type the module does not declare before it makes [`compile`] give up (`None`), and
//! the caller compiles the whole module at once, which reports every error (or numbers the type).

use rayon::prelude::*;

use crate::CompileOptions;
use crate::ast::{self, ExternKind, FuncIdx};
use crate::binary::parts::{self, Writer};
use crate::binary::{FuncAllocations, FuncToValidate, Streaming};
use crate::error::Error;
use crate::resolve::{self, Header};
use crate::text::syntax;
use crate::text::{body, lazy};

/// Below this many bytes of text the bodies are compiled on the calling thread: starting the thread
/// pool would cost more than it saves.
const PARALLEL_FROM: usize = 256 * 1024;

/// One compiled function body.
struct Compiled {
    /// The body as the code section holds it.
    bytes: Vec<u8>,
    /// Named parameters and locals, labelled blocks.
    locals: Vec<(ast::LocalIdx, String)>,
    labels: Vec<(u32, String)>,
    /// The body's validation error.
    error: Option<Error>,
    /// Whether the body names a data segment (`memory.init`, `data.drop`, `array.new_data`, …).
    uses_data: bool,
}

fn uses_data(body: &[syntax::Instr<'_>]) -> bool {
    body.iter().any(|i| i.op.names_data())
}

/// A thread's reusable buffers.
#[derive(Default)]
struct Scratch {
    offsets: Vec<u32>,
    allocations: FuncAllocations,
}

/// Compiles `text` one function at a time: `None` if it has an error other than a function body's
/// validation error, or a body adds a type (see the module docs); then the caller compiles it whole.
pub(super) fn compile(text: &str, options: &CompileOptions) -> Option<Result<Vec<u8>, Vec<Error>>> {
    let skimmed = lazy::skim(text)?;
    let (mut module, header) = resolve::resolve_header(&skimmed.module, &options.features).ok()?;
    if parts::exceeds_binary_limits(&module) {
        return None;
    }
    let mut names = std::mem::take(&mut module.names);
    if !options.name_section {
        names = ast::Names::default();
    }
    let count = header.func_count();
    // A DataCount section is written when a body uses `memory.init` or `data.drop`; the bodies set
    // aside are only known to after they are parsed, so the head assumes what the text's words
    // suggest, and a wrong guess (the words in a comment or a name) gives up below.
    let in_tree = |i: usize| {
        skimmed.bodies.get(i).is_some_and(Option::is_none)
            && header.func_syntax(i).is_some_and(|f| uses_data(&f.body))
    };
    let data_count = skimmed.may_use_data || (0..count).any(in_tree);
    let writer = Writer::head(&module, data_count);
    let (streaming, validators) = if options.validate {
        let (s, v) = Streaming::head(
            writer.bytes(),
            u32::try_from(count).ok()?,
            &options.features,
        )?;
        (Some(s), v.into_iter().map(Some).collect())
    } else {
        (None, (0..count).map(|_| None).collect::<Vec<_>>())
    };
    let imported = module.imported(ExternKind::Func) as usize;
    let job = Job {
        text,
        bodies: &skimmed.bodies,
        header: &header,
        imported,
    };
    let compiled: Option<Vec<Compiled>> = if text.len() >= PARALLEL_FROM {
        validators
            .into_par_iter()
            .enumerate()
            .map_init(Scratch::default, |scratch, (i, v)| job.func(scratch, i, v))
            .collect()
    } else {
        let mut scratch = Scratch::default();
        validators
            .into_iter()
            .enumerate()
            .map(|(i, v)| job.func(&mut scratch, i, v))
            .collect()
    };
    let mut compiled = compiled?;
    if data_count != compiled.iter().any(|c| c.uses_data) {
        return None;
    }
    let mut errors = Vec::new();
    for (i, c) in compiled.iter_mut().enumerate() {
        errors.extend(c.error.take());
        let idx = FuncIdx(u32::try_from(imported + i).ok()?);
        if options.name_section && !c.locals.is_empty() {
            names.locals.push((idx, std::mem::take(&mut c.locals)));
        }
        if options.name_section && !c.labels.is_empty() {
            names.labels.push((idx, std::mem::take(&mut c.labels)));
        }
    }
    let size = compiled
        .iter()
        .map(|c| c.bytes.len() as u64 + 5)
        .sum::<u64>();
    if size >= u64::from(u32::MAX) {
        return None;
    }
    let code = parts::code_section(compiled.iter().map(|c| c.bytes.as_slice()));
    drop(compiled);
    let bytes = writer.finish(&module, &names, code);
    if let Some(s) = streaming
        && !s.rest(&bytes)
    {
        return None;
    }
    Some(if errors.is_empty() {
        Ok(bytes)
    } else {
        Err(errors)
    })
}

/// What every function body's compilation shares.
struct Job<'t, 'h> {
    text: &'t str,
    bodies: &'h [Option<crate::span::Span>],
    header: &'h Header<'h>,
    imported: usize,
}

impl Job<'_, '_> {
    /// Parses, resolves, encodes and validates the `i`-th defined function's body.
    fn func(
        &self,
        scratch: &mut Scratch,
        i: usize,
        validator: Option<FuncToValidate>,
    ) -> Option<Compiled> {
        let mut bytes = Vec::new();
        scratch.offsets.clear();
        let span = *self.bodies.get(i)?;
        // A body parsed apart goes through the hand-written parser, the resolver and the encoder one
        // instruction at a time: neither its tree nor its resolved instructions exist whole.
        let streamed = span.and_then(|span| {
            let mut encode = Encode {
                bytes: &mut bytes,
                offsets: &mut scratch.offsets,
                uses_data: false,
            };
            let resolved = self.header.func_streamed(i, self.text, span, &mut encode)?;
            let uses_data = encode.uses_data;
            parts::func_end(&mut bytes, &mut scratch.offsets);
            Some((resolved, uses_data, span))
        });
        let (resolved, uses_data, streamed) = match streamed {
            Some((r, uses, span)) => (r, uses, Some(span)),
            None => {
                bytes.clear();
                scratch.offsets.clear();
                let resolved = match span {
                    // A form the hand-written parser leaves to the grammar (or an error): the
                    // body's tree, resolved in place.
                    Some(span) => {
                        let parsed = body::parse(self.text, span)
                            .or_else(|| lazy::parse_body(self.text, span))?;
                        self.header.func_owned(i, parsed).ok()?
                    }
                    None => self.header.func(i, self.header.func_syntax(i)?).ok()?,
                };
                parts::func_body(&resolved.func, &mut bytes, &mut scratch.offsets);
                let uses = resolved.func.body.iter().any(|i| i.op.names_data());
                (resolved, uses, None)
            }
        };
        if bytes.len() > MAX_FUNCTION_SIZE {
            return None;
        }
        let index = self.imported + i;
        let error = match validator {
            Some(v) => {
                match parts::validate_func(v, &mut scratch.allocations, &bytes, &scratch.offsets) {
                    Ok(()) => None,
                    // A streamed body has no instructions to point at: they are resolved again (the
                    // same ones, from the same parser) to place the error.
                    Err(e) if let Some(span) = streamed => {
                        let parsed = body::parse(self.text, span)?;
                        let again = self.header.func_owned(i, parsed).ok()?;
                        Some(e.locate(&again.func, index))
                    }
                    Err(e) => Some(e.locate(&resolved.func, index)),
                }
            }
            None => None,
        };
        Some(Compiled {
            bytes,
            locals: resolved.locals,
            labels: resolved.labels,
            error,
            uses_data,
        })
    }
}

/// Encodes a body's instructions as they are resolved ([`resolve::Emit`]).
struct Encode<'b> {
    bytes: &'b mut Vec<u8>,
    offsets: &'b mut Vec<u32>,
    /// Whether an instruction names a data segment.
    uses_data: bool,
}

impl resolve::Emit for Encode<'_> {
    fn locals(&mut self, types: &[ast::ValType]) {
        parts::func_locals(types, self.bytes);
    }
    fn instr(&mut self, i: &ast::Instr) {
        self.uses_data |= i.op.names_data();
        parts::func_instr(i, self.bytes, self.offsets);
    }
}

/// wasmparser's limit on a function body's size (its `MAX_WASM_FUNCTION_SIZE`); a larger body is
/// left to the whole-module path, which reports it.
const MAX_FUNCTION_SIZE: usize = 7_654_321;

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole-module path's result for `text`.
    fn whole(text: &str, options: &CompileOptions) -> Result<Vec<u8>, Vec<Error>> {
        let m = crate::text::parse_module(text)?;
        crate::compile_module(&m, options)
    }

    /// A body streamed through the parser, resolver and encoder keeps no instructions: its
    /// validation error is placed by resolving it again, where the whole-module path places it.
    #[test]
    fn streamed_bodies_place_their_errors() {
        let options = CompileOptions::default();
        for text in [
            "(module (func (result i32) (block (i32.add (i32.const 1) (f32.const 2)))))",
            "(module (func $f (param i32) local.get 0 block $b br $b end i64.eqz drop))",
            "(module (func (result i32) (if (i32.const 1) (then nop))))",
            "(module (memory 1) (func i32.const 0 i64.load offset=4 align=16 drop))",
            "(module (func (i32.const 1) (i32.const 2) drop))",
        ] {
            let fast = compile(text, &options).expect("the per-function path");
            let errors = fast.expect_err(text);
            assert!(
                errors.iter().all(|e| e.span.is_some()),
                "{text}: {errors:?}"
            );
            assert_eq!(Err(errors), whole(text, &options), "{text}");
        }
    }

    /// Deep nesting is compiled without recursion, by the streamed path, to the same bytes.
    #[test]
    fn deep_nesting_streams() {
        let n = 50_000;
        let options = CompileOptions::default();
        for text in [
            format!("(module (func {}{}))", "(block ".repeat(n), ")".repeat(n)),
            format!(
                "(module (func {}{}))",
                "block $l ".repeat(n),
                "end $l ".repeat(n)
            ),
        ] {
            let fast = compile(&text, &options).expect("the per-function path");
            assert_eq!(fast.ok(), whole(&text, &options).ok());
        }
    }

    #[test]
    fn bench_inputs_take_this_path() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/compile");
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let options = CompileOptions::default();
            let fast = compile(&text, &options);
            assert!(fast.is_some(), "{}", e.path().display());
            assert_eq!(fast.unwrap().ok(), whole(&text, &options).ok());
        }
    }
}
