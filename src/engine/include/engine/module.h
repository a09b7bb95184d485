/*
 * module.h - a decoded, validated and compiled WebAssembly module.
 *
 * A Module is built once (module_load = decode + validate + compile) and is
 * then shared read-only by every instance made from it, in every thread.
 * Index spaces (functions, tables, memories, globals) hold imports first, as
 * the spec numbers them, so code never has to ask "imported or defined?".
 *
 * Owners: decode.c (decoding), validate.c (module-level checks), compile.c
 * (function bodies: validation + translation to the interpreter's code).
 */
#ifndef SPINDLE_MODULE_H
#define SPINDLE_MODULE_H

#include "engine/base.h"
#include "engine/errors.h"

enum { EXTERN_FUNC = 0, EXTERN_TABLE = 1, EXTERN_MEMORY = 2, EXTERN_GLOBAL = 3 };

#define WASM_PAGE_SIZE 65536u
#define WASM_MAX_PAGES 65536u /* 4 GiB of 32-bit memory */

/* A name from the binary: UTF-8, not NUL-terminated in the module bytes;
 * `str` is a NUL-terminated copy (names may contain U+0000: use len). */
typedef struct Name {
    const char *str;
    uint32_t len;
} Name;

typedef struct FuncType {
    uint32_t nparams, nresults;
    ValType *params;        /* nparams entries */
    ValType *results;       /* nresults entries */
    uint32_t param_slots;   /* sum of valtype_slots over params */
    uint32_t result_slots;  /* sum of valtype_slots over results */
} FuncType;

/* True when both types have the same params and results. */
bool functype_equal(const FuncType *a, const FuncType *b);

typedef struct Limits {
    uint64_t min;
    uint64_t max;   /* meaningful only when has_max */
    bool has_max;
    bool shared;    /* memories only (threads proposal) */
} Limits;

typedef struct TableType {
    ValType elem;   /* VT_FUNCREF or VT_EXTERNREF */
    Limits limits;
} TableType;

typedef struct MemType {
    Limits limits;  /* in 64 KiB pages */
} MemType;

typedef struct GlobalType {
    ValType type;
    bool mut;
} GlobalType;

/* A constant expression as WebAssembly 2.0 allows it: one instruction + end. */
enum {
    CONST_I32, CONST_I64, CONST_F32, CONST_F64, CONST_V128, /* value in .value */
    CONST_REF_NULL,    /* .type = VT_FUNCREF / VT_EXTERNREF */
    CONST_REF_FUNC,    /* .index = function index */
    CONST_GLOBAL_GET,  /* .index = global index (an imported global) */
};
typedef struct ConstExpr {
    uint8_t kind;
    ValType type;      /* the value type the expression produces */
    uint32_t index;
    Slot value[2];
} ConstExpr;

typedef struct Import {
    Name module, name;
    uint8_t kind;              /* EXTERN_* */
    uint32_t type_index;       /* EXTERN_FUNC */
    TableType table;           /* EXTERN_TABLE */
    MemType mem;               /* EXTERN_MEMORY */
    GlobalType global;         /* EXTERN_GLOBAL */
} Import;

typedef struct Export {
    Name name;
    uint8_t kind;   /* EXTERN_* */
    uint32_t index; /* in the kind's index space */
} Export;

enum { SEG_ACTIVE = 0, SEG_PASSIVE = 1, SEG_DECLARATIVE = 2 };

typedef struct ElemSegment {
    uint8_t mode;          /* SEG_* */
    ValType type;          /* VT_FUNCREF / VT_EXTERNREF */
    uint32_t table;        /* active only */
    ConstExpr offset;      /* active only: i32 */
    uint32_t count;
    ConstExpr *items;      /* count expressions (ref.func, ref.null or global.get) */
} ElemSegment;

typedef struct DataSegment {
    uint8_t mode;          /* SEG_ACTIVE or SEG_PASSIVE */
    uint32_t memory;       /* active only */
    ConstExpr offset;      /* active only: i32 */
    const uint8_t *bytes;  /* points into Module.bytes */
    uint32_t size;
} DataSegment;

struct FuncCode; /* a function's code, shared by every instance: see tier.h */

/* A function body from the code section (defined functions only). */
typedef struct FuncBody {
    size_t offset;             /* byte offset of the body (its local declarations) */
    const uint8_t *expr;       /* the instruction bytes, ending with the final `end` */
    size_t expr_len;
    uint32_t nlocals;          /* declared locals, params not included; their
                                * declarations start at `offset` and are kept
                                * compressed: see module_body_locals */
    struct FuncCode *code;     /* set by compile_function */
} FuncBody;

typedef struct Module {
    uint8_t *bytes;            /* owned copy of the binary */
    size_t size;

    uint32_t num_types;
    FuncType *types;
    uint32_t *type_canon;      /* type_canon[i] = smallest j with types[j] equal to types[i] */

    uint32_t num_imports;
    Import *imports;

    /* Function index space: [0, num_func_imports) imported, then defined. */
    uint32_t num_funcs, num_func_imports;
    uint32_t *func_type;       /* num_funcs type indices */
    FuncBody *bodies;          /* num_funcs - num_func_imports */
    uint8_t *func_declared;    /* num_funcs flags: may be named by ref.func (C.refs) */

    uint32_t num_tables, num_table_imports;
    TableType *tables;

    uint32_t num_memories, num_memory_imports;
    MemType *memories;

    uint32_t num_globals, num_global_imports;
    GlobalType *globals;       /* num_globals */
    ConstExpr *global_inits;   /* num_globals - num_global_imports */

    uint32_t num_exports;
    Export *exports;

    bool has_start;
    uint32_t start;

    uint32_t num_elems;
    ElemSegment *elems;

    bool has_data_count;
    uint32_t data_count;
    uint32_t num_datas;
    DataSegment *datas;

    /* From the `name` custom section (best effort; a bad one is ignored). */
    Name module_name;
    Name *func_names;          /* num_funcs entries, .str NULL where unnamed; or NULL */

    /* Byte offsets of items, for validation diagnostics (decode.h; private). */
    struct ModuleOffsets *offsets;

    /* From LoadOptions: the bodies were translated without peephole fusion. */
    bool no_fusion;
} Module;

/* How module_load_with translates a module. All false = module_load. */
typedef struct LoadOptions {
    /* Translate without the peephole fusion of compile_fuse.c (code.h,
     * "Peephole"): plain instructions only, for differential testing of
     * the fused forms. Slower code, the same behaviour. */
    bool no_fusion;
} LoadOptions;

/* Decodes a binary into a Module without validating function bodies.
 * Copies `bytes`. On failure returns the message, fills diag, sets *out NULL. */
SpResult module_decode(const uint8_t *bytes, size_t len, Module **out, SpDiag *diag);

/* Validates everything the decoder does not check (index bounds, limits,
 * const-expr types, export names, start type, ...), fills func_declared, then
 * compiles every body with compile_function. */
SpResult module_validate(Module *m, SpDiag *diag);

/* module_decode + module_validate; frees the module on failure. */
SpResult module_load(const uint8_t *bytes, size_t len, Module **out, SpDiag *diag);
/* module_load with options (opts may be NULL: the defaults). */
SpResult module_load_with(const uint8_t *bytes, size_t len, const LoadOptions *opts,
                          Module **out, SpDiag *diag);

/* Frees the module, its compiled code and everything it owns. NULL is fine. */
void module_free(Module *m);

/* The function's name from the name section (its bytes and length: it may
 * hold NUL bytes), or NULL when it has none. */
const Name *module_func_name(const Module *m, uint32_t func_index);

/* Writes the types of body's nlocals declared locals into out (nlocals
 * entries), expanded from the declarations the decoder checked. They are not
 * stored expanded: a few bytes may declare 50,000 locals, and a module of
 * many such bodies must not cost gigabytes (compile_function expands one
 * body at a time into its scratch space). */
void module_body_locals(const Module *m, const FuncBody *body, ValType *out);

/* Finds an export by name; NULL when absent. */
const Export *module_find_export(const Module *m, const char *name, size_t len);

/* Validates body number `defined_index` (function index num_func_imports +
 * defined_index) and translates it into bodies[defined_index].code.
 * Implemented in compile.c. */
SpResult compile_function(Module *m, uint32_t defined_index, SpDiag *diag);

/* Frees one function's code record (compile.c). NULL is fine. */
void compile_free(struct FuncCode *fc);

#endif
