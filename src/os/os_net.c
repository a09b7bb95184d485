/*
 * os_net.c - the POSIX (Linux) backend of os_net.h's sockets: making,
 * binding, listening, accepting, connecting, sending, receiving, sendfile,
 * and the conversion between OsNetAddr and struct sockaddr. Also the
 * preview1 helpers of os_io.h for sockets the embedder hands in. Options,
 * multicast and the resolver are in os_net_opt.c.
 */
#define _GNU_SOURCE
#include "os/os_net.h"
#include "os/os_io.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int os_net_err(void)
{
    return errno ? -errno : -EIO;
}

/* ------------------------------------------------------------ addresses */

/* Fills ss from a; returns its length, or -EAFNOSUPPORT / -EINVAL. */
static int os_net_to_sockaddr(const OsNetAddr *a, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == OS_NET_INET4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(a->port);
        memcpy(&s4->sin_addr, a->ip, 4);
        return (int)sizeof *s4;
    }
    if (a->family == OS_NET_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a->port);
        s6->sin6_scope_id = a->scope_id;
        memcpy(&s6->sin6_addr, a->ip, 16);
        return (int)sizeof *s6;
    }
    if (a->family == OS_NET_UNIX) {
        struct sockaddr_un *su = (struct sockaddr_un *)ss;
        size_t len = strnlen(a->path, sizeof a->path);
        if (len >= sizeof su->sun_path) return -EINVAL;
        su->sun_family = AF_UNIX;
        memcpy(su->sun_path, a->path, len);
        return (int)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    }
    return -EAFNOSUPPORT;
}

/* Fills a from a sockaddr the host gave (family OS_NET_UNSPEC if unknown). */
static void os_net_from_sockaddr(const struct sockaddr_storage *ss, socklen_t len, OsNetAddr *a)
{
    memset(a, 0, sizeof *a);
    if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
        a->family = OS_NET_INET4;
        a->port = ntohs(s4->sin_port);
        memcpy(a->ip, &s4->sin_addr, 4);
    } else if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
        a->family = OS_NET_INET6;
        a->port = ntohs(s6->sin6_port);
        a->scope_id = s6->sin6_scope_id;
        memcpy(a->ip, &s6->sin6_addr, 16);
    } else if (ss->ss_family == AF_UNIX) {
        const struct sockaddr_un *su = (const struct sockaddr_un *)ss;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t n = len > off ? len - off : 0;
        if (n >= sizeof a->path) n = sizeof a->path - 1;
        a->family = OS_NET_UNIX;
        memcpy(a->path, su->sun_path, n);
        a->path[n] = '\0';
    }
}

static int os_net_host_family(int family)
{
    return family == OS_NET_INET4 ? AF_INET : family == OS_NET_INET6 ? AF_INET6
         : family == OS_NET_UNIX ? AF_UNIX : -1;
}

static int os_net_host_type(int type)
{
    return type == OS_NET_STREAM ? SOCK_STREAM : type == OS_NET_DGRAM ? SOCK_DGRAM
         : type == OS_NET_RAW ? SOCK_RAW : type == OS_NET_SEQPACKET ? SOCK_SEQPACKET : -1;
}

/* ------------------------------------------------------------- sockets */

int os_net_socket(int family, int type, int proto, bool nonblock)
{
    int f = os_net_host_family(family), t = os_net_host_type(type);
    if (f < 0) return -EAFNOSUPPORT;
    if (t < 0) return -EPROTOTYPE;
    int s = socket(f, t | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), proto);
    return s < 0 ? os_net_err() : s;
}

int os_net_pair(int family, int type, int proto, int fds[2])
{
    int f = os_net_host_family(family), t = os_net_host_type(type);
    if (f < 0) return -EAFNOSUPPORT;
    if (t < 0) return -EPROTOTYPE;
    return socketpair(f, t | SOCK_CLOEXEC, proto, fds) < 0 ? os_net_err() : 0;
}

int os_net_bind(int fd, const OsNetAddr *a)
{
    struct sockaddr_storage ss;
    int len = os_net_to_sockaddr(a, &ss);
    if (len < 0) return len;
    return bind(fd, (struct sockaddr *)&ss, (socklen_t)len) < 0 ? os_net_err() : 0;
}

int os_net_listen(int fd, int backlog)
{
    return listen(fd, backlog) < 0 ? os_net_err() : 0;
}

int os_net_accept(int fd, bool nonblock, OsNetAddr *peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int s = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0));
    if (s < 0) return os_net_err();
    if (peer) os_net_from_sockaddr(&ss, len, peer);
    return s;
}

int os_net_connect(int fd, const OsNetAddr *a)
{
    struct sockaddr_storage ss;
    int len = os_net_to_sockaddr(a, &ss);
    if (len < 0) return len;
    return connect(fd, (struct sockaddr *)&ss, (socklen_t)len) < 0 ? os_net_err() : 0;
}

int os_net_take_error(int fd)
{
    int e = 0;
    socklen_t len = sizeof e;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0) return os_net_err();
    return -e;
}

/* getsockname or getpeername into out. */
static int os_net_name(int fd, OsNetAddr *out, bool peer)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                 : getsockname(fd, (struct sockaddr *)&ss, &len);
    if (r < 0) return os_net_err();
    os_net_from_sockaddr(&ss, len, out);
    return 0;
}

int os_net_local_addr(int fd, OsNetAddr *out)
{
    return os_net_name(fd, out, false);
}

int os_net_peer_addr(int fd, OsNetAddr *out)
{
    return os_net_name(fd, out, true);
}

int64_t os_net_send(int fd, const OsIoVec *iov, int n, const OsNetAddr *to, unsigned flags)
{
    struct sockaddr_storage ss;
    struct msghdr msg = {0};
    if (to) {
        int len = os_net_to_sockaddr(to, &ss);
        if (len < 0) return len;
        msg.msg_name = &ss;
        msg.msg_namelen = (socklen_t)len;
    }
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)n;
    int fl = MSG_NOSIGNAL | ((flags & OS_NET_DONTWAIT) ? MSG_DONTWAIT : 0);
    ssize_t r = sendmsg(fd, &msg, fl);
    return r < 0 ? os_net_err() : r;
}

int64_t os_net_recv(int fd, const OsIoVec *iov, int n, unsigned flags, bool *truncated,
                    OsNetAddr *from)
{
    struct sockaddr_storage ss;
    struct msghdr msg = {0};
    msg.msg_name = from ? &ss : NULL;
    msg.msg_namelen = from ? sizeof ss : 0;
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)n;
    int fl = ((flags & OS_NET_PEEK) ? MSG_PEEK : 0) | ((flags & OS_NET_WAITALL) ? MSG_WAITALL : 0) |
             ((flags & OS_NET_DONTWAIT) ? MSG_DONTWAIT : 0);
    ssize_t r = recvmsg(fd, &msg, fl);
    if (r < 0) return os_net_err();
    *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    if (from) {
        memset(from, 0, sizeof *from);
        if (msg.msg_namelen > 0) os_net_from_sockaddr(&ss, msg.msg_namelen, from);
    }
    return r;
}

int64_t os_net_sendfile(int out_fd, int in_fd, uint64_t offset, uint64_t count)
{
    if (offset > (uint64_t)INT64_MAX) return -EINVAL;
    off_t off = (off_t)offset;
    size_t n = count > (1u << 30) ? (1u << 30) : (size_t)count;
    ssize_t r = sendfile(out_fd, in_fd, &off, n);
    return r < 0 ? os_net_err() : r;
}

/* ------------------------------------- os_io.h: sockets handed in (preview1) */

int os_sock_accept(int fd, bool nonblock)
{
    return os_net_accept(fd, nonblock, NULL);
}

int64_t os_sock_recv(int fd, const OsIoVec *iov, int n, unsigned flags, bool *truncated)
{
    unsigned fl = ((flags & OS_RECV_PEEK) ? OS_NET_PEEK : 0u) |
                  ((flags & OS_RECV_WAITALL) ? OS_NET_WAITALL : 0u);
    return os_net_recv(fd, iov, n, fl, truncated, NULL);
}

int64_t os_sock_send(int fd, const OsIoVec *iov, int n)
{
    return os_net_send(fd, iov, n, NULL, 0);
}

int os_sock_shutdown(int fd, unsigned how)
{
    int h = (how & OS_SHUT_RD) && (how & OS_SHUT_WR) ? SHUT_RDWR
            : (how & OS_SHUT_RD)                     ? SHUT_RD
                                                     : SHUT_WR;
    return shutdown(fd, h) < 0 ? os_net_err() : 0;
}
