;; timeout_threads.wat - three threads that never end by themselves: worker 1
;; blocks in futex_wait (no timeout), worker 2 spins, and the main thread,
;; once both have started, blocks in memory.atomic.wait32 (no timeout). Only
;; --timeout ends the process (124). A failed spawn exits 1 or 2; 3 means the
;; main thread's wait returned.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasix_32v1" "futex_wait" (func $futex_wait (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))
  ;; 0: started-thread count; 16: the word everyone waits on (stays 0);
  ;; 32: futex_wait's OptionTimestamp (tag 0 = forever); 48: its *woken
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
    (if (i32.eq (local.get $arg) (i32.const 2))
      (then (loop $spin (br $spin))))
    (loop $wait
      (drop (call $futex_wait (i32.const 16) (i32.const 0) (i32.const 32) (i32.const 48)))
      (br $wait)))
  (func (export "_start")
    (local $n i32)
    (if (i32.lt_s (call $spawn (i32.const 1)) (i32.const 1)) (then (call $exit (i32.const 1))))
    (if (i32.lt_s (call $spawn (i32.const 2)) (i32.const 1)) (then (call $exit (i32.const 2))))
    (block $both
      (loop $more
        (local.set $n (i32.atomic.load (i32.const 0)))
        (br_if $both (i32.ge_u (local.get $n) (i32.const 2)))
        (drop (memory.atomic.wait32 (i32.const 0) (local.get $n) (i64.const 10000000)))
        (br $more)))
    (drop (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const -1)))
    (call $exit (i32.const 3))))
