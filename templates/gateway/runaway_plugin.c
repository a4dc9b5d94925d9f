// A misbehaving tenant for the acme/gateway-g8 gateway
// (templates/gateway-plugin/device.json), to show the gateway stopping it.
//
// Build (scripts/build-workloads.sh does both steps):
//   wasmiot gen guest --manifest ../gateway-plugin/device.json --lang c -o gen
//   clang --target=wasm32 -mcpu=mvp -O2 -nostdlib -Wall -Wextra -Werror -Wl,--no-entry -Wl,--initial-memory=65536 -Wl,--max-memory=65536 -Wl,-z,stack-size=2048 -Igen -o runaway_plugin.wasm runaway_plugin.c
//
// The bug, on purpose: update() waits for sensor 0 to "settle" below 100 by
// polling it in a loop with no bound. While the reading is normal the loop
// never turns; once the sensor sticks high it spins forever. On a device
// without a budget that hangs the gateway; here the call runs out of fuel,
// the gateway stops this tenant, and the others keep their schedule.
#include <stdint.h>

// The host functions (env_*) and the exports, generated from the gateway's device.json.
#include "wasmiot_guest.h"

static uint32_t updates = 0;

void init(void) { updates = 0; }

void update(void) {
  while (env_read_sensor(0) > 100.0f) {
    // waits for a sensor that never settles
  }
  ++updates;
  env_log((const uint8_t*)"settled", 7);
}
