// wasmiot verify BUNDLE --pubkey PUB --manifest M [--installed-seq N]
#include <memory>

#include <fmt/format.h>

#include "bundle/bundle.h"
#include "command.h"
#include "keys/key_files.h"
#include "bundle_printer.h"
#include "output.h"

namespace wasmiot::tool {
namespace {

struct VerifyOptions {
  CommonOptions common;
  std::string bundle;
  std::vector<std::string> pubkeys;
  std::string manifest_path;
  uint64_t installed_sequence = 0;
  uint64_t max_sequence_jump = 0;
  std::string kind;
  std::string target;
};

constexpr uint32_t kMaxAotPayload = 64u << 20;

int RunVerify(const VerifyOptions& options) {
  Diagnostics diagnostics;
  Status init = InitCrypto();
  if (!init) diagnostics.AddError("internal-error", "wasmiot", init.error().message);
  std::vector<std::array<uint8_t, 32>> keys;
  for (const std::string& path : options.pubkeys) {
    KeySource source;
    source.path = path;
    Result<LoadedKey> k = LoadKey(source, diagnostics);
    if (k) keys.push_back(k->public_key);
  }
  std::optional<Manifest> manifest = LoadOptionalManifest(options.manifest_path, diagnostics);
  std::optional<wasmiot_bundle_header> header;
  wasmiot_bundle_result result = WASMIOT_BUNDLE_OK;
  if (!diagnostics.HasErrors()) {
    Result<Bytes> bytes = ReadInput(options.bundle, uint64_t{kMaxAotPayload} + 0x20000, "bundle-too-large", diagnostics);
    if (bytes) {
      wasmiot_device_policy policy{};
      policy.public_keys = reinterpret_cast<const uint8_t(*)[32]>(keys.data());
      policy.public_key_count = keys.size();
      policy.vendor = manifest->device.vendor.c_str();
      policy.device_class = manifest->device.device_class.c_str();
      policy.payload_kind = options.kind == "wasm" ? WASMIOT_PAYLOAD_WASM : options.kind == "aot" ? WASMIOT_PAYLOAD_AOT : 0;
      policy.target = options.target.empty() ? nullptr : options.target.c_str();
      policy.max_payload_size = options.kind == "aot" || !options.target.empty()
                                    ? kMaxAotPayload
                                    : static_cast<uint32_t>(manifest->budgets.max_module_bytes);
      policy.installed_sequence = options.installed_sequence;
      policy.max_sequence_jump = options.max_sequence_jump;
      wasmiot_bundle_header h{};
      result = wasmiot_bundle_verify(bytes->data(), bytes->size(), &HostCrypto(), &policy, &h);
      if (result == WASMIOT_BUNDLE_OK) {
        header = h;
      } else {
        diagnostics.AddError(std::string("bundle-") + wasmiot_bundle_result_name(result), options.bundle,
                             BundleRefusal(result, h, policy));
      }
    }
  }
  int exit_code = ExitCodeFor(diagnostics);
  if (options.common.json) {
    nlohmann::json doc = JsonDocument("verify", exit_code, diagnostics);
    doc["bundle"] = options.bundle;
    doc["result"] = wasmiot_bundle_result_name(result);
    if (header) doc["header"] = BundleHeaderJson(*header);
    PrintJson(doc);
    return exit_code;
  }
  PrintDiagnostics(diagnostics, options.common);
  if (header) {
    fmt::print("{}: verified: {} {}.{}.{} (sequence {}) for {}/{}{}\n", options.bundle,
               header->payload_kind == WASMIOT_PAYLOAD_AOT ? "AOT" : "wasm", header->version_major,
               header->version_minor, header->version_patch, header->sequence, header->vendor,
               header->device_class, header->target[0] ? fmt::format(" on {}", header->target) : "");
  }
  return exit_code;
}

}  // namespace

void RegisterVerifyCommand(CLI::App& app, Invocation& invocation) {
  auto options = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand("verify", "Check a bundle the way a device does");
  cmd->add_option("bundle", options->bundle, "The bundle")->required();
  cmd->add_option("-p,--pubkey", options->pubkeys, "A trusted public key (repeatable)")->required();
  cmd->add_option("-m,--manifest", options->manifest_path, "The device: its vendor, class and size budget")->required();
  cmd->add_option("--installed-seq", options->installed_sequence, "The installed sequence number: refuse not newer");
  cmd->add_option("--max-seq-jump", options->max_sequence_jump, "Refuse a sequence this far or more ahead (0: no cap)");
  cmd->add_option("--kind", options->kind, "Accept only this payload kind: wasm or aot")
      ->check(CLI::IsMember({"wasm", "aot"}));
  cmd->add_option("-t,--target", options->target, "This device's AOT target: refuse AOT code for another");
  AddCommonOptions(*cmd, options->common);
  cmd->footer(
      "Verify BUNDLE with the device library's own C code (lib/device/wasmiot_bundle.c): the\n"
      "header's sizes, a known key and the signature first, then vendor and device class,\n"
      "payload kind and target, the size budget, the sequence against --installed-seq, and the\n"
      "payload's and every chunk's digest. Each refusal has its own code."
      "\n\n"
      "Examples:\n"
      "  wasmiot verify thermostat.bundle --pubkey release.pub.pem --manifest thermostat.device.json --installed-seq 6\n"
      "  wasmiot verify thermostat-m4.bundle -p release.pub.pem -m thermostat.device.json --kind aot --target cortex-m4f --json\n"
      "\n"
      "Exit status: 0 verified, 1 refused (or a key is unusable), 2 usage error, 3 I/O error.");
  cmd->callback([options, &invocation] { invocation.exit_code = RunVerify(*options); });
}

}  // namespace wasmiot::tool
