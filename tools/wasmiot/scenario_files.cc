#include "scenario_files.h"

#include <fmt/format.h>

#include "check/check.h"
#include "module/module_info.h"
#include "runtime/aot_engine.h"

namespace wasmiot::tool {

ScenarioRun RunScenarioFile(const std::string& scenario_path, const std::string& module_override,
                            const std::string& manifest_override, const std::vector<EngineKind>& engines,
                            Diagnostics& diagnostics) {
  ScenarioRun run;
  run.engines = engines;
  Result<Scenario> scenario = LoadScenario(scenario_path, diagnostics);
  if (!scenario) return run;
  run.scenario = *scenario;
  std::string module_path = module_override.empty() ? scenario->module : module_override;
  std::string manifest_path = manifest_override.empty() ? scenario->manifest : manifest_override;
  if (module_path.empty() || manifest_path.empty()) {
    diagnostics.AddError("usage", scenario_path,
                         fmt::format("the scenario names no {}: give it in the file or on the command line",
                                     module_path.empty() ? "module" : "manifest"));
    return run;
  }
  Result<Manifest> loaded = LoadManifest(manifest_path, diagnostics);
  if (!loaded) return run;
  run.manifest = std::make_shared<const Manifest>(std::move(loaded).value());
  const Manifest& manifest = *run.manifest;
  Result<Bytes> wasm = ReadInput(module_path, kMaxModuleFileBytes, "module-too-large", diagnostics);
  if (!wasm) return run;
  // The module must pass check against the device before it runs on it.
  Result<ModuleInfo> module = ReadAndCheckModule(*wasm, module_path, manifest, diagnostics);
  if (!module || diagnostics.HasErrors()) return run;
  for (EngineKind engine : engines) {
    Instantiator instantiate = [&](SimulatedHost& host, const RunLimits& limits) {
      return Instantiate(engine, *wasm, &manifest, &host, limits);
    };
    Result<ScenarioReport> report = RunScenario(*scenario, manifest, *module, instantiate, diagnostics);
    if (!report) return run;
    if (!run.report) {
      run.report = std::move(report).value();
      continue;
    }
    std::string d = FirstEngineDifference(*run.report, EngineKindName(engines.front()), *report, EngineKindName(engine));
    if (!d.empty()) {
      run.report->divergence = (run.report->passed ? "" : run.report->divergence) + d + "\n";
      run.report->passed = false;
    }
  }
  return run;
}

void AddScenarioVerdict(const ScenarioRun& run, const std::string& scenario_path, Diagnostics& diagnostics) {
  if (run.report && !run.report->passed) {
    const std::string& d = run.report->divergence;
    diagnostics.AddError("scenario-failed", scenario_path, d.substr(0, d.find('\n')));
  }
}

nlohmann::json ScenarioReportJson(const ScenarioRun& run) {
  nlohmann::json j = {{"scenario", run.scenario ? run.scenario->path : ""},
                      {"name", run.scenario ? run.scenario->name : ""},
                      {"passed", run.report && run.report->passed}};
  if (!run.report) return j;
  j["divergence"] = run.report->divergence;
  nlohmann::json events = nlohmann::json::array();
  for (const ScenarioEvent& ev : run.report->events) {
    nlohmann::json e = {{"time_ms", ev.time_ms}, {"export", ev.export_name}, {"args", FormatValues(ev.args)},
                        {"results", FormatValues(ev.outcome.results)}, {"host_calls", ev.host_call_count}};
    e["trap"] = ev.outcome.trap ? nlohmann::json{{"kind", TrapKindName(ev.outcome.trap->kind)},
                                                 {"message", ev.outcome.trap->message}}
                                : nlohmann::json(nullptr);
    if (ev.outcome.fuel_used) e["fuel_used"] = *ev.outcome.fuel_used;
    events.push_back(std::move(e));
  }
  j["events"] = events;
  j["host_calls"] = run.report->host_calls.size();
  return j;
}

}  // namespace wasmiot::tool
