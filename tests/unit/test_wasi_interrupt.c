/*
 * test_wasi_interrupt.c - wasi_ctx_interrupt ends blocking WASI calls of
 * another thread promptly: a 60 s poll_oneoff sleep, an fd_read of a FIFO
 * nobody writes to, and a poll_oneoff on that FIFO (guest
 * tests/guests/wasi_block.c). Each call ends with TRAP_INTERRUPTED, or with
 * TRAP_EXIT and the recorded code when the process is exiting; calls made
 * after the interrupt do not block at all.
 */
#include "wasi_harness.h"   /* first: it defines _GNU_SOURCE */

#include <pthread.h>
#include <time.h>

#include "os/os.h"

static char dir[256];
static Module *guest;

typedef struct BlockRun {
    WasiCtx *ctx;
    const char *mode;
    int status;
    atomic_int done;
} BlockRun;

static void *block_thread(void *p)
{
    BlockRun *r = p;
    ExecEnv *env = env_new(0, 0);
    r->status = env ? guest_start(guest, r->ctx, env) : -1;
    env_free(env);
    atomic_store(&r->done, 1);
    return NULL;
}

/* Waits up to ms for r to finish; true when it did. */
static bool wait_done(BlockRun *r, int ms)
{
    for (int i = 0; i < ms && !atomic_load(&r->done); i++) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return atomic_load(&r->done);
}

static WasiCtx *block_ctx(const char *mode)
{
    static const char *args[2];
    args[0] = "wasi_block";
    args[1] = mode;
    WasiPreopen pre = {dir, "/"};
    WasiConfig cfg = {2, args, 0, NULL, 1, &pre};
    SpResult err = SP_OK;
    WasiCtx *ctx = wasi_ctx_new(&cfg, &err);
    CHECK(ctx != NULL);
    return ctx;
}

/* Runs the guest in `mode` on a thread, checks it blocks, interrupts it
 * (after recording exit code `exit_code` when >= 0) and checks how and how
 * fast it ended. */
static void test_mode(const char *mode, int exit_code)
{
    BlockRun r = {.ctx = block_ctx(mode), .mode = mode, .status = -2};
    if (!r.ctx) return;
    pthread_t t;
    CHECK(pthread_create(&t, NULL, block_thread, &r) == 0);
    CHECK(!wait_done(&r, 300));   /* still blocked */
    uint64_t t0 = os_monotonic_ns();
    if (exit_code >= 0) CHECK(wasi_ctx_set_exit(r.ctx, exit_code) == exit_code);
    wasi_ctx_interrupt(r.ctx);
    CHECK(wait_done(&r, 5000));
    uint64_t waited = os_monotonic_ns() - t0;
    pthread_join(t, NULL);
    int want = exit_code >= 0 ? exit_code : GUEST_TRAPPED(TRAP_INTERRUPTED);
    if (r.status != want) fprintf(stderr, "%s: status %d, expected %d\n", mode, r.status, want);
    CHECK(r.status == want);
    CHECK(waited < 1000000000ull);
    /* Later calls on an interrupted context do not block. */
    BlockRun again = {.ctx = r.ctx, .mode = mode, .status = -2};
    block_thread(&again);
    CHECK(again.status == want);
    wasi_ctx_free(r.ctx);
}

int main(int argc, char **argv)
{
    CHECK(scratch_dir(dir, sizeof dir));
    char fifo[300];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    CHECK(mkfifo(fifo, 0666) == 0);
    int keep = open(fifo, O_RDWR);   /* a writer that never writes */
    CHECK(keep >= 0);
    guest = guest_load("wasi_block");
    CHECK(guest != NULL);
    if (guest) {
        test_mode("sleep", -1);
        test_mode("read", -1);
        test_mode("poll", -1);
        test_mode("sleep", 3);
        test_mode("read", 42);
    }
    module_free(guest);
    close(keep);
    scratch_remove(dir);
    return test_summary();
}
