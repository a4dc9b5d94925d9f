#include "devsim/device_install.h"

#include <algorithm>
#include <iterator>

#include "devsim/device_status.h"
#include "keys/sodium_bridge.h"
#include "wasmiot_decode.h"

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

Result<std::unique_ptr<SlotReceiver>> SlotReceiver::Open(const DeviceState& state, const wasmiot_slots& slots,
                                                         const Manifest& manifest) {
  std::unique_ptr<SlotReceiver> r(new SlotReceiver);
  r->slot = wasmiot_slots_inactive(&slots);
  r->sector_.resize(state.geometry.sector_size);
  if (wasmiot_slot_storage_init(&r->storage_, &slots, r->slot, r->sector_.data()) != 0) {
    return Error{ErrorKind::kInvalidInput, "write units above 8 bytes cannot hold a bundle (docs/slots.md)"};
  }
  Diagnostics ignored;  // the manifest's own targets: nothing to refuse
  DeviceChoices choices;
  choices.installed_sequence = slots.state.counter;
  // A delta must apply to the payload the active slot runs; with none, the
  // device takes full bundles only (compressed or not).
  if (slots.state.active != WASMIOT_SLOT_NONE) {
    choices.base_digest = SlotPayloadDigest(state.flash, slots, slots.state.active);
  }
  if (!choices.base_digest) choices.encodings = 1u << WASMIOT_ENCODING_COMPRESSED;
  r->policy_ = MakeDevicePolicy(state.keys, manifest, choices, ignored);
  if (!r->policy_) return Error{ErrorKind::kInvalidInput, "no device policy for this manifest"};
  r->bitmap_.resize((WASMIOT_BUNDLE_MAX_CHUNKS + 7) / 8);
  r->config_.storage = &r->storage_.storage;
  r->config_.crypto = &HostCrypto();
  r->config_.policy = &r->policy_->policy;
  r->config_.bitmap = r->bitmap_.data();
  r->config_.bitmap_bytes = static_cast<uint32_t>(r->bitmap_.size());
  r->config_.decode_align = state.geometry.sector_size;
  wasmiot_receiver_init(&r->rx, &r->config_);
  uint8_t scratch[WASMIOT_BUNDLE_MAX_TABLE_OFFSET];
  r->resumed = wasmiot_receiver_resume(&r->rx, scratch, 0);
  return r;
}

wasmiot_delta_result SlotReceiver::Decode(const wasmiot_slots& slots) {
  const wasmiot_storage* s = config_.storage;
  uint8_t header_bytes[WASMIOT_BUNDLE_MAX_TABLE_OFFSET];
  wasmiot_bundle_header header;
  if (s->read(s->context, 0, header_bytes, sizeof header_bytes) != 0) return WASMIOT_DELTA_STORAGE_ERROR;
  // The receiver verified this header; parsing it again only reads its fields.
  if (wasmiot_bundle_parse_header(header_bytes, sizeof header_bytes, &header) != WASMIOT_BUNDLE_OK) {
    return WASMIOT_DELTA_BAD_SIZES;
  }
  wasmiot_decode_config config{};
  config.slot = s;
  config.align = config_.decode_align;
  config.crypto = config_.crypto;
  wasmiot_slot_storage base{};
  if (header.encoding == WASMIOT_ENCODING_DELTA && slots.state.active != WASMIOT_SLOT_NONE) {
    // Only read: the active slot is never written while an update is unproven.
    if (wasmiot_slot_storage_init(&base, &slots, slots.state.active, sector_.data()) != 0) {
      return WASMIOT_DELTA_STORAGE_ERROR;
    }
    wasmiot_bundle_header active;
    if (base.storage.read(base.storage.context, 0, header_bytes, sizeof header_bytes) == 0 &&
        wasmiot_bundle_parse_header(header_bytes, sizeof header_bytes, &active) == WASMIOT_BUNDLE_OK) {
      config.base = &base.storage;
      config.base_place = wasmiot_runnable_payload(&active, config_.decode_align);
    }
  }
  return wasmiot_decode_bundle(&config, &header);
}

Result<InstallOutcome> InstallFrames(DeviceState& state, const Manifest& manifest,
                                     const std::vector<SourcedFrame>& frames, std::optional<uint64_t> fail_at) {
  InstallOutcome out;
  PowerOn on(state, fail_at);
  if (Status opened = on.OpenSlots(); !opened) return opened.error();
  FlashModel& flash = on.flash();
  wasmiot_slots& slots = on.slots();
  auto finish = [&]() {
    out.flash = on.Save();
    return out;
  };
  if (wasmiot_slots_begin_install(&slots) != WASMIOT_SLOTS_OK) return finish();
  Result<std::unique_ptr<SlotReceiver>> opened = SlotReceiver::Open(state, slots, manifest);
  if (!opened) return opened.error();
  wasmiot_receiver& rx = (*opened)->rx;
  out.slot = (*opened)->slot;
  out.resumed = (*opened)->resumed;
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
  out.counter = slots.state.counter;
  if (rx.state == WASMIOT_RX_STATE_PAYLOAD || rx.state == WASMIOT_RX_STATE_COMPLETE) {
    out.chunks = rx.layout.chunk_count;
    out.missing_chunks = rx.state == WASMIOT_RX_STATE_PAYLOAD ? rx.missing : 0;
  }
  if (flash.powered() && rx.state == WASMIOT_RX_STATE_COMPLETE) {
    out.receiver = WASMIOT_RX_COMPLETE;
    if (rx.encoding != WASMIOT_ENCODING_NONE) {
      out.decoded = (*opened)->Decode(slots);
      if (!flash.powered() || *out.decoded != WASMIOT_DELTA_OK) return finish();
    }
    wasmiot_slots_result r = wasmiot_slots_set_pending(&slots, rx.sequence);
    out.rollback = r == WASMIOT_SLOTS_ROLLBACK;
    out.pending = r == WASMIOT_SLOTS_OK;
  }
  return finish();
}

}  // namespace wasmiot
