/*
 * parking.c - the parking lot: threads waiting on a host address until
 * another thread notifies it. It serves memory.atomic.wait/notify and, later,
 * WASIX futex_wait/futex_wake, so either kind of waiter is woken by either
 * kind of notify (keys are host addresses, i.e. memory base + offset).
 *
 * Structure: a fixed table of buckets chosen by hashing the address; each
 * bucket is a mutex and a FIFO list of waiters (all addresses hashing there).
 * A waiter lives on its own thread's stack and has its own condition variable
 * (on CLOCK_MONOTONIC, so wall-clock jumps do not change timeouts).
 *
 * No lost wake-ups: a waiter compares the value and enqueues itself while
 * holding its bucket's lock, and park_notify takes the same lock, so a notify
 * either finds the waiter queued or happens before the comparison (which then
 * sees the new value, as the notifier stored it before notifying).
 *
 * Interrupts: a waiter re-checks *env->interrupt whenever it wakes; whoever
 * sets an interrupt flag calls park_interrupt_all afterwards, which signals
 * every waiter under its bucket lock, so the flag cannot be missed either.
 */
#include "runtime.h"

#include <errno.h>
#include <time.h>

#define PARK_BUCKET_BITS 8
#define PARK_BUCKETS (1u << PARK_BUCKET_BITS)

typedef struct ParkWaiter {
    const void *addr;
    pthread_cond_t cond;
    bool notified;                 /* set (under the lock) by park_notify, which unlinks */
    struct ParkWaiter *prev, *next;
} ParkWaiter;

typedef struct ParkBucket {
    _Alignas(64) pthread_mutex_t lock;   /* one cache line per bucket */
    ParkWaiter *head, *tail;             /* oldest first */
} ParkBucket;

static ParkBucket park_buckets[PARK_BUCKETS] = {
    [0 ... PARK_BUCKETS - 1] = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL},
};

static ParkBucket *park_bucket(const void *addr)
{
    uint64_t h = (uint64_t)((uintptr_t)addr >> 2) * 0x9E3779B97F4A7C15u;
    return &park_buckets[h >> (64 - PARK_BUCKET_BITS)];
}

static void park_enqueue(ParkBucket *b, ParkWaiter *w)
{
    w->next = NULL;
    w->prev = b->tail;
    if (b->tail) b->tail->next = w;
    else b->head = w;
    b->tail = w;
}

static void park_unlink(ParkBucket *b, ParkWaiter *w)
{
    if (w->prev) w->prev->next = w->next;
    else b->head = w->next;
    if (w->next) w->next->prev = w->prev;
    else b->tail = w->prev;
    w->prev = w->next = NULL;
}

static bool park_interrupted(const ExecEnv *env)
{
    return env && env->interrupt && atomic_load(env->interrupt) != 0;
}

/* The absolute CLOCK_MONOTONIC time timeout_ns (> 0) from now. */
static struct timespec park_deadline(int64_t timeout_ns)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(timeout_ns / 1000000000);
    ts.tv_nsec += (long)(timeout_ns % 1000000000);
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

static bool park_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0) return false;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return rc == 0;
}

/* Queues the caller on addr and sleeps until notified (0), interrupted (3) or
 * timed out (2). Called and returns with b->lock held; the lock is released
 * only inside the condition wait. If no condition variable can be made, the
 * wait ends at once as a timeout (callers must tolerate spurious returns). */
static int park_block(ParkBucket *b, ExecEnv *env, const void *addr, int64_t timeout_ns)
{
    ParkWaiter w = {.addr = addr};
    if (!park_cond_init(&w.cond)) return 2;
    struct timespec deadline = {0, 0};
    if (timeout_ns > 0) deadline = park_deadline(timeout_ns);
    park_enqueue(b, &w);
    int result;
    for (;;) {
        if (w.notified) { result = 0; break; }
        if (park_interrupted(env)) { result = 3; break; }
        if (timeout_ns < 0) {
            pthread_cond_wait(&w.cond, &b->lock);
        } else if (pthread_cond_timedwait(&w.cond, &b->lock, &deadline) == ETIMEDOUT) {
            result = w.notified ? 0 : 2;
            break;
        }
    }
    if (!w.notified) park_unlink(b, &w);
    pthread_cond_destroy(&w.cond);
    return result;
}

/* The common body of park_wait32/64: compare under the bucket lock, then
 * block. The load is sequentially consistent, like the wasm atomics. */
static int park_wait(ExecEnv *env, const void *addr, uint64_t expected, bool wide,
                     int64_t timeout_ns)
{
    ParkBucket *b = park_bucket(addr);
    pthread_mutex_lock(&b->lock);
    uint64_t now = wide ? __atomic_load_n((const uint64_t *)addr, __ATOMIC_SEQ_CST)
                        : __atomic_load_n((const uint32_t *)addr, __ATOMIC_SEQ_CST);
    int result;
    if (now != expected) result = 1;
    else if (park_interrupted(env)) result = 3;
    else if (timeout_ns == 0) result = 2;
    else result = park_block(b, env, addr, timeout_ns);
    pthread_mutex_unlock(&b->lock);
    return result;
}

/* See runtime.h: 0 woken, 1 value differed, 2 timed out, 3 interrupted. */
int park_wait32(ExecEnv *env, const void *addr, uint32_t expected, int64_t timeout_ns)
{
    return park_wait(env, addr, expected, false, timeout_ns);
}

int park_wait64(ExecEnv *env, const void *addr, uint64_t expected, int64_t timeout_ns)
{
    return park_wait(env, addr, expected, true, timeout_ns);
}

/* Unlinks and signals up to count waiters on exactly addr, oldest first. A
 * woken waiter is never touched again after the lock is released (its record
 * is on its own stack). */
static uint32_t park_notify_locked(ParkBucket *b, const void *addr, uint32_t count)
{
    uint32_t woken = 0;
    for (ParkWaiter *w = b->head, *next; w && woken < count; w = next) {
        next = w->next;
        if (w->addr != addr) continue;
        park_unlink(b, w);
        w->notified = true;
        pthread_cond_signal(&w->cond);
        woken++;
    }
    return woken;
}

uint32_t park_notify(const void *addr, uint32_t count)
{
    if (count == 0) return 0;
    ParkBucket *b = park_bucket(addr);
    pthread_mutex_lock(&b->lock);
    uint32_t woken = park_notify_locked(b, addr, count);
    pthread_mutex_unlock(&b->lock);
    return woken;
}

/* park_notify that stores whether anyone was woken into *any_woken before
 * the bucket lock is released: a woken waiter cannot run again (and, say,
 * free the memory holding the flag) before the store is done. */
uint32_t park_notify_report(const void *addr, uint32_t count, uint8_t *any_woken)
{
    ParkBucket *b = park_bucket(addr);
    pthread_mutex_lock(&b->lock);
    uint32_t woken = count ? park_notify_locked(b, addr, count) : 0;
    *any_woken = woken > 0;
    pthread_mutex_unlock(&b->lock);
    return woken;
}

/* Signals every waiter without dequeuing it: each re-checks its own interrupt
 * flag and goes back to sleep if that is clear. Takes each bucket lock in turn. */
void park_interrupt_all(void)
{
    for (uint32_t i = 0; i < PARK_BUCKETS; i++) {
        ParkBucket *b = &park_buckets[i];
        pthread_mutex_lock(&b->lock);
        for (ParkWaiter *w = b->head; w; w = w->next) pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&b->lock);
    }
}

/* Counts the queued waiters on exactly addr, under the bucket lock. */
uint32_t park_waiters(const void *addr)
{
    ParkBucket *b = park_bucket(addr);
    uint32_t n = 0;
    pthread_mutex_lock(&b->lock);
    for (const ParkWaiter *w = b->head; w; w = w->next) n += w->addr == addr;
    pthread_mutex_unlock(&b->lock);
    return n;
}
