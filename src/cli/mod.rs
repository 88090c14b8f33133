//! The command line: one clap `Opts` struct and a `run()` per subcommand file.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};

mod compile;
mod completions;
mod layout;
mod link;
mod print;
mod run;
mod validate;
mod wast;

/// watlink: WebAssembly text toolchain — compile, link, run, print and validate modules.
#[derive(Parser, Debug)]
#[command(name = "watlink", version, about, long_about = None)]
struct Cli {
    /// When to colour diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,
    /// How to print diagnostics: `human` (rustc-style pictures) or `json` (one rustc-shaped JSON
    /// object per line, for editors and tools).
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human, global = true)]
    error_format: ErrorFormat,
    /// Show at most N errors, then only count the rest (0: show all).
    #[arg(long, value_name = "N", default_value_t = watlink::diagnostic::DEFAULT_MAX_ERRORS, global = true)]
    max_errors: usize,
    #[command(subcommand)]
    command: Command,
}

/// `--color` choices.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

/// `--error-format` choices.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ErrorFormat {
    Human,
    Json,
}

#[derive(Subcommand, Debug)]
// No doc comments here: each subcommand's help (the one-line summary and the long text shown by
// `--help`) is its `Opts` struct's doc comment, which a doc comment here would replace.
enum Command {
    Compile(compile::Opts),
    Link(link::Opts),
    Layout(layout::Opts),
    Run(run::Opts),
    Wast(wast::Opts),
    Print(print::Opts),
    Validate(validate::Opts),
    Completions(completions::Opts),
}

/// Shared output settings.
pub struct Ctx {
    color: Color,
    report: watlink::diagnostic::Report,
}

impl Ctx {
    /// A colour-aware, buffered stderr stream for diagnostics (flushed when dropped).
    pub fn stderr(&self) -> BufferedStandardStream {
        let choice = match (self.color, self.report.format) {
            (_, watlink::diagnostic::Format::Json) => ColorChoice::Never,
            (Color::Always, _) => ColorChoice::Always,
            (Color::Never, _) => ColorChoice::Never,
            (Color::Auto, _) if std::io::stderr().is_terminal() => ColorChoice::Auto,
            (Color::Auto, _) => ColorChoice::Never,
        };
        BufferedStandardStream::stderr(choice)
    }

    /// Prints errors to stderr as `--error-format` and `--max-errors` say, then the summary.
    pub fn report(&self, errors: &watlink::Errors) {
        let mut out = self.stderr();
        let _ = watlink::diagnostic::emit_report(errors, &mut out, &self.report);
        let summary = watlink::diagnostic::summary(errors.errors.len(), self.report.format);
        let _ = writeln!(out, "{summary}");
        let _ = out.flush();
    }

    /// Prints warnings to stderr (no summary; the run goes on).
    pub fn warn(&self, warnings: &watlink::Errors) {
        let mut out = self.stderr();
        let report = watlink::diagnostic::Report {
            warning: true,
            ..self.report
        };
        let _ = watlink::diagnostic::emit_report(warnings, &mut out, &report);
        let _ = out.flush();
    }

    /// Prints one error without a source (a failed write, a bad argument).
    pub fn fail(&self, class: watlink::Class, message: impl Into<String>) {
        let error = watlink::Error::unlocated(class, message);
        let mut out = self.stderr();
        let _ = watlink::diagnostic::emit_report(
            &watlink::Errors::new("", "", vec![error]),
            &mut out,
            &self.report,
        );
        let _ = out.flush();
    }
}

/// `--features`, the same on every command that reads modules (one vocabulary:
/// [`watlink::Features::parse`]).
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct FeatureOpts {
    /// The WebAssembly features modules may use: comma-separated presets (`wasm1`, `wasm2`,
    /// `wasm3`, `all`) and proposals, `+name` to add one and `-name` to remove one, e.g.
    /// `wasm2,+tail-call` or `wasm3,-simd`. Proposals: sign-extension, saturating-float-to-int,
    /// multi-value, reference-types, bulk-memory, simd (2.0); tail-call, multi-memory, memory64,
    /// extended-const, function-references, gc, exceptions, relaxed-simd, threads (3.0);
    /// wide-arithmetic, custom-page-sizes (newer).
    #[arg(long, value_name = "LIST", default_value = "wasm3", value_parser = watlink::Features::parse)]
    pub features: watlink::Features,
}

/// Reads `path` (`-` for stdin) as bytes, with the name to show in diagnostics.
pub fn read_bytes(path: &Path) -> Result<(String, Vec<u8>), watlink::Errors> {
    let (name, read) = if path == Path::new("-") {
        let mut bytes = Vec::new();
        let read = std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map(|_| bytes);
        ("<stdin>".to_string(), read)
    } else {
        (path.display().to_string(), std::fs::read(path))
    };
    match read {
        Ok(bytes) => Ok((name, bytes)),
        Err(e) => {
            let what = if path == Path::new("-") {
                "stdin"
            } else {
                &name
            };
            let err =
                watlink::Error::unlocated(watlink::Class::Io, format!("cannot read {what}: {e}"));
            Err(watlink::Errors::new(name, "", vec![err]))
        }
    }
}

/// A module as read: text to compile, or a binary.
pub enum Input {
    /// Text (`.wat`): its name in diagnostics and the text.
    Text(String, String),
    /// Binary (`.wasm`): its name in diagnostics and the bytes.
    Binary(String, Vec<u8>),
}

/// Reads a module from `path` (`-` for stdin): binary if it starts with the `\0asm` magic or its
/// name ends in `.wasm` (then a file that is not one is reported as a malformed binary), text
/// otherwise.
pub fn read_module(path: &Path) -> Result<Input, watlink::Errors> {
    let (name, bytes) = read_bytes(path)?;
    if bytes.starts_with(b"\0asm") || path.extension().is_some_and(|e| e == "wasm") {
        return Ok(Input::Binary(name, bytes));
    }
    let text = watlink::text_from_bytes(&name, bytes)?;
    Ok(Input::Text(name, text))
}

/// Writes `bytes` to `path` (`-` for stdout) whole or not at all ([`watlink::output`]: an
/// exclusively created temporary file beside the target, then a rename).
pub fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush();
    }
    watlink::output::write_whole(path, bytes)
}

/// On SIGINT or SIGTERM, removes the temporary output files not yet renamed into place and exits
/// with the status the signal would give (128 + its number).
#[cfg(unix)]
fn clean_up_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            watlink::output::remove_pending();
            std::process::exit(128 + signal);
        }
    });
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    #[cfg(unix)]
    clean_up_on_signals();
    let ctx = Ctx {
        color: cli.color,
        report: watlink::diagnostic::Report {
            format: match cli.error_format {
                ErrorFormat::Human => watlink::diagnostic::Format::Human,
                ErrorFormat::Json => watlink::diagnostic::Format::Json,
            },
            max_errors: cli.max_errors,
            warning: false,
        },
    };
    match cli.command {
        Command::Compile(opts) => compile::run(&ctx, opts),
        Command::Link(opts) => link::run(&ctx, opts),
        Command::Layout(opts) => layout::run(&ctx, opts),
        Command::Run(opts) => run::run(&ctx, opts),
        Command::Wast(opts) => wast::run(&ctx, opts),
        Command::Print(opts) => print::run(&ctx, opts),
        Command::Validate(opts) => validate::run(&ctx, opts),
        Command::Completions(opts) => completions::run(opts),
    }
}
