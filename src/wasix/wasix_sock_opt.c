/*
 * wasix_sock_opt.c - socket options and multicast membership:
 *
 *   sock_set_opt_flag(fd, opt, bool) / sock_get_opt_flag(fd, opt, *u8)
 *   sock_set_opt_time(fd, opt, *option_timestamp) / sock_get_opt_time(fd, opt, *out)
 *   sock_set_opt_size(fd, opt, u64) / sock_get_opt_size(fd, opt, *u64)
 *   sock_join_multicast_v4(fd, *group4, *iface4) / sock_leave_multicast_v4
 *   sock_join_multicast_v6(fd, *group16, ifindex) / sock_leave_multicast_v6
 *
 * Option numbers (__wasi_sock_option_t, u8): 0 noop, 1 reuse_port,
 * 2 reuse_addr, 3 no_delay, 4 dont_route, 5 only_v6, 6 broadcast,
 * 7 multicast_loop_v4, 8 multicast_loop_v6, 9 promiscuous, 10 listening,
 * 11 last_error, 12 keep_alive, 13 linger, 14 oob_inline, 15 recv_buf_size,
 * 16 send_buf_size, 17 recv_lowat, 18 send_lowat, 19 recv_timeout,
 * 20 send_timeout, 21 connect_timeout, 22 accept_timeout, 23 ttl,
 * 24 multicast_ttl_v4, 25 type, 26 proto. An option of the wrong kind for
 * the call gives Inval; promiscuous mode gives Notsup.
 *
 * option_timestamp: u8 tag @0 (0 none, 1 some), u64 nanoseconds @8. The four
 * timeouts belong to the socket's WASIX state and bound the waits of
 * wasix_sock.c / wasix_sock_io.c; linger is the host's (whole seconds).
 * Joining a group needs the policy to allow listening on it.
 */
#include "wasix_sock.h"

enum {
    OPT_NOOP, OPT_REUSE_PORT, OPT_REUSE_ADDR, OPT_NO_DELAY, OPT_DONT_ROUTE, OPT_ONLY_V6,
    OPT_BROADCAST, OPT_MCAST_LOOP_V4, OPT_MCAST_LOOP_V6, OPT_PROMISCUOUS, OPT_LISTENING,
    OPT_LAST_ERROR, OPT_KEEP_ALIVE, OPT_LINGER, OPT_OOB_INLINE, OPT_RECV_BUF, OPT_SEND_BUF,
    OPT_RECV_LOWAT, OPT_SEND_LOWAT, OPT_RECV_TIMEOUT, OPT_SEND_TIMEOUT, OPT_CONNECT_TIMEOUT,
    OPT_ACCEPT_TIMEOUT, OPT_TTL, OPT_MCAST_TTL_V4, OPT_TYPE, OPT_PROTO,
};

#define WASIX_OPTION_TIMESTAMP_SIZE 16

/* The host option of a flag option, or -1. */
static int wasix_opt_flag_host(uint32_t opt)
{
    switch (opt) {
    case OPT_REUSE_PORT: return OS_NET_OPT_REUSEPORT;
    case OPT_REUSE_ADDR: return OS_NET_OPT_REUSEADDR;
    case OPT_NO_DELAY: return OS_NET_OPT_NODELAY;
    case OPT_DONT_ROUTE: return OS_NET_OPT_DONTROUTE;
    case OPT_ONLY_V6: return OS_NET_OPT_ONLYV6;
    case OPT_BROADCAST: return OS_NET_OPT_BROADCAST;
    case OPT_MCAST_LOOP_V4: return OS_NET_OPT_MCAST_LOOP_V4;
    case OPT_MCAST_LOOP_V6: return OS_NET_OPT_MCAST_LOOP_V6;
    case OPT_KEEP_ALIVE: return OS_NET_OPT_KEEPALIVE;
    case OPT_OOB_INLINE: return OS_NET_OPT_OOBINLINE;
    case OPT_LISTENING: return OS_NET_OPT_ACCEPTCONN;
    default: return -1;
    }
}

/* The host option of a size option, or -1. */
static int wasix_opt_size_host(uint32_t opt)
{
    switch (opt) {
    case OPT_RECV_BUF: return OS_NET_OPT_RCVBUF;
    case OPT_SEND_BUF: return OS_NET_OPT_SNDBUF;
    case OPT_RECV_LOWAT: return OS_NET_OPT_RCVLOWAT;
    case OPT_SEND_LOWAT: return OS_NET_OPT_SNDLOWAT;
    case OPT_TTL: return OS_NET_OPT_TTL;
    case OPT_MCAST_TTL_V4: return OS_NET_OPT_MCAST_TTL_V4;
    default: return -1;
    }
}

/* The WASIX timeout slot of a time option, or -1 (linger is the host's). */
static int wasix_opt_timeout_slot(uint32_t opt)
{
    switch (opt) {
    case OPT_RECV_TIMEOUT: return WASIX_TIMEOUT_RECV;
    case OPT_SEND_TIMEOUT: return WASIX_TIMEOUT_SEND;
    case OPT_CONNECT_TIMEOUT: return WASIX_TIMEOUT_CONNECT;
    case OPT_ACCEPT_TIMEOUT: return WASIX_TIMEOUT_ACCEPT;
    default: return -1;
    }
}

/* Borrows the socket and checks the output pointer (len bytes, 0 = none). */
static uint32_t wasix_opt_begin(void *ctx, Slot *io, GuestMem m, uint32_t out, uint32_t len,
                                SockRef *r)
{
    if (len && !guest_ok(m, out, len)) return WASI_EMEMVIOLATION;
    return wasix_sock_get(ctx, io[0].u32, r);
}

/* sock_set_opt_flag(fd, opt, flag) -> errno */
static TrapKind wasix_sock_set_opt_flag(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    SockRef r;
    uint32_t err = wasix_opt_begin(ctx, io, guest_mem(caller), 0, 0, &r);
    if (err) return wasix_ret(io, err);
    uint32_t opt = io[1].u32;
    int host = wasix_opt_flag_host(opt);
    if (opt == OPT_PROMISCUOUS) err = WASI_ENOTSUP;
    else if (opt == OPT_NOOP) err = 0;
    else if (host < 0 || opt == OPT_LISTENING) err = WASI_EINVAL;
    else err = wasix_sock_errno(os_net_opt_set(r.host, (OsNetOpt)host, io[2].u32 != 0));
    wasix_sock_put(&r);
    return wasix_ret(io, err);
}

/* sock_get_opt_flag(fd, opt, *u8) -> errno */
static TrapKind wasix_sock_get_opt_flag(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    SockRef r;
    uint32_t err = wasix_opt_begin(ctx, io, m, io[2].u32, 1, &r);
    if (err) return wasix_ret(io, err);
    uint32_t opt = io[1].u32;
    int host = wasix_opt_flag_host(opt);
    int64_t v = 0;
    if (opt == OPT_LAST_ERROR) host = OS_NET_OPT_ERROR;
    if (opt == OPT_PROMISCUOUS) err = WASI_ENOTSUP;
    else if (opt == OPT_NOOP) v = 0;
    else if (host < 0) err = WASI_EINVAL;
    else err = wasix_sock_errno(os_net_opt_get(r.host, (OsNetOpt)host, &v));
    wasix_sock_put(&r);
    uint8_t *out = err ? NULL : guest_ptr(m, io[2].u32, 1);
    if (out) out[0] = v != 0;
    return wasix_ret(io, err);
}

/* sock_set_opt_time(fd, opt, *option_timestamp) -> errno */
static TrapKind wasix_sock_set_opt_time(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    const uint8_t *t = guest_ptr(m, io[2].u32, WASIX_OPTION_TIMESTAMP_SIZE);
    if (!t) return wasix_ret(io, WASI_EMEMVIOLATION);
    if (t[0] > 1) return wasix_ret(io, WASI_EINVAL);
    uint64_t ns = t[0] ? guest_get64(t, 8) : 0;
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    int slot = wasix_opt_timeout_slot(io[1].u32);
    if (io[1].u32 == OPT_LINGER)
        err = wasix_sock_errno(os_net_opt_set(r.host, OS_NET_OPT_LINGER, t[0] ? (int64_t)(ns / 1000000000u) : -1));
    else if (slot < 0 || !r.sock) err = WASI_EINVAL;
    else atomic_store(&r.sock->timeout_ns[slot], ns ? ns : (t[0] ? 1 : 0));
    wasix_sock_put(&r);
    return wasix_ret(io, err);
}

/* sock_get_opt_time(fd, opt, *option_timestamp) -> errno */
static TrapKind wasix_sock_get_opt_time(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    SockRef r;
    uint32_t err = wasix_opt_begin(ctx, io, m, io[2].u32, WASIX_OPTION_TIMESTAMP_SIZE, &r);
    if (err) return wasix_ret(io, err);
    int slot = wasix_opt_timeout_slot(io[1].u32);
    int64_t v = 0;
    bool some = false;
    if (io[1].u32 == OPT_LINGER) {
        err = wasix_sock_errno(os_net_opt_get(r.host, OS_NET_OPT_LINGER, &v));
        some = v >= 0;
        v *= 1000000000;
    } else if (slot < 0 || !r.sock) {
        err = WASI_EINVAL;
    } else {
        v = (int64_t)atomic_load(&r.sock->timeout_ns[slot]);
        some = v != 0;
    }
    wasix_sock_put(&r);
    uint8_t *t = err ? NULL : guest_ptr(m, io[2].u32, WASIX_OPTION_TIMESTAMP_SIZE);
    if (t) {
        memset(t, 0, WASIX_OPTION_TIMESTAMP_SIZE);
        t[0] = some;
        guest_put64(t, 8, some ? (uint64_t)v : 0);
    }
    return wasix_ret(io, err);
}

/* sock_set_opt_size(fd, opt, u64) -> errno */
static TrapKind wasix_sock_set_opt_size(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    SockRef r;
    uint32_t err = wasix_opt_begin(ctx, io, guest_mem(caller), 0, 0, &r);
    if (err) return wasix_ret(io, err);
    int host = wasix_opt_size_host(io[1].u32);
    if (host < 0) err = WASI_EINVAL;
    else if (io[2].u64 > INT32_MAX) err = WASI_EINVAL;
    else err = wasix_sock_errno(os_net_opt_set(r.host, (OsNetOpt)host, (int64_t)io[2].u64));
    wasix_sock_put(&r);
    return wasix_ret(io, err);
}

/* sock_get_opt_size(fd, opt, *u64) -> errno */
static TrapKind wasix_sock_get_opt_size(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    SockRef r;
    uint32_t err = wasix_opt_begin(ctx, io, m, io[2].u32, 8, &r);
    if (err) return wasix_ret(io, err);
    int host = wasix_opt_size_host(io[1].u32);
    int64_t v = 0;
    if (host < 0) err = WASI_EINVAL;
    else err = wasix_sock_errno(os_net_opt_get(r.host, (OsNetOpt)host, &v));
    wasix_sock_put(&r);
    if (!err) guest_st64(m, io[2].u32, (uint64_t)v);
    return wasix_ret(io, err);
}

/* Joins or leaves a group after the policy's listen check on it. */
static uint32_t wasix_multicast(Process *p, uint32_t fd, bool join, const OsNetAddr *group,
                                const uint8_t *iface4, uint32_t ifindex)
{
    uint32_t err = join ? wasix_net_check(p->cfg.net, WASIX_NET_LISTEN, group) : 0;
    if (err) return err;
    SockRef r;
    err = wasix_sock_get(p, fd, &r);
    if (err) return err;
    int res = group->family == OS_NET_INET4 ? os_net_multicast_v4(r.host, join, group->ip, iface4)
                                            : os_net_multicast_v6(r.host, join, group->ip, ifindex);
    wasix_sock_put(&r);
    return wasix_sock_errno(res);
}

/* sock_join/leave_multicast_v4(fd, *group4, *iface4) -> errno */
static TrapKind wasix_multicast_v4(ExecEnv *env, Instance *caller, void *ctx, Slot *io, bool join)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    const uint8_t *g = guest_ptr(m, io[1].u32, 4), *i = guest_ptr(m, io[2].u32, 4);
    if (!g || !i) return wasix_ret(io, WASI_EMEMVIOLATION);
    OsNetAddr group;
    memset(&group, 0, sizeof group);
    group.family = OS_NET_INET4;
    memcpy(group.ip, g, 4);
    uint8_t iface[4];
    memcpy(iface, i, 4);
    return wasix_ret(io, wasix_multicast(ctx, io[0].u32, join, &group, iface, 0));
}

/* sock_join/leave_multicast_v6(fd, *group16, ifindex) -> errno */
static TrapKind wasix_multicast_v6(ExecEnv *env, Instance *caller, void *ctx, Slot *io, bool join)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    const uint8_t *g = guest_ptr(guest_mem(caller), io[1].u32, 16);
    if (!g) return wasix_ret(io, WASI_EMEMVIOLATION);
    OsNetAddr group;
    memset(&group, 0, sizeof group);
    group.family = OS_NET_INET6;
    memcpy(group.ip, g, 16);
    return wasix_ret(io, wasix_multicast(ctx, io[0].u32, join, &group, NULL, io[2].u32));
}

static TrapKind wasix_join_v4(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_multicast_v4(env, caller, ctx, io, true);
}

static TrapKind wasix_leave_v4(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_multicast_v4(env, caller, ctx, io, false);
}

static TrapKind wasix_join_v6(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_multicast_v6(env, caller, ctx, io, true);
}

static TrapKind wasix_leave_v6(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_multicast_v6(env, caller, ctx, io, false);
}

const WasixHostDef wasix_sock_opt_defs[] = {
    {"sock_set_opt_flag", "iii>i", wasix_sock_set_opt_flag},
    {"sock_get_opt_flag", "iii>i", wasix_sock_get_opt_flag},
    {"sock_set_opt_time", "iii>i", wasix_sock_set_opt_time},
    {"sock_get_opt_time", "iii>i", wasix_sock_get_opt_time},
    {"sock_set_opt_size", "iiI>i", wasix_sock_set_opt_size},
    {"sock_get_opt_size", "iii>i", wasix_sock_get_opt_size},
    {"sock_join_multicast_v4", "iii>i", wasix_join_v4},
    {"sock_leave_multicast_v4", "iii>i", wasix_leave_v4},
    {"sock_join_multicast_v6", "iii>i", wasix_join_v6},
    {"sock_leave_multicast_v6", "iii>i", wasix_leave_v6},
};
const size_t wasix_sock_opt_ndefs = SP_ARRAY_LEN(wasix_sock_opt_defs);
