;; unshared.wat - a module that exports wasi_thread_start but imports a
;; memory that is not shared: spawning fails with Memviolation (78), as in
;; Wasmer's seed. Exit 0 when so (proc_exit2 with the failed check otherwise).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasix_32v1" "thread_spawn_v2" (func $spawn2 (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exit2" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1))
  (func (export "wasi_thread_start") (param i32 i32))
  (func (export "_start")
    (if (i32.ne (call $spawn (i32.const 0)) (i32.const -78))
      (then (call $exit (i32.const 1))))
    (if (i32.ne (call $spawn2 (i32.const 0) (i32.const 128)) (i32.const 78))
      (then (call $exit (i32.const 2))))))
