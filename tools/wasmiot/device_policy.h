// A device's policy from the command line: --pubkey, --manifest,
// --installed-seq, --max-seq-jump, --kind, --target.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bundle/device_policy.h"
#include "support/diagnostics.h"

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

// Loads the keys and manifest the options name (problems go to
// `diagnostics`) and makes the policy (bundle/device_policy.h).
std::unique_ptr<DevicePolicy> LoadDevicePolicy(const PolicyOptions& options, Diagnostics& diagnostics);

}  // namespace wasmiot::tool
