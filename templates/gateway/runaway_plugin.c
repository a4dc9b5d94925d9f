// A misbehaving tenant for the acme/gateway-g8 gateway
// (templates/gateway-plugin/device.json), to show the gateway stopping it.
//
// Build: clang --target=wasm32 -O2 -nostdlib -Wall -Wextra -Werror -Wl,--no-entry -Wl,--initial-memory=65536 -Wl,--max-memory=65536 -Wl,-z,stack-size=2048 -o runaway_plugin.wasm runaway_plugin.c
//
// The bug, on purpose: update() waits for sensor 0 to "settle" below 100 by
// polling it in a loop with no bound. While the reading is normal the loop
// never turns; once the sensor sticks high it spins forever. On a device
// without a budget that hangs the gateway; here the call runs out of fuel,
// the gateway stops this tenant, and the others keep their schedule.
#include <stdint.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

IMPORT("read_sensor") float read_sensor(int32_t sensor_id);
IMPORT("log") void device_log(const char* message, int32_t length);

static uint32_t updates = 0;

EXPORT("init") void init(void) { updates = 0; }

EXPORT("update") void update(void) {
  while (read_sensor(0) > 100.0f) {
    // waits for a sensor that never settles
  }
  ++updates;
  device_log("settled", 7);
}
