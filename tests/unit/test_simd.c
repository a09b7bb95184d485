/*
 * test_simd.c - unit tests of the SIMD (v128) translation and handlers
 * beyond what the spec scripts check: results retargeted into a local that
 * is also an operand (shuffle, replace_lane), a lazily read local that is
 * overwritten by a v128 result, a SIMD loop (dot product), lane loads with a
 * memory trap, a v128 -> i32 test feeding a branch, and validation messages
 * of hand-made SIMD bodies (lane indices, reserved opcodes, and a malformed
 * SIMD instruction after an invalid one: the decode-only scan must skip
 * SIMD immediates to find it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/runtime.h"
#include "testlib.h"

/* wat2wasm of:
 * (module
 *   (memory 1)
 *   (func (export "shuffle_into_input") (param v128 v128) (result v128)
 *     (local.set 0 (i8x16.shuffle 16 0 17 1 18 2 19 3 20 4 21 5 22 6 23 7 (local.get 0) (local.get 1)))
 *     (local.get 0))
 *   (func (export "replace_into_input") (param v128 i32) (result v128)
 *     (local.set 0 (i32x4.replace_lane 1 (local.get 0) (local.get 1)))
 *     (local.get 0))
 *   (func (export "lazy_read_then_set") (param v128) (result v128)
 *     (local.get 0)
 *     (local.set 0 (i32x4.add (local.get 0) (local.get 0)))
 *     (local.get 0)
 *     (i32x4.sub))
 *   (func (export "dot_loop") (param i32 i32) (result f32)
 *     (local $acc v128) (local $i i32)
 *     (loop $l
 *       (local.set $acc (f32x4.add (local.get $acc)
 *         (f32x4.mul (v128.load (local.get $i)) (v128.load offset=1024 (local.get $i)))))
 *       (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get 1))))
 *     (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
 *              (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
 *   (func (export "fill") (param i32 f32)
 *     (local $i i32)
 *     (loop $l
 *       (v128.store (local.get $i) (f32x4.splat (local.get 1)))
 *       (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 16))) (local.get 0)))))
 *   (func (export "lane_mem") (param i32) (result i64)
 *     (i64x2.extract_lane 1 (v128.load64_lane 1 (local.get 0) (v128.const i64x2 5 6))))
 *   (func (export "bitmask_branch") (param v128) (result i32)
 *     (if (result i32) (i8x16.bitmask (local.get 0)) (then (i32.const 1)) (else (i32.const 0))))
 * )
 */
static const uint8_t simd_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x27, 0x07, 0x60, 0x02, 0x7b, 0x7b, 0x01,
    0x7b, 0x60, 0x02, 0x7b, 0x7f, 0x01, 0x7b, 0x60, 0x01, 0x7b, 0x01, 0x7b, 0x60, 0x02, 0x7f, 0x7f,
    0x01, 0x7d, 0x60, 0x02, 0x7f, 0x7d, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x01, 0x7b, 0x01,
    0x7f, 0x03, 0x08, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x05, 0x03, 0x01, 0x00, 0x01,
    0x07, 0x6e, 0x07, 0x12, 0x73, 0x68, 0x75, 0x66, 0x66, 0x6c, 0x65, 0x5f, 0x69, 0x6e, 0x74, 0x6f,
    0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x00, 0x00, 0x12, 0x72, 0x65, 0x70, 0x6c, 0x61, 0x63, 0x65,
    0x5f, 0x69, 0x6e, 0x74, 0x6f, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x00, 0x01, 0x12, 0x6c, 0x61,
    0x7a, 0x79, 0x5f, 0x72, 0x65, 0x61, 0x64, 0x5f, 0x74, 0x68, 0x65, 0x6e, 0x5f, 0x73, 0x65, 0x74,
    0x00, 0x02, 0x08, 0x64, 0x6f, 0x74, 0x5f, 0x6c, 0x6f, 0x6f, 0x70, 0x00, 0x03, 0x04, 0x66, 0x69,
    0x6c, 0x6c, 0x00, 0x04, 0x08, 0x6c, 0x61, 0x6e, 0x65, 0x5f, 0x6d, 0x65, 0x6d, 0x00, 0x05, 0x0e,
    0x62, 0x69, 0x74, 0x6d, 0x61, 0x73, 0x6b, 0x5f, 0x62, 0x72, 0x61, 0x6e, 0x63, 0x68, 0x00, 0x06,
    0x0a, 0xcf, 0x01, 0x07, 0x1c, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x0d, 0x10, 0x00, 0x11, 0x01,
    0x12, 0x02, 0x13, 0x03, 0x14, 0x04, 0x15, 0x05, 0x16, 0x06, 0x17, 0x07, 0x21, 0x00, 0x20, 0x00,
    0x0b, 0x0d, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0x1c, 0x01, 0x21, 0x00, 0x20, 0x00, 0x0b, 0x12,
    0x00, 0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0xae, 0x01, 0x21, 0x00, 0x20, 0x00, 0xfd, 0xb1,
    0x01, 0x0b, 0x43, 0x02, 0x01, 0x7b, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x02, 0x20, 0x03, 0xfd, 0x00,
    0x04, 0x00, 0x20, 0x03, 0xfd, 0x00, 0x04, 0x80, 0x08, 0xfd, 0xe6, 0x01, 0xfd, 0xe4, 0x01, 0x21,
    0x02, 0x20, 0x03, 0x41, 0x10, 0x6a, 0x22, 0x03, 0x20, 0x01, 0x49, 0x0d, 0x00, 0x0b, 0x20, 0x02,
    0xfd, 0x1f, 0x00, 0x20, 0x02, 0xfd, 0x1f, 0x01, 0x92, 0x20, 0x02, 0xfd, 0x1f, 0x02, 0x20, 0x02,
    0xfd, 0x1f, 0x03, 0x92, 0x92, 0x0b, 0x1d, 0x01, 0x01, 0x7f, 0x03, 0x40, 0x20, 0x02, 0x20, 0x01,
    0xfd, 0x13, 0xfd, 0x0b, 0x04, 0x00, 0x20, 0x02, 0x41, 0x10, 0x6a, 0x22, 0x02, 0x20, 0x00, 0x49,
    0x0d, 0x00, 0x0b, 0x0b, 0x1e, 0x00, 0x20, 0x00, 0xfd, 0x0c, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x57, 0x03, 0x00, 0x01, 0xfd,
    0x1d, 0x01, 0x0b, 0x0e, 0x00, 0x20, 0x00, 0xfd, 0x64, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x00,
    0x0b, 0x0b,
};

typedef struct Fixture {
    Module *m;
    Instance *inst;
    ExecEnv *env;
    Linker *linker;
} Fixture;

static bool fixture_open(Fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    SpDiag diag;
    if (module_load(simd_wasm, sizeof simd_wasm, &fx->m, &diag)) {
        printf("module_load: %s\n", diag.text);
        return false;
    }
    fx->linker = linker_new();
    fx->env = env_new(0, 0);
    TrapKind trap = TRAP_NONE;
    if (!fx->linker || !fx->env ||
        linker_instantiate(fx->linker, test_store(), fx->m, fx->env, &fx->inst, &trap, &diag)) {
        printf("instantiate: %s\n", diag.text);
        return false;
    }
    return true;
}

static void fixture_close(Fixture *fx)
{
    instance_free(fx->inst);
    linker_free(fx->linker);
    env_free(fx->env);
    module_free(fx->m);
}

/* Calls export `name` with io (which must hold max(params, results) slots). */
static TrapKind call(Fixture *fx, const char *name, Slot *io)
{
    return test_call_export(fx->env, fx->inst, name, io);
}

static void set_bytes(Slot *v, uint8_t base)
{
    uint8_t b[16];
    for (unsigned i = 0; i < 16; i++) b[i] = (uint8_t)(base + i);
    memcpy(v, b, 16);
}

static void test_retargeted_results(Fixture *fx)
{
    Slot io[4];
    set_bytes(&io[0], 0x00);
    set_bytes(&io[2], 0x40);
    CHECK(call(fx, "shuffle_into_input", io) == TRAP_NONE);
    uint8_t r[16];
    memcpy(r, io, 16);
    bool interleaved = true;
    for (unsigned i = 0; i < 8; i++)
        interleaved = interleaved && r[2 * i] == 0x40 + i && r[2 * i + 1] == i;
    CHECK(interleaved);

    uint32_t lanes[4] = {1, 2, 3, 4};
    memcpy(io, lanes, 16);
    io[2].u32 = 7;
    CHECK(call(fx, "replace_into_input", io) == TRAP_NONE);
    memcpy(lanes, io, 16);
    CHECK(lanes[0] == 1 && lanes[1] == 7 && lanes[2] == 3 && lanes[3] == 4);

    int32_t v[4] = {5, -9, 0, 123456};
    memcpy(io, v, 16);
    CHECK(call(fx, "lazy_read_then_set", io) == TRAP_NONE);  /* p - 2p */
    memcpy(v, io, 16);
    CHECK(v[0] == -5 && v[1] == 9 && v[2] == 0 && v[3] == -123456);
}

static void test_loops_and_memory(Fixture *fx)
{
    Slot io[2];
    io[0].u32 = 2048, io[1].f32 = 1.5f;
    CHECK(call(fx, "fill", io) == TRAP_NONE);
    io[0].u32 = 0, io[1].u32 = 1024;
    CHECK(call(fx, "dot_loop", io) == TRAP_NONE && io[0].f32 == 576.0f); /* 256 * 2.25 */
    io[0].u32 = 8;
    CHECK(call(fx, "lane_mem", io) == TRAP_NONE && io[0].u64 == 0x3fc000003fc00000ull);
    io[0].u32 = 65536 - 4;
    CHECK(call(fx, "lane_mem", io) == TRAP_MEMORY_OOB);
    io[0].u32 = 65536 - 8;
    CHECK(call(fx, "lane_mem", io) == TRAP_NONE && io[0].u64 == 0);
}

static void test_branch_on_test(Fixture *fx)
{
    Slot io[2] = {{.u64 = 0}, {.u64 = 0}};
    CHECK(call(fx, "bitmask_branch", io) == TRAP_NONE && io[0].u32 == 0);
    io[0].u64 = 0, io[1].u64 = 0x8000000000000000ull;
    CHECK(call(fx, "bitmask_branch", io) == TRAP_NONE && io[0].u32 == 1);
}

/* ------------------------------------------- validation of hand-made bodies */

#define BODY(res, ...) \
    (test_load_body((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}), res))
#define ZERO16 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
#define V128_CONST 0xfd, 0x0c, ZERO16

static bool msg_is(SpResult e, const char *want) { return e && strcmp(e, want) == 0; }

static void test_validation(void)
{
    CHECK(BODY(0x7b, V128_CONST, 0x0b) == SP_OK);
    CHECK(msg_is(BODY(0x7f, V128_CONST, 0x0b), "type mismatch"));
    /* i8x16.extract_lane_u 15 is fine, 16 is not */
    CHECK(BODY(0x7f, V128_CONST, 0xfd, 0x16, 0x0f, 0x0b) == SP_OK);
    CHECK(msg_is(BODY(0x7f, V128_CONST, 0xfd, 0x16, 0x10, 0x0b), "invalid lane index"));
    /* i64x2.replace_lane 2 */
    CHECK(msg_is(BODY(0x7b, V128_CONST, 0x42, 0x00, 0xfd, 0x1e, 0x02, 0x0b),
                 "invalid lane index"));
    /* i8x16.shuffle with a lane index of 32 */
    CHECK(msg_is(BODY(0x7b, V128_CONST, V128_CONST, 0xfd, 0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                      11, 12, 13, 14, 32, 0x0b),
                 "invalid lane index"));
    /* i32x4.add of two i32 */
    CHECK(msg_is(BODY(0x7b, 0x41, 0x00, 0x41, 0x00, 0xfd, 0xae, 0x01, 0x0b), "type mismatch"));
    /* i32x4.shl takes an i32 count, not a v128 */
    CHECK(msg_is(BODY(0x7b, V128_CONST, V128_CONST, 0xfd, 0xab, 0x01, 0x0b), "type mismatch"));
    /* the stack-polymorphic case: swizzle after unreachable */
    CHECK(BODY(0x7b, 0x00, 0xfd, 0x0e, 0x0b) == SP_OK);
    /* reserved sub-opcodes, and one beyond 0xff */
    CHECK(msg_is(BODY(0, 0xfd, 0xa2, 0x01, 0x0b), "illegal opcode"));
    CHECK(msg_is(BODY(0, 0xfd, 0x80, 0x02, 0x0b), "illegal opcode"));
    /* v128.load without a memory */
    CHECK(msg_is(BODY(0x7b, 0x41, 0x00, 0xfd, 0x00, 0x04, 0x00, 0x0b), "unknown memory"));
    /* Invalid (i32.add of nothing), then SIMD instructions, then a malformed
     * one: the scan skips v128.const and the shuffle's lanes and reports it. */
    CHECK(msg_is(BODY(0, 0x6a, V128_CONST, 0xfd, 0x0d, ZERO16, 0xfd, 0x9a, 0x01, 0x0b),
                 "illegal opcode"));
    CHECK(msg_is(BODY(0, 0x6a, V128_CONST, 0x1a, 0x0b), "type mismatch"));
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    Fixture fx;
    bool ok = fixture_open(&fx);
    CHECK(ok);
    if (ok) {
        test_retargeted_results(&fx);
        test_loops_and_memory(&fx);
        test_branch_on_test(&fx);
    }
    fixture_close(&fx);
    test_validation();
    return test_summary();
}
