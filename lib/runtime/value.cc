#include "runtime/value.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace wasmiot {

Value Value::F32(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return {ValueType::kF32, b};
}

Value Value::F64(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return {ValueType::kF64, b};
}

float Value::f32() const {
  uint32_t b = static_cast<uint32_t>(bits);
  float v;
  std::memcpy(&v, &b, 4);
  return v;
}

double Value::f64() const {
  double v;
  std::memcpy(&v, &bits, 8);
  return v;
}

double Value::AsNumber() const {
  switch (type) {
    case ValueType::kI32: return static_cast<int32_t>(i32());
    case ValueType::kI64: return static_cast<double>(static_cast<int64_t>(i64()));
    case ValueType::kF32: return f32();
    case ValueType::kF64: return f64();
  }
  return 0;
}

Value Value::FromNumber(ValueType type, double n) {
  auto clamp = [&](double lo, double hi) { return std::isnan(n) ? 0.0 : n < lo ? lo : n > hi ? hi : std::trunc(n); };
  switch (type) {
    case ValueType::kI32: return I32(static_cast<uint32_t>(static_cast<int32_t>(clamp(INT32_MIN, INT32_MAX))));
    case ValueType::kI64: {
      // 2^63 is not an int64: the top of the range is clamped just below it.
      double v = clamp(-9223372036854775808.0, 9223372036854774784.0);
      return I64(static_cast<uint64_t>(static_cast<int64_t>(v)));
    }
    case ValueType::kF32: return F32(static_cast<float>(n));
    case ValueType::kF64: return F64(n);
  }
  return I32(0);
}

Result<Value> ParseValue(std::string_view text, ValueType type) {
  std::string s(text);
  Error bad{ErrorKind::kInvalidInput, fmt::format("\"{}\" is not an {} value", s, ValueTypeName(type))};
  if (s.empty()) return bad;
  char* end = nullptr;
  errno = 0;
  if (type == ValueType::kI32 || type == ValueType::kI64) {
    bool negative = s[0] == '-';
    if (negative && s.size() == 1) return bad;
    if (!std::isdigit(static_cast<unsigned char>(s[negative ? 1 : 0]))) return bad;
    uint64_t magnitude = std::strtoull(s.c_str() + (negative ? 1 : 0), &end, 0);
    if (*end != 0 || errno == ERANGE) return bad;
    if (type == ValueType::kI32) {
      if (negative ? magnitude > 0x80000000ull : magnitude > 0xFFFFFFFFull) return bad;
      return Value::I32(static_cast<uint32_t>(negative ? 0u - static_cast<uint32_t>(magnitude) : magnitude));
    }
    if (negative && magnitude > 0x8000000000000000ull) return bad;
    return Value::I64(negative ? 0ull - magnitude : magnitude);
  }
  double d = std::strtod(s.c_str(), &end);
  if (*end != 0) return bad;
  return type == ValueType::kF32 ? Value::F32(static_cast<float>(d)) : Value::F64(d);
}

std::string FormatValue(const Value& v) {
  switch (v.type) {
    case ValueType::kI32: return fmt::format("i32:{}", v.i32());
    case ValueType::kI64: return fmt::format("i64:{}", v.i64());
    case ValueType::kF32: return fmt::format("f32:{}", v.f32());
    case ValueType::kF64: return fmt::format("f64:{}", v.f64());
  }
  return "?";
}

std::string FormatValues(const std::vector<Value>& values) {
  std::string out;
  for (const Value& v : values) out += (out.empty() ? "" : ", ") + FormatValue(v);
  return out;
}

}  // namespace wasmiot
