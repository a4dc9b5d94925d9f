// A simulated device booting: a test boot of the pending slot on the reference
// runtime, confirmed when it runs, reverted when it does not, and then the
// module the device runs. docs/slots.md, "Booting".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "devsim/device_state.h"
#include "manifest/manifest.h"
#include "support/result.h"

namespace wasmiot {

struct BootOptions {
  // After the first required export (the start-up call), the others that
  // take no parameters are called this many times each: the device's
  // periodic calls.
  uint32_t periodic_calls = 3;
  std::optional<uint64_t> fail_at;  // cut the power at this flash operation
};

struct BootOutcome {
  bool recovered = false;  // a test boot cut short by a reset was reverted
  bool tried = false;      // a pending slot was test-booted
  bool confirmed = false;
  bool reverted = false;
  std::string why;         // what reverted it: a refused bundle, a failed check, a trap
  uint8_t running = WASMIOT_SLOT_NONE;  // the slot the device runs afterwards (verified), if any
  uint64_t running_sequence = 0;
  bool power_cut = false;
  uint64_t flash_operations = 0;
};

// An error: the state has no slot metadata.
Result<BootOutcome> BootDevice(DeviceState& state, const Manifest& manifest, const BootOptions& options);

}  // namespace wasmiot
