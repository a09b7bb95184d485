/*
 * decode.h - the private interface between the decoder (decode.c,
 * decode_sections.c), the module-level validator (validate.c) and module.c:
 * the decoding context and its primitive readers, the byte offsets of module
 * items kept for diagnostics. Their messages are in errors.h (ERRG_MALFORMED,
 * ERRG_INVALID).
 *
 * Not for use outside those files: everyone else reads module.h.
 *
 * How the decoder reads (it mirrors the reference interpreter, so that the
 * spec suite's messages come out the same): one Reader spans the whole module;
 * a section's content is read with that reader and must end exactly at the
 * section's declared end ("section size mismatch"). A length or count larger
 * than the rest of the module is "length out of bounds"; running out of bytes
 * inside a section is "unexpected end of section or function"; outside any
 * section (header, section id and size) it is "unexpected end".
 */
#ifndef SPINDLE_DECODE_H
#define SPINDLE_DECODE_H

#include "engine/module.h"
#include "reader.h"

/* The most locals (not counting parameters) one function may declare. */
#define DECODE_MAX_LOCALS 50000u
/* The most locals all of a module's functions may declare together. Each
 * local costs compile time (and frame set-up at every call) although a few
 * bytes declare 50,000 of them: this bounds what one module can make the
 * host do at load time (about 2^27 simple steps) far above real programs. */
#define DECODE_MAX_MODULE_LOCALS ((uint64_t)1 << 27)

/* Byte offsets of module items, recorded by the decoder so that validate.c
 * can point at the offending bytes. Owned by the Module (Module.offsets). */
typedef struct ModuleOffsets {
    size_t *imports;     /* num_imports: start of each import */
    size_t *funcs;       /* defined functions: their type index (function section) */
    size_t *tables;      /* defined tables */
    size_t *memories;    /* defined memories */
    size_t *globals;     /* defined globals: their initializer */
    size_t *exports;     /* num_exports: start of each export */
    size_t *elems;       /* num_elems: offset expression (active) or segment start */
    size_t **elem_items; /* num_elems arrays of `count` item offsets */
    size_t *datas;       /* num_datas: offset expression (active) or segment start */
    size_t start;        /* the start section's function index */
    size_t end;          /* the module's size */
} ModuleOffsets;

/* The decoding context. */
typedef struct Decoder {
    Reader r;              /* spans the whole module (Module.bytes) */
    Module *m;
    ModuleOffsets *off;    /* == m->offsets */
    SpDiag *diag;
    bool in_section;       /* inside a section's content */
    size_t section_end;    /* one past the current section (may exceed the module) */
    const char *what;      /* the item being decoded, for messages ("import") */
    uint32_t index;        /* and its index */
    bool funcs_built, tables_built, memories_built, globals_built;
    bool seen_code, seen_data;
    bool has_names;        /* a `name` custom section was seen: */
    size_t names_at, names_end;  /* its content after the section name */
    uint64_t module_locals;      /* locals declared by the bodies so far */
} Decoder;

/* Returns from the calling function when x is an error. */
#define DEC_TRY(x)                      \
    do {                                \
        SpResult dec_e_ = (x);          \
        if (dec_e_) return dec_e_;      \
    } while (0)

/* `index` value meaning "no item index" in messages. */
#define DEC_NO_INDEX UINT32_MAX

/* Records msg at offset in the diagnostic and returns it. Inside a section
 * "unexpected end" becomes "unexpected end of section or function". */
SpResult dec_fail(Decoder *d, SpResult msg, size_t offset);
/* Same, at the byte the reader just failed on (see reader.h). */
SpResult dec_fail_here(Decoder *d, SpResult msg);

/* calloc of n elements (n may be 0: returns NULL without failing); on failure
 * records "out of memory" and sets *err. */
void *dec_alloc(Decoder *d, size_t n, size_t size, SpResult *err);

/* Primitive readers: each returns SP_OK or the diagnosed error. */
SpResult dec_byte(Decoder *d, uint8_t *out);
SpResult dec_u32(Decoder *d, uint32_t *out);
/* A byte length: "length out of bounds" past the module's end. */
SpResult dec_len(Decoder *d, uint32_t *out);
/* A vector count: as dec_len, and at most the bytes left in the section. */
SpResult dec_count(Decoder *d, uint32_t *out);
/* A UTF-8 name, copied NUL-terminated into out->str (free with free()). */
SpResult dec_name(Decoder *d, Name *out);
/* A UTF-8 name left in place: *ptr points into the module. */
SpResult dec_name_view(Decoder *d, const uint8_t **ptr, uint32_t *len);
SpResult dec_valtype(Decoder *d, ValType *out);
SpResult dec_reftype(Decoder *d, ValType *out);
/* Limits with flags 0..max_flag (1 for tables, 3 for memories: bit 1 = shared). */
SpResult dec_limits(Decoder *d, Limits *out, uint8_t max_flag);
SpResult dec_table_type(Decoder *d, TableType *out);
SpResult dec_global_type(Decoder *d, GlobalType *out);
/* A constant expression: one constant instruction and `end`. A non-constant
 * instruction is "constant expression required"; no instruction or several
 * is "type mismatch". A global.get's result type is left for validate.c. */
SpResult dec_const_expr(Decoder *d, ConstExpr *out);

/* Builds a kind's index space (imports first, then ndefined entries), once. */
SpResult dec_build_funcs(Decoder *d, uint32_t ndefined);
SpResult dec_build_tables(Decoder *d, uint32_t ndefined);
SpResult dec_build_memories(Decoder *d, uint32_t ndefined);
SpResult dec_build_globals(Decoder *d, uint32_t ndefined);

/* The sections after the type section (decode_sections.c). Each is called
 * with the reader at the section's content and leaves it at its end. */
SpResult dec_import_section(Decoder *d);
SpResult dec_function_section(Decoder *d);
SpResult dec_table_section(Decoder *d);
SpResult dec_memory_section(Decoder *d);
SpResult dec_global_section(Decoder *d);
SpResult dec_export_section(Decoder *d);
SpResult dec_start_section(Decoder *d);
SpResult dec_element_section(Decoder *d);
SpResult dec_datacount_section(Decoder *d);
SpResult dec_code_section(Decoder *d);
SpResult dec_data_section(Decoder *d);

/* Fills m->type_canon (module.c). Returns SP_OK or ERR_OUT_OF_MEMORY. */
SpResult module_canon_types(Module *m);

/* Frees the offsets record (module.c). NULL is fine. */
void module_offsets_free(ModuleOffsets *off, uint32_t num_elems);

#endif
