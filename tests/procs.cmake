# tests/procs.cmake - WASIX processes (fork, join, exec, spawn, signals across
# processes, the process limit), included from tests/CMakeLists.txt after
# wasix.cmake (the procs guests, wasix_check) and guestfs.cmake (the guest
# root file system with /bin programs: GUESTFS_DIR).
#  * procs, procs_limit: our raw-import guests (no asyncify), each a list of
#    checks whose exit code names the first that failed;
#  * Wasmer's process programs of ../shared/conformance/wasix, exactly as
#    their snapshots say (stdout and stderr on terminals, as Wasmer's runs had
#    them, so that libc buffers lines: it decides how two processes' output
#    interleaves), execve and spawn with our /bin/echo.
# ThreadSanitizer does not support threads started after a fork of a
# multi-threaded process unless told to (die_after_fork=0). AddressSanitizer
# (gcc 12's runtime) does not hold its quarantine's lock across fork: a child
# forked while another thread frees memory can deadlock on it in its first
# free; without a quarantine (quarantine_size_mb=0: use-after-free is then
# caught only when the memory has not been reused) the tests run.

set(PROCS_ENV "TSAN_OPTIONS=die_after_fork=0 report_bugs=0"
              "ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=0:thread_local_quarantine_size_kb=0")

if(SPINDLE_WASM_GUESTS_OK AND GUESTFS_HAVE_BIN)
  # A file that is not a program, for exec's Noexec.
  file(WRITE ${GUESTFS_DIR}/bin/notwasm "not a program\n")
  add_test(NAME wasix.guest.procs
           COMMAND wasix_check --timeout 20 --dir ${GUESTFS_DIR}::/ ${WASIX_GUEST_DIR}/procs.wasm)
  add_test(NAME wasix.guest.procs_limit
           COMMAND wasix_check --timeout 20 --max-processes 8 ${WASIX_GUEST_DIR}/procs_limit.wasm)
  # The later calls (exec4, spawn3, the old spawn, dispositions, SIGCHLD,
  # both vforks): `spindle run` with two preopens (the guest spawns itself
  # from /guests to check a child's dispositions).
  add_test(NAME wasix.guest.procs2
           COMMAND $<TARGET_FILE:spindle> run --timeout 30 --dir ${GUESTFS_DIR}::/
                   --dir ${WASIX_GUEST_DIR}::/guests ${WASIX_GUEST_DIR}/procs2.wasm)
  set_tests_properties(wasix.guest.procs wasix.guest.procs_limit wasix.guest.procs2 PROPERTIES
                       LABELS "thread;procs" TIMEOUT 60 ENVIRONMENT "${PROCS_ENV}")
endif()

if(EXISTS ${WASIX_CONF_DIR} AND GUESTFS_HAVE_BIN)
  foreach(name example-fork example-vfork example-pipe example-epoll example-execve
               example-spawn example-fork-longjmp)
    add_test(NAME wasix.${name}
             COMMAND wasix_check --tty --timeout 200 --dir ${GUESTFS_DIR}::/
                     ${WASIX_CONF_DIR}/${name}.wasm ${WASIX_CONF_DIR}/${name}.json)
    # example-fork and -fork-longjmp check their memory in loops: ~10 s in the
    # interpreter, some 60 s under ThreadSanitizer.
    set_tests_properties(wasix.${name} PROPERTIES LABELS "conformance;thread;procs" TIMEOUT 240
                         ENVIRONMENT "${PROCS_ENV}")
  endforeach()
endif()

# dash (Wasmer's build, ../shared/conformance/wasix/dash.wasm) running scripts
# of ours (tests/dash/NAME.sh, expected stdout NAME.out): pipelines, command
# substitution, redirections, exit statuses, cd, loops that exec, here-documents,
# #! scripts and exec, a second preopen mounted under the root, through our /bin programs (tests/dash/dash_test.py); and
# the conformance suite's own dash case (`echo 2` on stdin).
find_package(Python3 COMPONENTS Interpreter)
set(DASH_WASM ${WASIX_CONF_DIR}/dash.wasm)
if(EXISTS ${DASH_WASM} AND GUESTFS_HAVE_BIN AND Python3_Interpreter_FOUND)
  foreach(name pipeline subst redirect status cd loop heredoc scripts mounts cache)
    add_test(NAME dash.${name}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/dash/dash_test.py
                     $<TARGET_FILE:spindle> ${DASH_WASM} ${GUESTFS_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/dash-work ${name})
    set_tests_properties(dash.${name} PROPERTIES LABELS "procs;dash" TIMEOUT 150
                         ENVIRONMENT "${PROCS_ENV}")
  endforeach()
  add_test(NAME procs.lifeline
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/dash/lifeline_test.py
                   $<TARGET_FILE:spindle> ${DASH_WASM} ${GUESTFS_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/dash-work)
  set_tests_properties(procs.lifeline PROPERTIES LABELS "procs;dash" TIMEOUT 60
                       ENVIRONMENT "${PROCS_ENV}")
  add_test(NAME wasix.dash
           COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/dash/dash_test.py
                   $<TARGET_FILE:spindle> ${DASH_WASM} ${GUESTFS_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/dash-work ${WASIX_CONF_DIR}/dash.json)
  set_tests_properties(wasix.dash PROPERTIES LABELS "procs;dash;conformance" TIMEOUT 60)
endif()

# Ctrl-C on a terminal (tests/procs/ctrl_c.py): the guest runs on a pty as
# its controlling terminal and spins; ^C written to the terminal runs its
# SIGINT handler, or SIGINT's default ends it (27, Wasmer's code), or, when
# spindle was started with SIGINT ignored, the guest inherits the ignore.
find_package(Python3 COMPONENTS Interpreter)
if(SPINDLE_WASM_GUESTS_OK AND Python3_Interpreter_FOUND)
  foreach(mode handler default ignored)
    add_test(NAME wasix.ctrl_c.${mode}
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/procs/ctrl_c.py
                     $<TARGET_FILE:spindle> ${WASIX_GUEST_DIR}/sigint.wasm ${mode})
    set_tests_properties(wasix.ctrl_c.${mode} PROPERTIES LABELS "procs;signals" TIMEOUT 60)
  endforeach()
endif()
