/*
 * wasix_resolve.c - name resolution and the virtual-network port calls:
 *
 *   resolve(host, host_len, port, *addrs, naddrs, *count)
 *       the host's resolver (getaddrinfo through os_net.h), when the policy
 *       has the network on (else Notsup); writes up to naddrs __wasi_addr_t
 *       (18 bytes each, duplicates dropped) and their count. A name that
 *       does not exist gives Noent, a temporary failure Again, an empty or
 *       NUL-holding or over-long (> 253 bytes) name Inval. The lookup runs
 *       on a worker thread of its own (os_net_resolve_start) while the
 *       calling thread waits like a blocking socket call: a process exit
 *       ends the wait (the call never returns), a host signal for the guest
 *       makes resolve return Intr (its handler runs at the next safepoint);
 *       the lookup left behind finishes and frees itself in the background.
 *   port_bridge, port_unbridge, port_dhcp_acquire, port_addr_add,
 *   port_addr_remove, port_addr_clear, port_mac, port_addr_list,
 *   port_gateway_set, port_route_add, port_route_remove, port_route_clear,
 *   port_route_list
 *       Spindle gives guests the host's network, not a virtual port of
 *       their own, so each returns Notsup (58) without touching memory, as
 *       Wasmer does on its host (local) networking.
 */
#include <stdlib.h>

#include "wasix_sock.h"

#define WASIX_HOST_NAME_MAX OS_NET_HOST_MAX
#define WASIX_RESOLVE_MAX 64

/* Copies the guest's name into buf (NUL-terminated): Memviolation, Inval. */
static uint32_t wasix_resolve_name(GuestMem m, uint32_t ptr, uint32_t len, char *buf)
{
    if (len == 0 || len > WASIX_HOST_NAME_MAX) return WASI_EINVAL;
    const char *src = guest_ptr(m, ptr, len);
    if (!src) return WASI_EMEMVIOLATION;
    memcpy(buf, src, len);
    buf[len] = '\0';
    return strlen(buf) == len ? 0 : WASI_EINVAL;
}

/* Resolves name on a worker thread, waiting interruptibly (see the
 * banner): 0 with *n addresses in found, or a WASI errno (Intr with *trap
 * set when the process is ending). */
static uint32_t wasix_resolve_wait(Process *p, const char *name, uint16_t port, OsNetAddr *found,
                                   int max, int *n, TrapKind *trap)
{
    int res;
    OsResolveJob *j = os_net_resolve_start(name, port, max, &res);
    if (!j) return wasix_sock_errno(res);
    uint32_t err = wasix_wait_fd(p, os_net_resolve_fd(j), OS_POLL_IN, 0, trap);
    if (err) {
        os_net_resolve_abandon(j);
        return err;
    }
    res = os_net_resolve_finish(j, found);
    if (res < 0) return wasix_sock_errno(res);
    *n = res;
    return 0;
}

/* resolve(host, host_len, port, *addrs, naddrs, *count) -> errno */
static TrapKind wasix_resolve(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t addrs = io[3].u32, naddrs = io[4].u32, out = io[5].u32;
    if (!guest_ok(m, out, 4) || !guest_ok(m, addrs, (uint64_t)naddrs * WASIX_ADDR_SIZE))
        return wasix_ret(io, WASI_EMEMVIOLATION);
    char name[WASIX_HOST_NAME_MAX + 1];
    uint32_t err = wasix_resolve_name(m, io[0].u32, io[1].u32, name);
    if (err) return wasix_ret(io, err);
    if (!wasix_net_enabled(((Process *)ctx)->cfg.net)) return wasix_ret(io, WASI_ENOTSUP);
    OsNetAddr found[WASIX_RESOLVE_MAX];
    int max = naddrs < WASIX_RESOLVE_MAX ? (int)naddrs : WASIX_RESOLVE_MAX, n = 0;
    if (max) err = wasix_resolve_wait(ctx, name, (uint16_t)io[2].u32, found, max, &n, &trap);
    if (trap) return trap;
    if (err) return wasix_ret(io, err);
    for (int i = 0; i < n; i++) wasix_addr_write(m, addrs + (uint32_t)i * WASIX_ADDR_SIZE, &found[i]);
    guest_st32(m, out, (uint32_t)n);
    return wasix_ret(io, 0);
}

/* Every port_* call: Notsup (see the banner). */
static TrapKind wasix_port_unsupported(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)caller;
    (void)ctx;
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    return wasix_ret(io, WASI_ENOTSUP);
}

const WasixHostDef wasix_resolve_defs[] = {
    {"resolve", "iiiiii>i", wasix_resolve},
    {"port_bridge", "iiiii>i", wasix_port_unsupported},
    {"port_unbridge", ">i", wasix_port_unsupported},
    {"port_dhcp_acquire", ">i", wasix_port_unsupported},
    {"port_addr_add", "i>i", wasix_port_unsupported},
    {"port_addr_remove", "i>i", wasix_port_unsupported},
    {"port_addr_clear", ">i", wasix_port_unsupported},
    {"port_mac", "i>i", wasix_port_unsupported},
    {"port_addr_list", "ii>i", wasix_port_unsupported},
    {"port_gateway_set", "i>i", wasix_port_unsupported},
    {"port_route_add", "iiii>i", wasix_port_unsupported},
    {"port_route_remove", "i>i", wasix_port_unsupported},
    {"port_route_clear", ">i", wasix_port_unsupported},
    {"port_route_list", "ii>i", wasix_port_unsupported},
};
const size_t wasix_resolve_ndefs = SP_ARRAY_LEN(wasix_resolve_defs);
