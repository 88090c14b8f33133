//! Differential check of `watlink::exec` against wasmi on `wasm-smith` modules.
//!
//! Shared by the in-tree test (`tests/it/differential.rs`, a deterministic slice) and the fuzz
//! target (`fuzz/fuzz_targets/differential.rs`, the long run), which include this file by path.
//! Uses only the public `watlink::exec` API.
//!
//! One module: generate it from fuzz bytes ([`smith_config`] is the one place that says which
//! WebAssembly features are generated), load it in both engines, instantiate it in both with fuel,
//! compare the instances' exported globals, memories and tables, then call every exported function
//! in export order with arguments drawn from the rest of the input (zero when it runs out) and
//! after each call compare the results, or the traps by spec category, and again the exported
//! state. Comparisons that cannot be fair are skipped and counted by reason: fuel or call-depth
//! exhaustion in either engine (they count fuel and frames differently; after one the two
//! instances' states may differ, so the module's remaining calls are skipped too) and a module one
//! engine refuses for resource reasons.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;

use arbitrary::Unstructured;
use watlink::exec;

/// Fuel each engine gets for instantiation (the start function) and again for each call, unless
/// `DIFFERENTIAL_FUEL` says otherwise. The two count differently (per instruction or block, bulk
/// operations by bytes or not), so running out in either skips the comparison.
pub const FUEL: u64 = 20_000;

fn fuel() -> u64 {
    static FUEL_SET: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *FUEL_SET.get_or_init(|| match std::env::var("DIFFERENTIAL_FUEL") {
        Ok(v) => v.parse().expect("DIFFERENTIAL_FUEL is a number"),
        Err(_) => FUEL,
    })
}
/// The deepest guest call nesting in both engines.
pub const MAX_CALL_DEPTH: u32 = 300;

/// The `wasm-smith` configuration: which features modules use and how big they get.
///
/// The feature set is the one place to widen when the interpreter executes more (SIMD, memory64,
/// multi-memory, exceptions, GC, ...): flip the flag here; `features_are_supported` (checked by
/// the test) keeps it within what `watlink::exec::features()` validates.
pub fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        // Features watlink's interpreter executes: WebAssembly 2.0 (MVP, sign extension,
        // saturating conversions, multi-value, reference types, bulk memory) and tail calls.
        saturating_float_to_int_enabled: true,
        sign_extension_ops_enabled: true,
        multi_value_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        tail_call_enabled: true,
        // Not (yet): widen here.
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        memory64_enabled: false,
        max_memories: 1, // more is multi-memory
        exceptions_enabled: false,
        gc_enabled: false,
        custom_descriptors_enabled: false,
        custom_page_sizes_enabled: false,
        extended_const_enabled: false,
        wide_arithmetic_enabled: false,
        compact_imports_enabled: false,
        acquire_release_atomics_enabled: false,
        multibyte_array_access_enabled: false,
        // Comparable results: NaNs are canonicalized after every float operation.
        canonicalize_nans: true,
        // Everything is exported so both engines' state can be read; imports are from `HOST`.
        export_everything: true,
        available_imports: Some(wat::parse_str(HOST).expect("HOST parses")),
        max_imports: 8,
        // Small resources, each with a maximum, so both engines grow (or refuse) alike.
        max_memory32_bytes: 4 * 65536,
        memory_max_size_required: true,
        max_table_elements: 200,
        table_max_size_required: true,
        max_tables: 2,
        // Bytes go to functions rather than to other items: more calls per module.
        min_funcs: 2,
        max_funcs: 20,
        max_instructions: 200,
        max_types: 20,
        max_globals: 10,
        max_data_segments: 5,
        max_element_segments: 5,
        max_elements: 20,
        ..wasm_smith::Config::default()
    }
}

/// What modules may import: the same host functions, globals, memory and table are given to
/// both engines (see `Watlink::imports` and `Wasmi::linker`).
pub const HOST: &str = r#"(module
  (import "host" "id" (func (param i32) (result i32)))      ;; x * 3 + 1
  (import "host" "mix" (func (param i64 f64) (result i64))) ;; x ^ bits(y)
  (import "host" "nop" (func))
  (import "host" "trap" (func (param i32)))                 ;; traps when x & 0xff == 0x7f
  (import "host" "g_i32" (global (mut i32)))                ;; 5
  (import "host" "g_f64" (global f64))                      ;; 2.5
  (import "host" "mem" (memory 1 3))
  (import "host" "tab" (table 4 20 funcref))
)"#;

fn host_id(x: i32) -> i32 {
    x.wrapping_mul(3).wrapping_add(1)
}

fn host_mix(x: i64, y: u64) -> i64 {
    x ^ y as i64
}

fn host_traps(x: i32) -> bool {
    x & 0xff == 0x7f
}

/// Whether every feature [`smith_config`] generates is one watlink validates.
pub fn features_are_supported() -> bool {
    let smith = smith_config().features();
    let ours = exec::features();
    // wasm-smith always sets these; they are part of WebAssembly 2.0.
    ours.contains(smith)
}

/// Why a comparison was skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skip {
    /// wasm-smith could not make a module of the input.
    NoModule,
    /// wasmi refused the module for an implementation or resource limit.
    WasmiRefusedModule,
    /// An engine refused to instantiate the module for resource reasons.
    ResourceRefusal,
    /// Fuel or call depth ran out in an engine during instantiation: which ran out of what, in
    /// watlink and in wasmi ("-" for an engine that did not).
    ExhaustedInStart(&'static str, &'static str),
    /// Fuel or call depth ran out in an engine during a call (as for `ExhaustedInStart`).
    ExhaustedInCall(&'static str, &'static str),
    /// A call after an exhausted one that could not be made on fresh instances.
    AfterExhaustion,
    /// A function with a parameter type arguments cannot be made for (v128).
    UnsupportedParam,
}

/// The counts of one run.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Inputs tried.
    pub inputs: u64,
    /// Modules generated and loaded by both engines.
    pub modules: u64,
    /// Modules instantiated by both engines (or refused by both alike).
    pub instantiations_compared: u64,
    /// Calls whose outcome and state were compared.
    pub calls_compared: u64,
    /// Compared calls that trapped (in both engines, alike).
    pub traps_compared: u64,
    /// Skips, by reason.
    pub skipped: BTreeMap<Skip, u64>,
    /// Mismatches found.
    pub mismatches: u64,
}

impl Stats {
    fn skip(&mut self, why: Skip) {
        self.skip_n(why, 1);
    }
    fn skip_n(&mut self, why: Skip, n: u64) {
        if n > 0 {
            *self.skipped.entry(why).or_default() += n;
        }
    }
    /// All skips, of any reason.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &Stats) {
        self.inputs += other.inputs;
        self.modules += other.modules;
        self.instantiations_compared += other.instantiations_compared;
        self.calls_compared += other.calls_compared;
        self.traps_compared += other.traps_compared;
        for (k, v) in &other.skipped {
            self.skip_n(*k, *v);
        }
        self.mismatches += other.mismatches;
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inputs, {} modules, {} instantiations compared, {} calls compared ({} trapped alike), \
             {} skipped {:?}, {} mismatches",
            self.inputs,
            self.modules,
            self.instantiations_compared,
            self.calls_compared,
            self.traps_compared,
            self.skipped_total(),
            self.skipped,
            self.mismatches
        )
    }
}

/// A difference between the engines.
#[derive(Clone, Debug)]
pub struct Mismatch {
    /// The module.
    pub wasm: Vec<u8>,
    /// What differed, with the calls that led there.
    pub what: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        match wasmprinter::print_bytes(&self.wasm) {
            Ok(t) => write!(f, "\nmodule:\n{t}"),
            Err(_) => write!(f, "\nmodule: {} bytes", self.wasm.len()),
        }
    }
}

/// The spec's trap categories (the reference interpreter's messages), which both engines map to.
///
/// `call_indirect` past the table's end is "undefined element" in watlink and a table bounds trap
/// in wasmi; the spec's semantics do not tell them apart (both are a failed table bounds check),
/// so both are [`TrapKind::TableOutOfBounds`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    UninitializedElement,
    IndirectCallTypeMismatch,
    IntegerOverflow,
    IntegerDivideByZero,
    InvalidConversionToInteger,
    /// A host function trapped (both engines' messages are the host's, not compared).
    Host,
    /// Anything else, with the engine's message (never equal across engines on purpose).
    Other(String),
}

/// A value in a form both engines' values convert to. Floats are bits; a non-null function
/// reference is known by its type only (the engines' handles are not comparable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef(Option<String>),
    ExternRef(bool),
    /// A GC reference, non-null or not (watlink only: the smith configuration makes no GC).
    AnyRef(bool),
}

/// How a call or an instantiation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Returned(Vec<Val>),
    Trapped(TrapKind),
    /// Fuel or call depth ran out (not compared).
    Exhausted(&'static str),
    /// Refused for a resource limit (not compared).
    Refused(String),
    /// Any other error (compared by kind: both must fail).
    Failed(String),
}

/// The exported state of an instance, by export name (the list sorted by name).
#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Global(Val),
    Memory(Vec<u8>),
    /// Size and the elements (by [`Val`]).
    Table(Vec<Val>),
}

fn describe_state_diff(a: &[(String, State)], b: &[(String, State)]) -> String {
    for ((na, sa), (nb, sb)) in a.iter().zip(b) {
        if na != nb || sa != sb {
            return match (sa, sb) {
                (State::Memory(x), State::Memory(y)) if x.len() != y.len() => {
                    format!(
                        "memory {na}: watlink {} bytes, wasmi {} bytes",
                        x.len(),
                        y.len()
                    )
                }
                (State::Memory(x), State::Memory(y)) => {
                    let i = x.iter().zip(y).position(|(p, q)| p != q).unwrap_or(0);
                    let end = (i + 16).min(x.len());
                    format!(
                        "memory {na} differs from byte {i}: watlink {:02x?}, wasmi {:02x?}",
                        &x[i..end],
                        &y[i..end]
                    )
                }
                _ => format!("{na}: watlink {sa:?}, wasmi {sb:?}"),
            };
        }
    }
    format!(
        "exports differ: watlink {} items, wasmi {}",
        a.len(),
        b.len()
    )
}

// ---------------------------------------------------------------------------------------------
// watlink

fn wl_type_name(t: &exec::FuncType) -> String {
    format!("{:?} -> {:?}", t.params, t.results)
}

fn wl_val(store: &exec::Store, v: exec::Value) -> Val {
    match v {
        exec::Value::I32(x) => Val::I32(x),
        exec::Value::I64(x) => Val::I64(x),
        exec::Value::F32(x) => Val::F32(x),
        exec::Value::F64(x) => Val::F64(x),
        exec::Value::V128(x) => Val::V128(x),
        exec::Value::FuncRef(f) => Val::FuncRef(f.map(|f| wl_type_name(store.func_type(f)))),
        exec::Value::ExternRef(r) => Val::ExternRef(r.is_some()),
        exec::Value::ExternAny(_) => Val::ExternRef(true),
        exec::Value::AnyRef(r) => Val::AnyRef(r.is_some()),
        exec::Value::ExnRef(_) => unreachable!("the generated modules use no exception handling"),
    }
}

fn wl_trap_kind(code: exec::TrapCode, message: &str) -> Result<TrapKind, &'static str> {
    use exec::TrapCode as C;
    Ok(match code {
        C::Unreachable => TrapKind::Unreachable,
        C::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        C::TableOutOfBounds | C::UndefinedElement => TrapKind::TableOutOfBounds,
        C::UninitializedElement => TrapKind::UninitializedElement,
        C::IndirectCallTypeMismatch => TrapKind::IndirectCallTypeMismatch,
        C::IntegerOverflow => TrapKind::IntegerOverflow,
        C::IntegerDivideByZero => TrapKind::IntegerDivideByZero,
        C::BadConversionToInteger => TrapKind::InvalidConversionToInteger,
        C::CallStackExhausted => return Err("watlink: call stack exhausted"),
        C::OutOfFuel => return Err("watlink: out of fuel"),
        C::Timeout => return Err("watlink: deadline exceeded"),
        C::HeapExhausted => return Err("watlink: GC heap exhausted"),
        // The smith configuration generates no atomics or typed references: these stay apart.
        C::Unsupported
        | C::StackOverflow
        | C::UnalignedAtomic
        | C::ExpectedSharedMemory
        | C::NullFunctionReference
        | C::NullReference
        | C::NullStructReference
        | C::NullArrayReference
        | C::NullI31Reference
        | C::ArrayOutOfBounds
        | C::CastFailure => TrapKind::Other(format!("watlink: {message}")),
        C::NullExceptionReference => TrapKind::Other(format!("watlink: {message}")),
    })
}

/// Every trap code, to recognise an instantiation error's message.
const WL_CODES: [exec::TrapCode; 24] = {
    use exec::TrapCode as C;
    [
        C::Unreachable,
        C::MemoryOutOfBounds,
        C::TableOutOfBounds,
        C::UndefinedElement,
        C::UninitializedElement,
        C::IndirectCallTypeMismatch,
        C::IntegerOverflow,
        C::IntegerDivideByZero,
        C::BadConversionToInteger,
        C::CallStackExhausted,
        C::OutOfFuel,
        C::Unsupported,
        C::StackOverflow,
        C::UnalignedAtomic,
        C::ExpectedSharedMemory,
        C::NullFunctionReference,
        C::NullReference,
        C::Timeout,
        C::NullStructReference,
        C::NullArrayReference,
        C::NullI31Reference,
        C::ArrayOutOfBounds,
        C::CastFailure,
        C::HeapExhausted,
    ]
};

fn wl_outcome(store: &exec::Store, r: Result<Vec<exec::Value>, exec::Trap>) -> Outcome {
    match r {
        Ok(vs) => Outcome::Returned(vs.into_iter().map(|v| wl_val(store, v)).collect()),
        Err(t) => match t.code() {
            Some(c) => match wl_trap_kind(c, t.message()) {
                Ok(k) => Outcome::Trapped(k),
                Err(e) => Outcome::Exhausted(e),
            },
            None if t.message() == HOST_TRAP => Outcome::Trapped(TrapKind::Host),
            None => Outcome::Failed(format!("watlink: {}", t.message())),
        },
    }
}

fn wl_error_outcome(e: &watlink::Error) -> Outcome {
    use watlink::Class;
    let code = WL_CODES.iter().find(|c| e.message.starts_with(c.message()));
    match (e.class, code) {
        (Class::Trap | Class::Uninstantiable | Class::Exhaustion, Some(c)) => {
            match wl_trap_kind(*c, &e.message) {
                Ok(k) => Outcome::Trapped(k),
                Err(x) => Outcome::Exhausted(x),
            }
        }
        (Class::Uninstantiable, None) if e.message.contains("limit") => {
            Outcome::Refused(format!("watlink: {}", e.message))
        }
        _ => Outcome::Failed(format!("watlink: {} error: {}", e.class.word(), e.message)),
    }
}

/// The message of the host function `trap`.
const HOST_TRAP: &str = "host trap";

struct Watlink {
    store: exec::Store,
    instance: exec::InstanceHandle,
    exports: Vec<String>,
}

impl Watlink {
    fn instantiate(module: &exec::Module) -> Result<Watlink, Outcome> {
        let mut store = exec::Store::new(exec::Limits {
            fuel: Some(fuel()),
            max_call_depth: MAX_CALL_DEPTH,
            ..exec::Limits::default()
        });
        let imports = Watlink::imports(&mut store);
        match store.instantiate(module, &imports) {
            Ok(instance) => Ok(Watlink {
                store,
                instance,
                exports: module.export_names().map(str::to_string).collect(),
            }),
            Err(e) => Err(wl_error_outcome(&e)),
        }
    }

    /// The [`HOST`] imports.
    fn imports(store: &mut exec::Store) -> exec::Imports {
        use exec::{Extern, FuncType, ValType as T, Value as V};
        let mut imports = exec::Imports::new();
        let id = store.host_func(FuncType::new([T::I32], [T::I32]), |a| match a {
            [V::I32(x)] => Ok(vec![V::I32(host_id(*x))]),
            _ => unreachable!("type-checked"),
        });
        let mix = store.host_func(FuncType::new([T::I64, T::F64], [T::I64]), |a| match a {
            [V::I64(x), V::F64(y)] => Ok(vec![V::I64(host_mix(*x, *y))]),
            _ => unreachable!("type-checked"),
        });
        let nop = store.host_func(FuncType::new([], []), |_| Ok(vec![]));
        let trap = store.host_func(FuncType::new([T::I32], []), |a| match a {
            [V::I32(x)] if host_traps(*x) => Err(exec::Trap::Host(HOST_TRAP.into())),
            _ => Ok(vec![]),
        });
        let g_i32 = store.new_global(V::I32(5), true);
        let g_f64 = store.new_global(V::F64(2.5f64.to_bits()), false);
        let mem = store.new_memory(1, Some(3)).expect("small memory");
        let tab = store
            .new_table(T::FuncRef, 4, Some(20))
            .expect("small table");
        imports
            .define("host", "id", Extern::Func(id))
            .define("host", "mix", Extern::Func(mix))
            .define("host", "nop", Extern::Func(nop))
            .define("host", "trap", Extern::Func(trap))
            .define("host", "g_i32", Extern::Global(g_i32))
            .define("host", "g_f64", Extern::Global(g_f64))
            .define("host", "mem", Extern::Memory(mem))
            .define("host", "tab", Extern::Table(tab));
        imports
    }

    fn func_type(&self, name: &str) -> Option<exec::FuncType> {
        match self.store.export(self.instance, name)? {
            exec::Extern::Func(f) => Some(self.store.func_type(f).clone()),
            _ => None,
        }
    }

    fn call(&mut self, name: &str, args: &[Arg]) -> Outcome {
        self.store.set_fuel(Some(fuel()));
        let args: Vec<exec::Value> = args
            .iter()
            .map(|a| match *a {
                Arg::I32(x) => exec::Value::I32(x),
                Arg::I64(x) => exec::Value::I64(x),
                Arg::F32(x) => exec::Value::F32(x),
                Arg::F64(x) => exec::Value::F64(x),
                Arg::NullFuncRef => exec::Value::FuncRef(None),
                Arg::NullExternRef => exec::Value::ExternRef(None),
            })
            .collect();
        let r = self.store.invoke(self.instance, name, &args);
        wl_outcome(&self.store, r)
    }

    fn state(&self) -> Vec<(String, State)> {
        let mut out = Vec::new();
        for name in &self.exports {
            let s = match self.store.export(self.instance, name) {
                Some(exec::Extern::Global(g)) => {
                    State::Global(wl_val(&self.store, self.store.global_value(g)))
                }
                Some(exec::Extern::Memory(m)) => State::Memory(self.store.memory(m).to_vec()),
                Some(exec::Extern::Table(t)) => State::Table(
                    (0..self.store.table_size(t))
                        .map(|i| match self.store.table_get(t, i) {
                            Some(v) => wl_val(&self.store, v),
                            None => Val::ExternRef(false),
                        })
                        .collect(),
                ),
                Some(exec::Extern::Func(_) | exec::Extern::Tag(_)) | None => continue,
            };
            out.push((name.clone(), s));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

// ---------------------------------------------------------------------------------------------
// wasmi

fn wasmi_type_name(t: &wasmi::FuncType) -> String {
    let name = |ts: &[wasmi::ValType]| -> Vec<exec::ValType> {
        ts.iter()
            .map(|t| match t {
                wasmi::ValType::I32 => exec::ValType::I32,
                wasmi::ValType::I64 => exec::ValType::I64,
                wasmi::ValType::F32 => exec::ValType::F32,
                wasmi::ValType::F64 => exec::ValType::F64,
                wasmi::ValType::V128 => exec::ValType::V128,
                wasmi::ValType::FuncRef => exec::ValType::FuncRef,
                wasmi::ValType::ExternRef => exec::ValType::ExternRef,
            })
            .collect()
    };
    wl_type_name(&exec::FuncType::new(name(t.params()), name(t.results())))
}

fn wasmi_val(store: &wasmi::Store<()>, v: &wasmi::Val) -> Val {
    match v {
        wasmi::Val::I32(x) => Val::I32(*x),
        wasmi::Val::I64(x) => Val::I64(*x),
        wasmi::Val::F32(x) => Val::F32(x.to_bits()),
        wasmi::Val::F64(x) => Val::F64(x.to_bits()),
        wasmi::Val::V128(x) => Val::V128(x.as_u128()),
        wasmi::Val::FuncRef(f) => Val::FuncRef(f.val().map(|f| wasmi_type_name(&f.ty(store)))),
        wasmi::Val::ExternRef(r) => Val::ExternRef(!r.is_null()),
    }
}

fn wasmi_error_outcome(e: &wasmi::Error) -> Outcome {
    use wasmi::TrapCode as C;
    use wasmi::errors::ErrorKind as K;
    if let Some(c) = e.as_trap_code() {
        return Outcome::Trapped(match c {
            C::UnreachableCodeReached => TrapKind::Unreachable,
            C::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            C::TableOutOfBounds => TrapKind::TableOutOfBounds,
            C::IndirectCallToNull => TrapKind::UninitializedElement,
            C::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
            C::IntegerOverflow => TrapKind::IntegerOverflow,
            C::BadConversionToInteger => TrapKind::InvalidConversionToInteger,
            C::BadSignature => TrapKind::IndirectCallTypeMismatch,
            C::StackOverflow => return Outcome::Exhausted("wasmi: stack overflow"),
            C::OutOfFuel => return Outcome::Exhausted("wasmi: out of fuel"),
            C::GrowthOperationLimited | C::OutOfSystemMemory => {
                return Outcome::Refused(format!("wasmi: {e}"));
            }
        });
    }
    use wasmi::errors::InstantiationError as I;
    match e.kind() {
        K::Instantiation(I::ElementSegmentDoesNotFit { .. }) => {
            Outcome::Trapped(TrapKind::TableOutOfBounds)
        }
        K::UserLimits(_)
        | K::ImplementationLimits(_)
        | K::Instantiation(
            I::TooManyInstances
            | I::TooManyTables
            | I::TooManyMemories
            | I::FailedToInstantiateMemory(_)
            | I::FailedToInstantiateTable(_),
        ) => Outcome::Refused(format!("wasmi: {e}")),
        K::Message(m) if &**m == HOST_TRAP => Outcome::Trapped(TrapKind::Host),
        _ => Outcome::Failed(format!("wasmi: {e}")),
    }
}

struct Wasmi {
    store: wasmi::Store<()>,
    instance: wasmi::Instance,
    exports: Vec<String>,
}

impl Wasmi {
    fn engine() -> wasmi::Engine {
        let mut config = wasmi::Config::default();
        config
            .consume_fuel(true)
            .compilation_mode(wasmi::CompilationMode::Eager)
            .set_max_recursion_depth(MAX_CALL_DEPTH as usize);
        wasmi::Engine::new(&config)
    }

    fn instantiate(module: &wasmi::Module) -> Result<Wasmi, Outcome> {
        let mut store = wasmi::Store::new(module.engine(), ());
        store.set_fuel(fuel()).expect("fuel is enabled");
        let linker = Wasmi::linker(&mut store);
        match linker.instantiate_and_start(&mut store, module) {
            Ok(instance) => Ok(Wasmi {
                store,
                instance,
                exports: module.exports().map(|e| e.name().to_string()).collect(),
            }),
            Err(e) => Err(wasmi_error_outcome(&e)),
        }
    }

    /// The [`HOST`] imports.
    fn linker(store: &mut wasmi::Store<()>) -> wasmi::Linker<()> {
        use wasmi::{Global, Memory, MemoryType, Mutability, Table, TableType, Val};
        let mut linker = wasmi::Linker::<()>::new(store.engine());
        linker
            .func_wrap("host", "id", |x: i32| host_id(x))
            .unwrap()
            .func_wrap("host", "mix", |x: i64, y: wasmi::F64| {
                host_mix(x, y.to_bits())
            })
            .unwrap()
            .func_wrap("host", "nop", || {})
            .unwrap()
            .func_wrap("host", "trap", |x: i32| -> Result<(), wasmi::Error> {
                match host_traps(x) {
                    true => Err(wasmi::Error::new(HOST_TRAP)),
                    false => Ok(()),
                }
            })
            .unwrap();
        let g_i32 = Global::new(&mut *store, Val::I32(5), Mutability::Var);
        let g_f64 = Global::new(&mut *store, Val::F64(2.5f64.into()), Mutability::Const);
        let mem = Memory::new(&mut *store, MemoryType::new(1, Some(3))).expect("small memory");
        let tab = Table::new(
            &mut *store,
            TableType::new(wasmi::RefType::Func, 4, Some(20)),
            wasmi::Ref::Func(wasmi::Nullable::Null),
        )
        .expect("small table");
        linker
            .define("host", "g_i32", g_i32)
            .unwrap()
            .define("host", "g_f64", g_f64)
            .unwrap()
            .define("host", "mem", mem)
            .unwrap()
            .define("host", "tab", tab)
            .unwrap();
        linker
    }

    fn call(&mut self, name: &str, args: &[Arg]) -> Outcome {
        self.store.set_fuel(fuel()).expect("fuel is enabled");
        let Some(f) = self.instance.get_func(&self.store, name) else {
            return Outcome::Failed(format!("wasmi: no function export {name}"));
        };
        let ty = f.ty(&self.store);
        let args: Vec<wasmi::Val> = args
            .iter()
            .map(|a| match *a {
                Arg::I32(x) => wasmi::Val::I32(x),
                Arg::I64(x) => wasmi::Val::I64(x),
                Arg::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
                Arg::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
                Arg::NullFuncRef => wasmi::Val::FuncRef(wasmi::Nullable::Null),
                Arg::NullExternRef => wasmi::Val::ExternRef(wasmi::Nullable::Null),
            })
            .collect();
        let mut results: Vec<wasmi::Val> = ty
            .results()
            .iter()
            .map(|t| wasmi::Val::default_for_ty(*t))
            .collect();
        match f.call(&mut self.store, &args, &mut results) {
            Ok(()) => {
                Outcome::Returned(results.iter().map(|v| wasmi_val(&self.store, v)).collect())
            }
            Err(e) => wasmi_error_outcome(&e),
        }
    }

    fn state(&self) -> Vec<(String, State)> {
        let mut out = Vec::new();
        for name in &self.exports {
            let s = match self.instance.get_export(&self.store, name) {
                Some(wasmi::Extern::Global(g)) => {
                    State::Global(wasmi_val(&self.store, &g.get(&self.store)))
                }
                Some(wasmi::Extern::Memory(m)) => State::Memory(m.data(&self.store).to_vec()),
                Some(wasmi::Extern::Table(t)) => State::Table(
                    (0..t.size(&self.store))
                        .map(|i| match t.get(&self.store, i) {
                            Some(wasmi::Ref::Func(f)) => {
                                wasmi_val(&self.store, &wasmi::Val::FuncRef(f))
                            }
                            Some(wasmi::Ref::Extern(r)) => Val::ExternRef(!r.is_null()),
                            None => Val::ExternRef(false),
                        })
                        .collect(),
                ),
                Some(wasmi::Extern::Func(_)) | None => continue,
            };
            out.push((name.clone(), s));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Arguments

/// An argument, made once and given to both engines.
#[derive(Clone, Copy, Debug)]
enum Arg {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    NullFuncRef,
    NullExternRef,
}

/// An argument of type `t` from `u`: boundary values often, any value sometimes, zero (or null)
/// once `u` runs out.
fn arg(u: &mut Unstructured<'_>, t: exec::ValType) -> Option<Arg> {
    let pick = u.int_in_range(0u8..=7).unwrap_or(0);
    Some(match t {
        exec::ValType::I32 => Arg::I32(match pick {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i32::MIN,
            4 => i32::MAX,
            _ => u.arbitrary().unwrap_or(0),
        }),
        exec::ValType::I64 => Arg::I64(match pick {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i64::MIN,
            4 => i64::MAX,
            _ => u.arbitrary().unwrap_or(0),
        }),
        exec::ValType::F32 => Arg::F32(match pick {
            0 => 0,
            1 => 1f32.to_bits(),
            2 => (-0f32).to_bits(),
            3 => f32::INFINITY.to_bits(),
            4 => f32::NAN.to_bits(),
            _ => u.arbitrary().unwrap_or(0),
        }),
        exec::ValType::F64 => Arg::F64(match pick {
            0 => 0,
            1 => 1f64.to_bits(),
            2 => (-0f64).to_bits(),
            3 => f64::INFINITY.to_bits(),
            4 => f64::NAN.to_bits(),
            _ => u.arbitrary().unwrap_or(0),
        }),
        exec::ValType::FuncRef => Arg::NullFuncRef,
        exec::ValType::ExternRef => Arg::NullExternRef,
        exec::ValType::V128 | exec::ValType::AnyRef | exec::ValType::ExnRef => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// The check

/// What ran out, or "-".
fn exhausted(o: Option<&Outcome>) -> &'static str {
    match o {
        Some(Outcome::Exhausted(what)) => what,
        _ => "-",
    }
}

/// Generates a module from `data` with [`smith_config`] and checks it; the bytes wasm-smith leaves
/// make the call arguments. The generated module is returned with the verdict.
pub fn check_input(data: &[u8], stats: &mut Stats) -> (Option<Vec<u8>>, Result<(), Mismatch>) {
    stats.inputs += 1;
    let mut u = Unstructured::new(data);
    let Ok(module) = wasm_smith::Module::new(smith_config(), &mut u) else {
        stats.skip(Skip::NoModule);
        return (None, Ok(()));
    };
    let wasm = module.to_bytes();
    let verdict = check_module(&wasm, &mut u, stats);
    if verdict.is_err() {
        stats.mismatches += 1;
    }
    (Some(wasm), verdict)
}

/// Checks one module in both engines; `args` supplies call arguments.
pub fn check_module(
    wasm: &[u8],
    args: &mut Unstructured<'_>,
    stats: &mut Stats,
) -> Result<(), Mismatch> {
    let mismatch = |what: String| Mismatch {
        wasm: wasm.to_vec(),
        what,
    };
    let engine = Wasmi::engine();
    let wl_module = exec::Module::new(wasm);
    let wasmi_module = wasmi::Module::new(&engine, wasm);
    let (wl_module, wasmi_module) = match (wl_module, wasmi_module) {
        (Ok(a), Ok(b)) => (a, b),
        (_, Err(e)) if matches!(wasmi_error_outcome(&e), Outcome::Refused(_)) => {
            stats.skip(Skip::WasmiRefusedModule);
            return Ok(());
        }
        (Err(a), Err(b)) => {
            return Err(mismatch(format!(
                "both engines reject a wasm-smith module: watlink {}: {}; wasmi {b}",
                a.class.word(),
                a.message
            )));
        }
        (Err(a), Ok(_)) => {
            return Err(mismatch(format!(
                "watlink rejects a module wasmi accepts: {}: {}",
                a.class.word(),
                a.message
            )));
        }
        (Ok(_), Err(b)) => {
            return Err(mismatch(format!(
                "wasmi rejects a module watlink accepts: {b}"
            )));
        }
    };
    stats.modules += 1;

    let (mut wl, mut wi) = match (
        Watlink::instantiate(&wl_module),
        Wasmi::instantiate(&wasmi_module),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (a @ Err(Outcome::Exhausted(_)), b) | (a, b @ Err(Outcome::Exhausted(_))) => {
            let (x, y) = (a.err(), b.err());
            stats.skip(Skip::ExhaustedInStart(
                exhausted(x.as_ref()),
                exhausted(y.as_ref()),
            ));
            return Ok(());
        }
        (Err(Outcome::Refused(_)), _) | (_, Err(Outcome::Refused(_))) => {
            stats.skip(Skip::ResourceRefusal);
            return Ok(());
        }
        (Err(Outcome::Trapped(a)), Err(Outcome::Trapped(b))) if a == b => {
            stats.instantiations_compared += 1;
            return Ok(());
        }
        (a, b) => {
            let a = a.err().map_or("instantiated".into(), |o| format!("{o:?}"));
            let b = b.err().map_or("instantiated".into(), |o| format!("{o:?}"));
            return Err(mismatch(format!(
                "instantiation differs: watlink {a}, wasmi {b}"
            )));
        }
    };
    stats.instantiations_compared += 1;
    let (sa, sb) = (wl.state(), wi.state());
    if sa != sb {
        return Err(mismatch(format!(
            "after instantiation: {}",
            describe_state_diff(&sa, &sb)
        )));
    }

    let funcs: Vec<(String, exec::FuncType)> = wl
        .exports
        .clone()
        .into_iter()
        .filter_map(|n| wl.func_type(&n).map(|t| (n, t)))
        .collect();
    let mut trace = String::new();
    for (i, (name, ty)) in funcs.iter().enumerate() {
        let Some(call_args) = ty
            .params
            .iter()
            .map(|t| arg(args, *t))
            .collect::<Option<Vec<Arg>>>()
        else {
            stats.skip(Skip::UnsupportedParam);
            continue;
        };
        let a = wl.call(name, &call_args);
        let b = wi.call(name, &call_args);
        let call = format!("{name}{call_args:?}");
        if matches!(a, Outcome::Exhausted(_)) || matches!(b, Outcome::Exhausted(_)) {
            // The instances may differ now: go on with fresh ones (the start function ran to
            // completion in both before, so it does again).
            stats.skip(Skip::ExhaustedInCall(
                exhausted(Some(&a)),
                exhausted(Some(&b)),
            ));
            match (
                Watlink::instantiate(&wl_module),
                Wasmi::instantiate(&wasmi_module),
            ) {
                (Ok(x), Ok(y)) => (wl, wi) = (x, y),
                _ => {
                    stats.skip_n(Skip::AfterExhaustion, (funcs.len() - i - 1) as u64);
                    return Ok(());
                }
            }
            trace.push_str(&format!(
                "call {call} exhausted ({a:?}, {b:?}): new instances\n"
            ));
            continue;
        }
        if a != b {
            return Err(mismatch(format!(
                "{trace}call {call}: watlink {a:?}, wasmi {b:?}"
            )));
        }
        stats.calls_compared += 1;
        if matches!(a, Outcome::Trapped(_)) {
            stats.traps_compared += 1;
        }
        let (sa, sb) = (wl.state(), wi.state());
        if sa != sb {
            return Err(mismatch(format!(
                "{trace}after call {call} -> {a:?}: {}",
                describe_state_diff(&sa, &sb)
            )));
        }
        trace.push_str(&format!("call {call} -> {a:?}\n"));
    }
    Ok(())
}
