// The kinds of trap a call can end in: the one vocabulary of `wasmiot run`,
// scenarios, and the host glue `wasmiot gen` writes for devices (which maps its
// runtime's own trap codes onto these names).
#pragma once

#include <string_view>

namespace wasmiot {

enum class TrapKind {
  kUnreachable,
  kMemoryOutOfBounds,
  kDivideByZero,
  kIntegerOverflow,
  kInvalidConversion,
  kIndirectCall,     // null or mismatched table entry, index past the table
  kStackExhausted,   // recursion deeper than the engine's call stack
  kFuelExhausted,    // the call's instruction budget ran out (runtime/metering.h)
  kHost,             // a host function refused the call (bad buffer, missing input)
  kTimeout,          // the call ran past its wall-clock limit (stopped in a host call)
  kOther,
};
inline constexpr TrapKind kAllTrapKinds[] = {
    TrapKind::kUnreachable,   TrapKind::kMemoryOutOfBounds, TrapKind::kDivideByZero, TrapKind::kIntegerOverflow,
    TrapKind::kInvalidConversion, TrapKind::kIndirectCall, TrapKind::kStackExhausted, TrapKind::kFuelExhausted,
    TrapKind::kHost,          TrapKind::kTimeout,           TrapKind::kOther};

std::string_view TrapKindName(TrapKind kind);  // "unreachable", "memory-out-of-bounds", ...
bool IsTrapKindName(std::string_view name);

}  // namespace wasmiot
