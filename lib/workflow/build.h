// `wasmiot build`: a project from its sources to everything a release needs,
// in process: compile (with the flags the device implies), check, opt, AOT for
// every target (in parallel), the scenarios, and with a key sign and chunk.
// Each step is skipped when its inputs are as the last build left them
// (build_state.h); a failed step leaves what earlier steps wrote as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "keys/keys.h"
#include "project/project.h"
#include "runtime/aot_engine.h"
#include "support/diagnostics.h"

namespace wasmiot {

// The build's outputs inside the build folder (docs/projects.md).
inline constexpr std::string_view kBuildStateFile = ".wasmiot-build-state.json";
inline constexpr std::string_view kBuildSummaryFile = "summary.json";

struct BuildOptions {
  std::string c_compiler;     // clang, as found by the caller ("" if none)
  std::string rust_compiler;  // Debian's rustc ("" if none)
  // Identifies this wasmiot and the libraries in it: a different one rebuilds everything.
  std::string tool_identity;
  unsigned jobs = 1;  // AOT targets compiled at once
  const SecretKey* key = nullptr;  // the project's signing key, loaded by the caller (null: unsigned)
  std::string key_origin;          // how the caller names it, for messages
  std::optional<uint64_t> source_date_epoch;  // SOURCE_DATE_EPOCH, for the sequence policy that asks for it
  AotSettings host_aot;  // the scenarios' AOT engine
  bool force = false;    // rebuild every step
  bool warnings_as_errors = false;  // a step that warns fails (its warnings become errors)
  std::string build_dir;             // instead of the project's (e.g. a CMake build folder); "" for the project's
  std::vector<std::string> targets;  // only these of the project's targets; empty for all
};

enum class StepStatus { kBuilt, kUpToDate, kFailed, kNotRun };
std::string_view StepStatusName(StepStatus status);

struct StepReport {
  std::string step;    // compile, check, opt, aot, test, sign, chunk
  std::string detail;  // the target, scenario or bundle it was for ("" if one of a kind)
  StepStatus status = StepStatus::kNotRun;
  double seconds = 0;
};

struct ArtifactReport {
  std::string kind;    // wasm, module, aot-library, bundle, chunks
  std::string target;  // AOT artifacts and bundles
  std::string path;    // relative to the project's folder
  uint64_t bytes = 0;
  std::string sha256;  // hex; "" for a folder
};

struct ScenarioVerdict {
  std::string file;  // relative to the project's folder
  bool passed = false;
  bool up_to_date = false;  // passed in an earlier build with these very inputs
  std::string engines;      // "interp", "aot" or "interp+aot": where it ran, compared
  std::string message;      // the first divergence, when it failed
};

struct BuildReport {
  std::string name;
  std::string version;
  std::string build_dir;  // relative to the project's folder
  std::vector<StepReport> steps;
  std::vector<ArtifactReport> artifacts;
  std::vector<ScenarioVerdict> scenarios;
  std::optional<uint64_t> sequence;  // when signed
  std::string failed_step;           // "" when every step succeeded
  double seconds = 0;
};

// Told of each step as it starts and ends (from the thread that runs it; calls
// are serialized), for progress on a terminal.
struct BuildObserver {
  std::function<void(const StepReport&)> started;
  std::function<void(const StepReport&)> finished;
};

// Problems are diagnostics: the project file's at line:column (project-invalid,
// target-not-accepted, unknown-target, source-missing), compiler-missing,
// compile-failed, check's, opt's, aot's, scenario-failed, sign's, chunk's.
// Returns the report whether or not a step failed (failed_step says which).
BuildReport BuildProject(const Project& project, const BuildOptions& options, const BuildObserver& observer,
                         Diagnostics& diagnostics);

// The report as the JSON document `build --json` prints and summary.json holds
// (schemas/build-output.schema.json, with the diagnostics beside it).
std::string BuildReportJson(const BuildReport& report);

}  // namespace wasmiot
