/*
 * proc_tree.c - the table a whole tree of WASIX processes shares: every
 * process of one `spindle run` is an OS process (fork of the host), and this
 * table, in memory shared by all of them (mapped by the root before its
 * first fork, so at the same address everywhere), holds what must be common:
 *   - the one TID/PID counter (Wasmer numbers threads and processes from one
 *     sequence: the program is 1, its first thread or child 2, ...);
 *   - a slot per live process (guest PID -> host PID, parent), for
 *     proc_signal to reach any process of the tree and for the process limit
 *     (--max-processes): a fork beyond it gets EAGAIN;
 *   - the lifeline pipe (os_proc.h): when the root ends, however it ends,
 *     every descendant is killed, so nothing of the tree outlives the run.
 * Slots are claimed and released with atomic operations only (no lock that a
 * process killed at the wrong moment could leave held). A process releases
 * its own slot as it exits; its parent releases it too when reaping it (a
 * killed process cannot), so a slot is never lost while its parent lives.
 */
#include <stdlib.h>

#include "module_cache.h"
#include "os/os_proc.h"
#include "process.h"

typedef struct ProcSlot {
    _Atomic uint32_t pid;       /* 0 = free */
    _Atomic int32_t host_pid;   /* 0 until the fork has happened */
    _Atomic uint32_t ppid;
} ProcSlot;

struct ProcTree {
    _Atomic uint32_t last_id;   /* the TID/PID counter: last value handed out */
    _Atomic uint32_t live;      /* slots in use */
    uint32_t nslots;            /* = the process limit */
    OsLifeline lifeline;        /* never changed after creation: every process reads it */
    ModuleCache *modules;       /* exec's module cache (module_cache.c); may be NULL */
    size_t bytes;               /* size of the shared mapping */
    ProcSlot slots[];
};

ProcTree *proc_tree_new(uint32_t max_processes, uint32_t root_pid)
{
    size_t bytes = sizeof(ProcTree) + (size_t)max_processes * sizeof(ProcSlot);
    ProcTree *t = os_proc_shared_alloc(bytes);
    if (!t) return NULL;
    t->bytes = bytes;
    t->nslots = max_processes;
    atomic_store(&t->last_id, root_pid);
    if (os_lifeline_new(&t->lifeline) < 0) {
        os_proc_shared_free(t, bytes);
        return NULL;
    }
    t->modules = module_cache_new();   /* NULL: exec decodes every time */
    if (proc_tree_enter(t, root_pid, 0) != WASI_ESUCCESS) { /* max_processes 0: no room */
        proc_tree_free(t);
        return NULL;
    }
    proc_tree_set_host(t, root_pid, os_proc_self());
    return t;
}

void proc_tree_free(ProcTree *t)
{
    if (!t) return;
    os_lifeline_close(&t->lifeline);
    module_cache_free(t->modules);
    os_proc_shared_free(t, t->bytes);
}

ModuleCache *proc_tree_modules(const ProcTree *t)
{
    return t ? t->modules : NULL;
}

uint32_t proc_tree_next_id(ProcTree *t)
{
    uint32_t id = atomic_load(&t->last_id);
    do {
        if (id + 1 >= WASIX_TID_LIMIT) return 0;
    } while (!atomic_compare_exchange_weak(&t->last_id, &id, id + 1));
    return id + 1;
}

uint32_t proc_tree_enter(ProcTree *t, uint32_t pid, uint32_t ppid)
{
    uint32_t live = atomic_load(&t->live);
    do {
        if (live >= t->nslots) return WASI_EAGAIN;
    } while (!atomic_compare_exchange_weak(&t->live, &live, live + 1));
    for (uint32_t i = 0; i < t->nslots; i++) {
        ProcSlot *s = &t->slots[(pid + i) % t->nslots];
        uint32_t expect = 0;
        if (!atomic_compare_exchange_strong(&s->pid, &expect, pid)) continue;
        atomic_store(&s->ppid, ppid);
        atomic_store(&s->host_pid, 0);
        return WASI_ESUCCESS;
    }
    atomic_fetch_sub(&t->live, 1);   /* cannot happen: live counts the used slots */
    return WASI_EAGAIN;
}

/* The slot of pid, or NULL. */
static ProcSlot *proc_tree_slot(ProcTree *t, uint32_t pid)
{
    if (pid == 0) return NULL;
    for (uint32_t i = 0; i < t->nslots; i++) {
        ProcSlot *s = &t->slots[(pid + i) % t->nslots];
        if (atomic_load(&s->pid) == pid) return s;
    }
    return NULL;
}

void proc_tree_set_host(ProcTree *t, uint32_t pid, int host_pid)
{
    ProcSlot *s = proc_tree_slot(t, pid);
    if (s) atomic_store(&s->host_pid, host_pid);
}

void proc_tree_leave(ProcTree *t, uint32_t pid)
{
    ProcSlot *s = proc_tree_slot(t, pid);
    uint32_t expect = pid;
    if (s && atomic_compare_exchange_strong(&s->pid, &expect, 0)) atomic_fetch_sub(&t->live, 1);
}

int proc_tree_host_pid(ProcTree *t, uint32_t pid)
{
    ProcSlot *s = proc_tree_slot(t, pid);
    int host = s ? atomic_load(&s->host_pid) : 0;
    return host > 0 ? host : -1;
}

int proc_tree_lifeline_write(const ProcTree *t)
{
    return t->lifeline.write_fd;
}

bool proc_tree_watch(ProcTree *t, int *write_fd)
{
    return os_lifeline_watch(t->lifeline.read_fd, write_fd);
}
