//! The instruction table: every instruction watlink knows, described once.
//!
//! Each row gives the variant name, the text keyword, the binary opcode (a single byte, or a prefix byte
//! followed by a LEB128 sub-opcode) and the kind of immediates the instruction takes. From this one table
//! the macro derives:
//! - [`Op`], a field-less enum of every instruction;
//! - [`Op::from_keyword`] / [`Op::keyword`], used by the lexer to classify a keyword;
//! - [`Op::opcode`] and [`Op::imm`], used by the encoder;
//! - [`Op::natural_align`] for instructions with a memory argument.
//!
//! Adding an instruction is one line here (plus, for a new immediate kind, one grammar rule).

/// The opcode of an instruction in the binary format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// A one-byte opcode.
    Single(u8),
    /// A prefix byte (`0xFC`, `0xFD`, `0xFE`) followed by a LEB128 sub-opcode.
    Prefixed(u8, u32),
}

impl Opcode {
    /// Appends the binary encoding of the opcode to `sink`.
    pub fn encode(self, sink: &mut Vec<u8>) {
        match self {
            Opcode::Single(b) => sink.push(b),
            Opcode::Prefixed(p, mut sub) => {
                sink.push(p);
                loop {
                    let byte = (sub & 0x7f) as u8;
                    sub >>= 7;
                    if sub == 0 {
                        sink.push(byte);
                        break;
                    }
                    sink.push(byte | 0x80);
                }
            }
        }
    }
}

/// The kind of immediates an instruction takes; also the token class the lexer gives its keyword, so the
/// grammar needs one rule per kind, not one per instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImmKind {
    /// No immediates: `i32.add`.
    None,
    /// `block`/`loop`: optional label, block type.
    Block,
    /// `if`: optional label, block type, then `else` arm in the folded form.
    If,
    /// `else` with an optional repeated label (flat form only).
    Else,
    /// `end` with an optional repeated label (flat form only).
    End,
    /// A label index: `br $l`.
    Label,
    /// `br_table l* l`.
    BrTable,
    /// A function index: `call $f`, `ref.func $f`.
    Func,
    /// `call_indirect $table? typeuse`.
    CallIndirect,
    /// A local index.
    Local,
    /// A global index.
    Global,
    /// An optional table index (defaults to 0): `table.get $t`.
    Table,
    /// An optional memory index and a memory argument `offset=N align=M`.
    MemArg,
    /// An optional memory index: `memory.size`.
    Memory,
    /// `memory.init $mem? $data`.
    MemoryInit,
    /// A data segment index: `data.drop $d`.
    Data,
    /// `memory.copy $dst? $src?`.
    MemoryCopy,
    /// `table.init $table? $elem`.
    TableInit,
    /// An element segment index: `elem.drop $e`.
    Elem,
    /// `table.copy $dst? $src?`.
    TableCopy,
    /// An `i32` literal.
    I32,
    /// An `i64` literal.
    I64,
    /// An `f32` literal.
    F32,
    /// An `f64` literal.
    F64,
    /// `v128.const shape lit*`.
    V128,
    /// `select (result t*)?`.
    Select,
    /// `ref.null heaptype`.
    RefNull,
    /// A lane index: `i8x16.extract_lane_s 3`.
    Lane,
    /// A memory argument then a lane index: `v128.load8_lane offset=1 3`.
    MemArgLane,
    /// Sixteen lane indices: `i8x16.shuffle 0 1 …`.
    Shuffle,
    /// `atomic.fence`: nothing in the text, a reserved zero byte in the binary.
    Fence,
    /// A type index: `call_ref $t`, `struct.new $t`, `array.get $t`.
    Type,
    /// A struct type and one of its fields: `struct.get $t $f`.
    Field,
    /// An array type and an element count: `array.new_fixed $t 3`.
    TypeCount,
    /// An array type and a data segment: `array.new_data $t $d`.
    TypeData,
    /// An array type and an element segment: `array.new_elem $t $e`.
    TypeElem,
    /// Two array types, destination then source: `array.copy $dst $src`.
    TypeType,
    /// A reference type: `ref.test (ref null $t)`; the opcode's sub-opcode is one more for a
    /// nullable type (`ref.test null` is 0xfb 21).
    Cast,
    /// A label and two reference types: `br_on_cast $l anyref (ref $t)`.
    BrOnCast,
    /// A tag index: `throw $e`.
    Tag,
    /// `try_table`: optional label, block type, catch clauses.
    TryTable,
}

/// A table from keyword to value, hashed with [`KeywordHasher`].
pub(crate) type KeywordMap<V> =
    std::collections::HashMap<&'static str, V, std::hash::BuildHasherDefault<KeywordHasher>>;

/// A map with the entries of `entries`; the first entry for a keyword wins.
pub(crate) fn keyword_map<V>(
    entries: impl IntoIterator<Item = (&'static str, V)>,
) -> KeywordMap<V> {
    let mut map = KeywordMap::default();
    for (k, v) in entries {
        map.entry(k).or_insert(v);
    }
    map
}

/// A fast hash for short, trusted keys (FxHash's mixing step, eight bytes at a time): keyword
/// lookup runs once per keyword token.
#[derive(Default)]
pub(crate) struct KeywordHasher(u64);

impl KeywordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for KeywordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

macro_rules! instructions {
    ($( $variant:ident $text:literal $byte:literal $(: $sub:literal)? $kind:ident $(/ $align:literal)? ;)*) => {
        /// Every instruction watlink knows, one variant per row of the table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Op {
            $($variant,)*
        }

        impl Op {
            /// All instructions, in table order.
            pub const ALL: &'static [Op] = &[$(Op::$variant,)*];

            /// The text keyword: `"i32.add"`.
            pub fn keyword(self) -> &'static str {
                match self { $(Op::$variant => $text,)* }
            }

            /// The instruction whose keyword is `text`, if any (a hash lookup: a `match` on
            /// hundreds of strings compares them one by one).
            pub fn from_keyword(text: &str) -> Option<Op> {
                static TABLE: std::sync::OnceLock<KeywordMap<Op>> = std::sync::OnceLock::new();
                let table = TABLE.get_or_init(|| keyword_map(Op::ALL.iter().map(|&op| (op.keyword(), op))));
                table.get(text).copied()
            }

            /// The binary opcode.
            pub fn opcode(self) -> Opcode {
                match self { $(Op::$variant => instructions!(@opcode $byte $($sub)?),)* }
            }

            /// The kind of immediates the instruction takes.
            pub fn imm(self) -> ImmKind {
                match self { $(Op::$variant => ImmKind::$kind,)* }
            }

            /// Whether the instruction names a data segment (`memory.init`, `data.drop`,
            /// `array.new_data`, `array.init_data`): a module whose code does needs a DataCount
            /// section.
            pub fn names_data(self) -> bool {
                matches!(self.imm(), ImmKind::MemoryInit | ImmKind::Data | ImmKind::TypeData)
            }

            /// The natural alignment in bytes of an instruction with a memory argument; 0 for others.
            pub fn natural_align(self) -> u32 {
                match self { $(Op::$variant => instructions!(@align $($align)?),)* }
            }
        }
    };
    (@opcode $byte:literal) => { Opcode::Single($byte) };
    (@opcode $byte:literal $sub:literal) => { Opcode::Prefixed($byte, $sub) };
    (@align) => { 0 };
    (@align $align:literal) => { $align };
}

instructions! {
    // control
    Unreachable "unreachable" 0x00 None;
    Nop "nop" 0x01 None;
    Block "block" 0x02 Block;
    Loop "loop" 0x03 Block;
    If "if" 0x04 If;
    Else "else" 0x05 Else;
    End "end" 0x0b End;
    Br "br" 0x0c Label;
    BrIf "br_if" 0x0d Label;
    BrTable "br_table" 0x0e BrTable;
    Return "return" 0x0f None;
    Call "call" 0x10 Func;
    CallIndirect "call_indirect" 0x11 CallIndirect;
    ReturnCall "return_call" 0x12 Func;
    ReturnCallIndirect "return_call_indirect" 0x13 CallIndirect;
    CallRef "call_ref" 0x14 Type;
    ReturnCallRef "return_call_ref" 0x15 Type;
    // parametric (`select` with types encodes as 0x1c)
    Drop "drop" 0x1a None;
    Select "select" 0x1b Select;
    // variables
    LocalGet "local.get" 0x20 Local;
    LocalSet "local.set" 0x21 Local;
    LocalTee "local.tee" 0x22 Local;
    GlobalGet "global.get" 0x23 Global;
    GlobalSet "global.set" 0x24 Global;
    TableGet "table.get" 0x25 Table;
    TableSet "table.set" 0x26 Table;
    // memory
    I32Load "i32.load" 0x28 MemArg / 4;
    I64Load "i64.load" 0x29 MemArg / 8;
    F32Load "f32.load" 0x2a MemArg / 4;
    F64Load "f64.load" 0x2b MemArg / 8;
    I32Load8S "i32.load8_s" 0x2c MemArg / 1;
    I32Load8U "i32.load8_u" 0x2d MemArg / 1;
    I32Load16S "i32.load16_s" 0x2e MemArg / 2;
    I32Load16U "i32.load16_u" 0x2f MemArg / 2;
    I64Load8S "i64.load8_s" 0x30 MemArg / 1;
    I64Load8U "i64.load8_u" 0x31 MemArg / 1;
    I64Load16S "i64.load16_s" 0x32 MemArg / 2;
    I64Load16U "i64.load16_u" 0x33 MemArg / 2;
    I64Load32S "i64.load32_s" 0x34 MemArg / 4;
    I64Load32U "i64.load32_u" 0x35 MemArg / 4;
    I32Store "i32.store" 0x36 MemArg / 4;
    I64Store "i64.store" 0x37 MemArg / 8;
    F32Store "f32.store" 0x38 MemArg / 4;
    F64Store "f64.store" 0x39 MemArg / 8;
    I32Store8 "i32.store8" 0x3a MemArg / 1;
    I32Store16 "i32.store16" 0x3b MemArg / 2;
    I64Store8 "i64.store8" 0x3c MemArg / 1;
    I64Store16 "i64.store16" 0x3d MemArg / 2;
    I64Store32 "i64.store32" 0x3e MemArg / 4;
    MemorySize "memory.size" 0x3f Memory;
    MemoryGrow "memory.grow" 0x40 Memory;
    // constants
    I32Const "i32.const" 0x41 I32;
    I64Const "i64.const" 0x42 I64;
    F32Const "f32.const" 0x43 F32;
    F64Const "f64.const" 0x44 F64;
    // i32 comparison
    I32Eqz "i32.eqz" 0x45 None;
    I32Eq "i32.eq" 0x46 None;
    I32Ne "i32.ne" 0x47 None;
    I32LtS "i32.lt_s" 0x48 None;
    I32LtU "i32.lt_u" 0x49 None;
    I32GtS "i32.gt_s" 0x4a None;
    I32GtU "i32.gt_u" 0x4b None;
    I32LeS "i32.le_s" 0x4c None;
    I32LeU "i32.le_u" 0x4d None;
    I32GeS "i32.ge_s" 0x4e None;
    I32GeU "i32.ge_u" 0x4f None;
    // i64 comparison
    I64Eqz "i64.eqz" 0x50 None;
    I64Eq "i64.eq" 0x51 None;
    I64Ne "i64.ne" 0x52 None;
    I64LtS "i64.lt_s" 0x53 None;
    I64LtU "i64.lt_u" 0x54 None;
    I64GtS "i64.gt_s" 0x55 None;
    I64GtU "i64.gt_u" 0x56 None;
    I64LeS "i64.le_s" 0x57 None;
    I64LeU "i64.le_u" 0x58 None;
    I64GeS "i64.ge_s" 0x59 None;
    I64GeU "i64.ge_u" 0x5a None;
    // float comparison
    F32Eq "f32.eq" 0x5b None;
    F32Ne "f32.ne" 0x5c None;
    F32Lt "f32.lt" 0x5d None;
    F32Gt "f32.gt" 0x5e None;
    F32Le "f32.le" 0x5f None;
    F32Ge "f32.ge" 0x60 None;
    F64Eq "f64.eq" 0x61 None;
    F64Ne "f64.ne" 0x62 None;
    F64Lt "f64.lt" 0x63 None;
    F64Gt "f64.gt" 0x64 None;
    F64Le "f64.le" 0x65 None;
    F64Ge "f64.ge" 0x66 None;
    // i32 arithmetic
    I32Clz "i32.clz" 0x67 None;
    I32Ctz "i32.ctz" 0x68 None;
    I32Popcnt "i32.popcnt" 0x69 None;
    I32Add "i32.add" 0x6a None;
    I32Sub "i32.sub" 0x6b None;
    I32Mul "i32.mul" 0x6c None;
    I32DivS "i32.div_s" 0x6d None;
    I32DivU "i32.div_u" 0x6e None;
    I32RemS "i32.rem_s" 0x6f None;
    I32RemU "i32.rem_u" 0x70 None;
    I32And "i32.and" 0x71 None;
    I32Or "i32.or" 0x72 None;
    I32Xor "i32.xor" 0x73 None;
    I32Shl "i32.shl" 0x74 None;
    I32ShrS "i32.shr_s" 0x75 None;
    I32ShrU "i32.shr_u" 0x76 None;
    I32Rotl "i32.rotl" 0x77 None;
    I32Rotr "i32.rotr" 0x78 None;
    // i64 arithmetic
    I64Clz "i64.clz" 0x79 None;
    I64Ctz "i64.ctz" 0x7a None;
    I64Popcnt "i64.popcnt" 0x7b None;
    I64Add "i64.add" 0x7c None;
    I64Sub "i64.sub" 0x7d None;
    I64Mul "i64.mul" 0x7e None;
    I64DivS "i64.div_s" 0x7f None;
    I64DivU "i64.div_u" 0x80 None;
    I64RemS "i64.rem_s" 0x81 None;
    I64RemU "i64.rem_u" 0x82 None;
    I64And "i64.and" 0x83 None;
    I64Or "i64.or" 0x84 None;
    I64Xor "i64.xor" 0x85 None;
    I64Shl "i64.shl" 0x86 None;
    I64ShrS "i64.shr_s" 0x87 None;
    I64ShrU "i64.shr_u" 0x88 None;
    I64Rotl "i64.rotl" 0x89 None;
    I64Rotr "i64.rotr" 0x8a None;
    // f32 arithmetic
    F32Abs "f32.abs" 0x8b None;
    F32Neg "f32.neg" 0x8c None;
    F32Ceil "f32.ceil" 0x8d None;
    F32Floor "f32.floor" 0x8e None;
    F32Trunc "f32.trunc" 0x8f None;
    F32Nearest "f32.nearest" 0x90 None;
    F32Sqrt "f32.sqrt" 0x91 None;
    F32Add "f32.add" 0x92 None;
    F32Sub "f32.sub" 0x93 None;
    F32Mul "f32.mul" 0x94 None;
    F32Div "f32.div" 0x95 None;
    F32Min "f32.min" 0x96 None;
    F32Max "f32.max" 0x97 None;
    F32Copysign "f32.copysign" 0x98 None;
    // f64 arithmetic
    F64Abs "f64.abs" 0x99 None;
    F64Neg "f64.neg" 0x9a None;
    F64Ceil "f64.ceil" 0x9b None;
    F64Floor "f64.floor" 0x9c None;
    F64Trunc "f64.trunc" 0x9d None;
    F64Nearest "f64.nearest" 0x9e None;
    F64Sqrt "f64.sqrt" 0x9f None;
    F64Add "f64.add" 0xa0 None;
    F64Sub "f64.sub" 0xa1 None;
    F64Mul "f64.mul" 0xa2 None;
    F64Div "f64.div" 0xa3 None;
    F64Min "f64.min" 0xa4 None;
    F64Max "f64.max" 0xa5 None;
    F64Copysign "f64.copysign" 0xa6 None;
    // conversions
    I32WrapI64 "i32.wrap_i64" 0xa7 None;
    I32TruncF32S "i32.trunc_f32_s" 0xa8 None;
    I32TruncF32U "i32.trunc_f32_u" 0xa9 None;
    I32TruncF64S "i32.trunc_f64_s" 0xaa None;
    I32TruncF64U "i32.trunc_f64_u" 0xab None;
    I64ExtendI32S "i64.extend_i32_s" 0xac None;
    I64ExtendI32U "i64.extend_i32_u" 0xad None;
    I64TruncF32S "i64.trunc_f32_s" 0xae None;
    I64TruncF32U "i64.trunc_f32_u" 0xaf None;
    I64TruncF64S "i64.trunc_f64_s" 0xb0 None;
    I64TruncF64U "i64.trunc_f64_u" 0xb1 None;
    F32ConvertI32S "f32.convert_i32_s" 0xb2 None;
    F32ConvertI32U "f32.convert_i32_u" 0xb3 None;
    F32ConvertI64S "f32.convert_i64_s" 0xb4 None;
    F32ConvertI64U "f32.convert_i64_u" 0xb5 None;
    F32DemoteF64 "f32.demote_f64" 0xb6 None;
    F64ConvertI32S "f64.convert_i32_s" 0xb7 None;
    F64ConvertI32U "f64.convert_i32_u" 0xb8 None;
    F64ConvertI64S "f64.convert_i64_s" 0xb9 None;
    F64ConvertI64U "f64.convert_i64_u" 0xba None;
    F64PromoteF32 "f64.promote_f32" 0xbb None;
    I32ReinterpretF32 "i32.reinterpret_f32" 0xbc None;
    I64ReinterpretF64 "i64.reinterpret_f64" 0xbd None;
    F32ReinterpretI32 "f32.reinterpret_i32" 0xbe None;
    F64ReinterpretI64 "f64.reinterpret_i64" 0xbf None;
    // sign extension
    I32Extend8S "i32.extend8_s" 0xc0 None;
    I32Extend16S "i32.extend16_s" 0xc1 None;
    I64Extend8S "i64.extend8_s" 0xc2 None;
    I64Extend16S "i64.extend16_s" 0xc3 None;
    I64Extend32S "i64.extend32_s" 0xc4 None;
    // reference types
    RefNull "ref.null" 0xd0 RefNull;
    RefIsNull "ref.is_null" 0xd1 None;
    RefFunc "ref.func" 0xd2 Func;
    // typed function references
    RefAsNonNull "ref.as_non_null" 0xd4 None;
    BrOnNull "br_on_null" 0xd5 Label;
    BrOnNonNull "br_on_non_null" 0xd6 Label;
    // saturating conversions
    I32TruncSatF32S "i32.trunc_sat_f32_s" 0xfc:0 None;
    I32TruncSatF32U "i32.trunc_sat_f32_u" 0xfc:1 None;
    I32TruncSatF64S "i32.trunc_sat_f64_s" 0xfc:2 None;
    I32TruncSatF64U "i32.trunc_sat_f64_u" 0xfc:3 None;
    I64TruncSatF32S "i64.trunc_sat_f32_s" 0xfc:4 None;
    I64TruncSatF32U "i64.trunc_sat_f32_u" 0xfc:5 None;
    I64TruncSatF64S "i64.trunc_sat_f64_s" 0xfc:6 None;
    I64TruncSatF64U "i64.trunc_sat_f64_u" 0xfc:7 None;
    // bulk memory and tables
    MemoryInit "memory.init" 0xfc:8 MemoryInit;
    DataDrop "data.drop" 0xfc:9 Data;
    MemoryCopy "memory.copy" 0xfc:10 MemoryCopy;
    MemoryFill "memory.fill" 0xfc:11 Memory;
    TableInit "table.init" 0xfc:12 TableInit;
    ElemDrop "elem.drop" 0xfc:13 Elem;
    TableCopy "table.copy" 0xfc:14 TableCopy;
    TableGrow "table.grow" 0xfc:15 Table;
    TableSize "table.size" 0xfc:16 Table;
    TableFill "table.fill" 0xfc:17 Table;
    // SIMD: memory
    V128Load "v128.load" 0xfd:0 MemArg / 16;
    V128Load8x8S "v128.load8x8_s" 0xfd:1 MemArg / 8;
    V128Load8x8U "v128.load8x8_u" 0xfd:2 MemArg / 8;
    V128Load16x4S "v128.load16x4_s" 0xfd:3 MemArg / 8;
    V128Load16x4U "v128.load16x4_u" 0xfd:4 MemArg / 8;
    V128Load32x2S "v128.load32x2_s" 0xfd:5 MemArg / 8;
    V128Load32x2U "v128.load32x2_u" 0xfd:6 MemArg / 8;
    V128Load8Splat "v128.load8_splat" 0xfd:7 MemArg / 1;
    V128Load16Splat "v128.load16_splat" 0xfd:8 MemArg / 2;
    V128Load32Splat "v128.load32_splat" 0xfd:9 MemArg / 4;
    V128Load64Splat "v128.load64_splat" 0xfd:10 MemArg / 8;
    V128Store "v128.store" 0xfd:11 MemArg / 16;
    V128Const "v128.const" 0xfd:12 V128;
    I8x16Shuffle "i8x16.shuffle" 0xfd:13 Shuffle;
    I8x16Swizzle "i8x16.swizzle" 0xfd:14 None;
    I8x16Splat "i8x16.splat" 0xfd:15 None;
    I16x8Splat "i16x8.splat" 0xfd:16 None;
    I32x4Splat "i32x4.splat" 0xfd:17 None;
    I64x2Splat "i64x2.splat" 0xfd:18 None;
    F32x4Splat "f32x4.splat" 0xfd:19 None;
    F64x2Splat "f64x2.splat" 0xfd:20 None;
    I8x16ExtractLaneS "i8x16.extract_lane_s" 0xfd:21 Lane;
    I8x16ExtractLaneU "i8x16.extract_lane_u" 0xfd:22 Lane;
    I8x16ReplaceLane "i8x16.replace_lane" 0xfd:23 Lane;
    I16x8ExtractLaneS "i16x8.extract_lane_s" 0xfd:24 Lane;
    I16x8ExtractLaneU "i16x8.extract_lane_u" 0xfd:25 Lane;
    I16x8ReplaceLane "i16x8.replace_lane" 0xfd:26 Lane;
    I32x4ExtractLane "i32x4.extract_lane" 0xfd:27 Lane;
    I32x4ReplaceLane "i32x4.replace_lane" 0xfd:28 Lane;
    I64x2ExtractLane "i64x2.extract_lane" 0xfd:29 Lane;
    I64x2ReplaceLane "i64x2.replace_lane" 0xfd:30 Lane;
    F32x4ExtractLane "f32x4.extract_lane" 0xfd:31 Lane;
    F32x4ReplaceLane "f32x4.replace_lane" 0xfd:32 Lane;
    F64x2ExtractLane "f64x2.extract_lane" 0xfd:33 Lane;
    F64x2ReplaceLane "f64x2.replace_lane" 0xfd:34 Lane;
    I8x16Eq "i8x16.eq" 0xfd:35 None;
    I8x16Ne "i8x16.ne" 0xfd:36 None;
    I8x16LtS "i8x16.lt_s" 0xfd:37 None;
    I8x16LtU "i8x16.lt_u" 0xfd:38 None;
    I8x16GtS "i8x16.gt_s" 0xfd:39 None;
    I8x16GtU "i8x16.gt_u" 0xfd:40 None;
    I8x16LeS "i8x16.le_s" 0xfd:41 None;
    I8x16LeU "i8x16.le_u" 0xfd:42 None;
    I8x16GeS "i8x16.ge_s" 0xfd:43 None;
    I8x16GeU "i8x16.ge_u" 0xfd:44 None;
    I16x8Eq "i16x8.eq" 0xfd:45 None;
    I16x8Ne "i16x8.ne" 0xfd:46 None;
    I16x8LtS "i16x8.lt_s" 0xfd:47 None;
    I16x8LtU "i16x8.lt_u" 0xfd:48 None;
    I16x8GtS "i16x8.gt_s" 0xfd:49 None;
    I16x8GtU "i16x8.gt_u" 0xfd:50 None;
    I16x8LeS "i16x8.le_s" 0xfd:51 None;
    I16x8LeU "i16x8.le_u" 0xfd:52 None;
    I16x8GeS "i16x8.ge_s" 0xfd:53 None;
    I16x8GeU "i16x8.ge_u" 0xfd:54 None;
    I32x4Eq "i32x4.eq" 0xfd:55 None;
    I32x4Ne "i32x4.ne" 0xfd:56 None;
    I32x4LtS "i32x4.lt_s" 0xfd:57 None;
    I32x4LtU "i32x4.lt_u" 0xfd:58 None;
    I32x4GtS "i32x4.gt_s" 0xfd:59 None;
    I32x4GtU "i32x4.gt_u" 0xfd:60 None;
    I32x4LeS "i32x4.le_s" 0xfd:61 None;
    I32x4LeU "i32x4.le_u" 0xfd:62 None;
    I32x4GeS "i32x4.ge_s" 0xfd:63 None;
    I32x4GeU "i32x4.ge_u" 0xfd:64 None;
    F32x4Eq "f32x4.eq" 0xfd:65 None;
    F32x4Ne "f32x4.ne" 0xfd:66 None;
    F32x4Lt "f32x4.lt" 0xfd:67 None;
    F32x4Gt "f32x4.gt" 0xfd:68 None;
    F32x4Le "f32x4.le" 0xfd:69 None;
    F32x4Ge "f32x4.ge" 0xfd:70 None;
    F64x2Eq "f64x2.eq" 0xfd:71 None;
    F64x2Ne "f64x2.ne" 0xfd:72 None;
    F64x2Lt "f64x2.lt" 0xfd:73 None;
    F64x2Gt "f64x2.gt" 0xfd:74 None;
    F64x2Le "f64x2.le" 0xfd:75 None;
    F64x2Ge "f64x2.ge" 0xfd:76 None;
    V128Not "v128.not" 0xfd:77 None;
    V128And "v128.and" 0xfd:78 None;
    V128Andnot "v128.andnot" 0xfd:79 None;
    V128Or "v128.or" 0xfd:80 None;
    V128Xor "v128.xor" 0xfd:81 None;
    V128Bitselect "v128.bitselect" 0xfd:82 None;
    V128AnyTrue "v128.any_true" 0xfd:83 None;
    V128Load8Lane "v128.load8_lane" 0xfd:84 MemArgLane / 1;
    V128Load16Lane "v128.load16_lane" 0xfd:85 MemArgLane / 2;
    V128Load32Lane "v128.load32_lane" 0xfd:86 MemArgLane / 4;
    V128Load64Lane "v128.load64_lane" 0xfd:87 MemArgLane / 8;
    V128Store8Lane "v128.store8_lane" 0xfd:88 MemArgLane / 1;
    V128Store16Lane "v128.store16_lane" 0xfd:89 MemArgLane / 2;
    V128Store32Lane "v128.store32_lane" 0xfd:90 MemArgLane / 4;
    V128Store64Lane "v128.store64_lane" 0xfd:91 MemArgLane / 8;
    V128Load32Zero "v128.load32_zero" 0xfd:92 MemArg / 4;
    V128Load64Zero "v128.load64_zero" 0xfd:93 MemArg / 8;
    F32x4DemoteF64x2Zero "f32x4.demote_f64x2_zero" 0xfd:94 None;
    F64x2PromoteLowF32x4 "f64x2.promote_low_f32x4" 0xfd:95 None;
    I8x16Abs "i8x16.abs" 0xfd:96 None;
    I8x16Neg "i8x16.neg" 0xfd:97 None;
    I8x16Popcnt "i8x16.popcnt" 0xfd:98 None;
    I8x16AllTrue "i8x16.all_true" 0xfd:99 None;
    I8x16Bitmask "i8x16.bitmask" 0xfd:100 None;
    I8x16NarrowI16x8S "i8x16.narrow_i16x8_s" 0xfd:101 None;
    I8x16NarrowI16x8U "i8x16.narrow_i16x8_u" 0xfd:102 None;
    F32x4Ceil "f32x4.ceil" 0xfd:103 None;
    F32x4Floor "f32x4.floor" 0xfd:104 None;
    F32x4Trunc "f32x4.trunc" 0xfd:105 None;
    F32x4Nearest "f32x4.nearest" 0xfd:106 None;
    I8x16Shl "i8x16.shl" 0xfd:107 None;
    I8x16ShrS "i8x16.shr_s" 0xfd:108 None;
    I8x16ShrU "i8x16.shr_u" 0xfd:109 None;
    I8x16Add "i8x16.add" 0xfd:110 None;
    I8x16AddSatS "i8x16.add_sat_s" 0xfd:111 None;
    I8x16AddSatU "i8x16.add_sat_u" 0xfd:112 None;
    I8x16Sub "i8x16.sub" 0xfd:113 None;
    I8x16SubSatS "i8x16.sub_sat_s" 0xfd:114 None;
    I8x16SubSatU "i8x16.sub_sat_u" 0xfd:115 None;
    F64x2Ceil "f64x2.ceil" 0xfd:116 None;
    F64x2Floor "f64x2.floor" 0xfd:117 None;
    I8x16MinS "i8x16.min_s" 0xfd:118 None;
    I8x16MinU "i8x16.min_u" 0xfd:119 None;
    I8x16MaxS "i8x16.max_s" 0xfd:120 None;
    I8x16MaxU "i8x16.max_u" 0xfd:121 None;
    F64x2Trunc "f64x2.trunc" 0xfd:122 None;
    I8x16AvgrU "i8x16.avgr_u" 0xfd:123 None;
    I16x8ExtaddPairwiseI8x16S "i16x8.extadd_pairwise_i8x16_s" 0xfd:124 None;
    I16x8ExtaddPairwiseI8x16U "i16x8.extadd_pairwise_i8x16_u" 0xfd:125 None;
    I32x4ExtaddPairwiseI16x8S "i32x4.extadd_pairwise_i16x8_s" 0xfd:126 None;
    I32x4ExtaddPairwiseI16x8U "i32x4.extadd_pairwise_i16x8_u" 0xfd:127 None;
    I16x8Abs "i16x8.abs" 0xfd:128 None;
    I16x8Neg "i16x8.neg" 0xfd:129 None;
    I16x8Q15mulrSatS "i16x8.q15mulr_sat_s" 0xfd:130 None;
    I16x8AllTrue "i16x8.all_true" 0xfd:131 None;
    I16x8Bitmask "i16x8.bitmask" 0xfd:132 None;
    I16x8NarrowI32x4S "i16x8.narrow_i32x4_s" 0xfd:133 None;
    I16x8NarrowI32x4U "i16x8.narrow_i32x4_u" 0xfd:134 None;
    I16x8ExtendLowI8x16S "i16x8.extend_low_i8x16_s" 0xfd:135 None;
    I16x8ExtendHighI8x16S "i16x8.extend_high_i8x16_s" 0xfd:136 None;
    I16x8ExtendLowI8x16U "i16x8.extend_low_i8x16_u" 0xfd:137 None;
    I16x8ExtendHighI8x16U "i16x8.extend_high_i8x16_u" 0xfd:138 None;
    I16x8Shl "i16x8.shl" 0xfd:139 None;
    I16x8ShrS "i16x8.shr_s" 0xfd:140 None;
    I16x8ShrU "i16x8.shr_u" 0xfd:141 None;
    I16x8Add "i16x8.add" 0xfd:142 None;
    I16x8AddSatS "i16x8.add_sat_s" 0xfd:143 None;
    I16x8AddSatU "i16x8.add_sat_u" 0xfd:144 None;
    I16x8Sub "i16x8.sub" 0xfd:145 None;
    I16x8SubSatS "i16x8.sub_sat_s" 0xfd:146 None;
    I16x8SubSatU "i16x8.sub_sat_u" 0xfd:147 None;
    F64x2Nearest "f64x2.nearest" 0xfd:148 None;
    I16x8Mul "i16x8.mul" 0xfd:149 None;
    I16x8MinS "i16x8.min_s" 0xfd:150 None;
    I16x8MinU "i16x8.min_u" 0xfd:151 None;
    I16x8MaxS "i16x8.max_s" 0xfd:152 None;
    I16x8MaxU "i16x8.max_u" 0xfd:153 None;
    I16x8AvgrU "i16x8.avgr_u" 0xfd:155 None;
    I16x8ExtmulLowI8x16S "i16x8.extmul_low_i8x16_s" 0xfd:156 None;
    I16x8ExtmulHighI8x16S "i16x8.extmul_high_i8x16_s" 0xfd:157 None;
    I16x8ExtmulLowI8x16U "i16x8.extmul_low_i8x16_u" 0xfd:158 None;
    I16x8ExtmulHighI8x16U "i16x8.extmul_high_i8x16_u" 0xfd:159 None;
    I32x4Abs "i32x4.abs" 0xfd:160 None;
    I32x4Neg "i32x4.neg" 0xfd:161 None;
    I32x4AllTrue "i32x4.all_true" 0xfd:163 None;
    I32x4Bitmask "i32x4.bitmask" 0xfd:164 None;
    I32x4ExtendLowI16x8S "i32x4.extend_low_i16x8_s" 0xfd:167 None;
    I32x4ExtendHighI16x8S "i32x4.extend_high_i16x8_s" 0xfd:168 None;
    I32x4ExtendLowI16x8U "i32x4.extend_low_i16x8_u" 0xfd:169 None;
    I32x4ExtendHighI16x8U "i32x4.extend_high_i16x8_u" 0xfd:170 None;
    I32x4Shl "i32x4.shl" 0xfd:171 None;
    I32x4ShrS "i32x4.shr_s" 0xfd:172 None;
    I32x4ShrU "i32x4.shr_u" 0xfd:173 None;
    I32x4Add "i32x4.add" 0xfd:174 None;
    I32x4Sub "i32x4.sub" 0xfd:177 None;
    I32x4Mul "i32x4.mul" 0xfd:181 None;
    I32x4MinS "i32x4.min_s" 0xfd:182 None;
    I32x4MinU "i32x4.min_u" 0xfd:183 None;
    I32x4MaxS "i32x4.max_s" 0xfd:184 None;
    I32x4MaxU "i32x4.max_u" 0xfd:185 None;
    I32x4DotI16x8S "i32x4.dot_i16x8_s" 0xfd:186 None;
    I32x4ExtmulLowI16x8S "i32x4.extmul_low_i16x8_s" 0xfd:188 None;
    I32x4ExtmulHighI16x8S "i32x4.extmul_high_i16x8_s" 0xfd:189 None;
    I32x4ExtmulLowI16x8U "i32x4.extmul_low_i16x8_u" 0xfd:190 None;
    I32x4ExtmulHighI16x8U "i32x4.extmul_high_i16x8_u" 0xfd:191 None;
    I64x2Abs "i64x2.abs" 0xfd:192 None;
    I64x2Neg "i64x2.neg" 0xfd:193 None;
    I64x2AllTrue "i64x2.all_true" 0xfd:195 None;
    I64x2Bitmask "i64x2.bitmask" 0xfd:196 None;
    I64x2ExtendLowI32x4S "i64x2.extend_low_i32x4_s" 0xfd:199 None;
    I64x2ExtendHighI32x4S "i64x2.extend_high_i32x4_s" 0xfd:200 None;
    I64x2ExtendLowI32x4U "i64x2.extend_low_i32x4_u" 0xfd:201 None;
    I64x2ExtendHighI32x4U "i64x2.extend_high_i32x4_u" 0xfd:202 None;
    I64x2Shl "i64x2.shl" 0xfd:203 None;
    I64x2ShrS "i64x2.shr_s" 0xfd:204 None;
    I64x2ShrU "i64x2.shr_u" 0xfd:205 None;
    I64x2Add "i64x2.add" 0xfd:206 None;
    I64x2Sub "i64x2.sub" 0xfd:209 None;
    I64x2Mul "i64x2.mul" 0xfd:213 None;
    I64x2Eq "i64x2.eq" 0xfd:214 None;
    I64x2Ne "i64x2.ne" 0xfd:215 None;
    I64x2LtS "i64x2.lt_s" 0xfd:216 None;
    I64x2GtS "i64x2.gt_s" 0xfd:217 None;
    I64x2LeS "i64x2.le_s" 0xfd:218 None;
    I64x2GeS "i64x2.ge_s" 0xfd:219 None;
    I64x2ExtmulLowI32x4S "i64x2.extmul_low_i32x4_s" 0xfd:220 None;
    I64x2ExtmulHighI32x4S "i64x2.extmul_high_i32x4_s" 0xfd:221 None;
    I64x2ExtmulLowI32x4U "i64x2.extmul_low_i32x4_u" 0xfd:222 None;
    I64x2ExtmulHighI32x4U "i64x2.extmul_high_i32x4_u" 0xfd:223 None;
    F32x4Abs "f32x4.abs" 0xfd:224 None;
    F32x4Neg "f32x4.neg" 0xfd:225 None;
    F32x4Sqrt "f32x4.sqrt" 0xfd:227 None;
    F32x4Add "f32x4.add" 0xfd:228 None;
    F32x4Sub "f32x4.sub" 0xfd:229 None;
    F32x4Mul "f32x4.mul" 0xfd:230 None;
    F32x4Div "f32x4.div" 0xfd:231 None;
    F32x4Min "f32x4.min" 0xfd:232 None;
    F32x4Max "f32x4.max" 0xfd:233 None;
    F32x4Pmin "f32x4.pmin" 0xfd:234 None;
    F32x4Pmax "f32x4.pmax" 0xfd:235 None;
    F64x2Abs "f64x2.abs" 0xfd:236 None;
    F64x2Neg "f64x2.neg" 0xfd:237 None;
    F64x2Sqrt "f64x2.sqrt" 0xfd:239 None;
    F64x2Add "f64x2.add" 0xfd:240 None;
    F64x2Sub "f64x2.sub" 0xfd:241 None;
    F64x2Mul "f64x2.mul" 0xfd:242 None;
    F64x2Div "f64x2.div" 0xfd:243 None;
    F64x2Min "f64x2.min" 0xfd:244 None;
    F64x2Max "f64x2.max" 0xfd:245 None;
    F64x2Pmin "f64x2.pmin" 0xfd:246 None;
    F64x2Pmax "f64x2.pmax" 0xfd:247 None;
    I32x4TruncSatF32x4S "i32x4.trunc_sat_f32x4_s" 0xfd:248 None;
    I32x4TruncSatF32x4U "i32x4.trunc_sat_f32x4_u" 0xfd:249 None;
    F32x4ConvertI32x4S "f32x4.convert_i32x4_s" 0xfd:250 None;
    F32x4ConvertI32x4U "f32x4.convert_i32x4_u" 0xfd:251 None;
    I32x4TruncSatF64x2SZero "i32x4.trunc_sat_f64x2_s_zero" 0xfd:252 None;
    I32x4TruncSatF64x2UZero "i32x4.trunc_sat_f64x2_u_zero" 0xfd:253 None;
    F64x2ConvertLowI32x4S "f64x2.convert_low_i32x4_s" 0xfd:254 None;
    F64x2ConvertLowI32x4U "f64x2.convert_low_i32x4_u" 0xfd:255 None;
    // wide arithmetic
    I64Add128 "i64.add128" 0xfc:19 None;
    I64Sub128 "i64.sub128" 0xfc:20 None;
    I64MulWideS "i64.mul_wide_s" 0xfc:21 None;
    I64MulWideU "i64.mul_wide_u" 0xfc:22 None;
    // relaxed SIMD
    I8x16RelaxedSwizzle "i8x16.relaxed_swizzle" 0xfd:256 None;
    I32x4RelaxedTruncF32x4S "i32x4.relaxed_trunc_f32x4_s" 0xfd:257 None;
    I32x4RelaxedTruncF32x4U "i32x4.relaxed_trunc_f32x4_u" 0xfd:258 None;
    I32x4RelaxedTruncF64x2SZero "i32x4.relaxed_trunc_f64x2_s_zero" 0xfd:259 None;
    I32x4RelaxedTruncF64x2UZero "i32x4.relaxed_trunc_f64x2_u_zero" 0xfd:260 None;
    F32x4RelaxedMadd "f32x4.relaxed_madd" 0xfd:261 None;
    F32x4RelaxedNmadd "f32x4.relaxed_nmadd" 0xfd:262 None;
    F64x2RelaxedMadd "f64x2.relaxed_madd" 0xfd:263 None;
    F64x2RelaxedNmadd "f64x2.relaxed_nmadd" 0xfd:264 None;
    I8x16RelaxedLaneselect "i8x16.relaxed_laneselect" 0xfd:265 None;
    I16x8RelaxedLaneselect "i16x8.relaxed_laneselect" 0xfd:266 None;
    I32x4RelaxedLaneselect "i32x4.relaxed_laneselect" 0xfd:267 None;
    I64x2RelaxedLaneselect "i64x2.relaxed_laneselect" 0xfd:268 None;
    F32x4RelaxedMin "f32x4.relaxed_min" 0xfd:269 None;
    F32x4RelaxedMax "f32x4.relaxed_max" 0xfd:270 None;
    F64x2RelaxedMin "f64x2.relaxed_min" 0xfd:271 None;
    F64x2RelaxedMax "f64x2.relaxed_max" 0xfd:272 None;
    I16x8RelaxedQ15mulrS "i16x8.relaxed_q15mulr_s" 0xfd:273 None;
    I16x8RelaxedDotI8x16I7x16S "i16x8.relaxed_dot_i8x16_i7x16_s" 0xfd:274 None;
    I32x4RelaxedDotI8x16I7x16AddS "i32x4.relaxed_dot_i8x16_i7x16_add_s" 0xfd:275 None;
    // exception handling
    Throw "throw" 0x08 Tag;
    ThrowRef "throw_ref" 0x0a None;
    TryTable "try_table" 0x1f TryTable;
    // garbage collection
    RefEq "ref.eq" 0xd3 None;
    StructNew "struct.new" 0xfb:0 Type;
    StructNewDefault "struct.new_default" 0xfb:1 Type;
    StructGet "struct.get" 0xfb:2 Field;
    StructGetS "struct.get_s" 0xfb:3 Field;
    StructGetU "struct.get_u" 0xfb:4 Field;
    StructSet "struct.set" 0xfb:5 Field;
    ArrayNew "array.new" 0xfb:6 Type;
    ArrayNewDefault "array.new_default" 0xfb:7 Type;
    ArrayNewFixed "array.new_fixed" 0xfb:8 TypeCount;
    ArrayNewData "array.new_data" 0xfb:9 TypeData;
    ArrayNewElem "array.new_elem" 0xfb:10 TypeElem;
    ArrayGet "array.get" 0xfb:11 Type;
    ArrayGetS "array.get_s" 0xfb:12 Type;
    ArrayGetU "array.get_u" 0xfb:13 Type;
    ArraySet "array.set" 0xfb:14 Type;
    ArrayLen "array.len" 0xfb:15 None;
    ArrayFill "array.fill" 0xfb:16 Type;
    ArrayCopy "array.copy" 0xfb:17 TypeType;
    ArrayInitData "array.init_data" 0xfb:18 TypeData;
    ArrayInitElem "array.init_elem" 0xfb:19 TypeElem;
    RefTest "ref.test" 0xfb:20 Cast;
    RefCast "ref.cast" 0xfb:22 Cast;
    BrOnCast "br_on_cast" 0xfb:24 BrOnCast;
    BrOnCastFail "br_on_cast_fail" 0xfb:25 BrOnCast;
    AnyConvertExtern "any.convert_extern" 0xfb:26 None;
    ExternConvertAny "extern.convert_any" 0xfb:27 None;
    RefI31 "ref.i31" 0xfb:28 None;
    I31GetS "i31.get_s" 0xfb:29 None;
    I31GetU "i31.get_u" 0xfb:30 None;
    // threads: atomic memory accesses (the alignment must be the natural one)
    MemoryAtomicNotify "memory.atomic.notify" 0xfe:0 MemArg / 4;
    MemoryAtomicWait32 "memory.atomic.wait32" 0xfe:1 MemArg / 4;
    MemoryAtomicWait64 "memory.atomic.wait64" 0xfe:2 MemArg / 8;
    AtomicFence "atomic.fence" 0xfe:3 Fence;
    I32AtomicLoad "i32.atomic.load" 0xfe:16 MemArg / 4;
    I64AtomicLoad "i64.atomic.load" 0xfe:17 MemArg / 8;
    I32AtomicLoad8U "i32.atomic.load8_u" 0xfe:18 MemArg / 1;
    I32AtomicLoad16U "i32.atomic.load16_u" 0xfe:19 MemArg / 2;
    I64AtomicLoad8U "i64.atomic.load8_u" 0xfe:20 MemArg / 1;
    I64AtomicLoad16U "i64.atomic.load16_u" 0xfe:21 MemArg / 2;
    I64AtomicLoad32U "i64.atomic.load32_u" 0xfe:22 MemArg / 4;
    I32AtomicStore "i32.atomic.store" 0xfe:23 MemArg / 4;
    I64AtomicStore "i64.atomic.store" 0xfe:24 MemArg / 8;
    I32AtomicStore8 "i32.atomic.store8" 0xfe:25 MemArg / 1;
    I32AtomicStore16 "i32.atomic.store16" 0xfe:26 MemArg / 2;
    I64AtomicStore8 "i64.atomic.store8" 0xfe:27 MemArg / 1;
    I64AtomicStore16 "i64.atomic.store16" 0xfe:28 MemArg / 2;
    I64AtomicStore32 "i64.atomic.store32" 0xfe:29 MemArg / 4;
    I32AtomicRmwAdd "i32.atomic.rmw.add" 0xfe:30 MemArg / 4;
    I64AtomicRmwAdd "i64.atomic.rmw.add" 0xfe:31 MemArg / 8;
    I32AtomicRmw8AddU "i32.atomic.rmw8.add_u" 0xfe:32 MemArg / 1;
    I32AtomicRmw16AddU "i32.atomic.rmw16.add_u" 0xfe:33 MemArg / 2;
    I64AtomicRmw8AddU "i64.atomic.rmw8.add_u" 0xfe:34 MemArg / 1;
    I64AtomicRmw16AddU "i64.atomic.rmw16.add_u" 0xfe:35 MemArg / 2;
    I64AtomicRmw32AddU "i64.atomic.rmw32.add_u" 0xfe:36 MemArg / 4;
    I32AtomicRmwSub "i32.atomic.rmw.sub" 0xfe:37 MemArg / 4;
    I64AtomicRmwSub "i64.atomic.rmw.sub" 0xfe:38 MemArg / 8;
    I32AtomicRmw8SubU "i32.atomic.rmw8.sub_u" 0xfe:39 MemArg / 1;
    I32AtomicRmw16SubU "i32.atomic.rmw16.sub_u" 0xfe:40 MemArg / 2;
    I64AtomicRmw8SubU "i64.atomic.rmw8.sub_u" 0xfe:41 MemArg / 1;
    I64AtomicRmw16SubU "i64.atomic.rmw16.sub_u" 0xfe:42 MemArg / 2;
    I64AtomicRmw32SubU "i64.atomic.rmw32.sub_u" 0xfe:43 MemArg / 4;
    I32AtomicRmwAnd "i32.atomic.rmw.and" 0xfe:44 MemArg / 4;
    I64AtomicRmwAnd "i64.atomic.rmw.and" 0xfe:45 MemArg / 8;
    I32AtomicRmw8AndU "i32.atomic.rmw8.and_u" 0xfe:46 MemArg / 1;
    I32AtomicRmw16AndU "i32.atomic.rmw16.and_u" 0xfe:47 MemArg / 2;
    I64AtomicRmw8AndU "i64.atomic.rmw8.and_u" 0xfe:48 MemArg / 1;
    I64AtomicRmw16AndU "i64.atomic.rmw16.and_u" 0xfe:49 MemArg / 2;
    I64AtomicRmw32AndU "i64.atomic.rmw32.and_u" 0xfe:50 MemArg / 4;
    I32AtomicRmwOr "i32.atomic.rmw.or" 0xfe:51 MemArg / 4;
    I64AtomicRmwOr "i64.atomic.rmw.or" 0xfe:52 MemArg / 8;
    I32AtomicRmw8OrU "i32.atomic.rmw8.or_u" 0xfe:53 MemArg / 1;
    I32AtomicRmw16OrU "i32.atomic.rmw16.or_u" 0xfe:54 MemArg / 2;
    I64AtomicRmw8OrU "i64.atomic.rmw8.or_u" 0xfe:55 MemArg / 1;
    I64AtomicRmw16OrU "i64.atomic.rmw16.or_u" 0xfe:56 MemArg / 2;
    I64AtomicRmw32OrU "i64.atomic.rmw32.or_u" 0xfe:57 MemArg / 4;
    I32AtomicRmwXor "i32.atomic.rmw.xor" 0xfe:58 MemArg / 4;
    I64AtomicRmwXor "i64.atomic.rmw.xor" 0xfe:59 MemArg / 8;
    I32AtomicRmw8XorU "i32.atomic.rmw8.xor_u" 0xfe:60 MemArg / 1;
    I32AtomicRmw16XorU "i32.atomic.rmw16.xor_u" 0xfe:61 MemArg / 2;
    I64AtomicRmw8XorU "i64.atomic.rmw8.xor_u" 0xfe:62 MemArg / 1;
    I64AtomicRmw16XorU "i64.atomic.rmw16.xor_u" 0xfe:63 MemArg / 2;
    I64AtomicRmw32XorU "i64.atomic.rmw32.xor_u" 0xfe:64 MemArg / 4;
    I32AtomicRmwXchg "i32.atomic.rmw.xchg" 0xfe:65 MemArg / 4;
    I64AtomicRmwXchg "i64.atomic.rmw.xchg" 0xfe:66 MemArg / 8;
    I32AtomicRmw8XchgU "i32.atomic.rmw8.xchg_u" 0xfe:67 MemArg / 1;
    I32AtomicRmw16XchgU "i32.atomic.rmw16.xchg_u" 0xfe:68 MemArg / 2;
    I64AtomicRmw8XchgU "i64.atomic.rmw8.xchg_u" 0xfe:69 MemArg / 1;
    I64AtomicRmw16XchgU "i64.atomic.rmw16.xchg_u" 0xfe:70 MemArg / 2;
    I64AtomicRmw32XchgU "i64.atomic.rmw32.xchg_u" 0xfe:71 MemArg / 4;
    I32AtomicRmwCmpxchg "i32.atomic.rmw.cmpxchg" 0xfe:72 MemArg / 4;
    I64AtomicRmwCmpxchg "i64.atomic.rmw.cmpxchg" 0xfe:73 MemArg / 8;
    I32AtomicRmw8CmpxchgU "i32.atomic.rmw8.cmpxchg_u" 0xfe:74 MemArg / 1;
    I32AtomicRmw16CmpxchgU "i32.atomic.rmw16.cmpxchg_u" 0xfe:75 MemArg / 2;
    I64AtomicRmw8CmpxchgU "i64.atomic.rmw8.cmpxchg_u" 0xfe:76 MemArg / 1;
    I64AtomicRmw16CmpxchgU "i64.atomic.rmw16.cmpxchg_u" 0xfe:77 MemArg / 2;
    I64AtomicRmw32CmpxchgU "i64.atomic.rmw32.cmpxchg_u" 0xfe:78 MemArg / 4;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &op in Op::ALL {
            assert!(
                seen.insert(op.keyword()),
                "duplicate keyword {}",
                op.keyword()
            );
            assert_eq!(Op::from_keyword(op.keyword()), Some(op));
        }
    }

    #[test]
    fn opcodes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &op in Op::ALL {
            assert!(
                seen.insert(op.opcode()),
                "duplicate opcode for {}",
                op.keyword()
            );
        }
    }

    #[test]
    fn memory_instructions_have_an_alignment() {
        for &op in Op::ALL {
            let has_memarg = matches!(op.imm(), ImmKind::MemArg | ImmKind::MemArgLane);
            assert_eq!(has_memarg, op.natural_align() != 0, "{}", op.keyword());
        }
    }

    #[test]
    fn prefixed_opcodes_use_leb128() {
        let mut v = Vec::new();
        Op::F64x2ConvertLowI32x4U.opcode().encode(&mut v);
        assert_eq!(v, [0xfd, 0xff, 0x01]);
    }
}
