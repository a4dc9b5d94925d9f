;; A memory that never grows (no memory.grow anywhere): bare-metal targets
;; check its accesses against a constant size (lib/aot/device_code.h). Each
;; access at the last byte passes and one byte past traps, as does a length
;; above the size (it must not wrap the check).
(module
  (memory 1)
  (data (i32.const 65528) "\01\02\03\04\05\06\07\08")
  (func (export "last_i64") (result i64) i32.const 65528 i64.load)
  (func (export "past_i64") (result i64) i32.const 65529 i64.load)
  (func (export "last_u8") (result i32) i32.const 65535 i32.load8_u)
  (func (export "past_u8") (result i32) i32.const 65536 i32.load8_u)
  (func (export "offset_past") (result i32) i32.const 65532 i32.load offset=1)
  (func (export "wrap") (result i32) i32.const -1 i32.load offset=4)
  (func (export "store_last") (result i32) i32.const 65534 i32.const 0x1234 i32.store16 i32.const 65534 i32.load16_u)
  (func (export "store_past") (result i32) i32.const 65535 i32.const 0x1234 i32.store16 i32.const 0)
  (func (export "fill_all") (result i32) i32.const 0 i32.const 7 i32.const 65536 memory.fill i32.const 65535 i32.load8_u)
  (func (export "fill_over") (result i32) i32.const 0 i32.const 7 i32.const 65537 memory.fill i32.const 0)
  (func (export "fill_huge") (result i32) i32.const 8 i32.const 7 i32.const -1 memory.fill i32.const 0)
  (func (export "copy_past") (result i32) i32.const 65530 i32.const 0 i32.const 7 memory.copy i32.const 0)
  (func (export "size") (result i32) memory.size))
