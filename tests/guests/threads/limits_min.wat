;; limits_min.wat - a module whose own memory starts at 10 pages (640 KiB):
;; with a --max-memory below that the process does not start ("memory minimum
;; exceeds --max-memory"); without a cap it exits 0.
(module
  (memory 10)
  (func (export "_start")))
