// Delta streams (format 2, lib/device/wasmiot_delta.h, docs/delta.md): the
// encoder of the operations that make a new payload from an old one (a delta
// update) or from nothing (a compressed payload), and the device's C applier
// run over payloads in memory, the one decoder.
#pragma once

#include <cstdint>

#include "support/file_io.h"
#include "support/result.h"
#include "wasmiot_delta.h"

namespace wasmiot {

struct DeltaStats {
  uint64_t inserted = 0;     // literal bytes
  uint64_t copied_old = 0;   // bytes copied from the old payload
  uint64_t copied_new = 0;   // bytes copied from earlier in the new one
  uint64_t operations = 0;
};

// The stream that makes `target` from `base` (empty: `target` compressed).
// Refuses payloads over kMaxAotPayload (64 MiB), the largest a bundle
// carries. The same inputs give the same bytes.
Result<Bytes> EncodeDelta(const Bytes& base, const Bytes& target, DeltaStats* stats = nullptr);

// The coding layer over any op-layer bytes (hostile ones too, for tests):
// what EncodeDelta returns is CodeOps of its operations and END.
Bytes CodeOps(const Bytes& ops);

struct DeltaApplied {
  wasmiot_delta_result result = WASMIOT_DELTA_OK;
  Bytes produced;  // new_size bytes when result is OK
};

// Runs the device's applier over `base` and `stream` in memory, the stream fed
// in pieces of `piece` bytes (0: at once), for a new payload of `new_size`
// bytes (at most kMaxAotPayload). STORAGE_ERROR means the applier reached
// outside a payload, which it must never do.
DeltaApplied ApplyDelta(const Bytes& base, const Bytes& stream, uint32_t new_size, size_t piece = 0);

}  // namespace wasmiot
