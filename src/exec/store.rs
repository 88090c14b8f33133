//! The store: arenas of functions, tables, memories, globals, segments and instances, and the host API.

use std::collections::HashMap;
use std::sync::Arc;

use super::*;
use crate::error::{Class, Error};

// ---------------------------------------------------------------------------------------------
// The store

/// Resource limits of a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel for guest execution (one unit per instruction, charged per block); `None` is unlimited.
    pub fuel: Option<u64>,
    /// The most bytes a single memory may grow to; `memory.grow` past it returns -1.
    pub max_memory_bytes: u64,
    /// The most elements a single table may grow to; `table.grow` past it returns -1.
    pub max_table_elems: u64,
    /// The deepest guest call nesting; deeper calls trap with "call stack exhausted".
    pub max_call_depth: u32,
    /// The most bytes the GC heap's structs and arrays may take (each 8 bytes a field or
    /// element, plus a small header); an allocation past it, after a collection, traps with
    /// "out of memory: the GC heap is full" (an exhaustion).
    pub max_heap_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: None,
            max_memory_bytes: 1 << 32,
            max_table_elems: 10_000_000,
            max_call_depth: 100_000,
            max_heap_bytes: 1 << 30,
        }
    }
}

/// A host function.
pub type HostFunc = Arc<dyn Fn(&[Value]) -> Result<Vec<Value>, Trap> + Send + Sync>;

/// A host function that reads or writes the memory of the instance calling it (WASI's calls).
pub type HostFuncWithCaller =
    Arc<dyn Fn(&mut Caller<'_>, &[Value]) -> Result<Vec<Value>, Trap> + Send + Sync>;

/// What a host function sees of its caller: the calling instance's memory 0, if it has one
/// (none when the host function is called from the embedding API).
pub struct Caller<'a> {
    pub(crate) memory: Option<&'a mut [u8]>,
}

impl Caller<'_> {
    /// The caller's memory 0 (its size is fixed during the call).
    pub fn memory(&mut self) -> Option<&mut [u8]> {
        self.memory.as_deref_mut()
    }
}

pub(crate) enum FuncKind {
    Wasm { instance: u32, index: u32 },
    Host(HostFuncWithCaller),
}

pub(crate) struct FuncEntity {
    /// Store-wide interned type id.
    pub(crate) ty: u32,
    pub(crate) kind: FuncKind,
}

pub(crate) struct TableEntity {
    pub(crate) ty: ValType,
    /// The element type in full (concrete heap types are store type ids).
    pub(crate) elem: RefTy,
    pub(crate) elems: Vec<u64>,
    pub(crate) max: Option<u64>,
    /// Indexed by i64 (table64).
    pub(crate) index64: bool,
}

pub(crate) struct MemoryEntity {
    pub(crate) data: Vec<u8>,
    pub(crate) max: Option<u64>,
    /// Addressed by i64 (memory64).
    pub(crate) index64: bool,
    pub(crate) shared: bool,
    /// log2 of the page size.
    pub(crate) page_log2: u32,
}

impl MemoryEntity {
    /// The size in pages.
    pub(crate) fn pages(&self) -> u64 {
        self.data.len() as u64 >> self.page_log2
    }

    /// The most pages the memory's index type can address (the spec's limit, before the
    /// declared maximum and the store's byte limit).
    pub(crate) fn max_pages(&self) -> u64 {
        let bits = if self.index64 { 64 } else { 32 };
        let all = (1u128 << bits) >> self.page_log2;
        // A 32-bit memory of 1-byte pages stops one short, so that -1 stays the failure value.
        all.min(if self.index64 {
            u64::MAX
        } else {
            u32::MAX as u64
        } as u128) as u64
    }
}

pub(crate) struct GlobalEntity {
    pub(crate) ty: ValType,
    /// The value type in full (concrete heap types are store type ids).
    pub(crate) full: FullType,
    pub(crate) mutable: bool,
    pub(crate) value: u128,
}

pub(crate) struct InstanceEntity {
    pub(crate) module: Arc<ModuleInner>,
    /// Store type id of each module type.
    pub(crate) types: Vec<u32>,
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<u32>,
    pub(crate) memories: Vec<u32>,
    pub(crate) globals: Vec<u32>,
    pub(crate) elems: Vec<u32>,
    pub(crate) datas: Vec<u32>,
    /// Store tag of each module tag (imports first).
    pub(crate) tags: Vec<u32>,
    /// Memory 0, or `u32::MAX`.
    pub(crate) mem0: u32,
    pub(crate) exports: HashMap<String, Extern>,
}

/// An external value: what imports are satisfied with and exports are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(FuncHandle),
    /// A table.
    Table(TableHandle),
    /// A memory.
    Memory(MemoryHandle),
    /// A global.
    Global(GlobalHandle),
    /// A tag (exception handling).
    Tag(TagHandle),
}

/// Imports to instantiate a module with, by `(module, name)`.
#[derive(Clone, Debug, Default)]
pub struct Imports {
    pub(crate) map: HashMap<(String, String), Extern>,
}

impl Imports {
    /// No imports.
    pub fn new() -> Imports {
        Imports::default()
    }

    /// Defines `module.name` as `value`.
    pub fn define(&mut self, module: &str, name: &str, value: Extern) -> &mut Imports {
        self.map
            .insert((module.to_string(), name.to_string()), value);
        self
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn define_instance(
        &mut self,
        store: &Store,
        module: &str,
        instance: InstanceHandle,
    ) -> &mut Imports {
        for (name, e) in &store.instances[instance.0 as usize].exports {
            self.map.insert((module.to_string(), name.clone()), *e);
        }
        self
    }

    /// Looks up `module.name`.
    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.map
            .get(&(module.to_string(), name.to_string()))
            .copied()
    }
}

/// Where instances live and run: arenas of functions, tables, memories, globals and segments, and
/// the value and frame stacks.
pub struct Store {
    pub(crate) limits: Limits,
    pub(crate) fuel: u64,
    pub(crate) types: Vec<FuncType>,
    /// What execution needs of each store type (kind, supertype, layout), by store type id.
    pub(crate) rt_types: Vec<super::gc::RtType>,
    /// The first store type id of each recursion group, by its canonical form: equivalent
    /// groups of any module share their ids.
    pub(crate) type_ids: HashMap<Vec<super::gc::DefType>, u32>,
    /// The GC heap.
    pub(crate) heap: super::gc::Heap,
    pub(crate) funcs: Vec<FuncEntity>,
    pub(crate) tables: Vec<TableEntity>,
    pub(crate) memories: Vec<MemoryEntity>,
    pub(crate) globals: Vec<GlobalEntity>,
    pub(crate) stack_guard: Option<StackGuard>,
    pub(crate) elems: Vec<Vec<u64>>,
    pub(crate) datas: Vec<Arc<[u8]>>,
    pub(crate) instances: Vec<InstanceEntity>,
    pub(crate) tags: Vec<TagEntity>,
    /// Exception objects (see `exn.rs`).
    pub(crate) exns: Exns,
    pub(crate) stack: Vec<u64>,
    /// The frames of the last trap (see [`Store::backtrace`]).
    pub(crate) trace: Vec<TraceFrame>,
    /// When guest execution stops with "deadline exceeded" (see [`Store::set_deadline`]).
    pub(crate) deadline: Option<std::time::Instant>,
    /// Bytes of memories, tables and the interpreter's stacks (see [`Store::set_memory_budget`]).
    pub(crate) budget: Budget,
}

/// A byte budget: what the store's memories, tables and the interpreter's stacks may take
/// together.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    pub(crate) limit: u64,
    pub(crate) used: u64,
}

impl Budget {
    /// Takes `n` bytes if they are left.
    pub(crate) fn take(&mut self, n: u64) -> bool {
        match self.used.checked_add(n) {
            Some(u) if u <= self.limit => {
                self.used = u;
                true
            }
            _ => false,
        }
    }

    /// Bytes left.
    pub(crate) fn left(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

impl Default for Store {
    fn default() -> Store {
        Store::new(Limits::default())
    }
}

pub(crate) const PAGE: u64 = 65536;

fn over_budget(budget: &Budget, bytes: u64, what: &str) -> Error {
    Error::unlocated(
        Class::Uninstantiable,
        format!(
            "memory budget exceeded: {what} of {bytes} bytes, {} of {} bytes left",
            budget.left(),
            budget.limit
        ),
    )
}

/// The bounds `__stack_pointer` must stay within (see [`Store::set_stack_guard`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StackGuard {
    /// The store's index of the guarded global.
    pub(crate) global: u32,
    pub(crate) low: u64,
    pub(crate) high: u64,
}

impl StackGuard {
    /// Whether `value` (an i32 or i64 slot) may be stored into the stack pointer.
    #[cold]
    pub(crate) fn check(&self, value: u64) -> Result<(), Trap> {
        let (side, bound, name) = if value < self.low {
            ("below", self.low, STACK_GLOBALS[1])
        } else if value > self.high {
            ("above", self.high, STACK_GLOBALS[2])
        } else {
            return Ok(());
        };
        let c = TrapCode::StackOverflow;
        Err(Trap::Detailed(
            c,
            format!(
                "{}: __stack_pointer would be {value:#x}, {side} {name} {bound:#x}",
                c.message()
            ),
        ))
    }
}

impl Store {
    /// An empty store with `limits`.
    pub fn new(limits: Limits) -> Store {
        Store {
            limits,
            fuel: limits.fuel.unwrap_or(u64::MAX),
            types: Vec::new(),
            rt_types: Vec::new(),
            type_ids: HashMap::new(),
            heap: super::gc::Heap::new(limits.max_heap_bytes),
            funcs: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            stack_guard: None,
            elems: Vec::new(),
            datas: Vec::new(),
            instances: Vec::new(),
            tags: Vec::new(),
            exns: Exns::default(),
            stack: Vec::new(),
            trace: Vec::new(),
            deadline: None,
            budget: Budget {
                limit: u64::MAX,
                used: 0,
            },
        }
    }

    /// Traps any `global.set` that moves `global` outside `[low, high]` (compared unsigned), with
    /// "stack overflow: __stack_pointer would be …". Only the global a module names
    /// `__stack_pointer` (by export or in its name section) is checked; other `global.set`s pay
    /// nothing. One guard per store: a later call replaces it.
    pub fn set_stack_guard(&mut self, global: GlobalHandle, low: u64, high: u64) {
        self.stack_guard = Some(StackGuard {
            global: global.0,
            low,
            high,
        });
    }

    /// Guards `instance`'s `__stack_pointer` with the values of its `__stack_low` and
    /// `__stack_high` globals (exported or named in the name section); returns the bounds, or
    /// `None` (and sets nothing) if the module lacks one of the three.
    pub fn guard_stack(&mut self, instance: InstanceHandle) -> Option<(u64, u64)> {
        let inst = &self.instances[instance.0 as usize];
        let [sp, low, high] = inst.module.stack_globals;
        let handle = |i: Option<u32>| Some(GlobalHandle(*inst.globals.get(i? as usize)?));
        let (sp, low, high) = (handle(sp)?, handle(low)?, handle(high)?);
        let value = |g: GlobalHandle| match self.global_value(g) {
            Value::I32(v) => Some(v as u32 as u64),
            Value::I64(v) => Some(v as u64),
            _ => None,
        };
        let (low, high) = (value(low)?, value(high)?);
        self.set_stack_guard(sp, low, high);
        Some((low, high))
    }

    /// The frames of the last call's trap, innermost first (at most 1000); empty after a call
    /// that returned.
    pub fn backtrace(&self) -> &[TraceFrame] {
        &self.trace
    }

    /// Stops guest execution with "deadline exceeded" (an exhaustion) once `deadline` has passed;
    /// `None` removes it. The clock is read where fuel is refilled, once per 2^20 units of fuel,
    /// so a store with a deadline runs code with fuel ops (also without [`Limits::fuel`]).
    pub fn set_deadline(&mut self, deadline: Option<std::time::Instant>) {
        self.deadline = deadline;
    }

    /// Bounds the bytes that all memories, all tables (8 bytes an element) and the interpreter's
    /// cell and frame stacks take together. Past it, instantiation fails, `memory.grow` and
    /// `table.grow` return -1 and calls end with "call stack exhausted". Unbounded by default.
    pub fn set_memory_budget(&mut self, bytes: u64) {
        self.budget.limit = bytes;
    }

    /// The bytes charged against the memory budget so far.
    pub fn memory_used(&self) -> u64 {
        self.budget.used
    }

    /// The limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Remaining fuel (`None` if unlimited).
    pub fn fuel(&self) -> Option<u64> {
        self.limits.fuel.map(|_| self.fuel)
    }

    /// Sets the remaining fuel (`None` for unlimited).
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.limits.fuel = fuel;
        self.fuel = fuel.unwrap_or(u64::MAX);
    }

    /// The store type id of the first type of a recursion group: its API function types (the
    /// default for struct and array types) and its types in canonical form (types outside the
    /// group by store id, inside it by [`HeapTy::Rec`] position).
    pub(crate) fn intern_group(&mut self, api: &[FuncType], key: Vec<super::gc::DefType>) -> u32 {
        if let Some(&i) = self.type_ids.get(&key) {
            return i;
        }
        let first = self.types.len() as u32;
        for (t, d) in api.iter().zip(&key) {
            self.types.push(t.clone());
            self.rt_types.push(super::gc::RtType::new(d, first));
        }
        self.type_ids.insert(key, first);
        first
    }

    /// Bytes the GC heap's objects take now (collected ones not counted).
    pub fn heap_bytes(&self) -> u64 {
        self.heap.bytes()
    }

    /// How many times the collector has run.
    pub fn gc_count(&self) -> u64 {
        self.heap.collections
    }

    /// Adds a host function of type `ty`.
    pub fn host_func(
        &mut self,
        ty: FuncType,
        f: impl Fn(&[Value]) -> Result<Vec<Value>, Trap> + Send + Sync + 'static,
    ) -> FuncHandle {
        self.host_func_with_caller(ty, move |_, args| f(args))
    }

    /// Adds a host function of type `ty` that may use its caller's memory (see [`Caller`]).
    pub fn host_func_with_caller(
        &mut self,
        ty: FuncType,
        f: impl Fn(&mut Caller<'_>, &[Value]) -> Result<Vec<Value>, Trap> + Send + Sync + 'static,
    ) -> FuncHandle {
        let key = vec![host_def_type(&ty)];
        let ty = self.intern_group(std::slice::from_ref(&ty), key);
        self.funcs.push(FuncEntity {
            ty,
            kind: FuncKind::Host(Arc::new(f)),
        });
        FuncHandle(self.funcs.len() as u32 - 1)
    }

    /// Adds a global.
    pub fn new_global(&mut self, value: Value, mutable: bool) -> GlobalHandle {
        let v = match value {
            Value::V128(v) => v,
            v => v.to_slot() as u128,
        };
        self.globals.push(GlobalEntity {
            ty: value.ty(),
            full: FullType::of(value.ty()),
            mutable,
            value: v,
        });
        GlobalHandle(self.globals.len() as u32 - 1)
    }

    /// Adds a memory of `min` pages, at most `max` pages.
    pub fn new_memory(&mut self, min: u32, max: Option<u32>) -> Result<MemoryHandle, Error> {
        let h = self.alloc_memory(MemType {
            min: min as u64,
            max: max.map(u64::from),
            index64: false,
            shared: false,
            page_log2: 16,
        })?;
        Ok(MemoryHandle(h))
    }

    /// Adds a table of `ty` (funcref, externref or exnref) with `min` null elements, at most `max`.
    pub fn new_table(
        &mut self,
        ty: ValType,
        min: u32,
        max: Option<u32>,
    ) -> Result<TableHandle, Error> {
        let h = self.alloc_table(
            TableType {
                ty,
                elem: RefTy::of(ty),
                min: min as u64,
                max: max.map(u64::from),
                index64: false,
            },
            0,
        )?;
        Ok(TableHandle(h))
    }

    pub(crate) fn alloc_memory(&mut self, t: MemType) -> Result<u32, Error> {
        let bytes = 1u64
            .checked_shl(t.page_log2)
            .and_then(|page| t.min.checked_mul(page))
            .filter(|&b| b <= self.limits.max_memory_bytes && usize::try_from(b).is_ok());
        let Some(bytes) = bytes else {
            return Err(Error::unlocated(
                Class::Uninstantiable,
                "memory size exceeds the store's limit",
            )
            .with_note(format!(
                "the memory needs {} pages of {} bytes; the store allows {} bytes per memory",
                t.min,
                1u128 << t.page_log2,
                self.limits.max_memory_bytes
            )));
        };
        if !self.budget.take(bytes) {
            return Err(over_budget(&self.budget, bytes, "a memory"));
        }
        self.memories.push(MemoryEntity {
            data: vec![0; bytes as usize],
            max: t.max,
            index64: t.index64,
            shared: t.shared,
            page_log2: t.page_log2,
        });
        Ok(self.memories.len() as u32 - 1)
    }

    /// A table of `t.min` elements, each `init` (a cell: 0 is null).
    pub(crate) fn alloc_table(&mut self, t: TableType, init: u64) -> Result<u32, Error> {
        if t.min > self.limits.max_table_elems {
            return Err(Error::unlocated(
                Class::Uninstantiable,
                "table size exceeds the store's limit",
            )
            .with_note(format!(
                "the table needs {} elements; the store allows {}",
                t.min, self.limits.max_table_elems
            )));
        }
        if !self.budget.take(t.min * 8) {
            return Err(over_budget(&self.budget, t.min * 8, "a table"));
        }
        self.tables.push(TableEntity {
            ty: t.ty,
            elem: t.elem,
            elems: vec![init; t.min as usize],
            max: t.max,
            index64: t.index64,
        });
        Ok(self.tables.len() as u32 - 1)
    }

    /// Evaluates a constant expression of an instance whose store type ids, globals and
    /// functions are `types`, `globals` and `funcs`. Its allocations (GC) collect nothing; past
    /// the heap limit they fail.
    pub(crate) fn eval(
        &mut self,
        e: &ConstExpr,
        types: &[u32],
        globals: &[u32],
        funcs: &[u32],
    ) -> Result<u128, Trap> {
        let mut st: Vec<u128> = Vec::new();
        for op in &e.0 {
            let v = match *op {
                ConstOp::Value(v) => v as u128,
                ConstOp::V128(v) => v,
                ConstOp::RefFunc(f) => funcs[f as usize] as u128 + 1,
                ConstOp::GlobalGet(g) => self.globals[globals[g as usize] as usize].value,
                ConstOp::RefI31 => super::gc::i31_cell(st.pop().unwrap_or(0) as u32) as u128,
                ConstOp::Alloc(t, how, n) => {
                    let vals = st.split_off(st.len().saturating_sub(n as usize));
                    let id = types[t as usize];
                    super::gc::const_object(&mut self.heap, &self.rt_types, id, how, &vals)? as u128
                }
                _ => {
                    let b = st.pop().unwrap_or(0);
                    let a = st.pop().unwrap_or(0);
                    let (a32, b32, a64, b64) = (a as u32, b as u32, a as u64, b as u64);
                    match op {
                        ConstOp::I32Add => a32.wrapping_add(b32) as u128,
                        ConstOp::I32Sub => a32.wrapping_sub(b32) as u128,
                        ConstOp::I32Mul => a32.wrapping_mul(b32) as u128,
                        ConstOp::I64Add => a64.wrapping_add(b64) as u128,
                        ConstOp::I64Sub => a64.wrapping_sub(b64) as u128,
                        _ => a64.wrapping_mul(b64) as u128,
                    }
                }
            };
            st.push(v);
        }
        Ok(st.pop().unwrap_or(0))
    }
}

impl Store {
    /// The export `name` of `instance`.
    pub fn export(&self, instance: InstanceHandle, name: &str) -> Option<Extern> {
        self.instances[instance.0 as usize]
            .exports
            .get(name)
            .copied()
    }

    /// The names of `instance`'s exports (in no particular order).
    pub fn export_names(&self, instance: InstanceHandle) -> Vec<String> {
        self.instances[instance.0 as usize]
            .exports
            .keys()
            .cloned()
            .collect()
    }

    /// Calls the exported function `name` of `instance`.
    pub fn invoke(
        &mut self,
        instance: InstanceHandle,
        name: &str,
        args: &[Value],
    ) -> Result<Vec<Value>, Trap> {
        match self.export(instance, name) {
            Some(Extern::Func(f)) => self.call(f, args),
            _ => Err(Trap::Host(format!("unknown function export: {name}"))),
        }
    }

    /// The type of function `f`.
    pub fn func_type(&self, f: FuncHandle) -> &FuncType {
        &self.types[self.funcs[f.0 as usize].ty as usize]
    }

    /// Calls `f` with `args` (type-checked).
    pub fn call(&mut self, f: FuncHandle, args: &[Value]) -> Result<Vec<Value>, Trap> {
        let ty = self.func_type(f);
        if ty.params.len() != args.len() || ty.params.iter().zip(args).any(|(t, a)| *t != a.ty()) {
            return Err(Trap::Host("type mismatch: wrong arguments".into()));
        }
        let stale = |a: &Value| match a {
            Value::AnyRef(Some(r)) | Value::ExternAny(r) => !self.heap.is_valid(r.0),
            _ => false,
        };
        if args.iter().any(stale) {
            return Err(Trap::Host(
                "a struct or array argument was collected: the host held the only reference".into(),
            ));
        }
        interp::call(self, f.0, args)
    }

    /// The value of the exported global `name` of `instance`.
    pub fn get_global(&self, instance: InstanceHandle, name: &str) -> Option<Value> {
        match self.export(instance, name)? {
            Extern::Global(g) => Some(self.global_value(g)),
            _ => None,
        }
    }

    /// The value of global `g`.
    pub fn global_value(&self, g: GlobalHandle) -> Value {
        let g = &self.globals[g.0 as usize];
        match g.ty {
            ValType::V128 => Value::V128(g.value),
            t => Value::from_slot(t, g.value as u64),
        }
    }

    /// Sets global `g` (mutable or not) to `v`; false if the type differs.
    pub fn set_global(&mut self, g: GlobalHandle, v: Value) -> bool {
        let g = &mut self.globals[g.0 as usize];
        if g.ty != v.ty() {
            return false;
        }
        g.value = match v {
            Value::V128(x) => x,
            v => v.to_slot() as u128,
        };
        true
    }

    /// The exported memory `name` of `instance`.
    pub fn memory_export(&self, instance: InstanceHandle, name: &str) -> Option<MemoryHandle> {
        match self.export(instance, name)? {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// Memory `index` of `instance` (imported or defined), exported or not.
    pub fn instance_memory(&self, instance: InstanceHandle, index: u32) -> Option<MemoryHandle> {
        let inst = self.instances.get(instance.0 as usize)?;
        inst.memories.get(index as usize).map(|&m| MemoryHandle(m))
    }

    /// The bytes of memory `m`.
    pub fn memory(&self, m: MemoryHandle) -> &[u8] {
        &self.memories[m.0 as usize].data
    }

    /// The bytes of memory `m`, writable.
    pub fn memory_mut(&mut self, m: MemoryHandle) -> &mut [u8] {
        &mut self.memories[m.0 as usize].data
    }

    /// Reads `buf.len()` bytes of memory `m` at `offset`.
    pub fn read_memory(&self, m: MemoryHandle, offset: u64, buf: &mut [u8]) -> Result<(), Trap> {
        let d = self.memory(m);
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= d.len() as u64);
        let end = end.ok_or(Trap::Code(TrapCode::MemoryOutOfBounds))?;
        buf.copy_from_slice(&d[offset as usize..end as usize]);
        Ok(())
    }

    /// Writes `bytes` into memory `m` at `offset`.
    pub fn write_memory(&mut self, m: MemoryHandle, offset: u64, bytes: &[u8]) -> Result<(), Trap> {
        let d = self.memory_mut(m);
        let end = offset
            .checked_add(bytes.len() as u64)
            .filter(|&e| e <= d.len() as u64);
        let end = end.ok_or(Trap::Code(TrapCode::MemoryOutOfBounds))?;
        d[offset as usize..end as usize].copy_from_slice(bytes);
        Ok(())
    }

    /// The size of table `t` and its element at `i`.
    pub fn table_get(&self, t: TableHandle, i: u32) -> Option<Value> {
        let t = &self.tables[t.0 as usize];
        t.elems.get(i as usize).map(|&s| Value::from_slot(t.ty, s))
    }

    /// The number of elements of table `t`.
    pub fn table_size(&self, t: TableHandle) -> u32 {
        self.tables[t.0 as usize].elems.len() as u32
    }
}
