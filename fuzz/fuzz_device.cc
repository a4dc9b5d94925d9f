// fuzz_device: a `wasmiot device` state file (lib/devsim/device_state.cc,
// docs/slots.md "The state file") as the device commands read it, then the
// device powered on: its status read without writing, and a boot (recovery,
// a pending update's test boot on the interpreter, confirm or revert). The
// decoder must refuse what is malformed without allocating from it; a state
// it accepts must round-trip byte for byte, and the boot must program only
// erased units, never lower the counter, and leave the device running only a
// slot whose bundle verifies.
#include <cstddef>
#include <cstdint>

#include "devsim/device_boot.h"
#include "devsim/device_state.h"
#include "devsim/device_status.h"
#include "fuzz_support.h"

using namespace wasmiot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  const Bytes file(data, data + size);
  Diagnostics diagnostics;
  Result<DeviceState> state = DecodeDeviceState(file, "state", diagnostics);
  if (!state) {
    if (diagnostics.list().empty() || !diagnostics.list().front().offset) fuzz::Fail("device", "a refusal without an offset");
    return 0;
  }
  if (EncodeDeviceState(*state) != file) fuzz::Fail("device", "the state does not round-trip");
  Diagnostics parsed;
  Result<Manifest> manifest = ParseManifest(state->manifest_text, "state", parsed);
  if (!manifest) return 0;
  Result<DeviceStatus> before = ReadDeviceStatus(*state, *manifest);
  if (!before) return 0;  // no slot metadata: a blank flash
  if (EncodeDeviceState(*state) != file) fuzz::Fail("device", "reading the status wrote to the state");
  BootOptions options;
  options.periodic_calls = 1;
  Result<BootOutcome> boot = BootDevice(*state, *manifest, options);
  if (!boot) fuzz::Fail("device", "a boot failed on a state whose status reads");
  if (!boot->flash.misuse.empty()) fuzz::Fail("device", "the boot misused the flash: " + boot->flash.misuse);
  Result<DeviceStatus> after = ReadDeviceStatus(*state, *manifest);
  if (!after) fuzz::Fail("device", "the slot metadata is gone after a boot");
  if (after->slots.counter < before->slots.counter) fuzz::Fail("device", "the boot lowered the counter");
  if (after->slots.pending != WASMIOT_SLOT_NONE) fuzz::Fail("device", "an update is still pending after its test boot");
  if (boot->running != WASMIOT_SLOT_NONE) {
    if (boot->running != after->slots.active) fuzz::Fail("device", "the device runs another slot than the active one");
    if (after->slot[boot->running].verdict != WASMIOT_BUNDLE_OK) fuzz::Fail("device", "the running slot does not verify");
  }
  if (boot->confirmed && after->slots.counter != boot->tried_sequence) {
    fuzz::Fail("device", "a confirmed update did not set the counter to its sequence");
  }
  return 0;
}
