// The simulated device's state file, and installing an update into its
// inactive slot with the device library: verified before it is pending,
// refused when replayed or foreign, and a power cut at every flash operation
// of an install never touches the active slot, never leaves an unverified
// slot pending, and the install then completes.
#include <catch2/catch.hpp>

#include "bundle/encoded_bundle.h"
#include "devsim/device_install.h"
#include "support/text.h"
#include "device_lab.h"

namespace wasmiot {
namespace {

using test::Thermostat;

struct Lab : test::DeviceLab {
  std::vector<SourcedFrame> Frames(uint64_t sequence, const Manifest& manifest = Thermostat(), uint8_t seed = 1) {
    return DeviceLab::Frames(test::PseudoRandomBytes(3000, seed), sequence, manifest, 512);
  }
  void Confirm() {
    FlashModel flash(state.geometry, state.flash);
    wasmiot_slots slots;
    REQUIRE(wasmiot_slots_open(&slots, &flash.flash()) == WASMIOT_SLOTS_OK);
    const uint8_t id[WASMIOT_SLOTS_ID_SIZE] = {1};
    REQUIRE(wasmiot_slots_confirm(&slots, id) == WASMIOT_SLOTS_OK);
    state.flash = flash.contents();
  }
};

TEST_CASE("device state: what init writes reads back, and every bad field is refused at its offset") {
  Lab lab;
  Bytes file = EncodeDeviceState(lab.state);
  Diagnostics d;
  Result<DeviceState> back = DecodeDeviceState(file, "dev.state", d);
  REQUIRE(back.ok());
  CHECK(back->manifest_text == lab.state.manifest_text);
  CHECK(back->keys == lab.state.keys);
  CHECK(back->flash == lab.state.flash);
  CHECK(back->geometry.sector_size == 1024);
  auto refused = [](Bytes bad) {
    Diagnostics why;
    CHECK_FALSE(DecodeDeviceState(bad, "dev.state", why).ok());
    REQUIRE(why.list().size() == 1);
    CHECK(why.list()[0].code == "device-state-invalid");
    return std::to_string(why.list()[0].offset.value_or(999999)) + ": " + why.list()[0].message;
  };
  auto with_u32 = [&](size_t at, uint32_t v) {
    Bytes b = file;
    for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
    return b;
  };
  CHECK(refused(Bytes(file.begin(), file.begin() + 20)) ==
        "20: 20 bytes, shorter than the 32-byte header of a device state (made by `wasmiot device init`)");
  Bytes magic = file;
  magic[0] = 'X';
  CHECK_THAT(refused(magic), Catch::StartsWith("0: not a device state"));
  CHECK(refused(with_u32(8, 2)) == "8: device state version 2: this wasmiot reads version 1");
  CHECK(refused(with_u32(16, 1000)) == "16: sector size 1000: a power of two from 256 to 65536");
  CHECK(refused(with_u32(20, 128)) == "20: write unit 128: a power of two from 1 to 64");
  CHECK_THAT(refused(with_u32(12, 0xffffffffu)), Catch::StartsWith("12: flash size 4294967295: whole sectors"));
  CHECK_THAT(refused(with_u32(24, 0x7fffffffu)), Catch::StartsWith("24: a manifest of 2147483647 bytes"));
  CHECK(refused(with_u32(28, 0)) == "28: 0 public keys: 1 to 8");
  CHECK(refused(with_u32(28, 9)) == "28: 9 public keys: 1 to 8");
  Bytes cut(file.begin(), file.end() - 1);
  CHECK_THAT(refused(cut), Catch::EndsWith("cut short"));
  Bytes longer = file;
  longer.push_back(0);
  CHECK_THAT(refused(longer), Catch::EndsWith("more after the flash"));
}

TEST_CASE("device install: a verified bundle goes pending in the inactive slot, a replay or a foreign one never") {
  Lab lab;
  Result<InstallOutcome> first = InstallFrames(lab.state, Thermostat(), lab.Frames(7), std::nullopt);
  REQUIRE(first.ok());
  CHECK(first->pending);
  CHECK(first->slot == 0);
  CHECK(first->sequence == 7);
  CHECK(lab.Slots().pending == 0);
  CHECK(lab.Slots().pending_sequence == 7);
  lab.Confirm();
  CHECK(lab.Slots().counter == 7);
  // The same bundle again, or an older one: refused before any payload.
  for (uint64_t sequence : {7, 5}) {
    Result<InstallOutcome> replay = InstallFrames(lab.state, Thermostat(), lab.Frames(sequence), std::nullopt);
    REQUIRE(replay.ok());
    CHECK_FALSE(replay->pending);
    CHECK(replay->refusal == WASMIOT_BUNDLE_ROLLBACK);
  }
  // A bundle for another device class.
  Manifest other = Thermostat();
  other.device.device_class = "another-class";
  Result<InstallOutcome> foreign = InstallFrames(lab.state, Thermostat(), lab.Frames(9, other), std::nullopt);
  REQUIRE(foreign.ok());
  CHECK_FALSE(foreign->pending);
  CHECK(foreign->refusal == WASMIOT_BUNDLE_WRONG_DEVICE);
  CHECK(lab.Slots().pending == WASMIOT_SLOT_NONE);
  // Frames of two newer bundles interleaved: the slot ends up with one whole, verified bundle or none.
  std::vector<SourcedFrame> a = lab.Frames(10, Thermostat(), 2), b = lab.Frames(11, Thermostat(), 3), mixed;
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size()) mixed.push_back(a[i]);
    if (i < b.size()) mixed.push_back(b[i]);
  }
  Result<InstallOutcome> interleaved = InstallFrames(lab.state, Thermostat(), mixed, std::nullopt);
  REQUIRE(interleaved.ok());
  if (interleaved->pending) CHECK((interleaved->sequence == 10 || interleaved->sequence == 11));
  CHECK(lab.Slots().active == 0);
}

TEST_CASE("device install power-cut: cut at every flash operation, the active slot is untouched and the install completes") {
  Lab lab;
  REQUIRE(InstallFrames(lab.state, Thermostat(), lab.Frames(7), std::nullopt)->pending);
  lab.Confirm();
  const DeviceState confirmed = lab.state;
  FlashModel view(confirmed.geometry, confirmed.flash);
  wasmiot_slots layout;
  REQUIRE(wasmiot_slots_open(&layout, &view.flash()) == WASMIOT_SLOTS_OK);
  auto active_slot = [&](const Bytes& flash) {
    return Bytes(flash.begin() + layout.slot_offset[0], flash.begin() + layout.slot_offset[0] + layout.slot_size);
  };
  const std::vector<SourcedFrame> update = lab.Frames(8, Thermostat(), 4);
  DeviceState uncut = confirmed;
  Result<InstallOutcome> whole = InstallFrames(uncut, Thermostat(), update, std::nullopt);
  REQUIRE(whole.ok());
  REQUIRE(whole->pending);
  const uint64_t operations = whole->flash.operations;
  for (uint64_t cut = 1; cut <= operations; ++cut) {
    INFO("cut at flash operation " << cut << " of " << operations);
    lab.state = confirmed;
    Result<InstallOutcome> broken = InstallFrames(lab.state, Thermostat(), update, cut);
    REQUIRE(broken.ok());
    CHECK(broken->flash.power_cut);
    CHECK(broken->flash.misuse.empty());
    CHECK(active_slot(lab.state.flash) == active_slot(confirmed.flash));
    wasmiot_slots_state after = lab.Slots();
    CHECK(after.active == 0);
    CHECK(after.counter == 7);
    // Pending only once the whole bundle was verified: the last operation is the record saying so.
    CHECK((after.pending == WASMIOT_SLOT_NONE || cut == operations));
    Result<InstallOutcome> again = InstallFrames(lab.state, Thermostat(), update, std::nullopt);
    REQUIRE(again.ok());
    CHECK(again->pending);
    CHECK(lab.Slots().pending == 1);
    CHECK(lab.Slots().pending_sequence == 8);
    CHECK(active_slot(lab.state.flash) == active_slot(confirmed.flash));
  }
  std::printf("device install power-cut: %llu cut points tried\n", static_cast<unsigned long long>(operations));
}

// `encoded`'s header (a format 3 bundle) over another stream, signed again:
// what a signer's bug or a stolen key could send.
Bytes WithStream(const Bytes& encoded, const Bytes& stream, const SecretKey& key) {
  wasmiot_bundle_header h{};
  REQUIRE(wasmiot_bundle_parse_header(encoded.data(), encoded.size(), &h) == WASMIOT_BUNDLE_OK);
  Bytes b(encoded.begin(), encoded.begin() + WASMIOT_BUNDLE_ENCODED_HEADER_SIZE);
  const uint32_t size = static_cast<uint32_t>(stream.size()), chunks = (size + h.chunk_size - 1) / h.chunk_size;
  for (int i = 0; i < 4; ++i) b[WASMIOT_BUNDLE_OFF_PAYLOAD_SIZE + i] = static_cast<uint8_t>(size >> (8 * i));
  b[WASMIOT_BUNDLE_OFF_CHUNK_COUNT] = static_cast<uint8_t>(chunks);
  b[WASMIOT_BUNDLE_OFF_CHUNK_COUNT + 1] = static_cast<uint8_t>(chunks >> 8);
  Bytes table = ChunkTable(stream, h.chunk_size);
  Sha256 digest = HashSha256(table.data(), table.size());
  std::copy(digest.begin(), digest.begin() + 16, b.begin() + WASMIOT_BUNDLE_OFF_TABLE_DIGEST);
  Ed25519Signature signature = SignMessage(key.seed(), b.data(), b.size());
  b.insert(b.end(), signature.begin(), signature.end());
  b.insert(b.end(), table.begin(), table.end());
  b.insert(b.end(), stream.begin(), stream.end());
  return b;
}

void PutVarint(Bytes& b, uint32_t v) {
  for (; v >= 0x80; v >>= 7) b.push_back(static_cast<uint8_t>(v | 0x80));
  b.push_back(static_cast<uint8_t>(v));
}

// The op layer of an INSERT of `n` zero bytes (n >= 64), or only its op when `literals` is false.
Bytes InsertZeros(uint32_t n, bool literals = true) {
  Bytes b{0x3F};
  PutVarint(b, n - 64);
  if (literals) b.resize(b.size() + n, 0);
  return b;
}

TEST_CASE("device install: a signed delta with a hostile stream is refused at decoding and never pending") {
  Lab lab;
  const Bytes old_payload = test::PseudoRandomBytes(3000, 1);  // what lab.Frames(7) carries
  REQUIRE(InstallFrames(lab.state, Thermostat(), lab.Frames(7), std::nullopt)->pending);
  lab.Confirm();
  const DeviceState confirmed = lab.state;
  Bytes new_payload = old_payload;
  new_payload[100] ^= 1;
  Result<EncodedBundle> good = EncodeBundle(lab.Bundle(new_payload, 8, Thermostat(), 512), &old_payload, lab.key);
  REQUIRE(good.ok());
  const uint32_t n = static_cast<uint32_t>(new_payload.size());
  auto ended = [](Bytes ops) {  // the op layer with END, coded
    ops.push_back(WASMIOT_DELTA_OP_END_BYTE);
    return CodeOps(ops);
  };
  Bytes far_copy{0x40};  // COPY_OLD of 4 bytes, 100000 past the cursor
  PutVarint(far_copy, 200000);
  Bytes cut = good->bytes;  // the honest stream, its last coded bytes gone
  {
    wasmiot_bundle_header h{};
    REQUIRE(wasmiot_bundle_parse_header(cut.data(), cut.size(), &h) == WASMIOT_BUNDLE_OK);
    cut.erase(cut.begin(), cut.end() - h.payload_size);
    cut.resize(cut.size() - 3);
  }
  const std::pair<Bytes, wasmiot_delta_result> cases[] = {
      {ended(far_copy), WASMIOT_DELTA_OLD_RANGE},
      {ended(Bytes{0x80, 0x05}), WASMIOT_DELTA_NEW_RANGE},  // COPY_NEW before the output's start
      {ended(InsertZeros(n + 1)), WASMIOT_DELTA_TOO_LONG},
      {ended(InsertZeros(n - 1)), WASMIOT_DELTA_TOO_SHORT},
      {cut, WASMIOT_DELTA_OK},  // any refusal: what a cut coded stream decodes to depends on where
      {ended(Bytes{0xC0}), WASMIOT_DELTA_MALFORMED},
      {Bytes{1, 0, 0, 0, 0, 0}, WASMIOT_DELTA_MALFORMED},  // not the coder's start
      {ended(InsertZeros(n)), WASMIOT_DELTA_DIGEST_MISMATCH},  // well formed, the wrong bytes
  };
  FlashModel view(confirmed.geometry, confirmed.flash);
  wasmiot_slots layout;
  REQUIRE(wasmiot_slots_open(&layout, &view.flash()) == WASMIOT_SLOTS_OK);
  auto active_slot = [&](const Bytes& flash) {
    return Bytes(flash.begin() + layout.slot_offset[0], flash.begin() + layout.slot_offset[0] + layout.slot_size);
  };
  for (const auto& [stream, expected] : cases) {
    INFO(wasmiot_delta_result_name(expected) << " " << HexString(stream.data(), std::min<size_t>(stream.size(), 16)));
    lab.state = confirmed;
    Result<InstallOutcome> out = InstallFrames(lab.state, Thermostat(), Lab::FramesOf(WithStream(good->bytes, stream, lab.key)),
                                               std::nullopt);
    REQUIRE(out.ok());
    CHECK(out->receiver == WASMIOT_RX_COMPLETE);  // authentic: the receiver takes it whole
    REQUIRE(out->decoded.has_value());
    if (expected == WASMIOT_DELTA_OK) {
      CHECK(*out->decoded != WASMIOT_DELTA_OK);
    } else {
      CHECK(*out->decoded == expected);
    }
    CHECK_FALSE(out->pending);
    CHECK(out->flash.misuse.empty());
    CHECK(lab.Slots().pending == WASMIOT_SLOT_NONE);
    CHECK(active_slot(lab.state.flash) == active_slot(confirmed.flash));
  }
  // The honest delta installs.
  lab.state = confirmed;
  Result<InstallOutcome> honest = InstallFrames(lab.state, Thermostat(), Lab::FramesOf(good->bytes), std::nullopt);
  REQUIRE(honest.ok());
  CHECK(honest->decoded == WASMIOT_DELTA_OK);
  CHECK(honest->pending);
  CHECK(active_slot(lab.state.flash) == active_slot(confirmed.flash));
}

}  // namespace
}  // namespace wasmiot
