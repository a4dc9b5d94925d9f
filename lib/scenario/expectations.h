// What a scenario's run is held to (docs/scenarios.md, "Expectations").
#pragma once

#include <string>

#include "scenario/scenario.h"
#include "scenario/session.h"

namespace wasmiot {

// The first expectation the run did not meet, readable (with the nearest
// host call when an expected one is missing); "" if it met them all.
std::string FirstUnmetExpectation(const Scenario& scenario, const ScenarioReport& report);

}  // namespace wasmiot
