// Runs examples/sum.wasm (from `watlink compile examples/sum.wat`) with a memory made here:
//   node examples/sum.mjs sum.wasm
import { readFileSync } from "node:fs";

const mem = new WebAssembly.Memory({ initial: 1 });
const words = new Int32Array(mem.buffer);
words[0] = 40;
words[1] = 2;
const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[2]), { js: { mem } });
instance.exports.sum();
console.log(words[2]);
