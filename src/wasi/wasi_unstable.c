/*
 * wasi_unstable.c - `wasi_unstable` (WASI snapshot0), preview1's
 * predecessor. Same functions minus sock_accept, with three differences
 * that matter at the ABI level:
 *   - whence is CUR=0, END=1, SET=2 (preview1: SET=0, CUR=1, END=2);
 *   - filestat holds a u32 link count, so it is 56 bytes (preview1: 64);
 *   - a clock subscription starts with a u64 `identifier`, so a
 *     subscription is 56 bytes (preview1: 48).
 * Every other function is preview1's body.
 */
#include "wasi_internal.h"

enum { WASI0_WHENCE_CUR = 0, WASI0_WHENCE_END = 1, WASI0_WHENCE_SET = 2 };
enum { WASI0_FILESTAT_SIZE = 56, WASI0_SUBSCRIPTION_SIZE = 56 };

static uint32_t wasi_unstable_fd_seek(WasiCall *c, const Slot *a)
{
    static const int os_whence[] = {OS_SEEK_CUR, OS_SEEK_END, OS_SEEK_SET};
    uint32_t whence = wasi_a32(a, 2);
    if (whence > WASI0_WHENCE_SET) return WASI_EINVAL;
    return wasi_fd_seek_impl(c, wasi_a32(a, 0), (int64_t)wasi_a64(a, 1), os_whence[whence],
                             wasi_a32(a, 3));
}

static uint32_t wasi_unstable_store_filestat(WasiCall *c, uint32_t ptr, const OsStat *st)
{
    uint8_t *p = guest_ptr(c->mem, ptr, WASI0_FILESTAT_SIZE);
    if (!p) return WASI_EFAULT;
    memset(p, 0, WASI0_FILESTAT_SIZE);
    guest_put64(p, 0, st->dev);
    guest_put64(p, 8, st->ino);
    guest_put8(p, 16, wasi_abi_filetype(st->type));
    guest_put32(p, 20, st->nlink > UINT32_MAX ? UINT32_MAX : (uint32_t)st->nlink);
    guest_put64(p, 24, st->size);
    guest_put64(p, 32, st->atim);
    guest_put64(p, 40, st->mtim);
    guest_put64(p, 48, st->ctim);
    return 0;
}

static uint32_t wasi_unstable_fd_filestat_get(WasiCall *c, const Slot *a)
{
    if (!guest_ok(c->mem, wasi_a32(a, 1), WASI0_FILESTAT_SIZE)) return WASI_EFAULT;
    OsStat st;
    uint32_t err = wasi_fd_stat_impl(c, wasi_a32(a, 0), &st);
    return err ? err : wasi_unstable_store_filestat(c, wasi_a32(a, 1), &st);
}

static uint32_t wasi_unstable_path_filestat_get(WasiCall *c, const Slot *a)
{
    if (!guest_ok(c->mem, wasi_a32(a, 4), WASI0_FILESTAT_SIZE)) return WASI_EFAULT;
    OsStat st;
    uint32_t err = wasi_path_stat_impl(c, a, &st);
    return err ? err : wasi_unstable_store_filestat(c, wasi_a32(a, 4), &st);
}

/* Decodes snapshot0 subscriptions: userdata, tag, then at 16 either the
 * clock {identifier, id, timeout, precision, flags} or the fd. */
static uint32_t wasi_unstable_decode(const uint8_t *in, uint32_t n, WasiSub *subs)
{
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = in + (size_t)i * WASI0_SUBSCRIPTION_SIZE;
        WasiSub *s = &subs[i];
        *s = (WasiSub){.userdata = guest_get64(p, 0), .type = p[8]};
        if (s->type == WASI_EVENT_CLOCK) {
            s->clock_id = guest_get32(p, 24);
            s->timeout = guest_get64(p, 32);
            s->flags = guest_get16(p, 48);
        } else if (s->type == WASI_EVENT_FD_READ || s->type == WASI_EVENT_FD_WRITE) {
            s->fd = guest_get32(p, 16);
        } else {
            return WASI_EINVAL;
        }
    }
    return 0;
}

static uint32_t wasi_unstable_poll_oneoff(WasiCall *c, const Slot *a)
{
    return wasi_poll_oneoff_with(c, a, WASI0_SUBSCRIPTION_SIZE, wasi_unstable_decode);
}

static const WasiFuncDef wasi_unstable_overrides[] = {
    {"fd_seek", "iIii>i", wasi_unstable_fd_seek, true},
    {"fd_filestat_get", "ii>i", wasi_unstable_fd_filestat_get, true},
    {"path_filestat_get", "iiiii>i", wasi_unstable_path_filestat_get, true},
    {"poll_oneoff", "iiii>i", wasi_unstable_poll_oneoff, true},
};

/* The 45 functions of wasi_unstable. */
static const char *const wasi_unstable_names[] = {
    "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get",
    "clock_time_get", "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get",
    "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
    "fd_filestat_set_times", "fd_pread", "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite",
    "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
    "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link",
    "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
    "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "random_get", "sched_yield",
    "sock_recv", "sock_send", "sock_shutdown",
};

static const WasiFuncDef *wasi_unstable_find(const char *name)
{
    for (size_t i = 0; i < SP_ARRAY_LEN(wasi_unstable_overrides); i++)
        if (strcmp(wasi_unstable_overrides[i].name, name) == 0) return &wasi_unstable_overrides[i];
    return wasi_define_find(name);
}

SpResult wasi_define_unstable(Linker *l, Store *s, WasiCtx *ctx)
{
    for (size_t i = 0; i < SP_ARRAY_LEN(wasi_unstable_names); i++) {
        const WasiFuncDef *d = wasi_unstable_find(wasi_unstable_names[i]);
        SpResult e = d ? wasi_define_table(l, s, ctx, "wasi_unstable", d, 1) : ERR_WASI_MISSING;
        if (e) return e;
    }
    return SP_OK;
}
