// fuzz_slots: the A/B slot metadata (lib/device/wasmiot_slots.c) reading
// whatever its two metadata sectors hold (a corrupted or hostile flash), on
// the flash model (lib/devsim): 4 KiB of flash, 256-byte sectors, 8-byte write
// units; the input is the first 512 bytes (the metadata sectors), the rest
// erased. A blank state is formatted. Then a reset's recovery, an install
// into the inactive slot, its test boot and its confirm, each of which must
// succeed (or refuse a rollback), program only erased units (the model
// aborts on misuse), never lower the counter, and leave a flash that reopens
// to the same state.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "devsim/flash_model.h"
#include "wasmiot_slots.h"

using namespace wasmiot;

namespace {

constexpr FlashGeometry kGeometry{4096, 256, 8};

[[noreturn]] void Fail(const char* what, const FlashModel& flash) {
  std::fprintf(stderr, "fuzz_slots: %s %s\n", what, flash.misuse().c_str());
  std::abort();
}

void Expect(bool ok, const char* what, const FlashModel& flash) {
  if (!ok || !flash.misuse().empty()) Fail(what, flash);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 2 * kGeometry.sector_size) return -1;
  Bytes image(kGeometry.size, 0xFF);
  std::memcpy(image.data(), data, size);
  FlashModel flash(kGeometry, image);
  wasmiot_slots slots;
  wasmiot_slots_result opened = wasmiot_slots_open(&slots, &flash.flash());
  if (opened == WASMIOT_SLOTS_NO_STATE) opened = wasmiot_slots_format(&slots, 0);
  Expect(opened == WASMIOT_SLOTS_OK, "open", flash);
  Expect(slots.state.record_sequence <= WASMIOT_SLOTS_LAST_SEQUENCE, "a record past the last sequence", flash);
  // A log within the five records this run may write of its end refuses to
  // append (never wraps): nothing more to check here.
  if (slots.state.record_sequence > WASMIOT_SLOTS_LAST_SEQUENCE - 5) return 0;
  const uint64_t counter = slots.state.counter;
  Expect(wasmiot_slots_recover(&slots) == WASMIOT_SLOTS_OK, "recover", flash);
  Expect(wasmiot_slots_begin_install(&slots) == WASMIOT_SLOTS_OK, "begin_install", flash);
  const uint8_t id[WASMIOT_SLOTS_ID_SIZE] = {1, 2, 3};
  if (counter < UINT64_MAX) {
    Expect(wasmiot_slots_set_pending(&slots, counter + 1) == WASMIOT_SLOTS_OK, "set_pending", flash);
    Expect(wasmiot_slots_start_trial(&slots) == WASMIOT_SLOTS_OK, "start_trial", flash);
    Expect(wasmiot_slots_confirm(&slots, id) == WASMIOT_SLOTS_OK, "confirm", flash);
    Expect(slots.state.counter == counter + 1, "counter", flash);
  } else {
    Expect(wasmiot_slots_set_pending(&slots, counter) == WASMIOT_SLOTS_ROLLBACK, "rollback", flash);
  }
  Expect(slots.state.counter >= counter, "counter lowered", flash);
  wasmiot_slots again;
  Expect(wasmiot_slots_open(&again, &flash.flash()) == WASMIOT_SLOTS_OK, "reopen", flash);
  Expect(std::memcmp(&again.state, &slots.state, sizeof again.state) == 0, "reopened state differs", flash);
  return 0;
}
