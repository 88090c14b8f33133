//! The command line: one clap `Opts` struct and a `run()` per subcommand file.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

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
}

impl Ctx {
    /// A colour-aware stderr stream for diagnostics.
    pub fn stderr(&self) -> StandardStream {
        let choice = match self.color {
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
            Color::Auto if std::io::stderr().is_terminal() => ColorChoice::Auto,
            Color::Auto => ColorChoice::Never,
        };
        StandardStream::stderr(choice)
    }

    /// Prints errors rustc-style to stderr.
    pub fn report(&self, errors: &watlink::Errors) {
        let mut out = self.stderr();
        watlink::diagnostic::emit(errors, &mut out);
        let n = errors.errors.len();
        let _ = writeln!(
            out,
            "error: aborting due to {n} previous error{}",
            if n == 1 { "" } else { "s" }
        );
    }
}

/// The feature sets `--features` names.
#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FeatureSet {
    /// WebAssembly 2.0 plus tail calls.
    Wasm2,
    /// WebAssembly 3.0.
    Wasm3,
}

impl FeatureSet {
    /// The library's feature flags for this set.
    pub fn features(self) -> watlink::Features {
        match self {
            FeatureSet::Wasm2 => watlink::Features::wasm2(),
            FeatureSet::Wasm3 => watlink::Features::wasm3(),
        }
    }
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
    let ctx = Ctx { color: cli.color };
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
