# The differential oracle for the translator's peephole fusion: diff_fusion
# (tests/fuzz/diff_fusion.c) runs one module translated with and without
# fusion and compares everything observable; tests/fuzz/diff_fusion.py feeds
# it modules that binaryen's `wasm-opt -ttf` makes from seeded random bytes
# and fusion-shaped ones from tests/fuzz/fusion_gen.py (through wat2wasm).
add_executable(diff_fusion ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/diff_fusion.c
                           ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_harness.c)
target_include_directories(diff_fusion PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fuzz ${SPINDLE_PRIVATE_INCLUDES})
target_link_libraries(diff_fusion PRIVATE spindle_core)

find_program(SPINDLE_WASM_OPT NAMES wasm-opt)
find_program(SPINDLE_WAT2WASM NAMES wat2wasm)
find_package(Python3 COMPONENTS Interpreter)
if(SPINDLE_WASM_OPT AND SPINDLE_WAT2WASM AND Python3_Interpreter_FOUND)
  # A fixed seed range: about 40 s on CI's 2 cores beside the other tests.
  # A sanitized build runs the first 300 seeds only: it is there to catch
  # memory errors on the way (the plain and clang builds compare all 1000),
  # and the whole range took over 300 s under AddressSanitizer next to the
  # opt tier's tests.
  set(diff_fusion_seeds 1:1001)
  if(SPINDLE_SANITIZE OR SPINDLE_TSAN)
    set(diff_fusion_seeds 1:301)
  endif()
  add_test(NAME fuzz.diff_fusion
    COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/diff_fusion.py
            --checker $<TARGET_FILE:diff_fusion> --wasm-opt ${SPINDLE_WASM_OPT}
            --wat2wasm ${SPINDLE_WAT2WASM} --seeds ${diff_fusion_seeds}
            --out ${CMAKE_BINARY_DIR}/tests/fuzz/diff_fusion)
  set_tests_properties(fuzz.diff_fusion PROPERTIES LABELS "fuzz;interp" TIMEOUT 600)
else()
  message(STATUS "wasm-opt (apt: binaryen), wat2wasm (wabt) or python3 not found: "
                 "test fuzz.diff_fusion is not run")
endif()
