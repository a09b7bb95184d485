"""Random modules shaped like the translator's fused forms (code.h, "Peephole").

binaryen's -ttf rarely puts a constant on the left of a subtraction, a compare
right before a br_if, an i32.add right before a load, and so on; this
generator writes WebAssembly text full of such sequences, in random
combinations, for tests/fuzz/diff_fusion.py (wat2wasm turns it into a
module). module_text(rng) returns the text of one module: ten exported
functions over the same locals, which log values through imported functions,
load and store in one page of memory, and loop a bounded number of times.

Integers live in the first half of the memory, f32s and f64s in quarters of
the second (the float accesses' offsets add AREA[type]): a NaN's payload,
which WebAssembly leaves open and a fused form may legitimately change, is
then never read back as another type, not even in part: addresses are
multiples of 8 and float offsets too.
"""

AREA = {"i32": 0, "i64": 0, "f32": 0x8000, "f64": 0xC000}

I32_EDGE = [0, 1, -1, 2, 7, 31, 32, 33, 0x7fffffff, -0x80000000, 0xffff, 1000]
I64_EDGE = [0, 1, -1, 63, 64, 0x7fffffffffffffff, -0x8000000000000000, 0x100000000]
F_EDGE = ["0", "-0", "1", "-1.5", "0.1", "inf", "-inf", "nan", "nan:0x4", "-nan", "3.4e38",
          "1e-40"]
F64_EDGE = F_EDGE + ["1e300", "1e-310", "nan:0x8000000000001"]

# $p and $q hold small addresses: only address code changes them.
SETS = {"i32": ["$a", "$b"], "i64": ["$c", "$d", "$k"], "f32": ["$f", "$g"],
        "f64": ["$x", "$y", "$z"]}
LOCALS = {"i32": ["$a", "$b", "$p", "$q"], "i64": ["$c", "$d", "$k"],
          "f32": ["$f", "$g"], "f64": ["$x", "$y", "$z"]}
INT_BIN = ["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr"] * 3 \
    + ["div_s", "div_u", "rem_s", "rem_u"]
INT_CMP = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"]
# No copysign: it turns the sign of a NaN, which WebAssembly leaves open (and
# fused forms may swap the operands of a commutative op), into a number.
FLT_BIN = ["add", "sub", "mul", "div", "min", "max"]
FLT_CMP = ["eq", "ne", "lt", "gt", "le", "ge"]
LOADS = {"i32": ["i32.load", "i32.load8_s", "i32.load8_u", "i32.load16_s", "i32.load16_u"],
         "i64": ["i64.load", "i64.load8_s", "i64.load32_u", "i64.load32_s", "i64.load16_u"],
         "f32": ["f32.load"], "f64": ["f64.load"]}
STORES = {"i32": ["i32.store", "i32.store8", "i32.store16"],
          "i64": ["i64.store", "i64.store8", "i64.store32"], "f32": ["f32.store"],
          "f64": ["f64.store"]}


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.loop_depth = 0

    def pick(self, xs):
        return self.r.choice(xs)

    def const(self, t):
        if t == "i32":
            v = self.pick(I32_EDGE) if self.r.random() < 0.6 else self.r.getrandbits(32) - 2**31
        elif t == "i64":
            v = self.pick(I64_EDGE) if self.r.random() < 0.6 else self.r.getrandbits(64) - 2**63
        else:
            v = self.pick(F64_EDGE if t == "f64" else F_EDGE) if self.r.random() < 0.6 else repr(self.r.uniform(-1e3, 1e3))
        return "(%s.const %s)" % (t, v)

    def local(self, t):
        return "(local.get %s)" % self.pick(LOCALS[t])

    def addr(self, d):
        """An address: a small local plus a constant or a slot, or a constant
        (mostly in bounds of the one page, sometimes not)."""
        k = self.r.random()
        base = "(i32.and %s (i32.const 0x3ff8))" % self.expr("i32", d + 1) if k < 0.2 else \
            "(local.get %s)" % self.pick(["$p", "$q"])
        if k < 0.35:
            edge = self.r.random() < 0.03  # out of bounds now and then
            return "(i32.const %d)" % self.pick([65536, -8] if edge else [0, 8, 64, 4096, 16000])
        if k < 0.7:
            return "(i32.add %s (i32.const %d))" % (base, self.pick([0, 8, 16, -8, 96]))
        if k < 0.8:
            return "(i32.sub %s (i32.const %d))" % (base, self.pick([8, 16]))
        if k < 0.9:
            return "(i32.add %s (local.get %s))" % (base, self.pick(["$p", "$q"]))
        return base

    def load(self, t, d):
        off = 0x10000 if self.r.random() < 0.02 else self.pick([0, 4, 8, 24])  # or out of bounds
        if t[0] == "f" and off < 0x10000:
            off = AREA[t] + off // 8 * 8
        if self.r.random() < 0.25:  # local.tee $p (add ...) then a load from $p
            v = self.pick(["$p", "$q"])
            return "(block (result %s) (local.set %s (i32.add (local.get %s) (i32.const %d))) " \
                   "(%s offset=%d (local.get %s)))" % (t, v, v, self.pick([8, -8, 16, -16]),
                                                       self.pick(LOADS[t]), off, v)
        return "(%s offset=%d %s)" % (self.pick(LOADS[t]), off, self.addr(d))

    def operand(self, t, d):
        """An operand of a binary op: often a constant, a local or a load."""
        k = self.r.random()
        if k < 0.3:
            return self.const(t)
        if k < 0.55:
            return self.local(t)
        if k < 0.65:
            return self.load(t, d)
        return self.expr(t, d + 1)

    def binary(self, t, d):
        if t in ("i32", "i64"):
            op = self.pick(INT_BIN)
            if t == "i32" and self.r.random() < 0.2:  # shifted operand
                sh = "(i32.%s %s (i32.const %d))" % (self.pick(["shl", "shr_u", "shr_s", "rotl"]),
                                                      self.local(t), self.r.randrange(40))
                other = self.operand(t, d)
                l, r = (sh, other) if self.r.random() < 0.5 else (other, sh)
                return "(i32.%s %s %s)" % (self.pick(["add", "sub", "and", "or", "xor"]), l, r)
        else:
            op = self.pick(FLT_BIN)
            if t == "f64" and self.r.random() < 0.3:  # a product then a sum
                prod = "(f64.mul %s %s)" % (self.operand(t, d), self.operand(t, d))
                other = self.operand(t, d)
                l, r = (prod, other) if self.r.random() < 0.5 else (other, prod)
                return "(f64.%s %s %s)" % (self.pick(["add", "sub"]), l, r)
        return "(%s.%s %s %s)" % (t, op, self.operand(t, d), self.operand(t, d))

    def compare(self, d):
        t = self.pick(["i32", "i32", "i64", "f32", "f64"])
        if t in ("i32", "i64") and self.r.random() < 0.15:
            return "(%s.eqz %s)" % (t, self.operand(t, d))
        if t == "i32" and self.r.random() < 0.15:
            return "(i32.and %s %s)" % (self.operand(t, d), self.operand(t, d))
        ops = INT_CMP if t[0] == "i" else FLT_CMP
        return "(%s.%s %s %s)" % (t, self.pick(ops), self.operand(t, d), self.operand(t, d))

    def expr(self, t, d=0):
        if d > 3:
            return self.pick([self.const(t), self.local(t)])
        k = self.r.random()
        if k < 0.15:
            return self.const(t)
        if k < 0.3:
            return self.local(t)
        if k < 0.4:
            return self.load(t, d)
        if k < 0.5 and t == "i32":
            return self.compare(d)
        if k < 0.55:
            return "(select %s %s %s)" % (self.expr(t, d + 1), self.expr(t, d + 1),
                                          self.compare(d + 1))
        return self.binary(t, d)

    def stmt(self, d):
        t = self.pick(["i32", "i32", "i64", "f32", "f64"])
        k = self.r.random()
        if d > 2 or k < 0.3:
            return "(local.set %s %s)" % (self.pick(SETS[t]), self.expr(t))
        if k < 0.4:
            return "(call $log_%s %s)" % (t, self.expr(t))
        if k < 0.55:
            val = self.const(t) if self.r.random() < 0.3 else self.expr(t)
            off = self.pick([0, 8, 16]) + AREA[t]
            return "(%s offset=%d %s %s)" % (self.pick(STORES[t]), off, self.addr(d), val)
        if k < 0.62:  # a[i] op= x
            a = "(local.get %s)" % self.pick(["$p", "$q"])
            load = "(f64.load offset=%d %s)" % (AREA["f64"] + 8, a)
            x = self.operand("f64", d)
            if self.r.random() < 0.4:
                x = "(f64.mul %s %s)" % (self.local("f64"), self.local("f64"))
            op = self.pick(["add", "sub"])
            l, r = (load, x) if self.r.random() < 0.7 else (x, load)
            return "(f64.store offset=%d %s (f64.%s %s %s))" % (AREA["f64"] + 8, a, op, l, r)
        if k < 0.75:
            return "(if %s (then %s) (else %s))" % (self.compare(d), self.stmts(d + 1),
                                                    self.stmts(d + 1))
        if k < 0.85:
            return "(block $b%d %s (br_if $b%d %s) %s)" % (d, self.stmts(d + 1), d,
                                                          self.compare(d), self.stmts(d + 1))
        return self.loop(d)

    def loop(self, d):
        """A loop run at most 20 times: its counter is only touched by the
        latch, an add/sub right before the branch that tests it."""
        if self.loop_depth >= 2:
            return "(nop)"
        i = "$i%d" % self.loop_depth
        self.loop_depth += 1
        body = self.stmts(d + 1)
        self.loop_depth -= 1
        n = self.r.randrange(1, 20)
        latch = self.pick([
            "(br_if $l%d (i32.lt_s (local.tee %s (i32.add (local.get %s) (i32.const 1))) "
            "(i32.const %d)))" % (d, i, i, n),
            "(br_if $l%d (i32.gt_u (i32.const %d) (local.tee %s (i32.add (local.get %s) "
            "(i32.const 1)))))" % (d, n, i, i),
            "(br_if $l%d (i32.ne (local.tee %s (i32.add (local.get %s) (i32.const 1))) "
            "(i32.const %d)))" % (d, i, i, n),
            "(br_if $l%d (local.tee %s (i32.sub (local.get %s) (i32.const 1))))" % (d, i, i),
        ])
        start = "(local.set %s (i32.const %d))" % (i, n if "i32.sub" in latch else 0)
        return "%s (loop $l%d %s %s)" % (start, d, body, latch)

    def stmts(self, d):
        return " ".join(self.stmt(d) for _ in range(self.r.randrange(1, 4)))

    def func(self, n):
        params = "(param $a i32) (param $b i32) (param $c i64) (param $x f64) (param $f f32)"
        locs = "(local $p i32) (local $q i32) (local $d i64) (local $k i64) (local $y f64) " \
               "(local $z f64) (local $g f32) (local $i0 i32) (local $i1 i32)"
        init = "(local.set $p (i32.add (i32.and (local.get $a) (i32.const 0x3ff8)) " \
               "(i32.const 64))) " \
               "(local.set $q (i32.const 64))"
        logs = " ".join("(call $log_%s (local.get %s))" % (t, v)
                        for t, vs in LOCALS.items() for v in vs)
        body = " ".join(self.stmt(0) for _ in range(self.r.randrange(3, 9)))
        return '(func (export "f%d") %s (result i32) %s %s %s %s %s)' % (
            n, params, locs, init, body, logs, self.expr("i32"))


def module_text(rng):
    g = Gen(rng)
    imports = "".join('(import "env" "log_%s" (func $log_%s (param %s)))' % (t, t, t)
                      for t in ("i32", "i64", "f32", "f64"))
    data = '(data (i32.const 0) "%s")' % "".join("\\%02x" % rng.getrandbits(8) for _ in range(256))
    funcs = "\n".join(g.func(n) for n in range(10))
    return "(module %s (memory 1 2) %s\n%s)\n" % (imports, data, funcs)
