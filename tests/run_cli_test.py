#!/usr/bin/env python3
"""Checks `spindle run`: options, the guest's view (argv, environment,
preopened directories), exit statuses and error lines.

Usage: run_cli_test.py SPINDLE GUEST_DIR WORK_DIR
GUEST_DIR holds wasi_cli.wasm and wasi_reactor.wasm (tests/guests). Prints
one line per failed check and a summary; exits 1 when a check failed.
"""
import os
import shutil
import subprocess
import sys
import time

failures = 0


def run(args, env=None, stdin=b""):
    p = subprocess.run([SPINDLE, "run"] + args, input=stdin, capture_output=True, timeout=60,
                       env=env if env is not None else {"PATH": "/usr/bin:/bin"})
    return p.returncode, p.stdout.decode(), p.stderr.decode()


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


def section(sid, items):
    """A section: id, size, count, then the items (each bytes)."""
    body = bytes([len(items)]) + b"".join(items)
    return bytes([sid, len(body)]) + body


def name(text):
    return bytes([len(text)]) + text


def code(body):
    """A function body without locals, `end` added."""
    body = b"\0" + body + b"\x0b"
    return bytes([len(body)]) + body


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


def test_limits():
    """--max-memory and --timeout (--max-threads is covered by test_wasix_thread_limits)."""
    paths = {}
    for key, data in (("spin", module_spin()), ("mem1", module_memory(1)), ("mem10", module_memory(10))):
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
    code_, o, _ = run(["--help"])
    check("--help: limits", all(x in o for x in ("--max-memory", "--timeout", "124")), o)


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
    test_limits()
    print(f"run_cli_test: {'ok' if failures == 0 else 'FAILED'} ({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
