// Budgets injected into the module itself, so they hold the same on every
// engine and on devices.
//
// Fuel metering: so that a per-call
// instruction budget runs out at the same instruction on every engine (the
// interpreter, host AOT, a device's runtime): each straight-line sequence of
// instructions (a function body, a block, loop, if or else arm, a try body or
// catch) first subtracts its length from a mutable i64 global and traps with
// `unreachable` if the fuel went negative. The host sets the global before a
// call and reads it after: what is gone is the fuel used; a trap with the
// fuel below zero is fuel exhaustion, not the module's own unreachable.
//
// Call depth: every function counts itself into a mutable i32 global on entry
// (trapping with `unreachable` above the limit) and out on exit; its body is
// wrapped in a block and each `return` becomes a branch to that block, so no
// exit skips the count. A trap with the depth above the limit is stack
// exhaustion, at exactly the same depth on every engine.
//
// Stack: with a device's stack budget, every function also adds its frame's
// bytes on the device (module/frames.h, the manifest's runtime) to an i32
// global on entry and takes them off on exit; past the budget it sets the
// depth global to kStackBudgetExhaustedDepth and traps, so the engine tells
// it from the depth limit. The outermost call starts the count at 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "module/wamr_memory.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

// The export names of the fuel and call-depth globals in a metered module.
inline constexpr const char* kFuelGlobalExport = "wasmiot_fuel";
inline constexpr const char* kDepthGlobalExport = "wasmiot_depth";
// A metered module has no start section: its start function is exported
// under this name, and the runtime calls it right after instantiation, with
// the fuel set, so that running out of fuel there is told apart too.
inline constexpr const char* kStartExport = "wasmiot_start";
// The module's memory (defined or imported), exported under this name so that
// every engine's host functions reach it the same way.
inline constexpr const char* kMemoryExport = "wasmiot_memory";

struct MeteredModule {
  Bytes wasm;
  uint64_t metered_sequences = 0;  // charge points inserted
  uint32_t versioned_loops = 0;    // counted loops in two versions (runtime/loop_versioning.h)
};

// The depth global's value after the stack budget ran out (above any depth limit).
inline constexpr uint32_t kStackBudgetExhaustedDepth = 0xffffffff;

struct StackBudget {
  uint64_t limit_bytes = 0;            // at most 256 MiB
  std::vector<uint64_t> frame_bytes;  // per defined function, in order
};

struct InstrumentOptions {
  uint64_t initial_fuel = 0;    // the fuel global's value at instantiation
  uint32_t max_call_depth = 0;  // nested calls allowed; 0: no depth counting
  // Budgets written into the module's own limits: a declared maximum above
  // the budget is lowered to it (so growth past it fails, as the spec says,
  // on every engine); an initial size above it is refused.
  std::optional<uint64_t> max_memory_pages;
  std::optional<uint64_t> max_table_elements;
  std::optional<StackBudget> stack;  // needs max_call_depth > 0
  // Memory 0 as a WAMR runtime lays it out (module/wamr_memory.h), after the
  // budget clamped its maximum: pages added for the app heap, or a size in
  // bytes every access is checked against, and __heap_base moved.
  std::optional<WamrMemory> wamr_memory;
  // Counted loops in two versions, one without per-turn checks (see
  // runtime/loop_versioning.h); the fuel used and traps stay the same.
  bool version_loops = true;
};

// Refused if the module already exports one of the names above, has an
// initial memory or table over the budget, or uses tail
// calls while the call depth is counted (a tail call would skip the count).
Result<MeteredModule> InstrumentModule(const Bytes& wasm, const InstrumentOptions& options);

}  // namespace wasmiot
