#include "scenario_files.h"

#include <filesystem>

#include <fmt/format.h>

#include "check/check.h"
#include "engine_choice.h"
#include "module/module_info.h"
#include "runtime/aot_engine.h"

namespace wasmiot::tool {

LoadedScenario LoadScenarioInputs(const std::string& scenario_path, const ModuleOverride& overrides,
                                  Diagnostics& diagnostics) {
  LoadedScenario out;
  Result<Scenario> scenario = LoadScenario(scenario_path, diagnostics);
  if (!scenario) return out;
  out.scenario = *scenario;
  std::string module_path = !overrides.module.empty() ? overrides.module
                            : !overrides.module_dir.empty() && !scenario->module.empty()
                                ? (std::filesystem::path(overrides.module_dir) /
                                   std::filesystem::path(scenario->module).filename())
                                      .string()
                                : scenario->module;
  std::string manifest_path = overrides.manifest.empty() ? scenario->manifest : overrides.manifest;
  if (module_path.empty() || manifest_path.empty()) {
    diagnostics.AddError("usage", scenario_path,
                         fmt::format("the scenario names no {}: give it in the file or on the command line",
                                     module_path.empty() ? "module" : "manifest"));
    return out;
  }
  Result<Manifest> loaded = LoadManifest(manifest_path, diagnostics);
  if (!loaded) return out;
  out.manifest = std::make_shared<const Manifest>(std::move(loaded).value());
  Result<Bytes> wasm = ReadInput(module_path, kMaxModuleFileBytes, "module-too-large", diagnostics);
  if (!wasm) return out;
  out.wasm = std::move(wasm).value();
  // The module must pass check against the device before it runs on it.
  bool had_errors = diagnostics.HasErrors();
  Result<ModuleInfo> module = ReadAndCheckModule(out.wasm, module_path, *out.manifest, diagnostics);
  if (module && !had_errors && !diagnostics.HasErrors()) out.module = std::move(module).value();
  return out;
}

ScenarioRun RunScenarioFile(const std::string& scenario_path, const ModuleOverride& overrides,
                            const std::vector<EngineKind>& engines, Diagnostics& diagnostics) {
  ScenarioRun run;
  run.engines = engines;
  LoadedScenario loaded = LoadScenarioInputs(scenario_path, overrides, diagnostics);
  run.scenario = loaded.scenario;
  run.manifest = loaded.manifest;
  if (!loaded.module) return run;
  const Scenario* scenario = &*loaded.scenario;
  const Manifest& manifest = *loaded.manifest;
  const Bytes* wasm = &loaded.wasm;
  const ModuleInfo* module = &*loaded.module;
  for (EngineKind engine : engines) {
    Instantiator instantiate = [&](SimulatedHost& host, const RunLimits& limits) {
      return Instantiate(engine, *wasm, &manifest, &host, limits, AotSettingsFromEnvironment());
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

GatewayRun RunGatewayFile(const std::string& gateway_path, const std::string& module_dir,
                          const std::vector<EngineKind>& engines, Diagnostics& diagnostics) {
  GatewayRun run;
  run.engines = engines;
  Result<Gateway> gateway = LoadGateway(gateway_path, diagnostics);
  if (!gateway) return run;
  run.gateway = *gateway;
  for (const GatewayTenant& t : gateway->tenants) {
    run.tenants.push_back(LoadScenarioInputs(t.scenario, ModuleOverride{"", "", module_dir}, diagnostics));
    if (!run.tenants.back().module) return run;
  }
  for (EngineKind engine : engines) {
    std::vector<TenantSetup> setups;
    for (size_t i = 0; i < run.tenants.size(); ++i) {
      const LoadedScenario* t = &run.tenants[i];
      setups.push_back({gateway->tenants[i].name, &*t->scenario, t->manifest.get(), &*t->module,
                        [t, engine](SimulatedHost& host, const RunLimits& limits) {
                          return Instantiate(engine, t->wasm, t->manifest.get(), &host, limits,
                                             AotSettingsFromEnvironment());
                        },
                        gateway->tenants[i].expect_stopped});
    }
    Result<GatewayReport> report = RunGateway(setups, diagnostics);
    if (!report) return run;
    if (!run.report) {
      run.report = std::move(report).value();
      continue;
    }
    for (size_t i = 0; i < report->tenants.size() && run.report->passed; ++i) {
      const TenantReport& a = run.report->tenants[i];
      const TenantReport& b = report->tenants[i];
      std::string d = FirstEngineDifference(a.report, EngineKindName(engines.front()), b.report, EngineKindName(engine));
      if (d.empty() && (a.fuel_used != b.fuel_used || a.peak_memory_bytes != b.peak_memory_bytes)) {
        d = fmt::format("the engines disagree on the counters: fuel {} vs {}, peak memory {} vs {}", a.fuel_used,
                        b.fuel_used, a.peak_memory_bytes, b.peak_memory_bytes);
      }
      if (!d.empty()) {
        run.report->passed = false;
        run.report->divergence = fmt::format("tenant {}: {}\n", a.name, d);
      }
    }
  }
  return run;
}

nlohmann::json GatewayReportJson(const GatewayRun& run) {
  nlohmann::json j = {{"gateway", run.gateway ? run.gateway->path : ""},
                      {"name", run.gateway ? run.gateway->name : ""},
                      {"passed", run.report && run.report->passed}};
  if (!run.report) return j;
  j["divergence"] = run.report->divergence;
  nlohmann::json tenants = nlohmann::json::array();
  for (const TenantReport& t : run.report->tenants) {
    tenants.push_back({{"name", t.name},
                       {"calls", t.calls},
                       {"fuel_used", t.fuel_used},
                       {"traps", t.traps},
                       {"peak_memory_bytes", t.peak_memory_bytes},
                       {"stopped_at_ms", t.stopped_at_ms ? nlohmann::json(*t.stopped_at_ms) : nlohmann::json(nullptr)},
                       {"stopped_by", t.stopped_at_ms ? nlohmann::json(t.stopped_by) : nlohmann::json(nullptr)},
                       {"passed", t.report.passed},
                       {"host_calls", t.report.host_calls.size()}});
  }
  j["tenants"] = tenants;
  return j;
}

}  // namespace wasmiot::tool
