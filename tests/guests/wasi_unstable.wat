;; wasi_unstable.wat - checks the three places where wasi_unstable (WASI
;; snapshot0) lays data out differently from preview1: whence (CUR=0, END=1,
;; SET=2), the 56-byte filestat (u32 nlink at 20, size at 24) and the 56-byte
;; clock subscription (identifier first). Run by tests/unit/test_wasi_ctx.c
;; with fd 3 = a preopen holding "f" = "0123456789". Exits 0 when every check
;; holds, else with the number of the first failed check.
(module
  (import "wasi_unstable" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "f")

  ;; Exits with `code` unless `ok`.
  (func $check (param $ok i32) (param $code i32)
    (if (i32.eqz (local.get $ok)) (then (call $proc_exit (local.get $code)))))

  ;; Seeks the file at 100 and checks the new offset stored at 112.
  (func $seek (param $off i64) (param $whence i32) (param $want i64) (param $code i32)
    (call $check (i32.eqz (call $fd_seek (i32.load (i32.const 100)) (local.get $off)
                                         (local.get $whence) (i32.const 112)))
                 (local.get $code))
    (call $check (i64.eq (i64.load (i32.const 112)) (local.get $want))
                 (i32.add (local.get $code) (i32.const 1))))

  ;; Checks a snapshot0 filestat at 128: regular file, one link, 10 bytes.
  (func $filestat (param $code i32)
    (call $check (i32.eq (i32.load8_u (i32.const 144)) (i32.const 4)) (local.get $code))
    (call $check (i32.eq (i32.load (i32.const 148)) (i32.const 1))
                 (i32.add (local.get $code) (i32.const 1)))
    (call $check (i64.eq (i64.load (i32.const 152)) (i64.const 10))
                 (i32.add (local.get $code) (i32.const 2))))

  (func (export "_start")
    ;; path_open(3, 0, "f", 0, READ|SEEK|TELL|FILESTAT_GET, 0, 0, &fd@100)
    (call $check (i32.eqz (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1)
                                           (i32.const 0) (i64.const 0x200026) (i64.const 0)
                                           (i32.const 0) (i32.const 100)))
                 (i32.const 1))
    (call $seek (i64.const 4) (i32.const 2) (i64.const 4) (i32.const 10))   ;; SET
    (call $seek (i64.const -1) (i32.const 1) (i64.const 9) (i32.const 12))  ;; END
    (call $seek (i64.const -2) (i32.const 0) (i64.const 7) (i32.const 14))  ;; CUR
    (call $check (i32.eq (call $fd_seek (i32.load (i32.const 100)) (i64.const 0) (i32.const 3)
                                        (i32.const 112))
                         (i32.const 28))                                     ;; EINVAL
                 (i32.const 16))
    (call $check (i32.eqz (call $fd_filestat_get (i32.load (i32.const 100)) (i32.const 128)))
                 (i32.const 20))
    (call $filestat (i32.const 21))
    (i64.store (i32.const 152) (i64.const 0))
    (call $check (i32.eqz (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0)
                                                   (i32.const 1) (i32.const 128)))
                 (i32.const 30))
    (call $filestat (i32.const 31))
    ;; One clock subscription: userdata 0x55, tag 0, identifier 0, id 1
    ;; (monotonic), timeout 1 ms, precision 0, flags 0.
    (i64.store (i32.const 256) (i64.const 0x55))
    (i64.store (i32.const 264) (i64.const 0))
    (i64.store (i32.const 272) (i64.const 0))
    (i64.store (i32.const 280) (i64.const 1))
    (i64.store (i32.const 288) (i64.const 1000000))
    (i64.store (i32.const 296) (i64.const 0))
    (i64.store (i32.const 304) (i64.const 0))
    (call $check (i32.eqz (call $poll_oneoff (i32.const 256) (i32.const 320) (i32.const 1)
                                             (i32.const 400)))
                 (i32.const 40))
    (call $check (i32.eq (i32.load (i32.const 400)) (i32.const 1)) (i32.const 41))
    (call $check (i64.eq (i64.load (i32.const 320)) (i64.const 0x55)) (i32.const 42))
    (call $check (i32.eqz (i32.load16_u (i32.const 328))) (i32.const 43))
    (call $check (i32.eqz (i32.load8_u (i32.const 330))) (i32.const 44))
    (call $proc_exit (i32.const 0)))
)
