// fuzz_runtime: a WebAssembly binary run on the reference runtime's
// interpreter as `wasmiot run` runs it: ReadModule (inputs that fail it are
// skipped); a module without imports runs without a device, one with imports
// on the thermostat device (templates/thermostat/device.json) after
// passing `wasmiot check` against it, with every sensor channel given values.
// Instantiate(EngineKind::kInterp) meters it (runtime/metering.h) with 10000
// instructions of fuel per call, at most 16 pages of memory (the thermostat's
// own 4 with the device), 10000 table elements and no wall clock, runs its
// start function, then calls every exported function with zero arguments of
// its parameter types (functions taking v128 or references, which the tool
// cannot pass either, are skipped) and reads memory back. Inputs whose last
// byte is odd run as on WAMR classic with a 70000-byte app heap, so memory 0 is
// laid out as WAMR lays it out (module/wamr_memory.h, metering's byte limit).
// All of it twice, with counted loops versioned and without: every call must
// do the same (results or trap, fuel used, host calls, memory after).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check/check.h"
#include "core/sha256.h"
#include "core/trap_kinds.h"
#include "support/text.h"
#include "runtime/aot_engine.h"
#include "runtime/engine.h"
#include "runtime/host.h"

#include "fuzz_support.h"

using namespace wasmiot;

namespace {

constexpr uint64_t kFuel = 10000;
constexpr uint32_t kMaxPages = 16;
constexpr uint32_t kTableElements = 10000;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)fuzz::ThermostatManifest();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxModuleFileBytes) return -1;
  const Bytes wasm(data, data + size);
  Diagnostics diagnostics;
  Result<ModuleInfo> module = ReadModule(wasm, "fuzz.wasm", diagnostics);
  if (!module) return -1;
  const Manifest* manifest = nullptr;
  if (!module->imports.empty()) {
    manifest = &fuzz::ThermostatManifest();
    Diagnostics check;
    Result<ModuleInfo> checked = ReadAndCheckModule(wasm, "fuzz.wasm", *manifest, check);
    if (!checked || check.HasErrors()) return 0;  // `run` refuses it
  }

  // Runs every export once on a fresh instance; returns what each call did
  // (results or trap, fuel used) and the memory after, as text.
  auto run_all = [&](bool version_loops) {
    std::unique_ptr<SimulatedHost> host;
    if (manifest) {
      host = std::make_unique<SimulatedHost>();
      double value = 21.5;
      for (const std::string& channel : SensorChannels(*manifest)) host->SetSensor(channel, {value++, 40.0, -3.0});
      for (const std::string& stream : InputStreams(*manifest)) host->SetInputStream(stream, Bytes(64, 0x5a));
    }
    RunLimits limits = LimitsFromManifest(manifest);
    limits.fuel_per_call = kFuel;
    limits.max_memory_pages = std::min(limits.max_memory_pages, kMaxPages);
    limits.max_table_elements = std::min(limits.max_table_elements, kTableElements);
    limits.wall_ms_per_call = 0;
    limits.version_loops = version_loops;
    if (data[size - 1] & 1) {
      limits.runtime = DeviceRuntime::kWamrClassic;
      limits.heap_bytes = 70000;
    }
    std::string record;
    Result<Instantiation> inst = Instantiate(EngineKind::kInterp, wasm, manifest, host.get(), limits);
    if (!inst) return std::string("refused");
    if (!inst->instance) return std::string("start trapped");
    Instance& instance = *inst->instance;
    for (const ExportInfo& e : module->exports) {
      if (e.kind != ExternKind::kFunc) continue;
      std::vector<Value> args;
      for (WasmType p : e.signature.params) {
        std::optional<ValueType> type = NumericType(p);
        if (!type) break;
        args.push_back(Value::FromNumber(*type, 0));
      }
      if (args.size() != e.signature.params.size()) continue;
      CallOutcome outcome = instance.Call(e.name, args);
      record += outcome.trap ? std::string(TrapKindName(outcome.trap->kind)) : FormatValues(outcome.results);
      record += " fuel " + std::to_string(outcome.fuel_used.value_or(0)) + "\n";
    }
    // Guest memory reads back exactly inside its bounds (scenarios read results this way).
    uint64_t bytes = instance.memory_bytes();
    std::optional<Bytes> head = instance.ReadMemory(0, std::min<uint64_t>(bytes, 64));
    if (bytes > 0 && (!head || head->size() != std::min<uint64_t>(bytes, 64))) fuzz::Fail("fuzz_runtime", "memory does not read back");
    if (instance.ReadMemory(bytes, 1) || instance.ReadMemory(UINT64_MAX, 2) || instance.ReadMemory(1, UINT64_MAX)) {
      fuzz::Fail("fuzz_runtime", "memory reads back past its end");
    }
    if (std::optional<Bytes> all = instance.ReadMemory(0, bytes)) {
      Sha256 digest = HashSha256(all->data(), all->size());
      record += "memory " + HexString(digest.data(), digest.size()) + "\n";
    }
    if (host) {
      for (const HostCall& c : host->calls()) record += FormatHostCall(c) + "\n";
    }
    return record;
  };
  // Counted loops in two versions (runtime/loop_versioning.h) must change
  // nothing a module does: the versioned module against the plain one.
  if (run_all(true) != run_all(false)) fuzz::Fail("fuzz_runtime", "the module does otherwise with its loops versioned");
  return 0;
}
