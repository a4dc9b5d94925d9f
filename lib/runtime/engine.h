// An engine runs one module instance with the simulated host bound to its
// imports and the device's budgets enforced. The interpreter (wabt's) is the
// reference; every engine must give the same results and traps.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/limits.h"
#include "core/trap_kinds.h"
#include "manifest/manifest.h"
#include "runtime/host.h"
#include "runtime/value.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

struct Trap {
  TrapKind kind = TrapKind::kOther;
  std::string message;      // the engine's own words
  std::string export_name;  // the export that was called ("" while instantiating)
};

struct CallOutcome {
  std::vector<Value> results;
  std::optional<Trap> trap;
  std::optional<uint64_t> fuel_used;  // when metered: instructions charged, the budget if it ran out
};

// Budgets an instance runs under (from the manifest, or flags). Without a
// device the memory budget is 16 MiB: a memory bomb must never reach the
// host's RAM.
inline constexpr uint32_t kDefaultMaxMemoryPages = 256;
// Without a device's fuel_per_call a call still cannot run forever: about a
// second on the interpreter.
inline constexpr uint64_t kDefaultFuelPerCall = 10'000'000;
// Below wabt's interpreter's own call stack (64 KiB of frames).
inline constexpr uint32_t kDefaultMaxCallDepth = 1000;
// The most nested calls the interpreter engine can hold (wabt's fixed call
// stack); deeper limits need the AOT engine.
inline constexpr uint32_t kInterpMaxCallDepth = 1600;

struct RunLimits {
  uint32_t max_memory_pages = kDefaultMaxMemoryPages;  // memory.grow past this returns -1
  // table.grow past this returns -1: without a device, wasmiot's own limit.
  uint32_t max_table_elements = static_cast<uint32_t>(kMaxTableElements);
  // Instructions per call, counted by metering injected into the module, so
  // the budget runs out at the same instruction on every engine.
  uint64_t fuel_per_call = kDefaultFuelPerCall;
  // Nested calls allowed, counted the same way, so deep recursion traps at the
  // same depth on every engine (and before the interpreter's own stack ends).
  uint32_t max_call_depth = kDefaultMaxCallDepth;
  // Wall-clock milliseconds per call; 0: none. Checked at every host call and
  // inside slow ones, so a module stuck in a host call is stopped (the
  // instruction budget bounds the time spent in the module itself).
  uint64_t wall_ms_per_call = 0;
  // The device's stack for one call's chain of frames (the manifest's
  // stack_bytes; 0: not modelled), each frame sized as `runtime` sizes it
  // (core/device_runtime.h, docs/runtime.md "Stack"), counted by the same
  // instrumentation as the call depth, so it runs out at the same call on
  // every engine.
  uint64_t stack_bytes = 0;
  DeviceRuntime runtime = DeviceRuntime::kWasm2c;
  // The WAMR app heap (the manifest's heap_bytes): on a WAMR runtime, memory
  // 0 is laid out with it as WAMR does (module/wamr_memory.h).
  uint64_t heap_bytes = 0;
  // Counted loops in two versions (runtime/loop_versioning.h), which changes
  // nothing a module does (tests): unset, on for host AOT, where gcc
  // vectorizes the unchecked version, and off for the interpreter, which the
  // extra address arithmetic only slows (frame differencing 1.8x).
  std::optional<bool> version_loops;
};

// How two engines' outcomes of the same call differ, readably; "" if they
// agree: the same results (any NaN equals any NaN of its type), the same
// trap kind, the same fuel used.
std::string CompareOutcomes(const CallOutcome& a, const CallOutcome& b);

// One call on one engine: its outcome and the host calls it made.
struct CallTrace {
  const CallOutcome& outcome;
  const HostCall* host_calls = nullptr;
  size_t host_call_count = 0;
};

// The one engine comparison (`run --engine both`, scenarios, gateways): how
// two engines' runs of the same call differ, readably; "" if they agree:
// CompareOutcomes, then the number of host calls, then each host call.
std::string CompareCalls(const CallTrace& a, const CallTrace& b);

// The device's budgets (defaults where the manifest gives none).
RunLimits LimitsFromManifest(const Manifest* manifest);

class Instance {
 public:
  virtual ~Instance() = default;
  // Calls an exported function; `args` must match its parameter types.
  virtual CallOutcome Call(const std::string& export_name, const std::vector<Value>& args) = 0;
  virtual uint64_t memory_bytes() const = 0;  // 0 without memory
  // Guest bytes [at, at + length) as they are now; nothing if out of bounds.
  virtual std::optional<Bytes> ReadMemory(uint64_t at, uint64_t length) = 0;
  // Puts bytes there (a buffer the host passes); false, nothing written, if out of bounds.
  virtual bool WriteMemory(uint64_t at, const Bytes& bytes) = 0;
};

struct Instantiation {
  std::unique_ptr<Instance> instance;  // null if the start function trapped
  std::optional<Trap> trap;
};

enum class EngineKind { kInterp, kAot };
std::string_view EngineKindName(EngineKind kind);  // "interp", "aot"

// Instantiates a validated module on wabt's interpreter. Every function import
// must be a host function of `manifest` (bound to `host`); a module without
// imports needs neither. Refused (an error, nothing runs) when the initial
// memory or table is over budget or an import has no provider.
Result<Instantiation> InstantiateInterp(const Bytes& wasm, const Manifest* manifest, SimulatedHost* host,
                                        const RunLimits& limits);

// The module as every engine runs it: metered for `limits` (runtime/metering.h),
// its memory and table maximums lowered to the budgets, its memory exported,
// and on a WAMR runtime memory 0 laid out as WAMR does (module/wamr_memory.h).
struct PreparedModule {
  Bytes wasm;
  // Memory 0's size on the device when no page count expresses it: the
  // module's accesses are checked against it, and the engine gives host
  // functions and ReadMemory no more than this.
  std::optional<uint64_t> memory_bytes;
};
Result<PreparedModule> PrepareModule(const Bytes& wasm, const RunLimits& limits);
// Every field of `limits` PrepareModule reads, as text: the same key, the same
// prepared module (the AOT cache keeps what it needs of it under this).
std::string PreparationKey(const RunLimits& limits);

// Calls a prepared module's start function (exported as kStartExport, see
// runtime/metering.h) on a fresh instance; its trap, if any, names no export.
std::optional<Trap> RunStartFunction(Instance& instance);

// A host function's failure as a trap: a timeout, or a host trap.
Trap HostTrap(const Error& error, bool timed_out, const std::string& export_name);

// After a call of a prepared module: records the fuel used and, when the
// call trapped because the fuel ran out or the call depth passed the limit,
// replaces the engine's trap (an `unreachable`) with that. True if it did.
bool ExplainMeteredTrap(const RunLimits& limits, int64_t fuel_left, uint32_t depth, bool trapped,
                        const std::string& export_name, CallOutcome& out);

}  // namespace wasmiot
