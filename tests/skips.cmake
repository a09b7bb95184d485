# tests/skips.cmake - how the suite says what it cannot run here.
#
# A test whose data or tools are missing (the conformance suites of
# ../shared, clang-19 and wasi-libc for guest programs, python3, ...) is not
# a failure: spindle_skip() registers one CTest test, skip.NAME, that prints
# the reason and is reported by CTest as "Skipped", and says the reason once
# at configure time. Everything that can run still runs.

# spindle_skip(NAME REASON...): register skip.NAME with REASON.
function(spindle_skip name)
  string(JOIN "" reason ${ARGN})
  message(STATUS "Spindle tests: skipping ${name}: ${reason}")
  add_test(NAME skip.${name} COMMAND ${CMAKE_COMMAND} -E echo "skipped: ${reason}")
  set_tests_properties(skip.${name} PROPERTIES SKIP_REGULAR_EXPRESSION "skipped: " LABELS skip)
endfunction()

# The conformance suites are others' data, kept beside the repository in
# ../shared (SPINDLE_SHARED_DIR), not in it. Without them every suite built
# on them is left out and one test says so.
if(EXISTS ${SPINDLE_SHARED_DIR}/conformance)
  set(SPINDLE_HAVE_SHARED ON)
else()
  set(SPINDLE_HAVE_SHARED OFF)
  spindle_skip(conformance "${SPINDLE_SHARED_DIR}/conformance not found: the spec suite, "
               "wasi-testsuite, wasi-threads, Wasmer's WASIX programs and dash are not run "
               "(set -DSPINDLE_SHARED_DIR=... to run them)")
endif()
