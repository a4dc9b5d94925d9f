// A simulated device installing an update, with the device library's own C:
// the receiver (wasmiot_chunks.c) stores the frames into the inactive slot of
// the flash (wasmiot_slot_storage.c) and, once the whole bundle is verified,
// the slot metadata marks it pending (wasmiot_slots.c). docs/slots.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bundle/chunks.h"
#include "bundle/device_policy.h"
#include "devsim/device_state.h"
#include "manifest/manifest.h"
#include "support/diagnostics.h"
#include "support/result.h"
#include "wasmiot_delta.h"
#include "wasmiot_slot_storage.h"

namespace wasmiot {

// The receiver over the inactive slot, configured as the device configures
// it, and resumed from what the slot holds. It points into `slots`' flash.
class SlotReceiver {
 public:
  // An error: write units the slot storage cannot program (docs/slots.md).
  static Result<std::unique_ptr<SlotReceiver>> Open(const DeviceState& state, const wasmiot_slots& slots,
                                                    const Manifest& manifest);
  SlotReceiver(const SlotReceiver&) = delete;
  SlotReceiver& operator=(const SlotReceiver&) = delete;

  wasmiot_receiver rx{};
  uint8_t slot = 0;
  wasmiot_rx_result resumed = WASMIOT_RX_IDLE;  // what resuming from the slot found

  // Once the receiver holds a whole encoded bundle: decodes it into the slot,
  // a delta from the active slot's payload (wasmiot_decode.h).
  wasmiot_delta_result Decode(const wasmiot_slots& slots);

 private:
  SlotReceiver() = default;
  std::vector<uint8_t> sector_;
  wasmiot_slot_storage storage_{};
  std::unique_ptr<DevicePolicy> policy_;
  std::vector<uint8_t> bitmap_;
  wasmiot_receiver_config config_{};
};

struct InstallOutcome {
  uint8_t slot = 0;                       // the inactive slot the frames went to
  wasmiot_rx_result receiver = WASMIOT_RX_IDLE;  // its last answer (COMPLETE: verified)
  wasmiot_bundle_result refusal = WASMIOT_BUNDLE_OK;  // a refused header's reason
  std::optional<wasmiot_rx_result> resumed;  // what resuming from the slot found
  std::optional<wasmiot_delta_result> decoded;  // an encoded bundle's decoding, once received whole
  bool pending = false;                   // the bundle waits for its test boot
  bool rollback = false;                  // verified, but not newer than the installed counter
  uint64_t sequence = 0;                  // of the bundle the session took
  uint64_t counter = 0;                   // the device's anti-rollback counter
  uint32_t chunks = 0, missing_chunks = 0;  // of that bundle, when its table is in
  FlashRun flash;
};

// Installs `frames` into `state` (its flash is updated to what the flash
// model kept). `fail_at`: cut the power at that flash operation of this run.
// An error: the state has no slot metadata.
Result<InstallOutcome> InstallFrames(DeviceState& state, const Manifest& manifest,
                                     const std::vector<SourcedFrame>& frames, std::optional<uint64_t> fail_at);

}  // namespace wasmiot
