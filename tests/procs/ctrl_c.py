#!/usr/bin/env python3
"""Ctrl-C on a terminal reaches a WASIX guest: runs `spindle run sigint.wasm MODE` with a
pseudo-terminal as its controlling terminal (stdin, stdout, stderr; a session of its own,
so the terminal's ^C signals its foreground process group), waits for the guest's "ready",
writes ^C (0x03) to the terminal and checks the output and the exit status.

Modes (tests/guests/threads/sigint.c): handler (the guest's SIGINT handler runs: "got INT",
status 0), default (no handler: SIGINT's default action ends the guest with Wasmer's code
for it, 27 = Intr), ignored (spindle is started with SIGINT ignored, as a shell starts a
background job: the guest is told so by proc_signals_get and survives the ^C, status 0).

Usage: ctrl_c.py SPINDLE SIGINT_WASM MODE
"""
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time

EXPECT = {
    "handler": ("got INT", 0),
    "default": (None, 27),
    "ignored": ("survived", 0),
}


def read_until(fd, text, deadline):
    """Reads the terminal until `text` appears or the deadline passes; returns all read."""
    out = b""
    while time.monotonic() < deadline and text.encode() not in out:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out.decode(errors="replace")


def main():
    spindle, wasm, mode = sys.argv[1:4]
    want_text, want_status = EXPECT[mode]
    master, slave = os.openpty()

    def child_setup():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        if mode == "ignored":
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        else:
            signal.signal(signal.SIGINT, signal.SIG_DFL)

    proc = subprocess.Popen([spindle, "run", "--timeout", "30", wasm, mode], stdin=slave,
                            stdout=slave, stderr=slave, preexec_fn=child_setup, close_fds=True)
    os.close(slave)
    deadline = time.monotonic() + 30
    out = read_until(master, "ready", deadline)
    if "ready" not in out:
        proc.kill()
        print(f"no 'ready' from the guest: {out!r}")
        return 1
    time.sleep(0.2)   # the guest is spinning now
    os.write(master, b"\x03")
    if want_text:
        out += read_until(master, want_text, deadline)
    try:
        status = proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        print(f"the guest did not end after ^C: {out!r}")
        return 1
    os.close(master)
    ok = status == want_status and (want_text is None or want_text in out)
    print(f"mode {mode}: status {status} (want {want_status}), output {out!r}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
