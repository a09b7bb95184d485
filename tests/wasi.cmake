# tests/wasi.cmake - the wasi layer's tests, included from tests/CMakeLists.txt:
#  * guest programs (tests/guests/*.c) built at build time with clang-19
#    --target=wasm32-wasi against wasi-libc. Compiled (-O2) and linked in
#    separate steps: linking without -O keeps the clang driver from running
#    Binaryen's wasm-opt, which would inline across noinline functions and
#    drop the `name` section the backtrace tests look for;
#  * the unit tests tests/unit/test_wasi_*.c, linked with spindle_wasi and
#    told where the guests are;
#  * `spindle run` command-line checks (tests/run_cli_test.py, label cli);
#  * the I/O benchmark (bench/io/run.py) on a small file, for exact copies;
#  * the wasi-testsuite (../shared/conformance/wasi-testsuite), each test on
#    its own copy of the fixtures (label wasi).

find_program(SPINDLE_WASI_CC NAMES clang-19)
find_file(SPINDLE_WASI_LIBC libc.a PATHS /usr/lib/wasm32-wasi /usr/share/wasi-sysroot/lib/wasm32-wasi
          NO_DEFAULT_PATH)
find_program(SPINDLE_WASI_WAT2WASM NAMES wat2wasm)
find_package(Python3 COMPONENTS Interpreter)
set(WASI_GUEST_SRC ${CMAKE_CURRENT_SOURCE_DIR}/guests)
set(WASI_GUEST_DIR ${CMAKE_CURRENT_BINARY_DIR}/guests)
file(MAKE_DIRECTORY ${WASI_GUEST_DIR})

# wasi_guest(NAME [LINK_FLAGS...]): NAME.wasm from tests/guests/NAME.c.
function(wasi_guest name)
  set(out ${WASI_GUEST_DIR}/${name}.wasm)
  add_custom_command(OUTPUT ${out}
    COMMAND ${SPINDLE_WASI_CC} --target=wasm32-wasi -O2 -Wall -Werror -c ${WASI_GUEST_SRC}/${name}.c
            -o ${WASI_GUEST_DIR}/${name}.o
    COMMAND ${SPINDLE_WASI_CC} --target=wasm32-wasi ${ARGN} ${WASI_GUEST_DIR}/${name}.o -o ${out}
    DEPENDS ${WASI_GUEST_SRC}/${name}.c ${WASI_GUEST_SRC}/wasi_guest.h
    COMMENT "wasm guest ${name}.wasm" VERBATIM)
  set(WASI_GUESTS ${WASI_GUESTS} ${out} PARENT_SCOPE)
endfunction()

# wasi_guest_wat(NAME): NAME.wasm from tests/guests/NAME.wat.
function(wasi_guest_wat name)
  set(out ${WASI_GUEST_DIR}/${name}.wasm)
  add_custom_command(OUTPUT ${out}
    COMMAND ${SPINDLE_WASI_WAT2WASM} ${WASI_GUEST_SRC}/${name}.wat -o ${out}
    DEPENDS ${WASI_GUEST_SRC}/${name}.wat COMMENT "wasm guest ${name}.wasm" VERBATIM)
  set(WASI_GUESTS ${WASI_GUESTS} ${out} PARENT_SCOPE)
endfunction()

set(WASI_GUESTS)
if(SPINDLE_WASI_CC AND SPINDLE_WASI_LIBC AND SPINDLE_WASI_WAT2WASM)
  wasi_guest(wasi_calls)
  wasi_guest(wasi_sandbox)
  wasi_guest(wasi_view)
  wasi_guest(wasi_fault)
  wasi_guest(wasi_block)
  wasi_guest(wasi_cli)
  wasi_guest(wasi_reactor -mexec-model=reactor)
  wasi_guest_wat(wasi_unstable)
  add_custom_target(wasi_guests ALL DEPENDS ${WASI_GUESTS})
  set(WASI_HAVE_GUESTS ON)
else()
  spindle_skip(wasi_guests "clang-19, wasi-libc or wat2wasm (apt: clang-19 lld-19 wasi-libc "
               "libclang-rt-19-dev-wasm32 wabt) missing: the WASI guest-program tests are not built")
endif()

file(GLOB WASI_UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_wasi_*.c)
foreach(src ${WASI_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  if(TARGET ${name})
    target_link_libraries(${name} PRIVATE spindle_wasix)
    target_compile_definitions(${name} PRIVATE WASI_GUEST_DIR="${WASI_GUEST_DIR}")
    if(WASI_HAVE_GUESTS)
      add_dependencies(${name} wasi_guests)
    endif()
    if(name MATCHES "interrupt")
      set_tests_properties(unit.${name} PROPERTIES LABELS "unit;wasi;thread")
    else()
      set_tests_properties(unit.${name} PROPERTIES LABELS "unit;wasi")
    endif()
  endif()
endforeach()

if(Python3_Interpreter_FOUND AND WASI_HAVE_GUESTS)
  add_test(NAME cli.run COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/run_cli_test.py
           $<TARGET_FILE:spindle> ${WASI_GUEST_DIR} ${CMAKE_CURRENT_BINARY_DIR}/cli-work)
  set_tests_properties(cli.run PROPERTIES LABELS "cli;wasi" TIMEOUT 120)
endif()

# The I/O benchmark on 2 MB, once: checks that both copies stay exact (no timing claim).
if(Python3_Interpreter_FOUND AND WASI_HAVE_GUESTS)
  add_test(NAME bench.io_smoke
           COMMAND Python3::Interpreter ${PROJECT_SOURCE_DIR}/bench/io/run.py
                   --spindle $<TARGET_FILE:spindle> --clang ${SPINDLE_WASI_CC} --size-mb 2 --runs 1)
  set_tests_properties(bench.io_smoke PROPERTIES LABELS "bench;wasi" TIMEOUT 120)
endif()

set(WASI_SUITE_DIR ${SPINDLE_SHARED_DIR}/conformance/wasi-testsuite)
if(Python3_Interpreter_FOUND AND EXISTS ${WASI_SUITE_DIR}/tests)
  # All 72 tests in one CTest test (one Python start-up); the output names
  # each test, and --only LANG/TEST reruns one by hand.
  add_test(NAME wasi.testsuite
           COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/wasi_testsuite.py
                   --suite ${WASI_SUITE_DIR} --work ${CMAKE_CURRENT_BINARY_DIR}/wasi-work
                   -- $<TARGET_FILE:spindle> run)
  set_tests_properties(wasi.testsuite PROPERTIES LABELS wasi TIMEOUT 900)
elseif(SPINDLE_HAVE_SHARED)
  spindle_skip(wasi_testsuite "python3 or ${WASI_SUITE_DIR} missing: the wasi-testsuite is not run")
endif()
