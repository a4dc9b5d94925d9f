// wasmiot test [DIR]: every *.scenario.json under DIR, on the reference runtime.
#include <chrono>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "output.h"
#include "engine_choice.h"
#include "junit.h"
#include "support/file_io.h"
#include "scenario/scenario_files.h"
#include "scenario/test_files.h"
#include "scenario_json.h"

namespace wasmiot::tool {
namespace {


struct TestOptions {
  CommonOptions common;
  std::string dir = ".";
  std::string engine = "interp";
  std::string module_dir;
  std::string junit;  // a JUnit XML report, "" for none
};

// One file's verdict: for a scenario or a gateway alike.
struct Verdict {
  bool pass = false;
  std::string name;
  std::string counts;      // "(24 calls, 83 host calls)"
  std::string divergence;  // for a failure
  nlohmann::json json;
};

Verdict TestScenario(const std::string& file, const TestOptions& options, const std::vector<EngineKind>& engines,
                     Diagnostics& own) {
  ScenarioRun run = RunScenarioFile(file, ModuleOverride{"", "", options.module_dir}, engines,
                                    AotSettingsFromEnvironment(), own);
  Verdict v;
  v.pass = run.report && run.report->passed && !own.HasErrors();
  v.name = run.scenario ? run.scenario->name : file;
  if (run.report) {
    v.counts = fmt::format(" ({}, {})", Plural(run.report->events.size(), "call"),
                           Plural(run.report->host_calls.size(), "host call"));
    v.divergence = run.report->divergence;
  }
  if (!options.common.json && !v.pass) PrintDiagnostics(own, options.common);  // before the verdict joins them
  AddScenarioVerdict(run, file, own);
  if (options.common.json) v.json = ScenarioReportJson(run);
  return v;
}

Verdict TestGateway(const std::string& file, const TestOptions& options, const std::vector<EngineKind>& engines,
                    Diagnostics& own) {
  GatewayRun run = RunGatewayFile(file, options.module_dir, engines, AotSettingsFromEnvironment(), own);
  Verdict v;
  v.pass = run.report && run.report->passed && !own.HasErrors();
  v.name = run.gateway ? run.gateway->name : file;
  if (run.report) {
    v.counts = fmt::format(" ({})", Plural(run.report->tenants.size(), "tenant"));
    v.divergence = run.report->divergence;
  }
  if (!options.common.json && !v.pass) PrintDiagnostics(own, options.common);
  AddGatewayVerdict(run, file, own);
  if (options.common.json) v.json = GatewayReportJson(run);
  return v;
}

int RunTest(const TestOptions& options) {
  Diagnostics diagnostics;
  std::vector<std::string> files = FindTestFiles(options.dir, diagnostics);
  Diagnostics engine_choice;
  std::vector<EngineKind> engines = ResolveEngines(options.engine, engine_choice);
  if (!options.common.json) PrintDiagnostics(engine_choice, options.common);
  diagnostics.Append(engine_choice);
  if (engines.empty()) files.clear();
  size_t passed = 0;
  std::vector<JUnitCase> junit;
  nlohmann::json results = nlohmann::json::array();
  nlohmann::json gateways = nlohmann::json::array();
  for (const std::string& file : files) {
    Diagnostics own;
    bool gateway = IsGatewayFile(file);
    auto start = std::chrono::steady_clock::now();
    Verdict v = gateway ? TestGateway(file, options, engines, own) : TestScenario(file, options, engines, own);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    passed += v.pass;
    if (options.common.json) {
      nlohmann::json ds = nlohmann::json::array();
      for (const Diagnostic& d : own.list()) ds.push_back(DiagnosticToJson(d));
      v.json["diagnostics"] = ds;
      (gateway ? gateways : results).push_back(std::move(v.json));
    } else {
      Print("{} {}{}\n", v.pass ? "PASS" : "FAIL", v.name, v.counts);
      if (!v.pass) Print("{}", Lines{v.divergence});
    }
    if (options.common.warnings_as_errors && own.Count(Severity::kWarning) > 0 && v.pass) {
      own.PromoteWarningsToErrors();
      if (!options.common.json) PrintDiagnostics(own, options.common);
      v.pass = false;
      passed -= 1;
    }
    if (!v.pass) diagnostics.AddError(FailureCode(own), file, v.name + " failed");
    JUnitCase& c = junit.emplace_back(JUnitCase{gateway ? "gateway" : "scenario", file, seconds, !v.pass, "", ""});
    if (!v.pass) {
      std::string details = v.divergence;
      for (const Diagnostic& d : own.list()) details += FormatDiagnostic(d) + "\n";
      c.message = details.substr(0, details.find('\n'));
      c.details = details;
    }
  }
  if (!options.junit.empty()) {
    std::vector<NamedInput> inputs;
    for (const std::string& f : files) inputs.push_back({"a test file", f});
    if (RefuseOverwritingInputs(options.junit, "--junit", false, inputs, diagnostics)) {
      std::string xml = JUnitXml("wasmiot test " + options.dir, junit);
      Status written = WriteFileAtomically(options.junit, xml.data(), xml.size());
      if (!written) diagnostics.AddError("io-error", options.junit, written.error().message);
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("test", exit_code, diagnostics);
    doc["dir"] = options.dir;
    doc["engine"] = EngineNames(engines);
    doc["scenarios"] = results;
    doc["gateways"] = gateways;
    doc["passed"] = passed;
    doc["failed"] = files.size() - passed;
    PrintJson(doc);
    return exit_code;
  }
  if (files.empty() && !engines.empty()) PrintDiagnostics(diagnostics, options.common);
  if (!files.empty()) {
    Print("{}: {} passed, {} failed\n", Plural(files.size(), "scenario or gateway", "scenarios and gateways"), passed,
          files.size() - passed);
  }
  return exit_code;
}

}  // namespace

void RegisterTestCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand("test", "Run a project's scenario tests");
  cmd->add_option("dir", options->dir, "The folder to search for *.scenario.json and *.gateway.json (default: .)");
  AddEngineOption(*cmd, options->engine);
  cmd->add_option("--module-dir", options->module_dir, "Take each scenario's module from this folder, by its file name");
  cmd->add_option("--junit", options->junit, "Also write a JUnit XML report (one test case per file) to this file");
  AddWarningsAsErrorsOption(*cmd, options->common);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Run every *.scenario.json and *.gateway.json under DIR, in name order. A scenario\n"
      "(docs/scenarios.md) runs with the module and device manifest it names: the module must\n"
      "pass check, then the device's calls are made over simulated time and the host calls,\n"
      "results and traps are held to its expectations. A gateway (docs/gateway.md) runs its\n"
      "tenants' scenarios on one clock. Prints PASS or FAIL per file, with the first\n"
      "divergence of a failing one, then a summary. CI runs this with --engine both: each\n"
      "file then runs on the interpreter and on host AOT, and any difference between them\n"
      "(results, traps, fuel used, host calls) fails it."
      "\n\n"
      "Examples:\n"
      "  wasmiot test\n"
      "  wasmiot test scenarios/ --json\n"
      "  wasmiot test templates/ --module-dir build/workloads --engine both\n"
      "  wasmiot test tests/ --module-dir build --engine both --junit report.xml\n"
      "\n"
      "Exit status: 0 every file passed, 1 one failed (or none was found), 2 usage error,\n"
      "3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunTest(*options); });
}

}  // namespace wasmiot::tool
