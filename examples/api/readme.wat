;; readme: the module of README.md's embedding example. It imports a host
;; function that doubles a number and exports add_doubled(a, b) = a + 2*b.
(module
  (import "host" "double" (func $double (param i32) (result i32)))
  (func (export "add_doubled") (param i32 i32) (result i32)
    (i32.add (local.get 0) (call $double (local.get 1)))))
