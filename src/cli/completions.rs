//! `watlink completions`: shell completion scripts.

use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

const EXAMPLES: &str = "\
Examples:
  watlink completions bash > ~/.local/share/bash-completion/completions/watlink
  watlink completions zsh > ~/.zfunc/_watlink
  watlink completions fish > ~/.config/fish/completions/watlink.fish";

/// Print a shell completion script for watlink.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Runs `watlink completions`.
pub fn run(opts: Opts) -> ExitCode {
    let mut cmd = super::Cli::command();
    clap_complete::generate(opts.shell, &mut cmd, "watlink", &mut std::io::stdout());
    ExitCode::SUCCESS
}
