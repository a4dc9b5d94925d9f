// A scenario file with the module and manifest it names (or the command line
// gives), checked and run on the reference runtime: shared by `run --scenario`
// and `test`.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/scenario.h"
#include "support/diagnostics.h"

namespace wasmiot::tool {

struct ScenarioRun {
  std::optional<Scenario> scenario;
  std::shared_ptr<const Manifest> manifest;  // the report's host calls point into it
  std::optional<ScenarioReport> report;      // when it ran (on the first engine)
  std::vector<EngineKind> engines;
};

// Empty overrides take the scenario's own "module" and "manifest". On two
// engines the scenario runs on each, and the report fails where they differ.
ScenarioRun RunScenarioFile(const std::string& scenario_path, const std::string& module_override,
                            const std::string& manifest_override, const std::vector<EngineKind>& engines,
                            Diagnostics& diagnostics);

// A failed scenario as an error diagnostic (its first divergence line).
void AddScenarioVerdict(const ScenarioRun& run, const std::string& scenario_path, Diagnostics& diagnostics);

nlohmann::json ScenarioReportJson(const ScenarioRun& run);

}  // namespace wasmiot::tool
