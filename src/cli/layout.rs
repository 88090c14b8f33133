//! `watlink layout`: the memory map of an already linked module.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Ctx;

const EXAMPLES: &str = "\
Examples:
  watlink link examples/placed.wat -o placed.wasm && watlink layout placed.wasm
  watlink layout app.wasm --json > app.map.json
  wasm-ld --export=__data_end … -o c.wasm && watlink layout c.wasm";

/// Print the memory map of a linked module (from watlink link or wasm-ld).
///
/// Reconstructed from the binary: memory limits, active data segments (named from the name
/// section) and the linker symbols kept as globals (named or exported: __stack_pointer,
/// __heap_base, __data_end, …). A binary cannot tell rodata from data, and bss has no bytes; what
/// could not be recovered is said below the map.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The linked binary module.
    input: PathBuf,
    /// Print the map as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs `watlink layout`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let name = opts.input.display().to_string();
    let fail = |e: watlink::Error| {
        ctx.report(&watlink::Errors::new(&name, "", vec![e]));
        ExitCode::FAILURE
    };
    let bytes = match std::fs::read(&opts.input) {
        Ok(b) => b,
        Err(e) => {
            return fail(watlink::Error::unlocated(
                watlink::Class::Io,
                format!("cannot read {name}: {e}"),
            ));
        }
    };
    let recovered = match watlink::link::recover(&bytes) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    if opts.json {
        print!("{}", recovered.plan.to_json());
    } else {
        println!("{}\n{}", recovered.plan.table(), recovered.plan.picture(64));
        for note in &recovered.notes {
            println!("note: {note}");
        }
    }
    ExitCode::SUCCESS
}
