;; wasi: a WASI command that writes to stdout and stderr, echoes its
;; environment's first variable, and exits with 7 when given two arguments.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, WASI!\n")
  (data (i32.const 32) "to stderr\n")
  (data (i32.const 48) "\n")
  ;; write(fd, ptr, len) through an iovec at 0
  (func $write (param i32 i32 i32)
    (i32.store (i32.const 0) (local.get 1))
    (i32.store (i32.const 4) (local.get 2))
    (drop (call $fd_write (local.get 0) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $strlen (param i32) (result i32) (local i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get 0) (local.get 1)))))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br $next)))
    (local.get 1))
  (func (export "_start") (local $var i32)
    (call $write (i32.const 1) (i32.const 16) (i32.const 13))
    (call $write (i32.const 2) (i32.const 32) (i32.const 10))
    ;; the first environment variable: pointers at 1024, strings at 2048
    (drop (call $environ_sizes_get (i32.const 64) (i32.const 68)))
    (if (i32.gt_u (i32.load (i32.const 64)) (i32.const 0)) (then
      (drop (call $environ_get (i32.const 1024) (i32.const 2048)))
      (local.set $var (i32.load (i32.const 1024)))
      (call $write (i32.const 1) (local.get $var) (call $strlen (local.get $var)))
      (call $write (i32.const 1) (i32.const 48) (i32.const 1))))
    (drop (call $args_sizes_get (i32.const 64) (i32.const 68)))
    (if (i32.eq (i32.load (i32.const 64)) (i32.const 3)) (then (call $proc_exit (i32.const 7))))))
