/*
 * wasix_sock.h - what the socket files of the wasix layer share: the state a
 * WASIX socket carries (WasixSock, hung on its descriptor), borrowing a
 * socket for a call, the interruptible wait, the guest address layouts, and
 * the network policy's checks (wasix_net.h is its public half).
 *
 * Files: wasix_sock.c (open, pair, bind, listen, accept, connect, status,
 * shutdown), wasix_sock_io.c (send, send_to, recv, recv_from, send_file),
 * wasix_sock_opt.c (options, multicast), wasix_sock_addr.c (guest address
 * layouts, addr_local, addr_peer), wasix_sock_unix.c (Unix sockets bound
 * and reached by guest path), wasix_resolve.c (resolve, port_*),
 * wasix_net_policy.c (the policy).
 *
 * A socket is a descriptor of the wasi layer's table (wasi_fdx.h) like a
 * pipe: fd_read, fd_write, fd_close, fd_fdstat_*, fd_dup, poll_oneoff and
 * epoll work on it. Its host socket is non-blocking on the host exactly when
 * the guest made it so; the calls here transfer with MSG_DONTWAIT and, for a
 * blocking socket, wait on the host socket and the process's wake-up event
 * together (no polling loop, no timer: an idle server costs no CPU), so
 * process exit ends every wait.
 */
#ifndef SPINDLE_WASIX_SOCK_H
#define SPINDLE_WASIX_SOCK_H

#include "os/os_io.h"
#include "os/os_net.h"
#include "process.h"
#include "wasi/wasi_fdx.h"
#include "wasix/wasix_net.h"

/* ------------------------------------------------ ABI (wasix-abi.md §2) */

enum { WASIX_AF_UNSPEC = 0, WASIX_AF_INET4 = 1, WASIX_AF_INET6 = 2, WASIX_AF_UNIX = 3 };
enum { WASIX_SOCK_STATUS_OPENING = 0, WASIX_SOCK_STATUS_OPENED = 1,
       WASIX_SOCK_STATUS_CLOSED = 2, WASIX_SOCK_STATUS_FAILED = 3 };

/* __wasi_addr_port_t: u8 family, u8 pad, u16 port (little-endian), address. */
#define WASIX_ADDR_PORT_SIZE 20
/* The room a __wasi_addr_port_t has for a Unix path (no NUL when full). */
#define WASIX_ADDR_UNIX_BYTES 16
/* __wasi_addr_t: u8 family, u8 pad, 16 address bytes. */
#define WASIX_ADDR_SIZE 18

/* The timeouts a guest may set (sock_set_opt_time). */
enum { WASIX_TIMEOUT_RECV, WASIX_TIMEOUT_SEND, WASIX_TIMEOUT_CONNECT, WASIX_TIMEOUT_ACCEPT,
       WASIX_TIMEOUT_COUNT };

/* ------------------------------------------------------- socket state */

#define WASIX_SOCK_KIND 0x534f434b      /* WasiFdExt.kind of a WasixSock */

/* Shared by a socket's duplicates (fd_dup, fork): the state of the socket,
 * not of one descriptor number. */
typedef struct WasixSock {
    WasiFdExt base;
    int family;                   /* OS_NET_* */
    int type;                     /* OS_NET_STREAM, ... */
    int proto;
    _Atomic uint32_t published;   /* guest port << 16 | host port when bound through
                                   * --publish, else 0 */
    atomic_int status;            /* WASIX_SOCK_STATUS_* */
    _Atomic uint64_t timeout_ns[WASIX_TIMEOUT_COUNT];   /* 0 = none */
    /* A Unix socket's guest paths (wasix_sock_unix.c): each is written once,
     * before its WASIX_UNIX_* bit is set in unix_named (release). */
    atomic_uint unix_named;
    char unix_local[WASIX_ADDR_UNIX_BYTES + 1];
    char unix_peer[WASIX_ADDR_UNIX_BYTES + 1];
} WasixSock;

enum { WASIX_UNIX_LOCAL = 1u << 0, WASIX_UNIX_PEER = 1u << 1 };

/* A socket borrowed for one call. */
typedef struct SockRef {
    WasiFd *file;
    WasixSock *sock;              /* NULL for a socket WASIX did not make (a handed-in one) */
    int host;
} SockRef;

/* A new WasixSock (one reference), or NULL without memory. */
WasixSock *wasix_sock_state_new(int family, int type, int proto);

/* Puts host socket `host` into the table with state s (both pass to the
 * table, also on failure; s may be NULL): EMFILE, ENOMEM. */
uint32_t wasix_sock_install(Process *p, int host, WasixSock *s, uint32_t *fd_out);

/* Borrows guest descriptor fd as a socket: EBADF, ENOTSOCK. */
uint32_t wasix_sock_get(Process *p, uint32_t fd, SockRef *out);
void wasix_sock_put(SockRef *r);

/* The WASI errno of a negative host errno. */
static inline uint32_t wasix_sock_errno(int64_t neg)
{
    return wasi_fdx_errno(neg);
}

/* Waits until r's host socket has one of `events` (OS_POLL_IN/OUT), for at
 * most timeout_ns (0 = no limit). Returns 0 when ready, WASI_EAGAIN when the
 * timeout passed, or WASI_EINTR with *trap = TRAP_INTERRUPTED when the
 * process is ending. Never call it for a non-blocking socket. */
uint32_t wasix_sock_wait(Process *p, const SockRef *r, unsigned events, uint64_t timeout_ns,
                         TrapKind *trap);

/* The same wait on host descriptor fd (wasix_resolve.c waits for its
 * worker so). */
uint32_t wasix_wait_fd(Process *p, int fd, unsigned events, uint64_t timeout_ns, TrapKind *trap);

/* True when the guest made the descriptor non-blocking. */
bool wasix_sock_nonblocking(const SockRef *r);

/* The timeout the guest set for kind (WASIX_TIMEOUT_*), 0 = none. */
uint64_t wasix_sock_timeout(const SockRef *r, int kind);

/* Sends v/n on r (to `to` unless NULL; wasix_sock_io.c): a blocking
 * stream socket sends everything, waiting interruptibly; *sent is what
 * went. 0 or a WASI errno (with *trap set when the process is ending). */
uint32_t wasix_sock_send_all(Process *p, SockRef *r, OsIoVec *v, int n, const OsNetAddr *to,
                             uint64_t *sent, TrapKind *trap);

/* ------------------------------------- guest addresses (wasix_sock_addr.c) */

/* Reads a __wasi_addr_port_t: WASI_EMEMVIOLATION, WASI_EINVAL (unknown
 * family). A Unix address is read as its path. */
uint32_t wasix_addr_port_read(GuestMem m, uint32_t ptr, OsNetAddr *out);
/* Writes a __wasi_addr_port_t (checked by the caller: WASIX_ADDR_PORT_SIZE). */
void wasix_addr_port_write(GuestMem m, uint32_t ptr, const OsNetAddr *a);
/* Writes a __wasi_addr_t (WASIX_ADDR_SIZE bytes, checked by the caller). */
void wasix_addr_write(GuestMem m, uint32_t ptr, const OsNetAddr *a);

/* The address the guest sees for a host address of socket s: a published
 * socket's host port reads as its guest port. */
void wasix_sock_guest_view(const WasixSock *s, OsNetAddr *a);

/* ------------------------------ Unix sockets by path (wasix_sock_unix.c) */

/* Binds r to the guest path in a (OS_NET_UNIX), resolved in the guest's
 * file system view: 0 or a WASI errno (ENOTCAPABLE outside the preopens,
 * EADDRINUSE when the name exists, ENOTSUP for an abstract/unnamed one). */
uint32_t wasix_unix_bind(Process *p, SockRef *r, const OsNetAddr *a);
/* Connects r to the Unix socket at the guest path in a; a blocking socket
 * waits in the host's connect, which the process's exit interrupts. */
uint32_t wasix_unix_connect(Process *p, SockRef *r, const OsNetAddr *a, TrapKind *trap);
/* Sends v/n on r to the guest path in a as wasix_sock_send_all does. */
uint32_t wasix_unix_send_to(Process *p, SockRef *r, OsIoVec *v, int n, const OsNetAddr *a,
                            uint64_t *sent, TrapKind *trap);
/* Turns host address a of socket s (local or peer) into the guest's: the
 * guest path recorded at bind/connect, else unnamed (host paths are never
 * shown to the guest). */
void wasix_unix_guest_view(const WasixSock *s, bool peer, OsNetAddr *a);

/* ------------------------------------------- policy (wasix_net_policy.c) */

enum { WASIX_NET_LISTEN = 1u << 0, WASIX_NET_CONNECT = 1u << 1 };

/* Whether the policy lets a socket reach address a in `direction`: 0, or
 * WASI_ENOTSUP (no network at all: p NULL or empty) or WASI_EPERM (a rule
 * refuses). Unix addresses are not the policy's (the file system view
 * governs them, wasix_sock_unix.c): ENOTSUP if one is passed here. */
uint32_t wasix_net_check(const WasixNetPolicy *p, unsigned direction, const OsNetAddr *a);

/* Whether the network is on at all (resolve's check). */
bool wasix_net_enabled(const WasixNetPolicy *p);

/* The host port guest port `guest` is published on, or 0. */
uint16_t wasix_net_published(const WasixNetPolicy *p, uint16_t guest);

#endif
