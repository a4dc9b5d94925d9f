#include "devsim/device_status.h"

#include <algorithm>
#include <memory>

#include "bundle/device_policy.h"
#include "devsim/device_install.h"
#include "keys/sodium_bridge.h"
#include "wasmiot_decode.h"

namespace wasmiot {

char SlotName(uint8_t slot) { return slot == 0 ? 'A' : 'B'; }

namespace {

// Where `header`'s runnable payload lies in its slot, if inside it.
std::optional<wasmiot_payload_place> PayloadPlace(const wasmiot_slots& slots, const wasmiot_bundle_header& header) {
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&header);
  if (wasmiot_bundle_end(&layout) > slots.slot_size) return std::nullopt;
  wasmiot_payload_place place = wasmiot_runnable_payload(&header, slots.flash->sector_size);
  if (uint64_t{place.offset} + place.size > slots.slot_size) return std::nullopt;
  return place;
}

}  // namespace

wasmiot_bundle_result VerifySlotBundle(const Bytes& flash, const wasmiot_slots& slots, uint8_t slot,
                                       const wasmiot_device_policy& policy, wasmiot_bundle_header& header,
                                       Bytes& bundle, Bytes& payload) {
  const auto start = flash.begin() + slots.slot_offset[slot];
  wasmiot_bundle_result r = wasmiot_bundle_parse_header(&*start, slots.slot_size, &header);
  if (r != WASMIOT_BUNDLE_OK) return r;
  std::optional<wasmiot_payload_place> place = PayloadPlace(slots, header);
  if (!place) return WASMIOT_BUNDLE_TRUNCATED;
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&header);
  bundle.assign(start, start + static_cast<std::ptrdiff_t>(wasmiot_bundle_end(&layout)));
  wasmiot_device_policy own_base = policy;
  own_base.base_digest = header.base_digest;
  r = wasmiot_bundle_verify(bundle.data(), bundle.size(), &HostCrypto(), &own_base, &header);
  if (r != WASMIOT_BUNDLE_OK) return r;
  payload.assign(start + place->offset, start + place->offset + place->size);
  if (header.encoding != WASMIOT_ENCODING_NONE) {
    Sha256 digest = HashSha256(payload.data(), payload.size());
    if (!std::equal(header.decoded_digest, header.decoded_digest + WASMIOT_BUNDLE_DIGEST_SIZE, digest.begin())) {
      return WASMIOT_BUNDLE_PAYLOAD_MISMATCH;
    }
  }
  return WASMIOT_BUNDLE_OK;
}

std::optional<std::array<uint8_t, WASMIOT_BUNDLE_DIGEST_SIZE>> SlotPayloadDigest(const Bytes& flash,
                                                                                 const wasmiot_slots& slots,
                                                                                 uint8_t slot) {
  const auto start = flash.begin() + slots.slot_offset[slot];
  wasmiot_bundle_header header{};
  if (wasmiot_bundle_parse_header(&*start, slots.slot_size, &header) != WASMIOT_BUNDLE_OK) return std::nullopt;
  std::optional<wasmiot_payload_place> place = PayloadPlace(slots, header);
  if (!place) return std::nullopt;
  Sha256 digest = HashSha256(&*start + place->offset, place->size);
  std::array<uint8_t, WASMIOT_BUNDLE_DIGEST_SIZE> out;
  std::copy(digest.begin(), digest.begin() + out.size(), out.begin());
  return out;
}

Result<DeviceStatus> ReadDeviceStatus(const DeviceState& state, const Manifest& manifest) {
  DeviceState copy = state;  // resuming the receiver may write: never to the state
  PowerOn on(copy, std::nullopt);
  if (Status opened = on.OpenSlots(); !opened) return opened.error();
  const wasmiot_slots& slots = on.slots();
  DeviceStatus out;
  out.slots = slots.state;
  Diagnostics ignored;
  std::unique_ptr<DevicePolicy> policy = MakeDevicePolicy(state.keys, manifest, DeviceChoices{}, ignored);
  if (!policy) return Error{ErrorKind::kInvalidInput, "no device policy for this manifest"};
  for (uint8_t s = 0; s < 2; ++s) {
    SlotStatus& st = out.slot[s];
    st.offset = slots.slot_offset[s];
    st.size = slots.slot_size;
    const auto begin = state.flash.begin() + st.offset;
    const size_t probe = std::min<size_t>(st.size, WASMIOT_BUNDLE_HEADER_SIZE);
    if (std::all_of(begin, begin + static_cast<std::ptrdiff_t>(probe), [](uint8_t b) { return b == 0xFF; })) continue;
    wasmiot_bundle_header h{};
    if (wasmiot_bundle_parse_header(&*begin, st.size, &h) != WASMIOT_BUNDLE_OK) {
      st.content = SlotStatus::Content::kOther;
      continue;
    }
    st.content = SlotStatus::Content::kBundle;
    st.header = h;
    Bytes bundle, payload;
    st.verdict = VerifySlotBundle(state.flash, slots, s, policy->policy, h, bundle, payload);
  }
  Result<std::unique_ptr<SlotReceiver>> receiver = SlotReceiver::Open(copy, slots, manifest);
  if (!receiver) return receiver.error();
  const wasmiot_receiver& rx = (*receiver)->rx;
  out.install_slot = (*receiver)->slot;
  out.install_state = rx.state;
  out.install_sequence = rx.sequence;
  if (rx.state == WASMIOT_RX_STATE_PAYLOAD || rx.state == WASMIOT_RX_STATE_COMPLETE) {
    out.install_chunks = rx.layout.chunk_count;
    out.install_missing = rx.state == WASMIOT_RX_STATE_PAYLOAD ? rx.missing : 0;
  }
  return out;
}

}  // namespace wasmiot
