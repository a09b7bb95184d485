/*
 * example.h - what every API example shares: reading a module file into a
 * byte vector and failing loudly. Only wasm.h is used.
 */
#ifndef SPINDLE_API_EXAMPLE_H
#define SPINDLE_API_EXAMPLE_H

#include <stdio.h>
#include <stdlib.h>

#include "wasm.h"

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

/* Reads the file at path into out (owned); exits on failure. */
static inline void example_read(const char *path, wasm_byte_vec_t *out)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    wasm_byte_vec_new_uninitialized(out, (size_t)n);
    CHECK(fread(out->data, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
}

/* The module of the file at path, compiled in store; exits on failure. */
static inline wasm_module_t *example_module(wasm_store_t *store, const char *path)
{
    wasm_byte_vec_t binary;
    example_read(path, &binary);
    wasm_module_t *module = wasm_module_new(store, &binary);
    CHECK(module != NULL);
    wasm_byte_vec_delete(&binary);
    return module;
}

#endif
