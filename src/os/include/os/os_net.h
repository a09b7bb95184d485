/*
 * os_net.h - sockets and name resolution: the only interface through which
 * Spindle makes, binds, connects and talks over sockets and asks the host's
 * resolver. Addresses cross it as OsNetAddr (family, port in host order, IP
 * bytes in network order, or a Unix path), never as struct sockaddr.
 *
 * Errors: a non-negative value on success or a negative POSIX errno, as in
 * os_fs.h. Every descriptor made here is close-on-exec; nothing raises
 * SIGPIPE. Implemented for POSIX (Linux) in os_net.c. The older helpers for
 * sockets the embedder hands in (os_sock_accept/recv/send/shutdown,
 * os_io.h) are implemented there too.
 */
#ifndef SPINDLE_OS_NET_H
#define SPINDLE_OS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/os_fs.h"

enum { OS_NET_UNSPEC = 0, OS_NET_INET4 = 1, OS_NET_INET6 = 2, OS_NET_UNIX = 3 };
enum { OS_NET_STREAM = 1, OS_NET_DGRAM = 2, OS_NET_RAW = 3, OS_NET_SEQPACKET = 4 };

#define OS_NET_PATH_MAX 108

/* A socket address. INET4 uses ip[0..3]; INET6 all 16 bytes and scope_id;
 * UNIX uses path (NUL-terminated; "" = unnamed). */
typedef struct OsNetAddr {
    int family;
    uint16_t port;
    uint8_t ip[16];
    uint32_t scope_id;
    char path[OS_NET_PATH_MAX];
} OsNetAddr;

/* A new socket of family OS_NET_* and type OS_NET_STREAM/DGRAM/...; proto is
 * an IP protocol number (0 = the type's default). */
int os_net_socket(int family, int type, int proto, bool nonblock);
/* A connected pair (socketpair): only OS_NET_UNIX is supported by hosts. */
int os_net_pair(int family, int type, int proto, int fds[2]);

int os_net_bind(int fd, const OsNetAddr *a);
int os_net_listen(int fd, int backlog);
/* Accepts one connection; *peer (may be NULL) gets its address. */
int os_net_accept(int fd, bool nonblock, OsNetAddr *peer);
/* Starts a connection; -EINPROGRESS on a non-blocking socket that is still
 * connecting (wait for OUT, then os_net_take_error). */
int os_net_connect(int fd, const OsNetAddr *a);
/* The socket's pending error (SO_ERROR), cleared by reading: 0 or -errno. */
int os_net_take_error(int fd);

int os_net_local_addr(int fd, OsNetAddr *out);
int os_net_peer_addr(int fd, OsNetAddr *out);

enum { OS_NET_PEEK = 1u << 0, OS_NET_WAITALL = 1u << 1, OS_NET_DONTWAIT = 1u << 2 };
/* Sends iov (to `to` when not NULL); flags: OS_NET_DONTWAIT. */
int64_t os_net_send(int fd, const OsIoVec *iov, int n, const OsNetAddr *to, unsigned flags);
/* Receives into iov; *truncated tells whether a datagram was cut short;
 * *from (may be NULL) gets the sender's address (family OS_NET_UNSPEC when
 * the socket has none to give). */
int64_t os_net_recv(int fd, const OsIoVec *iov, int n, unsigned flags, bool *truncated,
                    OsNetAddr *from);
/* Sends up to count bytes of file in_fd from offset down out_fd (sendfile);
 * returns the bytes sent. */
int64_t os_net_sendfile(int out_fd, int in_fd, uint64_t offset, uint64_t count);

/* Socket options with integer values (booleans are 0/1, sizes in bytes,
 * linger in seconds with -1 = off). */
typedef enum OsNetOpt {
    OS_NET_OPT_REUSEPORT, OS_NET_OPT_REUSEADDR, OS_NET_OPT_NODELAY, OS_NET_OPT_DONTROUTE,
    OS_NET_OPT_ONLYV6, OS_NET_OPT_BROADCAST, OS_NET_OPT_MCAST_LOOP_V4, OS_NET_OPT_MCAST_LOOP_V6,
    OS_NET_OPT_KEEPALIVE, OS_NET_OPT_OOBINLINE, OS_NET_OPT_RCVBUF, OS_NET_OPT_SNDBUF,
    OS_NET_OPT_RCVLOWAT, OS_NET_OPT_SNDLOWAT, OS_NET_OPT_TTL, OS_NET_OPT_MCAST_TTL_V4,
    OS_NET_OPT_LINGER, OS_NET_OPT_ACCEPTCONN, OS_NET_OPT_TYPE, OS_NET_OPT_ERROR,
} OsNetOpt;
int os_net_opt_set(int fd, OsNetOpt opt, int64_t value);
int os_net_opt_get(int fd, OsNetOpt opt, int64_t *value);

/* Joins or leaves a multicast group: IPv4 with the interface address iface
 * (ip of an INET4 address; 0.0.0.0 = any), IPv6 with interface index. */
int os_net_multicast_v4(int fd, bool join, const uint8_t group[4], const uint8_t iface[4]);
int os_net_multicast_v6(int fd, bool join, const uint8_t group[16], uint32_t ifindex);

/* Resolves host (a name or a numeric address) with the host's resolver:
 * fills up to max addresses (INET4/INET6, port set to `port`, duplicates
 * dropped) and returns how many it filled.
 * -ENOENT when the name does not exist, -EAGAIN on a temporary failure. */
int os_net_resolve(const char *host, uint16_t port, OsNetAddr *out, int max);

/* The same lookup on a worker thread of its own (os_net_resolve.c), for
 * callers that must not be held by a resolver that never answers. */
#define OS_NET_HOST_MAX 253
typedef struct OsResolveJob OsResolveJob;
/* Starts resolving host (at most OS_NET_HOST_MAX bytes) for up to max
 * addresses: the job, or NULL with *err = -EINVAL, -ENOMEM, -EAGAIN (no
 * thread) or the eventfd's error. */
OsResolveJob *os_net_resolve_start(const char *host, uint16_t port, int max, int *err);
/* A descriptor that becomes readable when the job's answer is in. */
int os_net_resolve_fd(const OsResolveJob *j);
/* Once os_net_resolve_fd is readable: copies the answer to out (as
 * os_net_resolve returns it) and frees the caller's side of the job. */
int os_net_resolve_finish(OsResolveJob *j, OsNetAddr *out);
/* Gives the job up, answered or not: the worker frees it when it ends. */
void os_net_resolve_abandon(OsResolveJob *j);

#endif
