//! Validation with wasmparser, each error mapped back to the text.
//!
//! wasmparser reports a byte offset. To turn it into a span we decode the bytes once more and make a
//! map of what each byte range is: an import, a function declaration, an export, a function body. In a
//! body we walk the operators with their offsets: the k-th operator is `funcs[i].body[k]` (one
//! instruction of the ast is one operator; the body's final `end` is one past the last instruction and
//! points at the function). Fields the ast keeps no span for (globals, tables, element and data
//! segments, the start function) give an unlocated error with a note naming the field.

use std::ops::Range;

use wasmparser::{
    BinaryReader, BinaryReaderError, Chunk, FromReader, Parser, Payload, SectionLimited, Validator,
    WasmFeatures,
};

use crate::Features;
use crate::ast;
use crate::error::{Class, Error};
use crate::span::Span;

/// wasmparser's flags for `features`: the one place our [`Features`] meet wasmparser's.
pub fn features(features: &Features) -> WasmFeatures {
    let Features {
        sign_extension,
        saturating_float_to_int,
        multi_value,
        reference_types,
        bulk_memory,
        simd,
        tail_call,
        multi_memory,
        memory64,
        extended_const,
        function_references,
        gc,
        exceptions,
        relaxed_simd,
        threads,
        wide_arithmetic,
        custom_page_sizes,
    } = *features;
    // 1.0: the MVP with mutable globals imported and exported.
    let mut out = WasmFeatures::WASM1;
    for (on, flag) in [
        (sign_extension, WasmFeatures::SIGN_EXTENSION),
        (
            saturating_float_to_int,
            WasmFeatures::SATURATING_FLOAT_TO_INT,
        ),
        (multi_value, WasmFeatures::MULTI_VALUE),
        (reference_types, WasmFeatures::REFERENCE_TYPES),
        (bulk_memory, WasmFeatures::BULK_MEMORY),
        (simd, WasmFeatures::SIMD),
        (tail_call, WasmFeatures::TAIL_CALL),
        (multi_memory, WasmFeatures::MULTI_MEMORY),
        (memory64, WasmFeatures::MEMORY64),
        (extended_const, WasmFeatures::EXTENDED_CONST),
        (function_references, WasmFeatures::FUNCTION_REFERENCES),
        (gc, WasmFeatures::GC),
        (exceptions, WasmFeatures::EXCEPTIONS),
        (relaxed_simd, WasmFeatures::RELAXED_SIMD),
        (threads, WasmFeatures::THREADS),
        (wide_arithmetic, WasmFeatures::WIDE_ARITHMETIC),
        (custom_page_sizes, WasmFeatures::CUSTOM_PAGE_SIZES),
    ] {
        if on {
            out |= flag;
        }
    }
    out
}

/// Validation of a module whose function bodies are validated one by one, each right after it is
/// encoded (possibly on several threads), with its instructions at hand to place an error.
///
/// Module-level errors are not placed here: [`Streaming::head`] and [`Streaming::rest`] only say
/// whether there is one, and the caller reports it through [`validate`].
pub(crate) struct Streaming {
    validator: Validator,
    /// Where the code section starts (the length of the head).
    code_at: u64,
}

/// A defined function's validator-to-be; it can be sent to another thread.
pub(crate) type FuncToValidate = wasmparser::FuncToValidate<wasmparser::ValidatorResources>;

/// A thread's reusable validator allocations.
pub(crate) type FuncAllocations = wasmparser::FuncValidatorAllocations;

impl Streaming {
    /// Validates `head` (a module's bytes up to its code section) and opens the code section for
    /// `count` function bodies; returns their validators, or `None` if the head is invalid.
    pub(crate) fn head(
        head: &[u8],
        count: u32,
        features: &Features,
    ) -> Option<(Streaming, Vec<FuncToValidate>)> {
        let mut validator = Validator::new_with_features(self::features(features));
        let code_at = head.len() as u64;
        let mut parser = Parser::new(0);
        let mut offset = 0;
        loop {
            // Not at the end of the module: the parser would want the code section.
            match parser.parse(&head[offset..], false).ok()? {
                Chunk::NeedMoreData(_) if offset == head.len() => break,
                Chunk::NeedMoreData(_) => return None,
                Chunk::Parsed { consumed, payload } => {
                    offset += consumed;
                    validator.payload(&payload).ok()?;
                }
            }
        }
        let mut funcs = Vec::with_capacity(count as usize);
        if count > 0 {
            validator.code_section_start(&(code_at..code_at)).ok()?;
            let empty = wasmparser::FunctionBody::new(BinaryReader::new(&[], code_at));
            for _ in 0..count {
                funcs.push(validator.code_section_entry(&empty).ok()?);
            }
        }
        Some((Streaming { validator, code_at }, funcs))
    }

    /// Validates what follows the code section in `module` (the whole output) and the module as a
    /// whole; `false` if something is invalid.
    pub(crate) fn rest(mut self, module: &[u8]) -> bool {
        let mut parser = Parser::new(0);
        let mut offset = 0;
        loop {
            let Ok(Chunk::Parsed { consumed, payload }) = parser.parse(&module[offset..], true)
            else {
                return false;
            };
            let at = offset as u64;
            offset += consumed;
            match payload {
                Payload::CodeSectionStart { size, .. } => {
                    parser.skip_section();
                    offset += size as usize;
                }
                Payload::End(_) => return self.validator.payload(&payload).is_ok(),
                _ if at < self.code_at => {}
                _ => {
                    if self.validator.payload(&payload).is_err() {
                        return false;
                    }
                }
            }
        }
    }
}

/// Validates a function body, encoded as `body` with the offset of each instruction in `offsets`
/// (see `encode::func_body`).
///
/// # Errors
/// The first error in the body, with the number of its instruction: [`BodyError::locate`] places
/// it in the text, given the resolved function (which need not be kept while validating).
pub(crate) fn func(
    to_validate: FuncToValidate,
    allocations: &mut FuncAllocations,
    body: &[u8],
    offsets: &[u32],
) -> Result<(), BodyError> {
    let mut v = to_validate.into_validator(std::mem::take(allocations));
    let result = v.validate(&wasmparser::FunctionBody::new(BinaryReader::new(body, 0)));
    *allocations = v.into_allocations();
    result.map_err(|err| {
        let before = offsets.partition_point(|&at| u64::from(at) <= err.offset());
        BodyError {
            message: crate::error::spec_words(err.message()),
            instr: before.checked_sub(1),
        }
    })
}

/// A validation error in a function body, not yet placed in the text.
#[derive(Debug)]
pub(crate) struct BodyError {
    message: String,
    /// The number of the instruction it is at (the body's length: its final `end`).
    instr: Option<usize>,
}

impl BodyError {
    /// The error at its instruction of `func` (the defined function `func_index` of the function
    /// space, whose body was validated).
    pub(crate) fn locate(&self, func: &ast::Func, func_index: usize) -> Error {
        body_error(&self.message, self.instr, func, func_index)
    }
}

pub(super) fn validate(
    bytes: &[u8],
    module: &ast::Module,
    features: &Features,
) -> Result<(), Vec<Error>> {
    let mut errors = Vec::new();
    each_error(bytes, features, |err, _, _| {
        errors.push(locate(err, bytes, module))
    });
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Validates a binary nobody has the text of: each error says where in `name` it is, by byte offset
/// and, in a function body, by function (index and name-section name) and offset into the body.
pub(super) fn validate_binary(
    name: &str,
    bytes: &[u8],
    features: &Features,
) -> Result<(), Vec<Error>> {
    let names = function_names(bytes);
    let fields = field_map(bytes);
    let mut errors = Vec::new();
    each_error(bytes, features, |err, class, func| {
        let offset = err.offset();
        let mut at = format!("at {name}:{offset:#x}");
        match func {
            Some((index, body_start)) => {
                at += &format!(", in function {index}");
                if let Some(n) = names.get(&index) {
                    at += &format!(" ${n}");
                }
                at += &format!(" ({:#x} into its body)", offset - body_start);
            }
            None => {
                if let Some((_, field)) = fields.iter().find(|(r, _)| r.contains(&offset)) {
                    at += &format!(", in {}", describe(*field));
                }
            }
        }
        errors.push(Error::unlocated(class, err.message()).with_note(format!("note: {at}")));
    });
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Runs wasmparser's validator over `bytes`, calling `report` with each error, its class (malformed
/// if the bytes do not decode, else invalid) and, for an error in a function body, the function's
/// index and the offset its body starts at. Module-level checks
/// stop at the first error; function bodies are checked one by one, so a run reports the first
/// error of every function that has one.
fn each_error(
    bytes: &[u8],
    features: &Features,
    mut report: impl FnMut(&BinaryReaderError, Class, Option<(u32, u64)>),
) {
    let mut validator = Validator::new_with_features(self::features(features));
    let mut allocs = wasmparser::FuncValidatorAllocations::default();
    for payload in Parser::new(0).parse_all(bytes) {
        let step = match payload {
            Ok(p) => validator.payload(&p).map_err(|e| (e, Class::Invalid)),
            Err(e) => Err((e, Class::Malformed)),
        };
        match step {
            Ok(wasmparser::ValidPayload::Func(func, body)) => {
                let at = (func.index, body.range().start);
                let mut v = func.into_validator(std::mem::take(&mut allocs));
                if let Err(err) = v.validate(&body) {
                    report(&err, Class::Invalid, Some(at));
                }
                allocs = v.into_allocations();
            }
            Ok(_) => {}
            Err((err, class)) => {
                report(&err, class, None);
                break;
            }
        }
    }
}

/// The function names of the name section, if it has any (decoding problems just mean fewer names).
fn function_names(bytes: &[u8]) -> std::collections::HashMap<u32, String> {
    let mut names = std::collections::HashMap::new();
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(Payload::CustomSection(section)) = payload else {
            continue;
        };
        let wasmparser::KnownCustom::Name(reader) = section.as_known() else {
            continue;
        };
        for sub in reader.into_iter().flatten() {
            if let wasmparser::Name::Function(map) = sub {
                for naming in map.into_iter().flatten() {
                    names.insert(naming.index, naming.name.to_string());
                }
            }
        }
    }
    names
}

/// What a range of the binary encodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    /// The i-th import.
    Import(usize),
    /// The i-th defined function's type (function section).
    Func(usize),
    /// The i-th defined table.
    Table(usize),
    /// The i-th defined memory.
    Memory(usize),
    /// The i-th defined global.
    Global(usize),
    /// The i-th export.
    Export(usize),
    /// The start function.
    Start,
    /// The i-th element segment.
    Elem(usize),
    /// The i-th data segment.
    Data(usize),
    /// The i-th function body.
    Body(usize),
}

/// The error `err` with the best location found in `module`.
fn locate(err: &BinaryReaderError, bytes: &[u8], module: &ast::Module) -> Error {
    let message = crate::error::spec_words(err.message());
    let offset = err.offset();
    let fields = field_map(bytes);
    let Some(&(ref range, field)) = fields.iter().find(|(r, _)| r.contains(&offset)) else {
        return Error::unlocated(crate::error::Class::Invalid, message);
    };
    let located = |span: Span, label: String| {
        if span == Span::default() {
            None
        } else {
            Some(Error::invalid(message.clone(), span).with_label(label))
        }
    };
    let error = match field {
        Field::Body(i) => return in_body(&message, bytes, range.clone(), offset, i, module),
        Field::Import(i) => module
            .imports
            .get(i)
            .and_then(|im| located(im.span, "in this import".into())),
        Field::Func(i) => module
            .funcs
            .get(i)
            .and_then(|f| located(f.span, "in this function's type".into())),
        Field::Export(i) => module
            .exports
            .get(i)
            .and_then(|e| located(e.span, "in this export".into())),
        _ => None,
    };
    error.unwrap_or_else(|| {
        Error::unlocated(crate::error::Class::Invalid, message)
            .with_note(format!("note: in {}", describe(field)))
    })
}

/// An error in the i-th function body: at the failing instruction, or at the function.
fn in_body(
    message: &str,
    bytes: &[u8],
    range: Range<u64>,
    offset: u64,
    i: usize,
    module: &ast::Module,
) -> Error {
    let Some(func) = module.funcs.get(i) else {
        return Error::unlocated(crate::error::Class::Invalid, message);
    };
    let k = operator_index(bytes, range, offset);
    let func_index = module.imported(ast::ExternKind::Func) as usize + i;
    body_error(message, k, func, func_index)
}

/// An error at the `k`-th instruction of `func` (`Some(body.len())`: its final `end`; `None`: before
/// the first instruction), located at the instruction, or at the function.
fn body_error(message: &str, k: Option<usize>, func: &ast::Func, func_index: usize) -> Error {
    let instr = k.and_then(|k| func.body.get(k));
    // At the body's final `end` the results are checked: the last instruction is what produced them.
    let last = func.body.last().filter(|l| l.span != Span::default());
    if let (true, Some(last), true) = (
        k == Some(func.body.len()),
        last,
        func.span != Span::default(),
    ) {
        return Error::invalid(message, last.span)
            .with_label("the function's results are checked after this")
            .with_secondary(func.span, "in this function");
    }
    match instr {
        Some(instr) => {
            let label = format!("`{}`", instr.op.keyword());
            if instr.span != Span::default() {
                let mut e = Error::invalid(message, instr.span).with_label(label);
                if let Some(note) = alignment_note(message, instr.op) {
                    e = e.with_note(note);
                }
                if func.span != Span::default() {
                    e = e.with_secondary(func.span, "in this function");
                }
                e
            } else if func.span != Span::default() {
                Error::invalid(message, func.span)
                    .with_label(format!("at {label} in this function"))
            } else {
                Error::unlocated(crate::error::Class::Invalid, message)
                    .with_note(format!("note: at {label} in function {func_index}"))
            }
        }
        // The final `end`, the locals, or an offset we cannot place: the function as a whole.
        None if func.span != Span::default() => {
            Error::invalid(message, func.span).with_label("in this function")
        }
        None => Error::unlocated(crate::error::Class::Invalid, message)
            .with_note(format!("note: in function {func_index}")),
    }
}

/// For an alignment above the natural one, the values `op` allows.
fn alignment_note(message: &str, op: crate::instr::Op) -> Option<String> {
    let natural = op.natural_align();
    if !message.starts_with("alignment must not be larger than natural") || natural == 0 {
        return None;
    }
    let allowed: Vec<String> = (0..=natural.trailing_zeros())
        .map(|k| (1u32 << k).to_string())
        .collect();
    Some(format!(
        "note: `{}` accesses {natural} byte{}: align={} (the default is {natural})",
        op.keyword(),
        if natural == 1 { "" } else { "s" },
        allowed.join(", ")
    ))
}

/// The index of the operator at `offset` in the body at `range`: the last one starting at or before it.
fn operator_index(bytes: &[u8], range: Range<u64>, offset: u64) -> Option<usize> {
    let start = usize::try_from(range.start).ok()?;
    let end = usize::try_from(range.end).ok()?;
    let body = wasmparser::FunctionBody::new(wasmparser::BinaryReader::new(
        bytes.get(start..end)?,
        range.start,
    ));
    let mut ops = body.get_operators_reader().ok()?;
    let mut found = None;
    let mut k = 0;
    while !ops.eof() {
        let start = ops.original_position();
        let Ok((_, at)) = ops.read_with_offset() else {
            // The validator decodes with the module's features, this reader without: an operator
            // only they allow (a 64-bit offset, a large alignment) is the one that failed.
            if start <= offset {
                found = Some(k);
            }
            break;
        };
        if at > offset {
            break;
        }
        found = Some(k);
        k += 1;
    }
    found
}

/// Decodes `bytes` into the ranges of the fields the ast has. Stops at the first decoding error (the
/// bytes came from our encoder, so there should be none).
fn field_map(bytes: &[u8]) -> Vec<(Range<u64>, Field)> {
    let mut map = Vec::new();
    let mut body = 0;
    for payload in Parser::new(0).parse_all(bytes) {
        let Ok(payload) = payload else { break };
        match payload {
            Payload::ImportSection(r) => items(r, Field::Import, &mut map),
            Payload::FunctionSection(r) => items(r, Field::Func, &mut map),
            Payload::TableSection(r) => items(r, Field::Table, &mut map),
            Payload::MemorySection(r) => items(r, Field::Memory, &mut map),
            Payload::GlobalSection(r) => items(r, Field::Global, &mut map),
            Payload::ExportSection(r) => items(r, Field::Export, &mut map),
            Payload::StartSection { range, .. } => map.push((range, Field::Start)),
            Payload::ElementSection(r) => items(r, Field::Elem, &mut map),
            Payload::DataSection(r) => items(r, Field::Data, &mut map),
            Payload::CodeSectionEntry(b) => {
                map.push((b.range(), Field::Body(body)));
                body += 1;
            }
            _ => {}
        }
    }
    map
}

/// Adds the range of each item of a section: from its offset to the next item's (or the section's end).
fn items<'a, T: FromReader<'a>>(
    reader: SectionLimited<'a, T>,
    field: fn(usize) -> Field,
    map: &mut Vec<(Range<u64>, Field)>,
) {
    let end = reader.range().end;
    let starts: Vec<u64> = reader
        .into_iter_with_offsets()
        .map_while(|item| item.ok().map(|(at, _)| at))
        .collect();
    for (i, &start) in starts.iter().enumerate() {
        let stop = starts.get(i + 1).copied().unwrap_or(end);
        map.push((start..stop, field(i)));
    }
}

/// "global 3" and the like, for notes.
fn describe(field: Field) -> String {
    match field {
        Field::Import(i) => format!("import {i}"),
        Field::Func(i) => format!("the declaration of defined function {i}"),
        Field::Table(i) => format!("defined table {i}"),
        Field::Memory(i) => format!("defined memory {i}"),
        Field::Global(i) => format!("defined global {i}"),
        Field::Export(i) => format!("export {i}"),
        Field::Start => "the start function".to_string(),
        Field::Elem(i) => format!("element segment {i}"),
        Field::Data(i) => format!("data segment {i}"),
        Field::Body(i) => format!("the body of defined function {i}"),
    }
}
