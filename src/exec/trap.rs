//! Traps: the spec's trap conditions (and resource exhaustion) with the spec suite's messages.

use std::fmt;

use crate::error::{Class, Error};

/// Why execution stopped: the spec's trap conditions plus resource exhaustion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    /// `unreachable` executed.
    Unreachable,
    /// A memory access out of bounds.
    MemoryOutOfBounds,
    /// A table access out of bounds.
    TableOutOfBounds,
    /// `call_indirect` index past the table's end.
    UndefinedElement,
    /// `call_indirect` through a null entry.
    UninitializedElement,
    /// `call_indirect` type check failed.
    IndirectCallTypeMismatch,
    /// Integer division overflow or float-to-int out of range.
    IntegerOverflow,
    /// Division or remainder by zero.
    IntegerDivideByZero,
    /// Float-to-int conversion of NaN.
    BadConversionToInteger,
    /// Guest call depth exceeded the limit.
    CallStackExhausted,
    /// Fuel ran out.
    OutOfFuel,
    /// An instruction that validates but that this interpreter does not execute.
    Unsupported,
    /// `__stack_pointer` set outside the stack guard's bounds (see [`Store::set_stack_guard`]).
    StackOverflow,
    /// An atomic access at an address that is not a multiple of its width.
    UnalignedAtomic,
    /// `memory.atomic.wait32/64` on a memory that is not shared.
    ExpectedSharedMemory,
    /// `call_ref` or `return_call_ref` of a null reference.
    NullFunctionReference,
    /// `ref.as_non_null` of a null reference.
    NullReference,
    /// The store's deadline passed (see [`Store::set_deadline`](super::Store::set_deadline)).
    Timeout,
    /// A struct access through a null reference.
    NullStructReference,
    /// An array access through a null reference.
    NullArrayReference,
    /// `i31.get_s`/`i31.get_u` of a null reference.
    NullI31Reference,
    /// An array index or range past the array's end.
    ArrayOutOfBounds,
    /// `ref.cast` of a reference not of the target type.
    CastFailure,
    /// An allocation past the GC heap's limit ([`Limits::max_heap_bytes`](super::Limits)).
    HeapExhausted,
    /// `throw_ref` of a null exception reference.
    NullExceptionReference,
}

impl TrapCode {
    /// The spec suite's message.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Unsupported => "instruction not supported by this interpreter",
            TrapCode::StackOverflow => "stack overflow",
            TrapCode::UnalignedAtomic => "unaligned atomic",
            TrapCode::ExpectedSharedMemory => "expected shared memory",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullReference => "null reference",
            TrapCode::Timeout => "deadline exceeded",
            TrapCode::NullStructReference => "null structure reference",
            TrapCode::NullArrayReference => "null array reference",
            TrapCode::NullI31Reference => "null i31 reference",
            TrapCode::ArrayOutOfBounds => "out of bounds array access",
            TrapCode::CastFailure => "cast failure",
            TrapCode::HeapExhausted => "out of memory: the GC heap is full",
            TrapCode::NullExceptionReference => "null exception reference",
        }
    }
}

/// A trap: a [`TrapCode`], or a message from a host function or the embedding API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trap {
    /// A trap raised by the interpreter.
    Code(TrapCode),
    /// A trap raised by the interpreter, with a message that starts with the code's and adds the
    /// facts (the reference interpreter's "uninitialized element 7"). Built only where it traps.
    Detailed(TrapCode, String),
    /// A trap raised by a host function, or a misuse of the API (wrong argument types, unknown export).
    Host(String),
    /// An exception that no handler caught ("uncaught exception"): the store's exception object,
    /// whose tag and payload [`Store::exception_tag`](super::Store::exception_tag) and
    /// [`Store::exception_payload`](super::Store::exception_payload) read. A host function that
    /// returns this throws that exception into its wasm caller, where a `try_table` may catch it.
    Exception(super::ExnHandle),
}

impl Trap {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Trap::Code(c) => c.message(),
            Trap::Detailed(_, m) | Trap::Host(m) => m,
            Trap::Exception(_) => "uncaught exception",
        }
    }

    /// [`Class::Exhaustion`] for call depth, fuel, the deadline and the GC heap, [`Class::Trap`] otherwise.
    pub fn class(&self) -> Class {
        match self {
            Trap::Code(
                TrapCode::CallStackExhausted
                | TrapCode::OutOfFuel
                | TrapCode::Timeout
                | TrapCode::HeapExhausted,
            )
            | Trap::Detailed(
                TrapCode::CallStackExhausted
                | TrapCode::OutOfFuel
                | TrapCode::Timeout
                | TrapCode::HeapExhausted,
                _,
            ) => Class::Exhaustion,
            _ => Class::Trap,
        }
    }

    /// The interpreter's trap code (`None` for host traps and uncaught exceptions).
    pub fn code(&self) -> Option<TrapCode> {
        match self {
            Trap::Code(c) | Trap::Detailed(c, _) => Some(*c),
            Trap::Host(_) | Trap::Exception(_) => None,
        }
    }
}

/// One frame of a trap's backtrace ([`Store::backtrace`](super::Store::backtrace)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceFrame {
    /// The instance the function belongs to.
    pub instance: super::InstanceHandle,
    /// The function's index in its module (imported functions first).
    pub func: u32,
    /// Its name in the module's name section, if it has one.
    pub name: Option<String>,
    /// The module byte offset of the instruction executing: the one that trapped in the innermost
    /// frame, the call in the others.
    pub offset: Option<u32>,
    /// The same instruction's offset from the start of its function body (the locals
    /// declarations), as the compiler's instruction offsets count.
    pub body_offset: Option<u32>,
}

impl From<TrapCode> for Trap {
    fn from(c: TrapCode) -> Trap {
        Trap::Code(c)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Trap {}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::unlocated(t.class(), t.message())
    }
}
