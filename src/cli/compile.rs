//! `watlink compile`: text to binary.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{Ctx, Input};

const EXAMPLES: &str = "\
Examples:
  watlink compile examples/hello.wat -o hello.wasm
  watlink compile app.wat                  # writes app.wasm
  cat app.wat | watlink compile - -o -     # stdin to stdout
  watlink compile --no-validate draft.wat -o draft.wasm
  watlink compile --features wasm2 mvp.wat # reject 3.0 features (multi-memory, gc, …)
  watlink compile lib.wasm -o out.wasm     # a binary input is validated and copied";

/// Compile a text module (.wat) to a binary module (.wasm).
///
/// The output is validated (WebAssembly 3.0 by default, see `--features`) unless `--no-validate`;
/// errors point into the text, several per run where possible. The output file is written whole or
/// not at all. A binary input (the `\0asm` magic, or a `.wasm` name) is validated and copied, with a
/// note saying so.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The text module to compile (`-` for stdin); a binary module is validated and copied.
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
    #[command(flatten)]
    features: super::FeatureOpts,
}

/// Runs `watlink compile`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let fail = |errors: watlink::Errors| {
        ctx.report(&errors);
        ExitCode::FAILURE
    };
    let options = watlink::CompileOptions {
        features: opts.features.features,
        validate: !opts.no_validate,
        name_section: !opts.no_names,
    };
    let (name, text) = match super::read_module(&opts.input) {
        Ok(Input::Text(name, text)) => (name, text),
        Ok(Input::Binary(name, bytes)) => return copy_binary(ctx, &opts, &options, &name, &bytes),
        Err(errors) => return fail(errors),
    };
    let bytes = match watlink::compile(&name, &text, &options) {
        Ok(b) => b,
        Err(errors) => return fail(errors),
    };
    if let Some(warning) = watlink::text::blank_warning(&text) {
        ctx.warn(&watlink::Errors::new(&name, text.as_str(), vec![warning]));
    }
    let output = output_path(&opts);
    if let Err(e) = super::write_output(&output, &bytes) {
        ctx.fail(
            watlink::Class::Io,
            format!("cannot write {}: {e}", output.display()),
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `-o`, or the input with extension `.wasm` (stdout when reading stdin).
fn output_path(opts: &Opts) -> PathBuf {
    opts.output.clone().unwrap_or_else(|| {
        if opts.input.as_os_str() == "-" {
            PathBuf::from("-")
        } else {
            opts.input.with_extension("wasm")
        }
    })
}

/// `compile` of a binary: validate it (unless `--no-validate`) and copy it to the output, saying so.
fn copy_binary(
    ctx: &Ctx,
    opts: &Opts,
    options: &watlink::CompileOptions,
    name: &str,
    bytes: &[u8],
) -> ExitCode {
    if options.validate
        && let Err(errors) = watlink::binary::validate_binary(name, bytes, &options.features)
    {
        ctx.report(&errors);
        return ExitCode::FAILURE;
    }
    let done = if options.validate {
        "validated"
    } else {
        "not validated (--no-validate)"
    };
    if opts.no_names {
        eprintln!("note: --no-names applies to text input; the binary's name section is kept");
    }
    let output = output_path(opts);
    let same = output == opts.input
        || std::fs::canonicalize(&output)
            .is_ok_and(|o| std::fs::canonicalize(&opts.input).is_ok_and(|i| i == o));
    if same {
        eprintln!(
            "note: {name} is already a binary module: {done}, nothing written (-o to copy it)"
        );
        return ExitCode::SUCCESS;
    }
    if let Err(e) = super::write_output(&output, bytes) {
        ctx.fail(
            watlink::Class::Io,
            format!("cannot write {}: {e}", output.display()),
        );
        return ExitCode::FAILURE;
    }
    let to = if output.as_os_str() == "-" {
        "stdout".to_string()
    } else {
        output.display().to_string()
    };
    eprintln!("note: {name} is already a binary module: {done} and copied to {to}");
    ExitCode::SUCCESS
}
