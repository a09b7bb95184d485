/*
 * test_module_image.c - unit tests of module_image.c: a module built from
 * its image equals the one module_load made, part by part (every count,
 * type, import, export, name, segment and every function's translated code,
 * map and zero slots); truncated and foreign images are refused without a
 * leak; and the time of both ways of loading is printed for the report.
 * Modules: the WASIX conformance programs (argv[1]/conformance/wasix), and
 * any more .wasm files named after it (for measuring by hand).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "code.h"
#include "engine/module_image.h"
#include "testlib.h"
#include "tier.h"

static bool same_bytes(const void *a, const void *b, size_t n)
{
    if (!a || !b) return a == b;
    return memcmp(a, b, n) == 0;
}

static bool same_name(const Name *a, const Name *b)
{
    return a->len == b->len && same_bytes(a->str, b->str, (size_t)a->len + 1);
}

/* Offsets of a pointer into each module's own binary. */
static bool same_inner(const uint8_t *pa, const Module *a, const uint8_t *pb, const Module *b)
{
    if (!pa || !pb) return pa == pb;
    return pa - a->bytes == pb - b->bytes;
}

static bool same_code(const struct FuncCode *a, const struct FuncCode *b)
{
    if (!a || !b) return a == b;
    const struct CompiledFunc *x = &a->interp, *y = &b->interp;
    return func_code_native(b) == NULL && x->code_words == y->code_words
           && x->func_index == y->func_index && x->param_slots == y->param_slots
           && x->local_slots == y->local_slots && x->frame_slots == y->frame_slots
           && x->result_slots == y->result_slots && x->map_len == y->map_len
           && x->zero_count == y->zero_count
           && same_bytes(x->code, y->code, x->code_words * sizeof *x->code)
           && same_bytes(x->map, y->map, x->map_len * sizeof *x->map)
           && same_bytes(x->zero_slots, y->zero_slots, x->zero_count * sizeof *x->zero_slots);
}

/* Compares every part of a (module_load) with b (from a's image). */
static void check_same(const Module *a, const Module *b)
{
    CHECK(a->size == b->size && same_bytes(a->bytes, b->bytes, a->size));
    CHECK(a->num_types == b->num_types);
    for (uint32_t i = 0; i < a->num_types && i < b->num_types; i++) {
        const FuncType *x = &a->types[i], *y = &b->types[i];
        CHECK(x->nparams == y->nparams && x->nresults == y->nresults
              && x->param_slots == y->param_slots && x->result_slots == y->result_slots
              && same_bytes(x->params, y->params, x->nparams + x->nresults)
              && (x->results - x->params) == (y->results - y->params));
    }
    CHECK(same_bytes(a->type_canon, b->type_canon, a->num_types * sizeof *a->type_canon));
    CHECK(a->num_imports == b->num_imports);
    for (uint32_t i = 0; i < a->num_imports && i < b->num_imports; i++) {
        const Import *x = &a->imports[i], *y = &b->imports[i];
        CHECK(same_name(&x->module, &y->module) && same_name(&x->name, &y->name)
              && x->kind == y->kind && x->type_index == y->type_index);
    }
    CHECK(a->num_funcs == b->num_funcs && a->num_func_imports == b->num_func_imports);
    CHECK(same_bytes(a->func_type, b->func_type, a->num_funcs * sizeof *a->func_type));
    CHECK(same_bytes(a->func_declared, b->func_declared, a->num_funcs));
    for (uint32_t i = 0; i < a->num_funcs - a->num_func_imports; i++) {
        const FuncBody *x = &a->bodies[i], *y = &b->bodies[i];
        CHECK(x->offset == y->offset && x->expr_len == y->expr_len && x->nlocals == y->nlocals
              && same_inner(x->expr, a, y->expr, b) && same_code(x->code, y->code));
    }
    CHECK(a->num_tables == b->num_tables && a->num_table_imports == b->num_table_imports);
    CHECK(same_bytes(a->tables, b->tables, a->num_tables * sizeof *a->tables));
    CHECK(a->num_memories == b->num_memories && a->num_memory_imports == b->num_memory_imports);
    CHECK(same_bytes(a->memories, b->memories, a->num_memories * sizeof *a->memories));
    CHECK(a->num_globals == b->num_globals && a->num_global_imports == b->num_global_imports);
    CHECK(same_bytes(a->globals, b->globals, a->num_globals * sizeof *a->globals));
    CHECK(same_bytes(a->global_inits, b->global_inits,
                     (a->num_globals - a->num_global_imports) * sizeof *a->global_inits));
    CHECK(a->num_exports == b->num_exports);
    for (uint32_t i = 0; i < a->num_exports && i < b->num_exports; i++)
        CHECK(same_name(&a->exports[i].name, &b->exports[i].name)
              && a->exports[i].kind == b->exports[i].kind
              && a->exports[i].index == b->exports[i].index);
    CHECK(a->has_start == b->has_start && a->start == b->start);
    CHECK(a->num_elems == b->num_elems);
    for (uint32_t i = 0; i < a->num_elems && i < b->num_elems; i++) {
        const ElemSegment *x = &a->elems[i], *y = &b->elems[i];
        CHECK(x->mode == y->mode && x->type == y->type && x->table == y->table
              && x->count == y->count && same_bytes(&x->offset, &y->offset, sizeof x->offset)
              && same_bytes(x->items, y->items, x->count * sizeof *x->items));
    }
    CHECK(a->has_data_count == b->has_data_count && a->data_count == b->data_count);
    CHECK(a->num_datas == b->num_datas);
    for (uint32_t i = 0; i < a->num_datas && i < b->num_datas; i++) {
        const DataSegment *x = &a->datas[i], *y = &b->datas[i];
        CHECK(x->mode == y->mode && x->memory == y->memory && x->size == y->size
              && same_bytes(&x->offset, &y->offset, sizeof x->offset)
              && same_inner(x->bytes, a, y->bytes, b));
    }
    CHECK(same_name(&a->module_name, &b->module_name));
    CHECK((a->func_names == NULL) == (b->func_names == NULL));
    for (uint32_t i = 0; a->func_names && b->func_names && i < a->num_funcs; i++)
        CHECK(same_name(&a->func_names[i], &b->func_names[i]));
    CHECK(b->offsets == NULL && a->no_fusion == b->no_fusion);
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* Every prefix of the image (in steps) and a changed header are refused. */
static void check_refused(const uint8_t *img, size_t len)
{
    Module *m = (Module *)1;
    size_t step = len / 97 + 1;
    for (size_t cut = 0; cut < len; cut += step) {
        CHECK(!module_image_read(img, cut, &m));
        CHECK(m == NULL);
    }
    uint8_t *bad = malloc(len);
    memcpy(bad, img, len);
    bad[8] ^= 1;   /* the handler table's address: another executable */
    CHECK(!module_image_read(bad, len, &m));
    memcpy(bad, img, len);
    bad[4] ^= 1;   /* the version */
    CHECK(!module_image_read(bad, len, &m));
    free(bad);
}

/* Loads path both ways, compares, and prints the two times. */
static void check_file(const char *path, bool refusals)
{
    size_t len = 0;
    uint8_t *bytes = test_read_file(path, &len);
    CHECK(bytes != NULL);
    if (!bytes) return;
    Module *a = NULL, *b = NULL;
    double t0 = now_us();
    SpResult e = module_load(bytes, len, &a, NULL);
    double t1 = now_us();
    CHECK(e == SP_OK);
    if (e) {
        free(bytes);
        return;
    }
    size_t size = module_image_size(a);
    uint8_t *img = malloc(size);
    module_image_write(a, img, size);
    double t2 = now_us();
    CHECK(module_image_read(img, size, &b));
    double t3 = now_us();
    if (b) check_same(a, b);
    printf("%-28s %8zu bytes: load %8.0f us, image %8zu bytes, from image %6.0f us\n",
           strrchr(path, '/') + 1, len, t1 - t0, size, t3 - t2);
    if (refusals) check_refused(img, size);
    module_free(a);
    module_free(b);
    free(img);
    free(bytes);
}

int main(int argc, char **argv)
{
    const char *shared = argc > 1 ? argv[1] : "../shared";
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/conformance/wasix", shared);
    DIR *d = opendir(dir);
    if (!d) {
        printf("skipped: %s not found (its programs are this test's modules)\n", dir);
        return 77;   /* CTest: SKIP_RETURN_CODE */
    }
    int files = 0;
    for (struct dirent *ent; (ent = readdir(d));) {
        size_t n = strlen(ent->d_name);
        if (n < 5 || strcmp(ent->d_name + n - 5, ".wasm") != 0) continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        check_file(path, files++ == 0);
    }
    closedir(d);
    CHECK(files > 0);
    for (int i = 2; i < argc; i++) check_file(argv[i], false);
    return test_summary();
}
