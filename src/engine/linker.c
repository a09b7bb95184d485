/*
 * linker.c - the name -> Extern map that resolves a module's imports (host
 * modules such as spectest or WASI, and registered instances), and where the
 * spec's two link errors are raised: ERR_UNKNOWN_IMPORT and
 * ERR_INCOMPATIBLE_IMPORT (defined in errors.c).
 *
 * Keys are (module name, field name) byte strings with explicit lengths
 * (names may contain NUL bytes), copied into the linker. The map is an
 * open-addressing hash table with linear probing; entries are never removed,
 * a second definition of a name replaces the first one's value.
 */
#include "engine/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINKER_INITIAL_SLOTS 64u

typedef struct LinkerEntry {
    char *key;           /* module bytes then name bytes; NULL = empty slot */
    size_t module_len, name_len;
    uint64_t hash;
    Extern ext;
} LinkerEntry;

struct Linker {
    LinkerEntry *slots;
    size_t num_slots;    /* a power of two */
    size_t count;
};

/* FNV-1a over both names, with the module length mixed in between so that
 * ("ab","c") and ("a","bc") differ. */
static uint64_t linker_hash(const char *module, size_t module_len, const char *name,
                            size_t name_len)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < module_len; i++) h = (h ^ (uint8_t)module[i]) * 0x100000001b3u;
    h = (h ^ module_len) * 0x100000001b3u;
    for (size_t i = 0; i < name_len; i++) h = (h ^ (uint8_t)name[i]) * 0x100000001b3u;
    return h;
}

static bool linker_entry_is(const LinkerEntry *e, uint64_t hash, const char *module,
                            size_t module_len, const char *name, size_t name_len)
{
    return e->hash == hash && e->module_len == module_len && e->name_len == name_len &&
           memcmp(e->key, module, module_len) == 0 &&
           memcmp(e->key + module_len, name, name_len) == 0;
}

/* The slot holding the key, or the empty slot where it would go. The table
 * is never full (load factor <= 1/2), so the probe ends. */
static LinkerEntry *linker_probe(const Linker *l, uint64_t hash, const char *module,
                                 size_t module_len, const char *name, size_t name_len)
{
    size_t mask = l->num_slots - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        LinkerEntry *e = &l->slots[i];
        if (!e->key || linker_entry_is(e, hash, module, module_len, name, name_len)) return e;
    }
}

/* An empty map; NULL when out of memory. */
Linker *linker_new(void)
{
    Linker *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->slots = calloc(LINKER_INITIAL_SLOTS, sizeof *l->slots);
    if (!l->slots) {
        free(l);
        return NULL;
    }
    l->num_slots = LINKER_INITIAL_SLOTS;
    return l;
}

/* Frees the map and its copies of the names, not the defined objects. */
void linker_free(Linker *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->num_slots; i++) free(l->slots[i].key);
    free(l->slots);
    free(l);
}

/* Doubles the slot array and re-inserts every entry. False when out of memory
 * (the map is then unchanged). */
static bool linker_grow(Linker *l)
{
    size_t old_n = l->num_slots;
    LinkerEntry *old = l->slots;
    LinkerEntry *slots = calloc(old_n * 2, sizeof *slots);
    if (!slots) return false;
    l->slots = slots;
    l->num_slots = old_n * 2;
    for (size_t i = 0; i < old_n; i++) {
        if (!old[i].key) continue;
        size_t mask = l->num_slots - 1, k = (size_t)old[i].hash & mask;
        while (slots[k].key) k = (k + 1) & mask;
        slots[k] = old[i];
    }
    free(old);
    return true;
}

/* Defines (or redefines) module.name as ext, copying the names. */
SpResult linker_define(Linker *l, const char *module, size_t module_len, const char *name,
                       size_t name_len, Extern ext)
{
    uint64_t hash = linker_hash(module, module_len, name, name_len);
    LinkerEntry *e = linker_probe(l, hash, module, module_len, name, name_len);
    if (e->key) {
        e->ext = ext;
        return SP_OK;
    }
    if ((l->count + 1) * 2 > l->num_slots) {
        if (!linker_grow(l)) return ERR_OUT_OF_MEMORY;
        e = linker_probe(l, hash, module, module_len, name, name_len);
    }
    char *key = malloc(module_len + name_len + 1);
    if (!key) return ERR_OUT_OF_MEMORY;
    memcpy(key, module, module_len);
    memcpy(key + module_len, name, name_len);
    key[module_len + name_len] = '\0';
    *e = (LinkerEntry){key, module_len, name_len, hash, ext};
    l->count++;
    return SP_OK;
}

/* Defines every export of inst under `module`, in export order. */
SpResult linker_define_instance(Linker *l, const char *module, size_t module_len,
                                Instance *inst)
{
    const Module *m = inst->module;
    for (uint32_t i = 0; i < m->num_exports; i++) {
        const Export *ex = &m->exports[i];
        const Name *name = &ex->name;
        Extern ext;
        if (!instance_extern(inst, ex->kind, ex->index, &ext)) continue;
        SpResult e = linker_define(l, module, module_len, name->str, name->len, ext);
        if (e) return e;
    }
    return SP_OK;
}

/* Copies the definition of module.name into *out; false when undefined. */
bool linker_lookup(const Linker *l, const char *module, size_t module_len, const char *name,
                   size_t name_len, Extern *out)
{
    uint64_t hash = linker_hash(module, module_len, name, name_len);
    const LinkerEntry *e = linker_probe(l, hash, module, module_len, name, name_len);
    if (!e->key) return false;
    *out = e->ext;
    return true;
}

/* ------------------------------------------------------- diagnostics */

static const char *linker_kind_name(uint8_t kind)
{
    switch (kind) {
    case EXTERN_FUNC: return "function";
    case EXTERN_TABLE: return "table";
    case EXTERN_MEMORY: return "memory";
    case EXTERN_GLOBAL: return "global";
    default: return "?";
    }
}

/* Fills diag with msg and the text `msg "module" "name" (wants a KIND)`. */
static SpResult linker_import_error(SpDiag *diag, SpResult msg, const Import *im)
{
    if (!diag) return msg;
    diag->msg = msg;
    diag->offset = 0;
    int n = snprintf(diag->text, sizeof diag->text, "%s ", msg);
    size_t pos = n < 0 ? 0 : (size_t)n;
    if (pos >= sizeof diag->text) pos = sizeof diag->text - 1;
    sp_append_quoted(diag->text, sizeof diag->text, &pos, im->module.str, im->module.len);
    if (pos + 1 < sizeof diag->text) diag->text[pos++] = ' ';
    sp_append_quoted(diag->text, sizeof diag->text, &pos, im->name.str, im->name.len);
    snprintf(diag->text + pos, sizeof diag->text - pos, " (wants a %s)",
             linker_kind_name(im->kind));
    return msg;
}

/* See runtime.h. Stops at the first import that is missing or of the wrong
 * type; `out` then holds the ones resolved before it. */
SpResult linker_resolve(const Linker *l, const Module *m, Extern *out, SpDiag *diag)
{
    for (uint32_t i = 0; i < m->num_imports; i++) {
        const Import *im = &m->imports[i];
        if (!linker_lookup(l, im->module.str, im->module.len, im->name.str, im->name.len,
                           &out[i]))
            return linker_import_error(diag, ERR_UNKNOWN_IMPORT, im);
        if (!extern_matches(m, im, &out[i]))
            return linker_import_error(diag, ERR_INCOMPATIBLE_IMPORT, im);
    }
    return SP_OK;
}

/* Resolves every import of m, then instantiates. On any failure *out is
 * NULL, diag describes it and *trap holds a trap (if any). */
SpResult linker_instantiate(Linker *l, Store *s, const Module *m, ExecEnv *env,
                            Instance **out, TrapKind *trap, SpDiag *diag)
{
    *out = NULL;
    if (trap) *trap = TRAP_NONE;
    Extern *imports = calloc(m->num_imports ? m->num_imports : 1, sizeof *imports);
    if (!imports) return sp_diag(diag, ERR_OUT_OF_MEMORY, 0, NULL);
    SpResult e = linker_resolve(l, m, imports, diag);
    if (!e) {
        e = instance_new(s, m, imports, env, out, trap);
        if (e && diag) {
            diag->msg = e;
            diag->offset = 0;
            snprintf(diag->text, sizeof diag->text, "%s", e);
        }
    }
    free(imports);
    return e;
}
