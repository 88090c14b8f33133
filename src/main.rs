//! The `watlink` command line: a thin edge over the library.

fn main() -> std::process::ExitCode {
    watlink_cli::main()
}

#[path = "cli/mod.rs"]
mod watlink_cli;
