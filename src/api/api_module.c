/*
 * api_module.c - wasm.h's modules: compile and validate a binary, list its
 * imports and exports, share a module across threads and stores, and
 * serialize it.
 *
 * A module is an engine Module (decoded, validated and translated once,
 * read-only afterwards, so any thread may instantiate it) in a reference
 * counted box; handles, shared modules and the stores of its instances each
 * hold one reference.
 *
 * Serialized form: the 8 bytes "SPNDLMOD", then the module's binary.
 * Spindle has no code cache yet, so deserializing decodes, validates and
 * translates the binary again; a blob without the header is refused.
 */
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

static const char SERIAL_MAGIC[8] = {'S', 'P', 'N', 'D', 'L', 'M', 'O', 'D'};

static wasm_module_t *module_handle(wasm_store_t *st, SpModBox *box)
{
    SpRef *r = sp_ref_new(REF_MODULE, st);
    if (!r) return NULL;
    atomic_fetch_add(&box->refs, 1);
    r->u.mod = box;
    return (wasm_module_t *)r;
}

/* Loads bytes into a new module handle; NULL for a bad module. */
static wasm_module_t *module_load_handle(wasm_store_t *st, const uint8_t *bytes, size_t len)
{
    Module *m = NULL;
    SpDiag diag;
    if (module_load(bytes, len, &m, &diag) != SP_OK) return NULL;
    SpModBox *box = calloc(1, sizeof *box);
    if (!box) {
        module_free(m);
        return NULL;
    }
    box->m = m;
    atomic_init(&box->refs, 1);
    wasm_module_t *h = module_handle(st, box);
    sp_modbox_release(box);   /* the handle holds it now (or nothing does) */
    return h;
}

SP_API wasm_module_t *wasm_module_new(wasm_store_t *st, const wasm_byte_vec_t *binary)
{
    if (!binary || (!binary->data && binary->size)) return NULL;
    return module_load_handle(st, (const uint8_t *)binary->data, binary->size);
}

SP_API bool wasm_module_validate(wasm_store_t *st, const wasm_byte_vec_t *binary)
{
    if (!binary || (!binary->data && binary->size)) return false;
    Module *m = NULL;
    SpDiag diag;
    bool ok = module_load((const uint8_t *)binary->data, binary->size, &m, &diag) == SP_OK;
    module_free(m);
    return ok;
}

static const Module *module_of(const wasm_module_t *h) { return ((const SpRef *)h)->u.mod->m; }

static void name_of(wasm_name_t *out, const Name *n) { wasm_name_new(out, n->len, n->str); }

SP_API void wasm_module_imports(const wasm_module_t *h, wasm_importtype_vec_t *out)
{
    const Module *m = module_of(h);
    wasm_importtype_vec_new_uninitialized(out, m->num_imports);
    for (size_t i = 0; i < out->size; i++) {
        const Import *im = &m->imports[i];
        wasm_name_t mod, name;
        name_of(&mod, &im->module);
        name_of(&name, &im->name);
        out->data[i] = wasm_importtype_new(
            &mod, &name,
            sp_externtype_of(m, im->kind, im->type_index, &im->table, &im->mem, &im->global));
    }
}

SP_API void wasm_module_exports(const wasm_module_t *h, wasm_exporttype_vec_t *out)
{
    const Module *m = module_of(h);
    wasm_exporttype_vec_new_uninitialized(out, m->num_exports);
    for (size_t i = 0; i < out->size; i++) {
        const Export *ex = &m->exports[i];
        uint32_t x = ex->index;
        wasm_name_t name;
        name_of(&name, &ex->name);
        wasm_externtype_t *t = NULL;
        switch (ex->kind) {
        case EXTERN_FUNC: t = sp_externtype_of(m, EXTERN_FUNC, m->func_type[x], NULL, NULL, NULL); break;
        case EXTERN_TABLE: t = sp_externtype_of(m, EXTERN_TABLE, 0, &m->tables[x], NULL, NULL); break;
        case EXTERN_MEMORY: t = sp_externtype_of(m, EXTERN_MEMORY, 0, NULL, &m->memories[x], NULL); break;
        case EXTERN_GLOBAL: t = sp_externtype_of(m, EXTERN_GLOBAL, 0, NULL, NULL, &m->globals[x]); break;
        }
        out->data[i] = wasm_exporttype_new(&name, t);
    }
}

SP_API void wasm_module_serialize(const wasm_module_t *h, wasm_byte_vec_t *out)
{
    const Module *m = module_of(h);
    wasm_byte_vec_new_uninitialized(out, sizeof SERIAL_MAGIC + m->size);
    if (!out->size) return;
    memcpy(out->data, SERIAL_MAGIC, sizeof SERIAL_MAGIC);
    memcpy(out->data + sizeof SERIAL_MAGIC, m->bytes, m->size);
}

SP_API wasm_module_t *wasm_module_deserialize(wasm_store_t *st, const wasm_byte_vec_t *blob)
{
    if (!blob || blob->size < sizeof SERIAL_MAGIC ||
        memcmp(blob->data, SERIAL_MAGIC, sizeof SERIAL_MAGIC) != 0)
        return NULL;
    return module_load_handle(st, (const uint8_t *)blob->data + sizeof SERIAL_MAGIC,
                              blob->size - sizeof SERIAL_MAGIC);
}

SP_API wasm_shared_module_t *wasm_module_share(const wasm_module_t *h)
{
    wasm_shared_module_t *s = malloc(sizeof *s);
    if (!s) return NULL;
    s->box = ((const SpRef *)h)->u.mod;
    atomic_fetch_add(&s->box->refs, 1);
    return s;
}

SP_API wasm_module_t *wasm_module_obtain(wasm_store_t *st, const wasm_shared_module_t *s)
{
    return s ? module_handle(st, s->box) : NULL;
}

SP_API void wasm_shared_module_delete(wasm_shared_module_t *s)
{
    if (!s) return;
    sp_modbox_release(s->box);
    free(s);
}
