/*
 * wasix_fd.c - the WASIX descriptor family besides epoll and the terminal:
 * fd_dup, fd_dup2, fd_pipe, fd_event, fd_fdflags_get and fd_fdflags_set.
 *
 * The descriptors live in the wasi layer's table (wasi_fdx.h); their host
 * side comes from the os layer (os_chan.h), so fd_read, fd_write, fd_close,
 * fd_fdstat_get/set_flags, poll_oneoff and epoll work on them like on any
 * descriptor, from every thread.
 *
 *   fd_dup(fd, *out)                    lowest free descriptor, cloexec off
 *   fd_dup2(fd, min, cloexec, *out)     lowest free >= min (fcntl F_DUPFD);
 *                                       min past the table's limit: Inval
 *   fd_pipe(*fd0, *fd1)                 a bidirectional pipe, as the ABI's
 *                                       doc says and Wasmer's pipes behave
 *                                       (example-unix-pipe reads and writes
 *                                       both ends): what one end writes the
 *                                       other reads. A superset of POSIX
 *                                       pipe(): fd0 reads what fd1 writes
 *   fd_event(initial, flags, *out)      an eventfd: bit 0 semaphore, bit 2
 *                                       non-blocking (wasix-libc passes its
 *                                       EFD_NONBLOCK = O_NONBLOCK = 4); other
 *                                       bits are ignored, as Wasmer does
 *   fd_fdflags_get(fd, *u16) / fd_fdflags_set(fd, flags)
 *                                       fdflagsext: bit 0 close-on-exec;
 *                                       other bits: Inval
 * Bad output pointers give Memviolation, as the other WASIX calls, before
 * anything is created.
 */
#include "os/os_chan.h"
#include "os/os_fs.h"
#include "process.h"
#include "wasi/wasi_fdx.h"

enum { WASIX_EVENTFD_SEMAPHORE = 1u << 0, WASIX_EVENTFD_NONBLOCK = 1u << 2 };
enum { WASIX_FDFLAGSEXT_CLOEXEC = 1u << 0 };

static inline WasiCtx *wasix_fd_ctx(void *ctx)
{
    return ((Process *)ctx)->wasi;
}

/* Stores a new descriptor number at out (checked by the caller). */
static TrapKind wasix_fd_put(Instance *caller, Slot *io, uint32_t err, uint32_t out, uint32_t fd)
{
    if (!err) guest_st32(guest_mem(caller), out, fd);
    return wasix_ret(io, err);
}

/* fd_dup(fd, *out) -> errno */
static TrapKind wasix_fd_dup(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t out = io[1].u32, fd = 0;
    if (!guest_ok(guest_mem(caller), out, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    uint32_t err = wasi_fdx_dup(wasix_fd_ctx(ctx), io[0].u32, 0, false, &fd);
    return wasix_fd_put(caller, io, err, out, fd);
}

/* fd_dup2(fd, min_result_fd, cloexec, *out) -> errno */
static TrapKind wasix_fd_dup2(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t out = io[3].u32, fd = 0;
    if (!guest_ok(guest_mem(caller), out, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    uint32_t err = wasi_fdx_dup(wasix_fd_ctx(ctx), io[0].u32, io[1].u32, io[2].u32 != 0, &fd);
    return wasix_fd_put(caller, io, err, out, fd);
}

/* fd_pipe(*read_end, *write_end) -> errno. If the second end finds no slot,
 * the first is closed again. */
static TrapKind wasix_fd_pipe(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    GuestMem m = guest_mem(caller);
    uint32_t out0 = io[0].u32, out1 = io[1].u32;
    if (!guest_ok(m, out0, 4) || !guest_ok(m, out1, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    int host[2];
    int r = os_pipe(host, true);
    if (r < 0) return wasix_ret(io, wasi_fdx_errno(r));
    WasiCtx *w = wasix_fd_ctx(ctx);
    uint32_t rd = 0, wr = 0;
    uint32_t err = wasi_fdx_install(w, host[0], NULL, &rd);
    if (err) {
        os_fs_close(host[1]);
        return wasix_ret(io, err);
    }
    err = wasi_fdx_install(w, host[1], NULL, &wr);
    if (err) {
        wasi_fdx_close(w, rd);
        return wasix_ret(io, err);
    }
    guest_st32(m, out0, rd);
    guest_st32(m, out1, wr);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* fd_event(initial_val, flags, *out) -> errno */
static TrapKind wasix_fd_event(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint64_t initial = io[0].u64;
    uint32_t flags = io[1].u32, out = io[2].u32, fd = 0;
    if (!guest_ok(guest_mem(caller), out, 4)) return wasix_ret(io, WASI_EMEMVIOLATION);
    int host = os_eventfd(initial, flags & WASIX_EVENTFD_SEMAPHORE, flags & WASIX_EVENTFD_NONBLOCK);
    if (host < 0) return wasix_ret(io, wasi_fdx_errno(host));
    uint32_t err = wasi_fdx_install(wasix_fd_ctx(ctx), host, NULL, &fd);
    return wasix_fd_put(caller, io, err, out, fd);
}

/* fd_fdflags_get(fd, *flags) -> errno; flags is a u16 */
static TrapKind wasix_fd_fdflags_get(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t out = io[1].u32;
    if (!guest_ok(guest_mem(caller), out, 2)) return wasix_ret(io, WASI_EMEMVIOLATION);
    bool cloexec = false;
    uint32_t err = wasi_fdx_cloexec_get(wasix_fd_ctx(ctx), io[0].u32, &cloexec);
    if (!err) guest_st16(guest_mem(caller), out, cloexec ? WASIX_FDFLAGSEXT_CLOEXEC : 0);
    return wasix_ret(io, err);
}

/* fd_fdflags_set(fd, flags) -> errno */
static TrapKind wasix_fd_fdflags_set(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint32_t flags = io[1].u32;
    if (flags & ~(uint32_t)WASIX_FDFLAGSEXT_CLOEXEC) {
        WasiFd *f;   /* a bad descriptor is reported first */
        uint32_t err = wasi_fdx_acquire(wasix_fd_ctx(ctx), io[0].u32, &f);
        if (err) return wasix_ret(io, err);
        wasi_fdx_release(f);
        return wasix_ret(io, WASI_EINVAL);
    }
    bool on = (flags & WASIX_FDFLAGSEXT_CLOEXEC) != 0;
    return wasix_ret(io, wasi_fdx_cloexec_set(wasix_fd_ctx(ctx), io[0].u32, on));
}

const WasixHostDef wasix_fd_defs[] = {
    {"fd_dup", "ii>i", wasix_fd_dup},
    {"fd_dup2", "iiii>i", wasix_fd_dup2},
    {"fd_pipe", "ii>i", wasix_fd_pipe},
    {"fd_event", "Iii>i", wasix_fd_event},
    {"fd_fdflags_get", "ii>i", wasix_fd_fdflags_get},
    {"fd_fdflags_set", "ii>i", wasix_fd_fdflags_set},
};
const size_t wasix_fd_ndefs = SP_ARRAY_LEN(wasix_fd_defs);
