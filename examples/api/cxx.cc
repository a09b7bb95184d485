// cxx.cc - a C++ program that includes wasm.h builds and runs: the header's
// declarations, inline helpers and macros work from C++.
#include <cstdio>

#include "wasm.h"

static wasm_trap_t *answer(void *env, const wasm_val_vec_t *, wasm_val_vec_t *results)
{
    results->data[0].kind = WASM_I32;
    results->data[0].of.i32 = *static_cast<int *>(env);
    return nullptr;
}

int main()
{
    wasm_engine_t *engine = wasm_engine_new();
    wasm_store_t *store = wasm_store_new(engine);
    int env = 42;
    wasm_functype_t *type = wasm_functype_new_0_1(wasm_valtype_new_i32());
    wasm_func_t *f = wasm_func_new_with_env(store, type, answer, &env, nullptr);
    wasm_functype_delete(type);
    wasm_val_t out[1];
    wasm_val_vec_t args = WASM_EMPTY_VEC, results = WASM_ARRAY_VEC(out);
    wasm_trap_t *trap = wasm_func_call(f, &args, &results);
    bool ok = !trap && out[0].kind == WASM_I32 && out[0].of.i32 == 42;
    wasm_func_delete(f);
    wasm_store_delete(store);
    wasm_engine_delete(engine);
    std::printf("%s\n", ok ? "C++: 42" : "C++: wrong result");
    return ok ? 0 : 1;
}
