;; hostref: host references (externref) kept by wasm in a global and a
;; table and passed through a host function.
(module
  (import "" "f" (func $fun (param externref) (result externref)))
  (global $glob (export "global") (mut externref) (ref.null extern))
  (table $tab (export "table") 10 externref)
  (func (export "global.set") (param externref) (global.set $glob (local.get 0)))
  (func (export "global.get") (result externref) (global.get $glob))
  (func (export "table.set") (param i32 externref) (table.set $tab (local.get 0) (local.get 1)))
  (func (export "table.get") (param i32) (result externref) (table.get $tab (local.get 0)))
  (func (export "func.call") (param externref) (result externref) (call $fun (local.get 0))))
