# tests/net.cmake - the networking tests (issue 13), included from
# tests/CMakeLists.txt:
#  * our guests (tests/guests/net: freestanding C on raw wasix_32v1 imports,
#    built like the thread guests) for a TCP echo server and client, UDP
#    and a Unix pair, sockets as descriptors (dup, poll_oneoff, edge-
#    triggered epoll, non-blocking connect and receive, inheritance across
#    proc_fork and exec), Unix sockets by guest path, name resolution, a
#    keep-alive epoll HTTP server, and the policy's and bad input's refusals;
#  * tests/net/net_test.py, which runs a server guest (or Wasmer's
#    example-tcp-listener / example-http-ok from ../shared/conformance/wasix)
#    and talks to it from the host over loopback: sockets, curl, wrk.
# Every test uses loopback only, free ports, and bounded loops; label `net`.

set(NET_GUEST_SRC ${CMAKE_CURRENT_SOURCE_DIR}/guests/net)
set(NET_GUEST_DIR ${CMAKE_CURRENT_BINARY_DIR}/guests/net)
set(NET_CONF_DIR ${SPINDLE_SHARED_DIR}/conformance/wasix)
file(MAKE_DIRECTORY ${NET_GUEST_DIR})
find_package(Python3 COMPONENTS Interpreter)

if(NOT SPINDLE_WASM_GUESTS_OK)
  spindle_skip(net "clang-19 or wasm-ld-19 missing: the network tests are not built")
  return()
endif()

set(NET_GUESTS)
foreach(name echo_server echo_client udp resolve http_server policy sock_fds unix_path sock_exec resolve_intr)
  spindle_wasm_guest_c(${NET_GUEST_DIR}/${name}.wasm ${NET_GUEST_SRC}/${name}.c "")
  list(APPEND NET_GUESTS ${NET_GUEST_DIR}/${name}.wasm)
endforeach()
add_custom_target(net_guests ALL DEPENDS ${NET_GUESTS})

# Guests that check themselves: exit 0 and their last line.
add_test(NAME net.udp COMMAND spindle run --net allow=127.0.0.1:* ${NET_GUEST_DIR}/udp.wasm)
set_tests_properties(net.udp PROPERTIES PASS_REGULAR_EXPRESSION "UDP OK")
add_test(NAME net.sock_fds COMMAND spindle run --net allow=127.0.0.1:* ${NET_GUEST_DIR}/sock_fds.wasm)
set_tests_properties(net.sock_fds PROPERTIES PASS_REGULAR_EXPRESSION "FDS OK")
# sock_send_file from stdin, a regular file (net.h, which starts "/*\n * ne").
add_test(NAME net.send_file
         COMMAND sh -c "\"$0\" run \"$1\" sendfile < \"$2\"" $<TARGET_FILE:spindle>
                 ${NET_GUEST_DIR}/sock_fds.wasm ${NET_GUEST_SRC}/net.h)
set_tests_properties(net.send_file PROPERTIES PASS_REGULAR_EXPRESSION "SENT /\\*\n \\* ne")
# Sockets across exec: inherited ones keep working, close-on-exec ones close.
add_test(NAME net.sock_exec
         COMMAND spindle run --net allow=127.0.0.1:* --dir ${NET_GUEST_DIR}::/g
                 ${NET_GUEST_DIR}/sock_exec.wasm /g/sock_exec.wasm)
set_tests_properties(net.sock_exec PROPERTIES PASS_REGULAR_EXPRESSION "EXEC SOCKETS OK")
add_test(NAME net.resolve_localhost
         COMMAND spindle run --net ${NET_GUEST_DIR}/resolve.wasm localhost)
set_tests_properties(net.resolve_localhost PROPERTIES
                     PASS_REGULAR_EXPRESSION "ADDR 127\\.0\\.0\\.1|ADDR6 0+1\n")
add_test(NAME net.policy_off COMMAND spindle run ${NET_GUEST_DIR}/policy.wasm off)
add_test(NAME net.policy_rules
         COMMAND spindle run --net allow=127.0.0.1:* --net deny=127.0.0.1:9
                 --net allow=connect:[::1]:* ${NET_GUEST_DIR}/policy.wasm rules)
set_tests_properties(net.policy_off net.policy_rules PROPERTIES PASS_REGULAR_EXPRESSION "POLICY OK")
# sock_fds forks: AddressSanitizer without a quarantine (see tests/procs.cmake).
set_tests_properties(net.sock_fds PROPERTIES
                     ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=0:thread_local_quarantine_size_kb=0")
set_tests_properties(net.udp net.sock_fds net.sock_exec net.send_file net.resolve_localhost net.policy_off net.policy_rules
                     PROPERTIES LABELS "net" TIMEOUT 30)

# A host resolver that never answers (preloaded by net_test.py resolve_intr),
# next to the guests; plain C, no sanitizer of its own.
add_library(resolve_hang MODULE ${CMAKE_CURRENT_SOURCE_DIR}/net/resolve_hang.c)
set_target_properties(resolve_hang PROPERTIES PREFIX "" LIBRARY_OUTPUT_DIRECTORY ${NET_GUEST_DIR})
target_compile_options(resolve_hang PRIVATE -fno-sanitize=all)
target_link_options(resolve_hang PRIVATE -fno-sanitize=all)
target_link_libraries(resolve_hang PRIVATE ${CMAKE_DL_LIBS})
add_dependencies(net_guests resolve_hang)

# Host-driven cases (net_test.py): 77 = a host tool (curl, wrk) is missing.
if(Python3_Interpreter_FOUND)
  set(cases echo echo_publish client_host keepalive idle robust unix_path resolve_intr)
  if(EXISTS ${NET_CONF_DIR}/example-tcp-listener.wasm)
    list(APPEND cases tcp_listener http_ok)
  endif()
  foreach(case ${cases})
    add_test(NAME net.${case}
             COMMAND Python3::Interpreter ${CMAKE_CURRENT_SOURCE_DIR}/net/net_test.py ${case}
                     $<TARGET_FILE:spindle> ${NET_GUEST_DIR} ${NET_CONF_DIR})
    set_tests_properties(net.${case} PROPERTIES LABELS "net" TIMEOUT 120 SKIP_RETURN_CODE 77)
  endforeach()
endif()
