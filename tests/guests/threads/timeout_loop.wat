;; timeout_loop.wat - _start spins forever: only --timeout ends it (124).
(module
  (memory 1)
  (func (export "_start") (loop $spin (br $spin))))
