#include "devsim/device_status.h"

#include <algorithm>
#include <memory>

#include "bundle/device_policy.h"
#include "devsim/device_install.h"
#include "keys/sodium_bridge.h"

namespace wasmiot {

char SlotName(uint8_t slot) { return slot == 0 ? 'A' : 'B'; }

wasmiot_bundle_result VerifySlotBundle(const Bytes& flash, const wasmiot_slots& slots, uint8_t slot,
                                       const wasmiot_device_policy& policy, wasmiot_bundle_header& header,
                                       Bytes& bundle) {
  const auto start = flash.begin() + slots.slot_offset[slot];
  wasmiot_bundle_result r = wasmiot_bundle_parse_header(&*start, slots.slot_size, &header);
  if (r != WASMIOT_BUNDLE_OK) return r;
  const uint64_t size = WASMIOT_BUNDLE_PAYLOAD_OFFSET(uint64_t{header.chunk_count}) + header.payload_size;
  if (size > slots.slot_size) return WASMIOT_BUNDLE_TRUNCATED;
  bundle.assign(start, start + static_cast<std::ptrdiff_t>(size));
  return wasmiot_bundle_verify(bundle.data(), bundle.size(), &HostCrypto(), &policy, &header);
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
    Bytes bundle;
    st.verdict = VerifySlotBundle(state.flash, slots, s, policy->policy, h, bundle);
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
