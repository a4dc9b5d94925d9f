// What a device accepts, from the command line: trusted keys, the manifest's
// device id, size budget and AOT targets, the installed sequence, kind and
// target.
// verify and assemble hold bundles against it with the device library.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "wasmiot_bundle.h"

namespace wasmiot::tool {

struct PolicyOptions {
  std::vector<std::string> pubkeys;
  std::string manifest_path;
  uint64_t installed_sequence = 0;
  uint64_t max_sequence_jump = 0;
  std::string kind;
  std::string target;
};

// --pubkey, --manifest, --installed-seq, --max-seq-jump, --kind, --target.
void AddPolicyOptions(CLI::App& command, PolicyOptions& options, bool manifest_required);

// The C policy and the storage its pointers point into.
struct DevicePolicy {
  std::vector<std::array<uint8_t, 32>> keys;
  std::optional<Manifest> manifest;
  std::array<uint8_t, WASMIOT_DEVICE_ID_SIZE> device_id{};
  std::vector<uint8_t> targets;
  wasmiot_device_policy policy{};
};

// Loads keys and manifest (problems go to `diagnostics`). Without a manifest,
// the device id is not checked. AOT code is accepted for --target, which must
// be one of the manifest's aot_targets, else for any of those; with neither,
// for any target.
std::unique_ptr<DevicePolicy> LoadDevicePolicy(const PolicyOptions& options, Diagnostics& diagnostics);

// The largest payload a policy may allow: AOT artifacts are capped here.
inline constexpr uint32_t kMaxAotPayload = 64u << 20;

}  // namespace wasmiot::tool
