#include "device_policy.h"

#include "key_sources.h"
#include "output.h"

namespace wasmiot::tool {

void AddPolicyOptions(CLI::App& cmd, PolicyOptions& options, bool manifest_required) {
  cmd.add_option("-p,--pubkey", options.pubkeys, "A trusted public key (repeatable)")->required();
  CLI::Option* manifest =
      cmd.add_option("-m,--manifest", options.manifest_path, "The device: its vendor, class and size budget");
  if (manifest_required) manifest->required();
  cmd.add_option("--installed-seq", options.installed_sequence, "The installed sequence number: refuse not newer")
      ->check(UnsignedInteger());
  cmd.add_option("--max-seq-jump", options.max_sequence_jump,
                 "Accept a sequence at most this far ahead of the installed one (0: no cap)")
      ->check(UnsignedInteger());
  cmd.add_option("--kind", options.kind, "Accept only this payload kind: wasm or aot")->check(CLI::IsMember({"wasm", "aot"}));
  cmd.add_option("-t,--target", options.target, "This device's AOT target: refuse AOT code for another");
}

std::unique_ptr<DevicePolicy> LoadDevicePolicy(const PolicyOptions& options, Diagnostics& diagnostics) {
  std::vector<std::array<uint8_t, 32>> keys;
  for (const std::string& path : options.pubkeys) {
    KeySource source;
    source.path = path;
    Result<LoadedKey> k = LoadKey(source, diagnostics);
    if (k) keys.push_back(k->public_key);
  }
  std::optional<Manifest> manifest = LoadOptionalManifest(options.manifest_path, diagnostics);
  DeviceChoices choices;
  choices.installed_sequence = options.installed_sequence;
  choices.max_sequence_jump = options.max_sequence_jump;
  choices.payload_kind = options.kind == "wasm" ? WASMIOT_PAYLOAD_WASM : options.kind == "aot" ? WASMIOT_PAYLOAD_AOT : 0;
  choices.target = options.target;
  return MakeDevicePolicy(std::move(keys), std::move(manifest), choices, diagnostics);
}

}  // namespace wasmiot::tool
