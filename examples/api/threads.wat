;; threads: one module, instantiated in a store per thread.
(module
  (import "" "hello" (func $message (param i32)))
  (global $id (import "" "id") i32)
  (func (export "run") (call $message (global.get $id))))
