/*
 * os_net_opt.c - the POSIX (Linux) backend of os_net.h's socket options
 * (setsockopt / getsockopt by OsNetOpt), multicast membership, and the
 * host resolver (getaddrinfo).
 */
#define _GNU_SOURCE
#include "os/os_net.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int os_net_opt_err(void)
{
    return errno ? -errno : -EIO;
}

/* The level and name of an integer option; false for LINGER (a struct). */
static bool os_net_opt_code(OsNetOpt opt, int *level, int *name)
{
    static const int codes[][2] = {
        [OS_NET_OPT_REUSEPORT] = {SOL_SOCKET, SO_REUSEPORT},
        [OS_NET_OPT_REUSEADDR] = {SOL_SOCKET, SO_REUSEADDR},
        [OS_NET_OPT_NODELAY] = {IPPROTO_TCP, TCP_NODELAY},
        [OS_NET_OPT_DONTROUTE] = {SOL_SOCKET, SO_DONTROUTE},
        [OS_NET_OPT_ONLYV6] = {IPPROTO_IPV6, IPV6_V6ONLY},
        [OS_NET_OPT_BROADCAST] = {SOL_SOCKET, SO_BROADCAST},
        [OS_NET_OPT_MCAST_LOOP_V4] = {IPPROTO_IP, IP_MULTICAST_LOOP},
        [OS_NET_OPT_MCAST_LOOP_V6] = {IPPROTO_IPV6, IPV6_MULTICAST_LOOP},
        [OS_NET_OPT_KEEPALIVE] = {SOL_SOCKET, SO_KEEPALIVE},
        [OS_NET_OPT_OOBINLINE] = {SOL_SOCKET, SO_OOBINLINE},
        [OS_NET_OPT_RCVBUF] = {SOL_SOCKET, SO_RCVBUF},
        [OS_NET_OPT_SNDBUF] = {SOL_SOCKET, SO_SNDBUF},
        [OS_NET_OPT_RCVLOWAT] = {SOL_SOCKET, SO_RCVLOWAT},
        [OS_NET_OPT_SNDLOWAT] = {SOL_SOCKET, SO_SNDLOWAT},
        [OS_NET_OPT_TTL] = {IPPROTO_IP, IP_TTL},
        [OS_NET_OPT_MCAST_TTL_V4] = {IPPROTO_IP, IP_MULTICAST_TTL},
        [OS_NET_OPT_LINGER] = {SOL_SOCKET, SO_LINGER},
        [OS_NET_OPT_ACCEPTCONN] = {SOL_SOCKET, SO_ACCEPTCONN},
        [OS_NET_OPT_TYPE] = {SOL_SOCKET, SO_TYPE},
        [OS_NET_OPT_ERROR] = {SOL_SOCKET, SO_ERROR},
    };
    if ((unsigned)opt >= sizeof codes / sizeof codes[0]) return false;
    *level = codes[opt][0];
    *name = codes[opt][1];
    return opt != OS_NET_OPT_LINGER;
}

int os_net_opt_set(int fd, OsNetOpt opt, int64_t value)
{
    int level, name;
    bool plain = os_net_opt_code(opt, &level, &name);
    if (opt == OS_NET_OPT_LINGER) {
        struct linger l = {value >= 0, value >= 0 ? (int)(value > 65535 ? 65535 : value) : 0};
        return setsockopt(fd, level, name, &l, sizeof l) < 0 ? os_net_opt_err() : 0;
    }
    if (!plain) return -EINVAL;
    if (value < INT32_MIN || value > INT32_MAX) return -EINVAL;
    int v = (int)value;
    return setsockopt(fd, level, name, &v, sizeof v) < 0 ? os_net_opt_err() : 0;
}

int os_net_opt_get(int fd, OsNetOpt opt, int64_t *value)
{
    int level, name;
    bool plain = os_net_opt_code(opt, &level, &name);
    if (opt == OS_NET_OPT_LINGER) {
        struct linger l = {0, 0};
        socklen_t len = sizeof l;
        if (getsockopt(fd, level, name, &l, &len) < 0) return os_net_opt_err();
        *value = l.l_onoff ? l.l_linger : -1;
        return 0;
    }
    if (!plain) return -EINVAL;
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) < 0) return os_net_opt_err();
    *value = v;
    return 0;
}

int os_net_multicast_v4(int fd, bool join, const uint8_t group[4], const uint8_t iface[4])
{
    struct ip_mreq m;
    memcpy(&m.imr_multiaddr, group, 4);
    memcpy(&m.imr_interface, iface, 4);
    int name = join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP;
    return setsockopt(fd, IPPROTO_IP, name, &m, sizeof m) < 0 ? os_net_opt_err() : 0;
}

int os_net_multicast_v6(int fd, bool join, const uint8_t group[16], uint32_t ifindex)
{
    struct ipv6_mreq m;
    memcpy(&m.ipv6mr_multiaddr, group, 16);
    m.ipv6mr_interface = ifindex;
    int name = join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP;
    return setsockopt(fd, IPPROTO_IPV6, name, &m, sizeof m) < 0 ? os_net_opt_err() : 0;
}

/* ------------------------------------------------------------- resolver */

/* The negative errno for a getaddrinfo error. */
static int os_net_gai_errno(int e)
{
    switch (e) {
    case EAI_NONAME: return -ENOENT;
#ifdef EAI_NODATA
    case EAI_NODATA: return -ENOENT;
#endif
    case EAI_AGAIN: return -EAGAIN;
    case EAI_MEMORY: return -ENOMEM;
    case EAI_FAMILY: return -EAFNOSUPPORT;
    case EAI_SYSTEM: return errno ? -errno : -EIO;
    default: return -EIO;
    }
}

/* Appends ai's address to out[] unless it is there already; returns the count. */
static int os_net_add_unique(const struct addrinfo *ai, uint16_t port, OsNetAddr *out, int n)
{
    OsNetAddr a;
    memset(&a, 0, sizeof a);
    a.port = port;
    if (ai->ai_family == AF_INET) {
        a.family = OS_NET_INET4;
        memcpy(a.ip, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
        a.family = OS_NET_INET6;
        memcpy(a.ip, &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
    } else {
        return n;
    }
    for (int i = 0; i < n; i++)
        if (out[i].family == a.family && memcmp(out[i].ip, a.ip, 16) == 0) return n;
    out[n] = a;
    return n + 1;
}

int os_net_resolve(const char *host, uint16_t port, OsNetAddr *out, int max)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;   /* one entry per address, not per type */
    int e = getaddrinfo(host, NULL, &hints, &res);
    if (e != 0) return os_net_gai_errno(e);
    int n = 0;
    for (const struct addrinfo *ai = res; ai && n < max; ai = ai->ai_next)
        n = os_net_add_unique(ai, port, out, n);
    freeaddrinfo(res);
    return n;
}
