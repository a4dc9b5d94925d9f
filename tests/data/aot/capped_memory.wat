;; A memory whose maximum is its initial size: memory.grow can only fail, so
;; bare-metal targets check accesses against a constant (lib/aot/device_code.h).
(module
  (memory 2 2)
  (func (export "grow") (result i32) i32.const 1 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "last") (result i32) i32.const 131068 i32.const 5 i32.store i32.const 131068 i32.load)
  (func (export "past") (result i32) i32.const 131069 i32.load)
  (func (export "grow_zero") (result i32) i32.const 0 memory.grow))
