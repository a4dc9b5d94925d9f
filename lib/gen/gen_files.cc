#include <fmt/format.h>

#include "gen/gen.h"
#include "module/module_info.h"
#include "support/staging.h"

namespace wasmiot {

namespace {
std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}
}  // namespace

Result<GenFilesReport> GenerateFiles(const GenFilesRequest& request, Diagnostics& diagnostics) {
  Result<Bytes> bytes = ReadInput(request.manifest_path, kMaxManifestBytes, "manifest-invalid", diagnostics);
  if (!bytes) return bytes.error();
  Result<Manifest> manifest =
      ParseManifest(std::string(bytes->begin(), bytes->end()), request.manifest_path, diagnostics);
  if (!manifest) return manifest.error();

  GenRequest gen;
  gen.language = request.language;
  gen.manifest = &*manifest;
  gen.manifest_name = BaseName(request.manifest_path);
  gen.manifest_digest = HashSha256(bytes->data(), bytes->size());
  gen.module_name = request.module_name;
  if (!request.module_path.empty()) {
    Result<ModuleInfo> module = LoadModule(request.module_path, diagnostics);
    if (!module) return module.error();
    std::set<std::string> modules;
    for (const ImportInfo& import : module->imports) modules.insert(import.module);
    gen.module_import_modules = std::move(modules);
  }
  Result<std::vector<GeneratedFile>> files = Generate(gen, diagnostics);
  if (!files) return files.error();

  std::vector<NamedInput> inputs = request.inputs;
  inputs.push_back({"--manifest", request.manifest_path});
  inputs.push_back({"--module", request.module_path});
  bool refused = false;
  for (const GeneratedFile& file : *files) {
    refused |= !RefuseOverwritingInputs(request.output_dir + "/" + file.name, "-o", false, inputs, diagnostics);
  }
  if (refused) return Error{ErrorKind::kInvalidInput, "an output would replace an input"};

  Staging staging(request.output_dir);
  if (!staging.ok()) {
    diagnostics.AddError("io-error", request.output_dir, "cannot create a folder beside it to write into");
    return Error{ErrorKind::kIo, "cannot stage"};
  }
  GenFilesReport report;
  report.manifest_digest = gen.manifest_digest;
  std::vector<std::string> names;
  for (const GeneratedFile& file : *files) {
    Status s = WriteFileAtomically(staging.File(file.name), file.text.data(), file.text.size());
    if (!s) {
      diagnostics.AddError("io-error", staging.File(file.name), s.error().message);
      return s.error();
    }
    names.push_back(file.name);
    report.files.push_back(request.output_dir + "/" + file.name);
  }
  Status committed = staging.Commit(request.output_dir, names);
  if (!committed) {
    diagnostics.AddError("io-error", request.output_dir, committed.error().message);
    return committed.error();
  }
  return report;
}

}  // namespace wasmiot
