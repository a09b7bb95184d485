/*
 * parking.c - the parking lot: threads waiting on a host address until
 * another thread notifies it. It serves memory.atomic.wait/notify and WASIX
 * futex_wait/futex_wake, so either kind of waiter is woken by either kind of
 * notify (keys are host addresses, i.e. memory base + offset).
 *
 * Structure: a fixed table of buckets chosen by hashing the address; each
 * bucket is a mutex and a FIFO list of waiters (all addresses hashing there).
 * A waiter lives on its own thread's stack and sleeps on its own word
 * (`state`, an OS futex: os_word_wait). Deadlines are on CLOCK_MONOTONIC, so
 * wall-clock jumps do not change timeouts.
 *
 * No lost wake-ups: a waiter compares the value and enqueues itself while
 * holding its bucket's lock, and park_notify takes the same lock, so a notify
 * either finds the waiter queued or happens before the comparison (which then
 * sees the new value, as the notifier stored it before notifying). The
 * waiter then sleeps without the lock, only while `state` still holds the
 * value it read before checking for events, and every event changes
 * `state`: a notify sets its low bit, an interrupt adds 2.
 *
 * Waking: park_notify unlinks a waiter and sets its bit under the lock, and
 * makes the wake-up system call after releasing it, so the woken thread does
 * not run into a lock its waker still holds. Setting the bit is the
 * notifier's last access to the record: the waiter may return as soon as it
 * sees it. The system call only names the word's address; should the waiter
 * be gone, at worst a later sleeper on that address wakes early, which every
 * sleeper (os_word_wait's callers, glibc's futex users) tolerates.
 *
 * Interrupts: a waiter re-checks *env->interrupt whenever it wakes; whoever
 * sets an interrupt flag calls park_interrupt_all afterwards, which, under
 * each bucket lock, unlinks every queued waiter whose flag is set and marks
 * its word (a waiter that is not notified or so unlinked leaves the queue
 * only under that lock), so the flag cannot be missed either. The marked
 * waiters are woken after the lock is released, as park_notify does, and
 * return without taking the lock again: thousands of waiters interrupted
 * at once (a process exit) neither wait for one lock holder making their
 * wake-up calls one by one nor queue up on the lock to leave.
 */
#define _GNU_SOURCE /* PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP */
#include "engine/runtime.h"

#include "os/os.h"
#include "os/os_thread.h"

#define PARK_BUCKET_BITS 8
#define PARK_BUCKETS (1u << PARK_BUCKET_BITS)

typedef struct ParkWaiter {
    const void *addr;
    const atomic_int *interrupt;   /* the waiter's interrupt flag, or NULL */
    _Atomic uint32_t state;        /* bit 0: notified, bit 1: interrupted (either: unlinked) */
    struct ParkWaiter *prev, *next;
} ParkWaiter;

typedef struct ParkBucket {
    _Alignas(64) pthread_mutex_t lock;   /* one cache line per bucket */
    ParkWaiter *head, *tail;             /* oldest first */
} ParkBucket;

static ParkBucket park_buckets[PARK_BUCKETS] = {
    [0 ... PARK_BUCKETS - 1] = {PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP, NULL, NULL},
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

#define PARK_NOTIFIED 1u
#define PARK_INTERRUPTED 2u

/* Sleeps (without the bucket lock; w is queued) until w is notified (0),
 * the env is interrupted or park_interrupt_all unlinked w (3), or the
 * deadline passes (2; 0 = none). */
static int park_sleep(ParkWaiter *w, ExecEnv *env, uint64_t deadline)
{
    for (;;) {
        uint32_t seen = atomic_load(&w->state);
        if (seen & PARK_NOTIFIED) return 0;
        if ((seen & PARK_INTERRUPTED) || park_interrupted(env)) return 3;
        if (deadline && os_monotonic_ns() >= deadline) return 2;
        os_word_wait(&w->state, seen, deadline);
    }
}

/* Queues a waiter on addr (b->lock held, released here) and sleeps; returns
 * 0 notified, 2 timed out or 3 interrupted. A waiter that stops for a
 * timeout or interrupt while a notify takes it counts as notified. One that
 * park_interrupt_all unlinked leaves without the lock. */
static int park_block(ParkBucket *b, ExecEnv *env, const void *addr, int64_t timeout_ns)
{
    ParkWaiter w = {.addr = addr, .interrupt = env ? env->interrupt : NULL};
    atomic_init(&w.state, 0);
    uint64_t deadline = timeout_ns > 0 ? os_monotonic_ns() + (uint64_t)timeout_ns : 0;
    park_enqueue(b, &w);
    pthread_mutex_unlock(&b->lock);
    int result = park_sleep(&w, env, deadline);
    if (result != 0 && !(atomic_load(&w.state) & PARK_INTERRUPTED)) { /* maybe queued */
        pthread_mutex_lock(&b->lock);
        uint32_t state = atomic_load(&w.state);
        if (state & PARK_NOTIFIED) result = 0;
        else if (!(state & PARK_INTERRUPTED)) park_unlink(b, &w);
        pthread_mutex_unlock(&b->lock);
    }
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
    else return park_block(b, env, addr, timeout_ns); /* releases the lock */
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

/* How many woken waiters' words park_notify_at remembers to wake after the
 * lock is released; beyond that it wakes them under the lock. */
#define PARK_WAKE_BATCH 16

/* Unlinks and notifies up to count waiters on exactly addr, oldest first.
 * Stores whether any was woken into *any_woken (if non-NULL) before the
 * first waiter is marked, as that waiter may return at once. See the file
 * comment for why waking after the unlock is safe. */
static uint32_t park_notify_at(const void *addr, uint32_t count, uint8_t *any_woken)
{
    ParkBucket *b = park_bucket(addr);
    _Atomic uint32_t *later[PARK_WAKE_BATCH];
    uint32_t woken = 0;
    pthread_mutex_lock(&b->lock);
    for (ParkWaiter *w = b->head, *next; w && woken < count; w = next) {
        next = w->next;
        if (w->addr != addr) continue;
        park_unlink(b, w);
        if (woken == 0 && any_woken) *any_woken = 1;
        _Atomic uint32_t *word = &w->state;
        atomic_fetch_or(word, PARK_NOTIFIED); /* the last access to *w */
        if (woken < PARK_WAKE_BATCH) later[woken] = word;
        else os_word_wake(word, 1);
        woken++;
    }
    if (woken == 0 && any_woken) *any_woken = 0;
    pthread_mutex_unlock(&b->lock);
    for (uint32_t i = 0; i < woken && i < PARK_WAKE_BATCH; i++) os_word_wake(later[i], 1);
    return woken;
}

uint32_t park_notify(const void *addr, uint32_t count)
{
    return count ? park_notify_at(addr, count, NULL) : 0;
}

/* park_notify that stores whether anyone is woken into *any_woken before
 * any waiter is: a woken waiter cannot return (and, say, free the memory
 * holding the flag) before the store is done. */
uint32_t park_notify_report(const void *addr, uint32_t count, uint8_t *any_woken)
{
    if (count) return park_notify_at(addr, count, any_woken);
    *any_woken = 0;
    return 0;
}

/* Unlinks up to PARK_WAKE_BATCH waiters of bucket b whose interrupt flag is
 * set and marks them PARK_INTERRUPTED (the last access to each), then wakes
 * their words after releasing the lock. Returns how many it took: fewer than
 * the batch means none is left. */
static uint32_t park_interrupt_batch(ParkBucket *b)
{
    _Atomic uint32_t *later[PARK_WAKE_BATCH];
    uint32_t n = 0;
    pthread_mutex_lock(&b->lock);
    for (ParkWaiter *w = b->head, *next; w && n < PARK_WAKE_BATCH; w = next) {
        next = w->next;
        if (!w->interrupt || atomic_load(w->interrupt) == 0) continue;
        park_unlink(b, w);
        later[n++] = &w->state;
        atomic_fetch_or(&w->state, PARK_INTERRUPTED);
    }
    pthread_mutex_unlock(&b->lock);
    for (uint32_t i = 0; i < n; i++) os_word_wake(later[i], 1);
    return n;
}

/* Ends the wait of every queued waiter whose interrupt flag is set (see the
 * file comment); the others keep waiting. Each bucket in turn, a batch at a
 * time. */
void park_interrupt_all(void)
{
    for (uint32_t i = 0; i < PARK_BUCKETS; i++)
        while (park_interrupt_batch(&park_buckets[i]) == PARK_WAKE_BATCH) {
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
