/*
 * test_os_deadline.c - the os layer's one-shot deadlines (os_deadline.h):
 * fire runs at the deadline (never before it, soon after it), a deadline in
 * the past fires at once, a cancel before the deadline prevents the fire and
 * returns without waiting for the deadline, a cancel after the fire reports
 * it, a cancel during a running fire waits for it to return, and many
 * start/cancel cycles racing the fire keep "fired at most once, and exactly
 * when cancel says so" (run under ASan for leaks and TSan for races: the
 * test carries the `thread` label).
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "os/os.h"
#include "os/os_deadline.h"
#include "testlib.h"

#define MS (1000000ull)
/* How late a fire may be: generous, as sanitizer builds share 2 cores. */
#define LATE_NS (500 * MS)

typedef struct Probe {
    atomic_int count;        /* how many times fire ran */
    _Atomic uint64_t at_ns;  /* os_monotonic_ns() when it last ran */
    uint64_t hold_ns;        /* fire sleeps this long before returning */
    atomic_int returned;     /* fire has returned */
} Probe;

static void probe_fire(void *arg)
{
    Probe *p = arg;
    atomic_store(&p->at_ns, os_monotonic_ns());
    atomic_fetch_add(&p->count, 1);
    if (p->hold_ns) usleep((useconds_t)(p->hold_ns / 1000));
    atomic_store(&p->returned, 1);
}

/* Waits up to ~5 s for p to have fired. */
static bool wait_fired(Probe *p)
{
    uint64_t until = os_monotonic_ns() + 5000 * MS;
    while (!atomic_load(&p->count)) {
        if (os_monotonic_ns() > until) return false;
        usleep(1000);
    }
    return true;
}

static void test_fires_at_deadline(void)
{
    static Probe p;
    uint64_t deadline = os_monotonic_ns() + 100 * MS;
    OsDeadline *d = os_deadline_start(deadline, probe_fire, &p);
    CHECK(d != NULL);
    CHECK(!os_deadline_fired(d));
    CHECK(wait_fired(&p));
    CHECK(atomic_load(&p.at_ns) >= deadline);
    CHECK(atomic_load(&p.at_ns) < deadline + LATE_NS);
    CHECK(os_deadline_fired(d));
    CHECK(os_deadline_cancel(d));   /* cancel after the fire reports it */
    CHECK(atomic_load(&p.count) == 1);
    CHECK(atomic_load(&p.returned) == 1);
}

static void test_past_deadline_fires_promptly(void)
{
    static Probe p1, p2;
    uint64_t now = os_monotonic_ns();
    OsDeadline *d1 = os_deadline_start(now - 1000 * MS, probe_fire, &p1);
    OsDeadline *d2 = os_deadline_start(0, probe_fire, &p2);
    CHECK(d1 && d2);
    CHECK(wait_fired(&p1) && wait_fired(&p2));
    CHECK(atomic_load(&p1.at_ns) < now + LATE_NS);
    CHECK(atomic_load(&p2.at_ns) < now + LATE_NS);
    CHECK(os_deadline_cancel(d1));
    CHECK(os_deadline_cancel(d2));
    CHECK(atomic_load(&p1.count) == 1 && atomic_load(&p2.count) == 1);
}

static void test_cancel_before_deadline(void)
{
    static Probe p;
    uint64_t start = os_monotonic_ns();
    OsDeadline *d = os_deadline_start(start + 10000 * MS, probe_fire, &p);
    CHECK(d != NULL);
    usleep(20000);
    CHECK(!os_deadline_fired(d));
    CHECK(!os_deadline_cancel(d));
    CHECK(os_monotonic_ns() - start < 5000 * MS); /* woken, not slept out */
    CHECK(atomic_load(&p.count) == 0);
    /* A deadline that never comes (no timeout overflow either). */
    d = os_deadline_start(UINT64_MAX, probe_fire, &p);
    CHECK(d != NULL);
    CHECK(!os_deadline_cancel(d));
    CHECK(atomic_load(&p.count) == 0);
    CHECK(!os_deadline_cancel(NULL));
}

static void test_cancel_waits_for_running_fire(void)
{
    static Probe p;
    p.hold_ns = 100 * MS;
    OsDeadline *d = os_deadline_start(0, probe_fire, &p);
    CHECK(d != NULL);
    CHECK(wait_fired(&p));          /* fire has started and is sleeping */
    CHECK(os_deadline_cancel(d));
    CHECK(atomic_load(&p.returned) == 1);
    CHECK(atomic_load(&p.count) == 1);
}

/* Start/cancel cycles whose deadlines fall before, around and after the
 * cancel: each fires at most once and cancel's answer matches. */
static void test_many_cycles(void)
{
    enum { CYCLES = 2000 };
    static Probe probes[CYCLES];
    static int at_cancel[CYCLES];
    int fired = 0, mismatched = 0, twice = 0;
    for (int i = 0; i < CYCLES; i++) {
        uint64_t now = os_monotonic_ns();
        uint64_t deadline = i % 4 == 0 ? 0 : i % 4 == 1 ? now + 20000 : i % 4 == 2 ? now + 200000
                                                                                   : now + 1000 * MS;
        OsDeadline *d = os_deadline_start(deadline, probe_fire, &probes[i]);
        if (!d) {
            CHECK(d != NULL);
            break;
        }
        if (i % 8 == 0 || i % 8 == 2) usleep(300);
        bool f = os_deadline_cancel(d);
        int count = atomic_load(&probes[i].count);
        at_cancel[i] = count;
        fired += f;
        mismatched += f != (count == 1);
        twice += count > 1;
    }
    CHECK(mismatched == 0);
    CHECK(twice == 0);
    CHECK(fired > 0);          /* at least the past deadlines raced and some won */
    CHECK(fired < CYCLES);     /* the far ones never fire */
    usleep(20000);             /* nothing fires after its cancel returned */
    int late = 0;
    for (int i = 0; i < CYCLES; i++) late += atomic_load(&probes[i].count) != at_cancel[i];
    CHECK(late == 0);
}

int main(void)
{
    test_fires_at_deadline();
    test_past_deadline_fires_promptly();
    test_cancel_before_deadline();
    test_cancel_waits_for_running_fire();
    test_many_cycles();
    return test_summary();
}
