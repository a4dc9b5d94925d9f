// Encoded bundles (format v3) from header to decoded payload: what the header
// binds and how the device library refuses each wrong one, the receiver's
// room check, and wasmiot_decode_bundle in a slot, including a patch for
// another payload refused before anything is written.
#include <cstring>
#include <map>

#include <catch2/catch.hpp>

#include "bundle/bundle.h"
#include "bundle/chunks.h"
#include "bundle/encoded_bundle.h"
#include "support/test_support.h"
#include "wasmiot_decode.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

const Manifest& Thermostat() {
  static const Manifest manifest = [] {
    Diagnostics d;
    Result<Manifest> m = LoadManifest(SourceDir() + "/templates/thermostat/device.json", d);
    REQUIRE(m.ok());
    return std::move(m).value();
  }();
  return manifest;
}

// A payload and a near copy of it: a maintainer's small change.
Bytes OldPayload() { return PseudoRandomBytes(3000, 7); }
Bytes NewPayload() {
  Bytes b = OldPayload();
  b[1200] ^= 0x5A;
  b.insert(b.begin() + 2000, {1, 2, 3, 4, 5, 6, 7, 8});
  return b;
}

struct Fixture {
  Fixture() { REQUIRE(InitCrypto().ok()); }
  SecretKey key = SecretKey::Generate();
  PublicKey pk = key.Public();
  DeviceId device = DeviceIdOf(Thermostat().device);

  Bytes Plain(const Bytes& payload, uint64_t sequence = 7, int kind = WASMIOT_PAYLOAD_AOT, uint32_t chunk = 256) {
    BundleSpec spec;
    spec.payload = payload;
    spec.sequence = sequence;
    spec.kind = kind;
    spec.target = kind == WASMIOT_PAYLOAD_AOT ? "cortex-m4f" : "";
    spec.version = SemanticVersion{1, 2, 3};
    spec.manifest = &Thermostat();
    spec.chunk_size = chunk;
    spec.module_digest = HashSha256(reinterpret_cast<const uint8_t*>("module"), 6);
    Result<Bytes> b = BuildBundle(spec, key);
    REQUIRE(b.ok());
    return std::move(b).value();
  }
  EncodedBundle Encode(const Bytes& plain, const Bytes* base) {
    Result<EncodedBundle> e = EncodeBundle(plain, base, key);
    INFO((e ? "" : e.error().message));
    REQUIRE(e.ok());
    return std::move(e).value();
  }
  wasmiot_device_policy Policy() const {
    wasmiot_device_policy p{};
    p.public_keys = reinterpret_cast<const uint8_t(*)[32]>(pk.data());
    p.public_key_count = 1;
    p.device_id = device.data();
    p.max_payload_size = 1 << 20;
    p.installed_sequence = 6;
    p.encodings = (1u << WASMIOT_ENCODING_COMPRESSED) | (1u << WASMIOT_ENCODING_DELTA);
    return p;
  }
  wasmiot_bundle_result Verify(const Bytes& b, const wasmiot_device_policy& p) const {
    wasmiot_bundle_header h{};
    return wasmiot_bundle_verify(b.data(), b.size(), &HostCrypto(), &p, &h);
  }
  // `b` with its signed header changed by `edit` and signed again.
  Bytes Resigned(Bytes b, const std::function<void(Bytes&)>& edit) const {
    edit(b);
    Ed25519Signature s = SignMessage(key.seed(), b.data(), WASMIOT_BUNDLE_ENCODED_HEADER_SIZE);
    std::copy(s.begin(), s.end(), b.begin() + WASMIOT_BUNDLE_ENCODED_HEADER_SIZE);
    return b;
  }
};

Sha256 Digest(const Bytes& b) { return HashSha256(b.data(), b.size()); }

// A slot in memory that counts its writes and erases, erased bytes 0xFF.
struct CountingSlot {
  explicit CountingSlot(uint32_t capacity) : bytes(capacity, 0xFF) {
    storage.context = this;
    storage.capacity = capacity;
    storage.read = [](void* c, uint32_t at, uint8_t* d, size_t n) {
      auto* s = static_cast<CountingSlot*>(c);
      if (at > s->bytes.size() || n > s->bytes.size() - at) return -1;
      std::memcpy(d, s->bytes.data() + at, n);
      return 0;
    };
    storage.write = [](void* c, uint32_t at, const uint8_t* d, size_t n) {
      auto* s = static_cast<CountingSlot*>(c);
      if (at > s->bytes.size() || n > s->bytes.size() - at) return -1;
      ++s->writes;
      std::memcpy(s->bytes.data() + at, d, n);
      return 0;
    };
    storage.erase = [](void* c, uint32_t at, uint32_t n) {
      auto* s = static_cast<CountingSlot*>(c);
      if (at > s->bytes.size() || n > s->bytes.size() - at) return -1;
      ++s->erases;
      std::memset(s->bytes.data() + at, 0xFF, n);
      return 0;
    };
  }
  Bytes bytes;
  int writes = 0, erases = 0;
  wasmiot_storage storage{};
};

constexpr uint32_t kAlign = 1024;  // the "erase unit" of these slots

// Slots as a device has them after receiving: the active one holding `active`
// (a plain bundle), the inactive one holding `received` at its start.
struct Slots {
  Slots(const Bytes& active, const Bytes& received) : a(64 * 1024), b(64 * 1024) {
    std::copy(active.begin(), active.end(), a.bytes.begin());
    std::copy(received.begin(), received.end(), b.bytes.begin());
  }
  wasmiot_delta_result Decode(const Fixture& f, const Bytes& received, bool with_base = true) {
    wasmiot_bundle_header h{}, active{};
    REQUIRE(wasmiot_bundle_parse_header(received.data(), received.size(), &h) == WASMIOT_BUNDLE_OK);
    REQUIRE(wasmiot_bundle_parse_header(a.bytes.data(), a.bytes.size(), &active) == WASMIOT_BUNDLE_OK);
    wasmiot_decode_config c{};
    c.slot = &b.storage;
    c.align = kAlign;
    c.base = with_base ? &a.storage : nullptr;
    c.base_place = wasmiot_runnable_payload(&active, kAlign);
    c.crypto = &HostCrypto();
    (void)f;
    return wasmiot_decode_bundle(&c, &h);
  }
  Bytes Decoded(const Bytes& received, size_t size) const {
    wasmiot_bundle_header h{};
    REQUIRE(wasmiot_bundle_parse_header(received.data(), received.size(), &h) == WASMIOT_BUNDLE_OK);
    wasmiot_payload_place p = wasmiot_runnable_payload(&h, kAlign);
    REQUIRE(p.size == size);
    return Bytes(b.bytes.begin() + p.offset, b.bytes.begin() + p.offset + p.size);
  }
  CountingSlot a, b;
};

// A receiver over `slot` as a device with 1 KiB erase units configures it.
struct Receiver {
  Receiver(MemorySlot& slot, const wasmiot_device_policy& policy) {
    config.storage = slot.storage();
    config.crypto = &HostCrypto();
    config.policy = &policy;
    config.bitmap = bitmap.data();
    config.bitmap_bytes = static_cast<uint32_t>(bitmap.size());
    config.decode_align = kAlign;
    wasmiot_receiver_init(&rx, &config);
  }
  std::vector<uint8_t> bitmap = std::vector<uint8_t>(64);
  wasmiot_receiver_config config{};
  wasmiot_receiver rx{};
};

}  // namespace

TEST_CASE("encoded bundle: the v3 header binds encoding, decoded size and digest, and the base's digest") {
  Fixture f;
  const Bytes old_plain = f.Plain(OldPayload(), 6), new_plain = f.Plain(NewPayload(), 7);
  const Bytes base = OldPayload();
  EncodedBundle delta = f.Encode(new_plain, &base), compressed = f.Encode(new_plain, nullptr);
  const wasmiot_bundle_header& h = delta.header;
  CHECK(h.format == WASMIOT_BUNDLE_ENCODED_VERSION);
  CHECK(h.header_size == 176);
  CHECK(h.table_offset == 240);
  CHECK(h.encoding == WASMIOT_ENCODING_DELTA);
  CHECK(h.decoded_size == NewPayload().size());
  CHECK(std::memcmp(h.decoded_digest, Digest(NewPayload()).data(), 16) == 0);
  CHECK(std::memcmp(h.base_digest, Digest(base).data(), 16) == 0);
  CHECK(h.sequence == 7);
  CHECK(h.target == WASMIOT_TARGET_CORTEX_M4F);
  // Everything the plain header signed but the payload's size, chunks and table stays.
  CHECK(std::memcmp(delta.bytes.data() + WASMIOT_BUNDLE_OFF_SEQUENCE, new_plain.data() + WASMIOT_BUNDLE_OFF_SEQUENCE,
                    WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE - WASMIOT_BUNDLE_OFF_SEQUENCE) == 0);
  CHECK(std::memcmp(delta.bytes.data() + WASMIOT_BUNDLE_OFF_MEMORY_PAGES, new_plain.data() + WASMIOT_BUNDLE_OFF_MEMORY_PAGES,
                    WASMIOT_BUNDLE_OFF_TABLE_DIGEST - WASMIOT_BUNDLE_OFF_MEMORY_PAGES) == 0);
  CHECK(delta.bytes.size() < 300 + 240);  // a 3 KB payload, two small changes
  CHECK(compressed.header.encoding == WASMIOT_ENCODING_COMPRESSED);
  CHECK(std::all_of(compressed.header.base_digest, compressed.header.base_digest + 16, [](uint8_t b) { return b == 0; }));
  // Deterministic, and the one decoder gives the payloads back.
  CHECK(f.Encode(new_plain, &base).bytes == delta.bytes);
  CHECK(DecodedPayload(delta.bytes, &base).value() == NewPayload());
  CHECK(DecodedPayload(compressed.bytes, nullptr).value() == NewPayload());
  CHECK(DecodedPayload(new_plain, nullptr).value() == NewPayload());
  CHECK_FALSE(DecodedPayload(delta.bytes, nullptr).ok());
  Bytes other = PseudoRandomBytes(3000, 8);
  CHECK_FALSE(DecodedPayload(delta.bytes, &other).ok());
  (void)old_plain;

  wasmiot_device_policy p = f.Policy();
  CHECK(f.Verify(delta.bytes, p) == WASMIOT_BUNDLE_OK);
  p.base_digest = h.base_digest;
  CHECK(f.Verify(delta.bytes, p) == WASMIOT_BUNDLE_OK);
  Sha256 wrong = Digest(other);
  p.base_digest = wrong.data();
  CHECK(f.Verify(delta.bytes, p) == WASMIOT_BUNDLE_WRONG_BASE);
  CHECK(f.Verify(compressed.bytes, p) == WASMIOT_BUNDLE_OK);  // no base to hold
  p.encodings = 1u << WASMIOT_ENCODING_COMPRESSED;
  CHECK(f.Verify(delta.bytes, p) == WASMIOT_BUNDLE_UNSUPPORTED_ENCODING);
  CHECK(f.Verify(compressed.bytes, p) == WASMIOT_BUNDLE_OK);
  p.encodings = 0;  // a device without the decoder
  CHECK(f.Verify(compressed.bytes, p) == WASMIOT_BUNDLE_UNSUPPORTED_ENCODING);
  CHECK(f.Verify(new_plain, p) == WASMIOT_BUNDLE_OK);
  p = f.Policy();
  p.max_payload_size = static_cast<uint32_t>(NewPayload().size()) - 1;  // the stream fits, the payload does not
  CHECK(f.Verify(delta.bytes, p) == WASMIOT_BUNDLE_TOO_LARGE);
}

TEST_CASE("encoded bundle: every header byte is signed, and malformed v3 fields are refused by name") {
  Fixture f;
  const Bytes base = OldPayload();
  const Bytes delta = f.Encode(f.Plain(NewPayload()), &base).bytes;
  const Bytes wasm_delta = f.Encode(f.Plain(NewPayload(), 7, WASMIOT_PAYLOAD_WASM), &base).bytes;
  for (size_t i = WASMIOT_BUNDLE_HEADER_SIZE; i < WASMIOT_BUNDLE_ENCODED_TABLE_OFFSET; ++i) {
    Bytes b = delta;
    b[i] ^= 0x01;
    wasmiot_bundle_result r = f.Verify(b, f.Policy());
    INFO(i);
    CHECK(r != WASMIOT_BUNDLE_OK);
  }
  struct Case {
    const char* what;
    std::function<void(Bytes&)> edit;
  };
  const Case cases[] = {
      {"no encoding", [](Bytes& b) { b[WASMIOT_BUNDLE_OFF_ENCODING] = WASMIOT_ENCODING_NONE; }},
      {"an unknown encoding", [](Bytes& b) { b[WASMIOT_BUNDLE_OFF_ENCODING] = 3; }},
      {"a reserved byte", [](Bytes& b) { b[WASMIOT_BUNDLE_OFF_ENCODING_RESERVED + 2] = 1; }},
      {"a decoded size of 0", [](Bytes& b) { std::memset(b.data() + WASMIOT_BUNDLE_OFF_DECODED_SIZE, 0, 4); }},
      {"compressed with a base",
       [](Bytes& b) { b[WASMIOT_BUNDLE_OFF_ENCODING] = WASMIOT_ENCODING_COMPRESSED; }},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Bytes b = f.Resigned(delta, c.edit);
    wasmiot_bundle_header h{};
    CHECK(wasmiot_bundle_parse_header(b.data(), b.size(), &h) == WASMIOT_BUNDLE_MALFORMED);
    CHECK(f.Verify(b, f.Policy()) == WASMIOT_BUNDLE_MALFORMED);
  }
  // A wasm payload is the module: decoded digest and module digest must agree.
  Bytes b = f.Resigned(wasm_delta, [](Bytes& x) { x[WASMIOT_BUNDLE_OFF_DECODED_DIGEST] ^= 1; });
  CHECK(f.Verify(b, f.Policy()) == WASMIOT_BUNDLE_MALFORMED);
  CHECK(f.Verify(wasm_delta, f.Policy()) == WASMIOT_BUNDLE_OK);
  // Cut short: within the v3 header, and within its signature.
  for (size_t n : {size_t{150}, size_t{200}, size_t{239}}) {
    CHECK(f.Verify(Bytes(delta.begin(), delta.begin() + n), f.Policy()) == WASMIOT_BUNDLE_TRUNCATED);
  }
  // Another version byte is another format, not a v3 header.
  Bytes v4 = delta;
  v4[WASMIOT_BUNDLE_OFF_VERSION] = 4;
  CHECK(f.Verify(v4, f.Policy()) == WASMIOT_BUNDLE_BAD_VERSION);
}

TEST_CASE("encoded bundle: the tool refuses what it cannot encode honestly") {
  Fixture f;
  const Bytes plain = f.Plain(NewPayload());
  SecretKey other = SecretKey::Generate();
  Result<EncodedBundle> wrong_key = EncodeBundle(plain, nullptr, other);
  REQUIRE_FALSE(wrong_key.ok());
  CHECK_THAT(wrong_key.error().message, Catch::Contains("signed with key"));
  const Bytes encoded = f.Encode(plain, nullptr).bytes;
  Result<EncodedBundle> twice = EncodeBundle(encoded, nullptr, f.key);
  REQUIRE_FALSE(twice.ok());
  CHECK_THAT(twice.error().message, Catch::Contains("encoded already"));
  Bytes broken = plain;
  broken.back() ^= 1;
  CHECK_FALSE(EncodeBundle(broken, nullptr, f.key).ok());
  Bytes empty;
  CHECK_FALSE(EncodeBundle(plain, &empty, f.key).ok());
}

TEST_CASE("encoded bundle: the receiver takes a 240-byte header frame and holds bundle and decoded payload to the slot") {
  Fixture f;
  const Bytes base = OldPayload();
  const Bytes delta = f.Encode(f.Plain(NewPayload()), &base).bytes;
  Result<std::vector<Bytes>> frames = SliceBundle(delta);
  REQUIRE(frames.ok());
  CHECK((*frames)[0].size() == WASMIOT_FRAME_HEADER_SIZE + 240);
  wasmiot_device_policy p = f.Policy();
  Sha256 base_digest = Digest(base);
  p.base_digest = base_digest.data();
  wasmiot_bundle_layout layout{};
  {
    wasmiot_bundle_header h{};
    REQUIRE(wasmiot_bundle_parse_header(delta.data(), delta.size(), &h) == WASMIOT_BUNDLE_OK);
    layout = wasmiot_bundle_layout_of(&h);
  }
  const uint32_t needed = static_cast<uint32_t>(wasmiot_align_up(wasmiot_bundle_end(&layout), kAlign) + NewPayload().size());
  for (uint32_t capacity : {needed - 1, needed}) {
    MemorySlot slot(capacity);
    Receiver r(slot, p);
    wasmiot_receiver& rx = r.rx;
    wasmiot_rx_result last = WASMIOT_RX_IDLE;
    for (const Bytes& frame : *frames) last = wasmiot_receiver_accept(&rx, frame.data(), frame.size(), 0);
    INFO(capacity);
    if (capacity < needed) {
      CHECK(rx.refusal == WASMIOT_BUNDLE_TOO_LARGE);
      CHECK(slot.bytes().empty());
    } else {
      CHECK(last == WASMIOT_RX_COMPLETE);
      CHECK(Bytes(slot.bytes().begin(), slot.bytes().begin() + delta.size()) == delta);
      // Resuming finds it whole again.
      uint8_t scratch[WASMIOT_BUNDLE_MAX_TABLE_OFFSET];
      CHECK(wasmiot_receiver_resume(&rx, scratch, 0) == WASMIOT_RX_COMPLETE);
    }
  }
  // A header frame whose length is not its version's is malformed.
  Bytes cut = (*frames)[0];
  cut.resize(WASMIOT_FRAME_HEADER_SIZE + 200);
  cut[WASMIOT_FRAME_OFF_LENGTH] = 200;
  cut[WASMIOT_FRAME_OFF_LENGTH + 1] = 0;
  MemorySlot slot(1 << 16);
  Receiver r(slot, p);
  wasmiot_receiver& rx = r.rx;
  CHECK(wasmiot_receiver_accept(&rx, cut.data(), cut.size(), 0) == WASMIOT_RX_MALFORMED);
  // A patch for another payload is refused at its header: nothing stored.
  Sha256 other = Digest(PseudoRandomBytes(3000, 9));
  p.base_digest = other.data();
  CHECK(wasmiot_receiver_accept(&rx, (*frames)[0].data(), (*frames)[0].size(), 0) == WASMIOT_RX_REFUSED);
  CHECK(rx.refusal == WASMIOT_BUNDLE_WRONG_BASE);
  CHECK(slot.bytes().empty());
}

TEST_CASE("encoded bundle: decoding in the slot gives the payload, checked against its signed digest") {
  Fixture f;
  const Bytes old_plain = f.Plain(OldPayload(), 6);
  const Bytes base = OldPayload();
  const Bytes delta = f.Encode(f.Plain(NewPayload()), &base).bytes;
  const Bytes compressed = f.Encode(f.Plain(NewPayload()), nullptr).bytes;

  Slots s(old_plain, delta);
  const Bytes active_before = s.a.bytes;
  CHECK(s.Decode(f, delta) == WASMIOT_DELTA_OK);
  CHECK(s.Decoded(delta, NewPayload().size()) == NewPayload());
  CHECK(s.a.bytes == active_before);  // the base is only read
  CHECK(s.a.writes == 0);
  CHECK(s.a.erases == 0);
  // Called again (a restart after a finished decode): nothing is written.
  const int writes = s.b.writes, erases = s.b.erases;
  CHECK(s.Decode(f, delta) == WASMIOT_DELTA_OK);
  CHECK(s.b.writes == writes);
  CHECK(s.b.erases == erases);

  Slots c(old_plain, compressed);
  CHECK(c.Decode(f, compressed, /*with_base=*/false) == WASMIOT_DELTA_OK);
  CHECK(c.Decoded(compressed, NewPayload().size()) == NewPayload());

  // Another payload in the active slot: refused before anything is written.
  Slots wrong(f.Plain(PseudoRandomBytes(3000, 9), 6), delta);
  const Bytes before = wrong.b.bytes;
  CHECK(wrong.Decode(f, delta) == WASMIOT_DELTA_WRONG_BASE);
  CHECK(wrong.b.bytes == before);
  CHECK(wrong.b.writes == 0);
  Slots none(old_plain, delta);
  CHECK(none.Decode(f, delta, /*with_base=*/false) == WASMIOT_DELTA_WRONG_BASE);
  CHECK(none.b.writes == 0);

  // A stream damaged in the slot (after the receiver checked it) never gives
  // another payload: the applier refuses it, or the digest does. (A flip in
  // the coder's last bytes may change no decision: then it decodes right.)
  std::map<wasmiot_delta_result, int> seen;
  wasmiot_bundle_header h{};
  REQUIRE(wasmiot_bundle_parse_header(delta.data(), delta.size(), &h) == WASMIOT_BUNDLE_OK);
  wasmiot_bundle_layout layout = wasmiot_bundle_layout_of(&h);
  for (uint32_t i = 0; i < h.payload_size; ++i) {
    Bytes damaged = delta;
    damaged[wasmiot_bundle_payload_offset(&layout) + i] ^= 0x10;
    Slots d(old_plain, damaged);
    wasmiot_delta_result r = d.Decode(f, damaged);
    if (r == WASMIOT_DELTA_OK) CHECK(d.Decoded(damaged, NewPayload().size()) == NewPayload());
    ++seen[r];
  }
  CHECK(seen[WASMIOT_DELTA_OK] <= 2);
  CHECK(seen.size() >= 3);

  // A plain bundle has nothing to decode.
  Slots plain(old_plain, old_plain);
  CHECK(plain.Decode(f, old_plain) == WASMIOT_DELTA_NOT_ENCODED);
}
