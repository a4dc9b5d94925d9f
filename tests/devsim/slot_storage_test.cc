// The OTA receiver storing a bundle in a slot of NOR flash through
// lib/device/wasmiot_slot_storage.c: programmed only into erased units, and
// a power cut at every flash operation of the download — and again at every
// operation of the resumed one — ends, after a restart and a resend, in the
// whole verified payload, the flash never misused.
#include <catch2/catch.hpp>

#include <memory>

#include "device_lab.h"
#include "devsim/flash_model.h"
#include "keys/sodium_bridge.h"
#include "wasmiot_slot_storage.h"

namespace wasmiot {
namespace {

using test::Thermostat;

// A pseudo-random payload signed as the lab signs its releases, in frames.
struct Sender : test::DeviceLab {
  Sender(uint32_t payload_bytes, uint32_t chunk_size) : payload(test::PseudoRandomBytes(payload_bytes, 9)) {
    for (SourcedFrame& f : Frames(payload, 7, Thermostat(), chunk_size)) frames.push_back(std::move(f.bytes));
  }
  PublicKey pk = key.Public();
  Bytes payload;
  std::vector<Bytes> frames;
};

// One boot of the device: its flash as it was left, slot 0's storage, a receiver.
struct Boot {
  Boot(const Sender& sender, const FlashGeometry& g, const Bytes& flash_contents)
      : flash(g, flash_contents), sector(g.sector_size) {
    wasmiot_slots_open(&slots, &flash.flash());
    REQUIRE(wasmiot_slot_storage_init(&slot, &slots, 0, sector.data()) == 0);
    policy.public_keys = reinterpret_cast<const uint8_t(*)[32]>(sender.pk.data());
    policy.public_key_count = 1;
    policy.device_id = device_id.data();
    policy.max_payload_size = 1 << 20;
    policy.installed_sequence = 6;
    config.storage = &slot.storage;
    config.crypto = &HostCrypto();
    config.policy = &policy;
    config.bitmap = bitmap;
    config.bitmap_bytes = sizeof bitmap;
    wasmiot_receiver_init(&rx, &config);
  }
  // Resumes from the slot, then takes every frame (a sender resending all);
  // true if the payload came in whole and verified.
  bool Receive(const Sender& sender) {
    (void)wasmiot_receiver_resume(&rx, scratch, 0);
    for (const Bytes& f : sender.frames) {
      wasmiot_rx_result r = wasmiot_receiver_accept(&rx, f.data(), f.size(), 0);
      if (!flash.powered()) return false;
      if (r == WASMIOT_RX_COMPLETE) return true;
    }
    return rx.state == WASMIOT_RX_STATE_COMPLETE;
  }
  Bytes StoredPayload() const {
    size_t at = slots.slot_offset[0] + WASMIOT_BUNDLE_PAYLOAD_OFFSET(rx.layout.chunk_count);
    return Bytes(flash.contents().begin() + static_cast<std::ptrdiff_t>(at),
                 flash.contents().begin() + static_cast<std::ptrdiff_t>(at + rx.layout.payload_size));
  }

  DeviceId device_id = DeviceIdOf(Thermostat().device);
  FlashModel flash;
  std::vector<uint8_t> sector;
  wasmiot_slots slots{};
  wasmiot_slot_storage slot{};
  wasmiot_device_policy policy{};
  wasmiot_receiver_config config{};
  wasmiot_receiver rx{};
  uint8_t bitmap[64] = {};
  uint8_t scratch[WASMIOT_BUNDLE_MAX_TABLE_OFFSET] = {};
};

TEST_CASE("slot storage: a download into NOR flash programs each unit once and verifies") {
  const uint32_t chunk = GENERATE(256u, 100u);  // 100: chunks that share write units
  const FlashGeometry g{16 * 1024, 1024, 8};
  Sender sender(3000, chunk);
  Boot boot(sender, g, Bytes(g.size, 0xFF));
  REQUIRE(boot.Receive(sender));
  CHECK(boot.StoredPayload() == sender.payload);
  CHECK(boot.flash.misuse().empty());
  INFO("flash operations " << boot.flash.operations());
  // Four erases, then a write a frame, two for a frame across a sector boundary.
  if (chunk == 256) CHECK(boot.flash.operations() <= 4 + sender.frames.size() + 4);
}

TEST_CASE("slot storage: a write unit above 8 bytes is refused") {
  FlashModel flash({16 * 1024, 1024, 16});
  wasmiot_slots slots;
  wasmiot_slots_open(&slots, &flash.flash());
  std::vector<uint8_t> sector(1024);
  wasmiot_slot_storage storage;
  CHECK(wasmiot_slot_storage_init(&storage, &slots, 0, sector.data()) == -1);
}

TEST_CASE("slot storage power-cut: a download cut at every operation, and its resumption too, completes") {
  const FlashGeometry g = GENERATE(FlashGeometry{16 * 1024, 1024, 8}, FlashGeometry{16 * 1024, 256, 1});
  const uint32_t chunk = GENERATE(256u, 100u);
  INFO("sector " << g.sector_size << ", write unit " << g.write_size << ", chunks of " << chunk);
  Sender sender(2000, chunk);
  Boot uncut(sender, g, Bytes(g.size, 0xFF));
  REQUIRE(uncut.Receive(sender));
  const uint64_t operations = uncut.flash.operations();
  uint64_t tried = 0;
  for (uint64_t first = 1; first <= operations; ++first) {
    Boot cut(sender, g, Bytes(g.size, 0xFF));
    cut.flash.CutPowerAt(first);
    REQUIRE_FALSE(cut.Receive(sender));
    ++tried;
    // Restart from what the flash kept, and cut again at every operation of the resumption.
    Boot resumed(sender, g, cut.flash.contents());
    REQUIRE(resumed.Receive(sender));
    CHECK(resumed.StoredPayload() == sender.payload);
    CHECK(resumed.flash.misuse().empty());
    for (uint64_t second = 1; second <= resumed.flash.operations(); ++second) {
      Boot again(sender, g, cut.flash.contents());
      again.flash.CutPowerAt(second);
      REQUIRE_FALSE(again.Receive(sender));
      Boot last(sender, g, again.flash.contents());
      INFO("cut at " << first << ", then at " << second);
      REQUIRE(last.Receive(sender));
      CHECK(last.StoredPayload() == sender.payload);
      CHECK(last.flash.misuse().empty());
      ++tried;
    }
  }
  std::printf("slot storage power-cut: %llu cut points tried (%llu operations uncut; sector %u, write unit %u, "
              "chunks of %u)\n",
              static_cast<unsigned long long>(tried), static_cast<unsigned long long>(operations), g.sector_size,
              g.write_size, chunk);
}

}  // namespace
}  // namespace wasmiot
