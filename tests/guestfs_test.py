#!/usr/bin/env python3
"""Checks one guest /bin program (tests/guestfs/NAME.c) through `spindle run`:
exact stdout and exit status for each case, with a scratch directory
preopened as the guest's "/" (WORK/NAME, made afresh) holding:

    /top.txt        "a\\nb\\nc\\n"
    /sub/f.txt      "one\\ntwo three\\nfour\\n"

Usage: guestfs_test.py SPINDLE GUESTFS_DIR CD_RUN_WASM WORK_DIR NAME
CD_RUN_WASM is the test driver (tests/guestfs/cd_run.c) that chdirs, then
runs cat, pwd or ls in the same process. Prints one line per failed check
and a summary; exits 1 when a check failed.
"""
import os
import shutil
import subprocess
import sys
import time

failures = 0


def run(args, stdin=b"", root=True, limit=60):
    """spindle run [--dir WORK::/] ARGS: (status, stdout, stderr)."""
    cmd = [SPINDLE, "run"] + (["--dir", ROOT + "::/"] if root else []) + args
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=limit,
                           env={"PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        return -1, "", "(killed after %d s)" % limit
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def expect(name, args, status, out=None, err_has=None, **kw):
    """Runs a case and checks its status, whole stdout and a piece of stderr."""
    global failures
    code, o, e = run(args, **kw)
    ok = code == status and (out is None or o == out) and (err_has is None or err_has in e)
    if not ok:
        failures += 1
        print(f"FAIL {name}: status {code} (want {status}), stdout {o!r} (want {out!r}), stderr {e!r}")


def prog(name):
    return os.path.join(GUESTFS, "bin", name)


def in_dir(directory, program, *args):
    """The driver's arguments: chdir to directory, then run program."""
    return [CD_RUN, directory, program] + list(args)


def check_echo():
    expect("echo words", [prog("echo"), "hello", "wasm", "world"], 0, "hello wasm world\n")
    expect("echo none", [prog("echo")], 0, "\n")
    expect("echo -n", [prog("echo"), "-n", "a", "b"], 0, "a b")


def check_cat():
    expect("cat files", [prog("cat"), "/top.txt", "sub/f.txt"], 0, "a\nb\nc\none\ntwo three\nfour\n")
    expect("cat stdin", [prog("cat")], 0, "piped\n", stdin=b"piped\n")
    expect("cat - between", [prog("cat"), "top.txt", "-"], 0, "a\nb\nc\nmid\n", stdin=b"mid\n")
    expect("cat missing", [prog("cat"), "nope", "top.txt"], 1, "a\nb\nc\n",
           err_has="cat: nope: No such file or directory")
    expect("cat /dev/null", [prog("cat"), "/dev/null"], 0, "")
    expect("cat /dev/stdin", [prog("cat"), "/dev/stdin"], 0, "via dev\n", stdin=b"via dev\n")
    expect("cat after chdir", in_dir("sub", "cat", "f.txt"), 0, "one\ntwo three\nfour\n")
    expect("cat .. after chdir", in_dir("/sub", "cat", "../top.txt"), 0, "a\nb\nc\n")
    expect("cat absolute after chdir", in_dir("sub", "cat", "/top.txt"), 0, "a\nb\nc\n")
    expect("cat after chdir /dev", in_dir("/dev", "cat", "null"), 0, "")
    expect("cat /dev/null and a file after chdir", in_dir("sub", "cat", "/dev/null", "f.txt"), 0,
           "one\ntwo three\nfour\n")
    expect("cat above the root", in_dir("sub", "cat", "../../top.txt"), 1, "",
           err_has="cat: ../../top.txt:")
    expect("cat old relative path after chdir", in_dir("sub", "cat", "top.txt"), 1, "",
           err_has="No such file or directory")


def check_wc():
    expect("wc all", [prog("wc"), "sub/f.txt"], 0, "3 4 19 sub/f.txt\n")
    expect("wc -l", [prog("wc"), "-l", "top.txt"], 0, "3 top.txt\n")
    expect("wc -w -c", [prog("wc"), "-w", "-c", "sub/f.txt"], 0, "4 19 sub/f.txt\n")
    expect("wc -lw", [prog("wc"), "-lw", "sub/f.txt"], 0, "3 4 sub/f.txt\n")
    expect("wc total", [prog("wc"), "-l", "top.txt", "sub/f.txt"], 0,
           "3 top.txt\n3 sub/f.txt\n6 total\n")
    expect("wc stdin", [prog("wc")], 0, "2 5 26\n", stdin=b"  one two\tthree\nfour five\n")
    expect("wc /dev/null", [prog("wc"), "-c", "/dev/null"], 0, "0 /dev/null\n")
    expect("wc bad option", [prog("wc"), "-q"], 2, "", err_has="usage")


def check_true():
    expect("true", [prog("true"), "ignored"], 0, "", root=False)


def check_false():
    expect("false", [prog("false"), "ignored"], 1, "", root=False)


def check_sleep():
    start = time.monotonic()
    expect("sleep 0.3", [prog("sleep"), "0.3"], 0, "", root=False)
    took = time.monotonic() - start
    if took < 0.3:
        global failures
        failures += 1
        print(f"FAIL sleep 0.3: took only {took:.3f} s")
    expect("sleep bad", [prog("sleep"), "x"], 2, "", err_has="invalid", root=False)


def check_env():
    expect("env", ["--env", "A=1", "--env", "B=two words", prog("env")], 0, "A=1\nB=two words\n")
    expect("env empty", [prog("env")], 0, "")
    expect("env command refused", [prog("env"), "true"], 125, "", err_has="not supported")


def check_pwd():
    expect("pwd at start", [prog("pwd")], 0, "/\n")
    expect("pwd after chdir", in_dir("sub", "pwd"), 0, "/sub\n")
    expect("pwd after chdir ..", in_dir("sub/..", "pwd"), 0, "/\n")
    expect("pwd after chdir /dev", in_dir("/dev", "pwd"), 0, "/dev\n")
    expect("chdir to a file", in_dir("top.txt", "pwd"), 1, "", err_has="cd_run: top.txt:")


def check_ls():
    expect("ls root", [prog("ls")], 0, "dev\nsub\ntop.txt\n")
    expect("ls -a", [prog("ls"), "-a", "sub"], 0, ".\n..\nf.txt\n")
    expect("ls file", [prog("ls"), "top.txt"], 0, "top.txt\n")
    expect("ls two", [prog("ls"), "/", "sub"], 0, "/:\ndev\nsub\ntop.txt\n\nsub:\nf.txt\n")
    expect("ls /dev", [prog("ls"), "/dev"], 0,
           "null\nrandom\nstderr\nstdin\nstdout\nurandom\nzero\n")
    expect("ls after chdir", in_dir("sub", "ls"), 0, "f.txt\n")
    expect("ls missing", [prog("ls"), "nope"], 1, "", err_has="ls: nope:")


def check_head():
    expect("head default", [prog("head"), "sub/f.txt"], 0, "one\ntwo three\nfour\n")
    expect("head -n 2", [prog("head"), "-n", "2", "sub/f.txt"], 0, "one\ntwo three\n")
    expect("head -1", [prog("head"), "-1", "top.txt"], 0, "a\n")
    expect("head two files", [prog("head"), "-n1", "top.txt", "sub/f.txt"], 0,
           "==> top.txt <==\na\n\n==> sub/f.txt <==\none\n")
    lines = b"".join(b"%d\n" % i for i in range(20))
    expect("head stdin", [prog("head")], 0, "".join(f"{i}\n" for i in range(10)), stdin=lines)


def check_printf():
    expect("printf reuse", [prog("printf"), "%s=%d\\n", "a", "1", "b", "2"], 0, "a=1\nb=2\n",
           root=False)
    expect("printf widths", [prog("printf"), "[%5s|%-3d|%x|%03o]", "hi", "7", "255", "8"], 0,
           "[   hi|7  |ff|010]", root=False)
    expect("printf escapes", [prog("printf"), "%b\\t%c%%\\n", "x\\ny", "zed"], 0, "x\ny\tz%\n",
           root=False)
    expect("printf missing args", [prog("printf"), "%s|%d\\n"], 0, "|0\n", root=False)


def check_test():
    cases = [(["1", "-lt", "2"], 0), (["3", "-le", "2"], 1), (["a", "=", "a"], 0),
             (["a", "!=", "a"], 1), ([""], 1), (["x"], 0), ([], 1), (["!", "x"], 1),
             (["-z", ""], 0), (["-n", ""], 1), (["-d", "sub"], 0), (["-f", "sub"], 1),
             (["-f", "top.txt"], 0), (["-e", "nope"], 1), (["-s", "top.txt"], 0),
             (["!", "1", "-eq", "2"], 0), (["(", "x", ")"], 0), (["1", "-eq", "x"], 2)]
    for args, status in cases:
        expect("test " + " ".join(args), [prog("test")] + args, status)
        expect("[ " + " ".join(args) + " ]", [prog("[")] + args + ["]"], status)
    expect("[ without ]", [prog("["), "x"], 2, err_has="missing ]")


def main():
    global SPINDLE, GUESTFS, CD_RUN, ROOT
    if len(sys.argv) != 6:
        print(__doc__)
        return 2
    SPINDLE, GUESTFS, CD_RUN, work, name = sys.argv[1:]
    ROOT = os.path.join(work, name)
    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(os.path.join(ROOT, "sub"))
    with open(os.path.join(ROOT, "top.txt"), "w") as f:
        f.write("a\nb\nc\n")
    with open(os.path.join(ROOT, "sub", "f.txt"), "w") as f:
        f.write("one\ntwo three\nfour\n")
    globals()["check_" + name]()
    print(f"guestfs.{name}: {'FAILED' if failures else 'ok'} ({failures} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
