/*
 * diff_fusion.c - a differential oracle for the translator's peephole
 * fusion (code.h, "Peephole"; src/engine/compile_fuse.c).
 *
 *   diff_fusion [-v] [--exact-nan] [--budget-ms N] MODULE.wasm
 *
 * Loads the module twice, translated with fusion and without it
 * (LoadOptions.no_fusion), instantiates each against identical dummy
 * imports (fuzz_harness.c) whose functions record every call (function
 * index + argument values) in a per-run log and return values computed
 * from the run's call count, then calls every exported function in both,
 * twice (round 0 with zero arguments, round 1 with arguments derived from
 * the export and parameter numbers). A module from binaryen's -ttf that
 * exports `hangLimitInitializer` gets it called before each export, as
 * binaryen's own harness does. After the start function and after each
 * call it compares: the trap kind and where it happened (function and
 * module offset of each backtrace entry), or the results; the host-call
 * log of the call; every global, every table (size and entries) and every
 * memory (size and bytes) in the instance's index spaces.
 *
 * NaNs: a fused form may legitimately give another NaN payload than the
 * plain instructions (f64_add_mem computes v + m where the module said
 * m + v, a constant left operand becomes an _imm right one, and x86 keeps
 * the first operand's payload when both are NaN), which WebAssembly allows
 * (the payload of an arithmetic NaN is nondeterministic). So results,
 * globals and host-call arguments compare any two NaNs as equal, and so
 * do memory bytes that lie in an f32 or f64 that is a NaN in both runs;
 * --exact-nan compares their bits. A NaN's sign or payload turned into a
 * number (copysign, reinterpret) still shows as a difference: such a
 * module needs a look by hand (tests/fuzz/fusion_gen.py writes none).
 *
 * Budget: each call runs under a wall-clock watchdog (--budget-ms, default
 * 2000). Where a call is stopped by it, or exhausts the call stack (whose
 * depth in slots differs between the two translations), the runs may stop
 * at different places: the module is then "incomparable" from that call on
 * and nothing more is compared or reported. Exit status: 0 the same (or
 * incomparable, or not runnable here), 1 a difference (printed), 2 bad
 * input (unreadable file, invalid module, bad usage). The last line on
 * stdout is `summary: status=S calls=N` for tests/fuzz/diff_fusion.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_harness.h"

#define LOG_KEEP 4096u  /* host calls kept per call for printing */

/* ---------------------------------------------------------------- values */

static bool exact_nan;

/* splitmix64: deterministic pseudo-random bits. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* A reference as something both runs agree on: 0 for null, the function
 * index for a function (wasm or dummy import), a marker for externrefs. */
static uint64_t ref_key(ValType t, const void *ref)
{
    if (!ref) return 0;
    if (t != VT_FUNCREF) return 3ull << 32;
    const Func *f = ref;
    if (f->inst) return 1ull << 32 | f->index;
    const FuzzhHostCtx *h = f->host_ctx;
    return 2ull << 32 | (h ? h->func_index : UINT32_MAX);
}

/* The comparable bits of a value of type t held in v (two slots for v128):
 * only the bits the type defines, NaNs canonical unless --exact-nan. */
static void value_key(ValType t, const Slot *v, uint64_t out[2])
{
    out[1] = 0;
    switch (t) {
    case VT_I32: out[0] = v[0].u32; break;
    case VT_F32:
        out[0] = v[0].u32;
        if (!exact_nan && v[0].f32 != v[0].f32) out[0] = 0x7fc00000u;
        break;
    case VT_F64:
        out[0] = v[0].u64;
        if (!exact_nan && v[0].f64 != v[0].f64) out[0] = 0x7ff8000000000000u;
        break;
    case VT_V128: out[0] = v[0].u64, out[1] = v[1].u64; break;
    case VT_FUNCREF:
    case VT_EXTERNREF: out[0] = ref_key(t, v[0].ref); break;
    default: out[0] = v[0].u64; break; /* i64 */
    }
}

/* Prints "TYPE 0x..." for a value key. */
static void print_key(ValType t, const uint64_t k[2])
{
    if (t == VT_V128) printf("v128 0x%016llx%016llx", (unsigned long long)k[1],
                             (unsigned long long)k[0]);
    else printf("%s 0x%llx", valtype_name(t), (unsigned long long)k[0]);
}

/* ---------------------------------------------------------------- a run */

/* One host call as the log keeps it. */
typedef struct LogEntry {
    uint32_t func_index;
    uint32_t nparams;
    uint64_t hash;          /* of the argument keys */
    uint64_t first[2];      /* the first argument's key */
} LogEntry;

/* The host calls made during the current call (or start function). */
typedef struct HostLog {
    LogEntry keep[LOG_KEEP];
    uint64_t count;         /* calls, kept or not */
    uint64_t hash;          /* over every call */
} HostLog;

typedef struct Run {
    const char *name;       /* "fused" / "unfused" */
    Module *m;
    FuzzhImports im;
    ExecEnv *env;
    Store *store;           /* owns inst */
    Instance *inst;
    HostLog log;
    uint64_t seq;           /* host calls in the whole run: seeds their results */
} Run;

/* The dummy import function: logs the call, returns values computed from
 * the function index and the run's host-call count (the same in both runs
 * as long as they behave the same). ctx is a FuzzhHostCtx whose user is
 * the Run. */
static TrapKind diff_host(ExecEnv *env, Instance *caller, void *ctx, Slot *io)
{
    (void)env;
    (void)caller;
    const FuzzhHostCtx *h = ctx;
    const FuncType *t = h->type;
    Run *run = h->user;
    LogEntry e = {.func_index = h->func_index, .nparams = t->nparams};
    e.hash = mix64(h->func_index);
    uint32_t s = 0;
    for (uint32_t i = 0; i < t->nparams; i++) {
        uint64_t k[2];
        value_key(t->params[i], io + s, k);
        s += valtype_slots(t->params[i]);
        e.hash = mix64(e.hash ^ k[0]) ^ mix64(k[1] + i);
        if (i == 0) e.first[0] = k[0], e.first[1] = k[1];
    }
    HostLog *log = &run->log;
    if (log->count < LOG_KEEP) log->keep[log->count] = e;
    log->count++;
    log->hash = mix64(log->hash ^ e.hash);
    uint64_t x = mix64(run->seq++ ^ (uint64_t)h->func_index << 40);
    s = 0;
    for (uint32_t i = 0; i < t->nresults; i++, x = mix64(x)) {
        ValType rt = t->results[i];
        io[s].u64 = 0;
        if (rt == VT_I32 || rt == VT_F32) io[s].u32 = (uint32_t)x;
        else if (rt == VT_I64 || rt == VT_F64) io[s].u64 = x;
        else if (rt == VT_V128) io[s].u64 = x, io[s + 1].u64 = mix64(x);
        else io[s].ref = NULL;
        s += valtype_slots(rt);
    }
    return TRAP_NONE;
}

/* Loads the module (fused or not) and makes its dummy imports. False
 * when the module does not load (*msg gets the engine's message).
 * *runnable is false when it cannot run here (a memory above the
 * harness's cap, an import that cannot be made). */
static bool run_load(Run *run, const uint8_t *bytes, size_t len, bool no_fusion,
                     SpResult *msg, bool *runnable)
{
    LoadOptions opts = {.no_fusion = no_fusion};
    SpDiag diag;
    memset(&diag, 0, sizeof diag);
    *msg = module_load_with(bytes, len, &opts, &run->m, &diag);
    if (*msg) return false;
    *runnable = fuzzh_cap_module(run->m) && fuzzh_imports_make(run->m, diff_host, run, &run->im);
    if (*runnable) run->env = env_new(64u << 20, 0);
    if (*runnable) run->store = store_new(NULL);
    *runnable = *runnable && run->env && run->store;
    return true;
}

static void run_free(Run *run)
{
    store_free(run->store);   /* the instance, failed or not */
    env_free(run->env);
    fuzzh_imports_free(&run->im);
    module_free(run->m);
}

/* ------------------------------------------------------------ comparing */

/* The outcome of one call (or of instantiation) in one run. */
typedef struct Outcome {
    TrapKind trap;
    Slot *io;               /* results */
} Outcome;

/* Which comparison is running (for messages). */
typedef struct Where {
    char what[160];         /* "instantiation ...", `export "f" (round 1)` */
    bool printed;           /* the header line was printed */
} Where;

/* Prints one difference (fmt has one %s for detail), after a header line
 * naming the call the first time. */
static void report(Where *w, const char *fmt, const char *detail)
{
    if (!w->printed) {
        printf("difference after %s:\n", w->what);
        w->printed = true;
    }
    printf(fmt, detail);
}

/* Compares two traps: kinds, then each backtrace entry's function and
 * module offset. True when equal. */
static bool same_trap(Where *w, const Run *a, TrapKind ta, const Run *b, TrapKind tb)
{
    if (ta != tb) {
        char text[160];
        snprintf(text, sizeof text, "fused %s, unfused %s",
                 ta ? trap_message(ta) : "no trap", tb ? trap_message(tb) : "no trap");
        report(w, "  trap: %s\n", text);
        return false;
    }
    if (ta == TRAP_NONE) return true;
    const ExecEnv *ea = a->env, *eb = b->env;
    bool same = ea->backtrace_len == eb->backtrace_len;
    for (uint32_t i = 0; same && i < ea->backtrace_len; i++)
        same = ea->backtrace[i].func_index == eb->backtrace[i].func_index &&
               ea->backtrace[i].code_offset == eb->backtrace[i].code_offset;
    if (!same) {
        char text[160];
        const BacktraceEntry *x = &ea->backtrace[0], *y = &eb->backtrace[0];
        snprintf(text, sizeof text, "%s: fused func %u offset 0x%x (%u frames), unfused "
                 "func %u offset 0x%x (%u frames)", trap_message(ta), x->func_index,
                 x->code_offset, ea->backtrace_len, y->func_index, y->code_offset,
                 eb->backtrace_len);
        report(w, "  trap location: %s\n", text);
    }
    return same;
}

/* Compares n values of the given types laid out in slots. */
static bool same_values(Where *w, const char *label, uint32_t n, const ValType *types,
                        const Slot *a, const Slot *b)
{
    bool same = true;
    for (uint32_t i = 0, s = 0; i < n; s += valtype_slots(types[i]), i++) {
        uint64_t ka[2], kb[2];
        value_key(types[i], a + s, ka);
        value_key(types[i], b + s, kb);
        if (ka[0] == kb[0] && ka[1] == kb[1]) continue;
        char text[64];
        snprintf(text, sizeof text, "%s %u", label, i);
        report(w, "  %s: fused ", text);
        print_key(types[i], ka);
        printf(", unfused ");
        print_key(types[i], kb);
        printf("\n");
        same = false;
    }
    return same;
}

/* Compares the host-call logs of the last call. */
static bool same_log(Where *w, const HostLog *a, const HostLog *b)
{
    if (a->count == b->count && a->hash == b->hash) return true;
    char text[128];
    snprintf(text, sizeof text, "fused %llu calls, unfused %llu",
             (unsigned long long)a->count, (unsigned long long)b->count);
    report(w, "  host calls: %s\n", text);
    uint64_t n = a->count < b->count ? a->count : b->count;
    for (uint64_t i = 0; i < n && i < LOG_KEEP; i++) {
        const LogEntry *x = &a->keep[i], *y = &b->keep[i];
        if (x->func_index == y->func_index && x->hash == y->hash) continue;
        printf("    call #%llu: fused func %u (first arg 0x%llx), unfused func %u "
               "(first arg 0x%llx)\n", (unsigned long long)i, x->func_index,
               (unsigned long long)x->first[0], y->func_index, (unsigned long long)y->first[0]);
        break;
    }
    return false;
}

/* Compares every global of the two instances. */
static bool same_globals(Where *w, const Run *a, const Run *b)
{
    bool same = true;
    for (uint32_t i = 0; i < a->m->num_globals; i++) {
        ValType t = a->m->globals[i].type;
        char label[32];
        snprintf(label, sizeof label, "global %u", i);
        same &= same_values(w, label, 1, &t, a->inst->globals[i]->value,
                            b->inst->globals[i]->value);
    }
    return same;
}

/* True when bytes [s, s + n) of both memories (of size `size`) hold an
 * f32 (n = 4) or f64 (n = 8) NaN. */
static bool both_nan_at(const uint8_t *x, const uint8_t *y, uint64_t size, uint64_t s, unsigned n)
{
    if (s + n > size) return false;
    if (n == 4) {
        float a, b;
        memcpy(&a, x + s, 4), memcpy(&b, y + s, 4);
        return a != a && b != b;
    }
    double a, b;
    memcpy(&a, x + s, 8), memcpy(&b, y + s, 8);
    return a != a && b != b;
}

/* The first offset from `from` on where the memories differ other than
 * inside a NaN in both (see the banner), or `size` when there is none. */
static uint64_t memory_difference(const uint8_t *x, const uint8_t *y, uint64_t size, uint64_t from)
{
    for (uint64_t k = from; k < size; k++) {
        if (x[k] == y[k]) continue;
        if (exact_nan) return k;
        uint64_t skip = 0;
        for (unsigned n = 8; n >= 4 && !skip; n -= 4)
            for (uint64_t s = k >= n - 1 ? k - (n - 1) : 0; s <= k && !skip; s++)
                if (both_nan_at(x, y, size, s, n)) skip = s + n;
        if (!skip) return k;
        k = skip - 1;
    }
    return size;
}

/* Compares every memory: size, then bytes (first difference printed). */
static bool same_memories(Where *w, const Run *a, const Run *b)
{
    bool same = true;
    for (uint32_t i = 0; i < a->m->num_memories; i++) {
        const Memory *ma = a->inst->memories[i], *mb = b->inst->memories[i];
        uint64_t sa = memory_size_bytes(ma), sb = memory_size_bytes(mb);
        char text[160];
        if (sa != sb) {
            snprintf(text, sizeof text, "memory %u size: fused %llu, unfused %llu", i,
                     (unsigned long long)sa, (unsigned long long)sb);
            report(w, "  %s\n", text);
            same = false;
            continue;
        }
        if (memcmp(ma->base, mb->base, sa) == 0) continue;
        uint64_t k = memory_difference(ma->base, mb->base, sa, 0);
        if (k == sa) continue;
        snprintf(text, sizeof text, "memory %u at 0x%llx: fused 0x%02x, unfused 0x%02x", i,
                 (unsigned long long)k, ma->base[k], mb->base[k]);
        report(w, "  %s (first difference)\n", text);
        same = false;
    }
    return same;
}

/* Compares every table: size, then each entry as a ref_key. */
static bool same_tables(Where *w, const Run *a, const Run *b)
{
    bool same = true;
    for (uint32_t i = 0; i < a->m->num_tables; i++) {
        const Table *ta = a->inst->tables[i], *tb = b->inst->tables[i];
        char text[160];
        if (ta->size != tb->size) {
            snprintf(text, sizeof text, "table %u size: fused %u, unfused %u", i, ta->size,
                     tb->size);
            report(w, "  %s\n", text);
            same = false;
            continue;
        }
        for (uint32_t k = 0; k < ta->size; k++) {
            uint64_t x = ref_key(ta->elem_type, ta->elems[k]);
            uint64_t y = ref_key(tb->elem_type, tb->elems[k]);
            if (x == y) continue;
            snprintf(text, sizeof text, "table %u entry %u: fused 0x%llx, unfused 0x%llx", i, k,
                     (unsigned long long)x, (unsigned long long)y);
            report(w, "  %s\n", text);
            same = false;
            break;
        }
    }
    return same;
}

/* Everything a call leaves behind besides its results. */
static bool same_state(Where *w, const Run *a, const Run *b)
{
    bool same = same_log(w, &a->log, &b->log);
    if (!a->inst || !b->inst) return same;
    same &= same_globals(w, a, b);
    same &= same_tables(w, a, b);
    return same_memories(w, a, b) && same;
}

/* ------------------------------------------------------------- running */

enum { ST_SAME, ST_DIFFERENT, ST_INCOMPARABLE };

/* A trap after which the two runs need not agree on anything. */
static bool resource_trap(TrapKind k)
{
    return k == TRAP_INTERRUPTED || k == TRAP_STACK_EXHAUSTED;
}

/* Argument bits for parameter j of export i in round 1: small numbers,
 * edge values and random bits, deterministic. */
static uint64_t arg_bits(uint32_t i, uint32_t j)
{
    static const uint64_t edge[8] = {0, 1, UINT64_MAX, 0x7fffffffu, 0x80000000u,
                                     0x8000000000000000u, 0x3ff0000000000000u, 0x3f800000u};
    uint64_t x = mix64((uint64_t)i << 32 | j);
    if ((x & 3) == 0) return edge[(x >> 2) & 7];
    if ((x & 3) == 1) return (x >> 8) & 63;
    return x;
}

/* Fills io with the arguments of f's call in `round`. */
static void make_args(const FuncType *t, uint32_t export_index, int round, Slot *io)
{
    for (uint32_t j = 0, s = 0; j < t->nparams; s += valtype_slots(t->params[j]), j++) {
        uint64_t x = round ? arg_bits(export_index, j) : 0;
        ValType pt = t->params[j];
        io[s].u64 = 0;
        if (pt == VT_I32 || pt == VT_F32) io[s].u32 = (uint32_t)x;
        else if (pt == VT_V128) io[s].u64 = x, io[s + 1].u64 = round ? mix64(x) : 0;
        else if (pt == VT_FUNCREF || pt == VT_EXTERNREF) io[s].ref = NULL;
        else io[s].u64 = x;
    }
}

/* Calls export `index` (a function) in run r with the round's arguments;
 * the results are left in io (max(param, result) slots). */
static TrapKind run_call(Run *r, uint32_t export_index, int round, Slot *io, uint32_t budget_ms)
{
    Extern ext;
    const Export *ex = &r->m->exports[export_index];
    if (!instance_extern(r->inst, EXTERN_FUNC, ex->index, &ext) || !ext.u.func) return TRAP_HOST;
    make_args(ext.u.func->type, export_index, round, io);
    r->log.count = r->log.hash = 0;
    if (!fuzzh_arm(r->env, budget_ms)) return TRAP_HOST;
    TrapKind k = func_call(r->env, ext.u.func, io);
    fuzzh_disarm(r->env);
    return k;
}

/* Calls export `index` in both runs and compares. */
static int compare_call(Run *a, Run *b, uint32_t index, int round, uint32_t budget_ms,
                        bool verbose)
{
    const Export *ex = &a->m->exports[index];
    const FuncType *t = &a->m->types[a->m->func_type[ex->index]];
    size_t slots = t->param_slots > t->result_slots ? t->param_slots : t->result_slots;
    Slot *ia = calloc(slots + 1, sizeof(Slot)), *ib = calloc(slots + 1, sizeof(Slot));
    int status = ST_SAME;
    if (!ia || !ib) {
        status = ST_INCOMPARABLE;
    } else {
        TrapKind ka = run_call(a, index, round, ia, budget_ms);
        TrapKind kb = run_call(b, index, round, ib, budget_ms);
        Where w = {.printed = false};
        snprintf(w.what, sizeof w.what, "export \"%s\" (round %d)", ex->name.str, round);
        if (verbose)
            printf("call \"%s\" round %d: %s, %llu host calls\n", ex->name.str, round,
                   ka ? trap_message(ka) : "returned", (unsigned long long)a->log.count);
        if (resource_trap(ka) || resource_trap(kb)) {
            printf("incomparable from export \"%s\" (round %d) on: fused %s, unfused %s\n",
                   ex->name.str, round, ka ? trap_message(ka) : "returned",
                   kb ? trap_message(kb) : "returned");
            status = ST_INCOMPARABLE;
        } else {
            bool same = same_trap(&w, a, ka, b, kb);
            if (same && ka == TRAP_NONE) same = same_values(&w, "result", t->nresults,
                                                            t->results, ia, ib);
            same &= same_state(&w, a, b);
            status = same ? ST_SAME : ST_DIFFERENT;
        }
    }
    free(ia);
    free(ib);
    return status;
}

/* Instantiates both runs (start functions included) and compares. */
static int compare_instantiation(Run *a, Run *b, uint32_t budget_ms, bool *done)
{
    TrapKind ta = TRAP_NONE, tb = TRAP_NONE;
    SpResult ea = SP_OK, eb = SP_OK;
    Run *runs[2] = {a, b};
    TrapKind *traps[2] = {&ta, &tb};
    SpResult *errs[2] = {&ea, &eb};
    for (int i = 0; i < 2; i++) {
        Run *r = runs[i];
        if (!fuzzh_arm(r->env, budget_ms)) return ST_INCOMPARABLE;
        *errs[i] = instance_new(r->store, r->m, r->im.ext, r->env, &r->inst, traps[i]);
        fuzzh_disarm(r->env);
        if (*errs[i]) r->inst = NULL;
    }
    *done = ea || eb;
    if (resource_trap(ta) || resource_trap(tb)) {
        printf("incomparable: the start function hit the budget or the stack limit\n");
        return ST_INCOMPARABLE;
    }
    Where w = {.what = "instantiation (segments, the start function)"};
    bool same = (ea == NULL) == (eb == NULL);
    if (!same) printf("difference at instantiation: fused %s, unfused %s\n", ea ? ea : "ok",
                      eb ? eb : "ok");
    if (same && (ta || tb)) same = same_trap(&w, a, ta, b, tb);
    same &= same_state(&w, a, b);
    return same ? ST_SAME : ST_DIFFERENT;
}

/* The index of the export named `name` when it is a function, else -1. */
static int64_t find_func_export(const Module *m, const char *name)
{
    const Export *ex = module_find_export(m, name, strlen(name));
    return ex && ex->kind == EXTERN_FUNC ? ex - m->exports : -1;
}

/* Runs every exported function in both runs, two rounds; *calls counts
 * the compared calls. */
static int compare_exports(Run *a, Run *b, uint32_t budget_ms, bool verbose, uint32_t *calls)
{
    int64_t reset = find_func_export(a->m, "hangLimitInitializer");
    for (int round = 0; round < 2; round++) {
        for (uint32_t i = 0; i < a->m->num_exports; i++) {
            if (a->m->exports[i].kind != EXTERN_FUNC || (int64_t)i == reset) continue;
            int st = ST_SAME;
            if (reset >= 0) st = compare_call(a, b, (uint32_t)reset, round, budget_ms, false);
            if (st == ST_SAME) st = compare_call(a, b, i, round, budget_ms, verbose);
            if (st != ST_SAME) return st;
            (*calls)++;
        }
    }
    return ST_SAME;
}

/* ---------------------------------------------------------------- main */

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap *= 2);
        if (!bigger) free(buf);
        buf = bigger;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static int usage(void)
{
    fprintf(stderr, "usage: diff_fusion [-v] [--exact-nan] [--budget-ms N] MODULE.wasm\n");
    return 2;
}

/* Loads both runs and compares them; returns the ST_* status or -1 after
 * printing why the input is bad. */
static int compare_module(const char *path, const uint8_t *bytes, size_t len, uint32_t budget_ms,
                          bool verbose, uint32_t *calls)
{
    Run a = {.name = "fused"}, b = {.name = "unfused"};
    SpResult ma = SP_OK, mb = SP_OK;
    bool ra = false, rb = false;
    bool la = run_load(&a, bytes, len, false, &ma, &ra);
    bool lb = run_load(&b, bytes, len, true, &mb, &rb);
    int st = ST_SAME;
    if (!la && !lb) {
        fprintf(stderr, "diff_fusion: %s: invalid module: %s\n", path, ma);
        st = -1;
    } else if (la != lb) {
        printf("difference at load: fused %s, unfused %s\n", ma ? ma : "ok", mb ? mb : "ok");
        st = ST_DIFFERENT;
    } else if (!ra || !rb) {
        printf("not runnable here (memory above the cap or no dummy import)\n");
        st = ST_INCOMPARABLE;
    } else {
        bool done = false;
        st = compare_instantiation(&a, &b, budget_ms, &done);
        if (st == ST_SAME && !done) st = compare_exports(&a, &b, budget_ms, verbose, calls);
    }
    run_free(&a);
    run_free(&b);
    return st;
}

int main(int argc, char **argv)
{
    bool verbose = false;
    uint32_t budget_ms = 2000;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) verbose = true;
        else if (strcmp(argv[i], "--exact-nan") == 0) exact_nan = true;
        else if (strcmp(argv[i], "--budget-ms") == 0 && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || v == 0 || v > 600000) return usage();
            budget_ms = (uint32_t)v;
        } else if (argv[i][0] == '-' || path) return usage();
        else path = argv[i];
    }
    if (!path) return usage();
    size_t len = 0;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "diff_fusion: %s: cannot read the file\n", path);
        return 2;
    }
    uint32_t calls = 0;
    int st = compare_module(path, bytes, len, budget_ms, verbose, &calls);
    free(bytes);
    if (st < 0) return 2;
    static const char *const names[] = {"same", "different", "incomparable"};
    printf("summary: status=%s calls=%u\n", names[st], calls);
    return st == ST_DIFFERENT ? 1 : 0;
}
