// Project files (docs/projects.md): JSON to a Project, every problem a
// diagnostic with line:column.
#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "core/opt_levels.h"
#include "json/json_walker.h"
#include "project/project.h"
#include "support/file_io.h"
#include "support/text.h"
#include "wasmiot_bundle.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kProjectCode = "project-invalid";

// A relative path that stays inside the project's folder, without NULs.
bool IsInsidePath(std::string_view s) {
  if (s.empty() || s.find('\0') != std::string_view::npos || s[0] == '/') return false;
  for (const auto& part : fs::path(std::string(s))) {
    if (part == "..") return false;
  }
  return true;
}

// A relative or absolute path without NULs (a manifest may be shared by projects).
bool IsPath(std::string_view s) { return !s.empty() && s.find('\0') == std::string_view::npos; }

bool IsFlag(std::string_view s) { return s.size() >= 2 && s[0] == '-' && s.find('\0') == std::string_view::npos; }

bool IsOptLevel(std::string_view s) {
  return std::find(std::begin(kOptLevels), std::end(kOptLevels), s) != std::end(kOptLevels);
}

// Target names (aot/targets.h): lower-case letters, digits, '-' and '_'.
bool IsTargetName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

bool IsEngine(std::string_view s) { return s == "interp" || s == "aot" || s == "both"; }

const json_walker::NameRule kNameRule{IsIdentifier, "a C identifier (letters, digits, '_'; 64 at most)"};
const json_walker::NameRule kInsideRule{IsInsidePath, "a relative path inside the project's folder"};
const json_walker::NameRule kPathRule{IsPath, "a path"};
const json_walker::NameRule kTargetRule{IsTargetName, "a target name (wasmiot aot --list-targets)"};
const json_walker::NameRule kFlagRule{IsFlag, "a compiler flag (it starts with '-')"};
const json_walker::NameRule kOptRule{IsOptLevel, "an optimization level: 0, 1, 2, 3, 4, s or z"};
const json_walker::NameRule kEngineRule{IsEngine, "an engine: interp, aot or both"};

class ProjectParser : public JsonWalker {
 public:
  ProjectParser(const LocatedJson& doc, const std::string& path, Diagnostics& diagnostics)
      : JsonWalker(doc, path, kProjectCode, diagnostics) {}

  bool Parse(Project& p) {
    const json& root = doc_.root();
    if (!Object(root, "",
                {"$schema", "project_version", "name", "version", "language", "sources", "compile_flags",
                 "manifest", "opt_level", "targets", "scenarios", "engine", "signing", "chunk_size", "build_dir"},
                {"project_version", "name", "version", "language", "sources", "manifest"})) {
      return false;
    }
    const json& version = root["project_version"];
    if (!(version.is_number_unsigned() && version.get<uint64_t>() == kProjectFormatVersion)) {
      ValueError("/project_version", fmt::format("unsupported project_version {}: this wasmiot reads version {}",
                                                 version.dump(), kProjectFormatVersion));
    }
    if (root.contains("$schema")) String(root, "", "$schema", nullptr, 1024);
    p.name = String(root, "", "name", &kNameRule).value_or("");
    p.version = String(root, "", "version", nullptr, 32).value_or("");
    static constexpr EnumEntry<SourceLanguage> kLanguages[] = {{"c", SourceLanguage::kC},
                                                               {"rust", SourceLanguage::kRust}};
    p.language = Enum(root["language"], "/language", kLanguages, "language").value_or(SourceLanguage::kC);
    p.sources = List(root, "sources", kInsideRule, kMaxProjectSources, true);
    Sources(p);
    p.compile_flags = List(root, "compile_flags", kFlagRule, kMaxProjectListItems, false);
    p.manifest = String(root, "", "manifest", &kPathRule).value_or("");
    p.opt_level = String(root, "", "opt_level", &kOptRule).value_or(p.opt_level);
    p.targets = List(root, "targets", kTargetRule, kMaxProjectListItems, false);
    p.scenarios = List(root, "scenarios", kInsideRule, kMaxProjectListItems, false);
    p.engine = String(root, "", "engine", &kEngineRule).value_or(p.engine);
    if (const json* s = Field(root, "signing")) Signing(*s, p.signing);
    p.chunk_size = static_cast<uint32_t>(
        Integer(root, "", "chunk_size", WASMIOT_BUNDLE_MIN_CHUNK_SIZE, WASMIOT_BUNDLE_MAX_CHUNK_SIZE)
            .value_or(p.chunk_size));
    p.build_dir = String(root, "", "build_dir", &kInsideRule).value_or(p.build_dir);
    if (fs::path(p.build_dir).lexically_normal() == ".") {
      ValueError("/build_dir", "the build folder must be a folder of its own, not the project's");
    }
    return ok();
  }

  void RecordPositions(Project& p) const {
    // Every value the build may report on: top-level fields and list items.
    const json& root = doc_.root();
    for (const auto& [key, value] : root.items()) {
      std::string ptr = JsonPointerChild("", key);
      Record(p, ptr);
      if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i) Record(p, JsonPointerChild(ptr, i));
      } else if (value.is_object()) {
        for (const auto& [inner, unused] : value.items()) Record(p, JsonPointerChild(ptr, inner));
      }
    }
  }

 private:
  void Record(Project& p, const std::string& ptr) const {
    p.positions[ptr] = PositionOf(doc_.text(), doc_.ValueOffset(ptr));
  }

  std::vector<std::string> List(const json& obj, std::string_view key, const NameRule& rule, size_t max_items,
                                bool non_empty) {
    std::vector<std::string> out;
    const json* v = Field(obj, key);
    if (!v) return out;
    std::string ptr = JsonPointerChild("", key);
    if (!Expect(v->is_array(), *v, ptr, "an array of strings")) return out;
    if (non_empty && v->empty()) ValueError(ptr, "expected at least one entry");
    if (v->size() > max_items) {
      ValueError(ptr, fmt::format("{} entries, more than the {} a project may list", v->size(), max_items));
      return out;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < v->size(); ++i) {
      std::string item_ptr = JsonPointerChild(ptr, i);
      const json& item = (*v)[i];
      if (!Expect(item.is_string(), item, item_ptr, "a string")) continue;
      const std::string& s = item.get_ref<const std::string&>();
      if (!rule.check(s)) {
        ValueError(item_ptr, fmt::format("{} is not {}", Quoted(s), rule.description));
      } else if (!seen.insert(s).second) {
        ValueError(item_ptr, fmt::format("{} is listed twice", Quoted(s)));
      } else {
        out.push_back(s);
      }
    }
    return out;
  }

  // C takes .c files; Rust one crate root (.rs) that names its own modules.
  void Sources(const Project& p) {
    const json* v = Field(doc_.root(), "sources");
    if (!v || !v->is_array()) return;
    std::string_view suffix = p.language == SourceLanguage::kRust ? ".rs" : ".c";
    for (size_t i = 0; i < p.sources.size(); ++i) {
      const std::string& s = p.sources[i];
      if (s.size() < suffix.size() || s.compare(s.size() - suffix.size(), suffix.size(), suffix) != 0) {
        ValueError(JsonPointerChild("/sources", i),
                   fmt::format("{} is not a {} source: {} sources end in {}", Quoted(s),
                               SourceLanguageName(p.language), SourceLanguageName(p.language), suffix));
      }
    }
    if (p.language == SourceLanguage::kRust && p.sources.size() > 1) {
      ValueError("/sources/1", "a Rust module has one source, its crate root (src/lib.rs); it names the others "
                               "with `mod`");
    }
  }

  void Signing(const json& s, ProjectSigning& signing) {
    if (!Object(s, "/signing", {"key", "sequence"}, {"key"})) return;
    const json& key = s["key"];
    if (key.is_string() && key.get_ref<const std::string&>() == "none") {
      signing.key = KeySourceKind::kNone;
    } else if (key.is_object() && key.size() == 1 && (key.contains("file") || key.contains("env"))) {
      bool file = key.contains("file");
      signing.key = file ? KeySourceKind::kFile : KeySourceKind::kEnv;
      static const NameRule kEnvRule{IsIdentifier, "an environment variable's name"};
      signing.key_value = String(key, "/signing/key", file ? "file" : "env", file ? &kPathRule : &kEnvRule)
                              .value_or("");
    } else {
      ValueError("/signing/key", "expected {\"file\": PATH}, {\"env\": VARIABLE} or \"none\" (an unsigned build)");
    }
    const json* seq = Field(s, "sequence");
    if (!seq) return;
    if (seq->is_string()) {
      static constexpr EnumEntry<SequencePolicy> kPolicies[] = {{"from-version", SequencePolicy::kFromVersion},
                                                                {"source-date-epoch", SequencePolicy::kSourceDateEpoch}};
      signing.sequence_policy =
          Enum(*seq, "/signing/sequence", kPolicies, "sequence policy").value_or(SequencePolicy::kFromVersion);
    } else if (auto n = IntegerValue(*seq, "/signing/sequence", 1, UINT64_MAX)) {
      signing.sequence_policy = SequencePolicy::kFixed;
      signing.sequence = *n;
    }
  }
};

}  // namespace

std::string_view SourceLanguageName(SourceLanguage language) {
  return language == SourceLanguage::kRust ? "rust" : "c";
}

std::string Project::Resolve(const std::string& relative) const {
  if (relative.empty() || relative[0] == '/') return relative;
  return (fs::path(dir) / relative).lexically_normal().string();
}

Diagnostic& Project::ErrorAt(Diagnostics& diagnostics, std::string code, const std::string& pointer,
                             std::string message) const {
  Diagnostic& d = diagnostics.AddError(std::move(code), path, std::move(message));
  auto it = positions.find(pointer);
  d.position = it != positions.end() ? it->second : TextPosition{1, 1};
  return d;
}

Result<Project> ParseProject(std::string text, const std::string& path, Diagnostics& diagnostics) {
  const Error invalid{ErrorKind::kInvalidInput, "invalid project file"};
  Result<LocatedJson> doc = ParseLocatedJson(text);  // a copy: errors need the text
  if (!doc) {
    Diagnostic& d = diagnostics.AddError(std::string(kProjectCode), path, doc.error().message);
    d.position = PositionOf(text, doc.error().offset.value_or(0));
    return invalid;
  }
  Project p;
  p.path = path;
  std::string dir = fs::path(path).parent_path().string();
  p.dir = dir.empty() ? "." : dir;
  ProjectParser parser(*doc, path, diagnostics);
  if (!parser.Parse(p)) return invalid;
  parser.RecordPositions(p);
  return p;
}

Result<Project> LoadProject(const std::string& path, Diagnostics& diagnostics) {
  std::string file = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) file = (fs::path(path) / kProjectFileName).string();
  if (fs::is_directory(path, ec) && !fs::exists(file, ec)) {
    diagnostics.AddError("project-missing", path,
                         fmt::format("no {} here: make a project with `wasmiot new TEMPLATE {}`, or name the "
                                     "project file",
                                     kProjectFileName, path));
    return Error{ErrorKind::kIo, "no project file"};
  }
  Result<Bytes> bytes = ReadInput(file, kMaxProjectBytes, std::string(kProjectCode), diagnostics);
  if (!bytes) return bytes.error();
  return ParseProject(std::string(bytes->begin(), bytes->end()), file, diagnostics);
}

}  // namespace wasmiot
