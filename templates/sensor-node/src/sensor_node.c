// Telemetry module for the acme/sensor-node-s4 device
// (device.json).
//
// Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//
// Telemetry packet, format version 1. All multi-byte fields little-endian,
// no implicit padding; every byte is written explicitly. Total 8 + 20*count
// bytes (88 for the four channels).
//
//   Header, 8 bytes:
//     offset 0  u8   version       1
//     offset 1  u8   count         number of readings that follow (4)
//     offset 2  u16  record_size   bytes per reading (20)
//     offset 4  u8   pad[4]        zero (keeps records 4-byte aligned in the packet)
//   Reading i at offset 8 + 20*i, 20 bytes:
//     +0   u64  timestamp_ms   get_timestamp() just before this channel was read
//     +8   u32  sensor_id      0 temperature, 1 pressure, 2 flow, 3 level
//     +12  f32  value          IEEE 754 binary32 bit pattern, as read
//     +16  u8   status         0 ok, 1 warning, 2 error
//     +17  u8   pad[3]         zero
//
// Status rules (strict comparisons, as in the chapter: -10 C itself is a warning):
//   sensor 0, temperature (C): error if < -10 or > 60, warning if < 0 or > 50.
//   sensor 1, pressure (nominal 1.0; the manifest gives no unit): error outside
//     0.8..1.2, warning outside 0.9..1.1.
//   sensors 2 and 3: ok. Any channel reading NaN or infinity: error.
//
// Corrected from the book chapter: the chapter sent a #[repr(C)] struct's raw
// bytes (24 bytes per reading, 7 of them uninitialized padding, host-endian,
// layout decided by the compiler) and passed a usize length where the host
// expects a 32-bit one; a NaN reading classified as ok because every comparison
// with NaN is false. The readings here are serialized field by field.
#include <stdint.h>

// The host functions (env_*) and the exports, generated from device.json.
#include "wasmiot_guest.h"

enum {
  kFormatVersion = 1,
  kSensorCount = 4,
  kHeaderSize = 8,
  kRecordSize = 20,
  kPacketSize = kHeaderSize + kRecordSize * kSensorCount,
};

enum { kStatusOk = 0, kStatusWarning = 1, kStatusError = 2 };
enum { kSensorTemperature = 0, kSensorPressure = 1 };

// ---- Pure computation (no imports; usable in a native baseline) ----------

static int IsFinite(float value) {
  // NaN fails the first test; +-infinity minus itself is NaN.
  return value == value && (value - value) == 0.0f;
}

// Status of one reading from channel `sensor_id`, per the rules above.
static uint8_t ClassifyReading(int32_t sensor_id, float value) {
  if (!IsFinite(value)) return kStatusError;
  switch (sensor_id) {
    case kSensorTemperature:
      if (value < -10.0f || value > 60.0f) return kStatusError;
      if (value < 0.0f || value > 50.0f) return kStatusWarning;
      return kStatusOk;
    case kSensorPressure:
      if (value < 0.8f || value > 1.2f) return kStatusError;
      if (value < 0.9f || value > 1.1f) return kStatusWarning;
      return kStatusOk;
    default:
      return kStatusOk;
  }
}

static void PutU8(uint8_t* out, uint8_t value) { out[0] = value; }

static void PutU16(uint8_t* out, uint16_t value) {
  out[0] = (uint8_t)value;
  out[1] = (uint8_t)(value >> 8);
}

static void PutU32(uint8_t* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = (uint8_t)(value >> (8 * i));
}

static void PutU64(uint8_t* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = (uint8_t)(value >> (8 * i));
}

static void PutF32(uint8_t* out, float value) {
  union { float f; uint32_t u; } bits;
  bits.f = value;
  PutU32(out, bits.u);
}

static void PutZeros(uint8_t* out, int count) {
  for (int i = 0; i < count; ++i) out[i] = 0;
}

// Writes the 8-byte header for `count` readings.
static void WriteHeader(uint8_t* out, uint8_t count) {
  PutU8(out + 0, kFormatVersion);
  PutU8(out + 1, count);
  PutU16(out + 2, kRecordSize);
  PutZeros(out + 4, 4);
}

// Writes one 20-byte reading record.
static void WriteRecord(uint8_t* out, uint64_t timestamp_ms, uint32_t sensor_id,
                        float value, uint8_t status) {
  PutU64(out + 0, timestamp_ms);
  PutU32(out + 8, sensor_id);
  PutF32(out + 12, value);
  PutU8(out + 16, status);
  PutZeros(out + 17, 3);
}

// ---- Device entry point ---------------------------------------------------

// In linear memory (not on the stack), so the host reads a stable buffer.
static uint8_t packet[kPacketSize];

void collect_and_send(void) {
  WriteHeader(packet, kSensorCount);
  for (int32_t id = 0; id < kSensorCount; ++id) {
    uint64_t timestamp_ms = (uint64_t)env_get_timestamp();
    float value = env_read_sensor(id);
    WriteRecord(packet + kHeaderSize + kRecordSize * id, timestamp_ms, (uint32_t)id,
                value, ClassifyReading(id, value));
  }
  env_send_telemetry(packet, kPacketSize);
}
