//! `watlink compile`: text to binary.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Ctx;

const EXAMPLES: &str = "\
Examples:
  watlink compile examples/hello.wat -o hello.wasm
  watlink compile app.wat                  # writes app.wasm
  cat app.wat | watlink compile - -o -     # stdin to stdout
  watlink compile --no-validate draft.wat -o draft.wasm
  watlink compile --features wasm2 mvp.wat # reject 3.0 features (multi-memory, gc, …)";

/// Compile a text module (.wat) to a binary module (.wasm).
///
/// The output is validated (WebAssembly 3.0 by default, see `--features`) unless `--no-validate`;
/// errors point into the text, several per run where possible. The output file is written whole or
/// not at all.
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
    /// The WebAssembly features the module may use: `wasm3` (the 3.0 standard: multi-memory,
    /// memory64, tail calls, GC, exceptions, …) or `wasm2` (2.0 plus tail calls).
    #[arg(long, value_enum, default_value_t = FeatureSet::Wasm3)]
    features: FeatureSet,
}

/// The feature sets `--features` names.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum FeatureSet {
    /// WebAssembly 2.0 plus tail calls.
    Wasm2,
    /// WebAssembly 3.0.
    Wasm3,
}

impl FeatureSet {
    fn features(self) -> watlink::Features {
        match self {
            FeatureSet::Wasm2 => watlink::Features::wasm2(),
            FeatureSet::Wasm3 => watlink::Features::wasm3(),
        }
    }
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
        features: opts.features.features(),
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
    if let Some(warning) = watlink::text::blank_warning(&text) {
        ctx.warn(&watlink::Errors::new(&name, text.as_str(), vec![warning]));
    }
    let output = opts.output.unwrap_or_else(|| {
        if opts.input.as_os_str() == "-" {
            PathBuf::from("-")
        } else {
            opts.input.with_extension("wasm")
        }
    });
    if let Err(e) = super::write_output(&output, &bytes) {
        ctx.fail(
            watlink::Class::Io,
            format!("cannot write {}: {e}", output.display()),
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
