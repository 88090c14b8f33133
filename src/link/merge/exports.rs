//! Step 6: the linked module's exports: the inputs' own, then the memory, `__heap_base`, `--export`,
//! `--export-if-defined`, `--export-all` and the entry.

use super::*;

impl Linker<'_> {
    /// Step 6: the inputs' exports, then the linker's.
    pub(super) fn exports(&mut self, out: &mut Module, maps: &[Maps], synth_base: u32) {
        let add = |out: &mut Module,
                   errors: &mut Vec<LinkError>,
                   input: Option<usize>,
                   e: Export|
         -> bool {
            match out.exports.iter().find(|x| x.name == e.name) {
                Some(x) if x.kind == e.kind && x.index == e.index => true,
                Some(_) => {
                    errors.push((
                        input,
                        unlinkable(format!("duplicate export \"{}\"", e.name), e.span)
                            .with_label("exported again here")
                            .with_note("another input (or the linker) already exports this name"),
                    ));
                    false
                }
                None => {
                    out.exports.push(e);
                    true
                }
            }
        };
        for (i, input) in self.inputs.iter().enumerate() {
            for e in &input.module.exports {
                let map = &maps[i];
                let index = match e.kind {
                    ExternKind::Func => map.func(FuncIdx(e.index)).0,
                    ExternKind::Table => map.table(TableIdx(e.index)).0,
                    ExternKind::Memory => 0,
                    ExternKind::Global => map.global(GlobalIdx(e.index)).0,
                    // `decode` refuses tags: no input has one.
                    ExternKind::Tag => e.index,
                };
                let e = Export { index, ..e.clone() };
                add(out, &mut self.errors, Some(i), e);
            }
        }
        let linker_export = |name: &str, kind: ExternKind, index: u32| Export {
            name: name.to_string(),
            kind,
            index,
            span: Span::default(),
        };
        // Memory is exported as `memory` unless it is imported (wasm-ld), or as `--export-memory`
        // says.
        let memory_export = self
            .opts
            .export_memory
            .clone()
            .or_else(|| self.memory_import().is_none().then(|| "memory".to_string()));
        if let Some(name) = &memory_export
            && !out
                .exports
                .iter()
                .any(|e| e.kind == ExternKind::Memory && e.name == *name)
        {
            add(
                out,
                &mut self.errors,
                None,
                linker_export(name, ExternKind::Memory, 0),
            );
        }
        let synth_export = |linker: &Self, s: &Synth| {
            linker
                .synth
                .iter()
                .position(|t| t == s)
                .map(|k| synth_base + k as u32)
        };
        if self.opts.export_heap_base
            && let Some(g) = synth_export(self, &Synth::Symbol("__heap_base"))
        {
            add(
                out,
                &mut self.errors,
                None,
                linker_export("__heap_base", ExternKind::Global, g),
            );
        }
        let named = |out: &Module, name: &str| -> Option<(ExternKind, u32)> {
            if let Some(e) = out.exports.iter().find(|e| e.name == name) {
                return Some((e.kind, e.index));
            }
            if let Some((f, _)) = out.names.funcs.iter().find(|(_, n)| n == name) {
                return Some((ExternKind::Func, f.0));
            }
            let (g, _) = out.names.globals.iter().find(|(_, n)| n == name)?;
            Some((ExternKind::Global, g.0))
        };
        let requested: Vec<(String, bool)> = self
            .opts
            .exports
            .iter()
            .map(|n| (n.clone(), true))
            .chain(
                self.opts
                    .exports_if_defined
                    .iter()
                    .map(|n| (n.clone(), false)),
            )
            .collect();
        for (name, required) in requested {
            match named(out, &name) {
                Some((kind, index)) => {
                    add(
                        out,
                        &mut self.errors,
                        None,
                        linker_export(&name, kind, index),
                    );
                }
                None if required => self.errors.push((
                    None,
                    Error::unlocated(
                        Class::Unlinkable,
                        format!("symbol exported via --export not found: {name}"),
                    )
                    .with_note(
                        "--export takes a function's or global's $id (without $), a placed \
                         segment's $id, or a linker symbol such as __data_end",
                    ),
                )),
                None => {}
            }
        }
        if self.opts.export_all {
            let mut all: Vec<(String, ExternKind, u32)> = Vec::new();
            for (f, n) in &out.names.funcs {
                all.push((n.clone(), ExternKind::Func, f.0));
            }
            // Never the linker's mutable `__stack_pointer` (wasm-ld skips synthesized mutable
            // globals), nor `__stack_low`/`__stack_high`, which watlink records for
            // `run --stack-guard` but no wasm-ld version exports with --export-all.
            let hidden: Vec<Option<u32>> = ["__stack_pointer", "__stack_low", "__stack_high"]
                .iter()
                .filter(|s| !self.opts.exports.iter().any(|e| e == *s))
                .map(|s| synth_export(self, &Synth::Symbol(s)))
                .collect();
            for (g, n) in &out.names.globals {
                if !hidden.contains(&Some(g.0)) {
                    all.push((n.clone(), ExternKind::Global, g.0));
                }
            }
            for (name, kind, index) in all {
                if !out.exports.iter().any(|e| e.name == name) {
                    add(
                        out,
                        &mut self.errors,
                        None,
                        linker_export(&name, kind, index),
                    );
                }
            }
        }
        match &self.opts.entry {
            Entry::None => {}
            Entry::Default => {
                if let Some((ExternKind::Func, f)) = named(out, "_start") {
                    add(
                        out,
                        &mut self.errors,
                        None,
                        linker_export("_start", ExternKind::Func, f),
                    );
                }
            }
            Entry::Named(name) => match named(out, name) {
                Some((ExternKind::Func, f)) => {
                    add(
                        out,
                        &mut self.errors,
                        None,
                        linker_export(name, ExternKind::Func, f),
                    );
                }
                _ => self.errors.push((
                    None,
                    Error::unlocated(
                        Class::Unlinkable,
                        format!("entry symbol not defined (pass --no-entry to suppress): {name}"),
                    ),
                )),
            },
        }
    }
}
