#include "output.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace wasmiot::tool {

namespace {

// Errors that are not "the input was found wanting" (exit 1). One table, so
// every command maps the same code to the same status.
int ExitCodeForError(std::string_view code) {
  constexpr std::pair<std::string_view, int> kTable[] = {
      {"usage", kExitUsage},
      {"unknown-target", kExitUsage},
      {"output-is-input", kExitUsage},
      {"project-missing", kExitUsage},
      {"unknown-template", kExitUsage},
      {"device-state-exists", kExitUsage},
      {"device-geometry", kExitUsage},
      {"io-error", kExitIoError},
      {"internal-error", kExitIoError},
      {"compiler-missing", kExitIoError},
      {"compiler-failed", kExitIoError},
  };
  for (const auto& [name, exit_code] : kTable) {
    if (name == code) return exit_code;
  }
  return kExitCheckFailed;
}

}  // namespace

namespace output_detail {

std::string EscapeLines(std::string_view text) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    out += Printable(text.substr(at, end - at));
    if (end < text.size()) out += '\n';
    at = end + 1;
  }
  return out;
}

}  // namespace output_detail

int ExitCodeFor(const Diagnostics& diagnostics) {
  int code = kExitOk;
  for (const Diagnostic& d : diagnostics.list()) {
    if (d.severity == Severity::kError) code = std::max(code, ExitCodeForError(d.code));
  }
  return code;
}

std::optional<Manifest> LoadOptionalManifest(const std::string& path, Diagnostics& diagnostics) {
  if (path.empty()) return std::nullopt;
  Result<Manifest> manifest = LoadManifest(path, diagnostics);
  if (!manifest) return std::nullopt;
  return std::move(manifest).value();
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
  std::map<std::string, size_t> warnings_by_code;
  for (const Diagnostic& d : diagnostics.list()) {
    if (d.severity == Severity::kNote && (!options.verbose || options.quiet)) continue;
    if (d.severity == Severity::kWarning && options.quiet && warnings_by_code[d.code]++ > 0) continue;
    PrintError("{}\n", FormatDiagnostic(d));  // one line: a newline in it is escaped too
  }
  for (const auto& [code, count] : warnings_by_code) {
    if (count > 1) PrintError("wasmiot: {} more warning{} [{}] not shown (--quiet)\n", count - 1, count > 2 ? "s" : "", code);
  }
}

void PrintJson(const nlohmann::json& document) {
  // error_handler replace: a module's names are validated UTF-8, but never abort on output.
  fmt::print("{}\n", document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace wasmiot::tool
