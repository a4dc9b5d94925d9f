// WebAssembly values as the runtime passes them between the command line,
// the simulated host and the engines, engine-neutral.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "manifest/manifest.h"
#include "support/result.h"

namespace wasmiot {

struct Value {
  ValueType type = ValueType::kI32;
  uint64_t bits = 0;  // i32 in the low 32 bits; floats as their IEEE bit patterns

  static Value I32(uint32_t v) { return {ValueType::kI32, v}; }
  static Value I64(uint64_t v) { return {ValueType::kI64, v}; }
  static Value F32(float v);
  static Value F64(double v);
  // A number converted to `type` (integers truncate toward zero, saturating).
  static Value FromNumber(ValueType type, double number);

  uint32_t i32() const { return static_cast<uint32_t>(bits); }
  uint64_t i64() const { return bits; }
  float f32() const;
  double f64() const;
  double AsNumber() const;  // i32/i64 read as signed
  bool operator==(const Value& o) const { return type == o.type && bits == o.bits; }
};


// Parses a command-line argument as `type`: decimal (negative allowed) or
// 0x-hex for integers, decimal/exponent, "nan", "inf", "-inf" for floats.
Result<Value> ParseValue(std::string_view text, ValueType type);

// "i32:5", as wasm-interp prints (integers unsigned, floats with %g precision).
std::string FormatValue(const Value& value);
std::string FormatValues(const std::vector<Value>& values);  // "i32:1, f32:2.5"

}  // namespace wasmiot
