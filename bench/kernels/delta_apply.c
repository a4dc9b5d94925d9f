/* bench/delta.sh: the device library's delta applier on qemu's MPS2 AN386
 * board (Cortex-M4F), counted by m4_count_main.c. delta_pair.h, which the
 * script writes, holds an old payload, a coded stream and the payload it must
 * produce. bench_run applies the stream `iterations` times, fed 16 bytes at a
 * time as wasmiot_decode_bundle feeds it, with storage callbacks over RAM, and
 * then checks the result once: the script subtracts a run of 1 from a run of
 * 2, which leaves exactly one apply. Returns 1 when every apply succeeded and
 * produced the expected payload. */
#include <stdint.h>
#include <string.h>

#include "delta_pair.h"
#include "wasmiot_delta.h"

static uint8_t produced[sizeof new_payload];

static int read_bytes(void* context, uint32_t offset, uint8_t* data, size_t size) {
  memcpy(data, (const uint8_t*)context + offset, size);
  return 0;
}

static int write_bytes(void* context, uint32_t offset, const uint8_t* data, size_t size) {
  memcpy((uint8_t*)context + offset, data, size);
  return 0;
}

static const wasmiot_storage old_storage = {(void*)old_payload, sizeof old_payload, read_bytes, 0, 0};
static const wasmiot_storage new_storage = {produced, sizeof produced, read_bytes, write_bytes, 0};

void bench_setup(void) {}

uint32_t bench_run(uint32_t iterations) {
  wasmiot_delta_config config = {&old_storage, 0, OLD_SIZE, &new_storage, 0, sizeof produced};
  uint32_t ok = 1;
  for (uint32_t i = 0; i < iterations; ++i) {
    wasmiot_delta delta;
    wasmiot_delta_result r = wasmiot_delta_begin(&delta, &config);
    for (uint32_t at = 0; r == WASMIOT_DELTA_OK && at < sizeof stream; at += 16) {
      r = wasmiot_delta_feed(&delta, stream + at, sizeof stream - at < 16 ? sizeof stream - at : 16);
    }
    if (r == WASMIOT_DELTA_OK) r = wasmiot_delta_finish(&delta);
    if (r != WASMIOT_DELTA_OK) ok = 0;
  }
  return ok && memcmp(produced, new_payload, sizeof produced) == 0;
}
