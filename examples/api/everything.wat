;; everything: one object of each kind, for the test that calls every
;; function of wasm.h.
(module
  (import "" "f" (func $f (param i32) (result i32)))
  (func (export "f") (param i32) (result i32) (call $f (local.get 0)))
  (global (export "g") (mut i32) (i32.const 1))
  (table (export "t") 1 funcref)
  (memory (export "m") 1))
