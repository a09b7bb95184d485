#!/usr/bin/env python3
"""run.py - the I/O benchmark: copies a 100 MB file through WASI fd_read/fd_write on
`spindle run` (guest bench/io/copy.c) and with `cat`, on the same file in the same run,
and reports the time ratio (goal: spindle within 1.5x of cat).

Two ways, each timed --runs times interleaved (cat, spindle, cat, ...), median shown:
  file   spindle run --dir TMP::/ copy.wasm /in.bin /out.bin   vs   cat in.bin > out.bin
  stdio  spindle run copy.wasm < in.bin > out.bin               vs   cat < in.bin > out.bin
Every copy is checked byte for byte against the input. The input is random bytes, read once
before timing so that both sides read it from the page cache.

    python3 bench/io/run.py [--spindle build/spindle] [--size-mb 100] [--runs 5]

Exit status: 0 when every copy was exact; 1 when one was not or a run failed; 2 when
copy.wasm cannot be built. Standard library only.
"""
import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def build_guest(clang, out_dir):
    """copy.c -> copy.wasm: compiled with -O2, linked without -O (no wasm-opt pass)."""
    obj = os.path.join(out_dir, "copy.o")
    wasm = os.path.join(out_dir, "copy.wasm")
    subprocess.run([clang, "--target=wasm32-wasi", "-O2", "-c", os.path.join(HERE, "copy.c"),
                    "-o", obj], check=True)
    subprocess.run([clang, "--target=wasm32-wasi", obj, "-o", wasm], check=True)
    return wasm


def timed(cmd, stdin_path=None, stdout_path=None):
    """Runs cmd (stdin/stdout optionally redirected to files); returns seconds."""
    fin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    fout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - t0
    finally:
        if stdin_path:
            fin.close()
        if stdout_path:
            fout.close()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.decode()[:200]}")
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spindle", default=os.path.join(REPO, "build", "spindle"))
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--size-mb", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="spindle-io-") as tmp:
        try:
            wasm = build_guest(a.clang, tmp)
        except (OSError, subprocess.CalledProcessError) as e:
            print(f"cannot build copy.wasm: {e}")
            return 2
        src = os.path.join(tmp, "in.bin")
        dst = os.path.join(tmp, "out.bin")
        with open(src, "wb") as f:
            f.write(os.urandom(a.size_mb * 1000 * 1000))
        with open(src, "rb") as f:
            while f.read(1 << 20):
                pass
        ways = {
            "file": (lambda: timed(["cat", src], stdout_path=dst),
                     lambda: timed([a.spindle, "run", "--dir", f"{tmp}::/", wasm, "/in.bin", "/out.bin"])),
            "stdio": (lambda: timed(["cat"], stdin_path=src, stdout_path=dst),
                      lambda: timed([a.spindle, "run", wasm], stdin_path=src, stdout_path=dst)),
        }
        ok = True
        print(f"copying {a.size_mb} MB, {a.runs} runs each, median seconds")
        print(f"{'way':6} {'cat':>8} {'spindle':>8} {'ratio':>6}")
        for way, (cat, spindle) in ways.items():
            times = {"cat": [], "spindle": []}
            for _ in range(a.runs):
                for name, run in (("cat", cat), ("spindle", spindle)):
                    try:
                        times[name].append(run())
                    except RuntimeError as e:
                        print(f"{way}/{name}: {e}")
                        return 1
                    if not filecmp.cmp(src, dst, shallow=False):
                        print(f"{way}/{name}: the copy differs from the input")
                        ok = False
                    os.unlink(dst)
            c, s = statistics.median(times["cat"]), statistics.median(times["spindle"])
            print(f"{way:6} {c:8.3f} {s:8.3f} {s / c:6.2f}x")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
