// The A/B slot metadata (lib/device/wasmiot_slots.c) on the flash model:
// every transition, and a power cut at every flash operation of a long run of
// them, after which the device reopens in the state before or after the cut
// operation, the counter never lower, and finishes the run as if uncut.
#include <catch2/catch.hpp>

#include <functional>
#include <vector>

#include "devsim/flash_model.h"
#include "wasmiot_slots.h"

namespace wasmiot {
namespace {

struct Id {
  uint8_t bytes[WASMIOT_SLOTS_ID_SIZE];
  explicit Id(uint8_t fill) { std::fill(std::begin(bytes), std::end(bytes), fill); }
};

// What a state means (the record sequence aside).
std::string Describe(const wasmiot_slots_state& s) {
  return "active " + std::to_string(s.active) + " pending " + std::to_string(s.pending) + " trying " +
         std::to_string(s.trying) + " counter " + std::to_string(s.counter) + " active seq " +
         std::to_string(s.active_sequence) + " pending seq " + std::to_string(s.pending_sequence) + " id " +
         std::to_string(s.active_id[0]);
}

using Step = std::function<wasmiot_slots_result(wasmiot_slots&)>;

// Installs and boots: confirmed, reverted after a failed test boot, reverted
// at reset during a test boot, a replay refused, then more good updates: far
// more records than a 256-byte sector holds, so the log changes sector often.
std::vector<Step> Script() {
  std::vector<Step> steps;
  auto install = [&](uint64_t sequence) {
    steps.push_back([](wasmiot_slots& s) { return wasmiot_slots_begin_install(&s); });
    steps.push_back([sequence](wasmiot_slots& s) { return wasmiot_slots_set_pending(&s, sequence); });
    steps.push_back([](wasmiot_slots& s) { return wasmiot_slots_start_trial(&s); });
  };
  auto confirm = [&](uint8_t id) {
    steps.push_back([id](wasmiot_slots& s) { return wasmiot_slots_confirm(&s, Id(id).bytes); });
  };
  install(5);
  confirm(5);
  install(7);
  steps.push_back([](wasmiot_slots& s) { return wasmiot_slots_revert(&s); });  // its test boot failed
  install(8);
  steps.push_back([](wasmiot_slots& s) { return wasmiot_slots_recover(&s); });  // reset during the test boot
  for (uint64_t sequence = 9; sequence < 14; ++sequence) {
    install(sequence);
    confirm(static_cast<uint8_t>(sequence));
  }
  return steps;
}

TEST_CASE("slots: install, test boot, confirm, revert, and the counter only rises on confirm") {
  FlashModel flash({16 * 1024, 1024, 8});
  wasmiot_slots slots;
  REQUIRE(wasmiot_slots_open(&slots, &flash.flash()) == WASMIOT_SLOTS_NO_STATE);
  REQUIRE(wasmiot_slots_format(&slots, 3) == WASMIOT_SLOTS_OK);
  CHECK(slots.slot_offset[0] == 2048);
  CHECK(slots.slot_size == 7 * 1024);
  CHECK(slots.slot_offset[1] == 2048 + 7 * 1024);
  CHECK(slots.state.active == WASMIOT_SLOT_NONE);
  CHECK(wasmiot_slots_inactive(&slots) == 0);
  CHECK(wasmiot_slots_set_pending(&slots, 3) == WASMIOT_SLOTS_ROLLBACK);  // not above the counter
  CHECK(wasmiot_slots_start_trial(&slots) == WASMIOT_SLOTS_NOT_PENDING);
  REQUIRE(wasmiot_slots_set_pending(&slots, 4) == WASMIOT_SLOTS_OK);
  CHECK(slots.state.pending == 0);
  CHECK(slots.state.counter == 3);  // not yet
  REQUIRE(wasmiot_slots_start_trial(&slots) == WASMIOT_SLOTS_OK);
  REQUIRE(wasmiot_slots_confirm(&slots, Id(4).bytes) == WASMIOT_SLOTS_OK);
  CHECK(slots.state.active == 0);
  CHECK(slots.state.counter == 4);
  CHECK(wasmiot_slots_inactive(&slots) == 1);
  // The next goes to slot 1; a failed test boot leaves slot 0 active and the counter.
  REQUIRE(wasmiot_slots_set_pending(&slots, 6) == WASMIOT_SLOTS_OK);
  CHECK(slots.state.pending == 1);
  REQUIRE(wasmiot_slots_revert(&slots) == WASMIOT_SLOTS_OK);
  CHECK(slots.state.active == 0);
  CHECK(slots.state.pending == WASMIOT_SLOT_NONE);
  CHECK(slots.state.counter == 4);
  // Reopened, the state is the same.
  wasmiot_slots again;
  REQUIRE(wasmiot_slots_open(&again, &flash.flash()) == WASMIOT_SLOTS_OK);
  CHECK(Describe(again.state) == Describe(slots.state));
  CHECK(again.state.record_sequence == slots.state.record_sequence);
  CHECK(flash.misuse().empty());
}

TEST_CASE("slots: geometry the library cannot use is refused") {
  wasmiot_slots slots;
  for (FlashGeometry g : {FlashGeometry{16 * 1024, 1000, 8}, FlashGeometry{16 * 1024, 128, 8},
                          FlashGeometry{16 * 1024, 1024, 3}, FlashGeometry{16 * 1024, 1024, 128},
                          FlashGeometry{3 * 1024, 1024, 8}}) {
    FlashModel flash(g);
    INFO(g.size << " " << g.sector_size << " " << g.write_size);
    CHECK(wasmiot_slots_open(&slots, &flash.flash()) == WASMIOT_SLOTS_BAD_GEOMETRY);
    CHECK(wasmiot_slots_format(&slots, 0) == WASMIOT_SLOTS_BAD_GEOMETRY);
  }
}

TEST_CASE("slots: a record cut halfway, or one of random bytes, is not a state") {
  FlashModel flash({8 * 1024, 1024, 8});
  wasmiot_slots slots;
  wasmiot_slots_open(&slots, &flash.flash());
  REQUIRE(wasmiot_slots_format(&slots, 0) == WASMIOT_SLOTS_OK);
  REQUIRE(wasmiot_slots_set_pending(&slots, 1) == WASMIOT_SLOTS_OK);
  flash.CutPowerAt(flash.operations() + 1);
  CHECK(wasmiot_slots_start_trial(&slots) == WASMIOT_SLOTS_FLASH_ERROR);
  FlashModel rebooted(flash.geometry(), flash.contents());
  REQUIRE(wasmiot_slots_open(&slots, &rebooted.flash()) == WASMIOT_SLOTS_OK);
  CHECK(slots.state.pending == 0);
  CHECK(slots.state.trying == 0);  // the torn record did not count
  CHECK(slots.next_record == 3 * 64);  // and is never written over
  REQUIRE(wasmiot_slots_start_trial(&slots) == WASMIOT_SLOTS_OK);
  CHECK(rebooted.misuse().empty());
}

// Runs the script on fresh flash, cutting the power at operation `cut` (none:
// never), then reboots and finishes it. Returns the final state; checks the
// invariants on the way.
wasmiot_slots_state RunWithCut(const FlashGeometry& g, std::optional<uint64_t> cut, uint64_t* operations) {
  FlashModel flash(g);
  wasmiot_slots slots;
  wasmiot_slots_open(&slots, &flash.flash());
  REQUIRE(wasmiot_slots_format(&slots, 0) == WASMIOT_SLOTS_OK);
  const uint64_t formatted = flash.operations();
  if (cut) flash.CutPowerAt(formatted + *cut);
  std::vector<Step> steps = Script();
  size_t i = 0;
  for (; i < steps.size(); ++i) {
    const wasmiot_slots_state before = slots.state;
    const Bytes snapshot = flash.contents();  // to work out what the step meant to write
    const wasmiot_slots unchanged = slots;
    wasmiot_slots_result r = steps[i](slots);
    if (flash.powered()) {
      REQUIRE(r == WASMIOT_SLOTS_OK);
      continue;
    }
    // The power went off in this step: reboot from what the flash kept.
    INFO("cut at operation " << *cut << ", step " << i);
    REQUIRE(flash.misuse().empty());
    FlashModel rebooted(g, flash.contents());
    wasmiot_slots after;
    REQUIRE(wasmiot_slots_open(&after, &rebooted.flash()) == WASMIOT_SLOTS_OK);
    std::string now = Describe(after.state);
    // The state before the step, or what the step meant to write: the step
    // again, uncut, on the flash as it was.
    FlashModel replay(g, snapshot);
    wasmiot_slots redo = unchanged;
    redo.flash = &replay.flash();
    REQUIRE(steps[i](redo) == WASMIOT_SLOTS_OK);
    const wasmiot_slots_state intended = redo.state;
    CHECK((now == Describe(before) || now == Describe(intended)));
    CHECK(after.state.counter >= before.counter);
    // Finish: redo the step if it did not take, then the rest.
    if (now == Describe(before)) REQUIRE(steps[i](after) == WASMIOT_SLOTS_OK);
    for (size_t k = i + 1; k < steps.size(); ++k) REQUIRE(steps[k](after) == WASMIOT_SLOTS_OK);
    CHECK(rebooted.misuse().empty());
    return after.state;
  }
  *operations = flash.operations() - formatted;
  CHECK(flash.misuse().empty());
  return slots.state;
}

TEST_CASE("slots power-cut: at every flash operation of install, boot, confirm and revert the state survives") {
  // A 256-byte sector holds four 64-byte records.
  const FlashGeometry g = GENERATE(FlashGeometry{8 * 1024, 256, 8}, FlashGeometry{8 * 1024, 256, 1},
                                   FlashGeometry{8 * 1024, 256, 64}, FlashGeometry{64 * 1024, 4096, 16});
  INFO("sector " << g.sector_size << ", write unit " << g.write_size);
  uint64_t operations = 0;
  wasmiot_slots_state uncut = RunWithCut(g, std::nullopt, &operations);
  REQUIRE(operations > 20);
  CHECK(uncut.counter == 13);
  for (uint64_t cut = 1; cut <= operations; ++cut) {
    uint64_t ignored = 0;
    wasmiot_slots_state final_state = RunWithCut(g, cut, &ignored);
    INFO("cut at operation " << cut);
    CHECK(Describe(final_state) == Describe(uncut));
  }
  std::printf("slots power-cut: %llu cut points tried (sector %u, write unit %u)\n",
              static_cast<unsigned long long>(operations), g.sector_size, g.write_size);
}

}  // namespace
}  // namespace wasmiot

namespace wasmiot {
namespace {

uint32_t Crc32(const uint8_t* data, size_t size) {  // IEEE, as the record's
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// The first record of a formatted flash, with another record sequence (and
// its CRC made good), written at the next position: what only a corrupted
// flash could hold.
void PlantRecord(FlashModel& flash, uint32_t sequence) {
  uint8_t record[WASMIOT_SLOTS_RECORD_SIZE];
  REQUIRE(flash.Read(0, record, sizeof record) == 0);
  for (int i = 0; i < 4; ++i) record[8 + i] = static_cast<uint8_t>(sequence >> (8 * i));
  const uint32_t crc = Crc32(record, 60);
  for (int i = 0; i < 4; ++i) record[60 + i] = static_cast<uint8_t>(crc >> (8 * i));
  REQUIRE(flash.Write(WASMIOT_SLOTS_RECORD_SIZE, record, sizeof record) == 0);
}

}  // namespace

TEST_CASE("slots: the record sequence never wraps: 0xFFFFFFFF is no record, appending past 0xFFFFFFFE fails") {
  const FlashGeometry g{4096, 256, 8};
  {
    FlashModel flash(g);
    wasmiot_slots slots;
    wasmiot_slots_open(&slots, &flash.flash());
    REQUIRE(wasmiot_slots_format(&slots, 3) == WASMIOT_SLOTS_OK);
    PlantRecord(flash, 0xFFFFFFFFu);
    REQUIRE(wasmiot_slots_open(&slots, &flash.flash()) == WASMIOT_SLOTS_OK);
    CHECK(slots.state.record_sequence == 1u);  // the planted one is not a state
    REQUIRE(wasmiot_slots_set_pending(&slots, 4) == WASMIOT_SLOTS_OK);
    wasmiot_slots again;
    REQUIRE(wasmiot_slots_open(&again, &flash.flash()) == WASMIOT_SLOTS_OK);
    CHECK(again.state.pending_sequence == 4u);  // the newest record wins, not the planted one
  }
  {
    FlashModel flash(g);
    wasmiot_slots slots;
    wasmiot_slots_open(&slots, &flash.flash());
    REQUIRE(wasmiot_slots_format(&slots, 3) == WASMIOT_SLOTS_OK);
    PlantRecord(flash, WASMIOT_SLOTS_LAST_SEQUENCE);
    REQUIRE(wasmiot_slots_open(&slots, &flash.flash()) == WASMIOT_SLOTS_OK);
    CHECK(slots.state.record_sequence == WASMIOT_SLOTS_LAST_SEQUENCE);
    const uint64_t operations = flash.operations();
    CHECK(wasmiot_slots_set_pending(&slots, 4) == WASMIOT_SLOTS_FLASH_ERROR);
    CHECK(flash.operations() == operations);  // nothing written
    CHECK(slots.state.pending == WASMIOT_SLOT_NONE);
  }
}

}  // namespace wasmiot
