/*
 * wasix_sock_addr.c - socket addresses as the guest lays them out, and the
 * two calls that report them:
 *
 *   __wasi_addr_port_t (20 bytes): u8 family @0 (1 IPv4, 2 IPv6, 3 Unix),
 *     pad @1, port @2 as a little-endian u16 holding the port number (what
 *     wasix-libc stores: ntohs(sin_port), and Rust's std reads), then the
 *     address @4: IPv4 4 bytes, IPv6 16 bytes, both in network order. Both
 *     directions use this (Wasmer reads it so, but has written ports byte-
 *     swapped, which wasix-libc detects at run time; Rust's std does not)
 *   __wasi_addr_t (18 bytes): u8 family @0, pad @1, address @2 (resolve)
 *
 *   sock_addr_local(fd, *addr_port)   the bound address; a socket bound
 *                                     through --publish reports the guest's
 *                                     port, not the host's
 *   sock_addr_peer(fd, *addr_port)    the connected peer's address
 *
 * A Unix address is read as the (at most 16-byte) guest path the layout has
 * room for; wasix_sock_unix.c resolves it in the guest's file system view,
 * and these calls report the guest paths it recorded.
 */
#include "wasix_sock.h"


uint32_t wasix_addr_port_read(GuestMem m, uint32_t ptr, OsNetAddr *out)
{
    const uint8_t *b = guest_ptr(m, ptr, WASIX_ADDR_PORT_SIZE);
    if (!b) return WASI_EMEMVIOLATION;
    memset(out, 0, sizeof *out);
    out->port = (uint16_t)(b[2] | b[3] << 8);
    switch (b[0]) {
    case WASIX_AF_INET4:
        out->family = OS_NET_INET4;
        memcpy(out->ip, b + 4, 4);
        return 0;
    case WASIX_AF_INET6:
        out->family = OS_NET_INET6;
        memcpy(out->ip, b + 4, 16);
        return 0;
    case WASIX_AF_UNIX:
        out->family = OS_NET_UNIX;
        memcpy(out->path, b + 4, WASIX_ADDR_UNIX_BYTES);
        out->path[WASIX_ADDR_UNIX_BYTES] = '\0';
        return 0;
    default:
        return WASI_EINVAL;   /* as Wasmer: an unknown family tag */
    }
}

/* The ABI's family tag of an os-layer family. */
static uint8_t wasix_addr_tag(int family)
{
    return family == OS_NET_INET4 ? WASIX_AF_INET4 : family == OS_NET_INET6 ? WASIX_AF_INET6
         : family == OS_NET_UNIX ? WASIX_AF_UNIX : WASIX_AF_UNSPEC;
}

void wasix_addr_port_write(GuestMem m, uint32_t ptr, const OsNetAddr *a)
{
    uint8_t *b = guest_ptr(m, ptr, WASIX_ADDR_PORT_SIZE);
    if (!b) return;
    memset(b, 0, WASIX_ADDR_PORT_SIZE);
    b[0] = wasix_addr_tag(a->family);
    b[2] = (uint8_t)a->port;
    b[3] = (uint8_t)(a->port >> 8);
    if (a->family == OS_NET_INET4) memcpy(b + 4, a->ip, 4);
    else if (a->family == OS_NET_INET6) memcpy(b + 4, a->ip, 16);
    else if (a->family == OS_NET_UNIX) memcpy(b + 4, a->path, strnlen(a->path, WASIX_ADDR_UNIX_BYTES));
}

void wasix_addr_write(GuestMem m, uint32_t ptr, const OsNetAddr *a)
{
    uint8_t *b = guest_ptr(m, ptr, WASIX_ADDR_SIZE);
    if (!b) return;
    memset(b, 0, WASIX_ADDR_SIZE);
    b[0] = wasix_addr_tag(a->family);
    memcpy(b + 2, a->ip, a->family == OS_NET_INET4 ? 4 : 16);
}

void wasix_sock_guest_view(const WasixSock *s, OsNetAddr *a)
{
    uint32_t pub = s ? atomic_load(&s->published) : 0;
    if (pub && a->port == (uint16_t)pub) a->port = (uint16_t)(pub >> 16);
}

/* sock_addr_local / sock_addr_peer: the address as the guest sees it. */
static TrapKind wasix_sock_addr(ExecEnv *env, Instance *caller, void *ctx, Slot *io, bool peer)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out = io[1].u32;
    if (!guest_ok(m, out, WASIX_ADDR_PORT_SIZE)) return wasix_ret(io, WASI_EMEMVIOLATION);
    SockRef r;
    uint32_t err = wasix_sock_get(ctx, io[0].u32, &r);
    if (err) return wasix_ret(io, err);
    OsNetAddr a;
    int res = peer ? os_net_peer_addr(r.host, &a) : os_net_local_addr(r.host, &a);
    if (res == 0 && !peer) wasix_sock_guest_view(r.sock, &a);
    if (res == 0 && a.family == OS_NET_UNIX) wasix_unix_guest_view(r.sock, peer, &a);
    wasix_sock_put(&r);
    if (res < 0) return wasix_ret(io, wasix_sock_errno(res));
    wasix_addr_port_write(m, out, &a);
    return wasix_ret(io, 0);
}

/* sock_addr_local(fd, *addr_port) -> errno */
static TrapKind wasix_sock_addr_local(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_sock_addr(env, caller, ctx, io, false);
}

/* sock_addr_peer(fd, *addr_port) -> errno: Notconn when not connected. */
static TrapKind wasix_sock_addr_peer(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return wasix_sock_addr(env, caller, ctx, io, true);
}

const WasixHostDef wasix_sock_addr_defs[] = {
    {"sock_addr_local", "ii>i", wasix_sock_addr_local},
    {"sock_addr_peer", "ii>i", wasix_sock_addr_peer},
};
const size_t wasix_sock_addr_ndefs = SP_ARRAY_LEN(wasix_sock_addr_defs);
