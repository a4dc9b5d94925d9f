// wasmiot assemble DIR|STREAM --pubkey PUB -o OUT [--slot FILE]
// Feeds the frames to the device library's own receiver (wasmiot_chunks.c)
// over a slot in memory, and writes the payload only once it is verified.
#include <memory>

#include <fmt/format.h>

#include "bundle/receive.h"
#include "bundle_printer.h"
#include "command.h"
#include "device_policy.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct AssembleOptions {
  CommonOptions common;
  std::string input;
  std::string output;
  std::string slot;
  std::string base;
  PolicyOptions policy;
};

int RunAssemble(const AssembleOptions& options) {
  Diagnostics diagnostics;
  std::unique_ptr<DevicePolicy> device = LoadDevicePolicy(options.policy, diagnostics);
  AssembleOutcome assembled;
  if (!diagnostics.HasErrors()) {
    AssembleRequest request;
    request.input_path = options.input;
    request.output_path = options.output;
    request.slot_path = options.slot;
    request.base_path = options.base;
    request.inputs = {{"--manifest", options.policy.manifest_path}};
    for (const std::string& key : options.policy.pubkeys) request.inputs.push_back({"--pubkey", key});
    request.input_name = "INPUT";
    request.output_name = "-o";
    request.slot_name = "--slot";
    request.base_name = "--base";
    assembled = AssembleFiles(request, *device, diagnostics);
  }
  const std::optional<AssembleReport>& report = assembled.report;
  const std::optional<wasmiot_bundle_header>& header = assembled.header;
  int exit_code = ExitCodeFor(diagnostics);
  bool complete = assembled.complete && exit_code == 0;
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("assemble", exit_code, diagnostics);
    doc["input"] = options.input;
    if (report) {
      doc["complete"] = complete;
      if (complete) doc["output"] = options.output;
      if (!assembled.resumed.empty()) doc["resumed"] = assembled.resumed;
      doc["frames"] = assembled.frames;
      doc["passes"] = report->passes;
      doc["outcomes"] = report->outcomes;
      doc["missing_chunks"] = report->missing_chunks;
      if (header) doc["header"] = BundleHeaderJson(*header, device->manifest ? &*device->manifest : nullptr);
    }
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (complete && header) {
    Print("{}: {} payload bytes from {} frames, verified: {}\n", options.output, header->payload_size, assembled.frames,
          BundleSummary(*header, device->manifest ? &*device->manifest : nullptr));
  }
  return exit_code;
}

}  // namespace

void RegisterAssembleCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<AssembleOptions>();
  CLI::App* cmd = app.add_subcommand("assemble", "Reassemble and verify chunk frames as a device does");
  cmd->add_option("input", options->input, "A folder of .chunk files, or a stream file")->required();
  cmd->add_option("-o,--output", options->output, "Where to write the verified payload")->required();
  cmd->add_option("--slot", options->slot, "A file that keeps the device's storage between runs (resume)");
  cmd->add_option("--base", options->base,
                  "For a delta bundle: the bundle it was made from (the one the device runs); the payload is written "
                  "decoded");
  AddPolicyOptions(*cmd, options->policy, /*manifest_required=*/false);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Feed the frames of INPUT to the device library's receiver (lib/device/wasmiot_chunks.c),\n"
      "exactly as firmware does: the header is authenticated and held against the device\n"
      "(--manifest for the device id, size and AOT targets; without it any device) before any\n"
      "payload is stored; each chunk is checked against its signed digest on arrival; order,\n"
      "duplicates and foreign frames do not matter. Frames that came before their header or\n"
      "table are offered again, as a sender resends. OUTPUT is written only when the whole\n"
      "payload is verified. With --slot, storage persists in a file: a run that ends with\n"
      "chunks missing saves its progress, and the next run resumes from it. An encoded bundle\n"
      "('wasmiot delta') is written decoded and checked against its signed digest: a delta\n"
      "needs --base, the bundle it was made from."
      "\n\n"
      "Examples:\n"
      "  wasmiot assemble thermostat.chunks --pubkey release.pub.pem -o thermostat.wasm\n"
      "  wasmiot assemble thermostat.stream -p release.pub.pem -m thermostat.device.json --installed-seq 6 -o t.wasm\n"
      "  wasmiot assemble partial.chunks -p release.pub.pem --slot device.slot -o t.wasm --json\n"
      "  wasmiot assemble patch.stream -p release.pub.pem --base thermostat-1.2.0.bundle -o t.wasm\n"
      "\n"
      "Exit status: 0 payload verified and written, 1 refused or incomplete, 2 usage error,\n"
      "3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunAssemble(*options); });
}

}  // namespace wasmiot::tool
