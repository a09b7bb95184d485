;; exit_many.wat - the main thread spawns threads until a spawn fails (the
;; thread limit: run with --max-threads N+1 for N threads), each of which
;; blocks forever by its start argument modulo 6: futex_wait, memory.atomic
;; .wait32, thread_sleep (an hour), poll_oneoff (an hour's clock), fd_read on
;; an empty pipe the main thread made (fd_pipe), or sock_accept_v2 on a TCP
;; socket listening on 127.0.0.1 (with a network policy that allows it, e.g.
;; `--net allow=127.0.0.1:*`; without one those threads read the pipe too).
;; Once all have started, the main thread writes "exiting\n" to stdout and
;; calls proc_exit(42). 3: a blocked thread's loop fell through; 4: no thread
;; could be spawned; 5: no pipe.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasix_32v1" "futex_wait" (func $futex_wait (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "thread_sleep" (func $sleep (param i64) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "fd_pipe" (func $pipe (param i32 i32) (result i32)))
  (import "wasix_32v1" "sock_open" (func $sock_open (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "sock_bind" (func $sock_bind (param i32 i32) (result i32)))
  (import "wasix_32v1" "sock_listen" (func $sock_listen (param i32 i32) (result i32)))
  (import "wasix_32v1" "sock_accept_v2"
    (func $accept (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 16 16 shared))
  ;; 0: started-thread count; 16: the word everyone waits on (stays 0);
  ;; 32: futex_wait's OptionTimestamp (tag 0 = forever);
  ;; 64: a poll_oneoff clock subscription (48 bytes): userdata 0, tag 0 (clock),
  ;;     id 1 (monotonic) @80, timeout 3600 s @88, precision 0, flags 0 (relative);
  ;; 65536 + 64 * arg: thread arg's own scratch (poll event @0, nevents @32, woken @40)
  ;; passive, copied once by _start: an active segment would be written again
  ;; by every thread's instance while the others run (as LLVM avoids too)
  (data $clock "\01\00\00\00\00\00\00\00\00\a0\b8\30\46\03\00\00")
  (data $bye "exiting\n")
  (func $block (param $kind i32) (param $own i32)
    (loop $forever
      (block $next
        (if (i32.eqz (local.get $kind)) (then
          (drop (call $futex_wait (i32.const 16) (i32.const 0) (i32.const 32)
                                  (i32.add (local.get $own) (i32.const 40))))
          (br $next)))
        (if (i32.eq (local.get $kind) (i32.const 1)) (then
          (drop (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const -1)))
          (br $next)))
        (if (i32.eq (local.get $kind) (i32.const 2)) (then
          (drop (call $sleep (i64.const 3600000000000)))
          (br $next)))
        (if (i32.eq (local.get $kind) (i32.const 3)) (then
          (drop (call $poll (i32.const 64) (local.get $own) (i32.const 1)
                            (i32.add (local.get $own) (i32.const 32))))
          (br $next)))
        (if (i32.and (i32.eq (local.get $kind) (i32.const 5))
                     (i32.ge_s (i32.load (i32.const 136)) (i32.const 0))) (then
          (drop (call $accept (i32.load (i32.const 136)) (i32.const 0)
                              (i32.add (local.get $own) (i32.const 44)) (i32.const 168)))
          (br $next)))
        (i32.store (i32.add (local.get $own) (i32.const 48)) (i32.add (local.get $own) (i32.const 56)))
        (i32.store (i32.add (local.get $own) (i32.const 52)) (i32.const 1))
        (drop (call $read (i32.load (i32.const 128)) (i32.add (local.get $own) (i32.const 48))
                          (i32.const 1) (i32.add (local.get $own) (i32.const 44)))))
      (br $forever)))
  ;; The pipe and, when the policy allows it, the listening socket.
  (func $setup
    (local $fd i32)
    (if (call $pipe (i32.const 128) (i32.const 132)) (then (call $exit (i32.const 5))))
    (i32.store (i32.const 136) (i32.const -1))
    (i32.store8 (i32.const 144) (i32.const 1))
    (i32.store (i32.const 148) (i32.const 0x0100007f))
    (br_if 0 (call $sock_open (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 140)))
    (local.set $fd (i32.load (i32.const 140)))
    (br_if 0 (call $sock_bind (local.get $fd) (i32.const 144)))
    (br_if 0 (call $sock_listen (local.get $fd) (i32.const 16)))
    (i32.store (i32.const 136) (local.get $fd)))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1)))
    (call $block (i32.rem_u (local.get $arg) (i32.const 6))
                 (i32.add (i32.const 65536) (i32.shl (i32.and (local.get $arg) (i32.const 8191))
                                                     (i32.const 6))))
    (call $exit (i32.const 3)))
  (func (export "_start")
    (local $n i32) (local $seen i32)
    (memory.init $clock (i32.const 80) (i32.const 0) (i32.const 16))
    (call $setup)
    (block $full
      (loop $more
        (br_if $full (i32.lt_s (call $spawn (local.get $n)) (i32.const 1)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $more)))
    (if (i32.eqz (local.get $n)) (then (call $exit (i32.const 4))))
    (block $all
      (loop $wait
        (local.set $seen (i32.atomic.load (i32.const 0)))
        (br_if $all (i32.ge_u (local.get $seen) (local.get $n)))
        (drop (memory.atomic.wait32 (i32.const 0) (local.get $seen) (i64.const 10000000)))
        (br $wait)))
    (memory.init $bye (i32.const 192) (i32.const 0) (i32.const 8))
    (i32.store (i32.const 200) (i32.const 192))
    (i32.store (i32.const 204) (i32.const 8))
    (drop (call $write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 208)))
    (call $exit (i32.const 42))))
