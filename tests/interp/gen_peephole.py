#!/usr/bin/env python3
"""gen_peephole.py - writes peephole.wast, the tests of the translator's fused
instructions (src/engine/code.h, "Peephole") and of entry zeroing.

Every fused form is exercised by WAT that the translator fuses, and checked
against values computed here independently (plain Python integer and IEEE
arithmetic, f32 rounding through struct): address modes with 32-bit wrap and
bounds traps, write-back loads, constant stores, integer and float `_imm`
forms, float compare-and-branch with NaN, test-and-branch, loop latches,
shifted, memory and product operands (rounded twice, never an FMA),
read-modify-write stores, paired moves, and locals that must read as zero in
a frame whose slots held other values.

Usage: python3 tests/interp/gen_peephole.py > tests/interp/peephole.wast
(the .wast is committed; CMake converts it with wast2json and runs it through
`spindle wast`, test `interp.peephole`).
"""
import math
import struct

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1
PAGE = 65536
OOB = '"out of bounds memory access"'

funcs = []
asserts = []
counter = [0]


def fresh(prefix):
    counter[0] += 1
    return f"{prefix}_{counter[0]}"


def s32(x):
    x &= M32
    return x - (1 << 32) if x >> 31 else x


def s64(x):
    x &= M64
    return x - (1 << 64) if x >> 63 else x


def f32(x):
    """Rounds a Python float to binary32 (to infinity past the largest)."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def f64_bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def lit(t, v):
    """A typed constant for an (invoke ...) argument or an expected result."""
    if t == "i32":
        return f"(i32.const {v & M32})"
    if t == "i64":
        return f"(i64.const {v & M64})"
    if isinstance(v, str):
        return f"({t}.const {v})"
    if t == "f32":
        return f"(f32.const {float.hex(f32(v))})" if not math.isnan(v) else "(f32.const nan)"
    return f"(f64.const {float.hex(v)})" if not math.isnan(v) else "(f64.const nan)"


def func(sig, body, tests, locals_=""):
    """Adds an exported function and its assertions. tests: (args, results)
    with args/results lists of (type, value); results None means a trap."""
    name = fresh("f")
    funcs.append(f'  (func (export "{name}") {sig} {locals_}\n    {body})')
    for args, want in tests:
        a = " ".join(lit(t, v) for t, v in args)
        if want is None:
            asserts.append(f'(assert_trap (invoke "{name}" {a}) {OOB})')
        else:
            w = " ".join(r if isinstance(r, str) else lit(*r) for r in want)
            asserts.append(f'(assert_return (invoke "{name}" {a}) {w})')
    return name


# --------------------------------------------------------------- memory image
# Bytes 0..255 hold a pattern (never written); doubles live at 512..; stores
# go to 2048.. and read back.
PATTERN = bytes((i * 37 + 11) & 0xFF for i in range(256))
DOUBLES = [1.5, -2.25, 3.0e10, 0.1, -7.0, 1e-300, 123.456, -0.5]
mem = bytearray(PAGE)
mem[0:256] = PATTERN
for i, d in enumerate(DOUBLES):
    mem[512 + 8 * i:520 + 8 * i] = struct.pack("<d", d)
DBL = 512
SCRATCH = 2048


def data_segments():
    def esc(bs):
        return "".join(f"\\{b:02x}" for b in bs)
    return (f'  (data (i32.const 0) "{esc(PATTERN)}")\n'
            f'  (data (i32.const {DBL}) "{esc(mem[DBL:DBL + 8 * len(DOUBLES)])}")')


def read(ea, n, signed):
    v = int.from_bytes(mem[ea:ea + n], "little")
    if signed and v >> (8 * n - 1):
        v -= 1 << (8 * n)
    return v


# ------------------------------------------------------------ address modes
LOADS = [  # (op, bytes, signed, result type)
    ("i32.load8_s", 1, True, "i32"), ("i32.load8_u", 1, False, "i32"),
    ("i32.load16_s", 2, True, "i32"), ("i32.load16_u", 2, False, "i32"),
    ("i32.load", 4, False, "i32"), ("i64.load8_s", 1, True, "i64"),
    ("i64.load8_u", 1, False, "i64"), ("i64.load16_s", 2, True, "i64"),
    ("i64.load16_u", 2, False, "i64"), ("i64.load32_s", 4, True, "i64"),
    ("i64.load32_u", 4, False, "i64"), ("i64.load", 8, False, "i64"),
    ("f32.load", 4, False, "f32"), ("f64.load", 8, False, "f64"),
]


def load_expr(op, t, addr, offset):
    e = f"({op} offset={offset} {addr})"
    if t == "f32":
        return f"(i32.reinterpret_f32 {e})", "i32"
    if t == "f64":
        return f"(i64.reinterpret_f64 {e})", "i64"
    return e, t


def gen_loads():
    for op, n, signed, t in LOADS:
        # _add mode: the sum wraps to 32 bits, then the offset is added
        e, rt = load_expr(op, t, "(i32.add (local.get 0) (local.get 1))", 3)
        tests = []
        for a, b in [(10, 20), (0xFFFFFFF0, 0x20), (7, 0xFFFFFFF9), (PAGE - 3 - n, 0)]:
            tests.append(([("i32", a), ("i32", b)], [(rt, read(((a + b) & M32) + 3, n, signed))]))
        tests.append(([("i32", PAGE - 3), ("i32", 1)], None))
        tests.append(([("i32", 0xFFFFFFFF), ("i32", 0)], None))
        func(f"(param i32 i32) (result {rt})", e, tests)
        # _addi mode (add and sub of a constant; the sum may wrap)
        for arith, k, ok, bad in [("i32.add", 7, (9, 100, 0xFFFFFFFC), PAGE),
                                  ("i32.sub", 5, (5, 100), 2), ("i32.add", -9, (9, 100), 3)]:
            e, rt = load_expr(op, t, f"({arith} (local.get 0) (i32.const {k}))", 2)
            sign = 1 if arith == "i32.add" else -1
            tests = [([("i32", a)], [(rt, read(((a + sign * k) & M32) + 2, n, signed))])
                     for a in ok]
            tests.append(([("i32", bad)], None))
            func(f"(param i32) (result {rt})", e, tests)
        # write-back modes: the address goes to a local by local.tee; one
        # function returns the value, one the local
        for add in ("(i32.add (local.get 0) (local.get 1))", "(i32.add (local.get 0) (i32.const 9))"):
            e, rt = load_expr(op, t, f"(local.tee $p {add})", 1)
            values, locals_ = [], []
            for a, b in [(3, 4), (0xFFFFFFFE, 12)]:
                p = (a + (b if "local.get 1" in add else 9)) & M32
                values.append(([("i32", a), ("i32", b)], [(rt, read(p + 1, n, signed))]))
                locals_.append(([("i32", a), ("i32", b)], [("i32", p)]))
            values.append(([("i32", PAGE), ("i32", 0)], None))
            func(f"(param i32 i32) (result {rt})", e, values, "(local $p i32)")
            func("(param i32 i32) (result i32)", f"(drop {e}) (local.get $p)", locals_,
                 "(local $p i32)")


STORES = [  # (op, bytes, value type)
    ("i32.store8", 1, "i32"), ("i32.store16", 2, "i32"), ("i32.store", 4, "i32"),
    ("i64.store8", 1, "i64"), ("i64.store16", 2, "i64"), ("i64.store32", 4, "i64"),
    ("i64.store", 8, "i64"), ("f32.store", 4, "f32"), ("f64.store", 8, "f64"),
]


def value_bits(t, v):
    if t == "f32":
        return f32_bits(v)
    if t == "f64":
        return f64_bits(v)
    return v & M64


def gen_stores():
    samples = {"i32": 0x89ABCDEF, "i64": 0x0123456789ABCDEF, "f32": -1.75, "f64": 6.02e23}
    for op, n, t in STORES:
        v = samples[t]
        want = value_bits(t, v) & ((1 << (8 * n)) - 1)
        clear = f"(i64.store (i32.const {SCRATCH}) (i64.const 0))"
        back = f"(i64.load (i32.const {SCRATCH}))"
        for addr, args, bad in [
            ("(i32.add (local.get 0) (local.get 1))",
             [(SCRATCH - 10, 8), (0xFFFFFF00, SCRATCH - 2 + 0x100)], (PAGE - 2, 0)),
            ("(i32.add (local.get 0) (i32.const 8))", [(SCRATCH - 10, 0)], (PAGE - 9, 0)),
            ("(i32.sub (local.get 0) (i32.const 8))", [(SCRATCH + 6, 0)], (7, 0)),
            ("(local.get 0)", [(SCRATCH - 2, 0)], (PAGE - 1, 0)),
        ]:
            for value in (f"(local.get 2)", lit(t, v)):
                body = f"{clear} ({op} offset=2 {addr} {value}) {back}"
                tests = [([("i32", a), ("i32", b), (t, v)], [("i64", want)]) for a, b in args]
                tests.append(([("i32", bad[0]), ("i32", bad[1]), (t, v)], None))
                func(f"(param i32 i32 {t}) (result i64)", body, tests)


# ------------------------------------------------------------ integer forms
def rot(x, k, bits, left):
    k %= bits
    m = (1 << bits) - 1
    x &= m
    return ((x << k) | (x >> (bits - k))) & m if left else ((x >> k) | (x << (bits - k))) & m


def shift(name, x, k, bits):
    m = (1 << bits) - 1
    k %= bits
    x &= m
    if name == "shl":
        return (x << k) & m
    if name == "shr_u":
        return x >> k
    if name == "shr_s":
        return ((s32(x) if bits == 32 else s64(x)) >> k) & m
    return rot(x, k, bits, name == "rotl")


def gen_int_imm():
    xs = [0x12345678, 0x80000001, 0xFFFFFFFF, 0]
    for t, bits in (("i32", 32), ("i64", 64)):
        m = (1 << bits) - 1
        big = [0x123456789ABCDEF0, 0x8000000000000001] if bits == 64 else []
        for sh in ("shl", "shr_s", "shr_u", "rotl", "rotr"):
            for k in (0, 5, bits - 1, bits + 3):
                func(f"(param {t}) (result {t})", f"({t}.{sh} (local.get 0) ({t}.const {k}))",
                     [([(t, x)], [(t, shift(sh, x, k, bits))]) for x in xs + big])
        for c in (5, -3):
            func(f"(param {t}) (result {t})", f"({t}.sub ({t}.const {c}) (local.get 0))",
                 [([(t, x)], [(t, (c - x) & m)]) for x in xs + big])


# ------------------------------------------------------------- float forms
NAN = float("nan")


def fop(t, op, a, b):
    r = f32 if t == "f32" else float
    a, b = r(a), r(b)
    if op == "add":
        v = a + b
    elif op == "sub":
        v = a - b
    elif op == "mul":
        v = a * b
    else:
        if b == 0:
            v = NAN if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
        else:
            v = a / b
    return r(v)


def fcmp(op, a, b):
    if math.isnan(a) or math.isnan(b):
        return 1 if op == "ne" else 0
    return int({"eq": a == b, "ne": a != b, "lt": a < b, "gt": a > b, "le": a <= b,
                "ge": a >= b}[op])


def fresult(t, v):
    return f"({t}.const nan:canonical)" if math.isnan(v) else (t, v)


def gen_float_imm():
    xs = [1.5, -0.0, 3.0e38, 1e-45, -7.25, NAN]
    consts = [2.5, -0.0, 0.1]
    for t in ("f32", "f64"):
        for op in ("add", "sub", "mul", "div"):
            for c in consts:
                cl = lit(t, c)
                func(f"(param {t}) (result {t})", f"({t}.{op} (local.get 0) {cl})",
                     [([(t, x)], [fresult(t, fop(t, op, x, c))]) for x in xs])
                func(f"(param {t}) (result {t})", f"({t}.{op} {cl} (local.get 0))",
                     [([(t, x)], [fresult(t, fop(t, op, c, x))]) for x in xs])
        for op in ("eq", "ne", "lt", "gt", "le", "ge"):
            cl = lit(t, 1.5)
            rv = f32 if t == "f32" else float
            func(f"(param {t}) (result i32)", f"({t}.{op} (local.get 0) {cl})",
                 [([(t, x)], [("i32", fcmp(op, rv(x), 1.5))]) for x in xs])
            func(f"(param {t}) (result i32)", f"({t}.{op} {cl} (local.get 0))",
                 [([(t, x)], [("i32", fcmp(op, 1.5, rv(x)))]) for x in xs])


# ----------------------------------------------------- compare and branch
def gen_branches():
    pairs = [(1.0, 2.0), (2.0, 1.0), (1.0, 1.0), (NAN, 1.0), (1.0, NAN), (-0.0, 0.0)]
    for t in ("f32", "f64"):
        for op in ("eq", "ne", "lt", "gt", "le", "ge"):
            # if/else: the branch to else is taken when the compare is false
            func(f"(param {t} {t}) (result i32)",
                 f"(if (result i32) ({t}.{op} (local.get 0) (local.get 1)) "
                 f"(then (i32.const 10)) (else (i32.const 20)))",
                 [([(t, a), (t, b)], [("i32", 10 if fcmp(op, a, b) else 20)]) for a, b in pairs])
            # the same with a constant right operand
            func(f"(param {t}) (result i32)",
                 f"(if (result i32) ({t}.{op} (local.get 0) ({t}.const 1)) "
                 f"(then (i32.const 10)) (else (i32.const 20)))",
                 [([(t, a)], [("i32", 10 if fcmp(op, a, 1.0) else 20)]) for a, _ in pairs])
            # br_if: taken when the compare is true
            func(f"(param {t} {t}) (result i32)",
                 f"(block $b (br_if $b ({t}.{op} (local.get 0) (local.get 1))) "
                 f"(return (i32.const 40))) (i32.const 30)",
                 [([(t, a), (t, b)], [("i32", 30 if fcmp(op, a, b) else 40)]) for a, b in pairs])
            func(f"(param {t}) (result i32)",
                 f"(block $b (br_if $b ({t}.{op} (local.get 0) ({t}.const 1))) "
                 f"(return (i32.const 40))) (i32.const 30)",
                 [([(t, a)], [("i32", 30 if fcmp(op, a, 1.0) else 40)]) for a, _ in pairs])
    for form in ("(local.get 1)", "(i32.const 12)"):
        tests = []
        for a, b in [(8, 4), (8, 12), (0, 0xFFFFFFFF), (0x80000000, 0x80000000)]:
            mask = b if form == "(local.get 1)" else 12
            tests.append(([("i32", a), ("i32", b)], [("i32", 1 if a & mask else 2)]))
        func("(param i32 i32) (result i32)",
             f"(if (result i32) (i32.and (local.get 0) {form}) (then (i32.const 1)) "
             f"(else (i32.const 2)))", tests)
        func("(param i32 i32) (result i32)",
             f"(block $b (br_if $b (i32.and (local.get 0) {form})) (return (i32.const 2))) "
             f"(i32.const 1)", tests)


CMPS = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
    "lt_s": lambda a, b: s32(a) < s32(b), "lt_u": lambda a, b: a < b,
    "gt_s": lambda a, b: s32(a) > s32(b), "gt_u": lambda a, b: a > b,
    "le_s": lambda a, b: s32(a) <= s32(b), "le_u": lambda a, b: a <= b,
    "ge_s": lambda a, b: s32(a) >= s32(b), "ge_u": lambda a, b: a >= b,
}


def run_latch_guarded(start, step, cond):
    """Simulates the loop of gen_latches: c++; stop at 300; i += step;
    again while cond(i)."""
    i, c = start, 0
    while True:
        c += 1
        if c >= 300:
            return c, i
        i = (i + step) & M32
        if not cond(i):
            return c, i


def gen_latches():
    cases = [(0, 3, 20), (20, 0xFFFFFFFD, 0), (0xFFFFFFF0, 4, 8), (0x7FFFFFF0, 4, 0x80000008),
             (5, 1, 5)]
    for cmp, fn in CMPS.items():
        for kind in ("slot", "imm", "left"):
            for step in ("(local.get 1)", "(i32.const 3)", "sub"):
                add = {"sub": "(i32.sub (local.get $i) (i32.const 3))"}.get(
                    step, f"(i32.add (local.get $i) {step})")
                tee = f"(local.tee $i {add})"
                if kind == "slot":
                    cond = f"(i32.{cmp} {tee} (local.get 2))"
                elif kind == "imm":
                    cond = f"(i32.{cmp} {tee} (i32.const 40))"
                else:
                    cond = f"(i32.{cmp} (local.get 2) {tee})"
                # the fused branch must be the br_if's own test: keep the
                # 300-iteration guard out of the latch by a separate block
                body = ("(local.set $i (local.get 0)) (block $out (loop $l "
                        "(local.set $c (i32.add (local.get $c) (i32.const 1))) "
                        "(br_if $out (i32.ge_u (local.get $c) (i32.const 300))) "
                        f"(br_if $l {cond}))) (local.get $c) (local.get $i)")
                tests = []
                for start, s, limit in cases:
                    stp = {"(local.get 1)": s, "(i32.const 3)": 3, "sub": -3}[step]
                    if kind == "slot":
                        cnd = lambda i, limit=limit: fn(i, limit)
                    elif kind == "imm":
                        cnd = lambda i: fn(i, 40)
                    else:
                        cnd = lambda i, limit=limit: fn(limit, i)
                    c, i = run_latch_guarded(start, stp, cnd)
                    tests.append(([("i32", start), ("i32", s), ("i32", limit)],
                                  [("i32", c), ("i32", i)]))
                func("(param i32 i32 i32) (result i32 i32)", body, tests,
                     "(local $i i32) (local $c i32)")
    # br_if / if on the sum itself (!= 0, == 0)
    tests = [([("i32", n)], [("i32", n & M32 if 0 < n < 300 else 300)]) for n in (1, 5, 17)]
    func("(param i32) (result i32)",
         "(local.set $i (local.get 0)) (block $out (loop $l (local.set $c (i32.add (local.get $c) "
         "(i32.const 1))) (br_if $out (i32.ge_u (local.get $c) (i32.const 300))) "
         "(br_if $l (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))) (local.get $c)",
         tests, "(local $i i32) (local $c i32)")
    func("(param i32) (result i32)",
         "(local.set $i (local.get 0)) (block $out (loop $l (local.set $c (i32.add (local.get $c) "
         "(i32.const 1))) (br_if $out (i32.ge_u (local.get $c) (i32.const 300))) "
         "(br_if $out (i32.eqz (local.tee $i (i32.add (local.get $i) (i32.const -1))))) "
         "(br $l))) (local.get $c)", tests, "(local $i i32) (local $c i32)")


# ---------------------------------------------------------- operand folding
def iop(name, a, b):
    return {"add": a + b, "sub": a - b, "and": a & b, "or": a | b, "xor": a ^ b}[name] & M32


def gen_shifted():
    xs = [(0x12345678, 0x9ABCDEF0), (0xFFFFFFFF, 1), (0, 0x80000000)]
    for op in ("add", "sub", "and", "or", "xor"):
        for sh in ("shl", "shr_s", "shr_u", "rotl", "rotr"):
            for k in (3, 35):
                func("(param i32 i32) (result i32)",
                     f"(i32.{op} (local.get 0) (i32.{sh} (local.get 1) (i32.const {k})))",
                     [([("i32", a), ("i32", b)], [("i32", iop(op, a, shift(sh, b, k, 32)))])
                      for a, b in xs])
                func("(param i32 i32) (result i32)",
                     f"(i32.{op} (i32.{sh} (local.get 1) (i32.const {k})) (local.get 0))",
                     [([("i32", a), ("i32", b)], [("i32", iop(op, shift(sh, b, k, 32), a))])
                      for a, b in xs])


def dbl(i):
    return DOUBLES[i]


def gen_fmem():
    xs = [2.0, -0.3, 1e300]
    modes = [  # (address expression, args -> effective address)
        ("(local.get 1)", lambda a, b: a, [(DBL + 8, 0), (DBL + 16, 0)]),
        ("(i32.add (local.get 1) (local.get 2))", lambda a, b: (a + b) & M32,
         [(DBL, 24), ((DBL + 8 - 0x10000) & M32, 0x10000)]),
        ("(i32.add (local.get 1) (i32.const 40))", lambda a, b: (a + 40) & M32, [(DBL, 0)]),
    ]
    for op in ("add", "sub", "mul", "div"):
        for addr, ea, args in modes:
            for order in ("right", "left"):
                load = f"(f64.load offset=8 {addr})"
                body = (f"(f64.{op} (local.get 0) {load})" if order == "right"
                        else f"(f64.{op} {load} (local.get 0))")
                tests = []
                for x in xs:
                    for a, b in args:
                        m = struct.unpack("<d", mem[ea(a, b) + 8:ea(a, b) + 16])[0]
                        v = fop("f64", op, x, m) if order == "right" else fop("f64", op, m, x)
                        tests.append(([("f64", x), ("i32", a), ("i32", b)], [fresult("f64", v)]))
                tests.append(([("f64", 1.0), ("i32", PAGE - 8), ("i32", 0)], None))
                func("(param f64 i32 i32) (result f64)", body, tests)


def gen_products():
    # (1 + 2^-30)(1 - 2^-30) = 1 - 2^-60: rounded to 1.0 first, the sum with
    # -1 is 0; an FMA would give -2^-60.
    a, b = 1 + 2.0 ** -30, 1 - 2.0 ** -30
    cases = [(a, b, -1.0), (3.0, 0.1, 0.7), (1e308, 10.0, -1e308), (NAN, 1.0, 2.0)]
    forms = [
        ("(f64.add (local.get 2) (f64.mul (local.get 0) (local.get 1)))", lambda x, y, c: c + x * y),
        ("(f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2))", lambda x, y, c: x * y + c),
        ("(f64.sub (local.get 2) (f64.mul (local.get 0) (local.get 1)))", lambda x, y, c: c - x * y),
        ("(f64.sub (f64.mul (local.get 0) (local.get 1)) (local.get 2))", lambda x, y, c: x * y - c),
    ]
    for body, fn in forms:
        func("(param f64 f64 f64) (result f64)", body,
             [([("f64", x), ("f64", y), ("f64", c)], [fresult("f64", safe(fn, x, y, c))])
              for x, y, c in cases])
    # product with a memory operand (three address modes), then summed
    for addr, ea, bad in [("(local.get 1)", lambda p: p, PAGE - 4),
                          ("(i32.add (local.get 1) (local.get 3))", lambda p: p + 16, PAGE - 4),
                          ("(i32.sub (local.get 1) (i32.const 8))", lambda p: p - 8, 4)]:
        for body, fn in [
            (f"(f64.add (local.get 2) (f64.mul (local.get 0) (f64.load {addr})))",
             lambda x, m, c: c + x * m),
            (f"(f64.add (f64.mul (local.get 0) (f64.load {addr})) (local.get 2))",
             lambda x, m, c: x * m + c),
        ]:
            tests = []
            for i in range(1, 4):
                m = dbl(ea(8 * i) // 8)
                tests.append(([("f64", 0.5), ("i32", DBL + 8 * i), ("f64", 0.25), ("i32", 16)],
                              [fresult("f64", fn(0.5, m, 0.25))]))
            tests.append(([("f64", 0.5), ("i32", bad), ("f64", 0.25), ("i32", 16)], None))
            func("(param f64 i32 f64 i32) (result f64)", body, tests)


def safe(fn, x, y, c):
    try:
        return fn(x, y, c)
    except OverflowError:
        return NAN


def gen_to_mem():
    # a[i] op= x at one plain address; the value read back
    for body, fn in [
        ("(f64.add (local.get 1) (f64.load offset=8 (local.get 0)))", lambda m, x: x + m),
        ("(f64.sub (local.get 1) (f64.load offset=8 (local.get 0)))", lambda m, x: x - m),
        ("(f64.sub (f64.load offset=8 (local.get 0)) (local.get 1))", lambda m, x: m - x),
    ]:
        init = f"(f64.store offset=8 (local.get 0) (f64.const 2.5))"
        full = f"{init} (f64.store offset=8 (local.get 0) {body}) (f64.load offset=8 (local.get 0))"
        func("(param i32 f64) (result f64)", full,
             [([("i32", SCRATCH + 64), ("f64", 0.75)], [("f64", fn(2.5, 0.75))])])
        func("(param i32 f64)", f"(f64.store offset=8 (local.get 0) {body})",
             [([("i32", PAGE - 8), ("f64", 0.75)], None)])
    # the same with a product (a[i] += y * z, a[i] -= y * z), rounded twice
    y, z = 1 + 2.0 ** -30, 1 - 2.0 ** -30
    for body, fn in [
        ("(f64.add (f64.mul (local.get 1) (local.get 2)) (f64.load offset=8 (local.get 0)))",
         lambda m: y * z + m),
        ("(f64.sub (f64.load offset=8 (local.get 0)) (f64.mul (local.get 1) (local.get 2)))",
         lambda m: m - y * z),
        ("(f64.sub (f64.mul (local.get 1) (local.get 2)) (f64.load offset=8 (local.get 0)))",
         lambda m: y * z - m),
        ("(f64.add (f64.load offset=8 (local.get 0)) (f64.mul (local.get 1) (local.get 2)))",
         lambda m: m + y * z),
    ]:
        init = f"(f64.store offset=8 (local.get 0) (f64.const -1))"
        full = f"{init} (f64.store offset=8 (local.get 0) {body}) (f64.load offset=8 (local.get 0))"
        func("(param i32 f64 f64) (result f64)", full,
             [([("i32", SCRATCH + 64), ("f64", y), ("f64", z)], [("f64", fn(-1.0))])])
        func("(param i32 f64 f64)", f"(f64.store offset=8 (local.get 0) {body})",
             [([("i32", PAGE - 8), ("f64", y), ("f64", z)], None)])


# ------------------------------------------------------------ moves, zeroing
def gen_moves():
    func("(param i32 i32 i32) (result i32 i32 i32)",
         "(local.set $t (local.get 0)) (local.set 0 (local.get 1)) (local.set 1 (local.get 2)) "
         "(local.set 2 (local.get $t)) (local.get 0) (local.get 1) (local.get 2)",
         [([("i32", 1), ("i32", 2), ("i32", 3)], [("i32", 2), ("i32", 3), ("i32", 1)])],
         "(local $t i32)")
    # a chain where each move reads the previous one's destination
    func("(param i32) (result i32 i32 i32)",
         "(local.set $a (local.get 0)) (local.set $b (local.get $a)) (local.set $c (local.get $b)) "
         "(local.get $a) (local.get $b) (local.get $c)",
         [([("i32", 7)], [("i32", 7), ("i32", 7), ("i32", 7)])],
         "(local $a i32) (local $b i32) (local $c i32)")


ZERO_HELPERS = """  (func $dirty (local i32 i64 f32 f64 i32 i32 v128 i32)
    (local.set 0 (i32.const -1)) (local.set 1 (i64.const -1)) (local.set 2 (f32.const -1))
    (local.set 3 (f64.const -1)) (local.set 4 (i32.const -1)) (local.set 5 (i32.const -1))
    (local.set 6 (v128.const i64x2 -1 -1)) (local.set 7 (i32.const -1)))
  (func $clean (result i64) (local i32 i64 f32 f64 i32 i32 v128 i32)
    (i64.or (i64.or (i64.or (i64.extend_i32_u (local.get 0)) (local.get 1))
                    (i64.or (i64.reinterpret_f64 (f64.promote_f32 (local.get 2)))
                            (i64.reinterpret_f64 (local.get 3))))
            (i64.or (i64.or (i64.extend_i32_u (i32.or (local.get 4) (local.get 5)))
                            (i64x2.extract_lane 1 (local.get 6)))
                    (i64.or (i64x2.extract_lane 0 (local.get 6)) (i64.extend_i32_u (local.get 7))))))
  (func $skip_set (param $c i32) (result i32) (local $x i32)
    (block (br_if 0 (local.get $c)) (local.set $x (i32.const 5))) (local.get $x))
  (func $loop_read (result i32) (local $x i32) (local $n i32) (local $sum i32)
    (loop $l
      (local.set $sum (i32.add (local.get $sum) (local.get $x)))
      (local.set $x (i32.const 100))
      (br_if $l (i32.lt_u (local.tee $n (i32.add (local.get $n) (i32.const 1))) (i32.const 3))))
    (local.get $sum))
  (func $set_first (result i32) (local $x i32) (local $y i32)
    (local.set $x (i32.const 7)) (i32.add (local.get $x) (local.get $y)))"""


def gen_zeroing():
    func("(result i64)", "(call $dirty) (call $clean)", [([], [("i64", 0)])])
    func("(param i32) (result i32)", "(call $dirty) (call $skip_set (local.get 0))",
         [([("i32", 1)], [("i32", 0)]), ([("i32", 0)], [("i32", 5)])])
    func("(result i32)", "(call $dirty) (call $loop_read)", [([], [("i32", 200)])])
    func("(result i32)", "(call $dirty) (call $set_first)", [([], [("i32", 7)])])


def main():
    gen_loads()
    gen_stores()
    gen_int_imm()
    gen_float_imm()
    gen_branches()
    gen_latches()
    gen_shifted()
    gen_fmem()
    gen_products()
    gen_to_mem()
    gen_moves()
    gen_zeroing()
    print(";; Generated by gen_peephole.py: the translator's fused instructions "
          "(src/engine/code.h, \"Peephole\").")
    print(";; Do not edit; change the generator and run it again.")
    print("(module")
    print("  (memory 1)")
    print(data_segments())
    print(ZERO_HELPERS)
    print("\n".join(funcs))
    print(")")
    print("\n".join(asserts))


if __name__ == "__main__":
    main()
