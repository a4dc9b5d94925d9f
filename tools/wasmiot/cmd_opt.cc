// wasmiot opt IN.wasm -o OUT.wasm [--manifest DEVICE.json] [-Oz|-Os|-O0..-O4]
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "module/module_info.h"
#include "opt/optimize.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct OptOptions {
  CommonOptions common;
  std::string input;
  std::string output;
  std::string manifest_path;
  std::string level = "z";
  bool keep_debug = false;
};

int RunOpt(const OptOptions& options) {
  Diagnostics diagnostics;
  OptimizeReport report;
  std::optional<Manifest> manifest;
  if (RefuseOverwritingInputs(options.output, "-o", false,
                              {{"INPUT", options.input}, {"--manifest", options.manifest_path}}, diagnostics)) {
    manifest = LoadOptionalManifest(options.manifest_path, diagnostics);
  }
  if (!diagnostics.HasErrors()) {
    Result<Bytes> input = ReadInput(options.input, kMaxModuleFileBytes, "module-too-large", diagnostics);
    if (input) {
      OptimizeOptions opt;
      opt.level = options.level;
      opt.keep_debug = options.keep_debug;
      opt.manifest = manifest ? &*manifest : nullptr;
      Result<Bytes> out = OptimizeModule(*input, options.input, opt, report, diagnostics);
      if (out) {
        Status written = WriteFileAtomically(options.output, out->data(), out->size());
        if (!written) diagnostics.AddError("io-error", options.output, written.error().message);
      }
    }
  }
  int exit_code = ExitCodeFor(diagnostics);

  if (options.common.json) {
    nlohmann::json doc = JsonDocument("opt", exit_code, diagnostics);
    doc["input"] = options.input;
    doc["output"] = options.output;
    doc["level"] = "-O" + options.level;
    if (exit_code == kExitOk) {
      doc["input_bytes"] = report.input_bytes;
      doc["output_bytes"] = report.output_bytes;
      doc["removed_exports"] = report.removed_exports;
      doc["lowered_features"] = report.lowered_features;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (exit_code == kExitOk) {
    double change = report.input_bytes ? 100.0 * (static_cast<double>(report.output_bytes) -
                                                  static_cast<double>(report.input_bytes)) /
                                             static_cast<double>(report.input_bytes)
                                       : 0.0;
    Print("{} -> {}: {} -> {} ({:+.1f}%) at -O{}\n", options.input, options.output, report.input_bytes,
          Plural(report.output_bytes, "byte"), change, options.level);
    if (!report.removed_exports.empty()) {
      Print("removed exports the device never calls: {}\n", fmt::format("{}", fmt::join(report.removed_exports, ", ")));
    }
    if (!report.lowered_features.empty()) {
      Print("lowered features the device lacks: {}\n", fmt::format("{}", fmt::join(report.lowered_features, ", ")));
    }
  }
  return exit_code;
}

}  // namespace

void RegisterOptCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<OptOptions>();
  CLI::App* cmd = app.add_subcommand("opt", "Optimize a module for a device");
  cmd->add_option("input", options->input, "The .wasm module to optimize")->required();
  cmd->add_option("-o,--output", options->output, "Where to write the optimized module")->required();
  cmd->add_option("-m,--manifest", options->manifest_path,
                  "Optimize for this device: prune exports it never calls, use only its features");
  cmd->add_option("-O", options->level, "Optimization level: 0, 1, 2, 3, 4, s or z (default z, i.e. -Oz)")
      ->check(CLI::IsMember({"0", "1", "2", "3", "4", "s", "z"}));
  cmd->add_flag("--keep-debug", options->keep_debug, "Keep names, DWARF, producers and target-features sections");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Optimize INPUT with Binaryen. With a manifest, every export the device never calls is\n"
      "removed before dead-code elimination, the optimizer uses only the device's features,\n"
      "features the device lacks are lowered where Binaryen can (memory64) and refused where it\n"
      "cannot, and the output is checked against the manifest again. The import set never\n"
      "changes. Debug names, DWARF, producers and target features are stripped unless\n"
      "--keep-debug. The output is written atomically; the same input gives the same bytes."
      "\n\n"
      "Examples:\n"
      "  wasmiot opt thermostat.wasm -o thermostat.opt.wasm --manifest thermostat.device.json\n"
      "  wasmiot opt plugin.wasm -o plugin.opt.wasm -Os --keep-debug\n"
      "\n"
      "Exit status: 0 written, 1 the module is invalid, fails check or needs a feature that\n"
      "cannot be lowered, 2 usage error, 3 I/O or internal error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunOpt(*options); });
}

}  // namespace wasmiot::tool
