/*
 * test_runtime.c - unit tests of the runtime objects: memories (growth,
 * limits, guard reservation, growth under a concurrent reader), tables,
 * globals, import matching, the linker's errors and instantiation (segments,
 * traps that keep earlier writes, the start function). Most modules here are
 * built by hand as Module structs so these tests do not depend on the decoder;
 * one case goes through module_load from binary bytes.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/runtime.h"
#include "testlib.h"

#define PAGE WASM_PAGE_SIZE

/* ------------------------------------------------------------- memory */

static void test_memory_grow_limits(void)
{
    Limits lim = {.min = 1, .max = 3, .has_max = true};
    SpResult err = SP_OK;
    Memory *m = memory_new(&lim, &err);
    CHECK(m != NULL && err == SP_OK);
    if (!m) return;
    uint8_t *base = m->base;
    CHECK(memory_size_bytes(m) == PAGE);
    CHECK(m->reserved >= ((uint64_t)8 << 30) + 16);
    CHECK(m->has_max && m->max_pages == 3);
    CHECK(base[0] == 0 && base[PAGE - 1] == 0);
    memset(base, 0xAB, PAGE);
    CHECK(memory_grow(m, 1) == 1);
    CHECK(m->base == base);
    CHECK(memory_size_bytes(m) == 2 * PAGE);
    bool zero = true;
    for (uint32_t i = PAGE; i < 2 * PAGE; i++) zero &= base[i] == 0;
    CHECK(zero);
    CHECK(base[PAGE - 1] == 0xAB);
    CHECK(memory_grow(m, 2) == -1);   /* 2 + 2 > 3 */
    CHECK(memory_grow(m, 1) == 2);
    CHECK(memory_grow(m, 1) == -1);
    CHECK(memory_grow(m, 0) == 3);
    CHECK(memory_grow(m, UINT64_MAX) == -1);
    CHECK(memory_size_bytes(m) == 3 * PAGE && m->base == base);
    memory_retain(m);
    memory_release(m);
    CHECK(atomic_load(&m->refs) == 1);
    memory_release(m);
}

/* A memory without a declared maximum stops at 65536 pages (4 GiB); growing
 * commits lazily, so this costs address space, not RAM. */
static void test_memory_no_max(void)
{
    Limits lim = {.min = 0};
    Memory *m = memory_new(&lim, NULL);
    CHECK(m != NULL);
    if (!m) return;
    CHECK(memory_size_bytes(m) == 0 && !m->has_max && m->max_pages == WASM_MAX_PAGES);
    CHECK(memory_grow(m, WASM_MAX_PAGES + 1) == -1);
    CHECK(memory_grow(m, 1) == 0);
    CHECK(memory_grow(m, WASM_MAX_PAGES - 1) == 1);
    CHECK(memory_size_bytes(m) == (uint64_t)WASM_MAX_PAGES * PAGE);
    m->base[(uint64_t)WASM_MAX_PAGES * PAGE - 1] = 7; /* the last byte is usable */
    CHECK(memory_grow(m, 1) == -1);
    memory_release(m);
}

static void test_memory_bad_limits(void)
{
    SpResult err = SP_OK;
    Limits too_big = {.min = WASM_MAX_PAGES + 1};
    CHECK(memory_new(&too_big, &err) == NULL && err != SP_OK);
    err = SP_OK;
    Limits inverted = {.min = 2, .max = 1, .has_max = true};
    CHECK(memory_new(&inverted, &err) == NULL && err != SP_OK);
}

/* Current virtual size of this process in bytes (from /proc), or 0. */
static uint64_t current_vm_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!f) return 0;
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
    return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* In a child with a 1 GiB address-space allowance: a memory with a small
 * maximum falls back to a smaller reservation, one without a maximum fails
 * cleanly with an error. Exit status 0 = both behaved. */
static int memory_reserve_child(void)
{
    uint64_t vm = current_vm_bytes();
    if (vm == 0) return 10;
    struct rlimit rl = {.rlim_cur = vm + (1u << 30), .rlim_max = vm + (1u << 30)};
    if (setrlimit(RLIMIT_AS, &rl) != 0) return 11;
    Limits small = {.min = 1, .max = 2, .has_max = true};
    Memory *m = memory_new(&small, NULL);
    if (!m) return 12;
    if (m->reserved >= ((uint64_t)8 << 30)) return 13;
    if (memory_grow(m, 1) != 1 || memory_grow(m, 1) != -1) return 14;
    m->base[2 * PAGE - 1] = 1;
    memory_release(m);
    SpResult err = SP_OK;
    Limits big = {.min = 1};
    if (memory_new(&big, &err) != NULL || err == SP_OK) return 15;
    return 0;
}

static void test_memory_reserve_failure(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(memory_reserve_child());
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        fprintf(stderr, "reserve child exit code %d\n", WEXITSTATUS(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A shared memory grown page by page by one thread while another keeps
 * reading the last byte below the size it observes. */
typedef struct GrowShared {
    Memory *mem;
    atomic_int done;
    atomic_int bad;
    atomic_long reads;
} GrowShared;

static void *grow_reader(void *arg)
{
    GrowShared *s = arg;
    uint8_t *base = s->mem->base;
    while (!atomic_load(&s->done)) {
        uint64_t size = memory_size_bytes(s->mem);
        if (s->mem->base != base) atomic_store(&s->bad, 1);
        if (__atomic_load_n(&base[size - 1], __ATOMIC_RELAXED) != 0) atomic_store(&s->bad, 2);
        if (__atomic_load_n(&base[size - PAGE], __ATOMIC_RELAXED) != 0) atomic_store(&s->bad, 3);
        atomic_fetch_add(&s->reads, 1);
    }
    return NULL;
}

static void test_memory_shared_grow(void)
{
    Limits lim = {.min = 1, .max = 512, .has_max = true, .shared = true};
    GrowShared s = {.mem = memory_new(&lim, NULL)};
    CHECK(s.mem != NULL && s.mem->shared);
    if (!s.mem) return;
    pthread_t reader;
    CHECK(pthread_create(&reader, NULL, grow_reader, &s) == 0);
    int64_t expect = 1;
    bool ok = true;
    for (int i = 0; i < 511; i++) {
        ok &= memory_grow(s.mem, 1) == expect++;
        if (i % 64 == 0) sched_yield();
    }
    while (atomic_load(&s.reads) < 1000) sched_yield();
    atomic_store(&s.done, 1);
    pthread_join(reader, NULL);
    CHECK(ok);
    CHECK(atomic_load(&s.bad) == 0);
    CHECK(memory_grow(s.mem, 1) == -1);
    CHECK(memory_size_bytes(s.mem) == 512ull * PAGE);
    memory_release(s.mem);
}

/* -------------------------------------------------------- table, global */

static void test_table(void)
{
    int x, y;
    TableType type = {.elem = VT_EXTERNREF, .limits = {.min = 2, .max = 5, .has_max = true}};
    Table *t = table_new(NULL, &type, &x, NULL);
    CHECK(t != NULL);
    if (!t) return;
    CHECK(t->size == 2 && t->max == 5 && t->has_max && t->elem_type == VT_EXTERNREF);
    CHECK(t->elems[0] == &x && t->elems[1] == &x);
    CHECK(table_grow(t, 2, &y) == 2);
    CHECK(t->size == 4 && t->elems[1] == &x && t->elems[2] == &y && t->elems[3] == &y);
    CHECK(table_grow(t, 2, NULL) == -1);
    CHECK(t->size == 4);
    CHECK(table_grow(t, 1, NULL) == 4 && t->elems[4] == NULL);
    CHECK(table_grow(t, 0, NULL) == 5);
    CHECK(table_grow(t, 1, NULL) == -1);
    table_release(t);

    TableType open = {.elem = VT_FUNCREF, .limits = {.min = 0}};
    t = table_new(NULL, &open, NULL, NULL);
    CHECK(t != NULL && t->size == 0 && t->max == UINT32_MAX && !t->has_max);
    if (!t) return;
    CHECK(table_grow(t, 0xFFFFFFF0u, NULL) == -1);   /* over the host limit */
    CHECK(table_grow(t, 20000000u, NULL) == -1);
    bool ok = true;
    for (uint32_t i = 0; i < 1000; i++) ok &= table_grow(t, 3, NULL) == (int64_t)i * 3;
    CHECK(ok && t->size == 3000 && t->elems[2999] == NULL);
    table_release(t);

    SpResult err = SP_OK;
    TableType huge = {.elem = VT_FUNCREF, .limits = {.min = 0xFFFFFFFFu}};
    CHECK(table_new(NULL, &huge, NULL, &err) == NULL && err != SP_OK);
}

static void test_global(void)
{
    Slot v[2] = {{.u64 = 0x1122334455667788u}, {.u64 = 0x99u}};
    Global *g = global_new((GlobalType){VT_V128, true}, v);
    CHECK(g && g->value[0].u64 == v[0].u64 && g->value[1].u64 == 0x99u);
    global_retain(g);
    global_release(g);
    global_release(g);
    g = global_new((GlobalType){VT_I32, false}, NULL);
    CHECK(g && g->value[0].u64 == 0 && !g->type.mut);
    global_release(g);
}

/* ------------------------------------------------------ hand-built modules */

static const ValType I32[] = {VT_I32};

static TrapKind host_nop(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    if (ctx) (*(int *)ctx)++;
    return TRAP_NONE;
}

static TrapKind host_unreachable(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    return TRAP_UNREACHABLE;
}

/* types[0] = (i32) -> (), types[1] = () -> (i32), types[2] = () -> () and
 * types[3] = (i32) -> () again (canonically types[0]). */
static FuncType test_types[4] = {
    {1, 0, (ValType *)I32, NULL, 1, 0},
    {0, 1, NULL, (ValType *)I32, 0, 1},
    {0, 0, NULL, NULL, 0, 0},
    {1, 0, (ValType *)I32, NULL, 1, 0},
};
static uint32_t test_type_canon[4] = {0, 1, 2, 0};

static Module module_with_types(void)
{
    Module m;
    memset(&m, 0, sizeof m);
    m.num_types = 4;
    m.types = test_types;
    m.type_canon = test_type_canon;
    return m;
}

static Name nm(const char *s) { return (Name){s, (uint32_t)strlen(s)}; }

/* A module with one import of each sort, for the matching tests:
 * 0 func (i32)->() [by the duplicate type 3], 1 table funcref 2..10,
 * 2 memory 1..2, 3 shared memory 1..2, 4 global const i32, 5 table funcref 1..,
 * 6 table funcref 0..2^32-1 */
static Import match_imports[7];

static Module match_module(void)
{
    Module m = module_with_types();
    Import *imp = match_imports;
    imp[0] = (Import){.module = nm("a"), .name = nm("f"), .kind = EXTERN_FUNC, .type_index = 3};
    imp[1] = (Import){.module = nm("a"), .name = nm("t"), .kind = EXTERN_TABLE,
                      .table = {VT_FUNCREF, {.min = 2, .max = 10, .has_max = true}}};
    imp[2] = (Import){.module = nm("a"), .name = nm("m"), .kind = EXTERN_MEMORY,
                      .mem = {{.min = 1, .max = 2, .has_max = true}}};
    imp[3] = (Import){.module = nm("a"), .name = nm("s"), .kind = EXTERN_MEMORY,
                      .mem = {{.min = 1, .max = 2, .has_max = true, .shared = true}}};
    imp[4] = (Import){.module = nm("a"), .name = nm("g"), .kind = EXTERN_GLOBAL,
                      .global = {VT_I32, false}};
    imp[5] = (Import){.module = nm("a"), .name = nm("t2"), .kind = EXTERN_TABLE,
                      .table = {VT_FUNCREF, {.min = 1}}};
    imp[6] = (Import){.module = nm("a"), .name = nm("t3"), .kind = EXTERN_TABLE,
                      .table = {VT_FUNCREF, {.min = 0, .max = UINT32_MAX, .has_max = true}}};
    m.num_imports = 7;
    m.imports = imp;
    return m;
}

static void test_match_funcs(void)
{
    Module m = match_module();
    FuncType *ft_i32 = functype_new(1, I32, 0, NULL);
    FuncType *ft_ret = functype_new(0, NULL, 1, I32);
    Func *f1 = func_new_host(ft_i32, host_nop, NULL), *f2 = func_new_host(ft_ret, host_nop, NULL);
    CHECK(ft_i32 && ft_i32->param_slots == 1 && ft_ret->result_slots == 1);
    CHECK(extern_matches(&m, &match_imports[0], &(Extern){EXTERN_FUNC, {.func = f1}}));
    CHECK(!extern_matches(&m, &match_imports[0], &(Extern){EXTERN_FUNC, {.func = f2}}));
    CHECK(!extern_matches(&m, &match_imports[0], NULL));
    CHECK(!extern_matches(&m, &match_imports[1], &(Extern){EXTERN_FUNC, {.func = f1}}));
    free(f1);
    free(f2);
    functype_free(ft_i32);
    functype_free(ft_ret);
}

static bool match_table(const Module *m, int import, ValType elem, Limits lim, uint32_t grow)
{
    TableType tt = {elem, lim};
    Table *t = table_new(NULL, &tt, NULL, NULL);
    if (!t) return false;
    if (grow) table_grow(t, grow, NULL);
    bool ok = extern_matches(m, &match_imports[import], &(Extern){EXTERN_TABLE, {.table = t}});
    table_release(t);
    return ok;
}

static void test_match_tables(void)
{
    Module m = match_module();
    CHECK(match_table(&m, 1, VT_FUNCREF, (Limits){.min = 5, .max = 8, .has_max = true}, 0));
    CHECK(match_table(&m, 1, VT_FUNCREF, (Limits){.min = 2, .max = 10, .has_max = true}, 0));
    CHECK(!match_table(&m, 1, VT_FUNCREF, (Limits){.min = 1, .max = 8, .has_max = true}, 0));
    CHECK(!match_table(&m, 1, VT_FUNCREF, (Limits){.min = 5}, 0));
    CHECK(!match_table(&m, 1, VT_FUNCREF, (Limits){.min = 5, .max = 11, .has_max = true}, 0));
    CHECK(!match_table(&m, 1, VT_EXTERNREF, (Limits){.min = 5, .max = 8, .has_max = true}, 0));
    CHECK(match_table(&m, 5, VT_FUNCREF, (Limits){.min = 5}, 0));
    /* the current size counts: a table grown past the wanted min matches */
    CHECK(match_table(&m, 1, VT_FUNCREF, (Limits){.min = 1, .max = 8, .has_max = true}, 1));
    /* "no maximum" is not the same as a maximum of 2^32-1 */
    CHECK(!match_table(&m, 6, VT_FUNCREF, (Limits){.min = 2}, 0));
    CHECK(match_table(&m, 6, VT_FUNCREF, (Limits){.min = 2, .max = UINT32_MAX, .has_max = true}, 0));
}

static bool match_memory(const Module *m, int import, Limits lim, uint32_t grow)
{
    Memory *mem = memory_new(&lim, NULL);
    if (!mem) return false;
    if (grow) memory_grow(mem, grow);
    bool ok = extern_matches(m, &match_imports[import], &(Extern){EXTERN_MEMORY, {.memory = mem}});
    memory_release(mem);
    return ok;
}

static void test_match_memories(void)
{
    Module m = match_module();
    CHECK(match_memory(&m, 2, (Limits){.min = 1, .max = 2, .has_max = true}, 0));
    CHECK(match_memory(&m, 2, (Limits){.min = 2, .max = 2, .has_max = true}, 0));
    CHECK(!match_memory(&m, 2, (Limits){.min = 1}, 0));
    CHECK(!match_memory(&m, 2, (Limits){.min = 0, .max = 2, .has_max = true}, 0));
    CHECK(match_memory(&m, 2, (Limits){.min = 0, .max = 2, .has_max = true}, 1));
    CHECK(!match_memory(&m, 2, (Limits){.min = 2, .max = 3, .has_max = true}, 0));
    CHECK(!match_memory(&m, 2, (Limits){.min = 1, .max = 2, .has_max = true, .shared = true}, 0));
    CHECK(match_memory(&m, 3, (Limits){.min = 1, .max = 2, .has_max = true, .shared = true}, 0));
    CHECK(!match_memory(&m, 3, (Limits){.min = 1, .max = 2, .has_max = true}, 0));
    CHECK(!match_memory(&m, 2, (Limits){.min = 1, .max = WASM_MAX_PAGES, .has_max = true}, 0));
}

static void test_match_globals(void)
{
    Module m = match_module();
    Global *g_ok = global_new((GlobalType){VT_I32, false}, NULL);
    Global *g_mut = global_new((GlobalType){VT_I32, true}, NULL);
    Global *g_i64 = global_new((GlobalType){VT_I64, false}, NULL);
    CHECK(extern_matches(&m, &match_imports[4], &(Extern){EXTERN_GLOBAL, {.global = g_ok}}));
    CHECK(!extern_matches(&m, &match_imports[4], &(Extern){EXTERN_GLOBAL, {.global = g_mut}}));
    CHECK(!extern_matches(&m, &match_imports[4], &(Extern){EXTERN_GLOBAL, {.global = g_i64}}));
    CHECK(!extern_matches(&m, &match_imports[4], &(Extern){EXTERN_TABLE, {.table = NULL}}));
    global_release(g_ok);
    global_release(g_mut);
    global_release(g_i64);
}

/* ------------------------------------------------------------- linker */

static void test_linker_map(void)
{
    Linker *l = linker_new();
    CHECK(l != NULL);
    if (!l) return;
    char name[32];
    bool ok = true;
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(name, sizeof name, "f%d", i);
        Extern ext = {EXTERN_GLOBAL, {.global = (Global *)(uintptr_t)(i + 1)}};
        ok &= linker_define(l, "mod", 3, name, (size_t)n, ext) == SP_OK;
    }
    for (int i = 0; i < 1000; i++) {
        int n = snprintf(name, sizeof name, "f%d", i);
        Extern ext;
        ok &= linker_lookup(l, "mod", 3, name, (size_t)n, &ext) &&
              ext.u.global == (Global *)(uintptr_t)(i + 1);
    }
    CHECK(ok);
    Extern ext;
    CHECK(!linker_lookup(l, "mod", 3, "f1000", 5, &ext));
    CHECK(!linker_lookup(l, "mo", 2, "df1", 3, &ext));
    /* names with NUL bytes are distinct from their prefixes */
    CHECK(linker_define(l, "a\0b", 3, "x\0", 2, (Extern){EXTERN_FUNC, {.func = NULL}}) == SP_OK);
    CHECK(linker_lookup(l, "a\0b", 3, "x\0", 2, &ext) && ext.kind == EXTERN_FUNC);
    CHECK(!linker_lookup(l, "a", 1, "x", 1, &ext));
    CHECK(!linker_lookup(l, "a\0b", 3, "x", 1, &ext));
    /* a later definition replaces an earlier one */
    CHECK(linker_define(l, "mod", 3, "f5", 2, (Extern){EXTERN_TABLE, {.table = NULL}}) == SP_OK);
    CHECK(linker_lookup(l, "mod", 3, "f5", 2, &ext) && ext.kind == EXTERN_TABLE);
    linker_free(l);
}

static void test_linker_errors(void)
{
    Module m = module_with_types();
    static const char mod_name[] = {'s', 'p', 0, 'c'};
    Import imp = {.module = {mod_name, 4}, .name = nm("print_i32"), .kind = EXTERN_FUNC,
                  .type_index = 0};
    m.num_imports = 1;
    m.num_funcs = m.num_func_imports = 1;
    uint32_t func_type[1] = {0};
    m.func_type = func_type;
    m.imports = &imp;

    Linker *l = linker_new();
    Instance *inst = (Instance *)1;
    TrapKind trap = TRAP_UNREACHABLE;
    SpDiag diag;
    memset(&diag, 0, sizeof diag);
    SpResult r = linker_instantiate(l, test_store(), &m, NULL, &inst, &trap, &diag);
    CHECK(r == ERR_UNKNOWN_IMPORT && diag.msg == ERR_UNKNOWN_IMPORT);
    CHECK(strcmp(r, "unknown import") == 0);
    CHECK(inst == NULL && trap == TRAP_NONE);
    CHECK(strstr(diag.text, "\"sp\\x00c\"") != NULL && strstr(diag.text, "\"print_i32\"") != NULL);

    FuncType *ft_ret = functype_new(0, NULL, 1, I32);
    FuncType *ft_i32 = functype_new(1, I32, 0, NULL);
    Func *wrong = func_new_host(ft_ret, host_nop, NULL);
    Func *right = func_new_host(ft_i32, host_nop, NULL);
    Global *g = global_new((GlobalType){VT_I32, false}, NULL);
    linker_define(l, mod_name, 4, "print_i32", 9, (Extern){EXTERN_GLOBAL, {.global = g}});
    r = linker_instantiate(l, test_store(), &m, NULL, &inst, &trap, &diag);
    CHECK(r == ERR_INCOMPATIBLE_IMPORT && strcmp(r, "incompatible import type") == 0);
    CHECK(strstr(diag.text, "print_i32") != NULL && inst == NULL);
    linker_define(l, mod_name, 4, "print_i32", 9, (Extern){EXTERN_FUNC, {.func = wrong}});
    r = linker_instantiate(l, test_store(), &m, NULL, &inst, &trap, &diag);
    CHECK(r == ERR_INCOMPATIBLE_IMPORT);
    linker_define(l, mod_name, 4, "print_i32", 9, (Extern){EXTERN_FUNC, {.func = right}});
    r = linker_instantiate(l, test_store(), &m, NULL, &inst, &trap, &diag);
    CHECK(r == SP_OK && inst != NULL);
    if (inst) CHECK(inst->funcs[0] == right && inst->module == &m);
    instance_free(inst);

    /* instance_new defends itself against unchecked imports too */
    CHECK(instance_new(test_store(), &m, NULL, NULL, &inst, &trap) == ERR_UNKNOWN_IMPORT && !inst);
    Extern bad = {EXTERN_FUNC, {.func = wrong}};
    CHECK(instance_new(test_store(), &m, &bad, NULL, &inst, &trap) == ERR_INCOMPATIBLE_IMPORT && !inst);

    linker_free(l);
    global_release(g);
    free(wrong);
    free(right);
    functype_free(ft_ret);
    functype_free(ft_i32);
}

/* (module (import "spectest" "nope" (func))) through the real decoder. */
static void test_linker_decoded_module(void)
{
    static const uint8_t bytes[] = {
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
        0x02, 0x11, 0x01, 0x08, 's', 'p', 'e', 'c', 't', 'e', 's', 't',
        0x04, 'n', 'o', 'p', 'e', 0x00, 0x00,
    };
    Module *m = NULL;
    SpDiag diag;
    memset(&diag, 0, sizeof diag);
    SpResult r = module_load(bytes, sizeof bytes, &m, &diag);
    CHECK(r == SP_OK && m != NULL);
    if (!m) {
        fprintf(stderr, "module_load: %s\n", diag.text);
        return;
    }
    Linker *l = linker_new();
    Instance *inst = NULL;
    r = linker_instantiate(l, test_store(), m, NULL, &inst, NULL, &diag);
    CHECK(r == ERR_UNKNOWN_IMPORT && strstr(diag.text, "\"spectest\" \"nope\"") != NULL);
    FuncType *ft = functype_new(1, I32, 0, NULL);
    Func *f = func_new_host(ft, host_nop, NULL);
    linker_define(l, "spectest", 8, "nope", 4, (Extern){EXTERN_FUNC, {.func = f}});
    CHECK(linker_instantiate(l, test_store(), m, NULL, &inst, NULL, &diag) == ERR_INCOMPATIBLE_IMPORT);
    FuncType *ft0 = functype_new(0, NULL, 0, NULL);
    Func *f0 = func_new_host(ft0, host_nop, NULL);
    linker_define(l, "spectest", 8, "nope", 4, (Extern){EXTERN_FUNC, {.func = f0}});
    CHECK(linker_instantiate(l, test_store(), m, NULL, &inst, NULL, &diag) == SP_OK && inst != NULL);
    instance_free(inst);
    linker_free(l);
    free(f);
    free(f0);
    functype_free(ft);
    functype_free(ft0);
    module_free(m);
}

/* ------------------------------------------------------- instantiation */

/* A module importing a table (funcref, min 10), a memory (min 1), an i32
 * global and a () -> () function, defining two functions, two globals, two
 * exports and the element / data segments set up by each test. */
typedef struct TestModule {
    Module m;
    Import imports[4];
    uint32_t func_type[3];
    FuncBody bodies[2];
    GlobalType globals[3];
    ConstExpr global_inits[2];
    Export exports[2];
    ElemSegment elems[4];
    ConstExpr items[8];
    DataSegment datas[3];
} TestModule;

static ConstExpr const_i32(int32_t v)
{
    return (ConstExpr){.kind = CONST_I32, .type = VT_I32, .value = {{.i32 = v}}};
}

static ConstExpr const_ref_func(uint32_t i)
{
    return (ConstExpr){.kind = CONST_REF_FUNC, .type = VT_FUNCREF, .index = i};
}

static void test_module_init(TestModule *t)
{
    memset(t, 0, sizeof *t);
    t->m = module_with_types();
    Module *m = &t->m;
    t->imports[0] = (Import){.module = nm("env"), .name = nm("tab"), .kind = EXTERN_TABLE,
                             .table = {VT_FUNCREF, {.min = 10}}};
    t->imports[1] = (Import){.module = nm("env"), .name = nm("mem"), .kind = EXTERN_MEMORY,
                             .mem = {{.min = 1}}};
    t->imports[2] = (Import){.module = nm("env"), .name = nm("base"), .kind = EXTERN_GLOBAL,
                             .global = {VT_I32, false}};
    t->imports[3] = (Import){.module = nm("env"), .name = nm("hook"), .kind = EXTERN_FUNC,
                             .type_index = 2};
    m->num_imports = 4;
    m->imports = t->imports;
    m->num_funcs = 3;
    m->num_func_imports = 1;
    t->func_type[0] = 2;
    t->func_type[1] = 3; /* canonically type 0 */
    t->func_type[2] = 1;
    m->func_type = t->func_type;
    m->bodies = t->bodies;
    m->num_tables = m->num_table_imports = 1;
    m->num_memories = m->num_memory_imports = 1;
    m->num_globals = 3;
    m->num_global_imports = 1;
    t->globals[0] = (GlobalType){VT_I32, false};
    t->globals[1] = (GlobalType){VT_I32, true};
    t->globals[2] = (GlobalType){VT_FUNCREF, false};
    m->globals = t->globals;
    t->global_inits[0] = (ConstExpr){.kind = CONST_GLOBAL_GET, .type = VT_I32, .index = 0};
    t->global_inits[1] = const_ref_func(2);
    m->global_inits = t->global_inits;
    t->exports[0] = (Export){nm("f"), EXTERN_FUNC, 1};
    t->exports[1] = (Export){nm("g"), EXTERN_GLOBAL, 1};
    m->num_exports = 2;
    m->exports = t->exports;
    m->elems = t->elems;
    m->datas = t->datas;
}

/* The objects a TestModule imports. */
typedef struct TestEnv {
    Table *table;
    Memory *memory;
    Global *base;
    FuncType *hook_type;
    Func *hook;
    int hook_calls;
    Extern imports[4];
} TestEnv;

static void test_env_init(TestEnv *e, int32_t base, HostFn hook)
{
    TableType tt = {VT_FUNCREF, {.min = 10}};
    e->table = table_new(NULL, &tt, NULL, NULL);
    e->memory = memory_new(&(Limits){.min = 1}, NULL);
    e->base = global_new((GlobalType){VT_I32, false}, &(Slot){.i32 = base});
    e->hook_type = functype_new(0, NULL, 0, NULL);
    e->hook_calls = 0;
    e->hook = func_new_host(e->hook_type, hook, &e->hook_calls);
    e->imports[0] = (Extern){EXTERN_TABLE, {.table = e->table}};
    e->imports[1] = (Extern){EXTERN_MEMORY, {.memory = e->memory}};
    e->imports[2] = (Extern){EXTERN_GLOBAL, {.global = e->base}};
    e->imports[3] = (Extern){EXTERN_FUNC, {.func = e->hook}};
}

static void test_env_free(TestEnv *e)
{
    table_release(e->table);
    memory_release(e->memory);
    global_release(e->base);
    free(e->hook);
    functype_free(e->hook_type);
}

/* elem 0: active at global 0 (= 7) [func 1]; elem 1: passive [func 2, null];
 * elem 2: declarative [func 1]; data 0: active at 16 "hello"; data 1: passive "xyz". */
static void test_module_segments(TestModule *t)
{
    test_module_init(t);
    t->items[0] = const_ref_func(1);
    t->items[1] = const_ref_func(2);
    t->items[2] = (ConstExpr){.kind = CONST_REF_NULL, .type = VT_FUNCREF};
    t->items[3] = const_ref_func(1);
    ConstExpr at_base = {.kind = CONST_GLOBAL_GET, .type = VT_I32, .index = 0};
    t->elems[0] = (ElemSegment){SEG_ACTIVE, VT_FUNCREF, 0, at_base, 1, &t->items[0]};
    t->elems[1] = (ElemSegment){SEG_PASSIVE, VT_FUNCREF, 0, {0}, 2, &t->items[1]};
    t->elems[2] = (ElemSegment){SEG_DECLARATIVE, VT_FUNCREF, 0, {0}, 1, &t->items[3]};
    t->m.num_elems = 3;
    t->datas[0] = (DataSegment){SEG_ACTIVE, 0, const_i32(16), (const uint8_t *)"hello", 5};
    t->datas[1] = (DataSegment){SEG_PASSIVE, 0, {0}, (const uint8_t *)"xyz", 3};
    t->m.num_datas = 2;
}

/* What instantiation built: functions, globals, segment state, imports. */
static void check_instantiated(const Module *m, Instance *inst, TestEnv *e)
{
    Func *f1 = inst->funcs[1], *f2 = inst->funcs[2];
    CHECK(inst->funcs[0] == e->hook);
    CHECK(f1->type == &m->types[0] && f1->inst == inst && f1->index == 1 && !f1->host);
    CHECK(f2->type == &m->types[1] && f2->index == 2);
    CHECK(inst->globals[1]->value[0].i32 == 7 && inst->globals[2]->value[0].ref == f2);
    CHECK(e->table->elems[7] == f1 && e->table->elems[6] == NULL && e->table->elems[8] == NULL);
    CHECK(inst->elems[0].count == 0 && inst->elems[1].count == 2 && inst->elems[2].count == 0);
    CHECK(inst->elems[1].refs[0] == f2 && inst->elems[1].refs[1] == NULL);
    CHECK(memcmp(e->memory->base + 16, "hello", 5) == 0);
    CHECK(inst->data_sizes[0] == 0 && inst->data_sizes[1] == 3);
    CHECK(atomic_load(&e->table->refs) == 2 && atomic_load(&e->memory->refs) == 2);
}

/* table.init bounds are checked before any write; n = 0 at the end is fine. */
static void check_table_init(Instance *inst, Table *table)
{
    Func *f2 = inst->funcs[2];
    CHECK(instance_table_init(inst, 0, 1, 9, 0, 2) == TRAP_TABLE_OOB && table->elems[9] == NULL);
    CHECK(instance_table_init(inst, 0, 1, 0, 1, 2) == TRAP_TABLE_OOB && table->elems[0] == NULL);
    CHECK(instance_table_init(inst, 0, 1, 8, 0, 2) == TRAP_NONE);
    CHECK(table->elems[8] == f2 && table->elems[9] == NULL);
    CHECK(instance_table_init(inst, 0, 1, 10, 2, 0) == TRAP_NONE);
    CHECK(instance_table_init(inst, 0, 1, 11, 0, 0) == TRAP_TABLE_OOB);
    CHECK(instance_table_init(inst, 0, 1, 0, 3, 0) == TRAP_TABLE_OOB);
    CHECK(instance_table_init(inst, 0, 0, 0, 0, 1) == TRAP_TABLE_OOB); /* dropped */
    CHECK(instance_table_init(inst, 0, 0, 0, 0, 0) == TRAP_NONE);
    instance_elem_drop(inst, 1);
    CHECK(instance_table_init(inst, 0, 1, 0, 0, 1) == TRAP_TABLE_OOB);
}

static void check_memory_init(Instance *inst, Memory *mem)
{
    CHECK(instance_memory_init(inst, 0, 1, PAGE - 2, 0, 3) == TRAP_MEMORY_OOB);
    CHECK(mem->base[PAGE - 2] == 0);
    CHECK(instance_memory_init(inst, 0, 1, PAGE - 3, 0, 3) == TRAP_NONE);
    CHECK(memcmp(mem->base + PAGE - 3, "xyz", 3) == 0);
    CHECK(instance_memory_init(inst, 0, 1, PAGE, 3, 0) == TRAP_NONE);
    CHECK(instance_memory_init(inst, 0, 1, PAGE + 1, 0, 0) == TRAP_MEMORY_OOB);
    CHECK(instance_memory_init(inst, 0, 1, 0, 4, 0) == TRAP_MEMORY_OOB);
    CHECK(instance_memory_init(inst, 0, 1, 0, 1, 0xFFFFFFFFu) == TRAP_MEMORY_OOB);
    instance_data_drop(inst, 1);
    CHECK(instance_memory_init(inst, 0, 1, 0, 0, 0) == TRAP_NONE);
    CHECK(instance_memory_init(inst, 0, 1, 0, 0, 1) == TRAP_MEMORY_OOB);
}

static void check_exports(Instance *inst, Table *table)
{
    Extern ex;
    CHECK(instance_export(inst, "f", 1, &ex) && ex.kind == EXTERN_FUNC && ex.u.func == inst->funcs[1]);
    CHECK(instance_export(inst, "g", 1, &ex) && ex.kind == EXTERN_GLOBAL &&
          ex.u.global == inst->globals[1]);
    CHECK(!instance_export(inst, "h", 1, &ex));
    CHECK(instance_extern(inst, EXTERN_TABLE, 0, &ex) && ex.u.table == table);
    CHECK(!instance_extern(inst, EXTERN_MEMORY, 1, &ex));

    Linker *l = linker_new();
    CHECK(linker_define_instance(l, "M", 1, inst) == SP_OK);
    CHECK(linker_lookup(l, "M", 1, "f", 1, &ex) && ex.u.func == inst->funcs[1]);
    CHECK(linker_lookup(l, "M", 1, "g", 1, &ex) && ex.kind == EXTERN_GLOBAL);
    CHECK(!linker_lookup(l, "M", 1, "h", 1, &ex));
    linker_free(l);
}

static void test_instance_segments(void)
{
    TestModule t;
    test_module_segments(&t);
    TestEnv e;
    test_env_init(&e, 7, host_nop);
    Instance *inst = NULL;
    TrapKind trap = TRAP_NONE;
    SpResult r = instance_new(test_store(), &t.m, e.imports, NULL, &inst, &trap);
    CHECK(r == SP_OK && inst != NULL && trap == TRAP_NONE);
    if (!inst) return;
    check_instantiated(&t.m, inst, &e);
    check_table_init(inst, e.table);
    check_memory_init(inst, e.memory);
    check_exports(inst, e.table);
    instance_free(inst);
    CHECK(atomic_load(&e.table->refs) == 1 && atomic_load(&e.memory->refs) == 1);
    CHECK(atomic_load(&e.base->refs) == 1);
    test_env_free(&e);
}

/* 2.0: segments written before an out-of-bounds one stay written, and the
 * function they reference stays callable (its instance is kept alive). */
static void test_instance_segment_traps(void)
{
    TestModule t;
    test_module_init(&t);
    Module *m = &t.m;
    for (int i = 0; i < 6; i++) t.items[i] = const_ref_func(1);
    t.elems[0] = (ElemSegment){SEG_ACTIVE, VT_FUNCREF, 0, const_i32(7), 1, &t.items[0]};
    t.elems[1] = (ElemSegment){SEG_ACTIVE, VT_FUNCREF, 0, const_i32(8), 5, &t.items[1]};
    m->num_elems = 2;
    t.datas[0] = (DataSegment){SEG_ACTIVE, 0, const_i32(0), (const uint8_t *)"abc", 3};
    m->num_datas = 1;

    TestEnv e;
    test_env_init(&e, 0, host_nop);
    Instance *inst = (Instance *)1;
    TrapKind trap = TRAP_NONE;
    Store *store = store_new(NULL);   /* keeps the instances whose functions escaped */
    SpResult r = instance_new(store, m, e.imports, NULL, &inst, &trap);
    CHECK(r != SP_OK && strcmp(r, "out of bounds table access") == 0);
    CHECK(trap == TRAP_TABLE_OOB && inst == NULL);
    Func *kept = e.table->elems[7];
    CHECK(kept != NULL && e.table->elems[8] == NULL && e.table->elems[9] == NULL);
    if (kept) CHECK(kept->index == 1 && kept->inst && kept->inst->module == m);
    CHECK(e.memory->base[0] == 0); /* data segments come after the failed element one */

    /* now the elements fit but the data segment does not */
    t.elems[1].count = 2;
    t.datas[1] = (DataSegment){SEG_ACTIVE, 0, const_i32((int32_t)PAGE - 1), (const uint8_t *)"de", 2};
    m->num_datas = 2;
    memset(e.table->elems, 0, 10 * sizeof(void *));
    r = instance_new(store, m, e.imports, NULL, &inst, &trap);
    CHECK(trap == TRAP_MEMORY_OOB && r != SP_OK && strcmp(r, "out of bounds memory access") == 0);
    CHECK(e.table->elems[7] != NULL && e.table->elems[9] != NULL);
    CHECK(memcmp(e.memory->base, "abc", 3) == 0 && e.memory->base[PAGE - 1] == 0);
    /* the kept function's instance lives as long as its store (ASan checks) */
    Func *kept2 = e.table->elems[7];
    CHECK(kept2 && kept2->inst->funcs[1] == kept2 && kept2->inst->store == store);
    /* freeing the store frees the failed instances too (LSan checks) */
    store_free(store);
    memset(e.table->elems, 0, 10 * sizeof(void *));

    /* a trap with nothing escaped: the instance is simply freed (ASan/LSan
     * would report otherwise) and the imports' references are returned */
    m->num_elems = 0;
    store = store_new(NULL);
    r = instance_new(store, m, e.imports, NULL, &inst, &trap);
    CHECK(trap == TRAP_MEMORY_OOB && inst == NULL);
    int refs = atomic_load(&e.memory->refs);
    store_free(store);
    test_env_free(&e);
    CHECK(refs == 1);
}

static void test_instance_start(void)
{
    TestModule t;
    test_module_init(&t);
    Module *m = &t.m;
    t.datas[0] = (DataSegment){SEG_ACTIVE, 0, const_i32(0), (const uint8_t *)"hi", 2};
    m->num_datas = 1;
    m->has_start = true;
    m->start = 0; /* the imported hook */

    TestEnv e;
    test_env_init(&e, 0, host_nop);
    Instance *inst = NULL;
    TrapKind trap = TRAP_NONE;
    /* without an env the start function runs on the store's default one */
    CHECK(instance_new(test_store(), m, e.imports, NULL, &inst, &trap) == SP_OK && inst != NULL);
    CHECK(e.hook_calls == 1);
    instance_free(inst);
    ExecEnv *env = env_new(0, 0);
    CHECK(env != NULL);
    if (!env) return;
    SpResult r = instance_new(test_store(), m, e.imports, env, &inst, &trap);
    CHECK(r == SP_OK && inst != NULL && e.hook_calls == 2);
    instance_free(inst);
    test_env_free(&e);

    test_env_init(&e, 0, host_unreachable);
    r = instance_new(test_store(), m, e.imports, env, &inst, &trap);
    CHECK(r != SP_OK && trap == TRAP_UNREACHABLE && inst == NULL);
    CHECK(memcmp(e.memory->base, "hi", 2) == 0); /* data written before start stays */
    test_env_free(&e);
    env_free(env);
}

/* Checks sp_escape_name on name (len bytes) against want. */
static void check_escape(const char *name, size_t len, const char *want)
{
    char out[128];
    size_t n = sp_escape_name(out, sizeof out, name, len);
    CHECK(n == strlen(want) && strcmp(out, want) == 0);
}

/* check_escape on a string literal, NULs included. */
#define CHECK_ESCAPE(lit, want) check_escape(lit, sizeof lit - 1, want)

/* The escaping of module-controlled names: every byte (NULs too), controls,
 * DEL, C1 and bidirectional controls and invalid UTF-8 escaped, printable
 * UTF-8 kept, and never a partial escape at the buffer's end. */
static void test_escape_name(void)
{
    CHECK_ESCAPE("plain_name", "plain_name");
    CHECK_ESCAPE("a\nb\x1b[31mc\0d", "a\\x0ab\\x1b[31mc\\x00d");
    CHECK_ESCAPE("q\"b\\\x7f", "q\\\"b\\\\\\x7f");
    CHECK_ESCAPE("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECK_ESCAPE("\xc2\x9b\xe2\x80\xae\xe2\x81\xa6", "\\u{009b}\\u{202e}\\u{2066}");
    CHECK_ESCAPE("\xff\xc3(\xc0\xaf\xed\xa0\x80\xe2\x82",
                 "\\xff\\xc3(\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82");
    char small[6];
    CHECK(sp_escape_name(small, sizeof small, "ab\ncd", 5) == 2 && strcmp(small, "ab") == 0);
    size_t pos = 0;
    char quoted[8];
    sp_append_quoted(quoted, sizeof quoted, &pos, "x\0", 2);
    CHECK(pos == 7 && strcmp(quoted, "\"x\\x00\"") == 0);
    sp_append_quoted(quoted, sizeof quoted, &pos, "y", 1);   /* no room: unchanged */
    CHECK(pos == 7 && strcmp(quoted, "\"x\\x00\"") == 0);
}

int main(int argc, char **argv)
{
    test_memory_reserve_failure(); /* forks: run before any thread exists */
    test_memory_grow_limits();
    test_memory_no_max();
    test_memory_bad_limits();
    test_memory_shared_grow();
    test_table();
    test_global();
    test_match_funcs();
    test_match_tables();
    test_match_memories();
    test_match_globals();
    test_linker_map();
    test_linker_errors();
    test_linker_decoded_module();
    test_instance_segments();
    test_instance_segment_traps();
    test_instance_start();
    test_escape_name();
    return test_summary();
}
