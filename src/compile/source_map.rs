//! From code offsets back to the text: where each instruction of a compiled function was written.

use crate::CompileOptions;
use crate::ast::ExternKind;
use crate::binary::parts;
use crate::span::Span;

/// Where the instructions of the module a text compiles to were written: for each defined
/// function, each instruction's offset from the start of its body (its locals declarations, as
/// the code section holds it) with the instruction's span. A trap's backtrace
/// ([`crate::exec::TraceFrame::body_offset`]) uses it to point into the source.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    imported: u32,
    funcs: Vec<Vec<(u32, Span)>>,
}

impl SourceMap {
    /// Compiles `text` again (without validating) to find each instruction's offset; `None` if
    /// it does not compile.
    pub fn new(text: &str, options: &CompileOptions) -> Option<SourceMap> {
        let syntax = crate::text::parse_module(text).ok()?;
        let module = crate::resolve::resolve_with(&syntax, &options.features).ok()?;
        let mut bytes = Vec::new();
        let mut offsets = Vec::new();
        let funcs = module
            .funcs
            .iter()
            .map(|f| {
                bytes.clear();
                offsets.clear();
                parts::func_body(f, &mut bytes, &mut offsets);
                offsets
                    .iter()
                    .zip(&f.body)
                    .map(|(&at, i)| (at, i.span))
                    .collect()
            })
            .collect();
        Some(SourceMap {
            imported: module.imported(ExternKind::Func),
            funcs,
        })
    }

    /// The span of the instruction at `body_offset` in function `func` (imports counted), if it
    /// was written in the text (not synthesized).
    pub fn locate(&self, func: u32, body_offset: u32) -> Option<Span> {
        let body = self.funcs.get(func.checked_sub(self.imported)? as usize)?;
        let i = body.partition_point(|&(at, _)| at <= body_offset);
        let (_, span) = body.get(i.checked_sub(1)?)?;
        Some(*span).filter(|s| *s != Span::default())
    }
}
