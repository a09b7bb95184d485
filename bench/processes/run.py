#!/usr/bin/env python3
"""run.py - the processes benchmark: fork and spawn on `spindle run` against the same
program built natively, in the same run (bench/processes/forkloop.c, one source).

  fork   touch 64 MiB, then N x (fork, the child exits at once, join it)
         goal: within 3x of native fork + _exit + waitpid of a process with 64 MiB touched
  spawn  N x (spawn a program that exits at once, join it); the wasm side spawns a
         WASIX program of ours from the guest's /bin, the native side the same source built
         natively; goal: under 5 ms per spawn + join
  pipe   `cat | cat` moving --gb GiB (1) from `head -c` to /dev/null: on spindle, dash
         (../shared/conformance/wasix/dash.wasm) runs the pipeline of our guest cat
         (tests/guestfs/cat.c, 128 KiB reads as GNU cat's); natively, sh runs GNU cat's;
         the whole pipeline's wall-clock time; goal: within 1.5x of native
Each figure is the median of --runs runs, interleaved (native, spindle, native, ...), as
microseconds per iteration measured by the program around its loop (the pipe: the
whole pipeline, measured here).

    python3 bench/processes/run.py [--spindle build/spindle] [--runs 5] [--n 20] [--gb 1]

Exit status: 0 when every run succeeded; 1 when one failed; 2 when a build failed.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def build(args, work):
    """forkloop and echo_arg0, natively (gcc) and for wasm32-wasi (clang-19)."""
    out = {}
    for name in ("forkloop", "echo_arg0"):
        src = os.path.join(HERE, name + ".c")
        out[name] = os.path.join(work, name)
        subprocess.run([args.gcc, "-O2", src, "-o", out[name]], check=True)
        wasm = os.path.join(work, name + ".wasm")
        subprocess.run([args.clang, "--target=wasm32-wasi", "-O2", src, "-o", wasm,
                        "-Wl,--max-memory=134217728"], check=True)
        out[name + ".wasm"] = wasm
    root = os.path.join(work, "root")
    os.makedirs(os.path.join(root, "bin"), exist_ok=True)
    shutil.copy(out["echo_arg0.wasm"], os.path.join(root, "bin", "quit"))
    guestfs = os.path.join(REPO, "tests", "guestfs")
    subprocess.run([args.clang, "--target=wasm32-wasi", "-O2", "-I", guestfs,
                    os.path.join(guestfs, "cat.c"), "-o", os.path.join(root, "bin", "cat")],
                   check=True)
    out["root"] = root
    return out


def run_pipe_us(cmd):
    """Runs the shell pipeline cmd; returns its wall-clock microseconds."""
    t0 = time.monotonic()
    p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=600)
    us = (time.monotonic() - t0) * 1e6
    if p.returncode != 0:
        raise RuntimeError(f"{cmd}: exit {p.returncode}: {p.stderr[:300]}")
    return us


def run_us(cmd):
    """Runs cmd; returns its reported microseconds per iteration."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr[:300]}")
    return float(p.stdout.split()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spindle", default=os.path.join(REPO, "build", "spindle"))
    ap.add_argument("--gcc", default="gcc")
    ap.add_argument("--clang", default="clang-19")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--gb", type=int, default=1, help="GiB through the cat | cat pipe")
    ap.add_argument("--dash", default=os.path.join(os.path.dirname(REPO), "shared",
                                                   "conformance", "wasix", "dash.wasm"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="spindle_bench_procs_")
    try:
        try:
            b = build(args, work)
        except (subprocess.CalledProcessError, FileNotFoundError) as e:
            print(f"build failed: {e}", file=sys.stderr)
            return 2
        n = str(args.n)
        cases = [
            ("fork 64 MiB + exit + join", [b["forkloop"], "fork", "64", n],
             [args.spindle, "run", b["forkloop.wasm"], "fork", "64", n], "<= 3x native"),
            ("spawn + join", [b["forkloop"], "spawn", b["echo_arg0"], n],
             [args.spindle, "run", "--dir", b["root"] + "::/", b["forkloop.wasm"], "spawn",
              "/bin/quit", n], "< 5000 us"),
        ]
        src = f"head -c {args.gb}G /dev/zero"
        cases.append((f"cat | cat, {args.gb} GiB", f"{src} | sh -c 'cat | cat' > /dev/null",
                      f"{src} | {args.spindle} run --dir {b['root']}::/ {args.dash} "
                      f"-c '/bin/cat | /bin/cat' > /dev/null", "<= 1.5x native"))
        failed = False
        print(f"{'case':28} {'native us':>10} {'spindle us':>11} {'ratio':>6}  goal")
        for label, native, wasm, goal in cases:
            nat, spi = [], []
            try:
                measure = run_pipe_us if isinstance(native, str) else run_us
                for _ in range(args.runs):
                    nat.append(measure(native))
                    spi.append(measure(wasm))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"{label:28} failed: {e}")
                failed = True
                continue
            mn, ms = statistics.median(nat), statistics.median(spi)
            print(f"{label:28} {mn:10.0f} {ms:11.0f} {ms / mn:6.2f}  {goal}")
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
