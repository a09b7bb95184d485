;; bad_import.wat - imports a function no namespace provides: wasix_run must
;; refuse to start the process (-1) and name the import.
(module
  (import "nowhere" "nothing" (func))
  (func (export "_start")))
