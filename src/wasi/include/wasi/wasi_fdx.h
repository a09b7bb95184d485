/*
 * wasi_fdx.h - the descriptor table's services for the layer above (WASIX):
 * putting descriptors it made (pipes, event counters, epoll loops) into a
 * process's table, duplicating descriptors, the close-on-exec flag, and
 * borrowing a descriptor's host side for a call.
 *
 * A descriptor is a reference-counted WasiFd shared by every thread of the
 * process (wasi.h). A duplicate is a new WasiFd on a duplicated host
 * descriptor: it shares the open file (offset, status flags) and any
 * extension object, and has its own close-on-exec flag and rights. All
 * functions are thread-safe and return a WASI errno (wasi_errno.h).
 */
#ifndef SPINDLE_WASI_FDX_H
#define SPINDLE_WASI_FDX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "wasi/wasi.h"

typedef struct WasiFd WasiFd;

/* An object the layer above hangs on its descriptors (the epoll interest
 * list). Reference counted: each WasiFd holding it owns one reference, and
 * destroy runs when the last is dropped. `kind` tells its owner what it is. */
typedef struct WasiFdExt {
    atomic_int refs;
    int kind;
    void (*destroy)(struct WasiFdExt *ext);
} WasiFdExt;

/* Drops one reference to ext (NULL is fine). */
void wasi_fdx_ext_release(WasiFdExt *ext);

/* Puts host descriptor host_fd (which the table then owns) into the lowest
 * free slot as a stream descriptor (pipe, event counter, loop: filetype
 * unknown, read/write/poll rights, no seek), with ext (the caller's
 * reference passes to it; NULL for none). On failure host_fd is closed and
 * ext released: EMFILE, ENOMEM. */
uint32_t wasi_fdx_install(WasiCtx *ctx, int host_fd, WasiFdExt *ext, uint32_t *fd_out);

/* The same for a socket WASIX made: filetype socket_stream (stream) or
 * socket_dgram, the socket rights (read, write, poll, accept, shutdown), so
 * preview1's sock_* and fd_* calls treat it like a handed-in socket. */
uint32_t wasi_fdx_install_socket(WasiCtx *ctx, int host_fd, bool stream, WasiFdExt *ext,
                                 uint32_t *fd_out);

/* Duplicates fd into the lowest free slot >= min_fd, close-on-exec when
 * asked: EBADF, EINVAL (min_fd past the table's limit), EMFILE, ENOMEM, or a
 * host error. */
uint32_t wasi_fdx_dup(WasiCtx *ctx, uint32_t fd, uint32_t min_fd, bool cloexec, uint32_t *fd_out);

/* Closes fd (as fd_close). */
uint32_t wasi_fdx_close(WasiCtx *ctx, uint32_t fd);

/* Reads / sets fd's close-on-exec flag: EBADF. */
uint32_t wasi_fdx_cloexec_get(WasiCtx *ctx, uint32_t fd, bool *out);
uint32_t wasi_fdx_cloexec_set(WasiCtx *ctx, uint32_t fd, bool on);

/* Takes a reference on fd for the length of a call (EBADF when not open);
 * give it back with wasi_fdx_release. */
uint32_t wasi_fdx_acquire(WasiCtx *ctx, uint32_t fd, WasiFd **out);
void wasi_fdx_release(WasiFd *f);
/* True when guest descriptor fd is, right now, the descriptor f. */
bool wasi_fdx_is(WasiCtx *ctx, uint32_t fd, const WasiFd *f);

/* A borrowed descriptor's host descriptor, extension (or NULL), and whether
 * it is always ready (regular files and directories are never waited on). */
int wasi_fdx_host(const WasiFd *f);
WasiFdExt *wasi_fdx_ext(const WasiFd *f);
bool wasi_fdx_always_ready(const WasiFd *f);
/* Whether the guest made the descriptor non-blocking (its host descriptor
 * is then O_NONBLOCK too), and whether it is a socket (filetype). */
bool wasi_fdx_nonblocking(const WasiFd *f);
bool wasi_fdx_is_socket(const WasiFd *f);

/* In a forked child, before any other thread runs: for every descriptor
 * whose extension is of `kind`, calls fn(f, ext, arg) without the table
 * lock; fn returns a new host descriptor to take the place of f's (the old
 * one is closed) or -1 to keep it. (WASIX gives a child's epoll descriptors
 * loops of their own.) */
void wasi_fdx_rehost(WasiCtx *ctx, int kind, int (*fn)(WasiFd *f, WasiFdExt *ext, void *arg),
                     void *arg);

/* A saved copy of a descriptor table (WASIX vfork: the child's changes to
 * its descriptors are undone when the parent resumes). */
typedef struct WasiFdTable WasiFdTable;

/* Saves the table: every open slot's descriptor (one reference each) and
 * its close-on-exec flag. NULL without memory. */
WasiFdTable *wasi_fdx_table_save(WasiCtx *ctx);
/* Puts a saved table back in place of the current one (whose descriptors
 * are released) and frees it. */
void wasi_fdx_table_restore(WasiCtx *ctx, WasiFdTable *t);
/* Frees a saved table without restoring it (its references released). */
void wasi_fdx_table_free(WasiFdTable *t);

/* The WASI errno for a negative host errno from the os layer (0 -> 0). */
uint32_t wasi_fdx_errno(int64_t neg_errno);

/* The context's wake-up event (os_io.h): signalled when the process ends,
 * so a wait that includes it returns promptly. */
int wasi_ctx_wake_fd(WasiCtx *ctx);

#endif
