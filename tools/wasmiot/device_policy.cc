#include "device_policy.h"

#include "aot/aot.h"
#include "bundle/bundle.h"
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
  auto p = std::make_unique<DevicePolicy>();
  for (const std::string& path : options.pubkeys) {
    KeySource source;
    source.path = path;
    Result<LoadedKey> k = LoadKey(source, diagnostics);
    if (k) p->keys.push_back(k->public_key);
  }
  p->manifest = LoadOptionalManifest(options.manifest_path, diagnostics);
  wasmiot_device_policy& policy = p->policy;
  policy.public_keys = reinterpret_cast<const uint8_t(*)[32]>(p->keys.data());
  policy.public_key_count = p->keys.size();
  if (p->manifest) {
    p->device_id = DeviceIdOf(p->manifest->device);
    policy.device_id = p->device_id.data();
  }
  policy.payload_kind = options.kind == "wasm" ? WASMIOT_PAYLOAD_WASM : options.kind == "aot" ? WASMIOT_PAYLOAD_AOT : 0;
  if (!options.target.empty()) {
    if (CheckAotTarget(options.target, p->manifest ? &p->manifest->aot_targets : nullptr, diagnostics)) {
      p->targets.push_back(TargetId(options.target));
    }
    policy.targets = p->targets.data();
    policy.target_count = p->targets.size();
  } else if (p->manifest) {
    for (const std::string& name : p->manifest->aot_targets) p->targets.push_back(TargetId(name));
    // Not null even when empty: a device that lists no AOT target takes none.
    static const uint8_t kNone = 0;
    policy.targets = p->targets.empty() ? &kNone : p->targets.data();
    policy.target_count = p->targets.size();
  }
  bool aot = options.kind == "aot" || !options.target.empty();
  policy.max_payload_size = p->manifest && !aot ? static_cast<uint32_t>(p->manifest->budgets.max_module_bytes)
                                                : kMaxAotPayload;
  policy.installed_sequence = options.installed_sequence;
  policy.max_sequence_jump = options.max_sequence_jump;
  return p;
}

}  // namespace wasmiot::tool
