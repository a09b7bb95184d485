/*
 * test_wasi_ctx.c - the WASI context itself: preopen errors, the descriptor
 * table (lowest free number, renumber, close, rights that only shrink,
 * references that keep a descriptor alive across a concurrent close, a
 * close/use race), which names wasi_define_* provide, a caller without
 * memory, and the snapshot0 layouts of wasi_unstable (guest
 * tests/guests/wasi_unstable.wat).
 */
#include "wasi_harness.h"   /* first: it defines _GNU_SOURCE */

#include <pthread.h>

#include "wasi_internal.h"

static const char *const preview1_names[46] = {
    "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get",
    "clock_time_get", "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get",
    "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
    "fd_filestat_set_times", "fd_pread", "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite",
    "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
    "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link",
    "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
    "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get",
    "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
};

static WasiCtx *new_ctx(void)
{
    const char *args[] = {"t"};
    WasiConfig cfg = {1, args, 0, NULL, 0, NULL};
    SpResult err = SP_OK;
    WasiCtx *ctx = wasi_ctx_new(&cfg, &err);
    CHECK(ctx != NULL && err == SP_OK);
    return ctx;
}

static void test_preopen_errors(void)
{
    WasiPreopen pre = {"/nonexistent/spindle-dir", "/x"};
    WasiConfig cfg = {0, NULL, 0, NULL, 1, &pre};
    SpResult err = SP_OK;
    CHECK(wasi_ctx_new(&cfg, &err) == NULL && err == ERR_PREOPEN_NOENT);
    CHECK(wasi_check_preopen("/etc/hostname") == NULL || strcmp(wasi_check_preopen("/etc/hostname"), "not a directory") == 0);
    CHECK(wasi_check_preopen("/") == SP_OK);
}

/* A WasiFd around one end of a fresh pipe (the other end is closed). */
static WasiFd *pipe_fd(uint64_t rights)
{
    int p[2];
    if (pipe(p) != 0) return NULL;
    close(p[1]);
    return wasi_ctx_fd_new(p[0], true, WASI_FT_UNKNOWN, rights, 0);
}

static void test_table(void)
{
    WasiCtx *ctx = new_ctx();
    if (!ctx) return;
    uint32_t a = 0, b = 0;
    WasiFd *fa = pipe_fd(R_(FD_READ));
    CHECK(wasi_ctx_fd_insert(ctx, fa, &a) == 0 && a == 3);
    CHECK(wasi_ctx_fd_insert(ctx, pipe_fd(R_(FD_READ) | R_(FD_WRITE)), &b) == 0 && b == 4);
    WasiFd *got = NULL;
    CHECK(wasi_ctx_fd_acquire(ctx, a, R_(FD_WRITE), &got) == WASI_ENOTCAPABLE && got == NULL);
    CHECK(wasi_ctx_fd_acquire(ctx, 99, 0, &got) == WASI_EBADF);
    /* A reference keeps the descriptor (and its host fd) alive after close. */
    CHECK(wasi_ctx_fd_acquire(ctx, a, R_(FD_READ), &got) == 0 && got == fa);
    WasiFd *removed = NULL;
    CHECK(wasi_ctx_fd_remove(ctx, a, &removed) == 0 && removed == fa);
    wasi_ctx_fd_release(removed);
    CHECK(fcntl(fa->host_fd, F_GETFD) >= 0);
    wasi_ctx_fd_release(got);
    CHECK(wasi_ctx_fd_acquire(ctx, a, 0, &got) == WASI_EBADF);
    /* The lowest free number is reused. */
    uint32_t c = 0;
    CHECK(wasi_ctx_fd_insert(ctx, pipe_fd(0), &c) == 0 && c == 3);
    CHECK(wasi_ctx_fd_renumber(ctx, b, 50, false) == WASI_EBADF);   /* preview1 */
    CHECK(wasi_ctx_fd_renumber(ctx, b, c, false) == 0);
    /* WASIX: onto a closed number (dup2 + close), within the table's limit. */
    CHECK(wasi_ctx_fd_renumber(ctx, c, 50, true) == 0);
    CHECK(wasi_ctx_fd_acquire(ctx, c, 0, &got) == WASI_EBADF);
    CHECK(wasi_ctx_fd_renumber(ctx, 50, WASI_MAX_FDS, true) == WASI_EBADF);
    CHECK(wasi_ctx_fd_renumber(ctx, 51, 52, true) == WASI_EBADF);
    CHECK(wasi_ctx_fd_renumber(ctx, 50, c, true) == 0);
    CHECK(wasi_ctx_fd_acquire(ctx, b, 0, &got) == WASI_EBADF);
    CHECK(wasi_ctx_fd_acquire(ctx, c, R_(FD_WRITE), &got) == 0);
    /* Rights only shrink. */
    CHECK(wasi_ctx_fd_set_rights(ctx, got, R_(FD_READ), 0) == 0);
    CHECK(wasi_ctx_fd_set_rights(ctx, got, R_(FD_READ) | R_(FD_WRITE), 0) == WASI_ENOTCAPABLE);
    uint64_t base, inh;
    wasi_ctx_fd_rights(ctx, got, &base, &inh);
    CHECK(base == R_(FD_READ) && inh == 0);
    wasi_ctx_fd_release(got);
    wasi_ctx_free(ctx);
}

/* One thread uses descriptor 3 while another closes and reopens it: each
 * use sees either a live descriptor or EBADF, never a freed one. */
typedef struct RaceArgs {
    WasiCtx *ctx;
    atomic_int stop;
    long uses, misses;
} RaceArgs;

static void *race_user(void *p)
{
    RaceArgs *r = p;
    while (!atomic_load(&r->stop)) {
        WasiFd *f;
        if (wasi_ctx_fd_acquire(r->ctx, 3, 0, &f) == 0) {
            if (fcntl(f->host_fd, F_GETFD) < 0) r->misses++;
            wasi_ctx_fd_release(f);
            r->uses++;
        }
    }
    return NULL;
}

static void test_close_race(void)
{
    RaceArgs r = {.ctx = new_ctx()};
    if (!r.ctx) return;
    uint32_t fd;
    CHECK(wasi_ctx_fd_insert(r.ctx, pipe_fd(0), &fd) == 0 && fd == 3);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, race_user, &r) == 0);
    for (int i = 0; i < 20000; i++) {
        WasiFd *old = NULL;
        if (wasi_ctx_fd_remove(r.ctx, 3, &old) == 0) wasi_ctx_fd_release(old);
        wasi_ctx_fd_insert(r.ctx, pipe_fd(0), &fd);
    }
    atomic_store(&r.stop, 1);
    pthread_join(t, NULL);
    CHECK(r.misses == 0);
    wasi_ctx_free(r.ctx);
}

static void test_defined_names(void)
{
    WasiCtx *ctx = new_ctx();
    Linker *l = linker_new();
    if (!ctx || !l) return;
    CHECK(wasi_define_preview1(l, test_store(), ctx, "wasi_snapshot_preview1") == SP_OK);
    CHECK(wasi_define_preview1(l, test_store(), ctx, "wasix_32v1") == SP_OK);
    CHECK(wasi_define_unstable(l, test_store(), ctx) == SP_OK);
    int p1 = 0, x = 0, u = 0;
    for (size_t i = 0; i < 46; i++) {
        Extern e;
        const char *n = preview1_names[i];
        p1 += linker_lookup(l, "wasi_snapshot_preview1", 22, n, strlen(n), &e) && e.kind == EXTERN_FUNC;
        x += linker_lookup(l, "wasix_32v1", 10, n, strlen(n), &e);
        u += linker_lookup(l, "wasi_unstable", 13, n, strlen(n), &e);
    }
    CHECK(p1 == 46 && x == 46 && u == 45);
    Extern e;
    CHECK(!linker_lookup(l, "wasi_unstable", 13, "sock_accept", 11, &e));
    linker_free(l);
    wasi_ctx_free(ctx);
}

/* (module (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
 *         (func (export "go") (result i32) (call 0 (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))) */
static const uint8_t no_memory_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x02, 0x60, 0x04, 0x7f, 0x7f,
    0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x23, 0x01, 0x16, 'w', 'a', 's', 'i',
    '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_', 'p', 'r', 'e', 'v', 'i', 'e', 'w', '1',
    0x08, 'f', 'd', '_', 'w', 'r', 'i', 't', 'e', 0x00, 0x00, 0x03, 0x02, 0x01, 0x01, 0x07,
    0x06, 0x01, 0x02, 'g', 'o', 0x00, 0x01, 0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x41, 0x01, 0x41,
    0x00, 0x41, 0x00, 0x41, 0x00, 0x10, 0x00, 0x0b,
};

static void test_no_memory(void)
{
    Module *m = NULL;
    SpDiag diag = {0};
    CHECK(module_load(no_memory_module, sizeof no_memory_module, &m, &diag) == SP_OK);
    WasiCtx *ctx = new_ctx();
    Linker *l = linker_new();
    ExecEnv *env = env_new(0, 0);
    Instance *inst = NULL;
    TrapKind trap;
    if (!m || !ctx || !l || !env) goto done;
    CHECK(wasi_define_preview1(l, test_store(), ctx, "wasi_snapshot_preview1") == SP_OK);
    CHECK(linker_instantiate(l, test_store(), m, env, &inst, &trap, &diag) == SP_OK);
    Extern go;
    if (inst && instance_export(inst, "go", 2, &go)) {
        Slot io[1];
        CHECK(func_call(env, go.u.func, io) == TRAP_HOST);
        CHECK(strstr(env->trap_msg, "fd_write: the calling module has no memory") != NULL);
    }
done:
    if (inst) instance_free(inst);
    linker_free(l);
    env_free(env);
    wasi_ctx_free(ctx);
    module_free(m);
}

static void test_unstable_layouts(void)
{
    char dir[256];
    CHECK(scratch_dir(dir, sizeof dir));
    CHECK(scratch_write(dir, "f", "0123456789"));
    WasiPreopen pre = {dir, "/"};
    const char *args[] = {"wasi_unstable"};
    WasiConfig cfg = {1, args, 0, NULL, 1, &pre};
    int status = guest_run("wasi_unstable", &cfg);
    if (status != 0) fprintf(stderr, "wasi_unstable: failed check %d\n", status);
    CHECK(status == 0);
    scratch_remove(dir);
}

int main(int argc, char **argv)
{
    test_preopen_errors();
    test_table();
    test_close_race();
    test_defined_names();
    test_no_memory();
    test_unstable_layouts();
    return test_summary();
}
