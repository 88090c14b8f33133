//! `watlink compile`: text to binary.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Ctx;

const EXAMPLES: &str = "\
Examples:
  watlink compile examples/hello.wat -o hello.wasm
  watlink compile app.wat                  # writes app.wasm
  cat app.wat | watlink compile - -o -     # stdin to stdout
  watlink compile --no-validate draft.wat -o draft.wasm";

/// Compile a text module (.wat) to a binary module (.wasm).
///
/// The output is validated (WebAssembly 2.0 + tail calls) unless `--no-validate`; errors point into
/// the text, several per run where possible. The output file is written whole or not at all.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The text module to compile (`-` for stdin).
    input: PathBuf,
    /// Where to write the binary (`-` for stdout). Default: the input with extension `.wasm`
    /// (stdout when reading stdin).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Skip validation of the output.
    #[arg(long)]
    no_validate: bool,
    /// Leave out the name section (the `$ids` of the text).
    #[arg(long)]
    no_names: bool,
}

/// Runs `watlink compile`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let (name, text) = match super::read_input(&opts.input) {
        Ok(x) => x,
        Err(errors) => {
            ctx.report(&errors);
            return ExitCode::FAILURE;
        }
    };
    let options = watlink::CompileOptions {
        validate: !opts.no_validate,
        name_section: !opts.no_names,
    };
    let bytes = match watlink::compile(&name, &text, &options) {
        Ok(b) => b,
        Err(errors) => {
            ctx.report(&errors);
            return ExitCode::FAILURE;
        }
    };
    let output = opts.output.unwrap_or_else(|| {
        if opts.input.as_os_str() == "-" {
            PathBuf::from("-")
        } else {
            opts.input.with_extension("wasm")
        }
    });
    if let Err(e) = super::write_output(&output, &bytes) {
        eprintln!("error: cannot write {}: {e}", output.display());
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
