/*
 * wasix_sock_unix.c - Unix-domain sockets bound and reached by guest path
 * (sock_bind, sock_connect and sock_send_to with an address of family 3),
 * and the Unix addresses the guest is shown.
 *
 * The path in a __wasi_addr_port_t (at most 16 bytes) is a guest path:
 * relative ones start at the guest's current directory, and the path is
 * resolved under the preopen holding it by the sandboxed resolver of the
 * file system view (wasi_path_guest_at: symbolic links never lead out, a
 * path in no preopen is ENOTCAPABLE). Policy: Unix sockets are local, so
 * they do not need --net; what a guest may bind or reach is what its
 * --dir preopens give it, as Wasmer lets its file system rules decide.
 * Abstract and unnamed (autobind) names live in the host's global
 * namespace, outside every preopen: refused with ENOTSUP.
 *
 * bind(2) and connect(2) have no *at form. The technique, safe against a
 * guest racing to swap directories or links:
 *   bind:    the parent directory is resolved to a host descriptor N and
 *            the socket is bound to "/proc/self/fd/N/<name>": the kernel
 *            reaches the directory through the descriptor (never by a
 *            path the guest could change) and creates <name> there without
 *            following a link (an existing name of any kind: EADDRINUSE).
 *   connect: the path is resolved with its last component followed by the
 *            sandboxed walk, the socket file itself is opened O_PATH |
 *            O_NOFOLLOW as descriptor M, checked to be a socket, and the
 *            connection is made to "/proc/self/fd/M": the file that was
 *            checked is the one reached.
 * Both strings fit sun_path's 108 bytes: "/proc/self/fd/" + at most 10
 * digits + "/" + the <=16-byte last component. Needs /proc mounted (else
 * the host's ENOENT comes back).
 *
 * The guest is shown the guest paths it used (sock_addr_local after bind,
 * sock_addr_peer after connect; an accepted socket's local address is its
 * listener's), never a host path: an address Spindle has no guest path for
 * (an accepted socket's peer, a datagram's sender) reads as unnamed.
 */
#include <errno.h>
#include <stdio.h>

#include "wasix_sock.h"


/* The guest path in a: its length, or 0 for an abstract or unnamed one. */
static size_t wasix_unix_path_len(const OsNetAddr *a)
{
    return a->path[0] ? strnlen(a->path, WASIX_ADDR_UNIX_BYTES) : 0;
}

/* Records guest path `path` as s's local or peer name (once; see WasixSock). */
static void wasix_unix_record(WasixSock *s, unsigned which, const char *path)
{
    if (!s || (atomic_load(&s->unix_named) & which)) return;
    char *dst = which == WASIX_UNIX_LOCAL ? s->unix_local : s->unix_peer;
    memcpy(dst, path, strnlen(path, WASIX_ADDR_UNIX_BYTES));
    atomic_fetch_or_explicit(&s->unix_named, which, memory_order_release);
}

void wasix_unix_guest_view(const WasixSock *s, bool peer, OsNetAddr *a)
{
    unsigned which = peer ? WASIX_UNIX_PEER : WASIX_UNIX_LOCAL;
    memset(a->path, 0, sizeof a->path);
    if (!s || !(atomic_load_explicit(&s->unix_named, memory_order_acquire) & which)) return;
    memcpy(a->path, peer ? s->unix_peer : s->unix_local, WASIX_ADDR_UNIX_BYTES);
}

/* ----------------------------------------------------------------- bind */

typedef struct UnixBind {
    int host;   /* the socket */
} UnixBind;

/* Binds to <name> in host directory dirfd through /proc/self/fd. */
static uint32_t wasix_unix_bind_at(int dirfd, const char *name, void *arg)
{
    const UnixBind *b = arg;
    OsNetAddr host = {.family = OS_NET_UNIX};
    int n = snprintf(host.path, sizeof host.path, "/proc/self/fd/%d/%s", dirfd, name);
    if (n < 0 || (size_t)n >= sizeof host.path) return WASI_ENAMETOOLONG;
    return wasix_sock_errno(os_net_bind(b->host, &host));
}

uint32_t wasix_unix_bind(Process *p, SockRef *r, const OsNetAddr *a)
{
    size_t len = wasix_unix_path_len(a);
    if (len == 0) return WASI_ENOTSUP;
    UnixBind b = {r->host};
    uint32_t err = wasi_path_guest_at(p->wasi, a->path, len, false, wasix_unix_bind_at, &b);
    if (!err) wasix_unix_record(r->sock, WASIX_UNIX_LOCAL, a->path);
    return err;
}

/* ------------------------------------------------- connect and send_to */

/* What to do with the socket file once it is held as descriptor M. */
typedef struct UnixReach {
    Process *p;
    SockRef *r;
    OsIoVec *v;                /* sock_send_to: send v/n there; NULL: connect */
    int n;
    uint64_t *sent;
    TrapKind *trap;
} UnixReach;

/* A host connect that may block (the guest's socket is blocking): retried
 * after the process's nudge, ended when the process exits. Negative errno. */
static int wasix_unix_connect_host(UnixReach *u, const OsNetAddr *to)
{
    for (;;) {
        int res = os_net_connect(u->r->host, to);
        if (res != -EINTR) return res;
        if (process_is_exiting(u->p)) {
            *u->trap = TRAP_INTERRUPTED;
            return res;
        }
        if (atomic_load(&u->p->interrupt)) return res;   /* a signal for the guest */
    }
}

/* Opens <name> in dirfd as a path handle, checks it is a socket, and
 * connects or sends to it through /proc/self/fd/M. */
static uint32_t wasix_unix_reach_at(int dirfd, const char *name, void *arg)
{
    UnixReach *u = arg;
    int m = os_fs_open_at(dirfd, name, OS_OPEN_PATH, 0);
    if (m < 0) return m == -ELOOP ? WASI_ECONNREFUSED : wasix_sock_errno(m);
    OsStat st;
    int res = os_fs_stat(m, &st);
    if (res == 0 && st.type != OS_FILE_SOCKET_STREAM && st.type != OS_FILE_SOCKET_DGRAM &&
        st.type != OS_FILE_SOCKET_OTHER)
        res = -ECONNREFUSED;   /* what connect(2) says of a file that is no socket */
    OsNetAddr to = {.family = OS_NET_UNIX};
    snprintf(to.path, sizeof to.path, "/proc/self/fd/%d", m);
    uint32_t err = wasix_sock_errno(res);
    if (!err && u->v) err = wasix_sock_send_all(u->p, u->r, u->v, u->n, &to, u->sent, u->trap);
    else if (!err && wasix_sock_nonblocking(u->r)) err = wasix_sock_errno(os_net_connect(u->r->host, &to));
    else if (!err) err = wasix_sock_errno(wasix_unix_connect_host(u, &to));
    os_fs_close(m);
    return err;
}

uint32_t wasix_unix_connect(Process *p, SockRef *r, const OsNetAddr *a, TrapKind *trap)
{
    size_t len = wasix_unix_path_len(a);
    if (len == 0) return WASI_ENOTSUP;
    UnixReach u = {.p = p, .r = r, .trap = trap};
    uint32_t err = wasi_path_guest_at(p->wasi, a->path, len, true, wasix_unix_reach_at, &u);
    if (!err) wasix_unix_record(r->sock, WASIX_UNIX_PEER, a->path);
    return err;
}

uint32_t wasix_unix_send_to(Process *p, SockRef *r, OsIoVec *v, int n, const OsNetAddr *a,
                            uint64_t *sent, TrapKind *trap)
{
    size_t len = wasix_unix_path_len(a);
    *sent = 0;
    if (len == 0) return WASI_ENOTSUP;
    UnixReach u = {.p = p, .r = r, .v = v, .n = n, .sent = sent, .trap = trap};
    return wasi_path_guest_at(p->wasi, a->path, len, true, wasix_unix_reach_at, &u);
}
