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
// function used here must be declared in device.json; add your device's
// functions there first. wasmiot build generates their declarations from it
// into wasmiot_guest.h (build/gen), so module and device cannot disagree.
#include <stdint.h>

// The host functions (env_*) and the exports, generated from device.json.
#include "wasmiot_guest.h"

// ---- Host functions (device.json, "imports" -> "env") ---------------------
// wasmiot_guest.h declares each one as env_<name>: add "set_led" with an i32
// parameter to device.json, build, and call env_set_led(1).

static void LogText(const char* text) {
  uint32_t n = 0;
  while (text[n]) ++n;
  env_log((const uint8_t*)text, n);
}

// ---- Your settings and state ----------------------------------------------

// The reading above which the module reports; change it for your sensor.
static const float kThreshold = 50.0f;

// Whether the last reading was above kThreshold.
static int above = 0;

// ---- Exports (device.json, "exports") --------------------------------------
// Defined here with the signatures wasmiot_guest.h declares for them.

// Called once at start-up: reset your state here.
void init(void) {
  above = 0;
  LogText("ready");
}

// Called periodically by the firmware: put your logic here.
void update(void) {
  float value = env_read_sensor();
  int now_above = value > kThreshold;  // false for NaN: a failed read counts as below
  if (now_above != above) {
    above = now_above;
    LogText(now_above ? "above threshold" : "below threshold");
  }
  // Add your logic here: filter the reading, drive an actuator, ...
}
