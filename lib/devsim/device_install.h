// A simulated device installing an update, with the device library's own C:
// the receiver (wasmiot_chunks.c) stores the frames into the inactive slot of
// the flash (wasmiot_slot_storage.c) and, once the whole bundle is verified,
// the slot metadata marks it pending (wasmiot_slots.c). docs/slots.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bundle/chunks.h"
#include "devsim/device_state.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "support/result.h"

namespace wasmiot {

struct InstallOutcome {
  uint8_t slot = 0;                       // the inactive slot the frames went to
  wasmiot_rx_result receiver = WASMIOT_RX_IDLE;  // its last answer (COMPLETE: verified)
  wasmiot_bundle_result refusal = WASMIOT_BUNDLE_OK;  // a refused header's reason
  std::optional<wasmiot_rx_result> resumed;  // what resuming from the slot found
  bool pending = false;                   // the bundle waits for its test boot
  bool rollback = false;                  // verified, but not newer than the installed counter
  uint64_t sequence = 0;                  // of the bundle the session took
  bool power_cut = false;                 // the power went off (fail_at) before the end
  uint64_t flash_operations = 0;
};

// Installs `frames` into `state` (its flash is updated to what the flash
// model kept). `fail_at`: cut the power at that flash operation of this run.
// An error: the state has no slot metadata.
Result<InstallOutcome> InstallFrames(DeviceState& state, const Manifest& manifest,
                                     const std::vector<SourcedFrame>& frames, std::optional<uint64_t> fail_at);

}  // namespace wasmiot
