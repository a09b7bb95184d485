;; hello: the module calls back into the host once.
(module
  (import "" "hello" (func $hello))
  (func (export "run") (call $hello)))
