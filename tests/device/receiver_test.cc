// The device-side chunk receiver (lib/device/wasmiot_chunks.c) under the
// attacks and faults of issue 4. Every test runs over a slot that records any
// access outside its bounds; none may ever happen.
#include <algorithm>
#include <array>
#include <filesystem>
#include <cstring>
#include <random>

#include <catch2/catch.hpp>

#include "bundle/bundle.h"
#include "bundle/chunks.h"
#include "bundle/receive.h"
#include "support/test_support.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

const Manifest& Thermostat() {
  static Manifest m = [] {
    Diagnostics d;
    Result<Manifest> r = LoadManifest(SourceDir() + "/templates/thermostat/device.json", d);
    REQUIRE(r.ok());
    return std::move(r).value();
  }();
  return m;
}

Bytes Payload(size_t size, uint8_t seed) { return PseudoRandomBytes(size, seed); }

// A flash slot: fixed size, counts writes, can fail or tear a write.
struct TestSlot {
  explicit TestSlot(uint32_t capacity) : bytes(capacity, 0xFF) {
    storage.context = this;
    storage.capacity = capacity;
    storage.read = [](void* c, uint32_t offset, uint8_t* data, size_t size) {
      auto* s = static_cast<TestSlot*>(c);
      if (!s->InBounds(offset, size)) return -1;
      std::memcpy(data, s->bytes.data() + offset, size);
      return 0;
    };
    storage.write = [](void* c, uint32_t offset, const uint8_t* data, size_t size) {
      auto* s = static_cast<TestSlot*>(c);
      if (!s->InBounds(offset, size)) return -1;
      ++s->writes;
      if (s->fail_writes) return -1;
      if (s->tear_next_write) {  // power lost halfway through this write
        s->tear_next_write = false;
        std::memcpy(s->bytes.data() + offset, data, size / 2);
        return -1;
      }
      std::memcpy(s->bytes.data() + offset, data, size);
      return 0;
    };
    storage.erase = [](void* c, uint32_t offset, uint32_t size) {
      auto* s = static_cast<TestSlot*>(c);
      if (!s->InBounds(offset, size)) return -1;
      std::fill(s->bytes.begin() + offset, s->bytes.begin() + offset + size, 0xFF);
      ++s->erases;
      return 0;
    };
  }
  bool InBounds(uint64_t offset, uint64_t size) {
    bool ok = offset <= bytes.size() && size <= bytes.size() - offset;
    if (!ok) ++violations;
    return ok;
  }
  Bytes bytes;
  wasmiot_storage storage{};
  int writes = 0, erases = 0, violations = 0;
  bool fail_writes = false, tear_next_write = false;
};

struct Device {
  explicit Device(uint32_t capacity = 1 << 16, uint32_t bitmap_bytes = 64) : slot(capacity), bitmap(bitmap_bytes) {
    REQUIRE(InitCrypto().ok());
    policy.public_keys = reinterpret_cast<const uint8_t(*)[32]>(pk.data());
    policy.public_key_count = 1;
    policy.device_id = device_id.data();
    policy.max_payload_size = 1 << 20;
    policy.installed_sequence = 6;
    config.storage = &slot.storage;
    config.crypto = &HostCrypto();
    config.policy = &policy;
    config.bitmap = bitmap.data();
    config.bitmap_bytes = bitmap_bytes;
    config.idle_timeout_ms = 5000;
    Restart();
  }
  ~Device() { CHECK(slot.violations == 0); }

  void Restart() { wasmiot_receiver_init(&rx, &config); }

  std::vector<Bytes> Frames(const Bytes& payload, uint64_t sequence = 7, uint32_t chunk_size = 256,
                            int kind = WASMIOT_PAYLOAD_WASM) {
    BundleSpec spec;
    spec.payload = payload;
    spec.kind = kind;
    if (kind == WASMIOT_PAYLOAD_AOT) {
      spec.target = "cortex-m4f";
      spec.module_digest = HashSha256(payload.data(), 1);  // any module
    }
    spec.sequence = sequence;
    spec.version = SemanticVersion{1, 0, 0};
    spec.manifest = &Thermostat();
    spec.chunk_size = chunk_size;
    Result<Bytes> bundle = BuildBundle(spec, key);
    REQUIRE(bundle.ok());
    Result<std::vector<Bytes>> frames = SliceBundle(*bundle);
    REQUIRE(frames.ok());
    return std::move(frames).value();
  }

  wasmiot_rx_result Send(const Bytes& frame, uint32_t now = 0) {
    return wasmiot_receiver_accept(&rx, frame.data(), frame.size(), now);
  }

  Bytes StoredPayload() const {
    size_t at = WASMIOT_BUNDLE_PAYLOAD_OFFSET(rx.layout.chunk_count);
    return Bytes(slot.bytes.begin() + static_cast<std::ptrdiff_t>(at),
                 slot.bytes.begin() + static_cast<std::ptrdiff_t>(at + rx.layout.payload_size));
  }

  SecretKey key = SecretKey::Generate();
  PublicKey pk = key.Public();
  DeviceId device_id = DeviceIdOf(Thermostat().device);
  TestSlot slot;
  std::vector<uint8_t> bitmap;
  uint8_t scratch[WASMIOT_BUNDLE_MAX_TABLE_OFFSET];
  wasmiot_device_policy policy{};
  wasmiot_receiver_config config{};
  wasmiot_receiver rx{};
};

// Frames of a bundle with `chunks` payload chunks of 256 bytes: header, then
// table parts (16 digests per 256-byte part), then chunks.
size_t FirstChunk(const std::vector<Bytes>& frames) {
  for (size_t i = 0; i < frames.size(); ++i) {
    if (frames[i][0] == WASMIOT_FRAME_CHUNK) return i;
  }
  FAIL("no chunk frames");
  return 0;
}

void SetIndex(Bytes& frame, uint16_t index) {
  frame[WASMIOT_FRAME_OFF_INDEX] = static_cast<uint8_t>(index);
  frame[WASMIOT_FRAME_OFF_INDEX + 1] = static_cast<uint8_t>(index >> 8);
}

}  // namespace

TEST_CASE("receiver: a stream in order completes and the slot holds the payload") {
  Device d;
  Bytes payload = Payload(3000, 1);
  std::vector<Bytes> frames = d.Frames(payload);
  REQUIRE(frames.size() == 1 + 1 + 12);  // header, one table part (12 x 16 bytes), 12 chunks
  for (size_t i = 0; i + 1 < frames.size(); ++i) CHECK(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
  CHECK(d.Send(frames.back()) == WASMIOT_RX_COMPLETE);
  CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
  CHECK(d.StoredPayload() == payload);
  CHECK(d.slot.erases == 1);
  CHECK(d.Send(frames[5]) == WASMIOT_RX_DUPLICATE);  // after completion too
}

TEST_CASE("receiver: chunks in reverse and in random order") {
  Bytes payload = Payload(5000, 2);
  for (int order = 0; order < 2; ++order) {
    Device d;
    std::vector<Bytes> frames = d.Frames(payload);
    size_t first = FirstChunk(frames);
    for (size_t i = 0; i < first; ++i) REQUIRE(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
    std::vector<Bytes> chunks(frames.begin() + static_cast<std::ptrdiff_t>(first), frames.end());
    if (order == 0) {
      std::reverse(chunks.begin(), chunks.end());
    } else {
      std::mt19937 rng(1234);
      std::shuffle(chunks.begin(), chunks.end(), rng);
    }
    for (size_t i = 0; i < chunks.size(); ++i) {
      CHECK(d.Send(chunks[i]) == (i + 1 == chunks.size() ? WASMIOT_RX_COMPLETE : WASMIOT_RX_ACCEPTED));
    }
    CHECK(d.StoredPayload() == payload);
  }
}

TEST_CASE("receiver: nothing before an authenticated header, no chunk before the table") {
  Device d;
  std::vector<Bytes> frames = d.Frames(Payload(1000, 3));
  size_t first = FirstChunk(frames);
  CHECK(d.Send(frames[first]) == WASMIOT_RX_NOT_READY);
  CHECK(d.Send(frames[1]) == WASMIOT_RX_NOT_READY);
  CHECK(d.slot.writes == 0);
  REQUIRE(d.Send(frames[0]) == WASMIOT_RX_ACCEPTED);
  CHECK(d.Send(frames[first]) == WASMIOT_RX_NOT_READY);
  CHECK(d.slot.writes == 1);  // the header only

  // A header whose signature is broken, or that names another device, is
  // refused before anything is written.
  Device e;
  std::vector<Bytes> other = e.Frames(Payload(1000, 3));
  Bytes forged = other[0];
  forged[WASMIOT_FRAME_HEADER_SIZE + WASMIOT_BUNDLE_HEADER_SIZE + 5] ^= 1;  // in the signature
  CHECK(e.Send(forged) == WASMIOT_RX_REFUSED);
  CHECK(e.rx.refusal == WASMIOT_BUNDLE_BAD_SIGNATURE);
  DeviceId camera{};
  camera[0] = 1;
  e.policy.device_id = camera.data();
  CHECK(e.Send(other[0]) == WASMIOT_RX_REFUSED);
  CHECK(e.rx.refusal == WASMIOT_BUNDLE_WRONG_DEVICE);
  e.policy.device_id = e.device_id.data();
  e.policy.installed_sequence = 7;
  CHECK(e.Send(other[0]) == WASMIOT_RX_REFUSED);
  CHECK(e.rx.refusal == WASMIOT_BUNDLE_ROLLBACK);
  CHECK(e.slot.writes == 0);
  CHECK(e.slot.erases == 0);
}

TEST_CASE("receiver: every byte of the header frame flipped is refused") {
  Device d;
  std::vector<Bytes> frames = d.Frames(Payload(600, 4));
  for (size_t i = 0; i < frames[0].size(); ++i) {
    Bytes f = frames[0];
    f[i] ^= 0x01;
    d.Restart();
    INFO("byte " << i);
    CHECK(d.Send(f) != WASMIOT_RX_ACCEPTED);
  }
  CHECK(d.slot.writes == 0);
}

TEST_CASE("receiver: sizes above what the device holds are refused before any payload") {
  {
    Device small(/*capacity=*/WASMIOT_BUNDLE_TABLE_OFFSET + 16 * 4 + 999);
    std::vector<Bytes> frames = small.Frames(Payload(1000, 5));  // needs 200 + 64 + 1000
    CHECK(small.Send(frames[0]) == WASMIOT_RX_REFUSED);
    CHECK(small.rx.refusal == WASMIOT_BUNDLE_TOO_LARGE);
    CHECK(small.slot.writes == 0);
  }
  {
    Device narrow(1 << 16, /*bitmap_bytes=*/1);  // 8 chunks at most
    CHECK(narrow.Send(narrow.Frames(Payload(9 * 256, 6))[0]) == WASMIOT_RX_REFUSED);
    CHECK(narrow.rx.refusal == WASMIOT_BUNDLE_TOO_LARGE);
    CHECK(narrow.Send(narrow.Frames(Payload(8 * 256, 6))[0]) == WASMIOT_RX_ACCEPTED);
  }
  {
    Device policy_cap;
    policy_cap.policy.max_payload_size = 999;
    CHECK(policy_cap.Send(policy_cap.Frames(Payload(1000, 7))[0]) == WASMIOT_RX_REFUSED);
    CHECK(policy_cap.rx.refusal == WASMIOT_BUNDLE_TOO_LARGE);
  }
  // Declared sizes 1, exactly one chunk, one chunk plus one byte.
  for (size_t size : {size_t{1}, size_t{256}, size_t{257}}) {
    Device d;
    Bytes payload = Payload(size, 8);
    std::vector<Bytes> frames = d.Frames(payload);
    CHECK(frames.size() == 2 + (size + 255) / 256);
    wasmiot_rx_result last = WASMIOT_RX_IDLE;
    for (const Bytes& f : frames) last = d.Send(f);
    CHECK(last == WASMIOT_RX_COMPLETE);
    CHECK(d.StoredPayload() == payload);
  }
}

TEST_CASE("receiver: a chunk index past the count, or a length that does not fit, is refused") {
  Device d;
  std::vector<Bytes> frames = d.Frames(Payload(1000, 9));  // 4 chunks: 256 x 3 + 232
  size_t first = FirstChunk(frames);
  for (size_t i = 0; i < first; ++i) REQUIRE(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
  int writes = d.slot.writes;
  for (uint16_t index : {uint16_t{4}, uint16_t{5}, uint16_t{0x8000}, uint16_t{0xFFFF}}) {
    Bytes f = frames[first];
    SetIndex(f, index);
    INFO("index " << index);
    CHECK(d.Send(f) == WASMIOT_RX_MALFORMED);
  }
  Bytes last_as_full = frames[first];  // a full-size chunk at the short last index
  SetIndex(last_as_full, 3);
  CHECK(d.Send(last_as_full) == WASMIOT_RX_MALFORMED);
  Bytes longer = frames[first];  // the length field says more than is there
  longer[WASMIOT_FRAME_OFF_LENGTH + 1] ^= 0x10;
  CHECK(d.Send(longer) == WASMIOT_RX_MALFORMED);
  Bytes truncated(frames[first].begin(), frames[first].end() - 1);
  CHECK(d.Send(truncated) == WASMIOT_RX_MALFORMED);
  Bytes trailing = frames[first];
  trailing.push_back(0);
  CHECK(d.Send(trailing) == WASMIOT_RX_MALFORMED);
  Bytes table_past = frames[1];
  SetIndex(table_past, 1);
  CHECK(d.Send(table_past) == WASMIOT_RX_MALFORMED);
  CHECK(d.Send(Bytes{0x13, 1, 2}) == WASMIOT_RX_MALFORMED);
  CHECK(d.Send(Bytes{}) == WASMIOT_RX_MALFORMED);
  Bytes bad_type = frames[first];
  bad_type[0] = 0x21;
  CHECK(d.Send(bad_type) == WASMIOT_RX_MALFORMED);
  CHECK(d.slot.writes == writes);
  CHECK(d.rx.missing == 4);
}

TEST_CASE("receiver: duplicates are ignored, conflicting duplicates refused, progress is a bitmap") {
  Device d;
  Bytes payload = Payload(1024, 10);
  std::vector<Bytes> frames = d.Frames(payload);  // 4 chunks
  size_t first = FirstChunk(frames);
  for (size_t i = 0; i < first; ++i) REQUIRE(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
  CHECK(d.Send(frames[first]) == WASMIOT_RX_ACCEPTED);
  // Chunk 0 three more times: as many frames as the bundle has chunks, yet one chunk in.
  for (int i = 0; i < 3; ++i) CHECK(d.Send(frames[first]) == WASMIOT_RX_DUPLICATE);
  CHECK(d.rx.missing == 3);
  CHECK(d.rx.state == WASMIOT_RX_STATE_PAYLOAD);
  Bytes other = frames[first];
  other.back() ^= 0x40;
  CHECK(d.Send(other) == WASMIOT_RX_CONFLICT);
  Bytes other_table = frames[1];
  other_table.back() ^= 0x40;
  CHECK(d.Send(other_table) == WASMIOT_RX_CONFLICT);
  CHECK(d.Send(frames[1]) == WASMIOT_RX_DUPLICATE);
  CHECK(d.Send(frames[0]) == WASMIOT_RX_DUPLICATE);
  for (size_t i = first + 1; i + 1 < frames.size(); ++i) CHECK(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
  CHECK(d.Send(frames.back()) == WASMIOT_RX_COMPLETE);
  CHECK(d.StoredPayload() == payload);
}

TEST_CASE("receiver: a bit flipped in one chunk refuses that chunk only") {
  Device d;
  Bytes payload = Payload(2000, 11);
  std::vector<Bytes> frames = d.Frames(payload);
  size_t first = FirstChunk(frames);
  size_t victim = first + 3;
  for (size_t i = 0; i < frames.size(); ++i) {
    if (i == victim) {
      Bytes flipped = frames[i];
      flipped[WASMIOT_FRAME_HEADER_SIZE + 77] ^= 0x08;
      CHECK(d.Send(flipped) == WASMIOT_RX_CORRUPT);
      CHECK_FALSE(wasmiot_receiver_has_chunk(&d.rx, 3));
    } else {
      CHECK(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
    }
  }
  CHECK(d.rx.missing == 1);
  CHECK(d.Send(frames[victim]) == WASMIOT_RX_COMPLETE);
  CHECK(d.StoredPayload() == payload);
}

TEST_CASE("receiver: a corrupted chunk table is dropped whole and taken again") {
  Device d;
  Bytes payload = Payload(5000, 12);  // 20 chunks: table of 320 bytes, 2 parts
  std::vector<Bytes> frames = d.Frames(payload);
  REQUIRE(FirstChunk(frames) == 3);
  REQUIRE(d.Send(frames[0]) == WASMIOT_RX_ACCEPTED);
  Bytes bad = frames[2];
  bad[WASMIOT_FRAME_HEADER_SIZE + 3] ^= 1;
  CHECK(d.Send(bad) == WASMIOT_RX_ACCEPTED);  // cannot be judged alone
  CHECK(d.Send(frames[1]) == WASMIOT_RX_TABLE_MISMATCH);
  CHECK(d.rx.state == WASMIOT_RX_STATE_TABLE);
  CHECK(d.Send(frames[3]) == WASMIOT_RX_NOT_READY);
  CHECK(d.Send(frames[2]) == WASMIOT_RX_ACCEPTED);
  for (size_t i = 1; i < frames.size(); ++i) d.Send(frames[i]);
  CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
  CHECK(d.StoredPayload() == payload);
}

TEST_CASE("receiver: two bundles' frames interleaved") {
  Device d;
  Bytes older_payload = Payload(1500, 13), newer_payload = Payload(1700, 14);
  std::vector<Bytes> a = d.Frames(older_payload, 8);
  std::vector<Bytes> b = d.Frames(newer_payload, 9);
  SECTION("the newer header replaces a running session; the older one's frames are foreign") {
    REQUIRE(d.Send(a[0]) == WASMIOT_RX_ACCEPTED);
    REQUIRE(d.Send(a[1]) == WASMIOT_RX_ACCEPTED);
    CHECK(d.Send(b[0]) == WASMIOT_RX_ACCEPTED);
    for (size_t i = 1; i < std::max(a.size(), b.size()); ++i) {
      if (i < a.size()) CHECK(d.Send(a[i]) == WASMIOT_RX_FOREIGN);
      if (i < b.size()) d.Send(b[i]);
    }
    CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
    CHECK(d.StoredPayload() == newer_payload);
  }
  SECTION("an older header does not interrupt a newer session") {
    REQUIRE(d.Send(b[0]) == WASMIOT_RX_ACCEPTED);
    CHECK(d.Send(a[0]) == WASMIOT_RX_BUSY);
    for (size_t i = 1; i < std::max(a.size(), b.size()); ++i) {
      if (i < a.size()) CHECK(d.Send(a[i]) == WASMIOT_RX_FOREIGN);
      if (i < b.size()) d.Send(b[i]);
    }
    CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
    CHECK(d.StoredPayload() == newer_payload);
  }
}

TEST_CASE("receiver: a sender that stops halfway, the session times out, then resumes from storage") {
  Device d;
  d.config.session_timeout_ms = 60000;
  d.Restart();
  Bytes payload = Payload(4000, 15);
  std::vector<Bytes> frames = d.Frames(payload);
  size_t half = FirstChunk(frames) + 8;
  uint32_t now = 0xFFFFFE00u;  // the millisecond counter wraps during the session
  for (size_t i = 0; i < half; ++i) REQUIRE(d.Send(frames[i], now += 100) == WASMIOT_RX_ACCEPTED);
  CHECK(wasmiot_receiver_poll(&d.rx, now + 4999) == WASMIOT_RX_ACCEPTED);
  CHECK(wasmiot_receiver_poll(&d.rx, now + 5000) == WASMIOT_RX_TIMED_OUT);
  CHECK(d.rx.state == WASMIOT_RX_STATE_IDLE);
  CHECK(std::all_of(d.bitmap.begin(), d.bitmap.end(), [](uint8_t b) { return b == 0; }));
  CHECK(d.Send(frames[half], now + 6000) == WASMIOT_RX_NOT_READY);

  // After a restart the stored half counts; the rest completes the bundle.
  d.Restart();
  CHECK(wasmiot_receiver_resume(&d.rx, d.scratch, now) == WASMIOT_RX_ACCEPTED);
  CHECK(d.rx.missing == 16 - 8);
  for (uint32_t i = 0; i < 16; ++i) CHECK(wasmiot_receiver_has_chunk(&d.rx, i) == (i < 8));
  for (size_t i = half; i < frames.size(); ++i) d.Send(frames[i], now);
  CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
  CHECK(d.StoredPayload() == payload);

  // Frames that are not progress (duplicates, foreign frames) never keep a session alive.
  Device slow;
  slow.config.idle_timeout_ms = 1000;
  slow.Restart();
  std::vector<Bytes> g = slow.Frames(payload);
  REQUIRE(slow.Send(g[0], 0) == WASMIOT_RX_ACCEPTED);
  for (uint32_t t = 100; t < 1000; t += 100) CHECK(slow.Send(g[0], t) == WASMIOT_RX_DUPLICATE);
  CHECK(wasmiot_receiver_poll(&slow.rx, 1000) == WASMIOT_RX_TIMED_OUT);
  // And a session that progresses too slowly ends at its overall deadline.
  slow.config.idle_timeout_ms = 0;
  slow.config.session_timeout_ms = 2000;
  slow.Restart();
  REQUIRE(slow.Send(g[0], 0) == WASMIOT_RX_ACCEPTED);
  REQUIRE(slow.Send(g[1], 1500) == WASMIOT_RX_ACCEPTED);
  CHECK(slow.Send(g[2], 2000) == WASMIOT_RX_NOT_READY);  // the session ended first
}

TEST_CASE("receiver: power lost during a write, resume finds what really is stored") {
  Device d;
  Bytes payload = Payload(2048, 16);  // 8 chunks
  std::vector<Bytes> frames = d.Frames(payload);
  size_t first = FirstChunk(frames);
  for (size_t i = 0; i < first + 3; ++i) REQUIRE(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
  d.slot.tear_next_write = true;
  CHECK(d.Send(frames[first + 3]) == WASMIOT_RX_STORAGE_ERROR);
  CHECK_FALSE(wasmiot_receiver_has_chunk(&d.rx, 3));
  d.Restart();  // power comes back
  REQUIRE(wasmiot_receiver_resume(&d.rx, d.scratch, 0) == WASMIOT_RX_ACCEPTED);
  CHECK(d.rx.missing == 5);
  CHECK_FALSE(wasmiot_receiver_has_chunk(&d.rx, 3));
  CHECK(wasmiot_receiver_has_chunk(&d.rx, 2));
  for (size_t i = first + 3; i < frames.size(); ++i) d.Send(frames[i]);
  CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
  CHECK(d.StoredPayload() == payload);

  // A device that installed it meanwhile does not resume it (rollback).
  d.policy.installed_sequence = 7;
  d.Restart();
  CHECK(wasmiot_receiver_resume(&d.rx, d.scratch, 0) == WASMIOT_RX_IDLE);
  CHECK(d.rx.refusal == WASMIOT_BUNDLE_ROLLBACK);
  // An erased slot holds nothing to resume.
  Device fresh;
  CHECK(wasmiot_receiver_resume(&fresh.rx, fresh.scratch, 0) == WASMIOT_RX_IDLE);
  CHECK(fresh.rx.refusal == WASMIOT_BUNDLE_BAD_MAGIC);
}

TEST_CASE("receiver: a write that fails marks nothing received") {
  Device d;
  std::vector<Bytes> frames = d.Frames(Payload(600, 17));
  size_t first = FirstChunk(frames);
  for (size_t i = 0; i < first; ++i) REQUIRE(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
  d.slot.fail_writes = true;
  CHECK(d.Send(frames[first]) == WASMIOT_RX_STORAGE_ERROR);
  CHECK(d.rx.missing == 3);
  d.slot.fail_writes = false;
  CHECK(d.Send(frames[first]) == WASMIOT_RX_ACCEPTED);
}

TEST_CASE("receiver: a payload that does not survive storage is refused at the end") {
  // A wasm module is checked against the signed module digest, AOT code chunk
  // by chunk against the table: both catch a flash write that did not stick.
  int kind = GENERATE(int{WASMIOT_PAYLOAD_WASM}, int{WASMIOT_PAYLOAD_AOT});
  INFO("kind " << kind);
  Device d;
  Bytes payload = Payload(700, 18);
  std::vector<Bytes> frames = d.Frames(payload, 7, 256, kind);
  for (size_t i = 0; i + 1 < frames.size(); ++i) REQUIRE(d.Send(frames[i]) == WASMIOT_RX_ACCEPTED);
  // Flash corrupts a stored chunk behind the receiver's back.
  d.slot.bytes[WASMIOT_BUNDLE_PAYLOAD_OFFSET(3) + 10] ^= 1;
  CHECK(d.Send(frames.back()) == WASMIOT_RX_PAYLOAD_MISMATCH);
  CHECK(d.rx.state == WASMIOT_RX_STATE_PAYLOAD);
  CHECK(d.rx.missing == 3);  // everything comes again
  size_t first = FirstChunk(frames);
  for (size_t i = first; i < frames.size(); ++i) d.Send(frames[i]);
  CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
  CHECK(d.StoredPayload() == payload);
}

TEST_CASE("receiver: offsets far past the slot, with the largest chunks") {
  Device d(/*capacity=*/WASMIOT_BUNDLE_TABLE_OFFSET + 32 + 65535 + 1000);
  Bytes payload = Payload(65535 + 1000, 19);  // 2 chunks of up to 65535 bytes
  std::vector<Bytes> frames = d.Frames(payload, 7, 65535);
  REQUIRE(frames.size() == 4);
  REQUIRE(d.Send(frames[0]) == WASMIOT_RX_ACCEPTED);
  REQUIRE(d.Send(frames[1]) == WASMIOT_RX_ACCEPTED);
  // Index 0xFFFF would put the chunk 4 GiB - 128 KiB into a 66 KiB slot.
  for (uint16_t index : {uint16_t{2}, uint16_t{0xFFFF}}) {
    Bytes f = frames[3];
    SetIndex(f, index);
    CHECK(d.Send(f) == WASMIOT_RX_MALFORMED);
  }
  CHECK(d.Send(frames[3]) == WASMIOT_RX_ACCEPTED);
  CHECK(d.Send(frames[2]) == WASMIOT_RX_COMPLETE);
  CHECK(d.StoredPayload() == payload);
}

TEST_CASE("receiver: random damage to frames never corrupts the slot or stops a good download") {
  Device d;
  Bytes payload = Payload(6000, 20);
  std::vector<Bytes> frames = d.Frames(payload);
  std::mt19937 rng(20261124);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  int accepted_damaged = 0;
  for (int round = 0; round < 3000 && d.rx.state != WASMIOT_RX_STATE_COMPLETE; ++round) {
    Bytes f = frames[pick(frames.size())];
    switch (pick(6)) {
      case 0: f[pick(f.size())] ^= static_cast<uint8_t>(1u << pick(8)); break;  // a bit flip anywhere
      case 1: f.resize(pick(f.size())); break;                                  // cut short
      case 2: SetIndex(f, static_cast<uint16_t>(pick(0x10000))); break;         // any index
      case 3: f[WASMIOT_FRAME_OFF_LENGTH + pick(2)] = static_cast<uint8_t>(pick(256)); break;
      case 4: f.push_back(static_cast<uint8_t>(pick(256))); break;              // trailing byte
      default: break;                                                            // intact
    }
    bool intact = std::find(frames.begin(), frames.end(), f) != frames.end();
    wasmiot_rx_result r = d.Send(f, static_cast<uint32_t>(round));
    if (!intact && (r == WASMIOT_RX_ACCEPTED || r == WASMIOT_RX_COMPLETE)) ++accepted_damaged;
  }
  // A damaged table part can be taken (it is judged with the whole table);
  // nothing damaged ever completes the bundle, and the download finishes.
  CHECK(d.rx.state == WASMIOT_RX_STATE_COMPLETE);
  CHECK(d.StoredPayload() == payload);
  INFO("damaged frames taken: " << accepted_damaged);
  CHECK(d.slot.violations == 0);
}

TEST_CASE("Reassemble: assemble's receiver as a library call, resumed from the slot it left") {
  Device d;
  Bytes payload = Payload(3000, 21);
  std::vector<Bytes> frames = d.Frames(payload);  // header, 1 table part, 12 chunks of 256 bytes
  std::vector<SourcedFrame> first_half, rest;
  for (size_t i = 0; i < frames.size(); ++i) {
    (i < frames.size() / 2 ? first_half : rest).push_back({frames[i], "s", 0});
  }
  Bytes slot;
  Reassembly one = Reassemble(first_half, d.policy, slot, /*resume=*/false);
  CHECK(one.report.final_state != WASMIOT_RX_COMPLETE);
  CHECK_FALSE(one.resumed.has_value());
  CHECK_FALSE(one.report.missing_chunks.empty());
  REQUIRE_FALSE(slot.empty());  // progress kept in the slot bytes
  Reassembly two = Reassemble(rest, d.policy, slot, /*resume=*/true);
  REQUIRE(two.resumed.has_value());
  CHECK(*two.resumed == WASMIOT_RX_ACCEPTED);
  CHECK(two.report.final_state == WASMIOT_RX_COMPLETE);
  CHECK(two.report.payload == payload);
  // The largest encoded bundle, and room to decode it.
  CHECK(SlotCapacity(d.policy) == WASMIOT_BUNDLE_ENCODED_TABLE_OFFSET + 16u * WASMIOT_BUNDLE_MAX_CHUNKS + 2 * d.policy.max_payload_size);
}

TEST_CASE("VerifyBundleFile and AssembleFiles: verify and assemble as library calls") {
  Device d;
  TempDir dir;
  Bytes payload = Payload(3000, 22);
  BundleSpec spec;
  spec.payload = payload;
  spec.sequence = 7;
  spec.version = SemanticVersion{1, 0, 0};
  spec.manifest = &Thermostat();
  spec.chunk_size = 256;
  Result<Bytes> bundle = BuildBundle(spec, d.key);
  REQUIRE(bundle.ok());
  WriteBytes(dir.File("b.bundle"), *bundle);
  std::array<uint8_t, 32> pk;
  std::copy(d.pk.begin(), d.pk.end(), pk.begin());
  DeviceChoices choices;
  choices.installed_sequence = 6;
  Diagnostics setup;
  std::unique_ptr<DevicePolicy> device = MakeDevicePolicy({pk}, Thermostat(), choices, setup);
  REQUIRE_FALSE(setup.HasErrors());

  Diagnostics verified;
  VerifyOutcome v = VerifyBundleFile(dir.File("b.bundle"), *device, verified);
  CHECK(v.result == WASMIOT_BUNDLE_OK);
  REQUIRE(v.header);
  CHECK(v.header->sequence == 7);
  choices.installed_sequence = 7;
  std::unique_ptr<DevicePolicy> newer = MakeDevicePolicy({pk}, Thermostat(), choices, setup);
  Diagnostics rollback;
  CHECK(VerifyBundleFile(dir.File("b.bundle"), *newer, rollback).result == WASMIOT_BUNDLE_ROLLBACK);
  CHECK_THAT(DiagnosticsText(rollback), Catch::Contains("sequence 7 is not above the installed 7 [bundle-rollback]"));

  // Half the frames, into a slot file; then the rest resumes from it.
  Result<std::vector<Bytes>> frames = SliceBundle(*bundle);
  REQUIRE(frames.ok());
  Bytes first, rest;
  for (size_t i = 0; i < frames->size(); ++i) {
    Bytes& to = i < frames->size() / 2 ? first : rest;
    to.insert(to.end(), (*frames)[i].begin(), (*frames)[i].end());
  }
  WriteBytes(dir.File("first.stream"), first);
  WriteBytes(dir.File("rest.stream"), rest);
  AssembleRequest request;
  request.input_path = dir.File("first.stream");
  request.output_path = dir.File("out.wasm");
  request.slot_path = dir.File("device.slot");
  Diagnostics partial;
  AssembleOutcome one = AssembleFiles(request, *device, partial);
  CHECK_FALSE(one.complete);
  CHECK_THAT(DiagnosticsText(partial), Catch::Contains("[chunks-incomplete]") && Catch::Contains("[chunks-saved]"));
  CHECK_FALSE(std::filesystem::exists(request.output_path));
  request.input_path = dir.File("rest.stream");
  Diagnostics resumed;
  AssembleOutcome two = AssembleFiles(request, *device, resumed);
  INFO(DiagnosticsText(resumed));
  CHECK(two.complete);
  CHECK(two.resumed == "accepted");
  CHECK(ReadBytes(request.output_path) == payload);

  // An output that is an input is refused before anything is read.
  request.output_path = request.input_path;
  Diagnostics clobber;
  CHECK_FALSE(AssembleFiles(request, *device, clobber).report);
  CHECK(ReadBytes(request.input_path) == rest);
}
