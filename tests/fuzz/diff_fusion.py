#!/usr/bin/env python3
"""Differential fuzzing of the translator's peephole fusion.

For each seed in a range, makes a module and runs the checker (diff_fusion,
tests/fuzz/diff_fusion.c) on it: the module translated with and without
fusion must behave the same. Even seeds: random bytes from a PRNG seeded by
the seed, turned into a valid module by binaryen's `wasm-opt -ttf`
(translate-to-fuzz, restricted to the features Spindle implements; every
third one also with -fp, random optimization passes). Odd seeds (when
wat2wasm is given): fusion_gen.py's random text full of the sequences the
translator fuses, which -ttf seldom writes. Inputs that show a difference,
crash the checker or hang it are kept in OUT/seed-N/ (the input, the module,
the checker's output). Prints a summary; exits 1 when anything was kept.

  diff_fusion.py --checker BUILD/tests/diff_fusion [--wasm-opt wasm-opt]
                 [--wat2wasm wat2wasm] [--seeds 1:300] [--out DIR] [--jobs 2]
                 [--max-bytes N] [--budget-ms MS] [--exact-nan]
"""
import argparse
import collections
import concurrent.futures
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fusion_gen  # noqa: E402

# WebAssembly 2.0 (sign extension, non-trapping conversions, bulk memory,
# multi-value, mutable globals) + SIMD + threads. binaryen 108's reference
# types bring anyref and typed references, which are not 2.0: off.
FEATURES = [
    "--enable-sign-ext", "--enable-threads", "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int", "--enable-simd", "--enable-bulk-memory",
    "--enable-multivalue", "--disable-reference-types", "--disable-exception-handling",
    "--disable-tail-call", "--disable-gc", "--disable-memory64",
    "--disable-typed-function-references", "--disable-relaxed-simd",
    "--disable-extended-const",
]

CHECK_TIMEOUT = 120  # seconds for one checker run (each call has its own budget)


def parse_seeds(text):
    """'A:B' -> range(A, B); 'A' -> [A]."""
    if ":" in text:
        a, b = text.split(":", 1)
        return range(int(a), int(b))
    return range(int(text), int(text) + 1)


def make_input(seed, max_bytes):
    """The random bytes for a seed: 1 KiB to max_bytes, so modules vary in size."""
    rng = random.Random(seed)
    return rng.randbytes(rng.randint(1024, max(1024, max_bytes)))


def generate(seed, args, work):
    """Writes the seed's input and module (N.bin or N.wat, N.wasm); returns
    the generator's CompletedProcess."""
    wasm = os.path.join(work, "%d.wasm" % seed)
    if seed % 2 and args.wat2wasm:
        wat = os.path.join(work, "%d.wat" % seed)
        with open(wat, "w") as f:
            f.write(fusion_gen.module_text(random.Random(seed)))
        return subprocess.run([args.wat2wasm, wat, "-o", wasm], capture_output=True, text=True)
    raw = os.path.join(work, "%d.bin" % seed)
    with open(raw, "wb") as f:
        f.write(make_input(seed, args.max_bytes))
    passes = ["-fp"] if seed % 3 == 0 else []
    return subprocess.run([args.wasm_opt, raw, "-ttf", *passes, *FEATURES, "-o", wasm],
                          capture_output=True, text=True)


def run_seed(seed, args, work):
    """Generates and checks one module. Returns (kind, detail, calls, output)
    with kind one of: genfail, invalid, same, incomparable, different,
    crash, hang."""
    wasm = os.path.join(work, "%d.wasm" % seed)
    gen = generate(seed, args, work)
    if gen.returncode != 0 or not os.path.exists(wasm):
        return "genfail", gen.stderr.strip().splitlines()[-1:] or ["?"], 0, gen.stderr
    cmd = [args.checker, "--budget-ms", str(args.budget_ms)]
    if args.exact_nan:
        cmd.append("--exact-nan")
    try:
        res = subprocess.run(cmd + [wasm], capture_output=True, text=True,
                             timeout=CHECK_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "hang", "checker ran over %d s" % CHECK_TIMEOUT, 0, ""
    out = res.stdout + res.stderr
    if res.returncode == 2:
        # "diff_fusion: FILE: invalid module: offset 0x..: MESSAGE (where)"
        msg = res.stderr.strip().split("invalid module: ", 1)[-1]
        msg = re.sub(r"^offset 0x[0-9a-f]+: ", "", msg)
        return "invalid", re.sub(r" \((in )?\w+ \d+\)$", "", msg), 0, out
    m = re.search(r"^summary: status=(\w+) calls=(\d+)$", res.stdout, re.M)
    if res.returncode not in (0, 1) or not m:
        return "crash", "exit status %d" % res.returncode, 0, out
    return m.group(1), "", int(m.group(2)), out


def keep(seed, args, work, kind, output):
    """Copies a failing input and what the checker said to OUT/seed-N/."""
    dest = os.path.join(args.out, "seed-%d" % seed)
    os.makedirs(dest, exist_ok=True)
    for ext in ("bin", "wat", "wasm"):
        src = os.path.join(work, "%d.%s" % (seed, ext))
        if os.path.exists(src):
            shutil.copy(src, dest)
    with open(os.path.join(dest, "checker.txt"), "w") as f:
        f.write("%s (seed %d)\n%s" % (kind, seed, output))
    return dest


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checker", required=True, help="the diff_fusion executable")
    p.add_argument("--wasm-opt", default="wasm-opt")
    p.add_argument("--wat2wasm", help="enables the fusion-shaped modules (odd seeds)")
    p.add_argument("--seeds", default="1:300", help="A:B = seeds A .. B-1")
    p.add_argument("--out", default="diff_fusion-out", help="where failing inputs go")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--max-bytes", type=int, default=32768,
                   help="random bytes per module (more bytes, bigger modules)")
    p.add_argument("--budget-ms", type=int, default=2000, help="per call (checker)")
    p.add_argument("--exact-nan", action="store_true", help="compare NaN bits too")
    args = p.parse_args()

    counts = collections.Counter()
    invalid = collections.Counter()
    kept = []
    calls = 0
    work = tempfile.mkdtemp(prefix="diff_fusion.")
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
            futures = {pool.submit(run_seed, s, args, work): s for s in parse_seeds(args.seeds)}
            for fut in concurrent.futures.as_completed(futures):
                seed = futures[fut]
                kind, detail, n, output = fut.result()
                counts[kind] += 1
                calls += n
                if kind == "invalid":
                    invalid[detail] += 1
                if kind in ("different", "crash", "hang"):
                    dest = keep(seed, args, work, kind, output)
                    kept.append(seed)
                    print("seed %d: %s %s-> %s" % (seed, kind, detail + " " if detail else "",
                                                   dest))
                    sys.stdout.write("".join("  | " + l + "\n" for l in
                                             output.splitlines()[:12]))
                for ext in ("bin", "wat", "wasm"):
                    path = os.path.join(work, "%d.%s" % (seed, ext))
                    if os.path.exists(path):
                        os.remove(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    generated = sum(counts.values()) - counts["genfail"]
    valid = generated - counts["invalid"]
    compared = counts["same"] + counts["different"] + counts["incomparable"]
    print("modules generated: %d (wasm-opt failed on %d inputs)" % (generated, counts["genfail"]))
    print("valid in Spindle: %d, invalid: %d" % (valid, counts["invalid"]))
    for msg, n in invalid.most_common():
        print("  invalid %d x: %s" % (n, msg))
    print("compared: %d modules (%d stopped early as incomparable: budget or stack limit), "
          "%d calls" % (compared, counts["incomparable"], calls))
    print("differences: %d, checker crashes: %d, hangs: %d" %
          (counts["different"], counts["crash"], counts["hang"]))
    if kept:
        print("kept in %s: seeds %s" % (args.out, " ".join(map(str, sorted(kept)))))
    return 1 if kept else 0


if __name__ == "__main__":
    sys.exit(main())
