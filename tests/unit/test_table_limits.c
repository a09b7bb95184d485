/*
 * test_table_limits.c - unit tests of the store's table budget
 * (StoreLimits.max_table_bytes): the charge itself at its exact edges,
 * tables made, grown and freed against it, instances of one store sharing it
 * (tables and element segments, instantiation refused with
 * ERR_TABLE_MEMORY_CAP and nothing left charged, table.grow giving -1 to the
 * guest at the limit, elem.drop and instance_free giving charges back), and
 * threads growing their own instances' tables concurrently without passing
 * the limit, and each instance's own records (a module of 20,000 functions)
 * charged too. Modules are built from bytes here.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime.h"
#include "testlib.h"

#define ENTRY ((uint64_t)sizeof(void *))   /* bytes charged per table entry */

/* ------------------------------------------------------ building bytes */

typedef struct Bytes {
    uint8_t p[4096];
    size_t len;
} Bytes;

static void put(Bytes *b, const void *p, size_t n)
{
    if (b->len + n > sizeof b->p) abort();
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_uleb(Bytes *b, uint64_t v)
{
    do {
        uint8_t byte = v & 0x7F;
        v >>= 7;
        byte |= v ? 0x80 : 0;
        put(b, &byte, 1);
    } while (v);
}

/* Appends section `id` holding body. */
static void put_section(Bytes *b, uint8_t id, const Bytes *body)
{
    put(b, &id, 1);
    put_uleb(b, body->len);
    put(b, body->p, body->len);
}

/* ntables funcref tables of `min` entries (no maximum); a passive element
 * segment of `items` references to function 0; exports
 *   grow: (i32) -> i32  table.grow 0 (ref.null func) by the argument
 *   drop: () -> ()      elem.drop 0 */
static Module *load_tables(uint32_t ntables, uint32_t min, uint32_t items)
{
    Bytes b = {.len = 0}, s = {.len = 0};
    put(&b, "\0asm\1\0\0\0", 8);
    put(&s, "\x02\x60\x01\x7f\x01\x7f\x60\x00\x00", 9);
    put_section(&b, 1, &s);
    s.len = 0;
    put(&s, "\x02\x00\x01", 3);
    put_section(&b, 3, &s);
    s.len = 0;
    put_uleb(&s, ntables);
    for (uint32_t i = 0; i < ntables; i++) {
        put(&s, "\x70\x00", 2);
        put_uleb(&s, min);
    }
    put_section(&b, 4, &s);
    s.len = 0;
    put(&s, "\x02\x04grow\x00\x00\x04" "drop\x00\x01", 15);
    put_section(&b, 7, &s);
    s.len = 0;
    put(&s, "\x01\x01\x00", 3);   /* one passive segment of function indices */
    put_uleb(&s, items);
    for (uint32_t i = 0; i < items; i++) put(&s, "\x00", 1);
    put_section(&b, 9, &s);
    s.len = 0;
    put(&s, "\x02\x09\x00\xd0\x70\x20\x00\xfc\x0f\x00\x0b\x05\x00\xfc\x0d\x00\x0b", 17);
    put_section(&b, 10, &s);
    Module *m = NULL;
    SpResult e = module_load(b.p, b.len, &m, NULL);
    if (e) fprintf(stderr, "load_tables: %s\n", e);
    CHECK(e == SP_OK && m != NULL);
    return m;
}

/* table.grow through the guest's export: the old size, or -1; -2 when the
 * call trapped. No CHECK here: growers call it from their own threads. */
static int32_t guest_grow_any(ExecEnv *env, Instance *inst, uint32_t delta)
{
    Slot io[1] = {{.u32 = delta}};
    if (test_call_export(env, inst, "grow", io) != TRAP_NONE) return -2;
    return io[0].i32;
}

static int32_t guest_grow(ExecEnv *env, Instance *inst, uint32_t delta)
{
    int32_t old = guest_grow_any(env, inst, delta);
    CHECK(old != -2);
    return old;
}

static Store *store_with_budget(uint64_t bytes)
{
    Store *s = store_new(&(StoreLimits){.max_table_bytes = bytes});
    CHECK(s != NULL);
    if (!s) abort();
    return s;
}

/* ------------------------------------------------------------ the charge */

static void test_charge_edges(void)
{
    Store *s = store_with_budget(100);
    CHECK(store_table_bytes(s) == 0);
    CHECK(store_table_charge(s, 60));
    CHECK(!store_table_charge(s, 41) && store_table_bytes(s) == 60);
    CHECK(store_table_charge(s, 40) && store_table_bytes(s) == 100);
    CHECK(!store_table_charge(s, 1));
    CHECK(store_table_charge(s, 0));
    store_table_release(s, 50);
    CHECK(!store_table_charge(s, 51));
    CHECK(store_table_charge(s, 50) && store_table_bytes(s) == 100);
    store_table_release(s, 100);
    CHECK(store_table_bytes(s) == 0);
    CHECK(!store_table_charge(s, 101) && !store_table_charge(s, UINT64_MAX));
    store_free(s);

    s = store_new(NULL);   /* no limit: still counted */
    CHECK(store_table_charge(s, (uint64_t)1 << 50) && store_table_bytes(s) == (uint64_t)1 << 50);
    store_table_release(s, (uint64_t)1 << 50);
    CHECK(store_table_bytes(s) == 0);
    store_free(s);
}

/* ---------------------------------------------------------------- tables */

static void test_table_make_grow_free(void)
{
    Store *s = store_with_budget(100 * ENTRY);
    TableType tt = {VT_FUNCREF, {.min = 60}};
    Table *t1 = table_new(s, &tt, NULL, NULL);
    CHECK(t1 != NULL && store_table_bytes(s) == 60 * ENTRY);
    if (!t1) return;
    SpResult err = SP_OK;
    tt.limits.min = 41;
    CHECK(table_new(s, &tt, NULL, &err) == NULL && err == ERR_TABLE_MEMORY_CAP);
    CHECK(store_table_bytes(s) == 60 * ENTRY);
    tt.limits.min = 40;   /* exactly to the limit */
    Table *t2 = table_new(s, &tt, NULL, NULL);
    CHECK(t2 != NULL && store_table_bytes(s) == 100 * ENTRY);
    CHECK(t2 && table_grow(t2, 1, NULL) == -1 && t2->size == 40);
    CHECK(t2 && table_grow(t2, 0, NULL) == 40);
    table_release(t2);
    CHECK(store_table_bytes(s) == 60 * ENTRY);

    /* doubling to 120 does not fit: exactly what is needed does */
    CHECK(table_grow(t1, 40, NULL) == 60 && t1->size == 100 && t1->elems[99] == NULL);
    CHECK(store_table_bytes(s) == 100 * ENTRY);
    CHECK(table_grow(t1, 1, NULL) == -1 && t1->size == 100);
    table_release(t1);
    CHECK(store_table_bytes(s) == 0);

    /* an empty table holds one entry; a store's own tables are freed with it */
    tt.limits.min = 0;
    Table *t0 = store_table_new(s, &tt, NULL, &err);
    CHECK(t0 != NULL && store_table_bytes(s) == ENTRY);
    tt.limits.min = 100;
    CHECK(store_table_new(s, &tt, NULL, &err) == NULL && err == ERR_TABLE_MEMORY_CAP);
    tt.limits.min = 99;
    CHECK(store_table_new(s, &tt, NULL, &err) != NULL && store_table_bytes(s) == 100 * ENTRY);
    store_free(s);   /* releases both (ASan/LSan check) */
}

/* -------------------------------------------------------------- instances */

/* Per instance of load_tables(1, 10, 3): a 10-entry table, 3 segment refs
 * and the instance's own records (instance_record_bytes). */
#define INST_TABLE_BYTES (13 * ENTRY)

static void test_instances_share_budget(void)
{
    Module *m = load_tables(1, 10, 3);
    if (!m) return;
    const uint64_t records = instance_record_bytes(m);
    const uint64_t INST_BYTES = INST_TABLE_BYTES + records;
    CHECK(records > 0);
    Store *s = store_with_budget(5 * INST_BYTES);
    ExecEnv *env = store_env(s);
    Instance *inst[6] = {NULL};
    for (int i = 0; i < 5; i++) CHECK(instance_new(s, m, NULL, NULL, &inst[i], NULL) == SP_OK);
    CHECK(store_table_bytes(s) == 5 * INST_BYTES);
    CHECK(instance_new(s, m, NULL, NULL, &inst[5], NULL) == ERR_TABLE_MEMORY_CAP && !inst[5]);
    CHECK(store_table_bytes(s) == 5 * INST_BYTES);   /* the refused one left nothing */

    /* the guest's table.grow sees -1 at the limit, and works again once an
     * instance gives its charge back */
    CHECK(guest_grow(env, inst[0], 1) == -1 && inst[0]->tables[0]->size == 10);
    instance_free(inst[4]);
    CHECK(store_table_bytes(s) == 4 * INST_BYTES);
    /* the freed instance's records are taken by another charge, so that
     * exactly its table's and segment's 13 entries are free below */
    CHECK(store_table_charge(s, records));
    CHECK(guest_grow(env, inst[0], 1) == 10);   /* capacity doubled to 20 */
    CHECK(store_table_bytes(s) == 4 * INST_BYTES + records + 10 * ENTRY);
    CHECK(guest_grow(env, inst[0], 9) == 11);   /* within the capacity: no charge */
    CHECK(store_table_bytes(s) == 4 * INST_BYTES + records + 10 * ENTRY);
    CHECK(guest_grow(env, inst[0], 4) == -1);   /* needs 4 more entries, 3 are left */
    CHECK(guest_grow(env, inst[0], 3) == 20);   /* exactly to the limit */
    CHECK(store_table_bytes(s) == 5 * INST_BYTES);
    CHECK(guest_grow(env, inst[1], 1) == -1);

    /* elem.drop gives the segment's charge back, once */
    Slot io[1] = {{0}};
    CHECK(test_call_export(env, inst[1], "drop", io) == TRAP_NONE);
    CHECK(test_call_export(env, inst[1], "drop", io) == TRAP_NONE);
    CHECK(store_table_bytes(s) == 5 * INST_BYTES - 3 * ENTRY);
    CHECK(guest_grow(env, inst[2], 1) == 10);   /* doubling needs 10 more, exactly 1 fits */
    CHECK(store_table_bytes(s) == 5 * INST_BYTES - 2 * ENTRY);

    for (int i = 0; i < 4; i++) instance_free(inst[i]);
    CHECK(store_table_bytes(s) == records);
    store_table_release(s, records);
    CHECK(store_table_bytes(s) == 0);
    store_free(s);
    module_free(m);
}

/* A module whose tables fit but whose element segment does not is refused
 * too, and its tables' charge is given back. */
static void test_instance_segment_over_budget(void)
{
    Module *big = load_tables(4, 1000, 0), *seg = load_tables(1, 10, 3);
    if (!big || !seg) return;
    Store *s = store_with_budget(4000 * ENTRY - 1);
    Instance *inst = NULL;
    CHECK(instance_new(s, big, NULL, NULL, &inst, NULL) == ERR_TABLE_MEMORY_CAP && !inst);
    CHECK(store_table_bytes(s) == 0);
    store_free(s);

    s = store_with_budget(12 * ENTRY);
    CHECK(instance_new(s, seg, NULL, NULL, &inst, NULL) == ERR_TABLE_MEMORY_CAP && !inst);
    CHECK(store_table_bytes(s) == 0);
    store_free(s);
    s = store_with_budget(13 * ENTRY + instance_record_bytes(seg) - 1);   /* records too */
    CHECK(instance_new(s, seg, NULL, NULL, &inst, NULL) == ERR_TABLE_MEMORY_CAP && !inst);
    CHECK(store_table_bytes(s) == 0);
    store_free(s);
    s = store_with_budget(13 * ENTRY + instance_record_bytes(seg));
    CHECK(instance_new(s, seg, NULL, NULL, &inst, NULL) == SP_OK && inst);
    CHECK(store_table_bytes(s) == 13 * ENTRY + instance_record_bytes(seg));
    store_free(s);
    module_free(big);
    module_free(seg);
}

/* ---------------------------------------------------------------- threads */

enum { GROWERS = 4, GROW_BUDGET = 4000 };

typedef struct Grower {
    Instance *inst;
    pthread_t thread;
    uint32_t grown;     /* entries added before the first -1 */
    bool trapped;       /* a grow trapped instead */
} Grower;

/* Grows its own instance's table by one entry until table.grow gives -1. */
static void *grower_main(void *arg)
{
    Grower *g = arg;
    ExecEnv *env = env_new(0, 0);
    g->trapped = !env;
    if (!env) return NULL;
    int32_t old;
    while ((old = guest_grow_any(env, g->inst, 1)) >= 0) g->grown++;
    g->trapped = old == -2;
    env_free(env);
    return NULL;
}

/* Threads growing the tables of their own instances in one store share the
 * budget: together they never pass it, and every charge comes back. */
static void test_threads_share_budget(void)
{
    Module *m = load_tables(1, 0, 0);
    if (!m) return;
    const uint64_t records = GROWERS * instance_record_bytes(m);
    Store *s = store_with_budget(GROW_BUDGET * ENTRY + records);
    Grower g[GROWERS];
    memset(g, 0, sizeof g);
    for (int i = 0; i < GROWERS; i++) CHECK(instance_new(s, m, NULL, NULL, &g[i].inst, NULL) == SP_OK);
    for (int i = 0; i < GROWERS; i++) CHECK(pthread_create(&g[i].thread, NULL, grower_main, &g[i]) == 0);
    uint64_t entries = 0, capacity = 0;
    for (int i = 0; i < GROWERS; i++) {
        pthread_join(g[i].thread, NULL);
        entries += g[i].grown;
        capacity += g[i].inst->tables[0]->capacity;
        CHECK(!g[i].trapped && g[i].inst->tables[0]->size == g[i].grown);
    }
    /* a grower stops when not even one more entry fits (its table is then
     * full: size = capacity), and nothing is given back before the joins,
     * so together they used the budget exactly */
    CHECK(store_table_bytes(s) == capacity * ENTRY + records);
    CHECK(capacity == GROW_BUDGET && entries == GROW_BUDGET);
    for (int i = 0; i < GROWERS; i++) instance_free(g[i].inst);
    CHECK(store_table_bytes(s) == 0);
    store_free(s);
    module_free(m);
}

/* ------------------------------------------------------ instance records */

enum { MANY_FUNCS = 20000 };

/* A module of MANY_FUNCS empty functions () -> () and nothing else (built
 * on the heap: about 60 KB). */
static Module *load_many_funcs(void)
{
    uint8_t *buf = malloc(4 * MANY_FUNCS + 64);
    Module *m = NULL;
    if (buf) {
        /* function section: MANY_FUNCS times type 0; code: as many bodies
         * of size 2 (no locals, end), written straight into buf */
        size_t n = 0;
        memcpy(buf, "\0asm\1\0\0\0\x01\x04\x01\x60\x00\x00", 14);
        n = 14;
        uint8_t uleb[8];
        size_t ul = 0;
        for (uint32_t v = MANY_FUNCS; ul == 0 || v; v >>= 7) uleb[ul++] = (v & 0x7F) | (v >> 7 ? 0x80 : 0);
        size_t fsec = ul + MANY_FUNCS, csec = ul + 3 * (size_t)MANY_FUNCS;
        buf[n++] = 3;
        for (size_t v = fsec; v; v >>= 7) buf[n++] = (v & 0x7F) | (v >> 7 ? 0x80 : 0);
        memcpy(buf + n, uleb, ul);
        n += ul;
        memset(buf + n, 0, MANY_FUNCS);
        n += MANY_FUNCS;
        buf[n++] = 10;
        for (size_t v = csec; v; v >>= 7) buf[n++] = (v & 0x7F) | (v >> 7 ? 0x80 : 0);
        memcpy(buf + n, uleb, ul);
        n += ul;
        for (uint32_t i = 0; i < MANY_FUNCS; i++, n += 3) memcpy(buf + n, "\x02\x00\x0b", 3);
        SpResult e = module_load(buf, n, &m, NULL);
        if (e) fprintf(stderr, "load_many_funcs: %s\n", e);
    }
    free(buf);
    CHECK(m != NULL);
    return m;
}

/* A module of many functions costs its records again in every instance:
 * they are charged to the budget (about 56 bytes a function), so instances
 * beyond it are refused with ERR_TABLE_MEMORY_CAP (a WASIX spawn: ENOMEM)
 * instead of taking host memory without end, and freeing gives them back. */
static void test_instance_records_charged(void)
{
    Module *m = load_many_funcs();
    if (!m) return;
    uint64_t records = instance_record_bytes(m);
    CHECK(records >= (uint64_t)MANY_FUNCS * sizeof(Func));
    Store *s = store_with_budget(3 * records + records / 2);
    Instance *inst[4] = {NULL};
    for (int i = 0; i < 3; i++) CHECK(instance_new(s, m, NULL, NULL, &inst[i], NULL) == SP_OK);
    CHECK(store_table_bytes(s) == 3 * records);
    CHECK(instance_new(s, m, NULL, NULL, &inst[3], NULL) == ERR_TABLE_MEMORY_CAP && !inst[3]);
    CHECK(store_table_bytes(s) == 3 * records);
    instance_free(inst[0]);
    CHECK(store_table_bytes(s) == 2 * records);
    CHECK(instance_new(s, m, NULL, NULL, &inst[0], NULL) == SP_OK);
    for (int i = 0; i < 3; i++) instance_free(inst[i]);
    CHECK(store_table_bytes(s) == 0);
    store_free(s);
    module_free(m);
}

int main(void)
{
    test_charge_edges();
    test_table_make_grow_free();
    test_instances_share_budget();
    test_instance_segment_over_budget();
    test_threads_share_budget();
    test_instance_records_charged();
    return test_summary();
}
