// wasmiot test [DIR]: every *.scenario.json under DIR, on the reference runtime.
#include <algorithm>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "output.h"
#include "engine_choice.h"
#include "scenario_files.h"

namespace wasmiot::tool {
namespace {

namespace fs = std::filesystem;

struct TestOptions {
  CommonOptions common;
  std::string dir = ".";
  std::string engine = "interp";
  std::string module_dir;
};

constexpr std::string_view kSuffix = ".scenario.json";

int RunTest(const TestOptions& options) {
  Diagnostics diagnostics;
  std::vector<std::string> files;
  std::error_code ec;
  if (!fs::is_directory(options.dir, ec)) {
    diagnostics.AddError("io-error", options.dir, "is not a folder");
  } else {
    for (fs::recursive_directory_iterator it(options.dir, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (it->is_regular_file() && name.size() > kSuffix.size() &&
          name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
        files.push_back(it->path().string());
      }
    }
    if (ec) diagnostics.AddError("io-error", options.dir, fmt::format("cannot list: {}", ec.message()));
    else if (files.empty()) diagnostics.AddError("scenario-missing", options.dir, "no *.scenario.json files under it");
  }
  std::sort(files.begin(), files.end());
  Diagnostics engine_choice;
  std::vector<EngineKind> engines = ResolveEngines(options.engine, engine_choice);
  if (!options.common.json) PrintDiagnostics(engine_choice, options.common);
  for (const Diagnostic& d : engine_choice.list()) diagnostics.Add(d.severity, d.code, d.path, d.message);
  if (engines.empty()) files.clear();
  size_t passed = 0;
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& file : files) {
    Diagnostics own;
    ScenarioRun run = RunScenarioFile(file, ModuleOverride{"", "", options.module_dir}, engines, own);
    bool pass = run.report && run.report->passed && !own.HasErrors();
    if (!options.common.json && !pass) PrintDiagnostics(own, options.common);  // before the verdict joins them
    AddScenarioVerdict(run, file, own);
    passed += pass;
    if (options.common.json) {
      nlohmann::json r = ScenarioReportJson(run);
      nlohmann::json ds = nlohmann::json::array();
      for (const Diagnostic& d : own.list()) ds.push_back(DiagnosticToJson(d));
      r["diagnostics"] = ds;
      results.push_back(std::move(r));
    } else {
      std::string name = run.scenario ? run.scenario->name : file;
      fmt::print("{} {}", pass ? "PASS" : "FAIL", name);
      if (run.report) fmt::print(" ({} calls, {} host calls)", run.report->events.size(), run.report->host_calls.size());
      fmt::print("\n");
      if (!pass && run.report) fmt::print("{}", run.report->divergence);
    }
    if (!pass) {
      // The scenario's own worst problem decides the exit status (a missing file is an I/O error).
      const Diagnostic* worst = nullptr;
      for (const Diagnostic& d : own.list()) {
        if (d.severity == Severity::kError && (!worst || d.code == "io-error")) worst = &d;
      }
      diagnostics.AddError(worst ? worst->code : "scenario-failed", file,
                           run.scenario ? run.scenario->name + " failed" : "failed");
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("test", exit_code, diagnostics);
    doc["dir"] = options.dir;
    doc["engine"] = EngineNames(engines);
    doc["scenarios"] = results;
    doc["passed"] = passed;
    doc["failed"] = files.size() - passed;
    PrintJson(doc);
    return exit_code;
  }
  if (files.empty() && !engines.empty()) PrintDiagnostics(diagnostics, options.common);
  if (!files.empty()) fmt::print("{} scenarios: {} passed, {} failed\n", files.size(), passed, files.size() - passed);
  return exit_code;
}

}  // namespace

void RegisterTestCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand("test", "Run a project's scenario tests");
  cmd->add_option("dir", options->dir, "The folder to search for *.scenario.json (default: .)");
  AddEngineOption(*cmd, options->engine);
  cmd->add_option("--module-dir", options->module_dir, "Take each scenario's module from this folder, by its file name");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Run every *.scenario.json under DIR (docs/scenarios.md) on the reference runtime, each\n"
      "with the module and device manifest it names: the module must pass check, then the\n"
      "device's calls are made over simulated time and the host calls, results and traps are\n"
      "held to the scenario's expectations. Prints PASS or FAIL per scenario, with the first\n"
      "divergence of a failing one, then a summary. CI runs this, with --engine both: each\n"
      "scenario then runs on the interpreter and on host AOT, and any difference between\n"
      "them (results, traps, fuel used, host calls) fails it."
      "\n\n"
      "Examples:\n"
      "  wasmiot test\n"
      "  wasmiot test scenarios/ --json\n"
      "  wasmiot test templates/ --engine both\n"
      "\n"
      "Exit status: 0 every scenario passed, 1 one failed (or none was found), 2 usage error,\n"
      "3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunTest(*options); });
}

}  // namespace wasmiot::tool
