//! Exception handling: tags, exception objects, and the handler tables `try_table` lowers to.
//!
//! - A **tag** is a store entity ([`TagEntity`]) with a function type whose parameters are the
//!   payload; each instantiation of a module defines new tags, so tag identity is per instance.
//!   Imports match by type equivalence (equal store type ids).
//! - An **exception object** ([`ExnEntity`]) lives in the store's [`Exns`] arena behind an
//!   [`ExnHandle`]: its tag and its payload as plain cells with their types (so a collector can
//!   find the references among them). An `exnref` cell is the handle plus one (0 is null), and
//!   `throw_ref` rethrows that same object.
//! - **`try_table`** costs nothing until something throws: lowering records, per function, the
//!   op range of each `try_table` body and its catch clauses ([`TryRegion`], [`CatchClause`]);
//!   the unwinder (`interp::unwind`) looks the throwing op up there, frame by frame, only when an
//!   exception is thrown.
//!
//! An exception no handler catches leaves the interpreter as [`Trap::Exception`]: "uncaught
//! exception" at the API boundary. A host function that returns that error throws the exception
//! into its wasm caller (host functions cannot call back into wasm, so a host frame is never
//! between two wasm frames).

use super::*;

/// A tag: the store type id of its function type.
pub(crate) struct TagEntity {
    pub(crate) ty: u32,
}

/// An exception object: its tag and payload.
#[derive(Debug, Default)]
pub(crate) struct ExnEntity {
    /// The store's tag.
    pub(crate) tag: u32,
    /// The payload's types (the tag type's parameters).
    pub(crate) types: Vec<ValType>,
    /// The payload in cells (a v128 takes two, low half first).
    pub(crate) cells: Vec<u64>,
    /// Whether a reference to the object may exist outside the unwinder: an `exnref` made by
    /// `catch_ref`/`catch_all_ref`, a handle given to the host. An object thrown by `throw` and
    /// caught by `catch`/`catch_all` was never referenced, so its slot is reused.
    pub(crate) exposed: bool,
}

/// The store's exception objects.
#[derive(Debug, Default)]
pub(crate) struct Exns {
    pub(crate) items: Vec<ExnEntity>,
    /// Slots of objects no reference can reach (see [`ExnEntity::exposed`]).
    free: Vec<u32>,
}

impl Exns {
    /// A new exception of store tag `tag` with the payload `cells` of `types`; its index.
    pub(crate) fn alloc(&mut self, tag: u32, types: &[ValType], cells: &[u64]) -> u32 {
        match self.free.pop() {
            Some(i) => {
                let e = &mut self.items[i as usize];
                e.tag = tag;
                e.types.clear();
                e.types.extend_from_slice(types);
                e.cells.clear();
                e.cells.extend_from_slice(cells);
                e.exposed = false;
                i
            }
            None => {
                self.items.push(ExnEntity {
                    tag,
                    types: types.to_vec(),
                    cells: cells.to_vec(),
                    exposed: false,
                });
                self.items.len() as u32 - 1
            }
        }
    }

    /// Exception `i` was caught by a clause that drops it: its slot is free unless something
    /// may still refer to it.
    pub(crate) fn caught_and_dropped(&mut self, i: u32) {
        if !self.items[i as usize].exposed {
            debug_assert!(!self.free.contains(&i));
            // No longer a root of the GC heap.
            self.items[i as usize].cells.clear();
            self.free.push(i);
        }
    }

    /// How many objects are live or may be (for tests).
    #[cfg(test)]
    pub(crate) fn live(&self) -> usize {
        self.items.len() - self.free.len()
    }
}

/// The body of one `try_table`: ops `start..end` of its function, and its catch clauses
/// `clauses` (indices into [`FuncCode::catch_clauses`], in order). A function's regions are
/// listed innermost first (each is recorded at its `end`), so the first region containing an op
/// is the innermost `try_table` around it.
#[derive(Clone, Debug)]
pub(crate) struct TryRegion {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) clauses: std::ops::Range<u32>,
}

/// One catch clause: which exceptions it catches, where their values go and where execution
/// goes on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CatchClause {
    /// The module's tag index (`catch`, `catch_ref`), or `None` (`catch_all`, `catch_all_ref`).
    pub(crate) tag: Option<u32>,
    /// `catch_ref`/`catch_all_ref`: the exnref follows the payload.
    pub(crate) with_ref: bool,
    /// The label's first cell: the payload (then the exnref) is written from here.
    pub(crate) dst: code::Slot,
    /// The op to go on at ([`code::RETURN_PC`]: return from the function, whose label it is).
    pub(crate) pc: u32,
}

impl FuncCode {
    /// The first catch clause, innermost `try_table` first, that catches an exception of store
    /// tag `tag` thrown at op `pc`, with `inst` the function's instance.
    pub(crate) fn handler(&self, pc: u32, tag: u32, inst: &InstanceEntity) -> Option<CatchClause> {
        self.try_regions
            .iter()
            .filter(|r| r.start <= pc && pc < r.end)
            .flat_map(|r| &self.catch_clauses[r.clauses.start as usize..r.clauses.end as usize])
            .find(|c| c.tag.is_none_or(|t| inst.tags[t as usize] == tag))
            .copied()
    }
}

impl Store {
    /// Adds a tag of type `ty` (its results must be empty; its parameters are the payload).
    pub fn new_tag(&mut self, ty: FuncType) -> TagHandle {
        let key = vec![host_def_type(&ty)];
        let id = self.intern_group(std::slice::from_ref(&ty), key);
        self.tags.push(TagEntity { ty: id });
        TagHandle(self.tags.len() as u32 - 1)
    }

    /// The type of tag `t`.
    pub fn tag_type(&self, t: TagHandle) -> &FuncType {
        &self.types[self.tags[t.0 as usize].ty as usize]
    }

    /// The exported tag `name` of `instance`.
    pub fn tag_export(&self, instance: InstanceHandle, name: &str) -> Option<TagHandle> {
        match self.export(instance, name)? {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// A new exception of `tag` carrying `payload` (type-checked against the tag's parameters).
    /// A host function throws it into its wasm caller by returning
    /// `Err(Trap::Exception(handle))`.
    pub fn new_exception(&mut self, tag: TagHandle, payload: &[Value]) -> Result<ExnHandle, Trap> {
        let types = self.tag_type(tag).params.clone();
        if types.len() != payload.len() || types.iter().zip(payload).any(|(t, v)| *t != v.ty()) {
            return Err(Trap::Host("type mismatch: wrong exception payload".into()));
        }
        let mut cells = vec![0; types.iter().map(|&t| lower::width(t) as usize).sum()];
        let mut at = 0;
        for v in payload {
            at += v.write_cells(&mut cells[at..]);
        }
        let i = self.exns.alloc(tag.0, &types, &cells);
        self.exns.items[i as usize].exposed = true;
        Ok(ExnHandle(i))
    }

    /// The tag of exception `e`.
    pub fn exception_tag(&self, e: ExnHandle) -> TagHandle {
        TagHandle(self.exns.items[e.0 as usize].tag)
    }

    /// The payload of exception `e`.
    pub fn exception_payload(&self, e: ExnHandle) -> Vec<Value> {
        let x = &self.exns.items[e.0 as usize];
        let mut at = 0;
        x.types
            .iter()
            .map(|&t| {
                let (v, n) = Value::read_cells(t, &x.cells[at..]);
                at += n;
                v
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instantiate(store: &mut Store, src: &str, imports: &Imports) -> InstanceHandle {
        let module = Module::new(&wat::parse_str(src).unwrap()).unwrap();
        store.instantiate(&module, imports).unwrap()
    }

    fn setup(src: &str) -> (Store, InstanceHandle) {
        let mut store = Store::default();
        let inst = instantiate(&mut store, src, &Imports::new());
        (store, inst)
    }

    /// Catching through calls: the payload arrives in the label's cells, and the frame's
    /// locals and the operands below the `try_table` are intact (with and without fuel ops).
    #[test]
    fn catch_through_nested_calls() {
        let src = r#"(module
            (tag $e (param i32 i64 v128))
            (tag $other)
            (func $h (param i32)
                (if (i32.eqz (local.get 0)) (then (throw $other)))
                (throw $e (local.get 0) (i64.const -7) (v128.const i32x4 1 2 3 4)))
            (func $g (param i32) (result i32)
                (call $h (local.get 0)) (i32.const 0))
            (func (export "f") (param i32) (result i32 i64 i32)
                (local $keep i32)
                (local $l i64)
                (local.set $keep (i32.const 1000))
                (i32.const 5)
                (block $caught (result i32 i64 v128)
                    (try_table (catch $e $caught)
                        (local.set $keep (i32.const 2000))
                        (drop (call $g (local.get 0))))
                    (return (i32.const 0) (i64.const 0) (i32.const 0)))
                (i32x4.extract_lane 3)
                (local.set $keep (i32.add (local.get $keep)))
                (local.set $l)
                (i32.add)
                (local.get $l)
                (local.get $keep)))"#;
        for fuel in [None, Some(1_000_000)] {
            let mut store = Store::new(Limits {
                fuel,
                ..Limits::default()
            });
            let inst = instantiate(&mut store, src, &Imports::new());
            assert_eq!(
                store.invoke(inst, "f", &[Value::I32(37)]).unwrap(),
                [Value::I32(42), Value::I64(-7), Value::I32(2004)]
            );
            // `$other` is not caught by `f`'s clause: it leaves as an uncaught exception.
            let e = store.invoke(inst, "f", &[Value::I32(0)]).unwrap_err();
            assert!(matches!(e, Trap::Exception(_)), "{e:?}");
            assert_eq!(e.message(), "uncaught exception");
            assert_eq!(e.class(), crate::error::Class::Trap);
        }
    }

    /// The innermost `try_table` whose clause matches catches, clauses in order; an outer one
    /// sees what the inner one lets through; a `try_table` in a caller sees what its callee's
    /// let through.
    #[test]
    fn clauses_match_innermost_first_in_order() {
        let src = r#"(module
            (tag $a (param i32)) (tag $b (param i32)) (tag $c)
            (func $throw (param i32)
                (if (i32.eq (local.get 0) (i32.const 0)) (then (throw $a (i32.const 10))))
                (if (i32.eq (local.get 0) (i32.const 1)) (then (throw $b (i32.const 20))))
                (throw $c))
            (func $inner (param i32) (result i32)
                (block $on_b (result i32)
                    (try_table (catch $b $on_b) (catch $a $on_b)
                        (call $throw (local.get 0)))
                    (unreachable))
                (i32.add (i32.const 1)))
            (func (export "f") (param i32) (result i32)
                (block $on_all
                    (block $on_a (result i32)
                        (try_table (result i32) (catch $a $on_a) (catch_all $on_all)
                            (call $inner (local.get 0)))
                        (return))
                    (return (i32.add (i32.const 100))))
                (i32.const -1)))"#;
        let (mut s, i) = setup(src);
        let f = |s: &mut Store, x| s.invoke(i, "f", &[Value::I32(x)]).unwrap();
        assert_eq!(f(&mut s, 0), [Value::I32(11)]);
        assert_eq!(f(&mut s, 1), [Value::I32(21)]);
        assert_eq!(f(&mut s, 2), [Value::I32(-1)]);
    }

    /// A `return_call` leaves its frame's `try_table`s: the callee's exception goes to the
    /// caller's caller; a catch clause may also branch to a function's label (a return) or to
    /// a loop.
    #[test]
    fn tail_calls_leave_their_try_tables() {
        let src = r#"(module
            (tag $e (param i32))
            (func $thrower (param i32) (result i32) (throw $e (local.get 0)))
            (func $tail (param i32) (result i32)
                (block $never (result i32)
                    (try_table (result i32) (catch $e $never)
                        (return_call $thrower (i32.add (local.get 0) (i32.const 1)))))
                (drop)
                (i32.const -1))
            (func (export "via-tail") (param i32) (result i32)
                (block $h (result i32)
                    (try_table (result i32) (catch $e $h) (call $tail (local.get 0))))
                (i32.mul (i32.const 2)))
            (func (export "uncaught") (param i32) (result i32)
                (block $h (result i32)
                    (try_table (result i32) (catch $e $h)
                        (return_call $thrower (local.get 0)))))
            (func (export "to-function-label") (param i32) (result i32)
                (try_table (catch $e 0) (drop (call $thrower (local.get 0))))
                (i32.const -1))
            (func (export "loop") (result i32)
                (local $n i32)
                (i32.const 0)
                (loop $again (param i32)
                    (local.set $n (i32.add (local.get $n)))
                    (try_table (catch $e $again)
                        (if (i32.lt_u (local.get $n) (i32.const 100))
                            (then (throw $e (i32.const 7))))))
                (local.get $n)))"#;
        let (mut s, i) = setup(src);
        let r = s.invoke(i, "via-tail", &[Value::I32(20)]).unwrap();
        assert_eq!(r, [Value::I32(42)]);
        let e = s.invoke(i, "uncaught", &[Value::I32(5)]).unwrap_err();
        let Trap::Exception(x) = e else {
            panic!("{e:?}")
        };
        assert_eq!(s.exception_payload(x), [Value::I32(5)]);
        let r = s.invoke(i, "to-function-label", &[Value::I32(9)]).unwrap();
        assert_eq!(r, [Value::I32(9)]);
        // The loop adds its parameter: 0 on entry, then 7 per catch until 100 is passed.
        assert_eq!(s.invoke(i, "loop", &[]).unwrap(), [Value::I32(105)]);
    }

    /// `catch_ref` gives the payload and an exnref; `throw_ref` rethrows the same object, which
    /// the API then names.
    #[test]
    fn throw_ref_rethrows_the_same_exception() {
        let src = r#"(module
            (tag $e (export "e") (param i32 f64))
            (global $saved (export "saved") (mut exnref) (ref.null exn))
            (func (export "catch") (param i32) (result i32 f64 exnref)
                (block $h (result i32 f64 exnref)
                    (try_table (catch_ref $e $h)
                        (throw $e (local.get 0) (f64.const 2.5)))
                    (unreachable)))
            (func (export "save-and-rethrow") (param i32)
                (local $x exnref)
                (block $h (result exnref)
                    (try_table (catch_all_ref $h) (throw $e (local.get 0) (f64.const 0.5)))
                    (unreachable))
                (local.set $x)
                (global.set $saved (local.get $x))
                ;; Caught again and rethrown from an outer handler: still the same object.
                (block $h2 (result exnref)
                    (try_table (catch_all_ref $h2) (throw_ref (local.get $x)))
                    (unreachable))
                (throw_ref))
            (func (export "rethrow-null") (throw_ref (ref.null exn))))"#;
        let (mut s, i) = setup(src);
        let r = s.invoke(i, "catch", &[Value::I32(3)]).unwrap();
        assert_eq!(r[..2], [Value::I32(3), Value::F64(2.5f64.to_bits())]);
        let Value::ExnRef(Some(x)) = r[2] else {
            panic!("{r:?}")
        };
        let tag = s.tag_export(i, "e").unwrap();
        assert_eq!(s.exception_tag(x), tag);
        assert_eq!(
            s.exception_payload(x),
            [Value::I32(3), Value::F64(2.5f64.to_bits())]
        );
        let e = s
            .invoke(i, "save-and-rethrow", &[Value::I32(8)])
            .unwrap_err();
        let Some(Value::ExnRef(Some(saved))) = s.get_global(i, "saved") else {
            panic!("no saved exception")
        };
        assert_eq!(e, Trap::Exception(saved));
        assert_ne!(saved, x);
        assert_eq!(s.exception_payload(saved)[0], Value::I32(8));
        assert_eq!(
            s.invoke(i, "rethrow-null", &[]).unwrap_err(),
            Trap::Code(TrapCode::NullExceptionReference)
        );
        assert_eq!(
            TrapCode::NullExceptionReference.message(),
            "null exception reference"
        );
    }

    /// A host function throws by returning an exception; it crosses the host call into the
    /// wasm caller's handler, in another instance than the thrower's, whose memory it then uses.
    #[test]
    fn exceptions_cross_host_calls_and_instances() {
        let mut s = Store::default();
        let tag = s.new_tag(FuncType::new([ValType::I64], []));
        let exn = s.new_exception(tag, &[Value::I64(99)]).unwrap();
        assert!(s.new_exception(tag, &[Value::I32(1)]).is_err());
        let host = s.host_func(FuncType::new([], []), move |_| Err(Trap::Exception(exn)));
        let mut imports = Imports::new();
        imports.define("host", "tag", Extern::Tag(tag));
        imports.define("host", "throw", Extern::Func(host));
        let thrower = instantiate(
            &mut s,
            r#"(module
                (import "host" "tag" (tag $t (param i64)))
                (import "host" "throw" (func $throw))
                (func (export "wasm-throw") (throw $t (i64.const 5)))
                (func (export "host-throw") (call $throw))
                (func (export "host-tail-throw") (return_call $throw)))"#,
            &imports,
        );
        imports.define_instance(&s, "m", thrower);
        let catcher = instantiate(
            &mut s,
            r#"(module
                (import "host" "tag" (tag $t (param i64)))
                (import "m" "wasm-throw" (func $wasm))
                (import "m" "host-throw" (func $host))
                (import "m" "host-tail-throw" (func $host_tail))
                (memory 1) (data (i32.const 0) "\2a")
                (func (export "catch") (param i32) (result i64)
                    (block $h (result i64)
                        (try_table (catch $t $h)
                            (if (i32.eqz (local.get 0)) (then (call $wasm)))
                            (if (i32.eq (local.get 0) (i32.const 1)) (then (call $host)))
                            (call $host_tail))
                        (unreachable))
                    (i64.load8_u (i32.const 0))
                    (i64.add)))"#,
            &imports,
        );
        let f = |s: &mut Store, x| s.invoke(catcher, "catch", &[Value::I32(x)]);
        assert_eq!(f(&mut s, 0).unwrap(), [Value::I64(47)]);
        assert_eq!(f(&mut s, 1).unwrap(), [Value::I64(141)]);
        assert_eq!(f(&mut s, 2).unwrap(), [Value::I64(141)]);
        // Uncaught, the host's exception reaches the API as itself.
        assert_eq!(
            s.invoke(thrower, "host-throw", &[]).unwrap_err(),
            Trap::Exception(exn)
        );
        // A host function's other errors stay traps.
        let failing = s.host_func(FuncType::new([], []), |_| Err(Trap::Host("no".into())));
        let mut imports = Imports::new();
        imports.define("host", "f", Extern::Func(failing));
        let i = instantiate(
            &mut s,
            r#"(module (import "host" "f" (func $f))
                (func (export "g") (block $h (try_table (catch_all $h) (call $f)))))"#,
            &imports,
        );
        assert_eq!(s.invoke(i, "g", &[]).unwrap_err(), Trap::Host("no".into()));
    }

    /// Tags are matched by type when imported, and each instance's are its own.
    #[test]
    fn tags_link_by_type_and_are_per_instance() {
        let mut s = Store::default();
        let src = r#"(module
            (tag $t (export "t") (param i32))
            (func (export "throw") (throw $t (i32.const 1))))"#;
        let a = instantiate(&mut s, src, &Imports::new());
        let b = instantiate(&mut s, src, &Imports::new());
        assert_ne!(s.tag_export(a, "t"), s.tag_export(b, "t"));
        let mut imports = Imports::new();
        imports.define_instance(&s, "a", a);
        imports.define_instance(&s, "b", b);
        let catcher = r#"(module
            (import "a" "t" (tag $t (param i32)))
            (import "b" "throw" (func $throw))
            (func (export "f") (result i32)
                (block $h (result i32)
                    (try_table (catch $t $h) (call $throw))
                    (unreachable))))"#;
        let c = instantiate(&mut s, catcher, &imports);
        // `b`'s tag is not `a`'s: not caught.
        assert!(matches!(
            s.invoke(c, "f", &[]).unwrap_err(),
            Trap::Exception(_)
        ));
        let wrong = r#"(module (import "a" "t" (tag (param i64))))"#;
        let module = Module::new(&wat::parse_str(wrong).unwrap()).unwrap();
        let e = s.instantiate(&module, &imports).unwrap_err();
        assert_eq!(e.class, crate::error::Class::Unlinkable);
        assert!(e.message.starts_with("incompatible import type"), "{e}");
        let imports_of = module.imports().next().unwrap().2;
        assert_eq!(imports_of.to_string(), "tag (param i64)");
    }

    /// exnref in locals, globals and tables; objects thrown and caught without a reference are
    /// reused, so a loop that throws does not grow the store.
    #[test]
    fn exnref_storage_and_reuse() {
        let src = r#"(module
            (tag $e (param i32))
            (table $t (export "t") 2 exnref)
            (func (export "keep") (param i32)
                (local $x exnref)
                (block $h (result i32 exnref)
                    (try_table (catch_ref $e $h) (throw $e (local.get 0)))
                    (unreachable))
                (local.set $x)
                (drop)
                (table.set $t (local.get 0) (local.get $x)))
            (func (export "is-null") (param i32) (result i32)
                (ref.is_null (table.get $t (local.get 0))))
            (func (export "spin") (param i32) (result i32)
                (local $sum i32)
                (loop $l
                    (block $h (result i32)
                        (try_table (catch $e $h) (throw $e (local.get 0)))
                        (unreachable))
                    (local.set $sum (i32.add (local.get $sum)))
                    (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
                (local.get $sum)))"#;
        let (mut s, i) = setup(src);
        s.invoke(i, "keep", &[Value::I32(1)]).unwrap();
        assert_eq!(
            s.invoke(i, "is-null", &[Value::I32(0)]).unwrap(),
            [Value::I32(1)]
        );
        assert_eq!(
            s.invoke(i, "is-null", &[Value::I32(1)]).unwrap(),
            [Value::I32(0)]
        );
        let Some(Extern::Table(t)) = s.export(i, "t") else {
            panic!()
        };
        let Some(Value::ExnRef(Some(x))) = s.table_get(t, 1) else {
            panic!()
        };
        assert_eq!(s.exception_payload(x), [Value::I32(1)]);
        let r = s.invoke(i, "spin", &[Value::I32(100_000)]).unwrap();
        assert_eq!(r, [Value::I32(705_082_704)]);
        // The kept exception, and one slot the loop reuses.
        assert_eq!(s.exns.live(), 1);
        assert_eq!(s.exns.items.len(), 2);
    }

    /// A GC object held only by an exception's payload survives collections.
    #[test]
    fn exception_payloads_are_gc_roots() {
        let src = r#"(module
            (type $s (struct (field i32)))
            (tag $e (param (ref $s)))
            (global $g (mut exnref) (ref.null exn))
            (func (export "keep")
                (block $h (result (ref $s) exnref)
                    (try_table (catch_ref $e $h) (throw $e (struct.new $s (i32.const 42))))
                    (unreachable))
                (global.set $g)
                (drop))
            (func (export "churn") (param i32)
                (loop $l
                    (drop (struct.new $s (local.get 0)))
                    (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
            (func (export "read") (result i32)
                (block $h (result (ref $s))
                    (try_table (catch $e $h) (throw_ref (global.get $g)))
                    (unreachable))
                (struct.get $s 0)))"#;
        let mut store = Store::new(Limits {
            max_heap_bytes: 1 << 16,
            ..Limits::default()
        });
        let i = instantiate(&mut store, src, &Imports::new());
        store.invoke(i, "keep", &[]).unwrap();
        store.invoke(i, "churn", &[Value::I32(100_000)]).unwrap();
        assert_eq!(store.invoke(i, "read", &[]).unwrap(), [Value::I32(42)]);
    }

    /// After catching an exception thrown in another instance, the catcher's own calls and
    /// globals are its own: unwinding switches back to the catching frame's instance whole.
    #[test]
    fn unwinding_into_another_instance_restores_its_functions_and_globals() {
        let mut s = Store::default();
        let thrower = instantiate(
            &mut s,
            r#"(module
                (tag $t (export "t") (param i32))
                (global $sp (export "__stack_pointer") (mut i32) (i32.const 1000))
                (func $other (result i32) (i32.const 7))
                (func (export "throw") (throw $t (call $other))))"#,
            &Imports::new(),
        );
        let mut imports = Imports::new();
        imports.define_instance(&s, "m", thrower);
        let catcher = instantiate(
            &mut s,
            r#"(module
                (import "m" "t" (tag $t (param i32)))
                (import "m" "throw" (func $throw))
                (global $sp (mut i32) (i32.const 5000))
                (func $mine (result i32) (i32.const 100))
                (func $sp_minus (param i32) (result i32)
                    (global.set $sp (i32.sub (global.get $sp) (local.get 0)))
                    (global.get $sp))
                (func (export "run") (result i32)
                    (block $h (result i32)
                        (try_table (catch $t $h) (call $throw))
                        (i32.const -1))
                    (i32.add (call $mine))
                    (i32.add (call $sp_minus (i32.const 16)))))"#,
            &imports,
        );
        assert_eq!(
            s.invoke(catcher, "run", &[]).unwrap(),
            [Value::I32(7 + 100 + 4984)]
        );
    }
}
