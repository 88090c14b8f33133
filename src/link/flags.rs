//! The linker's flags, written once.
//!
//! `watlink link`, [`Linker`](super::Linker) and [`build::Build`](crate::build::Build) take the same
//! flags with the same meaning, so each is described in one row of [`link_flags!`]: its wasm-ld
//! spelling, its doc, the setter's name and arguments, how its value is read from the command line,
//! and what it does to [`LinkOptions`]. From the table come
//! - the setters of `Linker` and `Build` (`&mut self`, the `cc` crate's style): `setters!`;
//! - [`FLAGS`], which the CLI turns into its arguments, and [`apply`], which it calls with what it
//!   parsed (also the wasm-ld test harness's flag reader).
//!
//! Adding a flag is one row.

use super::LinkOptions;

/// One command-line flag: `--LONG[=VALUE]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The long name, without `--`: `stack-size`.
    pub long: &'static str,
    /// The value's name in help (`N`, `SYM`, …); `None` for a switch.
    pub value: Option<&'static str>,
    /// The value when the flag is given without one (`--import-memory` means `env,memory`).
    pub missing: Option<&'static str>,
    /// Whether it may be given more than once with different values (`--export`).
    pub repeats: bool,
    /// The doc: first line short help, the rest long help.
    pub help: &'static str,
}

/// Calls `$callback!` with the table of flags.
macro_rules! link_flags {
    ($callback:ident) => {
        $callback! {
            /// Bytes of stack, a multiple of 16 (wasm-ld: `-z stack-size=N`) [default: 65536].
            "stack-size" = "N", stack_size(bytes: u64) from bytes
                |o| o.layout.stack_size = bytes;
            /// Put the stack at address 0, data above it (the default, as in LLVM 22): an overflow
            /// traps instead of overwriting data.
            "stack-first", stack_first(first: bool) from yes
                |o| o.layout.stack_first = first;
            /// Put the stack after the data (LLVM <= 21's default); data then starts at 1024.
            "no-stack-first", no_stack_first() from switch
                |o| o.layout.stack_first = false;
            /// Where static data starts [default: the stack top, or 1024 with --no-stack-first].
            "global-base" = "N", global_base(address: u64) from bytes
                |o| o.layout.global_base = Some(address);
            /// Initial memory in bytes, a multiple of 65536 [default: what the layout and the
            /// inputs' memory declarations need].
            "initial-memory" = "N", initial_memory(bytes: u64) from bytes
                |o| o.layout.initial_memory = Some(bytes);
            /// Maximum memory in bytes, a multiple of 65536 [default: the inputs' declared
            /// maximum, or none].
            "max-memory" = "N", max_memory(bytes: u64) from bytes
                |o| o.layout.max_memory = Some(bytes);
            /// Set the maximum memory to the initial memory.
            "no-growable-memory", no_growable_memory() from switch
                |o| o.layout.no_growable_memory = true;
            /// Bytes of heap in the initial memory, a multiple of 65536 [default: 0].
            "initial-heap" = "N", initial_heap(bytes: u64) from bytes
                |o| o.layout.initial_heap = Some(bytes);
            /// `__table_base`: the first table slot of function pointers [default: 1].
            "table-base" = "N", table_base(slot: u64) from bytes
                |o| o.layout.table_base = slot;
            /// Import memory 0 as MOD.NAME [default when given alone: env,memory; without the
            /// flag: the inputs' own memory import, if they import one].
            "import-memory" = "MOD,NAME" default "env,memory",
                import_memory(module: &str, name: &str) from module_name
                |o| o.import_memory = Some((module.into(), name.into()));
            /// Export memory 0 as NAME [default: memory, unless the memory is imported].
            "export-memory" = "NAME" default "memory", export_memory(name: &str) from text
                |o| o.export_memory = Some(name.into());
            /// Shared memory (gets a maximum: the initial size unless --max-memory); data is
            /// then passive and copied in once by `__wasm_init_memory`.
            "shared-memory", shared_memory() from switch
                |o| o.layout.shared_memory = true;
            /// Export SYM: a function's or global's $id, a placed segment's $id (its address as a
            /// global), or a linker symbol such as __data_end; an error if it does not exist.
            "export" = "SYM" [repeats], export(symbol: &str) from text
                |o| o.exports.push(symbol.into());
            /// Export SYM if it exists.
            "export-if-defined" = "SYM" [repeats], export_if_defined(symbol: &str) from text
                |o| o.exports_if_defined.push(symbol.into());
            /// Export every named function and global, placed segments and wasm-ld's data
            /// symbols (never __stack_pointer, __stack_low, __stack_high).
            "export-all", export_all() from switch
                |o| o.export_all = true;
            /// Do not export __heap_base (exported by default: embedded runtimes size memory
            /// from it).
            "no-export-heap-base", no_export_heap_base() from switch
                |o| o.export_heap_base = false;
            /// The entry function to export; it must exist [default: `_start` if there is one].
            "entry" = "NAME", entry(name: &str) from text
                |o| o.entry = $crate::link::Entry::Named(name.into());
            /// No entry function.
            "no-entry", no_entry() from switch
                |o| o.entry = $crate::link::Entry::None;
            /// Leave out the name section.
            "no-names", no_names() from switch
                |o| o.name_section = false;
        }
    };
}
pub(crate) use link_flags;

/// The setters of a type with a `link_options_mut(&mut self) -> &mut LinkOptions` method, one per
/// row of [`link_flags!`].
macro_rules! setters {
    ($( $(#[doc = $doc:literal])* $long:literal $(= $value:literal)? $(default $missing:literal)?
        $([$repeats:ident])?, $method:ident ($($arg:ident: $ty:ty),*) from $parse:ident
        |$o:ident| $body:expr; )*) => {
        $(
            $(#[doc = $doc])*
            #[doc = concat!("\n\nCommand line: `--", $long, $("=", $value,)? "`.")]
            pub fn $method(&mut self $(, $arg: $ty)*) -> &mut Self {
                let $o = self.link_options_mut();
                $body;
                self
            }
        )*
    };
}
pub(crate) use setters;

macro_rules! opt {
    () => {
        None
    };
    ($v:literal) => {
        Some($v)
    };
}

macro_rules! present {
    () => {
        false
    };
    ($($t:tt)+) => {
        true
    };
}

/// [`FLAGS`] and [`apply`] from the table.
macro_rules! table {
    ($( $(#[doc = $doc:literal])* $long:literal $(= $value:literal)? $(default $missing:literal)?
        $([$repeats:ident])?, $method:ident ($($arg:ident: $ty:ty),*) from $parse:ident
        |$o:ident| $body:expr; )*) => {
        /// Every flag the linker takes, in help order.
        pub const FLAGS: &[Flag] = &[$(Flag {
            long: $long,
            value: opt!($($value)?),
            missing: opt!($($missing)?),
            repeats: present!($($repeats)?),
            help: concat!($($doc, "\n",)*),
        }),*];

        /// Applies `--LONG=VALUE` (`VALUE` empty for a switch) to `options`.
        ///
        /// # Errors
        /// An unknown flag or a value that does not parse, as a one-line message.
        pub fn apply(options: &mut LinkOptions, long: &str, value: &str) -> Result<(), String> {
            match long {
                $($long => {
                    let ($($arg,)*) = $parse(value).map_err(|e| format!("--{}: {e}", $long))?;
                    let $o = options;
                    $body;
                    Ok(())
                })*
                _ => Err(format!("unknown flag --{long}")),
            }
        }
    };
}

link_flags!(table);

/// A byte count: decimal or `0x` hex.
fn bytes(text: &str) -> Result<(u64,), String> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    parsed
        .map(|n| (n,))
        .map_err(|_| format!("`{text}` is not a number of bytes"))
}

fn text(text: &str) -> Result<(&str,), String> {
    if text.is_empty() {
        return Err("expected a name".into());
    }
    Ok((text,))
}

fn module_name(text: &str) -> Result<(&str, &str), String> {
    text.split_once(',')
        .ok_or_else(|| format!("`{text}`: expected MODULE,NAME"))
}

fn switch(_: &str) -> Result<(), String> {
    Ok(())
}

fn yes(_: &str) -> Result<(bool,), String> {
    Ok((true,))
}

/// Applies wasm-ld style arguments (`--global-base=1024`, `--no-entry`, `-z stack-size=N`) in
/// order: the wasm-ld test data's flags, or a build script's.
///
/// # Errors
/// The first flag that is unknown or does not parse.
pub fn apply_args<'a>(
    options: &mut LinkOptions,
    args: impl IntoIterator<Item = &'a str>,
) -> Result<(), String> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "-z" {
            let z = args.next().unwrap_or("");
            match z.strip_prefix("stack-size=") {
                Some(n) => apply(options, "stack-size", n)?,
                None => return Err(format!("unknown -z value: {z}")),
            }
            continue;
        }
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(format!("not a flag: {arg}"));
        };
        let (long, value) = match flag.split_once('=') {
            Some((long, value)) => (long, value),
            None => {
                let missing = FLAGS
                    .iter()
                    .find(|f| f.long == flag)
                    .and_then(|f| f.missing);
                (flag, missing.unwrap_or(""))
            }
        };
        apply(options, long, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::Entry;

    #[test]
    fn every_flag_applies_and_unknown_ones_do_not() {
        let mut o = LinkOptions::default();
        apply_args(
            &mut o,
            "--stack-size=0x100 --no-stack-first --global-base=2048 --import-memory \
             --export=a --export=b --table-base=5 --no-entry -z stack-size=32"
                .split_whitespace(),
        )
        .unwrap();
        assert_eq!(o.layout.stack_size, 32);
        assert!(!o.layout.stack_first);
        assert_eq!(o.layout.global_base, Some(2048));
        assert_eq!(o.layout.table_base, 5);
        assert_eq!(o.import_memory, Some(("env".into(), "memory".into())));
        assert_eq!(o.exports, ["a", "b"]);
        assert_eq!(o.entry, Entry::None);
        assert!(apply(&mut o, "stack-size", "ten").is_err());
        assert!(apply(&mut o, "import-memory", "env").is_err());
        assert_eq!(
            apply(&mut o, "nope", ""),
            Err("unknown flag --nope".to_string())
        );
        for flag in FLAGS {
            assert!(!flag.help.is_empty(), "{}", flag.long);
            let value = flag.missing.unwrap_or(match flag.value {
                Some("N") => "65536",
                Some(_) => "x",
                None => "",
            });
            let value = if flag.long == "import-memory" {
                "a,b"
            } else {
                value
            };
            apply(&mut LinkOptions::default(), flag.long, value).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}
