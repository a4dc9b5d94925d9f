#include "bundle/device_policy.h"

#include "aot/aot.h"
#include "bundle/bundle.h"

namespace wasmiot {

std::unique_ptr<DevicePolicy> MakeDevicePolicy(std::vector<std::array<uint8_t, 32>> keys,
                                               std::optional<Manifest> manifest, const DeviceChoices& choices,
                                               Diagnostics& diagnostics) {
  auto p = std::make_unique<DevicePolicy>();
  p->keys = std::move(keys);
  p->manifest = std::move(manifest);
  wasmiot_device_policy& policy = p->policy;
  policy.public_keys = reinterpret_cast<const uint8_t(*)[32]>(p->keys.data());
  policy.public_key_count = p->keys.size();
  if (p->manifest) {
    p->device_id = DeviceIdOf(p->manifest->device);
    policy.device_id = p->device_id.data();
  }
  policy.payload_kind = choices.payload_kind;
  if (!choices.target.empty()) {
    if (CheckAotTarget(choices.target, p->manifest ? &p->manifest->aot_targets : nullptr, diagnostics)) {
      p->targets.push_back(TargetId(choices.target));
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
  bool aot = choices.payload_kind == WASMIOT_PAYLOAD_AOT || !choices.target.empty();
  policy.max_payload_size = p->manifest && !aot ? static_cast<uint32_t>(p->manifest->budgets.max_module_bytes)
                                                : kMaxAotPayload;
  policy.installed_sequence = choices.installed_sequence;
  policy.max_sequence_jump = choices.max_sequence_jump;
  policy.encodings = choices.encodings;
  if (choices.base_digest) {
    p->base_digest = *choices.base_digest;
    policy.base_digest = p->base_digest.data();
  }
  return p;
}

}  // namespace wasmiot
