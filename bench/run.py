#!/usr/bin/env python3
"""run.py - Spindle's benchmark runner: builds the programs in bench/programs/ natively
(gcc -O2) and for wasm32-wasi (clang-19 -O2), runs each natively, on `spindle run` and on
Node (node:wasi through bench/node_wasi.mjs), checks every output against native, and reports
time ratios against native (median of several runs), their geometric mean, peak memory and
the start-up time of a hello-world module. Writes bench/results/results.{csv,txt} and
bench/results/chart.svg. Standard library only.

    python3 bench/run.py              # full run (about 10-20 minutes)
    python3 bench/run.py --quick      # CI: smallest sizes, one run, checksums only

Exit status: 0 all outputs matched native; 1 a run failed or an output differed from native
(the table is still printed); 2 usage error, missing compiler or a build failure.
"""

import argparse
import csv
import datetime
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import svgchart

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_DIR = os.path.dirname(BENCH_DIR)

# name, benchmark size (native takes 0.2-1 s on a 2-core AMD EPYC), quick size (CI).
# The benchmark size equals each program's built-in default.
PROGRAMS = [
    ("fib", 41, 20),
    ("sieve", 20000000, 10000),
    ("matmul", 800, 20),
    ("nbody", 3000000, 1000),
    ("spectral_norm", 2400, 50),
    ("fannkuch", 10, 6),
    ("mandelbrot", 1400, 40),
    ("sha256", 65536, 16),
    ("crc32", 131072, 16),
    ("quicksort", 4000000, 1000),
    ("binary_trees", 16, 6),
    ("hashtable", 1000000, 1000),
    ("nqueens", 14, 6),
    ("bytecode_vm", 40000, 100),
]
# spindle-opt: the same spindle with --tier=opt (LLVM); baseline: a second spindle (--baseline)
WASM_ENGINES = ("spindle", "spindle-opt", "baseline", "node")
ENGINES = ("native",) + WASM_ENGINES
GOAL_RATIO = 8          # issue 6: the interpreter's geometric mean should reach 8x native


@dataclass
class RunResult:
    """One process run: wall and CPU (user + system) seconds, peak resident set (KiB),
    stdout, error (None = ok)."""
    wall: float
    cpu: float
    maxrss_kb: int
    stdout: str
    error: str = None


@dataclass
class Cell:
    """One engine on one program: the times of all its runs ({"wall": [...], "cpu": [...]}),
    its peak RSS, and what went wrong (None = ok)."""
    times: dict = field(default_factory=lambda: {"wall": [], "cpu": []})
    maxrss_kb: int = 0
    error: str = None
    ran: bool = False

    def median(self, metric):
        """Median seconds of the runs by metric ("wall" or "cpu"); None if it failed."""
        times = self.times[metric]
        return statistics.median(times) if times and not self.error else None


# ---------------------------------------------------------------- running processes

def _first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:160]
    return ""


def run_once(cmd, args):
    """Runs cmd under bench_measure (built from measure.c), which reports the command's own
    wall time and peak RSS (see measure.c for why Python's wait4 cannot). Stdin is closed,
    output goes to temporary files. Never raises for a failing command: the error is in the
    result."""
    with tempfile.TemporaryDirectory() as tmp:
        result_path = os.path.join(tmp, "measurement")
        out_path, err_path = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([args.measure, result_path, str(math.ceil(args.timeout))]
                                    + cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True)
            try:
                proc.wait(timeout=args.timeout + 60)
            except subprocess.TimeoutExpired:      # bench_measure itself hung: kill it all
                os.killpg(proc.pid, 9)
                proc.wait()
        stdout = _read_text(out_path)
        stderr = _read_text(err_path)
        measurement = _read_text(result_path).split()
    if proc.returncode != 0 or len(measurement) != 4:
        return RunResult(0.0, 0.0, 0, stdout, _first_line(stderr) or "bench_measure failed")
    wall_ns, cpu_ns, maxrss_kb, status = measurement
    return RunResult(int(wall_ns) / 1e9, int(cpu_ns) / 1e9, int(maxrss_kb), stdout,
                     _exit_error(status, stderr, args.timeout))


def _read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _exit_error(status, stderr, timeout):
    """None for a clean exit, else a one-line description of the failure. status is
    bench_measure's: an exit code, -SIGNAL, or "timeout"."""
    if status == "timeout":
        return f"timed out after {timeout:g} s"
    code = int(status)
    if code == 0:
        return None
    why = f"exit status {code}" if code > 0 else f"killed by signal {-code}"
    line = _first_line(stderr)
    return f"{line} ({why})" if line else why


# ---------------------------------------------------------------- tools and building

def tool_version(cmd):
    """First line of `cmd --version`, or None when the tool cannot run."""
    try:
        proc = subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return _first_line(proc.stdout or proc.stderr) if proc.returncode == 0 else None


def compile_one(cmd):
    """Runs one compiler command; returns None or the error text (compiler output)."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return f"$ {' '.join(cmd)}\n{proc.stdout}{proc.stderr}"
    if proc.stderr.strip():
        print(proc.stderr.rstrip(), file=sys.stderr)
    return None


def build_all(args, names):
    """Builds the timing helper bench_measure (measure.c; sets args.measure), and every
    program plus startup/hello.c natively and for wasm32-wasi, into args.build_dir.
    Returns a list of error texts (empty on success)."""
    os.makedirs(args.build_dir, exist_ok=True)
    sources = [(n, os.path.join(BENCH_DIR, "programs", n + ".c")) for n in names]
    sources.append(("hello", os.path.join(BENCH_DIR, "startup", "hello.c")))
    errors = []
    args.measure = os.path.join(args.build_dir, "bench_measure")
    error = compile_one([args.gcc, "-std=gnu11", "-O2", "-Wall", "-Wextra",
                         os.path.join(BENCH_DIR, "measure.c"), "-o", args.measure])
    if error:
        errors.append(error)
    for name, src in sources:
        out = os.path.join(args.build_dir, name)
        for cmd in ([args.gcc, "-std=gnu11", "-O2", "-Wall", "-Wextra", src, "-o", out, "-lm"],
                    [args.clang, "--target=wasm32-wasi", "-O2", "-Wall", "-Wextra", src,
                     "-o", out + ".wasm", "-lm"]):
            error = compile_one(cmd)
            if error:
                errors.append(error)
    return errors


def engine_command(engine, args, name, size):
    """The command line that runs program `name` (built in args.build_dir) on an engine."""
    binary = os.path.join(args.build_dir, name)
    extra = [] if size is None else [str(size)]
    if engine == "native":
        return [binary] + extra
    if engine in ("spindle", "baseline"):
        return [getattr(args, engine), "run", binary + ".wasm"] + extra
    if engine == "spindle-opt":
        return [args.spindle, "run", "--tier=opt", binary + ".wasm"] + extra
    return [args.node, "--no-warnings", os.path.join(BENCH_DIR, "node_wasi.mjs"),
            binary + ".wasm"] + extra


def engine_unavailable(engine, args):
    """Why an engine cannot run at all (missing binary), or None."""
    if engine in ("spindle", "spindle-opt") and not os.access(args.spindle, os.X_OK):
        return (f"no spindle binary at {args.spindle} (build it with cmake, or pass "
                f"--spindle PATH)")
    if engine == "baseline" and not os.access(args.baseline, os.X_OK):
        return f"no spindle binary at {args.baseline} (--baseline)"
    if engine == "node" and not shutil.which(args.node):
        return f"{args.node} not found (install Node 20, or pass --node PATH)"
    return None


# ---------------------------------------------------------------- measuring

def record(cell, result, expected):
    """Adds one run to a cell; a failure or an output different from `expected` (None: no
    reference) marks the cell as failed and keeps the first error."""
    cell.ran = True
    cell.maxrss_kb = max(cell.maxrss_kb, result.maxrss_kb)
    error = result.error
    if error is None and expected is not None and result.stdout != expected:
        got, want = _first_difference(result.stdout, expected)
        error = f"checksum mismatch: got {got!r}, native printed {want!r}"
    if error:
        cell.error = cell.error or error
    else:
        cell.times["wall"].append(result.wall)
        cell.times["cpu"].append(result.cpu)


def _first_difference(got, want):
    got_lines, want_lines = got.splitlines(), want.splitlines()
    for i in range(max(len(got_lines), len(want_lines))):
        a = got_lines[i] if i < len(got_lines) else "<nothing>"
        b = want_lines[i] if i < len(want_lines) else "<nothing>"
        if a != b:
            return a, b
    return got, want


def measure(args, engines, name, size, runs, unavailable):
    """Runs one program `runs` times on every engine, interleaved (native first in each round,
    so slow drift of the machine hits all engines alike). An engine stops after its first
    failure. Returns (cells by engine, native stdout or None)."""
    cells = {e: Cell() for e in engines}
    for engine, why in unavailable.items():
        if engine in cells:
            cells[engine].error = why
    expected = None
    for _ in range(runs):
        for engine in engines:
            cell = cells[engine]
            if cell.error:
                continue
            result = run_once(engine_command(engine, args, name, size), args)
            if result.error:    # shorter messages: paths relative to the build folder
                result.error = result.error.replace(args.build_dir + os.sep, "")
            record(cell, result, expected)
            if engine == "native" and not cell.error and expected is None:
                expected = result.stdout
        if cells["native"].error:
            break
    return cells, expected


# ---------------------------------------------------------------- environment

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average():
    """The 1-minute load average, as text: above the CPU count, other jobs compete with the
    benchmark and wall times stretch."""
    try:
        return f"load average {os.getloadavg()[0]:.1f}"
    except OSError:
        return "load average unknown"


def spindle_build_info(path):
    """The build type and compiler from the CMakeCache.txt beside the binary, if any."""
    info = {}
    try:
        with open(os.path.join(os.path.dirname(path), "CMakeCache.txt")) as f:
            for line in f:
                key, _, value = line.strip().partition("=")
                info[key.split(":")[0]] = value
    except OSError:
        return "build settings unknown"
    build_type = info.get("CMAKE_BUILD_TYPE") or "RelWithDebInfo (the project's default)"
    text = f"build type {build_type}, C compiler {info.get('CMAKE_C_COMPILER', '?')}"
    if info.get("SPINDLE_SANITIZE", "OFF").upper() in ("ON", "TRUE", "1"):
        text += ", SANITIZERS ON (timings meaningless)"
    return text


def environment(args, engines):
    lines = [f"CPU: {cpu_model()} ({os.cpu_count()} logical CPUs), {platform.system()} "
             f"{platform.release()}; {load_average()} at the start",
             f"native: {tool_version([args.gcc]) or args.gcc} -O2; "
             f"wasm: {tool_version([args.clang]) or args.clang} --target=wasm32-wasi -O2"]
    if "spindle" in engines:
        lines.append(f"spindle: {args.spindle}: {tool_version([args.spindle]) or 'not runnable'}"
                     f" ({spindle_build_info(args.spindle)})")
    if "spindle-opt" in engines:
        lines.append("spindle-opt: the same binary with --tier=opt (compile time included)")
    if "baseline" in engines:
        lines.append(f"baseline: {args.baseline}: "
                     f"{tool_version([args.baseline]) or 'not runnable'}"
                     f" ({spindle_build_info(args.baseline)})")
    if "node" in engines:
        lines.append(f"node: {tool_version([args.node]) or 'not found'} (node:wasi)")
    return lines


# ---------------------------------------------------------------- reporting
# metric: "wall" (the default: what a user waits for) or "cpu" (user + system time of all
# the process's threads; less disturbed by other jobs on a busy machine).

def ratio(cells, engine, metric):
    """Median time of an engine over native's median time, or None if either failed."""
    native, other = cells["native"].median(metric), cells[engine].median(metric)
    return other / native if native and other else None


def geometric_mean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def engine_geomean(results, engine, metric):
    """(geometric mean of the engine's ratios, how many programs it covers)."""
    values = [r for r in (ratio(c, engine, metric) for _, _, c in results) if r]
    return geometric_mean(values), len(values)


def _cell_text(cells, engine, metric):
    """A table cell: failed/MISMATCH, ok (metric None: quick mode), seconds or ratio."""
    cell = cells[engine]
    if cell.error:
        return "MISMATCH" if cell.error.startswith("checksum mismatch") else "failed"
    if not cell.ran:
        return "-"
    if metric is None:
        return "ok"
    if engine == "native":
        return f"{cell.median(metric):.3f} s"
    return f"{ratio(cells, engine, metric):.2f}x"


def _mb(cell):
    return f"{cell.maxrss_kb / 1024:.1f}" if cell.ran else "-"


def _geomean_line(label, results, wasm, metric):
    means = []
    for engine in wasm:
        mean, count = engine_geomean(results, engine, metric)
        means.append(f"{mean:.2f}x" if mean else "n/a")
        if mean and count < len(results):
            means[-1] += f" ({count} of {len(results)})"
    return f"{label:<24} {'1':>9}" + "".join(f" {m:>9}" for m in means)


def format_table(results, engines, metric):
    """The per-program table, as text lines; metric None (quick mode) shows only ok/failed,
    else times by that metric, peak RSS and the geometric means (by both metrics)."""
    wasm = [e for e in engines if e != "native"]
    head = f"{'program':<14} {'size':>9} {'native':>9}" + "".join(f" {e:>9}" for e in wasm)
    if metric:
        head += "   peak RSS MiB: " + " / ".join(engines)
    lines = [head, "-" * len(head)]
    for name, size, cells in results:
        line = f"{name:<14} {size:>9} " + " ".join(f"{_cell_text(cells, e, metric):>9}"
                                                 for e in engines)
        if metric:
            line += "   " + " / ".join(_mb(cells[e]) for e in engines)
        lines.append(line)
    if metric:
        other = "cpu" if metric == "wall" else "wall"
        lines += ["-" * len(head), _geomean_line("geometric mean", results, wasm, metric),
                  _geomean_line(f"  (by {other} time)", results, wasm, other)]
    return lines


def format_startup(cells, engines, runs, metric):
    if metric is None:
        states = ", ".join(f"{e} {_cell_text(cells, e, None)}" for e in engines)
        return [f"start-up (hello world): {states}"]
    parts = []
    for engine in engines:
        median = cells[engine].median(metric)
        parts.append(f"{engine} {median * 1000:.1f} ms" if median else f"{engine} failed")
    return [f"start-up, hello world (median {metric} time of {runs} runs, process start to "
            f"exit): " + ", ".join(parts)]


def format_failures(results, engines):
    """One line per failed (engine, program): the error line the run printed."""
    lines = []
    for name, _, cells in results:
        for engine in engines:
            if cells[engine].error:
                lines.append(f"  {engine} on {name}: failed: {cells[engine].error}")
    return lines


def write_csv(path, results, startup, engines, runs, metric):
    """The table as CSV: one row per program (median wall and CPU seconds of every engine,
    ratios by `metric`, peak RSS, status), then `geomean`, then `startup:hello`."""
    wasm = [e for e in engines if e != "native"]
    header = ["program", "size", "runs", "ratio_metric"]
    for e in engines:
        header += [f"{e}_wall_s", f"{e}_cpu_s"] + ([f"{e}_ratio"] if e != "native" else [])
    header += [f"{e}_maxrss_mib" for e in engines] + [f"{e}_status" for e in engines]
    rows = [_csv_row(name, size, runs, cells, engines, metric) for name, size, cells in results]
    geomean = ["geomean", "", "", metric]
    for e in engines:
        mean = engine_geomean(results, e, metric)[0] if e != "native" else None
        geomean += ["", ""] + ([f"{mean:.3f}" if mean else ""] if e != "native" else [])
    rows.append(geomean + [""] * (2 * len(engines)))
    rows.append(_csv_row("startup:hello", None, len(startup["native"].times["wall"]), startup,
                         engines, metric))
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([header] + rows)


def _csv_row(name, size, runs, cells, engines, metric):
    def seconds(e, m):
        return f"{cells[e].median(m):.4f}" if cells[e].median(m) else ""
    row = [name, "" if size is None else size, runs, metric]
    for e in engines:
        row += [seconds(e, "wall"), seconds(e, "cpu")]
        if e != "native":
            r = ratio(cells, e, metric)
            row.append(f"{r:.3f}" if r else "")
    row += [f"{cells[e].maxrss_kb / 1024:.1f}" if cells[e].ran else "" for e in engines]
    row += ["failed: " + cells[e].error if cells[e].error else "ok" for e in engines]
    return row


def write_chart(path, results, engines, metric, title, subtitle):
    wasm = [e for e in engines if e != "native"]
    rows = []
    for name, _, cells in results:
        rows.append((name, {e: ratio(cells, e, metric) or _cell_text(cells, e, None)
                            for e in wasm}, False))
    means = {e: engine_geomean(results, e, metric)[0] or "n/a" for e in wasm}
    rows.append(("geometric mean", means, True))
    with open(path, "w") as f:
        f.write(svgchart.render(rows, wasm, title, subtitle,
                                GOAL_RATIO if "spindle" in wasm else None))


# ---------------------------------------------------------------- main

def parse_args():
    p = argparse.ArgumentParser(description="Build and run Spindle's benchmarks against "
                                "native code and Node.")
    p.add_argument("--quick", action="store_true",
                   help="smallest sizes, one run, checksums only (no timings); for CI")
    p.add_argument("--runs", type=int, default=3, help="runs per program and engine (median)")
    p.add_argument("--startup-runs", type=int, default=20, help="runs of the hello-world module")
    p.add_argument("--spindle", default=os.path.join(REPO_DIR, "build", "spindle"),
                   help="the spindle binary (default: build/spindle)")
    p.add_argument("--baseline", help="a second spindle binary (e.g. a build of an earlier "
                   "commit) measured in the same run, interleaved with the others, as the "
                   "engine `baseline`: before/after comparisons")
    p.add_argument("--node", default="node", help="the Node binary (default: node)")
    p.add_argument("--gcc", default="gcc", help="native compiler (default: gcc)")
    p.add_argument("--clang", default="clang-19", help="wasm compiler (default: clang-19)")
    p.add_argument("--engines", default="native,spindle,node",
                   help="comma-separated subset of native,spindle,spindle-opt,node (native "
                   "is required; spindle-opt is spindle with --tier=opt; --baseline adds "
                   "baseline)")
    p.add_argument("--only", help="comma-separated program names (default: all)")
    p.add_argument("--timeout", type=int, default=600, help="seconds before a run is killed")
    p.add_argument("--build-dir", default=os.path.join(BENCH_DIR, "build"),
                   help="where the programs are built (default: bench/build)")
    p.add_argument("--results-dir", default=os.path.join(BENCH_DIR, "results"),
                   help="where a timed run writes results.csv, results.txt and chart.svg")
    p.add_argument("--cpu-time", action="store_true",
                   help="base the ratios on user+system CPU time instead of wall time "
                   "(steadier on a machine busy with other jobs)")
    p.add_argument("--list", action="store_true", help="list the programs and exit")
    args = p.parse_args()
    args.engines = [e for e in args.engines.split(",") if e]
    if "native" not in args.engines or any(e not in ENGINES for e in args.engines):
        p.error("--engines must name native and any of spindle,spindle-opt,node")
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
        args.engines.append("baseline")
    args.engines = [e for e in ENGINES if e in args.engines]    # canonical order
    known = [name for name, _, _ in PROGRAMS]
    args.only = args.only.split(",") if args.only else known
    if any(n not in known for n in args.only):
        p.error(f"--only: unknown program; the programs are: {', '.join(known)}")
    if args.runs < 1 or args.startup_runs < 1 or args.timeout < 1:
        p.error("--runs, --startup-runs and --timeout must be at least 1")
    if args.quick:
        args.runs, args.startup_runs = 1, 1
    args.spindle = os.path.abspath(args.spindle)
    args.build_dir = os.path.abspath(args.build_dir)
    args.metric = None if args.quick else ("cpu" if args.cpu_time else "wall")
    return args


def run_programs(args, unavailable):
    """Measures every selected program; prints one progress line per program to stderr."""
    results = []
    for name, size, quick_size in PROGRAMS:
        if name not in args.only:
            continue
        size = quick_size if args.quick else size
        cells, _ = measure(args, args.engines, name, size, args.runs, unavailable)
        results.append((name, size, cells))
        states = ", ".join(f"{e} {_cell_text(cells, e, args.metric)}" for e in args.engines)
        print(f"  {name} {size}: {states}", file=sys.stderr, flush=True)
    return results


def save_results(args, lines, results, startup, title, subtitle):
    os.makedirs(args.results_dir, exist_ok=True)
    write_csv(os.path.join(args.results_dir, "results.csv"), results, startup, args.engines,
              args.runs, args.metric)
    write_chart(os.path.join(args.results_dir, "chart.svg"), results, args.engines,
                args.metric, title, subtitle)
    with open(os.path.join(args.results_dir, "results.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.results_dir}/results.csv, results.txt and chart.svg")


def main():
    args = parse_args()
    if args.list:
        for name, size, quick_size in PROGRAMS:
            print(f"{name:<14} size {size} (quick: {quick_size})")
        return 0
    for tool in (args.gcc, args.clang):
        if not shutil.which(tool):
            print(f"bench: {tool} not found (see bench/README.md for the packages)",
                  file=sys.stderr)
            return 2
    print(f"bench: building {len(args.only)} programs into {args.build_dir}", file=sys.stderr)
    errors = build_all(args, args.only)
    if errors:
        print("bench: build failed:\n" + "\n".join(errors), file=sys.stderr)
        return 2
    unavailable = {e: why for e in args.engines if (why := engine_unavailable(e, args))}
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick mode: checksums only, no timings" if args.quick else \
        f"median {args.metric} time of {args.runs} runs; wasm columns are time / native time"
    lines = [f"Spindle benchmarks, {when} ({mode})"] + environment(args, args.engines) + [""]
    results = run_programs(args, unavailable)
    startup, _ = measure(args, args.engines, "hello", None, args.startup_runs, unavailable)
    lines += format_table(results, args.engines, args.metric) + [""]
    lines += format_startup(startup, args.engines, args.startup_runs, args.metric)
    lines.append(f"{load_average()} at the end")
    failures = format_failures(results + [("hello (start-up)", None, startup)], args.engines)
    if failures:
        lines += ["", f"{len(failures)} failed runs:"] + failures
    print("\n".join(lines))
    if not args.quick:
        title = f"Spindle benchmarks: wasm {args.metric} time relative to native gcc -O2"
        subtitle = f"{cpu_model()}, {when}, median of {args.runs} runs\n" + \
            format_startup(startup, args.engines, args.startup_runs, args.metric)[0]
        save_results(args, lines, results, startup, title, subtitle)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
