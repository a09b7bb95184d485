#!/usr/bin/env python3
"""The whole process tree ends with its root: dash (as in dash_test.py) starts two
children, a subshell spinning in the background and one blocked in `read` on the
(still open) stdin; once both run, the root `spindle run` is killed with SIGKILL, and
within 10 s no process of the tree may be left alive (the lifeline, src/os/os_proc.c:
the kernel kills each child when the root's end of the pipe closes).

Usage: lifeline_test.py SPINDLE DASH_WASM GUESTFS_DIR WORK_DIR
"""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dash_test import make_root  # noqa: E402


def children(pid):
    """The PIDs whose parent is pid (from /proc)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(name))
    return out


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    spindle, dash, guestfs, work = sys.argv[1:5]
    root = make_root(dash, guestfs, os.path.join(work, "lifeline"))
    cmd = [spindle, "run", "--dir", root + "::/", dash]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    p.stdin.write(b"( while :; do :; done ) &\n( read x; echo \"got $x\" )\n")
    p.stdin.flush()   # left open: the second subshell waits on it
    tree = []
    deadline = time.monotonic() + 30
    while len(tree) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
        tree = [c for c in children(p.pid) if alive(c)]
    time.sleep(0.5)
    if len(tree) < 2 or not all(alive(c) for c in tree):
        p.kill()
        for c in tree:
            os.kill(c, signal.SIGKILL)
        print(f"the tree did not start two lasting children (saw {tree})")
        return 1
    p.send_signal(signal.SIGKILL)
    p.wait()
    p.stdin.close()
    deadline = time.monotonic() + 10
    while any(alive(c) for c in tree) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [c for c in tree if alive(c)]
    if left:
        for c in left:
            os.kill(c, signal.SIGKILL)
        print(f"processes outlived the root: {left}")
        return 1
    print(f"lifeline: {len(tree)} children ended with the root")
    return 0


if __name__ == "__main__":
    sys.exit(main())
