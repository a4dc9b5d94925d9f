// `wasmiot opt`: make a module as small as the device allows. With a manifest,
// exports the device never calls are removed before dead-code elimination, the
// optimizer may only use the device's features, features the device lacks are
// lowered where Binaryen can and refused (naming where they are used) where it
// cannot, and the result is checked against the manifest again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/opt_levels.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "support/file_io.h"

namespace wasmiot {


struct OptimizeOptions {
  std::string level = "z";
  bool keep_debug = false;
  const Manifest* manifest = nullptr;
};

struct OptimizeReport {
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  std::vector<std::string> removed_exports;
  std::vector<std::string> lowered_features;
};

// Problems are diagnostics on `path` (codes as in check, plus
// feature-not-lowerable and optimizer-failed); the result is the new module.
Result<Bytes> OptimizeModule(const Bytes& input, const std::string& path, const OptimizeOptions& options,
                             OptimizeReport& report, Diagnostics& diagnostics);

}  // namespace wasmiot
