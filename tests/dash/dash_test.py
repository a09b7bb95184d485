#!/usr/bin/env python3
"""Runs one dash script of ours (tests/dash/NAME.sh) through `spindle run` and compares
the whole stdout and the exit status with NAME.out and the script's `# exit: N` line.

The guest's "/" is a scratch directory made afresh (WORK/NAME) holding the guest /bin
programs (GUESTFS_DIR/bin/*), dash itself as /bin/sh (Wasmer's dash.wasm: a WASIX program
that forks, execs, pipes and longjmps) and an empty /tmp. The script is dash's stdin.
A script line `# mount: /GUEST` adds an empty host directory (WORK/NAME.mounts/GUEST,
outside the root) as a second preopen at /GUEST; `# host-file: /GUEST/PATH` then says
that file must exist in that host directory after the run (so writes went to the mount).

Usage: dash_test.py SPINDLE DASH_WASM GUESTFS_DIR WORK_DIR NAME
NAME may instead be the path of a .json in wasi-testsuite's operation form (`run` with
args, `write` to stdin, `read` of stdout, `wait` for the exit code), as
../shared/conformance/wasix/dash.json: its writes are the script, its reads the output.
A script with a `# module cache: N decoded, M reused` line runs with the cache's debug
variable set and must report exactly those counts on stderr (every exec of the tree).
Prints what differs and exits 1 on a mismatch; exits 0 when all is as expected.
"""
import json
import os
import shutil
import subprocess
import sys


def make_root(dash, guestfs, work):
    """WORK with bin/ (our programs + sh) and tmp/; returns its path."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(os.path.join(guestfs, "bin"), os.path.join(work, "bin"))
    shutil.copy(dash, os.path.join(work, "bin", "sh"))
    os.makedirs(os.path.join(work, "tmp"))
    return work


def expected_status(script):
    """The N of the script's `# exit: N` line (0 when there is none)."""
    for line in script.splitlines():
        if line.startswith("# exit:"):
            return int(line.split(":", 1)[1])
    return 0


def expected_cache(script):
    """The `spindle: module cache: ...` line the script expects on stderr, or None."""
    for line in script.splitlines():
        if line.startswith("# module cache:"):
            return "spindle: " + line[2:].strip()
    return None


def load_case(name):
    """(label, script bytes, expected stdout bytes, expected status) of a case."""
    if name.endswith(".json"):
        with open(name) as f:
            ops = json.load(f)["operations"]
        script = "".join(o["payload"] for o in ops if o["type"] == "write").encode()
        want = "".join(o["payload"] for o in ops if o["type"] == "read").encode()
        status = next((o["exit_code"] for o in ops if o["type"] == "wait"), 0)
        return os.path.basename(name)[:-5], script, want, status
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, name + ".sh"), "rb") as f:
        script = f.read()
    with open(os.path.join(here, name + ".out"), "rb") as f:
        want = f.read()
    return name, script, want, expected_status(script.decode())


def script_lines(script, key):
    """The values of the script's `# KEY: VALUE` lines."""
    prefix = "# " + key + ":"
    return [l[len(prefix):].strip() for l in script.decode().splitlines() if l.startswith(prefix)]


def make_mounts(script, mounts_dir):
    """--dir options for the script's `# mount:` lines, each an empty host directory."""
    shutil.rmtree(mounts_dir, ignore_errors=True)
    opts = []
    for guest in script_lines(script, "mount"):
        host = os.path.join(mounts_dir, guest.strip("/"))
        os.makedirs(host)
        opts += ["--dir", host + "::" + guest]
    return opts


def missing_host_files(script, mounts_dir):
    """The script's `# host-file:` paths that are not in the mounts' host directories."""
    return [f for f in script_lines(script, "host-file")
            if not os.path.isfile(os.path.join(mounts_dir, f.strip("/")))]


def main():
    spindle, dash, guestfs, work, case = sys.argv[1:6]
    name, script, want, status = load_case(case)
    cache = None if case.endswith(".json") else expected_cache(script.decode())
    root = make_root(dash, guestfs, os.path.join(work, name))
    mounts_dir = os.path.join(work, name + ".mounts")
    cmd = [spindle, "run", "--timeout", "100", "--dir", root + "::/"]
    cmd += make_mounts(script, mounts_dir) + [dash]
    try:
        env = {k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")}
        env["PATH"] = "/usr/bin:/bin"   # the sanitizers' options pass, nothing else
        if cache:
            env["SPINDLE_DEBUG_MODULE_CACHE"] = "1"
        p = subprocess.run(cmd, input=script, capture_output=True, timeout=120, env=env)
    except subprocess.TimeoutExpired:
        print(f"{name}: killed after 120 s")
        return 1
    missing = missing_host_files(script, mounts_dir)
    cache_ok = cache is None or cache in p.stderr.decode(errors="replace").splitlines()
    if not cache_ok:
        print(f"{name}: expected `{cache}` on stderr")
    if p.returncode == status and p.stdout == want and not missing and cache_ok:
        print(f"{name}: ok")
        return 0
    print(f"{name}: exit {p.returncode} (expected {status})")
    for f in missing:
        print(f"{name}: {f} is not in its mount's host directory")
    print("--- stdout ---\n" + p.stdout.decode(errors="replace"))
    print("--- expected ---\n" + want.decode(errors="replace"))
    print("--- stderr ---\n" + p.stderr.decode(errors="replace"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
