// Scenario and gateway runs as `--json` renders them (schemas/run.schema.json).
#pragma once

#include <nlohmann/json.hpp>

#include "scenario/scenario_files.h"

namespace wasmiot::tool {

nlohmann::json ScenarioReportJson(const ScenarioRun& run);
nlohmann::json GatewayReportJson(const GatewayRun& run);

}  // namespace wasmiot::tool
