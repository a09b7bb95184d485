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
    print(f"run_cli_test: {'ok' if failures == 0 else 'FAILED'} ({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
