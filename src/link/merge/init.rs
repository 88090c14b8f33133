//! `__wasm_init_memory`: the start function wasm-ld synthesizes when data cannot simply be active.
//!
//! Two cases, as in lld's `Writer::createInitMemoryFunction`:
//! - an imported memory need not be zero, so zero-initialised (bss) segments are `memory.fill`ed
//!   (watlink always has bulk memory; LLVM 14 without it wrote all-zero active segments instead);
//! - with shared memory every segment is passive, so that a thread's instantiation does not
//!   overwrite memory the others use: copied in by `memory.init` once, guarded by
//!   `__wasm_init_memory_flag` (0: not yet, 2: done), then `data.drop`ped.
//!
//! wasm-ld claims the flag with `i32.atomic.rmw.cmpxchg` and makes late threads `memory.atomic.wait32`
//! for the first; watlink's instruction set has no atomics yet, so the guard here is a plain load
//! and store: correct when the first instance finishes its start function before others start (the
//! usual main-thread-then-workers order), racy otherwise.

use super::*;

/// The work `__wasm_init_memory` does, gathered while the data section is built.
#[derive(Default)]
pub(super) struct InitMemory {
    /// `memory.init`/`memory.fill` sequences, in data order.
    body: Vec<Instr>,
    /// Passive segments to drop afterwards.
    drops: Vec<u32>,
}

fn i32_const(value: u64) -> Instr {
    Instr::new(Op::I32Const, Imm::I32(value as u32 as i32))
}

impl InitMemory {
    /// A zero-initialised segment at `address`.
    pub(super) fn fill(&mut self, address: u64, size: u64) {
        self.body.extend([
            i32_const(address),
            i32_const(0),
            i32_const(size),
            Instr::new(Op::MemoryFill, Imm::Memory(MemIdx(0))),
        ]);
    }

    /// Passive data segment number `data` copied to `address`.
    pub(super) fn copy(&mut self, data: u32, address: u64, size: u64) {
        self.body.extend([
            i32_const(address),
            i32_const(0),
            i32_const(size),
            Instr::new(Op::MemoryInit, Imm::MemoryInit(DataIdx(data), MemIdx(0))),
        ]);
        self.drops.push(data);
    }

    /// Adds `__wasm_init_memory` to `out` if there is work for it; returns its index.
    pub(super) fn finish(self, out: &mut Module, flag: Option<u64>) -> Option<FuncIdx> {
        if self.body.is_empty() {
            return None;
        }
        let mem = |align_log2| MemArg {
            mem: MemIdx(0),
            offset: 0,
            align_log2,
        };
        let mut body = Vec::new();
        match flag {
            Some(flag) => {
                body.extend([
                    Instr::new(Op::Block, Imm::Block(BlockType::Empty)),
                    i32_const(flag),
                    Instr::new(Op::I32Load, Imm::MemArg(mem(2))),
                    Instr::new(Op::BrIf, Imm::Label(LabelIdx(0))),
                ]);
                body.extend(self.body);
                body.extend([
                    i32_const(flag),
                    i32_const(2),
                    Instr::new(Op::I32Store, Imm::MemArg(mem(2))),
                    Instr::new(Op::End, Imm::None),
                ]);
            }
            None => body.extend(self.body),
        }
        body.extend(
            self.drops
                .into_iter()
                .map(|d| Instr::new(Op::DataDrop, Imm::Data(DataIdx(d)))),
        );
        Some(push_nullary_func(out, "__wasm_init_memory", body))
    }
}
