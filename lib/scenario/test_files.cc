#include "scenario/test_files.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace wasmiot {
namespace {

bool EndsWith(const std::string& name, std::string_view suffix) {
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::vector<std::string> FindTestFiles(const std::string& dir, Diagnostics& diagnostics) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    diagnostics.AddError("io-error", dir, "is not a folder");
    return files;
  }
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_regular_file() && (EndsWith(name, kScenarioFileSuffix) || EndsWith(name, kGatewayFileSuffix))) {
      files.push_back(it->path().string());
    }
  }
  if (ec) diagnostics.AddError("io-error", dir, fmt::format("cannot list: {}", ec.message()));
  else if (files.empty()) diagnostics.AddError("scenario-missing", dir, "no *.scenario.json or *.gateway.json files under it");
  std::sort(files.begin(), files.end());
  return files;
}

bool IsGatewayFile(const std::string& path) { return EndsWith(path, kGatewayFileSuffix); }

void AddGatewayVerdict(const GatewayRun& run, const std::string& gateway_path, Diagnostics& diagnostics) {
  if (run.report && !run.report->passed) {
    const std::string& d = run.report->divergence;
    diagnostics.AddError("gateway-failed", gateway_path, d.substr(0, d.find('\n')));
  }
}

std::string FailureCode(const Diagnostics& file_diagnostics) {
  const Diagnostic* worst = nullptr;
  for (const Diagnostic& d : file_diagnostics.list()) {
    if (d.severity == Severity::kError && (!worst || d.code == "io-error")) worst = &d;
  }
  return worst ? worst->code : "scenario-failed";
}

}  // namespace wasmiot
