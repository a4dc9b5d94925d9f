/*
 * Firmware side of the thermostat, linking `wasmiot aot` output through the
 * glue `wasmiot gen` writes from the device's manifest:
 *
 *   wasmiot aot thermostat.wasm --target cortex-m4f -o aot --manifest device.json
 *   wasmiot gen host --lang wasm2c --name thermostat --manifest device.json -o aot
 *   arm-none-eabi-gcc <flags from --list-targets> -Iaot thermostat_firmware.c \
 *       aot/wasmiot_wasm2c.c aot/libthermostat.a ...
 *
 * The firmware writes only what is its own: the host functions, as typed C
 * functions (the glue has checked every buffer against the module's memory
 * before they see it), and the calls it makes. The same file builds for a
 * Linux target (wabt's runtime) and for bare metal (wasmiot's static runtime).
 * See docs/gen.md and docs/aot.md.
 */
#include <stdint.h>
#include <stdio.h>

#include "wasmiot_wasm2c.h"

/* What the host functions read and drive; the glue hands it back as `user`. */
struct room {
  float temperature;
  float humidity;
};

/* Sensors and actuators (real firmware talks to hardware here). */
float env_read_temperature(void* user) { return ((const struct room*)user)->temperature; }
float env_read_humidity(void* user) { return ((const struct room*)user)->humidity; }
void env_set_hvac_mode(void* user, int32_t mode) {
  (void)user;
  printf("hvac mode %d\n", (int)mode);
}
void env_set_fan_speed(void* user, int32_t percent) {
  (void)user;
  printf("fan speed %d\n", (int)percent);
}
void env_log(void* user, const uint8_t* message, uint32_t message_len) {
  (void)user;
  printf("log: %.*s\n", (int)message_len, (const char*)message);
}

int main(void) {
  static wasmiot_instance thermostat;
  static struct room room = {18.0f, 40.0f};
  static uint8_t status_json[128];
  int32_t written = 0;
  wasmiot_status status;

  wasm_rt_init();
  Z_thermostat_init_module();
  status = wasmiot_instantiate(&thermostat, &room);
  if (status == WASMIOT_OK) status = wasmiot_call_init(&thermostat);
  if (status == WASMIOT_OK) status = wasmiot_call_control_loop(&thermostat); /* 18 C: heat */
  room.temperature = 25.0f;
  room.humidity = 70.0f;
  if (status == WASMIOT_OK) status = wasmiot_call_control_loop(&thermostat); /* 25 C and humid: cool, fan 50 */
  /* get_status writes a JSON status into the firmware's own buffer: the glue
   * places it in the region the manifest reserves for buffers (host_buffers) and
   * copies back what the module wrote. It is optional: a module may lack it. */
  if (status == WASMIOT_OK) {
    status = wasmiot_call_get_status(&thermostat, status_json, sizeof status_json, &written);
    if (status == WASMIOT_MISSING_EXPORT) status = WASMIOT_OK;
    if (status == WASMIOT_OK && written > 0 && written <= (int32_t)sizeof status_json) {
      printf("status: %.*s\n", (int)written, (const char*)status_json);
    }
  }
  /* A trap is a status, not a crash. */
  if (status != WASMIOT_OK) {
    printf("trap: %s\n", wasmiot_status_name(status));
    return 1;
  }
  wasmiot_free(&thermostat);
  wasm_rt_free();
  return 0;
}
