// fuzz_receiver: OTA frames through the device library's chunk receiver
// (lib/device/wasmiot_chunks.c) over a MemorySlot (lib/bundle/chunks.h), as
// `wasmiot assemble` drives it: the thermostat's policy (device id, size
// budget) trusting the fixed fuzzing key, which signed the seed bundles, so
// inputs get past the signature; a slot as large as assemble's
// (SlotCapacity) and its 8 KiB progress bitmap.
//
// Input: one flags byte, then the frames.
//   bits 0-1  how the rest becomes frames:
//             0  a chunk stream (frames one after another, as `wasmiot chunk
//                --stream` writes); bytes that are not a frame become one last
//                (malformed) frame
//             1  records: u16 little-endian length, then that many bytes
//                (frames cut anywhere, empty or overlong)
//             2  as 0, fed in reverse order
//             3  as 0 through SplitStream, DescribeFrames and FeedFrames, the
//                very calls of `wasmiot inspect` and `wasmiot assemble`
//   bit 2     session timeouts (idle 1 s, session 5 s), else none
//   bits 3-4  milliseconds between frames: 0, 7, 300 or 4000
//   bit 5     a 16-byte bitmap (128 chunks) instead of assemble's 8 KiB
//   bit 6     a slot file first (assemble --slot): a u16 little-endian length
//             and that many bytes are the slot's contents, resumed from
//             before any frame
//   bit 7     then a restart: a new receiver resumes from the same slot and
//             every frame comes again
// After each step the receiver must never have written outside the slot
// (MemorySlot refuses it), and whenever it says COMPLETE the slot must hold a
// bundle that wasmiot_bundle_verify accepts under the same policy; an encoded
// one then decodes in the slot (wasmiot_decode_bundle) as a device decodes it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bundle/bundle.h"
#include "bundle/chunks.h"
#include "keys/keys.h"
#include "manifest/manifest.h"
#include "wasmiot_decode.h"

#include "fuzz_support.h"

using namespace wasmiot;

namespace {

constexpr uint32_t kFullBitmapBytes = (WASMIOT_BUNDLE_MAX_CHUNKS + 7) / 8;  // as assemble
constexpr uint32_t kSmallBitmapBytes = 16;
constexpr uint32_t kStepsMs[] = {0, 7, 300, 4000};

struct Device {
  PublicKey key = fuzz::FixedPublicKey();
  DeviceId device_id = DeviceIdOf(fuzz::ThermostatManifest().device);
  wasmiot_device_policy policy{};
  uint32_t capacity = 0;
  Device() {
    const Manifest& m = fuzz::ThermostatManifest();
    policy.public_keys = reinterpret_cast<const uint8_t(*)[32]>(key.data());
    policy.public_key_count = 1;
    policy.device_id = device_id.data();
    policy.max_payload_size = static_cast<uint32_t>(m.budgets.max_module_bytes);
    policy.encodings = (1u << WASMIOT_ENCODING_COMPRESSED) | (1u << WASMIOT_ENCODING_DELTA);  // any base, as assemble
    capacity = SlotCapacity(policy);
  }
};

uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }

struct Run {
  const Device& device;
  MemorySlot& slot;
  std::vector<uint8_t> bitmap;
  wasmiot_receiver_config config{};
  uint32_t now_ms = 0;
  uint32_t step_ms = 0;

  Run(const Device& d, MemorySlot& s, uint8_t flags) : device(d), slot(s) {
    bitmap.resize(flags & 0x20 ? kSmallBitmapBytes : kFullBitmapBytes);
    config.storage = slot.storage();
    config.crypto = &HostCrypto();
    config.policy = &device.policy;
    config.bitmap = bitmap.data();
    config.bitmap_bytes = static_cast<uint32_t>(bitmap.size());
    if (flags & 0x04) {
      config.idle_timeout_ms = 1000;
      config.session_timeout_ms = 5000;
    }
    step_ms = kStepsMs[(flags >> 3) & 3];
  }

  // An encoded bundle decodes in the slot as a device decodes it (a delta
  // against an empty base: wrong-base), never writing outside the slot, and
  // only to its signed digest.
  void CheckDecode(const wasmiot_bundle_header& h) {
    MemorySlot no_base(0);
    wasmiot_decode_config c{};
    c.slot = slot.storage();
    c.align = 64;
    c.base = no_base.storage();
    c.crypto = &HostCrypto();
    wasmiot_delta_result r = wasmiot_decode_bundle(&c, &h);
    if (r == WASMIOT_DELTA_STORAGE_ERROR) fuzz::Fail("fuzz_receiver", "decoding reached outside the slot");
    if (h.encoding == WASMIOT_ENCODING_DELTA && r != WASMIOT_DELTA_WRONG_BASE) {
      fuzz::Fail("fuzz_receiver", "a delta decoded without its base");
    }
    if (r != WASMIOT_DELTA_OK) return;
    wasmiot_payload_place p = wasmiot_runnable_payload(&h, 64);
    Sha256 digest = HashSha256(slot.bytes().data() + p.offset, p.size);
    if (!std::equal(h.decoded_digest, h.decoded_digest + 16, digest.begin())) {
      fuzz::Fail("fuzz_receiver", "a decoded payload that is not its signed digest");
    }
  }

  // A complete receiver's slot holds a bundle the verifier takes.
  void CheckComplete(const wasmiot_receiver& rx) {
    if (rx.state != WASMIOT_RX_STATE_COMPLETE) return;
    uint64_t total = wasmiot_bundle_end(&rx.layout);
    if (total > device.capacity) fuzz::Fail("fuzz_receiver", "a complete bundle is larger than the slot");
    const Bytes& stored = slot.bytes();
    Bytes bundle(static_cast<size_t>(total), 0);
    std::copy_n(stored.begin(), std::min<size_t>(stored.size(), bundle.size()), bundle.begin());
    wasmiot_bundle_header h{};
    wasmiot_bundle_result r = wasmiot_bundle_verify(bundle.data(), bundle.size(), &HostCrypto(), &device.policy, &h);
    if (r != WASMIOT_BUNDLE_OK) fuzz::Fail("fuzz_receiver", std::string("the receiver completed a bundle the verifier refuses: ") +
                                     wasmiot_bundle_result_name(r));
    for (uint32_t i = 0; i < rx.layout.chunk_count; ++i) {
      if (!wasmiot_receiver_has_chunk(&rx, i)) fuzz::Fail("fuzz_receiver", "a complete receiver misses a chunk");
    }
    if (h.encoding != WASMIOT_ENCODING_NONE) CheckDecode(h);
  }

  void Accept(wasmiot_receiver& rx, const uint8_t* frame, size_t size) {
    wasmiot_rx_result r = wasmiot_receiver_accept(&rx, frame, size, now_ms);
    (void)wasmiot_rx_result_name(r);
    if (r == WASMIOT_RX_COMPLETE) CheckComplete(rx);
    if (slot.bytes().size() > device.capacity) fuzz::Fail("fuzz_receiver", "the slot grew past its capacity");
    now_ms += step_ms;
  }

  void Resume(wasmiot_receiver& rx) {
    uint8_t scratch[WASMIOT_BUNDLE_MAX_TABLE_OFFSET];
    wasmiot_rx_result r = wasmiot_receiver_resume(&rx, scratch, now_ms);
    if (r == WASMIOT_RX_COMPLETE) CheckComplete(rx);
  }
};

using Frame = std::pair<const uint8_t*, size_t>;

// Frames one after another; what does not parse is one last frame.
std::vector<Frame> SplitConcatenated(const uint8_t* p, size_t n) {
  std::vector<Frame> frames;
  while (n > 0) {
    wasmiot_frame f;
    size_t k = wasmiot_frame_parse(p, n, &f);
    if (k == 0) k = n;
    frames.emplace_back(p, k);
    p += k;
    n -= k;
  }
  return frames;
}

std::vector<Frame> SplitRecords(const uint8_t* p, size_t n) {
  std::vector<Frame> frames;
  while (n >= 2) {
    size_t k = std::min<size_t>(Get16(p), n - 2);
    frames.emplace_back(p + 2, k);
    p += 2 + k;
    n -= 2 + k;
  }
  return frames;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::InitOnce();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Device device;
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  const uint8_t* p = data + 1;
  size_t n = size - 1;
  Bytes initial;
  bool resume = flags & 0x40;
  if (resume) {
    if (n < 2) return -1;
    size_t k = std::min<size_t>(Get16(p), n - 2);
    initial.assign(p + 2, p + 2 + k);
    p += 2 + k;
    n -= 2 + k;
  }
  const int mode = flags & 3;

  MemorySlot slot(device.capacity, std::move(initial));
  Run run(device, slot, flags);
  wasmiot_receiver rx;
  wasmiot_receiver_init(&rx, &run.config);
  if (resume) run.Resume(rx);

  std::vector<Frame> frames;
  std::vector<SourcedFrame> sourced;
  if (mode == 3) {
    // inspect, then assemble: a stream that does not split is refused whole.
    Result<std::vector<SourcedFrame>> split = SplitStream(Bytes(p, p + n), "fuzz.stream");
    if (!split) return 0;
    sourced = std::move(split).value();
    (void)DescribeFrames(sourced);
  } else {
    frames = mode == 1 ? SplitRecords(p, n) : SplitConcatenated(p, n);
    if (mode == 2) std::reverse(frames.begin(), frames.end());
  }

  auto feed = [&](wasmiot_receiver& r) {
    if (mode == 3) {
      AssembleReport report = FeedFrames(r, slot, sourced);
      if (report.final_state == WASMIOT_RX_COMPLETE && r.state != WASMIOT_RX_STATE_COMPLETE) {
        fuzz::Fail("fuzz_receiver", "FeedFrames reports a bundle complete that its receiver is not");
      }
      run.CheckComplete(r);
    } else {
      for (const Frame& f : frames) run.Accept(r, f.first, f.second);
    }
    (void)wasmiot_receiver_poll(&r, run.now_ms);
    run.CheckComplete(r);
  };
  feed(rx);
  if (flags & 0x80) {
    wasmiot_receiver again;
    wasmiot_receiver_init(&again, &run.config);
    run.Resume(again);
    feed(again);
  }
  return 0;
}
