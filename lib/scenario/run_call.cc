#include "scenario/run_call.h"

#include <map>

#include <fmt/format.h>

#include "check/check.h"
#include "module/module_info.h"
#include "runtime/host.h"
#include "scenario/stream_input.h"
#include "support/file_io.h"
#include "support/text.h"

namespace wasmiot {
namespace {

// Inputs name what the device has: a sensor channel, a buffer_in stream, a
// host function. Anything else is a typo that would silently do nothing.
void LoadInputs(const CallRequest& r, const Manifest& manifest, SimulatedHost& host, Diagnostics& diagnostics) {
  auto known = [&](DeviceInputKind kind, const std::string& name, const std::string& label) {
    std::string problem = UnknownDeviceInput(manifest, kind, name);
    if (!problem.empty()) diagnostics.AddError("usage", r.caller, fmt::format("{}: {}", label, problem));
    return problem.empty();
  };
  for (const DeviceInputs::Sensor& s : r.inputs.sensors) {
    if (known(DeviceInputKind::kSensorChannel, s.channel, s.label)) host.SetSensor(s.channel, s.values);
  }
  std::map<std::string, std::vector<std::string>> streams;
  for (const DeviceInputs::Stream& s : r.inputs.streams) {
    if (known(DeviceInputKind::kStream, s.stream, s.label)) streams[s.stream].push_back(s.file);  // else not read
  }
  for (const auto& [stream, files] : streams) {
    Result<Bytes> bytes = LoadStreamFiles(files, diagnostics);
    if (bytes) host.SetInputStream(stream, std::move(bytes).value());
  }
  for (const DeviceInputs::Latency& l : r.inputs.latencies) {
    if (known(DeviceInputKind::kHostFunction, l.function, l.label)) host.SetLatency(l.function, l.ms);
  }
}

// The export's arguments as its parameter types.
std::vector<Value> Arguments(const CallRequest& r, const ModuleInfo& module, Diagnostics& diagnostics) {
  const ExportInfo* target = nullptr;
  for (const ExportInfo& e : module.exports) {
    if (e.name == r.export_name && e.kind == ExternKind::kFunc) target = &e;
  }
  std::vector<Value> args;
  if (!target) {
    diagnostics.AddError("export-unknown", r.module_path, fmt::format("no exported function \"{}\"", r.export_name));
    return args;
  }
  const FuncSignature& sig = target->signature;
  if (sig.params.size() != r.args.size()) {
    diagnostics.AddError("usage", r.caller,
                         fmt::format("{} takes {} {}, not {}", r.export_name, Plural(sig.params.size(), "argument"),
                                     sig.ToString(), r.args.size()));
    return args;
  }
  for (size_t i = 0; i < r.args.size(); ++i) {
    std::optional<ValueType> type = NumericType(sig.params[i]);
    if (!type) {
      diagnostics.AddError("usage", r.caller,
                           fmt::format("argument {}: a {} cannot be given as text; call an export that takes numbers",
                                       i + 1, WasmTypeName(sig.params[i])));
      continue;
    }
    Result<Value> v = ParseValue(r.args[i], *type);
    if (!v) diagnostics.AddError("usage", r.caller, fmt::format("argument {}: {}", i + 1, v.error().message));
    else args.push_back(*v);
  }
  return args;
}

}  // namespace

CallRun RunCall(const CallRequest& r, Diagnostics& diagnostics) {
  CallRun run;
  if (!r.manifest_path.empty()) {
    Result<Manifest> loaded = LoadManifest(r.manifest_path, diagnostics);
    if (!loaded) return run;
    run.manifest = std::make_shared<const Manifest>(std::move(loaded).value());
  }
  const Manifest* manifest = run.manifest.get();
  Result<Bytes> wasm = ReadInput(r.module_path, kMaxModuleFileBytes, "module-too-large", diagnostics);
  if (!wasm) return run;
  // With a device, the module must pass check before it runs on it.
  Result<ModuleInfo> module = manifest ? ReadAndCheckModule(*wasm, r.module_path, *manifest, diagnostics)
                                       : ReadModule(*wasm, r.module_path, diagnostics);
  if (!module || diagnostics.HasErrors()) return run;
  if (!manifest) {
    for (const ImportInfo& i : module->imports) {
      diagnostics.AddError("manifest-required", r.module_path,
                           fmt::format("the module imports {}: give the device with {}", i.QualifiedName(),
                                       r.manifest_option));
    }
    if (diagnostics.HasErrors()) return run;
  }
  run.args = Arguments(r, *module, diagnostics);
  SimulatedHost inputs;
  if (manifest) LoadInputs(r, *manifest, inputs, diagnostics);
  if (diagnostics.HasErrors()) return run;

  RunLimits limits = LimitsFromManifest(manifest);
  if (r.max_pages) limits.max_memory_pages = *r.max_pages;
  if (r.fuel) limits.fuel_per_call = *r.fuel;
  if (r.wall_ms) limits.wall_ms_per_call = *r.wall_ms;
  limits.max_call_depth = r.max_call_depth;
  run.fuel_budget = limits.fuel_per_call;
  // On each engine with a fresh host; the first engine's run is reported.
  for (EngineKind engine : r.engines) {
    std::unique_ptr<SimulatedHost> host = manifest ? std::make_unique<SimulatedHost>(inputs) : nullptr;
    Result<Instantiation> inst = Instantiate(engine, *wasm, manifest, host.get(), limits, r.aot);
    if (!inst) {
      diagnostics.AddError("instantiation-refused", r.module_path, inst.error().message);
      return run;
    }
    CallOutcome outcome;
    if (inst->trap) outcome.trap = inst->trap;
    else outcome = inst->instance->Call(r.export_name, run.args);
    std::vector<HostCall> calls = host ? host->calls() : std::vector<HostCall>{};
    if (!run.outcome) {
      run.outcome = std::move(outcome);
      run.host_calls = std::move(calls);
      if (inst->instance) run.memory_bytes = inst->instance->memory_bytes();
      continue;
    }
    std::string d = CompareCalls({*run.outcome, run.host_calls.data(), run.host_calls.size()},
                                 {outcome, calls.data(), calls.size()});
    if (!d.empty()) {
      diagnostics.AddError("engines-disagree", r.module_path,
                           fmt::format("{} on {} vs {}: {}", r.export_name, EngineKindName(r.engines.front()),
                                       EngineKindName(engine), d));
    }
  }
  if (run.outcome && run.outcome->fuel_used) {
    diagnostics.Add(Severity::kNote, "fuel-used", r.module_path,
                    fmt::format("{}: {} of {} of fuel", r.export_name, *run.outcome->fuel_used,
                                Plural(run.fuel_budget, "instruction")));
  }
  if (run.outcome && run.outcome->trap) {
    const Trap& t = *run.outcome->trap;
    diagnostics.AddError("trap-" + std::string(TrapKindName(t.kind)), r.module_path,
                         t.export_name.empty() ? fmt::format("trap while instantiating: {}", t.message)
                                               : fmt::format("{}: trap: {}", t.export_name, t.message));
  }
  return run;
}

}  // namespace wasmiot
