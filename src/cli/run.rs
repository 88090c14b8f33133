//! `watlink run`: instantiate a module with its imports and call its exports, or run it as a WASI
//! command.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use watlink::exec::{
    Extern, ExternType, Imports, InstanceHandle, Limits, Module, Store, Trap, ValType, Value,
};
use watlink::wasi::{Wasi, WasiConfig};

use super::{Ctx, Input};

const EXAMPLES: &str = "\
Examples:
  watlink run examples/hello.wat --invoke checksum
  watlink run examples/hello.wat --invoke fac 20
  watlink run examples/bump_alloc.wat --invoke 'alloc 16 8' --invoke 'alloc 8 8'
  watlink run examples/sum.wat --write-memory 0=0200000028000000 --invoke sum --print-memory 0:12
  watlink run examples/strlen.wat --write-memory '0x100=\"hello\\n\"' --invoke strlen 0x100
  watlink run app.wat --write-memory 1024=@input.bin --invoke 'parse 1024 100'
  watlink run examples/greet.wat --preload alloc=examples/alloc.wat --invoke greet
  watlink run examples/greet.wat --stub-imports --invoke greet   # imports print their arguments
  watlink run hello.wasm --dir data::/data --env LANG=C -- arg1 arg2   # a WASI command
  watlink run loop.wat --invoke spin --timeout 2        # ends with \"deadline exceeded\"";

/// Run a module (.wat or .wasm) in the bundled interpreter.
///
/// Each `--invoke 'NAME ARGS…'` calls that export with ARGS parsed by its parameter types (decimal
/// or `0x` hex integers; floats as decimal, hex, `inf`, `nan`) and prints each result on its own
/// line (`i32:42`, `f64:1.5`, …); several `--invoke`s run in order on one instance. Without one,
/// instantiation runs the start function, then a `_start` export if there is one (a WASI command).
/// A trap prints its message and a backtrace and exits with status 1; a WASI `proc_exit` exits
/// with its code.
///
/// Imports come from `--preload`ed modules and WASI (`wasi_snapshot_preview1`); an imported
/// memory, table or global that nothing provides is created from its declared type, an imported
/// function that nothing provides is an error (or, with `--stub-imports`, a stub).
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The module: text (.wat) is compiled in memory first; binary (.wasm) is decoded.
    file: PathBuf,
    /// Call an export: the name, then its arguments, one per parameter (quote them together:
    /// `--invoke 'fill 0 16'`). Repeatable: the calls run in order on one instance.
    #[arg(long, value_name = "'NAME ARGS…'", allow_hyphen_values = true)]
    invoke: Vec<String>,
    /// Arguments of the only `--invoke`, given after it (`--invoke fac 20`).
    #[arg(allow_negative_numbers = true)]
    args: Vec<String>,
    /// Arguments of a WASI command (its `argv[1..]`), after `--`.
    #[arg(last = true)]
    wasi_args: Vec<String>,
    /// Instantiate FILE (.wat or .wasm) first and make its exports importable as module NAME.
    /// Repeatable; later modules may import from earlier ones.
    #[arg(long, value_name = "NAME=FILE")]
    preload: Vec<String>,
    /// Provide every imported function nothing else provides with a stub that prints its name
    /// and arguments to stderr and returns zeros.
    #[arg(long)]
    stub_imports: bool,
    /// After the calls, print LEN bytes of memory 0 from ADDR as hex and ASCII (like xxd).
    /// Repeatable.
    #[arg(long, value_name = "ADDR:LEN")]
    print_memory: Vec<String>,
    /// Before the calls (after instantiation: data segments and the start function), write DATA
    /// into memory 0 at ADDR: hex bytes (`48656c6c6f`; spaces allowed, as --print-memory shows
    /// them), `"TEXT"` (with the text format's escapes: `\n`, `\t`, `\\`, `\"`, `\hh`,
    /// `\u{…}`) or `@FILE` (the file's bytes). Repeatable, in order.
    #[arg(long, value_name = "ADDR=DATA")]
    write_memory: Vec<String>,
    /// After the calls, print the value of every exported global.
    #[arg(long)]
    print_globals: bool,
    /// WASI: an environment variable of the guest. Repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// WASI: give the guest the host directory HOST, seen as GUEST (default: HOST as written).
    /// The guest cannot reach outside it. Repeatable.
    #[arg(long, value_name = "HOST[::GUEST]")]
    dir: Vec<String>,
    /// Instruction budget; running out ends execution with "all fuel consumed".
    #[arg(long)]
    fuel: Option<u64>,
    /// Stop the guest with "deadline exceeded" after SECONDS of running (checked once per 2^20
    /// instructions; a host call blocked on input is not interrupted).
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Bytes that all memories, tables (8 bytes an element) and the interpreter's stacks may take
    /// together (suffixes K, M, G: powers of 1024).
    #[arg(long, value_name = "BYTES", default_value = "2G", value_parser = parse_bytes)]
    memory_budget: u64,
    /// Largest size in bytes any memory may grow to (memory.grow returns -1 past it).
    #[arg(long, default_value_t = 1 << 32)]
    max_memory: u64,
    /// Largest number of elements any table may grow to.
    #[arg(long, default_value_t = 10_000_000)]
    max_table: u64,
    /// Deepest guest call nesting; deeper ends with "call stack exhausted".
    #[arg(long, default_value_t = 10_000)]
    max_call_depth: u32,
    /// Trap when `__stack_pointer` is set outside [`__stack_low`, `__stack_high`] (globals the
    /// module exports or names in its name section; the linker exports them).
    #[arg(long)]
    stack_guard: bool,
    #[command(flatten)]
    features: super::FeatureOpts,
}

/// A run that stopped: the exit status, after its message was printed.
struct Stop(ExitCode);

type Step<T> = Result<T, Stop>;

/// Prints a located-nowhere error as `--error-format` says; the run fails.
fn fail(ctx: &Ctx, class: watlink::Class, msg: impl std::fmt::Display) -> Stop {
    ctx.fail(class, msg.to_string());
    Stop(ExitCode::FAILURE)
}

/// A module loaded for running, with its source text if it was compiled from one.
struct Loaded {
    module: Module,
    /// The name to show in diagnostics (its path).
    name: String,
    /// The text it was compiled from (a `.wat` input).
    text: Option<String>,
    /// The features it was compiled and decoded with (`--features`).
    features: watlink::Features,
}

/// Reads, compiles if text, and decodes the module at `path`.
fn load(ctx: &Ctx, path: &Path, features: watlink::Features) -> Step<Loaded> {
    let mut source = None;
    let wasm = match super::read_module(path) {
        Ok(Input::Binary(_, bytes)) => bytes,
        Ok(Input::Text(name, text)) => {
            let options = watlink::CompileOptions {
                features,
                ..Default::default()
            };
            match watlink::compile(&name, &text, &options) {
                Ok(w) => {
                    source = Some(text);
                    w
                }
                Err(errors) => {
                    ctx.report(&errors);
                    return Err(Stop(ExitCode::FAILURE));
                }
            }
        }
        Err(errors) => {
            ctx.report(&errors);
            return Err(Stop(ExitCode::FAILURE));
        }
    };
    match Module::with_features(&wasm, &features) {
        Ok(module) => Ok(Loaded {
            module,
            name: path.display().to_string(),
            text: source,
            features,
        }),
        Err(e) => Err(fail(
            ctx,
            e.class,
            format_args!("{}: {}: {}", path.display(), e.class.word(), e.message),
        )),
    }
}

/// Everything that supplies imports: preloaded modules, WASI, and what is made up.
struct Linker {
    imports: Imports,
    wasi: Option<Wasi>,
    wasi_config: WasiConfig,
    stub: bool,
}

impl Linker {
    /// Supplies what `module`'s imports still lack: WASI functions, memories, tables and
    /// globals made from their declared types, stubs. Missing functions are an error listing
    /// each with its type.
    fn complete(&mut self, ctx: &Ctx, store: &mut Store, module: &Module) -> Step<()> {
        let mut missing = Vec::new();
        for (m, name, ty) in module.imports() {
            if self.imports.get(m, name).is_some() {
                continue;
            }
            if m == watlink::wasi::MODULE && self.wasi.is_none() {
                let wasi = Wasi::new(self.wasi_config.clone())
                    .map_err(|e| fail(ctx, watlink::Class::Io, format_args!("--dir: {e}")))?;
                wasi.define(store, &mut self.imports);
                self.wasi = Some(wasi);
                if self.imports.get(m, name).is_some() {
                    continue;
                }
            }
            let made = match &ty {
                ExternType::Memory { min, max } => {
                    let (min, max) = (to_u32(*min), max.map(to_u32));
                    store.new_memory(min, max).map(Extern::Memory)
                }
                ExternType::Table { elem, min, max } => {
                    let (min, max) = (to_u32(*min), max.map(to_u32));
                    store.new_table(*elem, min, max).map(Extern::Table)
                }
                ExternType::Global { ty, mutable } => {
                    Ok(Extern::Global(store.new_global(zero(*ty), *mutable)))
                }
                ExternType::Func(ft) if self.stub => {
                    let label = format!("{m}.{name}");
                    let results = ft.results.clone();
                    let f = store.host_func(ft.clone(), move |args| {
                        let args: Vec<String> = args.iter().map(Value::to_string).collect();
                        eprintln!("{label}({})", args.join(", "));
                        Ok(results.iter().map(|&t| zero(t)).collect())
                    });
                    Ok(Extern::Func(f))
                }
                // A tag has no behaviour to stub: a new one serves.
                ExternType::Tag(ft) => Ok(Extern::Tag(store.new_tag(ft.clone()))),
                ExternType::Func(_) => {
                    missing.push(format!("  {m}.{name}: {ty}"));
                    continue;
                }
            };
            match made {
                Ok(e) => {
                    self.imports.define(m, name, e);
                }
                Err(e) => {
                    return Err(fail(
                        ctx,
                        e.class,
                        format_args!("import {m}.{name} ({ty}): {}", e.message),
                    ));
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        Err(fail(
            ctx,
            watlink::Class::Unlinkable,
            format_args!(
                "unlinkable: {} imported function(s) not provided (use --preload NAME=FILE, or \
                 --stub-imports):\n{}",
                missing.len(),
                missing.join("\n")
            ),
        ))
    }
}

fn to_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The zero value of `ty` (a null reference for reference types).
fn zero(ty: ValType) -> Value {
    match ty {
        ValType::I32 => Value::I32(0),
        ValType::I64 => Value::I64(0),
        ValType::F32 => Value::F32(0),
        ValType::F64 => Value::F64(0),
        ValType::V128 => Value::V128(0),
        ValType::FuncRef => Value::FuncRef(None),
        ValType::ExternRef => Value::ExternRef(None),
        ValType::AnyRef => Value::AnyRef(None),
        ValType::ExnRef => Value::ExnRef(None),
    }
}

/// Runs `watlink run`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    match session(ctx, opts) {
        Ok(code) | Err(Stop(code)) => code,
    }
}

/// One call of an export: its name and argument texts.
struct Call {
    name: String,
    args: Vec<String>,
}

/// The calls `--invoke` and the positional arguments ask for.
fn calls(ctx: &Ctx, opts: &Opts) -> Step<Vec<Call>> {
    let mut calls: Vec<Call> = opts
        .invoke
        .iter()
        .map(|s| {
            let mut words = s.split_whitespace().map(str::to_string);
            Call {
                name: words.next().unwrap_or_default(),
                args: words.collect(),
            }
        })
        .collect();
    if calls.iter().any(|c| c.name.is_empty()) {
        return Err(fail(
            ctx,
            watlink::Class::Io,
            "--invoke needs a function name",
        ));
    }
    if !opts.args.is_empty() {
        match calls.as_mut_slice() {
            [only] if only.args.is_empty() => only.args = opts.args.clone(),
            [] => {
                return Err(fail(
                    ctx,
                    watlink::Class::Io,
                    format_args!(
                        "arguments {:?} given without --invoke (a WASI command's arguments go \
                         after `--`)",
                        opts.args
                    ),
                ));
            }
            _ => {
                return Err(fail(
                    ctx,
                    watlink::Class::Io,
                    format_args!(
                        "arguments {:?} given after several --invoke: write each call's \
                         arguments inside it (--invoke 'NAME ARGS…')",
                        opts.args
                    ),
                ));
            }
        }
    }
    Ok(calls)
}

fn session(ctx: &Ctx, opts: Opts) -> Step<ExitCode> {
    let calls = calls(ctx, &opts)?;
    let regions = opts
        .print_memory
        .iter()
        .map(|r| {
            parse_region(r).ok_or_else(|| {
                fail(
                    ctx,
                    watlink::Class::Io,
                    format_args!("--print-memory {r}: expected ADDR:LEN (decimal or 0x hex)"),
                )
            })
        })
        .collect::<Step<Vec<_>>>()?;
    let writes = opts
        .write_memory
        .iter()
        .map(|w| {
            parse_write(w).map_err(|why| {
                fail(
                    ctx,
                    watlink::Class::Io,
                    format_args!("--write-memory {w}: {why}"),
                )
            })
        })
        .collect::<Step<Vec<_>>>()?;
    let wasi_config = wasi_config(ctx, &opts)?;
    let main = load(ctx, &opts.file, opts.features.features)?;
    let limits = Limits {
        fuel: opts.fuel,
        max_memory_bytes: opts.max_memory,
        max_table_elems: opts.max_table,
        max_call_depth: opts.max_call_depth,
        ..Limits::default()
    };
    let mut store = Store::new(limits);
    store.set_memory_budget(opts.memory_budget);
    if let Some(secs) = opts.timeout {
        let Some(d) = std::time::Duration::try_from_secs_f64(secs).ok() else {
            return Err(fail(
                ctx,
                watlink::Class::Io,
                format_args!("--timeout {secs}: expected a number of seconds"),
            ));
        };
        store.set_deadline(std::time::Instant::now().checked_add(d));
    }
    let mut sources: Vec<(InstanceHandle, Loaded)> = Vec::new();
    let mut linker = Linker {
        imports: Imports::new(),
        wasi: None,
        wasi_config,
        stub: opts.stub_imports,
    };
    for p in &opts.preload {
        let Some((name, file)) = p
            .split_once('=')
            .filter(|(n, f)| !n.is_empty() && !f.is_empty())
        else {
            return Err(fail(
                ctx,
                watlink::Class::Io,
                format_args!("--preload {p}: expected NAME=FILE"),
            ));
        };
        let loaded = load(ctx, Path::new(file), opts.features.features)?;
        linker.complete(ctx, &mut store, &loaded.module)?;
        let instance = instantiate(ctx, &mut store, &linker, &loaded, &sources)?;
        linker.imports.define_instance(&store, name, instance);
        sources.push((instance, loaded));
    }
    linker.complete(ctx, &mut store, &main.module)?;
    let instance = instantiate(ctx, &mut store, &linker, &main, &sources)?;
    sources.push((instance, main));
    if opts.stack_guard && store.guard_stack(instance).is_none() {
        return Err(fail(
            ctx,
            watlink::Class::Io,
            "--stack-guard: the module has no __stack_pointer, __stack_low and __stack_high globals",
        ));
    }
    for ((addr, bytes), text) in writes.iter().zip(&opts.write_memory) {
        let memory = memory0(&store, instance);
        let Some(place) = memory.and_then(|m| {
            let start = usize::try_from(*addr).ok()?;
            store
                .memory_mut(m)
                .get_mut(start..start.checked_add(bytes.len())?)
        }) else {
            let why = match memory {
                Some(m) => format!(
                    "{} byte(s) at {addr:#x} are outside memory 0 ({} bytes)",
                    bytes.len(),
                    store.memory(m).len()
                ),
                None => "the module has no memory".into(),
            };
            return Err(fail(
                ctx,
                watlink::Class::Io,
                format_args!("--write-memory {text}: {why}"),
            ));
        };
        place.copy_from_slice(bytes);
    }
    let calls = if calls.is_empty() {
        match store.export(instance, "_start") {
            Some(Extern::Func(_)) => vec![Call {
                name: "_start".into(),
                args: Vec::new(),
            }],
            _ => Vec::new(),
        }
    } else {
        calls
    };
    for call in &calls {
        let results = invoke(&mut store, instance, call);
        match results {
            Ok(values) => {
                let mut out = std::io::stdout().lock();
                for v in values {
                    let _ = writeln!(out, "{v}");
                }
            }
            Err(Failed::Usage(msg)) => return Err(fail(ctx, watlink::Class::Io, msg)),
            Err(Failed::Trap(trap)) => return Err(stopped(ctx, &store, &linker, &trap, &sources)),
        }
    }
    let mut out = std::io::stdout().lock();
    for (addr, len) in regions {
        let Some(bytes) = memory0(&store, instance).and_then(|m| {
            store
                .memory(m)
                .get(addr as usize..(addr as usize).checked_add(len)?)
        }) else {
            return Err(fail(
                ctx,
                watlink::Class::Io,
                format_args!("--print-memory {addr:#x}:{len}: outside memory 0"),
            ));
        };
        let _ = out.write_all(hex_dump(addr, bytes).as_bytes());
    }
    if opts.print_globals {
        let mut names = store.export_names(instance);
        names.sort();
        for name in names {
            if let Some(v) = store.get_global(instance, &name) {
                let _ = writeln!(out, "{name} = {v}");
            }
        }
    }
    let _ = out.flush();
    Ok(ExitCode::SUCCESS)
}

/// How a trap ends the run: a WASI `proc_exit` with its code; anything else is printed with its
/// backtrace, status 1.
fn stopped(
    ctx: &Ctx,
    store: &Store,
    linker: &Linker,
    trap: &Trap,
    sources: &[(InstanceHandle, Loaded)],
) -> Stop {
    let _ = std::io::stdout().flush();
    if let Some(code) = linker.wasi.as_ref().and_then(Wasi::exit_code) {
        return Stop(ExitCode::from(code as u8));
    }
    ctx.report(&trap_report(trap, store.backtrace(), sources, None));
    Stop(ExitCode::FAILURE)
}

/// Frames of a backtrace shown (innermost first) before "… N more frames".
const SHOWN_FRAMES: usize = 20;
/// Frames of the innermost module labelled in the source picture.
const LABELLED_FRAMES: usize = 4;

/// A trap as a diagnostic. In the innermost frame's text (a `.wat` input) the trapping
/// instruction is the primary label and the calls of the next frames secondary ones; a note lists
/// every frame as `NAME at FILE:LINE:COL` (text) or `NAME at FILE:0xOFFSET` (binary; names from
/// the name section).
fn trap_report(
    trap: &Trap,
    frames: &[watlink::exec::TraceFrame],
    sources: &[(InstanceHandle, Loaded)],
    instantiating: Option<&Loaded>,
) -> watlink::Errors {
    let message = format!("{}: {}", trap.class().word(), trap.message());
    let mut error = watlink::Error::unlocated(trap.class(), message);
    let source_of = |f: &watlink::exec::TraceFrame| {
        // A frame of no instance in `sources` is of the module whose start function trapped.
        sources
            .iter()
            .find(|(i, _)| *i == f.instance)
            .map(|(_, l)| l)
            .or(instantiating)
    };
    // Source maps are built only now, once per module with a frame.
    let mut maps: Vec<(InstanceHandle, Option<watlink::SourceMap>)> = Vec::new();
    let mut span_of = |f: &watlink::exec::TraceFrame| {
        let loaded = source_of(f)?;
        let text = loaded.text.as_deref()?;
        let at = match maps.iter().position(|(i, _)| *i == f.instance) {
            Some(at) => at,
            None => {
                let options = watlink::CompileOptions {
                    features: loaded.features,
                    ..Default::default()
                };
                let map = watlink::SourceMap::new(text, &options);
                maps.push((f.instance, map));
                maps.len() - 1
            }
        };
        maps[at].1.as_ref()?.locate(f.func, f.body_offset?)
    };
    let name = |f: &watlink::exec::TraceFrame| match &f.name {
        Some(n) => format!("${n}"),
        None => format!("func[{}]", f.func),
    };
    let home = frames.first().map(|f| f.instance);
    let mut lines = vec!["backtrace:".to_string()];
    let mut labelled = Vec::new();
    let mut shown = 0;
    let mut repeats = 0;
    for (k, f) in frames.iter().enumerate() {
        let span = span_of(f);
        // A run of one frame (recursion) is shown once, then counted.
        let same = k > 0 && frames[k - 1].func == f.func && frames[k - 1].offset == f.offset;
        if same {
            repeats += 1;
            continue;
        }
        if repeats > 0 {
            lines.push(format!("  … the same frame {repeats} more time(s)"));
            repeats = 0;
        }
        shown += 1;
        if shown <= SHOWN_FRAMES {
            let place = match (span, source_of(f)) {
                (Some(span), Some(l)) => {
                    let (line, col) = line_col(l.text.as_deref().unwrap_or(""), span.start);
                    format!("{}:{line}:{col}", l.name)
                }
                (None, Some(l)) => match f.offset {
                    Some(o) => format!("{}:{o:#x}", l.name),
                    None => l.name.clone(),
                },
                (_, None) => match f.offset {
                    Some(o) => format!("{o:#x}"),
                    None => "?".to_string(),
                },
            };
            lines.push(format!("  {k}: {} at {place}", name(f)));
        }
        if shown <= LABELLED_FRAMES
            && Some(f.instance) == home
            && let Some(span) = span
            && !labelled.contains(&span)
        {
            labelled.push(span);
            if k == 0 {
                error.span = Some(span);
                error.label = format!("trapped in {}", name(f));
            } else {
                error = error.with_secondary(span, format!("{k}: called from {}", name(f)));
            }
        }
    }
    if repeats > 0 {
        lines.push(format!("  … the same frame {repeats} more time(s)"));
    }
    if shown > SHOWN_FRAMES {
        lines.push(format!("  … {} more frames", shown - SHOWN_FRAMES));
    }
    if frames.is_empty() {
        lines.push("  (no wasm frames)".into());
    }
    let error = error.with_note(lines.join("\n"));
    match frames.first().and_then(source_of) {
        Some(Loaded {
            name,
            text: Some(text),
            ..
        }) if error.span.is_some() => {
            watlink::Errors::new(name.clone(), text.as_str(), vec![error])
        }
        Some(l) => watlink::Errors::new(l.name.clone(), "", vec![error]),
        None => watlink::Errors::new("", "", vec![error]),
    }
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The WASI settings from `--env`, `--dir` and the arguments after `--`.
fn wasi_config(ctx: &Ctx, opts: &Opts) -> Step<WasiConfig> {
    let mut config = WasiConfig::new();
    let program = opts.file.file_name().map_or_else(
        || opts.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    config.arg(program);
    for a in &opts.wasi_args {
        config.arg(a.clone());
    }
    for e in &opts.env {
        let Some((k, v)) = e.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(fail(
                ctx,
                watlink::Class::Io,
                format_args!("--env {e}: expected KEY=VALUE"),
            ));
        };
        config.env(k, v);
    }
    for d in &opts.dir {
        let (host, guest) = d.split_once("::").unwrap_or((d, d));
        config.preopen(host, guest);
    }
    Ok(config)
}

/// Instantiates `loaded` (runs its start function), reporting failures against its file.
fn instantiate(
    ctx: &Ctx,
    store: &mut Store,
    linker: &Linker,
    loaded: &Loaded,
    sources: &[(InstanceHandle, Loaded)],
) -> Step<InstanceHandle> {
    store
        .instantiate(&loaded.module, &linker.imports)
        .map_err(|e| {
            if let Some(code) = linker.wasi.as_ref().and_then(Wasi::exit_code) {
                return Stop(ExitCode::from(code as u8));
            }
            if matches!(e.class, watlink::Class::Trap | watlink::Class::Exhaustion)
                && !store.backtrace().is_empty()
            {
                // The start function trapped.
                let trap = Trap::Host(e.message.clone());
                let mut errors = trap_report(&trap, store.backtrace(), sources, Some(loaded));
                errors.errors[0].message = format!("{}: {}", e.class.word(), e.message);
                ctx.report(&errors);
                return Stop(ExitCode::FAILURE);
            }
            let file = &loaded.name;
            fail(
                ctx,
                e.class,
                format_args!("{file}: {}: {}", e.class.word(), e.message),
            )
        })
}

/// Why a call did not return: a bad request (no such export, wrong arguments) or a trap.
enum Failed {
    Usage(String),
    Trap(Trap),
}

/// Calls `call` on `instance`: its arguments are parsed by the export's parameter types.
fn invoke(store: &mut Store, instance: InstanceHandle, call: &Call) -> Result<Vec<Value>, Failed> {
    let name = &call.name;
    let Some(Extern::Func(func)) = store.export(instance, name) else {
        return Err(Failed::Usage(format!("no exported function \"{name}\"")));
    };
    let params = store.func_type(func).params.clone();
    if params.len() != call.args.len() {
        return Err(Failed::Usage(format!(
            "\"{name}\" takes {} argument(s), {} given",
            params.len(),
            call.args.len()
        )));
    }
    let mut args = Vec::new();
    for (ty, text) in params.iter().zip(&call.args) {
        match parse_arg(*ty, text) {
            Some(v) => args.push(v),
            None => return Err(Failed::Usage(format!("cannot read \"{text}\" as {ty}"))),
        }
    }
    store.call(func, &args).map_err(Failed::Trap)
}

/// Memory 0 of `instance`: its exported memory, or the one it imports.
fn memory0(store: &Store, instance: InstanceHandle) -> Option<watlink::exec::MemoryHandle> {
    store.instance_memory(instance, 0)
}

/// Parses a byte count with an optional K, M or G suffix (powers of 1024).
fn parse_bytes(s: &str) -> Result<u64, String> {
    let (digits, shift) = match s.strip_suffix(['K', 'k']) {
        Some(d) => (d, 10),
        None => match s.strip_suffix(['M', 'm']) {
            Some(d) => (d, 20),
            None => match s.strip_suffix(['G', 'g']) {
                Some(d) => (d, 30),
                None => (s, 0),
            },
        },
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("expected a byte count like 65536, 64K, 512M or 2G, not {s:?}"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{s} bytes is too many"))
}

/// Parses `ADDR:LEN` (decimal or `0x` hex).
fn parse_region(s: &str) -> Option<(u64, usize)> {
    let (a, l) = s.split_once(':')?;
    let num = |t: &str| match t.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => t.parse().ok(),
    };
    Some((num(a)?, usize::try_from(num(l)?).ok()?))
}

/// Parses `ADDR=DATA` of `--write-memory` (see its help) into the address and the bytes; a file
/// named by `@FILE` is read now.
fn parse_write(s: &str) -> Result<(u64, Vec<u8>), String> {
    const FORM: &str = "expected ADDR=HEX, ADDR=\"TEXT\" or ADDR=@FILE";
    let (a, data) = s.split_once('=').ok_or(FORM)?;
    let addr = match a.trim().strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => a.trim().parse().ok(),
    }
    .ok_or_else(|| format!("{FORM}; ADDR is decimal or 0x hex"))?;
    let bytes = if let Some(file) = data.strip_prefix('@') {
        std::fs::read(file).map_err(|e| format!("{file}: {e}"))?
    } else if let Some(text) = data.strip_prefix('"') {
        let text = text
            .strip_suffix('"')
            .ok_or("the text has no closing quote")?;
        unescape(text)?
    } else {
        let digits: Vec<u8> = data.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if digits.len() % 2 == 1 {
            return Err(format!(
                "{FORM}; the hex bytes have an odd number of digits"
            ));
        }
        digits
            .chunks(2)
            .map(|pair| {
                let pair = std::str::from_utf8(pair).ok()?;
                u8::from_str_radix(pair, 16).ok()
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| format!("{FORM}; \"{data}\" is not hex bytes"))?
    };
    Ok((addr, bytes))
}

/// The bytes of a text-format string's contents: UTF-8, with `\t`, `\n`, `\r`, `\"`, `\'`,
/// `\\`, `\hh` (a byte) and `\u{h…}` (a character).
fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let bad = || format!("unknown escape in \"{text}\"");
        match chars.next().ok_or_else(bad)? {
            't' => out.push(b'\t'),
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            q @ ('"' | '\'' | '\\') => out.push(q as u8),
            'u' => {
                let rest = chars.as_str();
                let hex = rest
                    .strip_prefix('{')
                    .and_then(|r| r.split_once('}'))
                    .map(|(h, _)| h)
                    .ok_or_else(bad)?;
                let c = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(bad)?;
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                chars = rest[hex.len() + 2..].chars();
            }
            h => {
                let l = chars.next().ok_or_else(bad)?;
                let byte = h
                    .to_digit(16)
                    .zip(l.to_digit(16))
                    .map(|(h, l)| (h * 16 + l) as u8)
                    .ok_or_else(bad)?;
                out.push(byte);
            }
        }
    }
    Ok(out)
}

/// `bytes` (read at `addr`) as `xxd` shows them: offset, 16 bytes in groups of two, ASCII.
fn hex_dump(addr: u64, bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, row) in bytes.chunks(16).enumerate() {
        let mut hex = String::new();
        for (j, b) in row.iter().enumerate() {
            hex.push_str(&format!("{b:02x}"));
            if j % 2 == 1 {
                hex.push(' ');
            }
        }
        let ascii: String = row
            .iter()
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:08x}: {hex:<40} {ascii}\n",
            addr + 16 * i as u64
        ));
    }
    out
}

/// Parses a command-line argument as a value of type `ty`.
fn parse_arg(ty: ValType, text: &str) -> Option<Value> {
    use watlink::text::number;
    match ty {
        ValType::I32 => number::i32(text).ok().map(Value::I32),
        ValType::I64 => number::i64(text).ok().map(Value::I64),
        ValType::F32 => number::f32(text).ok().map(Value::F32),
        ValType::F64 => number::f64(text).ok().map(Value::F64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_dump_matches_xxd() {
        let dump = hex_dump(0x10, b"hello, world!\0\x01\x7fAB");
        assert_eq!(
            dump,
            "00000010: 6865 6c6c 6f2c 2077 6f72 6c64 2100 017f  hello, world!...\n\
             00000020: 4142                                     AB\n"
        );
    }

    #[test]
    fn byte_counts_parse() {
        assert_eq!(parse_bytes("2G"), Ok(2 << 30));
        assert_eq!(parse_bytes("64k"), Ok(65536));
        assert_eq!(parse_bytes("100"), Ok(100));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("99999999999999G").is_err());
    }

    #[test]
    fn writes_parse() {
        assert_eq!(parse_write("0x10=6869"), Ok((16, b"hi".to_vec())));
        assert_eq!(parse_write("8=4865 6c6c 6f"), Ok((8, b"Hello".to_vec())));
        assert_eq!(
            parse_write(r#"0="a\tb\n\"\\\00\u{e9}""#),
            Ok((0, "a\tb\n\"\\\0é".as_bytes().to_vec()))
        );
        assert_eq!(parse_write("0=").map(|w| w.1.len()), Ok(0));
        assert!(parse_write("0=abc").unwrap_err().contains("odd number"));
        assert!(parse_write("0=zz").unwrap_err().contains("not hex bytes"));
        assert!(parse_write("x=00").unwrap_err().contains("ADDR is decimal"));
        assert!(
            parse_write(r#"0="\q""#)
                .unwrap_err()
                .contains("unknown escape")
        );
        assert!(parse_write(r#"0="\u{d800}""#).is_err());
        assert!(
            parse_write(r#"0="open"#)
                .unwrap_err()
                .contains("closing quote")
        );
        assert!(
            parse_write("0=@/no/such/file")
                .unwrap_err()
                .contains("/no/such/file")
        );
        assert!(parse_write("16").unwrap_err().contains("expected ADDR=HEX"));
    }

    #[test]
    fn regions_parse() {
        assert_eq!(parse_region("0x10:32"), Some((16, 32)));
        assert_eq!(parse_region("16"), None);
    }
}
