// What each simulation kind needs of its host function's signature
// (docs/manifest.md, "Simulation"): the reference runtime can only simulate a
// sensor that returns a value, a log that takes a string, and so on.
#pragma once

#include <string>
#include <vector>

#include "manifest/manifest.h"

namespace wasmiot {

// Each way `sig` does not fit `sim.kind`, as the rest of "a <kind> ..."
// ("returns exactly one result"); empty if it fits. A sensor's `indexed_by`
// is IndexedByFits's.
std::vector<std::string> SimulationShapeProblems(const Simulation& sim, const Signature& sig);

// A sensor's `indexed_by` names the function's only parameter, an i32.
bool IndexedByFits(const Simulation& sim, const Signature& sig);

}  // namespace wasmiot
