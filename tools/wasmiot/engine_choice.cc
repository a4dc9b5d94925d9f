#include "engine_choice.h"

#include <fmt/format.h>

#include <cstdlib>

#include "runtime/aot_engine.h"

namespace wasmiot::tool {

void AddEngineOption(CLI::App& cmd, std::string& engine) {
  cmd.add_option("--engine", engine,
                 "interp (wabt's interpreter, the reference), aot (wasm2c + the host C compiler, cached), "
                 "auto (aot if a C compiler is installed, else interp), both (each, and they must agree)")
      ->check(CLI::IsMember({"interp", "aot", "auto", "both"}));
}

AotSettings AotSettingsFromEnvironment() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  AotSettings settings;
  if (std::string cc = env("WASMIOT_CC"); !cc.empty()) settings.compiler = cc;
  if (std::string d = env("WASMIOT_CACHE_DIR"); !d.empty()) {
    settings.cache_dir = d;
  } else if (std::string x = env("XDG_CACHE_HOME"); !x.empty()) {
    settings.cache_dir = x + "/wasmiot/aot";
  } else if (std::string h = env("HOME"); !h.empty()) {
    settings.cache_dir = h + "/.cache/wasmiot/aot";
  }
  return settings;
}

std::vector<EngineKind> ResolveEngines(const std::string& engine, Diagnostics& diagnostics) {
  if (engine == "interp") return {EngineKind::kInterp};
  Result<HostCompiler> cc = FindHostCompiler(AotSettingsFromEnvironment());
  if (!cc && engine == "auto") {
    diagnostics.Add(Severity::kNote, "engine-fallback", "wasmiot",
                    fmt::format("{}; running on the interpreter", cc.error().message));
    return {EngineKind::kInterp};
  }
  if (!cc) {
    diagnostics.AddError("compiler-missing", "wasmiot", cc.error().message + "; or name one with WASMIOT_CC");
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
