/*
 * wasix_tty.c - tty_get and tty_set: the process's terminal, seen through
 * its standard descriptors (guest descriptors 0, 1 and 2, whatever they are
 * now). The __wasi_tty_t record (24 bytes): u32 cols @0, rows @4, width @8,
 * height @12 (pixels); u8 booleans stdin_tty @16, stdout_tty @17,
 * stderr_tty @18, echo @19, line_buffered @20, line_feeds @21.
 *
 * When one of them is a terminal, its size and (for stdin) its echo and
 * canonical-mode settings are the real ones (os_tty_get); otherwise the
 * answer says "not a terminal" with Wasmer's default size (80 x 25
 * characters, 800 x 600 pixels), no echo and no line buffering. tty_set
 * changes echo and line buffering of stdin's terminal; with no terminal on
 * stdin it is accepted and changes nothing (as Wasmer accepts it). The size
 * is the terminal's own and is never set. A bad pointer gives Memviolation.
 */
#include <errno.h>

#include "os/os_chan.h"
#include "process.h"
#include "wasi/wasi_fdx.h"

#define WASIX_TTY_SIZE 24

/* Whether guest descriptor fd is a terminal; fills *tty from it if so. */
static bool wasix_tty_probe(WasiCtx *w, uint32_t fd, OsTty *tty)
{
    WasiFd *f;
    if (wasi_fdx_acquire(w, fd, &f)) return false;
    bool is_tty = os_tty_get(wasi_fdx_host(f), tty) == 0;
    wasi_fdx_release(f);
    return is_tty;
}

/* Fills the record at p. */
static void wasix_tty_describe(WasiCtx *w, uint8_t *p)
{
    OsTty std[3], state = {80, 25, 800, 600, false, false};
    bool is_tty[3];
    for (uint32_t fd = 0; fd < 3; fd++) is_tty[fd] = wasix_tty_probe(w, fd, &std[fd]);
    for (int fd = 2; fd >= 0; fd--) {   /* the size of the first terminal */
        if (!is_tty[fd] || std[fd].cols == 0 || std[fd].rows == 0) continue;
        state.cols = std[fd].cols, state.rows = std[fd].rows;
        state.width = std[fd].width, state.height = std[fd].height;
    }
    if (is_tty[0]) state.echo = std[0].echo, state.line_buffered = std[0].line_buffered;
    memset(p, 0, WASIX_TTY_SIZE);
    guest_put32(p, 0, state.cols);
    guest_put32(p, 4, state.rows);
    guest_put32(p, 8, state.width);
    guest_put32(p, 12, state.height);
    for (int fd = 0; fd < 3; fd++) guest_put8(p, 16 + (size_t)fd, is_tty[fd]);
    guest_put8(p, 19, state.echo);
    guest_put8(p, 20, state.line_buffered);
    guest_put8(p, 21, 1);
}

/* tty_get(*state) -> errno */
static TrapKind wasix_tty_get(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    uint8_t *p = guest_ptr(guest_mem(caller), io[0].u32, WASIX_TTY_SIZE);
    if (!p) return wasix_ret(io, WASI_EMEMVIOLATION);
    wasix_tty_describe(((Process *)ctx)->wasi, p);
    return wasix_ret(io, WASI_ESUCCESS);
}

/* tty_set(*state) -> errno */
static TrapKind wasix_tty_set(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    TrapKind trap = wasix_signals_check(env);
    if (trap) return trap;
    const uint8_t *p = guest_ptr(guest_mem(caller), io[0].u32, WASIX_TTY_SIZE);
    if (!p) return wasix_ret(io, WASI_EMEMVIOLATION);
    OsTty want = {0, 0, 0, 0, p[19] != 0, p[20] != 0};
    WasiFd *f;
    if (wasi_fdx_acquire(((Process *)ctx)->wasi, 0, &f)) return wasix_ret(io, WASI_ESUCCESS);
    int r = os_tty_set(wasi_fdx_host(f), &want);
    wasi_fdx_release(f);
    return wasix_ret(io, r == -ENOTTY ? WASI_ESUCCESS : wasi_fdx_errno(r));
}

const WasixHostDef wasix_tty_defs[] = {
    {"tty_get", "i>i", wasix_tty_get},
    {"tty_set", "i>i", wasix_tty_set},
};
const size_t wasix_tty_ndefs = SP_ARRAY_LEN(wasix_tty_defs);
