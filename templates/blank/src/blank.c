// A blank module for the example/blank-device (templates/blank/device.json):
// the smallest useful starting point. init() logs "ready"; each update()
// reads the sensor and logs when the reading crosses a threshold.
//
// Build: wasmiot build (the flags the device implies: docs/projects.md, docs/first-module.md)
// Check: wasmiot check blank.wasm --manifest device.json
// Test:  wasmiot test tests --module-dir .  (tests/blank.scenario.json)
//
// There is no C library (-nostdlib): no printf, malloc or string.h. Keep
// state in static variables and write text into static buffers. Every host
// function used here must be declared in device.json, with the same
// signature; add your device's functions there first, then declare them below.
#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

// ---- Host functions (device.json, "imports" -> "env") ---------------------
// Declare more here: IMPORT("set_led") void set_led(int32_t on);

IMPORT("read_sensor") float read_sensor(void);
IMPORT("log") void device_log(const char* message, int32_t length);

static void LogText(const char* text) {
  int32_t n = 0;
  while (text[n]) ++n;
  device_log(text, n);
}

// ---- Your settings and state ----------------------------------------------

// The reading above which the module reports; change it for your sensor.
static const float kThreshold = 50.0f;

// Whether the last reading was above kThreshold.
static int above = 0;

// ---- Exports (device.json, "exports") --------------------------------------

// Called once at start-up: reset your state here.
EXPORT("init") void init(void) {
  above = 0;
  LogText("ready");
}

// Called periodically by the firmware: put your logic here.
EXPORT("update") void update(void) {
  float value = read_sensor();
  int now_above = value > kThreshold;  // false for NaN: a failed read counts as below
  if (now_above != above) {
    above = now_above;
    LogText(now_above ? "above threshold" : "below threshold");
  }
  // Add your logic here: filter the reading, drive an actuator, ...
}
