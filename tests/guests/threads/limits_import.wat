;; limits_import.wat - the same checks as limits_grow.wat on an imported shared
;; memory (1 page, maximum 100), which the process makes. Cap of 4 pages:
;; growing to 5 pages returns -1, to exactly 4 succeeds, past it -1 again; the
;; guest sees the failures as values and exits 0. Without the cap the first
;; over-cap grow succeeds and it exits 2. Other statuses name a failed check.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 100 shared))
  (func $expect (param $got i32) (param $want i32) (param $code i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $exit (local.get $code)))))
  (func (export "_start")
    (call $expect (memory.grow (i32.const 1)) (i32.const 1) (i32.const 1))
    (call $expect (memory.grow (i32.const 3)) (i32.const -1) (i32.const 2))
    (call $expect (memory.grow (i32.const 2)) (i32.const 2) (i32.const 3))
    (call $expect (memory.grow (i32.const 1)) (i32.const -1) (i32.const 4))
    (call $expect (memory.grow (i32.const 65536)) (i32.const -1) (i32.const 5))
    (call $expect (memory.size) (i32.const 4) (i32.const 6))
    ;; the last page is usable
    (i32.store (i32.const 262140) (i32.const 7))
    (call $expect (i32.load (i32.const 262140)) (i32.const 7) (i32.const 7))))
