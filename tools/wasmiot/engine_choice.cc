#include "engine_choice.h"

#include <fmt/format.h>

#include "runtime/aot_engine.h"

namespace wasmiot::tool {

void AddEngineOption(CLI::App& cmd, std::string& engine) {
  cmd.add_option("--engine", engine,
                 "interp (wabt's interpreter, the reference), aot (wasm2c + the host C compiler, cached), "
                 "auto (aot if a C compiler is installed, else interp), both (each, and they must agree)")
      ->check(CLI::IsMember({"interp", "aot", "auto", "both"}));
}

std::vector<EngineKind> ResolveEngines(const std::string& engine, Diagnostics& diagnostics) {
  if (engine == "interp") return {EngineKind::kInterp};
  Result<HostCompiler> cc = FindHostCompiler(AotSettings{});
  if (!cc && engine == "auto") {
    diagnostics.Add(Severity::kNote, "engine-fallback", "wasmiot",
                    fmt::format("{}; running on the interpreter", cc.error().message));
    return {EngineKind::kInterp};
  }
  if (!cc) {
    diagnostics.AddError("compiler-missing", "wasmiot", cc.error().message);
    return {};
  }
  if (engine == "both") return {EngineKind::kInterp, EngineKind::kAot};
  return {EngineKind::kAot};
}

nlohmann::json EngineNames(const std::vector<EngineKind>& engines) {
  if (engines.empty()) return nullptr;
  std::string out;
  for (EngineKind e : engines) out += (out.empty() ? "" : "+") + std::string(EngineKindName(e));
  return out;
}

}  // namespace wasmiot::tool
