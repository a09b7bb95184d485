#!/usr/bin/env python3
"""run.py - the network benchmark: wrk against bench/net/http_bench.c built
for WASIX (run by `spindle run`) and the same source built natively, in the
same run, single-threaded and multi-threaded: requests/s and p99 latency,
and the WASIX/native ratio of requests/s (goal: at least 70%).

Each configuration runs --runs times, interleaved (native, spindle, native,
...), each run a fresh server process and one wrk of --seconds; the median
run is shown. Loopback only (127.0.0.1), a free port per server.

Also shown: the server's CPU time (user + system, all its threads) per
request, median of the runs. On a machine shared with other work the
requests/s of one run swing widely (wrk, the server and everything else
compete for the same cores); CPU time per request is what the server itself
spends, and its native/spindle ratio is the steadier comparison.

    python3 bench/net/run.py [--spindle build/spindle] [--seconds 5] [--runs 3]
                             [--threads 4] [--connections 64]

Needs clang-19 + wasm-ld-19 (the guest), cc (the native build) and wrk.
Exit status: 0 when every run answered; 1 when a run failed; 2 when a tool
is missing. Standard library only.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
START = os.path.join(REPO, "tests", "guests", "threads", "thread_start.s")


def build(out_dir):
    """http_bench.c -> http_bench.wasm (as tests/guests/wasm_guests.cmake
    builds guests: 1 MiB imported shared memory) and a native binary."""
    src = os.path.join(HERE, "http_bench.c")
    wasm, obj, sobj = (os.path.join(out_dir, n) for n in ("http_bench.wasm", "b.o", "s.o"))
    flags = ["--target=wasm32", "-O2", "-matomics", "-mbulk-memory", "-nostdlib"]
    subprocess.run(["clang-19"] + flags + ["-c", src, "-o", obj], check=True)
    subprocess.run(["clang-19", "--target=wasm32", "-matomics", "-mbulk-memory", "-c", START,
                    "-o", sobj], check=True)
    ld = shutil.which("wasm-ld-19") or "/usr/lib/llvm-19/bin/wasm-ld"
    subprocess.run([ld, "--no-entry", "--import-memory", "--shared-memory",
                    "--initial-memory=1048576", "--max-memory=1048576", obj, sobj, "-o", wasm],
                   check=True)
    native = os.path.join(out_dir, "http_bench")
    subprocess.run(["cc", "-O2", "-pthread", src, "-o", native], check=True)
    return wasm, native


def start_server(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    m = re.match(r"PORT (\d+)", line)
    if not m:
        proc.kill()
        raise RuntimeError("server did not start: %r %s" % (line, proc.stderr.read()))
    return proc, int(m.group(1))


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def cpu_seconds(pid):
    """User + system CPU time of process pid so far (Linux /proc)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(port, seconds, connections):
    out = subprocess.run(["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency",
                          "http://127.0.0.1:%d/" % port], capture_output=True, text=True,
                         timeout=seconds + 30).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    count = re.search(r"(\d+) requests in", out)
    if not rps or not p99 or not count or "Non-2xx" in out:
        raise RuntimeError("wrk output:\n" + out)
    return float(rps.group(1)), to_ms(p99.group(1), p99.group(2)), int(count.group(1))


def one_run(cmd, args):
    proc, port = start_server(cmd)
    try:
        cpu0 = cpu_seconds(proc.pid)
        rps, p99, count = wrk(port, args.seconds, args.connections)
        return rps, p99, (cpu_seconds(proc.pid) - cpu0) / max(count, 1) * 1e6
    finally:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--spindle", default=os.path.join(REPO, "build", "spindle"))
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()
    for tool in ("clang-19", "cc", "wrk"):
        if not shutil.which(tool):
            print("run.py: %s is missing" % tool, file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as tmp:
        wasm, native = build(tmp)
        print("wrk -t2 -c%d -d%ds, median of %d runs; p99 latency in ms" %
              (args.connections, args.seconds, args.runs))
        print("load average %.1f at the start" % os.getloadavg()[0])
        print("%-10s %8s %14s %10s %14s %10s %7s %11s %11s %7s" %
              ("server", "threads", "native req/s", "p99", "spindle req/s", "p99", "ratio",
               "native us", "spindle us", "ratio"))
        for threads in (1, args.threads):
            cmds = {"native": [native, "0", str(threads)],
                    "spindle": [args.spindle, "run", "--net", "allow=127.0.0.1:*", wasm, "0",
                                str(threads)]}
            results = {"native": [], "spindle": []}
            for _ in range(args.runs):
                for name in ("native", "spindle"):
                    results[name].append(one_run(cmds[name], args))
            med = {k: sorted(v)[len(v) // 2] for k, v in results.items()}
            cpu = {k: statistics.median(r[2] for r in v) for k, v in results.items()}
            ratio = med["spindle"][0] / med["native"][0]
            print("%-10s %8d %14.0f %10.2f %14.0f %10.2f %6.0f%% %11.2f %11.2f %6.0f%%" %
                  ("http_bench", threads, med["native"][0], med["native"][1], med["spindle"][0],
                   med["spindle"][1], 100 * ratio, cpu["native"], cpu["spindle"],
                   100 * cpu["native"] / cpu["spindle"]))
        print("us = server CPU time per request (median); its ratio is native/spindle")
        print("load average %.1f at the end" % os.getloadavg()[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
