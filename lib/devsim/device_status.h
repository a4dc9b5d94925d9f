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

// The bundle in `slot` verified under `policy`; when it is, its header, the
// whole bundle (header to payload) in `bundle`, and the payload it runs in
// `payload`. An encoded bundle's decoded payload, after the bundle, must match
// its signed digest (payload-mismatch), and its base is not asked for: a slot
// keeps its decoded payload, not the base it was decoded from.
wasmiot_bundle_result VerifySlotBundle(const Bytes& flash, const wasmiot_slots& slots, uint8_t slot,
                                       const wasmiot_device_policy& policy, wasmiot_bundle_header& header,
                                       Bytes& bundle, Bytes& payload);

// The digest of the payload `slot` runs (what a delta for it names as its
// base), read without verifying; none if the slot holds no bundle.
std::optional<std::array<uint8_t, WASMIOT_BUNDLE_DIGEST_SIZE>> SlotPayloadDigest(const Bytes& flash,
                                                                                 const wasmiot_slots& slots,
                                                                                 uint8_t slot);

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
