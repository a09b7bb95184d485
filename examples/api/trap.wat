;; trap: traps from a host callback and from wasm code, and recursion that
;; runs out of stack, in wasm alone and through the host.
(module
  (import "" "fail" (func $fail (result i32)))
  (import "" "reenter" (func $reenter (result i32)))
  (func (export "callback") (result i32) (call $fail))
  (func (export "unreachable") (result i32) (unreachable))
  (func $div (export "divide") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "nested") (param i32) (result i32) (call $div (local.get 0)))
  (func $deep (export "deep") (result i32) (i32.add (call $deep) (i32.const 1)))
  (func (export "through_host") (result i32) (i32.add (call $reenter) (i32.const 1))))
