// A simulated device booting: a test boot of the pending slot on the reference
// runtime, confirmed when it runs, reverted when it does not, and then the
// module the device runs. Also the confirm and revert a firmware makes by
// request. docs/slots.md, "Booting".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "devsim/device_state.h"
#include "manifest/manifest.h"
#include "scenario/scenario.h"
#include "support/result.h"

namespace wasmiot {

struct BootOptions {
  // After the start-up export (a required one without parameters named
  // init, _initialize or _start), each other required export without
  // parameters is called this many times: the device's periodic calls.
  uint32_t periodic_calls = 3;
  // Instead of those calls, this scenario (its module and manifest fields
  // are not used: the slot's module runs on the state's device).
  const Scenario* scenario = nullptr;
  std::optional<uint64_t> fail_at;  // cut the power at this flash operation
};

struct BootOutcome {
  bool recovered = false;  // a test boot cut short by a reset was reverted
  bool tried = false;      // a pending slot was test-booted
  bool tested = false;     // its module ran on the reference runtime (an AOT payload does not)
  uint8_t tried_slot = WASMIOT_SLOT_NONE;
  uint64_t tried_sequence = 0;
  bool confirmed = false;
  bool reverted = false;
  std::string why;         // what reverted it: a refused bundle, a failed check, a trap
  uint8_t running = WASMIOT_SLOT_NONE;  // the slot the device runs afterwards (verified), if any
  uint64_t running_sequence = 0;
  FlashRun flash;
};

// An error: the state has no slot metadata.
Result<BootOutcome> BootDevice(DeviceState& state, const Manifest& manifest, const BootOptions& options);

struct DecisionOutcome {
  bool done = false;         // confirmed, or reverted
  uint8_t slot = WASMIOT_SLOT_NONE;  // the pending slot it was about
  uint64_t sequence = 0;
  std::string why;           // why not: nothing pending, a bundle that no longer verifies
  FlashRun flash;
};

// The pending slot becomes the active one without a test boot, as firmware
// confirms after its own checks, if its bundle still verifies. An error: the
// state has no slot metadata.
Result<DecisionOutcome> ConfirmPending(DeviceState& state, const Manifest& manifest, std::optional<uint64_t> fail_at);

// The pending slot is forgotten. An error: no slot metadata.
Result<DecisionOutcome> RevertPending(DeviceState& state, std::optional<uint64_t> fail_at);

}  // namespace wasmiot
