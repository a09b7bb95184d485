/*
 * compile_fuse.c - the translator's peephole fusion (code.h, "Peephole"):
 * the tables of fused forms, and the functions that turn an instruction
 * just emitted plus its consumer into one instruction. compile.c (branches,
 * moves) and compile_ops.c (numeric ops, loads, stores) call them at the
 * moment they would emit the consumer; everything is decided from what the
 * Compiler remembers of the last instructions (C->last, C->emit, C->prev),
 * in the same single pass. A module loaded with LoadOptions.no_fusion
 * gets none of it: every entry point then declines (cfuse_enabled).
 */
#include <string.h>

#include "compile_internal.h"

bool cfuse_enabled(const Compiler *C)
{
    return !C->m->no_fusion;
}

/* ------------------------------------------------------- constant operands */

/* Constant operands (code.h, "Peephole"): imm_right[op] computes
 * op(x, c) with c in the instruction, imm_left[op] computes op(c, x):
 * the same op for commutative ones, the mirrored compare (c < x is
 * x > c, for floats too), rsub/rdiv for sub/div. 0 = no such form. */
#define IMM_R(p, n) [IOP_##p##n] = IOP_##p##n##_imm,
#define IMM_R_CMP(p, s, u) \
    IMM_R(p, eq) IMM_R(p, ne) IMM_R(p, lt##s) IMM_R(p, gt##s) IMM_R(p, le##s) IMM_R(p, ge##s) \
    IMM_R(p, lt##u) IMM_R(p, gt##u) IMM_R(p, le##u) IMM_R(p, ge##u)
#define INT_IMM_R(p) \
    IMM_R(p, add) IMM_R(p, sub) IMM_R(p, mul) IMM_R(p, and) IMM_R(p, or) IMM_R(p, xor) \
    IMM_R(p, shl) IMM_R(p, shr_s) IMM_R(p, shr_u) IMM_R(p, rotl) IMM_R(p, rotr) \
    IMM_R_CMP(p, _s, _u)
#define FLOAT_IMM_R(p) \
    IMM_R(p, add) IMM_R(p, sub) IMM_R(p, mul) IMM_R(p, div) \
    IMM_R(p, eq) IMM_R(p, ne) IMM_R(p, lt) IMM_R(p, gt) IMM_R(p, le) IMM_R(p, ge)
static const uint16_t imm_right[IOP_COUNT] = {
    INT_IMM_R(i32_) INT_IMM_R(i64_) FLOAT_IMM_R(f32_) FLOAT_IMM_R(f64_)};

#define IMM_L(p, n, m) [IOP_##p##n] = IOP_##p##m##_imm,
#define INT_IMM_L(p) \
    IMM_L(p, add, add) IMM_L(p, mul, mul) IMM_L(p, and, and) IMM_L(p, or, or) \
    IMM_L(p, xor, xor) IMM_L(p, sub, rsub) IMM_L(p, eq, eq) IMM_L(p, ne, ne) \
    IMM_L(p, lt_s, gt_s) IMM_L(p, gt_s, lt_s) IMM_L(p, lt_u, gt_u) IMM_L(p, gt_u, lt_u) \
    IMM_L(p, le_s, ge_s) IMM_L(p, ge_s, le_s) IMM_L(p, le_u, ge_u) IMM_L(p, ge_u, le_u)
#define FLOAT_IMM_L(p) \
    IMM_L(p, add, add) IMM_L(p, mul, mul) IMM_L(p, sub, rsub) IMM_L(p, div, rdiv) \
    IMM_L(p, eq, eq) IMM_L(p, ne, ne) IMM_L(p, lt, gt) IMM_L(p, gt, lt) IMM_L(p, le, ge) \
    IMM_L(p, ge, le)
static const uint16_t imm_left[IOP_COUNT] = {
    INT_IMM_L(i32_) INT_IMM_L(i64_) FLOAT_IMM_L(f32_) FLOAT_IMM_L(f64_)};

/* The ops of shape OpDAI. */
#define IS_IMM(n) [IOP_##n] = true,
static const bool is_imm_form[IOP_COUNT] = {
    SP_INT_IMM_OPS(IS_IMM, i32_) SP_INT_IMM_OPS(IS_IMM, i64_)
    SP_FLOAT_IMM_OPS(IS_IMM, f32_) SP_FLOAT_IMM_OPS(IS_IMM, f64_)};

static bool cfuse_is_imm_form(InternalOp op)
{
    return (unsigned)op < IOP_COUNT && is_imm_form[op];
}

InternalOp cfuse_imm_form(const Compiler *C, InternalOp op, bool left)
{
    if (!cfuse_enabled(C)) return IOP_COUNT;
    uint16_t f = (unsigned)op < IOP_COUNT ? (left ? imm_left : imm_right)[op] : 0;
    return f ? (InternalOp)f : IOP_COUNT;
}

/* --------------------------------------------------------- compare + branch */

/* Compare -> {branch if true, branch if false}. */
#define FUSE1(p, c, nc) \
    [IOP_##p##c] = {IOP_br_##p##c, IOP_br_##p##nc}, \
    [IOP_##p##c##_imm] = {IOP_br_##p##c##_imm, IOP_br_##p##nc##_imm},
#define FUSES(p) \
    FUSE1(p, eq, ne) FUSE1(p, ne, eq) FUSE1(p, lt_s, ge_s) FUSE1(p, lt_u, ge_u) \
    FUSE1(p, gt_s, le_s) FUSE1(p, gt_u, le_u) FUSE1(p, le_s, gt_s) FUSE1(p, le_u, gt_u) \
    FUSE1(p, ge_s, lt_s) FUSE1(p, ge_u, lt_u)
#define FFUSE1(p, c) \
    [IOP_##p##c] = {IOP_br_##p##c, IOP_brn_##p##c}, \
    [IOP_##p##c##_imm] = {IOP_br_##p##c##_imm, IOP_brn_##p##c##_imm},
#define FFUSES(p) \
    FFUSE1(p, eq) FFUSE1(p, ne) FFUSE1(p, lt) FFUSE1(p, gt) FFUSE1(p, le) FFUSE1(p, ge)
static const uint16_t fused_form[IOP_COUNT][2] = {
    FUSES(i32_) FUSES(i64_) FFUSES(f32_) FFUSES(f64_)
    [IOP_i32_and] = {IOP_br_i32_test, IOP_br_i32_ntest},
    [IOP_i32_and_imm] = {IOP_br_i32_test_imm, IOP_br_i32_ntest_imm}};

static InternalOp cfuse_fused_branch(InternalOp cmp, bool negate)
{
    if ((unsigned)cmp >= IOP_COUNT) return IOP_COUNT;
    uint16_t f = fused_form[cmp][negate ? 1 : 0];
    return f ? (InternalOp)f : IOP_COUNT;
}

#define BR_IMM1(n) [IOP_##n##_imm] = true,
#define BR_IMMS(X, p) X(br_##p##eq) X(br_##p##ne) X(br_##p##lt_s) X(br_##p##lt_u) \
    X(br_##p##gt_s) X(br_##p##gt_u) X(br_##p##le_s) X(br_##p##le_u) X(br_##p##ge_s) X(br_##p##ge_u)
#define BR_FIMMS(X, p) X(br_##p##eq) X(br_##p##ne) X(br_##p##lt) X(br_##p##gt) X(br_##p##le) \
    X(br_##p##ge) X(brn_##p##eq) X(brn_##p##ne) X(brn_##p##lt) X(brn_##p##gt) X(brn_##p##le) \
    X(brn_##p##ge)
static const bool is_branch_imm[IOP_COUNT] = {
    BR_IMMS(BR_IMM1, i32_) BR_IMMS(BR_IMM1, i64_) BR_FIMMS(BR_IMM1, f32_) BR_FIMMS(BR_IMM1, f64_)
    BR_IMM1(br_i32_test) BR_IMM1(br_i32_ntest)};

static bool cfuse_is_branch_imm(InternalOp op)
{
    return (unsigned)op < IOP_COUNT && is_branch_imm[op];
}

/* Rewrites the last instruction (the compare, i32.eqz or i32.and that made
 * the condition) in place into a compare-and-branch of the same size.
 * False when it has no fused form. */
bool cfuse_branch(Compiler *C, bool negate, uint32_t *instr, uint32_t *field)
{
    if (!cfuse_enabled(C)) return false;
    uint8_t *at = C->code + compile_field(C->last.pos, 0);
    InternalOp fused = cfuse_fused_branch((InternalOp)C->last.iop, negate);
    if (C->last.iop == IOP_i32_eqz) {
        OpDA old;
        memcpy(&old, at, sizeof old);
        OpBrIf *b = (OpBrIf *)at;
        b->h = C->handlers[negate ? IOP_br_if : IOP_br_if_eqz];
        b->c = old.a;
        *field = compile_field(C->last.pos, offsetof(OpBrIf, off));
    } else if (fused == IOP_COUNT) {
        return false;
    } else if (cfuse_is_imm_form((InternalOp)C->last.iop)) {
        OpDAI old;
        memcpy(&old, at, sizeof old);
        OpBrCmpI *b = (OpBrCmpI *)at;
        b->h = C->handlers[fused];
        b->a = old.a;
        b->imm = old.imm;
        *field = compile_field(C->last.pos, offsetof(OpBrCmpI, off));
    } else {
        OpDAB old;
        memcpy(&old, at, sizeof old);
        OpBrCmp *b = (OpBrCmp *)at;
        b->h = C->handlers[fused];
        b->a = old.a;
        b->b = old.b;
        *field = compile_field(C->last.pos, offsetof(OpBrCmp, off));
    }
    *instr = C->last.pos;
    if (C->last.iop == IOP_i32_eqz) fused = negate ? IOP_br_if : IOP_br_if_eqz;
    C->emit_iop = (uint16_t)fused;
    C->last.valid = false;
    return true;
}

/* --------------------------------------------------------------- loop latch */

/* i32 branch -> {its mirror, its add_br form} */
#define LATCH1(c, m) \
    [IOP_br_i32_##c] = {IOP_br_i32_##m, IOP_add_br_i32_##c}, \
    [IOP_br_i32_##c##_imm] = {IOP_COUNT, IOP_add_br_i32_##c##_imm},
static const uint16_t latch_form[IOP_COUNT][2] = {
    LATCH1(eq, eq) LATCH1(ne, ne) LATCH1(lt_s, gt_s) LATCH1(gt_s, lt_s) LATCH1(lt_u, gt_u)
    LATCH1(gt_u, lt_u) LATCH1(le_s, ge_s) LATCH1(ge_s, le_s) LATCH1(le_u, ge_u) LATCH1(ge_u, le_u)
    [IOP_br_if] = {IOP_COUNT, IOP_add_br_i32_ne_imm},
    [IOP_br_if_eqz] = {IOP_COUNT, IOP_add_br_i32_eq_imm},
};
_Static_assert(IOP_addi_br_i32_lt_s == IOP_add_br_i32_lt_s + 2, "add_br layout");
_Static_assert(IOP_addi_br_i32_lt_s_imm == IOP_add_br_i32_lt_s_imm + 2, "add_br layout");

static InternalOp cfuse_mirror_branch(InternalOp br)
{
    uint16_t m = (unsigned)br < IOP_COUNT ? latch_form[br][0] : 0;
    return m ? (InternalOp)m : IOP_COUNT;
}

static InternalOp cfuse_latch_form(InternalOp br, bool addi)
{
    uint16_t f = (unsigned)br < IOP_COUNT ? latch_form[br][1] : 0;
    if (!f) return IOP_COUNT;
    return (InternalOp)(f + (addi ? 2 : 0));
}

/* Reads the i32 add / add_imm / sub_imm at word `pos` as d = a + b, b a
 * slot (returns false) or a constant (returns true). */
static bool cfuse_read_add(const Compiler *C, uint32_t pos, InternalOp iop, uint32_t *d,
                           uint32_t *a, uint32_t *b)
{
    const uint8_t *at = C->code + compile_field(pos, 0);
    if (iop == IOP_i32_add) {
        OpDAB add;
        memcpy(&add, at, sizeof add);
        *d = add.d, *a = add.a, *b = add.b;
        return false;
    }
    OpDAI add;
    memcpy(&add, at, sizeof add);
    *d = add.d, *a = add.a;
    *b = (uint32_t)(iop == IOP_i32_add_imm ? add.imm : -add.imm);
    return true;
}

/* Reads the conditional branch at word `pos` as "compare x with y" where
 * x is the slot `want`: returns the op (mirrored when `want` was the right
 * operand) or IOP_COUNT when `want` is no left-hand operand; y is a slot or
 * (for _imm ops and br_if's zero) a constant. */
static InternalOp cfuse_read_branch(const Compiler *C, uint32_t pos, InternalOp iop,
                                    uint32_t want, uint32_t *y)
{
    const uint8_t *at = C->code + compile_field(pos, 0);
    if (iop == IOP_br_if || iop == IOP_br_if_eqz) {
        OpBrIf br;
        memcpy(&br, at, sizeof br);
        *y = 0;
        return br.c == want ? iop : IOP_COUNT;
    }
    if (cfuse_is_branch_imm(iop)) {
        OpBrCmpI br;
        memcpy(&br, at, sizeof br);
        *y = (uint32_t)br.imm;
        return br.a == want ? iop : IOP_COUNT;
    }
    OpBrCmp br;
    memcpy(&br, at, sizeof br);
    *y = br.a == want ? br.b : br.a;
    if (br.a == want) return iop;
    return br.b == want ? cfuse_mirror_branch(iop) : IOP_COUNT;
}

/* Loop-latch fusion (code.h, "Peephole"): when the conditional branch just
 * emitted at *instr tests the result of the i32 add / add_imm / sub_imm
 * right before it, both become one add_br op at the add's position; *instr
 * and *field then describe that op. */
void cfuse_latch(Compiler *C, uint32_t *instr, uint32_t *field)
{
    if (!cfuse_enabled(C) || !C->live || C->oom || !C->prev_valid || !C->emit_valid ||
        C->emit_pos != *instr)
        return;
    InternalOp add = (InternalOp)C->prev_iop;
    if (add != IOP_i32_add && add != IOP_i32_add_imm && add != IOP_i32_sub_imm) return;
    uint32_t d, a, b, y;
    bool addi = cfuse_read_add(C, C->prev_pos, add, &d, &a, &b);
    InternalOp br = cfuse_read_branch(C, *instr, (InternalOp)C->emit_iop, d, &y);
    InternalOp fused = br == IOP_COUNT ? IOP_COUNT : cfuse_latch_form(br, addi);
    if (fused == IOP_COUNT) return;
    uint32_t pos = C->prev_pos;
    compile_truncate(C, pos);
    C->emit_valid = false;
    OpAddBr *o = COMPILE_EMIT(C, fused, OpAddBr);
    o->d = d, o->a = a, o->b = b, o->c = y; /* the caller sets o->off */
    *instr = pos;
    *field = compile_field(pos, offsetof(OpAddBr, off));
}

/* -------------------------------------------------------------------- moves */

/* Two moves in a row (code.h, "Peephole"): when the instruction just
 * emitted is a copy1, it and the move fp[d] = fp[a] become one copy1x2. */
bool cfuse_pair_copy(Compiler *C, uint32_t d, uint32_t a)
{
    if (!cfuse_enabled(C) || !C->live || C->oom || !C->emit_valid || C->emit_iop != IOP_copy1)
        return false;
    OpDA first;
    compile_take_emitted(C, &first, sizeof first);
    OpCopy2x *o = COMPILE_EMIT(C, IOP_copy1x2, OpCopy2x);
    o->d1 = first.d, o->a1 = first.a, o->d2 = d, o->a2 = a;
    return true;
}

/* ------------------------------------------------------------ address modes */

/* The address operand `addr` of a load or store with memarg offset
 * *offset: returns its ADDR_* mode (code.h) and the a/b fields. A constant
 * address folds into the offset (read through the always-zero slot) when
 * the sum fits; an address computed by the last instruction, an i32.add or
 * an add/sub of a constant, is absorbed into the access (the add is taken
 * back). Emits nothing but a constant's materialization. */
unsigned cfuse_address(Compiler *C, const StackEntry *addr, uint32_t *offset, uint32_t *a,
                       uint32_t *b)
{
    *b = 0;
    if (!cfuse_enabled(C)) {
        *a = compile_src(C, addr);
        return ADDR_PLAIN;
    }
    if (addr->kind == K_CONST && (uint64_t)(uint32_t)addr->bits + *offset <= UINT32_MAX) {
        *offset += (uint32_t)addr->bits;
        *a = compile_zero_slot(C);
        return ADDR_PLAIN;
    }
    InternalOp last = (InternalOp)C->last.iop;
    if (compile_last_made(C, addr) && last == IOP_i32_add) {
        OpDAB add;
        compile_take_last(C, &add, sizeof add);
        *a = add.a;
        *b = add.b;
        return ADDR_ADD;
    }
    if (compile_last_made(C, addr) && (last == IOP_i32_add_imm || last == IOP_i32_sub_imm)) {
        OpDAI add;
        compile_take_last(C, &add, sizeof add);
        *a = add.a;
        *b = (uint32_t)(last == IOP_i32_add_imm ? add.imm : -add.imm);
        return ADDR_ADDI;
    }
    *a = compile_src(C, addr);
    return ADDR_PLAIN;
}

/* A load from a local that the instruction just emitted computed with an
 * i32 add/add_imm/sub_imm (`local.tee $p (i32.add ...)` then a load from
 * $p): both become one load that also writes the sum (the _addw modes). */
bool cfuse_load_writeback(Compiler *C, InternalOp load, ValType type, const StackEntry *addr,
                          uint32_t offset)
{
    InternalOp add = (InternalOp)C->emit_iop;
    if (!cfuse_enabled(C) || !C->live || C->oom || !C->emit_valid || addr->kind != K_LOCAL)
        return false;
    if (add != IOP_i32_add && add != IOP_i32_add_imm && add != IOP_i32_sub_imm) return false;
    OpDAI op; /* d and a are where OpDAB has them */
    memcpy(&op, C->code + (size_t)C->emit_pos * sizeof(CodeWord), sizeof op);
    if (op.d != addr->src) return false;
    OpDAB sum;
    compile_take_emitted(C, &sum, sizeof sum);
    uint32_t b = add == IOP_i32_add ? sum.b : (uint32_t)(add == IOP_i32_add_imm ? op.imm : -op.imm);
    uint32_t id, d = compile_push_result(C, type, &id);
    unsigned mode = add == IOP_i32_add ? ADDR_ADDW : ADDR_ADDIW;
    OpLoadW *o = COMPILE_EMIT(C, (InternalOp)(load + mode), OpLoadW);
    o->d = d, o->a = sum.a, o->b = b, o->offset = offset, o->w = op.d;
    compile_set_last(C, offsetof(OpLoadW, d), id);
    return true;
}

/* -------------------------------------------------------- operand folding */

/* Operand fusion (code.h, "Peephole"): a binary op absorbs the instruction
 * that made one of its operands. Per absorbed kind, the fused op when it
 * made the right operand ([op][0]) or the left one ([op][1]); 0 = none.
 * The address mode (loads) or the shift (shifts) is added to the op. */
enum { FOLD_NONE, FOLD_LOAD, FOLD_SHIFT, FOLD_PROD, FOLD_PROD_MEM };
#define FMEM1(n, l) [IOP_f64_##n] = {IOP_f64_##n##_mem, IOP_f64_##l##_mem},
static const uint16_t fold_load[IOP_COUNT][2] = {
    FMEM1(add, add) FMEM1(sub, rsub) FMEM1(mul, mul) FMEM1(div, rdiv)};
#define SHIFTED1(n, l) [IOP_i32_##n] = {IOP_i32_##n##_shl, l},
static const uint16_t fold_shift[IOP_COUNT][2] = {
    SHIFTED1(add, IOP_i32_add_shl) SHIFTED1(sub, 0) SHIFTED1(and, IOP_i32_and_shl)
    SHIFTED1(or, IOP_i32_or_shl) SHIFTED1(xor, IOP_i32_xor_shl)};
static const uint16_t fold_prod[IOP_COUNT][2] = {
    [IOP_f64_add] = {IOP_f64_add_prod, IOP_f64_prod_add},
    [IOP_f64_sub] = {IOP_f64_sub_prod, IOP_f64_prod_sub}};
static const uint16_t fold_prod_mem[IOP_COUNT][2] = {
    [IOP_f64_add] = {IOP_f64_add_prod_mem, IOP_f64_prod_add_mem}};

/* The fold kind and fused op for op whose operand (left or right) the last
 * instruction `last` made; FOLD_NONE when there is none. */
static unsigned cfuse_fold_kind(InternalOp op, InternalOp last, bool left, uint16_t *fused)
{
    unsigned kind = FOLD_NONE;
    uint16_t f = 0, extra = 0;
    if (last >= IOP_load64 && last <= IOP_load64_addi) {
        kind = FOLD_LOAD, f = fold_load[op][left], extra = (uint16_t)(last - IOP_load64);
    } else if (last >= IOP_i32_shl_imm && last <= IOP_i32_rotr_imm) {
        kind = FOLD_SHIFT, f = fold_shift[op][left], extra = (uint16_t)(last - IOP_i32_shl_imm);
    } else if (last == IOP_f64_mul) {
        kind = FOLD_PROD, f = fold_prod[op][left];
    } else if (last >= IOP_f64_mul_mem && last <= IOP_f64_mul_mem_addi) {
        kind = FOLD_PROD_MEM, f = fold_prod_mem[op][left];
        extra = (uint16_t)(last - IOP_f64_mul_mem);
    }
    *fused = f ? (uint16_t)(f + extra) : 0;
    return f ? kind : FOLD_NONE;
}

/* Emits the fused op for d = (absorbed last instruction) op fp[v]. */
static void cfuse_emit_folded(Compiler *C, unsigned kind, InternalOp fused, uint32_t v,
                              ValType out)
{
    uint32_t d, id;
    if (kind == FOLD_SHIFT) {
        OpDAI sh;
        compile_take_last(C, &sh, sizeof sh);
        d = compile_push_result(C, out, &id);
        OpDABK *o = COMPILE_EMIT(C, fused, OpDABK);
        o->d = d, o->a = v, o->b = sh.a, o->k = (uint32_t)sh.imm;
        compile_set_last(C, offsetof(OpDABK, d), id);
    } else if (kind == FOLD_PROD) {
        OpDAB mul;
        compile_take_last(C, &mul, sizeof mul);
        d = compile_push_result(C, out, &id);
        OpProd *o = COMPILE_EMIT(C, fused, OpProd);
        o->d = d, o->a = mul.a, o->b = mul.b, o->c = v;
        compile_set_last(C, offsetof(OpProd, d), id);
    } else {
        /* FOLD_LOAD, FOLD_PROD_MEM: the memory access keeps its place and,
         * for traps, its module offset */
        OpMemBin mem;
        size_t saved = C->op_offset;
        C->op_offset = compile_take_last(C, &mem, kind == FOLD_LOAD ? sizeof(OpLoad) : sizeof mem);
        d = compile_push_result(C, out, &id);
        OpMemBin *o = COMPILE_EMIT(C, fused, OpMemBin);
        C->op_offset = saved;
        if (kind == FOLD_LOAD) {
            OpLoad ld;
            memcpy(&ld, &mem, sizeof ld);
            o->a = ld.a, o->offset = ld.offset, o->b = ld.b, o->v = v;
        } else {
            o->a = mem.a, o->offset = mem.offset, o->b = mem.b, o->v = mem.v, o->c = v;
        }
        o->d = d;
        compile_set_last(C, offsetof(OpMemBin, d), id);
    }
}

/* Emits d = a op b with the operand that the last instruction made folded
 * in, when a fused form exists and the other operand is readable without
 * code (a local or a stack slot). False: nothing was done. */
bool cfuse_operand(Compiler *C, InternalOp op, const StackEntry *a, const StackEntry *b,
                   ValType out)
{
    if (!cfuse_enabled(C)) return false;
    bool right = compile_last_made(C, b), left = !right && compile_last_made(C, a);
    const StackEntry *other = right ? a : b;
    if ((!right && !left) || other->kind == K_CONST) return false;
    uint16_t fused;
    unsigned kind = cfuse_fold_kind(op, (InternalOp)C->last.iop, left, &fused);
    if (kind == FOLD_NONE) return false;
    cfuse_emit_folded(C, kind, (InternalOp)fused, compile_src(C, other), out);
    return true;
}

/* True when the instruction before the last one is `iop` writing the stack
 * temporary `slot` (read only by the last instruction); copies it to out. */
static bool cfuse_prev_makes(const Compiler *C, InternalOp iop, uint32_t slot, void *out,
                             size_t bytes)
{
    if (!C->prev_valid || C->prev_iop != iop || slot < C->local_slots) return false;
    memcpy(out, C->code + (size_t)C->prev_pos * sizeof(CodeWord), bytes);
    uint32_t d;
    memcpy(&d, (const uint8_t *)out + sizeof(void *), sizeof d); /* every shape's first field */
    return d == slot;
}

/* Emits a read-modify-write op in place of the last two instructions
 * (prev, then last), whose operands the caller has read; traps report the
 * first one's module offset. Nothing is copied out: the two are smaller
 * than an OpMemBin (an OpLoad, an OpProd...), and the last one ends the
 * code, so copying sizeof(OpMemBin) bytes read past the code buffer. */
static OpMemBin *cfuse_emit_rmw(Compiler *C, InternalOp fused)
{
    uint8_t none;
    size_t saved = C->op_offset;
    compile_take_emitted(C, &none, 0);
    C->op_offset = compile_take_emitted(C, &none, 0);
    OpMemBin *o = COMPILE_EMIT(C, fused, OpMemBin);
    C->op_offset = saved;
    return o;
}

/* `a[i] -= x * y`: the last instruction is f64_sub_prod m - x * y whose m
 * the instruction before loaded from the store's address. */
static bool cfuse_store_sub_prod(Compiler *C, uint32_t a, uint32_t offset)
{
    OpProd prod;
    OpLoad ld;
    memcpy(&prod, C->code + (size_t)C->last.pos * sizeof(CodeWord), sizeof prod);
    if (prod.a == prod.c || prod.b == prod.c) return false; /* m is read only as m */
    if (!cfuse_prev_makes(C, IOP_load64, prod.c, &ld, sizeof ld)) return false;
    if (ld.a != a || ld.offset != offset) return false;
    OpMemBin *o = cfuse_emit_rmw(C, IOP_f64_sub_prod_to_mem);
    o->a = a, o->offset = offset, o->v = prod.a, o->c = prod.b;
    return true;
}

/* `a[i] += x` (code.h, "Peephole"): a plain f64.store of the result of the
 * last instruction, an f64 add/sub with a memory operand at the same plain
 * address, becomes one read-modify-write op; so do `a[i] += y * z` (x a
 * product made right before) and `a[i] -= y * z` (cfuse_store_sub_prod). */
bool cfuse_store(Compiler *C, InternalOp store, const StackEntry *value, unsigned mode, uint32_t a,
                 uint32_t offset)
{
    if (!cfuse_enabled(C) || store != IOP_store64 || mode != ADDR_PLAIN ||
        !compile_last_made(C, value))
        return false;
    InternalOp last = (InternalOp)C->last.iop, fused = IOP_COUNT, prod_fused = IOP_COUNT;
    if (last == IOP_f64_sub_prod) return cfuse_store_sub_prod(C, a, offset);
    if (last == IOP_f64_add_mem) fused = IOP_f64_add_to_mem, prod_fused = IOP_f64_add_prod_to_mem;
    if (last == IOP_f64_sub_mem) fused = IOP_f64_sub_to_mem;
    if (last == IOP_f64_rsub_mem) fused = IOP_f64_rsub_to_mem;
    if (fused == IOP_COUNT) return false;
    OpMemBin op;
    OpDAB mul;
    memcpy(&op, C->code + (size_t)C->last.pos * sizeof(CodeWord), sizeof op);
    if (op.a != a || op.offset != offset) return false;
    if (prod_fused != IOP_COUNT && cfuse_prev_makes(C, IOP_f64_mul, op.v, &mul, sizeof mul)) {
        OpMemBin *o = cfuse_emit_rmw(C, prod_fused);
        o->a = a, o->offset = offset, o->v = mul.a, o->c = mul.b;
        return true;
    }
    size_t saved = C->op_offset;
    C->op_offset = compile_take_last(C, &op, sizeof op); /* traps report the load */
    OpMemBin *o = COMPILE_EMIT(C, fused, OpMemBin);
    C->op_offset = saved;
    o->a = op.a, o->offset = op.offset, o->v = op.v;
    return true;
}
