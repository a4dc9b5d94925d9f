// fuzz_delta: the device's delta applier (lib/device/wasmiot_delta.c) on
// hostile streams, and the encoder against it. Input:
//
//   byte 0      piece size the stream is fed in (0: at once)
//   bytes 1-2   u16 LE: old payload length L (at most what follows)
//   bytes 3-4   u16 LE: the new size declared for the hostile stream
//   then        L bytes of old payload, then the rest R
//
// R as a stream applied to the old payload must end in a result code, never
// reach outside either payload (MemorySlot refuses it: STORAGE_ERROR), and
// when OK produce exactly the declared size. Then R as a new payload,
// encoded against the old one (and against nothing), must apply back to R.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "bundle/delta.h"

using namespace wasmiot;

namespace {

[[noreturn]] void Fail(const char* what, wasmiot_delta_result result) {
  std::fprintf(stderr, "fuzz_delta: %s (%s)\n", what, wasmiot_delta_result_name(result));
  std::abort();
}

void RoundTrip(const Bytes& base, const Bytes& target, size_t piece) {
  Result<Bytes> stream = EncodeDelta(base, target);
  if (!stream) Fail("the encoder refused", WASMIOT_DELTA_OK);
  DeltaApplied back = ApplyDelta(base, *stream, static_cast<uint32_t>(target.size()), piece);
  if (back.result != WASMIOT_DELTA_OK) Fail("an encoded stream does not apply", back.result);
  if (back.produced != target) Fail("an encoded stream applies to other bytes", back.result);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return -1;
  const size_t piece = data[0];
  const size_t old_size = data[1] | size_t{data[2]} << 8;
  const uint32_t new_size = data[3] | uint32_t{data[4]} << 8;
  if (old_size > size - 5) return -1;
  const Bytes base(data + 5, data + 5 + old_size);
  const Bytes rest(data + 5 + old_size, data + size);

  DeltaApplied hostile = ApplyDelta(base, rest, new_size, piece);
  if (hostile.result == WASMIOT_DELTA_STORAGE_ERROR) Fail("the applier reached outside a payload", hostile.result);
  if (hostile.result == WASMIOT_DELTA_OK && hostile.produced.size() != new_size) {
    Fail("the applier produced another size than declared", hostile.result);
  }
  RoundTrip(base, rest, piece);
  RoundTrip({}, rest, piece);
  return 0;
}
