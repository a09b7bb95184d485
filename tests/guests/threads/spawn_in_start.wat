;; spawn_in_start.wat - the start section spawns a thread, so every thread's
;; instance spawns the next one as it is made: an endless chain of threads.
;; _start then blocks forever in memory.atomic.wait32; only --timeout (or the
;; thread limit's errno) ends the chain, and the process ends with 124. A
;; failed spawn is ignored (the chain just stops); 3 means the wait returned.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func $chain
    (drop (call $spawn (i32.const 0))))
  (start $chain)
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32))
  (func (export "_start")
    (drop (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const -1)))
    (call $exit (i32.const 3))))
