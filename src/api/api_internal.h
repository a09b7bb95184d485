/*
 * api_internal.h - the objects behind wasm.h (src/api), shared by the API's
 * files. Nothing here is visible to embedders.
 *
 * Types (valtype, functype, ...) are plain heap values: copy is a deep copy.
 * The four extern types share one struct, so wasm_functype_as_externtype is
 * a cast.
 *
 * Runtime objects (func, global, table, memory, instance, module, trap,
 * foreign) are handles of one struct, SpRef: copy takes another reference
 * to the same handle (so host info is shared by copies), delete drops one,
 * and the last one runs the host-info finalizer and frees the handle. The
 * engine object behind a func, global, table, memory or instance belongs to
 * the engine Store of its wasm_store_t and lives until wasm_store_delete;
 * modules are reference counted (SpModBox) and shared across stores and
 * threads. A handle of any kind converts to wasm_ref_t / wasm_extern_t by a
 * cast.
 */
#ifndef SPINDLE_API_INTERNAL_H
#define SPINDLE_API_INTERNAL_H

#include <stdatomic.h>

#include "engine/runtime.h"
#include "wasm.h"

#define SP_API __attribute__((visibility("default")))

/* ------------------------------------------------------------- types */

struct wasm_valtype_t {
    wasm_valkind_t kind;
};

/* One struct for the four extern types (kind says which fields count). */
struct wasm_externtype_t {
    wasm_externkind_t kind;
    wasm_valtype_vec_t params, results;   /* func */
    wasm_valtype_t *content;              /* global: value; table: element */
    wasm_mutability_t mut;                /* global */
    wasm_limits_t limits;                 /* table, memory */
    bool shared;                          /* memory (threads) */
};
struct wasm_functype_t { struct wasm_externtype_t x; };
struct wasm_globaltype_t { struct wasm_externtype_t x; };
struct wasm_tabletype_t { struct wasm_externtype_t x; };
struct wasm_memorytype_t { struct wasm_externtype_t x; };

struct wasm_importtype_t {
    wasm_name_t module, name;
    wasm_externtype_t *type;
};
struct wasm_exporttype_t {
    wasm_name_t name;
    wasm_externtype_t *type;
};

/* ----------------------------------------------------- engine, store */

struct wasm_config_t { int unused; };
struct wasm_engine_t { int unused; };

/* A module shared by handles, stores and threads; freed by the last release. */
typedef struct SpModBox {
    Module *m;
    atomic_int refs;
} SpModBox;

/* A host function's record: the callback and its environment. */
typedef struct SpHostCtx {
    wasm_func_callback_t cb;
    wasm_func_callback_with_env_t cb_env;
    void *env;
    void (*finalizer)(void *);
    struct wasm_store_t *store;
    const FuncType *type;      /* the engine function's type (the store's copy) */
} SpHostCtx;

struct wasm_store_t {
    Store *s;
    /* Run or released by wasm_store_delete after the engine store is freed. */
    SpHostCtx **hosts; size_t nhosts, caphosts;        /* func environments */
    SpModBox **mods; size_t nmods, capmods;            /* modules of instances */
    struct SpRef **pinned; size_t npinned, cappinned;  /* externrefs held by wasm */
    Instance **insts; size_t ninsts, capinsts;         /* made by wasm_instance_new */
};

/* Appends p to the growable array *arr (*n used, *cap allocated); false
 * when out of memory. */
bool sp_push(void ***arr, size_t *n, size_t *cap, void *p);

/* ----------------------------------------------------------- handles */

enum { REF_FUNC, REF_GLOBAL, REF_TABLE, REF_MEMORY, REF_INSTANCE, REF_MODULE,
       REF_TRAP, REF_FOREIGN };

typedef struct SpTrapData {
    wasm_message_t msg;        /* NUL-terminated */
    wasm_frame_vec_t trace;    /* innermost first */
} SpTrapData;

typedef struct SpRef {
    uint8_t kind;              /* REF_* */
    bool pinned;               /* in store->pinned (held by an externref slot) */
    int refs;                  /* handles are used by one thread at a time */
    wasm_store_t *store;       /* NULL for modules and store-less traps */
    void *host_info;
    void (*finalizer)(void *);
    union {
        Func *func;
        Global *global;
        Table *table;
        Memory *memory;
        Instance *inst;
        SpModBox *mod;
        SpTrapData *trap;
    } u;
} SpRef;

struct wasm_frame_t {
    wasm_instance_t *inst;     /* a handle the frame owns; NULL when unknown */
    uint32_t func_index;
    size_t func_offset, module_offset;
};

struct wasm_shared_module_t { SpModBox *box; };

/* A new handle (one reference) of `kind` in store st; NULL when out of memory. */
SpRef *sp_ref_new(uint8_t kind, wasm_store_t *st);
/* The handle of an engine extern (EXTERN_*), or NULL. */
SpRef *sp_ref_of_extern(wasm_store_t *st, const Extern *e);
/* The engine extern behind a func/global/table/memory handle; false otherwise. */
bool sp_ref_extern(const SpRef *r, Extern *out);

/* The API type of an engine type (owned; NULL when out of memory). */
wasm_functype_t *sp_functype_of(const FuncType *t);
wasm_externtype_t *sp_externtype_of(const Module *m, uint8_t kind, uint32_t type_index,
                                    const TableType *tt, const MemType *mt,
                                    const GlobalType *gt);
/* An engine FuncType of an API one (owned: functype_free); NULL on a bad kind. */
FuncType *sp_functype_to_engine(const wasm_functype_t *t);
/* The value kind of an engine value type, and back (0 for an unknown kind). */
wasm_valkind_t sp_valkind_of(ValType t);
ValType sp_valtype_of(wasm_valkind_t k);

/* Values: an API value into an engine slot of type t (false on a kind
 * mismatch; references stored in wasm are pinned in st), and an engine slot
 * into an owned API value. */
bool sp_val_to_slot(wasm_store_t *st, ValType t, const wasm_val_t *v, Slot *out);
void sp_slot_to_val(wasm_store_t *st, ValType t, const Slot *in, wasm_val_t *out);
/* An API reference as the engine's element for a table of `elem` type. */
bool sp_ref_to_elem(wasm_store_t *st, ValType elem, wasm_ref_t *r, void **out);
/* An engine element as an owned API reference (NULL for null). */
wasm_ref_t *sp_elem_to_ref(wasm_store_t *st, ValType elem, void *e);

/* Store bookkeeping (false when out of memory). */
bool sp_store_keep_host(wasm_store_t *st, SpHostCtx *h);
bool sp_store_keep_module(wasm_store_t *st, SpModBox *b);
bool sp_store_pin(wasm_store_t *st, SpRef *r);
bool sp_store_keep_instance(wasm_store_t *st, Instance *inst);
void sp_modbox_release(SpModBox *b);

/* A trap handle with message `msg` (len bytes, no NUL needed). */
wasm_trap_t *sp_trap_new(wasm_store_t *st, const char *msg, size_t len);
/* A trap handle for env's last trap (message + trace). */
wasm_trap_t *sp_trap_from_env(wasm_store_t *st, const ExecEnv *env, TrapKind kind);

#endif
