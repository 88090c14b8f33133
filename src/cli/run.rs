//! `watlink run`: instantiate a module and invoke an export.

use std::path::PathBuf;
use std::process::ExitCode;

use watlink::exec::{Extern, Imports, Limits, Module, Store, ValType, Value};

use super::Ctx;

const EXAMPLES: &str = "\
Examples:
  watlink run examples/hello.wat --invoke checksum
  watlink run examples/hello.wat --invoke fac 20
  watlink run prog.wasm --invoke add 0x10 -3
  watlink run loop.wat --invoke spin --fuel 1000000      # ends with \"all fuel consumed\"
  watlink run deep.wat --invoke recurse --max-call-depth 1000";

/// Run a module (.wat or .wasm) in the bundled interpreter.
///
/// With `--invoke NAME`, calls that export with ARGS parsed by its parameter types (decimal or `0x`
/// hex integers; floats as decimal, hex, `inf`, `nan`) and prints each result on its own line
/// (`i32:42`, `f64:1.5`, …). Without it, instantiation runs the start function, then a `_start`
/// export if there is one. A trap prints its message and exits with status 1.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The module: text (.wat) is compiled in memory first; binary (.wasm) is decoded.
    file: PathBuf,
    /// The export to call.
    #[arg(long)]
    invoke: Option<String>,
    /// Arguments for the export, one per parameter.
    #[arg(allow_negative_numbers = true)]
    args: Vec<String>,
    /// Instruction budget; running out ends execution with "all fuel consumed".
    #[arg(long)]
    fuel: Option<u64>,
    /// Largest size in bytes any memory may grow to (memory.grow returns -1 past it).
    #[arg(long, default_value_t = 1 << 32)]
    max_memory: u64,
    /// Largest number of elements any table may grow to.
    #[arg(long, default_value_t = 10_000_000)]
    max_table: u64,
    /// Deepest guest call nesting; deeper ends with "call stack exhausted".
    #[arg(long, default_value_t = 10_000)]
    max_call_depth: u32,
    /// Trap when `__stack_pointer` is set outside [`__stack_low`, `__stack_high`] (globals the
    /// module exports or names in its name section; the linker exports them).
    #[arg(long)]
    stack_guard: bool,
    #[command(flatten)]
    features: super::FeatureOpts,
}

/// Prints a located-nowhere error as `--error-format` says and fails.
fn fail_as(ctx: &Ctx, class: watlink::Class, msg: impl std::fmt::Display) -> ExitCode {
    ctx.fail(class, msg.to_string());
    ExitCode::FAILURE
}

/// Runs `watlink run`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let bytes = match std::fs::read(&opts.file) {
        Ok(b) => b,
        Err(e) => {
            return fail_as(
                ctx,
                watlink::Class::Io,
                format_args!("cannot read {}: {e}", opts.file.display()),
            );
        }
    };
    let wasm = if bytes.starts_with(b"\0asm") {
        bytes
    } else {
        let name = opts.file.display().to_string();
        let compiled = watlink::text_from_bytes(&name, bytes).and_then(|text| {
            let options = watlink::CompileOptions {
                features: opts.features.features,
                ..Default::default()
            };
            watlink::compile(&name, &text, &options)
        });
        match compiled {
            Ok(w) => w,
            Err(errors) => {
                ctx.report(&errors);
                return ExitCode::FAILURE;
            }
        }
    };
    let module = match Module::with_features(&wasm, &opts.features.features) {
        Ok(m) => m,
        Err(e) => {
            return fail_as(
                ctx,
                e.class,
                format_args!("{}: {}", e.class.word(), e.message),
            );
        }
    };
    let limits = Limits {
        fuel: opts.fuel,
        max_memory_bytes: opts.max_memory,
        max_table_elems: opts.max_table,
        max_call_depth: opts.max_call_depth,
    };
    let mut store = Store::new(limits);
    let instance = match store.instantiate(&module, &Imports::new()) {
        Ok(i) => i,
        Err(e) => {
            return fail_as(
                ctx,
                e.class,
                format_args!("{}: {}", e.class.word(), e.message),
            );
        }
    };
    if opts.stack_guard && store.guard_stack(instance).is_none() {
        return fail_as(
            ctx,
            watlink::Class::Io,
            "--stack-guard: the module has no __stack_pointer, __stack_low and __stack_high globals",
        );
    }
    let name = match (&opts.invoke, store.export(instance, "_start")) {
        (Some(name), _) => name.clone(),
        (None, Some(Extern::Func(_))) => "_start".to_string(),
        (None, _) => return ExitCode::SUCCESS,
    };
    let Some(Extern::Func(func)) = store.export(instance, &name) else {
        return fail_as(
            ctx,
            watlink::Class::Io,
            format_args!("no exported function \"{name}\""),
        );
    };
    let params = store.func_type(func).params.clone();
    if params.len() != opts.args.len() {
        return fail_as(
            ctx,
            watlink::Class::Io,
            format_args!(
                "\"{name}\" takes {} argument(s), {} given",
                params.len(),
                opts.args.len()
            ),
        );
    }
    let mut args = Vec::new();
    for (ty, text) in params.iter().zip(&opts.args) {
        match parse_arg(*ty, text) {
            Some(v) => args.push(v),
            None => {
                return fail_as(
                    ctx,
                    watlink::Class::Io,
                    format_args!("cannot read \"{text}\" as {ty:?}"),
                );
            }
        }
    }
    match store.call(func, &args) {
        Ok(results) => {
            for v in results {
                println!("{v}");
            }
            ExitCode::SUCCESS
        }
        Err(trap) => fail_as(
            ctx,
            trap.class(),
            format_args!("{}: {}", trap.class().word(), trap.message()),
        ),
    }
}

/// Parses a command-line argument as a value of type `ty`.
fn parse_arg(ty: ValType, text: &str) -> Option<Value> {
    use watlink::text::number;
    match ty {
        ValType::I32 => number::i32(text).ok().map(Value::I32),
        ValType::I64 => number::i64(text).ok().map(Value::I64),
        ValType::F32 => number::f32(text).ok().map(Value::F32),
        ValType::F64 => number::f64(text).ok().map(Value::F64),
        _ => None,
    }
}
