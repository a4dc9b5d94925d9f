// Tenant plugin for the acme/gateway-g8 multi-tenant gateway
// (device.json).
//
// Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
//
// Each update() reads sensors 0..2 and publishes one JSON message such as
//   {"seq":7,"t_ms":123456,"sensors":[21.50,-3.25,null]}
// Values carry two decimals; a NaN, infinite or out-of-range (|v| >= 1e7)
// reading is published as null, since JSON has no NaN. If publish() reports
// an error the plugin logs "publish failed: <status>".
//
// The chapter shows only the gateway's host side. This plugin is written for
// the budget that side gives a tenant (2 KiB stack, one 64 KiB page): no heap,
// no printf, the message built in one static 128-byte buffer, and the stack
// limited with -Wl,-z,stack-size=2048 (wasm-ld's default is 64 KiB, which
// would not even fit in the one page).
#include <stdint.h>

// The host functions (env_*) and the exports, generated from device.json.
#include "wasmiot_guest.h"

enum { kSensorCount = 3, kMessageCapacity = 128 };

// ---- Pure formatting (no imports; usable in a native baseline) -----------
// Each Append* writes at out[*at..limit) and returns 0 if it did not fit.

static int AppendText(char* out, int32_t* at, int32_t limit, const char* text) {
  for (; *text; ++text) {
    if (*at >= limit) return 0;
    out[(*at)++] = *text;
  }
  return 1;
}

// Decimal digits of `value`, at least `min_digits` of them (zero-padded).
static int AppendUnsigned(char* out, int32_t* at, int32_t limit, uint64_t value,
                          int32_t min_digits) {
  char digits[20];  // 2^64 - 1 has 20 digits
  int32_t n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < min_digits);
  if (limit - *at < n) return 0;
  while (n > 0) out[(*at)++] = digits[--n];
  return 1;
}

static int AppendSigned(char* out, int32_t* at, int32_t limit, int64_t value) {
  uint64_t magnitude = (uint64_t)value;
  if (value < 0) {
    if (!AppendText(out, at, limit, "-")) return 0;
    magnitude = 0 - magnitude;  // also right for INT64_MIN
  }
  return AppendUnsigned(out, at, limit, magnitude, 1);
}

// `value` with two decimals, rounded half away from zero; null when it is not
// a finite number below 1e7 in magnitude (so the hundredths fit in 32 bits).
static int AppendHundredths(char* out, int32_t* at, int32_t limit, float value) {
  if (!(value > -1e7f && value < 1e7f)) return AppendText(out, at, limit, "null");
  int32_t hundredths = (int32_t)(value * 100.0f + (value < 0.0f ? -0.5f : 0.5f));
  uint32_t magnitude = (uint32_t)(hundredths < 0 ? -hundredths : hundredths);
  if (hundredths < 0 && !AppendText(out, at, limit, "-")) return 0;
  return AppendUnsigned(out, at, limit, magnitude / 100, 1) &&
         AppendText(out, at, limit, ".") &&
         AppendUnsigned(out, at, limit, magnitude % 100, 2);
}

// Builds {"seq":S,"t_ms":T,"sensors":[v0,v1,...]}; returns its length, or 0
// if it does not fit in `limit` bytes.
static int32_t FormatMessage(char* out, int32_t limit, uint32_t seq, int64_t t_ms,
                             const float* values, int32_t count) {
  int32_t at = 0;
  int ok = AppendText(out, &at, limit, "{\"seq\":") &&
           AppendUnsigned(out, &at, limit, seq, 1) &&
           AppendText(out, &at, limit, ",\"t_ms\":") &&
           AppendSigned(out, &at, limit, t_ms) &&
           AppendText(out, &at, limit, ",\"sensors\":[");
  for (int32_t i = 0; ok && i < count; ++i) {
    ok = (i == 0 || AppendText(out, &at, limit, ",")) &&
         AppendHundredths(out, &at, limit, values[i]);
  }
  ok = ok && AppendText(out, &at, limit, "]}");
  return ok ? at : 0;
}

// ---- Plugin state and entry points ---------------------------------------

static char message[kMessageCapacity];
static uint32_t sequence = 0;

static void Log(const char* text, uint32_t length) { env_log((const uint8_t*)text, length); }

static void LogText(const char* text) {
  uint32_t n = 0;
  while (text[n]) ++n;
  Log(text, n);
}

void init(void) {
  sequence = 0;
  LogText("gateway plugin ready");
}

void update(void) {
  float values[kSensorCount];
  for (int32_t id = 0; id < kSensorCount; ++id) values[id] = env_read_sensor(id);
  int32_t length = FormatMessage(message, kMessageCapacity, sequence++, env_get_time_ms(),
                                 values, kSensorCount);
  if (length == 0) {
    LogText("message did not fit; not published");
    return;
  }
  int32_t status = env_publish((const uint8_t*)message, (uint32_t)length);
  if (status != 0) {
    // Reuses `message`: the failed payload is not needed any more.
    int32_t at = 0;
    if (AppendText(message, &at, kMessageCapacity, "publish failed: ") &&
        AppendSigned(message, &at, kMessageCapacity, status))
      Log(message, (uint32_t)at);
  }
}
