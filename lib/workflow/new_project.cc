#include "workflow/new_project.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "keys/key_pair.h"
#include "manifest/manifest.h"
#include "support/file_io.h"
#include "support/staging.h"
#include "support/text.h"

namespace wasmiot {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kMaxTemplateFileBytes = 4 << 20;
const Error kNotCreated{ErrorKind::kInvalidInput, "project not created"};

// Every regular file under `dir`, relative to it, sorted.
std::vector<std::string> FilesUnder(const fs::path& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(it->path().lexically_relative(dir).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The project file for the copied template.
std::string ProjectFileText(const NewProjectRequest& r, const std::string& name, const std::vector<std::string>& sources,
                            const std::vector<std::string>& scenarios, const Manifest& manifest) {
  nlohmann::ordered_json doc;
  doc["project_version"] = kProjectFormatVersion;
  doc["name"] = name;
  doc["version"] = "0.1.0";
  doc["language"] = std::string(SourceLanguageName(r.language));
  doc["sources"] = sources;
  doc["manifest"] = "device.json";
  doc["opt_level"] = "z";
  doc["targets"] = manifest.aot_targets;
  doc["scenarios"] = scenarios;
  doc["engine"] = "both";
  if (r.development_key) {
    doc["signing"] = {{"key", {{"file", "keys/dev.key"}}}, {"sequence", "from-version"}};
  } else {
    doc["signing"] = {{"key", "none"}};
  }
  doc["chunk_size"] = 1024;
  doc["build_dir"] = "build";
  return doc.dump(2) + "\n";
}

}  // namespace

std::vector<std::string> ListTemplates(const std::string& templates_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(templates_dir, ec)) {
    if (e.is_directory(ec) && fs::exists(e.path() / "device.json", ec)) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

Result<NewProjectReport> CreateProject(const NewProjectRequest& r, Diagnostics& diagnostics) {
  std::vector<std::string> templates = ListTemplates(r.templates_dir);
  if (std::find(templates.begin(), templates.end(), r.template_name) == templates.end()) {
    std::vector<std::string_view> known(templates.begin(), templates.end());
    std::string hint;
    if (auto near = ClosestMatch(r.template_name, known)) hint = fmt::format(" (did you mean \"{}\"?)", *near);
    diagnostics.AddError("unknown-template", r.template_name,
                         fmt::format("no such template{}; the templates are: {}", hint, fmt::join(templates, ", ")));
    return kNotCreated;
  }
  fs::path from = fs::path(r.templates_dir) / r.template_name;
  std::error_code ec;
  if (fs::exists(r.dir, ec)) {
    if (!fs::is_directory(r.dir, ec)) {
      diagnostics.AddError("output-exists", r.dir, "exists and is not a folder");
      return kNotCreated;
    }
    if (fs::equivalent(r.dir, from, ec) || fs::equivalent(r.dir, r.templates_dir, ec)) {
      diagnostics.AddError("output-is-input", r.dir, "is the template itself: name a new folder for the project");
      return kNotCreated;
    }
    if (!fs::is_empty(r.dir, ec) && !r.force) {
      diagnostics.AddError("output-exists", r.dir,
                           "is not empty: name a new folder, or pass --force to add the project's files to it "
                           "(files of the same name are replaced)");
      return kNotCreated;
    }
  }

  Result<Manifest> manifest = LoadManifest((from / "device.json").string(), diagnostics);
  if (!manifest) return kNotCreated;

  // What to copy: everything but the other language's sources.
  std::string_view suffix = r.language == SourceLanguage::kRust ? ".rs" : ".c";
  std::vector<std::string> copy, sources, scenarios;
  std::string template_module;  // the first C source's name, in either language
  for (const std::string& f : FilesUnder(from)) {
    bool source = f.rfind("src/", 0) == 0;
    bool rust_file = EndsWith(f, ".rs");
    bool c_file = EndsWith(f, ".c") || EndsWith(f, ".h");
    if (source && EndsWith(f, ".c") && template_module.empty()) template_module = fs::path(f).stem().string();
    if (source && (r.language == SourceLanguage::kRust ? c_file : rust_file)) continue;
    copy.push_back(f);
    if (source && EndsWith(f, suffix) && (r.language == SourceLanguage::kC || f == "src/lib.rs")) sources.push_back(f);
    if (f.rfind("tests/", 0) == 0 && (EndsWith(f, ".scenario.json") || EndsWith(f, ".gateway.json"))) {
      scenarios.push_back(f);
    }
  }
  if (sources.empty()) {
    diagnostics.AddError("usage", r.template_name,
                         fmt::format("the template has no {} source (src/{})", SourceLanguageName(r.language),
                                     r.language == SourceLanguage::kRust ? "lib.rs" : "*.c"));
    return kNotCreated;
  }
  std::string name = r.name.empty() ? template_module : r.name;
  if (!IsIdentifier(name)) {
    diagnostics.AddError("usage", name, "a module's name is a C identifier (letters, digits, '_'; 64 at most)");
    return kNotCreated;
  }

  Staging staging(r.dir);
  if (!staging.ok()) {
    diagnostics.AddError("io-error", r.dir, "cannot create a scratch folder beside it");
    return Error{ErrorKind::kIo, "project not created"};
  }
  NewProjectReport report;
  report.name = name;
  auto write = [&](const std::string& relative, const Bytes& bytes, unsigned mode) -> bool {
    fs::create_directories(fs::path(staging.File(relative)).parent_path(), ec);
    Status s = WriteFileAtomically(staging.File(relative), bytes.data(), bytes.size(), mode);
    if (!s) diagnostics.AddError("io-error", r.dir + "/" + relative, s.error().message);
    report.files.push_back(relative);
    return s.ok();
  };
  for (const std::string& f : copy) {
    Result<Bytes> bytes = ReadInput((from / f).string(), kMaxTemplateFileBytes, "io-error", diagnostics);
    if (!bytes || !write(f, *bytes, 0644)) return Error{ErrorKind::kIo, "project not created"};
  }
  std::string project = ProjectFileText(r, name, sources, scenarios, *manifest);
  if (!write(std::string(kProjectFileName), Bytes(project.begin(), project.end()), 0644)) {
    return Error{ErrorKind::kIo, "project not created"};
  }
  std::string ignore = "# Build outputs, and development keys: never commit a secret key.\nbuild/\nkeys/*.key\n";
  if (!write(".gitignore", Bytes(ignore.begin(), ignore.end()), 0644)) return Error{ErrorKind::kIo, "project not created"};
  if (r.development_key) {
    fs::create_directories(staging.File("keys"), ec);
    KeyPairRequest key;
    key.prefix = staging.File("keys/dev");
    if (!WriteNewKeyPair(key, diagnostics)) return Error{ErrorKind::kIo, "project not created"};
    report.files.insert(report.files.end(), {"keys/dev.key", "keys/dev.pub.pem"});
  }
  std::sort(report.files.begin(), report.files.end());

  Status placed = Ok{};
  if (!fs::exists(r.dir, ec) || fs::is_empty(r.dir, ec)) {
    placed = staging.ReplaceFolder(r.dir);
  } else {
    for (const std::string& f : report.files) fs::create_directories((fs::path(r.dir) / f).parent_path(), ec);
    placed = staging.Commit(r.dir, report.files);
  }
  if (!placed) {
    diagnostics.AddError("io-error", r.dir, placed.error().message);
    return placed.error();
  }
  report.project_file = (fs::path(r.dir) / kProjectFileName).string();
  return report;
}

}  // namespace wasmiot
