// What a device accepts, as the device library's C policy: trusted keys, the
// manifest's device id, size budget and AOT targets, the installed sequence,
// the payload kind and target. verify and assemble hold bundles against it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "wasmiot_bundle.h"

namespace wasmiot {

// The largest payload a policy may allow: AOT artifacts are capped here.
inline constexpr uint32_t kMaxAotPayload = 64u << 20;
// The largest bundle file the tools read: that payload, with room for any
// header, signature and chunk table.
inline constexpr uint64_t kMaxBundleFileBytes = uint64_t{kMaxAotPayload} + 0x200000;

struct DeviceChoices {
  uint64_t installed_sequence = 0;
  uint64_t max_sequence_jump = 0;  // 0: no cap
  int payload_kind = 0;            // 0: any, else WASMIOT_PAYLOAD_*
  std::string target;              // "": any the manifest lists (any at all without one)
  // Encoded bundles: bits (1 << WASMIOT_ENCODING_*); the tools take both.
  unsigned encodings = (1u << WASMIOT_ENCODING_COMPRESSED) | (1u << WASMIOT_ENCODING_DELTA);
  // The payload a delta must apply to; none: any (the tools, which have no slot).
  std::optional<std::array<uint8_t, WASMIOT_BUNDLE_DIGEST_SIZE>> base_digest;
};

// The C policy and the storage its pointers point into.
struct DevicePolicy {
  std::vector<std::array<uint8_t, 32>> keys;
  std::optional<Manifest> manifest;
  std::array<uint8_t, WASMIOT_DEVICE_ID_SIZE> device_id{};
  std::vector<uint8_t> targets;
  std::array<uint8_t, WASMIOT_BUNDLE_DIGEST_SIZE> base_digest{};
  wasmiot_device_policy policy{};
};

// Without a manifest the device id is not checked. AOT code is accepted for
// `choices.target`, which must be one of the manifest's aot_targets
// (target-not-accepted, unknown-target), else for any of those; with neither,
// for any target. A device that lists no AOT target takes no AOT code.
std::unique_ptr<DevicePolicy> MakeDevicePolicy(std::vector<std::array<uint8_t, 32>> keys,
                                               std::optional<Manifest> manifest, const DeviceChoices& choices,
                                               Diagnostics& diagnostics);

}  // namespace wasmiot
