/*
 * table.c - tables (growable arrays of references) and globals (one value
 * cell), both reference counted (see runtime.h).
 *
 * Tables belong to one thread, so growth may move `elems` (realloc); code
 * must re-read t->elems after anything that can grow the table. A host limit
 * (TABLE_HOST_MAX_ENTRIES) bounds the memory one table can take: growing past
 * it fails like growing past the declared maximum.
 *
 * Accounting: a table made for a store charges its store's table budget
 * (store_table_charge) for every entry of its capacity before allocating
 * it, and gives the charge back when it is freed. Only making, growing and
 * freeing a table account; table.get/set and call_indirect never do.
 */
#include "engine/runtime.h"

#include <stdlib.h>

#define TABLE_HOST_MAX_ENTRIES 10000000u

static void table_fill(Table *t, uint32_t from, uint32_t to, void *init)
{
    for (uint32_t i = from; i < to; i++) t->elems[i] = init;
}

/* Charges `entries` element slots to s's table budget; true when s is NULL
 * (not accounted) or they fit. */
static bool table_charge(Store *s, uint64_t entries)
{
    return !s || store_table_charge(s, table_entries_bytes(entries));
}

static void table_uncharge(Store *s, uint64_t entries)
{
    if (s) store_table_release(s, table_entries_bytes(entries));
}

/* The element array of a new table: zeroed by calloc when every entry is
 * null (untouched pages cost nothing until written), else filled. */
static void **table_alloc_elems(uint32_t cap, uint32_t size, void *init)
{
    if (!init) return calloc(cap, sizeof(void *));
    void **elems = malloc(cap * sizeof *elems);
    for (uint32_t i = 0; elems && i < size; i++) elems[i] = init;
    return elems;
}

/* See runtime.h. The capacity (min entries, at least 1) is charged before
 * anything is allocated, so a table beyond the budget costs nothing. */
Table *table_new(Store *s, const TableType *type, void *init, SpResult *err)
{
    const Limits *lim = &type->limits;
    SpResult e = ERR_MIN_GT_MAX;
    if (lim->has_max && lim->max < lim->min) goto fail;
    e = ERR_TABLE_TOO_LARGE;
    if (lim->min > TABLE_HOST_MAX_ENTRIES) goto fail;
    uint32_t cap = lim->min ? (uint32_t)lim->min : 1;
    e = ERR_TABLE_MEMORY_CAP;
    if (!table_charge(s, cap)) goto fail;
    e = ERR_OUT_OF_MEMORY;
    Table *t = calloc(1, sizeof *t);
    if (t) t->elems = table_alloc_elems(cap, (uint32_t)lim->min, init);
    if (!t || !t->elems) {
        free(t);
        table_uncharge(s, cap);
        goto fail;
    }
    t->elem_type = type->elem;
    t->size = (uint32_t)lim->min;
    t->capacity = cap;
    t->has_max = lim->has_max;
    t->max = lim->has_max && lim->max < UINT32_MAX ? (uint32_t)lim->max : UINT32_MAX;
    t->store = s;
    atomic_init(&t->refs, 1);
    return t;
fail:
    if (err) *err = e;
    return NULL;
}

void table_retain(Table *t)
{
    if (t) atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

/* Drops one reference; the last one frees the table and gives its charge
 * back. NULL is fine. */
void table_release(Table *t)
{
    if (!t) return;
    if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) != 1) return;
    table_uncharge(t->store, t->capacity);
    free(t->elems);
    free(t);
}

/* The capacity to grow to for `need` entries: doubled to keep repeated growth
 * amortised, within the host limit and the declared maximum. */
static uint32_t table_next_capacity(const Table *t, uint32_t need)
{
    uint64_t cap = (uint64_t)t->capacity * 2;
    if (cap < need) cap = need;
    if (cap > TABLE_HOST_MAX_ENTRIES) cap = TABLE_HOST_MAX_ENTRIES;
    if (cap > t->max) cap = t->max;
    return (uint32_t)cap;
}

/* Makes room for `need` entries (need <= TABLE_HOST_MAX_ENTRIES and <= the
 * maximum), charging the added capacity first: the doubled capacity when it
 * fits the budget, else exactly `need`. False (nothing charged or changed)
 * when even that does not fit or when out of memory. */
static bool table_reserve(Table *t, uint32_t need)
{
    if (need <= t->capacity) return true;
    uint32_t cap = table_next_capacity(t, need);
    if (!table_charge(t->store, cap - t->capacity)) {
        cap = need;
        if (!table_charge(t->store, cap - t->capacity)) return false;
    }
    void **elems = realloc(t->elems, (size_t)cap * sizeof *elems);
    if (!elems) {
        table_uncharge(t->store, cap - t->capacity);
        return false;
    }
    t->elems = elems;
    t->capacity = cap;
    return true;
}

/* Returns the old size, or -1 when the result would pass the declared maximum,
 * the host limit or the store's table budget, or when out of memory (the
 * table is then unchanged). */
int64_t table_grow(Table *t, uint32_t delta, void *init)
{
    uint32_t old = t->size;
    if (delta > t->max - old) return -1;
    if ((uint64_t)old + delta > TABLE_HOST_MAX_ENTRIES) return -1;
    uint32_t size = old + delta;
    if (!table_reserve(t, size)) return -1;
    table_fill(t, old, size, init);
    t->size = size;
    return old;
}

/* ---------------------------------------------------------------- globals */

/* A global holding *value (value[1] read only for v128), or zero when value is
 * NULL. NULL when out of memory. The caller owns the one reference. */
Global *global_new(GlobalType type, const Slot *value)
{
    Global *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->type = type;
    if (value) {
        g->value[0] = value[0];
        if (type.type == VT_V128) g->value[1] = value[1];
    }
    atomic_init(&g->refs, 1);
    return g;
}

void global_retain(Global *g)
{
    if (g) atomic_fetch_add_explicit(&g->refs, 1, memory_order_relaxed);
}

/* Drops one reference; the last one frees the global. NULL is fine. */
void global_release(Global *g)
{
    if (!g) return;
    if (atomic_fetch_sub_explicit(&g->refs, 1, memory_order_acq_rel) != 1) return;
    free(g);
}
