#include "scenario/scenario_files.h"

#include <filesystem>

#include <fmt/format.h>

#include "check/check.h"
#include "module/module_info.h"
#include "runtime/aot_engine.h"

namespace wasmiot {

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
                            const std::vector<EngineKind>& engines, const AotSettings& aot,
                            Diagnostics& diagnostics) {
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
      return Instantiate(engine, *wasm, &manifest, &host, limits, aot);
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

GatewayRun RunGatewayFile(const std::string& gateway_path, const std::string& module_dir,
                          const std::vector<EngineKind>& engines, const AotSettings& aot, Diagnostics& diagnostics) {
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
                        [t, engine, &aot](SimulatedHost& host, const RunLimits& limits) {
                          return Instantiate(engine, t->wasm, t->manifest.get(), &host, limits, aot);
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

}  // namespace wasmiot
