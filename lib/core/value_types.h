// WebAssembly value types, the one vocabulary the manifest, the module reader,
// the checker and the engines share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wasmiot {

// The numeric types: what host functions, scenario and command-line arguments
// and the engines' values carry.
enum class ValueType { kI32, kI64, kF32, kF64 };
std::string_view ValueTypeName(ValueType type);  // "i32", ...

// Every value type a module may use, as the module reader reports it.
// kRef is a typed reference (function-references); kOther anything newer.
enum class WasmType { kI32, kI64, kF32, kF64, kV128, kFuncRef, kExternRef, kRef, kOther };
std::string_view WasmTypeName(WasmType type);  // "i32", "v128", "funcref", ...

// The numeric type, or nothing for v128 and references.
std::optional<ValueType> NumericType(WasmType type);
WasmType WasmTypeOf(ValueType type);

// "(f32, i32)", for messages.
std::string FormatTypeList(const std::vector<WasmType>& types);

}  // namespace wasmiot
