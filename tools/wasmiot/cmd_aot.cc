// wasmiot aot IN.wasm --target TARGET -o DIR [--manifest DEVICE.json]
// wasmiot aot --list-targets
#include <memory>

#include <fmt/format.h>

#include "aot/aot.h"
#include "command.h"
#include "module/module_info.h"
#include "pipeline/aot_for_device.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct AotCommandOptions {
  CommonOptions common;
  std::string input;
  std::string target;
  std::string output_dir;
  std::string manifest_path;
  std::string name;
  bool list_targets = false;
};

std::string_view KindName(TargetKind kind) { return kind == TargetKind::kLinux ? "linux" : "bare-metal"; }

int ListTargets(const AotCommandOptions& options) {
  if (options.common.json) {
    nlohmann::json targets = nlohmann::json::array();
    for (const AotTarget& t : AotTargets()) {
      targets.push_back({{"name", t.name},
                         {"description", t.description},
                         {"kind", KindName(t.kind)},
                         {"compiler", TargetTool(t, "gcc")},
                         {"cflags", std::vector<std::string>(t.cflags.begin(), t.cflags.end())},
                         {"package", t.package},
                         {"installed", TargetInstalled(t)}});
    }
    nlohmann::json doc = JsonDocument("aot", kExitOk, Diagnostics());
    doc["targets"] = targets;
    PrintJson(doc);
    return kExitOk;
  }
  for (const AotTarget& t : AotTargets()) {
    Print("{:<14} {:<10} {:<9} {:<26} {:<24} {}\n", t.name, KindName(t.kind),
          TargetInstalled(t) ? "installed" : "missing", TargetTool(t, "gcc"), t.package,
          fmt::format("{}", fmt::join(t.cflags, " ")));
  }
  return kExitOk;
}

int RunAot(const AotCommandOptions& options) {
  if (options.list_targets) return ListTargets(options);
  Diagnostics diagnostics;
  std::optional<AotReport> report;
  std::optional<Manifest> manifest;
  if (options.input.empty() || options.target.empty() || options.output_dir.empty()) {
    diagnostics.AddError("usage", "wasmiot", "aot needs INPUT, --target and -o (or --list-targets)");
  } else {
    manifest = LoadOptionalManifest(options.manifest_path, diagnostics);
  }
  if (!diagnostics.HasErrors()) {
    Result<Bytes> input = ReadInput(options.input, kMaxModuleFileBytes, "module-too-large", diagnostics);
    if (input) {
      AotOptions aot;
      aot.target = options.target;
      aot.output_dir = options.output_dir;
      aot.module_name = options.name;
      aot.inputs = {{"INPUT", options.input}, {"--manifest", options.manifest_path}};
      Result<AotReport> r =
          CompileAotForDevice(*input, options.input, manifest ? &*manifest : nullptr, aot, diagnostics);
      if (r) report = std::move(r).value();
    }
  }
  int exit_code = ExitCodeFor(diagnostics);

  if (options.common.json) {
    nlohmann::json doc = JsonDocument("aot", exit_code, diagnostics);
    doc["input"] = options.input;
    doc["target"] = options.target;
    doc["output_dir"] = options.output_dir;
    if (report) {
      nlohmann::json sizes = nlohmann::json::array();
      for (const ObjectSize& s : report->sizes) {
        sizes.push_back({{"file", s.file}, {"text", s.text}, {"data", s.data}, {"bss", s.bss}});
      }
      doc["compiler"] = report->compiler;
      doc["cflags"] = report->cflags;
      doc["files"] = report->files;
      doc["sizes"] = sizes;
      doc["memory_pages"] = report->memory_pages;
      if (report->stack_bytes) doc["stack_bytes"] = report->stack_bytes;
      if (!report->largest_frame_function.empty()) {
        doc["largest_frame"] = {{"function", report->largest_frame_function},
                                {"bytes", report->largest_frame_bytes}};
      }
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (report) {
    Print("{} -> {}/ for {} ({} {})\n", options.input, options.output_dir, report->target, report->compiler,
          fmt::format("{}", fmt::join(report->cflags, " ")));
    Print("  {:<24} {:>8} {:>8} {:>8}\n", "object", "text", "data", "bss");
    for (const ObjectSize& s : report->sizes) {
      Print("  {:<24} {:>8} {:>8} {:>8}\n", s.file, s.text, s.data, s.bss);
    }
    if (report->memory_pages) {
      Print("  static linear memory: {} ({} KiB) in the runtime's bss\n", Plural(report->memory_pages, "page"),
            report->memory_pages * 64);
    }
    if (report->stack_bytes) {
      Print("  stack budget: {} below wasm_rt_init()'s caller (wasmiot_rt_set_stack_budget moves it)\n",
            Plural(report->stack_bytes, "byte"));
    }
    if (!report->largest_frame_function.empty()) {
      Print("  largest frame: {} ({}): keep that much stack beyond the budget\n",
            Plural(report->largest_frame_bytes, "byte"), report->largest_frame_function);
    }
    Print("files: {}\n", fmt::format("{}", fmt::join(report->files, " ")));
  }
  return exit_code;
}

}  // namespace

void RegisterAotCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<AotCommandOptions>();
  CLI::App* cmd = app.add_subcommand("aot", "Compile a module ahead of time for a CPU");
  cmd->add_option("input", options->input, "The .wasm module to compile");
  cmd->add_option("-t,--target", options->target, "Target name, as in --list-targets");
  cmd->add_option("-o,--output", options->output_dir, "Output folder (created if missing)");
  cmd->add_option("-m,--manifest", options->manifest_path,
                  "Check against this device first; its memory and stack budgets size the bare-metal runtime");
  cmd->add_option("--name", options->name, "C name of the module (default: from the input file name)");
  cmd->add_flag("--list-targets", options->list_targets, "List every target, its compiler and whether it is installed");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Translate INPUT to C with wasm2c and compile it with the target's C compiler. The output\n"
      "folder gets NAME.c and NAME.h, the runtime support (wabt's wasm-rt for Linux targets,\n"
      "wasmiot's static runtime for bare metal: no malloc, no mmap, a static memory budget,\n"
      "explicit bounds checks, the stack pointer checked against the stack budget, traps through\n"
      "wasmiot_trap_handler()), the objects, libNAME.a, a text/data/bss size report and the\n"
      "largest stack frame. Nothing is left behind on failure.\n"
      "See docs/aot.md for linking the output into firmware."
      "\n\n"
      "Examples:\n"
      "  wasmiot aot thermostat.wasm --target cortex-m4f -o build/aot --manifest thermostat.device.json\n"
      "  wasmiot aot thermostat.wasm --target aarch64-linux -o build/aot-arm64 --json\n"
      "  wasmiot aot --list-targets\n"
      "\n"
      "Exit status: 0 compiled, 1 the module is invalid, fails check or uses a feature wasm2c\n"
      "cannot compile, 2 usage error or unknown target, 3 compiler missing or failed, I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunAot(*options); });
}

}  // namespace wasmiot::tool
