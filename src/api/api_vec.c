/*
 * api_vec.c - the vector functions of wasm.h (wasm_xxx_vec_new, _copy,
 * _delete, ...) for every vector type: bytes and values hold their elements
 * inline, the others hold owned pointers that delete and copy follow.
 */
#include <stdlib.h>
#include <string.h>

#include "api_internal.h"

/* Vectors of plain values: new, new_empty, new_uninitialized, copy, delete. */
#define SP_VEC_INLINE(name, elem_t)                                                     \
    SP_API void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out)                   \
    {                                                                                   \
        out->size = 0;                                                                  \
        out->data = NULL;                                                               \
    }                                                                                   \
    SP_API void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t n)  \
    {                                                                                   \
        out->data = n ? calloc(n, sizeof(elem_t)) : NULL;                               \
        out->size = out->data ? n : 0;                                                  \
    }                                                                                   \
    SP_API void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t n,               \
                                      elem_t const src[])                               \
    {                                                                                   \
        wasm_##name##_vec_new_uninitialized(out, n);                                    \
        if (out->size) memcpy(out->data, src, n * sizeof(elem_t));                      \
    }

SP_VEC_INLINE(byte, wasm_byte_t)

SP_API void wasm_byte_vec_copy(wasm_byte_vec_t *out, const wasm_byte_vec_t *v)
{
    wasm_byte_vec_new(out, v->size, v->data);
}

SP_API void wasm_byte_vec_delete(wasm_byte_vec_t *v)
{
    if (!v) return;
    free(v->data);
    v->data = NULL;
    v->size = 0;
}

SP_VEC_INLINE(val, wasm_val_t)

/* A value vector owns the references of its values. */
SP_API void wasm_val_vec_copy(wasm_val_vec_t *out, const wasm_val_vec_t *v)
{
    wasm_val_vec_new_uninitialized(out, v->size);
    for (size_t i = 0; i < out->size; i++) wasm_val_copy(&out->data[i], &v->data[i]);
}

SP_API void wasm_val_vec_delete(wasm_val_vec_t *v)
{
    if (!v) return;
    for (size_t i = 0; i < v->size; i++) wasm_val_delete(&v->data[i]);
    free(v->data);
    v->data = NULL;
    v->size = 0;
}

/* Vectors of owned pointers: made as the inline ones (the elements are the
 * pointers), but copied with wasm_xxx_copy and deleted with wasm_xxx_delete. */
#define SP_VEC_OWNED(name)                                                              \
    SP_VEC_INLINE(name, wasm_##name##_t *)                                              \
    SP_API void wasm_##name##_vec_copy(wasm_##name##_vec_t *out,                        \
                                       const wasm_##name##_vec_t *v)                    \
    {                                                                                   \
        wasm_##name##_vec_new_uninitialized(out, v->size);                              \
        for (size_t i = 0; i < out->size; i++)                                          \
            out->data[i] = v->data[i] ? wasm_##name##_copy(v->data[i]) : NULL;          \
    }                                                                                   \
    SP_API void wasm_##name##_vec_delete(wasm_##name##_vec_t *v)                        \
    {                                                                                   \
        if (!v) return;                                                                 \
        for (size_t i = 0; i < v->size; i++)                                            \
            if (v->data[i]) wasm_##name##_delete(v->data[i]);                           \
        free(v->data);                                                                  \
        v->data = NULL;                                                                 \
        v->size = 0;                                                                    \
    }

SP_VEC_OWNED(frame)
SP_VEC_OWNED(valtype)
SP_VEC_OWNED(functype)
SP_VEC_OWNED(globaltype)
SP_VEC_OWNED(tabletype)
SP_VEC_OWNED(memorytype)
SP_VEC_OWNED(externtype)
SP_VEC_OWNED(importtype)
SP_VEC_OWNED(exporttype)
SP_VEC_OWNED(extern)

bool sp_push(void ***arr, size_t *n, size_t *cap, void *p)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 8;
        void **a = realloc(*arr, c * sizeof *a);
        if (!a) return false;
        *arr = a;
        *cap = c;
    }
    (*arr)[(*n)++] = p;
    return true;
}
