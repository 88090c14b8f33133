//! The memory layout planner: where every data segment, the stack and the heap go in linear memory.
//!
//! watlink reproduces wasm-ld's `layoutMemory` pass number for number. A cursor walks linear memory
//! upward from 0 and each region is placed by one function below. With the stack first (watlink's
//! default, as in LLVM 22 and what Rust's wasm targets always asked for):
//!
//! ```text
//!  0            stack_size      global base (= stack top unless --global-base)
//!  |<-- stack --|---------------|.rodata|.data|others|.bss|flag|<-- heap ... -->|        |
//!  ^__stack_low ^__stack_high                                 ^__data_end     ^__heap_end
//!               ^__stack_pointer (grows down)                   ^__heap_base (align 16)
//!                                                           initial memory -->|<- grows to max
//! ```
//!
//! With `--stack-first` off (`--no-stack-first`; LLVM ≤ 21's default), data starts at the global
//! base (default 1024), and the stack follows the data:
//!
//! ```text
//!  0     1024 (--global-base)                          align 16        +stack_size
//!  |.....|.rodata|.data|others|.bss|flag|--------------|<--- stack ----|<-- heap ... -->|
//!        ^__global_base, __dso_handle   ^__data_end    ^__stack_low    ^__stack_high
//!                                                                      ^__stack_pointer
//!                                                                      ^__heap_base  __heap_end^
//! ```
//!
//! Segments are grouped into output segments by name (`.rodata.x` → `.rodata`, `.data.x` → `.data`,
//! `.bss.x` → `.bss`; other names stay whole), output segments keep first-seen order and are then
//! stably sorted `.rodata`, `.data`, others, `.bss`. An output segment is aligned to the largest
//! alignment of its inputs; inside it, each input is aligned to its own.
//!
//! Segments of [`SegmentKind::Fixed`] (`(data (i32.const 1024) …)`, the way tutorials write data)
//! keep their address. They are reserved before the walk; the stack and every output segment go
//! at their natural place if it is free, else at the next aligned address that is; `__heap_base`
//! and the initial memory lie after every fixed byte. Only two fixed segments can overlap (an
//! error naming both). wasm-ld has no such segments, so with none the numbers are wasm-ld's:
//!
//! ```text
//!  --no-stack-first -z stack-size=8192, fixed data [1024, 1324):
//!  0     1024        1324 1328                  9520
//!  |.....|## fixed ##|....|<------ stack -------|<-- heap ...
//!        ^__global_base = __data_end (no placed data)
//!                         ^__stack_low          ^__stack_high = __heap_base
//! ```
//!
//! When the stack had to leave its natural place (address 0 with the stack first), the plan says
//! so in [`Plan::notes`]: an overflow then no longer traps at address 0.
//!
//! Where LLVM 14 (the wasm-ld the test data was measured with) and current wasm-ld disagree, the
//! planner follows current wasm-ld; [`Flavor::Llvm14`] reproduces the old numbers so the measurements
//! can be checked exactly.

use crate::error::{Class, Error};

/// The wasm page size.
pub const PAGE_SIZE: u64 = 65536;
/// The stack pointer's (and the stack region's) alignment.
pub const STACK_ALIGN: u64 = 16;
/// `__heap_base`'s alignment.
pub const HEAP_ALIGN: u64 = 16;
/// The default `-z stack-size`: one page, as in wasm-ld.
pub const DEFAULT_STACK_SIZE: u64 = 65536;
/// The default `--global-base` when the stack does not come first.
pub const DEFAULT_GLOBAL_BASE: u64 = 1024;
/// The largest wasm32 memory, in bytes.
pub const MAX_MEMORY_32: u64 = 1 << 32;

/// What a data segment holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SegmentKind {
    /// Constant data (`.rodata.*`).
    ReadOnly,
    /// Initialised, writable data (`.data.*`).
    Writable,
    /// Zero-initialised data (`.bss.*`): address space is reserved, no bytes are emitted.
    Zero,
    /// Data that must sit at this address; it is not moved and must not overlap anything.
    Fixed(u64),
}

impl SegmentKind {
    /// The short word used in the map: `rodata`, `data`, `bss`, `fixed`.
    pub fn word(self) -> &'static str {
        match self {
            SegmentKind::ReadOnly => "rodata",
            SegmentKind::Writable => "data",
            SegmentKind::Zero => "bss",
            SegmentKind::Fixed(_) => "fixed",
        }
    }
}

/// One input data segment, as an object file describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Its name, e.g. `.rodata.table`; decides the output segment (empty: named after the kind).
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its alignment in bytes; a power of two.
    pub align: u64,
    /// What it holds.
    pub kind: SegmentKind,
}

impl Segment {
    /// A segment named `name` of `size` bytes aligned to `align`.
    pub fn new(name: impl Into<String>, size: u64, align: u64, kind: SegmentKind) -> Segment {
        Segment {
            name: name.into(),
            size,
            align,
            kind,
        }
    }

    /// The output segment it merges into: `.rodata.x` → `.rodata`, `.data.x` → `.data`,
    /// `.bss.x` → `.bss`, `.tdata.x`/`.tbss.x` → `.tdata`; other names are kept.
    pub fn output_name(&self) -> String {
        if self.name.is_empty() {
            let name = match self.kind {
                SegmentKind::ReadOnly => ".rodata",
                SegmentKind::Writable => ".data",
                SegmentKind::Zero => ".bss",
                SegmentKind::Fixed(_) => ".fixed",
            };
            return name.to_string();
        }
        for prefix in [".rodata", ".data", ".bss", ".text", ".tdata"] {
            if self.name == prefix || self.name.starts_with(&format!("{prefix}.")) {
                return prefix.to_string();
            }
        }
        if self.name.starts_with(".tbss.") || self.name == ".tbss" {
            return ".tdata".to_string();
        }
        self.name.clone()
    }
}

/// Which wasm-ld's behaviour to follow where versions differ.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Flavor {
    /// Current wasm-ld (LLVM 22): `--global-base` below the stack top is an error with
    /// `--stack-first`; `--max-memory` is checked against the page-rounded size.
    #[default]
    Current,
    /// LLVM 14 as measured: `--global-base` is ignored with `--stack-first`; `--max-memory` is
    /// checked against the unrounded size.
    Llvm14,
}

/// wasm-ld's layout flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayoutOptions {
    /// `-z stack-size=N`: bytes of stack; a multiple of 16. Default 64 KiB.
    pub stack_size: u64,
    /// `--stack-first`: stack at address 0, data above it. watlink's default is `true`, like
    /// LLVM 22's wasm-ld: a stack overflow then traps instead of overwriting data.
    pub stack_first: bool,
    /// `--global-base=N`: where static data starts. `None`: 1024, or the stack top with the stack
    /// first.
    pub global_base: Option<u64>,
    /// `--initial-memory=N`: initial memory in bytes; a page multiple, at least what layout needs.
    pub initial_memory: Option<u64>,
    /// `--max-memory=N`: maximum memory in bytes; a page multiple, at least the initial memory.
    pub max_memory: Option<u64>,
    /// `--no-growable-memory`: maximum = initial.
    pub no_growable_memory: bool,
    /// `--initial-heap=N`: bytes of heap added to the initial memory; a page multiple.
    pub initial_heap: Option<u64>,
    /// `--import-memory`: memory is imported (layout is the same; the map says so).
    pub import_memory: bool,
    /// `--shared-memory`: shared memory; adds `__wasm_init_memory_flag` and a maximum.
    pub shared_memory: bool,
    /// Whether `__heap_base` is referenced or exported; only then is the cursor rounded to 16.
    pub heap_base_used: bool,
    /// `--table-base=N`, for `__table_base`. Default 1.
    pub table_base: u64,
    /// The inputs' declared memory minimum, in bytes: a lower bound for the initial memory (never
    /// an error). 0 when nothing is declared.
    pub declared_min: u64,
    /// The inputs' declared memory maximum, in bytes: the maximum unless `--max-memory` is given;
    /// a layout that needs more is an error naming the declaration.
    pub declared_max: Option<u64>,
    /// Which wasm-ld to follow where versions differ.
    pub flavor: Flavor,
}

impl Default for LayoutOptions {
    fn default() -> LayoutOptions {
        LayoutOptions {
            stack_size: DEFAULT_STACK_SIZE,
            stack_first: true,
            global_base: None,
            initial_memory: None,
            max_memory: None,
            no_growable_memory: false,
            initial_heap: None,
            import_memory: false,
            shared_memory: false,
            heap_base_used: true,
            table_base: 1,
            declared_min: 0,
            declared_max: None,
            flavor: Flavor::Current,
        }
    }
}

/// A segment with its address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The input segment's name.
    pub name: String,
    /// The output segment it was merged into.
    pub output: String,
    /// Its address.
    pub address: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Its alignment.
    pub align: u64,
    /// What it holds.
    pub kind: SegmentKind,
}

impl Placed {
    /// One past its last byte.
    pub fn end(&self) -> u64 {
        self.address + self.size
    }
}

/// The values of the linker-synthesized symbols.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Symbols {
    /// `__stack_pointer`'s initial value: the stack top.
    pub stack_pointer: u64,
    /// `__stack_low`: the lowest stack address.
    pub stack_low: u64,
    /// `__stack_high`: the stack top.
    pub stack_high: u64,
    /// `__global_base`: start of static data.
    pub global_base: u64,
    /// `__dso_handle`: start of static data too.
    pub dso_handle: u64,
    /// `__data_end`: end of static data, bss and the init flag included.
    pub data_end: u64,
    /// `__heap_base`: first heap byte, 16-aligned; `None` unless referenced.
    pub heap_base: Option<u64>,
    /// `__heap_end`: end of the initial memory.
    pub heap_end: u64,
    /// `__memory_base`: 0 in a non-PIC module.
    pub memory_base: u64,
    /// `__table_base`: `--table-base`, default 1.
    pub table_base: u64,
    /// `__wasm_init_memory_flag` (shared memory with passive segments only).
    pub init_memory_flag: Option<u64>,
}

/// A finished layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Every segment with its address, in address order.
    pub segments: Vec<Placed>,
    /// The synthesized symbols.
    pub symbols: Symbols,
    /// The stack size.
    pub stack_size: u64,
    /// Whether the stack came first.
    pub stack_first: bool,
    /// Initial memory in pages.
    pub min_pages: u64,
    /// Maximum memory in pages, if one is written.
    pub max_pages: Option<u64>,
    /// Whether memory is imported.
    pub imported: bool,
    /// Whether memory is shared.
    pub shared: bool,
    /// What the plan had to do that the flags did not say (the stack moved off address 0 to make
    /// room for fixed data, …), as sentences for a `note:`.
    pub notes: Vec<String>,
}

impl Plan {
    /// The segment named `name`.
    pub fn segment(&self, name: &str) -> Option<&Placed> {
        self.segments.iter().find(|s| s.name == name)
    }
}

/// Lays out `segments` in linear memory as wasm-ld would with `options`.
///
/// # Errors
///
/// wasm-ld's messages ("initial memory too small, 70016 bytes needed", …), all of them in wasm-ld's
/// order, each with notes naming the region that needs the space and a flag value that would work.
/// Overlapping fixed segments are reported naming both.
pub fn plan(segments: &[Segment], options: &LayoutOptions) -> Result<Plan, Vec<Error>> {
    plan_about(segments, options).map_err(|errors| errors.into_iter().map(|(e, _)| e).collect())
}

/// What a layout error is about, so the linker can point at it in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum About {
    /// Nothing in the inputs: a flag, or the sum of everything.
    Flags,
    /// These segments (indices into the planner's input), the first the primary one.
    Segments(Vec<usize>),
    /// The inputs' memory declaration (its maximum).
    Declaration,
}

/// [`plan`], with what each error is about.
pub(crate) fn plan_about(
    segments: &[Segment],
    options: &LayoutOptions,
) -> Result<Plan, Vec<(Error, About)>> {
    Planner::new(segments, options).run()
}

fn align_to(value: u64, align: u64) -> u64 {
    value.div_ceil(align.max(1)) * align.max(1)
}

fn pages(bytes: u64) -> u64 {
    bytes.div_ceil(PAGE_SIZE)
}

fn error(message: String) -> Error {
    Error::unlocated(Class::Unlinkable, message)
}

/// The region that last moved the cursor, for notes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Last {
    Data,
    Stack,
    HeapBase,
    InitialHeap,
    /// A fixed segment, by index into the inputs.
    Fixed(usize),
    /// The declared minimum.
    Declared,
}

struct Planner<'a> {
    inputs: &'a [Segment],
    opts: &'a LayoutOptions,
    ptr: u64,
    last: Last,
    placed: Vec<Placed>,
    symbols: Symbols,
    errors: Vec<Error>,
    /// What `errors[i]` is about, where it is not the flags.
    about: Vec<(usize, About)>,
    /// Fixed segments' ranges `[start, end)` with their input index, by address, non-empty only.
    reserved: Vec<(u64, u64, usize)>,
    notes: Vec<String>,
}

impl<'a> Planner<'a> {
    fn new(inputs: &'a [Segment], opts: &'a LayoutOptions) -> Planner<'a> {
        Planner {
            inputs,
            opts,
            ptr: 0,
            last: Last::Data,
            placed: Vec::new(),
            symbols: Symbols::default(),
            errors: Vec::new(),
            about: Vec::new(),
            reserved: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Records an error about `about`.
    fn error_about(&mut self, e: Error, about: About) {
        self.about.push((self.errors.len(), about));
        self.errors.push(e);
    }

    /// The errors with what each is about.
    fn take_errors(&mut self) -> Vec<(Error, About)> {
        let about = std::mem::take(&mut self.about);
        std::mem::take(&mut self.errors)
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let a = about.iter().find(|(j, _)| *j == i).map(|(_, a)| a.clone());
                (e, a.unwrap_or(About::Flags))
            })
            .collect()
    }

    /// The lowest address at or above `from`, aligned to `align`, where `size` bytes touch no fixed
    /// segment.
    fn fit(&self, from: u64, size: u64, align: u64) -> u64 {
        let mut at = align_to(from, align);
        if size == 0 {
            return at;
        }
        for &(start, end, _) in &self.reserved {
            if at < end && start < at + size {
                at = align_to(end, align);
            }
        }
        at
    }

    /// The fixed segment `[start, end)` overlaps, if any (the first by address).
    fn reserved_in(&self, start: u64, end: u64) -> Option<(u64, u64, usize)> {
        self.reserved
            .iter()
            .copied()
            .find(|&(s, e, _)| start < e && s < end)
    }

    fn run(mut self) -> Result<Plan, Vec<(Error, About)>> {
        let opts = self.opts;
        if opts.no_growable_memory && opts.max_memory.is_some() {
            return Err(vec![(
                error("--max-memory is incompatible with --no-growable-memory".into())
                    .with_note("help: drop one; --no-growable-memory already sets the maximum to the initial size"),
                About::Flags,
            )]);
        }
        for (k, seg) in self.inputs.iter().enumerate() {
            if !seg.align.is_power_of_two() {
                self.error_about(
                    error(format!(
                        "segment {} has alignment {}, which is not a power of two",
                        seg.name, seg.align
                    )),
                    About::Segments(vec![k]),
                );
            }
        }
        self.reserve_fixed();
        if !self.errors.is_empty() {
            return Err(self.take_errors());
        }
        if opts.stack_first {
            self.place_stack();
            if let Err(e) = self.place_global_base_after_stack() {
                self.errors.push(e);
                return Err(self.take_errors());
            }
        } else {
            self.ptr = opts.global_base.unwrap_or(DEFAULT_GLOBAL_BASE);
        }
        self.symbols.global_base = self.ptr;
        self.symbols.dso_handle = self.ptr;
        self.place_data();
        self.place_init_memory_flag();
        self.symbols.data_end = self.ptr;
        if !opts.stack_first {
            self.place_stack();
        }
        self.pass_fixed();
        self.place_heap_base();
        self.place_initial_heap();
        if opts.declared_min > self.ptr {
            self.ptr = opts.declared_min;
            self.last = Last::Declared;
        }
        let initial = self.size_initial_memory();
        self.symbols.heap_end = initial;
        let max_pages = self.size_max_memory(initial);
        self.symbols.memory_base = 0;
        self.symbols.table_base = opts.table_base;
        if !self.errors.is_empty() {
            return Err(self.take_errors());
        }
        self.placed.sort_by_key(|p| (p.address, p.size));
        Ok(Plan {
            segments: self.placed,
            symbols: self.symbols,
            stack_size: opts.stack_size,
            stack_first: opts.stack_first,
            min_pages: initial / PAGE_SIZE,
            max_pages,
            imported: opts.import_memory,
            shared: opts.shared_memory,
            notes: self.notes,
        })
    }

    /// The stack: 16-aligned, `stack_size` bytes; `__stack_pointer` starts at its top.
    /// Where fixed data is in the way, the stack goes to the next free address that holds it.
    fn place_stack(&mut self) {
        let size = self.opts.stack_size;
        let natural = align_to(self.ptr, STACK_ALIGN);
        self.ptr = self.fit(natural, size, STACK_ALIGN);
        if self.ptr != natural
            && let Some((start, end, k)) = self.reserved_in(natural, natural + size)
        {
            let mut note = format!(
                "the stack [{}, {}) moved to [{}, {}): fixed data {} [{start}, {end}) is in its place",
                natural,
                natural + size,
                self.ptr,
                self.ptr + size,
                self.inputs[k].name
            );
            if natural == 0 {
                note.push_str("; an overflow no longer traps at address 0 but runs into that data");
            }
            self.notes.push(note);
        }
        self.symbols.stack_low = self.ptr;
        if !size.is_multiple_of(STACK_ALIGN) {
            self.errors.push(
                error(format!("stack size must be {STACK_ALIGN}-byte aligned")).with_note(format!(
                    "help: -z stack-size={} (or {}) would work",
                    align_to(size, STACK_ALIGN),
                    size / STACK_ALIGN * STACK_ALIGN
                )),
            );
        }
        self.ptr += size;
        self.symbols.stack_high = self.ptr;
        self.symbols.stack_pointer = self.ptr;
        self.last = Last::Stack;
    }

    /// With the stack first, `--global-base` moves the data up (current wasm-ld; LLVM 14 ignores it).
    fn place_global_base_after_stack(&mut self) -> Result<(), Error> {
        let Some(base) = self.opts.global_base else {
            return Ok(());
        };
        if self.opts.flavor == Flavor::Llvm14 {
            return Ok(());
        }
        if base < self.ptr {
            let stack_top = self.ptr;
            return Err(error(
                "--global-base cannot be less than stack size when --stack-first is used".into(),
            )
            .with_note(format!(
                "the stack occupies [{}, {stack_top}) and --global-base={base} is inside it",
                self.symbols.stack_low
            ))
            .with_note(format!(
                "help: --global-base={stack_top} or more would work, or -z stack-size={} with \
                         --global-base={base}, or --no-stack-first",
                base / STACK_ALIGN * STACK_ALIGN
            )));
        }
        self.ptr = base;
        Ok(())
    }

    /// Static data: output segments in wasm-ld's order, each aligned to its largest input alignment.
    fn place_data(&mut self) {
        // Output segments in first-seen order, then stably sorted by rank.
        let mut outputs: Vec<(String, Vec<&Segment>)> = Vec::new();
        for seg in self
            .inputs
            .iter()
            .filter(|s| !matches!(s.kind, SegmentKind::Fixed(_)))
        {
            let name = seg.output_name();
            match outputs.iter_mut().find(|(n, _)| *n == name) {
                Some((_, members)) => members.push(seg),
                None => outputs.push((name, vec![seg])),
            }
        }
        outputs.sort_by_key(|(name, _)| match name.as_str() {
            ".tdata" => 0,
            ".rodata" => 1,
            ".data" => 2,
            ".bss" => 4,
            _ => 3,
        });
        for (name, members) in outputs {
            let align = members.iter().map(|s| s.align).max().unwrap_or(1);
            // Offsets inside the output segment do not depend on where it starts (the start is
            // aligned to the largest member alignment), so its size is known before it is placed.
            let mut offsets = Vec::new();
            let mut size = 0;
            for seg in &members {
                size = align_to(size, seg.align);
                offsets.push(size);
                size += seg.size;
            }
            let start = self.fit(self.ptr, size, align);
            for (seg, offset) in members.into_iter().zip(offsets) {
                self.placed.push(Placed {
                    name: seg.name.clone(),
                    output: name.clone(),
                    address: start + offset,
                    size: seg.size,
                    align: seg.align,
                    kind: seg.kind,
                });
            }
            self.ptr = start + size;
        }
        self.last = Last::Data;
    }

    /// Shared memory with passive initialised segments: a 4-byte `__wasm_init_memory_flag`.
    /// With shared memory every segment is passive (bss too: `memory.fill`), as in wasm-ld.
    fn place_init_memory_flag(&mut self) {
        if self.opts.shared_memory && !self.inputs.is_empty() {
            self.ptr = self.fit(self.ptr, 4, 4);
            self.symbols.init_memory_flag = Some(self.ptr);
            self.ptr += 4;
        }
    }

    /// `__heap_base`: the cursor rounded to 16, only if the symbol is used.
    fn place_heap_base(&mut self) {
        if self.opts.heap_base_used {
            self.ptr = align_to(self.ptr, HEAP_ALIGN);
            self.symbols.heap_base = Some(self.ptr);
            self.last = Last::HeapBase;
        }
    }

    /// Fixed segments keep their address: they are reserved before anything is placed, and only
    /// fixed segments can overlap each other (an error naming both).
    fn reserve_fixed(&mut self) {
        for (k, seg) in self.inputs.iter().enumerate() {
            let SegmentKind::Fixed(address) = seg.kind else {
                continue;
            };
            if !address.is_multiple_of(seg.align) {
                self.error_about(
                    error(format!(
                        "segment {} at {address} is not {}-byte aligned",
                        seg.name, seg.align
                    ))
                    .with_note(format!(
                        "help: place it at {}",
                        align_to(address, seg.align)
                    )),
                    About::Segments(vec![k]),
                );
            }
            self.placed.push(Placed {
                name: seg.name.clone(),
                output: seg.name.clone(),
                address,
                size: seg.size,
                align: seg.align,
                kind: seg.kind,
            });
            if seg.size > 0 {
                self.reserved.push((address, address + seg.size, k));
            }
        }
        self.reserved.sort();
        for i in 1..self.reserved.len() {
            let (b_start, b_end, b) = self.reserved[i];
            // The earlier one that reaches furthest is the one this overlaps, if any.
            let Some(&(a_start, a_end, a)) = self.reserved[..i].iter().max_by_key(|r| r.1) else {
                continue;
            };
            if b_start < a_end {
                let (na, nb) = (&self.inputs[a].name, &self.inputs[b].name);
                let e = error(format!(
                    "segment {nb} [{b_start}, {b_end}) overlaps segment {na} [{a_start}, {a_end})"
                ))
                .with_note(format!("help: place {nb} at {a_end} or later"));
                self.error_about(e, About::Segments(vec![b, a]));
            }
        }
    }

    /// `__heap_base` and the initial memory lie after every fixed byte too.
    fn pass_fixed(&mut self) {
        if let Some(&(_, end, k)) = self.reserved.iter().max_by_key(|r| r.1)
            && end > self.ptr
        {
            self.ptr = end;
            self.last = Last::Fixed(k);
        }
    }

    /// `--initial-heap`: that many bytes of heap in the initial memory.
    fn place_initial_heap(&mut self) {
        let Some(heap) = self.opts.initial_heap.filter(|&h| h != 0) else {
            return;
        };
        if !heap.is_multiple_of(PAGE_SIZE) {
            self.errors.push(
                error(format!("initial heap must be {PAGE_SIZE}-byte aligned")).with_note(format!(
                    "help: --initial-heap={} would work",
                    align_to(heap, PAGE_SIZE)
                )),
            );
        }
        let room = MAX_MEMORY_32 - self.ptr.min(MAX_MEMORY_32);
        if heap > room {
            self.errors.push(
                error(format!("initial heap too large, cannot be greater than {room}")).with_note(format!(
                    "the heap starts at {} and wasm32 memory ends at {MAX_MEMORY_32}; help: --initial-heap={} would work",
                    self.ptr,
                    room / PAGE_SIZE * PAGE_SIZE
                )),
            );
        }
        self.ptr += heap;
        self.last = Last::InitialHeap;
    }

    /// What needs the bytes counted in `self.ptr`, for notes.
    fn needed_because(&self) -> String {
        let s = &self.symbols;
        match self.last {
            Last::Data => format!(
                "static data ends at {} (__data_end; it starts at {})",
                self.ptr.max(s.data_end),
                s.global_base
            ),
            Last::Stack => format!(
                "the stack [{}, {}) of -z stack-size={} ends there",
                s.stack_low, s.stack_high, self.opts.stack_size
            ),
            Last::HeapBase => format!(
                "__heap_base is {} (end of {}, rounded up to {HEAP_ALIGN})",
                self.ptr,
                if self.opts.stack_first {
                    "static data"
                } else {
                    "the stack"
                }
            ),
            Last::Fixed(k) => format!(
                "fixed data {} ends at {}",
                self.inputs[k].name,
                self.ptr.max(s.data_end)
            ),
            Last::Declared => format!(
                "the memory is declared with {} pages",
                self.opts.declared_min / PAGE_SIZE
            ),
            Last::InitialHeap => format!(
                "--initial-heap={} starts at __heap_base={}",
                self.opts.initial_heap.unwrap_or(0),
                s.heap_base.unwrap_or(0)
            ),
        }
    }

    /// `--initial-memory`: checked against the cursor, which then becomes it; rounded to pages.
    fn size_initial_memory(&mut self) -> u64 {
        if let Some(initial) = self.opts.initial_memory.filter(|&m| m != 0) {
            if !initial.is_multiple_of(PAGE_SIZE) {
                self.errors.push(
                    error(format!("initial memory must be {PAGE_SIZE}-byte aligned")).with_note(
                        format!(
                            "help: --initial-memory={} ({} pages) would work",
                            align_to(initial.max(self.ptr), PAGE_SIZE),
                            pages(initial.max(self.ptr))
                        ),
                    ),
                );
            }
            if self.ptr > initial {
                self.errors.push(
                    error(format!(
                        "initial memory too small, {} bytes needed",
                        self.ptr
                    ))
                    .with_note(format!(
                        "{}; --initial-memory={initial} is {} short",
                        self.needed_because(),
                        self.ptr - initial
                    ))
                    .with_note(format!(
                        "help: --initial-memory={} ({} pages) would work",
                        align_to(self.ptr, PAGE_SIZE),
                        pages(self.ptr)
                    )),
                );
            }
            if initial > MAX_MEMORY_32 {
                self.errors.push(
                    error(format!(
                        "initial memory too large, cannot be greater than {MAX_MEMORY_32}"
                    ))
                    .with_note("wasm32 addresses at most 4 GiB (65536 pages)"),
                );
            }
            self.ptr = initial;
        }
        align_to(self.ptr, PAGE_SIZE)
    }

    /// `--max-memory`, `--no-growable-memory` and shared memory's implied maximum, in pages.
    fn size_max_memory(&mut self, initial: u64) -> Option<u64> {
        // LLVM 14 compares against the unrounded size; current wasm-ld against whole pages.
        let needed = if self.opts.flavor == Flavor::Llvm14 {
            self.ptr
        } else {
            initial
        };
        let mut max = None;
        if let Some(limit) = self.opts.max_memory.filter(|&m| m != 0) {
            if !limit.is_multiple_of(PAGE_SIZE) {
                self.errors.push(
                    error(format!("maximum memory must be {PAGE_SIZE}-byte aligned")).with_note(
                        format!(
                            "help: --max-memory={} would work",
                            align_to(limit.max(initial), PAGE_SIZE)
                        ),
                    ),
                );
            }
            if needed > limit {
                let why = if self.opts.initial_memory.is_some() {
                    format!("the initial memory is {needed} bytes (--initial-memory)")
                } else {
                    format!(
                        "the initial memory is {} pages: {}",
                        pages(needed),
                        self.needed_because()
                    )
                };
                self.errors.push(
                    error(format!("maximum memory too small, {needed} bytes needed"))
                        .with_note(why)
                        .with_note(format!(
                            "help: --max-memory={} ({} pages) would work",
                            align_to(needed, PAGE_SIZE),
                            pages(needed)
                        )),
                );
            }
            if limit > MAX_MEMORY_32 {
                self.errors.push(
                    error(format!(
                        "maximum memory too large, cannot be greater than {MAX_MEMORY_32}"
                    ))
                    .with_note(format!(
                        "help: --max-memory={MAX_MEMORY_32} is the wasm32 limit"
                    )),
                );
            }
            max = Some(limit);
        } else if self.opts.no_growable_memory {
            max = Some(initial);
        } else if let Some(limit) = self.opts.declared_max {
            if initial > limit {
                let e = error(format!("maximum memory too small, {initial} bytes needed"))
                    .with_note(format!(
                        "the memory is declared with a maximum of {} pages; {}",
                        limit / PAGE_SIZE,
                        self.needed_because()
                    ))
                    .with_note(format!(
                        "help: declare a maximum of {} pages or more, or give --max-memory={}",
                        pages(initial),
                        align_to(initial, PAGE_SIZE)
                    ));
                self.error_about(e, About::Declaration);
            }
            max = Some(limit);
        }
        if self.opts.shared_memory && max.is_none() {
            max = Some(initial);
        }
        max.map(|m| m / PAGE_SIZE)
    }
}
