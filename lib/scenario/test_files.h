// `wasmiot test`: the scenario and gateway files under a folder, and what a
// failed one's exit status is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario_files.h"
#include "support/diagnostics.h"

namespace wasmiot {

inline constexpr std::string_view kScenarioFileSuffix = ".scenario.json";
inline constexpr std::string_view kGatewayFileSuffix = ".gateway.json";

// Every *.scenario.json and *.gateway.json under `dir`, sorted. Codes:
// io-error (not a folder, cannot list), scenario-missing (none there).
std::vector<std::string> FindTestFiles(const std::string& dir, Diagnostics& diagnostics);

bool IsGatewayFile(const std::string& path);

// A failed gateway as an error diagnostic (gateway-failed: its first divergence line).
void AddGatewayVerdict(const GatewayRun& run, const std::string& gateway_path, Diagnostics& diagnostics);

// The code a failed file counts as: its own worst problem (an I/O error above
// all, as a missing module is), else scenario-failed.
std::string FailureCode(const Diagnostics& file_diagnostics);

}  // namespace wasmiot
