// wasmiot build [DIR] [-j N] [--rebuild]
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "build_progress.h"
#include "command.h"
#include "engine_choice.h"
#include "output.h"
#include "project_environment.h"
#include "support/text.h"
#include "workflow/build.h"

namespace wasmiot::tool {
namespace {

struct BuildCommandOptions {
  CommonOptions common;
  std::string dir = ".";
  unsigned jobs = 0;  // 0: the number of cores
  bool rebuild = false;
  std::string build_dir;
  std::vector<std::string> targets;
};

void PrintSummary(const BuildReport& r) {
  size_t built = 0;
  for (const StepReport& s : r.steps) built += s.status != StepStatus::kUpToDate;
  Print("{} {}: {} in {:.2f} s ({} of {} steps ran), outputs in {}/\n", r.name, r.version,
        r.failed_step.empty() ? "built" : "FAILED at " + r.failed_step, r.seconds, built, r.steps.size(), r.build_dir);
  for (const ArtifactReport& a : r.artifacts) {
    std::string kind = a.target.empty() ? a.kind : a.kind + " " + a.target;
    if (a.sha256.empty()) {
      Print("  {:<26} {:<44} {:>8} bytes\n", kind, a.path + "/", a.bytes);
    } else {
      Print("  {:<26} {:<44} {:>8} bytes  sha256 {}\n", kind, a.path, a.bytes, a.sha256.substr(0, 16));
    }
  }
  for (const ScenarioVerdict& v : r.scenarios) {
    Print("  {} {} on {}{}\n", v.passed ? "PASS" : "FAIL", v.file, v.engines,
          v.up_to_date ? " (unchanged since it passed)" : "");
  }
  if (r.sequence) Print("  signed as version {}, sequence {}\n", r.version, *r.sequence);
}

int RunBuild(const BuildCommandOptions& options) {
  Diagnostics diagnostics;
  std::optional<BuildReport> report;
  Result<Project> project = LoadProject(options.dir, diagnostics);
  if (project) {
    BuildOptions build;
    build.c_compiler = FindClang();
    build.rust_compiler = FindRustc();
    build.tool_identity = ToolIdentity();
    build.jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    build.source_date_epoch = SourceDateEpoch();
    build.host_aot = AotSettingsFromEnvironment();
    build.force = options.rebuild;
    build.warnings_as_errors = options.common.warnings_as_errors;
    build.build_dir = options.build_dir;
    build.targets = options.targets;
    std::optional<SecretKey> key;
    if (project->signing.key != KeySourceKind::kNone) {
      if (std::optional<SecretKey> loaded = LoadProjectKey(*project, false, diagnostics)) key.emplace(*loaded);
    }
    build.key = key ? &*key : nullptr;
    if (!diagnostics.HasErrors()) {
      // Progress only on a terminal, and never in CI logs or around --json.
      bool progress = !options.common.json && !options.common.quiet && isatty(STDERR_FILENO) && !std::getenv("CI");
      std::optional<BuildProgress> printer;
      if (progress) printer.emplace();
      report = BuildProject(*project, build, printer ? printer->Observer() : BuildObserver{}, diagnostics);
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("build", exit_code, diagnostics);
    if (report) doc["build"] = nlohmann::json::parse(BuildReportJson(*report));
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (report) PrintSummary(*report);
  return exit_code;
}

}  // namespace

void RegisterBuildCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<BuildCommandOptions>();
  CLI::App* cmd = app.add_subcommand("build", "Build a project: gen, compile, check, opt, aot, test, sign, chunk");
  cmd->add_option("DIR", options->dir, "The project's folder, or its wasmiot.json (default: .)");
  cmd->add_option("-j,--jobs", options->jobs, "AOT targets compiled at once (default: the number of cores)")
      ->check(CLI::Range(1u, 256u));
  cmd->add_flag("--rebuild", options->rebuild, "Run every step, even those whose inputs did not change");
  cmd->add_option("--target", options->targets, "Compile (and sign) only this of the project's targets; repeatable");
  cmd->add_option("--build-dir", options->build_dir,
                  "Write the outputs here instead of the project's build folder (a CMake build tree, say)");
  AddWarningsAsErrorsOption(*cmd, options->common);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Build the project a wasmiot.json describes (docs/projects.md), in process: compile the\n"
      "sources with the flags the device manifest implies (clang or Debian's rustc: memory and\n"
      "stack budgets, exactly the device's features, no entry point, no debug info), check the\n"
      "module against the device, optimize it, compile it ahead of time for every target (in\n"
      "parallel), run the scenarios on the project's engines, and with a signing key sign the\n"
      "module and each target's library and slice each bundle into OTA chunks.\n"
      "\n"
      "A step whose inputs (sources, manifest, project file, flags, this wasmiot) did not change\n"
      "since the last build is not run again. Outputs are the same bytes in any folder; a failed\n"
      "step leaves what earlier steps wrote. build/summary.json holds the last build's summary.\n"
      "\n"
      "Examples:\n"
      "  wasmiot new thermostat my-thermostat && wasmiot build my-thermostat\n"
      "  wasmiot build --json | jq '.build.artifacts[] | {path, sha256}'\n"
      "  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) wasmiot build -j 4\n"
      "  wasmiot build module/ --target cortex-m4f --build-dir out/module -q\n"
      "\n"
      "Exit status: 0 built, 1 a step failed (check, test, ...), 2 usage or project-file\n"
      "error (no wasmiot.json), 3 I/O error or a missing compiler.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunBuild(*options); });
}

}  // namespace wasmiot::tool
