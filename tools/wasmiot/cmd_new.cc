// wasmiot new TEMPLATE DIR [--lang c|rust] [--name NAME] [--force] [--no-key]
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "output.h"
#include "project_environment.h"
#include "workflow/new_project.h"

namespace wasmiot::tool {
namespace {

struct NewOptions {
  CommonOptions common;
  std::string template_name;
  std::string dir;
  std::string language = "c";
  std::string name;
  bool force = false;
  bool no_key = false;
  bool list = false;
};

int RunNew(const NewOptions& options) {
  Diagnostics diagnostics;
  std::string templates = FindTemplatesDir();
  if (options.list) {
    std::vector<std::string> names = ListTemplates(templates);
    if (options.common.json) {
      nlohmann::json doc = JsonDocument("new", kExitOk, diagnostics);
      doc["templates"] = names;
      PrintJson(doc);
    } else {
      for (const std::string& n : names) Print("{}\n", n);
    }
    return kExitOk;
  }
  std::optional<NewProjectReport> made;
  if (options.template_name.empty() || options.dir.empty()) {
    diagnostics.AddError("usage", "wasmiot", "name a template and a folder: wasmiot new TEMPLATE DIR (--list shows the templates)");
  } else {
    NewProjectRequest r;
    r.templates_dir = templates;
    r.template_name = options.template_name;
    r.dir = options.dir;
    r.language = options.language == "rust" ? SourceLanguage::kRust : SourceLanguage::kC;
    r.name = options.name;
    r.force = options.force;
    r.development_key = !options.no_key;
    Result<NewProjectReport> report = CreateProject(r, diagnostics);
    if (report) made = std::move(report).value();
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("new", exit_code, diagnostics);
    if (made) {
      doc["project"] = made->project_file;
      doc["name"] = made->name;
      doc["files"] = made->files;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (made) {
    Print("created {} ({} module {} from template {}): {} files\n", options.dir, options.language, made->name,
          options.template_name, made->files.size());
    for (const std::string& f : made->files) Print("  {}\n", f);
    if (!options.no_key) {
      Print("keys/dev.key is a development key (mode 0600, ignored by git): sign releases with your own key\n");
    }
    Print("next:\n  wasmiot build {}\n  wasmiot test {}/tests --module-dir {}/build --engine both\n", options.dir,
          options.dir, options.dir);
  }
  return exit_code;
}

}  // namespace

void RegisterNewCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<NewOptions>();
  CLI::App* cmd = app.add_subcommand("new", "Make a module project from a template");
  cmd->add_option("TEMPLATE", options->template_name, "thermostat, motion-detector, sensor-node, "
                                                      "predictive-maintenance, gateway-plugin or blank");
  cmd->add_option("DIR", options->dir, "The new project's folder (new or empty)");
  cmd->add_option("--lang", options->language, "The module's language")->check(CLI::IsMember({"c", "rust"}));
  cmd->add_option("--name", options->name, "The module's name, a C identifier (default: the template's)");
  cmd->add_flag("--force", options->force, "Write into a folder that is not empty (same-named files are replaced)");
  cmd->add_flag("--no-key", options->no_key, "Make no development key: the project builds unsigned");
  cmd->add_flag("--list", options->list, "List the templates");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Copy a template into a new folder: the device manifest (device.json), the module's source\n"
      "in C (src/*.c) or Rust (src/lib.rs, no_std, for Debian's rustc), its scenarios (tests/),\n"
      "a project file (wasmiot.json, docs/projects.md) and a development signing key, so that\n"
      "`wasmiot build` makes a checked, optimized, precompiled, tested, signed and chunked module.\n"
      "\n"
      "Examples:\n"
      "  wasmiot new thermostat my-thermostat\n"
      "  wasmiot new sensor-node pump-sensor --lang rust --name pump_sensor\n"
      "  wasmiot new --list\n"
      "\n"
      "Exit status: 0 created, 1 the folder is not empty (see --force), 2 usage error (unknown\n"
      "template), 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunNew(*options); });
}

}  // namespace wasmiot::tool
