/*
 * test_os_thread.c - the os layer's thread helpers (os_thread.h): a detached
 * thread runs with the stack size asked for, os_thread_nudge knocks a thread
 * out of a blocking read() with EINTR (what a process exit relies on for
 * host calls that do not watch the interrupt flag), and the CPU count.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/os.h"
#include "os/os_thread.h"
#include "testlib.h"

typedef struct Reader {
    int fd;
    atomic_int started;
    atomic_int result;     /* 0 until read returned; then 1 + errno */
    atomic_int release;    /* the thread may end (it must outlive every nudge) */
    char stack_probe;      /* the last byte of a large local array */
} Reader;

static void *reader_main(void *arg)
{
    Reader *r = arg;
    char big[2 << 20]; /* 2 MiB of the 4 MiB stack asked for */
    memset(big, 1, sizeof big);
    r->stack_probe = big[sizeof big - 1];
    atomic_store(&r->started, 1);
    char c;
    ssize_t n = read(r->fd, &c, 1);
    atomic_store(&r->result, 1 + (n < 0 ? errno : 0));
    while (!atomic_load(&r->release)) os_thread_yield();
    return NULL;
}

/* Waits up to ~5 s for *flag to become non-zero. */
static bool wait_flag(atomic_int *flag)
{
    uint64_t until = os_monotonic_ns() + 5000000000ull;
    while (!atomic_load(flag)) {
        if (os_monotonic_ns() > until) return false;
        os_thread_yield();
    }
    return true;
}

static void test_nudge_interrupts_read(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    static Reader r; /* outlives the detached thread */
    r.fd = fds[0];
    OsThread t;
    CHECK(os_thread_start(&t, (size_t)4 << 20, reader_main, &r));
    CHECK(wait_flag(&r.started));
    CHECK(r.stack_probe == 1);
    /* The reader may not be inside read() yet: nudge until it comes out. */
    uint64_t until = os_monotonic_ns() + 5000000000ull;
    while (!atomic_load(&r.result) && os_monotonic_ns() < until) {
        CHECK(os_thread_nudge(&t));
        usleep(2000);
    }
    CHECK(atomic_load(&r.result) == 1 + EINTR);
    atomic_store(&r.release, 1);
    close(fds[0]);
    close(fds[1]);
}

static void test_cpu_count(void)
{
    CHECK(os_cpu_count() >= 1);
}

int main(void)
{
    test_nudge_interrupts_read();
    test_cpu_count();
    return test_summary();
}
