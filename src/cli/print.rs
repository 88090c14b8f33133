//! `watlink print`: binary to text.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Ctx, Input};

const EXAMPLES: &str = "\
Examples:
  watlink print app.wasm                   # to stdout
  watlink print app.wasm -o app.wat        # compiles back to the same bytes
  watlink print --fold app.wasm            # (i32.add (local.get 0) (i32.const 1))
  watlink print --offsets app.wasm         # each line's byte offset as a (;@1f;) comment
  watlink print examples/hello.wat         # text in: compiled, then printed (abbreviations expanded)";

/// Print a binary module as text (wasmprinter, as `wasm-tools print`).
///
/// Names come from the name section; what it does not name prints by index. The output compiles
/// back (`watlink compile`) to the same bytes. Printing decodes but does not validate, so an invalid
/// module prints too (`watlink validate` says what is wrong with it); bytes that do not decode give
/// an error with their offset. The output file is written whole or not at all.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The module (`-` for stdin): binary (.wasm), or text (.wat), which is compiled first.
    input: PathBuf,
    /// Where to write the text (`-` for stdout). Default: stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Folded instructions: `(i32.add (local.get 0) (i32.const 1))` rather than one per line.
    #[arg(short, long)]
    fold: bool,
    /// Start each line with its byte offset in the binary, as a `(;@1f;)` comment.
    #[arg(long)]
    offsets: bool,
}

/// Runs `watlink print`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let fail = |errors: watlink::Errors| {
        ctx.report(&errors);
        ExitCode::FAILURE
    };
    let (name, bytes) = match super::read_module(&opts.input) {
        Ok(Input::Binary(name, bytes)) => (name, bytes),
        Ok(Input::Text(name, text)) => {
            match watlink::compile(&name, &text, &watlink::CompileOptions::default()) {
                Ok(bytes) => (name, bytes),
                Err(errors) => return fail(errors),
            }
        }
        Err(errors) => return fail(errors),
    };
    let options = watlink::print::PrintOptions {
        fold: opts.fold,
        offsets: opts.offsets,
    };
    let text = match watlink::print::print(&name, &bytes, &options) {
        Ok(text) => text,
        Err(errors) => return fail(errors),
    };
    let output = opts.output.unwrap_or_else(|| PathBuf::from("-"));
    if let Err(e) = super::write_output(&output, text.as_bytes()) {
        ctx.fail(
            watlink::Class::Io,
            format!("cannot write {}: {e}", output.display()),
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
