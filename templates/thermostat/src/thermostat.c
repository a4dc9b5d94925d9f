// Thermostat control module for the acme/thermostat-t100 device
// (device.json).
//
// Corrected from the book chapter: the configuration lives in the module's own
// memory and is set through exports (never a host pointer passed in), the fan
// speed arithmetic stays in range, and get_status formats without a heap.
#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

IMPORT("read_temperature") float read_temperature(void);
IMPORT("read_humidity") float read_humidity(void);
IMPORT("set_hvac_mode") void set_hvac_mode(int32_t mode);
IMPORT("set_fan_speed") void set_fan_speed(int32_t percent);
IMPORT("log") void device_log(const char* message, int32_t length);

enum { kHvacOff = 0, kHvacHeat = 1, kHvacCool = 2 };

static float target_celsius = 22.0f;
static const float kHysteresis = 0.5f;
static const float kHumidityFanThreshold = 60.0f;

static int32_t FanSpeedFor(float difference) {
  float speed = difference * 20.0f;
  if (speed < 30.0f) speed = 30.0f;
  if (speed > 100.0f) speed = 100.0f;
  return (int32_t)speed;
}

EXPORT("init") void init(void) {
  static const char kHello[] = "thermostat ready";
  target_celsius = 22.0f;
  device_log(kHello, sizeof kHello - 1);
}

EXPORT("control_loop") void control_loop(void) {
  float celsius = read_temperature();
  float humidity = read_humidity();
  if (celsius < target_celsius - kHysteresis) {
    set_hvac_mode(kHvacHeat);
    set_fan_speed(FanSpeedFor(target_celsius - celsius));
  } else if (celsius > target_celsius + kHysteresis) {
    set_hvac_mode(kHvacCool);
    set_fan_speed(FanSpeedFor(celsius - target_celsius));
  } else {
    set_hvac_mode(kHvacOff);
  }
  if (humidity > kHumidityFanThreshold) set_fan_speed(50);
}

EXPORT("set_target_temperature") void set_target_temperature(float celsius) {
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
EXPORT("get_status") int32_t get_status(char* out, int32_t out_len) {
  int32_t at = 0;
  int ok = AppendText(out, &at, out_len, "{\"temp\":") &&
           AppendTenths(out, &at, out_len, read_temperature()) &&
           AppendText(out, &at, out_len, ",\"target\":") &&
           AppendTenths(out, &at, out_len, target_celsius) &&
           AppendText(out, &at, out_len, "}");
  return ok ? at : 0;
}
