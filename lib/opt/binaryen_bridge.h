// The one door to Binaryen (see STYLE.md). Binaryen's optimize level, shrink
// level, debug-info flag and pass arguments are process-global; RunBinaryen sets
// them for one job under a lock and restores them after, so no job sees another's.
// Binaryen's C API exits the process on a binary it cannot parse: callers hand
// it only modules wabt has validated, with features it understands.
#pragma once

#include <string>
#include <vector>

#include "core/features.h"
#include "support/file_io.h"
#include "support/result.h"

namespace wasmiot {

struct BinaryenJob {
  int optimize_level = 2;  // 0..4
  int shrink_level = 2;    // 0..2 (-Os is 1, -Oz is 2)
  FeatureSet features;     // what the optimizer may use; the module must fit in it
  std::vector<std::string> remove_exports;
  bool lower_memory64 = false;
  bool has_imported_memory = false;  // pinned like the other imports
  bool keep_debug = false;  // else strip names, DWARF, producers, target features
};

// Whether Binaryen can represent a module using this feature at all.
bool BinaryenSupports(Feature feature);

Result<Bytes> RunBinaryen(const Bytes& input, const BinaryenJob& job);

}  // namespace wasmiot
