;; start: a start function that traps, and an import to get right first.
(module
  (import "" "g" (global i32))
  (func $start (unreachable))
  (start $start))
