// --engine for `run` and `test`: interp, aot, auto (aot when a C compiler is
// there, else interp with a note) or both (run on each; they must agree).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "runtime/aot_engine.h"
#include "runtime/engine.h"
#include "support/diagnostics.h"

namespace wasmiot::tool {

void AddEngineOption(CLI::App& cmd, std::string& engine);

// The AOT engine's compiler ($WASMIOT_CC, else cc) and cache ($WASMIOT_CACHE_DIR,
// else $XDG_CACHE_HOME/wasmiot/aot, else ~/.cache/wasmiot/aot).
AotSettings AotSettingsFromEnvironment();

// The engines to run, in order; empty after an error (compiler-missing).
std::vector<EngineKind> ResolveEngines(const std::string& engine, Diagnostics& diagnostics);

// "interp", "aot" or "interp+aot" for JSON output; null if none was resolved
// (an error came first).
nlohmann::json EngineNames(const std::vector<EngineKind>& engines);

}  // namespace wasmiot::tool
