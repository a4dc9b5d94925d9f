#include "core/value_types.h"

namespace wasmiot {

std::string_view ValueTypeName(ValueType type) { return WasmTypeName(WasmTypeOf(type)); }

std::string_view WasmTypeName(WasmType type) {
  switch (type) {
    case WasmType::kI32: return "i32";
    case WasmType::kI64: return "i64";
    case WasmType::kF32: return "f32";
    case WasmType::kF64: return "f64";
    case WasmType::kV128: return "v128";
    case WasmType::kFuncRef: return "funcref";
    case WasmType::kExternRef: return "externref";
    case WasmType::kRef: return "ref";
    case WasmType::kOther: break;
  }
  return "unknown";
}

std::optional<ValueType> NumericType(WasmType type) {
  switch (type) {
    case WasmType::kI32: return ValueType::kI32;
    case WasmType::kI64: return ValueType::kI64;
    case WasmType::kF32: return ValueType::kF32;
    case WasmType::kF64: return ValueType::kF64;
    default: return std::nullopt;
  }
}

WasmType WasmTypeOf(ValueType type) {
  switch (type) {
    case ValueType::kI32: return WasmType::kI32;
    case ValueType::kI64: return WasmType::kI64;
    case ValueType::kF32: return WasmType::kF32;
    case ValueType::kF64: break;
  }
  return WasmType::kF64;
}

std::string FormatTypeList(const std::vector<WasmType>& types) {
  std::string out = "(";
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += ", ";
    out += WasmTypeName(types[i]);
  }
  return out + ")";
}

}  // namespace wasmiot
