# tests/guestfs.cmake - a guest root file system for tests, included from
# tests/CMakeLists.txt after wasi.cmake (it uses the same clang-19 and
# wasi-libc). Builds the small programs of tests/guestfs/*.c for
# wasm32-wasi and lays them out as GUESTFS_DIR/bin/NAME (no .wasm: exec and
# spawn find programs by path; "[" is a copy of test), so a test can
# preopen GUESTFS_DIR as the guest's "/". Exports:
#   GUESTFS_DIR        the root directory (build/tests/guestfs)
#   GUESTFS_PROGRAMS   the names in its bin/
#   GUESTFS_HAVE_BIN   ON when the programs are built
# and the target guestfs. It also builds the test driver cd_run.wasm (chdir,
# then cat/pwd/ls in the same process) into GUESTFS_TOOLS_DIR and adds one
# CTest per program (guestfs.NAME, label guestfs) run through `spindle run`
# by tests/guestfs_test.py.

set(GUESTFS_SRC ${CMAKE_CURRENT_SOURCE_DIR}/guestfs)
set(GUESTFS_DIR ${CMAKE_CURRENT_BINARY_DIR}/guestfs)
set(GUESTFS_TOOLS_DIR ${CMAKE_CURRENT_BINARY_DIR}/guestfs-tools)
set(GUESTFS_PROGRAMS echo cat wc true false sleep env pwd ls head printf test)
set(GUESTFS_HAVE_BIN OFF)

# guestfs_object(OUT SRC [FLAGS...]): compiles SRC (tests/guestfs/SRC.c) to OUT.
function(guestfs_object out src)
  add_custom_command(OUTPUT ${out}
    COMMAND ${SPINDLE_WASI_CC} --target=wasm32-wasi -O2 -Wall -Werror ${ARGN}
            -c ${GUESTFS_SRC}/${src}.c -o ${out}
    DEPENDS ${GUESTFS_SRC}/${src}.c ${GUESTFS_SRC}/guestfs_util.h ${GUESTFS_SRC}/guestfs_cwd.h
    VERBATIM)
endfunction()

# guestfs_link(OUT OBJECTS...): links the objects (without -O, which would
# run wasm-opt) into the module OUT.
function(guestfs_link out)
  add_custom_command(OUTPUT ${out}
    COMMAND ${SPINDLE_WASI_CC} --target=wasm32-wasi ${ARGN} -o ${out}
    DEPENDS ${ARGN} COMMENT "guest program ${out}" VERBATIM)
endfunction()

if(SPINDLE_WASI_CC AND SPINDLE_WASI_LIBC)
  set(obj_dir ${CMAKE_CURRENT_BINARY_DIR}/guestfs-obj)
  file(MAKE_DIRECTORY ${GUESTFS_DIR}/bin ${GUESTFS_TOOLS_DIR} ${obj_dir})
  set(outputs)
  foreach(name ${GUESTFS_PROGRAMS})
    guestfs_object(${obj_dir}/${name}.o ${name})
    guestfs_link(${GUESTFS_DIR}/bin/${name} ${obj_dir}/${name}.o)
    list(APPEND outputs ${GUESTFS_DIR}/bin/${name})
  endforeach()

  # The driver: cat, pwd and ls compiled again with their main renamed.
  set(driver_objs ${obj_dir}/cd_run.o)
  guestfs_object(${obj_dir}/cd_run.o cd_run)
  foreach(name cat pwd ls)
    guestfs_object(${obj_dir}/${name}_in_driver.o ${name} -Dmain=${name}_main)
    list(APPEND driver_objs ${obj_dir}/${name}_in_driver.o)
  endforeach()
  guestfs_link(${GUESTFS_TOOLS_DIR}/cd_run.wasm ${driver_objs})
  list(APPEND outputs ${GUESTFS_TOOLS_DIR}/cd_run.wasm)

  # "[" is copied by the target itself (make cannot name it as a file rule).
  add_custom_target(guestfs ALL DEPENDS ${outputs}
    COMMAND ${CMAKE_COMMAND} -E copy_if_different ${GUESTFS_DIR}/bin/test "${GUESTFS_DIR}/bin/["
    VERBATIM)
  set(GUESTFS_HAVE_BIN ON)
else()
  spindle_skip(guestfs "clang-19 or wasi-libc missing: the guest /bin programs are not built")
endif()

if(GUESTFS_HAVE_BIN AND Python3_Interpreter_FOUND)
  foreach(name ${GUESTFS_PROGRAMS})
    add_test(NAME guestfs.${name}
             COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/guestfs_test.py
                     $<TARGET_FILE:spindle> ${GUESTFS_DIR} ${GUESTFS_TOOLS_DIR}/cd_run.wasm
                     ${CMAKE_CURRENT_BINARY_DIR}/guestfs-work ${name})
    set_tests_properties(guestfs.${name} PROPERTIES LABELS "guestfs;wasi" TIMEOUT 120)
  endforeach()
endif()
