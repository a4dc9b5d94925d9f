// `wasmiot run MODULE --invoke EXPORT ARGS...`: one export called on each
// engine asked for, the device's host functions simulated from the inputs
// given, its budgets enforced, and the engines compared (CompareCalls).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "manifest/manifest.h"
#include "runtime/aot_engine.h"
#include "runtime/engine.h"
#include "support/diagnostics.h"

namespace wasmiot {

// What the simulated device sees. Each input carries the caller's spelling of
// it (`label`, e.g. `--sensor "level=3"`), which prefixes its diagnostics.
struct DeviceInputs {
  struct Sensor {
    std::string label, channel;
    std::vector<double> values;
  };
  struct Stream {  // a stream given twice reads both files, in order
    std::string label, stream, file;
  };
  struct Latency {
    std::string label, function;  // MODULE.NAME
    uint64_t ms = 0;
  };
  std::vector<Sensor> sensors;
  std::vector<Stream> streams;
  std::vector<Latency> latencies;
  bool empty() const { return sensors.empty() && streams.empty() && latencies.empty(); }
};

struct CallRequest {
  std::string module_path;
  std::string manifest_path;  // "": no device (then the module may import nothing)
  std::string export_name;
  std::vector<std::string> args;  // as text, read as the export's parameter types
  DeviceInputs inputs;
  std::vector<EngineKind> engines;
  AotSettings aot;
  // Instead of the device's budgets.
  std::optional<uint32_t> max_pages;
  std::optional<uint64_t> fuel;
  std::optional<uint64_t> wall_ms;
  uint32_t max_call_depth = kDefaultMaxCallDepth;
  // The caller's names, for diagnostics: its own (the tool: "wasmiot") for usage errors,
  // and how a device is given ("--manifest").
  std::string caller = "run";
  std::string manifest_option = "a manifest";
};

struct CallRun {
  std::shared_ptr<const Manifest> manifest;  // the host calls point into it
  std::vector<Value> args;
  std::optional<CallOutcome> outcome;  // on the first engine, when it ran
  std::vector<HostCall> host_calls;    // on the first engine
  uint64_t memory_bytes = 0;
  uint64_t fuel_budget = 0;
};

// Codes: usage, manifest-required, export-unknown, instantiation-refused,
// engines-disagree, trap-<kind>, a note fuel-used, and those of reading,
// checking (with a device) and loading stream files.
CallRun RunCall(const CallRequest& request, Diagnostics& diagnostics);

}  // namespace wasmiot
