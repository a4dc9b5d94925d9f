#include "core/trap_kinds.h"

namespace wasmiot {

std::string_view TrapKindName(TrapKind kind) {
  switch (kind) {
    case TrapKind::kUnreachable: return "unreachable";
    case TrapKind::kMemoryOutOfBounds: return "memory-out-of-bounds";
    case TrapKind::kDivideByZero: return "divide-by-zero";
    case TrapKind::kIntegerOverflow: return "integer-overflow";
    case TrapKind::kInvalidConversion: return "invalid-conversion";
    case TrapKind::kIndirectCall: return "indirect-call";
    case TrapKind::kStackExhausted: return "stack-exhausted";
    case TrapKind::kFuelExhausted: return "fuel-exhausted";
    case TrapKind::kHost: return "host";
    case TrapKind::kTimeout: return "timeout";
    case TrapKind::kOther: return "other";
  }
  return "other";
}

bool IsTrapKindName(std::string_view name) {
  for (TrapKind kind : kAllTrapKinds) {
    if (TrapKindName(kind) == name) return true;
  }
  return false;
}

}  // namespace wasmiot
