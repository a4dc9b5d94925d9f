;; WebAssembly rounds every multiply and add: a C compiler that fuses them
;; into one fused multiply-add (gcc's default -ffp-contract=fast on CPUs with
;; FMA: Cortex-M4F/M7/M33, aarch64, riscv64) gives another answer. Each export
;; returns the bits of a result that differs when fused; the inputs are
;; mutable globals so no compiler can fold them.
;;   f32: (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 rounds to 1 + 2^-11; minus that is 0.
;;        Fused, the 2^-24 survives: 0x33800000.
;;   f64: (1 + 2^-27)^2 = 1 + 2^-26 + 2^-54 rounds to 1 + 2^-26; minus that is 0.
;;        Fused: 2^-54.
(module
  (global $a32 (mut f32) (f32.const 0x1.001p+0))
  (global $c32 (mut f32) (f32.const -0x1.002p+0))
  (global $a64 (mut f64) (f64.const 0x1.0000002p+0))
  (global $c64 (mut f64) (f64.const -0x1.0000004p+0))
  (func (export "mul_add_f32") (result i32)
    (i32.reinterpret_f32 (f32.add (f32.mul (global.get $a32) (global.get $a32)) (global.get $c32))))
  (func (export "mul_sub_f32") (result i32)
    (i32.reinterpret_f32 (f32.sub (f32.mul (global.get $a32) (global.get $a32)) (f32.neg (global.get $c32)))))
  (func (export "add_mul_f32") (result i32)
    (local $p f32)
    (local.set $p (f32.mul (global.get $a32) (global.get $a32)))
    (i32.reinterpret_f32 (f32.add (global.get $c32) (local.get $p))))
  (func (export "mul_add_f64") (result i64)
    (i64.reinterpret_f64 (f64.add (f64.mul (global.get $a64) (global.get $a64)) (global.get $c64))))
  (func (export "mul_sub_f64") (result i64)
    (i64.reinterpret_f64 (f64.sub (f64.mul (global.get $a64) (global.get $a64)) (f64.neg (global.get $c64)))))
)
