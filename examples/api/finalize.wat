;; finalize: a module instantiated many times.
(module
  (import "" "count" (func $count))
  (func (export "run") (call $count)))
