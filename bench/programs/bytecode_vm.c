/* bytecode_vm.c - benchmark: a tiny stack-machine interpreter (switch dispatch, 64-bit
 * stack and registers) running a bytecode program that sums the Collatz step counts of
 * 1..n. Measures what interpreters themselves do: indirect branches (br_table), loads and
 * stores of a small stack, i64 arithmetic. SIZE is n; prints the total step count and the
 * number of bytecode instructions executed. */
#include "bench_util.h"

typedef enum {
    VM_PUSH, VM_LOAD, VM_STORE, VM_ADD, VM_MUL, VM_AND, VM_SHR, VM_EQ, VM_GT,
    VM_JMP, VM_JZ, VM_JNZ, VM_HALT
} VmOp;

typedef struct {
    uint8_t op;
    int32_t arg;          /* immediate, register number or jump target */
} VmInstr;

typedef struct {
    VmInstr code[64];
    int length;
} VmProgram;

static int vm_emit(VmProgram *p, VmOp op, int32_t arg) {
    p->code[p->length] = (VmInstr){ (uint8_t)op, arg };
    return p->length++;
}

enum { R_I, R_X, R_STEPS, R_TOTAL, R_N };

/* Assembles: for (i = 1; i <= n; i++) { x = i; steps = 0;
 *   while (x != 1) { x = x & 1 ? 3x + 1 : x >> 1; steps++; } total += steps; } */
static void vm_assemble(VmProgram *p) {
    p->length = 0;
    vm_emit(p, VM_PUSH, 1); vm_emit(p, VM_STORE, R_I);
    int loop_i = vm_emit(p, VM_LOAD, R_I);
    vm_emit(p, VM_LOAD, R_N); vm_emit(p, VM_GT, 0);
    int jump_end = vm_emit(p, VM_JNZ, -1);
    vm_emit(p, VM_LOAD, R_I); vm_emit(p, VM_STORE, R_X);
    vm_emit(p, VM_PUSH, 0); vm_emit(p, VM_STORE, R_STEPS);
    int loop_x = vm_emit(p, VM_LOAD, R_X);
    vm_emit(p, VM_PUSH, 1); vm_emit(p, VM_EQ, 0);
    int jump_done = vm_emit(p, VM_JNZ, -1);
    vm_emit(p, VM_LOAD, R_X); vm_emit(p, VM_PUSH, 1); vm_emit(p, VM_AND, 0);
    int jump_even = vm_emit(p, VM_JZ, -1);
    vm_emit(p, VM_LOAD, R_X); vm_emit(p, VM_PUSH, 3); vm_emit(p, VM_MUL, 0);
    vm_emit(p, VM_PUSH, 1); vm_emit(p, VM_ADD, 0); vm_emit(p, VM_STORE, R_X);
    int jump_next = vm_emit(p, VM_JMP, -1);
    int even = vm_emit(p, VM_LOAD, R_X);
    vm_emit(p, VM_PUSH, 1); vm_emit(p, VM_SHR, 0); vm_emit(p, VM_STORE, R_X);
    int next = vm_emit(p, VM_LOAD, R_STEPS);
    vm_emit(p, VM_PUSH, 1); vm_emit(p, VM_ADD, 0); vm_emit(p, VM_STORE, R_STEPS);
    vm_emit(p, VM_JMP, loop_x);
    int done = vm_emit(p, VM_LOAD, R_TOTAL);
    vm_emit(p, VM_LOAD, R_STEPS); vm_emit(p, VM_ADD, 0); vm_emit(p, VM_STORE, R_TOTAL);
    vm_emit(p, VM_LOAD, R_I); vm_emit(p, VM_PUSH, 1); vm_emit(p, VM_ADD, 0);
    vm_emit(p, VM_STORE, R_I); vm_emit(p, VM_JMP, loop_i);
    int end = vm_emit(p, VM_HALT, 0);
    p->code[jump_end].arg = end;
    p->code[jump_done].arg = done;
    p->code[jump_even].arg = even;
    p->code[jump_next].arg = next;
}

/* Runs p with the given registers until HALT; returns the number of instructions executed.
 * The program is trusted (assembled above): no stack or jump checks. */
static uint64_t vm_run(const VmProgram *p, int64_t regs[8]) {
    int64_t stack[16];
    int sp = 0, pc = 0;
    uint64_t executed = 0;
    for (;;) {
        const VmInstr *in = &p->code[pc++];
        executed++;
        switch ((VmOp)in->op) {
        case VM_PUSH: stack[sp++] = in->arg; break;
        case VM_LOAD: stack[sp++] = regs[in->arg]; break;
        case VM_STORE: regs[in->arg] = stack[--sp]; break;
        case VM_ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case VM_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case VM_AND: sp--; stack[sp - 1] &= stack[sp]; break;
        case VM_SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
        case VM_EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case VM_GT: sp--; stack[sp - 1] = stack[sp - 1] > stack[sp]; break;
        case VM_JMP: pc = in->arg; break;
        case VM_JZ: if (stack[--sp] == 0) pc = in->arg; break;
        case VM_JNZ: if (stack[--sp] != 0) pc = in->arg; break;
        case VM_HALT: return executed;
        }
    }
}

int main(int argc, char **argv) {
    int64_t n = bench_size_arg(argc, argv, 40000, 1, 100000000);
    VmProgram program;
    vm_assemble(&program);
    int64_t regs[8] = { 0 };
    regs[R_N] = n;
    uint64_t executed = vm_run(&program, regs);
    printf("bytecode_vm collatz(1..%lld): %lld total steps, %llu instructions\n", (long long)n,
           (long long)regs[R_TOTAL], (unsigned long long)executed);
    return 0;
}
