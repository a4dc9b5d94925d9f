// A scenario file with the module and manifest it names (or the caller
// gives), checked and run on each engine asked for, the engines compared:
// `run --scenario`, `run --gateway` and `test`.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "scenario/gateway.h"
#include "runtime/aot_engine.h"
#include "scenario/scenario.h"
#include "scenario/session.h"
#include "support/diagnostics.h"

namespace wasmiot {

// Where the modules come from, instead of what the scenario names: one file,
// or a folder holding the scenario's module by its file name (built artifacts).
struct ModuleOverride {
  std::string module;
  std::string manifest;
  std::string module_dir;
};

// A scenario file with its device and module, checked against each other
// (module empty after an error).
struct LoadedScenario {
  std::optional<Scenario> scenario;
  std::shared_ptr<const Manifest> manifest;
  Bytes wasm;
  std::optional<ModuleInfo> module;
};
LoadedScenario LoadScenarioInputs(const std::string& scenario_path, const ModuleOverride& overrides,
                                  Diagnostics& diagnostics);

struct ScenarioRun {
  std::optional<Scenario> scenario;
  std::shared_ptr<const Manifest> manifest;  // the report's host calls point into it
  std::optional<ScenarioReport> report;      // when it ran (on the first engine)
  std::vector<EngineKind> engines;
};

// Empty overrides take the scenario's own "module" and "manifest". On two
// engines the scenario runs on each, and the report fails where they differ.
ScenarioRun RunScenarioFile(const std::string& scenario_path, const ModuleOverride& overrides,
                            const std::vector<EngineKind>& engines, const AotSettings& aot,
                            Diagnostics& diagnostics);

// A failed scenario as an error diagnostic (its first divergence line).
void AddScenarioVerdict(const ScenarioRun& run, const std::string& scenario_path, Diagnostics& diagnostics);

// A gateway file (scenario/gateway.h) with each tenant's scenario, device and
// module; on two engines, run on each, failing where they differ.
struct GatewayRun {
  std::optional<Gateway> gateway;
  std::vector<LoadedScenario> tenants;  // the report points into these
  std::optional<GatewayReport> report;
  std::vector<EngineKind> engines;
};
GatewayRun RunGatewayFile(const std::string& gateway_path, const std::string& module_dir,
                          const std::vector<EngineKind>& engines, const AotSettings& aot, Diagnostics& diagnostics);

}  // namespace wasmiot
