// Delta streams (docs/delta.md): the C++ encoder's output applied by the
// device's C applier (lib/device/wasmiot_delta.c) gives the new payload back,
// in pieces of any size; hostile streams are refused with their own code,
// never write outside the new payload's range and never write the old one.
// Hand-written streams are op-layer hex, coded with CodeOps (the encoder's
// coding layer) unless a case is about the coded bytes themselves.
#include <cstring>
#include <random>

#include <catch2/catch.hpp>

#include "bundle/delta.h"
#include "bundle/device_policy.h"
#include "support/test_support.h"
#include "support/text.h"
#include "wasmiot_delta.h"

using namespace wasmiot;
using namespace wasmiot::test;

namespace {

// A storage in memory that records every write and any misuse.
struct MemoryStorage {
  explicit MemoryStorage(Bytes initial, bool may_write = true) : bytes(std::move(initial)), writable(may_write) {
    storage.context = this;
    storage.capacity = static_cast<uint32_t>(bytes.size());
    storage.read = [](void* c, uint32_t offset, uint8_t* data, size_t size) {
      auto* self = static_cast<MemoryStorage*>(c);
      if (uint64_t{offset} + size > self->bytes.size()) return ++self->misuse, -1;
      std::memcpy(data, self->bytes.data() + offset, size);
      return 0;
    };
    storage.write = [](void* c, uint32_t offset, const uint8_t* data, size_t size) {
      auto* self = static_cast<MemoryStorage*>(c);
      if (!self->writable || uint64_t{offset} + size > self->bytes.size()) return ++self->misuse, -1;
      if (self->fail_writes) return -1;
      std::memcpy(self->bytes.data() + offset, data, size);
      self->writes.push_back({offset, static_cast<uint32_t>(size)});
      return 0;
    };
    storage.erase = nullptr;
  }
  Bytes bytes;
  bool writable;
  bool fail_writes = false;
  int misuse = 0;
  std::vector<std::pair<uint32_t, uint32_t>> writes;
  wasmiot_storage storage{};
};

constexpr uint32_t kOldOffset = 24;  // the payloads sit at offsets, as in a slot
constexpr uint32_t kNewOffset = 40;
constexpr uint8_t kUnwritten = 0xEE;

struct Applied {
  wasmiot_delta_result result = WASMIOT_DELTA_OK;
  Bytes produced;
  Bytes new_region_after;  // the bytes around the new payload: must stay unwritten
  int misuse = 0;
  std::vector<std::pair<uint32_t, uint32_t>> writes;
};

// Applies `stream` to `old` in pieces of `piece` bytes (0: at once).
Applied Apply(const Bytes& old, const Bytes& stream, uint32_t new_size, size_t piece = 0) {
  Bytes old_region(kOldOffset + old.size() + 16, 0x22);
  std::fill(old_region.begin(), old_region.begin() + kOldOffset, 0x11);
  std::copy(old.begin(), old.end(), old_region.begin() + kOldOffset);
  MemoryStorage old_storage(old_region, /*writable=*/false);
  MemoryStorage new_storage(Bytes(kNewOffset + new_size + 32, kUnwritten));
  wasmiot_delta_config config{&old_storage.storage, kOldOffset, static_cast<uint32_t>(old.size()),
                              &new_storage.storage, kNewOffset, new_size};
  wasmiot_delta delta;
  Applied a;
  a.result = wasmiot_delta_begin(&delta, &config);
  if (a.result == WASMIOT_DELTA_OK) {
    size_t step = piece ? piece : std::max<size_t>(stream.size(), 1);
    for (size_t at = 0; at < stream.size() && a.result == WASMIOT_DELTA_OK; at += step) {
      a.result = wasmiot_delta_feed(&delta, stream.data() + at, std::min(step, stream.size() - at));
    }
    if (a.result == WASMIOT_DELTA_OK) a.result = wasmiot_delta_finish(&delta);
  }
  a.produced.assign(new_storage.bytes.begin() + kNewOffset, new_storage.bytes.begin() + kNewOffset + new_size);
  a.new_region_after.assign(new_storage.bytes.begin(), new_storage.bytes.begin() + kNewOffset);
  a.new_region_after.insert(a.new_region_after.end(), new_storage.bytes.begin() + kNewOffset + new_size,
                            new_storage.bytes.end());
  a.misuse = old_storage.misuse + new_storage.misuse;
  a.writes = new_storage.writes;
  CHECK(old_storage.bytes == old_region);  // never written
  return a;
}

Bytes Encode(const Bytes& base, const Bytes& target, DeltaStats* stats = nullptr) {
  Result<Bytes> stream = EncodeDelta(base, target, stats);
  REQUIRE(stream.ok());
  return std::move(stream).value();
}

void ExpectRoundTrip(const Bytes& base, const Bytes& target) {
  Bytes stream = Encode(base, target);
  for (size_t piece : {size_t{0}, size_t{1}, size_t{7}, size_t{64}, size_t{1000}}) {
    INFO("piece " << piece << ", old " << base.size() << ", new " << target.size() << ", stream " << stream.size());
    Applied a = Apply(base, stream, static_cast<uint32_t>(target.size()), piece);
    REQUIRE(a.result == WASMIOT_DELTA_OK);
    CHECK(a.produced == target);
    CHECK(a.misuse == 0);
    CHECK(std::all_of(a.new_region_after.begin(), a.new_region_after.end(), [](uint8_t b) { return b == kUnwritten; }));
    // Front to back in whole 64-byte blocks, but the last.
    uint32_t next = kNewOffset;
    for (size_t w = 0; w < a.writes.size(); ++w) {
      CHECK(a.writes[w].first == next);
      if (w + 1 < a.writes.size()) CHECK(a.writes[w].second == WASMIOT_DELTA_BLOCK);
      next += a.writes[w].second;
    }
    CHECK(next == kNewOffset + target.size());
  }
}

Bytes Random(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  Bytes b(n);
  for (uint8_t& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// A payload like code: a module's bytes repeated with variations (about 30 KB).
Bytes CodeLike() {
  Bytes module = WatToWasm(ReadText(DataDir() + "/modules/thermostat.wat"));
  Bytes out;
  for (uint32_t copy = 0; out.size() < 30000; ++copy) {
    Bytes part = module;
    for (size_t i = 0; i < part.size(); i += 97) part[i] = static_cast<uint8_t>(part[i] + copy);
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// Hex with spaces between bytes.
Bytes Hex(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c != ' ') digits += c;
  }
  std::optional<std::vector<uint8_t>> bytes = ParseHex(digits);
  REQUIRE(bytes);
  return *bytes;
}

// Op-layer hex, coded as the encoder codes it.
Bytes Coded(std::string_view ops) { return CodeOps(Hex(ops)); }

}  // namespace

TEST_CASE("delta: what the encoder writes, the device's applier turns back into the new payload") {
  Bytes code = CodeLike();
  Bytes changed_constant = code;
  changed_constant[code.size() / 2] ^= 0x5A;
  Bytes inserted = code;
  Bytes function = Random(300, 1);
  inserted.insert(inserted.begin() + 12345, function.begin(), function.end());
  Bytes deleted = code;
  deleted.erase(deleted.begin() + 1000, deleted.begin() + 1700);
  Bytes appended = code;
  appended.insert(appended.end(), function.begin(), function.end());

  ExpectRoundTrip({}, code);  // compressed
  ExpectRoundTrip(code, code);
  ExpectRoundTrip(code, changed_constant);
  ExpectRoundTrip(code, inserted);
  ExpectRoundTrip(code, deleted);
  ExpectRoundTrip(code, appended);
  ExpectRoundTrip(inserted, code);
  ExpectRoundTrip(code, Random(5000, 2));  // nothing in common
  ExpectRoundTrip(Random(5000, 3), Random(5000, 3));
  ExpectRoundTrip({}, Random(3000, 4));    // incompressible
  ExpectRoundTrip({}, Bytes(100000, 0));   // one long run
  ExpectRoundTrip(code, {});
  ExpectRoundTrip({}, {});
  ExpectRoundTrip({}, Bytes{1, 2, 3});
  ExpectRoundTrip(Bytes{1, 2, 3}, Bytes{1, 2, 3, 4});
}

TEST_CASE("delta: small changes make small streams, and repeats compress") {
  Bytes code = CodeLike();
  Bytes changed = code;
  changed[code.size() / 2] ^= 0x5A;
  DeltaStats stats;
  Bytes stream = Encode(code, changed, &stats);
  CHECK(stream.size() <= 24);  // copy, one byte, copy
  CHECK(stats.copied_old == code.size() - 1);
  CHECK(Encode(code, code).size() <= 12);  // the coder's 5 start bytes, a copy, END
  CHECK(Encode({}, Bytes(100000, 0)).size() <= 16);
  Bytes compressed = Encode({}, code, &stats);
  CHECK(compressed.size() < code.size() / 2);
  CHECK(stats.copied_old == 0);
  // Deterministic.
  CHECK(Encode(code, changed) == stream);
}

TEST_CASE("delta: COPY_NEW repeats overlapping bytes and reads back what was written") {
  // INSERT 'a', then COPY_NEW 100 from 1 back: a run of 101 'a' across two blocks.
  Applied run = Apply({}, Coded("00 61 bf 21 00 ff"), 101);
  REQUIRE(run.result == WASMIOT_DELTA_OK);
  CHECK(run.produced == Bytes(101, 'a'));
  // 70 literal bytes, then a copy of all 70: its first bytes were already written to storage.
  Bytes literals = Random(70, 5);
  Bytes stream = Hex("3f 06");  // INSERT 64 + 6
  stream.insert(stream.end(), literals.begin(), literals.end());
  stream.insert(stream.end(), {0xbf, 0x03, 0x45, 0xff});  // COPY_NEW 67 + 3, distance 69 + 1; END
  Applied copy = Apply({}, CodeOps(stream), 140);
  REQUIRE(copy.result == WASMIOT_DELTA_OK);
  Bytes expected = literals;
  expected.insert(expected.end(), literals.begin(), literals.end());
  CHECK(copy.produced == expected);
}

TEST_CASE("delta: hostile streams are refused with their own code and write nothing outside the new payload") {
  Bytes old = Random(10, 6);
  struct Case {
    const char* what;
    const char* stream;  // hex
    uint32_t new_size;
    wasmiot_delta_result result;
  };
  const Case cases[] = {
      {"a reserved op", "c0 ff", 4, WASMIOT_DELTA_MALFORMED},
      {"another reserved op", "fe", 4, WASMIOT_DELTA_MALFORMED},
      {"a copy past the old payload's end", "40 0e ff", 4, WASMIOT_DELTA_OLD_RANGE},     // 7..11 of 10
      {"a copy before the old payload's start", "40 01 ff", 4, WASMIOT_DELTA_OLD_RANGE},  // from -1
      {"a cursor move past 2^31", "40 fe ff ff ff 0f ff", 4, WASMIOT_DELTA_OLD_RANGE},
      {"a copy from before the output", "00 61 80 01 ff", 5, WASMIOT_DELTA_NEW_RANGE},   // 2 back of 1
      {"the largest distance", "00 61 80 ff ff ff ff 0f ff", 5, WASMIOT_DELTA_NEW_RANGE},
      {"an insert past the new size", "02 61 62 63 ff", 2, WASMIOT_DELTA_TOO_LONG},
      {"a copy past the new size", "40 00 ff", 3, WASMIOT_DELTA_TOO_LONG},
      {"an extended length past the new size", "3f ff ff ff ff 0f ff", 100, WASMIOT_DELTA_TOO_LONG},
      {"END before the payload is whole", "02 61 62 63 ff", 5, WASMIOT_DELTA_TOO_SHORT},
      {"END at once", "ff", 1, WASMIOT_DELTA_TOO_SHORT},
      {"a varint of six bytes", "3f 80 80 80 80 80 00 ff", 100, WASMIOT_DELTA_MALFORMED},
      {"a varint over 32 bits", "3f 80 80 80 80 10 ff", 100, WASMIOT_DELTA_MALFORMED},
      {"an op after the payload is whole", "00 61 00 62 ff", 1, WASMIOT_DELTA_TOO_LONG},
      {"ops after END", "00 61 ff 00 62", 1, WASMIOT_DELTA_MALFORMED},  // coded bytes after END
  };
  for (const Case& c : cases) {
    INFO(c.what);
    for (size_t piece : {size_t{0}, size_t{1}}) {
      Applied a = Apply(old, Coded(c.stream), c.new_size, piece);
      CHECK(wasmiot_delta_result_name(a.result) == std::string(wasmiot_delta_result_name(c.result)));
      CHECK(a.misuse == 0);
      CHECK(std::all_of(a.new_region_after.begin(), a.new_region_after.end(),
                        [](uint8_t b) { return b == kUnwritten; }));
    }
  }
}

TEST_CASE("delta: the coded bytes themselves: the coder's start, a stream cut anywhere, bytes after END") {
  Bytes old = Random(10, 6);
  auto result = [&](const Bytes& coded, uint32_t new_size, size_t piece) {
    Applied a = Apply(old, coded, new_size, piece);
    CHECK(a.misuse == 0);
    CHECK(std::all_of(a.new_region_after.begin(), a.new_region_after.end(), [](uint8_t b) { return b == kUnwritten; }));
    return a.result;
  };
  CHECK(result({}, 1, 0) == WASMIOT_DELTA_TRUNCATED);                 // no coded byte at all
  CHECK(result(Hex("00 00 00"), 1, 0) == WASMIOT_DELTA_TRUNCATED);    // the coder's start cut
  CHECK(result(Hex("01 00 00 00 00 00"), 1, 1) == WASMIOT_DELTA_MALFORMED);  // the start byte is 0
  // A real stream cut at every length, fed at once and byte by byte: never OK.
  const Bytes target = Random(300, 9);
  const Bytes stream = Encode(old, target);
  for (size_t cut = 0; cut < stream.size(); ++cut) {
    INFO("cut at " << cut << " of " << stream.size());
    for (size_t piece : {size_t{0}, size_t{1}}) {
      CHECK(result(Bytes(stream.begin(), stream.begin() + cut), 300, piece) != WASMIOT_DELTA_OK);
    }
  }
  // A coded byte after END.
  Bytes longer = stream;
  longer.push_back(0);
  for (size_t piece : {size_t{0}, size_t{1}}) CHECK(result(longer, 300, piece) == WASMIOT_DELTA_MALFORMED);
  CHECK(result(stream, 300, 0) == WASMIOT_DELTA_OK);
}

TEST_CASE("delta: a failed applier takes nothing more, and sizes outside storage and storage errors are refused") {
  MemoryStorage old_storage(Bytes(16, 1), false);
  MemoryStorage new_storage(Bytes(128, 0));
  wasmiot_delta delta;
  wasmiot_delta_config config{&old_storage.storage, 0, 16, &new_storage.storage, 0, 128};
  REQUIRE(wasmiot_delta_begin(&delta, &config) == WASMIOT_DELTA_OK);
  const uint8_t not_a_start = 0xc0, insert[] = {0x00, 0x61};
  CHECK(wasmiot_delta_feed(&delta, &not_a_start, 1) == WASMIOT_DELTA_MALFORMED);
  CHECK(wasmiot_delta_feed(&delta, insert, 2) == WASMIOT_DELTA_FAILED);
  CHECK(wasmiot_delta_finish(&delta) == WASMIOT_DELTA_FAILED);
  CHECK(new_storage.writes.empty());

  for (wasmiot_delta_config bad : {wasmiot_delta_config{&old_storage.storage, 1, 16, &new_storage.storage, 0, 8},
                                   wasmiot_delta_config{&old_storage.storage, 0, 16, &new_storage.storage, 64, 65},
                                   wasmiot_delta_config{nullptr, 0, 1, &new_storage.storage, 0, 8},
                                   wasmiot_delta_config{&old_storage.storage, 0, 16, nullptr, 0, 8},
                                   wasmiot_delta_config{nullptr, 0, 0x80000000u, &new_storage.storage, 0, 8}}) {
    CHECK(wasmiot_delta_begin(&delta, &bad) == WASMIOT_DELTA_BAD_SIZES);
    CHECK(wasmiot_delta_feed(&delta, insert, 2) == WASMIOT_DELTA_FAILED);
  }

  new_storage.fail_writes = true;
  config.new_size = 101;
  REQUIRE(wasmiot_delta_begin(&delta, &config) == WASMIOT_DELTA_OK);
  const Bytes run = Coded("00 61 bf 21 00 ff");
  wasmiot_delta_result r = wasmiot_delta_feed(&delta, run.data(), run.size());
  if (r == WASMIOT_DELTA_OK) r = wasmiot_delta_finish(&delta);  // the copy may wait for the last coded bytes
  CHECK(r == WASMIOT_DELTA_STORAGE_ERROR);
}

TEST_CASE("delta: the applier's RAM is under 800 bytes: its models, a block, a queue and a few words") {
  CHECK(sizeof(wasmiot_delta) <= 800);
  CHECK(sizeof(wasmiot_delta) <= WASMIOT_DELTA_MODEL_BYTES + WASMIOT_DELTA_BLOCK + WASMIOT_DELTA_QUEUE + 80);
  CHECK(EncodeDelta(Bytes(kMaxAotPayload + 1, 0), {}).ok() == false);
}

TEST_CASE("delta: the example in docs/delta.md") {
  Bytes old(16);
  for (uint8_t i = 0; i < 16; ++i) old[i] = i;
  Bytes expected = old;
  expected[8] = 0xff;
  const Bytes coded = Hex("00 44 00 00 7e 4b ff 0e 11 8e 80");
  CHECK(Coded("44 00 00 ff 43 02 ff") == coded);  // the op layer, then its coding
  Applied a = Apply(old, coded, 16);
  REQUIRE(a.result == WASMIOT_DELTA_OK);
  CHECK(a.produced == expected);
  CHECK(Encode(old, expected) == coded);
}
