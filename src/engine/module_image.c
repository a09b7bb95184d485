/*
 * module_image.c - owns the flat image of a loaded Module (module_image.h):
 * writing it and building a Module back from it.
 *
 * One walk (img_module) describes the layout and serves both directions:
 * writing copies each part of the Module into the image (or only counts
 * its bytes when there is no buffer yet); reading copies each part out of
 * the image into a fresh allocation and repoints the field at it. Structs
 * are copied whole, then every pointer field they hold is visited and, when
 * reading, replaced; pointers into the module's binary (function bodies,
 * data segments) travel as offsets. Translated code is copied as it is: it
 * holds handler addresses (the same in every process of a fork tree: the
 * header checks it), slots, immediates, relative branches and indices,
 * never a pointer into its module (code.h). Layout:
 *
 *   header: magic, version, handler table address, total length
 *   the binary (first, so module_image_binary finds it), then the Module
 *   struct and its parts in img_module's order; an absent (NULL) part is
 *   one 0 byte, a present one a 1 byte and its contents.
 *
 * Reading checks every length against the image's end and records each
 * allocation, so that a truncated image or a failed allocation frees what
 * was made and returns false: a caller falls back to decoding.
 */
#include "engine/module_image.h"

#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "tier.h"

#define IMG_MAGIC 0x494d5053u /* "SPMI" */
#define IMG_VERSION 1u

typedef struct ImgHeader {
    uint32_t magic, version;
    const void *handlers;   /* interp_handler_table() of the writer */
    uint64_t total;         /* the whole image, header included */
    uint64_t binary_len;    /* Module.size; the binary follows the header */
} ImgHeader;

/* The walk's state. Writing: buf NULL counts only. Reading: made[] lists
 * every allocation (freed on failure). */
typedef struct Img {
    bool reading, bad;
    uint8_t *buf;
    size_t pos, cap;
    void **made;
    size_t nmade, capmade;
} Img;

/* Copies n bytes between p and the image at the current position. */
static void img_raw(Img *x, void *p, size_t n)
{
    if (x->bad) return;
    if (n > x->cap - x->pos) {
        x->bad = true;
        return;
    }
    if (x->reading) memcpy(p, x->buf + x->pos, n);
    else if (x->buf && n) memcpy(x->buf + x->pos, p, n);
    x->pos += n;
}

/* Reading: an allocation of n bytes (at least 1), recorded; NULL (and bad
 * set) when n is beyond what is left of the image or memory ran out. */
static void *img_alloc(Img *x, size_t n)
{
    if (x->bad || n > x->cap - x->pos) {
        x->bad = true;
        return NULL;
    }
    if (x->nmade == x->capmade) {
        size_t cap = x->capmade ? x->capmade * 2 : 64;
        void **grown = realloc(x->made, cap * sizeof *grown);
        if (!grown) {
            x->bad = true;
            return NULL;
        }
        x->made = grown;
        x->capmade = cap;
    }
    void *p = malloc(n ? n : 1);
    if (!p) x->bad = true;
    else x->made[x->nmade++] = p;
    return p;
}

/* A pointer field *pp to n elements of size bytes (the count is the
 * writer's: the struct holding it was copied first). */
static void img_array(Img *x, void **pp, size_t n, size_t size)
{
    uint8_t present = *pp != NULL;
    img_raw(x, &present, 1);
    if (x->bad) return;
    if (!present) {
        if (x->reading) *pp = NULL;   /* the copied value was the writer's */
        return;
    }
    if (size && n > SIZE_MAX / size) {
        x->bad = true;
        return;
    }
    if (x->reading) {
        *pp = img_alloc(x, n * size);
        if (!*pp) return;
    }
    img_raw(x, *pp, n * size);
}

#define IMG_ARRAY(x, field, n) img_array((x), (void **)&(field), (n), sizeof *(field))

/* A name's copy: len bytes and the NUL. */
static void img_name(Img *x, Name *nm)
{
    img_array(x, (void **)&nm->str, (size_t)nm->len + 1, 1);
}

/* A pointer into the module's binary (base, size bytes), as an offset. */
static void img_inner(Img *x, const uint8_t **pp, const uint8_t *base, size_t size)
{
    uint64_t off = *pp ? (uint64_t)(*pp - base) : UINT64_MAX;
    img_raw(x, &off, sizeof off);
    if (!x->reading || x->bad) return;
    if (off == UINT64_MAX) *pp = NULL;
    else if (off <= size) *pp = base + off;
    else x->bad = true;
}

/* A function's code record: the struct (native is always NULL in an
 * image), then its code, map and zero slots. */
static void img_code(Img *x, struct FuncCode **pfc)
{
    uint8_t present = *pfc != NULL;
    img_raw(x, &present, 1);
    if (x->bad || !present) {
        if (x->reading) *pfc = NULL;
        return;
    }
    struct FuncCode *fc = *pfc;
    if (x->reading && !(fc = *pfc = img_alloc(x, sizeof *fc))) return;
    struct CompiledFunc *cf = &fc->interp;
    img_raw(x, cf, sizeof *cf);
    if (x->reading) atomic_init(&fc->native, NULL);
    IMG_ARRAY(x, cf->code, cf->code_words);
    IMG_ARRAY(x, cf->map, cf->map_len);
    IMG_ARRAY(x, cf->zero_slots, cf->zero_count);
}

/* The types: each one's params and results are one block. */
static void img_types(Img *x, Module *m)
{
    IMG_ARRAY(x, m->types, m->num_types);
    for (uint32_t i = 0; !x->bad && m->types && i < m->num_types; i++) {
        FuncType *t = &m->types[i];
        img_array(x, (void **)&t->params, (size_t)t->nparams + t->nresults, 1);
        if (x->reading && !x->bad) t->results = t->params ? t->params + t->nparams : NULL;
    }
    IMG_ARRAY(x, m->type_canon, m->num_types);
}

/* Imports, exports and the name section's names. */
static void img_names(Img *x, Module *m)
{
    IMG_ARRAY(x, m->imports, m->num_imports);
    for (uint32_t i = 0; !x->bad && m->imports && i < m->num_imports; i++) {
        img_name(x, &m->imports[i].module);
        img_name(x, &m->imports[i].name);
    }
    IMG_ARRAY(x, m->exports, m->num_exports);
    for (uint32_t i = 0; !x->bad && m->exports && i < m->num_exports; i++)
        img_name(x, &m->exports[i].name);
    img_name(x, &m->module_name);
    IMG_ARRAY(x, m->func_names, m->num_funcs);
    for (uint32_t i = 0; !x->bad && m->func_names && i < m->num_funcs; i++)
        img_name(x, &m->func_names[i]);
}

/* The functions: types, bodies (pointing into the binary) and their code. */
static void img_funcs(Img *x, Module *m)
{
    IMG_ARRAY(x, m->func_type, m->num_funcs);
    IMG_ARRAY(x, m->func_declared, m->num_funcs);
    uint32_t ndefined = m->num_funcs - m->num_func_imports;
    if (m->num_func_imports > m->num_funcs) {
        x->bad = true;
        return;
    }
    IMG_ARRAY(x, m->bodies, ndefined);
    for (uint32_t i = 0; !x->bad && m->bodies && i < ndefined; i++) {
        img_inner(x, &m->bodies[i].expr, m->bytes, m->size);
        img_code(x, &m->bodies[i].code);
    }
}

/* Tables, memories, globals, element and data segments. */
static void img_entities(Img *x, Module *m)
{
    IMG_ARRAY(x, m->tables, m->num_tables);
    IMG_ARRAY(x, m->memories, m->num_memories);
    IMG_ARRAY(x, m->globals, m->num_globals);
    if (m->num_global_imports > m->num_globals) {
        x->bad = true;
        return;
    }
    IMG_ARRAY(x, m->global_inits, m->num_globals - m->num_global_imports);
    IMG_ARRAY(x, m->elems, m->num_elems);
    for (uint32_t i = 0; !x->bad && m->elems && i < m->num_elems; i++)
        IMG_ARRAY(x, m->elems[i].items, m->elems[i].count);
    IMG_ARRAY(x, m->datas, m->num_datas);
    for (uint32_t i = 0; !x->bad && m->datas && i < m->num_datas; i++)
        img_inner(x, &m->datas[i].bytes, m->bytes, m->size);
}

/* The walk after the header and the binary: the struct, then its parts.
 * When reading, m is the fresh struct and bytes the binary already read. */
static void img_module(Img *x, Module *m, uint8_t *bytes)
{
    img_raw(x, m, sizeof *m);
    if (x->bad) return;
    if (x->reading) {
        m->bytes = bytes;
        m->offsets = NULL;   /* validation diagnostics only */
    }
    img_types(x, m);
    img_names(x, m);
    img_funcs(x, m);
    img_entities(x, m);
}

size_t module_image_size(const Module *m)
{
    Img x = {.cap = SIZE_MAX, .pos = sizeof(ImgHeader) + m->size};
    img_module(&x, (Module *)m, NULL);
    return x.pos;
}

void module_image_write(const Module *m, uint8_t *out, size_t size)
{
    ImgHeader h = {.magic = IMG_MAGIC, .version = IMG_VERSION,
                   .handlers = interp_handler_table(), .total = size, .binary_len = m->size};
    memcpy(out, &h, sizeof h);
    if (m->size) memcpy(out + sizeof h, m->bytes, m->size);
    Img x = {.buf = out, .cap = size, .pos = sizeof h + m->size};
    img_module(&x, (Module *)m, NULL);
}

const uint8_t *module_image_binary(const uint8_t *img, size_t len, size_t *binary_len)
{
    ImgHeader h;
    if (len < sizeof h) return NULL;
    memcpy(&h, img, sizeof h);
    if (h.magic != IMG_MAGIC || h.version != IMG_VERSION || h.handlers != interp_handler_table()
        || h.total != len || h.binary_len > len - sizeof h)
        return NULL;
    *binary_len = h.binary_len;
    return img + sizeof h;
}

bool module_image_read(const uint8_t *img, size_t len, Module **out)
{
    *out = NULL;
    size_t nbytes;
    const uint8_t *binary = module_image_binary(img, len, &nbytes);
    if (!binary) return false;
    Img x = {.reading = true, .buf = (uint8_t *)img, .cap = len, .pos = sizeof(ImgHeader)};
    uint8_t *bytes = img_alloc(&x, nbytes);
    Module *m = img_alloc(&x, sizeof *m);
    if (!x.bad) {
        memcpy(bytes, binary, nbytes);
        x.pos += nbytes;
        img_module(&x, m, bytes);
    }
    if (!x.bad && (m->size != nbytes || x.pos != len)) x.bad = true;
    if (x.bad)
        for (size_t i = 0; i < x.nmade; i++) free(x.made[i]);
    free(x.made);
    if (x.bad) return false;
    *out = m;
    return true;
}
