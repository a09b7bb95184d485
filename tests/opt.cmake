# The optimizing tier through the cli (--tier, src/cli/tier.c); the spec
# suite's opt runs are in tests/CMakeLists.txt, the unit test in
# tests/unit/test_opt.c.

add_test(NAME opt.cli.bad_tier COMMAND spindle run --tier=fast ${CMAKE_BINARY_DIR}/examples/fib.wasm)
set_tests_properties(opt.cli.bad_tier PROPERTIES LABELS opt
                     PASS_REGULAR_EXPRESSION "--tier wants interp, opt or auto, not 'fast'")

if(NOT SPINDLE_HAVE_OPT)
  add_test(NAME opt.cli.not_built
           COMMAND spindle run --tier=opt --invoke fib ${CMAKE_BINARY_DIR}/examples/fib.wasm 25)
  set_tests_properties(opt.cli.not_built PROPERTIES LABELS opt
                       PASS_REGULAR_EXPRESSION "this spindle was built without the opt tier")
  return()
endif()

# --invoke in the opt tier and in auto (the interpreter for now).
foreach(tier opt auto)
  add_test(NAME opt.cli.fib_${tier}
           COMMAND spindle run --tier=${tier} --invoke fib ${CMAKE_BINARY_DIR}/examples/fib.wasm 25)
  set_tests_properties(opt.cli.fib_${tier} PROPERTIES LABELS opt PASS_REGULAR_EXPRESSION "^75025\n$")
endforeach()

# -v reports what was compiled.
add_test(NAME opt.cli.verbose
         COMMAND spindle run --tier=opt -v --invoke fib ${CMAKE_BINARY_DIR}/examples/fib.wasm 25)
set_tests_properties(opt.cli.verbose PROPERTIES LABELS opt
                     PASS_REGULAR_EXPRESSION "opt tier \\(LLVM 19[.0-9]*\\): [0-9]+ of [0-9]+ functions compiled")

if(SPINDLE_WASM_GUESTS_OK)
  # A C program's trap in compiled code: the same report (message, backtrace
  # with function names) as in the interpreter.
  add_test(NAME opt.cli.trap_backtrace
           COMMAND spindle run --tier=opt ${CMAKE_CURRENT_BINARY_DIR}/guests/wasi_cli.wasm trap)
  set_tests_properties(opt.cli.trap_backtrace PROPERTIES LABELS opt TIMEOUT 300
    PASS_REGULAR_EXPRESSION "runtime error: unreachable\n  at #0 trap_innermost \\(func [0-9]+\\)\n  at #1 trap_middle")
  # --timeout stops a compiled loop at its back-edge safepoint.
  add_test(NAME opt.cli.timeout
           COMMAND sh -c "\"$0\" run --tier=opt --timeout 0.5 \"$1\"; s=$?; echo \"status $s\"; test $s -eq 124"
                   $<TARGET_FILE:spindle> ${WASIX_GUEST_DIR}/timeout_loop.wasm)
  set_tests_properties(opt.cli.timeout PROPERTIES LABELS opt TIMEOUT 60)
  # Unbounded compiled recursion on a 512 KiB main stack: a clean trap, not a
  # crash (the limit follows the thread's real stack).
  set(opt_recurse ${CMAKE_CURRENT_BINARY_DIR}/opt/recurse.wasm)
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/opt)
  spindle_wasm_guest_wat(${opt_recurse} ${CMAKE_CURRENT_SOURCE_DIR}/opt/recurse.wat)
  add_custom_target(opt_guests ALL DEPENDS ${opt_recurse})
  add_test(NAME opt.cli.small_stack
           COMMAND sh -c "ulimit -s 512 && \"$0\" run --tier=opt --invoke rec \"$1\" 1"
                   $<TARGET_FILE:spindle> ${opt_recurse})
  set_tests_properties(opt.cli.small_stack PROPERTIES LABELS opt TIMEOUT 60
                       PASS_REGULAR_EXPRESSION "wasm trap: call stack exhausted\n  at #0")
endif()

# Threads in the opt tier: the 15 wasi-threads tests and the WASIX thread
# programs of ../shared/conformance/wasix, run by wasix_check_opt (the same
# checker, the module compiled first: every function must compile, so the
# threads, atomics, waits and safepoints run as compiled code). The time
# limits cover the compile of these 100-300 KB Rust programs (about 15 s of
# LLVM each on one core, and much longer on a loaded machine). example-longjmp is not among them: stack_restore
# needs the frames up to its checkpoint on the interpreter's own stacks.
add_executable(wasix_check_opt ${CMAKE_CURRENT_SOURCE_DIR}/wasix/wasix_check.c
                               ${PROJECT_SOURCE_DIR}/src/cli/json.c
                               ${PROJECT_SOURCE_DIR}/src/cli/cli_errors.c)
target_include_directories(wasix_check_opt PRIVATE ${PROJECT_SOURCE_DIR}/src/cli)
target_compile_definitions(wasix_check_opt PRIVATE WASIX_CHECK_TIER_OPT)
target_link_libraries(wasix_check_opt PRIVATE spindle_wasix spindle_opt)
if(EXISTS ${WASI_THREADS_DIR})
  foreach(wasm ${WASI_THREADS_TESTS})
    get_filename_component(name ${wasm} NAME_WE)
    set(json ${WASI_THREADS_DIR}/${name}.json)
    if(EXISTS ${json})
      add_test(NAME opt.wasi_threads.${name}
               COMMAND wasix_check_opt --timeout 400 --stdout-prefix ${wasm} ${json})
    else()
      add_test(NAME opt.wasi_threads.${name} COMMAND wasix_check_opt --timeout 400 ${wasm})
    endif()
    set_tests_properties(opt.wasi_threads.${name} PROPERTIES LABELS "opt;conformance;thread"
                         TIMEOUT 600 ENVIRONMENT "${WASIX_CONF_TSAN}")
  endforeach()
endif()
if(EXISTS ${WASIX_CONF_DIR})
  foreach(name ${WASIX_CONF_THREAD_PROGRAMS})
    wasix_conf_extra(${name} extra)
    add_test(NAME opt.wasix.${name}
             COMMAND wasix_check_opt --timeout 400 ${extra} ${WASIX_CONF_DIR}/${name}.wasm
                     ${WASIX_CONF_DIR}/${name}.json)
    set_tests_properties(opt.wasix.${name} PROPERTIES LABELS "opt;conformance;thread" TIMEOUT 600
                         ENVIRONMENT "${WASIX_CONF_TSAN}")
  endforeach()
endif()
