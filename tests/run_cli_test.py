#!/usr/bin/env python3
"""Checks `spindle run`: options, the guest's view (argv, environment,
preopened directories), exit statuses and error lines, and the limits
(--max-memory, --max-table-memory, --timeout).

Usage: run_cli_test.py SPINDLE GUEST_DIR WORK_DIR
GUEST_DIR holds wasi_cli.wasm and wasi_reactor.wasm (tests/guests). Prints
one line per failed check and a summary; exits 1 when a check failed.
"""
import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time

failures = 0


def run(args, env=None, stdin=b"", limit=60):
    """Runs spindle run ARGS; a run still going after `limit` seconds is
    killed and reported as status -1."""
    try:
        p = subprocess.run([SPINDLE, "run"] + args, input=stdin, capture_output=True, timeout=limit,
                           env=env if env is not None else {"PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        return -1, "", f"(killed by the test after {limit} s)"
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_rss(args, limit=60):
    """Runs spindle run ARGS; returns (status, stderr, peak RSS in MiB) of
    that one process: os.wait4 reaps it and gives its own resource usage."""
    p = subprocess.Popen([SPINDLE, "run"] + args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env={"PATH": "/usr/bin:/bin"})
    timer = threading.Timer(limit, p.kill)
    timer.start()
    try:
        _, status, usage = os.wait4(p.pid, 0)
    finally:
        timer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)   # reaped: Popen must not wait again
    err = p.stderr.read().decode()
    p.stderr.close()
    return p.returncode, err, usage.ru_maxrss / 1024


def wat(name, text):
    """Compiles WAT `text` with wat2wasm (threads enabled) to WORK/name.wasm."""
    src, out = os.path.join(WORK, name + ".wat"), os.path.join(WORK, name + ".wasm")
    with open(src, "w") as f:
        f.write(text)
    subprocess.run(["wat2wasm", "--enable-threads", src, "-o", out], check=True)
    return out


def check(name, cond, detail=""):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL {name} {detail}")


def expect(name, args, status, out=None, err_has=None, one_line_err=False, **kw):
    """Runs spindle run ARGS and checks the exit status, the whole stdout
    (when given), a piece of stderr, and that stderr is a single line."""
    code, o, e = run(args, **kw)
    detail = f"(status {code}, stdout {o!r}, stderr {e!r})"
    check(name + ": status", code == status, detail)
    if out is not None:
        check(name + ": stdout", o == out, detail)
    if err_has is not None:
        check(name + ": stderr", err_has in e, detail)
    if one_line_err:
        check(name + ": one-line error", e.count("\n") == 1 and e.startswith("spindle: "), detail)


def module_with_import():
    """A valid module importing env.nope: () -> ()."""
    name = b"env"
    field = b"nope"
    imp = bytes([1, len(name)]) + name + bytes([len(field)]) + field + bytes([0, 0])
    return (b"\0asm\1\0\0\0" + bytes([1, 4, 1, 0x60, 0, 0]) + bytes([2, len(imp)]) + imp)


def leb(n):
    """n (unsigned) as LEB128."""
    out = b""
    while True:
        byte, n = n & 0x7f, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def section(sid, items):
    """A section: id, size, count, then the items (each bytes)."""
    body = leb(len(items)) + b"".join(items)
    return bytes([sid]) + leb(len(body)) + body


def name(text):
    return leb(len(text)) + text


def code(body):
    """A function body without locals, `end` added."""
    body = b"\0" + body + b"\x0b"
    return leb(len(body)) + body


def export(text, kind, index):
    """An export entry: kind 0 = function, 2 = memory."""
    return name(text) + bytes([kind]) + leb(index)


def wasi_import(field, type_index):
    """A function import from wasi_snapshot_preview1."""
    return name(b"wasi_snapshot_preview1") + name(field) + b"\0" + leb(type_index)


def start_section(func_index):
    body = leb(func_index)
    return bytes([8]) + leb(len(body)) + body


LOOP_FOREVER = b"\x03\x40\x0c\0\x0b"   # loop br 0 end


def module_spin():
    """_start loops forever."""
    return (b"\0asm\1\0\0\0" + section(1, [b"\x60\0\0"]) + section(3, [b"\0"]) +
            section(7, [name(b"_start") + b"\0\0"]) + section(10, [code(b"\x03\x40\x0c\0\x0b")]))


def module_memory(min_pages):
    """Memory min_pages (no maximum); _start calls proc_exit(memory.grow(3) + 1)
    (0 when the grow fails, 2 when it succeeds from 1 page); export grow: () ->
    i32 returns memory.grow(3)."""
    types = [b"\x60\x01\x7f\0", b"\x60\0\0", b"\x60\0\x01\x7f"]
    imp = name(b"wasi_snapshot_preview1") + name(b"proc_exit") + b"\0\0"
    exports = [name(b"_start") + b"\0\x01", name(b"grow") + b"\0\x02"]
    bodies = [code(b"\x41\x03\x40\0\x41\x01\x6a\x10\0"), code(b"\x41\x03\x40\0")]
    return (b"\0asm\1\0\0\0" + section(1, types) + section(2, [imp]) + section(3, [b"\x01", b"\x02"]) +
            section(5, [bytes([0, min_pages])]) + section(7, exports) + section(10, bodies))


def module_spin_export():
    """A reactor whose export spin: () -> () loops forever."""
    return (b"\0asm\1\0\0\0" + section(1, [b"\x60\0\0"]) + section(3, [b"\0"]) +
            section(7, [export(b"spin", 0, 0)]) + section(10, [code(LOOP_FOREVER)]))


def module_spin_before(where):
    """Export f: () -> () returns at once, but first the start function
    (where = "start") or _initialize (where = "init") loops forever."""
    exports = [export(b"f", 0, 1)]
    if where == "init":
        exports.append(export(b"_initialize", 0, 0))
    start = start_section(0) if where == "start" else b""
    return (b"\0asm\1\0\0\0" + section(1, [b"\x60\0\0"]) + section(3, [b"\0", b"\0"]) +
            section(7, exports) + start + section(10, [code(LOOP_FOREVER), code(b"")]))


def module_block():
    """Exports that block: poll waits in poll_oneoff on a one-hour monotonic
    clock subscription (at 0), read in fd_read of stdin (iovec at 256), wait
    in memory.atomic.wait32 with no timeout (memory 1 page, shared)."""
    types = [b"\x60\x04\x7f\x7f\x7f\x7f\x01\x7f", b"\x60\0\0"]
    imports = [wasi_import(b"poll_oneoff", 0), wasi_import(b"fd_read", 0)]
    exports = [export(b"memory", 2, 0), export(b"poll", 0, 2), export(b"read", 0, 3),
               export(b"wait", 0, 4)]
    bodies = [code(b"\x41\x00\x41\xc0\x00\x41\x01\x41\x80\x01\x10\x00\x1a"),  # poll_oneoff(0, 64, 1, 128)
              code(b"\x41\x00\x41\x80\x02\x41\x01\x41\x90\x02\x10\x01\x1a"),  # fd_read(0, 256, 1, 272)
              code(b"\x41\x00\x41\x00\x42\x7f\xfe\x01\x02\x00\x1a")]  # wait32(0, 0, -1)
    sub = (bytes(8) + b"\0" + bytes(7) + (1).to_bytes(4, "little") + bytes(4) +
           (3600 * 10**9).to_bytes(8, "little") + bytes(16))
    iov = (300).to_bytes(4, "little") + (8).to_bytes(4, "little")
    datas = [b"\0\x41\x00\x0b" + leb(len(sub)) + sub, b"\0\x41\x80\x02\x0b" + leb(len(iov)) + iov]
    return (b"\0asm\1\0\0\0" + section(1, types) + section(2, imports) +
            section(3, [b"\x01", b"\x01", b"\x01"]) + section(5, [b"\x03\x01\x01"]) +
            section(7, exports) + section(10, bodies) + section(11, datas))


def module_grow_in_start():
    """Memory 1 page (no maximum); the start function stores memory.grow(3)
    in global 0; export get: () -> i32 returns it; _start calls
    proc_exit(global 0 + 10): 9 when the grow failed, 11 when it worked."""
    types = [b"\x60\x01\x7f\0", b"\x60\0\0", b"\x60\0\x01\x7f"]
    exports = [export(b"_start", 0, 2), export(b"get", 0, 3)]
    bodies = [code(b"\x41\x03\x40\x00\x24\x00"), code(b"\x23\x00\x41\x0a\x6a\x10\x00"),
              code(b"\x23\x00")]
    return (b"\0asm\1\0\0\0" + section(1, types) + section(2, [wasi_import(b"proc_exit", 0)]) +
            section(3, [b"\x01", b"\x01", b"\x02"]) + section(5, [b"\0\x01"]) +
            section(6, [b"\x7f\x01\x41\x00\x0b"]) + section(7, exports) + start_section(1) +
            section(10, bodies))


def name_section(names):
    """A custom `name` section naming functions: names is a list of
    (function index, name bytes)."""
    sub = leb(len(names)) + b"".join(leb(i) + name(n) for i, n in names)
    body = name(b"name") + b"\x01" + leb(len(sub)) + sub
    return b"\0" + leb(len(body)) + body


def module_data_oob():
    """Memory 1 page with a data segment of 2 bytes at 65535 (out of range):
    instantiation traps; exports _start and f (both empty)."""
    data = b"\0\x41\xff\xff\x03\x0b" + leb(2) + b"ab"
    return (b"\0asm\1\0\0\0" + section(1, [b"\x60\0\0"]) + section(3, [b"\0"]) +
            section(5, [b"\0\x01"]) + section(7, [export(b"_start", 0, 0), export(b"f", 0, 0)]) +
            section(10, [code(b"")]) + section(11, [data]))


def module_start_trap():
    """The start function start_outer calls start_inner, which traps with
    unreachable; exports _start and f (empty)."""
    bodies = [code(b"\x00"), code(b"\x10\x00"), code(b"")]
    return (b"\0asm\1\0\0\0" + section(1, [b"\x60\0\0"]) + section(3, [b"\0", b"\0", b"\0"]) +
            section(7, [export(b"_start", 0, 2), export(b"f", 0, 2)]) + start_section(1) +
            section(10, bodies) + name_section([(0, b"start_inner"), (1, b"start_outer")]))


HOSTILE = b"ok\n\x1b[31mred\0after\x7f\xc2\x9b\xe2\x80\xaeend"
HOSTILE_ESCAPED = "ok\\x0a\\x1b[31mred\\x00after\\x7f\\u{009b}\\u{202e}end"


def module_hostile_import():
    """Imports HOSTILE.HOSTILE+"2": () -> () (unknown)."""
    imp = name(HOSTILE) + name(HOSTILE + b"2") + b"\0\0"
    return b"\0asm\1\0\0\0" + section(1, [b"\x60\0\0"]) + section(2, [imp])


def module_hostile_trap():
    """_start calls function 0, named HOSTILE, which traps (unreachable)."""
    return (b"\0asm\1\0\0\0" + section(1, [b"\x60\0\0"]) + section(3, [b"\0", b"\0"]) +
            section(7, [export(b"_start", 0, 1)]) +
            section(10, [code(b"\x00"), code(b"\x10\x00")]) +
            name_section([(0, HOSTILE), (1, b"caller")]))


def no_raw_controls(text):
    """True when text has no control character but newlines, and no DEL, C1
    or bidirectional control."""
    return not any((ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f or
                   0x202a <= ord(c) <= 0x202e for c in text)


def test_hostile_names():
    """Module-controlled names (import names, function names in backtraces,
    export names asked for) are printed escaped and whole: no raw control
    byte reaches the terminal and a NUL does not cut the name."""
    paths = {}
    for key, data in (("import", module_hostile_import()), ("trap", module_hostile_trap())):
        paths[key] = os.path.join(WORK, "hostile_" + key + ".wasm")
        with open(paths[key], "wb") as f:
            f.write(data)
    code_, _, e = run([paths["import"]])
    detail = f"(status {code_}, stderr {e!r})"
    check("hostile import names: status", code_ == 5, detail)
    check("hostile import names: one line, escaped", e.count("\n") == 1 and no_raw_controls(e), detail)
    check("hostile import names: whole", f'unknown import "{HOSTILE_ESCAPED}" "{HOSTILE_ESCAPED}2"' in e,
          detail)
    for args in ([paths["trap"]], ["--invoke", "_start", paths["trap"]]):
        code_, _, e = run(args)
        detail = f"({args[:-1]}: status {code_}, stderr {e!r})"
        check("hostile function name: status", code_ == 134, detail)
        check("hostile function name: escaped", no_raw_controls(e), detail)
        check("hostile function name: whole", f"at #0 {HOSTILE_ESCAPED} (func 0)" in e, detail)
    code_, _, e = run(["--invoke", "x\x1b[31my\nz", paths["trap"]])
    detail = f"(status {code_}, stderr {e!r})"
    check("hostile export name asked for: status", code_ == 2, detail)
    check("hostile export name asked for: escaped", e.count("\n") == 1 and no_raw_controls(e) and
          'no exported function "x\\x1b[31my\\x0az"' in e, detail)


def test_instantiation_traps():
    """A trap while instantiating (a data segment out of range, a trap in the
    start function) gives the same report and status under run and --invoke."""
    for key, data, report in (
            ("data_oob", module_data_oob(), "wasm trap: out of bounds memory access\n"),
            ("start_trap", module_start_trap(),
             "wasm trap: unreachable\n  at #0 start_inner (func 0)\n  at #1 start_outer (func 1)\n")):
        path = os.path.join(WORK, key + ".wasm")
        with open(path, "wb") as f:
            f.write(data)
        want = f"spindle: {path}: {report}"
        for args in ([path], ["--invoke", "f", path]):
            code_, o, e = run(args)
            check(f"{key} {args[:-1]}: report", code_ == 134 and o == "" and e == want,
                  f"(status {code_}, stdout {o!r}, stderr {e!r}, want {want!r})")


def expect_timeout(name, args, path, **kw):
    """spindle run --timeout 0.2 ARGS stops with 124, the one-line message,
    no output, and on time."""
    start = time.monotonic()
    expect(name, ["--timeout", "0.2"] + args, 124, out="", one_line_err=True,
           err_has=f"spindle: {path}: timed out after 0.2 s", limit=10, **kw)
    took = time.monotonic() - start
    check(name + ": on time", 0.2 <= took < 0.7 + 1.5, f"({took:.3f} s)")


def test_invoke_timeout(paths):
    """--timeout with --invoke: running wasm, the start function, _initialize,
    and calls blocked in poll_oneoff, fd_read of an open stdin and
    memory.atomic.wait are all stopped at the deadline."""
    spin, block = paths["spin_export"], paths["block"]
    expect_timeout("--invoke --timeout: spinning export", ["--invoke", "spin", spin], spin)
    expect_timeout("--invoke --timeout: spinning start function",
                   ["--invoke", "f", paths["spin_start"]], paths["spin_start"])
    expect_timeout("--invoke --timeout: spinning _initialize",
                   ["--invoke", "f", paths["spin_init"]], paths["spin_init"])
    expect_timeout("--invoke --timeout: poll_oneoff", ["--invoke", "poll", block], block)
    expect_timeout("--invoke --timeout: memory.atomic.wait", ["--invoke", "wait", block], block)
    # fd_read of a stdin that stays open (subprocess.run and communicate
    # would close it); the outputs are small, so waiting before reading them
    # cannot deadlock.
    start = time.monotonic()
    p = subprocess.Popen([SPINDLE, "run", "--timeout", "0.2", "--invoke", "read", block],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={"PATH": "/usr/bin:/bin"})
    try:
        p.wait(timeout=10)
        took = time.monotonic() - start
        o, e = p.stdout.read().decode(), p.stderr.read().decode()
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        took, o, e = 10.0, "", "still running"
    finally:
        p.stdin.close()
        p.stdout.close()
        p.stderr.close()
    detail = f"(status {p.returncode}, stdout {o!r}, stderr {e!r}, {took:.3f} s)"
    check("--invoke --timeout: fd_read of open stdin", p.returncode == 124 and o == "" and
          e == f"spindle: {block}: timed out after 0.2 s\n" and 0.2 <= took < 0.7 + 1.5, detail)


def test_grow_in_start(grow):
    """--max-memory holds from the moment a memory is made: a memory.grow in
    the start function is capped too, through --invoke and through _start."""
    expect("start function grow, no cap (--invoke)", ["--invoke", "get", grow], 0, out="1\n")
    expect("start function grow, --max-memory (--invoke)", ["--max-memory", "128K", "--invoke", "get", grow],
           0, out="-1\n")
    expect("start function grow to the cap (--invoke)", ["--max-memory", "256K", "--invoke", "get", grow],
           0, out="1\n")
    expect("start function grow, no cap (_start)", [grow], 11)
    expect("start function grow, --max-memory (_start)", ["--max-memory", "128K", grow], 9)


def test_limits():
    """--max-memory and --timeout (--max-threads is covered by test_wasix_thread_limits)."""
    paths = {}
    for key, data in (("spin", module_spin()), ("mem1", module_memory(1)), ("mem10", module_memory(10)),
                      ("spin_export", module_spin_export()), ("spin_start", module_spin_before("start")),
                      ("spin_init", module_spin_before("init")), ("block", module_block()),
                      ("grow", module_grow_in_start())):
        paths[key] = os.path.join(WORK, key + ".wasm")
        with open(paths[key], "wb") as f:
            f.write(data)
    mem1, mem10, spin = paths["mem1"], paths["mem10"], paths["spin"]
    expect("no cap: grow works", [mem1], 2)
    expect("--max-memory 128K: grow gives -1", ["--max-memory", "128K", mem1], 0)
    expect("--max-memory=256K: grow to the cap works", ["--max-memory=256K", mem1], 2)
    expect("--max-memory 131072", ["--max-memory", "131072", mem1], 0)
    expect("--max-memory with --invoke", ["--max-memory", "2m", "--invoke", "grow", mem1], 0,
           out="1\n")
    expect("--max-memory with --invoke: -1", ["--max-memory", "64K", "--invoke", "grow", mem1], 0,
           out="-1\n")
    for bad in ("1000", "0", "5G", "-64K", "64X", "", "1.5M"):
        expect(f"--max-memory {bad!r}", ["--max-memory", bad, mem1], 2, one_line_err=True,
               err_has="--max-memory")
    expect("memory minimum above the cap", ["--max-memory", "64K", mem10], 134, one_line_err=True,
           err_has="memory minimum exceeds --max-memory")
    expect("memory minimum above the cap (--invoke)", ["--max-memory", "64K", "--invoke", "grow", mem10],
           134, one_line_err=True, err_has="memory minimum exceeds --max-memory")
    start = time.monotonic()
    expect("--timeout", ["--timeout", "0.2", spin], 124, out="", one_line_err=True,
           err_has=f"spindle: {spin}: timed out after 0.2 s")
    took = time.monotonic() - start
    check("--timeout: on time", 0.2 <= took < 0.7 + 1.5, f"({took:.3f} s)")
    expect("--timeout= not reached", ["--timeout=30", mem1], 2, err_has=None)
    for bad in ("abc", "0", "-1", "1e99", "nan", "", "2s"):
        expect(f"--timeout {bad!r}", ["--timeout", bad, spin], 2, one_line_err=True, err_has="--timeout")
    test_invoke_timeout(paths)
    test_grow_in_start(paths["grow"])
    code_, o, _ = run(["--help"])
    check("--help: limits", all(x in o for x in ("--max-memory", "--timeout", "124")), o)
    flat = " ".join(o.split())
    check("--help: --timeout with --invoke", "not with --invoke" not in flat and
          "says so on stderr; also with --invoke" in flat, o)


TABLES_4X10M = """;; four tables of 10,000,000 entries: 320 MB of host memory asked for by
;; 30 bytes of module
(module
  (table 10000000 funcref) (table 10000000 funcref)
  (table 10000000 funcref) (table 10000000 funcref)
  (func (export "_start"))
  (func (export "f") (result i32) (i32.const 7)))
"""

TABLE_1000 = """(module (table 1000 funcref) (func (export "_start")))
"""

TABLE_GROW = """;; table.grow against --max-table-memory 80K (10,240 entries of 8 bytes, less
;; the instance's own records, a few hundred bytes): exits 0 when each grow
;; gives what it should, else the failed check's number
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (table $t 1 funcref)
  (func $expect (param $got i32) (param $want i32) (param $code i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $exit (local.get $code)))))
  (func (export "grow") (param i32) (result i32)
    (table.grow $t (ref.null func) (local.get 0)))
  (func (export "_start")
    (call $expect (table.grow $t (ref.null func) (i32.const 20000)) (i32.const -1) (i32.const 1))
    (call $expect (table.grow $t (ref.null func) (i32.const 9999)) (i32.const 1) (i32.const 2))
    ;; one entry at a time up to the limit: somewhere in 10,001-10,239 entries
    (block $full (loop $more
      (br_if $full (i32.lt_s (table.grow $t (ref.null func) (i32.const 1)) (i32.const 0)))
      (br $more)))
    (call $expect (i32.gt_u (table.size $t) (i32.const 10000)) (i32.const 1) (i32.const 3))
    (call $expect (i32.lt_u (table.size $t) (i32.const 10240)) (i32.const 1) (i32.const 4))
    (call $expect (table.grow $t (ref.null func) (i32.const 1)) (i32.const -1) (i32.const 5))
    (call $expect (table.grow $t (ref.null func) (i32.const 0)) (table.size $t) (i32.const 6))))
"""

THREAD_TABLES = """;; every thread's instance makes its own (table 10000000 funcref), 80 MB:
;; _start spawns 8 threads (each then waits forever, keeping its table) and
;; exits with the number of spawns that worked, plus 100 when a failed one
;; gave another errno than ENOMEM (-48)
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (table 10000000 funcref)
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (drop (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const -1))))
  (func (export "_start")
    (local $i i32) (local $r i32) (local $ok i32) (local $bad i32)
    (loop $more
      (local.set $r (call $spawn (i32.const 0)))
      (if (i32.gt_s (local.get $r) (i32.const 0))
        (then (local.set $ok (i32.add (local.get $ok) (i32.const 1))))
        (else (if (i32.ne (local.get $r) (i32.const -48)) (then (local.set $bad (i32.const 100))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $more (i32.lt_u (local.get $i) (i32.const 8))))
    (call $exit (i32.add (local.get $ok) (local.get $bad)))))
"""


def test_table_limits():
    """--max-table-memory: the tables, element segments and instance records
    of every thread share one budget (default 256M); a module whose tables do not fit is
    refused before they take memory, table.grow past it gives -1, and a
    thread whose table does not fit is not spawned (ENOMEM)."""
    tables4, t1000 = wat("tables_4x10m", TABLES_4X10M), wat("table_1000", TABLE_1000)
    grow, threads = wat("table_grow", TABLE_GROW), wat("thread_tables", THREAD_TABLES)
    msg = "tables and instance records exceed --max-table-memory"
    code, err, rss = run_rss([tables4])
    check("4 x 10M tables, default limit: refused", code == 134 and err.count("\n") == 1 and
          f"{tables4}: {msg} (default 256M)" in err,
          f"(status {code}, stderr {err!r})")
    check("4 x 10M tables, default limit: small peak RSS", 0 < rss < 64, f"({rss:.1f} MiB)")
    expect("4 x 10M tables, default limit (--invoke)", ["--invoke", "f", tables4], 134,
           one_line_err=True, err_has=msg)
    code, err, rss = run_rss(["--max-table-memory", "400M", tables4])
    check("4 x 10M tables, --max-table-memory 400M: runs", code == 0, f"(status {code}, stderr {err!r})")
    expect("4 x 10M tables, --max-table-memory=400M (--invoke)", ["--max-table-memory=400M", "--invoke",
           "f", tables4], 0, out="7\n")
    expect("1000 entries, default limit", [t1000], 0)
    # 8000 bytes of entries, and the instance's own records (a few hundred bytes)
    expect("1000 entries, --max-table-memory 9000", ["--max-table-memory", "9000", t1000], 0)
    expect("1000 entries, --max-table-memory 8000", ["--max-table-memory", "8000", t1000], 134,
           one_line_err=True, err_has=f"{t1000}: {msg}\n")
    expect("table.grow to the limit, then -1", ["--max-table-memory", "80K", grow], 0)
    expect("table.grow, a larger limit", ["--max-table-memory", "160K", grow], 1)
    expect("table.grow, the default limit", [grow], 1)
    expect("table.grow -1 (--invoke)", ["--max-table-memory", "80K", "--invoke", "grow", grow, "10240"],
           0, out="-1\n")
    expect("table.grow within the limit (--invoke)", ["--max-table-memory", "80K", "--invoke", "grow",
           grow, "9999"], 0, out="1\n")
    code, err, rss = run_rss([threads])
    check("threads with 80 MB tables, default limit: 2 spawns work, then ENOMEM", code == 2,
          f"(status {code}, stderr {err!r})")
    check("threads with 80 MB tables: small peak RSS", 0 < rss < 64, f"({rss:.1f} MiB)")
    expect("threads with 80 MB tables, --max-table-memory 1G", ["--max-table-memory", "1G", threads], 8)
    expect("threads with 80 MB tables, --max-table-memory 160M", ["--max-table-memory", "160M", threads], 1)
    for bad in ("0", "", "-1K", "12X", "1025G", "1.5M", "K"):
        expect(f"--max-table-memory {bad!r}", ["--max-table-memory", bad, t1000], 2, one_line_err=True,
               err_has="--max-table-memory")
    _, o, _ = run(["--help"])
    flat = " ".join(o.split())
    check("--help: --max-table-memory", "--max-table-memory SIZE" in o and "default 256M" in flat, o)


def test_errors(cli):
    expect("no module", [], 2, one_line_err=True)
    expect("unknown option", ["--bogus", cli], 2, err_has="unknown option --bogus", one_line_err=True)
    expect("option without value", ["--env"], 2, one_line_err=True)
    expect("missing file", [os.path.join(WORK, "absent.wasm")], 3, one_line_err=True)
    bad = os.path.join(WORK, "bad.wasm")
    with open(bad, "wb") as f:
        f.write(b"not wasm")
    expect("malformed module", [bad], 4, one_line_err=True)
    link = os.path.join(WORK, "link.wasm")
    with open(link, "wb") as f:
        f.write(module_with_import())
    expect("link error", [link], 5, err_has='unknown import "env" "nope"', one_line_err=True)
    expect("bad --dir", ["--dir", os.path.join(WORK, "nodir"), cli], 2, err_has="no such directory",
           one_line_err=True)
    expect("no _start", [os.path.join(GUESTS, "wasi_reactor.wasm")], 2, err_has="_start",
           one_line_err=True)
    expect("no such export", ["--invoke", "nope", cli], 2, one_line_err=True)
    code, o, _ = run(["--help"])
    check("--help", code == 0 and all(x in o for x in ("--dir", "--mapdir", "--volume", "--env",
                                                       "--invoke", "Exit status")), o)


def test_guest_view(cli):
    expect("args", [cli, "args", "-x", "two words"], 0, out=f"{cli}\nargs\n-x\ntwo words\n")
    expect("-- ends options", ["--", cli, "args", "--env"], 0, out=f"{cli}\nargs\n--env\n")
    expect("env", ["--env", "A=1", "--env=B=x=y", "--env", "FROM_HOST", "--env", "UNSET_VAR",
                   cli, "env"], 0, out="A=1\nB=x=y\nFROM_HOST=host value\n",
           env={"PATH": "/usr/bin:/bin", "FROM_HOST": "host value"})
    expect("no environment by default", [cli, "env"], 0, out="")
    d1, d2, d3 = (os.path.join(WORK, n) for n in ("d1", "d2", "d3"))
    for d, text in ((d1, "one"), (d2, "two"), (d3, "three")):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "f.txt"), "w") as f:
            f.write(text)
    dirs = ["--dir", f"{d1}::/a", "--mapdir", f"/b:{d2}", "--volume", f"{d3}:/c"]
    expect("preopens", dirs + [cli, "preopens"], 0, out="/a\n/b\n/c\n")
    expect("--dir", dirs + [cli, "cat", "/a/f.txt"], 0, out="one")
    expect("--mapdir", dirs + [cli, "cat", "/b/f.txt"], 0, out="two")
    expect("--volume", dirs + [cli, "cat", "/c/f.txt"], 0, out="three")
    expect("--dir HOST", ["--dir", d1, cli, "preopens"], 0, out=f"{d1}\n")
    expect("not preopened", dirs + [cli, "cat", "/etc/passwd"], 1)
    expect("stdin", [cli, "echo"], 0, out="piped\n", stdin=b"piped\n")


def run_with_stdio(args, stdin_fd, stdout_fd):
    """Runs spindle run ARGS with host descriptors as stdin and stdout;
    returns (status, stderr)."""
    p = subprocess.run([SPINDLE, "run"] + args, stdin=stdin_fd, stdout=stdout_fd,
                       stderr=subprocess.PIPE, timeout=60, env={"PATH": "/usr/bin:/bin"})
    return p.returncode, p.stderr.decode()


def run_out(args, stdin_fd):
    """Runs spindle run ARGS with host descriptor stdin_fd as stdin;
    returns (status, stdout, stderr)."""
    p = subprocess.run([SPINDLE, "run"] + args, stdin=stdin_fd, capture_output=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin"})
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_stdio_files(cli):
    """`spindle run app.wasm >> app.log < input.txt`: the guest cannot seek,
    truncate, re-time, sync or un-append the host's files; it only reads
    stdin and appends to stdout, and the host's open file descriptions keep
    their flags."""
    log, inp = os.path.join(WORK, "app.log"), os.path.join(WORK, "input.txt")
    with open(log, "w") as f:
        f.write("existing line\n")
    with open(inp, "w") as f:
        f.write("from stdin\n")
    os.utime(inp, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = os.stat(inp)
    out_fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    in_fd = os.open(inp, os.O_RDONLY)
    try:
        code, e = run_with_stdio([cli, "stdio"], in_fd, out_fd)
        out_flags = fcntl.fcntl(out_fd, fcntl.F_GETFL)
        in_pos = os.lseek(in_fd, 0, os.SEEK_CUR)
    finally:
        os.close(out_fd)
        os.close(in_fd)
    check("stdio files: every call refused", code == 0, f"(status {code}, stderr {e!r})")
    with open(log) as f:
        text = f.read()
    check("stdio files: stdout only appended", text == "existing line\nfrom stdin\n", repr(text[:200]))
    after = os.stat(inp)
    check("stdio files: stdin untouched", after.st_mtime_ns == before.st_mtime_ns and
          after.st_ctime_ns == before.st_ctime_ns and after.st_size == before.st_size,
          f"({before} -> {after})")
    check("stdio files: stdin read sequentially", in_pos == len("from stdin\n"), f"({in_pos})")
    check("stdio files: host flags kept", (out_flags & os.O_APPEND) and not (out_flags & os.O_NONBLOCK),
          f"({out_flags:#o})")


def test_stdio_isatty(cli):
    """Stdio keeps what wasi-libc's isatty looks at: a terminal is one,
    /dev/null and a pipe are not."""
    null_fd = os.open(os.devnull, os.O_RDONLY)
    try:
        code, o, e = run_out([cli, "isatty"], null_fd)
    finally:
        os.close(null_fd)
    check("isatty: /dev/null and a pipe", code == 0 and o == "0 0\n", f"({code}, {o!r}, {e!r})")
    leader, follower = os.openpty()
    try:
        code, o, e = run_out([cli, "isatty"], follower)
    finally:
        os.close(leader)
        os.close(follower)
    check("isatty: a terminal", code == 0 and o == "1 0\n", f"({code}, {o!r}, {e!r})")


def test_stdio_nonblock(cli):
    """NONBLOCK on stdio is the guest's own: a read of an empty pipe gives
    EAGAIN at once, and the host's pipe stays blocking."""
    r, w = os.pipe()
    try:
        code, o, e = run_out([cli, "nonblock"], r)
        flags = fcntl.fcntl(r, fcntl.F_GETFL)
    finally:
        os.close(r)
        os.close(w)
    check("stdio nonblock: EAGAIN", code == 0, f"({code}, {o!r}, {e!r})")
    check("stdio nonblock: host pipe still blocking", not flags & os.O_NONBLOCK, f"({flags:#o})")


def test_stdin_dir(cli):
    """`spindle run app.wasm < DIR` gives no directory capability: nothing
    is read, created or listed through fd 0."""
    d = os.path.join(WORK, "stdin_dir")
    os.makedirs(d)
    with open(os.path.join(d, "secret.txt"), "w") as f:
        f.write("secret")
    in_fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        code, e = run_with_stdio([cli, "stdin-dir"], in_fd, subprocess.PIPE)
    finally:
        os.close(in_fd)
    check("stdin directory: every path call refused", code == 0, f"(status {code}, stderr {e!r})")
    check("stdin directory: nothing created", sorted(os.listdir(d)) == ["secret.txt"],
          repr(os.listdir(d)))


def test_exits(cli, reactor):
    expect("exit 0", [cli, "exit", "0"], 0, out="")
    expect("exit 7", [cli, "exit", "7"], 7)
    expect("exit 300", [cli, "exit", "300"], 300 % 256)
    expect("raise SIGTERM", [cli, "raise", "15"], 128 + 15)
    expect("raise SIGCHLD", [cli, "raise", "16"], 0, out="raise gave 0\n")
    code, o, e = run([cli, "trap"])
    check("trap: status 134", code == 134, f"({code})")
    check("trap: message", "Thread 1 of process 1 failed with runtime error: unreachable" in e, e)
    order = [e.find(n) for n in ("trap_innermost", "trap_middle", "trap_outer", "main", "_start")]
    check("trap: backtrace with names, innermost first", all(i >= 0 for i in order) and order == sorted(order), e)
    expect("reactor --invoke", ["--invoke", "add", reactor, "2", "3"], 0, out="105\n")
    expect("reactor --invoke=", ["--invoke=greet", reactor], 0, out="hello from a reactor\n")
    expect("--invoke bad argument", ["--invoke", "add", reactor, "2", "x"], 2, one_line_err=True)


def main():
    global SPINDLE, GUESTS, WORK
    SPINDLE, GUESTS, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    cli = os.path.join(GUESTS, "wasi_cli.wasm")
    reactor = os.path.join(GUESTS, "wasi_reactor.wasm")
    test_errors(cli)
    test_guest_view(cli)
    test_exits(cli, reactor)
    test_stdio_files(cli)
    test_stdin_dir(cli)
    test_stdio_isatty(cli)
    test_stdio_nonblock(cli)
    test_limits()
    test_table_limits()
    test_instantiation_traps()
    test_hostile_names()
    print(f"run_cli_test: {'ok' if failures == 0 else 'FAILED'} ({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
