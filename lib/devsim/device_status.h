// What a simulated device holds, read without writing: the slot metadata,
// each slot's bundle and whether it verifies, and an install under way.
// `wasmiot device status`, and every other device command's report.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "devsim/device_state.h"
#include "manifest/manifest.h"
#include "support/result.h"
#include "wasmiot_bundle.h"
#include "wasmiot_chunks.h"

namespace wasmiot {

// The bundle in `slot` verified under `policy`; when it is, its header and
// the whole bundle (header to payload) in `bundle`.
wasmiot_bundle_result VerifySlotBundle(const Bytes& flash, const wasmiot_slots& slots, uint8_t slot,
                                       const wasmiot_device_policy& policy, wasmiot_bundle_header& header,
                                       Bytes& bundle);

// "A" or "B".
char SlotName(uint8_t slot);

struct SlotStatus {
  uint32_t offset = 0, size = 0;
  enum class Content { kEmpty, kBundle, kOther } content = Content::kEmpty;  // erased; a bundle header; anything else
  std::optional<wasmiot_bundle_header> header;  // when its header parses (signed or not)
  wasmiot_bundle_result verdict = WASMIOT_BUNDLE_OK;  // the whole bundle verified against the device (not the counter)
};

struct DeviceStatus {
  wasmiot_slots_state slots{};
  std::array<SlotStatus, 2> slot;
  // An install into the inactive slot, as resuming it finds it.
  uint8_t install_slot = 0;
  uint8_t install_state = WASMIOT_RX_STATE_IDLE;  // WASMIOT_RX_STATE_*
  uint64_t install_sequence = 0;
  uint32_t install_chunks = 0, install_missing = 0;  // when its table is in
};

// An error: the flash holds no slot metadata.
Result<DeviceStatus> ReadDeviceStatus(const DeviceState& state, const Manifest& manifest);

}  // namespace wasmiot
