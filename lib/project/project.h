// A module project: the `wasmiot.json` file `wasmiot new` writes and
// `wasmiot build` reads (docs/projects.md, schemas/project.schema.json). Paths
// in it are relative to its folder. The parser checks shapes and names; what
// needs other files (the manifest, the sources, the key, the targets the
// device accepts) is checked by the build, at the same line and column.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"
#include "support/result.h"

namespace wasmiot {

inline constexpr int kProjectFormatVersion = 1;
inline constexpr std::string_view kProjectFileName = "wasmiot.json";
inline constexpr uint64_t kMaxProjectBytes = 1 << 20;
inline constexpr size_t kMaxProjectSources = 256;
inline constexpr size_t kMaxProjectListItems = 64;  // targets, scenarios, compiler flags

enum class SourceLanguage { kC, kRust };
std::string_view SourceLanguageName(SourceLanguage language);

// Where the signing key comes from: nowhere (an unsigned build), a file
// (relative to the project), or an environment variable (CI secrets).
enum class KeySourceKind { kNone, kFile, kEnv };

// How the bundle's anti-rollback sequence number is chosen.
enum class SequencePolicy {
  kFixed,            // "sequence": N
  kFromVersion,      // "from-version": major << 32 | minor << 16 | patch, grows with the version
  kSourceDateEpoch,  // "source-date-epoch": the SOURCE_DATE_EPOCH the build is given
};

struct ProjectSigning {
  KeySourceKind key = KeySourceKind::kNone;
  std::string key_value;  // the file or the variable's name
  SequencePolicy sequence_policy = SequencePolicy::kFromVersion;
  uint64_t sequence = 0;  // kFixed
};

struct Project {
  std::string path;  // the project file, as given
  std::string dir;   // its folder: what the paths below are relative to
  std::string name;  // the module's name: a C identifier, the artifacts' file names
  std::string version;  // MAJOR.MINOR.PATCH, checked by the build
  SourceLanguage language = SourceLanguage::kC;
  std::vector<std::string> sources;  // C files, or the Rust crate root alone
  std::vector<std::string> compile_flags;  // appended to the derived ones
  std::string manifest;
  std::string opt_level = "z";  // as in -O<level>
  std::vector<std::string> targets;    // AOT targets
  std::vector<std::string> scenarios;  // *.scenario.json and *.gateway.json
  std::string engine = "both";         // interp, aot or both
  ProjectSigning signing;
  uint32_t chunk_size = 1024;
  std::string build_dir = "build";
  // Where each value starts in the file, by JSON pointer ("/targets/1"), so the
  // build can put its own findings at a line and column.
  std::map<std::string, TextPosition> positions;

  // A path of the project file, made usable from the current folder.
  std::string Resolve(const std::string& relative) const;
  // A diagnostic at the value `pointer` names (the file's start if unknown).
  Diagnostic& ErrorAt(Diagnostics& diagnostics, std::string code, const std::string& pointer,
                      std::string message) const;
};

// Every problem is a diagnostic with line:column and code project-invalid.
Result<Project> ParseProject(std::string text, const std::string& path, Diagnostics& diagnostics);
// Reads `path` (a project file, or a folder holding wasmiot.json) and parses it.
Result<Project> LoadProject(const std::string& path, Diagnostics& diagnostics);

}  // namespace wasmiot
