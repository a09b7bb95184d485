#!/usr/bin/env python3
"""net_test.py - drives the networking tests of tests/net.cmake: starts
`spindle run` with a server guest, talks to it over loopback from the host
(sockets, curl, wrk), and checks what the guest printed and how it ended.

Usage: net_test.py CASE SPINDLE GUEST_DIR CONFORMANCE_DIR

Every case talks to 127.0.0.1 / ::1 only, picks free ports itself (a port
the OS hands out for port 0), and is bounded in time: each wait has a
deadline and the server is killed at the end. Exit 0 = pass, 77 = skipped
(a host tool such as curl or wrk is missing), anything else = fail.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time

SKIP = 77


class Fail(Exception):
    pass


def free_port():
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `spindle run` child whose stdout is collected line by line."""

    def __init__(self, spindle, args):
        self.proc = subprocess.Popen([spindle, "run"] + args, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.cond = threading.Condition()
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, pattern, timeout=10):
        """The first match of regex pattern in the output, waiting for it."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = re.search(pattern, line)
                    if m:
                        return m
                left = deadline - time.monotonic()
                if left <= 0 or not self.pump.is_alive():
                    raise Fail("no line /%s/ in %r (stderr: %s)" % (pattern, self.lines, self.stderr()))
                self.cond.wait(min(left, 0.1))

    def stderr(self):
        if self.proc.poll() is None:
            return "(running)"
        return self.proc.stderr.read()

    def finish(self, timeout=10):
        """Waits for the exit status."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Fail("server did not end within %s s" % timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def cpu_seconds(self):
        """User + system CPU time of the process so far (Linux /proc)."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def open_fds(self):
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))


def connect(port, host="127.0.0.1", timeout=5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection((host, port), timeout=timeout)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def echo_once(port, payload):
    with connect(port) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    if got != payload:
        raise Fail("echo: sent %d bytes, got %d back" % (len(payload), len(got)))


def http_get(port, keep):
    """Sends one GET on socket keep (a dict holding it) and reads the reply."""
    if "sock" not in keep:
        keep["sock"] = connect(port)
    s = keep["sock"]
    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    while not data.endswith(b"\r\n\r\nok"):
        chunk = s.recv(4096)
        if not chunk:
            raise Fail("connection closed mid-response: %r" % data)
        data += chunk
    if not data.startswith(b"HTTP/1.1 200 OK"):
        raise Fail("bad reply %r" % data)


def need(tool):
    if shutil.which(tool) is None:
        print("skipped: %s is not installed" % tool)
        sys.exit(SKIP)


def run_wrk(url, seconds=2, connections=8, threads=2, closes=False):
    """wrk against url; fails on no requests, non-2xx replies or socket
    errors. closes: the server closes each connection after its reply,
    which wrk counts as read errors (allowed then; the others are not)."""
    out = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds,
                          "--timeout", "2s", url],
                         capture_output=True, text=True, timeout=seconds + 20).stdout
    m = re.search(r"(\d+) requests in", out)
    if not m or int(m.group(1)) == 0:
        raise Fail("wrk made no requests:\n" + out)
    bad = r"(connect|write|timeout) [1-9]" if closes else r"(connect|read|write|timeout) [1-9]"
    if "Non-2xx" in out or re.search(r"Socket errors:.*" + bad, out):
        raise Fail("wrk saw errors:\n" + out)
    print("wrk: %s requests in %d s" % (m.group(1), seconds))


# ------------------------------------------------------------------ cases

def case_tcp_listener(sp, guests, conf):
    """Wasmer's example-tcp-listener (127.0.0.1:7878 in the binary) through
    --publish to a free port: each connection is reported."""
    port = free_port()
    srv = Server(sp, ["--publish", "%d:7878" % port, os.path.join(conf, "example-tcp-listener.wasm")])
    try:
        srv.wait_line(r"^Listening on 127\.0\.0\.1:7878$")
        for _ in range(3):
            connect(port).close()
        deadline = time.monotonic() + 10
        while sum(l == "Connection established!" for l in srv.lines) < 3:
            if time.monotonic() > deadline:
                raise Fail("connections not reported: %r" % srv.lines)
            time.sleep(0.05)
    finally:
        srv.kill()


def case_http_ok(sp, guests, conf):
    """Wasmer's example-http-ok ([::]:80) through --publish: curl and wrk."""
    need("curl")
    need("wrk")
    port = free_port()
    srv = Server(sp, ["--publish", "%d:80" % port, os.path.join(conf, "example-http-ok.wasm")])
    try:
        srv.wait_line(r"Listening on \[::\]:80")
        for url in ["http://127.0.0.1:%d/" % port, "http://[::1]:%d/" % port]:
            code = subprocess.run(["curl", "-g", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                                   "-m", "5", url], capture_output=True, text=True, timeout=10).stdout
            if code != "200":
                raise Fail("curl %s: status %r" % (url, code))
        run_wrk("http://127.0.0.1:%d/" % port, closes=True)
        code = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "5",
                               "http://127.0.0.1:%d/" % port], capture_output=True, text=True,
                              timeout=10).stdout
        if code != "200":
            raise Fail("after wrk: status %r" % code)
    finally:
        srv.kill()


def case_echo(sp, guests, conf):
    """Our echo server guest: host clients, then our echo client guest."""
    srv = Server(sp, ["--net", "allow=127.0.0.1:*", os.path.join(guests, "echo_server.wasm"), "0", "3"])
    try:
        port = int(srv.wait_line(r"^PORT (\d+)$").group(1))
        echo_once(port, b"hello")
        echo_once(port, os.urandom(300000))
        cli = subprocess.run([sp, "run", "--net", "allow=connect:127.0.0.1:*",
                              os.path.join(guests, "echo_client.wasm"), str(port), "hi-there"],
                             capture_output=True, text=True, timeout=20)
        if cli.returncode != 0 or "ECHO hi-there" not in cli.stdout:
            raise Fail("echo_client: %d %r %r" % (cli.returncode, cli.stdout, cli.stderr))
        if srv.finish() != 0 or "DONE" not in srv.lines:
            raise Fail("echo_server: %r %s" % (srv.lines, srv.stderr()))
    finally:
        srv.kill()


def case_echo_publish(sp, guests, conf):
    """--publish HOST:GUEST: the guest binds GUEST, says GUEST, is reached on
    HOST. --publish does not narrow a bare --net (a client still connects);
    --publish alone allows nothing else (a connect is Perm, 63)."""
    host, guest = free_port(), 4321
    srv = Server(sp, ["--publish", "%d:%d" % (host, guest), os.path.join(guests, "echo_server.wasm"),
                      str(guest), "2"])
    client = os.path.join(guests, "echo_client.wasm")
    try:
        srv.wait_line(r"^PORT %d$" % guest)
        echo_once(host, b"published")
        cli = subprocess.run([sp, "run", "--net", "--publish", "1:9999", client, str(host), "both"],
                             capture_output=True, text=True, timeout=20)
        if cli.returncode != 0 or "ECHO both" not in cli.stdout:
            raise Fail("--net --publish client: %d %r %r" % (cli.returncode, cli.stdout, cli.stderr))
        cli = subprocess.run([sp, "run", "--publish", "1:9999", client, str(host), "x"],
                             capture_output=True, text=True, timeout=20)
        if cli.returncode != 4 or "FAIL sock_connect errno=63" not in cli.stdout:
            raise Fail("--publish alone let a connect through: %d %r" % (cli.returncode, cli.stdout))
        if srv.finish() != 0:
            raise Fail("echo_server: %s" % srv.stderr())
    finally:
        srv.kill()


def host_echo_server():
    """A host echo server thread on a free port; returns the port."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    ls.settimeout(20)

    def serve():
        with ls:
            conn, _ = ls.accept()
            with conn:
                while True:
                    data = conn.recv(4096)
                    if not data:
                        break
                    conn.sendall(data)
    threading.Thread(target=serve, daemon=True).start()
    return ls.getsockname()[1]


def case_client_host(sp, guests, conf):
    """Our client guest against a server the test runs on the host."""
    port = host_echo_server()
    cli = subprocess.run([sp, "run", "--net", "allow=connect:127.0.0.1:%d" % port,
                          os.path.join(guests, "echo_client.wasm"), str(port), "from-the-guest"],
                         capture_output=True, text=True, timeout=20)
    if cli.returncode != 0 or "ECHO from-the-guest" not in cli.stdout:
        raise Fail("echo_client: %d %r %r" % (cli.returncode, cli.stdout, cli.stderr))
    # The same connection refused by a connect-only rule for another port: Perm (63).
    cli = subprocess.run([sp, "run", "--net", "allow=connect:127.0.0.1:1",
                          os.path.join(guests, "echo_client.wasm"), str(port), "x"],
                         capture_output=True, text=True, timeout=20)
    if cli.returncode != 4 or "FAIL sock_connect errno=63" not in cli.stdout:
        raise Fail("policy did not refuse: %d %r" % (cli.returncode, cli.stdout))


def case_keepalive(sp, guests, conf):
    """Our epoll HTTP server: many requests on one connection, curl reusing
    its connection, wrk, then /quit ends it with 0."""
    srv = Server(sp, ["--net", "allow=127.0.0.1:*", os.path.join(guests, "http_server.wasm"), "0"])
    try:
        port = int(srv.wait_line(r"^PORT (\d+)$").group(1))
        keep = {}
        for _ in range(200):
            http_get(port, keep)
        keep["sock"].close()
        if shutil.which("curl"):
            url = "http://127.0.0.1:%d/" % port
            out = subprocess.run(["curl", "-sv", "-m", "5", url, url], capture_output=True, text=True,
                                 timeout=10)
            if out.stdout != "okok" or "Re-using existing connection" not in out.stderr:
                raise Fail("curl keep-alive: %r %r" % (out.stdout, out.stderr[-500:]))
        if shutil.which("wrk"):
            run_wrk("http://127.0.0.1:%d/" % port)
        with connect(port) as s:
            s.sendall(b"GET /quit HTTP/1.1\r\n\r\n")
            s.recv(4096)
        if srv.finish() != 0:
            raise Fail("http_server did not end with 0: %s" % srv.stderr())
    finally:
        srv.kill()


def case_idle(sp, guests, conf):
    """An idle server (blocked in epoll_wait, another in accept) uses no CPU,
    and the process timeout still ends a guest blocked in accept."""
    srv = Server(sp, ["--net", "allow=127.0.0.1:*", os.path.join(guests, "http_server.wasm"), "0"])
    try:
        srv.wait_line(r"^PORT (\d+)$")
        time.sleep(0.5)
        before = srv.cpu_seconds()
        time.sleep(1.5)
        used = srv.cpu_seconds() - before
        if used > 0.05:
            raise Fail("idle server used %.3f s of CPU in 1.5 s" % used)
    finally:
        srv.kill()
    start = time.monotonic()
    srv = Server(sp, ["--timeout", "1", "--net", "allow=127.0.0.1:*",
                      os.path.join(guests, "echo_server.wasm"), "0", "0"])
    try:
        status = srv.finish(timeout=10)
        took = time.monotonic() - start
        if status != 124 or took > 5:
            raise Fail("blocked accept: status %d after %.1f s" % (status, took))
    finally:
        srv.kill()


def case_robust(sp, guests, conf):
    """10,000 connections opened and closed, clients that reset mid-response
    or send a byte at a time: afterwards no more host descriptors than
    before and the server still answers."""
    srv = Server(sp, ["--net", "allow=127.0.0.1:*", os.path.join(guests, "http_server.wasm"), "0"])
    try:
        port = int(srv.wait_line(r"^PORT (\d+)$").group(1))
        http_get(port, {})
        time.sleep(0.3)
        fds_before = srv.open_fds()
        for i in range(10000):
            s = connect(port)
            if i % 100 == 0:   # some send a request and reset at once
                s.sendall(b"GET / HTTP/1.1\r\n\r\n")
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.close()
        # Once this request is answered the server has accepted every connection
        # queued before it: the slow client below is not left in an overflowing
        # accept queue (whose connections the kernel may reset under a slow,
        # sanitized build).
        http_get(port, {})
        slow = connect(port)
        for b in b"GET / HTTP/1.1\r\n\r\n":
            slow.send(bytes([b]))
            time.sleep(0.01)
        if not slow.recv(4096).startswith(b"HTTP/1.1 200 OK"):
            raise Fail("slow client got no answer")
        slow.close()
        keep = {}
        http_get(port, keep)
        keep["sock"].close()
        deadline = time.monotonic() + 10
        while srv.open_fds() > fds_before:
            if time.monotonic() > deadline:
                raise Fail("descriptors: %d before, %d after" % (fds_before, srv.open_fds()))
            http_get(port, {})
            time.sleep(0.1)
    finally:
        srv.kill()


def run_guest(sp, args, want, timeout=20):
    """Runs a guest to its end; fails unless it exits 0 printing `want`."""
    res = subprocess.run([sp, "run"] + args, capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0 or want not in res.stdout:
        raise Fail("%r: %d %r %r" % (args, res.returncode, res.stdout, res.stderr))
    return res


def case_unix_path(sp, guests, conf):
    """Unix sockets by guest path, without --net: a guest server and a guest
    client (two processes) meet at /data/s.sock in a --dir; sock_addr_*
    report the path; a datagram reaches a bound path; paths outside the
    preopen, through a symlinked directory or a symlink to a host socket
    outside, are refused (ENOTCAPABLE), and the host socket outside never
    sees a connection nor gets a new file next to it."""
    import tempfile
    wasm = os.path.join(guests, "unix_path.wasm")
    with tempfile.TemporaryDirectory() as top:
        inside, outside = os.path.join(top, "in"), os.path.join(top, "out")
        os.mkdir(inside)
        os.mkdir(outside)
        host = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        host.bind(os.path.join(outside, "h.sock"))
        host.listen(4)
        host.setblocking(False)
        os.symlink("../out", os.path.join(inside, "od"))          # a directory outside
        os.symlink("../out/h.sock", os.path.join(inside, "hl"))   # the host socket outside
        os.symlink(os.path.join(outside, "h.sock"), os.path.join(inside, "al"))
        d = ["--dir", inside + "::/data"]
        srv = Server(sp, d + [wasm, "serve", "/data/s.sock"])
        try:
            srv.wait_line(r"^LISTENING$")
            if not os.path.exists(os.path.join(inside, "s.sock")):
                raise Fail("no socket file in the --dir")
            run_guest(sp, d + [wasm, "client", "/data/s.sock"], "CLIENT OK")
            if srv.finish() != 0 or "SERVED" not in srv.lines:
                raise Fail("server: %r %s" % (srv.lines, srv.stderr()))
        finally:
            srv.kill()
        # A relative path from the current directory (/data when --dir ::/ too).
        run_guest(sp, ["--dir", inside + "::/", wasm, "dgram", "d.sock"], "DGRAM OK")
        if not os.path.exists(os.path.join(inside, "d.sock")):
            raise Fail("relative bind not in the --dir")
        run_guest(sp, d + [wasm, "refuse", "/etc/x.sock", "/data/od/x.sock", "/data/hl",
                           "/data/../h.sock", "/dev/null"], "REFUSED OK")
        # An absolute link restarts at the preopen's root: not found there.
        res = subprocess.run([sp, "run"] + d + [wasm, "client", "/data/al"],
                             capture_output=True, text=True, timeout=20)
        if res.returncode != 31 or "errno=44" not in res.stdout:
            raise Fail("absolute link: %d %r" % (res.returncode, res.stdout))
        try:
            host.accept()
            raise Fail("the host socket outside the preopen was reached")
        except BlockingIOError:
            pass
        if sorted(os.listdir(outside)) != ["h.sock"]:
            raise Fail("a file appeared outside the preopen: %r" % os.listdir(outside))
        host.close()


def case_resolve_intr(sp, guests, conf):
    """A lookup the host resolver never answers (resolve_hang.so, preloaded,
    blocks getaddrinfo for hang.spindle.test) does not hold the process: a
    host SIGINT ends it (the default action, status 27), --timeout ends it
    (124), and with a handler a host SIGUSR1 makes resolve return Intr. A
    real lookup (localhost) still works through the same worker."""
    import signal
    shim = os.path.join(guests, "resolve_hang.so")
    env = dict(os.environ, LD_PRELOAD=shim)
    # A sanitized spindle: its runtime is then not first in the library list.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    wasm = os.path.join(guests, "resolve_intr.wasm")
    name = "hang.spindle.test"

    def started(args):
        p = subprocess.Popen([sp, "run", "--net"] + args, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        line = p.stdout.readline()
        if line.strip() != "RESOLVING":
            p.kill()
            raise Fail("%r: first line %r" % (args, line))
        time.sleep(0.3)   # well inside the lookup
        return p

    def ended(p, want, what):
        try:
            out, err = p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            raise Fail("%s: the process did not end while resolving" % what)
        if p.returncode != want:
            raise Fail("%s: status %d (want %d) %r %r" % (what, p.returncode, want, out, err))
        return out

    p = started([wasm, "plain", name])
    p.send_signal(signal.SIGINT)
    ended(p, 27, "SIGINT")
    t0 = time.monotonic()
    p = started(["--timeout", "1", wasm, "plain", name])
    ended(p, 124, "--timeout")
    if time.monotonic() - t0 > 4:
        raise Fail("--timeout took %.1f s" % (time.monotonic() - t0))
    p = started([wasm, "handler", name])
    p.send_signal(signal.SIGUSR1)
    out = ended(p, 0, "SIGUSR1 with a handler")
    if "EINTR OK" not in out:
        raise Fail("handler case: %r" % out)
    res = subprocess.run([sp, "run", "--net", os.path.join(guests, "resolve.wasm"), "localhost"],
                         capture_output=True, text=True, timeout=20, env=env)
    if res.returncode != 0 or "ADDR" not in res.stdout:
        raise Fail("localhost through the preloaded resolver: %r %r" % (res.stdout, res.stderr))


CASES = {
    "tcp_listener": case_tcp_listener, "http_ok": case_http_ok, "echo": case_echo,
    "echo_publish": case_echo_publish, "client_host": case_client_host,
    "keepalive": case_keepalive, "idle": case_idle, "robust": case_robust,
    "unix_path": case_unix_path, "resolve_intr": case_resolve_intr,
}


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in CASES:
        print(__doc__)
        return 2
    try:
        CASES[sys.argv[1]](sys.argv[2], sys.argv[3], sys.argv[4])
    except Fail as e:
        print("FAIL:", e)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
