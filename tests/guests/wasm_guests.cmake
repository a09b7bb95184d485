# tests/guests/wasm_guests.cmake - rules that build wasm guest programs at
# build time, shared by tests/wasix.cmake and bench/threads:
#   spindle_wasm_guest_c(OUT SRC START [FLAGS...])  freestanding C (+ the .s
#     file START, or "" for none) with clang-19 --target=wasm32 -matomics
#     -mbulk-memory, linked by lld-19's wasm-ld with an imported shared
#     memory of 1 MiB; depends on every .h beside SRC.
#   spindle_wasm_guest_wat(OUT SRC)  WAT with wat2wasm --enable-threads.
# Compiling and linking are separate steps: the clang driver would run
# Binaryen's wasm-opt after linking when one is installed (and clang 19's
# --no-wasm-opt skips the link altogether).
# SPINDLE_WASM_GUESTS_OK tells whether the tools were found.

find_program(SPINDLE_GUEST_CC NAMES clang-19)
find_program(SPINDLE_GUEST_LD NAMES wasm-ld-19 PATHS /usr/lib/llvm-19/bin)
find_program(SPINDLE_WAT2WASM NAMES wat2wasm)
if(SPINDLE_GUEST_CC AND SPINDLE_GUEST_LD AND SPINDLE_WAT2WASM)
  set(SPINDLE_WASM_GUESTS_OK ON)
else()
  set(SPINDLE_WASM_GUESTS_OK OFF)
endif()

function(spindle_wasm_guest_c out src start)
  get_filename_component(dir ${src} DIRECTORY)
  file(GLOB headers ${dir}/*.h)
  set(cflags --target=wasm32 -O2 -matomics -mbulk-memory -nostdlib ${ARGN})
  set(objs ${out}.o)
  set(asm_cmd)
  if(start)
    list(APPEND objs ${out}.start.o)
    set(asm_cmd COMMAND ${SPINDLE_GUEST_CC} --target=wasm32 -matomics -mbulk-memory
                        -c ${start} -o ${out}.start.o)
  endif()
  get_filename_component(name ${out} NAME)
  add_custom_command(OUTPUT ${out}
    COMMAND ${SPINDLE_GUEST_CC} ${cflags} -c ${src} -o ${out}.o
    ${asm_cmd}
    COMMAND ${SPINDLE_GUEST_LD} --no-entry --import-memory --shared-memory
            --initial-memory=1048576 --max-memory=1048576 ${objs} -o ${out}
    DEPENDS ${src} ${start} ${headers}
    COMMENT "wasm guest ${name}" VERBATIM)
endfunction()

function(spindle_wasm_guest_wat out src)
  get_filename_component(name ${out} NAME)
  add_custom_command(OUTPUT ${out}
    COMMAND ${SPINDLE_WAT2WASM} --enable-threads ${src} -o ${out}
    DEPENDS ${src} COMMENT "wasm guest ${name}" VERBATIM)
endfunction()
