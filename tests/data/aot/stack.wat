;; Recursion for the device stack check (tests/aot/aot_test.cc, "stack budget"):
;; `dive` counts its calls in a global, so the harness can say how deep it got.
(module
  (global $calls (mut i32) (i32.const 0))
  (func $dive (param $n i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      ;; Not a tail call, but one a C compiler can make a loop of (an accumulator).
      (else (i32.add (i32.const 1) (call $dive (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "shallow") (result i32) (global.set $calls (i32.const 0)) (call $dive (i32.const 20)))
  (func (export "forever") (result i32) (global.set $calls (i32.const 0)) (call $dive (i32.const -1)))
  (func (export "calls") (result i32) (global.get $calls)))
