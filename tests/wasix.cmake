# tests/wasix.cmake - the wasix layer's tests, included from tests/CMakeLists.txt:
#  * guest programs (tests/guests/threads) built at build time: freestanding C
#    with clang-19 --target=wasm32 -matomics -mbulk-memory and an imported
#    shared memory (needs lld-19's wasm-ld), WAT with wat2wasm;
#  * the unit tests tests/unit/test_wasix_*.c, linked with spindle_wasix and
#    told where the guests are;
#  * wasix_check (tests/wasix) and the conformance runs: the 15 wasi-threads
#    tests and the WASIX thread programs of ../shared/conformance/wasix.
# Everything that runs threads carries the label `thread` (ctest -L thread).

include(${CMAKE_CURRENT_SOURCE_DIR}/guests/wasm_guests.cmake)
set(WASIX_GUEST_SRC ${CMAKE_CURRENT_SOURCE_DIR}/guests/threads)
set(WASIX_GUEST_DIR ${CMAKE_CURRENT_BINARY_DIR}/guests/threads)
file(MAKE_DIRECTORY ${WASIX_GUEST_DIR})
set(WASIX_GUESTS)

# wasix_guest_c(NAME SOURCE [-DFLAG...]) / wasix_guest_wat(NAME): one guest.
function(wasix_guest_c name src)
  set(start ${WASIX_GUEST_SRC}/thread_start.s)
  if(src STREQUAL "no_entry.c")
    set(start "")
  endif()
  spindle_wasm_guest_c(${WASIX_GUEST_DIR}/${name}.wasm ${WASIX_GUEST_SRC}/${src} "${start}" ${ARGN})
  set(WASIX_GUESTS ${WASIX_GUESTS} ${WASIX_GUEST_DIR}/${name}.wasm PARENT_SCOPE)
endfunction()

function(wasix_guest_wat name)
  spindle_wasm_guest_wat(${WASIX_GUEST_DIR}/${name}.wasm ${WASIX_GUEST_SRC}/${name}.wat)
  set(WASIX_GUESTS ${WASIX_GUESTS} ${WASIX_GUEST_DIR}/${name}.wasm PARENT_SCOPE)
endfunction()

if(SPINDLE_WASM_GUESTS_OK)
  wasix_guest_c(thread_api thread_api.c)
  wasix_guest_c(spawn_join spawn_join.c)
  wasix_guest_c(mutex_counter mutex_counter.c)
  wasix_guest_c(wake_race wake_race.c)
  wasix_guest_c(exit_storm_worker exit_storm.c)
  wasix_guest_c(exit_storm_worker_exit2 exit_storm.c -DEXIT2)
  wasix_guest_c(exit_storm_main exit_storm.c -DFROM_MAIN)
  wasix_guest_c(exit_storm_return exit_storm.c -DRETURN_FROM_MAIN)
  wasix_guest_c(ends_worker_trap ends.c -DWORKER_TRAP)
  wasix_guest_c(ends_main_trap ends.c -DMAIN_TRAP)
  wasix_guest_c(ends_main_thread_exit ends.c -DMAIN_THREAD_EXIT)
  wasix_guest_c(ends_signal_default ends.c -DSIGNAL_DEFAULT)
  wasix_guest_c(ends_spawn_limit ends.c -DSPAWN_LIMIT)
  wasix_guest_c(no_entry no_entry.c)
  wasix_guest_c(fds fds.c)
  wasix_guest_c(fds_epoll fds_epoll.c)
  wasix_guest_c(fds_exit fds_exit.c)
  wasix_guest_c(paths2 paths2.c)
  wasix_guest_c(procs procs.c)
  wasix_guest_c(procs2 procs2.c)
  wasix_guest_c(sigint sigint.c)
  wasix_guest_c(procs_limit procs_limit.c)
  wasix_guest_wat(unshared)
  wasix_guest_wat(bad_import)
  wasix_guest_wat(no_start)
  foreach(name limits_grow limits_import limits_min timeout_loop timeout_start
               timeout_threads spawn_in_start exit_many redteam)
    wasix_guest_wat(${name})
  endforeach()
  add_custom_target(wasix_guests ALL DEPENDS ${WASIX_GUESTS})
else()
  spindle_skip(wasix_guests "clang-19, wasm-ld-19 (lld-19) or wat2wasm missing: "
               "the wasix guest-program tests are not built")
endif()

foreach(name test_wasix_threads test_wasix_thread_stress test_wasix_thread_limits)
  if(TARGET ${name})
    target_link_libraries(${name} PRIVATE spindle_wasix)
    target_compile_definitions(${name} PRIVATE WASIX_GUEST_DIR="${WASIX_GUEST_DIR}")
    if(SPINDLE_WASM_GUESTS_OK)
      add_dependencies(${name} wasix_guests)
    endif()
  endif()
endforeach()

# A start section that spawns (spawn_in_start.wat) run by `spindle run` with
# a 512 KiB main stack and 20,000 threads allowed: each thread's instance is
# made on its own thread, so nothing nests on the caller's stack; the run
# must end with the timeout's 124 (not a crash), and CTest's TIMEOUT fails a
# run that outlives its --timeout by much.
if(SPINDLE_WASM_GUESTS_OK)
  add_test(NAME wasix.spawn_in_start_small_stack
           COMMAND sh -c "ulimit -s 512 && \"$0\" run --max-threads 20000 --timeout 1 \"$1\"; \
                          s=$?; echo \"status $s\"; test $s -eq 124"
                   $<TARGET_FILE:spindle> ${WASIX_GUEST_DIR}/spawn_in_start.wasm)
  set_tests_properties(wasix.spawn_in_start_small_stack PROPERTIES LABELS "thread" TIMEOUT 15)
  # `spindle run` ends promptly after a proc_exit with thousands of threads
  # blocked (issue 16): timed against a native process of as many threads.
  # Not under ThreadSanitizer, whose own teardown of a thousand threads at
  # the process's end takes over a second (unit.test_wasix_thread_limits'
  # test_exit_prompt checks Spindle's part there).
  set(exit_prompt_threads 4000)
  if(SPINDLE_SANITIZE)
    set(exit_prompt_threads 1000)
  endif()
  if(NOT SPINDLE_TSAN)
    add_test(NAME wasix.exit_prompt
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/exit_prompt_test.py
                     $<TARGET_FILE:spindle> ${WASIX_GUEST_DIR}/exit_many.wasm ${exit_prompt_threads})
    set_tests_properties(wasix.exit_prompt PROPERTIES LABELS "thread;cli" TIMEOUT 120)
  endif()
  # Hostile calls of the process and socket surface (redteam.wat): proc_signal
  # outside the tree, wild pointers to proc_exec3/proc_spawn2, pipes until
  # descriptors run out, a connect the policy forbids: errnos, no crash.
  # The hostile programs it execs are made here in a scratch "/".
  set(rt_root ${CMAKE_CURRENT_BINARY_DIR}/redteam-root)
  add_test(NAME wasix.redteam
           COMMAND sh -c "rm -rf \"$2\" && mkdir -p \"$2/adir\" && cd \"$2\" && \
                          head -c 100 \"$1\" > trunc.wasm && printf '#!/loop.sh\\n' > loop.sh && \
                          printf '#!/l2\\n' > l1 && printf '#!/l1\\n' > l2 && \
                          truncate -s 3G huge.wasm && chmod +x trunc.wasm loop.sh l1 l2 huge.wasm && \
                          out=$(\"$0\" run --net allow=127.0.0.1:* --dir \"$2\"::/ \"$1\"); s=$?; \
                          echo \"$out status $s\"; test $s -eq 0 && test \"$out\" = 'redteam ok'"
                   $<TARGET_FILE:spindle> ${WASIX_GUEST_DIR}/redteam.wasm ${rt_root})
  set_tests_properties(wasix.redteam PROPERTIES LABELS "procs;net" TIMEOUT 60)
endif()

# wasix_check: one module, one expectation file (see tests/wasix/wasix_check.c).
add_executable(wasix_check ${CMAKE_CURRENT_SOURCE_DIR}/wasix/wasix_check.c
                           ${PROJECT_SOURCE_DIR}/src/cli/json.c
                           ${PROJECT_SOURCE_DIR}/src/cli/cli_errors.c)
target_include_directories(wasix_check PRIVATE ${PROJECT_SOURCE_DIR}/src/cli)
target_link_libraries(wasix_check PRIVATE spindle_wasix)

# The prebuilt conformance programs race on their own memory, which
# WebAssembly allows (e.g. Rust's dlmalloc spins on its lock word with a plain
# load while another thread releases it with an atomic store). The
# interpreter performs a guest's plain loads and stores as plain C accesses,
# so ThreadSanitizer reports those guest races inside interp_run; and
# symbolizing a report (even a suppressed one) stalls a thread for ~0.5 s,
# which breaks the programs' timing. So under TSan these programs run with
# reports off; the runtime's own thread code is checked by our race-free
# guests (test_wasix_threads, test_wasix_thread_stress), which run with them on.
set(WASIX_CONF_TSAN "TSAN_OPTIONS=report_bugs=0")

# wasi-threads (WebAssembly/wasi-testsuite): 15 prebuilt tests; stdout/stderr
# are compared as prefixes there.
set(WASI_THREADS_DIR ${SPINDLE_SHARED_DIR}/conformance/wasi-threads)
if(EXISTS ${WASI_THREADS_DIR})
  file(GLOB WASI_THREADS_TESTS ${WASI_THREADS_DIR}/*.wasm)
  foreach(wasm ${WASI_THREADS_TESTS})
    get_filename_component(name ${wasm} NAME_WE)
    set(json ${WASI_THREADS_DIR}/${name}.json)
    if(EXISTS ${json})
      add_test(NAME wasi_threads.${name} COMMAND wasix_check --stdout-prefix ${wasm} ${json})
    else()
      add_test(NAME wasi_threads.${name} COMMAND wasix_check ${wasm})
    endif()
    set_tests_properties(wasi_threads.${name} PROPERTIES LABELS "conformance;thread" TIMEOUT 60
                         ENVIRONMENT "${WASIX_CONF_TSAN}")
  endforeach()
endif()

# The thread programs of ../shared/conformance/wasix (Wasmer's tests),
# example-signal (callback_signal + raise) and example-unix-pipe (fd_pipe,
# both directions, non-blocking reads): whole stdout and exit status as
# expected, stderr must start with the expected text; a worker trap must
# also be reported.
set(WASIX_CONF_DIR ${SPINDLE_SHARED_DIR}/conformance/wasix)
# (also run in the opt tier: tests/opt.cmake)
set(WASIX_CONF_THREAD_PROGRAMS example-multi-threading threaded-memory example-condvar
    worker-terminating-normally exit-0-from-main exit-1-from-main exit-0-from-worker
    exit-1-from-worker worker-panicking example-sleep example-signal example-unix-pipe)
# wasix_conf_extra(NAME OUT): the wasix_check options program NAME needs beyond its .json.
function(wasix_conf_extra name out)
  set(extra)
  if(name STREQUAL "worker-panicking")
    set(extra --stderr-has "Thread 2 of process 1 failed with runtime error: unreachable")
  endif()
  set(${out} ${extra} PARENT_SCOPE)
endfunction()
if(EXISTS ${WASIX_CONF_DIR})
  foreach(name ${WASIX_CONF_THREAD_PROGRAMS})
    wasix_conf_extra(${name} extra)
    add_test(NAME wasix.${name}
             COMMAND wasix_check ${extra} ${WASIX_CONF_DIR}/${name}.wasm ${WASIX_CONF_DIR}/${name}.json)
    set_tests_properties(wasix.${name} PROPERTIES LABELS "conformance;thread" TIMEOUT 60
                         ENVIRONMENT "${WASIX_CONF_TSAN}")
  endforeach()
endif()

# The WASIX descriptor family (fd_dup/dup2/pipe/event/fdflags, epoll_*,
# tty_*): our own guests, each a list of checks whose exit code names the
# first that failed (tests/guests/threads/fds*.c). fds_exit ends the process
# while threads block in epoll_wait, an eventfd read and a pipe read.
if(SPINDLE_WASM_GUESTS_OK)
  foreach(name fds fds_epoll fds_exit)
    add_test(NAME wasix.guest.${name} COMMAND wasix_check --timeout 10 ${WASIX_GUEST_DIR}/${name}.wasm)
    set_tests_properties(wasix.guest.${name} PROPERTIES LABELS "thread" TIMEOUT 30)
  endforeach()
  # path_open2 and clock_time_set (tests/guests/threads/paths2.c), in a
  # scratch directory preopened as "/".
  set(paths2_work ${CMAKE_CURRENT_BINARY_DIR}/paths2-work)
  file(MAKE_DIRECTORY ${paths2_work})
  add_test(NAME wasix.guest.paths2
           COMMAND wasix_check --timeout 10 --dir ${paths2_work}::/ ${WASIX_GUEST_DIR}/paths2.wasm)
  set_tests_properties(wasix.guest.paths2 PROPERTIES LABELS "wasi" TIMEOUT 30)
endif()

# setjmp/longjmp through stack_checkpoint / stack_restore, without asyncify
# (src/wasix/wasix_stack.c): Wasmer's example-longjmp, and our own guest
# (tests/guests/threads/stack.c) run as built and, post-processed by
# Binaryen's `wasm-opt --asyncify`, as a guest that exports the asyncify
# functions (never started: its state stays normal). The stack_* builds end
# the process from stack_restore on purpose; each expects its exit code and
# the reason on stderr.
if(EXISTS ${WASIX_CONF_DIR})
  add_test(NAME wasix.example-longjmp
           COMMAND wasix_check ${WASIX_CONF_DIR}/example-longjmp.wasm
                               ${WASIX_CONF_DIR}/example-longjmp.json)
  set_tests_properties(wasix.example-longjmp PROPERTIES LABELS "conformance;thread" TIMEOUT 60
                       ENVIRONMENT "${WASIX_CONF_TSAN}")
endif()
if(SPINDLE_WASM_GUESTS_OK)
  set(WASIX_STACK_GUESTS stack)
  set(stack_outputs ${WASIX_GUEST_DIR}/stack.wasm)
  wasix_guest_c(stack stack.c)
  foreach(variant unknown:RESTORE_UNKNOWN other_thread:RESTORE_OTHER_THREAD
                  from_handler:RESTORE_FROM_HANDLER ended:RESTORE_ENDED
                  bad_pointer:RESTORE_BAD_POINTER)
    string(REPLACE ":" ";" parts ${variant})
    list(GET parts 0 suffix)
    list(GET parts 1 flag)
    wasix_guest_c(stack_${suffix} stack.c -D${flag})
    list(APPEND stack_outputs ${WASIX_GUEST_DIR}/stack_${suffix}.wasm)
  endforeach()
  find_program(SPINDLE_WASM_OPT NAMES wasm-opt)
  if(SPINDLE_WASM_OPT)
    set(asyncified ${WASIX_GUEST_DIR}/stack_asyncify.wasm)
    add_custom_command(OUTPUT ${asyncified}
      COMMAND ${SPINDLE_WASM_OPT} --enable-threads --enable-bulk-memory --asyncify
              ${WASIX_GUEST_DIR}/stack.wasm -o ${asyncified}
      DEPENDS ${WASIX_GUEST_DIR}/stack.wasm COMMENT "wasm guest stack_asyncify" VERBATIM)
    list(APPEND stack_outputs ${asyncified})
    list(APPEND WASIX_STACK_GUESTS stack_asyncify)
  else()
    spindle_skip(wasix_stack_asyncify "wasm-opt (binaryen) missing: wasix.guest.stack_asyncify is not run")
  endif()
  # only these outputs: a second target on wasix_guests' outputs could run
  # their rules twice at once in a parallel build
  add_custom_target(wasix_stack_guests ALL DEPENDS ${stack_outputs})
  foreach(name ${WASIX_STACK_GUESTS})
    add_test(NAME wasix.guest.${name} COMMAND wasix_check --timeout 20 ${WASIX_GUEST_DIR}/${name}.wasm)
    set_tests_properties(wasix.guest.${name} PROPERTIES LABELS "thread" TIMEOUT 40)
  endforeach()
  foreach(case unknown:79:unknown\ stack\ checkpoint
               other_thread:79:not\ a\ snapshot\ of\ this\ thread
               from_handler:79:stack\ checkpoint\ of\ an\ outer\ wasm\ activation
               ended:79:unknown\ stack\ checkpoint
               bad_pointer:78:snapshot\ out\ of\ bounds)
    string(REPLACE ":" ";" parts "${case}")
    list(GET parts 0 suffix)
    list(GET parts 1 code)
    list(GET parts 2 reason)
    set(json ${WASIX_GUEST_DIR}/stack_exit_${code}.json)
    file(WRITE ${json} "{\"exit_code\": ${code}}\n")
    add_test(NAME wasix.guest.stack_${suffix}
             COMMAND wasix_check --timeout 20 --stderr-has "stack_restore in thread"
                     --stderr-has "${reason}" ${WASIX_GUEST_DIR}/stack_${suffix}.wasm ${json})
    set_tests_properties(wasix.guest.stack_${suffix} PROPERTIES LABELS "thread" TIMEOUT 40)
  endforeach()
endif()
