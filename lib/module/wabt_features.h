// Our feature set as wabt's, for the files that talk to wabt (the reader, the
// interpreter engine). Includes wabt: keep it out of other headers.
#pragma once

#include <wabt/feature.h>

#include "core/features.h"

namespace wasmiot {

// Exactly the features in `set` (wabt's own defaults are switched off first).
wabt::Features ToWabtFeatures(const FeatureSet& set);

}  // namespace wasmiot
