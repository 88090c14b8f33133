//! `watlink link`: text (or binary) modules to one linked module, memory laid out as wasm-ld does.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Ctx;

const EXAMPLES: &str = "\
Examples:
  watlink link examples/placed.wat -o placed.wasm --print-map
  watlink link main.wat alloc.wat -o app.wasm          # alloc.wat's exports satisfy main.wat's imports
  watlink link main.wat lib.wasm -o app.wasm           # binary inputs too (decoded; no @place)
  watlink link app.wat -o app.wasm -z stack-size=1048576 --export=__data_end
  watlink link app.wat -o app.wasm --no-stack-first --global-base=1024   # LLVM <= 21's layout
  watlink link app.wat -o app.wasm --import-memory=env,mem --max-memory=1048576
  watlink link app.wat -o app.wasm --map app.map.json

In the text: (data $name (@place rodata|data|bss (align N)? (size N)?) \"bytes\"*) is placed by the
linker; (import \"watlink:data\" \"name\" (global i32)) is its address, \"watlink:size\" its length;
(import \"env\" \"__heap_base\" (global i32)) and wasm-ld's other symbols (__stack_pointer (mut),
__data_end, __heap_end, __global_base, __stack_low, __stack_high, __dso_handle, __memory_base,
__table_base) are defined by the linker. Other imports stay imports unless another input exports
the name (import module \"env\" or the input's file stem).";

/// Link text modules into one binary module, placing data, stack and heap as wasm-ld does.
///
/// Defaults follow current wasm-ld (LLVM 22): the stack (64 KiB) first, then data, then the heap;
/// memory 0 defined by the linker with the smallest initial size that fits, no maximum, exported as
/// `memory`; `__heap_base` exported as a global. The output is validated and written whole or not
/// at all.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The modules to link, in link order: text, or binary (`.wasm`; its data stays where it is).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Where to write the linked binary (`-` for stdout).
    #[arg(short, long)]
    output: PathBuf,
    /// `-z stack-size=N`: bytes of stack, a multiple of 16 [default: 65536].
    #[arg(short = 'z', value_name = "stack-size=N")]
    z: Vec<String>,
    /// Bytes of stack, a multiple of 16 (same as -z stack-size=N) [default: 65536].
    #[arg(long, value_name = "N", value_parser = number)]
    stack_size: Option<u64>,
    /// Put the stack at address 0, data above it (the default, as in LLVM 22).
    #[arg(long, overrides_with = "no_stack_first")]
    stack_first: bool,
    /// Put the stack after the data (LLVM <= 21's default); data then starts at 1024.
    #[arg(long)]
    no_stack_first: bool,
    /// Where static data starts [default: the stack top, or 1024 with --no-stack-first].
    #[arg(long, value_name = "N", value_parser = number)]
    global_base: Option<u64>,
    /// Initial memory in bytes, a multiple of 65536 [default: what the layout needs].
    #[arg(long, value_name = "N", value_parser = number)]
    initial_memory: Option<u64>,
    /// Maximum memory in bytes, a multiple of 65536 [default: none].
    #[arg(long, value_name = "N", value_parser = number)]
    max_memory: Option<u64>,
    /// Set the maximum memory to the initial memory.
    #[arg(long)]
    no_growable_memory: bool,
    /// Bytes of heap in the initial memory, a multiple of 65536 [default: 0].
    #[arg(long, value_name = "N", value_parser = number)]
    initial_heap: Option<u64>,
    /// Import memory 0 instead of defining it [default when given alone: env,memory].
    #[arg(long, value_name = "MOD,NAME", num_args = 0..=1, require_equals = true,
          default_missing_value = "env,memory")]
    import_memory: Option<String>,
    /// Export memory 0 under NAME [default: memory, unless the memory is imported].
    #[arg(long, value_name = "NAME", num_args = 0..=1, require_equals = true,
          default_missing_value = "memory")]
    export_memory: Option<String>,
    /// Shared memory (gets a maximum: the initial size unless --max-memory). Placed data is
    /// written as active segments (no __wasm_init_memory yet).
    #[arg(long)]
    shared_memory: bool,
    /// Export SYM: a function's or global's $id, a placed segment's $id (its address as a
    /// global), or a linker symbol such as __data_end. Error if it does not exist. Repeatable.
    #[arg(long, value_name = "SYM")]
    export: Vec<String>,
    /// Export SYM if it exists. Repeatable.
    #[arg(long, value_name = "SYM")]
    export_if_defined: Vec<String>,
    /// Export every named function and global, placed segments and wasm-ld's data symbols
    /// (never __stack_pointer).
    #[arg(long)]
    export_all: bool,
    /// Do not export __heap_base (exported by default: embedded runtimes size memory from it).
    #[arg(long)]
    no_export_heap_base: bool,
    /// The entry function to export; it must exist [default: `_start` if there is one].
    #[arg(long, value_name = "NAME", conflicts_with = "no_entry")]
    entry: Option<String>,
    /// No entry function.
    #[arg(long)]
    no_entry: bool,
    /// Print the memory map (table and picture) to stdout.
    #[arg(long)]
    print_map: bool,
    /// Write the memory map as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// Leave out the name section.
    #[arg(long)]
    no_names: bool,
}

/// A byte count: decimal or `0x` hex.
fn number(text: &str) -> Result<u64, String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed.map_err(|_| format!("`{text}` is not a number of bytes"))
}

/// The linker these options describe.
fn linker(opts: &Opts) -> Result<watlink::Linker, String> {
    let mut l = watlink::Linker::new();
    for z in &opts.z {
        match z.split_once('=') {
            Some(("stack-size", n)) => l = l.stack_size(number(n)?),
            _ => return Err(format!("unknown -z value: {z}")),
        }
    }
    if let Some(n) = opts.stack_size {
        l = l.stack_size(n);
    }
    l = l.stack_first(!opts.no_stack_first || opts.stack_first);
    if let Some(n) = opts.global_base {
        l = l.global_base(n);
    }
    if let Some(n) = opts.initial_memory {
        l = l.initial_memory(n);
    }
    if let Some(n) = opts.max_memory {
        l = l.max_memory(n);
    }
    if opts.no_growable_memory {
        l = l.no_growable_memory();
    }
    if let Some(n) = opts.initial_heap {
        l = l.initial_heap(n);
    }
    if opts.shared_memory {
        l = l.shared_memory();
    }
    if let Some(name) = &opts.export_memory {
        l = l.export_memory(name);
    }
    if let Some(spec) = &opts.import_memory {
        let Some((module, name)) = spec.split_once(',') else {
            return Err(format!("--import-memory={spec}: expected MODULE,NAME"));
        };
        l = l.import_memory(module, name);
    }
    for s in &opts.export {
        l = l.export(s);
    }
    for s in &opts.export_if_defined {
        l = l.export_if_defined(s);
    }
    if opts.export_all {
        l = l.export_all();
    }
    if opts.no_export_heap_base {
        l = l.no_export_heap_base();
    }
    if let Some(e) = &opts.entry {
        l = l.entry(e);
    }
    if opts.no_entry {
        l = l.no_entry();
    }
    if opts.no_names {
        l = l.no_names();
    }
    Ok(l)
}

/// Runs `watlink link`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let mut l = match linker(&opts) {
        Ok(l) => l,
        Err(message) => {
            ctx.fail(watlink::Class::Io, message);
            return ExitCode::FAILURE;
        }
    };
    for input in &opts.inputs {
        l = l.input_file(input);
    }
    let linked = match l.link() {
        Ok(linked) => linked,
        Err(errors) => {
            ctx.report(&errors);
            return ExitCode::FAILURE;
        }
    };
    if opts.print_map {
        println!("{}\n{}", linked.plan.table(), linked.plan.picture(64));
    }
    if let Some(path) = &opts.map
        && let Err(e) = super::write_output(path, linked.plan.to_json().as_bytes())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    if let Err(e) = super::write_output(&opts.output, &linked.wasm) {
        eprintln!("error: cannot write {}: {e}", opts.output.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
