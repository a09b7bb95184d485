;; Unbounded recursion, for the opt tier's stack limit (tests/opt.cmake).
(module
  (func $rec (export "rec") (param i32) (result i32)
    (i32.add (call $rec (local.get 0)) (i32.const 1))))
