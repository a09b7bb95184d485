;; redteam.wat - hostile calls of the process and socket surface (issue 16),
;; each of which must give an errno and leave the host and the sandbox alone:
;; proc_signal to PID 0, 0xffffffff (kill(-1) on a host) and a PID outside the
;; tree: Srch; proc_exec3 and proc_spawn2 with every pointer wild; fd_pipe
;; until descriptors run out (an errno, then stdout still works); a TCP
;; connect to 10.0.0.1:80 under `--net allow=127.0.0.1:*`: Perm (no packet
;; leaves); proc_exec3 of hostile files in the preopened "/" (made by the
;; test: a truncated module, a `#!` script naming itself, two scripts naming
;; each other, a directory, a sparse 3 GiB file, /dev/zero): an errno each,
;; and the process goes on. Exits 0 after writing "redteam ok\n", else the failed check's
;; number.
(module
  (import "wasix_32v1" "proc_signal" (func $signal (param i32 i32) (result i32)))
  (import "wasix_32v1" "proc_exec3"
    (func $exec3 (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "proc_spawn2"
    (func $spawn2 (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "fd_pipe" (func $pipe (param i32 i32) (result i32)))
  (import "wasix_32v1" "sock_open" (func $sock_open (param i32 i32 i32 i32) (result i32)))
  (import "wasix_32v1" "sock_connect" (func $connect (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (data (i32.const 64) "redteam ok\n")
  ;; the hostile programs' names, each at 128 + 32 * i
  (data (i32.const 128) "/trunc.wasm")
  (data (i32.const 160) "/loop.sh")
  (data (i32.const 192) "/l1")
  (data (i32.const 224) "/adir")
  (data (i32.const 256) "/huge.wasm")
  (data (i32.const 288) "/dev/zero")
  (data (i32.const 320) "/missing")
  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $code)))))
  ;; proc_exec3 of the name at ptr (len bytes), no arguments, the same
  ;; environment, no PATH search: the errno
  (func $exec (param $ptr i32) (param $len i32) (result i32)
    (call $exec3 (local.get $ptr) (local.get $len) (i32.const 0) (i32.const 0) (i32.const 0)
                 (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
  (func (export "_start")
    (local $i i32) (local $e i32) (local $w i32)
    (local.set $w (i32.const 0xfffffff0))
    ;; proc_signal(pid, SIGTERM) outside the tree: Srch (71)
    (call $check (i32.eq (call $signal (i32.const 0) (i32.const 15)) (i32.const 71)) (i32.const 1))
    (call $check (i32.eq (call $signal (i32.const -1) (i32.const 15)) (i32.const 71)) (i32.const 2))
    (call $check (i32.eq (call $signal (i32.const 99999) (i32.const 9)) (i32.const 71)) (i32.const 3))
    (call $check (i32.ne (call $signal (i32.const 1) (i32.const 999)) (i32.const 0)) (i32.const 4))
    ;; wild pointers: an errno, no trap, no crash
    (call $check (i32.ne (call $exec3 (local.get $w) (local.get $w) (local.get $w) (local.get $w)
                                      (local.get $w) (local.get $w) (local.get $w) (local.get $w)
                                      (local.get $w)) (i32.const 0)) (i32.const 5))
    (call $check (i32.ne (call $spawn2 (local.get $w) (local.get $w) (local.get $w) (local.get $w)
                                       (local.get $w) (local.get $w) (local.get $w) (local.get $w)
                                       (local.get $w) (local.get $w) (local.get $w) (local.get $w)
                                       (local.get $w) (local.get $w)) (i32.const 0)) (i32.const 6))
    ;; hostile programs: Noexec (45), Loop/Noexec, Isdir/Noexec, Noent (44)
    (call $check (i32.ne (call $exec (i32.const 128) (i32.const 11)) (i32.const 0)) (i32.const 11))
    (call $check (i32.ne (call $exec (i32.const 160) (i32.const 8)) (i32.const 0)) (i32.const 12))
    (call $check (i32.ne (call $exec (i32.const 192) (i32.const 3)) (i32.const 0)) (i32.const 13))
    (call $check (i32.ne (call $exec (i32.const 224) (i32.const 5)) (i32.const 0)) (i32.const 14))
    (call $check (i32.ne (call $exec (i32.const 256) (i32.const 10)) (i32.const 0)) (i32.const 15))
    (call $check (i32.ne (call $exec (i32.const 288) (i32.const 9)) (i32.const 0)) (i32.const 16))
    (call $check (i32.eq (call $exec (i32.const 320) (i32.const 8)) (i32.const 44)) (i32.const 17))
    ;; a socket to a forbidden address: Perm (63), no packet sent
    (call $check (i32.eqz (call $sock_open (i32.const 1) (i32.const 1) (i32.const 0) (i32.const 16)))
                 (i32.const 7))
    (i32.store8 (i32.const 32) (i32.const 1))
    (i32.store16 (i32.const 34) (i32.const 80))
    (i32.store (i32.const 36) (i32.const 0x0100000a))
    (call $check (i32.eq (call $connect (i32.load (i32.const 16)) (i32.const 32)) (i32.const 63))
                 (i32.const 8))
    ;; pipes until an errno (at most 100,000 tries)
    (block $out
      (loop $more
        (local.set $e (call $pipe (i32.const 8) (i32.const 12)))
        (br_if $out (local.get $e))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $more (i32.lt_u (local.get $i) (i32.const 100000)))))
    (call $check (i32.ne (local.get $e) (i32.const 0)) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 11))
    (call $check (i32.eqz (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20)))
                 (i32.const 9))))
