// wasmiot verify BUNDLE --pubkey PUB --manifest M [--installed-seq N]
#include <memory>

#include <fmt/format.h>

#include "bundle/receive.h"
#include "command.h"
#include "bundle_printer.h"
#include "device_policy.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct VerifyOptions {
  CommonOptions common;
  std::string bundle;
  PolicyOptions policy;
};

int RunVerify(const VerifyOptions& options) {
  Diagnostics diagnostics;
  std::unique_ptr<DevicePolicy> device = LoadDevicePolicy(options.policy, diagnostics);
  VerifyOutcome verified;
  if (!diagnostics.HasErrors()) verified = VerifyBundleFile(options.bundle, *device, diagnostics);
  const std::optional<wasmiot_bundle_header>& header = verified.header;
  wasmiot_bundle_result result = verified.result;
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("verify", exit_code, diagnostics);
    doc["bundle"] = options.bundle;
    doc["result"] = wasmiot_bundle_result_name(result);
    if (header) doc["header"] = BundleHeaderJson(*header, device->manifest ? &*device->manifest : nullptr);
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (header) {
    Print("{}: verified: {}\n", options.bundle, BundleSummary(*header, device->manifest ? &*device->manifest : nullptr));
  }
  return exit_code;
}

}  // namespace

void RegisterVerifyCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand("verify", "Check a bundle the way a device does");
  cmd->add_option("bundle", options->bundle, "The bundle")->required();
  AddPolicyOptions(*cmd, options->policy, /*manifest_required=*/true);
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Verify BUNDLE with the device library's own C code (lib/device/wasmiot_bundle.c): the\n"
      "header's sizes, a known key and the signature first, then the device id (from the\n"
      "manifest's vendor and class), payload kind, the target (--target, else any of the\n"
      "manifest's aot_targets), the size budget, the sequence against --installed-seq, and the\n"
      "digests of the chunk table, every chunk and a wasm module. Each refusal has its own code."
      "\n\n"
      "Examples:\n"
      "  wasmiot verify thermostat.bundle --pubkey release.pub.pem --manifest thermostat.device.json --installed-seq 6\n"
      "  wasmiot verify thermostat-m4.bundle -p release.pub.pem -m thermostat.device.json --kind aot --target cortex-m4f --json\n"
      "\n"
      "Exit status: 0 verified, 1 refused (or a key is unusable), 2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunVerify(*options); });
}

}  // namespace wasmiot::tool
