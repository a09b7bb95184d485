#!/usr/bin/env python3
"""Runs the WASI preview1 conformance suite (WebAssembly/wasi-testsuite, its
prebuilt wasm32-wasip1 binaries) against a runtime's command line.

A test is X.wasm with an optional X.json next to it:
  args      program arguments after the module        (default [])
  env       the guest's whole environment             (default {})
  root      directory, relative to the .json, preopened as the guest's "/"
  exit_code expected exit status                      (default 0)
  stdout, stderr   if present, the stream must START with this text
Each test runs on its own copy of its suite's fixture directories (tests
write scratch files), with a timeout (5 s by default, as upstream's runner),
stdin a pipe that is closed at once (upstream closes it when it waits for the
exit) and stdout/stderr captured. Files named *.cleanup under the root are
removed before and after a test.

The runtime is invoked as
  RUNTIME... [--env K=V]... [--dir ROOT::/] -- X.wasm ARGS...
which is `spindle run`'s syntax; tests/wasi_testsuite_node.mjs accepts the
same arguments for Node's node:wasi, to measure it on the same machine.

Usage:
  wasi_testsuite.py --suite DIR --work DIR [--timeout S] [--only NAME]... -- RUNTIME...
NAME is LANG/TEST, e.g. rust/fd_readdir. Prints one line per test and a
summary "passed N/M"; exits 1 when a test failed.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

SUITES = ("c", "rust", "assemblyscript")


def find_tests(suite_root):
    """Yields (lang, name, wasm_path) for every test of the suite, sorted."""
    for lang in SUITES:
        d = os.path.join(suite_root, "tests", lang, "testsuite", "wasm32-wasip1")
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(".wasm"):
                yield lang, f[: -len(".wasm")], os.path.join(d, f)


def load_spec(wasm_path):
    spec_path = wasm_path[: -len(".wasm")] + ".json"
    spec = {}
    if os.path.exists(spec_path):
        with open(spec_path, encoding="utf-8") as f:
            spec = json.load(f)
    return spec


def remove_cleanup(root):
    """Deletes every *.cleanup file, link or directory under root."""
    for dirpath, dirnames, filenames in os.walk(root, topdown=True):
        for name in list(dirnames):
            if name.endswith(".cleanup"):
                p = os.path.join(dirpath, name)
                if os.path.islink(p):
                    os.unlink(p)
                else:
                    shutil.rmtree(p, ignore_errors=True)
                dirnames.remove(name)
        for name in filenames:
            if name.endswith(".cleanup"):
                os.unlink(os.path.join(dirpath, name))


def prepare_root(spec, wasm_path, work):
    """Copies the test's root directory into work and returns the copy."""
    if not spec.get("root"):
        return None
    src = os.path.join(os.path.dirname(wasm_path), spec["root"])
    dst = os.path.join(work, os.path.basename(os.path.normpath(src)))
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)
    return dst


def run_one(runtime, lang, name, wasm_path, work_root, timeout):
    """Runs one test; returns (passed, reason)."""
    spec = load_spec(wasm_path)
    work = os.path.join(work_root, lang, name)
    os.makedirs(work, exist_ok=True)
    root = prepare_root(spec, wasm_path, work)
    cmd = list(runtime)
    for k, v in spec.get("env", {}).items():
        cmd += ["--env", f"{k}={v}"]
    if root:
        remove_cleanup(root)
        cmd += ["--dir", f"{root}::/"]
    cmd += ["--", wasm_path] + [str(a) for a in spec.get("args", [])]
    try:
        p = subprocess.run(cmd, stdin=subprocess.PIPE, capture_output=True, timeout=timeout,
                           env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    except subprocess.TimeoutExpired:
        return False, f"timed out after {timeout} s"
    finally:
        if root:
            remove_cleanup(root)
    want = spec.get("exit_code", 0)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode != want:
        tail = (err.strip().splitlines() or [""])[-1][:200]
        return False, f"exit status {p.returncode}, expected {want}; stderr: {tail}"
    for stream, text in (("stdout", out), ("stderr", err)):
        if stream in spec and not text.startswith(spec[stream]):
            return False, f"{stream} {text[:80]!r} does not start with {spec[stream][:80]!r}"
    return True, ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", required=True, help="the wasi-testsuite directory")
    ap.add_argument("--work", required=True, help="scratch directory for the fixture copies")
    ap.add_argument("--timeout", type=float, default=5.0)
    ap.add_argument("--only", action="append", default=[], help="LANG/TEST to run (repeatable)")
    ap.add_argument("runtime", nargs="+", help="the runtime command, e.g. spindle run")
    a = ap.parse_args()

    tests = [t for t in find_tests(a.suite) if not a.only or f"{t[0]}/{t[1]}" in a.only]
    if not tests:
        print("no tests found (check --suite and --only)")
        return 1
    passed = 0
    for lang, name, wasm in tests:
        ok, why = run_one(a.runtime, lang, name, wasm, a.work, a.timeout)
        passed += ok
        print(f"{'PASS' if ok else 'FAIL'} {lang}/{name}{'' if ok else ': ' + why}")
    print(f"passed {passed}/{len(tests)}")
    return 0 if passed == len(tests) else 1


if __name__ == "__main__":
    sys.exit(main())
