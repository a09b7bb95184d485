/*
 * module_cache.c - owns the run's module cache: the images (module_image.h)
 * of the modules that exec and spawn have loaded, in memory that every
 * process of the tree shares, so that a program exec'ed again (a shell loop
 * running /bin/echo) is decoded, validated and translated once per run, by
 * whichever process loads it first, and built from its image by the others.
 *
 * The memory: one shared anonymous mapping made by the root before its first
 * fork (so every process of the tree has it): a table of MODULE_CACHE_SLOTS
 * entries, then MODULE_CACHE_BYTES of images handed out front to back and
 * never reused. When the table or the space is full, loads decode as without
 * a cache: memory stays bounded.
 *
 * The key is the binary itself: an entry matches when its length and a hash
 * of sampled words agree and then every byte of the image's copy of the
 * binary equals the file's. A file changed between two execs is therefore a
 * new entry, never the old code.
 *
 * Concurrency (processes, not only threads; lock-free so that a process
 * killed half-way leaves nothing held): an entry goes FREE -> WRITING (a
 * compare-and-swap claims it) -> READY (a release store once the image is
 * complete); readers use only READY entries (acquire load), which are never
 * changed again. An entry whose writer died stays WRITING: one slot lost.
 * Two processes may publish the same binary at once: both entries are
 * valid, lookups take the first.
 */
#include "module_cache.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/module_image.h"
#include "os/os_proc.h"

#define MODULE_CACHE_SLOTS 128
#define MODULE_CACHE_BYTES ((size_t)128 << 20)   /* address space; pages as used */

enum { ENTRY_FREE = 0, ENTRY_WRITING = 1, ENTRY_READY = 2 };

typedef struct CacheEntry {
    _Atomic uint32_t state;
    uint64_t hash;         /* cache_hash of the binary */
    uint64_t binary_len;
    uint64_t off, len;     /* the image: data[off .. off + len) */
} CacheEntry;

struct ModuleCache {
    size_t map_bytes;      /* the whole mapping */
    bool debug;            /* report the counts at the end */
    _Atomic uint64_t used; /* image bytes handed out */
    _Atomic uint64_t decoded, reused;
    CacheEntry entries[MODULE_CACHE_SLOTS];
    _Alignas(16) uint8_t data[];
};

ModuleCache *module_cache_new(void)
{
    size_t bytes = sizeof(ModuleCache) + MODULE_CACHE_BYTES;
    ModuleCache *c = os_proc_shared_alloc(bytes);
    if (!c) return NULL;
    c->map_bytes = bytes;
    const char *dbg = getenv(MODULE_CACHE_DEBUG_ENV);
    c->debug = dbg && *dbg && strcmp(dbg, "0") != 0;
    return c;
}

void module_cache_free(ModuleCache *c)
{
    if (!c) return;
    if (c->debug)
        fprintf(stderr, "spindle: module cache: %llu decoded, %llu reused\n",
                (unsigned long long)atomic_load(&c->decoded),
                (unsigned long long)atomic_load(&c->reused));
    os_proc_shared_free(c, c->map_bytes);
}

void module_cache_counts(const ModuleCache *c, uint64_t *decoded, uint64_t *reused)
{
    *decoded = c ? atomic_load(&((ModuleCache *)c)->decoded) : 0;
    *reused = c ? atomic_load(&((ModuleCache *)c)->reused) : 0;
}

/* A hash of len and up to 512 words sampled evenly over the binary (the
 * match is decided by comparing every byte: this only skips most
 * candidates cheaply). */
static uint64_t cache_hash(const uint8_t *b, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len;
    size_t words = len / 8, step = words / 512 + 1;
    for (size_t i = 0; i < words; i += step) {
        uint64_t w;
        memcpy(&w, b + i * 8, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    for (size_t i = words * 8; i < len; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* A module built from a READY entry holding exactly these bytes, or NULL. */
static Module *cache_find(ModuleCache *c, const uint8_t *bytes, size_t len, uint64_t hash)
{
    for (int i = 0; i < MODULE_CACHE_SLOTS; i++) {
        CacheEntry *e = &c->entries[i];
        uint32_t state = atomic_load_explicit(&e->state, memory_order_acquire);
        if (state == ENTRY_FREE) break;   /* entries are claimed in order */
        if (state != ENTRY_READY || e->hash != hash || e->binary_len != len) continue;
        const uint8_t *img = c->data + e->off;
        size_t blen = 0;
        const uint8_t *binary = module_image_binary(img, e->len, &blen);
        if (!binary || blen != len || memcmp(binary, bytes, len) != 0) continue;
        Module *m = NULL;
        if (module_image_read(img, e->len, &m)) return m;
    }
    return NULL;
}

/* Reserves size bytes of image space (16-aligned): the offset, or
 * UINT64_MAX when the space is full. */
static uint64_t cache_reserve(ModuleCache *c, size_t size)
{
    uint64_t need = (size + 15) & ~(uint64_t)15;
    uint64_t used = atomic_load(&c->used);
    do {
        if (need > MODULE_CACHE_BYTES - used) return UINT64_MAX;
    } while (!atomic_compare_exchange_weak(&c->used, &used, used + need));
    return used;
}

/* Publishes m's image (best effort: nothing happens when the table or the
 * space is full). */
static void cache_publish(ModuleCache *c, const Module *m, uint64_t hash)
{
    CacheEntry *e = NULL;
    for (int i = 0; i < MODULE_CACHE_SLOTS && !e; i++) {
        uint32_t expect = ENTRY_FREE;
        if (atomic_compare_exchange_strong(&c->entries[i].state, &expect, ENTRY_WRITING))
            e = &c->entries[i];
    }
    if (!e) return;
    size_t size = module_image_size(m);
    uint64_t off = cache_reserve(c, size);
    if (off == UINT64_MAX) return;   /* the entry stays WRITING: the cache is full anyway */
    module_image_write(m, c->data + off, size);
    e->hash = hash;
    e->binary_len = m->size;
    e->off = off;
    e->len = size;
    atomic_store_explicit(&e->state, ENTRY_READY, memory_order_release);
}

SpResult module_cache_load(ModuleCache *c, const uint8_t *bytes, size_t len, Module **out,
                           SpDiag *diag)
{
    if (!c) return module_load(bytes, len, out, diag);
    uint64_t hash = cache_hash(bytes, len);
    *out = cache_find(c, bytes, len, hash);
    if (*out) {
        atomic_fetch_add(&c->reused, 1);
        return SP_OK;
    }
    SpResult e = module_load(bytes, len, out, diag);
    if (e) return e;
    atomic_fetch_add(&c->decoded, 1);
    cache_publish(c, *out, hash);
    return SP_OK;
}
