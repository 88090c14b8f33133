//! The command line: one clap `Opts` struct and a `run()` per subcommand file.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};

mod compile;
mod completions;
mod layout;
mod link;
mod run;
mod wast;

/// watlink: WebAssembly text toolchain — compile, link and run `.wat` modules.
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
enum Command {
    /// Compile a text module (.wat) to a binary module (.wasm).
    Compile(compile::Opts),
    /// Link text modules into one binary, placing data, stack and heap as wasm-ld does.
    Link(link::Opts),
    /// Print the memory map of a linked module.
    Layout(layout::Opts),
    /// Run a module in the bundled interpreter.
    Run(run::Opts),
    /// Run .wast spec scripts.
    Wast(wast::Opts),
    /// Print a shell completion script.
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

/// Reads `path` (`-` for stdin) as source text; a non-UTF-8 input gets a located error.
pub fn read_input(path: &Path) -> Result<(String, String), watlink::Errors> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        let name = "<stdin>".to_string();
        if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes) {
            let err =
                watlink::Error::unlocated(watlink::Class::Io, format!("cannot read stdin: {e}"));
            return Err(watlink::Errors::new(name, "", vec![err]));
        }
        let text = watlink::text_from_bytes(&name, bytes)?;
        return Ok((name, text));
    }
    let text = watlink::read_source(path)?;
    Ok((path.display().to_string(), text))
}

/// Writes `bytes` to `path` (`-` for stdout) whole or not at all: a temporary file beside the target,
/// then a rename.
pub fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)?;
        return out.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
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
        Command::Completions(opts) => completions::run(opts),
    }
}
