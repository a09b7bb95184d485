/*
 * memory.c - linear memories: reservation of the address range, committing
 * pages on growth, and reference counting (see runtime.h).
 *
 * Layout: base .. base + size is readable and writable; the rest of the
 * reservation is PROT_NONE. The full reservation (MEMORY_FULL_RESERVE) covers
 * any 32-bit address plus any 32-bit static offset plus a 16-byte access, so a
 * compiled tier may elide bounds checks when `reserved` is that large. When the
 * OS refuses 8 GiB (e.g. a ulimit on address space), the memory falls back to
 * reserving its declared maximum plus the guard; the interpreter checks bounds
 * explicitly and works the same either way.
 */
#include "engine/runtime.h"

#include <stdlib.h>

#include "os/os.h"

#define MEMORY_GUARD_BYTES ((uint64_t)64 * 1024)
#define MEMORY_FULL_RESERVE (((uint64_t)8 << 30) + MEMORY_GUARD_BYTES)

/* Checks the limits a memory_new caller passed (the validator normally has). */
static SpResult memory_check_limits(const Limits *lim)
{
    if (lim->min > WASM_MAX_PAGES) return ERR_MEMORY_SIZE;
    if (lim->has_max && lim->max > WASM_MAX_PAGES) return ERR_MEMORY_SIZE;
    if (lim->has_max && lim->max < lim->min) return ERR_MIN_GT_MAX;
    return SP_OK;
}

/* Reserves the full range, or failing that max_pages + guard. Sets m->base and
 * m->reserved; returns false when neither reservation is granted. */
static bool memory_reserve(Memory *m)
{
    m->reserved = MEMORY_FULL_RESERVE;
    m->base = os_reserve((size_t)m->reserved);
    if (m->base) return true;
    uint64_t fallback = m->max_pages * WASM_PAGE_SIZE + MEMORY_GUARD_BYTES;
    if (fallback >= MEMORY_FULL_RESERVE) return false;
    m->reserved = fallback;
    m->base = os_reserve((size_t)m->reserved);
    return m->base != NULL;
}

/* Creates a memory of lim->min zeroed pages. Returns NULL and sets *err (if
 * err is non-NULL) on bad limits or when the OS refuses address space. The
 * caller owns the one reference. */
Memory *memory_new(const Limits *lim, SpResult *err)
{
    SpResult e = memory_check_limits(lim);
    if (e) goto fail;
    Memory *m = calloc(1, sizeof *m);
    e = ERR_OUT_OF_MEMORY;
    if (!m) goto fail;
    m->max_pages = lim->has_max ? lim->max : WASM_MAX_PAGES;
    m->has_max = lim->has_max;
    m->shared = lim->shared;
    e = ERR_MEMORY_RESERVE;
    if (!memory_reserve(m)) goto fail_free;
    e = ERR_MEMORY_COMMIT;
    if (!os_commit(m->base, (size_t)(lim->min * WASM_PAGE_SIZE))) goto fail_release;
    e = ERR_OUT_OF_MEMORY;
    if (pthread_mutex_init(&m->grow_lock, NULL) != 0) goto fail_release;
    atomic_init(&m->size, lim->min * WASM_PAGE_SIZE);
    atomic_init(&m->refs, 1);
    return m;

fail_release:
    os_release(m->base, (size_t)m->reserved);
fail_free:
    free(m);
fail:
    if (err) *err = e;
    return NULL;
}

void memory_retain(Memory *m)
{
    if (m) atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
}

/* Drops one reference; the last one returns the address range to the OS.
 * NULL is fine. */
void memory_release(Memory *m)
{
    if (!m) return;
    if (atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) != 1) return;
    os_release(m->base, (size_t)m->reserved);
    pthread_mutex_destroy(&m->grow_lock);
    free(m);
}

/* Serialised by grow_lock. The new pages are committed before the new size
 * is published with a release store, so a thread that reads the size with
 * acquire (memory_size_bytes) may touch every byte below it. */
int64_t memory_grow(Memory *m, uint64_t delta_pages)
{
    pthread_mutex_lock(&m->grow_lock);
    uint64_t old_bytes = atomic_load_explicit(&m->size, memory_order_relaxed);
    uint64_t old_pages = old_bytes / WASM_PAGE_SIZE;
    int64_t result = -1;
    if (delta_pages <= m->max_pages - old_pages) {
        uint64_t add_bytes = delta_pages * WASM_PAGE_SIZE;
        if (old_bytes + add_bytes + MEMORY_GUARD_BYTES <= m->reserved &&
            os_commit(m->base + old_bytes, (size_t)add_bytes)) {
            atomic_store_explicit(&m->size, old_bytes + add_bytes, memory_order_release);
            result = (int64_t)old_pages;
        }
    }
    pthread_mutex_unlock(&m->grow_lock);
    return result;
}
