// wasmiot gen guest|host --manifest M --lang c|rust|wamr|wasm2c -o DIR [--name N] [--module F]
#include <memory>

#include <fmt/format.h>

#include "command.h"
#include "gen/gen.h"
#include "output.h"
#include "support/text.h"

namespace wasmiot::tool {
namespace {

struct GenOptions {
  CommonOptions common;
  std::string side;
  std::string manifest;
  std::string language;
  std::string output;
  std::string module_name;
  std::string module_path;
};

std::optional<GenLanguage> LanguageFor(const GenOptions& options, Diagnostics& diagnostics) {
  static const std::pair<std::string_view, GenLanguage> kLanguages[] = {
      {"c", GenLanguage::kC}, {"rust", GenLanguage::kRust}, {"wamr", GenLanguage::kWamr}, {"wasm2c", GenLanguage::kWasm2c}};
  for (const auto& [name, language] : kLanguages) {
    if (name != options.language) continue;
    bool guest = IsGuestLanguage(language);
    if (guest != (options.side == "guest")) {
      diagnostics.AddError("usage", "--lang",
                           fmt::format("--lang {} is for the {} side: wasmiot gen {} --lang {} (the {} side takes {})",
                                       name, guest ? "guest" : "host", guest ? "guest" : "host", name, options.side,
                                       options.side == "guest" ? "c or rust" : "wamr or wasm2c"));
      return std::nullopt;
    }
    return language;
  }
  diagnostics.AddError("usage", "--lang", "give --lang c or rust (guest), wamr or wasm2c (host)");
  return std::nullopt;
}

int RunGen(const GenOptions& options) {
  Diagnostics diagnostics;
  std::optional<GenFilesReport> report;
  std::optional<GenLanguage> language = LanguageFor(options, diagnostics);
  if (language && *language != GenLanguage::kWasm2c && (!options.module_name.empty() || !options.module_path.empty())) {
    diagnostics.AddError("usage", "--name", "--name and --module are for --lang wasm2c only");
  } else if (language) {
    GenFilesRequest request;
    request.language = *language;
    request.manifest_path = options.manifest;
    request.module_name = options.module_name;
    request.module_path = options.module_path;
    request.output_dir = options.output;
    Result<GenFilesReport> made = GenerateFiles(request, diagnostics);
    if (made) report = std::move(made).value();
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("gen", exit_code, diagnostics);
    if (report) {
      doc["side"] = options.side;
      doc["language"] = options.language;
      doc["manifest"] = options.manifest;
      doc["manifest_sha256"] = HexString(report->manifest_digest.data(), report->manifest_digest.size());
      doc["files"] = report->files;
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (report && !options.common.quiet) {
    for (const std::string& f : report->files) Print("wrote {}\n", f);
  }
  return exit_code;
}

}  // namespace

void RegisterGenCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<GenOptions>();
  CLI::App* cmd = app.add_subcommand("gen", "Generate guest or host glue from a device manifest");
  cmd->add_option("SIDE", options->side, "guest (the module's side) or host (the firmware's)")
      ->required()
      ->check(CLI::IsMember({"guest", "host"}));
  cmd->add_option("-m,--manifest", options->manifest, "The device manifest")->required();
  cmd->add_option("--lang", options->language, "guest: c or rust; host: wamr or wasm2c")
      ->required()
      ->check(CLI::IsMember({"c", "rust", "wamr", "wasm2c"}));
  cmd->add_option("-o,--output", options->output, "The folder to write into (created if missing)")->required();
  cmd->add_option("--name", options->module_name, "wasm2c: the module name given to `wasmiot aot --name`");
  cmd->add_option("--module", options->module_path,
                  "wasm2c: the module, so that instantiate passes exactly the import modules it uses "
                  "(default: every one the manifest declares)");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Write the declarations both sides of a device need, from its manifest, so that none is\n"
      "typed by hand (docs/gen.md):\n"
      "  guest --lang c       wasmiot_guest.h: imports with import_module/import_name, the\n"
      "                       exports with export_name, budgets as constants\n"
      "  guest --lang rust    wasmiot_guest.rs: extern \"C\" blocks, safe wrappers with slices\n"
      "  host --lang wamr     wasmiot_wamr.h/.c: NativeSymbol tables with signature strings,\n"
      "                       registration, install checks, instantiate, typed export calls\n"
      "  host --lang wasm2c   wasmiot_wasm2c.h/.c: the imports `wasmiot aot` output calls, with\n"
      "                       buffers checked against the module's memory, typed export calls\n"
      "Each file starts with a line naming the manifest and its sha256. The same manifest gives\n"
      "the same bytes.\n"
      "\n"
      "Examples:\n"
      "  wasmiot gen guest --manifest device.json --lang c -o include\n"
      "  wasmiot gen guest --manifest device.json --lang rust -o src/gen\n"
      "  wasmiot gen host --manifest device.json --lang wamr -o firmware/wasm\n"
      "  wasmiot gen host --manifest device.json --lang wasm2c --name thermostat -o aot\n"
      "\n"
      "Exit status: 0 written, 1 the manifest is invalid or its names cannot become symbols,\n"
      "2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunGen(*options); });
}

}  // namespace wasmiot::tool
