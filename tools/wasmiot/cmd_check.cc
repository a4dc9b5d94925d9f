// wasmiot check MODULE --manifest DEVICE.json
#include <memory>

#include <fmt/format.h>

#include "check/check.h"
#include "command.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct CheckOptions {
  CommonOptions common;
  std::string module_path;
  std::string manifest_path;
};

int RunCheck(const CheckOptions& options) {
  Diagnostics diagnostics;
  Result<Manifest> manifest = LoadManifest(options.manifest_path, diagnostics);
  // Without a manifest the module is still read, so that its problems show too.
  Result<ModuleInfo> module = manifest ? LoadAndCheckModule(options.module_path, *manifest, diagnostics)
                                       : LoadModule(options.module_path, diagnostics);
  if (options.common.warnings_as_errors) diagnostics.PromoteWarningsToErrors();
  int exit_code = ExitCodeFor(diagnostics);

  if (options.common.json) {
    nlohmann::json doc = JsonDocument("check", exit_code, diagnostics);
    doc["module"] = options.module_path;
    doc["manifest"] = options.manifest_path;
    if (manifest) {
      doc["device"] = {{"vendor", manifest->device.vendor},
                       {"class", manifest->device.device_class},
                       {"api_version", manifest->device.api_version}};
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (manifest && module) {
    Print("{}: {} against {}/{} (API {}): {}, {}; {}, {}\n", options.module_path,
          exit_code == kExitOk ? "ok" : "FAILED", manifest->device.vendor, manifest->device.device_class,
          manifest->device.api_version, Plural(module->imports.size(), "import"),
          Plural(module->exports.size(), "export"), Plural(diagnostics.Count(Severity::kError), "error"),
          Plural(diagnostics.Count(Severity::kWarning), "warning"));
  }
  return exit_code;
}

}  // namespace

void RegisterCheckCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<CheckOptions>();
  CLI::App* cmd = app.add_subcommand("check", "Hold a module against a device manifest");
  cmd->add_option("module", options->module_path, "The .wasm module to check")->required();
  cmd->add_option("-m,--manifest", options->manifest_path, "The device manifest (JSON)")->required();
  AddWarningsAsErrorsOption(*cmd, options->common);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Validate MODULE with exactly the WebAssembly features the device supports, then check it\n"
      "against the device's contract: every import declared with the same signature, every\n"
      "required export present with the right signature, memory and tables within budget, and\n"
      "the module within its size budget. Every problem is reported, one line each."
      "\n\n"
      "Examples:\n"
      "  wasmiot check thermostat.wasm --manifest thermostat.device.json\n"
      "  wasmiot check plugin.wasm -m gateway.device.json --json | jq '.diagnostics[].code'\n"
      "\n"
      "Exit status: 0 the module fits the device, 1 it does not (or cannot be read as a module\n"
      "or manifest), 2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunCheck(*options); });
}

}  // namespace wasmiot::tool
