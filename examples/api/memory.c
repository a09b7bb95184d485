/*
 * memory.c - a module's memory from the host: its bytes, size and growth,
 * out-of-bounds accesses as traps, and a memory made by the host.
 */
#include <stdio.h>

#include "example.h"

static wasm_trap_t *call(const wasm_extern_t *e, wasm_val_t *a, size_t na, wasm_val_t *r, size_t nr)
{
    wasm_val_vec_t args = {na, a}, results = {nr, r};
    return wasm_func_call(wasm_extern_as_func_const(e), &args, &results);
}

static int32_t load(const wasm_extern_t *e, int32_t addr)
{
    wasm_val_t a[1] = {WASM_I32_VAL(addr)}, r[1] = {WASM_INIT_VAL};
    wasm_trap_t *trap = call(e, a, 1, r, 1);
    if (trap) {
        wasm_trap_delete(trap);
        return -1000;
    }
    return r[0].of.i32;
}

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *module = example_module(store, argv[1]);
    wasm_instance_t *instance = wasm_instance_new(store, module, NULL, NULL);
    CHECK(instance != NULL);
    wasm_module_delete(module);

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    wasm_memory_t *memory = wasm_extern_as_memory(exports.data[0]);
    CHECK(memory != NULL && wasm_extern_kind(exports.data[0]) == WASM_EXTERN_MEMORY);
    const wasm_extern_t *size = exports.data[1], *ld = exports.data[2], *st = exports.data[3];

    CHECK(wasm_memory_size(memory) == 2);
    CHECK(wasm_memory_data_size(memory) == 0x20000);
    byte_t *data = wasm_memory_data(memory);
    CHECK(data[0] == 0 && data[0x1000] == 1 && data[0x1003] == 4);
    CHECK(load(ld, 0x1002) == 3);
    CHECK(load(ld, 0x1ffff) == 0);
    CHECK(load(ld, 0x20000) == -1000);   /* out of bounds: a trap */

    wasm_val_t sa[2] = {WASM_I32_VAL(0x1002), WASM_I32_VAL(5)};
    CHECK(call(st, sa, 2, NULL, 0) == NULL);
    CHECK(data[0x1002] == 5);
    data[0x1003] = 7;
    CHECK(load(ld, 0x1003) == 7);
    wasm_val_t bad[2] = {WASM_I32_VAL(0x20000), WASM_I32_VAL(5)};
    wasm_trap_t *trap = call(st, bad, 2, NULL, 0);
    CHECK(trap != NULL);
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    printf("store past the end: %s\n", m.data);
    wasm_byte_vec_delete(&m);
    wasm_trap_delete(trap);

    CHECK(wasm_memory_grow(memory, 1));
    CHECK(wasm_memory_size(memory) == 3 && wasm_memory_data_size(memory) == 0x30000);
    wasm_val_t r[1];
    CHECK(call(size, NULL, 0, r, 1) == NULL && r[0].of.i32 == 3);
    CHECK(load(ld, 0x20000) == 0);
    CHECK(!wasm_memory_grow(memory, 1));
    CHECK(wasm_memory_grow(memory, 0));

    wasm_memorytype_t *mt = wasm_memory_type(memory);
    CHECK(wasm_memorytype_limits(mt)->max == 3);
    wasm_memorytype_delete(mt);

    /* A memory made by the host. */
    wasm_limits_t lim = {5, 5};
    wasm_memorytype_t *ht = wasm_memorytype_new(&lim);
    wasm_memory_t *host_memory = wasm_memory_new(store, ht);
    wasm_memorytype_delete(ht);
    CHECK(host_memory != NULL && wasm_memory_size(host_memory) == 5);
    CHECK(!wasm_memory_grow(host_memory, 1));
    wasm_memory_data(host_memory)[5 * 0x10000 - 1] = 1;
    wasm_memory_delete(host_memory);
    printf("memory: 2 pages -> 3, data segment, loads and stores both ways\n");

    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    printf("Done.\n");
    return 0;
}
