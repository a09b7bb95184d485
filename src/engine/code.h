/*
 * code.h - the interpreter's internal code format, shared only by compile.c /
 * compile_ops.c / compile_simd.c / compile_fuse.c (which produce it) and
 * interp.c (which runs it; superinstructions in interp_fused.inc, SIMD
 * handlers in interp_simd.inc).
 *
 * Design
 * ------
 * A function body is validated and translated in one pass into an array of
 * 8-byte CodeWords. Each translated instruction starts with the address of
 * its handler inside the interpreter's dispatch function (GCC/Clang
 * labels-as-values), followed by operands that are fully decoded: slot
 * indices, immediates, resolved branch offsets. Dispatch is
 * `goto *ip->handler`; nothing is decoded or searched at run time.
 *
 * Slots. A frame is a window of Slots starting at `fp`:
 *   fp[0 .. param_slots)            the parameters
 *   fp[param_slots .. local_slots)  the declared locals, then one hidden slot
 *                                   that is always zero (`zero_slot`)
 *   fp[local_slots .. frame_slots)  the operand stack
 * Because the operand-stack height is known statically at every instruction,
 * every operand and result is a fixed slot index relative to fp: the
 * interpreter keeps no run-time stack pointer. An operand may also name a
 * local directly (local.get is folded into its consumer), and the translator
 * retargets the result of an instruction straight into a local when a
 * local.set/tee follows. Many operations have `_imm` forms taking a
 * constant instead of a slot (see "Peephole"). Example: in a function with params
 * $i (slot 0) and $n (slot 1),
 *   (local.set $i (i32.add (local.get $i) (i32.const 1)))
 * becomes ONE instruction of 3 words  [&&H_i32_add_imm | d=0 a=0 | imm=1]
 * and a loop latch  (br_if $top (i32.lt_u (local.get $i) (local.get $n)))
 * becomes  [&&H_br_i32_lt_u | a=0 b=1 | off=-k]  (k = words back to $top).
 *
 * Branches. A branch stores a signed offset in CodeWords relative to the
 * first word of the branch instruction. A branch that carries values to a
 * label whose slots differ emits explicit copies first (copy1/copy2/copy_n),
 * out of line when the branch is conditional (br_table gets one stub per
 * target that needs copies). A comparison (or i32.eqz) immediately followed
 * by br_if / if is rewritten in place into one compare-and-branch
 * instruction (br_i32_lt_s, br_i64_ne_imm, ...). Safepoints: the jump back
 * to a loop header (br_back), every taken conditional branch, br_table and
 * every call check the interrupt flag (one relaxed load + one branch).
 *
 * Peephole. Dispatch, and above all the store and reload of every
 * intermediate result through its slot, dominate the interpreter's time,
 * so the translator fuses common sequences into one instruction as it
 * goes (one pass, no second look at the code). It remembers `last`, the
 * instruction that produced a stack entry (valid while nothing else was
 * emitted or bound since), and `emit`/`prev`, the last two instructions
 * with no label between them. With these:
 *  - constants: integer `_imm` forms (add ... rotr, compares, and rsub for
 *    c - x), f32/f64 ones (add, sub, mul, div, compares; rsub, rdiv for a
 *    constant on the left; the imm holds the bits), stores of a constant
 *    (store*_imm), a constant address folded into the memarg offset (read
 *    through the zero slot), a constant 0 operand read from the zero slot;
 *  - retargeting: a result goes straight into the local of a following
 *    local.set/tee;
 *  - compare + branch: an i32/i64/f32/f64 compare (slot or imm form),
 *    i32.eqz or i32.and followed by br_if/if becomes one branch op
 *    (br_i32_lt_s_imm, br_f64_gt, brn_f64_gt = branch if NOT greater, which
 *    differs from le when a NaN is involved, br_i32_test = (a & b) != 0);
 *  - address modes: a load or store whose address the last instruction
 *    computed with i32.add, or an add/sub of a constant, takes that add in
 *    (the _add/_addi modes of OpLoad/OpStore; the sum wraps to 32 bits as
 *    the add did, then the offset is added without wrapping); a load from
 *    a local that the instruction just emitted computed so (`local.tee $p
 *    (i32.add ...)`, then a load from $p) uses the _addw/_addiw modes,
 *    which also write the sum to the local;
 *  - operand folding: a binary op absorbs the instruction that made one of
 *    its operands, when the other operand needs no code (a local, a stack
 *    slot): an f64.load (f64 add/sub/mul/div with a memory operand,
 *    f64_mul_mem ...), an i32 shift or rotate by a constant (i32
 *    add/sub/and/or/xor with a shifted operand, i32_xor_rotl ...), an
 *    f64.mul (f64_add_prod = c + a * b ..., f64_add_prod_mem; the product is
 *    rounded on its own: never an FMA);
 *  - two 1-slot moves in a row become one copy1x2;
 *  - `a[i] += x`: an f64.store of an f64_add_mem/sub_mem result to the same
 *    plain address becomes one read-modify-write op (f64_add_to_mem), also
 *    with x a product just computed in a stack temporary (`a[i] += y * z`,
 *    `a[i] -= y * z`: f64_add_prod_to_mem, f64_sub_prod_to_mem);
 *  - loop latch: an i32 add/add_imm/sub_imm right before a conditional
 *    branch that tests its result (a compare with a slot or a constant, or
 *    br_if: != 0) becomes one add_br op (addi_br_i32_ne_imm ...);
 *  - calls to a function of the module itself use call_local (no import,
 *    so no host function and no instance switch to check).
 * A fused instruction takes the code position of the first instruction it
 * replaces, so branch targets bound before it stay valid, and fusion never
 * reaches across a label (compile_bind). The intermediate results it keeps
 * in registers were stack temporaries that only the fused consumer read;
 * they are not written to their slots. In the map, a fused instruction has
 * the module offset of its part that can trap (the memory access). The
 * fusion logic is in compile_fuse.c, the fused handlers in
 * interp_fused.inc; tests/interp/peephole.wast checks every fused form.
 *
 * Entry zeroing. Only the slots in `zero_slots` are zeroed when a frame
 * is entered: the zero slot (when some operand uses it) and the declared
 * locals that may be read before they are written. A local counts as
 * written first when its first access in code order is a local.set/tee at
 * the function's top block level (depth 0: every later instruction of the
 * body runs only after it); any local.get of a local not so assigned marks
 * it. Other slots of a new frame hold stale values that are never read.
 *
 * Calls. The callee's frame starts at the caller's argument slots (the top
 * of the caller's operand stack): `call` stores that slot index (`base`).
 * The callee writes its results to its own fp[0 .. result_slots), which is
 * where the caller expects them. Call records (return address, caller fp,
 * caller Func) live in ExecEnv.frames; see interp.c. Host functions get
 * `fp + base` as their io array (the caller's frame reserves
 * max(param, result) slots there).
 *
 * Backtraces. Each CompiledFunc keeps a sorted map from code word offsets of
 * instruction starts to byte offsets in the module binary.
 */
#ifndef SPINDLE_CODE_H
#define SPINDLE_CODE_H

#include "engine/module.h"

/* One unit of translated code. */
typedef union CodeWord {
    const void *handler;
    uint64_t bits;
} CodeWord;

/* code word offset -> module byte offset, for the start of an instruction */
typedef struct CodeMapEntry {
    uint32_t code;
    uint32_t byte;
} CodeMapEntry;

struct CompiledFunc {
    CodeWord *code;          /* owned */
    uint32_t code_words;
    uint32_t func_index;     /* in the module's function index space */
    uint32_t param_slots;
    uint32_t local_slots;    /* params + locals + the zero slot */
    uint32_t frame_slots;    /* everything the frame may touch */
    uint32_t result_slots;
    uint32_t map_len;
    CodeMapEntry *map;       /* owned, sorted by .code */
    uint32_t zero_count;
    uint32_t *zero_slots;    /* owned: slots zeroed on entry (see "Entry zeroing") */
};

/* ------------------------------------------------------- instruction shapes
 * Every shape begins with the handler address; sizes are multiples of 8. */

typedef struct OpNone { const void *h; } OpNone;                       /* unreachable, return0 */
typedef struct OpDA { const void *h; uint32_t d, a; } OpDA;            /* unary: d = f(a) */
typedef struct OpDAB { const void *h; uint32_t d, a, b; } OpDAB;       /* binary: d = f(a, b) */
/* d = f(a, imm): an integer imm is sign-extended to 64 bits, a float one
 * holds the value's bits (an f32 in the low half). */
typedef struct OpDAI { const void *h; uint32_t d, a; int64_t imm; } OpDAI;
typedef struct OpConst { const void *h; uint32_t d; uint64_t bits; } OpConst;
typedef struct OpCopyN { const void *h; uint32_t d, a, n; } OpCopyN;   /* fp[d..d+n) = fp[a..a+n) */
/* copy1x2: fp[d1] = fp[a1], then fp[d2] = fp[a2] (two local moves in a row) */
typedef struct OpCopy2x { const void *h; uint32_t d1, a1, d2, a2; } OpCopy2x;
typedef struct OpSelect { const void *h; uint32_t d, a, b, c; } OpSelect; /* d = c ? a : b */
typedef struct OpIndex { const void *h; uint32_t index, slot; } OpIndex; /* global.get/set, ref.func, drops */
typedef struct OpRet { const void *h; uint32_t a, n; } OpRet;          /* results fp[a..a+n) -> fp[0..n) */

typedef struct OpBr { const void *h; int32_t off; } OpBr;
typedef struct OpBrIf { const void *h; uint32_t c; int32_t off; } OpBrIf;   /* also br_if_eqz */
typedef struct OpBrCmp { const void *h; uint32_t a, b; int32_t off; } OpBrCmp;
typedef struct OpBrCmpI { const void *h; uint32_t a; int32_t off; int64_t imm; } OpBrCmpI;
/* Loop latch: fp[d] = fp[a] + (add_br: fp[b], addi_br: b), then branch when
 * fp[d] compares true with c (a slot, or for _imm ops the constant). */
typedef struct OpAddBr { const void *h; uint32_t d, a, b, c; int32_t off, pad; } OpAddBr;
typedef struct OpBrTable { const void *h; uint32_t index, count; int32_t off[]; } OpBrTable;
/* off[count] is the default; the array has count + 1 entries. */

/* call_local: a function defined in the module itself (same instance, has code). */
typedef struct OpCall { const void *h; uint32_t func, base; } OpCall;
/* The type is an index (canonical: the smallest index of an equal type) in
 * the running instance's module, not a pointer: translated code holds no
 * pointer into its module (module_image.c copies it as it is). */
typedef struct OpCallIndirect {
    const void *h;
    uint32_t type, table, index, base;
} OpCallIndirect;

/* Loads and stores. The effective address has three modes (see
 * "Peephole"): plain    ea = fp[a] + offset
 *              _add     ea = (uint32_t)(fp[a] + fp[b]) + offset
 *              _addi    ea = (uint32_t)(fp[a] + b) + offset   (b: a constant)
 * with the 32-bit wrap of the i32.add they replace. A store takes its value
 * from slot v, or (the _imm stores, OpStoreI) from the instruction. */
typedef struct OpLoad { const void *h; uint32_t d, a, offset, b; } OpLoad;
/* Loads also have _addw/_addiw modes: the _add/_addi sum is also written to
 * slot w (an address computed into a local by local.tee, then loaded). */
typedef struct OpLoadW { const void *h; uint32_t d, a, offset, b, w, pad; } OpLoadW;
typedef struct OpStore { const void *h; uint32_t a, v, offset, b; } OpStore;
typedef struct OpStoreI { const void *h; uint32_t a, b, offset, pad; uint64_t imm; } OpStoreI;
/* f64 arithmetic with a memory operand: d = fp[v] op m (rsub/rdiv: m op
 * fp[v]), m the f64 at the address given by a, b, offset (modes above);
 * the _prod_ ops add fp[v] * m to fp[c]. */
typedef struct OpMemBin { const void *h; uint32_t d, a, offset, b, v, c; } OpMemBin;
/* The _to_mem ops (plain address mode) store their result back to m
 * (`a[i] += x`); d is unused. f64_add_prod_to_mem: m = fp[v] * fp[c] + m,
 * f64_sub_prod_to_mem: m = m - fp[v] * fp[c]. */

/* f64 product then sum: d = fp[c] + fp[a] * fp[b] (add_prod), or the
 * other orders (prod_add: a * b + c, sub_prod: c - a * b, prod_sub). */
typedef struct OpProd { const void *h; uint32_t d, a, b, c; } OpProd;
/* i32 arithmetic with a shifted operand: d = fp[a] op (fp[b] shift k). */
typedef struct OpDABK { const void *h; uint32_t d, a, b, k; } OpDABK;
/* Atomics: d = result, a = address, b/c = value operands. */
typedef struct OpAtomic { const void *h; uint32_t d, a, b, c, offset; } OpAtomic;

/* table.get (value = result) and table.set (value = operand). */
typedef struct OpTable { const void *h; uint32_t table, index, value; } OpTable;
/* Table and bulk-memory operations: x, y = table/segment indices. */
typedef struct OpBulk { const void *h; uint32_t x, y, d, s, n; } OpBulk;

/* SIMD (v128). A v128 operand names the first of its two slots. Handlers
 * read every operand before writing d, so d may be any operand's slot. */
typedef struct OpV128Const { const void *h; uint32_t d, pad; uint64_t lo, hi; } OpV128Const;
/* i8x16.shuffle: result byte i = (a:b)[lane i], precomputed as two byte-select
 * masks (pshufb style: an index with bit 7 set selects zero). */
typedef struct OpShuffle {
    const void *h;
    uint32_t d, a, b, pad;
    uint8_t from_a[16], from_b[16];
} OpShuffle;
/* extract_lane (d = scalar, b unused) and replace_lane (b = the scalar). */
typedef struct OpLane { const void *h; uint32_t d, a, b, lane; } OpLane;
/* v128.loadN_lane (d = result, v = vector in) / storeN_lane (d unused). */
typedef struct OpMemLane { const void *h; uint32_t d, a, v, offset, lane, pad; } OpMemLane;
/* Also: SIMD loads use OpLoad, v128.store OpStore, unary/binary/shift/test
 * ops OpDA/OpDAB, v128.bitselect OpSelect (d = (a & c) | (b & ~c)). */

#define OP_WORDS(T) ((uint32_t)(sizeof(T) / sizeof(CodeWord)))

/* Compare+branch fusion rewrites a compare in place into its branch form. */
_Static_assert(sizeof(OpDAB) == sizeof(OpBrCmp), "fusion needs equal sizes");
_Static_assert(sizeof(OpDAI) == sizeof(OpBrCmpI), "fusion needs equal sizes");
_Static_assert(sizeof(OpDA) == sizeof(OpBrIf), "fusion needs equal sizes");

/* --------------------------------------------------------- internal opcodes
 * X(name) for every handler; the interpreter has a label H_<name> for each. */

#define SP_CMP_OPS(X, p) \
    X(p##eq) X(p##ne) X(p##lt_s) X(p##lt_u) X(p##gt_s) X(p##gt_u) \
    X(p##le_s) X(p##le_u) X(p##ge_s) X(p##ge_u)

#define SP_INT_OPS(X, p) \
    X(p##eqz) SP_CMP_OPS(X, p) X(p##clz) X(p##ctz) X(p##popcnt) \
    X(p##add) X(p##sub) X(p##mul) X(p##div_s) X(p##div_u) X(p##rem_s) X(p##rem_u) \
    X(p##and) X(p##or) X(p##xor) X(p##shl) X(p##shr_s) X(p##shr_u) X(p##rotl) X(p##rotr)

#define SP_INT_IMM_OPS(X, p) \
    X(p##add_imm) X(p##sub_imm) X(p##mul_imm) X(p##and_imm) X(p##or_imm) X(p##xor_imm) \
    X(p##shl_imm) X(p##shr_s_imm) X(p##shr_u_imm) X(p##rotl_imm) X(p##rotr_imm) \
    X(p##rsub_imm) \
    X(p##eq_imm) X(p##ne_imm) X(p##lt_s_imm) X(p##lt_u_imm) X(p##gt_s_imm) X(p##gt_u_imm) \
    X(p##le_s_imm) X(p##le_u_imm) X(p##ge_s_imm) X(p##ge_u_imm)

#define SP_BR_CMP_OPS(X, p) \
    X(br_##p##eq) X(br_##p##ne) X(br_##p##lt_s) X(br_##p##lt_u) X(br_##p##gt_s) \
    X(br_##p##gt_u) X(br_##p##le_s) X(br_##p##le_u) X(br_##p##ge_s) X(br_##p##ge_u) \
    X(br_##p##eq_imm) X(br_##p##ne_imm) X(br_##p##lt_s_imm) X(br_##p##lt_u_imm) \
    X(br_##p##gt_s_imm) X(br_##p##gt_u_imm) X(br_##p##le_s_imm) X(br_##p##le_u_imm) \
    X(br_##p##ge_s_imm) X(br_##p##ge_u_imm)

/* br_i32_test branches when (a & b) != 0, br_i32_ntest when it is 0 (an
 * i32.and fused with br_if / if); shapes OpBrCmp, OpBrCmpI. */

/* Loop-latch fusion: an i32 add of a slot (add_br_) or of a constant
 * (addi_br_), then a compare of its result with a slot or (_imm) a constant
 * and a branch. The four shapes of one compare are consecutive. */
#define SP_ADD_BR1(X, c) \
    X(add_br_i32_##c) X(add_br_i32_##c##_imm) X(addi_br_i32_##c) X(addi_br_i32_##c##_imm)
#define SP_ADD_BR_OPS(X) \
    SP_ADD_BR1(X, eq) SP_ADD_BR1(X, ne) SP_ADD_BR1(X, lt_s) SP_ADD_BR1(X, lt_u) \
    SP_ADD_BR1(X, gt_s) SP_ADD_BR1(X, gt_u) SP_ADD_BR1(X, le_s) SP_ADD_BR1(X, le_u) \
    SP_ADD_BR1(X, ge_s) SP_ADD_BR1(X, ge_u)

/* Fused float compare + branch: br_ branches when the compare is true,
 * brn_ when it is false (with a NaN operand, !(a < b) is not a >= b). */
#define SP_BR_FCMP1(X, p, c) X(br_##p##c) X(br_##p##c##_imm) X(brn_##p##c) X(brn_##p##c##_imm)
#define SP_BR_FCMP_OPS(X, p) \
    SP_BR_FCMP1(X, p, eq) SP_BR_FCMP1(X, p, ne) SP_BR_FCMP1(X, p, lt) SP_BR_FCMP1(X, p, gt) \
    SP_BR_FCMP1(X, p, le) SP_BR_FCMP1(X, p, ge)

/* Float operations with a constant operand: rsub/rdiv take it on the left
 * (imm - a, imm / a), the others on the right. */
#define SP_FLOAT_IMM_OPS(X, p) \
    X(p##add_imm) X(p##sub_imm) X(p##mul_imm) X(p##div_imm) X(p##rsub_imm) X(p##rdiv_imm) \
    X(p##eq_imm) X(p##ne_imm) X(p##lt_imm) X(p##gt_imm) X(p##le_imm) X(p##ge_imm)

#define SP_FLOAT_OPS(X, p) \
    X(p##eq) X(p##ne) X(p##lt) X(p##gt) X(p##le) X(p##ge) \
    X(p##abs) X(p##neg) X(p##ceil) X(p##floor) X(p##trunc) X(p##nearest) X(p##sqrt) \
    X(p##add) X(p##sub) X(p##mul) X(p##div) X(p##min) X(p##max) X(p##copysign)

#define SP_ATOMIC_WIDTH_OPS(X, w) \
    X(atomic_load##w) X(atomic_store##w) X(atomic_add##w) X(atomic_sub##w) \
    X(atomic_and##w) X(atomic_or##w) X(atomic_xor##w) X(atomic_xchg##w) X(atomic_cmpxchg##w)

/* The fixed-width SIMD proposal (0xFD prefix), one handler per instruction,
 * named after it (i8x16.add_sat_s -> i8x16_add_sat_s), plus `_imm` forms of
 * the shifts for a constant count. */
#define SP_SIMD_OPS(X) \
    /* memory */ \
    X(v128_load) X(v128_load8x8_s) X(v128_load8x8_u) X(v128_load16x4_s) X(v128_load16x4_u) \
    X(v128_load32x2_s) X(v128_load32x2_u) X(v128_load8_splat) X(v128_load16_splat) \
    X(v128_load32_splat) X(v128_load64_splat) X(v128_load32_zero) X(v128_load64_zero) \
    X(v128_store) X(v128_load8_lane) X(v128_load16_lane) X(v128_load32_lane) X(v128_load64_lane) \
    X(v128_store8_lane) X(v128_store16_lane) X(v128_store32_lane) X(v128_store64_lane) \
    /* lanes */ \
    X(v128_const) X(i8x16_shuffle) X(i8x16_swizzle) X(i8x16_splat) X(i16x8_splat) X(i32x4_splat) \
    X(i64x2_splat) X(f32x4_splat) X(f64x2_splat) X(i8x16_extract_lane_s) X(i8x16_extract_lane_u) \
    X(i8x16_replace_lane) X(i16x8_extract_lane_s) X(i16x8_extract_lane_u) X(i16x8_replace_lane) \
    X(i32x4_extract_lane) X(i32x4_replace_lane) X(i64x2_extract_lane) X(i64x2_replace_lane) \
    X(f32x4_extract_lane) X(f32x4_replace_lane) X(f64x2_extract_lane) X(f64x2_replace_lane) \
    /* bitwise */ \
    X(v128_not) X(v128_and) X(v128_andnot) X(v128_or) X(v128_xor) X(v128_bitselect) \
    X(v128_any_true) \
    /* integer */ \
    SP_CMP_OPS(X, i8x16_) X(i8x16_abs) X(i8x16_neg) X(i8x16_popcnt) X(i8x16_all_true) \
    X(i8x16_bitmask) X(i8x16_narrow_i16x8_s) X(i8x16_narrow_i16x8_u) X(i8x16_shl) X(i8x16_shr_s) \
    X(i8x16_shr_u) X(i8x16_add) X(i8x16_add_sat_s) X(i8x16_add_sat_u) X(i8x16_sub) \
    X(i8x16_sub_sat_s) X(i8x16_sub_sat_u) X(i8x16_min_s) X(i8x16_min_u) X(i8x16_max_s) \
    X(i8x16_max_u) X(i8x16_avgr_u) \
    SP_CMP_OPS(X, i16x8_) X(i16x8_abs) X(i16x8_neg) X(i16x8_q15mulr_sat_s) X(i16x8_all_true) \
    X(i16x8_bitmask) X(i16x8_narrow_i32x4_s) X(i16x8_narrow_i32x4_u) X(i16x8_extend_low_i8x16_s) \
    X(i16x8_extend_high_i8x16_s) X(i16x8_extend_low_i8x16_u) X(i16x8_extend_high_i8x16_u) \
    X(i16x8_extadd_pairwise_i8x16_s) X(i16x8_extadd_pairwise_i8x16_u) X(i16x8_shl) \
    X(i16x8_shr_s) X(i16x8_shr_u) X(i16x8_add) X(i16x8_add_sat_s) X(i16x8_add_sat_u) \
    X(i16x8_sub) X(i16x8_sub_sat_s) X(i16x8_sub_sat_u) X(i16x8_mul) X(i16x8_min_s) \
    X(i16x8_min_u) X(i16x8_max_s) X(i16x8_max_u) X(i16x8_avgr_u) X(i16x8_extmul_low_i8x16_s) \
    X(i16x8_extmul_high_i8x16_s) X(i16x8_extmul_low_i8x16_u) X(i16x8_extmul_high_i8x16_u) \
    SP_CMP_OPS(X, i32x4_) X(i32x4_abs) X(i32x4_neg) X(i32x4_all_true) X(i32x4_bitmask) \
    X(i32x4_extend_low_i16x8_s) X(i32x4_extend_high_i16x8_s) X(i32x4_extend_low_i16x8_u) \
    X(i32x4_extend_high_i16x8_u) X(i32x4_extadd_pairwise_i16x8_s) \
    X(i32x4_extadd_pairwise_i16x8_u) X(i32x4_shl) X(i32x4_shr_s) X(i32x4_shr_u) X(i32x4_add) \
    X(i32x4_sub) X(i32x4_mul) X(i32x4_min_s) X(i32x4_min_u) X(i32x4_max_s) X(i32x4_max_u) \
    X(i32x4_dot_i16x8_s) X(i32x4_extmul_low_i16x8_s) X(i32x4_extmul_high_i16x8_s) \
    X(i32x4_extmul_low_i16x8_u) X(i32x4_extmul_high_i16x8_u) \
    X(i64x2_eq) X(i64x2_ne) X(i64x2_lt_s) X(i64x2_gt_s) X(i64x2_le_s) X(i64x2_ge_s) X(i64x2_abs) \
    X(i64x2_neg) X(i64x2_all_true) X(i64x2_bitmask) X(i64x2_extend_low_i32x4_s) \
    X(i64x2_extend_high_i32x4_s) X(i64x2_extend_low_i32x4_u) X(i64x2_extend_high_i32x4_u) \
    X(i64x2_shl) X(i64x2_shr_s) X(i64x2_shr_u) X(i64x2_add) X(i64x2_sub) X(i64x2_mul) \
    X(i64x2_extmul_low_i32x4_s) X(i64x2_extmul_high_i32x4_s) X(i64x2_extmul_low_i32x4_u) \
    X(i64x2_extmul_high_i32x4_u) \
    /* float */ \
    X(f32x4_eq) X(f32x4_ne) X(f32x4_lt) X(f32x4_gt) X(f32x4_le) X(f32x4_ge) X(f32x4_abs) \
    X(f32x4_neg) X(f32x4_sqrt) X(f32x4_ceil) X(f32x4_floor) X(f32x4_trunc) X(f32x4_nearest) \
    X(f32x4_add) X(f32x4_sub) X(f32x4_mul) X(f32x4_div) X(f32x4_min) X(f32x4_max) X(f32x4_pmin) \
    X(f32x4_pmax) \
    X(f64x2_eq) X(f64x2_ne) X(f64x2_lt) X(f64x2_gt) X(f64x2_le) X(f64x2_ge) X(f64x2_abs) \
    X(f64x2_neg) X(f64x2_sqrt) X(f64x2_ceil) X(f64x2_floor) X(f64x2_trunc) X(f64x2_nearest) \
    X(f64x2_add) X(f64x2_sub) X(f64x2_mul) X(f64x2_div) X(f64x2_min) X(f64x2_max) X(f64x2_pmin) \
    X(f64x2_pmax) \
    /* shifts by a constant count (in OpDAB.b) */ \
    X(i8x16_shl_imm) X(i8x16_shr_s_imm) X(i8x16_shr_u_imm) X(i16x8_shl_imm) X(i16x8_shr_s_imm) \
    X(i16x8_shr_u_imm) X(i32x4_shl_imm) X(i32x4_shr_s_imm) X(i32x4_shr_u_imm) X(i64x2_shl_imm) \
    X(i64x2_shr_s_imm) X(i64x2_shr_u_imm) \
    /* conversions */ \
    X(i32x4_trunc_sat_f32x4_s) X(i32x4_trunc_sat_f32x4_u) X(f32x4_convert_i32x4_s) \
    X(f32x4_convert_i32x4_u) X(i32x4_trunc_sat_f64x2_s_zero) X(i32x4_trunc_sat_f64x2_u_zero) \
    X(f64x2_convert_low_i32x4_s) X(f64x2_convert_low_i32x4_u) X(f32x4_demote_f64x2_zero) \
    X(f64x2_promote_low_f32x4)

/* Every load and store in its three address modes (consecutive: the
 * translator adds the mode to the plain op). */
#define SP_ADDR_MODES(X, name) X(name) X(name##_add) X(name##_addi)
#define SP_STORE_OPS(X, name) SP_ADDR_MODES(X, name) SP_ADDR_MODES(X, name##_imm)
#define SP_LOAD_OPS(X, name) SP_ADDR_MODES(X, name) X(name##_addw) X(name##_addiw)
#define SP_MEM_OPS(X) \
    SP_LOAD_OPS(X, load8_s) SP_LOAD_OPS(X, load8_u) SP_LOAD_OPS(X, load16_s) \
    SP_LOAD_OPS(X, load16_u) SP_LOAD_OPS(X, load32_s) SP_LOAD_OPS(X, load32_u) \
    SP_LOAD_OPS(X, load64) SP_STORE_OPS(X, store8) SP_STORE_OPS(X, store16) \
    SP_STORE_OPS(X, store32) SP_STORE_OPS(X, store64)

/* Operand fusion: f64 ops with a memory operand (three address modes each)
 * and i32 ops with a shifted operand (shift order as in SP_INT_IMM_OPS). */
#define SP_FMEM_OPS(X) \
    SP_ADDR_MODES(X, f64_add_mem) SP_ADDR_MODES(X, f64_sub_mem) SP_ADDR_MODES(X, f64_rsub_mem) \
    SP_ADDR_MODES(X, f64_mul_mem) SP_ADDR_MODES(X, f64_div_mem) SP_ADDR_MODES(X, f64_rdiv_mem) \
    SP_ADDR_MODES(X, f64_add_prod_mem) SP_ADDR_MODES(X, f64_prod_add_mem) \
    X(f64_add_to_mem) X(f64_sub_to_mem) X(f64_rsub_to_mem) \
    X(f64_add_prod_to_mem) X(f64_sub_prod_to_mem)
#define SP_PROD_OPS(X) X(f64_add_prod) X(f64_prod_add) X(f64_sub_prod) X(f64_prod_sub)
#define SP_SHIFTED1(X, op) \
    X(i32_##op##_shl) X(i32_##op##_shr_s) X(i32_##op##_shr_u) X(i32_##op##_rotl) X(i32_##op##_rotr)
#define SP_SHIFTED_OPS(X) \
    SP_SHIFTED1(X, add) SP_SHIFTED1(X, sub) SP_SHIFTED1(X, and) SP_SHIFTED1(X, or) \
    SP_SHIFTED1(X, xor)

#define SP_OPS(X) \
    /* control */ \
    X(unreachable) X(br) X(br_back) X(br_if) X(br_if_eqz) X(br_table) \
    X(return0) X(return1) X(return_n) X(exit) X(call) X(call_local) X(call_indirect) \
    SP_BR_CMP_OPS(X, i32_) SP_BR_CMP_OPS(X, i64_) SP_BR_FCMP_OPS(X, f32_) SP_BR_FCMP_OPS(X, f64_) \
    SP_ADD_BR_OPS(X) X(br_i32_test) X(br_i32_test_imm) X(br_i32_ntest) X(br_i32_ntest_imm) \
    /* data movement */ \
    X(copy1) X(copy2) X(copy_n) X(copy1x2) X(const64) X(select) X(select2) \
    X(global_get) X(global_set) X(global_get2) X(global_set2) \
    X(ref_func) X(ref_is_null) \
    /* tables */ \
    X(table_get) X(table_set) X(table_size) X(table_grow) X(table_fill) \
    X(table_copy) X(table_init) X(elem_drop) \
    /* memory */ \
    X(memory_size) X(memory_grow) X(memory_init) X(data_drop) X(memory_copy) X(memory_fill) \
    SP_MEM_OPS(X) SP_FMEM_OPS(X) \
    /* numeric */ \
    SP_INT_OPS(X, i32_) SP_INT_OPS(X, i64_) SP_INT_IMM_OPS(X, i32_) SP_INT_IMM_OPS(X, i64_) \
    SP_SHIFTED_OPS(X) \
    SP_FLOAT_OPS(X, f32_) SP_FLOAT_OPS(X, f64_) \
    SP_FLOAT_IMM_OPS(X, f32_) SP_FLOAT_IMM_OPS(X, f64_) \
    SP_PROD_OPS(X) \
    X(i32_trunc_f32_s) X(i32_trunc_f32_u) X(i32_trunc_f64_s) X(i32_trunc_f64_u) \
    X(i64_trunc_f32_s) X(i64_trunc_f32_u) X(i64_trunc_f64_s) X(i64_trunc_f64_u) \
    X(i32_trunc_sat_f32_s) X(i32_trunc_sat_f32_u) X(i32_trunc_sat_f64_s) X(i32_trunc_sat_f64_u) \
    X(i64_trunc_sat_f32_s) X(i64_trunc_sat_f32_u) X(i64_trunc_sat_f64_s) X(i64_trunc_sat_f64_u) \
    X(i64_extend_i32_s) X(i64_extend_i32_u) \
    X(f32_convert_i32_s) X(f32_convert_i32_u) X(f32_convert_i64_s) X(f32_convert_i64_u) \
    X(f64_convert_i32_s) X(f64_convert_i32_u) X(f64_convert_i64_s) X(f64_convert_i64_u) \
    X(f32_demote_f64) X(f64_promote_f32) \
    X(extend8_s) X(extend16_s) \
    /* atomics (threads proposal) */ \
    SP_ATOMIC_WIDTH_OPS(X, 8) SP_ATOMIC_WIDTH_OPS(X, 16) \
    SP_ATOMIC_WIDTH_OPS(X, 32) SP_ATOMIC_WIDTH_OPS(X, 64) \
    X(atomic_wait32) X(atomic_wait64) X(atomic_notify) X(atomic_fence) \
    /* SIMD */ \
    SP_SIMD_OPS(X)

#define SP_OP_ENUM(name) IOP_##name,
typedef enum InternalOp { SP_OPS(SP_OP_ENUM) IOP_COUNT } InternalOp;
#undef SP_OP_ENUM

/* Address modes, added to the plain load/store op; + ADDR_IMM_VALUE for a
 * store of a constant. */
enum { ADDR_PLAIN = 0, ADDR_ADD = 1, ADDR_ADDI = 2, ADDR_IMM_VALUE = 3 };
enum { ADDR_ADDW = 3, ADDR_ADDIW = 4 }; /* loads only */
_Static_assert(IOP_load8_u_addiw == IOP_load8_u + ADDR_ADDIW, "address modes are consecutive");
_Static_assert(IOP_store64_imm_addi == IOP_store64 + ADDR_IMM_VALUE + ADDR_ADDI,
               "store modes are consecutive");
_Static_assert(IOP_f64_rdiv_mem_addi == IOP_f64_rdiv_mem + ADDR_ADDI,
               "address modes are consecutive");
_Static_assert(IOP_i32_rotr_imm == IOP_i32_shl_imm + 4 && IOP_i32_xor_rotr == IOP_i32_xor_shl + 4,
               "shift order");


/* The handler address of every internal op, indexed by InternalOp
 * (interp.c). The table is static and never changes. */
const void *const *interp_handler_table(void);

#endif
