#include "devsim/device_install.h"

#include <algorithm>
#include <iterator>

#include "bundle/device_policy.h"
#include "keys/sodium_bridge.h"
#include "wasmiot_slot_storage.h"

namespace wasmiot {
namespace {

// Whether the frames' header frame names the receiver's session.
bool SameBundle(const std::vector<SourcedFrame>& frames, const wasmiot_receiver& rx) {
  for (const SourcedFrame& f : frames) {
    wasmiot_frame frame;
    if (wasmiot_frame_parse(f.bytes.data(), f.bytes.size(), &frame) == 0 || frame.type != WASMIOT_FRAME_HEADER) continue;
    return std::equal(std::begin(frame.bundle_id), std::end(frame.bundle_id), std::begin(rx.bundle_id));
  }
  return false;
}

}  // namespace

Result<InstallOutcome> InstallFrames(DeviceState& state, const Manifest& manifest,
                                     const std::vector<SourcedFrame>& frames, std::optional<uint64_t> fail_at) {
  InstallOutcome out;
  PowerOn on(state, fail_at);
  if (Status opened = on.OpenSlots(); !opened) return opened.error();
  FlashModel& flash = on.flash();
  wasmiot_slots& slots = on.slots();
  auto finish = [&]() {
    on.Save(out.power_cut, out.flash_operations);
    return out;
  };
  if (wasmiot_slots_begin_install(&slots) != WASMIOT_SLOTS_OK) return finish();
  out.slot = wasmiot_slots_inactive(&slots);
  std::vector<uint8_t> sector(state.geometry.sector_size);
  wasmiot_slot_storage storage;
  if (wasmiot_slot_storage_init(&storage, &slots, out.slot, sector.data()) != 0) {
    return Error{ErrorKind::kInvalidInput, "write units above 8 bytes cannot hold a bundle (docs/slots.md)"};
  }
  Diagnostics ignored;  // the manifest's own targets: nothing to refuse
  DeviceChoices choices;
  choices.installed_sequence = slots.state.counter;
  std::unique_ptr<DevicePolicy> policy = MakeDevicePolicy(state.keys, manifest, choices, ignored);
  if (!policy) return Error{ErrorKind::kInvalidInput, "no device policy for this manifest"};
  const uint32_t overhead = WASMIOT_BUNDLE_PAYLOAD_OFFSET(WASMIOT_BUNDLE_MAX_CHUNKS);
  policy->policy.max_payload_size = slots.slot_size > overhead ? slots.slot_size - overhead : slots.slot_size / 2;
  std::vector<uint8_t> bitmap((WASMIOT_BUNDLE_MAX_CHUNKS + 7) / 8);
  wasmiot_receiver_config config{};
  config.storage = &storage.storage;
  config.crypto = &HostCrypto();
  config.policy = &policy->policy;
  config.bitmap = bitmap.data();
  config.bitmap_bytes = static_cast<uint32_t>(bitmap.size());
  wasmiot_receiver rx;
  wasmiot_receiver_init(&rx, &config);
  uint8_t scratch[WASMIOT_BUNDLE_TABLE_OFFSET];
  out.resumed = wasmiot_receiver_resume(&rx, scratch, 0);
  // A whole bundle already in the slot is this install's only if the frames
  // are that bundle (an install cut short before its pending record); any
  // other — a reverted update, say — is not made pending again: the frames
  // start a new session, which erases the slot.
  if (rx.state == WASMIOT_RX_STATE_COMPLETE && !SameBundle(frames, rx)) wasmiot_receiver_reset(&rx);
  // Passes over the frames while one makes progress: a frame early for its
  // session (a chunk before the table) counts on a later pass.
  for (bool progress = true; progress && flash.powered() && rx.state != WASMIOT_RX_STATE_COMPLETE;) {
    progress = false;
    for (const SourcedFrame& f : frames) {
      wasmiot_rx_result r = wasmiot_receiver_accept(&rx, f.bytes.data(), f.bytes.size(), 0);
      if (!flash.powered()) break;
      out.receiver = r;
      if (r == WASMIOT_RX_REFUSED) out.refusal = rx.refusal;
      progress = progress || r == WASMIOT_RX_ACCEPTED || r == WASMIOT_RX_COMPLETE;
      if (r == WASMIOT_RX_COMPLETE) break;
    }
  }
  out.sequence = rx.sequence;
  if (flash.powered() && rx.state == WASMIOT_RX_STATE_COMPLETE) {
    out.receiver = WASMIOT_RX_COMPLETE;
    wasmiot_slots_result r = wasmiot_slots_set_pending(&slots, rx.sequence);
    out.rollback = r == WASMIOT_SLOTS_ROLLBACK;
    out.pending = r == WASMIOT_SLOTS_OK;
  }
  return finish();
}

}  // namespace wasmiot
