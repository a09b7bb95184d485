;; no_start.wat - a module without _start: wasix_run must refuse to start it.
(module
  (func (export "main")))
