//! `watlink link`: text (or binary) modules to one linked module, memory laid out as wasm-ld does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches};
use watlink::link::FLAGS;

use super::Ctx;

const EXAMPLES: &str = "\
Examples:
  watlink link examples/placed.wat -o placed.wasm --print-map
  watlink link main.wat alloc.wat -o app.wasm          # alloc.wat's exports satisfy main.wat's imports
  watlink link main.wat lib.wasm -o app.wasm           # binary inputs too (decoded; no @place)
  watlink link app.wat -o app.wasm -z stack-size=1048576 --export=__data_end
  watlink link app.wat -o app.wasm --no-stack-first --global-base=1024   # LLVM <= 21's layout
  watlink link app.wat -o app.wasm --import-memory=env,mem --max-memory=1048576
  watlink link app.wat -o app.wasm --map app.map.json
  watlink link app.wat -o - --print-map | wasm-tools print   # the map goes to stderr

In the text: (data $name (@place rodata|data|bss (align N)? (size N)?) \"bytes\"*) is placed by the
linker; (import \"watlink:data\" \"name\" (global i32)) is its address, \"watlink:size\" its length;
(import \"env\" \"__heap_base\" (global i32)) and wasm-ld's other symbols (__stack_pointer (mut),
__data_end, __heap_end, __global_base, __stack_low, __stack_high, __dso_handle, __memory_base,
__table_base) are defined by the linker. Other imports stay imports unless another input exports
the name (import module \"env\" or the input's file stem).";

/// Link text modules into one binary module, placing data, stack and heap as wasm-ld does.
///
/// Defaults follow current wasm-ld (LLVM 22): the stack (64 KiB) first, then data, then the heap;
/// memory 0 as the inputs declare it (an imported memory stays imported; a defined one keeps its
/// declared minimum as a lower bound, its maximum and `shared`), sized to fit, exported as `memory`
/// unless imported; `__heap_base` exported as a global. Fixed-offset data keeps its address; the
/// stack and placed data go around it. The output (and --map) is written whole or not at all.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The modules to link, in link order: text, or binary (`.wasm`; its data stays where it is).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Where to write the linked binary (`-` for stdout; the printed map then goes to stderr).
    #[arg(short, long)]
    output: PathBuf,
    /// `-z stack-size=N`: bytes of stack, a multiple of 16 [default: 65536].
    #[arg(short = 'z', value_name = "stack-size=N")]
    z: Vec<String>,
    /// The linker flags shared with `watlink::Linker` and `watlink::build::Build`.
    #[command(flatten)]
    flags: Flags,
    /// Print the memory map (table and picture) to stdout (stderr with `-o -`).
    #[arg(long)]
    print_map: bool,
    /// Write the memory map as JSON to FILE (with the binary: both or neither).
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    #[command(flatten)]
    features: super::FeatureOpts,
}

/// The flags of [`watlink::link::FLAGS`] in command-line order, as `(long, value)`.
#[derive(Debug, Default)]
struct Flags(Vec<(&'static str, String)>);

impl clap::FromArgMatches for Flags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Flags, clap::Error> {
        let mut given = Vec::new();
        for flag in FLAGS {
            if matches.value_source(flag.long) != Some(ValueSource::CommandLine) {
                continue; // a switch's count of 0 is a default, with an index of its own
            }
            let Some(indices) = matches.indices_of(flag.long) else {
                continue;
            };
            if flag.value.is_some() {
                let values = matches.get_many::<String>(flag.long).into_iter().flatten();
                for (index, value) in indices.zip(values) {
                    given.push((index, flag.long, value.clone()));
                }
            } else {
                for index in indices {
                    given.push((index, flag.long, String::new()));
                }
            }
        }
        // wasm-ld's rule: a later flag overrides an earlier one (`--stack-first --no-stack-first`).
        given.sort_by_key(|g| g.0);
        Ok(Flags(given.into_iter().map(|(_, l, v)| (l, v)).collect()))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Flags::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for Flags {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for flag in FLAGS {
            // The doc's lines joined; its first sentence is the short help.
            let help = flag
                .help
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            let short = match help.split_once(". ") {
                Some((first, _)) => format!("{first}."),
                None => help.clone(),
            };
            let mut arg = Arg::new(flag.long)
                .long(flag.long)
                .help(short)
                .long_help(help);
            arg = match (flag.value, flag.missing) {
                // Given twice is fine; its index is the last occurrence's.
                (None, _) => arg.action(ArgAction::SetTrue).overrides_with(flag.long),
                (Some(value), missing) => {
                    let arg = arg.value_name(value).action(ArgAction::Append);
                    match missing {
                        Some(m) => arg
                            .num_args(0..=1)
                            .require_equals(true)
                            .default_missing_value(m),
                        None => arg,
                    }
                }
            };
            cmd = cmd.arg(arg);
        }
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Flags::augment_args(cmd)
    }
}

/// The linker these options describe.
fn linker(opts: &Opts) -> Result<watlink::Linker, String> {
    let mut options = watlink::link::LinkOptions::default();
    for z in &opts.z {
        watlink::link::apply_args(&mut options, ["-z", z.as_str()])?;
    }
    for (long, value) in &opts.flags.0 {
        watlink::link::apply(&mut options, long, value)?;
    }
    let mut linker = watlink::Linker::with_options(options);
    linker.features(opts.features.features);
    Ok(linker)
}

/// Prints `text` to stdout; a closed pipe (`| head`) ends the process quietly with the status a
/// SIGPIPE would give.
fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(128 + 13);
        }
        eprintln!("error: cannot write the map to stdout: {e}");
    }
}

/// Runs `watlink link`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let mut l = match linker(&opts) {
        Ok(l) => l,
        Err(message) => {
            ctx.fail(watlink::Class::Io, message);
            return ExitCode::FAILURE;
        }
    };
    for input in &opts.inputs {
        l.input_file(input);
    }
    let linked = match l.link() {
        Ok(linked) => linked,
        Err(errors) => {
            ctx.report(&errors);
            return ExitCode::FAILURE;
        }
    };
    for note in &linked.plan.notes {
        eprintln!("note: {note}");
    }
    // Both files or neither: a kill never leaves a new map beside an old binary.
    let to_stdout = opts.output == Path::new("-");
    let mut outputs = watlink::output::Outputs::new();
    let mut staged = Ok(());
    if let Some(path) = &opts.map {
        staged = outputs
            .stage(path, linked.plan.to_json().as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()));
    }
    if staged.is_ok() && !to_stdout {
        staged = outputs
            .stage(&opts.output, &linked.wasm)
            .map_err(|e| format!("cannot write {}: {e}", opts.output.display()));
    }
    if let Err(message) =
        staged.and_then(|()| outputs.commit().map_err(|e| format!("cannot write {e}")))
    {
        eprintln!("error: {message}");
        return ExitCode::FAILURE;
    }
    let map = format!("{}\n{}\n", linked.plan.table(), linked.plan.picture(64));
    if to_stdout {
        if opts.print_map {
            eprint!("{map}");
        }
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(&linked.wasm).and_then(|()| out.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(128 + 13);
            }
            eprintln!("error: cannot write to stdout: {e}");
            return ExitCode::FAILURE;
        }
    } else if opts.print_map {
        print_stdout(&map);
    }
    ExitCode::SUCCESS
}
