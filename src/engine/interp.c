/*
 * interp.c - the interpreter tier: runs translated code (format: code.h)
 * with direct-threaded dispatch (`goto *ip->handler`); owns its per-thread
 * stacks (InterpStack, interp_stack.h: value stack and call records, reached
 * through ExecEnv.interp), its entry from the call path (interp_call, see
 * tier.h) and the backtraces of its frames. Stack checkpoints (saving and
 * putting back an activation's frames) are in interp_checkpoint.c; this
 * loop only publishes each host call's site and, on its trap path, resumes
 * a checkpoint that a host call armed (TRAP_RESUME).
 *
 * One dispatch function (interp_run) holds every handler, grouped per
 * opcode family by macros; the superinstructions of the translator's
 * peephole fusion (code.h, "Peephole") are included into it from
 * interp_fused.inc, the SIMD (v128) handlers from interp_simd.inc (lane
 * helpers: interp_simd.h). Its hot state lives
 * in locals: ip, fp, the current Func and Instance, and memory 0's base and
 * cached size.
 * wasm->wasm calls never recurse in C: a call pushes a CallFrame record into
 * the InterpStack and jumps to the callee's code. A callee that is a host
 * function, or whose code record has a compiled tier's entry (tier.h), is
 * called out of the loop like a host function. There is no allocation and
 * no lock in the loop. Traps are returned as values.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_simd.h"
#include "interp_stack.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "guest memory is little-endian");

#define DEFAULT_STACK_BYTES ((size_t)8 << 20)
#define DEFAULT_MAX_FRAMES 50000u

/* -------------------------------------------------------- numeric helpers */

static inline float interp_f32_min(float a, float b)
{
    if (a != a || b != b) return a + b;  /* a NaN operand: propagate (quieted) */
    if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
    return a < b ? a : b;
}

static inline float interp_f32_max(float a, float b)
{
    if (a != a || b != b) return a + b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a > b ? a : b;
}

static inline double interp_f64_min(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == 0.0 && b == 0.0) return signbit(a) ? a : b;
    return a < b ? a : b;
}

static inline double interp_f64_max(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a == 0.0 && b == 0.0) return signbit(a) ? b : a;
    return a > b ? a : b;
}

/* A product rounded to double on its own: the empty asm makes it opaque,
 * so the compiler cannot contract it with a following add into an FMA
 * (WebAssembly rounds after the multiply and after the add). */
static inline double interp_f64_product(double a, double b)
{
    double p = a * b;
#if defined(__x86_64__) || defined(__i386__)
    __asm__("" : "+x"(p));
#elif defined(__aarch64__)
    __asm__("" : "+w"(p));
#else
    __asm__ volatile("" : "+m"(p));
#endif
    return p;
}

/* libm's rounding functions may return a signalling NaN unchanged; the
 * spec wants an arithmetic (quiet) NaN. x + x quiets it. */
#define INTERP_QUIET(x, expr) ((x) != (x) ? (x) + (x) : (expr))

/* Trapping float->int truncation: x must lie strictly inside (lo, hi), the
 * nearest values that do not truncate into range. */
static inline TrapKind interp_trunc_check(double x, double lo, double hi)
{
    if (x != x) return TRAP_BAD_CONVERSION;
    if (!(x > lo && x < hi)) return TRAP_INT_OVERFLOW;
    return TRAP_NONE;
}

#define I32_LO -2147483649.0
#define I32_HI 2147483648.0
#define U32_LO -1.0
#define U32_HI 4294967296.0
#define I64_LO -9223372036854777856.0 /* the double below -2^63 */
#define I64_HI 9223372036854775808.0
#define U64_LO -1.0
#define U64_HI 18446744073709551616.0

static inline int32_t interp_sat_i32(double x)
{
    if (x != x) return 0;
    if (x <= I32_LO) return INT32_MIN;
    if (x >= I32_HI) return INT32_MAX;
    return (int32_t)x;
}

static inline uint32_t interp_sat_u32(double x)
{
    if (x != x || x <= U32_LO) return 0;
    if (x >= U32_HI) return UINT32_MAX;
    return (uint32_t)x;
}

static inline int64_t interp_sat_i64(double x)
{
    if (x != x) return 0;
    if (x <= I64_LO) return INT64_MIN;
    if (x >= I64_HI) return INT64_MAX;
    return (int64_t)x;
}

static inline uint64_t interp_sat_u64(double x)
{
    if (x != x || x <= U64_LO) return 0;
    if (x >= U64_HI) return UINT64_MAX;
    return (uint64_t)x;
}

/* Slow path of a bounds check: reloads the size (a shared memory may have
 * grown in another thread) and re-checks. */
static bool interp_mem_refresh(const Memory *mem, uint64_t end, uint64_t *cached)
{
    if (!mem) return false;
    *cached = memory_size_bytes(mem);
    return end <= *cached;
}

/* Zeroes the slots of a new frame that may be read before written (code.h,
 * "Entry zeroing"); usually a handful, often none. */
static inline void interp_zero_locals(const struct CompiledFunc *cf, Slot *fp)
{
    for (uint32_t i = 0; i < cf->zero_count; i++) fp[cf->zero_slots[i]].u64 = 0;
}

/* ---------------------------------------------------------------- traps */

/* See tier.h. */
uint32_t interp_code_offset(const struct CompiledFunc *cf, const CodeWord *at)
{
    if (!cf || !cf->map_len || at < cf->code) return 0;
    uint32_t pos = (uint32_t)(at - cf->code), lo = 0, hi = cf->map_len;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cf->map[mid].code <= pos) lo = mid;
        else hi = mid;
    }
    return cf->map[lo].byte;
}

/* Appends f, stopped at code word `at`, to env's backtrace. */
static void interp_bt_add(ExecEnv *env, const Func *f, const CodeWord *at)
{
    if (f) env_backtrace_add(env, f, f->code ? interp_code_offset(&f->code->interp, at) : 0);
}

/* Appends this activation's frames (innermost first) to env->backtrace:
 * an optional failing host function, the current function at ip, then
 * every caller down to (not including) the entry record. */
static void interp_record_trap(ExecEnv *env, TrapKind trap, const Func *host, const Func *func,
                               const CodeWord *ip, const CallFrame *frames, uint32_t depth,
                               uint32_t entry_depth)
{
    env->trap = trap;
    if (host) interp_bt_add(env, host, NULL);
    interp_bt_add(env, func, ip);
    for (uint32_t i = depth; i-- > entry_depth + 1;)
        interp_bt_add(env, frames[i].func, frames[i].ret_ip - 1);
}

/* The slow path of a safepoint whose flag is set: with the activation's
 * state published as for a host call (the hook may call into wasm, e.g. a
 * signal handler, on top of it), asks env's safepoint hook whether to go
 * on; without a hook the flag means stop (TRAP_INTERRUPTED). */
static __attribute__((noinline, cold)) TrapKind interp_safepoint(ExecEnv *env, Slot *top, uint32_t depth)
{
    if (!env->safepoint) return TRAP_INTERRUPTED;
    env->interp->stack_top = top;
    env->interp->frame_count = depth;
    uint32_t bt_len = env->backtrace_len;
    TrapKind k = env->safepoint(env);
    if (k == TRAP_NONE) env->backtrace_len = bt_len;
    return k;
}

/* -------------------------------------------------------- dispatch macros */

#define OPND(T) ((const T *)(const void *)ip)
#define DISPATCH() goto *ip->handler
#define NEXT(T) do { ip += OP_WORDS(T); DISPATCH(); } while (0)
#define JUMP(off) do { ip += (off); DISPATCH(); } while (0)
#define TRAP(k) do { trap = (k); goto on_trap; } while (0)
#define SAFEPOINT() \
    do { \
        if (SP_UNLIKELY(atomic_load_explicit(intr, memory_order_relaxed))) { \
            TrapKind sp_k = interp_safepoint(env, fp + func->code->interp.frame_slots, depth); \
            if (sp_k != TRAP_NONE) TRAP(sp_k); \
            if (mem0) mem_size = memory_size_bytes(mem0); \
        } \
    } while (0)
/* A taken branch: safepoint (covers loop back-edges), then jump. */
#define BRANCH(off) do { SAFEPOINT(); JUMP(off); } while (0)

/* Caches of the current instance: memory 0. */
#define LOAD_INSTANCE() \
    do { \
        mem0 = inst->module->num_memories ? inst->memories[0] : NULL; \
        mem_base = mem0 ? mem0->base : NULL; \
        mem_size = mem0 ? memory_size_bytes(mem0) : 0; \
    } while (0)

#define MEM_CHECK(ea, n) \
    do { \
        if (SP_UNLIKELY((ea) + (n) > mem_size) && !interp_mem_refresh(mem0, (ea) + (n), &mem_size)) \
            TRAP(TRAP_MEMORY_OOB); \
    } while (0)

/* ---- integer families.  X(name, U, S, F, BITS, expr over a, b) */

#define INT_IMM_OPS(X, p, U, S, F, BITS) \
    X(p##add, U, F, a + b) X(p##sub, U, F, a - b) X(p##mul, U, F, a * b) \
    X(p##and, U, F, a & b) X(p##or, U, F, a | b) X(p##xor, U, F, a ^ b) \
    X(p##shl, U, F, a << (b & (BITS - 1))) \
    X(p##shr_s, U, F, (U)((S)a >> (b & (BITS - 1)))) \
    X(p##shr_u, U, F, a >> (b & (BITS - 1))) \
    X(p##rotl, U, F, (a << (b & (BITS - 1))) | (a >> ((BITS - (b & (BITS - 1))) & (BITS - 1)))) \
    X(p##rotr, U, F, (a >> (b & (BITS - 1))) | (a << ((BITS - (b & (BITS - 1))) & (BITS - 1)))) \
    INT_CMP_OPS(X, p, U, S, F)

#define INT_CMP_OPS(X, p, U, S, F) \
    X(p##eq, U, F, a == b) X(p##ne, U, F, a != b) \
    X(p##lt_s, U, F, (S)a < (S)b) X(p##lt_u, U, F, a < b) \
    X(p##gt_s, U, F, (S)a > (S)b) X(p##gt_u, U, F, a > b) \
    X(p##le_s, U, F, (S)a <= (S)b) X(p##le_u, U, F, a <= b) \
    X(p##ge_s, U, F, (S)a >= (S)b) X(p##ge_u, U, F, a >= b)

/* d = a op b, and d = a op imm */
#define H_BIN(name, U, F, expr) \
    H_##name: { \
        const OpDAB *o = OPND(OpDAB); \
        U a = fp[o->a].F, b = fp[o->b].F; \
        fp[o->d].F = (U)(expr); \
        NEXT(OpDAB); \
    }
#define H_BIN_IMM(name, U, F, expr) \
    H_##name##_imm: { \
        const OpDAI *o = OPND(OpDAI); \
        U a = fp[o->a].F, b = (U)o->imm; \
        fp[o->d].F = (U)(expr); \
        NEXT(OpDAI); \
    }
/* fused compare + branch, register and immediate forms */
#define H_BR_CMP(name, U, F, expr) \
    H_br_##name: { \
        const OpBrCmp *o = OPND(OpBrCmp); \
        U a = fp[o->a].F, b = fp[o->b].F; \
        if (expr) BRANCH(o->off); \
        NEXT(OpBrCmp); \
    } \
    H_br_##name##_imm: { \
        const OpBrCmpI *o = OPND(OpBrCmpI); \
        U a = fp[o->a].F, b = (U)o->imm; \
        if (expr) BRANCH(o->off); \
        NEXT(OpBrCmpI); \
    }

#define H_UN(name, F_IN, T_IN, F_OUT, expr) \
    H_##name: { \
        const OpDA *o = OPND(OpDA); \
        T_IN a = fp[o->a].F_IN; \
        fp[o->d].F_OUT = (expr); \
        NEXT(OpDA); \
    }

#define H_DIVREM(p, U, S, F, MIN) \
    H_##p##div_s: { \
        const OpDAB *o = OPND(OpDAB); \
        S a = (S)fp[o->a].F, b = (S)fp[o->b].F; \
        if (SP_UNLIKELY(b == 0)) TRAP(TRAP_DIV_ZERO); \
        if (SP_UNLIKELY(a == MIN && b == -1)) TRAP(TRAP_INT_OVERFLOW); \
        fp[o->d].F = (U)(a / b); \
        NEXT(OpDAB); \
    } \
    H_##p##div_u: { \
        const OpDAB *o = OPND(OpDAB); \
        U a = fp[o->a].F, b = fp[o->b].F; \
        if (SP_UNLIKELY(b == 0)) TRAP(TRAP_DIV_ZERO); \
        fp[o->d].F = a / b; \
        NEXT(OpDAB); \
    } \
    H_##p##rem_s: { \
        const OpDAB *o = OPND(OpDAB); \
        S a = (S)fp[o->a].F, b = (S)fp[o->b].F; \
        if (SP_UNLIKELY(b == 0)) TRAP(TRAP_DIV_ZERO); \
        fp[o->d].F = b == -1 ? 0 : (U)(a % b); \
        NEXT(OpDAB); \
    } \
    H_##p##rem_u: { \
        const OpDAB *o = OPND(OpDAB); \
        U a = fp[o->a].F, b = fp[o->b].F; \
        if (SP_UNLIKELY(b == 0)) TRAP(TRAP_DIV_ZERO); \
        fp[o->d].F = a % b; \
        NEXT(OpDAB); \
    }

/* ---- float families */

#define FLOAT_BIN_OPS(X, p, T, F, MIN, MAX) \
    X(p##add, T, F, a + b) X(p##sub, T, F, a - b) X(p##mul, T, F, a * b) \
    X(p##div, T, F, a / b) X(p##min, T, F, MIN(a, b)) X(p##max, T, F, MAX(a, b))

/* d = a op imm (rsub, rdiv: imm op a); the imm holds the constant's bits */
#define H_FBIN_IMM(name, T, F, expr) \
    H_##name##_imm: { \
        const OpDAI *o = OPND(OpDAI); \
        Slot k_ = {.u64 = (uint64_t)o->imm}; \
        T a = fp[o->a].F, b = k_.F; \
        fp[o->d].F = (expr); \
        NEXT(OpDAI); \
    }
#define FLOAT_IMM_OPS(X, p, T, F) \
    X(p##add, T, F, a + b) X(p##sub, T, F, a - b) X(p##mul, T, F, a * b) \
    X(p##div, T, F, a / b) X(p##rsub, T, F, b - a) X(p##rdiv, T, F, b / a)
#define H_FCMP_IMM(name, T, F, expr) \
    H_##name##_imm: { \
        const OpDAI *o = OPND(OpDAI); \
        Slot k_ = {.u64 = (uint64_t)o->imm}; \
        T a = fp[o->a].F, b = k_.F; \
        fp[o->d].u32 = (expr); \
        NEXT(OpDAI); \
    }

#define H_FCMP(name, T, F, expr) \
    H_##name: { \
        const OpDAB *o = OPND(OpDAB); \
        T a = fp[o->a].F, b = fp[o->b].F; \
        fp[o->d].u32 = (expr); \
        NEXT(OpDAB); \
    }
#define FLOAT_CMP_OPS(X, p, T, F) \
    X(p##eq, T, F, a == b) X(p##ne, T, F, a != b) X(p##lt, T, F, a < b) \
    X(p##gt, T, F, a > b) X(p##le, T, F, a <= b) X(p##ge, T, F, a >= b)

/* sign-bit operations on the bit pattern (NaN payloads untouched) */
#define H_FBITS(p, U, F, SIGN) \
    H_##p##abs: { \
        const OpDA *o = OPND(OpDA); \
        fp[o->d].F = fp[o->a].F & ~(U)SIGN; \
        NEXT(OpDA); \
    } \
    H_##p##neg: { \
        const OpDA *o = OPND(OpDA); \
        fp[o->d].F = fp[o->a].F ^ (U)SIGN; \
        NEXT(OpDA); \
    } \
    H_##p##copysign: { \
        const OpDAB *o = OPND(OpDAB); \
        fp[o->d].F = (fp[o->a].F & ~(U)SIGN) | (fp[o->b].F & (U)SIGN); \
        NEXT(OpDAB); \
    }

/* trapping truncation: TO = target field, TC = target C type */
#define H_TRUNC(name, F_IN, TO, TC, LO, HI) \
    H_##name: { \
        const OpDA *o = OPND(OpDA); \
        double x = (double)fp[o->a].F_IN; \
        TrapKind k_ = interp_trunc_check(x, LO, HI); \
        if (SP_UNLIKELY(k_)) TRAP(k_); \
        fp[o->d].TO = (TC)x; \
        NEXT(OpDA); \
    }

/* ---- memory */

/* effective addresses of the three modes (code.h) */
#define EA_PLAIN(o) ((uint64_t)fp[(o)->a].u32 + (o)->offset)
#define EA_ADD(o) ((uint64_t)(uint32_t)(fp[(o)->a].u32 + fp[(o)->b].u32) + (o)->offset)
#define EA_ADDI(o) ((uint64_t)(uint32_t)(fp[(o)->a].u32 + (o)->b) + (o)->offset)

#define H_LOAD_EA(label, EA, T, F, CT) \
    H_##label: { \
        const OpLoad *o = OPND(OpLoad); \
        uint64_t ea = EA(o); \
        MEM_CHECK(ea, sizeof(T)); \
        T v; \
        memcpy(&v, mem_base + ea, sizeof v); \
        fp[o->d].F = (CT)v; \
        NEXT(OpLoad); \
    }
/* _addw/_addiw: the 32-bit sum also goes to slot w, before the access */
#define H_LOAD_W(label, B, T, F, CT) \
    H_##label: { \
        const OpLoadW *o = OPND(OpLoadW); \
        uint32_t sum = fp[o->a].u32 + (B); \
        fp[o->w].u32 = sum; \
        uint64_t ea = (uint64_t)sum + o->offset; \
        MEM_CHECK(ea, sizeof(T)); \
        T v; \
        memcpy(&v, mem_base + ea, sizeof v); \
        fp[o->d].F = (CT)v; \
        NEXT(OpLoadW); \
    }
#define H_LOAD(name, T, F, CT) \
    H_LOAD_EA(name, EA_PLAIN, T, F, CT) H_LOAD_EA(name##_add, EA_ADD, T, F, CT) \
    H_LOAD_EA(name##_addi, EA_ADDI, T, F, CT) H_LOAD_W(name##_addw, fp[o->b].u32, T, F, CT) \
    H_LOAD_W(name##_addiw, o->b, T, F, CT)

/* VALUE(o): the value to store, from a slot (OpStore) or the op (OpStoreI) */
#define STORE_SLOT(o, F) fp[(o)->v].F
#define STORE_IMM(o, F) (o)->imm
#define H_STORE_EA(label, Shape, EA, VALUE, T, F) \
    H_##label: { \
        const Shape *o = OPND(Shape); \
        uint64_t ea = EA(o); \
        MEM_CHECK(ea, sizeof(T)); \
        T v = (T)VALUE(o, F); \
        memcpy(mem_base + ea, &v, sizeof v); \
        NEXT(Shape); \
    }
#define H_STORE(name, T, F) \
    H_STORE_EA(name, OpStore, EA_PLAIN, STORE_SLOT, T, F) \
    H_STORE_EA(name##_add, OpStore, EA_ADD, STORE_SLOT, T, F) \
    H_STORE_EA(name##_addi, OpStore, EA_ADDI, STORE_SLOT, T, F) \
    H_STORE_EA(name##_imm, OpStoreI, EA_PLAIN, STORE_IMM, T, F) \
    H_STORE_EA(name##_imm_add, OpStoreI, EA_ADD, STORE_IMM, T, F) \
    H_STORE_EA(name##_imm_addi, OpStoreI, EA_ADDI, STORE_IMM, T, F)

/* ---- atomics: bounds first, then alignment (the spec's order) */

#define ATOMIC_ADDR(T) \
    const OpAtomic *o = OPND(OpAtomic); \
    uint64_t ea = (uint64_t)fp[o->a].u32 + o->offset; \
    MEM_CHECK(ea, sizeof(T)); \
    if (SP_UNLIKELY(ea & (sizeof(T) - 1))) TRAP(TRAP_UNALIGNED_ATOMIC); \
    T *p = (T *)(void *)(mem_base + ea)

#define H_ATOMIC_RMW(name, T, BUILTIN) \
    H_##name: { \
        ATOMIC_ADDR(T); \
        fp[o->d].u64 = BUILTIN(p, (T)fp[o->b].u64, __ATOMIC_SEQ_CST); \
        NEXT(OpAtomic); \
    }

#define H_ATOMIC_WIDTH(W, T) \
    H_atomic_load##W: { \
        ATOMIC_ADDR(T); \
        fp[o->d].u64 = __atomic_load_n(p, __ATOMIC_SEQ_CST); \
        NEXT(OpAtomic); \
    } \
    H_atomic_store##W: { \
        ATOMIC_ADDR(T); \
        __atomic_store_n(p, (T)fp[o->b].u64, __ATOMIC_SEQ_CST); \
        NEXT(OpAtomic); \
    } \
    H_ATOMIC_RMW(atomic_add##W, T, __atomic_fetch_add) \
    H_ATOMIC_RMW(atomic_sub##W, T, __atomic_fetch_sub) \
    H_ATOMIC_RMW(atomic_and##W, T, __atomic_fetch_and) \
    H_ATOMIC_RMW(atomic_or##W, T, __atomic_fetch_or) \
    H_ATOMIC_RMW(atomic_xor##W, T, __atomic_fetch_xor) \
    H_ATOMIC_RMW(atomic_xchg##W, T, __atomic_exchange_n) \
    H_atomic_cmpxchg##W: { \
        ATOMIC_ADDR(T); \
        T expected = (T)fp[o->b].u64; \
        __atomic_compare_exchange_n(p, &expected, (T)fp[o->c].u64, false, __ATOMIC_SEQ_CST, \
                                    __ATOMIC_SEQ_CST); \
        fp[o->d].u64 = expected; \
        NEXT(OpAtomic); \
    }

#define LABEL_ADDR(name) [IOP_##name] = &&H_##name,

/*
 * Runs `entry` (a wasm function whose arguments are at fp[0..)) until it
 * returns or traps. The caller (interp_invoke) has checked that the entry
 * frame and one call record fit. With labels_out set, only reports the
 * handler table and returns.
 */
static TrapKind interp_run(ExecEnv *env, Func *entry, Slot *fp, const void *const **labels_out)
{
    static const void *const labels[IOP_COUNT] = {SP_OPS(LABEL_ADDR)};
    if (labels_out) {
        *labels_out = labels;
        return TRAP_NONE;
    }
    static const CodeWord exit_code[1] = {{.handler = &&H_exit}};

    InterpStack *const is = env->interp;
    CallFrame *const frames = is->frames;
    const uint32_t max_frames = is->max_frames;
    const uint32_t entry_depth = is->frame_count;
    Slot *const stack_end = is->stack_end;
    const atomic_int *const intr = env->interrupt;
    uint32_t depth = entry_depth;
    Func *func = entry, *callee = NULL;
    Instance *inst = entry->inst;
    Memory *mem0;
    uint8_t *mem_base;
    uint64_t mem_size;
    const CodeWord *ip, *ret = NULL;
    Slot *nfp = NULL;
    TrapKind trap = TRAP_NONE;
    const Func *failed_host = NULL;
    uint32_t host_bt_len = 0;

    frames[depth++] = (CallFrame){exit_code, fp, entry};
    interp_zero_locals(&entry->code->interp, fp);
    ip = entry->code->interp.code;
    LOAD_INSTANCE();
    DISPATCH();

    /* ------------------------------------------------------------ control */
H_unreachable:
    TRAP(TRAP_UNREACHABLE);
H_br:
    JUMP(OPND(OpBr)->off);
H_br_back:
    BRANCH(OPND(OpBr)->off);
H_br_if: {
    const OpBrIf *o = OPND(OpBrIf);
    if (fp[o->c].u32) BRANCH(o->off);
    NEXT(OpBrIf);
}
H_br_if_eqz: {
    const OpBrIf *o = OPND(OpBrIf);
    if (!fp[o->c].u32) BRANCH(o->off);
    NEXT(OpBrIf);
}
H_br_table: {
    const OpBrTable *o = OPND(OpBrTable);
    uint32_t i = fp[o->index].u32;
    if (i > o->count) i = o->count;
    BRANCH(o->off[i]);
}
    INT_CMP_OPS(H_BR_CMP, i32_, uint32_t, int32_t, u32)
    INT_CMP_OPS(H_BR_CMP, i64_, uint64_t, int64_t, u64)

H_return1:
    fp[0] = fp[OPND(OpRet)->a];
    goto do_return;
H_return_n: {
    const OpRet *o = OPND(OpRet);
    for (uint32_t i = 0; i < o->n; i++) fp[i] = fp[o->a + i];
    goto do_return;
}
H_return0:
do_return: {
    const CallFrame *fr = &frames[--depth];
    ip = fr->ret_ip;
    fp = fr->fp;
    func = fr->func;
    if (SP_UNLIKELY(func->inst != inst)) {
        inst = func->inst;
        LOAD_INSTANCE();
    }
    DISPATCH();
}
H_exit:
    is->frame_count = depth;
    return TRAP_NONE;

/* Enters wasm function `callee` (compiled code cf) with its frame at nfp,
 * returning to `ret`: checks the depth and stack limits, pushes the
 * caller's frame, zeroes the locals that need it, jumps to its code. */
#define ENTER_FRAME(cf) \
    do { \
        if (SP_UNLIKELY(depth >= max_frames || nfp + (cf)->frame_slots > stack_end)) \
            TRAP(TRAP_STACK_EXHAUSTED); \
        frames[depth++] = (CallFrame){ret, fp, func}; \
        fp = nfp; \
        func = callee; \
        interp_zero_locals((cf), fp); \
        ip = (cf)->code; \
    } while (0)
H_call: {
    const OpCall *o = OPND(OpCall);
    callee = inst->funcs[o->func];
    nfp = fp + o->base;
    ret = ip + OP_WORDS(OpCall);
    goto do_call;
}
H_call_local: {
    /* a defined function of this instance: no instance switch */
    const OpCall *o = OPND(OpCall);
    callee = inst->funcs[o->func];
    const struct FuncCode *fc = callee->code;
    nfp = fp + o->base;
    ret = ip + OP_WORDS(OpCall);
    SAFEPOINT();
    if (SP_UNLIKELY(!fc || func_code_native(fc))) goto do_outside_call;
    ENTER_FRAME(&fc->interp);
    DISPATCH();
}
H_call_indirect: {
    const OpCallIndirect *o = OPND(OpCallIndirect);
    const Table *t = inst->tables[o->table];
    uint32_t i = fp[o->index].u32;
    if (SP_UNLIKELY(i >= t->size)) TRAP(TRAP_UNDEFINED_ELEMENT);
    callee = t->elems[i];
    if (SP_UNLIKELY(!callee)) TRAP(TRAP_UNINIT_ELEMENT);
    if (SP_UNLIKELY(!func_type_matches(callee->type, &inst->module->types[o->type])))
        TRAP(TRAP_INDIRECT_MISMATCH);
    nfp = fp + o->base;
    ret = ip + OP_WORDS(OpCallIndirect);
    goto do_call;
}
do_call: {
    SAFEPOINT();
    const struct FuncCode *fc = callee->code;
    if (!fc || func_code_native(fc)) goto do_outside_call;
    ENTER_FRAME(&fc->interp);
    if (SP_UNLIKELY(callee->inst != inst)) {
        inst = callee->inst;
        LOAD_INSTANCE();
    }
    DISPATCH();
}
do_outside_call: {
    /* a host function, or code of another tier: called with the io
     * convention on the argument slots, this activation's state published */
    is->stack_top = fp + func->code->interp.frame_slots;
    is->frame_count = depth;
    host_bt_len = env->backtrace_len;
    TrapKind k;
    if (callee->code) {
        env->call_depth++;
        k = func_code_native(callee->code)(env, callee, nfp);
        env->call_depth--;
        if (SP_UNLIKELY(k != TRAP_NONE)) TRAP(k);   /* the tier recorded its frames */
    } else {
        if (SP_UNLIKELY(!callee->host)) TRAP(TRAP_HOST);
        is->site = (HostSite){ret, fp, func, nfp, env->call_depth + 1};
        k = callee->host(env, inst, callee->host_ctx, nfp);
        is->site.depth_mark = 0;
        if (SP_UNLIKELY(k != TRAP_NONE)) {
            failed_host = callee;
            TRAP(k);
        }
    }
    env->backtrace_len = host_bt_len; /* drop frames of traps the host handled */
    if (mem0) mem_size = memory_size_bytes(mem0);
    ip = ret;
    DISPATCH();
}

    /* ------------------------------------------------------ data movement */
H_copy1: {
    const OpDA *o = OPND(OpDA);
    fp[o->d] = fp[o->a];
    NEXT(OpDA);
}
H_copy2: {
    const OpDA *o = OPND(OpDA);
    Slot lo = fp[o->a], hi = fp[o->a + 1];
    fp[o->d] = lo;
    fp[o->d + 1] = hi;
    NEXT(OpDA);
}
H_copy_n: {
    const OpCopyN *o = OPND(OpCopyN);
    for (uint32_t i = 0; i < o->n; i++) fp[o->d + i] = fp[o->a + i];
    NEXT(OpCopyN);
}
H_const64: {
    const OpConst *o = OPND(OpConst);
    fp[o->d].u64 = o->bits;
    NEXT(OpConst);
}
H_select: {
    const OpSelect *o = OPND(OpSelect);
    fp[o->d] = fp[o->c].u32 ? fp[o->a] : fp[o->b];
    NEXT(OpSelect);
}
H_select2: {
    const OpSelect *o = OPND(OpSelect);
    uint32_t s = fp[o->c].u32 ? o->a : o->b;
    Slot lo = fp[s], hi = fp[s + 1];
    fp[o->d] = lo;
    fp[o->d + 1] = hi;
    NEXT(OpSelect);
}
H_global_get: {
    const OpIndex *o = OPND(OpIndex);
    fp[o->slot] = inst->globals[o->index]->value[0];
    NEXT(OpIndex);
}
H_global_set: {
    const OpIndex *o = OPND(OpIndex);
    inst->globals[o->index]->value[0] = fp[o->slot];
    NEXT(OpIndex);
}
H_global_get2: {
    const OpIndex *o = OPND(OpIndex);
    const Global *g = inst->globals[o->index];
    fp[o->slot] = g->value[0];
    fp[o->slot + 1] = g->value[1];
    NEXT(OpIndex);
}
H_global_set2: {
    const OpIndex *o = OPND(OpIndex);
    Global *g = inst->globals[o->index];
    g->value[0] = fp[o->slot];
    g->value[1] = fp[o->slot + 1];
    NEXT(OpIndex);
}
H_ref_func: {
    const OpIndex *o = OPND(OpIndex);
    fp[o->slot].ref = inst->funcs[o->index];
    NEXT(OpIndex);
}
H_ref_is_null: {
    const OpDA *o = OPND(OpDA);
    fp[o->d].u64 = fp[o->a].ref == NULL;
    NEXT(OpDA);
}

    /* ------------------------------------------------------------- tables */
H_table_get: {
    const OpTable *o = OPND(OpTable);
    const Table *t = inst->tables[o->table];
    uint32_t i = fp[o->index].u32;
    if (SP_UNLIKELY(i >= t->size)) TRAP(TRAP_TABLE_OOB);
    fp[o->value].ref = t->elems[i];
    NEXT(OpTable);
}
H_table_set: {
    const OpTable *o = OPND(OpTable);
    Table *t = inst->tables[o->table];
    uint32_t i = fp[o->index].u32;
    if (SP_UNLIKELY(i >= t->size)) TRAP(TRAP_TABLE_OOB);
    t->elems[i] = fp[o->value].ref;
    NEXT(OpTable);
}
H_table_size: {
    const OpIndex *o = OPND(OpIndex);
    fp[o->slot].u64 = inst->tables[o->index]->size;
    NEXT(OpIndex);
}
H_table_grow: {
    const OpBulk *o = OPND(OpBulk);
    int64_t old = table_grow(inst->tables[o->x], fp[o->n].u32, fp[o->s].ref);
    fp[o->d].u64 = (uint32_t)old;
    NEXT(OpBulk);
}
H_table_fill: {
    const OpBulk *o = OPND(OpBulk);
    Table *t = inst->tables[o->x];
    uint32_t i = fp[o->d].u32, n = fp[o->n].u32;
    void *v = fp[o->s].ref;
    if (SP_UNLIKELY((uint64_t)i + n > t->size)) TRAP(TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
    NEXT(OpBulk);
}
H_table_copy: {
    const OpBulk *o = OPND(OpBulk);
    Table *dt = inst->tables[o->x], *st = inst->tables[o->y];
    uint32_t d = fp[o->d].u32, s = fp[o->s].u32, n = fp[o->n].u32;
    if (SP_UNLIKELY((uint64_t)d + n > dt->size || (uint64_t)s + n > st->size))
        TRAP(TRAP_TABLE_OOB);
    if (n) memmove(&dt->elems[d], &st->elems[s], (size_t)n * sizeof(void *));
    NEXT(OpBulk);
}
H_table_init: {
    const OpBulk *o = OPND(OpBulk);
    TrapKind k = instance_table_init(inst, o->x, o->y, fp[o->d].u32, fp[o->s].u32, fp[o->n].u32);
    if (SP_UNLIKELY(k)) TRAP(k);
    NEXT(OpBulk);
}
H_elem_drop:
    instance_elem_drop(inst, OPND(OpIndex)->index);
    NEXT(OpIndex);

    /* ------------------------------------------------------------- memory */
H_memory_size: {
    const OpIndex *o = OPND(OpIndex);
    mem_size = memory_size_bytes(mem0);
    fp[o->slot].u64 = mem_size / WASM_PAGE_SIZE;
    NEXT(OpIndex);
}
H_memory_grow: {
    const OpDA *o = OPND(OpDA);
    int64_t old = memory_grow(mem0, fp[o->a].u32);
    mem_size = memory_size_bytes(mem0);
    fp[o->d].u64 = (uint32_t)old;
    NEXT(OpDA);
}
H_memory_init: {
    const OpBulk *o = OPND(OpBulk);
    TrapKind k = instance_memory_init(inst, 0, o->x, fp[o->d].u32, fp[o->s].u32, fp[o->n].u32);
    if (SP_UNLIKELY(k)) TRAP(k);
    NEXT(OpBulk);
}
H_data_drop:
    instance_data_drop(inst, OPND(OpIndex)->index);
    NEXT(OpIndex);
H_memory_copy: {
    const OpBulk *o = OPND(OpBulk);
    uint64_t d = fp[o->d].u32, s = fp[o->s].u32, n = fp[o->n].u32;
    MEM_CHECK(d, n);
    MEM_CHECK(s, n);
    if (n) memmove(mem_base + d, mem_base + s, n);
    NEXT(OpBulk);
}
H_memory_fill: {
    const OpBulk *o = OPND(OpBulk);
    uint64_t d = fp[o->d].u32, n = fp[o->n].u32;
    MEM_CHECK(d, n);
    if (n) memset(mem_base + d, (int)(uint8_t)fp[o->s].u32, n);
    NEXT(OpBulk);
}
    H_LOAD(load8_s, int8_t, i64, int64_t)
    H_LOAD(load8_u, uint8_t, u64, uint64_t)
    H_LOAD(load16_s, int16_t, i64, int64_t)
    H_LOAD(load16_u, uint16_t, u64, uint64_t)
    H_LOAD(load32_s, int32_t, i64, int64_t)
    H_LOAD(load32_u, uint32_t, u64, uint64_t)
    H_LOAD(load64, uint64_t, u64, uint64_t)
    H_STORE(store8, uint8_t, u32)
    H_STORE(store16, uint16_t, u32)
    H_STORE(store32, uint32_t, u32)
    H_STORE(store64, uint64_t, u64)

    /* ------------------------------------------------------------ integer */
    INT_IMM_OPS(H_BIN, i32_, uint32_t, int32_t, u32, 32)
    INT_IMM_OPS(H_BIN_IMM, i32_, uint32_t, int32_t, u32, 32)
    INT_IMM_OPS(H_BIN, i64_, uint64_t, int64_t, u64, 64)
    INT_IMM_OPS(H_BIN_IMM, i64_, uint64_t, int64_t, u64, 64)
    H_BIN_IMM(i32_rsub, uint32_t, u32, b - a)
    H_BIN_IMM(i64_rsub, uint64_t, u64, b - a)
    H_DIVREM(i32_, uint32_t, int32_t, u32, INT32_MIN)
    H_DIVREM(i64_, uint64_t, int64_t, u64, INT64_MIN)
    H_UN(i32_eqz, u32, uint32_t, u64, a == 0)
    H_UN(i64_eqz, u64, uint64_t, u64, a == 0)
    H_UN(i32_clz, u32, uint32_t, u64, a ? (uint32_t)__builtin_clz(a) : 32)
    H_UN(i32_ctz, u32, uint32_t, u64, a ? (uint32_t)__builtin_ctz(a) : 32)
    H_UN(i32_popcnt, u32, uint32_t, u64, (uint32_t)__builtin_popcount(a))
    H_UN(i64_clz, u64, uint64_t, u64, a ? (uint64_t)__builtin_clzll(a) : 64)
    H_UN(i64_ctz, u64, uint64_t, u64, a ? (uint64_t)__builtin_ctzll(a) : 64)
    H_UN(i64_popcnt, u64, uint64_t, u64, (uint64_t)__builtin_popcountll(a))
    H_UN(extend8_s, u32, uint32_t, i64, (int64_t)(int8_t)(uint8_t)a)
    H_UN(extend16_s, u32, uint32_t, i64, (int64_t)(int16_t)(uint16_t)a)
    H_UN(i64_extend_i32_s, u32, uint32_t, i64, (int64_t)(int32_t)a)
    H_UN(i64_extend_i32_u, u32, uint32_t, u64, (uint64_t)a)

    /* -------------------------------------------------------------- float */
    FLOAT_BIN_OPS(H_BIN, f32_, float, f32, interp_f32_min, interp_f32_max)
    FLOAT_BIN_OPS(H_BIN, f64_, double, f64, interp_f64_min, interp_f64_max)
    FLOAT_CMP_OPS(H_FCMP, f32_, float, f32)
    FLOAT_CMP_OPS(H_FCMP, f64_, double, f64)
    FLOAT_IMM_OPS(H_FBIN_IMM, f32_, float, f32)
    FLOAT_IMM_OPS(H_FBIN_IMM, f64_, double, f64)
    FLOAT_CMP_OPS(H_FCMP_IMM, f32_, float, f32)
    FLOAT_CMP_OPS(H_FCMP_IMM, f64_, double, f64)
    H_FBITS(f32_, uint32_t, u32, 0x80000000u)
    H_FBITS(f64_, uint64_t, u64, 0x8000000000000000ull)
    H_UN(f32_ceil, f32, float, f32, INTERP_QUIET(a, ceilf(a)))
    H_UN(f32_floor, f32, float, f32, INTERP_QUIET(a, floorf(a)))
    H_UN(f32_trunc, f32, float, f32, INTERP_QUIET(a, truncf(a)))
    H_UN(f32_nearest, f32, float, f32, INTERP_QUIET(a, nearbyintf(a)))
    H_UN(f32_sqrt, f32, float, f32, sqrtf(a))
    H_UN(f64_ceil, f64, double, f64, INTERP_QUIET(a, ceil(a)))
    H_UN(f64_floor, f64, double, f64, INTERP_QUIET(a, floor(a)))
    H_UN(f64_trunc, f64, double, f64, INTERP_QUIET(a, trunc(a)))
    H_UN(f64_nearest, f64, double, f64, INTERP_QUIET(a, nearbyint(a)))
    H_UN(f64_sqrt, f64, double, f64, sqrt(a))

    /* -------------------------------------------------------- conversions */
    H_TRUNC(i32_trunc_f32_s, f32, i32, int32_t, I32_LO, I32_HI)
    H_TRUNC(i32_trunc_f32_u, f32, u32, uint32_t, U32_LO, U32_HI)
    H_TRUNC(i32_trunc_f64_s, f64, i32, int32_t, I32_LO, I32_HI)
    H_TRUNC(i32_trunc_f64_u, f64, u32, uint32_t, U32_LO, U32_HI)
    H_TRUNC(i64_trunc_f32_s, f32, i64, int64_t, I64_LO, I64_HI)
    H_TRUNC(i64_trunc_f32_u, f32, u64, uint64_t, U64_LO, U64_HI)
    H_TRUNC(i64_trunc_f64_s, f64, i64, int64_t, I64_LO, I64_HI)
    H_TRUNC(i64_trunc_f64_u, f64, u64, uint64_t, U64_LO, U64_HI)
    H_UN(i32_trunc_sat_f32_s, f32, float, u64, (uint32_t)interp_sat_i32(a))
    H_UN(i32_trunc_sat_f32_u, f32, float, u64, interp_sat_u32(a))
    H_UN(i32_trunc_sat_f64_s, f64, double, u64, (uint32_t)interp_sat_i32(a))
    H_UN(i32_trunc_sat_f64_u, f64, double, u64, interp_sat_u32(a))
    H_UN(i64_trunc_sat_f32_s, f32, float, i64, interp_sat_i64(a))
    H_UN(i64_trunc_sat_f32_u, f32, float, u64, interp_sat_u64(a))
    H_UN(i64_trunc_sat_f64_s, f64, double, i64, interp_sat_i64(a))
    H_UN(i64_trunc_sat_f64_u, f64, double, u64, interp_sat_u64(a))
    H_UN(f32_convert_i32_s, u32, uint32_t, f32, (float)(int32_t)a)
    H_UN(f32_convert_i32_u, u32, uint32_t, f32, (float)a)
    H_UN(f32_convert_i64_s, u64, uint64_t, f32, (float)(int64_t)a)
    H_UN(f32_convert_i64_u, u64, uint64_t, f32, (float)a)
    H_UN(f64_convert_i32_s, u32, uint32_t, f64, (double)(int32_t)a)
    H_UN(f64_convert_i32_u, u32, uint32_t, f64, (double)a)
    H_UN(f64_convert_i64_s, u64, uint64_t, f64, (double)(int64_t)a)
    H_UN(f64_convert_i64_u, u64, uint64_t, f64, (double)a)
    H_UN(f32_demote_f64, f64, double, f32, (float)a)
    H_UN(f64_promote_f32, f32, float, f64, (double)a)

    /* ------------------------------------------------------------ atomics */
    H_ATOMIC_WIDTH(8, uint8_t)
    H_ATOMIC_WIDTH(16, uint16_t)
    H_ATOMIC_WIDTH(32, uint32_t)
    H_ATOMIC_WIDTH(64, uint64_t)
H_atomic_wait32: {
    ATOMIC_ADDR(uint32_t);
    if (SP_UNLIKELY(!mem0->shared)) TRAP(TRAP_NOT_SHARED);
    int r = park_wait32(env, p, fp[o->b].u32, fp[o->c].i64);
    if (SP_UNLIKELY(r == 3)) {   /* the safepoint's reason; then the wait again */
        SAFEPOINT();
        DISPATCH();
    }
    fp[o->d].u64 = (uint32_t)r;
    NEXT(OpAtomic);
}
H_atomic_wait64: {
    ATOMIC_ADDR(uint64_t);
    if (SP_UNLIKELY(!mem0->shared)) TRAP(TRAP_NOT_SHARED);
    int r = park_wait64(env, p, fp[o->b].u64, fp[o->c].i64);
    if (SP_UNLIKELY(r == 3)) {   /* the safepoint's reason; then the wait again */
        SAFEPOINT();
        DISPATCH();
    }
    fp[o->d].u64 = (uint32_t)r;
    NEXT(OpAtomic);
}
H_atomic_notify: {
    ATOMIC_ADDR(uint32_t);
    fp[o->d].u64 = mem0->shared ? park_notify(p, fp[o->b].u32) : 0;
    NEXT(OpAtomic);
}
H_atomic_fence:
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    NEXT(OpNone);

    /* ---------------------------------- superinstructions (code.h, "Peephole") */
#include "interp_fused.inc"

    /* --------------------------------------------------- SIMD (v128) */
#include "interp_simd.inc"

on_trap:
    if (SP_UNLIKELY(trap == TRAP_RESUME) && is->resume) {
        /* a host call armed a checkpoint of this activation: continue there */
        InterpResumePoint at;
        interp_checkpoint_apply(env, &at);
        ip = at.ip;
        fp = at.fp;
        func = at.func;
        depth = at.depth;
        inst = func->inst;
        failed_host = NULL;
        trap = TRAP_NONE;
        env->trap = TRAP_NONE;
        env->backtrace_len = host_bt_len;
        LOAD_INSTANCE();
        DISPATCH();
    }
    interp_record_trap(env, trap, failed_host, func, ip, frames, depth, entry_depth);
    is->frame_count = entry_depth;
    return trap;
}

const void *const *interp_handler_table(void)
{
    const void *const *labels = NULL;
    interp_run(NULL, NULL, NULL, &labels);
    return labels;
}

/* ------------------------------------------------------------ entry */

struct InterpStack *interp_stack_new(size_t stack_bytes, uint32_t max_frames)
{
    if (stack_bytes == 0) stack_bytes = DEFAULT_STACK_BYTES;
    if (max_frames == 0) max_frames = DEFAULT_MAX_FRAMES;
    size_t nslots = stack_bytes / sizeof(Slot);
    if (nslots < 16) nslots = 16;
    InterpStack *is = calloc(1, sizeof *is);
    if (!is) return NULL;
    is->stack = malloc(nslots * sizeof(Slot));
    is->frames = malloc((size_t)max_frames * sizeof(CallFrame));
    if (!is->stack || !is->frames) {
        interp_stack_free(is);
        return NULL;
    }
    is->stack_end = is->stack + nslots;
    is->stack_top = is->stack;
    is->max_frames = max_frames;
    return is;
}

void interp_stack_free(InterpStack *is)
{
    if (!is) return;
    interp_checkpoints_free(is);
    free(is->stack);
    free(is->frames);
    free(is);
}

bool interp_stack_idle(const ExecEnv *env)
{
    return env->interp->frame_count == 0 && env->interp->stack_top == env->interp->stack;
}

/* See tier.h: runs f with its arguments copied from io into a fresh frame
 * at the stack's top (its bottom when no interpreter frame is live), as a
 * new activation (interp_stack.h) whose checkpoints end with it; copies the
 * results back. */
TrapKind interp_call(ExecEnv *env, Func *f, Slot *io)
{
    InterpStack *is = env->interp;
    const struct CompiledFunc *cf = &f->code->interp;
    if (is->frame_count == 0) is->stack_top = is->stack;
    Slot *saved_top = is->stack_top;
    uint32_t saved_depth = is->frame_count;
    Slot *fp = saved_top;
    if (saved_depth + 1 >= is->max_frames || fp + cf->frame_slots > is->stack_end) {
        env->trap = TRAP_STACK_EXHAUSTED;
        interp_bt_add(env, f, NULL);
        return TRAP_STACK_EXHAUSTED;
    }
    memcpy(fp, io, (size_t)cf->param_slots * sizeof(Slot));
    HostSite outer_site = is->site;
    Activation outer = is->activation;
    is->activation = (Activation){++is->last_activation_id, fp, saved_depth};
    is->site.depth_mark = 0;
    TrapKind k = interp_run(env, f, fp, NULL);
    if (k == TRAP_NONE) memcpy(io, fp, (size_t)cf->result_slots * sizeof(Slot));
    if (SP_UNLIKELY(is->checkpoint_count)) interp_checkpoints_drop_activation(is, is->activation.id);
    is->resume = NULL;
    is->activation = outer;
    is->site = outer_site;
    is->stack_top = saved_top;
    is->frame_count = saved_depth;
    return k;
}
