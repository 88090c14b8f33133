//! `watlink validate`: check modules without writing anything.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Ctx, Input};

const EXAMPLES: &str = "\
Examples:
  watlink validate app.wat                 # errors point into the text
  watlink validate app.wasm                # errors name the function and byte offset
  watlink validate *.wasm --features wasm2 # reject 3.0 features (multi-memory, gc, …)";

/// Validate modules, text (.wat) or binary (.wasm); silent when all are valid.
///
/// Several errors per module where validation can go on: the first of the module's declarations,
/// then the first of every function body that has one. In text, each error points at the
/// instruction or field it is about; in a binary, a note gives the byte offset (`app.wasm:0x2c`)
/// and, in a function body, the function's index, its name from the name section and the offset
/// into its body. Exits with status 1 if any module is invalid.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The modules (`-` for stdin): binary if it starts with `\0asm` or ends in `.wasm`, else text.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    features: super::FeatureOpts,
}

/// Runs `watlink validate`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let features = opts.features.features;
    let options = watlink::CompileOptions {
        features,
        ..Default::default()
    };
    let mut status = ExitCode::SUCCESS;
    for input in &opts.inputs {
        let result = super::read_module(input).and_then(|module| match module {
            Input::Text(name, text) => watlink::compile(&name, &text, &options).map(drop),
            Input::Binary(name, bytes) => {
                watlink::binary::validate_binary(&name, &bytes, &features)
            }
        });
        if let Err(errors) = result {
            ctx.report(&errors);
            status = ExitCode::FAILURE;
        }
    }
    status
}
