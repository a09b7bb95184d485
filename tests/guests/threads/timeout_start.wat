;; timeout_start.wat - the start section spins forever, before _start ever
;; runs: --timeout must end it too (124).
(module
  (memory 1)
  (func $spin (loop $spin (br $spin)))
  (start $spin)
  (func (export "_start")))
