#!/usr/bin/env python3
"""Regenerates measured.txt: compiles small C files with clang, links them with wasm-ld
(directly, not through the clang driver) and reads the layout back with wasm-objdump.

Usage: python3 tests/data/wasm-ld/gen.py > tests/data/wasm-ld/measured.txt
Needs Debian's clang, lld and wabt (apt-get install -y clang lld wabt)."""
import os, re, subprocess, sys, tempfile

# A global: (name, kind, ctype, count, align or 0). kind: ro | data | bss | sec:<name>
def g(name, kind, count, ctype="char", align=0):
    return (name, kind, ctype, count, align)

MIXED = [g("ro_a", "ro", 20), g("da_b", "data", 3), g("da_c", "data", 5, align=64),
         g("da_s", "data", 1, "int"), g("bs_d", "bss", 100)]
SMALL = [g("ro_x", "ro", 7), g("da_y", "data", 2, "short"), g("bs_z", "bss", 9)]
BIG = [g("ro_big", "ro", 70000), g("da_q", "data", 1, "long long"), g("bs_big", "bss", 200000)]
EXPALL = ["--no-entry", "--export-all"]
SH = ["--no-entry", "--export-all", "--shared-memory", "--features=atomics,bulk-memory,mutable-globals"]
BULK = ["--no-entry", "--export-all", "--features=bulk-memory,mutable-globals"]

CASES = [
    ("01-mixed-default", [MIXED], EXPALL),
    ("02-mixed-stack-first", [MIXED], EXPALL + ["--stack-first"]),
    ("03-small-stack-16k", [SMALL], EXPALL + ["-z", "stack-size=16384"]),
    ("04-stack-first-1m", [SMALL], EXPALL + ["--stack-first", "-z", "stack-size=1048576"]),
    ("05-stack-zero", [SMALL], EXPALL + ["-z", "stack-size=0"]),
    ("06-large-default", [BIG], EXPALL),
    ("07-large-stack-first", [BIG], EXPALL + ["--stack-first"]),
    ("08-global-base-1001", [MIXED], EXPALL + ["--global-base=1001"]),
    ("09-global-base-4096-stack-first", [SMALL], EXPALL + ["--stack-first", "--global-base=4096"]),
    ("10-global-base-131072-stack-first", [SMALL], EXPALL + ["--stack-first", "--global-base=131072"]),
    ("11-initial-memory-ok", [MIXED], EXPALL + ["--initial-memory=196608"]),
    ("12-initial-memory-too-small", [BIG], EXPALL + ["--initial-memory=131072"]),
    ("13-initial-memory-unaligned", [SMALL], EXPALL + ["--initial-memory=65537"]),
    ("14-max-memory-ok", [MIXED], EXPALL + ["--max-memory=1048576"]),
    ("15-max-memory-too-small", [MIXED], EXPALL + ["--max-memory=65536"]),
    ("16-max-memory-unaligned", [SMALL], EXPALL + ["--max-memory=100000"]),
    ("17-initial-memory-too-large", [SMALL], EXPALL + ["--initial-memory=8589934592"]),
    ("18-max-memory-too-large", [SMALL], EXPALL + ["--max-memory=8589934592"]),
    ("19-stack-size-unaligned", [SMALL], EXPALL + ["-z", "stack-size=1000"]),
    ("20-import-memory", [MIXED], EXPALL + ["--import-memory"]),
    ("21-import-memory-initial-max", [SMALL], EXPALL + ["--import-memory", "--initial-memory=131072", "--max-memory=262144"]),
    ("22-shared-memory", [MIXED], SH),
    ("23-shared-memory-max", [SMALL], SH + ["--max-memory=1048576", "--stack-first"]),
    ("24-no-heap-base-too-small", [[g("da_w", "data", 322)]], ["--no-entry", "--stack-first", "--export=da_w", "--export=__data_end", "--initial-memory=65536"]),
    ("25-heap-base-too-small", [[g("da_w", "data", 322)]], ["--no-entry", "--stack-first", "--export=da_w", "--export=__data_end", "--export=__heap_base", "--initial-memory=65536"]),
    ("26-two-objects-ab", [[g("a1", "data", 1), g("a2", "data", 1, "int")], [g("b1", "data", 1, "short"), g("b2", "ro", 3)]], EXPALL),
    ("27-two-objects-ba", [[g("b1", "data", 1, "short"), g("b2", "ro", 3)], [g("a1", "data", 1), g("a2", "data", 1, "int")]], EXPALL),
    ("28-only-bss", [[g("bs_1", "bss", 40000), g("bs_2", "bss", 3, align=32)]], EXPALL),
    ("29-no-data", [[]], EXPALL),
    ("30-custom-section", [[g("da_1", "data", 3), g("cs_1", "sec:mysec", 5, "int"), g("bs_1", "bss", 4), g("ro_1", "ro", 2), g("cs_2", "sec:mysec", 1)]], EXPALL),
    ("31-many-errors", [SMALL], EXPALL + ["-z", "stack-size=1000", "--initial-memory=65537", "--max-memory=100"]),
    ("32-align-ladder", [[g("l1", "data", 1), g("l2", "data", 1, align=2), g("l3", "data", 1, align=4), g("l4", "data", 1, align=8),
                          g("l5", "data", 1, align=16), g("l6", "data", 1, align=32), g("l7", "data", 1, align=64), g("l8", "data", 1)]], EXPALL + ["--global-base=1"]),
    ("33-exact-initial-memory", [SMALL], EXPALL + ["--stack-first", "--initial-memory=131072", "--max-memory=131072"]),
    ("34-shared-import-memory", [SMALL], SH + ["--import-memory", "--initial-memory=131072", "--max-memory=131072"]),
    # Module facts (start function, data segment modes, bss emission, exports), not only layout:
    ("35-import-memory-bss-no-bulk", [MIXED], EXPALL + ["--import-memory"]),
    ("36-import-memory-bss-bulk", [MIXED], BULK + ["--import-memory"]),
    ("37-shared-memory-module", [MIXED], SH),
    ("38-export-all-symbols", [MIXED], EXPALL),
    ("39-shared-memory-only-bss", [[g("bs_1", "bss", 40000), g("bs_2", "bss", 3, align=32)]], SH),
    ("40-defined-memory-bss-bulk", [MIXED], BULK),
]
DETAIL = {"35-import-memory-bss-no-bulk", "36-import-memory-bss-bulk", "37-shared-memory-module",
          "38-export-all-symbols", "39-shared-memory-only-bss", "40-defined-memory-bss-bulk"}

def c_source(globs):
    out = []
    for name, kind, ctype, count, align in globs:
        al = f"_Alignas({align}) " if align else ""
        arr = f"[{count}]" if count > 1 or ctype == "char" else ""
        init = "{1}" if arr else "1"
        if kind == "ro":
            out.append(f"{al}const {ctype} {name}{arr} = {init};")
        elif kind == "data":
            out.append(f"{al}{ctype} {name}{arr} = {init};")
        elif kind == "bss":
            out.append(f"{al}{ctype} {name}{arr};")
        else:
            sec = kind.split(":", 1)[1]
            out.append(f'__attribute__((section("{sec}"))) {al}{ctype} {name}{arr} = {init};')
    return "\n".join(out) + "\n"

def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)

def case(name, objs, flags, tmp):
    shared = "--shared-memory" in flags
    paths, segs = [], []
    for i, globs in enumerate(objs):
        c = os.path.join(tmp, f"{name}-{i}.c")
        o = c[:-2] + ".o"
        open(c, "w").write(c_source(globs))
        extra = ["-matomics", "-mbulk-memory"] if shared else []
        if "--features=bulk-memory,mutable-globals" in flags:
            extra = ["-mbulk-memory"]
        r = run(["clang", "--target=wasm32", "-nostdlib", "-O1", *extra, "-c", c, "-o", o])
        if r.returncode:
            sys.exit(r.stderr)
        paths.append(o)
        dump = run(["wasm-objdump", "-x", o]).stdout
        sizes = dict(re.findall(r"segment\[\d+\] <([^>]+)> memory=0 size=(\d+)", dump))
        for sname, p2 in re.findall(r"^   - \d+: (\S+) p2align=(\d+)", dump, re.M):
            segs.append((sname, int(sizes[sname]), 1 << int(p2)))
    out = os.path.join(tmp, name + ".wasm")
    r = run(["wasm-ld", *flags, *paths, "-o", out])
    lines = [f"case {name}", "source llvm-14", "flags " + " ".join(flags)]
    lines += [f"seg {s} {n} {a}" for s, n, a in segs]
    if r.returncode:
        for m in re.findall(r"wasm-ld: error: (.*)", r.stderr):
            lines.append("error " + m)
    else:
        dump = run(["wasm-objdump", "-x", out]).stdout
        glob = {m[1]: int(m[2]) for m in re.finditer(r"global\[\d+\] i32 mutable=\d <([^>]+)> - init i32=(-?\d+)", dump)}
        for m in re.finditer(r"global\[(\d+)\] -> \"([^\"]+)\"", dump):
            pass
        m = re.search(r"memory\[0\] pages: initial=(\d+)(?: max=(\d+))?", dump)
        lines.append(f"memory {m[1]} {m[2] or '-'}")
        for sym in ["__stack_pointer", "__global_base", "__dso_handle", "__data_end", "__heap_base", "__memory_base", "__table_base"]:
            if sym in glob:
                lines.append(f"sym {sym} {glob[sym]}")
        # data symbols: their exported address
        syms = {}
        for i, globs in enumerate(objs):
            for gname, kind, *_ in globs:
                if gname in glob:
                    lines.append(f"addr {gname} {glob[gname]}")
        if name in DETAIL:
            lines += details(dump)
    lines.append("end")
    return "\n".join(lines)

def details(dump):
    """start NAME|-, data MODE ADDR|- SIZE per segment, export NAME per export (sorted)."""
    out = []
    names = dict(re.findall(r"^ - func\[(\d+)\] sig=\d+ <([^>]+)>", dump, re.M))
    m = re.search(r"^ - start function: (\d+)", dump, re.M)
    out.append("start " + (names.get(m[1], "func" + m[1]) if m else "-"))
    for seg in re.finditer(r"^ - segment\[\d+\](?: <[^>]*>)? (passive|memory=\d+) size=(\d+)(?: - init i32=(\d+))?", dump, re.M):
        mode = "passive" if seg[1] == "passive" else "active"
        out.append(f"data {mode} {seg[3] or '-'} {seg[2]}")
    exports = sorted(re.findall(r"^ - \w+\[\d+\](?: <[^>]*>)? -> \"([^\"]+)\"", dump, re.M))
    out += [f"export {e}" for e in exports]
    return out

def main():
    ver = run(["wasm-ld", "--version"]).stdout.strip()
    cver = run(["clang", "--version"]).stdout.splitlines()[0]
    print(f"# Measured by tests/data/wasm-ld/gen.py with: {ver}; {cver}")
    print("# seg NAME SIZE ALIGN come from the object files (wasm-objdump -x, linking section);")
    print("# addr SYMBOL ADDRESS, sym, memory MIN MAX(- = none), error TEXT come from wasm-ld.")
    with tempfile.TemporaryDirectory() as tmp:
        for name, objs, flags in CASES:
            print()
            print(case(name, objs, flags, tmp))

main()
