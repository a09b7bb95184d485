/*
 * runtime.h - the run-time objects of the engine and how they connect:
 * memories, tables, globals, functions, instances, the per-thread execution
 * environment, the linker that resolves imports, and the parking lot behind
 * memory.atomic.wait/notify (and, later, WASIX futexes).
 *
 * Ownership: a Store owns everything a group of instances shares (see
 * "store" below): its instances, host functions and their types, the
 * memories, tables and globals made for them, adopted modules, a default
 * ExecEnv. store_free frees all of it, once. Within a store an Instance
 * holds a reference on every Memory, Table and Global in its index spaces
 * (they are reference counted, so a shared memory lives as long as any
 * thread's instance uses it).
 *
 * Calls: every call into wasm goes through func_call, which picks the tier
 * (tier.h): a Func of a defined function points at its module's shared code
 * record (FuncCode), not at a copy.
 *
 * Threads: a Module, a Store's lists and a shared Memory may be used from
 * many threads at once. Instances, tables, globals and ExecEnvs belong to
 * one thread.
 *
 * Owners: store.c, memory.c, table.c, instance.c, linker.c, parking.c
 * (runtime side); call.c (func_call, ExecEnv, backtraces); interp.c.
 */
#ifndef SPINDLE_RUNTIME_H
#define SPINDLE_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>

#include "engine/module.h"

typedef struct Instance Instance;
typedef struct ExecEnv ExecEnv;
typedef struct Store Store;
struct FuncCode;      /* a defined function's shared code record (tier.h) */
struct InterpStack;   /* the interpreter's per-thread stacks (interp.c) */

/* ---------------------------------------------------------------- memory */

/* A linear memory. `base` never moves: 8 GiB plus a guard region is reserved
 * up front (any u32 address + u32 offset + 16-byte access lands inside it) and
 * growing only commits pages. If that much address space is refused, only the
 * declared maximum (+ guard) is reserved: `reserved` tells which. */
typedef struct Memory {
    uint8_t *base;
    _Atomic uint64_t size;      /* accessible bytes (pages * 64 KiB); read relaxed */
    uint64_t max_pages;         /* declared maximum, else WASM_MAX_PAGES */
    uint64_t reserved;          /* bytes of address space reserved at base */
    bool shared;
    pthread_mutex_t grow_lock;  /* serialises growers; readers never lock */
    atomic_int refs;
    bool has_max;               /* a maximum was declared (import matching) */
} Memory;

/* Creates a memory with lim.min pages committed (zeroed). NULL + *err on failure. */
Memory *memory_new(const Limits *lim, SpResult *err);
void memory_retain(Memory *m);
void memory_release(Memory *m);   /* frees on the last release */

/* Grows by delta pages; returns the old size in pages, or -1 (limit or no
 * memory). Safe while other threads access the memory. */
int64_t memory_grow(Memory *m, uint64_t delta_pages);

static inline uint64_t memory_size_bytes(const Memory *m)
{
    return atomic_load_explicit(&((Memory *)m)->size, memory_order_acquire);
}

/* ----------------------------------------------------------------- table */

/* A table. Its element array (capacity entries) is host memory the guest
 * controls, so a table made for a store is charged to the store's table
 * budget (StoreLimits.max_table_bytes) for every entry of its capacity, from
 * when it is made (or grown) to when it is freed. */
typedef struct Table {
    ValType elem_type;
    uint32_t size;
    uint32_t max;        /* declared maximum, else UINT32_MAX */
    void **elems;        /* size entries: Func * or externref, NULL = null */
    uint32_t capacity;
    atomic_int refs;
    bool has_max;        /* a maximum was declared (import matching) */
    Store *store;        /* charged for capacity entries; NULL = not accounted */
} Table;

/* Creates a table of type->limits.min entries, each set to init, charged to
 * store s (NULL = not accounted: tests, the fuzz harness). NULL + *err on
 * bad limits, over the per-table host limit (ERR_TABLE_TOO_LARGE), over s's
 * table budget (ERR_TABLE_MEMORY_CAP) or out of memory. A table charged to a
 * store must not outlive it. */
Table *table_new(Store *s, const TableType *type, void *init, SpResult *err);
void table_retain(Table *t);
void table_release(Table *t);
/* Grows by delta entries set to init; returns the old size or -1 (declared
 * maximum, host limit, the store's table budget, out of memory). */
int64_t table_grow(Table *t, uint32_t delta, void *init);
/* The bytes a table of `entries` element slots is charged. */
static inline uint64_t table_entries_bytes(uint64_t entries)
{
    return entries * sizeof(void *);
}

/* ---------------------------------------------------------------- global */

typedef struct Global {
    GlobalType type;
    Slot value[2];       /* value[1] only for v128 */
    atomic_int refs;
} Global;

Global *global_new(GlobalType type, const Slot *value);
void global_retain(Global *g);
void global_release(Global *g);

/* -------------------------------------------------------------- function */

/* A host function. `io` holds the arguments on entry (type->param_slots
 * slots) and receives the results (type->result_slots slots) in place.
 * `caller` is the instance whose code made the call (its memory is the
 * guest's memory); NULL when called directly from the host.
 * Returns TRAP_NONE, or a trap (for TRAP_HOST put a message in env->trap_msg). */
typedef TrapKind (*HostFn)(ExecEnv *env, Instance *caller, void *ctx, Slot *io);

typedef struct Func {
    const FuncType *type;
    Instance *inst;                    /* defining instance; NULL for host functions */
    struct FuncCode *code;             /* the module's shared code record; NULL for host functions */
    HostFn host;
    void *host_ctx;
    uint32_t index;                    /* index in the defining module (backtraces) */
} Func;

/* A host function record; `type` must outlive it. Free with free().
 * Embedders use store_host_func, which gives the record an owner. */
Func *func_new_host(const FuncType *type, HostFn fn, void *ctx);

/* An owned FuncType built from arrays; free with functype_free. */
FuncType *functype_new(uint32_t nparams, const ValType *params, uint32_t nresults,
                       const ValType *results);
/* An owned FuncType from a signature string, the one notation host-function
 * tables use: parameter letters, '>', result letters, with i = i32, I = i64,
 * f = f32, F = f64. "ii>i" is (i32, i32) -> i32, "I>" is (i64) -> (),
 * ">" is () -> (). NULL for a malformed string (no '>' or two, another
 * letter, more than 255 of a kind) or when out of memory. */
FuncType *functype_parse(const char *sig);
void functype_free(FuncType *t);

/* True when two function types are equal (fast path: same pointer). */
static inline bool func_type_matches(const FuncType *have, const FuncType *want)
{
    return have == want || functype_equal(have, want);
}

/* -------------------------------------------------------------- instance */

typedef struct Extern {
    uint8_t kind;   /* EXTERN_* */
    union {
        Func *func;
        Table *table;
        Memory *memory;
        Global *global;
    } u;
} Extern;

/* Per-instance state of an element segment; count = 0 once dropped. */
typedef struct ElemInst {
    void **refs;
    uint32_t count;
} ElemInst;

struct Instance {
    const Module *module;
    Memory **memories;     /* index space, num_memories entries */
    Table **tables;        /* num_tables */
    Global **globals;      /* num_globals */
    Func **funcs;          /* num_funcs; defined ones point into own_funcs */
    Func *own_funcs;       /* num_funcs - num_func_imports records */
    ElemInst *elems;       /* num_elems */
    uint32_t *data_sizes;  /* num_datas: segment size, 0 once dropped */
    void *user;            /* embedder's pointer (e.g. the WASIX thread) */
    Store *store;          /* the owner */
    Instance *store_prev, *store_next;  /* the store's list (guarded by its lock) */
    uint64_t charged;      /* instance_record_bytes charged to the store's budget */
};

/* The host memory of an instance of m besides its tables, memories and
 * segment items: the Instance, its index-space arrays, a record per defined
 * function and global, segment state. A module with many functions costs
 * this much again in every instance (every WASIX thread's), so it is
 * charged to the store's table budget (StoreLimits.max_table_bytes) with
 * the tables: about 56 bytes a function. */
uint64_t instance_record_bytes(const Module *m);

/* Instantiates m in store s with `imports` (num_imports entries, in import
 * order, already checked by the caller or by linker_instantiate): allocates
 * the instance, evaluates globals, creates its tables (charged to the
 * store's table budget) and memories (store_capped_memory: held to the
 * store's memory cap), keeps its element segments (charged too: a table or
 * segment beyond the budget is ERR_TABLE_MEMORY_CAP before anything runs),
 * applies active element then data segments in order, drops declarative
 * ones, and runs the start
 * function on env (NULL = the store's default env).
 * Returns SP_OK, or a message; when a segment or the start function traps,
 * *trap receives the kind (env, when given, holds it for env_format_trap, a
 * segment's trap too), and the instance is freed, unless its functions
 * escaped into imported tables or globals: then it stays in the store, which
 * frees it with everything else. `m` must outlive s's use of the instance
 * (store_adopt_module ties it to the store). */
SpResult instance_new(Store *s, const Module *m, const Extern *imports, ExecEnv *env,
                      Instance **out, TrapKind *trap);

/* instance_new without the start function (for a caller that runs it
 * elsewhere, e.g. on another thread): failures and segment traps as
 * instance_new. Run the start function with instance_start. */
SpResult instance_new_unstarted(Store *s, const Module *m, const Extern *imports,
                                Instance **out, TrapKind *trap);

/* Runs inst's start function, if its module has one, on env: TRAP_NONE or
 * its trap. After a trap the instance is the caller's to free. */
TrapKind instance_start(Instance *inst, ExecEnv *env);

/* Frees the instance now (it leaves its store) and drops its references to
 * imported objects. Optional: store_free frees the instances left. */
void instance_free(Instance *inst);

/* The export named `name`; false when absent. */
bool instance_export(const Instance *inst, const char *name, size_t len, Extern *out);
/* The object at `index` of the kind's index space (EXTERN_*); false when out of range. */
bool instance_extern(const Instance *inst, uint8_t kind, uint32_t index, Extern *out);

/* True when `have` may satisfy `want` (import subtyping of 2.0 + shared flag). */
bool extern_matches(const Module *m, const Import *want, const Extern *have);

/* Evaluates a constant expression in the context of inst (globals, funcs). */
void const_eval(const Instance *inst, const ConstExpr *e, Slot out[2]);

/* The bulk operations on instance state, shared by instantiation and the
 * interpreter. Each checks bounds first and traps without partial writes. */
TrapKind instance_table_init(Instance *inst, uint32_t table, uint32_t elem,
                             uint32_t dst, uint32_t src, uint32_t n);
TrapKind instance_memory_init(Instance *inst, uint32_t memory, uint32_t data,
                              uint32_t dst, uint32_t src, uint32_t n);
void instance_elem_drop(Instance *inst, uint32_t elem);
void instance_data_drop(Instance *inst, uint32_t data);

/* ---------------------------------------------------------------- linker */

/* The spec's link errors (linker_resolve; extern_matches failures) are
 * ERR_UNKNOWN_IMPORT and ERR_INCOMPATIBLE_IMPORT; a memory minimum above the
 * store's cap is ERR_MEMORY_CAP, tables or element segments beyond its table
 * budget ERR_TABLE_MEMORY_CAP (all in errors.h). */

/* A name -> Extern map used to resolve imports (host modules, registered
 * instances). Names are copied. Not thread-safe for concurrent defines. */
typedef struct Linker Linker;

Linker *linker_new(void);
void linker_free(Linker *l);          /* does not free the objects defined */
SpResult linker_define(Linker *l, const char *module, size_t module_len,
                       const char *name, size_t name_len, Extern ext);
/* Defines every export of inst under module name `module`. */
SpResult linker_define_instance(Linker *l, const char *module, size_t module_len,
                                Instance *inst);
bool linker_lookup(const Linker *l, const char *module, size_t module_len,
                   const char *name, size_t name_len, Extern *out);

/* Resolves m's imports by name and type into out (m->num_imports entries,
 * borrowed pointers): the one import resolver. "unknown import" /
 * "incompatible import type" with the import's names in diag. */
SpResult linker_resolve(const Linker *l, const Module *m, Extern *out, SpDiag *diag);

/* linker_resolve, then instance_new in s (env NULL = the store's default). */
SpResult linker_instantiate(Linker *l, Store *s, const Module *m, ExecEnv *env,
                            Instance **out, TrapKind *trap, SpDiag *diag);

/* ------------------------------------------------------- execution env */

/* One thread's execution state: value stack, call frames, last trap. */
typedef struct BacktraceEntry {
    /* Plain data, not a Func pointer: the trace must stay readable after the
     * instance that trapped is gone (e.g. a start function's trap). */
    const Module *module;   /* the function's module; NULL for a host function */
    uint32_t func_index;    /* index in the module's function index space */
    uint32_t code_offset;   /* offset of the instruction in the module bytes, or 0 */
} BacktraceEntry;

#define SP_BACKTRACE_MAX 64

struct ExecEnv {
    const atomic_int *interrupt;  /* safepoint flag, checked at loop back-edges and calls */
    atomic_int own_interrupt;     /* default target of `interrupt` */
    /* Called when *interrupt is found set at a safepoint, or ended an atomic
     * wait: TRAP_NONE to go on (it has dealt with the reason, e.g. delivered
     * a signal, and cleared the flag), or the trap that ends the call. NULL:
     * TRAP_INTERRUPTED (the flag means stop). */
    TrapKind (*safepoint)(struct ExecEnv *env);

    TrapKind trap;          /* the last trap */
    char trap_msg[256];     /* message for TRAP_HOST */
    int exit_code;          /* for TRAP_EXIT */
    uint32_t backtrace_len; /* innermost first */
    BacktraceEntry backtrace[SP_BACKTRACE_MAX];

    void *user;             /* embedder's pointer (e.g. the WASIX thread) */

    /* call.c: func_call activations nested on this thread's C stack (wasm ->
     * host -> wasm), and the C stack address of the outermost one. */
    uint32_t call_depth;
    uintptr_t c_stack_base;

    struct InterpStack *interp;   /* the interpreter's value stack and call records */
};

/* Creates an environment with a value stack of stack_bytes and room for
 * max_frames nested calls (0 = defaults: 8 MiB, 50,000). NULL on failure. */
ExecEnv *env_new(size_t stack_bytes, uint32_t max_frames);
void env_free(ExecEnv *env);

/* The one call path into wasm (call.c): calls f on env in whichever tier
 * holds its code (a host function directly). io holds the arguments
 * (f->type->param_slots slots) on entry and the results (result_slots) on
 * return; it needs max(param, result) slots. Returns TRAP_NONE or the trap;
 * on a trap env->trap and env->backtrace are set. Re-entrant: a host function
 * may call back into wasm (nesting is bounded: TRAP_STACK_EXHAUSTED). */
TrapKind func_call(ExecEnv *env, Func *f, Slot *io);

/* ----------------------------- stack checkpoints (interp_checkpoint.c) */

/* Saved wasm call stacks of one thread, for setjmp/longjmp-like host calls
 * (WASIX stack_checkpoint / stack_restore) without asyncify: the
 * interpreter owns its stacks, so it can copy them aside and put them back.
 * Only a host function called directly by interpreted code can use them, on
 * its own env; a checkpoint lives until it is replaced, evicted (the oldest
 * beyond 256 per thread or 64 MiB of copies), or the activation (the
 * interpreted call of a func_call) it was taken in returns. */

/* Saves the call stack of the interpreted activation calling the running
 * host function: its frames (locals and operands), where the host call
 * returns to, and the calling instance's mutable defined globals. Replaces
 * an older checkpoint with the same `key` (the embedder's name for it, e.g.
 * a guest address). *id receives its id (nonzero, unique on env).
 * Errors: ERR_CHECKPOINT_NOT_WASM, ERR_OUT_OF_MEMORY. */
SpResult env_checkpoint_save(ExecEnv *env, uint64_t key, uint64_t *id);

/* Arms checkpoint `id`: the running host function must then return
 * TRAP_RESUME, and the interpreter continues as if the host call that saved
 * the checkpoint returned again, now with results[0..nresults) (at most 4
 * slots), on the saved frames and globals. Linear memory is not touched.
 * Errors (nothing armed): ERR_CHECKPOINT_NOT_WASM, ERR_CHECKPOINT_UNKNOWN
 * (never saved here, replaced, evicted, or its activation returned),
 * ERR_CHECKPOINT_ACTIVATION (saved by an outer activation, below a host
 * function that is still running). */
SpResult env_checkpoint_resume(ExecEnv *env, uint64_t id, const Slot *results, uint32_t nresults);

/* Appends f (at module byte offset code_offset, 0 = unknown) to env's
 * backtrace, if there is room. Tiers and the call path use it. */
void env_backtrace_add(ExecEnv *env, const Func *f, uint32_t code_offset);

/* Writes "message\n  at #0 name (func N)\n..." for env's last trap to `out`
 * (function names from the name section, escaped by sp_escape_name). */
void env_format_trap(const ExecEnv *env, char *out, size_t out_size);

/* ----------------------------------------------------------------- store */

/* What a store holds every object it makes to. */
typedef struct StoreLimits {
    /* When memory_capped, the cap on the maximum (in pages) of every memory
     * the store makes, applied as the memory is made, before any segment or
     * start function runs: a memory.grow past it returns -1 from the first
     * instruction on, and a minimum above it is ERR_MEMORY_CAP. */
    bool memory_capped;
    uint64_t max_memory_pages;
    /* The table budget: the most bytes of host memory that the guest's
     * declarations and table.grow can make the store's instances hold
     * (0 = no limit), summed over every instance of the store (every
     * thread's, in a WASIX process): table element arrays (table_entries_bytes
     * of their capacity), the element segments each instance keeps until
     * elem.drop, and each instance's own records (instance_record_bytes:
     * function and global records, index spaces). Charged when they are made or grown, released when they are
     * freed (store_table_charge). A table or segment that does not fit fails
     * the instantiation (ERR_TABLE_MEMORY_CAP); a table.grow that does not
     * fit returns -1. */
    uint64_t max_table_bytes;
} StoreLimits;

/* A new empty store (limits NULL = none). NULL when out of memory. */
Store *store_new(const StoreLimits *limits);

/* Frees everything the store owns, once: its instances (failed ones
 * included), then the objects it holds (host functions, types, memories,
 * tables, globals, owned allocations), adopted modules, the default env.
 * Nothing of the store may run or be used afterwards. NULL is fine. */
void store_free(Store *s);

const StoreLimits *store_limits(const Store *s);

/* The store's default execution environment (made with the store). */
ExecEnv *store_env(Store *s);

/* Memory, table and global made for this store: the store holds one
 * reference (released by store_free); the caller borrows. Memories are held
 * to the store's memory cap here, the one place it is applied; tables are
 * charged to its table budget. NULL + *err (or NULL for globals) on failure. */
Memory *store_memory_new(Store *s, const Limits *lim, SpResult *err);
Table *store_table_new(Store *s, const TableType *type, void *init, SpResult *err);
Global *store_global_new(Store *s, GlobalType type, const Slot *value);

/* A host function owned by the store; `type` is copied. NULL when out of memory. */
Func *store_host_func(Store *s, const FuncType *type, HostFn fn, void *ctx);

/* Gives the store a heap block (malloc'd) to free with it; false (and p is
 * freed at once) when out of memory. NULL p is false. */
bool store_own(Store *s, void *p);

/* Gives the store a module to free after its instances. False when out of
 * memory (the module stays the caller's). */
bool store_adopt_module(Store *s, Module *m);

/* A memory held to the store's cap but not held by the store (instance.c
 * makes an instance's own memories with it; the instance owns them). */
Memory *store_capped_memory(const Store *s, const Limits *lim, SpResult *err);

/* The table budget (StoreLimits.max_table_bytes), the one place it is
 * applied: charges `bytes` to s, atomically, when the total stays within the
 * limit; false (nothing charged) otherwise. Any thread may charge and
 * release; never called on the table.get/set or call_indirect paths. */
bool store_table_charge(Store *s, uint64_t bytes);
/* Gives back bytes charged before. */
void store_table_release(Store *s, uint64_t bytes);
/* The bytes charged right now (tests, diagnostics). */
uint64_t store_table_bytes(const Store *s);

/* instance.c: registers / unregisters an instance in its store's list. */
void store_add_instance(Store *s, Instance *inst);
void store_remove_instance(Store *s, Instance *inst);

/* ---------------------------------------------------------- parking lot */

/* The wait/notify queue keyed by host address (memory base + offset), shared
 * by memory.atomic.wait/notify and WASIX futexes.
 * park_wait32/64: if the value at addr still equals `expected` (checked while
 * holding the queue lock, so no wake-up is lost), blocks until notified,
 * until timeout_ns (relative; < 0 = forever) passes, or until *env->interrupt
 * is set (env may be NULL: not interruptible). addr must be naturally aligned.
 * Returns 0 = woken, 1 = value differed, 2 = timed out, 3 = interrupted. */
int park_wait32(ExecEnv *env, const void *addr, uint32_t expected, int64_t timeout_ns);
int park_wait64(ExecEnv *env, const void *addr, uint64_t expected, int64_t timeout_ns);
/* Wakes up to `count` waiters on addr, oldest first; returns how many. */
uint32_t park_notify(const void *addr, uint32_t count);
/* park_notify that also stores 1 (someone is woken) or 0 into *any_woken
 * before any waiter is woken, so none can run on first (WASIX futex_wake's
 * `woken` byte may live in memory the woken waiter frees). */
uint32_t park_notify_report(const void *addr, uint32_t count, uint8_t *any_woken);
/* Wakes every waiter of every address so they re-check their interrupt flags. */
void park_interrupt_all(void);
/* How many waiters are queued on addr right now (tests, diagnostics). */
uint32_t park_waiters(const void *addr);

#endif
