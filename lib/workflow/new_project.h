// `wasmiot new`: a project folder made from a template (templates/<name>/:
// device.json, src/ with a C and a Rust source, tests/), with its project file
// and a development signing key, so that `wasmiot build` works at once.
#pragma once

#include <string>
#include <vector>

#include "project/project.h"
#include "support/diagnostics.h"

namespace wasmiot {

struct NewProjectRequest {
  std::string templates_dir;  // where the templates are (the caller finds it)
  std::string template_name;
  std::string dir;              // the new project's folder
  SourceLanguage language = SourceLanguage::kC;
  std::string name;             // the module's name; "" for the template's
  bool force = false;           // write into a folder that is not empty
  bool development_key = true;  // keys/dev.key and keys/dev.pub.pem, and signing with it
};

struct NewProjectReport {
  std::string name;
  std::string project_file;
  std::vector<std::string> files;  // relative to the folder, sorted
};

// The templates there: folders holding a device.json, sorted.
std::vector<std::string> ListTemplates(const std::string& templates_dir);

// Codes: unknown-template (exit 2, with "did you mean" and the list),
// output-exists (a folder that is not empty, without force), output-is-input,
// usage (no source in that language, a bad name), io-error. Nothing is written
// unless everything can be: the folder appears whole.
Result<NewProjectReport> CreateProject(const NewProjectRequest& request, Diagnostics& diagnostics);

}  // namespace wasmiot
