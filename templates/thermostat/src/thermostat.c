// Thermostat control module for the acme/thermostat-t100 device
// (device.json).
//
// Corrected from the book chapter: the configuration lives in the module's own
// memory and is set through exports (never a host pointer passed in), the fan
// speed arithmetic stays in range, and get_status formats without a heap.
#include <stdint.h>

// The host functions (env_*) and the exports, generated from device.json.
#include "wasmiot_guest.h"

enum { kHvacOff = 0, kHvacHeat = 1, kHvacCool = 2 };

static float target_celsius = 22.0f;
static const float kHysteresis = 0.5f;
static const float kHumidityFanThreshold = 60.0f;

static void Log(const char* text, uint32_t length) { env_log((const uint8_t*)text, length); }

static int32_t FanSpeedFor(float difference) {
  float speed = difference * 20.0f;
  if (speed < 30.0f) speed = 30.0f;
  if (speed > 100.0f) speed = 100.0f;
  return (int32_t)speed;
}

void init(void) {
  static const char kHello[] = "thermostat ready";
  target_celsius = 22.0f;
  Log(kHello, sizeof kHello - 1);
}

void control_loop(void) {
  float celsius = env_read_temperature();
  float humidity = env_read_humidity();
  if (celsius < target_celsius - kHysteresis) {
    env_set_hvac_mode(kHvacHeat);
    env_set_fan_speed(FanSpeedFor(target_celsius - celsius));
  } else if (celsius > target_celsius + kHysteresis) {
    env_set_hvac_mode(kHvacCool);
    env_set_fan_speed(FanSpeedFor(celsius - target_celsius));
  } else {
    env_set_hvac_mode(kHvacOff);
  }
  if (humidity > kHumidityFanThreshold) env_set_fan_speed(50);
}

void set_target_temperature(float celsius) {
  if (celsius >= 5.0f && celsius <= 35.0f) target_celsius = celsius;
}

// Appends `value` with one decimal to out[*at..limit); returns 0 if it did not fit.
static int AppendTenths(char* out, int32_t* at, int32_t limit, float value) {
  char digits[16];
  int32_t n = 0;
  int32_t tenths = (int32_t)(value * 10.0f + (value < 0 ? -0.5f : 0.5f));
  if (tenths < 0) {
    if (*at >= limit) return 0;
    out[(*at)++] = '-';
    tenths = -tenths;
  }
  digits[n++] = (char)('0' + tenths % 10);
  digits[n++] = '.';
  tenths /= 10;
  do {
    digits[n++] = (char)('0' + tenths % 10);
    tenths /= 10;
  } while (tenths > 0 && n < (int32_t)sizeof digits);
  while (n > 0) {
    if (*at >= limit) return 0;
    out[(*at)++] = digits[--n];
  }
  return 1;
}

static int AppendText(char* out, int32_t* at, int32_t limit, const char* text) {
  for (; *text; ++text) {
    if (*at >= limit) return 0;
    out[(*at)++] = *text;
  }
  return 1;
}

// Writes {"temp":21.5,"target":22.0}; returns the length, or 0 if out is too small.
int32_t get_status(uint8_t* out, uint32_t out_len) {
  char* text = (char*)out;
  // The helpers count in int32_t; a length past INT32_MAX gets 0, as a too-small one.
  int32_t limit = out_len > INT32_MAX ? 0 : (int32_t)out_len;
  int32_t at = 0;
  int ok = AppendText(text, &at, limit, "{\"temp\":") &&
           AppendTenths(text, &at, limit, env_read_temperature()) &&
           AppendText(text, &at, limit, ",\"target\":") &&
           AppendTenths(text, &at, limit, target_celsius) &&
           AppendText(text, &at, limit, "}");
  return ok ? at : 0;
}
