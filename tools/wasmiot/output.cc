#include "output.h"

#include <cstdio>

#include <fmt/format.h>

namespace wasmiot::tool {

int ExitCodeFor(const Diagnostics& diagnostics) {
  int code = kExitOk;
  for (const Diagnostic& d : diagnostics.list()) {
    if (d.severity != Severity::kError) continue;
    if (d.code == "io-error" || d.code == "internal-error") return kExitIoError;
    code = kExitCheckFailed;
  }
  return code;
}

nlohmann::json DiagnosticToJson(const Diagnostic& d) {
  nlohmann::json j = {
      {"severity", SeverityName(d.severity)},
      {"code", d.code},
      {"path", d.path},
      {"message", d.message},
  };
  if (!d.item.empty()) j["item"] = d.item;
  if (d.offset) j["offset"] = *d.offset;
  if (d.position) {
    j["line"] = d.position->line;
    j["column"] = d.position->column;
  }
  return j;
}

nlohmann::json JsonDocument(std::string_view command, int exit_code, const Diagnostics& diagnostics) {
  nlohmann::json list = nlohmann::json::array();
  for (const Diagnostic& d : diagnostics.list()) list.push_back(DiagnosticToJson(d));
  return {
      {"command", command},
      {"ok", exit_code == kExitOk},
      {"exit_code", exit_code},
      {"summary",
       {{"errors", diagnostics.Count(Severity::kError)},
        {"warnings", diagnostics.Count(Severity::kWarning)},
        {"notes", diagnostics.Count(Severity::kNote)}}},
      {"diagnostics", std::move(list)},
  };
}

void PrintDiagnostics(const Diagnostics& diagnostics, const CommonOptions& options) {
  for (const Diagnostic& d : diagnostics.list()) {
    if (d.severity == Severity::kNote && !options.verbose) continue;
    fmt::print(stderr, "{}\n", FormatDiagnostic(d));
  }
}

void PrintJson(const nlohmann::json& document) {
  // error_handler replace: a module's names are validated UTF-8, but never abort on output.
  fmt::print("{}\n", document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace wasmiot::tool
