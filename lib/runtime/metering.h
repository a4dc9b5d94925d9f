// Fuel metering injected into the module itself, so that a per-call
// instruction budget runs out at the same instruction on every engine (the
// interpreter, host AOT, a device's runtime): each straight-line sequence of
// instructions (a function body, a block, loop, if or else arm, a try body or
// catch) first subtracts its length from a mutable i64 global and traps with
// `unreachable` if the fuel went negative. The host sets the global before a
// call and reads it after: what is gone is the fuel used; a trap with the
// fuel below zero is fuel exhaustion, not the module's own unreachable.
#pragma once

#include <cstdint>
#include <string>

#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

// The export name of the fuel global in a metered module.
inline constexpr const char* kFuelGlobalExport = "wasmiot_fuel";
// A metered module has no start section: its start function is exported
// under this name, and the runtime calls it right after instantiation, with
// the fuel set, so that running out of fuel there is told apart too.
inline constexpr const char* kStartExport = "wasmiot_start";

struct MeteredModule {
  Bytes wasm;
  uint64_t metered_sequences = 0;  // charge points inserted
};

// `initial_fuel` is the global's value at instantiation. Refused if the
// module already exports kFuelGlobalExport or kStartExport.
Result<MeteredModule> InjectFuelMetering(const Bytes& wasm, uint64_t initial_fuel);

}  // namespace wasmiot
